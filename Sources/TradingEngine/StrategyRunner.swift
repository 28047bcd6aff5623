import TradingCore
import PaperExchange

/// One strategy with its isolated portfolio, context and health counters.
public final class StrategyRunner {
    public let name: String
    public let strategy: any Strategy
    /// The same strategy when it decides with order intents (cast once, not per tick).
    let orderStrategy: (any OrderStrategy)?
    public let portfolio: Portfolio
    public let context: StrategyContext
    /// Read once: whether this strategy's snapshots carry the regime (it reads it, or its entries are routed).
    public internal(set) var readsRegime: Bool
    /// Entries pass the regime's parameter router (decision 45): disabled regimes decline them, sizes scale.
    public internal(set) var regimeRouted = false
    /// Entry signals the router declined.
    public internal(set) var regimeDeclined = 0
    public internal(set) var signals = 0
    public internal(set) var errors = 0
    public internal(set) var paused = false
    public internal(set) var lastError: String?
    /// How many of the portfolio's unpriced assets were already reported.
    var warnedUnpriced = 0

    init(name: String, strategy: any Strategy, portfolio: Portfolio, context: StrategyContext) {
        self.name = name
        self.strategy = strategy
        orderStrategy = strategy as? any OrderStrategy
        self.portfolio = portfolio
        self.context = context
        readsRegime = strategy.readsRegime
    }
}
