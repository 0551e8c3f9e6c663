/* partonflow: complex special functions for Mellin-space maths (host only, <complex.h>).
 *
 * log Gamma, digamma and the polygammas psi^(k), k = 1..4, at complex argument, accurate
 * to ~1e-14 relative for Re z > 0 (tests/unit/pdf/test_specfun.c checks them against GSL
 * and against the recurrence, reflection and derivative identities).  Method: shift the
 * argument up with the recurrence Gamma(z+1) = z Gamma(z) until |z| >= R, then the
 * asymptotic (Stirling) series with Bernoulli numbers (Abramowitz-Stegun 6.1.40, 6.3.18,
 * 6.4.11).  Functions are real-analytic, so Im z < 0 is done by conjugation.
 *
 * log Gamma is the principal branch: the continuation of the real log Gamma on (0, inf)
 * that is analytic in the plane cut along (-inf, 0], so it is continuous along a Mellin
 * contour (its imaginary part is NOT reduced modulo 2 pi). */
#ifndef PARTONFLOW_SPECFUN_H
#define PARTONFLOW_SPECFUN_H

#include <complex.h>
#include <math.h>

/* glibc defines CMPLX only for gcc >= 4.7; clang (the fuzz build, tests/fuzz) has the
 * same builtin */
#if !defined(CMPLX) && defined(__clang__)
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif

/* B_2, B_4, ..., B_20 */
static const double pf_specfun_bern[10] = {
    1.0 / 6.0,       -1.0 / 30.0,         1.0 / 42.0,    -1.0 / 30.0,     5.0 / 66.0,
    -691.0 / 2730.0, 7.0 / 6.0,           -3617.0 / 510.0, 43867.0 / 798.0, -174611.0 / 330.0};

/* 1/z without the C99 Annex G infinity/NaN handling of complex division (a library call
 * in gcc); every argument here is finite and away from 0. */
static inline double complex pf_crecip(double complex z)
{
    const double re = creal(z), im = cimag(z), d = 1.0 / (re * re + im * im);
    return CMPLX(re * d, -im * d);
}

/* Principal log (glibc's clog is slower for its care near |z| = 1, which costs us only
 * an absolute 1e-16); hypot where |z|^2 would overflow. */
static inline double complex pf_clog(double complex z)
{
    const double re = creal(z), im = cimag(z), r2 = re * re + im * im;
    const double lr = (r2 < 1e300 && r2 > 1e-300) ? 0.5 * log(r2) : log(hypot(re, im));
    return CMPLX(lr, atan2(im, re));
}

/* Number of unit shifts that take z (Im z >= 0) where the asymptotic series is accurate:
 * |z + n| >= R with Re(z + n) > -R/2, or |z + n| >= 2R with arg(z + n) <= 3 pi/4.  The
 * remainder after the last term kept is bounded by the first omitted term times
 * sec^(2m)(arg z / 2) (Olver, Asymptotics and Special Functions, ch. 8), 2.6^(2m) at
 * 3 pi/4, which the larger radius absorbs; so far up the plane (the bent Mellin contour's
 * far nodes) a few shifts, or none, suffice. */
static inline int pf_specfun_shift(double complex z, double R)
{
    const double re = creal(z), im = cimag(z), r2 = re * re + im * im;
    if (r2 >= R * R && re > -0.5 * R)
        return 0;
    if (im >= 2.0 * R)
        return re >= -im ? 0 : (int)ceil(-im - re);
    const double need = im * im < R * R ? sqrt(R * R - im * im) : 0.0;
    const double n = ceil(need - re);
    return n > 0.0 ? (int)n : 0;
}

/* Stirling series of log Gamma at |w| >= 10, given log w and 1/w:
 * (w - 1/2) log w - w + log(2 pi)/2 + sum_k B_2k / (2k (2k-1) w^(2k-1))  (AS 6.1.40).
 * Beyond |w| = 40 five terms reach 1e-18 (the sixth is B_12/(132 w^11)). */
static inline double complex pf_specfun_stirling_lw(double complex w, double complex lw,
                                                    double complex w1)
{
    const double complex w2 = w1 * w1;
    const int top = (creal(w) * creal(w) + cimag(w) * cimag(w) >= 1600.0) ? 4 : 9;
    double complex s = 0.0;
    for (int k = top; k >= 0; k--)
        s = s * w2 + pf_specfun_bern[k] / ((2.0 * k + 2.0) * (2.0 * k + 1.0));
    return (w - 0.5) * lw - w + 0.91893853320467274178 + s * w1;
}

static inline double complex pf_specfun_stirling(double complex w)
{
    return pf_specfun_stirling_lw(w, pf_clog(w), pf_crecip(w));
}

/* psi(w) ~ log w - 1/(2w) - sum_k B_2k / (2k w^2k)  (AS 6.3.18), |w| >= 10 */
static inline double complex pf_specfun_psi_asym(double complex w, double complex lw,
                                                 double complex w1)
{
    const double complex w2 = w1 * w1;
    const int top = (creal(w) * creal(w) + cimag(w) * cimag(w) >= 1600.0) ? 4 : 9;
    double complex s = 0.0;
    for (int k = top; k >= 0; k--)
        s = s * w2 + pf_specfun_bern[k] / (2.0 * k + 2.0);
    return lw - 0.5 * w1 - s * w2;
}

