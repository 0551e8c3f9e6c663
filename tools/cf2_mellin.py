#!/usr/bin/env python3
"""The exact two-loop (a_s^2) coefficient functions of F2, FL and xF3 in N space, as C tables
over the continued harmonic sums of engine/src/qcd/hsum.c, Mellin-transformed here from
their x-space forms in harmonic polylogarithms (HPLs).

    /usr/bin/python3 tools/cf2_mellin.py HOPPET_EXACT_COEFS_DIR > engine/src/dis/c2_exact_gen.h
    /usr/bin/python3 tools/cf2_mellin.py --check HOPPET_EXACT_COEFS_DIR

HOPPET_EXACT_COEFS_DIR holds the x-space formulas in HPL form of A. Vogt's x-space code for
the exact coefficient functions (files xc2ns2e.f, xclns2e.f, xc3ns2e.f, xc2sg2e.f,
xclsg2e.f, xcdiff2e.f; in the public HOPPET repository, hoppet-code/hoppet, directory
src/exact-coefs).  They are the results of E.B. Zijlstra and W.L. van Neerven (Phys. Lett.
B272 (1991) 127, B273 (1991) 476, B297 (1992) 377, Nucl. Phys. B383 (1992) 525) and of
J. Sanchez Guillen et al. (Nucl. Phys. B353 (1991) 337), the even-odd differences of
M. Rogal, S. Moch, A. Vogt (arXiv:0708.3731).  Only the formulas are read (the
`name = ...` assignments in H_{a,b,c}(x), 1/x, 1/(1-x), 1/(1+x), zeta2, zeta3, CF, CA, nf);
nothing of the Fortran is used.  Needs sympy, mpmath and GiNaC's ginsh (Debian packages
python3-sympy, python3-mpmath, ginac-tools); not run by CI, its output is committed.

Method (exact, term by term; HPLs H_{a1..ak}(x) = int_0^x f_a1(t) H_{a2..}(t) dt,
f_0 = 1/t, f_1 = 1/(1-t), f_-1 = 1/(1+t); harmonic sums S_{m1..}(N) = sum_{j<=N}
sign(m1)^j j^-|m1| S_{m2..}(j)).  For integer N, by parts:

    M[H_{0,w}](N)  = H_{0,w}(1)/N - M[H_w](N)/N
    M[H_{1,w}](N)  = (1/N) sum_{j=1}^N M[H_w](j)
    M[H_{-1,w}](N) = (1 - (-1)^N) H_{-1,w}(1)/N - ((-1)^N/N) sum_{j=1}^N (-1)^j M[H_w](j)

and for the rational factors x^k H_w -> M[H_w](N + k),
    H_w/(1-x) -> H_{1,w}(1) - sum_{j=1}^{N} M[H_w](j) + M[H_w](N)
    H_w/(1+x) -> M[H_w](N) - (-1)^N [H_{-1,w}(1) + sum_{j=1}^N (-1)^j M[H_w](j)]
with H_{1,w}(1) shuffle-regularised (H_1(1) := 0).  That makes the 1/(1-x) terms of the
soft part, ln^k(1-x)/(1-x), the "+" distributions, and the regular part's individually
divergent 1/(1-x) terms come out right in sum.  Every term is then c (-1)^(pN) N^-a S_b(N)
at N + k; the functions are analytic in N, so they are continued from even N ((-1)^N -> 1,
the sums continued from even N: hsum.c).  The delta(1-x) coefficients are the files' own.
The HPL values at 1 (weight <= 4) come from GiNaC at 40 digits.

--check: the Mellin transform of x^0, x^2, 1/(1+x) and 1/(1-x) (the last as
(H_w(x) - H_w(1))/(1-x), regular) times every HPL the formulas use, at N = 3, 4, 7, against
a double-exponential quadrature of the x-space function with HPLs from GiNaC (expected
agreement < 1e-25).  The assembled functions are tested in the engine's tests against
HOPPET's x-space values (tests/unit/dis/test_coefficients.c).
"""
import argparse
import os
import re
import subprocess
import sys
from functools import lru_cache

import mpmath as mp
import sympy as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hsum_asymptotics as hs  # noqa: E402

mp.mp.dps = 40
X, NF, Z2, Z3, CF, CA = sp.symbols("x nf z2 z3 cf ca")
DX, DM, DP = sp.symbols("dx dm dp")

