/* The ops evaluation machinery on synthetic operators, independently of the physics
 * modules: the grid covers the cut region; G and dG from the one-BLAS-product evaluation
 * equal a direct complex sum over nodes and flavours; interpolated structure-function-like
 * functions (with a threshold kink and jump) meet the 1e-4 target on the default grid; the
 * batch cross section and gradient equal explicit weight sums; every result is bitwise
 * independent of the number of threads. */
#include <complex.h>
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

#include <cblas.h>

#include "ops_internal.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/kernels/philox.h"

#define MB 4.75

static pf_card default_card(void)
{
    pf_card c;
    memset(&c, 0, sizeof c);
    strcpy(c.path, "synthetic");
    c.theory.order = PF_NLO;
    c.theory.scheme = PF_VFNS;
    c.theory.mc = 1.4;
    c.theory.mb = MB;
    c.theory.mt = 175.0;
    c.theory.xi_r = 1.0;
    pf_kinematics_card *k = &c.kinematics;
    k->present = 1;
    k->e_electron = 10.0;
    k->e_proton = 100.0;
    k->q2_min = 4.0;
    k->q2_max = 1000.0;
    k->x_min = 1e-3;
    k->x_max = 0.9;
    k->y_min = 0.01;
    k->y_max = 0.95;
    k->w2_min = 10.0;
    k->alpha_em = PF_KIN_ALPHA_EM;
    return c;
}

static pf_ops *synthetic_ops(const pf_card *card, size_t nn)
{
    pf_interp_axis xa, qa;
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(pf_ops_grid_axes(card, &xa, &qa, &st), PF_OK);
    pf_ops *o = pf_ops_alloc(&xa, &qa, nn, &st);
    assert_non_null(o);
    pf_ops_set_card(o, card);
    return o;
}

/* n points uniform in (ln x, ln Q2) inside the cuts (rejection), from Philox stream 7 */
static void random_points(const pf_ops *o, size_t n, double *x, double *q2)
{
    double cuts[7], s;
    pf_ops_kinematics(o, cuts, &s, NULL);
    uint64_t k = 0;
    for (size_t i = 0; i < n;) {
        double lx = log(cuts[PF_CUT_X_MIN]) + (log(cuts[PF_CUT_X_MAX]) - log(cuts[PF_CUT_X_MIN])) * pf_rng_uniform(11, 7, k++);
        double lq = log(cuts[PF_CUT_Q2_MIN]) + (log(cuts[PF_CUT_Q2_MAX]) - log(cuts[PF_CUT_Q2_MIN])) * pf_rng_uniform(11, 7, k++);
        if (!pf_kin_in_cuts(cuts, exp(lx), exp(lq), s)) continue;
        x[i] = exp(lx);
        q2[i++] = exp(lq);
    }
}

static void test_grid_covers_the_cut_region_and_splits_at_the_bottom_threshold(void **state)
{
    (void)state;
    pf_card card = default_card();
    pf_ops *o = synthetic_ops(&card, 4);
    enum { N = 10000 };
    static double x[N], q2[N];
    random_points(o, N, x, q2);
    uint32_t idx[PF_OPS_NW];
    double w[PF_OPS_NW];
    for (size_t i = 0; i < N; i++) assert_int_equal(pf_ops_xsec_weights(o, x[i], q2[i], idx, w), PF_OK);
    /* corners of the cut region (x_min raised by y_max: x >= q2_min / (s y_max)) */
    assert_int_equal(pf_ops_xsec_weights(o, 4.0 / (4000.0 * 0.95), 4.0, idx, w), PF_OK);
    assert_int_equal(pf_ops_xsec_weights(o, 0.9, 1000.0, idx, w), PF_OK);
    assert_int_equal(pf_ops_xsec_weights(o, 0.9, 2000.0, idx, w), PF_EDOMAIN);
    assert_int_equal(pf_ops_xsec_weights(o, 1e-5, 10.0, idx, w), PF_EDOMAIN);
    /* Q2 axis: mc^2 = 1.96 lies below the grid, mb^2 inside, mt^2 above */
    assert_int_equal(o->qaxis.nseg, 2);
    assert_true(o->qaxis.edge[1] == 2.0 * log(MB));
    assert_true(o->q2eval[o->qaxis.first[1] - 1] < MB * MB && o->q2eval[o->qaxis.first[1]] > MB * MB);
    /* FFNS: no split */
    card.theory.scheme = PF_FFNS;
    pf_ops *f = synthetic_ops(&card, 4);
    assert_int_equal(f->qaxis.nseg, 1);
    pf_ops_destroy(f);
    pf_ops_destroy(o);
}

