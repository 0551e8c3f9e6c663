/* partonflow: deep-inelastic structure functions F2, FL (neutral current, photon
 * exchange) and the Born cross section, LO, NLO and NNLO in N space.  Physics and references:
 * docs/physics-dis.md.
 *
 * Conventions fixed here (everything below relies on them):
 *
 *  - Expansion parameter a_s = alpha_s(mu_R^2) / (4 pi), mu_F = Q, mu_R = xi_r Q (the
 *    card's xi_r; pf_evol_mur2).  CF = 4/3, TR = 1/2.  MSbar, massless quarks.
 *  - Per-flavour decomposition (nf = pf_evol_nf(ev, Q^2): ZM-VFNS active flavours or the
 *    card's FFNS nf; e_q the quark charges, q = d, u, s, c, b, t):
 *
 *      F_a(x,Q^2) / x = sum_{q=1}^{nf} e_q^2 { [C_{a,q} (x) (q + qbar)](x) + [C_{a,g} (x) g](x) }
 *
 *    for a = 2, L, with (x) the Mellin convolution (f (x) g)(x) = int dz/z f(z) g(x/z).
 *    C_{a,g} is per flavour: Ellis-Stirling-Webber (ESW, ch. 4) count the gluon term once
 *    for q and once for qbar, so C_{a,g} = 2 C_g^ESW (times 2 again for the a_s
 *    normalisation; docs/physics-dis.md).  In N space:
 *
 *      int_0^1 x^(N-1) [F_a(x)/x] dx = sum_q e_q^2 [ C_{a,q}(N) (q+qbar)(N) + C_{a,g}(N) g(N) ].
 *
 *  - C_{2,q} = 1 + a_s c2q(N),  C_{2,g} = a_s c2g(N),  C_{L,q} = a_s cLq(N),
 *    C_{L,g} = a_s cLg(N), with S1 = S1(N), S2 = S2(N) the harmonic sums:
 *      c2q = CF [ 2 S1^2 - 2 S2 + 3 S1 - 2 S1/(N(N+1)) + 3/N + 4/(N+1) + 2/N^2 - 9 ]
 *      c2g = 4 TR [ -(N^2+N+2)/(N(N+1)(N+2)) S1 + 1/N^2 - 1/N + 6/(N+1) - 6/(N+2) ]
 *      cLq = CF 4 / (N+1)
 *      cLg = 16 TR / ((N+1)(N+2))
 *    derived from the x-space forms (Furmanski-Petronzio 1982; ESW ch. 4,
 *    multiplied by 2 for a_s = alpha_s/(4pi)) and tested against numerical moments of
 *    those x-space forms (tests/unit/dis/test_coefficients.c).
 *
 *  - Inverse Mellin: the evolution module's contour (pf_evol_nodes) and kernel c_n(x)
 *    (pf_evol_mellin_kernel), x f(x) = sum_n Im[c_n(x) f(N_n)].  The factor x is inside
 *    c_n(x) = w_n x^(1-N_n): the structure-function operators K below are the moments of
 *    F_a(x)/x, so that F_a(x) itself (not F_a/x) is
 *
 *      F_a(x, Q^2) = sum_n sum_j Im[ c_n(x) K_a[n*PF_NIN + j] M_j(N_n) ]
 *
 *    with M_j the input moments at mu0 (pf_pdf_moments). */
#ifndef PARTONFLOW_DIS_H
#define PARTONFLOW_DIS_H

#include <complex.h>
#include <stddef.h>

#include "partonflow/card.h"
#include "partonflow/status.h"

/* Opaque handles of partonflow/evol.h and partonflow/pdf.h (declared, not included, so that
 * the coefficient functions can be used without the evolution module). */
typedef struct pf_evol pf_evol;
typedef struct pf_pdf pf_pdf;

#define PF_DIS_CF (4.0 / 3.0)
#define PF_DIS_TR 0.5

/* Squared quark charges e_q^2 by flavour number q = 1..6 (d, u, s, c, b, t); [0] is 0. */
extern const double pf_dis_eq2[7];

/* Indices of the coefficient-function vector. */
enum { PF_DIS_C2Q = 0, PF_DIS_C2G, PF_DIS_CLQ, PF_DIS_CLG, PF_DIS_NCOEF };

/* First-order pieces c2q, c2g, cLq, cLg at complex N (poles at N = 0, -1, -2, ...; valid on
 * the whole contour, Re N < 0 included, through the harmonic sums of harmonic.h),
 * in the a_s = alpha_s/(4 pi) normalisation and per-flavour convention above. */
void pf_dis_coef_nlo(double complex N, double complex c[PF_DIS_NCOEF]);

/* First-order non-singlet coefficient of xF3 (gamma-Z, Z and W exchange; docs/physics-ew.md):
 * the moments of c3q(z) = c2q(z) - 2 CF (1 + z) (Furmanski-Petronzio 1982, a_s = alpha_s/(4pi)),
 *   c3q(N) = c2q(N) - 2 CF [1/N + 1/(N+1)],
 * with c3q(1) = -3 CF (Gross-Llewellyn Smith sum rule, 1 - alpha_s/pi).  The gluon does not
 * contribute to xF3. */
double complex pf_dis_coef_c3q_nlo(double complex N);

