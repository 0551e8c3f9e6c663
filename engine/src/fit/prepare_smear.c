/* partonflow fit: `prepare` with the smeared detector (fit.h, docs/fitting.md "prepare").
 *
 * The model is exactly the simulator's (kernels/detector.h): true (x, Q^2) from d2sigma in
 * the cut region R, E' and theta smeared by Gaussians (sigma_E at the TRUE E'), electron-
 * method reconstruction, cuts on the reconstructed values, efficiency eps(y_rec).
 *
 * Coordinates.  Everything is integrated in the electron variables (E', theta), where the
 * model is simple: every cut of kernels/kinematics.h is, at fixed theta (c = cos theta), a
 * LINEAR inequality in E' (Q^2 = 2 Ee E' (1 + c), y = 1 - E' (1 - c) / (2 Ee),
 * x >= x_min <=> Q^2 >= x_min s y, W^2 - M^2 = s y - Q^2), i.e. a bound
 *     E' >= P / (alpha + beta c)   or   E' <= P / (alpha + beta c)          (struct bound)
 * with alpha + beta c > 0 on (-1, 1).  So at fixed theta a cut region is one interval of E'
 * (cut_interval), and the interval's ends switch from one cut to another only where two
 * bounds cross, which is one LINEAR equation in c (crossing): these are the only places
 * where the integrals below are not smooth in theta, and they become panel edges.
 *
 * Event rows (density of accepted events at the reconstructed r, per unit x_r, Q2_r):
 *     f(r) = eps(y_r) / J(r) int int_{(E,th) in R} d2sigma(E,th) J(E,th)
 *                                 N(E_r; E, sE(E)) N(th_r; th, s_th) dE dth
 * (kernels/detector.h: p(r|t) = response / J(r); dt = J dE dth).  With z_th = (th - th_r)
 * / s_th and z_E = (E_r - E) / sE(E) (E(z) in closed form: sE^2 is quadratic in E) the
 * Gaussians become N(z) and dE = -sE / (1 + z sE'(E)) dz, so
 *     f(r) = eps(y_r)/J(r) int dz_th N(z_th) int dz_E N(z_E) d2sigma J / (1 + z_E sE'(E)).
 * Both z are truncated at |z| <= PF_PREP_NSIGMA (7: the Gaussian mass beyond is 2.6e-12).
 * Inner (E at a theta node): 10-point Gauss-Hermite when the window is not clipped by R
 * and crosses no grid line; else 6-point Gauss-Legendre panels in z_E with edges at +-1.2,
 * +-3.5, the clipped ends and every Q^2 and x line of the grid (thresholds included; Q^2
 * and x are linear-fractional in E at fixed theta): the theory's interpolant is C0 with
 * derivative jumps on the lines, so the node count follows the width of the response in
 * grid units (at low y the x resolution spans tens of grid columns).  Panels that spanned
 * up to 6 x lines left errors up to 7e-5 at y ~ 0.015 (default card); on the lines they
 * are below 1e-7 (docs/fitting.md "The response operator").
 * Outer (theta): 10-point Gauss-Hermite when no bound crossing lies in
 * |z_th| < 7 (the integrand is then smooth: Gaussian times a slowly varying function), else
 * 6-point Gauss-Legendre panels with edges at +-1.2, +-3.5, +-7 and the crossings.  The
 * quadrature error is ~2e-7 relative (tests/unit/fit/test_prepare_smear.c).
 *
 * Normalisation (prepare_accept.c): c_g = int_R w_g(x, Q^2) A(x, Q^2) dx dQ^2, where A =
 * probability that an event at the true point is reconstructed in the cuts and passes the
 * efficiency:
 *     A = int dz_th N(z_th) int_{E_r in cuts(th_r)} N(E_r; E, sE(E)) eps(y(E_r, th_r)) dE_r,
 * the inner integral in closed form (erfc; eps is linear in E_r between the table's
 * nodes, since y is linear in E_r at fixed theta), the outer one by Gauss-Legendre panels
 * split at the crossings of the cut bounds.  Far from every cut (and bin edge) A = eps
 * exactly for a constant efficiency (fast path, checked with the monotone bounds at the
 * ends of the theta range).  The 2D quadrature over R is prepare.c's (panels at grid nodes,
 * cut ends, moving ends) with extra panel edges where A changes: around every boundary
 * curve of R and every histogram bin edge, at distances growing geometrically (factor
 * 1.5) from 0.3 x the smallest to 8 x the largest local resolution (in u = ln(x/(1-x))
 * at fixed Q^2, and in ln Q^2 for the Q^2 cuts, bin edges and corners).  H_b uses A_b, the
 * probability to be reconstructed in bin b (the bin edges are bounds of the same kind), so
 * sum_b H_b = c up to rounding.  The quadrature runs over threads per Q^2 node with a
 * sequential, ordered accumulation: the same bits for any number of threads and ranks. */
