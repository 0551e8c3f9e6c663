/* partonflow fit: BFGS2 minimisation of -ln L and Hessian uncertainties (fit.h). */
#include "partonflow/fit.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

/* The minimiser in phases (docs/fitting.md, "fit"):
 *  0. with a caller's metric I (fit.h pf_fit_metric_fn, e.g. the binned Fisher
 *     information): scoring steps theta -= alpha I^-1 g, backtracking (Armijo) from
 *     alpha = 1, while sqrt(g^T I^-1 g) >= bfgs_gtol (at most max_scoring steps);
 *  1. preconditioner: the last I, else the Hessian H0 near the start (given by the
 *     caller, e.g. the central fit's for a bootstrap replica, or by forward differences of
 *     the exact gradient, n gradients), made positive definite if it is not (eigenvalues
 *     |lambda|, floored);
 *     theta = theta0 + T z, T = L^-T (H0 = L L^T), so that -ln L ~ |z|^2 / 2 + const;
 *  2. GSL vector BFGS2 in z, first trial step = the Newton step length |grad_z| (a
 *     unit-Hessian guess), Fletcher's line search with curvature parameter line_tol
 *     (0.9 for quasi-Newton methods: the unit step is accepted almost always), until
 *     |grad_z| < bfgs_gtol (standard deviations);
 *  3. the Hessian H at that point by central differences of the exact gradient (2n
 *     gradients, steps hess_step x the H0 errors), then Newton steps theta -= H^-1 g with
 *     the same H while they lower f, until EDM = g^T H^-1 g / 2 < gtol^2 / 2 (the distance
 *     to the minimum in the metric of H below gtol standard deviations).  If the Newton
 *     steps moved more than PF_FIT_REHESS standard deviations, H is taken again at the end
 *     so that the errors are those of the best fit.
 * Each phase is deterministic, so the fit is as reproducible as f itself.  The last point
 * evaluated is cached: GSL's set-up and the phases revisit points, and f is deterministic. */
#define PF_FIT_F_FLOOR 64.0 /* the rounding floor of f = -ln L, in units of eps |f| */
#define PF_FIT_REHESS 0.02
#define PF_FIT_NEWTON_MAX 8

void pf_fit_options_default(pf_fit_options *opt)
{
    opt->max_iter = 500;
    opt->gtol = 1e-3;
    opt->bfgs_gtol = 1e-2;
    opt->step = 0.0;
    opt->line_tol = 0.9;
    opt->hess_step = 1e-3;
    opt->hess0 = NULL;
    opt->metric = NULL;
    opt->max_scoring = 50;
    opt->restart = NULL;
    opt->progress = NULL;
    opt->progress_ctx = NULL;
}

void pf_fit_result_free(pf_fit_result *r)
{
    if (!r) return;
    free(r->theta); free(r->err); free(r->cov); free(r->corr); free(r->hess);
    free(r->hist_f); free(r->hist_gnorm); free(r->hist_theta);
    memset(r, 0, sizeof *r);
}

/* The last evaluation of fn, reused when the same theta comes again (same bits), and what
 * the progress reports say (fit.h pf_fit_options.progress; they only read this state). */
typedef struct memo {
    pf_fit_fdf_fn fn;
    void *ctx;
    size_t n;
    int valid, have_g, rc;
    double theta[PF_FIT_NMAX], f, g[PF_FIT_NMAX];
    pf_status st;
    long nfev;
    pf_progress_fn progress;    /* nullable */
    void *progress_ctx;
    const char *stage;
    size_t cols_done, cols;     /* cols > 0: a Hessian by finite differences is being taken */
    long it;                    /* the last iterate: its iteration, f and EDM estimate */
    double f_it, edm_it;
} memo;

static void report(const memo *m, int final)
{
    if (!m->progress) return;
    const pf_progress p = {m->cols ? "Hessian" : m->stage, m->cols ? "columns" : "evaluations",
                           m->cols ? m->cols_done : (uint64_t)m->nfev, m->cols, final, m->it, m->f_it, m->edm_it};
    m->progress(m->progress_ctx, &p);
}

/* a new iterate: iteration it, f, and its distance to the minimum in standard deviations
 * (NaN: not known yet), i.e. EDM = dist^2 / 2 */
