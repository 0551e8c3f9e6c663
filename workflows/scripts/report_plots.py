#!/usr/bin/env python3
"""The report's plots, from the HDF5 artefacts of one run (matplotlib, h5py).

    report_plots.py --events events.h5 --likelihood likelihood.h5 --fit fit.h5 \
        --fit-histogram fit_histogram.h5 --replicas replicas/replica_*.h5 --outdir report/

writes into OUTDIR:
  pdfs.png                 fitted x f (central fit, replica band) vs the truth at mu0 and at
                           the scales of fit.h5 (Q2 = 10 and 100 GeV^2)
  data_vs_fit_x.png        accepted events vs the fits' expectation in reconstructed x,
  data_vs_fit_q2.png       ... and in reconstructed Q2, with data/fit ratio panels
  pulls.png                pulls (fit - truth)/error per parameter and their distribution
  events_vs_histogram.png  event-level vs histogram fit: deviations, errors, PDF MSE
A dataset missing from an artefact stops the script with a message naming it (exit 2).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import pfreport as pr  # noqa: E402

def plot_pdfs(fit_path, replica_paths, out):
    x, q2, flav, fit, truth = pr.read_pdfs(fit_path)
    reps = [pr.read_pdfs(p)[3] for p in replica_paths]
    rows = list(range(len(flav)))
    fig, axes = plt.subplots(len(rows), len(q2), figsize=(4.2 * len(q2), 2.6 * len(rows)),
                             squeeze=False, sharex=True)
    for r, j in enumerate(rows):
        for c in range(len(q2)):
            ax = axes[r][c]
            if len(reps) >= 2:
                band = np.array([rp[c, j] for rp in reps])
                lo, hi = np.percentile(band, [16, 84], axis=0)
                ax.fill_between(x, lo, hi, color="C0", alpha=0.3, lw=0,
                                label=f"replicas 68% ({len(reps)})")
            ax.plot(x, fit[c, j], color="C0", lw=1.5, label="fit")
            ax.plot(x, truth[c, j], color="k", ls="--", lw=1.2, label="truth")
            ax.set_xscale("log")
            if r == 0:
                ax.set_title(f"$Q^2$ = {q2[c]:.3g} GeV$^2$" + (" ($\\mu_0^2$)" if c == 0 else ""))
            if c == 0:
                ax.set_ylabel(f"$x\\,f$  ({flav[j]})")
            if r == len(rows) - 1:
                ax.set_xlabel("$x$")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_data_vs_fit(hists, axis, out):
    """hists: {label: (xe, qe, observed, expected)}; projection on x (axis 0) or Q2 (1)."""
    fig, (top, bot) = plt.subplots(2, 1, figsize=(6.5, 6), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 1.2]})
    first = next(iter(hists.values()))
    edges = first[axis]
    obs = first[2].sum(axis=1 - axis)
    centres = np.sqrt(edges[1:] * edges[:-1])
    err = np.sqrt(np.maximum(obs, 1.0))
    top.errorbar(centres, obs, yerr=np.sqrt(obs), fmt="o", color="k", ms=3, label="data (accepted)")
    for i, (label, (xe, qe, o, e)) in enumerate(hists.items()):
        if e is None:
            bot.text(0.5, 0.7 - 0.35 * i, f"{label}: no expected counts in fit.h5 (/hist/expected)",
                     transform=bot.transAxes, ha="center", fontsize=8, color=f"C{i}")
            continue
        exp = e.sum(axis=1 - axis)
        top.stairs(exp, edges, color=f"C{i}", label=f"fit ({label})")
        with np.errstate(divide="ignore", invalid="ignore"):
            bot.errorbar(centres * (1 + 0.02 * i), obs / exp, yerr=err / exp, fmt="o", ms=3,
                         color=f"C{i}", label=label)
    bot.axhline(1.0, color="k", lw=0.8)
    top.set_yscale("log")
    top.set_ylabel("events per bin")
    top.legend(fontsize=8)
    name = "x_\\mathrm{rec}" if axis == 0 else "Q^2_\\mathrm{rec}\\ [\\mathrm{GeV}^2]"
    bot.set_xlabel(f"${name}$")
    bot.set_ylabel("data / fit")
    bot.set_xscale("log")
    bot.set_ylim(0.8, 1.2)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_pulls(fits, replicas, out):
    ev = fits["events"]
    names = ev["names"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    idx = np.arange(len(names))
    for i, (label, d) in enumerate(fits.items()):
        a1.errorbar(idx + 0.15 * i, d["pulls"], yerr=np.ones(len(names)), fmt="o", color=f"C{i}",
                    label=label)
    a1.axhline(0, color="k", lw=0.8)
    a1.axhspan(-1, 1, color="0.9")
    a1.set_xticks(idx, names, rotation=45, ha="right")
    a1.set_ylabel("pull (fit - truth) / error")
    a1.legend(fontsize=8)
    allp = [p for d in fits.values() for p in d["pulls"] if np.isfinite(p)]
    if replicas:
        # replica pulls: each replica's deviation from the truth in units of the central error
        allp_rep = [(r["values"][k] - ev["truth"][k]) / ev["errors"][k]
                    for r in replicas for k in range(len(names)) if ev["errors"][k] > 0]
        a2.hist(allp_rep, bins=np.linspace(-4, 4, 33), density=True, alpha=0.5, color="C2",
                label=f"replicas ({len(replicas)} x {len(names)})")
    a2.hist(allp, bins=np.linspace(-4, 4, 17), density=True, histtype="step", lw=1.5, color="C0",
            label=f"central fits ({len(allp)})")
    t = np.linspace(-4, 4, 200)
    a2.plot(t, np.exp(-t * t / 2) / np.sqrt(2 * np.pi), "k--", label="N(0, 1)")
    a2.set_xlabel("pull")
    a2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_methods(fits, out):
    ev, hi = fits["events"], fits["histogram"]
    names = ev["names"]
    if list(hi["names"]) != list(names):
        raise pr.ArtefactError(f"{hi['path']}: parameters {hi['names']} differ from {ev['path']}: {names}")
    idx = np.arange(len(names))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (label, d) in enumerate((("event-level", ev), ("histogram", hi))):
        scale = np.where(d["truth"] != 0, np.abs(d["truth"]), 1.0)
        a1.errorbar(idx + 0.15 * i, (d["values"] - d["truth"]) / scale, yerr=d["errors"] / scale, fmt="o",
                    color=f"C{i}", label=f"{label}" + (f", PDF MSE {d['mse']:.3g}" if d["mse"] is not None else ""))
    a1.axhline(0, color="k", lw=0.8)
    a1.set_xticks(idx, names, rotation=45, ha="right")
    a1.set_ylabel("(fit - truth) / |truth|")
    a1.legend(fontsize=8)
    with np.errstate(divide="ignore", invalid="ignore"):
        a2.bar(idx, hi["errors"] / ev["errors"], color="C1")
    a2.axhline(1, color="k", lw=0.8)
    a2.set_xticks(idx, names, rotation=45, ha="right")
    a2.set_ylabel("error(histogram) / error(event-level)")
    fig.suptitle("event-level vs histogram fit")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", required=True)
    ap.add_argument("--likelihood", required=True)
    ap.add_argument("--fit", required=True)
    ap.add_argument("--fit-histogram", required=True)
    ap.add_argument("--replicas", nargs="*", default=[])
    ap.add_argument("--outdir", required=True)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    fits = {"events": pr.read_fit(a.fit), "histogram": pr.read_fit(a.fit_histogram)}
    replicas = [pr.read_fit(p) for p in a.replicas]
    plot_pdfs(a.fit, a.replicas, os.path.join(a.outdir, "pdfs.png"))
    hists = {"event-level": pr.read_histograms(a.fit, a.likelihood, a.events),
             "histogram": pr.read_histograms(a.fit_histogram, a.likelihood, a.events)}
    plot_data_vs_fit(hists, 0, os.path.join(a.outdir, "data_vs_fit_x.png"))
    plot_data_vs_fit(hists, 1, os.path.join(a.outdir, "data_vs_fit_q2.png"))
    plot_pulls(fits, replicas, os.path.join(a.outdir, "pulls.png"))
    plot_methods(fits, os.path.join(a.outdir, "events_vs_histogram.png"))
    print(f"report_plots: wrote 5 plots to {a.outdir}")


if __name__ == "__main__":
    pr.run_main(main)
