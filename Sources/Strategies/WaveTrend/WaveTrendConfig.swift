import TradingCore

/// `wavetrend` parameters (wavetrend.md §3), typed once at start; the zone bounds, size, stop and target are per pair
/// with the reference's table built in (§2, resolution 32: a user's per-pair value > the table > a user's global > the
/// default, fixing WT-W3).
struct WaveTrendConfig {
    static let specs: [ParameterSpec] = [
        .int("wt_channel_length", 10, min: 1, max: 1000, "period of the ESA and D EMAs"),
        .int("wt_average_length", 21, min: 1, max: 1000, "period of the EMA giving WT1"),
        .int("wt_ma_length", 4, min: 1, max: 1000, "SMA period giving WT2 from WT1"),
        .double("wt_overbought", 60, min: -1000, max: 1000, "overbought bound (inclusive)").perPair(),
        .double("wt_oversold", -60, min: -1000, max: 1000, "oversold bound (inclusive)").perPair(),
        .double("wt_extreme_overbought", 80, min: -1000, max: 1000, "extreme overbought bound (inclusive)").perPair(),
        .double("wt_extreme_oversold", -80, min: -1000, max: 1000, "extreme oversold bound (inclusive)").perPair(),
        .bool("require_zone_exit", true, "an entry crossover must be in or come from its zone (the name is the reference's: WT-W5)"),
        .bool("use_divergence", true, "price/WT1 divergence adds confidence"),
        .int("divergence_lookback", 14, min: 1, max: 1000, "candles in each divergence window"),
        .double("position_size_usd", 25, min: 0.01, max: 1_000_000_000, "USD notional per entry").perPair(),
        .double("max_position_usd", 75, min: 0, max: 1_000_000_000, "cap on all open notional"),
        .double("max_position_per_symbol_usd", 50, min: 0, max: 1_000_000_000, "cap per pair"),
        .double("min_trade_size_usd", 5, min: 0, max: 1_000_000_000, "smallest entry"),
        .double("short_size_multiplier", 0.8, min: 0, max: 10, "short entries are this much smaller"),
        .double("stop_loss_pct", 1.5, min: 0.001, max: 100, "stop distance, %").perPair(),
        .double("take_profit_pct", 3.0, min: 0.001, max: 100, "target distance, %").perPair(),
        .double("max_long_confidence", 0.92, min: 0, max: 10, "cap on long confidence"),
        .double("max_short_confidence", 0.88, min: 0, max: 10, "cap on short confidence"),
        .int("min_candle_buffer", 50, min: 1, max: 100_000, "warm-up: candles before any evaluation"),
        .double("cooldown_seconds", 60, min: 0, max: 31_536_000, "between any two signals, all pairs (entries only: exits pass it)"),
        .bool("use_session_awareness", true, "UTC session size multipliers (WT-W6: honoured)"),
        .double("session_asia_size_mult", 0.8, min: 0, max: 10, "ASIA [00,08) size multiplier"),
        .double("session_europe_size_mult", 1.0, min: 0, max: 10, "EUROPE [08,14) size multiplier"),
        .double("session_overlap_size_mult", 1.1, min: 0, max: 10, "US_EUROPE_OVERLAP [14,17) size multiplier"),
        .double("session_us_size_mult", 1.0, min: 0, max: 10, "US [17,21) size multiplier"),
        .double("session_off_hours_size_mult", 0.5, min: 0, max: 10, "OFF_HOURS [21,24) size multiplier"),
        .bool("use_circuit_breaker", true, "pause entries after consecutive losing fills"),
        .int("max_consecutive_losses", 3, min: 1, max: 1000, "losing fills that trip the breaker"),
        .int("circuit_breaker_minutes", 30, min: 1, max: 525_600, "breaker duration"),
        .bool("use_correlation_management", true, "exposure caps across pairs (§9.4)"),
        .double("max_total_long_exposure", 100, min: 0, max: 1_000_000_000, "other pairs' longs + the new long"),
        .double("max_total_short_exposure", 100, min: 0, max: 1_000_000_000, "other pairs' shorts + the new short"),
        .double("same_direction_size_mult", 0.75, min: 0, max: 10, "size factor when another pair holds the same side"),
        .bool("use_real_correlation", true, "rolling return correlation against pairs with positions (§9.3)"),
        .int("correlation_window", 20, min: 2, max: 1000, "returns in the rolling correlation"),
        .double("correlation_block_threshold", 0.85, min: 0, max: 1, "|r| that blocks a same-side entry"),
        .double("fee_rate", 0.001, min: 0, max: 1, "fee per side assumed by the fee check"),
        .double("min_profit_after_fees_pct", 0.1, min: -100, max: 100, "take profit − round-trip fees must reach this"),
        .bool("use_fee_check", true, "refuse entries whose take profit does not cover the fees"),
        .bool("use_trade_flow_confirmation", true, "the tape must not lean against the entry"),
        .double("trade_flow_threshold", 0.10, min: 0, max: 1, "largest opposing imbalance tolerated"),
        .int("trade_flow_lookback", 50, min: 1, max: 100_000, "trades in the flow"),
        .bool("track_rejections", true, "count rejection reasons"),
        .bool("one_entry_per_crossover", false, "[OPT WT-W10] act on a crossover candle once per pair"),
        .bool("warmup_from_indicators", false, "[OPT WT-W9] raise the warm-up to what WaveTrend needs (43 candles by default)"),
    ]