# (name in the output, file, Fortran variables summed (sign), delta(1-x) variable, divide by nf)
FUNCS = [
    ("c2ns", "xc2ns2e.f", [("c2qq2", 1)], "c2delt", False),
    ("c2ns_odd", ["xc2ns2e.f", "xcdiff2e.f"], [("c2qq2", 1), ("c2qq2d", -1)], "c2delt", False),
    ("clns", "xclns2e.f", [("clqq2", 1)], None, False),
    ("clns_odd", ["xclns2e.f", "xcdiff2e.f"], [("clqq2", 1), ("clqq2d", -1)], None, False),
    ("c3ns", "xc3ns2e.f", [("c3qq2", 1)], "c3delt", False),
    ("c3ns_even", ["xc3ns2e.f", "xcdiff2e.f"], [("c3qq2", 1), ("c3qq2d", 1)], "c3delt", False),
    ("c2ps", "xc2sg2e.f", [("c2qps2", 1)], None, True),
    ("c2g", "xc2sg2e.f", [("c2gg2", 1)], None, True),
    ("clps", "xclsg2e.f", [("clqps2", 1)], None, True),
    ("clg", "xclsg2e.f", [("clgg2", 1)], None, True),
]


# ----------------------------------------------------------------------------- formulas
def fortran_statements(text):
    """Fixed-form statements (continuations joined, blanks dropped), lower-cased."""
    stmts = []
    for line in text.splitlines():
        if not line or line[0] in "*cC!":
            continue
        if len(line) > 5 and line[5] not in " 0" and stmts:
            stmts[-1] += line[6:]
        else:
            stmts.append(line[6:] if len(line) > 6 else "")
    return ["".join(s.lower().split()) for s in stmts]   # blanks are not significant


def hpl_symbol(m):
    idx = [int(v) for v in m.group(2).split(",")]
    return "H_" + "_".join(("m1" if v == -1 else str(v)) for v in idx)


def to_sympy(rhs):
    e = re.sub(r"(\d+\.?\d*)d([+-]?\d+)", r"\1e\2", rhs)
    e = re.sub(r"hr([1-4])\(([-0-9,\s]+)\)", lambda m: hpl_symbol(m), e)
    e = e.replace("cam2cf", "(ca-2*cf)")
    return sp.sympify(e, rational=True, locals={"x": X, "nf": NF, "z2": Z2, "z3": Z3, "cf": CF,
                                                "ca": CA, "dx": DX, "dm": DM, "dp": DP})


def variable(stmts, name):
    """The sum of the right-hand sides of `name = ...` (name on the right counts 0)."""
    total, found = 0, False
    for s in stmts:
        m = re.match(rf"^{name}\s*=(.*)$", s)
        if m:
            rhs = re.sub(rf"\b{name}\b", "0", m.group(1))
            total += to_sympy(rhs)
            found = True
    if not found:
        raise SystemExit(f"cf2_mellin: no assignment to {name}")
    return total


def word_of(sym):
    return tuple(-1 if t == "m1" else int(t) for t in sym.name.split("_")[1:])


def decompose(expr):
    """expr (HPL-linear) -> list of (kind, k, word, coefficient in nf): kind 'x' (x^k),
    'm' (1/(1-x)) or 'p' (1/(1+x))."""
    expr = sp.expand(expr.subs({CF: sp.Rational(4, 3), CA: 3}))
    by_word = {}
    for term in sp.Add.make_args(expr):
        hs_ = [f for f in term.free_symbols if f.name.startswith("H_")]
        if len(hs_) > 1:
            raise SystemExit(f"cf2_mellin: product of HPLs in {term}")
        w = word_of(hs_[0]) if hs_ else ()
        rest = term / hs_[0] if hs_ else term
        if hs_ and sp.degree(term, hs_[0]) != 1:
            raise SystemExit(f"cf2_mellin: power of an HPL in {term}")
        by_word[w] = by_word.get(w, 0) + rest
    out = []
    for w, r in by_word.items():
        r = sp.together(r.subs({DX: 1 / X, DM: 1 / (1 - X), DP: 1 / (1 + X)}))
        for t in sp.Add.make_args(sp.apart(r, X)):
            c, xf = sp.S(1), sp.S(1)
            for f in sp.Mul.make_args(t):
                (xf, c) = (xf * f, c) if f.has(X) else (xf, c * f)
            if xf == 1:
                out.append(("x", 0, w, c))
            elif xf.is_Pow and xf.base == X:
                out.append(("x", int(xf.exp), w, c))
            elif xf == X:
                out.append(("x", 1, w, c))
            elif sp.simplify(xf - 1 / (1 - X)) == 0:
                out.append(("m", 0, w, c))
            elif sp.simplify(xf + 1 / (1 - X)) == 0:
                out.append(("m", 0, w, -c))
            elif sp.simplify(xf - 1 / (1 + X)) == 0:
                out.append(("p", 0, w, c))
            else:
                raise SystemExit(f"cf2_mellin: rational factor {xf} not handled")
    return out


