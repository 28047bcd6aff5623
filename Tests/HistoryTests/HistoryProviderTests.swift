import Foundation
import Testing
import TradingCore
@testable import History

/// §8.2's contracts and scenarios 4, 5, 23–27.
@Suite struct HistoryProviderTests {
    func provider(_ store: any HistoryStore, now: Timestamp) -> HistoryProvider {
        HistoryProvider(clock: { now }, open: { store })
    }

    func minutes(_ s: Symbol, from: String, count: Int, price: String = "1.5") -> [HistoryCandle] {
        (0..<count).map { i in
            var c = H.m1(s, from, price, price, price, price, "1", 1, price)
            c.start = c.start + .minutes(Int64(i))
            return c
        }
    }

    @Test(arguments: StoreKind.allCases) func contracts(_ kind: StoreKind) async throws {
        let store = try await H.store(kind)
        try await H.write(store, H.xrp, minutes(H.xrp, from: "2024-01-01T10:00Z", count: 30))
        let p = provider(store, now: H.t("2030-01-01"))
        // Before connect: notConnected.
        await #expect(throws: HistoryError.notConnected) { try await p.candles(H.xrp, interval: 1, range: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02"))) }
        try await p.connect()
        for bad in [0, -1, 10_081] {
            await #expect(throws: HistoryError.invalidInterval(bad)) { try await p.candles(H.xrp, interval: bad, range: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02"))) }
        }
        let five = try await p.candles(H.xrp, interval: 1, range: TimeSpan(H.t("2024-01-01T10:00Z"), H.t("2024-01-01T10:05Z")))
        #expect(five.map(\.start) == (0..<5).map { H.t("2024-01-01T10:00Z") + .minutes(Int64($0)) })
        // A non-standard interval is aggregated, not empty.
        let three = try await p.candles(H.xrp, interval: 3, range: TimeSpan(H.t("2024-01-01T10:00Z"), H.t("2024-01-01T10:30Z")))
        #expect(three.count == 10 && three.allSatisfy { $0.volume == H.q("3") && $0.tradeCount == 3 && $0.sourceRows == 3 })
        // Standard rollups read from their table (refreshed on demand).
        let fives = try await p.candles(H.xrp, interval: 5, range: TimeSpan(H.t("2024-01-01T10:00Z"), H.t("2024-01-01T10:30Z")))
        #expect(fives.count == 6 && fives.allSatisfy { $0.volume == H.q("5") })
        // A symbol the store never held is an error; the other §8.2 operations.
        await #expect(throws: HistoryError.unknownSymbol("ETH/BTC")) { try await p.candles(Symbol("ETH/BTC")!, interval: 1, range: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02"))) }
        #expect(try await p.symbols() == [H.xrp])
        let range = try await p.dataRange(H.xrp)
        #expect(range.oldest == H.t("2024-01-01T10:00Z") && range.newest == H.t("2024-01-01T10:29Z") && range.totalCandles == 30)
        #expect(try await p.latestCandles(H.xrp, interval: 5, count: 2).map(\.start) == [H.t("2024-01-01T10:20Z"), H.t("2024-01-01T10:25Z")])
        let h = await p.health()
        #expect(h.connected && h.symbols == [H.xrp] && h.totalCandles == 30 && h.oldest == range.oldest && h.newest == range.newest && h.error == nil)
        #expect(await HistoryProvider(clock: { H.t("2030-01-01") }, open: { store }).health() == HistoryProvider.Health(connected: false))
        // The 1h bucket 10:00 has 30 of 60 minutes: incomplete, so only returned on request.
        #expect(try await p.candles(H.xrp, interval: 60, range: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02"))).isEmpty)
        #expect(try await p.candles(H.xrp, interval: 60, range: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), includeIncomplete: true).count == 1)
    }

