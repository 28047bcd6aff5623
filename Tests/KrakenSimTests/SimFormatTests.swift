import Testing
import TradingCore
@testable import KrakenSim

/// The server's number and time formatting, against Kraken's own texts (market-data §1.4, §1.5, fixtures).
@Suite struct SimFormatTests {
    @Test func numbersAsKrakenWritesThem() {
        #expect(SimFormat.fixed(452835, 1) == "45283.5")
        #expect(SimFormat.fixed(100_000, 8) == "0.00100000")
        #expect(SimFormat.fixed(7, 0) == "7")
        #expect(SimFormat.fixed(-17, 2) == "-0.17")
        #expect(SimFormat.stripped(452840, 1) == "45284")
        #expect(SimFormat.stripped(5660, 4) == "0.566")
        #expect(SimFormat.stripped(150_000_000, 8) == "1.5")
        // Increments as the documented instrument snapshot writes them.
        #expect(KrakenSimEngine.increment(8) == "1e-08")
        #expect(KrakenSimEngine.increment(5) == "1e-05")
        #expect(KrakenSimEngine.increment(1) == "0.1")
        #expect(KrakenSimEngine.increment(4) == "0.0001")
    }

    @Test func quantitiesAreStrippedAtTheConfiguredRate() {
        var stripped = 0
        let n = 20_000
        for k in 0..<n where !SimFormat.quantity(150_000_000 + Int64(k) * 100, 8, strippedPercent: 20, salt: UInt64(k) &* 7919).hasSuffix("00") {
            stripped += 1
        }
        // Each value ends in "00" at full precision; ~20 % lose their trailing zeros.
        #expect(abs(Double(stripped) / Double(n) - 0.2) < 0.02)
        #expect(SimFormat.quantity(150_000_000, 8, strippedPercent: 0, salt: 1) == "1.50000000")
        #expect(SimFormat.quantity(150_000_000, 8, strippedPercent: 100, salt: 1) == "1.5")
    }

    @Test func timesWithSixAndNineDigits() {
        let t = Timestamp(iso8601: "2025-01-15T10:30:59.512345Z")!
        #expect(SimFormat.time(t) == "2025-01-15T10:30:59.512345Z")
        #expect(SimFormat.time(Timestamp(iso8601: "2023-10-04T16:25:00Z")!, digits: 9) == "2023-10-04T16:25:00.000000000Z")
        #expect(SimFormat.time(Timestamp(nanoseconds: 1_696_436_700_123_456_789), digits: 9) == "2023-10-04T16:25:00.123456789Z")
        #expect(KrakenSimEngine.rfc1123(Timestamp(iso8601: "2021-03-21T14:23:14Z")!) == "Sun, 21 Mar 21 14:23:14 +0000")
    }

    @Test func checksumOfKrakensWorkedExamples() {
        // market-data §1.5: Kraken's checksum-guide example (BTC/USD, pp 1, qp 8) is 3310070434.
        let bids: [(Int64, Int64)] = [(452835, 10_000_000), (452834, 154_582_015), (452821, 10_000_000), (452810, 10_000_000), (452803, 154_592_586),
                                      (452790, 7_990_000), (452776, 3_310_103), (452775, 30_000_000), (452773, 154_602_737), (452766, 15_445_238)]
        let asks: [(Int64, Int64)] = [(452852, 100_000), (452864, 154_571_953), (452866, 154_571_109), (452896, 154_560_911), (452902, 15_890_660),
                                      (452918, 154_553_491), (452947, 4_454_749), (452961, 35_380_000), (452975, 9_945_542), (452995, 18_772_827)]
        var book = SimBook()
        book.bids = bids.map { SimLevel(price: $0.0, qty: $0.1) }
        book.asks = asks.map { SimLevel(price: $0.0, qty: $0.1) }
        #expect(book.checksum == 3_310_070_434)
        #expect(SimCRC32.of("123456789".utf8) == 0xCBF4_3926)
        // MATIC/USD's documented snapshot (pp 4, qp 8), then its documented update.
        var m = SimBook()
        m.bids = [(5666, 483_175_496_356), (5665, 665_822_734_739), (5664, 1_872_491_513_344), (5663, 1_156_392_544_914), (5662, 1_400_665_365_711),
                  (5661, 1_745_485_679_807), (5660, 1_809_715_470_000), (5659, 3_364_489_175_666), (5658, 14_834_640_000), (5657, 60_670_854_372)].map { SimLevel(price: $0.0, qty: $0.1) }
        m.asks = [(5668, 441_079_769_741), (5669, 465_540_412_487), (5670, 4_984_489_424_998), (5671, 2_430_641_678_000), (5672, 2_978_325_223_475),
                  (5673, 5_723_471_239_278), (5674, 4_506_504_744_000), (5675, 591_276_380_354), (5676, 4_251_492_434_778), (5677, 3_630_408_470_220)].map { SimLevel(price: $0.0, qty: $0.1) }
        #expect(m.checksum == 2_439_117_997)
        m.bids[9].qty = 109_839_475_580
        #expect(m.checksum == 2_114_181_697)
    }

    @Test func updatesSendDeletionsThenNewLevelsAndNothingThatMerelyFallsOut() {
        var old = SimBook()
        old.bids = [SimLevel(price: 100, qty: 1), SimLevel(price: 99, qty: 1), SimLevel(price: 98, qty: 1)]
        old.asks = [SimLevel(price: 101, qty: 1), SimLevel(price: 102, qty: 1), SimLevel(price: 103, qty: 1)]
        var new = old
        // Bid 100 deleted (98 remains, 97 refills a depth-2 view); a better ask 100.5 pushes 102 out of the view.
        new.bids = [SimLevel(price: 99, qty: 1), SimLevel(price: 98, qty: 1), SimLevel(price: 97, qty: 4)]
        new.asks = [SimLevel(price: 100, qty: 2), SimLevel(price: 101, qty: 1), SimLevel(price: 102, qty: 1), SimLevel(price: 103, qty: 1)]
        let u = new.update(from: old, depth: 2)
        #expect(u.bids == [SimLevel(price: 100, qty: 0), SimLevel(price: 98, qty: 1)])
        #expect(u.asks == [SimLevel(price: 100, qty: 2)])
    }
}
