// Matching cost of resting orders: ns per market event with 0, 1, 10 and 100 resting orders per symbol, through the
// kernel (`swift build -c release --product matching-bench && .build/release/matching-bench [MINUTES]`; not part of the tests).
//
// One strategy keeps N post-only orders resting on XRP/USDT (half bids, half asks) and re-places any that fill;
// the events are a seeded simulated hour (books, trades, ticks). "far" orders sit 2–4 % away from the mid (every
// event is screened out by one comparison per side); "near" orders sit from the touch into the displayed book (prints
// at their prices eat their queues, the book crosses them). The figure is the extra time per market event over the
// same run with no resting orders.
import Foundation
import TradingCore
import MarketData
import PaperExchange
import TradingEngine

let symbol = Symbol("XRP/USDT")!

final class Keeper: OrderStrategy {
    static let name = "keeper"
    static let version = "0"
    static let summary = "bench"
    static let defaultSymbols = [symbol]
    static let parameters: [ParameterSpec] = []
    var rejections = RejectionTracker()
    var count = 0
    var near = false
    init(parameters: StrategyParameters, symbols: [Symbol]) throws {}
    func decide(_ s: DataSnapshot, _ c: StrategyContext) throws -> [OrderIntent] {
        let open = c.portfolio.openOrderCount(symbol)
        guard open < count, let mid = s.price(symbol)?.doubleValue else { return [] }
        var out: [OrderIntent] = []
        let tick = 0.00001
        for k in open..<count {
            let bid = k % 2 == 0
            let offset = near ? Double(k / 2 + 1) * tick : mid * (0.02 + 0.02 * Double(k) / Double(max(count, 1)))
            let px = Price(rounding: bid ? mid - offset : mid + offset, toDecimals: 5)!
            out.append(.place(try .limit(bid ? .buy : .short, symbol, size: Money(10), sizeUnit: .base, at: px, reason: "bench", postOnly: false)))
        }
        return out
    }
}

func events(minutes: Int) -> [MarketEvent] {
    var sim = SimulatedMarket(symbols: [symbol], seed: 5, tick: .milliseconds(100), start: SimulatedMarket.defaultStart, depth: 10,
                              instruments: [InstrumentRegistry()[symbol]!])
    var out: [MarketEvent] = []
    for _ in 0..<(minutes * 600) { sim.step { out.append($0) }; out.append(.timer(sim.now)) }
    return out
}

func run(_ evs: [MarketEvent], resting: Int, near: Bool) -> (ns: Double, marketEvents: Int, fills: Int, resting: Int) {
    let k0 = try! Keeper(parameters: .defaults([]), symbols: [symbol])
    k0.count = resting
    k0.near = near
    var c = ExchangeConfig()
    c.startingCapital = Money(100_000_000)
    var md = MarketDataConfig()
    md.bookDepth = 10
    let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [symbol])
    let k = Kernel(market: MarketState(symbols: [symbol], config: md), exchange: ex, strategies: [k0], clock: ManualClock(SimulatedMarket.defaultStart))
    k.start()
    var market = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    for e in evs {
        if case .timer = e {} else { market += 1 }
        k.handle(e)
    }
    let t1 = DispatchTime.now().uptimeNanoseconds
    return (Double(t1 - t0) / Double(market), market, k.fillCount, k.restingOrders)
}

let minutes = Int(CommandLine.arguments.dropFirst().first ?? "60") ?? 60
let evs = events(minutes: minutes)
var json: [String: Any] = ["minutes": minutes, "events": evs.count]
for near in [false, true] {
    var best: [Int: (Double, Int, Int)] = [:]
    for _ in 0..<3 {
        for n in [0, 1, 10, 100] {
            let r = run(evs, resting: n, near: near)
            if best[n] == nil || r.ns < best[n]!.0 { best[n] = (r.ns, r.fills, r.resting) }
        }
    }
    let base = best[0]!.0
    var rows: [[String: Any]] = []
    print(near ? "near (inside the displayed book):" : "far (2–4 % from the mid):")
    for n in [0, 1, 10, 100] {
        let (ns, fills, resting) = best[n]!
        print(String(format: "  %3d resting: %7.1f ns per market event (matching +%6.1f ns), %d fills, %d resting at the end", n, ns, ns - base, fills, resting))
        rows.append(["resting": n, "ns_per_event": ns, "matching_ns": ns - base, "fills": fills])
    }
    json[near ? "near" : "far"] = rows
}
if let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) { print(String(decoding: data, as: UTF8.self)) }
