/* Test-only x-space F2, FL (and the c3ns^(2) convolution of xF3) at NNLO (see xspace.h): the
 * a_s^2 coefficient functions of van Neerven and Vogt (hep-ph/9907472, hep-ph/0006154) written
 * here in x space as printed,
 * independently of engine/src/dis/coef_nnlo.c, convolved with x-space PDFs by GSL QAGS;
 * the first-order part comes from xs_structure_functions.  The soft (B) parts are
 * [B]_+ distributions: int_x^1 [B]_+ h = int_x^1 B(z) (h(z) - h(1)) dz - h(1) int_0^x B. */
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "xspace.h"

typedef struct {
    double x, nf, h1;
    int which; /* 0: F2, 1: FL, 2: xF3 (c3ns^(2) only); 3..5: W exchange's other parity (xs_nnlo_cc_parity) */
    xs_pdf3_fn pdf;
    void *ctx;
    int failed;
} nn_ctx;

/* soft coefficients b_k of ln^k(1-z)/(1-z), k = 0..3 (C2NS2B) */
static void soft(double nf, double b[4])
{
    b[3] = 14.2222;
    b[2] = -61.3333 + 1.77778 * nf;
    b[1] = -31.105 - 8.5926 * nf;
    b[0] = 188.64 + 6.3489 * nf;
}

/* The W's other crossing parity minus the function the photon path uses, nf^0 regular parts
 * (hep-ph/9907472 as printed: which 0: C2NC2A - C2NN2A, 1: CLNC2A - CLNN2A, 2: C3NP2A - C3NM2A);
 * the soft and nf^1 parts are the same for both parities. */
double xs_nnlo_cc_parity_kernel(int which, double y)
{
    const double dl = log(y), dl1 = log1p(-y);
    if (which == 0)
        return (-84.18 - 1010.0 * y - 3.748 * pow(dl, 3) - 19.56 * dl * dl - 1.235 * dl - 17.19 * pow(dl1, 3)
                + 71.08 * dl1 * dl1 - 663.0 * dl1 - 192.4 * dl * dl1 * dl1 + 80.41 * dl * dl * dl1)
               - (-69.59 - 1008.0 * y - 2.835 * pow(dl, 3) - 17.08 * dl * dl + 5.986 * dl - 17.19 * pow(dl1, 3)
                  + 71.08 * dl1 * dl1 - 660.7 * dl1 - 174.8 * dl * dl1 * dl1 + 95.09 * dl * dl * dl1);
    if (which == 1)
        return (-52.27 + 100.8 * y + (23.29 * y - 0.043) * dl * dl - 22.21 * dl + 13.30 * dl1 * dl1 - 59.12 * dl1
                - 141.7 * dl * dl1)
               - (-40.41 + 97.48 * y + (26.56 * y - 0.031) * dl * dl - 14.85 * dl + 13.62 * dl1 * dl1 - 55.79 * dl1
                  - 150.5 * dl * dl1);
    return (-242.9 - 467.2 * y - 3.049 * pow(dl, 3) - 30.14 * dl * dl - 79.14 * dl - 15.20 * pow(dl1, 3)
            + 94.61 * dl1 * dl1 - 396.1 * dl1 - 92.43 * dl * dl1 * dl1)
           - (-206.1 - 576.8 * y - 3.922 * pow(dl, 3) - 33.31 * dl * dl - 67.60 * dl - 15.20 * pow(dl1, 3)
              + 94.61 * dl1 * dl1 - 409.6 * dl1 - 147.9 * dl * dl1 * dl1);
}

/* their local (delta(1-x)) parts: C2NC2C - C2NN2C = 0.537 - 0.485, CLNC2C - CLNN2C = -0.150 +
 * 0.164, C3NP2C - C3NM2C = -0.152 + 0.104 */
double xs_nnlo_cc_parity_local(int which)
{
    static const double local[3] = {0.537 - 0.485, -0.150 + 0.164, -0.152 + 0.104};
    return local[which];
}

