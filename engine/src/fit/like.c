/* partonflow fit: the unbinned extended and the binned Poisson likelihood (like.h). */
#include "partonflow/like.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/kernels/eventpass.h"
#include "fit_mem.h"
#include "partonflow/kernels/philox.h"
#include "partonflow/par.h"
#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

/* A CSR matrix of float32 weights whose rows come in pairs (2p: F2, 2p + 1: FL) that read
 * the interleaved values x[2m] (even rows) and x[2m + 1] (odd rows): the response operator
 * M and its transpose (the F2 part of a node reads only F2 values of G, and so on).  Held
 * as one row per pair over the union of the two rows' columns m, a missing weight being
 * 0, and the columns as runs of consecutive m: 4 bytes per weight instead of 8 (the column
 * index), for the two products every ln L call makes; rows of M are a few long runs (one
 * per true Q^2 row of the response).  The sums keep each row's order (the zeros add
 * exactly nothing), so the bits are the CSR product's. */
typedef struct pair_op {
    size_t np;          /* pairs of rows; 0: not built */
    uint64_t *rptr;     /* np + 1: runs of pair p are [rptr[p], rptr[p+1]) */
    uint32_t *rs, *rl;  /* run r covers m = rs[r] .. rs[r] + rl[r] - 1 */
    uint64_t *wp;       /* np + 1: pair p's weights start at w[2 wp[p]] */
    float *w;           /* (w_even, w_odd) per m */
} pair_op;

#define PF_LANE_W (4 * PF_LIKE_STW) /* doubles per lane group */
#define PF_LANE_COUNT 7
#define PF_LANE_RUN_END 8

struct pf_like {
    size_t ngrid, ntot, first, n, nnz, nbins;
    uint64_t *row_ptr;
    uint32_t *col;
    double *val;
    int32_t *bin;
    /* CSR rows as runs of consecutive grid indices (built here; the event pass reads these,
     * not col): run r covers G[rcol[r] .. rcol[r] + rlen[r]), rows i own runs
     * [rptr[i], rptr[i+1]).  A smeared row is a patch of a few Q^2 rows of the grid, i.e.
     * a few long runs: 8 instead of 12 bytes per entry and contiguous loads. */
    uint64_t *rptr;
    uint32_t *rcol, *rlen;
    uint32_t *st_base;  /* factored rows (perfect detector), or NULL: CSR */
    /* Stencil rows are held in an order of their own inside each block (block_order):
     * position i holds the event first + (i - i % PF_LIKE_BLOCK) + perm[i] of the caller's
     * order.  NULL: the caller's order. */
    uint16_t *perm;
    /* Whole rows in lane groups (lanes_build; then st_w is NULL): up to 4 consecutive held
     * events of one stencil base, their rows transposed (weight q of lane l at
     * ln_w[PF_LANE_W g + 4 q + l], 0 in unused lanes); group g starts at held position
     * ln_pos[g], holds ln_cnt[g] & PF_LANE_COUNT events and ends its run of one base where
     * ln_cnt[g] & PF_LANE_RUN_END; block b owns groups [ln_blk[b], ln_blk[b + 1]). */
    size_t ln_n;
    uint64_t *ln_blk;
    uint32_t *ln_base;
    uint64_t *ln_pos;
    uint8_t *ln_cnt;
    double *ln_w;
    double *view_w;     /* pf_like_view's copy of the whole rows, made from the lanes on demand */
    int lanes_order;    /* the stencil pass in lane order (lanes_build): ln_w, or event by event */
    int st_expand;      /* compact rows to be made whole by lanes_build (pf_like_data) */
    double *st_w;       /* the rows whole, or NULL: */
    double *st_loc;     /* compact, expanded per event in the pass (like_data.h) */
    double *st_xf, *st_xpow;
    size_t st_nx;
    /* response operator (like.h): F = M G, u_G = M^T u_F; mt: M^T as CSR (ngrid rows,
     * entries in ascending row of M), F: nF */
    size_t nF;
    uint64_t *m_ptr, *mt_ptr;
    uint32_t *m_col, *mt_col;
    double *m_val, *mt_val, *F;
    float *m_val32, *mt_val32; /* M's weights when they are all float32 numbers (prepare rounds
                                  them): the same products from half the bytes; then mt_val NULL */
    pair_op m_pr, mt_pr; /* M and M^T as paired runs (pair_make), when m_val32: then
                            m_val32, mt_col and mt_val32 are freed */
    size_t x_n;         /* exact rows on G of some response-mode events (like.h) */
    uint64_t *x_event, *x_ptr;
    uint32_t *x_col;
    double *x_val;
    double *c, *H, L;
    double *wt;        /* NULL: all 1 */
    double *counts;    /* nbins */
    double *partials;  /* nblocks_local x (nev + 1), nev = ngrid, or nF + ngrid with the
                          response operator: [ln L | u_F | u_G] */
    double *u;         /* max(ngrid, nF) + 1 */
    size_t nblocks_local, first_block, nblocks_total;
    int binned_only;   /* no event rows (pf_like_data.binned_only) */
};

void pf_like_range(size_t ntot, int rank, int size, size_t *begin, size_t *end)
{
    const size_t nb = (ntot + PF_LIKE_BLOCK - 1) / PF_LIKE_BLOCK;
    size_t b0 = nb * (size_t)rank / (size_t)size, b1 = nb * (size_t)(rank + 1) / (size_t)size;
    *begin = b0 * PF_LIKE_BLOCK < ntot ? b0 * PF_LIKE_BLOCK : ntot;
    *end = b1 * PF_LIKE_BLOCK < ntot ? b1 * PF_LIKE_BLOCK : ntot;
}

int pf_like_poisson1(double u)
{
    /* Inversion of the Poisson(1) CDF, F(k) = e^-1 sum_{j<=k} 1/j!; k <= 20 covers u up to
     * 1 - 2^-53 (P(k > 20) ~ 4e-20). */
    double p = 0.36787944117144233, F = p;
    int k = 0;
    while (u > F && k < 20) {
        k++;
        p /= k;
        F += p;
    }
    return k;
}

static int recount(pf_like *lk, pf_status *st)
{
    if (!lk->nbins) return PF_OK;
    /* Weighted counts per block, combined in block order like every other event sum. */
    const size_t nb = lk->nblocks_local, len = lk->nbins;
    double *part = calloc(nb ? nb * len : 1, sizeof *part);
    if (!part) return pf_status_set(st, PF_ENOMEM, "likelihood: cannot allocate %zu bin partials", nb * len);
    for (size_t b = 0; b < nb; b++) {
        size_t i0 = b * PF_LIKE_BLOCK, i1 = i0 + PF_LIKE_BLOCK < lk->n ? i0 + PF_LIKE_BLOCK : lk->n;
        for (size_t i = i0; i < i1; i++)
            if (lk->bin[i] >= 0) part[b * len + (size_t)lk->bin[i]] += lk->wt ? lk->wt[i] : 1.0;
    }
    int rc = pf_par_sum_blocks(part, lk->first_block, nb, lk->nblocks_total, len, lk->counts, st);
    free(part);
    return rc;
}

/* Runs of the CSR rows (struct pf_like); -1 when out of memory. */
static int build_runs(pf_like *lk)
{
    size_t nr = 0;
    for (size_t i = 0; i < lk->n; i++)
        for (uint64_t k = lk->row_ptr[i]; k < lk->row_ptr[i + 1]; k++)
            nr += k == lk->row_ptr[i] || lk->col[k] != lk->col[k - 1] + 1;
    lk->rptr = malloc((lk->n + 1) * sizeof *lk->rptr);
    lk->rcol = malloc((nr ? nr : 1) * sizeof *lk->rcol);
    lk->rlen = malloc((nr ? nr : 1) * sizeof *lk->rlen);
    if (!lk->rptr || !lk->rcol || !lk->rlen) return -1;
    size_t r = 0;
    lk->rptr[0] = 0;
    for (size_t i = 0; i < lk->n; i++) {
        for (uint64_t k = lk->row_ptr[i]; k < lk->row_ptr[i + 1]; k++) {
            if (k == lk->row_ptr[i] || lk->col[k] != lk->col[k - 1] + 1) {
                lk->rcol[r] = lk->col[k];
                lk->rlen[r++] = 0;
            }
            lk->rlen[r - 1]++;
        }
        lk->rptr[i + 1] = r;
    }
    return 0;
}

/* pf_ev_dot_csr (kernels/eventpass.h: four lanes by position in the row, then the tail)
 * over the runs of one row: the same products added in the same order, so the same bits;
 * v = the row's weights. */
static inline double dot_runs(const uint32_t *restrict rcol, const uint32_t *restrict rlen, uint64_t r0, uint64_t r1,
                              const double *restrict v, uint64_t nk, const double *restrict G)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    const uint64_t kmain = nk & ~(uint64_t)3;
    uint64_t k = 0, r = r0, j = 0; /* entry k = entry j of run r */
    while (k < kmain) {
        const double *g = G + rcol[r];
        const uint64_t len = rlen[r], stop = k + (len - j) < kmain ? k + (len - j) : kmain;
        /* lane by k & 3: the unaligned head, blocks of four, the tail of the run */
        for (; k < stop && (k & 3); k++, j++) {
            const double t = v[k] * g[j];
            if ((k & 3) == 1) s1 += t; else if ((k & 3) == 2) s2 += t; else s3 += t;
        }
        for (; k + 4 <= stop; k += 4, j += 4) {
            s0 += v[k] * g[j];
            s1 += v[k + 1] * g[j + 1];
            s2 += v[k + 2] * g[j + 2];
            s3 += v[k + 3] * g[j + 3];
        }
        for (; k < stop; k++, j++) {
            const double t = v[k] * g[j];
            if ((k & 3) == 0) s0 += t; else if ((k & 3) == 1) s1 += t; else s2 += t;
        }
        if (j == len) {
            r++;
            j = 0;
        }
    }
    double d = (s0 + s1) + (s2 + s3);
    for (; k < nk; r++, j = 0)
        for (const double *g = G + rcol[r]; j < rlen[r] && k < nk; j++, k++) d += v[k] * g[j];
    (void)r1;
    return d;
}

