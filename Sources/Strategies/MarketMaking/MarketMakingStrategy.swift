import Indicators
import TradingCore

/// Provides liquidity (market_making.md, reference code 2.2.1). The default `mode: quote` rests a post-only bid and
/// ask around a reservation price skewed by inventory, with a half-spread that covers the maker fee plus an edge
/// (§6.1), and so earns the spread and pays maker fees. `mode: legacy` is the reference: one market order a tick on
/// book-depth imbalance, which crosses the spread twice per round trip (W1) and, with its fee gate, needs a 0.5 %
/// spread to trade at all (W2).
///
/// Where it differs from the reference ([FIX]): the A-S spread is in price units (W3); the trailing stop works (W5);
/// XRP/BTC reductions convert the USD size to XRP before the min (W6); sizes are USD, converted by the engine for
/// XRP/BTC (W7); a short is reduced with `cover` (W8); inventory and entries are the portfolio's, engine exits
/// included (W9); sessions are UTC, US [17, 22) (W13, resolution 33); the stale-position and trailing exits run
/// before every gate (W14); the legacy spread and fee gates compare exact decimals with `≥` (W22). Flat XRP/BTC
/// sells are skipped (`no_inventory`): a cash-only portfolio has no XRP to sell (resolution 34).
///
/// Not-ready readings (resolution 59): 1m volatility nil → 0 (no regime, MEDIUM, multipliers 1; σ 0: no skew); slope
/// nil → 0 (not trending); correlation nil (too few candles, or a series that does not move) → no pause; a book
/// without sizes → micro-price = mid; no XRP/USDT price → `fallback_xrp_usdt`.
public final class MarketMakingStrategy: OrderStrategy {
    public static let name = "market_making"
    public static let version = "3.0.0"
    public static let summary = "Two-sided post-only quotes with inventory skew (maker fees); mode: legacy is the reference taker."
    public static let defaultSymbols = [Symbol("XRP/USDT")!, Symbol("BTC/USDT")!, Symbol("XRP/BTC")!]
    public static var parameters: [ParameterSpec] { MarketMakingConfig.specs }
    public static var symbolDefaults: [Symbol: [String: String]] { MarketMakingConfig.symbolDefaults }

    let symbols: [Symbol]
    let c: MarketMakingConfig
    public let startupWarnings: [String]
    public private(set) var rejections = RejectionTracker()

    var breaker: CircuitBreaker
    var lastSignal: Timestamp?
    var lastSignalBySymbol: [Timestamp?]
    /// §7.2 step 7: consecutive trending evaluations per pair.
    public private(set) var trendCount: [Int]
    var candleCache: [MarketMakingCandleCache]
    var correlationCache: (key: (Timestamp?, Timestamp?), value: Double?) = ((nil, nil), nil)
    /// Quoting mode: per pair, bid, ask and exit: until when an intent we sent may still be on its way.
    var pending: [[Timestamp?]]
    var lastReading: [MarketMakingReading?]
    /// Quoting mode: per pair, the resting bid and ask as the order events reported them.
    var resting: [[OpenOrder?]]
    var grids: [PriceGrid?]
    /// The latest XRP–BTC correlation read for XRP/BTC (nil: not known).
    public private(set) var correlation: Double?
    public private(set) var makerFills = 0, takerFills = 0
    /// XRP bought and BTC received on XRP/BTC (the reference's accumulation figures).
    public private(set) var xrpAccumulated = 0.0, btcAccumulated = 0.0
    /// Engine-side closes the quoting mode asked for: hard-limit flattening.
    public internal(set) var flattened = 0

    public init(parameters p: StrategyParameters, symbols: [Symbol]) throws {
        self.symbols = symbols
        c = try MarketMakingConfig(p, symbols: symbols)
        startupWarnings = MarketMakingConfig.warnings(c, p, symbols: symbols)
        rejections = RejectionTracker(enabled: c.trackRejections)
        breaker = CircuitBreaker(enabled: c.useBreaker, maxConsecutiveLosses: c.maxLosses, cooldown: .minutes(Int64(c.breakerMinutes)))
        lastSignalBySymbol = Array(repeating: nil, count: symbols.count)
        trendCount = Array(repeating: 0, count: symbols.count)
        candleCache = Array(repeating: MarketMakingCandleCache(), count: symbols.count)
        pending = Array(repeating: [nil, nil, nil], count: symbols.count)
        lastReading = Array(repeating: nil, count: symbols.count)
        resting = Array(repeating: [nil, nil], count: symbols.count)
        grids = Array(repeating: nil, count: symbols.count)
    }

