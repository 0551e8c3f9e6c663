#!/usr/bin/env python3
"""summary.md + summary.json of one run: parameters, errors, pulls, PDF MSE, replica
spread, chi2/ndf of the data-vs-fit histograms (both methods) and the run time of every
step (Snakemake benchmark files).

    summary.py --run NAME --events events.h5 --likelihood likelihood.h5 --fit fit.h5 \
        --fit-histogram fit_histogram.h5 --replicas R1.h5 ... --benchmarks B1.tsv ... \
        --plots P1.png ... --md summary.md --json summary.json
A dataset missing from an artefact stops the script with a message naming it (exit 2).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import pfreport as pr  # noqa: E402


def f(v, fmt=".5g"):
    return "n/a" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, fmt)


def c2(c):
    if c["chi2"] is None:
        return f"n/a ({c.get('note', '')})"
    return f"{c['chi2']:.1f} / {c['ndf']} = {f(c['chi2_ndf'], '.3f')}"


def dv(c):
    if c.get("deviance") is None:
        return "n/a"
    return f"{c['deviance']:.1f} / {c['ndf']} = {f(c['deviance_ndf'], '.3f')}"


def fl(v):
    """JSON-safe float (NaN/inf become null)."""
    v = float(v)
    return v if np.isfinite(v) else None


def build(a):
    ev = pr.read_fit(a.fit)
    hi = pr.read_fit(a.fit_histogram)
    reps = [pr.read_fit(p) for p in a.replicas]
    names = ev["names"]
    npar = len(names)
    params = []
    for k, n in enumerate(names):
        p = {"name": n, "truth": fl(ev["truth"][k]),
             "events": {"value": fl(ev["values"][k]), "error": fl(ev["errors"][k]), "pull": fl(ev["pulls"][k])}}
        if n in hi["names"]:
            j = hi["names"].index(n)
            p["histogram"] = {"value": fl(hi["values"][j]), "error": fl(hi["errors"][j]), "pull": fl(hi["pulls"][j])}
        if reps:
            vals = np.array([r["values"][r["names"].index(n)] for r in reps if n in r["names"]])
            p["replicas"] = {"n": int(len(vals)), "mean": fl(vals.mean()),
                             "std": fl(vals.std(ddof=1)) if len(vals) > 1 else None}
        params.append(p)
    chi = {}
    for label, path in (("events", a.fit), ("histogram", a.fit_histogram)):
        xe, qe, obs, exp = pr.read_histograms(path, a.likelihood, a.events)
        chi[label] = pr.chi2(obs, exp, npar)
    timing = {}
    for b in a.benchmarks:
        step = os.path.splitext(os.path.basename(b))[0]
        timing[step] = pr.read_benchmark(b)
    pulls = np.array([p["events"]["pull"] for p in params if p["events"]["pull"] is not None])
    return {
        "run": a.run,
        "artefacts": {"events": a.events, "likelihood": a.likelihood, "fit": a.fit,
                      "fit_histogram": a.fit_histogram, "replicas": list(a.replicas)},
        "converged": {"events": ev["converged"], "histogram": hi["converged"],
                      "replicas_not_converged": [r["path"] for r in reps if r["converged"] is False]},
        "parameters": params,
        "pulls": {"events": {"mean": fl(pulls.mean()) if len(pulls) else None,
                             "rms": fl(np.sqrt(np.mean(pulls ** 2))) if len(pulls) else None,
                             "max_abs": fl(np.abs(pulls).max()) if len(pulls) else None}},
        "mse": {"events": ev["mse"], "histogram": hi["mse"],
                "replicas_mean": fl(np.mean([r["mse"] for r in reps])) if reps and all(r["mse"] is not None for r in reps) else None},
        "chi2": chi,
        "lnL": {"events": ev["lnL"], "histogram": hi["lnL"]},
        "timing_s": {k: v["seconds"] for k, v in timing.items()},
        "max_rss_mb": {k: v["max_rss_mb"] for k, v in timing.items()},
        "total_s": fl(sum(v["seconds"] for v in timing.values())),
        "plots": [os.path.basename(p) for p in a.plots],
    }


def markdown(s):
    L = [f"# partonflow closure run `{s['run']}`", ""]
    c = s["converged"]
    L.append(f"Converged: event-level fit {c['events']}, histogram fit {c['histogram']}"
             + (f"; replicas NOT converged: {', '.join(c['replicas_not_converged'])}" if c["replicas_not_converged"] else "") + ".")
    L += ["", "## Parameters", "",
          "| parameter | truth | event-level fit | pull | histogram fit | pull | replicas mean +- std |",
          "|---|---|---|---|---|---|---|"]
    for p in s["parameters"]:
        e, h, r = p["events"], p.get("histogram"), p.get("replicas")
        L.append(f"| {p['name']} | {f(p['truth'])} | {f(e['value'])} +- {f(e['error'], '.2g')} | {f(e['pull'], '.2f')} | "
                 + (f"{f(h['value'])} +- {f(h['error'], '.2g')} | {f(h['pull'], '.2f')} | " if h else "n/a | n/a | ")
                 + (f"{f(r['mean'])} +- {f(r['std'], '.2g')} ({r['n']}) |" if r else "n/a |"))
    pe = s["pulls"]["events"]
    L += ["", f"Pulls (event-level): mean {f(pe['mean'], '.3f')}, rms {f(pe['rms'], '.3f')}, max |pull| {f(pe['max_abs'], '.3f')}.", "",
          "## Closure metrics", "",
          "| | event-level | histogram |", "|---|---|---|",
          f"| PDF MSE | {f(s['mse']['events'])} | {f(s['mse']['histogram'])} |",
          f"| chi2 / ndf (data vs fit, reconstructed x-Q2 bins) | {c2(s['chi2']['events'])} | {c2(s['chi2']['histogram'])} |",
          f"| Poisson deviance / ndf (same bins) | {dv(s['chi2']['events'])} | {dv(s['chi2']['histogram'])} |",
          f"| ln L | {f(s['lnL']['events'], '.6g')} | {f(s['lnL']['histogram'], '.6g')} |",
          "",
          "chi2: Pearson sum_b (n_b - mu_b)^2 / mu_b over the reconstructed (x, Q2) bins with expected "
          "mu_b = L H_b . G(theta_hat) >= 5 (fit.h5 /hist/expected, observed n_b = /hist/observed); "
          "deviance 2 sum_b [mu_b - n_b + n_b ln(n_b / mu_b)] over the same bins; ndf = bins - free parameters.",
          "", "## Run time per step (Snakemake benchmark files)", "", "| step | wall s | max RSS MB |", "|---|---|---|"]
    for k, v in s["timing_s"].items():
        L.append(f"| {k} | {v:.2f} | {f(s['max_rss_mb'][k], '.0f')} |")
    L += [f"| total (sum) | {f(s['total_s'], '.2f')} | |", "", "## Plots", ""]
    L += [f"![{p}]({p})" for p in s["plots"]]
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True)
    for k in ("events", "likelihood", "fit", "fit-histogram", "md", "json"):
        ap.add_argument(f"--{k}", required=True)
    for k in ("replicas", "benchmarks", "plots"):
        ap.add_argument(f"--{k}", nargs="*", default=[])
    a = ap.parse_args()
    s = build(a)
    with open(a.json, "w") as out:
        json.dump(s, out, indent=2)
        out.write("\n")
    with open(a.md, "w") as out:
        out.write(markdown(s))
    print(f"summary: wrote {a.md} and {a.json}")


if __name__ == "__main__":
    pr.run_main(main)
