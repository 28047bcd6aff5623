import Testing
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
@testable import Strategies

/// The tick-level example: exits are never blocked by gates, entries respect cooldown and breaker.
@Suite struct FlowMomentumTests {
    let xrp = Symbol("XRP/USDT")!

    func kernel(_ params: [String: String] = [:]) throws -> Kernel {
        let p = try StrategyParameters.resolve(strategy: "flow_momentum", specs: FlowMomentumStrategy.parameters,
                                               layers: [["lookback_trades": "4", "cooldown_seconds": "60"], params])
        let s = try FlowMomentumStrategy(parameters: p, symbols: [xrp])
        var c = ExchangeConfig(); c.fillModel = .topOfBook
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [xrp])
        let k = Kernel(market: MarketState(symbols: [xrp]), exchange: ex, strategies: [s], clock: ManualClock(SimulatedMarket.defaultStart))
        k.start()
        return k
    }

    func feed(_ k: Kernel, side: TakerSide, price: String, seconds: Int64) {
        let t = SimulatedMarket.defaultStart + .seconds(seconds)
        let px = Price(price)!
        k.handle(.book(BookUpdate(symbol: xrp, time: t, isSnapshot: true, bids: [BookLevel(price: px - Price("0.0001")!, size: Quantity(10_000))],
                                  asks: [BookLevel(price: px + Price("0.0001")!, size: Quantity(10_000))])))
        k.handle(.trade(Trade(symbol: xrp, time: t, price: px, size: Quantity(10), side: side)))
        k.handle(.timer(t))
    }

    @Test func entersOnBuyFlowAndExitsOnFlip() throws {
        let k = try kernel()
        for i in 0..<4 { feed(k, side: .buy, price: "2.35", seconds: Int64(i)) }
        let p = k.runners[0].portfolio
        let pos = try #require(p.position(xrp))
        #expect(pos.stopLoss == Price("2.33825")! && pos.takeProfit == Price("2.3735")!)
        for i in 4..<8 { feed(k, side: .sell, price: "2.35", seconds: Int64(i)) }
        #expect(p.positions.isEmpty)
        #expect(p.totalFills == 2)
        // Cooldown (60 s since the entry) blocks the next entry, never the exit.
        for i in 8..<12 { feed(k, side: .buy, price: "2.35", seconds: Int64(i)) }
        #expect(p.totalFills == 2)
        #expect((k.runners[0].strategy.rejections.counts["time_cooldown"] ?? 0) > 0)
        for i in 70..<74 { feed(k, side: .buy, price: "2.35", seconds: Int64(i)) }
        #expect(p.totalFills == 3)
    }

    @Test func stopLossFillReachesTheBreaker() throws {
        let k = try kernel(["max_consecutive_losses": "1", "cooldown_seconds": "0"])
        for i in 0..<4 { feed(k, side: .buy, price: "2.35", seconds: Int64(i)) }
        feed(k, side: .buy, price: "2.30", seconds: 5) // below the stop: engine exit, delivered to onFill
        let p = k.runners[0].portfolio
        #expect(p.fills.last?.trigger == .stopLoss)
        for i in 6..<12 { feed(k, side: .buy, price: "2.30", seconds: Int64(i)) }
        #expect(p.positions.isEmpty)
        #expect((k.runners[0].strategy.rejections.counts["circuit_breaker"] ?? 0) > 0)
    }
}
