"""partonflow.torch: the engine's exact gradients in torch's autograd (docs/python.md).

torch cannot differentiate through C code; it does not have to.  The engine returns the
value and its exact gradient in one call (ARCHITECTURE.md: grad ln L = dG . (W^T r - L c),
dsigma/dtheta from the same operators with dM/dtheta), forward() keeps the gradient and
backward() multiplies it by the incoming cotangent (the vector-Jacobian product):

    theta = torch.tensor(lk.truth, dtype=torch.float64, requires_grad=True)
    loss = -partonflow.torch.lnl(theta, lk)          # a 0-d tensor
    loss.backward()                                  # theta.grad = -grad ln L, exact

    sigma = partonflow.torch.xsec(theta, th, x, q2)  # d2sigma at the points, shape of x
    (w * torch.log(sigma)).sum().backward()

The engine works in float64 on the CPU side; the results come back in theta's dtype and
device.  Only first derivatives are provided (backward is not itself differentiable).
"""
import numpy as np
import torch

from .nnpdf import moments_operator, preprocessed_moments

__all__ = ["LogLikelihood", "LogLikelihoodG", "CrossSection", "GridFromMoments", "lnl", "lnl_of_grid", "xsec",
           "normalisation"]


def _theta_np(theta):
    return np.ascontiguousarray(theta.detach().to("cpu", torch.float64).numpy())


def _points(a):
    if isinstance(a, torch.Tensor):
        a = a.detach().to("cpu", torch.float64).numpy()
    return np.ascontiguousarray(a, dtype=np.float64)


class LogLikelihood(torch.autograd.Function):
    """ln L(theta) of a partonflow.Likelihood (method 'events' or 'histogram');
    backward: the engine's exact gradient times the cotangent."""

    @staticmethod
    def forward(ctx, theta, likelihood, method="events"):
        v, g = likelihood.value_and_grad(_theta_np(theta), method=method)
        ctx.save_for_backward(torch.from_numpy(g).to(theta.device, theta.dtype))
        return torch.tensor(v, dtype=theta.dtype, device=theta.device)

    @staticmethod
    def backward(ctx, gout):
        (g,) = ctx.saved_tensors
        return gout * g, None, None


class LogLikelihoodG(torch.autograd.Function):
    """ln L as a function of the grid values G themselves (Likelihood.value_and_grad_G):
    for PDFs that are not the card's parametrisation, e.g. a network through
    partonflow.nnpdf.XGridMap (G = B . xf, differentiable in torch)."""

    @staticmethod
    def forward(ctx, G, likelihood, method="events"):
        v, g = likelihood.value_and_grad_G(_theta_np(G), method=method)
        ctx.save_for_backward(torch.from_numpy(g).to(G.device, G.dtype))
        return torch.tensor(v, dtype=G.dtype, device=G.device)

    @staticmethod
    def backward(ctx, gout):
        (g,) = ctx.saved_tensors
        return gout * g, None, None


class Normalisation(torch.autograd.Function):
    """N_exp(theta) = L c . G(theta) of a partonflow.Likelihood, exact gradient."""

    @staticmethod
    def forward(ctx, theta, likelihood):
        v, g = likelihood.normalisation(_theta_np(theta))
        ctx.save_for_backward(torch.from_numpy(g).to(theta.device, theta.dtype))
        return torch.tensor(v, dtype=theta.dtype, device=theta.device)

    @staticmethod
    def backward(ctx, gout):
        (g,) = ctx.saved_tensors
        return gout * g, None


class CrossSection(torch.autograd.Function):
    """d2sigma/dx dQ2 (pb/GeV^2) of a partonflow.Theory at the points (x, q2) for the
    parameters theta; backward: sum_i cotangent_i dsigma_i/dtheta (exact)."""

    @staticmethod
    def forward(ctx, theta, theory, x, q2, exact=False):
        s, ds = theory.xsec(_theta_np(theta), _points(x), _points(q2), grad=True, exact=exact)
        ctx.save_for_backward(torch.from_numpy(ds.reshape(ds.shape[0], -1)).to(theta.device, theta.dtype))
        return torch.from_numpy(s).to(theta.device, theta.dtype)

    @staticmethod
    def backward(ctx, gout):
        (ds,) = ctx.saved_tensors
        return ds @ gout.reshape(-1), None, None, None, None


class GridFromMoments(torch.autograd.Function):
    """G = A(M): the theory's linear map from input moments at the Mellin nodes (complex,
    nnodes x 11, given as real and imaginary parts) to the grid values.  Being linear,
    its transpose is exact: dG/dRe M and dG/dIm M are the images of the unit moments,
    computed once per theory (GridFromMoments.operator)."""

    _cache = {}

    @staticmethod
    def operator(theory):
        """The real matrices (A_re, A_im), each ngrid x (nnodes * 11): G = A_re . Re M + A_im . Im M."""
        key = id(theory)
        hit = GridFromMoments._cache.get(key)
        if hit is not None and hit[0] is theory:
            return hit[1]
        ops = moments_operator(theory)
        GridFromMoments._cache[key] = (theory, ops)
        return ops

    @staticmethod
    def forward(ctx, m_re, m_im, theory):
        a_re, a_im = GridFromMoments.operator(theory)
        ctx.ops = (torch.from_numpy(a_re).to(m_re), torch.from_numpy(a_im).to(m_re))
        m = (_theta_np(m_re) + 1j * _theta_np(m_im)).reshape(-1, 11)
        return torch.from_numpy(theory.grid_from_moments(m)).to(m_re)

    @staticmethod
    def backward(ctx, gout):
        a_re, a_im = ctx.ops
        return (a_re.T @ gout).reshape(-1, 11), (a_im.T @ gout).reshape(-1, 11), None


class PreprocessedMoments(torch.autograd.Function):
    """(Re M, Im M) at the complex N of x f = x^alpha (1-x)^beta sum_m c_m x^(m/2)
    (partonflow.nnpdf.preprocessed_moments): differentiable in c, alpha and beta, the
    moments being Euler Beta functions, exact at every N of the bent contour."""

    @staticmethod
    def forward(ctx, c, alpha, beta, N):
        M, Bm, da, db = preprocessed_moments(_theta_np(c), float(alpha), float(beta), N)
        t = lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(c)  # noqa: E731
        ctx.save_for_backward(t(Bm.real), t(Bm.imag), t(da.real), t(da.imag), t(db.real), t(db.imag))
        return t(M.real), t(M.imag)

    @staticmethod
    def backward(ctx, g_re, g_im):
        b_re, b_im, da_re, da_im, db_re, db_im = ctx.saved_tensors
        gc = b_re.T @ g_re + b_im.T @ g_im
        ga = (da_re * g_re).sum() + (da_im * g_im).sum()
        gb = (db_re * g_re).sum() + (db_im * g_im).sum()
        return gc, ga, gb, None


def lnl(theta, likelihood, method="events"):
    """ln L(theta) as a differentiable 0-d tensor."""
    return LogLikelihood.apply(theta, likelihood, method)


def lnl_of_grid(G, likelihood, method="events"):
    """ln L(G) as a differentiable 0-d tensor."""
    return LogLikelihoodG.apply(G, likelihood, method)


def normalisation(theta, likelihood):
    """N_exp(theta) as a differentiable 0-d tensor."""
    return Normalisation.apply(theta, likelihood)


def xsec(theta, theory, x, q2, exact=False):
    """d2sigma/dx dQ2 at the points, differentiable in theta."""
    return CrossSection.apply(theta, theory, x, q2, exact)
