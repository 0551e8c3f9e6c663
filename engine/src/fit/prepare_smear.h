/* partonflow fit: the pieces shared by the smeared-detector rows (prepare_smear.c) and
 * normalisation (prepare_accept.c): cuts as linear bounds on E' at fixed cos theta, their
 * crossings, Gauss rules, the Gaussian substitution.  Method: prepare_smear.c's header. */
#ifndef PARTONFLOW_FIT_PREPARE_SMEAR_H
#define PARTONFLOW_FIT_PREPARE_SMEAR_H

#include <math.h>
#include <stdlib.h>

#include "partonflow/fit.h"
#include "partonflow/kernels/detector.h"
#include "partonflow/kernels/kinematics.h"

#define NSIG PF_PREP_NSIGMA
#define MAXB 48        /* bounds handled at once */
#define MAXEDGE 1024   /* panel edges of one inner integral */
#define PF_SMEAR_NP 6  /* Gauss-Legendre points per panel of the inner integral (<= 8: pf_prep_rules_init) */

/* A cut (or grid or bin line) as a bound on the measured energy E at fixed c = cos theta:
 * kind 0, E = P / (al + be c) (every electron-method bound, and the y and x bounds of
 * Jacquet-Blondel); kind PF_JB_Q2, PF_JB_W2_LO, PF_JB_W2_HI: pf_det_jb_level(kind, v, ee, s, c)
 * (kernels/detector.h: Q^2 and W^2 of Jacquet-Blondel are not linear in E_h). */
typedef struct bound { double P, al, be; int lower; int kind; double v, ee, s; } bound;

static inline bound kb(double P, double al, double be, int lower)
{
    bound b = {P, al, be, lower, 0, 0.0, 0.0, 0.0};
    return b;
}

static inline double bound_at(const bound *b, double c)
{
    return b->kind ? pf_det_jb_level(b->kind, b->v, b->ee, b->s, c) : b->P / (b->al + b->be * c);
}

/* The 7 cuts (kernels/kinematics.h order) as bounds on E' at fixed cos theta (electron
 * method); returns the count. */
static inline int cut_bounds(double ee, double s, const double *cuts, bound *b)
{
    const double k = 1.0 / (2.0 * ee), a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    int n = 0;
    b[n++] = kb(cuts[PF_CUT_Q2_MIN], 2.0 * ee, 2.0 * ee, 1);
    b[n++] = kb(cuts[PF_CUT_Q2_MAX], 2.0 * ee, 2.0 * ee, 0);
    b[n++] = kb(1.0 - cuts[PF_CUT_Y_MIN], k, -k, 0);
    b[n++] = kb(1.0 - cuts[PF_CUT_Y_MAX], k, -k, 1);
    b[n++] = kb(cuts[PF_CUT_X_MIN] * s, 2.0 * ee + cuts[PF_CUT_X_MIN] * s * k,
                     2.0 * ee - cuts[PF_CUT_X_MIN] * s * k, 1);
    b[n++] = kb(cuts[PF_CUT_X_MAX] * s, 2.0 * ee + cuts[PF_CUT_X_MAX] * s * k,
                     2.0 * ee - cuts[PF_CUT_X_MAX] * s * k, 0);
    b[n++] = kb(s - a, s * k + 2.0 * ee, 2.0 * ee - s * k, 0);
    return n;
}

/* Jacquet-Blondel lines at fixed cos gamma = c (kernels/detector.h pf_det_jb_level):
 * y = y0 at E = 2 Ee y0 / (1 - c); x = x0 at E = (x0 s / 2Ee) / ((1 + x0 s / 4Ee^2) + (1 - x0 s /
 * 4Ee^2) c); Q^2 and W^2 by kind. */
static inline bound jb_y_line(double ee, double y0, int lower) { return kb(2.0 * ee * y0, 1.0, -1.0, lower); }
static inline bound jb_x_line(double ee, double s, double x0, int lower)
{
    const double r = x0 * s / (4.0 * ee * ee);
    return kb(x0 * s / (2.0 * ee), 1.0 + r, 1.0 - r, lower);
}
static inline bound jb_level_line(int kind, double v, double ee, double s, int lower)
{
    bound b = kb(0.0, 0.0, 0.0, lower);
    b.kind = kind;
    b.v = v;
    b.ee = ee;
    b.s = s;
    return b;
}

/* The cuts as bounds of the detector's method: 7 (electron) or 8 (Jacquet-Blondel, W^2 is
 * an interval of E_h); returns the count (<= PF_PREP_MAXCUT). */
