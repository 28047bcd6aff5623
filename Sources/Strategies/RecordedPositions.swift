import TradingCore

/// The strategy's own book of its positions, from its fills (wavetrend.md §12, the family's shared rules; momentum
/// scalping adds to it): USD notional per pair and in total, and an entry record per pair made by its first opening
/// fill. Every fill arrives, engine exits included (WT-W1), and notionals are USD whatever the quote (WT-W13: size ×
/// price × the quote's USD price).
struct RecordedPositions {
    struct Entry: Equatable {
        var side: PositionSide
        var entryPrice: Double
        var entryTime: Timestamp
        var highest: Double
        var lowest: Double
    }

    let symbols: [Symbol]
    /// Per pair, in `symbols` order.
    private(set) var notional: [Double]
    private(set) var entries: [Entry?]
    private(set) var total = 0.0
    /// Side of the most recent opening fill; cleared when the total falls under 0.01.
    private(set) var side: PositionSide?
    // Statistics (§12).
    private(set) var pnl: [Double]
    private(set) var trades: [Int]
    private(set) var wins: [Int]
    private(set) var losses: [Int]

    init(symbols: [Symbol]) {
        self.symbols = symbols
        notional = Array(repeating: 0, count: symbols.count)
        entries = Array(repeating: nil, count: symbols.count)
        pnl = Array(repeating: 0, count: symbols.count)
        trades = Array(repeating: 0, count: symbols.count)
        wins = Array(repeating: 0, count: symbols.count)
        losses = Array(repeating: 0, count: symbols.count)
    }

    /// Books one fill; returns the pair's index (nil for a pair the strategy does not trade). `remaining` is the
    /// portfolio's position on the pair after the fill: a sell or cover that leaves none clears the record whatever
    /// the notional arithmetic says (at a loss the exit's value is below the entry's, and the reference's record then
    /// outlived its position: the next exit was refused on every tick and entries were blocked forever).
    @discardableResult
    mutating func record(_ fill: Fill, remaining: Position?) -> Int? {
        guard let i = symbols.firstIndex(of: fill.symbol) else { return nil }
        let price = fill.price.doubleValue
        let value = fill.size.doubleValue * price * fill.quoteUSD.doubleValue
        let p = fill.pnl.doubleValue
        if p != 0 {
            pnl[i] += p
            if p > 0 { wins[i] += 1 } else { losses[i] += 1 }
        }
        trades[i] += 1
        switch fill.side {
        case .buy, .short:
            let s: PositionSide = fill.side == .buy ? .long : .short
            side = s
            total += value
            notional[i] += value
            if entries[i] == nil {
                entries[i] = Entry(side: s, entryPrice: price, entryTime: fill.timestamp, highest: price, lowest: price)
            } else {
                // momentum_scalping §12: a further opening fill moves the extremes.
                if s == .long { entries[i]!.highest = max(entries[i]!.highest, price) } else { entries[i]!.lowest = min(entries[i]!.lowest, price) }
            }
        case .sell, .cover:
            total = max(0, total - value)
            notional[i] = max(0, notional[i] - value)
            if remaining == nil || remaining?.size.isPositive != true {
                total = max(0, total - notional[i])
                notional[i] = 0
            }
            if total < 0.01 { total = 0; side = nil }
            if notional[i] < 0.01 { notional[i] = 0; entries[i] = nil }
        }
        return i
    }

    /// Moves a pair's extremes with the price (momentum_scalping MS-W2: evaluated every tick while open).
    mutating func track(_ i: Int, price: Double) {
        guard entries[i] != nil else { return }
        entries[i]!.highest = max(entries[i]!.highest, price)
        entries[i]!.lowest = min(entries[i]!.lowest, price)
    }

    /// Open notional of the other pairs, by side, and whether one of them holds `side` (§9.4).
    func others(than i: Int, side s: PositionSide) -> (long: Double, short: Double, sameSide: Bool) {
        var long = 0.0, short = 0.0, same = false
        for k in symbols.indices where k != i {
            guard let e = entries[k] else { continue }
            if e.side == .long { long += notional[k] } else { short += notional[k] }
            if e.side == s { same = true }
        }
        return (long, short, same)
    }

    // Test and scenario set-up: a position as the spec's fixtures state it.
    mutating func set(_ i: Int, side s: PositionSide, notional n: Double, entry: Double, at t: Timestamp) {
        notional[i] = n
        entries[i] = Entry(side: s, entryPrice: entry, entryTime: t, highest: entry, lowest: entry)
        total = notional.reduce(0, +)
        side = s
    }
}
