/* The CUDA backend in a build without nvcc: no device, every call says so. */
#include "partonflow/cuda.h"

#include <stdio.h>
#include <string.h>

static int no_cuda(pf_status *st, const char *what)
{
    return pf_status_set(st, PF_ECUDA, "%s: this partonflow was built without CUDA (no nvcc at "
                         "configure time; rebuild with -Dcuda=enabled)", what);
}

int pf_cuda_device_count(void) { return 0; }

int pf_cuda_select_device(const char *request, int *use_cuda, char *label, size_t len, pf_status *st)
{
    *use_cuda = 0;
    if (len) snprintf(label, len, "cpu");
    if (request && strcmp(request, "cpu") && strcmp(request, "cuda"))
        return pf_status_set(st, PF_EINVAL, "--device: expected cpu or cuda, got '%s'", request);
    if (request && !strcmp(request, "cuda"))
        return pf_status_set(st, PF_ECUDA, "--device cuda: this build has no CUDA (rebuild with -Dcuda=enabled)");
    return PF_OK;
}

int pf_cuda_device_name(char *buf, size_t len, pf_status *st)
{
    if (len)
        buf[0] = '\0';
    return no_cuda(st, "pf_cuda_device_name");
}

int pf_cuda_rng_uniform(uint64_t seed, uint64_t stream0, uint64_t k, size_t n, double *out,
                        pf_status *st)
{
    (void)seed; (void)stream0; (void)k; (void)n; (void)out;
    return no_cuda(st, "pf_cuda_rng_uniform");
}

int pf_cuda_rng_normal(uint64_t seed, uint64_t stream0, uint64_t k, size_t n, double *out,
                       pf_status *st)
{
    (void)seed; (void)stream0; (void)k; (void)n; (void)out;
    return no_cuda(st, "pf_cuda_rng_normal");
}

int pf_cuda_copy_bandwidth(size_t bytes, int repeats, double *gbs, pf_status *st)
{
    (void)bytes; (void)repeats;
    *gbs = 0.0;
    return no_cuda(st, "pf_cuda_copy_bandwidth");
}

int pf_cuda_sim_candidates(const pf_samp_tables *t, uint64_t seed, uint64_t first, size_t n, uint64_t j,
                           uint32_t *cell, double *u, double *v, double *acc, pf_status *st)
{
    (void)t; (void)seed; (void)first; (void)n; (void)j; (void)cell; (void)u; (void)v; (void)acc;
    return no_cuda(st, "pf_cuda_sim_candidates");
}

int pf_cuda_blas_open(pf_status *st) { return no_cuda(st, "pf_cuda_blas_open"); }

int pf_cuda_dgemm(size_t m, size_t n, size_t k, const double *A, const double *B, double *C, pf_status *st)
{
    (void)m; (void)n; (void)k; (void)A; (void)B; (void)C;
    return no_cuda(st, "pf_cuda_dgemm");
}

pf_cuda_gemm *pf_cuda_gemm_create(size_t m, size_t k, const double *A, pf_status *st)
{
    (void)m; (void)k; (void)A;
    no_cuda(st, "pf_cuda_gemm_create");
    return NULL;
}

void pf_cuda_gemm_destroy(pf_cuda_gemm *g) { (void)g; }

int pf_cuda_gemm_cached(void *ctx, size_t m, size_t n, size_t k, const double *A, const double *B, double *C,
                        pf_status *st)
{
    (void)ctx; (void)m; (void)n; (void)k; (void)A; (void)B; (void)C;
    return no_cuda(st, "pf_cuda_gemm_cached");
}

int pf_cuda_gemm_apply(pf_cuda_gemm *g, size_t n, const double *B, double *C, pf_status *st)
{
    (void)g; (void)n; (void)B; (void)C;
    return no_cuda(st, "pf_cuda_gemm_apply");
}

pf_cuda_like *pf_cuda_like_create(const pf_like_data *d, int fp32, pf_status *st)
{
    (void)d; (void)fp32;
    no_cuda(st, "pf_cuda_like_create");
    return NULL;
}

void pf_cuda_like_destroy(pf_cuda_like *lk) { (void)lk; }

int pf_cuda_like_set_weights(pf_cuda_like *lk, const double *wt, pf_status *st)
{
    (void)lk; (void)wt;
    return no_cuda(st, "pf_cuda_like_set_weights");
}

int pf_cuda_like_eval(pf_cuda_like *lk, const double *G, double *lnl_ev, double *u, pf_status *st)
{
    (void)lk; (void)G; (void)lnl_ev; (void)u;
    return no_cuda(st, "pf_cuda_like_eval");
}

int pf_cuda_like_events(pf_cuda_like *lk, const double *G, const double *dG, size_t np, double *lnl,
                        double *grad, pf_status *st)
{
    (void)lk; (void)G; (void)dG; (void)np; (void)lnl; (void)grad;
    return no_cuda(st, "pf_cuda_like_events");
}

double pf_cuda_like_bytes(const pf_cuda_like *lk, int with_u)
{
    (void)lk; (void)with_u;
    return 0.0;
}
