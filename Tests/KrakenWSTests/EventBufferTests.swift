import Testing
import TradingCore
@testable import KrakenWS

/// The one bounded buffer between the edge and the kernel: producers wait while it is full (nothing dropped), batches
/// with sequence numbers enter in that order, times leave non-decreasing, and finish releases every waiter.
@Suite struct EventBufferTests {
    func t(_ n: Int64) -> Timestamp { Timestamp(nanoseconds: 1_000_000_000_000 + n) }

    @Test func aFullBufferMakesTheProducerWaitAndLosesNothing() async {
        let b = EventBuffer(capacity: 4)
        let producer = Task {
            for i in 0..<100 { await b.push([.timer(t(Int64(i)))]) }
            b.finish()
        }
        var got: [MarketEvent] = []
        var batch: [MarketEvent] = []
        while await b.take(into: &batch) {
            got += batch
            batch.removeAll()
            #expect(b.stats.queued <= 4)
            await Task.yield()
        }
        await producer.value
        #expect(got == (0..<100).map { .timer(t(Int64($0))) })
        #expect(b.stats.highWater <= 4 + 1 && b.stats.producerWaits > 0)
    }

    @Test func sequencedBatchesEnterInTheirOrder() async {
        let b = EventBuffer(capacity: 100)
        // Batch 1 is pushed first but must wait for batch 0; the empty batch 2 still advances the order.
        let late = Task { await b.push([.timer(t(20))], sequence: 1) }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(b.stats.queued == 0)
        await b.push([.timer(t(10))], sequence: 0)
        await late.value
        await b.push([], sequence: 2)
        await b.push([.timer(t(30))], sequence: 3)
        var out: [MarketEvent] = []
        _ = await b.take(into: &out)
        #expect(out == [.timer(t(10)), .timer(t(20)), .timer(t(30))])
    }

    @Test func anEarlierStampTakesTheLaterTime() async {
        let b = EventBuffer(capacity: 10)
        await b.push([.timer(t(50))])
        let trade = Trade(symbol: Symbol("XRP/USD")!, time: t(40), exchangeTime: t(1), price: Price("2")!, size: Quantity("1")!, side: .buy)
        await b.push([.trade(trade)])
        var out: [MarketEvent] = []
        _ = await b.take(into: &out)
        guard case .trade(let x) = out[1] else { Issue.record("not a trade"); return }
        #expect(x.time == t(50) && x.exchangeTime == t(1) && b.stats.retimed == 1)
    }

    @Test func finishReleasesWaitingProducersAndTheConsumer() async {
        let b = EventBuffer(capacity: 1)
        await b.push([.timer(t(1))])
        let blocked = Task { await b.push([.timer(t(2))]) }
        let outOfOrder = Task { await b.push([.timer(t(3))], sequence: 7) }
        try? await Task.sleep(for: .milliseconds(50))
        b.finish()
        await blocked.value
        await outOfOrder.value
        var out: [MarketEvent] = []
        #expect(await b.take(into: &out) == true && out == [.timer(t(1))])   // what was queued is still taken
        out.removeAll()
        #expect(await b.take(into: &out) == false && out.isEmpty)
        let consumer = Task { () -> Bool in var o: [MarketEvent] = []; return await b.take(into: &o) }
        #expect(await consumer.value == false)
    }
}
