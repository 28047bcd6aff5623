import Regime
import TradingCore
import Strategies

/// Writes a configuration as YAML: the shipped config.yaml (every default with its doc) and `config show` (the
/// effective values, each with its source). Reading the output back gives the same effective configuration.
public enum ConfigWriter {
    public static let header = """
    # ws-tester configuration, generated from the configuration schema (`ws-tester config defaults`).
    # Every key is optional; the values below are the built-in defaults. Precedence: defaults < this file <
    # environment (WS_TESTER_<KEY>, e.g. WS_TESTER_EXECUTION_FEE_RATE) < command-line flags. Unknown keys are errors
    # (exit 1) that name the key and line, so a typo never silently runs with defaults. Money and rates are read
    # from their text exactly (never through binary floating point).
    """

    /// YAML of `config`; with `sources`, each value carries a `# source` comment (decision 35).
    public static func yaml(_ config: AppConfig, sources: [String: (source: ConfigSource, origin: String)]? = nil) -> String {
        var out = [header, ""]
        func comment(_ key: String, doc: String) -> String {
            guard let sources else { return "  # \(doc)" }
            if let s = sources[key] { return "  # source: \(s.source.rawValue) (\(s.origin))" }
            return "  # source: default"
        }
        func value(_ s: Setting) -> String { quoted(s.read(config), s.type) }
        // Top-level settings first.
        for s in Schema.settings where !s.key.contains(".") {
            out.append("# \(s.doc) (\(s.allowed))")
            out.append("\(s.key): \(value(s))" + (sources != nil ? comment(s.key, doc: s.doc) : ""))
        }
        out.append("")
        out.append("# Units of an asset each portfolio starts with besides cash, e.g. {XRP: 500}. ROI and drawdown are")
        out.append("# measured against the baseline (cash + these at their first USD price); an asset no pair can value is")
        out.append("# left out of baseline and equity alike.")
        let assets = config.startingAssets.filter { !$0.value.isZero }.sorted { $0.key < $1.key }
        if assets.isEmpty { out.append("starting_assets: {}") } else {
            out.append("starting_assets:")
            for (a, q) in assets { out.append("  \(a): \(q)" + (sources != nil ? comment("starting_assets.\(a)", doc: "") : "")) }
        }
        for section in Schema.sections {
            out.append("")
            out.append("\(section.name):  # \(section.doc)")
            for s in Schema.settings where s.key.hasPrefix(section.name + ".") && s.aliasOf == nil {
                let name = String(s.key.dropFirst(section.name.count + 1))
                let doc = "\(s.doc) (\(s.allowed)\(s.flags.isEmpty ? "" : "; " + s.flags.joined(separator: ", "))\(s.reserved ? "; read by a later capability" : ""))"
                out.append("  \(name): \(value(s))" + (sources != nil ? comment(s.key, doc: doc) : "  # \(doc)"))
            }
            if section.name == "regime_detection" {
                // The parameter router's table (regime.md §11.1), cell by cell over the built-in rows.
                if config.routerOverrides.isEmpty {
                    out.append("  adjustments: {}  # <strategy>.<REGIME>.<field> over the built-in table, e.g.")
                    out.append("  #  mean_reversion: {BULL: {position_size: 0.6, stop_loss: 1.5, entry_threshold_shift: 0.3, strategy_enabled: true}}")
                    out.append("  #  fields: \(ParameterRouter.fieldNames.joined(separator: ", ")); regimes: \(MarketRegime.allCases.map(\.rawValue).joined(separator: ", "))")
                } else {
                    out.append("  adjustments:")
                    for (strategy, rows) in config.routerOverrides.sorted(by: { $0.key < $1.key }) {
                        out.append("    \(strategy):")
                        for (regime, fields) in rows.sorted(by: { $0.key < $1.key }) {
                            out.append("      \(regime):")
                            for (f, v) in fields.sorted(by: { $0.key < $1.key }) {
                                let key = "regime_detection.adjustments.\(strategy).\(regime).\(f)"
                                out.append("        \(f): \(quotedScalar(v))" + (sources != nil ? comment(key, doc: "") : ""))
                            }
                        }
                    }
                }
            }
        }
        out.append("")
        out.append("# Per-strategy parameter overrides; `ws-tester strategies list` shows every parameter and default.")
        out.append("# --param strategy.key=value on the command line overrides these.")
        var merged = config.strategyOverrides
        for name in config.regimeRouted { merged[name, default: [:]]["regime_router"] = "true" }
        let overrides = merged.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
        if overrides.isEmpty {
            out.append("strategy_overrides: {}")
            for t in StrategyRegistry.all {
                out.append("#  \(t.name):")
                for p in t.parameters { out.append("#    \(p.name): \(p.defaultValue)  # \(p.help)") }
                out.append("#    regime_router: false  # entries through the regime's parameter router (declined or resized by regime; config only, not --param)")
            }
        } else {
            out.append("strategy_overrides:")
            for (name, params) in overrides {
                out.append("  \(name):")
                for (k, v) in params.sorted(by: { $0.key < $1.key }) {
                    out.append("    \(k): \(quotedScalar(v))" + (sources != nil ? comment("strategy_overrides.\(name).\(k)", doc: "") : ""))
                }
            }
        }
        out.append("")
        out.append("# Precisions of pairs outside the built-in table (Kraken AssetPairs pair_decimals / lot_decimals), e.g.")
        out.append("#   DOGE/USDT: {price_decimals: 7, lot_decimals: 8}")
        let instruments = config.instruments.sorted { $0.symbol < $1.symbol }
        if instruments.isEmpty { out.append("instruments: {}") } else {
            out.append("instruments:")
            for i in instruments {
                let src = sources.map { s in
                    let k = "instruments.\(i.symbol).price_decimals"
                    return s[k].map { "  # source: \($0.source.rawValue) (\($0.origin))" } ?? "  # source: default"
                } ?? ""
                out.append("  \(i.symbol): {price_decimals: \(i.priceDecimals), lot_decimals: \(i.lotDecimals)}" + src)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func quoted(_ v: String, _ type: SettingType) -> String {
        switch type {
        case .symbols, .strategies: v
        default: quotedScalar(v)
        }
    }

    /// Quotes a scalar YAML would read as something else (timestamps, URLs with '#', empty text).
    static func quotedScalar(_ v: String) -> String {
        let special: Set<Character> = [":", "#", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`"]
        if v.isEmpty || v.contains(where: { special.contains($0) }) || v != v.trimmingSpaces() {
            return "\"" + v.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        return v
    }
}

