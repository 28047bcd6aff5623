import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import TradingCore
import TradingEngine
import Backtest
import AppConfiguration
import KrakenWS
import LiveSession
import ExternalData

/// `ws-tester run` on the live Kraken feed (issue 8): connect, wait for the subscriptions and the instrument
/// precisions, build the kernel, run it on the wall clock through `LiveSession`, and print the same summary as a
/// simulated session. Start-up failure exits 2 unless `data.fallback_to_simulated` (then the caller runs the simulator).
struct LiveRun {
    let spec: SessionSpec
    let cfg: AppConfig
    let notes: [String]
    let record: String?
    let summaryJson: String?
    let banner: (SessionSpec, String, [String]) -> Void

    enum Outcome { case done, fallBack(String) }

    static func wallNow() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    func clientConfig() -> KrakenClientConfig {
        var k = KrakenClientConfig()
        let l = cfg.live
        func s(_ x: Double) -> Interval { .milliseconds(Int64((x * 1000).rounded())) }
        k.url = cfg.wsURL
        k.symbols = spec.symbols
        k.bookDepth = cfg.market.bookDepth
        k.reconnectDelay = s(l.reconnectDelay); k.maxReconnectDelay = s(l.maxReconnectDelay); k.reconnectJitter = l.reconnectJitter
        k.stableConnection = s(l.stableConnection); k.maxConnectsPer10Min = l.maxConnectsPer10Min; k.maintenanceMinDelay = s(l.maintenanceMinDelay)
        k.idlePingAfter = s(l.idlePingAfter); k.livenessTimeout = s(l.livenessTimeout); k.keepalivePing = s(l.keepalivePing)
        k.channelSilence = s(l.channelSilence); k.ackTimeout = s(l.ackTimeout); k.maxLag = s(l.maxLag)
        return k
    }

