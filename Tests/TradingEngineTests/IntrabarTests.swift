import Testing
import TradingCore
import MarketData
import PaperExchange
@testable import TradingEngine

enum NameI: ScriptName { static let value = "i" }

/// Bars are judged over their whole range, pessimistically (backtest.md §B4, decisions 21 and 37): the open first,
/// then the adverse extreme, then the favourable one; engine exits are stamped at the bar's start. Expected values
/// come from scripts/derive_intrabar_values.py (Python decimal) or backtest.md's acceptance scenarios 7 and 8.
@Suite(.serialized) struct IntrabarTests {
    let t0 = Timestamp(iso8601: "2024-05-01T10:00:00Z")!

    func bar(_ i: Int, _ o: String, _ h: String, _ l: String, _ c: String) -> MarketEvent {
        .bar(Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: t0 + .minutes(Int64(i)), open: Price(o)!, high: Price(h)!,
                                                             low: Price(l)!, close: Price(c)!, volume: Quantity(1))))
    }

    /// A bar backtest kernel whose one strategy sends `entry` at its first decision.
    func run(_ entry: @escaping (Price) throws -> Signal, bars: [MarketEvent], fee: String = "0.001") throws -> (Kernel, Scripted<NameI>) {
        let s = try Scripted<NameI>(parameters: .defaults([]), symbols: [XRP])
        var sent = false
        s.decide = { snap, _ in
            if sent { return nil }
            sent = true
            return try entry(snap.price(XRP)!)
        }
        var e = EngineConfig(); e.nextBarOpenFills = true
        var c = ExchangeConfig(); c.feeRate = Rate(fee)!
        var md = MarketDataConfig(); md.candleCloseGrace = .seconds(0)
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let k = Kernel(market: MarketState(symbols: [XRP], config: md), exchange: ex, strategies: [s], clock: ManualClock(t0), config: e)
        k.start()
        for (i, b) in bars.enumerated() {
            k.handle(b)
            k.handle(.timer(t0 + .minutes(Int64(i + 1))))
        }
        return (k, s)
    }

    func buy(_ q: String, sl: String? = nil, tp: String? = nil) -> (Price) throws -> Signal {
        { px in try Signal(action: .buy, symbol: XRP, size: Money(q)!, sizeUnit: .base, price: px, reason: "entry",
                           stopLoss: sl.map { Price($0)! }, takeProfit: tp.map { Price($0)! }) }
    }

    /// A leveraged long whose bar trades through its liquidation price is margin-called inside that bar, at the
    /// price where maintenance margin was breached, although the bar closes higher.
    @Test func leveragedLongLiquidatedInsideABarThatClosesHigher() throws {
        let (k, s) = try run(buy("60"), bars: [bar(0, "2.35", "2.35", "2.35", "2.35"), bar(1, "2.35", "2.40", "0.90", "2.36")])
        let p = k.runner("i")!.portfolio
        #expect(s.fills.count == 2)
        let entry = s.fills[0], exit = s.fills[1]
        #expect(entry.price == Price("2.351175")! && entry.timestamp == t0 + .minutes(1))
        #expect(exit.trigger == .marginCall)
        #expect(exit.timestamp == t0 + .minutes(1))
        #expect(exit.signalReason == "MARGIN CALL: equity below maintenance margin at 0.915813")
        #expect(exit.price == Price("0.915354771438888888")!)
        #expect(exit.fee == Money("0.054921286286333333")!)
        #expect(exit.pnl == Money("-86.345205499953000053")!)
        #expect(p.cash == Money("13.654794500046999947")! && p.positions.isEmpty)
        // The summary's figures: one margin call; the pair's fees and volume are the two fills' (by hand).
        #expect(p.exits == [.marginCall: 1] && p.roundTrips == 1)
        #expect(p.pairs[XRP] == PairStats(fills: 2, realizedPnl: Money("-86.345205499953000053")!,
                                          fees: Money("0.195991786286333333")!, volume: Money("195.99178628633333328")!))
    }

    /// A next-bar-open fill after a gap is not judged at the previous close (no false drawdown, no false peak).
    @Test func gapFillsAreJudgedAtTheNewBar() throws {
        let (k, _) = try run(buy("0.5"), bars: [bar(0, "98", "98", "98", "98"), bar(1, "150", "150.5", "149.9", "150.2"),
                                             bar(2, "150.2", "150.2", "150.2", "150.2")])
        let p = k.runner("i")!.portfolio
        // Worst point: the low 149.9 after buying 0.5 at 150 × 1.0005 = 150.075 with a 0.0750375 fee:
        // equity 100 − 75.0375 − 0.0750375 + 0.5 × 149.9 = 99.8374625 against the peak 100 (valued at the old
        // close 98 it would have looked like a 26 % drawdown).
        #expect(abs(p.maxDrawdown - 0.001625375) < 1e-12)
    }

    /// The mirror: a short margin-called on its bar's high.
    @Test func shortLiquidatedAtTheBreachOnTheHigh() throws {
        let short: (Price) throws -> Signal = { px in try Signal(action: .short, symbol: XRP, size: Money(40), sizeUnit: .base, price: px, reason: "entry") }
        let (_, s) = try run(short, bars: [bar(0, "2.35", "2.35", "2.35", "2.35"), bar(1, "2.35", "5.00", "2.30", "2.30")])
        let exit = try #require(s.fills.last)
        #expect(exit.trigger == .marginCall && exit.side == .cover)
        #expect(exit.price == Price("3.87911953047")!)
        #expect(exit.fee == Money("0.1551647812188")!)
        #expect(exit.pnl == Money("-61.4608990000188")!)
    }

    /// On the way down the first level reached fires: a stop above the liquidation price wins, one below loses.
    @Test func stopAndMarginCallInPathOrder() throws {
        let above = try run(buy("60", sl: "1.5"), bars: [bar(0, "2.35", "2.35", "2.35", "2.35"), bar(1, "2.35", "2.40", "0.90", "2.36")]).1
        #expect(above.fills.last?.trigger == .stopLoss)
        #expect(above.fills.last?.price == Price("1.49925")!)
        let below = try run(buy("60", sl: "0.5"), bars: [bar(0, "2.35", "2.35", "2.35", "2.35"), bar(1, "2.35", "2.40", "0.90", "2.36")]).1
        #expect(below.fills.last?.trigger == .marginCall)
        #expect(below.fills.count == 2)
    }

    func bracketExit(_ o: String, _ h: String, _ l: String, _ c: String) throws -> Fill? {
        let flat = bar(1, "100", "100", "100", "100")
        let s = try run(buy("1", sl: "98", tp: "104"), bars: [bar(0, "100", "100", "100", "100"), flat, bar(2, o, h, l, c)], fee: "0").1
        #expect(s.fills.first?.price == Price("100.05")!)
        return s.fills.count == 2 ? s.fills[1] : nil
    }

    /// Backtest scenario 7 (the stop beats the target in one bar), scenario 8 (a gap through the stop fills at the
    /// open), a gap through the target (exits on the target side, at the open), and a target inside the bar.
    @Test func stopsAndTargetsOverTheBar() throws {
        let both = try #require(try bracketExit("99", "105", "97", "103"))
        #expect(both.trigger == .stopLoss && both.price == Price("97.951")!)
        #expect(both.timestamp == t0 + .minutes(2))
        let gapDown = try #require(try bracketExit("96", "97", "95", "96.5"))
        #expect(gapDown.trigger == .stopLoss && gapDown.price == Price("95.952")!)
        let gapUp = try #require(try bracketExit("106", "107", "97", "99"))
        #expect(gapUp.trigger == .takeProfit && gapUp.price == Price("105.947")!)
        let target = try #require(try bracketExit("100", "105", "99", "101"))
        #expect(target.trigger == .takeProfit && target.price == Price("103.948")!)
        #expect(try bracketExit("100", "103", "99", "101") == nil)
    }

    /// Max drawdown includes a bar's adverse extreme even when the bar closes higher.
    @Test func drawdownIncludesTheIntrabarLow() throws {
        let (k, _) = try run(buy("10"), bars: [bar(0, "2.35", "2.35", "2.35", "2.35"), bar(1, "2.35", "2.45", "1.90", "2.40"),
                                               bar(2, "2.40", "2.40", "2.40", "2.40")])
        let p = k.runner("i")!.portfolio
        #expect(abs(p.maxDrawdown - 0.0453526175) < 1e-12)
        #expect(p.positions.count == 1)
    }
}
