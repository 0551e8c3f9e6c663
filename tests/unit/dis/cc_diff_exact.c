/* Test-only: the exact two-loop even-N minus odd-N differences of the non-singlet coefficient
 * functions of F2, FL and F3 in charged-current DIS (MSbar, mu = Q, a_s = alpha_s/(4 pi)),
 *     S. Moch, M. Rogal, A. Vogt, Nucl. Phys. B790 (2008) 317 [arXiv:0708.3731], eqs. for
 *     delta c_{2,L,3}^(2) (first found for F2, F3 by Zijlstra and van Neerven, Phys. Lett.
 *     B272 (1991) 127, B297 (1992) 377),
 * written here in harmonic polylogarithms up to weight 3 with indices -1, 0, 1, which are
 * evaluated from their definitions: H(0) = ln x, H(1) = -ln(1-x), H(-1) = ln(1+x),
 * H(0,0) = ln^2 x / 2, H(0,1) = Li2(x), H(-1,0) = ln x ln(1+x) + Li2(-x), H(0,0,0) = ln^3 x/6,
 * H(0,0,1) = Li3(x), H(0,-1,0) = 2 Li3(-x) - ln x Li2(-x), H(-1,0,0) = [H(0) H(-1,0) -
 * H(0,-1,0)]/2 (shuffle), and by GSL quadrature of the iterated integrals
 * Li3(z) = int_0^z Li2(t)/t dt, H(-1,-1,0) = int_0^x H(-1,0)(t)/(1+t) dt and
 * H(-1,0,1) = int_0^x Li2(t)/(1+t) dt.  Independent of the engine, which uses the
 * parametrised functions of van Neerven and Vogt (engine/src/dis/coef_nnlo.c). */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_dilog.h>

#include "cc_diff_exact.h"

#define Z2 1.6449340668482264365
#define Z3 1.2020569031595942854

static double inner(double (*f)(double, void *), double a, double b)
{
    gsl_function F = {f, NULL};
    double r, err;
    /* nested inside the outer moment integral: its own workspace */
    gsl_integration_workspace *own = gsl_integration_workspace_alloc(200);
    gsl_integration_qags(&F, a, b, 1e-15, 1e-12, 200, own, &r, &err);
    gsl_integration_workspace_free(own);
    return r;
}

static double li2_over_t(double t, void *p) { (void)p; return t == 0.0 ? 1.0 : gsl_sf_dilog(t) / t; }
static double li2m_over_t(double t, void *p) { (void)p; return t == 0.0 ? -1.0 : gsl_sf_dilog(-t) / t; }
static double hm10_over_1pt(double t, void *p)
{
    (void)p;
    return t == 0.0 ? 0.0 : (log(t) * log1p(t) + gsl_sf_dilog(-t)) / (1.0 + t);
}
static double li2_over_1pt(double t, void *p) { (void)p; return gsl_sf_dilog(t) / (1.0 + t); }

typedef struct {
    double m1, z, o, m10, zz, zo, m1m10, m1zz, m1zo, zm1z, zzz, zzo;
} hpl;

static void hpls(double x, hpl *h)
{
    const double l0 = log(x), li2m = gsl_sf_dilog(-x);
    h->m1 = log1p(x);
    h->z = l0;
    h->o = -log1p(-x);
    h->m10 = l0 * log1p(x) + li2m;
    h->zz = 0.5 * l0 * l0;
    h->zo = gsl_sf_dilog(x);
    h->zzz = l0 * l0 * l0 / 6.0;
    const double li3 = inner(li2_over_t, 0.0, x), li3m = inner(li2m_over_t, 0.0, x);
    h->zzo = li3;
    h->zm1z = 2.0 * li3m - l0 * li2m;
    h->m1zz = 0.5 * (h->z * h->m10 - h->zm1z);
    h->m1m10 = inner(hm10_over_1pt, 0.0, x);
    h->m1zo = inner(li2_over_1pt, 0.0, x);
}

