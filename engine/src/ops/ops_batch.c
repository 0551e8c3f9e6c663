/* partonflow ops: the batch cross-section pass, d2sigma and its gradient at n points from
 * G and dG.  This is the inner loop of simulation and fitting, so it is written for the
 * memory system (docs/performance.md, section xsec):
 *
 *  - G and dG are packed once per call into a table T with, per grid node and observable,
 *    one row of npad doubles (G, then every dG_p, zero padded to a multiple of 8), so a
 *    point reads 4 rows of 4 consecutive nodes, 8 * npad contiguous doubles each;
 *  - points are taken in chunks of CHUNK; inside a chunk they are visited sorted by grid
 *    cell (radix sort), so that neighbouring points find their stencil rows in L1;
 *  - the 32 x npad multiply-adds of a point run in 8-wide registers (AVX-512 / AVX2
 *    clones, picked at run time);
 *  - results go through a chunk buffer to out and grad in point order, with non-temporal
 *    stores when the arrays allow (64-byte aligned, n a multiple of 8).
 * Each point's sums are taken in the same order whatever the chunking, sorting or thread
 * count, so the results are bitwise reproducible. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "ops_internal.h"
#include "partonflow/kernels/kinematics.h"

#define CHUNK 1024 /* points per chunk: weights + buffer stay in L2 next to the table */

#define NREC 10 /* per point: wr[4] (Q^2), wc[4] (x), then the F2 and FL factors */

typedef struct workspace {
    int r0[CHUNK], c0[CHUNK], key[CHUNK], perm[CHUNK], tmp[CHUNK], valid[CHUNK];
    double f2[CHUNK], fl[CHUNK], wr[4][CHUNK], wc[4][CHUNK];
    double *w;   /* CHUNK x NREC records */
    double *buf; /* CHUNK x npad, 64-byte aligned */
} workspace;

/* LSD radix sort of chunk positions by key (8 bits a pass): perm lists positions in
 * increasing key, ties in position order. */
static void sort_by_key(workspace *ws, int m, int keybits)
{
    int *src = ws->perm, *dst = ws->tmp;
    for (int k = 0; k < m; k++) src[k] = k;
    for (int shift = 0; shift < keybits; shift += 8) {
        int count[257] = {0};
        for (int k = 0; k < m; k++) count[((ws->key[src[k]] >> shift) & 255) + 1]++;
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (int k = 0; k < m; k++) dst[count[(ws->key[src[k]] >> shift) & 255]++] = src[k];
        int *t = src;
        src = dst;
        dst = t;
    }
    if (src != ws->perm) memcpy(ws->perm, src, (size_t)m * sizeof *src);
}

