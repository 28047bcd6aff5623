import TradingCore

/// One print of the server's tape (history and live): exact ticks and lots, a unique microsecond time per pair, and
/// Kraken's per-pair sequential id.
struct SimTrade: Equatable, Sendable {
    var id: UInt64
    /// Microsecond-aligned and strictly increasing per pair (REST pages by time without ties).
    var time: Timestamp
    var price: Int64
    var qty: Int64
    var side: TakerSide
    var isMarket: Bool
}

/// Summary of the trades in one bucket (a minute, or any interval): what OHLC candles and the ticker are made of.
struct SimCandle: Equatable, Sendable {
    var begin: Timestamp
    var open: Int64 = 0, high: Int64 = 0, low: Int64 = 0, close: Int64 = 0
    /// Base volume in lots, and Σ price × qty in ticks × lots (exact; VWAP = value / volume).
    var volume: Int64 = 0
    var value: Int128 = 0
    var count = 0

    init(begin: Timestamp) { self.begin = begin }

    mutating func add(_ t: SimTrade) {
        if count == 0 { open = t.price; high = t.price; low = t.price } else { high = max(high, t.price); low = min(low, t.price) }
        close = t.price
        volume += t.qty
        value += Int128(t.price) * Int128(t.qty)
        count += 1
    }

    mutating func merge(_ c: SimCandle) {
        guard c.count > 0 else { return }
        if count == 0 { open = c.open; high = c.high; low = c.low } else { high = max(high, c.high); low = min(low, c.low) }
        close = c.close
        volume += c.volume
        value += c.value
        count += c.count
    }

    /// VWAP in ticks, rounded half up (nil without trades).
    var vwapTicks: Int64? {
        guard volume > 0 else { return nil }
        return Int64((value * 2 + Int128(volume)) / (Int128(volume) * 2))
    }
}