/* pf_ev_scatter_csr over the runs: u[col] += pf_ev_csr_term(s, val), contiguous per run. */
static inline void scatter_runs(const uint32_t *restrict rcol, const uint32_t *restrict rlen, uint64_t r0,
                                uint64_t r1, const double *restrict v, double s, double *restrict u)
{
    for (uint64_t r = r0; r < r1; r++) {
        double *ur = u + rcol[r];
        const uint32_t len = rlen[r];
        for (uint32_t j = 0; j < len; j++) ur[j] += pf_ev_csr_term(s, v[j]);
        v += len;
    }
}

/* The response operator M (copied and checked) and its transpose. */
static void pair_free(pair_op *o)
{
    free(o->rptr); free(o->rs); free(o->rl); free(o->wp); free(o->w);
    memset(o, 0, sizeof *o);
}

/* Paired runs from CSR rows (nr even; columns ascending within a row).  Returns 0, 1 when
 * the rows do not pair (an even row reads an odd column or the reverse: o left empty), -1
 * when out of memory. */
static int pair_make(size_t nr, const uint64_t *ptr, const uint32_t *col, const float *val, pair_op *o)
{
    memset(o, 0, sizeof *o);
    if (nr % 2) return 1;
    const size_t np = nr / 2;
    for (size_t r = 0; r < nr; r++)
        for (uint64_t j = ptr[r]; j < ptr[r + 1]; j++)
            if (col[j] % 2 != r % 2) return 1;
    /* sizes: the union of each pair's columns and its runs */
    o->np = np;
    o->rptr = malloc((np + 1) * sizeof *o->rptr);
    o->wp = malloc((np + 1) * sizeof *o->wp);
    if (!o->rptr || !o->wp) return pair_free(o), -1;
    uint64_t nw = 0, nrun = 0;
    for (int pass = 0; pass < 2; pass++) {
        nw = nrun = 0;
        for (size_t p = 0; p < np; p++) {
            o->rptr[p] = nrun, o->wp[p] = nw;
            uint64_t a = ptr[2 * p], ae = ptr[2 * p + 1], b = ptr[2 * p + 1], be = ptr[2 * p + 2];
            int64_t last = -2;
            while (a < ae || b < be) {
                const uint32_t ma = a < ae ? col[a] / 2 : UINT32_MAX, mb = b < be ? col[b] / 2 : UINT32_MAX;
                const uint32_t m = ma < mb ? ma : mb;
                const float we = ma == m ? val[a++] : 0.0f, wo = mb == m ? val[b++] : 0.0f;
                if ((int64_t)m != last + 1) { /* a new run */
                    if (pass) o->rs[nrun] = m, o->rl[nrun] = 0;
                    nrun++;
                }
                if (pass) {
                    o->rl[nrun - 1]++;
                    o->w[2 * nw] = we, o->w[2 * nw + 1] = wo;
                }
                nw++;
                last = m;
            }
        }
        o->rptr[np] = nrun, o->wp[np] = nw;
        if (!pass) {
            o->rs = malloc((nrun ? nrun : 1) * sizeof *o->rs);
            o->rl = malloc((nrun ? nrun : 1) * sizeof *o->rl);
            o->w = malloc((nw ? 2 * nw : 1) * sizeof *o->w);
            if (!o->rs || !o->rl || !o->w) return pair_free(o), -1;
        }
    }
    return 0;
}

/* y[2p] = row 2p . x, y[2p + 1] = row 2p + 1 . x, each row's terms in ascending column by
 * one thread: csr_apply_f32's bits, the same for any number of threads. */
static void pair_apply(const pair_op *o, const double *x, double *y)
{
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static, 32)
#endif
    for (size_t p = 0; p < o->np; p++) {
        double a0 = 0.0, a1 = 0.0;
        const float *w = o->w + 2 * o->wp[p];
        for (uint64_t r = o->rptr[p]; r < o->rptr[p + 1]; r++) {
            const double *xx = x + 2 * (size_t)o->rs[r];
            const uint32_t n = o->rl[r];
            for (uint32_t j = 0; j < n; j++) {
                a0 += (double)w[2 * j] * xx[2 * j];
                a1 += (double)w[2 * j + 1] * xx[2 * j + 1];
            }
            w += 2 * (size_t)n;
        }
        y[2 * p] = a0;
        y[2 * p + 1] = a1;
    }
}

static int make_response(pf_like *lk, const pf_like_data *d, pf_status *st)
{
    const size_t nF = lk->nF, ng = lk->ngrid;
    if (!d->m_ptr || !d->m_col || !d->m_val || d->m_ptr[0] != 0)
        return pf_status_set(st, PF_EINVAL, "pf_like_create: incomplete response operator");
    for (size_t k = 0; k < nF; k++)
        if (d->m_ptr[k + 1] < d->m_ptr[k])
            return pf_status_set(st, PF_EFORMAT, "pf_like_create: response operator row %zu ends before it starts", k);
    const size_t nnz = (size_t)d->m_ptr[nF];
    lk->m_ptr = malloc((nF + 1) * sizeof *lk->m_ptr);
    lk->m_col = malloc((nnz ? nnz : 1) * sizeof *lk->m_col);
    lk->m_val = malloc((nnz ? nnz : 1) * sizeof *lk->m_val);
    lk->mt_ptr = calloc(ng + 1, sizeof *lk->mt_ptr);
    lk->mt_col = malloc((nnz ? nnz : 1) * sizeof *lk->mt_col);
    lk->mt_val = malloc((nnz ? nnz : 1) * sizeof *lk->mt_val);
    lk->F = malloc((nF > ng ? nF : ng) * sizeof *lk->F); /* also holds M^T u_F */
    if (!lk->m_ptr || !lk->m_col || !lk->m_val || !lk->mt_ptr || !lk->mt_col || !lk->mt_val || !lk->F)
        return pf_status_set(st, PF_ENOMEM, "pf_like_create: cannot allocate the response operator (%zu weights)", nnz);
    memcpy(lk->m_ptr, d->m_ptr, (nF + 1) * sizeof *lk->m_ptr);
    memcpy(lk->m_col, d->m_col, nnz * sizeof *lk->m_col);
    memcpy(lk->m_val, d->m_val, nnz * sizeof *lk->m_val);
    for (size_t j = 0; j < nnz; j++) {
        if (lk->m_col[j] >= ng || !isfinite(lk->m_val[j]))
            return pf_status_set(st, PF_EFORMAT,
                                 "pf_like_create: response operator weight %zu (grid index %u, value %g) is not a finite "
                                 "weight on the %zu grid values", j, lk->m_col[j], lk->m_val[j], ng);
        lk->mt_ptr[lk->m_col[j] + 1]++;
    }
    for (size_t g = 0; g < ng; g++) lk->mt_ptr[g + 1] += lk->mt_ptr[g];
    int f32 = 1;
    for (size_t j = 0; j < nnz && f32; j++) f32 = (double)(float)lk->m_val[j] == lk->m_val[j];
    if (f32) {
        lk->m_val32 = malloc((nnz ? nnz : 1) * sizeof *lk->m_val32);
        lk->mt_val32 = malloc((nnz ? nnz : 1) * sizeof *lk->mt_val32);
        if (!lk->m_val32 || !lk->mt_val32)
            return pf_status_set(st, PF_ENOMEM, "pf_like_create: cannot allocate the response operator");
        for (size_t j = 0; j < nnz; j++) lk->m_val32[j] = (float)lk->m_val[j];
    }
    uint64_t *pos = malloc((ng ? ng : 1) * sizeof *pos);
    if (!pos) return pf_status_set(st, PF_ENOMEM, "pf_like_create: cannot allocate the response operator");
    memcpy(pos, lk->mt_ptr, ng * sizeof *pos);
    for (size_t k = 0; k < nF; k++)
        for (uint64_t j = lk->m_ptr[k]; j < lk->m_ptr[k + 1]; j++) {
            const uint64_t p = pos[lk->m_col[j]]++;
            lk->mt_col[p] = (uint32_t)k;
            lk->mt_val[p] = lk->m_val[j];
            if (f32) lk->mt_val32[p] = (float)lk->m_val[j];
        }
    free(pos);
    if (f32) {
        free(lk->mt_val);
        lk->mt_val = NULL;
        /* both products as paired runs where the rows pair (they do for prepare's M) */
        const int a = pair_make(nF, lk->m_ptr, lk->m_col, lk->m_val32, &lk->m_pr);
        const int b = a ? a : pair_make(ng, lk->mt_ptr, lk->mt_col, lk->mt_val32, &lk->mt_pr);
        if (a < 0 || b < 0) return pf_status_set(st, PF_ENOMEM, "pf_like_create: cannot allocate the response operator");
        if (!a && !b) {
            free(lk->m_val32); free(lk->mt_val32); free(lk->mt_col);
            lk->m_val32 = lk->mt_val32 = NULL, lk->mt_col = NULL;
        } else {
            pair_free(&lk->m_pr);
            pair_free(&lk->mt_pr);
        }
    }
    /* the exact rows of the events that keep them */
    const size_t xn = d->x_n, xnnz = xn ? (size_t)d->x_ptr[xn] : 0;
    if (xn && (!d->x_event || !d->x_ptr || !d->x_col || !d->x_val || d->x_ptr[0] != 0))
        return pf_status_set(st, PF_EINVAL, "pf_like_create: incomplete exact rows");
    lk->x_n = xn;
    lk->x_event = malloc((xn ? xn : 1) * sizeof *lk->x_event);
    lk->x_ptr = malloc((xn + 1) * sizeof *lk->x_ptr);
    lk->x_col = malloc((xnnz ? xnnz : 1) * sizeof *lk->x_col);
    lk->x_val = malloc((xnnz ? xnnz : 1) * sizeof *lk->x_val);
    if (!lk->x_event || !lk->x_ptr || !lk->x_col || !lk->x_val)
        return pf_status_set(st, PF_ENOMEM, "pf_like_create: cannot allocate %zu exact rows", xn);
    lk->x_ptr[0] = 0;
    if (xn) {
        memcpy(lk->x_event, d->x_event, xn * sizeof *lk->x_event);
        memcpy(lk->x_ptr, d->x_ptr, (xn + 1) * sizeof *lk->x_ptr);
        memcpy(lk->x_col, d->x_col, xnnz * sizeof *lk->x_col);
        memcpy(lk->x_val, d->x_val, xnnz * sizeof *lk->x_val);
    }
    for (size_t k = 0; k < xn; k++) {
        if (lk->x_event[k] >= lk->n || (k && lk->x_event[k] <= lk->x_event[k - 1]))
            return pf_status_set(st, PF_EFORMAT, "pf_like_create: exact row %zu is for event %llu: expected ascending "
                                 "events below %zu", k, (unsigned long long)lk->x_event[k], lk->n);
        if (lk->x_ptr[k + 1] < lk->x_ptr[k])
            return pf_status_set(st, PF_EFORMAT, "pf_like_create: exact row %zu ends before it starts", k);
    }
    for (size_t j = 0; j < xnnz; j++)
        if (lk->x_col[j] >= ng || !isfinite(lk->x_val[j]))
            return pf_status_set(st, PF_EFORMAT,
                                 "pf_like_create: exact-row weight %zu (grid index %u, value %g) is not a finite "
                                 "weight on the %zu grid values", j, lk->x_col[j], lk->x_val[j], ng);
    return 0;
}

