import Testing

/// ARCHITECTURE rule 2: no wall clock, UUIDs or unseeded randomness in kernel-side targets.
@Suite struct PurityTests {
    static let kernelTargets = ["TradingCore", "MarketData", "Indicators", "Regime", "PaperExchange", "TradingEngine", "Strategies", "Backtest"]
    static let forbidden = ["Date()", "Date.now", "UUID()", "ContinuousClock", "SuspendingClock", "Task.sleep",
                            "SystemRandomNumberGenerator", ".random(", "random()", "gettimeofday", "clock_gettime", "time(nil)", "DispatchTime"]

    @Test func kernelSideSourcesAreClean() throws {
        // Tests/TradingEngineTests/PurityTests.swift → package root.
        let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        var checked = 0
        for target in Self.kernelTargets {
            let dir = "/" + root + "/Sources/" + target
            for file in try listSwiftFiles(dir) {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                    for f in Self.forbidden where code.contains(f) {
                        Issue.record("\(file):\(n + 1) uses \(f)")
                    }
                }
                checked += 1
            }
        }
        #expect(checked > 20)
    }
}

import Foundation

func listSwiftFiles(_ dir: String) throws -> [String] {
    guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
    return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.map { dir + "/" + $0 }
}
