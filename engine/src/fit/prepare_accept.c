/* partonflow fit: the normalisation c and histogram operators H of the smeared detector,
 * with the acceptance A(x, Q2) (method: prepare_smear.c's header, docs/fitting.md). */
#include "partonflow/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/kernels/kinematics.h"
#include "partonflow/ops.h"
#include "prepare_smear.h"

/* refinement near the edges of A (normalisation): distances from 0.3 x the smallest
 * local resolution growing by 1.5 up to 8 x the largest, at least 3 points a panel (a
 * factor 2 gives H_b to 4e-4 only; docs/fitting.md) */
#define GEO_FACTOR 1.5
#define GEO_START 0.3
#define GEO_MINORD 3

/* ---- acceptance ---------------------------------------------------------------------- */
typedef struct acc_ctx {
    const pf_det_params *d;
    const rules *R;
    bound cut[PF_PREP_MAXCUT];
    int ncut;
    int nedge;                 /* bin edges as bounds: x edges then Q^2 edges */
    bound edge[MAXB];
    const pf_prep_bins *bins;
    int const_eff;
} acc_ctx;

/* Upper tail Q(z) = P(Z > z) (accurate for large z) and the mass between two points
 * from it. */
static double qtail(double z) { return 0.5 * erfc(z * 0.7071067811865476); }

/* sum over the pieces of [lo, hi] of int N(E; mu, s) eps dE; with bins, per piece.  At
 * fixed c every bin edge is a bound of E, increasing with the edge's x (or Q^2), so the
 * bin of a piece is the number of edges below it; eps is linear in E between the
 * table's nodes (y is linear in E). */
static double acc_inner(const acc_ctx *a, double c, double mu, double se, double lo, double hi, double wgt,
                        int *bl, double *bv, int *nbl)
{
    double p[MAXB + PF_DET_EFF_MAX + 2];
    int m = 0;
    p[m++] = lo;
    for (int k = 0; k < a->nedge; k++) {
        const double v = bound_at(a->edge + k, c);
        if (v > lo && v < hi) p[m++] = v;
    }
    if (!a->const_eff)
        for (int k = 0; k < a->d->eff_n; k++) {
            const double v = e_of_y(a->d, a->d->eff_y[k], c);
            if (v > lo && v < hi) p[m++] = v;
        }
    p[m++] = hi;
    for (int i = 2; i < m - 1; i++) /* insertion sort: a few points */
        for (int j = i; j > 1 && p[j] < p[j - 1]; j--) {
            const double t = p[j]; p[j] = p[j - 1]; p[j - 1] = t;
        }
    double tot = 0.0, zl = (lo - mu) / se, ql = qtail(zl);
    for (int q = 0; q + 1 < m; q++) {
        const double l = p[q], h = p[q + 1];
        if (!(h > l)) continue;
        const double zh = (h - mu) / se, qh = qtail(zh);
        const double mass = zh <= 0.0 ? qtail(-zh) - qtail(-zl) : ql - qh;
        double v;
        if (a->const_eff) {
            v = a->d->efficiency * mass;
        } else {
            const double yl = y_of_e(a->d, l, c), yh = y_of_e(a->d, h, c);
            const double el = pf_det_efficiency(a->d, yl), eh = pf_det_efficiency(a->d, yh);
            const double sl = (eh - el) / (h - l);
            v = (el + sl * (mu - l)) * mass - sl * se * (npdf(zh) - npdf(zl));
        }
        tot += v;
        if (a->bins && v != 0.0) {
            const double em = 0.5 * (l + h);
            int ix = -1, iq = -1;
            for (int k = 0; k <= a->bins->nx; k++) ix += bound_at(a->edge + k, c) <= em;
            for (int k = 0; k <= a->bins->nq2; k++) iq += bound_at(a->edge + a->bins->nx + 1 + k, c) <= em;
            if (ix >= 0 && ix < a->bins->nx && iq >= 0 && iq < a->bins->nq2) {
                const int b = iq * a->bins->nx + ix;
                int k = 0;
                while (k < *nbl && bl[k] != b) k++;
                if (k == *nbl && k < MAXB) {
                    bl[k] = b;
                    bv[k] = 0.0;
                    (*nbl)++;
                }
                if (k < MAXB) bv[k] += wgt * v;
            }
        }
        zl = zh;
        ql = qh;
    }
    return tot;
}

