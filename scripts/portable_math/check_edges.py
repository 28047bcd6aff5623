#!/usr/bin/env python3
"""Extra edge-region accuracy checks (boundaries between code paths)."""
import random, subprocess, sys, math
from check import *
rng = random.Random(7)
sets = {
 'exp': [rng.uniform(-710, -700) for _ in range(20000)] + [rng.uniform(-0.6, -0.2) for _ in range(10000)]
        + [rng.uniform(0.2, 1.2) for _ in range(10000)] + [s*loguniform(rng, 1e-9, 1e-7) for s in (1,-1) for _ in range(5000)],
 'log': [u2d(0x3ff6a09e00000000 + rng.randrange(-2**36, 2**36)) for _ in range(20000)]   # near sqrt(2)
        + [u2d(0x3ff0000000000000 + rng.randrange(-2**34, 2**34)) for _ in range(20000)]   # |f| ~ 2^-20 boundary
        + [u2d(0x000fffffffffffff - rng.randrange(0, 2**40)) for _ in range(5000)],
 'cos': [rng.uniform(1.5e6, 1.8e6) for _ in range(30000)] + [loguniform(rng, 1.6e6, 1e9) for _ in range(30000)]
        + [loguniform(rng, 1e9, 1.7e308) for _ in range(30000)] + [rng.uniform(0.78, 0.79) for _ in range(10000)]
        + [loguniform(rng, 1e-9, 0.3) for _ in range(10000)],
}
for fn, xs in sets.items():
    inp = ''.join('%016x\n' % d2u(x) for x in xs)
    out = subprocess.run(['./driver', 'eval', fn], input=inp, capture_output=True, text=True, check=True).stdout.split('\n')
    mx = 0; mxx = None; cr = 0
    for x, line in zip(xs, out):
        p = int(line.split()[0], 16)
        v = ref(fn, x); c, q = round_to_double(v)
        cr += p == d2u(c)
        e = ulp_err(u2d(p), v, q)
        if e > mx: mx, mxx = e, x
    print(f'{fn} edges: n={len(xs)} max_err={mx:.4f} ulp at {mxx!r}  CR {100*cr/len(xs):.3f}%')
