import Indicators
import TradingCore

/// Short-horizon mean reversion on 5-minute candles (mean_reversion.md, code 4.3.0): buy a stretch below the SMA and
/// lower band with an oversold RSI, short (or close a long) above the upper band with an overbought RSI, buy well
/// below the tape's VWAP; a 1-minute volatility regime scales thresholds and sizes.
///
/// Where it differs from the reference ([FIX]): exits (trailing, decay) are evaluated before every gate (W8); the
/// position is the portfolio's, engine exits included (W3); sizes are USD and converted by the engine for XRP/BTC
/// (W4); caps apply to |position| on the side being increased and an oversold signal while short covers (W5); a
/// long at its cap can still be closed (W13); a too-short warm-up is refused at start (W17).
///
/// Indicators that are not ready (resolution 59): RSI of an unmoving market → 50 (the reference's neutral); 1m
/// volatility nil → 0.0 (LOW regime, reference) or MEDIUM with `insufficient_volatility_regime: medium`; slope nil →
/// 0 (not trending); ADX nil → no filter; correlation nil → the previous pause flag stays (or a pause with
/// `pause_on_unknown_correlation`); VWAP nil → no VWAP entry.
public final class MeanReversionStrategy: Strategy {
    public static let name = "mean_reversion"
    public static let version = "4.3.0"
    public static let summary = "5m mean reversion: SMA/Bollinger stretch + RSI extreme, VWAP reversion, volatility regimes."
    public static let defaultSymbols = [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!, Symbol("XRP/BTC")!]
    public static var parameters: [ParameterSpec] { MeanReversionConfig.specs }
    public static var symbolDefaults: [Symbol: [String: String]] { MeanReversionConfig.symbolDefaults }

    static let xrpBTC = Symbol("XRP/BTC")!, xrpUSDT = Symbol("XRP/USDT")!, btcUSDT = Symbol("BTC/USDT")!
    /// The reference's hard-coded trade-imbalance window.
    static let imbalanceTrades = 50

    let symbols: [Symbol]
    let c: MeanReversionConfig
    public let startupWarnings: [String]
    public private(set) var rejections = RejectionTracker()

    // State (§11), per pair in `symbols` order.
    private var readings: [MeanReversionReadings]
    private var trendCounts: [Int]
    private var trendCandle: [Timestamp?]
    private var lastSignal: Timestamp?
    private var lastSignalBySymbol: [Timestamp?]
    private var breaker: CircuitBreaker
    /// Best and worst price seen while a position is open (trailing stop), keyed by the position's entry time.
    private var extremes: [(entry: Timestamp, high: Double, low: Double)?]
    public private(set) var correlation: Double?
    public private(set) var correlationHistory: [Double] = []
    public private(set) var correlationWarned = false
    private var correlationPaused = false
    private var correlationKey: (Timestamp?, Timestamp?)
    public private(set) var adxBySymbol: [Symbol: Double] = [:]
    /// Per pair: the latest readings, for logs and the dashboard (built into a dictionary only when asked).
    private var telemetry: [Telemetry]
    /// Per pair: 1m volatility and the candle it was computed from.
    private var volatility: [(key: (Timestamp, Int)?, value: Double?)]

    struct Telemetry {
        var sma = 0.0, rsi = 0.0, deviation = 0.0, imbalance = 0.0, upper = 0.0, lower = 0.0, volatility = 0.0, evaluated = false
    }

    public init(parameters p: StrategyParameters, symbols: [Symbol]) throws {
        self.symbols = symbols
        c = try MeanReversionConfig(p, symbols: symbols)
        startupWarnings = MeanReversionConfig.warnings(c, p, symbols: symbols)
        readings = Array(repeating: MeanReversionReadings(), count: symbols.count)
        trendCounts = Array(repeating: 0, count: symbols.count)
        trendCandle = Array(repeating: nil, count: symbols.count)
        lastSignalBySymbol = Array(repeating: nil, count: symbols.count)
        extremes = Array(repeating: nil, count: symbols.count)
        telemetry = Array(repeating: Telemetry(), count: symbols.count)
        volatility = Array(repeating: (nil, nil), count: symbols.count)
        rejections = RejectionTracker(enabled: c.trackRejections)
        breaker = CircuitBreaker(enabled: c.useBreaker, maxConsecutiveLosses: c.maxLosses, cooldown: .minutes(Int64(c.breakerMinutes)))
    }

