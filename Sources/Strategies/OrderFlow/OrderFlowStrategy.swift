import Indicators
import TradingCore

/// Trades the tape (order_flow.md, code 5.0.1): follows one-sided aggressive volume with a volume spike, buys below
/// (shorts above) the tape's VWAP on moderate flow, and stands aside on toxic flow (VPIN) or wash-trading patterns.
/// Thresholds and sizes follow a 1m volatility regime and the time-of-day session; positions take profit earlier as
/// they age and finally leave at any profit.
///
/// Where it differs from the reference ([FIX]): the trade cooldown counts each pair's own trade sequence, not the
/// size of a 100-trade buffer that saturates and stopped the strategy after its first trade (W1); exits run first,
/// through every gate (W3); "has a long" and closing sizes are the pair's own (W4); session hours are UTC (W7); sizes
/// are USD, converted by the engine for XRP/BTC (W10); positions are the portfolio's, engine exits included (W11);
/// closing sells carry no stop or target (W12).
///
/// Not-ready readings (resolution 59): 1m volatility nil → 0.0 (LOW regime, reference); VPIN nil (fewer trades than
/// buckets) → 0.0 (no pause); VWAP nil → `no_price_data`; fewer trades than the anomaly window → no anomaly.
public final class OrderFlowStrategy: Strategy {
    public static let name = "order_flow"
    public static let version = "5.0.1"
    public static let summary = "Tape flow: one-sided volume with a spike, VWAP reversion, VPIN and wash-trade filters, sessions."
    public static let defaultSymbols = [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!, Symbol("XRP/BTC")!]
    public static var parameters: [ParameterSpec] { OrderFlowConfig.specs }
    public static var symbolDefaults: [Symbol: [String: String]] { OrderFlowConfig.symbolDefaults }

    let symbols: [Symbol]
    let c: OrderFlowConfig
    public let startupWarnings: [String]
    public private(set) var rejections = RejectionTracker()

    private var lastSignal: Timestamp?
    /// Per pair: its trade sequence at its last entry (W1).
    private var lastSignalSeq: [UInt64?]
    private var lastSignalBySymbol: [Timestamp?]
    private var breaker: CircuitBreaker
    private var extremes: [(entry: Timestamp, high: Double, low: Double)?]
    private var volatility: [(key: (Timestamp, Int)?, value: Double?)]
    /// The last reading per pair (telemetry).
    private var readings: [(imbalance: Double, spike: Double, vpin: Double, evaluated: Bool)]
    /// Per pair: what the tape alone decides, kept until a trade arrives or the window changes (ticks outnumber
    /// trades several times over, and VPIN and the anomaly scan read up to 200 trades).
    private var tapeReadings: [TapeReading?]

    struct TapeReading {
        var appended: UInt64, lookback: Int
        var vpin: Double, buy: Double, sell: Double, spike: Double
        /// The anomaly scan's tape-only findings and its volume ratio (the price divergence test needs the price).
        var anomalies: [String], volumeRatio: Double?
    }

    enum Regime: String { case low = "LOW", medium = "MEDIUM", high = "HIGH", extreme = "EXTREME" }

    public init(parameters p: StrategyParameters, symbols: [Symbol]) throws {
        self.symbols = symbols
        c = try OrderFlowConfig(p, symbols: symbols)
        startupWarnings = OrderFlowConfig.warnings(c, p, symbols: symbols)
        lastSignalSeq = Array(repeating: nil, count: symbols.count)
        lastSignalBySymbol = Array(repeating: nil, count: symbols.count)
        extremes = Array(repeating: nil, count: symbols.count)
        volatility = Array(repeating: (nil, nil), count: symbols.count)
        readings = Array(repeating: (0, 0, 0, false), count: symbols.count)
        tapeReadings = Array(repeating: nil, count: symbols.count)
        rejections = RejectionTracker(enabled: c.trackRejections)
        breaker = CircuitBreaker(enabled: c.useBreaker, maxConsecutiveLosses: c.maxLosses, cooldown: .minutes(Int64(c.breakerMinutes)))
    }

    public var warmup: [Timeframe: Int] { [.m1: c.volLookback + 1] }
    public var tradeHistory: Int { max(c.lookback * 5 / 4, c.vpinLookback, c.anomalyLookback, 100) }

