/* The parametrisation's analytic moments against GSL numerical integration, the sum rules,
 * and the analytic gradients (through the sum-rule normalisations) against central finite
 * differences. */
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

#include "partonflow/card.h"
#include "partonflow/pdf.h"
#include "partonflow/specfun.h" /* CMPLX under clang */

/* The example card of issue 2 (sum-rule normalisations, polynomials, same_as). */
static const char *example_card =
    "theory: {order: NLO, scheme: VFNS, mu0: 1.4142135623730951,\n"
    "         alphas: {value: 0.35, mu: 1.4142135623730951},\n"
    "         masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}}\n"
    "pdf:\n"
    "  flavours:\n"
    "    uv:   {A: valence,  a: 0.7,   b: 3.2, poly: [1, 0, 1.5]}\n"
    "    dv:   {A: valence,  a: 0.75,  b: 4.1}\n"
    "    ubar: {A: 0.15,     a: -0.15, b: 7.0}\n"
    "    dbar: {A: 0.18,     a: -0.15, b: 7.5}\n"
    "    s:    {A: 0.1,      a: -0.15, b: 8.0}\n"
    "    sbar: {same_as: s}\n"
    "    g:    {A: momentum, a: -0.2,  b: 5.0, poly: [1, 0, 2]}\n";

static const char *lha_card =
    "theory: {order: NLO, scheme: FFNS, nf: 4, mu0: 1.4142135623730951,\n"
    "         alphas: {value: 0.35, mu: 1.4142135623730951}}\n"
    "pdf: {preset: lha-toy}\n";

static pf_pdf *make(const char *yaml)
{
    pf_card card;
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(pf_card_parse(yaml, strlen(yaml), "test-card", &card, &st), PF_OK);
    pf_pdf *pdf = pf_pdf_create(&card.pdf, &st);
    if (!pdf)
        fail_msg("%s", st.msg);
    return pdf;
}

/* int_0^1 x^(N-1) f_j(x) dx by GSL's QAWS, which takes the algebraic end-point factors
 * x^alpha (1-x)^beta as an exact weight: independent of the Beta-function formula. */
struct integrand { double im_n; int part; };
static double osc(double x, void *p)
{
    const struct integrand *q = p;
    if (q->im_n == 0.0) /* QAWS samples the end points, where 0 * log(0) would be NaN */
        return q->part ? 0.0 : 1.0;
    double ph = q->im_n * log(x);
    return q->part ? sin(ph) : cos(ph);
}

static double complex numeric_moment(const pf_card *card, int j, double complex N, double *abserr)
{
    const pf_flavour_card *f = &card->pdf.fl[j];
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
    double complex total = 0.0;
    *abserr = 0.0;
    for (int k = 0; k < f->npoly; k++) {
        if (f->poly[k] == 0.0)
            continue;
        double alpha = creal(N) - 2.0 + f->a + 0.5 * k;
        gsl_integration_qaws_table *t = gsl_integration_qaws_table_alloc(alpha, f->b, 0, 0);
        double v[2] = {0, 0};
        for (int part = 0; part < 2; part++) {
            struct integrand q = {cimag(N), part};
            gsl_function F = {osc, &q};
            double err;
            if (part == 1 && cimag(N) == 0.0)
                break;
            gsl_integration_qaws(&F, 0.0, 1.0, t, 1e-14, 1e-13, 2000, w, &v[part], &err);
            *abserr += err * fabs(f->poly[k]);
        }
        total += f->poly[k] * CMPLX(v[0], v[1]);
        gsl_integration_qaws_table_free(t);
    }
    gsl_integration_workspace_free(w);
    return total; /* times A_j, applied by the caller */
}