/* A at a true point; with bins, A_b for the bins reached (bl, bv, nbl) */
static double acc_point(const acc_ctx *a, double x, double q2, int *bl, double *bv, int *nbl)
{
    const pf_det_params *d = a->d;
    double e, th;
    pf_det_measured(d, x, q2, &e, &th);
    const double se = sig_e(d, e), sth = d->sigma_theta, win = NSIG + 1.5;
    const int nc = a->ncut;
    *nbl = 0;
    if (a->const_eff && d->method == PF_DET_JB && !a->bins &&
        jb_unclipped(a->cut, nc, th, sth, win, e - win * se, e + win * se))
        return d->efficiency; /* Jacquet-Blondel's fast path: no cut within the window */
    if (a->const_eff && d->method != PF_DET_JB) {
        /* fast path: every bound (cuts, bin edges) stays outside the window over the
         * whole theta range (the electron method's bounds are monotone in theta;
         * Jacquet-Blondel's Q^2 bound is not everywhere, so it takes the general path) */
        int far = 1;
        const double cs[2] = {cos(th - win * sth), cos(th + win * sth)};
        for (int k = 0; k < nc + a->nedge && far; k++) {
            const bound *b = k < nc ? a->cut + k : a->edge + k - nc;
            for (int j = 0; j < 2 && far; j++) {
                const double v = bound_at(b, cs[j]);
                if (k < nc) far = b->lower ? v < e - win * se : v > e + win * se;
                else if (j == 1) {
                    const double v0 = bound_at(b, cs[0]);
                    far = (v0 < e - win * se && v < e - win * se) || (v0 > e + win * se && v > e + win * se);
                }
            }
        }
        if (far) {
            if (a->bins) {
                const int b = pf_prep_bin_of(a->bins, x, q2);
                if (b >= 0) bl[0] = b, bv[0] = d->efficiency, *nbl = 1;
            }
            return d->efficiency;
        }
    }
    /* theta_r nodes: Gauss-Hermite when no two cuts cross within the window (then the
     * cut interval's ends are smooth in theta_r), else Gauss-Legendre panels split at the
     * crossings */
    double zb[64], zt[384], wt[384]; /* <= 52 panels of 6 */
    int nzb = theta_breaks(a->cut, nc, th, sth, zb, 40), nt = 0;
    if (nzb == 0 && !(d->method == PF_DET_JB)) {
        for (int i = 0; i < 10; i++) zt[nt] = a->R->ghx[i], wt[nt++] = a->R->ghw[i];
    } else {
        const double base[6] = {-NSIG, -3.5, -1.2, 1.2, 3.5, NSIG};
        for (int i = 0; i < 6; i++) zb[nzb++] = base[i];
        /* Jacquet-Blondel: the cut bounds vary fast with gamma (y ~ gamma^2 for a forward
         * hadron), so the interval's clip is steep in z_th even without a crossing: panels
         * always, and finer (10-point Gauss-Hermite was 1e-4 off at y = 0.006) */
        if (d->method == PF_DET_JB) {
            const double extra[7] = {-5.0, -2.3, 0.0, 2.3, 5.0, -th / sth, (PF_KIN_PI - th) / sth};
            for (int i = 0; i < 7; i++) /* (the last two: gamma = 0 and pi, where the map ends) */
                if (extra[i] > -NSIG && extra[i] < NSIG) zb[nzb++] = extra[i];
        }
        nzb = edges_in(zb, nzb, -NSIG, NSIG);
        for (int p = 0; p + 1 < nzb && nt + 6 <= 384; p++) {
            const double h = 0.5 * (zb[p + 1] - zb[p]), m = 0.5 * (zb[p + 1] + zb[p]);
            for (int i = 0; i < 6; i++) {
                zt[nt] = m + h * a->R->glx[6][i];
                wt[nt] = h * a->R->glw[6][i] * npdf(zt[nt]);
                nt++;
            }
        }
    }
    double A = 0.0;
    for (int i = 0; i < nt; i++) {
        const double thr = th + sth * zt[i];
        if (!(thr > 0.0 && thr < PF_KIN_PI)) continue;
        const double c = cos(thr), wz = wt[i];
        double lo, hi;
        cut_interval(a->cut, nc, c, &lo, &hi);
        lo = fmax(lo, e - win * se);
        hi = fmin(hi, e + win * se);
        if (!(lo < hi)) continue;
        A += wz * acc_inner(a, c, e, se, lo, hi, wz, bl, bv, nbl);
    }
    return A;
}

