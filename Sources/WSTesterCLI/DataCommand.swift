import ArgumentParser
import Foundation
import TradingCore
import AppConfiguration
import History

/// `ws-tester data …`: the history store (issue 9, resolution 49's names).
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Stored market history: import Kraken files, read candles at any timeframe, find gaps.",
        discussion: """
        The store is the SQLite file history.sqlite_path (default data/history.sqlite, created on first use) unless \
        --database-url, DATABASE_URL or history.database_url names another (sqlite:///path, or postgres://user@host:port/db).
        """,
        subcommands: [DataImportCommand.self, DataCandlesCommand.self, DataGapsCommand.self, DataStatsCommand.self,
                      DataSchemaCommand.self, DataPruneCommand.self, DataRollupsCommand.self])
}

/// Options every `data` command takes.
struct HistoryOptions: ParsableArguments {
    @Option(name: [.short, .customLong("config")], help: "Configuration file (default ./config.yaml when present).") var config: String?
    @Option(help: "postgres://user[:password]@host[:port]/db or sqlite:///path (overrides DATABASE_URL and history.database_url).")
    var databaseURL: String?

    func resolved() throws -> AppConfig {
        var cli = FlagEntries()
        cli.add("--database-url", "history.database_url", databaseURL)
        var env = ProcessInfo.processInfo.environment
        // DATABASE_URL is the conventional name; it sets history.database_url like WS_TESTER_HISTORY_DATABASE_URL.
        if let u = env["DATABASE_URL"], !u.isEmpty, env["WS_TESTER_HISTORY_DATABASE_URL"] == nil { env["WS_TESTER_HISTORY_DATABASE_URL"] = u }
        return try resolveConfig(explicit: config, cli: cli.entries, environment: env).config
    }

    func location(_ c: AppConfig) throws -> HistoryStoreLocation {
        do { return try HistoryStoreLocation.parse(c.history.databaseURL, sqlitePath: c.history.sqlitePath) } catch let e as HistoryError {
            throw fail(e.description, code: 1)
        }
    }

    /// Opens the store, runs `body`, closes the store; history errors become clear messages and exit 1.
    func withStore<T: Sendable>(_ body: @escaping @Sendable (any HistoryStore, AppConfig) async throws -> T) throws -> T {
        let c = try resolved()
        let loc = try location(c)
        do {
            return try blockingAwait {
                let store = try await loc.open(clock: LiveRun.wallNow, timescale: TimescaleMode(rawValue: c.history.timescale) ?? .auto)
                do {
                    let r = try await body(store, c)
                    try await store.close()
                    return r
                } catch {
                    try? await store.close()
                    throw error
                }
            }
        } catch let e as HistoryError {
            throw fail(e.description, code: 1)
        }
    }
}

func parseSymbol(_ s: String) throws -> Symbol {
    guard let sym = Symbol(s) else { throw fail("'\(s)' is not a symbol (BASE/QUOTE, e.g. BTC/USD)", code: 1) }
    return sym
}

func parseTime(_ s: String, _ flag: String) throws -> Timestamp {
    guard let t = Timestamp(iso8601: s) else { throw fail("\(flag) '\(s)': expected ISO-8601 UTC, e.g. 2024-01-15 or 2024-01-15T10:30:00Z", code: 1) }
    return t
}

func parseTimeframe(_ s: String) throws -> Timeframe {
    guard let tf = Timeframe(text: s) else { throw fail("--timeframe '\(s)': one of \(Timeframe.allCases.map(\.description).joined(separator: ", "))", code: 1) }
    return tf
}

func jsonText(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self)
}

func instrumentRegistry(_ c: AppConfig) -> InstrumentRegistry {
    var r = InstrumentRegistry()
    for i in c.instruments { r.set(i) }
    return r
}
