import KrakenWS
import TradingCore

/// Start-up of the live feed (issue 8 rule 6, resolution 39): connect and subscribe, and wait until every subscription
/// is acknowledged and the instrument channel gave its precisions, within `data.connect_timeout_s`. Failing that, the
/// caller exits 2 (or runs the simulator, loudly, with `data.fallback_to_simulated`); a pair Kraken refuses is a
/// configuration error. After a successful start the connection heals itself (backoff, resubscribe).
public struct LiveFeed: Sendable {
    public let connection: KrakenConnection
    public let buffer: EventBuffer
    public let task: Task<Void, Never>
    /// The precisions the session uses (the channel's, checked against the built-in table; fixed from now on).
    public let precisions: [Symbol: BookPrecision]
    /// The instrument channel did not answer in time: the built-in table is used.
    public let builtInPrecisions: Bool

    public enum StartError: Error, CustomStringConvertible {
        case unreachable(String)
        case refused([String])
        public var description: String {
            switch self {
            case .unreachable(let m): m
            case .refused(let r): r.joined(separator: "; ")
            }
        }
    }

    public static func start(config: KrakenClientConfig, precisions: [Symbol: BookPrecision], timeout: Duration, bufferCapacity: Int,
                             clock: @escaping @Sendable () -> Timestamp, log: @escaping KrakenConnection.LogSink) async throws -> LiveFeed {
        let buffer = EventBuffer(capacity: bufferCapacity)
        let client = KrakenClient(config: config, precisions: precisions, random: { Double.random(in: 0..<1) })
        let connection = KrakenConnection(client: client, buffer: buffer, connectTimeout: timeout, clock: clock, log: log)
        let task = Task { await connection.run() }
        let started = ContinuousClock.now
        var settledAt: ContinuousClock.Instant?
        while true {
            let refused = connection.refused
            if !refused.isEmpty {
                buffer.finish()   // a reader waiting for room must not keep the stop waiting
                await connection.stop()
                await task.value
                throw StartError.refused(refused)
            }
            if connection.settled {
                if settledAt == nil { settledAt = .now }
                let fixed = connection.inspect { $0.precisionsFixed }
                // The instrument snapshot normally follows its ack at once; a server without it leaves the built-in table.
                if fixed || ContinuousClock.now - settledAt! > .seconds(2) {
                    // The kernel is built with these: a later instrument snapshot is warned about, not adopted.
                    connection.fixPrecisions()
                    let p = connection.inspect { $0.precisions }
                    return LiveFeed(connection: connection, buffer: buffer, task: task, precisions: p, builtInPrecisions: !fixed)
                }
            }
            if ContinuousClock.now - started > timeout {
                let counters = connection.counters
                let phase = connection.phase
                buffer.finish()
                await connection.stop()
                await task.value
                let what = counters.connects == 0
                    ? "no connection to \(config.url) (\(counters.connectFailures) attempt\(counters.connectFailures == 1 ? "" : "s") failed)"
                    : "connected to \(config.url) but the subscriptions were not acknowledged (\(phase.rawValue))"
                throw StartError.unreachable("Kraken could not be reached within \(Int(timeout.components.seconds)) s: \(what)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