/* Coordinates, stencils and kinematic factors of a chunk's points, vectorised over the
 * points: branch-free, the same arithmetic in the same order as pf_ops_coords,
 * pf_interp_axis_locate, pf_interp_cubic_weights and pf_ops_stencil_at, so the weights are
 * bitwise those of pf_ops_xsec_weights (the sums are tested against them).  Points
 * outside the grid get clamped stand-ins and valid[k] = 0. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void chunk_stencils(const pf_ops *restrict o, const double *restrict xc, const double *restrict qc, int m,
                           workspace *restrict ws)
{
    const pf_interp_axis *qa = &o->qaxis, *xa = &o->xaxis;
    const int nseg = qa->nseg;
    const double *qedge = qa->edge, *qih = qa->inv_h, *xpow = o->xpow;
    const int *qn = qa->n, *qfirst = qa->first;
    const double qlo = qa->edge[0], qhi = qa->edge[nseg], xlo = xa->edge[0], xhi = xa->edge[1];
    const double xih = xa->inv_h[0];
    const int xn = xa->n[0];
    const double s = o->s, alpha = o->alpha;
    double *wr0 = ws->wr[0], *wr1 = ws->wr[1], *wr2 = ws->wr[2], *wr3 = ws->wr[3];
    double *wc0 = ws->wc[0], *wc1 = ws->wc[1], *wc2 = ws->wc[2], *wc3 = ws->wc[3];
    int *r0 = ws->r0, *c0 = ws->c0, *valid = ws->valid;
    double *f2 = ws->f2, *fl = ws->fl;
#pragma omp simd
    for (int k = 0; k < m; k++) {
        const double xk = xc[k], qk = qc[k];
        int ok = (xk > 0.0) & (xk < 1.0) & (qk > 0.0);
        const double xs = ok ? xk : 0.5, qs = ok ? qk : 1.0;
        double t, u, xf;
        pf_ops_coords(xs, qs, &t, &u, &xf);
        ok = ok & (t >= qlo) & (t <= qhi) & (u >= xlo) & (u <= xhi);
        t = ok ? t : qlo;
        u = ok ? u : xlo;
        /* Q^2: segment (inner edges, unrolled), clamped stencil start, cubic weights */
        int g = 0;
        g += (nseg > 1) & (t >= qedge[1]);
        g += (nseg > 2) & (t >= qedge[2]);
        g += (nseg > 3) & (t >= qedge[3]);
        g += (nseg > 4) & (t >= qedge[4]);
        g += (nseg > 5) & (t >= qedge[5]);
        g += (nseg > 6) & (t >= qedge[6]);
        g += (nseg > 7) & (t >= qedge[7]);
        const double sq = (t - qedge[g]) * qih[g];
        int jq = (int)sq;
        jq = jq < 1 ? 1 : jq;
        jq = jq > qn[g] - 3 ? qn[g] - 3 : jq;
        const double rq = sq - (double)jq, rq1 = rq + 1.0, rqm1 = rq - 1.0, rqm2 = rq - 2.0;
        const double sx = (u - xlo) * xih;
        int jx = (int)sx;
        jx = jx < 1 ? 1 : jx;
        jx = jx > xn - 3 ? xn - 3 : jx;
        const double rx = sx - (double)jx, rx1 = rx + 1.0, rxm1 = rx - 1.0, rxm2 = rx - 2.0;
        const int cc = jx - 1;
        r0[k] = qfirst[g] + jq - 1;
        c0[k] = cc;
        valid[k] = ok;
        wr0[k] = -rq * rqm1 * rqm2 * (1.0 / 6.0);
        wr1[k] = rq1 * rqm1 * rqm2 * 0.5;
        wr2[k] = -rq1 * rq * rqm2 * 0.5;
        wr3[k] = rq1 * rq * rqm1 * (1.0 / 6.0);
        wc0[k] = (-rx * rxm1 * rxm2 * (1.0 / 6.0)) * (xf * xpow[cc]);
        wc1[k] = (rx1 * rxm1 * rxm2 * 0.5) * (xf * xpow[cc + 1]);
        wc2[k] = (-rx1 * rx * rxm2 * 0.5) * (xf * xpow[cc + 2]);
        wc3[k] = (rx1 * rx * rxm1 * (1.0 / 6.0)) * (xf * xpow[cc + 3]);
        pf_kin_xsec_factors(xs, qs, s, alpha, &f2[k], &fl[k]);
    }
    if (o->born.w) { /* charged current: the W's Born factor, outside the vector loop */
        const pf_kin_born *b = &o->born;
        for (int k = 0; k < m; k++) {
            const double xk = xc[k], qk = qc[k];
            const int ok = (xk > 0.0) & (xk < 1.0) & (qk > 0.0);
            pf_kin_xsec_factors_b(b, ok ? xk : 0.5, ok ? qk : 1.0, s, alpha, &f2[k], &fl[k]);
        }
    }
}

/* The 32 x npad multiply-adds of one point (npad a multiple of 8); two accumulator sets
 * (F2 and FL terms) halve the dependency chains. */
