"""The Python package partonflow against independent references: the CLI's artefacts
(bitwise), the exact inverse-Mellin path, central finite differences, the documented
exceptions, threads and the GIL."""
import shutil
import threading
import time

import h5py
import numpy as np
import pytest

import partonflow as pf

X = np.array([2e-3, 0.01, 0.05, 0.1, 0.3, 0.6])
Q2 = np.array([10.0, 30.0, 100.0, 15.0, 400.0, 1000.0])


@pytest.fixture(scope="module")
def theory(chain):
    return pf.Theory(str(chain / "theory.h5"))


@pytest.fixture(scope="module")
def lk(chain):
    return pf.Likelihood(str(chain / "like.h5"))


def fd_gradient(f, theta, rel=1e-5):
    """central differences of f (scalar or array) in every parameter"""
    cols = []
    for p in range(len(theta)):
        h = rel * max(abs(theta[p]), 1.0)
        tp, tm = theta.copy(), theta.copy()
        tp[p] += h
        tm[p] -= h
        cols.append((np.asarray(f(tp)) - np.asarray(f(tm))) / (2 * h))
    return np.array(cols)


def test_theory_from_card_and_from_theory_h5_agree(chain, theory):
    card = pf.Theory(str(chain / "card.yaml"))
    assert card.param_names == theory.param_names
    np.testing.assert_array_equal(card.evolve(X, Q2), theory.evolve(X, Q2))
    # the card builds its operators on first use: the same grid values as theory.h5's
    np.testing.assert_allclose(card.grid_values(), theory.grid_values(), rtol=1e-12, atol=0)


def test_evolve_gradient_matches_finite_differences(theory):
    t0 = theory.theta
    xf, dxf = theory.evolve(X, Q2, theta=t0, grad=True)
    assert xf.shape == (len(X), 13) and dxf.shape == (len(t0), len(X), 13)
    num = fd_gradient(lambda t: theory.evolve(X, Q2, theta=t), t0)
    np.testing.assert_allclose(dxf, num, rtol=1e-5, atol=1e-7)
    # the momentum sum rule at Q^2 = 100 is not the test here; the gluon is positive
    assert np.all(xf[:, 6] > 0)


def test_xsec_grid_path_matches_exact_path_and_fd(theory):
    t0 = theory.theta
    s, ds = theory.xsec(t0, X, Q2, grad=True)
    se, dse = theory.xsec(t0, X, Q2, grad=True, exact=True)
    np.testing.assert_allclose(s, se, rtol=1e-4)  # PHYSICS.md: fast path vs exact, 1e-4
    np.testing.assert_allclose(ds, dse, rtol=1e-3, atol=1e-4 * np.abs(se).max())
    num = fd_gradient(lambda t: theory.xsec(t, X, Q2), t0)
    np.testing.assert_allclose(ds, num, rtol=1e-5, atol=1e-9 * np.abs(s).max())
    # batched over any shape, without copying a float64 C-contiguous input
    s2 = theory.xsec(t0, X.reshape(2, 3), Q2.reshape(2, 3))
    np.testing.assert_array_equal(s2.ravel(), theory.xsec(t0, X, Q2))
    np.testing.assert_allclose(s2.ravel(), s, rtol=1e-14)  # with the gradient: other blocking
    F2, FL = theory.sf(X, Q2)
    F2e, FLe = theory.sf(X, Q2, exact=True)
    np.testing.assert_allclose(F2, F2e, rtol=1e-4)
    # xsec from the grid values equals xsec
    G, dG = theory.grid_values(t0, grad=True)
    s3, ds3 = theory.xsec_from_grid(G, X, Q2, dG=dG)
    np.testing.assert_array_equal(s3, s)
    np.testing.assert_array_equal(ds3, ds)


