import TradingCore

/// What a Kraken download's file name says (history.md §13.1–13.2, scenario 16): `XRPUSDT_1.csv` is OHLCVT for one
/// pair and interval, `XBTUSDT.csv` is the pair's trade history. The column count of the first row is checked too.
public enum KrakenFileName: Equatable, Sendable {
    case ohlcvt(Symbol, intervalMinutes: Int)
    case trades(Symbol)
    case skip(String)

    public static let intervals: Set<Int> = [1, 5, 15, 30, 60, 240, 720, 1440]

    public static func classify(_ name: String, pairs: PairRegistry) -> KrakenFileName {
        guard name.lowercased().hasSuffix(".csv") else { return .skip("not a .csv file") }
        let stem = String(name.dropLast(4))
        let parts = stem.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty else { return .skip("expected PAIR_INTERVAL.csv or PAIR.csv") }
        guard let symbol = pairs.symbol(forCode: parts[0]) else { return .skip("unknown pair code \(parts[0].uppercased())") }
        if parts.count == 1 { return .trades(symbol) }
        guard let i = Int(parts[1]), intervals.contains(i) else { return .skip("unknown interval '\(parts[1])' (1, 5, 15, 30, 60, 240, 720, 1440)") }
        return .ohlcvt(symbol, intervalMinutes: i)
    }
}
