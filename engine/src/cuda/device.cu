// Device discovery for the CUDA backend.
#include <cuda_runtime.h>
#include <stdio.h>

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