def test_value_and_grad_matches_finite_differences_and_fit_h5(chain, lk):
    t0 = lk.truth
    v, g = lk.value_and_grad(t0)
    assert np.isfinite(v) and g.shape == t0.shape
    free = [lk.param_names.index(n) for n in ("uv.a", "uv.b", "ubar.A", "g.a")]

    def f(tf):
        t = t0.copy()
        t[free] = tf
        return lk.value_and_grad(t, grad=False)

    num = fd_gradient(f, t0[free], rel=1e-6)
    np.testing.assert_allclose(g[free], num, rtol=1e-4, atol=1e-3)
    # at the CLI's best fit, ln L is fit.h5's lnl, bit for bit
    with h5py.File(chain / "fit.h5") as h:
        best = h["fit/theta"][()]
        lnl = h["fit"].attrs["lnl"]
        nexp_truth = h["fit"].attrs["n_expected_truth"]
    t = t0.copy()
    t[free] = best
    assert lk.value_and_grad(t, grad=False) == lnl
    # normalisation: N_exp at the truth is fit.h5's, and its gradient matches differences
    n, dn = lk.normalisation(t0)
    assert lk.normalisation(t0, grad=False) == nexp_truth
    assert n == pytest.approx(nexp_truth, rel=1e-14)  # G computed with dG: other blocking

    def fn(tf):
        t = t0.copy()
        t[free] = tf
        return lk.normalisation(t, grad=False)

    num = fd_gradient(fn, t0[free])
    np.testing.assert_allclose(dn[free], num, rtol=1e-5)


def test_histogram_likelihood_and_weights(chain, lk):
    t0 = lk.truth
    vh, gh = lk.value_and_grad(t0, method="histogram")
    assert np.isfinite(vh) and np.any(gh != 0)
    assert lk.counts.sum() == pytest.approx(150000)
    v1 = lk.value_and_grad(t0, grad=False)
    lk.bootstrap(1)
    w = lk.weights
    assert np.all(w == np.round(w)) and abs(w.mean() - 1) < 0.01
    vb = lk.value_and_grad(t0, grad=False)
    lk.set_weights(w)
    assert lk.value_and_grad(t0, grad=False) == vb
    lk.set_weights(None)
    assert lk.value_and_grad(t0, grad=False) == v1


@pytest.mark.parametrize("method,fitfile,replica", [("events", "fit.h5", 0), ("histogram", "fit_hist.h5", 0),
                                                     ("events", "fit_r1.h5", 1)])
def test_fit_equals_the_cli_bitwise(chain, lk, method, fitfile, replica, tmp_path):
    r = lk.fit(str(chain / "card.yaml"), method=method, replica=replica, out=str(tmp_path / "fit.h5"))
    with h5py.File(chain / fitfile) as h:
        for k in ("theta", "error", "covariance", "pull"):
            np.testing.assert_array_equal(r[k], h["fit"][k][()], err_msg=k)
        assert r["lnl"] == h["fit"].attrs["lnl"]
        assert r["converged"]
        cli = {k: h[k][()] for k in ("fit/theta", "fit/hessian", "fit/history/theta", "pdf/xf_fit")}
    with h5py.File(tmp_path / "fit.h5") as h:
        for k, v in cli.items():
            np.testing.assert_array_equal(h[k][()], v, err_msg=k)
    # the fit does not leave the replica's weights behind
    assert np.all(lk.weights == 1.0)


def test_one_and_two_threads_give_identical_results(chain, lk, theory):
    t0 = lk.truth * 1.01
    out = []
    for n in (1, 2):
        pf.set_threads(n)
        assert pf.get_threads() == n
        out.append((lk.value_and_grad(t0), theory.xsec(t0, X, Q2, grad=True),
                    lk.fit(str(chain / "card.yaml"))["theta"]))
    pf.set_threads(0)
    (v1, g1), (s1, d1), f1 = out[0]
    (v2, g2), (s2, d2), f2 = out[1]
    assert v1 == v2
    np.testing.assert_array_equal(g1, g2)
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(d1, d2)
    np.testing.assert_array_equal(f1, f2)


def test_engine_calls_release_the_gil(lk):
    t0 = lk.truth
    t = time.perf_counter()
    for _ in range(3):
        lk.value_and_grad(t0)
    call = (time.perf_counter() - t) / 3
    done = threading.Event()
    gaps = []

    def work():
        for _ in range(3):
            lk.value_and_grad(t0)
        done.set()

    th = threading.Thread(target=work)
    last = time.perf_counter()
    th.start()
    while not done.is_set():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        time.sleep(0.001)
    th.join()
    # the main thread ran all along: no pause as long as an engine call
    assert len(gaps) > 3 and max(gaps) < max(0.5 * call, 0.02), (call, max(gaps))