/* y[r] = sum_j val[j] x[col[j]] over the CSR rows r < nr, each row in ascending j by one
 * thread: the same bits for any number of threads.  csr_apply_f32 reads float32-stored
 * weights: each converts exactly to the weight, so the sums are csr_apply's bits, from 8
 * instead of 12 bytes per weight. */
#define PF_CSR_APPLY(name, T)                                                                                  \
    static void name(size_t nr, const uint64_t *ptr, const uint32_t *col, const T *val, const double *x,    \
                     double *y)                                                                             \
    {                                                                                                       \
        PF_OMP_FOR_STATIC64                                                                                 \
        for (size_t r = 0; r < nr; r++) {                                                                   \
            double a = 0.0;                                                                                 \
            for (uint64_t j = ptr[r]; j < ptr[r + 1]; j++) a += (double)val[j] * x[col[j]];                 \
            y[r] = a;                                                                                       \
        }                                                                                                   \
    }
#ifdef PF_HAVE_OPENMP
#define PF_OMP_FOR_STATIC64 _Pragma("omp parallel for schedule(static, 64)")
#else
#define PF_OMP_FOR_STATIC64
#endif
PF_CSR_APPLY(csr_apply, double)
PF_CSR_APPLY(csr_apply_f32, float)

/* The first exact row at or after event i0 (response operator; x_event ascending). */
static size_t first_exact(const pf_like *lk, size_t i0)
{
    size_t lo = 0, hi = lk->x_n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (lk->x_event[mid] < i0) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* Position i of this rank's events -> its index in the caller's order (local). */
static size_t orig_index(const pf_like *lk, size_t i)
{
    return lk->perm ? i - i % PF_LIKE_BLOCK + lk->perm[i] : i;
}

/* Stable counting sort of each block's stencil events by stencil base; the events with
 * exact rows (response operator) keep their positions, the others fill the remaining
 * positions in base order.  Consecutive events then read and write the same few grid rows
 * (G and u in L1 instead of L2): ln L + gradient at 1e6 events, 2 threads, perfect card
 * 9.1 -> 8.0-8.3 ms, default card 14.6-15.4 -> 12.4-13.2 ms (docs/performance.md, "Events
 * in stencil order").  The order is a function of the block's rows alone, and blocks are
 * whole on every rank, so the bits stay the same for any threads and ranks; weights,
 * bootstrap streams and messages use the caller's indices.  All buffers are allocated
 * before any row moves, so a failure leaves the rows as they were. */
#define PF_PERMUTE(T, arr, w)                                                                          \
    if (arr) {                                                                                         \
        T *a_ = (T *)(arr), *t_ = (T *)tmp;                                                            \
        for (size_t j = 0; j < m; j++) {                                                               \
            if (j + 16 < m) __builtin_prefetch(a_ + (i0 + p[j + 16]) * (w));                           \
            memcpy(t_ + j * (w), a_ + (i0 + p[j]) * (w), (w) * sizeof(T));                             \
        }                                                                                              \
        memcpy(a_ + i0 * (w), t_, m * (w) * sizeof(T));                                               \
    }
static int block_order(pf_like *lk)
{
    if (!lk->st_base || lk->n < 2) return 0;
    const size_t range = lk->nF ? lk->nF : lk->ngrid, nb = lk->nblocks_local;
    int nt = 1;
#ifdef PF_HAVE_OPENMP
    nt = omp_get_max_threads();
#endif
    if ((size_t)nt > nb) nt = (int)nb;
    /* per thread: counts, the block's order, exact-row flags, one block of rows */
    const size_t per = (range + 1) * sizeof(uint32_t) + PF_LIKE_BLOCK * (sizeof(uint16_t) + 1) +
                       PF_LIKE_BLOCK * PF_LIKE_STW * sizeof(double);
    uint16_t *perm = malloc(lk->n * sizeof *perm);
    double *work = malloc((size_t)nt * (per / sizeof(double) + 1) * sizeof(double));
    if (!perm || !work) {
        free(perm);
        free(work);
        return -1;
    }
    pf_fit_advise_huge(perm, lk->n * sizeof *perm);
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (long b = 0; b < (long)nb; b++) {
        int t = 0;
#ifdef PF_HAVE_OPENMP
        t = omp_get_thread_num();
#endif
        double *tmp = work + (size_t)t * (per / sizeof(double) + 1);
        uint32_t *cnt = (uint32_t *)(tmp + PF_LIKE_BLOCK * PF_LIKE_STW);
        uint16_t *ord = (uint16_t *)(cnt + range + 1);
        unsigned char *isx = (unsigned char *)(ord + PF_LIKE_BLOCK);
        const size_t i0 = (size_t)b * PF_LIKE_BLOCK, i1 = i0 + PF_LIKE_BLOCK < lk->n ? i0 + PF_LIKE_BLOCK : lk->n;
        const size_t m = i1 - i0;
        uint16_t *p = perm + i0;
        memset(isx, 0, m);
        for (size_t xk = first_exact(lk, i0); xk < lk->x_n && lk->x_event[xk] < i1; xk++) isx[lk->x_event[xk] - i0] = 1;
        memset(cnt, 0, (range + 1) * sizeof *cnt);
        const uint32_t *base = lk->st_base + i0;
        for (size_t j = 0; j < m; j++)
            if (!isx[j]) cnt[base[j] + 1]++;
        for (size_t g = 0; g < range; g++) cnt[g + 1] += cnt[g];
        for (size_t j = 0; j < m; j++)
            if (!isx[j]) ord[cnt[base[j]]++] = (uint16_t)j;
        for (size_t j = 0, k = 0; j < m; j++) p[j] = isx[j] ? (uint16_t)j : ord[k++];
        PF_PERMUTE(uint32_t, lk->st_base, 1)
        PF_PERMUTE(double, lk->st_w, PF_LIKE_STW)
        PF_PERMUTE(double, lk->st_loc, PF_LIKE_STL)
        PF_PERMUTE(double, lk->st_xf, 1)
        PF_PERMUTE(int32_t, lk->bin, 1)
    }
    free(work);
    lk->perm = perm;
    return 0;
}
#undef PF_PERMUTE

/* The lane order (events_block_lanes, events_block_stencil): after block_order, for stencil
 * rows without exact rows (their events would break the runs of one base) whose runs hold
 * PF_LANE_MIN_RUN events or more on average.  The perfect card's 1e6 events make 25 323
 * runs (39 events each: the lane pass takes 40 % off the per-event one); the default
 * card's response rows 117 389 (8.5 each: 3.3 events per group of 4, and broadcasting the
 * run's grid values costs more than it saves, so those keep the per-event pass).  A
 * function of the bases alone, so whole and compact rows decide alike.  Whole rows then
 * go into lane groups (struct pf_like ln_*) and are freed; without the memory for the
 * groups they stay whole and events_block_stencil gives the same bits, more slowly. */
#ifndef PF_LANE_MIN_RUN
#define PF_LANE_MIN_RUN 16
#endif
/* Row i's 10 weights as a whole row (the compact rows expanded: the same bits). */
static inline const double *row_weights(const pf_like *lk, size_t i, double *tmp)
{
    if (lk->st_w) return lk->st_w + i * PF_LIKE_STW;
    pf_ev_stencil_expand(lk->st_loc + i * PF_LIKE_STL, lk->st_xf ? lk->st_xf[i] : 1.0,
                         lk->st_xf ? lk->st_xpow + (lk->st_base[i] / 2) % lk->st_nx : NULL, tmp);
    return tmp;
}

/* Compact rows with st_expand made whole (outside the lane order); on failure they stay
 * compact (the same bits). */
static void rows_expand(pf_like *lk)
{
    if (!lk->st_loc || !lk->st_expand || !lk->n) return;
    double *w = malloc(lk->n * PF_LIKE_STW * sizeof *w);
    if (!w) return;
    pf_fit_advise_huge(w, lk->n * PF_LIKE_STW * sizeof *w);
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (size_t i = 0; i < lk->n; i++) {
        double tmp[PF_LIKE_STW];
        const double *r = row_weights(lk, i, tmp);
        memcpy(w + i * PF_LIKE_STW, r, sizeof tmp);
    }
    lk->st_w = w;
    free(lk->st_loc); free(lk->st_xf); free(lk->st_xpow);
    lk->st_loc = NULL, lk->st_xf = NULL, lk->st_xpow = NULL;
}

static void lanes_build(pf_like *lk)
{
#ifdef PF_EV_HAVE_V4
    if (!lk->st_base || lk->x_n || !lk->n) {
        rows_expand(lk);
        return;
    }
    size_t ng = 0, nruns = 0;
    for (size_t i = 0; i < lk->n;) {
        size_t j = i + 1;
        while (j < lk->n && j % PF_LIKE_BLOCK && lk->st_base[j] == lk->st_base[i]) j++;
        ng += (j - i + 3) / 4;
        nruns++;
        i = j;
    }
    if (lk->n < PF_LANE_MIN_RUN * nruns) {
        rows_expand(lk);
        return;
    }
    lk->lanes_order = 1;
    if (!lk->st_w && !lk->st_expand) return;
    const size_t nb = lk->nblocks_local, wbytes = (ng * PF_LANE_W * sizeof(double) + 63) / 64 * 64;
    lk->ln_blk = malloc((nb + 1) * sizeof *lk->ln_blk);
    lk->ln_base = malloc(ng * sizeof *lk->ln_base);
    lk->ln_pos = malloc(ng * sizeof *lk->ln_pos);
    lk->ln_cnt = malloc(ng * sizeof *lk->ln_cnt);
    lk->ln_w = aligned_alloc(64, wbytes);
    if (!lk->ln_blk || !lk->ln_base || !lk->ln_pos || !lk->ln_cnt || !lk->ln_w) {
        free(lk->ln_blk); free(lk->ln_base); free(lk->ln_pos); free(lk->ln_cnt); free(lk->ln_w);
        lk->ln_blk = NULL, lk->ln_base = NULL, lk->ln_pos = NULL, lk->ln_cnt = NULL, lk->ln_w = NULL;
        return;
    }
    pf_fit_advise_huge(lk->ln_w, wbytes);
    size_t g = 0;
    for (size_t i = 0; i < lk->n;) {
        if (i % PF_LIKE_BLOCK == 0) lk->ln_blk[i / PF_LIKE_BLOCK] = g;
        size_t j = i + 1;
        while (j < lk->n && j % PF_LIKE_BLOCK && lk->st_base[j] == lk->st_base[i]) j++;
        for (size_t k = i; k < j; k += 4, g++) {
            const size_t c = j - k < 4 ? j - k : 4;
            lk->ln_base[g] = lk->st_base[i];
            lk->ln_pos[g] = k;
            lk->ln_cnt[g] = (uint8_t)(c | (k + 4 >= j ? PF_LANE_RUN_END : 0));
            double *w = lk->ln_w + g * PF_LANE_W;
            memset(w, 0, PF_LANE_W * sizeof *w);
            for (size_t l = 0; l < c; l++) {
                double tmp[PF_LIKE_STW];
                const double *r = row_weights(lk, k + l, tmp);
                for (int q = 0; q < PF_LIKE_STW; q++) w[4 * q + l] = r[q];
            }
        }
        i = j;
    }
    lk->ln_blk[nb] = g;
    lk->ln_n = g;
    free(lk->st_w); free(lk->st_loc); free(lk->st_xf); free(lk->st_xpow);
    lk->st_w = NULL, lk->st_loc = NULL, lk->st_xf = NULL, lk->st_xpow = NULL;
#else
    rows_expand(lk);
#endif
}

/* A failed create: with take, the event rows (CSR or stencil) go back to the caller. */
static pf_like *create_failed(pf_like *lk, int take)
{
    if (lk && (take & 1)) lk->col = NULL, lk->val = NULL;
    if (lk && (take & 2)) lk->st_base = NULL, lk->st_w = NULL, lk->st_loc = NULL, lk->st_xf = NULL;
    pf_like_destroy(lk);
    return NULL;
}

static pf_like *like_create(const pf_like_data *d, int take, pf_status *st)
{
    const int stencil = d && d->st_base, binned = d && d->binned_only;
    if (!d || !d->ngrid || !d->c || (d->nevents && !stencil && !binned && (!d->row_ptr || !d->col || !d->val)) ||
        (stencil && (binned || !(d->st_w || d->st_loc) || !d->st_nx || (d->st_loc && !d->st_xf != !d->st_xpow))) ||
        (binned && (!d->nbins || d->row_ptr))) {
        pf_status_set(st, PF_EINVAL, "pf_like_create: incomplete likelihood data");
        return NULL;
    }
    if (d->first_event % PF_LIKE_BLOCK || d->first_event + d->nevents > d->nevents_total ||
        (d->nevents % PF_LIKE_BLOCK && d->first_event + d->nevents != d->nevents_total)) {
        pf_status_set(st, PF_EINVAL,
                      "pf_like_create: events [%zu, %zu) of %zu are not whole blocks of %d (pf_like_range)",
                      d->first_event, d->first_event + d->nevents, d->nevents_total, PF_LIKE_BLOCK);
        return NULL;
    }
    if (d->nbins && (!d->H || !d->bin)) {
        pf_status_set(st, PF_EINVAL, "pf_like_create: %zu histogram bins without operator or event bins", d->nbins);
        return NULL;
    }
    pf_like *lk = calloc(1, sizeof *lk);
    if (!lk) goto nomem;
    lk->ngrid = d->ngrid;
    lk->ntot = d->nevents_total;
    lk->first = d->first_event;
    lk->n = d->nevents;
    lk->nnz = d->nevents && !stencil && !binned ? d->row_ptr[d->nevents] : 0;
    lk->binned_only = binned;
    lk->nbins = d->nbins;
    lk->L = d->luminosity;
    lk->first_block = d->first_event / PF_LIKE_BLOCK;
    lk->nblocks_local = (d->nevents + PF_LIKE_BLOCK - 1) / PF_LIKE_BLOCK;
    lk->nblocks_total = (d->nevents_total + PF_LIKE_BLOCK - 1) / PF_LIKE_BLOCK;
    lk->row_ptr = malloc((lk->n + 1) * sizeof *lk->row_ptr);
    /* take: bit 1 the CSR rows, bit 2 the stencil rows (8.8 GB at 1e8 events: no copy) */
    take = take ? (lk->nnz ? 1 : 0) | (stencil && lk->n ? 2 : 0) : 0;
    lk->col = (take & 1) ? (uint32_t *)d->col : malloc((lk->nnz ? lk->nnz : 1) * sizeof *lk->col);
    lk->val = (take & 1) ? (double *)d->val : malloc((lk->nnz ? lk->nnz : 1) * sizeof *lk->val);
    lk->nF = stencil ? d->nF : 0;
    lk->st_expand = stencil && d->st_loc && d->st_expand;
    const size_t nev = lk->nF ? lk->nF + lk->ngrid : lk->ngrid;
    lk->c = malloc(lk->ngrid * sizeof *lk->c);
    lk->u = malloc(((nev > lk->ngrid ? nev : lk->ngrid) + 1) * sizeof *lk->u);
    lk->partials = malloc((lk->nblocks_local ? lk->nblocks_local : 1) * (nev + 1) * sizeof *lk->partials);
    if (!lk->row_ptr || !lk->col || !lk->val || !lk->c || !lk->u || !lk->partials) goto nomem;
    if (stencil) {
        lk->st_nx = d->st_nx;
        lk->st_base = (take & 2) ? (uint32_t *)d->st_base : malloc((lk->n ? lk->n : 1) * sizeof *lk->st_base);
        const size_t n1 = lk->n ? lk->n : 1;
        if (d->st_loc) {
            lk->st_loc = (take & 2) ? (double *)d->st_loc : malloc(n1 * PF_LIKE_STL * sizeof *lk->st_loc);
            if (d->st_xf) {
                lk->st_xf = (take & 2) ? (double *)d->st_xf : malloc(n1 * sizeof *lk->st_xf);
                lk->st_xpow = malloc(lk->st_nx * sizeof *lk->st_xpow);
                if (!lk->st_xf || !lk->st_xpow) goto nomem;
                memcpy(lk->st_xpow, d->st_xpow, lk->st_nx * sizeof *lk->st_xpow);
            }
        } else {
            lk->st_w = (take & 2) ? (double *)d->st_w : malloc(n1 * PF_LIKE_STW * sizeof *lk->st_w);
        }
        if (!lk->st_base || !(lk->st_w || lk->st_loc)) goto nomem;
        if (lk->n && !(take & 2)) {
            memcpy(lk->st_base, d->st_base, lk->n * sizeof *lk->st_base);
            if (lk->st_w) memcpy(lk->st_w, d->st_w, lk->n * PF_LIKE_STW * sizeof *lk->st_w);
            if (lk->st_loc) memcpy(lk->st_loc, d->st_loc, lk->n * PF_LIKE_STL * sizeof *lk->st_loc);
            if (lk->st_xf) memcpy(lk->st_xf, d->st_xf, lk->n * sizeof *lk->st_xf);
        }
        lk->row_ptr[0] = 0;
        if (lk->nF && make_response(lk, d, st)) return create_failed(lk, take);
        for (size_t i = 0; i < lk->n; i++)
            if ((size_t)lk->st_base[i] + (3 * lk->st_nx + 4) * 2 > (lk->nF ? lk->nF : lk->ngrid)) {
                pf_status_set(st, PF_EFORMAT, "pf_like_create: stencil of event %zu at %u leaves the %s of %zu",
                              lk->first + i, lk->st_base[i], lk->nF ? "response grid" : "grid", nev);
                return create_failed(lk, take);
            }
    } else if (lk->n && !binned) {
        memcpy(lk->row_ptr, d->row_ptr, (lk->n + 1) * sizeof *lk->row_ptr);
        if (!(take & 1)) {
            memcpy(lk->col, d->col, lk->nnz * sizeof *lk->col);
            memcpy(lk->val, d->val, lk->nnz * sizeof *lk->val);
        }
    } else {
        lk->row_ptr[0] = 0;
    }
    memcpy(lk->c, d->c, lk->ngrid * sizeof *lk->c);
    for (size_t k = 0; k < lk->nnz; k++)
        if (lk->col[k] >= lk->ngrid) {
            pf_status_set(st, PF_EFORMAT, "pf_like_create: weight %zu points at grid index %u >= %zu", k,
                          lk->col[k], lk->ngrid);
            return create_failed(lk, take);
        }
    if (lk->nnz && build_runs(lk)) goto nomem;
    if (lk->nbins) {
        lk->H = malloc(lk->nbins * lk->ngrid * sizeof *lk->H);
        lk->bin = malloc((lk->n ? lk->n : 1) * sizeof *lk->bin);
        lk->counts = calloc(lk->nbins, sizeof *lk->counts);
        if (!lk->H || !lk->bin || !lk->counts) goto nomem;
        memcpy(lk->H, d->H, lk->nbins * lk->ngrid * sizeof *lk->H);
        if (lk->n) memcpy(lk->bin, d->bin, lk->n * sizeof *lk->bin);
        for (size_t i = 0; i < lk->n; i++)
            if (lk->bin[i] >= (int32_t)lk->nbins) {
                pf_status_set(st, PF_EFORMAT, "pf_like_create: event %zu in bin %d of %zu", lk->first + i,
                              (int)lk->bin[i], lk->nbins);
                return create_failed(lk, take);
            }
    }
    if (block_order(lk)) goto nomem;
    if (lk->nbins && recount(lk, st)) return create_failed(lk, take);
    /* last (the whole rows are then freed, so nothing may fail after it): without the
     * memory for the groups the rows stay whole and events_block_stencil computes the same
     * bits, more slowly */
    lanes_build(lk);
    return lk;
nomem:
    pf_status_set(st, PF_ENOMEM, "pf_like_create: cannot allocate the likelihood of %zu events", d->nevents);
    return create_failed(lk, take);
}

pf_like *pf_like_create(const pf_like_data *d, pf_status *st) { return like_create(d, 0, st); }
pf_like *pf_like_create_take(const pf_like_data *d, pf_status *st) { return like_create(d, 1, st); }

void pf_like_destroy(pf_like *lk)
{
    if (!lk) return;
    free(lk->rptr); free(lk->rcol); free(lk->rlen);
    free(lk->row_ptr); free(lk->col); free(lk->st_base); free(lk->st_w); free(lk->st_loc); free(lk->st_xf); free(lk->st_xpow); free(lk->val); free(lk->bin); free(lk->c); free(lk->H);
    free(lk->wt); free(lk->counts); free(lk->partials); free(lk->u);
    free(lk->m_ptr); free(lk->m_col); free(lk->m_val); free(lk->mt_ptr); free(lk->mt_col); free(lk->mt_val); free(lk->F); free(lk->m_val32); free(lk->mt_val32);
    pair_free(&lk->m_pr);
    pair_free(&lk->mt_pr);
    free(lk->x_event); free(lk->x_ptr); free(lk->x_col); free(lk->x_val);
    free(lk->perm);
    free(lk->ln_blk); free(lk->ln_base); free(lk->ln_pos); free(lk->ln_cnt); free(lk->ln_w); free(lk->view_w);
    free(lk);
}

void pf_like_view(const pf_like *lk, pf_like_data *d, const double **wt)
{
    memset(d, 0, sizeof *d);
    d->ngrid = lk->ngrid;
    d->nevents_total = lk->ntot;
    d->first_event = lk->first;
    d->nevents = lk->n;
    if (lk->binned_only) {
        d->binned_only = 1;
    } else if (lk->st_base) {
        d->st_base = lk->st_base;
        d->st_w = lk->st_w;
        d->st_loc = lk->st_loc;
        d->st_xf = lk->st_xf;
        d->st_xpow = lk->st_xpow;
        d->st_nx = lk->st_nx;
        d->nF = lk->nF;
        d->m_ptr = lk->m_ptr;
        d->m_col = lk->m_col;
        d->m_val = lk->m_val;
        d->x_n = lk->x_n;
        d->x_event = lk->x_event;
        d->x_ptr = lk->x_ptr;
        d->x_col = lk->x_col;
        d->x_val = lk->x_val;
    } else {
        d->row_ptr = lk->row_ptr;
        d->col = lk->col;
        d->val = lk->val;
    }
    d->bin = lk->bin;
    d->c = lk->c;
    d->luminosity = lk->L;
    d->nbins = lk->nbins;
    d->H = lk->H;
    if (wt) *wt = lk->wt;
}

int pf_like_view_rows(pf_like *lk, pf_like_data *d, const double **wt, pf_status *st)
{
    pf_like_view(lk, d, wt);
    if (!lk->ln_w) return PF_OK;
    if (!lk->view_w) {
        double *v = malloc((lk->n ? lk->n : 1) * PF_LIKE_STW * sizeof *v);
        if (!v)
            return pf_status_set(st, PF_ENOMEM, "likelihood: cannot allocate the %zu whole event rows of the view", lk->n);
        for (size_t g = 0; g < lk->ln_n; g++) {
            const double *w = lk->ln_w + g * PF_LANE_W;
            for (size_t l = 0; l < (size_t)(lk->ln_cnt[g] & PF_LANE_COUNT); l++)
                for (int q = 0; q < PF_LIKE_STW; q++) v[(lk->ln_pos[g] + l) * PF_LIKE_STW + q] = w[4 * q + l];
        }
        lk->view_w = v;
    }
    d->st_w = lk->view_w;
    return PF_OK;
}

void pf_like_weights(const pf_like *lk, double *wt)
{
    for (size_t i = 0; i < lk->n; i++) wt[orig_index(lk, i)] = lk->wt ? lk->wt[i] : 1.0;
}

size_t pf_like_event_index(const pf_like *lk, size_t i) { return lk->first + orig_index(lk, i); }

size_t pf_like_row_bytes(const pf_like *lk)
{
    if (lk->binned_only) return 0;
    if (lk->ln_w) return lk->ln_n * (PF_LANE_W * sizeof(double) + sizeof(uint32_t) + sizeof(uint64_t) + 1);
    if (lk->st_w) return lk->n * (PF_LIKE_STW * sizeof(double) + sizeof(uint32_t));
    if (lk->st_loc) return lk->n * (PF_LIKE_STL * sizeof(double) + sizeof(uint32_t) + (lk->st_xf ? sizeof(double) : 0));
    return lk->nnz * sizeof(double) + (lk->n ? lk->rptr[lk->n] : 0) * 2 * sizeof(uint32_t) + lk->n * 2 * sizeof(uint64_t);
}

size_t pf_like_ngrid(const pf_like *lk) { return lk->ngrid; }
size_t pf_like_nbins(const pf_like *lk) { return lk->nbins; }
const double *pf_like_counts(const pf_like *lk) { return lk->counts; }

int pf_like_set_weights(pf_like *lk, const double *wt, pf_status *st)
{
    if (!wt) {
        free(lk->wt);
        lk->wt = NULL;
    } else {
        if (!lk->wt && (lk->wt = malloc((lk->n ? lk->n : 1) * sizeof *lk->wt)) != NULL)
            pf_fit_advise_huge(lk->wt, lk->n * sizeof *lk->wt);
        if (!lk->wt)
            return pf_status_set(st, PF_ENOMEM, "likelihood: cannot allocate %zu event weights", lk->n);
        for (size_t i = 0; i < lk->n; i++) {
            if (!(wt[i] >= 0.0 && isfinite(wt[i])))
                return pf_status_set(st, PF_EINVAL, "likelihood: event weight %zu is %g, expected finite >= 0",
                                     lk->first + i, wt[i]);
        }
        for (size_t i = 0; i < lk->n; i++) lk->wt[i] = wt[orig_index(lk, i)];
    }
    return recount(lk, st);
}

int pf_like_bootstrap(pf_like *lk, uint64_t seed, uint64_t replica, pf_status *st)
{
    if (replica == 0) return pf_like_set_weights(lk, NULL, st);
    if (replica >= (1u << 23))
        return pf_status_set(st, PF_EINVAL, "bootstrap replica %llu: expected 1 .. %u",
                             (unsigned long long)replica, (1u << 23) - 1);
    double *wt = malloc((lk->n ? lk->n : 1) * sizeof *wt);
    if (!wt) return pf_status_set(st, PF_ENOMEM, "likelihood: cannot allocate %zu event weights", lk->n);
    pf_fit_advise_huge(wt, lk->n * sizeof *wt);
    /* Stream (K << 40) | i: event i's weight is a function of (seed, K, i) alone (so the
     * threads may share the loop in any way: the same bits) */
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (size_t i = 0; i < lk->n; i++)
        wt[i] = pf_like_poisson1(pf_rng_uniform(seed, (replica << 40) | (uint64_t)(lk->first + i), 0));
    int rc = pf_like_set_weights(lk, wt, st);
    free(wt);
    return rc;
}

/* sum_g a[g] b[g] in 8 interleaved partial sums combined in a fixed order: the same bits
 * every time (no thread or rank dependence), and the lanes let the compiler use SIMD,
 * which a single sequential accumulator forbids (strict IEEE order). */
static double dot8(const double *restrict a, const double *restrict b, size_t n)
{
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t g = 0;
    for (; g + 8 <= n; g += 8)
        for (int k = 0; k < 8; k++) s[k] += a[g + k] * b[g + k];
    double t = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (; g < n; g++) t += a[g] * b[g];
    return t;
}

/* sum_i wt_i ln d_i with one logarithm per PF_LOG_GROUP unit-weight events: ln of the
 * product of the group (exact to a few ulp of each factor, so the sum changes by ~1e-16
 * per group), falling back to the single logarithms when the product leaves the normal
 * range.  libm's log was a quarter of the event pass (docs/performance.md).  The grouping
 * is by position in the block, so the bits do not depend on threads or ranks, and the
 * value-only and gradient passes give the same ln L. */
#define PF_LOG_GROUP 8
/* Stencil rows: software prefetches of the grid values (G, and u for the gradient) of the
 * event PF_LIKE_PREFETCH ahead and of the row weights twice as far: events come in
 * random (x, Q^2) order, so the 4 rows of G and u each event touches are L1 misses whose
 * latency the loop otherwise waits for, and the hardware prefetcher alone did not keep
 * the 80-byte rows in flight.  1e6 events, 1 thread: ln L 17.8 -> 9.7 ms, with the
 * gradient 20.8 -> 17.0 ms; 2 threads 9.4 -> 5.1 and 10.9 -> 9.0 ms (docs/performance.md,
 * distances 4..64 tried; Intel Xeon, two-lane kernel).  With the four-lane kernel on the
 * 2-core AMD EPYC VM the prefetches of u for writing cost 15 % (ln L + gradient, 1
 * thread: 20.3 ms with, 17.5 without) and those of G and of the rows neither helped nor
 * hurt (17.5-17.8 ms), so u is no longer prefetched.  0 turns them off; prefetches change
 * no bits. */

#ifndef PF_LIKE_PREFETCH
#define PF_LIKE_PREFETCH 0
#endif
/* the 4 rows of 8 values (64 bytes, two lines when unaligned) of a stencil at p; rw 1: for writing */
#define PF_PREFETCH_STENCIL(p, rs, rw)                                                             \
    for (int r_ = 0; r_ < 4; r_++) {                                                               \
        __builtin_prefetch((p) + (size_t)r_ * (rs), (rw));                                         \
        __builtin_prefetch((p) + (size_t)r_ * (rs) + 7, (rw));                                     \
    }
/* CSR rows (smeared detector): the weights stream PF_LIKE_PREFETCH_CSR entries (2 KB)
 * ahead.  Synthetic rows of 64 / 256 entries, 1e6 events, 2 threads, ln L + gradient:
 * 50 -> 33-36 ms and 185 -> 138-149 ms (128..512 and 1..4 rows ahead tried); the
 * G/u runs of the next rows prefetched instead gained nothing. */
#ifndef PF_LIKE_PREFETCH_CSR
#define PF_LIKE_PREFETCH_CSR 256
#endif
typedef struct log_acc {
    double acc, d[PF_LOG_GROUP];
    int n;
} log_acc;

static void log_group(log_acc *a)
{
    double p = 1.0;
    for (int k = 0; k < a->n; k++) p *= a->d[k];
    if (isnormal(p) && p < 1e300 && p > 1e-300) {
        a->acc += log(p);
    } else {
        for (int k = 0; k < a->n; k++) a->acc += log(a->d[k]);
    }
    a->n = 0;
}

static inline void log_add(log_acc *a, double wt, double d)
{
    if (wt == 1.0) { /* the common case first (the same operations as below) */
        a->d[a->n++] = d;
        if (a->n == PF_LOG_GROUP) log_group(a);
        return;
    }
    /* integer weights (bootstrap Poisson(1) draws) enter as wt factors d */
    if (!(wt >= 1.0 && wt <= PF_LOG_GROUP && wt == (double)(int)wt)) {
        a->acc += wt * log(d);
        return;
    }
    for (int k = 0; k < (int)wt; k++) {
        a->d[a->n++] = d;
        if (a->n == PF_LOG_GROUP) log_group(a);
    }
}

static double log_flush(log_acc *a)
{
    if (a->n) log_group(a);
    return a->acc;
}

void pf_like_nexp(const pf_like *lk, const double *G, const double *dG, size_t np, double *nexp, double *grad)
{
    /* 1 + np dot products of ngrid values, each by one thread (the same bits for any
     * number of threads); 9 of 7236 read 520 KB, L2-bound on one core */
    const long nt = 1 + (grad ? (long)np : 0);
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static) if (nt > 2)
#endif
    for (long t = 0; t < nt; t++) {
        if (t == 0)
            *nexp = lk->L * dot8(lk->c, G, lk->ngrid);
        else
            grad[t - 1] = lk->L * dot8(dG + (size_t)(t - 1) * lk->ngrid, lk->c, lk->ngrid);
    }
}

