import Foundation
import Indicators
import TradingCore

/// WaveTrend oscillator (wavetrend.md, code 1.1.0) on 5-minute candles (1-minute when a pair has no 5m candles): buy a
/// WT1/WT2 bullish crossover in or from the oversold zone, short the bearish mirror; fixed stop and target, exit on the
/// opposite crossover or on reaching the opposite extreme zone.
///
/// Where it differs from the reference (MUST): exits are evaluated before the breaker and the cooldown, one pass over
/// the pairs with positions (WT-W7); the previous zone is the previous candle's (WT-W2); per-pair values are layered
/// (WT-W3); `use_session_awareness` is honoured (WT-W6); exits close the whole position (WT-W8); positions are booked
/// from every fill, engine exits included, in USD (WT-W1, W13); sessions are UTC (W14). Options (reference by default):
/// `one_entry_per_crossover` (W10), `warmup_from_indicators` (W9).
///
/// Not ready (resolution 59): fewer than `min_candle_buffer` candles → `insufficient_candles`; WaveTrend not computable
/// yet → `warming_up`; divergence without 2N + 5 values → none; a correlation that cannot be computed (too short, or a
/// series that does not move) → that pair is ignored; a trade flow of fewer than 5 trades → does not block.
public final class WaveTrendStrategy: Strategy {
    public static let name = "wavetrend"
    public static let version = "1.1.0"
    public static let summary = "WaveTrend oscillator: WT1/WT2 crossovers out of the extreme zones on 5m candles, with divergence."
    public static let defaultSymbols = [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!, Symbol("XRP/BTC")!]
    public static var parameters: [ParameterSpec] { WaveTrendConfig.specs }
    public static var symbolDefaults: [Symbol: [String: String]] { WaveTrendConfig.symbolDefaults }

    /// Its own decline reasons (the shared ones are `StrategyRejection`).
    enum Decline: String {
        case noCrossover = "no_crossover", zoneNotConfirmed = "zone_not_confirmed"
    }

    /// One pair's readings on its latest candles.
    struct Reading {
        var key: [Int64]
        var candles: Int
        var values: WaveTrendMath.Values?
        var zone = WaveTrendMath.Zone.neutral
        var prevZone = WaveTrendMath.Zone.neutral
        var cross = WaveTrendMath.Cross.none
        var divergence = WaveTrendMath.Divergence.none
        var candleStart: Timestamp?
        var lastClose: Double?
    }

    let symbols: [Symbol]
    let c: WaveTrendConfig
    public let startupWarnings: [String]
    public private(set) var rejections = RejectionTracker()
    var book: RecordedPositions
    private var breaker: CircuitBreaker
    public internal(set) var lastSignalTime: Timestamp?
    public private(set) var status: [String]
    private var readings: [Reading?]
    private var lastIndicators: [[String: Double]]
    /// Per pair: the crossover candle last acted upon (WT-W10 option).
    private var actedCrossover: [Timestamp?]

    public init(parameters p: StrategyParameters, symbols: [Symbol]) throws {
        self.symbols = symbols
        c = WaveTrendConfig(p, symbols: symbols)
        startupWarnings = c.warnings
        rejections = RejectionTracker(enabled: c.trackRejections)
        book = RecordedPositions(symbols: symbols)
        breaker = CircuitBreaker(enabled: c.useBreaker, maxConsecutiveLosses: c.maxLosses, cooldown: .minutes(Int64(c.breakerMinutes)))
        status = Array(repeating: "initialized", count: symbols.count)
        readings = Array(repeating: nil, count: symbols.count)
        lastIndicators = Array(repeating: [:], count: symbols.count)
        actedCrossover = Array(repeating: nil, count: symbols.count)
    }

    /// 5m candles (100 kept: divergence needs 74); the trade tape for the flow.
    public var warmup: [Timeframe: Int] { [.m5: max(100, c.minCandles)] }
    public var tradeHistory: Int { max(100, c.flowLookback) }

    /// Per pair (WT-W12: not overwritten by the next pair).
    public var indicators: [String: Double] {
        var out: [String: Double] = [:]
        for (i, s) in symbols.enumerated() { for (k, v) in lastIndicators[i] { out["\(k)_\(s)"] = v } }
        return out
    }

    public var configValid: Bool { c.blocking.isEmpty }

    public func onFill(_ fill: Fill, _ context: StrategyContext) {
        breaker.record(fill)
        book.record(fill, remaining: context.portfolio.position(fill.symbol))
    }

