import TradingCore

/// Ratio trading's parameters (ratio_trading.md §4, code 4.3.1), read once at init. Single pair: all global.
struct RatioTradingConfig {
    enum CorrelationSeries: String { case reference, candles }

    static let specs: [ParameterSpec] = [
        .int("lookback_periods", 20, min: 2, max: 1000, "Bollinger / SMA period, 1m closes"),
        .double("bollinger_std", 2.0, min: 0.1, max: 10, "band width (telemetry: entries use the z-score)"),
        .double("entry_threshold", 1.5, min: 0, max: 100, "|z| for entries (× the regime multiplier)"),
        .double("exit_threshold", 0.5, min: 0, max: 100, "|z| for the mean-reversion partial exit"),
        .bool("use_crypto_bollinger_std", false, "use bollinger_std_crypto for the bands"),
        .double("bollinger_std_crypto", 2.5, min: 0.1, max: 10, "crypto band width"),
        .double("position_size_usd", 15, min: 0.01, max: 1_000_000_000, "base entry size, USD (settled in BTC)"),
        .double("max_position_usd", 50, min: 0.01, max: 1_000_000_000, "cap on the long XRP position, USD"),
        .double("min_trade_size_usd", 5, min: 0, max: 1_000_000_000, "smallest order"),
        .double("stop_loss_pct", 0.6, min: 0.001, max: 100, "stop loss %"),
        .double("take_profit_pct", 0.6, min: 0.001, max: 100, "take profit %"),
        .double("cooldown_seconds", 30, min: 0, max: 31_536_000, "time between signals"),
        .int("min_candles", 10, min: 1, max: 1000, "warm-up: closes in the price history"),
        .bool("use_volatility_regimes", true, "classify 1m volatility"),
        .int("volatility_lookback", 20, min: 2, max: 1000, "returns in the volatility window"),
        .double("regime_low_threshold", 0.2, min: 0, max: 100, "volatility % below this is LOW"),
        .double("regime_medium_threshold", 0.5, min: 0, max: 100, "below this MEDIUM"),
        .double("regime_high_threshold", 1.0, min: 0, max: 100, "below this HIGH, else EXTREME"),
        .bool("regime_extreme_pause", true, "no entries in EXTREME"),
        .bool("use_circuit_breaker", true, "pause entries after consecutive losses"),
        .int("max_consecutive_losses", 3, min: 1, max: 1000, "losses that trip the breaker"),
        .int("circuit_breaker_minutes", 15, min: 1, max: 525_600, "breaker duration"),
        .bool("use_spread_filter", true, "refuse entries on a wide book"),
        .double("max_spread_pct", 0.10, min: 0, max: 100, "widest book spread %"),
        .double("min_profitability_mult", 0.5, min: 0, max: 100, "take_profit_pct must be at least spread % × this"),
        .bool("use_trade_flow_confirmation", false, "the tape must agree"),
        .double("trade_flow_threshold", 0.10, min: 0, max: 1, "tape imbalance required"),
        .bool("use_rsi_confirmation", true, "buy oversold, sell overbought only"),
        .int("rsi_period", 14, min: 1, max: 1000, "RSI period"),
        .double("rsi_oversold", 35, min: 0, max: 100, "a buy needs RSI at or below this"),
        .double("rsi_overbought", 65, min: 0, max: 100, "a sell needs RSI at or above this"),
        .bool("use_trend_filter", true, "no entry against a strong trend"),
        .int("trend_lookback", 10, min: 1, max: 1000, "moves counted"),
        .double("trend_strength_threshold", 0.7, min: 0, max: 1, "share of moves one way that is a strong trend"),
        .bool("use_trailing_stop", true, "trailing-stop exit of the long"),
        .double("trailing_activation_pct", 0.3, min: 0, max: 100, "profit % that arms the trail"),
        .double("trailing_distance_pct", 0.2, min: 0, max: 100, "trail distance %"),
        .bool("use_position_decay", true, "partial exit of an old position near the mean"),
        .double("position_decay_minutes", 10, min: 0, max: 525_600, "age that counts as old"),
        .double("position_decay_tp_mult", 0.5, min: 0, max: 10, "declared by the reference, unused (W15)"),
        .bool("track_rejections", true, "count rejection reasons"),
        .bool("use_correlation_monitoring", true, "pause while XRP and BTC stop moving together"),
        .int("correlation_lookback", 20, min: 2, max: 1000, "returns in the correlation window"),
        .double("correlation_warning_threshold", 0.7, min: -1, max: 1, "below: a warning is counted"),
        .double("correlation_pause_threshold", 0.4, min: -1, max: 1, "below: paused"),
        .bool("correlation_pause_enabled", true, "pause on low correlation"),
        .bool("use_correlation_trend_detection", true, "watch the correlation's slope"),
        .int("correlation_trend_lookback", 10, min: 2, max: 1000, "correlations in the slope"),
        .double("correlation_trend_threshold", -0.02, min: -10, max: 10, "slope below this is declining"),
        .double("correlation_trend_level", 0.7, min: -1, max: 1, "warn of a decline only below this correlation"),
        .bool("correlation_trend_pause_enabled", false, "pause on a declining correlation"),
        .double("btc_price_fallback", 100_000, min: 0.01, max: 1_000_000_000, "BTC/USD while no BTC price is known"),
        .string("btc_price_symbols", "BTC/USDT,BTC/USD", "pairs whose first positive price is BTC/USD"),
        .bool("use_hedge_ratio", false, "declared by the reference, unused (W15)"),
        .int("hedge_ratio_lookback", 50, min: 1, max: 100_000, "declared by the reference, unused (W15)"),
        .bool("use_fee_profitability_check", false, "refuse entries whose take profit does not cover two fees plus the edge (off: resolution 35)"),
        .double("estimated_fee_rate", 0.0026, min: 0, max: 0.1, "fee per side assumed by the fee check"),
        .double("min_net_profit_pct", 0.10, min: -100, max: 100, "take_profit_pct − round-trip fee % must reach this"),
        .double("rebalance_threshold", 0.3, min: 0, max: 100, "declared by the reference, unused (W15)"),
        // [OPT]s (reference behaviour by default).
        .string("correlation_series", "reference", "reference: ratio closes against BTC/USD sampled per tick; candles: XRP/USD and BTC/USD 1m returns on the same minutes (W4)"),
        .bool("full_exits", false, "the decay and mean-reversion exits close the whole position, not half (W7)"),
        .bool("zscore_on_close", false, "z-score of the last closed candle instead of the live price (W8)"),
        .bool("count_silent_declines", false, "count insufficient_candles while the bands are not ready (W9)"),
        .bool("single_rejection_reason", false, "a filtered entry counts one reason, not also no_signal_conditions (W11)"),
        .bool("tick_price_fallback", true, "without candles, the live price is sampled per tick into the history (W12)"),
        .bool("pause_on_zero_correlation", false, "a correlation of exactly 0 pauses too (W17)"),
    ]

