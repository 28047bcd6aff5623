import Foundation
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
@testable import Backtest

func fixture(_ path: String) throws -> [UInt8] {
    guard let url = Bundle.module.url(forResource: "Fixtures/" + path, withExtension: nil) else {
        throw SessionError.input("missing fixture \(path)")
    }
    return Array(try Data(contentsOf: url))
}

/// The canonical SMA-cross setup of shared/bench/README.md.
func smaSpec(symbol: Symbol, start: Timestamp, params: [String: String] = [:]) throws -> SessionSpec {
    var ex = ExchangeConfig()
    ex.startingCapital = Money(10_000_000)
    ex.feeRate = Rate("0.001")!
    ex.slippageRate = .zero
    var engine = EngineConfig()
    engine.nextBarOpenFills = true
    var md = MarketDataConfig()
    md.candleCloseGrace = .seconds(0)
    let p = try SessionBuilder.effectiveParameters("sma_cross", layers: [["fast": "10", "slow": "30", "quantity": "1"], params])
    return SessionSpec(symbols: [symbol], instruments: [InstrumentRegistry()[symbol] ?? Instrument(symbol: symbol, priceDecimals: 2, lotDecimals: 8)],
                       strategies: [StrategySpec(name: "sma_cross", parameters: p, symbols: [symbol])],
                       exchange: ex, engine: engine, market: md, seed: 42, intervalMs: 60_000, start: start)
}

struct BarRun {
    let kernel: Kernel
    let report: SessionReport
    let lines: [String]
}

func runBars(_ series: BarSeries, spec: SessionSpec) throws -> BarRun {
    let k = try SessionBuilder.makeKernel(spec)
    let h = FillHasher()
    var lines: [String] = []
    h.lineSink = { lines.append($0) }
    k.addObserver(h)
    BarReplayDriver.run([series], kernel: k)
    k.stop()
    return BarRun(kernel: k, report: SessionReport(kernel: k, hasher: h, start: spec.start), lines: lines)
}

/// Replays a recording through a kernel rebuilt from its header: the fills' hash, the kernel and the reader.
func replayRecording(_ path: String) throws -> (hash: String, fills: Int, kernel: Kernel, replay: EventReplay) {
    let r = try EventReplay(path: path)
    let k = try SessionBuilder.makeKernel(r.spec)
    let h = FillHasher()
    k.addObserver(h)
    while let e = r.next() { k.handle(e) }
    k.stop()
    return (h.hexDigest, h.count, k, r)
}
