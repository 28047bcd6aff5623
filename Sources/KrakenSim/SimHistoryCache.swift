import Synchronization
import TradingCore

/// Summaries of one pair's history (before the server's start), for REST OHLC and Ticker: whole hours kept for the
/// entire history (8,760 a year), single minutes in a bounded table. Both are memos of a pure function of the seed,
/// so the server fills them outside the engine lock (`fill`) before a request that needs them, and a year's 21,600-
/// minute candles never stall the WebSocket feed; the engine reads them under its lock and computes what is missing.
final class SimHistoryCache: @unchecked Sendable {
    // @unchecked: `hourTable` and `minuteTable` are only touched under `lock` (a Mutex around the arrays themselves
    // copies them on every access in debug builds).
    let history: SimHistory
    private let lock = Mutex(())
    private var hourTable: [SimCandle?]
    private var minuteTable: [Int: SimCandle] = [:]
    /// Single minutes kept: more than the 21,600 a 720-candle OHLC of 30 minutes reads; beyond it the table starts again.
    static let minuteCapacity = 50_000
    /// History minute m is UTC-hour aligned when (m + phase) % 60 == 0; hour k starts at minute k·60 − phase.
    private let phase: Int

    init(history: SimHistory) {
        self.history = history
        let minuteOfHour = history.first.nanoseconds / 60_000_000_000 % 60
        phase = Int((minuteOfHour + 60) % 60)
        hourTable = [SimCandle?](repeating: nil, count: (history.minutes + phase + 59) / 60)
    }

    /// The summary of [from, to) ∩ history, from whole cached hours where the span covers them and minutes elsewhere.
    func span(from: Timestamp, to: Timestamp) -> SimCandle {
        var c = SimCandle(begin: from)
        walk(from: from, to: to) { piece in c.merge(piece) }
        return c
    }

    /// Computes (outside any engine lock) every hour and minute `span(from:to:)` will read.
    func fill(from: Timestamp, to: Timestamp) { walk(from: from, to: to) { _ in } }

    private func walk(from: Timestamp, to: Timestamp, _ body: (SimCandle) -> Void) {
        let h = history
        let end = min(to, h.start)
        var m = max(0, h.minute(of: from))
        if from > h.first + .minutes(Int64(m)) { m += 1 }   // spans start on minute boundaries; a partial minute is not history's
        let last = min(h.minutes, h.minute(of: end - Interval(nanoseconds: 1)) + 1)
        while m < last {
            // A whole hour inside the span, and inside the history (the last, partial one is summed by minutes).
            if (m + phase) % 60 == 0, m + 60 <= last, m + 60 <= h.minutes {
                body(hour((m + phase) / 60))
                m += 60
            } else {
                body(minute(m))
                m += 1
            }
        }
    }

    private func hour(_ k: Int) -> SimCandle {
        if let c = lock.withLock({ _ in hourTable[k] }) { return c }
        let m0 = k * 60 - phase
        var c = SimCandle(begin: history.first + .minutes(Int64(m0)))
        for m in m0..<(m0 + 60) { c.merge(Self.summary(history, m)) }
        lock.withLock { _ in hourTable[k] = c }
        return c
    }

    private func minute(_ m: Int) -> SimCandle {
        if let c = lock.withLock({ _ in minuteTable[m] }) { return c }
        let c = Self.summary(history, m)
        lock.withLock { _ in
            if minuteTable.count >= Self.minuteCapacity { minuteTable.removeAll(keepingCapacity: true) }
            minuteTable[m] = c
        }
        return c
    }

    static func summary(_ h: SimHistory, _ m: Int) -> SimCandle {
        var c = SimCandle(begin: h.first + .minutes(Int64(m)))
        for t in h.trades(minute: m) { c.add(t) }
        return c
    }
}
