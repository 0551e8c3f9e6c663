/* partonflow fit: the pieces shared by the smeared-detector rows (prepare_smear.c) and
 * normalisation (prepare_accept.c): cuts as linear bounds on E' at fixed cos theta, their
 * crossings, Gauss rules, the Gaussian substitution.  Method: prepare_smear.c's header. */
#ifndef PARTONFLOW_FIT_PREPARE_SMEAR_H
#define PARTONFLOW_FIT_PREPARE_SMEAR_H

#include <math.h>
#include <stdlib.h>

#include "partonflow/fit.h"
#include "partonflow/kernels/kinematics.h"

#define NSIG PF_PREP_NSIGMA
#define MAXB 48        /* bounds handled at once */
#define MAXEDGE 1024   /* panel edges of one inner integral */
#define PF_SMEAR_NP 6  /* Gauss-Legendre points per panel of the inner integral (<= 8: pf_prep_rules_init) */

typedef struct bound { double P, al, be; int lower; } bound;

static inline double bound_at(const bound *b, double c) { return b->P / (b->al + b->be * c); }

/* The 7 cuts (kernels/kinematics.h order) as bounds on E' at fixed cos theta. */
static inline int cut_bounds(double ee, double s, const double *cuts, bound *b)
{
    const double k = 1.0 / (2.0 * ee), a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    int n = 0;
    b[n++] = (bound){cuts[PF_CUT_Q2_MIN], 2.0 * ee, 2.0 * ee, 1};
    b[n++] = (bound){cuts[PF_CUT_Q2_MAX], 2.0 * ee, 2.0 * ee, 0};
    b[n++] = (bound){1.0 - cuts[PF_CUT_Y_MIN], k, -k, 0};
    b[n++] = (bound){1.0 - cuts[PF_CUT_Y_MAX], k, -k, 1};
    b[n++] = (bound){cuts[PF_CUT_X_MIN] * s, 2.0 * ee + cuts[PF_CUT_X_MIN] * s * k,
                     2.0 * ee - cuts[PF_CUT_X_MIN] * s * k, 1};
    b[n++] = (bound){cuts[PF_CUT_X_MAX] * s, 2.0 * ee + cuts[PF_CUT_X_MAX] * s * k,
                     2.0 * ee - cuts[PF_CUT_X_MAX] * s * k, 0};
    b[n++] = (bound){s - a, s * k + 2.0 * ee, 2.0 * ee - s * k, 0};
    return n;
}

/* E' of a given x (or Q^2) at fixed c: the x-type (Q^2-type) bound through that value */
static inline bound x_line(double ee, double s, double x)
{
    const double k = 1.0 / (2.0 * ee);
    return (bound){x * s, 2.0 * ee + x * s * k, 2.0 * ee - x * s * k, 0};
}
static inline bound q2_line(double ee, double q2) { return (bound){q2, 2.0 * ee, 2.0 * ee, 0}; }

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

/* c where bounds i and j are equal (NAN if none in (-1, 1)) */
static inline double crossing(const bound *i, const bound *j)
{
    const double den = i->P * j->be - j->P * i->be, num = j->P * i->al - i->P * j->al;
    if (den == 0.0) return NAN;
    const double c = num / den;
    return c > -1.0 && c < 1.0 ? c : NAN;
}

/* z_th of every crossing among b[0..n) with |z| < NSIG around theta0; returns count */
static inline int theta_breaks(const bound *b, int n, double th0, double sth, double *z, int cap)
{
    int m = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            const double c = crossing(b + i, b + j);
            if (c != c) continue;
            const double zz = (acos(c) - th0) / sth;
            if (zz > -NSIG && zz < NSIG && m < cap) z[m++] = zz;
        }
    return m;
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