    private func reject(_ r: StrategyRejection, _ s: Symbol?) { rejections.track(r.rawValue, symbol: s) }
    private func reject(_ r: Decline, _ s: Symbol) { rejections.track(r.rawValue, symbol: s) }

    // MARK: Decision (§6, the Swift order: exit pass, gates, entry pass)

    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        let now = snapshot.timestamp
        for (i, s) in symbols.enumerated() where book.entries[i] != nil && book.notional[i] > 0 {
            if let exit = try exitSignal(i, s, snapshot) { return emit(exit, i, now, "exit_signal") }
        }
        guard configValid else { for i in symbols.indices { status[i] = "config_invalid" }; return nil }
        if breaker.isBlocking(now: now) { reject(.circuitBreaker, nil); return nil }
        if let last = lastSignalTime, Double((now - last).nanoseconds) < c.cooldown * 1e9 { reject(.timeCooldown, nil); return nil }
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

    /// §4: 5m candles, else 1m.
    private func candles(_ s: Symbol, _ snapshot: DataSnapshot) -> RingBuffer<Candle> {
        let m5 = snapshot.candles(.m5, s)
        return m5.count > 0 ? m5 : snapshot.candles(.m1, s)
    }

    /// §6.1 steps 1, 3–5 for one pair, once per candle.
    func reading(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) -> Reading {
        let cs = candles(s, snapshot)
        let key: [Int64] = [Int64(cs.count), cs.newest?.start.nanoseconds ?? 0]
        if let r = readings[i], r.key == key { return r }
        var r = Reading(key: key, candles: cs.count, candleStart: cs.newest?.start, lastClose: cs.newest?.close.doubleValue)
        var h = [Double](), l = [Double](), cl = [Double]()
        h.reserveCapacity(cs.count); l.reserveCapacity(cs.count); cl.reserveCapacity(cs.count)
        for k in 0..<cs.count { let x = cs[k]; h.append(x.high.doubleValue); l.append(x.low.doubleValue); cl.append(x.close.doubleValue) }
        if let v = WaveTrendMath.compute(high: h, low: l, close: cl, lc: c.channel, la: c.average, lm: c.ma) {
            r.values = v
            let z = { (w: Double) in WaveTrendMath.zone(w, ob: self.c.overbought[i], os: self.c.oversold[i], xob: self.c.extremeOverbought[i], xos: self.c.extremeOversold[i]) }
            r.zone = z(v.wt1)
            r.prevZone = z(v.prevWT1)   // WT-W2: the previous candle's zone
            r.cross = WaveTrendMath.crossover(wt1: v.wt1, wt2: v.wt2, prevWT1: v.prevWT1, prevWT2: v.prevWT2)
            if c.useDivergence {
                r.divergence = WaveTrendMath.divergence(closes: cl, wt1Series: v.series, n: c.divergenceLookback,
                                                        oversold: c.oversold[i], overbought: c.overbought[i], wt1: v.wt1)
            }
            lastIndicators[i] = ["wt1": v.wt1, "wt2": v.wt2, "prev_wt1": v.prevWT1, "prev_wt2": v.prevWT2, "candles": Double(cs.count)]
        }
        readings[i] = r
        return r
    }

    private func price(_ s: Symbol, _ snapshot: DataSnapshot, _ r: Reading) -> Price? {
        if let p = snapshot.price(s), p.isPositive { return p }
        return r.lastClose.flatMap { Price(rounding: $0, toDecimals: 12) }
    }

