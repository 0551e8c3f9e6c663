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

__all__ = ["LogLikelihood", "CrossSection", "GridFromMoments", "lnl", "xsec", "normalisation"]


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
        nn = len(theory.mellin_nodes())
        cols = nn * 11
        a_re = np.empty((theory.ngrid, cols))
        a_im = np.empty((theory.ngrid, cols))
        for k in range(cols):
            e = np.zeros(cols, dtype=complex)
            e[k] = 1.0
            a_re[:, k] = theory.grid_from_moments(e.reshape(nn, 11))
            e[k] = 1.0j
            a_im[:, k] = theory.grid_from_moments(e.reshape(nn, 11))
        GridFromMoments._cache[key] = (theory, (a_re, a_im))
        return a_re, a_im

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


def lnl(theta, likelihood, method="events"):
    """ln L(theta) as a differentiable 0-d tensor."""
    return LogLikelihood.apply(theta, likelihood, method)


def normalisation(theta, likelihood):
    """N_exp(theta) as a differentiable 0-d tensor."""
    return Normalisation.apply(theta, likelihood)


def xsec(theta, theory, x, q2, exact=False):
    """d2sigma/dx dQ2 at the points, differentiable in theta."""
    return CrossSection.apply(theta, theory, x, q2, exact)
