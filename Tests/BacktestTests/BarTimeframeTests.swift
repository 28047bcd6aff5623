import Testing
import TradingCore
@testable import Backtest

/// Bars are what they say they are: a strategy reads candles of its configured timeframe, `auto` is the bars'
/// timeframe in a bar backtest, and a strategy that needs finer candles than the bars is refused before the run.
@Suite struct BarTimeframeTests {
    let sym = Symbol("BTC/USD")!

    func spec(_ series: BarSeries, _ tf: Timeframe, params: [String: String] = [:]) throws -> SessionSpec {
        var s = try smaSpec(symbol: sym, start: series.candles[0].start, params: params)
        s.barTimeframe = tf
        s.market.timeframes = [tf]
        s.intervalMs = Int64(tf.minutes) * 60_000
        return s
    }

    /// The same rows relabelled as hourly bars trade exactly as the 1m run: same fills, prices, sizes and P&L,
    /// at the hourly times.
    @Test func hourlyDataMatchesTheMinuteResultOfTheSameBars() throws {
        let minute = BarCSV.parse(try fixture("sma/bars_4000_1.csv"), symbol: sym)
        var hourly = minute
        hourly.timeframe = .h1
        let t0 = Timeframe.h1.bucket(minute.candles[0].start)
        for i in hourly.candles.indices { hourly.candles[i].start = t0 + .minutes(Int64(60 * i)) }
        let a = try runBars(minute, spec: try spec(minute, .m1))
        let b = try runBars(hourly, spec: try spec(hourly, .h1))
        #expect(a.lines.count > 100 && a.lines.count == b.lines.count)
        func strip(_ l: String) -> [Substring] { var f = l.split(separator: "|", omittingEmptySubsequences: false); f.remove(at: 3); return f }
        #expect(a.lines.map(strip) == b.lines.map(strip))
        // The hourly fills happen at hourly bar opens.
        let times = b.lines.map { Int64($0.split(separator: "|")[3])! }
        #expect(times.allSatisfy { ($0 - t0.nanoseconds) % 3_600_000_000_000 == 0 })
        #expect(a.report.strategies[0].finalEquity == b.report.strategies[0].finalEquity)
    }

    @Test func finerTimeframeThanTheBarsIsRefused() throws {
        var hourly = BarCSV.parse(try fixture("sma/bars_4000_1.csv"), symbol: sym)
        hourly.timeframe = .h1
        #expect(throws: SessionError.invalidConfig("sma_cross reads 1m candles but the bars are 1h: a bar backtest cannot build candles finer than its bars (use 1m or finer data, or set the strategy's timeframe to 1h or above)")) {
            _ = try SessionBuilder.makeKernel(try spec(hourly, .h1, params: ["timeframe": "1m"]))
        }
        // Coarser is fine: 4h candles aggregated from the hourly bars.
        hourly.candles = Array(hourly.candles.prefix(48))
        for i in hourly.candles.indices { hourly.candles[i].start = Timestamp(nanoseconds: 0) + .minutes(Int64(60 * i)) + .minutes(60 * 24 * 365 * 50) }
        let k = try SessionBuilder.makeKernel(try spec(hourly, .h1, params: ["timeframe": "4h"]))
        BarReplayDriver.run([hourly], kernel: k)
        let four = k.market.candles(.h4, sym)
        #expect(four.count == 12)
        #expect(four[0].high == hourly.candles[0..<4].map(\.high).max()!)
        #expect(four[0].close == hourly.candles[3].close && four[0].open == hourly.candles[0].open)
    }
}