    func run() throws -> Outcome {
        let level = ["debug": 0, "info": 1, "warning": 2, "error": 3][cfg.logLevel] ?? 1
        let log: KrakenConnection.LogSink = { lv, text in
            let rank = ["debug": 0, "info": 1, "warning": 2, "error": 3][lv.rawValue] ?? 1
            guard rank >= level else { return }
            // Text from the server (errors, statuses) is shown without control characters (no terminal escapes).
            let clean = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
            let line = "[\(LiveRun.wallNow().iso8601)] feed \(lv.rawValue): \(clean)\n"
            if rank >= 2 { FileHandle.standardError.write(Data(line.utf8)) } else { FileHandle.standardOutput.write(Data(line.utf8)) }
        }
        let builtIn = Dictionary(uniqueKeysWithValues: spec.instruments.map { ($0.symbol, BookPrecision(price: $0.priceDecimals, quantity: $0.lotDecimals)) })
        let timeout = Duration.milliseconds(Int64((cfg.live.connectTimeout * 1000).rounded()))
        print("Connecting to \(cfg.wsURL) (\(spec.symbols.map(\.text).joined(separator: ", ")))…")
        flushOutput()
        let kc = clientConfig(), capacity = cfg.live.bufferEvents
        let feed: LiveFeed
        do {
            feed = try blockingAwait { try await LiveFeed.start(config: kc, precisions: builtIn, timeout: timeout, bufferCapacity: capacity, clock: LiveRun.wallNow, log: log) }
        } catch let e as LiveFeed.StartError {
            switch e {
            case .refused: throw fail("\(e.description): fix symbols (or the strategies' pairs) and try again", code: 1)
            case .unreachable(let m):
                if cfg.fallbackToSimulated { return .fallBack(m) }
                throw fail("\(m)\nCheck the network, or run offline with --simulated (data.fallback_to_simulated: true runs the simulator instead, loudly).", code: 2)
            }
        }
        // The session's precisions are the channel's (fixed from now on); the built-in table is the check.
        var spec = self.spec
        var notes = self.notes
        spec.instruments = spec.instruments.map { i in
            guard let p = feed.precisions[i.symbol], p.price != i.priceDecimals || p.quantity != i.lotDecimals else { return i }
            notes.append("\(i.symbol): Kraken's precisions (price \(p.price), quantity \(p.quantity) decimals) replace the built-in table's (\(i.priceDecimals), \(i.lotDecimals))")
            return Instrument(symbol: i.symbol, priceDecimals: p.price, lotDecimals: p.quantity)
        }
        if feed.builtInPrecisions { notes.append("the instrument channel sent no precisions: the built-in table is used") }
        spec.start = LiveRun.wallNow()
        let kernel: Kernel
        do { kernel = try SessionBuilder.makeKernel(spec) } catch let e as SessionError {
            _ = try? blockingAwait { feed.buffer.finish(); await feed.connection.stop(); await feed.task.value }
            throw fail(e.description, code: e.exitCode)
        }
        let hasher = FillHasher()
        kernel.addObserver(hasher)
        let console = Console(level: cfg.logLevel)
        kernel.addObserver(console)
        let end: Timestamp? = cfg.durationMinutes == 0 ? nil : spec.start + .minutes(Int64(cfg.durationMinutes))
        let session = LiveSession(kernel: kernel, buffer: feed.buffer, connection: feed.connection, end: end, intervalMs: spec.intervalMs,
                                  wallClock: LiveRun.wallNow)
        if let path = record {
            do { session.recorder = try EventRecorder(path: path, spec: spec) } catch {
                _ = try? blockingAwait { await feed.connection.stop(); await feed.task.value }
                throw error
            }
        }
        defer { session.recorder?.close() }
        banner(spec, "Live Kraken (\(cfg.wsURL))", notes)
        var nextStatus = spec.start + .seconds(Int64(cfg.statusIntervalSeconds))
        let statusEvery = Interval.seconds(Int64(cfg.statusIntervalSeconds))
        session.onBatch = { now in
            if now >= nextStatus {
                console.status(kernel: kernel)
                let c = feed.connection.feedCounters
                print("    feed \(feed.connection.phase.rawValue): \(c.messages) msgs, \(c.checksumFailures) checksum failures, \(c.tradeGaps) trade gaps, buffer high-water \(feed.buffer.stats.highWater)")
                flushOutput()
                while nextStatus <= now { nextStatus = nextStatus + statusEvery }
            }
        }
        // External sentiment, when the detector runs and reads it: fetched off the kernel, delivered through the same
        // buffer as a recorded `sentiment` event (decision 44).
        var sentiment: SentimentFeed?
        var sentimentTask: Task<Void, Never>?
        if kernel.regimeActive && cfg.regime.externalEnabled {
            let feedS = SentimentFeed(endpoints: cfg.external)
            sentiment = feedS
            let buffer = feed.buffer
            sentimentTask = Task {
                while !Task.isCancelled {
                    if let v = feedS.take() { await buffer.push([.sentiment(SentimentReading(time: LiveRun.wallNow(), sentiment: v))]) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        defer { sentimentTask?.cancel(); sentiment?.stop() }
        unblockSignals()
        let wallStart = ContinuousClock.now
        try blockingAwait {
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: session, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "ws-tester")))
            do { try await group.run() } catch {
                await feed.connection.stop()
                await feed.task.value
                throw error
            }
            await feed.task.value
        }
        kernel.stop()
        session.recorder?.close()
        let elapsed = ContinuousClock.now - wallStart
        let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let interrupted = session.stopReason != "duration reached"
        let report = SessionReport(kernel: kernel, hasher: hasher, start: spec.start)
        print(report.text(title: interrupted ? "SESSION STOPPED" : "SESSION COMPLETE", mode: "Live Kraken"))
        let fc = feed.connection.feedCounters, cc = feed.connection.counters
        let p50 = session.latencyMicros(0.5), p99 = session.latencyMicros(0.99)
        print("Feed: \(fc.messages) messages, \(fc.parseErrors) parse errors, \(fc.checksumFailures) checksum failures, \(fc.tradeGaps) trade gaps (\(fc.missingTrades) prints missed), \(cc.connects) connection\(cc.connects == 1 ? "" : "s"), \(cc.checksumResyncs + cc.lagResyncs + cc.silenceAlarms) resyncs")
        let bs = feed.buffer.stats
        print("Buffer: high-water \(bs.highWater) of \(feed.buffer.capacity) events, the reader waited \(bs.producerWaits) time\(bs.producerWaits == 1 ? "" : "s") for the kernel")
        if let p50, let p99 { print("Arrival → applied: p50 \(String(format: "%.1f", p50)) µs, p99 \(String(format: "%.1f", p99)) µs over \(session.latencySamples) market events") }
        print("Wall time \(String(format: "%.2f", wallSeconds)) s")
        if let path = summaryJson {
            try report.writeJSON(to: path, extra: [
                "mode": "live", "ws_url": cfg.wsURL, "wall_seconds": wallSeconds, "version": wsTesterVersion, "recording": record ?? NSNull(),
                "feed": ["messages": fc.messages, "parse_errors": fc.parseErrors, "checksum_failures": fc.checksumFailures,
                         "trade_gaps": fc.tradeGaps, "missing_trades": NSNumber(value: fc.missingTrades), "duplicate_trades": fc.duplicateTrades,
                         "connects": cc.connects, "connect_failures": cc.connectFailures, "resyncs": cc.checksumResyncs + cc.lagResyncs + cc.silenceAlarms,
                         "latency_p50_us": p50 ?? NSNull(), "latency_p99_us": p99 ?? NSNull(),
                         "buffer_high_water": feed.buffer.stats.highWater, "buffer_producer_waits": feed.buffer.stats.producerWaits] as [String: Any],
            ])
        }
        return .done
    }
}

/// Runs async work from the synchronous command and waits for it (the command's thread only waits).
func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = AwaitBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class AwaitBox<T>: @unchecked Sendable { var result: Result<T, any Error>? }

/// A parent may have started us with SIGINT/SIGTERM blocked (test runners, supervisors).
func unblockSignals() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}