int pf_like_fisher_binned(const pf_like *lk, const double *G, const double *dG, size_t np, double *fisher,
                          pf_status *st)
{
    if (!lk->nbins) return pf_status_set(st, PF_EINVAL, "likelihood: no histogram operator (0 bins) for the Fisher metric");
    const size_t nb = lk->nbins, ng = lk->ngrid, npp = np + 1;
    double *m = malloc(nb * npp * sizeof *m); /* m[b][0] = mu_b, m[b][1 + p] = d mu_b / d theta_p */
    if (!m) return pf_status_set(st, PF_ENOMEM, "likelihood: cannot allocate %zu x %zu bin derivatives", nb, npp);
    /* each (bin, column) dot product by one thread, fixed order: the same bits for any threads */
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (long t = 0; t < (long)(nb * npp); t++) {
        const size_t b = (size_t)t / npp, k = (size_t)t % npp;
        m[t] = lk->L * dot8(lk->H + b * ng, k ? dG + (k - 1) * ng : G, ng);
    }
    memset(fisher, 0, np * np * sizeof *fisher);
    for (size_t b = 0; b < nb; b++) {
        const double *r = m + b * npp;
        if (!(r[0] > 0.0)) continue;
        for (size_t p = 0; p < np; p++)
            for (size_t q = 0; q <= p; q++) fisher[p * np + q] += r[1 + p] * r[1 + q] / r[0];
    }
    for (size_t p = 0; p < np; p++)
        for (size_t q = 0; q < p; q++) fisher[q * np + p] = fisher[p * np + q];
    free(m);
    return PF_OK;
}