static void check_moments(const char *yaml)
{
    pf_card card;
    pf_status st;
    pf_card_parse(yaml, strlen(yaml), "test-card", &card, &st);
    pf_pdf *pdf = make(yaml);
    const double complex Ns[] = {1.0, 2.0, 1.5, 3.7, CMPLX(2.2, 0.8), CMPLX(1.6, -1.5), 6.0};
    const size_t n = sizeof Ns / sizeof Ns[0];
    double complex M[sizeof Ns / sizeof Ns[0] * PF_NIN];
    assert_int_equal(pf_pdf_moments(pdf, n, Ns, M, NULL, &st), PF_OK);
    int checked = 0;
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < PF_NIN; j++) {
            if (!card.pdf.fl[j].present)
                continue;
            int r = card.pdf.fl[j].same_as >= 0 ? card.pdf.fl[j].same_as : j;
            if (creal(Ns[i]) - 1.0 + card.pdf.fl[r].a <= 0.05)
                continue; /* integral diverges there; the moment is its continuation */
            double err;
            double complex ref = pf_pdf_norm(pdf, j) * numeric_moment(&card, r, Ns[i], &err);
            double d = cabs(M[i * PF_NIN + j] - ref) / cabs(ref);
            if (d > 1e-10)
                fail_msg("flavour %s N=(%g,%g): analytic (%.15g,%.15g) numeric (%.15g,%.15g) rel %.2e",
                         pf_flav_in_name[j], creal(Ns[i]), cimag(Ns[i]), creal(M[i * PF_NIN + j]),
                         cimag(M[i * PF_NIN + j]), creal(ref), cimag(ref), d);
            checked++;
        }
    assert_true(checked > 30);
    pf_pdf_destroy(pdf);
}

static void test_moments_match_gsl_integration_example_card(void **state)
{
    (void)state;
    check_moments(example_card);
}

static void test_moments_match_gsl_integration_lha_toy(void **state)
{
    (void)state;
    check_moments(lha_card);
}

