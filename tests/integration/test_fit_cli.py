"""prepare + fit end to end on the tiny card with a perfect detector: the files describe
themselves, the fit recovers the truth, threads and ranks do not change a bit of the
payloads, and bad input gives a clear message and the documented exit code."""
import math
import re

import h5py
import numpy as np
import pytest

from conftest import SOURCE_ROOT, run_pf

TINY = SOURCE_ROOT / "configs/cards/tiny.yaml"
# enough events for three summation blocks of 65536, so that 2 ranks / threads share work
NEVENTS = 150000


def perfect_card(tmp, name="perfect.yaml", edit=None):
    text = TINY.read_text()
    lines = []
    skip = False
    for line in text.splitlines():
        if line.startswith("detector:"):
            lines.append("detector: perfect")
            skip = True
            continue
        if skip and line.startswith("  "):
            continue
        skip = False
        lines.append(line)
    text = "\n".join(lines) + "\n"
    if edit:
        text = edit(text)
    p = tmp / name
    p.write_text(text)
    return p


def payload_checksum(path):
    with h5py.File(path, "r") as f:
        return int(f["meta"].attrs["checksum"])


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    d = tmp_path_factory.mktemp("fit")
    card = perfect_card(d)
    run_pf("theory", "--card", card, "--out", d / "theory.h5")
    run_pf("simulate", "--theory", d / "theory.h5", "--card", card, "--events", NEVENTS, "--seed", 11,
           "--out", d / "events.h5")
    run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", card,
           "--out", d / "like.h5", "--threads", 2)
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit.h5", "--threads", 2)
    return d, card


def test_likelihood_file_describes_itself(chain):
    d, _ = chain
    with h5py.File(d / "like.h5", "r") as f:
        assert f["meta"].attrs["schema"] in (b"partonflow.likelihood", "partonflow.likelihood")
        n = int(f.attrs["n_events"])
        with h5py.File(d / "events.h5", "r") as e:
            assert n == int(np.count_nonzero(e["events/accepted"][:]))
        # compact stencil rows (the pass expands them: like_data.h), 48 bytes per event
        nx = int(f["events"].attrs["stencil_nx"])
        assert f["events/stencil_local"].shape == (n, 4) and f["events/stencil_xf"].shape == (n,)
        assert f["events/stencil_xpow"].shape == (nx,) and "stencil_w" not in f["events"]
        H = f["hist/H"][:]
        c = f["norm/c"][:]
        # the histogram bins tile the region: sum_b H_b = c
        assert np.allclose(H.sum(axis=0), c, rtol=1e-10, atol=1e-12 * abs(c).max())
        assert f.attrs["detector"] in (b"perfect", "perfect")


def test_fit_converges_and_recovers_the_truth(chain):
    d, _ = chain
    with h5py.File(d / "fit.h5", "r") as f:
        g = f["fit"]
        assert int(g.attrs["converged"]) == 1
        pull = g["pull"][:]
        assert np.all(np.abs(pull) < 4.0), pull
        err = g["error"][:]
        assert np.all(err > 0)
        corr = g["correlation"][:]
        assert np.allclose(np.diag(corr), 1.0)
        cov = g["covariance"][:]
        assert np.allclose(cov, cov.T)
        # the covariance is the inverse of the stored Hessian
        assert np.allclose(cov @ g["hessian"][:], np.eye(len(err)), atol=1e-6)
        assert g["history/neg_lnl"][-1] <= g["history/neg_lnl"][0]
        assert f["pdf/xf_fit"].shape == (2, 60, 13)
        mse = float(g.attrs["mse"])
        # MSE as documented: mean over the x grid and the fitted flavours at mu0
        fl = [s for s in f["pdf"].attrs["flavours_mu0"].split(",")]
        fitted = f["pdf"].attrs["fitted_flavours"].split(",")
        cols = [fl.index(s) for s in fitted]
        dd = f["pdf/xf_fit_mu0"][:][:, cols] - f["pdf/xf_true_mu0"][:][:, cols]
        assert math.isclose(mse, float(np.mean(dd * dd)), rel_tol=1e-12)


