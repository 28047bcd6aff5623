import TradingCore

/// Order flow's parameters (order_flow.md §4, code 5.0.1), read once at init; per-pair ones in `symbols` order.
struct OrderFlowConfig {
    static let specs: [ParameterSpec] = [
        .double("imbalance_threshold", 0.30, min: 0, max: 1, "symmetric imbalance threshold (asymmetric thresholds off)").perPair(),
        .double("buy_imbalance_threshold", 0.30, min: 0, max: 1, "imbalance above which buying pressure counts").perPair(),
        .double("sell_imbalance_threshold", 0.25, min: 0, max: 1, "imbalance below minus this is selling pressure").perPair(),
        .bool("use_asymmetric_thresholds", true, "separate buy and sell thresholds"),
        .double("volume_spike_mult", 2.0, min: 0, max: 1000, "last-5 volume against the window's average").perPair(),
        .int("lookback_trades", 50, min: 20, max: 100_000, "warm-up trade count and base window"),
        .double("position_size_usd", 25, min: 0.01, max: 1_000_000_000, "USD notional per entry").perPair(),
        .double("max_position_usd", 100, min: 0.01, max: 1_000_000_000, "cap on total exposure, all pairs"),
        .double("max_position_per_symbol_usd", 75, min: 0.01, max: 1_000_000_000, "cap per pair"),
        .double("min_trade_size_usd", 5, min: 0, max: 1_000_000_000, "smallest order emitted"),
        .double("take_profit_pct", 1.0, min: 0.001, max: 100, "take-profit distance, % of entry").perPair(),
        .double("stop_loss_pct", 0.5, min: 0.001, max: 100, "stop-loss distance, % of entry").perPair(),
        .int("cooldown_trades", 10, min: 0, max: 1_000_000, "trades that must print on the pair between its entries").perPair(),
        .double("cooldown_seconds", 5, min: 0, max: 31_536_000, "minimum time between entries (any pair)"),
        .double("base_volatility_pct", 0.5, min: 0, max: 100, "declared by the reference, unused"),
        .int("volatility_lookback", 20, min: 2, max: 1000, "1m returns in the volatility window"),
        .double("volatility_threshold_mult", 1.5, min: 0, max: 100, "EXTREME regime threshold multiplier"),
        .bool("use_vpin", true, "pause on toxic (informed) flow"),
        .int("vpin_bucket_count", 50, min: 1, max: 10_000, "VPIN volume buckets"),
        .double("vpin_high_threshold", 0.7, min: 0, max: 1, "VPIN pause threshold when session thresholds are off"),
        .bool("vpin_pause_on_high", true, "pause while VPIN is at or above its threshold"),
        .int("vpin_lookback_trades", 200, min: 1, max: 100_000, "newest trades fed to VPIN (at most the tape held)"),
        .double("vpin_bucket_seconds", 0, min: 0, max: 86_400,
                "[OPT W2] VPIN over time buckets of this many seconds (vpin_bucket_count of them, ending at the newest trade); 0 = equal-volume buckets over the newest trades (reference)"),
        .bool("use_session_vpin_thresholds", true, "VPIN threshold per time-of-day session"),
        .string("session_vpin_thresholds", "ASIA=0.65,EUROPE=0.70,US=0.70,US_EUROPE_OVERLAP=0.75,OFF_HOURS=0.60", "VPIN threshold per session"),
        .bool("use_volume_anomaly_detection", true, "pause on wash-trading patterns"),
        .bool("volume_anomaly_pause_on_detect", true, "pause when an anomaly is found"),
        .double("volume_anomaly_low_ratio", 0.2, min: 0, max: 1000, "last-10 volume / expected below this: low_volume"),
        .double("volume_anomaly_high_ratio", 5.0, min: 0, max: 1000, "above this: high_volume"),
        .double("volume_anomaly_repetitive_threshold", 0.4, min: 0, max: 1, "share of equal-size trades above this: repetitive_trades"),
        .double("volume_anomaly_repetitive_tolerance", 0.001, min: 0, max: 1, "relative size tolerance of a group"),
        .double("volume_anomaly_price_move_threshold", 0.001, min: 0, max: 1, "price move expected with a volume spike"),
        .double("volume_anomaly_volume_spike_threshold", 3.0, min: 0, max: 1000, "volume ratio that triggers the divergence test"),
        .int("volume_anomaly_lookback_trades", 100, min: 10, max: 100_000, "trades analysed (fewer: no check)"),
        .bool("use_volatility_regimes", true, "scale thresholds, sizes and the window by 1m volatility"),
        .string("insufficient_volatility_regime", "low", "[OPT W15] regime while 1m volatility cannot be computed: low (reference) or medium"),
        .bool("per_symbol_cooldown", false, "[OPT W8] the entry cooldown runs per pair, not across all pairs"),
        .bool("fee_check_costs", false, "[OPT W13] the fee gate also counts the book's spread and estimated_slippage_pct on each side"),
        .double("estimated_slippage_pct", 0.05, min: 0, max: 10, "slippage per side assumed by fee_check_costs, %"),
        .bool("decay_any_profit_net_of_fees", false, "[OPT W14] the decay's any-profit stage needs a profit beyond the round-trip fees"),
        .double("regime_low_threshold", 0.3, min: 0, max: 100, "volatility % below this is LOW"),
        .double("regime_medium_threshold", 0.8, min: 0, max: 100, "below this MEDIUM"),
        .double("regime_high_threshold", 1.5, min: 0, max: 100, "below this HIGH, else EXTREME"),
        .double("regime_extreme_reduce_size", 0.5, min: 0, max: 10, "EXTREME size multiplier"),
        .bool("regime_extreme_pause", false, "no entries in EXTREME"),
        .bool("use_session_awareness", true, "time-of-day session multipliers"),
        .int("asia_start", 0, min: 0, max: 24, "UTC hour"), .int("asia_end", 8, min: 0, max: 24, "UTC hour"),
        .int("europe_start", 8, min: 0, max: 24, "UTC hour"), .int("europe_end", 14, min: 0, max: 24, "UTC hour"),
        .int("overlap_start", 14, min: 0, max: 24, "UTC hour"), .int("overlap_end", 17, min: 0, max: 24, "UTC hour"),
        .int("us_start", 17, min: 0, max: 24, "UTC hour"), .int("us_end", 21, min: 0, max: 24, "UTC hour"),
        .int("off_hours_start", 21, min: 0, max: 24, "UTC hour"), .int("off_hours_end", 24, min: 0, max: 24, "UTC hour"),
        .string("session_threshold_multipliers", "ASIA=1.2,EUROPE=1.0,US=1.0,US_EUROPE_OVERLAP=0.85,OFF_HOURS=1.35", "threshold multiplier per session"),
        .string("session_size_multipliers", "ASIA=0.8,EUROPE=1.0,US=1.0,US_EUROPE_OVERLAP=1.1,OFF_HOURS=0.6", "size multiplier per session"),
        .bool("use_position_decay", true, "lower the take profit as a position ages, finally exit at any profit"),
        .string("position_decay_stages", "300:0.90,360:0.75,420:0.50,480:0.0", "age seconds:take-profit multiplier, comma-separated"),
        .bool("decay_close_at_profit_after_fees", true, "once decaying, exit when the profit covers the fees"),
        .double("decay_min_profit_after_fees_pct", 0.05, min: -100, max: 100, "net profit % that early exit needs"),
        .bool("use_correlation_management", true, "cross-pair exposure limits"),
        .double("max_total_long_exposure", 150, min: 0, max: 1_000_000_000, "USD"),
        .double("max_total_short_exposure", 150, min: 0, max: 1_000_000_000, "USD"),
        .double("same_direction_size_mult", 0.75, min: 0, max: 10, "size multiplier while another pair holds the same side"),
        .double("vwap_deviation_threshold", 0.001, min: 0, max: 1, "fractional distance from the VWAP for reversion entries"),
        .double("vwap_reversion_size_mult", 0.75, min: 0, max: 10, "reversion size multiplier"),
        .double("vwap_reversion_threshold_mult", 0.7, min: 0, max: 10, "reversion imbalance threshold multiplier"),
        .bool("use_trade_flow_confirmation", true, "the tape's imbalance must agree"),
        .double("trade_flow_threshold", 0.15, min: 0, max: 1, "minimum flow in the signal's direction"),
        .double("fee_rate", 0.001, min: 0, max: 0.1, "fee per side, fraction"),
        .double("min_profit_after_fees_pct", 0.05, min: -100, max: 100, "required take-profit % minus round-trip fee %"),
        .bool("use_fee_check", true, "refuse entries whose take profit does not cover the fees"),
        .bool("use_micro_price", true, "micro-price in the telemetry"),
        .bool("use_trailing_stop", false, "strategy-side trailing stop exits"),
        .double("trailing_stop_activation", 0.3, min: 0, max: 100, "profit % that arms the trail"),
        .double("trailing_stop_distance", 0.2, min: 0, max: 100, "trail distance %"),
        .bool("use_circuit_breaker", true, "pause entries after consecutive losses"),
        .int("max_consecutive_losses", 3, min: 1, max: 1000, "losses that trip the breaker"),
        .int("circuit_breaker_minutes", 15, min: 1, max: 525_600, "breaker duration"),
        .bool("track_rejections", true, "count rejection reasons"),
    ]

