/* Sum rules after set_params (x-space integration of pf_pdf_xf with GSL QAGS), the
 * analytic continuation of the moments (Re N < 0, against GSL's complex log Gamma), the
 * rejection of bad cards, parameters and arguments, and clone independence. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "partonflow/card.h"
#include "partonflow/pdf.h"
#include "partonflow/specfun.h" /* CMPLX under clang */

/* The example card of issue 2, written as the struct (independent of the card parser). */
static void example_card(pf_pdf_card *c)
{
    memset(c, 0, sizeof *c);
    for (int j = 0; j < PF_NIN; j++) {
        c->fl[j].same_as = -1;
        c->fl[j].npoly = 1;
        c->fl[j].poly[0] = 1.0;
    }
    const struct { int j, norm; double A, a, b; int np; double p2; } f[] = {
        {PF_IN_UV, PF_NORM_VALENCE, 0, 0.7, 3.2, 3, 1.5},  {PF_IN_DV, PF_NORM_VALENCE, 0, 0.75, 4.1, 1, 0},
        {PF_IN_UBAR, PF_NORM_FIXED, 0.15, -0.15, 7.0, 1, 0}, {PF_IN_DBAR, PF_NORM_FIXED, 0.18, -0.15, 7.5, 1, 0},
        {PF_IN_S, PF_NORM_FIXED, 0.1, -0.15, 8.0, 1, 0},    {PF_IN_G, PF_NORM_MOMENTUM, 0, -0.2, 5.0, 3, 2.0}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        pf_flavour_card *q = &c->fl[f[i].j];
        q->present = 1;
        q->norm = f[i].norm;
        q->A = f[i].A;
        q->a = f[i].a;
        q->b = f[i].b;
        q->npoly = f[i].np;
        if (f[i].np == 3) {
            q->poly[1] = 0.0;
            q->poly[2] = f[i].p2;
        }
    }
    c->fl[PF_IN_SBAR] = c->fl[PF_IN_S];
    c->fl[PF_IN_SBAR].same_as = PF_IN_S;
}

static pf_pdf *make_example(void)
{
    pf_pdf_card c;
    pf_status st;
    example_card(&c);
    pf_pdf *pdf = pf_pdf_create(&c, &st);
    if (!pdf)
        fail_msg("%s", st.msg);
    return pdf;
}

struct xint { const pf_pdf *pdf; int j; int power; };
/* x^power * f_j(x) = x^(power-1) * (x f_j) from the module's x-space values */
static double xspace(double x, void *p)
{
    const struct xint *q = p;
    double xf[PF_NIN];
    pf_status st;
    if (pf_pdf_xf(q->pdf, 1, &x, xf, NULL, &st))
        return GSL_NAN;
    return pow(x, q->power - 1) * xf[q->j];
}

/* int_0^1 x^power f_j dx by QAGS (Wynn-epsilon extrapolation copes with x^(a-1)) */
static double xint(const pf_pdf *pdf, int j, int power)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    struct xint q = {pdf, j, power};
    gsl_function F = {xspace, &q};
    double v, err;
    int rc = gsl_integration_qags(&F, 0.0, 1.0, 0.0, 1e-13, 1000, w, &v, &err);
    gsl_integration_workspace_free(w);
    assert_true(rc == GSL_SUCCESS || rc == GSL_EROUND);
    return v;
}

