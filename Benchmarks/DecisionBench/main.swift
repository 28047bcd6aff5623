// Cost of one decision per strategy: ns per `generateSignal` / `decide` call (median, p99, mean) over a seeded
// simulated session (default 24 engine-hours of XRP/USDT, BTC/USDT and XRP/BTC, a decision every 100 ms), each
// strategy alone in its own kernel, with default parameters
// (`swift build -c release --product decision-bench && .build/release/decision-bench [MINUTES] [SEED] [STRATEGY,…]`;
// not part of the tests; `--together` puts every strategy in one kernel). The clock is read only here, around the call; the kernel never reads it.
import Foundation
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
import Strategies

struct NotBuilt: Error {}

/// Forwards everything to the strategy it wraps and times each decision; it takes the wrapped strategy's name (the
/// kernel keys portfolios by name).
final class Timed<S: Strategy>: OrderStrategy, Sampled {
    static var name: String { S.name }
    static var version: String { S.version }
    static var summary: String { "bench" }
    static var defaultSymbols: [Symbol] { [] }
    static var parameters: [ParameterSpec] { [] }
    let inner: S
    let innerOrders: (any OrderStrategy)?
    var samples: [UInt32] = []
    init(_ inner: S) {
        self.inner = inner
        innerOrders = inner as? any OrderStrategy
        samples.reserveCapacity(1 << 20)
    }
    init(parameters: StrategyParameters, symbols: [Symbol]) throws { throw NotBuilt() }
    var warmup: [Timeframe: Int] { inner.warmup }
    var tradeHistory: Int { inner.tradeHistory }
    var readsRegime: Bool { inner.readsRegime }
    var rejections: RejectionTracker { inner.rejections }
    var startupWarnings: [String] { inner.startupWarnings }
    func onStart(_ c: StrategyContext) { inner.onStart(c) }
    func onFill(_ f: Fill, _ c: StrategyContext) { inner.onFill(f, c) }
    func onOrderEvent(_ e: OrderEvent, _ c: StrategyContext) { inner.onOrderEvent(e, c) }
    func onStop(_ c: StrategyContext) { inner.onStop(c) }
    func decide(_ s: DataSnapshot, _ c: StrategyContext) throws -> [OrderIntent] {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let out: [OrderIntent]
        if let o = innerOrders { out = try o.decide(s, c) } else { out = try inner.generateSignal(s, c).map { [.place($0)] } ?? [] }
        samples.append(UInt32(clamping: DispatchTime.now().uptimeNanoseconds - t0))
        return out
    }
}

protocol Sampled: Strategy { var samples: [UInt32] { get } }

func timed<S: Strategy>(_ s: S) -> any Sampled { Timed(s) }

var args = Array(CommandLine.arguments.dropFirst())
// --together: every strategy in one kernel (the `run --simulated` session with every strategy), timed side by side.
let together = args.contains("--together")
args.removeAll { $0 == "--together" }
let minutes = Int(args.first ?? "1440") ?? 1440
let seed = UInt64(args.count > 1 ? args[1] : "1") ?? 1
let names = args.count > 2 ? args[2].split(separator: ",").map(String.init) : StrategyRegistry.names
let symbols = [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!, Symbol("XRP/BTC")!]
let instruments = InstrumentRegistry()

func make(_ name: String) throws -> any Sampled {
    guard let type = StrategyRegistry.type(named: name) else { fatalError("unknown strategy \(name)") }
    var p = try StrategyParameters.resolve(strategy: name, specs: type.parameters, layers: [[:]])
    let own = type.defaultSymbols.filter { symbols.contains($0) }
    try p.resolveSymbols(strategy: name, layers: [type.symbolDefaults, [:]])
    return timed(try type.init(parameters: p, symbols: own.isEmpty ? symbols : own))
}

/// Runs one seeded session over `timed` in one kernel; wall seconds, events and fills.
func session(_ timed: [any Sampled]) -> (wall: Double, events: Int, fills: Int) {
    var md = MarketDataConfig()
    for t in timed { md.accommodate(warmup: t.warmup, trades: t.tradeHistory) }
    let ex = PaperExchange(config: ExchangeConfig(), instruments: instruments, sessionSymbols: symbols)
    let k = Kernel(market: MarketState(symbols: symbols, config: md), exchange: ex, strategies: timed, clock: ManualClock(SimulatedMarket.defaultStart))
    k.start()
    var sim = SimulatedMarket(symbols: symbols, seed: seed, tick: .milliseconds(100), start: SimulatedMarket.defaultStart, depth: md.bookDepth,
                              instruments: symbols.map { instruments[$0]! })
    let t0 = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<(minutes * 600) {
        sim.step { k.handle($0) }
        k.handle(.timer(sim.now))
    }
    let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    k.stop()
    return (wall, k.eventsProcessed, k.fillCount)
}

func report(_ name: String, _ timed: any Sampled, _ r: (wall: Double, events: Int, fills: Int)) -> [String: Any] {
    let sorted = timed.samples.sorted()
    func q(_ f: Double) -> Double { sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * f))]) }
    let mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0) { $0 + UInt64($1) }) / Double(sorted.count)
    print(String(format: "  %-16@ median %6.0f  p99 %7.0f  mean %6.0f ns over %d decisions; %d fills; session %.1f s (%.0f events/s)",
                 name as NSString, q(0.5), q(0.99), mean, sorted.count, r.fills, r.wall, Double(r.events) / r.wall))
    return ["strategy": name, "median_ns": q(0.5), "p99_ns": q(0.99), "mean_ns": mean, "decisions": sorted.count, "fills": r.fills,
                 "events_per_second": Double(r.events) / r.wall]
}

print("ns per decision, \(minutes) engine-minutes, seed \(seed), \(symbols.map(\.text).joined(separator: ", "))\(together ? ", every strategy in one kernel" : ""):")
var rows: [[String: Any]] = []
var summary: [String: Any] = ["minutes": minutes, "seed": seed, "together": together]
if together {
    let timed = try names.map(make)
    let r = session(timed)
    for (n, t) in zip(names, timed) { rows.append(report(n, t, r)) }
    print(String(format: "  session: %d events in %.1f s, %.0f events/s, %d fills", r.events, r.wall, Double(r.events) / r.wall, r.fills))
    summary["events"] = r.events
    summary["events_per_second"] = Double(r.events) / r.wall
} else {
    for name in names {
        let t = try make(name)
        rows.append(report(name, t, session([t])))
    }
}
summary["strategies"] = rows
if let data = try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]) {
    print(String(decoding: data, as: UTF8.self))
}
