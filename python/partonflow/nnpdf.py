"""partonflow.nnpdf: the theory as a linear map from input PDF values on an x grid at mu0
to the grid values G, for PDFs with any parametrisation (docs/python.md, "Neural-network
PDFs").

The engine's operators act on input moments M_j(N_n) at the complex Mellin nodes of the
theory (Theory.grid_from_moments). The contour bends to the left, down to Re N ~ -40 with
|Im N| up to ~800. There an x-space quadrature of int x^(N-2) xf(x) dx does not converge:
the moments exist only by analytic continuation. So the x-grid values are first
projected, by linear least squares, onto functions whose moments are known in closed form
for every N:

    x f_j(x) ~ x^alpha_j (1 - x)^beta_j sum_m c_jm x^(m/2),
    M_j(N)   = sum_m c_jm B(N - 1 + alpha_j + m/2, beta_j + 1)        (Euler Beta)

This is the same family as the engine's own parametrisation (physics-pdf.md), but with
the preprocessing exponents fixed and the polynomial free, as the NNPDF family multiplies
its network by x^alpha (1-x)^beta. Projection, moments and the theory's operator are all
linear, so their product is one real matrix B (ngrid x 11 K) with

    G = B . vec(xf),   xf[j, k] = x f_j(x_k)

and its transpose is the backward pass. The sum rules are linear functionals of the same
projection: the number of valence quarks M_j(1) and the momentum fraction M_j(2).
"""
import numpy as np
from scipy.special import loggamma, psi

INPUT_FLAVOURS = ("uv", "dv", "ubar", "dbar", "s", "sbar", "c", "cbar", "b", "bbar", "g")


def beta_fn(z, w):
    """Euler B(z, w) for complex z (analytic continuation through log-gamma)"""
    return np.exp(loggamma(z) + loggamma(w) - loggamma(z + w))


def moments_operator(theory):
    """(A_re, A_im), each ngrid x (nnodes * 11): G = A_re . Re M + A_im . Im M, column
    n * 11 + j. These are the images of the unit moments under Theory.grid_from_moments,
    which is linear. They are built once per theory, in 2 x 11 nnodes calls."""
    nn = len(theory.mellin_nodes())
    cols = nn * 11
    a_re = np.empty((theory.ngrid, cols))
    a_im = np.empty((theory.ngrid, cols))
    e = np.zeros(cols, dtype=complex)
    for k in range(cols):
        e[k] = 1.0
        a_re[:, k] = theory.grid_from_moments(e.reshape(nn, 11))
        e[k] = 1.0j
        a_im[:, k] = theory.grid_from_moments(e.reshape(nn, 11))
        e[k] = 0.0
    return a_re, a_im


def default_xgrid(n_small=40, n_large=30, x_min=1e-5):
    """log-spaced from x_min to 0.1 and linear from 0.1 to 0.98"""
    return np.concatenate([np.geomspace(x_min, 0.1, n_small, endpoint=False), np.linspace(0.1, 0.98, n_large)])


class XGridMap:
    """The linear map from x f_j(x_k) at mu0 (11 input flavours x K grid points) to G.

    theory: a partonflow.Theory; x: the K grid points; alpha, beta: the preprocessing
    exponents per input flavour (sequences of 11, or dicts by flavour name; missing: 0, 3);
    degree: the number of sqrt(x) powers of the polynomial.

    Attributes: B (ngrid x 11 K), number (11 x 11 K: M_j(1) for each flavour), momentum
    (11 x 11 K: M_j(2)), x, alpha, beta.
    """

    def __init__(self, theory, x=None, alpha=None, beta=None, degree=8, operator=None):
        self.x = np.asarray(default_xgrid() if x is None else x, dtype=float)
        self.alpha = self._per_flavour(alpha, 0.0)
        self.beta = self._per_flavour(beta, 3.0)
        self.degree = degree
        nodes = theory.mellin_nodes()
        nn, K = len(nodes), len(self.x)
        a_re, a_im = moments_operator(theory) if operator is None else operator
        self.B = np.zeros((theory.ngrid, 11 * K))
        self.number = np.zeros((11, 11 * K))
        self.momentum = np.zeros((11, 11 * K))
        s = np.sqrt(self.x)
        m = np.arange(degree) / 2.0
        for j in range(11):
            al, be = self.alpha[j], self.beta[j]
            pre = self.x ** al * (1 - self.x) ** be
            # c = P . xf_j: least squares of xf / pre on the sqrt(x) powers
            V = s[:, None] ** np.arange(degree)[None, :]
            P = np.linalg.pinv(V) / pre[None, :]
            W = beta_fn(nodes[:, None] - 1 + al + m[None, :], be + 1) @ P  # nn x K, complex
            cols = slice(j * K, (j + 1) * K)
            self.B[:, cols] = a_re[:, j::11] @ W.real + a_im[:, j::11] @ W.imag
            self.number[j, cols] = beta_fn(al + m + 0j, be + 1).real @ P
            self.momentum[j, cols] = beta_fn(1 + al + m + 0j, be + 1).real @ P

    @staticmethod
    def _per_flavour(v, default):
        if v is None:
            return np.full(11, default)
        if isinstance(v, dict):
            return np.array([v.get(f, default) for f in INPUT_FLAVOURS], dtype=float)
        return np.asarray(v, dtype=float)

    def grid_values(self, xf):
        """G from xf[11, K] (or [K, 11] transposed: give xf.T)"""
        return self.B @ np.asarray(xf).reshape(-1)

    def input_values(self, theory, theta=None):
        """x f of the theory's parametrisation on the grid: [11, K]"""
        return theory.input_xf(self.x, theta).T.copy()


def preprocessed_moments(c, alpha, beta, N):
    """Moments of x f(x) = x^alpha (1 - x)^beta sum_m c_m x^(m/2) at the complex N:
    M(N) = sum_m c_m B(N - 1 + alpha + m/2, beta + 1), and the exact derivatives
    dM/dc (len(N) x len(c)), dM/dalpha, dM/dbeta (digamma: d ln B(z, w)/dz = psi(z) -
    psi(z + w))."""
    N = np.asarray(N, dtype=complex)
    m = np.arange(len(c)) / 2.0
    z = N[:, None] - 1 + alpha + m[None, :]
    w = beta + 1.0
    Bm = beta_fn(z, w)
    M = Bm @ c
    dz = psi(z) - psi(z + w)
    dw = psi(w + 0j) - psi(z + w)
    return M, Bm, (Bm * dz) @ c, (Bm * dw) @ c