    public var warmup: [Timeframe: Int] { [.m1: max(c.volLookback + 1, c.trendLookback, c.correlationLookback + 1)] }
    public var tradeHistory: Int { max(c.flowWindow, 100) }

    public var indicators: [String: Double] {
        var out: [String: Double] = ["maker_fills": Double(makerFills), "taker_fills": Double(takerFills)]
        if symbols.contains(MarketMakingConfig.xrpBTC) { out["xrp_accumulated"] = xrpAccumulated; out["btc_accumulated"] = btcAccumulated }
        for (i, s) in symbols.enumerated() {
            guard let r = lastReading[i] else { continue }
            out["spread_pct_\(s)"] = r.spreadPct
            out["imbalance_\(s)"] = r.imbalance
            out["micro_price_\(s)"] = r.micro
            out["volatility_\(s)"] = r.volatility
            out["inventory_\(s)"] = r.inventory
            if let corr = r.correlation { out["xrp_btc_correlation"] = corr }
            if c.mode == .legacy && c.useReservation {
                out["reservation_price_\(s)"] = Self.referenceReservationPrice(mid: r.micro, inventory: r.inventory, maxInventory: r.maxInventory,
                                                                                gamma: c.gamma, volatilityPct: r.volatility)
            }
        }
        return out
    }

    public func onFill(_ fill: Fill, _ context: StrategyContext) {
        breaker.record(fill)
        if fill.liquidity == .maker { makerFills += 1 } else { takerFills += 1 }
        if fill.symbol == MarketMakingConfig.xrpBTC {
            if fill.side == .buy { xrpAccumulated += fill.size.doubleValue }
            if fill.side == .sell { btcAccumulated += fill.size.doubleValue * fill.price.doubleValue }
        }
        if let i = symbols.firstIndex(of: fill.symbol) { pending[i] = [nil, nil, nil] }   // the position changed: look again
    }

    public func onOrderEvent(_ event: OrderEvent, _ context: StrategyContext) {
        guard let o = event.order, let i = symbols.firstIndex(of: o.symbol) else {
            // An unknown order: whatever we waited for is settled.
            pending = pending.map { p in [nil, nil, p[2]] }
            return
        }
        let side = o.action.takerSide == .buy ? 0 : 1
        pending[i][side] = nil
        switch event {
        case .accepted, .replaced: resting[i][side] = o
        case .ended: if resting[i][side]?.id == o.id { resting[i][side] = nil }
        case .unknownOrder: break
        }
    }

    // MARK: Decision