    public var warmup: [Timeframe: Int] {
        let m5 = max(c.lookback, c.bbPeriod, MeanReversionReadings.rsiWindow, c.trendPeriod, 2 * c.adxPeriod, c.correlationLookback + 1)
        return [.m5: m5, .m1: c.volLookback + 1]
    }
    public var tradeHistory: Int { max(c.vwapLookback, Self.imbalanceTrades) }

    public var indicators: [String: Double] {
        var out: [String: Double] = [:]
        for (i, s) in symbols.enumerated() where telemetry[i].evaluated {
            let t = telemetry[i]
            for (k, v) in [("sma", t.sma), ("rsi", t.rsi), ("deviation_pct", t.deviation), ("imbalance", t.imbalance),
                           ("upper_band", t.upper), ("lower_band", t.lower), ("volatility_pct", t.volatility)] { out["\(k)_\(s)"] = v }
        }
        if let corr = correlation { out["xrp_btc_correlation"] = corr }
        return out
    }

    public var trendConfirmationCounts: [Symbol: Int] { Dictionary(uniqueKeysWithValues: zip(symbols, trendCounts)) }

    // MARK: Fills

    /// Every fill, engine exits included: wins reset the loss count, losses trip the breaker at the threshold (§10.2).
    public func onFill(_ fill: Fill, _ context: StrategyContext) { breaker.record(fill) }