static int acc_init(acc_ctx *a, const pf_det_params *d, const rules *R, const pf_prep_bins *bins)
{
    memset(a, 0, sizeof *a);
    a->d = d;
    a->R = R;
    a->ncut = cut_bounds_m(d, d->cuts, a->cut);
    a->bins = bins && bins->nx > 0 && bins->nq2 > 0 ? bins : NULL;
    a->const_eff = d->eff_n <= 0;
    if (d->eff_n > 0) {
        int same = 1;
        for (int k = 1; k < d->eff_n; k++) same &= d->eff_value[k] == d->eff_value[0];
        (void)same; /* a flat table is still handled by the general path */
    }
    if (a->bins) {
        if (bins->nx + bins->nq2 + 2 > MAXB) return -1;
        for (int i = 0; i <= bins->nx; i++)
            a->edge[a->nedge++] = x_line_m(d, exp(bins->logx_lo + (bins->logx_hi - bins->logx_lo) * i / bins->nx));
        for (int i = 0; i <= bins->nq2; i++)
            a->edge[a->nedge++] = q2_line_m(d, exp(bins->logq2_lo + (bins->logq2_hi - bins->logq2_lo) * i / bins->nq2));
    }
    return 0;
}

double pf_prep_acceptance(const pf_det_params *d, double x, double q2)
{
    rules R;
    acc_ctx a;
    if (pf_prep_rules_init(&R) || acc_init(&a, d, &R, NULL)) return NAN;
    int bl[1], nbl;
    double bv[1];
    return acc_point(&a, x, q2, bl, bv, &nbl);
}

int pf_prep_acceptance_n(const pf_det_params *d, size_t n, const double *x, const double *q2, double *out)
{
    rules R; /* the quadrature rules once: GSL's Hermite rule is an eigenproblem */
    acc_ctx a;
    if (pf_prep_rules_init(&R) || acc_init(&a, d, &R, NULL)) return -1;
#pragma omp parallel for schedule(dynamic, 256)
    for (size_t i = 0; i < n; i++) {
        int bl[1], nbl;
        double bv[1];
        out[i] = acc_point(&a, x[i], q2[i], bl, bv, &nbl);
    }
    return 0;
}

/* ---- normalisation and histogram operators ------------------------------------------- */
static double u_of_x(double x) { return log(x / (1.0 - x)); }
static double x_of_u(double u) { return 1.0 / (1.0 + exp(-u)); }

static void x_range(const double *cuts, double s, double q2, double *lo, double *hi)
{
    const double a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    *lo = fmax(cuts[PF_CUT_X_MIN], q2 / (s * cuts[PF_CUT_Y_MAX]));
    *hi = cuts[PF_CUT_X_MAX];
    if (cuts[PF_CUT_Y_MIN] > 0.0) *hi = fmin(*hi, q2 / (s * cuts[PF_CUT_Y_MIN]));
    if (a > 0.0) *hi = fmin(*hi, q2 / (q2 + a));
    *hi = fmin(*hi, 1.0 - 1e-12);
}

/* local resolutions of the reconstructed u = ln(x/(1-x)), ln y and t = ln Q^2 at a true
 * point (linear error propagation; they only place panel edges) */
static void local_sigma(const pf_det_params *d, double x, double q2, double *su, double *st)
{
    double e, th;
    pf_det_measured(d, x, q2, &e, &th);
    const double he = 1e-6 * e, ht = 1e-6;
    double v[4][3];
    const double de[4] = {he, -he, 0, 0}, dt[4] = {0, 0, ht, -ht};
    for (int k = 0; k < 4; k++) {
        double xx, qq, yy;
        pf_det_reco_m(d, e + de[k], th + dt[k], &xx, &qq, &yy);
        v[k][0] = log(xx / (1.0 - xx));
        v[k][1] = log(yy);
        v[k][2] = log(qq);
    }
    const double se = sig_e(d, e), sth = d->sigma_theta;
    double s[3];
    for (int j = 0; j < 3; j++) {
        const double a = (v[0][j] - v[1][j]) / (2 * he) * se, b = (v[2][j] - v[3][j]) / (2 * ht) * sth;
        s[j] = sqrt(a * a + b * b);
    }
    su[0] = fmin(s[0], s[1]);
    su[1] = fmax(s[0], s[1]);
    *st = s[2];
}

