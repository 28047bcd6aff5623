import TradingCore

/// One bucket being aggregated from ordered rows (history.md §5.2 for candles, §7 for trades).
/// VWAP (§5.2's weakness fixed): only rows that have a VWAP count, weighted by their own volume, so a bucket that
/// mixes CSV rows (no VWAP) with trade-built rows is not biased low; nil when no row had one. Each product and the
/// quotient round half-even at 1e-18. Quote volume is summed only while every row has one (else nil: never partial).
public struct CandleAccumulator: Sendable {
    public let start: Timestamp
    var open: Price
    var high: Price
    var low: Price
    var close: Price
    var volume: Quantity = .zero
    var quote: Money = .zero
    var quoteKnown = true
    var trades = 0
    var vwapNumerator: Money = .zero
    var vwapVolume: Quantity = .zero
    var vwapSeen = false
    public private(set) var rows = 0

    public init(start: Timestamp, first: HistoryCandle) {
        self.start = start
        open = first.open; high = first.high; low = first.low; close = first.close
        add(first)
    }

    public mutating func add(_ c: HistoryCandle) {
        if rows > 0 {
            if c.high > high { high = c.high }
            if c.low < low { low = c.low }
            close = c.close
        }
        volume += c.volume
        if let q = c.quoteVolume { quote += q } else { quoteKnown = false }
        trades += c.tradeCount
        if let v = c.vwap {
            vwapSeen = true
            // A row built from trades carries its exact Σ price × volume: use it, so a rollup of trade-built minutes is
            // the true VWAP of its trades, not a sum of rounded per-minute VWAPs.
            vwapNumerator += c.quoteVolume ?? c.volume * v
            vwapVolume += c.volume
        }
        rows += 1
    }

    public func candle(symbol: Symbol, minutes: Int, complete: Bool, source: CandleSource? = nil, rollup: Bool = true) -> HistoryCandle {
        let vwap: Price? = vwapSeen && vwapVolume.isPositive ? vwapNumerator.price(per: vwapVolume, .halfEven) : nil
        return HistoryCandle(symbol: symbol, intervalMinutes: minutes, start: start, open: open, high: high, low: low, close: close,
                             volume: volume, quoteVolume: quoteKnown ? quote : nil, tradeCount: trades, vwap: vwap, isComplete: complete,
                             source: source, sourceRows: rollup ? rows : nil)
    }
}

/// §7: 1m candles from trades in (time, key) order; a candle is emitted when a trade of a later minute arrives, so
/// only complete minutes leave (the minute holding the newest trade stays open until `finish`).
public struct MinuteCandleBuilder: Sendable {
    public let symbol: Symbol
    public let source: CandleSource
    var minute: Int64 = .min
    var open: Price = .zero, high: Price = .zero, low: Price = .zero, close: Price = .zero
    var volume: Quantity = .zero
    var quote: Money = .zero
    var count = 0

    public init(symbol: Symbol, source: CandleSource = .trades) { self.symbol = symbol; self.source = source }

    /// The open minute's start, if a trade is held.
    public var openMinute: Timestamp? { count > 0 ? Timestamp(nanoseconds: minute * 60_000_000_000) : nil }

    /// Adds a trade; returns the previous minute's candle when this trade starts a new one.
    public mutating func add(time: Timestamp, price: Price, volume v: Quantity) -> HistoryCandle? {
        let m = Buckets.floor(time, minutes: 1).nanoseconds / 60_000_000_000
        var done: HistoryCandle?
        if count > 0, m != minute { done = current() }
        if count == 0 || m != minute {
            minute = m; open = price; high = price; low = price; volume = .zero; quote = .zero; count = 0
        }
        if price > high { high = price }
        if price < low { low = price }
        close = price
        volume += v
        quote += price * v
        count += 1
        return done
    }

    func current() -> HistoryCandle {
        HistoryCandle(symbol: symbol, intervalMinutes: 1, start: Timestamp(nanoseconds: minute * 60_000_000_000), open: open, high: high, low: low,
                      close: close, volume: volume, quoteVolume: quote, tradeCount: count,
                      vwap: volume.isPositive ? quote.price(per: volume, .halfEven) : nil, isComplete: true, source: source)
    }

    /// The held minute's candle (whether it is complete is the caller's knowledge).
    public func pending() -> HistoryCandle? { count > 0 ? current() : nil }
}

/// Which 1m slots of a span are vouched for: a stored candle, or a coverage range (the source proved there were no
/// trades). Prefix sums answer "is every minute of this bucket covered" in O(1).
struct MinuteCoverage {
    let start: Timestamp
    let minutes: Int
    var prefix: [Int32]

    init(span: TimeSpan, candleTimes: [Timestamp], coverage: [TimeSpan]) {
        start = span.start
        minutes = Int((span.end - span.start).nanoseconds / 60_000_000_000)
        var mark = [Bool](repeating: false, count: minutes)
        for c in coverage {
            // Inward to whole minutes: a partly covered minute is not covered.
            let a = max(0, Int((Buckets.ceil(c.start, minutes: 1) - span.start).nanoseconds / 60_000_000_000))
            let b = min(minutes, Int((Buckets.floor(c.end, minutes: 1) - span.start).nanoseconds / 60_000_000_000))
            if a < b { for i in a..<b { mark[i] = true } }
        }
        for t in candleTimes {
            let i = Int((t - span.start).nanoseconds / 60_000_000_000)
            if i >= 0, i < minutes { mark[i] = true }
        }
        prefix = [Int32](repeating: 0, count: minutes + 1)
        for i in 0..<minutes { prefix[i + 1] = prefix[i] + (mark[i] ? 1 : 0) }
    }

