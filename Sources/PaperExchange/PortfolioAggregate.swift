import TradingCore

/// Manager-level view over every strategy's portfolio (engine §2.12): totals and the leaderboard.
public struct PortfolioAggregate: Sendable {
    public var totalStrategies: Int
    /// Σ starting capital.
    public var totalCapital: Money
    /// Σ baseline equity (capital plus starting assets at their first price).
    public var totalBaseline: Money
    public var totalEquity: Money
    /// Σ realized P&L.
    public var totalPnl: Money
    public var totalFills: Int
    /// Σ wins / Σ (wins + losses) × 100; 0 without decided trades.
    public var winRate: Double
    /// Equity-based: (Σ equity − Σ baseline) / Σ baseline × 100.
    public var totalRoiPct: Double
    /// Realized: Σ P&L / Σ capital × 100.
    public var realizedPnlPct: Double
    /// Strategy names by realized P&L, highest first; ties by name.
    public var leaderboard: [String]

    public init(_ portfolios: [Portfolio], valuation: Valuation) {
        totalStrategies = portfolios.count
        totalCapital = portfolios.reduce(.zero) { $0 + $1.startingCapital }
        totalBaseline = portfolios.reduce(.zero) { $0 + $1.baselineEquity }
        totalEquity = portfolios.reduce(.zero) { $0 + valuation.equity($1) }
        totalPnl = portfolios.reduce(.zero) { $0 + $1.totalPnl }
        totalFills = portfolios.reduce(0) { $0 + $1.totalFills }
        let wins = portfolios.reduce(0) { $0 + $1.wins }, losses = portfolios.reduce(0) { $0 + $1.losses }
        winRate = wins + losses == 0 ? 0 : Double(wins) / Double(wins + losses) * 100
        totalRoiPct = totalBaseline.isPositive ? (totalEquity - totalBaseline).doubleValue / totalBaseline.doubleValue * 100 : 0
        realizedPnlPct = totalCapital.isPositive ? totalPnl.doubleValue / totalCapital.doubleValue * 100 : 0
        leaderboard = portfolios.sorted { $0.totalPnl != $1.totalPnl ? $0.totalPnl > $1.totalPnl : $0.strategy < $1.strategy }.map(\.strategy)
    }
}