#define PF_PREP_MAXCUT 8
static inline int cut_bounds_m(const pf_det_params *d, const double *cuts, bound *b)
{
    const double ee = d->e_electron, s = pf_kin_s(d->e_electron, d->e_proton);
    if (d->method != PF_DET_JB) return cut_bounds(ee, s, cuts, b);
    const double a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    int n = 0;
    b[n++] = jb_level_line(PF_JB_Q2, cuts[PF_CUT_Q2_MIN], ee, s, 1);
    b[n++] = jb_level_line(PF_JB_Q2, cuts[PF_CUT_Q2_MAX], ee, s, 0);
    b[n++] = jb_y_line(ee, cuts[PF_CUT_Y_MIN], 1);
    b[n++] = jb_y_line(ee, cuts[PF_CUT_Y_MAX], 0);
    b[n++] = jb_x_line(ee, s, cuts[PF_CUT_X_MIN], 1);
    b[n++] = jb_x_line(ee, s, cuts[PF_CUT_X_MAX], 0);
    b[n++] = jb_level_line(PF_JB_W2_LO, a, ee, s, 1);
    b[n++] = jb_level_line(PF_JB_W2_HI, a, ee, s, 0);
    return n;
}

/* E' of a given x (or Q^2) at fixed c: the x-type (Q^2-type) bound through that value */
static inline bound x_line(double ee, double s, double x)
{
    const double k = 1.0 / (2.0 * ee);
    return kb(x * s, 2.0 * ee + x * s * k, 2.0 * ee - x * s * k, 0);
}
static inline bound q2_line(double ee, double q2) { return kb(q2, 2.0 * ee, 2.0 * ee, 0); }
/* the same for the detector's method */
static inline bound x_line_m(const pf_det_params *d, double x)
{
    const double s = pf_kin_s(d->e_electron, d->e_proton);
    return d->method == PF_DET_JB ? jb_x_line(d->e_electron, s, x, 0) : x_line(d->e_electron, s, x);
}
static inline bound q2_line_m(const pf_det_params *d, double q2)
{
    return d->method == PF_DET_JB ? jb_level_line(PF_JB_Q2, q2, d->e_electron, pf_kin_s(d->e_electron, d->e_proton), 0)
                                  : q2_line(d->e_electron, q2);
}
/* E at which the reconstructed y equals y0 at fixed c (efficiency-table nodes); y is linear
 * in E at fixed c for both methods */
static inline double e_of_y(const pf_det_params *d, double y0, double c)
{
    return d->method == PF_DET_JB ? 2.0 * d->e_electron * y0 / (1.0 - c) : (1.0 - y0) * 2.0 * d->e_electron / (1.0 - c);
}
static inline double y_of_e(const pf_det_params *d, double e, double c)
{
    return d->method == PF_DET_JB ? e * (1.0 - c) / (2.0 * d->e_electron) : 1.0 - e * (1.0 - c) / (2.0 * d->e_electron);
}

static inline void cut_interval(const bound *b, int n, double c, double *lo, double *hi)
{
    double l = 0.0, h = INFINITY;
    for (int i = 0; i < n; i++) {
        const double e = bound_at(b + i, c);
        if (b[i].lower) l = e > l ? e : l;
        else h = e < h ? e : h;
    }
    *lo = l;
    *hi = h;
}

/* c where bounds i and j are equal (NAN if none in (-1, 1)); kind-0 pairs only */
static inline double crossing(const bound *i, const bound *j)
{
    const double den = i->P * j->be - j->P * i->be, num = j->P * i->al - i->P * j->al;
    if (den == 0.0) return NAN;
    const double c = num / den;
    return c > -1.0 && c < 1.0 ? c : NAN;
}

