/* partonflow fit: profile-likelihood (MINOS-like) intervals (fit.h pf_fit_profile_interval).
 *
 * The interval of parameter k is where the profile P(t) = min over the other parameters of
 * f(theta | theta_k = t) stays below f_min + 1/2 (F. James, "Statistical Methods in
 * Experimental Physics", 2nd ed., section 9.3.1; the MINOS algorithm of MINUIT: F. James
 * and M. Roos, Comput. Phys. Commun. 10 (1975) 343).  Unlike the Hessian error it follows
 * a likelihood that is not parabolic on the scale of one standard deviation, e.g. the
 * curved valleys of a PDF fit to few events (docs/fitting.md, "Uncertainties").
 *
 * Each end is found by secant steps on q(t) = sqrt(2 (P(t) - f_min)), which is linear in t
 * (q = |t - theta_k| / sigma_k) for a parabolic f, so the steps converge in two or three
 * profile minimisations in the usual, nearly parabolic case.  Every profile minimisation
 * is the fit's own minimiser (pf_fit_minimize) over the other n - 1 parameters, started on
 * the linear profile path theta_j + cov_jk / cov_kk (t - theta_k) (the exact conditional
 * minimum of a quadratic f) with the Hessian's (n-1) x (n-1) block as preconditioner. */
#include "partonflow/fit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* an end is accepted when |q - 1| < PF_PROF_QTOL (1e-3 standard deviations) */
#define PF_PROF_QTOL 1e-3
#define PF_PROF_MAXSTEP 16
/* a profile value below f_min by more than this (absolute, in -ln L; the fit stops within
 * EDM < 5e-7 of its minimum) means the fit was not at the minimum */
#define PF_PROF_FTOL 1e-4

typedef struct prof_ctx {
    pf_fit_fdf_fn fn;
    pf_fit_metric_fn metric;
    void *ctx;
    size_t n, k;
    double t;                        /* the fixed value of theta_k */
    double th[PF_FIT_NMAX], g[PF_FIT_NMAX], I[PF_FIT_NMAX * PF_FIT_NMAX];
} prof_ctx;

static void full_theta(prof_ctx *p, const double *z)
{
    for (size_t i = 0, j = 0; i < p->n; i++) p->th[i] = i == p->k ? p->t : z[j++];
}

static int prof_fdf(void *vc, const double *z, double *f, double *grad, pf_status *st)
{
    prof_ctx *p = vc;
    full_theta(p, z);
    const int rc = p->fn(p->ctx, p->th, f, grad ? p->g : NULL, st);
    if (rc || !grad) return rc;
    for (size_t i = 0, j = 0; i < p->n; i++)
        if (i != p->k) grad[j++] = p->g[i];
    return PF_OK;
}

/* the caller's metric at the full theta, without row and column k */
static int prof_metric(void *vc, const double *z, double *metric, pf_status *st)
{
    prof_ctx *p = vc;
    full_theta(p, z);
    const int rc = p->metric(p->ctx, p->th, p->I, st);
    if (rc) return rc;
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; i != p->k && j < p->n; j++)
            if (j != p->k) metric[m++] = p->I[i * p->n + j];
    return PF_OK;
}

/* P(t): *q = sqrt(2 max(P - fmin, 0)).  PF_EDOMAIN when t (or the whole profile path
 * there) is outside the allowed region; PF_ENOCONV when the profile fit does not converge. */
