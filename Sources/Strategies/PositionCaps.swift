import TradingCore

/// The notional caps and the cross-pair exposure of wavetrend.md §9.2 and §9.4, which momentum scalping shares: what
/// an entry may add, from the strategy's own book.
struct PositionCaps {
    let maxTotal, maxPerSymbol, minTrade: Double
    let useExposure: Bool
    let maxLong, maxShort, sameSideMult: Double

    enum Block: String { case totalLimit = "total_limit", symbolLimit = "symbol_limit", minTrade = "min_trade" }

    /// §9.2: `min(adjusted, room in total, room on the pair)`, or why there is none.
    func available(_ adjusted: Double, pair i: Int, book: RecordedPositions) -> (size: Double?, block: Block?) {
        let total = book.total, sym = book.notional[i]
        if total >= maxTotal { return (nil, .totalLimit) }
        if sym >= maxPerSymbol { return (nil, .symbolLimit) }
        let room = min(adjusted, maxTotal - total, maxPerSymbol - sym)
        return room < minTrade ? (nil, .minTrade) : (room, nil)
    }

    /// §9.4: smaller when another pair holds the same side, capped by that side's total; nil below the minimum.
    func exposure(_ size: Double, side: PositionSide, pair i: Int, book: RecordedPositions) -> Double? {
        guard useExposure else { return size }
        let o = book.others(than: i, side: side)
        var s = o.sameSide ? size * sameSideMult : size
        if side == .long, o.long + s > maxLong { s = min(s, max(0, maxLong - o.long)) }
        if side == .short, o.short + s > maxShort { s = min(s, max(0, maxShort - o.short)) }
        return s >= minTrade ? s : nil
    }
}
