// PortableMath.swift
//
// Platform-independent exp / log / cos for Double, in pure Swift (no Glibc/Darwin, no libm).
//
// Determinism: only IEEE-754 basic operations that are correctly rounded by definition
// (+, -, *, /, integer <-> Double conversion, .rounded(.toNearestOrEven)), integer arithmetic
// and bit-pattern manipulation are used. No fused multiply-add is used, and Swift does not
// contract a*b+c into an FMA (no `contract` fast-math flag is emitted), so every IEEE-754
// binary64 platform computes bit-identical results. All coefficients are written as
// hexadecimal float literals so they are exact and independent of decimal parsing.
//
// The algorithms are those published in Sun Microsystems' fdlibm (and its FreeBSD msun
// descendant); the code below was written from the algorithm descriptions. The large-argument
// reduction for cos is an independent, straightforward Payne–Hanek style multiplication by a
// 1536-bit table of 2/pi (the binary digits of 2/pi are a public mathematical constant).
//
// NaN results are always the canonical quiet NaN (Double.nan), so even NaN payloads are
// identical on every platform.

public enum PortableMath {

    // MARK: - exp

    /// e^x. Follows fdlibm e_exp.c (x = k*ln2 + r, |r| <= ln2/2, degree-5 Remez rational form for
    /// e^r, then scale by 2^k), chosen because it is a published < 1 ulp algorithm using only + - * /.
    public static func exp(_ x: Double) -> Double {
        let hx = UInt32(truncatingIfNeeded: x.bitPattern >> 32)
        let negative = (hx >> 31) != 0
        let ahx = hx & 0x7fff_ffff

        // Filter out non-finite and huge arguments.
        if ahx >= 0x4086_2E42 {                   // |x| >= 709.78...
            if ahx >= 0x7ff0_0000 {
                if x.isNaN { return .nan }
                return negative ? 0.0 : x         // exp(-inf) = 0, exp(+inf) = +inf
            }
            if x > expOverflowThreshold { return .infinity }
            if x < expUnderflowThreshold { return 0.0 }
        }

        // Argument reduction: x = k*ln2 + (hi - lo), |hi - lo| <= 0.5*ln2.
        var hi = 0.0, lo = 0.0, k = 0
        var r = x
        if ahx > 0x3fd6_2e42 {                    // |x| > 0.5*ln2
            if ahx < 0x3ff0_a2b2 {                // |x| < 1.5*ln2
                if negative { hi = x + ln2Hi; lo = -ln2Lo; k = -1 }
                else        { hi = x - ln2Hi; lo =  ln2Lo; k =  1 }
            } else {
                k = Int(invLn2 * x + (negative ? -0.5 : 0.5))   // truncation toward zero
                let t = Double(k)
                hi = x - t * ln2Hi                // exact: ln2Hi has 32 trailing zero bits
                lo = t * ln2Lo
            }
            r = hi - lo
        } else if ahx < 0x3e30_0000 {             // |x| < 2^-28
            return 1.0 + x
        }

        // e^r = 1 + r + r*c/(2-c), with c = r - r^2*(P1 + r^2*(P2 + ... + r^2*P5)).
        let t = r * r
        let c = r - t * (expP1 + t * (expP2 + t * (expP3 + t * (expP4 + t * expP5))))
        if k == 0 { return 1.0 - ((r * c) / (c - 2.0) - r) }
        let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)

