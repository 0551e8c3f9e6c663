#!/usr/bin/env python3
"""Large-N expansions of nested harmonic sums, for their analytic continuation to complex N
(engine/src/qcd/hsum.c reads the table this prints: engine/src/qcd/hsum_table.h).

    /usr/bin/python3 tools/hsum_asymptotics.py [--check] > engine/src/qcd/hsum_table.h

S_{m1,...,mk}(N) = sum_{j=1}^N sign(m1)^j / j^|m1| S_{m2,...,mk}(j), S_{} = 1.  Every such
sum is, for large integer N,

    S_w(N) = A_w(N) + (-1)^N B_w(N),   A_w, B_w = sum_{i,j} c_ij ln^i(N) / N^j  (asymptotic),

and the continuation of S_w from the integers of parity eta (eta = +1: even N, the one the
gamma^+ combinations need; -1: odd N) is A_w(N) + eta B_w(N) at large |N|, brought down
to any N with the recurrence S_w(n - 1) = S_w(n) - sign(m1)^n n^-|m1| S_{m2..}(n)
(hsum.c).  The expansions follow from those of the inner sum by Euler-Maclaurin summation
(non-alternating part) and by Boole summation, sum_{k>=0} (-1)^k g(M + k) =
[1 / (1 + e^D)] g(M) (alternating part); the one constant of each sum (its regularised
value at infinity) is fixed by the sum's exact value at N = 200, computed here directly at
60 digits.  --check compares the expansions with direct sums at N = 300 and 301 (both
parities) and prints the largest relative difference (expected < 1e-25).

The sums are those of the exact three-loop anomalous dimensions (S. Moch, J. Vermaseren,
A. Vogt, hep-ph/0403192 eqs. 3.4-3.9, non-singlet; A. Vogt, S. Moch, J. Vermaseren,
hep-ph/0404111 eqs. 3.10-3.13, singlet) and all their inner sums.
"""
import argparse
import sys
from fractions import Fraction
from math import factorial

import mpmath as mp

mp.mp.dps = 60
J = 28          # orders N^-j kept (the engine evaluates at |N| >= 32: < 1e-30)
M0 = 200        # the exact sum that fixes each constant

# the sums of gqq2p / gqq2m (hep-ph/0403192) at depth up to 4, weight up to 5
TOP = [
    (-2,), (-3,), (-4,), (-5,), (1,), (2,), (3,), (4,), (5,),
    (-2, -2), (-2, -3), (-2, 1), (-2, 2), (-3, -2), (-3, 1), (-3, 2), (-4, 1), (1, -2), (1, -3),
    (1, -4), (1, 1), (1, 2), (1, 3), (1, 4), (2, -2), (2, -3), (2, 1), (2, 2), (2, 3), (3, -2),
    (3, 1), (3, 2), (4, 1),
    (-2, -2, 1), (-2, 1, -2), (1, -2, -2), (1, -2, 1), (1, -2, 2), (1, -3, 1), (1, 1, -3),
    (1, 1, 3), (1, 2, -2), (1, 2, 2), (1, 3, 1), (2, -2, 1), (2, 1, -2), (2, 1, 2), (2, 2, 1),
    (3, 1, 1), (1, 1, -2, 1),
    # and those the singlet adds (hep-ph/0404111 eqs. 3.10-3.13)
    (-2, 1, 1), (1, 1, -2), (1, 1, 1), (1, 1, 2), (1, 2, 1), (2, 1, 1), (1, 1, 1, 1),
]


def all_sums(top):
    """Every sum and its inner sums, inner ones first (each sum after its suffix)."""
    seen = set()
    for w in top:
        for k in range(len(w)):
            seen.add(w[k:])
    return sorted(seen, key=lambda w: (len(w), w))


def boole_coeffs(n):
    """c_k of 1 / (1 + e^t) = sum_k c_k t^k (exact)."""
    c = [Fraction(1, 2)]
    for m in range(1, n + 1):
        c.append(-Fraction(1, 2) * sum(c[m - k] / factorial(k) for k in range(1, m + 1)))
    return c


BERN = [mp.bernoulli(k) for k in range(J + 3)]
BOOLE = [mp.mpf(x.numerator) / x.denominator for x in boole_coeffs(J + 2)]


def add(s, key, v):
    if key[1] <= J and v != 0:
        s[key] = s.get(key, mp.mpf(0)) + v


def shift(s, a):
    """series times N^-a"""
    out = {}
    for (i, j), v in s.items():
        add(out, (i, j + a), v)
    return out


def deriv(s):
    out = {}
    for (i, j), v in s.items():
        if i:
            add(out, (i - 1, j + 1), i * v)
        add(out, (i, j + 1), -j * v)
    return out


