#!/usr/bin/env python3
"""Compares `partonflow evolve` output (CSV, header q2,x,alphas,tbar,...,t; values x f)
with a Les Houches benchmark table (tests/data/lha: x,xuv,xdv,xLm,xLp,xsp,xcp,xbp,xg;
hep-ph/0204316 section 1.3) and writes the comparison as CSV and Markdown.

    lha_compare.py --evolved evolve.csv --table TABLE.csv [--tolerance 5e-5] --csv OUT.csv --md OUT.md

Tolerance is relative (the printed rounding, 5 significant digits); x = 0.9 gets 5 times
it (4 digits printed); entries below 1e-8 in absolute value are skipped; the 11-digit rounding of the
evolve CSV is allowed on top (it matters for differences of large flavours, xLm at small x).  Exit 1 when an
entry is outside the tolerance (the table is still printed on stdout).
"""
import argparse
import csv
import os
import sys

# LHA column -> combination of `partonflow evolve` columns (x f of single flavours).
COMBOS = {
    "xuv": {"u": 1, "ubar": -1},
    "xdv": {"d": 1, "dbar": -1},
    "xLm": {"dbar": 1, "ubar": -1},
    "xLp": {"ubar": 2, "dbar": 2},
    "xsp": {"s": 1, "sbar": 1},
    "xcp": {"c": 1, "cbar": 1},
    "xbp": {"b": 1, "bbar": 1},
    "xg": {"g": 1},
}


# Entries off by more than the printed rounding in every code's comparison: table 4 part 1
# (NLO ZM-VFNS, mu_R = mu_F), x = 0.7, xuv printed 2.0101e-2; its neighbours, the same
# entry at LO and in the FFNS agree to < 4e-5, so it is taken as a rounding slip of the
# table and 1.5 units of its last printed digit are allowed (docs/physics-evolution.md,
# tests/unit/qcd/test_lha.c).
KNOWN_SLIPS = {("paper_table4_part1_NLO_VFNS_muR2_eq_muF2.csv", 0.7, "xuv"): 1.5e-6}


def read_csv(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"lha_compare: error: {path} has no rows")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--evolved", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("--tolerance", type=float, default=5e-5)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--md", required=True)
    a = ap.parse_args()
    ev = read_csv(a.evolved)
    need = {k for c in COMBOS.values() for k in c} | {"x"}
    missing = need - set(ev[0])
    if missing:
        sys.exit(f"lha_compare: error: {a.evolved} lacks columns {sorted(missing)} (is it `partonflow evolve` output?)")
    by_x = {float(r["x"]): r for r in ev}
    out, worst, nfail = [], 0.0, 0
    for ref in read_csv(a.table):
        x = float(ref["x"])
        r = next((by_x[k] for k in by_x if abs(k - x) <= 1e-12 * x), None)
        if r is None:
            sys.exit(f"lha_compare: error: {a.evolved} has no row at x = {x:g}")
        tol = a.tolerance * (5 if x >= 0.9 else 1)
        for col, combo in COMBOS.items():
            want = float(ref[col])
            got = sum(w * float(r[k]) for k, w in combo.items())
            if abs(want) < 1e-8:
                out.append((x, col, want, got, None, "skip"))
                continue
            rel = abs(got - want) / abs(want)
            # the CSV prints 11 significant digits: a combination of large single flavours
            # (xLm = dbar - ubar at small x) carries their rounding, 5e-11 relative each
            rounding = 1e-10 * sum(abs(w * float(r[k])) for k, w in combo.items())
            ok = abs(got - want) <= tol * abs(want) + rounding
            slip = KNOWN_SLIPS.get((os.path.basename(a.table), x, col))
            if not ok and slip is not None and abs(got - want) < slip:
                out.append((x, col, want, got, rel, "ok (table slip)"))
                continue
            worst = max(worst, rel)
            nfail += not ok
            out.append((x, col, want, got, rel, "ok" if ok else "FAIL"))
    with open(a.csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x", "column", "lha", "partonflow", "rel_dev", "status"])
        for x, col, want, got, rel, st in out:
            w.writerow([f"{x:g}", col, f"{want:.6g}", f"{got:.10e}", "" if rel is None else f"{rel:.3e}", st])
    cols = list(COMBOS)
    lines = [f"# Les Houches benchmark: {a.table}", "",
             f"Relative deviation of `partonflow evolve` from the published table (tolerance {a.tolerance:g}, "
             f"x = 0.9: {5 * a.tolerance:g}; '-' skipped, below 1e-8). Worst: {worst:.2e}; "
             f"{nfail} entries outside the tolerance; '(slip)': a known rounding slip of the table, "
             "allowed 1.5 units of its last digit.", "",
             "| x | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for x in dict.fromkeys(o[0] for o in out):
        cells = []
        for col in cols:
            o = next(o for o in out if o[0] == x and o[1] == col)
            cells.append("-" if o[4] is None else f"{o[4]:.1e}" + {"ok": "", "FAIL": " **FAIL**"}.get(o[5], " (slip)"))
        lines.append(f"| {x:g} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    with open(a.md, "w") as f:
        f.write(text)
    print(text)
    sys.exit(1 if nfail else 0)


if __name__ == "__main__":
    main()
