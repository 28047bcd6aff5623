import TradingCore

/// Every built-in strategy. Adding a strategy is one folder and one line here.
public enum StrategyRegistry {
    public static let all: [any Strategy.Type] = [
        EMA9TrendFlipStrategy.self,
        FlowMomentumStrategy.self,
        MarketMakingStrategy.self,
        MeanReversionStrategy.self,
        MomentumScalpingStrategy.self,
        OrderFlowStrategy.self,
        RatioTradingStrategy.self,
        SMACrossStrategy.self,
        WaveTrendStrategy.self,
    ].sorted { $0.name < $1.name }

    public static var names: [String] { all.map { $0.name } }

    public static func type(named name: String) -> (any Strategy.Type)? { all.first { $0.name == name } }

    /// Names that appear more than once (must be empty; checked by a test and at start-up).
    public static var duplicateNames: [String] {
        var seen = Set<String>(), dup = Set<String>()
        for t in all where !seen.insert(t.name).inserted { dup.insert(t.name) }
        return dup.sorted()
    }
}
