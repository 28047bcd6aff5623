import Regime
import TradingCore
import Strategies

/// A configuration problem, naming the key and where it came from so the user knows what to fix. Exit code 1.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ m: String) { message = m }
    public var description: String { message }
}

/// Where a value came from (decision 35: default < file < environment < command line).
public enum ConfigSource: String, Sendable {
    case `default`, file, environment, cli
}

/// One value of one layer: a flat key (`execution.fee_rate`, `starting_assets.XRP`, `instruments.DOGE/USDT.lot_decimals`,
/// `strategy_overrides.sma_cross.fast`), its text, and where it was written (`config.yaml line 12`, `WS_TESTER_…`,
/// `--fee-rate`).
public struct ConfigEntry: Sendable, Equatable {
    public var key: String
    public var text: String
    public var source: ConfigSource
    public var origin: String
    public init(key: String, text: String, source: ConfigSource, origin: String) {
        self.key = key; self.text = text; self.source = source; self.origin = origin
    }
}

/// The effective configuration and the source of every value that is not a default.
public struct ResolvedConfig: Sendable {
    public var config: AppConfig
    /// Flat key → (source, origin).
    public var sources: [String: (source: ConfigSource, origin: String)]
}

/// Applies layers of entries through the schema. Every entry is validated by its setting (or family) whatever layer
/// it comes from, so a value refused in YAML is refused from the environment and the command line too.
public enum ConfigResolver {
    public static func resolve(_ layers: [[ConfigEntry]]) throws(ConfigError) -> ResolvedConfig {
        var c = AppConfig()
        for s in Schema.settings {
            // Defaults always parse (a test checks each one).
            if case .success(let v) = s.parse(s.defaultText) { s.apply(&c, v) }
        }
        var sources: [String: (source: ConfigSource, origin: String)] = [:]
        var instrumentParts: [Symbol: (price: Int?, lot: Int?)] = [:]
        for layer in layers {
            // An alias and its target in one source would say the same thing twice, maybe differently (decision 26).
            var setHere: [String: ConfigEntry] = [:]
            for e in layer {
                func fail(_ m: String) -> ConfigError { ConfigError("\(where_(e)): \(m)") }
                if let s = Schema.setting(e.key) {
                    switch s.parse(e.text) {
                    case .success(let v): s.apply(&c, v)
                    case .failure(let f): throw fail(f.message)
                    }
                    let target = s.aliasOf ?? s.key
                    if let other = setHere[target], other.key != e.key {
                        throw fail("\(other.key) is already set by \(where_(other)); \(s.aliasOf != nil ? e.key : other.key) is an alias of \(target): set one of them")
                    }
                    setHere[target] = e
                    if s.aliasOf != nil { sources[target] = (e.source, e.origin) }
                } else if e.key.hasPrefix("starting_assets.") {
                    let asset = String(e.key.dropFirst("starting_assets.".count))
                    guard isAssetCode(asset) else { throw fail("'\(clip(asset))' is not an asset code (capital letters and digits, at most 16)") }
                    switch Schema.startingAsset.parse(e.text) {
                    case .success(.decimal(let m)): c.startingAssets[asset] = Quantity(raw: m.raw)
                    case .failure(let f): throw fail(f.message)
                    default: break
                    }
                } else if e.key.hasPrefix("instruments.") {
                    let rest = e.key.dropFirst("instruments.".count)
                    guard let dot = rest.lastIndex(of: "."), let sym = Symbol(String(rest[..<dot])) else {
                        throw fail("expected instruments.<BASE/QUOTE>.price_decimals or .lot_decimals")
                    }
                    let field = String(rest[rest.index(after: dot)...])
                    guard field == "price_decimals" || field == "lot_decimals" else { throw fail("unknown key (an instrument has price_decimals and lot_decimals)") }
                    guard let n = Int(e.text.trimmingSpaces()), (0...18).contains(n) else { throw fail("must be an integer in 0…18, got '\(clip(e.text))'") }
                    var part = instrumentParts[sym] ?? (nil, nil)
                    if field == "price_decimals" { part.price = n } else { part.lot = n }
                    instrumentParts[sym] = part
                } else if e.key.hasPrefix("regime_detection.adjustments.") {
                    // The parameter router's table, cell by cell (regime.md §11.1).
                    let parts = e.key.split(separator: ".", omittingEmptySubsequences: false).dropFirst(2).map(String.init)
                    guard parts.count == 3 else { throw fail("expected regime_detection.adjustments.<strategy>.<REGIME>.<field>") }
                    let (name, regime, field) = (parts[0], parts[1], parts[2])
                    // A registered strategy, or a row of the reference's table (its strategies arrive with their issues).
                    guard StrategyRegistry.type(named: name) != nil || ParameterRouter.builtIn[name] != nil
                            || ParameterRouter.aliases.values.contains(name) else {
                        throw fail("unknown strategy '\(clip(name))' (available: \((StrategyRegistry.names + ParameterRouter.builtIn.keys).sorted().joined(separator: ", ")))")
                    }
                    do { _ = try ParameterRouter(overrides: [name: [regime: [field: e.text]]]) } catch { throw fail(error.description) }
                    c.routerOverrides[name, default: [:]][regime, default: [:]][field] = e.text.trimmingSpaces()
                } else if e.key.hasPrefix("strategy_overrides.") {
                    let rest = e.key.dropFirst("strategy_overrides.".count)
                    guard let dot = rest.firstIndex(of: ".") else { throw fail("expected strategy_overrides.<strategy>.<parameter>") }
                    let name = String(rest[..<dot]), param = String(rest[rest.index(after: dot)...])
                    guard let type = StrategyRegistry.type(named: name) else {
                        throw fail("unknown strategy '\(clip(name))' (available: \(StrategyRegistry.names.joined(separator: ", ")))")
                    }
                    // Decision 45: every strategy takes `regime_router` (the regime's parameter router, opt-in).
                    if param == "regime_router" {
                        switch e.text.trimmingSpaces().lowercased() {
                        case "true": c.regimeRouted.insert(name)
                        case "false": c.regimeRouted.remove(name)
                        default: throw fail("must be true or false, got '\(clip(e.text))'")
                        }
                        sources[e.key] = (e.source, e.origin)
                        continue
                    }
                    // Decision 45: `symbols.<SYMBOL>.<key>` is a per-symbol value of a parameter.
                    var key = param
                    var symbol: Symbol?
                    if param.hasPrefix("symbols.") {
                        let rest = param.dropFirst("symbols.".count)
                        guard let dot = rest.lastIndex(of: "."), let sym = Symbol(String(rest[..<dot])) else {
                            throw fail("expected strategy_overrides.\(name).symbols.<BASE/QUOTE>.<parameter>")
                        }
                        symbol = sym
                        key = String(rest[rest.index(after: dot)...])
                    } else if param == "symbols" {
                        throw fail("must be a mapping of symbols to parameters, e.g. symbols: {XRP/USDT: {\(type.parameters.first?.name ?? "key"): …}}")
                    }
                    guard let spec = type.parameters.first(where: { $0.name == key }) else {
                        throw fail("unknown parameter (known: \(type.parameters.map(\.name).joined(separator: ", ")))")
                    }
                    if case .failure(let f) = spec.parse(e.text) { throw fail(f.message) }
                    if symbol != nil, !spec.perSymbol {
                        let perPair = type.parameters.filter(\.perSymbol).map(\.name)
                        throw fail("not settable per pair (\(perPair.isEmpty ? "\(name) has no per-pair parameters" : "per-pair: " + perPair.joined(separator: ", ")))")
                    }
                    if let symbol {
                        c.symbolOverrides[name, default: [:]][symbol.text, default: [:]][key] = e.text.trimmingSpaces()
                    } else {
                        c.strategyOverrides[name, default: [:]][key] = e.text.trimmingSpaces()
                    }
                } else if Schema.sections.contains(where: { $0.name == e.key }) || ["starting_assets", "instruments", "strategy_overrides", "regime_detection.adjustments"].contains(e.key) {
                    throw fail("must be a mapping of settings")
                } else {
                    throw fail("unknown key" + (suggestion(e.key).map { "; did you mean '\($0)'?" } ?? ""))
                }
                sources[e.key] = (e.source, e.origin)
            }
        }
        let builtIn = InstrumentRegistry()
        for (sym, part) in instrumentParts.sorted(by: { $0.key < $1.key }) {
            guard let p = part.price ?? builtIn[sym]?.priceDecimals, let l = part.lot ?? builtIn[sym]?.lotDecimals else {
                throw ConfigError("config key 'instruments.\(sym)': needs price_decimals and lot_decimals")
            }
            c.instruments.removeAll { $0.symbol == sym }
            c.instruments.append(Instrument(symbol: sym, priceDecimals: p, lotDecimals: l))
        }
        // Cross-key rules the single settings cannot check.
        do { try c.regime.validate() } catch { throw ConfigError("config: \(error)") }
        return ResolvedConfig(config: c, sources: sources)
    }

