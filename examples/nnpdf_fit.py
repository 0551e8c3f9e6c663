#!/usr/bin/python3
"""A neural-network PDF fitted to the tiny closure events, with the engine computing the
evolution, the cross sections and the likelihood, and torch training the network on the
engine's exact gradients (docs/python.md, "Neural-network PDFs").

The model, NNPDF-style, at mu0:
    x u_v(x) = A x^alpha (1 - x)^beta exp(NN(sqrt x)),   NN: 1 -> H -> H -> 1 (tanh)
A is fixed by the valence sum rule int u_v = 2, and the gluon's normalisation by the
momentum sum rule.  ubar.A is fitted alongside as a scalar, and the other flavours stay at
the truth.  alpha and beta are the parametric fit's uv.a and uv.b ("preprocessing from a
previous fit").  The chain is differentiable end to end: x-grid values, then G =
B . vec(xf) (partonflow.nnpdf.XGridMap, a constant matrix), then ln L(G)
(partonflow.torch.lnl_of_grid, whose backward is the engine's dlnL/dG).  The network's
values on the x grid are projected on `degree` powers of sqrt(x) and the moments of
x^alpha (1-x)^beta x^(m/2) are Euler Beta functions at every node of the contour
(partonflow.torch.PreprocessedMoments), so the engine sees exactly the projected network.

It plots x u_v against the truth and the parametric fit (`partonflow fit`, 4 free
parameters) and prints the map's accuracy against the exact moments path, the speed, and
the closure metrics.

    /usr/bin/python3 examples/nnpdf_fit.py [--events 10000] [--detector smeared|perfect]
        [--steps 600] [--workdir results/nnpdf] [--plot docs/figures/nnpdf_uv.png] [--json]
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "python"))
import h5py  # noqa: E402
import torch  # noqa: E402

import partonflow as pf  # noqa: E402
import partonflow.torch as pft  # noqa: E402
from partonflow.nnpdf import XGridMap, moments_operator  # noqa: E402

FL = list(pf.INPUT_FLAVOURS)


def run(*cmd):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if r.returncode not in (0, 3):
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")


def card_text(detector):
    text = (ROOT / "configs/cards/tiny.yaml").read_text()
    if detector == "smeared":
        return text
    out, skip = [], False
    for line in text.splitlines():
        if line.startswith("detector:"):
            out.append("detector: perfect")
            skip = True
            continue
        if skip and line.startswith("  "):
            continue
        skip = False
        out.append(line)
    return "\n".join(out) + "\n"


def inputs(args):
    d = Path(args.workdir)
    d.mkdir(parents=True, exist_ok=True)
    card = d / f"card_{args.detector}.yaml"
    card.write_text(card_text(args.detector))
    tag = f"{args.detector}_{args.events}_{args.seed}"
    like, fit = d / f"like_{tag}.h5", d / f"fit_{tag}.h5"
    if not fit.exists():
        pf_exe = ROOT / "build" / "partonflow"
        run(pf_exe, "theory", "--card", card, "--out", d / "theory.h5")
        run(pf_exe, "simulate", "--theory", d / "theory.h5", "--card", card, "--expected-events", args.events,
            "--seed", args.seed, "--out", d / "events.h5", "--quiet")
        run(pf_exe, "prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", card,
            "--out", like)
        run(pf_exe, "fit", "--likelihood", like, "--card", card, "--out", fit, "--device", "cpu")
    return d / "theory.h5", like, fit


class UvNet(torch.nn.Module):
    def __init__(self, hidden):
        super().__init__()
        torch.manual_seed(1)
        self.net = torch.nn.Sequential(torch.nn.Linear(1, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, hidden),
                                       torch.nn.Tanh(), torch.nn.Linear(hidden, 1)).double()
        with torch.no_grad():  # start at the preprocessing alone: exp(0) = 1
            self.net[-1].weight.zero_()
            self.net[-1].bias.zero_()

    def forward(self, s):
        return torch.exp(self.net(s[:, None])[:, 0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=4242)
    ap.add_argument("--detector", choices=("smeared", "perfect"), default="smeared")
    ap.add_argument("--steps", type=int, default=600, help="Adam steps")
    ap.add_argument("--hidden", type=int, default=12)
    ap.add_argument("--degree", type=int, default=8, help="sqrt(x) powers of the projection")
    ap.add_argument("--alpha0", type=float, default=0.5, help="start of the trained small-x exponent")
    ap.add_argument("--beta0", type=float, default=3.0, help="start of the trained large-x exponent")
    ap.add_argument("--train-exponents", action="store_true", help="train alpha and beta with the network")
    ap.add_argument("--lbfgs", action="store_true", help="refine with LBFGS after Adam (the network then drifts "
                    "from the sqrt(x) polynomials it is projected on; Adam alone acts as early stopping)")
    ap.add_argument("--workdir", default="results/nnpdf")
    ap.add_argument("--plot", default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    theory_h5, like_h5, fit_h5 = inputs(args)
    th = pf.Theory(str(theory_h5))
    lk = pf.Likelihood(str(like_h5))
    names, truth = lk.param_names, lk.truth
    with h5py.File(fit_h5) as f:
        pnames = f["fit"].attrs["parameters"].split(",")
        best = dict(zip(pnames, f["fit/theta"][()]))
        xplot = f["pdf/x"][()]
        uv_param = f["pdf/xf_fit_mu0"][:, FL.index("uv")]
        uv_true = f["pdf/xf_true_mu0"][:, FL.index("uv")]
        lnl_param = float(f["fit"].attrs["lnl"])

    # the x-grid map with the truth's exponents (the fixed flavours go through it)
    alpha = {f: truth[names.index(f + ".a")] for f in FL if f + ".a" in names}
    beta = {f: truth[names.index(f + ".b")] for f in FL if f + ".b" in names}
    alpha["sbar"], beta["sbar"] = alpha.get("s", 0.0), beta.get("s", 3.0)
    t0 = time.perf_counter()
    op = moments_operator(th)
    t_op = time.perf_counter() - t0
    t0 = time.perf_counter()
    exact_map = XGridMap(th, alpha=alpha, beta=beta, degree=args.degree, operator=op)
    t_map = time.perf_counter() - t0
    # the same with shifted exponents for uv: what a fixed preprocessing costs
    shifted_a, shifted_b = dict(alpha), dict(beta)
    shifted_a["uv"], shifted_b["uv"] = alpha["uv"] - 0.1, beta["uv"] - 0.2
    xmap = XGridMap(th, alpha=shifted_a, beta=shifted_b, degree=args.degree, operator=op)

    # accuracy of the x-grid map against the exact moments path (theory.grid_values)
    G_exact = th.grid_values(truth)
    xf_truth = exact_map.input_values(th, truth)
    acc = {}
    for label, m in (("exponents of the function", exact_map), ("uv exponents shifted by (-0.1, -0.2)", xmap)):
        Gm = m.grid_values(xf_truth)
        F2, F2m = G_exact[0::2], Gm[0::2]
        acc[label] = {"max_abs_dG_over_max_G": float(np.abs(Gm - G_exact).max() / np.abs(G_exact).max()),
                      "F2_rel_median": float(np.median(np.abs(F2m - F2) / np.abs(F2))),
                      "F2_rel_max": float(np.max(np.abs(F2m - F2) / np.abs(F2))),
                      "lnL_difference": float(lk.value_and_grad_G(Gm)[0] - lk.value_and_grad_G(G_exact)[0])}

    # the model: x u_v = A x^alpha (1-x)^beta sum_m c_m x^(m/2), c = the projection of the
    # network's values on the x grid (degree powers of sqrt x), alpha and beta trained too:
    # its moments are Beta functions at every node (PreprocessedMoments), so the engine sees
    # exactly this function.  The other flavours: the exact map of the truth's x grid values.
    K = len(xmap.x)
    x = torch.from_numpy(xmap.x)
    s = torch.sqrt(x)
    V = xmap.x[:, None] ** (np.arange(args.degree)[None, :] / 2.0)
    proj = torch.from_numpy(np.linalg.pinv(V))
    iu, ig, iub = FL.index("uv"), FL.index("g"), FL.index("ubar")
    nodes = th.mellin_nodes()
    n_all = np.concatenate([nodes, [1.0, 2.0]])  # the contour, then the sum rules' N = 1, 2
    a_re_uv = torch.from_numpy(np.ascontiguousarray(op[0][:, iu::11]))
    a_im_uv = torch.from_numpy(np.ascontiguousarray(op[1][:, iu::11]))
    G_of = {j: torch.from_numpy(exact_map.B[:, j * K:(j + 1) * K] @ xf_truth[j]) for j in range(11)}
    mom_w = np.array([2.0 if f in ("ubar", "dbar") else 1.0 for f in FL])  # u = u_v + ubar, and ubar
    mom = mom_w * (exact_map.momentum @ xf_truth.reshape(-1))
    G_other = sum(G_of[j] for j in range(11) if j not in (iu, ig, iub))
    mom_other = float(sum(mom[j] for j in range(11) if j not in (iu, ig, iub)))
    ubarA0 = truth[names.index("ubar.A")]
    net = UvNet(args.hidden)
    alpha_t = torch.tensor(args.alpha0, dtype=torch.float64, requires_grad=True)
    beta_t = torch.tensor(args.beta0, dtype=torch.float64, requires_grad=True)
    log_ubar = torch.zeros((), dtype=torch.float64, requires_grad=True)  # ubar.A = ubarA0 exp(.)
    params = list(net.parameters()) + [log_ubar] + ([alpha_t, beta_t] if args.train_exponents else [])
    n_events = float(lk.weights.sum())

    def grid_values():
        c = proj @ net(s)
        re, im = pft.PreprocessedMoments.apply(c, alpha_t, beta_t, n_all)
        A = 2.0 / re[-2]                                             # valence sum rule
        us = torch.exp(log_ubar)
        g_scale = (1.0 - A * re[-1] - mom_other - us * mom[iub]) / mom[ig]  # momentum sum rule
        return G_other + us * G_of[iub] + g_scale * G_of[ig] + A * (a_re_uv @ re[:-2] + a_im_uv @ im[:-2]), c, A

    def loss_fn():
        G = grid_values()[0]
        try:
            return -pft.lnl_of_grid(G, lk) / n_events
        except pf.InputError:  # a trial step with a negative density somewhere: refuse it
            return sum(p.sum() * 0.0 for p in params) + 1e3

    with torch.no_grad():
        lnl_start = -float(loss_fn()) * n_events
        c0, A0 = grid_values()[1:]
        uv_start = (A0 * xplot ** args.alpha0 * (1 - xplot) ** args.beta0
                    * (xplot[:, None] ** (np.arange(args.degree)[None, :] / 2.0) @ c0.numpy())).numpy()
    opt = torch.optim.Adam(params, lr=0.01)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
    t_adam = time.perf_counter() - t0
    lbfgs = torch.optim.LBFGS(params, lr=1, max_iter=300, tolerance_grad=1e-10, tolerance_change=1e-14,
                              line_search_fn="strong_wolfe")

    def closure():
        lbfgs.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    if args.lbfgs:
        lbfgs.step(closure)
    with torch.no_grad():
        lnl_nn = -float(loss_fn()) * n_events
        _, c, A = grid_values()
        c, A, al, be = c.numpy(), float(A), float(alpha_t), float(beta_t)
        r = net(s).numpy()
        proj_err = float(np.abs(V @ c - r).max() / np.abs(r).max())
        pre_p = xplot ** al * (1 - xplot) ** be
        uv_nn = A * pre_p * (xplot[:, None] ** (np.arange(args.degree)[None, :] / 2.0) @ c)
        uv_net = A * pre_p * net(torch.from_numpy(np.sqrt(xplot))).numpy()  # the network itself
    lnl_param_G = lk.value_and_grad_G(th.grid_values(np.array([best.get(n, t) for n, t in zip(names, truth)])))[0]
    rec = {
        "events": int(lk.info["n_events"]), "detector": args.detector, "steps": args.steps,
        "map_accuracy": acc, "network_projection_max_rel": proj_err,
        "operator_build_s": t_op, "map_build_s": t_map, "adam_step_ms": 1e3 * t_adam / max(args.steps, 1),
        "lnl_start": lnl_start, "lnl_nn": lnl_nn, "lnl_parametric": lnl_param, "lnl_parametric_recomputed": lnl_param_G,
        "alpha_nn": al, "beta_nn": be, "uv_a_parametric": float(best.get("uv.a", np.nan)),
        "uv_b_parametric": float(best.get("uv.b", np.nan)),
        "mse_uv_nn": float(np.mean((uv_nn - uv_true) ** 2)),
        "mse_uv_network_unprojected": float(np.mean((uv_net - uv_true) ** 2)),
        "mse_uv_parametric": float(np.mean((uv_param - uv_true) ** 2)),
        "mse_uv_start": float(np.mean((uv_start - uv_true) ** 2)),
        "ubar_A_nn": float(ubarA0 * np.exp(float(log_ubar))), "ubar_A_parametric": float(best.get("ubar.A", np.nan)),
        "ubar_A_truth": float(ubarA0),
    }
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, (a1, a2) = plt.subplots(2, 1, figsize=(6.4, 6.4), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
        a1.plot(xplot, uv_true, "k-", label="truth")
        a1.plot(xplot, uv_param, "b--", label="parametric fit (4 parameters)")
        a1.plot(xplot, uv_nn, "r-", label=f"network ({args.hidden}x{args.hidden} tanh) x preprocessing")
        a1.plot(xplot, uv_start, "g:", label="start: preprocessing alone")
        a1.set_ylabel(r"$x u_v(x, \mu_0)$")
        a1.set_xscale("log")
        a1.legend(fontsize=8)
        a1.set_title(f"closure: {rec['events']} events ({args.detector} detector)")
        a2.plot(xplot, uv_param / uv_true, "b--")
        a2.plot(xplot, uv_nn / uv_true, "r-")
        a2.axhline(1.0, color="k", lw=0.5)
        a2.set_ylim(0.8, 1.2)
        a2.set_ylabel("ratio to truth")
        a2.set_xlabel("x")
        fig.tight_layout()
        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=110)
        rec["plot"] = args.plot
    if args.json:
        print(json.dumps(rec))
    else:
        print(json.dumps(rec, indent=1))
    return rec


if __name__ == "__main__":
    main()
