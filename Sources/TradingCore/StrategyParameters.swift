/// A typed parameter value.
public enum ParameterValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case decimal(Money)
    case bool(Bool)
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): "\(v)"
        case .double(let v): "\(v)"
        case .decimal(let v): v.description
        case .bool(let v): "\(v)"
        case .string(let v): v
        }
    }
}

/// Declares one configurable parameter: its type, default, bounds and meaning.
public struct ParameterSpec: Sendable {
    /// `timeframe` holds `auto` (the bars' timeframe in a bar backtest, 1m otherwise) or a timeframe name.
    public enum Kind: Sendable { case int, double, decimal, bool, string, timeframe }
    public let name: String
    public let kind: Kind
    public let defaultValue: ParameterValue
    public let minimum: Double?
    public let maximum: Double?
    public let help: String
    /// Whether `strategy_overrides.<name>.symbols.<SYM>.<key>` may set it: the strategy reads it per pair. Per-pair
    /// values of other parameters are refused, so none is ever silently ignored.
    public private(set) var perSymbol = false

    /// This parameter, settable per pair.
    public func perPair() -> ParameterSpec {
        var c = self
        c.perSymbol = true
        return c
    }

    /// The bound of a number whose spec declares no range on that side.
    public static let defaultLimit = 1e12

    public static func int(_ name: String, _ def: Int, min: Int? = nil, max: Int? = nil, _ help: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .int, defaultValue: .int(def), minimum: min.map(Double.init), maximum: max.map(Double.init), help: help)
    }
    public static func double(_ name: String, _ def: Double, min: Double? = nil, max: Double? = nil, _ help: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .double, defaultValue: .double(def), minimum: min, maximum: max, help: help)
    }
    public static func decimal(_ name: String, _ def: String, min: Double? = nil, max: Double? = nil, _ help: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .decimal, defaultValue: .decimal(Money(def)!), minimum: min, maximum: max, help: help)
    }
    public static func bool(_ name: String, _ def: Bool, _ help: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .bool, defaultValue: .bool(def), minimum: nil, maximum: nil, help: help)
    }
    public static func string(_ name: String, _ def: String, _ help: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .string, defaultValue: .string(def), minimum: nil, maximum: nil, help: help)
    }

    public static func timeframe(_ name: String, _ def: String = "auto", _ help: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .timeframe, defaultValue: .string(def), minimum: nil, maximum: nil, help: help)
    }

    /// Parses text (a YAML scalar or a `--param` value) into this parameter's type, checking bounds.
    public func parse(_ text: String) -> Result<ParameterValue, ParameterParseError> {
        let t = text.trimmingSpaces()
        let value: ParameterValue
        switch kind {
        case .int:
            guard let v = Int(t) else { return .failure(ParameterParseError(message: "expected an integer, got '\(t)'")) }
            value = .int(v)
        case .double:
            guard let v = Double(t), v.isFinite else { return .failure(ParameterParseError(message: "expected a number, got '\(t)'")) }
            value = .double(v)
        case .decimal:
            guard let v = Money(t) else { return .failure(ParameterParseError(message: "expected a decimal number, got '\(t)'")) }
            value = .decimal(v)
        case .bool:
            switch t.lowercased() {
            case "true", "yes", "on", "1": value = .bool(true)
            case "false", "no", "off", "0": value = .bool(false)
            default: return .failure(ParameterParseError(message: "expected true or false, got '\(t)'"))
            }
        case .string:
            value = .string(t)
        case .timeframe:
            guard t == "auto" || Timeframe(text: t) != nil else {
                return .failure(ParameterParseError(message: "expected auto or one of \(Timeframe.allCases.map(\.description).joined(separator: " ")), got '\(t)'"))
            }
            value = .string(t)
        }
        let numeric: Double? = switch value {
        case .int(let v): Double(v)
        case .double(let v): v
        case .decimal(let v): v.doubleValue
        default: nil
        }
        if let n = numeric {
            // Without a declared range a number is still kept far from any overflow (durations, sizes).
            if minimum == nil || maximum == nil, abs(n) > ParameterSpec.defaultLimit {
                return .failure(ParameterParseError(message: "must be within ±\(Int64(ParameterSpec.defaultLimit)), got \(t)"))
            }
            if let lo = minimum, n < lo { return .failure(ParameterParseError(message: "must be ≥ \(lo), got \(t)")) }
            if let hi = maximum, n > hi { return .failure(ParameterParseError(message: "must be ≤ \(hi), got \(t)")) }
        }
        return .success(value)
    }
}

