import TradingCore

/// Per-symbol parameters of the simulator (market-data §4.3).
public struct SimulatedSymbol: Sendable, Equatable {
    public var startPrice: Double
    /// Annualised volatility of the GBM.
    public var sigma: Double
    public var drift: Double = 0
    public var spreadBps: Double
    public var priceDecimals: Int
    public var qtyDecimals: Int
    /// Mean trades per second.
    public var tradesPerSecond: Double
    public var tradeNotionalUSD: Double
    public var levelNotionalUSD: Double

    public init(startPrice: Double, sigma: Double, drift: Double = 0, spreadBps: Double, priceDecimals: Int, qtyDecimals: Int,
                tradesPerSecond: Double, tradeNotionalUSD: Double, levelNotionalUSD: Double) {
        self.startPrice = startPrice; self.sigma = sigma; self.drift = drift; self.spreadBps = spreadBps
        self.priceDecimals = priceDecimals; self.qtyDecimals = qtyDecimals; self.tradesPerSecond = tradesPerSecond
        self.tradeNotionalUSD = tradeNotionalUSD; self.levelNotionalUSD = levelNotionalUSD
    }

    /// The suggested defaults of market-data §4.3.
    public static func defaults(for s: Symbol) -> SimulatedSymbol {
        switch (s.base, s.quote) {
        case ("BTC", "USDT"), ("BTC", "USD"):
            return .init(startPrice: 104_500, sigma: 0.50, spreadBps: 1, priceDecimals: 1, qtyDecimals: 8, tradesPerSecond: 2, tradeNotionalUSD: 2000, levelNotionalUSD: 50000)
        case ("ETH", "USDT"), ("ETH", "USD"):
            return .init(startPrice: 3900, sigma: 0.65, spreadBps: 2, priceDecimals: 2, qtyDecimals: 8, tradesPerSecond: 1.5, tradeNotionalUSD: 1500, levelNotionalUSD: 30000)
        case ("XRP", "USDT"), ("XRP", "USD"):
            return .init(startPrice: 2.35, sigma: 0.80, spreadBps: 3, priceDecimals: 5, qtyDecimals: 8, tradesPerSecond: 1, tradeNotionalUSD: 800, levelNotionalUSD: 20000)
        case ("XRP", "BTC"):
            return .init(startPrice: 2.35 / 104_500, sigma: 0.6, spreadBps: 8, priceDecimals: 8, qtyDecimals: 8, tradesPerSecond: 0.2, tradeNotionalUSD: 300, levelNotionalUSD: 5000)
        default:
            return .init(startPrice: 100, sigma: 0.60, spreadBps: 5, priceDecimals: 2, qtyDecimals: 8, tradesPerSecond: 0.5, tradeNotionalUSD: 500, levelNotionalUSD: 10000)
        }
    }
}

/// The seeded market simulator: GBM prices, Poisson trades at the touch, lognormal book sizes, and
/// cross pairs derived from their legs so XRP/BTC = XRP/USDT ÷ BTC/USDT. Pure and deterministic:
/// the same seed and configuration give the same event sequence, bit for bit.
public struct SimulatedMarket: Sendable {
    struct Stream {
        let symbol: Symbol
        let params: SimulatedSymbol
        var priceRNG: SplitMix64
        var activityRNG: SplitMix64
        var price: Double
        var nextTradeId: UInt64 = 1
        /// Indices of the legs in `streams` when the pair is derived.
        var legs: (Int, Int)?
        /// USD value of one quote unit: 1 for cash quotes, else the leg price.
        var quoteLeg: Int?
    }

    public let seed: UInt64
    public let tick: Interval
    public let depth: Int
    public private(set) var now: Timestamp
    private var streams: [Stream] = []
    /// The price-model time step in years.
    private let dtYears: Double
    private let dtSeconds: Double

    public static let defaultStart = Timestamp(iso8601: "2025-01-15T00:00:00Z")!

    public init(symbols: [Symbol], seed: UInt64 = 42, tick: Interval = .milliseconds(100), start: Timestamp = SimulatedMarket.defaultStart,
                depth: Int = 10, deriveCrossPairs: Bool = true, overrides: [Symbol: SimulatedSymbol] = [:]) {
        self.seed = seed
        self.tick = tick
        self.depth = depth
        self.now = start
        dtSeconds = Double(tick.nanoseconds) / 1e9
        dtYears = dtSeconds / 31_536_000
        let sorted = symbols.sorted()
        for s in sorted {
            streams.append(Stream(symbol: s, params: overrides[s] ?? .defaults(for: s),
                                  priceRNG: SplitMix64(seed: seed ^ fnv1a64(s.text)),
                                  activityRNG: SplitMix64(seed: seed ^ fnv1a64(s.text + ":activity")),
                                  price: (overrides[s] ?? .defaults(for: s)).startPrice))
        }
        guard deriveCrossPairs else { return }
        for i in streams.indices where !streams[i].symbol.quoteIsCash {
            let s = streams[i].symbol
            // Legs BASE/<cash> and QUOTE/<cash>, same cash currency, both simulated and not derived.
            for cash in ["USDT", "USD"] {
                if let a = streams.firstIndex(where: { $0.symbol.text == "\(s.base)/\(cash)" }),
                   let b = streams.firstIndex(where: { $0.symbol.text == "\(s.quote)/\(cash)" }) {
                    streams[i].legs = (a, b)
                    streams[i].price = streams[a].price / streams[b].price
                    break
                }
            }
        }
    }

