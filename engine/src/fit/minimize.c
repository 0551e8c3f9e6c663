/* partonflow fit: BFGS2 minimisation of -ln L and Hessian uncertainties (fit.h). */
#include "partonflow/fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

/* An EDM below this also counts as converged when the line search can make no more
 * progress (GSL_ENOPROG): the remaining change of -ln L is far below its 1/2-per-sigma
 * scale, so the best fit is at the minimum to well under 1e-3 sigma. */
#define PF_FIT_EDM_OK 1e-7

void pf_fit_options_default(pf_fit_options *opt)
{
    opt->max_iter = 500;
    opt->gtol = 1e-3;
    opt->step = 0.01;
    opt->line_tol = 0.1;
    opt->hess_step = 1e-3;
}

void pf_fit_result_free(pf_fit_result *r)
{
    if (!r) return;
    free(r->theta); free(r->err); free(r->cov); free(r->corr); free(r->hess);
    free(r->hist_f); free(r->hist_gnorm); free(r->hist_theta);
    memset(r, 0, sizeof *r);
}

typedef struct wrap {
    pf_fit_fdf_fn fn;
    void *ctx;
    size_t n;
    int err;            /* first non-domain error of fn */
    pf_status st;
    /* preconditioning: theta = t0 + T z with T upper triangular (L^-T of the Cholesky
     * factor H0 = L L^T at the start), so that -ln L is ~ |z|^2 / 2 + const near the
     * minimum and the gradient in z measures the distance to it in standard deviations */
    const double *t0, *T;
} wrap;

static void z_to_theta(const wrap *w, const gsl_vector *v, double *theta)
{
    for (size_t i = 0; i < w->n; i++) {
        double t = w->t0[i];
        for (size_t j = i; j < w->n; j++) t += w->T[i * w->n + j] * gsl_vector_get(v, j);
        theta[i] = t;
    }
}

static void call(wrap *w, const gsl_vector *v, double *f, gsl_vector *g)
{
    double theta[PF_FIT_NMAX], grad[PF_FIT_NMAX];
    z_to_theta(w, v, theta);
    pf_status st = {0};
    double fv = 0.0;
    int rc = w->err ? w->err : w->fn(w->ctx, theta, &fv, g ? grad : NULL, &st);
    if (rc == PF_EDOMAIN) {
        fv = GSL_POSINF;
        for (size_t i = 0; i < w->n; i++) grad[i] = 0.0;
    } else if (rc) {
        if (!w->err) {
            w->err = rc;
            w->st = st;
        }
        fv = GSL_NAN;
        for (size_t i = 0; i < w->n; i++) grad[i] = GSL_NAN;
    }
    if (f) *f = fv;
    if (g)
        for (size_t j = 0; j < w->n; j++) { /* grad_z = T^T grad_theta */
            double t = 0.0;
            for (size_t i = 0; i <= j; i++) t += w->T[i * w->n + j] * grad[i];
            gsl_vector_set(g, j, t);
        }
}

static double cb_f(const gsl_vector *v, void *p)
{
    double f;
    call(p, v, &f, NULL);
    return f;
}
static void cb_df(const gsl_vector *v, void *p, gsl_vector *g)
{
    double f;
    call(p, v, &f, g);
}
static void cb_fdf(const gsl_vector *v, void *p, double *f, gsl_vector *g) { call(p, v, f, g); }

int pf_fit_hessian(size_t n, const double *theta, const double *h, pf_fit_fdf_fn fn, void *ctx, double *H,
                   pf_status *st)
{
    double *t = malloc(n * sizeof *t), *gp = malloc(n * sizeof *gp), *gm = malloc(n * sizeof *gm);
    if (!t || !gp || !gm) {
        free(t); free(gp); free(gm);
        return pf_status_set(st, PF_ENOMEM, "Hessian: cannot allocate %zu parameters", n);
    }
    memcpy(t, theta, n * sizeof *t);
    int rc = PF_OK;
    double f;
    for (size_t p = 0; p < n && !rc; p++) {
        t[p] = theta[p] + h[p];
        rc = fn(ctx, t, &f, gp, st);
        if (!rc) {
            t[p] = theta[p] - h[p];
            rc = fn(ctx, t, &f, gm, st);
        }
        t[p] = theta[p];
        if (!rc)
            for (size_t q = 0; q < n; q++) H[p * n + q] = (gp[q] - gm[q]) / (2.0 * h[p]);
    }
    if (rc == PF_EDOMAIN)
        pf_status_prefix(st, "Hessian: a step of the central differences leaves the allowed region: ");
    if (!rc)
        for (size_t p = 0; p < n; p++)
            for (size_t q = p + 1; q < n; q++) {
                const double a = 0.5 * (H[p * n + q] + H[q * n + p]);
                H[p * n + q] = H[q * n + p] = a;
            }
    free(t); free(gp); free(gm);
    return rc;
}