double cc_diff_exact(int which, double x)
{
    const double K = 4.0 / 3.0 * (3.0 - 8.0 / 3.0); /* C_F (C_A - 2 C_F) */
    hpl h;
    hpls(x, &h);
    const double dx = 1.0 / x, dp = 1.0 / (1.0 + x), x2 = x * x, x3 = x2 * x;
    if (which == 0)
        return K * (162.0 / 5 - 82.0 / 5 * x - 72.0 / 5 * x2 - 8.0 / 5 * dx + 20 * Z3 - 68 * Z3 * x - 56 * Z3 * dp
                    - 4 * Z2 - 28 * Z2 * x - 48 * Z2 * x2 + 72.0 / 5 * Z2 * x3
                    + h.m1 * Z2 * (-24 + 72 * x + 64 * dp)
                    + h.z * (-14.0 / 5 + 146.0 / 5 * x - 72.0 / 5 * x2 + 8.0 / 5 * dx + 16 * dp)
                    + h.z * Z2 * (8 - 8 * x - 16 * dp) + h.o * (16 - 16 * x)
                    + h.m10 * (-32 - 32 * x - 48 * x2 + 72.0 / 5 * x3 - 8.0 / 5 * dx * dx)
                    + h.zz * (8 + 32 * x + 48 * x2 - 72.0 / 5 * x3) + h.zo * (8 + 8 * x)
                    + h.m1m10 * (-16 + 112 * x + 64 * dp) + h.m1zz * (32 - 80 * x - 80 * dp)
                    + h.m1zo * (16 - 16 * x - 32 * dp) + h.zm1z * (16 - 64 * x - 48 * dp)
                    + h.zzz * (-12 + 12 * x + 24 * dp) + h.zzo * (-8 + 8 * x + 16 * dp));
    if (which == 1)
        return K * (208.0 / 5 - 128.0 / 5 * x - 48.0 / 5 * x2 - 32.0 / 5 * dx - 32 * Z3 * x - 16 * Z2 * x
                    - 32 * Z2 * x2 + 48.0 / 5 * Z2 * x3 + 32 * h.m1 * Z2 * x
                    + h.z * (-16.0 / 5 + 224.0 / 5 * x - 48.0 / 5 * x2 + 32.0 / 5 * dx)
                    + h.m10 * (-32 - 32 * x - 32 * x2 + 48.0 / 5 * x3 + 16 * dx - 32.0 / 5 * dx * dx)
                    + h.zz * (16 * x + 32 * x2 - 48.0 / 5 * x3) + 64 * h.m1m10 * x - 32 * h.m1zz * x
                    - 32 * h.zm1z * x);
    return K * (-30 + 30 * x + 36 * Z3 - 20 * Z3 * x - 56 * Z3 * dp - 12 * Z2 - 4 * Z2 * x - 8 * Z2 * x2
                + h.m1 * Z2 * (-40 + 24 * x + 64 * dp) + h.z * (-14 - 30 * x + 16 * dp)
                + h.z * Z2 * (8 - 8 * x - 16 * dp) + h.o * (16 - 16 * x) + h.m10 * (-8 * x2 - 8 * dx)
                + h.zz * (16 + 8 * x + 8 * x2) + h.zo * (8 + 8 * x) + h.m1m10 * (-48 + 16 * x + 64 * dp)
                + h.m1zz * (48 - 32 * x - 80 * dp) + h.m1zo * (16 - 16 * x - 32 * dp)
                + h.zm1z * (32 - 16 * x - 48 * dp) + h.zzz * (-12 + 12 * x + 24 * dp)
                + h.zzo * (-8 + 8 * x + 16 * dp));
}

typedef struct {
    int which;
    double N;
} mctx;

static double moment_integrand(double t, void *p)
{
    const mctx *c = p;
    /* x^(N-1) dx = x^N dt; below x = 1e-30 the integrand (x^N ln^3 x) is far below the target */
    if (t < -69.0) return 0.0;
    return exp(c->N * t) * cc_diff_exact(c->which, exp(t));
}

double cc_diff_exact_moment(int which, double N)
{
    mctx c = {which, N};
    gsl_function F = {moment_integrand, &c};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    double r, err;
    /* t = ln x in (-inf, 0): x^N decays, the function grows like ln^3 x */
    gsl_integration_qagil(&F, 0.0, 1e-13, 1e-9, 1000, w, &r, &err);
    gsl_integration_workspace_free(w);
    return r;
}
