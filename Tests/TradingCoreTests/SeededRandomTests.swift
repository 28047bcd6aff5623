import Testing
@testable import TradingCore

/// Market-data §8 A27.
@Suite struct SeededRandomTests {
    @Test func splitMixVectors() {
        var a = SplitMix64(seed: 0)
        #expect([a.next(), a.next(), a.next()] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F])
        var b = SplitMix64(seed: 42)
        #expect([b.next(), b.next(), b.next()] == [0xBDD732262FEB6E95, 0x28EFE333B266F103, 0x47526757130F9F52])
    }

    @Test func uniformsAndNormals() {
        var u = SplitMix64(seed: 42)
        #expect([u.uniform(), u.uniform(), u.uniform()] == [0.7415648787718233, 0.1599103928769201, 0.27860113025513866])
        var n = SplitMix64(seed: 42)
        let expected = [0.8822489062222688, -0.4508498757188601, 0.1883526341159315]
        for e in expected { #expect(abs(n.normal() - e) < 1e-12) }
    }

    @Test func fnv() {
        #expect(fnv1a64("XRP/USDT") == 0x1A93A7924673181E)
        #expect(fnv1a64("BTC/USDT") == 0x39D686218C28E341)
        #expect(fnv1a64("XRP/BTC") == 0x666D6C903B83BC51)
        #expect(fnv1a64("XRP/USDT:activity") == 0xD6FE5B19CD78CDF1)
    }

    @Test func poissonMeanIsClose() {
        var r = SplitMix64(seed: 7)
        var total = 0
        for _ in 0..<100_000 { total += r.poisson(0.2) }
        #expect(abs(Double(total) / 100_000 - 0.2) < 0.01)
    }
}

@Suite struct RingBufferTests {
    @Test func evictsOldest() {
        var r = RingBuffer<Int>(capacity: 3)
        for i in 1...5 { r.append(i) }
        #expect(Array(r) == [3, 4, 5])
        #expect(r.newest == 5)
        #expect(Array(r.suffix(2)) == [4, 5])
    }
}
