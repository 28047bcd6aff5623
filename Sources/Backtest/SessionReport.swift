import Foundation
import TradingCore
import PaperExchange
import TradingEngine
import Regime

/// End-of-session figures for one strategy (engine §4.5 with the Swift metric definitions).
public struct StrategyReport: Sendable {
    public var name: String
    public var finalEquity: Money
    public var baselineEquity: Money
    public var realizedPnl: Money
    public var unrealizedPnl: Money
    public var fees: Money
    public var fills: Int
    /// Fills by liquidity: resting orders' fills are maker, the rest taker.
    public var makerFills: Int
    public var takerFills: Int
    /// Orders still resting at the end.
    public var openOrders: Int
    public var closedTrades: Int
    public var wins: Int
    public var losses: Int
    public var breakeven: Int
    public var winRate: Double
    public var maxDrawdownPct: Double
    public var profitFactor: Double?
    /// Daily returns × √365 (resolution 48); nil with fewer than two daily returns.
    public var sharpe: Double?
    public var dailyReturns: Int
    /// The engine §2.11 per-closing-fill ratio, kept under its own name.
    public var sharpePerFill: Double
    public var roundTrips: Int
    public var pairs: [(Symbol, PairStats)]
    public var exits: [ExitTrigger: Int]
    /// Starting assets no session pair can value (left out of baseline and equity).
    public var excludedAssets: [String]
    public var roiPct: Double
    public var openPositions: Int
    public var cappedFills: Int
    public var signals: Int
    public var errors: Int
    public var paused: Bool
    public var rejections: [(String, Int)]
    public var strategyRejections: [(String, Int)]
    /// Entries the regime's parameter router declined (routed strategies only).
    public var regimeDeclined: Int
}

public struct SessionReport: Sendable {
    public var strategies: [StrategyReport]
    public var eventsProcessed: Int
    public var ticks: Int
    public var signals: Int
    public var fills: Int
    public var fillsSha256: String
    public var startTime: Timestamp
    public var endTime: Timestamp
    public var aggregate: PortfolioAggregate
    /// The currency every money figure is in (USD, or the quote of a non-USD bar backtest).
    public var accountCurrency: String
    /// The last market-regime reading, when something read the detector.
    public var regime: RegimeSnapshot?

    /// Builds the report at the kernel's current marks; strategies in leaderboard order (realized P&L, then name).
    public init(kernel: Kernel, hasher: FillHasher, start: Timestamp, accountCurrency: String = "USD") {
        self.accountCurrency = accountCurrency
        regime = kernel.regime
        let valuation = Valuation(market: kernel.market)
        var list: [StrategyReport] = []
        for r in kernel.runners {
            let p = r.portfolio
            let equity = valuation.equity(p)
            var unrealized = Money.zero
            for pos in p.positions.values {
                if let px = kernel.market.price(pos.symbol), let q = valuation.quoteUSD(pos.symbol) {
                    unrealized += pos.unrealizedPnl(at: px).converted(at: q)
                }
            }
            let roi = p.baselineEquity.isPositive ? (equity - p.baselineEquity).doubleValue / p.baselineEquity.doubleValue * 100 : 0
            list.append(StrategyReport(
                name: r.name, finalEquity: equity, baselineEquity: p.baselineEquity, realizedPnl: p.totalPnl, unrealizedPnl: unrealized,
                fees: p.feesUSD, fills: p.totalFills, makerFills: p.makerFills, takerFills: p.takerFills, openOrders: p.restingCount,
                closedTrades: p.closedTrades, wins: p.wins, losses: p.losses, breakeven: p.breakeven,
                winRate: p.winRate, maxDrawdownPct: p.maxDrawdown * 100, profitFactor: p.profitFactor, sharpe: p.sharpe,
                dailyReturns: p.dailyReturns, sharpePerFill: p.sharpePerFill, roundTrips: p.roundTrips,
                pairs: p.pairs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, exits: p.exits,
                excludedAssets: p.excludedAssets.sorted(), roiPct: roi,
                openPositions: p.positions.count, cappedFills: p.cappedFills, signals: r.signals, errors: r.errors, paused: r.paused,
                rejections: p.rejections.map { ($0.key.rawValue, $0.value) }.sorted { $0.0 < $1.0 },
                strategyRejections: r.strategy.rejections.sorted.map { ($0.reason, $0.count) }, regimeDeclined: r.regimeDeclined))
        }
        aggregate = PortfolioAggregate(kernel.runners.map(\.portfolio), valuation: valuation)
        strategies = list.sorted { $0.realizedPnl != $1.realizedPnl ? $0.realizedPnl > $1.realizedPnl : $0.name < $1.name }
        eventsProcessed = kernel.eventsProcessed
        ticks = kernel.ticks
        signals = kernel.signalCount
        fills = kernel.fillCount
        fillsSha256 = hasher.hexDigest
        startTime = start
        endTime = kernel.clock.now
    }

