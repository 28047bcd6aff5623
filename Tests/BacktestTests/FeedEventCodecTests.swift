import Foundation
import Testing
import TradingCore
@testable import Backtest

/// Recording format 4: the feed's events (feed status, book invalidated, trade gap) and exchange times survive the
/// JSONL round trip; hostile values are refused with a message.
@Suite struct FeedEventCodecTests {
    let t = Timestamp(nanoseconds: 1_764_633_600_123_456_789)
    let xrp = Symbol("XRP/USD")!

    func roundTrip(_ e: MarketEvent) throws -> MarketEvent {
        let line = EventCodec.encode(e)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try EventCodec.decode(obj)
    }

    func decode(_ line: String) throws -> MarketEvent {
        try EventCodec.decode(try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]))
    }

    @Test func feedEventsRoundTrip() throws {
        let events: [MarketEvent] = [
            .feedStatus(FeedStatus(time: t, status: .disconnected)),
            .feedStatus(FeedStatus(time: t, symbol: xrp, status: .cancelOnly)),
            .bookInvalidated(BookInvalidation(time: t, symbol: xrp)),
            .tradeGap(TradeGap(time: t, symbol: xrp, missing: 18_446_744_073_709_551_615)),
            .trade(Trade(symbol: xrp, time: t, exchangeTime: t - .milliseconds(40), price: Price("2.35")!, size: Quantity("10")!, side: .buy, tradeId: 7)),
            .book(BookUpdate(symbol: xrp, time: t, exchangeTime: t - .milliseconds(3), isSnapshot: false, bids: [BookLevel(price: Price("2.34")!, size: Quantity("1")!)], asks: [])),
            .ticker(Ticker(symbol: xrp, time: t, exchangeTime: t - .seconds(1), bid: Price("2.34")!, ask: Price("2.36")!, last: Price("2.35")!, volume24h: Quantity("5")!)),
        ]
        for e in events { #expect(try roundTrip(e) == e) }
        // Without a separate exchange time nothing extra is written (simulated recordings keep their bytes).
        let plain = EventCodec.encode(.trade(Trade(symbol: xrp, time: t, price: Price("2.35")!, size: Quantity("1")!, side: .sell)))
        #expect(!plain.contains("\"xt\""))
        #expect(EventCodec.encode(events[4]).contains("\"xt\":\(t.nanoseconds - 40_000_000)"))
    }

    @Test func hostileFeedEventsAreRefused() {
        let bad = [
            #"{"k":"feed","t":1764633600000000000,"status":"on\"line"}"#,
            #"{"k":"feed","t":1764633600000000000,"status":"ONLINE"}"#,
            #"{"k":"feed","t":1764633600000000000,"status":""}"#,
            #"{"k":"feed","t":1764633600000000000,"s":"nope","status":"online"}"#,
            #"{"k":"trade_gap","t":1764633600000000000,"s":"XRP/USD","missing":0}"#,
            #"{"k":"trade_gap","t":1764633600000000000,"s":"XRP/USD","missing":-1}"#,
            #"{"k":"trade_gap","t":1764633600000000000,"s":"XRP/USD","missing":1.5}"#,
            #"{"k":"book_invalid","t":1764633600000000000}"#,
            #"{"k":"trade","s":"XRP/USD","t":1764633600000000000,"xt":99999999999999999999,"p":"1","q":"1","side":"buy"}"#,
            #"{"k":"trade","s":"XRP/USD","t":1764633600000000000,"xt":-5,"p":"1","q":"1","side":"buy"}"#,
        ]
        for line in bad { #expect(throws: (any Error).self, "\(line)") { try decode(line) } }
        // A status outside Kraken's vocabulary is recorded as "other" (still not online).
        #expect(EventCodec.encode(.feedStatus(FeedStatus(time: t, status: MarketStatus(rawValue: "we\"ird")))).contains("\"status\":\"other\""))
    }
}
