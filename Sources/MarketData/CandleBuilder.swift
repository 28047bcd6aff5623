import TradingCore

/// Builds one timeframe's candles: from trades (1m) or from closed lower candles (higher timeframes).
/// A class: builders live inside per-symbol state and are mutated in place on every event.
final class CandleBuilder {
    let timeframe: Timeframe
    var closed: RingBuffer<Candle>
    var forming: Candle?
    /// Time of the newest trade applied to `forming` (a late trade in the same bucket must not move the close).
    var lastTradeTime = Timestamp(nanoseconds: .min)
    var startedAny = false
    /// Start of the newest closed candle (history bars arrive in order; late data never reopens it).
    var lastClosedStart = Timestamp(nanoseconds: .min)

    init(timeframe: Timeframe, capacity: Int) {
        self.timeframe = timeframe
        self.closed = RingBuffer(capacity: capacity)
    }

    /// Returns the candle it closed, if any. `false` when the trade was late (earlier bucket) and skipped.
    func add(trade t: Trade, markIncomplete: Bool) -> (closed: Candle?, accepted: Bool) {
        let key = timeframe.bucket(t.exchangeTime)
        // A trade for a bucket that already closed (by time) is late: never reopen a closed candle.
        if forming == nil && startedAny && key <= lastClosedStart { return (nil, false) }
        if var f = forming {
            if key < f.start { return (nil, false) }
            if key == f.start {
                if t.price > f.high { f.high = t.price }
                if t.price < f.low { f.low = t.price }
                if t.exchangeTime >= lastTradeTime { f.close = t.price; lastTradeTime = t.exchangeTime }
                f.volume += t.size
                f.trades += 1
                if markIncomplete { f.isComplete = false }
                forming = f
                return (nil, true)
            }
            closed.append(f)
            lastClosedStart = f.start
            start(key, t, markIncomplete)
            return (f, true)
        }
        start(key, t, markIncomplete)
        return (nil, true)
    }

    private func start(_ key: Timestamp, _ t: Trade, _ incomplete: Bool) {
        // The first candle after start-up missed the earlier trades of its bucket.
        let complete = startedAny && !incomplete
        forming = Candle(start: key, open: t.price, high: t.price, low: t.price, close: t.price, volume: t.size, trades: 1, isComplete: complete)
        lastTradeTime = t.exchangeTime
        startedAny = true
    }

    /// Aggregates a closed lower-timeframe candle. Returns the candle it closed, if any.
    func add(candle c: Candle) -> Candle? {
        let key = timeframe.bucket(c.start)
        if forming == nil && startedAny && key <= lastClosedStart { return nil }
        if var f = forming {
            if key < f.start { return nil }
            if key == f.start {
                if c.high > f.high { f.high = c.high }
                if c.low < f.low { f.low = c.low }
                f.close = c.close
                f.volume += c.volume
                f.trades += c.trades
                if !c.isComplete { f.isComplete = false }
                forming = f
                return nil
            }
            closed.append(f)
            lastClosedStart = f.start
            forming = Candle(start: key, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume,
                             trades: c.trades, isComplete: c.isComplete)
            return f
        }
        // A higher bucket first seen mid-way is incomplete unless this candle opens it.
        forming = Candle(start: key, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume,
                         trades: c.trades, isComplete: c.isComplete && key == c.start)
        startedAny = true
        return nil
    }

    /// Appends an already-closed candle (history bars of this timeframe).
    func appendClosed(_ c: Candle) {
        if startedAny && c.start <= lastClosedStart { return }
        closed.append(c)
        lastClosedStart = c.start
        startedAny = true
    }

    /// Closes the forming candle once its bucket (plus grace) has passed on the engine clock.
    func closeIfDue(now: Timestamp, grace: Interval) -> Candle? {
        guard let f = forming, f.start + timeframe.interval + grace <= now else { return nil }
        closed.append(f)
        lastClosedStart = f.start
        forming = nil
        return f
    }
}