/* z_th of every crossing among b[0..n) with |z| < NSIG around theta0; returns count */
static inline double bound_diff(const bound *i, const bound *j, double th0, double sth, double z)
{
    const double th = th0 + sth * z;
    if (!(th > 0.0 && th < PF_KIN_PI)) return NAN;
    const double c = cos(th), a = bound_at(i, c), b = bound_at(j, c);
    return a == b ? 0.0 : (a > b ? 1.0 : -1.0); /* the sign only (infinite bounds: empty) */
}
static inline int theta_breaks(const bound *b, int n, double th0, double sth, double *z, int cap)
{
    int m = 0;
    /* Jacquet-Blondel's Q^2 and W^2 bounds: sign changes of the difference on a grid of z_th
     * (step 0.125, the bounds evaluated once per grid point), each bisected to 1e-10; the
     * breakpoints only place panel edges */
    enum { NS = (int)(16 * NSIG) + 1, NB = PF_PREP_MAXCUT + 2 };
    int anykind = 0;
    for (int i = 0; i < n; i++) anykind |= b[i].kind != 0;
    double val[NB][NS];
    if (anykind && n <= NB)
        for (int k = 0; k < NS; k++) {
            const double th = th0 + sth * (-NSIG + 0.125 * k);
            const int in = th > 0.0 && th < PF_KIN_PI;
            const double c = in ? cos(th) : 0.0;
            for (int i = 0; i < n; i++) val[i][k] = in ? bound_at(b + i, c) : NAN;
        }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            if (b[i].kind || b[j].kind) {
                if (n > NB) continue;
                for (int k = 1; k < NS && m < cap; k++) {
                    const double fl = val[i][k - 1] == val[j][k - 1] ? 0.0 : (val[i][k - 1] > val[j][k - 1] ? 1.0 : -1.0);
                    const double fh = val[i][k] == val[j][k] ? 0.0 : (val[i][k] > val[j][k] ? 1.0 : -1.0);
                    if (val[i][k - 1] != val[i][k - 1] || val[i][k] != val[i][k] || val[j][k - 1] != val[j][k - 1] ||
                        val[j][k] != val[j][k] || !(fl * fh < 0.0))
                        continue;
                    double a = -NSIG + 0.125 * (k - 1), bb = -NSIG + 0.125 * k;
                    for (int it = 0; it < 40; it++) {
                        const double mid = 0.5 * (a + bb), fm = bound_diff(b + i, b + j, th0, sth, mid);
                        if (fm * fl > 0.0) a = mid; else bb = mid;
                    }
                    z[m++] = 0.5 * (a + bb);
                }
                continue;
            }
            const double c = crossing(b + i, b + j);
            if (c != c) continue;
            const double zz = (acos(c) - th0) / sth;
            if (zz > -NSIG && zz < NSIG && m < cap) z[m++] = zz;
        }
    return m;
}

/* Jacquet-Blondel: 1 when the cut interval holds [elo, ehi] at every theta of the window
 * |z_th| <= zmax (sampled every 0.25 sigma, with theta inside (0, pi)): the integrand in theta
 * is then the Gaussian times a smooth function (no clipping), as the electron method's is
 * when no bounds cross.  The sampling stands in for the electron's monotone bounds; the
 * callers pad the E window by 1.5 sigma_E. */
static inline int jb_unclipped(const bound *b, int n, double th0, double sth, double zmax, double elo, double ehi)
{
    for (double z = -zmax; z <= zmax + 1e-12; z += 0.25) {
        const double th = th0 + sth * z;
        if (!(th > 0.0 && th < PF_KIN_PI)) return 0;
        double lo, hi;
        cut_interval(b, n, cos(th), &lo, &hi);
        if (!(lo <= elo && hi >= ehi)) return 0;
    }
    return 1;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sorted unique values of v[0..n) in [lo, hi] plus lo and hi */
static inline int edges_in(double *v, int n, double lo, double hi)
{
    int m = 0;
    for (int i = 0; i < n; i++)
        if (v[i] > lo && v[i] < hi) v[m++] = v[i];
    v[m++] = lo;
    v[m++] = hi;
    qsort(v, (size_t)m, sizeof *v, cmp_double);
    int k = 0;
    for (int i = 0; i < m; i++)
        if (k == 0 || v[i] - v[k - 1] > 1e-12 * (1.0 + fabs(v[i]))) v[k++] = v[i];
    return k;
}

static inline double npdf(double z) { return 0.3989422804014327 * exp(-0.5 * z * z); }

/* ---- quadrature rules ---------------------------------------------------------------- */
typedef struct rules {
    double glx[9][8], glw[9][8]; /* n-point Gauss-Legendre on [-1, 1], n = 1..8 */
    double ghx[10], ghw[10];     /* 10-point Gauss-Hermite for N(z) (weights sum to 1) */
} rules;

int pf_prep_rules_init(rules *r);
/* ---- detector helpers ---------------------------------------------------------------- */
static inline double sig_e(const pf_det_params *d, double e) { return pf_det_sigma_e(d, e); }
/* the true E with (E_r - E) / sE(E) = z: (E_r - E)^2 = z^2 (a^2 E + b^2 E^2), the root on
 * the side of sign(z) */
static inline double e_of_z(const pf_det_params *d, double er, double z)
{
    if (z == 0.0) return er;
    const double a2 = d->stochastic * d->stochastic, b2 = d->constant * d->constant, z2 = z * z;
    const double A = 1.0 - z2 * b2, B = 2.0 * er + z2 * a2, C = er * er;
    const double sq = sqrt(B * B - 4.0 * A * C);
    return z > 0.0 ? 2.0 * C / (B + sq) : (B + sq) / (2.0 * A);
}
static inline double z_of_e(const pf_det_params *d, double er, double e) { return (er - e) / sig_e(d, e); }

int pf_prep_check_det(const pf_det_params *d, pf_status *st);

#endif
