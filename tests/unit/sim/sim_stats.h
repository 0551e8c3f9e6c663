/* Statistical helpers of the sim tests: analytic densities on the issue-4 region, the
 * chi^2 test in 2D bins and Kolmogorov-Smirnov tests of the marginals, with expected
 * values from pf_sim_integrate (nested Gauss-Legendre over the exact region, itself
 * checked against an adaptive 1D integral of a closed-form inner integral). */
#ifndef PF_TEST_SIM_STATS_H
#define PF_TEST_SIM_STATS_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "partonflow/sim.h"

/* The default card's region: 10 x 100 GeV, Q2 4..1000, x 1e-3..0.9, y 0.01..0.95, W2 > 10. */
static inline pf_sim_region region_default(void)
{
    pf_sim_region r;
    memset(&r, 0, sizeof r);
    r.cuts[PF_CUT_Q2_MIN] = 4.0;
    r.cuts[PF_CUT_Q2_MAX] = 1000.0;
    r.cuts[PF_CUT_X_MIN] = 1e-3;
    r.cuts[PF_CUT_X_MAX] = 0.9;
    r.cuts[PF_CUT_Y_MIN] = 0.01;
    r.cuts[PF_CUT_Y_MAX] = 0.95;
    r.cuts[PF_CUT_W2_MIN] = 10.0;
    r.s = pf_kin_s(10.0, 100.0);
    return r;
}

/* A DIS-like density: x^a (1-x)^b Y+ / Q2^2, times `jump` above Q2 = q2b (a threshold). */
typedef struct { double a, b, q2b, jump, s; } dens_params;

static inline int dens_dislike(void *ctx, size_t n, const double *x, const double *q2, double *out, pf_status *st)
{
    (void)st;
    const dens_params *p = ctx;
    for (size_t i = 0; i < n; i++) {
        const double y = q2[i] / (x[i] * p->s);
        out[i] = pow(x[i], p->a) * pow(1.0 - x[i], p->b) * (1.0 + (1.0 - y) * (1.0 - y)) / (q2[i] * q2[i]) *
                 (q2[i] > p->q2b ? p->jump : 1.0);
    }
    return 0;
}

/* region with the cuts clipped to a box */
static inline pf_sim_region clip(const pf_sim_region *r, double xa, double xb, double qa, double qb)
{
    pf_sim_region c = *r;
    c.cuts[PF_CUT_X_MIN] = fmax(c.cuts[PF_CUT_X_MIN], xa);
    c.cuts[PF_CUT_X_MAX] = fmin(c.cuts[PF_CUT_X_MAX], xb);
    c.cuts[PF_CUT_Q2_MIN] = fmax(c.cuts[PF_CUT_Q2_MIN], qa);
    c.cuts[PF_CUT_Q2_MAX] = fmin(c.cuts[PF_CUT_Q2_MAX], qb);
    return c;
}

/* Kolmogorov distribution: P(sqrt(n) D > t) (asymptotic series). */
static inline double ks_pvalue(double d, size_t n)
{
    const double sn = sqrt((double)n);
    const double t = (sn + 0.12 + 0.11 / sn) * d; /* Stephens' finite-n correction */
    if (t < 0.2) return 1.0;
    double p = 0;
    for (int k = 1; k < 100; k++) p += 2.0 * ((k & 1) ? 1 : -1) * exp(-2.0 * k * k * t * t);
    return fmin(fmax(p, 0.0), 1.0);
}

static inline int cmp_d(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* KS test of samples v[n] (in log) against the CDF known at nedge edges (log values e[],
 * cdf[]), linearly interpolated in between.  Returns the p-value. */
static inline double ks_test(double *v, size_t n, const double *e, const double *cdf, int nedge)
{
    qsort(v, n, sizeof *v, cmp_d);
    double d = 0;
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        while (k + 2 < nedge && v[i] > e[k + 1]) k++;
        double t = (v[i] - e[k]) / (e[k + 1] - e[k]);
        t = fmin(fmax(t, 0.0), 1.0);
        const double F = cdf[k] + t * (cdf[k + 1] - cdf[k]);
        d = fmax(d, fmax(fabs((double)(i + 1) / n - F), fabs(F - (double)i / n)));
    }
    return ks_pvalue(d, n);
}

typedef struct {
    double chi2_p, ks_x_p, ks_q2_p;
    int ndf;
    double chi2;
} stat_result;

/* chi^2 in nbx x nbq bins (log-uniform over the tight box) and KS tests of the x and Q2
 * marginals of n events against density f on region r. */
