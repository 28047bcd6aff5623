import Testing
import TradingCore
@testable import Regime

/// The detector runs once per new closed 1m bar (regime.md §4.3 / §7.1 fixes), incrementally.
@Suite struct RegimeDetectorTests {
    @Test func evaluatesOncePerClosedBar() {
        let all = Gen.up(260)
        let m = FakeMarket(); m.m1[.up] = Array(all.prefix(250))
        var d = RegimeDetector(symbols: [.up])
        let t0 = all[249].start + .minutes(1)
        let first = d.update(m, at: t0)
        // Ticks between bars reuse the reading: no smoothing or hysteresis step, only the age moves.
        for k in 1...5 { _ = d.update(m, at: t0 + .seconds(Int64(k))) }
        #expect(d.evaluations == 1)
        let between = d.update(m, at: t0 + .seconds(30))
        #expect(between.regimeAgeSeconds == 30 && between.compositeScore == first.compositeScore && between.timestamp == t0 + .seconds(30))
        m.m1[.up] = Array(all.prefix(251))
        _ = d.update(m, at: t0 + .minutes(1))
        #expect(d.evaluations == 2)
    }

    /// Fed bar by bar or all at once, the indicator readings of the newest bar are bitwise the same.
    @Test func incrementalEqualsOneShot() throws {
        let all = Gen.side(300)
        let m = FakeMarket()
        var step = RegimeDetector(symbols: [.side])
        for n in 1...300 { m.m1[.side] = Array(all.prefix(n)); _ = step.update(m, at: all[n - 1].start + .minutes(1)) }
        var once = RegimeDetector(symbols: [.side])
        let a = try #require(step.snapshot?.symbolRegimes[.side]), b = try #require(once.update(m, at: all[299].start + .minutes(1)).symbolRegimes[.side])
        #expect(a.adx.bitPattern == b.adx.bitPattern && a.choppiness.bitPattern == b.choppiness.bitPattern && a.rsi.bitPattern == b.rsi.bitPattern)
        #expect(a.sma200.bitPattern == b.sma200.bitPattern && a.atrPercent.bitPattern == b.atrPercent.bitPattern && a.rawScore.bitPattern == b.rawScore.bitPattern)
        // Bar by bar, 101 bars were scored (200…300) and smoothed over the last three.
        #expect(step.evaluations == 101)
    }

    /// A regime change needs three consecutive closed bars, however many ticks fall between them.
    @Test func hysteresisCountsBarsNotTicks() {
        var c = RegimeConfig(); c.minRegimeDuration = 0
        let side = Gen.side(250), up = Gen.up(400)
        // SIDE history, then a strong up-leg spliced on: the raw regime turns bullish after a few bars.
        var candles = side
        let last = side.last!.close.doubleValue
        for i in 0..<150 {
            let u = up[i], f = last / 2.0
            candles.append(Gen.candle(250 + i, o: u.open.doubleValue * f, h: u.high.doubleValue * f, l: u.low.doubleValue * f,
                                      c: u.close.doubleValue * f, v: u.volume.doubleValue))
        }
        let m = FakeMarket()
        var d = RegimeDetector(config: c, symbols: [.side])
        var finals: [MarketRegime] = [], raws: [MarketRegime] = []
        for n in 250...candles.count {
            m.m1[.side] = Array(candles.prefix(n))
            let t0 = candles[n - 1].start + .minutes(1)
            for k in 0..<10 { _ = d.update(m, at: t0 + .seconds(Int64(k))) }     // ten ticks per bar
            finals.append(d.snapshot!.overallRegime)
            raws.append(RegimeConfig().classify(d.snapshot!.compositeScore))
        }
        // The final regime switches exactly on the third consecutive bar of a new raw reading.
        var h = RegimeHysteresis(minDuration: 0, confirmationBars: 3)
        let expected = raws.enumerated().map { h.judge($0.element, at: Timestamp(seconds: Int64($0.offset) * 60)) }
        #expect(finals == expected)
        #expect(Set(finals).count > 1)
    }

