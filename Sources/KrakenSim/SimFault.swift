import Foundation
import TradingCore

/// One fault of market-data §4.4's table. Written as `name[:arg,arg…]` on the command line and in scripts
/// (`disconnect:1011`, `checksumCorrupt:BTC/USD`, `staleFeed:silent,20`), optionally followed by a trigger
/// `@n=INDEX` (once the server has sent that many frames in all) or `@t=SECONDS` (virtual seconds after start).
public enum SimFault: Sendable, Equatable, CustomStringConvertible {
    public enum CloseKind: Sendable, Equatable { case code(UInt16), abort }
    public enum Malformed: String, Sendable, CaseIterable { case truncated, text, binary, array }
    public enum Stale: String, Sendable { case heartbeatOnly, silent }
    public enum ReplayPace: Sendable, Equatable { case asFastAsPossible, recorded, every(Interval) }

    case disconnect(CloseKind)
    case rejectHandshakes(count: Int, httpStatus: Int)
    case acceptThenClose(count: Int)
    case malformedJSON(Malformed)
    case checksumCorrupt(Symbol)
    case dropBookUpdate(Symbol)
    case dropTrade(Symbol, count: Int)
    case duplicateTrade(Symbol)
    case reorder(channel: String, count: Int)
    case staleFeed(Stale, seconds: Double)
    case suppressPong(seconds: Double)
    case status(String)
    case burst(Int)
    case rateLimit(perSecond: Int)
    case replay(path: String, pace: ReplayPace)

    public static let names = ["disconnect", "rejectHandshakes", "acceptThenClose", "malformedJSON", "checksumCorrupt", "dropBookUpdate",
                               "dropTrade", "duplicateTrade", "reorder", "staleFeed", "suppressPong", "status", "burst", "rateLimit", "replay"]

    public var description: String {
        switch self {
        case .disconnect(.abort): "disconnect:abort"
        case .disconnect(.code(let c)): "disconnect:\(c)"
        case .rejectHandshakes(let n, let s): "rejectHandshakes:\(n),\(s)"
        case .acceptThenClose(let n): "acceptThenClose:\(n)"
        case .malformedJSON(let k): "malformedJSON:\(k.rawValue)"
        case .checksumCorrupt(let s): "checksumCorrupt:\(s)"
        case .dropBookUpdate(let s): "dropBookUpdate:\(s)"
        case .dropTrade(let s, let n): "dropTrade:\(s),\(n)"
        case .duplicateTrade(let s): "duplicateTrade:\(s)"
        case .reorder(let c, let n): "reorder:\(c),\(n)"
        case .staleFeed(let m, let d): "staleFeed:\(m.rawValue),\(d)"
        case .suppressPong(let d): "suppressPong:\(d)"
        case .status(let s): "status:\(s)"
        case .burst(let n): "burst:\(n)"
        case .rateLimit(let n): "rateLimit:\(n)"
        case .replay(let p, .asFastAsPossible): "replay:\(p),max"
        case .replay(let p, .recorded): "replay:\(p),recorded"
        case .replay(let p, .every(let i)): "replay:\(p),\(i.nanoseconds / 1_000_000)ms"
        }
    }
}

/// When a scripted fault fires.
public enum SimTrigger: Sendable, Equatable {
    /// Now (run-time injection, or a script line without a trigger).
    case immediately
    /// Once this many frames have been sent, over all connections.
    case afterFrames(Int)
    /// At this virtual time after the server's start.
    case at(Interval)
}

public struct ScheduledFault: Sendable, Equatable {
    public var fault: SimFault
    public var trigger: SimTrigger
    public init(_ fault: SimFault, _ trigger: SimTrigger = .immediately) { self.fault = fault; self.trigger = trigger }

