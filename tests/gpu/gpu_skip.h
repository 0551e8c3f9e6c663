/* GPU tests exit 77 (meson: SKIP) when no CUDA device is usable, so a machine without a
 * GPU reports them as skipped, never as passed. */
#ifndef PF_TESTS_GPU_SKIP_H
#define PF_TESTS_GPU_SKIP_H
#include <stdio.h>

#include "partonflow/cuda.h"

#define PF_GPU_SKIP_EXIT 77
#define PF_REQUIRE_GPU()                                                                      \
    do {                                                                                      \
        if (pf_cuda_device_count() == 0) {                                                    \
            printf("SKIP: no CUDA device (or this build has no CUDA)\n");                     \
            return PF_GPU_SKIP_EXIT;                                                          \
        }                                                                                     \
    } while (0)
#endif
