import TradingCore

/// Per-strategy multipliers by regime (regime.md §11): an opt-in for strategies, off unless a strategy asks.
/// The table is a value owned by each router (the reference mutated one process-wide table).
public struct ParameterRouter: Sendable, Equatable {
    public var table: [String: [MarketRegime: RegimeAdjustments]]

    /// The reference's `grid_trading` row matched no strategy; it is the grid strategy's.
    public static let aliases = ["grid_trading": "grid_rsi_reversion"]

    public init(table: [String: [MarketRegime: RegimeAdjustments]] = ParameterRouter.builtIn) {
        var t: [String: [MarketRegime: RegimeAdjustments]] = [:]
        for (k, v) in table { t[Self.aliases[k] ?? k] = v }
        self.table = t
    }

    public static let builtIn: [String: [MarketRegime: RegimeAdjustments]] = {
        typealias A = RegimeAdjustments
        let mrStrong = A(positionSize: 0.3, stopLoss: 2.0, entryThresholdShift: 0.5, strategyEnabled: false)
        let mrTrend = A(positionSize: 0.6, stopLoss: 1.5, entryThresholdShift: 0.3)
        let msStrong = A(positionSize: 1.2, takeProfit: 1.5)
        let gridOff = A(strategyEnabled: false), gridTrend = A(positionSize: 0.5)
        let whaleStrong = A(positionSize: 0.8, entryThresholdShift: 0.2)
        return [
            "mean_reversion": [.strongBull: mrStrong, .bull: mrTrend, .sideways: A(takeProfit: 0.8), .bear: mrTrend, .strongBear: mrStrong],
            "momentum_scalping": [.strongBull: msStrong, .bull: A(), .sideways: A(positionSize: 0.3, strategyEnabled: false), .bear: A(), .strongBear: msStrong],
            "grid_trading": [.strongBull: gridOff, .bull: gridTrend, .sideways: A(positionSize: 1.2), .bear: gridTrend, .strongBear: gridOff],
            "whale_sentiment": [.strongBull: whaleStrong, .bull: A(), .sideways: A(positionSize: 1.2), .bear: A(), .strongBear: whaleStrong],
        ]
    }()

    /// §11.2: the table's row, with size and max position scaled by volatility (low 1.2 … extreme 0.3), by
    /// (0.5 + confidence) below confidence 0.5 and by 0.7 after more than 5 recent transitions; extreme volatility
    /// disables.
    public func adjustments(_ strategy: String, _ s: RegimeSnapshot) -> RegimeAdjustments {
        let base = table[Self.aliases[strategy] ?? strategy]?[s.overallRegime] ?? RegimeAdjustments()
        var v: Double = switch s.volatilityState { case .low: 1.2; case .medium: 1; case .high: 0.7; case .extreme: 0.3 }
        if s.overallConfidence < 0.5 { v *= 0.5 + s.overallConfidence }
        if s.recentTransitions > 5 { v *= 0.7 }
        var a = base
        a.positionSize = base.positionSize * v
        a.maxPosition = base.maxPosition * v
        a.strategyEnabled = base.strategyEnabled && s.volatilityState != .extreme
        return a
    }

    public func shouldTrade(_ strategy: String, _ s: RegimeSnapshot) -> Bool { adjustments(strategy, s).strategyEnabled }

    /// What each parameter key means to `apply` (§11.3, typed: the reference shifted any threshold by a unit-less
    /// number). A strategy names its own keys.
    public enum Role: Sendable { case positionSize, stopLoss, takeProfit, maxPosition, cooldown, shiftable }

