import Testing
import TradingCore
@testable import MarketData

@Suite struct SimulatedMarketTests {
    let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, xrpbtc = Symbol("XRP/BTC")!

    /// A28: the GBM vector.
    @Test func gbmVector() throws {
        var sim = SimulatedMarket(symbols: [xrp], seed: 42)
        let expected = [2.3499300518306043, 2.3499232375871952, 2.3497166941368133]
        for e in expected {
            _ = sim.step()
            let p = try #require(sim.modelPrice(xrp))
            #expect(abs(p / e - 1) < 1e-12)
        }
    }

    @Test func deterministicAndSeedSensitive() {
        func run(_ seed: UInt64) -> [MarketEvent] {
            var s = SimulatedMarket(symbols: [xrp, btc, xrpbtc], seed: seed)
            var all: [MarketEvent] = []
            for _ in 0..<500 { all += s.step() }
            return all
        }
        let a = run(42), b = run(42), c = run(43)
        #expect(a == b)
        #expect(a != c)
        #expect(a.contains { if case .trade = $0 { true } else { false } })
    }

    @Test func crossPairIsDerivedAndBooksAreConsistent() throws {
        var sim = SimulatedMarket(symbols: [xrp, btc, xrpbtc], seed: 42)
        var buys = 0, sells = 0
        for _ in 0..<2000 {
            var books: [Symbol: BookUpdate] = [:]
            for e in sim.step() {
                switch e {
                case .book(let b):
                    books[b.symbol] = b
                    #expect(b.bids.count == 10 && b.asks.count == 10)
                    #expect(b.bids[0].price < b.asks[0].price)
                    for k in 1..<10 {
                        #expect(b.bids[k].price < b.bids[k - 1].price)
                        #expect(b.asks[k].price > b.asks[k - 1].price)
                        #expect(b.bids[k].size.isPositive)
                    }
                case .trade(let t):
                    let b = try #require(books[t.symbol])
                    if t.side == .buy { buys += 1; #expect(t.price == b.asks[0].price) } else { sells += 1; #expect(t.price == b.bids[0].price) }
                default: break
                }
            }
            let ratio = try #require(sim.modelPrice(xrp)) / (try #require(sim.modelPrice(btc)))
            #expect(abs(try #require(sim.modelPrice(xrpbtc)) / ratio - 1) < 1e-12)
        }
        #expect(buys > 0 && sells > 0)
        #expect(sim.now == SimulatedMarket.defaultStart + .seconds(200))
    }

    @Test func tradeRateFollowsLambda() {
        var sim = SimulatedMarket(symbols: [btc], seed: 9)
        var n = 0
        for _ in 0..<36_000 { for e in sim.step() { if case .trade = e { n += 1 } } }
        // λ = 2/s over one simulated hour: 7200 expected.
        #expect(abs(Double(n) - 7200) < 400)
    }
}

/// The simulator is consistent for any pair it accepts (hardening issue, item 6; decision 29).
@Suite struct SimulatedPairConsistencyTests {
    let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, xrpbtc = Symbol("XRP/BTC")!

    /// A cross pair alone follows its legs even when they are not session pairs: the same prices as with them.
    @Test func crossPairAloneIsDerivedFromHiddenLegs() throws {
        var alone = SimulatedMarket(symbols: [xrpbtc], seed: 42)
        var all = SimulatedMarket(symbols: [xrp, btc, xrpbtc], seed: 42)
        for _ in 0..<3000 {
            let a = alone.step(), b = all.step()
            #expect(a.allSatisfy { if case .book(let x) = $0 { x.symbol == xrpbtc } else if case .trade(let t) = $0 { t.symbol == xrpbtc } else { false } })
            #expect(alone.modelPrice(xrpbtc) == all.modelPrice(xrpbtc))
            // Its events are the same as the full session's XRP/BTC events.
            let bx = b.filter { if case .book(let x) = $0 { x.symbol == xrpbtc } else if case .trade(let t) = $0 { t.symbol == xrpbtc } else { false } }
            #expect(a == bx)
        }
    }

    /// Stablecoins trade near 1, and a USD pair and a USDT pair of one coin differ only by USD/USDT.
    @Test func stablecoinsStayNearOneAndPairsAgree() throws {
        let usdtusd = Symbol("USDT/USD")!, xrpusd = Symbol("XRP/USD")!, usdcusdt = Symbol("USDC/USDT")!
        var sim = SimulatedMarket(symbols: [usdtusd, xrpusd, xrp, usdcusdt], seed: 7)
        var lo = 1.0, hi = 1.0
        for _ in 0..<36_000 {   // one simulated hour
            _ = sim.step()
            let s = try #require(sim.modelPrice(usdtusd))
            lo = min(lo, s); hi = max(hi, s)
            let implied = try #require(sim.modelPrice(xrp)) * s
            #expect(abs(try #require(sim.modelPrice(xrpusd)) / implied - 1) < 1e-12)
            #expect(abs(try #require(sim.modelPrice(usdcusdt)) - 1) < 0.01)
        }
        #expect(lo > 0.995 && hi < 1.005 && hi > lo)
    }

    @Test func unknownAssetsAreRefusedWithTheList() {
        #expect(SimulatedMarket.unsupported([xrp, btc, xrpbtc, Symbol("ETH/BTC")!, Symbol("SOL/USD")!]) == nil)
        let m = SimulatedMarket.unsupported([xrp, Symbol("DOGE/USDT")!])
        #expect(m == "cannot simulate DOGE/USDT: unknown asset DOGE. The simulator knows BTC, ETH, SOL, XRP and the stablecoins DAI, USD, USDC, USDT, in any pair of two of them")
        #expect(SimulatedMarket.unsupported([Symbol("BTC/BTC")!]) != nil)
    }
}
