/* alpha_s: the Les Houches reference values, the RGE itself (finite differences of the
 * solution against the truncated beta function), continuity across thresholds. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "lha_toy.h"
#include "partonflow/alphas.h"

static double as_at(int order, int scheme, double xi2, double mur2)
{
    pf_theory_card th = toy_theory(order, scheme, xi2);
    pf_status st;
    pf_alphas *as = pf_alphas_create(&th, &st);
    assert_non_null(as);
    double v = pf_alphas_at(as, mur2);
    pf_alphas_destroy(as);
    return v;
}

/* hep-ph/0204316 sec. 1.3: alpha_s(mu_R^2 = 1e4 GeV^2) */
static void test_alphas_matches_lha_reference_values(void **state)
{
    (void)state;
    assert_true(fabs(as_at(PF_LO, PF_FFNS, 1.0, 1e4) - 0.117574) < 1e-6);
    assert_true(fabs(as_at(PF_NLO, PF_FFNS, 1.0, 1e4) - 0.1109018) < 1e-6);
    assert_true(fabs(as_at(PF_NLO, PF_VFNS, 1.0, 1e4) - 0.1160315) < 1e-6);
    /* the reference value is reproduced */
    assert_true(fabs(as_at(PF_NLO, PF_VFNS, 2.0, 2.0) - 0.35) < 1e-14);
}

/* d a / d ln mu^2 = -beta0 a^2 - beta1 a^3 (NLO) in every flavour region */
static void test_alphas_solves_truncated_rge(void **state)
{
    (void)state;
    for (int order = PF_LO; order <= PF_NLO; order++) {
        pf_theory_card th = toy_theory(order, PF_VFNS, 1.0);
        pf_status st;
        pf_alphas *as = pf_alphas_create(&th, &st);
        const double mu2s[] = {1.5, 3.0, 10.0, 50.0, 1e3, 1e5, 1e7};
        for (int i = 0; i < 7; i++) {
            const double h = 1e-3, l = log(mu2s[i]);
            const double ap = pf_alphas_at(as, exp(l + h)) / (4 * M_PI), am = pf_alphas_at(as, exp(l - h)) / (4 * M_PI);
            const double a = pf_alphas_at(as, mu2s[i]) / (4 * M_PI);
            const int nf = pf_alphas_nf(as, mu2s[i]);
            double beta = -pf_alphas_beta0(nf) * a * a;
            if (order == PF_NLO) beta -= pf_alphas_beta1(nf) * a * a * a;
            const double fd = (ap - am) / (2 * h);
            if (fabs(fd - beta) > 1e-6 * fabs(beta))
                fail_msg("order %d mu2 %g: finite difference %.10e vs beta %.10e", order, mu2s[i], fd, beta);
        }
        /* continuous at the thresholds */
        const double m2[3] = {2.0, 20.25, 30625.0};
        for (int h = 1; h < 3; h++) {
            double lo = pf_alphas_at(as, m2[h] * (1 - 1e-8)), hi = pf_alphas_at(as, m2[h] * (1 + 1e-8));
            assert_int_equal(pf_alphas_nf(as, m2[h] * (1 + 1e-8)) - pf_alphas_nf(as, m2[h] * (1 - 1e-8)), 1);
            if (fabs(lo - hi) > 1e-8 * lo) fail_msg("threshold %d: %.12f vs %.12f", h, lo, hi);
        }
        pf_alphas_destroy(as);
    }
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(test_alphas_matches_lha_reference_values),
        cmocka_unit_test(test_alphas_solves_truncated_rge),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
