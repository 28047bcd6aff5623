import TradingCore

/// Keeps `candles_5m` … `candles_1w` equal to an aggregation of the 1m base (history.md §6.3), refreshed only where
/// writes landed: every writer records an invalidation with its data; this processes them. Each refresh widens the
/// span to whole weeks (the widest bucket, so every rollup bucket in it is whole), reads the base once and rebuilds all
/// eight rollups from it directly (exact: no rounded intermediate, unlike the reference's hierarchy), in one
/// transaction per chunk with the invalidation it settles. Never before the symbol's retained start (§5.4 rule 1): a
/// pruned base cannot erase rollup history. Buckets still in progress are stored incomplete and carried over.
public struct RollupRefresher: Sendable {
    public let store: any HistoryStore
    public let now: Timestamp
    /// Weeks per read: bounds memory (8 weeks of 1m ≈ 80,640 rows).
    public var chunkWeeks = 8

    public init(store: any HistoryStore, now: Timestamp) { self.store = store; self.now = now }

    public struct Report: Sendable, Equatable {
        public var symbols = 0
        public var baseRows = 0
        public var rollupRows = 0
    }

    /// Processes every pending invalidation (optionally of one symbol).
    @discardableResult
    public func refreshPending(only: Symbol? = nil) async throws -> Report {
        let pending = try await store.pendingInvalidations()
        var bySymbol: [Symbol: [Invalidation]] = [:]
        for p in pending where only == nil || p.symbol == only { bySymbol[p.symbol, default: []].append(p) }
        var report = Report()
        for (symbol, list) in bySymbol.sorted(by: { $0.key.text < $1.key.text }) {
            report.symbols += 1
            let r = try await refresh(symbol, spans: list.map(\.span), processed: list.map(\.id))
            report.baseRows += r.baseRows; report.rollupRows += r.rollupRows
        }
        return report
    }

    /// Rebuilds the rollups of `symbol` over `spans` (widened to weeks); `processed` invalidations are removed with
    /// the last chunk.
    public func refresh(_ symbol: Symbol, spans: [TimeSpan], processed: [Int64] = []) async throws -> Report {
        var report = Report()
        let week = Timeframe.w1.minutes
        var merged = TimeSpan.union(spans.map { Buckets.widen($0, minutes: week) })
        if let kept = try await store.retainedFrom(symbol) {
            let from = Buckets.ceil(kept, minutes: week)
            merged = merged.compactMap { $0.intersection(TimeSpan(from, Timestamp(nanoseconds: .max))) }
        }
        var chunks: [TimeSpan] = []
        for m in merged {
            var s = m.start
            while s < m.end {
                let e = min(m.end, s + .minutes(Int64(week * chunkWeeks)))
                chunks.append(TimeSpan(s, e)); s = e
            }
        }
        if chunks.isEmpty {
            if !processed.isEmpty { try await store.replaceRollups(symbol, span: TimeSpan(now, now), rows: [:], processed: processed, carryOver: nil) }
            return report
        }
        for (i, chunk) in chunks.enumerated() {
            let base = try await store.baseCandles(symbol, in: chunk, limit: nil, descending: false)
            let cover = MinuteCoverage(span: chunk, candleTimes: base.filter(\.isComplete).map(\.start),
                                       coverage: try await store.coverage(symbol, dataType: "candles_1m", overlapping: chunk))
            var rows: [Timeframe: [HistoryCandle]] = [:]
            var inProgress: Timestamp?
            for tf in HistorySchema.rollups {
                let r = CandleAggregator.aggregate(base, symbol: symbol, minutes: tf.minutes, now: now, coverage: cover)
                if let first = r.first(where: { $0.end > now }) { inProgress = min(inProgress ?? first.start, first.start) }
                rows[tf] = r
                report.rollupRows += r.count
            }
            report.baseRows += base.count
            let last = i == chunks.count - 1
            try await store.replaceRollups(symbol, span: chunk, rows: rows, processed: last ? processed : [],
                                           carryOver: inProgress.map { TimeSpan($0, max(chunk.end, $0 + .minutes(1))) })
        }
        return report
    }
}