int pf_fit_covariance(size_t n, const double *H, double *cov, double *err, double *corr, pf_status *st)
{
    gsl_matrix *m = gsl_matrix_alloc(n, n);
    if (!m) return pf_status_set(st, PF_ENOMEM, "covariance: cannot allocate %zu x %zu", n, n);
    for (size_t p = 0; p < n; p++)
        for (size_t q = 0; q < n; q++) gsl_matrix_set(m, p, q, H[p * n + q]);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(m);
    if (!rc) rc = gsl_linalg_cholesky_invert(m);
    gsl_set_error_handler(old);
    if (rc) {
        gsl_matrix_free(m);
        for (size_t k = 0; k < n * n; k++) cov[k] = corr[k] = NAN;
        for (size_t p = 0; p < n; p++) err[p] = NAN;
        return pf_status_set(st, PF_ENOCONV, "the Hessian of -ln L is not positive definite: no minimum");
    }
    for (size_t p = 0; p < n; p++)
        for (size_t q = 0; q < n; q++) cov[p * n + q] = gsl_matrix_get(m, p, q);
    gsl_matrix_free(m);
    for (size_t p = 0; p < n; p++) err[p] = sqrt(cov[p * n + p]);
    for (size_t p = 0; p < n; p++)
        for (size_t q = 0; q < n; q++) corr[p * n + q] = cov[p * n + q] / (err[p] * err[q]);
    return PF_OK;
}

static int push_hist(pf_fit_result *r, size_t cap, const wrap *w, const gsl_vector *x, double f,
                     const gsl_vector *g)
{
    if (r->nhist >= cap) return 0;
    const size_t n = r->n;
    r->hist_f[r->nhist] = f;
    r->hist_gnorm[r->nhist] = gsl_blas_dnrm2(g);
    z_to_theta(w, x, r->hist_theta + r->nhist * n);
    r->nhist++;
    return 0;
}

