"""partonflow export lhapdf and evolve --grid: the set follows the lhagrid1 format, an
independent reader (lhapdf_reader.py: LHAPDF's documented log-bicubic interpolation)
reproduces the exact evolution within 1e-4, the replica members give the replicas' mean
and spread, the Hessian members give the linear error propagation of the covariance, the
grid path returns what the reader returns, and bad input is refused with exit 2."""
import io
import math
import os

import h5py
import numpy as np
import pytest
import yaml

import lhapdf_reader as R
from artefact_edit import edited
from conftest import SOURCE_ROOT, run_pf

TINY = SOURCE_ROOT / "configs/cards/tiny.yaml"
PIDS = [-6, -5, -4, -3, -2, -1, 21, 1, 2, 3, 4, 5, 6]
NAMES = ["tbar", "bbar", "cbar", "sbar", "ubar", "dbar", "g", "d", "u", "s", "c", "b", "t"]


def export_card(tmp):
    """The tiny card with a perfect detector and the engine's default Mellin contour (the
    contour the export evolves with), so that fit.h5's /pdf values and the set agree."""
    card = yaml.safe_load(TINY.read_text())
    card["detector"] = "perfect"
    card["theory"].pop("mellin_nodes", None)
    p = tmp / "card.yaml"
    p.write_text(yaml.safe_dump(card, sort_keys=False))
    return p


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    d = tmp_path_factory.mktemp("export")
    card = export_card(d)
    run_pf("theory", "--card", card, "--out", d / "theory.h5")
    run_pf("simulate", "--theory", d / "theory.h5", "--card", card, "--events", 20000, "--seed", 7,
           "--out", d / "events.h5")
    run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", card,
           "--out", d / "like.h5", "--threads", 2)
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit.h5", "--threads", 2)
    (d / "reps").mkdir()
    for k in (1, 2, 3, 4):
        run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--replica", k,
               "--out", d / "reps" / f"replica_{k}.h5", "--threads", 2)
    run_pf("export", "lhapdf", "--fit", d / "fit.h5", "--replicas", d / "reps", "--out", d / "PFrep")
    run_pf("export", "lhapdf", "--fit", d / "fit.h5", "--out", d / "PFhess")
    return d


def fitted_card(d, fit_path, out_name):
    """The fit's own card (/meta card) with the fitted parameters in place of the truth:
    what `partonflow evolve` needs to give the exact evolution of the fitted PDFs."""
    with h5py.File(fit_path, "r") as f:
        text = f["meta"].attrs["card"]
        text = text.decode() if isinstance(text, bytes) else text
        names = f["fit"].attrs["parameters"]
        names = (names.decode() if isinstance(names, bytes) else names).split(",")
        theta = f["fit/theta"][:]
    card = yaml.safe_load(text)
    card["theory"].pop("mellin_nodes", None)
    for n, v in zip(names, theta):
        fl, p = n.split(".")
        entry = card["pdf"]["flavours"][fl]
        if p.startswith("p") and p[1:].isdigit():
            entry["poly"][int(p[1:])] = float(v)
        else:
            entry[p] = float(v)
    path = d / out_name
    path.write_text(yaml.safe_dump(card, sort_keys=False))
    return path


def evolve_csv(card, xs, q2s, *extra):
    r = run_pf("evolve", "--card", card, "--x", ",".join(f"{v:.17g}" for v in xs),
               "--q2", ",".join(f"{v:.17g}" for v in q2s), *extra)
    a = np.loadtxt(io.StringIO(r.stdout), delimiter=",", skiprows=1, ndmin=2)
    return a


def test_set_follows_lhagrid1(chain):
    info, members = R.read_set(chain / "PFrep")
    for key in ("SetDesc", "Format", "DataVersion", "NumMembers", "Particle", "Flavors", "OrderQCD",
                "FlavorScheme", "NumFlavors", "ErrorType", "XMin", "XMax", "QMin", "QMax", "MZ", "MCharm",
                "MBottom", "MTop", "AlphaS_MZ", "AlphaS_OrderQCD", "AlphaS_Type", "AlphaS_Qs", "AlphaS_Vals"):
        assert key in info, key
    assert info["Format"] == "lhagrid1" and info["AlphaS_Type"] == "ipol"
    assert info["ErrorType"] == "replicas" and info["NumMembers"] == 5 == len(members)
    assert info["Flavors"] == PIDS and info["OrderQCD"] == 1
    card = yaml.safe_load(TINY.read_text())
    mu0, mb, mt = card["theory"]["mu0"], card["theory"]["masses"]["bottom"], card["theory"]["masses"]["top"]
    assert math.isclose(info["QMin"], mu0, rel_tol=1e-12) and info["QMax"] >= 1e4
    assert info["XMin"] == 1e-6 and info["XMax"] == 1.0
    header, grids = members[0]
    assert header["PdfType"] == "central" and header["Format"] == "lhagrid1"
    assert all(m[0]["PdfType"] == "replica" for m in members[1:])
    # subgrids split at the heavy-quark thresholds above mu0 (m_c = mu0 here), sharing knots
    edges = [g.q[0] for g in grids] + [grids[-1].q[-1]]
    assert np.allclose(edges, [mu0, mb, mt, info["QMax"]], rtol=1e-12)
    for a, b in zip(grids[:-1], grids[1:]):
        assert a.q[-1] == b.q[0]
    for g in grids:
        assert g.pids == PIDS and g.x[0] == 1e-6 and g.x[-1] == 1.0
        assert np.all(np.diff(g.x) > 0) and np.all(np.diff(g.q) > 0)
        assert np.all(g.v[-1] == 0.0)  # x = 1
    # small x is log-spaced: equal steps in ln x below 1e-4
    small = np.diff(np.log(grids[0].x[grids[0].x < 1e-4]))
    assert np.allclose(small, small[0], rtol=1e-3)
    # the alpha_s knots are the Q knots of all subgrids
    assert len(info["AlphaS_Qs"]) == sum(len(g.q) for g in grids) == len(info["AlphaS_Vals"])