# ----------------------------------------------------------------------------- HPLs at 1
def ginsh(lines):
    script = "Digits=45:\n" + "".join(l + ";\n" for l in lines)
    out = subprocess.run(["ginsh"], input=script, capture_output=True, text=True, check=True)
    vals = [l.strip() for l in out.stdout.splitlines() if l.strip()]
    if len(vals) != len(lines):
        raise SystemExit(f"cf2_mellin: ginsh gave {len(vals)} values for {len(lines)}")
    return [real_part(v) for v in vals]


def real_part(v):
    """a ginsh number, real or a + b*I with |b| < 1e-30 (round-off of GiNaC's branch choice)"""
    v = v.replace("E", "e").replace("*I", "*i")
    m = re.fullmatch(r"([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)(?:([-+][0-9.]+(?:e[-+]?[0-9]+)?)\*i)?", v)
    if not m or (m.group(2) and abs(mp.mpf(m.group(2))) > mp.mpf(10) ** -30):
        raise SystemExit(f"cf2_mellin: ginsh value {v!r} is not real")
    return mp.mpf(m.group(1))


def words(maxw, first=(-1, 0, 1)):
    """every HPL index word of weight 1..maxw whose first index is in first"""
    out = [()]
    for k in range(maxw):
        out += [(a,) + w for w in out if len(w) == k for a in (-1, 0, 1)]
    return [w for w in out if w and w[0] in first]


CONV = {}


def load_constants(maxw=4):
    ws = words(maxw, first=(-1, 0))
    vals = ginsh([f"evalf(H({{{','.join(map(str, w))}}},1))" for w in ws])
    CONV.update(zip(ws, vals))


def shuffle(a, b):
    if not a:
        return [b]
    if not b:
        return [a]
    return [(a[0],) + s for s in shuffle(a[1:], b)] + [(b[0],) + s for s in shuffle(a, b[1:])]


@lru_cache(maxsize=None)
def hval(w):
    """H_w(1), shuffle-regularised (H_1(1) = 0)."""
    if not w:
        return mp.mpf(1)
    if w[0] != 1:
        return CONV[w]
    v = w[1:]
    j = next((i for i, a in enumerate(v) if a != 1), len(v))
    others = [s for s in shuffle((1,), v) if s != w]
    return -sum((hval(s) for s in others), mp.mpf(0)) / (j + 1)


# ----------------------------------------------------------------------------- Mellin
# An expression in N: {(p, a, b): c} meaning sum c (-1)^(p N) N^-a S_b(N), b a tuple of sum
# indices (() = 1).
def add(d, key, c):
    d[key] = d.get(key, 0) + c


def sumop(e, sigma):
    """sum_{j=1}^N sigma^j e(j)"""
    r = {}
    for (p, a, b), c in e.items():
        if a < 1:
            raise SystemExit("cf2_mellin: sum of a term without 1/j")
        s = sigma * (-1) ** p
        add(r, (0, 0, ((a if s > 0 else -a),) + b), c)
    return r


@lru_cache(maxsize=None)
def mel(w):
    if not w:
        return {(0, 1, ()): mp.mpf(1)}
    a0, v = w[0], w[1:]
    inner = mel(v)
    r = {}
    if a0 == 0:
        add(r, (0, 1, ()), hval(w))
        for (p, a, b), c in inner.items():
            add(r, (p, a + 1, b), -c)
    elif a0 == 1:
        for (p, a, b), c in sumop(inner, 1).items():
            add(r, (p, a + 1, b), c)
    else:
        add(r, (0, 1, ()), hval(w))
        add(r, (1, 1, ()), -hval(w))
        for (p, a, b), c in sumop(inner, -1).items():
            add(r, (1 - p, a + 1, b), -c)
    return {k: c for k, c in r.items() if c != 0}