#include "partonflow/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

#include "partonflow/kernels/kinematics.h"
#include "partonflow/ops.h"
#include "prepare_progress.h"
#include "prepare_smear.h"

int pf_prep_rules_init(rules *r)
{
    for (int n = 1; n <= 8; n++) {
        gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc((size_t)n);
        if (!t) return -1;
        for (int i = 0; i < n; i++) gsl_integration_glfixed_point(-1.0, 1.0, (size_t)i, &r->glx[n][i], &r->glw[n][i], t);
        gsl_integration_glfixed_table_free(t);
    }
    /* weight exp(-z^2/2) on the real line: GSL's Hermite rule with b = 1/2 */
    gsl_integration_fixed_workspace *w = gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, 10, 0.0, 0.5, 0.0, 0.0);
    if (!w) return -1;
    const double *x = gsl_integration_fixed_nodes(w), *wt = gsl_integration_fixed_weights(w);
    for (int i = 0; i < 10; i++) {
        r->ghx[i] = x[i];
        r->ghw[i] = wt[i] * 0.3989422804014327;
    }
    gsl_integration_fixed_free(w);
    return 0;
}


/* ---- event rows ---------------------------------------------------------------------- */
typedef struct row_ctx {
    const pf_ops *ops;
    const pf_det_params *d;
    const rules *R;
    double s, ee;
    bound cut[PF_PREP_MAXCUT];
    int ncut;
    double *xlines, *tlines; /* grid lines: u of x nodes (with segment edges), t of Q^2 nodes */
    int nxl, ntl;
} row_ctx;

typedef struct row_scratch {
    double *acc;       /* ngrid */
    uint8_t *mark;     /* ngrid */
    uint32_t *touched; /* ngrid */
    size_t ntouched;
    double edges[MAXEDGE], xz[MAXEDGE];
    double zn[PF_SMEAR_NP * MAXEDGE], wn[PF_SMEAR_NP * MAXEDGE]; /* nodes of the inner integral */
} row_scratch;

/* grid lines of a sorted list inside (a, b) -> their z_E at fixed c, appended */
static int add_lines(const row_ctx *x, const double *lines, int nl, int is_x, double c, double er, double ua,
                     double ub, double *out, int m)
{
    /* first line above ua (binary search), then every line below ub */
    int lo = 0, hi = nl;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (lines[mid] <= ua) lo = mid + 1; else hi = mid;
    }
    for (int i = lo; i < nl && lines[i] < ub && m < MAXEDGE - 16; i++) {
        bound bl = is_x ? x_line_m(x->d, 1.0 / (1.0 + exp(-lines[i]))) : q2_line_m(x->d, exp(lines[i]));
        out[m++] = z_of_e(x->d, er, bound_at(&bl, c));
    }
    return m;
}

static double u_of(double e, double th, const row_ctx *x, double *t)
{
    double xx, qq, yy;
    pf_det_reco_m(x->d, e, th, &xx, &qq, &yy);
    *t = log(qq);
    return log(xx / (1.0 - xx));
}

