import TradingCore

/// Mean reversion's parameters (mean_reversion.md §4, code 4.3.0), read once at init. The per-pair ones are arrays in
/// the order of the session's symbols.
struct MeanReversionConfig {
    static let specs: [ParameterSpec] = [
        .int("lookback_candles", 20, min: 2, max: 1000, "SMA period on 5m closes; also the 5m warm-up"),
        .double("deviation_threshold", 0.5, min: 0.001, max: 100, "% distance from the SMA needed to enter").perPair(),
        .int("bb_period", 20, min: 2, max: 1000, "Bollinger period (5m closes)"),
        .double("bb_std_dev", 2.0, min: 0.1, max: 10, "Bollinger width in population standard deviations"),
        .int("rsi_period", 14, min: 2, max: 500, "Wilder RSI period on 5m closes"),
        .double("position_size_usd", 20, min: 0.01, max: 1_000_000_000, "USD notional per entry").perPair(),
        .double("max_position", 50, min: 0.01, max: 1_000_000_000, "USD exposure cap per symbol, each side").perPair(),
        .double("min_trade_size_usd", 5, min: 0, max: 1_000_000_000, "smallest order emitted"),
        .double("rsi_oversold", 35, min: 0, max: 100, "RSI below this is oversold").perPair(),
        .double("rsi_overbought", 65, min: 0, max: 100, "RSI above this is overbought").perPair(),
        .double("take_profit_pct", 0.5, min: 0.001, max: 100, "take-profit distance, % of entry").perPair(),
        .double("stop_loss_pct", 0.5, min: 0.001, max: 100, "stop-loss distance, % of entry").perPair(),
        .double("cooldown_seconds", 10, min: 0, max: 31_536_000, "minimum time between signals (global; per pair with per_symbol_cooldown)").perPair(),
        .bool("per_symbol_cooldown", false, "[OPT W2] one cooldown per pair, from the pair's own value"),
        .bool("use_volatility_regimes", true, "classify 1m volatility and scale thresholds and sizes"),
        .double("base_volatility_pct", 0.5, min: 0, max: 100, "declared by the reference, unused"),
        .int("volatility_lookback", 20, min: 2, max: 1000, "1m returns in the volatility window"),
        .double("regime_low_threshold", 0.3, min: 0, max: 100, "volatility % below this is LOW"),
        .double("regime_medium_threshold", 0.8, min: 0, max: 100, "volatility % below this is MEDIUM"),
        .double("regime_high_threshold", 1.5, min: 0, max: 100, "volatility % below this is HIGH, else EXTREME"),
        .bool("regime_extreme_pause", true, "no entries in the EXTREME regime"),
        .string("insufficient_volatility_regime", "low", "[OPT W7] regime while 1m volatility is not ready: low (reference) or medium"),
        .bool("use_circuit_breaker", true, "pause entries after consecutive losses"),
        .int("max_consecutive_losses", 3, min: 1, max: 1000, "losses that trip the breaker"),
        .int("circuit_breaker_minutes", 15, min: 1, max: 525_600, "breaker duration"),
        .bool("use_trade_flow_confirmation", true, "band entries need tape imbalance their way"),
        .double("trade_flow_threshold", 0.10, min: 0, max: 1, "minimum |imbalance| in the signal's direction"),
        .int("vwap_lookback", 50, min: 1, max: 100_000, "trades in the VWAP"),
        .double("vwap_deviation_threshold", 0.3, min: 0, max: 100, "% below the VWAP for the VWAP entry"),
        .double("vwap_size_multiplier", 0.5, min: 0, max: 10, "VWAP entry size = band entry size × this"),
        .bool("use_trend_filter", true, "no new entries in a confirmed trend"),
        .int("trend_sma_period", 50, min: 2, max: 1000, "5m candles in the regression slope"),
        .double("trend_slope_threshold", 0.05, min: 0, max: 100, "|slope| % per candle above which the market trends"),
        .int("trend_confirmation_periods", 3, min: 1, max: 1000, "consecutive trending readings that confirm a trend"),
        .bool("trend_confirm_per_candle", false, "[OPT W6] count trend confirmations per closed 5m candle, not per tick"),
        .bool("use_trailing_stop", false, "strategy-side trailing stop exits"),
        .double("trailing_activation_pct", 0.4, min: 0, max: 100, "profit % from the best price that arms the trail"),
        .double("trailing_distance_pct", 0.3, min: 0, max: 100, "trail distance %"),
        .bool("use_position_decay", true, "take profit earlier as a position ages"),
        .double("decay_start_minutes", 15, min: 0, max: 525_600, "age at which decay stages begin"),
        .double("decay_interval_minutes", 5, min: 0.01, max: 525_600, "length of each decay stage"),
        .string("decay_multipliers", "1.0,0.85,0.7,0.5", "take-profit multiplier per stage, comma-separated (the last sticks)"),
        .bool("use_correlation_monitoring", true, "watch the XRP–BTC correlation while evaluating XRP/BTC"),
        .int("correlation_lookback", 50, min: 2, max: 1000, "5m returns in the correlation window"),
        .double("correlation_warn_threshold", 0.55, min: -1, max: 1, "below: a one-time warning"),
        .double("correlation_pause_threshold", 0.5, min: -1, max: 1, "below: XRP/BTC paused"),
        .bool("correlation_pause_enabled", true, "pause XRP/BTC on low correlation"),
        .bool("pause_on_unknown_correlation", false, "[OPT W10] pause XRP/BTC while the correlation cannot be computed"),
        .bool("check_fee_profitability", true, "refuse entries whose take profit does not cover the fees"),
        .double("estimated_fee_rate", 0.001, min: 0, max: 0.1, "fee per side, fraction"),
        .double("min_net_profit_pct", 0.05, min: -100, max: 100, "required take-profit % minus round-trip fee %"),
        .bool("track_rejections", true, "count rejection reasons"),
        .bool("block_adds_in_trend", false, "[OPT W6] a confirmed trend also blocks adding to a position, not only entries from flat"),
        .bool("fee_check_costs", false, "[OPT W11] the fee check also counts the book's spread and estimated_slippage_pct on each side"),
        .double("estimated_slippage_pct", 0.05, min: 0, max: 10, "slippage per side assumed by fee_check_costs, %"),
        .bool("vwap_entry_checks", false, "[OPT W12] the VWAP entry needs the tape's confirmation and a VWAP target beyond the round-trip fees"),
        .bool("vwap_short_entries", false, "[OPT W12] the VWAP rule also shorts well above the VWAP"),
        .bool("count_silent_declines", false, "[OPT W18] count insufficient_candles when the SMA or a band is missing (the reference says nothing)"),
        .bool("single_rejection_reason", false, "[OPT W9] one reason per symbol per tick (no extra no_signal_conditions)"),
        .bool("use_adx_filter", true, "no entries from flat in a strong ADX trend"),
        .int("adx_period", 14, min: 2, max: 500, "ADX period (needs 2 × period 5m candles)"),
        .double("adx_strong_trend_threshold", 25, min: 0, max: 100, "ADX above this is a strong trend"),
        .bool("adx_filter_all_symbols", false, "apply the ADX filter to every pair, not only BTC/USDT"),
    ]

