import Foundation
import TradingCore

/// EMA-9 trend flip on hourly buckets (ema9_trend_flip.md, code 1.0.0): when the buckets before the current one opened
/// on one side of the 9-period EMA of opens and the current one opens clearly on the other side (beyond a dead band),
/// enter the new direction with a fixed or ATR stop and target; exit when the opens flip back or after 72 hours. One
/// position at a time.
///
/// Where it differs from the reference (MUST): the buckets are the engine's hourly candles plus the current hour from
/// the closed 1m candles, so it warms up live (E9-W1); the run examined is the N buckets immediately before the current
/// one (E9-W2); fills are booked from their size, price and side, engine exits included, with the fill's time (E9-W3,
/// W4); exits are evaluated before the cooldown (E9-W5); exits close the whole position. Options (reference by default):
/// `strategy_stop_exits` (E9-W6), `drop_partial_first_bucket` (E9-W9); any engine timeframe works as the bucket (E9-W7).
///
/// Not ready (resolution 59): fewer buckets than `min_candles_required` → `warming_up`; no EMA yet → `insufficient_candles`;
/// an EMA missing inside the examined run → the run is mixed (no entry); ATR with fewer than 15 buckets → the % stops.
public final class EMA9TrendFlipStrategy: Strategy {
    public static let name = "ema9_trend_flip"
    public static let version = "1.0.0"
    public static let summary = "Hourly EMA-9 flip: enter when the opens cross the EMA after N on the other side; exit on the flip back or after 72 h."
    public static let defaultSymbols = [Symbol("BTC/USDT")!]
    public static var parameters: [ParameterSpec] { EMA9TrendFlipConfig.specs }

    /// Its own decline reasons (the shared ones are `StrategyRejection`).
    enum Decline: String { case noFlipSignal = "no_flip_signal" }

    /// The position as the strategy books it from its fills (§12).
    public struct Held: Equatable, Sendable {
        public var side: PositionSide
        /// USD notional at entry.
        public var notional: Double
        public var entryPrice: Double
        public var entryTime: Timestamp
        public var stopLoss: Double?
        public var takeProfit: Double?
    }

    /// One evaluation's readings, kept for the indicators and reused until the candles change.
    struct Reading {
        var key: [Int64]
        var buckets: Int
        var ema: Double?
        var price: Double?
        var current: EMA9Side = .neutral
        var run: EMA9Run = .mixed
        var atr: Double?
    }

    let symbols: [Symbol]
    let c: EMA9TrendFlipConfig
    public private(set) var rejections = RejectionTracker()
    public private(set) var held: [Held?]
    public private(set) var status: [String]
    public private(set) var tradeCount = 0, winCount = 0, lossCount = 0
    public private(set) var totalPnl = 0.0
    public internal(set) var lastSignalTime: Timestamp?
    public internal(set) var lastTradeWasLoss = false
    private var readings: [Reading?]
    private var lastPrice: [Double?]
    /// Per pair: the start of the oldest data seen (E9-W9).
    private var firstData: [Timestamp?]
    /// Entries waiting for their fill: stops and targets to book with the position.
    private var pendingStops: [(sl: Double?, tp: Double?)]

    public init(parameters p: StrategyParameters, symbols: [Symbol]) throws {
        self.symbols = symbols
        c = try EMA9TrendFlipConfig(p, symbols: symbols)
        rejections = RejectionTracker(enabled: c.trackRejections)
        held = Array(repeating: nil, count: symbols.count)
        status = Array(repeating: "initialized", count: symbols.count)
        readings = Array(repeating: nil, count: symbols.count)
        lastPrice = Array(repeating: nil, count: symbols.count)
        firstData = Array(repeating: nil, count: symbols.count)
        pendingStops = Array(repeating: (nil, nil), count: symbols.count)
    }

    /// Buckets of the bucket timeframe from the engine (200 kept: §4's capacity); the current bucket is read from 1m.
    public var warmup: [Timeframe: Int] { [c.timeframe: max(200, c.minCandles)] }
    public var tradeHistory: Int { 1 }

    public var indicators: [String: Double] {
        var out: [String: Double] = ["required_candles": Double(c.minCandles), "trade_count": Double(tradeCount),
                                     "win_count": Double(winCount), "loss_count": Double(lossCount), "total_pnl": totalPnl]
        for (i, s) in symbols.enumerated() {
            guard let r = readings[i] else { continue }
            out["hourly_candle_count_\(s)"] = Double(r.buckets)
            if let p = lastPrice[i] { out["price_\(s)"] = p }
            if let e = r.ema { out["ema_9_\(s)"] = e }
            out["current_position_\(s)"] = r.current.sign
            if case .side(let side) = r.run { out["prev_position_\(s)"] = side.sign; out["prev_consecutive_count_\(s)"] = Double(c.consecutive[i]) }
            else { out["prev_position_\(s)"] = 0; out["prev_consecutive_count_\(s)"] = 0 }
            if let a = r.atr { out["atr_\(s)"] = a }
            if let h = held[i] { out["position_\(s)"] = h.side == .long ? h.notional : -h.notional }
        }
        return out
    }

