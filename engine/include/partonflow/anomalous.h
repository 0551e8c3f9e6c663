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

#endif
