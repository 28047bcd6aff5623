import Foundation
import KrakenWS
import ServiceLifecycle
import TradingCore
import TradingEngine
import Backtest

/// The live driver (ARCHITECTURE `LiveSession`): owns the kernel and feeds it, in order, what the edge put in the one
/// bounded buffer (market events stamped at receipt, and the decision timer stamped on the wall clock every
/// `general.interval_ms`). Runs as a swift-service-lifecycle service: SIGINT/SIGTERM end it gracefully (stop, summary,
/// flush, in that order, by the caller).
public final class LiveSession: Service, @unchecked Sendable {
    // @unchecked: the kernel, recorder and observers are touched only by `run()`'s one task (the synchronous kernel's
    // single owner); the other members are Sendable.
    public let kernel: Kernel
    public let buffer: EventBuffer
    public let connection: KrakenConnection
    public var recorder: EventRecorder?
    /// Engine-clock end (nil: until stopped).
    public let end: Timestamp?
    public let interval: Duration
    private let wallClock: @Sendable () -> Timestamp
    /// Called on the kernel's task after each batch (status lines, progress); engine time passed.
    public var onBatch: ((Timestamp) -> Void)?
    public private(set) var stopReason = "duration reached"
    /// Arrival → applied, nanoseconds, of market events (a bounded sample: every event until 1M, then every 16th).
    private var latencies: [Int64] = []
    private var seen = 0

    public init(kernel: Kernel, buffer: EventBuffer, connection: KrakenConnection, end: Timestamp?, intervalMs: Int64,
                wallClock: @escaping @Sendable () -> Timestamp) {
        self.kernel = kernel
        self.buffer = buffer
        self.connection = connection
        self.end = end
        self.interval = .milliseconds(intervalMs)
        self.wallClock = wallClock
    }

    public func run() async throws {
        let buffer = self.buffer, interval = self.interval, wallClock = self.wallClock
        let timer = Task {
            // The decision timer, on the wall clock, through the same buffer as the market (one order for everything).
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                await buffer.push([.timer(wallClock())])
            }
        }
        defer { timer.cancel() }
        await withGracefulShutdownHandler {
            await consume()
        } onGracefulShutdown: { [self] in
            stopReason = "stopped by signal"
            buffer.finish()
        }
        timer.cancel()
        await connection.stop()
    }

    private func consume() async {
        var batch: [MarketEvent] = []
        batch.reserveCapacity(256)
        while await buffer.take(into: &batch) {
            for e in batch {
                if let end, e.time >= end {
                    buffer.finish()
                    break
                }
                recorder?.record(e)
                kernel.handle(e)
                switch e {
                case .trade, .book, .ticker:
                    seen += 1
                    if latencies.count < 1_000_000 || seen & 15 == 0 {
                        let l = (wallClock() - e.time).nanoseconds
                        if latencies.count < 1_000_000 { latencies.append(l) } else { latencies[seen % latencies.count] = l }
                    }
                default: break
                }
            }
            batch.removeAll(keepingCapacity: true)
            onBatch?(kernel.clock.now)
        }
    }

    /// Stops from outside (the session's own end, tests).
    public func finish(reason: String) {
        stopReason = reason
        buffer.finish()
    }

    /// Percentiles (0…1) of arrival → applied time, in microseconds.
    public func latencyMicros(_ q: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let s = latencies.sorted()
        let i = min(s.count - 1, max(0, Int((q * Double(s.count - 1)).rounded())))
        return Double(s[i]) / 1000
    }

    public var latencySamples: Int { latencies.count }
}
