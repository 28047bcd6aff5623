import Testing
import TradingCore
@testable import MarketData

let xrpusd = Symbol("XRP/USD")!
func ts(_ s: String) -> Timestamp { Timestamp(iso8601: "2024-01-01T\(s)Z")! }
func trade(_ p: String, _ q: String, _ t: String, side: TakerSide = .buy, id: UInt64? = nil, symbol: Symbol = xrpusd) -> MarketEvent {
    .trade(Trade(symbol: symbol, time: ts(t), price: Price(p)!, size: Quantity(q)!, side: side, tradeId: id))
}
func level(_ p: String, _ q: String) -> BookLevel { BookLevel(price: Price(p)!, size: Quantity(q)!) }

@Suite struct CandleBuildingTests {
    func state(_ cfg: MarketDataConfig = MarketDataConfig()) -> MarketState { MarketState(symbols: [xrpusd], config: cfg) }

    /// A12: rollover.
    @Test func rollover() {
        let m = state()
        m.apply(trade("2.30", "100", "12:00:00"))
        m.apply(trade("2.35", "100", "12:00:00"))
        m.apply(trade("2.40", "100", "12:01:00"))
        let closed = m.candles(.m1, xrpusd)
        #expect(closed.count == 1)
        #expect(closed[0].start == ts("12:00:00"))
        #expect([closed[0].open, closed[0].high, closed[0].low, closed[0].close] == [Price("2.30")!, Price("2.35")!, Price("2.30")!, Price("2.35")!])
        #expect(closed[0].volume == Quantity(200))
        #expect(m.formingCandle(.m1, xrpusd)?.open == Price("2.40")!)
    }

    /// A13: same-minute aggregation.
    @Test func aggregation() throws {
        let m = state()
        for (i, p) in ["2.30", "2.35", "2.28", "2.32"].enumerated() { m.apply(trade(p, "100", "12:00:0\(i)")) }
        let c = try #require(m.formingCandle(.m1, xrpusd))
        #expect([c.open, c.high, c.low, c.close] == [Price("2.30")!, Price("2.35")!, Price("2.28")!, Price("2.32")!])
        #expect(c.volume == Quantity(400))
        #expect(c.trades == 4)
    }

    /// A14 (Swift): a late trade is skipped for 1m and counted; higher timeframes are built from closed 1m only.
    @Test func lateTrade() throws {
        let m = state()
        m.apply(trade("2.40", "10", "12:01:10"))
        m.apply(trade("2.30", "10", "12:00:50"))
        m.apply(trade("2.41", "10", "12:01:20"))
        #expect(m.candles(.m1, xrpusd).isEmpty)
        let f = try #require(m.formingCandle(.m1, xrpusd))
        #expect([f.open, f.high, f.low, f.close] == [Price("2.40")!, Price("2.41")!, Price("2.40")!, Price("2.41")!])
        #expect(f.volume == Quantity(20))
        #expect(m.lateTrades == 1)
        #expect(m.trades(xrpusd).count == 3)
        #expect(m.formingCandle(.m5, xrpusd) == nil)
        m.advance(to: ts("12:02:02"))
        let f5 = try #require(m.formingCandle(.m5, xrpusd))
        #expect([f5.open, f5.high, f5.low, f5.close] == [Price("2.40")!, Price("2.41")!, Price("2.40")!, Price("2.41")!])
    }

    /// A late trade inside the same bucket updates high/low/volume but not the close.
    @Test func lateTradeSameBucketKeepsClose() throws {
        let m = state()
        m.apply(trade("2.40", "10", "12:00:30"))
        m.apply(trade("2.50", "10", "12:00:10"))
        let f = try #require(m.formingCandle(.m1, xrpusd))
        #expect(f.close == Price("2.40")!)
        #expect(f.high == Price("2.50")!)
        #expect(f.volume == Quantity(20))
    }

    /// A15: gaps stay gaps; 5m aggregates the closed 1m candles.
    @Test func gapsAndFiveMinute() {
        let m = state()
        m.apply(trade("1.0", "1", "12:00:05"))
        m.apply(trade("2.0", "1", "12:03:05"))
        m.apply(trade("3.0", "1", "12:07:00"))
        m.advance(to: ts("12:07:00"))
        #expect(m.candles(.m1, xrpusd).map(\.start) == [ts("12:00:00"), ts("12:03:00")])
        #expect(m.candles(.m1, xrpusd).map(\.close) == [Price(1), Price(2)])
        let five = m.candles(.m5, xrpusd)
        #expect(five.count == 1)
        #expect(five[0].open == Price(1) && five[0].close == Price(2) && five[0].volume == Quantity(2))
    }

