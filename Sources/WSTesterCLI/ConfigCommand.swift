import ArgumentParser
import Foundation
import TradingCore
import AppConfiguration

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the configuration.",
        subcommands: [Show.self, Defaults.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration of a run with these flags, each value with its source.",
            discussion: """
            Sources, lowest first: default, file (--config or ./config.yaml), environment (WS_TESTER_<KEY>), cli. \
            The YAML output can be used as a config file and gives the same effective configuration. Secrets \
            are never printed.
            """)
        @OptionGroup var options: RunOptions
        @Flag(help: "Print JSON: every key with its value, source and origin.") var json = false

        func run() throws {
            let (resolved, _) = try options.resolve()
            guard json else { print(ConfigWriter.yaml(resolved.config, sources: resolved.sources), terminator: ""); return }
            var values: [[String: String]] = []
            for s in Schema.settings {
                let src = resolved.sources[s.key]
                values.append(["key": s.key, "value": s.value(in: resolved.config), "source": src?.source.rawValue ?? "default", "origin": src?.origin ?? ""])
            }
            for (k, src) in resolved.sources.sorted(by: { $0.key < $1.key }) where Schema.setting(k) == nil {
                values.append(["key": k, "value": familyValue(k, resolved.config), "source": src.source.rawValue, "origin": src.origin])
            }
            let data = try JSONSerialization.data(withJSONObject: ["settings": values], options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }

        func familyValue(_ key: String, _ c: AppConfig) -> String {
            let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
            switch parts.first {
            case "starting_assets": return c.startingAssets[parts[1]]?.description ?? ""
            case "strategy_overrides": return parts.count == 3 ? c.strategyOverrides[parts[1]]?[parts[2]] ?? "" : ""
            case "instruments":
                let sym = key.dropFirst("instruments.".count).split(separator: ".").first.map(String.init) ?? ""
                guard let i = c.instruments.first(where: { $0.symbol.text == sym }) else { return "" }
                return key.hasSuffix("price_decimals") ? "\(i.priceDecimals)" : "\(i.lotDecimals)"
            default: return ""
            }
        }
    }

    struct Defaults: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the default configuration file (the shipped config.yaml), generated from the schema.")
        func run() throws { print(ConfigWriter.yaml(AppConfig.schemaDefaults), terminator: "") }
    }
}