    /// The real-candle option reads the engine's 15m/1h/4h candles instead of the pseudo-timeframes.
    @Test func realCandleTimeframes() throws {
        var c = RegimeConfig(); c.mtfSource = .candles
        let m = FakeMarket(); m.m1[.up] = Gen.up()
        m.other[.m15] = [.up: Array(Gen.down(60))]            // a falling 15m series: BEAR there
        m.other[.h1] = [.up: Array(Gen.up(49))]               // 49 candles: too few for a reading
        var d = RegimeDetector(config: c, symbols: [.up])
        let mtf = try #require(d.update(m, at: Timestamp(seconds: 20_000)).mtfConfluence)
        #expect(mtf.perTimeframe == ["1m": .strongBull, "15m": .bear])
        // bull 1 vs bear 3 of 4: the bear share 0.75 makes BEAR dominant; one timeframe in its family.
        #expect(mtf.dominantRegime == .bear && mtf.alignmentScore == 0.75 && mtf.timeframesAligned == 1)
    }
}

/// R9 and R23 through the detector itself.
@Suite struct RegimeDetectorScenarioTests {
    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 5e-6 * abs(b) + 1e-12 } ?? false }

    /// R9, Swift column: each symbol smooths its own history. Three closed bars of the same readings (the newest
    /// candle repeated) keep UP at 0.831034 and DOWN at −0.368966; a shared history would pull UP to 0.431034.
    @Test func perSymbolHistoryThroughTheDetector() throws {
        let m = FakeMarket()
        var up = Gen.up(), down = Gen.down()
        var d = RegimeDetector(symbols: [.up, .down])
        for k in 0..<3 {
            if k > 0 {
                // One more closed bar per symbol with the same values as the last, so the raw composites repeat.
                var u = up.last!; u.start = u.start + .minutes(1); up.append(u)
                var w = down.last!; w.start = w.start + .minutes(1); down.append(w)
            }
            m.m1[.up] = up; m.m1[.down] = down
            let s = d.update(m, at: up.last!.start + .minutes(1))
            let ru = try #require(s.symbolRegimes[.up]), rd = try #require(s.symbolRegimes[.down])
            #expect(ru.regime == .strongBull && rd.regime == .bear, "bar \(k)")
            #expect(abs(ru.compositeScore - ru.rawScore) < 0.02 && abs(rd.compositeScore - rd.rawScore) < 0.02, "bar \(k)")
        }
        #expect(d.evaluations == 3)
    }

    /// R23: too little history leaves the detector's state as it was (no evaluation, no hysteresis start).
    @Test func tooFewCandlesTouchNothing() {
        let m = FakeMarket(); m.m1[.up] = Gen.up(199)
        var d = RegimeDetector(symbols: [.up])
        let s = d.update(m, at: Timestamp(seconds: 99_999))
        #expect(d.evaluations == 0 && s.regimeAgeSeconds == 0 && s.recentTransitions == 0 && s.symbolRegimes.isEmpty)
        m.m1[.up] = Gen.up(250)
        #expect(d.update(m, at: Timestamp(seconds: 100_000)).regimeAgeSeconds == 0)               // the first real reading
    }

    /// A history that never moved reads RSI 50 in the detector (the reference's neutral), not TA-Lib's 0.
    @Test func flatHistoryIsNeutral() throws {
        let m = FakeMarket()
        m.m1[.up] = (0..<250).map { Gen.candle($0, o: 1, h: 1, l: 1, c: 1, v: 100) }
        var d = RegimeDetector(symbols: [.up])
        let r = try #require(d.update(m, at: Timestamp(seconds: 99_999)).symbolRegimes[.up])
        #expect(r.rsi == 50 && r.scores.rsi == 0 && r.regime == .sideways)
    }
}
