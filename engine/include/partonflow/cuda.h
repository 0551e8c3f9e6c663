/* partonflow: the CUDA backend's host interface.
 *
 * The device code lives in the .cu files of engine/src/cuda and only arranges data and launches; the
 * maths is the header-inline kernels/ code that the CPU paths use too.  In a build without
 * nvcc every function returns PF_ECUDA "built without CUDA" and pf_cuda_device_count()
 * returns 0, so callers fall back to the CPU. */
#ifndef PARTONFLOW_CUDA_H
#define PARTONFLOW_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/status.h"

/* Number of usable CUDA devices (0 without a device, a driver, or CUDA support). */
int pf_cuda_device_count(void);
/* Name of device 0 ("NVIDIA H100 80GB HBM3") into buf. */
int pf_cuda_device_name(char *buf, size_t len, pf_status *st);

/* out[i] = pf_rng_uniform(seed, stream0 + i, k) computed on the device, i < n: the same
 * Philox stream layout as the CPU, so the same events come out. */
int pf_cuda_rng_uniform(uint64_t seed, uint64_t stream0, uint64_t k, size_t n, double *out,
                        pf_status *st);
int pf_cuda_rng_normal(uint64_t seed, uint64_t stream0, uint64_t k, size_t n, double *out,
                       pf_status *st);

#endif
