import TradingCore

public enum HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case notConnected
    case invalidInterval(Int)
    case unknownSymbol(String)
    case unknownPrecision(Symbol)
    case scaleMismatch(Symbol, stored: StorageScale, asked: StorageScale)
    case badURL(String)
    case storage(String)
    case importFailed(String)
    /// An argument of the read API out of its range (a negative count, a limit below 0…).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .notConnected: "history store not connected"
        case .invalidInterval(let i): "invalid interval: \(i) (whole minutes, 1…10080)"
        case .unknownSymbol(let s): "unknown symbol or pair code '\(s)'"
        case .unknownPrecision(let s): "no precision known for \(s): add instruments.\(s.text).price_decimals and .lot_decimals to the config"
        case .scaleMismatch(let s, let stored, let asked):
            "\(s) is stored at \(stored) (fixed at its first write); the data asks for \(asked)"
        case .badURL(let u): "bad database URL '\(u)': expected postgres://user[:password]@host[:port]/db or sqlite:///path"
        case .storage(let m): "storage: \(m)"
        case .importFailed(let m): m
        case .invalidArgument(let m): m
        }
    }
}

/// Per-symbol counts for `data stats` (computed from the data, never from bookkeeping: §8.1's weakness).
public struct SymbolStats: Hashable, Sendable {
    public var symbol: Symbol
    public var trades: Int
    public var first: Timestamp?
    public var last: Timestamp?
    /// Rows per timeframe (1m = the base table).
    public var candles: [Timeframe: Int]
    /// Complete rows per timeframe (the rest are in progress or have holes).
    public var completeCandles: [Timeframe: Int]
    public var csvTradeSpan: TimeSpan?
    public init(symbol: Symbol, trades: Int, first: Timestamp?, last: Timestamp?, candles: [Timeframe: Int], completeCandles: [Timeframe: Int], csvTradeSpan: TimeSpan?) {
        self.symbol = symbol; self.trades = trades; self.first = first; self.last = last; self.candles = candles
        self.completeCandles = completeCandles; self.csvTradeSpan = csvTradeSpan
    }
}

/// `data_sync_status` (history.md §3.5): what a writer last did for a symbol and data type. From the provider, the
/// oldest, newest and total come from the data itself (§8.1's weakness: the row's own counts drift).
public struct SyncStatus: Hashable, Sendable {
    public var symbol: Symbol
    public var dataType: String
    public var oldest: Timestamp?
    public var newest: Timestamp?
    public var lastSyncAt: Timestamp?
    /// Kraken's `since` cursor (ns), for the Trades endpoint.
    public var lastKrakenSince: Int64?
    public var totalRecords: Int64
    public var lastError: String?
    public init(symbol: Symbol, dataType: String, oldest: Timestamp?, newest: Timestamp?, lastSyncAt: Timestamp?, lastKrakenSince: Int64?,
                totalRecords: Int64, lastError: String?) {
        self.symbol = symbol; self.dataType = dataType; self.oldest = oldest; self.newest = newest; self.lastSyncAt = lastSyncAt
        self.lastKrakenSince = lastKrakenSince; self.totalRecords = totalRecords; self.lastError = lastError
    }
}

/// A pending rollup recomputation (`rollup_invalidation`).
public struct Invalidation: Hashable, Sendable {
    public var id: Int64
    public var symbol: Symbol
    public var span: TimeSpan
    public init(id: Int64, symbol: Symbol, span: TimeSpan) { self.id = id; self.symbol = symbol; self.span = span }
}

/// The store port (ARCHITECTURE.md: target `History`). Two real implementations, `SQLiteHistoryStore` (GRDB, the
/// embedded default) and `PostgresHistoryStore` (PostgresNIO). Everything above this protocol (import, rollups, gaps,
/// the provider) is written once, so both stores answer the same questions the same way.
public protocol HistoryStore: AnyObject, Sendable {
    /// `sqlite` or `postgres` (plus mode details), for `data schema`.
    var kind: String { get }
    /// How many batches a bulk writer may have in flight (each its own transaction; pieces of coverage commit with
    /// their own rows, so any commit order is consistent). SQLite has one writer; PostgreSQL takes three.
    var maxBatchesInFlight: Int { get }
    func schemaVersion() async throws -> Int
    func tableNames() async throws -> [String]

    /// The symbol's storage scale: `proposed` on its first write (stored), the stored one after. Throws
    /// `scaleMismatch` when they differ: a store never holds one symbol at two scales.
    func fixScale(_ symbol: Symbol, proposed: StorageScale) async throws -> StorageScale
    func scale(of symbol: Symbol) async throws -> StorageScale?
    func symbols() async throws -> [Symbol]

    func write(_ batch: HistoryBatch) async throws -> WriteOutcome
    func importLogged(sha256: String) async throws -> Bool

    func trades(_ symbol: Symbol, in span: TimeSpan, limit: Int?) async throws -> [HistoricalTrade]
    /// 1m base candles, ascending.
    func baseCandles(_ symbol: Symbol, in span: TimeSpan, limit: Int?, descending: Bool) async throws -> [HistoryCandle]
    func rollupCandles(_ tf: Timeframe, _ symbol: Symbol, in span: TimeSpan, limit: Int?, descending: Bool) async throws -> [HistoryCandle]
    func nativeCandles(_ symbol: Symbol, interval: Int, in span: TimeSpan) async throws -> [HistoryCandle]
    /// Start times of complete 1m base candles in the span, ascending (gap scans read nothing else).
    func baseCandleTimes(_ symbol: Symbol, in span: TimeSpan) async throws -> [Timestamp]
    /// Merged coverage spans of a data type overlapping `span`.
    func coverage(_ symbol: Symbol, dataType: String, overlapping span: TimeSpan) async throws -> [TimeSpan]
    /// First and last 1m candle start and first/last trade time.
    func extent(_ symbol: Symbol) async throws -> (firstCandle: Timestamp?, lastCandle: Timestamp?, firstTrade: Timestamp?, lastTrade: Timestamp?)
    func stats(_ symbol: Symbol) async throws -> SymbolStats
    /// The stored `data_sync_status` row, as written.
    func syncStatus(_ symbol: Symbol, dataType: String) async throws -> SyncStatus?

    func pendingInvalidations() async throws -> [Invalidation]
    /// Replaces every rollup row of `symbol` inside `span` with `rows` (per timeframe), removes the processed
    /// invalidations and records `carryOver` (buckets still in progress), in one transaction.
    func replaceRollups(_ symbol: Symbol, span: TimeSpan, rows: [Timeframe: [HistoryCandle]], processed: [Int64], carryOver: TimeSpan?) async throws
    /// Time before which the symbol's 1m base and trades were pruned (rollups there are final).
    func retainedFrom(_ symbol: Symbol) async throws -> Timestamp?
    /// Deletes trades and 1m candles of every symbol before `cutoff` moved back to a Monday, in batches; returns rows deleted.
    func prune(before cutoff: Timestamp) async throws -> (trades: Int, candles: Int)

    func close() async throws
}