static void iterate(memo *m, long it, double f, double dist)
{
    m->it = it;
    m->f_it = f;
    m->edm_it = 0.5 * dist * dist;
}

static int eval(memo *m, const double *theta, double *f, double *grad, pf_status *st)
{
    if (!(m->valid && (m->have_g || !grad) && !memcmp(theta, m->theta, m->n * sizeof *theta))) {
        pf_status s = {0};
        m->nfev++;
        m->rc = m->fn(m->ctx, theta, &m->f, grad ? m->g : NULL, &s);
        m->st = s;
        m->valid = 1;
        m->have_g = grad != NULL;
        memcpy(m->theta, theta, m->n * sizeof *theta);
        report(m, 0);
    }
    if (m->rc) {
        if (st) *st = m->st;
        return m->rc;
    }
    *f = m->f;
    if (grad) memcpy(grad, m->g, m->n * sizeof *grad);
    return PF_OK;
}

typedef struct wrap {
    memo *m;
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
    int rc = w->err ? w->err : eval(w->m, theta, &fv, g ? grad : NULL, &st);
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

/* Hessian of f at theta from the exact gradient: central differences (2n gradients) or,
 * with g0 = grad f(theta) given, forward differences (n gradients); symmetrised.  Where one
 * step of a column leaves the allowed region (PF_EDOMAIN: a best fit next to the exponent
 * limit of the theory grid, docs/fitting.md "Local minima") that column is the one-sided
 * difference towards the other side; only when both sides are outside is it an error. */
static int hess_diff(memo *m, const double *theta, const double *h, const double *g0, double *H, pf_status *st)
{
    const size_t n = m->n;
    double t[PF_FIT_NMAX], gp[PF_FIT_NMAX], gm[PF_FIT_NMAX], gc[PF_FIT_NMAX], f;
    const double *gt = g0; /* grad f(theta), computed when a one-sided column needs it */
    memcpy(t, theta, n * sizeof *t);
    int rc = PF_OK;
    m->cols = n;
    m->cols_done = 0;
    report(m, 0);
    for (size_t p = 0; p < n && !rc; p++) {
        m->cols_done = p;
        t[p] = theta[p] + h[p];
        int rp = eval(m, t, &f, gp, st), rm = PF_EDOMAIN + 1;
        if (rp && rp != PF_EDOMAIN) rc = rp;
        if (!rc && (!g0 || rp)) {
            t[p] = theta[p] - h[p];
            rm = eval(m, t, &f, gm, st);
            if (rm && rm != PF_EDOMAIN) rc = rm;
        }
        t[p] = theta[p];
        if (rc) break;
        if (rp && rm) { /* both sides outside */
            rc = PF_EDOMAIN;
            break;
        }
        if (!rp && !rm) { /* central */
            for (size_t q = 0; q < n; q++) H[p * n + q] = (gp[q] - gm[q]) / (2.0 * h[p]);
            continue;
        }
        if (!gt) {
            if ((rc = eval(m, theta, &f, gc, st))) break;
            gt = gc;
        }
        for (size_t q = 0; q < n; q++) H[p * n + q] = !rp ? (gp[q] - gt[q]) / h[p] : (gt[q] - gm[q]) / h[p];
    }
    if (!rc) {
        m->cols_done = n;
        report(m, 1);
    }
    m->cols = 0;
    if (rc == PF_EDOMAIN)
        pf_status_prefix(st, "Hessian: a step of the finite differences leaves the allowed region: ");
    if (!rc)
        for (size_t p = 0; p < n; p++)
            for (size_t q = p + 1; q < n; q++) {
                const double a = 0.5 * (H[p * n + q] + H[q * n + p]);
                H[p * n + q] = H[q * n + p] = a;
            }
    return rc;
}

int pf_fit_hessian(size_t n, const double *theta, const double *h, pf_fit_fdf_fn fn, void *ctx, double *H,
                   pf_status *st)
{
    if (n == 0 || n > PF_FIT_NMAX)
        return pf_status_set(st, PF_EINVAL, "Hessian: %zu parameters, expected 1 .. %d", n, PF_FIT_NMAX);
    memo m = {.fn = fn, .ctx = ctx, .n = n};
    return hess_diff(&m, theta, h, NULL, H, st);
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

/* Preconditioner from a Hessian estimate H0 (n x n): T = L^-T of the Cholesky factor of H0
 * made positive definite (eigenvalues replaced by max(|lambda|, 1e-10 max|lambda|): the
 * valley directions keep their scale, a negative curvature far from the minimum becomes a
 * positive one of the same size).  err0 = sqrt(diag H0^-1): the error estimate that sets
 * the Hessian steps.  Returns 0 on success, -1 when H0 is unusable (zero, NaN). */
static int precondition(size_t n, const double *H0, double *T, double *err0)
{
    int ok = 1;
    for (size_t k = 0; k < n * n; k++) ok &= isfinite(H0[k]) != 0;
    if (!ok) return -1;
    gsl_matrix *A = gsl_matrix_alloc(n, n), *V = gsl_matrix_alloc(n, n), *Li = gsl_matrix_alloc(n, n);
    gsl_vector *lam = gsl_vector_alloc(n);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
    int rc = -1;
    if (!A || !V || !Li || !lam || !ws) goto done;
    for (size_t i = 0; i < n * n; i++) A->data[i] = H0[i];
    gsl_error_handler_t *o = gsl_set_error_handler_off();
    if (gsl_linalg_cholesky_decomp1(A)) {
        /* not positive definite: rebuild from the modified spectrum, V diag(|l|) V^T */
        for (size_t i = 0; i < n * n; i++) A->data[i] = H0[i];
        if (gsl_eigen_symmv(A, lam, V, ws)) goto restore;
        double lmax = 0.0;
        for (size_t i = 0; i < n; i++) lmax = fmax(lmax, fabs(gsl_vector_get(lam, i)));
        if (!(lmax > 0.0)) goto restore;
        for (size_t i = 0; i < n; i++) gsl_vector_set(lam, i, fmax(fabs(gsl_vector_get(lam, i)), 1e-10 * lmax));
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double a = 0.0;
                for (size_t k = 0; k < n; k++)
                    a += gsl_matrix_get(V, i, k) * gsl_vector_get(lam, k) * gsl_matrix_get(V, j, k);
                gsl_matrix_set(A, i, j, a);
            }
        if (gsl_linalg_cholesky_decomp1(A)) goto restore;
    }
    gsl_matrix_set_identity(Li);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, A, Li); /* Li = L^-1 */
    for (size_t i = 0; i < n; i++) {
        double e = 0.0; /* (H0^-1)_ii = sum_k (L^-1)_ki^2 */
        for (size_t j = 0; j < n; j++) {
            T[i * n + j] = j >= i ? gsl_matrix_get(Li, j, i) : 0.0;
            e += gsl_matrix_get(Li, j, i) * gsl_matrix_get(Li, j, i);
        }
        err0[i] = sqrt(e);
    }
    rc = 0;
restore:
    gsl_set_error_handler(o);
done:
    gsl_matrix_free(A); gsl_matrix_free(V); gsl_matrix_free(Li); gsl_vector_free(lam);
    if (ws) gsl_eigen_symmv_free(ws);
    return rc;
}

