/* partonflow: the detector model of the experimental module (issue 5), shared by the CPU
 * sampler, the GPU sampler and the likelihood's response density (fit engineer).
 *
 * Conventions (docs/artefacts.md, "events.h5"):
 *  - massless beams head on, s = 4 Ee Ep (kernels/kinematics.h); the proton moves along
 *    +z, the electron along -z;
 *  - theta is the polar angle of the scattered electron measured from the PROTON
 *    direction (+z), the HERA convention: an electron scattered by a small angle off its
 *    own beam has theta close to pi;
 *  - scattered electron from the true (x, Q^2) (Born kinematics):
 *        y = Q^2 / (x s),  E' = Ee (1 - y) + Q^2 / (4 Ee),  cos theta = Q^2 / (2 Ee E') - 1;
 *  - electron method (e.g. U. Bassler, G. Bernardi, NIM A361 (1995) 197, eq. 1):
 *        Q^2 = 2 Ee E' (1 + cos theta),  y = 1 - E' / (2 Ee) (1 - cos theta)
 *                                          = 1 - (E'/Ee) sin^2(theta/2),  x = Q^2 / (s y);
 *    it inverts the line above exactly;
 *  - resolution: sigma_E = E' sqrt(stoch^2 / E' + const^2) (stochastic and constant terms
 *    added in quadrature, sigma_E/E = stoch/sqrt(E) (+) const), sigma_theta constant;
 *    E'_rec = E' + sigma_E(E'_true) z1, theta_rec = theta + sigma_theta z2 with z1, z2
 *    independent standard normals (a Gaussian response in E' and theta);
 *  - acceptance: the kinematic cuts on the reconstructed (x, Q^2, y, W^2) AND a uniform
 *    draw below the efficiency eps(y_rec) (constant, or linear interpolation in a table
 *    of y, constant beyond its ends).
 *
 * For the likelihood (response density of the reconstructed event given the true one):
 *    p(x_r, Q2_r | x, Q2) = pf_det_response(E'_r, th_r | E', th) / pf_det_jacobian(x_r, Q2_r)
 * where (E'_r, th_r) = pf_det_electron(x_r, Q2_r) and pf_det_jacobian is
 * |d(x, Q^2) / d(E', theta)| at the reconstructed point; multiply by
 * pf_det_efficiency(y_r) and the cut indicator on (x_r, Q2_r) for the accepted density.
 * (The map (E', theta) -> (x, Q^2) is one-to-one for theta in (0, pi); a smeared theta
 * above pi would fold back, but Q^2 >= 4 GeV^2 keeps theta >= 0.2 rad below pi, i.e.
 * hundreds of sigma_theta.)
 *
 * Jacquet-Blondel (method PF_DET_JB, charged-current cards: the scattered neutrino is not
 * seen; docs/physics-ew.md "Charged current on the grid"): the measured object is the
 * hadronic final state, at Born level the struck quark, with energy E_h and polar angle
 * gamma (from +z).  With delta = sum (E - p_z) = E_h (1 - cos gamma) and p_T = E_h sin gamma
 * (the proton remnant, along +z, adds to neither):
 *        y_JB = delta / (2 Ee),  Q^2_JB = p_T^2 / (1 - y_JB),  x_JB = Q^2_JB / (s y_JB)
 * (F. Jacquet, A. Blondel, Proc. Study of an ep facility for Europe, DESY 79/48 (1979) 391;
 * Bassler-Bernardi eq. 3), exact for the true struck quark: delta = 2 Ee y, p_T^2 =
 * Q^2 (1 - y).  The same Gaussian response with the card's detector.hadronic resolutions
 * (sigma_E/E = stochastic/sqrt(E) (+) constant, sigma_gamma), so every function below that
 * takes pf_det_params dispatches on d->method; |d(x, Q^2)/d(E_h, gamma)| =
 * 2 p_T Q^2 / (s y (1 - y)).
 * Real arithmetic only (nvcc compiles this as C++). */