static inline __attribute__((always_inline)) void point_any(const double *restrict base, size_t rowstride,
                                                            size_t npad, const double *restrict wp,
                                                            double *restrict dst)
{
    for (size_t ch = 0; ch < npad; ch += 8) {
        double acc0[8] = {0, 0, 0, 0, 0, 0, 0, 0}, acc1[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int r = 0; r < 4; r++) {
            const double *row = base + (size_t)r * rowstride + ch;
            for (int c = 0; c < 4; c++) {
                const double w2 = wp[r * 4 + c], wl = wp[16 + r * 4 + c];
                const double *v2 = row + (size_t)(c * PF_NOBS) * npad, *vl = v2 + npad;
                for (int j = 0; j < 8; j++) {
                    acc0[j] += w2 * v2[j];
                    acc1[j] += wl * vl[j];
                }
            }
        }
        for (int j = 0; j < 8; j++) dst[ch + j] = acc0[j] + acc1[j];
    }
}

/* Values only (npad = 1: the table is G itself). */
static inline __attribute__((always_inline)) void point_value(const double *restrict base, size_t rowstride,
                                                              const double *restrict wp, double *restrict dst)
{
    double a0 = 0.0, a1 = 0.0;
    for (int r = 0; r < 4; r++) {
        const double *row = base + (size_t)r * rowstride;
        for (int c = 0; c < 4; c++) {
            a0 += wp[r * 4 + c] * row[c * PF_NOBS];
            a1 += wp[16 + r * 4 + c] * row[c * PF_NOBS + 1];
        }
    }
    dst[0] = a0 + a1;
}

/* The 32 weights of a point from its record: fac_a * (wr[r] * wc[c]), as pf_ops_xsec_weights. */
static inline __attribute__((always_inline)) void expand(const double *restrict rec, double *restrict wp)
{
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) {
            const double b = rec[r] * rec[4 + c];
            wp[r * 4 + c] = rec[8] * b;
            wp[16 + r * 4 + c] = rec[9] * b;
        }
}

#define PF_OPS_LOOP(CALL)                                                                          \
    for (int k = 0; k < m; k++) {                                                                  \
        const int pt = perm[k];                                                                    \
        double wp[PF_OPS_NW];                                                                      \
        expand(w + (size_t)pt * NREC, wp);                                                         \
        const double *base = T + ((size_t)r0[pt] * nx + (size_t)c0[pt]) * PF_NOBS * npad;          \
        double *dst = buf + (size_t)pt * npad;                                                     \
        CALL;                                                                                      \
    }

/* The multiply-adds of a chunk, points in sorted order, results to buf[pos][0..npad).
 * Portable version (compiled for AVX2 and the baseline; FMA contraction allowed: the
 * same code gives the same bits for any thread count on a given CPU). */
__attribute__((target_clones("avx2", "default"), optimize("fp-contract=fast")))
static void chunk_pass(const double *restrict T, size_t npad, size_t nx, int m, const int *restrict perm,
                       const int *restrict r0, const int *restrict c0, const double *restrict w,
                       double *restrict buf)
{
    const size_t rowstride = nx * PF_NOBS * npad;
    if (npad == 1)
        PF_OPS_LOOP(point_value(base, rowstride, wp, dst))
    else
        PF_OPS_LOOP(point_any(base, rowstride, npad, wp, dst))
}

