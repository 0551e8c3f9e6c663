/* partonflow ops: grid values G, dG from the input moments (per Mellin node one small
 * complex product A = M K^T, then one real matrix product with the inverse-Mellin factors,
 * ops.h), the PDFs on the grid, the per-point weights and F2/FL at points.  The batch
 * cross-section pass is in ops_batch.c.
 *
 * Determinism: every output element is computed by one thread with a fixed operation
 * order; the products are cut into fixed pieces (one node, a block of 128 columns), each
 * one single-threaded BLAS call, so the bits do not depend on the number of threads. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

#include "ops_internal.h"
#include "partonflow/kernels/kinematics.h"

/* The Fortran BLAS entry points of the optimised BLAS.  The build links GSL without its
 * reference CBLAS (meson.build), but libgsl itself still loads libgslcblas, which defines
 * cblas_* and not dgemm_ / zgemm_: calling these keeps the products on the optimised BLAS
 * whatever the load order.  Row-major products are passed as the transposed column-major
 * ones. */
extern void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
                   const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c,
                   const int *ldc);
extern void zgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
                   const double complex *alpha, const double complex *a, const int *lda, const double complex *b,
                   const int *ldb, const double complex *beta, double complex *c, const int *ldc);

/* Row-major C[m x n] = A[m x k] B[k x n] (leading dimensions lda, ldb, ldc). */
static void gemm_rm(int m, int n, int k, const double *A, int lda, const double *B, int ldb, double *C, int ldc)
{
    const double one = 1.0, zero = 0.0;
    dgemm_("N", "N", &n, &m, &k, &one, B, &ldb, A, &lda, &zero, C, &ldc);
}

/* Row-major C[m x n] = A[m x k] B[n x k]^T (plain transpose, complex). */
static void zgemm_rm_nt(int m, int n, int k, const double complex *A, int lda, const double complex *B, int ldb,
                        double complex *C, int ldc)
{
    const double complex one = 1.0, zero = 0.0;
    zgemm_("T", "N", &n, &m, &k, &one, B, &ldb, A, &lda, &zero, C, &ldc);
}

/* OpenBLAS's own threads would split our blocks again (and be oversubscribed by OpenMP);
 * weak so that another BLAS links too. */
extern void openblas_set_num_threads(int) __attribute__((weak));