    static let pair = Symbol("XRP/BTC")!

    let lookback, minCandles, volLookback, maxLosses, breakerMinutes, rsiPeriod, trendLookback: Int
    let correlationLookback, correlationTrendLookback: Int
    let bandStd, entry, exit, size, maxPosition, minTrade, stopLoss, takeProfit, cooldown: Double
    let regimeLow, regimeMedium, regimeHigh, maxSpread, minProfitabilityMult, flowThreshold, rsiOversold, rsiOverbought: Double
    let trendStrength, trailingActivation, trailingDistance, decayMinutes: Double
    let correlationWarn, correlationPause, correlationTrendThreshold, correlationTrendLevel, btcFallback, feeRate, minNetProfit: Double
    let useRegimes, extremePause, useBreaker, useSpread, useFlow, useRSI, useTrend, useTrailing, useDecay, trackRejections: Bool
    let useCorrelation, correlationPauseEnabled, useCorrelationTrend, correlationTrendPause, useFeeCheck: Bool
    let fullExits, zOnClose, countSilent, singleReason, tickFallback, pauseOnZero: Bool
    let correlationSeries: CorrelationSeries
    let btcSymbols: [Symbol]

    init(_ p: StrategyParameters) throws {
        func fail(_ key: String, _ why: String) -> ParameterError { ParameterError(strategy: "ratio_trading", key: key, message: why) }
        lookback = p.int("lookback_periods"); minCandles = p.int("min_candles"); volLookback = p.int("volatility_lookback")
        maxLosses = p.int("max_consecutive_losses"); breakerMinutes = p.int("circuit_breaker_minutes"); rsiPeriod = p.int("rsi_period")
        trendLookback = p.int("trend_lookback"); correlationLookback = p.int("correlation_lookback")
        correlationTrendLookback = p.int("correlation_trend_lookback")
        bandStd = p.bool("use_crypto_bollinger_std") ? p.double("bollinger_std_crypto") : p.double("bollinger_std")
        entry = p.double("entry_threshold"); exit = p.double("exit_threshold"); size = p.double("position_size_usd")
        maxPosition = p.double("max_position_usd"); minTrade = p.double("min_trade_size_usd"); stopLoss = p.double("stop_loss_pct")
        takeProfit = p.double("take_profit_pct"); cooldown = p.double("cooldown_seconds")
        regimeLow = p.double("regime_low_threshold"); regimeMedium = p.double("regime_medium_threshold"); regimeHigh = p.double("regime_high_threshold")
        maxSpread = p.double("max_spread_pct"); minProfitabilityMult = p.double("min_profitability_mult")
        flowThreshold = p.double("trade_flow_threshold"); rsiOversold = p.double("rsi_oversold"); rsiOverbought = p.double("rsi_overbought")
        trendStrength = p.double("trend_strength_threshold"); trailingActivation = p.double("trailing_activation_pct")
        trailingDistance = p.double("trailing_distance_pct"); decayMinutes = p.double("position_decay_minutes")
        correlationWarn = p.double("correlation_warning_threshold"); correlationPause = p.double("correlation_pause_threshold")
        correlationTrendThreshold = p.double("correlation_trend_threshold"); correlationTrendLevel = p.double("correlation_trend_level")
        btcFallback = p.double("btc_price_fallback"); feeRate = p.double("estimated_fee_rate"); minNetProfit = p.double("min_net_profit_pct")
        useRegimes = p.bool("use_volatility_regimes"); extremePause = p.bool("regime_extreme_pause"); useBreaker = p.bool("use_circuit_breaker")
        useSpread = p.bool("use_spread_filter"); useFlow = p.bool("use_trade_flow_confirmation"); useRSI = p.bool("use_rsi_confirmation")
        useTrend = p.bool("use_trend_filter"); useTrailing = p.bool("use_trailing_stop"); useDecay = p.bool("use_position_decay")
        trackRejections = p.bool("track_rejections"); useCorrelation = p.bool("use_correlation_monitoring")
        correlationPauseEnabled = p.bool("correlation_pause_enabled"); useCorrelationTrend = p.bool("use_correlation_trend_detection")
        correlationTrendPause = p.bool("correlation_trend_pause_enabled"); useFeeCheck = p.bool("use_fee_profitability_check")
        fullExits = p.bool("full_exits"); zOnClose = p.bool("zscore_on_close"); countSilent = p.bool("count_silent_declines")
        singleReason = p.bool("single_rejection_reason"); tickFallback = p.bool("tick_price_fallback")
        pauseOnZero = p.bool("pause_on_zero_correlation")
        guard let series = CorrelationSeries(rawValue: p.string("correlation_series")) else {
            throw fail("correlation_series", "must be reference or candles (got '\(p.string("correlation_series"))')")
        }
        correlationSeries = series
        var btc: [Symbol] = []
        for part in p.string("btc_price_symbols").split(separator: ",") {
            let text = part.filter { $0 != " " }
            guard let s = Symbol(String(text)), s.base == "BTC" else { throw fail("btc_price_symbols", "'\(text)' is not a BTC pair (e.g. BTC/USDT)") }
            btc.append(s)
        }
        guard !btc.isEmpty else { throw fail("btc_price_symbols", "needs at least one BTC pair") }
        btcSymbols = btc
        guard regimeLow < regimeMedium, regimeMedium < regimeHigh else {
            throw fail("regime_low_threshold", "regime thresholds must increase: low \(regimeLow) < medium \(regimeMedium) < high \(regimeHigh)")
        }
    }