static int profile_at(prof_ctx *p, const pf_fit_result *best, const pf_fit_options *opt, double t, double *q,
                      double *fprof, long *nfev, pf_status *st)
{
    const size_t n = p->n, k = p->k;
    p->t = t;
    int rc;
    if (n == 1) {
        double f;
        rc = p->fn(p->ctx, &t, &f, NULL, st);
        (*nfev)++;
        if (rc) return rc;
        *fprof = f;
        if (opt->lower && isfinite(f) && f < best->fmin - PF_PROF_FTOL - 1e-14 * fabs(best->fmin) &&
            !(f >= opt->lower[1])) {
            opt->lower[0] = t;
            opt->lower[1] = f;
        }
    } else {
        double z0[PF_FIT_NMAX], h0[PF_FIT_NMAX * PF_FIT_NMAX];
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (i != k) z0[m++] = best->theta[i] + best->cov[i * n + k] / best->cov[k * n + k] * (t - best->theta[k]);
        m = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; i != k && j < n; j++)
                if (j != k) h0[m++] = best->hess[i * n + j];
        pf_fit_options o = *opt;
        o.hess0 = h0;
        o.metric = opt->metric ? prof_metric : NULL;
        /* start on the linear profile path; if that start is outside the allowed region or
         * the fit there ends on a saddle, once more from the best fit's other parameters */
        int started = 0; /* a profile fit that started inside the allowed region */
        for (int attempt = 0; attempt < 2; attempt++) {
            if (attempt) {
                m = 0;
                for (size_t i = 0; i < n; i++)
                    if (i != k) z0[m++] = best->theta[i];
                pf_status_clear(st);
            }
            pf_fit_result r;
            memset(&r, 0, sizeof r);
            rc = pf_fit_minimize(n - 1, z0, prof_fdf, p, &o, &r, st);
            *nfev += r.nfev;
            *fprof = r.fmin;
            /* a point below the best fit: kept (the lowest) for the caller's refit */
            if (opt->lower && r.theta && isfinite(r.fmin) &&
                r.fmin < best->fmin - PF_PROF_FTOL - 1e-14 * fabs(best->fmin) &&
                !(r.fmin >= opt->lower[n])) {
                for (size_t i = 0, j = 0; i < n; i++) opt->lower[i] = i == k ? t : r.theta[j++];
                opt->lower[n] = r.fmin;
            }
            if (rc == PF_ENOCONV)
                pf_status_set(st, PF_ENOCONV, "profile fit at %g did not converge (%s)", t, r.message);
            pf_fit_result_free(&r);
            if (rc != PF_EDOMAIN) started = 1;
            if (rc != PF_EDOMAIN && rc != PF_ENOCONV) break;
        }
        if (rc == PF_EDOMAIN && started) /* inside the region, but no converged profile fit */
            rc = pf_status_set(st, PF_ENOCONV, "profile fit at %g did not converge", t);
        if (rc) return rc;
    }
    if (!isfinite(*fprof)) return pf_status_set(st, PF_ENOCONV, "profile value at %g is %g", t, *fprof);
    const double d = *fprof - best->fmin;
    *q = sqrt(2.0 * (d > 0.0 ? d : 0.0));
    return PF_OK;
}

