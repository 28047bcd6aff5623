import Foundation
import Testing
import TradingCore
@testable import WSTesterCLI
@testable import AppConfiguration

@Suite struct ConfigLoaderTests {
    func load(_ yaml: String) throws -> AppConfig {
        try ConfigResolver.resolve([try ConfigFile.entries(yaml: yaml, origin: "t.yaml")]).config
    }

    func message(_ yaml: String) -> String? {
        do { _ = try load(yaml); return nil } catch let e as ConfigError { return e.message } catch { return "\(error)" }
    }

    @Test func shippedConfigLoads() throws {
        let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let text = try String(contentsOfFile: "/" + root + "/config.yaml", encoding: .utf8)
        let c = try load(text)
        // Kraken Pro's entry tier (decision 26).
        #expect(c.exchange.takerFeeRate == Rate("0.004")! && c.exchange.makerFeeRate == Rate("0.0025")!)
        #expect(c.exchange.latencyMs == 0)
        #expect(c.exchange.maxLongLeverage == Rate("1.5")!)
        #expect(c.startingAssets.isEmpty)
        #expect(c.seed == 42)
        #expect(c.strategyOverrides.isEmpty && c.enabledStrategies == nil)
        // The shipped file is generated from the schema: it must be exactly what `config defaults` prints.
        #expect(text == ConfigWriter.yaml(AppConfig.schemaDefaults), "config.yaml differs from the schema: run `ws-tester config defaults > config.yaml`")
    }

    @Test func valuesAreReadExactly() throws {
        let c = try load("""
        general: {starting_capital: 250.10, duration_minutes: 0, interval_ms: 250}
        execution: {fee_rate: 0.0026, fill_model: top_of_book}
        starting_assets: {XRP: 12.5}
        simulation: {seed: 7, speed: max}
        instruments:
          DOGE/USDT: {price_decimals: 7, lot_decimals: 8}
        """)
        #expect(c.exchange.startingCapital == Money("250.1")!)
        #expect(c.durationMinutes == 0 && c.intervalMs == 250)
        #expect(c.exchange.feeRate.description == "0.0026")
        #expect(c.exchange.fillModel == .topOfBook)
        #expect(c.startingAssets["XRP"] == Quantity("12.5")!)
        #expect(c.seed == 7 && c.speed == nil)
        #expect(c.instruments.first?.priceDecimals == 7)
    }

    @Test func errorsNameTheKeyAndLine() {
        #expect(message("general:\n  duraton_minutes: 5\n") == "config key 'general.duraton_minutes' (t.yaml line 2): unknown key; did you mean 'general.duration_minutes'?")
        #expect(message("execution:\n  fee_rate: abc\n")?.contains("'execution.fee_rate' (t.yaml line 2): must be a decimal number") == true)
        #expect(message("execution:\n  fee_rate: 1.5\n")?.contains("must be in [0, 1)") == true)
        #expect(message("general:\n  interval_ms: 0\n")?.contains("general.interval_ms") == true)
        #expect(message("strategy_overrides:\n  nope: {a: 1}\n")?.contains("strategy_overrides.nope") == true)
        #expect(message("strategy_overrides:\n  sma_cross: {fastt: 3}\n")?.contains("strategy_overrides.sma_cross.fastt") == true)
        #expect(message("strategy_overrides:\n  sma_cross: {fast: abc}\n")?.contains("expected an integer") == true)
        #expect(message("symbols: [XRPUSDT]\n")?.contains("not a BASE/QUOTE symbol") == true)
        #expect(message("data: {price_source: vwap}\n")?.contains("must be one of last_trade, mid") == true)
        #expect(message("general: [1, 2]\n")?.contains("must be a mapping") == true)
        #expect(message("a: b: c: :\n  - ]") != nil)
        #expect(message("strategies: {enabled: [sma_cross, nope]}\n")?.contains("unknown strategy 'nope'") == true)
        #expect(message("") == nil)
    }
}

