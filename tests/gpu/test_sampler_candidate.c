/* kernels/sampler.h, the sampler's candidate draw shared by CPU and device: its uniforms
 * are uniforms 4j .. 4j+3 of Philox stream (seed, event) as sim.h documents (bitwise
 * pf_rng_uniform), the point lies in the chosen cell, and the alias draw picks cells with
 * the tables' probabilities (chi-square over 200000 draws against the weights). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "samp_tables.h"

#define NC 37

static void tables(pf_samp_tables *t, double *w, double *p, uint32_t *aj, int *ix, int *iq)
{
    for (size_t c = 0; c < NC; c++) w[c] = 0.05 + (double)((c * 7919) % 13) * (c % 5 == 0 ? 3.0 : 1.0);
    samp_build(NC, w, p, aj, ix, iq, 8, t);
}

static void test_candidate_layout(void **state)
{
    (void)state;
    double w[NC], p[NC];
    uint32_t aj[NC];
    int ix[NC], iq[NC];
    pf_samp_tables t;
    tables(&t, w, p, aj, ix, iq);
    const uint64_t seed = 271828;
    for (uint64_t ev = 0; ev < 300; ev++)
        for (uint64_t j = 0; j < 4; j++) {
            size_t c;
            double u, v, a;
            const uint64_t stream = ev | (ev % 3 == 0 ? (uint64_t)5 << 40 : 0);
            pf_samp_candidate(&t, seed, stream, j, &c, &u, &v, &a);
            const double U0 = pf_rng_uniform(seed, stream, 4 * j), U1 = pf_rng_uniform(seed, stream, 4 * j + 1),
                         U2 = pf_rng_uniform(seed, stream, 4 * j + 2), U3 = pf_rng_uniform(seed, stream, 4 * j + 3);
            const size_t c0 = (size_t)floor(U0 * NC);
            const size_t want = U0 * NC - (double)c0 < p[c0] ? c0 : aj[c0];
            assert_int_equal(c, want);
            const double ue = t.u0 + (ix[c] + U1) * t.du, ve = t.v0 + (iq[c] + U2) * t.dv;
            assert_memory_equal(&u, &ue, sizeof u);
            assert_memory_equal(&v, &ve, sizeof v);
            assert_memory_equal(&a, &U3, sizeof a);
            assert_true(u > t.u0 + ix[c] * t.du && u < t.u0 + (ix[c] + 1) * t.du);
        }
}

static void test_alias_frequencies(void **state)
{
    (void)state;
    double w[NC], p[NC], tot = 0;
    uint32_t aj[NC];
    int ix[NC], iq[NC];
    pf_samp_tables t;
    tables(&t, w, p, aj, ix, iq);
    for (size_t c = 0; c < NC; c++) tot += w[c];
    const size_t n = 200000;
    double cnt[NC] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t c;
        double u, v, a;
        pf_samp_candidate(&t, 99, i, 0, &c, &u, &v, &a);
        cnt[c]++;
    }
    double chi2 = 0;
    for (size_t c = 0; c < NC; c++) {
        const double e = (double)n * w[c] / tot;
        chi2 += (cnt[c] - e) * (cnt[c] - e) / e;
    }
    /* 36 degrees of freedom: P(chi2 > 80) ~ 3e-5 */
    assert_true(chi2 < 80.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_candidate_layout),
        cmocka_unit_test(test_alias_frequencies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
