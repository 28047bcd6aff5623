import Foundation
import Testing
@testable import WSTesterCLI

/// Exit codes (engine §5.4 with resolution 45) and end-to-end runs of the real binary.
@Suite(.serialized) struct CommandLineTests {
    static let root = "/" + String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
    static var binary: String { root + "/.build/debug/ws-tester" }

    /// 1m bars that rise 20 minutes then fall 20, from 100 (sma_cross crosses on them).
    static func zigzagBars(_ n: Int) -> String {
        var text = "timestamp,open,high,low,close,volume\n"
        var p = 100.0
        for i in 0..<n {
            let o = p
            p *= (i / 20) % 2 == 0 ? 1.003 : 0.997
            text += "\(1_700_000_040 + 60 * i),\(String(format: "%.2f", o)),\(String(format: "%.2f", max(o, p) + 0.1)),\(String(format: "%.2f", min(o, p) - 0.1)),\(String(format: "%.2f", p)),1.5\n"
        }
        return text
    }

    func tmp(_ name: String) -> String { FileManager.default.temporaryDirectory.appendingPathComponent("wst-\(getpid())-\(name)").path }

    @Test func exitCodes() {
        #expect(WSTester.runMain(["strategies", "list", "--json"]) == 0)
        #expect(WSTester.runMain(["--simulated", "--duration", "1", "--speed", "max", "--strategies", "nope", "--config", "/nonexistent/none.yaml"]) == 1)
        #expect(WSTester.runMain(["--simulated", "--duration", "1", "--speed", "max", "--strategies", "nope"]) == 3)
        #expect(WSTester.runMain(["--duration", "1"]) == 2)
        #expect(WSTester.runMain(["--simulated", "--duration", "1", "--strategies", " , "]) == 3)
        #expect(WSTester.runMain(["--simulated", "--capital", "0"]) == 1)
        #expect(WSTester.runMain(["--simulated", "--duration", "-1"]) == 1)
        #expect(WSTester.runMain(["--simulated", "--speed", "fast"]) == 1)
        #expect(WSTester.runMain(["--bogus-flag"]) == 1)
        #expect(WSTester.runMain(["--simulated", "--param", "sma_cross.fast=abc", "--duration", "1"]) == 1)
        #expect(WSTester.runMain(["backtest"]) == 1)
        #expect(WSTester.runMain(["backtest", "--bars", "/nonexistent.csv", "--symbol", "BTC/USD"]) == 1)
        #expect(WSTester.runMain(["--version"]) == 0)
        #expect(WSTester.runMain(["--help"]) == 0)
    }

    @Test func simulatedRunIsReproducibleAndItsRecordingReplays() throws {
        let rec = tmp("rec.jsonl"), s1 = tmp("s1.json"), s2 = tmp("s2.json"), s3 = tmp("s3.json")
        defer { for f in [rec, s1, s2, s3] { try? FileManager.default.removeItem(atPath: f) } }
        let base = ["--simulated", "--duration", "3", "--speed", "max", "--seed", "11", "--no-dashboard", "--log-level", "error",
                    "--config", Self.root + "/config.yaml"]
        #expect(WSTester.runMain(base + ["--record", rec, "--summary-json", s1]) == 0)
        #expect(WSTester.runMain(base + ["--summary-json", s2]) == 0)
        #expect(WSTester.runMain(["backtest", "--events", rec, "--summary-json", s3]) == 0)
        func load(_ p: String) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p))) as! [String: Any] }
        let a = try load(s1), b = try load(s2), c = try load(s3)
        #expect(a["fills_sha256"] as? String == b["fills_sha256"] as? String)
        #expect(a["fills_sha256"] as? String == c["fills_sha256"] as? String)
        #expect((a["fills"] as? Int ?? 0) > 0)
        #expect(a["events_processed"] as? Int == c["events_processed"] as? Int)
        let strategies = a["strategies"] as! [[String: Any]]
        #expect(strategies.map { $0["name"] as! String }.sorted() == ["ema9_trend_flip", "flow_momentum", "market_making", "mean_reversion", "momentum_scalping", "order_flow", "ratio_trading", "sma_cross", "wavetrend"])   // every registered strategy
    }

    @Test func backtestBarsWritesSummary() throws {
        let csv = tmp("bars.csv"), out = tmp("bars.json")
        defer { for f in [csv, out] { try? FileManager.default.removeItem(atPath: f) } }
        var text = Self.zigzagBars(400)
        text += "1700999999,bad,row\n"
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["backtest", "--bars", csv, "--symbol", "SYN/USD", "--strategy", "sma_cross", "--param", "fast=3",
                                  "--param", "slow=8", "--capital", "1000", "--summary-json", out]) == 0)
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        #expect(o["rows_rejected"] as? Int == 1)
        #expect(o["bars"] as? Int == 400)
        #expect(o["price_decimals"] as? Int == 2)
        let s = (o["strategies"] as! [[String: Any]])[0]
        #expect((s["closed_trades"] as? Int ?? 0) > 5)
    }

    /// SIGINT: graceful stop with a summary and exit 0; a second SIGINT forces exit 130.
    @Test func signals() throws {
        let bin = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin), "build the executable first (scripts/test does)")
        func start() throws -> (Process, Pipe) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = ["--simulated", "--duration", "0", "--speed", "1", "--no-dashboard", "--config", Self.root + "/config.yaml"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = Pipe()
            try p.run()
            return (p, out)
        }
        let (p, out) = try start()
        Thread.sleep(forTimeInterval: 1.5)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0)
        #expect(text.contains("SESSION STOPPED"))

        // Two signals microseconds apart: the second arrives while the first stop is still in progress. On a loaded
        // machine the test may be descheduled between the two kills long enough for the graceful stop to finish
        // first (exit 0): that is a retry, never a pass; any other outcome fails.
        var forced = false
        for _ in 0..<5 where !forced {
            let (q, _) = try start()
            Thread.sleep(forTimeInterval: 1.0)
            kill(q.processIdentifier, SIGTERM)
            kill(q.processIdentifier, SIGINT)
            q.waitUntilExit()
            #expect(q.terminationReason == .exit && [0, 130].contains(q.terminationStatus))
            forced = q.terminationStatus == 130
        }
        #expect(forced)
    }
}
