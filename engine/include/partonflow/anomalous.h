/* partonflow: LO and NLO splitting functions in Mellin space (MSbar, massless quarks).
 *
 * Convention (docs/physics-evolution.md): a_s = alpha_s/(4 pi) and
 *     d f(N, mu^2) / d ln mu_F^2 = [ a_s P^(0)(N) + a_s^2 P^(1)(N) ] f(N, mu^2),
 * with P(N) = int_0^1 x^(N-1) P(x) dx (the anomalous dimension gamma = -P).  Singlet
 * matrices act on (Sigma, g) and are stored ps[0] = qq, ps[1] = qg, ps[2] = gq, ps[3] = gg.
 *
 * LO: Altarelli-Parisi.  NLO: the x-space results of Curci-Furmanski-Petronzio and
 * Furmanski-Petronzio (as tabulated in Ellis-Stirling-Webber, eqs. 4.107-4.111, times 4 for
 * the a_s^2 normalisation), Mellin-transformed analytically term by term (harmonic.h):
 * non-singlet P^(1)+- = P^V_qq +- P^V_qqbar (the valence/minus combination conserves
 * quark number, P^(1)-(N=1) = 0); singlet qq = P^(1)+ + 2 nf P^S_qq (pure singlet),
 * and the momentum sum rule P_qq(2) + P_gq(2) = P_qg(2) + P_gg(2) = 0 holds at each order. */
#ifndef PARTONFLOW_ANOMALOUS_H
#define PARTONFLOW_ANOMALOUS_H

#include <complex.h>

void pf_anom_lo(double complex n, int nf, double complex *pns, double complex ps[4]);
/* pns_p: P^(1)+ (T_j), pns_m: P^(1)- (V, V_j), ps: singlet P^(1) */
void pf_anom_nlo(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                 double complex ps[4]);


/* NNLO (a_s^3 term P^(2)) in the parametrised forms of Moch, Vermaseren and Vogt
 * (hep-ph/0403192 eqs. 4.22-4.24, hep-ph/0404111 eqs. 4.12-4.13), exact Mellin transforms of
 * those x-space parametrisations (nnlo_param.c): pns_p P^(2)+ (q_i^+ - q_j^+), pns_m P^(2)-
 * (q_i^- - q_j^-), pns_v P^(2)V = P^(2)- + P^(2)s (total valence sum_i q_i^-), ps the singlet
 * on (Sigma, g) as above.  Any pointer may be NULL.  conserve = 0: the published
 * coefficients (theory.nnlo: parametrised, the benchmark's); conserve = 1: with constant
 * shifts that make the number and momentum sum rules exact (theory.nnlo:
 * parametrised-conserving; nnlo_param.c gives the sizes). */
void pf_anom_nnlo_param(double complex n, int nf, int conserve, double complex *pns_p,
                        double complex *pns_m, double complex *pns_v, double complex ps[4]);
/* The a_s^2 heavy-quark operator matrix elements at mu_F = m_h (pole mass, MSbar PDFs;
 * Buza et al., hep-ph/9612398 app. B; A_Hg as the QCD-Pegasus parametrisation):
 * ans = A_qq,H^NS,(2); ome[0] = A_Hq^PS,(2), ome[1] = A_Hg^S,(2), ome[2] = A_gq,H^S,(2),
 * ome[3] = A_gg,H^S,(2) (conserve: A_Hg's constant shifted by 3.6e-4 so that the momentum
 * sum rule holds exactly; the other four are exact).  The nf -> nf+1 matching at a threshold, with a = a_s^(nf+1)(mu_R):
 *   q_i^(+-) -> (1 + a^2 ans) q_i^(+-) (light), h^+ = a^2 (ome[0] Sigma + ome[1] g),
 *   g -> g + a^2 (ome[2] Sigma + ome[3] g). */
void pf_anom_nnlo_ome(double complex n, int conserve, double complex *ans, double complex ome[4]);
/* One of the x-space building blocks of nnlo_param.c (kind 0..16 in the order listed there)
 * at N + shift, for the tests of the transforms. */
double complex pf_anom_nnlo_basis(int kind, int shift, double complex n);

#endif
