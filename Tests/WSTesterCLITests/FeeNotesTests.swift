import Testing
import TradingCore
import PaperExchange
import Backtest
@testable import WSTesterCLI

/// Market making spaces its quotes by its own fee parameters; a session whose exchange charges more says so.
@Suite struct FeeNotesTests {
    func mm(_ params: [String: String]) -> StrategySpec {
        StrategySpec(name: "market_making", parameters: ["maker_fee_rate": "0.0025", "taker_fee_rate": "0.004", "mode": "quote"].merging(params) { $1 },
                     symbols: [Symbol("XRP/USDT")!])
    }

    @Test func aMakerFeeAboveTheStrategysIsNoted() {
        var ex = ExchangeConfig()
        #expect(SessionPlanner.feeNotes([mm([:])], exchange: ex).isEmpty)   // the shipped values agree
        ex.makerFeeRate = Rate("0.003")!
        let notes = SessionPlanner.feeNotes([mm([:])], exchange: ex)
        #expect(notes.count == 1 && notes[0].contains("market_making.maker_fee_rate 0.0025") && notes[0].contains("0.003"))
        #expect(SessionPlanner.feeNotes([mm(["mode": "legacy"])], exchange: ex).isEmpty)   // legacy quotes nothing
        ex.takerFeeRate = Rate("0.005")!
        #expect(SessionPlanner.feeNotes([mm(["maker_fee_rate": "0.003"])], exchange: ex).map { $0.contains("taker_fee_rate") } == [true])
    }
}
