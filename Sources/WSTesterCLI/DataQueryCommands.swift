import ArgumentParser
import Foundation
import TradingCore
import History

/// `data candles SYMBOL --timeframe TF --from T --to T [--csv|--json]`.
struct DataCandlesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "candles", abstract: "Print stored candles of one symbol at any timeframe.",
        discussion: "The range is half-open [--from, --to). Only complete buckets unless --include-incomplete. CSV columns: timestamp,open,high,low,close,volume,trades,vwap.")
    @OptionGroup var history: HistoryOptions
    @Argument(help: "Symbol, e.g. BTC/USD.") var symbol: String
    @Option(help: "1m, 5m, 15m, 30m, 1h, 4h, 12h, 1d, 1w.") var timeframe = "1m"
    @Option(help: "Start (inclusive), ISO-8601 UTC.") var from: String
    @Option(help: "End (exclusive), ISO-8601 UTC.") var to: String
    @Flag(help: "CSV (the default).") var csv = false
    @Flag(help: "JSON.") var json = false
    @Flag(help: "Also buckets that are in progress or have uncovered minutes.") var includeIncomplete = false

    func run() throws {
        let sym = try parseSymbol(symbol), tf = try parseTimeframe(timeframe)
        let span = TimeSpan(try parseTime(from, "--from"), try parseTime(to, "--to"))
        guard !span.isEmpty else { throw fail("--to must be after --from", code: 1) }
        let incomplete = includeIncomplete
        let rows = try history.withStore { store, _ in
            let p = HistoryProvider(clock: LiveRun.wallNow, open: { store })
            try await p.connect()
            return try await p.candles(sym, interval: tf.minutes, range: span, includeIncomplete: incomplete)
        }
        if json {
            print(try jsonText(["symbol": sym.text, "timeframe": tf.description, "candles": rows.map { c -> [String: Any] in
                var d: [String: Any] = ["timestamp": c.start.iso8601, "open": c.open.description, "high": c.high.description, "low": c.low.description,
                                        "close": c.close.description, "volume": c.volume.description, "trades": c.tradeCount, "complete": c.isComplete]
                d["vwap"] = c.vwap?.description ?? NSNull()
                return d
            }]))
        } else {
            var out = "timestamp,open,high,low,close,volume,trades,vwap\n"
            for c in rows {
                out += "\(c.start.iso8601),\(c.open),\(c.high),\(c.low),\(c.close),\(c.volume),\(c.tradeCount),\(c.vwap?.description ?? "")\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}

/// `data gaps [SYMBOL] [--timeframe TF | --trades] [--json]`.
struct DataGapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gaps", abstract: "List holes in stored history, in the middle and at the tail.",
        discussion: "A minute is covered by a stored candle or by a range its source proved complete (Kraken omits minutes without trades). A higher --timeframe widens the holes to its buckets. --trades lists the spans whose trades no source proved complete (a trade file, or the Trades endpoint paged without a break), from the first proven span on.")
    @OptionGroup var history: HistoryOptions
    @Argument(help: "Symbol (default: every stored symbol).") var symbol: String?
    @Option(help: "1m, 5m, … 1w.") var timeframe = "1m"
    @Flag(help: "Holes in trade coverage instead of candle coverage.") var trades = false
    @Flag(help: "JSON.") var json = false

    func run() throws {
        let tf = try parseTimeframe(timeframe)
        let trades = self.trades
        let only = try symbol.map(parseSymbol)
        let gaps = try history.withStore { store, config in
            var d = GapDetector(store: store, now: LiveRun.wallNow())
            d.minGapMinutes = config.history.minGapMinutes
            d.initialBackfillDays = config.history.initialBackfillDays
            var out: [DataGap] = []
            let list: [Symbol]
            if let o = only { list = [o] } else { list = try await store.symbols() }
            for s in list { out += trades ? try await d.tradeGaps(s) : try await d.gaps(s, timeframe: tf) }
            return out
        }
        if json {
            // Decision 34: each gap names its symbol, timeframe, start and end (the top-level timeframe stays for scripts).
            let timeframe = trades ? "trades" : tf.description
            print(try jsonText(["timeframe": timeframe, "gaps": gaps.map {
                ["symbol": $0.symbol.text, "timeframe": timeframe, "data_type": $0.dataType, "start": $0.start.iso8601, "end": $0.end.iso8601,
                 "minutes": $0.candlesNeeded] as [String: Any]
            }]))
        } else {
            if gaps.isEmpty { print("no gaps") }
            for g in gaps { print("\(g.symbol) \(g.start.iso8601) → \(g.end.iso8601) (\(g.candlesNeeded) min)") }
        }
    }
}

/// `data stats [SYMBOL] [--json]`.
struct DataStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Per symbol: trade rows, first and last time, candle rows and coverage per timeframe.")
    @OptionGroup var history: HistoryOptions
    @Argument(help: "Symbol (default: every stored symbol).") var symbol: String?
    @Flag(help: "JSON: {\"symbols\": {\"BTC/USD\": {\"trades\": N, \"first\": T, \"last\": T, \"candles\": {\"1m\": N, …}}}}.") var json = false

    func run() throws {
        let only = try symbol.map(parseSymbol)
        let result = try history.withStore { store, _ in
            try await RollupRefresher(store: store, now: LiveRun.wallNow()).refreshPending(only: only)
            var out: [SymbolStats] = []
            let list: [Symbol]
            if let o = only { list = [o] } else { list = try await store.symbols() }
            var missing: [Symbol: Int64] = [:]
            for s in list {
                let st = try await store.stats(s)
                out.append(st)
                // Minutes inside the data's span that are neither a candle nor proven empty (the 1m gaps).
                if let a = st.first, let b = st.last, b >= a {
                    let span = TimeSpan(Timeframe.m1.bucket(a), Timeframe.m1.bucket(b) + .minutes(1))
                    missing[s] = try await GapDetector(store: store, now: LiveRun.wallNow()).gaps(s, timeframe: .m1, within: span)
                        .reduce(0) { $0 + $1.candlesNeeded }
                }
            }
            return (out, missing)
        }
        let (stats, missing) = result
        let tfs = Timeframe.allCases
        // Coverage of the buckets the data spans (first to last): 1m, the minutes with a candle or proven empty;
        // rollups, their complete buckets (a bucket is complete when all its minutes are covered). Nil without data.
        func coverage(_ s: SymbolStats, _ tf: Timeframe) -> Double? {
            guard let a = s.first, let b = s.last, b >= a else { return nil }
            let spanned = (tf.bucket(b) - tf.bucket(a)).nanoseconds / tf.interval.nanoseconds + 1
            let covered = tf == .m1 ? spanned - (missing[s.symbol] ?? 0) : Int64(s.completeCandles[tf] ?? 0)
            return (Double(covered) / Double(spanned) * 10_000).rounded() / 10_000
        }
        if json {
            var symbols: [String: Any] = [:]
            for s in stats {
                symbols[s.symbol.text] = ["trades": s.trades, "first": s.first?.iso8601 ?? NSNull(), "last": s.last?.iso8601 ?? NSNull(),
                                          "candles": Dictionary(uniqueKeysWithValues: tfs.map { ($0.description, s.candles[$0] ?? 0) }),
                                          "complete_candles": Dictionary(uniqueKeysWithValues: tfs.map { ($0.description, s.completeCandles[$0] ?? 0) }),
                                          "coverage": Dictionary(uniqueKeysWithValues: tfs.map { tf in (tf.description, coverage(s, tf).map { $0 as Any } ?? NSNull()) }),
                                          "csv_trades": s.csvTradeSpan.map { ["from": $0.start.iso8601, "to": $0.end.iso8601] } ?? NSNull()] as [String: Any]
            }
            print(try jsonText(["symbols": symbols]))
        } else {
            if stats.isEmpty { print("the store is empty") }
            for s in stats {
                print("\(s.symbol): \(s.trades) trades, \(s.first?.iso8601 ?? "-") → \(s.last?.iso8601 ?? "-")")
                print("  candles: " + tfs.map { "\($0) \(s.candles[$0] ?? 0)" }.joined(separator: ", "))
                print("  coverage (complete buckets of those spanned): " + tfs.map { tf in
                    "\(tf) " + (coverage(s, tf).map { String(format: "%.1f%%", $0 * 100) } ?? "-")
                }.joined(separator: ", "))
                if let c = s.csvTradeSpan { print("  trades without taker side (CSV): \(c)") }
            }
        }
    }
}

