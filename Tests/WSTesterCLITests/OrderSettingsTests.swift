import Foundation
import Testing
import TradingCore
import AppConfiguration
import Backtest
@testable import WSTesterCLI

/// The orders issue's settings end to end: maker/taker fees with `fee_rate` as the taker's alias (decision 26),
/// `execution.latency_ms`, per-symbol strategy parameters from YAML and `--param` (decision 45, resolution 32), all
/// carried in the recording header and replayed to the same fills.
@Suite(.serialized) struct OrderSettingsTests {
    func tmp(_ name: String) -> String { FileManager.default.temporaryDirectory.appendingPathComponent("wst-orders-\(getpid())-\(name)").path }

    func resolve(_ yaml: String, cli: [ConfigEntry] = []) throws -> ResolvedConfig {
        try ConfigResolver.resolve([try ConfigFile.entries(yaml: yaml, origin: "t.yaml"), cli])
    }

    func message(_ yaml: String, cli: [ConfigEntry] = []) -> String {
        do { _ = try resolve(yaml, cli: cli); return "" } catch { return (error as? ConfigError)?.message ?? "\(error)" }
    }

    @Test func feeRateIsTheTakerRateAndOneSourceMaySetOnlyOne() throws {
        let c = try resolve("execution: {fee_rate: 0.001, maker_fee_rate: 0.0002}\n")
        #expect(c.config.exchange.takerFeeRate == Rate("0.001")! && c.config.exchange.makerFeeRate == Rate("0.0002")!)
        #expect(c.sources["execution.taker_fee_rate"]?.origin == "t.yaml line 1")
        let both = message("execution: {fee_rate: 0.001, taker_fee_rate: 0.002}\n")
        #expect(both.contains("alias of execution.taker_fee_rate") && both.contains("line 1"), "\(both)")
        // Across sources precedence decides: --fee-rate over the file's taker rate.
        let flag = ConfigEntry(key: "execution.fee_rate", text: "0.0005", source: .cli, origin: "--fee-rate")
        let over = try resolve("execution: {taker_fee_rate: 0.002}\n", cli: [flag])
        #expect(over.config.exchange.takerFeeRate == Rate("0.0005")!)
        // Defaults: Kraken Pro's entry tier.
        let d = try resolve("")
        #expect(d.config.exchange.makerFeeRate == Rate("0.0025")! && d.config.exchange.takerFeeRate == Rate("0.004")! && d.config.exchange.latencyMs == 0)
        #expect(message("execution: {latency_ms: -1}\n").contains("must be in 0…600000"))
        #expect(message("execution: {maker_fee_rate: 1}\n").contains("must be in [0, 1)"))
    }

    @Test func perSymbolParametersFromYAMLAreValidated() throws {
        let c = try resolve("""
        strategy_overrides:
          sma_cross:
            fast: 8
            symbols:
              XRP/USDT: {fast: 4, quantity: 2}
        """)
        #expect(c.config.strategyOverrides["sma_cross"] == ["fast": "8"])
        #expect(c.config.symbolOverrides["sma_cross"]?["XRP/USDT"] == ["fast": "4", "quantity": "2"])
        #expect(message("strategy_overrides: {sma_cross: {symbols: {XRP/USDT: {fats: 4}}}}\n").contains("unknown parameter"))
        #expect(message("strategy_overrides: {sma_cross: {symbols: {XRP/USDT: {fast: abc}}}}\n").contains("expected an integer"))
        #expect(message("strategy_overrides: {sma_cross: {symbols: {XRPUSDT: {fast: 4}}}}\n").contains("symbols.<BASE/QUOTE>"))
        #expect(message("strategy_overrides: {sma_cross: {symbols: 5}}\n").contains("mapping of symbols"))
        // Only what the strategy reads per pair can be set per pair.
        let notPerPair = message("strategy_overrides: {sma_cross: {symbols: {XRP/USDT: {timeframe: 5m}}}}\n")
        #expect(notPerPair.contains("not settable per pair (per-pair: fast, slow, quantity)") && notPerPair.contains("line 1"), "\(notPerPair)")
        // `strategies list --json` says which parameters are per pair.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        p.arguments = ["strategies", "list", "--json"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let list = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["strategies"] as? [[String: Any]])
        let sma = try #require(list.first { $0["name"] as? String == "sma_cross" })
        let perPair = try #require(sma["parameters"] as? [[String: Any]]).filter { $0["per_pair"] as? Bool == true }.map { $0["name"] as! String }
        #expect(perPair == ["fast", "slow", "quantity"])
    }

