import Foundation
import Crypto
import TradingCore

/// `ws-tester data import`: Kraken's downloadable OHLCVT files and trade-history files, plain or inside Kraken's
/// ZIP archives (history.md §13, §15). Files are streamed; rows go to the store in transactions of at most
/// `batchSize`, each carrying its coverage and rollup invalidation, so a killed import leaves a consistent store and
/// a re-run completes it (trades are keyed deterministically, candles replace). A file whose SHA-256 is in
/// `import_log` is skipped unless `force`. Bad rows are counted by reason with file and line; a file with more than
/// 50 % bad rows is aborted (decision 28, replacing §15.1's 1 %) before its pending batch is written.
public final class KrakenCSVImporter {
    public struct Options: Sendable {
        public var all = false
        public var force = false
        public var batchSize = 10_000
        public var maxProblems = 20
        public var instruments = InstrumentRegistry()
        public init() {}
    }

    let store: any HistoryStore
    let options: Options
    let pairs: PairRegistry
    let clock: @Sendable () -> Timestamp
    let progress: (@Sendable (ImportProgress) -> Void)?
    /// Rows read in earlier files (the progress line counts across files).
    var rowsBefore = 0
    /// Batches being written while the next one is parsed (parsing and the store overlap), at most
    /// `store.maxBatchesInFlight`. Each carries only its own piece of coverage, so a crash between commits in any
    /// order leaves coverage that its stored rows prove.
    var inFlight: [Task<WriteOutcome, Error>] = []

    public init(store: any HistoryStore, options: Options, clock: @escaping @Sendable () -> Timestamp,
                progress: (@Sendable (ImportProgress) -> Void)? = nil) {
        self.store = store; self.options = options; self.clock = clock; self.progress = progress
        self.pairs = PairRegistry(options.instruments)
    }

    /// Imports every input, then refreshes the rollups where the writes landed.
    public func run(_ inputs: [ImportInput]) async throws -> ImportReport {
        var report = ImportReport()
        let total = inputs.reduce(UInt64(0)) { $0 + $1.size }
        var done: UInt64 = 0
        rowsBefore = 0
        for (i, input) in inputs.enumerated() {
            var r = FileImportReport(file: input.displayName)
            do {
                try await importOne(input, into: &r, index: i, count: inputs.count, bytesBefore: done, bytesTotal: total)
            } catch let e as HistoryError {
                r.status = .failed(e.description)
            } catch {
                r.status = .failed("\(error)")
            }
            done += input.size
            rowsBefore += r.rowsRead
            report.files.append(r)
        }
        report.refresh = try await RollupRefresher(store: store, now: clock()).refreshPending()
        return report
    }

