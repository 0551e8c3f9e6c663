/* Test-only x-space F2, FL (see xspace.h).  Coefficient functions in a_s = alpha_s/(4pi),
 * per-flavour convention of dis.h: twice Ellis-Stirling-Webber ch. 4
 * (Furmanski-Petronzio 1982).  With h(z) = X(x/z), F = int_x^1 dz c(z) h(z) (the x of
 * F = x (c (x) f) cancels against X = y f(y)), and for a plus-distribution
 *   int_x^1 [g]_+ h = int_x^1 g(z) (h(z) - h(1)) dz - h(1) int_0^x g(z) dz. */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "xspace.h"

#define CF (4.0 / 3.0)
#define TR 0.5
#define ZETA2 (M_PI * M_PI / 6.0)

typedef struct {
    double x;
    double hq1;   /* h_q(1) = X_q(x), for the plus-distribution subtraction */
    int which;    /* 0: F2, 1: FL */
    xs_pdf_fn pdf;
    void *ctx;
    int failed;
} xs_ctx;

/* Integrand in t = ln z (dz = z dt), so that small x is sampled evenly in log. */
static double integrand(double t, void *p)
{
    xs_ctx *c = p;
    const double z = exp(t);
    const double u = -expm1(t); /* 1 - z without cancellation */
    const double lu = log(u);
    double X[2];
    if (c->pdf(c->x / z, c->ctx, X)) {
        c->failed = 1;
        return 0.0;
    }
    double v;
    if (c->which == 0) {
        /* quark: plus parts with the subtraction, then the regular part */
        double q = (4.0 * lu - 3.0) / u * (X[0] - c->hq1) +
                   (-2.0 * (1.0 + z) * lu - 2.0 * (1.0 + z * z) * t / u + 6.0 + 4.0 * z) * X[0];
        double g = 4.0 * TR * ((z * z + u * u) * (lu - t) - 1.0 + 8.0 * z * u) * X[1];
        v = CF * q + g;
    } else {
        v = 4.0 * CF * z * X[0] + 16.0 * TR * z * u * X[1];
    }
    return v * z;
}

int xs_structure_functions(int order, double a_s, double x, xs_pdf_fn pdf, void *ctx,
                           double epsrel, double *F2, double *FL)
{
    double X[2];
    if (pdf(x, ctx, X)) return -1;
    *F2 = X[0];
    *FL = 0.0;
    if (order == 0) return 0;

    gsl_integration_workspace *w = gsl_integration_workspace_alloc(4000);
    double I[2];
    int rc = 0;
    for (int which = 0; which < 2 && !rc; which++) {
        xs_ctx c = {x, X[0], which, pdf, ctx, 0};
        gsl_function f = {integrand, &c};
        double err;
        int grc = gsl_integration_qags(&f, log(x), 0.0, 0.0, epsrel, 4000, w, &I[which], &err);
        if ((grc != GSL_SUCCESS && grc != GSL_EROUND) || c.failed) rc = -1;
    }
    gsl_integration_workspace_free(w);
    if (rc) return rc;
    /* - h(1) int_0^x g for g = 4 CF ln(1-z)/(1-z) - 3 CF/(1-z), and the delta term */
    const double L = log1p(-x);
    const double sub = -X[0] * CF * (4.0 * (-0.5 * L * L) - 3.0 * (-L));
    const double delta = -CF * (9.0 + 4.0 * ZETA2) * X[0];
    *F2 = X[0] + a_s * (I[0] + sub + delta);
    *FL = a_s * I[1];
    return 0;
}
