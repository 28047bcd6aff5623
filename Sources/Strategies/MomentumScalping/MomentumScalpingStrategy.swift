import Foundation
import Indicators
import TradingCore

/// One-minute momentum scalper (momentum_scalping.md, code 2.1.1): enters on fast RSI turns and MACD(6,13,5)
/// crossovers in the direction of the 1m EMA 8/21/50 ribbon (and the 5m EMA 50 when the pair has 5m candles),
/// confirmed by above-average volume and the tape; targets a few tenths of a percent with half that as the stop and
/// holds at most 3 minutes. Pauses in EXTREME volatility, in a strong BTC ADX trend, and on XRP/BTC when XRP and BTC
/// decouple.
///
/// Where it differs from the reference (MUST): the volume ratio is computed from candle volumes (MS-W1: the reference's
/// is always 1.0, so it never traded); the trailing stop follows the price every tick (MS-W2); exits are evaluated
/// before the breaker and the cooldown (MS-W6); 101 5m candles are kept so the correlation pause can engage (MS-W3);
/// positions are booked in USD from every fill, engine exits included (MS-W11); exits close the whole position.
/// Options (reference by default): `pause_on_unknown_correlation` (MS-W3), `candle_based_prev_rsi` (MS-W8),
/// `pnl_tolerance_pct` (MS-W12). The monitoring module (§13) is not built: it never influenced trading.
///
/// Not ready (resolution 59): fewer than 51 1m candles → `warming_up`; RSI missing → no momentum; a missing EMA → not
/// aligned; fewer than `volume_lookback` candles or a zero mean volume → ratio 1.0; volatility missing → 0 (LOW); ATR
/// missing → no trailing stop; ADX missing → no filter; correlation undefined → the previous pause flag (false at
/// first); no trades → imbalance 0.
public final class MomentumScalpingStrategy: Strategy {
    public static let name = "momentum_scalping"
    public static let version = "2.1.1"
    public static let summary = "1m momentum scalper: RSI turns and MACD crosses with the EMA ribbon, volume and the tape; 3-minute holds."
    public static let defaultSymbols = [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!, Symbol("XRP/BTC")!]
    public static var parameters: [ParameterSpec] { MomentumScalpingConfig.specs }
    public static var symbolDefaults: [Symbol: [String: String]] { MomentumScalpingConfig.symbolDefaults }

    static let xrpUSDT = Symbol("XRP/USDT")!, btcUSDT = Symbol("BTC/USDT")!, xrpBTC = Symbol("XRP/BTC")!

    /// Its own decline reasons (the shared ones are `StrategyRejection`).
    enum Decline: String {
        case correlationBreakdown = "correlation_breakdown", adxStrongTrend = "adx_strong_trend", trendNotAligned = "trend_not_aligned"
        case timeframeMisalignment = "timeframe_misalignment", volumeNotConfirmed = "volume_not_confirmed"
    }

    enum Regime: String { case low = "LOW", medium = "MEDIUM", high = "HIGH", extreme = "EXTREME" }

    /// What the candles alone decide, once per candle.
    struct CandleReading {
        var key: [Int64]
        var count = 0
        var emaFast, emaSlow, emaFilter: Double?
        var rsi: Double?
        /// The RSI one candle earlier (the `candle_based_prev_rsi` option).
        var rsiBefore: Double?
        var macd: MACD.Value?, macdPrevious: MACD.Value?
        var volumeRatio = 1.0
        var volatility: Double?
        var atr: Double?
        var adx: Double?
        var lastClose: Double?
    }

    /// One pair's evaluation on one tick.
    struct Reading {
        var candles: CandleReading
        var price: Double
        var regime: Regime
        var imbalance: Double
    }

    struct Momentum: Equatable {
        var long = false, short = false
        var strength = 0.0
        var reasons: [String] = []
    }

