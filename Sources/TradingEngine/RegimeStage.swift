import TradingCore
import Regime

/// The kernel's regime step (tick step 3): the detector brought up to the market, the snapshot readers get, the
/// "regime changed" notice, and the parameter router for routed strategies (decision 45).
final class RegimeStage {
    var detector: RegimeDetector
    let router: ParameterRouter

    init(detector: RegimeDetector, router: ParameterRouter) {
        self.detector = detector
        self.router = router
    }

    func snapshot(_ market: any MarketView, at now: Timestamp, observers: [any KernelObserver]) -> DataSnapshot {
        let before = detector.snapshot
        let snap = detector.update(market, at: now)
        // A change is a new final regime on a real reading (the neutral one before enough history is no reading).
        if !snap.symbolRegimes.isEmpty {
            let old = before?.symbolRegimes.isEmpty == false ? before?.overallRegime : nil
            if old != snap.overallRegime { for o in observers { o.kernelRegimeChanged(from: old, to: snap) } }
        }
        return DataSnapshot(timestamp: now, market: market, regime: snap)
    }

    /// A routed strategy's entry: false if the router declines it, else its size scaled (rounded down). It acts on a
    /// real reading only: before the detector has one, entries pass unchanged.
    func route(_ s: inout Signal, runner r: StrategyRunner, _ snapshot: DataSnapshot, observers: [any KernelObserver]) -> Bool {
        guard let regime = snapshot.regime, !regime.symbolRegimes.isEmpty else { return true }
        let a = router.adjustments(r.name, regime)
        guard a.strategyEnabled else {
            r.regimeDeclined += 1
            for o in observers { o.kernelRegimeDeclined(r.name, signal: s, regime: regime) }
            return false
        }
        if a.positionSize != 1, let rate = Rate(a.positionSize) { s.size = s.size.scaled(by: rate, .down) }
        return true
    }
}
