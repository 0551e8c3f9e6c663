"""Neural-network PDFs through the package: the x-grid map and the Beta-function moments
against the engine's exact moments path, ln L(G) and its gradient against ln L(theta), and
the example fit (examples/nnpdf_fit.py) at a reduced size: it reaches the parametric
fit's likelihood and recovers x u_v."""
import importlib.util

import numpy as np
import pytest

import partonflow as pf
from partonflow.nnpdf import XGridMap, preprocessed_moments

from conftest import SOURCE_ROOT

torch = pytest.importorskip("torch")
import partonflow.torch as pft  # noqa: E402


@pytest.fixture(scope="module")
def theory(chain):
    return pf.Theory(str(chain / "theory.h5"))


def exponents(th):
    t, n = th.theta, th.param_names
    a = {f: t[n.index(f + ".a")] for f in pf.INPUT_FLAVOURS if f + ".a" in n}
    b = {f: t[n.index(f + ".b")] for f in pf.INPUT_FLAVOURS if f + ".b" in n}
    a["sbar"], b["sbar"] = a["s"], b["s"]
    return a, b


def test_beta_moments_equal_the_engine_moments(theory):
    t, n = theory.theta, theory.param_names
    # the card's x u_v = A x^a (1-x)^b (p0 + p1 sqrt x + p2 x): A from the valence sum rule
    c = np.array([t[n.index(f"uv.p{k}")] for k in range(3)])
    a, b = t[n.index("uv.a")], t[n.index("uv.b")]
    N = theory.mellin_nodes()
    M, _, _, _ = preprocessed_moments(c, a, b, np.concatenate([N, [1.0]]))
    M = M[:-1] * 2.0 / M[-1].real
    np.testing.assert_allclose(M, theory.moments(t)[:, 0], rtol=1e-12)
    # the moments path through the operators is grid_values, bit for bit
    np.testing.assert_array_equal(theory.grid_from_moments(theory.moments(t)), theory.grid_values(t))


def test_xgrid_map_is_exact_for_functions_of_its_family(theory):
    a, b = exponents(theory)
    m = XGridMap(theory, alpha=a, beta=b)
    G = theory.grid_values()
    Gm = m.grid_values(m.input_values(theory))
    assert np.abs(Gm - G).max() < 1e-12 * np.abs(G).max()
    w = np.array([2.0 if f in ("ubar", "dbar") else 1.0 for f in pf.INPUT_FLAVOURS])
    xf = m.input_values(theory).reshape(-1)
    assert (w * (m.momentum @ xf)).sum() == pytest.approx(1.0, abs=1e-12)  # momentum sum rule
    assert (m.number @ xf)[0] == pytest.approx(2.0, abs=1e-12)              # two u valence quarks


def test_lnl_of_grid_is_lnl_of_theta(chain, theory):
    lk = pf.Likelihood(str(chain / "like.h5"))
    G, dG = theory.grid_values(lk.truth, grad=True)
    v, g = lk.value_and_grad_G(G)
    assert v == lk.value_and_grad(lk.truth, grad=False)
    np.testing.assert_allclose(dG @ g, lk.value_and_grad(lk.truth)[1], rtol=1e-10, atol=1e-8)
    # the backward pass along three directions in G (the full 1280-dimensional gradcheck
    # takes a minute): G(s) = G0 (1 + D s), D random, relative steps
    n = lk.info["n_events"]
    D = torch.from_numpy(np.random.default_rng(5).uniform(-0.05, 0.05, (len(G), 3)))
    G0 = torch.from_numpy(G)
    s = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda s: pft.lnl_of_grid(G0 * (1 + D @ s), lk) / n, (s,))


def test_gradcheck_preprocessed_moments(theory):
    N = np.concatenate([theory.mellin_nodes()[::6], [1.0, 2.0]])
    c = torch.tensor([1.0, 0.3, -0.2], dtype=torch.float64, requires_grad=True)
    a = torch.tensor(0.6, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(3.1, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda c, a, b: pft.PreprocessedMoments.apply(c, a, b, N), (c, a, b))


def test_network_fit_reaches_the_parametric_fit(tmp_path):
    spec = importlib.util.spec_from_file_location("nnpdf_fit", SOURCE_ROOT / "examples/nnpdf_fit.py")
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    r = ex.main(["--detector", "perfect", "--events", "10000", "--steps", "300", "--workdir", str(tmp_path),
                 "--json"])
    assert r["map_accuracy"]["exponents of the function"]["max_abs_dG_over_max_G"] < 1e-12
    assert r["lnl_nn"] > r["lnl_start"] + 20
    assert r["lnl_nn"] > r["lnl_parametric"] - 3  # as good a description as the 4-parameter fit
    assert r["mse_uv_nn"] < r["mse_uv_start"] / 4
    assert r["mse_uv_nn"] < 4 * r["mse_uv_parametric"]
