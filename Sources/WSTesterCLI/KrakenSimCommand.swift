import AppConfiguration
import ArgumentParser
import Foundation
import KrakenSim
import MarketData
import TradingCore

/// `ws-tester kraken sim`: the local Kraken v2 server (issue 10) on loopback, for offline demos and for reproducing
/// every failure of the live feed on demand.
struct KrakenSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Serve a local Kraken v2 WebSocket (/v2) and public REST (/0/public/) from the seeded simulator, with fault injection.",
        discussion: """
        Point a session at it with `ws-tester --ws-url ws://127.0.0.1:PORT/v2 --duration 5`. The engine is deterministic: \
        the same seed, --start-time, configuration and fault script give byte-identical frames for the same requests at \
        the same virtual times (the engine's tests drive it so; over sockets, when a request arrives depends on the wall \
        clock, and so do the times in acks and pongs).

        Faults (market-data §4.4, decision 39) are NAME[:k=v,...][@msg=FRAMES|@t=SECONDS]: disconnect:code=1000|1001|1011|abort, \
        rejectHandshakes:count=N,status=503|429, acceptThenClose:count=N, malformedJSON:kind=truncated|text|binary|array, \
        checksumCorrupt:symbol=PAIR, dropBookUpdate:symbol=PAIR, dropTrade:symbol=PAIR,count=N, duplicateTrade:symbol=PAIR, \
        reorder:channel=book|trade,count=N, staleFeed:mode=heartbeatOnly|silent,duration=S, suppressPong:duration=S, \
        status:system=online|maintenance|cancel_only|post_only, burst:n=N, rateLimit:per_second=N, \
        replay:file=PATH,pace=max|recorded|Nms (a bare value fills the first key: disconnect:1011). @msg fires once the \
        server has sent that many frames, @t at that many virtual seconds after the start; without a trigger a fault \
        fires at once. --script is JSONL: {"fault":"disconnect","code":1011,"t":30} per line. At run time, from this \
        machine only: `curl -d 'disconnect:code=1011' http://127.0.0.1:PORT/_sim/faults`; counters at /_sim/stats. Replays \
        read only files named at launch (--replay-file or a replay fault).
        """)

    @Option(help: "Port to listen on (0: any free port; the one chosen is printed).") var port = 8765
    @Option(help: "Address to bind. Loopback unless you say otherwise.") var host = "127.0.0.1"
    @Option(help: "Seed of the market.") var seed: UInt64 = 42
    @Option(name: [.short, .customLong("config")], help: "Configuration file (default ./config.yaml when present): general.default_symbols.") var config: String?
    @Option(help: "Pairs to serve, comma-separated (default: general.default_symbols).") var symbols: String?
    @Option(name: .customLong("fault"), help: "A fault to fire (repeatable), e.g. disconnect:code=1011@t=30.") var faults: [String] = []
    @Option(help: "A fault script: JSONL, one fault per line ({\"fault\":\"burst\",\"n\":1000,\"msg\":500}).") var script: String?
    @Option(name: .customLong("replay-file"), help: "A capture run-time replay faults may serve (repeatable).") var replayFiles: [String] = []
    @Option(name: .customLong("start-time"), help: "Virtual start time, ISO-8601 (default: now, to the second). Fix it for reproducible frames.") var start: String?
    @Option(help: "Virtual seconds per wall second.") var speed = 1.0
    @Option(help: "Days of REST history before the start.") var historyDays = 30
    @Option(help: "Book levels per side the server holds (1…1000).") var levels = 100
    @Option(help: "REST requests per second before HTTP 429 EAPI:Rate limit exceeded (0: no limit).") var restRate = 0.0
    @Option(help: "Stop after this many wall seconds (default: until Ctrl+C).") var duration: Double?
    @Option(help: "Write every frame sent, request received and connection attempt to this JSONL file, as they happen.") var log: String?

    func run() throws {
        var config = KrakenSimConfig()
        config.seed = seed
        config.symbols = try resolveConfig(explicit: self.config, cli: [], environment: ProcessInfo.processInfo.environment).config.defaultSymbols
        if let symbols {
            let list = symbols.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            var parsed: [Symbol] = []
            for s in list {
                guard let sym = Symbol(s) else { throw fail("--symbols: '\(s)' is not a BASE/QUOTE pair", code: 1) }
                parsed.append(sym)
            }
            config.symbols = parsed
        }
        if let start {
            guard let t = Timestamp(iso8601: start) else { throw fail("--start-time '\(start)': expected ISO-8601, e.g. 2025-01-15T00:00:00Z", code: 1) }
            config.start = t
        } else {
            config.start = Timestamp(seconds: Int64(Date().timeIntervalSince1970))
        }
        config.historyDays = historyDays
        config.levels = levels
        guard restRate >= 0, restRate.isFinite else { throw fail("--rest-rate must be ≥ 0", code: 1) }
        config.restRatePerSecond = restRate
        guard speed > 0, speed <= 10_000, speed.isFinite else { throw fail("--speed must be in (0, 10000]", code: 1) }
        guard (0...65535).contains(port) else { throw fail("--port must be in 0…65535", code: 1) }
        if let duration, !(duration > 0 && duration.isFinite) { throw fail("--duration must be positive", code: 1) }
        do {
            for f in faults { config.faults.append(try ScheduledFault.parseLine(f)) }
            if let script {
                guard let text = try? String(contentsOfFile: script, encoding: .utf8) else { throw fail("cannot read --script \(script)", code: 1) }
                config.faults += try ScheduledFault.parseScript(text)
            }
        } catch let e as SimFaultError {
            throw fail("fault: \(e.message)", code: 1)
        }
        var paths = replayFiles
        for f in config.faults { if case .replay(let path, _) = f.fault { paths.append(path) } }
        for path in paths {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw fail("cannot read replay file \(path)", code: 1) }
            config.replayFiles[path] = text.split(separator: "\n").map(String.init)
        }
        if let why = config.problem() { throw fail(why, code: 1) }
        var options = KrakenSimServer.Options()
        options.host = host
        options.port = port
        options.speed = speed
        let server = KrakenSimServer(config: config, options: options)
        var logFile: LogFile?
        if let log {
            guard let f = LogFile(path: log) else { throw fail("cannot write \(log)", code: 1) }
            logFile = f
            server.setLogSink { f.write($0) }
        }
        SignalTrap.install()
        let wallLimit = duration
        let cfg = config
        let outcome: String = try blockingAwait {
            let task = Task {
                try await server.run { p in
                    print("Kraken v2 server: ws://\(host):\(p)/v2  REST: http://\(host):\(p)/0/public/  control: http://127.0.0.1:\(p)/_sim/")
                    print("\(cfg.symbols.count) pairs, seed \(cfg.seed), start \(cfg.start.iso8601), \(cfg.historyDays) days of REST history, speed \(speed)×; Ctrl+C stops")
                    flushOutput()
                }
            }
            let began = ContinuousClock.now
            while !SignalTrap.stopRequested {
                if let wallLimit, ContinuousClock.now - began >= .milliseconds(Int64(wallLimit * 1000)) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            task.cancel()
            _ = await task.result
            return SignalTrap.stopRequested ? "stopped by signal" : "duration reached"
        }
        let (c, attempts, stats) = server.withEngine { e in (e.counters, e.attempts.count, server.serverStats) }
        print("Stopped (\(outcome)): \(c.connections) connections (\(attempts) attempts), \(c.framesSent) frames sent, \(c.requests) requests, \(c.faultsFired) faults fired, \(stats.slowConsumersDropped) slow consumers dropped")
        if let log, let logFile {
            logFile.close()
            print("Log: \(log) (\(logFile.lines) entries)")
        }
    }
}

