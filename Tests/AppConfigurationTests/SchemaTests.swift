import Testing
import TradingCore
import MarketData
import PaperExchange
@testable import AppConfiguration

/// Resolution 38 and decision 35: one schema, one validation path, sources in order, and a round trip.
@Suite struct SchemaTests {
    func entries(_ yaml: String) throws(ConfigError) -> [ConfigEntry] { try ConfigFile.entries(yaml: yaml, origin: "t.yaml") }

    @Test func defaultsParseAndMatchTheLibraryDefaults() throws {
        for s in Schema.settings {
            guard case .success = s.parse(s.defaultText) else { Issue.record("default of \(s.key) does not parse"); continue }
        }
        let d = AppConfig.schemaDefaults
        // The kernel-side structs' own defaults agree with the schema (one declaration, checked).
        #expect(d.exchange == ExchangeConfig())
        #expect(d.market == MarketDataConfig())
        #expect(ConfigWriter.yaml(AppConfig()) == ConfigWriter.yaml(d))
        #expect(Set(Schema.settings.map(\.key)).count == Schema.settings.count)
        #expect(Set(Schema.settings.map(\.environmentName)).count == Schema.settings.count)
    }

    @Test func precedenceAndSources() throws {
        let file = try entries("execution: {fee_rate: 0.002, slippage_rate: 0.001}\ngeneral: {starting_capital: 50}\n")
        let env = try ConfigResolver.environmentLayer(["WS_TESTER_EXECUTION_FEE_RATE": "0.003", "HOME": "/root"])
        let cli = [ConfigEntry(key: "execution.fee_rate", text: "0.004", source: .cli, origin: "--fee-rate")]
        let all = try ConfigResolver.resolve([file, env, cli])
        #expect(all.config.exchange.feeRate == Rate("0.004")!)
        #expect(all.sources["execution.fee_rate"]?.source == .cli)
        #expect(all.config.exchange.slippageRate == Rate("0.001")! && all.sources["execution.slippage_rate"]?.origin == "t.yaml line 1")
        let noCLI = try ConfigResolver.resolve([file, env])
        #expect(noCLI.config.exchange.feeRate == Rate("0.003")! && noCLI.sources["execution.fee_rate"]?.origin == "WS_TESTER_EXECUTION_FEE_RATE")
        #expect(noCLI.sources["general.duration_minutes"] == nil)
        #expect(throws: ConfigError.self) { try ConfigResolver.environmentLayer(["WS_TESTER_EXECUTION_FEE_RAT": "1"]) }
        #expect(try ConfigResolver.environmentLayer(["WS_TESTER_API_KEY": "secret"]).isEmpty)
    }