/// `data schema`.
struct DataSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Show the store, its schema version and tables.")
    @OptionGroup var history: HistoryOptions
    func run() throws {
        let (kind, version, tables) = try history.withStore { store, _ in (store.kind, try await store.schemaVersion(), try await store.tableNames()) }
        print("store: \(kind)\nschema version: \(version)\ntables: \(tables.joined(separator: ", "))")
    }
}

/// `data prune --before T`.
struct DataPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Delete trades and 1m candles before a time; rollups are kept.",
        discussion: "The cut is moved back to a Monday 00:00 UTC so no rollup bucket is split, and pending rollup work is finished first: the rollups keep the history the base loses (history.md §5.4).")
    @OptionGroup var history: HistoryOptions
    @Option(help: "ISO-8601 UTC.") var before: String
    func run() throws {
        let cut = Buckets.floor(try parseTime(before, "--before"), minutes: Timeframe.w1.minutes)
        // The running week's 1m candles are what its rollup buckets are still built from: never prune into it.
        let thisWeek = Buckets.floor(LiveRun.wallNow(), minutes: Timeframe.w1.minutes)
        guard cut <= thisWeek else {
            throw fail("--before \(before): the cut (\(cut.iso8601)) is after the start of the current week (\(thisWeek.iso8601)), whose rollups still need their 1m candles; nothing was deleted", code: 1)
        }
        let (t, c) = try history.withStore { store, _ in
            try await RollupRefresher(store: store, now: LiveRun.wallNow()).refreshPending()
            return try await store.prune(before: cut)
        }
        print("pruned before \(cut.iso8601): \(t) trades, \(c) 1m candles; rollups kept")
    }
}

