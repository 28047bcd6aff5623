import TradingCore

/// Trades ready for the store, one column per field, already at the symbol's storage scale (the bulk-import path
/// converts while parsing, so a million rows cost no per-row allocation).
public struct TradeRows: Sendable {
    public var micros: [Int64] = []
    public var keys: [Int64] = []
    public var prices: [Int64] = []
    public var volumes: [Int64] = []
    /// 0 unknown (CSV only), 1 buy, 2 sell.
    public var sides: [UInt8] = []
    /// 0 unknown, 1 market, 2 limit.
    public var orderTypes: [UInt8] = []
    public var source: TradeSource

    public init(source: TradeSource) { self.source = source }

    public var count: Int { micros.count }
    public var isEmpty: Bool { micros.isEmpty }

    public mutating func append(micros t: Int64, key: Int64, price: Int64, volume: Int64, side: UInt8 = 0, orderType: UInt8 = 0) {
        micros.append(t); keys.append(key); prices.append(price); volumes.append(volume); sides.append(side); orderTypes.append(orderType)
    }

    public mutating func removeAll() {
        micros.removeAll(keepingCapacity: true); keys.removeAll(keepingCapacity: true); prices.removeAll(keepingCapacity: true)
        volumes.removeAll(keepingCapacity: true); sides.removeAll(keepingCapacity: true); orderTypes.removeAll(keepingCapacity: true)
    }

    /// Domain trades to rows; nil when one is finer than the scale (the caller rejects the batch).
    public init?(_ trades: [HistoricalTrade], scale: StorageScale, source: TradeSource) {
        self.init(source: source)
        for t in trades {
            guard let p = scale.storedPrice(t.price), let v = scale.storedQuantity(t.volume) else { return nil }
            append(micros: t.time.nanoseconds / 1_000, key: t.tradeKey, price: p, volume: v,
                   side: t.side == nil ? 0 : (t.side == .buy ? 1 : 2),
                   orderType: t.orderType == nil ? 0 : (t.orderType == .market ? 1 : 2))
        }
    }
}

/// Bookkeeping a writer records with its data (one transaction): coverage, status, import log.
public struct CoverageRecord: Hashable, Sendable {
    public var dataType: String
    public var span: TimeSpan
    public var source: String
    public init(dataType: String, span: TimeSpan, source: String) { self.dataType = dataType; self.span = span; self.source = source }
}

public struct ImportLogEntry: Hashable, Sendable {
    public var fileName: String
    public var sha256: String
    public var kind: String
    public var symbol: Symbol
    public var intervalMinutes: Int?
    public var rows: Int
    public init(fileName: String, sha256: String, kind: String, symbol: Symbol, intervalMinutes: Int?, rows: Int) {
        self.fileName = fileName; self.sha256 = sha256; self.kind = kind; self.symbol = symbol; self.intervalMinutes = intervalMinutes; self.rows = rows
    }
}

/// One unit of writing for one symbol: everything in it commits together or not at all (a killed import leaves
/// either the whole batch or none of it). Base candles replace stored rows (an authoritative closed source, §15.3).
public struct HistoryBatch: Sendable {
    public var symbol: Symbol
    public var trades: TradeRows
    /// 1m candles for the base table.
    public var candles: [HistoryCandle] = []
    /// Higher-interval CSV candles (`--all`): kept apart, never mixed with the base or the rollups.
    public var nativeCandles: [HistoryCandle] = []
    public var coverage: [CoverageRecord] = []
    /// The span whose rollups must be recomputed (written with the data, processed by the refresher).
    public var invalidation: TimeSpan?
    public var importLog: ImportLogEntry?

    public init(symbol: Symbol, tradeSource: TradeSource = .csv) {
        self.symbol = symbol
        self.trades = TradeRows(source: tradeSource)
    }

    public var isEmpty: Bool { trades.isEmpty && candles.isEmpty && nativeCandles.isEmpty && coverage.isEmpty && importLog == nil }
}

/// What a write did.
public struct WriteOutcome: Hashable, Sendable {
    public var tradesInserted = 0
    /// Same (symbol, time, key) already stored: ignored, counted (§15.2 rule 3).
    public var tradesDuplicate = 0
    public var candlesWritten = 0
    public init() {}
}
