import Foundation
import TradingCore
import AppConfiguration
import PaperExchange
import TradingEngine
import Backtest

/// Console output of a running session: fills, rejections, errors, status and progress lines.
final class Console: KernelObserver {
    let level: Int
    private var progressShown = false

    init(level: String) {
        self.level = ["debug": 0, "info": 1, "warning": 2, "error": 3][level] ?? 1
    }

    func kernelDidFill(_ f: Fill, portfolio: Portfolio) {
        guard level <= 1 else { return }
        clearProgress()
        let trig = f.trigger.map { " [\($0.rawValue)]" } ?? ""
        defer { flushOutput() }
        print("[\(f.timestamp.iso8601)] FILL \(f.strategy) \(f.side.rawValue) \(f.size) \(f.symbol) @ \(f.price) fee \(f.fee.formatted(decimals: 8)) pnl \(f.pnl.formatted(decimals: 4))\(trig)")
    }

    func kernelDidReject(_ r: ExecutionRejection) {
        guard level <= 0 else { return }
        print("[\(r.timestamp.iso8601)] REJECTED \(r.strategy) \(r.signal.action.rawValue) \(r.signal.symbol): \(r.reason.rawValue)\(r.detail.map { " (\($0))" } ?? "")")
    }

    func kernelStrategyFailed(_ name: String, message: String, paused: Bool) {
        guard level <= 3 else { return }
        clearProgress()
        FileHandle.standardError.write(Data("[strategy \(name)] error: \(message)\(paused ? " — paused for the rest of the session" : "")\n".utf8))
    }

    func kernelWarning(_ message: String) {
        guard level <= 2 else { return }
        clearProgress()
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    func kernelRegimeChanged(from old: MarketRegime?, to new: RegimeSnapshot) {
        guard level <= 1 else { return }
        clearProgress()
        let pct = Int((new.overallConfidence * 100).rounded())
        print("[\(new.timestamp.iso8601)] Regime changed: \(old?.rawValue ?? "none") -> \(new.overallRegime.rawValue) (confidence: \(pct)%)")
        flushOutput()
    }

    func kernelRegimeDeclined(_ strategy: String, signal: Signal, regime: RegimeSnapshot) {
        guard level <= 0 else { return }
        print("[\(regime.timestamp.iso8601)] REGIME ROUTER \(strategy) \(signal.action.rawValue) \(signal.symbol) declined: \(regime.overallRegime.rawValue), volatility \(regime.volatilityState.rawValue)")
    }

    func status(kernel: Kernel) {
        guard level <= 1 else { return }
        let v = Valuation(market: kernel.market)
        let equity = kernel.runners.reduce(Money.zero) { $0 + v.equity($1.portfolio) }
        let pnl = kernel.runners.reduce(Money.zero) { $0 + $1.portfolio.totalPnl }
        defer { flushOutput() }
        print("--- \(kernel.clock.now.iso8601)  ticks \(kernel.ticks)  signals \(kernel.signalCount)  fills \(kernel.fillCount)  equity \(equity.formatted(decimals: 2))  realized \(pnl.formatted(decimals: 2))")
        print("    " + kernel.market.prices.map { "\($0.0) \(formatLevel($0.1))" }.joined(separator: "  "))
    }

    func progress(kernel: Kernel, engineStart: Timestamp, end: Timestamp?) {
        guard level <= 2 else { return }
        let done = Double((kernel.clock.now - engineStart).nanoseconds) / 6e10
        let total = end.map { " / \(Double(($0 - engineStart).nanoseconds) / 6e10)" } ?? ""
        let line = String(format: "\r… %.1f%@ engine min, %d events, %d fills", done, total, kernel.eventsProcessed, kernel.fillCount)
        FileHandle.standardError.write(Data(line.utf8))
        progressShown = true
    }

    func clearProgress() {
        if progressShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); progressShown = false }
    }
}
