// Error handling shared by the .cu launchers.
#ifndef PARTONFLOW_CUDA_UTIL_H
#define PARTONFLOW_CUDA_UTIL_H

#include <cuda_runtime.h>

/* Kernel launch, kernel<<<grid, block>>>(args) written PF_CU_LAUNCH(kernel, grid, block)(args),
 * so that tests/gpu/emu can run the launchers on the CPU (its cuda_runtime.h defines it). */
#ifndef PF_CU_LAUNCH
#define PF_CU_LAUNCH(kernel, grid, block) kernel<<<(grid), (block)>>>
#endif

#define PF_CUDA_TRY(st, call, what)                                                            \
    do {                                                                                       \
        cudaError_t pf_e_ = (call);                                                            \
        if (pf_e_ != cudaSuccess)                                                              \
            return pf_status_set((st), PF_ECUDA, "%s: %s failed: %s", (what), #call,           \
                                 cudaGetErrorString(pf_e_));                                   \
    } while (0)

#endif
