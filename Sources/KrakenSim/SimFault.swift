import Foundation
import TradingCore

/// One fault of market-data §4.4's table. Written (decision 39) as `NAME[:k=v,...][@msg=N|@t=SECONDS]` on the command
/// line and at `POST /_sim/faults` (`disconnect:code=1011@t=30`, `checksumCorrupt:symbol=BTC/USD@msg=500`,
/// `staleFeed:mode=silent,duration=20`; a bare value stands for the fault's first key, so `disconnect:1011` works too),
/// and as JSONL objects in scripts (`{"fault":"disconnect","code":1011,"t":30}`). `@msg=N` fires once the server has
/// sent N frames in all, `@t=S` at S virtual seconds after the start; without a trigger a fault fires at once.
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
        case .disconnect(.abort): "disconnect:code=abort"
        case .disconnect(.code(let c)): "disconnect:code=\(c)"
        case .rejectHandshakes(let n, let s): "rejectHandshakes:count=\(n),status=\(s)"
        case .acceptThenClose(let n): "acceptThenClose:count=\(n)"
        case .malformedJSON(let k): "malformedJSON:kind=\(k.rawValue)"
        case .checksumCorrupt(let s): "checksumCorrupt:symbol=\(s)"
        case .dropBookUpdate(let s): "dropBookUpdate:symbol=\(s)"
        case .dropTrade(let s, let n): "dropTrade:symbol=\(s),count=\(n)"
        case .duplicateTrade(let s): "duplicateTrade:symbol=\(s)"
        case .reorder(let c, let n): "reorder:channel=\(c),count=\(n)"
        case .staleFeed(let m, let d): "staleFeed:mode=\(m.rawValue),duration=\(d)"
        case .suppressPong(let d): "suppressPong:duration=\(d)"
        case .status(let s): "status:system=\(s)"
        case .burst(let n): "burst:n=\(n)"
        case .rateLimit(let n): "rateLimit:per_second=\(n)"
        case .replay(let p, .asFastAsPossible): "replay:file=\(p),pace=max"
        case .replay(let p, .recorded): "replay:file=\(p),pace=recorded"
        case .replay(let p, .every(let i)): "replay:file=\(p),pace=\(i.nanoseconds / 1_000_000)ms"
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

    /// The keys of each fault's arguments, in the order bare values fill them.
    public static let keys: [String: [String]] = [
        "disconnect": ["code"], "rejectHandshakes": ["count", "status"], "acceptThenClose": ["count"], "malformedJSON": ["kind"],
        "checksumCorrupt": ["symbol"], "dropBookUpdate": ["symbol"], "dropTrade": ["symbol", "count"], "duplicateTrade": ["symbol"],
        "reorder": ["channel", "count"], "staleFeed": ["mode", "duration"], "suppressPong": ["duration"], "status": ["system"],
        "burst": ["n"], "rateLimit": ["per_second"], "replay": ["file", "pace"],
    ]

    /// Parses `NAME[:k=v,...][@msg=N|@t=S]`; the error names what is wrong and what is accepted.
    public static func parse(_ text: String) throws(SimFaultError) -> ScheduledFault {
        let spec = text.trimmingCharacters(in: .whitespaces)
        var body = Substring(spec), trigger = SimTrigger.immediately
        // A trigger is an @ followed by msg= or t=; any other @ belongs to the body (a replay path may hold one).
        if let at = spec.lastIndex(of: "@"), spec[spec.index(after: at)...].hasPrefix("msg=") || spec[spec.index(after: at)...].hasPrefix("t=")
            || !spec[..<at].contains("file=") {
            body = spec[..<at]
            let t = spec[spec.index(after: at)...]
            if t.hasPrefix("msg="), let n = Int(t.dropFirst(4)), n >= 0 { trigger = .afterFrames(n) }
            else if t.hasPrefix("t="), let s = Double(t.dropFirst(2)), s.isFinite, s >= 0, s < 1e9 { trigger = .at(.init(nanoseconds: Int64(s * 1e9))) }
            else { throw SimFaultError("'\(spec)': the trigger must be @msg=FRAMES or @t=SECONDS") }
        }
        let parts = body.split(separator: ":", maxSplits: 1)
        guard let name = parts.first.map(String.init), !name.isEmpty else { throw SimFaultError("empty fault; one of \(SimFault.names.joined(separator: ", "))") }
        guard let keys = keys[name] else { throw SimFaultError("unknown fault '\(name)'; one of \(SimFault.names.joined(separator: ", "))") }
        var values: [String: String] = [:]
        if parts.count > 1 {
            for (i, raw) in parts[1].split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let a = raw.trimmingCharacters(in: .whitespaces)
                if a.isEmpty { continue }
                if let eq = a.firstIndex(of: "="), !(name == "replay" && i == 0 && !a.hasPrefix("file=")) {
                    let k = String(a[..<eq]), v = String(a[a.index(after: eq)...])
                    guard keys.contains(k) else { throw SimFaultError("'\(spec)': \(name) takes \(keys.joined(separator: ", ")), not \(k)") }
                    values[k] = v
                } else {
                    guard i < keys.count else { throw SimFaultError("'\(spec)': \(name) takes \(keys.count) argument\(keys.count == 1 ? "" : "s") (\(keys.joined(separator: ", ")))") }
                    values[keys[i]] = a
                }
            }
        }
        return ScheduledFault(try fault(name, values, spec), trigger)
    }

    private static func fault(_ name: String, _ values: [String: String], _ spec: String) throws(SimFaultError) -> SimFault {
        func arg(_ k: String) -> String? { values[k].flatMap { $0.isEmpty ? nil : $0 } }
        func int(_ k: String, _ d: Int, _ range: ClosedRange<Int>) throws(SimFaultError) -> Int {
            guard let a = arg(k) else { return d }
            guard let v = Int(a), range.contains(v) else { throw SimFaultError("'\(spec)': \(k) must be an integer in \(range.lowerBound)…\(range.upperBound)") }
            return v
        }
        func seconds(_ k: String, _ d: Double) throws(SimFaultError) -> Double {
            guard let a = arg(k) else { return d }
            let t = a.hasSuffix("s") ? String(a.dropLast()) : a
            guard let v = Double(t), v.isFinite, v >= 0, v <= 86_400 else { throw SimFaultError("'\(spec)': \(k) must be seconds in 0…86400") }
            return v
        }
        func symbol() throws(SimFaultError) -> Symbol {
            guard let a = arg("symbol"), let s = Symbol(a) else { throw SimFaultError("'\(spec)': needs a pair, e.g. \(name):symbol=BTC/USD") }
            return s
        }
        switch name {
        case "disconnect":
            let a = arg("code") ?? "1000"
            if a == "abort" { return .disconnect(.abort) }
            if let c = UInt16(a), [1000, 1001, 1011].contains(c) { return .disconnect(.code(c)) }
            throw SimFaultError("'\(spec)': disconnect takes code=1000, 1001, 1011 or abort")
        case "rejectHandshakes":
            let s = try int("status", 503, 400...599)
            guard s == 503 || s == 429 else { throw SimFaultError("'\(spec)': rejectHandshakes answers status=503 or 429") }
            return .rejectHandshakes(count: try int("count", 1, 1...100_000), httpStatus: s)
        case "acceptThenClose": return .acceptThenClose(count: try int("count", 1, 1...100_000))
        case "malformedJSON":
            guard let k = SimFault.Malformed(rawValue: arg("kind") ?? "truncated") else {
                throw SimFaultError("'\(spec)': malformedJSON takes kind=\(SimFault.Malformed.allCases.map(\.rawValue).joined(separator: "|"))")
            }
            return .malformedJSON(k)
        case "checksumCorrupt": return .checksumCorrupt(try symbol())
        case "dropBookUpdate": return .dropBookUpdate(try symbol())
        case "dropTrade": return .dropTrade(try symbol(), count: try int("count", 1, 1...1_000_000))
        case "duplicateTrade": return .duplicateTrade(try symbol())
        case "reorder":
            guard let c = arg("channel"), c == "book" || c == "trade" else { throw SimFaultError("'\(spec)': reorder takes channel=book|trade and count") }
            return .reorder(channel: c, count: try int("count", 1, 1...1_000_000))
        case "staleFeed":
            guard let m = SimFault.Stale(rawValue: arg("mode") ?? "heartbeatOnly") else { throw SimFaultError("'\(spec)': staleFeed takes mode=heartbeatOnly|silent and duration") }
            return .staleFeed(m, seconds: try seconds("duration", 30))
        case "suppressPong": return .suppressPong(seconds: try seconds("duration", 3600))
        case "status":
            let s = arg("system") ?? "maintenance"
            guard ["online", "maintenance", "cancel_only", "post_only"].contains(s) else { throw SimFaultError("'\(spec)': status takes system=online|maintenance|cancel_only|post_only") }
            return .status(s)
        case "burst": return .burst(try int("n", 1000, 1...100_000_000))
        case "rateLimit": return .rateLimit(perSecond: try int("per_second", 5, 0...1_000_000))
        default:  // replay
            guard let p = arg("file") else { throw SimFaultError("'\(spec)': replay needs file=PATH (and pace=max|recorded|Nms)") }
            switch arg("pace") ?? "max" {
            case "max": return .replay(path: p, pace: .asFastAsPossible)
            case "recorded": return .replay(path: p, pace: .recorded)
            case let a where a.hasSuffix("ms") && Int(a.dropLast(2)).map({ $0 >= 0 && $0 <= 3_600_000 }) == true:
                return .replay(path: p, pace: .every(.milliseconds(Int64(a.dropLast(2))!)))
            default: throw SimFaultError("'\(spec)': replay pace is max, recorded or Nms")
            }
        }
    }

    /// One script line or control-API body: a JSON object (`{"fault":"disconnect","code":1011,"t":30}`, trigger keys
    /// `msg` or `t`), a JSON string holding the command-line form, or the command-line form itself.
    public static func parseLine(_ text: String) throws(SimFaultError) -> ScheduledFault {
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("{") || line.hasPrefix("\"") else { return try parse(line) }
        guard let data = line.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw SimFaultError("'\(line.prefix(80))': not valid JSON")
        }
        if let s = value as? String { return try parse(s) }
        guard let o = value as? [String: Any], let name = o["fault"] as? String else { throw SimFaultError("'\(line.prefix(80))': a JSON object needs \"fault\"") }
        var args: [String] = []
        for k in (keys[name] ?? []) { if let v = o[k] { args.append("\(k)=\(v)") } }
        for k in o.keys.sorted() where !["fault", "msg", "t"].contains(k) && !(keys[name] ?? []).contains(k) {
            throw SimFaultError("'\(line.prefix(80))': \(name) takes \((keys[name] ?? []).joined(separator: ", ")), not \(k)")
        }
        var spec = name + (args.isEmpty ? "" : ":" + args.joined(separator: ","))
        if let m = o["msg"] { spec += "@msg=\(m)" } else if let t = o["t"] { spec += "@t=\(t)" }
        return try parse(spec)
    }

    /// A script (decision 39: JSONL of the same): one fault per line, as `parseLine` reads it; blank lines skipped.
    public static func parseScript(_ text: String) throws(SimFaultError) -> [ScheduledFault] {
        var out: [ScheduledFault] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = line.trimmingCharacters(in: .whitespaces)
            if l.isEmpty || l.hasPrefix("#") { continue }
            do { out.append(try parseLine(l)) } catch { throw SimFaultError("line \(i + 1): \(error.message)") }
        }
        return out
    }
}

public struct SimFaultError: Error, CustomStringConvertible, Equatable {
    public let message: String
    init(_ m: String) { message = m }
    public var description: String { message }
}
