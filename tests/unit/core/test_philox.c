/* Philox4x32-10: the published known-answer vectors (Random123 kat_vectors, Salmon et al.
 * SC11), draws that do not depend on how indices are split (one pass, two halves, two
 * OpenMP threads), and moments of the uniform and normal deviates within statistical
 * tolerances (5 standard deviations of the estimator, fixed seeds). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

#include "partonflow/kernels/philox.h"

static void kat(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, uint32_t r0,
                uint32_t r1, uint32_t r2, uint32_t r3)
{
    pf_philox_ctr c = {{c0, c1, c2, c3}};
    pf_philox_key k = {{k0, k1}};
    pf_philox_ctr r = pf_philox4x32_10(c, k);
    assert_int_equal(r.v[0], r0);
    assert_int_equal(r.v[1], r1);
    assert_int_equal(r.v[2], r2);
    assert_int_equal(r.v[3], r3);
}

static void test_philox4x32_10_matches_random123_known_answers(void **state)
{
    (void)state;
    /* Random123-1.09 examples/kat_vectors, lines "philox4x32 10 ..." */
    kat(0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
    kat(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e,
        0xa20bc7c6, 0x6d5451fd);
    kat(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb,
        0x5001e420, 0x24126ea1);
}

static void test_uniforms_follow_the_documented_counter_layout(void **state)
{
    (void)state;
    /* uniform k of (seed, stream) = 64-bit word k&1 of Philox(ctr = {k/2, stream}, key = seed) */
    uint64_t seed = 0x0123456789abcdefULL, stream = (7ULL << 40) | 12345ULL;
    for (uint64_t k = 0; k < 64; k++) {
        uint64_t b = (k >> 1) + 0xfffffff0ULL; /* crosses the 32-bit boundary of the block index */
        uint64_t kk = 2 * b + (k & 1);
        pf_philox_ctr c = {{(uint32_t)b, (uint32_t)(b >> 32), (uint32_t)stream, (uint32_t)(stream >> 32)}};
        pf_philox_key key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
        pf_philox_ctr r = pf_philox4x32_10(c, key);
        uint64_t w = (k & 1) ? ((uint64_t)r.v[3] << 32 | r.v[2]) : ((uint64_t)r.v[1] << 32 | r.v[0]);
        assert_true(pf_rng_uniform(seed, stream, kk) == (double)(w >> 11) * 0x1.0p-53 || (w >> 11) == 0);
    }
    /* the ends of the 53-bit grid stay strictly inside (0, 1) */
    assert_true(pf_rng_u64_to_open01(0) == 0x1.0p-54);
    assert_true(pf_rng_u64_to_open01(UINT64_MAX) == 1.0 - 0x1.0p-53);
    assert_true(pf_rng_u64_to_open01(UINT64_MAX) < 1.0);
}

#define NDRAW 100000

static void fill(double *u, double *z, uint64_t from, uint64_t to)
{
    for (uint64_t k = from; k < to; k++) {
        u[k] = pf_rng_uniform(42, 3, k);
        z[k] = pf_rng_normal(42, 3, k);
    }
}

static void test_draws_are_independent_of_the_split(void **state)
{
    (void)state;
    double *u1 = malloc(NDRAW * sizeof *u1), *z1 = malloc(NDRAW * sizeof *z1);
    double *u2 = malloc(NDRAW * sizeof *u2), *z2 = malloc(NDRAW * sizeof *z2);
    double *u3 = malloc(NDRAW * sizeof *u3), *z3 = malloc(NDRAW * sizeof *z3);
    assert_true(u1 && z1 && u2 && z2 && u3 && z3);
    fill(u1, z1, 0, NDRAW); /* one pass */
    fill(u2, z2, NDRAW / 2, NDRAW); /* two halves, the second one first */
    fill(u2, z2, 0, NDRAW / 2);
    int nthreads = 1;
#ifdef PF_HAVE_OPENMP
#pragma omp parallel num_threads(2)
    {
#pragma omp single
        nthreads = omp_get_num_threads();
        int t = omp_get_thread_num(), n = omp_get_num_threads();
        /* interleaved small chunks, so both threads really share the index range */
        for (uint64_t c = (uint64_t)t; c * 1000 < NDRAW; c += (uint64_t)n)
            fill(u3, z3, c * 1000, (c + 1) * 1000 < NDRAW ? (c + 1) * 1000 : NDRAW);
    }
#else
    fill(u3, z3, 0, NDRAW);
#endif
    assert_memory_equal(u1, u2, NDRAW * sizeof *u1);
    assert_memory_equal(z1, z2, NDRAW * sizeof *z1);
    assert_memory_equal(u1, u3, NDRAW * sizeof *u1);
    assert_memory_equal(z1, z3, NDRAW * sizeof *z1);
#ifdef PF_HAVE_OPENMP
    assert_int_equal(nthreads, 2);
#else
    (void)nthreads;
#endif
    /* different streams and seeds give different numbers */
    assert_true(pf_rng_uniform(42, 4, 0) != u1[0] && pf_rng_uniform(43, 3, 0) != u1[0]);
    free(u1), free(z1), free(u2), free(z2), free(u3), free(z3);
}

static void test_uniform_and_normal_moments_are_statistically_right(void **state)
{
    (void)state;
    const size_t n = 1u << 21;
    double su = 0, su2 = 0, slag = 0, umin = 1, umax = 0, prev = 0;
    double sz = 0, sz2 = 0, sz4 = 0, in1 = 0;
    for (size_t k = 0; k < n; k++) {
        double u = pf_rng_uniform(20261125, 11, k) - 0.5;
        double z = pf_rng_normal(20261125, 11, k);
        su += u;
        su2 += u * u;
        slag += u * prev;
        prev = u;
        umin = fmin(umin, u + 0.5);
        umax = fmax(umax, u + 0.5);
        sz += z;
        sz2 += z * z;
        sz4 += z * z * z * z;
        in1 += fabs(z) < 1.0;
    }
    double N = (double)n;
    /* uniform: mean 1/2 (sd sqrt(1/12/N)), variance 1/12 (sd of (u-1/2)^2: sqrt(1/180/N)),
     * lag-1 covariance 0 (sd 1/(12 sqrt N)) */
    assert_true(fabs(su / N) < 5 * sqrt(1.0 / 12 / N));
    assert_true(fabs(su2 / N - 1.0 / 12) < 5 * sqrt(1.0 / 180 / N));
    assert_true(fabs(slag / N) < 5 / (12 * sqrt(N)));
    assert_true(umin > 0 && umax < 1);
    /* normal: mean 0 (sd 1/sqrt N), E z^2 = 1 (sd sqrt(2/N)), E z^4 = 3 (sd sqrt(96/N)),
     * P(|z| < 1) = erf(1/sqrt 2) (binomial sd) */
    assert_true(fabs(sz / N) < 5 / sqrt(N));
    assert_true(fabs(sz2 / N - 1) < 5 * sqrt(2 / N));
    assert_true(fabs(sz4 / N - 3) < 5 * sqrt(96 / N));
    double p1 = erf(1 / sqrt(2.0));
    assert_true(fabs(in1 / N - p1) < 5 * sqrt(p1 * (1 - p1) / N));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox4x32_10_matches_random123_known_answers),
        cmocka_unit_test(test_uniforms_follow_the_documented_counter_layout),
        cmocka_unit_test(test_draws_are_independent_of_the_split),
        cmocka_unit_test(test_uniform_and_normal_moments_are_statistically_right),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
