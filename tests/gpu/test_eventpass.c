/* kernels/eventpass.h, the per-event maths shared by the CPU likelihood and the device
 * pass, against naive, independently written computations: the stencil dot product
 * against the expanded 32-weight row w[k] = wr[r] wc[c] f_a on the interleaved grid
 * (index layout of pf_ops_xsec_weights, ops.h), summed in long double; the scatters
 * against the expanded row times s; the CSR dot product and its FP32-storage form
 * against long double sums. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "partonflow/kernels/eventpass.h"
#include "partonflow/kernels/philox.h"
#include "partonflow/like.h"

#define NX 9
#define NQ 7
#define NG (2 * NX * NQ)

static double U(uint64_t s, uint64_t k) { return pf_rng_uniform(99, s, k); }

static void fill_grid(double *G)
{
    for (size_t g = 0; g < NG; g++) G[g] = 2 * U(0, g) - 0.5; /* mixed signs: no cancellation luck */
}

/* The expanded row of a stencil at base B: 32 (index, weight) pairs. */
static void expand(const double *sw, size_t B, size_t idx[32], double w[32])
{
    for (int a = 0; a < 2; a++)
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) {
                const int k = a * 16 + r * 4 + c;
                idx[k] = B + ((size_t)r * NX + (size_t)c) * 2 + (size_t)a;
                w[k] = sw[r] * sw[4 + c] * sw[8 + a];
            }
}

static void test_stencil_dot_and_scatter(void **state)
{
    (void)state;
    double G[NG];
    fill_grid(G);
    assert_int_equal(PF_EV_STW, PF_LIKE_STW);
    for (uint64_t e = 0; e < 200; e++) {
        double sw[PF_EV_STW];
        for (int k = 0; k < PF_EV_STW; k++) sw[k] = 2 * U(e + 1, (uint64_t)k) - 0.7;
        const size_t r0 = e % (NQ - 3), c0 = (e / 3) % (NX - 3), B = 2 * (r0 * NX + c0);
        size_t idx[32];
        double w[32];
        expand(sw, B, idx, w);
        long double ref = 0, mag = 0;
        for (int k = 0; k < 32; k++) {
            ref += (long double)w[k] * G[idx[k]];
            mag += fabsl((long double)w[k] * G[idx[k]]);
            /* the offset helper addresses the same grid value as the expanded row */
            assert_int_equal(B + pf_ev_stencil_offset(k, 2 * NX), idx[k]);
        }
        const double d = pf_ev_dot_stencil(sw, G + B, 2 * NX);
        assert_true(fabsl(d - ref) <= 1e-15L * mag);
        /* scatter: u gets s w[k] at idx[k], nothing elsewhere */
        const double s = 0.37 + U(e + 1, 50);
        double u[NG];
        memset(u, 0, sizeof u);
        pf_ev_scatter_stencil(sw, s, u + B, 2 * NX);
        double v[NG];
        memset(v, 0, sizeof v);
        for (int k = 0; k < 32; k++) v[idx[k]] += s * w[k];
        for (size_t g = 0; g < NG; g++) assert_true(fabs(u[g] - v[g]) <= 1e-15 * (fabs(v[g]) + 1e-300));
        /* the term function is the scatter's addend */
        for (int k = 0; k < 32; k++) {
            const int a = k >> 4, r = (k >> 2) & 3, c = k & 3;
            const double t = pf_ev_stencil_term(sw, s, r, c, a);
            assert_true(fabs(t - s * w[k]) <= 1e-15 * fabs(s * w[k]));
            assert_memory_equal(&t, &u[idx[k]], sizeof t); /* each grid value gets one term */
        }
    }
}

static void test_csr_dot_and_scatter(void **state)
{
    (void)state;
    double G[NG];
    fill_grid(G);
    uint32_t col[64];
    double val[64];
    float valf[64];
    for (uint64_t e = 0; e < 200; e++) {
        const int len = 1 + (int)(U(e + 7, 0) * 63);
        long double ref = 0, reff = 0, mag = 0;
        for (int k = 0; k < len; k++) {
            col[k] = (uint32_t)(U(e + 7, 2 * (uint64_t)k + 1) * NG) % NG;
            val[k] = 2 * U(e + 7, 2 * (uint64_t)k + 2) - 1;
            valf[k] = (float)val[k];
            ref += (long double)val[k] * G[col[k]];
            reff += (long double)valf[k] * G[col[k]];
            mag += fabsl((long double)val[k] * G[col[k]]);
        }
        /* an offset row range [k0, k1) inside the arrays */
        const uint64_t k0 = 0, k1 = (uint64_t)len;
        assert_true(fabsl(pf_ev_dot_csr(col, val, k0, k1, G) - ref) <= 1e-15L * mag);
        assert_true(fabsl(pf_ev_dot_csr_f32(col, valf, k0, k1, G) - reff) <= 1e-15L * mag);
        /* FP32 storage changes the dot product by about 2^-24 relative, no more */
        assert_true(fabsl(reff - ref) <= 1e-7L * mag);
        double u[NG], v[NG];
        memset(u, 0, sizeof u);
        memset(v, 0, sizeof v);
        const double s = 1.7;
        pf_ev_scatter_csr(col, val, k0, k1, s, u);
        for (int k = 0; k < len; k++) v[col[k]] += s * val[k];
        for (size_t g = 0; g < NG; g++) assert_true(fabs(u[g] - v[g]) <= 1e-15 * fabs(v[g]) + 1e-300);
    }
}