    func sha256(_ input: ImportInput) async throws -> String {
        var h = SHA256()
        let pipe = input.chunks()
        while let d = try await pipe.next() { h.update(data: d) }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func importOne(_ input: ImportInput, into r: inout FileImportReport, index: Int, count: Int, bytesBefore: UInt64, bytesTotal: UInt64) async throws {
        let named = KrakenFileName.classify(input.name, pairs: pairs)
        let symbol: Symbol, interval: Int?
        switch named {
        case .skip(let why): r.status = .skipped(why); return
        case .trades(let s): symbol = s; interval = nil; r.kind = "trades"
        case .ohlcvt(let s, let i): symbol = s; interval = i; r.kind = "ohlcvt"
        }
        r.symbol = symbol; r.intervalMinutes = interval
        if let i = interval, i != 1, !options.all { r.status = .skipped("\(i)-minute candles: imported only with --all (into candles_native)"); return }
        let proposed: StorageScale
        if let stored = try await store.scale(of: symbol) { proposed = stored } else {
            guard let inst = options.instruments[symbol] else { throw HistoryError.unknownPrecision(symbol) }
            // A week's quote volume at the scale must fit the rollups' 128-bit sums (1e19 of value × 10^(p+q) < 1.7e38).
            guard inst.priceDecimals + inst.lotDecimals <= StorageScale.maxCombinedDecimals else {
                throw HistoryError.importFailed("\(symbol): price_decimals \(inst.priceDecimals) + lot_decimals \(inst.lotDecimals) exceed \(StorageScale.maxCombinedDecimals), the most the history store keeps exactly")
            }
            proposed = StorageScale(inst)
        }
        let digest = try await sha256(input)
        if !options.force, try await store.importLogged(sha256: digest) { r.status = .skipped("already imported (same SHA-256; --force imports again)"); return }
        let scale = try await store.fixScale(symbol, proposed: proposed)
        var parser = FileParser(symbol: symbol, scale: scale, interval: interval, now: clock(), file: input.displayName, maxProblems: options.maxProblems)
        let logEntry = ImportLogEntry(fileName: input.name, sha256: digest, kind: r.kind, symbol: symbol, intervalMinutes: interval, rows: 0)

        let pipe = input.chunks()
        var carry: [UInt8] = []
        var bytes: UInt64 = 0
        do {
            while let chunk = try await pipe.next() {
                bytes += UInt64(chunk.count)
                var work = carry
                work.append(contentsOf: chunk)
                var pos = 0
                while true {
                    let (next, full) = try work.withUnsafeBufferPointer { try parser.consume($0, from: pos, stopAt: options.batchSize) }
                    pos = next
                    if !full { break }
                    try await flush(&parser, &r, final: false, log: nil)
                }
                carry = Array(work[pos...])
                progress?(ImportProgress(file: input.displayName, fileIndex: index, fileCount: count, bytesDone: bytesBefore + bytes, bytesTotal: bytesTotal,
                                         rows: rowsBefore + parser.read))
            }
            if !carry.isEmpty {
                carry.append(10)
                _ = try carry.withUnsafeBufferPointer { try parser.consume($0, from: 0, stopAt: .max) }
            }
        } catch {
            pipe.cancel()
            _ = try? await settle(&r, all: true)
            parser.copyCounts(into: &r)
            throw error
        }
        var entry = logEntry
        entry.rows = parser.kept
        if parser.kind == .trades {
            try await flush(&parser, &r, final: true, log: nil)
            // The file's first minute may continue one an earlier file began, and its last (open) minute one a file
            // imported before it begins: rebuild those from every stored trade (§7), whichever order files came in.
            var batch = HistoryBatch(symbol: symbol)
            var rebuild: [Timestamp] = []
            if let first = parser.firstMinute, let open = parser.builder.openMinute, first < open { rebuild.append(first) }
            if let open = parser.builder.openMinute,
               !(try await store.trades(symbol, in: TimeSpan(open + .minutes(1), open + .minutes(1 + 3650 * 1440)), limit: 1)).isEmpty {
                rebuild.append(open)
            }
            for m in rebuild {
                let span = TimeSpan(m, m + .minutes(1))
                var b = MinuteCandleBuilder(symbol: symbol, source: .trades)
                for t in try await store.trades(symbol, in: span, limit: nil) { _ = b.add(time: t.time, price: t.price, volume: t.volume) }
                if var c = b.pending() {
                    c.isComplete = !parser.holes.contains { $0.contains(m) }
                    batch.candles.append(c)
                    batch.invalidation = TimeSpan(min(batch.invalidation?.start ?? m, m), span.end)
                }
            }
            batch.importLog = entry
            _ = try await store.write(batch)
        } else {
            try await flush(&parser, &r, final: true, log: entry)
        }
        parser.copyCounts(into: &r)
    }

    func flush(_ p: inout FileParser, _ r: inout FileImportReport, final: Bool, log: ImportLogEntry?) async throws {
        // Decision 28: a file stops only when more than half of its rows are rejected (judged from 100 rows on, and at
        // the end), so a bad stretch in a good file is reported row by row, not fatal.
        if p.rejectedTotal * 2 > p.read, final || p.read >= 100 {
            // The batches already sent finish first (their counts belong to this file; the store stays in use).
            try? await settle(&r, all: true)
            p.copyCounts(into: &r)
            throw HistoryError.importFailed("\(p.rejectedTotal) of \(p.read) rows rejected (over 50 %): file aborted; "
                                            + "batches already stored are valid and kept (re-importing a fixed file completes it)")
        }
        var batch = p.takeBatch(final: final)
        batch.importLog = log
        while inFlight.count >= max(1, store.maxBatchesInFlight) { try await settleOldest(&r) }
        if !batch.isEmpty {
            let store = self.store
            inFlight.append(Task { try await store.write(batch) })
        }
        if final { try await settle(&r, all: true) }
    }

    /// Waits for the oldest batch in flight and counts what it did.
    func settleOldest(_ r: inout FileImportReport) async throws {
        guard !inFlight.isEmpty else { return }
        let t = inFlight.removeFirst()
        let out = try await t.value
        r.tradesInserted += out.tradesInserted
        r.tradesDuplicate += out.tradesDuplicate
        r.candlesWritten += out.candlesWritten
    }

    func settle(_ r: inout FileImportReport, all: Bool) async throws {
        var firstError: Error?
        while !inFlight.isEmpty {
            do { try await settleOldest(&r) } catch { if firstError == nil { firstError = error } }
        }
        if let e = firstError { throw e }
    }
}

/// The per-file row state machine: lines in, validated rows and finished candles out. No I/O.
struct FileParser {
    enum Kind { case unknown, trades, ohlcvt }
    let symbol: Symbol
    let scale: StorageScale
    let interval: Int?
    let now: Timestamp
    let file: String
    let maxProblems: Int
    /// Synthetic keys for id-less CSV trades (history.md §6.1 says −k): k − 2^32 keeps them negative (never a Kraken
    /// trade_id) but ascending in file order, so (ts, trade_key), the order every reader uses, is the file's order
    /// (−k would reverse same-timestamp trades and make their candle's open and close wrong).
    static let syntheticKeyBase: Int64 = -(1 << 32)

