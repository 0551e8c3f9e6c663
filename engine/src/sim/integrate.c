/* partonflow sim: the integrated cross section of the cut region by nested
 * Gauss-Legendre quadrature, independent of the sampler (it checks the sampler's accept
 * rate x envelope total, and gives the bin contents of the statistical tests).
 *
 * In (u, v) = (ln x, ln Q^2) the region is u in [u_lo, u_hi] (tight box) and, at fixed u,
 *     v_lo(u) = max(ln q2_min, ln(y_min s x), ln((w2_min - M^2) x / (1 - x)))
 *     v_hi(u) = min(ln q2_max, ln(y_max s x)),
 * so the v integral has exact limits.  The u axis is cut at every x where two of these
 * bounds (or a bound and a Q^2 break of the density) cross, so that the integrand in u is
 * smooth on each panel and Gauss-Legendre converges fast; v is cut at the Q^2 breaks. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_integration.h>

#include "partonflow/sim.h"
#include "sim_internal.h"

#define GL_N 10
#define DU_MAX 0.05
#define DV_MAX 0.2

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void vlimits(const pf_sim_region *reg, double x, double *vlo, double *vhi)
{
    const double *c = reg->cuts, w = c[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    double lo = fmax(c[PF_CUT_Q2_MIN], c[PF_CUT_Y_MIN] * reg->s * x);
    if (w > 0) lo = fmax(lo, w * x / (1.0 - x));
    *vlo = log(lo);
    *vhi = log(fmin(c[PF_CUT_Q2_MAX], c[PF_CUT_Y_MAX] * reg->s * x));
}

typedef struct { double *x, *q, *w; size_t n, cap; } pts;

static int push(pts *p, double x, double q, double w)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4096;
        double *a = realloc(p->x, cap * sizeof *a);
        if (a) p->x = a;
        double *b = realloc(p->q, cap * sizeof *b);
        if (b) p->q = b;
        double *c = realloc(p->w, cap * sizeof *c);
        if (c) p->w = c;
        if (!a || !b || !c) return -1;
        p->cap = cap;
    }
    p->x[p->n] = x, p->q[p->n] = q, p->w[p->n] = w;
    p->n++;
    return 0;
}

int pf_sim_integrate(const pf_sim_region *reg, pf_sim_density_fn f, void *ctx, double *sigma, pf_status *st)
{
    double xlo, xhi, qlo, qhi;
    pf_sim_tight_box(reg, &xlo, &xhi, &qlo, &qhi);
    *sigma = 0;
    if (!(xhi > xlo && qhi > qlo)) return PF_OK; /* empty region (e.g. a bin outside it) */
    const double *c = reg->cuts, s = reg->s, w = c[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    /* lower bounds Q2 = L(x), upper bounds Q2 = U(x), Q2 breaks: every crossing in x */
    double cand[64];
    int nc = 0;
    double lines_q[2 + PF_SIM_MAX_BREAKS]; /* constant-Q2 lines */
    int nq = 0;
    lines_q[nq++] = c[PF_CUT_Q2_MIN];
    lines_q[nq++] = c[PF_CUT_Q2_MAX];
    for (int b = 0; b < reg->nbreaks && b < PF_SIM_MAX_BREAKS; b++) lines_q[nq++] = reg->q2_breaks[b];
    const double ys[2] = {c[PF_CUT_Y_MIN], c[PF_CUT_Y_MAX]};
    for (int i = 0; i < nq; i++) {
        for (int k = 0; k < 2; k++)
            if (ys[k] > 0) cand[nc++] = lines_q[i] / (ys[k] * s);      /* Q2 = y s x */
        if (w > 0) cand[nc++] = lines_q[i] / (lines_q[i] + w);          /* Q2 = w x/(1-x) */
    }
    if (w > 0)
        for (int k = 0; k < 2; k++)
            if (ys[k] > 0) cand[nc++] = 1.0 - w / (ys[k] * s);          /* y s x = w x/(1-x) */
    double bp[70];
    int nb = 0;
    bp[nb++] = log(xlo);
    bp[nb++] = log(xhi);
    for (int i = 0; i < nc; i++)
        if (cand[i] > xlo && cand[i] < xhi) bp[nb++] = log(cand[i]);
    qsort(bp, nb, sizeof(double), cmp_double);

    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(GL_N);
    if (!t) return pf_status_set(st, PF_ENOMEM, "integrate: out of memory");
    pts p = {0};
    int rc = PF_OK;
    for (int b = 0; b + 1 < nb && !rc; b++) {
        const double a0 = bp[b], a1 = bp[b + 1];
        if (!(a1 > a0)) continue;
        const int m = (int)ceil((a1 - a0) / DU_MAX);
        for (int sp = 0; sp < m && !rc; sp++) {
            const double ua = a0 + (a1 - a0) * sp / m, ub = a0 + (a1 - a0) * (sp + 1) / m;
            for (int iu = 0; iu < GL_N && !rc; iu++) {
                double u, wu;
                gsl_integration_glfixed_point(ua, ub, iu, &u, &wu, t);
                const double x = exp(u);
                double vlo, vhi;
                vlimits(reg, x, &vlo, &vhi);
                if (!(vhi > vlo)) continue;
                double vb[2 + PF_SIM_MAX_BREAKS];
                int nv = 0;
                vb[nv++] = vlo;
                vb[nv++] = vhi;
                for (int k = 0; k < reg->nbreaks && k < PF_SIM_MAX_BREAKS; k++) {
                    const double lb = log(reg->q2_breaks[k]);
                    if (lb > vlo && lb < vhi) vb[nv++] = lb;
                }
                qsort(vb, nv, sizeof(double), cmp_double);
                for (int k = 0; k + 1 < nv && !rc; k++) {
                    const int mv = (int)ceil((vb[k + 1] - vb[k]) / DV_MAX);
                    for (int sv = 0; sv < mv && !rc; sv++) {
                        const double va = vb[k] + (vb[k + 1] - vb[k]) * sv / mv;
                        const double vbb = vb[k] + (vb[k + 1] - vb[k]) * (sv + 1) / mv;
                        for (int iv = 0; iv < GL_N; iv++) {
                            double v, wv;
                            gsl_integration_glfixed_point(va, vbb, iv, &v, &wv, t);
                            const double q = exp(v);
                            if (push(&p, x, q, wu * wv * x * q)) {
                                rc = pf_status_set(st, PF_ENOMEM, "integrate: out of memory");
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
    gsl_integration_glfixed_table_free(t);
    double *fv = rc ? NULL : malloc((p.n ? p.n : 1) * sizeof *fv);
    if (!rc && !fv) rc = pf_status_set(st, PF_ENOMEM, "integrate: out of memory");
    if (!rc && p.n) rc = f(ctx, p.n, p.x, p.q, fv, st);
    if (!rc) {
        double sum = 0;
        for (size_t i = 0; i < p.n; i++) sum += p.w[i] * fv[i];
        *sigma = sum;
    }
    free(fv), free(p.x), free(p.q), free(p.w);
    return rc;
}