/* Second-order (a_s^2) pieces at complex N, photon exchange, the parametrised forms of van
 * Neerven and Vogt (coef_nnlo.c; docs/physics-dis.md): c2ns = C2NS0 + nf C2NS1 multiplies
 * e_q^2 (q + qbar) of each flavour; C2PS (per flavour) multiplies (sum_q e_q^2) Sigma;
 * C2G (per flavour) multiplies (sum_q e_q^2) g; likewise for FL.  At mu_R = xi_r Q the
 * a_s^2 terms gain beta0 ln(xi_r^2) times the first-order pieces (sf.c). */
enum {
    PF_DIS2_C2NS0 = 0, PF_DIS2_C2NS1, PF_DIS2_C2PS, PF_DIS2_C2G,
    PF_DIS2_CLNS0, PF_DIS2_CLNS1, PF_DIS2_CLPS, PF_DIS2_CLG, PF_DIS_NCOEF2
};
void pf_dis_coef_nnlo(double complex N, double complex c[PF_DIS_NCOEF2]);
/* Second-order non-singlet coefficient of xF3 (gamma-Z and Z exchange, the q - qbar "minus"
 * combination; docs/physics-ew.md): c3ns^(2) = c[0] + nf c[1], the parametrised x-space form of
 * van Neerven and Vogt (hep-ph/9907472, C3NM2A/B/C) Mellin-transformed as above.  At
 * mu_R = xi_r Q it gains beta0 ln(xi_r^2) c3q (sf_ew.c).  No gluon or pure-singlet part at this
 * order. */
void pf_dis_coef_c3_nnlo(double complex N, double complex c[2]);
/* Charged current (W exchange) at a_s^2: the non-singlet functions of the other crossing
 * parity, nf^0 parts (the nf^1 parts equal C2NS1, CLNS1 and c[1] above): the odd-moment
 * c2ns and clns (q - qbar, hep-ph/9907472 C2NC2A/B/C, CLNC2A/C) and the even-moment c3ns
 * (q + qbar, C3NP2A/B/C), Mellin-transformed as above.  W2, WL take the even functions on
 * the q + qbar part of their parton weights and these on the q - qbar part; xW3 the other
 * way round (sf_ew.c, docs/physics-ew.md). */
enum { PF_DIS2_C2NS0_ODD = 0, PF_DIS2_CLNS0_ODD, PF_DIS2_C3NS0_EVEN, PF_DIS_NCC2 };
void pf_dis_coef_cc_nnlo(double complex N, double complex d[PF_DIS_NCC2]);

/* The same second-order pieces, exact (theory.nnlo_coefficients: exact, the default at NNLO;
 * c2_exact.c): the x-space results of Zijlstra and van Neerven, Sanchez Guillen et al. and
 * Rogal, Moch and Vogt (docs/physics-dis.md), Mellin-transformed exactly into nested harmonic
 * sums (tools/cf2_mellin.py), in the layouts of pf_dis_coef_nnlo (c), pf_dis_coef_c3_nnlo (c3)
 * and pf_dis_coef_cc_nnlo (cc); any pointer may be NULL.  Any N off 0, -1, -2, ... (the
 * pure-singlet and gluon pieces are infinite at N = 1, their pole). */
void pf_dis_coef_nnlo_exact(double complex N, double complex c[PF_DIS_NCOEF2], double complex c3[2],
                            double complex cc[PF_DIS_NCC2]);

/* Full coefficient functions to the given order (PF_LO, PF_NLO) at n points:
 * C[i*PF_DIS_NCOEF + k] = C_k(N_i) = delta_{k,C2Q} + [order >= NLO] a_s c_k(N_i). */
int pf_dis_coefficients(int order, double a_s, size_t n, const double complex *N,
                        double complex *C, pf_status *st);

/* Structure-function operators at Q^2 = q2 on the evolution contour: K2, KL (either
 * nullable) [n*PF_NIN + j], n over pf_evol_nnodes(ev), such that
 * F2(x,q2) = sum_n sum_j Im[c_n(x) K2[n*PF_NIN + j] M_j(N_n)] (x inside c_n; same for FL).
 * The order is the evolution's (pf_evol_order). */
int pf_dis_sf_operator(const pf_evol *ev, double q2, double complex *K2, double complex *KL,
                       pf_status *st);

/* Exact path: F2, FL at n points (x_i, q2_i), 0 < x < 1, q2 > 0.  Every output is
 * nullable; gradients dF2, dFL are [p*n + i] with p over pf_pdf_nparams(pdf).  The
 * operators are computed once per distinct q2; OpenMP over the distinct q2 values; each
 * output is computed by one thread in a fixed order, so results do not depend on the
 * number of threads. */
int pf_dis_sf_exact(const pf_evol *ev, const pf_pdf *pdf, size_t n, const double *x,
                    const double *q2, double *F2, double *FL, double *dF2, double *dFL,
                    pf_status *st);

/* Exact d^2 sigma / dx dQ^2 in pb/GeV^2 (kernels/kinematics.h conventions: s = 4 E_e E_p,
 * alpha = kin->alpha_em, or 1/137.036 when that is 0) at n points, no cuts applied;
 * grad (nullable) [p*n + i]. */
int pf_dis_xsec_exact(const pf_evol *ev, const pf_pdf *pdf, const pf_kinematics_card *kin,
                      size_t n, const double *x, const double *q2, double *out, double *grad,
                      pf_status *st);

#endif
