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
        let bad = BarCSV.parse(Array("time,o,h,l,c,v\n60,1,1,1,1,1\n".utf8), symbol: sym)
        #expect(bad.rowsRejected == 1 && bad.candles.count == 1)
        let off = BarCSV.parse(Array("1700000001,1,1,1,1,1\n1700000061,1,1,1,1,1\n".utf8), symbol: sym)
        #expect(off.unalignedRows == 2 && off.candles.count == 2)
        let empty = BarCSV.parse([], symbol: sym)
        #expect(empty.candles.isEmpty && empty.rowsRejected == 0)
    }
}
