/* partonflow: nested harmonic sums at complex N (harmonic.h pf_hsum_all).
 *
 * For large integer N every sum of the table is S_w(N) = A_w(N) + (-1)^N B_w(N) with
 * A_w, B_w asymptotic series in ln^i(N) N^-j (Euler-Maclaurin for the non-alternating and
 * Boole summation for the alternating part of each nesting step; one constant per sum,
 * its regularised value at infinity, from the exact sum at N = 200: tools/hsum_asymptotics.py,
 * which also checks the series against direct sums at N = 300, 301 to 1e-50).  The
 * continuation from the integers of parity eta is A_w + eta B_w at large |N|; the
 * recurrence S_w(m - 1) = S_w(m) - sign(m1)^m m^-|m1| S_inner(m), with (-1)^m = eta at
 * M and alternating below, brings it down to N.  At integer N of parity eta this is the
 * finite sum (unit test: exact rationals), and it is the analytic continuation the
 * gamma^+- combinations use (the (-1)^N of the alternating sums set to eta). */
#include <complex.h>
#include <math.h>
#include <stddef.h>

#include "partonflow/harmonic.h"

#include "hsum_table.h"

_Static_assert(PF_HSUM_NSUMS == PF_HSUM_MAX, "harmonic.h PF_HSUM_MAX and the generated table");

int pf_hsum_row(const int *m, int k)
{
    for (int r = 0; r < PF_HSUM_NSUMS; r++) {
        if (pf_hsum_idx[r][4] != k) continue;
        int same = 1;
        for (int i = 0; i < k; i++) same &= pf_hsum_idx[r][i] == m[i];
        if (same) return r;
    }
    return -1;
}

void pf_hsum_all(double complex n, int eta, int nshift, double complex *out)
{
    /* M = n + 2K, the same parity as n */
    double complex M = n;
    int K = 0;
    while (creal(M) < 20.0 || cabs(M) < 24.0 || 2 * K + 1 < nshift) {
        M += 2.0;
        K++;
    }
    double complex lnp[6], inv[PF_HSUM_JMAX + 1], A[PF_HSUM_NSUMS] = {0}, B[PF_HSUM_NSUMS] = {0};
    const double complex lm = clog(M), im = 1.0 / M;
    lnp[0] = 1.0;
    for (int i = 1; i < 6; i++) lnp[i] = lnp[i - 1] * lm;
    inv[0] = 1.0;
    for (int j = 1; j <= PF_HSUM_JMAX; j++) inv[j] = inv[j - 1] * im;
    /* the terms of each series from the highest order down (small terms first) */
    for (int t = PF_HSUM_NTERMS - 1; t >= 0; t--) {
        const double complex v = pf_hsum_terms[t].c * lnp[pf_hsum_terms[t].i] * inv[pf_hsum_terms[t].j];
        if (pf_hsum_terms[t].part) B[pf_hsum_terms[t].w] += v;
        else A[pf_hsum_terms[t].w] += v;
    }
    double complex S[PF_HSUM_NSUMS];
    for (int r = 0; r < PF_HSUM_NSUMS; r++) S[r] = A[r] + (double)eta * B[r];
    /* down from m = M (sign (-1)^M = eta) to n; record n + s for s < nshift */
    const int steps = 2 * K;
    for (int k = 0; k <= steps; k++) {
        const int s = steps - k; /* S now holds the sums at n + s */
        if (s < nshift)
            for (int r = 0; r < PF_HSUM_NSUMS; r++) out[(size_t)s * PF_HSUM_MAX + r] = S[r];
        if (s == 0) break;
        const double complex m = n + (double)s, im1 = 1.0 / m;
        const double sgn = (s % 2 == 0) ? (double)eta : -(double)eta; /* (-1)^m */
        double complex ip[6];
        ip[0] = 1.0;
        for (int a = 1; a < 6; a++) ip[a] = ip[a - 1] * im1;
        /* outer sums first: each uses its inner sum at m */
        for (int r = PF_HSUM_NSUMS - 1; r >= 0; r--) {
            const int a = pf_hsum_idx[r][0], in = pf_hsum_idx[r][5];
            const double complex f = (a < 0 ? sgn : 1.0) * ip[a < 0 ? -a : a];
            S[r] -= f * (in < 0 ? 1.0 : S[in]);
        }
    }
}