static void check_sum_rules(const pf_pdf *pdf, double tol)
{
    const double uv = xint(pdf, PF_IN_UV, 0), dv = xint(pdf, PF_IN_DV, 0);
    if (fabs(uv - 2.0) > tol || fabs(dv - 1.0) > tol)
        fail_msg("valence numbers %.15g %.15g", uv, dv);
    /* u + ubar = uv + 2 ubar, d + dbar = dv + 2 dbar */
    const double w[PF_NIN] = {1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    double mom = 0.0;
    for (int j = 0; j < PF_NIN; j++)
        mom += w[j] * xint(pdf, j, 1);
    if (fabs(mom - 1.0) > tol)
        fail_msg("momentum sum %.15g", mom);
}

/* Every parameter moved by a few per cent: set_params re-imposes the sum rules. */
static void test_sum_rules_hold_after_set_params_by_xspace_integration(void **state)
{
    (void)state;
    pf_pdf *pdf = make_example();
    pf_status st;
    check_sum_rules(pdf, 1e-12);
    const size_t np = pf_pdf_nparams(pdf);
    double *th = malloc(sizeof(double) * np);
    pf_pdf_get_params(pdf, th);
    for (size_t p = 0; p < np; p++)
        th[p] += 0.03 * (1.0 + 0.1 * (double)(p % 5)) * (th[p] != 0.0 ? th[p] : 0.5);
    assert_int_equal(pf_pdf_set_params(pdf, th, &st), PF_OK);
    double *back = malloc(sizeof(double) * np);
    pf_pdf_get_params(pdf, back);
    assert_memory_equal(th, back, sizeof(double) * np);
    check_sum_rules(pdf, 1e-12);
    free(th);
    free(back);
    pf_pdf_destroy(pdf);
}

static double complex gsl_lbeta(double complex a, double complex b)
{
    gsl_sf_result r[3], i[3];
    const double complex z[3] = {a, b, a + b};
    for (int k = 0; k < 3; k++)
        gsl_sf_lngamma_complex_e(creal(z[k]), cimag(z[k]), &r[k], &i[k]);
    return (r[0].val + r[1].val - r[2].val) + I * (i[0].val + i[1].val - i[2].val);
}

/* On the left half of a bent contour the moments are the analytic continuation of the
 * Beta-function formula: compare with the same formula built from GSL's complex log Gamma
 * (exp removes GSL's reduction of the phase modulo 2 pi). */
static void test_moments_continue_to_negative_re_n_like_gsl_beta(void **state)
{
    (void)state;
    pf_pdf_card c;
    example_card(&c);
    pf_pdf *pdf = make_example();
    pf_status st;
    const double complex Ns[] = {CMPLX(-5.0, 6.0), CMPLX(-20.0, 21.5), CMPLX(-38.0, -40.0),
                                 CMPLX(0.4, 2.0), CMPLX(1.1, 80.0), CMPLX(-70.3, 3.0), CMPLX(-9.7, -0.4),
                                 CMPLX(7.0, 900.0)};
    const size_t n = sizeof Ns / sizeof Ns[0];
    double complex M[sizeof Ns / sizeof Ns[0] * PF_NIN];
    assert_int_equal(pf_pdf_moments(pdf, n, Ns, M, NULL, &st), PF_OK);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < PF_NIN; j++) {
            const pf_flavour_card *f = &c.fl[c.fl[j].same_as >= 0 ? c.fl[j].same_as : j];
            double complex ref = 0.0;
            if (c.fl[j].present)
                for (int k = 0; k < f->npoly; k++)
                    ref += f->poly[k] * cexp(gsl_lbeta(Ns[i] - 1.0 + f->a + 0.5 * k, f->b + 1.0));
            ref *= pf_pdf_norm(pdf, j);
            const double d = cabs(M[i * PF_NIN + j] - ref);
            if (d > 1e-11 * cabs(ref) || (ref == 0.0 && M[i * PF_NIN + j] != 0.0))
                fail_msg("%s at N = %g%+gi: %.15g%+.15gi vs GSL %.15g%+.15gi", pf_flav_in_name[j],
                         creal(Ns[i]), cimag(Ns[i]), creal(M[i * PF_NIN + j]),
                         cimag(M[i * PF_NIN + j]), creal(ref), cimag(ref));
        }
    pf_pdf_destroy(pdf);
}

/* Gradients at the far ends of a bent contour (large |Im N|, Re N < 0), where the shared
 * Gamma/digamma evaluations take other code paths, against central differences. */
