import Indicators
import TradingCore

/// Mean reversion of the XRP/BTC cross rate (ratio_trading.md, code 4.3.1): buys XRP with BTC when the ratio's
/// z-score on 1m closes is below −entry, sells when it is above +entry, takes half off near the mean, with a trailing
/// stop and an old-position exit; pauses on EXTREME volatility, wide books and weak XRP–BTC correlation.
///
/// Where it differs from the reference ([FIX]): sizes are USD, converted to BTC by the engine at BTC's USD price, so
/// a 15 USD order buys 15 USD of XRP, not 660,000 XRP (W3); the position is the portfolio's (XRP and its USD value at
/// BTC/USD), engine exits included (W2, W13), and fills before the first evaluation use `btc_price_fallback` (W10);
/// the trailing, decay and mean-reversion exits run before every gate, and exits and the reducing sell are sized
/// from `position_size_usd × size_mult`, not from the entry allowance left under the cap (W5, resolution 24). A sell
/// while flat is skipped (`no_inventory`): a cash-only portfolio holds no XRP to sell (resolution 34). The fee check
/// is off by default (resolution 35: with the reference's 0.6 % take profit and 0.26 % fees it refuses every entry,
/// W1); `profiles/reference.yaml` turns it back on.
///
/// Not-ready readings (resolution 59): volatility nil (fewer than lookback + 1 closes) → 0 → LOW; bands nil (fewer
/// than `lookback_periods` closes) → no decision, silently (W9); σ = 0 → z = 0; RSI nil → 50 (neutral); trend
/// strength nil → not strong; correlation nil (too little history, or a series that does not move) → reported 0, no
/// pause.
public final class RatioTradingStrategy: Strategy {
    public static let name = "ratio_trading"
    public static let version = "4.3.1"
    public static let summary = "XRP/BTC ratio mean reversion: z-score on 1m closes, RSI and trend filters, correlation pause."
    public static let defaultSymbols = [Symbol("XRP/BTC")!]
    public static var parameters: [ParameterSpec] { RatioTradingConfig.specs }

    let c: RatioTradingConfig
    let pair: Symbol
    let trades: Bool
    public let startupWarnings: [String]
    public private(set) var rejections = RejectionTracker()

    var breaker: CircuitBreaker
    var lastSignal: Timestamp?
    /// Zones that already took their partial exit: exits pass every gate (the cooldown included), so without this a
    /// long would be sold half, then a quarter… on consecutive ticks of one visit to the mean. A zone re-arms on the
    /// first tick outside it, and all re-arm on a new entry.
    var spentZones: Set<ExitZone> = []
    enum ExitZone: Hashable { case decay, mean, stretched }
    /// Newest closes (≤ 50), the BTC/USD samples (reference correlation series, ≤ 50), correlations (≤ 20).
    public private(set) var priceHistory: [Double] = []
    public internal(set) var btcHistory: [Double] = []
    public internal(set) var correlationHistory: [Double] = []
    public private(set) var correlation = 0.0, correlationSlope = 0.0
    public private(set) var correlationWarnings = 0, correlationTrendWarnings = 0
    public internal(set) var lastBTCUSD: Double?
    public private(set) var exitCounts: [String: Int] = [:]
    public private(set) var signalCount = 0
    /// From fills (W2's rule: value = size × price × BTC/USD).
    public private(set) var xrpAccumulated = 0.0, btcAccumulated = 0.0, xrpAccumulatedUSD = 0.0, btcAccumulatedUSD = 0.0
    public private(set) var wins = 0, losses = 0, fills = 0
    private var historyKey: (Timestamp, Int)?
    private var lastZ = 0.0, lastRSI = 50.0, lastVol = 0.0

    enum Regime: String { case low = "LOW", medium = "MEDIUM", high = "HIGH", extreme = "EXTREME" }

    public init(parameters p: StrategyParameters, symbols: [Symbol]) throws {
        c = try RatioTradingConfig(p)
        pair = RatioTradingConfig.pair
        trades = symbols.contains(pair)
        var w = RatioTradingConfig.warnings(c, p)
        if !trades { w.append("ratio_trading trades XRP/BTC only; the session's pairs (\(symbols.map(\.text).joined(separator: ", "))) leave it idle") }
        startupWarnings = w
        rejections = RejectionTracker(enabled: c.trackRejections)
        breaker = CircuitBreaker(enabled: c.useBreaker, maxConsecutiveLosses: c.maxLosses, cooldown: .minutes(Int64(c.breakerMinutes)))
    }

