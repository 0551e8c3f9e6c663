/* partonflow: what a likelihood is made of (the event rows, the response operator, the
 * normalisation and histogram operators), as the CPU pass (like.h) and the device pass
 * (cuda.h) both take it.  A plain data layout with no dependencies, so that modules below
 * fit (cuda) need no fit header; the likelihood itself and its maths are in like.h. */
#ifndef PARTONFLOW_LIKE_DATA_H
#define PARTONFLOW_LIKE_DATA_H

#include <stddef.h>
#include <stdint.h>

/* Events per summation block: a multiple of PF_PAR_BLOCK, large enough that the block
 * partials (one grid-sized vector each) cost little next to the event pass. */
#define PF_LIKE_BLOCK 65536
#define PF_LIKE_STW 10 /* doubles per factored (stencil) row */
#define PF_LIKE_STL 4  /* doubles per compact stencil row in likelihood.h5 (/events/stencil_local): the
                          local coordinates u_row, u_col of the cubic weights, then f2, fl */

/* What a likelihood is made of (copied by pf_like_create; pf_like_create_take takes the CSR rows).  Event rows are this rank's
 * events [first_event, first_event + nevents) of nevents_total; first_event must be a
 * multiple of PF_LIKE_BLOCK and nevents too unless the range ends at nevents_total. */
typedef struct pf_like_data {
    size_t ngrid;                 /* length of G */
    size_t nevents_total, first_event, nevents;
    const uint64_t *row_ptr;      /* nevents + 1, row_ptr[0] = 0 (local CSR) */
    const uint32_t *col;          /* row_ptr[nevents] grid indices */
    const double *val;            /* row_ptr[nevents] weights (pb/GeV^2 per unit G) */
    /* Perfect detector, factored rows (instead of CSR; row_ptr/col/val then NULL): the
     * 4 x 4 bicubic stencil of ops on the interleaved (F2, FL) grid,
     *   w_i . G = sum_r wr[r] sum_c wc[c] (f2 G[B + 2c] + fl G[B + 2c + 1]),
     *   B = base_i + 2 r nx,
     * with st_w[i*PF_LIKE_STW ..] = wr[0..3], wc[0..3], f2, fl: 84 bytes per event in
     * place of 32 x 12 (docs/performance.md: the event pass is memory bound). */
    const uint32_t *st_base;      /* nevents: grid index of the stencil's first value */
    const double *st_w;           /* nevents x PF_LIKE_STW, or NULL with st_loc: */
    /* the same rows in compact form (likelihood.h5 /events/stencil_local), which the CPU
     * pass expands per event (kernels/eventpass.h pf_ev_stencil_expand: the same bits as
     * st_w) and so reads 32 bytes per event instead of 80: nevents x PF_LIKE_STL (ur, uc,
     * f2, fl); with a theory grid's x factors also st_xf (nevents: the point's factor) and
     * st_xpow (st_nx: the columns' factors), else both NULL */
    const double *st_loc;
    const double *st_xf;
    const double *st_xpow;
    size_t st_nx;                 /* x nodes per Q^2 row of the grid */
    /* compact rows: 1 lets pf_like_create form the weights once and hold them whole (in
     * lane groups where the runs of one base are long, like.c lanes_build; 84-87 bytes per
     * event, transiently ~128 with the compact rows), 0 keeps them compact (the pass forms
     * them per event); the same bits either way */
    int st_expand;
    /* Smeared detector, response operator (docs/fitting.md): when nF > 0 the stencil rows
     * address F = M G (nF values, st_nx columns per row) instead of G; M is CSR with nF
     * rows (m_ptr: nF + 1) over the ngrid theory values.  ln L's gradient takes
     * u_G = M^T u_F.  Every rank holds all of M.
     * Events where interpolating F is not accurate enough (response reaching across a
     * flavour threshold, prepare_reco.c) keep exact CSR rows on G instead: x_n of this
     * rank's events, local indices x_event (ascending), rows x_ptr (x_n + 1, from 0),
     * x_col, x_val; their stencil rows are not used.  The pass then accumulates
     * [ln L | u_F | u_G] per block and the gradient takes u_G + M^T u_F. */
    size_t nF;
    const uint64_t *m_ptr;
    const uint32_t *m_col;
    const double *m_val;
    size_t x_n;
    const uint64_t *x_event;
    const uint64_t *x_ptr;
    const uint32_t *x_col;
    const double *x_val;
    const int32_t *bin;           /* nevents: histogram bin of the event, -1 outside; nullable */
    const double *c;              /* ngrid: normalisation vector */
    double luminosity;            /* pb^-1 */
    size_t nbins;                 /* histogram bins (0: no histogram method) */
    const double *H;              /* nbins x ngrid, dense: L * H_b . G = expected count in b */
    int binned_only;              /* 1: no event rows (row_ptr, col, val, st_* NULL): only the
                                     histogram likelihood, which needs bin, H and c */
} pf_like_data;

#endif
