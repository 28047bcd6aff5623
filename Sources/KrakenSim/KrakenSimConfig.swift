import MarketData
import TradingCore

/// Everything the local Kraken v2 server is told. Same seed, configuration and fault script → byte-identical frames
/// for the same client requests at the same virtual times.
public struct KrakenSimConfig: Sendable {
    public var seed: UInt64 = 42
    /// The pairs served (the instrument snapshot lists exactly these; anything else is `Currency pair not supported`).
    public var symbols: [Symbol] = KrakenSimConfig.defaultSymbols
    /// Virtual time of the server's start (the live tape starts here; REST history covers the days before).
    public var start: Timestamp = SimulatedMarket.defaultStart
    /// The market's step (the simulator's tick).
    public var tick: Interval = .milliseconds(100)
    /// Levels per side the server's books hold (subscriptions deeper than this see this many).
    public var levels = 100
    /// Days of REST history before `start`.
    public var historyDays = 30
    /// Percentage of quantities written with trailing zeros stripped (market-data §4.4 point 6).
    public var strippedQtyPercent = 20
    /// The status message's connection id; above Int64.max like Kraken's (connection n gets base + n − 1).
    public var connectionIdBase: UInt64 = 13_834_774_380_200_032_777
    public var version = "2.0.0"
    /// Faults to fire by frame count or virtual time (and any `.immediately` ones at start).
    public var faults: [ScheduledFault] = []
    /// The contents of files named by scripted `replay` faults (read at the edge, before the run).
    public var replayFiles: [String: [String]] = [:]
    /// Entries kept in each in-memory log (frames, requests; older ones are dropped, and counted, beyond it). A long run
    /// at thousands of frames a second would otherwise hold gigabytes; `kraken sim --log` streams everything to a file.
    public var logCapacity = 50_000
    /// …and at most this many bytes of frame text (a depth-1000 snapshot is tens of kilobytes).
    public var logBytes = 64 << 20
    /// Live prints kept per pair for REST `Trades`, trade snapshots and candles (older ones are forgotten).
    public var tapeCapacity = 2_000_000

    /// REST requests per second before `EAPI:Rate limit exceeded` (HTTP 429); 0 = no limit. A bucket of `restBurst`.
    public var restRatePerSecond: Double = 0
    public var restBurst: Double = 15

    public init() {}

    public static let defaultSymbols: [Symbol] = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "BTC/USDT", "ETH/USDT", "XRP/USDT", "SOL/USDT",
                                                  "XRP/BTC", "ETH/BTC", "USDT/USD"].compactMap { Symbol($0) }

    /// Nil when every pair can be served, else why not.
    public func problem() -> String? {
        if symbols.isEmpty { return "no pairs to serve" }
        if let why = SimulatedMarket.unsupported(symbols) { return why }
        if !(1...1000).contains(levels) { return "levels must be in 1…1000" }
        if !(0...365).contains(historyDays) { return "history days must be in 0…365" }
        if !(0...100).contains(strippedQtyPercent) { return "stripped quantity percentage must be in 0…100" }
        if tick.nanoseconds < 1_000_000 || tick.nanoseconds > 60_000_000_000 { return "tick must be 1 ms … 60 s" }
        return nil
    }
}