def transform(kind, w):
    """Mellin transform of (kind) x H_w as {(k, p, a, b): c} (argument N + k)."""
    e = mel(w)
    r = {}
    if kind == "m":
        add(r, (0, 0, 0, ()), hval((1,) + w))
        for (p, a, b), c in sumop(e, 1).items():
            add(r, (0, p, a, b), -c)
        for (p, a, b), c in e.items():
            add(r, (0, p, a, b), c)
    elif kind == "p":
        add(r, (0, 1, 0, ()), -hval((-1,) + w))
        for (p, a, b), c in sumop(e, -1).items():
            add(r, (0, 1 - p, a, b), -c)
        for (p, a, b), c in e.items():
            add(r, (0, p, a, b), c)
    else:
        raise ValueError(kind)
    return r


def function(parts, nf_divide):
    """{nf power: {(k, p, a, b): c}} of the sum of the parts' x-space formulas."""
    res = {}
    for expr in parts:
        for kind, k, w, coeff in decompose(expr):
            if kind == "x":
                t = {(k, p, a, b): c for (p, a, b), c in mel(w).items()}
            else:
                t = transform(kind, w)
            poly = sp.Poly(sp.expand(coeff / NF if nf_divide else coeff), NF)
            for (deg,), cn in poly.terms():
                cv = mp.mpf(sp.N(cn.subs({Z2: sp.zeta(2), Z3: sp.zeta(3)}), 45))
                d = res.setdefault(deg, {})
                for key, c in t.items():
                    add(d, key, cv * c)
    return {deg: {k: c for k, c in d.items() if abs(c) > mp.mpf(10) ** -35}
            for deg, d in res.items()}


# ----------------------------------------------------------------------------- evaluation
def sums_at(n, needed):
    """exact S_b(n) (mpf) for every b in needed (and their suffixes)"""
    val = {(): [mp.mpf(1)] * (n + 1)}
    for b in sorted({b[i:] for b in needed for i in range(len(b))}, key=len):
        if not b:
            continue
        inner, m = val[b[1:]], b[0]
        acc, row = mp.mpf(0), [mp.mpf(0)]
        for j in range(1, n + 1):
            acc += (mp.mpf(1 if m > 0 else (-1) ** j)) / mp.mpf(j) ** abs(m) * inner[j]
            row.append(acc)
        val[b] = row
    return val


def evaluate(d, n):
    needed = {b for (_, _, _, b) in d}
    kmax = max(k for (k, _, _, _) in d)
    S = sums_at(n + kmax, needed)
    tot = mp.mpf(0)
    for (k, p, a, b), c in d.items():
        m = n + k
        tot += c * (-1) ** (p * m) * mp.mpf(m) ** (-a) * S[b][m]
    return tot


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    load_constants()
    texts = {}

    def stmts(f):
        if f not in texts:
            with open(os.path.join(args.dir, f)) as fh:
                texts[f] = fortran_statements(fh.read())
        return texts[f]

    results = []
    for name, files, parts, delta, nfdiv in FUNCS:
        files = files if isinstance(files, list) else [files]
        exprs = []
        for var, sgn in parts:
            src = next(f for f in files if any(re.match(rf"^{var}\s*=", s) for s in stmts(f)))
            exprs.append(sgn * variable(stmts(src), var))
        d = function(exprs, nfdiv)
        if delta:
            dv = sp.Poly(sp.expand(variable(stmts(files[0]), delta).subs({CF: sp.Rational(4, 3),
                                                                          CA: 3})), NF)
            for (deg,), cn in dv.terms():
                add(d.setdefault(deg, {}), (0, 0, 0, ()),
                    mp.mpf(sp.N(cn.subs({Z2: sp.zeta(2), Z3: sp.zeta(3)}), 45)))
        results.append((name, d, exprs))
    if args.check:
        check(results)
        return
    write(results)


