/* partonflow: the extended unbinned likelihood and the binned Poisson likelihood as linear
 * operators on the theory grid values G (ARCHITECTURE.md, "theory as linear operators";
 * docs/fitting.md).
 *
 * After `prepare`, event i is a sparse, theta-independent row w_i with
 *     expected density at the reconstructed (x, Q^2) of event i  =  L * w_i . G(theta)
 * (L: luminosity, pb^-1; w_i . G in pb/GeV^2 per unit of the reconstructed variables), and
 *     expected number of accepted events  N_exp = L * c . G(theta).
 * The extended unbinned likelihood (R. Barlow, NIM A297 (1990) 496, eq. 2), dropping the
 * theta-independent sum_i wt_i ln L:
 *     ln L   = sum_i wt_i ln(w_i . G) - L c . G
 *     grad   = dG (u - L c),   u = W^T s,  s_i = wt_i / (w_i . G)
 * wt_i = 1, or a bootstrap weight (Poisson(1), one per event).  u is grid-sized and is
 * accumulated in the one pass over the events; the rest is a small dense product.
 *
 * Binned: n_b observed (weighted) events in bin b of reconstructed (ln x, ln Q^2),
 * mu_b = L * H_b . G expected; ln L = sum_b [n_b ln mu_b - mu_b] (ln n_b! dropped),
 * grad = dG v,  v = sum_b (n_b / mu_b - 1) L H_b.
 *
 * Determinism: events are taken in fixed blocks of PF_LIKE_BLOCK consecutive global
 * events; each block is summed sequentially (stencil rows in the order of their stencil
 * bases, a stable sort made at create from the block's rows alone) and the block partials ([ln L part, u]) are
 * combined in global block order (pf_par_sum_blocks).  Threads and MPI ranks only decide
 * who computes which block, so the value and gradient are bitwise identical for any
 * decomposition that gives every rank whole blocks (pf_like_range). */
#ifndef PARTONFLOW_LIKE_H
#define PARTONFLOW_LIKE_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/like_data.h"
#include "partonflow/status.h"

typedef struct pf_like pf_like;


/* Block-aligned contiguous event range of one rank. */
void pf_like_range(size_t nevents_total, int rank, int size, size_t *begin, size_t *end);

pf_like *pf_like_create(const pf_like_data *d, pf_status *st);
/* The same, but the CSR rows d->col and d->val (malloc'd) become the likelihood's instead
 * of being copied (1e6 smeared events: 2.2 GB): on success the caller must not free them,
 * on failure (NULL) they are still the caller's. */
pf_like *pf_like_create_take(const pf_like_data *d, pf_status *st);
void pf_like_destroy(pf_like *lk);

size_t pf_like_ngrid(const pf_like *lk);
/* Bytes of this rank's event rows as held for the event pass, which reads them once per
 * evaluation (lane groups: 333 per group of up to 4 events; whole stencil rows 84 per
 * event; compact 36-44; CSR 8 per weight, 8 per run, 16 per event): bench's traffic floor. */
size_t pf_like_row_bytes(const pf_like *lk);
/* For tests: on = 1 makes the lane-order passes use their baseline instance (C's fma per
 * lane) where the AVX2+FMA one would run, 0 restores the choice; returns the previous
 * setting (1 where there is only the baseline).  Both give the same bits. */
int pf_like_kernel_baseline(int on);
size_t pf_like_nbins(const pf_like *lk);

/* Event weights wt_i for this rank's events (NULL: all 1).  Histogram counts n_b are the
 * weighted sums of the events in each bin (global, reduced in block order). */
int pf_like_set_weights(pf_like *lk, const double *wt, pf_status *st);
/* Bootstrap replica K >= 1: wt_i = Poisson(1) from pf_rng_uniform(seed, (K << 40) | i, 0)
 * for global event index i (inversion of the Poisson(1) CDF); K = 0 restores weights 1. */
int pf_like_bootstrap(pf_like *lk, uint64_t seed, uint64_t replica, pf_status *st);
/* The Poisson(1) deviate of one uniform (CDF inversion), exposed for tests. */
int pf_like_poisson1(double u);

/* The rows and vectors held for this rank (pointers into lk, valid while it lives and its
 * weights do not change), e.g. to make the device copy (cuda.h pf_cuda_like_create); *wt
 * (nullable) gets the event weights, NULL when all are 1.  Stencil rows are held in the
 * order of their stencil bases within each block (pf_like_event_index maps a held position
 * back); the per-event arrays of the view (rows, bins, weights) share that order. */
void pf_like_view(const pf_like *lk, pf_like_data *d, const double **wt);
/* The view with the event rows: whole stencil rows are held transposed in groups for the
 * event pass (like.c lanes_build; the plain view then has neither st_w nor st_loc), so this
 * rebuilds them once into a copy that lk keeps (80 bytes per event) for consumers of the
 * rows such as the device copy; PF_ENOMEM when that cannot be allocated. */
int pf_like_view_rows(pf_like *lk, pf_like_data *d, const double **wt, pf_status *st);
/* This rank's event weights in the caller's order (lk's nevents values). */
void pf_like_weights(const pf_like *lk, double *wt);
/* The global event index (the caller's order) of held position i. */
size_t pf_like_event_index(const pf_like *lk, size_t i);

/* Observed (weighted) histogram counts n_b, global: nbins values. */
const double *pf_like_counts(const pf_like *lk);

/* ln L of the unbinned extended likelihood and its gradient (nullable) with respect to
 * the np parameters whose grid derivatives are dG[p * ngrid + g] (nullable when grad is
 * NULL).  A non-positive density at an event with non-zero weight is PF_EDOMAIN; a
 * likelihood created binned_only is PF_EINVAL.  Collective under MPI. */
int pf_like_events(pf_like *lk, const double *G, const double *dG, size_t np, double *lnl,
                   double *grad, pf_status *st);
/* The binned Poisson likelihood, same conventions. */
int pf_like_histogram(pf_like *lk, const double *G, const double *dG, size_t np, double *lnl,
                      double *grad, pf_status *st);
/* The expected (Fisher) information of the binned likelihood at G, dG (np parameters):
 *     I_pq = sum_b (L H_b . dG_p) (L H_b . dG_q) / (L H_b . G)     (bins with L H_b . G > 0)
 * It is the expected Hessian of -ln L for --method histogram and, for fine bins, close to
 * that of the unbinned likelihood (binning only loses information); positive
 * semi-definite by construction and independent of the data and their weights, so the
 * minimiser uses it as the metric of its scoring steps (fit.h).  fisher: np x np.
 * PF_EINVAL without a histogram operator. */
int pf_like_fisher_binned(const pf_like *lk, const double *G, const double *dG, size_t np, double *fisher,
                          pf_status *st);
/* N_exp = L c . G and its gradient L dG c (nullable): the normalisation alone. */
void pf_like_nexp(const pf_like *lk, const double *G, const double *dG, size_t np, double *nexp,
                  double *grad);

#endif
