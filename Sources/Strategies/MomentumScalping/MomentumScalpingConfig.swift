import TradingCore

/// `momentum_scalping` parameters (momentum_scalping.md §3), typed once at start; the EMA and RSI periods, size,
/// target, stop and volume threshold are per pair with the reference's table built in (§2, resolution 32).
struct MomentumScalpingConfig {
    static let specs: [ParameterSpec] = [
        .int("ema_fast_period", 8, min: 1, max: 1000, "fast EMA of 1m closes").perPair(),
        .int("ema_slow_period", 21, min: 1, max: 1000, "slow EMA of 1m closes").perPair(),
        .int("ema_filter_period", 50, min: 1, max: 1000, "trend-filter EMA of 1m closes (the global value is also in the warm-up)").perPair(),
        .int("rsi_period", 7, min: 1, max: 1000, "RSI period (the global value only sizes the warm-up; pairs use 8/9)").perPair(),
        .double("rsi_overbought", 70, min: 0, max: 100, "RSI overbought"),
        .double("rsi_oversold", 30, min: 0, max: 100, "RSI oversold"),
        .int("macd_fast", 6, min: 1, max: 1000, "MACD fast EMA"),
        .int("macd_slow", 13, min: 2, max: 1000, "MACD slow EMA"),
        .int("macd_signal", 5, min: 1, max: 1000, "MACD signal EMA"),
        .int("volume_lookback", 20, min: 1, max: 10_000, "1m candles in the volume mean (the last included)"),
        .double("volume_spike_threshold", 1.5, min: 0, max: 100, "volume ratio an entry needs").perPair(),
        .bool("require_volume_confirmation", true, "entries need the volume ratio"),
        .double("position_size_usd", 25, min: 0.01, max: 1_000_000_000, "USD notional per entry").perPair(),
        .double("max_position_usd", 75, min: 0, max: 1_000_000_000, "cap on all open notional"),
        .double("max_position_per_symbol_usd", 50, min: 0, max: 1_000_000_000, "cap per pair"),
        .double("min_trade_size_usd", 5, min: 0, max: 1_000_000_000, "smallest entry"),
        .double("take_profit_pct", 0.8, min: 0.001, max: 100, "target, %").perPair(),
        .double("stop_loss_pct", 0.4, min: 0.001, max: 100, "stop, %").perPair(),
        .double("max_hold_seconds", 180, min: 1, max: 31_536_000, "time exit (strictly older)"),
        .double("cooldown_seconds", 30, min: 0, max: 31_536_000, "between any two signals, all pairs (entries only: exits pass it)"),
        .int("volatility_lookback", 20, min: 2, max: 1000, "1m returns in the volatility"),
        .bool("use_volatility_regimes", true, "classify 1m volatility"),
        .double("regime_low_threshold", 0.2, min: 0, max: 100, "LOW below this volatility %"),
        .double("regime_medium_threshold", 0.6, min: 0, max: 100, "MEDIUM below this"),
        .double("regime_high_threshold", 1.2, min: 0, max: 100, "HIGH below this, EXTREME above"),
        .double("regime_extreme_reduce_size", 0.5, min: 0, max: 10, "size in EXTREME when not paused"),
        .bool("regime_extreme_pause", true, "no entries in EXTREME"),
        .bool("use_session_awareness", true, "UTC session size multipliers"),
        .double("session_asia_size_mult", 0.8, min: 0, max: 10, "ASIA [00,08) size multiplier"),
        .double("session_europe_size_mult", 1.0, min: 0, max: 10, "EUROPE [08,14) size multiplier"),
        .double("session_overlap_size_mult", 1.1, min: 0, max: 10, "US_EUROPE_OVERLAP [14,17) size multiplier"),
        .double("session_us_size_mult", 1.0, min: 0, max: 10, "US [17,21) size multiplier"),
        .double("session_off_hours_size_mult", 0.5, min: 0, max: 10, "OFF_HOURS [21,24) size multiplier"),
        .bool("use_circuit_breaker", true, "pause entries after consecutive losing fills"),
        .int("max_consecutive_losses", 3, min: 1, max: 1000, "losing fills that trip the breaker"),
        .int("circuit_breaker_minutes", 10, min: 1, max: 525_600, "breaker duration"),
        .bool("use_correlation_management", true, "exposure caps across pairs"),
        .double("max_total_long_exposure", 100, min: 0, max: 1_000_000_000, "other pairs' longs + the new long"),
        .double("max_total_short_exposure", 100, min: 0, max: 1_000_000_000, "other pairs' shorts + the new short"),
        .double("same_direction_size_mult", 0.75, min: 0, max: 10, "size factor when another pair holds the same side"),
        .double("fee_rate", 0.001, min: 0, max: 1, "fee per side assumed by the fee check"),
        .double("min_profit_after_fees_pct", 0.1, min: -100, max: 100, "take profit − round-trip fees must reach this"),
        .bool("use_fee_check", true, "refuse entries whose target does not cover the fees"),
        .bool("track_rejections", true, "count rejection reasons"),
        .bool("use_5m_trend_filter", true, "price on the right side of the 5m EMA (when the pair has 5m candles)"),
        .bool("require_ema_alignment", true, "the 1m EMA ribbon must agree"),
        .int("5m_ema_period", 50, min: 1, max: 1000, "5m EMA of the trend filter"),
        .bool("use_correlation_monitoring", true, "XRP–BTC correlation of 5m returns"),
        .int("correlation_lookback", 100, min: 2, max: 1000, "5m returns in the correlation"),
        .double("correlation_warn_threshold", 0.6, min: -1, max: 1, "warn once below"),
        .double("correlation_pause_threshold", 0.6, min: -1, max: 1, "pause XRP/BTC entries below"),
        .bool("correlation_pause_enabled", true, "pause XRP/BTC on a weak correlation"),
        .bool("pause_on_unknown_correlation", false, "[OPT MS-W3] pause XRP/BTC entries while the correlation cannot be computed"),
        .bool("use_adx_filter", true, "no entries in a strong 1m ADX trend"),
        .int("adx_period", 14, min: 2, max: 500, "ADX period"),
        .double("adx_strong_trend_threshold", 30, min: 0, max: 100, "ADX above this blocks"),
        .bool("adx_filter_btc_only", true, "the ADX filter on BTC/USDT only"),
        .double("regime_high_rsi_overbought", 75, min: 0, max: 100, "entry RSI overbought in HIGH/EXTREME"),
        .double("regime_high_rsi_oversold", 25, min: 0, max: 100, "entry RSI oversold in HIGH/EXTREME"),
        .bool("use_trailing_stop", true, "ATR trailing stop (MS-W2: extremes tracked every tick)"),
        .double("trail_atr_mult", 1.5, min: 0, max: 100, "trail distance in ATRs"),
        .double("trail_activation_pct", 0.4, min: 0, max: 100, "profit % that arms the trail"),
        .bool("use_trade_flow_confirmation", true, "the tape's size-weighted imbalance must agree"),
        .double("trade_imbalance_threshold", 0.1, min: 0, max: 1, "imbalance an entry needs its way"),
        .bool("exit_breakeven_on_momentum_exhaustion", false, "momentum exhaustion also exits near breakeven"),
        .double("breakeven_tolerance_pct", 0.1, min: 0, max: 100, "how far below breakeven that exit may be"),
        .double("pnl_tolerance_pct", 0, min: 0, max: 0.01, "[OPT MS-W12] slack on the exit thresholds (1e-9 makes an exact 0.8 % count as 0.8 %)"),
        .bool("candle_based_prev_rsi", false, "[OPT MS-W8] the previous RSI is the previous candle's, not the previous evaluation's"),
    ]

