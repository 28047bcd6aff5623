import Testing
import TradingCore
import MarketData
@testable import PaperExchange

/// Engine §2.5.1: the accounting invariants hold exactly after every fill of a long random sequence of
/// buys, sells, shorts, covers, full closes, stops, margin calls and price moves.
@Suite struct AccountingPropertyTests {
    struct Counter { var fills = 0, closing = 0 }

    func checkInvariants(_ p: Portfolio, _ m: MarketState, _ c: Counter) {
        let v = Valuation(market: m)
        let mark = m.price(XRP)!
        var unrealized = Money.zero
        for pos in p.positions.values { unrealized += pos.unrealizedPnl(at: mark) }
        // 1. equity − baseline = realized + unrealized, exactly.
        #expect(v.equity(p) - p.baselineEquity == p.totalPnl + unrealized)
        // 2. the base balance mirrors the position.
        let pos = p.position(XRP)
        let expected = pos.map { $0.side == .long ? $0.size : -$0.size } ?? .zero
        #expect(p.assetBalance("XRP") == expected)
        // 3. flat ⇒ cash − capital = realized.
        if pos == nil { #expect(p.cash - p.startingCapital == p.totalPnl) }
        // 4. counters.
        #expect(p.totalFills == c.fills)
        #expect(p.wins + p.losses + p.breakeven == c.closing)
    }

    @Test(arguments: [FillModel.topOfBook, .bookWalk])
    func invariantsHoldAfterEveryFill(model: FillModel) {
        var cfg = ExchangeConfig()
        cfg.fillModel = model
        let ex = PaperExchange(config: cfg, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        var rng = SplitMix64(seed: model == .topOfBook ? 1 : 2)
        let actions = 50_000
        var price = 2.35
        var p = ex.makePortfolio(strategy: "prop")
        var counter = Counter()
        var totalFills = 0
        let m = MarketState(symbols: [XRP])
        var t = T0
        func setBook() {
            t = t + .milliseconds(100)
            let mid = Price(rounding: price, toDecimals: 5)!
            let tick = P("0.00001")
            var bids: [BookLevel] = [], asks: [BookLevel] = []
            for k in 0..<5 {
                let size = Quantity(rounding: 5 + rng.uniform() * 60, toDecimals: 8)!
                bids.append(BookLevel(price: mid - tick * (k + 1), size: size))
                asks.append(BookLevel(price: mid + tick * (k + 1), size: size))
            }
            m.apply(.book(BookUpdate(symbol: XRP, time: t, isSnapshot: true, bids: bids, asks: asks)))
        }
        setBook()
        for i in 0..<actions {
            let r = rng.uniform()
            if r < 0.25 {
                price *= 1 + (rng.uniform() - 0.5) * 0.04
                price = min(max(price, 0.3), 20)
                setBook()
                for o in ex.exitOrders(for: p, market: m) {
                    if case .success(let f) = ex.execute(o.signal, for: p, market: m, now: t, venue: o.venue, trigger: o.trigger) {
                        counter.fills += 1
                        if f.isClosing { counter.closing += 1 }
                        checkInvariants(p, m, counter)
                    }
                }
                ex.updateTracking(p, market: m)
                ex.updateDrawdown(p, market: m)
                continue
            }
            let action = [SignalAction.buy, .sell, .short, .cover][Int(rng.next() % 4)]
            let size = Money(rounding: 0.5 + rng.uniform() * 200, toDecimals: 2)!
            let full = (action == .sell || action == .cover) && rng.uniform() < 0.3
            let ref = m.price(XRP)!
            var sl: Price?, tp: Price?
            if action.isOpening && rng.uniform() < 0.3 {
                let d = ref.doubleValue
                sl = Price(rounding: action == .buy ? d * 0.97 : d * 1.03, toDecimals: 5)
                tp = Price(rounding: action == .buy ? d * 1.05 : d * 0.95, toDecimals: 5)
            }
            let s = try! Signal(action: action, symbol: XRP, size: size, price: ref, reason: "prop", stopLoss: sl, takeProfit: tp, closeFullPosition: full)
            let before = (p.cash, p.assets, p.positions, p.totalPnl)
            switch ex.execute(s, for: p, market: m, now: t) {
            case .success(let f):
                totalFills += 1
                counter.fills += 1
                if f.isClosing { counter.closing += 1 }
                #expect(f.size.isPositive)
                checkInvariants(p, m, counter)
            case .failure:
                // A rejected order changes nothing.
                #expect(p.cash == before.0 && p.assets == before.1 && p.positions == before.2 && p.totalPnl == before.3)
            }
            if i % 5000 == 4999 && p.positions.isEmpty {
                p = ex.makePortfolio(strategy: "prop")
                counter = Counter()
            }
        }
        #expect(totalFills > 1000)
    }
}
