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

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Run strategies over history through the same kernel as live sessions.",
        discussion: """
        Two sources:
          --bars FILE.csv --symbol SYM   OHLCV bars (timestamp,open,high,low,close,volume; Unix s, ms, µs or ns, or
                                         ISO-8601). Orders decided at a bar's close fill at the next bar's open; each
                                         bar is judged over its range (open, adverse extreme, favourable extreme).
                                         Repeat the pair for several symbols. A pair quoted in another asset (XRP/BTC)
                                         is valued with that asset's USD series if given (--bars btc.csv --symbol
                                         BTC/USD, data only); without one, accounts are kept in that asset (BTC).
          --events FILE                  a recording made with `run --record FILE`; replays every strategy of the
                                         recording (or --strategies) with the recorded configuration, and gives
                                         the same fills_sha256 as the recorded session.
        Malformed CSV rows are skipped, counted and reported with their line numbers.
        """)

    @Option(help: "OHLCV CSV file (repeatable; paired in order with --symbol).") var bars: [String] = []
    @Option(help: "Symbol of each --bars file, e.g. BTC/USD (repeatable).") var symbol: [String] = []
    @Option(help: "Comma-separated pairs strategies trade (default: every --symbol except those that only value a quote currency).") var symbols: String?
    @Option(help: "Timeframe of the bars (1m, 5m, 15m, 30m, 1h, 4h, 12h, 1d, 1w); default: the file's most common spacing.") var timeframe: String?
    @Option(help: "A recording made with `run --record`.") var events: String?
    @Option(help: "One strategy to run.") var strategy: String?
    @Option(help: "Comma-separated strategies to run.") var strategies: String?
    @Option(name: [.customLong("param"), .customLong("set")], help: "Override a parameter: key=value or strategy.key=value (repeatable).") var params: [String] = []
    @Option(help: "YAML configuration file (execution defaults, overrides).") var config: String?
    @Option(help: "Starting capital per strategy in the account currency (general.starting_capital).") var capital: String?
    @Option(help: "Taker fee rate (execution.taker_fee_rate, alias execution.fee_rate; default 0.004).") var feeRate: String?
    @Option(help: "Maker fee rate, for resting orders' fills (execution.maker_fee_rate, default 0.0025).") var makerFeeRate: String?
    @Option(help: "Milliseconds from a decision to the matching engine in an event replay (execution.latency_ms).") var latencyMs: String?
    @Option(help: "Slippage rate (execution.slippage_rate, default 0.0005).") var slippageRate: String?
    @Option(help: "Price decimals of the symbol (inferred from the data when unknown).") var pricePrecision: Int?
    @Option(help: "Quantity (lot) decimals of the symbol (default 8 when unknown).") var qtyPrecision: Int?
    @Option(help: "Write the summary as JSON to this file.") var summaryJson: String?
    @Flag(help: "Print every fill.") var verbose = false

    func validate() throws {
        if bars.isEmpty == (events == nil) { throw ValidationError("give --bars FILE --symbol SYM (repeatable) or --events FILE, not both") }
        if bars.count != symbol.count { throw ValidationError("every --bars FILE needs its --symbol (got \(bars.count) files and \(symbol.count) symbols)") }
        for s in symbol where Symbol(s) == nil { throw ValidationError("--symbol must be BASE/QUOTE, got '\(s)'") }
        if events != nil && symbols != nil { throw ValidationError("--symbols applies to --bars; a recording keeps its own symbols") }
        if let tf = timeframe, Timeframe(text: tf) == nil { throw ValidationError("--timeframe must be one of 1m 5m 15m 30m 1h 4h 12h 1d 1w, got '\(tf)'") }
        if strategy != nil && strategies != nil { throw ValidationError("use --strategy or --strategies, not both") }
        for (name, v) in [("--price-precision", pricePrecision), ("--qty-precision", qtyPrecision)] {
            if let v, !(0...18).contains(v) { throw ValidationError("\(name) must be 0…18") }
        }
    }

    func run() throws {
        if let path = events { try runEvents(path) } else { try runBars() }
    }

    private var flagEntries: [ConfigEntry] {
        var f = FlagEntries()
        f.add("--capital", "general.starting_capital", capital)
        f.add("--fee-rate", "execution.fee_rate", feeRate)
        f.add("--maker-fee-rate", "execution.maker_fee_rate", makerFeeRate)
        f.add("--latency-ms", "execution.latency_ms", latencyMs)
        f.add("--slippage-rate", "execution.slippage_rate", slippageRate)
        return f.entries
    }

    /// The execution flags over a recorded configuration, validated by the same schema.
    private func applyExecutionFlags(_ e: inout ExchangeConfig) throws {
        let flags = try ConfigResolver.resolve([flagEntries]).config.exchange
        if capital != nil { e.startingCapital = flags.startingCapital }
        if feeRate != nil { e.feeRate = flags.feeRate }
        if makerFeeRate != nil { e.makerFeeRate = flags.makerFeeRate }
        if latencyMs != nil { e.latencyMs = flags.latencyMs }
        if slippageRate != nil { e.slippageRate = flags.slippageRate }
    }

    private func runBars() throws {
        var cfg = try resolveConfig(explicit: config, cli: flagEntries).config
        let wall = ContinuousClock()
        let t0 = wall.now
        let declared = timeframe.flatMap(Timeframe.init(text:))
        var loaded: [BarSeries] = []
        for (path, text) in zip(bars, symbol) {
            let sym = Symbol(text)!
            guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read \(path)", code: 1) }
            let series: BarSeries
            do { series = try BarCSV.load(Array(data), symbol: sym, timeframe: declared) }
            catch { throw fail("\(path): \(error.message)", code: 1) }
            report(series, path: path)
            loaded.append(series)
        }
        let tf = loaded[0].timeframe
        if let other = loaded.first(where: { $0.timeframe != tf }) {
            throw fail("the files have different timeframes (\(loaded[0].symbol) \(tf), \(other.symbol) \(other.timeframe)); resample them to one timeframe", code: 1)
        }
        let loadSeconds = seconds(wall.now - t0)
        let asked = try symbols.map { list in
            try list.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }.map {
                guard let s = Symbol($0) else { throw ConfigError("--symbols: '\($0)' is not a BASE/QUOTE symbol") }
                return s
            }
        }
        let plan: BarSessionPlan
        do { plan = try BarSessionPlan.make(pairs: loaded.map(\.symbol), asked: asked) } catch { throw fail(error.description, code: 1) }
        // Instruments: configured or built-in, else inferred from the data's text.
        var registry = InstrumentRegistry()
        for i in cfg.instruments { registry.set(i) }
        let instruments = loaded.map { series in
            let known = registry[series.symbol]
            return Instrument(symbol: series.symbol, priceDecimals: pricePrecision ?? known?.priceDecimals ?? series.priceDecimals,
                              lotDecimals: qtyPrecision ?? known?.lotDecimals ?? max(8, series.volumeDecimals))
        }
        cfg.instruments = instruments
        let names = try SessionPlanner.strategyNames(cli: strategy ?? strategies, config: cfg)
        let cliParams = try SessionPlanner.parseParams(params, strategies: names)
        let symbolPlan = SessionPlanner.SymbolPlan(session: loaded.map(\.symbol).sorted(), traded: plan.traded, dataOnly: plan.dataOnly)
        let specs = try SessionPlanner.strategySpecs(names: names, plan: symbolPlan, config: cfg, cliParams: cliParams)
        var exchange = cfg.exchange
        exchange.startingAssets = cfg.startingAssets
        var engine = EngineConfig()
        engine.regime = cfg.regime
        engine.routerOverrides = cfg.routerOverrides
        engine.nextBarOpenFills = true
        engine.maxStrategyErrors = cfg.maxStrategyErrors
        engine.closePositionsOnShutdown = cfg.closePositionsOnShutdown
        var market = cfg.market
        market.candleCloseGrace = .seconds(0)
        market.accountCurrency = plan.account
        // Build only the bar timeframe plus what strategies declare (SessionBuilder adds warm-ups).
        market.timeframes = [tf]
        let start = loaded.map { $0.candles[0].start }.min()!
        var spec = SessionSpec(symbols: symbolPlan.session, instruments: instruments, strategies: specs, exchange: exchange, engine: engine,
                               market: market, seed: cfg.seed, intervalMs: Int64(tf.minutes) * 60_000, start: start, barTimeframe: tf)
        spec.regimeSymbols = SessionBuilder.regimeOrder(spec, preferred: symbol.compactMap(Symbol.init))
        let kernel: Kernel
        do { kernel = try SessionBuilder.makeKernel(spec) } catch let e as SessionError { throw fail(e.description, code: e.exitCode) }
        let hasher = FillHasher()
        kernel.addObserver(hasher)
        // Warnings (an unpriced starting asset) always reach stderr; fills only with --verbose.
        kernel.addObserver(Console(level: verbose ? "info" : "warning"))
        if !plan.account.isUSD && capital == nil && cfg.exchange.startingCapital == Money(100) {
            FileHandle.standardError.write(Data("note: accounts are in \(plan.account); the starting capital is 100 \(plan.account) (give --capital in \(plan.account))\n".utf8))
        }
        let t1 = wall.now
        let n = BarReplayDriver.run(loaded, kernel: kernel)
        kernel.stop()
        let runSeconds = seconds(wall.now - t1)
        let result = SessionReport(kernel: kernel, hasher: hasher, start: start, accountCurrency: plan.account.code)
        let inferred = loaded[0].timeframeInferred ? " (inferred from the data's spacing)" : ""
        var mode = "Bars \(plan.traded.map(\.text).joined(separator: ", ")) \(tf)\(inferred), next-bar-open fills"
        if !plan.dataOnly.isEmpty { mode += "; \(plan.dataOnly.map(\.text).joined(separator: ", ")) values a quote only" }
        if !plan.account.isUSD { mode += "\nAccount currency: \(plan.account) (capital, P&L and equity in \(plan.account): no \(plan.account)/USD series given)" }
        print(result.text(title: "BACKTEST COMPLETE", mode: mode))
        let rejected = loaded.reduce(0) { $0 + $1.rowsRejected }
        print("Bars \(n) (rejected rows \(rejected)); load \(fmt3(loadSeconds)) s, run \(fmt3(runSeconds)) s, \(String(format: "%.0f", Double(n) / max(runSeconds, 1e-9))) bars/s")
        if let path = summaryJson {
            try result.writeJSON(to: path, extra: [
                "mode": "bars", "symbol": plan.traded[0].text, "symbols": plan.traded.map(\.text), "data_only": plan.dataOnly.map(\.text),
                "timeframe": tf.description, "timeframe_inferred": loaded[0].timeframeInferred, "bars": n, "rows_rejected": rejected,
                "row_errors": loaded.flatMap { s in s.errors.map { "\(s.symbol) \($0)" } }, "load_seconds": loadSeconds, "run_seconds": runSeconds,
                "bars_per_second": Double(n) / max(runSeconds, 1e-9), "price_decimals": instruments[0].priceDecimals,
                "lot_decimals": instruments[0].lotDecimals, "version": wsTesterVersion,
            ])
        }
    }

    /// Rejected rows, off-grid bars and a declared timeframe shorter than the data's spacing, on stderr.
    private func report(_ series: BarSeries, path: String) {
        let tf = series.timeframe
        if series.rowsRejected > 0 {
            FileHandle.standardError.write(Data("warning: \(path): \(series.rowsRejected) of \(series.rows) CSV row(s) rejected:\n".utf8))
            for e in series.errors { FileHandle.standardError.write(Data("  \(path): \(e)\n".utf8)) }
        }
        if series.unalignedRows > 0 {
            FileHandle.standardError.write(Data("note: \(path): \(series.unalignedRows) bar(s) start off the \(tf) grid; kept as given\n".utf8))
        }
        if !series.timeframeInferred, case .success(let spacing) = BarCSV.inferTimeframe(series), spacing > tf {
            FileHandle.standardError.write(Data("warning: \(path): the bars are \(spacing) apart but --timeframe says \(tf); each bar is treated as \(tf) with gaps between\n".utf8))
        }
    }

    private func runEvents(_ path: String) throws {
        let replay: EventReplay
        do { replay = try EventReplay(path: path) } catch let e as SessionError { throw fail(e.description, code: 1) }
        var spec = replay.spec
        if let sel = strategy ?? strategies {
            let names = sel.split(separator: ",").map { String($0).trimmingSpaces() }
            for n in names where !spec.strategies.contains(where: { $0.name == n }) {
                throw fail("strategy '\(n)' is not in the recording (it has: \(spec.strategies.map(\.name).joined(separator: ", ")))", code: 3)
            }
            spec.strategies = spec.strategies.filter { names.contains($0.name) }
        }
        if !params.isEmpty {
            let cli = try SessionPlanner.parseParams(params, strategies: spec.strategies.map(\.name))
            for i in spec.strategies.indices {
                var st = spec.strategies[i]
                try SessionPlanner.applyParams(cli[st.name] ?? [:], global: &st.parameters, perSymbol: &st.symbolParameters)
                spec.strategies[i] = st
            }
            FileHandle.standardError.write(Data("note: parameters differ from the recording; fills will differ from the recorded session\n".utf8))
        }
        try applyExecutionFlags(&spec.exchange)
        let kernel: Kernel
        do { kernel = try SessionBuilder.makeKernel(spec) } catch let e as SessionError { throw fail(e.description, code: e.exitCode) }
        let hasher = FillHasher()
        kernel.addObserver(hasher)
        kernel.addObserver(Console(level: verbose ? "info" : "warning"))
        let wall = ContinuousClock()
        let t1 = wall.now
        while let e = replay.next() { kernel.handle(e) }
        kernel.stop()
        let runSeconds = seconds(wall.now - t1)
        if replay.badLines > 0 {
            FileHandle.standardError.write(Data("warning: \(replay.badLines) bad line(s) skipped:\n".utf8))
            for m in replay.firstErrors { FileHandle.standardError.write(Data("  \(path): \(m)\n".utf8)) }
        }
        let report = SessionReport(kernel: kernel, hasher: hasher, start: spec.start, accountCurrency: spec.market.accountCurrency.code)
        print(report.text(title: "REPLAY COMPLETE", mode: "Event replay of \(path)"))
        print("Events \(kernel.eventsProcessed); run \(fmt3(runSeconds)) s")
        if let out = summaryJson {
            try report.writeJSON(to: out, extra: ["mode": "events", "recording": path, "bad_lines": replay.badLines,
                                                  "run_seconds": runSeconds, "version": wsTesterVersion])
        }
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func fmt3(_ v: Double) -> String { String(format: "%.3f", v) }
