import Testing
import TradingCore
import MarketData
@testable import PaperExchange

/// Engine §2.5.1 with resting orders: random places (market, limit, post-only, good-till-time), cancels, replaces
/// and cancel-alls over three pairs, with books and trades moving through them. After every fill (all the fills of one
/// event or operation settle together) the accounting
/// identities hold exactly, every maker fill is at its order's price with the maker fee, reservations are never
/// negative and equal what the open orders hold, and a refused operation changes nothing.
@Suite struct OrderPropertyTests {
    static let symbols = [Symbol("BTC/USD")!, Symbol("ETH/USD")!, Symbol("XRP/USD")!]

    struct Snapshot: Equatable {
        var cash: Money, assets: [String: Quantity], positions: [Symbol: Position], orders: [OpenOrder]
        init(_ p: Portfolio) { cash = p.cash; assets = p.assets; positions = p.positions; orders = p.openOrders }
    }

    func checkInvariants(_ p: Portfolio, _ m: MarketState, fills: Int) {
        let v = Valuation(market: m)
        var unrealized = Money.zero
        for pos in p.positions.values { unrealized += pos.unrealizedPnl(at: m.price(pos.symbol)!) }
        #expect(v.equity(p) - p.baselineEquity == p.totalPnl + unrealized)
        for s in Self.symbols {
            let pos = p.position(s)
            #expect(p.assetBalance(s.base) == (pos.map { $0.side == .long ? $0.size : -$0.size } ?? .zero), "balance \(s.base)")
        }
        if p.positions.isEmpty { #expect(p.cash - p.startingCapital == p.totalPnl) }
        #expect(p.totalFills == fills && p.makerFills + p.takerFills == fills)
        checkReservations(p, m)
    }

    func checkReservations(_ p: Portfolio, _ m: MarketState) {
        let v = Valuation(market: m)
        var long = Money.zero, short = Money.zero
        for o in p.openOrders {
            #expect(o.remaining.isPositive)
            if o.action == .buy { long += o.remaining * o.limitPrice }
            if o.action == .short { short += o.remaining * o.limitPrice }
        }
        let rl = p.reservedUSD(.long, valuation: v), rs = p.reservedUSD(.short, valuation: v)
        #expect(!rl.isNegative && !rs.isNegative)
        #expect(rl == long && rs == short)
        #expect(p.restingCount == p.openOrders.count)
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func invariantsHoldAfterEveryFill(seed: UInt64) {
        var cfg = ExchangeConfig()
        cfg.makerFeeRate = Rate("0.0025")!
        cfg.takerFeeRate = Rate("0.004")!
        cfg.startingCapital = Money(1000)
        let ex = PaperExchange(config: cfg, instruments: InstrumentRegistry(), sessionSymbols: Self.symbols)
        let m = MarketState(symbols: Self.symbols)
        var rng = SplitMix64(seed: seed)
        var mids: [Symbol: Double] = [Self.symbols[0]: 95_000, Self.symbols[1]: 3_300, Self.symbols[2]: 2.35]
        let decimals: [Symbol: Int] = [Self.symbols[0]: 1, Self.symbols[1]: 2, Self.symbols[2]: 5]
        var t = T0
        let p = ex.makePortfolio(strategy: "prop")
        var fills = 0, makers = 0, placed = 0, cancels = 0, replaces = 0, expired = 0, crossRejects = 0
        var limits: [OrderID: Price] = [:]
        // Per order: what it may fill in all (filled + remaining when accepted or replaced) and what it filled.
        var capacity: [OrderID: Quantity] = [:], filledSoFar: [OrderID: Quantity] = [:]
        var expiries: [OrderID: Timestamp] = [:]

        func px(_ s: Symbol, _ x: Double) -> Price { Price(rounding: x, toDecimals: decimals[s]!)! }
        func consume(_ out: [OrderActivity]) {
            // What an operation accepted or replaced bounds its fills in the same operation (the crossing part comes first).
            for case .event(let e) in out {
                switch e {
                case .accepted(let o), .replaced(let o):
                    capacity[o.id] = o.filled + o.remaining
                    limits[o.id] = o.limitPrice
                    if case .goodTillTime(let x) = o.timeInForce { expiries[o.id] = x } else { expiries[o.id] = nil }
                default: break
                }
            }
            for a in out {
                switch a {
                case .fill(let f):
                    fills += 1
                    #expect(f.size.isPositive && f.timestamp == t)
                    if limits[f.orderId] != nil {
                        filledSoFar[f.orderId, default: .zero] += f.size
                        // An order never fills more than it was placed (or replaced) for, nor after its expiry.
                        #expect(filledSoFar[f.orderId]! <= capacity[f.orderId] ?? .zero, "over-fill of \(f.orderId)")
                        if let e = expiries[f.orderId] { #expect(f.timestamp < e, "fill after expiry") }
                    }
                    if f.liquidity == .maker {
                        makers += 1
                        // A maker fill is at its order's price with the maker fee, exactly.
                        #expect(f.price == limits[f.orderId], "maker fill price")
                        #expect(f.fee == (f.size * f.price).scaled(by: cfg.makerFeeRate))
                    }
                case .event(let e):
                    if case .ended(_, .expired, _) = e { expired += 1 }
                    if let o = e.order { limits[o.id] = o.limitPrice }

                case .rejection(let r):
                    if r.reason == .postOnlyWouldCross { crossRejects += 1 }
                }
            }
            // One event's fills settle together: the identities hold after each of them.
            if out.contains(where: { if case .fill = $0 { true } else { false } }) { checkInvariants(p, m, fills: fills) }
        }
        func moveBook(_ s: Symbol) {
            t = t + .milliseconds(100)
            mids[s]! *= 1 + (rng.uniform() - 0.5) * 0.01
            let mid = mids[s]!, tick = pow10(-decimals[s]!)
            var bids: [BookLevel] = [], asks: [BookLevel] = []
            for k in 1...5 {
                let size = Quantity(rounding: (1 + rng.uniform() * 20) * (s == Self.symbols[2] ? 100 : 0.01), toDecimals: 8)!
                bids.append(BookLevel(price: px(s, mid - Double(k) * tick * 3), size: size))
                asks.append(BookLevel(price: px(s, mid + Double(k) * tick * 3), size: size))
            }
            var out: [OrderActivity] = []
            ex.expireOrders(for: p, now: t, into: &out)          // the kernel's order: expiries before the event
            m.apply(.book(BookUpdate(symbol: s, time: t, isSnapshot: true, bids: bids, asks: asks)))
            ex.match(bookOf: s, for: p, market: m, now: t, into: &out)
            consume(out)
            for s2 in Self.symbols { var o: [OrderActivity] = []; ex.releaseUnfillable(s2, for: p, now: t, into: &o); consume(o) }
        }
        func printTrade(_ s: Symbol) {
            t = t + .milliseconds(100)
            let mid = mids[s]!
            let tr = Trade(symbol: s, time: t, price: px(s, mid * (1 + (rng.uniform() - 0.5) * 0.008)),
                           size: Quantity(rounding: rng.uniform() * (s == Self.symbols[2] ? 300 : 0.05), toDecimals: 8)!,
                           side: rng.uniform() < 0.5 ? .buy : .sell)
            guard tr.size.isPositive else { return }
            var out: [OrderActivity] = []
            ex.expireOrders(for: p, now: t, into: &out)
            m.apply(.trade(tr))
            ex.match(trade: tr, for: p, market: m, now: t, into: &out)
            consume(out)
            for s2 in Self.symbols { var o: [OrderActivity] = []; ex.releaseUnfillable(s2, for: p, now: t, into: &o); consume(o) }
        }
        for s in Self.symbols { moveBook(s) }
        for _ in 0..<6000 {
            let s = Self.symbols[Int(rng.next() % 3)]
            let r = rng.uniform()
            if r < 0.3 { moveBook(s); continue }
            if r < 0.6 { printTrade(s); continue }
            let before = Snapshot(p)
            let rejectionsBefore = p.totalRejections
            var out: [OrderActivity] = []
            let action = [SignalAction.buy, .sell, .short, .cover][Int(rng.next() % 4)]
            let mid = mids[s]!
            let k = rng.uniform()
            if k < 0.55 {
                // A limit order a little either side of the mid: some rest, some cross.
                let limit = px(s, mid * (1 + (rng.uniform() - 0.5) * 0.004))
                let size = Money(rounding: 5 + rng.uniform() * 150, toDecimals: 2)!
                let tif: TimeInForce = rng.uniform() < 0.2 ? .goodTillTime(t + .milliseconds(Int64(rng.next() % 3000))) : .goodTillCancel
                let s1 = try! Signal.limit(action, s, size: size, at: limit, reason: "prop", postOnly: rng.uniform() < 0.4, timeInForce: tif)
                ex.place(s1, for: p, market: m, now: t, into: &out)
                placed += 1
            } else if k < 0.7 {
                let sig = try! Signal(action: action, symbol: s, size: Money(rounding: 5 + rng.uniform() * 100, toDecimals: 2)!, price: m.price(s) ?? px(s, mid),
                                      reason: "prop", closeFullPosition: !action.isOpening && rng.uniform() < 0.3)
                if case .success(let f) = ex.execute(sig, for: p, market: m, now: t) { out.append(.fill(f)) }
            } else if k < 0.82, let o = p.openOrders.randomElement(using: &rng) {
                ex.cancel(o.id, for: p, now: t, into: &out)
                cancels += 1
            } else if k < 0.95, let o = p.openOrders.randomElement(using: &rng) {
                let newPrice = rng.uniform() < 0.5 ? px(o.symbol, mids[o.symbol]! * (1 + (rng.uniform() - 0.5) * 0.004)) : nil
                let newSize = rng.uniform() < 0.5 ? Money(rounding: 5 + rng.uniform() * 100, toDecimals: 2)! : nil
                ex.replace(o.id, price: newPrice, size: newSize, for: p, market: m, now: t, into: &out)
                replaces += 1
            } else {
                ex.cancelAll(s, for: p, now: t, into: &out)
            }
            let refused = out.count == 1 && { if case .rejection = out[0] { true } else { false } }()
            if refused {
                // A refused operation changes nothing but its count.
                #expect(Snapshot(p) == before && p.totalRejections == rejectionsBefore + 1)
            }
            consume(out)
            for s2 in Self.symbols { var o: [OrderActivity] = []; ex.releaseUnfillable(s2, for: p, now: t, into: &o); consume(o) }
            checkReservations(p, m)
        }
        // The run exercised what it claims to.
        #expect(makers > 100 && fills - makers > 100, "maker \(makers) taker \(fills - makers)")
        #expect(placed > 500 && cancels > 50 && replaces > 50 && expired > 5 && crossRejects > 20)
    }
}

private func pow10(_ e: Int) -> Double { var x = 1.0; for _ in 0..<abs(e) { x *= 10 }; return e < 0 ? 1 / x : x }

extension SplitMix64: RandomNumberGenerator {}
