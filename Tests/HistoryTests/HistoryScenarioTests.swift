import Foundation
import Testing
import TradingCore
@testable import History
import NIOCore

/// history.md §19's scenarios with their expected values from the spec's own arithmetic.
@Suite struct HistoryScenarioTests {
    @Test func candleDerivedValuesAndTradeValue() {
        // Scenario 1.
        var c = H.m1(H.xrp, "2024-01-01T10:00Z", "2.30", "2.40", "2.20", "2.35", "100", 1, nil)
        #expect(c.typicalPrice == H.p("2.316666666666666667"))  // 6.95 / 3, half-even at 1e-18
        #expect(c.range == H.p("0.20") && c.bodySize == H.p("0.05") && c.isBullish)
        #expect(c.upperWick == H.p("0.05") && c.lowerWick == H.p("0.10"))
        c.open = H.p("2.35"); c.close = H.p("2.30")
        #expect(!c.isBullish)
        c.close = c.open
        #expect(!c.isBullish)  // a doji is not bullish
        // Scenario 2.
        let t = HistoricalTrade(symbol: H.xrp, time: H.t("2024-01-01"), tradeKey: 1, price: H.p("2.50"), volume: H.q("100"), side: .buy, source: .rest)
        #expect(t.value == Money("250")!)
    }

    @Test func gapClassificationAndRouting() {
        let s = H.t("2024-03-01T00:00Z")
        func gap(_ minutes: Int64, at start: Timestamp = s) -> DataGap { DataGap(symbol: H.xrp, span: TimeSpan(start, start + .minutes(minutes))) }
        // Scenario 3.
        #expect(gap(360).isSmall && gap(360).hours == 6.0)
        #expect(!gap(1440).isSmall && gap(1440).hours == 24.0)
        #expect(!gap(720).isSmall)
        #expect(gap(60).candlesNeeded == 60)
        #expect(DataGap(symbol: H.xrp, span: TimeSpan(s, s + .seconds(90))).candlesNeeded == 1)
        // Scenario 6: a 6 h tail ending now → OHLC; a 2 h gap that ended 3 days ago → Trades.
        let now = H.t("2024-03-10T12:00Z")
        #expect(gap(360, at: now - .minutes(360)).fillPath(now: now) == .ohlc)
        #expect(gap(120, at: now - .minutes(3 * 1440 + 120)).fillPath(now: now) == .trades)
    }

    @Test func bucketAlignment() {
        // Scenario 8.
        let x = H.t("2024-01-15T10:30Z")
        #expect(Buckets.floor(x, minutes: 240) == H.t("2024-01-15T08:00Z"))
        #expect(Buckets.floor(x, minutes: 720) == H.t("2024-01-15T00:00Z"))
        #expect(Buckets.floor(x, minutes: 1440) == H.t("2024-01-15T00:00Z"))
        #expect(Buckets.floor(H.t("2024-01-17T05:00Z"), minutes: 10080) == H.t("2024-01-15T00:00Z"))
        #expect(Buckets.floor(H.t("2024-01-14T23:59Z"), minutes: 10080) == H.t("2024-01-08T00:00Z"))
        #expect(Buckets.floor(H.t("2024-01-15T00:00Z"), minutes: 10080) == H.t("2024-01-15T00:00Z"))
        // Before 1970 the floor is still mathematical: 1969-12-31T23:59:30 → 23:59.
        #expect(Buckets.floor(Timestamp(seconds: -30), minutes: 1) == Timestamp(seconds: -60))
        // Agrees with the kernel's own week bucketing.
        #expect(Buckets.floor(x, minutes: 10080) == Timeframe.w1.bucket(x))
    }