public struct ParameterParseError: Error, Equatable {
    public let message: String
}

public struct ParameterError: Error, Equatable, CustomStringConvertible {
    public let strategy: String
    public let key: String
    public let message: String
    public init(strategy: String, key: String, message: String) { self.strategy = strategy; self.key = key; self.message = message }
    public var description: String { "strategy '\(strategy)', parameter '\(key)': \(message)" }
}

/// A strategy's effective configuration: defaults, then YAML `strategy_overrides`, then `--param`; per symbol, the user's
/// per-symbol value, else the strategy's built-in per-symbol value, else the global one (resolution 32).
public struct StrategyParameters: Sendable, CustomStringConvertible {
    public private(set) var values: [String: ParameterValue]
    public let specs: [ParameterSpec]
    /// Per-symbol values (built-in and user's merged; the user's win).
    public private(set) var symbolValues: [Symbol: [String: ParameterValue]] = [:]
    /// Global keys some layer set (the rest are the specs' defaults).
    public private(set) var userKeys: Set<String> = []
    /// Per pair: keys the built-in table sets that no user per-pair layer replaced.
    private var builtInOnly: [Symbol: Set<String>] = [:]

    /// Resolves layers (lowest first) of text values against the specs. Unknown keys and bad values are errors.
    public static func resolve(strategy: String, specs: [ParameterSpec], layers: [[String: String]]) throws -> StrategyParameters {
        var values: [String: ParameterValue] = [:]
        for s in specs { values[s.name] = s.defaultValue }
        for layer in layers {
            for key in layer.keys.sorted() {
                guard let spec = specs.first(where: { $0.name == key }) else {
                    let known = specs.map(\.name).joined(separator: ", ")
                    throw ParameterError(strategy: strategy, key: key, message: "unknown parameter (known: \(known))")
                }
                switch spec.parse(layer[key]!) {
                case .success(let v): values[key] = v
                case .failure(let m): throw ParameterError(strategy: strategy, key: key, message: m.message)
                }
            }
        }
        var p = StrategyParameters(values: values, specs: specs)
        p.userKeys = Set(layers.flatMap(\.keys))
        return p
    }

    /// One warning per global key the user set that the built-in per-pair table overrides for some of `symbols`
    /// (resolution 32: it has no effect there).
    public func shadowedOverrideWarnings(strategy: String, symbols: [Symbol]) -> [String] {
        values.keys.sorted().filter(isUserSet).compactMap { key in
            let shadowed = symbols.filter { isBuiltInPerSymbol(key, $0) }
            guard !shadowed.isEmpty else { return nil }
            return "\(key) = \(values[key]!) does not apply to \(shadowed.map(\.text).joined(separator: ", ")): the built-in per-pair value wins; set strategy_overrides.\(strategy).symbols.<PAIR>.\(key) instead"
        }
    }

    /// True when the user set `key` globally (YAML or `--param`).
    public func isUserSet(_ key: String) -> Bool { userKeys.contains(key) }

    /// True when `symbol`'s value of `key` is the strategy's built-in per-pair one (so a user's global value of `key`
    /// does not apply to that pair, resolution 32).
    public func isBuiltInPerSymbol(_ key: String, _ symbol: Symbol) -> Bool { builtInOnly[symbol]?.contains(key) == true }

    /// Adds per-symbol layers (lowest first: the strategy's built-in table, then the user's), validated like global ones.
    public mutating func resolveSymbols(strategy: String, layers: [[Symbol: [String: String]]]) throws {
        for (index, layer) in layers.enumerated() {
            for symbol in layer.keys.sorted() {
                for (key, text) in layer[symbol]!.sorted(by: { $0.key < $1.key }) {
                    guard let spec = specs.first(where: { $0.name == key }) else {
                        throw ParameterError(strategy: strategy, key: "symbols.\(symbol).\(key)", message: "unknown parameter (known: \(specs.map(\.name).joined(separator: ", ")))")
                    }
                    guard spec.perSymbol else {
                        let perPair = specs.filter(\.perSymbol).map(\.name)
                        throw ParameterError(strategy: strategy, key: "symbols.\(symbol).\(key)",
                                             message: "not settable per pair (\(perPair.isEmpty ? "this strategy has no per-pair parameters" : "per-pair: " + perPair.joined(separator: ", ")))")
                    }
                    switch spec.parse(text) {
                    case .success(let v):
                        symbolValues[symbol, default: [:]][key] = v
                        if index == 0 { builtInOnly[symbol, default: []].insert(key) } else { builtInOnly[symbol]?.remove(key) }
                    case .failure(let m): throw ParameterError(strategy: strategy, key: "symbols.\(symbol).\(key)", message: m.message)
                    }
                }
            }
        }
    }

