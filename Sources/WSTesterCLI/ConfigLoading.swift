import ArgumentParser
import Foundation
import TradingCore
import AppConfiguration

/// The YAML file as a layer: an explicit path must exist; the default ./config.yaml is optional.
func fileLayer(explicit: String?) throws -> [ConfigEntry] {
    let path = explicit ?? "config.yaml"
    guard FileManager.default.fileExists(atPath: path) else {
        if explicit != nil { throw ConfigError("config file not found: \(path)") }
        return []
    }
    guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("cannot read config file \(path)") }
    guard let text = String(validating: data, as: UTF8.self) else { throw ConfigError("\(path): not UTF-8 text") }
    return try ConfigFile.entries(yaml: text, origin: path)
}

/// Defaults < file < environment < command line (decision 35), each value validated by the schema.
func resolveConfig(explicit: String?, cli: [ConfigEntry], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ResolvedConfig {
    try ConfigResolver.resolve([try fileLayer(explicit: explicit), try ConfigResolver.environmentLayer(environment), cli])
}

/// Turns flags into command-line entries for `key`.
struct FlagEntries {
    var entries: [ConfigEntry] = []
    mutating func add(_ flag: String, _ key: String, _ value: String?) {
        guard let value else { return }
        entries.append(ConfigEntry(key: key, text: value, source: .cli, origin: flag))
    }
}

/// The run flags, shared by `run` and `config show` (which prints what a run with them would use).
struct RunOptions: ParsableArguments {
    @Option(help: "YAML configuration file (default: ./config.yaml if present).") var config: String?
    @Option(name: [.short, .long], help: "Session length in engine-clock minutes (0 = until stopped; general.duration_minutes).") var duration: String?
    @Option(help: "Decision interval in milliseconds (general.interval_ms).") var interval: String?
    @Option(name: [.short, .long], help: "Comma-separated pairs strategies trade, e.g. XRP/USDT,BTC/USDT (symbols).") var symbols: String?
    @Option(name: [.short, .long], help: "Starting capital per strategy (general.starting_capital).") var capital: String?
    @Option(help: "Comma-separated strategies to run (default: all).") var strategies: String?
    @Option(name: [.customLong("param"), .customLong("set")], help: "Override a parameter: strategy.key=value (repeatable).") var params: [String] = []
    @Flag(help: "Use the seeded simulator instead of the live Kraken feed (data.source: simulated).") var simulated = false
    @Flag(help: "Do not start the web dashboard (dashboard.enabled: false).") var noDashboard = false
    @Option(help: "Console verbosity: debug, info, warning, error (logging.level).") var logLevel: String?
    @Option(help: "Simulator seed (simulation.seed, default 42).") var seed: String?
    @Option(help: "Simulated speed: a multiple of real time, or 'max' (simulation.speed).") var speed: String?
    @Option(help: "Dashboard port, 0 = any free port (dashboard.port).") var dashboardPort: String?
    @Option(help: "Milliseconds from a decision to the matching engine (execution.latency_ms, default 0).") var latencyMs: String?
    @Option(help: "Kraken WebSocket v2 URL to connect to, e.g. a local Kraken v2 server (data.ws_url).") var wsUrl: String?

    var flagEntries: [ConfigEntry] {
        var f = FlagEntries()
        f.add("--duration", "general.duration_minutes", duration)
        f.add("--interval", "general.interval_ms", interval)
        f.add("--symbols", "symbols", symbols.map { "[\($0)]" })
        f.add("--capital", "general.starting_capital", capital)
        f.add("--simulated", "data.source", simulated ? "simulated" : nil)
        f.add("--no-dashboard", "dashboard.enabled", noDashboard ? "false" : nil)
        f.add("--log-level", "logging.level", logLevel)
        f.add("--seed", "simulation.seed", seed)
        f.add("--speed", "simulation.speed", speed)
        f.add("--dashboard-port", "dashboard.port", dashboardPort)
        f.add("--latency-ms", "execution.latency_ms", latencyMs)
        f.add("--ws-url", "data.ws_url", wsUrl)
        return f.entries
    }

    /// The effective configuration with `--param` overrides folded in, and the strategies selected.
    func resolve() throws -> (ResolvedConfig, names: [String]) {
        if let s = symbols, s.split(separator: ",").allSatisfy({ String($0).trimmingSpaces().isEmpty }) {
            throw ConfigError("--symbols: no symbols given")
        }
        let first = try resolveConfig(explicit: config, cli: flagEntries)
        let names = try SessionPlanner.strategyNames(cli: strategies, config: first.config)
        let cliParams = try SessionPlanner.parseParams(params, strategies: names)
        guard !cliParams.isEmpty else { return (first, names) }
        var entries = flagEntries
        for (s, kv) in cliParams.sorted(by: { $0.key < $1.key }) {
            for (k, v) in kv.sorted(by: { $0.key < $1.key }) {
                entries.append(ConfigEntry(key: "strategy_overrides.\(s).\(k)", text: v, source: .cli, origin: "--param \(s).\(k)"))
            }
        }
        return (try resolveConfig(explicit: config, cli: entries), names)
    }
}
