/// The last `capacity` values, oldest first: a preallocated ring whose `push` returns the value it evicts.
/// Indicators keep their windows here rather than in `RingBuffer` so one update is a few instructions; a window
/// of tuples keeps several series in one ring (one push, one copy-on-write check).
@usableFromInline struct SlidingWindow<Element>: @unchecked Sendable {
    @usableFromInline var storage: ContiguousArray<Element>
    @usableFromInline var head = 0
    @usableFromInline var count = 0
    @usableFromInline let capacity: Int

    @usableFromInline init(capacity: Int, filler: Element) {
        precondition(capacity >= 1, "window capacity must be ≥ 1")
        self.capacity = capacity
        storage = ContiguousArray(repeating: filler, count: capacity)
    }

    @inlinable var isFull: Bool { count == capacity }

    /// Appends `x`; returns the evicted oldest value once the window is full.
    @inlinable @inline(__always) mutating func push(_ x: Element) -> Element? {
        let h = head
        head = h + 1 == capacity ? 0 : h + 1
        if count == capacity {
            let old = storage[h]
            storage[h] = x
            return old
        }
        storage[h] = x
        count += 1
        return nil
    }

    /// Oldest first.
    @inlinable @inline(__always) subscript(i: Int) -> Element {
        let j = (count == capacity ? head : 0) + i
        return storage[j < capacity ? j : j - capacity]
    }
}

extension SlidingWindow where Element == Double {
    @usableFromInline init(capacity: Int) { self.init(capacity: capacity, filler: 0) }

    @inlinable func sum() -> Double {
        var s = 0.0
        for i in 0..<count { s += self[i] }
        return s
    }

    /// Mean and Σ(x − mean)², in two passes.
    @inlinable func moments() -> (mean: Double, m2: Double) {
        let m = sum() / Double(count)
        var ss = 0.0
        for i in 0..<count { let d = self[i] - m; ss += d * d }
        return (m, ss)
    }
}

/// Running statistics are recomputed exactly from their window this often (in updates, at least once per
/// `exactEvery / capacity` windows), so rounding never accumulates and a huge value that left the window leaves no
/// residue behind for long; between, an update costs O(1).
@usableFromInline let exactEvery = 256

/// A running sum over a window, recomputed exactly from the window every `exactEvery` updates.
@usableFromInline struct SlidingSum: Sendable {
    @usableFromInline var window: SlidingWindow<Double>
    @usableFromInline var sum = 0.0
    @usableFromInline var sinceExact = 0

    @usableFromInline init(capacity: Int) { window = SlidingWindow(capacity: capacity) }

    @inlinable var isFull: Bool { window.isFull }

    /// Appends `x`; returns the value that left the window.
    @inlinable @inline(__always) @discardableResult mutating func push(_ x: Double) -> Double? {
        guard let old = window.push(x) else { sum += x; return nil }
        sinceExact += 1
        if sinceExact == exactEvery { sinceExact = 0; sum = window.sum() } else { sum += x - old }
        // A NaN or infinity that left the window leaves no NaN behind (tested on the value leaving, off the
        // running sum's dependency chain).
        if !old.isFinite { sum = window.sum() }
        return old
    }

    /// The window holds only zeros: its sum is exactly 0, whatever rounding residue the running sum carried.
    @inlinable mutating func settleZero() { sum = 0 }
}

/// Mean and Σ(x − mean)² of a window, updated in O(1) by the sliding form of Welford's recurrence (no
/// cancellation of Σx² against (Σx)², unlike running sums of squares at large prices), recomputed exactly in two
/// passes every `exactEvery` updates. A window whose values are all equal has exactly zero spread.
@usableFromInline struct SlidingMoments: Sendable {
    @usableFromInline var window: SlidingWindow<Double>
    @usableFromInline var mean = 0.0
    @usableFromInline var m2 = 0.0
    @usableFromInline let inverse: Double
    @usableFromInline var sinceExact = 0
    /// Consecutive equal values ending at the newest.
    @usableFromInline var run = 0
    @usableFromInline var last = Double.nan

    @usableFromInline init(capacity: Int) { window = SlidingWindow(capacity: capacity); inverse = 1 / Double(capacity) }

