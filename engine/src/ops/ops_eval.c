/* partonflow ops: fast evaluation.  Grid values G, dG from the input moments (one real
 * matrix product, ops.h), then per point 32 weights (bicubic stencil x kinematic factors)
 * dotted with G and with every row of dG.
 *
 * Determinism: every output element is computed by one thread with a fixed operation
 * order; the matrix product is cut into fixed column blocks, each one single-threaded BLAS
 * call, so the bits do not depend on the number of threads. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

#include "ops_internal.h"
#include "partonflow/kernels/kinematics.h"

/* OpenBLAS's own threads would split our blocks again (and be oversubscribed by OpenMP);
 * weak so that another BLAS links too. */
extern void openblas_set_num_threads(int) __attribute__((weak));

#define GEMM_COLS 128 /* columns per BLAS call (fixed: the bits must not depend on threads) */
#define PT_BLOCK 16   /* points per block in the gradient pass (transposed stores) */

/* ---------------------------------------------------------------- grid values ------ */

int pf_ops_grid_values_from_moments(const pf_ops *o, size_t np, const double complex *M,
                                    const double complex *dM, double *G, double *dG,
                                    pf_status *st)
{
    if (!G && !dG) return PF_OK;
    if (dG && !dM)
        return pf_status_set(st, PF_EINVAL, "pf_ops_grid_values: dG requested without dM");
    const size_t nn = o->nn, nx = o->nx, nq = o->nq2, ngrid = pf_ops_ngrid(o);
    const size_t npp = dG ? np + 1 : 1;          /* columns sets: value, then each parameter */
    const size_t ncolp = PF_NOBS * nq, ncols = npp * ncolp, kk = 2 * nn;
    double *B = malloc(kk * ncols * sizeof *B);
    double *R = malloc(nx * ncols * sizeof *R);
    if (!B || !R) {
        free(B);
        free(R);
        return pf_status_set(st, PF_ENOMEM, "pf_ops_grid_values: cannot allocate %zu x %zu products", nx,
                             ncols);
    }
    /* A_a[q, n] = sum_j K_a(Q^2_q)[n, j] M_j(N_n), stacked as B = [Im A; Re A] so that
     * Im(c A) = Re c Im A + Im c Re A is a real product with [Re C | Im C]. */
    const long ntask = (long)(npp * nq);
#pragma omp parallel for schedule(static)
    for (long task = 0; task < ntask; task++) {
        const size_t pp = (size_t)task / nq, q = (size_t)task % nq;
        const double complex *Mp = pp == 0 ? M : dM + (pp - 1) * nn * PF_NIN;
        for (int a = 0; a < PF_NOBS; a++) {
            const size_t col = pp * ncolp + q * PF_NOBS + (size_t)a;
            const double complex *Kq = o->K[a] + q * nn * PF_NIN;
            for (size_t n = 0; n < nn; n++) {
                double re = 0.0, im = 0.0;
                for (int j = 0; j < PF_NIN; j++) {
                    const double kr = creal(Kq[n * PF_NIN + j]), ki = cimag(Kq[n * PF_NIN + j]);
                    const double mr = creal(Mp[n * PF_NIN + j]), mi = cimag(Mp[n * PF_NIN + j]);
                    re += kr * mr - ki * mi;
                    im += kr * mi + ki * mr;
                }
                B[n * ncols + col] = im;
                B[(nn + n) * ncols + col] = re;
            }
        }
    }
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    const long nblk = (long)((ncols + GEMM_COLS - 1) / GEMM_COLS);
#pragma omp parallel for schedule(static)
    for (long b = 0; b < nblk; b++) {
        const size_t c0 = (size_t)b * GEMM_COLS;
        const size_t nc = ncols - c0 < GEMM_COLS ? ncols - c0 : GEMM_COLS;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nx, (int)nc, (int)kk, 1.0, o->Cs,
                    (int)kk, B + c0, (int)ncols, 0.0, R + c0, (int)ncols);
    }
    /* R[i][(pp*nq + q)*2 + a] -> G[(q*nx + i)*2 + a], dG[(pp-1)*ngrid + ...] */
#pragma omp parallel for schedule(static)
    for (long t = 0; t < (long)(npp * nq); t++) {
        const size_t pp = (size_t)t / nq, q = (size_t)t % nq;
        double *dst = pp == 0 ? G : dG + (pp - 1) * ngrid;
        if (!dst) continue;
        for (size_t i = 0; i < nx; i++)
            for (int a = 0; a < PF_NOBS; a++)
                dst[(q * nx + i) * PF_NOBS + (size_t)a] = R[i * ncols + pp * ncolp + q * PF_NOBS + (size_t)a];
    }
    free(B);
    free(R);
    return PF_OK;
}

