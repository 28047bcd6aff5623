import ArgumentParser
import TradingCore
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

    /// Symbols: CLI, else config, else the sorted union of the strategies' symbols, else defaults;
    /// plus the USD valuation pair of every non-cash quote (XRP/BTC needs BTC/USDT).
    static func symbols(cli: String?, config: AppConfig, strategies: [String]) throws -> [Symbol] {
        var list: [Symbol]
        if let cli {
            list = try cli.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }.map {
                guard let s = Symbol($0) else { throw ConfigError("--symbols: '\($0)' is not a BASE/QUOTE symbol") }
                return s
            }
        } else if !config.symbols.isEmpty {
            list = config.symbols
        } else {
            list = Array(Set(strategies.flatMap { StrategyRegistry.type(named: $0)!.defaultSymbols }))
            if list.isEmpty { list = config.defaultSymbols }
        }
        var set = Set(list)
        for s in list where !s.quoteIsCash {
            if !set.contains(where: { $0.base == s.quote && $0.quoteIsCash }) { set.insert(Symbol("\(s.quote)/USDT")!) }
        }
        guard !set.isEmpty else { throw ConfigError("no symbols to trade") }
        return set.sorted()
    }

    /// The symbols a strategy trades: its own that the session has, or every session symbol if none match.
    static func strategySymbols(_ name: String, session: [Symbol]) -> (symbols: [Symbol], note: String?) {
        let own = StrategyRegistry.type(named: name)!.defaultSymbols.filter { session.contains($0) }
        if !own.isEmpty { return (own.sorted(), nil) }
        let tradable = session.filter { $0.quoteIsCash || session.count == 1 }
        return (tradable, "\(name): none of its default symbols are in the session; trading \(tradable.map(\.text).joined(separator: ", "))")
    }

    static func strategySpecs(names: [String], session: [Symbol], config: AppConfig, cliParams: [String: [String: String]],
                              notes: inout [String]) throws -> [StrategySpec] {
        try names.map { n in
            let (syms, note) = strategySymbols(n, session: session)
            if let note { notes.append(note) }
            let params: [String: String]
            do {
                params = try SessionBuilder.effectiveParameters(n, layers: [config.strategyOverrides[n] ?? [:], cliParams[n] ?? [:]])
            } catch let e as SessionError {
                throw ConfigError(e.description)
            }
            // Constructing once validates cross-parameter rules (e.g. fast < slow) before anything runs.
            do { _ = try SessionBuilder.makeStrategies([StrategySpec(name: n, parameters: params, symbols: syms)]) }
            catch let e as SessionError { throw ConfigError(e.description) }
            catch let e as ParameterError { throw ConfigError(e.description) }
            return StrategySpec(name: n, parameters: params, symbols: syms)
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