def test_interpolation_matches_exact_evolution(chain, tmp_path):
    """The accuracy goal of issue 16: the reader's interpolation of member 0 against
    `partonflow evolve` (exact path) of the fitted card, 1e-5 <= x <= 0.9, mu0 <= Q <= 1e4,
    values above 1e-8: 1e-4 relative.  Heavy-quark values below 1e-6 (a heavy quark just
    above its threshold, where it starts from zero, and at large x, where it changes sign)
    are held to 1e-4 of 1e-6 (1e-10 absolute) instead: no relative accuracy exists next to
    a zero."""
    info, members = R.read_set(chain / "PFrep")
    card = fitted_card(tmp_path, chain / "fit.h5", "fitted.yaml")
    rng = np.random.default_rng(16)
    mu0 = info["QMin"]
    xs = np.sort(np.concatenate([np.exp(rng.uniform(math.log(1e-5), math.log(0.9), 24)), [1e-5, 0.3, 0.9]]))
    qs = np.sort(np.concatenate([np.exp(rng.uniform(math.log(mu0), math.log(1e4), 16)),
                                 [mu0, mu0 * 1.01, 4.5 * 1.0001, 4.6, 174.0, 176.0, 1e4]]))
    a = evolve_csv(card, xs, qs ** 2)
    exact = a[:, 3:16]
    got = R.xfx_all(members[0][1], a[:, 1], a[:, 0])
    heavy = np.isin(np.arange(13), [0, 1, 2, 10, 11, 12])
    big = np.abs(exact) > 1e-8
    rel = np.where(big, np.abs(got - exact) / np.where(big, np.abs(exact), 1.0), 0.0)
    tiny_heavy = heavy[None, :] & (np.abs(exact) < 1e-6)
    assert np.max(rel[big & ~tiny_heavy]) < 1e-4, np.max(rel[big & ~tiny_heavy])
    assert np.max(np.abs(got - exact)[tiny_heavy]) < 1e-10
    # alpha_s from the AlphaS_Qs / AlphaS_Vals knots (mu_R = mu_F in this card)
    for q in (mu0 * 1.3, 10.0, 91.1876, 1000.0):
        i = int(np.argmin(np.abs(qs - q)))
        ref = a[i * len(xs), 2]
        assert abs(R.alphas_ipol(info, qs[i]) / ref - 1) < 1e-5


def test_grid_path_is_the_lhapdf_interpolation(chain, tmp_path):
    """evolve --grid (the engine's interpolation of the same tables) equals the independent
    reader of the exported member to the printed digits, at points between the knots."""
    info, members = R.read_set(chain / "PFrep")
    card = fitted_card(tmp_path, chain / "fit.h5", "fitted.yaml")
    xs = [2e-6, 1.234e-4, 0.0421, 0.5, 0.95]
    q2s = [2.5, 20.0, 30000.0, 5e9]
    a = evolve_csv(card, xs, q2s, "--grid")
    got = R.xfx_all(members[0][1], a[:, 1], a[:, 0])
    assert np.allclose(a[:, 3:16], got, rtol=2e-9, atol=1e-14)


