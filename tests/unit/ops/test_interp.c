/* kernels/interp.h on analytic functions, independently of any physics: cubics are
 * reproduced exactly, the error of a smooth function falls as h^4, and a function with a
 * kink (or a jump) at a segment edge is interpolated as well as a smooth one because no
 * stencil straddles the edge. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "partonflow/kernels/interp.h"

static pf_interp_axis uniform_axis(double lo, double hi, int n)
{
    pf_interp_axis ax = {0};
    ax.nseg = 1;
    ax.edge[0] = lo;
    ax.edge[1] = hi;
    ax.first[0] = 0;
    ax.n[0] = n;
    pf_interp_axis_finish(&ax);
    return ax;
}

static double interp1(const pf_interp_axis *ax, const double *f, double t)
{
    int i0 = 0;
    double w[4] = {0, 0, 0, 0};
    assert_int_equal(pf_interp_axis_locate(ax, t, &i0, w), 0);
    return w[0] * f[i0] + w[1] * f[i0 + 1] + w[2] * f[i0 + 2] + w[3] * f[i0 + 3];
}

static double cubic(double t) { return 0.3 - 1.7 * t + 0.25 * t * t - 0.125 * t * t * t; }

/* A cubic Lagrange stencil is exact for cubics, everywhere including the one-sided ends. */
static void test_cubic_polynomials_are_reproduced_exactly(void **state)
{
    (void)state;
    pf_interp_axis ax = uniform_axis(-2.0, 3.0, 11);
    double f[11];
    for (int i = 0; i < 11; i++) f[i] = cubic(pf_interp_axis_node(&ax, i));
    for (int k = 0; k <= 500; k++) {
        double t = -2.0 + 5.0 * k / 500.0;
        double d = fabs(interp1(&ax, f, t) - cubic(t));
        if (d > 1e-13) fail_msg("t = %g: error %.3g", t, d);
    }
    /* and the weights sum to one (constants are exact) */
    int i0;
    double w[4];
    pf_interp_axis_locate(&ax, 0.123, &i0, w);
    assert_true(fabs(w[0] + w[1] + w[2] + w[3] - 1.0) < 1e-15);
}

static double smooth2(double u, double t) { return exp(0.7 * sin(1.3 * u) + 0.3 * t * t) / (1.0 + 0.2 * u * u); }

/* max error of the bicubic interpolant of smooth2 on an n x n grid over [-2,2] x [0,1.5] */
static double max_error_2d(int n)
{
    pf_interp_axis xa = uniform_axis(-2.0, 2.0, n), ta = uniform_axis(0.0, 1.5, n);
    double *f = malloc(sizeof(double) * (size_t)n * (size_t)n);
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) f[r * n + c] = smooth2(pf_interp_axis_node(&xa, c), pf_interp_axis_node(&ta, r));
    double emax = 0.0;
    for (int k = 0; k < 4000; k++) {
        /* a fixed quasi-random sequence (golden-ratio steps) over the square */
        double a = fmod(0.5 + k * 0.6180339887498949, 1.0), b = fmod(0.5 + k * 0.7548776662466927, 1.0);
        double u = -2.0 + 4.0 * a, t = 1.5 * b;
        unsigned int idx[16] = {0};
        double w[16] = {0};
        assert_int_equal(pf_interp_bicubic(&ta, &xa, n, t, u, idx, w), 0);
        double s = 0.0;
        for (int j = 0; j < 16; j++) s += w[j] * f[idx[j]];
        const double d = fabs(s - smooth2(u, t));
        if (!(d <= emax)) emax = d; /* (NaN propagates) */
    }
    free(f);
    return emax;
}

/* Halving the spacing divides the error by ~16 (fourth order); measured order in [3.6, 4.4]. */
static void test_bicubic_error_converges_at_fourth_order(void **state)
{
    (void)state;
    double e1 = max_error_2d(21), e2 = max_error_2d(41), e3 = max_error_2d(81);
    double o1 = log2(e1 / e2), o2 = log2(e2 / e3);
    print_message("bicubic max errors %.3g %.3g %.3g, orders %.2f %.2f\n", e1, e2, e3, o1, o2);
    assert_true(o1 > 3.6 && o1 < 4.4);
    assert_true(o2 > 3.6 && o2 < 4.4);
    assert_true(e3 < 1e-5);
}

