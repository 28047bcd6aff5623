import TradingCore

/// Multipliers a strategy may apply to its parameters in a regime (regime.md §2.2).
public struct RegimeAdjustments: Sendable, Equatable {
    public var positionSize = 1.0, stopLoss = 1.0, takeProfit = 1.0
    /// Added (not multiplied) to the thresholds a strategy declares shiftable.
    public var entryThresholdShift = 0.0
    public var strategyEnabled = true
    public var cooldown = 1.0, maxPosition = 1.0

    public init(positionSize: Double = 1, stopLoss: Double = 1, takeProfit: Double = 1, entryThresholdShift: Double = 0,
                strategyEnabled: Bool = true, cooldown: Double = 1, maxPosition: Double = 1) {
        self.positionSize = positionSize; self.stopLoss = stopLoss; self.takeProfit = takeProfit
        self.entryThresholdShift = entryThresholdShift; self.strategyEnabled = strategyEnabled
        self.cooldown = cooldown; self.maxPosition = maxPosition
    }

    /// The alternative volatility table of §2.4 (the router uses its own, §11.2): size and max position × p,
    /// stop and target × s and t; extreme disables.
    public func applyingVolatilityModifier(_ v: VolatilityState) -> RegimeAdjustments {
        let (p, s, t): (Double, Double, Double) = switch v {
        case .low: (1.2, 0.8, 0.8)
        case .medium: (1, 1, 1)
        case .high: (0.7, 1.5, 1.5)
        case .extreme: (0.3, 2, 2)
        }
        var a = self
        a.positionSize *= p; a.maxPosition *= p; a.stopLoss *= s; a.takeProfit *= t
        if v == .extreme { a.strategyEnabled = false }
        return a
    }
}