int pf_fit_minimize(size_t n, const double *start, pf_fit_fdf_fn fn, void *ctx, const pf_fit_options *opt_in,
                    pf_fit_result *res, pf_status *st)
{
    pf_fit_options opt;
    if (opt_in) opt = *opt_in; else pf_fit_options_default(&opt);
    memset(res, 0, sizeof *res);
    if (n == 0 || n > PF_FIT_NMAX)
        return pf_status_set(st, PF_EINVAL, "fit: %zu free parameters, expected 1 .. %d", n, PF_FIT_NMAX);
    const size_t cap = (size_t)opt.max_iter + 1;
    res->n = n;
    res->theta = malloc(n * sizeof(double));
    res->err = malloc(n * sizeof(double));
    res->cov = malloc(n * n * sizeof(double));
    res->corr = malloc(n * n * sizeof(double));
    res->hess = malloc(n * n * sizeof(double));
    res->hist_f = malloc(cap * sizeof(double));
    res->hist_gnorm = malloc(cap * sizeof(double));
    res->hist_theta = malloc(cap * n * sizeof(double));
    if (!res->theta || !res->err || !res->cov || !res->corr || !res->hess || !res->hist_f || !res->hist_gnorm ||
        !res->hist_theta) {
        pf_fit_result_free(res);
        return pf_status_set(st, PF_ENOMEM, "fit: cannot allocate the result");
    }
    double *T = calloc(n * n, sizeof *T), *H0 = malloc(n * n * sizeof *H0), *h0 = malloc(n * sizeof *h0);
    if (!T || !H0 || !h0) {
        free(T); free(H0); free(h0);
        pf_fit_result_free(res);
        return pf_status_set(st, PF_ENOMEM, "fit: cannot allocate the preconditioner");
    }
    wrap w = {.fn = fn, .ctx = ctx, .n = n, .t0 = start, .T = T};
    /* the starting point must be valid: otherwise the fit cannot even start */
    {
        double f0, *g0 = malloc(n * sizeof *g0);
        int rc = g0 ? fn(ctx, start, &f0, g0, st) : pf_status_set(st, PF_ENOMEM, "fit: no memory");
        free(g0);
        if (rc) {
            pf_status_prefix(st, "fit: at the starting point: ");
            free(T); free(H0); free(h0);
            pf_fit_result_free(res);
            return rc;
        }
    }
    {
        /* Hessian at the start: T = L^-T if positive definite, else the diagonal scales */
        for (size_t i = 0; i < n; i++) h0[i] = 1e-4 * fmax(fabs(start[i]), 0.1);
        pf_status hs = {0};
        int pd = 0;
        if (!pf_fit_hessian(n, start, h0, fn, ctx, H0, &hs)) {
            gsl_matrix_view L = gsl_matrix_view_array(H0, n, n);
            gsl_error_handler_t *o = gsl_set_error_handler_off();
            pd = !gsl_linalg_cholesky_decomp1(&L.matrix);
            if (pd) {
                /* T = L^-T: invert the lower factor, transpose */
                gsl_matrix *Li = gsl_matrix_alloc(n, n);
                gsl_matrix_set_identity(Li);
                gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L.matrix, Li);
                for (size_t i = 0; i < n; i++)
                    for (size_t j = 0; j < n; j++) T[i * n + j] = j >= i ? gsl_matrix_get(Li, j, i) : 0.0;
                gsl_matrix_free(Li);
            }
            gsl_set_error_handler(o);
        }
        if (!pd)
            for (size_t i = 0; i < n; i++) {
                /* H0 was overwritten by a failed factorisation: recompute the diagonal scale */
                T[i * n + i] = 1e-2 * fmax(fabs(start[i]), 0.1);
            }
    }
    gsl_multimin_function_fdf fdf = {.f = cb_f, .df = cb_df, .fdf = cb_fdf, .n = n, .params = &w};
    gsl_vector *x = gsl_vector_alloc(n);
    gsl_vector_set_zero(x);
    gsl_multimin_fdfminimizer *m = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_multimin_fdfminimizer_set(m, &fdf, x, opt.step, opt.line_tol);
    push_hist(res, cap, &w, m->x, m->f, m->gradient);
    int status = GSL_CONTINUE, gtest = GSL_CONTINUE, it = 0;
    gtest = gsl_multimin_test_gradient(m->gradient, opt.gtol);
    while (gtest == GSL_CONTINUE && it < opt.max_iter) {
        it++;
        status = gsl_multimin_fdfminimizer_iterate(m);
        if (w.err) break;
        push_hist(res, cap, &w, m->x, m->f, m->gradient);
        gtest = gsl_multimin_test_gradient(m->gradient, opt.gtol);
        if (status) break; /* GSL_ENOPROG: the line search cannot lower f any more */
    }
    gsl_set_error_handler(old);
    res->iterations = it;
    res->fmin = m->f;
    const double gz = gsl_blas_dnrm2(m->gradient);
    z_to_theta(&w, m->x, res->theta);
    double *grad = malloc(n * sizeof *grad), fdummy;
    pf_status gs = {0};
    if (fn(ctx, res->theta, &fdummy, grad, &gs)) /* the gradient in theta at the best fit */
        for (size_t i = 0; i < n; i++) grad[i] = NAN;
    res->gnorm = 0.0;
    for (size_t i = 0; i < n; i++) res->gnorm += grad[i] * grad[i];
    res->gnorm = sqrt(res->gnorm);
    free(T); free(H0); free(h0);
    gsl_multimin_fdfminimizer_free(m);
    gsl_vector_free(x);
    if (w.err) {
        free(grad);
        if (st) *st = w.st;
        pf_status_prefix(st, "fit: ");
        pf_fit_result_free(res);
        return w.err;
    }
    /* Hessian: first with steps from the parameter scale, then with steps set by the
     * resulting errors, so that the differences probe -ln L on its own scale. */
    double *h = malloc(n * sizeof *h);
    for (size_t i = 0; i < n; i++) h[i] = 1e-4 * fmax(fabs(res->theta[i]), 0.1);
    pf_status hst = {0};
    int hrc = pf_fit_hessian(n, res->theta, h, fn, ctx, res->hess, &hst);
    if (!hrc) hrc = pf_fit_covariance(n, res->hess, res->cov, res->err, res->corr, &hst);
    if (!hrc) {
        for (size_t i = 0; i < n; i++) h[i] = opt.hess_step * res->err[i];
        hrc = pf_fit_hessian(n, res->theta, h, fn, ctx, res->hess, &hst);
        if (!hrc) hrc = pf_fit_covariance(n, res->hess, res->cov, res->err, res->corr, &hst);
    }
    free(h);
    res->edm = NAN;
    if (!hrc) {
        double e = 0.0;
        for (size_t p = 0; p < n; p++)
            for (size_t q = 0; q < n; q++) e += grad[p] * res->cov[p * n + q] * grad[q];
        res->edm = 0.5 * e;
    }
    free(grad);
    if (hrc && hrc != PF_ENOCONV && hrc != PF_EDOMAIN) {
        if (st) *st = hst;
        pf_fit_result_free(res);
        return hrc;
    }
    const int gok = gtest == GSL_SUCCESS || (status == GSL_ENOPROG && !hrc && res->edm < PF_FIT_EDM_OK);
    res->converged = gok && !hrc;
    if (res->converged)
        snprintf(res->message, sizeof res->message, "converged after %d iterations: |grad| = %.3g, EDM = %.3g", it,
                 res->gnorm, res->edm);
    else if (hrc)
        snprintf(res->message, sizeof res->message, "not converged: %.200s", hst.msg);
    else if (it >= opt.max_iter)
        snprintf(res->message, sizeof res->message,
                 "not converged: %d iterations reached with |grad_z| = %.3g > %.3g", it, gz, opt.gtol);
    else
        snprintf(res->message, sizeof res->message,
                 "not converged: line search stalled (%s) at |grad| = %.3g, EDM = %.3g", gsl_strerror(status),
                 res->gnorm, res->edm);
    if (!res->converged) return pf_status_set(st, PF_ENOCONV, "fit %s", res->message);
    return PF_OK;
}
