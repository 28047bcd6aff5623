import Testing
import TradingCore
@testable import Backtest

@Suite struct BarCSVTests {
    let sym = Symbol("SYN/USD")!

    @Test func badRowsAreSkippedCountedAndReported() {
        let text = """
        timestamp,open,high,low,close,volume\r
        1700000040,100.5,101,100,100.75,3.25\r

        1700000100,100,abc,99,100,1
        1700000160,100,101,99
        1700000220,100,99,101,100,1
        1700000280,100,101,99,100.125,2
        1700000280,100,101,99,100,1
        1700000100,100,101,99,100,1
        1700000340,100,101,99,102,1
        1700000400,-1,101,99,100,1
        1700000460,100,101,99,100,-5
        2023-11-14T22:22:00Z,100,101,99,100.5,0.000001
        """
        let s = BarCSV.parse(Array(text.utf8), symbol: sym)
        #expect(s.candles.count == 3)
        #expect(s.rowsRejected == 8)
        #expect(s.errors.map(\.line) == [4, 5, 6, 8, 9, 10, 11, 12])
        #expect(s.errors[0].message == "bad high 'abc'")
        #expect(s.rows == 11)
        #expect(s.errors[1].message == "expected 6 columns, got 4")
        #expect(s.errors[3].message == "duplicate timestamp")
        #expect(s.errors[4].message == "timestamp out of order")
        #expect(s.priceDecimals == 3)
        #expect(s.volumeDecimals == 6)
        #expect(s.candles[2].start == Timestamp(iso8601: "2023-11-14T22:22:00Z")!)
        #expect(s.candles[0].close == Price("100.75")!)
        #expect(s.unalignedRows == 0)
    }

    @Test func millisecondsAndWrongHeader() {
        let ms = BarCSV.parse(Array("1700000040000,1,1,1,1,1\n".utf8), symbol: sym)
        #expect(ms.candles.first?.start == Timestamp(seconds: 1_700_000_040))
        // A header with other column names is reported (the columns are read in the fixed order), not a rejected row.
        let bad = BarCSV.parse(Array("time,o,h,l,c,v\n60,1,1,1,1,1\n".utf8), symbol: sym)
        #expect(bad.rowsRejected == 0 && bad.candles.count == 1 && bad.errors.first?.line == 1)
        let off = BarCSV.parse(Array("1700000001,1,1,1,1,1\n1700000061,1,1,1,1,1\n".utf8), symbol: sym)
        #expect(off.unalignedRows == 2 && off.candles.count == 2)
        let empty = BarCSV.parse([], symbol: sym)
        #expect(empty.candles.isEmpty && empty.rowsRejected == 0)
    }

    func load(_ text: String, _ tf: Timeframe? = nil) throws(BarFileError) -> BarSeries {
        try BarCSV.load(Array(text.utf8), symbol: sym, timeframe: tf)
    }

    func rows(_ start: Int64, step: Int64, count: Int) -> String {
        (0..<count).map { "\(start + Int64($0) * step),1,1,1,1,1" }.joined(separator: "\n")
    }

