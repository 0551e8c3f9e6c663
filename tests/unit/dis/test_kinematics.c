/* kernels/kinematics.h against hand calculations and a second form of the Born formula. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "partonflow/kernels/kinematics.h"

#define ALPHA (1.0 / 137.036)

static void assert_rel(double got, double want, double tol)
{
    double d = fabs(got - want) / fmax(fabs(want), 1e-300);
    if (d > tol) fail_msg("got %.17g, want %.17g (rel. deviation %.3g > %.3g)", got, want, d, tol);
}

/* s, y, W^2 at E_e = 10 GeV, E_p = 100 GeV, x = 0.01, Q^2 = 10 GeV^2, by hand:
 * s = 4 * 10 * 100 = 4000, y = 10 / (0.01 * 4000) = 0.25, W^2 = 0.938272^2 + 10*0.99/0.01. */
static void test_kinematics_s_y_w2_match_hand_values(void **state)
{
    (void)state;
    const double s = pf_kin_s(10.0, 100.0);
    assert_rel(s, 4000.0, 1e-15);
    assert_rel(pf_kin_y(0.01, 10.0, s), 0.25, 1e-15);
    assert_rel(pf_kin_w2(0.01, 10.0), 0.880354345984 + 990.0, 1e-14);
    assert_rel(pf_kin_yplus(0.25), 1.5625, 1e-15);
}

/* The factors at that point, computed by hand (python) from
 * 2 pi alpha^2 / (x Q^4) [(1+(1-y)^2) F2 - y^2 FL] * 0.3893794e9 pb GeV^2. */
static void test_xsec_factors_match_hand_values(void **state)
{
    (void)state;
    double f2, fl;
    pf_kin_xsec_factors(0.01, 10.0, 4000.0, ALPHA, &f2, &fl);
    assert_rel(f2, 203565.19204194224, 1e-13);
    assert_rel(fl, -8142.6076816776895, 1e-13);
}

/* Second form of the same Born cross section (ESW ch. 4, with 2 x F1 = F2 - FL):
 * d2sigma/dxdQ2 = 4 pi alpha^2/(x Q^4) [ (1-y) F2 + y^2 x F1 ], over a scan of (x, Q^2, s)
 * and arbitrary F2, FL; also the reduced cross section times 2 pi alpha^2 Y+/(x Q^4). */
static void test_xsec_factors_equal_f1_f2_form_and_reduced_xsec(void **state)
{
    (void)state;
    const double xs[] = {1e-4, 3e-3, 0.05, 0.3, 0.8};
    const double q2s[] = {2.0, 15.0, 300.0, 9000.0};
    const double ss[] = {4000.0, 1.0e5};
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 4; b++)
            for (int c = 0; c < 2; c++) {
                double x = xs[a], q2 = q2s[b], s = ss[c];
                double y = q2 / (x * s);
                if (y > 1.0) continue;
                double F2 = 0.3 + x, FL = 0.05 + 0.1 * x;
                double f2, fl;
                pf_kin_xsec_factors(x, q2, s, ALPHA, &f2, &fl);
                double xF1 = 0.5 * (F2 - FL);
                double want = 4.0 * M_PI * ALPHA * ALPHA / (x * q2 * q2) *
                              ((1.0 - y) * F2 + y * y * xF1) * 0.3893794e9;
                assert_rel(f2 * F2 + fl * FL, want, 1e-13);
                double red = 2.0 * M_PI * ALPHA * ALPHA * pf_kin_yplus(y) / (x * q2 * q2) *
                             0.3893794e9 * pf_kin_sigma_r(y, F2, FL);
                assert_rel(red, want, 1e-13);
            }
}

/* Each cut, one at a time, on both sides of its boundary. */
static void test_cuts_accept_and_reject_each_boundary(void **state)
{
    (void)state;
    const double cuts[7] = {4.0, 1000.0, 1e-3, 0.9, 0.01, 0.95, 10.0};
    const double s = 4000.0;
    assert_int_equal(pf_kin_in_cuts(cuts, 0.01, 10.0, s), 1); /* y = 0.25, W2 ~ 991 */
    assert_int_equal(pf_kin_in_cuts(cuts, 0.01, 3.99, s), 0);     /* q2_min */
    assert_int_equal(pf_kin_in_cuts(cuts, 0.5, 1000.1, s), 0);    /* q2_max */
    assert_int_equal(pf_kin_in_cuts(cuts, 0.5, 999.9, s), 1);
    assert_int_equal(pf_kin_in_cuts(cuts, 0.99e-3, 5.0, 1e5), 0); /* x_min (y = 0.0505) */
    assert_int_equal(pf_kin_in_cuts(cuts, 1.01e-3, 5.0, 1e5), 1);
    assert_int_equal(pf_kin_in_cuts(cuts, 1.01e-3, 4.0, s), 0);   /* y = 0.990 > y_max */
    assert_int_equal(pf_kin_in_cuts(cuts, 1.1e-3, 4.0, s), 1);    /* y = 0.909 */
    assert_int_equal(pf_kin_in_cuts(cuts, 1.05e-3, 4.0, s), 0);   /* y = 0.952 */
    assert_int_equal(pf_kin_in_cuts(cuts, 0.91, 500.0, s), 0);    /* x_max */
    assert_int_equal(pf_kin_in_cuts(cuts, 0.5, 19.0, s), 0);      /* y = 0.0095 < y_min */
    assert_int_equal(pf_kin_in_cuts(cuts, 0.5, 21.0, s), 1);
    /* W2 = 0.88 + Q2 (1-x)/x: at x = 0.9, Q2 = 80: 0.88 + 8.89 < 10 */
    assert_int_equal(pf_kin_in_cuts(cuts, 0.9, 80.0, s), 0);
    assert_int_equal(pf_kin_in_cuts(cuts, 0.9, 90.0, s), 1);      /* 0.88 + 10 */
    assert_int_equal(pf_kin_in_cuts(cuts, 0.0, 10.0, s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinematics_s_y_w2_match_hand_values),
        cmocka_unit_test(test_xsec_factors_match_hand_values),
        cmocka_unit_test(test_xsec_factors_equal_f1_f2_form_and_reduced_xsec),
        cmocka_unit_test(test_cuts_accept_and_reject_each_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
