import Testing
@testable import TradingCore

@Suite struct FixedPointTests {
    @Test(arguments: [
        ("2.35", "2.35"), ("-0.05", "-0.05"), ("104500", "104500"), ("104500.000", "104500"), ("+3", "3"),
        (".5", "0.5"), ("2.25e-05", "0.0000225"), ("1E3", "1000"), ("0.000000000000000001", "0.000000000000000001"),
        ("0", "0"), ("-0", "0"), ("1_000.5", "1000.5"),
    ])
    func parsesAndPrintsExactly(input: String, expected: String) throws {
        let v = try #require(Money(input))
        #expect(v.description == expected)
    }

    @Test(arguments: ["", "abc", "1.2.3", "1e", "--1", "1e-5x", "0.0000000000000000001", "1e25", "nan"])
    func rejectsBadText(input: String) {
        #expect(Money(input) == nil)
    }

    @Test func doublesWithMoreThan18DecimalsRound() throws {
        #expect(try #require(Quantity(20.0 / 104500.0)).description == "0.000191387559808612")
        #expect(InstrumentRegistry()[Symbol("BTC/USDT")!]!.quantity(20.0 / 104500.0)?.description == "0.00019138")
        #expect(try #require(Money(1e-30)).isZero)
    }

    @Test func doubleConversionUsesShortestText() throws {
        #expect(try #require(Price(2.35)).description == "2.35")
        #expect(try #require(Price(0.0000225)).description == "0.0000225")
        #expect(Price(Double.nan) == nil)
        #expect(Price(Double.infinity) == nil)
    }

    @Test(arguments: ["0", "2.35", "-0.05", "9.2", "12345678901.123456789", "-98765432109876.5", "100000000000000000000"])
    func doubleValueIsClose(text: String) throws {
        let v = try #require(Money(text))
        let d = try #require(Double(text))
        #expect(abs(v.doubleValue - d) <= abs(d) * 1e-15)
    }

    @Test func productIsExact() {
        let p = Price("2.3521755")!, q = Quantity("21.25691726")!
        #expect((p * q).description == "49.99999998449913")
    }

    @Test func quantityDivisionRoundsAsStated() {
        let m = Money(50), p = Price("2.3521755")!
        let down = m.quantity(at: p, .down)
        let up = m.quantity(at: p, .up)
        #expect(up.raw - down.raw == 1)
        #expect(down.rounded(toDecimals: 8, .down).description == "21.25691726")
    }

    @Test func halfEvenRounding() {
        #expect(Money("0.125")!.rounded(toDecimals: 2).description == "0.12")
        #expect(Money("0.135")!.rounded(toDecimals: 2).description == "0.14")
        #expect(Money("-0.125")!.rounded(toDecimals: 2).description == "-0.12")
        #expect(Money("-1.005")!.rounded(toDecimals: 2, .down).description == "-1.01")
        #expect(Money("2.5")!.formatted(decimals: 0) == "2")
        #expect(Money("-3.14159")!.formatted(decimals: 3) == "-3.142")
        #expect(Money("7")!.formatted(decimals: 2) == "7.00")
    }

    @Test func roundingDoubleToDecimals() {
        #expect(Price(rounding: 2.123456789, toDecimals: 5)!.description == "2.12346")
        #expect(Price(rounding: 104523.96, toDecimals: 1)!.description == "104524")
        #expect(Price(rounding: .nan, toDecimals: 2) == nil)
    }

    @Test func proRatingUsesOneRounding() {
        // 0.05 × 20.85244372 / 21.25691726, half-even at 1e-18.
        let part = Quantity("20.85244372")!.fraction(of: Money("0.05")!, over: Quantity("21.25691726")!)
        #expect(part.description == "0.049048607248518782")
    }

    @Test func largeValuesStayExact() {
        let notional = Price("1000000000")! * Quantity("10000")!
        #expect(notional.description == "10000000000000")
        #expect(Money("100000000000000000000") != nil)
        #expect(Money("100000000000000000001") == nil)
    }

    @Test func rateHelpers() {
        let s = Rate("0.0005")!
        #expect(Price("2.351")!.scaled(by: s.onePlus).description == "2.3521755")
        #expect(Price("2.399")!.scaled(by: s.oneMinus).description == "2.3978005")
        #expect(Money(150).ratio(to: Money(100)).description == "1.5")
    }

    /// A money ratio applied to a price, one rounding (values from Python decimal at 60 digits).
    @Test func scaledByRatio() {
        let move = Price("1.45")!, num = Money("64.5384295")!.raw, den = Money("65.25")!.raw
        #expect(move.scaled(byRatio: num, over: den, .up)?.description == "1.434187322222222223")
        #expect(move.scaled(byRatio: num, over: den, .down)?.description == "1.434187322222222222")
        #expect(move.scaled(byRatio: num, over: den, .halfEven)?.description == "1.434187322222222222")
        #expect((-move).scaled(byRatio: num, over: den, .down)?.description == "-1.434187322222222223")
        #expect(move.scaled(byRatio: num, over: 0, .down) == nil)
        #expect(Price(raw: Int128.max / 2).scaled(byRatio: Int128.max / 2, over: 1, .down) == nil)
    }
}
