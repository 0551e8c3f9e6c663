/* pf_fit_minimize with a restart (fit.h opt.restart, docs/fitting.md "Local minima"): on a
 * double well whose two minima are known independently (the roots of f' found here by
 * bisection), a fit from the side of the local minimum converges there; with a restart on
 * the other side it reports the global one and by how much the given start's end was
 * higher; a restart that ends higher changes nothing; a restart that gets lower without
 * converging makes the fit not converged.  The Hessian next to the edge of the allowed
 * region (a best fit at the theory grid's exponent limit): the column whose step leaves the
 * region is the one-sided difference towards the other side, exact for a quadratic; with
 * both sides outside it is an error naming the region. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "partonflow/fit.h"

/* f(x, y) = A ((x^2 - 1)^2 + C x) + y^2 / 2: minima at the roots of 4 x (x^2 - 1) + C = 0
 * near x = -1 (global) and x = +1 (local, higher by ~2 A C = 1) */
#define A 5.0
#define C 0.1

static int well(void *ctx, const double *th, double *f, double *g, pf_status *st)
{
    (void)ctx; (void)st;
    const double x = th[0], y = th[1], u = x * x - 1.0;
    *f = A * (u * u + C * x) + 0.5 * y * y;
    if (g) {
        g[0] = A * (4.0 * x * u + C);
        g[1] = y;
    }
    return PF_OK;
}

static double fwell(double x) { return A * ((x * x - 1.0) * (x * x - 1.0) + C * x); }

/* root of 4 x (x^2 - 1) + C in [lo, hi] by bisection */
static double root(double lo, double hi)
{
    for (int k = 0; k < 200; k++) {
        const double m = 0.5 * (lo + hi);
        const double dl = 4.0 * lo * (lo * lo - 1.0) + C, dm = 4.0 * m * (m * m - 1.0) + C;
        if ((dl < 0) == (dm < 0)) lo = m; else hi = m;
    }
    return 0.5 * (lo + hi);
}

static void without_restart_the_fit_converges_at_the_local_minimum(void **state)
{
    (void)state;
    const double start[2] = {1.3, 0.4}, xl = root(0.5, 1.5);
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    pf_fit_result r;
    pf_status st = {0};
    assert_int_equal(pf_fit_minimize(2, start, well, NULL, &opt, &r, &st), PF_OK);
    assert_true(r.converged);
    assert_true(fabs(r.theta[0] - xl) < 1e-5);
    assert_true(r.start_excess == 0.0);
    pf_fit_result_free(&r);
}

static void a_restart_that_ends_lower_is_the_result_and_the_local_minimum_is_named(void **state)
{
    (void)state;
    const double start[2] = {1.3, 0.4}, other[2] = {-1.3, -0.2};
    const double xg = root(-1.5, -0.5), xl = root(0.5, 1.5);
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    opt.restart = other;
    pf_fit_result r;
    pf_status st = {0};
    assert_int_equal(pf_fit_minimize(2, start, well, NULL, &opt, &r, &st), PF_OK);
    assert_true(r.converged);
    assert_true(fabs(r.theta[0] - xg) < 1e-5);
    assert_true(fabs(r.fmin - fwell(xg)) < 1e-9);
    assert_true(fabs(r.start_excess - (fwell(xl) - fwell(xg))) < 1e-6);
    assert_non_null(strstr(r.message, "local minimum"));
    pf_fit_result_free(&r);
}

static void a_restart_that_ends_higher_changes_nothing(void **state)
{
    (void)state;
    const double start[2] = {-1.3, 0.4}, other[2] = {1.3, -0.2}, xg = root(-1.5, -0.5);
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    opt.restart = other;
    pf_fit_result r;
    pf_status st = {0};
    assert_int_equal(pf_fit_minimize(2, start, well, NULL, &opt, &r, &st), PF_OK);
    assert_true(r.converged);
    assert_true(fabs(r.theta[0] - xg) < 1e-5);
    assert_true(r.start_excess == 0.0);
    assert_null(strstr(r.message, "local minimum"));
    pf_fit_result_free(&r);
}

static void a_lower_restart_that_did_not_converge_makes_the_fit_not_converged(void **state)
{
    (void)state;
    /* the fit starts at the local minimum (converged at once); the restart has too few
     * iterations to converge but gets below it */
    const double xl = root(0.5, 1.5), start[2] = {xl, 0.0}, other[2] = {-0.8, 0.0};
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    opt.restart = other;
    opt.max_iter = 1;
    pf_fit_result r;
    pf_status st = {0};
    assert_int_equal(pf_fit_minimize(2, start, well, NULL, &opt, &r, &st), PF_ENOCONV);
    assert_false(r.converged);
    assert_true(fabs(r.theta[0] - xl) < 1e-6);
    assert_true(r.start_excess > 0.5);
    assert_non_null(strstr(r.message, "a restart reached"));
    assert_non_null(strstr(st.msg, "local minimum"));
    pf_fit_result_free(&r);
}


/* f = 1/2 th^T Q th + c . th (Hessian Q exactly), defined only for th[0] >= LO */
static const double Q[3][3] = {{4.0, 1.0, -0.5}, {1.0, 3.0, 0.25}, {-0.5, 0.25, 2.0}};
static double LO;
static int edged(void *ctx, const double *th, double *f, double *g, pf_status *st)
{
    (void)ctx;
    if (th[0] < LO) return pf_status_set(st, PF_EDOMAIN, "th[0] = %g below %g", th[0], LO);
    *f = 0.0;
    for (int i = 0; i < 3; i++) {
        double qi = 0.1 * (i + 1);
        for (int j = 0; j < 3; j++) qi += Q[i][j] * th[j];
        if (g) g[i] = qi;
        *f += 0.5 * th[i] * (qi + 0.1 * (i + 1));
    }
    return PF_OK;
}

static void hessian_at_the_edge_of_the_region_is_one_sided_there(void **state)
{
    (void)state;
    const double th[3] = {0.2, -0.1, 0.3}, h[3] = {1e-3, 1e-3, 1e-3};
    double H[9];
    pf_status st = {0};
    for (int side = 0; side < 2; side++) {
        LO = side ? th[0] - 0.5e-3 : -1e30; /* side 1: the minus step of th[0] is outside */
        assert_int_equal(pf_fit_hessian(3, th, h, edged, NULL, H, &st), PF_OK);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) assert_true(fabs(H[i * 3 + j] - Q[i][j]) < 1e-9);
    }
    LO = th[0] + 0.5e-3; /* th itself outside: no one-sided column either */
    assert_int_equal(pf_fit_hessian(3, th, h, edged, NULL, H, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "allowed region"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_restart_the_fit_converges_at_the_local_minimum),
        cmocka_unit_test(a_restart_that_ends_lower_is_the_result_and_the_local_minimum_is_named),
        cmocka_unit_test(a_restart_that_ends_higher_changes_nothing),
        cmocka_unit_test(a_lower_restart_that_did_not_converge_makes_the_fit_not_converged),
        cmocka_unit_test(hessian_at_the_edge_of_the_region_is_one_sided_there),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
