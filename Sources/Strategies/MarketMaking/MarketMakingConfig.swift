import TradingCore

/// Market making's parameters (market_making.md §4, code 2.2.1, plus the quoting mode of §6.1), read once at init;
/// per-pair ones in `symbols` order.
struct MarketMakingConfig {
    enum Mode: String { case quote, legacy }

    static let specs: [ParameterSpec] = [
        .string("mode", "quote", "quote: rest a post-only bid and ask (maker fees); legacy: the reference's one market order per tick"),
        // The reference's keys (§4).
        .double("min_spread_pct", 0.1, min: 0, max: 100, "legacy: minimum book spread %").perPair(),
        .double("position_size_usd", 20, min: 0.01, max: 1_000_000_000, "base order size, USD").perPair(),
        .double("position_size_xrp", 25, min: 0.01, max: 1_000_000_000, "XRP/BTC base order size, XRP").perPair(),
        .double("max_inventory", 100, min: 0.01, max: 1_000_000_000, "inventory cap, USD").perPair(),
        .double("max_inventory_xrp", 150, min: 0.01, max: 1_000_000_000, "XRP/BTC inventory cap, XRP").perPair(),
        .double("inventory_skew", 0.5, min: 0, max: 10, "size reduction per unit of normalised inventory"),
        .double("imbalance_threshold", 0.1, min: 0, max: 1, "legacy: depth imbalance that triggers an entry").perPair(),
        .double("take_profit_pct", 0.5, min: 0.001, max: 100, "take profit %").perPair(),
        .double("stop_loss_pct", 0.5, min: 0.001, max: 100, "stop loss %").perPair(),
        .double("cooldown_seconds", 5, min: 0, max: 31_536_000, "legacy: time between signals (global unless per_symbol_cooldown)").perPair(),
        .double("base_volatility_pct", 0.5, min: 0.0001, max: 100, "volatility at which legacy thresholds start to widen"),
        .int("volatility_lookback", 20, min: 2, max: 1000, "1m returns in the volatility window"),
        .double("volatility_threshold_mult", 1.5, min: 1, max: 100, "cap of the volatility multiplier"),
        .bool("use_trade_flow", true, "legacy: the tape must confirm imbalance entries"),
        .double("trade_flow_threshold", 0.15, min: 0, max: 1, "tape imbalance required"),
        .bool("use_reservation_price", false, "legacy: compute the reservation price (telemetry)"),
        .double("gamma", 0.1, min: 0.0001, max: 100, "risk aversion (reservation price, optimal spread)"),
        .bool("use_trailing_stop", false, "strategy trailing-stop exits"),
        .double("trailing_stop_activation", 0.2, min: 0, max: 100, "profit % that arms the trail"),
        .double("trailing_stop_distance", 0.15, min: 0, max: 100, "trail distance %"),
        .double("fee_rate", 0.001, min: 0, max: 0.1, "legacy: fee per side assumed by the fee gate"),
        .double("min_profit_after_fees_pct", 0.05, min: -100, max: 100, "legacy: required net edge %"),
        .bool("use_fee_check", true, "legacy: fee-profitability gate"),
        .bool("use_micro_price", true, "micro-price as the reference price (else the mid)"),
        .bool("use_optimal_spread", false, "widen to the Avellaneda-Stoikov spread, in price units (W3)"),
        .double("kappa", 1.5, min: 0.0001, max: 1_000_000, "A-S order-arrival parameter, per price unit"),
        .double("fallback_xrp_usdt", 2.50, min: 0.0001, max: 1_000_000, "XRP/USDT price used while none is known"),
        .bool("use_position_decay", true, "exit a stale position in profit"),
        .double("max_position_age_seconds", 300, min: 0, max: 31_536_000, "age after which a position is stale"),
        .double("position_decay_tp_multiplier", 0.5, min: 0, max: 10, "take-profit multiplier for stale positions"),
        .bool("use_circuit_breaker", true, "pause after consecutive losses"),
        .int("max_consecutive_losses", 3, min: 1, max: 1000, "losses that trip the breaker"),
        .int("circuit_breaker_cooldown_minutes", 15, min: 1, max: 525_600, "breaker duration"),
        .bool("use_volatility_regime", true, "classify 1m volatility"),
        .double("regime_low_threshold", 0.3, min: 0, max: 100, "volatility % below this is LOW"),
        .double("regime_medium_threshold", 0.8, min: 0, max: 100, "below this MEDIUM"),
        .double("regime_high_threshold", 1.5, min: 0, max: 100, "below this HIGH, else EXTREME"),
        .bool("regime_extreme_pause", true, "no trading (and no quotes) in EXTREME"),
        .double("regime_high_size_mult", 0.7, min: 0, max: 10, "HIGH size multiplier"),
        .double("regime_low_threshold_mult", 0.9, min: 0, max: 10, "LOW threshold multiplier"),
        .double("regime_high_threshold_mult", 1.3, min: 0, max: 10, "HIGH threshold multiplier"),
        .bool("use_trend_filter", true, "pause while the 1m slope trends"),
        .double("trend_slope_threshold", 0.05, min: 0, max: 100, "|slope| % per candle that counts as trending"),
        .int("trend_lookback_candles", 20, min: 2, max: 1000, "1m candles in the slope"),
        .int("trend_confirmation_periods", 3, min: 1, max: 1_000_000, "consecutive trending evaluations that pause"),
        .bool("use_session_awareness", true, "time-of-day multipliers (UTC)"),
        .double("session_asia_threshold_mult", 1.2, min: 0, max: 10, "ASIA [00,08) threshold multiplier"),
        .double("session_asia_size_mult", 0.8, min: 0, max: 10, "ASIA size multiplier"),
        .double("session_overlap_threshold_mult", 0.85, min: 0, max: 10, "US_EUROPE_OVERLAP [14,17) threshold multiplier"),
        .double("session_overlap_size_mult", 1.1, min: 0, max: 10, "US_EUROPE_OVERLAP size multiplier"),
        .double("session_off_hours_threshold_mult", 1.3, min: 0, max: 10, "OFF_HOURS [22,24) threshold multiplier"),
        .double("session_off_hours_size_mult", 0.6, min: 0, max: 10, "OFF_HOURS size multiplier"),
        .bool("use_correlation_monitoring", true, "XRP/BTC: pause while XRP and BTC stop moving together"),
        .double("correlation_warning_threshold", 0.6, min: -1, max: 1, "below: warning flag"),
        .double("correlation_pause_threshold", 0.5, min: -1, max: 1, "below: XRP/BTC paused"),
        .int("correlation_lookback", 20, min: 2, max: 1000, "1m returns of XRP/USDT and BTC/USDT"),
        // [OPT]s (reference behaviour by default).
        .double("reduction_imbalance_trigger", 0.2, min: 0, max: 1, "legacy: |imbalance| that reduces inventory (W10)"),
        .double("min_order_usd", 5, min: 0, max: 1_000_000_000, "smallest order (W10)"),
        .int("trade_flow_window", 50, min: 5, max: 100_000, "trades in the flow window (W10)"),
        .bool("per_symbol_cooldown", false, "legacy: each pair its own cooldown_seconds timer (W11)"),
        .bool("decay_exit_losers", false, "a stale position is closed even at a loss (W15)"),
        .bool("count_silent_declines", false, "count max_position / no_signal_conditions where the reference says nothing (W16)"),
        .bool("flow_gate_reductions", false, "legacy: the tape must confirm inventory reductions too (W17)"),
        .int("imbalance_depth", 0, min: 0, max: 1000, "book levels in the depth imbalance, 0 = all (W21)"),
        // The quoting mode (§6.1).
        .double("maker_fee_rate", 0.0025, min: 0, max: 0.1, "quote: maker fee per side the half-spread must cover"),
        .double("taker_fee_rate", 0.004, min: 0, max: 0.1, "quote: taker fee of a market exit; the stale-position exit must clear both fees"),
        .double("quote_edge_pct", 0.05, min: 0, max: 100, "quote: % of price earned per side beyond the maker fee"),
        .double("min_half_spread_pct", 0.05, min: 0, max: 100, "quote: smallest half-spread, % of price"),
        .double("quote_horizon_minutes", 1, min: 0, max: 1440, "quote: τ of the reservation price, in 1m intervals"),
        .double("requote_threshold_pct", 0.05, min: 0, max: 100, "quote: a quote left this far (% of price) behind a market moving away is moved"),
        .double("requote_towards_pct", 0, min: 0, max: 100,
                "quote: a quote the market has come this far (% of price) towards is moved back; 0 = it waits (that is how it fills)"),
        .double("requote_interval_seconds", 300, min: 1, max: 86_400, "quote: a quote older than this is re-centred"),
        .bool("exit_at_breakeven", true, "quote: the reducing quote never sits below the entry plus both maker fees and the edge"),
        .bool("flatten_above_hard_limit", true, "quote: a market order closes a position beyond the hard inventory limit"),
        .double("hard_inventory_mult", 1.5, min: 1, max: 100, "quote: hard limit as a multiple of max_inventory"),
        .bool("track_rejections", true, "count rejection reasons"),
    ]

