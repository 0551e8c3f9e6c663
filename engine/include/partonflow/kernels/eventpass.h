/* partonflow: the per-event maths of the unbinned likelihood (like.h), shared by the CPU
 * event loop (engine/src/fit/like.c) and the CUDA event pass (engine/src/cuda/like.cu).
 *
 * Event i has a sparse, theta-independent row w_i; its expected density is d_i = w_i . G
 * and it contributes wt_i ln d_i to ln L and s_i w_i (s_i = wt_i / d_i) to u = W^T s
 * (like.h; R. Barlow, NIM A297 (1990) 496, eq. 2).  Two row layouts:
 *
 *  - CSR: d_i = sum_{k0 <= k < k1} val[k] G[col[k]], in four fixed lanes (pf_ev_dot_csr).
 *  - factored bicubic stencil (PF_LIKE_STW doubles sw[] per event, like.h): the 4 x 4
 *    stencil's Q^2 rows r are 8 contiguous grid values g_r[k], k = 2 c + a (column c, F2
 *    a = 0 or FL a = 1), from B + r rs, with B the stencil's first grid index and rs = 2 nx
 *    the stride of one Q^2 row.  With the row weights wr = sw[0..3], the column weights
 *    wc = sw[4..7] and the observable factors f = (sw[8], sw[9]) (F2, FL):
 *        t[k] = wr_0 g_0[k] + wr_1 g_1[k] + wr_2 g_2[k] + wr_3 g_3[k]   (rows first),
 *        p[k] = wc_{k/2} t[k],   h[j] = p[j] + p[j + 4]  (j = 0..3),
 *        d_i = f_F2 (h[0] + h[2]) + f_FL (h[1] + h[3])                  (pf_ev_dot_stencil).
 *    The term that event i adds to u[B + r rs + k] is
 *        (s_i wr_r) (f_{k%2} wc_{k/2})                                   (pf_ev_stencil_term).
 *    This order lets a host pass hold a row's 8 values in 4-double vectors (AVX2: 2
 *    registers, 2 x 4 multiplies per row) with every lane doing the scalar operations.
 *
 * The operation order of every function is part of its contract: the CPU loop and the
 * device kernels call the same function, so a row's d_i and each u term are the same
 * bits on both (up to the device's fused multiply-add contraction; see docs/gpu.md).
 * Only real arithmetic and fixed-width integers (kernels/common.h). */
#ifndef PARTONFLOW_KERNELS_EVENTPASS_H
#define PARTONFLOW_KERNELS_EVENTPASS_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/kernels/common.h"
#include "partonflow/kernels/interp.h"

#define PF_EV_STW 10   /* doubles per stencil row: wr[0..3], wc[0..3], f2, fl (= PF_LIKE_STW) */
#define PF_EV_NTERM 32 /* grid values one stencil row touches: 4 rows x 4 columns x (F2, FL) */

/* CSR row dot product w_i . G in four interleaved partial sums: entry k0 + 4 m + l goes to
 * lane l in ascending m, d = (s0 + s1) + (s2 + s3), then the last (k1 - k0) % 4 entries in
 * ascending k.  Smeared-detector rows have 50-400 entries: one sequential sum would be a
 * chain of dependent additions (latency-bound, ~4 cycles per entry); four chains run in
 * parallel, and the order is still fixed per row.  The _f32 form reads FP32-stored weights
 * and accumulates in FP64 (the FP32-storage variant of the device pass). */
#define PF_EV_DEFINE_DOT_CSR(name, T)                                                          \
    PF_HD double name(const uint32_t *col, const T *val, uint64_t k0, uint64_t k1,            \
                      const double *G)                                                         \
    {                                                                                          \
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;                                         \
        uint64_t k = k0;                                                                       \
        for (; k + 4 <= k1; k += 4) {                                                          \
            s0 += (double)val[k] * G[col[k]];                                                  \
            s1 += (double)val[k + 1] * G[col[k + 1]];                                          \
            s2 += (double)val[k + 2] * G[col[k + 2]];                                          \
            s3 += (double)val[k + 3] * G[col[k + 3]];                                          \
        }                                                                                      \
        double d = (s0 + s1) + (s2 + s3);                                                      \
        for (; k < k1; k++) d += (double)val[k] * G[col[k]];                                   \
        return d;                                                                              \
    }