/* The host's four-lane forms (PF_EV_HAVE_V4, used by like.c's CPU loop) are the scalar
 * functions' bits: d for rows of mixed signs and magnitudes (so that any reordering or
 * contraction would show in the last bits), and u after scattering many events on top of
 * each other into a non-zero u.  Checked as compiled here (the baseline: two SSE2 / NEON
 * registers per vector) and, on a CPU with AVX2, as compiled for it (like.c's
 * events_block is cloned for AVX2: one register per vector). */
#ifdef PF_EV_HAVE_V4
#define FOUR_LANE_CHECK(name, attr)                                                            \
    attr static long name(const double *G, double *u1, double *u2)                             \
    {                                                                                          \
        long differ = 0;                                                                       \
        for (uint64_t e = 0; e < 20000; e++) {                                                 \
            double sw[PF_EV_STW];                                                              \
            for (int k = 0; k < PF_EV_STW; k++)                                                \
                sw[k] = (2 * U(e + 1000, (uint64_t)k) - 0.7) *                                 \
                        ldexp(1.0, (int)(U(e + 1000, 20 + (uint64_t)k) * 20) - 10);            \
            const size_t r0 = e % (NQ - 3), c0 = (e / 3) % (NX - 3), B = 2 * (r0 * NX + c0);   \
            const double d1 = pf_ev_dot_stencil(sw, G + B, 2 * NX);                            \
            const double d2 = pf_ev_dot_stencil_v4(sw, G + B, 2 * NX);                         \
            if (memcmp(&d1, &d2, sizeof d1)) return -1 - (long)e;                              \
            const double s = (U(e + 1000, 40) + 0.01) * 3.0;                                   \
            pf_ev_scatter_stencil(sw, s, u1 + B, 2 * NX);                                      \
            pf_ev_scatter_stencil_v4(sw, s, u2 + B, 2 * NX);                                   \
            /* the sums are not trivially exact: the same dot product in another order     \
             * (columns first, the order before 7 Dec 2026) differs in the last bits for a \
             * good share of these rows */                                                 \
            double alt = 0.0;                                                                  \
            for (int r = 0; r < 4; r++) {                                                      \
                double a2 = 0.0, al = 0.0;                                                     \
                for (int c = 0; c < 4; c++) {                                                  \
                    a2 += sw[4 + c] * G[B + (size_t)r * 2 * NX + 2 * (size_t)c];               \
                    al += sw[4 + c] * G[B + (size_t)r * 2 * NX + 2 * (size_t)c + 1];           \
                }                                                                              \
                alt += sw[r] * (sw[8] * a2 + sw[9] * al);                                      \
            }                                                                                  \
            differ += alt != d1;                                                               \
        }                                                                                      \
        return differ;                                                                         \
    }
FOUR_LANE_CHECK(four_lane_baseline, )
#if defined(__x86_64__) && defined(__GNUC__)
FOUR_LANE_CHECK(four_lane_avx2, __attribute__((target("avx2"))))
#endif
#endif

static void test_four_lane_stencil_is_bitwise_the_scalar_one(void **state)
{
    (void)state;
#ifdef PF_EV_HAVE_V4
    double G[NG], u1[NG], u2[NG];
    fill_grid(G);
    for (size_t g = 0; g < NG; g++) u1[g] = u2[g] = U(7, g) - 0.5;
    const long differ = four_lane_baseline(G, u1, u2);
    assert_true(differ > 1000); /* negative: event -differ-1 differed */
    assert_memory_equal(u1, u2, sizeof u1);
#else
    skip();
#endif
}

static void test_four_lane_stencil_for_avx2_is_bitwise_the_scalar_one(void **state)
{
    (void)state;
#if defined(PF_EV_HAVE_V4) && defined(__x86_64__) && defined(__GNUC__)
    if (!__builtin_cpu_supports("avx2")) skip();
    double G[NG], u1[NG], u2[NG];
    fill_grid(G);
    for (size_t g = 0; g < NG; g++) u1[g] = u2[g] = U(7, g) - 0.5;
    const long differ = four_lane_avx2(G, u1, u2);
    assert_true(differ > 1000);
    assert_memory_equal(u1, u2, sizeof u1);
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stencil_dot_and_scatter),
        cmocka_unit_test(test_csr_dot_and_scatter),
        cmocka_unit_test(test_four_lane_stencil_is_bitwise_the_scalar_one),
        cmocka_unit_test(test_four_lane_stencil_for_avx2_is_bitwise_the_scalar_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