static double complex crand(uint64_t stream, uint64_t k)
{
    return (pf_rng_uniform(5, stream, 2 * k) - 0.5) + I * (pf_rng_uniform(5, stream, 2 * k + 1) - 0.5);
}

/* Fills Cs, K, and moments with random numbers; checks G, dG against
 * sum_n sum_j Im[c_n(x_i) K(q)[n,j] M_j(N_n)] evaluated directly in complex arithmetic. */
static void test_grid_values_equal_direct_complex_sum_for_any_thread_count(void **state)
{
    (void)state;
    pf_card card = default_card();
    card.theory.grid_nx = 12;
    card.theory.grid_nq2 = 14;
    const size_t nn = 9, np = 3;
    pf_ops *o = synthetic_ops(&card, nn);
    const size_t nx = o->nx, nq = o->nq2, ng = pf_ops_ngrid(o);
    double complex *C = malloc(nx * nn * sizeof *C);
    for (size_t i = 0; i < nx; i++)
        for (size_t n = 0; n < nn; n++) {
            C[i * nn + n] = crand(1, i * nn + n);
            o->Cs[i * 2 * nn + n] = creal(C[i * nn + n]);
            o->Cs[i * 2 * nn + nn + n] = cimag(C[i * nn + n]);
        }
    for (int a = 0; a < PF_NOBS; a++)
        for (size_t k = 0; k < nq * nn * PF_NIN; k++) o->K[a][k] = crand(2 + (uint64_t)a, k);
    double complex *M = malloc(nn * PF_NIN * sizeof *M), *dM = malloc(np * nn * PF_NIN * sizeof *dM);
    for (size_t k = 0; k < nn * PF_NIN; k++) M[k] = crand(10, k);
    for (size_t k = 0; k < np * nn * PF_NIN; k++) dM[k] = crand(11, k);
    double *G = malloc(ng * sizeof *G), *dG = malloc(np * ng * sizeof *dG);
    double *G2 = malloc(ng * sizeof *G), *dG2 = malloc(np * ng * sizeof *dG);
    pf_status st;
    pf_status_clear(&st);
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(1);
#endif
    assert_int_equal(pf_ops_grid_values_from_moments(o, np, M, dM, G, dG, &st), PF_OK);
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(2);
#endif
    assert_int_equal(pf_ops_grid_values_from_moments(o, np, M, dM, G2, dG2, &st), PF_OK);
    assert_memory_equal(G, G2, ng * sizeof *G);
    assert_memory_equal(dG, dG2, np * ng * sizeof *dG);
    double emax = 0.0;
    for (size_t pp = 0; pp <= np; pp++) {
        const double complex *Mp = pp == 0 ? M : dM + (pp - 1) * nn * PF_NIN;
        const double *got = pp == 0 ? G : dG + (pp - 1) * ng;
        for (size_t q = 0; q < nq; q++)
            for (size_t i = 0; i < nx; i++)
                for (int a = 0; a < PF_NOBS; a++) {
                    double complex z = 0.0;
                    for (size_t n = 0; n < nn; n++)
                        for (int j = 0; j < PF_NIN; j++)
                            z += C[i * nn + n] * o->K[a][(q * nn + n) * PF_NIN + (size_t)j] * Mp[n * PF_NIN + (size_t)j];
                    const double d = fabs(got[(q * nx + i) * PF_NOBS + (size_t)a] - cimag(z));
                    if (!(d <= emax)) emax = d; /* (NaN propagates) */
                }
    }
    assert_true(emax < 1e-13);
    free(C); free(M); free(dM); free(G); free(dG); free(G2); free(dG2);
    pf_ops_destroy(o);
}

