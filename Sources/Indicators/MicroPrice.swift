import TradingCore

/// Size-weighted top of book (indicators.md §7.3): `(bid · askSize + ask · bidSize) / (bidSize + askSize)`, the mid
/// when both sizes are 0, nil without both sides (the reference's 0.0 is a valid-looking price).
public func microPrice(bid: Double, bidSize: Double, ask: Double, askSize: Double) -> Double? {
    let total = bidSize + askSize
    if total > 0 { return (bid * askSize + ask * bidSize) / total }
    if bid > 0 && ask > 0 { return (bid + ask) / 2 }
    let one = bid > 0 ? bid : ask
    return one > 0 ? one : nil
}

public func microPrice(_ book: OrderBook) -> Double? {
    guard let b = book.bids.first, let a = book.asks.first else { return nil }
    return microPrice(bid: b.price.doubleValue, bidSize: b.size.doubleValue, ask: a.price.doubleValue, askSize: a.size.doubleValue)
}
