/// A trading pair `BASE/QUOTE`, e.g. `XRP/USDT`.
public struct Symbol: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let text: String
    /// UTF-8 offset of the "/" (symbols are copied on every event, so they stay one string wide).
    private let slash: Int
    /// USD and USDT quotes settle in cash.
    public let quoteIsCash: Bool

    /// The base asset, e.g. "XRP" (short strings are stored inline: no allocation).
    public var base: String { String(decoding: text.utf8.prefix(slash), as: UTF8.self) }
    /// The quote asset, e.g. "USDT".
    public var quote: String { String(decoding: text.utf8.dropFirst(slash + 1), as: UTF8.self) }

    /// True when the quote asset is `asset`, compared without building a string.
    public func hasQuote(_ asset: String) -> Bool { text.utf8.dropFirst(slash + 1).elementsEqual(asset.utf8) }
    /// True when the base asset is `asset`.
    public func hasBase(_ asset: String) -> Bool { text.utf8.prefix(slash).elementsEqual(asset.utf8) }

    /// Nil unless the text is `BASE/QUOTE` with two non-empty upper-case alphanumeric parts.
    public init?(_ raw: String) {
        let t = raw.trimmingSpaces()
        let parts = t.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              parts.allSatisfy({ $0.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) } })
        else { return nil }
        self.text = t
        self.slash = parts[0].utf8.count
        self.quoteIsCash = Symbol.isCash(String(parts[1]))
    }

    /// The same rule from UTF-8 bytes, without trimming (the feed's hot path: one small string, no splitting).
    public init?(utf8 b: UnsafeBufferPointer<UInt8>) {
        var slash = -1
        for (i, c) in b.enumerated() {
            if c == 47 {
                guard slash < 0 else { return nil }
                slash = i
            } else if !((c >= 65 && c <= 90) || (c >= 48 && c <= 57)) {
                return nil
            }
        }
        guard slash > 0, slash < b.count - 1 else { return nil }
        let q = UnsafeBufferPointer(rebasing: b[(slash + 1)...])
        self.text = String(decoding: b, as: UTF8.self)
        self.slash = slash
        self.quoteIsCash = q.elementsEqual("USD".utf8) || q.elementsEqual("USDT".utf8)
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
