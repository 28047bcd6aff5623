import Foundation
import Testing
@testable import Indicators

/// Our indicators against TA-Lib's own values (scripts/talib_golden.py, TA-Lib 0.8.2), over six seeded series:
/// every value within 1e-9 · max(1, |TA-Lib|), and nil exactly where TA-Lib is not ready (its lookback).
@Suite struct TALibGoldenTests {
    struct Golden: Decodable {
        struct Series: Decodable { let close: [Double]; let high: [Double]; let low: [Double]; let outputs: [String: [Double?]] }
        let series: [String: Series]
    }

    static let golden: Golden = {
        let url = Bundle.module.url(forResource: "Fixtures/talib_golden.json", withExtension: nil)!
        return try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }()

    func hlc(_ s: Golden.Series) -> [HLC] { zip(zip(s.high, s.low), s.close).map { HLC(high: $0.0, low: $0.1, close: $1) } }

    func ours(_ name: String, _ s: Golden.Series) -> [Double?] {
        let parts = name.split(separator: "_"), p = Int(parts[1])!
        switch parts[0] {
        case "sma": return SMA.series(s.close, period: p)
        case "ema": return EMA.series(s.close, period: p)
        case "rsi": return RSI.series(s.close, period: p)
        case "atr": return ATR.series(hlc(s), period: p)
        case "natr": return ATR.percentSeries(hlc(s), period: p)
        case "chop": return Choppiness.series(hlc(s), period: p)
        case "trendslope": return s.close.indices.map { trendSlope(s.close[...$0], period: p) }
        case "volatility": return Volatility.series(s.close, lookback: p)
        case "correl": return Correlation.series(s.close, s.high, window: p)
        case "adx":
            return ADX.series(hlc(s), period: p).map { $0?.adx }
        case "plusdi", "minusdi":
            return ADX.directionalSeries(hlc(s), period: p).map { d in d.map { parts[0] == "plusdi" ? $0.plus : $0.minus } }
        case "bbupper", "bbmiddle", "bblower":
            return Bollinger.series(s.close, period: p, stddev: 2).map { v in v.map { parts[0] == "bbupper" ? $0.upper : parts[0] == "bbmiddle" ? $0.middle : $0.lower } }
        case "macd", "macdsignal", "macdhist":
            let m = MACD.series(s.close, fast: p, slow: Int(parts[2])!, signal: Int(parts[3])!)
            return m.map { v in v.map { parts[0] == "macd" ? $0.macd : parts[0] == "macdsignal" ? $0.signal : $0.histogram } }
        default: Issue.record("unknown output \(name)"); return []
        }
    }

    @Test(arguments: ["random_walk", "flat", "trend", "tiny", "large", "gappy"])
    func equalsTALib(series name: String) throws {
        let s = try #require(Self.golden.series[name])
        #expect(s.outputs.count == 39)
        for (output, expected) in s.outputs.sorted(by: { $0.key < $1.key }) {
            let got = ours(output, s)
            #expect(got.count == expected.count)
            #expect(got.firstIndex { $0 != nil } == expected.firstIndex { $0 != nil }, "\(name) \(output): first ready index")
            for (i, (a, b)) in zip(got, expected).enumerated() {
                switch (a, b) {
                case (nil, nil): continue
                case (let x?, let y?): #expect(abs(x - y) <= 1e-9 * max(1, abs(y)), "\(name) \(output)[\(i)]: \(x) vs TA-Lib \(y)")
                default: Issue.record("\(name) \(output)[\(i)]: \(String(describing: a)) vs TA-Lib \(String(describing: b))")
                }
            }
        }
    }

    /// Streaming and batch agree bitwise on the same input.
    @Test func streamingEqualsBatch() throws {
        let s = try #require(Self.golden.series["random_walk"])
        var sma = SMA(period: 30), ema = EMA(period: 10), rsi = RSI(period: 14)
        let batchSMA = SMA.series(s.close, period: 30), batchEMA = EMA.series(s.close, period: 10), batchRSI = RSI.series(s.close, period: 14)
        for (i, c) in s.close.enumerated() {
            #expect(sma.update(c)?.bitPattern == batchSMA[i]?.bitPattern)
            #expect(ema.update(c)?.bitPattern == batchEMA[i]?.bitPattern)
            #expect(rsi.update(c)?.bitPattern == batchRSI[i]?.bitPattern)
        }
        #expect(sma.isReady && ema.isReady && rsi.isReady)
    }
}