/* ---------------------------------------------------------------- weights ---------- */

/* Stencil of one point: first row r0, first column c0, weights wr (Q^2), wc (x; with the
 * (1-x)^XPOW / (1-x_c)^XPOW factor of the interpolated F / (1-x)^XPOW). */
static inline int stencil(const pf_ops *o, double x, double q2, int *r0, int *c0, double wr[4],
                          double wc[4])
{
    if (!(x > 0.0 && x < 1.0 && q2 > 0.0)) return -1;
    const double omx = 1.0 - x;
    if (pf_interp_axis_locate(&o->qaxis, log(q2), r0, wr)) return -1;
    if (pf_interp_axis_locate(&o->xaxis, log(x / omx), c0, wc)) return -1;
    double f = 1.0;
    for (int k = 0; k < PF_OPS_XPOW; k++) f *= omx;
    for (int c = 0; c < 4; c++) wc[c] *= f * o->xpow[*c0 + c];
    return 0;
}

int pf_ops_interp_weights(const pf_ops *o, double x, double q2, uint32_t *idx, double *w)
{
    int r0, c0;
    double wr[4], wc[4];
    if (stencil(o, x, q2, &r0, &c0, wr, wc)) return PF_EDOMAIN;
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) {
            idx[r * 4 + c] = (uint32_t)((((size_t)(r0 + r)) * o->nx + (size_t)(c0 + c)) * PF_NOBS);
            w[r * 4 + c] = wr[r] * wc[c];
        }
    return PF_OK;
}

int pf_ops_xsec_weights(const pf_ops *o, double x, double q2, uint32_t *idx, double *w)
{
    int r0, c0;
    double wr[4], wc[4], fac[PF_NOBS];
    if (stencil(o, x, q2, &r0, &c0, wr, wc)) return PF_EDOMAIN;
    pf_kin_xsec_factors(x, q2, o->s, o->alpha, &fac[PF_OBS_F2], &fac[PF_OBS_FL]);
    for (int a = 0; a < PF_NOBS; a++)
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) {
                const int k = a * 16 + r * 4 + c;
                idx[k] = (uint32_t)((((size_t)(r0 + r)) * o->nx + (size_t)(c0 + c)) * PF_NOBS + (size_t)a);
                w[k] = fac[a] * wr[r] * wc[c];
            }
    return PF_OK;
}

/* ---------------------------------------------------------------- batch passes ----- */

static int domain_error(const pf_ops *o, const char *fn, long bad, const double *x, const double *q2,
                        pf_status *st)
{
    double xl, xh, ql, qh;
    pf_ops_bounds(o, &xl, &xh, &ql, &qh);
    return pf_status_set(st, PF_EDOMAIN,
                         "%s: point %ld (x = %g, Q2 = %g GeV^2) is outside the theory grid "
                         "(x in [%g, %g], Q2 in [%g, %g] GeV^2)",
                         fn, bad, x[bad], q2[bad], xl, xh, ql, qh);
}

int pf_ops_sf(const pf_ops *o, const double *G, size_t n, const double *x, const double *q2,
              double *F2, double *FL, pf_status *st)
{
    long bad = LONG_MAX; /* the first point outside the grid */
#pragma omp parallel for schedule(static) reduction(min : bad)
    for (long i = 0; i < (long)n; i++) {
        uint32_t idx[16];
        double w[16];
        if (pf_ops_interp_weights(o, x[i], q2[i], idx, w)) {
            if (i < bad) bad = i;
            continue;
        }
        double f2 = 0.0, fl = 0.0;
        for (int k = 0; k < 16; k++) {
            f2 += w[k] * G[idx[k] + PF_OBS_F2];
            fl += w[k] * G[idx[k] + PF_OBS_FL];
        }
        if (F2) F2[i] = f2;
        if (FL) FL[i] = fl;
    }
    return bad != LONG_MAX ? domain_error(o, "pf_ops_sf", bad, x, q2, st) : PF_OK;
}