static double integrand(double t, void *p)
{
    nn_ctx *c = p;
    const double y = exp(t), omy = -expm1(t), dl = t, dl1 = log(omy), nf = c->nf;
    double X[3];
    if (c->pdf(c->x / y, c->ctx, X)) {
        c->failed = 1;
        return 0.0;
    }
    double v;
    if (c->which == 0) {
        const double ns = -69.59 - 1008.0 * y - 2.835 * pow(dl, 3) - 17.08 * dl * dl + 5.986 * dl
                          - 17.19 * pow(dl1, 3) + 71.08 * dl1 * dl1 - 660.7 * dl1
                          - 174.8 * dl * dl1 * dl1 + 95.09 * dl * dl * dl1
                          + nf * (-5.691 - 37.91 * y + 2.244 * dl * dl + 5.770 * dl
                                  - 1.707 * dl1 * dl1 + 22.95 * dl1 + 3.036 * dl * dl * dl1
                                  + 17.97 * dl * dl1);
        double b[4];
        soft(nf, b);
        const double bs = (b[0] + dl1 * (b[1] + dl1 * (b[2] + dl1 * b[3]))) / omy;
        const double ps = 5.290 * (1.0 / y - 1.0) + 4.310 * pow(dl, 3) - 2.086 * dl * dl + 39.78 * dl
                          - 0.101 * omy * pow(dl1, 3) - (24.75 - 13.80 * y) * dl * dl * dl1
                          + 30.23 * dl * dl1;
        const double g = 1.0 / y * (11.90 + 1494.0 * dl1) + 5.319 * pow(dl, 3) - 59.48 * dl * dl
                         - 284.8 * dl + 392.4 - 1483.0 * dl1 + (6.445 + 209.4 * omy) * pow(dl1, 3)
                         - 24.00 * dl1 * dl1 - 724.1 * dl * dl * dl1 - 871.8 * dl * dl1 * dl1;
        v = ns * X[0] + bs * (X[0] - c->h1) + ps * X[2] + g * X[1];
    } else if (c->which == 2) {
        /* c_3,ns^(2)- (C3NM2A) and the soft part of F2 (C3NS2B = C2NS2B) */
        const double ns = -206.1 - 576.8 * y - 3.922 * pow(dl, 3) - 33.31 * dl * dl - 67.60 * dl
                          - 15.20 * pow(dl1, 3) + 94.61 * dl1 * dl1 - 409.6 * dl1
                          - 147.9 * dl * dl1 * dl1
                          + nf * (-6.337 - 14.97 * y + 2.207 * dl * dl + 8.683 * dl
                                  + 0.042 * pow(dl1, 3) - 0.808 * dl1 * dl1 + 25.00 * dl1
                                  + 9.684 * dl * dl1);
        double b[4];
        soft(nf, b);
        const double bs = (b[0] + dl1 * (b[1] + dl1 * (b[2] + dl1 * b[3]))) / omy;
        v = ns * X[0] + bs * (X[0] - c->h1);
    } else if (c->which >= 3) {
        v = xs_nnlo_cc_parity_kernel(c->which - 3, y) * X[0];
    } else {
        const double ns = -40.41 + 97.48 * y + (26.56 * y - 0.031) * dl * dl - 14.85 * dl
                          + 13.62 * dl1 * dl1 - 55.79 * dl1 - 150.5 * dl * dl1
                          + nf * 16.0 / 27.0 * (6.0 * y * dl1 - 12.0 * y * dl - 25.0 * y + 6.0);
        const double ps = (15.94 - 5.212 * y) * omy * omy * dl1 + (0.421 + 1.520 * y) * dl * dl
                          + 28.09 * omy * dl - (2.370 / y - 19.27) * pow(omy, 3);
        const double g = (94.74 - 49.20 * y) * omy * dl1 * dl1 + 864.8 * omy * dl1
                         + 1161.0 * y * dl * dl1 + 60.06 * y * dl * dl + 39.66 * omy * dl
                         - 5.333 * (1.0 / y - 1.0);
        v = ns * X[0] + ps * X[2] + g * X[1];
    }
    return v * y;
}

typedef struct {
    xs_pdf3_fn pdf;
    void *ctx;
} adapt;

static int two(double y, void *p, double X[2])
{
    const adapt *a = p;
    double Y[3];
    if (a->pdf(y, a->ctx, Y)) return -1;
    X[0] = Y[0];
    X[1] = Y[1];
    return 0;
}

