import Foundation
import Testing
import TradingCore
@testable import Indicators

/// indicators.md §12 scenarios for the reference seedings, choppiness, volume, flow, trend and the classifiers.
/// Expected values are the spec's (the reference implementation and TA-Lib, 6 significant digits unless stated).
@Suite struct MoreIndicatorScenarioTests {
    let ramp = (1...30).map(Double.init), flat = Array(repeating: 100.0, count: 30)
    let sine = (0..<60).map { 100 + 10 * sin(2 * Double.pi * Double($0) / 20) }
    func wave(_ n: Int = 60) -> [HLC] {
        (0..<n).map { i in
            let c = 100 + 0.5 * Double(i) + 5 * sin(Double(i) / 3)
            return HLC(high: c + 1 + 0.25 * Double(i % 4), low: c - 1 - 0.25 * Double((i + 2) % 4), close: c)
        }
    }
    var waveVolumes: [Double] { (0..<60).map { 1000 + 100 * Double($0 % 7) } }
    func plain(_ xs: [Double]) -> [HLC] { xs.map { HLC(high: $0, low: $0, close: $0) } }
    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 5e-6 * abs(b) + 1e-12 } ?? false }

    /// The reference's own 50-candle fixture (§12.1), prices rounded to 6 decimals through text as the spec says.
    struct XRP {
        var bars: [HLC] = [], volumes: [Double] = [], btc: [Double] = []
        init() {
            let ch = [0, 0.002, -0.001, 0.003, -0.002, 0.004, -0.003, 0.002, 0.001, -0.004, 0.005, -0.002, 0.001, -0.001, 0.003,
                      -0.002, 0.004, 0.002, -0.003, 0.001, -0.002, 0.003, -0.001, 0.002, -0.004, 0.003, 0.001, -0.002, 0.002,
                      -0.001, 0.004, -0.003, 0.002, 0.001, -0.002, 0.003, -0.001, 0.002, -0.003, 0.001, 0.002, -0.001, 0.003,
                      -0.002, 0.001, 0.002, -0.003, 0.004, -0.001, 0.002]
            let bch = [0, 0.0015, -0.0008, 0.0022, -0.0015, 0.003, -0.002, 0.0015, 0.0008, -0.0025, 0.0035, -0.0012, 0.0008,
                       -0.0005, 0.002, -0.0015, 0.0028, 0.0012, -0.002, 0.0006, -0.0012, 0.0018, -0.0006, 0.0012, -0.0025,
                       0.0018, 0.0006, -0.0012, 0.0012, -0.0006, 0.0025, -0.0018, 0.0012, 0.0006, -0.0012, 0.0018, -0.0006,
                       0.0012, -0.0018, 0.0006, 0.0012, -0.0006, 0.0018, -0.0012, 0.0006, 0.0012, -0.0018, 0.0025, -0.0006, 0.0012]
            func r(_ x: Double, _ d: Int) -> Double { Double(String(format: "%.\(d)f", x))! }
            var p = 2.30, b = 104000.0
            for i in 0..<50 {
                p *= 1 + ch[i]; b *= 1 + bch[i]
                bars.append(HLC(high: r(p * 1.002, 6), low: r(p * 0.997, 6), close: r(p, 6)))
                volumes.append(50000 + 5000 * Double(i % 10))
                btc.append(r(b, 2))
            }
        }
        var closes: [Double] { bars.map(\.close) }
    }

    @Test func xrpFixtureIsTheSpecs() {
        let x = XRP()
        #expect(Array(x.closes.prefix(5)) == [2.3, 2.3046, 2.302295, 2.309202, 2.304584] && x.closes.last == 2.350806)
        #expect(Array(x.btc.prefix(3)) == [104000.0, 104156.0, 104072.68] && x.btc.last == 105586.17)
    }

    /// Scenario 25: the reference's golden tests, absolute tolerance 1e-10 on its 10-decimal values.
    @Test func xrpGolden() {
        let x = XRP(), c = x.closes
        func near(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 1e-9 } ?? false }
        #expect(near(SMA.series(c, period: 20).last!, 2.3383286500))
        #expect(near(EMA.series(c, period: 21).last!, 2.3380327695))
        #expect(near(RSI.series(c, period: 14).last!, 62.0653405302))
        #expect(near(Volatility.series(c, lookback: 20).last!, 0.2290794655))
        #expect(near(ATR.series(x.bars).last!, 0.0122729935))
        #expect(near(ADX.series(x.bars, seeding: .meanOfFirstPeriod).last!!.adx, 18.9118233522))
        #expect(close(ADX.series(x.bars).last!!.adx, 18.9628))                                    // TA-Lib seeding
        #expect(near(Correlation.series(c, x.btc).last!, 0.9998250657))
        #expect(near(trendSlope(c, period: 20), 0.0394026373))
        // 26
        let b = Bollinger.series(c).last!!
        #expect(close(b.middle, 2.33833) && close(b.upper, 2.35059) && close(b.lower, 2.32607) && close(b.stddev, 0.00612897))
        #expect(close(VolumeRatio.series(x.volumes).last!, 95000.0 / 72500))
        let mr = MACD.series(c, seeding: .independentEMAs).last!!
        #expect(close(mr.macd, 0.00659277) && close(mr.signal, 0.00616058) && close(mr.histogram, 0.000432185))
        let mt = MACD.series(c).last!!
        #expect(close(mt.macd, 0.00661156) && close(mt.signal, 0.00621776) && close(mt.histogram, 0.000393796))
        #expect(close(Choppiness.series(x.bars).last!, 65.4654))
    }

    @Test func choppiness() {
        #expect(close(Choppiness.series(plain(ramp)).last!, 100 * log10(14.0 / 13) / log10(14)))  // 5
        #expect(close(Choppiness.series(plain(ramp)).last!, 2.80812))
        #expect(Choppiness.series(plain(flat)).last! == 50)                                       // 9
        let s = Choppiness.series(wave()).compactMap { $0 }                                       // 23
        #expect(s.count == 46 && close(s.first, 56.9650) && close(s.last, 38.0410))
        #expect([61.8, 61.81, 38.2, 38.19].map { ChoppinessState($0) } == [.transitional, .choppy, .transitional, .trending])  // 42
        #expect(Choppiness.series(Array(wave().prefix(10))).last! == nil)                         // 43
    }

    @Test func referenceSeedings() {
        let rm = MACD.series(sine, seeding: .independentEMAs)                                     // 14
        #expect(close(rm.last!!.macd, -2.11756) && close(rm.last!!.signal, -1.44197) && close(rm.last!!.histogram, -0.675583))
        // The reference MACD is two standalone EMAs.
        #expect(abs(rm.last!!.macd - (EMA.series(sine, period: 12).last!! - EMA.series(sine, period: 26).last!!)) < 1e-12)
        #expect(MACD.series(Array(sine.prefix(34)), seeding: .independentEMAs).last! == nil)      // 16
        let r35 = MACD.series(Array(sine.prefix(35)), seeding: .independentEMAs).last!!
        #expect(close(r35.macd, -1.51616) && close(r35.signal, 0.672894) && close(r35.histogram, -2.18905))
        #expect(close(MACD.series(Array(sine.prefix(35))).last!!.macd, -2.36855))
        var m = MACD(seeding: .independentEMAs)                                                   // 17
        for x in sine { _ = m.update(x) }
        #expect(close(m.previous!.macd, -2.42678) && close(m.previous!.signal, -1.27308) && close(m.previous!.histogram, -1.15370))
        #expect(m.crossover == nil)
        let a = ADX.series(wave(), seeding: .meanOfFirstPeriod)                                   // 21
        #expect(close(a.last!!.adx, 41.9966) && close(a.last!!.plusDI, 35.7990) && close(a.last!!.minusDI, 7.89783))
        #expect(a.last!!.trendStrength == .veryStrong)
        #expect(close(ADX.series(Array(wave().prefix(28)), seeding: .meanOfFirstPeriod).last!!.adx, 46.9178))
        #expect(ADX.series(Array(wave().prefix(27)), seeding: .meanOfFirstPeriod).last! == nil)
        #expect(close(ADX.series(wave(100), seeding: .meanOfFirstPeriod).last!!.adx, 43.7644))    // 22
        #expect(close(ADX.series(wave(100)).last!!.adx, 43.7881))
        #expect(close(ADX.series(wave(200)).last!!.adx, 46.2728) && close(ADX.series(wave(200), seeding: .meanOfFirstPeriod).last!!.adx, 46.2728))
        let ar = ADX.series(plain(ramp), seeding: .meanOfFirstPeriod).last!!                      // 4, reference seeding too
        #expect(close(ar.adx, 100) && close(ar.plusDI, 100) && ar.minusDI == 0 && ar.trendStrength == .veryStrong)
        #expect(ADX.series(Array(wave().prefix(10))).last! == nil)                                // 43
    }

    /// A crossover is a histogram sign change between two ready values: a series that dips and recovers.
    @Test func macdCrossover() {
        var m = MACD(fast: 3, slow: 6, signal: 3)
        var seen: [MACD.Crossover] = []
        for x in (0..<40).map({ 100 + 10 * sin(Double($0) / 4) }) { _ = m.update(x); if let c = m.crossover { seen.append(c) } }
        #expect(seen.contains(.bullish) && seen.contains(.bearish))
        // Alternation: a bullish cross can only follow a bearish one.
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 != $1 })
    }

    @Test func atrRich() {                                                                        // 20
        var a = ATR()
        for b in wave() { _ = a.update(b) }
        #expect(close(a.value, 3.04307) && close(a.percent, 2.28552))
        let tr = ATR.trueRanges(wave())
        #expect(tr.count == 59 && close(tr[0], 3.38597) && close(tr[1], 3.45588) && close(tr[2], 3.36551))
    }

    /// TA-Lib's NATR(1) returns the raw true range (its period-1 shortcut skips the normalisation); ours is the true
    /// range over the close × 100 at every period. By hand: TR of (H 11, L 10, prev C 9.5) = 1.5, close 10.5 → 14.2857.
    @Test func natrPeriodOneDiffersFromTALibOnPurpose() {
        let p = ATR.percentSeries([HLC(high: 10, low: 9, close: 9.5), HLC(high: 11, low: 10, close: 10.5)], period: 1)
        #expect(p[0] == nil && close(p[1], 1.5 / 10.5 * 100))
    }

    @Test func volume() {
        #expect(close(VolumeRatio.series(waveVolumes).last!, 1300.0 / 1295))                      // 24
        #expect(volumeSpike(Array(repeating: 100, count: 20) + [300, 300, 300]) == 3)             // 27
        let v = Array(repeating: 100.0, count: 19) + [300]                                        // 28
        #expect(close(VolumeRatio.series(v).last!, 300.0 / 110))
        #expect(VolumeRatio.series(v, excludeCurrent: true).last! == nil)          // needs lookback + 1 volumes …
        #expect(VolumeRatio.series([100] + v, excludeCurrent: true).last! == 3)    // … then 300 / mean(20 × 100)
        #expect(VolumeRatio.series(Array(v.prefix(18))).last! == nil)
        #expect(VolumeRatio.series(Array(repeating: 0, count: 20)).last! == nil)   // no volume: unknown, not 1.0
        #expect(volumeSpike(Array(repeating: 100, count: 22)) == nil)
    }

    /// A stretch of zero volume is "no volume" exactly, whatever rounding the running sum carried in.
    @Test func zeroVolumeWindows() {
        var v: [Double] = (0..<300).map { (i: Int) -> Double in
            let x = Double(i)
            return 1000 * (1 + sin(x * 0.7)) + 0.1 * Double(i % 7)
        }
        v += Array(repeating: 0, count: 25)
        #expect(VolumeRatio.series(v).suffix(5).allSatisfy { $0 == nil })
        #expect(VolumeRatio.series(v, excludeCurrent: true).suffix(5).allSatisfy { $0 == nil })
        // Then volume returns: the first non-zero bar is 20× its own share of the mean (reference formula).
        #expect(VolumeRatio.series(v + [50]).last! == 20)
    }

    /// A NaN that left the window leaves no NaN behind (the running statistics are rebuilt from the window).
    @Test func nanLeavesTheWindow() {
        let xs = [1, 2, Double.nan, 1, 1, 1, 1, 1]
        #expect(SMA.series(xs, period: 3).last! == 1)
        #expect(Bollinger.series(xs + [2], period: 3).last!! == Bollinger.series([1, 1, 2], period: 3).last!!)
    }

    @Test func streamingZScore() {
        let z = ZScore.series(sine, period: 20)
        #expect(close(z.last!, -0.437016))                                                       // 12, as a series
        #expect(z.firstIndex { $0 != nil } == 19 && ZScore.series(flat).last! == 0)
    }

    @Test func trendHelpers() {
        #expect(close(trendSlope(ramp), 4.87805))                                                 // 7
        #expect(trendSlope(flat) == 0)                                                            // 9
        #expect(close(trendSlope(sine), -0.949436))                                               // 13
        let wc = wave().map(\.close)                                                              // 24
        #expect(close(trendSlope(wc), 0.164478))
        #expect(DirectionalConsistency(wc) == .init(isTrending: true, direction: .up, strength: 0.8))
        #expect(DirectionalConsistency([1, 2, 1, 2, 1, 2, 3, 4, 5, 6, 7]) == .init(isTrending: true, direction: .up, strength: 0.8))   // 39
        #expect(DirectionalConsistency([1, 2, 3]) == nil && trendSlope([1, 2, 3]) == nil)
        #expect(DirectionalConsistency(Array(repeating: 5, count: 11)) == .init(isTrending: false, direction: .neutral, strength: 0))
        let h = (0..<10).map { 0.90 - 0.05 * Double($0) }                                        // 36
        let t = CorrelationTrend(h)!
        #expect(abs(t.slope + 0.05) < 1e-12 && t.direction == .declining)
        let t5 = CorrelationTrend([0.500, 0.505, 0.510, 0.515, 0.520], lookback: 5)!
        #expect(abs(t5.slope - 0.005) < 1e-12 && t5.direction == .stable)
        #expect(CorrelationTrend([0.5, 0.6], lookback: 5) == nil)
    }

    @Test func trailingStops() {
        #expect(close(trailingStop(entry: 100, bestPrice: 110, side: .long, activationPct: 5, trailPct: 2), 107.8))   // 37
        #expect(trailingStop(entry: 100, bestPrice: 102, side: .long, activationPct: 5, trailPct: 2) == nil)
        #expect(close(trailingStop(entry: 100, bestPrice: 90, side: .short, activationPct: 5, trailPct: 2), 91.8))    // 38
        // The reference's fallback (highest 94 used as the short's best price) is the caller passing 94.
        #expect(close(trailingStop(entry: 100, bestPrice: 94, side: .short, activationPct: 5, trailPct: 2), 95.88))
    }

    @Test func microPrices() {                                                                    // 29
        let book = OrderBook(bids: [BookLevel(price: Price("2.3400")!, size: Quantity("10000")!)],
                             asks: [BookLevel(price: Price("2.3410")!, size: Quantity("8000")!)])
        #expect(close(microPrice(book), (2.34 * 8000 + 2.341 * 10000) / 18000) && close(microPrice(book), 2.34056))
        #expect(microPrice(bid: 2.0, bidSize: 0, ask: 2.2, askSize: 0) == 2.1)
        #expect(microPrice(OrderBook()) == nil)
    }

    @Test func tradeFlow() {                                                                      // 30–32
        let trades = Array(repeating: FlowTrade(price: 10, size: 1, side: .buy), count: 6) + Array(repeating: FlowTrade(price: 10, size: 2, side: .sell), count: 4)
        let f = TradeFlow(trades)
        #expect(f.buyVolume == 60 && f.sellVolume == 80 && f.totalVolume == 140 && f.tradeCount == 10 && f.valid)
        #expect(close(f.imbalance, -0.142857))
        let few = TradeFlow(trades.prefix(4))
        #expect(few.buyVolume == 0 && few.sellVolume == 0 && few.imbalance == 0 && few.totalVolume == 0 && few.tradeCount == 4 && !few.valid)
        #expect(flowConfirms(.buy, imbalance: -0.1) && !flowConfirms(.buy, imbalance: -0.1000001))
        #expect(flowConfirms(.buy, flow: TradeFlow(Array(trades.prefix(3)))))                    // fail-open
        #expect(flowConfirms(.short, imbalance: -0.2) && !flowConfirms(.short, imbalance: 0.3))
        #expect(TradeFlow(trades, lookback: 4) == TradeFlow(Array(trades.suffix(4))))             // the window is the newest
    }

    @Test func vpinScenarios() {                                                                  // 33–35
        func t(_ s: Double, _ side: TakerSide) -> FlowTrade { FlowTrade(price: 1, size: s, side: side) }
        #expect(vpin((0..<10).map { t(1, $0 % 2 == 0 ? .buy : .sell) }, buckets: 5) == 0)
        let bs = (0..<5).map { _ in t(1, .buy) } + (0..<5).map { _ in t(1, .sell) }
        #expect(vpin(bs, buckets: 2) == 1 && close(vpin(bs, buckets: 5), 0.8))
        let mixed = [t(3, .buy), t(1, .sell), t(2, .sell), t(2, .buy)]
        #expect(vpin(mixed, buckets: 4) == 0.75 && vpin(mixed, buckets: 2) == 0.25 && vpin(mixed, buckets: 5) == nil)
    }

    @Test func classifiers() {                                                                    // 40, 41
        let r = [0.2, 0.3, 0.8, 1.5].map { VolatilityRegime(volatilityPct: $0) }
        #expect(r.map(\.level) == [.low, .medium, .high, .extreme])
        #expect(r.map(\.thresholdMultiplier) == [0.9, 1.0, 1.3, 2.0] && r.map(\.sizeMultiplier) == [1.0, 1.0, 0.7, 0.0])
        let cases: [((Double, Double, Double, Double), MAAlignment.Label, Double)] = [
            ((2.35, 2.32, 2.30, 2.25), .perfectBull, 1), ((2.15, 2.18, 2.22, 2.28), .perfectBear, -1),
            ((2.27, 2.28, 2.30, 2.25), .bull, 0.4), ((2.24, 2.26, 2.30, 2.25), .weakBull, 0.1),
            ((2.26, 2.28, 2.24, 2.25), .weakBear, -0.1), ((2.25, 2.24, 2.25, 2.25), .neutral, 0),
        ]
        for ((p, a, b, c), label, score) in cases {
            let m = MAAlignment(price: p, sma20: a, sma50: b, sma200: c)
            #expect(m.label == label && m.score == score, "\(p) \(a) \(b) \(c)")
        }
        #expect(MAAlignment(price: 2.25, sma20: 2.24, sma50: 2.2501, sma200: 2.25, neutralBand: 1e-3).label == .neutral)
        #expect(MAAlignment(closes: ramp) == nil)
        let up = (1...200).map(Double.init)
        #expect(MAAlignment(closes: up)!.label == .perfectBull)
    }

    /// Streaming and batch agree bitwise for the indicators added here.
    @Test func streamingEqualsBatch() {
        let bars = wave(200)
        var chop = Choppiness(), adx = ADX(seeding: .meanOfFirstPeriod), macd = MACD(seeding: .independentEMAs), vr = VolumeRatio()
        let bc = Choppiness.series(bars), ba = ADX.series(bars, seeding: .meanOfFirstPeriod)
        let bm = MACD.series(bars.map(\.close), seeding: .independentEMAs), bv = VolumeRatio.series(bars.map(\.high))
        for (i, b) in bars.enumerated() {
            #expect(chop.update(b)?.bitPattern == bc[i]?.bitPattern)
            #expect(adx.update(b)?.adx.bitPattern == ba[i]?.adx.bitPattern)
            #expect(macd.update(b.close)?.macd.bitPattern == bm[i]?.macd.bitPattern)
            #expect(vr.update(b.high)?.bitPattern == bv[i]?.bitPattern)
        }
    }
}