static inline int sampler_stats(const pf_sim_region *r, pf_sim_density_fn f, void *ctx, const double *x,
                         const double *q2, size_t n, int nbx, int nbq, stat_result *res)
{
    double xlo = r->cuts[PF_CUT_X_MIN], xhi = r->cuts[PF_CUT_X_MAX];
    double qlo = r->cuts[PF_CUT_Q2_MIN], qhi = r->cuts[PF_CUT_Q2_MAX];
    double sigma;
    pf_status st;
    if (pf_sim_integrate(r, f, ctx, &sigma, &st)) return -1;
    const double lx0 = log(xlo), dlx = (log(xhi) - lx0) / nbx, lq0 = log(qlo), dlq = (log(qhi) - lq0) / nbq;
    long *cnt = calloc((size_t)nbx * nbq, sizeof *cnt);
    for (size_t i = 0; i < n; i++) {
        int ix = (int)((log(x[i]) - lx0) / dlx), iq = (int)((log(q2[i]) - lq0) / dlq);
        ix = ix < 0 ? 0 : (ix >= nbx ? nbx - 1 : ix);
        iq = iq < 0 ? 0 : (iq >= nbq ? nbq - 1 : iq);
        cnt[ix * nbq + iq]++;
    }
    /* bin integrals in parallel over bins (each call then runs single-threaded inside:
     * no thread team per call), summed in bin order */
    double *sbin = malloc((size_t)nbx * nbq * sizeof *sbin);
    int bad = 0;
#pragma omp parallel for schedule(dynamic) reduction(| : bad)
    for (int k = 0; k < nbx * nbq; k++) {
        const int ix = k / nbq, iq = k % nbq;
        pf_sim_region b = clip(r, exp(lx0 + ix * dlx), exp(lx0 + (ix + 1) * dlx), exp(lq0 + iq * dlq),
                               exp(lq0 + (iq + 1) * dlq));
        pf_status ls;
        bad |= pf_sim_integrate(&b, f, ctx, &sbin[k], &ls) != 0;
    }
    if (bad) return -1;
    double chi2 = 0, psum = 0;
    int nb = 0;
    for (int ix = 0; ix < nbx; ix++)
        for (int iq = 0; iq < nbq; iq++) {
            const double sb = sbin[ix * nbq + iq];
            const double mu = n * sb / sigma;
            psum += sb / sigma;
            if (mu < 5) { /* sparse corner bins: must be (nearly) empty, not in the chi^2 */
                if (cnt[ix * nbq + iq] > mu + 10 * sqrt(mu) + 10) return -2;
                continue;
            }
            const double d = cnt[ix * nbq + iq] - mu;
            chi2 += d * d / mu;
            nb++;
        }
    free(sbin);
    free(cnt);
    if (fabs(psum - 1.0) > 1e-6) return -3; /* the bins tile the region */
    res->chi2 = chi2;
    res->ndf = nb - 1;
    res->chi2_p = gsl_cdf_chisq_Q(chi2, nb - 1);
    /* marginal CDFs at 600 edges in log x / log Q2 from slab integrals */
    enum { NE = 601 };
    double *e = malloc(NE * sizeof *e), *cdf = malloc(NE * sizeof *cdf), *v = malloc(n * sizeof *v);
    for (int m = 0; m < 2; m++) {
        const double a = m ? lq0 : lx0, w = m ? log(qhi) - lq0 : log(xhi) - lx0;
        cdf[0] = 0;
        for (int k = 0; k < NE; k++) e[k] = a + w * k / (NE - 1);
        double *sl = malloc(NE * sizeof *sl);
#pragma omp parallel for schedule(dynamic) reduction(| : bad)
        for (int k = 0; k < NE - 1; k++) {
            pf_sim_region b = m ? clip(r, xlo, xhi, exp(e[k]), exp(e[k + 1])) : clip(r, exp(e[k]), exp(e[k + 1]), qlo, qhi);
            pf_status ls;
            bad |= pf_sim_integrate(&b, f, ctx, &sl[k], &ls) != 0;
        }
        if (bad) return -1;
        for (int k = 0; k + 1 < NE; k++) cdf[k + 1] = cdf[k] + sl[k] / sigma;
        free(sl);
        for (size_t i = 0; i < n; i++) v[i] = log(m ? q2[i] : x[i]);
        const double p = ks_test(v, n, e, cdf, NE);
        if (m) res->ks_q2_p = p; else res->ks_x_p = p;
    }
    free(e), free(cdf), free(v);
    return 0;
}

#endif
