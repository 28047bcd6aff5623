import TradingCore

/// `ema9_trend_flip` parameters (ema9_trend_flip.md §3), typed once at start.
struct EMA9TrendFlipConfig {
    static let specs: [ParameterSpec] = [
        .int("ema_period", 9, min: 1, max: 1000, "EMA period over bucket prices"),
        .int("consecutive_candles", 3, min: 1, max: 1000, "buckets on one side of the EMA before a flip counts").perPair(),
        .double("buffer_pct", 0.1, min: 0, max: 100, "dead band around the EMA, % of the EMA"),
        .bool("use_open_price", true, "bucket opens (false: closes) for the EMA and the side tests"),
        .int("candle_timeframe_minutes", 60, min: 5, max: 1440, "bucket length: 5, 15, 30, 60, 240, 720 or 1440 (engine candles, floored on epoch minutes)"),
        .int("min_candles_required", 15, min: 1, max: 10_000, "warm-up: buckets needed"),
        .double("position_size_usd", 50, min: 0.01, max: 1_000_000_000, "USD notional per entry").perPair(),
        .double("max_position_usd", 100, min: 0.01, max: 1_000_000_000, "cap on the recorded position notional"),
        .double("min_trade_size_usd", 10, min: 0, max: 1_000_000_000, "smallest entry"),
        .double("stop_loss_pct", 1.0, min: 0.001, max: 100, "stop distance, % of the price").perPair(),
        .double("take_profit_pct", 2.0, min: 0.001, max: 100, "target distance, % of the price").perPair(),
        .bool("use_atr_stops", false, "stop and target from the bucket ATR instead of %"),
        .double("atr_stop_mult", 1.5, min: 0, max: 100, "stop distance in ATRs"),
        .double("atr_tp_mult", 3.0, min: 0, max: 100, "target distance in ATRs"),
        .bool("exit_on_flip", true, "exit when the current bucket is on the other side of the EMA"),
        .double("max_hold_hours", 72, min: 0, max: 100_000, "time exit (held at least this long)"),
        .double("cooldown_minutes", 30, min: 0, max: 525_600, "after any signal (entries only)"),
        .double("cooldown_after_loss_minutes", 60, min: 0, max: 525_600, "replaces the cooldown after a losing close"),
        .bool("track_rejections", true, "count rejection reasons"),
        .bool("strategy_stop_exits", false, "[OPT E9-W6] the strategy also exits at the entry's stop and target (the feature doc's priorities 1–2)"),
        .bool("drop_partial_first_bucket", false, "[OPT E9-W9] drop a first bucket that began before the data did"),
    ]

    let emaPeriod, minCandles: Int
    let bufferPct, maxPosition, minTrade, atrStopMult, atrTPMult, maxHoldHours, cooldownMinutes, cooldownAfterLossMinutes: Double
    let useOpen, useATR, exitOnFlip, trackRejections, strategyStops, dropPartialFirst: Bool
    let timeframe: Timeframe
    // Per pair.
    let consecutive: [Int]
    let size, stopLoss, takeProfit: [Double]

    init(_ p: StrategyParameters, symbols: [Symbol]) throws {
        emaPeriod = p.int("ema_period"); minCandles = p.int("min_candles_required")
        bufferPct = p.double("buffer_pct"); maxPosition = p.double("max_position_usd"); minTrade = p.double("min_trade_size_usd")
        atrStopMult = p.double("atr_stop_mult"); atrTPMult = p.double("atr_tp_mult"); maxHoldHours = p.double("max_hold_hours")
        cooldownMinutes = p.double("cooldown_minutes"); cooldownAfterLossMinutes = p.double("cooldown_after_loss_minutes")
        useOpen = p.bool("use_open_price"); useATR = p.bool("use_atr_stops"); exitOnFlip = p.bool("exit_on_flip")
        trackRejections = p.bool("track_rejections"); strategyStops = p.bool("strategy_stop_exits")
        dropPartialFirst = p.bool("drop_partial_first_bucket")
        let minutes = p.int("candle_timeframe_minutes")
        // E9-W7: the engine's candles are floored on epoch minutes, so any engine timeframe works (the reference's
        // minute-of-hour flooring only worked for divisors of 60).
        guard let tf = Timeframe(rawValue: minutes), tf >= .m5, tf <= .d1 else {
            throw ParameterError(strategy: "ema9_trend_flip", key: "candle_timeframe_minutes",
                                 message: "must be one of 5, 15, 30, 60, 240, 720, 1440 (got \(minutes))")
        }
        timeframe = tf
        consecutive = symbols.map { p.int("consecutive_candles", for: $0) }
        size = symbols.map { p.double("position_size_usd", for: $0) }
        stopLoss = symbols.map { p.double("stop_loss_pct", for: $0) }
        takeProfit = symbols.map { p.double("take_profit_pct", for: $0) }
    }
}
