/* partonflow: electroweak neutral-current (gamma, gamma-Z, Z) and charged-current (W) DIS
 * structure functions and reduced cross sections, LO, NLO and (NC) NNLO, exact path (inverse Mellin at
 * each point).  Physics, conventions, signs and references: docs/physics-ew.md.
 *
 * Conventions fixed here (H1 and ZEUS, arXiv:1506.06042, section 2; PDG review
 * "Structure functions"), with s = +1 for e+ and -1 for e- (the lepton charge):
 *
 *  - sin^2 = electroweak.sin2_theta_w, or on shell 1 - mw^2/mz^2; cos^2 = 1 - sin^2;
 *    kappa_Z = Q^2 / (Q^2 + mz^2) / (4 sin^2 cos^2); v_e = -1/2 + 2 sin^2, a_e = -1/2;
 *    v_q = T3_q - 2 e_q sin^2, a_q = T3_q.
 *  - Generalised NC structure functions (per quark flavour weights of q + qbar for F~2, F~L and
 *    of q - qbar for xF~3, with P the lepton's longitudinal polarisation):
 *      A_q = e_q^2 - (v_e + s P a_e) kappa_Z 2 e_q v_q + (v_e^2 + a_e^2 + 2 s P v_e a_e) kappa_Z^2 (v_q^2 + a_q^2)
 *      B_q = -(a_e + s P v_e) kappa_Z 2 e_q a_q + (2 v_e a_e + s P (v_e^2 + a_e^2)) kappa_Z^2 2 v_q a_q
 *      F~a / x = sum_q A_q [C_{a,q} (x) (q + qbar) + C_{a,g} (x) g]   (a = 2, L)
 *      xF~3 / x = sum_q B_q [C_{3,q} (x) (q - qbar)]
 *      sigma_r,NC = F~2 - s (Y-/Y+) xF~3 - (y^2/Y+) F~L
 *  - CC (unit quark mixing unless the card gives electroweak.ckm; a transition d_j <-> u_i is
 *    open when both flavours are active at Q^2, so b <-> t is closed below the top
 *    threshold), unpolarised W's:
 *      e-p: W2/x = sum_ij |V_ij|^2 [C2q (x) (u_i + dbar_j) + C2g (x) g], xW3/x = sum |V|^2 C3q (x) (u_i - dbar_j)
 *      e+p: W2/x = sum_ij |V_ij|^2 [C2q (x) (ubar_i + d_j) + C2g (x) g], xW3/x = sum |V|^2 C3q (x) (d_j - ubar_i)
 *      (WL as W2 with C_L), sigma_r,CC = (Y+ W2 - s Y- xW3 - y^2 WL) / 2;
 *    the polarisation multiplies the CC cross section, (1 + s P), not sigma_r,CC
 *    (pf_dis_ew_born).
 *  - Orders LO, NLO (C3q: coef.c) and NNLO (the photon's second-order F2, FL pieces with the
 *    weights above, pure singlet and gluon with sum_q A_q; xF3 with c3ns^(2), coef_nnlo.c; for
 *    W exchange the other crossing parity on the q - qbar part of W2, WL and the q + qbar part
 *    of xW3, pf_dis_coef_cc_nnlo). */
#ifndef PARTONFLOW_DIS_EW_H
#define PARTONFLOW_DIS_EW_H

#include <complex.h>
#include <stddef.h>

#include "partonflow/card.h"
#include "partonflow/status.h"

typedef struct pf_evol pf_evol;
typedef struct pf_pdf pf_pdf;

#define PF_EW_GF 1.1663787e-5 /* Fermi constant, GeV^-2 (PDG) */

typedef struct pf_dis_ew {
    int process;      /* PF_PROCESS_EM (photon only), PF_PROCESS_NC or PF_PROCESS_CC */
    int charge;       /* lepton charge s: -1 (e-) or +1 (e+) */
    double pol;       /* longitudinal polarisation P in [-1, 1] */
    double mz, mw;    /* GeV */
    double sin2w;     /* sin^2 theta_W */
    double ckm[3][3]; /* |V_ij|, rows u, c, t, columns d, s, b */
} pf_dis_ew;

/* Fills ew from the card's electroweak section and the process, lepton charge and
 * polarisation; PF_EINVAL with a message on a bad value. */
int pf_dis_ew_init(pf_dis_ew *ew, const pf_electroweak_card *card, int process, int charge,
                   double pol, pf_status *st);