def test_replica_members_give_the_replica_band(chain):
    """The replica members' mean and standard deviation at fit.h5's /pdf points are those of
    the replica fits' own /pdf/xf_fit (what the report's band is drawn from)."""
    info, members = R.read_set(chain / "PFrep")
    reps = []
    for k in (1, 2, 3, 4):
        with h5py.File(chain / "reps" / f"replica_{k}.h5", "r") as f:
            x, q2, xf = f["pdf/x"][:], f["pdf/q2"][:], f["pdf/xf_fit"][:]
            reps.append(xf)
    reps = np.array(reps)  # [replica, q2, x, flavour]
    X, Q2 = np.meshgrid(x, q2)
    lh = np.array([R.xfx_all(m[1], X.ravel(), Q2.ravel()).reshape(len(q2), len(x), 13) for m in members[1:]])
    light = [3, 4, 5, 6, 7, 8, 9]  # sbar .. s: present at every x
    mean_r, mean_l = reps.mean(0)[..., light], lh.mean(0)[..., light]
    sd_r, sd_l = reps.std(0, ddof=1)[..., light], lh.std(0, ddof=1)[..., light]
    sel = x <= 0.9
    assert np.allclose(mean_l[:, sel], mean_r[:, sel], rtol=1e-4, atol=1e-9)
    # the spread is a difference of nearly equal values: their interpolation errors cancel
    assert np.allclose(sd_l[:, sel], sd_r[:, sel], rtol=1e-2, atol=1e-4 * np.abs(mean_r[:, sel]).max())
    assert np.all(sd_r[:, sel].max(axis=1) > 0)


def test_hessian_members_give_the_covariance_propagation(chain, tmp_path):
    """symmhessian: sqrt(sum_k (f_k - f_0)^2) equals sqrt(g^T C g) with g the exact parameter
    derivatives (evolve --grad) and C the fit's covariance, to the members' nonlinearity:
    the tiny fit's errors are large (2e4 events), so second-order terms reach a few percent
    (a member off by sqrt(lambda) or along a wrong direction is off by far more)."""
    info, members = R.read_set(chain / "PFhess")
    with h5py.File(chain / "fit.h5", "r") as f:
        cov = f["fit/covariance"][:]
        names = f["fit"].attrs["parameters"]
        names = (names.decode() if isinstance(names, bytes) else names).split(",")
    assert info["ErrorType"] == "symmhessian" and info["NumMembers"] == 1 + len(names)
    assert all(m[0]["PdfType"] == "error" for m in members[1:])
    card = fitted_card(tmp_path, chain / "fit.h5", "fitted.yaml")
    xs, q2s = [1e-3, 0.01, 0.1, 0.4], [10.0, 1000.0]
    r = run_pf("evolve", "--card", card, "--x", ",".join(map(str, xs)), "--q2", ",".join(map(str, q2s)), "--grad")
    head = r.stdout.splitlines()[0].split(",")
    a = np.loadtxt(io.StringIO(r.stdout), delimiter=",", skiprows=1, ndmin=2)
    f0 = R.xfx_all(members[0][1], a[:, 1], a[:, 0])
    dev = np.array([R.xfx_all(m[1], a[:, 1], a[:, 0]) - f0 for m in members[1:]])
    sig_members = np.sqrt((dev ** 2).sum(0))
    for k, fl in enumerate(NAMES):
        if fl not in ("g", "u", "d", "ubar"):
            continue
        g = np.array([a[:, head.index(f"d({fl})/d({p})")] for p in names])  # [param, point]
        sig_lin = np.sqrt(np.einsum("ip,ij,jp->p", g, cov, g))
        assert np.allclose(sig_members[:, k], sig_lin, rtol=0.1, atol=1e-9), fl


def test_bad_input_is_refused(chain, tmp_path):
    d = chain
    # a fit that did not converge
    bad = edited(d / "fit.h5", tmp_path / "noconv.h5", lambda f: f["fit"].attrs.__setitem__("converged", 0))
    r = run_pf("export", "lhapdf", "--fit", bad, "--out", tmp_path / "S1", check=False)
    assert r.returncode == 2 and "did not converge" in r.stderr and "noconv.h5" in r.stderr, r.stderr
    # a replicas folder with a gap
    gap = tmp_path / "gap"
    gap.mkdir()
    for k in (1, 3):
        os.symlink(d / "reps" / f"replica_{k}.h5", gap / f"replica_{k}.h5")
    r = run_pf("export", "lhapdf", "--fit", d / "fit.h5", "--replicas", gap, "--out", tmp_path / "S2", check=False)
    assert r.returncode == 2 and "replica_2.h5 is missing" in r.stderr, r.stderr
    # an empty replicas folder
    (tmp_path / "empty").mkdir()
    r = run_pf("export", "lhapdf", "--fit", d / "fit.h5", "--replicas", tmp_path / "empty", "--out",
               tmp_path / "S3", check=False)
    assert r.returncode == 2 and "no replica_K.h5" in r.stderr, r.stderr
    # an existing output folder is left as it is
    (tmp_path / "S4").mkdir()
    (tmp_path / "S4" / "keep").write_text("x")
    r = run_pf("export", "lhapdf", "--fit", d / "fit.h5", "--out", tmp_path / "S4", check=False)
    assert r.returncode == 2 and "already exists" in r.stderr, r.stderr
    assert os.listdir(tmp_path / "S4") == ["keep"]
    # nothing half-written is left behind
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]
    assert not any((tmp_path / f"S{i}").exists() for i in (1, 2, 3))