def bad_card(chain, tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text((chain / "card.yaml").read_text().replace("free: [uv.a,", "free: [uv.zz,"))
    return p


def test_bad_input_raises_the_documented_exceptions(chain, lk, theory, tmp_path):
    t0 = lk.truth
    with pytest.raises(pf.InputError, match="25 parameters"):
        lk.value_and_grad(t0[:3])
    with pytest.raises(pf.InputError, match="element 1 is nan"):
        lk.value_and_grad(np.where(np.arange(len(t0)) == 1, np.nan, t0))
    with pytest.raises(TypeError, match="real numbers"):
        theory.xsec(t0, ["a", "b"], Q2[:2])
    with pytest.raises(pf.InputError, match="same shape"):
        theory.xsec(t0, X, Q2[:2])
    with pytest.raises(pf.InputError, match="method"):
        lk.value_and_grad(t0, method="binned")
    with pytest.raises(ValueError):  # InputError is a ValueError
        theory.xsec(t0, [1e-9], [10.0])  # outside the grid: the engine's PF_EDOMAIN
    bad = t0.copy()
    bad[lk.param_names.index("uv.a")] = -5.0
    with pytest.raises(pf.InputError):
        lk.value_and_grad(bad)
    with pytest.raises(pf.FileError, match="nothere.h5"):
        pf.Likelihood(str(tmp_path / "nothere.h5"))
    damaged = tmp_path / "damaged.h5"
    shutil.copy(chain / "like.h5", damaged)
    with open(damaged, "r+b") as f:
        f.truncate(damaged.stat().st_size // 2)
    with pytest.raises(pf.FileError) as e:
        pf.Likelihood(str(damaged))
    assert "damaged.h5" in str(e.value) and isinstance(e.value, OSError)
    with pytest.raises(pf.FileError, match="like.h5"):
        pf.Theory(str(chain / "like.h5"))  # an HDF5 file of another schema
    with pytest.raises(pf.FileError, match="nocard.yaml"):
        lk.fit(str(chain / "nocard.yaml"))
    with pytest.raises(pf.InputError, match="fit.free"):
        lk.fit(str(bad_card(chain, tmp_path)))  # the engine's message names the key


def test_prepare_from_python_writes_the_clis_likelihood(chain, tmp_path):
    """partonflow.prepare is the library's prepare use case, as the CLI runs it: the same
    inputs give the same likelihood.h5 payload (equal /meta checksums: the command line is
    outside the checksum); bad input raises the documented exceptions and writes nothing."""
    out = tmp_path / "like.h5"
    r = pf.prepare(chain / "theory.h5", chain / "events.h5", out, card=chain / "card.yaml")
    assert r["rows"] == "stencil" and r["n_events"] > 0
    with h5py.File(out, "r") as a, h5py.File(chain / "like.h5", "r") as b:
        assert int(a["meta"].attrs["checksum"]) == int(b["meta"].attrs["checksum"])
        assert int(a.attrs["n_events"]) == r["n_events"]
    with pytest.raises(pf.InputError, match="rows: expected"):
        pf.prepare(chain / "theory.h5", chain / "events.h5", tmp_path / "x.h5", rows="fast")
    with pytest.raises(pf.FileError):
        pf.prepare(chain / "theory.h5", chain / "card.yaml", tmp_path / "y.h5")
    with pytest.raises(pf.InputError, match="one of the inputs"):
        pf.prepare(chain / "theory.h5", chain / "events.h5", chain / "events.h5")
    assert not (tmp_path / "x.h5").exists() and not (tmp_path / "y.h5").exists()


def test_fit_from_python_never_overwrites_its_inputs(chain, tmp_path):
    like = tmp_path / "like.h5"
    like.write_bytes((chain / "like.h5").read_bytes())
    before = like.read_bytes()
    lk = pf.Likelihood(like)
    with pytest.raises(pf.InputError, match="one of the inputs"):
        lk.fit(chain / "card.yaml", out=like)
    assert like.read_bytes() == before
