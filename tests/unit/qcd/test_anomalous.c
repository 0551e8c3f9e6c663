/* Anomalous dimensions: the N-space LO/NLO splitting functions against direct numerical
 * Mellin transforms (GSL quadrature) of the x-space expressions (Curci-Furmanski-
 * Petronzio / Ellis-Stirling-Webber eqs. 4.107-4.111, written out again here), the
 * conservation laws, and the harmonic sums against their defining finite sums. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_dilog.h>
#include <gsl/gsl_sf_psi.h>

#include "partonflow/anomalous.h"
#include "partonflow/harmonic.h"

#define CF (4.0 / 3.0)
#define CA 3.0
#define TR 0.5
#define PI 3.14159265358979323846
#define Z3 1.2020569031595942854

static double S2x(double x)
{
    double l = log(x);
    return -2.0 * gsl_sf_dilog(-x) + 0.5 * l * l - 2.0 * l * log1p(x) - PI * PI / 6.0;
}
static double pqq(double x) { return 2.0 / (1.0 - x) - 1.0 - x; }
static double pqg(double x) { return x * x + (1.0 - x) * (1.0 - x); }
static double pgq(double x) { return (1.0 + (1.0 - x) * (1.0 - x)) / x; }
static double pgg(double x) { return 1.0 / (1.0 - x) + 1.0 / x - 2.0 + x - x * x; }

/* x-space NLO, (alpha_s/2pi)^2 normalisation, without the delta(1-x) terms */
static int g_nf;
static double pv_qq(double x)
{
    double l = log(x), l1 = log1p(-x), tf = g_nf * TR;
    return CF * CF * (-(2 * l * l1 + 1.5 * l) * pqq(x) - (1.5 + 3.5 * x) * l - 0.5 * (1 + x) * l * l - 5 * (1 - x))
           + CF * CA * ((0.5 * l * l + 11.0 / 6 * l + 67.0 / 18 - PI * PI / 6) * pqq(x) + (1 + x) * l + 20.0 / 3 * (1 - x))
           + CF * tf * (-(2.0 / 3 * l + 10.0 / 9) * pqq(x) - 4.0 / 3 * (1 - x));
}
static double pv_qq_soft(void) { return 2.0 * (CF * CA * (67.0 / 18 - PI * PI / 6) - CF * g_nf * TR * 10.0 / 9); }
static double pv_qq_delta(void)
{
    double tf = g_nf * TR;
    return CF * CF * (3.0 / 8 - PI * PI / 2 + 6 * Z3) + CF * CA * (17.0 / 24 + 11 * PI * PI / 18 - 3 * Z3)
           - CF * tf * (1.0 / 6 + 2 * PI * PI / 9);
}
static double pv_qqb(double x)
{
    double l = log(x);
    return CF * (CF - CA / 2) * (2 * pqq(-x) * S2x(x) + 2 * (1 + x) * l + 4 * (1 - x));
}
static double p_ps(double x)
{
    double l = log(x);
    return CF * TR * (20.0 / (9 * x) - 2 + 6 * x - 56.0 / 9 * x * x + (1 + 5 * x + 8.0 / 3 * x * x) * l - (1 + x) * l * l);
}
static double p_qg(double x)
{
    double l = log(x), l1 = log1p(-x), lr = l1 - l;
    return g_nf * (CF * TR * (4 - 9 * x - (1 - 4 * x) * l - (1 - 2 * x) * l * l + 4 * l1
                              + (2 * lr * lr - 4 * lr - 2.0 / 3 * PI * PI + 10) * pqg(x))
                   + CA * TR * (182.0 / 9 + 14.0 / 9 * x + 40.0 / (9 * x) + (136.0 / 3 * x - 38.0 / 3) * l - 4 * l1
                                - (2 + 8 * x) * l * l
                                + (-l * l + 44.0 / 3 * l - 2 * l1 * l1 + 4 * l1 + PI * PI / 3 - 218.0 / 9) * pqg(x)
                                + 2 * pqg(-x) * S2x(x)));
}
static double p_gq(double x)
{
    double l = log(x), l1 = log1p(-x), tf = g_nf * TR;
    return CF * CF * (-2.5 - 3.5 * x + (2 + 3.5 * x) * l - (1 - 0.5 * x) * l * l - 2 * x * l1 - (3 * l1 + l1 * l1) * pgq(x))
           + CF * CA * (28.0 / 9 + 65.0 / 18 * x + 44.0 / 9 * x * x - (12 + 5 * x + 8.0 / 3 * x * x) * l
                        + (4 + x) * l * l + 2 * x * l1 + S2x(x) * pgq(-x)
                        + (0.5 - 2 * l * l1 + 0.5 * l * l + 11.0 / 3 * l1 + l1 * l1 - PI * PI / 6) * pgq(x))
           + CF * tf * (-4.0 / 3 * x - pgq(x) * (20.0 / 9 + 4.0 / 3 * l1));
}
static double p_gg(double x)
{
    double l = log(x), l1 = log1p(-x), tf = g_nf * TR;
    return CF * tf * (-16 + 8 * x + 20.0 / 3 * x * x + 4.0 / (3 * x) - (6 + 10 * x) * l - (2 + 2 * x) * l * l)
           + CA * tf * (2 - 2 * x + 26.0 / 9 * (x * x - 1 / x) - 4.0 / 3 * (1 + x) * l - 20.0 / 9 * pgg(x))
           + CA * CA * (13.5 * (1 - x) + 67.0 / 9 * (x * x - 1 / x) - (25.0 / 3 - 11.0 / 3 * x + 44.0 / 3 * x * x) * l
                        + 4 * (1 + x) * l * l + 2 * pgg(-x) * S2x(x)
                        + (67.0 / 9 - 4 * l * l1 + l * l - PI * PI / 3) * pgg(x));
}
static double p_gg_soft(void) { return CA * CA * (67.0 / 9 - PI * PI / 3) - CA * g_nf * TR * 20.0 / 9; }
static double p_gg_delta(void)
{
    double tf = g_nf * TR;
    return CA * CA * (8.0 / 3 + 3 * Z3) - CF * tf - 4.0 / 3 * CA * tf;
}

