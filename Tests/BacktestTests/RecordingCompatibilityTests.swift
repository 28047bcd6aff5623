import Foundation
import Testing
import TradingCore
@testable import Backtest

/// Decision 50 and the schema's reach into recordings (hardening issue, item 7).
@Suite struct RecordingCompatibilityTests {
    /// v1 recordings made by the foundation release replay to the fills_sha256 that build printed for them:
    /// seed 5 on XRP/USDT, and seed 8 with `--symbols XRP/BTC`, whose header recorded BTC/USDT as both
    /// strategies' pair (the foundation's routing) — decision 50: a v1 file replays with the symbols its header
    /// recorded per strategy.
    @Test(arguments: [("session_seed5.jsonl", "2c0c1c3d6e7840983de9bb6656090c54c0d639a389de579e11ae92f4aa585729"),
                      ("session_xrpbtc_seed8.jsonl", "759f0dc233b3c2efb9000c9f5eb9794cdd47bf0da601329bcc39c9a947329a1f")])
    func v1RecordingReplaysToItsRecordedHash(file: String, hash: String) throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/v1/" + file, withExtension: nil))
        let r = try EventReplay(path: url.path)
        let k = try SessionBuilder.makeKernel(r.spec)
        let h = FillHasher()
        k.addObserver(h)
        while let e = r.next() { k.handle(e) }
        k.stop()
        #expect(r.badLines == 0 && r.version == 1)
        #expect(h.count == 6)
        #expect(h.hexDigest == hash)
    }

    /// A value the configuration schema refuses is refused from a recording header too.
    @Test func headerValuesGoThroughTheSchema() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/v1/session_seed5.jsonl", withExtension: nil))
        let first = try #require(String(contentsOf: url, encoding: .utf8).split(separator: "\n").first)
        let header = try JSONSerialization.jsonObject(with: Data(first.utf8)) as! [String: Any]
        let spec = header["spec"] as! [String: Any]
        func refused(_ edit: (inout [String: Any]) -> Void, _ reason: String) {
            var s = spec
            edit(&s)
            do { _ = try SessionSpec(jsonObject: s); Issue.record("accepted: \(reason)") }
            catch { #expect("\(error)".contains(reason), "\(error)") }
        }
        refused({ s in var e = s["execution"] as! [String: Any]; e["fee_rate"] = "1.5"; s["execution"] = e }, "'execution.fee_rate' must be in [0, 1)")
        refused({ s in var e = s["execution"] as! [String: Any]; e["max_long_leverage"] = "1000"; s["execution"] = e }, "max_long_leverage")
        refused({ s in var e = s["execution"] as! [String: Any]; e["starting_capital"] = "0"; s["execution"] = e }, "starting_capital")
        refused({ s in s["interval_ms"] = 0 }, "general.interval_ms")
        refused({ s in s["start_ns"] = NSNumber(value: Int64.max) }, "start_ns")
        refused({ s in var m = s["market"] as! [String: Any]; m["book_depth"] = 100_000; s["market"] = m }, "data.book_depth")
        #expect((try? SessionSpec(jsonObject: spec)) != nil)
        // A v1 header's one fee is the taker's (and the maker's: v1 sessions had no resting orders); no latency.
        let v1 = try SessionSpec(jsonObject: spec)
        #expect(v1.exchange.takerFeeRate == Rate("0.001")! && v1.exchange.makerFeeRate == Rate("0.001")! && v1.exchange.latencyMs == 0)
        // Format 3's fields go through the schema as well.
        func v3(_ edit: (inout [String: Any]) -> Void) -> [String: Any] {
            var s = spec
            var e = s["execution"] as! [String: Any]
            e["fee_rate"] = nil
            e["maker_fee_rate"] = "0.0002"; e["taker_fee_rate"] = "0.0005"; e["latency_ms"] = 250
            s["execution"] = e
            edit(&s)
            return s
        }
        let ok = try SessionSpec(jsonObject: v3 { _ in })
        #expect(ok.exchange.makerFeeRate == Rate("0.0002")! && ok.exchange.takerFeeRate == Rate("0.0005")! && ok.exchange.latencyMs == 250)
        func refused3(_ edit: (inout [String: Any]) -> Void, _ reason: String) {
            do { _ = try SessionSpec(jsonObject: v3(edit)); Issue.record("accepted: \(reason)") }
            catch { #expect("\(error)".contains(reason), "\(error)") }
        }
        refused3({ s in var e = s["execution"] as! [String: Any]; e["latency_ms"] = -5; s["execution"] = e }, "execution.latency_ms")
        refused3({ s in var e = s["execution"] as! [String: Any]; e["maker_fee_rate"] = "2"; s["execution"] = e }, "execution.maker_fee_rate")
        refused3({ s in var e = s["execution"] as! [String: Any]; e["maker_fee_rate"] = nil; s["execution"] = e }, "maker_fee_rate")
        refused3({ s in
            var st = s["strategies"] as! [[String: Any]]
            st[0]["symbol_parameters"] = ["XRPUSDT": ["entry_imbalance": "0.2"]]
            s["strategies"] = st
        }, "symbol_parameters")
    }

    /// Format 3 round-trips per-symbol parameters, fees and latency through the header.
    @Test func formatThreeRoundTrips() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/v1/session_seed5.jsonl", withExtension: nil))
        var spec = try EventReplay(path: url.path).spec
        spec.exchange.makerFeeRate = Rate("0.0001")!
        spec.exchange.latencyMs = 125
        spec.strategies[0].symbolParameters = ["XRP/USDT": ["entry_imbalance": "0.3"]]
        let back = try SessionSpec(jsonObject: spec.jsonObject)
        #expect(back.exchange == spec.exchange && back.strategies == spec.strategies)
        // Per-symbol values reach the strategy when the kernel is built (a bad one is refused there).
        for bad in ["9", "lots"] {
            spec.strategies[0].symbolParameters = ["XRP/USDT": ["entry_imbalance": bad]]
            do { _ = try SessionBuilder.makeKernel(spec); Issue.record("accepted \(bad)") }
            catch { #expect("\(error)".contains("symbols.XRP/USDT.entry_imbalance"), "\(error)") }
        }
    }
}