    var kind: Kind = .unknown
    var lineNo = 0
    var read = 0
    var kept = 0
    var rejected: [RowRejection: Int] = [:]
    var rejectedTotal = 0
    var problems: [String] = []
    // trades
    var rows = TradeRows(source: .csv)
    var builder: ScaledMinuteBuilder
    var ordinal: Int64 = 0
    var ordinalTime: Int64 = .min
    var lastKept: Int64 = .min
    var lastKeptOrdinal: Int64 = 0
    let maxPriceStored: Int64
    let maxVolumeStored: Int64
    /// Spans a rejected row leaves unproven: no coverage there, and a candle built there is incomplete.
    var holes: [TimeSpan] = []
    /// A rejected row without a readable time: unproven from the last kept row's minute to the next kept row's.
    var holeFrom: Timestamp?
    var firstMinute: Timestamp?
    // candles (built from trades, or OHLCVT rows)
    var candles: [HistoryCandle] = []
    var firstCandle: Timestamp?
    var lastCandle: Timestamp?
    /// Where the coverage already handed to a batch ends: each batch proves only its own piece.
    var coveredUntil: Timestamp?

    let earliestMicros: Int64
    let latestMicros: Int64

    init(symbol: Symbol, scale: StorageScale, interval: Int?, now: Timestamp, file: String, maxProblems: Int) {
        earliestMicros = HistoryValidation.earliest.nanoseconds / 1000
        maxPriceStored = scale.priceDecimals <= 9 ? CSVNumber.pow10[9 + scale.priceDecimals] : .max
        maxVolumeStored = scale.quantityDecimals <= 6 ? CSVNumber.pow10[12 + scale.quantityDecimals] : .max
        latestMicros = (now + .seconds(60)).nanoseconds / 1000
        self.symbol = symbol; self.scale = scale; self.interval = interval; self.now = now; self.file = file; self.maxProblems = maxProblems
        builder = ScaledMinuteBuilder(symbol: symbol, scale: scale)
    }

    func copyCounts(into r: inout FileImportReport) {
        r.rowsRead = read; r.rowsKept = kept; r.rejected = rejected; r.problems = problems
    }

    mutating func reject(_ why: RowRejection, _ detail: String = "", at micros: Int64? = nil, width: Int = 1) {
        if let m = micros, m > 0, m < 7_000_000_000_000_000 {
            let start = Buckets.floor(Timestamp(nanoseconds: m * 1000), minutes: width)
            holes.append(TimeSpan(start, start + .minutes(Int64(width))))
        } else if holeFrom == nil {
            // Somewhere after the last kept row: from its minute (trades) or its end (candles) to the next kept row.
            if kind == .ohlcvt {
                holeFrom = lastCandle.map { $0 + .minutes(Int64(interval ?? 1)) } ?? Timestamp(nanoseconds: 0)
            } else {
                holeFrom = lastKept == .min ? (firstMinute ?? Timestamp(nanoseconds: 0)) : Buckets.floor(Timestamp(nanoseconds: lastKept * 1000), minutes: 1)
            }
        }
        rejected[why, default: 0] += 1
        rejectedTotal += 1
        if problems.count < maxProblems { problems.append("\(file):\(lineNo): \(why.rawValue)\(detail.isEmpty ? "" : " (\(detail))")") }
    }

