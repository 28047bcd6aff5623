import TradingCore

/// The read API strategies' warm-up and backtests use (history.md §8.2). Connects lazily through `open`; every query
/// before `connect()` fails with `notConnected`. Pending rollup work is settled before a rollup is read, so a read
/// never sees a stale bucket. Ranges are half-open, results ascending.
public final class HistoryProvider: @unchecked Sendable {
    let open: @Sendable () async throws -> any HistoryStore
    let clock: @Sendable () -> Timestamp
    private(set) var store: (any HistoryStore)?

    public init(clock: @escaping @Sendable () -> Timestamp, open: @escaping @Sendable () async throws -> any HistoryStore) {
        self.clock = clock; self.open = open
    }

    public func connect() async throws { if store == nil { store = try await open() } }
    public func close() async throws { try await store?.close(); store = nil }

    func connected() throws -> any HistoryStore {
        guard let s = store else { throw HistoryError.notConnected }
        return s
    }

    static func check(_ interval: Int) throws {
        guard (1...10_080).contains(interval) else { throw HistoryError.invalidInterval(interval) }
    }

    /// A symbol the store has never held is an error, not an empty answer (§2: never skipped silently).
    func known(_ s: any HistoryStore, _ symbol: Symbol) async throws {
        guard try await s.scale(of: symbol) != nil else { throw HistoryError.unknownSymbol(symbol.text) }
    }

    /// The newest `count` closed candles as of now (the reference's latest-N and warm-up, without its look-ahead).
    public func latestCandles(_ symbol: Symbol, interval: Int, count: Int) async throws -> [HistoryCandle] {
        try await closedCandles(symbol, interval: interval, asOf: clock(), count: count)
    }

    public func warmup(_ symbol: Symbol, interval: Int, periods: Int) async throws -> [HistoryCandle] {
        try await latestCandles(symbol, interval: interval, count: periods)
    }

    /// Oldest and newest 1m candle and their count, computed from the data (§8.1's weakness).
    public func dataRange(_ symbol: Symbol) async throws -> (oldest: Timestamp?, newest: Timestamp?, totalCandles: Int) {
        let s = try connected()
        try await known(s, symbol)
        let ext = try await s.extent(symbol)
        return (ext.firstCandle, ext.lastCandle, try await s.stats(symbol).candles[.m1] ?? 0)
    }

    public func symbols() async throws -> [Symbol] { try await connected().symbols() }

    /// The symbol's `candles_1m` (or `trades`) sync row with oldest, newest and total taken from the stored data;
    /// nil when no writer has recorded one.
    public func syncStatus(_ symbol: Symbol, dataType: String = "candles_1m") async throws -> SyncStatus? {
        let s = try connected()
        try await known(s, symbol)
        guard var row = try await s.syncStatus(symbol, dataType: dataType) else { return nil }
        let ext = try await s.extent(symbol), stats = try await s.stats(symbol)
        switch dataType {
        case "trades": row.oldest = ext.firstTrade; row.newest = ext.lastTrade; row.totalRecords = Int64(stats.trades)
        case "candles_1m": row.oldest = ext.firstCandle; row.newest = ext.lastCandle; row.totalRecords = Int64(stats.candles[.m1] ?? 0)
        default: break
        }
        return row
    }

    public struct Health: Sendable, Equatable {
        public var connected: Bool
        public var symbols: [Symbol] = []
        public var totalCandles = 0
        public var oldest: Timestamp?
        public var newest: Timestamp?
        public var error: String?
    }

    /// Never throws: not connected or a failing query is reported in the value.
    public func health() async -> Health {
        guard let s = store else { return Health(connected: false) }
        var h = Health(connected: true)
        do {
            h.symbols = try await s.symbols()
            for sym in h.symbols {
                let ext = try await s.extent(sym)
                h.totalCandles += try await s.stats(sym).candles[.m1] ?? 0
                if let a = ext.firstCandle { h.oldest = min(h.oldest ?? a, a) }
                if let b = ext.lastCandle { h.newest = max(h.newest ?? b, b) }
            }
        } catch { h.error = "\(error)" }
        return h
    }

    /// Candles at any interval 1…10080: standard ones from their table, others aggregated from 1m on the fly (6.5
    /// bucketing). Only complete buckets unless `includeIncomplete`.
    public func candles(_ symbol: Symbol, interval: Int, range: TimeSpan, limit: Int? = nil, includeIncomplete: Bool = false) async throws -> [HistoryCandle] {
        try Self.check(interval)
        // §8.1: a limit of 0 (or none) means no limit, in every path and on every store.
        if let l = limit, l < 0 { throw HistoryError.invalidArgument("limit must be ≥ 0 (0: no limit), got \(l)") }
        let limit = limit == 0 ? nil : limit
        let s = try connected()
        try await known(s, symbol)
        var out: [HistoryCandle]
        if let tf = Timeframe(rawValue: interval) {
            if tf != .m1 { try await RollupRefresher(store: s, now: clock()).refreshPending(only: symbol) }
            out = try await s.rollupCandles(tf, symbol, in: range, limit: includeIncomplete ? limit : nil, descending: false)
        } else {
            // Bounded by the stored data, so an absurd range costs nothing.
            let ext = try await s.extent(symbol)
            guard let a = ext.firstCandle, let b = ext.lastCandle, let clip = range.intersection(TimeSpan(a, b + .minutes(1))) else { return [] }
            let wide = Buckets.widen(clip, minutes: interval)
            let base = try await s.baseCandles(symbol, in: wide, limit: nil, descending: false)
            let cover = MinuteCoverage(span: wide, candleTimes: base.filter(\.isComplete).map(\.start),
                                       coverage: try await s.coverage(symbol, dataType: "candles_1m", overlapping: wide))
            out = CandleAggregator.aggregate(base, symbol: symbol, minutes: interval, now: clock(), coverage: cover)
                .filter { range.contains($0.start) }
        }
        if !includeIncomplete { out = out.filter(\.isComplete) }
        if let l = limit, l > 0, out.count > l { out = Array(out.prefix(l)) }
        return out
    }

