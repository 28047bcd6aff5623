import Foundation
import TradingCore
import MarketData
import PaperExchange
import TradingEngine

extension SessionSpec {
    /// The header object of a recording.
    public var jsonObject: [String: Any] {
        var ex: [String: Any] = [
            "fee_rate": exchange.feeRate.description, "slippage_rate": exchange.slippageRate.description,
            "max_long_leverage": exchange.maxLongLeverage.description, "max_short_leverage": exchange.maxShortLeverage.description,
            "maintenance_margin_ratio": exchange.maintenanceMarginRatio.description, "max_fills_history": exchange.maxFillsHistory,
            "validate_protective_levels": exchange.validateProtectiveLevels, "fill_model": exchange.fillModel.rawValue,
            "starting_capital": exchange.startingCapital.description,
        ]
        ex["starting_assets"] = exchange.startingAssets.mapValues { $0.description }
        return [
            "symbols": symbols.map(\.text),
            "instruments": instruments.sorted { $0.symbol < $1.symbol }.map { ["symbol": $0.symbol.text, "price_decimals": $0.priceDecimals, "lot_decimals": $0.lotDecimals] },
            "strategies": strategies.map { ["name": $0.name, "parameters": $0.parameters, "symbols": $0.symbols.map(\.text)] as [String: Any] },
            "execution": ex,
            "engine": ["max_strategy_errors": engine.maxStrategyErrors, "close_positions_on_shutdown": engine.closePositionsOnShutdown,
                       "next_bar_open_fills": engine.nextBarOpenFills],
            "market": ["max_trades": market.maxTrades, "book_depth": market.bookDepth, "price_source": market.priceSource.rawValue,
                       "candle_close_grace_ns": market.candleCloseGrace.nanoseconds, "account_currency": market.accountCurrency.code,
                       "timeframes": market.timeframes.sorted().map(\.description),
                       "max_candles": Dictionary(uniqueKeysWithValues: market.maxCandles.map { ($0.key.description, $0.value) })],
            "seed": NSNumber(value: seed),
            "interval_ms": intervalMs,
            "start_ns": start.nanoseconds,
            "bar_timeframe": barTimeframe.map { $0.description as Any } ?? NSNull(),
        ]
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
            guard let n = $0["name"] as? String, let p = $0["parameters"] as? [String: String], let ss = $0["symbols"] as? [String] else { throw bad("strategies") }
            return StrategySpec(name: n, parameters: p, symbols: try ss.map { guard let s = Symbol($0) else { throw bad("strategies") }; return s })
        }
        guard let ex = o["execution"] as? [String: Any] else { throw bad("execution") }
        func rate(_ k: String) throws -> Rate { guard let s = ex[k] as? String, let r = Rate(s) else { throw bad("execution.\(k)") }; return r }
        var e = ExchangeConfig()
        e.feeRate = try rate("fee_rate"); e.slippageRate = try rate("slippage_rate")
        e.maxLongLeverage = try rate("max_long_leverage"); e.maxShortLeverage = try rate("max_short_leverage")
        e.maintenanceMarginRatio = try rate("maintenance_margin_ratio")
        e.maxFillsHistory = (ex["max_fills_history"] as? Int) ?? 1000
        e.validateProtectiveLevels = (ex["validate_protective_levels"] as? Bool) ?? true
        guard let fm = (ex["fill_model"] as? String).flatMap(FillModel.init(rawValue:)) else { throw bad("execution.fill_model") }
        e.fillModel = fm
        guard let cap = (ex["starting_capital"] as? String).flatMap(Money.init) else { throw bad("execution.starting_capital") }
        e.startingCapital = cap
        e.startingAssets = try ((ex["starting_assets"] as? [String: String]) ?? [:]).mapValues { guard let q = Quantity($0) else { throw bad("starting_assets") }; return q }
        exchange = e
        guard let en = o["engine"] as? [String: Any] else { throw bad("engine") }
        var eng = EngineConfig()
        eng.maxStrategyErrors = (en["max_strategy_errors"] as? Int) ?? 10
        eng.closePositionsOnShutdown = (en["close_positions_on_shutdown"] as? Bool) ?? false
        eng.nextBarOpenFills = (en["next_bar_open_fills"] as? Bool) ?? false
        engine = eng
        guard let m = o["market"] as? [String: Any] else { throw bad("market") }
        var mc = MarketDataConfig()
        mc.maxTrades = (m["max_trades"] as? Int) ?? 100
        mc.bookDepth = (m["book_depth"] as? Int) ?? 10
        mc.priceSource = (m["price_source"] as? String).flatMap(PriceSource.init(rawValue:)) ?? .lastTrade
        mc.candleCloseGrace = Interval(nanoseconds: (m["candle_close_grace_ns"] as? NSNumber)?.int64Value ?? 2_000_000_000)
        mc.timeframes = Set(((m["timeframes"] as? [String]) ?? ["1m"]).compactMap(Timeframe.init(text:)))
        var caps: [Timeframe: Int] = [:]
        for (k, v) in (m["max_candles"] as? [String: Int]) ?? [:] { if let tf = Timeframe(text: k) { caps[tf] = v } }
        mc.maxCandles = caps
        if let a = m["account_currency"] as? String {
            guard !a.isEmpty, a.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }) else { throw bad("market.account_currency") }
            mc.accountCurrency = AccountCurrency(code: a)
        }
        market = mc
        seed = (o["seed"] as? NSNumber)?.uint64Value ?? 42
        intervalMs = (o["interval_ms"] as? NSNumber)?.int64Value ?? 100
        start = Timestamp(nanoseconds: (o["start_ns"] as? NSNumber)?.int64Value ?? 0)
        barTimeframe = (o["bar_timeframe"] as? String).flatMap(Timeframe.init(text:))
    }
}
