import Foundation
import TradingCore

/// Which store a URL names (issue 9, resolution 49): empty → the SQLite file at `sqlitePath`; `sqlite:///path` → that
/// file; `postgres://` / `postgresql://` → the server store. The URL is never printed whole (it may hold a password).
public enum HistoryStoreLocation: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(url: String)

    public static func parse(_ url: String, sqlitePath: String) throws -> HistoryStoreLocation {
        let u = url.trimmingCharacters(in: .whitespaces)
        if u.isEmpty { return .sqlite(path: sqlitePath) }
        if u.hasPrefix("sqlite://") {
            let p = String(u.dropFirst("sqlite://".count))
            guard !p.isEmpty else { throw HistoryError.badURL(redacted(u)) }
            return .sqlite(path: p)
        }
        if u.hasPrefix("postgres://") || u.hasPrefix("postgresql://") { return .postgres(url: u) }
        throw HistoryError.badURL(redacted(u))
    }

    /// `postgres://user:secret@host/db` → `postgres://user:***@host/db`. The userinfo ends at the *last* `@` before the
    /// path (a password may hold an unencoded `@`), and a `password=` query parameter is hidden too.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var out = String(url[..<scheme.upperBound])
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            if let colon = userinfo.firstIndex(of: ":") { out += userinfo[..<colon] + ":***" } else { out += userinfo }
            out += authority[at...]
        } else {
            out += authority
        }
        var tail = String(rest[authorityEnd...])
        if let q = tail.firstIndex(of: "?") {
            let query = tail[tail.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
                part.lowercased().hasPrefix("password=") ? part.prefix(9) + "***" : String(part)
            }
            tail = String(tail[...q]) + query.joined(separator: "&")
        }
        return out + tail
    }

    public var display: String {
        switch self {
        case .sqlite(let p): "sqlite:\(p)"
        case .postgres(let u): Self.redacted(u)
        }
    }

    public func open(clock: @escaping @Sendable () -> Timestamp, timescale: TimescaleMode = .auto) async throws -> any HistoryStore {
        switch self {
        case .sqlite(let p): return try SQLiteHistoryStore(path: p, clock: clock)
        case .postgres(let u): return try await PostgresHistoryStore(url: u, clock: clock, timescale: timescale)
        }
    }
}

/// `history.timescale` (history.md §6.2): whether a PostgreSQL store uses TimescaleDB hypertables.
public enum TimescaleMode: String, CaseIterable, Sendable {
    case auto, on, off
}
