// The unbinned likelihood's event pass on the device (cuda.h, docs/gpu.md).  The maths per
// event is kernels/eventpass.h, shared with the CPU loop of engine/src/fit/like.c; this file
// only arranges the data and launches.
//
// Determinism: every reduction has a shape fixed by the data alone (never by the launch
// configuration, the device or the scheduling).
//  CSR rows, two passes:
//  - pass1_csr: one thread per event (d_i, wt_i ln d_i, s_i stored); chunk b = events
//    [256 b, 256 b + 256), summed by a fixed pairwise tree (strides 128, 64, .. 1);
//  - u through a transposed copy built at creation: each grid column's entries, in event
//    order, cut into segments of PF_CU_SEG; a warp sums a segment (lane-strided partials,
//    then a fixed shuffle tree), one thread adds a column's segments in order.
//  Stencil rows, one fused pass (pass_stencil): the rows are stored sorted by base (stable
//  counting sort; the original index is kept for messages and weights), events sharing a
//  base are cut into segments of PF_CU_SEG; a warp runs through a segment in rounds of 32
//  events: ln terms into per-lane partials (then a fixed shuffle tree per segment), and
//  lane t = a*16 + r*4 + c adds term t of every event in order.  The segments of a base
//  are added in order; u[g] adds the per-base partials that reach g in the fixed term order.
//  ln L partials (CSR chunks, stencil segments) go through the 256-wide tree again,
//  recursively, until one value is left.
#include <cuda_runtime.h>

#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <cmath>
#include <vector>

extern "C" {
#include "partonflow/cuda.h"
}
#include "partonflow/kernels/eventpass.h"
#include "cuda_util.h"

// (overridable only for the CPU emulation test, tests/gpu/emu, which shrinks them so that
// small inputs reach every level of the trees and groups of many segments)
#ifndef PF_CU_CHUNK
#define PF_CU_CHUNK 256  // events per ln L chunk = threads per pass-1 block (fixed; a power of 2)
#endif
#ifndef PF_CU_TPB
#define PF_CU_TPB 256    // threads per block of the other kernels (results do not depend on it)
#endif
#ifndef PF_CU_SEG
#define PF_CU_SEG 1024   // entries per u segment (fixed)
#endif