def test_histogram_method_and_replica(chain):
    d, card = chain
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit_h.h5", "--method", "histogram")
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit_r1.h5", "--replica", 1)
    with h5py.File(d / "fit.h5", "r") as a, h5py.File(d / "fit_h.h5", "r") as h, \
            h5py.File(d / "fit_r1.h5", "r") as r:
        assert int(h["fit"].attrs["converged"]) == 1
        assert int(r["fit"].attrs["replica"]) == 1
        # binning loses information: histogram errors are not smaller than unbinned ones
        assert np.all(h["fit/error"][:] > 0.95 * a["fit/error"][:])
        # a bootstrap replica moves the best fit by about one standard deviation, not zero
        shift = np.abs(r["fit/theta"][:] - a["fit/theta"][:]) / a["fit/error"][:]
        assert np.all(shift < 5) and np.any(shift > 1e-3)
        # data vs fit per bin: observed = the (bootstrap-weighted) events in each bin of
        # likelihood.h5 /events/bin, expected = L H_b . G(theta_hat) summing to about them
        with h5py.File(d / "like.h5", "r") as lf:
            b = lf["events/bin"][:]
            nb = lf["hist/H"].shape[0]
        for f in (a, h):
            obs, exp = f["hist/observed"][:], f["hist/expected"][:]
            assert obs.shape == exp.shape == (nb,)
            assert np.array_equal(obs, np.bincount(b[b >= 0], minlength=nb).astype(float))
            # (bins outside the kinematic region expect and hold nothing)
            assert np.all(exp >= 0) and np.all(obs[exp == 0] == 0)
            assert abs(exp.sum() - obs.sum()) < 5 * np.sqrt(obs.sum())
        assert r["hist/observed"][:].sum() != a["hist/observed"][:].sum()
    # a replica started at the central best fit (its Hessian as preconditioner) reaches the
    # same minimum as from the card's start, and records where it started
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit_r1s.h5", "--replica", 1,
           "--start-from", d / "fit.h5")
    with h5py.File(d / "fit.h5", "r") as a, h5py.File(d / "fit_r1.h5", "r") as r, \
            h5py.File(d / "fit_r1s.h5", "r") as rs:
        assert np.array_equal(rs["fit/start"][:], a["fit/theta"][:])
        assert "start-from" in rs["fit"].attrs["start_kind"]
        assert np.all(np.abs(rs["fit/theta"][:] - r["fit/theta"][:]) < 0.01 * r["fit/error"][:])
        assert np.allclose(rs["fit/error"][:], r["fit/error"][:], rtol=0.02)


def test_profile_errors_are_the_hessian_errors_where_the_likelihood_is_parabolic(chain, tmp_path):
    d, card = chain
    r = run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", tmp_path / "fp.h5", "--errors",
               "profile")
    assert "profile intervals" in r.stdout and "all ends found" in r.stdout
    with h5py.File(d / "fit.h5", "r") as a, h5py.File(tmp_path / "fp.h5", "r") as p:
        g = p["fit"]
        assert g.attrs["errors"] == "profile" and g.attrs["profile_status"] == "all ends found"
        assert a["fit"].attrs["errors"] == "hessian" and "error_lo" not in a["fit"]
        # same minimum, same Hessian errors
        assert np.array_equal(g["theta"][:], a["fit/theta"][:]) and np.array_equal(g["error"][:], a["fit/error"][:])
        # everything derived from the best fit is computed there, not at a profile point
        for k in ("hist/expected", "pdf/xf_fit", "pdf/xf_fit_mu0"):
            assert np.array_equal(p[k][:], a[k][:]), k
        lo, hi, err = g["error_lo"][:], g["error_hi"][:], g["error"][:]
        # 1.5e5 events: -ln L is close to parabolic within one standard deviation
        assert np.all(np.abs(lo / err - 1) < 0.15) and np.all(np.abs(hi / err - 1) < 0.15), (lo, hi, err)
        # the pull divides by the half of the interval that faces the truth
        th, tr = g["theta"][:], g["truth"][:]
        assert np.allclose(g["pull"][:], (th - tr) / np.where(th > tr, lo, hi), rtol=1e-12)
        assert np.allclose(g["pull_hessian"][:], a["fit/pull"][:], rtol=1e-12)
        assert int(g.attrs["profile_evaluations"]) > 0
        # the printed counts are the fit's own evaluations and the profile fits' apart
        calls = re.search(r"-lnL = \S+, (\d+) likelihood calls", r.stdout)
        prof = re.search(r"profile intervals \((\d+) evaluations in [0-9.]+ s\)", r.stdout)
        assert calls and prof, r.stdout
        assert int(calls.group(1)) == int(g.attrs["evaluations"]) == int(a["fit"].attrs["evaluations"])
        assert int(prof.group(1)) == int(g.attrs["profile_evaluations"])
    r = run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", tmp_path / "x.h5", "--errors",
               "minos", check=False)
    assert r.returncode == 2 and "--errors: expected hessian or profile, got 'minos'" in r.stderr
    assert not (tmp_path / "x.h5").exists()


