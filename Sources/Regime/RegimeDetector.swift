import TradingCore

/// The market-regime detector (regime.md §8) as a synchronous state machine the kernel owns. It reads the engine's
/// closed candles incrementally: each new closed 1m candle of a configured symbol is fed once, and the pipeline
/// (per-symbol scores → multi-timeframe confluence → market-wide aggregation → hysteresis) runs only on ticks where
/// such a candle arrived; on other ticks the previous snapshot stands with its age refreshed. External sentiment
/// arrives as a recorded `MarketEvent`, so a replay sees what the session saw. No clock, no I/O.
public struct RegimeDetector: Sendable {
    public let config: RegimeConfig
    /// Analysed in this order; the first with a result gives the multi-timeframe reading.
    public let symbols: [Symbol]
    /// Aligned with `symbols`; mutated in place (a copy out of a dictionary would copy its windows every bar).
    private var trackers: [SymbolTracker]
    private var hysteresis: RegimeHysteresis
    private var history: TransitionHistory
    private var lastResults: [SymbolRegime?]
    public private(set) var sentiment: ExternalSentiment?
    public private(set) var snapshot: RegimeSnapshot?
    /// Pipeline runs so far (one per tick with a new closed bar).
    public private(set) var evaluations = 0

    public init(config: RegimeConfig = RegimeConfig(), symbols: [Symbol]) {
        self.config = config
        self.symbols = symbols
        trackers = Array(repeating: SymbolTracker(), count: symbols.count)
        lastResults = Array(repeating: nil, count: symbols.count)
        hysteresis = RegimeHysteresis(minDuration: config.minRegimeDuration, confirmationBars: config.confirmationBars)
        history = TransitionHistory(window: config.transitionWindow)
    }

    /// The latest external reading (ignored when external data is disabled).
    public mutating func apply(_ s: ExternalSentiment) {
        if config.externalEnabled { sentiment = s }
    }

    private var fearGreed: Int? { config.externalEnabled ? sentiment?.fearGreedValue : nil }

    /// Brings the detector up to the market at `t` and returns the snapshot strategies see.
    @discardableResult
    public mutating func update(_ market: any MarketView, at t: Timestamp) -> RegimeSnapshot {
        advance(market, at: t)
        return reading(at: t)
    }

    /// The reading at `t`: the last evaluation's, its time and the current regime's age brought to `t` (between bars
    /// only the age moves, §7.1). Computed when read, so a tick nobody reads costs nothing.
    public func reading(at t: Timestamp) -> RegimeSnapshot {
        guard var s = snapshot else { return .neutral(at: t, weights: config.weights.byName) }
        if s.timestamp != t {
            s.timestamp = t
            s.regimeAgeSeconds = hysteresis.age(at: t)
        }
        return s
    }

    /// Feeds each symbol's new closed 1m candles and, if any arrived, runs the pipeline; between bars it only looks
    /// at the newest candle of each symbol.
    public mutating func advance(_ market: any MarketView, at t: Timestamp) {
        var fresh = false
        let fg = fearGreed
        for (k, s) in symbols.enumerated() {
            let candles = market.candles(.m1, s)
            // New candles are at the end: find the first one after the last consumed.
            var i = candles.count
            while i > 0, trackers[k].lastStart.map({ candles[i - 1].start > $0 }) ?? true { i -= 1 }
            guard i < candles.count else { continue }
            for j in i..<candles.count { trackers[k].feed(candles[j]) }
            lastResults[k] = trackers[k].evaluate(s, fearGreed: fg, config: config)
            fresh = true
        }
        guard fresh || snapshot == nil else { return }
        let results = lastResults.compactMap { $0 }
        guard let first = results.first else {
            // Nothing to judge: the neutral reading; hysteresis and history do not move (§8 step 2).
            snapshot = RegimeSnapshot.neutral(at: t, weights: config.weights.byName)
            return
        }
        evaluations += 1
        let mtf = MultiTimeframe.confluence(timeframes(first.symbol, market), weights: config.mtfWeights)
        let overall = aggregate(results, mtf: mtf)
        // The age is the previous regime's on the evaluation that changes it (§7.2).
        let ageBefore = hysteresis.age(at: t)
        let final = hysteresis.judge(overall.regime, at: t)
        let transitions = history.transitions(at: t)
        history.append(t, final)
        let trending = final != .sideways && overall.confidence > 0.4
        let direction: TrendDirection = final.family > 0 ? .up : final.family < 0 ? .down : .none
        let snap = RegimeSnapshot(
            timestamp: t, overallRegime: final, overallConfidence: overall.confidence, isTrending: trending,
            trendDirection: direction, volatilityState: results.map(\.volatilityState).max() ?? .medium,
            symbolRegimes: Dictionary(uniqueKeysWithValues: results.map { ($0.symbol, $0) }), mtfConfluence: mtf,
            externalSentiment: config.externalEnabled ? sentiment : nil, compositeScore: overall.score,
            indicatorWeights: config.weights.byName, regimeAgeSeconds: ageBefore, recentTransitions: transitions)
        snapshot = snap
    }

    /// §5: mean score and confidence, the confluence boost, the sentiment adjustment (reference mode only).
    func aggregate(_ results: [SymbolRegime], mtf: MTFConfluence?) -> (regime: MarketRegime, confidence: Double, score: Double) {
        Self.aggregate(scores: results.map(\.compositeScore), confidences: results.map(\.confidence), mtf: mtf,
                       fearGreed: fearGreed, config: config)
    }

    public static func aggregate(scores: [Double], confidences: [Double], mtf: MTFConfluence?, fearGreed: Int?,
                                 config: RegimeConfig) -> (regime: MarketRegime, confidence: Double, score: Double) {
        guard !scores.isEmpty else { return (.sideways, 0, 0) }
        var score = scores.reduce(0, +) / Double(scores.count)
        var confidence = confidences.reduce(0, +) / Double(confidences.count)
        if let m = mtf, m.alignmentScore > 0.7 { confidence = Swift.min(1, confidence * 1.2) }
        if config.scoringMode == .reference, let fg = fearGreed { score += 0.1 * (Double(fg) - 50) / 50 }
        return (config.classify(score), confidence, score)
    }

    /// Per-timeframe readings for `s` (§9.1).
    func timeframes(_ s: Symbol, _ market: any MarketView) -> [String: MarketRegime] {
        guard let k = symbols.firstIndex(of: s) else { return [:] }
        let tracker = trackers[k]
        var out: [String: MarketRegime] = [:]
        if tracker.fed >= 50, let r = MultiTimeframe.classify(tracker.closes) { out["1m"] = r }
        if let r = MultiTimeframe.classify(market.candles(.m5, s).map(\.close.doubleValue)) { out["5m"] = r }
        switch config.mtfSource {
        case .pseudo:
            if tracker.fed >= 60 {
                out["15m"] = MultiTimeframe.classifyRecent(tracker.closes, window: 15)
                out["1h"] = MultiTimeframe.classifyRecent(tracker.closes, window: 60)
            }
        case .candles:
            for (tf, name) in [(Timeframe.m15, "15m"), (.h1, "1h"), (.h4, "4h")] {
                if let r = MultiTimeframe.classify(market.candles(tf, s).map(\.close.doubleValue)) { out[name] = r }
            }
        }
        return out
    }
}
