import Foundation
import TradingCore
@testable import Regime

/// regime.md §13.1 candle generators and a market that shows them.
enum Gen {
    static func candle(_ i: Int, o: Double, h: Double, l: Double, c: Double, v: Double) -> Candle {
        Candle(start: Timestamp(seconds: Int64(i) * 60), open: Price(o)!, high: Price(h)!, low: Price(l)!, close: Price(c)!, volume: Quantity(v)!)
    }

    static func up(_ n: Int = 250) -> [Candle] {
        var p = 2.0
        return (0..<n).map { i in
            p *= 1 + 0.003 + (i % 5 == 0 ? 0.001 : 0)
            return candle(i, o: p * 0.999, h: p * 1.002, l: p * 0.998, c: p, v: 1000 + 100 * Double(i % 10))
        }
    }

    static func down(_ n: Int = 250) -> [Candle] {
        var p = 2.0
        return (0..<n).map { i in
            p *= 1 - 0.003 - (i % 5 == 0 ? 0.001 : 0)
            return candle(i, o: p * 1.001, h: p * 1.002, l: p * 0.998, c: p, v: 1000 + 100 * Double(i % 10))
        }
    }

    static func side(_ n: Int = 250) -> [Candle] {
        (0..<n).map { i in
            let p = 2.0 * (1 + 0.02 * sin(Double(i) / 10))
            return candle(i, o: 2.0 * (1 + 0.02 * sin(Double(i - 1) / 10)), h: p * 1.005, l: p * 0.995, c: p, v: 500 + 50 * Double(i % 5))
        }
    }
}

/// The candles a test sets, nothing else.
final class FakeMarket: MarketView {
    var m1: [Symbol: [Candle]] = [:], m5: [Symbol: [Candle]] = [:], other: [Timeframe: [Symbol: [Candle]]] = [:]
    var symbols: [Symbol] { Array(m1.keys).sorted() }
    func price(_ symbol: Symbol) -> Price? { m1[symbol]?.last?.close }
    func book(_ symbol: Symbol) -> OrderBook? { nil }
    func ticker(_ symbol: Symbol) -> Ticker? { nil }
    func trades(_ symbol: Symbol) -> RingBuffer<Trade> { RingBuffer(capacity: 1) }
    func candles(_ timeframe: Timeframe, _ symbol: Symbol) -> RingBuffer<Candle> {
        let list = timeframe == .m1 ? m1[symbol] : timeframe == .m5 ? m5[symbol] : other[timeframe]?[symbol]
        var r = RingBuffer<Candle>(capacity: max(1, list?.count ?? 1))
        for c in list ?? [] { r.append(c) }
        return r
    }
    func formingCandle(_ timeframe: Timeframe, _ symbol: Symbol) -> Candle? { nil }
    func lastTrade(_ symbol: Symbol) -> Trade? { nil }
    func directUSDPrice(_ asset: String) -> Price? { nil }
    func barRange(_ symbol: Symbol) -> BarRange? { nil }
    var hasBarRanges: Bool { false }
    var accountCurrency: AccountCurrency { .usd }
}

extension Symbol {
    static let up = Symbol("UP/USD")!, down = Symbol("DOWN/USD")!, side = Symbol("SIDE/USD")!
}
