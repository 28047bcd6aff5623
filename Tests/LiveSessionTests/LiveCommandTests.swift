import Foundation
import Testing

/// `ws-tester run` on the live path, as a user runs it (the real binary, built by scripts/test): against the in-process
/// Kraken v2 server, stopped with SIGINT, its recording replayed by `backtest --events`; and the start-up failures.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LiveCommandTests {
    static let root = "/" + String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
    static let binary = root + "/.build/debug/ws-tester"
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wst-livecmd-\(getpid())").path

    struct Outcome { let code: Int32; let out: String; let err: String }

    /// Runs the binary; `interruptAfter` sends SIGINT after that many seconds.
    func run(_ args: [String], interruptAfter: Double? = nil) async throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // The pipes are drained on threads of their own: a blocking read on Swift's cooperative threads (two here) would
        // starve the in-process server the binary talks to.
        let outData = Drain(out.fileHandleForReading), errData = Drain(err.fileHandleForReading)
        if let s = interruptAfter {
            try await Task.sleep(for: .milliseconds(Int64(s * 1000)))
            kill(p.processIdentifier, SIGINT)
        }
        while p.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let o = await outData.value(), e = await errData.value()
        return Outcome(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// Reads a pipe to its end on a dedicated thread.
    final class Drain: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)
        init(_ h: FileHandle) {
            Thread.detachNewThread { [self] in data = h.readDataToEndOfFile(); done.signal() }
        }
        func value() async -> Data {
            while done.wait(timeout: .now()) == .timedOut { try? await Task.sleep(for: .milliseconds(10)) }
            return data
        }
    }

    func config(_ yaml: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/config-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test func aLiveSessionStopsOnSIGINTAndItsRecordingReplaysToTheSameFills() async throws {
        let server = try FakeKraken(tradesPerSecond: 100)
        let (url, serverTask) = try await server.start()
        defer { serverTask.cancel() }
        let cfg = try config("""
            strategy_overrides:
              flow_momentum:
                lookback_trades: 4
                entry_imbalance: 0.2
                exit_imbalance: 0.1
                cooldown_seconds: 0
                use_circuit_breaker: false
            """)
        let rec = dir + "/live.jsonl", s1 = dir + "/live.json", s2 = dir + "/replay.json"
        let live = try await run(["run", "--config", cfg, "--ws-url", url, "--symbols", "BTC/USD", "--strategies", "flow_momentum",
                                  "--duration", "10", "--interval", "50", "--no-dashboard", "--log-level", "warning",
                                  "--record", rec, "--summary-json", s1], interruptAfter: 4)
        #expect(live.code == 0, "\(live.err)")
        #expect(live.out.contains("SESSION STOPPED") && live.out.contains("Mode: Live Kraken"))
        let a = try json(s1)
        #expect(a["mode"] as? String == "live")
        let feed = try #require(a["feed"] as? [String: Any])
        #expect(feed["checksum_failures"] as? Int == 1)   // fixture line 8, then the resubscribe
        #expect((feed["resyncs"] as? Int ?? 0) >= 1 && (feed["messages"] as? Int ?? 0) > 100)
        #expect(feed["latency_p50_us"] is Double)
        #expect((a["fills"] as? Int ?? 0) > 0)
        let replay = try await run(["backtest", "--events", rec, "--summary-json", s2])
        #expect(replay.code == 0, "\(replay.err)")
        let b = try json(s2)
        #expect(b["fills_sha256"] as? String == a["fills_sha256"] as? String)
        #expect(b["events_processed"] as? Int == a["events_processed"] as? Int)
        // The recording holds the feed's own events and Kraken's precisions in its header.
        let text = try String(contentsOfFile: rec, encoding: .utf8)
        #expect(text.contains("\"k\":\"book_invalid\"") && text.contains("\"k\":\"feed\"") && text.contains("\"xt\":"))
    }

    @Test func anUnreachableServerExits2WithAMessage() async throws {
        let cfg = try config("data:\n  connect_timeout_s: 1.0\n")
        let o = try await run(["run", "--config", cfg, "--ws-url", "ws://127.0.0.1:9/v2", "--symbols", "BTC/USD", "--duration", "1", "--no-dashboard"])
        #expect(o.code == 2)
        #expect(o.err.contains("error: Kraken could not be reached within 1 s") && o.err.contains("--simulated"))
    }

    @Test func theFallbackRunsTheSimulatorLoudly() async throws {
        let cfg = try config("data:\n  connect_timeout_s: 1.0\n  fallback_to_simulated: true\n")
        let s = dir + "/fallback.json"
        let o = try await run(["run", "--config", cfg, "--ws-url", "ws://127.0.0.1:9/v2", "--symbols", "BTC/USD", "--duration", "1",
                               "--speed", "max", "--no-dashboard", "--summary-json", s])
        #expect(o.code == 0, "\(o.err)")
        #expect(o.err.contains("THIS SESSION RUNS ON THE SIMULATOR, NOT ON KRAKEN"))
        #expect(o.out.contains("FALLBACK"))
        #expect(try json(s)["mode"] as? String == "simulated_fallback")
    }

    @Test func aPairKrakenRefusesIsAConfigurationError() async throws {
        let server = try FakeKraken(refuse: "XBT/USD")
        let (url, serverTask) = try await server.start()
        defer { serverTask.cancel() }
        let cfg = try config("instruments:\n  XBT/USD:\n    price_decimals: 1\n    lot_decimals: 8\n")
        let o = try await run(["run", "--config", cfg, "--ws-url", url, "--symbols", "XBT/USD", "--strategies", "flow_momentum",
                               "--duration", "1", "--no-dashboard"])
        #expect(o.code == 1)
        #expect(o.err.contains("Kraken does not support XBT/USD"))
    }
}
