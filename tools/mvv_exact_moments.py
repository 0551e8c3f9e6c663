#!/usr/bin/env python3
"""Exact integer moments of the three-loop non-singlet anomalous dimensions of Moch,
Vermaseren and Vogt (hep-ph/0403192, eqs. 3.4-3.9), evaluated from the paper's own
formula file, for the test tests/unit/qcd/test_nnlo.c (exact_moments_*), which records the
output.

    /usr/bin/python3 tools/mvv_exact_moments.py FORMFILE [--singlet FORMFILE2] [--nmax 20]

FORMFILE is the paper's FORM result file (N-space gamma's as `L gqq2p = ...;` with
harmonic sums S(R(m1,...,mk),N), den(x) = 1/x, theta/delta for N >= 3 / N = 2, z3 =
zeta(3)); a copy is in the public repository svenolafmoch/Conformal-EIC,
NNLO_Splitting_Functions_in_pertubative_QCD/hepres(arxiv).h.  Not in partonflow, and not
read by CI: the numbers it prints are.

Every harmonic sum is an exact rational at integer N (fractions.Fraction); the expression
is linear in zeta(3), so it is evaluated exactly at z3 = 0 and z3 = 1 and combined as
R + A zeta(3) at the end.  SU(3): CA = 3, CF = 4/3.  MVV's gamma(N) = -P(N) (a_s =
alpha_s / (4 pi)); the tool prints P = -gamma.  gqq*p is the + combination, physical at
even N; gqq*m the - combination, physical at odd N: those are the moments printed (the
harmonic sums with negative indices carry (-1)^N, so the formula at the other parity is
not the analytic continuation the evolution uses).
"""
import argparse
import re
import sys
from fractions import Fraction
from functools import lru_cache

ZETA3 = 1.2020569031595942853997381615114499907649862923405


@lru_cache(maxsize=None)
def hsum(idx, n):
    """S_{m1,...,mk}(n) = sum_{j=1}^n sign(m1)^j / j^|m1| S_{m2,...}(j), exact."""
    if n <= 0:
        return Fraction(0)
    if not idx:
        return Fraction(1)
    m, rest = idx[0], idx[1:]
    tot = Fraction(0)
    for j in range(1, n + 1):
        t = Fraction(1, j ** abs(m))
        if m < 0 and j % 2:
            t = -t
        tot += t * hsum(rest, j)
    return tot


def expressions(text):
    """name -> FORM expression text of every `L name = ... ;` block."""
    out = {}
    for m in re.finditer(r"^L\s+(\w+)\s*=(.*?);", text, re.S | re.M):
        out[m.group(1)] = m.group(2)
    return out


def to_python(expr):
    e = expr
    e = re.sub(r"S\(R\(([-0-9,\s]+)\),", lambda m: "S((" + m.group(1).replace(" ", "") + ",),", e)
    e = e.replace("[dabc^2/n]", "dabc2n")
    e = e.replace("^", "**")
    # rational literals: a/b with integers -> Fraction
    e = re.sub(r"(?<![\w.])(\d+)/(\d+)", r"Fraction(\1,\2)", e)
    return "(" + " ".join(e.split()) + ")"


def evaluate(expr, n, nf, z3, dabc2n):
    env = {
        "Fraction": Fraction,
        "S": lambda idx, k: hsum(tuple(idx), int(k)),
        "den": lambda x: Fraction(1, int(x)),
        "theta": lambda x: 1 if x >= 0 else 0,
        "delta": lambda x: 1 if x == 0 else 0,
        "N": n, "nf": nf, "ca": Fraction(3), "cf": Fraction(4, 3), "z3": z3,
        "dabc2n": dabc2n,
    }
    return eval(to_python(expr), env)  # noqa: S307 (the formula file, as a formula)


def moment(expr, n, nf, dabc2n):
    r = Fraction(evaluate(expr, n, nf, Fraction(0), dabc2n))
    a = Fraction(evaluate(expr, n, nf, Fraction(1), dabc2n)) - r
    return -(float(r) + float(a) * ZETA3)  # P = -gamma


def read_expressions(path, names):
    try:
        with open(path) as f:
            ex = expressions(f.read())
    except OSError as e:
        sys.exit(f"{path}: cannot read the FORM file: {e.strerror}")
    for name in names:
        if name not in ex:
            sys.exit(f"{path}: no expression {name}")
    return ex


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("formfile")
    ap.add_argument("--singlet", metavar="FORMFILE2",
                    help="hep-ph/0404111's file: also the singlet gamma^(2)_ps, qg, gq, gg at even N")
    ap.add_argument("--nmax", type=int, default=20)
    a = ap.parse_args()
    ex = read_expressions(a.formfile, ("gqq1p", "gqq1m", "gqq2p", "gqq2m"))
    print("# P^(n)(N) = -gamma^(n)(N), a_s = alpha_s/(4 pi), SU(3); name nf N value")
    # gqq2m carries the d^abc d_abc / n_c term, P^(2)s: with it (SU(3): 40/9) the valence
    # combination P^(2)V = P^(2)- + P^(2)s ("gqq2v"), without it P^(2)- alone
    rows = [("gqq1p", "gqq1p", 0), ("gqq1m", "gqq1m", 0), ("gqq2p", "gqq2p", 0),
            ("gqq2m", "gqq2m", 0), ("gqq2v", "gqq2m", Fraction(40, 9))]
    if a.singlet:
        sx = read_expressions(a.singlet, ("gqqps2", "gqg2", "ggq2", "ggg2"))
        ex.update({k: sx[k] for k in ("gqqps2", "gqg2", "ggq2", "ggg2")})
        rows += [(k, k, 0) for k in ("gqqps2", "gqg2", "ggq2", "ggg2")]
    for label, name, d in rows:
        first = 3 if name in ("gqq1m", "gqq2m") else 2
        for nf in (3, 4, 5, 6):
            for n in range(first, a.nmax + 1, 2):
                print(f"{label} {nf} {n} {moment(ex[name], n, nf, d):.17g}")


if __name__ == "__main__":
    main()
