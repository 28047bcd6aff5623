import TradingCore
import MarketData
@testable import PaperExchange

let XRP = Symbol("XRP/USD")!
let T0 = Timestamp(iso8601: "2025-01-15T00:00:00Z")!

func P(_ s: String) -> Price { Price(s)! }
func Q(_ s: String) -> Quantity { Quantity(s)! }
func M(_ s: String) -> Money { Money(s)! }

/// Engine §8 defaults: f 0.001, s 0.0005, Lₗ 1.5, Lₛ 2, m 0.25, capital 100, top-of-book fills.
func makeExchange(fee: String = "0.001", slippage: String = "0.0005", longLev: String = "1.5", model: FillModel = .topOfBook,
                  symbols: [Symbol] = [XRP, Symbol("XRP/BTC")!, Symbol("BTC/USDT")!]) -> PaperExchange {
    var c = ExchangeConfig()
    c.feeRate = Rate(fee)!
    c.slippageRate = Rate(slippage)!
    c.maxLongLeverage = Rate(longLev)!
    c.fillModel = model
    return PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: symbols)
}

/// The resting-order tests' exchange: maker 0.0025, taker 0.004, no slippage, book walk, capital 1000, XRP/USD only.
func makeOrderExchange() -> PaperExchange {
    var c = ExchangeConfig()
    c.makerFeeRate = Rate("0.0025")!
    c.takerFeeRate = Rate("0.004")!
    c.slippageRate = .zero
    c.fillModel = .bookWalk
    c.startingCapital = Money(1000)
    return PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
}

/// A market where XRP/USD has "the book at p": bids p−0.001 ×100, p−0.002 ×200; asks p+0.001 ×100, p+0.002 ×200.
final class TestMarket {
    let state = MarketState(symbols: [XRP, Symbol("XRP/BTC")!, Symbol("BTC/USDT")!])
    var t = T0

    @discardableResult
    func bookAt(_ p: String, symbol: Symbol = XRP) -> TestMarket {
        let px = P(p), d1 = P("0.001"), d2 = P("0.002")
        t = t + .seconds(1)
        state.apply(.book(BookUpdate(symbol: symbol, time: t, isSnapshot: true,
                                     bids: [BookLevel(price: px - d1, size: Q("100")), BookLevel(price: px - d2, size: Q("200"))],
                                     asks: [BookLevel(price: px + d1, size: Q("100")), BookLevel(price: px + d2, size: Q("200"))])))
        return self
    }

    @discardableResult
    func book(bid: String, ask: String, symbol: Symbol = XRP, size: String = "1000000") -> TestMarket {
        t = t + .seconds(1)
        state.apply(.book(BookUpdate(symbol: symbol, time: t, isSnapshot: true,
                                     bids: [BookLevel(price: P(bid), size: Q(size))], asks: [BookLevel(price: P(ask), size: Q(size))])))
        return self
    }

    @discardableResult
    func last(_ p: String, symbol: Symbol) -> TestMarket {
        t = t + .seconds(1)
        state.apply(.ticker(Ticker(symbol: symbol, time: t, bid: .zero, ask: .zero, last: P(p), volume24h: .zero)))
        return self
    }
}

func signal(_ a: SignalAction, _ size: String, sizeUnit: SizeUnit = .usd, price: String = "2.35", symbol: Symbol = XRP, sl: String? = nil,
            tp: String? = nil, full: Bool = false, type: OrderType = .market) -> Signal {
    try! Signal(action: a, symbol: symbol, size: Money(size)!, sizeUnit: sizeUnit, price: P(price), reason: "test", orderType: type,
                limitPrice: type == .limit ? P(price) : nil, stopLoss: sl.map(P), takeProfit: tp.map(P), closeFullPosition: full)
}

extension Result {
    var fill: Success? { if case .success(let f) = self { f } else { nil } }
    var rejection: Failure? { if case .failure(let r) = self { r } else { nil } }
}
