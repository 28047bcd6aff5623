import Testing
@testable import TradingCore

@Suite struct TimestampTests {
    @Test func parsesIsoWithAndWithoutFraction() throws {
        let a = try #require(Timestamp(iso8601: "2025-01-15T10:30:59.512345Z"))
        #expect(a.nanoseconds == 1_736_937_059_512_345_000)
        #expect(Timestamp(iso8601: "2023-10-04T16:25:00.000000000Z")?.nanoseconds == Int64(1_696_436_700) * 1_000_000_000)
        #expect(Timestamp(iso8601: "2023-10-04T16:25:00Z")?.nanoseconds == Int64(1_696_436_700) * 1_000_000_000)
        #expect(Timestamp(iso8601: "2023-10-04T16:25:00+00:00") != nil)
        #expect(Timestamp(iso8601: "2023-13-04T16:25:00Z") == nil)
        #expect(Timestamp(iso8601: "yesterday") == nil)
    }

    @Test func formatsMicrosecondsZulu() {
        #expect(Timestamp(seconds: 1_736_937_059).iso8601 == "2025-01-15T10:30:59.000000Z")
        #expect(Timestamp(nanoseconds: -1).iso8601 == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(seconds: 951_782_400).iso8601 == "2000-02-29T00:00:00.000000Z")
    }

    @Test func roundTrips() {
        for s in stride(from: Int64(-100_000_000), through: 4_000_000_000, by: 37_777_777) {
            let t = Timestamp(seconds: s)
            #expect(Timestamp(iso8601: t.iso8601) == t)
        }
    }

    @Test func bucketsFloorInUTC() {
        let t = Timestamp(iso8601: "2024-01-01T12:07:33Z")!
        #expect(Timeframe.m1.bucket(t).iso8601 == "2024-01-01T12:07:00.000000Z")
        #expect(Timeframe.m5.bucket(t).iso8601 == "2024-01-01T12:05:00.000000Z")
        #expect(Timeframe.h4.bucket(t).iso8601 == "2024-01-01T12:00:00.000000Z")
        #expect(Timeframe.d1.bucket(t).iso8601 == "2024-01-01T00:00:00.000000Z")
        // 2024-01-01 was a Monday.
        #expect(Timeframe.w1.bucket(Timestamp(iso8601: "2024-01-03T05:00:00Z")!).iso8601 == "2024-01-01T00:00:00.000000Z")
        #expect(Timeframe(text: "15m") == .m15)
        #expect(Timeframe(text: "2m") == nil)
    }

    @Test func manualClockNeverGoesBack() {
        let c = ManualClock(Timestamp(seconds: 10))
        c.advance(to: Timestamp(seconds: 20))
        c.advance(to: Timestamp(seconds: 15))
        #expect(c.now == Timestamp(seconds: 20))
    }
}

@Suite struct TimestampParseTests {
    let jan1 = Timestamp(iso8601: "2025-01-01T00:00:00Z")!

    @Test func unitsByMagnitude() throws {
        for text in ["1735689600", "1735689600000", "1735689600000000", "1735689600000000000", "1.7356896e9", "1735689600.000"] {
            #expect(try Timestamp.parse(text).get() == jan1, "\(text)")
        }
        #expect(try Timestamp.parse("1735689600.5").get() == jan1 + .milliseconds(500))
    }

    @Test func isoVariants() throws {
        for text in ["2025-01-01", "2025-01-01 00:00", "2025-01-01 00:00:00", "2025-01-01T00:00:00z", "2024-12-31T19:00:00-05:00",
                     "2025-01-01T05:30:00+0530", "2025-01-01T00:00:00.000000000Z", "2025-01-01 00:00:00,0"] {
            #expect(try Timestamp.parse(text).get() == jan1, "\(text)")
        }
        #expect(Timestamp(iso8601: "2024-02-29") != nil)
        #expect(Timestamp(iso8601: "2023-02-29") == nil)
        #expect(Timestamp(iso8601: "2025-04-31") == nil)
    }

    @Test func rangeAndGarbage() {
        #expect(Timestamp.parse("9999-12-31T00:00:00Z") == .failure(.outOfRange("9999-12-31T00:00:00Z")))
        #expect(Timestamp.parse("2200-01-01") == .failure(.outOfRange("2200-01-01")))
        #expect(Timestamp.parse("1969-12-31") == .failure(.outOfRange("1969-12-31")))
        #expect(Timestamp.parse("-1") == .failure(.outOfRange("-1")))
        #expect(Timestamp.parse("1e19") == .failure(.outOfRange("1e19")))
        #expect(Timestamp.parse("7258118400") == .failure(.outOfRange("7258118400")))
        for g in ["", "abc", "2025-13-01", "12:00", "1e", "nan", "inf", "2025-01-01X", "2025-01-01T25:00"] {
            guard case .failure(.malformed) = Timestamp.parse(g) else { Issue.record("accepted '\(g)'"); continue }
        }
    }
}