    static let symbolDefaults: [Symbol: [String: String]] = [
        Symbol("XRP/USDT")!: ["rsi_period": "8", "position_size_usd": "25", "take_profit_pct": "0.8", "stop_loss_pct": "0.4", "volume_spike_threshold": "1.5"],
        Symbol("BTC/USDT")!: ["rsi_period": "9", "position_size_usd": "50", "take_profit_pct": "0.6", "stop_loss_pct": "0.3", "volume_spike_threshold": "1.8"],
        Symbol("XRP/BTC")!: ["rsi_period": "9", "position_size_usd": "15", "take_profit_pct": "1.2", "stop_loss_pct": "0.6", "volume_spike_threshold": "2.0"],
    ]

    let macdFast, macdSlow, macdSignal, volumeLookback, volLookback, maxLosses, breakerMinutes, ema5Period, correlationLookback, adxPeriod: Int
    let warmupCandles: Int
    let rsiOverbought, rsiOversold, maxPosition, maxPerSymbol, minTrade, maxHold, cooldown: Double
    let regimeLow, regimeMedium, regimeHigh, extremeSize, maxLong, maxShort, sameDirectionMult, feeRate, minProfitAfterFees: Double
    let pnlTolerance: Double
    let correlationWarn, correlationPause, adxThreshold, highOverbought, highOversold, trailMult, trailActivation, flowThreshold, breakevenTolerance: Double
    let requireVolume, useRegimes, extremePause, useSessions, useBreaker, useExposure, useFeeCheck, trackRejections, use5m, requireAlignment: Bool
    let useCorrelation, correlationPauseEnabled, pauseOnUnknown, useADX, adxBTCOnly, useTrailing, useFlow, breakevenExit, candlePrevRSI: Bool
    let sessions = TimeOfDaySessions.reference
    var caps: PositionCaps {
        PositionCaps(maxTotal: maxPosition, maxPerSymbol: maxPerSymbol, minTrade: minTrade, useExposure: useExposure,
                     maxLong: maxLong, maxShort: maxShort, sameSideMult: sameDirectionMult)
    }
    let sessionSizeMult: [String: Double]
    // Per pair.
    let emaFast, emaSlow, emaFilter, rsiPeriod: [Int]
    let size, takeProfit, stopLoss, volumeThreshold: [Double]
    let warnings: [String]

