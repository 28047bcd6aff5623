import TradingCore

/// Per-pair parameters of the simulator's books and trades (market-data §4.3).
public struct SimulatedSymbol: Sendable, Equatable {
    public var spreadBps: Double
    public var priceDecimals: Int
    public var qtyDecimals: Int
    /// Mean trades per second.
    public var tradesPerSecond: Double
    public var tradeNotionalUSD: Double
    public var levelNotionalUSD: Double

    public init(spreadBps: Double, priceDecimals: Int, qtyDecimals: Int, tradesPerSecond: Double, tradeNotionalUSD: Double,
                levelNotionalUSD: Double) {
        self.spreadBps = spreadBps; self.priceDecimals = priceDecimals; self.qtyDecimals = qtyDecimals
        self.tradesPerSecond = tradesPerSecond; self.tradeNotionalUSD = tradeNotionalUSD; self.levelNotionalUSD = levelNotionalUSD
    }
}

/// One simulated asset: a GBM price in USDT (the simulator's numeraire), or a stablecoin held near 1.
public struct SimulatedAsset: Sendable, Equatable {
    public var startPrice: Double
    /// Annualised volatility of the GBM (0 for stablecoins, which revert to 1 instead).
    public var sigma: Double
    public var drift: Double = 0
    public var isStable: Bool
    /// Book and tape of this asset's cash pairs (cross pairs scale these).
    public var spreadBps: Double
    public var tradesPerSecond: Double
    public var tradeNotionalUSD: Double
    public var levelNotionalUSD: Double
}

/// The seeded market simulator: each asset follows its own price process in USDT (GBM for coins, a tight
/// mean reversion around 1 for stablecoins), and every pair is priced from its two assets, so XRP/BTC is always
/// XRP/USDT ÷ BTC/USDT and XRP/USD is XRP/USDT ÷ USD/USDT, whichever of them the session shows (legs that are not
/// session pairs are simulated without being emitted). Poisson trades at the touch, lognormal book sizes. Pure and
/// deterministic: its maths is `PortableMath`, so the same seed and configuration give the same event sequence,
/// bit for bit, on every platform.
public struct SimulatedMarket: Sendable {
    /// The assets the simulator knows (decision 29: anything else is refused before a session starts).
    public static let assets: [String: SimulatedAsset] = [
        "BTC": SimulatedAsset(startPrice: 104_500, sigma: 0.50, isStable: false, spreadBps: 1, tradesPerSecond: 2, tradeNotionalUSD: 2000, levelNotionalUSD: 50000),
        "ETH": SimulatedAsset(startPrice: 3900, sigma: 0.65, isStable: false, spreadBps: 2, tradesPerSecond: 1.5, tradeNotionalUSD: 1500, levelNotionalUSD: 30000),
        "SOL": SimulatedAsset(startPrice: 200, sigma: 0.90, isStable: false, spreadBps: 4, tradesPerSecond: 1, tradeNotionalUSD: 800, levelNotionalUSD: 20000),
        "XRP": SimulatedAsset(startPrice: 2.35, sigma: 0.80, isStable: false, spreadBps: 3, tradesPerSecond: 1, tradeNotionalUSD: 800, levelNotionalUSD: 20000),
        "USDT": SimulatedAsset(startPrice: 1, sigma: 0, isStable: true, spreadBps: 1, tradesPerSecond: 1, tradeNotionalUSD: 5000, levelNotionalUSD: 100_000),
        "USD": SimulatedAsset(startPrice: 1, sigma: 0, isStable: true, spreadBps: 1, tradesPerSecond: 1, tradeNotionalUSD: 5000, levelNotionalUSD: 100_000),
        "USDC": SimulatedAsset(startPrice: 1, sigma: 0, isStable: true, spreadBps: 1, tradesPerSecond: 1, tradeNotionalUSD: 5000, levelNotionalUSD: 100_000),
        "DAI": SimulatedAsset(startPrice: 1, sigma: 0, isStable: true, spreadBps: 2, tradesPerSecond: 0.5, tradeNotionalUSD: 2000, levelNotionalUSD: 50_000),
    ]

