import Foundation
import Testing
@testable import WSTesterCLI

/// Golden statistics of the four strategies of "Strategies I" on a committed recorded session (Fixtures/strategies:
/// a seeded simulated hour, XRP/USDT, BTC/USDT and XRP/BTC, made by scripts/make_strategy_golden.sh). The expected
/// figures are the recorded run's own summary (the live simulated path); replaying its recording with
/// `backtest --events` (the replay path) must reproduce them to the last digit. A change that alters any strategy's
/// fills, closed trades or equity on this session fails here; regenerate the fixture only when that is the intent.
@Suite(.serialized) struct StrategyGoldenTests {
    func fixture(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/strategies/" + name, withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
        }
        return url
    }

    /// The recording, decompressed (gzip is part of every Debian base system) into a temporary file.
    func recording() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wst-golden-\(getpid()).jsonl").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? out.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc", try fixture("session_seed11.jsonl.gz").path]
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return path
    }

    func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    @Test func replayingTheRecordedSessionGivesTheGoldenStatistics() throws {
        let golden = try json(try fixture("golden.json"))
        let rec = try recording(), out = FileManager.default.temporaryDirectory.appendingPathComponent("wst-golden-\(getpid()).json")
        defer { for f in [rec, out.path] { try? FileManager.default.removeItem(atPath: f) } }
        #expect(WSTester.runMain(["backtest", "--events", rec, "--summary-json", out.path]) == 0)
        let report = try json(out)
        #expect(report["fills_sha256"] as? String == golden["fills_sha256"] as? String)
        #expect(report["fills"] as? Int == golden["fills"] as? Int)
        #expect(report["events_processed"] as? Int == golden["events_processed"] as? Int)
        #expect(report["bad_lines"] as? Int == 0)
        let expected = golden["strategies"] as! [String: [String: Any]]
        let got = Dictionary(uniqueKeysWithValues: (report["strategies"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
        #expect(Set(got.keys) == ["mean_reversion", "order_flow", "market_making", "ratio_trading"])
        for (name, figures) in expected.sorted(by: { $0.key < $1.key }) {
            let s = try #require(got[name], "\(name) missing from the replay")
            for (key, value) in figures.sorted(by: { $0.key < $1.key }) {
                // Integers compare as integers, money as its exact decimal string.
                #expect(String(describing: s[key] ?? "nil") == String(describing: value), "\(name).\(key)")
            }
            // Every strategy trades on this session: a golden of zeros would prove nothing.
            #expect((figures["fills"] as? Int ?? 0) > 0, "\(name) has no fills on the golden session")
            #expect((figures["closed_trades"] as? Int ?? 0) > 0, "\(name) closed no trade on the golden session")
        }
        // Market making quotes: most of its fills rest on the book.
        let mm = expected["market_making"]!
        #expect((mm["fills_maker"] as! Int) * 2 > (mm["fills"] as! Int))
        #expect(golden["audit_violations"] as? Int == 0)
    }
}
