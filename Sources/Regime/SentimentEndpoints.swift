/// Where and how the edge fetches external sentiment (`regime_detection.external.*`, resolution 58 and decision 44:
/// live sessions only; simulated sessions see "unknown").
public struct SentimentEndpoints: Sendable, Equatable {
    public var fearGreedURL = "https://api.alternative.me/fng/"
    public var btcDominanceURL = "https://api.coingecko.com/api/v3/global"
    /// Per request, each source on its own.
    public var timeoutSeconds = 10.0
    /// Sent as `x-cg-demo-api-key` when set (CoinGecko's public API may ask for one).
    public var coingeckoAPIKey = ""
    /// How long a fetched value is reused (the reference's fixed 5 minutes).
    public var cacheTTLSeconds = 300.0
    public init() {}
}