    public var warmup: [Timeframe: Int] { [.m1: max(50, c.lookback, c.volLookback + 1, c.correlationLookback + 1)] }

    public var indicators: [String: Double] {
        ["z_score": lastZ, "rsi": lastRSI, "volatility": lastVol, "xrp_btc_correlation": correlation,
         "xrp_accumulated": xrpAccumulated, "btc_accumulated": btcAccumulated]
    }

    public func onFill(_ fill: Fill, _ context: StrategyContext) {
        breaker.record(fill)
        guard fill.symbol == pair else { return }
        if fill.side == .buy { spentZones.removeAll() }   // a new entry: its exits are due again
        fills += 1
        if fill.pnl.isPositive { wins += 1 } else if fill.pnl.isNegative { losses += 1 }
        let btcUSD = lastBTCUSD ?? c.btcFallback   // W10: no crash before the first evaluation
        let xrp = fill.size.doubleValue, btc = xrp * fill.price.doubleValue
        if fill.side == .buy { xrpAccumulated += xrp; xrpAccumulatedUSD += btc * btcUSD }
        if fill.side == .sell { btcAccumulated += btc; btcAccumulatedUSD += btc * btcUSD }
    }

    /// §2's bookkeeping conversion: `usd / btcUSD` BTC buys that much over `price` XRP; 0 unless every input is positive.
    static func xrpAmount(usd: Double, btcUSD: Double, price: Double) -> Double {
        guard usd > 0, btcUSD > 0, price > 0 else { return 0 }
        return usd / btcUSD / price
    }

    /// The first positive price among `btc_price_symbols`, else the fallback (§2).
    func btcUSD(_ snapshot: DataSnapshot) -> Double {
        for s in c.btcSymbols { if let p = snapshot.price(s), p.isPositive { return p.doubleValue } }
        return c.btcFallback
    }

    /// Its own decline reasons (the shared ones are `StrategyRejection`).
    enum Decline: String {
        case spreadTooWide = "spread_too_wide", strongTrendDetected = "strong_trend_detected", rsiNotConfirmed = "rsi_not_confirmed"
        case noInventory = "no_inventory", reductionTaken = "reduction_taken"
        case correlationTooLow = "correlation_too_low", correlationDeclining = "correlation_declining"
    }
    private func reject(_ r: Decline) { rejections.track(r.rawValue, symbol: pair) }
    private func reject(_ r: StrategyRejection) { rejections.track(r.rawValue, symbol: pair) }
    private func filtered(_ r: Decline) {
        reject(r)
        if !c.singleReason { reject(.noSignalConditions) }   // W11: the reference counts both
    }

    // MARK: Decision

    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        guard trades else { return nil }
        let now = snapshot.timestamp
        guard let livePrice = snapshot.price(pair), livePrice.isPositive else { reject(.noPriceData); return nil }
        let price = livePrice.doubleValue
        updateHistory(snapshot, price)
        let btc = btcUSD(snapshot)
        lastBTCUSD = btc
        if c.useCorrelation && c.correlationSeries == .reference {
            btcHistory.append(btc)
            if btcHistory.count > 50 { btcHistory.removeFirst(btcHistory.count - 50) }
        }
        guard priceHistory.count >= c.minCandles else { reject(.warmingUp); return nil }
        guard priceHistory.count >= c.lookback else {   // W9: the reference returns nothing, silently
            if c.countSilent { reject(.insufficientCandles) }
            return nil
        }
        let h = historyReadings()
        guard let band = h.band else { return nil }
        let zPrice = c.zOnClose ? priceHistory.last! : price
        let z = zScore(zPrice, mean: band.middle, stddev: band.stddev)
        lastZ = z
        let volatility = h.volatility
        lastVol = volatility
        let regime: Regime = !c.useRegimes ? .medium : volatility < c.regimeLow ? .low : volatility < c.regimeMedium ? .medium
            : volatility < c.regimeHigh ? .high : .extreme
        let (thresholdMult, sizeMult): (Double, Double) = switch regime {
        case .low: (0.8, 1.0); case .medium: (1.0, 1.0); case .high: (1.3, 0.8); case .extreme: (1.5, 0.5)
        }
        let E = c.entry * thresholdMult
        let adjusted = c.size * sizeMult
        let position = PositionExposure(pair, snapshot, context).flatMap { $0.side == .long ? $0 : nil }
        let held = position?.usd ?? 0
        let pos = position?.position

