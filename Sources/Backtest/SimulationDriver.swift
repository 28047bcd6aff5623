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
                                    start: spec.start, depth: spec.market.bookDepth)
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
    @discardableResult
    public static func run(_ series: [BarSeries], kernel: Kernel, recorder: EventRecorder? = nil) -> Int {
        var bars: [Bar] = []
        bars.reserveCapacity(series.reduce(0) { $0 + $1.candles.count })
        for s in series { for c in s.candles { bars.append(Bar(symbol: s.symbol, timeframe: s.timeframe, candle: c)) } }
        if series.count > 1 {
            bars.sort { $0.closeTime != $1.closeTime ? $0.closeTime < $1.closeTime : $0.symbol < $1.symbol }
        }
        var i = 0
        while i < bars.count {
            let t = bars[i].closeTime
            while i < bars.count && bars[i].closeTime == t {
                let e = MarketEvent.bar(bars[i])
                recorder?.record(e)
                kernel.handle(e)
                i += 1
            }
            recorder?.record(.timer(t))
            kernel.handle(.timer(t))
        }
        return bars.count
    }
}