    @Test(arguments: StoreKind.allCases) func closedCandlesNeverShowTheBucketInProgress(_ kind: StoreKind) async throws {
        // Scenario 25: hourly data 08:00, 09:00, 10:00; asOf 10:30 → [08:00, 09:00].
        let store = try await H.store(kind)
        var rows: [HistoryCandle] = []
        for h in ["08", "09", "10"] { rows += minutes(H.xrp, from: "2024-01-15T\(h):00Z", count: 60) }
        try await H.write(store, H.xrp, rows)
        let p = provider(store, now: H.t("2024-01-15T10:30Z"))
        try await p.connect()
        let c = try await p.closedCandles(H.xrp, interval: 60, asOf: H.t("2024-01-15T10:30Z"), count: 2)
        #expect(c.map(\.start) == [H.t("2024-01-15T08:00Z"), H.t("2024-01-15T09:00Z")])
        // On the boundary the bar that closes exactly then is closed: asOf 11:00 → [09:00, 10:00]; 1m likewise.
        let later = provider(store, now: H.t("2024-01-15T11:00Z"))
        try await later.connect()
        #expect(try await later.closedCandles(H.xrp, interval: 60, asOf: H.t("2024-01-15T11:00Z"), count: 2).map(\.start)
                == [H.t("2024-01-15T09:00Z"), H.t("2024-01-15T10:00Z")])
        #expect(try await later.closedCandles(H.xrp, interval: 1, asOf: H.t("2024-01-15T10:59Z"), count: 1).map(\.start) == [H.t("2024-01-15T10:58Z")])
        let c3 = try await p.closedCandles(H.xrp, interval: 7, asOf: H.t("2024-01-15T10:30Z"), count: 2)
        #expect(c3.allSatisfy { $0.end <= H.t("2024-01-15T10:30Z") } && c3.count == 2)
        // Out-of-range arguments are typed errors, never a trap (a negative count, an overflowing span, a negative limit).
        for count in [-1, Int.max, HistoryProvider.maxCount + 1] {
            await #expect(throws: HistoryError.self) { _ = try await p.closedCandles(H.xrp, interval: 60, asOf: H.t("2024-01-15T10:30Z"), count: count) }
        }
        await #expect(throws: HistoryError.self) { _ = try await p.closedCandles(H.xrp, interval: 10_080, asOf: H.t("2024-01-15T10:30Z"), count: 9_000_000) }
        await #expect(throws: HistoryError.self) { _ = try await p.multiTimeframe(H.xrp, end: H.t("2024-01-15T10:30Z"), lookback: Int.max) }
        await #expect(throws: HistoryError.self) { _ = try await p.candles(H.xrp, interval: 1, range: TimeSpan(H.t("2024-01-15T08:00Z"), H.t("2024-01-15T09:00Z")), limit: -5) }
        #expect(try await p.closedCandles(H.xrp, interval: 60, asOf: H.t("2024-01-15T10:30Z"), count: 0).isEmpty)
        // limit 0 means no limit (§8.1), with and without incomplete buckets.
        let span = TimeSpan(H.t("2024-01-15T08:00Z"), H.t("2024-01-15T09:00Z"))
        #expect(try await p.candles(H.xrp, interval: 1, range: span, limit: 0).count == 60)
        #expect(try await p.candles(H.xrp, interval: 1, range: span, limit: 0, includeIncomplete: true).count == 60)
    }

    @Test(arguments: StoreKind.allCases) func multiTimeframeLookback(_ kind: StoreKind) async throws {
        // Scenario 24: the range starts are end − interval × lookback.
        let end = H.t("2024-01-20T12:00Z")
        let expected: [Int: String] = [1: "2024-01-20T10:20Z", 5: "2024-01-20T03:40Z", 15: "2024-01-19T11:00Z", 60: "2024-01-16T08:00Z", 240: "2024-01-03T20:00Z"]
        for (i, s) in expected { #expect(end - .minutes(Int64(i * 100)) == H.t(s)) }
        let store = try await H.store(kind)
        try await H.write(store, H.xrp, minutes(H.xrp, from: "2024-01-20T10:00Z", count: 120))
        let p = provider(store, now: H.t("2030-01-01"))
        try await p.connect()
        let m = try await p.multiTimeframe(H.xrp, end: end)
        #expect(m[1]?.first?.start == H.t("2024-01-20T10:20Z") && m[1]?.count == 100)
        #expect(m[5]?.count == 24)
    }

    @Test(arguments: StoreKind.allCases) func replayTiming(_ kind: StoreKind) async throws {
        // Scenario 26: three 1m candles at speed 60 → two waits of 1 s; speed 0 → none.
        let store = try await H.store(kind)
        try await H.write(store, H.xrp, minutes(H.xrp, from: "2024-01-01T10:00Z", count: 3))
        let p = provider(store, now: H.t("2030-01-01"))
        try await p.connect()
        for (speed, waits) in [(60.0, [Interval.seconds(1), .seconds(1)]), (0, [])] {
            let log = WaitLog()
            var n = 0
            for try await _ in p.replay(H.xrp, interval: 1, range: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), speed: speed, sleep: { log.add($0) }) { n += 1 }
            #expect(n == 3 && log.all == waits)
        }
    }

    @Test(arguments: StoreKind.allCases) func tailGapThresholdAndEmptySymbol(_ kind: StoreKind) async throws {
        // Scenario 4: newest candle 10:00, min gap 2 minutes.
        let store = try await H.store(kind)
        try await H.write(store, H.xrp, minutes(H.xrp, from: "2024-01-01T09:00Z", count: 61))
        for (now, gap) in [("2024-01-01T10:01:59Z", nil), ("2024-01-01T10:02:00Z", nil), ("2024-01-01T10:02:01Z", "2024-01-01T10:00:00Z")] {
            let g = try await GapDetector(store: store, now: H.t(now)).gaps(H.xrp)
            if let start = gap {
                #expect(g.map(\.span) == [TimeSpan(H.t(start), H.t(now))])
            } else {
                #expect(g.isEmpty)
            }
        }
        // Scenario 5: no data → the initial 30-day window, a large gap for the Trades path.
        let g = try await GapDetector(store: store, now: H.t("2024-03-31T00:00Z")).gaps(Symbol("BTC/USDT")!)
        #expect(g.map(\.span) == [TimeSpan(H.t("2024-03-01T00:00Z"), H.t("2024-03-31T00:00Z"))])
        #expect(g[0].duration == .minutes(30 * 1440) && g[0].fillPath(now: H.t("2024-03-31T00:00Z")) == .trades)
    }

    @Test(arguments: StoreKind.allCases) func internalGapsRespectCoverage(_ kind: StoreKind) async throws {
        // Holes in the middle; a covered span without candles (no trades) is not a gap.
        let store = try await H.store(kind)
        var rows = minutes(H.xrp, from: "2024-01-01T10:00Z", count: 10)          // 10:00–10:09
        rows += minutes(H.xrp, from: "2024-01-01T10:20Z", count: 10)             // 10:20–10:29
        rows += minutes(H.xrp, from: "2024-01-01T11:00Z", count: 5)              // 11:00–11:04
        try await H.write(store, H.xrp, rows, coverage: TimeSpan(H.t("2024-01-01T10:30Z"), H.t("2024-01-01T10:45Z")))
        let g = try await GapDetector(store: store, now: H.t("2024-01-01T11:05Z")).gaps(H.xrp)
        #expect(g.map(\.span) == [TimeSpan(H.t("2024-01-01T10:10Z"), H.t("2024-01-01T10:20Z")),
                                  TimeSpan(H.t("2024-01-01T10:45Z"), H.t("2024-01-01T11:00Z"))])
        let h = try await GapDetector(store: store, now: H.t("2024-01-01T11:05Z")).gaps(H.xrp, timeframe: .h1)
        #expect(h.map(\.span) == [TimeSpan(H.t("2024-01-01T10:00Z"), H.t("2024-01-01T11:00Z"))])
    }

    @Test(arguments: StoreKind.allCases) func tradeGapsAndSyncStatus(_ kind: StoreKind) async throws {
        // §10.2 trades: only `trades` coverage proves a span complete. Proven 10:00–11:00 and 12:00–13:00, now 13:30:
        // the hole between and the 30-minute tail are gaps; stored trades outside coverage (11:30) prove nothing.
        let now = H.t("2024-01-01T13:30Z")
        let store = try await H.store(kind, now: now)
        let scale = try await store.fixScale(H.xrp, proposed: StorageScale(InstrumentRegistry()[H.xrp]!))
        var b = HistoryBatch(symbol: H.xrp)
        for (i, ts) in ["2024-01-01T10:05Z", "2024-01-01T10:50Z", "2024-01-01T11:30Z", "2024-01-01T12:10Z"].enumerated() {
            b.trades.append(micros: H.t(ts).nanoseconds / 1000, key: Int64(i + 1), price: scale.storedPrice(H.p("0.5"))!,
                            volume: scale.storedQuantity(H.q("2"))!)
        }
        b.coverage = [CoverageRecord(dataType: "trades", span: TimeSpan(H.t("2024-01-01T10:00Z"), H.t("2024-01-01T11:00Z")), source: "test"),
                      CoverageRecord(dataType: "trades", span: TimeSpan(H.t("2024-01-01T12:00Z"), H.t("2024-01-01T13:00Z")), source: "test")]
        _ = try await store.write(b)
        let d = GapDetector(store: store, now: now)
        let gaps = try await d.tradeGaps(H.xrp)
        #expect(gaps.map(\.span) == [TimeSpan(H.t("2024-01-01T11:00Z"), H.t("2024-01-01T12:00Z")), TimeSpan(H.t("2024-01-01T13:00Z"), now)])
        #expect(gaps.allSatisfy { $0.dataType == "trades" })
        // A symbol without trade coverage: the initial backfill window.
        #expect(try await d.tradeGaps(H.btc).map(\.span) == [TimeSpan(now - .minutes(30 * 1440), now)])

        // Writing the same trades again adds nothing; the status counts the data, not the writes.
        _ = try await store.write(b)
        let p = provider(store, now: now)
        try await p.connect()
        let st = try #require(try await p.syncStatus(H.xrp, dataType: "trades"))
        #expect(st.totalRecords == 4 && st.oldest == H.t("2024-01-01T10:05Z") && st.newest == H.t("2024-01-01T12:10Z") && st.lastSyncAt == now)
        #expect(try await p.syncStatus(H.xrp, dataType: "candles_1m") == nil)
        await #expect(throws: HistoryError.unknownSymbol("ETH/BTC")) { try await p.syncStatus(Symbol("ETH/BTC")!) }
    }

    @Test(arguments: StoreKind.allCases) func pruneNeverErasesRollupHistory(_ kind: StoreKind) async throws {
        // Scenario 27: 1m rows older than the cut are pruned; a later refresh leaves the old daily rows alone.
        let store = try await H.store(kind)
        var rows: [HistoryCandle] = []
        for day in ["2024-01-01", "2024-01-02", "2024-01-20"] { rows += minutes(H.xrp, from: "\(day)T00:00Z", count: 30) }
        try await H.write(store, H.xrp, rows)
        let rf = RollupRefresher(store: store, now: H.t("2030-01-01"))
        try await rf.refreshPending()
        let all = TimeSpan(H.t("2023-01-01"), H.t("2025-01-01"))
        let before = try await store.rollupCandles(.d1, H.xrp, in: all, limit: nil, descending: false)
        #expect(before.count == 3)
        let cut = Buckets.floor(H.t("2024-01-17"), minutes: 10080)  // Monday 2024-01-15
        let pruned = try await store.prune(before: cut)
        #expect(pruned.candles == 60 && pruned.trades == 0)
        // A refresh over everything (as after a late write) must not delete the old buckets.
        _ = try await rf.refresh(H.xrp, spans: [all])
        #expect(try await store.rollupCandles(.d1, H.xrp, in: all, limit: nil, descending: false) == before)
        #expect(try await store.baseCandles(H.xrp, in: all, limit: nil, descending: false).count == 30)
    }
}

final class WaitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Interval] = []
    func add(_ i: Interval) { lock.withLock { waits.append(i) } }
    var all: [Interval] { lock.withLock { waits } }
}