/// indicators.md §12 scenarios for SMA, EMA, RSI and ATR (expected values from the spec; 6 significant digits).
@Suite struct IndicatorScenarioTests {
    let ramp = (1...30).map(Double.init), down = (1...30).reversed().map(Double.init), flat = Array(repeating: 100.0, count: 30)
    let sine = (0..<60).map { 100 + 10 * sin(2 * Double.pi * Double($0) / 20) }
    var wave: [HLC] {
        (0..<60).map { i in
            let c = 100 + 0.5 * Double(i) + 5 * sin(Double(i) / 3)
            return HLC(high: c + 1 + 0.25 * Double(i % 4), low: c - 1 - 0.25 * Double((i + 2) % 4), close: c)
        }
    }
    /// The spec prints 6 significant digits: equal to half a unit in the sixth digit, relative (small values too).
    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 5e-6 * abs(b) + 1e-12 } ?? false }

    @Test func scenarios() {
        #expect(SMA.series(ramp, period: 5).last! == 28)                                         // 1
        let e = EMA.series(ramp, period: 10).compactMap { $0 }                                    // 2
        #expect(close(e.last, 25.5) && e.count == 21 && Array(e.prefix(3)) == [5.5, 6.5, 7.5])
        #expect(RSI.series(ramp).last! == 100 && RSI.series(down).last! == 0)                     // 3
        #expect(RSI.series(flat).last! == 0)                     // TA-Lib's value by default (resolution 59) …
        #expect(RSI.series(flat, flatValue: 50).last! == 50)     // … the reference's neutral 50 as the option
        #expect(ATR.series(ramp.map { HLC(high: $0, low: $0, close: $0) }).last! == 1)            // 4
        #expect(ATR.series(flat.map { HLC(high: $0, low: $0, close: $0) }).last! == 0)            // 9
        #expect(close(SMA.series(sine, period: 20).last!, 100))                                   // 10
        #expect(close(EMA.series(sine, period: 10).last!, 95.0344))
        #expect(close(RSI.series(sine, period: 14).last!, 48.4641) && close(RSI.series(sine, period: 7).last!, 55.0122))
        let r = RSI.series(sine, period: 14).compactMap { $0 }                                    // 11
        #expect(r.count == 46 && close(r.first, 33.8862))
        let closes = wave.map(\.close)                                                            // 19
        #expect(close(SMA.series(closes, period: 20).last!, 124.954) && close(EMA.series(closes, period: 21).last!, 124.102))
        #expect(close(RSI.series(closes, period: 14).last!, 81.6381))
        #expect(close(ATR.series(wave).last!, 3.04307))                                           // 20
        #expect(close(ATR.trueRange(wave[1], previousClose: wave[0].close), 3.38597))
        let m = MACD.series(ramp, fast: 12, slow: 26, signal: 9)                                  // 8
        #expect(m.allSatisfy { $0 == nil })
        let m6 = MACD.series(ramp, fast: 6, slow: 13, signal: 5).last!!
        #expect(abs(m6.macd - 3.5) < 1e-12 && abs(m6.signal - 3.5) < 1e-12 && abs(m6.histogram) < 1e-12)
        let ms = MACD.series(sine).last!!                                                         // 15 (TA-Lib seeding)
        #expect(close(ms.macd, -2.13065) && close(ms.signal, -1.48531) && close(ms.histogram, -0.645338))
        #expect(close(MACD.series(Array(sine.prefix(34))).last!!.macd, -1.82579))                // 16
        let a = ADX.series(ramp.map { HLC(high: $0, low: $0, close: $0) }).last!!                   // 4
        #expect(close(a.adx, 100) && close(a.plusDI, 100) && close(a.minusDI, 0))
        #expect(ADX.series(flat.map { HLC(high: $0, low: $0, close: $0) }).last!!.adx == 0)        // 9
        let aw = ADX.series(wave).last!!                                                          // 22 (TA-Lib seeding)
        #expect(close(aw.adx, 42.2581) && close(aw.plusDI, 35.8317) && close(aw.minusDI, 7.87710))
        #expect(close(ADX.series(Array(wave.prefix(28))).last!!.adx, 48.1826))
        let b = Bollinger.series(ramp).last!!                                                     // 6
        #expect(close(b.middle, 20.5) && close(b.stddev, 5.76628) && close(b.upper, 32.0326) && close(b.lower, 8.96744))
        #expect(Bollinger.series(flat).last!! == .init(upper: 100, middle: 100, lower: 100, stddev: 0))   // 9
        let bs = Bollinger.series(sine).last!!                                                    // 12
        #expect(close(bs.middle, 100) && close(bs.stddev, 7.07107) && close(bs.upper, 114.142) && close(bs.lower, 85.8579))
        #expect(close(Volatility.series(ramp).last!, 1.88712) && close(Volatility.series(sine).last!, 2.22094))   // 7, 13
        #expect(Volatility.series(flat).last! == 0)                                               // 9
        #expect(close(Volatility.series(closes).last!, 0.943419))                                 // 24
        let sine2 = (0..<60).map { 200 + 5 * sin(2 * Double.pi * Double($0 + 2) / 20) }           // 18
        #expect(close(Correlation.series(sine, sine2).last!, 0.808559) && close(Correlation.series(sine, sine).last!, 1))
        #expect(close(Correlation.series(ramp, down).last!, 0.664209))
        #expect(Correlation.series(flat, ramp).last! == 0)                                        // TA-Lib's 0 by default …
        #expect(Correlation.series(flat, ramp, zeroVarianceValue: nil).last! == nil)              // … the reference's nil as the option
        #expect(close(zScore(sine.last!, mean: bs.middle, stddev: bs.stddev), -0.437016))         // 12
        let ten = Array(wave.prefix(10))                                                          // 43
        #expect(Bollinger.series(ten.map(\.close)).allSatisfy { $0 == nil })
        #expect(Volatility.series(ten.map(\.close)).last! == nil)   // nil, not the reference's 0.0 (§5.1)
        #expect(RSI.series(ten.map(\.close)).last! == nil && ATR.series(ten).last! == nil)
    }

    /// On tiny prices (where the golden tolerance 1e-9·max(1, |x|) says little) the deviation is checked by hand:
    /// 1e-8·[1, 2, 3, 4, 5] has mean 3e-8 and population
    /// standard deviation √2·1e-8 (by hand: Σ(d²) = (4+1+0+1+4)·1e-16 = 1e-15, /5 = 2e-16).
    @Test func bollingerOnTinyPrices() {
        let b = Bollinger.series([1e-8, 2e-8, 3e-8, 4e-8, 5e-8], period: 5).last!!
        #expect(abs(b.middle - 3e-8) < 1e-22 && abs(b.stddev - 2.0.squareRoot() * 1e-8) < 1e-22)
        #expect(abs(b.upper - (3e-8 + 2 * 2.0.squareRoot() * 1e-8)) < 1e-21)
    }
}