/* delta = -I^-1 g by Cholesky; returns -1 when I is not positive definite. */
static int solve_metric(size_t n, const double *I, const double *g, double *delta)
{
    double a[PF_FIT_NMAX * PF_FIT_NMAX], b[PF_FIT_NMAX];
    memcpy(a, I, n * n * sizeof *a);
    for (size_t i = 0; i < n; i++) b[i] = -g[i];
    gsl_matrix_view A = gsl_matrix_view_array(a, n, n);
    gsl_vector_view B = gsl_vector_view_array(b, n);
    gsl_vector_view D = gsl_vector_view_array(delta, n);
    gsl_error_handler_t *o = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(&A.matrix);
    if (!rc) rc = gsl_linalg_cholesky_solve(&A.matrix, &B.vector, &D.vector);
    gsl_set_error_handler(o);
    for (size_t i = 0; i < n && !rc; i++)
        if (!isfinite(delta[i])) rc = -1;
    return rc ? -1 : 0;
}

static void push_theta(pf_fit_result *r, size_t cap, const double *theta, double f, double gnorm)
{
    if (r->nhist >= cap) return;
    r->hist_f[r->nhist] = f;
    r->hist_gnorm[r->nhist] = gnorm;
    memcpy(r->hist_theta + r->nhist * r->n, theta, r->n * sizeof *theta);
    r->nhist++;
}