/// A JSONL file written in 256 KB chunks and at least every half second. `write` is called under the server's
/// engine lock, so chunks go to a writer queue and the disk never holds up the feed; past 64 chunks (16 MB) waiting,
/// `write` waits for the disk rather than grow without bound. Writes after `close` are ignored.
final class LogFile: @unchecked Sendable {
    // @unchecked: `buffer`, `lines` and `closed` are guarded by `lock`; the handle is used only on `queue`.
    private let handle: FileHandle
    private let queue = DispatchQueue(label: "kraken-sim-log")
    private let pending = DispatchSemaphore(value: 64)
    private let lock = NSLock()
    private var buffer = Data()
    private var count = 0
    private var closed = false
    private var timer: DispatchSourceTimer?

    var lines: Int { lock.lock(); defer { lock.unlock() }; return count }

    init?(path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else { return nil }
        handle = h
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        t.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
        t.setEventHandler { [weak self] in self?.flush(force: false) }
        t.resume()
        timer = t
    }

    func write(_ line: String) {
        lock.lock()
        guard !closed else { lock.unlock(); return }
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        count += 1
        let full = buffer.count >= 256 << 10
        lock.unlock()
        if full { flush(force: true) }
    }

    /// Hands what is buffered to the writer queue (a timer tick skips an empty buffer).
    private func flush(force: Bool) {
        // Enqueued under the lock, so chunks reach the file in the order they were written.
        lock.lock()
        defer { lock.unlock() }
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer = Data()
        pending.wait()
        queue.async { [handle, pending] in
            handle.write(chunk)
            pending.signal()
        }
    }

    func close() {
        timer?.cancel()
        flush(force: true)
        lock.lock(); closed = true; lock.unlock()
        flush(force: true)
        queue.sync { try? handle.close() }
    }
}
