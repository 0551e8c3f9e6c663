"""chi2 over the reconstructed bins of a likelihood.h5 at the truth of its theory card.

    PYTHONPATH=build/python /usr/bin/python3 tools/bin_chi2.py theory.h5 likelihood.h5

Observed counts (/events/bin) against the model's expectation L H_b . G(truth), H_b the
histogram operator prepare built from the same response operator M as the events' rows,
G the theory grid values at the card's parameters (the Python package).  Prints the
Pearson chi2 and the Poisson deviance over the bins with a positive expectation, with
their p-values.  Results: docs/fitting.md ("Generation region").
"""
import os
import sys

import h5py
import numpy as np
from scipy import stats

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "python"))
import partonflow as pf  # noqa: E402

if len(sys.argv) != 3:
    sys.exit("usage: bin_chi2.py theory.h5 likelihood.h5")
th = pf.Theory(sys.argv[1])
with h5py.File(sys.argv[2], "r") as f:
    H = f["hist/H"][:]
    L = float(f.attrs["luminosity_pb"]) if "luminosity_pb" in f.attrs else float(f["events"].attrs["luminosity_pb"])
    b = f["events/bin"][:]
    n = int(f.attrs["n_events"])
G = np.asarray(th.grid_values(th.theta))
mu = L * H @ G
obs = np.bincount(b[b >= 0], minlength=H.shape[0]).astype(float)
m = mu > 0
chi2 = float(np.sum((obs[m] - mu[m]) ** 2 / mu[m]))
dev = float(2 * np.sum(mu[m] - obs[m] + np.where(obs[m] > 0, obs[m] * np.log(np.where(obs[m] > 0, obs[m], 1) / mu[m]), 0)))
ndf = int(m.sum())
print("events %d, expected %.1f, bins %d: Pearson chi2 %.1f / %d (p = %.3f), Poisson deviance %.1f (p = %.3f)" % (
    n, mu.sum(), ndf, chi2, ndf, stats.chi2.sf(chi2, ndf), dev, stats.chi2.sf(dev, ndf)))