/* g^T cov g */
static double quad(size_t n, const double *cov, const double *g)
{
    double e = 0.0;
    for (size_t p = 0; p < n; p++)
        for (size_t q = 0; q < n; q++) e += g[p] * cov[p * n + q] * g[q];
    return e;
}

static int minimize_from(size_t n, const double *start, pf_fit_fdf_fn fn, void *ctx, const pf_fit_options *opt_in,
                         const char *stage, pf_fit_result *res, pf_status *st)
{
    pf_fit_options opt;
    if (opt_in) opt = *opt_in; else pf_fit_options_default(&opt);
    memset(res, 0, sizeof *res);
    if (n == 0 || n > PF_FIT_NMAX)
        return pf_status_set(st, PF_EINVAL, "fit: %zu free parameters, expected 1 .. %d", n, PF_FIT_NMAX);
    if (opt.max_iter < 1) opt.max_iter = 1;
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
    memo mm = {.fn = fn, .ctx = ctx, .n = n, .progress = opt.progress, .progress_ctx = opt.progress_ctx,
               .stage = stage, .f_it = NAN, .edm_it = NAN};
    double T[PF_FIT_NMAX * PF_FIT_NMAX] = {0}, err0[PF_FIT_NMAX], g0[PF_FIT_NMAX], f0, h[PF_FIT_NMAX];
    /* the starting point must be valid: otherwise the fit cannot even start */
    int rc = eval(&mm, start, &f0, g0, st);
    if (rc) {
        pf_status_prefix(st, "fit: at the starting point: ");
        pf_fit_result_free(res);
        res->nfev = mm.nfev; /* the evaluations made, also on failure */
        return rc;
    }
    double x0[PF_FIT_NMAX], Im[PF_FIT_NMAX * PF_FIT_NMAX];
    const double *hess0 = opt.hess0;
    memcpy(x0, start, n * sizeof *x0);
    int it = 0;
    const double btol = fmax(opt.bfgs_gtol, opt.gtol);
    push_theta(res, cap, start, f0, NAN);
    iterate(&mm, 0, f0, NAN);
    /* phase 0: scoring steps x -= I^-1 g with the caller's metric and a backtracking line
     * search (Armijo), while the predicted distance sqrt(g^T I^-1 g) exceeds btol */
    for (int k = 0; opt.metric && k < opt.max_scoring && it < opt.max_iter; k++) {
        double delta[PF_FIT_NMAX], xt[PF_FIT_NMAX], ft, gt[PF_FIT_NMAX];
        pf_status ms = {0};
        if (opt.metric(ctx, x0, Im, &ms) || solve_metric(n, Im, g0, delta)) break;
        hess0 = Im;
        double slope = 0.0; /* g . delta = -g^T I^-1 g */
        for (size_t i = 0; i < n; i++) slope += g0[i] * delta[i];
        /* history entry of x0 (the start, or the last accepted step): its own predicted
         * distance sqrt(g^T I^-1 g), known only now */
        if (slope < 0.0) {
            res->hist_gnorm[res->nhist - 1] = sqrt(-slope);
            iterate(&mm, it, f0, sqrt(-slope));
        }
        if (!(slope < 0.0) || -slope < btol * btol) break;
        double alpha = 1.0;
        int accepted = 0;
        for (int ls = 0; ls < 12 && !accepted; ls++) {
            for (size_t i = 0; i < n; i++) xt[i] = x0[i] + alpha * delta[i];
            pf_status es = {0};
            int erc = eval(&mm, xt, &ft, gt, &es);
            if (erc && erc != PF_EDOMAIN) {
                if (st) *st = es;
                pf_status_prefix(st, "fit: ");
                pf_fit_result_free(res);
                res->nfev = mm.nfev; /* the evaluations made, also on failure */
                return erc;
            }
            if (!erc && ft <= f0 + 1e-4 * alpha * slope) {
                accepted = 1;
                break;
            }
            /* minimum of the parabola through f0, slope and ft, within [0.1, 0.5] alpha */
            double an = erc || !isfinite(ft) ? 0.25 * alpha
                                             : -slope * alpha * alpha / (2.0 * (ft - f0 - slope * alpha));
            alpha = fmin(fmax(an, 0.1 * alpha), 0.5 * alpha);
        }
        if (!accepted) break;
        it++;
        memcpy(x0, xt, n * sizeof *x0);
        memcpy(g0, gt, n * sizeof *g0);
        f0 = ft;
        push_theta(res, cap, x0, f0, NAN); /* its distance: the next step's slope, or BFGS below */
        iterate(&mm, it, f0, NAN);
    }
    /* phase 1: preconditioner */
    {
        int ok = -1;
        if (hess0) ok = precondition(n, hess0, T, err0);
        if (ok) {
            double *H0 = res->hess; /* scratch until phase 3 */
            pf_status hs = {0};
            for (size_t i = 0; i < n; i++) h[i] = 1e-4 * fmax(fabs(x0[i]), 0.1);
            if (!hess_diff(&mm, x0, h, g0, H0, &hs)) ok = precondition(n, H0, T, err0);
        }
        if (ok) /* no usable curvature (e.g. f linear): the parameter scales */
            for (size_t i = 0; i < n; i++) {
                T[i * n + i] = 1e-2 * fmax(fabs(x0[i]), 0.1);
                err0[i] = T[i * n + i];
            }
    }
    /* phase 2: BFGS2 in z */
    wrap w = {.m = &mm, .n = n, .t0 = x0, .T = T};
    gsl_multimin_function_fdf fdf = {.f = cb_f, .df = cb_df, .fdf = cb_fdf, .n = n, .params = &w};
    gsl_vector *x = gsl_vector_alloc(n);
    gsl_multimin_fdfminimizer *m = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n);
    if (!x || !m) {
        gsl_vector_free(x);
        if (m) gsl_multimin_fdfminimizer_free(m);
        pf_fit_result_free(res);
        res->nfev = mm.nfev; /* the evaluations made, also on failure */
        return pf_status_set(st, PF_ENOMEM, "fit: cannot allocate the minimiser");
    }
    gsl_vector_set_zero(x);
    double gz0 = 0.0; /* |grad_z| at the start = T^T g0 */
    for (size_t j = 0; j < n; j++) {
        double t = 0.0;
        for (size_t i = 0; i <= j; i++) t += T[i * n + j] * g0[i];
        gz0 += t * t;
    }
    gz0 = sqrt(gz0);
    const double step = opt.step > 0.0 ? opt.step : fmin(fmax(gz0, 1e-3), 10.0);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_multimin_fdfminimizer_set(m, &fdf, x, step, opt.line_tol);
    /* the point BFGS starts from has no distance yet when scoring ended without another
     * slope there (or did not run): its preconditioned gradient norm */
    if (res->nhist >= 1 && !isfinite(res->hist_gnorm[res->nhist - 1]))
        res->hist_gnorm[res->nhist - 1] = gsl_blas_dnrm2(m->gradient);
    int status = GSL_SUCCESS;
    while (!w.err && gsl_multimin_test_gradient(m->gradient, btol) == GSL_CONTINUE && it < opt.max_iter) {
        it++;
        status = gsl_multimin_fdfminimizer_iterate(m);
        if (w.err) break;
        double th[PF_FIT_NMAX];
        z_to_theta(&w, m->x, th);
        push_theta(res, cap, th, m->f, gsl_blas_dnrm2(m->gradient));
        iterate(&mm, it, m->f, gsl_blas_dnrm2(m->gradient));
        if (status) break; /* GSL_ENOPROG: the line search cannot lower f any more */
    }
    gsl_set_error_handler(old);
    const double gz = gsl_blas_dnrm2(m->gradient);
    z_to_theta(&w, m->x, res->theta);
    res->fmin = m->f;
    gsl_multimin_fdfminimizer_free(m);
    gsl_vector_free(x);
    if (w.err) {
        if (st) *st = w.st;
        pf_status_prefix(st, "fit: ");
        pf_fit_result_free(res);
        res->nfev = mm.nfev; /* the evaluations made, also on failure */
        return w.err;
    }
    /* phase 3: Hessian at the BFGS point, Newton steps with it, errors */
    double grad[PF_FIT_NMAX], f = res->fmin;
    pf_status hst = {0};
    int hrc = eval(&mm, res->theta, &f, grad, &hst);
    if (hrc && hrc != PF_EDOMAIN) {
        if (st) *st = hst;
        pf_fit_result_free(res);
        res->nfev = mm.nfev; /* the evaluations made, also on failure */
        return hrc;
    }
    double moved = 0.0; /* Newton displacement since the Hessian, in its standard deviations */
    if (!hrc) {
        for (size_t i = 0; i < n; i++) h[i] = opt.hess_step * err0[i];
        hrc = hess_diff(&mm, res->theta, h, NULL, res->hess, &hst);
        if (!hrc) hrc = pf_fit_covariance(n, res->hess, res->cov, res->err, res->corr, &hst);
        int off = 0; /* steps far from the resulting errors: the differences probed another scale */
        for (size_t i = 0; !hrc && i < n; i++) off |= !(err0[i] < 3.0 * res->err[i] && res->err[i] < 3.0 * err0[i]);
        if (!hrc && off) {
            for (size_t i = 0; i < n; i++) h[i] = opt.hess_step * res->err[i];
            hrc = hess_diff(&mm, res->theta, h, NULL, res->hess, &hst);
            if (!hrc) hrc = pf_fit_covariance(n, res->hess, res->cov, res->err, res->corr, &hst);
        }
    }
    const double edm_tol = 0.5 * opt.gtol * opt.gtol;
    for (int k = 0; !hrc && k < PF_FIT_NEWTON_MAX && it < opt.max_iter; k++) {
        const double edm = 0.5 * quad(n, res->cov, grad);
        if (edm < edm_tol) break;
        double tn[PF_FIT_NMAX], fn_, gn[PF_FIT_NMAX];
        for (size_t p = 0; p < n; p++) {
            double d = 0.0;
            for (size_t q = 0; q < n; q++) d -= res->cov[p * n + q] * grad[q];
            tn[p] = res->theta[p] + d;
        }
        pf_status ns = {0};
        int nrc = eval(&mm, tn, &fn_, gn, &ns);
        if (nrc && nrc != PF_EDOMAIN) {
            if (st) *st = ns;
            pf_status_prefix(st, "fit: ");
            pf_fit_result_free(res);
            res->nfev = mm.nfev; /* the evaluations made, also on failure */
            return nrc;
        }
        /* progress: f lower, or, where the step's predicted decrease is below the rounding
         * floor of f itself (-ln L of 1e8 events is ~1e9, summed to ~eps |f| log n ~ 1e-6),
         * f unchanged within that floor and the distance to the minimum in the metric of H
         * smaller: the exact gradient still tells */
        const double floor_f = PF_FIT_F_FLOOR * DBL_EPSILON * fabs(f);
        if (nrc || !(fn_ < f || (edm < floor_f && fn_ - f <= floor_f && 0.5 * quad(n, res->cov, gn) < 0.25 * edm)))
            break; /* no further progress */
        it++;
        moved += sqrt(2.0 * edm);
        memcpy(res->theta, tn, n * sizeof *tn);
        memcpy(grad, gn, n * sizeof *gn);
        f = fn_;
        push_theta(res, cap, tn, f, sqrt(quad(n, res->cov, grad)));
        iterate(&mm, it, f, sqrt(quad(n, res->cov, grad)));
    }
    if (!hrc && moved > PF_FIT_REHESS) {
        /* the best fit moved away from where H was taken: take it again there */
        for (size_t i = 0; i < n; i++) h[i] = opt.hess_step * res->err[i];
        hrc = hess_diff(&mm, res->theta, h, NULL, res->hess, &hst);
        if (!hrc) hrc = pf_fit_covariance(n, res->hess, res->cov, res->err, res->corr, &hst);
    }
    res->iterations = it;
    res->fmin = f;
    res->nfev = mm.nfev;
    res->gnorm = 0.0;
    for (size_t i = 0; i < n; i++) res->gnorm += grad[i] * grad[i];
    res->gnorm = sqrt(res->gnorm);
    res->edm = hrc ? NAN : 0.5 * quad(n, res->cov, grad);
    if (hrc && hrc != PF_ENOCONV && hrc != PF_EDOMAIN) {
        if (st) *st = hst;
        pf_fit_result_free(res);
        res->nfev = mm.nfev; /* the evaluations made, also on failure */
        return hrc;
    }
    res->converged = !hrc && res->edm < edm_tol;
    mm.it = it, mm.f_it = f, mm.edm_it = res->edm;
    report(&mm, 1);
    if (res->converged)
        snprintf(res->message, sizeof res->message,
                 "converged after %d iterations (%ld evaluations): |grad| = %.3g, EDM = %.3g", it, res->nfev,
                 res->gnorm, res->edm);
    else if (hrc)
        snprintf(res->message, sizeof res->message, "not converged: %.200s", hst.msg);
    else if (it >= opt.max_iter)
        snprintf(res->message, sizeof res->message,
                 "not converged: %d iterations reached with EDM = %.3g > %.3g (|grad_z| = %.3g)", it, res->edm,
                 edm_tol, gz);
    else
        snprintf(res->message, sizeof res->message,
                 "not converged: no further progress (%s) at |grad| = %.3g, EDM = %.3g > %.3g",
                 status ? gsl_strerror(status) : "Newton step", res->gnorm, res->edm, edm_tol);
    if (!res->converged) return pf_status_set(st, PF_ENOCONV, "fit %s", res->message);
    return PF_OK;
}

