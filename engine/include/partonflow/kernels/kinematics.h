/* partonflow: neutral-current DIS kinematics and the Born cross-section factors.
 *
 * Shared by the CPU engine and the CUDA kernels (PF_HD, real arithmetic only).
 *
 * Conventions (docs/physics-dis.md):
 *  - beams are massless in s: s = 4 E_e E_p (the usual HERA/EIC approximation; the
 *    proton mass enters only W^2), so that y = Q^2 / (x s) exactly;
 *  - W^2 = M_p^2 + Q^2 (1 - x) / x with M_p = 0.938272 GeV;
 *  - one-photon exchange, Born level in QED (Ellis-Stirling-Webber ch. 4, with
 *    F1 = (F2 - FL) / (2x), neglecting M_p^2 / Q^2):
 *        d^2 sigma / dx dQ^2 = 2 pi alpha^2 / (x Q^4) [ (1 + (1-y)^2) F2 - y^2 FL ]
 *    converted to pb / GeV^2 with (hbar c)^2 = 0.3893794e9 pb GeV^2;
 *  - reduced cross section sigma_r = F2 - y^2 / Y+ FL, Y+ = 1 + (1-y)^2, so that
 *    d^2 sigma / dx dQ^2 = 2 pi alpha^2 Y+ / (x Q^4) sigma_r.
 * All energies in GeV, Q^2 and W^2 in GeV^2. */
#ifndef PARTONFLOW_KERNELS_KINEMATICS_H
#define PARTONFLOW_KERNELS_KINEMATICS_H

#include "partonflow/kernels/common.h"

#define PF_KIN_MPROTON 0.938272       /* GeV */
#define PF_KIN_HBARC2_PB 0.3893794e9  /* (hbar c)^2 in pb GeV^2 */
#define PF_KIN_ALPHA_EM 7.2973525693e-3 /* 1/137.036: the default fine-structure constant */
#define PF_KIN_PI 3.14159265358979323846

/* Order of the cut array used by pf_kin_in_cuts (the card's kinematics.cuts keys). */
enum { PF_CUT_Q2_MIN = 0, PF_CUT_Q2_MAX, PF_CUT_X_MIN, PF_CUT_X_MAX, PF_CUT_Y_MIN,
       PF_CUT_Y_MAX, PF_CUT_W2_MIN, PF_NCUTS };

/* Squared centre-of-mass energy of massless beams colliding head on. */
PF_HD double pf_kin_s(double e_electron, double e_proton)
{
    return 4.0 * e_electron * e_proton;
}

/* Inelasticity y = Q^2 / (x s). */
PF_HD double pf_kin_y(double x, double q2, double s)
{
    return q2 / (x * s);
}

/* Hadronic final-state invariant mass squared W^2 = M^2 + Q^2 (1 - x) / x. */
PF_HD double pf_kin_w2(double x, double q2)
{
    return PF_KIN_MPROTON * PF_KIN_MPROTON + q2 * (1.0 - x) / x;
}

/* Y+ = 1 + (1 - y)^2. */
PF_HD double pf_kin_yplus(double y)
{
    return 1.0 + (1.0 - y) * (1.0 - y);
}

/* d^2 sigma / dx dQ^2 = f2fac * F2 + flfac * FL, in pb / GeV^2 (alpha: fine-structure
 * constant, e.g. PF_KIN_ALPHA_EM). */
PF_HD void pf_kin_xsec_factors(double x, double q2, double s, double alpha, double *f2fac,
                               double *flfac)
{
    const double y = q2 / (x * s);
    const double norm = 2.0 * PF_KIN_PI * alpha * alpha / (x * q2 * q2) * PF_KIN_HBARC2_PB;
    *f2fac = norm * (1.0 + (1.0 - y) * (1.0 - y));
    *flfac = -norm * y * y;
}

/* The exchange of the Born factor: photon exchange and neutral current (w = 0: the
 * factor above, NC's couplings being in the grid's structure functions), or W exchange
 * (w = 1: charged current, docs/physics-ew.md "On the grid"):
 *     d^2 sigma / dx dQ^2 = (1 + s P) G_F^2 / (4 pi x) [mw^2/(mw^2 + Q^2)]^2 (Y+ F2 - y^2 FL)
 * with wnorm = (1 + s P) G_F^2 / (4 pi) (hbar c)^2 and mw2 = mw^2, F2 and FL the grid's
 * slots (2 sigma_r,CC = Y+ F2 - y^2 FL). */
typedef struct pf_kin_born {
    int w;
    double wnorm, mw2;
} pf_kin_born;

/* pf_kin_xsec_factors for the exchange b (NULL or b->w == 0: photon, the same bits). */
PF_HD void pf_kin_xsec_factors_b(const pf_kin_born *b, double x, double q2, double s, double alpha, double *f2fac,
                                 double *flfac)
{
    if (!b || !b->w) {
        pf_kin_xsec_factors(x, q2, s, alpha, f2fac, flfac);
        return;
    }
    const double y = q2 / (x * s), prop = b->mw2 / (b->mw2 + q2);
    const double norm = b->wnorm * prop * prop / x;
    *f2fac = norm * (1.0 + (1.0 - y) * (1.0 - y));
    *flfac = -norm * y * y;
}

/* Reduced cross section sigma_r = F2 - y^2 / Y+ FL. */
PF_HD double pf_kin_sigma_r(double y, double F2, double FL)
{
    return F2 - y * y / (1.0 + (1.0 - y) * (1.0 - y)) * FL;
}

/* 1 when (x, Q^2) passes every cut (bounds inclusive), else 0.  cuts[PF_NCUTS] in the
 * order q2_min, q2_max, x_min, x_max, y_min, y_max, w2_min. */
PF_HD int pf_kin_in_cuts(const double cuts[7], double x, double q2, double s)
{
    if (!(x > 0.0 && x < 1.0 && q2 > 0.0)) return 0;
    const double y = q2 / (x * s);
    const double w2 = PF_KIN_MPROTON * PF_KIN_MPROTON + q2 * (1.0 - x) / x;
    return q2 >= cuts[PF_CUT_Q2_MIN] && q2 <= cuts[PF_CUT_Q2_MAX] && x >= cuts[PF_CUT_X_MIN] &&
           x <= cuts[PF_CUT_X_MAX] && y >= cuts[PF_CUT_Y_MIN] && y <= cuts[PF_CUT_Y_MAX] &&
           w2 >= cuts[PF_CUT_W2_MIN];
}

#endif
