import Foundation
import Testing
import TradingCore
@testable import Backtest

/// sma_cross over gen_bars.py data equals the canonical result established by scripts/crosscheck_sma.py
/// (backtrader and an exact Decimal restatement agree; golden.json holds their numbers).
@Suite struct SMACrossGoldenTests {
    struct Golden: Decodable {
        struct Dataset: Decodable { let n: Int; let seed: Int; let closed_trades: Int; let fills: Int; let final_equity: String; let file: String? }
        let datasets: [Dataset]
    }

    static let files = ["bars_4000_1.csv", "bars_4000_7.csv", "ties_5000_1.csv"]

    @Test(arguments: zip(files, 0..<3))
    func matchesCanonicalResult(file: String, index: Int) throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(try fixture("sma/golden.json")))
        let expected = golden.datasets[index]
        let sym = Symbol("BTC/USD")!
        let series = BarCSV.parse(try fixture("sma/" + file), symbol: sym)
        #expect(series.rowsRejected == 0)
        #expect(series.candles.count == expected.n)
        let run = try runBars(series, spec: try smaSpec(symbol: sym, start: series.candles[0].start))
        let s = try #require(run.report.strategies.first)
        #expect(s.closedTrades == expected.closed_trades)
        #expect(s.fills == expected.fills)
        #expect(s.finalEquity == Money(expected.final_equity)!)
    }

    @Test func deterministicAndFreeOfLookAhead() throws {
        let sym = Symbol("BTC/USD")!
        let series = BarCSV.parse(try fixture("sma/bars_4000_7.csv"), symbol: sym)
        let spec = try smaSpec(symbol: sym, start: series.candles[0].start)
        let a = try runBars(series, spec: spec), b = try runBars(series, spec: spec)
        #expect(a.report.fillsSha256 == b.report.fillsSha256)
        #expect(a.lines == b.lines)
        // Cut the data at bar 2500: every fill up to the cut must be unchanged.
        var cut = series
        cut.candles = Array(series.candles.prefix(2500))
        let c = try runBars(cut, spec: spec)
        let cutTime = cut.candles.last!.start
        let before = a.lines.filter { line in Int64(line.split(separator: "|")[3])! <= cutTime.nanoseconds }
        #expect(!before.isEmpty)
        #expect(c.lines == before)
    }
}
