/* partonflow: the minimiser, the Hessian uncertainties, `prepare` and likelihood.h5
 * (docs/fitting.md; schemas in docs/artefacts.md).
 *
 * The minimiser is independent of the physics: it minimises any f(theta) = -ln L with an
 * exact gradient (GSL multimin, vector BFGS2: R. Fletcher, "Practical Methods of
 * Optimization", 2nd ed., algorithm 2.6.2 with the line search of section 2.6), and the
 * uncertainties come from the Hessian of f at the minimum, taken by central differences of
 * the exact gradient: cov = H^-1 (F. James, "Statistical Methods in Experimental Physics",
 * 2nd ed., section 7.2; -ln L rises by 1/2 at one standard deviation). */
#ifndef PARTONFLOW_FIT_H
#define PARTONFLOW_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/card.h"
#include "partonflow/detector.h"
#include "partonflow/kernels/interp.h"
#include "partonflow/like.h"
#include "partonflow/progress.h"
#include "partonflow/status.h"

#define PF_FIT_NMAX 64 /* most free parameters (card.h PF_FIT_MAX_FREE) */
/* Two ends of a fit whose -ln L differ by less than this are the same minimum (a half
 * unit is one standard deviation; the rounding floor of -ln L is far below) */
#define PF_FIT_SAME_MIN 1e-2
/* profile intervals: minimisations started again from a profile point below the best fit
 * (fit_run.c, docs/fitting.md "Uncertainties") */
#define PF_FIT_MAX_REFITS 3

/* f = -ln L and its gradient (nullable) at theta; a non-zero return is an error (st set),
 * except PF_EDOMAIN, which the minimiser treats as "outside the allowed region" (f = +inf). */
typedef int (*pf_fit_fdf_fn)(void *ctx, const double *theta, double *f, double *grad, pf_status *st);

/* A positive (semi-)definite approximation of the Hessian of f at theta (n x n), e.g. the
 * expected Fisher information (like.h pf_like_fisher_binned): the metric of the scoring
 * steps.  Non-zero return: not available there (the minimiser then uses BFGS alone). */
typedef int (*pf_fit_metric_fn)(void *ctx, const double *theta, double *metric, pf_status *st);

typedef struct pf_fit_options {
    int max_iter;        /* default 500: scoring steps + BFGS iterations + Newton steps */
    double gtol;         /* converged when EDM = g^T H^-1 g / 2 < gtol^2 / 2 (default 1e-3) with H
                            the Hessian at the best fit: the distance to the minimum is below
                            gtol standard deviations */
    double bfgs_gtol;    /* BFGS phase ends when |grad_z f|_2 < bfgs_gtol (default 1e-2), z the
                            parameters preconditioned with the start Hessian H0 (theta =
                            theta0 + T z, T^T H0 T = 1): |grad_z| ~ distance in sigmas */
    double step;         /* first trial step of the line search in z; 0 (default): |grad_z| at
                            the start, the Newton step of the preconditioned problem */
    double line_tol;     /* BFGS2 line-search curvature tolerance (default 0.9) */
    double hess_step;    /* central-difference step of the Hessian, relative to the
                            parameter's error estimate (default 1e-3) */
    const double *hess0; /* n x n Hessian of f near the start (e.g. the central fit's for a
                            bootstrap replica), or NULL: forward differences at the start */
    pf_fit_metric_fn metric; /* nullable: scoring steps theta -= I^-1 g with I = metric(theta)
                            before the BFGS phase (same ctx as fn) */
    int max_scoring;     /* most scoring steps (default 50) */
    const double *restart; /* nullable, n values: a second start.  When the fit from `start`
                            converges it is run again from here, and an end lower by more than
                            PF_FIT_SAME_MIN is the result, its message saying that the given
                            start ended at a local minimum (start_excess); a lower end that did
                            not converge makes the fit not converged (docs/fitting.md) */
    double *lower;       /* nullable, n + 1 values, output of the profile functions below: the
                            lowest point (theta, then f) a profile fit found below the best
                            fit's f_min, i.e. evidence that `best` is not the minimum (the
                            caller sets lower[n] = NaN first; it stays NaN when none was) */
    pf_progress_fn progress; /* nullable (progress.h): after every evaluation of f, stage
                            "minimisation" ("minimisation (restart)" from `restart`) counting
                            evaluations, with the iterations, f and EDM so far, or "Hessian"
                            counting columns of the finite differences.  Set it on rank 0 only */
    void *progress_ctx;
} pf_fit_options;

