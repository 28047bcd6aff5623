import TradingCore
import MarketData
import PaperExchange
import TradingEngine

/// One strategy in a session: its name, effective parameters (text) and symbols.
public struct StrategySpec: Sendable, Equatable {
    public var name: String
    public var parameters: [String: String]
    public var symbols: [Symbol]
    /// Entries go through the regime's parameter router (decision 45, opt-in).
    public var regimeRouter: Bool
    /// Per-symbol parameter values (symbol text → key → text): the strategy's built-in ones with the user's over them.
    public var symbolParameters: [String: [String: String]]
    public init(name: String, parameters: [String: String], symbols: [Symbol], regimeRouter: Bool = false,
                symbolParameters: [String: [String: String]] = [:]) {
        self.name = name; self.parameters = parameters; self.symbols = symbols; self.regimeRouter = regimeRouter
        self.symbolParameters = symbolParameters
    }
}

/// Everything that determines a session's fills: written as a recording's header so a replay
/// rebuilds the identical kernel.
public struct SessionSpec: Sendable {
    public var symbols: [Symbol]
    public var instruments: [Instrument]
    public var strategies: [StrategySpec]
    public var exchange: ExchangeConfig
    public var engine: EngineConfig
    public var market: MarketDataConfig
    public var seed: UInt64
    public var intervalMs: Int64
    public var start: Timestamp
    /// The bars' timeframe of a bar backtest (nil for tick sessions): `auto` timeframe parameters resolve to it,
    /// and no strategy may need a finer one.
    public var barTimeframe: Timeframe?
    /// The pairs the regime detector analyses, in configuration order (the first gives the multi-timeframe reading);
    /// nil = the traded pairs in session order. Recorded, so a replay of some strategies reads the same pairs.
    public var regimeSymbols: [Symbol]?

    public init(symbols: [Symbol], instruments: [Instrument], strategies: [StrategySpec], exchange: ExchangeConfig,
                engine: EngineConfig, market: MarketDataConfig, seed: UInt64, intervalMs: Int64, start: Timestamp,
                barTimeframe: Timeframe? = nil) {
        self.symbols = symbols; self.instruments = instruments; self.strategies = strategies; self.exchange = exchange
        self.engine = engine; self.market = market; self.seed = seed; self.intervalMs = intervalMs; self.start = start
        self.barTimeframe = barTimeframe
    }
}