    /// Parses `name[:args][@n=K|@t=S]`; the error names what is wrong and what is accepted.
    public static func parse(_ text: String) throws(SimFaultError) -> ScheduledFault {
        let spec = text.trimmingCharacters(in: .whitespaces)
        var body = Substring(spec), trigger = SimTrigger.immediately
        if let at = spec.lastIndex(of: "@") {
            body = spec[..<at]
            let t = spec[spec.index(after: at)...]
            if t.hasPrefix("n="), let n = Int(t.dropFirst(2)), n >= 0 { trigger = .afterFrames(n) }
            else if t.hasPrefix("t="), let s = Double(t.dropFirst(2)), s.isFinite, s >= 0, s < 1e9 { trigger = .at(.init(nanoseconds: Int64(s * 1e9))) }
            else { throw SimFaultError("'\(spec)': the trigger must be @n=FRAMES or @t=SECONDS") }
        }
        let parts = body.split(separator: ":", maxSplits: 1)
        guard let name = parts.first.map(String.init), !name.isEmpty else { throw SimFaultError("empty fault; one of \(SimFault.names.joined(separator: ", "))") }
        let args = parts.count > 1 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } : []
        func arg(_ i: Int) -> String? { i < args.count && !args[i].isEmpty ? args[i] : nil }
        func int(_ i: Int, _ d: Int, _ range: ClosedRange<Int>) throws(SimFaultError) -> Int {
            guard let a = arg(i) else { return d }
            guard let v = Int(a), range.contains(v) else { throw SimFaultError("'\(spec)': argument \(i + 1) must be an integer in \(range.lowerBound)…\(range.upperBound)") }
            return v
        }
        func seconds(_ i: Int, _ d: Double) throws(SimFaultError) -> Double {
            guard let a = arg(i) else { return d }
            let t = a.hasSuffix("s") ? String(a.dropLast()) : a
            guard let v = Double(t), v.isFinite, v >= 0, v <= 86_400 else { throw SimFaultError("'\(spec)': argument \(i + 1) must be seconds in 0…86400") }
            return v
        }
        func symbol(_ i: Int) throws(SimFaultError) -> Symbol {
            guard let a = arg(i), let s = Symbol(a) else { throw SimFaultError("'\(spec)': needs a pair, e.g. \(name):BTC/USD") }
            return s
        }
        let f: SimFault
        switch name {
        case "disconnect":
            let a = arg(0) ?? "1000"
            if a == "abort" { f = .disconnect(.abort) }
            else if let c = UInt16(a), [1000, 1001, 1011].contains(c) { f = .disconnect(.code(c)) }
            else { throw SimFaultError("'\(spec)': disconnect takes 1000, 1001, 1011 or abort") }
        case "rejectHandshakes":
            let s = try int(1, 503, 400...599)
            guard s == 503 || s == 429 else { throw SimFaultError("'\(spec)': rejectHandshakes answers 503 or 429") }
            f = .rejectHandshakes(count: try int(0, 1, 1...100_000), httpStatus: s)
        case "acceptThenClose": f = .acceptThenClose(count: try int(0, 1, 1...100_000))
        case "malformedJSON":
            guard let k = SimFault.Malformed(rawValue: arg(0) ?? "truncated") else {
                throw SimFaultError("'\(spec)': malformedJSON takes \(SimFault.Malformed.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            f = .malformedJSON(k)
        case "checksumCorrupt": f = .checksumCorrupt(try symbol(0))
        case "dropBookUpdate": f = .dropBookUpdate(try symbol(0))
        case "dropTrade": f = .dropTrade(try symbol(0), count: try int(1, 1, 1...1_000_000))
        case "duplicateTrade": f = .duplicateTrade(try symbol(0))
        case "reorder":
            guard let c = arg(0), c == "book" || c == "trade" else { throw SimFaultError("'\(spec)': reorder takes book or trade, then a count") }
            f = .reorder(channel: c, count: try int(1, 1, 1...1_000_000))
        case "staleFeed":
            guard let m = SimFault.Stale(rawValue: arg(0) ?? "heartbeatOnly") else { throw SimFaultError("'\(spec)': staleFeed takes heartbeatOnly or silent, then seconds") }
            f = .staleFeed(m, seconds: try seconds(1, 30))
        case "suppressPong": f = .suppressPong(seconds: try seconds(0, 3600))
        case "status":
            let s = arg(0) ?? "maintenance"
            guard ["online", "maintenance", "cancel_only", "post_only"].contains(s) else { throw SimFaultError("'\(spec)': status takes online, maintenance, cancel_only or post_only") }
            f = .status(s)
        case "burst": f = .burst(try int(0, 1000, 1...100_000_000))
        case "rateLimit": f = .rateLimit(perSecond: try int(0, 5, 0...1_000_000))
        case "replay":
            guard let p = arg(0) else { throw SimFaultError("'\(spec)': replay needs a file: replay:FILE[,max|recorded|Nms]") }
            let pace: SimFault.ReplayPace
            switch arg(1) ?? "max" {
            case "max": pace = .asFastAsPossible
            case "recorded": pace = .recorded
            case let a where a.hasSuffix("ms") && Int(a.dropLast(2)).map({ $0 >= 0 && $0 <= 3_600_000 }) == true: pace = .every(.milliseconds(Int64(a.dropLast(2))!))
            default: throw SimFaultError("'\(spec)': replay pace is max, recorded or Nms")
            }
            f = .replay(path: p, pace: pace)
        default:
            throw SimFaultError("unknown fault '\(name)'; one of \(SimFault.names.joined(separator: ", "))")
        }
        return ScheduledFault(f, trigger)
    }

    /// A script: one fault per line; blank lines and `#` comments skipped; errors name the line.
    public static func parseScript(_ text: String) throws(SimFaultError) -> [ScheduledFault] {
        var out: [ScheduledFault] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = line.trimmingCharacters(in: .whitespaces)
            if l.isEmpty || l.hasPrefix("#") { continue }
            do { out.append(try parse(l)) } catch { throw SimFaultError("line \(i + 1): \(error.message)") }
        }
        return out
    }
}

public struct SimFaultError: Error, CustomStringConvertible, Equatable {
    public let message: String
    init(_ m: String) { message = m }
    public var description: String { message }
}