static int hook_calls;

static int cpu_gemm(void *ctx, size_t m, size_t n, size_t k, const double *A, const double *B, double *C,
                    pf_status *st)
{
    (void)ctx, (void)st;
    hook_calls++;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0, A, (int)k, B, (int)n, 0.0,
                C, (int)n);
    return PF_OK;
}

/* pf_ops_set_gemm: a caller's product (here one cblas_dgemm for all columns) is called once
 * per evaluation and gives the same values to rounding; NULL restores the built-in path
 * bit for bit. */
static void test_gemm_hook_replaces_the_product_and_can_be_removed(void **state)
{
    (void)state;
    pf_card card = default_card();
    card.theory.grid_nx = 12;
    card.theory.grid_nq2 = 14;
    const size_t nn = 7, np = 2;
    pf_ops *o = synthetic_ops(&card, nn);
    const size_t ng = pf_ops_ngrid(o);
    for (size_t i = 0; i < o->nx * 2 * nn; i++) o->Cs[i] = pf_rng_uniform(6, 0, i) - 0.5;
    for (int a = 0; a < PF_NOBS; a++)
        for (size_t k = 0; k < o->nq2 * nn * PF_NIN; k++) o->K[a][k] = crand(2 + (uint64_t)a, k);
    double complex M[7 * PF_NIN], dM[2 * 7 * PF_NIN];
    for (size_t k = 0; k < nn * PF_NIN; k++) M[k] = crand(10, k);
    for (size_t k = 0; k < np * nn * PF_NIN; k++) dM[k] = crand(11, k);
    double *G = malloc(ng * sizeof *G), *dG = malloc(np * ng * sizeof *dG);
    double *G2 = malloc(ng * sizeof *G2), *dG2 = malloc(np * ng * sizeof *dG2);
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(pf_ops_grid_values_from_moments(o, np, M, dM, G, dG, &st), PF_OK);
    hook_calls = 0;
    pf_ops_set_gemm(o, cpu_gemm, NULL);
    assert_int_equal(pf_ops_grid_values_from_moments(o, np, M, dM, G2, dG2, &st), PF_OK);
    assert_int_equal(hook_calls, 1);
    for (size_t g = 0; g < ng; g++) assert_true(fabs(G2[g] - G[g]) <= 1e-13 * nn * PF_NIN);
    for (size_t g = 0; g < np * ng; g++) assert_true(fabs(dG2[g] - dG[g]) <= 1e-13 * nn * PF_NIN);
    pf_ops_set_gemm(o, NULL, NULL);
    assert_int_equal(pf_ops_grid_values_from_moments(o, np, M, dM, G2, dG2, &st), PF_OK);
    assert_memory_equal(G, G2, ng * sizeof *G);
    assert_memory_equal(dG, dG2, np * ng * sizeof *dG);
    free(G); free(dG); free(G2); free(dG2);
    pf_ops_destroy(o);
}

/* Structure-function-like shapes: x^-0.25 (1-x)^b(Q2) scaling violations, and above mb^2 a
 * bottom contribution that starts at zero with a kink plus an NLO-like jump. */
static double toy_f(int a, double x, double q2)
{
    const double L = log(q2 / 4.0), b = 3.0 + 0.4 * L;
    double f = pow(x, -0.25 - 0.02 * L) * pow(1.0 - x, b) * (1.0 + 0.3 * L + 2.0 * x * x);
    if (q2 > MB * MB) f += (0.02 * log(q2 / (MB * MB)) + 0.003) * pow(x, -0.3) * pow(1.0 - x, 7.0);
    return a == PF_OBS_F2 ? f : 0.15 * f * (1.0 - x) / (1.0 + 0.2 * L);
}

