#!/usr/bin/python3
"""The "what a Python user does today" baseline for the likelihood benchmark
(docs/performance.md, section likelihood): ln L of an extended unbinned likelihood and its
gradient the usual way,

  * the event sum with numpy: density at every event as a vectorised numpy expression
    (here the same 32-weight rows partonflow uses, read from likelihood.h5 or synthetic),
    then numpy.sum(log(...));
  * the normalisation N_exp = L * int d2sigma/dx dQ2 over the cut region with
    scipy.integrate.dblquad of a Python callable (here the LO-like toy
    F2 = x^-0.2 (1-x)^3 (1 + 0.1 ln Q2), FL = 0.2 (1-x) F2 with the exact kinematic factors
    and cuts; a real user calls a PDF library per point, which is slower still);
  * the gradient by central finite differences: 2 * NP + 1 evaluations of ln L.

Usage: /usr/bin/python3 tools/python_baseline.py [--events N] [--np 8] [--likelihood like.h5]
                                                 [--repeats 3] [--json]
Prints the median times of one ln L (sum, normalisation) and of ln L + gradient.
"""
import argparse
import json
import math
import time

import numpy as np
from scipy import integrate

ALPHA = 7.2973525693e-3
HBARC2 = 0.3893794e9
MP = 0.938272
# the tiny / default card kinematics (configs/cards/*.yaml)
EE, EP = 10.0, 100.0
S = 4 * EE * EP
CUTS = dict(q2_min=4.0, q2_max=1000.0, x_min=1e-3, x_max=0.9, y_min=0.01, y_max=0.95, w2_min=10.0)


def xsec(x, q2, shift=0.0):
    y = q2 / (x * S)
    f2 = x ** (-0.2 + shift) * (1 - x) ** 3 * (1 + 0.1 * math.log(q2))
    fl = 0.2 * (1 - x) * f2
    norm = 2 * math.pi * ALPHA ** 2 / (x * q2 * q2) * HBARC2
    return norm * ((1 + (1 - y) ** 2) * f2 - y * y * fl)


def nexp(shift):
    c = CUTS

    def xlo(q2):
        return max(c["x_min"], q2 / (S * c["y_max"]))

    def xhi(q2):
        return min(c["x_max"], q2 / (S * c["y_min"]), q2 / (q2 + c["w2_min"] - MP * MP))

    # dblquad(func(y, x), a, b, gfun, hfun): outer variable Q2, inner x
    val, _ = integrate.dblquad(lambda x, q2: xsec(x, q2, shift) if xlo(q2) < xhi(q2) else 0.0,
                               c["q2_min"], c["q2_max"], xlo, lambda q2: max(xlo(q2), xhi(q2)),
                               epsrel=1e-6)
    return val


def whole_rows(f):
    """The 10 weights per event of compact stencil rows (/events/stencil_local, and for the
    perfect detector stencil_xf, stencil_xpow), as the engine expands them
    (kernels/eventpass.h pf_ev_stencil_expand)."""
    loc = f["events/stencil_local"][:]
    base = f["events/stencil_base"][:].astype(np.int64)
    nx = int(f["events"].attrs["stencil_nx"])

    def cubic(r):
        rp1, rm1, rm2 = r + 1.0, r - 1.0, r - 2.0
        return np.stack([-r * rm1 * rm2 * (1.0 / 6.0), rp1 * rm1 * rm2 * 0.5, -rp1 * r * rm2 * 0.5,
                         rp1 * r * rm1 * (1.0 / 6.0)], axis=1)

    wr, wc = cubic(loc[:, 0]), cubic(loc[:, 1])
    if "stencil_xf" in f["events"]:
        xf, xpow, c0 = f["events/stencil_xf"][:], f["events/stencil_xpow"][:], (base // 2) % nx
        for c in range(4):
            wc[:, c] = wc[:, c] * (xf * xpow[c0 + c])
    return np.concatenate([wr, wc, loc[:, 2:4]], axis=1)


def load_rows(args):
    if args.likelihood:
        import h5py
        with h5py.File(args.likelihood, "r") as f:
            base = f["events/stencil_base"][:]
            w = f["events/stencil_w"][:] if "stencil_w" in f["events"] else whole_rows(f)
            nx = int(f["events"].attrs["stencil_nx"])
            ng = int(f.attrs["ngrid"])
        n = len(base)
    else:
        rng = np.random.default_rng(1)
        n, nx, ng = args.events, 134, 7236
        w = rng.random((n, 10))
        base = 2 * (rng.integers(0, 23, n) * nx + rng.integers(0, nx - 4, n))
    # the 32 grid indices of each event: rows r, columns c, observables a
    r = np.arange(4)[:, None, None]
    cc = np.arange(4)[None, :, None]
    a = np.arange(2)[None, None, :]
    idx = base[:, None, None, None] + (2 * nx * r + 2 * cc + a)[None]
    wt = (w[:, 0:4, None, None] * w[:, None, 4:8, None] * w[:, None, None, 8:10])
    return idx.reshape(n, 32), wt.reshape(n, 32), ng


def lnl(idx, wt, G, shift, lumi=1.0):
    d = np.sum(wt * G[idx], axis=1)
    return np.sum(np.log(np.abs(d) + 1e-300)) - lumi * nexp(shift)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--np", type=int, default=8)
    ap.add_argument("--likelihood")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    idx, wt, ng = load_rows(args)
    G = np.random.default_rng(2).random(ng) + 0.5
    n = idx.shape[0]

    def timed(fn):
        ts = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return float(np.median(ts))

    t_sum = timed(lambda: np.sum(np.log(np.abs(np.sum(wt * G[idx], axis=1)))))
    t_norm = timed(lambda: nexp(0.0))
    h = 1e-4

    def lnl_grad():
        f0 = lnl(idx, wt, G, 0.0)
        g = []
        for p in range(args.np):
            # each parameter moves G (and the toy F2) a little
            Gp, Gm = G * (1 + h * (p + 1) / args.np), G * (1 - h * (p + 1) / args.np)
            g.append((lnl(idx, wt, Gp, h) - lnl(idx, wt, Gm, -h)) / (2 * h))
        return f0, g

    t_grad = timed(lnl_grad) if args.repeats > 0 else float("nan")
    rows = [("python_events_sum", n, t_sum), ("python_dblquad_norm", 1, t_norm),
            ("python_lnl_grad_central_fd", n, t_grad)]
    for name, nn, t in rows:
        if args.json:
            print(json.dumps({"name": name, "n": nn, "threads": 1, "ranks": 1, "repeats": args.repeats,
                              "median_s": t, "np": args.np, "device": "cpu (python)"}))
        else:
            print(f"{name:30s} n={nn:>9d}  median {t:.4g} s")


if __name__ == "__main__":
    main()