void pf_fit_options_default(pf_fit_options *opt);

/* fit.h5's structure as --start-from reads it (h5.h pf_h5_check; symbol n_free preset by
 * the caller) */
struct pf_h5_schema;
extern const struct pf_h5_schema pf_fit_file_schema;

typedef struct pf_fit_result {
    size_t n;
    double *theta;       /* n: best fit */
    double *err;         /* n: sqrt(diag cov) */
    double *cov, *corr;  /* n x n */
    double *hess;        /* n x n, of f = -ln L */
    double fmin;         /* -ln L at the best fit */
    double edm;          /* estimated distance to minimum, g^T cov g / 2 */
    double gnorm;        /* |grad f| at the best fit */
    int converged;       /* 1: gradient test passed and the Hessian is positive definite */
    int iterations;
    long nfev;           /* evaluations of f (with or without gradient); set on failure too */
    size_t nhist;        /* convergence history: one entry per iteration (0 = start) */
    double *hist_f, *hist_gnorm; /* nhist */
    double *hist_theta;  /* nhist x n */
    double start_excess; /* with opt.restart: -ln L at the given start's end minus the
                            result's (0: the same minimum, or no restart) */
    char message[512];   /* why it stopped */
} pf_fit_result;

void pf_fit_result_free(pf_fit_result *r);

/* Minimises f from `start`.  Fills res (allocated here, free with pf_fit_result_free).
 * Returns PF_OK when converged, PF_ENOCONV when not (res is complete and says why),
 * another code on an error of fn. */
int pf_fit_minimize(size_t n, const double *start, pf_fit_fdf_fn fn, void *ctx, const pf_fit_options *opt,
                    pf_fit_result *res, pf_status *st);

/* Hessian of f at theta by central differences of the exact gradient with steps h[p],
 * symmetrised: H[p][q] = (dg_q/dtheta_p + dg_p/dtheta_q) / 2. */
int pf_fit_hessian(size_t n, const double *theta, const double *h, pf_fit_fdf_fn fn, void *ctx, double *H,
                   pf_status *st);
/* cov = H^-1 (Cholesky), err, corr; PF_ENOCONV when H is not positive definite. */
int pf_fit_covariance(size_t n, const double *H, double *cov, double *err, double *corr, pf_status *st);

/* Profile-likelihood (MINOS-like) interval of parameter k around the converged fit `best`
 * (theta, err, cov, hess of pf_fit_minimize): *lo, *hi > 0 such that the minimum of f over
 * the other parameters at theta_k = theta_k - *lo and theta_k + *hi is f_min + 1/2, to
 * 1e-3 standard deviations (profile.c; docs/fitting.md).  Each profile point is a
 * pf_fit_minimize over the other n - 1 parameters with opt (NULL: defaults; opt->metric,
 * if set, is restricted to them).  *nfev: evaluations of fn.  Returns PF_OK, or
 * PF_ENOCONV when an end was not found (that end NaN, `why` says which and why: the
 * allowed region ends first, a profile fit did not converge, or the profile fell below
 * f_min, i.e. best was not the minimum); another code on an error of fn. */
int pf_fit_profile_interval(size_t n, const pf_fit_result *best, size_t k, pf_fit_fdf_fn fn, void *ctx,
                            const pf_fit_options *opt, double *lo, double *hi, long *nfev, char *why,
                            size_t whylen, pf_status *st);

/* The signed root of the profile likelihood ratio at theta_k = t (profile.c): *z =
 * sign(theta_k - t) sqrt(2 (P(t) - f_min)), P(t) the minimum of f over the other
 * parameters with theta_k = t (the same profile fit as pf_fit_profile_interval's).  At t =
 * the truth it is the parameter's significance that does not assume a parabolic f: the
 * truth lies inside the profile interval of |z| standard deviations (Wilks), and z^2 <=
 * 2 (f(truth) - f_min) whatever the other parameters do.  Returns PF_OK, PF_EDOMAIN (t
 * outside the allowed region), PF_ENOCONV (no converged profile fit, or the profile fell
 * below f_min), or fn's error. */
int pf_fit_profile_at(size_t n, const pf_fit_result *best, size_t k, double t, pf_fit_fdf_fn fn, void *ctx,
                      const pf_fit_options *opt, double *z, long *nfev, pf_status *st);