    /// §3: the built-in per-pair table (resolution 32: below the user's per-pair values, above every global one).
    static let symbolDefaults: [Symbol: [String: String]] = [
        Symbol("XRP/USDT")!: ["min_spread_pct": "0.05", "position_size_usd": "20", "max_inventory": "100", "imbalance_threshold": "0.1",
                              "take_profit_pct": "0.5", "stop_loss_pct": "0.5", "cooldown_seconds": "5.0"],
        Symbol("BTC/USDT")!: ["min_spread_pct": "0.05", "position_size_usd": "50", "max_inventory": "200", "imbalance_threshold": "0.08",
                              "take_profit_pct": "0.35", "stop_loss_pct": "0.35", "cooldown_seconds": "3.0"],
        Symbol("XRP/BTC")!: ["min_spread_pct": "0.03", "position_size_xrp": "25", "max_inventory_xrp": "150", "imbalance_threshold": "0.15",
                             "take_profit_pct": "0.4", "stop_loss_pct": "0.4", "cooldown_seconds": "10.0"],
    ]

    static let xrpBTC = Symbol("XRP/BTC")!
    static let xrpUSDT = Symbol("XRP/USDT")!
    static let btcUSDT = Symbol("BTC/USDT")!

    let mode: Mode
    let inventorySkew, baseVolatility, volThresholdMult, tradeFlowThreshold, gamma, trailingActivation, trailingDistance: Double
    let feeRate, minProfitAfterFees, kappa, fallbackXRP, maxAge, decayTPMult: Double
    let regimeLow, regimeMedium, regimeHigh, highSizeMult, lowThresholdMult, highThresholdMult, trendSlope: Double
    let correlationWarn, correlationPause, reductionTrigger, minOrder: Double
    /// The global `cooldown_seconds` (the per-pair table is read only with `per_symbol_cooldown`, W11).
    let globalCooldown: Double
    let makerFee, takerFee, edgePct, minHalfSpreadPct, horizon, requoteThresholdPct, requoteTowardsPct, requoteInterval, hardMult: Double
    let volLookback, maxLosses, breakerMinutes, trendLookback, trendConfirm, correlationLookback, flowWindow, imbalanceDepth: Int
    let useTradeFlow, useReservation, useTrailing, useFeeCheck, useMicro, useOptimal, useDecay, useBreaker, useRegime, extremePause: Bool
    let useTrend, useSessions, useCorrelation, perSymbolCooldown, decayLosers, countSilent, flowGateReductions: Bool
    let exitAtBreakeven, flatten, trackRejections: Bool
    let sessions: TimeOfDaySessions
    let sessionThresholdMult, sessionSizeMult: [String: Double]
    // Per pair.
    let minSpread, sizeUSD, sizeXRP, maxInventory, maxInventoryXRP, imbalanceThreshold, takeProfit, stopLoss, cooldown: [Double]
    /// Exact copies of the legacy gates' inputs (W22: `≥` on exact decimals, not on binary floating point).
    let minProfitRate, feeRateExact: Rate

