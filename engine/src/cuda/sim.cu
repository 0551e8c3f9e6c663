// The sampler's candidate draws on the device (kernels/sampler.h): the CPU's Philox stream
// layout and arithmetic, so the candidates are the CPU's bits.  What the device sampler
// still lacks (one exp and the grid density on both sides) is in docs/gpu.md.
#include <cuda_runtime.h>

extern "C" {
#include "partonflow/cuda.h"
}
#include "partonflow/kernels/sampler.h"
#include "cuda_util.h"

namespace {

__global__ void candidates_kernel(pf_samp_tables t, uint64_t seed, uint64_t first, size_t n, uint64_t j,
                                  uint32_t *cell, double *u, double *v, double *acc)
{
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    size_t c;
    pf_samp_candidate(&t, seed, first + i, j, &c, &u[i], &v[i], &acc[i]);
    cell[i] = (uint32_t)c;
}

} // namespace

extern "C" int pf_cuda_sim_candidates(const pf_samp_tables *t, uint64_t seed, uint64_t first, size_t n,
                                      uint64_t j, uint32_t *cell, double *u, double *v, double *acc,
                                      pf_status *st)
{
    const char *what = "pf_cuda_sim_candidates";
    if (!t->ncells) return pf_status_set(st, PF_EINVAL, "%s: no cells", what);
    if (n == 0) return PF_OK;
    if (pf_cuda_device_count() == 0) return pf_status_set(st, PF_ECUDA, "%s: no CUDA device", what);
    const size_t nc = t->ncells;
    void *buf = nullptr;
    // one allocation: tables, then the four outputs
    const size_t tb = nc * (sizeof(double) + sizeof(uint32_t) + 2 * sizeof(int)), ob = n * (3 * sizeof(double) + sizeof(uint32_t));
    PF_CUDA_TRY(st, cudaMalloc(&buf, tb + ob + 64), what);
    char *p = (char *)buf;
    double *ap = (double *)p;
    double *du = (double *)(p + nc * sizeof(double));
    double *dv = du + n, *da = dv + n;
    uint32_t *aj = (uint32_t *)(da + n);
    int *ix = (int *)(aj + nc), *iq = ix + nc;
    uint32_t *dc = (uint32_t *)(iq + nc);
    cudaError_t e = cudaMemcpy(ap, t->alias_p, nc * sizeof(double), cudaMemcpyHostToDevice);
    if (e == cudaSuccess) e = cudaMemcpy(aj, t->alias_j, nc * sizeof(uint32_t), cudaMemcpyHostToDevice);
    if (e == cudaSuccess) e = cudaMemcpy(ix, t->cell_ix, nc * sizeof(int), cudaMemcpyHostToDevice);
    if (e == cudaSuccess) e = cudaMemcpy(iq, t->cell_iq, nc * sizeof(int), cudaMemcpyHostToDevice);
    if (e == cudaSuccess) {
        pf_samp_tables dt = *t;
        dt.alias_p = ap;
        dt.alias_j = aj;
        dt.cell_ix = ix;
        dt.cell_iq = iq;
        const unsigned tpb = 256;
        PF_CU_LAUNCH(candidates_kernel, (unsigned)((n + tpb - 1) / tpb), tpb)(dt, seed, first, n, j, dc, du, dv, da);
        e = cudaGetLastError();
    }
    if (e == cudaSuccess) e = cudaMemcpy(cell, dc, n * sizeof(uint32_t), cudaMemcpyDeviceToHost);
    if (e == cudaSuccess) e = cudaMemcpy(u, du, n * sizeof(double), cudaMemcpyDeviceToHost);
    if (e == cudaSuccess) e = cudaMemcpy(v, dv, n * sizeof(double), cudaMemcpyDeviceToHost);
    if (e == cudaSuccess) e = cudaMemcpy(acc, da, n * sizeof(double), cudaMemcpyDeviceToHost);
    cudaFree(buf);
    if (e != cudaSuccess) return pf_status_set(st, PF_ECUDA, "%s: %s", what, cudaGetErrorString(e));
    return PF_OK;
}