    /// The reference's built-in table (§3); below the user's per-pair values, above every global one (resolution 32).
    static let symbolDefaults: [Symbol: [String: String]] = [
        Symbol("XRP/USDT")!: ["deviation_threshold": "0.5", "rsi_oversold": "35", "rsi_overbought": "65", "position_size_usd": "20",
                              "max_position": "50", "take_profit_pct": "0.5", "stop_loss_pct": "0.5", "cooldown_seconds": "10"],
        Symbol("BTC/USDT")!: ["deviation_threshold": "0.3", "rsi_oversold": "30", "rsi_overbought": "70", "position_size_usd": "25",
                              "max_position": "75", "take_profit_pct": "0.4", "stop_loss_pct": "0.4", "cooldown_seconds": "5"],
        Symbol("XRP/BTC")!: ["deviation_threshold": "1.0", "rsi_oversold": "35", "rsi_overbought": "65", "position_size_usd": "15",
                             "max_position": "40", "take_profit_pct": "0.8", "stop_loss_pct": "0.8", "cooldown_seconds": "20"],
    ]

    let lookback, bbPeriod, rsiPeriod, volLookback, trendPeriod, trendConfirmations, vwapLookback, correlationLookback, adxPeriod: Int
    let bbStdDev, minTrade, regimeLow, regimeMedium, regimeHigh, tradeFlowThreshold, vwapDeviation, vwapSizeMultiplier: Double
    let trendSlopeThreshold, trailingActivation, trailingDistance, decayStart, decayInterval: Double
    let correlationWarn, correlationPause, feeRate, minNetProfit, adxThreshold: Double
    let decayMultipliers: [Double]
    let useRegimes, extremePause, insufficientIsMedium, useBreaker, useTradeFlow, useTrend, trendPerCandle, useTrailing, useDecay: Bool
    let useCorrelation, correlationPauseEnabled, pauseOnUnknownCorrelation, checkFees, trackRejections, singleReason: Bool
    let useADX, adxAllSymbols, perSymbolCooldown: Bool
    let blockAddsInTrend, feeCheckCosts, vwapChecks, vwapShorts, countSilent: Bool
    let slippagePct: Double
    let maxLosses, breakerMinutes: Int
    let globalCooldown: Double
    // Per pair.
    let deviation, rsiOversold, rsiOverbought, size, maxPosition, takeProfit, stopLoss, cooldown: [Double]

