/* partonflow: the fit as a library use case (docs/fitting.md; fit.h5 schema in
 * docs/artefacts.md).  Every front end (the CLI's `fit`, the Python package) calls these;
 * none of them maps parameters, evaluates ln L or writes fit.h5 itself.
 *
 * Two layers, as HOPPET's object and streamlined interfaces:
 *
 *   pf_fit_objective  the map  free parameters -> theta -> G, dG (ops) -> ln L, grad ln L
 *                     (like.h) for the event or histogram method, on the CPU or the
 *                     device (cuda.h); its fdf and metric are the minimiser's callbacks.
 *   pf_fit_problem    likelihood.h5 + the theory.h5 it was prepared with + the card the
 *                     events were simulated with (the truth); pf_fit_problem_run does
 *                     what `partonflow fit` does (start, minimise, errors, profile
 *                     intervals, x f curves, closure metrics) into a pf_fit_outcome, which
 *                     pf_fit_outcome_write stores as fit.h5. */
#ifndef PARTONFLOW_OBJECTIVE_H
#define PARTONFLOW_OBJECTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/card.h"
#include "partonflow/fit.h"
#include "partonflow/like.h"
#include "partonflow/progress.h"
#include "partonflow/status.h"

typedef struct pf_pdf pf_pdf;
typedef struct pf_ops pf_ops;
typedef struct pf_fit_objective pf_fit_objective;

enum { PF_FIT_EVENTS = 0, PF_FIT_HISTOGRAM = 1 };

/* ln L of lk over the theory ops with the parametrisation of pdf (cloned: its current
 * parameters are the values of the parameters that are not free).  idx: the nfree indices
 * of the free parameters in pf_pdf_nparams order, or NULL for all of them (nfree is then
 * ignored).  method: PF_FIT_EVENTS or PF_FIT_HISTOGRAM.  use_cuda: the event pass runs on
 * the device from a copy of lk's rows and weights, and the grid-value product on cuBLAS
 * (pf_ops_set_gemm, restored on destroy); PF_EINVAL with the histogram method.  lk and ops
 * are borrowed and must outlive the objective. */
pf_fit_objective *pf_fit_objective_create(pf_like *lk, pf_ops *ops, const pf_pdf *pdf, size_t nfree,
                                          const long *idx, int method, int use_cuda, pf_status *st);
void pf_fit_objective_destroy(pf_fit_objective *obj);

size_t pf_fit_objective_nfree(const pf_fit_objective *obj);
size_t pf_fit_objective_nparams(const pf_fit_objective *obj); /* all parameters of the pdf */
/* Free parameter k's index in pf_pdf_nparams order. */
long pf_fit_objective_index(const pf_fit_objective *obj, size_t k);
/* The values of all parameters (the non-free ones stay as set here). */
int pf_fit_objective_set_all(pf_fit_objective *obj, const double *theta_all, pf_status *st);
void pf_fit_objective_get_all(const pf_fit_objective *obj, double *theta_all);

/* f = -ln L and its gradient (nullable) at the free parameters th: pf_fit_fdf_fn.  A point
 * outside the parametrisation's allowed region is PF_EDOMAIN. */
int pf_fit_objective_fdf(void *obj, const double *th, double *f, double *grad, pf_status *st);
/* The binned expected information at th (like.h pf_fit_metric_fn); PF_EINVAL without a
 * histogram operator. */
int pf_fit_objective_metric(void *obj, const double *th, double *info, pf_status *st);
/* ln L (not its negative) and its gradient (nullable) at th. */
int pf_fit_objective_lnl(pf_fit_objective *obj, const double *th, double *lnl, double *grad, pf_status *st);
/* N_exp = L c . G and its gradient (nullable) at th. */
int pf_fit_objective_nexp(pf_fit_objective *obj, const double *th, double *nexp, double *grad, pf_status *st);
/* Event weights (NULL: all 1) or bootstrap replica K (K = 0: weights 1), on lk and on the
 * device copy. */
int pf_fit_objective_set_weights(pf_fit_objective *obj, const double *wt, pf_status *st);
int pf_fit_objective_bootstrap(pf_fit_objective *obj, uint64_t seed, uint64_t replica, pf_status *st);

/* ------------------------------------------------------------ the fit use case --- */
typedef struct pf_fit_problem pf_fit_problem;

/* Opens likelihood.h5 (rows = 0: without the event rows, histogram method only) and the
 * theory.h5 it was prepared with (theory: nullable, in place of the one it names; the
 * checksums must agree), and the card stored in likelihood.h5 (the truth).  Collective
 * under MPI. */
