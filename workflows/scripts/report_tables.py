#!/usr/bin/env python3
"""The summary tables of the Snakemake HTML report (`snakemake --report report.html`) as
CSV, from report/summary.json (summary.py):

    report_tables.py --summary summary.json --parameters parameters.csv \
                     --quality fit_quality.csv --benchmarks benchmarks.csv

parameters.csv: per free parameter the truth, the event-level and the histogram fit
(value, Hessian error, pull) and the replicas' mean and standard deviation;
fit_quality.csv: per method converged, -ln L, chi2/ndf and deviance/ndf of the data-vs-fit
histograms, MSE of the PDFs at mu0; benchmarks.csv: wall time and peak memory of every
step (Snakemake's benchmark files)."""
import argparse
import csv
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--parameters", required=True)
    ap.add_argument("--quality", required=True)
    ap.add_argument("--benchmarks", required=True)
    a = ap.parse_args()
    try:
        s = json.load(open(a.summary))
    except (OSError, ValueError) as e:
        print(f"report_tables: error: {a.summary}: {e} (expected summary.json of workflows/scripts/summary.py)",
              file=sys.stderr)
        return 2

    def num(v):
        return "" if v is None else f"{v:.6g}" if isinstance(v, float) else v

    with open(a.parameters, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["parameter", "truth", "events value", "events error", "events pull", "histogram value",
                    "histogram error", "histogram pull", "replicas", "replicas mean", "replicas std"])
        for p in s.get("parameters", []):
            ev, hi, rp = p.get("events") or {}, p.get("histogram") or {}, p.get("replicas") or {}
            w.writerow([p["name"], num(p.get("truth")), num(ev.get("value")), num(ev.get("error")),
                        num(ev.get("pull")), num(hi.get("value")), num(hi.get("error")), num(hi.get("pull")),
                        rp.get("n", 0), num(rp.get("mean")), num(rp.get("std"))])
    with open(a.quality, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["method", "converged", "-ln L", "chi2/ndf", "ndf", "deviance/ndf", "MSE at mu0"])
        conv, chi2 = s.get("converged", {}), s.get("chi2", {})
        for m in ("events", "histogram"):
            c = chi2.get(m) or {}
            w.writerow([m, conv.get(m), num(s.get("lnL", {}).get(m)), num(c.get("chi2_ndf")), c.get("ndf", ""),
                        num(c.get("deviance_ndf")), num(s.get("mse", {}).get(m))])
    with open(a.benchmarks, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "wall time (s)", "peak memory (MB)"])
        rss = s.get("max_rss_mb", {})
        for step, t in s.get("timing_s", {}).items():
            w.writerow([step, num(t), num(rss.get(step))])
        w.writerow(["total", num(s.get("total_s")), ""])
    return 0


if __name__ == "__main__":
    sys.exit(main())