    init(_ p: StrategyParameters, symbols: [Symbol]) throws {
        func fail(_ key: String, _ why: String) -> ParameterError { ParameterError(strategy: "mean_reversion", key: key, message: why) }
        lookback = p.int("lookback_candles"); bbPeriod = p.int("bb_period"); rsiPeriod = p.int("rsi_period")
        volLookback = p.int("volatility_lookback"); trendPeriod = p.int("trend_sma_period")
        trendConfirmations = p.int("trend_confirmation_periods"); vwapLookback = p.int("vwap_lookback")
        correlationLookback = p.int("correlation_lookback"); adxPeriod = p.int("adx_period")
        bbStdDev = p.double("bb_std_dev"); minTrade = p.double("min_trade_size_usd")
        regimeLow = p.double("regime_low_threshold"); regimeMedium = p.double("regime_medium_threshold"); regimeHigh = p.double("regime_high_threshold")
        tradeFlowThreshold = p.double("trade_flow_threshold"); vwapDeviation = p.double("vwap_deviation_threshold")
        vwapSizeMultiplier = p.double("vwap_size_multiplier"); trendSlopeThreshold = p.double("trend_slope_threshold")
        trailingActivation = p.double("trailing_activation_pct"); trailingDistance = p.double("trailing_distance_pct")
        decayStart = p.double("decay_start_minutes"); decayInterval = p.double("decay_interval_minutes")
        correlationWarn = p.double("correlation_warn_threshold"); correlationPause = p.double("correlation_pause_threshold")
        feeRate = p.double("estimated_fee_rate"); minNetProfit = p.double("min_net_profit_pct"); adxThreshold = p.double("adx_strong_trend_threshold")
        let mults = p.string("decay_multipliers").split(separator: ",").map { Double(String($0.filter { $0 != " " })) }
        guard !mults.isEmpty, mults.allSatisfy({ $0 != nil && $0! > 0 && $0!.isFinite }) else {
            throw fail("decay_multipliers", "must be a comma-separated list of positive numbers (got '\(p.string("decay_multipliers"))')")
        }
        decayMultipliers = mults.map { $0! }
        let regime = p.string("insufficient_volatility_regime")
        guard regime == "low" || regime == "medium" else { throw fail("insufficient_volatility_regime", "must be low or medium (got '\(regime)')") }
        insufficientIsMedium = regime == "medium"
        useRegimes = p.bool("use_volatility_regimes"); extremePause = p.bool("regime_extreme_pause")
        useBreaker = p.bool("use_circuit_breaker"); useTradeFlow = p.bool("use_trade_flow_confirmation")
        useTrend = p.bool("use_trend_filter"); trendPerCandle = p.bool("trend_confirm_per_candle")
        useTrailing = p.bool("use_trailing_stop"); useDecay = p.bool("use_position_decay")
        useCorrelation = p.bool("use_correlation_monitoring"); correlationPauseEnabled = p.bool("correlation_pause_enabled")
        pauseOnUnknownCorrelation = p.bool("pause_on_unknown_correlation"); checkFees = p.bool("check_fee_profitability")
        trackRejections = p.bool("track_rejections"); singleReason = p.bool("single_rejection_reason")
        blockAddsInTrend = p.bool("block_adds_in_trend"); feeCheckCosts = p.bool("fee_check_costs"); slippagePct = p.double("estimated_slippage_pct")
        vwapChecks = p.bool("vwap_entry_checks"); vwapShorts = p.bool("vwap_short_entries"); countSilent = p.bool("count_silent_declines")
        useADX = p.bool("use_adx_filter"); adxAllSymbols = p.bool("adx_filter_all_symbols"); perSymbolCooldown = p.bool("per_symbol_cooldown")
        maxLosses = p.int("max_consecutive_losses"); breakerMinutes = p.int("circuit_breaker_minutes")
        globalCooldown = p.double("cooldown_seconds")
        deviation = symbols.map { p.double("deviation_threshold", for: $0) }
        rsiOversold = symbols.map { p.double("rsi_oversold", for: $0) }
        rsiOverbought = symbols.map { p.double("rsi_overbought", for: $0) }
        size = symbols.map { p.double("position_size_usd", for: $0) }
        maxPosition = symbols.map { p.double("max_position", for: $0) }
        takeProfit = symbols.map { p.double("take_profit_pct", for: $0) }
        stopLoss = symbols.map { p.double("stop_loss_pct", for: $0) }
        cooldown = symbols.map { p.double("cooldown_seconds", for: $0) }
        // W17: the reference crashed computing RSI when the warm-up was shorter than RSI needs.
        guard lookback >= rsiPeriod + 1 else {
            throw fail("lookback_candles", "must be at least rsi_period + 1 = \(rsiPeriod + 1) (got \(lookback)): RSI could never be computed at the end of the warm-up")
        }
    }