    @Test(arguments: StoreKind.allCases) func fiveMinuteRollup(_ kind: StoreKind) async throws {
        // Scenario 7.
        let store = try await H.store(kind, now: H.t("2024-01-01T10:06Z"))
        let rows = [
            H.m1(H.xrp, "2024-01-01T10:00Z", "1.00", "1.05", "0.99", "1.02", "100", 10, "1.01"),
            H.m1(H.xrp, "2024-01-01T10:01Z", "1.02", "1.08", "1.01", "1.07", "200", 20, "1.05"),
            H.m1(H.xrp, "2024-01-01T10:02Z", "1.07", "1.07", "1.03", "1.04", "50", 5, "1.05"),
            H.m1(H.xrp, "2024-01-01T10:03Z", "1.04", "1.06", "0.98", "1.00", "150", 15, "1.02"),
            H.m1(H.xrp, "2024-01-01T10:04Z", "1.00", "1.03", "0.97", "1.01", "100", 10, "1.00"),
        ]
        try await H.write(store, H.xrp, rows)
        try await RollupRefresher(store: store, now: H.t("2024-01-01T10:06Z")).refreshPending()
        let r = try await store.rollupCandles(.m5, H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil, descending: false)
        #expect(r.count == 1)
        let c = try #require(r.first)
        #expect(c.start == H.t("2024-01-01T10:00Z") && c.open == H.p("1.00") && c.high == H.p("1.08") && c.low == H.p("0.97") && c.close == H.p("1.01"))
        #expect(c.volume == H.q("600") && c.tradeCount == 60 && c.vwap == H.p("1.0275") && c.sourceRows == 5)
        // No coverage beyond the five candles: every slot of the 5m bucket has a candle, so it is complete; the 1h is not.
        #expect(c.isComplete)
        let h = try await store.rollupCandles(.h1, H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil, descending: false)
        #expect(h.count == 1 && h[0].isComplete == false)
        #expect(try await store.pendingInvalidations().count == 1)  // the 1h/1d/1w buckets are still in progress: carried over
    }

    @Test(arguments: StoreKind.allCases) func fiveMinuteRollupIsIncompleteWhileInProgress(_ kind: StoreKind) async throws {
        let store = try await H.store(kind)
        try await H.write(store, H.xrp, [H.m1(H.xrp, "2024-01-01T10:00Z", "1", "1", "1", "1", "1", 1, "1")])
        try await RollupRefresher(store: store, now: H.t("2024-01-01T10:04Z")).refreshPending()
        var r = try await store.rollupCandles(.m5, H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil, descending: false)
        #expect(r.count == 1 && !r[0].isComplete)
        // Later, with coverage proving the other four minutes had no trades, the carried-over work completes it.
        var b = HistoryBatch(symbol: H.xrp)
        b.coverage = [CoverageRecord(dataType: "candles_1m", span: TimeSpan(H.t("2024-01-01T10:00Z"), H.t("2024-01-01T10:05Z")), source: "test")]
        _ = try await store.write(b)
        try await RollupRefresher(store: store, now: H.t("2024-01-01T10:05Z")).refreshPending()
        r = try await store.rollupCandles(.m5, H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil, descending: false)
        #expect(r.count == 1 && r[0].isComplete)
    }

    @Test(arguments: StoreKind.allCases) func mixedVWAPUsesOnlyRowsThatHaveOne(_ kind: StoreKind) async throws {
        // §5.2's weakness: a CSV row (no VWAP) must not bias the bucket's VWAP low.
        let store = try await H.store(kind)
        try await H.write(store, H.xrp, [
            H.m1(H.xrp, "2024-01-01T10:00Z", "1.00", "1.00", "1.00", "1.00", "100", 1, "1.00"),
            H.m1(H.xrp, "2024-01-01T10:01Z", "2.00", "2.00", "2.00", "2.00", "300", 1, nil, source: .csv),
            H.m1(H.xrp, "2024-01-01T10:02Z", "3.00", "3.00", "3.00", "3.00", "100", 1, "3.00"),
        ])
        try await RollupRefresher(store: store, now: H.t("2030-01-01")).refreshPending()
        let c = try #require(try await store.rollupCandles(.m5, H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil, descending: false).first)
        #expect(c.vwap == H.p("2"))  // (100×1 + 100×3) / 200; the reference gives 400/500 = 0.8
        #expect(c.volume == H.q("500") && c.quoteVolume == nil)
    }