/* int_0^1 [x^(N-1) f(x) - soft/(1-x)] dx, real or imaginary part */
typedef struct mctx {
    double (*f)(double);
    double complex N;
    double soft;
    int imag;
} mctx;
static double integrand(double x, void *p)
{
    mctx *c = p;
    double complex v = cexp((c->N - 1.0) * log(x)) * c->f(x);
    /* the plus-prescription subtraction (soft != 0) is only used at real N */
    return c->imag ? cimag(v) : creal(v) - c->soft / (1.0 - x);
}
static double complex mellin(double (*f)(double), double complex N, double soft)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
    double complex r = 0.0;
    for (int im = 0; im < 2; im++) {
        mctx c = {f, N, im ? 0.0 : soft, im};
        gsl_function F = {integrand, &c};
        double v, e;
        gsl_integration_qags(&F, 0.0, 1.0, 1e-13, 1e-11, 2000, w, &v, &e);
        r += im ? I * v : v;
    }
    gsl_integration_workspace_free(w);
    return r;
}

static void check(const char *what, double complex a, double complex b, double tol)
{
    if (cabs(a - b) > tol * (1.0 + cabs(b)))
        fail_msg("%s: N-space %.12f%+.12fi vs x-space %.12f%+.12fi", what, creal(a), cimag(a), creal(b), cimag(b));
}

static void test_nlo_splitting_functions_match_xspace_quadrature(void **state)
{
    (void)state;
    const double Ns[] = {2.3, 3.0, 4.7, 7.5};
    for (int nf = 3; nf <= 5; nf++) {
        g_nf = nf;
        for (int i = 0; i < 4; i++) {
            double complex N = Ns[i], pp, pm, ps[4];
            pf_anom_nlo(N, nf, &pp, &pm, ps);
            double complex vq = mellin(pv_qq, N, pv_qq_soft()) + pv_qq_delta();
            double complex vqb = mellin(pv_qqb, N, 0.0);
            check("P1+", pp, 4.0 * (vq + vqb), 1e-9);
            check("P1-", pm, 4.0 * (vq - vqb), 1e-9);
            check("P1 qq", ps[0], 4.0 * (vq + vqb + 2.0 * nf * mellin(p_ps, N, 0.0)), 1e-9);
            check("P1 qg", ps[1], 4.0 * mellin(p_qg, N, 0.0), 1e-9);
            check("P1 gq", ps[2], 4.0 * mellin(p_gq, N, 0.0), 1e-9);
            check("P1 gg", ps[3], 4.0 * (mellin(p_gg, N, p_gg_soft()) + p_gg_delta()), 1e-9);
        }
    }
}

