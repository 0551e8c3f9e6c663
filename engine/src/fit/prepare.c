/* partonflow fit: `prepare` for the perfect detector (fit.h, docs/fitting.md).
 *
 * Event rows: the density of accepted events at a reconstructed point equals L eff(y)
 * d2sigma/dx dQ2, and d2sigma/dx dQ2 = w . G with the 32 bicubic weights of ops
 * (pf_ops_xsec_weights), so w_i = eff(y_i) * those weights.
 *
 * Normalisation: c_g = int_region eff(y) w_g(x, Q^2) dx dQ^2, by tensor Gauss-Legendre
 * quadrature in (t = ln Q^2, u = ln(x/(1-x))), dx dQ^2 = x (1-x) Q^2 du dt.  Inside one
 * interpolation cell the weights are polynomials in (u, t) times smooth kinematic factors,
 * so the quadrature is exact up to the smoothness of those factors once every place where
 * the integrand or the region boundary is not smooth is a panel edge:
 *   inner (u at fixed t): every x node, the region's ends, histogram bin edges, the kinks
 *     of the efficiency table (x = Q^2 / (s y_k));
 *   outer (t): every Q^2 node, the cut ends, histogram bin edges, and every Q^2 where a
 *     moving end of the x range (x = Q^2/(s y_max), Q^2/(s y_min), Q^2/(Q^2 + W2min - M^2))
 *     crosses an x node or a bin edge, or where two ends swap.
 * The histogram operator H_b is the same quadrature restricted to bin b, so sum_b H_b = c
 * up to rounding (the bins tile the region).  The quadrature runs sequentially: it costs a
 * fraction of a second, and its result is then the same bits on every rank and thread. */
#include "partonflow/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "partonflow/kernels/eventpass.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/ops.h"

/* The efficiency of the card's detector as the simulator applies it (pf_det_efficiency,
 * kernels/detector.h): one implementation for simulation and likelihood. */
static void eff_params(const pf_detector_card *det, pf_det_params *p)
{
    memset(p, 0, sizeof *p);
    if (!det || !det->present) {
        p->efficiency = 1.0;
        return;
    }
    p->efficiency = det->efficiency;
    p->eff_n = det->eff_n < PF_DET_EFF_MAX ? det->eff_n : PF_DET_EFF_MAX;
    for (int i = 0; i < p->eff_n; i++) {
        p->eff_y[i] = det->eff_y[i];
        p->eff_value[i] = det->eff_value[i];
    }
}

double pf_prep_efficiency(const pf_detector_card *det, double y)
{
    pf_det_params p;
    eff_params(det, &p);
    return pf_det_efficiency(&p, y);
}

void pf_prep_bins_from_cuts(const pf_ops *ops, int nx, int nq2, pf_prep_bins *b)
{
    double cuts[7], s, alpha;
    pf_ops_kinematics(ops, cuts, &s, &alpha);
    b->nx = nx;
    b->nq2 = nq2;
    /* the x range reachable inside the cuts: x >= Q2min / (s ymax) as well as x_min */
    double xlo = fmax(cuts[PF_CUT_X_MIN], cuts[PF_CUT_Q2_MIN] / (s * cuts[PF_CUT_Y_MAX]));
    double xhi = fmin(cuts[PF_CUT_X_MAX], 1.0 - 1e-12);
    b->logx_lo = log(xlo);
    b->logx_hi = log(xhi);
    b->logq2_lo = log(cuts[PF_CUT_Q2_MIN]);
    b->logq2_hi = log(cuts[PF_CUT_Q2_MAX]);
}

int pf_prep_bin_of(const pf_prep_bins *b, double x, double q2)
{
    if (!b || b->nx <= 0 || b->nq2 <= 0 || !(x > 0.0) || !(q2 > 0.0)) return -1;
    double fx = (log(x) - b->logx_lo) / (b->logx_hi - b->logx_lo) * b->nx;
    double fq = (log(q2) - b->logq2_lo) / (b->logq2_hi - b->logq2_lo) * b->nq2;
    if (!(fx >= 0.0 && fx <= b->nx && fq >= 0.0 && fq <= b->nq2)) return -1;
    int ix = fx >= b->nx ? b->nx - 1 : (int)fx, iq = fq >= b->nq2 ? b->nq2 - 1 : (int)fq;
    return iq * b->nx + ix;
}

