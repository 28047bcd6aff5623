/// Simplified VPIN (indicators.md §7.4): the trades' total base volume is cut into `buckets` equal buckets (a trade
/// that overflows one is split across it), and the result is the mean of |buy − sell| / (buy + sell) over them, in
/// 0…1. Nil with fewer trades than buckets or no volume (the reference's 0.0 looks like a balanced tape).
///
/// Caveat kept for parity: the bucket size derives from the sample, so values from samples of different sizes are
/// not comparable, and with few trades per bucket the value is dominated by single trades.
public func vpin(_ trades: some Collection<FlowTrade>, buckets: Int = 50) -> Double? {
    precondition(buckets >= 1, "VPIN needs at least one bucket")
    guard trades.count >= buckets else { return nil }
    let total = trades.reduce(0) { $0 + $1.size }
    guard total > 0 else { return nil }
    let size = total / Double(buckets)
    var imbalances: [Double] = []
    var boundary = size, poured = 0.0, buy = 0.0, sell = 0.0
    for t in trades where imbalances.count < buckets {
        var left = t.size
        while left > 0 && imbalances.count < buckets {
            let take = min(left, boundary - poured)
            let part = take > 0 ? take : left
            if t.side == .buy { buy += part } else { sell += part }
            poured += part; left -= part
            if poured >= boundary - 1e-10 {
                if buy + sell > 0 { imbalances.append(abs(buy - sell) / (buy + sell)) }
                buy = 0; sell = 0
                boundary += size
            }
        }
    }
    // Float drift can leave the last bucket a hair short of its boundary.
    if imbalances.count < buckets && buy + sell > 0.5 * size { imbalances.append(abs(buy - sell) / (buy + sell)) }
    return imbalances.isEmpty ? nil : imbalances.reduce(0, +) / Double(imbalances.count)
}