/* the x-space integrand of the non-soft functions at complex N (continuation check) */
static void test_nlo_offdiagonal_match_xspace_at_complex_n(void **state)
{
    (void)state;
    g_nf = 4;
    const double complex Ns[] = {2.5 + 1.5 * I, 3.2 - 4.0 * I};
    for (int i = 0; i < 2; i++) {
        double complex pp, pm, ps[4];
        pf_anom_nlo(Ns[i], 4, &pp, &pm, ps);
        check("P1 qg complex", ps[1], 4.0 * mellin(p_qg, Ns[i], 0.0), 1e-8);
        check("P1 gq complex", ps[2], 4.0 * mellin(p_gq, Ns[i], 0.0), 1e-8);
        /* P^V_qqbar alone: P1+ - P1- = 8 P^V_qqbar */
        check("P1+ - P1- complex", pp - pm, 8.0 * mellin(pv_qqb, Ns[i], 0.0), 1e-8);
    }
}

static void test_quark_number_and_momentum_conservation(void **state)
{
    (void)state;
    for (int nf = 3; nf <= 6; nf++) {
        double complex p0, ps0[4], pp, pm, ps1[4];
        pf_anom_lo(1.0, nf, &p0, ps0);
        assert_true(cabs(p0) < 1e-13);
        pf_anom_nlo(1.0, nf, &pp, &pm, ps1);
        if (cabs(pm) > 1e-12) fail_msg("nf %d: P1-(N=1) = %g", nf, cabs(pm));
        pf_anom_lo(2.0, nf, &p0, ps0);
        pf_anom_nlo(2.0, nf, &pp, &pm, ps1);
        if (cabs(ps0[0] + ps0[2]) > 1e-13 || cabs(ps0[1] + ps0[3]) > 1e-13)
            fail_msg("nf %d: LO momentum sum rule violated", nf);
        if (cabs(ps1[0] + ps1[2]) > 1e-11 || cabs(ps1[1] + ps1[3]) > 1e-11)
            fail_msg("nf %d: NLO momentum sum rule: qq+gq %g, qg+gg %g", nf, cabs(ps1[0] + ps1[2]),
                     cabs(ps1[1] + ps1[3]));
    }
}

static void test_harmonic_sums_match_finite_sums_and_gsl(void **state)
{
    (void)state;
    for (int n = 1; n <= 30; n++) {
        double s1 = 0, s2 = 0, s3 = 0, sm2 = 0, sm3 = 0;
        for (int j = 1; j <= n; j++) {
            s1 += 1.0 / j;
            s2 += 1.0 / ((double)j * j);
            s3 += 1.0 / ((double)j * j * j);
            sm2 += (j % 2 ? -1.0 : 1.0) / ((double)j * j);
            sm3 += (j % 2 ? -1.0 : 1.0) / ((double)j * j * j);
        }
        assert_true(cabs(pf_harm_s1(n) - s1) < 1e-13);
        assert_true(cabs(pf_harm_s2(n) - s2) < 1e-13);
        assert_true(cabs(pf_harm_s3(n) - s3) < 1e-13);
        if (n % 2 == 0) {
            assert_true(cabs(pf_harm_sm2(n) - sm2) < 1e-13);
            assert_true(cabs(pf_harm_sm3(n) - sm3) < 1e-13);
        }
    }
    for (int k = 0; k <= 3; k++)
        for (double x = 0.13; x < 40.0; x *= 1.7)
            if (fabs(creal(pf_harm_psi(k, x)) - gsl_sf_psi_n(k, x)) > 1e-12 * (1.0 + fabs(gsl_sf_psi_n(k, x))))
                fail_msg("psi^(%d)(%g): %.15g vs gsl %.15g", k, x, creal(pf_harm_psi(k, x)), gsl_sf_psi_n(k, x));
    /* reflection psi(1 - z) - psi(z) = pi cot(pi z) on the left half of the contour */
    const double complex z = -40.3 + 37.1 * I;
    double complex lhs = pf_harm_psi(0, 1.0 - z) - pf_harm_psi(0, z);
    assert_true(cabs(lhs - PI * ccos(PI * z) / csin(PI * z)) < 1e-11);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(test_nlo_splitting_functions_match_xspace_quadrature),
        cmocka_unit_test(test_nlo_offdiagonal_match_xspace_at_complex_n),
        cmocka_unit_test(test_quark_number_and_momentum_conservation),
        cmocka_unit_test(test_harmonic_sums_match_finite_sums_and_gsl),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