#ifdef PF_EV_HAVE_V4
#define PF_EV_AI static inline __attribute__((always_inline))
#endif
#ifdef PF_EV_HAVE_V4
/* The unweighted ln L of the stencil passes, in lanes: the events of a block are taken in
 * groups of up to 4 consecutive events of one stencil base (lanes_build; a run of one
 * base is cut into groups from its start), each lane l keeps the running product of its
 * events' densities over PF_LOG_GROUP groups, then adds ln of the 4 products in lane order
 * (the single logarithms where a product leaves the normal range).  One logarithm per 8
 * events as before; the lane kernel forms the products with one vector multiply per group,
 * and events_block_stencil forms the same groups event by event (lane_log_event), so whole
 * and compact rows give the same bits. */
typedef struct lane_log {
    pf_ev_v4 P;
    double ring[4 * PF_LOG_GROUP]; /* the groups since the last logarithms, lane-major */
    double cur[4];                 /* the open group's lanes (lane_log_event) */
    int nring, k, open;
    size_t base;
    double acc;
} lane_log;

PF_EV_AI void lane_log_init(lane_log *a)
{
    memset(a, 0, sizeof *a);
    a->P = (pf_ev_v4){1.0, 1.0, 1.0, 1.0};
}

PF_EV_AI void lane_log_flush(lane_log *a)
{
    /* one logarithm of the 4 lanes' products together where that stays normal */
    const double p4 = (a->P[0] * a->P[1]) * (a->P[2] * a->P[3]);
    int lanes_ok = 1;
    for (int l = 0; l < 4; l++) lanes_ok &= isnormal(a->P[l]) && a->P[l] < 1e300 && a->P[l] > 1e-300;
    if (lanes_ok && isnormal(p4) && p4 < 1e300 && p4 > 1e-300) {
        a->acc += log(p4);
        a->P = (pf_ev_v4){1.0, 1.0, 1.0, 1.0};
        a->nring = 0;
        return;
    }
    for (int l = 0; l < 4; l++) {
        const double p = a->P[l];
        if (isnormal(p) && p < 1e300 && p > 1e-300) {
            a->acc += log(p);
        } else {
            for (int k = 0; k < a->nring; k++) a->acc += log(a->ring[4 * k + l]);
        }
    }
    a->P = (pf_ev_v4){1.0, 1.0, 1.0, 1.0};
    a->nring = 0;
}

