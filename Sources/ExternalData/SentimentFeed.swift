import AsyncHTTPClient
import Foundation
import Synchronization
import TradingCore
import Regime

/// Runs a `SentimentFetcher` in the background (off the kernel thread) and hands each changed reading to the
/// session loop, which turns it into a recorded `MarketEvent.sentiment` at engine time (the reference fetched on
/// the tick path).
public final class SentimentFeed: Sendable {
    private let client: HTTPClient
    private let fetcher: SentimentFetcher
    private final class Latest: Sendable {
        let m = Mutex<(value: ExternalSentiment?, delivered: Bool)>((nil, true))
    }
    private let latest = Latest()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Checks what is due every `poll` seconds of wall time.
    public init(endpoints: SentimentEndpoints, poll: Double = 1) {
        client = HTTPClient(eventLoopGroupProvider: .singleton)
        fetcher = SentimentFetcher(endpoints: endpoints, client: client, clock: {
            Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9))
        })
        let f = fetcher, box = latest
        let t = Task.detached {
            while !Task.isCancelled {
                let v = await f.refresh()
                box.m.withLock { if $0.value != v { $0 = (v, false) } }
                try? await Task.sleep(nanoseconds: UInt64(poll * 1e9))
            }
        }
        task.withLock { $0 = t }
    }

    /// A reading not yet delivered, once.
    public func take() -> ExternalSentiment? {
        latest.m.withLock { s in
            guard !s.delivered, let v = s.value else { return nil }
            s.delivered = true
            return v
        }
    }

    public var failures: [String: Int] { get async { await fetcher.failures } }

    public func stop() {
        task.withLock { $0?.cancel() }
        try? client.syncShutdown()
    }
}