/* The gradient pass over one block of points.  T: per grid node and observable a row of
 * npad doubles (G, then dG for each parameter, zero padded to a multiple of 8), so that
 * one point reads 4 rows of 4 contiguous nodes.  Compiled for AVX-512 and AVX2 as well as
 * the baseline, picked at run time. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void xsec_block(const double *restrict T, size_t npad, size_t nx, int m,
                       const int *restrict r0, const int *restrict c0, const double *restrict w,
                       double *restrict buf)
{
    for (int pt = 0; pt < m; pt++) {
        const double *wp = w + pt * PF_OPS_NW;
        for (size_t ch = 0; ch < npad; ch += 8) {
            double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int r = 0; r < 4; r++) {
                const double *row = T + ((size_t)(r0[pt] + r) * nx + (size_t)c0[pt]) * PF_NOBS * npad + ch;
                for (int c = 0; c < 4; c++)
                    for (int a = 0; a < PF_NOBS; a++) {
                        const double cw = wp[a * 16 + r * 4 + c];
                        const double *v = row + (size_t)(c * PF_NOBS + a) * npad;
                        for (int k = 0; k < 8; k++) acc[k] += cw * v[k];
                    }
            }
            memcpy(buf + (size_t)pt * npad + ch, acc, sizeof acc);
        }
    }
}

int pf_ops_xsec(const pf_ops *o, const double *G, const double *dG, size_t np, size_t n,
                const double *x, const double *q2, double *out, double *grad, pf_status *st)
{
    if (!grad) np = 0;
    if (np && !dG) return pf_status_set(st, PF_EINVAL, "pf_ops_xsec: gradient requested without dG");
    const size_t ngrid = pf_ops_ngrid(o), nnode = o->nx * o->nq2;
    const size_t npad = (np + 1 + 7) / 8 * 8;
    double *T = malloc(nnode * PF_NOBS * npad * sizeof *T);
    if (!T) return pf_status_set(st, PF_ENOMEM, "pf_ops_xsec: cannot allocate %zu x %zu grid table", ngrid, npad);
#pragma omp parallel for schedule(static)
    for (long g = 0; g < (long)ngrid; g++) {
        double *row = T + (size_t)g * npad;
        row[0] = G[g];
        for (size_t p = 0; p < np; p++) row[1 + p] = dG[p * ngrid + (size_t)g];
        for (size_t p = np + 1; p < npad; p++) row[p] = 0.0;
    }
    long bad = LONG_MAX; /* the first point outside the grid */
    int nomem = 0;
    const long nblk = (long)((n + PT_BLOCK - 1) / PT_BLOCK);
#pragma omp parallel reduction(min : bad) reduction(max : nomem)
    {
        double *buf = malloc(PT_BLOCK * npad * sizeof *buf);
#pragma omp for schedule(static)
        for (long b = 0; b < nblk; b++) {
            const size_t i0 = (size_t)b * PT_BLOCK;
            const int m = (int)(n - i0 < PT_BLOCK ? n - i0 : PT_BLOCK);
            int r0[PT_BLOCK], c0[PT_BLOCK];
            double w[PT_BLOCK * PF_OPS_NW];
            int ok = 1;
            for (int pt = 0; pt < m; pt++) {
                double wr[4], wc[4], fac[PF_NOBS];
                const double xi = x[i0 + pt], qi = q2[i0 + pt];
                if (stencil(o, xi, qi, &r0[pt], &c0[pt], wr, wc)) {
                    if ((long)(i0 + pt) < bad) bad = (long)(i0 + pt);
                    ok = 0;
                    break;
                }
                pf_kin_xsec_factors(xi, qi, o->s, o->alpha, &fac[0], &fac[1]);
                for (int a = 0; a < PF_NOBS; a++)
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++)
                            w[pt * PF_OPS_NW + a * 16 + r * 4 + c] = fac[a] * wr[r] * wc[c];
            }
            if (!ok || !buf) continue;
            xsec_block(T, npad, o->nx, m, r0, c0, w, buf);
            for (int pt = 0; pt < m; pt++)
                if (out) out[i0 + pt] = buf[(size_t)pt * npad];
            if (np)
                for (size_t p = 0; p < np; p++)
                    for (int pt = 0; pt < m; pt++) grad[p * n + i0 + pt] = buf[(size_t)pt * npad + 1 + p];
        }
        if (!buf) nomem = 1;
        free(buf);
    }
    free(T);
    if (nomem) return pf_status_set(st, PF_ENOMEM, "pf_ops_xsec: cannot allocate point buffers");
    return bad != LONG_MAX ? domain_error(o, "pf_ops_xsec", bad, x, q2, st) : PF_OK;
}
