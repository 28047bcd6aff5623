import Testing
import TradingCore
@testable import Strategies

@Suite struct StrategyRegistryTests {
    @Test func namesAreUniqueSortedAndSnakeCase() {
        #expect(StrategyRegistry.duplicateNames.isEmpty)
        #expect(StrategyRegistry.names == StrategyRegistry.names.sorted())
        for n in StrategyRegistry.names {
            #expect(n.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "\(n) is not lower_snake_case")
        }
        #expect(StrategyRegistry.names.contains("sma_cross"))
    }

    @Test func everyStrategyBuildsFromDefaultsAndHasValidDefaults() throws {
        for t in StrategyRegistry.all {
            let p = StrategyParameters.defaults(t.parameters)
            let s = try t.init(parameters: p, symbols: t.defaultSymbols)
            #expect(!t.defaultSymbols.isEmpty)
            #expect(!t.summary.isEmpty)
            for spec in t.parameters {
                if case .failure(let e) = spec.parse(spec.defaultValue.description) { Issue.record("\(t.name).\(spec.name): \(e.message)") }
            }
            _ = s.warmup
        }
    }

    @Test func smaCrossRejectsBadParameters() {
        let specs = SMACrossStrategy.parameters
        #expect(throws: ParameterError.self) {
            try SMACrossStrategy(parameters: try StrategyParameters.resolve(strategy: "sma_cross", specs: specs, layers: [["fast": "30", "slow": "10"]]), symbols: [])
        }
        #expect(throws: ParameterError.self) {
            try StrategyParameters.resolve(strategy: "sma_cross", specs: specs, layers: [["slow": "1"]])
        }
        #expect(throws: ParameterError.self) {
            try StrategyParameters.resolve(strategy: "sma_cross", specs: specs, layers: [["speed": "1"]])
        }
    }
}