/* a whole group: d holds 1 in its unused lanes and in those of non-positive densities */
PF_EV_AI void lane_log_group(lane_log *a, const pf_ev_v4 *d)
{
    a->P = a->P * *d;
    memcpy(a->ring + 4 * a->nring++, d, sizeof *d);
    if (a->nring == PF_LOG_GROUP) lane_log_flush(a);
}

/* event by event, in held order: base B, density d (ok: d > 0, else the lane holds 1) */
PF_EV_AI void lane_log_event(lane_log *a, size_t B, int ok, double d)
{
    if (!a->open || B != a->base || a->k == 4) {
        if (a->open) lane_log_group(a, &(pf_ev_v4){a->cur[0], a->cur[1], a->cur[2], a->cur[3]});
        a->cur[0] = a->cur[1] = a->cur[2] = a->cur[3] = 1.0;
        a->k = 0;
        a->base = B;
        a->open = 1;
    }
    if (ok) a->cur[a->k] = d;
    a->k++;
}

PF_EV_AI double lane_log_end(lane_log *a)
{
    if (a->open) lane_log_group(a, &(pf_ev_v4){a->cur[0], a->cur[1], a->cur[2], a->cur[3]});
    a->open = 0;
    if (a->nring) lane_log_flush(a);
    return a->acc;
}