#ifndef PARTONFLOW_KERNELS_DETECTOR_H
#define PARTONFLOW_KERNELS_DETECTOR_H

#include <math.h>

#include "partonflow/kernels/common.h"
#include "partonflow/kernels/kinematics.h"

#define PF_DET_EFF_MAX 64
#define PF_DET_ELECTRON 0 /* electron method: the scattered electron (E', theta) */
#define PF_DET_JB 1       /* Jacquet-Blondel: the hadronic final state (E_h, gamma) */

typedef struct pf_det_params {
    double e_electron, e_proton;   /* GeV */
    int perfect;                   /* 1: reconstructed == true, always accepted in the cuts */
    double stochastic, constant;   /* sigma_E/E = stochastic/sqrt(E) (+) constant */
    double sigma_theta;            /* rad */
    double efficiency;             /* used when eff_n == 0 */
    int eff_n;                     /* table in y_rec (increasing), linear interpolation */
    double eff_y[PF_DET_EFF_MAX], eff_value[PF_DET_EFF_MAX];
    double cuts[PF_NCUTS];         /* applied to the reconstructed kinematics */
    int method;                    /* PF_DET_ELECTRON (0) or PF_DET_JB; the resolutions above are the
                                      measured object's */
} pf_det_params;

/* Scattered electron energy (GeV) and polar angle (rad, from the proton direction). */
PF_HD void pf_det_electron(double e_electron, double e_proton, double x, double q2, double *eprime,
                           double *theta)
{
    const double s = 4.0 * e_electron * e_proton;
    const double y = q2 / (x * s);
    const double e = e_electron * (1.0 - y) + q2 / (4.0 * e_electron);
    double c = q2 / (2.0 * e_electron * e) - 1.0;
    c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
    *eprime = e;
    *theta = acos(c);
}

/* Electron method: (x, Q^2, y) from E', theta.  Returns 0 when the point is unphysical
 * (E' <= 0 or y <= 0: x undefined); then x = q2 = y = NaN. */
PF_HD int pf_det_reco(double e_electron, double e_proton, double eprime, double theta, double *x,
                      double *q2, double *y)
{
    const double s = 4.0 * e_electron * e_proton;
    const double c = cos(theta);
    const double qq = 2.0 * e_electron * eprime * (1.0 + c);
    const double yy = 1.0 - eprime / (2.0 * e_electron) * (1.0 - c);
    if (!(eprime > 0.0) || !(yy > 0.0) || !(qq > 0.0)) {
        *x = *q2 = *y = NAN;
        return 0;
    }
    *q2 = qq;
    *y = yy;
    *x = qq / (s * yy);
    return 1;
}

/* |d(x, Q^2) / d(E', theta)| of the electron method at (E', theta):
 * d(y, Q^2)/d(E', theta) has determinant 2 E' sin theta, and x = Q^2 / (s y) adds
 * |dx/dy| = Q^2 / (s y^2) at fixed Q^2. */
PF_HD double pf_det_jacobian(double e_electron, double e_proton, double eprime, double theta)
{
    double x, q2, y;
    if (!pf_det_reco(e_electron, e_proton, eprime, theta, &x, &q2, &y)) return NAN;
    const double s = 4.0 * e_electron * e_proton;
    return 2.0 * eprime * fabs(sin(theta)) * q2 / (s * y * y);
}

/* Jacquet-Blondel: the struck quark's energy (GeV) and polar angle gamma (rad, from the
 * proton direction) at the true (x, Q^2). */
PF_HD void pf_det_hadron(double e_electron, double e_proton, double x, double q2, double *eh, double *gamma)
{
    const double s = 4.0 * e_electron * e_proton;
    const double y = q2 / (x * s), delta = 2.0 * e_electron * y, pt2 = q2 * (1.0 - y);
    *eh = (pt2 + delta * delta) / (2.0 * delta);
    double c = (pt2 - delta * delta) / (pt2 + delta * delta);
    c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
    *gamma = acos(c);
}

