/// The price path of the bars a symbol printed since the last decision tick: its open, low, high and the
/// time of the open. Bar backtests check margin, stops, targets and drawdown against the whole range,
/// pessimistically (backtest.md §B4, decisions 21 and 37): open first, then the adverse extreme, then the
/// favourable one. Live ticks have no range (their one price is open, low and high at once).
public struct BarRange: Hashable, Sendable {
    public var open: Price
    public var low: Price
    public var high: Price
    /// When the range began (the first bar's start): intrabar exits are stamped here.
    public var start: Timestamp

    public init(open: Price, low: Price, high: Price, start: Timestamp) {
        self.open = open; self.low = low; self.high = high; self.start = start
    }

    /// Extends the range with a later bar of the same symbol (two bars before one tick).
    public mutating func merge(_ later: BarRange) {
        if later.low < low { low = later.low }
        if later.high > high { high = later.high }
    }
}
