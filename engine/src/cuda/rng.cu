// Philox draws on the device: the same PF_HD functions as the CPU (kernels/philox.h).
#include <cuda_runtime.h>

extern "C" {
#include "partonflow/cuda.h"
}
#include "partonflow/kernels/philox.h"
#include "cuda_util.h"

namespace {

__global__ void uniform_kernel(uint64_t seed, uint64_t stream0, uint64_t k, size_t n, double *out)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = pf_rng_uniform(seed, stream0 + i, k);
}

__global__ void normal_kernel(uint64_t seed, uint64_t stream0, uint64_t k, size_t n, double *out)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = pf_rng_normal(seed, stream0 + i, k);
}

template <typename Kernel>
int launch(Kernel kern, const char *what, uint64_t seed, uint64_t stream0, uint64_t k, size_t n,
           double *out, pf_status *st)
{
    double *d = nullptr;
    if (n == 0)
        return PF_OK;
    PF_CUDA_TRY(st, cudaMalloc(&d, n * sizeof(double)), what);
    unsigned threads = 256;
    unsigned blocks = (unsigned)((n + threads - 1) / threads);
    kern<<<blocks, threads>>>(seed, stream0, k, n, d);
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess)
        e = cudaMemcpy(out, d, n * sizeof(double), cudaMemcpyDeviceToHost);
    cudaFree(d);
    if (e != cudaSuccess)
        return pf_status_set(st, PF_ECUDA, "%s: %s", what, cudaGetErrorString(e));
    return PF_OK;
}

} // namespace

extern "C" int pf_cuda_rng_uniform(uint64_t seed, uint64_t stream0, uint64_t k, size_t n,
                                   double *out, pf_status *st)
{
    return launch(uniform_kernel, "pf_cuda_rng_uniform", seed, stream0, k, n, out, st);
}

extern "C" int pf_cuda_rng_normal(uint64_t seed, uint64_t stream0, uint64_t k, size_t n,
                                  double *out, pf_status *st)
{
    return launch(normal_kernel, "pf_cuda_rng_normal", seed, stream0, k, n, out, st);
}