    /// §8 for a pair with a recorded position: stop, target (price only: they need no oscillator), the opposite
    /// crossover, the opposite extreme zone.
    func exitSignal(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) throws -> Signal? {
        guard let e = book.entries[i] else { return nil }
        let r = reading(i, s, snapshot)
        guard let px = price(s, snapshot, r), e.entryPrice > 0 else { return nil }
        let p = px.doubleValue, long = e.side == .long
        let pnl = (long ? p - e.entryPrice : e.entryPrice - p) / e.entryPrice * 100
        let pnlText = Self.fixed(pnl, 2)
        var exit: (type: String, reason: String)?
        if pnl <= -c.stopLoss[i] { exit = ("stop_loss", "WT: Stop loss (entry=\(Self.fixed(e.entryPrice, 8)), pnl=\(pnlText)%)") }
        else if pnl >= c.takeProfit[i] { exit = ("take_profit", "WT: Take profit (entry=\(Self.fixed(e.entryPrice, 8)), pnl=\(pnlText)%)") }
        else if let v = r.values, r.candles >= c.minCandles {
            let w = Self.fixed(v.wt1, 2)
            if long && r.cross == .bearish { exit = ("crossover_reversal", "WT: Bearish crossover exit (WT1=\(w), zone=\(r.zone.rawValue), pnl=\(pnlText)%)") }
            else if !long && r.cross == .bullish { exit = ("crossover_reversal", "WT: Bullish crossover exit (WT1=\(w), zone=\(r.zone.rawValue), pnl=\(pnlText)%)") }
            else if long && r.zone == .extremeOverbought { exit = ("extreme_zone_profit_take", "WT: Extreme overbought exit (WT1=\(w), pnl=\(pnlText)%)") }
            else if !long && r.zone == .extremeOversold { exit = ("extreme_zone_profit_take", "WT: Extreme oversold exit (WT1=\(w), pnl=\(pnlText)%)") }
        }
        guard let exit else { return nil }
        var meta = ["exit_type": exit.type, "entry_price": Self.fixed(e.entryPrice, 8), "pnl_pct": pnlText]
        if exit.type == "crossover_reversal" || exit.type == "extreme_zone_profit_take", let v = r.values {
            meta["wt1"] = Self.fixed(v.wt1, 6); meta["zone"] = r.zone.rawValue
        }
        let size = Money(rounding: book.notional[i], toDecimals: 8) ?? .zero
        return try Signal(action: long ? .sell : .cover, symbol: s, size: size, price: px, reason: exit.reason, metadata: meta, closeFullPosition: true)
    }

    /// §6.1 steps 1–15 without the exits (done in the exit pass).
    func entrySignal(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) throws -> Signal? {
        let need = c.warmupFromIndicators ? max(c.minCandles, WaveTrendMath.minimumCandles(c.channel, c.average, c.ma)) : c.minCandles
        let cs = candles(s, snapshot)
        guard cs.count >= need else { status[i] = "warming_up"; reject(.insufficientCandles, s); return nil }
        let session = c.useSessions ? c.sessions.session(at: snapshot.timestamp) : "EUROPE"
        let sessionMult = c.useSessions ? c.sessionSizeMult[session] ?? 1 : 1
        let r = reading(i, s, snapshot)
        guard let v = r.values else { status[i] = "wt_calc_failed"; reject(.warmingUp, s); return nil }
        guard let px = price(s, snapshot, r) else { status[i] = "no_price_data"; reject(.noPriceData, s); return nil }
        let p = px.doubleValue
        let adjusted = c.size[i] * sessionMult
        let feeOK = Self.feeOK(takeProfitPct: c.takeProfit[i], feeRate: c.feeRate, minNetPct: c.minProfitAfterFees)
        status[i] = "active"
        if book.notional[i] > 0 { status[i] = "existing_position"; reject(.existingPosition, s); return nil }
        guard r.cross != .none else { status[i] = "no_crossover"; reject(Decline.noCrossover, s); return nil }
        if c.oncePerCrossover, let acted = actedCrossover[i], acted == r.candleStart {
            status[i] = "no_crossover"; reject(Decline.noCrossover, s); return nil
        }
        let room = c.caps.available(adjusted, pair: i, book: book)
        guard let available = room.size else { status[i] = "position_limit_\(room.block!.rawValue)"; reject(.maxPosition, s); return nil }
        if c.useFeeCheck && !feeOK { status[i] = "not_fee_profitable"; reject(.feeUnprofitable, s); return nil }

        let long = r.cross == .bullish
        // §7 step 1: the zone.
        let confirmed = long ? (r.prevZone.isOversold || r.zone.isOversold) : (r.prevZone.isOverbought || r.zone.isOverbought)
        if c.requireZone && !confirmed {
            status[i] = long ? "zone_not_confirmed_long" : "zone_not_confirmed_short"; reject(Decline.zoneNotConfirmed, s); return nil
        }
        // Step 2: the tape.
        var flowImbalance: Double?
        if c.useFlow {
            let flow = TradeFlow(snapshot.trades(s).suffix(c.flowLookback).map { FlowTrade($0) }, lookback: c.flowLookback)
            flowImbalance = flow.imbalance
            if !flowConfirms(long ? .buy : .short, flow: flow, threshold: c.flowThreshold) {
                status[i] = "trade_flow_against"; reject(.tradeFlowNotAligned, s); return nil   // resolution 31's spelling
            }
        }
        // Step 3: correlation with the pairs holding positions (§9.3).
        let side: PositionSide = long ? .long : .short
        var corrAdj = 1.0
        if c.useCorrelation {
            for (k, other) in symbols.enumerated() where k != i {
                guard let e = book.entries[k], let rr = correlation(s, other, snapshot) else { continue }
                let same = e.side == side
                if abs(rr) >= c.correlationBlock && same { status[i] = "real_correlation_blocked"; reject(.correlationLimit, s); return nil }
                if same && rr > 0.5 { corrAdj = min(corrAdj, max(0.5, 1 - (rr - 0.5))) }
            }
        }
        // Steps 4–5: confidence (informational), size and the exposure caps (§9.4).
        let confidence = Self.confidence(long: long, zone: r.zone, prevZone: r.prevZone, divergence: r.divergence,
                                         cap: long ? c.maxLongConfidence : c.maxShortConfidence)
        guard let size = c.caps.exposure(available * (long ? 1 : c.shortMult) * corrAdj, side: side, pair: i, book: book) else {
            status[i] = "correlation_limit"; reject(.correlationLimit, s); return nil
        }
        let sl = c.stopLoss[i] / 100, tp = c.takeProfit[i] / 100
        var reasons = [long ? "WT bullish crossover" : "WT bearish crossover"]
        let zoneWord = long ? (r.prevZone.isOversold ? "from \(r.prevZone.rawValue) zone" : r.zone.isOversold ? "in \(r.zone.rawValue) zone" : nil)
            : (r.prevZone.isOverbought ? "from \(r.prevZone.rawValue) zone" : r.zone.isOverbought ? "in \(r.zone.rawValue) zone" : nil)
        if let z = zoneWord { reasons.append(z) }
        if r.divergence == (long ? .bullish : .bearish) { reasons.append("\(r.divergence.rawValue) divergence") }
        if r.prevZone.isExtreme { reasons.append("from extreme zone") }
        if c.oncePerCrossover { actedCrossover[i] = r.candleStart }
        var meta = ["entry_type": long ? "wavetrend_long" : "wavetrend_short", "wt1": Self.fixed(v.wt1, 6), "wt2": Self.fixed(v.wt2, 6),
                    "zone": r.zone.rawValue, "confidence": Self.fixed(confidence, 2),
                    "correlation_adjustment": Self.fixed(corrAdj, 4)]
        meta["divergence"] = r.divergence == .none ? "null" : r.divergence.rawValue
        meta["trade_flow_imbalance"] = flowImbalance.map { Self.fixed($0, 4) } ?? "null"
        return try Signal(action: long ? .buy : .short, symbol: s, sizeUSD: size, price: px,
                          reason: "WT: \(long ? "Long" : "Short") (\(reasons.prefix(3).joined(separator: ", ")), WT1=\(Self.fixed(v.wt1, 1)))",
                          stopLoss: Price(rounding: long ? p * (1 - sl) : p * (1 + sl), toDecimals: 12),
                          takeProfit: Price(rounding: long ? p * (1 + tp) : p * (1 - tp), toDecimals: 12), metadata: meta)
    }