int xs_nnlo_structure_functions(double a_s, double lr, int nf, double x, xs_pdf3_fn pdf,
                                void *ctx, double epsrel, double *F2, double *FL)
{
    double X[3], F2n, FLn;
    if (pdf(x, ctx, X)) return -1;
    adapt ad = {pdf, ctx};
    /* X + c^(1) (x) X: the first-order part, at a_s = 1 */
    if (xs_structure_functions(1, 1.0, x, two, &ad, epsrel, &F2n, &FLn)) return -1;
    const double F2_1 = F2n - X[0], FL_1 = FLn;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(4000);
    double I[2];
    int rc = 0;
    for (int which = 0; which < 2 && !rc; which++) {
        nn_ctx c = {x, nf, X[0], which, pdf, ctx, 0};
        gsl_function f = {integrand, &c};
        double err;
        int grc = gsl_integration_qags(&f, log(x), 0.0, 0.0, epsrel, 4000, w, &I[which], &err);
        if ((grc != GSL_SUCCESS && grc != GSL_EROUND) || c.failed) rc = -1;
    }
    gsl_integration_workspace_free(w);
    if (rc) return rc;
    /* - h(1) int_0^x B (int_0^x ln^k(1-z)/(1-z) dz = -ln^(k+1)(1-x)/(k+1)) and the local
     * (delta) terms: NS -338.531 + 0.485 + nf (46.844 - 0.0035), gluon -0.28 (F2), NS
     * -0.164 (FL) */
    double b[4];
    soft(nf, b);
    const double L = log1p(-x);
    double intb = 0.0;
    for (int k = 0; k < 4; k++) intb += -b[k] * pow(L, k + 1) / (k + 1);
    const double F2_2 = I[0] - X[0] * intb + (-338.531 + 0.485 + nf * (46.844 - 0.0035)) * X[0]
                        - 0.28 * X[1];
    const double FL_2 = I[1] - 0.164 * X[0];
    *F2 = X[0] + a_s * F2_1 + a_s * a_s * (F2_2 + lr * F2_1);
    *FL = a_s * FL_1 + a_s * a_s * (FL_2 + lr * FL_1);
    return 0;
}

int xs_nnlo_c3_convolution(int nf, double x, xs_pdf3_fn pdf, void *ctx, double epsrel, double *I3)
{
    double X[3];
    if (pdf(x, ctx, X)) return -1;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(4000);
    nn_ctx c = {x, nf, X[0], 2, pdf, ctx, 0};
    gsl_function f = {integrand, &c};
    double I, err;
    const int grc = gsl_integration_qags(&f, log(x), 0.0, 0.0, epsrel, 4000, w, &I, &err);
    gsl_integration_workspace_free(w);
    if ((grc != GSL_SUCCESS && grc != GSL_EROUND) || c.failed) return -1;
    double b[4];
    soft(nf, b);
    const double L = log1p(-x);
    double intb = 0.0;
    for (int k = 0; k < 4; k++) intb += -b[k] * pow(L, k + 1) / (k + 1);
    /* local (delta) term of C3NM2C: -338.531 - 0.104 + nf (46.844 + 0.013) */
    *I3 = I - X[0] * intb + (-338.531 - 0.104 + nf * (46.844 + 0.013)) * X[0];
    return 0;
}

int xs_nnlo_cc_parity(int which, double x, xs_pdf3_fn pdf, void *ctx, double epsrel, double *out)
{
    if (which < 0 || which > 2) return -1;
    double X[3];
    if (pdf(x, ctx, X)) return -1;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(4000);
    nn_ctx c = {x, 0.0, X[0], 3 + which, pdf, ctx, 0};
    gsl_function f = {integrand, &c};
    double r, err;
    const int grc = gsl_integration_qags(&f, log(x), 0.0, 0.0, epsrel, 4000, w, &r, &err);
    gsl_integration_workspace_free(w);
    if ((grc != GSL_SUCCESS && grc != GSL_EROUND) || c.failed) return -1;
    *out = r + xs_nnlo_cc_parity_local(which) * X[0];
    return 0;
}
