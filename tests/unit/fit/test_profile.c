/* Profile-likelihood intervals (profile.c) against independent values: the Hessian error
 * for a quadratic -ln L (where the two must agree), the closed-form interval of a
 * non-parabolic profile, a profile computed independently with GSL's 1D Brent minimiser and
 * root finder, an allowed region that ends before -ln L rises by 1/2, and a "best fit" that
 * is not the minimum (detected, and the lower point handed back for a refit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_roots.h>

#include "partonflow/fit.h"

/* ---- a correlated quadratic in 3 parameters: f = (theta - mu)^T A (theta - mu) / 2 + 7 */
static const double QA[9] = {4.0, 1.2, -0.6, 1.2, 2.0, 0.5, -0.6, 0.5, 1.0};
static const double QMU[3] = {0.3, -1.0, 2.0};

static int quad_fdf(void *ctx, const double *th, double *f, double *g, pf_status *st)
{
    (void)ctx; (void)st;
    double d[3], s = 0.0;
    for (int i = 0; i < 3; i++) d[i] = th[i] - QMU[i];
    for (int i = 0; i < 3; i++) {
        double r = 0.0;
        for (int j = 0; j < 3; j++) r += QA[i * 3 + j] * d[j];
        s += d[i] * r;
        if (g) g[i] = r;
    }
    *f = 0.5 * s + 7.0;
    return PF_OK;
}

/* ---- non-parabolic: f(a, b) = ((e^a - 2) / W)^2 / 2 + ((b - a) / 0.2)^2 / 2.  The profile
 * in a (b = a) is ((e^a - 2) / W)^2 / 2: the interval is [ln(2 - W), ln(2 + W)] exactly. */
#define W 0.5
static int curved_fdf(void *ctx, const double *th, double *f, double *g, pf_status *st)
{
    (void)ctx; (void)st;
    const double a = th[0], b = th[1], e = exp(a), u = (e - 2.0) / W, v = (b - a) / 0.2;
    *f = 0.5 * u * u + 0.5 * v * v;
    if (g) {
        g[0] = u * e / W - v / 0.2;
        g[1] = v / 0.2;
    }
    return PF_OK;
}

static pf_fit_result fit_of(size_t n, const double *start, pf_fit_fdf_fn fn, void *ctx)
{
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    pf_fit_result r;
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(pf_fit_minimize(n, start, fn, ctx, &opt, &r, &st), PF_OK);
    return r;
}

static void test_quadratic_profile_equals_the_hessian_error(void **state)
{
    (void)state;
    const double start[3] = {0.0, 0.0, 0.0};
    pf_fit_result r = fit_of(3, start, quad_fdf, NULL);
    /* independent: sqrt((A^-1)_kk) from the cofactors of A */
    const double *a = QA;
    const double det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) +
                       a[2] * (a[3] * a[7] - a[4] * a[6]);
    const double inv[3] = {(a[4] * a[8] - a[5] * a[7]) / det, (a[0] * a[8] - a[2] * a[6]) / det,
                           (a[0] * a[4] - a[1] * a[3]) / det};
    for (size_t k = 0; k < 3; k++) {
        double lo, hi;
        long nfev;
        char why[256];
        pf_status st;
        pf_status_clear(&st);
        assert_int_equal(pf_fit_profile_interval(3, &r, k, quad_fdf, NULL, NULL, &lo, &hi, &nfev, why, sizeof why, &st),
                         PF_OK);
        const double s = sqrt(inv[k]);
        if (fabs(lo - s) > 2e-3 * s || fabs(hi - s) > 2e-3 * s)
            fail_msg("k=%zu: profile interval -%.6g +%.6g, expected +-%.6g", k, lo, hi, s);
        assert_true(nfev > 0);
    }
    pf_fit_result_free(&r);
}

/* independent profile of the curved model in b: min over a by GSL Brent */
static double curved_f(double a, void *p)
{
    const double th[2] = {a, *(double *)p};
    double f;
    curved_fdf(NULL, th, &f, NULL, NULL);
    return f;
}
static double curved_profile_b(double b)
{
    gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    gsl_function F = {curved_f, &b};
    /* the minimum over a lies between ln 2 and b (or b and ln 2) */
    double lo = fmin(log(2.0), b) - 0.5, hi = fmax(log(2.0), b) + 0.5, x = 0.5 * (log(2.0) + b);
    gsl_min_fminimizer_set(m, &F, x, lo, hi);
    for (int i = 0; i < 200; i++) {
        gsl_min_fminimizer_iterate(m);
        if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(m), gsl_min_fminimizer_x_upper(m), 1e-12, 0.0) ==
            GSL_SUCCESS)
            break;
    }
    const double f = gsl_min_fminimizer_f_minimum(m);
    gsl_min_fminimizer_free(m);
    return f;
}
static double curved_profile_b_half(double b, void *p)
{
    return curved_profile_b(b) - *(double *)p - 0.5;
}
static double brent_root(double x0, double x1, double fmin)
{
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_function F = {curved_profile_b_half, &fmin};
    gsl_root_fsolver_set(s, &F, x0, x1);
    double r = 0.0;
    for (int i = 0; i < 200; i++) {
        gsl_root_fsolver_iterate(s);
        r = gsl_root_fsolver_root(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 1e-12, 0.0) ==
            GSL_SUCCESS)
            break;
    }
    gsl_root_fsolver_free(s);
    return r;
}