    var pending: Int { kind == .trades ? rows.count : candles.count }

    /// Lines from `pos` until `stopAt` rows are pending; returns where it stopped and whether the batch is full.
    /// A trailing partial line is left for the next chunk.
    mutating func consume(_ b: UnsafeBufferPointer<UInt8>, from pos: Int, stopAt: Int) throws -> (Int, Bool) {
        guard let base = b.baseAddress else { return (pos, false) }
        var start = pos
        while start < b.count {
            guard let nl = memchr(base + start, 10, b.count - start) else { break }
            let end = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
            var len = end - start
            if len > 0, base[start + len - 1] == 13 { len -= 1 }
            lineNo += 1
            try line(base + start, len)
            start = end + 1
            if pending >= stopAt { return (start, true) }
        }
        return (start, false)
    }

    /// End offsets of the first 8 fields of the current line (allocated once).
    var ends = [Int](repeating: 0, count: 8)

    /// Splits on commas; returns the field count (which tells the format).
    mutating func split(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var count = 0
        var i = 0
        while i <= n {
            if i == n || p[i] == 44 {
                if count < 8 { ends[count] = i }
                count += 1
            }
            i += 1
        }
        return count
    }

    mutating func line(_ p0: UnsafePointer<UInt8>, _ n0: Int) throws {
        var p = p0, n = n0
        // A UTF-8 byte-order mark before the first row is not data.
        if lineNo == 1, n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { p += 3; n -= 3 }
        if n == 0 { return }
        let count = split(p, n)
        if kind == .unknown {
            // One header line is allowed (§13.1: Swift skips it rather than failing the file).
            if read == 0, lineNo == 1, !(p[0] &- 48 < 10) { return }
            switch count {
            case 3: kind = .trades
            case 7: kind = .ohlcvt
            default: throw HistoryError.importFailed("\(file):\(lineNo): \(count) columns; Kraken trade files have 3, OHLCVT files 7")
            }
            if (kind == .trades) != (interval == nil) {
                throw HistoryError.importFailed("\(file):\(lineNo): \(count) columns, but the name says "
                                                + (interval == nil ? "a trade file (3 columns)" : "an OHLCVT file (7 columns)"))
            }
        }
        read += 1
        let want = kind == .trades ? 3 : 7
        guard count == want else { return reject(.wrongColumnCount, "\(count) columns, expected \(want)") }
        let e = ends
        func field(_ k: Int, _ decimals: Int) -> CSVNumber.Outcome {
            let s = k == 0 ? 0 : e[k - 1] + 1
            return CSVNumber.scaled(p + s, e[k] - s, decimals: decimals)
        }
        func value(_ o: CSVNumber.Outcome) -> Int64? { if case .value(let v) = o { v } else { nil } }
        func why(_ o: CSVNumber.Outcome) -> RowRejection { o == .finer ? .finerThanScale : o == .overflow ? .tooLarge : .unparseable }
        if kind == .trades {
            let t = field(0, 6), pr = field(1, scale.priceDecimals), v = field(2, scale.quantityDecimals)
            guard let micros = value(t) else { return reject(why(t), "timestamp") }
            // The ordinal counts every row of its time that is not out of order, kept or not, so fixing a bad row
            // later does not shift the keys after it; a kept key always exceeds the last kept one at its time.
            if micros >= lastKept {
                if micros == ordinalTime { ordinal += 1 } else { ordinalTime = micros; ordinal = 1 }
            }
            guard let price = value(pr) else { return reject(why(pr), "price", at: micros) }
            guard let volume = value(v) else { return reject(why(v), "volume", at: micros) }
            // §15.2 on the stored integers (the same rules as HistoryValidation.check(trade:)).
            if price <= 0 { return reject(.nonPositivePrice, at: micros) }
            if volume <= 0 { return reject(.nonPositiveVolume, at: micros) }
            if micros < earliestMicros || micros > latestMicros { return reject(.timeOutOfRange) }
            if micros < lastKept { return reject(.outOfOrder, "earlier than the row before", at: micros) }
            if price > maxPriceStored || volume > maxVolumeStored || !builder.fits(micros: micros, price: price, volume: volume) {
                return reject(.tooLarge, at: micros)
            }
            var key = ordinal
            if micros == lastKept, key <= lastKeptOrdinal { key = lastKeptOrdinal + 1 }
            lastKept = micros
            lastKeptOrdinal = key
            kept += 1
            if firstMinute == nil || holeFrom != nil {
                let minute = Buckets.floor(Timestamp(nanoseconds: micros * 1000), minutes: 1)
                if firstMinute == nil { firstMinute = minute }
                if let h = holeFrom { holes.append(TimeSpan(h, minute + .minutes(1))); holeFrom = nil }
            }
            rows.append(micros: micros, key: key + FileParser.syntheticKeyBase, price: price, volume: volume)
            if let c = builder.add(micros: micros, price: price, volume: volume) { candles.append(c) }
        } else {
            let minutes = interval ?? 1
            let t = field(0, 0)
            guard let secs = value(t), secs > 0, secs < 7_000_000_000 else { return reject(.unparseable, "timestamp") }
            let fo = field(1, scale.priceDecimals), fh = field(2, scale.priceDecimals), fl = field(3, scale.priceDecimals), fc = field(4, scale.priceDecimals)
            guard let o = value(fo) else { return reject(why(fo), "open", at: secs * 1_000_000, width: minutes) }
            guard let h = value(fh) else { return reject(why(fh), "high", at: secs * 1_000_000, width: minutes) }
            guard let l = value(fl) else { return reject(why(fl), "low", at: secs * 1_000_000, width: minutes) }
            guard let cl = value(fc) else { return reject(why(fc), "close", at: secs * 1_000_000, width: minutes) }
            let vo = field(5, scale.quantityDecimals)
            guard let vol = value(vo) else { return reject(why(vo), "volume", at: secs * 1_000_000, width: minutes) }
            let no = field(6, 0)
            guard let n = value(no), n <= Int64(Int32.max) else { return reject(why(no), "trades", at: secs * 1_000_000, width: minutes) }
            var c = HistoryCandle(symbol: symbol, intervalMinutes: minutes, start: Timestamp(seconds: secs),
                                  open: scale.price(o), high: scale.price(h), low: scale.price(l), close: scale.price(cl),
                                  volume: scale.quantity(vol), tradeCount: Int(n), vwap: nil, isComplete: true, source: .csv)
            if let bad = HistoryValidation.check(candle: &c, tick: scale.price(1), now: now) { return reject(bad, at: secs * 1_000_000, width: minutes) }
            if let last = lastCandle, c.start <= last { return reject(.outOfOrder, "not after the row before", at: secs * 1_000_000, width: minutes) }
            lastCandle = c.start
            if firstCandle == nil { firstCandle = c.start }
            if let h = holeFrom { holes.append(TimeSpan(h, c.start)); holeFrom = nil }
            kept += 1
            candles.append(c)
        }
    }