int pf_prep_events_perfect(const pf_ops *ops, const pf_detector_card *det, size_t n, const double *x,
                           const double *q2, uint32_t *col, double *val, pf_status *st)
{
    double cuts[7], s, alpha;
    pf_ops_kinematics(ops, cuts, &s, &alpha);
    pf_det_params ep;
    eff_params(det, &ep);
    long bad = -1;
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (size_t i = 0; i < n; i++) {
        uint32_t *idx = col + i * PF_OPS_NW;
        double *w = val + i * PF_OPS_NW;
        if (pf_ops_xsec_weights(ops, x[i], q2[i], idx, w)) {
#ifdef PF_HAVE_OPENMP
#pragma omp critical(pf_prep_bad)
#endif
            if (bad < 0 || (long)i < bad) bad = (long)i;
            continue;
        }
        const double e = pf_det_efficiency(&ep, q2[i] / (x[i] * s));
        for (int k = 0; k < PF_OPS_NW; k++) w[k] *= e;
    }
    if (bad >= 0) return pf_ops_domain_error(ops, "prepare: accepted event", bad, x, q2, st);
    return PF_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sorted, de-duplicated points of v[0..n) inside [lo, hi], with lo and hi; returns count */
static size_t breakpoints(double *v, size_t n, double lo, double hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > lo && v[i] < hi) v[m++] = v[i];
    v[m++] = lo;
    v[m++] = hi;
    qsort(v, m, sizeof *v, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || v[i] - v[k - 1] > 1e-13 * (1.0 + fabs(v[i]))) v[k++] = v[i];
    return k;
}

static double u_of_x(double x) { return log(x / (1.0 - x)); }
static double x_of_u(double u) { return 1.0 / (1.0 + exp(-u)); }

/* x range of the cut region at Q^2 (empty when lo >= hi) */
static void x_range(const double *cuts, double s, double q2, double *lo, double *hi)
{
    const double a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    *lo = fmax(cuts[PF_CUT_X_MIN], q2 / (s * cuts[PF_CUT_Y_MAX]));
    *hi = cuts[PF_CUT_X_MAX];
    if (cuts[PF_CUT_Y_MIN] > 0.0) *hi = fmin(*hi, q2 / (s * cuts[PF_CUT_Y_MIN]));
    if (a > 0.0) *hi = fmin(*hi, q2 / (q2 + a));
    *hi = fmin(*hi, 1.0 - 1e-12);
}