/* Jacquet-Blondel reconstruction from (E_h, gamma).  Returns 0 when unphysical (E_h <= 0,
 * y_JB outside (0, 1), p_T = 0); then x = q2 = y = NaN. */
PF_HD int pf_det_reco_jb(double e_electron, double e_proton, double eh, double gamma, double *x, double *q2,
                         double *y)
{
    const double s = 4.0 * e_electron * e_proton;
    const double c = cos(gamma), pt = eh * sin(gamma);
    const double yy = eh * (1.0 - c) / (2.0 * e_electron);
    if (!(eh > 0.0) || !(yy > 0.0 && yy < 1.0) || !(pt > 0.0)) {
        *x = *q2 = *y = NAN;
        return 0;
    }
    const double qq = pt * pt / (1.0 - yy);
    *q2 = qq;
    *y = yy;
    *x = qq / (s * yy);
    return 1;
}

/* |d(x, Q^2) / d(E_h, gamma)| of Jacquet-Blondel: d(y, p_T)/d(E_h, gamma) has determinant
 * y, d(y, Q^2)/d(y, p_T) 2 p_T / (1 - y), d(x, Q^2)/d(y, Q^2) Q^2 / (s y^2). */
PF_HD double pf_det_jacobian_jb(double e_electron, double e_proton, double eh, double gamma)
{
    double x, q2, y;
    if (!pf_det_reco_jb(e_electron, e_proton, eh, gamma, &x, &q2, &y)) return NAN;
    const double s = 4.0 * e_electron * e_proton;
    return 2.0 * eh * fabs(sin(gamma)) * q2 / (s * y * (1.0 - y));
}

/* The hadron energy at which a Jacquet-Blondel quantity takes the value v at fixed
 * c = cos gamma (every one is monotone in E_h, or for W^2 concave, at fixed c; k = (1 - c) /
 * (2 Ee) so that y = k E_h):
 *   PF_JB_Y:  E = v / k
 *   PF_JB_X:  E = v s k / (1 - c^2 + v s k^2)                (x = E (1 - c^2) / (s k (1 - k E)))
 *   PF_JB_Q2: E = 2 v / (v k + sqrt(v^2 k^2 + 4 (1 - c^2) v)) (Q^2 = E^2 (1 - c^2) / (1 - k E))
 *   PF_JB_W2_LO, PF_JB_W2_HI: the roots of -A E^2 + (s + v) k E - v = 0, A = s k^2 + 1 - c^2,
 *     v = W^2 - M^2 (W^2 - M^2 = s y - Q^2 >= v between them); none: +inf (LO), 0 (HI). */
enum { PF_JB_Y = 1, PF_JB_X, PF_JB_Q2, PF_JB_W2_LO, PF_JB_W2_HI };
PF_HD double pf_det_jb_level(int kind, double v, double e_electron, double s, double c)
{
    const double k = (1.0 - c) / (2.0 * e_electron), sin2 = (1.0 - c) * (1.0 + c);
    switch (kind) {
    case PF_JB_Y:
        return v / k;
    case PF_JB_X:
        return v * s * k / (sin2 + v * s * k * k);
    case PF_JB_Q2:
        return 2.0 * v / (v * k + sqrt(v * v * k * k + 4.0 * sin2 * v));
    default: {
        const double A = s * k * k + sin2, B = (s + v) * k, D = B * B - 4.0 * A * v;
        if (!(D >= 0.0)) return kind == PF_JB_W2_LO ? INFINITY : 0.0;
        const double r = B + sqrt(D);
        return kind == PF_JB_W2_LO ? 2.0 * v / r : r / (2.0 * A);
    }
    }
}

