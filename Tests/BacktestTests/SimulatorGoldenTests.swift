import Crypto
import Foundation
import Testing
import TradingCore
import MarketData
@testable import Backtest

/// Market-data §4.3 freezes the simulator's order of draws; this golden digest of its first 600 ticks
/// (seed 42, the three default pairs) fails on any change to the price model, the draw order, book
/// geometry or trade generation. Update it only for a deliberate, documented model change.
///
/// 2026-12-01: exp, log and cos became PortableMath (platform-independent) and the model became per asset
/// (hidden legs, stablecoins). With glibc's maths the per-asset model still gave the earlier digest
/// fbbe6e5097095aa50cfa74cfbbb75ceaaa1419a18318b6e3a90610e0063f447c, so only the maths moved this one.
@Suite struct SimulatorGoldenTests {
    static let golden = "af6ee35c4fd4f62dd9d2e94296cd82bc2e70e82e647cc57c05eef92d305a602a"

    @Test func firstMinuteOfEventsIsFrozen() {
        var sim = SimulatedMarket(symbols: ["XRP/USDT", "BTC/USDT", "XRP/BTC"].map { Symbol($0)! }, seed: 42)
        var h = SHA256()
        var trades = 0
        for _ in 0..<600 {
            for e in sim.step() {
                if case .trade = e { trades += 1 }
                h.update(data: Array((EventCodec.encode(e) + "\n").utf8))
            }
        }
        let digest = h.finalize().map { String(format: "%02x", $0) }.joined()
        #expect(trades > 100)
        #expect(digest == Self.golden)
    }
}