/* ---------------------------------------------------------------- prepare --------- */
typedef struct pf_ops pf_ops;

/* Histogram bins: nx x nq2 uniform in reconstructed ln x and ln Q^2 over the cut box;
 * bin b = iq * nx + ix. */
typedef struct pf_prep_bins {
    int nx, nq2;
    double logx_lo, logx_hi, logq2_lo, logq2_hi;
} pf_prep_bins;

/* Bins over the reachable cut region of the theory's kinematics (x from
 * max(x_min, Q2_min / (s y_max)) to x_max, Q^2 from Q2_min to Q2_max). */
void pf_prep_bins_from_cuts(const pf_ops *ops, int nx, int nq2, pf_prep_bins *b);
/* Bin of a reconstructed point, -1 outside. */
int pf_prep_bin_of(const pf_prep_bins *b, double x, double q2);
/* Efficiency at y: pf_det_efficiency (kernels/detector.h, the simulator's) of the card's
 * detector section; 1 without a detector section. */
double pf_prep_efficiency(const pf_detector_card *det, double y);

/* Perfect detector: the PF_OPS_NW weights of each event (col, val: n x PF_OPS_NW), so that
 * L * val_i . G is the density of accepted events at (x_i, q2_i).  A point outside the
 * theory grid is PF_EDOMAIN naming it.  OpenMP over events. */
int pf_prep_events_perfect(const pf_ops *ops, const pf_detector_card *det, size_t n, const double *x,
                           const double *q2, uint32_t *col, double *val, pf_status *st);
/* The same rows in the factored form of pf_like_data (st_base, st_w; st_nx = pf_ops_nx). */
int pf_prep_events_stencil(const pf_ops *ops, const pf_detector_card *det, size_t n, const double *x,
                           const double *q2, uint32_t *base, double *stw, pf_status *st);
/* The same rows in compact form (likelihood.h5 /events/stencil_local and stencil_xf;
 * like_data.h st_loc, st_xf with st_xpow = pf_ops_xpow): loc n x PF_LIKE_STL (ur, uc, f2,
 * fl), xf n; expanded by kernels/eventpass.h pf_ev_stencil_expand to the bits of stw. */
int pf_prep_events_stencil_local(const pf_ops *ops, const pf_detector_card *det, size_t n, const double *x,
                                 const double *q2, uint32_t *base, double *loc, double *xf, pf_status *st);
/* Normalisation c (ngrid) and histogram operator H (nbins x ngrid, nullable with bins
 * NULL) by panel Gauss-Legendre quadrature of `order` points (0: 8) per panel, panels
 * split wherever the integrand or the region is not smooth (prepare.c). */
int pf_prep_norm(const pf_ops *ops, const pf_detector_card *det, const pf_prep_bins *bins, int order,
                 double *c, double *H, pf_status *st);

/* Smeared detector (prepare_smear.c; docs/fitting.md).  The Gaussian responses in E' and
 * theta are integrated over |z| <= PF_PREP_NSIGMA standard deviations. */
#define PF_PREP_NSIGMA 7.0
/* Row weights below PF_PREP_DROP x the row's largest |weight| are not stored (far tails;
 * measured effect on w . G: 2e-9 relative, below the quadrature error). */
#define PF_PREP_DROP 1e-9
/* Event rows folding the resolution exactly (integral over the true kinematics inside the
 * generation region gen (PF_CUT_* order; NULL: the reconstructed cuts d->cuts) of d2sigma
 * times the response, times eps(y_r) / Jacobian): CSR rows row_ptr[0..n] (caller's array),
 * *col and *val malloc'd here (free them), columns ascending within a row.  Each row
 * depends only on its event (any threads, any ranks).  d: pf_sim_detector_from_card of
 * the card the events were simulated with. */
int pf_prep_events_smeared(const pf_ops *ops, const pf_det_params *d, const double *gen, size_t n,
                           const double *x, const double *q2, uint64_t *row_ptr, uint32_t **col, double **val,
                           pf_status *st);
