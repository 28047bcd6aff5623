/// Classifies engine time into named UTC time-of-day windows (resolution 33): half-open ranges of minutes of the day
/// `[start, end)`, checked in order, the first match wins; a window may wrap midnight (`[22:00, 02:00)`). A time in no
/// window gets `otherwise`. One shared classifier, configured per strategy, so no two strategies disagree about 21:xx.
public struct TimeOfDaySessions: Sendable, Equatable {
    public struct Window: Sendable, Equatable {
        public let name: String
        /// Minutes after 00:00 UTC, 0…1440.
        public let start: Int
        public let end: Int

        public func contains(minute m: Int) -> Bool {
            start <= end ? (m >= start && m < end) : (m >= start || m < end)
        }
    }

    public struct InvalidWindow: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public let windows: [Window]
    public let otherwise: String

    /// Windows in whole hours, `(name, startHour, endHour)` with hours in 0…24.
    public init(hours: [(String, Int, Int)], otherwise: String) throws {
        try self.init(minutes: hours.map { ($0.0, $0.1 * 60, $0.2 * 60) }, otherwise: otherwise)
    }

    /// Windows in minutes of the day, `(name, start, end)` with minutes in 0…1440.
    public init(minutes: [(String, Int, Int)], otherwise: String) throws {
        var out: [Window] = []
        for (name, s, e) in minutes {
            guard (0...1440).contains(s), (0...1440).contains(e) else {
                throw InvalidWindow(message: "session '\(name)': bounds must be within 00:00…24:00 (got \(s)…\(e) minutes)")
            }
            guard s != e else { throw InvalidWindow(message: "session '\(name)' is empty (start = end)") }
            out.append(Window(name: name, start: s % 1440, end: e == 1440 ? 1440 : e))
        }
        windows = out
        self.otherwise = otherwise
    }

    /// Minutes since 00:00 UTC of `t` (times before 1970 included).
    public static func minuteOfDay(_ t: Timestamp) -> Int {
        let perDay: Int64 = 86_400_000_000_000
        let ns = ((t.nanoseconds % perDay) + perDay) % perDay
        return Int(ns / 60_000_000_000)
    }

    /// The UTC hour (0…23) of `t`.
    public static func hourOfDay(_ t: Timestamp) -> Int { minuteOfDay(t) / 60 }

    /// The session `t` falls in.
    public func session(at t: Timestamp) -> String {
        let m = Self.minuteOfDay(t)
        for w in windows where w.contains(minute: m) { return w.name }
        return otherwise
    }

    /// The strategy specs' shared table (WaveTrend, whale sentiment and grid §9.1; market making's US as [17, 22) would
    /// be configured by that strategy): ASIA [0, 8), EUROPE [8, 14), US_EUROPE_OVERLAP [14, 17), US [17, 21),
    /// otherwise OFF_HOURS.
    public static let reference: TimeOfDaySessions = try! TimeOfDaySessions(
        hours: [("ASIA", 0, 8), ("EUROPE", 8, 14), ("US_EUROPE_OVERLAP", 14, 17), ("US", 17, 21)], otherwise: "OFF_HOURS")
}