    init(_ p: StrategyParameters, symbols: [Symbol]) throws {
        func fail(_ key: String, _ why: String) -> ParameterError { ParameterError(strategy: "market_making", key: key, message: why) }
        guard let m = Mode(rawValue: p.string("mode")) else { throw fail("mode", "must be quote or legacy (got '\(p.string("mode"))')") }
        mode = m
        inventorySkew = p.double("inventory_skew"); baseVolatility = p.double("base_volatility_pct")
        volThresholdMult = p.double("volatility_threshold_mult"); tradeFlowThreshold = p.double("trade_flow_threshold")
        gamma = p.double("gamma"); trailingActivation = p.double("trailing_stop_activation"); trailingDistance = p.double("trailing_stop_distance")
        feeRate = p.double("fee_rate"); minProfitAfterFees = p.double("min_profit_after_fees_pct"); kappa = p.double("kappa")
        fallbackXRP = p.double("fallback_xrp_usdt"); maxAge = p.double("max_position_age_seconds")
        decayTPMult = p.double("position_decay_tp_multiplier")
        regimeLow = p.double("regime_low_threshold"); regimeMedium = p.double("regime_medium_threshold"); regimeHigh = p.double("regime_high_threshold")
        highSizeMult = p.double("regime_high_size_mult"); lowThresholdMult = p.double("regime_low_threshold_mult")
        highThresholdMult = p.double("regime_high_threshold_mult"); trendSlope = p.double("trend_slope_threshold")
        correlationWarn = p.double("correlation_warning_threshold"); correlationPause = p.double("correlation_pause_threshold")
        reductionTrigger = p.double("reduction_imbalance_trigger"); minOrder = p.double("min_order_usd")
        globalCooldown = p.double("cooldown_seconds")
        makerFee = p.double("maker_fee_rate"); takerFee = p.double("taker_fee_rate"); edgePct = p.double("quote_edge_pct"); minHalfSpreadPct = p.double("min_half_spread_pct")
        horizon = p.double("quote_horizon_minutes"); requoteThresholdPct = p.double("requote_threshold_pct")
        requoteTowardsPct = p.double("requote_towards_pct")
        requoteInterval = p.double("requote_interval_seconds"); hardMult = p.double("hard_inventory_mult")
        volLookback = p.int("volatility_lookback"); maxLosses = p.int("max_consecutive_losses")
        breakerMinutes = p.int("circuit_breaker_cooldown_minutes"); trendLookback = p.int("trend_lookback_candles")
        trendConfirm = p.int("trend_confirmation_periods"); correlationLookback = p.int("correlation_lookback")
        flowWindow = p.int("trade_flow_window"); imbalanceDepth = p.int("imbalance_depth")
        useTradeFlow = p.bool("use_trade_flow"); useReservation = p.bool("use_reservation_price"); useTrailing = p.bool("use_trailing_stop")
        useFeeCheck = p.bool("use_fee_check"); useMicro = p.bool("use_micro_price"); useOptimal = p.bool("use_optimal_spread")
        useDecay = p.bool("use_position_decay"); useBreaker = p.bool("use_circuit_breaker"); useRegime = p.bool("use_volatility_regime")
        extremePause = p.bool("regime_extreme_pause"); useTrend = p.bool("use_trend_filter"); useSessions = p.bool("use_session_awareness")
        useCorrelation = p.bool("use_correlation_monitoring"); perSymbolCooldown = p.bool("per_symbol_cooldown")
        decayLosers = p.bool("decay_exit_losers"); countSilent = p.bool("count_silent_declines")
        flowGateReductions = p.bool("flow_gate_reductions"); exitAtBreakeven = p.bool("exit_at_breakeven")
        flatten = p.bool("flatten_above_hard_limit"); trackRejections = p.bool("track_rejections")
        // §10.3 with resolution 33's half-open windows: MM's US is [17, 22).
        sessions = try! TimeOfDaySessions(hours: [("ASIA", 0, 8), ("EUROPE", 8, 14), ("US_EUROPE_OVERLAP", 14, 17), ("US", 17, 22),
                                                  ("OFF_HOURS", 22, 24)], otherwise: "ASIA")
        sessionThresholdMult = ["ASIA": p.double("session_asia_threshold_mult"), "EUROPE": 1, "US_EUROPE_OVERLAP": p.double("session_overlap_threshold_mult"),
                                "US": 1, "OFF_HOURS": p.double("session_off_hours_threshold_mult")]
        sessionSizeMult = ["ASIA": p.double("session_asia_size_mult"), "EUROPE": 1, "US_EUROPE_OVERLAP": p.double("session_overlap_size_mult"),
                           "US": 1, "OFF_HOURS": p.double("session_off_hours_size_mult")]
        minSpread = symbols.map { p.double("min_spread_pct", for: $0) }
        sizeUSD = symbols.map { p.double("position_size_usd", for: $0) }
        sizeXRP = symbols.map { p.double("position_size_xrp", for: $0) }
        maxInventory = symbols.map { p.double("max_inventory", for: $0) }
        maxInventoryXRP = symbols.map { p.double("max_inventory_xrp", for: $0) }
        imbalanceThreshold = symbols.map { p.double("imbalance_threshold", for: $0) }
        takeProfit = symbols.map { p.double("take_profit_pct", for: $0) }
        stopLoss = symbols.map { p.double("stop_loss_pct", for: $0) }
        cooldown = symbols.map { p.double("cooldown_seconds", for: $0) }
        // Twelve decimals hold every value a user types (0.05, 0.0026) exactly.
        minProfitRate = Rate(rounding: minProfitAfterFees, toDecimals: 12)!
        feeRateExact = Rate(rounding: feeRate, toDecimals: 12)!
        guard regimeLow < regimeMedium, regimeMedium < regimeHigh else {
            throw fail("regime_low_threshold", "regime thresholds must increase: low \(regimeLow) < medium \(regimeMedium) < high \(regimeHigh)")
        }
    }

