/* The N-space coefficient functions of engine/src/dis/coef.c against numerical Mellin
 * moments (GSL QAGS) of the x-space forms of Furmanski-Petronzio / Ellis-Stirling-Webber
 * ch. 4 (written here independently, a_s = alpha_s/(4pi): twice ESW), at
 * real and complex N, and the Adler sum rule (c2q(N=1) = 0). */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "partonflow/dis.h"

#define CF (4.0 / 3.0)
#define TR 0.5
#define ZETA2 (M_PI * M_PI / 6.0)

enum { K_C2Q, K_C2G, K_CLQ, K_CLG };

typedef struct {
    double complex N;
    int which; /* K_* */
    int imag;  /* integrate the imaginary part */
} mom_ctx;

/* The integrand z^(N-1) c(z) with the plus-distributions subtracted at z = 1:
 * [g(z)]_+ -> g(z) (z^(N-1) - 1); the delta term is added outside. */
static double integrand(double z, void *p)
{
    const mom_ctx *c = p;
    const double u = 1.0 - z, lz = log(z), lu = log1p(-z);
    const double complex zn = cexp((c->N - 1.0) * lz);
    double complex v = 0.0;
    switch (c->which) {
    case K_C2Q:
        v = (zn - 1.0) * (4.0 * lu - 3.0) / u +
            zn * (-2.0 * (1.0 + z) * lu - 2.0 * (1.0 + z * z) * lz / u + 6.0 + 4.0 * z);
        v *= CF;
        break;
    case K_C2G:
        v = zn * 4.0 * TR * ((z * z + u * u) * (lu - lz) - 1.0 + 8.0 * z * u);
        break;
    case K_CLQ: v = zn * 4.0 * CF * z; break;
    case K_CLG: v = zn * 16.0 * TR * z * u; break;
    }
    return c->imag ? cimag(v) : creal(v);
}

static double complex numeric_moment(double complex N, int which)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
    double part[2] = {0.0, 0.0};
    /* two pieces, so that each end-point singularity (z^(N-1) ln z at 0, ln(1-z) at 1) is
     * extrapolated on its own by QAGS */
    const double cut[3] = {0.0, 0.5, 1.0};
    for (int im = 0; im < 2; im++)
        for (int piece = 0; piece < 2; piece++) {
            mom_ctx c = {N, which, im};
            gsl_function f = {integrand, &c};
            double r, err;
            int rc = gsl_integration_qags(&f, cut[piece], cut[piece + 1], 1e-15, 1e-13, 2000, w,
                                          &r, &err);
            if (rc != GSL_SUCCESS && rc != GSL_EROUND)
                fail_msg("QAGS failed for N = %g%+gi coefficient %d: %s", creal(N), cimag(N),
                         which, gsl_strerror(rc));
            part[im] += r;
        }
    gsl_integration_workspace_free(w);
    double complex m = part[0] + I * part[1];
    if (which == K_C2Q) m += CF * (-9.0 - 4.0 * ZETA2); /* the delta(1-z) term */
    return m;
}

static void check_all(double complex N)
{
    double complex c[PF_DIS_NCOEF];
    pf_dis_coef_nlo(N, c);
    const int map[4] = {PF_DIS_C2Q, PF_DIS_C2G, PF_DIS_CLQ, PF_DIS_CLG};
    for (int k = 0; k < 4; k++) {
        double complex want = numeric_moment(N, k);
        double d = cabs(c[map[k]] - want) / fmax(1.0, cabs(want));
        if (d > 1e-10)
            fail_msg("coefficient %d at N = %g%+gi: N-space %.15g%+.15gi, x-space moment "
                     "%.15g%+.15gi (deviation %.3g)",
                     k, creal(N), cimag(N), creal(c[map[k]]), cimag(c[map[k]]), creal(want),
                     cimag(want), d);
    }
}

static void test_nlo_coefficients_equal_moments_of_x_space_forms_real_n(void **state)
{
    (void)state;
    const double Ns[] = {0.6, 1.0, 1.5, 2.0, 3.0, 4.7, 10.0, 25.0};
    for (size_t i = 0; i < sizeof Ns / sizeof Ns[0]; i++) check_all(Ns[i]);
}

static void test_nlo_coefficients_equal_moments_of_x_space_forms_complex_n(void **state)
{
    (void)state;
    const double complex Ns[] = {2.0 + 1.0 * I, 1.5 - 3.0 * I, 4.0 + 8.0 * I, 0.8 + 0.5 * I,
                                 1.2 + 12.0 * I};
    for (size_t i = 0; i < sizeof Ns / sizeof Ns[0]; i++) check_all(Ns[i]);
}

/* Adler sum rule: int dx/x (F2^nubar - F2^nu) is not renormalised, so the non-singlet F2
 * coefficient has no correction at N = 1 (an anchor independent of the x-space forms). */
static void test_c2q_first_moment_vanishes_adler_sum_rule(void **state)
{
    (void)state;
    double complex c[PF_DIS_NCOEF];
    pf_dis_coef_nlo(1.0, c);
    assert_true(cabs(c[PF_DIS_C2Q]) < 1e-13);
}

/* Conjugation symmetry f(N*) = f(N)* that the inverse Mellin (Im of one half contour)
 * relies on, and the full-order assembly of pf_dis_coefficients. */
static void test_coefficients_conjugate_symmetric_and_assembled_by_order(void **state)
{
    (void)state;
    double complex N[2] = {1.7 + 4.2 * I, 1.7 - 4.2 * I}, C[2 * PF_DIS_NCOEF], c[PF_DIS_NCOEF];
    pf_status st = {0};
    assert_int_equal(pf_dis_coefficients(PF_NLO, 0.02, 2, N, C, &st), PF_OK);
    pf_dis_coef_nlo(N[0], c);
    for (int k = 0; k < PF_DIS_NCOEF; k++) {
        assert_true(cabs(C[k] - conj(C[PF_DIS_NCOEF + k])) < 1e-14 * cabs(C[k]));
        double complex want = 0.02 * c[k] + (k == PF_DIS_C2Q ? 1.0 : 0.0);
        assert_true(cabs(C[k] - want) < 1e-15 * cabs(want) + 1e-16);
    }
    assert_int_equal(pf_dis_coefficients(PF_LO, 0.02, 2, N, C, &st), PF_OK);
    assert_true(C[PF_DIS_C2Q] == 1.0 && C[PF_DIS_C2G] == 0.0 && C[PF_DIS_CLQ] == 0.0 &&
                C[PF_DIS_CLG] == 0.0);
    assert_int_equal(pf_dis_coefficients(7, 0.02, 2, N, C, &st), PF_EINVAL);
    N[0] = 0.0;
    assert_int_equal(pf_dis_coefficients(PF_NLO, 0.02, 1, N, C, &st), PF_EDOMAIN);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nlo_coefficients_equal_moments_of_x_space_forms_real_n),
        cmocka_unit_test(test_nlo_coefficients_equal_moments_of_x_space_forms_complex_n),
        cmocka_unit_test(test_c2q_first_moment_vanishes_adler_sum_rule),
        cmocka_unit_test(test_coefficients_conjugate_symmetric_and_assembled_by_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
