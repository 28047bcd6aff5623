import TradingCore
import MarketData
import TradingEngine

/// Drives a kernel from the seeded simulator: each step emits one tick of market events and then
/// the decision timer, all on the virtual clock. Pacing against the wall clock is the caller's job.
public final class SimulationDriver {
    public let kernel: Kernel
    public private(set) var simulator: SimulatedMarket
    public var recorder: EventRecorder?

    public init(kernel: Kernel, spec: SessionSpec) {
        self.kernel = kernel
        simulator = SimulatedMarket(symbols: spec.symbols, seed: spec.seed, tick: .milliseconds(spec.intervalMs),
                                     start: spec.start, depth: spec.market.bookDepth, instruments: spec.instruments)
    }

    public var now: Timestamp { simulator.now }

    /// One tick: market events, then the timer.
    public func step() {
        let k = kernel
        if let r = recorder {
            simulator.step { e in r.record(e); k.handle(e) }
            r.record(.timer(simulator.now))
        } else {
            simulator.step { e in k.handle(e) }
        }
        k.handle(.timer(simulator.now))
    }
}

/// Replays bars: each bar, then one decision timer per distinct close time (after every symbol's bar).
public enum BarReplayDriver {
    /// Merges series by close time (ties by symbol) and feeds the kernel. Returns bars processed.
    /// A k-way merge over the series, so no second copy of the history is made.
    @discardableResult
    public static func run(_ series: [BarSeries], kernel: Kernel, recorder: EventRecorder? = nil) -> Int {
        let order = series.indices.sorted { series[$0].symbol < series[$1].symbol }
        // Hoisted per-series values: the loop below runs once per bar.
        let symbols = order.map { series[$0].symbol }
        let timeframes = order.map { series[$0].timeframe }
        let candles = order.map { series[$0].candles }
        let intervals = timeframes.map(\.interval)
        var next = [Int](repeating: 0, count: order.count)
        var processed = 0
        while true {
            // Earliest close time among the series' next bars.
            var t: Timestamp?
            for k in candles.indices where next[k] < candles[k].count {
                let c = candles[k][next[k]].start + intervals[k]
                if t == nil || c < t! { t = c }
            }
            guard let close = t else { break }
            for k in candles.indices {
                while next[k] < candles[k].count, candles[k][next[k]].start + intervals[k] == close {
                    let e = MarketEvent.bar(Bar(symbol: symbols[k], timeframe: timeframes[k], candle: candles[k][next[k]]))
                    if let recorder { recorder.record(e) }
                    kernel.handle(e)
                    next[k] += 1
                    processed += 1
                }
            }
            if let recorder { recorder.record(.timer(close)) }
            kernel.handle(.timer(close))
        }
        return processed
    }
}
