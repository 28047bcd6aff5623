import Testing
import TradingCore
import MarketData
import PaperExchange
@testable import TradingEngine

/// Several symbols' bars of one close time form a batch: pending orders fill at their symbol's open
/// before any of the batch's data is seen, and no symbol's higher timeframe closes early.
@Suite(.serialized) struct BarBatchTests {
    let btc = Symbol("BTC/USDT")!, xrpbtc = Symbol("XRP/BTC")!
    let start = Timestamp(iso8601: "2024-05-01T10:00:00Z")!

    func bar(_ s: Symbol, _ t: Timestamp, open: String, close: String) -> MarketEvent {
        let o = Price(open)!, c = Price(close)!
        return .bar(Bar(symbol: s, timeframe: .m1, candle: Candle(start: t, open: o, high: Price.max(o, c), low: Price.min(o, c), close: c, volume: Quantity(1))))
    }

    func kernel(_ strategies: [any Strategy]) -> Kernel {
        var e = EngineConfig(); e.nextBarOpenFills = true
        var md = MarketDataConfig(); md.candleCloseGrace = .seconds(0)
        let ex = PaperExchange(config: ExchangeConfig(), instruments: InstrumentRegistry(), sessionSymbols: [btc, xrpbtc])
        let k = Kernel(market: MarketState(symbols: [btc, xrpbtc], config: md), exchange: ex, strategies: strategies, clock: ManualClock(start), config: e)
        k.start()
        return k
    }

    @Test func pendingOrdersFillBeforeTheBatchIsSeen() throws {
        let s = try buyOnce(size: 20, symbol: xrpbtc)
        let k = kernel([s])
        let t1 = start + .minutes(1)
        k.handle(bar(btc, start, open: "100000", close: "100000"))
        k.handle(bar(xrpbtc, start, open: "0.00002", close: "0.00002"))
        k.handle(.timer(t1))
        // Next batch: BTC doubles within its bar; the XRP/BTC order must be valued at the previous close.
        k.handle(bar(btc, t1, open: "100000", close: "200000"))
        k.handle(bar(xrpbtc, t1, open: "0.00003", close: "0.00003"))
        k.handle(.timer(t1 + .minutes(1)))
        let f = try #require(k.runner("s")!.portfolio.fills.first)
        #expect(f.timestamp == t1)
        #expect(f.quoteUSD == Price(100000))
        #expect(f.price == Price("0.000030015")!)
    }

    @Test func higherTimeframesCloseOnlyWithTheirLastMinute() {
        let k = kernel([])
        var md = MarketDataConfig(); md.candleCloseGrace = .seconds(0)
        let m = MarketState(symbols: [btc, xrpbtc], config: md)
        let k2 = Kernel(market: m, exchange: k.exchange, strategies: [], clock: ManualClock(start), config: k.config)
        var t = start
        for _ in 0..<30 {
            k2.handle(bar(btc, t, open: "1", close: "1"))
            k2.handle(bar(xrpbtc, t, open: "1", close: "1"))
            t = t + .minutes(1)
            k2.handle(.timer(t))
        }
        for s in [btc, xrpbtc] {
            let five = m.candles(.m5, s)
            #expect(five.count == 6)
            #expect(five.allSatisfy { $0.volume == Quantity(5) })
            #expect(Set(five.map(\.start)).count == 6)
        }
    }

    /// A next-bar-open order fills at its own symbol's next bar only, however many bars of others come first.
    @Test func pendingOrderWaitsForItsOwnSymbolsBar() throws {
        let s = try buyOnce(size: 20, symbol: xrpbtc)
        let k = kernel([s])
        k.handle(bar(btc, start, open: "100000", close: "100000"))
        k.handle(bar(xrpbtc, start, open: "0.00002", close: "0.00002"))
        k.handle(.timer(start + .minutes(1)))
        for i in 1...3 {
            k.handle(bar(btc, start + .minutes(Int64(i)), open: "100000", close: "100000"))
            k.handle(.timer(start + .minutes(Int64(i + 1))))
        }
        #expect(k.runner("s")!.portfolio.totalFills == 0)
        k.handle(bar(xrpbtc, start + .minutes(4), open: "0.00004", close: "0.00004"))
        k.handle(.timer(start + .minutes(5)))
        let f = try #require(k.runner("s")!.portfolio.fills.first)
        #expect(f.timestamp == start + .minutes(4) && f.price == Price("0.00004002")!)
    }
}