        // Exits first, through every gate (W5, resolution 24); a partial one once per visit to its zone.
        let minutesHeld = pos.map { Double((now - $0.entryTime).nanoseconds) / 60e9 } ?? 0
        let inZone: [ExitZone: Bool] = [.decay: c.useDecay && minutesHeld >= c.decayMinutes && abs(z) < c.exit * 1.5,
                                        .mean: abs(z) < c.exit && abs(z) <= E, .stretched: z > E]
        for (zone, inside) in inZone where !inside { spentZones.remove(zone) }
        func partial(_ zone: ExitZone, _ s: Signal?) -> Signal? {
            if let s, !s.closeFullPosition { spentZones.insert(zone) }
            return s
        }
        if let pos, held > 0 {
            let entry = pos.entryPrice.doubleValue
            let high = max(pos.highestPrice.doubleValue, price)
            if c.useTrailing, entry > 0, (high - entry) / entry * 100 >= c.trailingActivation {
                let stop = high * (1 - c.trailingDistance / 100)
                if price <= stop, let s = try exit(min(adjusted, held), held, livePrice, "trailing stop \(Self.text(stop))",
                                                   ["signal_type": "trailing_stop", "trailing_stop_price": Self.fixed(stop, 8), "exit_reason": "trailing_stop"], now) {
                    exitCounts["trailing_stop", default: 0] += 1
                    return s
                }
            }
            let minutes = minutesHeld
            if inZone[.decay]!, !spentZones.contains(.decay) {
                let size = c.fullExits ? held : min(adjusted, held * 0.5)
                if let s = partial(.decay, try exit(size, held, livePrice, "old position (\(Self.fixed(minutes, 1)) min) near the mean",
                                                    ["signal_type": "position_decay", "minutes_held": Self.fixed(minutes, 1), "z_score": Self.fixed(z, 3),
                                                     "exit_reason": "position_decay"], now)) {
                    exitCounts["position_decay", default: 0] += 1
                    return s
                }
            }
            if inZone[.mean]!, !spentZones.contains(.mean) {
                let size = c.fullExits ? held : min(adjusted, held * 0.5)
                if let s = partial(.mean, try exit(size, held, livePrice, "back at the mean: z \(Self.fixed(z, 3))",
                                                   ["signal_type": "exit", "z_score": Self.fixed(z, 3)], now)) { return s }
            }
        }

        let rsi = h.rsi
        lastRSI = rsi
        let trend = h.trend
        let flow = c.useFlow ? TradeFlow(snapshot.trades(pair).suffix(50).map { FlowTrade($0) }, lookback: 50).imbalance : 0
        let sl = c.stopLoss / 100, tp = c.takeProfit / 100
        let meta = ["strategy": Self.name, "signal_type": "entry", "z_score": Self.fixed(z, 3), "regime": regime.rawValue]

        // The z > E sell while long reduces the position: exempt from the gates (resolution 24) and from the cap and size
        // gates (W5), still confirmed by the trend, RSI and flow like the entry it mirrors.
        if z > E && held > 0 && !spentZones.contains(.stretched) {
            if trend?.isTrending == true && trend?.direction == .up { filtered(.strongTrendDetected); return nil }
            if c.useRSI && rsi < c.rsiOverbought { filtered(.rsiNotConfirmed); return nil }
            if c.useFlow && !(flow < -c.flowThreshold) { reject(.tradeFlowNotAligned); return nil }
            let size = min(adjusted, held)
            guard size >= c.minTrade else { reject(.insufficientSize); return nil }
            return partial(.stretched, try signal(.sell, size, held, livePrice, "ratio stretched up: z \(Self.fixed(z, 3)) > \(Self.fixed(E, 3))",
                                                  sl: price * (1 + sl), tp: price * (1 - tp), meta, now))
        }