    // MARK: Fills (§12, the Swift rules)

    public func onFill(_ fill: Fill, _ context: StrategyContext) {
        guard let i = symbols.firstIndex(of: fill.symbol) else { return }
        let value = fill.size.doubleValue * fill.price.doubleValue * fill.quoteUSD.doubleValue
        let price = fill.price.doubleValue, pnl = fill.pnl.doubleValue
        switch fill.side {
        case .buy:
            if held[i]?.side == .short { close(i, pnl) } else { open(i, .long, value, price, fill.timestamp) }
        case .short:
            open(i, .short, value, price, fill.timestamp)
        case .sell:
            if held[i]?.side == .long { close(i, pnl) } else { open(i, .short, value, price, fill.timestamp) }
        case .cover:
            if held[i]?.side == .short { close(i, pnl) }
        }
    }

    private func open(_ i: Int, _ side: PositionSide, _ value: Double, _ price: Double, _ time: Timestamp) {
        if var h = held[i], h.side == side {
            // Extends: notional adds up, the entry is the notional-weighted price, the time stays the first entry's.
            let units = h.notional / h.entryPrice + value / price
            h.notional += value
            h.entryPrice = units > 0 ? h.notional / units : price
            held[i] = h
        } else {
            held[i] = Held(side: side, notional: value, entryPrice: price, entryTime: time, stopLoss: pendingStops[i].sl, takeProfit: pendingStops[i].tp)
        }
        pendingStops[i] = (nil, nil)
    }

    private func close(_ i: Int, _ pnl: Double) {
        held[i] = nil
        totalPnl += pnl
        tradeCount += 1
        // E9-W8 kept (the spec's rule): a breakeven close counts as a loss.
        if pnl > 0 { winCount += 1; lastTradeWasLoss = false } else { lossCount += 1; lastTradeWasLoss = true }
    }

    // MARK: Decision (§6, exits before the cooldown)