/* A converged end is a minimum, not necessarily the lowest: a start far from it (e.g. near
 * the exponent limit of the inverse-Mellin contour, where a coarse contour loses accuracy
 * and makes -ln L bumpy: docs/fitting.md, "Local minima") can end in a local one with a
 * tiny EDM.  With opt.restart the fit is run again from there and the lower end kept,
 * saying so; it never claims convergence at an end that the restart beat. */
int pf_fit_minimize(size_t n, const double *start, pf_fit_fdf_fn fn, void *ctx, const pf_fit_options *opt,
                    pf_fit_result *res, pf_status *st)
{
    int rc = minimize_from(n, start, fn, ctx, opt, "minimisation", res, st);
    if (rc != PF_OK || !opt || !opt->restart) return rc;
    pf_fit_result other;
    pf_status ost = {0};
    const int orc = minimize_from(n, opt->restart, fn, ctx, opt, "minimisation (restart)", &other, &ost);
    const long nfev = res->nfev + other.nfev;
    if (orc != PF_OK && orc != PF_ENOCONV) { /* an error of fn from the restart: keep the fit */
        pf_fit_result_free(&other);
        res->nfev = nfev;
        return PF_OK;
    }
    const double excess = res->fmin - other.fmin;
    if (!(excess > PF_FIT_SAME_MIN)) {
        pf_fit_result_free(&other);
        res->nfev = nfev;
        return PF_OK;
    }
    char where[256] = "";
    for (size_t k = 0; k < n; k++)
        snprintf(where + strlen(where), sizeof where - strlen(where), "%s%.6g", k ? ", " : "", res->theta[k]);
    if (orc == PF_OK) {
        /* the restart's end is lower: the result, and the given start's end was a local minimum */
        char msg[sizeof res->message];
        snprintf(msg, sizeof msg, "%.200s; from the given start the fit ended at a local minimum %.4g higher in "
                 "-ln L (theta = %.150s), so this is the restart's end", other.message, excess, where);
        pf_fit_result_free(res);
        *res = other;
        snprintf(res->message, sizeof res->message, "%s", msg);
        res->start_excess = excess;
        res->nfev = nfev;
        return PF_OK;
    }
    pf_fit_result_free(&other);
    res->converged = 0;
    res->start_excess = excess;
    res->nfev = nfev;
    snprintf(res->message, sizeof res->message, "not converged: a local minimum: a restart reached -ln L %.4g lower "
             "without converging (this end: theta = %.150s)", excess, where);
    return pf_status_set(st, PF_ENOCONV, "fit %s", res->message);
}
