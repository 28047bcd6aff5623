import TradingCore
import MarketData
import PaperExchange
import Regime

/// The effective configuration of a run: the schema's defaults, then the YAML file, the environment and the
/// command line (`ConfigResolver`). Property initial values equal the schema's defaults (a test checks it).
public struct AppConfig: Sendable {
    // general
    public var durationMinutes = 60
    public var intervalMs: Int64 = 100
    public var defaultSymbols = [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!, Symbol("XRP/BTC")!]
    public var closePositionsOnShutdown = false
    public var statusIntervalSeconds = 30
    public var maxStrategyErrors = 10
    // top level
    public var symbols: [Symbol] = []
    public var startingAssets: [String: Quantity] = [:]
    // data
    public var dataSource = "kraken"
    public var wsURL = "wss://ws.kraken.com/v2"
    public var fallbackToSimulated = false
    public var live = LiveFeedSettings()
    public var market = MarketDataConfig()
    public var history = HistorySettings()
    // simulation
    public var seed: UInt64 = 42
    public var simulationStart = SimulatedMarket.defaultStart
    /// nil = as fast as possible; else engine seconds per wall second.
    public var speed: Double? = 1
    // execution
    public var exchange = ExchangeConfig()
    // dashboard and logging (their own issues; keys accepted and validated now)
    public var dashboardEnabled = true
    public var dashboardHost = "127.0.0.1"
    public var dashboardPort = 8787
    public var logLevel = "info"
    public var logDir = "logs"
    public var regime = RegimeConfig()
    public var external = SentimentEndpoints()
    /// `regime_detection.adjustments.<strategy>.<REGIME>.<field>` text, merged over the router's built-in table.
    public var routerOverrides: [String: [String: [String: String]]] = [:]
    // strategies
    public var enabledStrategies: [String]? = nil
    public var strategyOverrides: [String: [String: String]] = [:]
    /// `strategy_overrides.<name>.symbols.<SYMBOL>.<key>` (decision 45, resolution 32): strategy → symbol → key → text.
    public var symbolOverrides: [String: [String: [String: String]]] = [:]
    /// Strategies whose entries go through the regime's parameter router (`strategy_overrides.<name>.regime_router`).
    public var regimeRouted: Set<String> = []
    public var instruments: [Instrument] = []
    /// Keys a later capability reads: their effective text.
    public var reserved: [String: String] = [:]

    public init() {}
}

/// Where history is stored (`history.*`, resolution 49).
public struct HistorySettings: Sendable, Equatable {
    public var databaseURL = ""
    public var sqlitePath = "data/history.sqlite"
    public var minGapMinutes = 2
    public var initialBackfillDays = 30
    /// auto | on | off (a PostgreSQL store's TimescaleDB use).
    public var timescale = "auto"
    public init() {}
}

/// The live feed's connection settings (market-data §2.8 and §7, issue 8), in seconds as configured.
public struct LiveFeedSettings: Sendable, Equatable {
    public var reconnectDelay = 1.0
    public var maxReconnectDelay = 60.0
    public var reconnectJitter = 0.2
    public var stableConnection = 60.0
    public var maxConnectsPer10Min = 100
    public var maintenanceMinDelay = 5.0
    public var idlePingAfter = 5.0
    public var livenessTimeout = 15.0
    public var keepalivePing = 30.0
    public var channelSilence = 60.0
    public var ackTimeout = 10.0
    public var connectTimeout = 15.0
    public var maxLag = 5.0
    public var bufferEvents = 10_000
    public init() {}
}
