/* The fit of likelihood.h5 as one library call (objective.h): the truth from the card the
 * events were simulated with, the start (fit.start or --start-from), the minimiser
 * (minimize.c), profile intervals (profile.c), x f curves and the closure metrics of
 * docs/fitting.md.  `partonflow fit` and the Python package both call it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "partonflow/cuda.h"
#include "partonflow/evol.h"
#include "partonflow/objective.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"

/* truth-shifted start: every free parameter moved by +5% of its true value (+0.05 when
 * the true value is 0), several standard deviations at 1e4 events (docs/fitting.md) */
#define PF_FIT_SHIFT_REL 0.05
#define PF_FIT_SHIFT_ABS 0.05
#define NXPLOT PF_FIT_NXPLOT

struct pf_fit_problem {
    pf_like *lk;
    pf_like_info info;
    pf_card lcard;  /* the card stored in likelihood.h5 */
    pf_ops *ops;
    pf_pdf *pdf;    /* at the truth */
    char path[512];
    uint64_t replica; /* the bootstrap weights lk holds */
};

pf_fit_problem *pf_fit_problem_open(const char *lpath, const char *theory, int rows, pf_status *st)
{
    pf_fit_problem *p = calloc(1, sizeof *p);
    char *lyaml = NULL;
    if (!p) {
        pf_status_set(st, PF_ENOMEM, "%s: out of memory", lpath);
        return NULL;
    }
    snprintf(p->path, sizeof p->path, "%s", lpath);
    p->lk = pf_like_read(lpath, rows, &p->info, &lyaml, st);
    if (!p->lk) goto fail;
    if (!lyaml) {
        pf_status_set(st, PF_EFORMAT, "%s: no card in /meta", lpath);
        goto fail;
    }
    if (!p->info.nevents) {
        pf_status_set(st, PF_EINVAL, "%s: attribute / n_events: expected at least one event to fit, got 0", lpath);
        goto fail;
    }
    if (pf_card_parse(lyaml, strlen(lyaml), lpath, &p->lcard, st)) goto fail;
    p->ops = pf_ops_read(theory ? theory : p->info.theory_path, st);
    if (!p->ops) goto fail;
    if (pf_ops_checksum(p->ops) != p->info.theory_checksum) {
        pf_status_set(st, PF_EINVAL, "%s was prepared with another theory.h5 (checksum %016llx) than %s (%016llx)",
                      lpath, (unsigned long long)p->info.theory_checksum, theory ? theory : p->info.theory_path,
                      (unsigned long long)pf_ops_checksum(p->ops));
        goto fail;
    }
    {   /* provenance: the truth's card (the events' generator, in /meta) belongs to this theory */
        char diff[256];
        if (pf_card_physics_diff(&p->lcard, pf_ops_card(p->ops), diff, sizeof diff)) {
            pf_status_set(st, PF_EINVAL, "%s (its card in /meta) and %s disagree: %s", lpath,
                          theory ? theory : p->info.theory_path, diff);
            goto fail;
        }
    }
    if (pf_ops_ngrid(p->ops) != p->info.ngrid) {
        pf_status_set(st, PF_EFORMAT, "%s: %zu grid values, theory has %zu", lpath, p->info.ngrid,
                      pf_ops_ngrid(p->ops));
        goto fail;
    }
    p->pdf = pf_pdf_create(&p->lcard.pdf, st);
    if (!p->pdf) goto fail;
    free(lyaml);
    return p;
fail:
    free(lyaml);
    pf_fit_problem_close(p);
    return NULL;
}

void pf_fit_problem_close(pf_fit_problem *p)
{
    if (!p) return;
    pf_like_destroy(p->lk);
    pf_ops_destroy(p->ops);
    pf_pdf_destroy(p->pdf);
    free(p);
}

pf_like *pf_fit_problem_like(pf_fit_problem *p) { return p->lk; }
pf_ops *pf_fit_problem_ops(pf_fit_problem *p) { return p->ops; }
const pf_like_info *pf_fit_problem_info(const pf_fit_problem *p) { return &p->info; }
const char *pf_fit_problem_path(const pf_fit_problem *p) { return p->path; }
const pf_card *pf_fit_problem_card(const pf_fit_problem *p) { return &p->lcard; }
const pf_pdf *pf_fit_problem_pdf(const pf_fit_problem *p) { return p->pdf; }

