import Testing
import TradingCore
@testable import Regime

/// regime.md §13 scenarios (expected values from the spec: the reference implementation, 6 significant digits,
/// with the Swift column where the spec requires a fix).
@Suite struct RegimeScenarioTests {
    func close(_ a: Double?, _ b: Double, _ tol: Double = 5e-6) -> Bool { a.map { abs($0 - b) <= tol * abs(b) + 1e-12 } ?? false }
    func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }

    func detect(_ candles: [Candle], _ s: Symbol = .up, config: RegimeConfig = RegimeConfig(), m5: [Candle]? = nil) -> RegimeSnapshot {
        let m = FakeMarket()
        m.m1[s] = candles
        if let m5 { m.m5[s] = m5 }
        var d = RegimeDetector(config: config, symbols: [s])
        return d.update(m, at: candles.last!.start + .minutes(1))
    }

    @Test func componentScores() {                                                                // R1–R3
        #expect(CompositeScore.adx(19.99, plusDI: 30, minusDI: 10) == 0 && CompositeScore.adx(25, plusDI: 30, minusDI: 10) == 0.5)
        #expect(CompositeScore.adx(60, plusDI: 10, minusDI: 30) == -1 && close(CompositeScore.adx(30, plusDI: 20, minusDI: 20), -0.6))
        let chops = [61.9, 61.8, 50, 45, 38.2, 38.1]
        let swift = chops.map(CompositeScore.chop), ref = chops.map(CompositeScore.referenceChop)
        for (a, b) in zip(swift, [-1, -1.0, 0, 0.423729, 1.0, 1]) { #expect(close(a, b)) }
        for (a, b) in zip(ref, [-1, -0.5, 0, 0.211864, 0.5, 1]) { #expect(close(a, b)) }
        #expect(close(CompositeScore.rsi(70), 0.4) && close(CompositeScore.rsi(30), -0.4))
        #expect([2.5, 0.5, 0, 1.0].map(CompositeScore.volume) == [1, -0.5, -1, 0])
        #expect(close(CompositeScore.sentiment(55), 0.1) && close(CompositeScore.sentiment(20), -0.6) && CompositeScore.sentiment(nil) == 0)
    }

    @Test func composite() {                                                                      // R4
        let s = IndicatorScores(adx: 0.5, chop: 0.211864, ma: 0.7, rsi: 0.4, volume: 0.5, sentiment: 0.1)
        let raw = CompositeScore.composite(s, weights: .init(), mode: .reference)
        #expect(close(raw, 0.427373) && RegimeConfig().classify(raw) == .strongBull && close(CompositeScore.confidence(raw), 0.854746))
        var prod = RegimeConfig()
        prod.thresholds.strongBull = 0.5; prod.thresholds.bull = 0.2; prod.thresholds.bear = -0.2; prod.thresholds.strongBear = -0.5
        #expect(prod.classify(raw) == .bull)
        #expect(RegimeConfig().classify(0.4) == .bull && RegimeConfig().classify(-0.15) == .sideways)  // boundaries fall to the weaker class
    }

    @Test func upCandles() throws {                                                               // R5, R19
        let snap = detect(Gen.up())
        let r = try #require(snap.symbolRegimes[.up])
        #expect(close(r.adx, 100) && close(r.plusDI, 61.3646) && r.minusDI == 0 && close(r.choppiness, 17.7942) && close(r.rsi, 100))
        #expect(close(r.sma20, 4.31487) && close(r.sma50, 4.11664) && close(r.sma200, 3.29141) && close(r.atrPercent, 0.495661))
        #expect(close(r.volumeRatio, 1900.0 / 1450))
        #expect(r.scores.adx == 1 && r.scores.chop == 1 && r.scores.ma == 1 && r.scores.rsi == 1 && close(r.scores.volume, 0.310345) && r.scores.sentiment == 0)
        #expect(close(r.compositeScore, 0.831034) && r.regime == .strongBull && r.confidence == 1)
        #expect(r.trendStrength == .veryStrong && r.volatilityState == .medium)
        #expect(snap.overallRegime == .strongBull && snap.overallConfidence == 1 && snap.isTrending && snap.trendDirection == .up)
        #expect(snap.volatilityState == .medium && close(snap.compositeScore, 0.831034) && snap.regimeAgeSeconds == 0 && snap.recentTransitions == 0)
        let m = try #require(snap.mtfConfluence)                                                  // Swift column: 15m BULL
        #expect(m.perTimeframe == ["1m": .strongBull, "15m": .bull, "1h": .bull])
        #expect(m.alignmentScore == 1 && m.dominantRegime == .strongBull && m.timeframesAligned == 3 && m.totalTimeframes == 3)
        let last15 = Gen.up().suffix(15).map(\.close.doubleValue)
        #expect(close((last15.last! - last15.first!) / last15.first! * 100, 4.49, 1e-3))
    }

    @Test func downAndSideCandles() throws {                                                      // R6, R7, R21
        let d = detect(Gen.down(), .down)
        let r = try #require(d.symbolRegimes[.down])
        #expect(close(r.adx, 100) && r.plusDI == 0 && close(r.minusDI, 61.2884) && close(r.choppiness, 17.8249) && r.rsi == 0)
        #expect(close(r.sma20, 0.925022) && close(r.sma50, 0.971454) && close(r.sma200, 1.25536) && close(r.atrPercent, 0.540656))
        #expect(r.scores.adx == -1 && r.scores.chop == 1 && r.scores.ma == -1 && r.scores.rsi == -1 && close(r.scores.volume, 0.310345))
        #expect(close(r.compositeScore, -0.368966) && r.regime == .bear && close(r.confidence, 0.737931))
        #expect(r.trendStrength == .veryStrong && r.volatilityState == .medium)
        // The spec's 0.737931 is the reference's, whose 15m pseudo-timeframe could not read BEAR; with the §9.1 fix all
        // three timeframes agree (alignment 1.0 > 0.7) and the §5 boost applies: 0.737931 × 1.2.
        #expect(d.mtfConfluence?.alignmentScore == 1)
        #expect(d.overallRegime == .bear && close(d.overallConfidence, 0.737931 * 1.2) && d.isTrending && d.trendDirection == .down)
        let s = detect(Gen.side(), .side)
        let q = try #require(s.symbolRegimes[.side])
        #expect(close(q.adx, 46.6027) && close(q.plusDI, 8.75263) && close(q.minusDI, 3.95300) && close(q.choppiness, 64.3603))
        #expect(close(q.rsi, 68.6731) && close(q.sma20, 1.96883) && close(q.sma50, 1.99576) && close(q.sma200, 1.99850))
        #expect(close(q.atrPercent, 0.993881) && close(q.volumeRatio, 700.0 / 600))
        #expect(close(q.scores.adx, 0.932053) && q.scores.chop == -1 && q.scores.ma == -0.7 && close(q.scores.rsi, 0.373462) && close(q.scores.volume, 0.166667))
        #expect(close(q.compositeScore, -0.0343008) && q.regime == .sideways && close(q.confidence, 0.0686015))
        #expect(q.trendStrength == .veryStrong && q.volatilityState == .high)
        #expect(s.overallRegime == .sideways && !s.isTrending && s.trendDirection == .none && s.volatilityState == .high)
        #expect(close(s.compositeScore, -0.0343008))
    }

    @Test func sentimentInTheComposite() {                                                        // R8, R14, R35
        for (gen, sym, expected) in [(Gen.up(), Symbol.up, 0.841034), (Gen.down(), .down, -0.358966), (Gen.side(), .side, -0.0243008)] {
            let m = FakeMarket(); m.m1[sym] = gen
            var d = RegimeDetector(symbols: [sym])
            d.apply(ExternalSentiment(fearGreedValue: 55, fearGreedClassification: "Greed", btcDominance: 56.5, lastUpdated: t(0)))
            let snap = d.update(m, at: gen.last!.start + .minutes(1))
            #expect(close(snap.symbolRegimes[sym]!.rawScore, expected), "\(sym)")
            // The overall step adds 0.1 × 0.1 once more (reference mode).
            #expect(close(snap.compositeScore, expected + 0.01))
        }
        let r14 = RegimeDetector.aggregate(scores: [0.831034], confidences: [1], mtf: nil, fearGreed: 20, config: RegimeConfig())
        #expect(close(r14.score, 0.771034) && r14.regime == .strongBull)
        var sym = RegimeConfig(); sym.scoringMode = .symmetric
        #expect(RegimeDetector.aggregate(scores: [0.831034], confidences: [1], mtf: nil, fearGreed: 20, config: sym).score == 0.831034)
        var off = RegimeConfig(); off.externalEnabled = false                                    // R35
        let m = FakeMarket(); m.m1[.up] = Gen.up()
        var d = RegimeDetector(config: off, symbols: [.up])
        d.apply(ExternalSentiment(fearGreedValue: 90, fearGreedClassification: "Extreme Greed", btcDominance: 50, lastUpdated: t(0)))
        let snap = d.update(m, at: t(99_999))
        #expect(d.sentiment == nil && snap.externalSentiment == nil && snap.symbolRegimes[.up]!.scores.sentiment == 0)
        #expect(close(snap.compositeScore, 0.831034))
    }

    @Test func perSymbolSmoothing() {                                                             // R9, R10
        var up = SymbolTracker(), down = SymbolTracker()
        for _ in 0..<3 {
            #expect(close(up.smooth(0.831034, period: 3), 0.831034) && close(down.smooth(-0.368966, period: 3), -0.368966))
        }
        var one = SymbolTracker()
        #expect(one.smooth(0.3, period: 3) == 0.3 && one.smooth(0.6, period: 3) == 0.6 && close(one.smooth(0, period: 3), 0.3))
        #expect(RegimeConfig().classify(0.6) == .strongBull && RegimeConfig().classify(0.3) == .bull)
    }

    @Test func symmetricMode() throws {                                                           // R11
        var c = RegimeConfig(); c.scoringMode = .symmetric
        #expect(close(detect(Gen.up(), config: c).symbolRegimes[.up]!.compositeScore, 0.831034))
        let d = try #require(detect(Gen.down(), .down, config: c).symbolRegimes[.down])
        #expect(close(d.compositeScore, -0.831034) && d.regime == .strongBear)
        let s = try #require(detect(Gen.side(), .side, config: c).symbolRegimes[.side])
        #expect(abs(s.compositeScore) < 1e-12 && s.regime == .sideways && s.confidence < 1e-11)
    }

    @Test func aggregation() {                                                                    // R12, R13, R26
        let m = FakeMarket(); m.m1[.up] = Gen.up(); m.m1[.down] = Gen.down()
        var d = RegimeDetector(symbols: [.up, .down])
        let s = d.update(m, at: t(15_000))
        #expect(close(s.compositeScore, 0.231034) && s.overallRegime == .bull && s.isTrending && s.trendDirection == .up)
        // The MTF reading is the first symbol's (UP: alignment 1.0 > 0.7), so the mean confidence is boosted (capped at 1).
        #expect(close(s.overallConfidence, min(1, (1 + 0.737931) / 2 * 1.2)))
        let noMTF = RegimeDetector.aggregate(scores: [0.831034, -0.368966], confidences: [1, 0.737931], mtf: nil, fearGreed: nil, config: RegimeConfig())
        #expect(close(noMTF.confidence, 0.868966) && noMTF.regime == .bull)
        let r13 = RegimeDetector.aggregate(scores: [0.3, 0.1], confidences: [0.6, 0.2], mtf: nil, fearGreed: nil, config: RegimeConfig())
        #expect(close(r13.score, 0.2) && r13.regime == .bull && close(r13.confidence, 0.4))
        #expect(!(r13.confidence > 0.4))                                                          // not trending
        let mtf = MTFConfluence(timeframesAligned: 3, totalTimeframes: 4, alignmentScore: 0.75, dominantRegime: .bull, perTimeframe: [:])
        #expect(close(RegimeDetector.aggregate(scores: [0.3, 0.1], confidences: [0.6, 0.2], mtf: mtf, fearGreed: nil, config: RegimeConfig()).confidence, 0.48))
        let mix = FakeMarket(); mix.m1[.up] = Gen.up(); mix.m1[.side] = Gen.side()                // R26
        var d2 = RegimeDetector(symbols: [.up, .side])
        #expect(d2.update(mix, at: t(15_000)).volatilityState == .high)
    }

    @Test func hysteresis() {                                                                     // R15–R17
        func run(_ readings: [(Int64, MarketRegime)]) -> [MarketRegime] {
            var h = RegimeHysteresis(minDuration: 60, confirmationBars: 3)
            return readings.map { h.judge($0.1, at: t($0.0)) }
        }
        #expect(run([(0, .sideways), (10, .bull), (70, .bull), (71, .bull), (72, .bull), (73, .bull)]) == [.sideways, .sideways, .sideways, .sideways, .bull, .bull])
        var h = RegimeHysteresis(minDuration: 60, confirmationBars: 3)
        for (s, r) in [(Int64(0), MarketRegime.sideways), (10, .bull), (70, .bull), (71, .bull), (72, .bull)] { _ = h.judge(r, at: t(s)) }
        #expect(h.startTime == t(72))
        #expect(run([(0, .sideways), (61, .bull), (62, .sideways), (63, .bull), (64, .bull)]).allSatisfy { $0 == .sideways })
        #expect(run([(0, .sideways), (61, .bull), (62, .bear), (63, .strongBull)]).last == .sideways)
    }

    @Test func transitions() {                                                                    // R18
        var h = TransitionHistory()
        for (s, r) in [(Int64(0), MarketRegime.sideways), (10, .bull), (20, .bull), (30, .sideways)] { h.append(t(s), r) }
        #expect(h.transitions(at: t(40)) == 2 && h.transitions(at: t(3610)) == 1 && h.transitions(at: t(3700)) == 0)
    }

    @Test func productionThresholds() {                                                           // R22
        var c = RegimeConfig()
        c.thresholds.strongBull = 0.5; c.thresholds.bull = 0.2; c.thresholds.bear = -0.2; c.thresholds.strongBear = -0.5
        #expect(detect(Gen.up(), config: c).overallRegime == .strongBull)
    }

    @Test func tooFewCandles() {                                                                  // R23
        for n in [199, 100] {
            let s = detect(Gen.up(n))
            #expect(s == RegimeSnapshot.neutral(at: Gen.up(n).last!.start + .minutes(1), weights: RegimeConfig().weights.byName))
            #expect(s.shouldReduceExposure)
        }
    }

    @Test func multiTimeframe() throws {                                                          // R24, R25
        let up = Gen.up()
        let m = try #require(detect(up, m5: Array(up.prefix(50))).mtfConfluence)
        #expect(m.perTimeframe == ["1m": .strongBull, "5m": .bull, "15m": .bull, "1h": .bull])
        #expect(m.dominantRegime == .strongBull && m.alignmentScore == 1 && m.timeframesAligned == 4)
        #expect(m.summary == "Strong STRONG_BULL alignment (4/4 timeframes)")
        let side = Gen.side()
        let s = try #require(detect(side, .side, m5: Array(side.suffix(100))).mtfConfluence)
        #expect(s.perTimeframe == ["1m": .sideways, "5m": .sideways, "15m": .bull, "1h": .bull])
        #expect(s.dominantRegime == .sideways && close(s.alignmentScore, 0.7) && s.timeframesAligned == 2)
        #expect(s.summary == "Moderate SIDEWAYS alignment (2/4 timeframes)")
        let closes = side.suffix(15).map(\.close.doubleValue)
        #expect(close((closes.last! - closes.first!) / closes.first! * 100, 1.566, 1e-3))
        // The reference's guard (fewer than 20 closes → sideways) is gone; 60 closes still use the SMA refinement.
        #expect(MultiTimeframe.classifyRecent([100, 100.5, 101.5], window: 3) == .bull)
        #expect(MultiTimeframe.classifyRecent([100, 100.5, 101], window: 3) == .sideways)          // exactly +1 % is not > 1
        #expect(MultiTimeframe.classifyRecent([1, 2], window: 3) == nil)
    }

    @Test func router() {                                                                         // R20, R27–R29
        func snap(_ r: MarketRegime, _ v: VolatilityState, _ c: Double, _ tr: Int = 0) -> RegimeSnapshot {
            var s = RegimeSnapshot.neutral(at: t(0), weights: [:])
            s.overallRegime = r; s.volatilityState = v; s.overallConfidence = c; s.recentTransitions = tr
            return s
        }
        let router = ParameterRouter()
        let up = detect(Gen.up())
        let mr = router.adjustments("mean_reversion", up)
        #expect(!router.shouldTrade("mean_reversion", up) && mr.positionSize == 0.3 && mr.stopLoss == 2 && mr.entryThresholdShift == 0.5)
        let ms = router.adjustments("momentum_scalping", up)
        #expect(router.shouldTrade("momentum_scalping", up) && close(ms.positionSize, 1.2) && ms.takeProfit == 1.5)
        #expect(up.favoursTrendStrategies && !up.favoursMeanReversion)
        let a27 = router.adjustments("mean_reversion", snap(.sideways, .low, 0.8))
        #expect(close(a27.positionSize, 1.2) && close(a27.maxPosition, 1.2) && a27.stopLoss == 1 && a27.takeProfit == 0.8 && a27.entryThresholdShift == 0 && a27.strategyEnabled)
        let a28 = router.adjustments("mean_reversion", snap(.bull, .high, 0.3))
        #expect(close(a28.positionSize, 0.336) && close(a28.maxPosition, 0.56) && a28.stopLoss == 1.5 && a28.takeProfit == 1 && a28.entryThresholdShift == 0.3 && a28.strategyEnabled)
        let g = router.adjustments("grid_trading", snap(.sideways, .medium, 0.6, 7))
        #expect(close(g.positionSize, 0.84) && close(g.maxPosition, 0.7))
        #expect(router.adjustments("grid_rsi_reversion", snap(.sideways, .medium, 0.6, 7)) == g)  // the alias
        let x = router.adjustments("momentum_scalping", snap(.strongBear, .extreme, 0.9))
        #expect(close(x.positionSize, 0.36) && close(x.maxPosition, 0.3) && x.takeProfit == 1.5 && !x.strategyEnabled)
        let u = router.adjustments("order_flow", snap(.bull, .medium, 0.2))
        #expect(close(u.positionSize, 0.7) && u.strategyEnabled)
        // The table is data, overridable cell by cell (§11.1); the alias applies to overrides too.
        let o = try! ParameterRouter(overrides: ["mean_reversion": ["BULL": ["position_size": "0.9", "strategy_enabled": "false"]],
                                                 "grid_trading": ["SIDEWAYS": ["position_size": "2"]]])
        let ob = o.adjustments("mean_reversion", snap(.bull, .medium, 0.8))
        #expect(ob.positionSize == 0.9 && !ob.strategyEnabled && ob.stopLoss == 1.5)         // other cells keep the built-in
        #expect(o.adjustments("grid_rsi_reversion", snap(.sideways, .medium, 0.8)).positionSize == 2)
        #expect(throws: ParameterRouter.OverrideError.self) { try ParameterRouter(overrides: ["x": ["BULL": ["cooldown": "-1"]]]) }
        // Each router owns its table: changing one leaves another (and the built-in) alone.
        var custom = ParameterRouter(); custom.table["order_flow"] = [.bull: RegimeAdjustments(positionSize: 2)]
        #expect(ParameterRouter().table["order_flow"] == nil && custom.table["order_flow"] != nil)
    }

    @Test func applyAdjustments() {                                                               // R30, R31
        var s = RegimeSnapshot.neutral(at: t(0), weights: [:])
        s.overallRegime = .bull; s.volatilityState = .medium; s.overallConfidence = 0.8
        let a = ParameterRouter().adjustments("mean_reversion", s)
        let params: [String: ParameterValue] = ["position_size_usd": .decimal(Money(20)), "stop_loss_pct": .double(1.0),
                                                 "take_profit_pct": .double(0.5), "entry_threshold": .double(2.0), "cooldown_seconds": .int(30)]
        let out = ParameterRouter.apply(a, to: params, roles: ["position_size_usd": .positionSize, "stop_loss_pct": .stopLoss,
                                                                "take_profit_pct": .takeProfit, "entry_threshold": .shiftable, "cooldown_seconds": .cooldown])
        #expect(out["position_size_usd"] == .decimal(Money(12)) && out["stop_loss_pct"] == .double(1.5) && out["take_profit_pct"] == .double(0.5))
        #expect(out["entry_threshold"] == .double(2.3) && out["cooldown_seconds"] == .int(30) && a.strategyEnabled)
        let h = RegimeAdjustments(positionSize: 0.6, stopLoss: 1.5).applyingVolatilityModifier(.high)
        #expect(close(h.positionSize, 0.42) && close(h.stopLoss, 2.25) && h.takeProfit == 1.5 && h.maxPosition == 0.7 && h.strategyEnabled)
        let e = RegimeAdjustments().applyingVolatilityModifier(.extreme)
        #expect(e.positionSize == 0.3 && !e.strategyEnabled)
    }

    @Test func predicates() {                                                                     // R36
        func snap(_ r: MarketRegime, _ c: Double, _ trending: Bool, _ v: VolatilityState, _ tr: Int = 0) -> RegimeSnapshot {
            var s = RegimeSnapshot.neutral(at: t(0), weights: [:])
            s.overallRegime = r; s.overallConfidence = c; s.isTrending = trending; s.volatilityState = v; s.recentTransitions = tr
            s.trendDirection = r.family > 0 ? .up : r.family < 0 ? .down : .none
            return s
        }
        #expect(snap(.bull, 0.7, true, .medium).favoursTrendStrategies)
        #expect(!snap(.sideways, 0.7, false, .medium).favoursTrendStrategies)
        #expect(snap(.sideways, 0.6, false, .low).favoursMeanReversion)
        #expect(snap(.sideways, 0.6, false, .extreme).shouldReduceExposure)
        #expect(snap(.bull, 0.6, true, .medium, 10).shouldReduceExposure)
        #expect(snap(.bull, 0.74, true, .medium).summary == "Regime: BULL (confidence: 74%) | Volatility: MEDIUM | Trending: Yes (UP)")
    }

    @Test func configValidation() {                                                               // §3
        var c = RegimeConfig(); c.thresholds.bull = 0.5
        #expect(throws: RegimeConfig.Invalid.self) { try c.validate() }
        var w = RegimeConfig(); w.weights.adx = -0.1
        #expect(throws: RegimeConfig.Invalid.self) { try w.validate() }
        var s = RegimeConfig(); s.weights.adx = 0.5; s.minRegimeDuration = 5; s.confirmationBars = 1
        #expect(s.warnings.count == 3)
        #expect(RegimeConfig().warnings.isEmpty)
    }
}