    @Test func retention() {
        var cfg = MarketDataConfig()
        cfg.maxCandles[.m1] = 100
        let m = state(cfg)
        var t = ts("10:00:00")
        for _ in 0..<102 {
            m.apply(.trade(Trade(symbol: xrpusd, time: t, price: Price(1), size: Quantity(1), side: .buy)))
            t = t + .minutes(1)
        }
        let c = m.candles(.m1, xrpusd)
        #expect(c.count == 100)
        #expect(c[0].start == ts("10:01:00"))
        #expect(c[99].start == ts("11:40:00"))
        #expect(m.formingCandle(.m1, xrpusd)?.start == ts("11:41:00"))
    }

    @Test func closesOnTheClockWithGrace() {
        let m = state()
        m.apply(trade("1.0", "1", "12:00:10"))
        m.advance(to: ts("12:01:01"))
        #expect(m.candles(.m1, xrpusd).isEmpty)
        m.advance(to: ts("12:01:02"))
        #expect(m.candles(.m1, xrpusd).count == 1)
        #expect(m.formingCandle(.m1, xrpusd) == nil)
    }

    @Test func completenessFlags() {
        let m = state()
        m.apply(trade("1", "1", "12:00:00", id: 1))
        m.apply(trade("1", "1", "12:01:00", id: 2))
        m.apply(trade("1", "1", "12:01:30", id: 4)) // id 3 missing
        m.apply(trade("1", "1", "12:02:00", id: 5))
        m.apply(trade("1", "1", "12:02:00", id: 5)) // duplicate
        m.apply(trade("1", "1", "12:03:00", id: 6))
        let c = m.candles(.m1, xrpusd)
        #expect(c.map(\.isComplete) == [false, false, true])
        #expect(m.tradeGaps == 1)
        #expect(m.trades(xrpusd).count == 5)
    }

