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

    public init() {}
}

/// What the kernel reports as it runs. Drivers hook logs, recorders and hashes here.
public protocol KernelObserver: AnyObject {
    func kernelDidFill(_ fill: Fill, portfolio: Portfolio)
    func kernelDidReject(_ rejection: ExecutionRejection)
    func kernelStrategyFailed(_ name: String, message: String, paused: Bool)
    /// Something the user should know, reported once (e.g. an asset valued at 0 for lack of a USD price).
    func kernelWarning(_ message: String)
}

extension KernelObserver {
    public func kernelDidFill(_ fill: Fill, portfolio: Portfolio) {}
    public func kernelDidReject(_ rejection: ExecutionRejection) {}
    public func kernelStrategyFailed(_ name: String, message: String, paused: Bool) {}
    public func kernelWarning(_ message: String) {}
}
