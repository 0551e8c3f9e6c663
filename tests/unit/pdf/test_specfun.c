/* Complex log Gamma and polygamma functions against GSL and exact identities. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "partonflow/specfun.h"

static double rel(double complex a, double complex b) { return cabs(a - b) / fmax(cabs(b), 1e-300); }

/* log Gamma agrees with GSL's complex lngamma modulo 2 pi i, on and off the real axis and
 * far left of it (the bent Mellin contour reaches Re N ~ -40). */
static void test_clgamma_matches_gsl(void **state)
{
    (void)state;
    const double pts[][2] = {{0.3, 0.0},  {1.0, 0.0},  {2.5, 0.0},   {7.2, 3.1}, {1.9, 12.0},
                             {-3.4, 7.7}, {-25.0, 30.0}, {-40.3, 41.0}, {0.01, -2.0}, {15.0, -0.4}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        gsl_sf_result lnr, arg;
        gsl_sf_lngamma_complex_e(pts[i][0], pts[i][1], &lnr, &arg);
        double complex z = CMPLX(pts[i][0], pts[i][1]);
        double complex mine = pf_clgamma(z);
        assert_true(fabs(creal(mine) - lnr.val) <= 1e-12 * fmax(1.0, fabs(lnr.val)));
        double dphase = remainder(cimag(mine) - arg.val, 2.0 * M_PI);
        assert_true(fabs(dphase) <= 1e-11 * fmax(1.0, fabs(arg.val)));
    }
}

/* psi^(k) on the real axis against gsl_sf_psi_n, k = 0..4. */
static void test_cpsi_n_matches_gsl_on_real_axis(void **state)
{
    (void)state;
    const double xs[] = {0.2, 1.0, 1.7, 3.3, 9.9, 10.5, 48.0};
    for (int k = 0; k <= 4; k++)
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            double ref = k == 0 ? gsl_sf_psi(xs[i]) : gsl_sf_psi_n(k, xs[i]);
            assert_true(rel(pf_cpsi_n(k, xs[i]), ref) < 1e-12);
        }
}

/* Off the axis: recurrence psi^(k)(z+1) - psi^(k)(z) = (-1)^k k!/z^(k+1), reflection
 * psi(1-z) - psi(z) = pi cot(pi z), and psi = d/dz log Gamma (central difference). */
static void test_cpsi_satisfies_recurrence_reflection_and_derivative(void **state)
{
    (void)state;
    const double complex zs[] = {CMPLX(0.7, 1.3), CMPLX(-5.2, 4.0), CMPLX(9.5, -0.5), CMPLX(-30.0, 28.0),
                                 CMPLX(2.0, 20.0)};
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        double complex z = zs[i];
        double kf = 1.0;
        for (int k = 0; k <= 4; k++) {
            if (k)
                kf *= k;
            double complex lhs = pf_cpsi_n(k, z + 1.0) - pf_cpsi_n(k, z);
            double complex rhs = ((k % 2) ? -1.0 : 1.0) * kf / cpow(z, k + 1);
            assert_true(cabs(lhs - rhs) <= 1e-12 * fmax(cabs(rhs), cabs(pf_cpsi_n(k, z))));
        }
        double complex refl = pf_cpsi(1.0 - z) - pf_cpsi(z);
        double complex cot = ccos(M_PI * z) / csin(M_PI * z);
        assert_true(rel(refl, M_PI * cot) < 1e-11);
        const double h = 1e-5;
        double complex d = (pf_clgamma(z + h) - pf_clgamma(z - h)) / (2 * h);
        assert_true(rel(d, pf_cpsi(z)) < 1e-8);
    }
}

/* Complex digamma against GSL's gsl_sf_complex_psi_e, and each psi^(k) against the
 * derivative of psi^(k-1) (central difference along the real and imaginary directions,
 * which also checks the Cauchy-Riemann structure). */
static void test_cpsi_matches_gsl_complex_and_polygamma_are_derivatives(void **state)
{
    (void)state;
    const double complex zs[] = {CMPLX(0.3, 0.2), CMPLX(1.5, 4.0), CMPLX(3.0, -7.5), CMPLX(12.0, 0.5),
                                 CMPLX(0.8, 35.0), CMPLX(25.0, -60.0)};
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        gsl_sf_result re, im;
        gsl_sf_complex_psi_e(creal(zs[i]), cimag(zs[i]), &re, &im);
        assert_true(rel(pf_cpsi(zs[i]), CMPLX(re.val, im.val)) < 1e-13);
        for (int k = 1; k <= 4; k++) {
            const double h = 1e-4 * fmax(1.0, cabs(zs[i]));
            for (int dir = 0; dir < 2; dir++) {
                const double complex dz = dir ? I * h : h;
                /* 4th-order central difference */
                double complex d = (8.0 * (pf_cpsi_n(k - 1, zs[i] + dz) - pf_cpsi_n(k - 1, zs[i] - dz))
                                    - (pf_cpsi_n(k - 1, zs[i] + 2.0 * dz) - pf_cpsi_n(k - 1, zs[i] - 2.0 * dz)))
                                   / (12.0 * dz);
                if (rel(d, pf_cpsi_n(k, zs[i])) > 1e-7)
                    fail_msg("psi^(%d)(%g%+gi): derivative %.12g%+.12gi analytic %.12g%+.12gi", k,
                             creal(zs[i]), cimag(zs[i]), creal(d), cimag(d),
                             creal(pf_cpsi_n(k, zs[i])), cimag(pf_cpsi_n(k, zs[i])));
            }
        }
    }
}