static void test_curved_profile_matches_closed_form_and_an_independent_brent_profile(void **state)
{
    (void)state;
    const double start[2] = {0.2, 0.9};
    pf_fit_result r = fit_of(2, start, curved_fdf, NULL);
    assert_true(fabs(r.theta[0] - log(2.0)) < 1e-3 * r.err[0]); /* gtol: 1e-3 standard deviations */
    double lo, hi;
    long nfev;
    char why[256];
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(pf_fit_profile_interval(2, &r, 0, curved_fdf, NULL, NULL, &lo, &hi, &nfev, why, sizeof why, &st),
                     PF_OK);
    const double elo = log(2.0) - log(2.0 - W), ehi = log(2.0 + W) - log(2.0);
    /* 1e-3 standard deviations of the crossing, ~0.25 here */
    if (fabs(lo - elo) > 1e-3 || fabs(hi - ehi) > 1e-3)
        fail_msg("a: profile interval -%.6g +%.6g, closed form -%.6g +%.6g (Hessian error %.6g)", lo, hi, elo, ehi,
                 r.err[0]);
    /* the Hessian error is visibly different: the profile is not parabolic */
    assert_true(fabs(lo - r.err[0]) > 0.02 && fabs(hi - r.err[0]) > 0.01);
    assert_int_equal(pf_fit_profile_interval(2, &r, 1, curved_fdf, NULL, NULL, &lo, &hi, &nfev, why, sizeof why, &st),
                     PF_OK);
    const double b0 = r.theta[1], fmin = r.fmin;
    const double blo = b0 - brent_root(b0 - 3.0, b0 - 1e-3, fmin), bhi = brent_root(b0 + 1e-3, b0 + 3.0, fmin) - b0;
    if (fabs(lo - blo) > 1e-3 || fabs(hi - bhi) > 1e-3)
        fail_msg("b: profile interval -%.6g +%.6g, Brent profile -%.6g +%.6g", lo, hi, blo, bhi);
    pf_fit_result_free(&r);
}

/* f(a) = ((a - 0.1) / 0.5)^2 / 2, allowed only for a > 0: the lower end is not reachable */
static int bounded_fdf(void *ctx, const double *th, double *f, double *g, pf_status *st)
{
    (void)ctx;
    if (th[0] <= 0.0) return pf_status_set(st, PF_EDOMAIN, "a <= 0");
    const double u = (th[0] - 0.1) / 0.5;
    *f = 0.5 * u * u;
    if (g) g[0] = u / 0.5;
    return PF_OK;
}

static void test_an_end_beyond_the_allowed_region_is_reported_not_invented(void **state)
{
    (void)state;
    const double start[1] = {0.3};
    pf_fit_result r = fit_of(1, start, bounded_fdf, NULL);
    double lo, hi;
    long nfev;
    char why[256];
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(pf_fit_profile_interval(1, &r, 0, bounded_fdf, NULL, NULL, &lo, &hi, &nfev, why, sizeof why, &st),
                     PF_ENOCONV);
    assert_true(isnan(lo));
    assert_true(fabs(hi - 0.5) < 1e-3);
    assert_non_null(strstr(why, "lower end of parameter 0 not found (the allowed region ends"));
    pf_fit_result_free(&r);
}

