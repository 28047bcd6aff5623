import TradingCore
import MarketData
import PaperExchange
import Strategies
import Regime

/// The one configuration schema (resolution 38): every setting declared once with its key, type, range, default and
/// doc. The YAML loader, the environment, the command-line flags, the recording header and the shipped config.yaml
/// all go through it. Keys with a name inside them (`starting_assets.<ASSET>`, `instruments.<PAIR>.*`,
/// `strategy_overrides.<strategy>.<parameter>`) are the families below.
public enum Schema {
    public static var strategyNames: [String] { StrategyRegistry.names }

    /// Sections in the order of the generated file, with a comment each.
    public static let sections: [(name: String, doc: String)] = [
        ("general", "Session basics."),
        ("data", "Market data: feed, retention, candles."),
        ("history", "Stored market history (`ws-tester data …`): SQLite by default, PostgreSQL as the server."),
        ("simulation", "The seeded simulator (--simulated)."),
        ("execution", "The paper exchange (engine §2)."),
        ("dashboard", "Web dashboard (arrives with its own issue; keys are validated now)."),
        ("logging", "Console and log files."),
        ("regime_detection", "Market-regime detector."),
        ("strategies", "Which strategies run."),
    ]

    static func dec(_ m: Money) -> String { m.description }
    static func rate(_ r: Rate) -> String { r.description }
    static func list(_ s: [Symbol]) -> String { "[" + s.map(\.text).joined(separator: ", ") + "]" }
    static func num(_ d: Double) -> String { "\(d)" }
    static func ratePoint(_ v: SettingValue) -> Rate { if case .decimal(let m) = v { return Rate(raw: m.raw) }; return .zero }
    static func int(_ v: SettingValue) -> Int { if case .int(let i) = v { return i }; return 0 }
    static func double(_ v: SettingValue) -> Double { if case .double(let d) = v { return d }; return 0 }
    static func bool(_ v: SettingValue) -> Bool { if case .bool(let b) = v { return b }; return false }
    static func string(_ v: SettingValue) -> String { if case .string(let s) = v { return s }; return "" }
    static func symbols(_ v: SettingValue) -> [Symbol] { if case .symbols(let s) = v { return s }; return [] }

    /// A live-feed duration in seconds.
    static func live(_ key: String, _ range: ClosedRange<Double>, _ def: String, _ doc: String, _ path: WritableKeyPath<LiveFeedSettings, Double> & Sendable) -> Setting {
        Setting(key, .double(range), def, doc, apply: { c, v in c.live[keyPath: path] = double(v) }, read: { num($0.live[keyPath: path]) })
    }

    /// Reserved keys (a later capability reads them) keep their text here.
    static func reserved(_ key: String, _ type: SettingType, _ def: String, _ doc: String) -> Setting {
        Setting(key, type, def, doc, reserved: true, apply: { c, v in c.reserved[key] = text(v) }, read: { $0.reserved[key] ?? def })
    }

    static func text(_ v: SettingValue) -> String {
        switch v {
        case .int(let i): "\(i)"
        case .decimal(let m): m.description
        case .double(let d): "\(d)"
        case .bool(let b): "\(b)"
        case .string(let s): s
        case .symbols(let s): list(s)
        case .strings(let s): "[" + s.joined(separator: ", ") + "]"
        case .seed(let s): "\(s)"
        case .timestamp(let t): t.iso8601
        case .speed(let s): s.map { "\($0)" } ?? "max"
        }
    }

