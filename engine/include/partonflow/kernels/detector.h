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
 * Real arithmetic only (nvcc compiles this as C++). */
#ifndef PARTONFLOW_KERNELS_DETECTOR_H
#define PARTONFLOW_KERNELS_DETECTOR_H

#include <math.h>

#include "partonflow/kernels/common.h"
#include "partonflow/kernels/kinematics.h"

#define PF_DET_EFF_MAX 64

typedef struct pf_det_params {
    double e_electron, e_proton;   /* GeV */
    int perfect;                   /* 1: reconstructed == true, always accepted in the cuts */
    double stochastic, constant;   /* sigma_E/E = stochastic/sqrt(E) (+) constant */
    double sigma_theta;            /* rad */
    double efficiency;             /* used when eff_n == 0 */
    int eff_n;                     /* table in y_rec (increasing), linear interpolation */
    double eff_y[PF_DET_EFF_MAX], eff_value[PF_DET_EFF_MAX];
    double cuts[PF_NCUTS];         /* applied to the reconstructed kinematics */
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
    pf_det_electron(d->e_electron, d->e_proton, x, q2, e_true, th_true);
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
    if (!pf_det_reco(d->e_electron, d->e_proton, *e_rec, *th_rec, x_rec, q2_rec, y_rec)) return 0;
    if (!pf_kin_in_cuts(d->cuts, *x_rec, *q2_rec, s)) return 0;
    return u_eff < pf_det_efficiency(d, *y_rec);
}

#endif
