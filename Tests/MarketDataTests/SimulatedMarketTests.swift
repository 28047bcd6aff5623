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