def write(results):
    allsums = sorted({b for _, d, _ in results for dd in d.values() for (_, _, _, b) in dd if b},
                     key=lambda w: (len(w), w))
    closure = hs.all_sums(hs.TOP)
    missing = [b for b in allsums if b not in closure]
    if missing:
        raise SystemExit(f"cf2_mellin: sums not in hsum_asymptotics.TOP: {missing}")
    base = {name: d for name, d, _ in results}
    for name, d, _ in results:       # the other parity's nf^1 part is the same function
        if name.endswith(("_odd", "_even")) and 1 in d:
            b = base[name.rsplit("_", 1)[0]][1]
            if any(abs(d[1].get(key, 0) - b.get(key, 0)) > mp.mpf(10) ** -30 for key in set(d[1]) | set(b)):
                raise SystemExit(f"cf2_mellin: {name}: nf part differs from the other parity's")
            del d[1]
    out = sys.stdout
    out.write("/* Generated by tools/cf2_mellin.py (do not edit): the exact two-loop coefficient\n"
              " * functions in N space, sum of c (-1)^(p k) (N + k)^-a S_b(N + k) (continued from\n"
              " * even N); b is a row of the hsum table (-1: 1).  See c2_exact.c. */\n")
    out.write("typedef struct { signed char k, p, a; short row; double c; } pf_c2x_term;\n")
    for name, d, _ in results:
        for deg in sorted(d):
            terms = sorted(d[deg].items(), key=lambda kv: (kv[0][0], kv[0][3], kv[0][2], kv[0][1]))
            out.write(f"static const pf_c2x_term {name}_{deg}[] = {{\n")
            for (k, p, a, b), c in terms:
                row = closure.index(b) if b else -1
                out.write(f"    {{{k}, {p}, {a}, {row}, {mp.nstr(c, 20, min_fixed=-1, max_fixed=-1)}}},"
                          f" /* S{list(b) if b else ''} */\n")
            out.write("};\n")


def de_nodes(h=mp.mpf(1) / 32, T=4):
    """tanh-sinh nodes and weights on (0, 1)"""
    nodes = []
    k = -int(T / h)
    while k * h <= T:
        t = k * h
        u = mp.pi / 2 * mp.sinh(t)
        x = (1 + mp.tanh(u)) / 2
        wgt = h * mp.pi / 2 * mp.cosh(t) / mp.cosh(u) ** 2 / 2
        if 0 < x < 1:
            nodes.append((x, wgt))
        k += 1
    return nodes


def check(results):
    nodes = de_nodes()
    ws = sorted({w for _, _, exprs in results for e in exprs for (_, _, w, _) in decompose(e)},
                key=lambda w: (len(w), w))
    ws = [w for w in ws if w]
    lines = []
    for x, _ in nodes:
        xs = mp.nstr(x, 45)
        lines += [f"evalf(H({{{','.join(map(str, w))}}},{xs}))" for w in ws]
    vals = ginsh(lines)
    H = {}
    for i, (x, _) in enumerate(nodes):
        for j, w in enumerate(ws):
            H[(i, w)] = vals[i * len(ws) + j]
    worst = 0
    for w in [()] + ws:
        for kind, k in (("x", 0), ("x", 2), ("m", 0), ("p", 0)):
            if kind == "m" and (not w or w[0] == 1):
                continue      # divergent at x = 1 on its own
            t = transform(kind, w) if kind != "x" else {(k, p, a, b): c for (p, a, b), c in
                                                      mel(w).items()}
            h1 = hval(w) if kind == "m" else 0       # 1/(1-x) (H_w(x) - H_w(1)), regular
            if h1:
                for key, c in transform("m", ()).items():
                    add(t, key, -h1 * c)
            for n in (3, 4, 7):
                q = mp.mpf(0)
                for i, (x, wg) in enumerate(nodes):
                    f = (H[(i, w)] if w else mp.mpf(1)) - h1
                    g = x ** k if kind == "x" else (1 / (1 - x) if kind == "m" else 1 / (1 + x))
                    q += wg * x ** (n - 1) * g * f
                v = evaluate(t, n)
                worst = max(worst, abs(v - q) / max(abs(q), mp.mpf(10) ** -30))
    print(f"Mellin transforms of {len(ws) + 1} HPLs x 4 factors at N = 3, 4, 7: "
          f"largest relative difference {mp.nstr(worst, 3)}")


if __name__ == "__main__":
    main()
