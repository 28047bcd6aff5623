import ArgumentParser
import TradingCore
import AppConfiguration
import MarketData
import PaperExchange
import TradingEngine
import Strategies
import Backtest

/// Turns configuration and flags into a `SessionSpec`: strategy set, symbols, parameters.
enum SessionPlanner {
    /// `--param strategy.key=value` (or `key=value` when exactly one strategy runs) into per-strategy layers.
    static func parseParams(_ raw: [String], strategies: [String]) throws -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for item in raw {
            guard let eq = item.firstIndex(of: "=") else { throw ConfigError("--param '\(item)': expected strategy.key=value") }
            let lhs = String(item[..<eq]).trimmingSpaces()
            let value = String(item[item.index(after: eq)...])
            var strategy: String, key: String
            if let dot = lhs.firstIndex(of: ".") {
                strategy = String(lhs[..<dot]); key = String(lhs[lhs.index(after: dot)...])
            } else {
                guard strategies.count == 1 else { throw ConfigError("--param '\(item)': name the strategy (strategy.key=value) when several run") }
                strategy = strategies[0]; key = lhs
            }
            guard StrategyRegistry.type(named: strategy) != nil else {
                throw ConfigError("--param '\(item)': unknown strategy '\(strategy)' (available: \(StrategyRegistry.names.joined(separator: ", ")))")
            }
            guard strategies.contains(strategy) else { throw ConfigError("--param '\(item)': strategy '\(strategy)' is not selected for this run") }
            out[strategy, default: [:]][key] = value
        }
        return out
    }

    /// CLI list, else config list, else every registered strategy. Unknown names exit 3.
    static func strategyNames(cli: String?, config: AppConfig) throws -> [String] {
        var names: [String]
        if let cli {
            names = cli.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        } else {
            names = config.enabledStrategies ?? StrategyRegistry.names
        }
        for n in names where StrategyRegistry.type(named: n) == nil {
            throw fail("unknown strategy '\(n)' (available: \(StrategyRegistry.names.joined(separator: ", ")))", code: 3)
        }
        if Set(names).count != names.count { throw fail("a strategy is selected twice", code: 3) }
        guard !names.isEmpty else { throw fail("no strategies selected", code: 3) }
        return names.sorted()
    }

    /// The pairs of a session. `traded` is what the user asked for (`--symbols`, else `symbols:` in the YAML), nil
    /// when neither names any: then each strategy trades its own default pairs (or `general.default_symbols`).
    /// `session` adds the USD valuation pair of every non-cash quote (XRP/BTC needs BTC/USDT): data only, traded
    /// by no strategy unless the user listed it.
    struct SymbolPlan {
        var session: [Symbol]
        var traded: [Symbol]?
        /// Pairs in the session only to value a quote currency.
        var dataOnly: [Symbol]
    }

    static func symbols(cli: String?, config: AppConfig, strategies: [String]) throws -> SymbolPlan {
        var traded: [Symbol]?
        if let cli {
            traded = try cli.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }.map {
                guard let s = Symbol($0) else { throw ConfigError("--symbols: '\($0)' is not a BASE/QUOTE symbol") }
                return s
            }
            if traded!.isEmpty { throw ConfigError("--symbols: no symbols given") }
        } else if !config.symbols.isEmpty {
            traded = config.symbols
        }
        let trading = traded ?? strategies.flatMap { ownSymbols($0, config: config) }
        var set = Set(trading)
        for s in trading where !s.quoteIsCash {
            if !set.contains(where: { $0.base == s.quote && $0.quoteIsCash }) { set.insert(Symbol("\(s.quote)/USDT")!) }
        }
        guard !set.isEmpty else { throw ConfigError("no symbols to trade") }
        let dataOnly = set.subtracting(trading).sorted()
        return SymbolPlan(session: set.sorted(), traded: traded.map { Array(Set($0)).sorted() }, dataOnly: dataOnly)
    }

    /// A strategy's own default pairs, else `general.default_symbols`.
    static func ownSymbols(_ name: String, config: AppConfig) -> [Symbol] {
        let own = StrategyRegistry.type(named: name)!.defaultSymbols
        return own.isEmpty ? config.defaultSymbols : own
    }

    /// The pairs a strategy trades: the user's list, else its own; in the strategy's own order (its spec's evaluation
    /// order: a first-signal-wins strategy depends on it), then any others by name.
    static func strategySymbols(_ name: String, plan: SymbolPlan, config: AppConfig) -> [Symbol] {
        let own = ownSymbols(name, config: config)
        let set = Set(plan.traded ?? own)
        var seen = Set<Symbol>()
        let first = own.filter { set.contains($0) && seen.insert($0).inserted }
        return first + set.subtracting(first).sorted()
    }

    /// Warnings for a strategy whose own fee assumptions are below what the paper exchange charges: market making's
    /// quotes are spaced to cover `maker_fee_rate` (and its stale exit `taker_fee_rate`), which are its parameters,
    /// not the exchange's (a strategy does not read the exchange's configuration).
    static func feeNotes(_ specs: [StrategySpec], exchange: ExchangeConfig) -> [String] {
        var out: [String] = []
        for st in specs where st.name == "market_making" && st.parameters["mode"] != "legacy" {
            for (key, charged) in [("maker_fee_rate", exchange.makerFeeRate), ("taker_fee_rate", exchange.takerFeeRate)] {
                guard let own = st.parameters[key].flatMap(Double.init), let rate = Double(charged.description), own < rate else { continue }
                out.append("market_making.\(key) \(st.parameters[key]!) is below the exchange's execution.\(key) \(charged): its quotes no longer cover the fees charged")
            }
        }
        return out
    }

    /// `symbols.<SYMBOL>.<key>` (a `--param` per-symbol key) into its symbol and parameter.
    static func symbolKey(_ key: String) throws -> (symbol: String, key: String)? {
        guard key.hasPrefix("symbols.") else { return nil }
        let rest = key.dropFirst("symbols.".count)
        guard let dot = rest.lastIndex(of: "."), let sym = Symbol(String(rest[..<dot])) else {
            throw ConfigError("--param: expected <strategy>.symbols.<BASE/QUOTE>.<key>=value, got '\(key)'")
        }
        return (sym.text, String(rest[rest.index(after: dot)...]))
    }

    /// Folds `--param` values into a strategy's global and per-symbol layers.
    static func applyParams(_ cli: [String: String], global: inout [String: String], perSymbol: inout [String: [String: String]]) throws {
        for (k, v) in cli.sorted(by: { $0.key < $1.key }) {
            if let sk = try symbolKey(k) { perSymbol[sk.symbol, default: [:]][sk.key] = v } else { global[k] = v }
        }
    }

    static func strategySpecs(names: [String], plan: SymbolPlan, config: AppConfig, cliParams: [String: [String: String]]) throws -> [StrategySpec] {
        try names.map { n in
            let syms = strategySymbols(n, plan: plan, config: config)
            let params: [String: String]
            var cliGlobal: [String: String] = [:]
            var userSymbols = config.symbolOverrides[n] ?? [:]
            try applyParams(cliParams[n] ?? [:], global: &cliGlobal, perSymbol: &userSymbols)
            do {
                params = try SessionBuilder.effectiveParameters(n, layers: [config.strategyOverrides[n] ?? [:], cliGlobal])
            } catch let e as SessionError {
                throw ConfigError(e.description)
            }
            // Constructing once validates cross-parameter rules (e.g. fast < slow) before anything runs.
            do { _ = try SessionBuilder.makeStrategies([StrategySpec(name: n, parameters: params, symbols: syms)]) }
            catch let e as SessionError { throw ConfigError(e.description) }
            catch let e as ParameterError { throw ConfigError(e.description) }
            let perSymbol: [String: [String: String]]
            do {
                perSymbol = try SessionBuilder.effectiveSymbolParameters(n, symbols: syms, user: userSymbols)
            } catch let e as SessionError {
                throw ConfigError(e.description)
            }
            let spec = StrategySpec(name: n, parameters: params, symbols: syms, regimeRouter: config.regimeRouted.contains(n), symbolParameters: perSymbol)
            if !perSymbol.isEmpty {
                do { _ = try SessionBuilder.makeStrategies([spec]) }
                catch let e as SessionError { throw ConfigError(e.description) }
            }
            return spec
        }
    }

    static func instruments(for symbols: [Symbol], config: AppConfig) throws -> [Instrument] {
        var reg = InstrumentRegistry()
        for i in config.instruments { reg.set(i) }
        return try symbols.map { s in
            guard let i = reg[s] else { throw ConfigError("no precision known for \(s): add instruments.\(s).price_decimals / lot_decimals to the config") }
            return i
        }
    }
}