/* Sum rules: int uv = 2, int dv = 1, int x (sum q + g) = 1, by numerical integration. */
static void test_sum_rules_hold_by_numerical_integration(void **state)
{
    (void)state;
    pf_card card;
    pf_status st;
    pf_card_parse(example_card, strlen(example_card), "test-card", &card, &st);
    pf_pdf *pdf = make(example_card);
    double err;
    double uv = pf_pdf_norm(pdf, PF_IN_UV) * creal(numeric_moment(&card, PF_IN_UV, 1.0, &err));
    double dv = pf_pdf_norm(pdf, PF_IN_DV) * creal(numeric_moment(&card, PF_IN_DV, 1.0, &err));
    if (fabs(uv - 2.0) > 1e-11 || fabs(dv - 1.0) > 1e-11)
        fail_msg("int uv = %.15g (expected 2), int dv = %.15g (expected 1)", uv, dv);
    /* momentum: u = uv + ubar, d = dv + dbar: the sea antiquarks count twice */
    const double weight[PF_NIN] = {1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    double mom = 0.0;
    for (int j = 0; j < PF_NIN; j++) {
        if (!card.pdf.fl[j].present)
            continue;
        int r = card.pdf.fl[j].same_as >= 0 ? card.pdf.fl[j].same_as : j;
        mom += weight[j] * pf_pdf_norm(pdf, j) * creal(numeric_moment(&card, r, 2.0, &err));
    }
    if (fabs(mom - 1.0) > 1e-11)
        fail_msg("momentum sum = %.15g, expected 1", mom);
    pf_pdf_destroy(pdf);
}

/* Gradients of the moments (complex N) and of x f against central finite differences, for
 * every parameter, including the effect of each on the sum-rule normalisations. */
static void test_gradients_match_central_finite_differences(void **state)
{
    (void)state;
    pf_pdf *pdf = make(example_card);
    pf_status st;
    const size_t np = pf_pdf_nparams(pdf);
    assert_int_equal(np, 25); /* uv: a b p0 p1 p2; dv: a b p0; ubar, dbar, s: A a b p0; g: a b p0 p1 p2 */
    const double complex Ns[] = {CMPLX(1.9, 0.0), CMPLX(2.3, 1.7), CMPLX(-3.0, 9.0), CMPLX(5.5, -4.0)};
    const double xs[] = {1e-4, 0.01, 0.3, 0.8};
    const size_t n = 4;
    double complex M[4 * PF_NIN], Mp[4 * PF_NIN], Mm[4 * PF_NIN];
    double complex *dM = malloc(sizeof(double complex) * np * n * PF_NIN);
    double xf[4 * PF_NIN], xp[4 * PF_NIN], xm[4 * PF_NIN];
    double *dxf = malloc(sizeof(double) * np * n * PF_NIN);
    double *th = malloc(sizeof(double) * np), *t2 = malloc(sizeof(double) * np);
    assert_int_equal(pf_pdf_moments(pdf, n, Ns, M, dM, &st), PF_OK);
    assert_int_equal(pf_pdf_xf(pdf, n, xs, xf, dxf, &st), PF_OK);
    pf_pdf_get_params(pdf, th);
    for (size_t p = 0; p < np; p++) {
        const double h = 1e-5 * fmax(1.0, fabs(th[p]));
        memcpy(t2, th, sizeof(double) * np);
        t2[p] = th[p] + h;
        assert_int_equal(pf_pdf_set_params(pdf, t2, &st), PF_OK);
        pf_pdf_moments(pdf, n, Ns, Mp, NULL, &st);
        pf_pdf_xf(pdf, n, xs, xp, NULL, &st);
        t2[p] = th[p] - h;
        assert_int_equal(pf_pdf_set_params(pdf, t2, &st), PF_OK);
        pf_pdf_moments(pdf, n, Ns, Mm, NULL, &st);
        pf_pdf_xf(pdf, n, xs, xm, NULL, &st);
        for (size_t k = 0; k < n * PF_NIN; k++) {
            double complex fd = (Mp[k] - Mm[k]) / (2 * h), an = dM[p * n * PF_NIN + k];
            /* FD round-off is ~ eps |M| / h: a floor of 1e-9 |M| for derivatives that vanish */
            double scale = fmax(cabs(an), 1e-3 * cabs(M[k]));
            if (cabs(fd - an) > 1e-6 * scale + 1e-13)
                fail_msg("dM/d%s at node %zu flavour %s: analytic (%.10g,%.10g) fd (%.10g,%.10g)",
                         pf_pdf_param_name(pdf, p), k / PF_NIN, pf_flav_in_name[k % PF_NIN],
                         creal(an), cimag(an), creal(fd), cimag(fd));
            double fdx = (xp[k] - xm[k]) / (2 * h), anx = dxf[p * n * PF_NIN + k];
            double sx = fmax(fabs(anx), 1e-3 * fabs(xf[k]));
            if (fabs(fdx - anx) > 1e-6 * sx + 1e-13)
                fail_msg("dxf/d%s at x=%g flavour %s: analytic %.10g fd %.10g", pf_pdf_param_name(pdf, p),
                         xs[k / PF_NIN], pf_flav_in_name[k % PF_NIN], anx, fdx);
        }
    }
    free(dM); free(dxf); free(th); free(t2);
    pf_pdf_destroy(pdf);
}

static void test_parameter_names_and_bad_values_are_reported(void **state)
{
    (void)state;
    pf_pdf *pdf = make(example_card);
    pf_status st;
    assert_int_equal(pf_pdf_param_index(pdf, "uv.a"), 0);
    assert_true(pf_pdf_param_index(pdf, "ubar.A") >= 0);
    assert_int_equal(pf_pdf_param_index(pdf, "uv.A"), -1); /* fixed by the valence sum rule */
    assert_int_equal(pf_pdf_param_index(pdf, "sbar.a"), -1); /* shares s's parameters */
    const size_t np = pf_pdf_nparams(pdf);
    double *th = malloc(sizeof(double) * np);
    pf_pdf_get_params(pdf, th);
    double keep = th[pf_pdf_param_index(pdf, "g.a")];
    th[pf_pdf_param_index(pdf, "g.a")] = -1.2;
    assert_int_equal(pf_pdf_set_params(pdf, th, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "parameter 'g.a' = -1.2: expected > -1"));
    th[pf_pdf_param_index(pdf, "g.a")] = keep;
    th[pf_pdf_param_index(pdf, "dv.b")] = NAN;
    assert_int_equal(pf_pdf_set_params(pdf, th, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "parameter 'dv.b' = nan: expected a finite number"));
    pf_pdf_get_params(pdf, th);
    th[pf_pdf_param_index(pdf, "ubar.A")] = 40.0; /* the sea would carry all the momentum */
    assert_int_equal(pf_pdf_set_params(pdf, th, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "momentum sum rule cannot be met"));
    th[pf_pdf_param_index(pdf, "ubar.A")] = 0.15;
    th[pf_pdf_param_index(pdf, "uv.a")] = -0.1; /* valence number integral diverges */
    assert_int_equal(pf_pdf_set_params(pdf, th, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "valence sum rule needs a > 0"));
    free(th);
    pf_pdf_destroy(pdf);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_match_gsl_integration_example_card),
        cmocka_unit_test(test_moments_match_gsl_integration_lha_toy),
        cmocka_unit_test(test_sum_rules_hold_by_numerical_integration),
        cmocka_unit_test(test_gradients_match_central_finite_differences),
        cmocka_unit_test(test_parameter_names_and_bad_values_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
