import TradingCore

/// A small tick-level example: follow one-sided trade flow with a protective stop and target, exit when
/// the flow flips. Shows the shared gates: exits first, then circuit breaker and cooldown on entries.
public final class FlowMomentumStrategy: Strategy {
    public static let name = "flow_momentum"
    public static let version = "1.0.0"
    public static let summary = "Tick-level example: buys one-sided taker flow, exits on a flip, stop and target."
    public static let defaultSymbols = [Symbol("BTC/USDT")!, Symbol("XRP/USDT")!]
    public static let parameters: [ParameterSpec] = [
        .int("lookback_trades", 20, min: 2, max: 10_000, "trades in the flow window"),
        .double("entry_imbalance", 0.4, min: 0, max: 1, "buy when taker imbalance exceeds this").perPair(),
        .double("exit_imbalance", -0.2, min: -1, max: 1, "close when imbalance falls below this").perPair(),
        .double("position_size_usd", 20, min: 0.01, max: 1_000_000_000, "USD notional per entry").perPair(),
        .double("stop_loss_pct", 0.5, min: 0.01, max: 50, "stop-loss distance, % of entry").perPair(),
        .double("take_profit_pct", 1.0, min: 0.01, max: 100, "take-profit distance, % of entry").perPair(),
        .int("cooldown_seconds", 30, min: 0, max: 31_536_000, "minimum time between entries"),
        .bool("use_circuit_breaker", true, "pause entries after consecutive losses"),
        .int("max_consecutive_losses", 3, min: 1, max: 1000, "losses that trip the breaker"),
        .int("circuit_breaker_minutes", 15, min: 1, max: 525_600, "breaker cooldown"),
    ]

    let symbols: [Symbol]
    let lookback: Int
    /// Per pair (same order as `symbols`).
    let entryImbalance: [Double]
    let exitImbalance: [Double]
    let sizeUSD: [Double]
    let stopPct: [Double]
    let targetPct: [Double]
    var cooldown: SignalCooldown
    var breaker: CircuitBreaker
    public private(set) var rejections = RejectionTracker()
    private var lastImbalance: [Symbol: Double] = [:]

    public init(parameters p: StrategyParameters, symbols: [Symbol]) throws {
        self.symbols = symbols
        lookback = p.int("lookback_trades")
        entryImbalance = symbols.map { p.double("entry_imbalance", for: $0) }
        exitImbalance = symbols.map { p.double("exit_imbalance", for: $0) }
        sizeUSD = symbols.map { p.double("position_size_usd", for: $0) }
        stopPct = symbols.map { p.double("stop_loss_pct", for: $0) }
        targetPct = symbols.map { p.double("take_profit_pct", for: $0) }
        cooldown = SignalCooldown(interval: .seconds(Int64(p.int("cooldown_seconds"))))
        breaker = CircuitBreaker(enabled: p.bool("use_circuit_breaker"), maxConsecutiveLosses: p.int("max_consecutive_losses"),
                                 cooldown: .minutes(Int64(p.int("circuit_breaker_minutes"))))
    }

    public var tradeHistory: Int { lookback }
    public var indicators: [String: Double] {
        var out: [String: Double] = [:]
        for (s, v) in lastImbalance { out["imbalance_\(s)"] = v }
        return out
    }

    public func onFill(_ fill: Fill, _ context: StrategyContext) { breaker.record(fill) }

    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        let now = snapshot.timestamp
        // Exits first: no gate ever blocks them.
        for (si, symbol) in symbols.enumerated() {
            guard let pos = context.portfolio.position(symbol), pos.side == .long else { continue }
            guard snapshot.trades(symbol).count >= lookback, let price = snapshot.price(symbol) else { continue }
            let imb = snapshot.tradeImbalance(symbol, n: lookback)
            lastImbalance[symbol] = imb
            if imb < exitImbalance[si] {
                return try Signal(action: .sell, symbol: symbol, size: .zero, price: price,
                                  reason: "flow flipped (imbalance \(rounded(imb)))", closeFullPosition: true)
            }
        }
        // Entries behind the gates.
        if breaker.isBlocking(now: now) { rejections.track(.circuitBreaker); return nil }
        if cooldown.isBlocking(now: now) { rejections.track(.timeCooldown); return nil }
        for (si, symbol) in symbols.enumerated() where context.portfolio.position(symbol) == nil {
            guard snapshot.trades(symbol).count >= lookback, let price = snapshot.price(symbol),
                  let instrument = context.instruments[symbol] else { rejections.track(.warmingUp, symbol: symbol); continue }
            let imb = snapshot.tradeImbalance(symbol, n: lookback)
            lastImbalance[symbol] = imb
            guard imb > entryImbalance[si] else { rejections.track(.noSignalConditions, symbol: symbol); continue }
            let p = price.doubleValue
            guard let sl = instrument.price(p * (1 - stopPct[si] / 100)), let tp = instrument.price(p * (1 + targetPct[si] / 100)) else { continue }
            cooldown.mark(now)
            return try Signal(action: .buy, symbol: symbol, sizeUSD: sizeUSD[si], price: price,
                              reason: "taker flow imbalance \(rounded(imb))", stopLoss: sl, takeProfit: tp)
        }
        return nil
    }

    private func rounded(_ v: Double) -> String {
        let x = (v * 1000).rounded() / 1000
        return "\(x)"
    }
}