    /// The value of `k` for `symbol`: its per-symbol value, else the global one.
    public func value(_ k: String, for symbol: Symbol) -> ParameterValue? {
        symbolValues[symbol]?[k] ?? values[k]
    }

    public func int(_ k: String, for symbol: Symbol) -> Int {
        guard case .int(let v)? = value(k, for: symbol) else { preconditionFailure("parameter \(k) is not an int") }
        return v
    }
    public func double(_ k: String, for symbol: Symbol) -> Double {
        switch value(k, for: symbol) {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        case .decimal(let v)?: return v.doubleValue
        default: preconditionFailure("parameter \(k) is not numeric")
        }
    }
    public func decimal(_ k: String, for symbol: Symbol) -> Money {
        guard case .decimal(let v)? = value(k, for: symbol) else { preconditionFailure("parameter \(k) is not a decimal") }
        return v
    }
    public func bool(_ k: String, for symbol: Symbol) -> Bool {
        guard case .bool(let v)? = value(k, for: symbol) else { preconditionFailure("parameter \(k) is not a bool") }
        return v
    }
    public func string(_ k: String, for symbol: Symbol) -> String {
        guard case .string(let v)? = value(k, for: symbol) else { preconditionFailure("parameter \(k) is not a string") }
        return v
    }

    /// Per-symbol values as text (recording headers): symbol → key → text.
    public var symbolTextValues: [String: [String: String]] {
        Dictionary(uniqueKeysWithValues: symbolValues.map { ($0.key.text, $0.value.mapValues(\.description)) })
    }

    public static func defaults(_ specs: [ParameterSpec]) -> StrategyParameters {
        // Defaults always resolve.
        try! resolve(strategy: "", specs: specs, layers: [])
    }

    /// A `timeframe` parameter; nil for `auto` (the session resolves it before strategies are built).
    public func timeframe(_ k: String) -> Timeframe? {
        guard case .string(let v)? = values[k] else { preconditionFailure("parameter \(k) is not a timeframe") }
        return Timeframe(text: v)
    }

    /// Replaces every `auto` timeframe parameter by `tf` (a bar backtest's timeframe, else 1m).
    public mutating func resolveAutoTimeframes(_ tf: Timeframe) {
        for s in specs where s.kind == .timeframe {
            if case .string("auto")? = values[s.name] { values[s.name] = .string(tf.description) }
            for sym in symbolValues.keys where symbolValues[sym]![s.name] == .string("auto") { symbolValues[sym]![s.name] = .string(tf.description) }
        }
    }

    public func int(_ k: String) -> Int {
        guard case .int(let v)? = values[k] else { preconditionFailure("parameter \(k) is not an int") }
        return v
    }
    public func double(_ k: String) -> Double {
        switch values[k] {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        case .decimal(let v)?: return v.doubleValue
        default: preconditionFailure("parameter \(k) is not numeric")
        }
    }
    public func decimal(_ k: String) -> Money {
        guard case .decimal(let v)? = values[k] else { preconditionFailure("parameter \(k) is not a decimal") }
        return v
    }
    public func bool(_ k: String) -> Bool {
        guard case .bool(let v)? = values[k] else { preconditionFailure("parameter \(k) is not a bool") }
        return v
    }
    public func string(_ k: String) -> String {
        guard case .string(let v)? = values[k] else { preconditionFailure("parameter \(k) is not a string") }
        return v
    }

    /// `key=value` pairs sorted by key (recordings, logs).
    public var description: String { values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ",") }
    public var textValues: [String: String] { values.mapValues(\.description) }
}