    /// The `--summary-json` object. Money as exact decimal strings.
    public func jsonObject(extra: [String: Any] = [:]) -> [String: Any] {
        var o: [String: Any] = [
            "events_processed": eventsProcessed, "ticks": ticks, "signals": signals, "fills": fills,
            "fills_sha256": fillsSha256, "start_time": startTime.iso8601, "end_time": endTime.iso8601,
            "account_currency": accountCurrency,
            "aggregate": [
                // Total capital is what ROI is measured against: starting cash plus priced starting assets.
                "total_strategies": aggregate.totalStrategies, "total_capital": aggregate.totalBaseline.description,
                "total_starting_cash": aggregate.totalCapital.description,
                "total_equity": aggregate.totalEquity.description, "total_pnl": aggregate.totalPnl.description,
                "total_fills": aggregate.totalFills, "win_rate": aggregate.winRate, "total_roi_pct": aggregate.totalRoiPct,
                "realized_pnl_pct": aggregate.realizedPnlPct, "leaderboard": aggregate.leaderboard,
            ] as [String: Any],
            "strategies": strategies.map { s -> [String: Any] in
                [
                    "name": s.name, "final_equity": s.finalEquity.description, "baseline_equity": s.baselineEquity.description,
                    "realized_pnl": s.realizedPnl.description, "unrealized_pnl": s.unrealizedPnl.description, "fees": s.fees.description,
                    "fills": s.fills, "fills_maker": s.makerFills, "fills_taker": s.takerFills,
                    "open_orders": s.openOrders, "closed_trades": s.closedTrades, "wins": s.wins, "losses": s.losses, "breakeven": s.breakeven,
                    "win_rate": s.winRate, "max_drawdown_pct": s.maxDrawdownPct, "profit_factor": s.profitFactor.map { $0 as Any } ?? NSNull(),
                    "profit_factor_infinite": s.profitFactor == nil && s.wins > 0, "sharpe": s.sharpe.map { $0 as Any } ?? NSNull(),
                    "daily_returns": s.dailyReturns, "sharpe_per_fill": s.sharpePerFill, "round_trips": s.roundTrips, "roi_pct": s.roiPct,
                    "pairs": Dictionary(uniqueKeysWithValues: s.pairs.map { (sym, st) in
                        (sym.text, ["fills": st.fills, "realized_pnl": st.realizedPnl.description, "fees": st.fees.description,
                                    "volume": st.volume.description] as [String: Any])
                    }),
                    "exits": Dictionary(uniqueKeysWithValues: ExitTrigger.allCases.map { ($0.rawValue, s.exits[$0] ?? 0) }),
                    "excluded_assets": s.excludedAssets,
                    "open_positions": s.openPositions, "capped_fills": s.cappedFills, "signals": s.signals, "errors": s.errors,
                    "paused": s.paused,
                    "rejections": Dictionary(uniqueKeysWithValues: s.rejections),
                    "strategy_rejections": Dictionary(uniqueKeysWithValues: s.strategyRejections),
                    "regime_declined": s.regimeDeclined,
                ]
            },
        ]
        if let r = regime {
            var ext: [String: Any] = [:]
            if let s = r.externalSentiment {
                ext = ["fear_greed": s.fearGreedValue.map { $0 as Any } ?? NSNull(), "classification": s.fearGreedClassification ?? NSNull(),
                       "btc_dominance": s.btcDominance.map { $0 as Any } ?? NSNull(), "last_updated": s.lastUpdated.iso8601]
            }
            o["regime"] = [
                "overall": r.overallRegime.rawValue, "confidence": r.overallConfidence, "composite_score": r.compositeScore,
                "trending": r.isTrending, "direction": r.trendDirection.rawValue, "volatility": r.volatilityState.rawValue,
                "age_seconds": r.regimeAgeSeconds, "recent_transitions": r.recentTransitions, "summary": r.summary,
                "symbols": Dictionary(uniqueKeysWithValues: r.symbolRegimes.map { ($0.key.text, [
                    "regime": $0.value.regime.rawValue, "confidence": $0.value.confidence, "score": $0.value.compositeScore,
                    "adx": $0.value.adx, "choppiness": $0.value.choppiness, "rsi": $0.value.rsi, "atr_pct": $0.value.atrPercent,
                    "trend_strength": $0.value.trendStrength.rawValue, "volatility": $0.value.volatilityState.rawValue,
                ] as [String: Any]) }),
                "mtf": r.mtfConfluence.map { ["summary": $0.summary, "alignment": $0.alignmentScore,
                                              "timeframes": $0.perTimeframe.mapValues(\.rawValue)] as [String: Any] } ?? NSNull(),
                "external": ext.isEmpty ? NSNull() : ext,
            ] as [String: Any]
        }
        for (k, v) in extra { o[k] = v }
        return o
    }

