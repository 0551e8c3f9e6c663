/* cuBLAS dgemm (gemm.cu) against OpenBLAS cblas_dgemm on the shapes of ops' grid-value
 * product (nx x 2 nn times 2 nn x columns, ops_eval.c), row-major: every element agrees
 * to 1e-13 relative to sum_k |A_ik B_kj|; the resident-factor form gives the same result
 * for two right-hand sides.  Exits 77 (SKIP) without a device. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>

#include "gpu_skip.h"
#include "partonflow/kernels/philox.h"

static int compare(const char *what, size_t m, size_t n, size_t k, const double *A, const double *B, const double *C)
{
    double *R = malloc(m * n * sizeof *R), worst = 0;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0, A, (int)k, B, (int)n, 0.0,
                R, (int)n);
    size_t bad = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double scale = 0;
            for (size_t l = 0; l < k; l++) scale += fabs(A[i * k + l] * B[l * n + j]);
            const double r = fabs(C[i * n + j] - R[i * n + j]) / (scale > 0 ? scale : 1);
            if (r > worst) worst = r;
            if (r > 1e-13 && bad++ < 3)
                printf("FAIL %s: C[%zu][%zu] gpu %.17g cpu %.17g\n", what, i, j, C[i * n + j], R[i * n + j]);
        }
    printf("%s: %zu x %zu x %zu, worst rel %.2e\n", what, m, n, k, worst);
    free(R);
    return bad != 0;
}

int main(void)
{
    PF_REQUIRE_GPU();
    const size_t m = 117, k = 2 * 56, n1 = 1930, n2 = 77;
    double *A = malloc(m * k * sizeof *A), *B = malloc(k * n1 * sizeof *B), *C = malloc(m * n1 * sizeof *C);
    for (size_t i = 0; i < m * k; i++) A[i] = 2 * pf_rng_uniform(1, 0, i) - 1;
    for (size_t i = 0; i < k * n1; i++) B[i] = 2 * pf_rng_uniform(1, 1, i) - 1;
    pf_status st;
    pf_status_clear(&st);
    int fails = 0;
    if (pf_cuda_dgemm(m, n1, k, A, B, C, &st)) {
        printf("FAIL pf_cuda_dgemm: %s\n", st.msg);
        return 1;
    }
    fails += compare("pf_cuda_dgemm", m, n1, k, A, B, C);
    pf_cuda_gemm *g = pf_cuda_gemm_create(m, k, A, &st);
    if (!g || pf_cuda_gemm_apply(g, n2, B, C, &st)) {
        printf("FAIL pf_cuda_gemm: %s\n", st.msg);
        pf_cuda_gemm_destroy(g);
        return 1;
    }
    fails += compare("pf_cuda_gemm_apply small", m, n2, k, A, B, C);
    if (pf_cuda_gemm_apply(g, n1, B, C, &st)) {
        printf("FAIL pf_cuda_gemm_apply: %s\n", st.msg);
        fails++;
    } else
        fails += compare("pf_cuda_gemm_apply grown", m, n1, k, A, B, C);
    pf_cuda_gemm_destroy(g);
    /* the cached callback: made on the first call, kept for the same A, remade for another */
    pf_cuda_gemm *cache = NULL;
    double *A2 = malloc(m * k * sizeof *A2);
    for (size_t i = 0; i < m * k; i++) A2[i] = -A[i];
    for (int call = 0; call < 3; call++) {
        const double *Ac = call == 2 ? A2 : A;
        if (pf_cuda_gemm_cached(&cache, m, n1, k, Ac, B, C, &st)) {
            printf("FAIL pf_cuda_gemm_cached: %s\n", st.msg);
            fails++;
            break;
        }
        fails += compare(call == 2 ? "pf_cuda_gemm_cached, another A" : "pf_cuda_gemm_cached", m, n1, k, Ac, B, C);
    }
    pf_cuda_gemm_destroy(cache);
    free(A2);
    free(A), free(B), free(C);
    return fails ? 1 : 0;
}