pf_fit_problem *pf_fit_problem_open(const char *likelihood, const char *theory, int rows, pf_status *st);
void pf_fit_problem_close(pf_fit_problem *p);
pf_like *pf_fit_problem_like(pf_fit_problem *p);
pf_ops *pf_fit_problem_ops(pf_fit_problem *p);
const pf_like_info *pf_fit_problem_info(const pf_fit_problem *p);
const char *pf_fit_problem_path(const pf_fit_problem *p); /* the likelihood.h5 it read */
const pf_card *pf_fit_problem_card(const pf_fit_problem *p); /* the stored (truth) card */
const pf_pdf *pf_fit_problem_pdf(const pf_fit_problem *p);   /* parameters at the truth */
/* Event weights back to 1 (after weights set on pf_fit_problem_like directly). */
int pf_fit_problem_reset_weights(pf_fit_problem *p, pf_status *st);

#define PF_FIT_NXPLOT 60 /* x f curves and MSE: log-spaced in [1e-3, 0.9] */

typedef struct pf_fit_config {
    const pf_card *card;     /* fit section: free parameters, start */
    const char *card_label;  /* names the card in messages (its path) */
    int method;              /* PF_FIT_EVENTS or PF_FIT_HISTOGRAM */
    const char *device;      /* NULL: cuda when built with it and a device is present, else
                                cpu (histogram and MPI runs: cpu); "cpu"; "cuda" */
    size_t replica;          /* 0 or a bootstrap replica K >= 1 */
    int max_iter;            /* 0: the minimiser's default */
    const char *start_from;  /* nullable: a converged fit.h5 of the same free parameters */
    int profile;             /* 1: profile-likelihood intervals, pulls from them */
    int inputs_only;         /* 1 (tests/fuzz): read and check the inputs, evaluate -ln L once at
                                the start, no minimisation; the outcome is not to be written */
    pf_progress_fn progress; /* nullable (progress.h), called on rank 0 only: the minimiser's
                                stages (fit.h pf_fit_options.progress), then with profile
                                intervals the stage "profile intervals" counting parameters */
    void *progress_ctx;
} pf_fit_config;

void pf_fit_config_default(pf_fit_config *cfg);

/* Everything fit.h5 holds. */
typedef struct pf_fit_outcome {
    pf_fit_result res;
    size_t nfree;
    char names[PF_FIT_NMAX * PF_PARAM_NAME_LEN]; /* "uv.a,uv.b,..." */
    double truth[PF_FIT_NMAX], start[PF_FIT_NMAX], pull[PF_FIT_NMAX], pull_hessian[PF_FIT_NMAX];
    double err_lo[PF_FIT_NMAX], err_hi[PF_FIT_NMAX]; /* profile intervals (profile && converged) */
    /* profile && converged: the signed root of the profile likelihood ratio at each
     * parameter's truth (fit.h pf_fit_profile_at; NaN where not found), and q_truth =
     * 2 (-ln L(truth) + ln L(best)), all free parameters at the truth */
    double z_truth[PF_FIT_NMAX], q_truth;
    int profile;
    char profile_status[512];
    long profile_evaluations;
    double profile_seconds;
    int profile_refits;       /* minimisations started again from a profile point below the
                                 best fit (at most PF_FIT_MAX_REFITS) */
    double refit_gain;        /* -ln L they gained, in all */
    int method;
    size_t replica, nevents;
    uint64_t seed;
    char start_kind[64];
    char start_from[512];
    char device[300];
    double mse, n_expected_truth, n_expected_fit;
    double mu0;
    double x[PF_FIT_NXPLOT];
    double xf_fit_mu0[PF_FIT_NXPLOT * PF_NIN], xf_true_mu0[PF_FIT_NXPLOT * PF_NIN]; /* [i][j] */
    double xf_fit[2 * PF_FIT_NXPLOT * PF_NOUT], xf_true[2 * PF_FIT_NXPLOT * PF_NOUT]; /* 10, 100 GeV^2 */
    char fitted_flavours[256];
    size_t nbins;             /* 0: no /hist */
    double *hist_observed, *hist_expected; /* nbins (malloc'd) */
    pf_prep_bins bins;
} pf_fit_outcome;

void pf_fit_outcome_free(pf_fit_outcome *o);

/* The fit of `partonflow fit`; the likelihood keeps the weights of cfg->replica (1 for
 * replica 0) afterwards.  Returns PF_OK when converged, PF_ENOCONV when not (out is
 * complete, with res.converged = 0), another code on an error (out freed). */
int pf_fit_problem_run(pf_fit_problem *p, const pf_fit_config *cfg, pf_fit_outcome *out, pf_status *st);

/* fit.h5 (schema "partonflow.fit" v1), atomically; card: the --card (stored in /meta with
 * command_line and the seed).  Collective under MPI. */
int pf_fit_outcome_write(const pf_fit_outcome *o, const pf_card *card, const char *command_line,
                         const char *path, pf_status *st);

#define PF_FIT_SCHEMA "partonflow.fit"
#define PF_FIT_SCHEMA_VERSION 1

/* --start-from: the best fit and Hessian (nfree, nfree x nfree, malloc'd) of a converged
 * fit.h5 whose free parameters are `names` ("a,b,..."); messages name path and label. */
int pf_fit_read_start(const char *path, size_t nfree, const char *names, const char *label, double **theta,
                      double **hess, pf_status *st);

#endif