    @Test func tradesToMinuteCandles() {
        // Scenario 9, with both builders (the generic one and the import's integer one).
        let trades: [(String, String, String)] = [("2024-01-01T10:00:05Z", "2.00", "10"), ("2024-01-01T10:00:30Z", "2.10", "5"),
                                                  ("2024-01-01T10:00:59.9Z", "1.95", "5"), ("2024-01-01T10:01:00Z", "2.05", "1")]
        var b = MinuteCandleBuilder(symbol: H.xrp)
        let scale = StorageScale(priceDecimals: 5, quantityDecimals: 8)
        var s = ScaledMinuteBuilder(symbol: H.xrp, scale: scale)
        var done: [HistoryCandle] = [], done2: [HistoryCandle] = []
        for (ts, p, v) in trades {
            if let c = b.add(time: H.t(ts), price: H.p(p), volume: H.q(v)) { done.append(c) }
            if let c = s.add(micros: H.t(ts).nanoseconds / 1000, price: scale.storedPrice(H.p(p))!, volume: scale.storedQuantity(H.q(v))!) { done2.append(c) }
        }
        done.append(b.pending()!)
        done2.append(s.current())
        for d in [done, done2] {
            #expect(d.count == 2)
            let c = d[0]
            #expect(c.start == H.t("2024-01-01T10:00Z") && c.open == H.p("2.00") && c.high == H.p("2.10") && c.low == H.p("1.95") && c.close == H.p("1.95"))
            #expect(c.volume == H.q("20") && c.tradeCount == 3 && c.vwap == H.p("2.0125") && c.quoteVolume == Money("40.25")!)
            let n = d[1]
            #expect(n.open == H.p("2.05") && n.high == H.p("2.05") && n.low == H.p("2.05") && n.close == H.p("2.05") && n.volume == H.q("1") && n.tradeCount == 1)
        }
    }

    @Test(arguments: StoreKind.allCases) func idempotentTradeIngestAcrossPages(_ kind: StoreKind) async throws {
        // Scenarios 10 and 11: ids 101…104 written twice, and in two pages: 4 rows, the 10:00 candle unchanged.
        let store = try await H.store(kind)
        _ = try await store.fixScale(H.xrp, proposed: StorageScale(priceDecimals: 5, quantityDecimals: 8))
        let trades = [("2024-01-01T10:00:05Z", "2.00", "10"), ("2024-01-01T10:00:30Z", "2.10", "5"),
                      ("2024-01-01T10:00:59.9Z", "1.95", "5"), ("2024-01-01T10:01:00Z", "2.05", "1")].enumerated().map { i, x in
            HistoricalTrade(symbol: H.xrp, time: H.t(x.0), tradeKey: Int64(101 + i), price: H.p(x.1), volume: H.q(x.2), side: .buy, source: .rest)
        }
        let scale = StorageScale(priceDecimals: 5, quantityDecimals: 8)
        for page in [Array(trades[0..<2]), Array(trades[2..<4]), trades] {
            var b = HistoryBatch(symbol: H.xrp, tradeSource: .rest)
            b.trades = try #require(TradeRows(page, scale: scale, source: .rest))
            _ = try await store.write(b)
        }
        let stored = try await store.trades(H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil)
        #expect(stored.count == 4 && stored.map(\.tradeKey) == [101, 102, 103, 104] && stored.allSatisfy { $0.side == .buy })
        var builder = MinuteCandleBuilder(symbol: H.xrp)
        for t in stored where t.time < H.t("2024-01-01T10:01Z") { _ = builder.add(time: t.time, price: t.price, volume: t.volume) }
        let c = try #require(builder.pending())
        #expect(c.volume == H.q("20") && c.tradeCount == 3 && c.close == H.p("1.95"))
        #expect(stored[2].time == H.t("2024-01-01T10:00:59.9Z"))  // microseconds kept
    }

