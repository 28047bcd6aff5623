import Foundation
import Testing
@testable import WSTesterCLI

/// Symbols as asked (hardening issue, item 3; decision 36): the pairs the user names are the pairs traded, a quote's
/// valuation pair is data only, and a lone XRP/BTC bar backtest keeps its accounts in BTC.
@Suite(.serialized) struct SymbolsAsAskedTests {
    func tmp(_ name: String) -> String { FileManager.default.temporaryDirectory.appendingPathComponent("wst-sym-\(getpid())-\(name)").path }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// sma_cross(1, 2) on these closes buys 1 XRP at the open of bar 3 (0.000022) and sells it at the open of bar 5
    /// (0.000023): by hand, P&L = 0.000001 − 0.001 × (0.000022 + 0.000023) = 0.000000955 BTC.
    func crossBars() throws -> String {
        // (open, close); bar 5 opens at 0.000023 and closes at 0.000020, so no second up-cross follows.
        let bars = [("0.000020", "0.000020"), ("0.000019", "0.000019"), ("0.000021", "0.000021"), ("0.000022", "0.000022"),
                    ("0.000021", "0.000021"), ("0.000023", "0.000020"), ("0.000020", "0.000020")]
        var text = "timestamp,open,high,low,close,volume\n"
        for (i, (o, c)) in bars.enumerated() {
            let (h, l) = Double(o)! > Double(c)! ? (o, c) : (c, o)
            text += "\(1_700_000_040 + 60 * i),\(o),\(h),\(l),\(c),100\n"
        }
        let path = tmp("xrpbtc.csv")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    let smaArgs = ["--strategy", "sma_cross", "--param", "fast=1", "--param", "slow=2", "--param", "quantity=1",
                   "--fee-rate", "0.001", "--slippage-rate", "0"]

    @Test func xrpBtcBarsAloneKeepTheAccountsInBTC() throws {
        let csv = try crossBars(), out = tmp("btc.json")
        defer { for f in [csv, out] { try? FileManager.default.removeItem(atPath: f) } }
        #expect(WSTester.runMain(["backtest", "--bars", csv, "--symbol", "XRP/BTC", "--capital", "1", "--summary-json", out] + smaArgs) == 0)
        let o = try json(out)
        #expect(o["account_currency"] as? String == "BTC")
        let s = (o["strategies"] as! [[String: Any]])[0]
        #expect(s["fills"] as? Int == 2)
        #expect(s["realized_pnl"] as? String == "0.000000955")
        #expect(s["final_equity"] as? String == "1.000000955")
        #expect((o["aggregate"] as! [String: Any])["total_capital"] as? String == "1")
        #expect(Array((s["pairs"] as! [String: Any]).keys) == ["XRP/BTC"])
    }

    @Test func aUSDSeriesForTheQuoteValuesItAndIsNotTraded() throws {
        let csv = try crossBars(), btc = tmp("btcusd.csv"), out = tmp("usd.json")
        defer { for f in [csv, btc, out] { try? FileManager.default.removeItem(atPath: f) } }
        var text = "timestamp,open,high,low,close,volume\n"
        for i in 0..<7 { text += "\(1_700_000_040 + 60 * i),50000,50000,50000,50000,1\n" }
        try text.write(toFile: btc, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["backtest", "--bars", csv, "--symbol", "XRP/BTC", "--bars", btc, "--symbol", "BTC/USD",
                                  "--capital", "100", "--summary-json", out] + smaArgs) == 0)
        let o = try json(out)
        #expect(o["account_currency"] as? String == "USD")
        #expect(o["symbols"] as? [String] == ["XRP/BTC"] && o["data_only"] as? [String] == ["BTC/USD"])
        let s = (o["strategies"] as! [[String: Any]])[0]
        // 0.000000955 BTC × 50,000 USD.
        #expect(s["realized_pnl"] as? String == "0.04775")
        #expect(s["final_equity"] as? String == "100.04775")
        #expect(Array((s["pairs"] as! [String: Any]).keys) == ["XRP/BTC"])
        // Asking to trade a pair that has no file, or mixing unpriced quotes, is an error.
        #expect(WSTester.runMain(["backtest", "--bars", csv, "--symbol", "XRP/BTC", "--symbols", "ETH/BTC"] + smaArgs) == 1)
        #expect(WSTester.runMain(["backtest", "--bars", csv, "--symbol", "XRP/BTC", "--bars", btc, "--symbol", "BTC/USD",
                                  "--symbols", "XRP/BTC,BTC/USD", "--summary-json", out] + smaArgs) == 0)
        #expect((try json(out)["symbols"] as? [String]) == ["BTC/USD", "XRP/BTC"])
    }

    @Test func simulatedXrpBtcSessionTradesOnlyXrpBtc() throws {
        let out = tmp("sim.json")
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(WSTester.runMain(["--simulated", "--symbols", "XRP/BTC", "--strategies", "sma_cross", "--param", "sma_cross.fast=2",
                                  "--param", "sma_cross.slow=3", "--duration", "120", "--speed", "max", "--no-dashboard",
                                  "--log-level", "error", "--summary-json", out]) == 0)
        let s = (try json(out)["strategies"] as! [[String: Any]])[0]
        #expect((s["fills"] as? Int ?? 0) > 0)
        #expect(Array((s["pairs"] as! [String: Any]).keys) == ["XRP/BTC"])
    }
}

