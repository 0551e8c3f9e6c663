"""partonflow.torch: the engine's exact gradients in torch's autograd.  gradcheck of both
autograd functions in float64, and an LBFGS fit through the ln L function that reaches
the CLI's best fit."""
import h5py
import numpy as np
import pytest

import partonflow as pf

torch = pytest.importorskip("torch")
import partonflow.torch as pft  # noqa: E402

FREE = ("uv.a", "uv.b", "ubar.A", "g.a")


@pytest.fixture(scope="module")
def lk(chain):
    return pf.Likelihood(str(chain / "like.h5"))


def embed(lk, tf):
    """the free parameters tf (a tensor) inside the truth of the other parameters"""
    idx = torch.tensor([lk.param_names.index(n) for n in FREE])
    base = torch.tensor(lk.truth, dtype=torch.float64)
    return base.index_put((idx,), tf)


def test_gradcheck_log_likelihood(lk):
    n = lk.info["n_events"]
    for method in ("events", "histogram"):
        tf = torch.tensor([lk.truth[lk.param_names.index(k)] for k in FREE], dtype=torch.float64) * 1.02
        tf.requires_grad_(True)
        # ln L / N: values of order 10, so that gradcheck's differences resolve the gradient
        assert torch.autograd.gradcheck(lambda t: pft.lnl(embed(lk, t), lk, method) / n, (tf,))
    t = torch.tensor(lk.truth, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: pft.normalisation(t, lk) / n, (t,))


def test_gradcheck_cross_section(chain):
    th = pf.Theory(str(chain / "theory.h5"))
    x = np.array([0.003, 0.02, 0.2, 0.5])
    q2 = np.array([12.0, 50.0, 200.0, 900.0])
    scale = torch.tensor(1.0 / th.xsec(th.theta, x, q2))
    t = torch.tensor(th.theta, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: pft.xsec(t, th, x, q2) * scale, (t,))
    # and the vector-Jacobian product is the engine's gradient contracted with it
    w = torch.arange(1.0, 5.0, dtype=torch.float64)
    (pft.xsec(t, th, x, q2) * w).sum().backward()
    _, ds = th.xsec(th.theta, x, q2, grad=True)
    np.testing.assert_allclose(t.grad.numpy(), ds @ w.numpy(), rtol=1e-14)


def test_lbfgs_through_autograd_reaches_the_cli_best_fit(chain, lk):
    with h5py.File(chain / "fit.h5") as h:
        best, err, start = h["fit/theta"][()], h["fit/error"][()], h["fit/start"][()]
    tf = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([tf], lr=1, max_iter=200, tolerance_grad=1e-9, tolerance_change=1e-14,
                            history_size=20, line_search_fn="strong_wolfe")
    n = lk.info["n_events"]

    def closure():
        opt.zero_grad()
        loss = -pft.lnl(embed(lk, tf), lk) / n
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    dev = (tf.detach().numpy() - best) / err
    assert np.all(np.abs(dev) < 1e-3), dev


def test_grid_from_moments_is_the_linear_map_of_grid_values(chain):
    th = pf.Theory(str(chain / "theory.h5"))
    # the map's transpose (autograd backward, from the images of unit moments) matches
    # finite differences of the map
    nodes = th.mellin_nodes()
    m = torch.randn(len(nodes), 11, dtype=torch.float64, requires_grad=True)
    mi = torch.randn(len(nodes), 11, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: pft.GridFromMoments.apply(a, b, th), (m, mi), atol=1e-6)
