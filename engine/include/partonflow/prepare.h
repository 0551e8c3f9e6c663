/* The prepare use case: likelihood.h5 (event rows, normalisation, histogram operators)
 * from theory.h5 and an events file, as `partonflow prepare` and any other front end run
 * it (docs/artefacts.md "likelihood.h5", docs/fitting.md).  The events are a partonflow
 * events.h5 (its card gives the detector model and the truth) or an external events file
 * (sim.h pf_events_external_read; then `card` is required).  MPI: every rank calls it. */
#ifndef PARTONFLOW_PREPARE_H
#define PARTONFLOW_PREPARE_H

#include <stddef.h>

#include "partonflow/card.h"
#include "partonflow/progress.h"
#include "partonflow/status.h"

/* What a campaign of many events files against one theory.h5 reuses between calls
 * (`prepare --seeds`): the theory grid read from theory.h5 (kept while the file's device,
 * inode, size and modification time stay the same) and the smeared detector's response
 * operator M (kept while the theory checksum, the detector model and the generation region
 * are the same: M depends on nothing else).  The likelihood.h5 written is the same bits with
 * and without it.  Not shared between threads; NULL in pf_prepare_config: no reuse. */
typedef struct pf_prepare_cache pf_prepare_cache;
pf_prepare_cache *pf_prepare_cache_create(void);
void pf_prepare_cache_destroy(pf_prepare_cache *c);
/* operators built and reused so far (tests, reports) */
void pf_prepare_cache_counts(const pf_prepare_cache *c, size_t *built, size_t *reused);

typedef struct pf_prepare_config {
    const char *theory, *events, *out; /* paths; out is written under a temporary name */
    const pf_card *card;               /* nullable: fit.bins (and fit) for simulated events;
                                          detector, kinematics and truth for external ones */
    const char *card_label;            /* names the card in messages (its path) */
    int exact_rows;                    /* smeared detector: 1 = every event's folded CSR row,
                                          0 = the response operator (where it applies) */
    size_t nverify;                    /* response operator: compare the first N events'
                                          densities with their exact rows (report) */
    const char *command_line;          /* stored in /meta */
    int inputs_only;                   /* tests/fuzz: read and use the inputs, write nothing */
    pf_progress_fn progress;           /* nullable (progress.h): the stages reading inputs,
                                          response operator (smeared detector; nodes), event
                                          rows (events), normalisation, writing */
    void *progress_ctx;
    pf_prepare_cache *cache;           /* nullable: reuse between calls (above) */
} pf_prepare_config;

typedef struct pf_prepare_report {
    size_t nacc, ngen, ngrid, nbins;   /* accepted events (the likelihood's), events read */
    double t_read, t_rows, t_norm, t_write; /* seconds */
    int smeared, response;
    char exact_because[160];           /* non-empty: the response operator was not used
                                          because the generation region is tighter than the
                                          derived one in these bounds */
    size_t m_nt, m_nz, m_used, m_nnz;  /* the response operator M */
    size_t m_pnt, m_pnz;               /* its high-x patch (0: none) */
    size_t rows_total, nnz_total;      /* CSR rows written (all events, or the exact ones) */
    size_t verified;                   /* nverify: events compared; |response/exact - 1| */
    double verify_q[5];                /*   median, 90 %, 99 %, 99.9 %, max */
    size_t verify_over;                /*   events above 1e-5 */
    double verify_worst_x, verify_worst_q2; /* the reconstructed point of the largest one */
} pf_prepare_report;

int pf_prepare_run(const pf_prepare_config *cfg, pf_prepare_report *rep, pf_status *st);

#endif