static void fill_toy(const pf_ops *o, double *G)
{
    for (size_t q = 0; q < o->nq2; q++)
        for (size_t i = 0; i < o->nx; i++)
            for (int a = 0; a < PF_NOBS; a++)
                G[(q * o->nx + i) * PF_NOBS + (size_t)a] = toy_f(a, exp(o->logx[i]), o->q2eval[q]);
}

static void test_default_grid_interpolates_toy_structure_functions_to_1e4(void **state)
{
    (void)state;
    pf_card card = default_card();
    pf_ops *o = synthetic_ops(&card, 4);
    const size_t ng = pf_ops_ngrid(o);
    double *G = malloc(ng * sizeof *G);
    fill_toy(o, G);
    enum { N = 10000 };
    static double x[N], q2[N], F2[N], FL[N], xs[N];
    random_points(o, N, x, q2);
    pf_status st;
    pf_status_clear(&st);
    assert_int_equal(pf_ops_sf(o, G, N, x, q2, F2, FL, &st), PF_OK);
    assert_int_equal(pf_ops_xsec(o, G, NULL, 0, N, x, q2, xs, NULL, &st), PF_OK);
    double e2 = 0, el = 0, ex = 0, r2 = 0;
    for (size_t i = 0; i < N; i++) {
        double f2 = toy_f(0, x[i], q2[i]), fl = toy_f(1, x[i], q2[i]), a2, al;
        pf_kin_xsec_factors(x[i], q2[i], 4000.0, PF_KIN_ALPHA_EM, &a2, &al);
        const double d2 = fabs(F2[i] / f2 - 1.0), dl = fabs(FL[i] / fl - 1.0), dx = fabs(xs[i] / (a2 * f2 + al * fl) - 1.0);
        if (!(d2 <= e2)) e2 = d2; /* (NaN propagates) */
        if (!(dl <= el)) el = dl;
        if (!(dx <= ex)) ex = dx;
        r2 += d2 * d2;
    }
    print_message("grid %zu x %zu: toy F2 max %.2e rms %.2e, FL max %.2e, xsec max %.2e\n", o->nx, o->nq2, e2,
                  sqrt(r2 / N), el, ex);
    assert_true(e2 < 1e-4 && ex < 1e-4 && el < 1e-3);
    free(G);
    pf_ops_destroy(o);
}

/* pf_ops_xsec (blocked, vectorised, packed table) against the explicit weights
 * pf_ops_xsec_weights dotted with G and each dG row; 1 vs 2 threads bitwise. */
static void test_batch_xsec_and_gradient_equal_explicit_weight_sums(void **state)
{
    (void)state;
    pf_card card = default_card();
    pf_ops *o = synthetic_ops(&card, 4);
    const size_t ng = pf_ops_ngrid(o), np = 13;
    double *G = malloc(ng * sizeof *G), *dG = malloc(np * ng * sizeof *dG);
    fill_toy(o, G);
    for (size_t p = 0; p < np; p++)
        for (size_t g = 0; g < ng; g++) dG[p * ng + g] = G[g] * (pf_rng_uniform(3, p, g) - 0.3);
    enum { N = 1003 };
    static double x[N], q2[N], out[N], grad[13 * N], out2[N], grad2[13 * N];
    random_points(o, N, x, q2);
    pf_status st;
    pf_status_clear(&st);
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(1);
#endif
    assert_int_equal(pf_ops_xsec(o, G, dG, np, N, x, q2, out, grad, &st), PF_OK);
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(2);
#endif
    assert_int_equal(pf_ops_xsec(o, G, dG, np, N, x, q2, out2, grad2, &st), PF_OK);
    assert_memory_equal(out, out2, sizeof out);
    assert_memory_equal(grad, grad2, sizeof grad);
    for (size_t i = 0; i < N; i++) {
        uint32_t idx[PF_OPS_NW];
        double w[PF_OPS_NW], v = 0.0, scale = 0.0;
        assert_int_equal(pf_ops_xsec_weights(o, x[i], q2[i], idx, w), PF_OK);
        for (int k = 0; k < PF_OPS_NW; k++) {
            v += w[k] * G[idx[k]];
            scale += fabs(w[k] * G[idx[k]]);
        }
        assert_true(fabs(out[i] - v) <= 1e-14 * scale);
        for (size_t p = 0; p < np; p++) {
            double d = 0.0, sc = 0.0;
            for (int k = 0; k < PF_OPS_NW; k++) {
                d += w[k] * dG[p * ng + idx[k]];
                sc += fabs(w[k] * dG[p * ng + idx[k]]);
            }
            if (fabs(grad[p * N + i] - d) > 1e-14 * sc) fail_msg("point %zu param %zu: %g vs %g", i, p, grad[p * N + i], d);
        }
    }
    /* a point outside the grid is refused, naming it */
    x[500] = 0.99;
    assert_int_equal(pf_ops_xsec(o, G, dG, np, N, x, q2, out, grad, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "point 500"));
    free(G);
    free(dG);
    pf_ops_destroy(o);
}