    static let symbolDefaults: [Symbol: [String: String]] = [
        Symbol("XRP/USDT")!: ["buy_imbalance_threshold": "0.30", "sell_imbalance_threshold": "0.25", "imbalance_threshold": "0.30",
                              "position_size_usd": "25", "volume_spike_mult": "2.0", "take_profit_pct": "1.0", "stop_loss_pct": "0.5"],
        Symbol("BTC/USDT")!: ["buy_imbalance_threshold": "0.25", "sell_imbalance_threshold": "0.20", "imbalance_threshold": "0.25",
                              "position_size_usd": "50", "volume_spike_mult": "1.8", "take_profit_pct": "0.8", "stop_loss_pct": "0.4"],
        Symbol("XRP/BTC")!: ["buy_imbalance_threshold": "0.35", "sell_imbalance_threshold": "0.30", "imbalance_threshold": "0.35",
                             "position_size_usd": "15", "volume_spike_mult": "2.2", "take_profit_pct": "1.5", "stop_loss_pct": "0.75",
                             "cooldown_trades": "15"],
    ]

    static let sessionNames = ["ASIA", "EUROPE", "US", "US_EUROPE_OVERLAP", "OFF_HOURS"]

    let lookback, vpinBuckets, vpinLookback, volLookback, anomalyLookback, maxLosses, breakerMinutes: Int
    let maxTotal, maxSymbol, minTrade, cooldownSeconds, volThresholdMult, vpinHigh: Double
    let anomalyLow, anomalyHigh, anomalyRepetitive, anomalyTolerance, anomalyPriceMove, anomalySpike: Double
    let regimeLow, regimeMedium, regimeHigh, extremeSize, decayMinProfit, maxLong, maxShort, sameDirection: Double
    let vwapDeviation, vwapSizeMult, vwapThresholdMult, tradeFlowThreshold, feeRate, minProfitAfterFees, trailingActivation, trailingDistance: Double
    let asymmetric, useVPIN, vpinPause, sessionVPIN, useAnomaly, anomalyPause, useRegimes, extremePause, useSessions: Bool
    let useDecay, decayAtProfit, useCorrelation, useTradeFlow, useFeeCheck, useTrailing, useBreaker, trackRejections: Bool
    let insufficientIsMedium, perSymbolCooldown, feeCheckCosts, decayNetOfFees: Bool
    let vpinBucketSeconds: Double
    let slippagePct: Double
    let sessions: TimeOfDaySessions
    let sessionVPINThreshold, sessionThresholdMult, sessionSizeMult: [String: Double]
    let decayStages: [(age: Double, multiplier: Double)]
    // Per pair.
    let buyThreshold, sellThreshold, spikeMult, size, takeProfit, stopLoss: [Double]
    let cooldownTrades: [Int]