/* One reconstructed point: accumulates I(r) (detector-space density, prepare_smear.c's
 * header) times pref into sc (dense, with the touched list). */
static int row_one(const row_ctx *x, double xr, double q2r, double pref, int qseg, row_scratch *sc)
{
    const pf_det_params *d = x->d;
    const int jb = d->method == PF_DET_JB, nb = x->ncut + 2;
    double er, thr;
    pf_det_measured(d, xr, q2r, &er, &thr);
    const double sth = d->sigma_theta;
    /* the true cuts and the Gaussian window in E as bounds */
    bound b[PF_PREP_MAXCUT + 2];
    memcpy(b, x->cut, (size_t)x->ncut * sizeof *b);
    const double e_lo = e_of_z(d, er, NSIG), e_hi = e_of_z(d, er, -NSIG);
    b[x->ncut] = kb(e_lo, 1.0, 0.0, 1);
    b[x->ncut + 1] = kb(e_hi, 1.0, 0.0, 0);
    double zb[64];
    int nzb = theta_breaks(b, nb, thr, sth, zb, 40);
    /* theta nodes */
    double zt[384], wt[384]; /* <= 52 panels of 6 */
    int nt = 0;
    /* Jacquet-Blondel: Gauss-Hermite only where no cut clips the E window anywhere in the
     * theta window (jb_unclipped); else panels */
    if (nzb == 0 && (!jb || jb_unclipped(b, x->ncut, thr, sth, NSIG + 1.5, e_lo, e_hi))) {
        for (int i = 0; i < 10; i++) zt[nt] = x->R->ghx[i], wt[nt++] = x->R->ghw[i];
    } else {
        const double base[6] = {-NSIG, -3.5, -1.2, 1.2, 3.5, NSIG};
        for (int i = 0; i < 6; i++) zb[nzb++] = base[i];
        /* Jacquet-Blondel: the cut bounds vary fast with gamma (y ~ gamma^2 for a forward
         * hadron), so the interval's clip is steep in z_th even without a crossing: panels
         * always, and finer (10-point Gauss-Hermite was 1e-4 off at y = 0.006) */
        if (jb) {
            const double extra[7] = {-5.0, -2.3, 0.0, 2.3, 5.0, -thr / sth, (PF_KIN_PI - thr) / sth};
            for (int i = 0; i < 7; i++) /* (the last two: gamma = 0 and pi, where the map ends) */
                if (extra[i] > -NSIG && extra[i] < NSIG) zb[nzb++] = extra[i];
        }
        nzb = edges_in(zb, nzb, -NSIG, NSIG);
        for (int p = 0; p + 1 < nzb && nt + 6 <= 384; p++) {
            const double h = 0.5 * (zb[p + 1] - zb[p]), m = 0.5 * (zb[p + 1] + zb[p]);
            for (int i = 0; i < 6; i++) {
                zt[nt] = m + h * x->R->glx[6][i];
                wt[nt] = h * x->R->glw[6][i] * npdf(zt[nt]);
                nt++;
            }
        }
    }
    uint32_t idx[PF_OPS_NW];
    double w[PF_OPS_NW];
    for (int it = 0; it < nt; it++) {
        const double th = thr + sth * zt[it];
        if (!(th > 0.0 && th < PF_KIN_PI)) continue;
        const double c = cos(th), sn = sin(th), opc = 1.0 + c, omc = 1.0 - c;
        double lo, hi;
        cut_interval(b, nb, c, &lo, &hi);
        if (!(lo < hi)) continue;
        double za = z_of_e(d, er, hi), zc = z_of_e(d, er, lo);
        za = za < -NSIG ? -NSIG : za;
        zc = zc > NSIG ? NSIG : zc;
        if (!(za < zc)) continue;
        /* nodes in z_E: Gauss-Hermite when the window is not clipped and crosses no grid
         * line (the integrand is then smooth); otherwise Gauss-Legendre panels of
         * PF_SMEAR_NP points with edges at +-1.2, +-3.5, the clipped ends and every Q^2
         * line (thresholds included) and every x line of the grid: the theory's
         * interpolant is another cubic in each grid cell, with derivative jumps on the
         * lines, and a rule spanning a line integrates that kink at low order (panels
         * spanning up to 6 x lines left errors up to 7e-5 at low y, where the x
         * resolution spans tens of grid columns: docs/fitting.md) */
        double *ed = sc->edges, *xz = sc->xz, *zn = sc->zn, *wn = sc->wn;
        double ta, tc;
        const double ua = u_of(hi, th, x, &ta), uc = u_of(lo, th, x, &tc);
        const int nxz = add_lines(x, x->xlines, x->nxl, 1, c, er, uc, ua, xz, 0);
        int m = add_lines(x, x->tlines, x->ntl, 0, c, er, tc, ta, ed, 0);
        int nn = 0;
        if (za <= -NSIG && zc >= NSIG && m == 0 && nxz == 0) {
            for (int i = 0; i < 10; i++) zn[nn] = x->R->ghx[i], wn[nn++] = x->R->ghw[i];
        } else {
            const double base[4] = {-3.5, -1.2, 1.2, 3.5};
            for (int i = 0; i < 4; i++) ed[m++] = base[i];
            for (int k = 0; k < nxz && m < MAXEDGE - 2; k++) ed[m++] = xz[k];
            m = edges_in(ed, m, za, zc);
            for (int p = 0; p + 1 < m; p++) {
                const double hs = 0.5 * (ed[p + 1] - ed[p]), mid = 0.5 * (ed[p + 1] + ed[p]);
                for (int i = 0; i < PF_SMEAR_NP; i++) {
                    zn[nn] = mid + hs * x->R->glx[PF_SMEAR_NP][i];
                    wn[nn] = hs * x->R->glw[PF_SMEAR_NP][i] * npdf(zn[nn]);
                    nn++;
                }
            }
        }
        {
            for (int j = 0; j < nn; j++) {
                const double z = zn[j];
                const double e = e_of_z(d, er, z);
                /* electron method at fixed theta (kernels/detector.h), inlined: Q^2, y
                 * linear in E'; Jacobian 2 E' sin(theta) Q^2 / (s y^2); Jacquet-Blondel:
                 * y = E_h (1 - c) / 2Ee, Q^2 = p_T^2 / (1 - y), Jacobian 2 p_T Q^2 / (s y (1 - y)) */
                double qq, yy, jac;
                if (jb) {
                    const double pt = e * sn;
                    yy = e * omc / (2.0 * x->ee);
                    if (!(yy > 0.0 && yy < 1.0 && e > 0.0)) continue;
                    qq = pt * pt / (1.0 - yy);
                    jac = 2.0 * pt * qq / (x->s * yy * (1.0 - yy));
                } else {
                    qq = 2.0 * x->ee * e * opc, yy = 1.0 - e * omc / (2.0 * x->ee);
                    if (!(yy > 0.0 && e > 0.0)) continue;
                    jac = 2.0 * e * sn * qq / (x->s * yy * yy);
                }
                const double xx = qq / (x->s * yy);
                if (pf_ops_xsec_weights_seg(x->ops, xx, qq, qseg, idx, w)) return -1;
                const double se = sig_e(d, e);
                const double dse = (d->stochastic * d->stochastic + 2.0 * d->constant * d->constant * e) / (2.0 * se);
                const double f = pref * wt[it] * wn[j] * jac / (1.0 + z * dse);
                for (int k = 0; k < PF_OPS_NW; k++) {
                    const uint32_t g = idx[k];
                    if (!sc->mark[g]) {
                        sc->mark[g] = 1;
                        sc->touched[sc->ntouched++] = g;
                    }
                    sc->acc[g] += f * w[k];
                }
            }
        }
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int pf_prep_check_det(const pf_det_params *d, pf_status *st)
{
    if (d->perfect || !(d->sigma_theta > 0.0) || !(d->stochastic > 0.0 || d->constant > 0.0))
        return pf_status_set(st, PF_EINVAL,
                             "prepare: the smeared detector needs %sangle_resolution > 0 and an energy resolution > 0 "
                             "(got %g rad, stochastic %g, constant %g); use 'detector: perfect' for none",
                             d->method == PF_DET_JB ? "detector.hadronic." : "", d->sigma_theta, d->stochastic,
                             d->constant);
    if (d->constant * NSIG >= 0.5)
        return pf_status_set(st, PF_EINVAL, "prepare: energy resolution constant term %g is too large (>= %g)",
                             d->constant, 0.5 / NSIG);
    return PF_OK;
}

static int grid_lines(const pf_ops *ops, double **xl, int *nxl, double **tl, int *ntl)
{
    *xl = malloc((pf_ops_nx(ops) + 1) * sizeof **xl);
    *tl = malloc((pf_ops_nq2(ops) + 1) * sizeof **tl);
    if (!*xl || !*tl) return -1;
    double *v = *xl;
    for (size_t i = 0; i < pf_ops_nx(ops); i++) v[i] = pf_interp_axis_node(pf_ops_xaxis(ops), (int)i);
    *nxl = (int)pf_ops_nx(ops);
    qsort(v, pf_ops_nx(ops), sizeof *v, cmp_double);
    v = *tl;
    for (size_t i = 0; i < pf_ops_nq2(ops); i++) v[i] = pf_interp_axis_node(pf_ops_qaxis(ops), (int)i);
    *ntl = (int)pf_ops_nq2(ops);
    qsort(v, pf_ops_nq2(ops), sizeof *v, cmp_double);
    return 0;
}

#define CHUNK 4096

/* The rows of n reconstructed points, computed in parallel and assembled in point order
 * (each row depends on its point alone: the same bits for any threads and ranks).
 * nodes = 0: event rows, pref = eps(y_r) / J(r), one row per point.
 * nodes = 1: response-operator rows (prepare_reco.c), pref = 1 / J(r), two rows per point,
 *   the F2 and the FL part (even and odd grid indices) divided by K_2(r) and K_L(r); a
 *   point with use[i] == 0 gets two empty rows. */
static int smear_rows(const pf_ops *ops, const pf_det_params *d, const double *gen, int nodes, const uint8_t *use,
                      const int *qseg, size_t n, const double *x, const double *q2, uint64_t *row_ptr, uint32_t **col_out,
                      double **val_out, const pf_prep_progress *pr, pf_status *st)
{
    *col_out = NULL;
    *val_out = NULL;
    if (pf_prep_check_det(d, st)) return st->code;
    const size_t ng = pf_ops_ngrid(ops);
    const int per = nodes ? 2 : 1;
    rules R;
    row_ctx cx = {.ops = ops, .d = d, .R = &R, .ee = d->e_electron, .s = pf_kin_s(d->e_electron, d->e_proton)};
    double kcuts[7], ks, alpha_em;
    pf_ops_kinematics(ops, kcuts, &ks, &alpha_em);
    cx.ncut = cut_bounds_m(d, gen ? gen : d->cuts, cx.cut);
    int nthr = 1;
#ifdef PF_HAVE_OPENMP
    nthr = omp_get_max_threads();
#endif
    row_scratch *sc = calloc((size_t)nthr, sizeof *sc);
    uint32_t **tc = calloc((size_t)nthr, sizeof *tc);
    double **tv = calloc((size_t)nthr, sizeof *tv);
    size_t *tcap = calloc((size_t)nthr, sizeof *tcap), *tlen = calloc((size_t)nthr, sizeof *tlen);
    uint64_t *off = malloc(2 * CHUNK * sizeof *off), *len = malloc(2 * CHUNK * sizeof *len);
    int *who = malloc(CHUNK * sizeof *who);
    uint32_t *col = NULL;
    double *val = NULL;
    size_t cap = 0, nnz = 0;
    int rc = PF_OK;
    long bad = -1;
    if (!sc || !tc || !tv || !tcap || !tlen || !off || !len || !who || pf_prep_rules_init(&R) ||
        grid_lines(ops, &cx.xlines, &cx.nxl, &cx.tlines, &cx.ntl)) {
        rc = pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the event-row workspace");
        goto done;
    }
    for (int t = 0; t < nthr; t++) {
        sc[t].acc = calloc(ng, sizeof *sc[t].acc);
        sc[t].mark = calloc(ng, 1);
        sc[t].touched = malloc(ng * sizeof *sc[t].touched);
        if (!sc[t].acc || !sc[t].mark || !sc[t].touched) {
            rc = pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the event-row workspace");
            goto done;
        }
    }
    row_ptr[0] = 0;
    for (size_t c0 = 0; c0 < n && !rc; c0 += CHUNK) {
        const size_t c1 = c0 + CHUNK < n ? c0 + CHUNK : n;
        int oom = 0;
        for (int t = 0; t < nthr; t++) tlen[t] = 0;
        /* rows are independent of who computes them: dynamic scheduling only balances */
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 8)
#endif
        for (size_t i = c0; i < c1; i++) {
            int t = 0;
#ifdef PF_HAVE_OPENMP
            t = omp_get_thread_num();
#endif
            row_scratch *s = sc + t;
            s->ntouched = 0;
            who[i - c0] = t;
            double scale[2] = {1.0, 1.0};
            if (nodes && !use[i]) {
                for (int a = 0; a < 2; a++) off[per * (i - c0) + a] = tlen[t], len[per * (i - c0) + a] = 0;
                continue;
            }
            double er, thr;
            pf_det_measured(d, x[i], q2[i], &er, &thr);
            const double jr = pf_det_jacobian_m(d, er, thr);
            double pref = 1.0 / jr;
            if (nodes) {
                double f2, fl;
                pf_kin_xsec_factors_b(pf_ops_born(ops), x[i], q2[i], cx.s, alpha_em, &f2, &fl);
                scale[0] = 1.0 / f2;
                scale[1] = 1.0 / fl;
            } else {
                pref = pf_det_efficiency(d, q2[i] / (x[i] * cx.s)) / jr;
            }
            if (!(isfinite(pref) && isfinite(scale[0]) && isfinite(scale[1])) || row_one(&cx, x[i], q2[i], pref, qseg ? qseg[i] : -1, s)) {
#ifdef PF_HAVE_OPENMP
#pragma omp critical(pf_prep_smear_bad)
#endif
                if (bad < 0 || (long)i < bad) bad = (long)i;
            }
            qsort(s->touched, s->ntouched, sizeof *s->touched, cmp_u32);
            if (tlen[t] + s->ntouched > tcap[t]) {
                size_t nc = (tlen[t] + s->ntouched) * 3 / 2 + 1024;
                uint32_t *a = realloc(tc[t], nc * sizeof *a);
                if (a) tc[t] = a;
                double *v = realloc(tv[t], nc * sizeof *v);
                if (v) tv[t] = v;
                if (a && v) tcap[t] = nc; else oom = 1;
            }
            /* weights below PF_PREP_DROP x the row's largest come from the far Gaussian
             * tails only (|z| > ~5.5) and change w . G by less than the quadrature error:
             * dropped (a quarter of the weights with the default grid) */
            for (int a = 0; a < per; a++) {
                double vmax = 0.0;
                for (size_t k = 0; k < s->ntouched; k++)
                    if (!nodes || (int)(s->touched[k] & 1u) == a) vmax = fmax(vmax, fabs(s->acc[s->touched[k]]));
                const size_t o = tlen[t];
                size_t kept = 0;
                for (size_t k = 0; k < s->ntouched; k++) {
                    const uint32_t g = s->touched[k];
                    if (nodes && (int)(g & 1u) != a) continue;
                    if (fabs(s->acc[g]) >= PF_PREP_DROP * vmax && o + kept < tcap[t]) {
                        tc[t][o + kept] = g;
                        tv[t][o + kept] = nodes ? s->acc[g] * scale[a] : s->acc[g];
                        kept++;
                    }
                }
                tlen[t] += kept;
                off[per * (i - c0) + a] = o;
                len[per * (i - c0) + a] = kept;
            }
            for (size_t k = 0; k < s->ntouched; k++) {
                s->acc[s->touched[k]] = 0.0;
                s->mark[s->touched[k]] = 0;
            }
        }
        if (oom) {
            rc = pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the event rows");
            break;
        }
        /* assembly in global point order */
        size_t add = 0;
        for (size_t r = 0; r < per * (c1 - c0); r++) add += len[r];
        if (nnz + add > cap) {
            size_t nc = (nnz + add) + (nnz + add) / 2 + 4096;
            uint32_t *a = realloc(col, nc * sizeof *a);
            if (a) col = a;
            double *v = realloc(val, nc * sizeof *v);
            if (v) val = v;
            if (!a || !v) {
                rc = pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate %zu row weights", nnz + add);
                break;
            }
            cap = nc;
        }
        for (size_t r = 0; r < per * (c1 - c0); r++) {
            const int t = who[r / per];
            memcpy(col + nnz, tc[t] + off[r], len[r] * sizeof *col);
            memcpy(val + nnz, tv[t] + off[r], len[r] * sizeof *val);
            nnz += len[r];
            row_ptr[per * c0 + r + 1] = nnz;
        }
        if (bad >= 0) break;
        pf_prep_progress_rows(pr, c1, n);
    }
    if (!rc && bad >= 0)
        rc = pf_ops_domain_error(ops, nodes ? "prepare: the resolution of reconstructed-grid node"
                                            : "prepare: the resolution of accepted event",
                                 bad, x, q2, st);
done:
    for (int t = 0; sc && t < nthr; t++) {
        free(sc[t].acc); free(sc[t].mark); free(sc[t].touched);
        if (tc) free(tc[t]);
        if (tv) free(tv[t]);
    }
    free(sc); free(tc); free(tv); free(tcap); free(tlen); free(off); free(len); free(who);
    free(cx.xlines); free(cx.tlines);
    if (rc) {
        free(col);
        free(val);
        return rc;
    }
    *col_out = col ? col : malloc(sizeof *col);
    *val_out = val ? val : malloc(sizeof *val);
    return PF_OK;
}

int pf_prep_events_smeared(const pf_ops *ops, const pf_det_params *d, const double *gen, size_t n, const double *x,
                           const double *q2, uint64_t *row_ptr, uint32_t **col, double **val, pf_status *st)
{
    return smear_rows(ops, d, gen, 0, NULL, NULL, n, x, q2, row_ptr, col, val, NULL, st);
}

int pf_prep_events_smeared_progress(const pf_ops *ops, const pf_det_params *d, const double *gen, size_t n,
                                    const double *x, const double *q2, uint64_t *row_ptr, uint32_t **col,
                                    double **val, const pf_prep_progress *pr, pf_status *st)
{
    return smear_rows(ops, d, gen, 0, NULL, NULL, n, x, q2, row_ptr, col, val, pr, st);
}

int pf_prep_response_rows(const pf_ops *ops, const pf_det_params *d, const double *gen, const uint8_t *use,
                          const int *qseg, size_t n, const double *x, const double *q2, uint64_t *row_ptr,
                          uint32_t **col, double **val, pf_status *st)
{
    return smear_rows(ops, d, gen, 1, use, qseg, n, x, q2, row_ptr, col, val, NULL, st);
}

int pf_prep_response_rows_progress(const pf_ops *ops, const pf_det_params *d, const double *gen, const uint8_t *use,
                                   size_t n, const double *x, const double *q2, uint64_t *row_ptr, uint32_t **col,
                                   double **val, const pf_prep_progress *pr, pf_status *st)
{
    return smear_rows(ops, d, gen, 1, use, NULL, n, x, q2, row_ptr, col, val, pr, st);
}