#if defined(__x86_64__)
/* AVX-512 version: the npad/8 = NCH accumulator pairs are registers (NCH <= 6). */
#define PF_OPS_DEFINE_AVX512(NCH)                                                                  \
    __attribute__((target("avx512f"))) static void chunk_pass_avx512_##NCH(                        \
        const double *restrict T, size_t nx, int m, const int *restrict perm, const int *restrict r0, \
        const int *restrict c0, const double *restrict w, double *restrict buf)                    \
    {                                                                                              \
        const size_t npad = 8 * NCH, rowstride = nx * PF_NOBS * npad;                              \
        for (int k = 0; k < m; k++) {                                                              \
            const int pt = perm[k];                                                                \
            double wp[PF_OPS_NW];                                                                  \
            expand(w + (size_t)pt * NREC, wp);                                                     \
            const double *base = T + ((size_t)r0[pt] * nx + (size_t)c0[pt]) * PF_NOBS * npad;      \
            __m512d a0[NCH], a1[NCH];                                                              \
            for (int h = 0; h < NCH; h++) a0[h] = a1[h] = _mm512_setzero_pd();                     \
            for (int r = 0; r < 4; r++) {                                                          \
                const double *row = base + (size_t)r * rowstride;                                  \
                for (int c = 0; c < 4; c++) {                                                      \
                    const __m512d w2 = _mm512_set1_pd(wp[r * 4 + c]);                              \
                    const __m512d wl = _mm512_set1_pd(wp[16 + r * 4 + c]);                         \
                    const double *v2 = row + (size_t)(c * PF_NOBS) * npad, *vl = v2 + npad;        \
                    for (int h = 0; h < NCH; h++) {                                                \
                        a0[h] = _mm512_fmadd_pd(w2, _mm512_loadu_pd(v2 + 8 * h), a0[h]);           \
                        a1[h] = _mm512_fmadd_pd(wl, _mm512_loadu_pd(vl + 8 * h), a1[h]);           \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            double *dst = buf + (size_t)pt * npad;                                                 \
            for (int h = 0; h < NCH; h++) _mm512_store_pd(dst + 8 * h, _mm512_add_pd(a0[h], a1[h])); \
        }                                                                                          \
    }
PF_OPS_DEFINE_AVX512(1)
PF_OPS_DEFINE_AVX512(2)
PF_OPS_DEFINE_AVX512(3)
PF_OPS_DEFINE_AVX512(4)
PF_OPS_DEFINE_AVX512(5)
PF_OPS_DEFINE_AVX512(6)
#endif

/* Picks the kernel: AVX-512 with registers for npad <= 48 when the CPU has it. */
static void chunk_dispatch(int avx512, const double *T, size_t npad, size_t nx, int m, const int *perm,
                           const int *r0, const int *c0, const double *w, double *buf)
{
#if defined(__x86_64__)
    if (avx512 && npad % 8 == 0) switch (npad / 8) {
        case 1: chunk_pass_avx512_1(T, nx, m, perm, r0, c0, w, buf); return;
        case 2: chunk_pass_avx512_2(T, nx, m, perm, r0, c0, w, buf); return;
        case 3: chunk_pass_avx512_3(T, nx, m, perm, r0, c0, w, buf); return;
        case 4: chunk_pass_avx512_4(T, nx, m, perm, r0, c0, w, buf); return;
        case 5: chunk_pass_avx512_5(T, nx, m, perm, r0, c0, w, buf); return;
        case 6: chunk_pass_avx512_6(T, nx, m, perm, r0, c0, w, buf); return;
        default: break;
        }
#else
    (void)avx512;
#endif
    chunk_pass(T, npad, nx, m, perm, r0, c0, w, buf);
}

/* Writes a chunk's results (buf rows in point order) to out[i0..] and grad[p*n + i0..]. */
static void chunk_store(const double *buf, size_t npad, size_t np, size_t n, size_t i0, int m, double *out,
                        double *grad)
{
    if (out)
        for (int k = 0; k < m; k++) out[i0 + (size_t)k] = buf[(size_t)k * npad];
    for (size_t p = 0; p < np; p++) {
        double *g = grad + p * n + i0;
        for (int k = 0; k < m; k++) g[k] = buf[(size_t)k * npad + 1 + p];
    }
}

#if defined(__x86_64__)
/* Same with non-temporal 64-byte stores: the outputs (n x (np + 1) doubles) are written
 * once and not read back here, so they bypass the caches (no read-for-ownership).  8
 * points x 8 columns of buf are transposed in registers (unpack + two permute stages). */
__attribute__((target("avx512f")))
static void chunk_store_nt(const double *buf, size_t npad, size_t np, size_t n, size_t i0, int m, double *out,
                           double *grad)
{
    const __m512i i1 = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0), i2 = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    const __m512i i3 = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0), i4 = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
    if (npad == 1) { /* values only: buf is already in point order */
        if (out)
            for (int k = 0; k < m; k += 8) _mm512_stream_pd(out + i0 + (size_t)k, _mm512_load_pd(buf + k));
        _mm_sfence();
        return;
    }
    for (int k = 0; k < m; k += 8) {
        const double *b = buf + (size_t)k * npad;
        for (size_t h = 0; h < npad && h <= np; h += 8) {
            __m512d r[8], t[8], u[8], c[8];
            for (int j = 0; j < 8; j++) r[j] = _mm512_load_pd(b + (size_t)j * npad + h);
            for (int j = 0; j < 8; j += 2) {
                t[j] = _mm512_unpacklo_pd(r[j], r[j + 1]);     /* cols 0 2 4 6 of rows j, j+1 */
                t[j + 1] = _mm512_unpackhi_pd(r[j], r[j + 1]); /* cols 1 3 5 7 */
            }
            for (int j = 0; j < 8; j += 4) {
                u[j] = _mm512_permutex2var_pd(t[j], i1, t[j + 2]);         /* cols 0, 4 of 4 rows */
                u[j + 1] = _mm512_permutex2var_pd(t[j], i2, t[j + 2]);     /* cols 2, 6 */
                u[j + 2] = _mm512_permutex2var_pd(t[j + 1], i1, t[j + 3]); /* cols 1, 5 */
                u[j + 3] = _mm512_permutex2var_pd(t[j + 1], i2, t[j + 3]); /* cols 3, 7 */
            }
            c[0] = _mm512_permutex2var_pd(u[0], i3, u[4]);
            c[4] = _mm512_permutex2var_pd(u[0], i4, u[4]);
            c[2] = _mm512_permutex2var_pd(u[1], i3, u[5]);
            c[6] = _mm512_permutex2var_pd(u[1], i4, u[5]);
            c[1] = _mm512_permutex2var_pd(u[2], i3, u[6]);
            c[5] = _mm512_permutex2var_pd(u[2], i4, u[6]);
            c[3] = _mm512_permutex2var_pd(u[3], i3, u[7]);
            c[7] = _mm512_permutex2var_pd(u[3], i4, u[7]);
            for (int j = 0; j < 8; j++) {
                const size_t col = h + (size_t)j; /* 0: d2sigma, 1 + p: d/dtheta_p */
                if (col == 0) {
                    if (out) _mm512_stream_pd(out + i0 + (size_t)k, c[j]);
                } else if (col <= np) {
                    _mm512_stream_pd(grad + (col - 1) * n + i0 + (size_t)k, c[j]);
                }
            }
        }
    }
    _mm_sfence();
}
#endif

int pf_ops_xsec(const pf_ops *o, const double *G, const double *dG, size_t np, size_t n, const double *x,
                const double *q2, double *out, double *grad, pf_status *st)
{
    if (!grad) np = 0;
    if (np && !dG) return pf_status_set(st, PF_EINVAL, "pf_ops_xsec: gradient requested without dG");
    if (n > (size_t)INT_MAX * 64) return pf_status_set(st, PF_EINVAL, "pf_ops_xsec: %zu points is too many", n);
    const size_t ngrid = pf_ops_ngrid(o), nx = o->nx;
    const size_t npad = np ? (np + 1 + 7) / 8 * 8 : 1; /* values only: the table is G */
    double *T = aligned_alloc(64, (ngrid * npad * sizeof *T + 63) / 64 * 64);
    if (!T) return pf_status_set(st, PF_ENOMEM, "pf_ops_xsec: cannot allocate the %zu x %zu grid table", ngrid, npad);
#pragma omp parallel for schedule(static)
    for (long g = 0; g < (long)ngrid; g++) {
        double *row = T + (size_t)g * npad;
        row[0] = G[g];
        for (size_t p = 0; p < np; p++) row[1 + p] = dG[p * ngrid + (size_t)g];
        for (size_t p = np + 1; p < npad; p++) row[p] = 0.0;
    }
    int keybits = 8;
    while (keybits < 31 && ((size_t)1 << keybits) < o->nx * o->nq2) keybits += 8;
#if defined(__x86_64__)
    const int avx512 = __builtin_cpu_supports("avx512f");
#else
    const int avx512 = 0;
#endif
#if defined(__x86_64__)
    /* non-temporal stores need every 8-point group of every output row 64-byte aligned */
    const int nt = avx512 && n % 8 == 0 && ((uintptr_t)grad % 64 == 0 || !np) &&
                   (!out || (uintptr_t)out % 64 == 0);
#endif
    long bad = LONG_MAX; /* the first point outside the grid */
    int nomem = 0;
    const long nchunk = (long)((n + CHUNK - 1) / CHUNK);
#pragma omp parallel reduction(min : bad) reduction(max : nomem)
    {
        workspace *ws = malloc(sizeof *ws);
        if (ws) {
            ws->w = malloc(CHUNK * NREC * sizeof *ws->w);
            ws->buf = aligned_alloc(64, CHUNK * npad * sizeof *ws->buf);
        }
        /* (reduction copies start at the identity: INT_MIN for max, LONG_MAX for min) */
        const int have_ws = ws && ws->w && ws->buf;
        if (!have_ws) nomem = 1;
#pragma omp for schedule(static)
        for (long cix = 0; cix < nchunk; cix++) {
            if (!have_ws) continue;
            const size_t i0 = (size_t)cix * CHUNK;
            const int m = (int)(n - i0 < CHUNK ? n - i0 : CHUNK);
            const double *xc = x + i0, *qc = q2 + i0;
            chunk_stencils(o, xc, qc, m, ws);
            int ok = 1;
            for (int k = 0; k < m; k++) ok &= ws->valid[k];
            if (!ok) {
                for (int k = 0; k < m; k++)
                    if (!ws->valid[k]) {
                        if ((long)(i0 + (size_t)k) < bad) bad = (long)(i0 + (size_t)k);
                        break;
                    }
                continue;
            }
            for (int k = 0; k < m; k++) {
                double *rec = ws->w + (size_t)k * NREC;
                rec[0] = ws->wr[0][k];
                rec[1] = ws->wr[1][k];
                rec[2] = ws->wr[2][k];
                rec[3] = ws->wr[3][k];
                rec[4] = ws->wc[0][k];
                rec[5] = ws->wc[1][k];
                rec[6] = ws->wc[2][k];
                rec[7] = ws->wc[3][k];
                rec[8] = ws->f2[k];
                rec[9] = ws->fl[k];
                ws->key[k] = ws->r0[k] * (int)nx + ws->c0[k];
            }
            if (npad > 1) {
                sort_by_key(ws, m, keybits);
            } else { /* values only: G (16 bytes a node) stays in L1/L2 anyway */
                for (int k = 0; k < m; k++) ws->perm[k] = k;
            }
            chunk_dispatch(avx512, T, npad, nx, m, ws->perm, ws->r0, ws->c0, ws->w, ws->buf);
#if defined(__x86_64__)
            if (nt && m % 8 == 0) {
                chunk_store_nt(ws->buf, npad, np, n, i0, m, out, grad);
                continue;
            }
#endif
            chunk_store(ws->buf, npad, np, n, i0, m, out, grad);
        }
        if (ws) {
            free(ws->w);
            free(ws->buf);
        }
        free(ws);
    }
    free(T);
    if (nomem) return pf_status_set(st, PF_ENOMEM, "pf_ops_xsec: cannot allocate point buffers");
    return bad != LONG_MAX ? pf_ops_domain_error(o, "pf_ops_xsec", bad, x, q2, st) : PF_OK;
}