    static func where_(_ e: ConfigEntry) -> String {
        switch e.source {
        case .cli: "\(e.origin)"
        case .environment: "environment \(e.origin)"
        default: "config key '\(e.key)' (\(e.origin))"
        }
    }

    static func isAssetCode(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 16 && s.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
    }

    /// The closest known key within two edits (typos).
    static func suggestion(_ key: String) -> String? {
        func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
            var prev = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var cur = [i + 1]
                for (j, y) in b.enumerated() { cur.append(min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (x == y ? 0 : 1))) }
                prev = cur
            }
            return prev[b.count]
        }
        guard key.utf8.count < 80 else { return nil }
        let k = Array(key.utf8)
        let best = Schema.settings.map { ($0.key, distance(k, Array($0.key.utf8))) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= 2 ? $0.0 : nil }
    }

    /// `WS_TESTER_*` variables as an environment layer. Unknown ones are errors (a typo must not be ignored), except
    /// names later capabilities own.
    public static func environmentLayer(_ env: [String: String]) throws(ConfigError) -> [ConfigEntry] {
        let byName = Dictionary(uniqueKeysWithValues: Schema.settings.map { ($0.environmentName, $0.key) })
        var out: [ConfigEntry] = []
        for (name, value) in env.sorted(by: { $0.key < $1.key }) where name.hasPrefix("WS_TESTER_") {
            if reservedEnvironment.contains(name) { continue }
            guard let key = byName[name] else {
                throw ConfigError("environment \(name): unknown setting (each key is WS_TESTER_ + the key in capitals with _ for dots, e.g. WS_TESTER_EXECUTION_FEE_RATE)")
            }
            out.append(ConfigEntry(key: key, text: value, source: .environment, origin: name))
        }
        return out
    }

    /// Environment names owned by other capabilities (the dashboard's API key).
    public static let reservedEnvironment: Set<String> = ["WS_TESTER_API_KEY"]
}

extension AppConfig {
    /// The schema's defaults (what a run without a file, environment or flags uses).
    public static var schemaDefaults: AppConfig {
        // Resolving no layers cannot fail.
        (try? ConfigResolver.resolve([]))!.config
    }
}
