import TradingCore

/// What kind of value a setting holds; parsing a text checks type and range in one place, so YAML, environment,
/// command line and recording headers refuse the same values with the same message.
public enum SettingType: Sendable {
    case int(ClosedRange<Int>)
    /// Exact decimal (money, rates, leverage): read from its text, never through a binary float.
    case decimal(min: String, max: String, minInclusive: Bool, maxInclusive: Bool)
    case double(ClosedRange<Double>)
    case bool
    case choice([String])
    case string
    case symbols
    case strategies
    case seed
    case timestamp
    /// `max` or a positive multiple of real time.
    case speed
}

/// A parsed setting value.
public enum SettingValue: Equatable, Sendable {
    case int(Int)
    case decimal(Money)
    case double(Double)
    case bool(Bool)
    case string(String)
    case symbols([Symbol])
    case strings([String])
    case seed(UInt64)
    case timestamp(Timestamp)
    /// nil = as fast as possible.
    case speed(Double?)
}

/// One configuration key, declared once: type, range, default, one-line doc, and how it reaches the config.
public struct Setting: Sendable {
    public let key: String
    public let type: SettingType
    public let defaultText: String
    public let doc: String
    /// Command-line flags that set it (documentation and error messages).
    public let flags: [String]
    /// Read only by a later capability (accepted and validated now).
    public let reserved: Bool
    /// Another name for the setting with this key (`execution.fee_rate` → `execution.taker_fee_rate`): one source may
    /// set only one of the two, and the written configuration carries only the target.
    public let aliasOf: String?
    public let apply: @Sendable (inout AppConfig, SettingValue) -> Void
    public let read: @Sendable (AppConfig) -> String
    /// The effective text of this setting in `config`.
    public func value(in config: AppConfig) -> String { read(config) }

    init(_ key: String, _ type: SettingType, _ def: String, _ doc: String, flags: [String] = [], reserved: Bool = false, aliasOf: String? = nil,
         apply: @escaping @Sendable (inout AppConfig, SettingValue) -> Void, read: @escaping @Sendable (AppConfig) -> String) {
        self.key = key; self.type = type; self.defaultText = def; self.doc = doc; self.flags = flags; self.reserved = reserved
        self.aliasOf = aliasOf
        self.apply = apply; self.read = read
    }

    /// The environment variable that sets it: `WS_TESTER_` + the key in capitals, dots as underscores.
    public var environmentName: String {
        "WS_TESTER_" + String(key.uppercased().map { $0 == "." ? "_" : $0 })
    }

    /// Parses `text` (a YAML scalar, an environment value, a flag or a header field); the error says what is allowed.
    public func parse(_ raw: String) -> Result<SettingValue, SettingError> {
        let t = raw.trimmingSpaces()
        func bad(_ m: String) -> Result<SettingValue, SettingError> { .failure(SettingError(message: m)) }
        switch type {
        case .int(let r):
            guard let v = Int(t) ?? Money(t).flatMap({ m in m.raw % Money.scale == 0 ? Int(exactly: m.raw / Money.scale) : nil }) else {
                return bad("must be an integer, got '\(clip(t))'")
            }
            guard r.contains(v) else { return bad("must be in \(r.lowerBound)…\(r.upperBound), got \(v)") }
            return .success(.int(v))
        case .decimal(let lo, let hi, let loIn, let hiIn):
            guard let v = Money(t) else { return bad("must be a decimal number, got '\(clip(t))'") }
            let l = Money(lo)!, h = Money(hi)!
            let ok = (loIn ? v >= l : v > l) && (hiIn ? v <= h : v < h)
            guard ok else { return bad("must be in \(loIn ? "[" : "(")\(lo), \(hi)\(hiIn ? "]" : ")"), got \(v)") }
            return .success(.decimal(v))
        case .double(let r):
            guard let v = Double(t), v.isFinite else { return bad("must be a number, got '\(clip(t))'") }
            guard r.contains(v) else { return bad("must be in \(fmtNumber(r.lowerBound))…\(fmtNumber(r.upperBound)), got \(t)") }
            return .success(.double(v))
        case .bool:
            switch t.lowercased() {
            case "true", "yes", "on": return .success(.bool(true))
            case "false", "no", "off": return .success(.bool(false))
            default: return bad("must be true or false, got '\(clip(t))'")
            }
        case .choice(let allowed):
            guard allowed.contains(t) else { return bad("must be one of \(allowed.joined(separator: ", ")), got '\(clip(t))'") }
            return .success(.string(t))
        case .string:
            guard t.utf8.count <= 4096, !t.utf8.contains(where: { $0 < 32 }) else { return bad("must be one line of at most 4096 characters") }
            return .success(.string(t))
        case .symbols:
            let items = listItems(t)
            guard items.count <= 256 else { return bad("at most 256 symbols") }
            var out: [Symbol] = []
            for i in items {
                guard let s = Symbol(i) else { return bad("'\(clip(i))' is not a BASE/QUOTE symbol") }
                out.append(s)
            }
            return .success(.symbols(out))
        case .strategies:
            let items = listItems(t)
            let known = Schema.strategyNames
            for i in items where !known.contains(i) {
                return bad("unknown strategy '\(clip(i))' (available: \(known.joined(separator: ", ")))")
            }
            return .success(.strings(items))
        case .seed:
            guard let v = UInt64(t) else { return bad("must be an integer in 0…\(UInt64.max), got '\(clip(t))'") }
            return .success(.seed(v))
        case .timestamp:
            switch Timestamp.parse(t) {
            case .success(let ts): return .success(.timestamp(ts))
            case .failure(let e): return bad(e.description)
            }
        case .speed:
            if t.lowercased() == "max" { return .success(.speed(nil)) }
            guard let v = Double(t), v.isFinite, v >= 0.001, v <= 1_000_000 else { return bad("must be 'max' or a number in [0.001, 1000000], got '\(clip(t))'") }
            return .success(.speed(v))
        }
    }

    /// The doc line with its allowed values, for the generated config file and `--help`.
    public var allowed: String {
        switch type {
        case .int(let r): "\(r.lowerBound)…\(r.upperBound)"
        case .decimal(let lo, let hi, let loIn, let hiIn): "\(loIn ? "[" : "(")\(lo), \(hi)\(hiIn ? "]" : ")")"
        case .double(let r): "\(fmtNumber(r.lowerBound))…\(fmtNumber(r.upperBound))"
        case .bool: "true | false"
        case .choice(let a): a.joined(separator: " | ")
        case .string: "text"
        case .symbols: "list of BASE/QUOTE"
        case .strategies: "list of strategy names"
        case .seed: "0…2^64−1"
        case .timestamp: "ISO-8601 UTC"
        case .speed: "max | multiple of real time"
        }
    }
}

public struct SettingError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// `[a, b]`, `a, b` or one item; empty items dropped.
func listItems(_ t: String) -> [String] {
    var s = Substring(t)
    if s.hasPrefix("["), s.hasSuffix("]") { s = s.dropFirst().dropLast() }
    return s.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
}

func clip(_ s: String) -> String { s.count > 60 ? String(s.prefix(60)) + "…" : s }

func fmtNumber(_ d: Double) -> String {
    d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
}