    /// The reference's per-pair table (§2); XRP/BTC's `cooldown_seconds` 120 was never read (WT-W4) and is not kept.
    static let symbolDefaults: [Symbol: [String: String]] = [
        Symbol("XRP/USDT")!: ["wt_overbought": "60", "wt_oversold": "-60", "wt_extreme_overbought": "75", "wt_extreme_oversold": "-75",
                              "position_size_usd": "25", "stop_loss_pct": "1.5", "take_profit_pct": "3.0"],
        Symbol("BTC/USDT")!: ["wt_overbought": "65", "wt_oversold": "-65", "wt_extreme_overbought": "80", "wt_extreme_oversold": "-80",
                              "position_size_usd": "50", "stop_loss_pct": "1.0", "take_profit_pct": "2.0"],
        Symbol("XRP/BTC")!: ["wt_overbought": "55", "wt_oversold": "-55", "wt_extreme_overbought": "70", "wt_extreme_oversold": "-70",
                             "position_size_usd": "15", "stop_loss_pct": "2.0", "take_profit_pct": "4.0"],
    ]

    let channel, average, ma, divergenceLookback, minCandles, maxLosses, breakerMinutes, correlationWindow, flowLookback: Int
    let maxPosition, maxPerSymbol, minTrade, shortMult, maxLongConfidence, maxShortConfidence, cooldown: Double
    let maxLong, maxShort, sameDirectionMult, correlationBlock, feeRate, minProfitAfterFees, flowThreshold: Double
    let requireZone, useDivergence, useSessions, useBreaker, useExposure, useCorrelation, useFeeCheck, useFlow, trackRejections: Bool
    let oncePerCrossover, warmupFromIndicators: Bool
    let sessions = TimeOfDaySessions.reference
    var caps: PositionCaps {
        PositionCaps(maxTotal: maxPosition, maxPerSymbol: maxPerSymbol, minTrade: minTrade, useExposure: useExposure,
                     maxLong: maxLong, maxShort: maxShort, sameSideMult: sameDirectionMult)
    }
    let sessionSizeMult: [String: Double]
    // Per pair.
    let overbought, oversold, extremeOverbought, extremeOversold, size, stopLoss, takeProfit: [Double]
    /// §3.2: messages that disable trading (`BLOCKING:`) and warnings.
    let blocking: [String]
    let warnings: [String]

