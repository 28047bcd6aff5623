import TradingCore

/// Kraken's pair codes ↔ our symbols (history.md §2), in one place. Derived from the instrument table (built-in plus
/// `instruments.<PAIR>` from the config), so a new pair needs no code change: each `BASE/QUOTE` answers to
/// `BASEQUOTE`, to the same with `XBT` for `BTC` (Kraken's REST and file names), and to Kraken's legacy
/// `X…Z…`/`X…X…` names (`XXBTZUSD`, `XXRPXXBT`). Lookup is case-insensitive.
public struct PairRegistry: Sendable {
    public private(set) var codes: [String: Symbol] = [:]
    /// The REST pair name per symbol (`BTC/USDT` → `XBTUSDT`).
    public private(set) var restName: [Symbol: String] = [:]

    public init(_ instruments: InstrumentRegistry = InstrumentRegistry()) {
        for s in instruments.instruments.keys.sorted(by: { $0.text < $1.text }) { add(s) }
    }

    static func kraken(_ asset: String) -> String { asset == "BTC" ? "XBT" : asset }
    static let fiat: Set<String> = ["USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD"]

    public mutating func add(_ s: Symbol) {
        let b = s.base, q = s.quote, kb = Self.kraken(b), kq = Self.kraken(q)
        restName[s] = kb + kq
        var names: Set<String> = [b + q, kb + kq, kb + q, b + kq]
        if kb.count == 3, kq.count == 3 { names.insert("X" + kb + (Self.fiat.contains(kq) ? "Z" : "X") + kq) }
        for n in names where codes[n] == nil { codes[n] = s }
    }

    public func symbol(forCode code: some StringProtocol) -> Symbol? { codes[code.uppercased()] }
}
