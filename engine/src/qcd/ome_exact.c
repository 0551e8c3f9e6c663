/* The exact a_s^2 heavy-quark operator matrix element A_Hg^S,(2) at mu^2 = m_h^2 (pole mass)
 * in N space (see anomalous.h).  The harmonic-sum form of I. Bierenbaum, J. Bluemlein,
 * S. Klein, Phys. Lett. B672 (2009) 401 [arXiv:0901.0669] (the constant term; the
 * x-space form is Buza, Matiounine, Smith, van Neerven, Eur. Phys. J. C1 (1998) 301
 * [hep-ph/9612398] eq. (B.3), with the e-print's misprint (16 -> 16x in the CA TR term
 * (16 x + 16 x^2)[Li2(-x) + ln x ln(1+x)]) corrected), SU(3) colour factors, a_s =
 * alpha_s / (4 pi).  It is a singlet quantity, so the alternating sums S_{-2}, S_{-3} and
 * S_{-2,1} are continued from even N.  Tests (tests/unit/qcd/test_nnlo.c): the momentum
 * sum rule A_Hg(2) + A_gg,H(2) = 0 against the exact A_gg,H, the moments N = 2 .. 10 of
 * Bierenbaum et al., and the Mellin transform of the x-space (B.3) by quadrature at real
 * and complex N. */
#include <complex.h>

#include "partonflow/anomalous.h"
#include "partonflow/harmonic.h"

double complex pf_anom_ome_ahg_exact(double complex n)
{
    const double complex s1 = pf_harm_s1(n), s2 = pf_harm_s2(n), s3 = pf_harm_s3(n);
    const double complex sm2 = pf_harm_sm2(n), sm3 = pf_harm_sm3(n), sm21 = pf_harm_sm21(n);
    const double complex n2 = n * n, n3 = n2 * n, n4 = n3 * n;
    const double complex in = 1.0 / n, in2 = in * in, in3 = in2 * in, in4 = in3 * in;
    const double complex np1 = n + 1.0, np2 = n + 2.0, nm1 = n - 1.0;
    const double complex np1_2 = np1 * np1, np2_2 = np2 * np2;
    const double complex np1_3 = np1_2 * np1, np2_3 = np2_2 * np2;
    const double complex np1_4 = np1_3 * np1, np2_4 = np2_3 * np2;
    const double complex lo = (n2 + n + 2.0) / (n * np1 * np2); /* the LO P_qg shape */
    double complex r = 0.0;
    r -= (3084.0 + 192.0 * in4 + 1056.0 * in3 + 2496.0 * in2 + 2928.0 * in + 2970.0 * n + 1782.0 * n2 +
          6.0 * n3 - 1194.0 * n4 - 1152.0 * n4 * n - 516.0 * n4 * n2 - 120.0 * n4 * n3 - 12.0 * n4 * n4) /
         (nm1 * np1_4 * np2_4);
    r += (764.0 - 16.0 * in4 - 80.0 * in3 - 100.0 * in2 + 216.0 * in + 864.0 * n + 528.0 * n2 + 208.0 * n3 +
          48.0 * n4) /
         (3.0 * np1_4 * np2);
    r += 12.0 * sm3 * lo;
    r -= 24.0 * sm2 * (4.0 + n - n2) / (np1_2 * np2_2);
    r -= s1 * (48.0 * in + 432.0 + 564.0 * n + 324.0 * n2 + 138.0 * n3 + 48.0 * n4 + 6.0 * n4 * n) /
         (np1_3 * np2_3);
    r += s1 * (-160.0 - 32.0 * in2 - 80.0 * in + 8.0 * n * nm1) / (3.0 * np1_2 * np2);
    r -= 6.0 * s1 * s1 * (11.0 + 8.0 * n + n2 + 2.0 * in) / (np1_2 * np2_2);
    r += 8.0 * s1 * s1 * (1.0 + 2.0 / (3.0 * n)) / (n * np2);
    r -= 2.0 * s2 * (63.0 + 48.0 * in2 + 54.0 * in + 39.0 * n + 63.0 * n2 + 21.0 * n3) / (nm1 * np1_2 * np2_2);
    r += 8.0 * s2 * (17.0 - 2.0 * in2 - 5.0 * in + 17.0 * n + n2) / (3.0 * np1_2 * np2);
    r += lo * (24.0 * sm2 * s1 + 10.0 / 9.0 * s1 * s1 * s1 + 46.0 / 3.0 * s1 * s2 + 176.0 / 9.0 * s3 - 24.0 * sm21);
    return r;
}