    @Test func tradeAndCandleValidation() {
        // Scenario 14: only ("2.50", "100") survives; the others are refused (parsing or §15.2), none throws.
        let now = H.t("2030-01-01"), at = H.t("2024-01-01")
        var kept = 0, rejected = 0
        for (p, v) in [("2.50", "100"), ("-1.00", "100"), ("0", "100"), ("invalid", "100"), ("2.50", "nan"), ("2.50", "-50"), ("2.50", "0")] {
            let pr = p.utf8CString.withUnsafeBufferPointer { b in b.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: b.count) { CSVNumber.scaled($0, b.count - 1, decimals: 5) } }
            let vo = v.utf8CString.withUnsafeBufferPointer { b in b.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: b.count) { CSVNumber.scaled($0, b.count - 1, decimals: 8) } }
            guard case .value(let a) = pr, case .value(let b) = vo else { rejected += 1; continue }
            let scale = StorageScale(priceDecimals: 5, quantityDecimals: 8)
            if HistoryValidation.check(trade: scale.price(a), volume: scale.quantity(b), time: at, now: now) == nil { kept += 1 } else { rejected += 1 }
        }
        #expect(kept == 1 && rejected == 6)
        // Scenario 15.
        var bad = H.m1(H.xrp, "2024-01-01T10:00Z", "1.0", "0.9", "0.8", "0.95", "1", 1, nil)
        #expect(HistoryValidation.check(candle: &bad, tick: H.p("0.00001"), now: now) == .inconsistentOHLC)
        var empty = H.m1(H.xrp, "2024-01-01T10:00Z", "1.0", "1.0", "1.0", "1.0", "0", 0, "0")
        #expect(HistoryValidation.check(candle: &empty, tick: H.p("0.00001"), now: now) == nil && empty.vwap == nil)
        var future = H.m1(H.xrp, "2029-12-31T23:59:30Z", "1", "1", "1", "1", "1", 1, nil)
        future.start = H.t("2029-12-31T23:59Z")
        #expect(HistoryValidation.check(candle: &future, tick: H.p("0.00001"), now: H.t("2029-12-31T23:59:30Z")) == .inFuture)
        var misaligned = H.m1(H.xrp, "2024-01-01T10:00:30Z", "1", "1", "1", "1", "1", 1, nil)
        #expect(HistoryValidation.check(candle: &misaligned, tick: H.p("0.00001"), now: now) == .misaligned)
        var vw = H.m1(H.xrp, "2024-01-01T10:00Z", "1", "1.1", "0.9", "1", "1", 1, "1.2")
        #expect(HistoryValidation.check(candle: &vw, tick: H.p("0.00001"), now: now) == .vwapOutsideRange)
    }

    @Test func fileNames() {
        // Scenario 16 (and XBT → BTC for the USD pairs).
        let pairs = PairRegistry()
        #expect(KrakenFileName.classify("XRPUSDT_1.csv", pairs: pairs) == .ohlcvt(H.xrp, intervalMinutes: 1))
        #expect(KrakenFileName.classify("XBTUSDT_60.csv", pairs: pairs) == .ohlcvt(Symbol("BTC/USDT")!, intervalMinutes: 60))
        #expect(KrakenFileName.classify("xrpbtc_1.csv", pairs: pairs) == .ohlcvt(Symbol("XRP/BTC")!, intervalMinutes: 1))
        #expect(KrakenFileName.classify("XBTUSD.csv", pairs: pairs) == .trades(H.btc))
        #expect(KrakenFileName.classify("XXBTZUSD.csv", pairs: pairs) == .trades(H.btc))
        for bad in ["XRPUSDT_1_old.csv", "DOGEUSDT_1.csv", "XRPUSDT_2.csv", "XRPUSDT_1.txt"] {
            guard case .skip = KrakenFileName.classify(bad, pairs: pairs) else { Issue.record("\(bad) should be skipped"); continue }
        }
        // Invariants of §2: every symbol's REST name maps back to it.
        for (s, name) in pairs.restName { #expect(pairs.symbol(forCode: name) == s) }
        #expect(pairs.restName[Symbol("BTC/USDT")!] == "XBTUSDT" && pairs.restName[Symbol("XRP/BTC")!] == "XRPXBT")
    }

    @Test func storageScaleRefusesFinerValues() {
        let s = StorageScale(priceDecimals: 1, quantityDecimals: 8)
        #expect(s.storedPrice(H.p("42000.1")) == 420_001)
        #expect(s.storedPrice(H.p("42000.15")) == nil)
        #expect(s.storedQuantity(H.q("0.000000001")) == nil)
        #expect(s.price(420_001) == H.p("42000.1"))
    }

    @Test func copyTextForPostgres() {
        #expect(PGText.timestamp(0) == "1970-01-01 00:00:00.000000+00")
        #expect(PGText.timestamp(1_704_067_207_500_000) == "2024-01-01 00:00:07.500000+00")
        #expect(PGText.timestamp(951_782_400_000_001) == "2000-02-29 00:00:00.000001+00")  // a leap day
        #expect(PGText.timestamp(-1) == "1969-12-31 23:59:59.999999+00")
        var b = ByteBuffer()
        for v: Int64 in [0, 7, -42, Int64.max, Int64.min + 1] { PGText.writeInt(v, into: &b); b.writeString(",") }
        #expect(b.readString(length: b.readableBytes) == "0,7,-42,9223372036854775807,-9223372036854775807,")
    }
}