static int pan_order(double width, double h, int order)
{
    int n = (int)ceil(order * width / h);
    return n < GEO_MINORD ? GEO_MINORD : (n > order ? order : n);
}

/* geometric distances from a boundary: 0.3 smin .. 8 smax, factor 1.5 */
static int geo(double *out, int m, int cap, double at, double smin, double smax, int both)
{
    for (double dd = GEO_START * smin; dd < 8.0 * smax && m + 2 < cap; dd *= GEO_FACTOR) {
        out[m++] = at + dd;
        if (both) out[m++] = at - dd;
    }
    if (m + 2 < cap) {
        out[m++] = at + 8.0 * smax;
        if (both) out[m++] = at - 8.0 * smax;
    }
    return m;
}

int pf_prep_norm_smeared(const pf_ops *ops, const pf_det_params *d, const double *gen, const pf_prep_bins *bins,
                         int order, double *c, double *H, pf_status *st)
{
    if (pf_prep_check_det(d, st)) return st->code;
    const size_t ngrid = pf_ops_ngrid(ops), nbins = bins ? (size_t)bins->nx * (size_t)bins->nq2 : 0;
    const double *cuts = d->cuts, s = pf_kin_s(d->e_electron, d->e_proton);
    if (order <= 0) order = 8;
    rules R;
    acc_ctx A;
    if (pf_prep_rules_init(&R)) return pf_status_set(st, PF_ENOMEM, "prepare: cannot set up the quadrature rules");
    if (acc_init(&A, d, &R, H ? bins : NULL))
        return pf_status_set(st, PF_EINVAL, "prepare: too many histogram bins (%d x %d) for the smeared detector",
                             bins->nx, bins->nq2);
    const pf_interp_axis *xa = pf_ops_xaxis(ops), *qa = pf_ops_qaxis(ops);
    const size_t nxn = pf_ops_nx(ops), nqn = pf_ops_nq2(ops);
    const size_t nbx = bins ? (size_t)bins->nx + 1 : 0, nbq = bins ? (size_t)bins->nq2 + 1 : 0;
    const double hu = 1.0 / xa->inv_h[0], ht = 1.0 / qa->inv_h[0]; /* grid spacings */
    if (order > 8) order = 8;
    /* the true points integrated over: the generation region g (the cuts when NULL); A
     * changes fast near the reconstructed cuts, which place the refinement below */
    const double *g = gen ? gen : cuts;
    const double a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    const double ag = g[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    const double t_lo = log(g[PF_CUT_Q2_MIN]), t_hi = log(g[PF_CUT_Q2_MAX]);
    /* x values whose moving-end crossings are outer breakpoints */
    size_t nxs = nxn + nbx + 4;
    double *xs = malloc(nxs * sizeof *xs);
    size_t capt = 64 * (nbq + 16) + nqn + 8 * nxs + 64;
    if (gen) capt += 3 * nxs + 8;
    double *tb = malloc(capt * sizeof *tb);
    const int capu = 8192;
    if (!xs || !tb) {
        free(xs); free(tb);
        return pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the normalisation quadrature");
    }
    size_t k = 0;
    for (size_t i = 0; i < nxn; i++) xs[k++] = x_of_u(pf_interp_axis_node(xa, (int)i));
    for (size_t i = 0; i < nbx; i++) xs[k++] = exp(bins->logx_lo + (bins->logx_hi - bins->logx_lo) * (double)i / bins->nx);
    xs[k++] = cuts[PF_CUT_X_MIN];
    xs[k++] = cuts[PF_CUT_X_MAX];
    if (gen) {
        xs[k++] = g[PF_CUT_X_MIN];
        xs[k++] = g[PF_CUT_X_MAX];
    }
    nxs = k;
    size_t nt = 0;
    for (size_t i = 0; i < nqn; i++) tb[nt++] = pf_interp_axis_node(qa, (int)i);
    for (size_t i = 0; i < nxs; i++) {
        const double x = xs[i];
        tb[nt++] = log(x * s * cuts[PF_CUT_Y_MAX]);
        if (cuts[PF_CUT_Y_MIN] > 0.0) tb[nt++] = log(x * s * cuts[PF_CUT_Y_MIN]);
        if (a > 0.0 && x < 1.0) tb[nt++] = log(a * x / (1.0 - x));
        if (gen) { /* the kinks of the region's x range */
            tb[nt++] = log(x * s * g[PF_CUT_Y_MAX]);
            if (g[PF_CUT_Y_MIN] > 0.0) tb[nt++] = log(x * s * g[PF_CUT_Y_MIN]);
            if (ag > 0.0 && x < 1.0) tb[nt++] = log(ag * x / (1.0 - x));
        }
    }
    /* edges where A changes in t: the Q^2 cuts, bin edges in Q^2, the corners of R */
    double tedge[64];
    int nte = 0;
    tedge[nte++] = t_lo;
    tedge[nte++] = t_hi;
    for (size_t i = 0; i < nbq && nte < 40; i++) tedge[nte++] = bins->logq2_lo + (bins->logq2_hi - bins->logq2_lo) * (double)i / bins->nq2;
    {
        const double xc[2] = {cuts[PF_CUT_X_MIN], cuts[PF_CUT_X_MAX]};
        for (int i = 0; i < 2; i++) {
            tedge[nte++] = log(xc[i] * s * cuts[PF_CUT_Y_MAX]);
            if (cuts[PF_CUT_Y_MIN] > 0.0) tedge[nte++] = log(xc[i] * s * cuts[PF_CUT_Y_MIN]);
            if (a > 0.0) tedge[nte++] = log(a * xc[i] / (1.0 - xc[i]));
        }
        if (s * cuts[PF_CUT_Y_MAX] > a) tedge[nte++] = log(s * cuts[PF_CUT_Y_MAX] - a);
        if (cuts[PF_CUT_Y_MIN] > 0.0 && s * cuts[PF_CUT_Y_MIN] > a) tedge[nte++] = log(s * cuts[PF_CUT_Y_MIN] - a);
    }
    for (int e = 0; e < nte; e++) {
        const double te = tedge[e];
        if (!(te >= t_lo - 1e-12 && te <= t_hi + 1e-12)) continue;
        /* resolution in ln Q^2 along the line, over its x range */
        const double q2 = exp(fmin(fmax(te, t_lo), t_hi));
        double xlo, xhi, smin = INFINITY, smax = 0.0;
        x_range(g, s, q2, &xlo, &xhi);
        if (!(xlo < xhi)) xlo = xhi = fmin(fmax(xlo, 1e-6), 0.99);
        for (int j = 0; j <= 16; j++) {
            const double xx = x_of_u(u_of_x(xlo) + (u_of_x(xhi) - u_of_x(xlo)) * j / 16.0);
            double su[2], sq;
            local_sigma(d, xx, q2, su, &sq);
            smin = fmin(smin, sq);
            smax = fmax(smax, sq);
        }
        nt = (size_t)geo(tb, (int)nt, (int)capt, te, smin, smax, 1);
    }
    if (cuts[PF_CUT_Y_MIN] > 0.0 && s * cuts[PF_CUT_Y_MIN] > a && nt < capt) tb[nt++] = log(s * cuts[PF_CUT_Y_MIN] - a);
    {
        size_t m = 0;
        for (size_t i = 0; i < nt; i++)
            if (tb[i] > t_lo && tb[i] < t_hi) tb[m++] = tb[i];
        tb[m++] = t_lo;
        tb[m++] = t_hi;
        qsort(tb, m, sizeof *tb, cmp_double);
        size_t q = 0;
        for (size_t i = 0; i < m; i++)
            if (q == 0 || tb[i] - tb[q - 1] > 1e-13 * (1.0 + fabs(tb[i]))) tb[q++] = tb[i];
        nt = q;
    }

    memset(c, 0, ngrid * sizeof *c);
    if (H) memset(H, 0, nbins * ngrid * sizeof *H);
    double *ub = malloc((size_t)capu * sizeof *ub);
    double *xu = malloc((size_t)capu * order * sizeof *xu), *fu = malloc((size_t)capu * order * sizeof *fu);
    double *Au = malloc((size_t)capu * order * sizeof *Au);
    int *nbu = malloc((size_t)capu * order * sizeof *nbu);
    int *blu = malloc((size_t)capu * order * MAXB * sizeof *blu);
    double *bvu = malloc((size_t)capu * order * MAXB * sizeof *bvu);
    int rc = PF_OK;
    if (!ub || !xu || !fu || !Au || !nbu || !blu || !bvu) rc = pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the normalisation quadrature");
    uint32_t idx[PF_OPS_NW];
    double w[PF_OPS_NW];
    for (size_t pt = 0; pt + 1 < nt && !rc; pt++) {
        /* points per panel: `order` for a panel of a grid cell or more, fewer for the
         * narrow panels of the refinement near the edges (3 at least) */
        const int no = pan_order(tb[pt + 1] - tb[pt], ht, order);
        for (int it = 0; it < no && !rc; it++) {
            const double hh = 0.5 * (tb[pt + 1] - tb[pt]);
            const double t = 0.5 * (tb[pt + 1] + tb[pt]) + hh * R.glx[no][it], wt = hh * R.glw[no][it];
            const double q2 = exp(t);
            double xlo, xhi;
            x_range(g, s, q2, &xlo, &xhi);
            if (!(xlo < xhi)) continue;
            const double ulo = u_of_x(xlo), uhi = u_of_x(xhi);
            int nu = 0;
            for (size_t i = 0; i < nxn; i++) ub[nu++] = pf_interp_axis_node(xa, (int)i);
            /* A changes near every boundary curve of R and every bin edge in x */
            double ucur[64];
            int ncur = 0;
            ucur[ncur++] = u_of_x(fmin(cuts[PF_CUT_X_MIN], 1 - 1e-12));
            ucur[ncur++] = u_of_x(fmin(cuts[PF_CUT_X_MAX], 1 - 1e-12));
            if (q2 / (s * cuts[PF_CUT_Y_MAX]) < 1.0) ucur[ncur++] = u_of_x(q2 / (s * cuts[PF_CUT_Y_MAX]));
            if (cuts[PF_CUT_Y_MIN] > 0.0 && q2 / (s * cuts[PF_CUT_Y_MIN]) < 1.0) ucur[ncur++] = u_of_x(q2 / (s * cuts[PF_CUT_Y_MIN]));
            if (a > 0.0) ucur[ncur++] = u_of_x(q2 / (q2 + a));
            for (size_t i = 0; i < nbx && ncur < 60; i++)
                ucur[ncur++] = u_of_x(exp(bins->logx_lo + (bins->logx_hi - bins->logx_lo) * (double)i / bins->nx));
            for (int j = 0; j < ncur; j++) {
                const double uc = fmin(fmax(ucur[j], ulo), uhi);
                if (fabs(uc - ucur[j]) > 10.0) continue; /* far outside: no effect */
                double su[2], sq;
                local_sigma(d, x_of_u(uc), q2, su, &sq);
                nu = geo(ub, nu, capu, ucur[j], su[0], su[1], 1);
            }
            nu = edges_in(ub, nu, ulo, uhi);
            /* the nodes of this Q^2, their weights, then A (threads), then the ordered sum */
            int nn = 0;
            for (int pu = 0; pu + 1 < nu; pu++)
                for (int iu = 0, nou = pan_order(ub[pu + 1] - ub[pu], hu, order); iu < nou; iu++) {
                    const double hh = 0.5 * (ub[pu + 1] - ub[pu]);
                    const double u = 0.5 * (ub[pu + 1] + ub[pu]) + hh * R.glx[nou][iu], wu = hh * R.glw[nou][iu];
                    const double x = x_of_u(u);
                    xu[nn] = x;
                    fu[nn++] = wt * wu * x * (1.0 - x) * q2;
                }
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 16)
#endif
            for (int j = 0; j < nn; j++) Au[j] = acc_point(&A, xu[j], q2, blu + (size_t)j * MAXB, bvu + (size_t)j * MAXB, nbu + j);
            for (int j = 0; j < nn && !rc; j++) {
                if (pf_ops_xsec_weights(ops, xu[j], q2, idx, w)) {
                    rc = pf_status_set(st, PF_EDOMAIN,
                                       "prepare: the cut region reaches (x = %g, Q2 = %g GeV^2) outside the theory grid",
                                       xu[j], q2);
                    break;
                }
                const double f = fu[j] * Au[j];
                for (int q = 0; q < PF_OPS_NW; q++) c[idx[q]] += f * w[q];
                if (H)
                    for (int bb = 0; bb < nbu[j]; bb++) {
                        double *hb = H + (size_t)blu[(size_t)j * MAXB + bb] * ngrid;
                        const double fb = fu[j] * bvu[(size_t)j * MAXB + bb];
                        for (int q = 0; q < PF_OPS_NW; q++) hb[idx[q]] += fb * w[q];
                    }
            }
        }
    }
    free(xs); free(tb); free(ub); free(xu); free(fu); free(Au); free(nbu); free(blu); free(bvu);
    return rc;
}