int pf_fit_problem_reset_weights(pf_fit_problem *p, pf_status *st)
{
    p->replica = 0;
    return pf_like_set_weights(p->lk, NULL, st);
}

void pf_fit_config_default(pf_fit_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->method = PF_FIT_EVENTS;
}

void pf_fit_outcome_free(pf_fit_outcome *o)
{
    if (!o) return;
    pf_fit_result_free(&o->res);
    free(o->hist_observed);
    free(o->hist_expected);
    o->hist_observed = o->hist_expected = NULL;
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

/* The profile fits' reports as one stage counting parameters: their own minimisation and
 * Hessian stages would start again for each of the ~6 profile fits of a parameter. */
typedef struct profile_report {
    pf_progress_fn fn;
    void *ctx;
    size_t k, n; /* parameters done, of n */
} profile_report;

static void profile_report_emit(const profile_report *r, int final)
{
    const pf_progress p = pf_progress_stage("profile intervals", "parameters", r->k, r->n, final);
    r->fn(r->ctx, &p);
}

static void profile_progress(void *vp, const pf_progress *inner)
{
    (void)inner;
    profile_report_emit(vp, 0);
}

#define FAIL(...) do { pf_status_set(st, __VA_ARGS__); goto fail; } while (0)
#define TRY(x) do { if ((x) != PF_OK) goto fail; } while (0)

int pf_fit_problem_run(pf_fit_problem *p, const pf_fit_config *cfg, pf_fit_outcome *o, pf_status *st)
{
    memset(o, 0, sizeof *o);
    const pf_card *card = cfg->card;
    const char *label = cfg->card_label ? cfg->card_label : "the card";
    const int histogram = cfg->method == PF_FIT_HISTOGRAM;
    pf_fit_objective *obj = NULL;
    pf_pdf *pdf = NULL, *tpdf = NULL;
    pf_evol *ev = NULL;
    double *theta_all = NULL, *truth_all = NULL, *sf_theta = NULL, *sf_hess = NULL, *G = NULL;
    int use_cuda = 0, fitrc = PF_OK;
    long idx[PF_FIT_NMAX];
    if (!card || !card->fit.present) FAIL(PF_ECARD, "%s: no fit section (fit.free lists the parameters to fit)", label);
    if (cfg->method != PF_FIT_EVENTS && cfg->method != PF_FIT_HISTOGRAM)
        FAIL(PF_EINVAL, "fit: method %d is neither events nor histogram", cfg->method);
    TRY(pf_cuda_select_device(cfg->device, &use_cuda, o->device, sizeof o->device, st));
    if (use_cuda && (histogram || pf_par_size() > 1)) {
        if (cfg->device)
            FAIL(PF_EINVAL, "--device cuda: only for --method events on one rank (the device pass has no MPI reduction)");
        use_cuda = 0; /* the default falls back to the CPU */
        snprintf(o->device, sizeof o->device, "cpu");
    }
    if (histogram && !pf_like_nbins(p->lk)) FAIL(PF_EINVAL, "%s: no histogram operator for --method histogram", p->path);
    {   /* provenance: the fit card's theory is the theory.h5 the fit uses */
        char diff[256];
        if (pf_card_physics_diff(card, pf_ops_card(p->ops), diff, sizeof diff))
            FAIL(PF_EINVAL, "--card %s and the theory of %s disagree: %s", label, p->path, diff);
    }
    pdf = pf_pdf_clone(p->pdf, st);
    if (!pdf) goto fail;
    tpdf = pf_pdf_clone(p->pdf, st);
    if (!tpdf) goto fail;
    const size_t nall = pf_pdf_nparams(pdf), nfree = (size_t)card->fit.nfree;
    o->nfree = nfree;
    o->method = cfg->method;
    o->replica = cfg->replica;
    o->nevents = p->info.nevents;
    o->seed = p->info.seed;
    o->profile = cfg->profile;
    o->mu0 = p->lcard.theory.mu0;
    theta_all = malloc(nall * sizeof *theta_all);
    truth_all = malloc(nall * sizeof *truth_all);
    G = malloc(p->info.ngrid * sizeof *G);
    if (!theta_all || !truth_all || !G) FAIL(PF_ENOMEM, "cannot allocate %zu parameters", nall);
    pf_pdf_get_params(pdf, truth_all);
    memcpy(theta_all, truth_all, nall * sizeof *theta_all);
    for (size_t k = 0; k < nfree; k++) {
        idx[k] = pf_pdf_param_index(pdf, card->fit.free[k]);
        if (idx[k] < 0) {
            char names[1024] = "";
            for (size_t q = 0; q < nall; q++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", q ? ", " : "",
                         pf_pdf_param_name(pdf, q));
            FAIL(PF_ECARD, "%s: key 'fit.free[%zu]': '%s' is not a parameter of the parametrisation in %s "
                           "(parameters: %s)", label, k, card->fit.free[k], p->path, names);
        }
        o->truth[k] = truth_all[idx[k]];
        if (card->fit.start == PF_START_EXPLICIT) o->start[k] = card->fit.start_value[k];
        else if (card->fit.start == PF_START_TRUTH_SHIFTED)
            o->start[k] = o->truth[k] != 0.0 ? o->truth[k] * (1.0 + PF_FIT_SHIFT_REL) : PF_FIT_SHIFT_ABS;
        else o->start[k] = o->truth[k];
        snprintf(o->names + strlen(o->names), sizeof o->names - strlen(o->names), "%s%s", k ? "," : "",
                 card->fit.free[k]);
    }
    if (cfg->start_from) {
        TRY(pf_fit_read_start(cfg->start_from, nfree, o->names, label, &sf_theta, &sf_hess, st));
        memcpy(o->start, sf_theta, nfree * sizeof *o->start);
    }
    snprintf(o->start_kind, sizeof o->start_kind, "%s",
             cfg->start_from                        ? "best fit of --start-from"
             : card->fit.start == PF_START_EXPLICIT ? "explicit"
             : card->fit.start == PF_START_TRUTH_SHIFTED ? "truth-shifted (+5%)" : "truth");
    snprintf(o->start_from, sizeof o->start_from, "%s", cfg->start_from ? cfg->start_from : "");
    if (cfg->replica || p->replica) {
        TRY(pf_like_bootstrap(p->lk, p->info.seed, cfg->replica, st));
        p->replica = cfg->replica;
    }
    obj = pf_fit_objective_create(p->lk, p->ops, pdf, nfree, idx, cfg->method, use_cuda, st);
    if (!obj) goto fail;
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    if (pf_like_nbins(p->lk)) opt.metric = pf_fit_objective_metric;
    opt.hess0 = sf_hess;
    /* an explicit start is checked by a restart from the truth (a local minimum is said so) */
    if (card->fit.start == PF_START_EXPLICIT && !cfg->start_from) opt.restart = o->truth;
    if (cfg->max_iter > 0) opt.max_iter = cfg->max_iter;
    if (pf_par_rank() == 0) {
        opt.progress = cfg->progress;
        opt.progress_ctx = cfg->progress_ctx;
    }
    if (cfg->inputs_only) { /* tests/fuzz: the inputs are read and -ln L used once */
        double f0, g0[PF_FIT_NMAX];
        fitrc = pf_fit_objective_fdf(obj, o->start, &f0, g0, st);
        goto done;
    }
    /* the minimisation, then the profile intervals; a profile that finds a point below the
     * minimum starts the minimisation again from there (at most PF_FIT_MAX_REFITS times) */
    double lower[PF_FIT_NMAX + 1], refit_start[PF_FIT_NMAX];
    for (;;) {
        fitrc = pf_fit_minimize(nfree, o->profile_refits ? refit_start : o->start, pf_fit_objective_fdf, obj, &opt,
                                &o->res, st);
        if (fitrc && fitrc != PF_ENOCONV) goto fail;
        /* pulls (fit - truth) / error: the Hessian error, or with --errors profile the profile
         * interval's half on the side of the truth (docs/fitting.md, "Uncertainties") */
        for (size_t k = 0; k < nfree; k++)
            o->pull[k] = o->pull_hessian[k] = (o->res.theta[k] - o->truth[k]) / o->res.err[k];
        if (cfg->profile && o->res.converged) {
            struct timespec tp0, tp1;
            clock_gettime(CLOCK_MONOTONIC, &tp0);
            profile_report pr = {opt.progress, opt.progress_ctx, 0, nfree};
            pf_fit_options popt = opt;
            popt.restart = NULL;
            lower[nfree] = NAN;
            popt.lower = lower;
            o->profile_status[0] = '\0';
            if (pr.fn) {
                popt.progress = profile_progress;
                popt.progress_ctx = &pr;
                profile_report_emit(&pr, 0);
            }
            /* the profile likelihood ratio at the truth: the significance of the truth that
             * does not assume a parabolic -ln L (the curved valleys of docs/fitting.md); a
             * parameter's interval and its ratio at the truth are one step of the progress */
            double ftruth;
            TRY(pf_fit_objective_fdf(obj, o->truth, &ftruth, NULL, st));
            o->profile_evaluations++;
            o->q_truth = 2.0 * (ftruth - o->res.fmin);
            for (size_t k = 0; k < nfree; k++) {
                long nf = 0;
                char why[256];
                pr.k = k;
                const int prc = pf_fit_profile_interval(nfree, &o->res, k, pf_fit_objective_fdf, obj, &popt,
                                                        &o->err_lo[k], &o->err_hi[k], &nf, why, sizeof why, st);
                o->profile_evaluations += nf;
                if (prc && prc != PF_ENOCONV) goto fail;
                if (prc && !o->profile_status[0])
                    snprintf(o->profile_status, sizeof o->profile_status, "%s: %s", card->fit.free[k], why);
                const double e = o->res.theta[k] > o->truth[k] ? o->err_lo[k] : o->err_hi[k];
                if (isfinite(e)) o->pull[k] = (o->res.theta[k] - o->truth[k]) / e;
                nf = 0;
                const int zrc = pf_fit_profile_at(nfree, &o->res, k, o->truth[k], pf_fit_objective_fdf, obj, &popt,
                                                  &o->z_truth[k], &nf, st);
                o->profile_evaluations += nf;
                if (zrc && zrc != PF_ENOCONV && zrc != PF_EDOMAIN) goto fail;
                if (zrc) {
                    o->z_truth[k] = NAN;
                    pf_status_clear(st);
                }
            }
            if (pr.fn) {
                pr.k = nfree;
                profile_report_emit(&pr, 1);
            }
            clock_gettime(CLOCK_MONOTONIC, &tp1);
            o->profile_seconds += (double)(tp1.tv_sec - tp0.tv_sec) + 1e-9 * (double)(tp1.tv_nsec - tp0.tv_nsec);
            if (isfinite(lower[nfree]) && o->profile_refits < PF_FIT_MAX_REFITS) {
                /* a profile fit went below f_min: the best fit was a local minimum.  As MINOS
                 * does, minimise again from the lowest such point and redo the intervals
                 * (docs/fitting.md "Uncertainties") */
                o->profile_refits++;
                o->refit_gain += o->res.fmin - lower[nfree];
                memcpy(refit_start, lower, nfree * sizeof *refit_start);
                pf_fit_result_free(&o->res);
                memset(&o->res, 0, sizeof o->res);
                opt.restart = NULL;
                continue;
            }
            if (!o->profile_status[0]) snprintf(o->profile_status, sizeof o->profile_status, "all ends found");
        } else if (cfg->profile) {
            snprintf(o->profile_status, sizeof o->profile_status, "not computed: the fit did not converge");
        }
        break;
    }
    if (o->profile_refits) {
        char note[200];
        snprintf(note, sizeof note, "; refitted %d time(s) from a profile point below the minimum (-ln L %.4g lower "
                 "in all)", o->profile_refits, o->refit_gain);
        const size_t l = strlen(o->profile_status);
        snprintf(o->profile_status + l, sizeof o->profile_status - l, "%s", note);
    }
    /* x f curves and closure metrics */
    ev = pf_evol_create(&p->lcard.theory, st);
    if (!ev) goto fail;
    for (int i = 0; i < NXPLOT; i++) o->x[i] = exp(log(1e-3) + (log(0.9) - log(1e-3)) * i / (NXPLOT - 1));
    for (size_t k = 0; k < nfree; k++) theta_all[idx[k]] = o->res.theta[k];
    TRY(pdf_curves(ev, pdf, theta_all, o->x, o->xf_fit_mu0, o->xf_fit, st));
    TRY(pdf_curves(ev, tpdf, truth_all, o->x, o->xf_true_mu0, o->xf_true, st));
    /* MSE (docs/fitting.md): mean over the x grid and the fitted input flavours at mu0 */
    int fitted[PF_NIN] = {0}, nfl = 0;
    for (size_t k = 0; k < nfree; k++)
        for (int j = 0; j < PF_NIN; j++) {
            size_t l = strlen(pf_flav_in_name[j]);
            if (!strncmp(card->fit.free[k], pf_flav_in_name[j], l) && card->fit.free[k][l] == '.') fitted[j] = 1;
        }
    double mse = 0.0;
    for (int j = 0; j < PF_NIN; j++)
        if (fitted[j]) {
            nfl++;
            for (int i = 0; i < NXPLOT; i++) {
                double d = o->xf_fit_mu0[i * PF_NIN + j] - o->xf_true_mu0[i * PF_NIN + j];
                mse += d * d;
            }
            snprintf(o->fitted_flavours + strlen(o->fitted_flavours),
                     sizeof o->fitted_flavours - strlen(o->fitted_flavours), "%s%s", o->fitted_flavours[0] ? "," : "",
                     pf_flav_in_name[j]);
        }
    o->mse = nfl ? mse / (nfl * NXPLOT) : 0.0;

    o->nbins = pf_like_nbins(p->lk);
    o->bins = p->info.bins;
    if (o->nbins) {
        /* data vs fit in the reconstructed (ln x, ln Q^2) bins: observed (weighted) counts
         * and the expectation L H_b . G at the best fit */
        const size_t nb = o->nbins, ng = p->info.ngrid;
        pf_like_data view;
        pf_like_view(p->lk, &view, NULL);
        o->hist_expected = malloc(nb * sizeof *o->hist_expected);
        o->hist_observed = malloc(nb * sizeof *o->hist_observed);
        if (!o->hist_expected || !o->hist_observed) FAIL(PF_ENOMEM, "cannot allocate %zu bins", nb);
        memcpy(o->hist_observed, pf_like_counts(p->lk), nb * sizeof *o->hist_observed);
        TRY(pf_pdf_set_params(pdf, theta_all, st));
        TRY(pf_ops_grid_values(p->ops, pdf, G, NULL, st));
        for (size_t b = 0; b < nb; b++) {
            double a = 0.0;
            for (size_t g = 0; g < ng; g++) a += view.H[b * ng + g] * G[g];
            o->hist_expected[b] = view.luminosity * a;
        }
    }
    /* both counts (issue 12): n_events is the observed (Poisson in luminosity mode) count;
     * the expected one is L c . G at the truth of the card and at the best fit */
    TRY(pf_pdf_set_params(pdf, truth_all, st));
    TRY(pf_ops_grid_values(p->ops, pdf, G, NULL, st));
    pf_like_nexp(p->lk, G, NULL, 0, &o->n_expected_truth, NULL);
    TRY(pf_pdf_set_params(pdf, theta_all, st));
    TRY(pf_ops_grid_values(p->ops, pdf, G, NULL, st));
    pf_like_nexp(p->lk, G, NULL, 0, &o->n_expected_fit, NULL);
    goto done;
fail:
    fitrc = st->code ? st->code : PF_EINTERNAL;
    pf_fit_outcome_free(o);
done:
    pf_fit_objective_destroy(obj);
    if (ev) pf_evol_destroy(ev);
    pf_pdf_destroy(pdf);
    pf_pdf_destroy(tpdf);
    free(theta_all);
    free(truth_all);
    free(sf_theta);
    free(sf_hess);
    free(G);
    return fitrc;
}