/* The streaming-store output path (64-byte aligned arrays, n % 8 == 0) and the plain one
 * (the same arrays shifted by one double) give the same bits, with and without gradient. */
static void test_aligned_and_unaligned_outputs_give_the_same_bits(void **state)
{
    (void)state;
    pf_card card = default_card();
    pf_ops *o = synthetic_ops(&card, 4);
    const size_t ng = pf_ops_ngrid(o);
    enum { N = 1024, NP = 9 };
    double *G = malloc(ng * sizeof *G), *dG = malloc(NP * ng * sizeof *dG);
    fill_toy(o, G);
    for (size_t g = 0; g < NP * ng; g++) dG[g] = pf_rng_uniform(4, 0, g) - 0.5;
    double *x = malloc(N * sizeof *x), *q2 = malloc(N * sizeof *q2);
    random_points(o, N, x, q2);
    double *a_out = aligned_alloc(64, (N + 8) * sizeof(double)), *a_grad = aligned_alloc(64, (NP * N + 8) * sizeof(double));
    double *u_out = aligned_alloc(64, (N + 8) * sizeof(double)), *u_grad = aligned_alloc(64, (NP * N + 8) * sizeof(double));
    pf_status st;
    pf_status_clear(&st);
    for (int withgrad = 0; withgrad < 2; withgrad++) {
        memset(a_out, 0, (N + 8) * sizeof(double));
        memset(u_out, 0, (N + 8) * sizeof(double));
        assert_int_equal(pf_ops_xsec(o, G, dG, NP, N, x, q2, a_out, withgrad ? a_grad : NULL, &st), PF_OK);
        assert_int_equal(pf_ops_xsec(o, G, dG, NP, N, x, q2, u_out + 1, withgrad ? u_grad + 1 : NULL, &st), PF_OK);
        assert_memory_equal(a_out, u_out + 1, N * sizeof(double));
        if (withgrad) assert_memory_equal(a_grad, u_grad + 1, NP * N * sizeof(double));
        for (size_t i = 0; i < N; i++) assert_true(a_out[i] > 0.0);
    }
    free(a_out); free(a_grad); free(u_out); free(u_grad); free(x); free(q2); free(G); free(dG);
    pf_ops_destroy(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_covers_the_cut_region_and_splits_at_the_bottom_threshold),
        cmocka_unit_test(test_grid_values_equal_direct_complex_sum_for_any_thread_count),
        cmocka_unit_test(test_default_grid_interpolates_toy_structure_functions_to_1e4),
        cmocka_unit_test(test_batch_xsec_and_gradient_equal_explicit_weight_sums),
        cmocka_unit_test(test_aligned_and_unaligned_outputs_give_the_same_bits),
        cmocka_unit_test(test_gemm_hook_replaces_the_product_and_can_be_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
