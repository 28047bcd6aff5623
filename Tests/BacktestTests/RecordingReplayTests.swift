import Foundation
import Testing
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
import Strategies
@testable import Backtest

/// A simulated session run twice gives the same fills; its recording replayed gives them again.
@Suite struct RecordingReplayTests {
    func spec() throws -> SessionSpec {
        let symbols = ["BTC/USDT", "XRP/BTC", "XRP/USDT"].map { Symbol($0)! }
        let names = StrategyRegistry.names
        let strategies = try names.map { n -> StrategySpec in
            let layer: [String: String] = n == "sma_cross" ? ["fast": "2", "slow": "5"] : [:]
            let syms = n == "sma_cross" ? [Symbol("XRP/USDT")!] : StrategyRegistry.type(named: n)!.defaultSymbols
            return StrategySpec(name: n, parameters: try SessionBuilder.effectiveParameters(n, layers: [layer]), symbols: syms)
        }
        var ex = ExchangeConfig()
        ex.startingCapital = Money(1000)
        return SessionSpec(symbols: symbols, instruments: symbols.map { InstrumentRegistry()[$0]! }, strategies: strategies,
                           exchange: ex, engine: EngineConfig(), market: MarketDataConfig(), seed: 7, intervalMs: 100,
                           start: SimulatedMarket.defaultStart)
    }

    func simulate(_ spec: SessionSpec, steps: Int, record: String? = nil) throws -> (String, Int, Int) {
        let k = try SessionBuilder.makeKernel(spec)
        let h = FillHasher()
        k.addObserver(h)
        let d = SimulationDriver(kernel: k, spec: spec)
        if let record { d.recorder = try EventRecorder(path: record, spec: spec) }
        for _ in 0..<steps { d.step() }
        k.stop()
        d.recorder?.close()
        return (h.hexDigest, h.count, k.eventsProcessed)
    }

    func replay(_ path: String) throws -> (String, Int, EventReplay) {
        let r = try replayRecording(path)
        return (r.hash, r.fills, r.replay)
    }

    @Test func simulatedSessionIsReproducibleAndReplaysIdentically() throws {
        let spec = try spec()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ws-rec-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let steps = 6 * 600 * 10 // 60 engine minutes at 100 ms
        let a = try simulate(spec, steps: steps, record: path)
        let b = try simulate(spec, steps: steps)
        #expect(a.0 == b.0)
        #expect(a.1 > 5)
        let r = try replay(path)
        #expect(r.0 == a.0)
        #expect(r.1 == a.1)
        #expect(r.2.badLines == 0)
        // A different seed gives different fills.
        var other = spec
        other.seed = 8
        #expect(try simulate(other, steps: steps).0 != a.0)
    }

    @Test func corruptLinesAreCountedNotFatal() throws {
        let spec = try spec()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ws-rec-bad-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try simulate(spec, steps: 50, record: path)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += "not json\n{\"k\":\"trade\",\"s\":\"XRP/USDT\",\"t\":1,\"p\":\"x\",\"q\":\"1\",\"side\":\"buy\"}\n{\"k\":\"warp\",\"t\":1}\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try replay(path)
        #expect(r.2.badLines == 3)
        #expect(r.2.firstErrors.count == 3)
        try "garbage\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SessionError.self) { try EventReplay(path: path) }
    }

    @Test func specRoundTripsThroughJSON() throws {
        let s = try spec()
        let back = try SessionSpec(jsonObject: s.jsonObject)
        #expect(back.symbols == s.symbols)
        #expect(back.instruments == s.instruments)
        #expect(back.strategies == s.strategies)
        #expect(back.exchange == s.exchange)
        #expect(back.market == s.market)
        #expect(back.seed == s.seed && back.intervalMs == s.intervalMs && back.start == s.start)
    }

    @Test func eventCodecRoundTrips() throws {
        var sim = SimulatedMarket(symbols: [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!], seed: 3)
        var events: [MarketEvent] = []
        for _ in 0..<200 { events += sim.step() }
        events.append(.timer(sim.now))
        events.append(.ticker(Ticker(symbol: Symbol("XRP/USDT")!, time: sim.now, bid: Price("2.1")!, ask: Price("2.2")!, last: Price("2.15")!, volume24h: Quantity("123.5")!)))
        events.append(.bar(Bar(symbol: Symbol("XRP/USDT")!, timeframe: .m5, candle: Candle(start: sim.now, open: Price(1), high: Price(2), low: Price("0.5")!, close: Price("1.5")!, volume: Quantity(9), trades: 4, isComplete: false))))
        for e in events {
            let obj = try JSONSerialization.jsonObject(with: Data(EventCodec.encode(e).utf8)) as! [String: Any]
            #expect(try EventCodec.decode(obj) == e)
        }
    }

    @Test func summaryJSONHasTheContractFields() throws {
        let k = try SessionBuilder.makeKernel(try spec())
        let obj = SessionReport(kernel: k, hasher: FillHasher(), start: SimulatedMarket.defaultStart).jsonObject()
        #expect(obj["events_processed"] is Int)
        #expect((obj["fills_sha256"] as? String)?.count == 64)
        let first = try #require((obj["strategies"] as? [[String: Any]])?.first)
        for key in ["name", "final_equity", "realized_pnl", "fills", "closed_trades", "rejections", "strategy_rejections"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        #expect(first["final_equity"] as? String == "1000")
    }
}
