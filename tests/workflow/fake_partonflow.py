#!/usr/bin/python3
"""A stand-in for the partonflow executable, for testing the WORKFLOW only (rules, DAG,
rerun behaviour, report scripts), never the physics.  It accepts the stage command lines
the rules use and writes small HDF5 files in the documented layouts (docs/artefacts.md,
docs/workflow.md) filled with synthetic numbers: a fit is the truth plus one Gaussian
error, drawn with numpy from the seed and the replica number.

Every call appends its argument list (JSON) to $FAKE_PF_LOG when that is set, so tests
can check the exact command lines; FAKE_PF_HANG=COMMAND makes that command stop for two
minutes with its temporary written (to kill the workflow in the middle of a stage);
FAKE_PF_NOCONV=replica makes every replica fit "not converge" (fit.h5 written with
converged = 0, exit code 3, as `partonflow fit` does).  Selected with `--config partonflow=<this file>`.
"""
import json
import os
import sys

import h5py
import numpy as np

NAMES = ["uv.a", "uv.b", "ubar.A", "g.a"]
TRUTH = np.array([0.7, 3.2, 0.15, -0.2])
ERRORS = np.array([0.02, 0.1, 0.01, 0.03])
NBX, NBQ = 10, 6
X_EDGES = np.geomspace(1e-3, 0.9, NBX + 1)
Q2_EDGES = np.geomspace(4.0, 1000.0, NBQ + 1)


def opts(argv):
    o, i = {}, 0
    while i < len(argv):
        k = argv[i]
        if k.startswith("--") and i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            o[k[2:]] = argv[i + 1]
            i += 2
        else:
            o[k[2:]] = True
            i += 1
    return o


def create(path, schema, seed=None):
    tmp = f"{path}.tmp-{os.getpid()}"
    f = h5py.File(tmp, "w")
    m = f.create_group("meta")
    m.attrs["schema"] = schema
    m.attrs["schema_version"] = np.int64(1)
    m.attrs["command_line"] = " ".join(sys.argv)
    m.attrs["partonflow_version"] = "fake"
    if seed is not None:
        m.attrs["seed"] = np.uint64(seed)
    return f, tmp


def commit(f, tmp, path):
    f.close()
    if os.environ.get("FAKE_PF_HANG") == sys.argv[1]:
        # stand for a long stage: the temporary exists, the final name does not yet
        import time
        time.sleep(120)
    os.replace(tmp, path)


