"""An independent cross section for the electroweak pipeline tests: the integral over a
card's cuts (perfect detector) of the exact d2sigma/dx dQ2 made from `partonflow sf
--process` (no grid), by Gauss-Legendre in ln Q2 and ln x.  The x limits switch from y_min
to x_max at Q2 = x_max s y_min, so ln Q2 is split there."""
import csv
import io
import math

import numpy as np

from conftest import run_pf


def sf_rows(*args):
    return list(csv.DictReader(io.StringIO(run_pf("sf", *args).stdout)))


def gauss_legendre_sigma(card, proc, s, cuts, d2sigma, nq=16, nx=16):
    """sigma in pb; cuts = (q2min, q2max, xmin, xmax, ymin, ymax, w2min); d2sigma(x, q2, y,
    sigma_r) the process's Born formula in pb/GeV^2"""
    q2min, q2max, xmin, xmax, ymin, ymax, w2min = cuts
    mp2 = 0.938272088 ** 2
    gq, wq = np.polynomial.legendre.leggauss(nq)
    gx, wx = np.polynomial.legendre.leggauss(nx)
    total = 0.0
    brk = xmax * s * ymin
    for a, b in [(q2min, brk), (brk, q2max)]:
        la, lb = math.log(a), math.log(b)
        for tq, wtq in zip(gq, wq):
            q2 = math.exp(0.5 * (la + lb) + 0.5 * (lb - la) * tq)
            lo = max(xmin, q2 / (s * ymax))
            hi = min(xmax, q2 / (s * ymin), q2 / (q2 + w2min - mp2))
            xs = [math.exp(0.5 * (math.log(lo) + math.log(hi)) + 0.5 * (math.log(hi) - math.log(lo)) * t) for t in gx]
            r = sf_rows("--card", card, "--q2", repr(q2), "--x", ",".join(repr(v) for v in xs), "--process", proc)
            inner = 0.0
            for x, w, row in zip(xs, wx, r):
                inner += w * 0.5 * (math.log(hi) - math.log(lo)) * x * d2sigma(x, q2, q2 / (x * s), float(row["sigma_r"]))
            total += wtq * 0.5 * (lb - la) * q2 * inner  # dQ2 = Q2 d ln Q2, dx = x d ln x
    return total