    // MARK: Decision

    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        let now = snapshot.timestamp
        // W8: exits first, whatever gate is up.
        for (i, s) in symbols.enumerated() {
            if let exit = try exitSignal(i, s, snapshot, context) { return mark(exit, i, now) }
        }
        // §6.1 global gates (they restrict new exposure only).
        if breaker.isBlocking(now: now) { rejections.track(.circuitBreaker); return nil }
        if !c.perSymbolCooldown, let l = lastSignal, now - l < Self.seconds(c.globalCooldown) {
            rejections.track(.timeCooldown); return nil
        }
        for (i, s) in symbols.enumerated() {
            if c.perSymbolCooldown, let l = lastSignalBySymbol[i], now - l < Self.seconds(c.cooldown[i]) {
                rejections.track(.timeCooldown, symbol: s); continue
            }
            if let signal = try evaluate(i, s, snapshot, context) { return mark(signal, i, now) }
        }
        return nil
    }

    private func mark(_ s: Signal, _ i: Int, _ now: Timestamp) -> Signal {
        lastSignal = now
        lastSignalBySymbol[i] = now
        return s
    }

    static func seconds(_ s: Double) -> Interval { Interval(nanoseconds: Int64((s * 1e9).rounded())) }

    private func exposure(_ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) -> (usd: Double, position: Position)? {
        PositionExposure(s, snapshot, context).map { ($0.signedUSD, $0.position) }
    }

    /// Steps 11, 13, 14 for an open position: extremes, trailing stop, decayed take profit.
    private func exitSignal(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        guard let (usd, pos) = exposure(s, snapshot, context) else { extremes[i] = nil; return nil }
        guard let price = snapshot.price(s), price.isPositive else { return nil }
        let p = price.doubleValue, entry = pos.entryPrice.doubleValue
        let long = usd > 0
        if extremes[i]?.entry != pos.entryTime { extremes[i] = (pos.entryTime, entry, entry) }
        extremes[i]!.high = max(extremes[i]!.high, p)
        extremes[i]!.low = min(extremes[i]!.low, p)
        let close: SignalAction = long ? .sell : .cover
        if c.useTrailing, let stop = Self.trailingStop(entry: entry, long: long, high: extremes[i]!.high, low: extremes[i]!.low,
                                                        activation: c.trailingActivation, distance: c.trailingDistance),
           long ? p <= stop : p >= stop {
            return try Signal(action: close, symbol: s, size: .zero, price: price,
                              reason: "trailing stop \(Self.text(stop)) hit", closeFullPosition: true)
        }
        if c.useDecay {
            let age = Double((snapshot.timestamp - pos.entryTime).nanoseconds) / 60e9
            let mult = Self.decayMultiplier(ageMinutes: age, start: c.decayStart, interval: c.decayInterval, multipliers: c.decayMultipliers)
            if mult < 1 {
                let tp = c.takeProfit[i] * mult / 100
                let target = long ? entry * (1 + tp) : entry * (1 - tp)
                if long ? p >= target : p <= target {
                    return try Signal(action: close, symbol: s, size: .zero, price: price,
                                      reason: "position decay: take profit at \(Int((mult * 100).rounded()))% (\(Self.text(target)))",
                                      closeFullPosition: true)
                }
            }
        }
        return nil
    }

    /// The trailing stop once armed (§7.3), else nil.
    static func trailingStop(entry: Double, long: Bool, high: Double, low: Double, activation: Double, distance: Double) -> Double? {
        if long {
            guard (high - entry) / entry * 100 >= activation else { return nil }
            return high * (1 - distance / 100)
        }
        guard (entry - low) / entry * 100 >= activation else { return nil }
        return low * (1 + distance / 100)
    }

    /// §7.4: 1.0 before `start`, then the stage's multiplier (the last one sticks).
    static func decayMultiplier(ageMinutes age: Double, start: Double, interval: Double, multipliers: [Double]) -> Double {
        guard age >= start, !multipliers.isEmpty else { return 1 }
        let stage = min(multipliers.count - 1, Int(((age - start) / interval).rounded(.down)))
        return multipliers[stage]
    }

    /// Its own decline reasons (the shared ones are `StrategyRejection`).
    enum Decline: String { case lowCorrelation = "low_correlation", strongTrendADX = "strong_trend_adx", trendingMarket = "trending_market" }
    private func reject(_ r: Decline, _ s: Symbol) -> Signal? { rejections.track(r.rawValue, symbol: s); return nil }
    private func reject(_ r: StrategyRejection, _ s: Symbol) -> Signal? { rejections.track(r.rawValue, symbol: s); return nil }

    /// §6.2 for one pair (exits already done).
    private func evaluate(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        let candles = snapshot.candles(.m5, s)
        guard candles.count >= c.lookback else { return reject(.warmingUp, s) }
        guard let price = snapshot.price(s), price.isPositive else { return reject(.noPriceData, s) }
        readings[i].update(candles, c)
        let r = readings[i]
        // W18: the reference returned silently here; `count_silent_declines` counts it.
        guard let sma = r.sma, sma > 0, let rsi = r.rsi, let bands = r.bands, bands.lower > 0 else {
            return c.countSilent ? reject(.insufficientCandles, s) : nil
        }
        let p = price.doubleValue

        // 4. Volatility regime from 1m returns.
        var regime = MeanReversionRegime.medium
        if c.useRegimes {
            let m1 = snapshot.candles(.m1, s)
            let key = m1.newest.map { ($0.start, m1.count) }
            if volatility[i].key == nil || key == nil || volatility[i].key! != key! {
                var v = Volatility(lookback: c.volLookback)
                for k in max(0, m1.count - c.volLookback - 1)..<m1.count { _ = v.update(m1[k].close.doubleValue) }
                volatility[i] = (key, v.value)
            }
            let vol = volatility[i].value
            if let vol { regime = MeanReversionRegime(volatility: vol, c) } else { regime = c.insufficientIsMedium ? .medium : .low }
            telemetry[i].volatility = vol ?? 0
            if regime == .extreme && c.extremePause { return reject(.regimePause, s) }
        }

        // 5. Trend filter (counted per evaluation as the reference does, or per closed candle).
        if c.useTrend {
            let trending = abs(r.slope ?? 0) > c.trendSlopeThreshold
            let newest = candles.newest?.start
            if !c.trendPerCandle || trendCandle[i] != newest {
                trendCounts[i] = trending ? trendCounts[i] + 1 : 0
                trendCandle[i] = newest
            }
        }
        let confirmedTrend = c.useTrend && trendCounts[i] >= c.trendConfirmations

        // 6–8.
        let deviation = (p - sma) / sma * 100
        let threshold = c.deviation[i] * regime.thresholdMultiplier
        let adjusted = c.size[i] * regime.sizeMultiplier
        let imbalance = snapshot.tradeImbalance(s, n: Self.imbalanceTrades)
        let position = exposure(s, snapshot, context)?.usd ?? 0

        // 9. XRP/BTC: the XRP–BTC correlation pause.
        if s == Self.xrpBTC && c.useCorrelation {
            updateCorrelation(snapshot)
            if correlationPaused || (c.pauseOnUnknownCorrelation && correlation == nil) { return reject(Decline.lowCorrelation, s) }
        }
        // 10. ADX strong-trend filter (entries from flat only).
        if c.useADX && (s == Self.btcUSDT || c.adxAllSymbols) {
            if let adx = r.adx {
                adxBySymbol[s] = adx
                if adx > c.adxThreshold && position == 0 { return reject(Decline.strongTrendADX, s) }
            }
        }
        telemetry[i].sma = sma; telemetry[i].rsi = rsi; telemetry[i].deviation = deviation; telemetry[i].imbalance = imbalance
        telemetry[i].upper = bands.upper; telemetry[i].lower = bands.lower; telemetry[i].evaluated = true

        // 15. A confirmed trend blocks entries from flat.
        if confirmedTrend && position == 0 { return reject(Decline.trendingMarket, s) }

        let instrument = context.instruments[s]
        func level(_ x: Double) -> Price? { instrument?.price(x) ?? Price(rounding: x, toDecimals: 8) }
        let sl = c.stopLoss[i] / 100, tp = c.takeProfit[i] / 100
        let regimeText = c.useRegimes ? " regime \(regime.rawValue)" : ""
        let oversold = deviation < -threshold && rsi < c.rsiOversold[i] && p <= bands.lower * 1.005
        let overbought = deviation > threshold && rsi > c.rsiOverbought[i] && p >= bands.upper * 0.995
        let held = abs(position)
        // W5/W13: what may be added on the position's side; reductions never wait on these.
        let room = c.maxPosition[i] - held
        let addable = held < c.maxPosition[i] && min(adjusted, room) >= c.minTrade
        let addSize = min(adjusted, room)
        var flowRefused = false

        // 7.1 rule 2 while long, and rule 1 while short: reductions first (W13, W5).
        if position > 0 && overbought {
            if c.useTradeFlow && !(imbalance < -c.tradeFlowThreshold) { return noEntry("trade_flow_not_aligned", s) }
            return try reduce(.sell, s, price, adjusted, held, "overbought: deviation \(Self.text(deviation))% RSI \(Self.text(rsi))\(regimeText), closing the long")
        }
        if position < 0 && oversold {
            if c.useTradeFlow && !(imbalance > c.tradeFlowThreshold) { return noEntry("trade_flow_not_aligned", s) }
            return try reduce(.cover, s, price, adjusted, held, "oversold: deviation \(Self.text(deviation))% RSI \(Self.text(rsi))\(regimeText), covering the short")
        }
        // W6 (option): a confirmed trend blocks adds too, not only entries from flat.
        if c.blockAddsInTrend && confirmedTrend && position != 0 { return reject(Decline.trendingMarket, s) }
        // 16–17 for exposure-increasing entries.
        if !addable { return reject(held >= c.maxPosition[i] ? .maxPosition : .insufficientSize, s) }
        // 7.1 rule 0: the take profit must cover the round trip (W11 option: and the spread and slippage).
        let roundTrip = 2 * c.feeRate * 100 + (c.feeCheckCosts ? 2 * c.slippagePct + (snapshot.book(s).flatMap { $0.isTwoSided ? $0.spreadPct : nil } ?? 0) : 0)
        if c.checkFees && c.takeProfit[i] - roundTrip < c.minNetProfit { return noEntry(StrategyRejection.feeUnprofitable.rawValue, s) }
        if oversold && position >= 0 {
            if c.useTradeFlow && !(imbalance > c.tradeFlowThreshold) { flowRefused = true } else {
                return try Signal(action: .buy, symbol: s, sizeUSD: addSize, price: price,
                                  reason: "oversold: deviation \(Self.text(deviation))% RSI \(Self.text(rsi))\(regimeText)",
                                  stopLoss: level(p * (1 - sl)), takeProfit: level(p * (1 + tp)))
            }
        }
        if !flowRefused && overbought && position <= 0 {
            if c.useTradeFlow && !(imbalance < -c.tradeFlowThreshold) { flowRefused = true } else {
                return try Signal(action: .short, symbol: s, sizeUSD: addSize, price: price,
                                  reason: "overbought: deviation \(Self.text(deviation))% RSI \(Self.text(rsi))\(regimeText)",
                                  stopLoss: level(p * (1 + sl)), takeProfit: level(p * (1 - tp)))
            }
        }
        if flowRefused { return noEntry("trade_flow_not_aligned", s) }
        // Rule 3: VWAP reversion long (not while short: that would be a cover, which only rule 1 decides); with
        // `vwap_short_entries` its mirror while flat or short. W12 option `vwap_entry_checks`: the tape must agree and
        // the distance to the VWAP must beat the round trip.
        if let vwap = snapshot.vwap(s, n: c.vwapLookback), vwap > 0 {
            let vwapDeviation = (p - vwap) / vwap * 100
            let size = addSize * c.vwapSizeMultiplier
            let neutral = rsi > 40 && rsi < 60 && size >= c.minTrade
            let clears = !c.vwapChecks || abs(vwapDeviation) - roundTrip >= c.minNetProfit
            if position >= 0 && vwapDeviation < -c.vwapDeviation && neutral && clears {
                if c.vwapChecks && c.useTradeFlow && !(imbalance > c.tradeFlowThreshold) { return noEntry("trade_flow_not_aligned", s) }
                return try Signal(action: .buy, symbol: s, sizeUSD: size, price: price,
                                  reason: "VWAP reversion: \(Self.text(vwapDeviation))% below VWAP \(Self.text(vwap))\(regimeText)",
                                  stopLoss: level(p * (1 - sl)), takeProfit: level(vwap))
            }
            if c.vwapShorts && position <= 0 && vwapDeviation > c.vwapDeviation && neutral && clears {
                if c.vwapChecks && c.useTradeFlow && !(imbalance < -c.tradeFlowThreshold) { return noEntry("trade_flow_not_aligned", s) }
                return try Signal(action: .short, symbol: s, sizeUSD: size, price: price,
                                  reason: "VWAP reversion: \(Self.text(vwapDeviation))% above VWAP \(Self.text(vwap))\(regimeText)",
                                  stopLoss: level(p * (1 + sl)), takeProfit: level(vwap))
            }
        }
        return reject(.noSignalConditions, s)
    }

    /// A rejection inside the entry rules; the reference also counted `no_signal_conditions` for it (W9).
    private func noEntry(_ reason: String, _ s: Symbol) -> Signal? {
        rejections.track(reason, symbol: s)
        if !c.singleReason { rejections.track(.noSignalConditions, symbol: s) }
        return nil
    }

    /// A closing sell or cover of min(adjusted, held), the whole position when that is all of it.
    private func reduce(_ action: SignalAction, _ s: Symbol, _ price: Price, _ adjusted: Double, _ held: Double, _ reason: String) throws -> Signal? {
        // W13/W5: `min(adjusted, position)` must reach the minimum order too (the spec's rule; a smaller remainder is
        // left to the stops and the decay exits).
        if min(adjusted, held) < c.minTrade { return reject(.insufficientSize, s) }
        if adjusted >= held { return try Signal(action: action, symbol: s, size: .zero, price: price, reason: reason, closeFullPosition: true) }
        return try Signal(action: action, symbol: s, sizeUSD: adjusted, price: price, reason: reason)
    }

    /// §10.4: a new value when both legs have a new 5m candle; the pause flag is sticky while none can be computed.
    private func updateCorrelation(_ snapshot: DataSnapshot) {
        let a = snapshot.candles(.m5, Self.xrpUSDT), b = snapshot.candles(.m5, Self.btcUSDT)
        let key = (a.newest?.start, b.newest?.start)
        if correlationKey.0 == key.0 && correlationKey.1 == key.1 && key.0 != nil { return }
        correlationKey = key
        let n = c.correlationLookback + 1
        guard a.count >= n, b.count >= n else { correlation = nil; return }
        var corr = Correlation(window: c.correlationLookback, zeroVarianceValue: nil)
        for k in 0..<n { _ = corr.update((a[a.count - n + k].close.doubleValue, b[b.count - n + k].close.doubleValue)) }
        guard let v = corr.value else { correlation = nil; return }
        correlation = v
        correlationHistory.append(v)
        if correlationHistory.count > 100 { correlationHistory.removeFirst() }
        if v < c.correlationWarn { correlationWarned = true }
        correlationPaused = c.correlationPauseEnabled && v < c.correlationPause
    }

    static func text(_ v: Double) -> String {
        let x = (v * 10_000).rounded() / 10_000
        return "\(x)"
    }
}
