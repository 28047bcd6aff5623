import ArgumentParser
import Foundation
import TradingCore
import History

/// `ws-tester data import FILES...|DIR`: Kraken's OHLCVT and trade-history files, plain or zipped.
struct DataImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import Kraken OHLCVT files (PAIR_INTERVAL.csv, 7 columns) and trade files (PAIR.csv, 3 columns), plain or in ZIPs.",
        discussion: """
        A directory imports its .csv and .zip files. Pair codes map to symbols (XBT is BTC). Only 1-minute OHLCVT files \
        go to the store unless --all (other intervals then go to candles_native, never into the rollups). Bad rows are \
        reported with file and line and counted; good rows are kept; a file with more than 50% bad rows is aborted. A file \
        already imported (same SHA-256) is skipped unless --force. Rollups are refreshed where the rows landed. Exit 0 when \
        every file imported or was skipped, 1 when one failed.
        """)

    @OptionGroup var history: HistoryOptions
    @Argument(help: "Files or directories.") var paths: [String]
    @Flag(help: "Also import OHLCVT files of intervals above 1 minute (into candles_native).") var all = false
    @Flag(help: "Import files even when import_log holds their SHA-256.") var force = false
    @Option(help: "Rows per transaction (at most 10,000).") var batchSize = 10_000
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        guard (1...10_000).contains(batchSize) else { throw fail("--batch-size must be 1…10000", code: 1) }
        let inputs: [ImportInput]
        do { inputs = try ImportInput.expand(paths) } catch let e as HistoryError { throw fail(e.description, code: 1) }
        let (all, force, batchSize, json) = (all, force, batchSize, json)
        let progress = ProgressPrinter(enabled: !json)
        let report = try history.withStore { store, config in
            var o = KrakenCSVImporter.Options()
            o.all = all; o.force = force; o.batchSize = batchSize
            o.instruments = instrumentRegistry(config)
            let started = LiveRun.wallNow()
            let r = try await KrakenCSVImporter(store: store, options: o, clock: LiveRun.wallNow, progress: { progress.show($0) }).run(inputs)
            return (r, LiveRun.wallNow() - started)
        }
        progress.finish()
        let (r, elapsed) = report
        let seconds = max(Double(elapsed.nanoseconds) / 1e9, 1e-9)
        if json {
            let files: [[String: Any]] = r.files.map { f in
                var d: [String: Any] = ["file": f.file, "kind": f.kind, "rows_read": f.rowsRead, "rows_kept": f.rowsKept,
                                        "trades_inserted": f.tradesInserted, "trades_duplicate": f.tradesDuplicate, "candles_written": f.candlesWritten,
                                        "rejected": Dictionary(uniqueKeysWithValues: f.rejected.map { ($0.key.rawValue, $0.value) }), "problems": f.problems]
                switch f.status {
                case .imported: d["status"] = "imported"
                case .skipped(let why): d["status"] = "skipped"; d["reason"] = why
                case .failed(let why): d["status"] = "failed"; d["reason"] = why
                }
                if let s = f.symbol { d["symbol"] = s.text }
                if let i = f.intervalMinutes { d["interval_minutes"] = i }
                return d
            }
            print(try jsonText(["files": files, "rows_kept": r.rowsKept, "rejected": r.rejected, "seconds": seconds,
                                "rows_per_second": Double(r.rowsKept) / seconds, "rollup_rows": r.refresh.rollupRows]))
        } else {
            for f in r.files {
                let what = [f.symbol?.text, f.intervalMinutes.map { "\($0)m" }].compactMap { $0 }.joined(separator: " ")
                switch f.status {
                case .imported:
                    print("\(f.file): \(what) \(f.kind): \(f.rowsKept) rows kept of \(f.rowsRead)"
                          + (f.kind == "trades" ? ", \(f.tradesInserted) new, \(f.tradesDuplicate) already stored" : "")
                          + ", \(f.candlesWritten) candles written" + (f.rejectedTotal > 0 ? ", \(f.rejectedTotal) rejected" : ""))
                case .skipped(let why): print("\(f.file): skipped: \(why)")
                case .failed(let why): print("\(f.file): FAILED: \(why)")
                }
                for (k, v) in f.rejected.sorted(by: { $0.key < $1.key }) { print("  \(k.rawValue): \(v)") }
                for p in f.problems { print("  \(p)") }
            }
            print(String(format: "%d rows kept, %d rejected, in %.2f s (%.0f rows/s); rollups: %d rows rebuilt", r.rowsKept, r.rejected, seconds,
                         Double(r.rowsKept) / seconds, r.refresh.rollupRows))
        }
        if r.failed > 0 { throw fail("\(r.failed) of \(r.files.count) files failed to import", code: 1) }
    }
}

/// A progress bar on a terminal (rows/s, ETA), a plain line every 5 s otherwise; stderr, so stdout stays the report.
final class ProgressPrinter: @unchecked Sendable {
    let enabled: Bool
    let tty = isatty(2) != 0
    let lock = NSLock()
    var last: Timestamp?
    let start = LiveRun.wallNow()
    var drew = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ p: ImportProgress) {
        guard enabled else { return }
        let now = LiveRun.wallNow()
        let line: String? = lock.withLock {
            let every: Interval = tty ? .milliseconds(200) : .seconds(5)
            if let l = last, now - l < every { return nil }
            last = now
            let secs = max(Double((now - start).nanoseconds) / 1e9, 1e-3)
            let frac = p.bytesTotal > 0 ? min(1, Double(p.bytesDone) / Double(p.bytesTotal)) : 0
            let eta = frac > 0 ? secs * (1 - frac) / frac : 0
            let rate = Double(p.rows) / secs
            let bar = String(repeating: "#", count: Int(frac * 30)) + String(repeating: ".", count: 30 - Int(frac * 30))
            let text = String(format: "[%@] %3.0f%%  file %d/%d  %.0f rows/s  ETA %.0f s  %@", bar, frac * 100, p.fileIndex + 1, p.fileCount, rate, eta,
                              (p.file as NSString).lastPathComponent)
            drew = true
            return text
        }
        guard let line else { return }
        FileHandle.standardError.write(Data((tty ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    func finish() {
        if enabled, tty, drew { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
