/// The market-regime detector's view of the market (regime.md §2), carried in `DataSnapshot` for strategies that
/// declare they read it. Value types only: the detector lives in the `Regime` target.

/// The five regimes; raw values are the names logs and JSON use.
public enum MarketRegime: String, Sendable, Codable, CaseIterable {
    case strongBull = "STRONG_BULL", bull = "BULL", sideways = "SIDEWAYS", bear = "BEAR", strongBear = "STRONG_BEAR"

    /// Bull and strong bull are one family, bear and strong bear another (multi-timeframe alignment counts families).
    public var family: Int { switch self { case .strongBull, .bull: 1; case .sideways: 0; case .bear, .strongBear: -1 } }
}

public enum VolatilityState: String, Sendable, Codable, CaseIterable, Comparable {
    case low = "LOW", medium = "MEDIUM", high = "HIGH", extreme = "EXTREME"

    /// From ATR(14) / price × 100 on 1-minute candles: < 0.3 low, < 0.8 medium, < 1.5 high, else extreme.
    public init(atrPercent v: Double) { self = v < 0.3 ? .low : v < 0.8 ? .medium : v < 1.5 ? .high : .extreme }

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// ADX bands: < 15 absent, < 20 weak, < 25 emerging, < 40 strong, else very strong.
public enum TrendStrength: String, Sendable, Codable, CaseIterable {
    case absent = "ABSENT", weak = "WEAK", emerging = "EMERGING", strong = "STRONG", veryStrong = "VERY_STRONG"

    public init(adx: Double) {
        self = adx < 15 ? .absent : adx < 20 ? .weak : adx < 25 ? .emerging : adx < 40 ? .strong : .veryStrong
    }
}

public enum TrendDirection: String, Sendable, Codable { case up = "UP", down = "DOWN", none = "NONE" }

/// Component scores, each −1…+1.
public struct IndicatorScores: Sendable, Equatable, Codable {
    public var adx = 0.0, chop = 0.0, ma = 0.0, rsi = 0.0, volume = 0.0, sentiment = 0.0
    public init(adx: Double = 0, chop: Double = 0, ma: Double = 0, rsi: Double = 0, volume: Double = 0, sentiment: Double = 0) {
        self.adx = adx; self.chop = chop; self.ma = ma; self.rsi = rsi; self.volume = volume; self.sentiment = sentiment
    }
}

/// One symbol's reading, with the raw indicator values for diagnostics.
public struct SymbolRegime: Sendable, Equatable, Codable {
    public var symbol: Symbol
    public var regime: MarketRegime
    public var confidence: Double
    public var trendStrength: TrendStrength
    public var volatilityState: VolatilityState
    /// The smoothed composite the regime was classified from.
    public var compositeScore: Double
    /// This bar's composite before smoothing.
    public var rawScore: Double
    public var scores: IndicatorScores
    public var adx: Double, plusDI: Double, minusDI: Double, choppiness: Double, rsi: Double
    public var sma20: Double, sma50: Double, sma200: Double, atrPercent: Double, volumeRatio: Double

    public init(symbol: Symbol, regime: MarketRegime, confidence: Double, trendStrength: TrendStrength,
                volatilityState: VolatilityState, compositeScore: Double, rawScore: Double, scores: IndicatorScores,
                adx: Double, plusDI: Double, minusDI: Double, choppiness: Double, rsi: Double,
                sma20: Double, sma50: Double, sma200: Double, atrPercent: Double, volumeRatio: Double) {
        self.symbol = symbol; self.regime = regime; self.confidence = confidence; self.trendStrength = trendStrength
        self.volatilityState = volatilityState; self.compositeScore = compositeScore; self.rawScore = rawScore
        self.scores = scores; self.adx = adx; self.plusDI = plusDI; self.minusDI = minusDI; self.choppiness = choppiness
        self.rsi = rsi; self.sma20 = sma20; self.sma50 = sma50; self.sma200 = sma200; self.atrPercent = atrPercent
        self.volumeRatio = volumeRatio
    }
}

/// Multi-timeframe agreement (regime.md §9): keys "1m", "5m", "15m", "1h", "4h".
public struct MTFConfluence: Sendable, Equatable, Codable {
    public var timeframesAligned: Int
    public var totalTimeframes: Int
    public var alignmentScore: Double
    public var dominantRegime: MarketRegime
    public var perTimeframe: [String: MarketRegime]