def test_profile_likelihood_ratio_at_the_truth_matches_a_fit_with_that_parameter_fixed(chain, tmp_path):
    """--errors profile also records z_k = sign(theta_k - truth_k) sqrt(2 (P_k(truth_k) -
    min)), the truth's significance without a parabolic assumption (docs/fitting.md,
    "Uncertainties").  Checked against an independent route: a fit of the other
    parameters with parameter k held at the truth (a card without k in fit.free), whose
    minimum is P_k(truth_k); and the bound z_k^2 <= q_truth = 2 (-ln L(truth) + ln L(best))."""
    d, card = chain
    r = run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", tmp_path / "fp.h5", "--errors",
               "profile")
    with h5py.File(tmp_path / "fp.h5", "r") as f:
        g = f["fit"]
        z, pull, th, tr = g["profile_z_truth"][:], g["pull"][:], g["theta"][:], g["truth"][:]
        q, lnl_best = float(g.attrs["q_truth"]), float(g.attrs["lnl"])
        names = g.attrs["parameters"]
        names = (names.decode() if isinstance(names, bytes) else names).split(",")
    assert np.all(np.isfinite(z)) and np.all(np.sign(z) == np.sign(th - tr)), (z, th, tr)
    assert np.all(z * z <= q * (1 + 1e-9) + 1e-9), (z, q)
    # near-parabolic here: z is the pull to a few per cent of a standard deviation
    assert np.all(np.abs(z - pull) < 0.05 + 0.05 * np.abs(pull)), (z, pull)
    m = re.search(r"at the truth 2 \(-lnL\(truth\) \+ lnL\(best\)\) = ([0-9.e+-]+) over (\d+) parameters", r.stdout)
    assert m and abs(float(m.group(1)) - q) < 1e-3 and int(m.group(2)) == len(names), r.stdout
    k = int(np.argmax(np.abs(z)))
    rest = [n for i, n in enumerate(names) if i != k]
    fixed = perfect_card(tmp_path, "fixed.yaml", lambda t: re.sub(r"free: \[[^]]*\]", "free: [%s]" % ", ".join(rest), t))
    run_pf("fit", "--likelihood", d / "like.h5", "--card", fixed, "--out", tmp_path / "fk.h5")
    with h5py.File(tmp_path / "fk.h5", "r") as f:
        assert int(f["fit"].attrs["converged"]) == 1
        lnl_k = float(f["fit"].attrs["lnl"])
    z_indep = np.sign(th[k] - tr[k]) * math.sqrt(max(2 * (lnl_best - lnl_k), 0.0))
    assert abs(z_indep - z[k]) < 2e-3 * max(1.0, abs(z[k])), (names[k], z_indep, z[k])
    r = run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", tmp_path / "x.h5", "--errors",
               "minos", check=False)
    assert r.returncode == 2 and "--errors: expected hessian or profile, got 'minos'" in r.stderr
    assert not (tmp_path / "x.h5").exists()


def test_one_and_two_threads_and_ranks_give_identical_payloads(chain, tmp_path):
    d, card = chain
    run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", card,
           "--out", tmp_path / "l1.h5", "--threads", 1)
    assert payload_checksum(tmp_path / "l1.h5") == payload_checksum(d / "like.h5")
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", tmp_path / "f1.h5", "--threads", 1)
    assert payload_checksum(tmp_path / "f1.h5") == payload_checksum(d / "fit.h5")
    run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", card,
           "--out", tmp_path / "l2.h5", "--threads", 1, mpi_ranks=2)
    assert payload_checksum(tmp_path / "l2.h5") == payload_checksum(d / "like.h5")
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", tmp_path / "f2.h5", "--threads", 1,
           mpi_ranks=2)
    assert payload_checksum(tmp_path / "f2.h5") == payload_checksum(d / "fit.h5")


