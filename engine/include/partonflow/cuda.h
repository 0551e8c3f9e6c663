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

#include "partonflow/kernels/sampler.h"
#include "partonflow/like_data.h"
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

/* The `--device cpu|cuda` choice of the CLI.  request NULL: "cuda" when this build has CUDA
 * and a device is present, else "cpu".  Sets *use_cuda and label ("cpu" or
 * "cuda:<device name>", for /meta and the bench tables).  Errors: "--device cuda: this
 * build has no CUDA", "--device cuda: no CUDA device" (PF_ECUDA), anything but cpu or
 * cuda (PF_EINVAL). */
int pf_cuda_select_device(const char *request, int *use_cuda, char *label, size_t len, pf_status *st);

/* Device-to-device copy bandwidth of device 0 in GB/s (bytes read + bytes written per
 * second, 10^9 bytes), from the median of `repeats` cudaMemcpy of `bytes` bytes: the
 * roofline the event pass is measured against (docs/gpu.md). */
int pf_cuda_copy_bandwidth(size_t bytes, int repeats, double *gbs, pf_status *st);

/* Candidate j of events first .. first+n-1 (kernels/sampler.h) on the device: cell, u =
 * ln x, v = ln Q^2 and the accept uniform, the CPU sampler's bits.  The rest of the
 * device sampler is not written (docs/gpu.md, "The sampler: what is left"). */
int pf_cuda_sim_candidates(const pf_samp_tables *t, uint64_t seed, uint64_t first, size_t n, uint64_t j,
                           uint32_t *cell, double *u, double *v, double *acc, pf_status *st);

/* ---------------------------------------------------------------- products -------- */
/* C = A B in FP64 by cuBLAS dgemm, row-major host arrays: A m x k, B k x n, C m x n.
 * ops' grid values are one such product, G = [Re C | Im C] [Im A; Re A] (ops.h). */
int pf_cuda_dgemm(size_t m, size_t n, size_t k, const double *A, const double *B, double *C,
                  pf_status *st);
/* Opens cuBLAS (it is not linked: dlopen at the first product, so that a process start
 * does not pay its initialisers) and finds its entry points; no device needed.  PF_ECUDA
 * with the loader's message when it cannot (or when the build has no CUDA). */
int pf_cuda_blas_open(pf_status *st);
/* The theta-independent left factor kept on the device (ops' [Re C | Im C], m x k), so
 * that each evaluation uploads only B and downloads C. */
typedef struct pf_cuda_gemm pf_cuda_gemm;
pf_cuda_gemm *pf_cuda_gemm_create(size_t m, size_t k, const double *A, pf_status *st);
void pf_cuda_gemm_destroy(pf_cuda_gemm *g);
int pf_cuda_gemm_apply(pf_cuda_gemm *g, size_t n, const double *B, double *C, pf_status *st);
/* The same as a callback for a caller that owns a constant A (ops' [Re C | Im C]):
 * ctx points to a pf_cuda_gemm * (NULL at first; destroy it with pf_cuda_gemm_destroy),
 * made on the first call and kept while A and its shape stay the same (A's contents must
 * not change while it is kept). */
int pf_cuda_gemm_cached(void *ctx, size_t m, size_t n, size_t k, const double *A, const double *B, double *C,
                        pf_status *st);

/* ---------------------------------------------------------------- event pass ------ */
/* The unbinned likelihood's event pass (like.h) on device 0: the rows (CSR or factored
 * stencil) are copied to the device once; each evaluation uploads G (ngrid doubles) and
 * returns the event sums
 *     lnl_ev = sum_i wt_i ln(w_i . G),   u = W^T s,  s_i = wt_i / (w_i . G)
 * over this rank's events, in FP64 with reductions whose order is fixed by the data
 * alone (never by the launch configuration or the device): ln L over fixed chunks of 256
 * events by a fixed pairwise tree, chunk partials by the same tree; u through a
 * transposed copy of the rows built at creation, each grid value summed over fixed
 * segments of its entries in event order (docs/gpu.md).  The same maths per event as the
 * CPU (kernels/eventpass.h); results agree with pf_like_events to ~1e-15 relative, not
 * bitwise (different summation trees).
 * fp32 != 0 stores the weights (val, or the stencil's sw) in FP32 on the device; all
 * arithmetic stays FP64 (the accuracy loss is measured by `partonflow bench gpu`). */
typedef struct pf_cuda_like pf_cuda_like;
pf_cuda_like *pf_cuda_like_create(const pf_like_data *d, int fp32, pf_status *st);
void pf_cuda_like_destroy(pf_cuda_like *lk);
/* wt_i (this rank's events, finite >= 0) or NULL for all 1 (like.h pf_like_set_weights). */
int pf_cuda_like_set_weights(pf_cuda_like *lk, const double *wt, pf_status *st);
/* lnl_ev and u (nullable: then only ln L is summed).  A non-positive density at an event
 * with non-zero weight is PF_EDOMAIN naming the lowest such event (as the CPU). */
int pf_cuda_like_eval(pf_cuda_like *lk, const double *G, double *lnl_ev, double *u, pf_status *st);
/* pf_like_events on the device: ln L = lnl_ev - L c . G and grad (nullable) =
 * dG (u - L c), the small dense part on the host in the CPU's order.  Single rank: the
 * sums are this rank's (no MPI reduction of device partials yet). */
int pf_cuda_like_events(pf_cuda_like *lk, const double *G, const double *dG, size_t np, double *lnl,
                        double *grad, pf_status *st);
/* Bytes the device reads and writes in one evaluation with u (model used for the
 * achieved bandwidth of `partonflow bench gpu`: every array each kernel streams, once). */
double pf_cuda_like_bytes(const pf_cuda_like *lk, int with_u);

#endif