    public init(timeframesAligned: Int, totalTimeframes: Int, alignmentScore: Double, dominantRegime: MarketRegime,
                perTimeframe: [String: MarketRegime]) {
        self.timeframesAligned = timeframesAligned; self.totalTimeframes = totalTimeframes
        self.alignmentScore = alignmentScore; self.dominantRegime = dominantRegime; self.perTimeframe = perTimeframe
    }

    public var summary: String {
        let word = alignmentScore > 0.85 ? "Strong" : alignmentScore > 0.7 ? "Good" : alignmentScore > 0.5 ? "Moderate" : "Weak"
        return "\(word) \(dominantRegime.rawValue) alignment (\(timeframesAligned)/\(totalTimeframes) timeframes)"
    }
}

/// Fear & Greed and BTC dominance as the session saw them; a source that is unknown is nil (never a made-up value).
public struct ExternalSentiment: Sendable, Equatable, Hashable {
    public var fearGreedValue: Int?
    public var fearGreedClassification: String?
    /// Percent of total market capitalisation, e.g. 56.5.
    public var btcDominance: Double?
    /// When the older of the two values was fetched.
    public var lastUpdated: Timestamp

    public init(fearGreedValue: Int?, fearGreedClassification: String?, btcDominance: Double?, lastUpdated: Timestamp) {
        self.fearGreedValue = fearGreedValue; self.fearGreedClassification = fearGreedClassification
        self.btcDominance = btcDominance; self.lastUpdated = lastUpdated
    }
}

/// The market-wide reading at one moment.
public struct RegimeSnapshot: Sendable, Equatable {
    public var timestamp: Timestamp
    public var overallRegime: MarketRegime
    public var overallConfidence: Double
    public var isTrending: Bool
    public var trendDirection: TrendDirection
    public var volatilityState: VolatilityState
    public var symbolRegimes: [Symbol: SymbolRegime]
    public var mtfConfluence: MTFConfluence?
    public var externalSentiment: ExternalSentiment?
    public var compositeScore: Double
    public var indicatorWeights: [String: Double]
    public var regimeAgeSeconds: Double
    public var recentTransitions: Int

    public init(timestamp: Timestamp, overallRegime: MarketRegime, overallConfidence: Double, isTrending: Bool,
                trendDirection: TrendDirection, volatilityState: VolatilityState, symbolRegimes: [Symbol: SymbolRegime],
                mtfConfluence: MTFConfluence?, externalSentiment: ExternalSentiment?, compositeScore: Double,
                indicatorWeights: [String: Double], regimeAgeSeconds: Double, recentTransitions: Int) {
        self.timestamp = timestamp; self.overallRegime = overallRegime; self.overallConfidence = overallConfidence
        self.isTrending = isTrending; self.trendDirection = trendDirection; self.volatilityState = volatilityState
        self.symbolRegimes = symbolRegimes; self.mtfConfluence = mtfConfluence; self.externalSentiment = externalSentiment
        self.compositeScore = compositeScore; self.indicatorWeights = indicatorWeights
        self.regimeAgeSeconds = regimeAgeSeconds; self.recentTransitions = recentTransitions
    }

    /// Nothing to judge yet (fewer than 200 closed 1m candles everywhere).
    public static func neutral(at t: Timestamp, weights: [String: Double]) -> RegimeSnapshot {
        RegimeSnapshot(timestamp: t, overallRegime: .sideways, overallConfidence: 0, isTrending: false, trendDirection: .none,
                       volatilityState: .medium, symbolRegimes: [:], mtfConfluence: nil, externalSentiment: nil,
                       compositeScore: 0, indicatorWeights: weights, regimeAgeSeconds: 0, recentTransitions: 0)
    }

    // §2.3 predicates.
    public var favoursTrendStrategies: Bool { isTrending && overallConfidence > 0.5 && volatilityState != .extreme }
    public var favoursMeanReversion: Bool { !isTrending && overallRegime == .sideways && volatilityState <= .medium }
    public var favoursScalping: Bool { (volatilityState == .medium || volatilityState == .high) && overallConfidence > 0.4 }
    public var shouldReduceExposure: Bool { volatilityState == .extreme || overallConfidence < 0.3 || recentTransitions > 5 }

    /// "Regime: BULL (confidence: 74%) | Volatility: MEDIUM | Trending: Yes (UP)" (§11.4).
    public var summary: String {
        let pct = Int((overallConfidence * 100).rounded())
        return "Regime: \(overallRegime.rawValue) (confidence: \(pct)%) | Volatility: \(volatilityState.rawValue) | Trending: \(isTrending ? "Yes" : "No") (\(trendDirection.rawValue))"
    }
}
