import TradingCore

/// Which of a bar backtest's pairs strategies trade, which only value a quote currency, and which currency the
/// accounts are kept in (hardening issue, item 3; decision 36).
public struct BarSessionPlan: Equatable, Sendable {
    public var traded: [Symbol]
    public var dataOnly: [Symbol]
    public var account: AccountCurrency

    /// `pairs`: every series given; `asked`: `--symbols` if given. Without it, a cash-quoted pair whose base is the
    /// quote of another given pair (BTC/USD beside XRP/BTC) only values that quote. A traded pair quoted in an
    /// asset no given pair prices in USD makes that asset the account currency; every traded pair must then be
    /// quoted in it.
    public static func make(pairs: [Symbol], asked: [Symbol]?) throws(SessionError) -> BarSessionPlan {
        let given = Set(pairs)
        guard given.count == pairs.count else {
            throw .invalidConfig("a symbol is given twice: \(pairs.map(\.text).joined(separator: ", "))")
        }
        let quotes = Set(pairs.filter { !$0.quoteIsCash }.map(\.quote))
        var traded: [Symbol]
        if let asked {
            for s in asked where !given.contains(s) {
                throw .invalidConfig("--symbols names \(s), which has no --bars file (given: \(pairs.map(\.text).joined(separator: ", ")))")
            }
            traded = Array(Set(asked)).sorted()
        } else {
            traded = pairs.filter { !($0.quoteIsCash && quotes.contains($0.base)) }.sorted()
            if traded.isEmpty { traded = pairs.sorted() }
        }
        let dataOnly = given.subtracting(traded).sorted()
        func priced(_ asset: String) -> Bool { given.contains { $0.base == asset && $0.quoteIsCash } }
        let unpriced = Set(traded.filter { !$0.quoteIsCash && !priced($0.quote) }.map(\.quote))
        guard !unpriced.isEmpty else { return BarSessionPlan(traded: traded, dataOnly: dataOnly, account: .usd) }
        let quote = unpriced.sorted()[0]
        guard unpriced.count == 1, traded.allSatisfy({ $0.hasQuote(quote) }) else {
            let list = traded.map(\.text).joined(separator: ", ")
            throw .invalidConfig("the traded pairs (\(list)) are quoted in several currencies and \(unpriced.sorted().joined(separator: ", ")) has no USD price: add a series for it (--bars FILE --symbol \(quote)/USD), or backtest pairs of one quote currency only (accounts are then kept in it)")
        }
        return BarSessionPlan(traded: traded, dataOnly: dataOnly, account: AccountCurrency(code: quote))
    }
}
