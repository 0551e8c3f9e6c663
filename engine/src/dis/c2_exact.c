/* partonflow: the exact second-order (a_s^2) coefficient functions of F2, FL and xF3 at
 * complex N (dis.h pf_dis_coef_nnlo_exact; theory.nnlo_coefficients: exact, the default).
 *
 * MSbar, zero-mass, mu_R = mu_F = Q, a_s = alpha_s/(4 pi), the conventions of coef_nnlo.c
 * (Vogt's: c2ps, c2g, clps, clg per flavour).  The functions are those of
 *   E.B. Zijlstra, W.L. van Neerven, Phys. Lett. B272 (1991) 127 (F2 non-singlet and pure
 *   singlet), B273 (1991) 476 (gluon), B297 (1992) 377 (xF3), Nucl. Phys. B383 (1992) 525;
 *   J. Sanchez Guillen et al., Nucl. Phys. B353 (1991) 337 (FL);
 *   M. Rogal, S. Moch, A. Vogt, Nucl. Phys. B790 (2008) 317 [arXiv:0708.3731] (the
 *   differences between the even- and odd-moment non-singlet functions, for W exchange),
 * in the harmonic-polylogarithm form of A. Vogt's x-space code, Mellin-transformed exactly by
 * tools/cf2_mellin.py into sums of c (-1)^(p k) (N + k)^-a S_b(N + k), k = -2..3, over the
 * nested harmonic sums of hsum.c (c2_exact_gen.h; the delta(1-x) coefficients are the
 * papers').  The functions are Mellin transforms of x-space functions, analytic in N, so
 * they are continued from even N, where (-1)^(N + k) = (-1)^k: the sums at N - 2 .. N + 3
 * from pf_hsum_all with eta = +1 at N - 2.
 *
 * Parities: c2ns, clns (the e.m. "+" combination, even N), c3ns (the "-" combination of
 * xF3, odd N), and for W exchange the other parity of each (c2ns_odd, clns_odd,
 * c3ns_even): the x-space functions differ (Rogal-Moch-Vogt), so each is its own table.
 * Tests: tests/unit/dis/test_coefficients.c (x space against HOPPET's exact routines,
 * moments, the Adler and Gross-Llewellyn Smith sum rules). */
#include <complex.h>
#include <math.h>

#include "partonflow/dis.h"
#include "partonflow/harmonic.h"

#include "c2_exact_gen.h"

#define KMIN (-2)
#define NSHIFT 6

typedef struct {
    double complex S[NSHIFT][PF_HSUM_MAX]; /* S_r(N + k) at [k - KMIN][r] */
    double complex inv[NSHIFT];            /* 1 / (N + k) */
} sums_t;

static double complex table(const sums_t *s, const pf_c2x_term *t, size_t n)
{
    double complex acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        const int k = t[i].k - KMIN;
        double complex v = t[i].row < 0 ? 1.0 : s->S[k][t[i].row];
        for (int a = 0; a < t[i].a; a++) v *= s->inv[k];
        /* (-1)^(p k) with (-1)^N -> 1 */
        acc += ((t[i].p && (t[i].k & 1)) ? -t[i].c : t[i].c) * v;
    }
    return acc;
}

#define T(name) table(&s, name, sizeof name / sizeof name[0])

enum { NALL = PF_DIS_NCOEF2 + 2 + PF_DIS_NCC2 };

static void direct(double complex N, double complex *c, double complex *c3, double complex *cc)
{
    sums_t s;
    pf_hsum_all(N + (double)KMIN, +1, NSHIFT, &s.S[0][0]);
    for (int k = 0; k < NSHIFT; k++) s.inv[k] = 1.0 / (N + (double)(k + KMIN));
    if (c) {
        c[PF_DIS2_C2NS0] = T(c2ns_0);
        c[PF_DIS2_C2NS1] = T(c2ns_1);
        c[PF_DIS2_C2PS] = T(c2ps_0);
        c[PF_DIS2_C2G] = T(c2g_0);
        c[PF_DIS2_CLNS0] = T(clns_0);
        c[PF_DIS2_CLNS1] = T(clns_1);
        c[PF_DIS2_CLPS] = T(clps_0);
        c[PF_DIS2_CLG] = T(clg_0);
    }
    if (c3) {
        c3[0] = T(c3ns_0);
        c3[1] = T(c3ns_1);
    }
    if (cc) {
        cc[PF_DIS2_C2NS0_ODD] = T(c2ns_odd_0);
        cc[PF_DIS2_CLNS0_ODD] = T(clns_odd_0);
        cc[PF_DIS2_C3NS0_EVEN] = T(c3ns_even_0);
    }
}

/* Near N = 1 and 2 the tables' single terms have poles (N + k = 0 for k = -1, -2; order <= 2)
 * that cancel in the sums, so there they are evaluated by Cauchy's formula on a circle of
 * radius R around n0, f(N) = (1/M) sum_j f(z_j) (z_j - n0) / (z_j - N) (trapezoid rule,
 * error ~ (|N - n0| / R)^M + (R / 0.7)^M < 1e-17), from points where the direct sums are
 * accurate.  The pure-singlet and gluon pieces have a genuine simple pole at N = 1 (their
 * 1/x terms): near 1 their (N - 1) f(N) goes through the formula instead, and at N = 1
 * itself they are infinite. */
#define PF_C2X_PI 3.14159265358979323846
#define NEAR 0.05
#define R 0.3
#define M 48
static int singlet_piece(int k)
{
    return k == PF_DIS2_C2PS || k == PF_DIS2_C2G || k == PF_DIS2_CLPS || k == PF_DIS2_CLG;
}

void pf_dis_coef_nnlo_exact(double complex N, double complex c[PF_DIS_NCOEF2], double complex c3[2],
                            double complex cc[PF_DIS_NCC2])
{
    int n0 = 0;
    if (cabs(N - 1.0) < NEAR) n0 = 1;
    else if (cabs(N - 2.0) < NEAR) n0 = 2;
    if (!n0) {
        direct(N, c, c3, cc);
        return;
    }
    double complex acc[NALL] = {0};
    for (int j = 0; j < M; j++) {
        const double complex e = cexp(I * (2.0 * PF_C2X_PI * (j + 0.5) / M)), z = n0 + R * e;
        double complex v[NALL];
        direct(z, v, v + PF_DIS_NCOEF2, v + PF_DIS_NCOEF2 + 2);
        const double complex kern = R * e / (z - N) / M;
        for (int k = 0; k < NALL; k++)
            acc[k] += (n0 == 1 && k < PF_DIS_NCOEF2 && singlet_piece(k) ? (z - 1.0) * v[k] : v[k]) * kern;
    }
    if (n0 == 1)
        for (int k = 0; k < PF_DIS_NCOEF2; k++)
            if (singlet_piece(k)) acc[k] = N == 1.0 ? (double complex)INFINITY : acc[k] / (N - 1.0);
    if (c)
        for (int k = 0; k < PF_DIS_NCOEF2; k++) c[k] = acc[k];
    if (c3)
        for (int k = 0; k < 2; k++) c3[k] = acc[PF_DIS_NCOEF2 + k];
    if (cc)
        for (int k = 0; k < PF_DIS_NCC2; k++) cc[k] = acc[PF_DIS_NCOEF2 + 2 + k];
}