/* Weights of the parton moments per output flavour (enum pf_flav_out order): q[k] multiplies
 * C_{2,q}, C_{L,q} times flavour k (gluon slot unused), g multiplies the per-flavour gluon
 * coefficients C_{2,g}, C_{L,g} times the gluon, q3[k] multiplies C_{3,q} times flavour k. */
typedef struct pf_dis_weights {
    double q[PF_NOUT];
    double g;
    double q3[PF_NOUT];
} pf_dis_weights;

/* kappa_Z at Q^2 (convention above). */
double pf_dis_ew_kappa_z(const pf_dis_ew *ew, double q2);
/* The weights at Q^2 with nf active flavours (1..6). */
void pf_dis_ew_weights(const pf_dis_ew *ew, double q2, int nf, pf_dis_weights *w);

/* Operators K2, KL, K3 (each nullable) [n*PF_NIN + j] on the evolution contour at Q^2 = q2,
 * in the form of pf_dis_sf_operator: F(x, q2) = sum_n sum_j Im[c_n(x) K[n*PF_NIN + j] M_j(N_n)]
 * with F = F~2, F~L, xF~3 (NC) or W2, WL, xW3 (CC).  The evolution's order: LO, NLO or NNLO. */
int pf_dis_ew_operator(const pf_evol *ev, const pf_dis_ew *ew, double q2, double complex *K2,
                       double complex *KL, double complex *K3, pf_status *st);

/* Neutral current by exchange: F~a = sum_p c_a[p] F_a^(p) with the pieces p = photon,
 * gamma-Z interference and Z (PF_EW_*), whose parton weights are A_q and B_q above without the
 * lepton couplings (the Q^2-dependent kappa_Z stays in the piece):
 *     photon  A = e_q^2                B = 0
 *     gamma-Z A = 2 e_q v_q kappa_Z    B = 2 e_q a_q kappa_Z
 *     Z       A = (v_q^2 + a_q^2) kappa_Z^2   B = 2 v_q a_q kappa_Z^2
 * and the lepton's coefficients (charge s, polarisation P): c_2 = c_L = (1, -(v_e + s P a_e),
 * v_e^2 + a_e^2 + 2 s P v_e a_e), c_3 = (0, -(a_e + s P v_e), 2 v_e a_e + s P (v_e^2 + a_e^2)).
 * The beam's charge and polarisation are then coefficients of stored operators (theory.h5). */
enum { PF_EW_GAMMA = 0, PF_EW_GAMMA_Z = 1, PF_EW_Z = 2, PF_EW_NPIECE = 3 };
void pf_dis_ew_nc_piece_weights(const pf_dis_ew *ew, double q2, int nf, int piece, pf_dis_weights *w);
void pf_dis_ew_nc_coefficients(const pf_dis_ew *ew, double c2[PF_EW_NPIECE], double c3[PF_EW_NPIECE]);
/* The pieces' operators at Q^2 = q2 (each array and each entry nullable; the photon's K3 is
 * zero), in the form of pf_dis_ew_operator; ew->process must be PF_PROCESS_NC. */
int pf_dis_ew_nc_pieces(const pf_evol *ev, const pf_dis_ew *ew, double q2, double complex *const K2[PF_EW_NPIECE],
                        double complex *const KL[PF_EW_NPIECE], double complex *const K3[PF_EW_NPIECE], pf_status *st);

/* F2, FL, xF3 (each nullable) at n points (x, q2), no grid (as pf_dis_sf_exact). */
int pf_dis_ew_sf_exact(const pf_evol *ev, const pf_pdf *pdf, const pf_dis_ew *ew, size_t n,
                       const double *x, const double *q2, double *F2, double *FL, double *xF3,
                       pf_status *st);

/* sigma_r at inelasticity y from the structure functions of the process (formulas above;
 * PF_PROCESS_EM: F2 - y^2/Y+ FL). */
double pf_dis_ew_sigma_r(const pf_dis_ew *ew, double y, double F2, double FL, double xF3);

/* d^2 sigma / dx dQ^2 in pb/GeV^2 from sigma_r: NC and EM 2 pi alpha^2 Y+ / (x Q^4) sigma_r,
 * CC (1 + s P) G_F^2 / (2 pi x) [mw^2 / (mw^2 + Q^2)]^2 sigma_r; s = 4 E_e E_p. */
double pf_dis_ew_born(const pf_dis_ew *ew, double x, double q2, double s, double alpha,
                      double sigma_r);

#endif