    /// The reference's start-up checks (§4 "Startup validation"), as warnings; never fatal.
    static func warnings(_ c: MeanReversionConfig, _ p: StrategyParameters, symbols: [Symbol]) -> [String] {
        var w: [String] = []
        for (i, s) in symbols.enumerated() {
            if !(0.1...2.0).contains(c.deviation[i]) { w.append("\(s): deviation_threshold \(c.deviation[i]) is outside [0.1, 2.0]") }
            if c.rsiOversold[i] >= c.rsiOverbought[i] { w.append("\(s): rsi_oversold \(c.rsiOversold[i]) is not below rsi_overbought \(c.rsiOverbought[i])") }
            if !(10...50).contains(c.rsiOversold[i]) { w.append("\(s): rsi_oversold \(c.rsiOversold[i]) is outside [10, 50]") }
            if !(50...90).contains(c.rsiOverbought[i]) { w.append("\(s): rsi_overbought \(c.rsiOverbought[i]) is outside [50, 90]") }
            let rr = c.takeProfit[i] / c.stopLoss[i]
            if rr < 1 { w.append("Warning: \(s) reward:risk \(rr) is below 1 (take_profit_pct \(c.takeProfit[i]), stop_loss_pct \(c.stopLoss[i]))") }
            else if rr < 1.5 { w.append("Info: \(s) reward:risk \(rr) is below 1.5") }
        }
        // W1: a global value the built-in per-pair table overrides for some pair has no effect there; say so.
        // The cooldown is one global timer unless per_symbol_cooldown is on (W2): then the global value is the one used,
        // and per-pair values are the ones that do nothing.
        w += p.shadowedOverrideWarnings(strategy: "mean_reversion", symbols: symbols)
            .filter { c.perSymbolCooldown || !$0.hasPrefix("cooldown_seconds ") }
        if !c.perSymbolCooldown {
            let perPair = symbols.filter { p.symbolValues[$0]?["cooldown_seconds"] != nil && !p.isBuiltInPerSymbol("cooldown_seconds", $0) }
            if !perPair.isEmpty {
                w.append("cooldown_seconds set for \(perPair.map(\.text).joined(separator: ", ")) has no effect: the cooldown is global unless per_symbol_cooldown is true")
            }
        }
        return w
    }
}
