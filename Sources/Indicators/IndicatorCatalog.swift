/// Every indicator that can be computed from bars, by name, with the short TA-Lib-style parameter names the CLI
/// uses (`period`, `fast`, `slow`, `signal`, `stddev`; TA-Lib's own are `timeperiod`, `fastperiod`, …) and named
/// outputs: what `ws-tester indicator` runs and lists.
public enum IndicatorCatalog {
    /// One bar as the catalog reads it.
    public struct Bar: Sendable {
        public var high, low, close, volume: Double
        public init(high: Double, low: Double, close: Double, volume: Double) {
            self.high = high; self.low = low; self.close = close; self.volume = volume
        }
        var hlc: HLC { HLC(high: high, low: low, close: close) }
    }

    public struct Parameter: Sendable {
        public enum Kind: Sendable { case int(ClosedRange<Int>), double(ClosedRange<Double>), choice([String]) }
        public let name: String, kind: Kind, defaultValue: String, help: String
    }

    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        public let parameters: [Parameter]
        public let outputs: [String]
        /// Needs a second series (`--against`), aligned on timestamps.
        public let needsPartner: Bool
        let compute: @Sendable (_ bars: [Bar], _ partner: [Double?], _ p: Values) -> [[Double?]]
    }

    /// Parsed parameter values by name.
    public struct Values: Sendable {
        var ints: [String: Int] = [:], doubles: [String: Double] = [:], choices: [String: String] = [:]
        func int(_ k: String) -> Int { ints[k]! }
        func double(_ k: String) -> Double { doubles[k]! }
        func choice(_ k: String) -> String { choices[k]! }
    }

    public struct ParameterError: Error, CustomStringConvertible {
        public let description: String
    }

    static func period(_ d: Int, min: Int = 1, _ help: String = "bars in the window") -> Parameter {
        Parameter(name: "period", kind: .int(min...100_000), defaultValue: "\(d)", help: help)
    }
    static let seeding = Parameter(name: "seeding", kind: .choice(["talib", "reference"]), defaultValue: "talib",
                                   help: "talib = TA-Lib's values; reference = the Python reference's seeding")

    /// Maps one-output series over rows.
    static func one(_ xs: [Double?]) -> [[Double?]] { xs.map { [$0] } }

    public static let entries: [Entry] = [
        Entry(name: "sma", summary: "simple moving average of closes", parameters: [period(20)], outputs: ["sma"], needsPartner: false) { b, _, p in
            one(SMA.series(b.map(\.close), period: p.int("period")))
        },
        Entry(name: "ema", summary: "exponential moving average, SMA-seeded (TA-Lib EMA)", parameters: [period(20)], outputs: ["ema"], needsPartner: false) { b, _, p in
            one(EMA.series(b.map(\.close), period: p.int("period")))
        },
        Entry(name: "rsi", summary: "Wilder RSI (TA-Lib RSI)", parameters: [period(14),
              Parameter(name: "flat_value", kind: .double(0...100), defaultValue: "0", help: "value when nothing moved (TA-Lib 0, reference 50)")],
              outputs: ["rsi"], needsPartner: false) { b, _, p in
            one(RSI.series(b.map(\.close), period: p.int("period"), flatValue: p.double("flat_value")))
        },
        Entry(name: "atr", summary: "Wilder average true range (TA-Lib ATR)", parameters: [period(14)], outputs: ["atr"], needsPartner: false) { b, _, p in
            one(ATR.series(b.map(\.hlc), period: p.int("period")))
        },
        Entry(name: "natr", summary: "ATR as a percent of the close (TA-Lib NATR; at period 1 TA-Lib returns the raw true range, we normalise)", parameters: [period(14)], outputs: ["natr"], needsPartner: false) { b, _, p in
            one(ATR.percentSeries(b.map(\.hlc), period: p.int("period")))
        },
        Entry(name: "adx", summary: "average directional index with +DI and −DI (TA-Lib ADX, PLUS_DI, MINUS_DI)", parameters: [period(14), seeding],
              outputs: ["adx", "plus_di", "minus_di"], needsPartner: false) { b, _, p in
            var s = ADX(period: p.int("period"), seeding: ADX.Seeding(rawValue: p.choice("seeding"))!)
            return b.map { bar in
                let v = s.update(bar.hlc)
                return [v?.adx, s.directional?.plus, s.directional?.minus]
            }
        },
        Entry(name: "macd", summary: "MACD line, signal and histogram (TA-Lib MACD)", parameters: [
            Parameter(name: "fast", kind: .int(1...100_000), defaultValue: "12", help: "fast EMA period"),
            Parameter(name: "slow", kind: .int(2...100_000), defaultValue: "26", help: "slow EMA period (> fast)"),
            Parameter(name: "signal", kind: .int(1...100_000), defaultValue: "9", help: "signal EMA period"), seeding,
        ], outputs: ["macd", "signal", "hist"], needsPartner: false) { b, _, p in
            MACD.series(b.map(\.close), fast: p.int("fast"), slow: p.int("slow"), signal: p.int("signal"),
                        seeding: MACD.Seeding(rawValue: p.choice("seeding"))!).map { [$0?.macd, $0?.signal, $0?.histogram] }
        },
        Entry(name: "bollinger", summary: "Bollinger bands, SMA ± k population deviations (TA-Lib BBANDS)", parameters: [period(20),
              Parameter(name: "stddev", kind: .double(0...100), defaultValue: "2", help: "band width in standard deviations")],
              outputs: ["upper", "middle", "lower"], needsPartner: false) { b, _, p in
            Bollinger.series(b.map(\.close), period: p.int("period"), stddev: p.double("stddev")).map { [$0?.upper, $0?.middle, $0?.lower] }
        },
        Entry(name: "zscore", summary: "(close − SMA) / population deviation over the period (0 when flat)", parameters: [period(20)],
              outputs: ["zscore"], needsPartner: false) { b, _, p in
            one(ZScore.series(b.map(\.close), period: p.int("period")))
        },
        Entry(name: "choppiness", summary: "choppiness index, 100·log10(ΣTR / range)/log10(period)", parameters: [period(14, min: 2)],
              outputs: ["choppiness"], needsPartner: false) { b, _, p in
            one(Choppiness.series(b.map(\.hlc), period: p.int("period")))
        },
        Entry(name: "volatility", summary: "population deviation of 1-bar returns × 100 (STDDEV(ROCP) × 100)", parameters: [period(20)],
              outputs: ["volatility"], needsPartner: false) { b, _, p in
            one(Volatility.series(b.map(\.close), lookback: p.int("period")))
        },
        Entry(name: "correlation", summary: "rolling correlation of returns with --against, aligned on timestamps (CORREL(ROCP, ROCP))",
              parameters: [period(20, min: 2), Parameter(name: "zero_variance", kind: .choice(["zero", "empty"]), defaultValue: "zero",
                                                          help: "a constant series: 0 as TA-Lib, or an empty cell (the reference's unknown)")],
              outputs: ["correlation"], needsPartner: true) { b, partner, p in
            var s = Correlation(window: p.int("period"), zeroVarianceValue: p.choice("zero_variance") == "zero" ? 0 : nil)
            return zip(b, partner).map { bar, q in q.map { [s.update((bar.close, $0))] } ?? [nil] }
        },
        Entry(name: "volume_ratio", summary: "volume over its mean (current bar included unless exclude_current=1)", parameters: [period(20),
              Parameter(name: "exclude_current", kind: .int(0...1), defaultValue: "0", help: "1 = average the period before the bar")],
              outputs: ["volume_ratio"], needsPartner: false) { b, _, p in
            one(VolumeRatio.series(b.map(\.volume), lookback: p.int("period"), excludeCurrent: p.int("exclude_current") == 1))
        },
        Entry(name: "volume_spike", summary: "mean of the last `recent` volumes over the mean of the period before them", parameters: [period(20),
              Parameter(name: "recent", kind: .int(1...100_000), defaultValue: "3", help: "bars in the recent window")],
              outputs: ["volume_spike"], needsPartner: false) { b, _, p in
            let v = b.map(\.volume), n = p.int("period"), r = p.int("recent")
            return v.indices.map { [volumeSpike(v[...$0].suffix(n + r).map { $0 }, lookback: n, recent: r)] }
        },
        Entry(name: "trend_slope", summary: "least-squares slope over the period as % of its mean (LINEARREG_SLOPE / SMA × 100)",
              parameters: [period(20, min: 2)], outputs: ["trend_slope"], needsPartner: false) { b, _, p in
            let c = b.map(\.close), n = p.int("period")
            return c.indices.map { [trendSlope(c[...$0].suffix(n), period: n)] }
        },
        Entry(name: "ma_alignment", summary: "price vs SMA20/50/200 score (−1 … +1)", parameters: [
            Parameter(name: "short", kind: .int(1...100_000), defaultValue: "20", help: "short SMA"),
            Parameter(name: "mid", kind: .int(1...100_000), defaultValue: "50", help: "middle SMA"),
            Parameter(name: "long", kind: .int(1...100_000), defaultValue: "200", help: "long SMA"),
        ], outputs: ["ma_alignment"], needsPartner: false) { b, _, p in
            let c = b.map(\.close), l = p.int("long")
            return c.indices.map { [MAAlignment(closes: c[...$0].suffix(l), short: p.int("short"), mid: p.int("mid"), long: l)?.score] }
        },
    ]

    /// Indicators that read order books or trades rather than bars: library functions only.
    public static let libraryOnly = ["micro-price (order book)", "VPIN (trades)", "trade flow and flow confirmation (trades)",
                                     "directional consistency, correlation trend, trailing stop, volatility regime (values)"]

    public static func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// Parses `key=value` pairs against the entry's parameters (unknown keys and out-of-range values are errors).
    public static func values(_ e: Entry, _ given: [String: String]) throws(ParameterError) -> Values {
        for k in given.keys where !e.parameters.contains(where: { $0.name == k }) {
            throw ParameterError(description: "\(e.name) has no parameter '\(k)' (it has: \(e.parameters.map(\.name).joined(separator: ", ")))")
        }
        var v = Values()
        for p in e.parameters {
            let text = given[p.name] ?? p.defaultValue
            switch p.kind {
            case .int(let r):
                guard let i = Int(text), r.contains(i) else { throw ParameterError(description: "\(p.name) must be an integer in \(r.lowerBound)…\(r.upperBound), got '\(text.prefix(40))'") }
                v.ints[p.name] = i
            case .double(let r):
                guard let d = Double(text), d.isFinite, r.contains(d) else { throw ParameterError(description: "\(p.name) must be a number in \(r.lowerBound)…\(r.upperBound), got '\(text.prefix(40))'") }
                v.doubles[p.name] = d
            case .choice(let c):
                guard c.contains(text) else { throw ParameterError(description: "\(p.name) must be one of \(c.joined(separator: ", ")), got '\(text.prefix(40))'") }
                v.choices[p.name] = text
            }
        }
        if e.name == "macd", v.int("fast") >= v.int("slow") { throw ParameterError(description: "macd needs fast < slow") }
        if e.name == "ma_alignment", !(v.int("short") <= v.int("mid") && v.int("mid") <= v.int("long")) {
            throw ParameterError(description: "ma_alignment needs short ≤ mid ≤ long")
        }
        return v
    }

    /// One row of outputs per bar; nil where not ready.
    public static func compute(_ e: Entry, bars: [Bar], partner: [Double?] = [], values: Values) -> [[Double?]] {
        e.compute(bars, partner.isEmpty ? Array(repeating: nil, count: bars.count) : partner, values)
    }
}
