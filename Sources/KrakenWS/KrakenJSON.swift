import TradingCore

/// A JSON value from the feed. Numbers keep their text, so prices and quantities are read exactly (market-data §1.8:
/// never through `Double`) and integers beyond Int64 (`connection_id`) survive.
public indirect enum JSONValue: Equatable, Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    /// The value of `key` in an object (the first, if a hostile message repeats it).
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        for (k, v) in fields where k == key { return v }
        return nil
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// A number's text; numeric strings count too (the v1 format and the reference's tests quote numbers).
    public var numberText: String? {
        switch self {
        case .number(let t): t
        case .string(let s): s
        default: nil
        }
    }
    public var int64: Int64? { numberText.flatMap { Int64($0) } }
    public var uint64: UInt64? { numberText.flatMap { UInt64($0) } }
}

public struct JSONError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict JSON reader for feed messages (RFC 8259 grammar), with limits so a hostile message costs bounded work.
public enum KrakenJSON {
    /// Deeper nesting than any Kraken message has is refused.
    public static let maxDepth = 16
    /// Messages are capped: a book snapshot of depth 1000 is about 80 KB.
    public static let maxBytes = 4 << 20

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var t = text
        let r: Result<JSONValue, JSONError> = t.withUTF8 { b in
            do throws(JSONError) { return .success(try parse(b)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        guard bytes.count <= maxBytes else { throw JSONError(message: "message longer than \(maxBytes) bytes", offset: 0) }
        var r = Reader(b: bytes)
        r.skipSpace()
        let v = try r.value(depth: 0)
        r.skipSpace()
        guard r.i == bytes.count else { throw JSONError(message: "trailing characters", offset: r.i) }
        return v
    }

    /// Where the JSON number starting at `start` ends (RFC 8259's grammar; at most 64 characters), nil if none starts there.
    static func numberEnd(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        var j = start
        if j < b.count, b[j] == UInt8(ascii: "-") { j += 1 }
        guard j < b.count, isDigit(b[j]) else { return nil }
        if b[j] == UInt8(ascii: "0") { j += 1 } else { while j < b.count, isDigit(b[j]) { j += 1 } }
        if j < b.count, b[j] == UInt8(ascii: ".") {
            j += 1
            guard j < b.count, isDigit(b[j]) else { return nil }
            while j < b.count, isDigit(b[j]) { j += 1 }
        }
        if j < b.count, b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") {
            j += 1
            if j < b.count, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
            guard j < b.count, isDigit(b[j]) else { return nil }
            while j < b.count, isDigit(b[j]) { j += 1 }
        }
        return j - start <= 64 ? j : nil
    }

    struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        func fail(_ m: String) -> JSONError { JSONError(message: m, offset: i) }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) throws(JSONError) -> JSONValue {
            guard i < b.count else { throw fail("unexpected end") }
            switch b[i] {
            case UInt8(ascii: "{"):
                guard depth < KrakenJSON.maxDepth else { throw fail("nested deeper than \(KrakenJSON.maxDepth)") }
                i += 1
                var fields: [(String, JSONValue)] = []
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                while true {
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let k = try string()
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    skipSpace()
                    fields.append((k, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < b.count else { throw fail("unexpected end in an object") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                guard depth < KrakenJSON.maxDepth else { throw fail("nested deeper than \(KrakenJSON.maxDepth)") }
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < b.count else { throw fail("unexpected end in an array") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default:
                return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString, _ v: JSONValue) throws(JSONError) -> JSONValue {
            let n = word.utf8CodeUnitCount
            guard i + n <= b.count else { throw fail("bad literal") }
            for k in 0..<n where b[i + k] != word.utf8Start[k] { throw fail("bad literal") }
            i += n
            return v
        }

        /// The JSON number grammar exactly; the text is kept.
        mutating func number() throws(JSONError) -> String {
            guard let end = KrakenJSON.numberEnd(b, from: i) else { throw fail("bad number") }
            let start = i
            i = end
            return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
        }

        mutating func string() throws(JSONError) -> String {
            i += 1
            let start = i
            // Fast path: no escapes.
            while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
            guard i < b.count else { throw fail("unterminated string") }
            if b[i] == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            var out = Array(b[start..<i])
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                guard c >= 0x20 else { throw fail("control character in a string") }
                if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
                i += 1
                guard i < b.count else { break }
                switch b[i] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard i + 4 < b.count, let u = hex4(i + 1) else { throw fail("bad \\u escape") }
                    i += 4
                    // Surrogates and the rest: the replacement character keeps hostile text harmless.
                    let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw fail("bad escape")
                }
                i += 1
            }
            throw fail("unterminated string")
        }

        func hex4(_ at: Int) -> UInt32? {
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = b[at + k]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
    }
}
