/* The fit's objective: free parameters -> theta -> G, dG -> ln L and its exact gradient
 * (objective.h; ARCHITECTURE.md "theory as linear operators", grad ln L = dG . (W^T r - L c)). */
#include "partonflow/objective.h"

#include <stdlib.h>
#include <string.h>

#include "partonflow/cuda.h"
#include "partonflow/ops.h"
#include "partonflow/pdf.h"

struct pf_fit_objective {
    pf_like *lk;
    pf_cuda_like *glk;     /* the device copy of lk's events (use_cuda), or NULL */
    pf_cuda_gemm *gcache;  /* the device's grid-value product (pf_ops_set_gemm) */
    pf_ops *ops;
    pf_pdf *pdf;
    int histogram;
    size_t nall, nfree, ngrid;
    long *idx;             /* nfree indices into the full parameter vector */
    double *theta_all;     /* nall */
    double *G, *dG, *dGf;  /* dGf: the free parameters' rows of dG, compacted */
    double *theta_g;       /* nfree: where G and dGf were last computed */
    int have_g;            /* G, dGf hold the values at theta_g */
};

pf_fit_objective *pf_fit_objective_create(pf_like *lk, pf_ops *ops, const pf_pdf *pdf, size_t nfree,
                                          const long *idx, int method, int use_cuda, pf_status *st)
{
    if (!lk || !ops || !pdf) {
        pf_status_set(st, PF_EINVAL, "fit objective: a likelihood, a theory and a parametrisation are needed");
        return NULL;
    }
    if (method != PF_FIT_EVENTS && method != PF_FIT_HISTOGRAM) {
        pf_status_set(st, PF_EINVAL, "fit objective: method %d is neither events nor histogram", method);
        return NULL;
    }
    if (method == PF_FIT_HISTOGRAM && !pf_like_nbins(lk)) {
        pf_status_set(st, PF_EINVAL, "fit objective: the likelihood has no histogram operator for the histogram "
                                     "method");
        return NULL;
    }
    if (use_cuda && method == PF_FIT_HISTOGRAM) {
        pf_status_set(st, PF_EINVAL, "fit objective: the device runs only the event method");
        return NULL;
    }
    if (pf_like_ngrid(lk) != pf_ops_ngrid(ops)) {
        pf_status_set(st, PF_EFORMAT, "fit objective: the likelihood has %zu grid values, the theory %zu",
                      pf_like_ngrid(lk), pf_ops_ngrid(ops));
        return NULL;
    }
    const size_t nall = pf_pdf_nparams(pdf);
    if (!idx) nfree = nall;
    if (nfree > PF_FIT_NMAX) {
        pf_status_set(st, PF_EINVAL, "fit objective: %zu free parameters, at most %d", nfree, PF_FIT_NMAX);
        return NULL;
    }
    for (size_t k = 0; idx && k < nfree; k++)
        if (idx[k] < 0 || (size_t)idx[k] >= nall) {
            pf_status_set(st, PF_EINVAL, "fit objective: free parameter %zu has index %ld, expected 0..%zu", k,
                          idx[k], nall - 1);
            return NULL;
        }
    pf_fit_objective *o = calloc(1, sizeof *o);
    if (!o) {
        pf_status_set(st, PF_ENOMEM, "fit objective: out of memory");
        return NULL;
    }
    o->lk = lk;
    o->ops = ops;
    o->histogram = method == PF_FIT_HISTOGRAM;
    o->nall = nall;
    o->nfree = nfree;
    o->ngrid = pf_ops_ngrid(ops);
    o->pdf = pf_pdf_clone(pdf, st);
    if (!o->pdf) goto fail;
    o->idx = malloc((nfree ? nfree : 1) * sizeof *o->idx);
    o->theta_all = malloc(nall * sizeof *o->theta_all);
    o->G = malloc(o->ngrid * sizeof *o->G);
    o->dG = malloc(nall * o->ngrid * sizeof *o->dG);
    o->dGf = malloc((nfree ? nfree : 1) * o->ngrid * sizeof *o->dGf);
    o->theta_g = malloc((nfree ? nfree : 1) * sizeof *o->theta_g);
    if (!o->idx || !o->theta_all || !o->G || !o->dG || !o->dGf || !o->theta_g) {
        pf_status_set(st, PF_ENOMEM, "cannot allocate %zu x %zu gradients", nall, o->ngrid);
        goto fail;
    }
    for (size_t k = 0; k < nfree; k++) o->idx[k] = idx ? idx[k] : (long)k;
    pf_pdf_get_params(o->pdf, o->theta_all);
    if (use_cuda) {
        pf_like_data view;
        const double *wt;
        if (pf_like_view_rows(lk, &view, &wt, st)) goto fail;
        o->glk = pf_cuda_like_create(&view, 0, st);
        if (!o->glk) goto fail;
        if (pf_cuda_like_set_weights(o->glk, wt, st)) goto fail;
        pf_ops_set_gemm(ops, pf_cuda_gemm_cached, &o->gcache);
    }
    return o;
fail:
    pf_fit_objective_destroy(o);
    return NULL;
}