static void test_a_best_fit_that_is_not_the_minimum_is_detected(void **state)
{
    (void)state;
    const double start[3] = {0.0, 0.0, 0.0};
    pf_fit_result r = fit_of(3, start, quad_fdf, NULL);
    /* move the "best fit" of parameter 1 by one standard deviation along the profile path
     * (f there: 7 + 1/2); the first profile point, one error below, is the true minimum */
    for (size_t i = 0; i < 3; i++) r.theta[i] += r.cov[i * 3 + 1] / r.err[1];
    r.fmin = 7.5;
    double lo, hi;
    long nfev;
    char why[256];
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(pf_fit_profile_interval(3, &r, 1, quad_fdf, NULL, NULL, &lo, &hi, &nfev, why, sizeof why, &st),
                     PF_ENOCONV);
    assert_non_null(strstr(why, "not at the minimum"));
    /* opt.lower: the lowest profile point found below f_min, for the caller's refit (fit_run.c):
     * its f is the function's own value there and lower than the "best fit"'s, and a
     * minimisation from it reaches the true minimum mu (f = 7) */
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    double low[4] = {0, 0, 0, NAN};
    opt.lower = low;
    pf_status_clear(&st);
    assert_int_equal(pf_fit_profile_interval(3, &r, 1, quad_fdf, NULL, &opt, &lo, &hi, &nfev, why, sizeof why, &st),
                     PF_ENOCONV);
    assert_true(isfinite(low[3]) && low[3] < 7.5 - 1e-3);
    double f;
    quad_fdf(NULL, low, &f, NULL, &st);
    assert_true(fabs(f - low[3]) < 1e-12);
    pf_fit_result again = fit_of(3, low, quad_fdf, NULL);
    for (int i = 0; i < 3; i++) assert_true(fabs(again.theta[i] - QMU[i]) < 1e-3 * again.err[i]);
    assert_true(fabs(again.fmin - 7.0) < 1e-9);
    pf_fit_result_free(&again);
    /* a profile of the true minimum finds nothing below it: lower stays NaN */
    pf_fit_result best = fit_of(3, start, quad_fdf, NULL);
    low[3] = NAN;
    pf_status_clear(&st);
    assert_int_equal(pf_fit_profile_interval(3, &best, 1, quad_fdf, NULL, &opt, &lo, &hi, &nfev, why, sizeof why, &st),
                     PF_OK);
    assert_true(isnan(low[3]));
    pf_fit_result_free(&best);
    pf_fit_result_free(&r);
}

/* ---- the evaluation count: *nfev must be every call of fn, also those of profile fits
 * whose start on the linear profile path lies outside the allowed region (there
 * pf_fit_minimize fails at its first evaluation and the retry starts from the best fit).
 * f(a, b) = ((a - 0.1) / 0.5)^2 / 2 + ((b - a) / 0.3)^2 / 2, allowed for b > 0.05 only. */
typedef struct counted { long calls; } counted;
static int wall_fdf(void *ctx, const double *th, double *f, double *g, pf_status *st)
{
    ((counted *)ctx)->calls++;
    if (th[1] <= 0.05) return pf_status_set(st, PF_EDOMAIN, "b <= 0.05");
    const double u = (th[0] - 0.1) / 0.5, v = (th[1] - th[0]) / 0.3;
    *f = 0.5 * u * u + 0.5 * v * v;
    if (g) {
        g[0] = u / 0.5 - v / 0.3;
        g[1] = v / 0.3;
    }
    return PF_OK;
}

static void test_the_evaluation_count_includes_profile_fits_started_outside_the_region(void **state)
{
    (void)state;
    const double start[2] = {0.3, 0.4};
    counted c = {0};
    pf_fit_result r = fit_of(2, start, wall_fdf, &c);
    assert_true(r.converged);
    for (size_t k = 0; k < 2; k++) {
        double lo, hi;
        long nfev = -1;
        char why[256];
        pf_status st;
        pf_status_clear(&st);
        c.calls = 0;
        const int rc = pf_fit_profile_interval(2, &r, k, wall_fdf, &c, NULL, &lo, &hi, &nfev, why, sizeof why, &st);
        assert_true(rc == PF_OK || rc == PF_ENOCONV);
        assert_true(c.calls > 0);
        assert_int_equal(nfev, c.calls);
    }
    /* the upper end of a is inside the region and the likelihood is a quadratic there:
     * the profile's upper half equals the Hessian error */
    double lo, hi;
    long nfev;
    char why[256];
    pf_status st;
    pf_status_clear(&st);
    pf_fit_profile_interval(2, &r, 0, wall_fdf, &c, NULL, &lo, &hi, &nfev, why, sizeof why, &st);
    assert_true(fabs(hi - r.err[0]) < 1e-3 * r.err[0]);
    pf_fit_result_free(&r);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quadratic_profile_equals_the_hessian_error),
        cmocka_unit_test(test_curved_profile_matches_closed_form_and_an_independent_brent_profile),
        cmocka_unit_test(test_an_end_beyond_the_allowed_region_is_reported_not_invented),
        cmocka_unit_test(test_a_best_fit_that_is_not_the_minimum_is_detected),
        cmocka_unit_test(test_the_evaluation_count_includes_profile_fits_started_outside_the_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
