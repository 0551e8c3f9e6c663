/* pf_ops_set_gemm: the grid values G, dG with the product done by a caller's gemm equal the
 * BLAS path to 1e-13 relative to sum |A_ik B_kj| bounds (synthetic operators as in
 * tests/unit/ops/test_eval.c).  Built twice: with a CPU callback (one cblas_dgemm for all
 * columns; counts its calls; suite unit) and, with PF_HOOK_GPU, with cuBLAS through
 * pf_cuda_gemm_cached (suite gpu; exits 77 without a device). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "gpu_skip.h"
#include "ops_internal.h"
#include "partonflow/kernels/philox.h"

#ifndef PF_HOOK_GPU
static int calls;

static int cpu_gemm(void *ctx, size_t m, size_t n, size_t k, const double *A, const double *B, double *C,
                    pf_status *st)
{
    (void)ctx, (void)st;
    calls++;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0, A, (int)k, B, (int)n, 0.0,
                C, (int)n);
    return PF_OK;
}
#endif

static double complex crand(uint64_t stream, uint64_t k)
{
    return (pf_rng_uniform(5, stream, 2 * k) - 0.5) + I * (pf_rng_uniform(5, stream, 2 * k + 1) - 0.5);
}

int main(void)
{
#ifdef PF_HOOK_GPU
    PF_REQUIRE_GPU();
#endif
    pf_card c;
    memset(&c, 0, sizeof c);
    strcpy(c.path, "synthetic");
    c.theory.order = PF_NLO;
    c.theory.scheme = PF_VFNS;
    c.theory.mc = 1.4;
    c.theory.mb = 4.75;
    c.theory.mt = 175.0;
    c.theory.xi_r = 1.0;
    c.kinematics.present = 1;
    c.kinematics.e_electron = 10.0;
    c.kinematics.e_proton = 100.0;
    c.kinematics.q2_min = 4.0;
    c.kinematics.q2_max = 1000.0;
    c.kinematics.x_min = 1e-3;
    c.kinematics.x_max = 0.9;
    c.kinematics.y_min = 0.01;
    c.kinematics.y_max = 0.95;
    c.kinematics.w2_min = 10.0;
    c.kinematics.alpha_em = 1.0 / 137.035999;
    pf_status st;
    pf_status_clear(&st);
    pf_interp_axis xa, qa;
    const size_t nn = 24, np = 5;
    if (pf_ops_grid_axes(&c, &xa, &qa, &st)) {
        printf("FAIL axes: %s\n", st.msg);
        return 1;
    }
    pf_ops *o = pf_ops_alloc(&xa, &qa, nn, &st);
    if (!o) {
        printf("FAIL alloc: %s\n", st.msg);
        return 1;
    }
    pf_ops_set_card(o, &c);
    const size_t nx = o->nx, nq = o->nq2, ng = pf_ops_ngrid(o);
    for (size_t i = 0; i < nx * 2 * nn; i++) o->Cs[i] = pf_rng_uniform(6, 0, i) - 0.5;
    for (int a = 0; a < PF_NOBS; a++)
        for (size_t k = 0; k < nq * nn * PF_NIN; k++) o->K[a][k] = crand(2 + (uint64_t)a, k);
    double complex *M = malloc(nn * PF_NIN * sizeof *M), *dM = malloc(np * nn * PF_NIN * sizeof *dM);
    for (size_t k = 0; k < nn * PF_NIN; k++) M[k] = crand(10, k);
    for (size_t k = 0; k < np * nn * PF_NIN; k++) dM[k] = crand(11, k);
    double *G = malloc(ng * sizeof *G), *dG = malloc(np * ng * sizeof *dG);
    double *G2 = malloc(ng * sizeof *G2), *dG2 = malloc(np * ng * sizeof *dG2);
    int fails = 0;
    if (pf_ops_grid_values_from_moments(o, np, M, dM, G, dG, &st)) {
        printf("FAIL BLAS path: %s\n", st.msg);
        return 1;
    }
#ifdef PF_HOOK_GPU
    pf_cuda_gemm *cache = NULL;
    pf_ops_set_gemm(o, pf_cuda_gemm_cached, &cache);
    const char *what = "cuBLAS";
#else
    pf_ops_set_gemm(o, cpu_gemm, NULL);
    const char *what = "cpu callback";
#endif
    for (int rep = 0; rep < 2; rep++) {
        if (pf_ops_grid_values_from_moments(o, np, M, dM, G2, dG2, &st)) {
            printf("FAIL %s: %s\n", what, st.msg);
            return 1;
        }
        /* bound of each value: |Cs| |B| with |B| <= sum_j |K| |M| <= PF_NIN (entries in [-0.5, 0.5]^2) */
        const double bound = 2.0 * nn * 0.5 * PF_NIN * 0.5;
        double worst = 0;
        for (size_t g = 0; g < ng; g++) worst = fmax(worst, fabs(G2[g] - G[g]) / bound);
        for (size_t g = 0; g < np * ng; g++) worst = fmax(worst, fabs(dG2[g] - dG[g]) / bound);
        printf("%s, call %d: worst difference from the BLAS path %.2e of the bound\n", what, rep + 1, worst);
        fails += !(worst <= 1e-13);
    }
#ifdef PF_HOOK_GPU
    pf_cuda_gemm_destroy(cache);
#else
    if (calls != 2) {
        printf("FAIL: the callback ran %d times, expected 2\n", calls);
        fails++;
    }
#endif
    pf_ops_set_gemm(o, NULL, NULL);
    if (pf_ops_grid_values_from_moments(o, np, M, dM, G2, dG2, &st) || memcmp(G, G2, ng * sizeof *G) ||
        memcmp(dG, dG2, np * ng * sizeof *dG)) {
        printf("FAIL: without the hook the BLAS path does not come back bit for bit\n");
        fails++;
    }
    free(M), free(dM), free(G), free(dG), free(G2), free(dG2);
    pf_ops_destroy(o);
    return fails ? 1 : 0;
}