def integral(s):
    """an antiderivative of sum c ln^i x x^-j (all j >= 1), no constant"""
    out = {}
    for (i, j), v in s.items():
        if j == 1:
            add(out, (i + 1, 0), v / (i + 1))
        else:
            sj = j - 1
            for l in range(i + 1):
                add(out, (l, sj), -v * mp.factorial(i) / (mp.factorial(l) * mp.mpf(sj) ** (i - l + 1)))
    return out


def em_sum(g):
    """non-constant part of sum_{k=1}^M g(k): I(M) + g/2 + sum_p B_2p/(2p)! g^(2p-1)"""
    out = integral(g)
    for k, v in g.items():
        add(out, k, v / 2)
    d = deriv(g)
    for p in range(1, J // 2 + 2):
        for k, v in d.items():
            add(out, k, BERN[2 * p] / mp.factorial(2 * p) * v)
        d = deriv(deriv(d))
        if not d:
            break
    return out


def boole_sum(g):
    """B-part of sum_{k=1}^M (-1)^k g(k) = C + (-1)^M [g - (1/(1+e^D)) g](M)"""
    out = {}
    d = dict(g)
    for k, v in d.items():
        add(out, k, v * (1 - BOOLE[0]))
    for n in range(1, J + 2):
        d = deriv(d)
        if not d:
            break
        for k, v in d.items():
            add(out, k, -BOOLE[n] * v)
    return out


def evaluate(s, n):
    ln = mp.log(n)
    return mp.fsum(v * ln ** i / mp.mpf(n) ** j for (i, j), v in s.items())


def direct(sums, nmax):
    """S_w(n) for n = 0..nmax, every w (60 digits)"""
    val = {(): [mp.mpf(1)] * (nmax + 1)}
    for w in sums:
        a, inner = w[0], val[w[1:]]
        col = [mp.mpf(0)]
        for n in range(1, nmax + 1):
            t = inner[n] / mp.mpf(n) ** abs(a)
            col.append(col[-1] + (-t if (a < 0 and n % 2) else t))
        val[w] = col
    return val


def expansions(sums, exact):
    exp = {(): ({(0, 0): mp.mpf(1)}, {})}
    for w in sums:
        a = w[0]
        A, B = exp[w[1:]]
        P, Q = (A, B) if a > 0 else (B, A)   # summand P(k) + (-1)^k Q(k)
        An = em_sum(shift(P, abs(a)))
        Bn = boole_sum(shift(Q, abs(a)))
        c = exact[w][M0] - evaluate(An, M0) - (1 if M0 % 2 == 0 else -1) * evaluate(Bn, M0)
        An[(0, 0)] = An.get((0, 0), mp.mpf(0)) + c
        exp[w] = (An, Bn)
    return exp


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with direct sums at N = 300, 301")
    args = ap.parse_args()
    sums = all_sums(TOP)
    exact = direct(sums, 301 if args.check else M0)
    exp = expansions(sums, exact)
    if args.check:
        worst = 0
        for w in sums:
            A, B = exp[w]
            for n in (300, 301):
                v = evaluate(A, n) + (1 if n % 2 == 0 else -1) * evaluate(B, n)
                worst = max(worst, abs(v / exact[w][n] - 1))
        print(f"{len(sums)} sums, largest relative difference at N = 300, 301: {mp.nstr(worst, 3)}")
        return
    out = sys.stdout
    out.write("/* Generated by tools/hsum_asymptotics.py (do not edit): large-N expansions of the nested\n"
              " * harmonic sums, S_w(N) = A_w(N) + (-1)^N B_w(N), A, B = sum c ln^i(N) N^-j; see hsum.c. */\n")
    out.write(f"#define PF_HSUM_NSUMS {len(sums)}\n#define PF_HSUM_JMAX {J}\n")
    out.write("/* the sums, each after its inner sum: indices (0-padded), depth, the inner sum's row (-1: 1) */\n")
    out.write("static const int pf_hsum_idx[PF_HSUM_NSUMS][6] = {\n")
    for w in sums:
        inner = sums.index(w[1:]) if len(w) > 1 else -1
        out.write("    {" + ", ".join(str(x) for x in (list(w) + [0] * (4 - len(w)) + [len(w), inner])) + "},\n")
    out.write("};\n/* terms: sum, part (0 A, 1 B), i, j, coefficient */\n")
    terms = []
    for k, w in enumerate(sums):
        for part, s in enumerate(exp[w]):
            for (i, j), v in sorted(s.items()):
                if abs(v) > mp.mpf(10) ** -40:
                    terms.append((k, part, i, j, v))
    out.write(f"#define PF_HSUM_NTERMS {len(terms)}\n")
    out.write("static const struct { short w, part, i, j; double c; } pf_hsum_terms[PF_HSUM_NTERMS] = {\n")
    for k, part, i, j, v in terms:
        out.write(f"    {{{k}, {part}, {i}, {j}, {mp.nstr(v, 20, min_fixed=-1, max_fixed=-1)}}},\n")
    out.write("};\n")


if __name__ == "__main__":
    main()
