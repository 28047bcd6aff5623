import TradingCore
import Regime

/// The kernel's regime step (tick step 3): the detector brought up to the market, the snapshot readers get, the
/// "regime changed" notice, and the parameter router for routed strategies (decision 45).
final class RegimeStage {
    var detector: RegimeDetector
    let router: ParameterRouter
    private var evaluations = 0
    private var lastFinal: MarketRegime?
    /// Reads the detector when a strategy asks (`snapshot.regime`), not on every tick. A snapshot is valid for the
    /// call it is passed to (decision 15); one kept past its kernel reads the neutral reading instead of crashing.
    private(set) lazy var reader: RegimeReader = {
        let weights = detector.config.weights.byName
        return RegimeReader { [weak self] t in self?.detector.reading(at: t) ?? .neutral(at: t, weights: weights) }
    }()

    init(detector: RegimeDetector, router: ParameterRouter) {
        self.detector = detector
        self.router = router
    }

    func snapshot(_ market: any MarketView, at now: Timestamp, observers: [any KernelObserver]) -> DataSnapshot {
        detector.advance(market, at: now)
        if detector.evaluations != evaluations {
            evaluations = detector.evaluations
            // A change is a new final regime on a real reading (the neutral one before enough history is no reading).
            if let snap = detector.snapshot, snap.overallRegime != lastFinal {
                for o in observers { o.kernelRegimeChanged(from: lastFinal, to: snap) }
                lastFinal = snap.overallRegime
            }
        }
        return DataSnapshot(timestamp: now, market: market, regimeReader: reader)
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
        if a.positionSize != 1 {
            // A multiplier that leaves nothing to trade (0, or rounded away) is a decline, not an invalid order.
            guard let rate = Rate(a.positionSize), case let scaled = s.size.scaled(by: rate, .down), scaled.isPositive else {
                r.regimeDeclined += 1
                for o in observers { o.kernelRegimeDeclined(r.name, signal: s, regime: regime) }
                return false
            }
            s.size = scaled
        }
        return true
    }
}
