/* N-space F2, FL (coef.c coefficient functions times analytic moments, inverted along a
 * local contour) against the x-space convolution of xspace.c (GSL QAGS, plus-distributions
 * subtracted) for analytic input distributions x q = y^a (1-y)^b.  Proves the coefficient
 * functions and the per-flavour convention end to end, without the evolution module. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "partonflow/dis.h"
#include "xspace.h"

/* X_q(y) = A_q y^a (1-y)^b (quark combination), X_g(y) likewise: moments of X/y are
 * A B(N + a - 1, b + 1).  GSL's complex log Gamma, independent of the engine's specfun. */
typedef struct {
    double A, a, b;
} shape;
static const shape SQ = {1.0, -0.2, 3.0}, SG = {0.7, -0.3, 5.0};

static double complex clgamma(double complex z)
{
    gsl_sf_result lr, arg;
    gsl_sf_lngamma_complex_e(creal(z), cimag(z), &lr, &arg);
    return lr.val + I * arg.val;
}

static double complex moment(const shape *s, double complex N)
{
    const double complex z = N + s->a - 1.0;
    return s->A * cexp(clgamma(z) + clgamma(s->b + 1.0) - clgamma(z + s->b + 1.0));
}

static int xpdf(double y, void *ctx, double X[2])
{
    (void)ctx;
    X[0] = SQ.A * pow(y, SQ.a) * pow(1.0 - y, SQ.b);
    X[1] = SG.A * pow(y, SG.a) * pow(1.0 - y, SG.b);
    return 0;
}

/* Contour N = c + t e^{i phi}, phi = 3 pi/4, c = 1.5 (right of the poles at 1 - a and 0),
 * composite Gauss-Legendre in t on doubling panels up to t = 128:
 * x f(x) = (1/pi) Im int dt e^{i phi} x^(1-N) f(N). */
#define NPANEL 8
#define NGL 40
static size_t contour(double complex *N, double complex *w)
{
    gsl_integration_glfixed_table *tb = gsl_integration_glfixed_table_alloc(NGL);
    const double edges[NPANEL + 1] = {0, 1, 2, 4, 8, 16, 32, 64, 128};
    const double complex e = cexp(I * 0.75 * M_PI);
    size_t nn = 0;
    for (int p = 0; p < NPANEL; p++)
        for (int k = 0; k < NGL; k++) {
            double t, wt;
            gsl_integration_glfixed_point(edges[p], edges[p + 1], (size_t)k, &t, &wt, tb);
            N[nn] = 1.5 + t * e;
            w[nn++] = wt * e / M_PI;
        }
    gsl_integration_glfixed_table_free(tb);
    return nn;
}

static void check_order(int order, double tol)
{
    double complex N[NPANEL * NGL], w[NPANEL * NGL], C[PF_DIS_NCOEF * NPANEL * NGL];
    const size_t nn = contour(N, w);
    const double a_s = 0.2 / (4.0 * M_PI);
    pf_status st = {0};
    assert_int_equal(pf_dis_coefficients(order, a_s, nn, N, C, &st), PF_OK);
    const double xs[] = {1e-4, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.8};
    for (size_t ix = 0; ix < sizeof xs / sizeof xs[0]; ix++) {
        const double x = xs[ix];
        double F2 = 0.0, FL = 0.0;
        for (size_t n = 0; n < nn; n++) {
            const double complex *c = C + n * PF_DIS_NCOEF;
            const double complex k = w[n] * cexp((1.0 - N[n]) * log(x));
            const double complex q = moment(&SQ, N[n]), g = moment(&SG, N[n]);
            F2 += cimag(k * (c[PF_DIS_C2Q] * q + c[PF_DIS_C2G] * g));
            FL += cimag(k * (c[PF_DIS_CLQ] * q + c[PF_DIS_CLG] * g));
        }
        double F2x, FLx;
        assert_int_equal(xs_structure_functions(order, a_s, x, xpdf, NULL, 1e-12, &F2x, &FLx), 0);
        if (fabs(F2 / F2x - 1.0) > tol)
            fail_msg("order %d x = %g: F2 N-space %.14e, x-space %.14e", order, x, F2, F2x);
        if (order == PF_NLO && fabs(FL / FLx - 1.0) > tol)
            fail_msg("order %d x = %g: FL N-space %.14e, x-space %.14e", order, x, FL, FLx);
        if (order == PF_LO) assert_true(FL == 0.0 && FLx == 0.0);
    }
}

static void test_nlo_sf_nspace_equals_xspace_convolution_analytic_pdfs(void **state)
{
    (void)state;
    check_order(PF_NLO, 1e-9);
}

static void test_lo_sf_nspace_equals_xspace_analytic_pdfs(void **state)
{
    (void)state;
    check_order(PF_LO, 1e-10);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nlo_sf_nspace_equals_xspace_convolution_analytic_pdfs),
        cmocka_unit_test(test_lo_sf_nspace_equals_xspace_analytic_pdfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
