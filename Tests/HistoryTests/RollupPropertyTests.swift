import Foundation
import Testing
import TradingCore
@testable import History

/// Rollups of random 1m data (holes, rows without VWAP, late and overlapping writes, a refresh after every write)
/// equal a naive recomputation written independently here: Foundation `Decimal` sums, bucket starts from plain
/// epoch-second arithmetic, completeness by counting minutes.
@Suite struct RollupPropertyTests {
    struct Row { var minute: Int64; var o: Int64, h: Int64, l: Int64, c: Int64; var v: Int64; var n: Int; var vwap: Int64?; var quote: Bool }

    /// Prices at 5 dp, volumes at 8 dp; VWAP at 5 dp so v × vwap is exact at 13 dp.
    static func randomRows(_ g: inout SeededGenerator, from: Int64, minutes: Int64) -> [Row] {
        var out: [Row] = []
        var p: Int64 = 150_000
        for m in from..<(from + minutes) {
            if Int.random(in: 0..<10, using: &g) < 3 { continue }  // holes
            let o = p, c = max(1000, p + Int64.random(in: -500...500, using: &g))
            let h = max(o, c) + Int64.random(in: 0...200, using: &g), l = max(1, min(o, c) - Int64.random(in: 0...200, using: &g))
            p = c
            let hasVWAP = Int.random(in: 0..<5, using: &g) > 0
            out.append(Row(minute: m, o: o, h: h, l: l, c: c, v: Int64.random(in: 1...10_000_000_000, using: &g), n: Int.random(in: 1...50, using: &g),
                           vwap: hasVWAP ? Int64.random(in: l...h, using: &g) : nil, quote: hasVWAP && Int.random(in: 0..<2, using: &g) == 0))
        }
        return out
    }

    static func dec(_ raw: Int64, _ dp: Int16) -> Decimal { Decimal(sign: raw < 0 ? .minus : .plus, exponent: -Int(dp), significand: Decimal(raw.magnitude)) }

    func candle(_ r: Row) -> HistoryCandle {
        let s = StorageScale(priceDecimals: 5, quantityDecimals: 8)
        let vw = r.vwap.map(s.price)
        let quote: Money? = r.quote ? s.quantity(r.v) * vw! : nil
        return HistoryCandle(symbol: H.xrp, intervalMinutes: 1, start: Timestamp(seconds: r.minute * 60), open: s.price(r.o), high: s.price(r.h),
                             low: s.price(r.l), close: s.price(r.c), volume: s.quantity(r.v), quoteVolume: quote, tradeCount: r.n, vwap: vw, isComplete: true,
                             source: .trades)
    }

    @Test(arguments: StoreKind.allCases, [1, 2, 3] as [UInt64]) func rollupsEqualNaiveRecomputation(_ kind: StoreKind, seed: UInt64) async throws {
        var g = SeededGenerator(seed: seed)
        let start: Int64 = 1_704_067_200 / 60  // 2024-01-01 (a Monday)
        let now = Timestamp(seconds: (start + 20 * 1440 + 37) * 60)
        let store = try await H.store(kind, now: now)
        var truth: [Int64: Row] = [:]
        // Three writes: the middle, a later overlapping range (replacing minutes), then an earlier one; refresh each time.
        for (from, len) in [(start + 4 * 1440, 8 * 1440), (start + 9 * 1440, 11 * 1440 + 37), (start, 5 * 1440 + 11)] as [(Int64, Int64)] {
            let rows = Self.randomRows(&g, from: from, minutes: len)
            for r in rows { truth[r.minute] = r }
            try await H.write(store, H.xrp, rows.map(candle))
            try await RollupRefresher(store: store, now: now).refreshPending()
        }
        let nowMinute = now.nanoseconds / 60_000_000_000
        for tf in HistorySchema.rollups {
            let w = Int64(tf.minutes)
            let shift: Int64 = tf == .w1 ? 4 * 1440 : 0  // 1970-01-05 was a Monday
            var buckets: [Int64: [Row]] = [:]
            for r in truth.values {
                let b = ((r.minute - shift) / w) * w + shift  // minutes are positive here: plain division floors
                buckets[b, default: []].append(r)
            }
            let got = try await store.rollupCandles(tf, H.xrp, in: TimeSpan(Timestamp(seconds: 0), Timestamp(seconds: 4_000_000_000)), limit: nil, descending: false)
            #expect(got.count == buckets.count, "\(tf)")
            for c in got {
                let b = c.start.nanoseconds / 60_000_000_000
                guard let rows = buckets[b]?.sorted(by: { $0.minute < $1.minute }) else { Issue.record("\(tf) unexpected bucket \(c.start)"); continue }
                let d5 = { (x: Int64) in Self.dec(x, 5) }
                #expect(Decimal(string: c.open.description)! == d5(rows.first!.o) && Decimal(string: c.close.description)! == d5(rows.last!.c))
                #expect(Decimal(string: c.high.description)! == d5(rows.map(\.h).max()!) && Decimal(string: c.low.description)! == d5(rows.map(\.l).min()!))
                let vol = rows.reduce(Decimal(0)) { $0 + Self.dec($1.v, 8) }
                #expect(Decimal(string: c.volume.description)! == vol)
                #expect(c.tradeCount == rows.reduce(0) { $0 + $1.n } && c.sourceRows == rows.count)
                let withVWAP = rows.filter { $0.vwap != nil }
                if withVWAP.isEmpty { #expect(c.vwap == nil) } else {
                    let num = withVWAP.reduce(Decimal(0)) { $0 + Self.dec($1.v, 8) * Self.dec($1.vwap!, 5) }
                    let den = withVWAP.reduce(Decimal(0)) { $0 + Self.dec($1.v, 8) }
                    var q = num / den, rounded = Decimal()
                    NSDecimalRound(&rounded, &q, 18, .bankers)
                    #expect(Decimal(string: c.vwap!.description)! == rounded, "\(tf) \(c.start)")
                }
                #expect((c.quoteVolume == nil) == rows.contains { !$0.quote })
                let complete = b + w <= nowMinute && rows.count == Int(w)
                #expect(c.isComplete == complete, "\(tf) \(c.start)")
            }
        }
    }
}

/// SplitMix64: seeded, so a failing case reproduces.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
