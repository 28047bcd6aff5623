import Foundation
import TradingCore
import MarketData
import PaperExchange
import TradingEngine
import AppConfiguration
import Strategies
import Regime

extension SessionSpec {
    /// The header object of a recording.
    public var jsonObject: [String: Any] {
        var ex: [String: Any] = [
            "maker_fee_rate": exchange.makerFeeRate.description, "taker_fee_rate": exchange.takerFeeRate.description,
            "latency_ms": exchange.latencyMs, "slippage_rate": exchange.slippageRate.description,
            "max_long_leverage": exchange.maxLongLeverage.description, "max_short_leverage": exchange.maxShortLeverage.description,
            "maintenance_margin_ratio": exchange.maintenanceMarginRatio.description, "max_fills_history": exchange.maxFillsHistory,
            "validate_protective_levels": exchange.validateProtectiveLevels, "fill_model": exchange.fillModel.rawValue,
            "starting_capital": exchange.startingCapital.description,
        ]
        ex["starting_assets"] = exchange.startingAssets.mapValues { $0.description }
        return [
            "symbols": symbols.map(\.text),
            "instruments": instruments.sorted { $0.symbol < $1.symbol }.map { ["symbol": $0.symbol.text, "price_decimals": $0.priceDecimals, "lot_decimals": $0.lotDecimals] },
            "strategies": strategies.map { ["name": $0.name, "parameters": $0.parameters, "symbols": $0.symbols.map(\.text), "regime_router": $0.regimeRouter,
                                            "symbol_parameters": $0.symbolParameters] as [String: Any] },
            "execution": ex,
            "engine": ["max_strategy_errors": engine.maxStrategyErrors, "close_positions_on_shutdown": engine.closePositionsOnShutdown,
                       "next_bar_open_fills": engine.nextBarOpenFills, "regime": Self.regimeHeader(engine.regime),
                       "regime_adjustments": engine.routerOverrides],
            "market": ["max_trades": market.maxTrades, "book_depth": market.bookDepth, "price_source": market.priceSource.rawValue,
                       "candle_close_grace_ns": market.candleCloseGrace.nanoseconds, "account_currency": market.accountCurrency.code,
                       "stale_after_ns": market.staleAfter.map { $0.nanoseconds as Any } ?? NSNull(),
                       "timeframes": market.timeframes.sorted().map(\.description),
                       "max_candles": Dictionary(uniqueKeysWithValues: market.maxCandles.map { ($0.key.description, $0.value) })],
            "seed": NSNumber(value: seed),
            "interval_ms": intervalMs,
            "start_ns": start.nanoseconds,
            "bar_timeframe": barTimeframe.map { $0.description as Any } ?? NSNull(),
            "regime_symbols": SessionBuilder.regimeSymbols(self).map(\.text),
        ]
    }

    /// The detector settings that change what strategies see (not the external endpoints: their values are recorded
    /// as events).
    static let regimeHeaderKeys: Set<String> = Set(Schema.settings.map(\.key).filter {
        $0.hasPrefix("regime_detection.") && !$0.hasPrefix("regime_detection.external.")
    })

    static func regimeHeader(_ r: RegimeConfig?) -> [String: String] {
        var c = AppConfig()
        if let r { c.regime = r } else { c.regime.enabled = false }
        return Dictionary(uniqueKeysWithValues: regimeHeaderKeys.compactMap { k in Schema.setting(k).map { (k, $0.read(c)) } })
    }

