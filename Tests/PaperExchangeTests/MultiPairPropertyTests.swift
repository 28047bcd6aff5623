import Testing
import TradingCore
import MarketData
@testable import PaperExchange

/// Engine §2.5.1 over several pairs at once (hardening issue, item 4): XRP/USDT, BTC/USDT and XRP/BTC share the
/// XRP and BTC balances, every portfolio starts with XRP and BTC besides cash, and orders fill both against books
/// (live ticks) and at bar opens with each bar judged over its range (open, adverse, favourable). After every fill:
/// every balance equals its starting amount plus the flows of the fills (exact), every pair's position equals the
/// sum of that pair's own fills (a sell on one pair never takes another pair's units), a cash-quoted round trip's
/// P&L equals its proceeds less costs and fees, and the counters agree. Stops, targets and margin calls must all fire.
@Suite struct MultiPairPropertyTests {
    static let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, cross = Symbol("XRP/BTC")!
    static let symbols = [btc, cross, xrp]

    /// What the fills say the portfolio must hold.
    struct Ledger {
        var balances: [String: Quantity]
        var cash: Money
        var positions: [Symbol: (side: PositionSide, size: Quantity)] = [:]
        var roundTrip: [Symbol: Money] = [:]     // Σ signed value − fees of the open round trip (cash-quoted pairs)
        var roundTripPnl: [Symbol: Money] = [:]
        var fills = 0, closing = 0

        mutating func apply(_ f: Fill, lot: Quantity, p: Portfolio) {
            let value = f.size * f.price
            let base = f.symbol.base, quote = f.symbol.quote
            func moveQuote(_ m: Money) {
                if f.symbol.quoteIsCash { cash += m } else { balances[quote, default: .zero] += Quantity(raw: m.raw) }
            }
            switch f.side {
            case .buy: balances[base, default: .zero] += f.size; moveQuote(-(value + f.fee))
            case .cover: balances[base, default: .zero] += f.size; moveQuote(-(value + f.fee))
            case .sell: balances[base, default: .zero] -= f.size; moveQuote(value - f.fee)
            case .short: balances[base, default: .zero] -= f.size; moveQuote(value - f.fee)
            }
            fills += 1
            if f.isClosing { closing += 1 }
            let signed: Money = f.side == .sell || f.side == .short ? value - f.fee : -(value + f.fee)
            if f.side.isOpening {
                let side: PositionSide = f.side == .buy ? .long : .short
                let size = (positions[f.symbol]?.size ?? .zero) + f.size
                positions[f.symbol] = (side, size)
                roundTrip[f.symbol, default: .zero] += signed
            } else if !f.isClosing {
                // A sell of free inventory: a positive residue below one lot is cleared (settlement's dust rule).
                if let b = balances[base], b.isPositive, b < lot { balances[base] = .zero }
            } else if let pos = positions[f.symbol] {
                roundTrip[f.symbol, default: .zero] += signed
                roundTripPnl[f.symbol, default: .zero] += f.pnl
                let left = pos.size - f.size
                if left < lot {
                    positions[f.symbol] = nil
                    // Engine §2.4.5 rule 8: the residual base balance below one lot is cleared with the position.
                    if let b = balances[base], b.magnitude < lot { balances[base] = .zero }
                    if f.symbol.quoteIsCash {
                        // The round trip's P&L telescopes: proceeds − costs − every fee.
                        #expect(roundTripPnl[f.symbol]! == roundTrip[f.symbol]!, "round trip \(f.symbol)")
                    }
                    roundTrip[f.symbol] = nil
                    roundTripPnl[f.symbol] = nil
                } else {
                    positions[f.symbol] = (pos.side, left)
                }
            }
            check(p)
        }

