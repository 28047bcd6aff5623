import TradingCore

/// Gaps anywhere in stored history (history.md §10.2): a minute is covered by a stored 1m candle or by a coverage
/// range (the source proved completeness, so a minute without a candle there had no trades). Holes in the middle are
/// found as well as the tail. The tail counts only when the last covered minute is more than `minGapMinutes` old
/// (scenario 4), and starts at that minute so it is fetched again. A higher timeframe reports the same holes widened
/// to its buckets: rollups have no gaps of their own.
public struct GapDetector: Sendable {
    public let store: any HistoryStore
    public let now: Timestamp
    public var minGapMinutes = 2
    public var initialBackfillDays = 30

    public init(store: any HistoryStore, now: Timestamp) { self.store = store; self.now = now }

    public func gaps(_ symbol: Symbol, timeframe: Timeframe = .m1, within: TimeSpan? = nil) async throws -> [DataGap] {
        let ext = try await store.extent(symbol)
        let allCoverage = try await store.coverage(symbol, dataType: "candles_1m", overlapping: TimeSpan(Timestamp(nanoseconds: .min), Timestamp(nanoseconds: .max)))
        let firstKnown = [ext.firstCandle, allCoverage.first?.start].compactMap { $0 }.min()
        guard let first = firstKnown else {
            // No data yet: the whole initial backfill window (scenario 5).
            return [DataGap(symbol: symbol, span: TimeSpan(now - .minutes(Int64(initialBackfillDays) * 1440), now))]
        }
        let span = within ?? TimeSpan(Buckets.floor(first, minutes: 1), now)
        let times = try await store.baseCandleTimes(symbol, in: span)
        var covered = allCoverage
        var run: TimeSpan?
        for t in times {
            if let r = run, r.end == t { run!.end = t + .minutes(1) } else {
                if let r = run { covered.append(r) }
                run = TimeSpan(t, t + .minutes(1))
            }
        }
        if let r = run { covered.append(r) }
        covered = TimeSpan.union(covered)
        var holes = span.subtracting(covered)
        // The tail: from the last covered minute, only past the threshold.
        if let last = holes.last, last.end == now, within == nil {
            holes.removeLast()
            let lastMinute = (covered.last(where: { $0.start < now })?.end).map { $0 - .minutes(1) } ?? last.start
            if now - lastMinute > .minutes(Int64(minGapMinutes)) { holes.append(TimeSpan(lastMinute, now)) }
        }
        if timeframe != .m1 {
            holes = TimeSpan.union(holes.map { Buckets.widen($0, minutes: timeframe.minutes) })
        }
        return holes.map { DataGap(symbol: symbol, span: $0) }
    }

    /// §10.2 for trades: only `data_coverage` of type `trades` proves that a span's trades are all stored (a trade
    /// file, or the Trades endpoint paged without a break); stored trades alone prove nothing about their
    /// neighbours. Holes from the first proven span to now; the tail past `minGapMinutes`, as for candles.
    public func tradeGaps(_ symbol: Symbol, within: TimeSpan? = nil) async throws -> [DataGap] {
        let all = TimeSpan(Timestamp(nanoseconds: .min), Timestamp(nanoseconds: .max))
        let covered = TimeSpan.union(try await store.coverage(symbol, dataType: "trades", overlapping: within ?? all))
        guard let first = covered.first?.start else {
            return [DataGap(symbol: symbol, dataType: "trades", span: within ?? TimeSpan(now - .minutes(Int64(initialBackfillDays) * 1440), now))]
        }
        let span = within ?? TimeSpan(first, max(first, now))
        var holes = span.subtracting(covered)
        if let last = holes.last, last.end == now, within == nil {
            holes.removeLast()
            let end = covered.last(where: { $0.start < now })?.end ?? last.start
            if now - end > .minutes(Int64(minGapMinutes)) { holes.append(TimeSpan(end, now)) }
        }
        return holes.map { DataGap(symbol: symbol, dataType: "trades", span: $0) }
    }
}