/// `data rollups refresh`.
struct DataRollupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollups", abstract: "Rollup maintenance.", subcommands: [Refresh.self])

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Finish pending rollup work, or rebuild a symbol's rollups over a range.")
        @OptionGroup var history: HistoryOptions
        @Argument(help: "Symbol to rebuild (default: only the pending work).") var symbol: String?
        @Option(help: "Start of the rebuild, ISO-8601 UTC.") var from: String?
        @Option(help: "End of the rebuild, ISO-8601 UTC.") var to: String?
        func run() throws {
            let sym = try symbol.map(parseSymbol)
            let span = TimeSpan(try from.map { try parseTime($0, "--from") } ?? Timestamp(seconds: 1_262_304_000),
                                try to.map { try parseTime($0, "--to") } ?? Timestamp(seconds: 7_000_000_000))
            let r = try history.withStore { store, _ in
                let rf = RollupRefresher(store: store, now: LiveRun.wallNow())
                var r = try await rf.refreshPending()
                if let s = sym {
                    let ext = try await store.extent(s)
                    if let a = ext.firstCandle, let b = ext.lastCandle, let clip = span.intersection(TimeSpan(a, b + .minutes(1))) {
                        let x = try await rf.refresh(s, spans: [clip])
                        r.baseRows += x.baseRows; r.rollupRows += x.rollupRows
                    }
                }
                return r
            }
            print("rollups: \(r.rollupRows) rows rebuilt from \(r.baseRows) 1m rows")
        }
    }
}
