import Foundation
import TradingCore

/// Writes a recording: a header line with the session spec, then one line per event consumed.
public final class EventRecorder {
    private let file: UnsafeMutablePointer<FILE>
    public let path: String
    public private(set) var events = 0
    /// The recording format this build writes (it reads 1 through this).
    public static let formatVersion = 4

    public init(path: String, spec: SessionSpec) throws {
        guard let f = fopen(path, "w") else { throw SessionError.input("cannot open \(path) for writing") }
        file = f
        self.path = path
        // Version 2 added bar_timeframe and market.account_currency; version 3 maker/taker fees, latency_ms and per-symbol
        // strategy parameters; version 4 market.stale_after_ns, exchange times (xt) and the feed events (feed, book_invalid,
        // trade_gap). Older headers read with the defaults their sessions ran with.
        var header = ["type": "header", "format": "ws-tester-recording", "version": EventRecorder.formatVersion] as [String: Any]
        header["spec"] = spec.jsonObject
        let data = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        write(String(decoding: data, as: UTF8.self))
    }

    private func write(_ line: String) {
        var l = line
        l.append("\n")
        l.withUTF8 { buf in _ = fwrite(buf.baseAddress, 1, buf.count, file) }
    }

    public func record(_ e: MarketEvent) {
        guard !closed else { return }
        write(EventCodec.encode(e))
        events += 1
    }

    private var closed = false

    /// Flushes and closes the file; later calls do nothing (shutdown paths may each make sure).
    public func close() {
        guard !closed else { return }
        closed = true
        fflush(file)
        fclose(file)
    }
}

/// Reads a recording line by line (constant memory), calling back per event. Bad lines are counted
/// and the first few reported; they never stop the replay.
public final class EventReplay {
    public let spec: SessionSpec
    /// The header's format version.
    public let version: Int
    public private(set) var badLines = 0
    public private(set) var firstErrors: [String] = []
    private let file: UnsafeMutablePointer<FILE>
    private var lineNo = 1

    /// No event is anywhere near this long; longer lines are counted as bad, never parsed.
    static let maxLineBytes = 1 << 20

    public init(path: String) throws {
        guard let f = fopen(path, "r") else { throw SessionError.input("cannot open recording \(path)") }
        file = f
        guard let first = EventReplay.readLine(f), first.utf8.count <= 16 * EventReplay.maxLineBytes,
              let obj = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
              obj["type"] as? String == "header", let spec = obj["spec"] as? [String: Any] else {
            fclose(f)
            throw SessionError.input("\(path): first line is not a ws-tester recording header")
        }
        if let v = obj["version"] as? Int, v > EventRecorder.formatVersion {
            fclose(f)
            throw SessionError.input("\(path): recording format version \(v) is newer than this build reads (1–\(EventRecorder.formatVersion))")
        }
        version = (obj["version"] as? Int) ?? 1
        do { self.spec = try SessionSpec(jsonObject: spec) } catch { fclose(f); throw error }
    }

    deinit { fclose(file) }

    static func readLine(_ f: UnsafeMutablePointer<FILE>) -> String? {
        var ptr: UnsafeMutablePointer<CChar>?
        var cap = 0
        defer { free(ptr) }
        let n = getline(&ptr, &cap, f)
        guard n >= 0, let p = ptr else { return nil }
        var s = String(cString: p)
        if s.hasSuffix("\n") { s.removeLast() }
        return s
    }

    /// Next decoded event, or nil at the end.
    public func next() -> MarketEvent? {
        while let line = EventReplay.readLine(file) {
            lineNo += 1
            if line.isEmpty { continue }
            if line.utf8.count > EventReplay.maxLineBytes {
                badLines += 1
                if firstErrors.count < 10 { firstErrors.append("line \(lineNo): longer than \(EventReplay.maxLineBytes) bytes") }
                continue
            }
            do {
                guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw EventCodec.DecodeError(message: "not a JSON object")
                }
                return try EventCodec.decode(obj)
            } catch {
                badLines += 1
                if firstErrors.count < 10 { firstErrors.append("line \(lineNo): \(error)") }
            }
        }
        return nil
    }
}
