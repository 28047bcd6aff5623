import ArgumentParser
import Foundation
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
import Strategies
import Backtest

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a paper-trading session (simulated with --simulated; live Kraken otherwise).",
        discussion: """
        Every strategy trades its own isolated paper portfolio. --duration counts engine-clock minutes, so with \
        --speed max a 24-hour simulated session runs as fast as the CPU allows. A fixed --seed and configuration \
        reproduce the same fills bit for bit (compare fills_sha256).
        """)

    @Option(help: "YAML configuration file (default: ./config.yaml if present).") var config: String?
    @Option(name: [.short, .long], help: "Session length in engine-clock minutes (0 = until stopped).") var duration: Int?
    @Option(help: "Decision interval in milliseconds (general.interval_ms).") var interval: Int?
    @Option(name: [.short, .long], help: "Comma-separated symbols, e.g. XRP/USDT,BTC/USDT.") var symbols: String?
    @Option(name: [.short, .long], help: "Starting capital per strategy in USD.") var capital: String?
    @Option(help: "Comma-separated strategies to run (default: all).") var strategies: String?
    @Option(name: [.customLong("param"), .customLong("set")], help: "Override a parameter: strategy.key=value (repeatable).") var params: [String] = []
    @Flag(help: "Use the seeded simulator instead of the live Kraken feed.") var simulated = false
    @Flag(help: "Do not start the web dashboard.") var noDashboard = false
    @Option(help: "Console verbosity: debug, info, warning, error.") var logLevel: String?
    @Option(help: "Simulator seed (simulation.seed, default 42).") var seed: UInt64?
    @Option(help: "Simulated speed: a multiple of real time, or 'max'.") var speed: String?
    @Option(help: "Record every consumed event to this JSONL file (replay with `backtest --events`).") var record: String?
    @Option(help: "Write the session summary as JSON to this file.") var summaryJson: String?
    @Option(help: "Dashboard port (0 = any free port).") var dashboardPort: Int?

    func validate() throws {
        if let d = duration, d < 0 { throw ValidationError("--duration must be ≥ 0") }
        if let i = interval, i < 1 { throw ValidationError("--interval must be ≥ 1 ms") }
        if let c = capital, !(Money(c)?.isPositive ?? false) { throw ValidationError("--capital must be a number > 0, got '\(c)'") }
        if let s = speed, parseSpeed(s) == nil { throw ValidationError("--speed must be 'max' or a number > 0, got '\(s)'") }
        if let l = logLevel, !["debug", "info", "warning", "error"].contains(l) { throw ValidationError("--log-level must be debug, info, warning or error") }
        if let p = dashboardPort, !(0...65535).contains(p) { throw ValidationError("--dashboard-port must be 0…65535") }
    }

    func run() throws {
        var cfg = try loadConfig(explicit: config)
        if let d = duration { cfg.durationMinutes = d }
        if let i = interval { cfg.intervalMs = Int64(i) }
        if let c = capital { cfg.exchange.startingCapital = Money(c)! }
        if let s = seed { cfg.seed = s }
        if let s = speed { cfg.speed = parseSpeed(s)!.value }
        if let l = logLevel { cfg.logLevel = l }
        let isSimulated = simulated || cfg.dataSource == "simulated"
        guard isSimulated else {
            throw fail("the live Kraken feed is not part of this build yet; run with --simulated (or data.source: simulated)", code: 2)
        }
        let names = try SessionPlanner.strategyNames(cli: strategies, config: cfg)
        let cliParams = try SessionPlanner.parseParams(params, strategies: names)
        let plan = try SessionPlanner.symbols(cli: symbols, config: cfg, strategies: names)
        let sessionSymbols = plan.session
        if let problem = SimulatedMarket.unsupported(sessionSymbols) { throw ConfigError(problem) }
        var notes: [String] = []
        if !plan.dataOnly.isEmpty {
            notes.append("\(plan.dataOnly.map(\.text).joined(separator: ", ")) only value\(plan.dataOnly.count == 1 ? "s" : "") a quote currency (data only, not traded)")
        }
        let specs = try SessionPlanner.strategySpecs(names: names, plan: plan, config: cfg, cliParams: cliParams)
        var engine = EngineConfig()
        engine.maxStrategyErrors = cfg.maxStrategyErrors
        engine.closePositionsOnShutdown = cfg.closePositionsOnShutdown
        var exchange = cfg.exchange
        exchange.startingAssets = cfg.startingAssets
        let spec = SessionSpec(symbols: sessionSymbols, instruments: try SessionPlanner.instruments(for: sessionSymbols, config: cfg),
                               strategies: specs, exchange: exchange, engine: engine, market: cfg.market, seed: cfg.seed,
                               intervalMs: cfg.intervalMs, start: cfg.simulationStart)
        let kernel: Kernel
        do { kernel = try SessionBuilder.makeKernel(spec) } catch let e as SessionError { throw fail(e.description, code: e.exitCode) }
        let hasher = FillHasher()
        kernel.addObserver(hasher)
        let driver = SimulationDriver(kernel: kernel, spec: spec)
        if let path = record { driver.recorder = try EventRecorder(path: path, spec: spec) }
        let console = Console(level: cfg.logLevel)
        kernel.addObserver(console)

        printBanner(spec: spec, cfg: cfg, notes: notes)
        SignalTrap.install()
        let wall = ContinuousClock()
        let wallStart = wall.now
        let engineStart = driver.now
        let end: Timestamp? = cfg.durationMinutes == 0 ? nil : engineStart + .minutes(Int64(cfg.durationMinutes))
        var nextStatus = engineStart + .seconds(Int64(cfg.statusIntervalSeconds))
        var lastProgress = wall.now
        while !SignalTrap.stopRequested {
            if let end, driver.now >= end { break }
            driver.step()
            if let speed = cfg.speed {
                // Deadline pacing: engine time advances `speed`× wall time; late ticks run at once, no catch-up bursts.
                let engineElapsed = Double((driver.now - engineStart).nanoseconds) / 1e9 / speed
                let wallElapsed = wall.now - wallStart
                let ahead = engineElapsed - Double(wallElapsed.components.seconds) - Double(wallElapsed.components.attoseconds) / 1e18
                if ahead > 0 { usleep(UInt32(min(ahead, 1.0) * 1_000_000)) }
                if driver.now >= nextStatus {
                    console.status(kernel: kernel)
                    nextStatus = nextStatus + .seconds(Int64(cfg.statusIntervalSeconds))
                }
            } else if kernel.ticks & 1023 == 0, wall.now - lastProgress > .seconds(2) {
                lastProgress = wall.now
                console.progress(kernel: kernel, engineStart: engineStart, end: end)
            }
        }
        let interrupted = SignalTrap.stopRequested
        kernel.stop()
        driver.recorder?.close()
        let elapsed = wall.now - wallStart
        let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let report = SessionReport(kernel: kernel, hasher: hasher, start: engineStart)
        console.clearProgress()
        print(report.text(title: interrupted ? "SESSION STOPPED" : "SESSION COMPLETE", mode: "Simulated (seed \(spec.seed))"))
        let eps = wallSeconds > 0 ? Double(kernel.eventsProcessed) / wallSeconds : 0
        print("Wall time \(String(format: "%.2f", wallSeconds)) s, \(String(format: "%.0f", eps)) events/s")
        if let path = summaryJson {
            try report.writeJSON(to: path, extra: ["mode": "simulated", "seed": NSNumber(value: spec.seed), "wall_seconds": wallSeconds,
                                                  "events_per_second": eps, "version": wsTesterVersion,
                                                  "recording": record ?? NSNull()])
        }
    }

    private func printBanner(spec: SessionSpec, cfg: AppConfig, notes: [String]) {
        let rule = String(repeating: "=", count: 60)
        print(rule)
        print("ws-tester \(wsTesterVersion) — WebSocket Paper Trading Tester")
        print("Mode: Simulated (seed \(spec.seed), speed \(cfg.speed.map { "\($0)x" } ?? "max"))")
        print("Symbols: \(spec.symbols.map(\.text).joined(separator: ", "))")
        print("Strategies: " + spec.strategies.map { "\($0.name) (\($0.symbols.map(\.text).joined(separator: ", ")))" }.joined(separator: ", "))
        print("Starting capital: \(spec.exchange.startingCapital.formatted(decimals: 2)) USD per strategy")
        let assets = spec.exchange.startingAssets.filter { $0.value.isPositive }.sorted { $0.key < $1.key }
        if !assets.isEmpty { print("Starting assets: " + assets.map { "\($0.value) \($0.key)" }.joined(separator: ", ")) }
        print("Duration: \(cfg.durationMinutes == 0 ? "until stopped" : "\(cfg.durationMinutes) min") (engine clock), interval \(spec.intervalMs) ms")
        print("Fill model: \(spec.exchange.fillModel.rawValue), fee \(spec.exchange.feeRate), slippage \(spec.exchange.slippageRate)")
        if cfg.dashboardEnabled && !noDashboard { print("Dashboard: not in this build yet (use --no-dashboard to silence)") }
        if let r = record { print("Recording to \(r)") }
        for n in notes { print("note: \(n)") }
        print(rule)
        print("Press Ctrl+C to stop")
        flushOutput()
    }
}

/// Loads the YAML file: an explicit path must exist; the default ./config.yaml is optional.
func loadConfig(explicit: String?) throws -> AppConfig {
    var cfg = AppConfig()
    let path = explicit ?? "config.yaml"
    guard FileManager.default.fileExists(atPath: path) else {
        if explicit != nil { throw ConfigError("config file not found: \(path)") }
        return cfg
    }
    guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("cannot read config file \(path)") }
    do {
        try ConfigLoader.load(yaml: String(decoding: data, as: UTF8.self), into: &cfg)
    } catch let e as ConfigError {
        throw ConfigError("\(path): \(e.message)")
    }
    return cfg
}