/* f = smooth + |t - tb| + 0.1 step(t - tb): with a segment edge at tb the interpolant keeps
 * fourth-order accuracy; on one uniform axis the kink costs O(h) accuracy. */
static double kinked(double t, double tb) { return sin(t) + fabs(t - tb) + (t >= tb ? 0.1 : 0.0); }

static void test_segment_edge_isolates_a_kink_and_a_jump(void **state)
{
    (void)state;
    const double tb = 0.4137;
    pf_interp_axis ax = {0};
    ax.nseg = 2;
    ax.edge[0] = -1.0;
    ax.edge[1] = tb;
    ax.edge[2] = 2.0;
    ax.first[0] = 0;
    ax.n[0] = 15;
    ax.first[1] = 15;
    ax.n[1] = 25;
    pf_interp_axis_finish(&ax);
    double f[40];
    for (int i = 0; i < 40; i++) {
        double t = pf_interp_axis_node(&ax, i);
        /* the two nodes at the edge take the one-sided limits */
        f[i] = i == 14 ? sin(tb) : kinked(t, tb);
    }
    assert_true(pf_interp_axis_node(&ax, 14) == tb && pf_interp_axis_node(&ax, 15) == tb);
    double emax = 0.0;
    for (int k = 0; k <= 3000; k++) {
        double t = -1.0 + 3.0 * k / 3000.0;
        if (t == tb) continue;
        const double d = fabs(interp1(&ax, f, t) - kinked(t, tb));
        if (!(d <= emax)) emax = d;
    }
    print_message("segmented axis: max error %.3g\n", emax);
    assert_true(emax < 2e-5);
    /* the same function on one uniform axis of 40 nodes is far worse */
    pf_interp_axis one = uniform_axis(-1.0, 2.0, 40);
    double g[40], e1 = 0.0;
    for (int i = 0; i < 40; i++) g[i] = kinked(pf_interp_axis_node(&one, i), tb);
    for (int k = 0; k <= 3000; k++) {
        double t = -1.0 + 3.0 * k / 3000.0;
        const double d = fabs(interp1(&one, g, t) - kinked(t, tb));
        if (!(d <= e1)) e1 = d;
    }
    assert_true(e1 > 1e-2);
}

static void test_points_outside_the_axis_are_refused(void **state)
{
    (void)state;
    pf_interp_axis ax = uniform_axis(0.0, 1.0, 5);
    int i0 = -7;
    double w[4];
    assert_int_equal(pf_interp_axis_locate(&ax, -1e-12, &i0, w), -1);
    assert_int_equal(pf_interp_axis_locate(&ax, 1.0 + 1e-12, &i0, w), -1);
    assert_int_equal(pf_interp_axis_locate(&ax, NAN, &i0, w), -1);
    assert_int_equal(i0, -7);
    assert_int_equal(pf_interp_axis_locate(&ax, 1.0, &i0, w), 0);
    assert_int_equal(i0, 1);
    assert_int_equal(pf_interp_axis_locate(&ax, 0.0, &i0, w), 0);
    assert_int_equal(i0, 0);
}

/* The branch-free logarithm used for interpolation coordinates against libm over 40
 * decades (absolute error, as a coordinate error, a few 1e-16 relative to |ln v| + 1). */
static void test_branch_free_log_matches_libm(void **state)
{
    (void)state;
    double emax = 0.0;
    for (int k = 0; k <= 200000; k++) {
        double v = pow(10.0, -20.0 + 40.0 * k / 200000.0) * (1.0 + 1e-3 * sin(k));
        const double d = fabs(pf_interp_log(v) - log(v)) / (1.0 + fabs(log(v)));
        if (!(d <= emax)) emax = d;
    }
    print_message("pf_interp_log: max |error| / (1 + |ln v|) = %.2e\n", emax);
    assert_true(emax < 5e-16);
    assert_true(pf_interp_log(1.0) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cubic_polynomials_are_reproduced_exactly),
        cmocka_unit_test(test_bicubic_error_converges_at_fourth_order),
        cmocka_unit_test(test_segment_edge_isolates_a_kink_and_a_jump),
        cmocka_unit_test(test_points_outside_the_axis_are_refused),
        cmocka_unit_test(test_branch_free_log_matches_libm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
