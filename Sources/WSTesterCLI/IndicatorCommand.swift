import ArgumentParser
import Foundation
import TradingCore
import Indicators
import Backtest

struct IndicatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicator",
        abstract: "Compute an indicator over a bar CSV and print it as CSV (for checking indicators on your own data).",
        discussion: """
        Prints a header `timestamp,<outputs>` and one row per input bar; cells are empty while the indicator is not \
        ready (its first value is at TA-Lib's lookback). Parameters use TA-Lib's names:
          ws-tester indicator macd --input bars.csv --param fast=12 --param slow=26 --param signal=9
          ws-tester indicator bollinger --input bars.csv --param period=20 --param stddev=2
          ws-tester indicator correlation --input xrp.csv --against btc.csv --param period=20
        `ws-tester indicator --list` shows every indicator with its parameters and outputs.
        """)

    @Argument(help: "Indicator name (see --list).") var name: String?
    @Option(help: "Bar CSV (timestamp,open,high,low,close,volume; the same format as backtest --bars).") var input: String?
    @Option(name: .customLong("param"), help: "key=value, repeatable (e.g. period=14).") var params: [String] = []
    @Option(help: "Bar timeframe (1m, 5m, 15m, 1h, 4h, 1d, …); default: inferred from the spacing.") var timeframe: String?
    @Option(help: "Second bar CSV for correlation, aligned on timestamps.") var against: String?
    @Flag(help: "List every indicator with its parameters and outputs.") var list = false

    func run() throws {
        if list { printList(); return }
        guard let name else { throw fail("name an indicator (ws-tester indicator --list shows them)", code: 1) }
        guard let entry = IndicatorCatalog.entry(name) else {
            throw fail("unknown indicator '\(name.prefix(40))' (available: \(IndicatorCatalog.entries.map(\.name).joined(separator: ", ")))", code: 1)
        }
        guard let input else { throw fail("--input BARS.csv is required", code: 1) }
        var given: [String: String] = [:]
        for p in params {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw fail("--param expects key=value, got '\(p.prefix(40))'", code: 1) }
            let k = String(p[..<eq]), v = String(p[p.index(after: eq)...])
            guard given[k] == nil else { throw fail("--param \(k) given twice", code: 1) }
            given[k] = v
        }
        let values: IndicatorCatalog.Values
        do { values = try IndicatorCatalog.values(entry, given) } catch { throw fail(error.description, code: 1) }
        var declared: Timeframe?
        if let timeframe {
            guard let tf = Timeframe(text: timeframe) else { throw fail("--timeframe: '\(timeframe.prefix(20))' is not one of \(Timeframe.allCases.map(\.description).joined(separator: ", "))", code: 1) }
            declared = tf
        }
        let series = try load(input, declared)
        if entry.needsPartner && against == nil { throw fail("\(entry.name) needs a second series: --against OTHER.csv", code: 1) }
        var partner: [Double?] = []
        if let against {
            guard entry.needsPartner else { throw fail("--against is only for correlation", code: 1) }
            let other = try load(against, declared)
            let byTime = Dictionary(other.candles.map { ($0.start, $0.close.doubleValue) }, uniquingKeysWith: { a, _ in a })
            partner = series.candles.map { byTime[$0.start] }
            let matched = partner.compactMap { $0 }.count
            if matched < series.candles.count {
                FileHandle.standardError.write(Data("note: \(series.candles.count - matched) bar(s) of \(input) have no bar at the same time in \(against); their rows are empty\n".utf8))
            }
        }
        let bars = series.candles.map {
            IndicatorCatalog.Bar(high: $0.high.doubleValue, low: $0.low.doubleValue, close: $0.close.doubleValue, volume: $0.volume.doubleValue)
        }
        let rows = IndicatorCatalog.compute(entry, bars: bars, partner: partner, values: values)
        var out = "timestamp," + entry.outputs.joined(separator: ",") + "\n"
        out.reserveCapacity(rows.count * 40)
        for (c, row) in zip(series.candles, rows) {
            out += c.start.iso8601
            for v in row { out += ","; if let v { out += "\(v)" } }
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    private func load(_ path: String, _ declared: Timeframe?) throws -> BarSeries {
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read \(path)", code: 1) }
        let series: BarSeries
        // The symbol only names the series here; indicators do not depend on it.
        do { series = try BarCSV.load(Array(data), symbol: Symbol("BAR/USD")!, timeframe: declared) }
        catch { throw fail("\(path): \(error.message)", code: 1) }
        if series.rowsRejected > 0 {
            FileHandle.standardError.write(Data("warning: \(path): \(series.rowsRejected) of \(series.rows) CSV row(s) rejected:\n".utf8))
            for e in series.errors { FileHandle.standardError.write(Data("  \(path): \(e)\n".utf8)) }
        }
        return series
    }

    private func printList() {
        for e in IndicatorCatalog.entries {
            print("\(e.name) — \(e.summary)")
            print("  outputs: \(e.outputs.joined(separator: ", "))\(e.needsPartner ? "   (needs --against)" : "")")
            for p in e.parameters {
                let range: String = switch p.kind {
                case .int(let r): "\(r.lowerBound)…\(r.upperBound)"
                case .double(let r): "\(r.lowerBound)…\(r.upperBound)"
                case .choice(let c): c.joined(separator: " | ")
                }
                print("  --param \(p.name)=\(p.defaultValue)    \(p.help) (\(range))")
            }
        }
        print("Library only (they read books or trades, not bars): " + IndicatorCatalog.libraryOnly.joined(separator: "; "))
    }
}