        // Scale by 2^k (exactly, through the exponent field).
        if k >= -1021 {
            if k == 1024 { return y * 2.0 * 0x1p1023 }
            return Double(bitPattern: y.bitPattern &+ (UInt64(bitPattern: Int64(k)) << 52))
        }
        // Subnormal result: scale by 2^(k+1000) exactly, then one rounding multiply by 2^-1000.
        return Double(bitPattern: y.bitPattern &+ (UInt64(bitPattern: Int64(k + 1000)) << 52)) * 0x1p-1000
    }

    // MARK: - log

    /// Natural logarithm. Follows fdlibm e_log.c (x = 2^k*(1+f), 1+f in [sqrt(2)/2, sqrt(2)),
    /// s = f/(2+f), log(1+f) = f - s*(f - R(s^2)) with the Lg1..Lg7 Remez polynomial), a published
    /// < 1 ulp algorithm using only + - * / and exponent extraction.
    public static func log(_ x: Double) -> Double {
        var xv = x
        var hx = Int32(truncatingIfNeeded: x.bitPattern >> 32)
        let lx = UInt32(truncatingIfNeeded: x.bitPattern)
        var k: Int32 = 0

        if hx < 0x0010_0000 {                     // x < 2^-1022: zero, subnormal or negative
            if ((hx & 0x7fff_ffff) | Int32(bitPattern: lx)) == 0 { return -.infinity }  // log(+-0)
            if hx < 0 { return .nan }             // log(negative) and negative-signed NaN
            k -= 54
            xv *= 0x1p54                          // exact: normalise the subnormal
            hx = Int32(truncatingIfNeeded: xv.bitPattern >> 32)
        }
        if hx >= 0x7ff0_0000 {                    // +inf or NaN
            return xv.isNaN ? .nan : xv
        }

        k += (hx >> 20) - 1023
        hx &= 0x000f_ffff
        let i = (hx &+ 0x95f64) & 0x0010_0000     // i != 0 iff mantissa >= sqrt(2)
        // Normalise x (or x/2) into [sqrt(2)/2, sqrt(2)).
        let newHigh = UInt64(UInt32(bitPattern: hx | (i ^ 0x3ff0_0000)))
        xv = Double(bitPattern: (newHigh << 32) | (xv.bitPattern & 0xffff_ffff))
        k += i >> 20
        let f = xv - 1.0
        let dk = Double(k)

        if (0x000f_ffff & (2 &+ hx)) < 3 {        // -2^-20 <= f < 2^-20
            if f == 0.0 {
                if k == 0 { return 0.0 }
                return dk * ln2Hi + dk * ln2Lo
            }
            let rr = f * f * (0.5 - 0.33333333333333333 * f)
            if k == 0 { return f - rr }
            return dk * ln2Hi - ((rr - dk * ln2Lo) - f)
        }

        let s = f / (2.0 + f)
        let z = s * s
        let w = z * z
        let t1 = w * (logLg2 + w * (logLg4 + w * logLg6))
        let t2 = z * (logLg1 + w * (logLg3 + w * (logLg5 + w * logLg7)))
        let rr = t2 + t1
        let useHfsq = ((hx &- 0x6147a) | (0x6b851 &- hx)) > 0   // mantissa roughly in (1.38, 1.42)
        if useHfsq {
            let hfsq = 0.5 * f * f
            if k == 0 { return f - (hfsq - s * (hfsq + rr)) }
            return dk * ln2Hi - ((hfsq - (s * (hfsq + rr) + dk * ln2Lo)) - f)
        } else {
            if k == 0 { return f - s * (f - rr) }
            return dk * ln2Hi - ((s * (f - rr) - dk * ln2Lo) - f)
        }
    }

    // MARK: - cos

    /// Cosine. Follows fdlibm s_cos.c / k_cos.c / k_sin.c (reduce by pi/2 to |y| <= pi/4 as a
    /// double-double y0+y1, then the degree-14 cos / degree-13 sin Remez kernels), using the
    /// fdlibm 3-step Cody–Waite reduction for |x| < 2^20*pi/2 and a Payne–Hanek style 2/pi table
    /// reduction beyond, so the whole finite domain stays < 1 ulp.
    public static func cos(_ x: Double) -> Double {
        let ax = Double(bitPattern: x.bitPattern & 0x7fff_ffff_ffff_ffff)   // cos is even
        let ix = UInt32(truncatingIfNeeded: ax.bitPattern >> 32)
        if ix <= 0x3fe9_21fb {                    // |x| <~ pi/4
            if ix < 0x3e46_a09e { return 1.0 }    // |x| < 2^-27*sqrt(2): cos x rounds to 1
            return kernelCos(ax, 0.0)
        }
        if ix >= 0x7ff0_0000 { return .nan }      // cos(inf) and cos(NaN)

        let (n, y0, y1) = ix < 0x4139_21fb ? remPio2Medium(ax, ix) : remPio2Large(ax)
        switch n & 3 {
        case 0:  return  kernelCos(y0, y1)
        case 1:  return -kernelSin(y0, y1)
        case 2:  return -kernelCos(y0, y1)
        default: return  kernelSin(y0, y1)
        }
    }

    // MARK: - cos helpers

    /// cos(x+y) for |x| <= ~pi/4, y a tiny tail (fdlibm/FreeBSD k_cos.c).
    @inline(__always)
    static func kernelCos(_ x: Double, _ y: Double) -> Double {
        let z = x * x
        let w = z * z
        let r = z * (cosC1 + z * (cosC2 + z * cosC3)) + w * w * (cosC4 + z * (cosC5 + z * cosC6))
        let hz = 0.5 * z
        let v = 1.0 - hz
        return v + (((1.0 - v) - hz) + (z * r - x * y))
    }

    /// sin(x+y) for |x| <= ~pi/4, y a tiny tail (fdlibm/FreeBSD k_sin.c with iy = 1).
    @inline(__always)
    static func kernelSin(_ x: Double, _ y: Double) -> Double {
        let z = x * x
        let w = z * z
        let r = sinS2 + z * (sinS3 + z * sinS4) + z * w * (sinS5 + z * sinS6)
        let v = z * x
        return x - ((z * (0.5 * y - v * r) - y) - v * sinS1)
    }

    /// Cody–Waite reduction of 0 < x < 2^20*pi/2 (fdlibm e_rem_pio2.c, "medium" case):
    /// x = n*pi/2 + (y0 + y1), with pi/2 split in 33-bit pieces so n*piece is exact.
    @inline(__always)
    static func remPio2Medium(_ x: Double, _ ix: UInt32) -> (Int, Double, Double) {
        let fn = (x * invPio2).rounded(.toNearestOrEven)
        let n = Int(fn)
        var r = x - fn * pio2_1
        var w = fn * pio2_1t                      // first round good to 85 bits
        let j = Int(ix >> 20)
        var y0 = r - w
        var i = j - Int((y0.bitPattern >> 52) & 0x7ff)
        if i > 16 {                               // heavy cancellation: 2nd round, good to 118 bits
            var t = r
            w = fn * pio2_2
            r = t - w
            w = fn * pio2_2t - ((t - r) - w)
            y0 = r - w
            i = j - Int((y0.bitPattern >> 52) & 0x7ff)
            if i > 49 {                           // 3rd round, 151 bits: covers all cases
                t = r
                w = fn * pio2_3
                r = t - w
                w = fn * pio2_3t - ((t - r) - w)
                y0 = r - w
            }
        }
        let y1 = (r - y0) - w
        return (n, y0, y1)
    }

    /// Payne–Hanek style reduction for finite x >= 2^20 (positive): with x = m*2^e (m a 53-bit
    /// integer) only a 192-bit window of the bits of 2/pi matters for x*2/pi mod 4; the product
    /// m*window is formed exactly with 64-bit integer limbs, giving the quadrant and a fraction
    /// with >= 137 correct bits, which is converted to double-double and multiplied by pi/2.
    static func remPio2Large(_ x: Double) -> (Int, Double, Double) {
        let bits = x.bitPattern
        let m = (bits & 0x000f_ffff_ffff_ffff) | 0x0010_0000_0000_0000
        let e = Int((bits >> 52) & 0x7ff) - 1075  // x = m * 2^e, e >= -32 here

        // Bit position p of 2/pi (p = 1 is the first bit after the binary point) is bit
        // (p + 63) of the table (counted from the most significant bit of word 0; word 0 is
        // zero padding for p <= 0). Bits p <= e - 2 contribute multiples of 4: skip them.
        let start = (e - 1) + 63
        let q = start >> 6
        let s = start & 63
        let w0 = (twoOverPi[q]     << s) | (s == 0 ? 0 : twoOverPi[q + 1] >> (64 - s))
        let w1 = (twoOverPi[q + 1] << s) | (s == 0 ? 0 : twoOverPi[q + 2] >> (64 - s))
        let w2 = (twoOverPi[q + 2] << s) | (s == 0 ? 0 : twoOverPi[q + 3] >> (64 - s))

        // P = m * (w0:w1:w2) mod 2^192; x*2/pi mod 4 ~= P * 2^-190.
        let (h2, l2) = m.multipliedFullWidth(by: w2)
        let (h1, l1) = m.multipliedFullWidth(by: w1)
        let l0 = m &* w0
        var f0 = l2
        let (s1, c1) = h2.addingReportingOverflow(l1)
        var f1 = s1
        let p2 = h1 &+ l0 &+ (c1 ? 1 : 0)

        var n = Int(p2 >> 62)                     // quadrant (mod 4)
        var f2 = p2 & 0x3fff_ffff_ffff_ffff       // fraction F * 2^-190 in [0, 1)
        var negative = false
        if (f2 >> 61) != 0 {                      // fraction >= 1/2: use fraction - 1
            n += 1
            negative = true
            f0 = ~f0; f1 = ~f1; f2 = ~f2 & 0x3fff_ffff_ffff_ffff    // 2^190 - F
            var c = false
            (f0, c) = f0.addingReportingOverflow(1)
            if c {
                (f1, c) = f1.addingReportingOverflow(1)
                if c { f2 &+= 1 }
            }
        }

        // Normalise the 192-bit magnitude so its top bit is bit 63 of `a`.
        var a: UInt64, b: UInt64, lz: Int
        if f2 != 0 {
            lz = f2.leadingZeroBitCount
            a = (f2 << lz) | (f1 >> (64 - lz))
            b = (f1 << lz) | (f0 >> (64 - lz))
        } else if f1 != 0 {
            let sh = f1.leadingZeroBitCount
            lz = 64 + sh
            a = (f1 << sh) | (sh == 0 ? 0 : f0 >> (64 - sh))
            b = f0 << sh
        } else {
            if f0 == 0 { return (n, 0.0, 0.0) }   // cannot happen for doubles (min |frac| ~ 2^-62)
            let sh = f0.leadingZeroBitCount
            lz = 128 + sh
            a = f0 << sh
            b = 0
        }
        // magnitude = (a + b*2^-64) * 2^(-62-lz), as double-double fh + fl.
        let scale = Double(bitPattern: UInt64(1023 - 62 - lz) << 52)          // 2^(-62-lz)
        let fh = Double(a >> 11) * (scale * 0x1p11)                           // exact
        let fl = (Double(a & 0x7ff) + Double(b) * 0x1p-64) * scale

        // y = (fh + fl) * pi/2 in double-double (Dekker product, no FMA).
        let (ph, pl) = twoProduct(fh, pio2Hi)
        let t = pl + (fh * pio2Lo + fl * pio2Hi)
        var y0 = ph + t
        var y1 = t - (y0 - ph)
        if negative { y0 = -y0; y1 = -y1 }
        return (n, y0, y1)
    }

    /// Exact product a*b = p + e (Dekker/Veltkamp splitting; valid without overflow).
    @inline(__always)
    static func twoProduct(_ a: Double, _ b: Double) -> (Double, Double) {
        let p = a * b
        let ca = 134217729.0 * a                  // 2^27 + 1
        let ah = ca - (ca - a), al = a - ah
        let cb = 134217729.0 * b
        let bh = cb - (cb - b), bl = b - bh
        let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        return (p, e)
    }

    // MARK: - Constants (fdlibm values, written as exact hexadecimal literals)

    // exp
    static let expOverflowThreshold: Double = 0x1.62e42fefa39efp+9      //  709.782712893383973096
    static let expUnderflowThreshold: Double = -0x1.74910d52d3051p+9    // -745.133219101941108420
    static let invLn2: Double = 0x1.71547652b82fep+0                   // 1/ln2
    static let ln2Hi: Double = 0x1.62e42fee00000p-1                    // ln2, high 32 bits
    static let ln2Lo: Double = 0x1.a39ef35793c76p-33                   // ln2 - ln2Hi
    static let expP1: Double = 0x1.555555555553ep-3
    static let expP2: Double = -0x1.6c16c16bebd93p-9
    static let expP3: Double = 0x1.1566aaf25de2cp-14
    static let expP4: Double = -0x1.bbd41c5d26bf1p-20
    static let expP5: Double = 0x1.6376972bea4d0p-25

    // log
    static let logLg1: Double = 0x1.5555555555593p-1
    static let logLg2: Double = 0x1.999999997fa04p-2
    static let logLg3: Double = 0x1.2492494229359p-2
    static let logLg4: Double = 0x1.c71c51d8e78afp-3
    static let logLg5: Double = 0x1.7466496cb03dep-3
    static let logLg6: Double = 0x1.39a09d078c69fp-3
    static let logLg7: Double = 0x1.2f112df3e5244p-3

    // cos / sin kernels
    static let cosC1: Double = 0x1.555555555554cp-5
    static let cosC2: Double = -0x1.6c16c16c15177p-10
    static let cosC3: Double = 0x1.a01a019cb1590p-16
    static let cosC4: Double = -0x1.27e4f809c52adp-22
    static let cosC5: Double = 0x1.1ee9ebdb4b1c4p-29
    static let cosC6: Double = -0x1.8fae9be8838d4p-37
    static let sinS1: Double = -0x1.5555555555549p-3
    static let sinS2: Double = 0x1.111111110f8a6p-7
    static let sinS3: Double = -0x1.a01a019c161d5p-13
    static let sinS4: Double = 0x1.71de357b1fe7dp-19
    static let sinS5: Double = -0x1.ae5e68a2b9cebp-26
    static let sinS6: Double = 0x1.5d93a5acfd57cp-33

    // pi/2 reduction
    static let invPio2: Double = 0x1.45f306dc9c883p-1                  // 2/pi
    static let pio2_1: Double = 0x1.921fb54400000p+0                   // first 33 bits of pi/2
    static let pio2_1t: Double = 0x1.0b4611a626331p-34                 // pi/2 - pio2_1
    static let pio2_2: Double = 0x1.0b4611a600000p-34                  // second 33 bits
    static let pio2_2t: Double = 0x1.3198a2e037073p-69                 // pi/2 - (pio2_1 + pio2_2)
    static let pio2_3: Double = 0x1.3198a2e000000p-69                  // third 33 bits
    static let pio2_3t: Double = 0x1.b839a252049c1p-104                // pi/2 - (pio2_1 + pio2_2 + pio2_3)
    static let pio2Hi: Double = 0x1.921fb54442d18p+0                   // pi/2 rounded
    static let pio2Lo: Double = 0x1.1a62633145c07p-54                  // pi/2 - pio2Hi

    /// Binary digits of 2/pi: a zero word (positions <= 0), then bits 1...1536 after the point.
    static let twoOverPi: [UInt64] = [
        0x0000000000000000,
        0xA2F9836E4E441529, 0xFC2757D1F534DDC0, 0xDB6295993C439041, 0xFE5163ABDEBBC561,
        0xB7246E3A424DD2E0, 0x06492EEA09D1921C, 0xFE1DEB1CB129A73E, 0xE88235F52EBB4484,
        0xE99C7026B45F7E41, 0x3991D639835339F4, 0x9C845F8BBDF9283B, 0x1FF897FFDE05980F,
        0xEF2F118B5A0A6D1F, 0x6D367ECF27CB09B7, 0x4F463F669E5FEA2D, 0x7527BAC7EBE5F17B,
        0x3D0739F78A5292EA, 0x6BFB5FB11F8D5D08, 0x56033046FC7B6BAB, 0xF0CFBC209AF4361D,
        0xA9E391615EE61B08, 0x6599855F14A06840, 0x8DFFD8804D732731, 0x06061556CA73A8C9,
    ]
}
