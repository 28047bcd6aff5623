/// A strategy's own portfolio, read-only.
public protocol PortfolioView: AnyObject {
    var cash: Money { get }
    func position(_ symbol: Symbol) -> Position?
    /// The side of the open position, if any (cheaper than copying the position).
    func positionSide(_ symbol: Symbol) -> PositionSide?
    func assetBalance(_ asset: String) -> Quantity
    /// Resting orders, oldest first (decision 15: the strategy sees its open orders).
    var openOrders: [OpenOrder] { get }
    /// Resting orders on one symbol, bids then asks, each best price first, then oldest.
    func openOrders(_ symbol: Symbol) -> [OpenOrder]
    /// How many orders rest on one symbol (cheap: no views are built).
    func openOrderCount(_ symbol: Symbol) -> Int
}

/// What the engine hands a strategy besides market data: its clock, instruments and portfolio.
public final class StrategyContext {
    public let strategyName: String
    public let clock: any TradingClock
    public let instruments: InstrumentRegistry
    public let portfolio: any PortfolioView

    public init(strategyName: String, clock: any TradingClock, instruments: InstrumentRegistry, portfolio: any PortfolioView) {
        self.strategyName = strategyName
        self.clock = clock
        self.instruments = instruments
        self.portfolio = portfolio
    }

    public var now: Timestamp { clock.now }
}

/// A trading strategy. Compiled in and listed in `StrategyRegistry`; one instance per session,
/// owned by the kernel and called synchronously, one call at a time.
public protocol Strategy: AnyObject {
    static var name: String { get }
    static var version: String { get }
    /// One line for `strategies list`.
    static var summary: String { get }
    /// Symbols it trades unless the session narrows them.
    static var defaultSymbols: [Symbol] { get }
    static var parameters: [ParameterSpec] { get }
    /// Built-in per-symbol values (symbol → parameter → text), below the user's per-symbol overrides and above every
    /// global value (resolution 32). None by default.
    static var symbolDefaults: [Symbol: [String: String]] { get }

    init(parameters: StrategyParameters, symbols: [Symbol]) throws

    /// Closed candles needed per timeframe; the engine keeps at least this many.
    var warmup: [Timeframe: Int] { get }
    /// Trades of history needed per symbol (tape length).
    var tradeHistory: Int { get }
    /// True if `generateSignal` reads `snapshot.regime`. The detector only runs when something reads it, so a
    /// session where nothing does pays nothing for it. No strategy reads it by default (resolution 58).
    var readsRegime: Bool { get }

    func onStart(_ context: StrategyContext)
    /// Called on every decision tick: at most one order, placed as it is (an `OrderStrategy` decides with `decide`
    /// instead). Evaluate exits before gates. Throwing is isolated and counted.
    func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal?
    /// A resting order was accepted, replaced, cancelled, expired, or named unknown.
    func onOrderEvent(_ event: OrderEvent, _ context: StrategyContext)
    /// Every fill of this strategy's portfolio, engine exits included (`fill.trigger`).
    func onFill(_ fill: Fill, _ context: StrategyContext)
    func onStop(_ context: StrategyContext)

    /// Latest indicator values, for logs and the dashboard.
    var indicators: [String: Double] { get }
    /// Configuration findings worth a warning at start (never fatal); the kernel reports them once.
    var startupWarnings: [String] { get }
    /// Why the strategy declined to trade, by reason.
    var rejections: RejectionTracker { get }
}

extension Strategy {
    public static var symbolDefaults: [Symbol: [String: String]] { [:] }
    public var warmup: [Timeframe: Int] { [:] }
    public var tradeHistory: Int { 100 }
    public var readsRegime: Bool { false }
    public func onStart(_ context: StrategyContext) {}
    public func onFill(_ fill: Fill, _ context: StrategyContext) {}
    public func onOrderEvent(_ event: OrderEvent, _ context: StrategyContext) {}
    public func onStop(_ context: StrategyContext) {}
    public var indicators: [String: Double] { [:] }
    public var startupWarnings: [String] { [] }
}

/// A strategy that manages several orders: each decision returns order intents (place market, limit or post-only
/// orders, cancel, replace, cancel all), applied in order. A plain `Strategy` is the single-order form: its one signal
/// is placed as it is, so its fills and `fills_sha256` do not depend on this protocol existing.
public protocol OrderStrategy: Strategy {
    /// Called on every decision tick instead of `generateSignal`. Evaluate exits before gates. Throwing is isolated
    /// and counted.
    func decide(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> [OrderIntent]
}

extension OrderStrategy {
    /// Never called for an `OrderStrategy` (the kernel calls `decide`).
    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? { nil }
}
