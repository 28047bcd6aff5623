import Crypto
import TradingCore
import PaperExchange
import TradingEngine

/// SHA-256 over the canonical fill lines (spec decision 14), one line per fill in kernel order,
/// each terminated by a newline. Equal hashes mean identical fills to the last unit.
public final class FillHasher: KernelObserver {
    private var hasher = SHA256()
    public private(set) var count = 0
    /// Optional sink for the lines themselves (debugging a mismatch).
    public var lineSink: ((String) -> Void)?

    public init() {}

    public func kernelDidFill(_ fill: Fill, portfolio: Portfolio) {
        var line = fill.canonicalLine
        line += "\n"
        line.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        count += 1
        lineSink?(line)
    }

    /// Hex digest of everything so far (does not end hashing).
    public var hexDigest: String {
        let d = hasher.finalize()
        return d.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }
}
