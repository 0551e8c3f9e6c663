#!/usr/bin/python3
"""The profiled Python case, redone through the package (docs/python.md, docs/performance.md).

The profiled loop of this field (train_cs.py: an optimiser calling logpdf = d2sigma / N_exp
for every event, 1.64 s per call, 0.78 s of it in scipy dblquad for the normalisation, the
gradient by finite differences) is here, at the same event count, two ways:

  package     sum_i log p_i(theta),  p_i = L w_i . G / N_exp  (the normalised density),
              from Likelihood.value_and_grad (sum_i log(w_i . G) - N_exp, exact gradient)
              and Likelihood.normalisation (N_exp and its exact gradient); scipy's L-BFGS-B
              drives it over the card's free parameters;
  Python way  tools/python_baseline.py: the event sum with numpy over the same 32-weight
              rows, N_exp with scipy.integrate.dblquad, the gradient by central finite
              differences (2 nfree + 1 evaluations).

It prints the time per logpdf + gradient call of both, their ratio, and the Python
layer's own cost per call: the call's wall time minus the time spent in the engine
(Likelihood.last_engine_seconds), relative to the engine time, and the C benchmark
(`partonflow bench likelihood`) at the same N for reference.

    /usr/bin/python3 examples/profiled_logpdf.py --events 1000000 [--threads 2]
        [--workdir DIR] [--partonflow build/partonflow] [--baseline-repeats 1] [--json]
"""
import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from scipy import optimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "python"))
import partonflow as pf  # noqa: E402


def run(*cmd):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")
    return r.stdout


def inputs(args):
    """theory, events and likelihood.h5 of configs/cards/perfect.yaml at N events"""
    d = Path(args.workdir)
    d.mkdir(parents=True, exist_ok=True)
    card = ROOT / "configs/cards/perfect.yaml"
    like = d / f"like_{args.events}.h5"
    if not like.exists():
        if not (d / "theory.h5").exists():
            run(args.partonflow, "theory", "--card", card, "--out", d / "theory.h5", "--threads", args.threads)
        run(args.partonflow, "simulate", "--theory", d / "theory.h5", "--card", card, "--events", args.events,
            "--seed", 7, "--out", d / "events.h5", "--quiet", "--threads", args.threads)
        run(args.partonflow, "prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", card,
            "--out", like, "--threads", args.threads)
    return card, like


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workdir", default="results/profiled")
    ap.add_argument("--partonflow", default=str(ROOT / "build" / "partonflow"))
    ap.add_argument("--baseline-repeats", type=int, default=1, help="Python-way calls to time (0: skip)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    pf.set_threads(args.threads)
    card, like = inputs(args)
    free_names = yaml.safe_load(card.read_text())["fit"]["free"]
    lk = pf.Likelihood(str(like))
    free = [lk.param_names.index(k) for k in free_names]
    truth = lk.truth
    n = float(lk.weights.sum())
    lumi = lk.info["luminosity"]
    calls = {"wall": [], "engine": []}

    def logpdf(tf):
        """-sum_i log p_i and its gradient in the free parameters (what the optimiser minimises)"""
        t0 = time.perf_counter()
        t = truth.copy()
        t[free] = tf
        try:
            lnl, g = lk.value_and_grad(t)
        except pf.InputError:  # a trial step outside the allowed region: the line search backs off
            return 1e30, np.zeros(len(free))
        e = lk.last_engine_seconds
        nexp, gn = lk.normalisation(t)
        e += lk.last_engine_seconds
        val = lnl + nexp + n * math.log(lumi) - n * math.log(nexp)
        grad = g + gn - n * gn / nexp
        calls["wall"].append(time.perf_counter() - t0)
        calls["engine"].append(e)
        return -val / n, -grad[free] / n  # per event: an O(1) scale for the optimiser

    start = truth[free] * 1.05
    t0 = time.perf_counter()
    bounds = [(min(0.5 * v, 1.5 * v), max(0.5 * v, 1.5 * v)) if v else (-0.5, 0.5) for v in truth[free]]
    res = optimize.minimize(logpdf, start, jac=True, method="L-BFGS-B", bounds=bounds,
                            options={"ftol": 1e-14, "gtol": 1e-9})
    t_opt = time.perf_counter() - t0
    wall = np.median(calls["wall"])
    engine = np.median(calls["engine"])
    overhead = np.median(np.array(calls["wall"]) - np.array(calls["engine"]))

    # the C benchmark at the same N (ln L + gradient, 25 parameters, synthetic rows)
    bench = None
    # (the event pass alone: G and dG are given; the package's call computes them too)
    out = run(args.partonflow, "bench", "likelihood", "--events", args.events, "--repeats", 5, "--json")
    for line in out.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("name") == "like_events_grad" and rec.get("threads") == args.threads:
            bench = rec["median_s"]

    # the Python way at the same N over the same rows
    t_py = float("nan")
    if args.baseline_repeats > 0:
        spec = importlib.util.spec_from_file_location("python_baseline", ROOT / "tools/python_baseline.py")
        pb = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(pb)
        idx, wt, ng = pb.load_rows(argparse.Namespace(likelihood=str(like), events=args.events))
        G = np.random.default_rng(2).random(ng) + 0.5
        h, npar = 1e-4, len(free)
        ts = []
        for _ in range(args.baseline_repeats):
            t0 = time.perf_counter()
            pb.lnl(idx, wt, G, 0.0)
            for p in range(npar):
                Gp, Gm = G * (1 + h * (p + 1) / npar), G * (1 - h * (p + 1) / npar)
                pb.lnl(idx, wt, Gp, h)
                pb.lnl(idx, wt, Gm, -h)
            ts.append(time.perf_counter() - t0)
        t_py = float(np.median(ts))

    rec = {"events": args.events, "threads": args.threads, "free_parameters": len(free),
           "optimiser": "scipy L-BFGS-B", "converged": bool(res.success), "calls": len(calls["wall"]),
           "optimiser_seconds": t_opt, "package_call_s": wall, "engine_call_s": engine,
           "python_layer_s": overhead, "python_layer_fraction": overhead / engine,
           "python_layer_fraction_of_c_bench": overhead / bench if bench else None,
           "c_bench_lnl_grad_s": bench, "python_way_call_s": t_py, "ratio": t_py / wall,
           "best_fit": dict(zip(free_names, res.x.tolist()))}
    if args.json:
        print(json.dumps(rec))
    else:
        print(f"profiled case at {args.events} events, {len(free)} free parameters, {args.threads} threads "
              f"(timings on a shared machine are noisy)")
        print(f"  package: logpdf + exact gradient {wall * 1e3:.2f} ms per call (median of {len(calls['wall'])}"
              f" L-BFGS-B calls; converged {res.success}, {t_opt:.2f} s in all)")
        print(f"    of which engine {engine * 1e3:.2f} ms, Python layer {overhead * 1e3:.3f} ms "
              f"= {100 * overhead / engine:.2f} % of the engine time")
        if bench:
            print(f"    C benchmark (bench likelihood like_events_grad: the event pass alone, 25 params): "
                  f"{bench * 1e3:.2f} ms; Python layer = {100 * overhead / bench:.2f} % of it")
        print(f"  Python way (numpy + dblquad + central differences): {t_py:.2f} s per call")
        print(f"  ratio Python way / package: {t_py / wall:.0f}")


if __name__ == "__main__":
    main()
