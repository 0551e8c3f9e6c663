/* prepare's progress inside its row loops (prepare_run.c -> prepare_smear.c, prepare_reco.c):
 * the rows of this rank reported as a share of `base.total` (all ranks' rows), so that rank
 * 0 speaks for the whole run as simulate does.  fn NULL: no reports. */
#ifndef PARTONFLOW_FIT_PREPARE_PROGRESS_H
#define PARTONFLOW_FIT_PREPARE_PROGRESS_H

#include <stddef.h>

#include "partonflow/fit.h"
#include "partonflow/progress.h"

typedef struct pf_prep_progress {
    pf_progress_fn fn;
    void *ctx;
    pf_progress base; /* stage, unit, total of the report */
} pf_prep_progress;

/* rows [0, done) of n computed (between chunks, outside any parallel region); the last
 * chunk is left to the caller's final report of the stage, which would repeat it */
static inline void pf_prep_progress_rows(const pf_prep_progress *pr, size_t done, size_t n)
{
    if (!pr || !pr->fn || done >= n) return;
    pf_progress p = pr->base;
    p.done = (uint64_t)((double)pr->base.total * ((double)done / (double)n));
    if (p.done > p.total) p.done = p.total;
    pr->fn(pr->ctx, &p);
}

/* pf_prep_events_smeared, pf_prep_response_rows (qseg NULL) and pf_prep_response_make
 * (fit.h) with progress (pr nullable) */
int pf_prep_events_smeared_progress(const pf_ops *ops, const pf_det_params *d, const double *gen, size_t n,
                                    const double *x, const double *q2, uint64_t *row_ptr, uint32_t **col,
                                    double **val, const pf_prep_progress *pr, pf_status *st);
int pf_prep_response_rows_progress(const pf_ops *ops, const pf_det_params *d, const double *gen, const uint8_t *use,
                                   size_t n, const double *x, const double *q2, uint64_t *row_ptr, uint32_t **col,
                                   double **val, const pf_prep_progress *pr, pf_status *st);
int pf_prep_response_make_progress(const pf_ops *ops, const pf_det_params *d, const double *gen,
                                   pf_prep_response *r, const pf_prep_progress *pr, pf_status *st);

#endif