    init(_ p: StrategyParameters, symbols: [Symbol]) {
        channel = p.int("wt_channel_length"); average = p.int("wt_average_length"); ma = p.int("wt_ma_length")
        divergenceLookback = p.int("divergence_lookback"); minCandles = p.int("min_candle_buffer")
        maxLosses = p.int("max_consecutive_losses"); breakerMinutes = p.int("circuit_breaker_minutes")
        correlationWindow = p.int("correlation_window"); flowLookback = p.int("trade_flow_lookback")
        maxPosition = p.double("max_position_usd"); maxPerSymbol = p.double("max_position_per_symbol_usd"); minTrade = p.double("min_trade_size_usd")
        shortMult = p.double("short_size_multiplier"); maxLongConfidence = p.double("max_long_confidence")
        maxShortConfidence = p.double("max_short_confidence"); cooldown = p.double("cooldown_seconds")
        maxLong = p.double("max_total_long_exposure"); maxShort = p.double("max_total_short_exposure")
        sameDirectionMult = p.double("same_direction_size_mult"); correlationBlock = p.double("correlation_block_threshold")
        feeRate = p.double("fee_rate"); minProfitAfterFees = p.double("min_profit_after_fees_pct"); flowThreshold = p.double("trade_flow_threshold")
        requireZone = p.bool("require_zone_exit"); useDivergence = p.bool("use_divergence"); useSessions = p.bool("use_session_awareness")
        useBreaker = p.bool("use_circuit_breaker"); useExposure = p.bool("use_correlation_management")
        useCorrelation = p.bool("use_real_correlation"); useFeeCheck = p.bool("use_fee_check")
        useFlow = p.bool("use_trade_flow_confirmation"); trackRejections = p.bool("track_rejections")
        oncePerCrossover = p.bool("one_entry_per_crossover"); warmupFromIndicators = p.bool("warmup_from_indicators")
        sessionSizeMult = ["ASIA": p.double("session_asia_size_mult"), "EUROPE": p.double("session_europe_size_mult"),
                           "US_EUROPE_OVERLAP": p.double("session_overlap_size_mult"), "US": p.double("session_us_size_mult"),
                           "OFF_HOURS": p.double("session_off_hours_size_mult")]
        overbought = symbols.map { p.double("wt_overbought", for: $0) }
        oversold = symbols.map { p.double("wt_oversold", for: $0) }
        extremeOverbought = symbols.map { p.double("wt_extreme_overbought", for: $0) }
        extremeOversold = symbols.map { p.double("wt_extreme_oversold", for: $0) }
        size = symbols.map { p.double("position_size_usd", for: $0) }
        stopLoss = symbols.map { p.double("stop_loss_pct", for: $0) }
        takeProfit = symbols.map { p.double("take_profit_pct", for: $0) }

        var block: [String] = [], warn: [String] = []
        // The reference's check on the global values, kept (scenario WT-S20): a global target under the global stop
        // disables the strategy even where pairs have their own.
        let tp = p.double("take_profit_pct"), sl = p.double("stop_loss_pct")
        if tp / sl < 1 { block.append("BLOCKING: take_profit_pct / stop_loss_pct = \(Self.ratio(tp / sl)):1 is below 1:1") }
        for (i, s) in symbols.enumerated() where takeProfit[i] / stopLoss[i] < 1 {
            block.append("BLOCKING: \(s) take_profit_pct / stop_loss_pct = \(Self.ratio(takeProfit[i] / stopLoss[i])):1 is below 1:1")
        }
        if channel < 5 { warn.append("wt_channel_length \(channel) < 5") }
        if average < channel { warn.append("wt_average_length \(average) < wt_channel_length \(channel)") }
        if ma < 2 { warn.append("wt_ma_length \(ma) < 2") }
        for (i, s) in symbols.enumerated() {
            if overbought[i] <= 0 { warn.append("\(s): wt_overbought \(overbought[i]) ≤ 0") }
            if oversold[i] >= 0 { warn.append("\(s): wt_oversold \(oversold[i]) ≥ 0") }
            if extremeOverbought[i] <= overbought[i] { warn.append("\(s): wt_extreme_overbought is not above wt_overbought") }
            if extremeOversold[i] >= oversold[i] { warn.append("\(s): wt_extreme_oversold is not below wt_oversold") }
            if size[i] < minTrade { warn.append("\(s): position_size_usd \(size[i]) < min_trade_size_usd \(minTrade)") }
        }
        if maxPerSymbol > maxPosition { warn.append("max_position_per_symbol_usd \(maxPerSymbol) > max_position_usd \(maxPosition)") }
        if feeRate > 0.01 { warn.append("fee_rate \(feeRate) > 0.01") }
        if maxLongConfidence > 1 { warn.append("max_long_confidence \(maxLongConfidence) > 1") }
        if maxShortConfidence > 1 { warn.append("max_short_confidence \(maxShortConfidence) > 1") }
        let need = max(channel, average, 2 * divergenceLookback) + 10
        if minCandles < need { warn.append("min_candle_buffer \(minCandles) < \(need): WaveTrend needs \(WaveTrendMath.minimumCandles(channel, average, ma)) candles, divergence more") }
        warn += p.shadowedOverrideWarnings(strategy: "wavetrend", symbols: symbols)
        blocking = block
        warnings = block + warn
    }

    static func ratio(_ v: Double) -> String { Price(rounding: v, toDecimals: 2)?.description ?? "\(v)" }
}