#define GEMM_COLS 128 /* columns per BLAS call (fixed: the bits must not depend on threads) */

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
    /* neutral current with Z: a third product, xF~3, folded into the FL slot at the end
     * (ops_internal.h, fl3) */
    const int nobs = o->ew ? 3 : PF_NOBS;
    const double complex *const *Ka = o->ew ? (const double complex *const *)o->Kc
                                            : (const double complex *const *)o->K;
    const size_t ncolp = (size_t)nobs * nq, ncols = npp * ncolp, kk = 2 * nn;
    double *B = malloc(kk * ncols * sizeof *B);
    double *R = malloc(nx * ncols * sizeof *R);
    if (!B || !R) {
        free(B);
        free(R);
        return pf_status_set(st, PF_ENOMEM, "pf_ops_grid_values: cannot allocate %zu x %zu products", nx,
                             ncols);
    }
    /* A_a[q, n] = sum_j K_a(Q^2_q)[n, j] M_j(N_n) for every parameter set pp, node by node
     * as one small complex product C_n[pp, q] = Mall_n[pp, :] K_a[q, n, :]^T (zgemm), then
     * stacked as B = [Im A; Re A] so that Im(c A) = Re c Im A + Im c Re A is a real product
     * with [Re C | Im C]. */
    double complex *Mall = malloc(npp * nn * PF_NIN * sizeof *Mall);
    if (!Mall) {
        free(B);
        free(R);
        return pf_status_set(st, PF_ENOMEM, "pf_ops_grid_values: cannot allocate %zu moment sets", npp);
    }
    memcpy(Mall, M, nn * PF_NIN * sizeof *Mall);
    if (npp > 1) memcpy(Mall + nn * PF_NIN, dM, (npp - 1) * nn * PF_NIN * sizeof *Mall);
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    int nomem = 0; /* (the reduction copies start at INT_MIN: `have` is the flag inside) */
#pragma omp parallel reduction(max : nomem)
    {
        double complex *Cn = malloc(npp * nq * sizeof *Cn);
        const int have = Cn != NULL;
        if (!have) nomem = 1;
#pragma omp for schedule(static)
        for (long n = 0; n < (long)nn; n++) {
            if (!have) continue;
            for (int a = 0; a < nobs; a++) {
                /* the value's set in a call of its own, the parameters' in another: a BLAS
                 * may round a product differently with the number of rows (kernels, gemv
                 * for one row), and G must not depend on whether dG is asked for */
                zgemm_rm_nt(1, (int)nq, PF_NIN, Mall + (size_t)n * PF_NIN, (int)(nn * PF_NIN),
                            Ka[a] + (size_t)n * PF_NIN, (int)(nn * PF_NIN), Cn, (int)nq);
                if (npp > 1)
                    zgemm_rm_nt((int)npp - 1, (int)nq, PF_NIN, Mall + (nn + (size_t)n) * PF_NIN, (int)(nn * PF_NIN),
                                Ka[a] + (size_t)n * PF_NIN, (int)(nn * PF_NIN), Cn + nq, (int)nq);
                double *bi = B + (size_t)n * ncols, *br = B + (nn + (size_t)n) * ncols;
                for (size_t pp = 0; pp < npp; pp++)
                    for (size_t q = 0; q < nq; q++) {
                        const size_t col = pp * ncolp + q * (size_t)nobs + (size_t)a;
                        bi[col] = cimag(Cn[pp * nq + q]);
                        br[col] = creal(Cn[pp * nq + q]);
                    }
            }
        }
        free(Cn);
    }
    free(Mall);
    if (nomem) {
        free(B);
        free(R);
        return pf_status_set(st, PF_ENOMEM, "pf_ops_grid_values: cannot allocate scratch");
    }
    if (o->gemm) { /* a caller's product (pf_ops_set_gemm), e.g. on a GPU */
        const int rc = o->gemm(o->gemm_ctx, nx, ncols, kk, o->Cs, B, R, st);
        if (rc) {
            free(B);
            free(R);
            if (st && st->code == PF_OK) pf_status_set(st, rc, "the hook returned %d", rc);
            pf_status_prefix(st, "pf_ops_grid_values: the gemm hook failed: ");
            return rc;
        }
    } else {
        /* blocks of GEMM_COLS columns, the value's columns [0, ncolp) apart from the
         * parameters': the value's products are the same calls with or without dG */
        const long nbv = (long)((ncolp + GEMM_COLS - 1) / GEMM_COLS);
        const long nblk = nbv + (long)((ncols - ncolp + GEMM_COLS - 1) / GEMM_COLS);
#pragma omp parallel for schedule(static)
        for (long b = 0; b < nblk; b++) {
            const size_t c0 = b < nbv ? (size_t)b * GEMM_COLS : ncolp + (size_t)(b - nbv) * GEMM_COLS;
            const size_t end = b < nbv ? ncolp : ncols;
            const size_t nc = end - c0 < GEMM_COLS ? end - c0 : GEMM_COLS;
            gemm_rm((int)nx, (int)nc, (int)kk, o->Cs, (int)kk, B + c0, (int)ncols, R + c0, (int)ncols);
        }
    }
    /* R[i][(pp*nq + q)*2 + a] -> G[(q*nx + i)*2 + a], dG[(pp-1)*ngrid + ...] */
#pragma omp parallel for schedule(static)
    for (long t = 0; t < (long)(npp * nq); t++) {
        const size_t pp = (size_t)t / nq, q = (size_t)t % nq;
        double *dst = pp == 0 ? G : dG + (pp - 1) * ngrid;
        if (!dst) continue;
        if (o->ew) {
            for (size_t i = 0; i < nx; i++) {
                const double *r = R + i * ncols + pp * ncolp + q * 3;
                dst[(q * nx + i) * PF_NOBS + PF_OBS_F2] = o->f23 ? r[0] + o->f23[q * nx + i] * r[2] : r[0];
                dst[(q * nx + i) * PF_NOBS + PF_OBS_FL] = r[1] + o->fl3[q * nx + i] * r[2];
            }
            continue;
        }
        for (size_t i = 0; i < nx; i++)
            for (int a = 0; a < PF_NOBS; a++)
                dst[(q * nx + i) * PF_NOBS + (size_t)a] = R[i * ncols + pp * ncolp + q * PF_NOBS + (size_t)a];
    }
    free(B);
    free(R);
    return PF_OK;
}

/* x f_k on the grid nodes: xf[(q*nx + i)*PF_NOUT + k] = sum_n Im[c_n(x_i) sum_j E[q,n,k,j] M_j(N_n)],
 * the same factored product as the structure functions (one BLAS call). */
