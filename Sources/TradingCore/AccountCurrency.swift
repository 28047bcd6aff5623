/// The currency a session's accounts are kept in: cash balances, capital, P&L, equity and "USD" sizes. USD by
/// default, with USD and USDT pooled at exactly 1; a bar backtest of a pair quoted in another asset without a USD
/// price series for it (an XRP/BTC CSV alone) keeps its accounts in that asset (decision 36).
public struct AccountCurrency: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    public static let usd = AccountCurrency(code: "USD")

    public init(code: String) { self.code = code }

    public var isUSD: Bool { code == "USD" }
    public var description: String { code }

    /// Assets held as cash and valued at exactly 1.
    @inline(__always) public func isCash(_ asset: String) -> Bool { isUSD ? Symbol.isCash(asset) : asset == code }
    /// Pairs that settle in cash.
    @inline(__always) public func quoteIsCash(_ s: Symbol) -> Bool { isUSD ? s.quoteIsCash : s.hasQuote(code) }
    /// Quote assets whose pairs price an asset directly, preferred first.
    public var cashQuotes: [String] { isUSD ? ["USD", "USDT"] : [code] }
}