        // Gates (§6 steps 2–3, 7–8, 10–11).
        if breaker.isBlocking(now: now) { reject(.circuitBreaker); return nil }
        if let l = lastSignal, now - l < Interval(nanoseconds: Int64((c.cooldown * 1e9).rounded())) { reject(.timeCooldown); return nil }
        if c.useSpread, let book = snapshot.book(pair), book.isTwoSided {
            let spread = book.spreadPct
            if spread > 0 && (spread > c.maxSpread || c.takeProfit < spread * c.minProfitabilityMult) { reject(Decline.spreadTooWide); return nil }
        }
        if c.useFeeCheck && c.takeProfit - 2 * c.feeRate * 100 < c.minNetProfit { reject(.feeUnprofitable); return nil }   // resolution 31's spelling
        if regime == .extreme && c.extremePause { reject(.regimePause); return nil }
        if let reason = correlationBlock(snapshot) { reject(reason); return nil }

        // A sell signal while flat: nothing of its own to sell (resolution 34), after the gates as before.
        if z > E {
            if trend?.isTrending == true && trend?.direction == .up { filtered(.strongTrendDetected); return nil }
            if c.useRSI && rsi < c.rsiOverbought { filtered(.rsiNotConfirmed); return nil }
            if c.useFlow && !(flow < -c.flowThreshold) { reject(.tradeFlowNotAligned); return nil }
            reject(held > 0 ? Decline.reductionTaken : .noInventory)
            return nil
        }
        if held >= c.maxPosition * (1 - 1e-9) { reject(.maxPosition); return nil }   // USD from BTC × BTC/USD: allow its rounding
        let available = c.maxPosition - held
        var actual = min(adjusted, available)
        if actual < c.minTrade { actual = 0 }
        if actual <= 0 { reject(.insufficientSize); return nil }
        if z < -E {
            if trend?.isTrending == true && trend?.direction == .down { filtered(.strongTrendDetected); return nil }
            if c.useRSI && rsi > c.rsiOversold { filtered(.rsiNotConfirmed); return nil }
            if c.useFlow && !(flow > c.flowThreshold) { reject(.tradeFlowNotAligned); return nil }
            return try signal(.buy, actual, 0, livePrice, "ratio stretched down: z \(Self.fixed(z, 3)) < −\(Self.fixed(E, 3))",
                              sl: price * (1 - sl), tp: price * (1 + tp), meta, now)
        }
        reject(.noSignalConditions)
        return nil
    }

    /// §5: the newest 50 closed 1m closes; without candles, the live price once per tick (W12).
    private func updateHistory(_ snapshot: DataSnapshot, _ price: Double) {
        let m1 = snapshot.candles(.m1, pair)
        if m1.count > 0 {
            let key = (m1.newest!.start, m1.count)
            if let k = historyKey, k == key { return }
            historyKey = key
            priceHistory = (max(0, m1.count - 50)..<m1.count).map { m1[$0].close.doubleValue }
        } else if c.tickFallback {
            priceHistory.append(price)
            if priceHistory.count > 50 { priceHistory.removeFirst(priceHistory.count - 50) }
        } else { return }
        cached = nil
    }

    /// What the price history alone decides (bands, volatility, RSI, trend), computed once per history.
    struct HistoryReadings {
        var band: Bollinger.Value?
        var volatility: Double
        var rsi: Double
        var trend: DirectionalConsistency?
    }
    private var cached: HistoryReadings?

    private func historyReadings() -> HistoryReadings {
        if let h = cached { return h }
        var bands = Bollinger(period: c.lookback, stddev: c.bandStd)
        for x in priceHistory.suffix(c.lookback) { _ = bands.update(x) }
        var vol = Volatility(lookback: c.volLookback)
        for x in priceHistory.suffix(c.volLookback + 1) { _ = vol.update(x) }
        var rsi = 50.0
        if c.useRSI {
            var r = RSI(period: c.rsiPeriod, flatValue: 50)
            for x in priceHistory { _ = r.update(x) }
            rsi = r.value ?? 50
        }
        let trend = c.useTrend ? DirectionalConsistency(priceHistory, lookback: c.trendLookback, threshold: c.trendStrength) : nil
        let h = HistoryReadings(band: bands.value, volatility: vol.value ?? 0, rsi: rsi, trend: trend)
        cached = h
        return h
    }

    /// §10.4: the reason to pause, if any (warnings counted either way).
    private func correlationBlock(_ snapshot: DataSnapshot) -> Decline? {
        guard c.useCorrelation else { return nil }
        let n = c.correlationLookback + 1
        let series: ([Double], [Double])
        switch c.correlationSeries {
        case .reference: series = (priceHistory, btcHistory)
        case .candles: series = sameMinuteSeries(snapshot)
        }
        guard series.0.count >= n, series.1.count >= n else { correlation = 0; return nil }
        var corr = Correlation(window: c.correlationLookback, zeroVarianceValue: nil)
        for (a, b) in zip(series.0.suffix(n), series.1.suffix(n)) { _ = corr.update((a, b)) }
        guard let r = corr.value else { correlation = 0; return nil }
        correlation = r
        correlationHistory.append(r)
        if correlationHistory.count > 20 { correlationHistory.removeFirst(correlationHistory.count - 20) }
        if r < c.correlationWarn { correlationWarnings += 1 }
        if c.correlationPauseEnabled && r < c.correlationPause && (r != 0 || c.pauseOnZero) { return .correlationTooLow }
        if c.useCorrelationTrend && correlationHistory.count >= 5 {
            let t = CorrelationTrend(correlationHistory, lookback: c.correlationTrendLookback)
            correlationSlope = t?.slope ?? 0
            if correlationSlope < -0.01 && correlationSlope < c.correlationTrendThreshold && r < c.correlationTrendLevel {
                correlationTrendWarnings += 1
                if c.correlationTrendPause { return .correlationDeclining }
            }
        }
        return nil
    }

    /// W4's fix: XRP/USD (ratio × BTC/USD) and BTC/USD closes of the same closed minutes.
    private func sameMinuteSeries(_ snapshot: DataSnapshot) -> ([Double], [Double]) {
        let ratio = snapshot.candles(.m1, pair)
        guard let btcPair = c.btcSymbols.first(where: { snapshot.candles(.m1, $0).count > 0 }) else { return ([], []) }
        let btc = snapshot.candles(.m1, btcPair)
        var byStart: [Timestamp: Double] = [:]
        for k in max(0, btc.count - 60)..<btc.count { byStart[btc[k].start] = btc[k].close.doubleValue }
        var xrp: [Double] = [], b: [Double] = []
        for k in max(0, ratio.count - 60)..<ratio.count {
            guard let v = byStart[ratio[k].start] else { continue }
            xrp.append(ratio[k].close.doubleValue * v); b.append(v)
        }
        return (xrp, b)
    }

    /// A reducing sell of `size` USD (the whole position when that is all of it), if it reaches the minimum.
    private func exit(_ size: Double, _ held: Double, _ price: Price, _ reason: String, _ meta: [String: String], _ now: Timestamp) throws -> Signal? {
        guard size >= c.minTrade else { return nil }
        return try signal(.sell, size, held, price, reason, sl: nil, tp: nil, meta, now)
    }

    private func signal(_ action: SignalAction, _ size: Double, _ held: Double, _ price: Price, _ reason: String, sl: Double?, tp: Double?,
                        _ meta: [String: String], _ now: Timestamp) throws -> Signal {
        lastSignal = now
        signalCount += 1
        let level = { (x: Double?) in x.flatMap { Price(rounding: $0, toDecimals: 14) } }
        if action == .sell && held > 0 && size >= held * (1 - 1e-9) {
            return try Signal(action: .sell, symbol: pair, size: Money(rounding: held, toDecimals: 8) ?? .zero, price: price, reason: reason,
                              metadata: meta, closeFullPosition: true)
        }
        return try Signal(action: action, symbol: pair, sizeUSD: size, price: price, reason: reason, stopLoss: level(sl), takeProfit: level(tp), metadata: meta)
    }

    static func text(_ v: Double) -> String { fixed(v, 4) }
    /// `v` rounded to `d` decimals, as plain decimal text (never exponent notation).
    static func fixed(_ v: Double, _ d: Int) -> String { Price(rounding: v, toDecimals: d)?.description ?? "\(v)" }
}
