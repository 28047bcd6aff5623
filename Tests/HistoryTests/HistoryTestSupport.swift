import Foundation
import TradingCore
@testable import History

/// Shared helpers: a fresh SQLite store in a temporary directory, times and decimals from text.
enum H {
    static func t(_ iso: String) -> Timestamp { Timestamp(iso8601: iso)! }
    static func p(_ s: String) -> Price { Price(s)! }
    static func q(_ s: String) -> Quantity { Quantity(s)! }
    static let xrp = Symbol("XRP/USDT")!
    static let btc = Symbol("BTC/USD")!

    static func tempDir() -> String {
        let d = NSTemporaryDirectory() + "ws-history-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func sqlite(now: Timestamp = t("2030-01-01")) throws -> SQLiteHistoryStore {
        try SQLiteHistoryStore(path: tempDir() + "/h.sqlite", clock: { now })
    }

    /// A 1m candle from text values (ts, O, H, L, C, V, n, vwap).
    static func m1(_ s: Symbol, _ ts: String, _ o: String, _ h: String, _ l: String, _ c: String, _ v: String, _ n: Int, _ vwap: String?,
                   source: CandleSource = .trades) -> HistoryCandle {
        HistoryCandle(symbol: s, intervalMinutes: 1, start: t(ts), open: p(o), high: p(h), low: p(l), close: p(c), volume: q(v),
                      tradeCount: n, vwap: vwap.map(p), isComplete: true, source: source)
    }

    /// Writes base candles with their invalidation, as every writer does.
    static func write(_ store: any HistoryStore, _ s: Symbol, _ candles: [HistoryCandle], coverage: TimeSpan? = nil) async throws {
        _ = try await store.fixScale(s, proposed: StorageScale(InstrumentRegistry()[s]!))
        var b = HistoryBatch(symbol: s)
        b.candles = candles
        if let f = candles.map(\.start).min(), let l = candles.map(\.end).max() { b.invalidation = TimeSpan(f, l) }
        if let c = coverage { b.coverage = [CoverageRecord(dataType: "candles_1m", span: c, source: "test")] }
        _ = try await store.write(b)
    }
}