    public static let settings: [Setting] = [
        // general
        Setting("general.duration_minutes", .int(0...10_000_000), "60", "engine-clock minutes; 0 = run until Ctrl+C", flags: ["--duration"],
                apply: { c, v in c.durationMinutes = int(v) }, read: { "\($0.durationMinutes)" }),
        Setting("general.interval_ms", .int(1...3_600_000), "100", "decision tick: strategies are evaluated every interval (also the simulator step)", flags: ["--interval"],
                apply: { c, v in c.intervalMs = Int64(int(v)) }, read: { "\($0.intervalMs)" }),
        Setting("general.starting_capital", .decimal(min: "0", max: "1000000000000", minInclusive: false, maxInclusive: true), "100",
                "cash per strategy in the account currency (each strategy has its own isolated portfolio)", flags: ["--capital"],
                apply: { c, v in if case .decimal(let m) = v { c.exchange.startingCapital = m } }, read: { dec($0.exchange.startingCapital) }),
        Setting("general.default_symbols", .symbols, "[XRP/USDT, BTC/USDT, XRP/BTC]", "last resort when neither --symbols, symbols nor the strategies name any",
                apply: { c, v in c.defaultSymbols = symbols(v) }, read: { list($0.defaultSymbols) }),
        Setting("general.close_positions_on_shutdown", .bool, "false", "true: close every open position at the end (fills with trigger shutdown)",
                apply: { c, v in c.closePositionsOnShutdown = bool(v) }, read: { "\($0.closePositionsOnShutdown)" }),
        Setting("general.status_interval_seconds", .int(1...86_400), "30", "status block cadence (engine clock) in real-time sessions",
                apply: { c, v in c.statusIntervalSeconds = int(v) }, read: { "\($0.statusIntervalSeconds)" }),
        Setting("general.max_strategy_errors", .int(0...1_000_000), "10", "a strategy that throws this many times is paused; 0 = never pause",
                apply: { c, v in c.maxStrategyErrors = int(v) }, read: { "\($0.maxStrategyErrors)" }),
        // top level
        Setting("symbols", .symbols, "[]", "the pairs strategies trade; empty = each strategy's own pairs (a quote's USD pair joins as data only)",
                flags: ["--symbols"], apply: { c, v in c.symbols = symbols(v) }, read: { list($0.symbols) }),
        // data
        Setting("data.source", .choice(["kraken", "simulated"]), "kraken", "where market data comes from", flags: ["--simulated"],
                apply: { c, v in c.dataSource = string(v) }, read: { $0.dataSource }),
        Setting("data.ws_url", .string, "wss://ws.kraken.com/v2", "Kraken WebSocket v2 endpoint (ws:// or wss://)", flags: ["--ws-url"],
                apply: { c, v in c.wsURL = string(v) }, read: { $0.wsURL }),
        live("data.reconnect_delay", 0...86_400, "1.0", "seconds, reconnect back-off base (doubles after each unhealthy attempt)", \.reconnectDelay),
        live("data.max_reconnect_delay", 0...86_400, "60.0", "seconds, reconnect back-off cap", \.maxReconnectDelay),
        live("data.reconnect_jitter", 0...1, "0.2", "each back-off is shortened by up to this fraction, at random", \.reconnectJitter),
        live("data.stable_connection_s", 0...86_400, "60.0", "a connection up this long that delivered data was healthy: its loss reconnects at once", \.stableConnection),
        Setting("data.max_connects_per_10min", .int(1...150), "100", "connection attempts in any rolling 10 minutes (Kraken bans an IP at about 150)",
                apply: { c, v in c.live.maxConnectsPer10Min = int(v) }, read: { "\($0.live.maxConnectsPer10Min)" }),
        live("data.maintenance_min_delay_s", 0...3600, "5.0", "least wait after a clean close, a non-online status or a connection shorter than stable_connection_s", \.maintenanceMinDelay),
        live("data.idle_ping_after_s", 0.1...3600, "5.0", "send an application ping after this much silence", \.idlePingAfter),
        live("data.liveness_timeout_s", 0.1...3600, "15.0", "close and reconnect after this much silence", \.livenessTimeout),
        live("data.keepalive_ping_s", 0.1...3600, "30.0", "application ping at least this often", \.keepalivePing),
        live("data.channel_silence_s", 1...86_400, "60.0", "a book silent this long while the connection lives is resubscribed", \.channelSilence),
        live("data.ack_timeout_s", 0.1...3600, "10.0", "a subscription without an ack is sent again once after this, then reported", \.ackTimeout),
        live("data.connect_timeout_s", 0.1...3600, "15.0", "live start-up: connection and subscription acks within this, else exit 2 (or the fallback)", \.connectTimeout),
        live("data.max_lag_s", 0.1...3600, "5.0", "a book whose updates arrive this much later than the fastest seen is resynced", \.maxLag),
        Setting("data.buffer_events", .int(16...10_000_000), "10000", "events queued between the feed and the kernel; when full the socket is not read (TCP pushes back)",
                apply: { c, v in c.live.bufferEvents = int(v) }, read: { "\($0.live.bufferEvents)" }),
        Setting("data.fallback_to_simulated", .bool, "false", "live start-up failure: exit 2 (false) or run simulated, loudly (true)",
                apply: { c, v in c.fallbackToSimulated = bool(v) }, read: { "\($0.fallbackToSimulated)" }),
        Setting("data.stale_after_s", .double(0...86_400), "10.0", "a pair without market data for this long (engine clock) cannot trade cannot trade (market_unavailable); 0 = never stale",
                apply: { c, v in let d = double(v); c.market.staleAfter = d > 0 ? .milliseconds(Int64((d * 1000).rounded())) : nil },
                read: { $0.market.staleAfter.map { num(Double($0.nanoseconds) / 1e9) } ?? "0.0" }),
        Setting("data.max_trades", .int(1...10_000_000), "100", "trade tape per symbol (raised automatically to what strategies declare)",
                apply: { c, v in c.market.maxTrades = int(v) }, read: { "\($0.market.maxTrades)" }),
        Setting("data.max_candles_1m", .int(1...10_000_000), "1440", "closed 1-minute candles kept (raised to the largest declared warm-up)",
                apply: { c, v in c.market.maxCandles[.m1] = int(v) }, read: { "\($0.market.capacity(.m1))" }),
        Setting("data.max_candles_5m", .int(1...10_000_000), "288", "closed 5-minute candles kept",
                apply: { c, v in c.market.maxCandles[.m5] = int(v) }, read: { "\($0.market.capacity(.m5))" }),
        Setting("data.max_candles_1h", .int(1...10_000_000), "500", "closed 1-hour candles kept (when a strategy reads them)",
                apply: { c, v in c.market.maxCandles[.h1] = int(v) }, read: { "\($0.market.capacity(.h1))" }),
        Setting("data.max_candles_1d", .int(1...10_000_000), "365", "closed daily candles kept (when a strategy reads them)",
                apply: { c, v in c.market.maxCandles[.d1] = int(v) }, read: { "\($0.market.capacity(.d1))" }),
        Setting("data.book_depth", .int(1...1000), "10", "book levels kept per side",
                apply: { c, v in c.market.bookDepth = int(v) }, read: { "\($0.market.bookDepth)" }),
        Setting("data.price_source", .choice(PriceSource.allCases.map(\.rawValue)), "last_trade", "which price stops, marks and equity use",
                apply: { c, v in c.market.priceSource = PriceSource(rawValue: string(v))! }, read: { $0.market.priceSource.rawValue }),
        Setting("data.candle_close_grace_s", .double(0...3600), "2.0", "a candle closes on the engine clock at bucket end + grace",
                apply: { c, v in c.market.candleCloseGrace = .milliseconds(Int64((double(v) * 1000).rounded())) },
                read: { num(Double($0.market.candleCloseGrace.nanoseconds) / 1e9) }),
        // history
        Setting("history.database_url", .string, "", "postgres://user[:password]@host[:port]/db, or sqlite:///path; empty = the SQLite file below (DATABASE_URL also sets it)",
                flags: ["--database-url"], apply: { c, v in c.history.databaseURL = string(v) }, read: { $0.history.databaseURL }),
        Setting("history.sqlite_path", .string, "data/history.sqlite", "the embedded store, created on first use",
                apply: { c, v in c.history.sqlitePath = string(v) }, read: { $0.history.sqlitePath }),
        Setting("history.timescale", .choice(["auto", "on", "off"]), "auto",
                "PostgreSQL only: TimescaleDB hypertables when the server can load the extension (auto), required (on), or never (off); fixed when the schema is made",
                apply: { c, v in c.history.timescale = string(v) }, read: { $0.history.timescale }),
        Setting("history.min_gap_minutes", .int(0...10_080), "2", "a tail gap counts once the last stored minute is older than this",
                apply: { c, v in c.history.minGapMinutes = int(v) }, read: { "\($0.history.minGapMinutes)" }),
        Setting("history.initial_backfill_days", .int(1...3650), "30", "the gap reported for a symbol with no data",
                apply: { c, v in c.history.initialBackfillDays = int(v) }, read: { "\($0.history.initialBackfillDays)" }),
        // simulation
        Setting("simulation.seed", .seed, "42", "same seed + same config = same fills, bit for bit", flags: ["--seed"],
                apply: { c, v in if case .seed(let s) = v { c.seed = s } }, read: { "\($0.seed)" }),
        Setting("simulation.start_time", .timestamp, "2025-01-15T00:00:00.000000Z", "engine-clock start of a simulated session",
                apply: { c, v in if case .timestamp(let t) = v { c.simulationStart = t } }, read: { $0.simulationStart.iso8601 }),
        Setting("simulation.speed", .speed, "1.0", "multiple of real time, or max", flags: ["--speed"],
                apply: { c, v in if case .speed(let s) = v { c.speed = s } }, read: { $0.speed.map { "\($0)" } ?? "max" }),
        // execution
        // Kraken Pro's entry tier (decision 26; docs/orders.md cites the schedule and its date).
        Setting("execution.maker_fee_rate", .decimal(min: "0", max: "1", minInclusive: true, maxInclusive: false), "0.0025",
                "fee of a resting order's fills (also when the book moves through it), fraction of notional",
                apply: { c, v in c.exchange.makerFeeRate = ratePoint(v) }, read: { rate($0.exchange.makerFeeRate) }),
        Setting("execution.taker_fee_rate", .decimal(min: "0", max: "1", minInclusive: true, maxInclusive: false), "0.004",
                "fee of market orders and of the part of a limit order that crosses on arrival, fraction of notional",
                flags: ["--fee-rate"], apply: { c, v in c.exchange.takerFeeRate = ratePoint(v) }, read: { rate($0.exchange.takerFeeRate) }),
        Setting("execution.fee_rate", .decimal(min: "0", max: "1", minInclusive: true, maxInclusive: false), "0.004",
                "the reference's one fee: the taker rate under its old name", flags: ["--fee-rate"], aliasOf: "execution.taker_fee_rate",
                apply: { c, v in c.exchange.takerFeeRate = ratePoint(v) }, read: { rate($0.exchange.takerFeeRate) }),
        Setting("execution.latency_ms", .int(0...600_000), "0",
                "an order decided at t reaches the matching engine at t + this, against the market of that moment (0 = at once; bar backtests time orders by bars)",
                apply: { c, v in c.exchange.latencyMs = int(v) }, read: { "\($0.exchange.latencyMs)" }),
        Setting("execution.slippage_rate", .decimal(min: "0", max: "1", minInclusive: true, maxInclusive: false), "0.0005",
                "top_of_book: whole order; book_walk: only beyond the visible depth", flags: ["--slippage-rate"],
                apply: { c, v in c.exchange.slippageRate = ratePoint(v) }, read: { rate($0.exchange.slippageRate) }),
        Setting("execution.max_long_leverage", .decimal(min: "1", max: "100", minInclusive: true, maxInclusive: false), "1.5",
                "cumulative: total long exposure ≤ equity × this", apply: { c, v in c.exchange.maxLongLeverage = ratePoint(v) }, read: { rate($0.exchange.maxLongLeverage) }),
        Setting("execution.max_short_leverage", .decimal(min: "1", max: "100", minInclusive: true, maxInclusive: false), "2",
                "cumulative: total short exposure ≤ equity × this", apply: { c, v in c.exchange.maxShortLeverage = ratePoint(v) }, read: { rate($0.exchange.maxShortLeverage) }),
        Setting("execution.maintenance_margin_ratio", .decimal(min: "0", max: "1", minInclusive: false, maxInclusive: false), "0.25",
                "margin call when equity < ratio × gross exposure", apply: { c, v in c.exchange.maintenanceMarginRatio = ratePoint(v) },
                read: { rate($0.exchange.maintenanceMarginRatio) }),
        Setting("execution.max_fills_history", .int(1...10_000_000), "1000", "fills kept per strategy for display (metrics never depend on it)",
                apply: { c, v in c.exchange.maxFillsHistory = int(v) }, read: { "\($0.exchange.maxFillsHistory)" }),
        Setting("execution.validate_protective_levels", .bool, "true", "reject stops and targets on the wrong side of the price",
                apply: { c, v in c.exchange.validateProtectiveLevels = bool(v) }, read: { "\($0.exchange.validateProtectiveLevels)" }),
        Setting("execution.fill_model", .choice(FillModel.allCases.map(\.rawValue)), "book_walk", "how market orders are priced (top_of_book = reference parity)",
                apply: { c, v in c.exchange.fillModel = FillModel(rawValue: string(v))! }, read: { $0.exchange.fillModel.rawValue }),
        // dashboard
        Setting("dashboard.enabled", .bool, "true", "serve the dashboard (--no-dashboard turns it off)", flags: ["--no-dashboard"],
                apply: { c, v in c.dashboardEnabled = bool(v) }, read: { "\($0.dashboardEnabled)" }),
        Setting("dashboard.host", .string, "127.0.0.1", "address to listen on", apply: { c, v in c.dashboardHost = string(v) }, read: { $0.dashboardHost }),
        Setting("dashboard.port", .int(0...65535), "8787", "port; 0 = any free port", flags: ["--dashboard-port"],
                apply: { c, v in c.dashboardPort = int(v) }, read: { "\($0.dashboardPort)" }),
        reserved("dashboard.update_interval_seconds", .double(0.05...3600), "1.0", "how often the dashboard is refreshed"),
        // logging
        Setting("logging.base_dir", .string, "logs", "log directory", apply: { c, v in c.logDir = string(v) }, read: { $0.logDir }),
        Setting("logging.level", .choice(["debug", "info", "warning", "error"]), "info", "console verbosity", flags: ["--log-level"],
                apply: { c, v in c.logLevel = string(v) }, read: { $0.logLevel }),
        reserved("logging.buffer_size", .int(1...1_000_000), "100", "log lines buffered before a write"),
        reserved("logging.enable_aggregated", .bool, "true", "write the aggregated stream"),
        reserved("logging.console_output", .bool, "true", "mirror log lines on the console"),
        reserved("logging.compress", .bool, "true", "compress rotated logs"),
        reserved("logging.no_signal_sample_seconds", .double(0...3600), "1.0", "sampling of no-signal log lines"),
        // regime detection
        Setting("regime_detection.enabled", .bool, "true", "run the market-regime detector (only when a strategy, the dashboard or the logs read it)",
                apply: { c, v in c.regime.enabled = bool(v) }, read: { "\($0.regime.enabled)" }),
        regimeWeight("adx", \.adx, "0.25"), regimeWeight("chop", \.chop, "0.2"), regimeWeight("ma", \.ma, "0.2"),
        regimeWeight("rsi", \.rsi, "0.15"), regimeWeight("volume", \.volume, "0.1"), regimeWeight("sentiment", \.sentiment, "0.1"),
        regimeThreshold("strong_bull", \.strongBull, "0.4"), regimeThreshold("bull", \.bull, "0.15"),
        regimeThreshold("bear", \.bear, "-0.15"), regimeThreshold("strong_bear", \.strongBear, "-0.4"),
        Setting("regime_detection.smoothing_period", .int(1...20), "3", "closed 1m bars averaged into the smoothed score",
                apply: { c, v in c.regime.smoothingPeriod = int(v) }, read: { "\($0.regime.smoothingPeriod)" }),
        Setting("regime_detection.min_regime_duration", .double(0...86_400), "60.0", "seconds a regime lasts before a change is considered",
                apply: { c, v in c.regime.minRegimeDuration = double(v) }, read: { num($0.regime.minRegimeDuration) }),
        Setting("regime_detection.confirmation_bars", .int(1...1000), "3", "consecutive closed bars of the same new regime needed to switch",
                apply: { c, v in c.regime.confirmationBars = int(v) }, read: { "\($0.regime.confirmationBars)" }),
        Setting("regime_detection.scoring_mode", .choice(RegimeConfig.ScoringMode.allCases.map(\.rawValue)), "reference",
                "reference = the plain weighted sum; symmetric = choppiness and volume only confirm the direction",
                apply: { c, v in c.regime.scoringMode = RegimeConfig.ScoringMode(rawValue: string(v))! }, read: { $0.regime.scoringMode.rawValue }),
        regimeMTFWeight("4h", "5.0"), regimeMTFWeight("1h", "4.0"), regimeMTFWeight("15m", "3.0"), regimeMTFWeight("5m", "2.0"), regimeMTFWeight("1m", "1.0"),
        Setting("regime_detection.mtf_source", .choice(RegimeConfig.MTFSource.allCases.map(\.rawValue)), "pseudo",
                "15m/1h readings from the last 15/60 one-minute closes (pseudo) or the engine's real 15m/1h/4h candles (candles)",
                apply: { c, v in c.regime.mtfSource = RegimeConfig.MTFSource(rawValue: string(v))! }, read: { $0.regime.mtfSource.rawValue }),
        Setting("regime_detection.external_enabled", .bool, "true", "use Fear & Greed and BTC dominance (fetched in live sessions only; simulated sessions see unknown)",
                apply: { c, v in c.regime.externalEnabled = bool(v) }, read: { "\($0.regime.externalEnabled)" }),
        Setting("regime_detection.external.cache_ttl_s", .double(1...86_400), "300.0", "seconds a fetched external value is reused",
                apply: { c, v in c.external.cacheTTLSeconds = double(v) }, read: { num($0.external.cacheTTLSeconds) }),
        Setting("regime_detection.external.fear_greed_url", .string, "https://api.alternative.me/fng/", "Fear & Greed endpoint",
                apply: { c, v in c.external.fearGreedURL = string(v) }, read: { $0.external.fearGreedURL }),
        Setting("regime_detection.external.btc_dominance_url", .string, "https://api.coingecko.com/api/v3/global", "CoinGecko global endpoint (BTC dominance)",
                apply: { c, v in c.external.btcDominanceURL = string(v) }, read: { $0.external.btcDominanceURL }),
        Setting("regime_detection.external.timeout_s", .double(0.1...120), "10.0", "deadline per request (connect to last byte), each source on its own",
                apply: { c, v in c.external.timeoutSeconds = double(v) }, read: { num($0.external.timeoutSeconds) }),
        Setting("regime_detection.external.coingecko_api_key", .string, "", "optional CoinGecko demo API key (sent as x-cg-demo-api-key)",
                apply: { c, v in c.external.coingeckoAPIKey = string(v) }, read: { $0.external.coingeckoAPIKey }),
        // strategies
        Setting("strategies.enabled", .strategies, "[]", "strategies that run; empty = every registered strategy (decision 31)",
                flags: ["--strategies"], apply: { c, v in if case .strings(let s) = v { c.enabledStrategies = s.isEmpty ? nil : s } },
                read: { "[" + ($0.enabledStrategies ?? []).joined(separator: ", ") + "]" }),
    ]