/* The run accumulators of the lane order's scatter into u (like_lanes.h): u[B + r rs + k]
 * += U, U back to 0. */
PF_EV_AI void run_flush_v4(pf_ev_v4 *U, double *u0, size_t rs)
{
    for (int r = 0; r < 4; r++) {
        double *ur = u0 + (size_t)r * rs;
        pf_ev_v4 v0, v1;
        pf_ev_v4_ld(&v0, ur);
        pf_ev_v4_ld(&v1, ur + 4);
        v0 = v0 + U[2 * r];
        v1 = v1 + U[2 * r + 1];
        memcpy(ur, &v0, sizeof v0);
        memcpy(ur + 4, &v1, sizeof v1);
        U[2 * r] = U[2 * r + 1] = (pf_ev_v4){0.0, 0.0, 0.0, 0.0};
    }
}

/* The event pass over lane groups (struct pf_like ln_*, whole rows, no exact rows;
 * like_lanes.h events_block_lanes): 4 events of one stencil base per vector.  Per chunk
 * of PF_LANE_CHUNK groups, three phases, so that the long chain density -> s -> scatter
 * of one group overlaps the next groups':
 *  1. the densities: the run's 32 grid values broadcast once per run into Gb, then per
 *     lane the order of pf_ev_dot_stencil (rows first, the column weights, F2 and FL) with
 *     its multiply-adds fused;
 *  2. ln d (lane_log, or log_add per event with weights) and s = wt / d;
 *  3. the gradient: the terms (s wr_r)(f_a wc_c) of pf_ev_stencil_term3, fused per event in
 *     held order into 8 run accumulators (Q^2 row r, values 4 h .. 4 h + 3), which are
 *     added to u once per run.
 * Chunks of 2, 4, 8, 16 and 32 groups measured: 4 and 8 fastest (1e6 events, ln L +
 * gradient with 1 thread 9.1-9.5 ms against 10.4-10.8 with 16; docs/performance.md,
 * "Events in lanes").
 * The lane order's pass event by event (like_lanes.h events_block_stencil: compact rows,
 * or whole rows where the lane groups could not be allocated) takes chunks of
 * PF_LIKE_CHUNK events in the same three phases (ln d by lane_log_event), each event with
 * the operations of its lane in the lane pass: the same bits. */
/* two-vector shuffles: clang and GCC >= 12 have __builtin_shufflevector, older GCC
 * __builtin_shuffle with an index vector */
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define PF_LN_SHUF(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#endif
#endif
#ifndef PF_LN_SHUF
typedef long long pf_ln_i4 __attribute__((vector_size(32)));
#define PF_LN_SHUF(a, b, i, j, k, l) __builtin_shuffle(a, b, (pf_ln_i4){i, j, k, l})
#endif
#define PF_LANE_CHUNK 4
#define PF_LANE_PREFETCH 16 /* groups ahead (5 lines each) */
#define PF_LIKE_CHUNK 16
/* Two instances of the kernels (like_lanes.h): with the hardware's fused multiply-add
 * (x86-64 with AVX2 and FMA, chosen at run time), and with C's fma per lane elsewhere (the
 * same bits; on AArch64 fma is an instruction, on x86-64 without FMA a library call). */
#define PF_LN_FMA_LANES(x, y, z)                                                                   \
    ((pf_ev_v4){__builtin_fma((x)[0], (y)[0], (z)[0]), __builtin_fma((x)[1], (y)[1], (z)[1]),      \
                __builtin_fma((x)[2], (y)[2], (z)[2]), __builtin_fma((x)[3], (y)[3], (z)[3])})
#define PF_LN(name) name##_base
#define PF_LN_ATTR
#define PF_LN_MADD(x, y, z) PF_LN_FMA_LANES(x, y, z)
#include "like_lanes.h"
#undef PF_LN
#undef PF_LN_ATTR
#undef PF_LN_MADD
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#include <immintrin.h>
#define PF_LN_HAVE_FMA 1
#define PF_LN(name) name##_fma
#define PF_LN_ATTR __attribute__((target("avx2,fma")))
#define PF_LN_MADD(x, y, z) ((pf_ev_v4)_mm256_fmadd_pd((__m256d)(x), (__m256d)(y), (__m256d)(z)))
#include "like_lanes.h"
#undef PF_LN
#undef PF_LN_ATTR
#undef PF_LN_MADD
static int force_baseline; /* pf_like_kernel_baseline */
static int have_fma(void)
{
    static int f = -1;
    if (f < 0) {
        __builtin_cpu_init();
        f = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return f && !force_baseline;
}
#endif
static long events_block_lanes(pf_like *lk, const double *G, size_t b, size_t nev, int want_grad)
{
#ifdef PF_LN_HAVE_FMA
    if (have_fma()) return events_block_lanes_fma(lk, G, b, nev, want_grad);
#endif
    return events_block_lanes_base(lk, G, b, nev, want_grad);
}
static long events_block_stencil(pf_like *lk, const double *G, size_t b, size_t nev, int want_grad)
{
#ifdef PF_LN_HAVE_FMA
    if (have_fma()) return events_block_stencil_fma(lk, G, b, nev, want_grad);
#endif
    return events_block_stencil_base(lk, G, b, nev, want_grad);
}
#endif
int pf_like_kernel_baseline(int on)
{
#ifdef PF_LN_HAVE_FMA
    const int was = force_baseline;
    force_baseline = on;
    return was;
#else
    (void)on;
    return 1;
#endif
}

/* Block b of the event pass: its partial [sum wt ln d, u] (u only with want_grad); returns
 * the lowest local event (caller's order) whose density is not positive, or -1.  Compiled for AVX2 and the
 * baseline (the four-lane stencil functions of kernels/eventpass.h then use one register
 * per 4 doubles): every lane does the scalar operations, -ffp-contract=off, so both
 * clones give the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(PF_EV_HAVE_V4)
__attribute__((target_clones("avx2", "default")))
#endif
static long events_block(pf_like *lk, const double *G, const double *Gin, size_t b, size_t nev, int want_grad)
{
    const size_t len = nev + 1;
    long bad = -1;
    double *part = lk->partials + b * len;
    double *u = part + 1;
    if (want_grad) memset(u, 0, nev * sizeof *u);
    size_t i0 = b * PF_LIKE_BLOCK, i1 = i0 + PF_LIKE_BLOCK < lk->n ? i0 + PF_LIKE_BLOCK : lk->n;
    log_acc la = {0};
    size_t xk = first_exact(lk, i0);
    for (size_t i = i0; i < i1; i++) {
        const double wt = lk->wt ? lk->wt[i] : 1.0;
        const int exact = xk < lk->x_n && lk->x_event[xk] == i;
        if (exact) xk++;
        if (wt == 0.0) continue;
        double d;
        if (exact) {
            /* an exact row on the theory grid values: sequential sum, scatter into u_G */
            const uint64_t k0 = lk->x_ptr[xk - 1], k1 = lk->x_ptr[xk];
            d = 0.0;
            for (uint64_t k = k0; k < k1; k++) d += lk->x_val[k] * Gin[lk->x_col[k]];
            if (d > 0.0 && want_grad) {
                double *uG = u + lk->nF;
                const double s = wt / d;
                for (uint64_t k = k0; k < k1; k++) uG[lk->x_col[k]] += s * lk->x_val[k];
            }
        } else if (lk->st_base) {
            /* factored stencil: rows r of 8 contiguous values (4 x columns x F2, FL);
             * the per-event maths is shared with the device pass (kernels/eventpass.h) */
            /* a local copy of the row's weights: the stores into u cannot alias it,
             * so the compiler keeps the weights in registers and vectorises the
             * scatter (same operations, same bits) */
            double swl[PF_LIKE_STW];
            const double *sw = lk->st_w + i * PF_LIKE_STW;
            const size_t rs = 2 * lk->st_nx;
            if (lk->st_loc) { /* compact rows: the weights computed here, the same bits */
                pf_ev_stencil_expand(lk->st_loc + i * PF_LIKE_STL, lk->st_xf ? lk->st_xf[i] : 1.0,
                                     lk->st_xf ? lk->st_xpow + (lk->st_base[i] / 2) % lk->st_nx : NULL, swl);
                sw = swl;
            }
#if defined(__GNUC__) && PF_LIKE_PREFETCH
            if (i + PF_LIKE_PREFETCH < i1) {
                const size_t bp = lk->st_base[i + PF_LIKE_PREFETCH];
                PF_PREFETCH_STENCIL(G + bp, rs, 0);
                if (i + 2 * PF_LIKE_PREFETCH < i1) { /* the row, 16 events ahead */
                    if (lk->st_loc) {
                        __builtin_prefetch(lk->st_loc + (i + 2 * PF_LIKE_PREFETCH) * PF_LIKE_STL);
                    } else {
                        __builtin_prefetch(lk->st_w + (i + 2 * PF_LIKE_PREFETCH) * PF_LIKE_STW);
                        __builtin_prefetch(lk->st_w + (i + 2 * PF_LIKE_PREFETCH) * PF_LIKE_STW + 8);
                    }
                }
            }
#endif
#ifdef PF_EV_HAVE_V4 /* the same bits on four lanes (kernels/eventpass.h) */
            d = pf_ev_dot_stencil_v4(sw, G + lk->st_base[i], rs);
            if (d > 0.0 && want_grad) pf_ev_scatter_stencil_v4(sw, wt / d, u + lk->st_base[i], rs);
#else
            d = pf_ev_dot_stencil(sw, G + lk->st_base[i], rs);
            if (d > 0.0 && want_grad) pf_ev_scatter_stencil(sw, wt / d, u + lk->st_base[i], rs);
#endif
        } else {
            const uint64_t k0 = lk->row_ptr[i], k1 = lk->row_ptr[i + 1];
            const uint64_t r0 = lk->rptr[i], r1 = lk->rptr[i + 1];
#if defined(__GNUC__) && PF_LIKE_PREFETCH_CSR
            /* the weights stream PF_LIKE_PREFETCH_CSR entries ahead (one line per 8) */
            for (uint64_t k = k0 + PF_LIKE_PREFETCH_CSR; k < k1 + PF_LIKE_PREFETCH_CSR && k < lk->nnz; k += 8)
                __builtin_prefetch(lk->val + k);
#endif
            d = dot_runs(lk->rcol, lk->rlen, r0, r1, lk->val + k0, k1 - k0, G);
            if (d > 0.0 && want_grad) scatter_runs(lk->rcol, lk->rlen, r0, r1, lk->val + k0, wt / d, u);
        }
        if (!(d > 0.0)) { /* the lowest such event in the caller's order */
            const long oi = (long)orig_index(lk, i);
            if (bad < 0 || oi < bad) bad = oi;
            continue;
        }
        log_add(&la, wt, d);
    }
    const double acc = log_flush(&la);
    part[0] = acc;
    return bad;
}

