import Foundation
import Testing
import TestSupport
@testable import WSTesterCLI

/// A simulated session whose strategy reads the regime runs the detector but never fetches external sentiment
/// (decision 44: live sessions only), so its result depends on its seed alone.
@Suite(.serialized) struct RegimeRunTests {
    func tmp(_ name: String) -> String { FileManager.default.temporaryDirectory.appendingPathComponent("wst-regime-\(getpid())-\(name)").path }

    @Test func simulatedSessionsDoNotFetchSentiment() throws {
        let server = try LocalHTTPServer()
        defer { try? server.shutdown() }
        server.set("/fng/", .init(body: #"{"data":[{"value":"63","value_classification":"Greed"}]}"#))
        server.set("/global", .init(body: #"{"data":{"market_cap_percentage":{"btc":57.25}}}"#))
        let cfg = tmp("cfg.yaml"), rec = tmp("rec.jsonl"), s1 = tmp("s1.json"), s2 = tmp("s2.json")
        defer { for f in [cfg, rec, s1, s2] { try? FileManager.default.removeItem(atPath: f) } }
        try """
        strategies:
          enabled: [sma_cross]
        strategy_overrides:
          sma_cross:
            regime_filter: true
        regime_detection:
          external:
            fear_greed_url: "\(server.url("/fng/"))"
            btc_dominance_url: "\(server.url("/global"))"
            timeout_s: 2
        """.write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["--simulated", "--duration", "2", "--speed", "40", "--seed", "5", "--no-dashboard", "--log-level", "error",
                                  "--config", cfg, "--record", rec, "--summary-json", s1]) == 0)
        #expect(server.count("/fng/") == 0 && server.count("/global") == 0)
        let lines = try String(contentsOfFile: rec, encoding: .utf8).split(separator: "\n")
        #expect(!lines.contains { $0.contains(#""k":"sentiment""#) })
        #expect(WSTester.runMain(["backtest", "--events", rec, "--summary-json", s2]) == 0)
        func load(_ p: String) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p))) as! [String: Any] }
        let a = try load(s1), b = try load(s2)
        #expect(a["fills_sha256"] as? String == b["fills_sha256"] as? String && a["events_processed"] as? Int == b["events_processed"] as? Int)
        // Two minutes is too little history to score (200 closed 1m candles): the reading is the neutral one, no sentiment.
        let regime = try #require(a["regime"] as? [String: Any])
        #expect(regime["overall"] as? String == "SIDEWAYS" && regime["confidence"] as? Double == 0 && regime["external"] is NSNull)
    }

    @Test func badRegimeSettingsAreRefused() throws {
        let cfg = tmp("bad.yaml")
        defer { try? FileManager.default.removeItem(atPath: cfg) }
        try "regime_detection:\n  thresholds:\n    bull: 0.6\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["--simulated", "--duration", "1", "--speed", "max", "--no-dashboard", "--config", cfg]) == 1)
        try "regime_detection:\n  scoring_mode: fancy\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["--simulated", "--duration", "1", "--speed", "max", "--no-dashboard", "--config", cfg]) == 1)
        try "regime_detection:\n  weights:\n    adx: -1\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["--simulated", "--duration", "1", "--speed", "max", "--no-dashboard", "--config", cfg]) == 1)
        try "strategy_overrides:\n  sma_cross:\n    regime_router: maybe\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["--simulated", "--duration", "1", "--speed", "max", "--no-dashboard", "--config", cfg]) == 1)
        for bad in ["regime_detection:\n  adjustments:\n    mean_reversion:\n      BULLISH:\n        position_size: 0.5\n",
                    "regime_detection:\n  adjustments:\n    mean_reversion:\n      BULL:\n        size: 0.5\n",
                    "regime_detection:\n  adjustments:\n    mean_reversion:\n      BULL:\n        position_size: -1\n",
                    "regime_detection:\n  adjustments:\n    nobody:\n      BULL:\n        position_size: 1\n"] {
            try bad.write(toFile: cfg, atomically: true, encoding: .utf8)
            #expect(WSTester.runMain(["--simulated", "--duration", "1", "--speed", "max", "--no-dashboard", "--config", cfg]) == 1, "\(bad)")
        }
        // Decision 45's reserved key is accepted for every strategy.
        try "strategy_overrides:\n  flow_momentum:\n    regime_router: true\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["--simulated", "--duration", "1", "--speed", "max", "--no-dashboard", "--log-level", "error", "--config", cfg]) == 0)
    }
}
