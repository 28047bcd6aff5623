/// Reads a CSV field's decimal text straight into an integer at a given number of decimals (the store's scale): no
/// `Double` on the way (history.md §13.1's weakness), no string. Finer digits that are not zero are refused.
enum CSVNumber {
    enum Outcome: Equatable { case value(Int64), unparseable, finer, overflow }

    static let pow10: [Int64] = (0...18).map { n in (0..<n).reduce(Int64(1)) { a, _ in a * 10 } }

    /// `[-]digits[.digits]`, nothing else (no exponent, no spaces, no `nan`/`inf`).
    static func scaled(_ p: UnsafePointer<UInt8>, _ n: Int, decimals: Int) -> Outcome {
        var i = 0
        var neg = false
        if n > 0, p[0] == 45 { neg = true; i = 1 }
        var intPart: Int64 = 0
        var digits = 0
        while i < n, p[i] &- 48 < 10 {
            let (m, o1) = intPart.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(p[i] &- 48))
            if o1 || o2 { return .overflow }
            intPart = a; i += 1; digits += 1
        }
        var frac: Int64 = 0
        var fracDigits = 0
        if i < n, p[i] == 46 {
            i += 1
            while i < n, p[i] &- 48 < 10 {
                let d = Int64(p[i] &- 48)
                if fracDigits < decimals { frac = frac * 10 + d; fracDigits += 1 } else if d != 0 { return .finer }
                i += 1; digits += 1
            }
        }
        guard i == n, digits > 0 else { return .unparseable }
        let scale = pow10[decimals]
        let (hi, o1) = intPart.multipliedReportingOverflow(by: scale)
        let (v, o2) = hi.addingReportingOverflow(frac * pow10[decimals - fracDigits])
        if o1 || o2 { return .overflow }
        return .value(neg ? -v : v)
    }
}