int pf_like_events(pf_like *lk, const double *G, const double *dG, size_t np, double *lnl, double *grad,
                   pf_status *st)
{
    if (lk->binned_only)
        return pf_status_set(st, PF_EINVAL, "likelihood: read without event rows (binned only): no unbinned ln L");
    const size_t nev = lk->nF ? lk->nF + lk->ngrid : lk->ngrid, len = nev + 1, nb = lk->nblocks_local;
    const int want_grad = grad != NULL;
    long bad = -1;
    const double *Gin = G; /* the theory grid values */
    if (lk->nF) {
        /* the smeared detector's events see F = M G (like.h) */
        if (lk->m_pr.np) pair_apply(&lk->m_pr, G, lk->F);
        else if (lk->m_val32) csr_apply_f32(lk->nF, lk->m_ptr, lk->m_col, lk->m_val32, G, lk->F);
        else csr_apply(lk->nF, lk->m_ptr, lk->m_col, lk->m_val, G, lk->F);
        G = lk->F;
    }
#ifdef PF_LN_HAVE_FMA
    (void)have_fma(); /* set before the threads, which only read it */
#endif
    /* One pass: block b's partial holds [sum wt ln d, u_0 .. u_{ngrid-1}]. */
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (size_t b = 0; b < nb; b++) {
        const long bb =
#ifdef PF_EV_HAVE_V4
                        lk->ln_w ? events_block_lanes(lk, G, b, nev, want_grad) :
                        lk->lanes_order ? events_block_stencil(lk, G, b, nev, want_grad) :
#endif
                        events_block(lk, G, Gin, b, nev, want_grad);
        if (bb >= 0) {
#ifdef PF_HAVE_OPENMP
#pragma omp critical(pf_like_bad)
#endif
            if (bad < 0 || bb < bad) bad = bb;
        }
    }
    if (pf_par_max_int(bad >= 0)) {
        if (bad >= 0)
            pf_status_set(st, PF_EDOMAIN, "likelihood: expected density at event %zu is not positive",
                          lk->first + (size_t)bad);
        else
            pf_status_set(st, PF_EDOMAIN, "likelihood: expected density at an event of another rank is not positive");
        return PF_EDOMAIN;
    }
    if (want_grad) {
        int rc = pf_par_sum_blocks(lk->partials, lk->first_block, nb, lk->nblocks_total, len, lk->u, st);
        if (rc) return rc;
    } else {
        /* only the ln L column: gather it contiguously, then the same block-order sum */
        double *col0 = malloc((nb ? nb : 1) * sizeof *col0);
        if (!col0) return pf_status_set(st, PF_ENOMEM, "likelihood: cannot allocate %zu partials", nb);
        for (size_t b = 0; b < nb; b++) col0[b] = lk->partials[b * len];
        int rc = pf_par_sum_blocks(col0, lk->first_block, nb, lk->nblocks_total, 1, lk->u, st);
        free(col0);
        if (rc) return rc;
    }
    double nexp;
    pf_like_nexp(lk, Gin, NULL, 0, &nexp, NULL);
    *lnl = lk->u[0] - nexp;
    if (want_grad) {
        double *u = lk->u + 1;
        if (lk->nF) {
            /* u_G = M^T u_F + u_G(exact rows), into F's buffer (no longer needed), then back */
            if (lk->mt_pr.np) pair_apply(&lk->mt_pr, u, lk->F);
            else if (lk->mt_val32) csr_apply_f32(lk->ngrid, lk->mt_ptr, lk->mt_col, lk->mt_val32, u, lk->F);
            else csr_apply(lk->ngrid, lk->mt_ptr, lk->mt_col, lk->mt_val, u, lk->F);
            const double *ux = u + lk->nF;
            for (size_t g = 0; g < lk->ngrid; g++) u[g] = lk->F[g] + ux[g];
        }
        for (size_t g = 0; g < lk->ngrid; g++) u[g] -= lk->L * lk->c[g];
        /* each parameter's dot product by one thread: the same bits for any threads */
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static) if (np > 1)
#endif
        for (long p = 0; p < (long)np; p++) grad[p] = dot8(dG + (size_t)p * lk->ngrid, u, lk->ngrid);
    }
    return PF_OK;
}

int pf_like_histogram(pf_like *lk, const double *G, const double *dG, size_t np, double *lnl, double *grad,
                      pf_status *st)
{
    if (!lk->nbins) return pf_status_set(st, PF_EINVAL, "likelihood: no histogram operator (0 bins)");
    double *v = lk->u; /* reuse: ngrid + 1 */
    memset(v, 0, lk->ngrid * sizeof *v);
    double acc = 0.0;
    for (size_t b = 0; b < lk->nbins; b++) {
        const double *h = lk->H + b * lk->ngrid;
        const double mu = lk->L * dot8(h, G, lk->ngrid);
        const double n = lk->counts[b];
        if (!(mu > 0.0)) {
            if (n > 0.0 || mu < 0.0)
                return pf_status_set(st, PF_EDOMAIN, "likelihood: expected count %g in bin %zu holding %g events",
                                     mu, b, n);
            continue;
        }
        acc += (n > 0.0 ? n * log(mu) : 0.0) - mu;
        if (grad) {
            const double f = (n / mu - 1.0) * lk->L;
            for (size_t g = 0; g < lk->ngrid; g++) v[g] += f * h[g];
        }
    }
    *lnl = acc;
    if (grad)
        for (size_t p = 0; p < np; p++) grad[p] = dot8(dG + p * lk->ngrid, v, lk->ngrid);
    return PF_OK;
}