    /// Per-symbol values reach the strategy: quantity 2 on one pair (the next test records and replays them).
    @Test func perSymbolParametersTrade() throws {
        let csv = tmp("bars.csv"), out = tmp("out.json")
        defer { for f in [csv, out] { try? FileManager.default.removeItem(atPath: f) } }
        try CommandLineTests.zigzagBars(300).write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(["backtest", "--bars", csv, "--symbol", "SYN/USD", "--strategy", "sma_cross", "--param", "fast=3",
                                  "--param", "slow=8", "--param", "sma_cross.symbols.SYN/USD.quantity=2", "--capital", "10000",
                                  "--fee-rate", "0.001", "--summary-json", out]) == 0)
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        let s = (o["strategies"] as! [[String: Any]])[0]
        // Every entry bought 2 units: volume / fills is about 2 × price (≈ 200), never ≈ 100.
        let pairs = s["pairs"] as! [String: [String: Any]]
        let volume = Double(pairs["SYN/USD"]!["volume"] as! String)!, fills = pairs["SYN/USD"]!["fills"] as! Int
        #expect(fills > 4 && volume / Double(fills) > 180, "volume \(volume) over \(fills) fills")
        #expect(s["fills_taker"] as? Int == fills && s["fills_maker"] as? Int == 0)
        // A bad per-symbol flag is an error naming it.
        #expect(WSTester.runMain(["backtest", "--bars", csv, "--symbol", "SYN/USD", "--strategy", "sma_cross",
                                  "--param", "sma_cross.symbols.SYN/USD.fast=99"]) == 1)
    }

    @Test func simulatedSessionsRecordLatencyFeesAndPerSymbolValuesAndReplayThem() throws {
        let rec = tmp("sim.jsonl"), a = tmp("a.json"), b = tmp("b.json"), c = tmp("c.json")
        defer { for f in [rec, a, b, c] { try? FileManager.default.removeItem(atPath: f) } }
        let common = ["--simulated", "--duration", "20", "--speed", "max", "--no-dashboard", "--config", CommandLineTests.root + "/config.yaml",
                      "--seed", "9", "--param", "flow_momentum.symbols.XRP/USDT.entry_imbalance=0.15"]
        #expect(WSTester.runMain(common + ["--latency-ms", "250", "--record", rec, "--summary-json", a]) == 0)
        #expect(WSTester.runMain(["backtest", "--events", rec, "--summary-json", b]) == 0)
        let ja = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a))) as! [String: Any]
        let jb = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: b))) as! [String: Any]
        #expect(ja["fills_sha256"] as? String == jb["fills_sha256"] as? String)
        #expect((ja["fills"] as? Int ?? 0) > 0)
        // The header says what the session ran with.
        let header = try JSONSerialization.jsonObject(with: Data(try String(contentsOfFile: rec, encoding: .utf8).split(separator: "\n")[0].utf8)) as! [String: Any]
        #expect(header["version"] as? Int == 4)
        let spec = header["spec"] as! [String: Any]
        let ex = spec["execution"] as! [String: Any]
        #expect(ex["latency_ms"] as? Int == 250 && ex["maker_fee_rate"] as? String == "0.0025" && ex["taker_fee_rate"] as? String == "0.004")
        let flow = (spec["strategies"] as! [[String: Any]]).first { $0["name"] as? String == "flow_momentum" }!
        #expect((flow["symbol_parameters"] as? [String: [String: String]])?["XRP/USDT"]?["entry_imbalance"] == "0.15")
        // Without latency the same seed trades differently (at the maker fee the what-if below sets: market making's
        // resting orders pay it).
        let cheap = tmp("cheap.yaml")
        defer { try? FileManager.default.removeItem(atPath: cheap) }
        let yaml = try String(contentsOfFile: CommandLineTests.root + "/config.yaml", encoding: .utf8)
        #expect(yaml.contains("\n  maker_fee_rate: 0.0025 "))
        try yaml.replacingOccurrences(of: "\n  maker_fee_rate: 0.0025 ", with: "\n  maker_fee_rate: 0.001 ").write(toFile: cheap, atomically: true, encoding: .utf8)
        #expect(WSTester.runMain(common.map { $0 == CommandLineTests.root + "/config.yaml" ? cheap : $0 } + ["--summary-json", c]) == 0)
        let jc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: c))) as! [String: Any]
        #expect(jc["fills_sha256"] as? String != ja["fills_sha256"] as? String)
        // The replay's flags override the recorded latency and fees (a what-if): latency 0 replays the unlatent session.
        #expect(WSTester.runMain(["backtest", "--events", rec, "--latency-ms", "0", "--maker-fee-rate", "0.001", "--summary-json", b]) == 0)
        let jd = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: b))) as! [String: Any]
        #expect(jd["fills_sha256"] as? String == jc["fills_sha256"] as? String)
        #expect(try EventReplay(path: rec).version == 4)
    }
}