PF_EV_DEFINE_DOT_CSR(pf_ev_dot_csr, double)
PF_EV_DEFINE_DOT_CSR(pf_ev_dot_csr_f32, float)

/* The term of CSR entry k in u[col[k]]. */
PF_HD double pf_ev_csr_term(double s, double val) { return s * val; }

/* u[col[k]] += s val[k] for the row, ascending k (the sequential CPU scatter). */
PF_HD void pf_ev_scatter_csr(const uint32_t *col, const double *val, uint64_t k0, uint64_t k1, double s,
                             double *u)
{
    for (uint64_t k = k0; k < k1; k++) u[col[k]] += pf_ev_csr_term(s, val[k]);
}

/* A compact stencil row (likelihood.h5 /events/stencil_local: the local coordinates ur, uc
 * of the cubic weights in node units, then f2, fl) expanded to the factored row sw[]; on a
 * theory grid with x factors (the perfect detector: the point's xf and the grid's column
 * factors xpow from the stencil's first column, kernels/interp.h, ops) the column weights
 * are scaled as pf_ops_stencil_weights scales them, so sw is the same bits as a row that
 * prepare computed and stored whole.  xpow NULL: no scaling (the response grid). */
PF_HD void pf_ev_stencil_expand(const double *loc, double xf, const double *xpow, double *sw)
{
    pf_interp_cubic_weights(loc[0], sw);
    pf_interp_cubic_weights(loc[1], sw + 4);
    if (xpow)
        for (int c = 0; c < 4; c++) sw[4 + c] *= xf * xpow[c];
    sw[8] = loc[2];
    sw[9] = loc[3];
}

/* Stencil row dot product (the order of the header comment): g0 = G + B, rs = 2 nx. */
PF_HD double pf_ev_dot_stencil(const double *sw, const double *g0, size_t rs)
{
    double t[8];
    for (int k = 0; k < 8; k++) t[k] = sw[0] * g0[k];
    for (int r = 1; r < 4; r++) {
        const double *gr = g0 + (size_t)r * rs;
        for (int k = 0; k < 8; k++) t[k] = t[k] + sw[r] * gr[k];
    }
    double h[4];
    for (int j = 0; j < 4; j++) h[j] = sw[4 + j / 2] * t[j] + sw[6 + j / 2] * t[j + 4];
    return sw[8] * (h[0] + h[2]) + sw[9] * (h[1] + h[3]);
}

/* The term of stencil entry (r, c, a) in u[B + r rs + 2 c + a]; term3 takes the three
 * weights it reads (wr = sw[r], fa = sw[8 + a], wc = sw[4 + c]). */
PF_HD double pf_ev_stencil_term3(double s, double wr, double fa, double wc) { return (s * wr) * (fa * wc); }
PF_HD double pf_ev_stencil_term(const double *sw, double s, int r, int c, int a)
{
    return pf_ev_stencil_term3(s, sw[r], sw[8 + a], sw[4 + c]);
}

/* Term index t = a*16 + r*4 + c (the pf_ops_xsec_weights order) -> offset from B. */
PF_HD size_t pf_ev_stencil_offset(int t, size_t rs)
{
    const int a = t >> 4, r = (t >> 2) & 3, c = t & 3;
    return (size_t)r * rs + 2 * (size_t)c + (size_t)a;
}

/* u[B + r rs + 2 c + a] += pf_ev_stencil_term(sw, s, r, c, a), rows r, then c, F2 then FL:
 * the sequential scatter; u0 = u + B. */
PF_HD void pf_ev_scatter_stencil(const double *sw, double s, double *u0, size_t rs)
{
    for (int r = 0; r < 4; r++) {
        double *ur = u0 + (size_t)r * rs;
        for (int c = 0; c < 4; c++) {
            ur[2 * c] += pf_ev_stencil_term(sw, s, r, c, 0);
            ur[2 * c + 1] += pf_ev_stencil_term(sw, s, r, c, 1);
        }
    }
}