/* The rows of the response operator M (prepare_reco.c): for each reconstructed point i
 * two rows, 2i the F2 part and 2i + 1 the FL part of the exact row with eps = 1, divided
 * by the kinematic factor K_2(r_i) resp. K_L(r_i) (pf_kin_xsec_factors); use[i] = 0 gives
 * two empty rows; qseg[i] >= 0 (nullable) takes the true-space Q^2 interpolation from that
 * segment of the theory grid on both sides of its thresholds (pf_ops_xsec_weights_seg).
 * row_ptr: 2n + 1 entries. */
int pf_prep_response_rows(const pf_ops *ops, const pf_det_params *d, const double *gen, const uint8_t *use,
                          const int *qseg, size_t n, const double *x, const double *q2, uint64_t *row_ptr,
                          uint32_t **col, double **val, pf_status *st);
/* ---- the reconstructed-space response operator (prepare_reco.c; docs/fitting.md) ----
 * F = M G on a grid of reconstructed points (rows t = ln Q2_r, columns zeta =
 * ln(x - Q2/s) - ln(1 - x)), interleaved like G: F[(it nz + iz) PF_NOBS + a]; an event is
 * a factored stencil row (like.h) on F. */
typedef struct pf_reco_grid {
    pf_interp_axis taxis, zaxis; /* rows (t), columns (zeta) */
    size_t nt, nz;
    double cuts[7], s, alpha;    /* the reconstructed cuts, s, alpha_em of the theory */
    pf_kin_born born;            /* and its Born factor's exchange (pf_ops_born) */
    /* the high-x patch (prepare_reco.c): a grid of half the spacing in both axes over the
     * corner t >= pt0, zeta >= pz0, whose nodes follow the main grid's as rows nt ..
     * nt + pnt - 1 of the same stride nz (columns 0 .. pnz - 1 of them, pnz <= nz), so an
     * event in the corner is a stencil row like any other; pnt = 0: no patch */
    pf_interp_axis ptaxis, pzaxis;
    size_t pnt, pnz;
    double pt0, pz0;
} pf_reco_grid;
/* The grid over the reconstructed cuts rcuts (PF_CUT_* order) at the theory grid's spacing. */
int pf_reco_grid_make(const pf_ops *ops, const pf_det_params *d, const double *rcuts, pf_reco_grid *rg,
                      pf_status *st);
/* Nodes of the grid, patch included: (nt + pnt) nz. */
size_t pf_reco_nnodes(const pf_reco_grid *rg);
/* Length of F: PF_NOBS (nt + pnt) nz. */
size_t pf_reco_nF(const pf_reco_grid *rg);
/* Reconstructed (x, Q2) of node k (0 <= k < pf_reco_nnodes). */
void pf_reco_node(const pf_reco_grid *rg, size_t k, double *x, double *q2);
/* use[k] (pf_reco_nnodes) = 1 for the nodes a stencil of a point inside the cuts can reach; -1 when
 * out of memory. */
int pf_reco_used_nodes(const pf_reco_grid *rg, uint8_t *use);
/* Factored stencil rows of events on F (st_nx = nz): base, and either the weights stw
 * (PF_LIKE_STW per event: wr[4], wc[4], eps(y) K_2, eps(y) K_L) or their compact form loc
 * (PF_LIKE_STL per event: the local coordinates u_t, u_zeta of pf_interp_axis_locate_u,
 * whose cubic weights are wr and wc, then the two factors), either nullable.  An event
 * whose stencil leaves the used nodes is PF_EDOMAIN naming it. */
int pf_reco_events_stencil(const pf_reco_grid *rg, const pf_detector_card *det, const uint8_t *use, size_t n,
                           const double *x, const double *q2, uint32_t *base, double *stw, double *loc,
                           pf_status *st);
/* The normalisation and histogram weights on F: q (nF) and qb (nbins x nF, nullable), so
 * that c = M^T q and H_b = M^T qb_b (pf_reco_transpose_apply). */
int pf_reco_norm(const pf_reco_grid *rg, const pf_detector_card *det, const pf_prep_bins *bins, int order,
                 double *q, double *qb, pf_status *st);
/* c = M^T q for M in CSR (nF rows, columns < ngrid), sequential: the same bits anywhere. */
void pf_reco_transpose_apply(size_t nF, const uint64_t *ptr, const uint32_t *col, const double *val,
                             const double *q, size_t ngrid, double *c);

/* Reach, in standard deviations of both smearing variables, of the band of fine response
 * rows around a flavour threshold (prepare_reco.c): beyond 4.5 sigma the Gaussian mass
 * (3.4e-6) times the F2 jump (~1 %) is below 1e-7 of the density. */
