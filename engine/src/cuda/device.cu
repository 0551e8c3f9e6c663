// Device discovery for the CUDA backend.
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <vector>

extern "C" {
#include "partonflow/cuda.h"
}

extern "C" int pf_cuda_device_count(void)
{
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError(); // clear the sticky "no driver" error
        return 0;
    }
    return n;
}

extern "C" int pf_cuda_device_name(char *buf, size_t len, pf_status *st)
{
    cudaDeviceProp p;
    cudaError_t e = cudaGetDeviceProperties(&p, 0);
    if (e != cudaSuccess)
        return pf_status_set(st, PF_ECUDA, "no CUDA device: %s", cudaGetErrorString(e));
    snprintf(buf, len, "%s", p.name);
    return PF_OK;
}

extern "C" int pf_cuda_select_device(const char *request, int *use_cuda, char *label, size_t len, pf_status *st)
{
    *use_cuda = 0;
    if (len) snprintf(label, len, "cpu");
    if (request && strcmp(request, "cpu") && strcmp(request, "cuda"))
        return pf_status_set(st, PF_EINVAL, "--device: expected cpu or cuda, got '%s'", request);
    if (request && !strcmp(request, "cpu")) return PF_OK;
    if (pf_cuda_device_count() == 0)
        return request ? pf_status_set(st, PF_ECUDA, "--device cuda: no CUDA device") : PF_OK;
    char name[256];
    int rc = pf_cuda_device_name(name, sizeof name, st);
    if (rc) return request ? rc : PF_OK;
    *use_cuda = 1;
    if (len) snprintf(label, len, "cuda:%s", name);
    return PF_OK;
}

extern "C" int pf_cuda_copy_bandwidth(size_t bytes, int repeats, double *gbs, pf_status *st)
{
    if (pf_cuda_device_count() == 0) return pf_status_set(st, PF_ECUDA, "pf_cuda_copy_bandwidth: no CUDA device");
    if (bytes == 0 || repeats < 1)
        return pf_status_set(st, PF_EINVAL, "pf_cuda_copy_bandwidth: %zu bytes, %d repeats: expected > 0", bytes,
                             repeats);
    void *a = nullptr, *b = nullptr;
    cudaEvent_t t0 = nullptr, t1 = nullptr;
    std::vector<float> ms((size_t)repeats);
    cudaError_t e = cudaMalloc(&a, bytes);
    if (e == cudaSuccess) e = cudaMalloc(&b, bytes);
    if (e == cudaSuccess) e = cudaMemset(a, 1, bytes);
    if (e == cudaSuccess) e = cudaEventCreate(&t0);
    if (e == cudaSuccess) e = cudaEventCreate(&t1);
    if (e == cudaSuccess) e = cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice); // warm-up
    for (int r = 0; r < repeats && e == cudaSuccess; r++) {
        cudaEventRecord(t0);
        cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice);
        cudaEventRecord(t1);
        e = cudaEventSynchronize(t1);
        if (e == cudaSuccess) e = cudaEventElapsedTime(&ms[(size_t)r], t0, t1);
    }
    if (t0) cudaEventDestroy(t0);
    if (t1) cudaEventDestroy(t1);
    if (a) cudaFree(a);
    if (b) cudaFree(b);
    if (e != cudaSuccess) return pf_status_set(st, PF_ECUDA, "pf_cuda_copy_bandwidth: %s", cudaGetErrorString(e));
    std::sort(ms.begin(), ms.end());
    const double med = 1e-3 * ms[(size_t)repeats / 2];
    *gbs = 2.0 * (double)bytes / med * 1e-9; // read + write
    return PF_OK;
}