static void test_gradients_at_far_contour_nodes_match_finite_differences(void **state)
{
    (void)state;
    pf_pdf *pdf = make_example();
    pf_status st;
    const double complex Ns[] = {CMPLX(-38.0, 40.0), CMPLX(7.0, 900.0), CMPLX(-9.7, -0.4), CMPLX(-70.3, 3.0)};
    const size_t n = sizeof Ns / sizeof Ns[0], np = pf_pdf_nparams(pdf);
    double complex M[sizeof Ns / sizeof Ns[0] * PF_NIN], Mp[sizeof M / sizeof M[0]], Mm[sizeof M / sizeof M[0]];
    double complex *dM = malloc(sizeof(double complex) * np * n * PF_NIN);
    double *th = malloc(sizeof(double) * np), *t2 = malloc(sizeof(double) * np);
    assert_int_equal(pf_pdf_moments(pdf, n, Ns, M, dM, &st), PF_OK);
    pf_pdf_get_params(pdf, th);
    /* Richardson-extrapolated central differences, D = (4 D(h/2) - D(h)) / 3: at |N| ~ 900
     * log Gamma ~ 6000 leaves the moments ~1e-13 relative rounding, so h must be large
     * (1e-3) and the O(h^2) error near the poles at Re N < 0 is removed instead. */
    double complex D1[sizeof M / sizeof M[0]];
    for (size_t p = 0; p < np; p++) {
        const double h = 1e-3 * fmax(1.0, fabs(th[p]));
        for (int pass = 0; pass < 2; pass++) {
            const double hh = pass ? 0.5 * h : h;
            memcpy(t2, th, sizeof(double) * np);
            t2[p] = th[p] + hh;
            assert_int_equal(pf_pdf_set_params(pdf, t2, &st), PF_OK);
            assert_int_equal(pf_pdf_moments(pdf, n, Ns, Mp, NULL, &st), PF_OK);
            t2[p] = th[p] - hh;
            assert_int_equal(pf_pdf_set_params(pdf, t2, &st), PF_OK);
            assert_int_equal(pf_pdf_moments(pdf, n, Ns, Mm, NULL, &st), PF_OK);
            for (size_t k = 0; k < n * PF_NIN; k++) {
                const double complex d = (Mp[k] - Mm[k]) / (2.0 * hh);
                D1[k] = pass ? (4.0 * d - D1[k]) / 3.0 : d;
            }
        }
        for (size_t k = 0; k < n * PF_NIN; k++) {
            const double complex fd = D1[k], an = dM[p * n * PF_NIN + k];
            /* derivatives that vanish identically (a valence moment in its own p0) leave
             * only rounding noise: measure against the moment itself there */
            const double scale = fmax(cabs(an), 1e-4 * cabs(M[k]));
            if (cabs(fd - an) > 1e-6 * scale)
                fail_msg("dM/d%s at N = %g%+gi flavour %s: analytic %.10g%+.10gi fd %.10g%+.10gi",
                         pf_pdf_param_name(pdf, p), creal(Ns[k / PF_NIN]), cimag(Ns[k / PF_NIN]),
                         pf_flav_in_name[k % PF_NIN], creal(an), cimag(an), creal(fd), cimag(fd));
        }
    }
    free(dM);
    free(th);
    free(t2);
    pf_pdf_destroy(pdf);
}

static void expect_create_error(const pf_pdf_card *c, const char *msg)
{
    pf_status st;
    pf_status_clear(&st);
    pf_pdf *pdf = pf_pdf_create(c, &st);
    assert_null(pdf);
    if (!strstr(st.msg, msg))
        fail_msg("expected '%s' in '%s'", msg, st.msg);
}