    /// Current model price (before tick rounding).
    public func modelPrice(_ s: Symbol) -> Double? { streams.first { $0.symbol == s }?.price }

    /// Advances one tick and returns its events (books then trades per symbol, symbols by name).
    public mutating func step() -> [MarketEvent] {
        var out: [MarketEvent] = []
        out.reserveCapacity(streams.count * 2)
        step { out.append($0) }
        return out
    }

    /// Advances one tick, handing each event to `emit` (no intermediate array).
    public mutating func step(_ emit: (MarketEvent) -> Void) {
        now = now + tick
        // 1. Prices: base pairs draw their return; derived pairs follow their legs.
        var returns = [Double](repeating: 0, count: streams.count)
        for i in streams.indices where streams[i].legs == nil {
            let p = streams[i].params
            let z = streams[i].priceRNG.normal()
            let r = (p.drift - p.sigma * p.sigma / 2) * dtYears + p.sigma * dtYears.squareRoot() * z
            streams[i].price *= Math.exp(r)
            returns[i] = r
        }
        for i in streams.indices {
            guard let (a, b) = streams[i].legs else { continue }
            let newPrice = streams[a].price / streams[b].price
            returns[i] = Math.log(newPrice / streams[i].price)
            streams[i].price = newPrice
        }
        // 2. Activity per symbol: book geometry, trades at the touch, then level sizes.
        for i in streams.indices {
            emitActivity(i, r: returns[i], emit)
        }
    }

    private mutating func emitActivity(_ i: Int, r: Double, _ emit: (MarketEvent) -> Void) {
        let p = streams[i].params
        let price = streams[i].price
        let symbol = streams[i].symbol
        let instrument = Instrument(symbol: symbol, priceDecimals: p.priceDecimals, lotDecimals: p.qtyDecimals)
        let tickSize = instrument.tick.doubleValue
        let midTicks = Int64((price / tickSize).rounded())
        let halfTicks = max(1, Int64((price * p.spreadBps / 20_000 / tickSize).rounded()))
        let unit = instrument.tick.raw
        func px(_ ticks: Int64) -> Price { Price(raw: Int128(max(1, ticks)) * unit) }
        let bestBid = px(midTicks - halfTicks)
        let bestAsk = px(midTicks + halfTicks)

        // Trades.
        let count = streams[i].activityRNG.poisson(p.tradesPerSecond * dtSeconds)
        let pBuy = 0.5 + min(0.2, max(-0.2, 50 * r))
        let medianTrade = p.tradeNotionalUSD / usdPrice(i)
        var trades: [Trade] = []
        for _ in 0..<count {
            let side: TakerSide = streams[i].activityRNG.uniform() < pBuy ? .buy : .sell
            let z = streams[i].activityRNG.normal()
            let size = quantity(medianTrade * Math.exp(z), instrument)
            let id = streams[i].nextTradeId
            streams[i].nextTradeId += 1
            trades.append(Trade(symbol: symbol, time: now, price: side == .buy ? bestAsk : bestBid, size: size, side: side, tradeId: id))
        }
        // Book level sizes: bids 0…n then asks 0…n.
        let medianLevel = p.levelNotionalUSD / usdPrice(i)
        var bids: [BookLevel] = []
        var asks: [BookLevel] = []
        bids.reserveCapacity(depth)
        asks.reserveCapacity(depth)
        for k in 0..<depth {
            let z = streams[i].activityRNG.normal()
            bids.append(BookLevel(price: px(midTicks - halfTicks - Int64(k)), size: quantity(medianLevel * Math.exp(0.5 * z), instrument)))
        }
        for k in 0..<depth {
            let z = streams[i].activityRNG.normal()
            asks.append(BookLevel(price: px(midTicks + halfTicks + Int64(k)), size: quantity(medianLevel * Math.exp(0.5 * z), instrument)))
        }
        emit(.book(BookUpdate(symbol: symbol, time: now, isSnapshot: true, bids: bids, asks: asks)))
        for t in trades { emit(.trade(t)) }
    }

    /// USD value of one base unit of stream `i` (sizes are set in USD).
    private func usdPrice(_ i: Int) -> Double {
        if let (_, b) = streams[i].legs { return streams[i].price * streams[b].price }
        return streams[i].price
    }

    /// Rounded to the lot, at least one lot.
    private func quantity(_ v: Double, _ instrument: Instrument) -> Quantity {
        let q = Quantity(rounding: v, toDecimals: instrument.lotDecimals) ?? .zero
        return q < instrument.lot ? instrument.lot : q
    }
}