    init(_ p: StrategyParameters, symbols: [Symbol]) throws {
        func fail(_ key: String, _ why: String) -> ParameterError { ParameterError(strategy: "order_flow", key: key, message: why) }
        func table(_ key: String) throws -> [String: Double] {
            var out: [String: Double] = [:]
            for part in p.string(key).split(separator: ",") {
                let kv = part.split(separator: "=").map { String($0.filter { $0 != " " }) }
                guard kv.count == 2, Self.sessionNames.contains(kv[0]), let v = Double(kv[1]), v.isFinite, v >= 0 else {
                    throw fail(key, "must be SESSION=value pairs for \(Self.sessionNames.joined(separator: ", ")) (got '\(p.string(key))')")
                }
                out[kv[0]] = v
            }
            guard Set(out.keys) == Set(Self.sessionNames) else { throw fail(key, "needs a value for each of \(Self.sessionNames.joined(separator: ", "))") }
            return out
        }
        lookback = p.int("lookback_trades"); vpinBuckets = p.int("vpin_bucket_count"); vpinLookback = p.int("vpin_lookback_trades")
        vpinBucketSeconds = p.double("vpin_bucket_seconds")
        volLookback = p.int("volatility_lookback"); anomalyLookback = p.int("volume_anomaly_lookback_trades")
        maxLosses = p.int("max_consecutive_losses"); breakerMinutes = p.int("circuit_breaker_minutes")
        maxTotal = p.double("max_position_usd"); maxSymbol = p.double("max_position_per_symbol_usd"); minTrade = p.double("min_trade_size_usd")
        cooldownSeconds = p.double("cooldown_seconds"); volThresholdMult = p.double("volatility_threshold_mult"); vpinHigh = p.double("vpin_high_threshold")
        anomalyLow = p.double("volume_anomaly_low_ratio"); anomalyHigh = p.double("volume_anomaly_high_ratio")
        anomalyRepetitive = p.double("volume_anomaly_repetitive_threshold"); anomalyTolerance = p.double("volume_anomaly_repetitive_tolerance")
        anomalyPriceMove = p.double("volume_anomaly_price_move_threshold"); anomalySpike = p.double("volume_anomaly_volume_spike_threshold")
        regimeLow = p.double("regime_low_threshold"); regimeMedium = p.double("regime_medium_threshold"); regimeHigh = p.double("regime_high_threshold")
        extremeSize = p.double("regime_extreme_reduce_size"); decayMinProfit = p.double("decay_min_profit_after_fees_pct")
        maxLong = p.double("max_total_long_exposure"); maxShort = p.double("max_total_short_exposure"); sameDirection = p.double("same_direction_size_mult")
        vwapDeviation = p.double("vwap_deviation_threshold"); vwapSizeMult = p.double("vwap_reversion_size_mult")
        vwapThresholdMult = p.double("vwap_reversion_threshold_mult"); tradeFlowThreshold = p.double("trade_flow_threshold")
        feeRate = p.double("fee_rate"); minProfitAfterFees = p.double("min_profit_after_fees_pct")
        trailingActivation = p.double("trailing_stop_activation"); trailingDistance = p.double("trailing_stop_distance")
        asymmetric = p.bool("use_asymmetric_thresholds"); useVPIN = p.bool("use_vpin"); vpinPause = p.bool("vpin_pause_on_high")
        sessionVPIN = p.bool("use_session_vpin_thresholds"); useAnomaly = p.bool("use_volume_anomaly_detection")
        anomalyPause = p.bool("volume_anomaly_pause_on_detect"); useRegimes = p.bool("use_volatility_regimes")
        let regime = p.string("insufficient_volatility_regime")
        guard regime == "low" || regime == "medium" else { throw fail("insufficient_volatility_regime", "must be low or medium (got '\(regime)')") }
        insufficientIsMedium = regime == "medium"
        perSymbolCooldown = p.bool("per_symbol_cooldown"); feeCheckCosts = p.bool("fee_check_costs")
        slippagePct = p.double("estimated_slippage_pct"); decayNetOfFees = p.bool("decay_any_profit_net_of_fees")
        extremePause = p.bool("regime_extreme_pause"); useSessions = p.bool("use_session_awareness"); useDecay = p.bool("use_position_decay")
        decayAtProfit = p.bool("decay_close_at_profit_after_fees"); useCorrelation = p.bool("use_correlation_management")
        useTradeFlow = p.bool("use_trade_flow_confirmation"); useFeeCheck = p.bool("use_fee_check"); useTrailing = p.bool("use_trailing_stop")
        useBreaker = p.bool("use_circuit_breaker"); trackRejections = p.bool("track_rejections")
        sessionVPINThreshold = try table("session_vpin_thresholds")
        sessionThresholdMult = try table("session_threshold_multipliers")
        sessionSizeMult = try table("session_size_multipliers")
        // §10.3's order (resolution 33: one classifier, half-open windows): overlap, Europe, US, off hours, else Asia.
        do {
            sessions = try TimeOfDaySessions(hours: [("US_EUROPE_OVERLAP", p.int("overlap_start"), p.int("overlap_end")),
                                                     ("EUROPE", p.int("europe_start"), p.int("europe_end")),
                                                     ("US", p.int("us_start"), p.int("us_end")),
                                                     ("OFF_HOURS", p.int("off_hours_start"), p.int("off_hours_end"))], otherwise: "ASIA")
        } catch { throw fail("session boundaries", "\(error)") }
        var stages: [(Double, Double)] = []
        for part in p.string("position_decay_stages").split(separator: ",") {
            let kv = part.split(separator: ":").map { String($0.filter { $0 != " " }) }
            guard kv.count == 2, let a = Double(kv[0]), let m = Double(kv[1]), a >= 0, m >= 0, a.isFinite, m.isFinite else {
                throw fail("position_decay_stages", "must be AGE_SECONDS:MULTIPLIER pairs (got '\(p.string("position_decay_stages"))')")
            }
            stages.append((a, m))
        }
        decayStages = stages.sorted { $0.0 < $1.0 }.map { (age: $0.0, multiplier: $0.1) }
        buyThreshold = symbols.map { p.double(p.bool("use_asymmetric_thresholds") ? "buy_imbalance_threshold" : "imbalance_threshold", for: $0) }
        sellThreshold = symbols.map { p.double(p.bool("use_asymmetric_thresholds") ? "sell_imbalance_threshold" : "imbalance_threshold", for: $0) }
        spikeMult = symbols.map { p.double("volume_spike_mult", for: $0) }
        size = symbols.map { p.double("position_size_usd", for: $0) }
        takeProfit = symbols.map { p.double("take_profit_pct", for: $0) }
        stopLoss = symbols.map { p.double("stop_loss_pct", for: $0) }
        cooldownTrades = symbols.map { p.int("cooldown_trades", for: $0) }
    }

    /// The reference's start-up range checks (§4 "Validation") and W6's shadowing, as warnings.
    static func warnings(_ c: OrderFlowConfig, _ p: StrategyParameters, symbols: [Symbol]) -> [String] {
        var w: [String] = []
        let it = p.double("imbalance_threshold")
        if !(0.1...0.8).contains(it) { w.append("imbalance_threshold \(it) is outside [0.1, 0.8]") }
        if !(0.5...0.9).contains(c.vpinHigh) { w.append("vpin_high_threshold \(c.vpinHigh) is outside [0.5, 0.9]") }
        if c.sessionVPIN && p.isUserSet("vpin_high_threshold") {
            w.append("vpin_high_threshold has no effect while use_session_vpin_thresholds is on (session_vpin_thresholds applies)")
        }
        for (i, s) in symbols.enumerated() {
            let rr = c.takeProfit[i] / c.stopLoss[i]
            if rr < 1 { w.append("Warning: \(s) reward:risk \(rr) is below 1") } else if rr < 1.5 { w.append("Info: \(s) reward:risk \(rr) is below 1.5") }
        }
        w += p.shadowedOverrideWarnings(strategy: "order_flow", symbols: symbols)
        return w
    }
}