    public init(jsonObject o: [String: Any]) throws {
        func bad(_ k: String) -> SessionError { .input("recording header: bad or missing '\(k)'") }
        guard let syms = o["symbols"] as? [String] else { throw bad("symbols") }
        symbols = try syms.map { guard let s = Symbol($0) else { throw bad("symbols") }; return s }
        guard let ins = o["instruments"] as? [[String: Any]] else { throw bad("instruments") }
        instruments = try ins.map {
            guard let s = ($0["symbol"] as? String).flatMap(Symbol.init), let p = $0["price_decimals"] as? Int, let l = $0["lot_decimals"] as? Int,
                  (0...18).contains(p), (0...18).contains(l) else { throw bad("instruments") }
            return Instrument(symbol: s, priceDecimals: p, lotDecimals: l)
        }
        guard let st = o["strategies"] as? [[String: Any]] else { throw bad("strategies") }
        strategies = try st.map {
            guard let n = $0["name"] as? String, StrategyRegistry.type(named: n) != nil, let p = $0["parameters"] as? [String: String],
                  let ss = $0["symbols"] as? [String] else { throw bad("strategies") }
            if let r = $0["regime_router"], !(r is Bool) { throw bad("strategies.regime_router") }
            var perSymbol: [String: [String: String]] = [:]
            if let sp = $0["symbol_parameters"] {
                guard let m = sp as? [String: [String: String]], m.keys.allSatisfy({ Symbol($0) != nil }) else { throw bad("strategies.symbol_parameters") }
                perSymbol = m
            }
            return StrategySpec(name: n, parameters: p, symbols: try ss.map { guard let s = Symbol($0) else { throw bad("strategies") }; return s },
                                regimeRouter: ($0["regime_router"] as? Bool) ?? false, symbolParameters: perSymbol)
        }
        guard let ex = o["execution"] as? [String: Any] else { throw bad("execution") }
        // Every value with a configuration key is validated by the schema, exactly as from YAML or a flag.
        func setting(_ key: String, _ raw: Any?) throws -> SettingValue {
            let text: String
            if case .bool? = Schema.setting(key)?.type {
                guard let b = raw as? Bool else { throw bad(key) }
                text = b ? "true" : "false"
            } else if let s = raw as? String {
                text = s
            } else if let n = raw as? NSNumber {
                text = n.stringValue
            } else {
                throw bad(key)
            }
            switch Schema.parse(key, text) {
            case .success(let v): return v
            case .failure(let e): throw SessionError.input("recording header: '\(key)' \(e.message)")
            }
        }
        func rate(_ k: String) throws -> Rate {
            guard case .decimal(let m) = try setting("execution.\(k)", ex[k]) else { throw bad("execution.\(k)") }
            return Rate(raw: m.raw)
        }
        var e = ExchangeConfig()
        // Versions 1–2 had one fee (`fee_rate`, the taker's) and no resting orders, so the maker rate never applied.
        if ex["taker_fee_rate"] != nil {
            e.takerFeeRate = try rate("taker_fee_rate")
            e.makerFeeRate = try rate("maker_fee_rate")
        } else {
            e.takerFeeRate = try rate("fee_rate")
            e.makerFeeRate = e.takerFeeRate
        }
        if let v = ex["latency_ms"], case .int(let n) = try setting("execution.latency_ms", v) { e.latencyMs = n }
        e.slippageRate = try rate("slippage_rate")
        e.maxLongLeverage = try rate("max_long_leverage"); e.maxShortLeverage = try rate("max_short_leverage")
        e.maintenanceMarginRatio = try rate("maintenance_margin_ratio")
        if let v = ex["max_fills_history"], case .int(let n) = try setting("execution.max_fills_history", v) { e.maxFillsHistory = n }
        if let v = ex["validate_protective_levels"], case .bool(let b) = try setting("execution.validate_protective_levels", v) { e.validateProtectiveLevels = b }
        guard case .string(let fm) = try setting("execution.fill_model", ex["fill_model"]), let model = FillModel(rawValue: fm) else { throw bad("execution.fill_model") }
        e.fillModel = model
        guard case .decimal(let cap) = try setting("general.starting_capital", ex["starting_capital"]) else { throw bad("execution.starting_capital") }
        e.startingCapital = cap
        e.startingAssets = try ((ex["starting_assets"] as? [String: String]) ?? [:]).mapValues { text in
            guard let q = Money(text), !q.isNegative, q <= Money(1_000_000_000_000) else { throw bad("starting_assets") }
            return Quantity(raw: q.raw)
        }
        exchange = e
        guard let en = o["engine"] as? [String: Any] else { throw bad("engine") }
        var eng = EngineConfig()
        if let v = en["max_strategy_errors"], case .int(let n) = try setting("general.max_strategy_errors", v) { eng.maxStrategyErrors = n }
        if let v = en["close_positions_on_shutdown"], case .bool(let b) = try setting("general.close_positions_on_shutdown", v) { eng.closePositionsOnShutdown = b }
        eng.nextBarOpenFills = (en["next_bar_open_fills"] as? Bool) ?? false
        // Version-1 headers predate the detector: no regime section means the defaults, as those sessions ran.
        if let r = en["regime"] {
            guard let keys = r as? [String: String] else { throw bad("engine.regime") }
            var c = AppConfig()
            for (key, text) in keys.sorted(by: { $0.key < $1.key }) {
                guard Self.regimeHeaderKeys.contains(key), let s = Schema.setting(key) else { throw bad("engine.regime.\(key)") }
                guard case .success(let v) = s.parse(text) else { throw SessionError.input("recording header: 'engine.regime.\(key)' has a bad value '\(text)'") }
                s.apply(&c, v)
            }
            do { try c.regime.validate() } catch { throw SessionError.input("recording header: \(error)") }
            eng.regime = c.regime
        }
        if let r = en["regime_adjustments"] {
            guard let cells = r as? [String: [String: [String: String]]] else { throw bad("engine.regime_adjustments") }
            do { _ = try ParameterRouter(overrides: cells) } catch { throw SessionError.input("recording header: \(error)") }
            eng.routerOverrides = cells
        }
        engine = eng
        guard let m = o["market"] as? [String: Any] else { throw bad("market") }
        var mc = MarketDataConfig()
        if let v = m["max_trades"], case .int(let n) = try setting("data.max_trades", v) { mc.maxTrades = n }
        if let v = m["book_depth"], case .int(let n) = try setting("data.book_depth", v) { mc.bookDepth = n }
        if let v = m["price_source"], case .string(let p) = try setting("data.price_source", v) { mc.priceSource = PriceSource(rawValue: p)! }
        if let v = m["candle_close_grace_ns"] {
            guard let ns = (v as? NSNumber)?.int64Value, (0...3_600_000_000_000).contains(ns) else { throw bad("market.candle_close_grace_ns") }
            mc.candleCloseGrace = Interval(nanoseconds: ns)
        }
        // A recording made before the staleness rule (no key) replays without it; null = off.
        mc.staleAfter = nil
        if let v = m["stale_after_ns"], !(v is NSNull) {
            guard let ns = (v as? NSNumber)?.int64Value, (0...86_400_000_000_000).contains(ns) else { throw bad("market.stale_after_ns") }
            mc.staleAfter = Interval(nanoseconds: ns)
        }
        mc.timeframes = Set(((m["timeframes"] as? [String]) ?? ["1m"]).compactMap(Timeframe.init(text:)))
        var caps: [Timeframe: Int] = [:]
        for (k, v) in (m["max_candles"] as? [String: Any]) ?? [:] {
            guard let tf = Timeframe(text: k), case .int(let n) = try setting("data.max_candles_1m", v) else { throw bad("market.max_candles") }
            caps[tf] = n
        }
        mc.maxCandles = caps
        if let a = m["account_currency"] as? String {
            // USD, or the quote of a session pair (a coin-denominated bar backtest).
            guard a == "USD" || symbols.contains(where: { $0.hasQuote(a) }) else { throw bad("market.account_currency") }
            mc.accountCurrency = AccountCurrency(code: a)
        }
        market = mc
        seed = 42
        if let v = o["seed"], case .seed(let s) = try setting("simulation.seed", v) { seed = s }
        intervalMs = 100
        if let v = o["interval_ms"], case .int(let n) = try setting("general.interval_ms", v) { intervalMs = Int64(n) }
        guard let startNs = (o["start_ns"] as? NSNumber)?.int64Value,
              Timestamp.supportedRange.contains(Timestamp(nanoseconds: startNs)) else { throw bad("start_ns") }
        start = Timestamp(nanoseconds: startNs)
        barTimeframe = (o["bar_timeframe"] as? String).flatMap(Timeframe.init(text:))
        if let r = o["regime_symbols"] {
            guard let list = r as? [String] else { throw bad("regime_symbols") }
            regimeSymbols = try list.map { guard let s = Symbol($0), syms.contains($0) else { throw bad("regime_symbols") }; return s }
        }
    }
}