    public func writeJSON(to path: String, extra: [String: Any] = [:]) throws {
        let data = try JSONSerialization.data(withJSONObject: jsonObject(extra: extra), options: [.prettyPrinted, .sortedKeys])
        guard FileManager.default.createFile(atPath: path, contents: data + Data("\n".utf8)) else {
            throw SessionError.input("cannot write \(path)")
        }
    }

    /// The console summary (engine §4.5 layout).
    public func text(title: String = "SESSION COMPLETE", mode: String) -> String {
        let rule = String(repeating: "=", count: 60)
        let thin = String(repeating: "-", count: 60)
        let minutes = Double(endTime.nanoseconds - startTime.nanoseconds) / 6e10
        let a = aggregate
        // Money at cents in USD; a coin account (BTC) needs satoshis.
        let md = accountCurrency == "USD" ? 2 : 8
        var out = [rule, title, rule]
        out.append("Duration: \(fmt(minutes, 1)) min (engine clock)   Mode: \(mode)")
        out.append("Events: \(eventsProcessed)   Ticks: \(ticks)   Signals: \(signals)   Fills: \(fills)")
        out.append("")
        out.append("Total capital: \(a.totalBaseline.formatted(decimals: md)) \(accountCurrency)   Final equity: \(a.totalEquity.formatted(decimals: md)) \(accountCurrency)")
        out.append("Realized P&L: \(signed(a.totalPnl.formatted(decimals: md)))   ROI: \(signed(fmt(a.totalRoiPct, 2)))%   Win rate: \(fmt(a.winRate, 1))%")
        out.append("")
        out.append("Strategy Performance:")
        out.append(thin)
        for (i, s) in strategies.enumerated() {
            let tag = s.realizedPnl.isPositive ? "[WIN]" : (s.realizedPnl.isNegative ? "[LOSS]" : "[FLAT]")
            out.append("\(i + 1). \(pad(s.name, 20)) equity \(s.finalEquity.formatted(decimals: md)) pnl \(signed(s.realizedPnl.formatted(decimals: md))) roi \(signed(fmt(s.roiPct, 2)))% trades \(s.closedTrades) win \(fmt(s.winRate, 1))% \(tag)")
            let liquidity = s.makerFills > 0 || s.openOrders > 0 ? " (maker \(s.makerFills), taker \(s.takerFills); \(s.openOrders) order\(s.openOrders == 1 ? "" : "s") resting)" : ""
            var detail = "     fills \(s.fills)\(liquidity), round trips \(s.roundTrips), open \(s.openPositions), unrealized \(signed(s.unrealizedPnl.formatted(decimals: md))), max dd \(fmt(s.maxDrawdownPct, 2))%, pf \(s.profitFactor.map { fmt($0, 2) } ?? (s.wins > 0 ? "∞" : "n/a")), sharpe \(s.sharpe.map { fmt($0, 3) } ?? "n/a (\(s.dailyReturns) daily return\(s.dailyReturns == 1 ? "" : "s"))"), errors \(s.errors)\(s.paused ? " (paused)" : ""), capped \(s.cappedFills)"
            let exitText = ExitTrigger.allCases.compactMap { t in s.exits[t].map { "\(t.rawValue) \($0)" } }
            if !exitText.isEmpty { detail += "\n     engine exits: " + exitText.joined(separator: ", ") }
            if s.pairs.count > 0 {
                detail += "\n     pairs: " + s.pairs.map { (sym, st) in
                    "\(sym) \(st.fills) fills pnl \(signed(st.realizedPnl.formatted(decimals: md))) fees \(st.fees.formatted(decimals: md)) volume \(st.volume.formatted(decimals: md))"
                }.joined(separator: "; ")
            }
            if !s.rejections.isEmpty { detail += "\n     rejected: " + s.rejections.map { "\($0.0) \($0.1)" }.joined(separator: ", ") }
            if !s.strategyRejections.isEmpty { detail += "\n     declined: " + s.strategyRejections.prefix(5).map { "\($0.0) \($0.1)" }.joined(separator: ", ") }
            if s.regimeDeclined > 0 { detail += "\n     regime router declined \(s.regimeDeclined) entr\(s.regimeDeclined == 1 ? "y" : "ies")" }
            out.append(detail)
        }
        out.append(thin)
        if let r = regime {
            out.append(r.summary)
            if let m = r.mtfConfluence { out.append("  timeframes: \(m.summary)") }
        }
        out.append("fills_sha256: \(fillsSha256)")
        out.append(rule)
        return out.joined(separator: "\n")
    }
}

func fmt(_ v: Double, _ d: Int) -> String {
    guard v.isFinite else { return "n/a" }
    return String(format: "%.\(d)f", v)
}
func signed(_ s: String) -> String { s.hasPrefix("-") ? s : "+" + s }
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