def xf(x, a, b, A=1.0):
    return A * x ** a * (1 - x) ** b


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("--help", "-h"):
        print("usage: fake_partonflow COMMAND ...\ncommands:\n  theory\n  simulate\n  prepare\n  fit")
        return 0
    cmd, o = sys.argv[1], opts(sys.argv[2:])
    if os.environ.get("FAKE_PF_LOG"):
        with open(os.environ["FAKE_PF_LOG"], "a") as log:
            log.write(json.dumps(sys.argv[1:]) + "\n")
    if cmd == "theory":
        f, tmp = create(o["out"], "partonflow.theory")
        f["grid/logx"] = np.log(np.geomspace(1e-3, 0.9, 8))
        commit(f, tmp, o["out"])
    elif cmd == "simulate":
        n, seed = int(float(o.get("events", o.get("expected-events", 1000)))), int(o.get("seed", 0))
        rng = np.random.default_rng(seed)
        f, tmp = create(o["out"], "partonflow.events", seed)
        x = np.exp(rng.uniform(np.log(1e-3), np.log(0.9), n))
        q2 = np.exp(rng.uniform(np.log(4.0), np.log(1000.0), n))
        for k, v in (("x", x), ("q2", q2)):
            f[f"events/{k}_true"] = v
            f[f"events/{k}_rec"] = v * (1 + 0.01 * rng.standard_normal(n))
        acc = ((f["events/x_rec"][()] > 1e-3) & (f["events/x_rec"][()] < 0.9)
               & (f["events/q2_rec"][()] > 4) & (f["events/q2_rec"][()] < 1000))
        f["events/accepted"] = acc.astype(np.uint8)
        f["events"].attrs["n_generated"] = np.int64(n)
        f["events"].attrs["n_accepted"] = np.int64(acc.sum())
        f["events"].attrs["seed"] = np.uint64(seed)
        commit(f, tmp, o["out"])
    elif cmd == "prepare":
        # likelihood.h5 as engine/src/fit/like_io.c writes it: /hist/H [nbins, ngrid] with
        # attributes log_edges, bins_x, bins_q2; /events/bin (b = iq * nx + ix, -1 outside)
        with h5py.File(o["events"], "r") as ev:
            acc = ev["events/accepted"][()].astype(bool)
            xr, qr = ev["events/x_rec"][()][acc], ev["events/q2_rec"][()][acc]
        ix = np.searchsorted(X_EDGES, xr) - 1
        iq = np.searchsorted(Q2_EDGES, qr) - 1
        inside = (ix >= 0) & (ix < NBX) & (iq >= 0) & (iq < NBQ)
        f, tmp = create(o["out"], "partonflow.likelihood")
        f["events/bin"] = np.where(inside, iq * NBX + ix, -1).astype(np.int32)
        f["hist/H"] = np.eye(NBX * NBQ)                  # ngrid = nbins: G is the bin content
        f["hist"].attrs["log_edges"] = np.log([X_EDGES[0], X_EDGES[-1], Q2_EDGES[0], Q2_EDGES[-1]])
        f["hist"].attrs["bins_x"] = np.int64(NBX)
        f["hist"].attrs["bins_q2"] = np.int64(NBQ)
        f["norm/c"] = np.ones(NBX * NBQ)
        f.attrs["luminosity_pb"] = 1.0
        f.attrs["n_events"] = np.int64(acc.sum())
        commit(f, tmp, o["out"])
    elif cmd == "fit":
        k = int(o.get("replica", 0))
        method = o.get("method", "events")
        with h5py.File(o["likelihood"], "r") as lf:
            b = lf["events/bin"][()]
            obs = np.bincount(b[b >= 0], minlength=NBX * NBQ)
        rng = np.random.default_rng(1000 * k + (7 if method == "histogram" else 3))
        err = ERRORS * (1.2 if method == "histogram" else 1.0)
        val = TRUTH + err * rng.standard_normal(len(TRUTH))
        f, tmp = create(o["out"], "partonflow.fit")
        # the layout of engine/apps/cmd_fit.c, plus /hist/expected (counts per bin b at the fit)
        f["fit/theta"] = val
        f["fit/error"] = err
        f["fit/truth"] = TRUTH
        f["fit/pull"] = (val - TRUTH) / err
        f["fit/covariance"] = np.diag(err ** 2)
        g = f["fit"]
        g.attrs["parameters"] = ",".join(NAMES)
        noconv = os.environ.get("FAKE_PF_NOCONV") == "replica" and k > 0
        g.attrs["converged"] = np.int64(0 if noconv else 1)
        g.attrs["lnl"] = -1234.5
        g.attrs["mse"] = float(np.mean(((val - TRUTH) / TRUTH) ** 2))
        g.attrs["method"] = method
        g.attrs["replica"] = np.int64(k)
        x = np.geomspace(1e-3, 0.9, 60)
        fin = ["uv", "dv", "ubar", "dbar", "s", "sbar", "c", "cbar", "b", "bbar", "g"]
        fout = ["tbar", "bbar", "cbar", "sbar", "ubar", "dbar", "g", "d", "u", "s", "c", "b", "t"]
        shapes = {"uv": (0.7, 3.2, 5), "dv": (0.75, 4.1, 3), "ubar": (-0.15, 7, 0.15), "dbar": (-0.15, 7.5, 0.18),
                  "s": (-0.15, 8, 0.1), "sbar": (-0.15, 8, 0.1), "g": (-0.2, 5, 2)}
        t0 = np.array([xf(x, *shapes[n]) if n in shapes else 0 * x for n in fin]).T       # [x, input flavour]
        tq = np.zeros((2, len(x), len(fout)))
        for iq in range(2):
            for n in fout:
                base = {"u": "uv", "d": "dv"}.get(n, n)
                v = xf(x, *shapes[base]) if base in shapes else 0 * x
                if n in ("u", "d"):
                    v = v + xf(x, *shapes[n + "bar"])
                tq[iq, :, fout.index(n)] = v * (1 + 0.1 * (iq + 1) * (1 - x))
        scale = 1 + 0.02 * rng.standard_normal()
        f["pdf/x"] = x
        f["pdf/q2"] = np.array([10.0, 100.0])
        f["pdf/xf_true_mu0"] = t0
        f["pdf/xf_fit_mu0"] = t0 * scale
        f["pdf/xf_true"] = tq
        f["pdf/xf_fit"] = tq * scale
        f["pdf"].attrs["flavours_mu0"] = ",".join(fin)
        f["pdf"].attrs["flavours"] = ",".join(fout)
        f["pdf"].attrs["mu0_gev"] = 2 ** 0.5
        f["hist/expected"] = np.full(obs.size, obs.sum() / obs.size)
        commit(f, tmp, o["out"])
        if noconv:
            print("fake_partonflow fit: NOT CONVERGED (written with converged = 0)", file=sys.stderr)
            return 3
    else:
        print(f"fake_partonflow: unknown command '{cmd}'", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
