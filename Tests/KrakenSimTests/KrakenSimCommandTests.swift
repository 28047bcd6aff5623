import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `ws-tester kraken sim` as a user runs it (the real binary, built by scripts/test), and a full live session against
/// it with `--ws-url` (issue 10 point 4): the session's recording replays to the same fills. Runs with the end-to-end
/// suite, in the process that has no synchronous suites.
@Suite(.serialized, .timeLimit(.minutes(2))) struct KrakenSimEndToEndCommandTests {
    static let root = "/" + String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
    static let binary = root + "/.build/debug/ws-tester"
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wst-simcmd-\(getpid())").path

    /// Reads a pipe to its end on a thread of its own: a blocking read on Swift's cooperative threads (two here) would
    /// starve this test's own tasks.
    final class Drain: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private var finished = false
        init(_ h: FileHandle) {
            Thread.detachNewThread { [self] in
                while true {
                    let d = h.availableData
                    lock.lock(); if d.isEmpty { finished = true } else { data += d }; lock.unlock()
                    if d.isEmpty { break }
                }
            }
        }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
        var done: Bool { lock.lock(); defer { lock.unlock() }; return finished }
        func value() async -> String {
            while !done { try? await Task.sleep(for: .milliseconds(10)) }
            return text
        }
    }

    /// Starts the server binary; returns it, its port (read from its first line) and its output.
    func startServer(_ extra: [String] = []) async throws -> (Process, Int, Drain) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["kraken", "sim", "--port", "0", "--duration", "60", "--history-days", "1", "--symbols", "BTC/USD,ETH/USD", "--speed", "4"] + extra
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let drain = Drain(out.fileHandleForReading)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = drain.text
            if let r = text.range(of: #"ws://127\.0\.0\.1:(\d+)/v2"#, options: .regularExpression) {
                return (p, Int(text[r].dropFirst("ws://127.0.0.1:".count).dropLast(3))!, drain)
            }
            if drain.done { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        p.terminate()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the server did not start: \(drain.text)"])
    }

    func run(_ args: [String], interruptAfter: Double? = nil) async throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = Drain(out.fileHandleForReading), e = Drain(err.fileHandleForReading)
        if let s = interruptAfter {
            try await Task.sleep(for: .milliseconds(Int64(s * 1000)))
            kill(p.processIdentifier, SIGINT)
        }
        while p.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return (p.terminationStatus, await o.value(), await e.value())
    }

    func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test func aFullLiveSessionAgainstTheLocalServerReplaysToTheSameFills() async throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cfg = dir + "/config.yaml"
        try """
            strategy_overrides:
              flow_momentum:
                lookback_trades: 3
                entry_imbalance: 0.1
                exit_imbalance: 0.05
                cooldown_seconds: 0
                use_circuit_breaker: false
            """.write(toFile: cfg, atomically: true, encoding: .utf8)
        let simLog = dir + "/sim-log.jsonl"
        let (server, port, serverOut) = try await startServer(["--fault", "checksumCorrupt:BTC/USD@t=12", "--log", simLog])
        defer { server.terminate() }
        let rec = dir + "/live.jsonl", s1 = dir + "/live.json", s2 = dir + "/replay.json"
        let live = try await run(["run", "--config", cfg, "--ws-url", "ws://127.0.0.1:\(port)/v2", "--symbols", "BTC/USD,ETH/USD",
                                  "--strategies", "flow_momentum", "--duration", "10", "--interval", "50", "--no-dashboard",
                                  "--log-level", "warning", "--record", rec, "--summary-json", s1], interruptAfter: 6)
        defer { if live.code != 0 { print(live.out, live.err) } }
        #expect(live.code == 0, "\(live.err)")
        #expect(live.out.contains("Mode: Live Kraken"))
        let a = try json(s1)
        let feed = try #require(a["feed"] as? [String: Any])
        // The scripted corruption was caught and healed; nothing else went wrong.
        #expect(feed["checksum_failures"] as? Int == 1 && (feed["resyncs"] as? Int ?? 0) == 1)
        #expect(feed["trade_gaps"] as? Int == 0 && (feed["messages"] as? Int ?? 0) > 200)
        #expect((a["fills"] as? Int ?? 0) > 0)
        let replay = try await run(["backtest", "--events", rec, "--summary-json", s2])
        #expect(replay.code == 0, "\(replay.err)")
        #expect(try json(s2)["fills_sha256"] as? String == a["fills_sha256"] as? String)
        // The control API: the counters, and a fault at run time (a bad one is refused with the reason).
        let stats = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/_sim/stats")!).0
        let st = try #require(try JSONSerialization.jsonObject(with: stats) as? [String: Any])
        #expect((st["connections"] as? Int ?? 0) >= 1 && (st["faults_fired"] as? Int) == 1)
        #expect(server.isRunning)
        var req = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/_sim/faults")!)
        req.httpMethod = "POST"
        req.httpBody = Data("explode".utf8)
        let (body, resp) = try await URLSession.shared.data(for: req)
        #expect((resp as? HTTPURLResponse)?.statusCode == 400 && String(decoding: body, as: UTF8.self).contains("unknown fault"))
        // A good one fires, and a replay of a file not named at launch is refused (no arbitrary file is ever read).
        req.httpBody = Data(#"{"fault":"status","system":"post_only"}"#.utf8)
        let (_, ok) = try await URLSession.shared.data(for: req)
        #expect((ok as? HTTPURLResponse)?.statusCode == 200)
        req.httpBody = Data("replay:file=/etc/passwd".utf8)
        let (refusal, no) = try await URLSession.shared.data(for: req)
        #expect((no as? HTTPURLResponse)?.statusCode == 400 && String(decoding: refusal, as: UTF8.self).contains("not named at launch"))
        // REST answers too, and is logged.
        let time = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/0/public/Time")!).0
        #expect(String(decoding: time, as: UTF8.self).contains("unixtime"))
        // --log holds every frame sent and every attempt (with its wall-clock time), written off the engine lock and
        // complete once the server stops.
        kill(server.processIdentifier, SIGINT)
        while server.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let said = await serverOut.value()
        func figure(_ pattern: String) -> Int? {
            guard let r = said.range(of: pattern, options: .regularExpression) else { return nil }
            return Int(said[r].filter(\.isNumber))
        }
        let framesSent = try #require(figure(#"\d+ frames sent"#), "\(said)"), entries = try #require(figure(#"\(\d+ entries\)"#), "\(said)")
        let lines = try String(contentsOfFile: simLog, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == entries && framesSent > 200)
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count)
        #expect(objects.filter { $0["kind"] as? String == "sent" }.count == framesSent)
        let attempts = objects.filter { $0["kind"] as? String == "attempt" }
        #expect(!attempts.isEmpty && attempts.allSatisfy { $0["wall_time"] is String && $0["time"] is String })
        #expect(objects.contains { $0["kind"] as? String == "rest" && $0["text"] as? String == "GET /0/public/Time" })
    }

    @Test func badArgumentsAreClearErrors() async throws {
        for (args, text) in [(["--fault", "explode"], "unknown fault 'explode'"), (["--symbols", "DOGE/USD"], "cannot simulate DOGE/USD"),
                             (["--start-time", "yesterday"], "--start-time 'yesterday'"), (["--levels", "5000"], "levels must be in 1…1000")] {
            let o = try await run(["kraken", "sim", "--port", "0", "--duration", "1"] + args)
            #expect(o.code == 1 && o.err.contains(text), "\(args): \(o.err)")
        }
    }
}
