/// Price against its 20/50/200 SMAs (indicators.md §2.3); the regime detector scores with the same table.
public struct MAAlignment: Sendable, Equatable {
    public enum Label: String, Sendable, CaseIterable {
        case perfectBull = "PERFECT_BULL", bull = "BULL", weakBull = "WEAK_BULL", neutral = "NEUTRAL"
        case weakBear = "WEAK_BEAR", bear = "BEAR", perfectBear = "PERFECT_BEAR"
    }

    public var score: Double
    public var label: Label
    public var priceAboveSMA20: Bool, priceAboveSMA50: Bool, priceAboveSMA200: Bool, sma50AboveSMA200: Bool

    /// All comparisons strict. `neutralBand` (relative, default 0 as the reference) treats SMA50 and SMA200 within
    /// that fraction of each other as equal, so NEUTRAL becomes reachable on real prices.
    public init(price: Double, sma20: Double, sma50: Double, sma200: Double, neutralBand: Double = 0) {
        priceAboveSMA20 = price > sma20; priceAboveSMA50 = price > sma50
        priceAboveSMA200 = price > sma200; sma50AboveSMA200 = sma50 > sma200
        let crossGap = sma50 - sma200, band = neutralBand * abs(sma200)
        if price > sma20 && sma20 > sma50 && sma50 > sma200 { (score, label) = (1, .perfectBull) }
        else if price < sma20 && sma20 < sma50 && sma50 < sma200 { (score, label) = (-1, .perfectBear) }
        else if crossGap > band { (score, label) = price > sma50 ? (0.7, .bull) : price > sma200 ? (0.4, .bull) : (0.1, .weakBull) }
        else if crossGap < -band { (score, label) = price < sma50 ? (-0.7, .bear) : price < sma200 ? (-0.4, .bear) : (-0.1, .weakBear) }
        else { (score, label) = (0, .neutral) }
    }

    /// From closes: the three SMAs of the latest closes and the last close; nil with fewer than `long` closes.
    public init?(closes: some Collection<Double>, short: Int = 20, mid: Int = 50, long: Int = 200) {
        precondition(1 <= short && short <= mid && mid <= long, "MA periods must be ascending")
        guard closes.count >= long, let price = closes.reversed().first else { return nil }
        func sma(_ p: Int) -> Double { closes.suffix(p).reduce(0, +) / Double(p) }
        self.init(price: price, sma20: sma(short), sma50: sma(mid), sma200: sma(long))
    }
}
