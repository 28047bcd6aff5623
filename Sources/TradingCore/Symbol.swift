/// A trading pair `BASE/QUOTE`, e.g. `XRP/USDT`.
public struct Symbol: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let text: String
    public let base: String
    public let quote: String

    /// Nil unless the text is `BASE/QUOTE` with two non-empty upper-case alphanumeric parts.
    public init?(_ raw: String) {
        let t = raw.trimmingSpaces()
        let parts = t.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              parts.allSatisfy({ $0.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) } })
        else { return nil }
        self.text = t
        self.base = String(parts[0])
        self.quote = String(parts[1])
    }

    public var description: String { text }
    public static func < (a: Symbol, b: Symbol) -> Bool { a.text < b.text }
    public static func == (a: Symbol, b: Symbol) -> Bool { a.text == b.text }
    public func hash(into h: inout Hasher) { h.combine(text) }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = Symbol(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a BASE/QUOTE symbol: \(s)"))
        }
        self = v
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }

    /// USD and USDT are both cash, valued at exactly 1 USD and held in one balance.
    public static func isCash(_ asset: String) -> Bool { asset == "USD" || asset == "USDT" }
    public var quoteIsCash: Bool { Symbol.isCash(quote) }
}

extension String {
    /// ASCII whitespace trim without Foundation.
    public func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