    public func decide(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> [OrderIntent] {
        switch c.mode {
        case .legacy: return try legacySignal(snapshot, context).map { [.place($0)] } ?? []
        case .quote: return try quote(snapshot, context)
        }
    }

    /// Its own decline reasons (the shared ones are `StrategyRejection`).
    enum Decline: String { case noOrderbook = "no_orderbook", trendingMarket = "trending_market", lowCorrelation = "low_correlation",
                                spreadTooNarrow = "spread_too_narrow", noInventory = "no_inventory" }
    func reject(_ r: Decline, _ s: Symbol?) { rejections.track(r.rawValue, symbol: s) }
    func reject(_ r: StrategyRejection, _ s: Symbol?) { rejections.track(r.rawValue, symbol: s) }

    /// §7.2 steps 1–10 for one pair: the reading, or the reason to stand aside (already counted).
    func read(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) -> MarketMakingReading? {
        guard let book = snapshot.book(s), let b0 = book.bids.first, let a0 = book.asks.first, b0.price.isPositive, a0.price.isPositive else {
            reject(Decline.noOrderbook, s); return nil
        }
        guard let price = snapshot.price(s), price.isPositive else { reject(.noPriceData, s); return nil }
        let isCross = s == MarketMakingConfig.xrpBTC
        // Legacy keeps the reference's XRP/USDT-or-fallback; quoting derives it from XRP/BTC × BTC/USDT first.
        let xrpUSD = (c.mode == .quote ? Self.xrpUSD(snapshot) : snapshot.price(MarketMakingConfig.xrpUSDT).map(\.doubleValue).flatMap { $0 > 0 ? $0 : nil })
            ?? c.fallbackXRP
        let bid = b0.price.doubleValue, ask = a0.price.doubleValue
        let mid = (bid + ask) / 2
        let micro = c.useMicro ? (microPrice(bid: bid, bidSize: b0.size.doubleValue, ask: ask, askSize: a0.size.doubleValue) ?? mid) : mid
        let spreadPct = (ask - bid) / mid * 100
        var bidDepth = 0.0, askDepth = 0.0
        let depth = c.imbalanceDepth == 0 ? Int.max : c.imbalanceDepth
        for l in book.bids.prefix(depth) { bidDepth += l.size.doubleValue }
        for l in book.asks.prefix(depth) { askDepth += l.size.doubleValue }
        let imbalance = bidDepth + askDepth > 0 ? (bidDepth - askDepth) / (bidDepth + askDepth) : 0

        let m1 = snapshot.candles(.m1, s)
        MarketMakingCandleCache.read(m1, volLookback: c.volLookback, trendLookback: c.trendLookback, cache: &candleCache[i])
        let vol = candleCache[i].volatility ?? 0
        var regime = MarketMakingReading.Regime.medium
        var rThreshold = 1.0, rSize = 1.0
        if c.useRegime && vol > 0 {
            if vol < c.regimeLow { regime = .low; rThreshold = c.lowThresholdMult }
            else if vol < c.regimeMedium { regime = .medium }
            else if vol < c.regimeHigh { regime = .high; rThreshold = c.highThresholdMult; rSize = c.highSizeMult }
            else { regime = .extreme; rThreshold = 2; rSize = 0 }
            if regime == .extreme && c.extremePause { reject(.extremeVolatility, s); return nil }
        }
        // Step 7: counts evaluations that reach it (ticks, as the reference), reset by a calm one.
        if c.useTrend && !m1.isEmpty {
            if abs(candleCache[i].slope ?? 0) > c.trendSlope {
                trendCount[i] += 1
                if trendCount[i] >= c.trendConfirm { reject(Decline.trendingMarket, s); return nil }
            } else { trendCount[i] = 0 }
        }
        let volMult = vol > c.baseVolatility ? min(vol / c.baseVolatility, c.volThresholdMult) : 1
        let session = c.useSessions ? c.sessions.session(at: snapshot.timestamp) : "DISABLED"
        let sThreshold = c.useSessions ? c.sessionThresholdMult[session]! : 1, sSize = c.useSessions ? c.sessionSizeMult[session]! : 1
        var correlation: Double?
        if isCross && c.useCorrelation {
            correlation = xrpBTCCorrelation(snapshot)
            self.correlation = correlation
            if let corr = correlation, corr < c.correlationPause { reject(Decline.lowCorrelation, s); return nil }
        }
        let position = context.portfolio.position(s).flatMap { $0.size.isPositive ? $0 : nil }
        var inventory = 0.0
        if let pos = position {
            let sign: Double = pos.side == .long ? 1 : -1
            if isCross { inventory = sign * pos.size.doubleValue }
            else if let e = PositionExposure(s, snapshot, context) { inventory = e.signedUSD }
        }
        let maxInv = isCross ? c.maxInventoryXRP[i] : c.maxInventory[i]
        let base = isCross ? c.sizeXRP[i] * xrpUSD : c.sizeUSD[i]
        let r = MarketMakingReading(bid: b0.price, ask: a0.price, price: price, bidSize: b0.size.doubleValue, askSize: a0.size.doubleValue,
                                    mid: mid, micro: micro, spreadPct: spreadPct, imbalance: imbalance, isCross: isCross, xrpUSD: xrpUSD,
                                    volatility: vol, sigmaPrice: candleCache[i].sigmaPrice ?? 0, regime: regime, volMult: volMult,
                                    regimeThresholdMult: rThreshold, regimeSizeMult: rSize, session: session,
                                    sessionThresholdMult: sThreshold, sessionSizeMult: sSize,
                                    effectiveMinSpread: c.minSpread[i] * volMult,
                                    effectiveThreshold: c.imbalanceThreshold[i] * volMult * rThreshold * sThreshold,
                                    inventory: inventory, maxInventory: maxInv, baseSize: base, position: position, correlation: correlation)
        lastReading[i] = r
        return r
    }

    /// XRP's USD price: XRP/USDT, else XRP/BTC × BTC/USDT (a session of XRP/BTC alone has BTC/USDT as its valuation
    /// pair), else nil (then `fallback_xrp_usdt`, §7.2 step 3).
    static func xrpUSD(_ snapshot: DataSnapshot) -> Double? {
        if let p = snapshot.price(MarketMakingConfig.xrpUSDT), p.isPositive { return p.doubleValue }
        if let x = snapshot.price(MarketMakingConfig.xrpBTC), x.isPositive, let b = snapshot.price(MarketMakingConfig.btcUSDT), b.isPositive {
            return x.doubleValue * b.doubleValue
        }
        return nil
    }

    /// §7.2 step 10: correlation of 1m XRP/USDT and BTC/USDT returns, once per candle.
    private func xrpBTCCorrelation(_ snapshot: DataSnapshot) -> Double? {
        let a = snapshot.candles(.m1, MarketMakingConfig.xrpUSDT), b = snapshot.candles(.m1, MarketMakingConfig.btcUSDT)
        let key = (a.newest?.start, b.newest?.start)
        if key.0 != nil, correlationCache.key.0 == key.0, correlationCache.key.1 == key.1 { return correlationCache.value }
        let n = c.correlationLookback + 1
        var value: Double?
        if a.count >= n, b.count >= n {
            var corr = Correlation(window: c.correlationLookback, zeroVarianceValue: nil)
            for k in 0..<n { _ = corr.update((a[a.count - n + k].close.doubleValue, b[b.count - n + k].close.doubleValue)) }
            value = corr.value
        }
        correlationCache = (key, value)
        return value
    }

    // MARK: Exits (both modes, before every gate: W14)

    /// §8.2 for a pair with a position: the trailing stop, then the stale-position exit; priced at the side it closes
    /// against.
    func exitSignal(_ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        guard let pos = context.portfolio.position(s), pos.size.isPositive, let price = snapshot.price(s), price.isPositive,
              let book = snapshot.book(s), book.isTwoSided else { return nil }
        let long = pos.side == .long
        let p = price.doubleValue, entry = pos.entryPrice.doubleValue
        guard entry > 0 else { return nil }
        let ref = long ? book.bestBid : book.bestAsk
        let action: SignalAction = long ? .sell : .cover
        let i = symbols.firstIndex(of: s)!
        let usd = PositionExposure(s, snapshot, context)?.usd ?? 0
        var meta: [String: String] = [:]
        if s == MarketMakingConfig.xrpBTC { meta["xrp_size"] = Self.text(pos.size.doubleValue) }
        if c.useTrailing {
            if long {
                let high = max(pos.highestPrice.doubleValue, p)
                if (high - entry) / entry * 100 >= c.trailingActivation, p <= high * (1 - c.trailingDistance / 100) {
                    meta["trailing_stop"] = "true"
                    return try full(action, s, usd, ref, "trailing stop: \(Self.text(p)) ≤ \(Self.text(high * (1 - c.trailingDistance / 100)))", meta)
                }
            } else {
                let low = min(pos.lowestPrice.doubleValue, p)
                if (entry - low) / entry * 100 >= c.trailingActivation, p >= low * (1 + c.trailingDistance / 100) {
                    meta["trailing_stop"] = "true"
                    return try full(action, s, usd, ref, "trailing stop: \(Self.text(p)) ≥ \(Self.text(low * (1 + c.trailingDistance / 100)))", meta)
                }
            }
        }
        guard c.useDecay else { return nil }
        let age = Double((snapshot.timestamp - pos.entryTime).nanoseconds) / 1e9
        guard age > c.maxAge else { return nil }   // strictly older (§8.2)
        // The quoting mode entered as a maker and leaves at market: the target is net of both fees, so the exit never
        // turns a quote's gain into a fee loss (the legacy mode keeps the reference's gross test).
        let costs = c.mode == .quote ? (c.makerFee + c.takerFee) * 100 : 0
        let profit = (long ? p - entry : entry - p) / entry * 100 - costs
        let target = c.takeProfit[i] * c.decayTPMult
        guard profit >= target || c.decayLosers else { return nil }
        meta["position_decay"] = "true"
        return try full(action, s, usd, ref, "stale position (\(Int(age)) s) at \(Self.text(profit))% (target \(Self.text(target))%)", meta)
    }

    /// Closes the whole position; `usd` is what it is worth (the signal's nominal size, for the record).
    func full(_ action: SignalAction, _ s: Symbol, _ usd: Double, _ ref: Price, _ reason: String, _ meta: [String: String]) throws -> Signal {
        let size = Money(rounding: max(usd, 0), toDecimals: 8) ?? .zero
        return try Signal(action: action, symbol: s, size: size, price: ref, reason: reason, metadata: meta, closeFullPosition: true)
    }

    /// `v` to 8 decimals, as plain decimal text (never exponent notation).
    /// The reference's reservation price (§5, telemetry in `mode: legacy` with `use_reservation_price`):
    /// `mid × (1 − q × γ × σ² × 100)`, q = inventory / max, σ = volatility % / 100. Its `× 100` makes it unit-inconsistent;
    /// the quoting mode uses §6.1's form in price units instead.
    static func referenceReservationPrice(mid: Double, inventory: Double, maxInventory: Double, gamma: Double, volatilityPct: Double) -> Double {
        let q = maxInventory > 0 ? inventory / maxInventory : 0, sigma = volatilityPct / 100
        return mid * (1 - q * gamma * sigma * sigma * 100)
    }

    static func text(_ v: Double) -> String { Price(rounding: v, toDecimals: 8)?.description ?? "\(v)" }
}
