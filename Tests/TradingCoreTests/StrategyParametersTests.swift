import Testing
@testable import TradingCore

/// Resolution 32's order for every strategy: the user's per-symbol value > the strategy's built-in per-symbol value >
/// the user's global value > the built-in global default.
@Suite struct StrategyParametersTests {
    let specs: [ParameterSpec] = [.int("fast", 10, min: 1, max: 100, "f").perPair(), .int("slow", 30, min: 2, max: 100, "s").perPair(),
                                  .bool("flag", false, "b")]
    let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, eth = Symbol("ETH/USDT")!

    @Test func precedence() throws {
        var p = try StrategyParameters.resolve(strategy: "t", specs: specs, layers: [["fast": "8", "slow": "50"]])
        let builtIn: [Symbol: [String: String]] = [xrp: ["fast": "6"], btc: ["slow": "40"]]
        let user: [Symbol: [String: String]] = [xrp: ["fast": "4"]]
        try p.resolveSymbols(strategy: "t", layers: [builtIn, user])
        #expect(p.int("fast", for: xrp) == 4)        // user per-symbol beats built-in per-symbol
        #expect(p.int("slow", for: btc) == 40)       // built-in per-symbol beats the user's global 50
        #expect(p.int("fast", for: btc) == 8)        // user global beats the default 10
        #expect(p.int("slow", for: eth) == 50 && p.int("fast", for: eth) == 8)
        #expect(p.bool("flag", for: xrp) == false)   // nothing set anywhere: the default
        #expect(p.int("fast") == 8)                   // the global value is unchanged
        #expect(p.symbolTextValues == ["XRP/USDT": ["fast": "4"], "BTC/USDT": ["slow": "40"]])
    }

    @Test func perSymbolValuesAreValidatedLikeGlobalOnes() throws {
        var p = StrategyParameters.defaults(specs)
        #expect(throws: ParameterError.self) { try p.resolveSymbols(strategy: "t", layers: [[xrp: ["fast": "0"]]]) }
        #expect(throws: ParameterError.self) { try p.resolveSymbols(strategy: "t", layers: [[xrp: ["nope": "1"]]]) }
        do { try p.resolveSymbols(strategy: "t", layers: [[xrp: ["fast": "abc"]]]); Issue.record("accepted") } catch let e as ParameterError {
            #expect(e.key == "symbols.XRP/USDT.fast" && e.message.contains("integer"))
        }
        // A parameter the strategy does not read per pair is refused per pair, never silently ignored.
        do { try p.resolveSymbols(strategy: "t", layers: [[xrp: ["flag": "true"]]]); Issue.record("accepted") } catch let e as ParameterError {
            #expect(e.message.contains("not settable per pair") && e.message.contains("fast, slow"))
        }
    }
}