void pf_fit_objective_destroy(pf_fit_objective *o)
{
    if (!o) return;
    if (o->glk) pf_ops_set_gemm(o->ops, NULL, NULL);
    pf_cuda_like_destroy(o->glk);
    pf_cuda_gemm_destroy(o->gcache);
    pf_pdf_destroy(o->pdf);
    free(o->idx);
    free(o->theta_all);
    free(o->G);
    free(o->dG);
    free(o->dGf);
    free(o->theta_g);
    free(o);
}

size_t pf_fit_objective_nfree(const pf_fit_objective *o) { return o->nfree; }
size_t pf_fit_objective_nparams(const pf_fit_objective *o) { return o->nall; }
long pf_fit_objective_index(const pf_fit_objective *o, size_t k) { return k < o->nfree ? o->idx[k] : -1; }

int pf_fit_objective_set_all(pf_fit_objective *o, const double *theta_all, pf_status *st)
{
    if (pf_pdf_set_params(o->pdf, theta_all, st)) return st->code;
    memcpy(o->theta_all, theta_all, o->nall * sizeof *theta_all);
    o->have_g = 0;
    return PF_OK;
}

void pf_fit_objective_get_all(const pf_fit_objective *o, double *theta_all)
{
    memcpy(theta_all, o->theta_all, o->nall * sizeof *theta_all);
}

int pf_fit_objective_fdf(void *vo, const double *th, double *f, double *grad, pf_status *st)
{
    pf_fit_objective *c = vo;
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
         : c->glk     ? pf_cuda_like_events(c->glk, c->G, c->dGf, grad ? c->nfree : 0, &lnl, grad, st)
                      : pf_like_events(c->lk, c->G, c->dGf, grad ? c->nfree : 0, &lnl, grad, st);
    if (rc == PF_EDOMAIN && c->glk && !c->histogram) {
        /* the device names the event by its position in the held order (like.h
         * pf_like_view); the host pass on the same values names it in the caller's order */
        double l;
        pf_status hs;
        pf_status_clear(&hs);
        if (st && pf_like_events(c->lk, c->G, NULL, 0, &l, NULL, &hs) == PF_EDOMAIN) *st = hs;
    }
    if (rc) return rc;
    *f = -lnl;
    if (grad)
        for (size_t k = 0; k < c->nfree; k++) grad[k] = -grad[k];
    return PF_OK;
}

/* The metric of the scoring steps: the binned expected information at theta (like.h), from
 * G and dG of the last gradient evaluation when it was at theta (the minimiser asks right
 * after one), else computed here. */
int pf_fit_objective_metric(void *vo, const double *th, double *info, pf_status *st)
{
    pf_fit_objective *c = vo;
    if (!c->have_g || memcmp(th, c->theta_g, c->nfree * sizeof *th)) {
        double f, g[PF_FIT_NMAX];
        const int rc = pf_fit_objective_fdf(vo, th, &f, g, st);
        if (rc) return rc;
    }
    return pf_like_fisher_binned(c->lk, c->G, c->dGf, c->nfree, info, st);
}

int pf_fit_objective_lnl(pf_fit_objective *o, const double *th, double *lnl, double *grad, pf_status *st)
{
    double f;
    int rc = pf_fit_objective_fdf(o, th, &f, grad, st);
    if (rc == PF_EDOMAIN && !st->msg[0])
        pf_status_set(st, PF_EDOMAIN, "fit objective: parameters outside the parametrisation's allowed region");
    if (rc) return rc;
    *lnl = -f;
    if (grad)
        for (size_t k = 0; k < o->nfree; k++) grad[k] = -grad[k];
    return PF_OK;
}

int pf_fit_objective_nexp(pf_fit_objective *c, const double *th, double *nexp, double *grad, pf_status *st)
{
    for (size_t k = 0; k < c->nfree; k++) c->theta_all[c->idx[k]] = th[k];
    if (pf_pdf_set_params(c->pdf, c->theta_all, st)) return st->code;
    c->have_g = 0;
    int rc = pf_ops_grid_values(c->ops, c->pdf, c->G, grad ? c->dG : NULL, st);
    if (rc) return rc;
    if (grad)
        for (size_t k = 0; k < c->nfree; k++)
            memcpy(c->dGf + k * c->ngrid, c->dG + (size_t)c->idx[k] * c->ngrid, c->ngrid * sizeof *c->dGf);
    pf_like_nexp(c->lk, c->G, grad ? c->dGf : NULL, grad ? c->nfree : 0, nexp, grad);
    return PF_OK;
}

static int sync_device(pf_fit_objective *o, pf_status *st)
{
    if (!o->glk) return PF_OK;
    pf_like_data view;
    const double *wt;
    pf_like_view(o->lk, &view, &wt);
    return pf_cuda_like_set_weights(o->glk, wt, st);
}

int pf_fit_objective_set_weights(pf_fit_objective *o, const double *wt, pf_status *st)
{
    if (pf_like_set_weights(o->lk, wt, st)) return st->code;
    o->have_g = 0;
    return sync_device(o, st);
}

int pf_fit_objective_bootstrap(pf_fit_objective *o, uint64_t seed, uint64_t replica, pf_status *st)
{
    if (pf_like_bootstrap(o->lk, seed, replica, st)) return st->code;
    o->have_g = 0;
    return sync_device(o, st);
}
