import ArgumentParser
import Foundation
import Regime
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
import Strategies
import Backtest
import AppConfiguration

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a paper-trading session (simulated with --simulated; live Kraken otherwise).",
        discussion: """
        Every strategy trades its own isolated paper portfolio. --duration counts engine-clock minutes, so with \
        --speed max a 24-hour simulated session runs as fast as the CPU allows. A fixed --seed and configuration \
        reproduce the same fills bit for bit (compare fills_sha256).
        """)

    @OptionGroup var options: RunOptions
    @Option(help: "Record every consumed event to this JSONL file (replay with `backtest --events`).") var record: String?
    @Option(help: "Write the session summary as JSON to this file.") var summaryJson: String?
    @Flag(help: "Check every decision and fill for look-ahead (the visibility audit); report it, and exit 1 on a violation (simulated sessions).")
    var audit = false

    func run() throws {
        let (resolved, names) = try options.resolve()
        let cfg = resolved.config
        let isSimulated = cfg.dataSource == "simulated"
        let plan = try SessionPlanner.symbols(cli: nil, config: cfg, strategies: names)
        let sessionSymbols = plan.session
        if isSimulated, let problem = SimulatedMarket.unsupported(sessionSymbols) { throw ConfigError(problem) }
        var notes: [String] = []
        if !plan.dataOnly.isEmpty {
            notes.append("\(plan.dataOnly.map(\.text).joined(separator: ", ")) only value\(plan.dataOnly.count == 1 ? "s" : "") a quote currency (data only, not traded)")
        }
        let specs = try SessionPlanner.strategySpecs(names: names, plan: plan, config: cfg, cliParams: [:])
        var engine = EngineConfig()
        engine.regime = cfg.regime
        engine.routerOverrides = cfg.routerOverrides
        engine.maxStrategyErrors = cfg.maxStrategyErrors
        engine.closePositionsOnShutdown = cfg.closePositionsOnShutdown
        var exchange = cfg.exchange
        exchange.startingAssets = cfg.startingAssets
        notes += SessionPlanner.feeNotes(specs, exchange: exchange)
        var spec = SessionSpec(symbols: sessionSymbols, instruments: try SessionPlanner.instruments(for: sessionSymbols, config: cfg),
                               strategies: specs, exchange: exchange, engine: engine, market: cfg.market, seed: cfg.seed,
                               intervalMs: cfg.intervalMs, start: cfg.simulationStart)
        // The detector reads the pairs in the order configured (`symbols`), else each strategy's own in name order.
        spec.regimeSymbols = SessionBuilder.regimeOrder(spec, preferred: cfg.symbols.isEmpty
            ? specs.flatMap { s in (StrategyRegistry.type(named: s.name)?.defaultSymbols ?? []) + s.symbols } : cfg.symbols)
        if !isSimulated {
            let live = LiveRun(spec: spec, cfg: cfg, notes: notes, record: record, summaryJson: summaryJson,
                               banner: { spec, mode, notes in printBanner(spec: spec, cfg: cfg, mode: mode, notes: notes) })
            switch try live.run() {
            case .done: return
            case .fallBack(let why):
                if let problem = SimulatedMarket.unsupported(sessionSymbols) { throw fail("\(why); the simulator cannot stand in: \(problem)", code: 2) }
                let bar = String(repeating: "!", count: 60)
                FileHandle.standardError.write(Data("\(bar)\n!! LIVE FEED UNAVAILABLE: \(why)\n!! data.fallback_to_simulated is true: THIS SESSION RUNS ON THE SIMULATOR, NOT ON KRAKEN.\n\(bar)\n".utf8))
                notes.append("FALLBACK: the live feed could not start (\(why)); this session is SIMULATED")
            }
        }
        let kernel: Kernel
        do { kernel = try SessionBuilder.makeKernel(spec) } catch let e as SessionError { throw fail(e.description, code: e.exitCode) }
        let hasher = FillHasher()
        kernel.addObserver(hasher)
        let visibility = audit ? kernel.enableVisibilityAudit() : nil
        let driver = SimulationDriver(kernel: kernel, spec: spec)
        if let path = record { driver.recorder = try EventRecorder(path: path, spec: spec) }
        let console = Console(level: cfg.logLevel)
        kernel.addObserver(console)

        // External sentiment is fetched in live sessions only (decision 44): a simulated market with real-world
        // sentiment would be neither meaningful nor reproducible from its seed, so here it stays unknown. The live
        // feed runs `SentimentFeed` and records each reading as a `sentiment` event.
        if kernel.regimeActive {
            notes.append("regime detector on (read by \(kernel.runners.filter(\.readsRegime).map(\.name).joined(separator: ", "))); external sentiment is unknown in simulated sessions")
        }
        for w in cfg.regime.warnings where kernel.regimeActive { notes.append(w) }
        printBanner(spec: spec, cfg: cfg, mode: "Simulated (seed \(spec.seed), speed \(cfg.speed.map { "\($0)x" } ?? "max"))", notes: notes)
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
        var extra: [String: Any] = ["mode": isSimulated ? "simulated" : "simulated_fallback", "seed": NSNumber(value: spec.seed), "wall_seconds": wallSeconds,
                                    "events_per_second": eps, "version": wsTesterVersion, "recording": record ?? NSNull()]
        if let v = visibility {
            print("Visibility audit: \(v.decisionsChecked) decisions and \(v.fillsChecked) fills checked, \(v.violations.count) violations")
            for line in v.violations.prefix(5) { print("  \(line)") }
            extra["audit"] = ["decisions_checked": v.decisionsChecked, "fills_checked": v.fillsChecked, "violations": v.violations.count,
                              "first_violations": Array(v.violations.prefix(5))] as [String: Any]
        }
        if let path = summaryJson { try report.writeJSON(to: path, extra: extra) }
        if let v = visibility, !v.violations.isEmpty { throw fail("the visibility audit found \(v.violations.count) look-ahead violations", code: 1) }
    }

    private func printBanner(spec: SessionSpec, cfg: AppConfig, mode: String, notes: [String]) {
        let rule = String(repeating: "=", count: 60)
        print(rule)
        print("ws-tester \(wsTesterVersion) — WebSocket Paper Trading Tester")
        print("Mode: \(mode)")
        print("Symbols: \(spec.symbols.map(\.text).joined(separator: ", "))")
        print("Strategies: " + spec.strategies.map { "\($0.name) (\($0.symbols.map(\.text).joined(separator: ", ")))" }.joined(separator: ", "))
        print("Starting capital: \(spec.exchange.startingCapital.formatted(decimals: 2)) USD per strategy")
        let assets = spec.exchange.startingAssets.filter { $0.value.isPositive }.sorted { $0.key < $1.key }
        if !assets.isEmpty { print("Starting assets: " + assets.map { "\($0.value) \($0.key)" }.joined(separator: ", ")) }
        print("Duration: \(cfg.durationMinutes == 0 ? "until stopped" : "\(cfg.durationMinutes) min") (engine clock), interval \(spec.intervalMs) ms")
        print("Fill model: \(spec.exchange.fillModel.rawValue), fees maker \(spec.exchange.makerFeeRate) / taker \(spec.exchange.takerFeeRate), slippage \(spec.exchange.slippageRate)"
              + (spec.exchange.latencyMs > 0 ? ", order latency \(spec.exchange.latencyMs) ms" : ""))
        if cfg.dashboardEnabled { print("Dashboard: not in this build yet (use --no-dashboard to silence)") }
        if let r = record { print("Recording to \(r)") }
        for n in notes { print("note: \(n)") }
        print(rule)
        print("Press Ctrl+C to stop")
        flushOutput()
    }
}

