// Cost of one decision per strategy: ns per `generateSignal` / `decide` call (median, p99, mean) over a seeded
// simulated session (default 24 engine-hours of XRP/USDT, BTC/USDT and XRP/BTC, a decision every 100 ms), each
// strategy alone in its own kernel, with default parameters
// (`swift build -c release --product decision-bench && .build/release/decision-bench [MINUTES] [SEED] [STRATEGY,…]`;
// not part of the tests). The clock is read only here, around the call; the kernel never reads it.
import Foundation
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
import Strategies

struct NotBuilt: Error {}

/// Forwards everything to the strategy it wraps and times each decision.
final class Timed: OrderStrategy {
    static let name = "timed"
    static let version = "0"
    static let summary = "bench"
    static let defaultSymbols: [Symbol] = []
    static let parameters: [ParameterSpec] = []
    let inner: any Strategy
    let innerOrders: (any OrderStrategy)?
    var samples: [UInt32] = []
    init(_ inner: any Strategy) {
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

let args = Array(CommandLine.arguments.dropFirst())
let minutes = Int(args.first ?? "1440") ?? 1440
let seed = UInt64(args.count > 1 ? args[1] : "1") ?? 1
let names = args.count > 2 ? args[2].split(separator: ",").map(String.init) : StrategyRegistry.names
let symbols = [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!, Symbol("XRP/BTC")!]
let instruments = InstrumentRegistry()

var rows: [[String: Any]] = []
print("ns per decision, \(minutes) engine-minutes, seed \(seed), \(symbols.map(\.text).joined(separator: ", ")):")
for name in names {
    guard let type = StrategyRegistry.type(named: name) else { fatalError("unknown strategy \(name)") }
    var p = try StrategyParameters.resolve(strategy: name, specs: type.parameters, layers: [[:]])
    let own = type.defaultSymbols.filter { symbols.contains($0) }
    try p.resolveSymbols(strategy: name, layers: [type.symbolDefaults, [:]])
    let timed = Timed(try type.init(parameters: p, symbols: own.isEmpty ? symbols : own))
    var md = MarketDataConfig()
    md.accommodate(warmup: timed.warmup, trades: timed.tradeHistory)
    let ex = PaperExchange(config: ExchangeConfig(), instruments: instruments, sessionSymbols: symbols)
    let k = Kernel(market: MarketState(symbols: symbols, config: md), exchange: ex, strategies: [timed], clock: ManualClock(SimulatedMarket.defaultStart))
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
    let sorted = timed.samples.sorted()
    func q(_ f: Double) -> Double { sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * f))]) }
    let mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0) { $0 + UInt64($1) }) / Double(sorted.count)
    print(String(format: "  %-16@ median %6.0f  p99 %7.0f  mean %6.0f ns over %d decisions; %d fills; session %.1f s (%.0f events/s)",
                 name as NSString, q(0.5), q(0.99), mean, sorted.count, k.fillCount, wall, Double(k.eventsProcessed) / wall))
    rows.append(["strategy": name, "median_ns": q(0.5), "p99_ns": q(0.99), "mean_ns": mean, "decisions": sorted.count, "fills": k.fillCount,
                 "events_per_second": Double(k.eventsProcessed) / wall])
}
if let data = try? JSONSerialization.data(withJSONObject: ["minutes": minutes, "seed": seed, "strategies": rows], options: [.sortedKeys]) {
    print(String(decoding: data, as: UTF8.self))
}
