/* partonflow fit: maximises the extended unbinned (or binned Poisson) likelihood of
 * likelihood.h5 over the card's free PDF parameters and writes fit.h5 (docs/fitting.md,
 * docs/artefacts.md).  A fit that does not converge is still written, with converged = 0,
 * and the exit code is 3. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/cuda.h"
#include "partonflow/evol.h"
#include "partonflow/fit.h"
#include "partonflow/h5.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"

#define PF_FIT_SCHEMA "partonflow.fit"
#define PF_FIT_SCHEMA_VERSION 1
/* truth-shifted start: every free parameter moved by +5% of its true value (+0.05 when
 * the true value is 0), several standard deviations at 1e4 events (docs/fitting.md) */
#define PF_FIT_SHIFT_REL 0.05
#define PF_FIT_SHIFT_ABS 0.05
/* x grid of the stored x f and of the MSE: NXPLOT points log-spaced in [1e-3, 0.9] */
#define NXPLOT 60
#define NQPLOT 3

static void fit_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow fit --likelihood likelihood.h5 --card CARD --out fit.h5\n"
            "                      [--replica K] [--method events|histogram] [--theory theory.h5]\n"
            "                      [--threads T] [--max-iter N] [--device cpu|cuda]\n"
            "                      [--start-from central_fit.h5] [--errors hessian|profile]\n\n"
            "Maximises the extended unbinned likelihood (or with --method histogram the binned\n"
            "Poisson likelihood) over the card's fit.free parameters with GSL's vector BFGS2 and\n"
            "the exact gradient, from fit.start (truth, truth-shifted = +5%%, or explicit values).\n"
            "Errors, covariance and correlations from the Hessian of -ln L at the minimum;\n"
            "--errors profile adds profile-likelihood (MINOS-like) intervals, where -ln L\n"
            "minimised over the other parameters rises by 1/2, and takes the pulls from them\n"
            "(about 2 x 3 profile fits per parameter: for few events or curved likelihoods).\n"
            "--replica K (K >= 1) refits with Poisson(1) bootstrap weights per event from the\n"
            "counter RNG keyed by (seed, K, event).  The true parameters are those of the card\n"
            "stored in likelihood.h5 (the one the events were simulated with); theory.h5 is the\n"
            "one prepare read, unless --theory names it.  --max-iter: BFGS iterations (500).\n"
            "--start-from: start at the best fit of a converged fit of the same free parameters\n"
            "(e.g. the central fit, for a bootstrap replica) with its Hessian as preconditioner.\n"
            "--device: where the event pass runs (default cuda when this build has CUDA and a\n"
            "device is present, else cpu; the histogram method and MPI runs use the CPU).\n\n"
            "exit codes: 0 converged, 3 not converged (fit.h5 written, converged = 0),\n"
            "            2 bad input, 1 runtime failure\n");
}

typedef struct fit_ctx {
    pf_like *lk;
    pf_cuda_like *glk;    /* the device copy of lk's events (--device cuda), or NULL */
    const pf_ops *ops;
    pf_pdf *pdf;
    int histogram;
    size_t nall, nfree, ngrid;
    const long *idx;      /* nfree indices into the full parameter vector */
    double *theta_all;    /* nall */
    double *G, *dG, *dGf;  /* dGf: the free parameters' rows of dG, compacted */
    double *theta_g;      /* nfree: where G and dGf were last computed */
    int have_g;           /* G, dGf hold the values at theta_g */
} fit_ctx;

static int fit_fdf(void *vc, const double *th, double *f, double *grad, pf_status *st)
{
    fit_ctx *c = vc;
    for (size_t k = 0; k < c->nfree; k++) c->theta_all[c->idx[k]] = th[k];
    if (pf_pdf_set_params(c->pdf, c->theta_all, st)) return PF_EDOMAIN; /* outside the allowed region */
    c->have_g = 0;
    int rc = pf_ops_grid_values(c->ops, c->pdf, c->G, grad ? c->dG : NULL, st);
    if (rc) return rc;
    double lnl;
    if (grad) { /* only the free rows enter the small dense products of like.h */
        for (size_t k = 0; k < c->nfree; k++)
            memcpy(c->dGf + k * c->ngrid, c->dG + (size_t)c->idx[k] * c->ngrid, c->ngrid * sizeof *c->dGf);
        memcpy(c->theta_g, th, c->nfree * sizeof *th);
        c->have_g = 1;
    }
    rc = c->histogram ? pf_like_histogram(c->lk, c->G, c->dGf, grad ? c->nfree : 0, &lnl, grad, st)
         : c->glk ? pf_cuda_like_events(c->glk, c->G, c->dGf, grad ? c->nfree : 0, &lnl, grad, st)
                      : pf_like_events(c->lk, c->G, c->dGf, grad ? c->nfree : 0, &lnl, grad, st);
    if (rc) return rc;
    *f = -lnl;
    if (grad)
        for (size_t k = 0; k < c->nfree; k++) grad[k] = -grad[k];
    return PF_OK;
}