    /// The parameters with the multipliers applied to the keys a strategy declared. Decimal (money) values are
    /// scaled exactly, rounded half-even at 18 decimals; integers are rounded to the nearest.
    public static func apply(_ a: RegimeAdjustments, to parameters: [String: ParameterValue], roles: [String: Role]) -> [String: ParameterValue] {
        var out = parameters
        for (key, role) in roles {
            guard let v = parameters[key] else { continue }
            let factor: Double
            switch role {
            case .positionSize: factor = a.positionSize
            case .stopLoss: factor = a.stopLoss
            case .takeProfit: factor = a.takeProfit
            case .maxPosition: factor = a.maxPosition
            case .cooldown: factor = a.cooldown
            case .shiftable:
                guard a.entryThresholdShift != 0 else { continue }
                switch v {
                case .double(let d): out[key] = .double(d + a.entryThresholdShift)
                case .decimal(let m): if let s = Money(a.entryThresholdShift) { out[key] = .decimal(m + s) }
                case .int(let i): out[key] = .double(Double(i) + a.entryThresholdShift)
                default: break
                }
                continue
            }
            switch v {
            case .double(let d): out[key] = .double(d * factor)
            case .int(let i): out[key] = .int(Int((Double(i) * factor).rounded()))
            case .decimal(let m): if let r = Rate(factor) { out[key] = .decimal(m.scaled(by: r)) }
            default: break
            }
        }
        return out
    }
}

extension ParameterRouter {
    /// The fields of `regime_detection.adjustments.<strategy>.<REGIME>.<field>`.
    public static let fieldNames = ["position_size", "stop_loss", "take_profit", "entry_threshold_shift", "strategy_enabled",
                                    "cooldown", "max_position"]

    public struct OverrideError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The built-in table with configured cells replaced (§11.1: the table is data, overridable from config).
    /// `overrides[strategy][REGIME][field]` is the value's text; unknown regimes, fields and bad values throw.
    public init(overrides: [String: [String: [String: String]]]) throws(OverrideError) {
        // Start from the aliased table, so an override of `grid_trading` and the built-in row meet under one key.
        var table = ParameterRouter().table
        for (strategy, rows) in overrides.sorted(by: { $0.key < $1.key }) {
            let key = Self.aliases[strategy] ?? strategy
            for (regimeName, fields) in rows.sorted(by: { $0.key < $1.key }) {
                guard let regime = MarketRegime(rawValue: regimeName) else {
                    throw OverrideError(description: "regime_detection.adjustments.\(strategy).\(regimeName): not a regime (one of \(MarketRegime.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                var a = table[key]?[regime] ?? RegimeAdjustments()
                for (field, text) in fields.sorted(by: { $0.key < $1.key }) {
                    let t = text.trimmingSpaces()
                    func number(_ range: ClosedRange<Double>) throws(OverrideError) -> Double {
                        guard let d = Double(t), d.isFinite, range.contains(d) else {
                            throw OverrideError(description: "regime_detection.adjustments.\(strategy).\(regimeName).\(field): must be a number in \(range.lowerBound)…\(range.upperBound), got '\(t.prefix(40))'")
                        }
                        return d
                    }
                    switch field {
                    case "position_size": a.positionSize = try number(0...100)
                    case "stop_loss": a.stopLoss = try number(0...100)
                    case "take_profit": a.takeProfit = try number(0...100)
                    case "entry_threshold_shift": a.entryThresholdShift = try number(-100...100)
                    case "cooldown": a.cooldown = try number(0...100)
                    case "max_position": a.maxPosition = try number(0...100)
                    case "strategy_enabled":
                        let t = t.lowercased()
                        guard t == "true" || t == "false" else {
                            throw OverrideError(description: "regime_detection.adjustments.\(strategy).\(regimeName).strategy_enabled: must be true or false, got '\(t.prefix(40))'")
                        }
                        a.strategyEnabled = t == "true"
                    default:
                        throw OverrideError(description: "regime_detection.adjustments.\(strategy).\(regimeName).\(field): unknown field (one of \(Self.fieldNames.joined(separator: ", ")))")
                    }
                }
                table[key, default: [:]][regime] = a
            }
        }
        self.init(table: table)
    }
}