    static func regimeWeight(_ name: String, _ kp: WritableKeyPath<RegimeConfig.Weights, Double> & Sendable, _ def: String) -> Setting {
        Setting("regime_detection.weights.\(name)", .double(0...10), def, "weight of the \(name) score in the composite (weights are not normalised)",
                apply: { c, v in c.regime.weights[keyPath: kp] = double(v) }, read: { num($0.regime.weights[keyPath: kp]) })
    }

    static func regimeThreshold(_ name: String, _ kp: WritableKeyPath<RegimeConfig.Thresholds, Double> & Sendable, _ def: String) -> Setting {
        Setting("regime_detection.thresholds.\(name)", .double(-1...1), def, "composite score bound (strong_bear < bear < bull < strong_bull)",
                apply: { c, v in c.regime.thresholds[keyPath: kp] = double(v) }, read: { num($0.regime.thresholds[keyPath: kp]) })
    }

    static func regimeMTFWeight(_ tf: String, _ def: String) -> Setting {
        Setting("regime_detection.mtf_weights.\(tf)", .double(0...100), def, "weight of the \(tf) reading in the multi-timeframe check",
                apply: { c, v in c.regime.mtfWeights[tf] = double(v) }, read: { num($0.regime.mtfWeights[tf] ?? 1) })
    }

    static let byKey: [String: Setting] = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0) })

    public static func setting(_ key: String) -> Setting? { byKey[key] }

    /// Validates one value by key (recording headers use this).
    public static func parse(_ key: String, _ text: String) -> Result<SettingValue, SettingError> {
        guard let s = byKey[key] else { return .failure(SettingError(message: "unknown key")) }
        return s.parse(text)
    }

    /// The `starting_assets.<ASSET>` family: one amount per asset, checked like any setting.
    static let startingAsset = Setting("starting_assets.*", .decimal(min: "0", max: "1000000000000", minInclusive: true, maxInclusive: true), "0",
                                       "units of an asset every portfolio starts with besides cash", apply: { _, _ in }, read: { _ in "" })
}