/* The metric of the scoring steps: the binned expected information at theta (like.h), from
 * G and dG of the last gradient evaluation when it was at theta (the minimiser asks right
 * after one), else computed here. */
static int fit_metric(void *vc, const double *th, double *info, pf_status *st)
{
    fit_ctx *c = vc;
    if (!c->have_g || memcmp(th, c->theta_g, c->nfree * sizeof *th)) {
        double f, g[PF_FIT_NMAX];
        const int rc = fit_fdf(vc, th, &f, g, st);
        if (rc) return rc;
    }
    return pf_like_fisher_binned(c->lk, c->G, c->dGf, c->nfree, info, st);
}

/* x f of the input flavours at mu0 (PF_NIN columns) and of the PF_NOUT flavours at 10 and
 * 100 GeV^2, for theta_all */
static int pdf_curves(const pf_evol *ev, pf_pdf *pdf, const double *theta_all, const double *x, double *xf0,
                      double *xfq, pf_status *st)
{
    if (pf_pdf_set_params(pdf, theta_all, st)) return st->code;
    if (pf_pdf_xf(pdf, NXPLOT, x, xf0, NULL, st)) return st->code;
    double xx[2 * NXPLOT], qq[2 * NXPLOT];
    for (int q = 0; q < 2; q++)
        for (int i = 0; i < NXPLOT; i++) {
            xx[q * NXPLOT + i] = x[i];
            qq[q * NXPLOT + i] = q ? 100.0 : 10.0;
        }
    return pf_evol_xf(ev, pdf, 2 * NXPLOT, xx, qq, xfq, NULL, st);
}

#define FAIL(...) do { pf_status_set(&st, __VA_ARGS__); goto fail; } while (0)
#define TRY(x) do { if ((x) != PF_OK) goto fail; } while (0)