static void test_bad_cards_parameters_and_arguments_are_rejected(void **state)
{
    (void)state;
    pf_pdf_card c;
    example_card(&c);
    c.fl[PF_IN_DBAR].b = -1.0;
    expect_create_error(&c, "parameter 'dbar.b' = -1: expected > -1");
    example_card(&c);
    c.fl[PF_IN_UBAR].A = INFINITY;
    expect_create_error(&c, "parameter 'ubar.A' = inf: expected a finite number");
    example_card(&c);
    c.fl[PF_IN_DV].a = 0.0;
    expect_create_error(&c, "parameter 'dv.a' = 0: the valence sum rule needs a > 0");
    example_card(&c);
    c.fl[PF_IN_UV].poly[2] = -1.0; /* 1 - x vanishes... */
    c.fl[PF_IN_UV].poly[0] = -1.0; /* ... and -(1 + x) has a negative number integral */
    expect_create_error(&c, "'uv': valence sum rule cannot be met");
    example_card(&c);
    c.fl[PF_IN_S].A = 3.0; /* strangeness alone carries more than the momentum */
    expect_create_error(&c, "'g': momentum sum rule cannot be met");
    example_card(&c);
    c.fl[PF_IN_UBAR].norm = PF_NORM_VALENCE;
    expect_create_error(&c, "'ubar': A: valence is defined for uv and dv only");

    pf_pdf *pdf = make_example();
    pf_status st;
    double x[2] = {0.5, 1.0}, xf[2 * PF_NIN];
    assert_int_equal(pf_pdf_xf(pdf, 2, x, xf, NULL, &st), PF_EINVAL);
    assert_non_null(strstr(st.msg, "x[1] = 1, expected 0 < x < 1"));
    double complex N[1] = {CMPLX(NAN, 1.0)}, M[PF_NIN];
    assert_int_equal(pf_pdf_moments(pdf, 1, N, M, NULL, &st), PF_EINVAL);
    assert_non_null(strstr(st.msg, "N[0] is not finite"));
    /* a failed set_params leaves the parameters in force */
    const size_t np = pf_pdf_nparams(pdf);
    double *th = malloc(sizeof(double) * np), *th2 = malloc(sizeof(double) * np);
    pf_pdf_get_params(pdf, th);
    const double Ag = pf_pdf_norm(pdf, PF_IN_G);
    memcpy(th2, th, sizeof(double) * np);
    th2[pf_pdf_param_index(pdf, "s.b")] = -3.0;
    assert_int_equal(pf_pdf_set_params(pdf, th2, &st), PF_EDOMAIN);
    pf_pdf_get_params(pdf, th2);
    assert_memory_equal(th, th2, sizeof(double) * np);
    assert_true(pf_pdf_norm(pdf, PF_IN_G) == Ag);
    free(th);
    free(th2);
    pf_pdf_destroy(pdf);
}

/* Names follow the card order; a clone is independent of its original. */
static void test_parameter_layout_and_clone_independence(void **state)
{
    (void)state;
    pf_pdf *pdf = make_example();
    pf_status st;
    const char *names[] = {"uv.a", "uv.b", "uv.p0", "uv.p1", "uv.p2", "dv.a", "dv.b", "dv.p0",
                           "ubar.A", "ubar.a", "ubar.b", "ubar.p0", "dbar.A", "dbar.a", "dbar.b",
                           "dbar.p0", "s.A", "s.a", "s.b", "s.p0", "g.a", "g.b", "g.p0", "g.p1", "g.p2"};
    assert_int_equal(pf_pdf_nparams(pdf), sizeof names / sizeof names[0]);
    for (size_t p = 0; p < sizeof names / sizeof names[0]; p++) {
        assert_string_equal(pf_pdf_param_name(pdf, p), names[p]);
        assert_int_equal(pf_pdf_param_index(pdf, names[p]), (long)p);
    }
    assert_null(pf_pdf_param_name(pdf, 25));
    assert_int_equal(pf_pdf_param_index(pdf, "g.A"), -1);
    pf_pdf *cl = pf_pdf_clone(pdf, &st);
    assert_non_null(cl);
    double th[25];
    pf_pdf_get_params(cl, th);
    th[pf_pdf_param_index(cl, "ubar.A")] *= 1.5;
    assert_int_equal(pf_pdf_set_params(cl, th, &st), PF_OK);
    assert_true(pf_pdf_norm(cl, PF_IN_UBAR) == 1.5 * pf_pdf_norm(pdf, PF_IN_UBAR));
    assert_true(pf_pdf_norm(cl, PF_IN_G) < pf_pdf_norm(pdf, PF_IN_G)); /* less momentum left */
    assert_true(pf_pdf_norm(cl, PF_IN_SBAR) == pf_pdf_norm(cl, PF_IN_S));
    pf_pdf_destroy(cl);
    pf_pdf_destroy(pdf);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sum_rules_hold_after_set_params_by_xspace_integration),
        cmocka_unit_test(test_moments_continue_to_negative_re_n_like_gsl_beta),
        cmocka_unit_test(test_gradients_at_far_contour_nodes_match_finite_differences),
        cmocka_unit_test(test_bad_cards_parameters_and_arguments_are_rejected),
        cmocka_unit_test(test_parameter_layout_and_clone_independence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