    /// The reference's start-up checks (§4 "Validation") as warnings, plus W1, W4 and W15.
    static func warnings(_ c: RatioTradingConfig, _ p: StrategyParameters) -> [String] {
        var w: [String] = []
        if !(0.5...3.0).contains(c.entry) { w.append("entry_threshold \(c.entry) is outside [0.5, 3.0]") }
        if !(0.1...2.0).contains(c.exit) { w.append("exit_threshold \(c.exit) is outside [0.1, 2.0]") }
        if c.exit >= c.entry { w.append("exit_threshold \(c.exit) is not below entry_threshold \(c.entry)") }
        if c.takeProfit / c.stopLoss < 1 { w.append("take_profit_pct / stop_loss_pct = \(c.takeProfit / c.stopLoss) is below 1") }
        if c.maxSpread > 0.5 * c.takeProfit { w.append("max_spread_pct \(c.maxSpread) is above half of take_profit_pct \(c.takeProfit)") }
        // W1: with the reference's values the fee check refuses every entry.
        let net = c.takeProfit - 2 * c.feeRate * 100
        if c.useFeeCheck && net < c.minNetProfit {
            w.append("the fee check refuses every entry: take_profit_pct \(c.takeProfit) − 2 × \(c.feeRate * 100)% = \(RatioTradingStrategy.text(net))% < min_net_profit_pct \(c.minNetProfit); raise take_profit_pct to at least \(RatioTradingStrategy.text(2 * c.feeRate * 100 + c.minNetProfit)) or turn use_fee_profitability_check off")
        }
        if c.useCorrelation && c.correlationSeries == .reference {
            w.append("correlation_series reference correlates 1m ratio closes with BTC prices sampled per tick (different time spans, W4); correlation_series: candles compares XRP/USD and BTC/USD on the same minutes")
        }
        for key in ["position_decay_tp_mult", "use_hedge_ratio", "hedge_ratio_lookback", "rebalance_threshold"] where p.isUserSet(key) {
            w.append("\(key) has no effect (declared by the reference, never read)")
        }
        return w
    }
}
