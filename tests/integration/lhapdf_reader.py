"""An independent reader of LHAPDF6 sets (format lhagrid1), for the export tests.

Written from the published description of the format and of LHAPDF's default interpolator
(A. Buckley et al., "LHAPDF6: parton density access in the LHC precision era",
arXiv:1412.7420, sec. 2-3; the lhagrid1 member files and the log-bicubic interpolator of
LHAPDF 6), not from partonflow's code, so that the tests compare two implementations:

* NAME/NAME.info is YAML; NAME/NAME_%04d.dat is one member: a YAML header ending in a
  line '---', then one block per subgrid: a line of x knots, a line of Q knots (GeV), a
  line of PDG ids, then nx * nq lines of x f(x, Q) for each id, x the outer and Q the
  inner loop, the block closed by '---'.  Subgrids share their boundary Q knot.
* Interpolation ("logcubic"): cubic Hermite in ln x along the Q2 knot lines, then cubic
  Hermite in ln Q2 of those values.  The knot derivative is the mean of the two adjacent
  secant slopes (a one-sided secant at the first and last knot); in ln Q2 the slopes are
  those of the interpolated lines, so the scheme uses four Q2 lines.  A Q2 on a subgrid
  boundary belongs to the upper subgrid, except the last knot of the last subgrid.
"""
from pathlib import Path

import numpy as np
import yaml


class Subgrid:
    def __init__(self, xs, qs, pids, values):
        self.x = np.asarray(xs, float)
        self.q = np.asarray(qs, float)
        self.pids = list(pids)
        self.lx = np.log(self.x)
        self.lq2 = np.log(self.q ** 2)
        # values[ix, iq, flavour]
        self.v = np.asarray(values, float).reshape(len(xs), len(qs), len(pids))
        if len(xs) < 4 or len(qs) < 4:
            raise ValueError("lhagrid1: log-bicubic interpolation needs >= 4 x and Q knots per subgrid")


def read_member(path):
    text = Path(path).read_text()
    blocks = text.split("\n---")
    header = yaml.safe_load(blocks[0])
    grids = []
    for b in blocks[1:]:
        lines = [ln for ln in b.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        xs = [float(t) for t in lines[0].split()]
        qs = [float(t) for t in lines[1].split()]
        pids = [int(t) for t in lines[2].split()]
        vals = [[float(t) for t in ln.split()] for ln in lines[3:]]
        if len(vals) != len(xs) * len(qs) or any(len(r) != len(pids) for r in vals):
            raise ValueError(f"{path}: a subgrid has {len(vals)} value lines, expected {len(xs) * len(qs)}")
        grids.append(Subgrid(xs, qs, pids, vals))
    return header, grids


def read_set(folder):
    folder = Path(folder)
    name = folder.name
    info = yaml.safe_load((folder / f"{name}.info").read_text())
    members = [read_member(folder / f"{name}_{k:04d}.dat") for k in range(int(info["NumMembers"]))]
    return info, members


def _hermite(t, vl, dl, vh, dh):
    t2 = t * t
    t3 = t2 * t
    return (2 * t3 - 3 * t2 + 1) * vl + (t3 - 2 * t2 + t) * dl + (-2 * t3 + 3 * t2) * vh + (t3 - t2) * dh


def _knot_slopes(lx, f):
    """d f / d ln x at every knot (axis 0): mean of the adjacent secants, one-sided at the ends."""
    sec = np.diff(f, axis=0) / np.diff(lx)[:, None]
    d = np.empty_like(f)
    d[0] = sec[0]
    d[-1] = sec[-1]
    d[1:-1] = 0.5 * (sec[:-1] + sec[1:])
    return d


def _in_x(g, iq, ix, t, dlx):
    """Hermite in ln x along Q knot line iq, for all flavours: [npoints, nflav]."""
    f = g.v[:, iq, :]
    d = _knot_slopes(g.lx, f)
    return _hermite(t[:, None], f[ix], d[ix] * dlx[:, None], f[ix + 1], d[ix + 1] * dlx[:, None])


def xfx_all(grids, x, q2):
    """x f of every flavour of the subgrids' pid list at points (x, q2): [n, nflav]."""
    x = np.atleast_1d(np.asarray(x, float))
    q2 = np.atleast_1d(np.asarray(q2, float))
    out = np.full((len(x), len(grids[0].pids)), np.nan)
    lq2 = np.log(q2)
    for gi, g in enumerate(grids):
        last = gi == len(grids) - 1
        sel = (lq2 >= g.lq2[0]) & ((lq2 < g.lq2[-1]) | (last & (lq2 <= g.lq2[-1])))
        if gi == 0:
            sel |= np.isclose(lq2, g.lq2[0], rtol=0, atol=1e-12)
        idx = np.nonzero(sel)[0]
        for i in idx:
            out[i] = _point(g, x[i], lq2[i])
    return out


def _point(g, x, lq2):
    lx = np.log(x)
    ix = int(np.clip(np.searchsorted(g.lx, lx, side="right") - 1, 0, len(g.lx) - 2))
    iq = int(np.clip(np.searchsorted(g.lq2, lq2, side="right") - 1, 0, len(g.lq2) - 2))
    dlx = g.lx[ix + 1] - g.lx[ix]
    t = np.array([(lx - g.lx[ix]) / dlx])
    dl = np.array([dlx])
    ixa = np.array([ix])

    def line(j):
        return _in_x(g, j, ixa, t, dl)[0]

    nq = len(g.lq2)
    dq1 = g.lq2[iq + 1] - g.lq2[iq]
    vl, vh = line(iq), line(iq + 1)
    s1 = (vh - vl) / dq1
    if iq > 0:
        sl = (vl - line(iq - 1)) / (g.lq2[iq] - g.lq2[iq - 1])
        dl_ = 0.5 * (s1 + sl)
    else:
        dl_ = s1
    if iq + 2 < nq:
        sh = (line(iq + 2) - vh) / (g.lq2[iq + 2] - g.lq2[iq + 1])
        dh_ = 0.5 * (s1 + sh)
    else:
        dh_ = s1
    tq = (lq2 - g.lq2[iq]) / dq1
    return _hermite(tq, vl, dl_ * dq1, vh, dh_ * dq1)


def alphas_ipol(info, q):
    """alpha_s(Q) from AlphaS_Qs / AlphaS_Vals: cubic Hermite in ln Q2 with the same secant
    slopes, within the piece between repeated knots (thresholds)."""
    qs = np.asarray(info["AlphaS_Qs"], float)
    av = np.asarray(info["AlphaS_Vals"], float)
    lq2 = np.log(qs ** 2)
    cuts = [0] + [i for i in range(1, len(qs)) if qs[i] == qs[i - 1]] + [len(qs)]
    l = np.log(q * q)
    for a, b in zip(cuts[:-1], cuts[1:]):
        if lq2[a] <= l <= lq2[b - 1] and b - a >= 2:
            k = int(np.clip(np.searchsorted(lq2[a:b], l, side="right") - 1, 0, b - a - 2)) + a
            d = _knot_slopes(lq2[a:b], av[a:b, None])[:, 0]
            h = lq2[k + 1] - lq2[k]
            return float(_hermite((l - lq2[k]) / h, av[k], d[k - a] * h, av[k + 1], d[k + 1 - a] * h))
    raise ValueError(f"Q = {q} outside the alpha_s knots")