    /// The reference's start-up checks (§4 "Startup validation") as warnings, plus W2 and W12.
    static func warnings(_ c: MarketMakingConfig, _ p: StrategyParameters, symbols: [Symbol]) -> [String] {
        var w: [String] = []
        if !(0.01...1.0).contains(c.gamma) { w.append("gamma \(c.gamma) is outside [0.01, 1.0]") }
        if !(0...1).contains(c.inventorySkew) { w.append("inventory_skew \(c.inventorySkew) is outside [0, 1]") }
        for (i, s) in symbols.enumerated() {
            let rr = c.takeProfit[i] / c.stopLoss[i]
            if rr < 0.5 { w.append("\(s): take_profit_pct / stop_loss_pct = \(rr) is below 0.5: break-even needs a win rate of \(Self.text(100 / (1 + rr)))%") }
        }
        if !(0...0.01).contains(c.feeRate) { w.append("fee_rate \(c.feeRate) is outside [0, 0.01]") }
        if !(0...0.01).contains(c.makerFee) { w.append("maker_fee_rate \(c.makerFee) is outside [0, 0.01]") }
        if !(1...10).contains(c.maxLosses) { w.append("max_consecutive_losses \(c.maxLosses) is outside [1, 10]") }
        if !(1...60).contains(c.breakerMinutes) { w.append("circuit_breaker_cooldown_minutes \(c.breakerMinutes) is outside [1, 60]") }
        if !(0.01...0.5).contains(c.trendSlope) { w.append("trend_slope_threshold \(c.trendSlope) is outside [0.01, 0.5]") }
        let bounds: [(String, ClosedRange<Double>)] = [("session_asia_threshold_mult", 0.5...2.0), ("session_asia_size_mult", 0.1...1.5),
                                                       ("session_overlap_threshold_mult", 0.5...1.5), ("session_overlap_size_mult", 0.5...2.0),
                                                       ("session_off_hours_threshold_mult", 0.5...2.0), ("session_off_hours_size_mult", 0.1...1.0)]
        for (key, range) in bounds where !range.contains(p.double(key)) { w.append("\(key) \(p.double(key)) is outside [\(range.lowerBound), \(range.upperBound)]") }
        if !(0 <= c.correlationPause && c.correlationPause < c.correlationWarn && c.correlationWarn <= 1) {
            w.append("correlation thresholds need 0 ≤ correlation_pause_threshold (\(c.correlationPause)) < correlation_warning_threshold (\(c.correlationWarn)) ≤ 1")
        }
        if !(5...100).contains(c.correlationLookback) { w.append("correlation_lookback \(c.correlationLookback) is outside [5, 100]") }
        // W2: the legacy fee gate needs spread/2 − 2 × fee ≥ the edge, i.e. a spread of at least this.
        if c.mode == .legacy && c.useFeeCheck {
            let needed = 2 * (c.minProfitAfterFees + 2 * c.feeRate * 100)
            w.append("legacy fee gate: entries need a book spread of at least \(Self.text(needed))% (liquid pairs show a few basis points); mode: quote earns the spread instead")
        }
        w += p.shadowedOverrideWarnings(strategy: "market_making", symbols: symbols)
            .filter { c.perSymbolCooldown || !$0.hasPrefix("cooldown_seconds ") }
        return w
    }

    static func text(_ v: Double) -> String { "\((v * 10_000).rounded() / 10_000)" }
}