    /// The most candles one call returns (10 million: ~19 years of minutes), so no count can overflow the arithmetic.
    public static let maxCount = 10_000_000
    /// 100 years of minutes: the widest span a count or lookback may ask for (its nanoseconds fit an Int64).
    public static let maxSpanMinutes: Int64 = 52_560_000

    /// The last `count` candles whose bucket has closed by `asOf` (end ≤ asOf): the warm-up and backtest primitive,
    /// so no in-progress bucket is ever seen (§8.1's look-ahead weakness).
    public func closedCandles(_ symbol: Symbol, interval: Int, asOf: Timestamp, count: Int) async throws -> [HistoryCandle] {
        try Self.check(interval)
        guard (0...Self.maxCount).contains(count), Int64(interval) * Int64(count + 1) <= Self.maxSpanMinutes else {
            throw HistoryError.invalidArgument("count must be in 0…\(Self.maxCount) and count × interval within 100 years, got \(count) × \(interval) min")
        }
        if count == 0 { return [] }
        let s = try connected()
        try await known(s, symbol)
        let lastStart = asOf - .minutes(Int64(interval))
        if let tf = Timeframe(rawValue: interval) {
            if tf != .m1 { try await RollupRefresher(store: s, now: clock()).refreshPending(only: symbol) }
            return try await s.rollupCandles(tf, symbol, in: TimeSpan(Timestamp(nanoseconds: .min / 2), lastStart + Interval(nanoseconds: 1000)),
                                             limit: count, descending: true)
        }
        let from = lastStart - .minutes(Int64(interval) * Int64(count + 1))
        let all = try await candles(symbol, interval: interval, range: TimeSpan(from, lastStart + Interval(nanoseconds: 1000)), includeIncomplete: true)
        return Array(all.suffix(count))
    }

    public func trades(_ symbol: Symbol, range: TimeSpan, limit: Int? = nil) async throws -> [HistoricalTrade] {
        let s = try connected()
        try await known(s, symbol)
        return try await s.trades(symbol, in: range, limit: limit)
    }

    public func gaps(_ symbol: Symbol, interval: Int = 1, range: TimeSpan? = nil) async throws -> [DataGap] {
        try Self.check(interval)
        return try await GapDetector(store: try connected(), now: clock()).gaps(symbol, timeframe: Timeframe(rawValue: interval) ?? .m1, within: range)
    }

    /// Multi-timeframe lookback (§8.1): each interval from `end − interval × lookback` to `end`.
    public func multiTimeframe(_ symbol: Symbol, end: Timestamp, intervals: [Int] = [1, 5, 15, 60, 240], lookback: Int = 100) async throws -> [Int: [HistoryCandle]] {
        for i in intervals {
            try Self.check(i)
            guard (0...Self.maxCount).contains(lookback), Int64(i) * Int64(lookback) <= Self.maxSpanMinutes else {
                throw HistoryError.invalidArgument("lookback must be in 0…\(Self.maxCount) and lookback × interval within 100 years, got \(lookback) × \(i) min")
            }
        }
        var out: [Int: [HistoryCandle]] = [:]
        for i in intervals {
            out[i] = try await candles(symbol, interval: i, range: TimeSpan(end - .minutes(Int64(i * lookback)), end))
        }
        return out
    }

    /// Streams candles page by page (10,000 per read); `speed` > 0 waits `(next − this) / speed` between candles
    /// through `sleep` (the caller's clock), 0 (the default) replays as fast as possible.
    public func replay(_ symbol: Symbol, interval: Int, range: TimeSpan, speed: Double = 0,
                       sleep: @escaping @Sendable (Interval) async throws -> Void = { _ in }) -> AsyncThrowingStream<HistoryCandle, Error> {
        AsyncThrowingStream { c in
            let task = Task {
                do {
                    var from = range.start
                    var previous: HistoryCandle?
                    while from < range.end {
                        // Pages of stored rows (in progress included, so the limit bounds the read), complete ones replayed.
                        let stored = try await candles(symbol, interval: interval, range: TimeSpan(from, range.end), limit: 10_000, includeIncomplete: true)
                        guard let last = stored.last else { break }
                        for candle in stored where candle.isComplete {
                            if let p = previous, speed > 0 {
                                let ns = Double((candle.start - p.start).nanoseconds) / speed
                                try await sleep(Interval(nanoseconds: ns < 9e18 ? Int64(ns) : Int64.max))
                            }
                            c.yield(candle)
                            previous = candle
                        }
                        // Buckets are aligned: the next page starts where the last candle ends.
                        from = last.end
                    }
                    c.finish()
                } catch { c.finish(throwing: error) }
            }
            c.onTermination = { _ in task.cancel() }
        }
    }
}