    /// Decision 38: the timeframe defaults to the most common spacing; an unsupported one exits naming it.
    @Test func timeframeIsInferredFromTheSpacing() throws {
        #expect(try load(rows(1_700_000_000, step: 3600, count: 10)).timeframe == .h1)
        #expect(try load(rows(1_700_000_000, step: 3600, count: 10)).timeframeInferred)
        #expect(try load(rows(1_699_920_000, step: 86_400, count: 5)).timeframe == .d1)
        // One gap does not change the mode.
        let gappy = rows(1_700_000_040, step: 60, count: 5) + "\n" + rows(1_700_003_000, step: 60, count: 5)
        #expect(try load(gappy).timeframe == .m1)
        #expect(throws: BarFileError.self) { try load(rows(1_700_000_000, step: 30, count: 10)) }
        do { _ = try load(rows(1_700_000_000, step: 120, count: 10)); Issue.record("2-minute bars accepted") }
        catch { #expect(error.message.contains("2 min apart") && error.message.contains("not a supported timeframe")) }
    }

    /// 30-second bars declared as 1m overlap one another: rejected with line numbers, and the file is refused.
    @Test func overlappingBarsAreRejected() throws {
        do { _ = try load(rows(1_700_000_040, step: 30, count: 10), .m1); Issue.record("overlapping bars accepted") }
        catch { #expect(error.message.contains("30 s apart") && error.message.contains("shorter than the declared 1m")) }
        let s = BarCSV.parse(Array(rows(1_700_000_040, step: 30, count: 10).utf8), symbol: sym, timeframe: .m1)
        #expect(s.candles.count == 5 && s.rowsRejected == 5)
        #expect(s.errors.map(\.line) == [2, 4, 6, 8, 10])
        #expect(s.errors[0].message.hasPrefix("starts 30 s after the previous bar"))
        // Fewer than half bad: used, with the bad rows reported.
        let mostlyGood = rows(1_700_000_040, step: 60, count: 8) + "\n1700000500,1,1,1,1,1"
        let g = try load(mostlyGood)
        #expect(g.candles.count == 8 && g.rowsRejected == 1)
        // More than half rejected: the file is refused with the first reasons.
        let mostlyBad = rows(1_700_000_040, step: 60, count: 4) + "\n" + (0..<5).map { "1700000\($0)00,x,1,1,1,1" }.joined(separator: "\n")
        do { _ = try load(mostlyBad); Issue.record("mostly bad file accepted") }
        catch { #expect(error.message.hasPrefix("5 of 9 rows rejected") && error.message.contains("line 5: bad open 'x'")) }
    }

    /// Item 8: every timestamp unit, ISO with and without T/Z, exponents, BOM and CRLF.
    @Test func timestampFormsAndNumbers() throws {
        let t = Timestamp(iso8601: "2025-01-01T00:00:00Z")!
        let forms = ["1735689600", "1735689600000", "1735689600000000", "1735689600000000000", "1.7356896e9", "1.7356896E+12",
                     "2025-01-01T00:00:00Z", "2025-01-01 00:00:00", "2025-01-01T00:00:00", "2025-01-01T01:00:00+01:00",
                     "2025-01-01", "\"2025-01-01 00:00:00\"", "1735689600.0"]
        for f in forms {
            let s = BarCSV.parse(Array("timestamp,open,high,low,close,volume\n\(f),2.5e-1,3E-1,2.5e-1,0.3,1e3\n".utf8), symbol: sym)
            #expect(s.candles.first?.start == t, "\(f)")
            #expect(s.candles.first?.high == Price("0.3")!, "\(f)")
            #expect(s.candles.first?.volume == Quantity(1000), "\(f)")
        }
        let bomCRLF = [0xEF, 0xBB, 0xBF] + Array("timestamp,open,high,low,close,volume\r\n1735689600,1,1,1,1,1\r\n1735689660,1,1,1,1,1\r\n".utf8)
        let b = try BarCSV.load(bomCRLF, symbol: sym)
        #expect(b.candles.count == 2 && b.rowsRejected == 0 && b.errors.isEmpty)
    }

    /// Years past 2200 (or before 1970), NaN, infinities and absurd magnitudes are rejected rows, never traps.
    @Test func outOfRangeValuesAreRejectedRows() {
        let bad = ["9999-01-01T00:00:00Z,1,1,1,1,1", "1900-01-01 00:00:00,1,1,1,1,1", "99999999999999999999999,1,1,1,1,1",
                   "1e300,1,1,1,1,1", "-5,1,1,1,1,1", "1735689600,nan,1,1,1,1", "1735689600,inf,inf,1,1,1",
                   "1735689600,1e30,1e30,1,1,1", "1735689600,1,1,1,1,1e40", "2025-02-30,1,1,1,1,1", "\u{01}\u{02},\u{ff},,,,"]
        let s = BarCSV.parse(Array(bad.joined(separator: "\n").utf8), symbol: sym)
        #expect(s.candles.isEmpty && s.rowsRejected == bad.count)
        #expect(s.errors[0].message.contains("outside 1970-01-01"))
        #expect(s.errors[1].message.contains("outside 1970-01-01"))
    }
}