namespace {

__device__ __forceinline__ double ld(const double *p, size_t i) { return p[i]; }
__device__ __forceinline__ double ld(const float *p, size_t i) { return (double)p[i]; }

// Fixed pairwise tree over PF_CU_CHUNK values in shared memory; returns the sum in thread 0.
__device__ double chunk_tree(double *sh)
{
    for (int h = PF_CU_CHUNK / 2; h > 0; h >>= 1) {
        __syncthreads();
        if ((int)threadIdx.x < h) sh[threadIdx.x] += sh[threadIdx.x + h];
    }
    __syncthreads();
    return sh[0];
}

// Pass 1, CSR rows: d_i, ln term, s_i; chunk partial of ln L.
template <typename T>
__global__ void pass1_csr(size_t n, const uint64_t *row, const uint32_t *col, const T *val, const double *G,
                          const double *wt, size_t first, double *s, double *part,
                          unsigned long long *bad)
{
    __shared__ double sh[PF_CU_CHUNK];
    const size_t e = (size_t)blockIdx.x * PF_CU_CHUNK + threadIdx.x;
    double term = 0.0;
    if (e < n) {
        const double w = wt ? wt[e] : 1.0;
        double si = 0.0;
        if (w != 0.0) {
            double d;
            if constexpr (sizeof(T) == sizeof(double))
                d = pf_ev_dot_csr(col, (const double *)val, row[e], row[e + 1], G);
            else
                d = pf_ev_dot_csr_f32(col, (const float *)val, row[e], row[e + 1], G);
            if (!(d > 0.0))
                atomicMin(bad, (unsigned long long)(first + e));
            else {
                term = w * log(d);
                si = w / d;
            }
        }
        if (s) s[e] = si;
    }
    sh[threadIdx.x] = term;
    const double t = chunk_tree(sh);
    if (threadIdx.x == 0) part[blockIdx.x] = t;
}

// Stencil rows, one fused pass (rows sorted by base): one warp per segment of events that
// share the base B (seg_base).  Per round of 32 events lane l computes event e0 + l (d_i,
// its ln term into the lane's ln L partial, s_i); then, if u is wanted, the 32 s_j are
// broadcast in event order and lane t = a*16 + r*4 + c adds term t of each (the rows were
// just read by the warp, so the second read hits L1).  The segment's ln L is the lanes'
// partials through a fixed shuffle tree.  perm[e] is the original local index.
template <typename T>
__global__ void pass_stencil(size_t nseg, const uint64_t *seg, const uint32_t *seg_base, const T *sw, size_t rs,
                             const double *G, const double *wt, const uint32_t *perm, size_t first, int want_u,
                             double *seg_lnl, double *seg_part, unsigned long long *bad)
{
    const size_t w = ((size_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (w >= nseg) return;  // whole warps leave together (blockDim is a multiple of 32)
    const int a = lane >> 4, r = (lane >> 2) & 3, c = lane & 3;
    const uint64_t lo = seg[w], hi = seg[w + 1];
    const double *g0 = G + seg_base[w];
    double lacc = 0.0, uacc = 0.0;
    for (uint64_t e0 = lo; e0 < hi; e0 += 32) {
        const uint64_t e = e0 + (uint64_t)lane;
        double si = 0.0;
        if (e < hi) {
            const double wi = wt ? wt[e] : 1.0;
            if (wi != 0.0) {
                double swd[PF_EV_STW];
                for (int j = 0; j < PF_EV_STW; j++) swd[j] = ld(sw, e * PF_EV_STW + j);
                const double d = pf_ev_dot_stencil(swd, g0, rs);
                if (!(d > 0.0))
                    atomicMin(bad, (unsigned long long)(first + perm[e]));
                else {
                    lacc += wi * log(d);
                    si = wi / d;
                }
            }
        }
        if (want_u) {
            const int m = hi - e0 < 32 ? (int)(hi - e0) : 32;
            for (int j = 0; j < m; j++) {
                const double sj = __shfl_sync(0xffffffffu, si, j);
                const size_t o = (size_t)(e0 + (uint64_t)j) * PF_EV_STW;
                uacc += pf_ev_stencil_term3(sj, ld(sw, o + r), ld(sw, o + 8 + a), ld(sw, o + 4 + c));
            }
        }
    }
    for (int off = 16; off > 0; off >>= 1) lacc += __shfl_down_sync(0xffffffffu, lacc, off);
    if (lane == 0) seg_lnl[w] = lacc;
    if (want_u) seg_part[w * PF_EV_NTERM + lane] = uacc;
}

// The chunk tree over an array of partials: out[b] = tree(in[256 b ..]).
__global__ void reduce_chunks(size_t n, const double *in, double *out)
{
    __shared__ double sh[PF_CU_CHUNK];
    const size_t e = (size_t)blockIdx.x * PF_CU_CHUNK + threadIdx.x;
    sh[threadIdx.x] = e < n ? in[e] : 0.0;
    const double t = chunk_tree(sh);
    if (threadIdx.x == 0) out[blockIdx.x] = t;
}

// Pass 2, CSR: one warp per segment of a column of the transposed rows.
template <typename T>
__global__ void seg_csr(size_t nseg, const uint64_t *seg, const uint32_t *ev, const T *val, const double *s,
                        double *seg_part)
{
    const size_t w = ((size_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (w >= nseg) return;  // whole warps leave together (blockDim is a multiple of 32)
    double acc = 0.0;
    for (uint64_t k = seg[w] + lane; k < seg[w + 1]; k += 32) acc += pf_ev_csr_term(s[ev[k]], ld(val, k));
    for (int off = 16; off > 0; off >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, off);
    if (lane == 0) seg_part[w] = acc;
}

// Segments of a group in order: out[g * width + j] = sum_s seg_part[s * width + j].
__global__ void sum_groups(size_t ngroups, int width, const uint32_t *grp_seg, const uint32_t *grp_slot,
                           const double *seg_part, double *out)
{
    const size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= ngroups * (size_t)width) return;
    const size_t g = i / width;
    const int j = (int)(i % width);
    double acc = 0.0;
    for (uint32_t k = grp_seg[g]; k < grp_seg[g + 1]; k++) acc += seg_part[(size_t)k * width + j];
    out[(size_t)(grp_slot ? grp_slot[g] : g) * width + j] = acc;
}

// u[g] from the per-base partials P[B * 32 + t] of every base B = g - offset(t), in the
// fixed order t = 0 .. 31 (bases without events have P = 0; no parity is assumed of B).
__global__ void gather_stencil(size_t ngrid, size_t rs, const double *P, double *u)
{
    const size_t g = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (g >= ngrid) return;
    double acc = 0.0;
    for (int t = 0; t < PF_EV_NTERM; t++) {
        const size_t off = pf_ev_stencil_offset(t, rs);
        if (off <= g) acc += P[(g - off) * PF_EV_NTERM + t];
    }
    u[g] = acc;
}

unsigned nblocks(size_t n, unsigned per) { return (unsigned)((n + per - 1) / per); }

} // namespace

struct pf_cuda_like {
    size_t ngrid, n, nnz, first, rs, npart;  // npart: ln L partials (CSR chunks, stencil segments)
    int stencil, fp32;
    double L;
    std::vector<double> c;
    std::vector<uint32_t> perm;     // stencil: sorted position -> original local index
    // device
    // res = [ln L, bad event (bits of an unsigned long long), u[ngrid]]: one download
    double *G, *res, *u, *s, *wt, *part, *part2, *seg_part, *P;
    unsigned long long *bad;
    std::vector<double> hres;       // host copy of res
    uint64_t *row, *seg;            // CSR row pointers; segment starts (nseg + 1)
    uint32_t *col, *ev, *seg_base, *dperm, *grp_seg, *grp_slot;
    void *val, *tval, *sw;          // T: CSR values, transposed values, stencil weights
    size_t nseg, ngroups;
};

namespace {

int fail(pf_status *st, const char *what, cudaError_t e)
{
    return pf_status_set(st, PF_ECUDA, "pf_cuda_like_%s: %s", what, cudaGetErrorString(e));
}

template <typename X>
cudaError_t upload(X **dst, const X *src, size_t n)
{
    cudaError_t e = cudaMalloc((void **)dst, (n ? n : 1) * sizeof(X));
    if (e == cudaSuccess && n) e = cudaMemcpy(*dst, src, n * sizeof(X), cudaMemcpyHostToDevice);
    return e;
}

// T-typed copy of doubles (FP32 storage rounds to nearest).
cudaError_t upload_weights(void **dst, const double *src, size_t n, int fp32)
{
    if (!fp32) return upload((double **)dst, src, n);
    std::vector<float> f(n);
    for (size_t i = 0; i < n; i++) f[i] = (float)src[i];
    return upload((float **)dst, f.data(), n);
}

// Cut groups [gstart[g], gstart[g+1]) into PF_CU_SEG pieces.
void segments(const std::vector<uint64_t> &gstart, std::vector<uint64_t> &seg, std::vector<uint32_t> &grp_seg)
{
    const size_t ng = gstart.size() - 1;
    grp_seg.assign(ng + 1, 0);
    seg.clear();
    for (size_t g = 0; g < ng; g++) {
        grp_seg[g] = (uint32_t)seg.size();
        for (uint64_t k = gstart[g]; k < gstart[g + 1]; k += PF_CU_SEG) seg.push_back(k);
    }
    grp_seg[ng] = (uint32_t)seg.size();
    seg.push_back(gstart[ng]);
}

} // namespace

extern "C" void pf_cuda_like_destroy(pf_cuda_like *lk)
{
    if (!lk) return;
    void *p[] = {lk->G, lk->res, lk->s, lk->wt, lk->part, lk->part2, lk->seg_part, lk->P, lk->row,
                 lk->seg, lk->col, lk->ev, lk->seg_base, lk->dperm, lk->grp_seg, lk->grp_slot, lk->val, lk->tval,
                 lk->sw};
    for (void *q : p)
        if (q) cudaFree(q);
    delete lk;
}

extern "C" pf_cuda_like *pf_cuda_like_create(const pf_like_data *d, int fp32, pf_status *st)
{
    const int stencil = d && d->st_base;
    if (!d || !d->ngrid || !d->c || (d->nevents && !stencil && (!d->row_ptr || !d->col || !d->val)) ||
        (stencil && (!(d->st_w || d->st_loc) || !d->st_nx || (d->st_loc && !d->st_xf != !d->st_xpow)))) {
        pf_status_set(st, PF_EINVAL, "pf_cuda_like_create: incomplete likelihood data");
        return nullptr;
    }
    if (d->nF) { /* the response operator (F = M G, exact rows on G) has no device pass yet */
        pf_status_set(st, PF_EINVAL, "pf_cuda_like_create: the smeared detector's response operator (likelihood.h5 "
                                     "/response) has no device pass; run the fit on the CPU (--device cpu)");
        return nullptr;
    }
    if (d->nevents >= (1ull << 32) || d->ngrid >= (1ull << 32)) {
        pf_status_set(st, PF_EINVAL, "pf_cuda_like_create: %zu events on %zu grid values: expected < 2^32 each",
                      d->nevents, d->ngrid);
        return nullptr;
    }
    if (pf_cuda_device_count() == 0) {
        pf_status_set(st, PF_ECUDA, "pf_cuda_like_create: no CUDA device");
        return nullptr;
    }
    pf_cuda_like *lk = new pf_cuda_like();
    lk->ngrid = d->ngrid;
    lk->n = d->nevents;
    lk->first = d->first_event;
    lk->stencil = stencil;
    lk->fp32 = fp32 != 0;
    lk->L = d->luminosity;
    lk->c.assign(d->c, d->c + d->ngrid);
    const size_t n = lk->n, ng = lk->ngrid;
    std::vector<uint64_t> gstart, seg;
    std::vector<uint32_t> grp_seg, grp_slot;
    cudaError_t e = cudaSuccess;
    if (stencil) {
        lk->rs = 2 * d->st_nx;
        for (size_t i = 0; i < n; i++)
            if ((size_t)d->st_base[i] + 3 * lk->rs + 8 > ng) {
                pf_status_set(st, PF_EFORMAT, "pf_cuda_like_create: stencil of event %zu at %u leaves the grid of %zu",
                              d->first_event + i, d->st_base[i], ng);
                pf_cuda_like_destroy(lk);
                return nullptr;
            }
        // stable counting sort by base
        std::vector<uint64_t> cnt(ng + 1, 0);
        for (size_t i = 0; i < n; i++) cnt[d->st_base[i] + 1]++;
        for (size_t g = 0; g < ng; g++) cnt[g + 1] += cnt[g];
        std::vector<uint64_t> pos(cnt.begin(), cnt.end() - 1);
        lk->perm.resize(n);
        for (size_t i = 0; i < n; i++) lk->perm[pos[d->st_base[i]]++] = (uint32_t)i;
        std::vector<double> wsort(n * PF_EV_STW);
        for (size_t k = 0; k < n; k++) {
            const size_t i = lk->perm[k];
            if (d->st_w)
                memcpy(&wsort[k * PF_EV_STW], d->st_w + i * PF_EV_STW, PF_EV_STW * sizeof(double));
            else /* compact rows: expanded here (the CPU pass's function, the same bits) */
                pf_ev_stencil_expand(d->st_loc + i * PF_LIKE_STL, d->st_xf ? d->st_xf[i] : 1.0,
                                     d->st_xf ? d->st_xpow + (d->st_base[i] / 2) % d->st_nx : nullptr,
                                     &wsort[k * PF_EV_STW]);
        }
        for (size_t g = 0; g < ng; g++)
            if (cnt[g + 1] > cnt[g]) {
                gstart.push_back(cnt[g]);
                grp_slot.push_back((uint32_t)g);
            }
        gstart.push_back(n);
        segments(gstart, seg, grp_seg);
        lk->ngroups = grp_slot.size();
        std::vector<uint32_t> seg_base(seg.size() - 1);
        for (size_t g = 0; g < lk->ngroups; g++)
            for (uint32_t k = grp_seg[g]; k < grp_seg[g + 1]; k++) seg_base[k] = grp_slot[g];
        lk->npart = seg_base.size();
        if (e == cudaSuccess) e = upload(&lk->seg_base, seg_base.data(), seg_base.size());
        if (e == cudaSuccess) e = upload_weights(&lk->sw, wsort.data(), n * PF_EV_STW, lk->fp32);
        if (e == cudaSuccess) e = upload(&lk->dperm, lk->perm.data(), n);
        if (e == cudaSuccess) e = upload(&lk->grp_slot, grp_slot.data(), grp_slot.size());
        if (e == cudaSuccess) e = cudaMalloc((void **)&lk->P, ng * PF_EV_NTERM * sizeof(double));
        // bases without events stay 0; sum_groups overwrites the others at every evaluation
        if (e == cudaSuccess) e = cudaMemset(lk->P, 0, ng * PF_EV_NTERM * sizeof(double));
    } else {
        lk->nnz = n ? d->row_ptr[n] : 0;
        for (size_t k = 0; k < lk->nnz; k++)
            if (d->col[k] >= ng) {
                pf_status_set(st, PF_EFORMAT, "pf_cuda_like_create: weight %zu points at grid index %u >= %zu", k,
                              d->col[k], ng);
                pf_cuda_like_destroy(lk);
                return nullptr;
            }
        // transposed rows: per column, entries in event order (stable counting sort)
        gstart.assign(ng + 1, 0);
        for (size_t k = 0; k < lk->nnz; k++) gstart[d->col[k] + 1]++;
        for (size_t g = 0; g < ng; g++) gstart[g + 1] += gstart[g];
        std::vector<uint64_t> pos(gstart.begin(), gstart.end() - 1);
        std::vector<uint32_t> ev(lk->nnz);
        std::vector<double> tv(lk->nnz);
        for (size_t i = 0; i < n; i++)
            for (uint64_t k = d->row_ptr[i]; k < d->row_ptr[i + 1]; k++) {
                const uint64_t p = pos[d->col[k]]++;
                ev[p] = (uint32_t)i;
                tv[p] = d->val[k];
            }
        segments(gstart, seg, grp_seg);
        lk->ngroups = ng;
        lk->npart = (n + PF_CU_CHUNK - 1) / PF_CU_CHUNK;
        if (e == cudaSuccess) e = upload(&lk->row, d->row_ptr, n + 1);
        if (e == cudaSuccess) e = upload(&lk->col, d->col, lk->nnz);
        if (e == cudaSuccess) e = upload_weights(&lk->val, d->val, lk->nnz, lk->fp32);
        if (e == cudaSuccess) e = upload(&lk->ev, ev.data(), lk->nnz);
        if (e == cudaSuccess) e = upload_weights(&lk->tval, tv.data(), lk->nnz, lk->fp32);
    }
    lk->nseg = seg.size() - 1;
    const int width = stencil ? PF_EV_NTERM : 1;
    if (e == cudaSuccess) e = upload(&lk->seg, seg.data(), seg.size());
    if (e == cudaSuccess) e = upload(&lk->grp_seg, grp_seg.data(), grp_seg.size());
    if (e == cudaSuccess) e = cudaMalloc((void **)&lk->seg_part, (lk->nseg ? lk->nseg : 1) * width * sizeof(double));
    if (e == cudaSuccess) e = cudaMalloc((void **)&lk->G, ng * sizeof(double));
    if (e == cudaSuccess) e = cudaMalloc((void **)&lk->res, (2 + ng) * sizeof(double));
    if (e == cudaSuccess) {
        lk->bad = (unsigned long long *)(lk->res + 1);
        lk->u = lk->res + 2;
        lk->hres.resize(2 + ng);
    }
    if (e == cudaSuccess && !stencil) e = cudaMalloc((void **)&lk->s, (n ? n : 1) * sizeof(double));
    if (e == cudaSuccess) e = cudaMalloc((void **)&lk->part, (lk->npart ? lk->npart : 1) * sizeof(double));
    if (e == cudaSuccess) e = cudaMalloc((void **)&lk->part2, (lk->npart / PF_CU_CHUNK + 1) * sizeof(double));
    if (e != cudaSuccess) {
        pf_status_set(st, PF_ECUDA, "pf_cuda_like_create: %zu events: %s", n, cudaGetErrorString(e));
        pf_cuda_like_destroy(lk);
        return nullptr;
    }
    return lk;
}

extern "C" int pf_cuda_like_set_weights(pf_cuda_like *lk, const double *wt, pf_status *st)
{
    if (!wt) {
        if (lk->wt) cudaFree(lk->wt);
        lk->wt = nullptr;
        return PF_OK;
    }
    std::vector<double> w(lk->n);
    for (size_t i = 0; i < lk->n; i++) {
        const double x = wt[lk->stencil ? lk->perm[i] : i];
        if (!(x >= 0.0 && std::isfinite(x)))
            return pf_status_set(st, PF_EINVAL, "likelihood: event weight %zu is %g, expected finite >= 0",
                                 lk->first + (lk->stencil ? lk->perm[i] : i), x);
        w[i] = x;
    }
    if (!lk->wt) PF_CUDA_TRY(st, cudaMalloc((void **)&lk->wt, (lk->n ? lk->n : 1) * sizeof(double)), "pf_cuda_like_set_weights");
    if (lk->n)
        PF_CUDA_TRY(st, cudaMemcpy(lk->wt, w.data(), lk->n * sizeof(double), cudaMemcpyHostToDevice),
                    "pf_cuda_like_set_weights");
    return PF_OK;
}

namespace {

template <typename T>
void launch_pass(pf_cuda_like *lk, int want_u)
{
    const unsigned tpb = PF_CU_TPB;
    if (lk->stencil) {
        if (lk->nseg)
            PF_CU_LAUNCH(pass_stencil<T>, nblocks(lk->nseg * 32, tpb), tpb)(
                lk->nseg, lk->seg, lk->seg_base, (const T *)lk->sw, lk->rs, lk->G, lk->wt, lk->dperm, lk->first,
                want_u, lk->part, lk->seg_part, lk->bad);
        if (!want_u) return;
        if (lk->ngroups)
            PF_CU_LAUNCH(sum_groups, nblocks(lk->ngroups * PF_EV_NTERM, tpb), tpb)(
                lk->ngroups, PF_EV_NTERM, lk->grp_seg, lk->grp_slot, lk->seg_part, lk->P);
        PF_CU_LAUNCH(gather_stencil, nblocks(lk->ngrid, tpb), tpb)(lk->ngrid, lk->rs, lk->P, lk->u);
        return;
    }
    if (lk->npart)
        PF_CU_LAUNCH(pass1_csr<T>, (unsigned)lk->npart, PF_CU_CHUNK)(
            lk->n, lk->row, lk->col, (const T *)lk->val, lk->G, lk->wt, lk->first, want_u ? lk->s : nullptr,
            lk->part, lk->bad);
    if (!want_u) return;
    if (lk->nseg)
        PF_CU_LAUNCH(seg_csr<T>, nblocks(lk->nseg * 32, tpb), tpb)(lk->nseg, lk->seg, lk->ev, (const T *)lk->tval,
                                                                   lk->s, lk->seg_part);
    PF_CU_LAUNCH(sum_groups, nblocks(lk->ngrid, tpb), tpb)(lk->ngrid, 1, lk->grp_seg, nullptr, lk->seg_part, lk->u);
}

} // namespace

extern "C" int pf_cuda_like_eval(pf_cuda_like *lk, const double *G, double *lnl_ev, double *u, pf_status *st)
{
    // transfers: G up; [ln L, bad, u] down in one copy (each copy is a host round trip)
    cudaError_t e = cudaMemcpy(lk->G, G, lk->ngrid * sizeof(double), cudaMemcpyHostToDevice);
    if (e == cudaSuccess) e = cudaMemsetAsync(lk->bad, 0xff, sizeof(unsigned long long)); // "none"
    if (e != cudaSuccess) return fail(st, "eval", e);
    if (lk->fp32)
        launch_pass<float>(lk, u != nullptr);
    else
        launch_pass<double>(lk, u != nullptr);
    // ln L: the partials through the same tree until one value is left
    double *in = lk->part, *out = lk->part2;
    size_t m = lk->npart;
    while (m > 1) {
        const size_t mb = (m + PF_CU_CHUNK - 1) / PF_CU_CHUNK;
        PF_CU_LAUNCH(reduce_chunks, (unsigned)mb, PF_CU_CHUNK)(m, in, out);
        std::swap(in, out);
        m = mb;
    }
    e = cudaGetLastError();
    if (e == cudaSuccess)
        e = m == 1 ? cudaMemcpyAsync(lk->res, in, sizeof(double), cudaMemcpyDeviceToDevice)
                   : cudaMemsetAsync(lk->res, 0, sizeof(double));
    const size_t nres = 2 + (u ? lk->ngrid : 0);
    if (e == cudaSuccess) e = cudaMemcpy(lk->hres.data(), lk->res, nres * sizeof(double), cudaMemcpyDeviceToHost);
    if (e != cudaSuccess) return fail(st, "eval", e);
    unsigned long long bad;
    memcpy(&bad, &lk->hres[1], sizeof bad);
    if (bad != ~0ull)
        return pf_status_set(st, PF_EDOMAIN, "likelihood: expected density at event %llu is not positive", bad);
    *lnl_ev = lk->hres[0];
    if (u) memcpy(u, &lk->hres[2], lk->ngrid * sizeof(double));
    return PF_OK;
}

extern "C" int pf_cuda_like_events(pf_cuda_like *lk, const double *G, const double *dG, size_t np, double *lnl,
                                   double *grad, pf_status *st)
{
    std::vector<double> u(grad ? lk->ngrid : 0);
    double ev;
    int rc = pf_cuda_like_eval(lk, G, &ev, grad ? u.data() : nullptr, st);
    if (rc) return rc;
    // the normalisation and the small dense product, in pf_like_nexp's / pf_like_events' order
    double sc = 0.0;
    for (size_t g = 0; g < lk->ngrid; g++) sc += lk->c[g] * G[g];
    *lnl = ev - lk->L * sc;
    if (grad)
        for (size_t p = 0; p < np; p++) {
            const double *dp = dG + p * lk->ngrid;
            double t = 0.0;
            for (size_t g = 0; g < lk->ngrid; g++) t += dp[g] * (u[g] - lk->L * lk->c[g]);
            grad[p] = t;
        }
    return PF_OK;
}

extern "C" double pf_cuda_like_bytes(const pf_cuda_like *lk, int with_u)
{
    const double T = lk->fp32 ? 4.0 : 8.0, n = (double)lk->n, wt = lk->wt ? 8.0 * n : 0.0;
    if (lk->stencil) // one pass: the rows (the second read for u hits L1) and the weights
        return n * PF_EV_STW * T + wt;
    const double nnz = (double)lk->nnz;
    double b = 8.0 * (n + 1) + nnz * (4.0 + T) + wt;         // pass 1: row, col, val, wt
    if (with_u) b += 8.0 * n + nnz * (4.0 + T + 8.0);         // s written; pass 2: ev, tval, s gathered
    return b;
}