/// `config show` (decision 35): every value with its source; its YAML used as a config gives the same configuration.
@Suite(.serialized) struct ConfigShowTests {
    func capture(_ args: [String], env: [String: String] = [:]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: r, as: UTF8.self))
    }

    @Test func showsSourcesAndRoundTrips() throws {
        let cfg = FileManager.default.temporaryDirectory.appendingPathComponent("wst-show-\(getpid()).yaml").path
        let shown = FileManager.default.temporaryDirectory.appendingPathComponent("wst-shown-\(getpid()).yaml").path
        defer { for f in [cfg, shown] { try? FileManager.default.removeItem(atPath: f) } }
        try "execution: {fee_rate: 0.002}\ngeneral: {duration_minutes: 5}\nstarting_assets: {XRP: 10}\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        let (code, yaml, _) = try capture(["config", "show", "--config", cfg, "--capital", "250", "--param", "sma_cross.fast=4", "--seed", "9"],
                                          env: ["WS_TESTER_EXECUTION_SLIPPAGE_RATE": "0.0001", "WS_TESTER_API_KEY": "hunter2"])
        #expect(code == 0)
        #expect(yaml.contains("fee_rate: 0.002  # source: file (\(cfg) line 1)"))
        #expect(yaml.contains("slippage_rate: 0.0001  # source: environment (WS_TESTER_EXECUTION_SLIPPAGE_RATE)"))
        #expect(yaml.contains("starting_capital: 250  # source: cli (--capital)"))
        #expect(yaml.contains("fast: 4  # source: cli (--param sma_cross.fast)"))
        #expect(!yaml.contains("hunter2"))
        try yaml.write(toFile: shown, atomically: true, encoding: .utf8)
        let (c2, again, _) = try capture(["config", "show", "--config", shown, "--json"])
        let (c1, before, _) = try capture(["config", "show", "--config", cfg, "--capital", "250", "--param", "sma_cross.fast=4", "--seed", "9", "--json"],
                                          env: ["WS_TESTER_EXECUTION_SLIPPAGE_RATE": "0.0001"])
        #expect(c1 == 0 && c2 == 0)
        func values(_ json: String) throws -> [String: String] {
            let o = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            return Dictionary(uniqueKeysWithValues: (o["settings"] as! [[String: String]]).map { ($0["key"]!, $0["value"]!) })
        }
        #expect(try values(again) == values(before))
        #expect(try values(before)["execution.fee_rate"] == "0.002" && values(before)["strategy_overrides.sma_cross.fast"] == "4")
    }

    @Test func flagsAreRefusedLikeTheFile() throws {
        let (a, _, e1) = try capture(["--simulated", "--capital", "0", "--no-dashboard"])
        #expect(a == 1 && e1.contains("--capital: must be in (0, 1000000000000]"))
        let (b, _, e2) = try capture(["config", "show"], env: ["WS_TESTER_EXECUTION_FEE_RATE": "2"])
        #expect(b == 1 && e2.contains("environment WS_TESTER_EXECUTION_FEE_RATE: must be in [0, 1)"))
        let (c, _, e3) = try capture(["backtest", "--bars", "/dev/null", "--symbol", "BTC/USD", "--fee-rate=-1"])
        #expect(c == 1 && e3.contains("--fee-rate: must be in [0, 1)"))
        let (d, out, _) = try capture(["config", "defaults"])
        let shipped = try String(contentsOfFile: CommandLineTests.root + "/config.yaml", encoding: .utf8)
        #expect(d == 0 && out == shipped)
    }
}
