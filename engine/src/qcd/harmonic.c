/* Harmonic sums and polygamma functions at complex argument (see harmonic.h). */
#include <complex.h>
#include <math.h>

#include "partonflow/harmonic.h"

/* B_{2n}, n = 1..10 */
static const double bern[10] = {1.0 / 6.0,       -1.0 / 30.0,     1.0 / 42.0,
                                -1.0 / 30.0,      5.0 / 66.0,      -691.0 / 2730.0,
                                7.0 / 6.0,        -3617.0 / 510.0, 43867.0 / 798.0,
                                -174611.0 / 330.0};

static double fact(int k)
{
    double f = 1.0;
    for (int i = 2; i <= k; i++) f *= i;
    return f;
}

double complex pf_harm_psi(int k, double complex z)
{
    double complex acc = 0.0;
    /* recurrence psi^(k)(z) = psi^(k)(z+1) + (-1)^(k+1) k! / z^(k+1) */
    const double kf = fact(k);
    const double sgn = (k % 2) ? 1.0 : -1.0;
    while (creal(z) < 10.0) {
        const double complex iz = 1.0 / z;
        double complex p = iz;
        for (int j = 0; j < k; j++) p *= iz;
        acc += sgn * kf * p;
        z += 1.0;
    }
    const double complex iz = 1.0 / z, iz2 = iz * iz;
    double complex r;
    if (k == 0) {
        /* psi(z) ~ ln z - 1/(2z) - sum B_2n / (2n z^2n)  (Abramowitz-Stegun 6.3.18) */
        r = clog(z) - 0.5 * iz;
        double complex p = iz2;
        for (int n = 1; n <= 10; n++) {
            r -= bern[n - 1] / (2.0 * n) * p;
            p *= iz2;
        }
    } else {
        /* psi^(k)(z) ~ (-1)^(k+1) [ (k-1)!/z^k + k!/(2 z^(k+1))
         *                          + sum B_2n (2n+k-1)!/((2n)! z^(2n+k)) ]  (A-S 6.4.11) */
        double complex izk = iz;
        for (int j = 1; j < k; j++) izk *= iz;
        r = fact(k - 1) * izk + 0.5 * kf * izk * iz;
        double complex p = izk * iz2;
        for (int n = 1; n <= 10; n++) {
            r += bern[n - 1] * fact(2 * n + k - 1) / fact(2 * n) * p;
            p *= iz2;
        }
        r *= sgn;
    }
    return r + acc;
}

double complex pf_harm_s1(double complex n) { return pf_harm_psi(0, n + 1.0) + PF_EULER_GAMMA; }
double complex pf_harm_s2(double complex n) { return PF_ZETA2 - pf_harm_psi(1, n + 1.0); }
double complex pf_harm_s3(double complex n) { return PF_ZETA3 + 0.5 * pf_harm_psi(2, n + 1.0); }

double complex pf_harm_beta(double complex z)
{
    return 0.5 * (pf_harm_psi(0, 0.5 * (z + 1.0)) - pf_harm_psi(0, 0.5 * z));
}

double complex pf_harm_dbeta(double complex z)
{
    return 0.25 * (pf_harm_psi(1, 0.5 * (z + 1.0)) - pf_harm_psi(1, 0.5 * z));
}

/* S_{-2}(N) = -zeta2/2 - (-1)^N beta'(N+1) and S_{-3}(N) = -3 zeta3/4 + (-1)^N beta''(N+1)/2
 * (tails of the alternating series) with (-1)^N -> +1 (even-N continuation). */
double complex pf_harm_sm2(double complex n)
{
    return -0.5 * PF_ZETA2 - pf_harm_dbeta(n + 1.0);
}

double complex pf_harm_sm3(double complex n)
{
    double complex z = n + 1.0;
    double complex d2 = 0.125 * (pf_harm_psi(2, 0.5 * (z + 1.0)) - pf_harm_psi(2, 0.5 * z));
    return -0.75 * PF_ZETA3 + 0.5 * d2;
}

double complex pf_harm_mel_s2(double complex n)
{
    return 1.0 / (n * n * n) + 2.0 * pf_harm_dbeta(n + 1.0) / n;
}

double complex pf_harm_mel_s2_1px(double complex n)
{
    /* direct terms, then Euler transform of the alternating tail */
    enum { NDIRECT = 24, NTAIL = 40 };
    double complex sum = 0.0;
    double sgn = 1.0;
    for (int m = 0; m < NDIRECT; m++) {
        sum += sgn * pf_harm_mel_s2(n + m);
        sgn = -sgn;
    }
    double complex part[NTAIL];
    double complex s = 0.0;
    for (int m = 0; m < NTAIL; m++) {
        s += sgn * pf_harm_mel_s2(n + NDIRECT + m);
        sgn = -sgn;
        part[m] = s;
    }
    /* repeated averaging of consecutive partial sums (Euler-van Wijngaarden) */
    for (int len = NTAIL; len > 1; len--)
        for (int m = 0; m < len - 1; m++) part[m] = 0.5 * (part[m] + part[m + 1]);
    return sum + part[0];
}

/* the alternating tail of S_{-2,1}: sum_{m>=1} (-1)^m S1(N+m) / (N+m)^2 */
static double complex sm21_term(double complex z) { return pf_harm_s1(z) / (z * z); }

double complex pf_harm_sm21(double complex n)
{
    enum { NDIRECT = 24, NTAIL = 40 };
    double complex sum = 0.0;
    double sgn = -1.0;
    for (int m = 1; m <= NDIRECT; m++) {
        sum += sgn * sm21_term(n + m);
        sgn = -sgn;
    }
    double complex part[NTAIL];
    double complex s = 0.0;
    for (int m = 0; m < NTAIL; m++) {
        s += sgn * sm21_term(n + NDIRECT + 1 + m);
        sgn = -sgn;
        part[m] = s;
    }
    for (int len = NTAIL; len > 1; len--)
        for (int m = 0; m < len - 1; m++) part[m] = 0.5 * (part[m] + part[m + 1]);
    return -0.625 * PF_ZETA3 - (sum + part[0]);
}