    /// Nil when every pair can be simulated, else a message naming what cannot and what can.
    public static func unsupported(_ symbols: [Symbol]) -> String? {
        let unknown = Set(symbols.flatMap { [$0.base, $0.quote] }).filter { assets[$0] == nil }.sorted()
        let same = symbols.filter { $0.base == $0.quote }
        if !same.isEmpty { return "cannot simulate \(same.map(\.text).joined(separator: ", ")): base and quote are the same asset" }
        guard !unknown.isEmpty else { return nil }
        let coins = assets.filter { !$0.value.isStable }.keys.sorted(), stables = assets.filter { $0.value.isStable }.keys.sorted()
        let pairs = symbols.filter { unknown.contains($0.base) || unknown.contains($0.quote) }.map(\.text)
        return "cannot simulate \(pairs.joined(separator: ", ")): unknown asset\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")). The simulator knows \(coins.joined(separator: ", ")) and the stablecoins \(stables.joined(separator: ", ")), in any pair of two of them"
    }

    /// Book and tape parameters of a pair: its base asset's, thinner for pairs not quoted in cash, with the
    /// precisions of `instrument` (the session's, so simulated ticks and lots are the kernel's).
    public static func parameters(for s: Symbol, instrument: Instrument?) -> SimulatedSymbol {
        let a = assets[s.base] ?? assets["USDT"]!
        let quoteIsStable = assets[s.quote]?.isStable ?? true
        let known = instrument ?? InstrumentRegistry()[s]
        let decimals = known?.priceDecimals ?? {
            // About five significant digits in the tick.
            let p = (assets[s.base]?.startPrice ?? 1) / (assets[s.quote]?.startPrice ?? 1)
            var d = 5, x = p
            while x >= 10 && d > 0 { x /= 10; d -= 1 }
            while x < 1 && d < 12 { x *= 10; d += 1 }
            return d
        }()
        // The historic XRP/BTC row of market-data §4.3 is kept exactly.
        if s.text == "XRP/BTC" {
            return SimulatedSymbol(spreadBps: 8, priceDecimals: known?.priceDecimals ?? 8, qtyDecimals: known?.lotDecimals ?? 8,
                                   tradesPerSecond: 0.2, tradeNotionalUSD: 300, levelNotionalUSD: 5000)
        }
        return SimulatedSymbol(spreadBps: quoteIsStable ? a.spreadBps : a.spreadBps * 2.5, priceDecimals: decimals,
                               qtyDecimals: known?.lotDecimals ?? 8, tradesPerSecond: quoteIsStable ? a.tradesPerSecond : a.tradesPerSecond * 0.2,
                               tradeNotionalUSD: quoteIsStable ? a.tradeNotionalUSD : a.tradeNotionalUSD * 0.4,
                               levelNotionalUSD: quoteIsStable ? a.levelNotionalUSD : a.levelNotionalUSD * 0.25)
    }

    struct AssetStream {
        let asset: String
        let params: SimulatedAsset
        var rng: SplitMix64
        /// Price in USDT.
        var price: Double
        /// Log-deviation from 1 (stablecoins).
        var deviation = 0.0
        /// The latest log return.
        var r = 0.0
    }

    struct PairStream {
        let symbol: Symbol
        let params: SimulatedSymbol
        let instrument: Instrument
        /// Indices into the asset streams; nil for USDT, the numeraire, whose price is exactly 1.
        let base: Int?
        let quote: Int?
        var activityRNG: SplitMix64
        var price: Double
        var nextTradeId: UInt64 = 1
    }

    public let seed: UInt64
    public let tick: Interval
    public let depth: Int
    public private(set) var now: Timestamp
    private var assetStreams: [AssetStream] = []
    private var pairs: [PairStream] = []
    /// The price-model time step in years and seconds.
    private let dtYears: Double
    private let dtSeconds: Double
    /// Stablecoins revert to 1 with a one-hour half-life-order time constant and stay within a few bps.
    static let stableReversionPerSecond = 1.0 / 3600
    static let stableSigmaPerRootSecond = 0.0005 * (2.0 / 3600).squareRoot()

    public static let defaultStart = Timestamp(iso8601: "2025-01-15T00:00:00Z")!

    /// `instruments`: the session's precisions (built-in ones otherwise). Pairs of unknown assets must be refused
    /// before (`unsupported(_:)`); here they would trade like a stablecoin.
    public init(symbols: [Symbol], seed: UInt64 = 42, tick: Interval = .milliseconds(100), start: Timestamp = SimulatedMarket.defaultStart,
                depth: Int = 10, instruments: [Instrument] = []) {
        self.seed = seed
        self.tick = tick
        self.depth = depth
        self.now = start
        dtSeconds = Double(tick.nanoseconds) / 1e9
        dtYears = dtSeconds / 31_536_000
        let sorted = Array(Set(symbols)).sorted()
        // Every asset behind a pair, USDT aside (the numeraire), in name order.
        let needed = Set(sorted.flatMap { [$0.base, $0.quote] }).subtracting(["USDT"]).sorted()
        for a in needed {
            let p = Self.assets[a] ?? Self.assets["USDT"]!
            // The stream of an asset is the one its USDT pair always had (market-data §4.3's per-symbol seeds).
            assetStreams.append(AssetStream(asset: a, params: p, rng: SplitMix64(seed: seed ^ fnv1a64("\(a)/USDT")), price: p.startPrice))
        }
        let byName = Dictionary(uniqueKeysWithValues: needed.enumerated().map { ($1, $0) })
        let given = Dictionary(instruments.map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        for s in sorted {
            let params = Self.parameters(for: s, instrument: given[s])
            let inst = Instrument(symbol: s, priceDecimals: params.priceDecimals, lotDecimals: params.qtyDecimals)
            let b = byName[s.base], q = byName[s.quote]
            let price = (b.map { assetStreams[$0].price } ?? 1) / (q.map { assetStreams[$0].price } ?? 1)
            pairs.append(PairStream(symbol: s, params: params, instrument: inst, base: b, quote: q,
                                    activityRNG: SplitMix64(seed: seed ^ fnv1a64(s.text + ":activity")), price: price))
        }
    }

    /// Current model price of a session pair (before tick rounding).
    public func modelPrice(_ s: Symbol) -> Double? { pairs.first { $0.symbol == s }?.price }

    /// Advances one tick and returns its events (books then trades per symbol, symbols by name).
    public mutating func step() -> [MarketEvent] {
        var out: [MarketEvent] = []
        out.reserveCapacity(pairs.count * 2)
        step { out.append($0) }
        return out
    }

    /// Advances one tick, handing each event to `emit` (no intermediate array).
    public mutating func step(_ emit: (MarketEvent) -> Void) {
        now = now + tick
        // 1. Asset prices: coins draw their GBM return, stablecoins their reverting deviation.
        for i in assetStreams.indices {
            let p = assetStreams[i].params
            let z = assetStreams[i].rng.normal()
            if p.isStable {
                let old = assetStreams[i].deviation
                let d = old * (1 - Self.stableReversionPerSecond * dtSeconds) + Self.stableSigmaPerRootSecond * dtSeconds.squareRoot() * z
                assetStreams[i].deviation = d
                assetStreams[i].r = d - old
                assetStreams[i].price = Math.exp(d)
            } else {
                let r = (p.drift - p.sigma * p.sigma / 2) * dtYears + p.sigma * dtYears.squareRoot() * z
                assetStreams[i].price *= Math.exp(r)
                assetStreams[i].r = r
            }
        }
        // 2. Pairs from their assets; then activity per pair: book geometry, trades at the touch, level sizes.
        for i in pairs.indices {
            let r: Double
            if let q = pairs[i].quote {
                let newPrice = (pairs[i].base.map { assetStreams[$0].price } ?? 1) / assetStreams[q].price
                r = Math.log(newPrice / pairs[i].price)
                pairs[i].price = newPrice
            } else if let b = pairs[i].base {
                r = assetStreams[b].r
                pairs[i].price = assetStreams[b].price
            } else {
                r = 0
            }
            emitActivity(i, r: r, emit)
        }
    }

    private mutating func emitActivity(_ i: Int, r: Double, _ emit: (MarketEvent) -> Void) {
        let p = pairs[i].params
        let price = pairs[i].price
        let symbol = pairs[i].symbol
        let instrument = pairs[i].instrument
        let tickSize = instrument.tick.doubleValue
        let midTicks = Int64((price / tickSize).rounded())
        let halfTicks = max(1, Int64((price * p.spreadBps / 20_000 / tickSize).rounded()))
        let unit = instrument.tick.raw
        func px(_ ticks: Int64) -> Price { Price(raw: Int128(max(1, ticks)) * unit) }
        let bestBid = px(midTicks - halfTicks)
        let bestAsk = px(midTicks + halfTicks)
        // USD value of one base unit (USDT ≈ USD for sizing): the pair's price times its quote's.
        let usd = pairs[i].quote.map { price * assetStreams[$0].price } ?? price

        // Trades.
        let count = pairs[i].activityRNG.poisson(p.tradesPerSecond * dtSeconds)
        let pBuy = 0.5 + min(0.2, max(-0.2, 50 * r))
        let medianTrade = p.tradeNotionalUSD / usd
        var trades: [Trade] = []
        for _ in 0..<count {
            let side: TakerSide = pairs[i].activityRNG.uniform() < pBuy ? .buy : .sell
            let z = pairs[i].activityRNG.normal()
            let size = quantity(medianTrade * Math.exp(z), instrument)
            let id = pairs[i].nextTradeId
            pairs[i].nextTradeId += 1
            trades.append(Trade(symbol: symbol, time: now, price: side == .buy ? bestAsk : bestBid, size: size, side: side, tradeId: id))
        }
        // Book level sizes: bids 0…n then asks 0…n.
        let medianLevel = p.levelNotionalUSD / usd
        var bids: [BookLevel] = []
        var asks: [BookLevel] = []
        bids.reserveCapacity(depth)
        asks.reserveCapacity(depth)
        for k in 0..<depth {
            let z = pairs[i].activityRNG.normal()
            bids.append(BookLevel(price: px(midTicks - halfTicks - Int64(k)), size: quantity(medianLevel * Math.exp(0.5 * z), instrument)))
        }
        for k in 0..<depth {
            let z = pairs[i].activityRNG.normal()
            asks.append(BookLevel(price: px(midTicks + halfTicks + Int64(k)), size: quantity(medianLevel * Math.exp(0.5 * z), instrument)))
        }
        emit(.book(BookUpdate(symbol: symbol, time: now, isSnapshot: true, bids: bids, asks: asks)))
        for t in trades { emit(.trade(t)) }
    }

    /// Rounded to the lot, at least one lot.
    private func quantity(_ v: Double, _ instrument: Instrument) -> Quantity {
        let q = Quantity(rounding: v, toDecimals: instrument.lotDecimals) ?? .zero
        return q < instrument.lot ? instrument.lot : q
    }
}