#define PF_RECO_ZCROSS 4.5
/* The whole operator: grid, used nodes and M (CSR, nF rows over the ngrid theory values),
 * from the detector d integrated over the generation region gen (NULL: the cuts). */
typedef struct pf_prep_response {
    pf_reco_grid rg;
    uint8_t *use;                 /* nt nz */
    size_t nF, nnz, nused;
    uint64_t *ptr;                /* nF + 1 */
    uint32_t *col;
    double *val;
} pf_prep_response;
int pf_prep_response_make(const pf_ops *ops, const pf_det_params *d, const double *gen, pf_prep_response *r,
                          pf_status *st);
void pf_prep_response_free(pf_prep_response *r);
/* c (ngrid) and H (nbins x ngrid, nullable) from M: the normalisation of the density the
 * events see. */
int pf_prep_response_norm(const pf_prep_response *r, size_t ngrid, const pf_detector_card *det,
                          const pf_prep_bins *bins, double *c, double *H, pf_status *st);

/* rel[i] = (response-operator density / exact-row density - 1) of n events at the grid
 * values G: the accuracy check of `prepare --verify N` (docs/fitting.md). */
int pf_prep_response_verify(const pf_ops *ops, const pf_det_params *d, const double *gen, const pf_prep_response *r,
                            const pf_detector_card *det, const double *G, size_t n, const double *x,
                            const double *q2, double *rel, pf_status *st);

/* c_g = int_R w_g A and H_b (nullable) with A_b: A(x, Q2) = probability that an event at
 * the true point is reconstructed inside the cuts (and bin b) and passes the efficiency;
 * R = the generation region gen (generation.h; NULL: the cuts, which misses the events
 * that migrate in from outside). */
int pf_prep_norm_smeared(const pf_ops *ops, const pf_det_params *d, const double *gen, const pf_prep_bins *bins,
                         int order, double *c, double *H, pf_status *st);
/* A(x, Q2) alone (tests), and at n points (out[i] = pf_prep_acceptance(d, x[i], q2[i]) to
 * the bit, the quadrature rules set up once; OpenMP over the points; -1: no memory). */
double pf_prep_acceptance(const pf_det_params *d, double x, double q2);
int pf_prep_acceptance_n(const pf_det_params *d, size_t n, const double *x, const double *q2, double *out);

/* ---------------------------------------------------------------- likelihood.h5 --- */
#define PF_LIKE_SCHEMA "partonflow.likelihood"
/* 2: the smeared detector's response operator (/response) with events as stencil rows on
 * F = M G; a version-1 reader would have taken those rows for stencils on G. */
#define PF_LIKE_SCHEMA_VERSION 2

typedef struct pf_h5 pf_h5;

typedef struct pf_like_info {
    size_t ngrid, nevents, nbins;
    double luminosity;                 /* pb^-1 */
    uint64_t theory_checksum, events_checksum, seed;
    char detector[32];                 /* "perfect" or "smeared" */
    int response;                      /* smeared: 1 = response operator M (/response), 0 = CSR rows */
    char theory_path[512];             /* theory.h5 that prepare read (its checksum above) */
    pf_prep_bins bins;
} pf_like_info;

/* The small datasets and attributes of likelihood.h5 (/norm/c, /hist/H and its bins, root
 * attributes); the event rows (/events/row_ptr, col, val, bin) are written by the caller
 * with pf_h5_write_rows.  Collective under MPI. */
int pf_like_file_write_header(pf_h5 *h, const pf_like_info *info, const double *c, const double *H,
                              pf_status *st);
/* The response operator (/response: M as CSR row_ptr, col, val; the grid's node
 * coordinates t_nodes, zeta_nodes).  Collective under MPI (every rank holds all of M). */
int pf_like_file_write_response(pf_h5 *h, const pf_prep_response *r, pf_status *st);
/* Reads likelihood.h5: this rank's block-aligned slice of the events (pf_like_range) and
 * everything else; card_yaml (nullable) receives the stored card (malloc'd).  rows = 0
 * skips the event rows (pf_like_data.binned_only: the histogram method needs only the
 * events' bins; a 1e6-event smeared file holds 2.2 GB of rows). */
pf_like *pf_like_read(const char *path, int rows, pf_like_info *info, char **card_yaml, pf_status *st);

#endif