    let symbols: [Symbol]
    let c: MomentumScalpingConfig
    public let startupWarnings: [String]
    public private(set) var rejections = RejectionTracker()
    var book: RecordedPositions
    private var breaker: CircuitBreaker
    public internal(set) var lastSignalTime: Timestamp?
    public private(set) var status: [String]
    private var candleCache: [CandleReading?]
    /// Per pair: the RSI at its previous evaluation that reached the indicator stage (§5), and on which tick that
    /// evaluation's previous value was taken (so the exit pass and the entry pass of one tick agree).
    private var lastRSI: [Double?]
    private var prevTaken: [(Timestamp, Double?)?]
    private var evaluated: [(Timestamp, Reading)?]
    public private(set) var correlation: Double?
    public private(set) var correlationHistory: [Double] = []
    public private(set) var correlationWarned = false
    public private(set) var correlationPaused = false
    private var correlationKey: [Int64] = []
    public private(set) var adxBySymbol: [Symbol: Double] = [:]

    public init(parameters p: StrategyParameters, symbols: [Symbol]) throws {
        self.symbols = symbols
        c = MomentumScalpingConfig(p, symbols: symbols)
        startupWarnings = c.warnings
        rejections = RejectionTracker(enabled: c.trackRejections)
        book = RecordedPositions(symbols: symbols)
        breaker = CircuitBreaker(enabled: c.useBreaker, maxConsecutiveLosses: c.maxLosses, cooldown: .minutes(Int64(c.breakerMinutes)))
        status = Array(repeating: "initialized", count: symbols.count)
        candleCache = Array(repeating: nil, count: symbols.count)
        lastRSI = Array(repeating: nil, count: symbols.count)
        prevTaken = Array(repeating: nil, count: symbols.count)
        evaluated = Array(repeating: nil, count: symbols.count)
    }

    public var warmup: [Timeframe: Int] { [.m1: max(100, c.warmupCandles), .m5: max(c.correlationLookback + 1, c.ema5Period)] }
    public var tradeHistory: Int { 100 }

    public var indicators: [String: Double] {
        var out: [String: Double] = [:]
        if let r = correlation { out["xrp_btc_correlation"] = r }
        for (i, s) in symbols.enumerated() {
            guard let (_, r) = evaluated[i] else { continue }
            let cr = r.candles
            for (k, v) in [("rsi", cr.rsi), ("ema_fast", cr.emaFast), ("ema_slow", cr.emaSlow), ("ema_filter", cr.emaFilter), ("atr", cr.atr),
                           ("adx", cr.adx), ("volatility", cr.volatility), ("volume_ratio", cr.volumeRatio), ("imbalance", r.imbalance)] {
                if let v { out["\(k)_\(s)"] = v }
            }
        }
        return out
    }

    public func onFill(_ fill: Fill, _ context: StrategyContext) {
        breaker.record(fill)
        book.record(fill, remaining: context.portfolio.position(fill.symbol))
    }

    private func reject(_ r: StrategyRejection, _ s: Symbol?) -> Signal? { rejections.track(r.rawValue, symbol: s); return nil }
    private func reject(_ r: Decline, _ s: Symbol) -> Signal? { rejections.track(r.rawValue, symbol: s); return nil }

