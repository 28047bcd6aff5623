import TradingCore

/// One bucket of ema9_trend_flip.md §5.1 (prices as `Double`: the EMA and the side tests are strategy maths).
struct EMA9Bucket: Equatable {
    var start: Timestamp
    var open, high, low, close: Double
}

/// Where a price sits against the EMA and its dead band (§5.3).
enum EMA9Side: String {
    case above = "ABOVE", below = "BELOW", neutral = "NEUTRAL"

    /// ABOVE beyond `EMA + band`, BELOW beyond `EMA − band`; the boundaries are NEUTRAL.
    static func of(_ price: Double, ema: Double, bufferPct: Double) -> EMA9Side {
        let band = ema * bufferPct / 100
        return price > ema + band ? .above : price < ema - band ? .below : .neutral
    }

    var sign: Double { self == .above ? 1 : self == .below ? -1 : 0 }
}

/// The run of buckets before the current one (§5.4).
enum EMA9Run: Equatable {
    /// All N buckets on this side.
    case side(EMA9Side)
    case mixed
    /// The most recent examined bucket is NEUTRAL (and the run is not one side).
    case neutral
}

enum EMA9Math {
    /// The buckets: the engine's closed candles of the bucket timeframe, then the current (possibly incomplete) bucket
    /// aggregated from the closed 1-minute candles after them, so the list equals §5.1 applied to the whole 1m history
    /// without a candle store of the strategy's own (issue: hourly candles are the engine's).
    static func buckets(closed: RingBuffer<Candle>, minutes: RingBuffer<Candle>, timeframe: Timeframe) -> [EMA9Bucket] {
        var out: [EMA9Bucket] = []
        out.reserveCapacity(closed.count + 1)
        for i in 0..<closed.count {
            let c = closed[i]
            out.append(EMA9Bucket(start: c.start, open: c.open.doubleValue, high: c.high.doubleValue, low: c.low.doubleValue, close: c.close.doubleValue))
        }
        let after = out.last.map { $0.start + timeframe.interval }
        // The 1m candles newer than the last closed bucket (at most one bucket's worth), oldest first.
        var first = minutes.count
        while first > 0, after.map({ minutes[first - 1].start >= $0 }) ?? true { first -= 1 }
        for i in first..<minutes.count {
            let m = minutes[i]
            let key = timeframe.bucket(m.start)
            if let last = out.last, last.start == key {
                out[out.count - 1].high = max(last.high, m.high.doubleValue)
                out[out.count - 1].low = min(last.low, m.low.doubleValue)
                out[out.count - 1].close = m.close.doubleValue
            } else {
                out.append(EMA9Bucket(start: key, open: m.open.doubleValue, high: m.high.doubleValue, low: m.low.doubleValue, close: m.close.doubleValue))
            }
        }
        return out
    }

    /// §5.2: nil before index P−1, the mean of the first P prices there, then `e + (p − e)·2/(P+1)`.
    static func emaSeries(_ prices: [Double], period: Int) -> [Double?] {
        var out = [Double?](repeating: nil, count: prices.count)
        guard period >= 1, prices.count >= period else { return out }
        var e = prices[0..<period].reduce(0, +) / Double(period)
        out[period - 1] = e
        let k = 2 / Double(period + 1)
        for i in period..<prices.count {
            e += (prices[i] - e) * k
            out[i] = e
        }
        return out
    }

    /// §5.4 (the Swift definition, E9-W2 fixed): the N buckets immediately before the current one, each against its own
    /// EMA; a missing EMA in the window makes the run mixed.
    static func previousRun(_ prices: [Double], _ ema: [Double?], n: Int, bufferPct: Double) -> EMA9Run {
        let last = prices.count - 1
        guard n >= 1, last - n >= 0 else { return .mixed }
        var sides: [EMA9Side] = []
        for i in (last - n)..<last {
            guard let e = ema[i] else { return .mixed }
            sides.append(EMA9Side.of(prices[i], ema: e, bufferPct: bufferPct))
        }
        if sides.allSatisfy({ $0 == .above }) { return .side(.above) }
        if sides.allSatisfy({ $0 == .below }) { return .side(.below) }
        return sides.last == .neutral ? .neutral : .mixed
    }

    /// §5.5: the mean of the last 14 true ranges; nil with fewer than 15 buckets.
    static func atr(_ b: [EMA9Bucket], period: Int = 14) -> Double? {
        guard b.count >= period + 1 else { return nil }
        var sum = 0.0
        for k in (b.count - period)..<b.count {
            let prev = b[k - 1].close
            sum += max(b[k].high - b[k].low, abs(b[k].high - prev), abs(b[k].low - prev))
        }
        return sum / Double(period)
    }
}