    /// A value refused in YAML is refused from the environment and the command line, with the same reason.
    @Test func oneValidationPath() throws {
        let cases: [(String, String, String)] = [("execution.fee_rate", "1.5", "must be in [0, 1)"), ("general.starting_capital", "0", "must be in (0,"),
                                                 ("general.interval_ms", "0", "must be in 1…"), ("simulation.speed", "fast", "must be 'max'"),
                                                 ("general.starting_capital", "1e400", "must be a decimal number"), ("execution.max_long_leverage", "1e9", "[1, 100)"),
                                                 ("simulation.start_time", "9999-01-01T00:00:00Z", "outside 1970"), ("general.duration_minutes", "99999999999", "must be in 0…")]
        for (key, value, reason) in cases {
            let s = try #require(Schema.setting(key))
            let parts = key.split(separator: ".")
            let yaml = parts.count == 2 ? "\(parts[0]):\n  \(parts[1]): \"\(value)\"\n" : "\(key): \(value)\n"
            let layers: [[ConfigEntry]] = [try entries(yaml), try ConfigResolver.environmentLayer([s.environmentName: value]),
                                           [ConfigEntry(key: key, text: value, source: .cli, origin: "--flag")]]
            for layer in layers {
                do { _ = try ConfigResolver.resolve([layer]); Issue.record("\(key)=\(value) accepted from \(layer.first!.source)") }
                catch { #expect(error.message.contains(reason), "\(key) from \(layer.first!.source): \(error.message)") }
            }
        }
    }

    /// `config show` output used as a config file gives the same effective configuration.
    @Test func showRoundTrips() throws {
        let yaml = """
        general: {starting_capital: 250.10, duration_minutes: 0, interval_ms: 250, default_symbols: [ETH/USDT]}
        symbols: [XRP/BTC, BTC/USD]
        starting_assets: {XRP: 12.5, DOGE: 3}
        execution: {fee_rate: 0.0026, fill_model: top_of_book, max_short_leverage: 1.25}
        simulation: {seed: 18446744073709551615, speed: max, start_time: "2024-02-29 12:00:00"}
        data: {ws_url: "ws://127.0.0.1:9000/v2#x", candle_close_grace_s: 0.5, max_candles_1h: 77}
        dashboard: {host: "::1"}
        strategies: {enabled: [sma_cross]}
        strategy_overrides:
          sma_cross: {fast: 3, quantity: 0.5, timeframe: 5m}
        instruments:
          DOGE/USDT: {price_decimals: 7, lot_decimals: 8}
        logging: {buffer_size: 7}
        """
        let first = try ConfigResolver.resolve([try entries(yaml)])
        let shown = ConfigWriter.yaml(first.config, sources: first.sources)
        let second = try ConfigResolver.resolve([try entries(shown)])
        #expect(ConfigWriter.yaml(second.config) == ConfigWriter.yaml(first.config))
        #expect(second.config.exchange.startingCapital == Money("250.1")! && second.config.seed == UInt64.max && second.config.speed == nil)
        #expect(second.config.wsURL == "ws://127.0.0.1:9000/v2#x" && second.config.reserved["logging.buffer_size"] == "7")
        #expect(shown.contains("fee_rate: 0.0026  # source: file (t.yaml line 4)"))
        #expect(shown.contains("max_long_leverage: 1.5  # source: default"))
    }

    /// Hostile files are errors with a message, never a crash or a hang.
    @Test func hostileYAML() throws {
        func refused(_ yaml: String, _ contains: String) {
            do { _ = try ConfigResolver.resolve([try entries(yaml)]); Issue.record("accepted: \(yaml.prefix(40))") }
            catch { #expect(contains.isEmpty || error.message.contains(contains), "\(error.message)") }
        }
        refused(String(repeating: "[", count: 100_000), "nested deeper")
        refused((0..<300).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n"), "deeper")
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { bomb += "\(Character(UnicodeScalar(97 + i)!)): &\(Character(UnicodeScalar(97 + i)!)) [" + Array(repeating: "*\(Character(UnicodeScalar(96 + i)!))", count: 10).joined(separator: ", ") + "]\n" }
        refused(bomb, "")
        refused("general:\n  duration_minutes: 5\n  duration_minutes: 6\n", "duplicated key(s): 'duration_minutes'")
        refused("execution: {fee_rate: 0.1, fee_rate: 0.2}\n", "duplicated key(s): 'fee_rate'")
        refused(String(repeating: "# comment\n", count: 120_000), "larger than 1 MiB")
        refused("\u{0}\u{1}\u{2}\u{ff}garbage: [\n", "")
        refused("symbols: [{a: 1}]\n", "list of plain values")
        refused("general:\n\tduration_minutes: 5\n", "")
        refused("starting_assets: {xrp: 1}\n", "not an asset code")
        refused("starting_assets: {XRP: -1}\n", "must be in [0,")
        refused("instruments: {DOGE/USDT: {price_decimals: 7}}\n", "needs price_decimals and lot_decimals")
        refused("instruments: {DOGE/USDT: {price_decimals: 99, lot_decimals: 8}}\n", "0…18")
        refused("general: 5\n", "must be a mapping")
        refused("- a\n- b\n", "must be a mapping of sections")
        #expect(try ConfigResolver.resolve([try entries("")]).config.seed == 42)
        #expect(try ConfigResolver.resolve([try entries("starting_assets:\ninstruments:\n")]).config.startingAssets.isEmpty)
    }
}