    /// §9.3: the rolling correlation of the two pairs' candle closes; nil when either is too short or does not move.
    func correlation(_ a: Symbol, _ b: Symbol, _ snapshot: DataSnapshot) -> Double? {
        let ca = candles(a, snapshot), cb = candles(b, snapshot)
        let n = c.correlationWindow + 1
        guard ca.count >= n, cb.count >= n else { return nil }
        var corr = Correlation(window: c.correlationWindow, zeroVarianceValue: nil)
        var out: Double?
        for k in 0..<n { out = corr.update((ca[ca.count - n + k].close.doubleValue, cb[cb.count - n + k].close.doubleValue)) }
        return out
    }

    /// §6.1 step 7: the target net of a round trip's fees reaches the minimum.
    static func feeOK(takeProfitPct: Double, feeRate: Double, minNetPct: Double) -> Bool { takeProfitPct - 2 * feeRate * 100 >= minNetPct }

    /// §7.1.
    static func confidence(long: Bool, zone: WaveTrendMath.Zone, prevZone: WaveTrendMath.Zone, divergence: WaveTrendMath.Divergence, cap: Double) -> Double {
        var v = 0.55
        if long {
            if prevZone.isOversold { v = 0.75 } else if zone.isOversold { v = 0.70 }
            if divergence == .bullish { v += 0.10 }
        } else {
            if prevZone.isOverbought { v = 0.70 } else if zone.isOverbought { v = 0.65 }
            if divergence == .bearish { v += 0.10 }
        }
        if prevZone.isExtreme { v += 0.05 }
        return min(v, cap)
    }

    static func fixed(_ v: Double, _ d: Int) -> String { String(format: "%.\(d)f", v) }
}