/* log Gamma(z), Im z >= 0. */
static inline double complex pf_clgamma_upper(double complex z)
{
    const int n = pf_specfun_shift(z, 10.0);
    /* prod_{k<n} (z+k) with its winding number: for Im z >= 0 every factor has arg in
     * [0, pi), so the running argument only increases and each passage of the product
     * across the negative real axis adds 2 pi to the sum of the principal logs. */
    double complex p = 1.0, lp = 0.0;
    int wind = 0;
    for (int k = 0; k < n; k++) {
        const double complex q = p * (z + k);
        if (cimag(p) >= 0.0 && cimag(q) < 0.0)
            wind++;
        p = q;
        if ((k & 31) == 31) { /* bank the product before it can overflow (far left) */
            lp += pf_clog(p);
            p = 1.0;
        }
    }
    double complex r = pf_specfun_stirling(z + n);
    if (n > 0)
        r -= lp + pf_clog(p) + I * (2.0 * M_PI * wind);
    return r;
}

static inline double complex pf_clgamma(double complex z)
{
    return cimag(z) >= 0.0 ? pf_clgamma_upper(z) : conj(pf_clgamma_upper(conj(z)));
}

/* Gamma(z) = exp(L) / P as the pair (L, P), for ratios of Gamma functions that need no
 * branch of the log (Beta functions): saves the log of the shift product.  With psi
 * non-NULL also psi(z), sharing the shift and log w.  Falls back to P = 1 where the
 * product could overflow (far left of the plane). */
static inline double complex pf_clgamma_split(double complex z, double complex *P,
                                              double complex *psi);
static inline double complex pf_cpsi_upper(double complex z)
{
    const int n = pf_specfun_shift(z, 10.0);
    double complex acc = 0.0;
    for (int k = 0; k < n; k++)
        acc += pf_crecip(z + k);
    const double complex w = z + n;
    return pf_specfun_psi_asym(w, pf_clog(w), pf_crecip(w)) - acc;
}

static inline double complex pf_cpsi(double complex z)
{
    return cimag(z) >= 0.0 ? pf_cpsi_upper(z) : conj(pf_cpsi_upper(conj(z)));
}

/* psi^(k)(z), Im z >= 0, k >= 1. */
static inline double complex pf_cpsi_n_upper(int k, double complex z)
{
    const int n = pf_specfun_shift(z, 14.0);
    double kfact = 1.0; /* k! */
    for (int j = 2; j <= k; j++)
        kfact *= j;
    /* psi^(k)(z) = psi^(k)(z+n) - (-1)^k k! sum_{j<n} (z+j)^-(k+1) */
    double complex acc = 0.0;
    for (int j = 0; j < n; j++) {
        const double complex u = pf_crecip(z + j);
        double complex t = u;
        for (int m = 0; m < k; m++)
            t *= u;
        acc += t;
    }
    const double complex w = z + n, w1 = pf_crecip(w), w2 = w1 * w1;
    /* psi^(k)(w) ~ (-1)^(k+1) [ (k-1)!/w^k + k!/(2 w^(k+1))
     *                           + sum_j B_2j (2j+k-1)!/(2j)! / w^(2j+k) ]  (AS 6.4.11) */
    double complex s = 0.0;
    for (int j = 10; j >= 1; j--) {
        double c = 1.0; /* (2j+k-1)!/(2j)! */
        for (int m = 2 * j + 1; m <= 2 * j + k - 1; m++)
            c *= m;
        s = s * w2 + pf_specfun_bern[j - 1] * c;
    }
    double complex wk = 1.0; /* w^-k */
    for (int m = 0; m < k; m++)
        wk *= w1;
    const double complex asym = wk * (kfact / k + 0.5 * kfact * w1 + s * w2);
    const double sign = (k % 2) ? 1.0 : -1.0; /* (-1)^(k+1) */
    return sign * asym + sign * kfact * acc;
}

static inline double complex pf_cpsi_n(int k, double complex z)
{
    if (k == 0)
        return pf_cpsi(z);
    return cimag(z) >= 0.0 ? pf_cpsi_n_upper(k, z) : conj(pf_cpsi_n_upper(k, conj(z)));
}

static inline double complex pf_clgamma_split(double complex z, double complex *P,
                                              double complex *psi)
{
    const int up = cimag(z) >= 0.0;
    const double complex zu = up ? z : conj(z);
    const int n = pf_specfun_shift(zu, 10.0);
    if (n > 60) {
        *P = 1.0;
        if (psi)
            *psi = pf_cpsi(z);
        return pf_clgamma(z);
    }
    double complex p = 1.0, acc = 0.0;
    for (int k = 0; k < n; k++) {
        p *= zu + k;
        if (psi)
            acc += pf_crecip(zu + k);
    }
    const double complex w = zu + n, lw = pf_clog(w), w1 = pf_crecip(w);
    const double complex r = pf_specfun_stirling_lw(w, lw, w1);
    if (psi) {
        const double complex ps = pf_specfun_psi_asym(w, lw, w1) - acc;
        *psi = up ? ps : conj(ps);
    }
    *P = up ? p : conj(p);
    return up ? r : conj(r);
}

/* log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a+b) (sum of principal branches) */
static inline double complex pf_clbeta(double complex a, double complex b)
{
    return pf_clgamma(a) + pf_clgamma(b) - pf_clgamma(a + b);
}

#endif
