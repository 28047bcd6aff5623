/// A series indicator fed one value (or bar) at a time. `value` is nil until `isReady`; the first ready input is
/// the one at TA-Lib's lookback (resolution 59: TA-Lib values, nil while not ready).
public protocol StreamingIndicator {
    associatedtype Input
    associatedtype Output
    mutating func update(_ x: Input) -> Output?
    var value: Output? { get }
}

extension StreamingIndicator {
    public var isReady: Bool { value != nil }
}

/// Batch = the streaming type run over the array, so the two agree bitwise by construction.
func batch<I: StreamingIndicator>(_ indicator: I, _ xs: [I.Input]) -> [I.Output?] {
    var s = indicator
    return xs.map { s.update($0) }
}

/// One bar's high, low and close (ATR, ADX and friends).
public struct HLC: Sendable, Equatable {
    public var high: Double, low: Double, close: Double
    public init(high: Double, low: Double, close: Double) { self.high = high; self.low = low; self.close = close }
}
