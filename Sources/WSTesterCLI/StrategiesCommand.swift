import ArgumentParser
import Foundation
import TradingCore
import AppConfiguration
import Strategies

struct StrategiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strategies", abstract: "Inspect the built-in strategies.",
        subcommands: [List.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every built-in strategy with its parameters.")
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() throws {
            if json {
                let list: [[String: Any]] = StrategyRegistry.all.map { t in
                    ["name": t.name, "version": t.version, "summary": t.summary, "symbols": t.defaultSymbols.map(\.text),
                     "parameters": t.parameters.map { ["name": $0.name, "default": $0.defaultValue.description, "help": $0.help, "per_pair": $0.perSymbol] }]
                }
                let data = try JSONSerialization.data(withJSONObject: ["strategies": list], options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            for t in StrategyRegistry.all {
                print("\(t.name) \(t.version) — \(t.summary)")
                print("  symbols: \(t.defaultSymbols.map(\.text).joined(separator: ", "))")
                for p in t.parameters { print("  \(p.name) = \(p.defaultValue)    \(p.help)\(p.perSymbol ? " (per pair: symbols.<SYM>.\(p.name))" : "")") }
            }
        }
    }
}
