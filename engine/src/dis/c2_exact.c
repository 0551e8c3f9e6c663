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

void pf_dis_coef_nnlo_exact(double complex N, double complex c[PF_DIS_NCOEF2], double complex c3[2],
                            double complex cc[PF_DIS_NCC2])
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
