import MarketData
import TradingCore

/// The tape before the server started (`--history-days`), for REST `Trades` and `OHLC` and the first candles of the
/// `ohlc` channel. Each minute's trades are a pure function of (seed, pair, minute), generated on demand: a month of
/// BTC/USD is millions of prints and a backfill only reads what it asks for. The price walks back from the live
/// simulator's starting price, so history meets the live tape without a jump, and ids count up to where live ids start.
struct SimHistory: Sendable {
    let start: Timestamp
    /// First minute of the history (UTC minute boundary).
    let first: Timestamp
    let minutes: Int
    private let seed: UInt64
    private let salt: UInt64
    private let decimals: (price: Int, qty: Int)
    /// Price at the start of each minute, as a double; `anchors[minutes]` is the live start price.
    private let anchors: [Double]
    /// Trades per minute and the id of each minute's first trade.
    private let counts: [Int32]
    private let firstIds: [UInt64]
    private let halfSpread: Double
    private let medianQty: Double
    private let tradesPerMinute: Double
    let tick: Double
    /// The id of the last history trade (live ids continue after it).
    var lastId: UInt64 { firstIds.last.map { $0 + UInt64(counts.last ?? 0) - 1 } ?? 0 }

    init(symbol: Symbol, params: SimulatedSymbol, startPrice: Double, usdPerQuote: Double, sigma: Double, seed: UInt64, start: Timestamp, days: Int) {
        self.start = start
        self.seed = seed
        salt = fnv1a64(symbol.text + ":history")
        decimals = (params.priceDecimals, params.qtyDecimals)
        let minuteNs: Int64 = 60_000_000_000
        let startMinute = start.nanoseconds - ((start.nanoseconds % minuteNs) + minuteNs) % minuteNs
        first = Timestamp(nanoseconds: startMinute - Int64(days) * 1440 * minuteNs)
        // The minute holding `start` counts when start is not on a boundary (its trades stop before start).
        minutes = days * 1440 + (startMinute == start.nanoseconds ? 0 : 1)
        tick = 1 / Double(pow10Int(params.priceDecimals))
        halfSpread = max(tick, startPrice * params.spreadBps / 20_000)
        medianQty = params.tradeNotionalUSD / max(1e-12, startPrice * usdPerQuote)
        tradesPerMinute = params.tradesPerSecond * 60
        var rng = SplitMix64(seed: seed ^ salt)
        var a = [Double](repeating: startPrice, count: minutes + 1)
        let step = sigma * (60.0 / 31_536_000).squareRoot()
        if minutes > 0 {
            for m in stride(from: minutes - 1, through: 0, by: -1) { a[m] = a[m + 1] * Math.exp(-step * rng.normal() + step * step / 2) }
        }
        anchors = a
        var c = [Int32](repeating: 0, count: minutes), f = [UInt64](repeating: 1, count: minutes)
        var next: UInt64 = 1
        for m in 0..<minutes {
            f[m] = next
            c[m] = Int32(m == minutes - 1 && startMinute != start.nanoseconds ? Self.partialCount(seed, salt, m, tradesPerMinute, first, start)
                                                                              : Self.count(seed, salt, m, tradesPerMinute))
            next += UInt64(c[m])
        }
        counts = c
        firstIds = f
    }

    private static func rng(_ seed: UInt64, _ salt: UInt64, _ m: Int) -> SplitMix64 {
        SplitMix64(seed: SimFormat.mix(seed ^ salt ^ (UInt64(m) &* 0x2545_F491_4F6C_DD1D)))
    }

    private static func count(_ seed: UInt64, _ salt: UInt64, _ m: Int, _ lambda: Double) -> Int {
        var r = rng(seed, salt, m)
        return draw(&r, lambda)
    }

    /// Poisson draw; the normal approximation above λ = 30 (Knuth's product underflows and is slow there).
    private static func draw(_ r: inout SplitMix64, _ lambda: Double) -> Int {
        if lambda <= 30 { return r.poisson(lambda) }
        return max(0, Int((lambda + lambda.squareRoot() * r.normal()).rounded()))
    }

    private static func partialCount(_ seed: UInt64, _ salt: UInt64, _ m: Int, _ lambda: Double, _ first: Timestamp, _ start: Timestamp) -> Int {
        offsets(seed, salt, m, lambda).filter { first.nanoseconds + Int64(m) * 60_000_000_000 + $0 < start.nanoseconds }.count
    }

    /// The microsecond offsets of minute m's trades, strictly increasing.
    private static func offsets(_ seed: UInt64, _ salt: UInt64, _ m: Int, _ lambda: Double) -> [Int64] {
        var r = rng(seed, salt, m)
        let n = draw(&r, lambda)
        var us = (0..<n).map { _ in Int64(r.uniform() * 59_999_000) }
        us.sort()
        for i in us.indices.dropFirst() where us[i] <= us[i - 1] { us[i] = us[i - 1] + 1 }
        return us.map { $0 * 1000 }
    }

    /// Minute `m`'s trades (empty outside the history).
    func trades(minute m: Int) -> [SimTrade] {
        guard m >= 0, m < minutes else { return [] }
        let offs = Self.offsets(seed, salt, m, tradesPerMinute)
        var r = SplitMix64(seed: SimFormat.mix(seed ^ salt ^ 0x5EED ^ UInt64(m)))
        let begin = first.nanoseconds + Int64(m) * 60_000_000_000
        var out: [SimTrade] = []
        out.reserveCapacity(Int(counts[m]))
        var id = firstIds[m]
        let (a0, a1) = (anchors[m], anchors[m + 1])
        let lot = pow10Int(decimals.qty)
        for o in offs {
            let t = begin + o
            if t >= start.nanoseconds { break }
            let frac = Double(o) / 60e9
            let mid = a0 + (a1 - a0) * frac
            let buy = r.uniform() < 0.5
            let px = max(1, Int64(((buy ? mid + halfSpread : mid - halfSpread) / tick).rounded()))
            let q = max(1, Int64((medianQty * Math.exp(r.normal()) * Double(lot)).rounded()))
            out.append(SimTrade(id: id, time: Timestamp(nanoseconds: t), price: px, qty: q, side: buy ? .buy : .sell, isMarket: r.uniform() < 0.7))
            id += 1
        }
        return out
    }

    /// The minute index holding `t` (may be outside 0..<minutes).
    func minute(of t: Timestamp) -> Int {
        let d = t.nanoseconds - first.nanoseconds
        return Int(d >= 0 ? d / 60_000_000_000 : (d - 59_999_999_999) / 60_000_000_000)
    }

    /// The first minute whose trades have ids above `id` (for paging by id), or nil.
    func tradeCount(minute m: Int) -> Int { m >= 0 && m < minutes ? Int(counts[m]) : 0 }
}

func pow10Int(_ d: Int) -> Int64 {
    var v: Int64 = 1
    for _ in 0..<d { v *= 10 }
    return v
}
