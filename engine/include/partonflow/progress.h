/* partonflow: how a long use case (prepare, fit) tells its front end how far it is.
 *
 * The library never prints (status.h): a use case that takes seconds calls a nullable
 * callback that the front end passes in its options (pf_prepare_config, pf_fit_config,
 * pf_fit_options), and the front end decides what to show; the CLI prints one line on
 * stderr at most every second (engine/apps/cli_util.c pf_cli_progress), the Python package
 * passes none.  The callback is called on MPI rank 0 only, from the calling thread and
 * never inside a parallel region, and it must not change anything the library computes:
 * artefacts are bitwise the same with and without it. */
#ifndef PARTONFLOW_PROGRESS_H
#define PARTONFLOW_PROGRESS_H

#include <math.h>
#include <stdint.h>

typedef struct pf_progress {
    const char *stage;    /* what is being done ("event rows", "minimisation", "Hessian"), or
                             NULL for a use case of one stage */
    const char *unit;     /* what done and total count ("events", "evaluations"), or NULL for
                             a stage reported only when it starts and when it ends */
    uint64_t done, total; /* units done so far; total 0: not known in advance (a minimiser) */
    int final;            /* 1: the stage has ended (the last report of it) */
    long iterations;      /* minimiser stages: iterations so far; -1 elsewhere */
    double f, edm;        /* minimiser stages: -ln L at the current iterate and its estimated
                             distance to the minimum (EDM); NaN where not known */
} pf_progress;

typedef void (*pf_progress_fn)(void *ctx, const pf_progress *p);

/* A report of a stage without minimiser fields. */
static inline pf_progress pf_progress_stage(const char *stage, const char *unit, uint64_t done, uint64_t total,
                                            int final)
{
    pf_progress p = {stage, unit, done, total, final, -1, NAN, NAN};
    return p;
}

#endif
