import Yams
import TradingCore
import MarketData
import PaperExchange
import Strategies

/// A configuration problem, naming the key (and line) so the user knows what to fix. Exit code 1.
public struct ConfigError: Error, CustomStringConvertible {
    public let message: String
    public init(_ m: String) { message = m }
    public var description: String { message }
}

/// Reads `config.yaml` through Yams' node API: every key is checked against the schema; unknown keys,
/// wrong types and out-of-range values are errors that name the key and line.
enum ConfigLoader {
    static func load(yaml text: String, into config: inout AppConfig) throws {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw ConfigError("YAML syntax error: \(error)") }
        guard let root else { return } // empty file: defaults
        guard let map = root.mapping else { throw ConfigError("the configuration must be a mapping of sections") }
        for (k, v) in map {
            let key = try name(k)
            switch key {
            case "general": try section(v, key) { sub, node, path in try general(sub, node, path, &config) }
            case "symbols": config.symbols = try symbolList(v, key)
            case "starting_assets":
                config.startingAssets = [:]
                for (a, q) in try mapping(v, key) {
                    let asset = try name(a)
                    let amount = try decimal(q, "\(key).\(asset)") as Money
                    guard !amount.isNegative else { throw err(q, "\(key).\(asset)", "must be ≥ 0") }
                    config.startingAssets[asset] = Quantity(raw: amount.raw)
                }
            case "data": try section(v, key) { sub, node, path in try data(sub, node, path, &config) }
            case "simulation": try section(v, key) { sub, node, path in try simulation(sub, node, path, &config) }
            case "execution": try section(v, key) { sub, node, path in try execution(sub, node, path, &config) }
            case "dashboard":
                try section(v, key) { sub, node, path in
                    switch sub {
                    case "enabled": config.dashboardEnabled = try bool(node, path)
                    case "host": config.dashboardHost = try string(node, path)
                    case "port": config.dashboardPort = try int(node, path, 0...65535)
                    case "update_interval_seconds": _ = try double(node, path, 0.05...3600)
                    default: throw unknown(node, path)
                    }
                }
            case "logging":
                try section(v, key) { sub, node, path in
                    switch sub {
                    case "base_dir": config.logDir = try string(node, path)
                    case "level": config.logLevel = try oneOf(node, path, ["debug", "info", "warning", "error"])
                    case "buffer_size": _ = try int(node, path, 1...1_000_000)
                    case "enable_aggregated", "console_output", "compress": _ = try bool(node, path)
                    case "no_signal_sample_seconds": _ = try double(node, path, 0...3600)
                    default: throw unknown(node, path)
                    }
                }
            case "regime_detection":
                try section(v, key) { sub, node, path in
                    switch sub {
                    case "enabled": config.regimeEnabled = try bool(node, path)
                    default: throw unknown(node, path, hint: "only 'enabled' is read until the regime detector lands")
                    }
                }
            case "strategies":
                try section(v, key) { sub, node, path in
                    guard sub == "enabled" else { throw unknown(node, path) }
                    let names = try stringList(node, path)
                    for n in names where StrategyRegistry.type(named: n) == nil {
                        throw err(node, path, "unknown strategy '\(n)' (available: \(StrategyRegistry.names.joined(separator: ", ")))")
                    }
                    config.enabledStrategies = names
                }
            case "strategy_overrides":
                for (sn, sv) in try mapping(v, key) {
                    let sname = try name(sn)
                    guard let type = StrategyRegistry.type(named: sname) else {
                        throw err(sn, "\(key).\(sname)", "unknown strategy (available: \(StrategyRegistry.names.joined(separator: ", ")))")
                    }
                    var layer: [String: String] = [:]
                    for (pk, pv) in try mapping(sv, "\(key).\(sname)") {
                        let pname = try name(pk)
                        let path = "\(key).\(sname).\(pname)"
                        guard let spec = type.parameters.first(where: { $0.name == pname }) else {
                            throw err(pk, path, "unknown parameter (known: \(type.parameters.map(\.name).joined(separator: ", ")))")
                        }
                        let text = try scalarText(pv, path)
                        if case .failure(let f) = spec.parse(text) { throw err(pv, path, f.message) }
                        layer[pname] = text
                    }
                    config.strategyOverrides[sname] = layer
                }
            case "instruments":
                for (sn, sv) in try mapping(v, key) {
                    let path = "\(key).\(try name(sn))"
                    guard let sym = Symbol(try name(sn)) else { throw err(sn, path, "not a BASE/QUOTE symbol") }
                    var pd: Int?, ld: Int?
                    try section(sv, path) { sub, node, p in
                        switch sub {
                        case "price_decimals": pd = try int(node, p, 0...18)
                        case "lot_decimals": ld = try int(node, p, 0...18)
                        default: throw unknown(node, p)
                        }
                    }
                    guard let pd, let ld else { throw err(sv, path, "needs price_decimals and lot_decimals") }
                    config.instruments.append(Instrument(symbol: sym, priceDecimals: pd, lotDecimals: ld))
                }
            default:
                throw unknown(k, key)
            }
        }
    }

    // MARK: Sections

    static func general(_ sub: String, _ n: Node, _ path: String, _ c: inout AppConfig) throws {
        switch sub {
        case "duration_minutes": c.durationMinutes = try int(n, path, 0...10_000_000)
        case "interval_ms": c.intervalMs = Int64(try int(n, path, 1...3_600_000))
        case "starting_capital":
            let m: Money = try decimal(n, path)
            guard m.isPositive else { throw err(n, path, "must be > 0") }
            c.exchange.startingCapital = m
        case "default_symbols": c.defaultSymbols = try symbolList(n, path)
        case "close_positions_on_shutdown": c.closePositionsOnShutdown = try bool(n, path)
        case "status_interval_seconds": c.statusIntervalSeconds = try int(n, path, 1...86_400)
        case "max_strategy_errors": c.maxStrategyErrors = try int(n, path, 0...1_000_000)
        default: throw unknown(n, path)
        }
    }

    static func data(_ sub: String, _ n: Node, _ path: String, _ c: inout AppConfig) throws {
        switch sub {
        case "source": c.dataSource = try oneOf(n, path, ["kraken", "simulated"])
        case "ws_url": c.wsURL = try string(n, path)
        case "reconnect_delay", "max_reconnect_delay", "stale_after_s", "reconnect_jitter": _ = try double(n, path, 0...86_400)
        case "fallback_to_simulated": c.fallbackToSimulated = try bool(n, path)
        case "max_trades": c.market.maxTrades = try int(n, path, 1...10_000_000)
        case "max_candles_1m": c.market.maxCandles[.m1] = try int(n, path, 1...10_000_000)
        case "max_candles_5m": c.market.maxCandles[.m5] = try int(n, path, 1...10_000_000)
        case "max_candles_1h": c.market.maxCandles[.h1] = try int(n, path, 1...10_000_000); c.market.timeframes.insert(.h1)
        case "max_candles_1d": c.market.maxCandles[.d1] = try int(n, path, 1...10_000_000); c.market.timeframes.insert(.d1)
        case "book_depth": c.market.bookDepth = try int(n, path, 1...1000)
        case "price_source": c.market.priceSource = PriceSource(rawValue: try oneOf(n, path, PriceSource.allCases.map(\.rawValue)))!
        case "candle_close_grace_s": c.market.candleCloseGrace = .milliseconds(Int64(try double(n, path, 0...3600) * 1000))
        default: throw unknown(n, path)
        }
    }

    static func simulation(_ sub: String, _ n: Node, _ path: String, _ c: inout AppConfig) throws {
        switch sub {
        case "seed":
            guard let s = UInt64(try scalarText(n, path)) else { throw err(n, path, "must be a non-negative integer") }
            c.seed = s
        case "start_time":
            guard let t = Timestamp(iso8601: try string(n, path)) else { throw err(n, path, "must be ISO-8601 UTC like 2025-01-15T00:00:00Z") }
            c.simulationStart = t
        case "speed":
            let t = try scalarText(n, path)
            guard let s = parseSpeed(t) else { throw err(n, path, "must be 'max' or a number > 0") }
            c.speed = s.value
        default: throw unknown(n, path)
        }
    }

    static func execution(_ sub: String, _ n: Node, _ path: String, _ c: inout AppConfig) throws {
        switch sub {
        case "fee_rate": c.exchange.feeRate = try rate(n, path, min: "0", below: "1")
        case "slippage_rate": c.exchange.slippageRate = try rate(n, path, min: "0", below: "1")
        case "max_long_leverage": c.exchange.maxLongLeverage = try rate(n, path, min: "1", below: "100")
        case "max_short_leverage": c.exchange.maxShortLeverage = try rate(n, path, min: "1", below: "100")
        case "maintenance_margin_ratio":
            let r = try rate(n, path, min: "0", below: "1")
            guard r.isPositive else { throw err(n, path, "must be > 0") }
            c.exchange.maintenanceMarginRatio = r
        case "max_fills_history": c.exchange.maxFillsHistory = try int(n, path, 1...10_000_000)
        case "validate_protective_levels": c.exchange.validateProtectiveLevels = try bool(n, path)
        case "fill_model": c.exchange.fillModel = FillModel(rawValue: try oneOf(n, path, FillModel.allCases.map(\.rawValue)))!
        default: throw unknown(n, path)
        }
    }

    // MARK: Typed readers

    static func err(_ n: Node, _ path: String, _ m: String) -> ConfigError {
        let line = n.mark.map { " (line \($0.line))" } ?? ""
        return ConfigError("config key '\(path)'\(line): \(m)")
    }
    static func unknown(_ n: Node, _ path: String, hint: String? = nil) -> ConfigError {
        err(n, path, "unknown key" + (hint.map { "; \($0)" } ?? ""))
    }
    static func name(_ n: Node) throws -> String {
        guard let s = n.scalar?.string else { throw ConfigError("a configuration key must be a plain name") }
        return s
    }
    static func mapping(_ n: Node, _ path: String) throws -> [(Node, Node)] {
        if n.scalar?.string == "" || n.scalar?.string == "null" || n.scalar?.string == "~" { return [] }
        guard let m = n.mapping else { throw err(n, path, "must be a mapping") }
        return m.map { ($0.key, $0.value) }
    }
    static func section(_ n: Node, _ path: String, _ body: (String, Node, String) throws -> Void) throws {
        for (k, v) in try mapping(n, path) {
            let sub = try name(k)
            try body(sub, v, "\(path).\(sub)")
        }
    }
    static func scalarText(_ n: Node, _ path: String) throws -> String {
        guard let s = n.scalar?.string else { throw err(n, path, "must be a single value") }
        return s
    }
    static func string(_ n: Node, _ path: String) throws -> String { try scalarText(n, path) }
    static func int(_ n: Node, _ path: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let v = Int(try scalarText(n, path)) else { throw err(n, path, "must be an integer") }
        guard range.contains(v) else { throw err(n, path, "must be in \(range.lowerBound)…\(range.upperBound), got \(v)") }
        return v
    }
    static func double(_ n: Node, _ path: String, _ range: ClosedRange<Double>) throws -> Double {
        guard let v = Double(try scalarText(n, path)), v.isFinite else { throw err(n, path, "must be a number") }
        guard range.contains(v) else { throw err(n, path, "must be in \(range.lowerBound)…\(range.upperBound), got \(v)") }
        return v
    }
    static func bool(_ n: Node, _ path: String) throws -> Bool {
        switch try scalarText(n, path).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw err(n, path, "must be true or false")
        }
    }
    static func oneOf(_ n: Node, _ path: String, _ allowed: [String]) throws -> String {
        let s = try scalarText(n, path)
        guard allowed.contains(s) else { throw err(n, path, "must be one of \(allowed.joined(separator: ", ")), got '\(s)'") }
        return s
    }
    /// Money values are converted from the scalar's text, never through a binary float.
    static func decimal<U>(_ n: Node, _ path: String) throws -> FixedPoint<U> {
        guard let v = FixedPoint<U>(try scalarText(n, path)) else { throw err(n, path, "must be a decimal number") }
        return v
    }
    static func rate(_ n: Node, _ path: String, min: String, below: String) throws -> Rate {
        let r: Rate = try decimal(n, path)
        guard r >= Rate(min)!, r < Rate(below)! else { throw err(n, path, "must be in [\(min), \(below)), got \(r)") }
        return r
    }
    static func stringList(_ n: Node, _ path: String) throws -> [String] {
        if let s = n.sequence { return try s.map { try scalarText($0, path) } }
        let t = try scalarText(n, path)
        return t.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }
    static func symbolList(_ n: Node, _ path: String) throws -> [Symbol] {
        try stringList(n, path).map { s in
            guard let sym = Symbol(s) else { throw err(n, path, "'\(s)' is not a BASE/QUOTE symbol") }
            return sym
        }
    }
}

/// `max` → nil (as fast as possible); a positive number → that multiple of real time.
func parseSpeed(_ t: String) -> (value: Double?, ok: Bool)? {
    if t.lowercased() == "max" { return (nil, true) }
    guard let v = Double(t), v.isFinite, v > 0 else { return nil }
    return (v, true)
}