/* log Gamma is continuous along a bent Mellin contour N = c + t e^(+-i 3pi/4) that crosses
 * the real axis at c > 0 and reaches Re N ~ -40: consecutive steps agree with psi dz (no
 * 2 pi i jumps), and exp(log Gamma) satisfies Gamma(z+1) = z Gamma(z) there. */
static void test_clgamma_is_continuous_along_contour_and_satisfies_recurrence(void **state)
{
    (void)state;
    const double c = 1.1, phi = 0.75 * M_PI, dt = 0.01;
    double complex prev = pf_clgamma(c + 60.0 * cexp(-I * phi));
    for (double t = -60.0 + dt; t <= 60.0; t += dt) {
        double complex z = c + fabs(t) * cexp((t < 0 ? -I : I) * phi);
        double complex zp = c + fabs(t - dt) * cexp((t - dt < 0 ? -I : I) * phi);
        double complex cur = pf_clgamma(z);
        double complex step = 0.5 * (pf_cpsi(z) + pf_cpsi(zp)) * (z - zp);
        if (cabs(cur - prev - step) > 1e-3)
            fail_msg("log Gamma jumps between %g%+gi and %g%+gi", creal(zp), cimag(zp), creal(z), cimag(z));
        prev = cur;
        double complex ratio = cexp(pf_clgamma(z + 1.0) - cur) / z;
        assert_true(cabs(ratio - 1.0) < 1e-12);
    }
}

/* The split form Gamma = exp(L)/P (with psi from the same shift) used for Beta functions,
 * and log B, against GSL: complex lngamma (through exp) and real lnbeta. */
static void test_split_gamma_and_lbeta_match_gsl(void **state)
{
    (void)state;
    const double complex zs[] = {CMPLX(0.3, 0.2),     CMPLX(2.5, -3.0),     CMPLX(-9.7, -0.4),
                                 CMPLX(-70.3, 3.0),   CMPLX(-35.0, 36.0),   CMPLX(7.0, 900.0),
                                 CMPLX(45.0, 0.0),    CMPLX(-1500.0, 1400.0), CMPLX(-400.5, -30.0),
                                 CMPLX(-60.0, 59.0), CMPLX(-59.0, -60.0)};
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        double complex P, psi;
        double complex L = pf_clgamma_split(zs[i], &P, &psi);
        gsl_sf_result lnr, arg;
        gsl_sf_lngamma_complex_e(creal(zs[i]), cimag(zs[i]), &lnr, &arg);
        /* compare log(exp(L)/P) with GSL modulo 2 pi i */
        double complex mine = L - (0.5 * log(creal(P) * creal(P) + cimag(P) * cimag(P)) + I * carg(P));
        assert_true(fabs(creal(mine) - lnr.val) <= 1e-12 * fmax(1.0, fabs(lnr.val)));
        assert_true(fabs(remainder(cimag(mine) - arg.val, 2.0 * M_PI)) <= 1e-11 * fmax(1.0, fabs(cimag(mine))));
        assert_true(rel(psi, pf_cpsi(zs[i])) < 1e-14);
        /* the shift product far left must neither overflow nor lose the branch */
        double complex lg = pf_clgamma(zs[i]);
        assert_true(fabs(creal(lg) - lnr.val) <= 1e-12 * fmax(1.0, fabs(lnr.val)));
        assert_true(fabs(remainder(cimag(lg) - arg.val, 2.0 * M_PI)) <= 1e-11 * fmax(1.0, fabs(cimag(lg))));
    }
    const double ab[][2] = {{0.5, 0.5}, {1.7, 4.0}, {0.05, 9.0}, {30.0, 2.5}};
    for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++) {
        double complex lb = pf_clbeta(ab[i][0], ab[i][1]);
        assert_true(fabs(creal(lb) - gsl_sf_lnbeta(ab[i][0], ab[i][1])) < 1e-13 * fmax(1.0, fabs(creal(lb))));
        assert_true(cimag(lb) == 0.0);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clgamma_matches_gsl),
        cmocka_unit_test(test_cpsi_n_matches_gsl_on_real_axis),
        cmocka_unit_test(test_cpsi_satisfies_recurrence_reflection_and_derivative),
        cmocka_unit_test(test_cpsi_matches_gsl_complex_and_polygamma_are_derivatives),
        cmocka_unit_test(test_clgamma_is_continuous_along_contour_and_satisfies_recurrence),
        cmocka_unit_test(test_split_gamma_and_lbeta_match_gsl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
