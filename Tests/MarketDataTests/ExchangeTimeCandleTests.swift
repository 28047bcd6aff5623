import Testing
import TradingCore
@testable import MarketData

/// Live trades carry the exchange's stamp: candles bucket on it and close on the engine clock less the smallest
/// receive − exchange offset seen (a local clock running fast does not make each minute's last prints late).
@Suite struct ExchangeTimeCandleTests {
    let xrp = Symbol("XRP/USD")!
    let t0 = Timestamp(iso8601: "2025-01-15T10:00:00Z")!

    func trade(_ m: MarketState, exchange: Interval, receiveOffset: Interval, price: String) {
        let x = t0 + exchange
        m.apply(.trade(Trade(symbol: xrp, time: x + receiveOffset, exchangeTime: x, price: Price(price)!, size: Quantity("1")!, side: .buy)))
    }

    @Test func aFastLocalClockDoesNotCutTheMinutesLastTrades() {
        let m = MarketState(symbols: [xrp])
        let fast = Interval.seconds(3)   // the local clock runs 3 s ahead of Kraken (and no network delay)
        trade(m, exchange: .seconds(10), receiveOffset: fast, price: "2.30")
        // Engine 10:01:02.5 (grace 2 s passed on the local clock), but on Kraken's clock it is 10:00:59.5.
        m.advance(to: t0 + .seconds(62) + .milliseconds(500))
        #expect(m.candles(.m1, xrp).count == 0)
        trade(m, exchange: .seconds(59) + .milliseconds(600), receiveOffset: fast, price: "2.40")
        #expect(m.lateTrades == 0)
        m.advance(to: t0 + .seconds(65))
        let c = m.candles(.m1, xrp)
        #expect(c.count == 1 && c.last?.close == Price("2.40")! && c.last?.volume == Quantity("2")!)
        #expect(m.exchangeOffset == fast)
    }

    @Test func withoutExchangeStampsNothingChanges() {
        let m = MarketState(symbols: [xrp])
        m.apply(.trade(Trade(symbol: xrp, time: t0 + .seconds(10), price: Price("2.30")!, size: Quantity("1")!, side: .buy)))
        m.advance(to: t0 + .seconds(62))
        #expect(m.candles(.m1, xrp).count == 1 && m.exchangeOffset == nil)
    }
}