    public var indicators: [String: Double] {
        var out: [String: Double] = [:]
        for (i, s) in symbols.enumerated() where readings[i].evaluated {
            out["imbalance_\(s)"] = readings[i].imbalance
            out["volume_spike_\(s)"] = readings[i].spike
            out["vpin_\(s)"] = readings[i].vpin
        }
        return out
    }

    public func onFill(_ fill: Fill, _ context: StrategyContext) { breaker.record(fill) }

    // MARK: Decision

    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        let now = snapshot.timestamp
        for (i, s) in symbols.enumerated() {
            if let exit = try exitSignal(i, s, snapshot, context) { return exit }   // exits start no cooldown
        }
        if breaker.isBlocking(now: now) { rejections.track(.circuitBreaker); return nil }
        let cooldown = Interval(nanoseconds: Int64((c.cooldownSeconds * 1e9).rounded()))
        if !c.perSymbolCooldown, let l = lastSignal, now - l < cooldown {
            rejections.track(.timeCooldown); return nil
        }
        let exposures = symbols.map { exposure($0, snapshot, context) }
        for (i, s) in symbols.enumerated() {
            // W8 option: each pair waits on its own last entry.
            if c.perSymbolCooldown, let l = lastSignalBySymbol[i], now - l < cooldown { rejections.track(.timeCooldown, symbol: s); continue }
            if let signal = try evaluate(i, s, snapshot, context, exposures) {
                lastSignal = now
                lastSignalBySymbol[i] = now
                lastSignalSeq[i] = snapshot.trades(s).appended
                return signal
            }
        }
        return nil
    }

    private func exposure(_ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) -> (usd: Double, side: PositionSide, position: Position)? {
        PositionExposure(s, snapshot, context).map { ($0.usd, $0.side, $0.position) }
    }

    /// §7.3–7.4 for an open position: trailing stop, then progressive decay; priced at the side of the book it would
    /// close against.
    private func exitSignal(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        guard let (_, side, pos) = exposure(s, snapshot, context) else { extremes[i] = nil; return nil }
        guard let price = snapshot.price(s), price.isPositive else { return nil }
        let long = side == .long
        let book = snapshot.book(s)
        let ref: Price = if let b = book, b.isTwoSided { long ? b.bestBid : b.bestAsk } else { price }
        // Profit from the price of record; the exit is priced where it would fill (§7.3).
        let p = price.doubleValue, entry = pos.entryPrice.doubleValue
        guard entry > 0 else { return nil }
        if extremes[i]?.entry != pos.entryTime { extremes[i] = (pos.entryTime, entry, entry) }
        extremes[i]!.high = max(extremes[i]!.high, p)
        extremes[i]!.low = min(extremes[i]!.low, p)
        let close: SignalAction = long ? .sell : .cover
        if c.useTrailing {
            let e = extremes[i]!
            if long, (e.high - entry) / entry * 100 >= c.trailingActivation, p <= e.high * (1 - c.trailingDistance / 100) {
                return try Signal(action: close, symbol: s, size: .zero, price: ref, reason: "trailing stop", metadata: ["trailing_stop": "true"], closeFullPosition: true)
            }
            if !long, (entry - e.low) / entry * 100 >= c.trailingActivation, p >= e.low * (1 + c.trailingDistance / 100) {
                return try Signal(action: close, symbol: s, size: .zero, price: ref, reason: "trailing stop", metadata: ["trailing_stop": "true"], closeFullPosition: true)
            }
        }
        guard c.useDecay else { return nil }
        let age = Double((snapshot.timestamp - pos.entryTime).nanoseconds) / 1e9
        guard let mult = Self.decayMultiplier(age: age, stages: c.decayStages) else { return nil }
        let profit = (long ? p - entry : entry - p) / entry * 100
        let tp = c.takeProfit[i] * mult
        var stage: String?
        // W14 option: "any profit" net of the round trip's fees.
        if mult == 0 && profit > (c.decayNetOfFees ? 2 * c.feeRate * 100 : 0) { stage = "any_profit" }
        else if c.decayAtProfit && mult < 1 && profit - 2 * c.feeRate * 100 >= c.decayMinProfit { stage = "profit_after_fees" }
        else if tp > 0 && profit >= tp { stage = "take_profit" }
        guard let stage else { return nil }
        return try Signal(action: close, symbol: s, size: .zero, price: ref,
                          reason: "position decay (\(stage), take profit ×\(mult)) at \(Self.text(profit))% profit",
                          metadata: ["position_decay": "true", "decay_stage": stage, "decay_mult": "\(mult)"], closeFullPosition: true)
    }

    /// The multiplier of the last stage whose age has been reached; nil before the first (no decay).
    static func decayMultiplier(age: Double, stages: [(age: Double, multiplier: Double)]) -> Double? {
        stages.last { $0.age <= age }?.multiplier
    }

    /// Its own decline reasons (the shared ones are `StrategyRejection`).
    enum Decline: String { case vpinPause = "vpin_pause", volumeAnomaly = "volume_anomaly", noVolume = "no_volume" }
    private func reject(_ r: Decline, _ s: Symbol) -> Signal? { rejections.track(r.rawValue, symbol: s); return nil }
    private func reject(_ r: StrategyRejection, _ s: Symbol) -> Signal? { rejections.track(r.rawValue, symbol: s); return nil }

    func regime(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) -> Regime {
        guard c.useRegimes else { return .medium }
        let m1 = snapshot.candles(.m1, s)
        let key = m1.newest.map { ($0.start, m1.count) }
        if volatility[i].key == nil || key == nil || volatility[i].key! != key! {
            var v = Volatility(lookback: c.volLookback)
            for k in max(0, m1.count - c.volLookback - 1)..<m1.count { _ = v.update(m1[k].close.doubleValue) }
            volatility[i] = (key, v.value)
        }
        guard let vol = volatility[i].value else { return c.insufficientIsMedium ? .medium : .low }   // W15: nil → LOW (reference) or MEDIUM
        return vol < c.regimeLow ? .low : vol < c.regimeMedium ? .medium : vol < c.regimeHigh ? .high : .extreme
    }

    /// §6.2 for one pair (exits already done).
    private func evaluate(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext,
                          _ exposures: [(usd: Double, side: PositionSide, position: Position)?]) throws -> Signal? {
        let tape = snapshot.trades(s)
        guard tape.count >= c.lookback else { return reject(.warmingUp, s) }
        let regime = regime(i, s, snapshot)
        if regime == .extreme && c.extremePause { return reject(.regimePause, s) }
        let session = c.useSessions ? c.sessions.session(at: snapshot.timestamp) : "EUROPE"
        let sessionThreshold = c.useSessions ? c.sessionThresholdMult[session]! : 1, sessionSize = c.useSessions ? c.sessionSizeMult[session]! : 1
        let factor: Double = switch regime { case .low: 1.25; case .medium: 1; case .high: 0.75; case .extreme: 0.5 }
        let lookback = max(20, min(Int((Double(c.lookback) * factor).rounded(.down)), tape.count))
        // W1: the pair's own trade sequence, which keeps counting when the tape is full.
        if let last = lastSignalSeq[i], tape.appended &- last < UInt64(c.cooldownTrades[i]) { return reject(.tradeCooldown, s) }
        let reading = tapeReading(i, tape, lookback)
        let vpinValue = reading.vpin
        if c.useVPIN {
            let threshold = c.sessionVPIN ? c.sessionVPINThreshold[session]! : c.vpinHigh
            if vpinValue >= threshold && c.vpinPause { return reject(Decline.vpinPause, s) }
        }
        if c.useAnomaly && c.anomalyPause, let ratio = reading.volumeRatio {
            var found = !reading.anomalies.isEmpty
            if !found, ratio >= c.anomalySpike, let price = snapshot.price(s)?.doubleValue, price > 0 {
                let m1 = snapshot.candles(.m1, s)
                let previous = m1.count >= 2 ? m1[m1.count - 2].close.doubleValue : 0
                found = previous > 0 && abs(price - previous) / previous < c.anomalyPriceMove
            }
            if found { return reject(Decline.volumeAnomaly, s) }
        }
        let total = reading.buy + reading.sell
        guard total > 0 else { return reject(Decline.noVolume, s) }
        let imbalance = (reading.buy - reading.sell) / total
        let spike = reading.spike
        readings[i] = (imbalance, spike, vpinValue, true)
        guard let price = snapshot.price(s), price.isPositive, let vwap = snapshot.vwap(s, n: lookback), vwap > 0 else { return reject(.noPriceData, s) }
        let p = price.doubleValue
        let priceVsVWAP = (p - vwap) / vwap
        let regimeThreshold: Double = switch regime { case .low: 0.9; case .medium: 1; case .high: 1.3; case .extreme: c.volThresholdMult }
        let regimeSize: Double = switch regime { case .low, .medium: 1; case .high: 0.8; case .extreme: c.extremeSize }
        let effBuy = c.buyThreshold[i] * regimeThreshold * sessionThreshold, effSell = c.sellThreshold[i] * regimeThreshold * sessionThreshold
        let adjusted = c.size[i] * regimeSize * sessionSize
        let costs = c.feeCheckCosts ? 2 * c.slippagePct + (snapshot.book(s).flatMap { $0.isTwoSided ? $0.spreadPct : nil } ?? 0) : 0   // W13 option
        let feeOK = c.takeProfit[i] - 2 * c.feeRate * 100 - costs >= c.minProfitAfterFees

        let held = exposures[i]?.usd ?? 0
        let instrument = context.instruments[s]
        func level(_ x: Double) -> Price? { instrument?.price(x) ?? Price(rounding: x, toDecimals: 8) }
        let sl = c.stopLoss[i] / 100, tp = c.takeProfit[i] / 100
        let hasLong = exposures[i]?.side == .long && held > 0   // W4: this pair's own position
        let hasShort = exposures[i]?.side == .short && held > 0
        let flow = imbalance   // the snapshot's trade imbalance over the same window: the same figure (W5)
        let context = " (\(regime.rawValue), \(session))"
        let buyFlow = imbalance > effBuy && spike > c.spikeMult[i], sellFlow = imbalance < -effSell && spike > c.spikeMult[i]

        // Reductions first: the caps, the room and the fee gate restrict new exposure only (resolution 24, as
        // mean_reversion's W13). Flow against the pair's own position closes up to the entry size of it.
        if hasLong && sellFlow {
            if c.useTradeFlow && flow >= -c.tradeFlowThreshold { return reject(.tradeFlowNotAligned, s) }
            return try close(.sell, s, price, min(adjusted, held), held, "sell flow closes the long: imbalance \(Self.text(imbalance))\(context)")
        }
        if hasShort && buyFlow {
            if c.useTradeFlow && flow <= c.tradeFlowThreshold { return reject(.tradeFlowNotAligned, s) }
            return try close(.cover, s, price, min(adjusted, held), held, "buy flow covers the short: imbalance \(Self.text(imbalance))\(context)")
        }
        if hasLong && !buyFlow && imbalance < -effSell * c.vwapThresholdMult && priceVsVWAP > c.vwapDeviation && adjusted * c.vwapSizeMult >= c.minTrade {
            return try close(.sell, s, price, min(adjusted * c.vwapSizeMult, held), held, "VWAP reversion sell closes the long\(context)")
        }

        // 16–18: caps, room, fees.
        let totalHeld = exposures.reduce(0.0) { $0 + ($1?.usd ?? 0) }
        if totalHeld >= c.maxTotal || held >= c.maxSymbol { return reject(.maxPosition, s) }
        let actual = min(adjusted, min(c.maxTotal - totalHeld, c.maxSymbol - held))
        if actual < c.minTrade { return reject(.insufficientSize, s) }
        if c.useFeeCheck && !feeOK { return reject(.feeUnprofitable, s) }   // resolution 31's spelling

        // 19: entries (§7.1); a short pair's buy flow and a long pair's sell flow were handled above.
        if buyFlow {
            if c.useTradeFlow && flow <= c.tradeFlowThreshold { return reject(.tradeFlowNotAligned, s) }
            guard let sized = exposureCheck(.long, actual, i, exposures) else { return reject(.correlationLimit, s) }
            return try Signal(action: .buy, symbol: s, sizeUSD: sized, price: price,
                              reason: "buy flow: imbalance \(Self.text(imbalance)), volume ×\(Self.text(spike))\(context)",
                              stopLoss: level(p * (1 - sl)), takeProfit: level(p * (1 + tp)))
        } else if sellFlow {
            if c.useTradeFlow && flow >= -c.tradeFlowThreshold { return reject(.tradeFlowNotAligned, s) }
            guard let sized = exposureCheck(.short, actual, i, exposures) else { return reject(.correlationLimit, s) }
            return try Signal(action: .short, symbol: s, sizeUSD: sized, price: price,
                              reason: "sell flow: imbalance \(Self.text(imbalance)), volume ×\(Self.text(spike))\(context)",
                              stopLoss: level(p * (1 + sl)), takeProfit: level(p * (1 - tp)))
        }
        let reduced = actual * c.vwapSizeMult
        if imbalance > effBuy * c.vwapThresholdMult && priceVsVWAP < -c.vwapDeviation && !hasShort {
            if !(c.useTradeFlow && flow <= c.tradeFlowThreshold), let sized = exposureCheck(.long, reduced, i, exposures) {
                return try Signal(action: .buy, symbol: s, sizeUSD: sized, price: price,
                                  reason: "VWAP reversion buy: \(Self.text(priceVsVWAP * 100))% from VWAP\(context)",
                                  stopLoss: level(p * (1 - sl)), takeProfit: level(vwap))
            }
        } else if imbalance < -effSell * c.vwapThresholdMult && priceVsVWAP > c.vwapDeviation && reduced >= c.minTrade {
            if !(c.useTradeFlow && flow >= -c.tradeFlowThreshold), let sized = exposureCheck(.short, reduced, i, exposures) {
                return try Signal(action: .short, symbol: s, sizeUSD: sized, price: price,
                                  reason: "VWAP reversion short: +\(Self.text(priceVsVWAP * 100))% from VWAP\(context)",
                                  stopLoss: level(p * (1 + sl)), takeProfit: level(vwap))
            }
        }
        return reject(.noSignalConditions, s)
    }

    /// A closing sell or cover; the whole position when `size` is all of it.
    private func close(_ action: SignalAction, _ s: Symbol, _ price: Price, _ size: Double, _ held: Double, _ reason: String) throws -> Signal {
        if size >= held { return try Signal(action: action, symbol: s, size: .zero, price: price, reason: reason, closeFullPosition: true) }
        return try Signal(action: action, symbol: s, sizeUSD: size, price: price, reason: reason)
    }

    /// §10.5: other pairs on the same side shrink the size; the side's total caps it. Nil when too little is left.
    private func exposureCheck(_ side: PositionSide, _ size: Double, _ i: Int, _ exposures: [(usd: Double, side: PositionSide, position: Position)?]) -> Double? {
        guard c.useCorrelation else { return size >= c.minTrade ? size : nil }
        var totalSide = 0.0, sameElsewhere = false
        for (k, e) in exposures.enumerated() where k != i {
            guard let e, e.side == side else { continue }
            totalSide += e.usd
            sameElsewhere = true
        }
        var sized = sameElsewhere ? size * c.sameDirection : size
        let cap = side == .long ? c.maxLong : c.maxShort
        if totalSide + sized > cap { sized = min(sized, max(0, cap - totalSide)) }
        return sized >= c.minTrade ? sized : nil
    }

    /// W2 (option): VPIN on time buckets, so its value does not depend on how many trades the tape holds: the last
    /// `buckets` windows of `bucket` each, ending at the newest trade; the mean of |buy − sell| / (buy + sell) over the
    /// windows that traded. Nil (no pause) until at least half of them have (fewer trades than that are no evidence).
    static func timeBucketedVPIN(_ tape: RingBuffer<Trade>, bucket: Interval, buckets: Int) -> Double? {
        guard let newest = tape.newest, bucket.nanoseconds > 0, buckets >= 1 else { return nil }
        var buy = [Double](repeating: 0, count: buckets), sell = [Double](repeating: 0, count: buckets)
        var k = tape.count - 1
        while k >= 0 {
            let t = tape[k]
            let slot = Int((newest.time - t.time).nanoseconds / bucket.nanoseconds)
            if slot >= buckets { break }
            if t.side == .buy { buy[slot] += t.size.doubleValue } else { sell[slot] += t.size.doubleValue }
            k -= 1
        }
        var sum = 0.0, traded = 0
        for j in 0..<buckets where buy[j] + sell[j] > 0 { sum += abs(buy[j] - sell[j]) / (buy[j] + sell[j]); traded += 1 }
        return traded * 2 >= buckets && traded > 0 ? sum / Double(traded) : nil
    }

    /// The tape's figures for a window of `lookback` trades, from the cache while no trade has arrived.
    private func tapeReading(_ i: Int, _ tape: RingBuffer<Trade>, _ lookback: Int) -> TapeReading {
        if let r = tapeReadings[i], r.appended == tape.appended, r.lookback == lookback { return r }
        let n = tape.count
        var v = 0.0
        if c.useVPIN {
            if c.vpinBucketSeconds > 0 {
                v = Self.timeBucketedVPIN(tape, bucket: Interval(nanoseconds: Int64((c.vpinBucketSeconds * 1e9).rounded())), buckets: c.vpinBuckets) ?? 0
            } else {
                let k = min(c.vpinLookback, n)
                v = vpin((n - k..<n).map { FlowTrade(tape[$0]) }, buckets: c.vpinBuckets) ?? 0
            }
        }
        var buy = 0.0, sell = 0.0
        for k in n - lookback..<n { if tape[k].side == .buy { buy += tape[k].size.doubleValue } else { sell += tape[k].size.doubleValue } }
        var last5 = 0.0
        for k in max(n - 5, n - lookback)..<n { last5 += tape[k].size.doubleValue }
        let denominator = 5 * (buy + sell) / Double(lookback)
        var r = TapeReading(appended: tape.appended, lookback: lookback, vpin: v, buy: buy, sell: sell,
                            spike: denominator > 0 ? last5 / denominator : 1, anomalies: [], volumeRatio: nil)
        if c.useAnomaly && c.anomalyPause && n >= c.anomalyLookback { (r.anomalies, r.volumeRatio) = tapeAnomalies(tape) }
        tapeReadings[i] = r
        return r
    }

    /// §7.2 on the newest `volume_anomaly_lookback_trades` trades: the anomalies found (empty: none).
    func anomalies(_ tape: RingBuffer<Trade>, price: Double, previous: Double) -> [String] {
        let (found, ratio) = tapeAnomalies(tape)
        guard let ratio else { return [] }
        if price > 0 && previous > 0 && ratio >= c.anomalySpike && abs(price - previous) / previous < c.anomalyPriceMove {
            return found + ["volume_price_divergence"]
        }
        return found
    }

    /// The tape-only tests of §7.2 (volume consistency, repetitive sizes) and the volume ratio; nil ratio below the window.
    func tapeAnomalies(_ tape: RingBuffer<Trade>) -> (found: [String], volumeRatio: Double?) {
        let n = tape.count, m = c.anomalyLookback
        guard n >= m else { return ([], nil) }
        var sizes: [Double] = []
        sizes.reserveCapacity(m)
        for k in n - m..<n { sizes.append(tape[k].size.doubleValue) }
        var found: [String] = []
        let avg = sizes.reduce(0, +) / Double(m)
        let recent = sizes.suffix(10).reduce(0, +)
        let ratio = avg * 10 > 0 ? recent / (avg * 10) : 1
        if ratio < c.anomalyLow { found.append("low_volume") } else if ratio > c.anomalyHigh { found.append("high_volume") }
        // Greedy grouping in arrival order: a trade joins the first group whose key is within the tolerance.
        var keys: [Double] = [], counts: [Int] = []
        for x in sizes {
            if let g = keys.firstIndex(where: { k in k > 0 ? abs(x - k) / k <= c.anomalyTolerance : x == 0 }) { counts[g] += 1 } else {
                keys.append(x); counts.append(1)
            }
        }
        if Double(counts.max() ?? 0) / Double(m) > c.anomalyRepetitive { found.append("repetitive_trades") }
        return (found, ratio)
    }

    static func text(_ v: Double) -> String { "\((v * 10_000).rounded() / 10_000)" }
}
