/* partonflow: harmonic sums and the Mellin transforms the NLO anomalous dimensions need,
 * analytically continued to complex N.
 *
 * Polygamma functions are evaluated by upward recurrence psi^(k)(z) = psi^(k)(z+1)
 * - (-1)^k k!/z^(k+1) until Re z >= 10 followed by the asymptotic (Stirling) series,
 * so they hold anywhere off the non-positive real axis, in particular on the left half
 * of the bent Mellin contour (Re N < 0), where a routine valid for Re z > 0 only fails.
 * Harmonic sums: S_k(N) = sum_{j=1}^N j^-k continued as
 *   S1 = psi(N+1) + gamma_E, S2 = zeta2 - psi'(N+1), S3 = zeta3 + psi''(N+1)/2.
 * The alternating pieces enter through beta(z) = sum_k (-1)^k/(z+k)
 * = [psi((z+1)/2) - psi(z/2)]/2 and through the Mellin transforms of the x-space function
 *   S2(x) = -2 Li2(-x) + ln^2(x)/2 - 2 ln(x) ln(1+x) - zeta2
 * of Ellis-Stirling-Webber (QCD and Collider Physics, eq. 4.109ff), which is where
 * Pegasus (hep-ph/0408244) uses S~_{-2,1}: see pf_harm_mel_s2 and pf_harm_mel_s2_1px. */
#ifndef PARTONFLOW_HARMONIC_H
#define PARTONFLOW_HARMONIC_H

#include <complex.h>

#define PF_ZETA2 1.6449340668482264365
#define PF_ZETA3 1.2020569031595942854
#define PF_EULER_GAMMA 0.57721566490153286061

/* psi^(k)(z), k = 0..4, for z off the non-positive real axis. */
double complex pf_harm_psi(int k, double complex z);
double complex pf_harm_s1(double complex n);
double complex pf_harm_s2(double complex n);
double complex pf_harm_s3(double complex n);
/* S_{-2}(N), S_{-3}(N) continued from even N (the (-1)^N = +1 branch, as in Pegasus). */
double complex pf_harm_sm2(double complex n);
double complex pf_harm_sm3(double complex n);
/* S_{-2,1}(N) = sum_{k=1}^N (-1)^k S_1(k) / k^2 continued from even N: -5 zeta3 / 8 minus
 * the alternating tail sum_{m>=1} (-1)^m S1(N+m) / (N+m)^2 ((-1)^N -> +1), summed directly
 * for 24 terms and Euler-van Wijngaarden accelerated after (harmonic.c); the finite sum at
 * even N, and S(N) + S(N+1) = -5 zeta3 / 4 + S1(N+1) / (N+1)^2 everywhere. */
double complex pf_harm_sm21(double complex n);
/* beta(z) and beta'(z) */
double complex pf_harm_beta(double complex z);
double complex pf_harm_dbeta(double complex z);
/* int_0^1 x^(N-1) S2(x) dx = 1/N^3 + 2 beta'(N+1)/N  (from the series of Li2(-x), ln(1+x)) */
double complex pf_harm_mel_s2(double complex n);
/* int_0^1 x^(N-1) S2(x)/(1+x) dx, continued through F(N) = G(N) - F(N+1) (x/(1+x) = 1 -
 * 1/(1+x)), i.e. the alternating series sum_m (-1)^m G(N+m), summed with the Euler
 * (van Wijngaarden) transformation of its partial sums after 24 direct terms. */
double complex pf_harm_mel_s2_1px(double complex n);

#endif
