import TradingCore

/// A trailing stop once a position is `activationPct` percent in profit (indicators.md §9.3): `trailPct` percent
/// behind the best price seen (the highest for a long, the lowest for a short); nil before activation. Percent
/// units: 2.0 is 2 %. Callers pass the lowest price for shorts (the reference fell back to the highest).
public func trailingStop(entry: Double, bestPrice: Double, side: PositionSide, activationPct: Double, trailPct: Double) -> Double? {
    precondition(entry > 0, "trailing stop needs a positive entry price")
    switch side {
    case .long:
        return (bestPrice - entry) / entry * 100 >= activationPct ? bestPrice * (1 - trailPct / 100) : nil
    case .short:
        return (entry - bestPrice) / entry * 100 >= activationPct ? bestPrice * (1 + trailPct / 100) : nil
    }
}