    /// The pending rows as one batch, with the coverage they prove and the rollup span they invalidate.
    mutating func takeBatch(final: Bool) -> HistoryBatch {
        var batch = HistoryBatch(symbol: symbol)
        let unproven = TimeSpan.union(holes + (holeFrom.map { [TimeSpan($0, Timestamp(nanoseconds: .max))] } ?? []))
        func cover(_ type: String, _ span: TimeSpan) {
            for piece in span.subtracting(unproven) { batch.coverage.append(CoverageRecord(dataType: type, span: piece, source: "csv")) }
        }
        if kind == .trades, !unproven.isEmpty {
            for i in candles.indices where unproven.contains(where: { $0.contains(candles[i].start) }) { candles[i].isComplete = false }
        }
        if kind == .trades {
            batch.trades = rows
            batch.candles = candles
            // Complete history from the first trade's minute up to the minute still open (§13.2), in pieces.
            if let f = coveredUntil ?? firstMinute, let open = builder.openMinute, open > f {
                for type in ["trades", "candles_1m"] { cover(type, TimeSpan(f, open)) }
                coveredUntil = open
            }
        } else if interval == 1 {
            batch.candles = candles
            if let f = coveredUntil ?? firstCandle, let l = lastCandle, l + .minutes(1) > f {
                cover("candles_1m", TimeSpan(f, l + .minutes(1)))
                coveredUntil = l + .minutes(1)
            }
        } else {
            batch.nativeCandles = candles
        }
        if let a = batch.candles.first, let b = batch.candles.last { batch.invalidation = TimeSpan(a.start, b.end) }
        rows.removeAll()
        candles.removeAll(keepingCapacity: true)
        return batch
    }
}