    private func reject(_ r: StrategyRejection, _ s: Symbol) -> Signal? { rejections.track(r.rawValue, symbol: s); return nil }
    private func reject(_ r: Decline, _ s: Symbol) -> Signal? { rejections.track(r.rawValue, symbol: s); return nil }

    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        for (i, s) in symbols.enumerated() {
            if let sig = try evaluate(i, s, snapshot) {
                lastSignalTime = snapshot.timestamp
                status[i] = held[i] == nil ? "signal_generated" : "exit_signal"
                return sig
            }
        }
        return nil
    }

    func reading(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) -> (Reading, [EMA9Bucket]?) {
        let closed = snapshot.candles(c.timeframe, s), minutes = c.timeframe == .m1 ? RingBuffer<Candle>(capacity: 1) : snapshot.candles(.m1, s)
        let key: [Int64] = [Int64(closed.count), closed.newest?.start.nanoseconds ?? 0, Int64(minutes.count), minutes.newest?.start.nanoseconds ?? 0]
        if let r = readings[i], r.key == key { return (r, nil) }
        // The data's own start: the first 1m candle ever seen (an engine bucket candle always starts on its boundary,
        // whenever its data began). Without 1m candles (a bar backtest on the bucket timeframe) nothing is dropped.
        if firstData[i] == nil, minutes.count > 0 { firstData[i] = minutes[0].start }
        var b = EMA9Math.buckets(closed: closed, minutes: minutes, timeframe: c.timeframe)
        if c.dropPartialFirst, let f = firstData[i], let head = b.first, head.start < f { b.removeFirst() }
        let prices = b.map { c.useOpen ? $0.open : $0.close }
        let ema = EMA9Math.emaSeries(prices, period: c.emaPeriod)
        var r = Reading(key: key, buckets: b.count, ema: ema.last ?? nil)
        if let e = r.ema, let p = prices.last {
            r.current = EMA9Side.of(p, ema: e, bufferPct: c.bufferPct)
            r.run = EMA9Math.previousRun(prices, ema, n: c.consecutive[i], bufferPct: c.bufferPct)
            r.atr = EMA9Math.atr(b)
        }
        readings[i] = r
        return (r, b)
    }

    private func evaluate(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot) throws -> Signal? {
        guard let price = snapshot.price(s), price.isPositive else { status[i] = "no_price_data"; return reject(.noPriceData, s) }
        let p = price.doubleValue
        lastPrice[i] = p
        let (r, _) = reading(i, s, snapshot)
        guard r.buckets > 0 else { status[i] = "no_candle_data"; return nil }   // counted nowhere (§6 step 2)
        guard r.buckets >= c.minCandles else { status[i] = "warming_up"; return reject(.warmingUp, s) }
        guard let ema = r.ema else { status[i] = "insufficient_ema_data"; return reject(.insufficientCandles, s) }
        status[i] = "active"
        let now = snapshot.timestamp

        // Exits first (E9-W5): the cooldown never holds a position open.
        if let h = held[i], h.notional > 0 {
            if let exit = try exitSignal(i, s, h, r, price, ema: ema, now: now) { return exit }
            status[i] = "in_position"
            return nil
        }
        // One position overall.
        if held.contains(where: { $0 != nil }) { status[i] = "in_position"; return nil }
        if let last = lastSignalTime {
            let limit = lastTradeWasLoss ? c.cooldownAfterLossMinutes : c.cooldownMinutes
            if Double((now - last).nanoseconds) < limit * 60e9 { status[i] = "cooldown"; return reject(.timeCooldown, s) }
        }
        let long = r.run == .side(.below) && r.current == .above
        let short = r.run == .side(.above) && r.current == .below
        guard long || short, let usd = entrySize(i, recorded: held[i]?.notional ?? 0) else {
            status[i] = "no_flip_signal"
            return reject(.noFlipSignal, s)
        }
        let (sl, tp) = stops(i, long: long, price: p, atr: r.atr)
        pendingStops[i] = (sl, tp)
        let n = c.consecutive[i]
        let reason = long ? "EMA9: Long flip (\(n) candles below, now above EMA=\(Self.fixed(ema, 2)))"
            : "EMA9: Short flip (\(n) candles above, now below EMA=\(Self.fixed(ema, 2)))"
        return try Signal(action: long ? .buy : .short, symbol: s, sizeUSD: usd, price: price, reason: reason,
                          stopLoss: Price(rounding: sl, toDecimals: 12), takeProfit: Price(rounding: tp, toDecimals: 12),
                          metadata: ["entry_type": long ? "ema_flip_long" : "ema_flip_short", "ema_9": Self.fixed(ema, 8),
                                     "consecutive_candles": "\(n)"])
    }

    /// §7's size: `min(position_size_usd, max_position_usd − recorded)`, nil when what is left is under the minimum.
    func entrySize(_ i: Int, recorded: Double) -> Double? {
        let available = c.maxPosition - recorded
        guard available >= c.minTrade, available > 0 else { return nil }
        return min(c.size[i], available)
    }

    /// §7's stop and target: ATR multiples when asked and known, else the pair's percentages.
    func stops(_ i: Int, long: Bool, price p: Double, atr: Double?) -> (sl: Double, tp: Double) {
        if c.useATR, let a = atr {
            return long ? (p - a * c.atrStopMult, p + a * c.atrTPMult) : (p + a * c.atrStopMult, p - a * c.atrTPMult)
        }
        let sl = c.stopLoss[i] / 100, tp = c.takeProfit[i] / 100
        return long ? (p * (1 - sl), p * (1 + tp)) : (p * (1 + sl), p * (1 - tp))
    }

    /// §8: the strategy's own stop and target (option), the EMA flip, the time exit; first match.
    func exitSignal(_ i: Int, _ s: Symbol, _ h: Held, _ r: Reading, _ price: Price, ema: Double, now: Timestamp) throws -> Signal? {
        let p = price.doubleValue
        let long = h.side == .long
        let pnlPct = h.entryPrice > 0 ? (long ? p - h.entryPrice : h.entryPrice - p) / h.entryPrice * 100 : 0
        let side = long ? "long" : "short"
        var exit: (type: String, why: String)?
        if c.strategyStops {
            if let sl = h.stopLoss, long ? p <= sl : p >= sl { exit = ("stop_loss", "Stop loss \(Self.fixed(sl, 2)) reached") }
            else if let tp = h.takeProfit, long ? p >= tp : p <= tp { exit = ("take_profit", "Take profit \(Self.fixed(tp, 2)) reached") }
        }
        if exit == nil, c.exitOnFlip, long ? r.current == .below : r.current == .above {
            exit = ("ema_flip", "EMA flip to \(long ? "below" : "above") (EMA=\(Self.fixed(ema, 2)))")
        }
        let heldHours = Double((now - h.entryTime).nanoseconds) / 3600e9
        if exit == nil, heldHours >= c.maxHoldHours {
            exit = ("time_exit", "Max hold time (\(Self.hours(c.maxHoldHours))h) reached")
        }
        guard let exit else { return nil }
        let size = Money(rounding: h.notional, toDecimals: 8) ?? .zero
        return try Signal(action: long ? .sell : .cover, symbol: s, size: size, price: price,
                          reason: "EMA9: Exit \(side) - \(exit.why), P&L=\(Self.fixed(pnlPct, 2))%",
                          metadata: ["exit_type": exit.type, "entry_price": Self.fixed(h.entryPrice, 8), "pnl_pct": Self.fixed(pnlPct, 2)],
                          closeFullPosition: true)
    }

    static func fixed(_ v: Double, _ d: Int) -> String { String(format: "%.\(d)f", v) }
    static func hours(_ h: Double) -> String { h == h.rounded() ? "\(Int(h))" : fixed(h, 1) }

    // Test hooks (the scenarios set state the way the spec's fixtures do).
    func setHeld(_ i: Int, _ h: Held?) { held[i] = h }
}
