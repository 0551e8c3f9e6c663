// Error handling shared by the .cu launchers.
#ifndef PARTONFLOW_CUDA_UTIL_H
#define PARTONFLOW_CUDA_UTIL_H

#include <cuda_runtime.h>

#define PF_CUDA_TRY(st, call, what)                                                            \
    do {                                                                                       \
        cudaError_t pf_e_ = (call);                                                            \
        if (pf_e_ != cudaSuccess)                                                              \
            return pf_status_set((st), PF_ECUDA, "%s: %s failed: %s", (what), #call,           \
                                 cudaGetErrorString(pf_e_));                                   \
    } while (0)

#endif
