#!/usr/bin/env python3
"""Accuracy check of PortableMath against correctly rounded mpmath references.

usage: venv/bin/python check.py [exp|log|cos ...]
Generates seeded random inputs, runs ./driver (Swift: PortableMath + glibc), computes
correctly rounded references with mpmath at 320 bits (~96 digits) and reports
max ulp error, fraction correctly rounded, fraction bit-identical to glibc.
"""
import math, random, struct, subprocess, sys, time
import mpmath
from mpmath import mp, mpf

mp.prec = 320

def d2u(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
def u2d(u): return struct.unpack('<d', struct.pack('<Q', u))[0]

def round_to_double(v):
    """Correctly rounded (nearest-even) double of mpf v, handling subnormals/overflow.
    Returns (double, quantum exponent q) where 2^q is the ulp of the exact value's binade."""
    sign, man, exp, bc = v._mpf_
    if man == 0:
        return (0.0, -1074)
    e = exp + bc - 1                         # floor(log2|v|)
    q = max(e - 52, -1074)
    if exp >= q:
        n = man << (exp - q)
    else:
        sh = q - exp
        n = man >> sh
        rem = man - (n << sh)
        half = 1 << (sh - 1)
        if rem > half or (rem == half and (n & 1)):
            n += 1
    try:
        r = math.ldexp(n, q)
    except OverflowError:
        r = math.inf
    return (-r if sign else r), q

def ulp_err(y, v, q):
    """|y - v| in units of 2^q (ulp of the exact value)."""
    if math.isinf(y):
        return 0.0 if abs(v) > mpf(2) ** 1024 * (1 - mpf(2) ** -54) and (y > 0) == (v > 0) else math.inf
    return float(abs(mpf(y) - v) / mpf(2) ** q)

def loguniform(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))

def gen(fn, rng):
    xs = []
    if fn == 'exp':
        xs += [rng.uniform(-745.2, 709.9) for _ in range(150000)]
        xs += [rng.uniform(-1.0, 1.0) for _ in range(100000)]
        xs += [s * loguniform(rng, 1e-20, 1.0) for s in (1, -1) for _ in range(10000)]
        xs += [rng.uniform(-745.2, -708.0) for _ in range(10000)]   # subnormal results
        xs += [rng.uniform(700.0, 709.79) for _ in range(5000)]     # near overflow
    elif fn == 'log':
        xs += [u2d(rng.getrandbits(52) | 1) for _ in range(20000)]  # subnormals
        xs += [loguniform(rng, 5e-324, 1e-300) for _ in range(40000)]
        xs += [rng.uniform(0.5, 2.0) for _ in range(80000)]
        xs += [loguniform(rng, 1e-10, 1e10) for _ in range(60000)]
        xs += [loguniform(rng, 2.2250738585072014e-308, 1.7976931348623157e308) for _ in range(40000)]
        xs += [1.0 + rng.uniform(-1e-6, 1e-6) for _ in range(20000)]  # |f| < 2^-20 path
    elif fn == 'cos':
        xs += [2.0 * math.pi * rng.random() for _ in range(150000)]  # cos(2*pi*u), u in [0,1)
        xs += [rng.uniform(-1e5, 1e5) for _ in range(100000)]
        xs += [loguniform(rng, 1e5, 1.7e308) for _ in range(20000)]  # Payne-Hanek path
        # hard cases: doubles nearest to k*pi/2 (heavy cancellation in the reduction)
        for _ in range(10000):
            k = rng.randrange(1, 2000000)
            x = float(k * mp.pi / 2)
            xs.append(u2d(d2u(x) + rng.randrange(-2, 3)))
        xs += [6381956970095103.0 * 2.0 ** 797, 5.319372648326541e+255, 1e22, 1e300]
    xs = [x for x in xs if x == x and not math.isinf(x) and (fn != 'log' or x > 0)]
    return xs

def ref(fn, x):
    X = mpf(x)
    if fn == 'exp':
        return mpmath.exp(X)
    if fn == 'log':
        return mpmath.log(X)
    return mpmath.cos(X)

def main():
    fns = sys.argv[1:] or ['exp', 'log', 'cos']
    for fn in fns:
        rng = random.Random({'exp': 1, 'log': 2, 'cos': 3}[fn])
        xs = gen(fn, rng)
        inp = ''.join('%016x\n' % d2u(x) for x in xs)
        out = subprocess.run(['./driver', 'eval', fn], input=inp, capture_output=True, text=True, check=True).stdout.split('\n')
        t0 = time.time()
        n = len(xs); cr_ok = 0; same_glibc = 0; glibc_cr = 0
        maxerr = 0.0; maxx = None; gmax = 0.0; gmaxx = None; hist = {}
        for x, line in zip(xs, out):
            p, g = (int(t, 16) for t in line.split())
            v = ref(fn, x)
            c, q = round_to_double(v)
            yp, yg = u2d(p), u2d(g)
            if p == d2u(c): cr_ok += 1
            if g == d2u(c): glibc_cr += 1
            if p == g: same_glibc += 1
            e = ulp_err(yp, v, q)
            eg = ulp_err(yg, v, q)
            b = min(int(e * 10), 20) / 10
            hist[b] = hist.get(b, 0) + 1
            if e > maxerr: maxerr, maxx = e, x
            if eg > gmax: gmax, gmaxx = eg, x
        print(f'{fn}: n={n}  max_err={maxerr:.4f} ulp at x={maxx!r} ({d2u(maxx):016x})')
        print(f'    correctly rounded: {cr_ok}/{n} = {100*cr_ok/n:.4f}%   '
              f'bit-identical to glibc: {same_glibc}/{n} = {100*same_glibc/n:.4f}%')
        print(f'    (glibc itself: max_err={gmax:.4f} ulp at {gmaxx!r}, correctly rounded {100*glibc_cr/n:.4f}%)')
        print('    error histogram (ulp bucket: count): ' +
              ', '.join(f'{k:.1f}:{hist[k]}' for k in sorted(hist)))
        print(f'    [{time.time()-t0:.0f}s]', flush=True)

if __name__ == '__main__':
    main()