    // MARK: Decision (§6, the Swift order: correlation, exit pass, gates, entry pass)

    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        let now = snapshot.timestamp
        if c.useCorrelation { updateCorrelation(snapshot) }
        for (i, s) in symbols.enumerated() where book.entries[i] != nil && book.notional[i] > 0 {
            if let exit = try exitSignal(i, s, snapshot) { return emit(exit, i, now, "exit_signal") }
        }
        if breaker.isBlocking(now: now) { return reject(.circuitBreaker, nil) }
        if let last = lastSignalTime, Double((now - last).nanoseconds) < c.cooldown * 1e9 { return reject(.timeCooldown, nil) }
        for (i, s) in symbols.enumerated() {
            if let entry = try entrySignal(i, s, snapshot) { return emit(entry, i, now, "signal_generated") }
        }
        return nil
    }

    private func emit(_ sig: Signal, _ i: Int, _ now: Timestamp, _ st: String) -> Signal {
        lastSignalTime = now
        status[i] = st
        return sig
    }

    /// §5: XRP/USDT and BTC/USDT 5m returns; the flag keeps its value while undefined (MS-W3, unless the option).
    private func updateCorrelation(_ snapshot: DataSnapshot) {
        let a = snapshot.candles(.m5, Self.xrpUSDT), b = snapshot.candles(.m5, Self.btcUSDT)
        let key: [Int64] = [Int64(a.count), a.newest?.start.nanoseconds ?? 0, Int64(b.count), b.newest?.start.nanoseconds ?? 0]
        guard key != correlationKey else { return }
        correlationKey = key
        let n = c.correlationLookback + 1
        var r: Double?
        if a.count >= n, b.count >= n {
            var corr = Correlation(window: c.correlationLookback, zeroVarianceValue: nil)
            for k in 0..<n { r = corr.update((a[a.count - n + k].close.doubleValue, b[b.count - n + k].close.doubleValue)) }
        }
        if let r {
            let v = min(1, max(-1, r))
            correlation = v
            correlationHistory.append(v)
            if correlationHistory.count > 100 { correlationHistory.removeFirst(correlationHistory.count - 100) }
            if v < c.correlationWarn { correlationWarned = true }
            correlationPaused = c.correlationPauseEnabled && v < c.correlationPause
        } else if c.pauseOnUnknown {
            correlationPaused = true
        }
    }

    /// The candle readings of a pair (per candle), then the tick's: price, regime, previous RSI (once per tick).
    func reading(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) -> Reading? {
        let now = snapshot.timestamp
        if let (t, r) = evaluated[i], t == now { return r }
        let m1 = snapshot.candles(.m1, s)
        let key: [Int64] = [Int64(m1.count), m1.newest?.start.nanoseconds ?? 0]
        let cr: CandleReading
        if let cached = candleCache[i], cached.key == key { cr = cached } else { cr = candleReading(i, m1, key); candleCache[i] = cr }
        guard let price = snapshot.price(s).flatMap({ $0.isPositive ? $0.doubleValue : nil }) ?? cr.lastClose else { return nil }
        let vol = cr.volatility ?? 0
        let regime: Regime = !c.useRegimes ? .medium : vol < c.regimeLow ? .low : vol < c.regimeMedium ? .medium : vol < c.regimeHigh ? .high : .extreme
        var imbalance = 0.0
        if c.useFlow { imbalance = snapshot.tradeImbalance(s, n: 50) }   // size-weighted, no minimum count (MS-W10)
        let r = Reading(candles: cr, price: price, regime: regime, imbalance: imbalance)
        evaluated[i] = (now, r)
        if let a = cr.adx { adxBySymbol[s] = a }
        return r
    }

    /// §5's `prev_rsi`: taken (and the RSI stored) once per tick, by the evaluation that reaches the indicator stage
    /// (an entry pass refused by the warm-up or the regime pause does not).
    private func previousRSI(_ i: Int, _ r: Reading, now: Timestamp) -> Double? {
        if c.candlePrevRSI { return r.candles.rsiBefore }
        if let (t, prev) = prevTaken[i], t == now { return prev }
        let prev = lastRSI[i]
        lastRSI[i] = r.candles.rsi
        prevTaken[i] = (now, prev)
        return prev
    }

    private func candleReading(_ i: Int, _ m1: RingBuffer<Candle>, _ key: [Int64]) -> CandleReading {
        var r = CandleReading(key: key, count: m1.count)
        guard m1.count > 0 else { return r }
        var ef = EMA(period: c.emaFast[i]), es = EMA(period: c.emaSlow[i]), eF = EMA(period: c.emaFilter[i])
        var rsi = RSI(period: c.rsiPeriod[i], flatValue: 50)
        var macd = MACD(fast: c.macdFast, slow: c.macdSlow, signal: c.macdSignal, seeding: .independentEMAs)
        var vol = Volatility(lookback: c.volLookback), atr = ATR(period: 14)
        var adx = ADX(period: c.adxPeriod, seeding: .meanOfFirstPeriod)
        var volumes = VolumeRatio(lookback: c.volumeLookback)
        var ratio: Double?
        for k in 0..<m1.count {
            let x = m1[k], close = x.close.doubleValue
            if k == m1.count - 1 { r.rsiBefore = rsi.value }
            _ = ef.update(close); _ = es.update(close); _ = eF.update(close); _ = rsi.update(close); _ = macd.update(close); _ = vol.update(close)
            let bar = HLC(high: x.high.doubleValue, low: x.low.doubleValue, close: close)
            _ = atr.update(bar); _ = adx.update(bar)
            ratio = volumes.update(x.volume.doubleValue)
        }
        r.emaFast = ef.value; r.emaSlow = es.value; r.emaFilter = eF.value; r.rsi = rsi.value
        r.macd = macd.value; r.macdPrevious = macd.previous
        r.volatility = vol.value; r.atr = atr.value; r.adx = adx.value?.adx
        r.volumeRatio = m1.count >= c.volumeLookback ? (ratio ?? 1) : 1   // §5: 1.0 while short or with a zero mean
        r.lastClose = m1.newest?.close.doubleValue
        return r
    }

    /// §5's momentum signal.
    static func momentum(rsi: Double?, prev: Double?, crossover: MACD.Crossover?, overbought ob: Double, oversold os: Double) -> Momentum {
        guard let rsi else { return Momentum() }
        var m = Momentum()
        var total = 0.0
        if let prev {
            if prev < os && rsi >= os { m.long = true; total += 0.5; m.reasons.append("RSI crossed above \(Int(os))") }
            else if 40 < rsi && rsi < 60 && rsi > prev { m.long = true; total += 0.25; m.reasons.append("RSI momentum rising in mid-range") }
            if prev > ob && rsi <= ob { m.short = true; total += 0.5; m.reasons.append("RSI crossed below \(Int(ob))") }
            else if 40 < rsi && rsi < 60 && rsi < prev { m.short = true; total += 0.25; m.reasons.append("RSI momentum falling in mid-range") }
        }
        if crossover == .bullish {
            if m.long { total += 0.25; m.reasons.append("MACD bullish crossover confirms") } else { m.long = true; total += 0.4; m.reasons.append("MACD bullish crossover") }
        } else if crossover == .bearish {
            if m.short { total += 0.25; m.reasons.append("MACD bearish crossover confirms") } else { m.short = true; total += 0.4; m.reasons.append("MACD bearish crossover") }
        }
        m.strength = min(1, total)   // one number for both directions (MS-W9, as the reference)
        return m
    }

    /// The histogram's sign change (§5: previous < 0 and current ≥ 0 is bullish; previous > 0 and current ≤ 0 bearish).
    static func crossover(_ v: MACD.Value?, previous p: MACD.Value?) -> MACD.Crossover? {
        guard let v, let p else { return nil }
        if p.histogram < 0 && v.histogram >= 0 { return .bullish }
        if p.histogram > 0 && v.histogram <= 0 { return .bearish }
        return nil
    }

    /// §8, first match; pnl from the recorded entry, the extremes moved by the price first (MS-W2).
    func exitSignal(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) throws -> Signal? {
        guard let r = reading(i, s, snapshot) else { return nil }
        _ = previousRSI(i, r, now: snapshot.timestamp)
        book.track(i, price: r.price)
        guard let e = book.entries[i], e.entryPrice > 0, let px = Price(rounding: r.price, toDecimals: 12) else { return nil }
        let long = e.side == .long, p = r.price, eps = c.pnlTolerance
        let pnl = (long ? p - e.entryPrice : e.entryPrice - p) / e.entryPrice * 100
        let age = Double((snapshot.timestamp - e.entryTime).nanoseconds) / 1e9
        let ready = r.candles.count >= c.warmupCandles
        var exit: (type: String, meta: [String: String])?
        if pnl <= -c.stopLoss[i] + eps { exit = ("stop_loss", [:]) }
        else if pnl >= c.takeProfit[i] - eps { exit = ("take_profit", [:]) }
        if exit == nil, c.useTrailing, ready, let atr = r.candles.atr, pnl >= c.trailActivation - eps {
            let trail = long ? e.highest - c.trailMult * atr : e.lowest + c.trailMult * atr
            if long ? (trail > e.entryPrice && p <= trail) : (trail < e.entryPrice && p >= trail) {
                exit = ("trailing_stop", [long ? "highest_price" : "lowest_price": Self.fixed(long ? e.highest : e.lowest, 8),
                                          "trail_price": Self.fixed(trail, 8), "atr": Self.fixed(atr, 8)])
            }
        }
        if exit == nil, ready, let rsi = r.candles.rsi, long ? rsi > c.rsiOverbought : rsi < c.rsiOversold {
            if pnl > 0 { exit = ("momentum_exhaustion", [:]) }
            else if c.breakevenExit && pnl >= -c.breakevenTolerance - eps { exit = ("momentum_breakeven", [:]) }
        }
        if exit == nil, age > c.maxHold { exit = ("time_exit", ["position_age": Self.fixed(age, 1)]) }
        if exit == nil, ready, pnl > 0, let ema = r.candles.emaFast, long ? p < ema : p > ema { exit = ("ema_cross", ["ema_fast": Self.fixed(ema, 8)]) }
        guard let exit else { return nil }
        var meta = exit.meta
        meta["exit_type"] = exit.type; meta["entry_price"] = Self.fixed(e.entryPrice, 8); meta["pnl_pct"] = Self.fixed(pnl, 2)
        let size = Money(rounding: book.notional[i], toDecimals: 8) ?? .zero
        return try Signal(action: long ? .sell : .cover, symbol: s, size: size, price: px,
                          reason: "MS: Exit \(long ? "long" : "short") - \(exit.type) (pnl=\(Self.fixed(pnl, 2))%)", metadata: meta, closeFullPosition: true)
    }

    /// §6 evaluate(symbol) steps 1–14 without the exits.
    func entrySignal(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) throws -> Signal? {
        let m1 = snapshot.candles(.m1, s)
        guard m1.count >= c.warmupCandles else { status[i] = "warming_up"; return reject(.warmingUp, s) }
        guard let r = reading(i, s, snapshot) else { status[i] = "no_price_data"; return reject(.noPriceData, s) }
        if r.regime == .extreme && c.extremePause { status[i] = "regime_pause"; return reject(.regimePause, s) }
        let regimeMult: Double = switch r.regime { case .low, .medium: 1; case .high: 0.75; case .extreme: c.extremeSize }
        let sessionMult = c.useSessions ? c.sessionSizeMult[c.sessions.session(at: snapshot.timestamp)] ?? 1 : 1
        let adjusted = c.size[i] * regimeMult * sessionMult
        status[i] = "active"
        if book.notional[i] > 0 { status[i] = "existing_position"; return reject(.existingPosition, s) }
        let room = c.caps.available(adjusted, pair: i, book: book)
        guard let available = room.size else { status[i] = "position_limit_\(room.block!.rawValue)"; return reject(.maxPosition, s) }
        if c.useFeeCheck && c.takeProfit[i] - 2 * c.feeRate * 100 < c.minProfitAfterFees { status[i] = "not_fee_profitable"; return reject(.feeUnprofitable, s) }
        if s == Self.xrpBTC && correlationPaused { status[i] = "correlation_breakdown"; return reject(Decline.correlationBreakdown, s) }
        if c.useADX && (!c.adxBTCOnly || s == Self.btcUSDT), let adx = r.candles.adx, adx > c.adxThreshold {
            status[i] = "adx_strong_trend"; return reject(Decline.adxStrongTrend, s)
        }
        // §5: the regime-widened entry bands.
        let (ob, os) = r.regime == .high || r.regime == .extreme ? (c.highOverbought, c.highOversold) : (c.rsiOverbought, c.rsiOversold)
        let m = Self.momentum(rsi: r.candles.rsi, prev: previousRSI(i, r, now: snapshot.timestamp), crossover: Self.crossover(r.candles.macd, previous: r.candles.macdPrevious),
                              overbought: ob, oversold: os)
        let long: Bool
        if m.long && m.strength > 0 { long = true } else if m.short && m.strength > 0 { long = false } else {
            status[i] = "no_signal"; return reject(.noSignalConditions, s)
        }
        let tag = long ? "long" : "short"
        let cr = r.candles
        if c.requireAlignment {
            let aligned: Bool
            if let f = cr.emaFilter, let fast = cr.emaFast, let slow = cr.emaSlow {
                aligned = long ? (r.price > f && fast > slow) : (r.price < f && fast < slow)
            } else { aligned = false }
            if !aligned { status[i] = "trend_not_aligned_\(tag)"; return reject(Decline.trendNotAligned, s) }
        }
        let m5 = snapshot.candles(.m5, s)
        if c.use5m && m5.count > 0 {
            var ok = false
            if m5.count >= c.ema5Period {
                var e = EMA(period: c.ema5Period)
                for k in 0..<m5.count { _ = e.update(m5[k].close.doubleValue) }
                if let v = e.value { ok = long ? r.price > v : r.price < v }
            }
            if !ok { status[i] = "timeframe_misalignment_\(tag)"; return reject(Decline.timeframeMisalignment, s) }   // MS-W4 kept
        }
        if c.requireVolume && cr.volumeRatio < c.volumeThreshold[i] { status[i] = "volume_not_confirmed_\(tag)"; return reject(Decline.volumeNotConfirmed, s) }
        if c.useFlow && (long ? r.imbalance < c.flowThreshold : r.imbalance > -c.flowThreshold) {
            status[i] = "trade_flow_misalignment_\(tag)"; return reject(.tradeFlowNotAligned, s)   // resolution 31's spelling
        }
        guard let size = c.caps.exposure(available, side: long ? .long : .short, pair: i, book: book) else {
            status[i] = "correlation_limit"; return reject(.correlationLimit, s)
        }
        let p = r.price, sl = c.stopLoss[i] / 100, tp = c.takeProfit[i] / 100
        guard let px = Price(rounding: p, toDecimals: 12) else { return nil }
        let reason = "MS: \(long ? "Long" : "Short") (\(m.reasons.prefix(2).joined(separator: ", ")), vol=\(Self.fixed(cr.volumeRatio, 1))x, \(r.regime.rawValue))"
        return try Signal(action: long ? .buy : .short, symbol: s, sizeUSD: size, price: px, reason: reason,
                          stopLoss: Price(rounding: long ? p * (1 - sl) : p * (1 + sl), toDecimals: 12),
                          takeProfit: Price(rounding: long ? p * (1 + tp) : p * (1 - tp), toDecimals: 12),
                          metadata: ["entry_type": long ? "momentum_long" : "momentum_short", "rsi": cr.rsi.map { Self.fixed($0, 2) } ?? "null",
                                     "signal_strength": Self.fixed(m.strength, 2)])
    }

    static func fixed(_ v: Double, _ d: Int) -> String { String(format: "%.\(d)f", v) }
}
