import TradingCore

/// Where a stored row came from (history.md §6.1).
public enum TradeSource: String, Sendable, CaseIterable { case rest, ws, csv }

/// The taker's order type as Kraken reports it (`m`/`l` on REST).
public enum TakerOrderType: String, Sendable { case market, limit }

/// One stored print (history.md §3.1). `tradeKey` is Kraken's `trade_id` where the source has one, else the
/// synthetic `k − 2^32` (§6.1 says −k; see `FileParser.syntheticKeyBase`): the k-th kept row with this symbol and timestamp in file
/// order, so re-ingest is idempotent.
public struct HistoricalTrade: Hashable, Sendable {
    public var symbol: Symbol
    /// Execution time, microsecond resolution (what both stores keep).
    public var time: Timestamp
    public var tradeKey: Int64
    public var price: Price
    public var volume: Quantity
    /// Nil only for CSV rows: Kraken's trade files do not say who was the taker.
    public var side: TakerSide?
    public var orderType: TakerOrderType?
    public var misc: String
    public var source: TradeSource

    public init(symbol: Symbol, time: Timestamp, tradeKey: Int64, price: Price, volume: Quantity, side: TakerSide?,
                orderType: TakerOrderType? = nil, misc: String = "", source: TradeSource) {
        self.symbol = symbol; self.time = time; self.tradeKey = tradeKey; self.price = price; self.volume = volume
        self.side = side; self.orderType = orderType; self.misc = misc; self.source = source
    }

    /// Quote currency, exact.
    public var value: Money { price * volume }
}