/* The measured object at the true (x, Q^2), its reconstruction and Jacobian, by method. */
PF_HD void pf_det_measured(const pf_det_params *d, double x, double q2, double *e, double *th)
{
    if (d->method == PF_DET_JB) pf_det_hadron(d->e_electron, d->e_proton, x, q2, e, th);
    else pf_det_electron(d->e_electron, d->e_proton, x, q2, e, th);
}
PF_HD int pf_det_reco_m(const pf_det_params *d, double e, double th, double *x, double *q2, double *y)
{
    return d->method == PF_DET_JB ? pf_det_reco_jb(d->e_electron, d->e_proton, e, th, x, q2, y)
                                  : pf_det_reco(d->e_electron, d->e_proton, e, th, x, q2, y);
}
PF_HD double pf_det_jacobian_m(const pf_det_params *d, double e, double th)
{
    return d->method == PF_DET_JB ? pf_det_jacobian_jb(d->e_electron, d->e_proton, e, th)
                                  : pf_det_jacobian(d->e_electron, d->e_proton, e, th);
}

/* Energy resolution sigma_E (GeV) at the true energy e. */
PF_HD double pf_det_sigma_e(const pf_det_params *d, double e)
{
    return sqrt(d->stochastic * d->stochastic * e + d->constant * d->constant * e * e);
}

/* Gaussian response density in (E'_rec, theta_rec) given the true (E', theta), in
 * 1/(GeV rad).  Not defined for a perfect detector (a delta function). */
PF_HD double pf_det_response(const pf_det_params *d, double e_true, double th_true, double e_rec,
                             double th_rec)
{
    const double se = pf_det_sigma_e(d, e_true), st = d->sigma_theta;
    const double ze = (e_rec - e_true) / se, zt = (th_rec - th_true) / st;
    return exp(-0.5 * (ze * ze + zt * zt)) / (2.0 * PF_KIN_PI * se * st);
}

/* Efficiency at the reconstructed y. */
PF_HD double pf_det_efficiency(const pf_det_params *d, double y)
{
    if (d->eff_n <= 0) return d->efficiency;
    if (d->eff_n == 1 || y <= d->eff_y[0]) return d->eff_value[0];
    if (y >= d->eff_y[d->eff_n - 1]) return d->eff_value[d->eff_n - 1];
    int i = 0;
    while (i + 2 < d->eff_n && y > d->eff_y[i + 1]) i++;
    const double t = (y - d->eff_y[i]) / (d->eff_y[i + 1] - d->eff_y[i]);
    return d->eff_value[i] + t * (d->eff_value[i + 1] - d->eff_value[i]);
}

/* One event through the detector.  z_e, z_th: standard normals; u_eff: uniform in (0,1).
 * Fills the true and reconstructed electron and the reconstructed kinematics; returns
 * the acceptance flag (cuts on reconstructed values and u_eff < eps(y_rec)). */
PF_HD int pf_det_event(const pf_det_params *d, double x, double q2, double z_e, double z_th,
                       double u_eff, double *e_true, double *th_true, double *x_rec, double *q2_rec,
                       double *y_rec, double *e_rec, double *th_rec)
{
    const double s = 4.0 * d->e_electron * d->e_proton;
    pf_det_measured(d, x, q2, e_true, th_true);
    if (d->perfect) {
        *x_rec = x;
        *q2_rec = q2;
        *y_rec = q2 / (x * s);
        *e_rec = *e_true;
        *th_rec = *th_true;
        return pf_kin_in_cuts(d->cuts, x, q2, s);
    }
    *e_rec = *e_true + pf_det_sigma_e(d, *e_true) * z_e;
    *th_rec = *th_true + d->sigma_theta * z_th;
    if (!pf_det_reco_m(d, *e_rec, *th_rec, x_rec, q2_rec, y_rec)) return 0;
    if (!pf_kin_in_cuts(d->cuts, *x_rec, *q2_rec, s)) return 0;
    return u_eff < pf_det_efficiency(d, *y_rec);
}

#endif
