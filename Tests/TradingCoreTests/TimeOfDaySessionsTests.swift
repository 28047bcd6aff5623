import Testing
@testable import TradingCore

/// Resolution 33: one classifier, half-open UTC windows checked in order. Expected labels from WT §9.1 and OF §10.3.
@Suite struct TimeOfDaySessionsTests {
    func at(_ s: String) -> Timestamp { Timestamp(iso8601: "2025-01-15T\(s):00Z")! }

    @Test func theReferenceTableAtEveryBoundary() {
        let s = TimeOfDaySessions.reference
        let cases = [("00:00", "ASIA"), ("07:59", "ASIA"), ("08:00", "EUROPE"), ("13:59", "EUROPE"), ("14:00", "US_EUROPE_OVERLAP"),
                     ("16:59", "US_EUROPE_OVERLAP"), ("17:00", "US"), ("20:59", "US"), ("21:00", "OFF_HOURS"), ("23:59", "OFF_HOURS")]
        for (t, name) in cases { #expect(s.session(at: at(t)) == name, "\(t)") }
        // Half-open at the second as well: 07:59:59.999999999 is still Asia.
        #expect(s.session(at: at("08:00") - Interval(nanoseconds: 1)) == "ASIA")
        // Before 1970 the day still starts at 00:00 UTC.
        #expect(s.session(at: Timestamp(nanoseconds: -1)) == "OFF_HOURS")
        #expect(TimeOfDaySessions.hourOfDay(at("21:30")) == 21)
    }

    @Test func orderDecidesOverlapsAndWindowsMayWrapMidnight() throws {
        // Order flow §10.3: the overlap is checked before Europe, Asia is what is left.
        let of = try TimeOfDaySessions(hours: [("US_EUROPE_OVERLAP", 14, 17), ("EUROPE", 8, 14), ("US", 17, 21), ("OFF_HOURS", 21, 24)],
                                       otherwise: "ASIA")
        #expect(of.session(at: at("14:00")) == "US_EUROPE_OVERLAP" && of.session(at: at("23:00")) == "OFF_HOURS")
        #expect(of.session(at: at("03:00")) == "ASIA")
        // Market making's US as [17, 22): 21:xx is US there.
        let mm = try TimeOfDaySessions(hours: [("US", 17, 22)], otherwise: "OTHER")
        #expect(mm.session(at: at("21:59")) == "US" && mm.session(at: at("22:00")) == "OTHER")
        let night = try TimeOfDaySessions(minutes: [("NIGHT", 22 * 60, 2 * 60 + 30)], otherwise: "DAY")
        #expect(night.session(at: at("22:00")) == "NIGHT" && night.session(at: at("02:29")) == "NIGHT")
        #expect(night.session(at: at("02:30")) == "DAY" && night.session(at: at("21:59")) == "DAY")
    }

    @Test func badWindowsAreRefused() {
        #expect(throws: TimeOfDaySessions.InvalidWindow.self) { try TimeOfDaySessions(hours: [("X", 0, 25)], otherwise: "O") }
        #expect(throws: TimeOfDaySessions.InvalidWindow.self) { try TimeOfDaySessions(hours: [("X", 5, 5)], otherwise: "O") }
        #expect(throws: TimeOfDaySessions.InvalidWindow.self) { try TimeOfDaySessions(minutes: [("X", -1, 5)], otherwise: "O") }
    }
}
