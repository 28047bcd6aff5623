import TradingCore
import PaperExchange
import Regime

/// Kernel settings that are not execution parameters.
public struct EngineConfig: Sendable {
    /// A strategy that throws this many times is paused for the rest of the session (0 = never).
    public var maxStrategyErrors = 10
    /// Close every open position at the end (fills with trigger `shutdown`).
    public var closePositionsOnShutdown = false
    /// Bar backtests: orders decided at a bar's close fill at the next bar's open.
    public var nextBarOpenFills = false
    /// The market-regime detector's settings; nil (or `enabled: false`) never runs it.
    public var regime: RegimeConfig? = RegimeConfig()
    /// The configured cells of the parameter router's table, as text: what a recording header carries, so the router
    /// a session used is always the one its replay rebuilds (validated where it is read: config, header).
    public var routerOverrides: [String: [String: [String: String]]] = [:]
    /// The router routed strategies go through: the built-in table with the configured cells.
    public var router: ParameterRouter { (try? ParameterRouter(overrides: routerOverrides)) ?? ParameterRouter() }

    public init() {}
}

/// What the kernel reports as it runs. Drivers hook logs, recorders and hashes here.
public protocol KernelObserver: AnyObject {
    func kernelDidFill(_ fill: Fill, portfolio: Portfolio)
    func kernelDidReject(_ rejection: ExecutionRejection)
    func kernelStrategyFailed(_ name: String, message: String, paused: Bool)
    /// Something the user should know, reported once (e.g. an asset valued at 0 for lack of a USD price).
    func kernelWarning(_ message: String)
    /// The regime after hysteresis changed (regime.md §8 step 8).
    func kernelRegimeChanged(from old: MarketRegime?, to new: RegimeSnapshot)
    /// A routed strategy's entry was declined by the parameter router.
    func kernelRegimeDeclined(_ strategy: String, signal: Signal, regime: RegimeSnapshot)
    /// A strategy's resting order was accepted, replaced or ended (or a cancel named an unknown order).
    func kernelOrderEvent(_ event: OrderEvent, strategy: String)
}

extension KernelObserver {
    public func kernelDidFill(_ fill: Fill, portfolio: Portfolio) {}
    public func kernelDidReject(_ rejection: ExecutionRejection) {}
    public func kernelStrategyFailed(_ name: String, message: String, paused: Bool) {}
    public func kernelWarning(_ message: String) {}
    public func kernelRegimeChanged(from old: MarketRegime?, to new: RegimeSnapshot) {}
    public func kernelRegimeDeclined(_ strategy: String, signal: Signal, regime: RegimeSnapshot) {}
    public func kernelOrderEvent(_ event: OrderEvent, strategy: String) {}
}
