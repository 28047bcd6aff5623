import Foundation
import Testing
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
import Strategies
import Regime
@testable import Backtest

/// The detector inside a session: it runs only when read, sees sentiment as recorded events, and a recording
/// replays to the same fills and the same regime.
@Suite struct RegimeSessionTests {
    func spec(filter: Bool) throws -> SessionSpec {
        let xrp = Symbol("XRP/USDT")!
        let params = try SessionBuilder.effectiveParameters("sma_cross", layers: [["fast": "2", "slow": "5", "regime_filter": filter ? "true" : "false"]])
        var ex = ExchangeConfig()
        ex.startingCapital = Money(1000)
        return SessionSpec(symbols: [xrp], instruments: [InstrumentRegistry()[xrp]!], strategies: [StrategySpec(name: "sma_cross", parameters: params, symbols: [xrp])],
                           exchange: ex, engine: EngineConfig(), market: MarketDataConfig(), seed: 11, intervalMs: 1000,
                           start: SimulatedMarket.defaultStart)
    }

    let reading = ExternalSentiment(fearGreedValue: 72, fearGreedClassification: "Greed \"quoted\"", btcDominance: 56.5,
                                    lastUpdated: Timestamp(seconds: 1_736_900_000))

    func run(_ spec: SessionSpec, minutes: Int, record: String? = nil) throws -> (hash: String, kernel: Kernel) {
        let k = try SessionBuilder.makeKernel(spec)
        let h = FillHasher()
        k.addObserver(h)
        let d = SimulationDriver(kernel: k, spec: spec)
        if let record { d.recorder = try EventRecorder(path: record, spec: spec) }
        for i in 0..<(minutes * 60) {
            if i == 30 * 60 {
                // What the edge does when a fetch lands: one recorded event at engine time.
                let e = MarketEvent.sentiment(SentimentReading(time: d.now, sentiment: reading))
                d.recorder?.record(e)
                k.handle(e)
            }
            d.step()
        }
        k.stop()
        d.recorder?.close()
        return (h.hexDigest, k)
    }

    @Test func nothingReadsItNothingRuns() throws {
        let r = try run(spec(filter: false), minutes: 260)
        #expect(r.kernel.regimeDetector == nil && !r.kernel.regimeActive)
    }

    @Test func aReaderRunsItPerClosedBarAndTheRecordingReplaysIt() throws {
        let spec = try spec(filter: true)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ws-regime-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = try run(spec, minutes: 260, record: path)
        let d = try #require(a.kernel.regimeDetector)
        // 260 minutes of 1m candles: scored from the 200th on, once per closed bar.
        #expect(d.evaluations >= 55 && d.evaluations <= 61)
        let snap = try #require(a.kernel.regime)
        #expect(snap.symbolRegimes[Symbol("XRP/USDT")!] != nil && snap.externalSentiment == reading)
        let r = try replayRecording(path)
        #expect(r.replay.badLines == 0 && r.hash == a.hash)
        #expect(r.kernel.regime == snap && r.kernel.regimeDetector?.evaluations == d.evaluations)
    }

    @Test func regimeSettingsTravelInTheHeader() throws {
        var s = try spec(filter: true)
        var c = RegimeConfig()
        c.scoringMode = .symmetric; c.thresholds.bull = 0.25; c.confirmationBars = 5; c.mtfWeights["15m"] = 7; c.externalEnabled = false
        s.engine.regime = c
        let back = try SessionSpec(jsonObject: s.jsonObject)
        #expect(back.engine.regime == c)
        var o = s.jsonObject
        var eng = o["engine"] as! [String: Any]
        eng["regime"] = ["regime_detection.thresholds.bull": "0.9"]        // above strong_bull: refused
        o["engine"] = eng
        #expect(throws: SessionError.self) { try SessionSpec(jsonObject: o) }
        eng["regime"] = ["regime_detection.external.fear_greed_url": "http://x"]  // not a detector setting
        o["engine"] = eng
        #expect(throws: SessionError.self) { try SessionSpec(jsonObject: o) }
    }

    @Test func sentimentEventsRoundTrip() throws {
        let e = MarketEvent.sentiment(SentimentReading(time: Timestamp(seconds: 1_736_900_100), sentiment: reading))
        let line = EventCodec.encode(e)
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(try EventCodec.decode(obj) == e)
        let unknown = MarketEvent.sentiment(SentimentReading(time: Timestamp(seconds: 5), sentiment: ExternalSentiment(
            fearGreedValue: nil, fearGreedClassification: nil, btcDominance: 57.25, lastUpdated: Timestamp(seconds: 4))))
        #expect(try EventCodec.decode(JSONSerialization.jsonObject(with: Data(EventCodec.encode(unknown).utf8)) as! [String: Any]) == unknown)
        for bad in [#"{"k":"sentiment","t":1,"upd":1,"fg":101}"#, #"{"k":"sentiment","t":1,"upd":1,"btcd":"x"}"#, #"{"k":"sentiment","t":1}"#] {
            #expect(throws: EventCodec.DecodeError.self) { try EventCodec.decode(JSONSerialization.jsonObject(with: Data(bad.utf8)) as! [String: Any]) }
        }
    }