int pf_ops_pdf_values_from_moments(const pf_ops *o, const double complex *M, double *xf, pf_status *st)
{
    const size_t nn = o->nn, nx = o->nx, nq = o->nq2, kk = 2 * nn, ncols = nq * PF_NOUT;
    double *B = malloc(kk * ncols * sizeof *B), *R = malloc(nx * ncols * sizeof *R);
    if (!B || !R) {
        free(B);
        free(R);
        return pf_status_set(st, PF_ENOMEM, "pf_ops_pdf_values: cannot allocate %zu x %zu products", nx, ncols);
    }
#pragma omp parallel for schedule(static)
    for (long q = 0; q < (long)nq; q++)
        for (size_t n = 0; n < nn; n++)
            for (int k = 0; k < PF_NOUT; k++) {
                const double complex *E = o->Kpdf + (((size_t)q * nn + n) * PF_NOUT + (size_t)k) * PF_NIN;
                double re = 0.0, im = 0.0;
                for (int j = 0; j < PF_NIN; j++) {
                    const double er = creal(E[j]), ei = cimag(E[j]), mr = creal(M[n * PF_NIN + (size_t)j]),
                                 mi = cimag(M[n * PF_NIN + (size_t)j]);
                    re += er * mr - ei * mi;
                    im += er * mi + ei * mr;
                }
                const size_t col = (size_t)q * PF_NOUT + (size_t)k;
                B[n * ncols + col] = im;
                B[(nn + n) * ncols + col] = re;
            }
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    const long nblk = (long)((ncols + GEMM_COLS - 1) / GEMM_COLS);
#pragma omp parallel for schedule(static)
    for (long b = 0; b < nblk; b++) {
        const size_t c0 = (size_t)b * GEMM_COLS;
        const size_t nc = ncols - c0 < GEMM_COLS ? ncols - c0 : GEMM_COLS;
        gemm_rm((int)nx, (int)nc, (int)kk, o->Cs, (int)kk, B + c0, (int)ncols, R + c0, (int)ncols);
    }
    for (size_t q = 0; q < nq; q++)
        for (size_t i = 0; i < nx; i++)
            for (int k = 0; k < PF_NOUT; k++)
                xf[(q * nx + i) * PF_NOUT + (size_t)k] = R[i * ncols + q * PF_NOUT + (size_t)k];
    free(B);
    free(R);
    return PF_OK;
}

/* ---------------------------------------------------------------- weights ---------- */

int pf_ops_interp_weights(const pf_ops *o, double x, double q2, uint32_t *idx, double *w)
{
    int r0, c0;
    double wr[4], wc[4];
    if (pf_ops_stencil(o, x, q2, &r0, &c0, wr, wc)) return PF_EDOMAIN;
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
    if (pf_ops_stencil(o, x, q2, &r0, &c0, wr, wc)) return PF_EDOMAIN;
    pf_kin_xsec_factors_b(&o->born, x, q2, o->s, o->alpha, &fac[PF_OBS_F2], &fac[PF_OBS_FL]);
    for (int a = 0; a < PF_NOBS; a++)
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) {
                const int k = a * 16 + r * 4 + c;
                idx[k] = (uint32_t)((((size_t)(r0 + r)) * o->nx + (size_t)(c0 + c)) * PF_NOBS + (size_t)a);
                w[k] = fac[a] * (wr[r] * wc[c]);
            }
    return PF_OK;
}

int pf_ops_xsec_weights_seg(const pf_ops *o, double x, double q2, int seg, uint32_t *idx, double *w)
{
    if (seg < 0) return pf_ops_xsec_weights(o, x, q2, idx, w);
    int r0, c0;
    double wr[4], wc[4], fac[PF_NOBS], t, u, xf;
    if (!(x > 0.0 && x < 1.0 && q2 > 0.0) || seg >= o->qaxis.nseg) return PF_EDOMAIN;
    pf_ops_coords(x, q2, &t, &u, &xf);
    if (pf_interp_axis_locate_seg(&o->qaxis, seg, t, &r0, wr) || pf_interp_axis_locate(&o->xaxis, u, &c0, wc))
        return PF_EDOMAIN;
    for (int c = 0; c < 4; c++) wc[c] *= xf * o->xpow[c0 + c];
    pf_kin_xsec_factors_b(&o->born, x, q2, o->s, o->alpha, &fac[PF_OBS_F2], &fac[PF_OBS_FL]);
    for (int a = 0; a < PF_NOBS; a++)
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) {
                const int k = a * 16 + r * 4 + c;
                idx[k] = (uint32_t)((((size_t)(r0 + r)) * o->nx + (size_t)(c0 + c)) * PF_NOBS + (size_t)a);
                w[k] = fac[a] * (wr[r] * wc[c]);
            }
    return PF_OK;
}

int pf_ops_qseg(const pf_ops *o, double q2)
{
    const double t = log(q2);
    int k = 0;
    while (k + 1 < o->qaxis.nseg && t >= o->qaxis.edge[k + 1]) k++;
    return k;
}

/* ---------------------------------------------------------------- batch passes ----- */

int pf_ops_domain_error(const pf_ops *o, const char *fn, long bad, const double *x, const double *q2,
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
    return bad != LONG_MAX ? pf_ops_domain_error(o, "pf_ops_sf", bad, x, q2, st) : PF_OK;
}