    init(_ p: StrategyParameters, symbols: [Symbol]) {
        macdFast = p.int("macd_fast"); macdSlow = p.int("macd_slow"); macdSignal = p.int("macd_signal")
        volumeLookback = p.int("volume_lookback"); volLookback = p.int("volatility_lookback")
        maxLosses = p.int("max_consecutive_losses"); breakerMinutes = p.int("circuit_breaker_minutes")
        ema5Period = p.int("5m_ema_period"); correlationLookback = p.int("correlation_lookback"); adxPeriod = p.int("adx_period")
        // §4: max(ema_filter_period + 1, rsi_period + 2) on the global values (51 by default).
        warmupCandles = max(p.int("ema_filter_period") + 1, p.int("rsi_period") + 2)
        rsiOverbought = p.double("rsi_overbought"); rsiOversold = p.double("rsi_oversold")
        maxPosition = p.double("max_position_usd"); maxPerSymbol = p.double("max_position_per_symbol_usd"); minTrade = p.double("min_trade_size_usd")
        maxHold = p.double("max_hold_seconds"); cooldown = p.double("cooldown_seconds")
        regimeLow = p.double("regime_low_threshold"); regimeMedium = p.double("regime_medium_threshold"); regimeHigh = p.double("regime_high_threshold")
        extremeSize = p.double("regime_extreme_reduce_size")
        maxLong = p.double("max_total_long_exposure"); maxShort = p.double("max_total_short_exposure")
        sameDirectionMult = p.double("same_direction_size_mult"); feeRate = p.double("fee_rate"); minProfitAfterFees = p.double("min_profit_after_fees_pct")
        correlationWarn = p.double("correlation_warn_threshold"); correlationPause = p.double("correlation_pause_threshold")
        adxThreshold = p.double("adx_strong_trend_threshold"); pnlTolerance = p.double("pnl_tolerance_pct")
        highOverbought = p.double("regime_high_rsi_overbought"); highOversold = p.double("regime_high_rsi_oversold")
        trailMult = p.double("trail_atr_mult"); trailActivation = p.double("trail_activation_pct")
        flowThreshold = p.double("trade_imbalance_threshold"); breakevenTolerance = p.double("breakeven_tolerance_pct")
        requireVolume = p.bool("require_volume_confirmation"); useRegimes = p.bool("use_volatility_regimes")
        extremePause = p.bool("regime_extreme_pause"); useSessions = p.bool("use_session_awareness"); useBreaker = p.bool("use_circuit_breaker")
        useExposure = p.bool("use_correlation_management"); useFeeCheck = p.bool("use_fee_check"); trackRejections = p.bool("track_rejections")
        use5m = p.bool("use_5m_trend_filter"); requireAlignment = p.bool("require_ema_alignment")
        useCorrelation = p.bool("use_correlation_monitoring"); correlationPauseEnabled = p.bool("correlation_pause_enabled")
        pauseOnUnknown = p.bool("pause_on_unknown_correlation"); useADX = p.bool("use_adx_filter"); adxBTCOnly = p.bool("adx_filter_btc_only")
        useTrailing = p.bool("use_trailing_stop"); useFlow = p.bool("use_trade_flow_confirmation")
        breakevenExit = p.bool("exit_breakeven_on_momentum_exhaustion"); candlePrevRSI = p.bool("candle_based_prev_rsi")
        sessionSizeMult = ["ASIA": p.double("session_asia_size_mult"), "EUROPE": p.double("session_europe_size_mult"),
                           "US_EUROPE_OVERLAP": p.double("session_overlap_size_mult"), "US": p.double("session_us_size_mult"),
                           "OFF_HOURS": p.double("session_off_hours_size_mult")]
        emaFast = symbols.map { p.int("ema_fast_period", for: $0) }
        emaSlow = symbols.map { p.int("ema_slow_period", for: $0) }
        emaFilter = symbols.map { p.int("ema_filter_period", for: $0) }
        rsiPeriod = symbols.map { p.int("rsi_period", for: $0) }
        size = symbols.map { p.double("position_size_usd", for: $0) }
        takeProfit = symbols.map { p.double("take_profit_pct", for: $0) }
        stopLoss = symbols.map { p.double("stop_loss_pct", for: $0) }
        volumeThreshold = symbols.map { p.double("volume_spike_threshold", for: $0) }

        // §3.1: warnings only, never blocking.
        var w: [String] = []
        if !(rsiOverbought > 50 && rsiOverbought <= 100) { w.append("rsi_overbought \(rsiOverbought) is outside (50, 100]") }
        if !(rsiOversold >= 0 && rsiOversold < 50) { w.append("rsi_oversold \(rsiOversold) is outside [0, 50)") }
        if macdFast >= macdSlow { w.append("macd_fast \(macdFast) is not below macd_slow \(macdSlow)") }
        if feeRate > 0.01 { w.append("fee_rate \(feeRate) is outside [0, 0.01]") }
        if !(30...600).contains(maxHold) { w.append("max_hold_seconds \(maxHold) is outside [30, 600]") }
        if correlationPause > correlationWarn { w.append("correlation_pause_threshold \(correlationPause) is above correlation_warn_threshold \(correlationWarn)") }
        if !(10...50).contains(adxThreshold) { w.append("adx_strong_trend_threshold \(adxThreshold) is outside [10, 50]") }
        if highOverbought < rsiOverbought || highOversold > rsiOversold { w.append("the HIGH-regime RSI bands are narrower than the normal ones") }
        for (i, s) in symbols.enumerated() {
            if emaFast[i] >= emaSlow[i] { w.append("\(s): ema_fast_period \(emaFast[i]) is not below ema_slow_period \(emaSlow[i])") }
            if emaSlow[i] >= emaFilter[i] { w.append("\(s): ema_slow_period \(emaSlow[i]) is not below ema_filter_period \(emaFilter[i])") }
            let rr = takeProfit[i] / stopLoss[i]
            if rr < 1 { w.append("\(s): Warning: reward:risk \(rr) < 1") } else if rr < 1.5 { w.append("\(s): Info: reward:risk \(rr) < 1.5") }
            if !(1...5).contains(volumeThreshold[i]) { w.append("\(s): volume_spike_threshold \(volumeThreshold[i]) is outside [1, 5]") }
        }
        w += p.shadowedOverrideWarnings(strategy: "momentum_scalping", symbols: symbols)
        warnings = w
    }
}
