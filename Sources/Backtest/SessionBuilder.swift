import TradingCore
import MarketData
import PaperExchange
import TradingEngine
import Strategies
import Regime

public enum SessionError: Error, CustomStringConvertible, Equatable {
    case unknownStrategy(String, known: [String])
    case noStrategies
    case duplicateStrategy(String)
    case parameter(String)
    case invalidConfig(String)
    case input(String)

    public var description: String {
        switch self {
        case .unknownStrategy(let n, let known): "unknown strategy '\(n)' (available: \(known.joined(separator: ", ")))"
        case .noStrategies: "no strategies selected"
        case .duplicateStrategy(let n): "strategy '\(n)' selected twice"
        case .parameter(let m): m
        case .invalidConfig(let m): m
        case .input(let m): m
        }
    }

    /// Engine §5.4: strategy-set problems exit 3, configuration problems 1.
    public var exitCode: Int32 {
        switch self {
        case .unknownStrategy, .noStrategies, .duplicateStrategy: 3
        default: 1
        }
    }
}

/// Builds kernels from a `SessionSpec`: the one composition path for live, simulated and replayed runs.
public enum SessionBuilder {
    /// Instantiates the strategies (parameters resolved and validated; `auto` timeframes become the bars'
    /// timeframe, else 1m). A strategy that needs candles finer than the bars is refused.
    public static func makeStrategies(_ specs: [StrategySpec], barTimeframe: Timeframe? = nil) throws -> [any Strategy] {
        guard !specs.isEmpty else { throw SessionError.noStrategies }
        var seen = Set<String>()
        return try specs.map { spec in
            guard seen.insert(spec.name).inserted else { throw SessionError.duplicateStrategy(spec.name) }
            guard let type = StrategyRegistry.type(named: spec.name) else {
                throw SessionError.unknownStrategy(spec.name, known: StrategyRegistry.names)
            }
            let strategy: any Strategy
            do {
                var params = try StrategyParameters.resolve(strategy: spec.name, specs: type.parameters, layers: [spec.parameters])
                try params.resolveSymbols(strategy: spec.name, layers: [type.symbolDefaults, try symbolLayer(spec.symbolParameters, spec.name)])
                params.resolveAutoTimeframes(barTimeframe ?? .m1)
                strategy = try type.init(parameters: params, symbols: spec.symbols)
            } catch let e as ParameterError {
                throw SessionError.parameter(e.description)
            }
            if let bars = barTimeframe, let finer = strategy.warmup.keys.filter({ $0 < bars }).min() {
                throw SessionError.invalidConfig("\(spec.name) reads \(finer) candles but the bars are \(bars): a bar backtest cannot build candles finer than its bars (use \(finer) or finer data, or set the strategy's timeframe to \(bars) or above)")
            }
            return strategy
        }
    }

    /// The traded pairs in the order the user gave (`preferred`), then any other traded pair in session order: the
    /// detector's configuration order (regime.md §8).
    public static func regimeOrder(_ spec: SessionSpec, preferred: [Symbol]) -> [Symbol] {
        var traded = spec.symbols.filter { s in spec.strategies.contains { $0.symbols.contains(s) } }
        var out: [Symbol] = []
        for s in preferred where traded.contains(s) && !out.contains(s) { out.append(s) }
        traded.removeAll { out.contains($0) }
        return out + traded
    }

    /// The detector's pairs: as recorded, else the traded pairs (data-only pairs only value assets) in session order.
    public static func regimeSymbols(_ spec: SessionSpec) -> [Symbol] {
        spec.regimeSymbols ?? spec.symbols.filter { s in spec.strategies.contains { $0.symbols.contains(s) } }
    }

    /// A ready kernel (strategies started).
    public static func makeKernel(_ spec: SessionSpec) throws -> Kernel {
        if let e = spec.exchange.validationError() { throw SessionError.invalidConfig(e) }
        let strategies = try makeStrategies(spec.strategies, barTimeframe: spec.barTimeframe)
        var market = spec.market
        for s in strategies { market.accommodate(warmup: s.warmup, trades: s.tradeHistory) }
        if spec.strategies.contains(where: \.regimeRouter) {
            // The detector reads closed 1m candles; a routed strategy on coarser bars would never see a reading.
            if let bars = spec.barTimeframe, bars > .m1 {
                throw SessionError.invalidConfig("regime_router needs 1m candles (the detector scores closed 1m candles) but the bars are \(bars)")
            }
            market.accommodate(warmup: [.m1: 250], trades: 0)
        }
        // The detector's real-candle multi-timeframe mode reads 15m, 1h and 4h candles (50 of each for a reading).
        if let r = spec.engine.regime, r.enabled, r.mtfSource == .candles,
           strategies.contains(where: { $0.readsRegime }) || spec.strategies.contains(where: \.regimeRouter) {
            market.accommodate(warmup: [.m15: 200, .h1: 200, .h4: 200], trades: 0)
        }
        var registry = InstrumentRegistry()
        for i in spec.instruments { registry.set(i) }
        for s in spec.symbols where registry[s] == nil {
            throw SessionError.invalidConfig("no instrument precision for \(s): add instruments.\(s) to the config")
        }
        let exchange = PaperExchange(config: spec.exchange, instruments: registry, sessionSymbols: spec.symbols)
        let kernel = Kernel(market: MarketState(symbols: spec.symbols, config: market), exchange: exchange,
                            strategies: strategies, clock: ManualClock(spec.start), config: spec.engine,
                            tradable: Dictionary(uniqueKeysWithValues: spec.strategies.map { ($0.name, $0.symbols) }),
                            // The detector reads the traded pairs in configuration order; data-only pairs only value assets.
                            regimeSymbols: regimeSymbols(spec),
                            regimeRouted: Set(spec.strategies.filter(\.regimeRouter).map(\.name)))
        kernel.start()
        return kernel
    }

    static func symbolLayer(_ text: [String: [String: String]], _ strategy: String) throws -> [Symbol: [String: String]] {
        var out: [Symbol: [String: String]] = [:]
        for (k, v) in text {
            guard let s = Symbol(k) else { throw ParameterError(strategy: strategy, key: "symbols.\(k)", message: "'\(k)' is not a BASE/QUOTE symbol") }
            out[s] = v
        }
        return out
    }

    /// The effective per-symbol parameter text of a strategy on its pairs: its built-in per-symbol values with the user's
    /// over them (symbol text → key → text), for headers and logs.
    public static func effectiveSymbolParameters(_ name: String, symbols: [Symbol], user: [String: [String: String]]) throws -> [String: [String: String]] {
        guard let type = StrategyRegistry.type(named: name) else { throw SessionError.unknownStrategy(name, known: StrategyRegistry.names) }
        do {
            var p = StrategyParameters.defaults(type.parameters)
            try p.resolveSymbols(strategy: name, layers: [type.symbolDefaults, try symbolLayer(user, name)])
            return p.symbolTextValues.filter { sym, _ in symbols.contains { $0.text == sym } }
        } catch let e as ParameterError {
            throw SessionError.parameter(e.description)
        }
    }

    /// The effective parameter text of a strategy (defaults, then each layer), for headers and logs.
    public static func effectiveParameters(_ name: String, layers: [[String: String]]) throws -> [String: String] {
        guard let type = StrategyRegistry.type(named: name) else { throw SessionError.unknownStrategy(name, known: StrategyRegistry.names) }
        do {
            return try StrategyParameters.resolve(strategy: name, specs: type.parameters, layers: layers).textValues
        } catch let e as ParameterError {
            throw SessionError.parameter(e.description)
        }
    }
}