    func fullyCovered(_ s: TimeSpan) -> Bool {
        let a = Int((s.start - start).nanoseconds / 60_000_000_000), b = Int((s.end - start).nanoseconds / 60_000_000_000)
        guard a >= 0, b <= minutes, a < b else { return false }
        return Int(prefix[b] - prefix[a]) == b - a
    }
}

public enum CandleAggregator {
    /// Buckets of `minutes` over ordered 1m candles. Complete iff the bucket has elapsed by `now` and every 1m slot
    /// of it is covered (§10.2). Empty buckets produce no row.
    static func aggregate(_ base: [HistoryCandle], symbol: Symbol, minutes: Int, now: Timestamp, coverage: MinuteCoverage?) -> [HistoryCandle] {
        var out: [HistoryCandle] = []
        var acc: CandleAccumulator?
        func flush() {
            guard let a = acc else { return }
            let span = TimeSpan(a.start, a.start + .minutes(Int64(minutes)))
            let complete = span.end <= now && (coverage?.fullyCovered(span) ?? false)
            out.append(a.candle(symbol: symbol, minutes: minutes, complete: complete))
        }
        for c in base {
            let b = Buckets.floor(c.start, minutes: minutes)
            if acc?.start == b { acc!.add(c) } else { flush(); acc = CandleAccumulator(start: b, first: c) }
        }
        flush()
        return out
    }
}

/// `MinuteCandleBuilder` on stored integers, for bulk import: the same §7 rules, but a trade costs integer compares
/// and one 128-bit multiply-add (the quote sum is exact at price + quantity decimals); the candle converts once.
public struct ScaledMinuteBuilder: Sendable {
    public let symbol: Symbol
    public let scale: StorageScale
    var minute: Int64 = .min
    var open: Int64 = 0, high: Int64 = 0, low: Int64 = 0, close: Int64 = 0
    var volume: Int128 = 0
    var quote: Int128 = 0
    var count = 0

    let quoteLimit: Int128
    let volumeLimit: Int128

    public init(symbol: Symbol, scale: StorageScale) {
        self.symbol = symbol; self.scale = scale
        quoteLimit = Self.limit(15 + scale.priceDecimals + scale.quantityDecimals)
        volumeLimit = Self.limit(12 + scale.quantityDecimals)
    }

    public var openMinute: Timestamp? { count > 0 ? Timestamp(nanoseconds: minute * 60_000_000_000) : nil }

    /// The minute's quote volume stays under 1e15 and its volume under 1e12 units (`HistoryValidation`'s bounds),
    /// so every later sum fits: false means the trade must be refused.
    public func fits(micros: Int64, price: Int64, volume v: Int64) -> Bool {
        let m = micros >= 0 ? micros / 60_000_000 : (micros - 59_999_999) / 60_000_000
        let same = count > 0 && m == minute
        // Checked: the product of two Int64 fits Int128, and a sum that would not fit is refused, never trapped on.
        let (q, o) = (same ? quote : 0).addingReportingOverflow(Int128(price) * Int128(v))
        let vol = (same ? volume : 0) + Int128(v)
        return !o && q <= quoteLimit && vol <= volumeLimit
    }

    /// 10^digits, at most 10^37 (a limit at or below it leaves room for one more Int64 × Int64 product).
    static func limit(_ digits: Int) -> Int128 { pow10Int128(min(digits, 37)) }

    /// `micros` since the epoch; price and volume at the scale. Returns the previous minute when this trade starts a new one.
    @inline(__always)
    public mutating func add(micros: Int64, price: Int64, volume v: Int64) -> HistoryCandle? {
        let m = micros >= 0 ? micros / 60_000_000 : (micros - 59_999_999) / 60_000_000
        var done: HistoryCandle?
        if count == 0 || m != minute {
            if count > 0 { done = current() }
            minute = m; open = price; high = price; low = price; volume = 0; quote = 0; count = 0
        }
        if price > high { high = price }
        if price < low { low = price }
        close = price
        volume += Int128(v)
        quote += Int128(price) * Int128(v)
        count += 1
        return done
    }

    func current() -> HistoryCandle {
        let qd = scale.priceDecimals + scale.quantityDecimals
        // Σ price × volume has price + quantity decimals: to 18 exactly, or half-even when finer than 1e-18.
        let q: Money = qd <= 18 ? Money(raw: quote * pow10Int128(18 - qd))
            : Money(raw: quote).scaled(byRatio: 1, over: pow10Int128(qd - 18), .halfEven) ?? Money(raw: 0)
        let vol = Quantity(raw: volume * StorageScale.divisor(scale.quantityDecimals))
        return HistoryCandle(symbol: symbol, intervalMinutes: 1, start: Timestamp(nanoseconds: minute * 60_000_000_000),
                             open: scale.price(open), high: scale.price(high), low: scale.price(low), close: scale.price(close),
                             volume: vol, quoteVolume: q, tradeCount: count,
                             vwap: vol.isPositive ? q.price(per: vol, .halfEven) : nil, isComplete: true, source: .trades)
    }
}