    /// Backtest B4 scenario 1: an hourly candle is visible only once its hour has closed.
    @Test func higherTimeframeVisibility() {
        var cfg = MarketDataConfig()
        cfg.timeframes.insert(.h1)
        cfg.candleCloseGrace = .seconds(0)
        let m = state(cfg)
        var t = ts("09:00:00")
        while t < ts("11:00:00") {
            let c = Candle(start: t, open: Price(1), high: Price(2), low: Price(1), close: Price(1), volume: Quantity(1))
            m.apply(.bar(Bar(symbol: xrpusd, timeframe: .m1, candle: c)))
            m.advance(to: t + .minutes(1))
            if t == ts("10:30:00") { #expect(m.candles(.h1, xrpusd).last?.start == ts("09:00:00")) }
            if t == ts("10:58:00") { #expect(m.candles(.h1, xrpusd).count == 1) }
            t = t + .minutes(1)
        }
        #expect(m.candles(.h1, xrpusd).map(\.start) == [ts("09:00:00"), ts("10:00:00")])
        #expect(m.candles(.h1, xrpusd)[1].volume == Quantity(60))
    }
}

@Suite struct SnapshotTests {
    /// A19.
    @Test func snapshotRules() {
        let m = MarketState(symbols: [xrpusd])
        #expect(!m.hasAnyPrice)
        m.apply(trade("2.35", "1", "12:00:00"))
        #expect(m.price(xrpusd) == Price("2.35")!)
        #expect(m.trades(xrpusd).count == 1)
        #expect(m.candles(.m1, xrpusd).isEmpty)
        #expect(m.book(xrpusd) == nil)
    }

    /// A16 and A17, and price precedence (market-data §3.5).
    @Test func booksTickersAndPrecedence() {
        let m = MarketState(symbols: [xrpusd])
        m.apply(.book(BookUpdate(symbol: xrpusd, time: ts("12:00:00"), isSnapshot: false,
                                 bids: [level("2.34", "100"), level("2.33", "200")], asks: [level("2.36", "100"), level("2.37", "200")])))
        #expect(m.book(xrpusd)?.bids.count == 2)
        #expect(m.price(xrpusd) == Price("2.35")!)
        m.apply(.ticker(Ticker(symbol: xrpusd, time: ts("12:00:01"), bid: .zero, ask: .zero, last: Price("2.40")!, volume24h: .zero)))
        #expect(m.price(xrpusd) == Price("2.40")!)
        m.apply(trade("2.33", "1", "12:00:02"))
        #expect(m.price(xrpusd) == Price("2.33")!)
        m.apply(.book(BookUpdate(symbol: xrpusd, time: ts("12:00:03"), isSnapshot: true, bids: [level("2.50", "1")], asks: [level("2.52", "1")])))
        #expect(m.price(xrpusd) == Price("2.33")!)
        m.apply(trade("1", "1", "12:00:04", symbol: Symbol("ETH/USD")!))
        #expect(m.price(Symbol("ETH/USD")!) == nil)
        #expect(m.ignoredEvents == 1)

        var cfg = MarketDataConfig()
        cfg.priceSource = .mid
        let mid = MarketState(symbols: [xrpusd], config: cfg)
        mid.apply(trade("2.33", "1", "12:00:02"))
        mid.apply(.book(BookUpdate(symbol: xrpusd, time: ts("12:00:03"), isSnapshot: true, bids: [level("2.50", "1")], asks: [level("2.52", "1")])))
        #expect(mid.price(xrpusd) == Price("2.51")!)

        let zero = MarketState(symbols: [xrpusd])
        zero.apply(.ticker(Ticker(symbol: xrpusd, time: ts("12:00:01"), bid: .zero, ask: .zero, last: .zero, volume24h: .zero)))
        #expect(zero.price(xrpusd) == nil)
    }

    /// Engine §8 scenario 2 (VWAP and imbalance).
    @Test func vwapAndImbalance() throws {
        let m = MarketState(symbols: [xrpusd])
        let snap = DataSnapshot(timestamp: ts("12:00:00"), market: m)
        #expect(snap.vwap(xrpusd) == nil)
        #expect(snap.tradeImbalance(xrpusd) == 0)
        m.apply(trade("2.35", "100", "12:00:00"))
        m.apply(trade("2.36", "200", "12:00:01"))
        #expect(abs(try #require(snap.vwap(xrpusd)) - 2.3566666667) < 1e-10)
        let m2 = MarketState(symbols: [xrpusd])
        m2.apply(trade("1", "100", "12:00:00", side: .buy))
        m2.apply(trade("1", "50", "12:00:01", side: .sell))
        #expect(abs(DataSnapshot(timestamp: ts("12:00:00"), market: m2).tradeImbalance(xrpusd) - 1.0 / 3.0) < 1e-10)
        let m3 = MarketState(symbols: [xrpusd])
        for i in 0..<60 { m3.apply(.trade(Trade(symbol: xrpusd, time: ts("12:00:00") + .seconds(Int64(i)), price: Price(1), size: Quantity(1), side: i < 10 ? .sell : .buy))) }
        #expect(DataSnapshot(timestamp: ts("12:00:00"), market: m3).tradeImbalance(xrpusd) == 1)
    }
}

@Suite struct RobustnessTests {
    /// A trade for a bucket that already closed on the clock never reopens it.
    @Test func lateTradeAfterTimeCloseIsCounted() {
        let m = MarketState(symbols: [xrpusd])
        m.apply(trade("1", "1", "12:00:30"))
        m.advance(to: ts("12:01:02"))
        m.apply(trade("2", "1", "12:00:59"))
        #expect(m.candles(.m1, xrpusd).count == 1)
        #expect(m.candles(.m1, xrpusd)[0].close == Price(1))
        #expect(m.formingCandle(.m1, xrpusd) == nil)
        #expect(m.lateTrades == 1)
    }

    /// Out-of-range values are ignored and counted, so exact arithmetic can never overflow.
    @Test func outOfRangeDataIsRefused() {
        let m = MarketState(symbols: [xrpusd])
        m.apply(trade("10000000000000", "1", "12:00:00"))
        m.apply(.book(BookUpdate(symbol: xrpusd, time: ts("12:00:01"), isSnapshot: true, bids: [level("1", "1e17")], asks: [level("2", "1")])))
        #expect(m.outOfRangeEvents == 2)
        #expect(m.price(xrpusd) == nil)
    }
}
