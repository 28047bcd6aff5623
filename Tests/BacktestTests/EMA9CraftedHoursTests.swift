import Foundation
import Testing
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
@testable import Backtest

/// ema9_trend_flip holds for hours, so a 48-hour simulated session makes 0–2 round trips on the simulator's seeds
/// (issue "Strategies II": crafted data may stand in, named). "ema9 crafted flips": 15 hourly bars at 100, then 8-hour
/// cycles of 4 bars at 98 and 4 at 102, 48 hours after the warm-up. Each first 102 bar opens above the EMA after three
/// below (a long); each first 98 bar opens below it again (the flip exit, or the 1 % stop inside that bar first).
@Suite struct EMA9CraftedHoursTests {
    let sym = Symbol("BTC/USDT")!
    let start = Timestamp(iso8601: "2025-01-06T00:00:00Z")!

    func bars() -> BarSeries {
        var levels = Array(repeating: 100.0, count: 15)
        while levels.count < 15 + 48 { levels += Array(repeating: 98.0, count: 4) + Array(repeating: 102.0, count: 4) }
        var csv = "timestamp,open,high,low,close,volume\n"
        for (h, v) in levels.enumerated() {
            csv += "\(start.nanoseconds / 1_000_000_000 + Int64(3600 * h)),\(v),\(v + 0.01),\(v - 0.01),\(v),1\n"
        }
        return BarCSV.parse(Array(csv.utf8), symbol: sym, timeframe: .h1)
    }

    func spec(_ series: BarSeries) throws -> SessionSpec {
        var ex = ExchangeConfig()
        ex.startingCapital = Money(1000)
        var engine = EngineConfig()
        engine.nextBarOpenFills = true
        var md = MarketDataConfig()
        md.candleCloseGrace = .seconds(0)
        let p = try SessionBuilder.effectiveParameters("ema9_trend_flip", layers: [[:]])
        return SessionSpec(symbols: [sym], instruments: [InstrumentRegistry()[sym]!], strategies: [StrategySpec(name: "ema9_trend_flip", parameters: p, symbols: [sym])],
                           exchange: ex, engine: engine, market: md, seed: 1, intervalMs: 3_600_000, start: series.candles[0].start)
    }

    @Test func craftedFlipsTradeAuditedAndRepeatable() throws {
        let series = bars()
        #expect(series.rowsRejected == 0 && series.timeframe == .h1)
        func run() throws -> (BarRun, VisibilityAudit) {
            let k = try SessionBuilder.makeKernel(try spec(series))
            let audit = k.enableVisibilityAudit()
            let h = FillHasher()
            var lines: [String] = []
            h.lineSink = { lines.append($0) }
            k.addObserver(h)
            BarReplayDriver.run([series], kernel: k)
            k.stop()
            return (BarRun(kernel: k, report: SessionReport(kernel: k, hasher: h, start: series.candles[0].start), lines: lines), audit)
        }
        let (a, audit) = try run()
        let (b, _) = try run()
        let s = try #require(a.report.strategies.first)
        // Six cycles after the warm-up: a long each, closed by the stop or the flip.
        #expect(s.roundTrips >= 3, "\(s.roundTrips) round trips, \(s.fills) fills, declined \(s.strategyRejections)")
        #expect(s.fills == 2 * s.closedTrades + s.openPositions)
        #expect(audit.violations.isEmpty && audit.decisionsChecked > 40)
        #expect(a.lines == b.lines && a.report.fillsSha256 == b.report.fillsSha256)
    }
}
