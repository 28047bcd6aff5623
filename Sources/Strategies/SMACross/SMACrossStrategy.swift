import TradingCore

/// The canonical benchmark strategy: fast SMA crosses above slow → buy `quantity` base units when flat;
/// crosses below → close the long. Decides on closed candles of its `timeframe` only (in a bar backtest
/// `auto` means the bars' own timeframe, so 1h or 1d data trades exactly as its bars say).
///
/// The averages are compared exactly (Σfast × slowN vs Σslow × fastN on fixed-point closes), and a
/// cross uses backtrader's rule: the previous non-zero difference had the other sign.
public final class SMACrossStrategy: Strategy {
    public static let name = "sma_cross"
    public static let version = "1.0.0"
    public static let summary = "Fast/slow SMA crossover on closed candles (the canonical benchmark)."
    public static let defaultSymbols = [Symbol("XRP/USDT")!]
    public static let parameters: [ParameterSpec] = [
        .int("fast", 10, min: 1, max: 10_000, "fast SMA period (candles)").perPair(),
        .int("slow", 30, min: 2, max: 10_000, "slow SMA period (candles)").perPair(),
        .decimal("quantity", "1", min: 0, max: 1_000_000_000_000, "base units bought on an up-cross").perPair(),
        .timeframe("timeframe", "auto", "candles it reads: auto = the bars' timeframe in a bar backtest, 1m otherwise"),
        .bool("regime_filter", false, "skip up-cross entries while the market regime is bearish or volatility extreme (reads the regime detector)"),
    ]

    /// Per symbol (same order as `symbols`): `strategy_overrides.sma_cross.symbols.<SYM>.*` over the global values.
    let fasts: [Int]
    let slows: [Int]
    let quantities: [Money]
    let symbols: [Symbol]
    let timeframe: Timeframe
    let regimeFilter: Bool
    public private(set) var rejections = RejectionTracker()
    /// Per symbol (same order as `symbols`): newest candle evaluated, last non-zero difference's sign.
    private var lastSeen: [Timestamp?]
    private var lastNonZero: [Int?]
    private var fastSums: [Int128], slowSums: [Int128], sumsValid: [Bool]
    /// Latest sums of closes (raw fixed-point) and their periods, turned into averages only when indicators are read.
    private var lastFastSum: Int128 = 0, lastSlowSum: Int128 = 0
    private var lastFast = 1, lastSlow = 1

    public init(parameters: StrategyParameters, symbols: [Symbol]) throws {
        fasts = symbols.map { parameters.int("fast", for: $0) }
        slows = symbols.map { parameters.int("slow", for: $0) }
        quantities = symbols.map { parameters.decimal("quantity", for: $0) }
        timeframe = parameters.timeframe("timeframe") ?? .m1
        regimeFilter = parameters.bool("regime_filter")
        let globalFast = parameters.int("fast"), globalSlow = parameters.int("slow")
        guard globalFast < globalSlow else { throw ParameterError(strategy: Self.name, key: "fast", message: "must be below slow (\(globalSlow))") }
        guard parameters.decimal("quantity").isPositive else { throw ParameterError(strategy: Self.name, key: "quantity", message: "must be > 0") }
        for (i, sym) in symbols.enumerated() {
            guard fasts[i] < slows[i] else { throw ParameterError(strategy: Self.name, key: "symbols.\(sym).fast", message: "must be below slow (\(slows[i]))") }
            guard quantities[i].isPositive else { throw ParameterError(strategy: Self.name, key: "symbols.\(sym).quantity", message: "must be > 0") }
        }
        self.symbols = symbols
        lastSeen = Array(repeating: nil, count: symbols.count)
        lastNonZero = Array(repeating: nil, count: symbols.count)
        fastSums = Array(repeating: 0, count: symbols.count)
        slowSums = Array(repeating: 0, count: symbols.count)
        sumsValid = Array(repeating: false, count: symbols.count)
    }

    public var warmup: [Timeframe: Int] {
        var w = [timeframe: (slows.max() ?? 2) + 1]
        // The detector scores from 200 closed 1m candles on.
        if regimeFilter { w[.m1] = max(w[.m1] ?? 0, 250) }
        return w
    }
    public var readsRegime: Bool { regimeFilter }
    public var indicators: [String: Double] {
        ["sma_fast": Price(raw: lastFastSum / Int128(lastFast)).doubleValue, "sma_slow": Price(raw: lastSlowSum / Int128(lastSlow)).doubleValue]
    }

    public func generateSignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        for (si, symbol) in symbols.enumerated() {
            let candles = snapshot.candles(timeframe, symbol)
            guard let newest = candles.newest else { continue }
            let fast = fasts[si], slow = slows[si]
            if lastSeen[si] == newest.start { continue }
            let n = candles.count
            guard n >= slow else { lastSeen[si] = newest.start; rejections.track(.warmingUp, symbol: symbol); continue }
            var fastSum: Int128 = 0, slowSum: Int128 = 0
            if n > slow, let seen = lastSeen[si], candles[n - 2].start == seen, sumsValid[si] {
                // Exactly one new candle since the last evaluation: slide both windows.
                let new = newest.close.raw
                fastSum = fastSums[si] + new - candles[n - 1 - fast].close.raw
                slowSum = slowSums[si] + new - candles[n - 1 - slow].close.raw
            } else {
                for k in 0..<slow {
                    let c = candles[n - 1 - k].close.raw
                    slowSum += c
                    if k < fast { fastSum += c }
                }
            }
            lastSeen[si] = newest.start
            fastSums[si] = fastSum
            slowSums[si] = slowSum
            sumsValid[si] = true
            // fast/fastN − slow/slowN has the sign of fastSum·slowN − slowSum·fastN (exact).
            let diff = fastSum * Int128(slow) - slowSum * Int128(fast)
            let sign = Int(diff.signum())
            lastFastSum = fastSum
            lastSlowSum = slowSum
            lastFast = fast
            lastSlow = slow
            let previous = lastNonZero[si]
            if sign != 0 || previous == nil { lastNonZero[si] = sign }
            guard let prev = previous else { continue }
            let side = context.portfolio.positionSide(symbol)
            if prev < 0 && sign > 0 {
                // An unknown regime (too little history yet) does not block: the filter only acts on a reading.
                if regimeFilter, let r = snapshot.regime, r.overallRegime.family < 0 || r.volatilityState == .extreme {
                    rejections.track(r.volatilityState == .extreme ? .extremeVolatility : .regimePause, symbol: symbol)
                    continue
                }
                if side == nil {
                    return try Signal(action: .buy, symbol: symbol, size: quantities[si], sizeUnit: .base, price: newest.close,
                                      reason: "SMA\(fast) crossed above SMA\(slow)")
                }
                rejections.track(.existingPosition, symbol: symbol)
            } else if prev > 0 && sign < 0 {
                if side == .long {
                    return try Signal(action: .sell, symbol: symbol, size: .zero, price: newest.close,
                                      reason: "SMA\(fast) crossed below SMA\(slow)", closeFullPosition: true)
                }
            }
        }
        return nil
    }
}