int pf_prep_norm(const pf_ops *ops, const pf_detector_card *det, const pf_prep_bins *bins, int order,
                 double *c, double *H, pf_status *st)
{
    const size_t ngrid = pf_ops_ngrid(ops), nbins = bins ? (size_t)bins->nx * (size_t)bins->nq2 : 0;
    double cuts[7], s, alpha;
    pf_ops_kinematics(ops, cuts, &s, &alpha);
    if (order <= 0) order = 8;
    pf_det_params ep;
    eff_params(det, &ep);
    const pf_interp_axis *xa = pf_ops_xaxis(ops), *qa = pf_ops_qaxis(ops);
    const size_t nxn = pf_ops_nx(ops), nqn = pf_ops_nq2(ops);
    const int neff = ep.eff_n >= 2 ? ep.eff_n : 0;
    const size_t nbx = bins ? (size_t)bins->nx + 1 : 0, nbq = bins ? (size_t)bins->nq2 + 1 : 0;
    /* x positions that matter: nodes, bin edges, cut ends */
    size_t nxs = nxn + nbx + 2;
    double *xs = malloc(nxs * sizeof *xs);
    size_t capt = nqn + nbq + 8 + 4 * nxs + (size_t)neff * nxs;
    double *tb = malloc(capt * sizeof *tb);
    size_t capu = nxn + nbx + (size_t)neff + 4;
    double *ub = malloc(capu * sizeof *ub);
    gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc((size_t)order);
    if (!xs || !tb || !ub || !gl) {
        free(xs); free(tb); free(ub);
        if (gl) gsl_integration_glfixed_table_free(gl);
        return pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the normalisation quadrature");
    }
    size_t k = 0;
    for (size_t i = 0; i < nxn; i++) xs[k++] = x_of_u(pf_interp_axis_node(xa, (int)i));
    for (size_t i = 0; i < nbx; i++)
        xs[k++] = exp(bins->logx_lo + (bins->logx_hi - bins->logx_lo) * (double)i / bins->nx);
    xs[k++] = cuts[PF_CUT_X_MIN];
    xs[k++] = cuts[PF_CUT_X_MAX];
    nxs = k;
    const double a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    const double t_lo = log(cuts[PF_CUT_Q2_MIN]), t_hi = log(cuts[PF_CUT_Q2_MAX]);
    size_t nt = 0;
    for (size_t i = 0; i < nqn; i++) tb[nt++] = pf_interp_axis_node(qa, (int)i);
    for (size_t i = 0; i < nbq; i++)
        tb[nt++] = bins->logq2_lo + (bins->logq2_hi - bins->logq2_lo) * (double)i / bins->nq2;
    for (size_t i = 0; i < nxs; i++) {
        const double x = xs[i];
        tb[nt++] = log(x * s * cuts[PF_CUT_Y_MAX]);
        if (cuts[PF_CUT_Y_MIN] > 0.0) tb[nt++] = log(x * s * cuts[PF_CUT_Y_MIN]);
        if (a > 0.0 && x < 1.0) tb[nt++] = log(a * x / (1.0 - x));
        for (int e = 0; e < neff; e++)
            if (ep.eff_y[e] > 0.0) tb[nt++] = log(x * s * ep.eff_y[e]);
    }
    if (cuts[PF_CUT_Y_MIN] > 0.0 && s * cuts[PF_CUT_Y_MIN] > a) tb[nt++] = log(s * cuts[PF_CUT_Y_MIN] - a);
    nt = breakpoints(tb, nt, t_lo, t_hi);

    memset(c, 0, ngrid * sizeof *c);
    if (H) memset(H, 0, nbins * ngrid * sizeof *H);
    uint32_t idx[PF_OPS_NW];
    double w[PF_OPS_NW];
    int rc = PF_OK;
    for (size_t pt = 0; pt + 1 < nt && !rc; pt++) {
        for (int it = 0; it < order && !rc; it++) {
            double t, wt;
            gsl_integration_glfixed_point(tb[pt], tb[pt + 1], (size_t)it, &t, &wt, gl);
            const double q2 = exp(t);
            double xlo, xhi;
            x_range(cuts, s, q2, &xlo, &xhi);
            if (!(xlo < xhi)) continue;
            const double ulo = u_of_x(xlo), uhi = u_of_x(xhi);
            size_t nu = 0;
            for (size_t i = 0; i < nxn; i++) ub[nu++] = pf_interp_axis_node(xa, (int)i);
            for (size_t i = 0; i < nbx; i++)
                ub[nu++] = u_of_x(exp(bins->logx_lo + (bins->logx_hi - bins->logx_lo) * (double)i / bins->nx));
            for (int e = 0; e < neff; e++) {
                const double xe = q2 / (s * ep.eff_y[e]);
                if (ep.eff_y[e] > 0.0 && xe < 1.0) ub[nu++] = u_of_x(xe);
            }
            nu = breakpoints(ub, nu, ulo, uhi);
            for (size_t pu = 0; pu + 1 < nu && !rc; pu++)
                for (int iu = 0; iu < order; iu++) {
                    double u, wu;
                    gsl_integration_glfixed_point(ub[pu], ub[pu + 1], (size_t)iu, &u, &wu, gl);
                    const double x = x_of_u(u);
                    if (pf_ops_xsec_weights(ops, x, q2, idx, w)) {
                        rc = pf_status_set(st, PF_EDOMAIN,
                                           "prepare: the cut region reaches (x = %g, Q2 = %g GeV^2) outside the "
                                           "theory grid", x, q2);
                        break;
                    }
                    const double f = wt * wu * x * (1.0 - x) * q2 * pf_det_efficiency(&ep, q2 / (x * s));
                    int b = -1;
                    if (H) {
                        /* the panel's midpoint decides the bin: points never sit on an edge */
                        const double xm = x_of_u(0.5 * (ub[pu] + ub[pu + 1]));
                        const double qm = exp(0.5 * (tb[pt] + tb[pt + 1]));
                        b = pf_prep_bin_of(bins, xm, qm);
                    }
                    for (int j = 0; j < PF_OPS_NW; j++) {
                        c[idx[j]] += f * w[j];
                        if (b >= 0) H[(size_t)b * ngrid + idx[j]] += f * w[j];
                    }
                }
        }
    }
    free(xs); free(tb); free(ub);
    gsl_integration_glfixed_table_free(gl);
    return rc;
}