@Suite struct SessionPlannerTests {
    /// Engine §8 scenario 27: precedence and symbol resolution.
    @Test func overridePrecedence() throws {
        var cfg = AppConfig()
        cfg.strategyOverrides["flow_momentum"] = ["position_size_usd": "25"]
        let syms = SessionPlanner.SymbolPlan(session: [Symbol("XRP/USDT")!], traded: [Symbol("XRP/USDT")!], dataOnly: [])
        let yaml = try SessionPlanner.strategySpecs(names: ["flow_momentum"], plan: syms, config: cfg, cliParams: [:])
        #expect(yaml[0].parameters["position_size_usd"] == "25.0")
        let cli = try SessionPlanner.strategySpecs(names: ["flow_momentum"], plan: syms, config: cfg,
                                                   cliParams: try SessionPlanner.parseParams(["flow_momentum.position_size_usd=30"], strategies: ["flow_momentum"]))
        #expect(cli[0].parameters["position_size_usd"] == "30.0")
        #expect(throws: ConfigError.self) {
            _ = try SessionPlanner.strategySpecs(names: ["flow_momentum"], plan: syms, config: cfg,
                                                 cliParams: ["flow_momentum": ["position_size_usd": "abc"]])
        }
        #expect(throws: ConfigError.self) { try SessionPlanner.parseParams(["nope.x=1"], strategies: ["sma_cross"]) }
        #expect(throws: ConfigError.self) { try SessionPlanner.parseParams(["fast=1"], strategies: ["sma_cross", "flow_momentum"]) }
        #expect(try SessionPlanner.parseParams(["fast=3"], strategies: ["sma_cross"]) == ["sma_cross": ["fast": "3"]])
    }

    /// Symbols as asked (hardening issue, item 3): the listed pairs are what every strategy trades; a quote's
    /// valuation pair is data only.
    @Test func symbolResolution() throws {
        var cfg = AppConfig()
        let btc = Symbol("BTC/USDT")!, xrp = Symbol("XRP/USDT")!, xrpbtc = Symbol("XRP/BTC")!
        let listed = try SessionPlanner.symbols(cli: " XRP/USDT, BTC/USDT ", config: cfg, strategies: ["sma_cross"])
        #expect(listed.session == [btc, xrp] && listed.traded == [btc, xrp])
        // In the strategy's own order (general.default_symbols for sma_cross: XRP/USDT, BTC/USDT), not by name.
        #expect(SessionPlanner.strategySymbols("sma_cross", plan: listed, config: cfg) == [xrp, btc])
        cfg.symbols = [xrp]
        #expect(try SessionPlanner.symbols(cli: nil, config: cfg, strategies: []).session == [xrp])
        cfg.symbols = []
        let own = try SessionPlanner.symbols(cli: nil, config: cfg, strategies: ["flow_momentum", "sma_cross"])
        #expect(own.session == [btc, xrp] && own.traded == nil)
        #expect(SessionPlanner.strategySymbols("sma_cross", plan: own, config: cfg) == [xrp])
        // --symbols XRP/BTC trades XRP/BTC; BTC/USDT comes along to value BTC, traded by nobody.
        let cross = try SessionPlanner.symbols(cli: "XRP/BTC", config: cfg, strategies: ["sma_cross"])
        #expect(cross.session == [btc, xrpbtc] && cross.dataOnly == [btc])
        #expect(SessionPlanner.strategySymbols("sma_cross", plan: cross, config: cfg) == [xrpbtc])
        #expect(throws: ConfigError.self) { try SessionPlanner.symbols(cli: "XRPBTC", config: cfg, strategies: []) }
    }
}

/// `profiles/reference.yaml` (resolution 35): the reference's values where the shipped defaults differ. The parity
/// checks: it loads through the one schema, and with it market making trades the reference's way (one market order
/// a tick, so every fill is a taker fill) and ratio trading's fee check refuses every entry (ratio_trading.md §16 #1).
@Suite struct ReferenceProfileTests {
    static let root = "/" + String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")

    @Test func theReferenceProfileLoadsAndRestoresTheReferenceBehaviour() throws {
        let text = try String(contentsOfFile: Self.root + "/profiles/reference.yaml", encoding: .utf8)
        let c = try ConfigResolver.resolve([try ConfigFile.entries(yaml: text, origin: "reference.yaml")]).config
        #expect(c.exchange.takerFeeRate == Rate("0.001")!)
        #expect(c.strategyOverrides["market_making"]?["mode"] == "legacy")
        #expect(c.strategyOverrides["ratio_trading"]?["use_fee_profitability_check"] == "true")
        #expect(c.strategyOverrides["wavetrend"]?["min_candle_buffer"] == "30" && c.strategyOverrides["wavetrend"]?["cooldown_seconds"] == "30")

        let out = NSTemporaryDirectory() + "wst-reference-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(WSTester.runMain(["--simulated", "--duration", "30", "--speed", "max", "--seed", "3", "--no-dashboard", "--log-level", "error",
                                  "--strategies", "market_making,ratio_trading", "--config", Self.root + "/profiles/reference.yaml",
                                  "--summary-json", out]) == 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        let strategies = Dictionary(uniqueKeysWithValues: (json["strategies"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
        let mm = try #require(strategies["market_making"]), rt = try #require(strategies["ratio_trading"])
        #expect(mm["fills_maker"] as? Int == 0)
        let rtReasons = try #require(rt["strategy_rejections"] as? [String: Int])
        #expect(rt["fills"] as? Int == 0 && rtReasons.keys.contains("fee_unprofitable"), "\(rtReasons)")
        #expect(!rtReasons.keys.contains("no_signal_conditions"))
    }
}