def test_whole_rows_of_the_older_layout_give_the_same_fit_bits(chain, tmp_path):
    """likelihood.h5 files of the older layout (/events/stencil_w, the 10 weights per event
    whole) are still read, and their fit is bit for bit the compact file's: the pass's
    expansion of the compact rows is the same arithmetic as prepare's whole rows."""
    import sys
    from artefact_edit import edited
    sys.path.insert(0, str(SOURCE_ROOT / "tools"))
    from python_baseline import whole_rows  # the engine's expansion, operation for operation

    d, card = chain

    def to_whole(f):
        w = whole_rows(f)
        for name in ("events/stencil_local", "events/stencil_xf", "events/stencil_xpow"):
            del f[name]
        f.create_dataset("events/stencil_w", data=w)
    old = edited(d / "like.h5", tmp_path / "old.h5", to_whole)
    run_pf("fit", "--likelihood", old, "--card", card, "--out", tmp_path / "f.h5", "--threads", 2)
    with h5py.File(tmp_path / "f.h5", "r") as a, h5py.File(d / "fit.h5", "r") as b:
        for k in ("theta", "error", "covariance"):
            assert a["fit"][k][()].tobytes() == b["fit"][k][()].tobytes(), k
        assert a["fit"].attrs["lnl"] == b["fit"].attrs["lnl"]


def test_bad_input_gives_clear_messages(chain, tmp_path):
    d, card = chain
    # events from another theory
    other = perfect_card(tmp_path, "other.yaml", lambda t: t.replace("value: 0.35", "value: 0.30"))
    run_pf("theory", "--card", other, "--out", tmp_path / "th2.h5")
    r = run_pf("prepare", "--theory", tmp_path / "th2.h5", "--events", d / "events.h5", "--out",
               tmp_path / "x.h5", check=False)
    assert r.returncode == 2 and "another theory" in r.stderr
    assert not (tmp_path / "x.h5").exists()
    # a free parameter the parametrisation does not have (dv has one polynomial term)
    bad = perfect_card(tmp_path, "bad.yaml", lambda t: t.replace("free: [uv.a, uv.b, ubar.A, g.a]",
                                                                 "free: [uv.a, dv.p2]"))
    r = run_pf("fit", "--likelihood", d / "like.h5", "--card", bad, "--out", tmp_path / "y.h5", check=False)
    assert r.returncode == 2 and "dv.p2" in r.stderr and "fit.free" in r.stderr
    # a fit that does not converge: written, flagged, exit code 3
    r = run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", tmp_path / "nc.h5",
               "--max-iter", 1, check=False)
    assert r.returncode == 3 and "NOT CONVERGED" in r.stderr
    with h5py.File(tmp_path / "nc.h5", "r") as f:
        assert int(f["fit"].attrs["converged"]) == 0
        assert "not converged" in f["fit"].attrs["status"]


def test_no_accepted_events_are_refused(tmp_path):
    # (the smeared detector is prepared since prepare_smear.c; its tests are in tests/unit/fit)
    smear = "detector: {energy_resolution: {stochastic: 0.02, constant: 0.01}, angle_resolution: 0.001"
    for name, det, msg in (("eff0.yaml", smear + ", efficiency: 0.0}", "none of its"),):
        card = perfect_card(tmp_path, name, lambda t: t.replace("detector: perfect", det))
        run_pf("theory", "--card", card, "--out", tmp_path / "t.h5")
        run_pf("simulate", "--theory", tmp_path / "t.h5", "--card", card, "--events", 1000, "--seed", 1,
               "--out", tmp_path / "e.h5")
        r = run_pf("prepare", "--theory", tmp_path / "t.h5", "--events", tmp_path / "e.h5", "--out",
                   tmp_path / "l.h5", check=False)
        assert r.returncode == 2 and msg in r.stderr, r.stderr
        assert not (tmp_path / "l.h5").exists()
