import TradingCore

/// Everything the live client is told (the `data.*` keys of market-data §7 and issue 8).
public struct KrakenClientConfig: Sendable, Equatable {
    public var url = "wss://ws.kraken.com/v2"
    public var symbols: [Symbol] = []
    /// Levels kept and checked; the subscription asks for the smallest depth Kraken offers that covers it.
    public var bookDepth = 10
    public var reconnectDelay: Interval = .seconds(1)
    public var maxReconnectDelay: Interval = .seconds(60)
    public var reconnectJitter = 0.2
    public var stableConnection: Interval = .seconds(60)
    public var maxConnectsPer10Min = 100
    public var maintenanceMinDelay: Interval = .seconds(5)
    public var idlePingAfter: Interval = .seconds(5)
    public var livenessTimeout: Interval = .seconds(15)
    public var keepalivePing: Interval = .seconds(30)
    /// A book subscription silent this long while the connection is alive is resubscribed (decision 24).
    public var channelSilence: Interval = .seconds(60)
    public var ackTimeout: Interval = .seconds(10)
    /// A book whose updates arrive later than this behind the fastest seen is resynced.
    public var maxLag: Interval = .seconds(5)
    public var verifyChecksum = true
    public var ohlcInterval = 1

    public init() {}

    /// Kraken's book depths.
    public static let depths = [10, 25, 100, 500, 1000]
    public var subscriptionDepth: Int { Self.depths.first { $0 >= bookDepth } ?? 1000 }

    public var policy: ReconnectPolicy {
        ReconnectPolicy(base: reconnectDelay, cap: maxReconnectDelay, jitter: reconnectJitter, stableConnection: stableConnection,
                        maintenanceMinDelay: maintenanceMinDelay, maxAttempts: maxConnectsPer10Min)
    }
}
