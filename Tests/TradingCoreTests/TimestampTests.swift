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