int pf_fit_profile_interval(size_t n, const pf_fit_result *best, size_t k, pf_fit_fdf_fn fn, void *ctx,
                            const pf_fit_options *opt, double *lo, double *hi, long *nfev, char *why,
                            size_t whylen, pf_status *st)
{
    *lo = *hi = NAN;
    *nfev = 0;
    if (why && whylen) why[0] = 0;
    if (!best || !best->theta || !best->cov || !best->hess || !best->err || k >= n || n > PF_FIT_NMAX ||
        !(best->err[k] > 0.0))
        return pf_status_set(st, PF_EINVAL, "pf_fit_profile_interval: needs a converged fit with errors and k < n");
    pf_fit_options o;
    if (opt) o = *opt;
    else pf_fit_options_default(&o);
    prof_ctx p = {.fn = fn, .metric = o.metric, .ctx = ctx, .n = n, .k = k};
    const double t0 = best->theta[k], sig = best->err[k];
    int result = PF_OK;
    for (int side = -1; side <= 1; side += 2) {
        double *end = side < 0 ? lo : hi;
        /* tl: the farthest point known below the crossing (q < 1), fl = q - 1 there; th: the
         * nearest known above it, fh = q - 1 (inf: outside the allowed region); (tp, qp): the
         * previous evaluation, for the secant before the crossing is bracketed */
        double tl = t0, fl = -1.0, th = 0.0, fh = 0.0, tp = t0, qp = 0.0, tb = t0 + side * sig, qb = 0.0, fp = 0.0;
        int rc = PF_OK, found = 0, have_hi = 0, collapsed = 0, last = -1;
        for (int step = 0; step < PF_PROF_MAXSTEP; step++) {
            rc = profile_at(&p, best, &o, tb, &qb, &fp, nfev, st);
            if (rc == PF_EDOMAIN) { /* outside the allowed region (e.g. a <= -1) */
                pf_status_clear(st);
                rc = PF_OK;
                qb = INFINITY;
            } else if (rc) {
                break;
            } else if (fp < best->fmin - PF_PROF_FTOL - 1e-14 * fabs(best->fmin)) {
                rc = pf_status_set(st, PF_ENOCONV, "the profile at %g lies below the minimum (%.9g < %.9g): the "
                                   "fit was not at the minimum", tb, fp, best->fmin);
                break;
            } else if (fabs(qb - 1.0) < PF_PROF_QTOL) {
                found = 1;
                break;
            }
            /* Illinois variant of regula falsi: an end kept twice has its f halved, so
             * that the bracket shrinks from both sides (a plain regula falsi stalls on the
             * convex side of q) */
            if (qb < 1.0) {
                tl = tb;
                fl = qb - 1.0;
                if (last < 0 && have_hi) fh *= 0.5;
                last = -1;
            } else {
                th = tb;
                fh = qb - 1.0;
                if (last > 0) fl *= 0.5;
                have_hi = 1;
                last = 1;
            }
            double tn;
            if (have_hi) {
                if (fabs(th - tl) < 1e-3 * sig) {
                    if (isfinite(fh)) { /* bracketed to 1e-3 standard deviations */
                        tb = 0.5 * (tl + th);
                        found = 1;
                    } else {
                        collapsed = 1; /* the allowed region ends below q = 1 */
                    }
                    break;
                }
                tn = isfinite(fh) ? tl - fl * (th - tl) / (fh - fl) : 0.5 * (tl + th);
            } else {
                /* before a bracket: secant through the last two evaluations, at most 3x
                 * farther out */
                tn = qb != qp ? tb + (1.0 - qb) * (tb - tp) / (qb - qp) : NAN;
                const double far = t0 + side * 3.0 * fabs(tb - t0);
                if (!isfinite(tn) || side * (tn - tl) <= 0.0 || side * (tn - far) > 0.0) tn = far;
            }
            tp = tb;
            qp = qb;
            tb = tn;
        }
        if (found) {
            *end = fabs(tb - t0);
            continue;
        }
        if (!rc && have_hi && !isfinite(fh)) collapsed = 1; /* stopped against the boundary */
        if (rc && rc != PF_EDOMAIN && rc != PF_ENOCONV) return rc;
        if (why && whylen && !why[0])
            snprintf(why, whylen, "%s end of parameter %zu not found%s%s", side < 0 ? "lower" : "upper", k,
                     rc ? ": "
                     : collapsed ? " (the allowed region ends before -ln L rises by 1/2)"
                                 : " (no crossing of -ln L_min + 1/2 within 16 profile points)",
                     rc && st ? st->msg : "");
        pf_status_clear(st);
        result = PF_ENOCONV;
    }
    return result;
}

int pf_fit_profile_at(size_t n, const pf_fit_result *best, size_t k, double t, pf_fit_fdf_fn fn, void *ctx,
                      const pf_fit_options *opt, double *z, long *nfev, pf_status *st)
{
    *z = NAN;
    *nfev = 0;
    if (!best || !best->theta || !best->cov || !best->hess || k >= n || n > PF_FIT_NMAX || !isfinite(t))
        return pf_status_set(st, PF_EINVAL, "pf_fit_profile_at: needs a converged fit with a Hessian and k < n");
    pf_fit_options o;
    if (opt) o = *opt;
    else pf_fit_options_default(&o);
    prof_ctx p = {.fn = fn, .metric = o.metric, .ctx = ctx, .n = n, .k = k};
    double q, fp;
    const int rc = profile_at(&p, best, &o, t, &q, &fp, nfev, st);
    if (rc) return rc;
    if (fp < best->fmin - PF_PROF_FTOL - 1e-14 * fabs(best->fmin))
        return pf_status_set(st, PF_ENOCONV, "the profile at %g lies below the minimum (%.9g < %.9g): the fit was "
                             "not at the minimum", t, fp, best->fmin);
    *z = best->theta[k] >= t ? q : -q;
    return PF_OK;
}