int pf_prep_events_stencil(const pf_ops *ops, const pf_detector_card *det, size_t n, const double *x,
                           const double *q2, uint32_t *base, double *stw, pf_status *st)
{
    /* the compact rows, expanded as the pass expands them (the bits of
     * pf_ops_stencil_weights: unit test compact_stencil_rows_give_the_whole_rows_bits) */
    double *loc = malloc((n ? n : 1) * PF_LIKE_STL * sizeof *loc), *xf = malloc((n ? n : 1) * sizeof *xf);
    if (!loc || !xf) {
        free(loc); free(xf);
        return pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the rows of %zu events", n);
    }
    int rc = pf_prep_events_stencil_local(ops, det, n, x, q2, base, loc, xf, st);
    const double *xpow = pf_ops_xpow(ops);
    const size_t nx = pf_ops_nx(ops);
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (size_t i = 0; i < (rc ? 0 : n); i++)
        pf_ev_stencil_expand(loc + i * PF_LIKE_STL, xf[i], xpow + (base[i] / 2) % nx, stw + i * PF_LIKE_STW);
    free(loc); free(xf);
    return rc;
}

int pf_prep_events_stencil_local(const pf_ops *ops, const pf_detector_card *det, size_t n, const double *x,
                                 const double *q2, uint32_t *base, double *loc, double *xf, pf_status *st)
{
    pf_det_params ep;
    eff_params(det, &ep);
    double kcuts[7], ks, kalpha;
    pf_ops_kinematics(ops, kcuts, &ks, &kalpha);
    const size_t knx = pf_ops_nx(ops);
    long bad = -1;
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (size_t i = 0; i < n; i++) {
        int r0, c0;
        double *l = loc + i * PF_LIKE_STL, f2, fl;
        /* pf_prep_events_stencil's stencil and factors, before the weights are formed */
        if (pf_ops_stencil_local(ops, x[i], q2[i], &r0, &c0, l, l + 1, xf + i)) {
#ifdef PF_HAVE_OPENMP
#pragma omp critical(pf_prep_bad)
#endif
            if (bad < 0 || (long)i < bad) bad = (long)i;
            continue;
        }
        pf_kin_xsec_factors_b(pf_ops_born(ops), x[i], q2[i], ks, kalpha, &f2, &fl);
        const double e = pf_det_efficiency(&ep, q2[i] / (x[i] * ks));
        l[2] = e * f2;
        l[3] = e * fl;
        base[i] = (uint32_t)(((size_t)r0 * knx + (size_t)c0) * PF_NOBS);
    }
    if (bad >= 0) return pf_ops_domain_error(ops, "prepare: accepted event", bad, x, q2, st);
    return PF_OK;
}