/* Host-only four-lane forms of the stencil dot product and scatter (GCC vector extensions:
 * one AVX2 register per 4 doubles where the caller is compiled for AVX2, e.g. a
 * target_clones function of like.c, two SSE2 / NEON registers otherwise).  A row's 8 values
 * are 2 vectors (k = 0..3, 4..7); every lane performs the scalar functions' operations in
 * their order (t = wr_0 g_0, then t + wr_r g_r; h = wc t_lo + wc t_hi; f (h0 + h2) + ...;
 * u += (s wr) (f wc)), so the results are the same bits (unit test
 * eventpass_four_lane_stencil_is_bitwise_the_scalar_one); the scalar forms stay the
 * reference and the device's code.  The build passes -ffp-contract=off (meson.build), so
 * no compiler fuses the multiplies and adds on either path; x86-64 and AArch64 only
 * (SSE2 / NEON doubles, no x87 excess precision). */
#if !defined(__CUDACC__) && defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))
#include <string.h>
#define PF_EV_HAVE_V4 1
typedef double pf_ev_v4 __attribute__((vector_size(32)));

/* (no vector-valued functions: their ABI differs between the AVX2 and baseline clones) */
static inline void pf_ev_v4_ld(pf_ev_v4 *v, const double *p) { memcpy(v, p, sizeof *v); }

/* The column-weight vectors (wc0 wc0 wc1 wc1), (wc2 wc2 wc3 wc3) of a row. */
static inline void pf_ev_v4_colw(const double *sw, pf_ev_v4 *w0, pf_ev_v4 *w1)
{
    *w0 = (pf_ev_v4){sw[4], sw[4], sw[5], sw[5]};
    *w1 = (pf_ev_v4){sw[6], sw[6], sw[7], sw[7]};
}

static inline double pf_ev_dot_stencil_v4(const double *sw, const double *g0, size_t rs)
{
    const pf_ev_v4 w0 = {sw[0], sw[0], sw[0], sw[0]};
    pf_ev_v4 t0, t1, g;
    pf_ev_v4_ld(&t0, g0);
    pf_ev_v4_ld(&t1, g0 + 4);
    t0 = w0 * t0;
    t1 = w0 * t1;
    for (int r = 1; r < 4; r++) {
        const double *gr = g0 + (size_t)r * rs;
        const pf_ev_v4 wr = {sw[r], sw[r], sw[r], sw[r]};
        pf_ev_v4_ld(&g, gr);
        t0 = t0 + wr * g;
        pf_ev_v4_ld(&g, gr + 4);
        t1 = t1 + wr * g;
    }
    pf_ev_v4 c0, c1;
    pf_ev_v4_colw(sw, &c0, &c1);
    const pf_ev_v4 h = c0 * t0 + c1 * t1;
    return sw[8] * (h[0] + h[2]) + sw[9] * (h[1] + h[3]);
}

static inline void pf_ev_scatter_stencil_v4(const double *sw, double s, double *u0, size_t rs)
{
    pf_ev_v4 c0, c1;
    pf_ev_v4_colw(sw, &c0, &c1);
    const pf_ev_v4 f = {sw[8], sw[9], sw[8], sw[9]};
    const pf_ev_v4 q0 = f * c0, q1 = f * c1;
    for (int r = 0; r < 4; r++) {
        double *ur = u0 + (size_t)r * rs;
        const double swr = s * sw[r];
        const pf_ev_v4 sr = {swr, swr, swr, swr};
        pf_ev_v4 v0, v1;
        pf_ev_v4_ld(&v0, ur);
        pf_ev_v4_ld(&v1, ur + 4);
        v0 = v0 + sr * q0;
        v1 = v1 + sr * q1;
        memcpy(ur, &v0, sizeof v0);
        memcpy(ur + 4, &v1, sizeof v1);
    }
}
#endif

#endif
