import Testing
@testable import TradingCore

func lv(_ p: String, _ q: String) -> BookLevel { BookLevel(price: Price(p)!, size: Quantity(q)!) }

@Suite struct OrderBookTests {
    /// Engine §8 scenario 1.
    @Test func derivedValues() {
        let b = OrderBook(bids: [lv("100", "10"), lv("99", "20")], asks: [lv("101", "15"), lv("102", "25")])
        #expect(b.bestBid == Price(100))
        #expect(b.bestAsk == Price(101))
        #expect(b.spread == Price(1))
        #expect(b.mid.description == "100.5")
        #expect(abs(b.spreadPct - 0.9950248756) < 1e-10)
        #expect(b.bidDepth == Quantity(30))
        #expect(b.askDepth == Quantity(40))
        #expect(abs(b.imbalance - -0.1428571429) < 1e-10)
    }

    @Test func emptyAndOneSided() {
        let e = OrderBook()
        #expect(e.bestBid == .zero && e.bestAsk == .zero && e.mid == .zero && e.spread == .zero && e.spreadPct == 0 && e.imbalance == 0)
        let one = OrderBook(bids: [lv("100", "10")])
        #expect(one.mid == Price(100))
        #expect(one.spread == .zero)
        #expect(one.imbalance == 1)
    }

    @Test func deltasSetDeleteAndTrim() {
        var b = OrderBook.snapshot(bids: [lv("99", "1"), lv("100", "2"), lv("0", "5")], asks: [lv("102", "1"), lv("101", "3")], depth: 10, time: .init(nanoseconds: 0))
        #expect(b.bids.map(\.price) == [Price(100), Price(99)])
        #expect(b.asks.map(\.price) == [Price(101), Price(102)])
        b.apply(bids: [lv("100.0", "1.2"), lv("99", "0"), lv("98", "4")], asks: [lv("100.5", "7")], depth: 2)
        #expect(b.bids == [lv("100", "1.2"), lv("98", "4")])
        #expect(b.asks == [lv("100.5", "7"), lv("101", "3")])
    }
}

@Suite struct CandleAndSnapshotHelperTests {
    /// Engine §8 scenario 2 (candle part).
    @Test func candleDerived() {
        let c = Candle(start: .init(nanoseconds: 0), open: Price(100), high: Price(110), low: Price(95), close: Price(105), volume: Quantity(1))
        #expect(c.bodySize == Price(5))
        #expect(c.range == Price(15))
        #expect(c.isBullish)
        var d = c; d.open = Price(105); d.close = Price(100)
        #expect(!d.isBullish)
        d.close = Price(105)
        #expect(!d.isBullish)
    }
}

@Suite struct SignalTests {
    let sym = Symbol("XRP/USD")!

    /// Engine §8 scenario 3.
    @Test func validation() throws {
        #expect(throws: SignalError.self) { try Signal(action: .buy, symbol: sym, size: Money(-10), price: Price(1), reason: "") }
        #expect(throws: SignalError.self) { try Signal(action: .buy, symbol: sym, size: .zero, price: Price(1), reason: "") }
        #expect(throws: SignalError.self) { try Signal(action: .buy, symbol: sym, sizeUSD: .nan, price: Price(1), reason: "") }
        #expect(throws: SignalError.self) { try Signal(action: .buy, symbol: sym, size: Money(10), price: Price(1), reason: "", orderType: .limit) }
        var meta = ["a": "1"]
        let s = try Signal(action: .buy, symbol: sym, size: Money(10), price: Price(1), reason: "", metadata: meta)
        meta["a"] = "2"
        #expect(s.metadata["a"] == "1")
        // A full close ignores size.
        _ = try Signal(action: .sell, symbol: sym, size: .zero, price: Price(1), reason: "", closeFullPosition: true)
        #expect(SignalAction(rawValue: "hold") == nil)
    }

    @Test func symbols() {
        #expect(Symbol(" XRP/USDT ")?.text == "XRP/USDT")
        #expect(Symbol("XRPUSDT") == nil)
        #expect(Symbol("xrp/usdt") == nil)
        #expect(Symbol("XRP/") == nil)
        #expect(Symbol("XRP/BTC")!.quoteIsCash == false)
        #expect(Symbol("XRP/USD")!.quoteIsCash)
    }

    @Test func instrumentsRound() throws {
        let i = try #require(InstrumentRegistry()[Symbol("XRP/USDT")!])
        #expect(i.price(2.123456)?.description == "2.12346")
        #expect(i.quantity(1.999999999)?.description == "1.99999999")
        #expect(i.tick.description == "0.00001")
        #expect(i.lot.description == "0.00000001")
    }
}
