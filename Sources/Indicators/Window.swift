import TradingCore

extension RingBuffer where Element == Double {
    var isFull: Bool { count == capacity }

    func mean() -> Double { reduce(0, +) / Double(count) }

    /// Population standard deviation around `center` (the window's mean by default), in two passes: no
    /// cancellation at large magnitudes, unlike running sums of x and x².
    func populationStdDev(around center: Double? = nil) -> Double {
        let m = center ?? mean()
        var ss = 0.0
        for v in self { let d = v - m; ss += d * d }
        return (ss / Double(count)).squareRoot()
    }
}