    /// Decision 45's opt-in: a routed strategy's entries pass the parameter router once the detector has a reading.
    @Test func routedEntriesAreDeclinedOrScaled() throws {
        var spec = try spec(filter: false)
        spec.strategies[0].regimeRouter = true
        spec.engine.routerOverrides = ["sma_cross": ["BEAR": ["position_size": "0.25"]]]
        let back = try SessionSpec(jsonObject: spec.jsonObject)
        #expect(back.strategies[0].regimeRouter && back.engine.router == spec.engine.router)
        #expect(try SessionBuilder.makeKernel(back).router.table["sma_cross"]?[.bear]?.positionSize == 0.25)
        func run(_ cells: [String: [String: String]]) throws -> (Kernel, [Fill]) {
            var spec = spec
            spec.engine.routerOverrides = ["sma_cross": cells]
            let k = try SessionBuilder.makeKernel(spec)
            final class Fills: KernelObserver { var list: [Fill] = []; func kernelDidFill(_ f: Fill, portfolio: Portfolio) { list.append(f) } }
            let f = Fills()
            k.addObserver(f)
            let d = SimulationDriver(kernel: k, spec: spec)
            for _ in 0..<(400 * 60) { d.step() }
            k.stop()
            return (k, f.list)
        }
        #expect(try SessionBuilder.makeKernel(spec).regimeActive)              // routing reads the regime
        let off = Dictionary(uniqueKeysWithValues: MarketRegime.allCases.map { ($0.rawValue, ["strategy_enabled": "false"]) })
        let (k1, f1) = try run(off)
        let firstReading = SimulatedMarket.defaultStart + .minutes(200)
        #expect(k1.runner("sma_cross")!.regimeDeclined > 0)
        #expect(f1.filter { $0.side == .buy }.allSatisfy { $0.timestamp < firstReading + .minutes(2) })
        // Half size in every regime: entries after the first reading buy 0.5 instead of 1 (size scales down, exactly).
        let half = Dictionary(uniqueKeysWithValues: MarketRegime.allCases.map { ($0.rawValue, ["position_size": "0.5"]) })
        let (k2, f2) = try run(half)
        let late = f2.filter { $0.side == .buy && $0.timestamp > firstReading + .minutes(2) }
        #expect(!late.isEmpty && k2.runner("sma_cross")!.regimeDeclined == 0)
        // 0.5 × the router's volatility factor (at most 1.2, low volatility) × its confidence and transition factors
        // (≤ 1, §11.2): every late entry is in (0, 0.6], and none is the unrouted 1.
        #expect(late.allSatisfy { $0.size <= Quantity("0.6")! && $0.size.isPositive })
        #expect(f2.filter { $0.side == .buy && $0.timestamp < firstReading }.allSatisfy { $0.size == Quantity(1) })
    }

    /// The detector's pairs travel in the header, so replaying some strategies reads the same pairs; config order wins.
    @Test func regimePairsAreRecorded() throws {
        var s = try spec(filter: true)
        let btc = Symbol("BTC/USDT")!, xrp = Symbol("XRP/USDT")!
        s.symbols = [btc, xrp]
        s.instruments = [InstrumentRegistry()[btc]!, InstrumentRegistry()[xrp]!]
        s.strategies[0].symbols = [btc, xrp]
        #expect(SessionBuilder.regimeOrder(s, preferred: [xrp, Symbol("ETH/USDT")!]) == [xrp, btc])
        s.regimeSymbols = [xrp, btc]
        let back = try SessionSpec(jsonObject: s.jsonObject)
        #expect(back.regimeSymbols == [xrp, btc] && SessionBuilder.regimeSymbols(back) == [xrp, btc])
        #expect(try SessionBuilder.makeKernel(back).regimeSymbols == [xrp, btc])
        var o = s.jsonObject
        o["regime_symbols"] = ["DOGE/USDT"]                                     // not a session pair: refused
        #expect(throws: SessionError.self) { try SessionSpec(jsonObject: o) }
    }

    /// Routing needs the detector's 1m candles: refused on coarser bars, and an entry scaled to nothing is a decline.
    @Test func routingRules() throws {
        var s = try spec(filter: false)
        s.strategies[0].regimeRouter = true
        s.barTimeframe = .h1
        #expect(throws: SessionError.self) { try SessionBuilder.makeKernel(s) }
        s.barTimeframe = nil
        s.engine.routerOverrides = ["sma_cross": Dictionary(uniqueKeysWithValues: MarketRegime.allCases.map { ($0.rawValue, ["position_size": "0"]) })]
        let k = try SessionBuilder.makeKernel(s)
        final class Count: KernelObserver { var rejected = 0; func kernelDidReject(_ r: ExecutionRejection) { rejected += 1 } }
        let c = Count()
        k.addObserver(c)
        let d = SimulationDriver(kernel: k, spec: s)
        for _ in 0..<(400 * 60) { d.step() }
        #expect(k.runner("sma_cross")!.regimeDeclined > 0 && c.rejected == 0)
    }
}