int pf_cmd_fit(int argc, char **argv)
{
    const char *lpath = NULL, *card_path = NULL, *out = NULL, *method = "events", *theory = NULL, *device = NULL,
               *start_from = NULL, *errors = "hessian";
    size_t replica = 0, threads = 0, max_iter = 0;
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fit_usage(stdout);
            return PF_EXIT_OK;
        }
        if (i + 1 >= argc)
            return pf_cli_usage_error("fit", "%s needs a value or is unknown ('partonflow fit --help')", a);
        if (!strcmp(a, "--likelihood")) lpath = argv[++i];
        else if (!strcmp(a, "--card")) card_path = argv[++i];
        else if (!strcmp(a, "--out")) out = argv[++i];
        else if (!strcmp(a, "--method")) method = argv[++i];
        else if (!strcmp(a, "--theory")) theory = argv[++i];
        else if (!strcmp(a, "--device")) device = argv[++i];
        else if (!strcmp(a, "--start-from")) start_from = argv[++i];
        else if (!strcmp(a, "--errors")) errors = argv[++i];
        else if (!strcmp(a, "--replica")) {
            if (pf_cli_parse_size("--replica", argv[++i], &replica, &st)) return pf_cli_fail("fit", &st);
        } else if (!strcmp(a, "--threads")) {
            if (pf_cli_parse_threads(argv[++i], &threads, &st)) return pf_cli_fail("fit", &st);
        } else if (!strcmp(a, "--max-iter")) {
            if (pf_cli_parse_size("--max-iter", argv[++i], &max_iter, &st)) return pf_cli_fail("fit", &st);
            if (max_iter > INT_MAX) /* the minimiser counts in int */
                return pf_cli_usage_error("fit", "--max-iter: expected at most %d iterations, got %s", INT_MAX, argv[i]);
        } else
            return pf_cli_usage_error("fit", "unknown argument '%s' ('partonflow fit --help')", a);
    }
    if (!lpath || !card_path || !out)
        return pf_cli_usage_error("fit", "--likelihood, --card and --out are required ('partonflow fit --help')");
    const int histogram = !strcmp(method, "histogram");
    if (!histogram && strcmp(method, "events"))
        return pf_cli_usage_error("fit", "--method: expected events or histogram, got '%s'", method);
    const int profile = !strcmp(errors, "profile");
    if (!profile && strcmp(errors, "hessian"))
        return pf_cli_usage_error("fit", "--errors: expected hessian or profile, got '%s'", errors);
    pf_cli_set_threads((int)threads);
    const double t0 = (double)clock() / CLOCKS_PER_SEC;
    struct timespec ts0, ts1, tp0, tp1;
    double prof_s = 0.0;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    (void)t0;
    pf_card card, lcard;
    pf_like_info info;
    pf_like *lk = NULL;
    pf_cuda_like *glk = NULL;
    pf_cuda_gemm *gcache = NULL; /* the device's grid-value product (pf_ops_set_gemm) */
    int use_cuda = 0;
    char devlabel[300];
    pf_ops *ops = NULL;
    pf_pdf *pdf = NULL, *tpdf = NULL;
    pf_evol *ev = NULL;
    pf_h5 *h = NULL, *sf = NULL;
    double *sf_theta = NULL, *sf_hess = NULL, *hexp = NULL;
    char *lyaml = NULL, *cmd = NULL, *yaml = NULL;
    long idx[PF_FIT_NMAX];
    double *theta_all = NULL, *truth_all = NULL, *G = NULL, *dG = NULL, *gall = NULL, theta_g[PF_FIT_NMAX];
    pf_fit_result res;
    memset(&res, 0, sizeof res);
    int rc, fitrc = PF_OK;
    TRY(pf_cuda_select_device(device, &use_cuda, devlabel, sizeof devlabel, &st));
    if (use_cuda && (histogram || pf_par_size() > 1)) {
        if (device) FAIL(PF_EINVAL, "--device cuda: only for --method events on one rank (the device pass has no MPI reduction)");
        use_cuda = 0; /* the default falls back to the CPU */
        snprintf(devlabel, sizeof devlabel, "cpu");
    }
    TRY(pf_card_read(card_path, &card, &st));
    if (!card.fit.present) FAIL(PF_ECARD, "%s: no fit section (fit.free lists the parameters to fit)", card_path);
    lk = pf_like_read(lpath, !histogram, &info, &lyaml, &st); /* the histogram method needs no event rows */
    if (!lk) goto fail;
    if (!lyaml) FAIL(PF_EFORMAT, "%s: no card in /meta", lpath);
    if (!info.nevents) FAIL(PF_EINVAL, "%s: attribute / n_events: expected at least one event to fit, got 0", lpath);
    TRY(pf_card_parse(lyaml, strlen(lyaml), lpath, &lcard, &st));
    if (histogram && !pf_like_nbins(lk)) FAIL(PF_EINVAL, "%s: no histogram operator for --method histogram", lpath);
    ops = pf_ops_read(theory ? theory : info.theory_path, &st);
    if (!ops) goto fail;
    if (pf_ops_checksum(ops) != info.theory_checksum)
        FAIL(PF_EINVAL, "%s was prepared with another theory.h5 (checksum %016llx) than %s (%016llx)", lpath,
             (unsigned long long)info.theory_checksum, theory ? theory : info.theory_path,
             (unsigned long long)pf_ops_checksum(ops));
    {   /* provenance: the truth's card (the events' generator) and --card belong to this theory */
        char diff[256];
        if (pf_card_theory_diff(&lcard.theory, &pf_ops_card(ops)->theory, diff, sizeof diff))
            FAIL(PF_EINVAL, "%s (its card in /meta) and %s disagree: %s", lpath, theory ? theory : info.theory_path,
                 diff);
        if (pf_card_theory_diff(&card.theory, &pf_ops_card(ops)->theory, diff, sizeof diff))
            FAIL(PF_EINVAL, "--card %s and %s disagree: %s", card_path, theory ? theory : info.theory_path, diff);
    }
    if (pf_ops_ngrid(ops) != info.ngrid) FAIL(PF_EFORMAT, "%s: %zu grid values, theory has %zu", lpath, info.ngrid,
                                             pf_ops_ngrid(ops));
    /* truth: the card the events were simulated with; the parametrisation must agree */
    pdf = pf_pdf_create(&lcard.pdf, &st);
    if (!pdf) goto fail;
    tpdf = pf_pdf_clone(pdf, &st);
    if (!tpdf) goto fail;
    const size_t nall = pf_pdf_nparams(pdf), nfree = (size_t)card.fit.nfree;
    theta_all = malloc(nall * sizeof *theta_all);
    truth_all = malloc(nall * sizeof *truth_all);
    G = malloc(info.ngrid * sizeof *G);
    dG = malloc(nall * info.ngrid * sizeof *dG);
    gall = malloc(nfree * info.ngrid * sizeof *gall);
    if (!theta_all || !truth_all || !G || !dG || !gall) FAIL(PF_ENOMEM, "cannot allocate %zu x %zu gradients", nall,
                                                             info.ngrid);
    pf_pdf_get_params(pdf, truth_all);
    memcpy(theta_all, truth_all, nall * sizeof *theta_all);
    double start[PF_FIT_NMAX], truth[PF_FIT_NMAX];
    for (size_t k = 0; k < nfree; k++) {
        idx[k] = pf_pdf_param_index(pdf, card.fit.free[k]);
        if (idx[k] < 0) {
            char names[1024] = "";
            for (size_t p = 0; p < nall; p++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", p ? ", " : "",
                         pf_pdf_param_name(pdf, p));
            FAIL(PF_ECARD, "%s: key 'fit.free[%zu]': '%s' is not a parameter of the parametrisation in %s "
                           "(parameters: %s)", card_path, k, card.fit.free[k], lpath, names);
        }
        truth[k] = truth_all[idx[k]];
        if (card.fit.start == PF_START_EXPLICIT) start[k] = card.fit.start_value[k];
        else if (card.fit.start == PF_START_TRUTH_SHIFTED)
            start[k] = truth[k] != 0.0 ? truth[k] * (1.0 + PF_FIT_SHIFT_REL) : PF_FIT_SHIFT_ABS;
        else start[k] = truth[k];
    }
    double *hess_from = NULL; /* --start-from: the other fit's Hessian (preconditioner) */
    if (start_from) {
        sf = pf_h5_open(start_from, PF_FIT_SCHEMA, PF_FIT_SCHEMA_VERSION, &st);
        if (!sf) goto fail;
        char *pn = NULL;
        int64_t conv = 0;
        int rk;
        size_t dims[4];
        TRY(pf_h5_get_attr_string(sf, "/fit", "parameters", &pn, &st));
        TRY(pf_h5_get_attr_int64(sf, "/fit", "converged", &conv, &st));
        char names[PF_FIT_NMAX * PF_PARAM_NAME_LEN] = "";
        for (size_t k = 0; k < nfree; k++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? "," : "", card.fit.free[k]);
        const int same = !strcmp(pn, names);
        free(pn);
        if (!same) FAIL(PF_EINVAL, "--start-from %s: its free parameters are not fit.free of %s (%s)", start_from,
                        card_path, names);
        if (!conv) FAIL(PF_EINVAL, "--start-from %s: that fit did not converge", start_from);
        pf_h5_syms sym = {0}; /* the schema of fit.h5 (fit.h) with n_free = fit.free's length */
        TRY(pf_h5_sym_set(&sym, "n_free", nfree, &st));
        TRY(pf_h5_check(sf, &pf_fit_file_schema, &sym, &st));
        TRY(pf_h5_read(sf, "/fit/theta", PF_H5_DOUBLE, &rk, dims, (void **)&sf_theta, &st));
        TRY(pf_h5_check_values(sf, &pf_fit_file_schema, "/fit/theta", PF_H5_DOUBLE, sf_theta, 0, nfree, &sym, &st));
        TRY(pf_h5_read(sf, "/fit/hessian", PF_H5_DOUBLE, &rk, dims, (void **)&sf_hess, &st));
        TRY(pf_h5_check_values(sf, &pf_fit_file_schema, "/fit/hessian", PF_H5_DOUBLE, sf_hess, 0, nfree * nfree, &sym,
                               &st));
        memcpy(start, sf_theta, nfree * sizeof *start);
        hess_from = sf_hess;
    }
    if (replica) TRY(pf_like_bootstrap(lk, info.seed, replica, &st));
    if (use_cuda) {
        pf_like_data view;
        const double *wt;
        pf_like_view(lk, &view, &wt);
        glk = pf_cuda_like_create(&view, 0, &st);
        if (!glk) goto fail;
        TRY(pf_cuda_like_set_weights(glk, wt, &st));
        pf_ops_set_gemm(ops, pf_cuda_gemm_cached, &gcache);
    }
    fit_ctx ctx = {.lk = lk, .glk = glk, .ops = ops, .pdf = pdf, .histogram = histogram, .nall = nall, .nfree = nfree,
                   .ngrid = info.ngrid, .idx = idx, .theta_all = theta_all, .G = G, .dG = dG, .dGf = gall,
                   .theta_g = theta_g};
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    if (pf_like_nbins(lk)) opt.metric = fit_metric;
    opt.hess0 = hess_from;
    /* an explicit start is checked by a restart from the truth (a local minimum is said so) */
    if (card.fit.start == PF_START_EXPLICIT && !start_from) opt.restart = truth;
    if (max_iter) opt.max_iter = (int)max_iter;
    if (pf_cli_inputs_only) { /* tests/fuzz: the inputs are read and -ln L used once */
        double f0, g0[PF_FIT_NMAX];
        rc = fit_fdf(&ctx, start, &f0, g0, &st) == PF_OK ? PF_EXIT_OK : pf_cli_fail("fit", &st);
        goto done;
    }
    fitrc = pf_fit_minimize(nfree, start, fit_fdf, &ctx, &opt, &res, &st);
    if (fitrc && fitrc != PF_ENOCONV) goto fail;
    clock_gettime(CLOCK_MONOTONIC, &ts1);
    /* x f curves and closure metrics */
    ev = pf_evol_create(&lcard.theory, &st);
    if (!ev) goto fail;
    double x[NXPLOT], xf0f[NXPLOT * PF_NIN], xf0t[NXPLOT * PF_NIN], xfqf[2 * NXPLOT * PF_NOUT],
        xfqt[2 * NXPLOT * PF_NOUT];
    for (int i = 0; i < NXPLOT; i++) x[i] = exp(log(1e-3) + (log(0.9) - log(1e-3)) * i / (NXPLOT - 1));
    for (size_t k = 0; k < nfree; k++) theta_all[idx[k]] = res.theta[k];
    TRY(pdf_curves(ev, pdf, theta_all, x, xf0f, xfqf, &st));
    TRY(pdf_curves(ev, tpdf, truth_all, x, xf0t, xfqt, &st));
    /* MSE (docs/fitting.md): mean over the x grid and the fitted input flavours at mu0 */
    int fitted[PF_NIN] = {0}, nfl = 0;
    for (size_t k = 0; k < nfree; k++)
        for (int j = 0; j < PF_NIN; j++) {
            size_t l = strlen(pf_flav_in_name[j]);
            if (!strncmp(card.fit.free[k], pf_flav_in_name[j], l) && card.fit.free[k][l] == '.') fitted[j] = 1;
        }
    double mse = 0.0;
    for (int j = 0; j < PF_NIN; j++)
        if (fitted[j]) {
            nfl++;
            for (int i = 0; i < NXPLOT; i++) {
                double d = xf0f[i * PF_NIN + j] - xf0t[i * PF_NIN + j];
                mse += d * d;
            }
        }
    mse = nfl ? mse / (nfl * NXPLOT) : 0.0;
    /* pulls (fit - truth) / error: the Hessian error, or with --errors profile the profile
     * interval's half on the side of the truth (docs/fitting.md, "Uncertainties") */
    double pull[PF_FIT_NMAX], pull_h[PF_FIT_NMAX], elo[PF_FIT_NMAX], ehi[PF_FIT_NMAX];
    char prof_status[512] = "";
    long prof_nfev = 0;
    for (size_t k = 0; k < nfree; k++) pull[k] = pull_h[k] = (res.theta[k] - truth[k]) / res.err[k];
    if (profile && res.converged) {
        clock_gettime(CLOCK_MONOTONIC, &tp0);
        for (size_t k = 0; k < nfree; k++) {
            long nf = 0;
            char why[256];
            const int prc = pf_fit_profile_interval(nfree, &res, k, fit_fdf, &ctx, &opt, &elo[k], &ehi[k], &nf, why,
                                                    sizeof why, &st);
            prof_nfev += nf;
            if (prc && prc != PF_ENOCONV) goto fail;
            if (prc && !prof_status[0])
                snprintf(prof_status, sizeof prof_status, "%s: %s", card.fit.free[k], why);
            const double e = res.theta[k] > truth[k] ? elo[k] : ehi[k];
            if (isfinite(e)) pull[k] = (res.theta[k] - truth[k]) / e;
        }
        if (!prof_status[0]) snprintf(prof_status, sizeof prof_status, "all ends found");
        clock_gettime(CLOCK_MONOTONIC, &tp1);
        prof_s = (double)(tp1.tv_sec - tp0.tv_sec) + 1e-9 * (double)(tp1.tv_nsec - tp0.tv_nsec);
        /* the profile fits moved theta_all: back to the best fit for /hist/expected below */
        for (size_t k = 0; k < nfree; k++) theta_all[idx[k]] = res.theta[k];
    } else if (profile) {
        snprintf(prof_status, sizeof prof_status, "not computed: the fit did not converge");
    }
    /* fit.h5 */
    cmd = pf_cli_command_line(pf_cli_argc, pf_cli_argv);
    yaml = pf_card_to_yaml(&card);
    pf_h5_meta meta = {.card_yaml = yaml, .command_line = cmd, .has_seed = 1, .seed = info.seed};
    h = pf_h5_create(out, PF_FIT_SCHEMA, PF_FIT_SCHEMA_VERSION, &meta, &st);
    if (!h) goto fail;
    TRY(pf_h5_set_device(h, devlabel, &st));
    size_t d1[1] = {nfree}, d2[2] = {nfree, nfree}, dh[2] = {res.nhist, nfree};
    char names[PF_FIT_NMAX * PF_PARAM_NAME_LEN] = "";
    for (size_t k = 0; k < nfree; k++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? "," : "", card.fit.free[k]);
    TRY(pf_h5_write(h, "/fit/theta", PF_H5_DOUBLE, 1, d1, res.theta, NULL, &st));
    TRY(pf_h5_write(h, "/fit/error", PF_H5_DOUBLE, 1, d1, res.err, NULL, &st));
    TRY(pf_h5_write(h, "/fit/truth", PF_H5_DOUBLE, 1, d1, truth, NULL, &st));
    TRY(pf_h5_write(h, "/fit/start", PF_H5_DOUBLE, 1, d1, start, NULL, &st));
    TRY(pf_h5_write(h, "/fit/pull", PF_H5_DOUBLE, 1, d1, pull, NULL, &st));
    TRY(pf_h5_write(h, "/fit/pull_hessian", PF_H5_DOUBLE, 1, d1, pull_h, NULL, &st));
    TRY(pf_h5_set_attr_string(h, "/fit", "errors", profile ? "profile" : "hessian", &st));
    if (profile && res.converged) {
        TRY(pf_h5_write(h, "/fit/error_lo", PF_H5_DOUBLE, 1, d1, elo, NULL, &st));
        TRY(pf_h5_write(h, "/fit/error_hi", PF_H5_DOUBLE, 1, d1, ehi, NULL, &st));
        TRY(pf_h5_set_attr_int64(h, "/fit", "profile_evaluations", prof_nfev, &st));
    }
    if (profile) TRY(pf_h5_set_attr_string(h, "/fit", "profile_status", prof_status, &st));
    TRY(pf_h5_write(h, "/fit/covariance", PF_H5_DOUBLE, 2, d2, res.cov, NULL, &st));
    TRY(pf_h5_write(h, "/fit/correlation", PF_H5_DOUBLE, 2, d2, res.corr, NULL, &st));
    TRY(pf_h5_write(h, "/fit/hessian", PF_H5_DOUBLE, 2, d2, res.hess, NULL, &st));
    d1[0] = res.nhist;
    TRY(pf_h5_write(h, "/fit/history/neg_lnl", PF_H5_DOUBLE, 1, d1, res.hist_f, NULL, &st));
    TRY(pf_h5_write(h, "/fit/history/grad_norm", PF_H5_DOUBLE, 1, d1, res.hist_gnorm, NULL, &st));
    TRY(pf_h5_write(h, "/fit/history/theta", PF_H5_DOUBLE, 2, dh, res.hist_theta, NULL, &st));
    TRY(pf_h5_set_attr_string(h, "/fit", "parameters", names, &st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "converged", res.converged, &st));
    TRY(pf_h5_set_attr_string(h, "/fit", "status", res.message, &st));
    TRY(pf_h5_set_attr_double(h, "/fit", "lnl", -res.fmin, &st));
    TRY(pf_h5_set_attr_double(h, "/fit", "edm", res.edm, &st));
    TRY(pf_h5_set_attr_double(h, "/fit", "grad_norm", res.gnorm, &st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "iterations", res.iterations, &st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "replica", (int64_t)replica, &st));
    TRY(pf_h5_set_attr_string(h, "/fit", "method", histogram ? "histogram" : "events", &st));
    TRY(pf_h5_set_attr_string(h, "/fit", "start_kind",
                              start_from                            ? "best fit of --start-from"
                              : card.fit.start == PF_START_EXPLICIT ? "explicit"
                              : card.fit.start == PF_START_TRUTH_SHIFTED ? "truth-shifted (+5%)" : "truth", &st));
    TRY(pf_h5_set_attr_string(h, "/fit", "start_from", start_from ? start_from : "", &st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "evaluations", res.nfev, &st));
    if (pf_like_nbins(lk)) {
        /* data vs fit in the reconstructed (ln x, ln Q^2) bins: observed (weighted) counts
         * and the expectation L H_b . G at the best fit */
        const size_t nb = pf_like_nbins(lk);
        pf_like_data view;
        pf_like_view(lk, &view, NULL);
        hexp = malloc(nb * sizeof *hexp);
        if (!hexp) FAIL(PF_ENOMEM, "cannot allocate %zu bins", nb);
        TRY(pf_pdf_set_params(pdf, theta_all, &st));
        TRY(pf_ops_grid_values(ops, pdf, G, NULL, &st));
        for (size_t b = 0; b < nb; b++) {
            double a = 0.0;
            for (size_t g = 0; g < info.ngrid; g++) a += view.H[b * info.ngrid + g] * G[g];
            hexp[b] = view.luminosity * a;
        }
        size_t db[1] = {nb};
        TRY(pf_h5_write(h, "/hist/observed", PF_H5_DOUBLE, 1, db, pf_like_counts(lk), "events", &st));
        TRY(pf_h5_write(h, "/hist/expected", PF_H5_DOUBLE, 1, db, hexp, "events", &st));
        const double edges[4] = {info.bins.logx_lo, info.bins.logx_hi, info.bins.logq2_lo, info.bins.logq2_hi};
        TRY(pf_h5_set_attr_doubles(h, "/hist", "log_edges", edges, 4, &st));
        TRY(pf_h5_set_attr_int64(h, "/hist", "bins_x", info.bins.nx, &st));
        TRY(pf_h5_set_attr_int64(h, "/hist", "bins_q2", info.bins.nq2, &st));
        TRY(pf_h5_set_attr_int64(h, "/hist", "n_free", (int64_t)nfree, &st));
    }
    TRY(pf_h5_set_attr_double(h, "/fit", "mse", mse, &st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "n_events", (int64_t)info.nevents, &st));
    {
        /* both counts (issue 12): n_events is the observed (Poisson in luminosity mode)
         * count; the expected one is L c . G at the truth of the card and at the best fit */
        double ne_truth, ne_fit;
        TRY(pf_pdf_set_params(pdf, truth_all, &st));
        TRY(pf_ops_grid_values(ops, pdf, G, NULL, &st));
        pf_like_nexp(lk, G, NULL, 0, &ne_truth, NULL);
        TRY(pf_pdf_set_params(pdf, theta_all, &st));
        TRY(pf_ops_grid_values(ops, pdf, G, NULL, &st));
        pf_like_nexp(lk, G, NULL, 0, &ne_fit, NULL);
        TRY(pf_h5_set_attr_double(h, "/fit", "n_expected_truth", ne_truth, &st));
        TRY(pf_h5_set_attr_double(h, "/fit", "n_expected_fit", ne_fit, &st));
    }
    size_t dx[1] = {NXPLOT}, d0[2] = {NXPLOT, PF_NIN}, dq[3] = {2, NXPLOT, PF_NOUT};
    const double q2s[2] = {10.0, 100.0};
    size_t dq2[1] = {2};
    TRY(pf_h5_write(h, "/pdf/x", PF_H5_DOUBLE, 1, dx, x, NULL, &st));
    TRY(pf_h5_write(h, "/pdf/q2", PF_H5_DOUBLE, 1, dq2, q2s, "GeV^2", &st));
    TRY(pf_h5_write(h, "/pdf/xf_fit_mu0", PF_H5_DOUBLE, 2, d0, xf0f, NULL, &st));
    TRY(pf_h5_write(h, "/pdf/xf_true_mu0", PF_H5_DOUBLE, 2, d0, xf0t, NULL, &st));
    TRY(pf_h5_write(h, "/pdf/xf_fit", PF_H5_DOUBLE, 3, dq, xfqf, NULL, &st));
    TRY(pf_h5_write(h, "/pdf/xf_true", PF_H5_DOUBLE, 3, dq, xfqt, NULL, &st));
    TRY(pf_h5_set_attr_double(h, "/pdf", "mu0_gev", lcard.theory.mu0, &st));
    {
        char fl[256] = "";
        for (int j = 0; j < PF_NIN; j++)
            snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%s%s", j ? "," : "", pf_flav_in_name[j]);
        TRY(pf_h5_set_attr_string(h, "/pdf", "flavours_mu0", fl, &st));
        fl[0] = 0;
        for (int j = 0; j < PF_NOUT; j++)
            snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%s%s", j ? "," : "", pf_flav_out_name[j]);
        TRY(pf_h5_set_attr_string(h, "/pdf", "flavours", fl, &st));
        fl[0] = 0;
        for (int j = 0; j < PF_NIN; j++)
            if (fitted[j])
                snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%s%s", fl[0] ? "," : "", pf_flav_in_name[j]);
        TRY(pf_h5_set_attr_string(h, "/pdf", "fitted_flavours", fl, &st));
    }
    {
        pf_h5 *hh = h;
        h = NULL;
        TRY(pf_h5_commit(hh, &st));
    }
    if (pf_par_rank() == 0) {
        printf("partonflow fit: %s: %s fit of %zu parameters to %zu events%s: %s; -lnL = %.6f, %ld likelihood "
               "calls in %.2f s\n",
               out, histogram ? "histogram" : "unbinned", nfree, info.nevents, replica ? " (bootstrap replica)" : "",
               res.message, res.fmin, res.nfev, /* the fit's own; the profile fits' apart */
               (double)(ts1.tv_sec - ts0.tv_sec) + 1e-9 * (double)(ts1.tv_nsec - ts0.tv_nsec));
        for (size_t k = 0; k < nfree; k++) {
            if (profile && res.converged)
                printf("  %-10s %12.6f +- %10.6f  profile -%.6f +%.6f  (truth %10.6f, pull %+6.2f)\n",
                       card.fit.free[k], res.theta[k], res.err[k], elo[k], ehi[k], truth[k], pull[k]);
            else
                printf("  %-10s %12.6f +- %10.6f  (truth %10.6f, pull %+6.2f)\n", card.fit.free[k], res.theta[k],
                       res.err[k], truth[k], pull[k]);
        }
        if (profile && res.converged)
            printf("partonflow fit: profile intervals (%ld evaluations in %.2f s): %s\n", prof_nfev,
                   prof_s, prof_status);
        else if (profile)
            printf("partonflow fit: profile intervals: %s\n", prof_status);
        if (!res.converged) fprintf(stderr, "partonflow fit: NOT CONVERGED: %s (written with converged = 0)\n",
                                    res.message);
    }
    rc = res.converged ? PF_EXIT_OK : PF_EXIT_NOCONV;
    goto done;
fail:
    rc = pf_cli_fail("fit", &st);
done:
    if (h) pf_h5_abort(h);
    if (sf) pf_h5_close(sf);
    free(sf_theta); free(sf_hess); free(hexp);
    pf_fit_result_free(&res);
    pf_cuda_like_destroy(glk);
    pf_cuda_gemm_destroy(gcache);
    pf_like_destroy(lk);
    pf_ops_destroy(ops);
    pf_pdf_destroy(pdf);
    pf_pdf_destroy(tpdf);
    if (ev) pf_evol_destroy(ev);
    free(lyaml); free(cmd); free(yaml); free(theta_all); free(truth_all); free(G); free(dG); free(gall);
    return rc;
}
