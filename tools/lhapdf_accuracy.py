#!/usr/bin/env python3
"""Accuracy table of an exported LHAPDF6 set (docs/artefacts.md, "LHAPDF6 export").

    tools/lhapdf_accuracy.py --set DIR/NAME --fit fit.h5 [--partonflow build/partonflow]

Reads member 0 with the independent reader of the tests (tests/integration/lhapdf_reader.py,
LHAPDF's log-bicubic interpolation), evaluates the exact evolution of the fitted card
(`partonflow evolve`, the card of fit.h5 with the fitted parameters and the default Mellin
contour) at 80 x (log-uniform in [1e-5, 0.9]) times 50 Q (log-uniform in [mu0, 1e4 GeV]) and
prints, as a markdown table, the largest relative deviation per flavour and x / Q region
over the values above 1e-8 (heavy quarks: above 1e-6, see the test)."""
import argparse
import io
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests/integration"))
import lhapdf_reader as R  # noqa: E402
from test_export_cli import NAMES, fitted_card  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--set", required=True)
ap.add_argument("--fit", required=True)
ap.add_argument("--partonflow", default=str(ROOT / "build/partonflow"))
a = ap.parse_args()
info, members = R.read_set(a.set)
mu0 = info["QMin"]
rng = np.random.default_rng(2026)
xs = np.sort(np.exp(rng.uniform(math.log(1e-5), math.log(0.9), 80)))
qs = np.sort(np.exp(rng.uniform(math.log(mu0), math.log(1e4), 50)))
with tempfile.TemporaryDirectory() as t:
    card = fitted_card(Path(t), a.fit, "card.yaml")
    r = subprocess.run([a.partonflow, "evolve", "--card", str(card), "--x", ",".join(f"{v:.17g}" for v in xs),
                        "--q2", ",".join(f"{v * v:.17g}" for v in qs)], capture_output=True, text=True, check=True)
e = np.loadtxt(io.StringIO(r.stdout), delimiter=",", skiprows=1)
exact, x, q = e[:, 3:16], e[:, 1], np.sqrt(e[:, 0])
got = R.xfx_all(members[0][1], x, e[:, 0])
heavy = np.isin(np.arange(13), [0, 1, 2, 10, 11, 12])
floor = np.where(heavy, 1e-6, 1e-8)[None, :]
rel = np.where(np.abs(exact) > floor, np.abs(got - exact) / np.maximum(np.abs(exact), 1e-300), np.nan)
xr = [(1e-5, 1e-3), (1e-3, 0.1), (0.1, 0.5), (0.5, 0.9 + 1e-12)]
qr = [(mu0, 10.0), (10.0, 1e4 + 1)]
cols = [(xa, xb, qa, qb) for qa, qb in qr for xa, xb in xr]
print("| flavour | " + " | ".join(f"x {xa:g}-{min(xb, 0.9):g}, Q {qa:.3g}-{min(qb, 1e4):g}" for xa, xb, qa, qb in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
order = [6, 8, 7, 4, 5, 9, 10, 11, 12]
for k in order:
    cells = []
    for xa, xb, qa, qb in cols:
        s = (x >= xa) & (x < xb) & (q >= qa) & (q < qb)
        v = rel[s, k]
        cells.append("-" if np.all(np.isnan(v)) else f"{np.nanmax(v):.1e}")
    print(f"| {NAMES[k]} | " + " | ".join(cells) + " |")
print(f"\nall flavours, all regions: {np.nanmax(rel):.2e} ({np.count_nonzero(~np.isnan(rel))} values)")