    @inlinable var isFull: Bool { window.isFull }
    @inlinable var flat: Bool { run >= window.capacity }

    /// Population variance (Σ(x − mean)² / n), never negative; exactly 0 for an all-equal window.
    @inlinable var variance: Double { flat ? 0 : Swift.max(m2, 0) * inverse }

    @inlinable @inline(__always) mutating func push(_ x: Double) {
        run = x == last ? run + 1 : 1
        last = x
        if let old = window.push(x) {
            sinceExact += 1
            if sinceExact == exactEvery {
                sinceExact = 0
                (mean, m2) = window.moments()
            } else {
                let d = x - old, previous = mean
                mean += d * inverse
                m2 += d * (x - mean + old - previous)
                if !old.isFinite { (mean, m2) = window.moments() }
            }
        } else if window.isFull {
            (mean, m2) = window.moments()
        }
    }
}

/// Co-moments of paired windows (correlation) as sums of the values shifted by the window's means at the last exact
/// recompute (the "shifted data" form: no cancellation of Σx² against (Σx)² as long as the means drift little between
/// recomputes, which happen every `exactEvery` updates). Each sum is its own short dependency chain, so an update
/// costs a few independent adds. Both series live in one ring of pairs.
@usableFromInline struct SlidingCoMoments: Sendable {
    @usableFromInline var pairs: SlidingWindow<(Double, Double)>
    /// The shift (means at the last exact recompute) and the sums of shifted values, squares and products.
    @usableFromInline var kx = 0.0, ky = 0.0
    @usableFromInline var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
    @usableFromInline let inverse: Double
    @usableFromInline var sinceExact = 0
    @usableFromInline var runX = 0, runY = 0
    @usableFromInline var lastX = Double.nan, lastY = Double.nan

    @usableFromInline init(capacity: Int) {
        pairs = SlidingWindow(capacity: capacity, filler: (0, 0)); inverse = 1 / Double(capacity)
    }

    @inlinable var isFull: Bool { pairs.isFull }
    /// Either series is constant over the window.
    @inlinable var degenerate: Bool { runX >= pairs.capacity || runY >= pairs.capacity }

    @inlinable @inline(__always) mutating func push(_ x: Double, _ y: Double) {
        runX = x == lastX ? runX + 1 : 1; lastX = x
        runY = y == lastY ? runY + 1 : 1; lastY = y
        if let (xo, yo) = pairs.push((x, y)) {
            sinceExact += 1
            if sinceExact == exactEvery { sinceExact = 0; exact(); return }
            let ax = x - kx, ay = y - ky, bx = xo - kx, by = yo - ky
            sx += ax - bx; sy += ay - by
            sxx += ax * ax - bx * bx
            syy += ay * ay - by * by
            sxy += ax * ay - bx * by
        } else if pairs.isFull {
            exact()
        }
    }

    /// Two passes over the current window: the means become the new shift, the sums are taken around them.
    @inlinable mutating func exact() {
        let n = Double(pairs.count)
        var tx = 0.0, ty = 0.0
        for i in 0..<pairs.count { let (x, y) = pairs[i]; tx += x; ty += y }
        kx = tx / n; ky = ty / n
        sx = 0; sy = 0; sxx = 0; syy = 0; sxy = 0
        for i in 0..<pairs.count {
            let (x, y) = pairs[i]
            let dx = x - kx, dy = y - ky
            sx += dx; sy += dy; sxx += dx * dx; syy += dy * dy; sxy += dx * dy
        }
    }

    /// Pearson r clamped to −1…1; nil when either series is constant.
    @inlinable mutating func correlation() -> Double? {
        if degenerate { return nil }
        var vx = sxx - sx * sx * inverse, vy = syy - sy * sy * inverse
        if !(vx > 0 && vy > 0) {                           // rounding took a tiny variance to ≤ 0: recompute
            exact()
            vx = sxx - sx * sx * inverse; vy = syy - sy * sy * inverse
            guard vx > 0 && vy > 0 else { return nil }
        }
        let c = sxy - sx * sy * inverse
        return Swift.min(1, Swift.max(-1, c / (vx * vy).squareRoot()))
    }
}