        func check(_ p: Portfolio) {
            #expect(p.cash == cash)
            for asset in Set(balances.keys).union(p.assets.keys) {
                #expect(p.assetBalance(asset) == balances[asset] ?? .zero, "balance \(asset)")
            }
            #expect(p.positions.count == positions.count)
            for (s, pos) in positions {
                #expect(p.position(s)?.side == pos.side && p.position(s)?.size == pos.size, "position \(s)")
            }
            #expect(p.totalFills == fills)
            #expect(p.wins + p.losses + p.breakeven == closing)
        }
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func invariantsHoldAcrossPairs(seed: UInt64) {
        var cfg = ExchangeConfig()
        cfg.fillModel = .topOfBook
        cfg.startingCapital = Money(1000)
        cfg.startingAssets = ["XRP": Quantity(50), "BTC": Quantity("0.002")!]
        let ex = PaperExchange(config: cfg, instruments: InstrumentRegistry(), sessionSymbols: Self.symbols)
        let lot = Quantity("0.00000001")!
        var rng = SplitMix64(seed: seed)
        var px: [Symbol: Double] = [Self.xrp: 2.35, Self.btc: 100_000]
        var t = T0
        var p = ex.makePortfolio(strategy: "prop")
        var ledger = Ledger(balances: p.assets, cash: p.cash)
        var exitsFired: [ExitTrigger: Int] = [:]
        var totalFills = 0, crossFills = 0
        var m = MarketState(symbols: Self.symbols)

        func priceText(_ s: Symbol, _ v: Double) -> Price {
            Price(rounding: v, toDecimals: InstrumentRegistry()[s]!.priceDecimals)!
        }
        func crossPrice() -> Double { px[Self.xrp]! / px[Self.btc]! * (1 + (rng.uniform() - 0.5) * 0.002) }
        func execute(_ s: Signal, venue: Venue = .market, trigger: ExitTrigger? = nil, at time: Timestamp? = nil) {
            let before = (p.cash, p.assets, p.positions, p.totalPnl)
            let free = p.freeInventory(s.symbol.base)
            switch ex.execute(s, for: p, market: m, now: time ?? t, venue: venue, trigger: trigger) {
            case .success(let f):
                #expect(f.size.isPositive)
                // A sell that closes nothing takes free inventory only, never another pair's position.
                if f.side == .sell && !f.isClosing { #expect(f.size <= free) }
                // XRP is never a quote here, so its units outside positions can never go negative.
                #expect(!p.freeInventory("XRP").isNegative)
                if let tr = f.trigger { exitsFired[tr, default: 0] += 1 }
                totalFills += 1
                if f.symbol == Self.cross { crossFills += 1 }
                ledger.apply(f, lot: lot, p: p)
            case .failure:
                #expect(p.cash == before.0 && p.assets == before.1 && p.positions == before.2 && p.totalPnl == before.3)
            }
        }
        func randomSignal(_ ref: (Symbol) -> Price?) -> Signal? {
            let s = Self.symbols[Int(rng.next() % 3)]
            guard let r = ref(s) else { return nil }
            let action = [SignalAction.buy, .sell, .short, .cover][Int(rng.next() % 4)]
            let size = Money(rounding: 5 + rng.uniform() * 400, toDecimals: 2)!
            let full = (action == .sell || action == .cover) && rng.uniform() < 0.3
            var sl: Price?, tp: Price?
            if action.isOpening && rng.uniform() < 0.5 {
                let d = r.doubleValue, dec = InstrumentRegistry()[s]!.priceDecimals
                sl = Price(rounding: action == .buy ? d * 0.97 : d * 1.03, toDecimals: dec)
                tp = Price(rounding: action == .buy ? d * 1.04 : d * 0.96, toDecimals: dec)
            }
            return try? Signal(action: action, symbol: s, size: size, price: r, reason: "prop", stopLoss: sl, takeProfit: tp, closeFullPosition: full)
        }

        for step in 0..<6000 {
            t = t + .minutes(1)
            for s in [Self.xrp, Self.btc] {
                // Mostly small moves, now and then a crash or a spike so leveraged accounts get margin-called.
                let jump = rng.uniform() < 0.01 ? (rng.uniform() < 0.5 ? 0.6 : 1.5) : 1 + (rng.uniform() - 0.5) * 0.03
                px[s] = min(max(px[s]! * jump, s == Self.xrp ? 0.2 : 10_000), s == Self.xrp ? 30 : 1_000_000)
            }
            if step % 2 == 0 {
                // A live tick: top-of-book fills, one pass of exits at the current prices.
                for s in Self.symbols {
                    let mid = s == Self.cross ? crossPrice() : px[s]!
                    let half = mid * 0.0002
                    m.apply(.book(BookUpdate(symbol: s, time: t, isSnapshot: true,
                                             bids: [BookLevel(price: priceText(s, mid - half), size: Quantity(1_000_000))],
                                             asks: [BookLevel(price: priceText(s, mid + half), size: Quantity(1_000_000))])))
                }
                for o in ex.exitOrders(for: p, market: m) { execute(o.signal, venue: o.venue, trigger: o.trigger) }
                if let s = randomSignal({ m.price($0) }) { execute(s) }
            } else {
                // A bar step: orders fill at the bar's open, then the bar is judged over its range.
                var opens: [Symbol: Price] = [:]
                for s in Self.symbols {
                    let close = s == Self.cross ? crossPrice() : px[s]!
                    let open = (m.price(s)?.doubleValue ?? close)
                    let lo = min(open, close) * (1 - rng.uniform() * 0.02), hi = max(open, close) * (1 + rng.uniform() * 0.02)
                    let o = priceText(s, open), c = priceText(s, close)
                    let l = Price.min(priceText(s, lo), Price.min(o, c)), h = Price.max(priceText(s, hi), Price.max(o, c))
                    opens[s] = o
                    m.applyBar(Bar(symbol: s, timeframe: .m1, candle: Candle(start: t, open: o, high: h, low: l, close: c, volume: Quantity(1))))
                }
                if let s = randomSignal({ opens[$0] }) { execute(s, venue: .at(opens[s.symbol]!), at: t) }
                var done = Set<Symbol>()
                var path = AdversePath()
                for phase in ExitPhase.allCases {
                    while true {
                        let orders = ex.exitOrders(for: p, market: m, phase: phase, excluding: done, path: &path)
                        if orders.isEmpty { break }
                        for o in orders {
                            done.insert(o.signal.symbol)
                            #expect(o.time == t)
                            execute(o.signal, venue: o.venue, trigger: o.trigger, at: o.time)
                        }
                        if phase != .adverse { break }
                    }
                }
                ex.updateDrawdown(p, market: m)
                m.clearBarRanges()
            }
            ex.updateTracking(p, market: m)
            if step % 1500 == 1499 {
                // A fresh account now and then, so leverage and starting assets matter again.
                p = ex.makePortfolio(strategy: "prop")
                ledger = Ledger(balances: p.assets, cash: p.cash)
                m = MarketState(symbols: Self.symbols)
            }
        }
        #expect(exitsFired[.stopLoss, default: 0] > 0)
        #expect(exitsFired[.takeProfit, default: 0] > 0)
        #expect(exitsFired[.marginCall, default: 0] > 0)
        #expect(totalFills > 1000 && crossFills > 100)
        print("multi-pair seed \(seed): \(totalFills) fills (\(crossFills) XRP/BTC), exits \(exitsFired.sorted { $0.key.rawValue < $1.key.rawValue })")
    }
}
