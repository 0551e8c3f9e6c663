#!/usr/bin/env python3
"""Probe the response operator's accuracy where a sample has few events.

`prepare --verify N` compares each event's density on F = M G with its exact row, so it
sees only where events fall: a corner the cross section starves (high x and high Q^2)
stays unmeasured.  This tool writes a regular grid of reconstructed points over a part of
the card's cut region as an external events file (docs/artefacts.md "External events"),
which `prepare --card CARD --verify N` then checks point by point at the card's reference
parameters:

    tools/response_probe.py --card configs/cards/default.yaml --x 0.55 0.899 --q2 80 999 \\
        --out probe.h5
    build/partonflow prepare --theory results/default/theory.h5 --events probe.h5 \\
        --card configs/cards/default.yaml --out probe_like.h5 --verify 100000 --quiet

Points outside the card's cuts (y, W^2) are dropped; --nx and --nq2 set the grid
(log-spaced in Q^2, linear in x).  Results: docs/fitting.md "Response operator",
accuracy item.
"""
import argparse
import math
import sys

import h5py
import numpy as np
import yaml

MP2 = 0.938272 ** 2  # GeV^2, as the engine's W^2 cut (engine/include/partonflow/kernels/kinematics.h)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--card", required=True, help="the card whose beams and cuts the points follow")
    ap.add_argument("--x", nargs=2, type=float, required=True, metavar=("LO", "HI"))
    ap.add_argument("--q2", nargs=2, type=float, required=True, metavar=("LO", "HI"), help="GeV^2")
    ap.add_argument("--nx", type=int, default=60)
    ap.add_argument("--nq2", type=int, default=80)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.card) as f:
        card = yaml.safe_load(f)
    try:
        beams = card["kinematics"]["beams"]
        cuts = card["kinematics"]["cuts"]
        s = 4.0 * float(beams["electron"]) * float(beams["proton"])
    except (KeyError, TypeError) as e:
        sys.exit("response_probe: %s: expected kinematics.beams {electron, proton} and kinematics.cuts (%s)"
                 % (a.card, e))
    if not (0 < a.x[0] < a.x[1] < 1 and 0 < a.q2[0] < a.q2[1] and a.nx > 0 and a.nq2 > 0):
        sys.exit("response_probe: expected 0 < x LO < x HI < 1, 0 < q2 LO < q2 HI and positive counts")
    X, Q = np.meshgrid(np.linspace(a.x[0], a.x[1], a.nx),
                       np.exp(np.linspace(math.log(a.q2[0]), math.log(a.q2[1]), a.nq2)))
    X, Q = X.ravel(), Q.ravel()
    y = Q / (X * s)
    w2 = Q * (1.0 - X) / X + MP2
    keep = ((X > cuts.get("x_min", 0.0)) & (X < cuts.get("x_max", 1.0)) & (Q > cuts.get("q2_min", 0.0))
            & (Q < cuts.get("q2_max", math.inf)) & (y > cuts.get("y_min", 0.0)) & (y < cuts.get("y_max", 1.0))
            & (w2 > cuts.get("w2_min", 0.0)))
    X, Q = X[keep], Q[keep]
    if X.size == 0:
        sys.exit("response_probe: no grid point is inside the card's cuts")
    with h5py.File(a.out, "w") as f:
        f.attrs["format"] = "partonflow.events.external"
        f.attrs["format_version"] = np.int64(1)
        g = f.create_group("events")
        g.attrs["luminosity_pb"] = 1.0
        g.attrs["sqrt_s_gev"] = math.sqrt(s)
        g.attrs["producer"] = "tools/response_probe.py"
        g.attrs["description"] = "grid of reconstructed points x %g..%g, Q2 %g..%g GeV^2" % (*a.x, *a.q2)
        g.create_dataset("x_rec", data=X)
        g.create_dataset("q2_rec", data=Q).attrs["units"] = "GeV^2"
    print("response_probe: %s: %d points inside the cuts" % (a.out, X.size))


if __name__ == "__main__":
    main()
