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
/* The exact three-loop non-singlet P^(2)+, P^(2)-, P^(2)V (Moch, Vermaseren, Vogt,
 * hep-ph/0403192 eqs. 3.4-3.9) at complex N through the continued harmonic sums of
 * harmonic.h (nnlo_exact.c): + from even N, - and V from odd N.  Any pointer may be NULL. */
void pf_anom_nnlo_exact_ns(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                           double complex *pns_v);
/* The exact P^(2) with the singlet on (Sigma, g) as pf_anom_lo (hep-ph/0404111 eqs.
 * 3.10-3.13, continued from even N): P_qq = P^(2)+ + P_ps, P_qg, P_gq, P_gg
 * (theory.nnlo: exact, the default).  Any pointer may be NULL. */
void pf_anom_nnlo_exact(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                        double complex *pns_v, double complex ps[4]);
/* The a_s^2 heavy-quark operator matrix elements at mu_F = m_h (pole mass, MSbar PDFs;
 * Buza et al., hep-ph/9612398 app. B):
 * ans = A_qq,H^NS,(2); ome[0] = A_Hq^PS,(2), ome[1] = A_Hg^S,(2), ome[2] = A_gq,H^S,(2),
 * ome[3] = A_gg,H^S,(2).  All exact except A_Hg with conserve = 0: the QCD-Pegasus
 * parametrisation the LHA benchmark used (7e-4 relative off, [A_Hg + A_gg](2) = 3.6e-4
 * instead of 0); conserve = 1: the exact A_Hg (pf_anom_ome_ahg_exact, which conserves
 * momentum exactly).  The nf -> nf+1 matching at a threshold, with a = a_s^(nf+1)(mu_R):
 *   q_i^(+-) -> (1 + a^2 ans) q_i^(+-) (light), h^+ = a^2 (ome[0] Sigma + ome[1] g),
 *   g -> g + a^2 (ome[2] Sigma + ome[3] g). */
void pf_anom_nnlo_ome(double complex n, int conserve, double complex *ans, double complex ome[4]);
/* The exact A_Hg^S,(2) at mu = m_h (SU(3), a_s = alpha_s/(4 pi)) in N space, continued from
 * even N: Bierenbaum, Bluemlein, Klein, arXiv:0901.0669, the x-space (B.3) of
 * hep-ph/9612398 (ome_exact.c). */
double complex pf_anom_ome_ahg_exact(double complex n);
/* Mellin transforms of the x-space building blocks of the NNLO parametrisations (listed in
 * nnlo_param.c), at M = N + shift (a factor x^shift): */
enum pf_mellin_block {
    PF_MB_DLT,   /* delta(1-x) */
    PF_MB_A0,    /* 1/(1-x)_+ (shift 0 only) */
    PF_MB_B1, PF_MB_B2, PF_MB_B3, PF_MB_B4, /* ln^j(1-x) */
    PF_MB_C,     /* 1 */
    PF_MB_D1, PF_MB_D2, PF_MB_D3, PF_MB_D4, /* ln^j x */
    PF_MB_E1,    /* ln x ln(1-x) */
    PF_MB_E2,    /* ln^2 x ln(1-x) */
    PF_MB_F1,    /* Li2(1-x) */
    PF_MB_F2,    /* -int_x^1 Li2(1-y)/y dy */
    PF_MB_G1,    /* ln x/(1-x) */
    PF_MB_G2,    /* ln^2 x/(1-x) */
    PF_MB_H12,   /* ln x ln^2(1-x) */
    PF_MB_SOFT1, PF_MB_SOFT2, PF_MB_SOFT3, /* [ln^k(1-x)/(1-x)]_+ (shift 0 only) */
    PF_MB_N
};
/* sum_i t[i].c * block t[i].kind at N + t[i].shift (shift -1..4; the harmonic sums once) */
typedef struct pf_mterm {
    signed char kind, shift;
    double c;
} pf_mterm;
double complex pf_mellin_terms(double complex n, const pf_mterm *t, int nt);
/* One block, for the tests of the transforms. */
double complex pf_anom_nnlo_basis(int kind, int shift, double complex n);

#endif
