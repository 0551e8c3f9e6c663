/* partonflow: the exact three-loop splitting functions at complex N (anomalous.h
 * pf_anom_nnlo_exact).
 *
 * S. Moch, J.A.M. Vermaseren, A. Vogt, Nucl. Phys. B688 (2004) 101, hep-ph/0403192, eqs.
 * 3.4-3.9 (non-singlet) and A. Vogt, S. Moch, J.A.M. Vermaseren, Nucl. Phys. B691 (2004)
 * 129, hep-ph/0404111, eqs. 3.10-3.13 (singlet): gamma^(2) as polynomials in 1/(N + k) and
 * the 57 nested harmonic sums of harmonic.h, written into C from the papers' FORM result
 * files by tools/mvv_to_c.py (p2_exact_gen.h).  gamma^+ and the singlet are continued from
 * even N, gamma^- and the valence from odd N (the parities at which they are the moments
 * of q_i^+ - q_j^+ and (Sigma, g), and of q_i^- - q_j^-, sum_i q_i^-): the harmonic sums
 * of hsum.c with eta = +1 and -1.  The valence P^(2)V = P^(2)- + P^(2)s is gamma^(2)- with
 * the d^abc d_abc / n_c = 40/9 term (SU(3)) that MVV's file carries as [dabc^2/n]; the
 * singlet P_qq = P^(2)+ + P_ps (hep-ph/0404111 eq. 2.4). */
#include <complex.h>
#include <math.h>
#include <stddef.h>

#include "partonflow/anomalous.h"
#include "partonflow/harmonic.h"

#include "p2_exact_gen.h"

#define CA 3.0
#define CF (4.0 / 3.0)
typedef const double complex (*sums4)[PF_HSUM_MAX];

/* The sums at n - 1 .. n + 2, continued from the integers n of parity eta, and d[k] =
 * 1/(n - 1 + k): the arguments of the generated functions. */
static void sums_at(double complex n, int eta, double complex S[4][PF_HSUM_MAX], double complex d[4])
{
    for (int k = 0; k < 4; k++) d[k] = 1.0 / (n - 1.0 + (double)k);
    pf_hsum_all(n - 1.0, -eta, 4, &S[0][0]);
}

/* P^(2)- and P^(2)V (odd-N continuation) at n */
static void minus_at(double complex n, int nf, double complex *pns_m, double complex *pns_v)
{
    double complex S[4][PF_HSUM_MAX], d[4];
    sums_at(n, -1, S, d);
    if (pns_m) *pns_m = -mvv_gqq2m((sums4)S, d, nf, CA, CF, PF_ZETA3, 0.0);
    if (pns_v) *pns_v = -mvv_gqq2m((sums4)S, d, nf, CA, CF, PF_ZETA3, 40.0 / 9.0);
}

/* gamma^(2)-'s d^abc d_abc term holds 1/(N - 1) times sums at N - 1 that vanish at N = 1
 * (a removable singularity): within 1e-3 of N = 1 the value is the mean over 16 points
 * on a circle of radius 0.05 around n (Cauchy's formula by the trapezoidal rule, exact to
 * ~(0.05 / 1)^16 relative for a function analytic in |N - 1| < 1). */
static void minus(double complex n, int nf, double complex *pns_m, double complex *pns_v)
{
    if (cabs(n - 1.0) >= 1e-3) {
        minus_at(n, nf, pns_m, pns_v);
        return;
    }
    double complex sm = 0.0, sv = 0.0, m, v;
    enum { K = 16 };
    for (int k = 0; k < K; k++) {
        const double t = 2.0 * 3.14159265358979323846 * (k + 0.5) / K;
        minus_at(n + 0.05 * cexp(I * t), nf, &m, &v);
        sm += m;
        sv += v;
    }
    if (pns_m) *pns_m = sm / K;
    if (pns_v) *pns_v = sv / K;
}

void pf_anom_nnlo_exact_ns(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                           double complex *pns_v)
{
    pf_anom_nnlo_exact(n, nf, pns_p, pns_m, pns_v, NULL);
}

void pf_anom_nnlo_exact(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                        double complex *pns_v, double complex ps[4])
{
    if (pns_m || pns_v) minus(n, nf, pns_m, pns_v);
    if (!pns_p && !ps) return;
    double complex S[4][PF_HSUM_MAX], d[4];
    sums_at(n, +1, S, d);
    const double complex pp = -mvv_gqq2p((sums4)S, d, nf, CA, CF, PF_ZETA3, 0.0);
    if (pns_p) *pns_p = pp;
    if (!ps) return;
    ps[0] = pp - mvv_gqqps2((sums4)S, d, nf, CA, CF, PF_ZETA3, 0.0);
    ps[1] = -mvv_gqg2((sums4)S, d, nf, CA, CF, PF_ZETA3, 0.0);
    ps[2] = -mvv_ggq2((sums4)S, d, nf, CA, CF, PF_ZETA3, 0.0);
    ps[3] = -mvv_ggg2((sums4)S, d, nf, CA, CF, PF_ZETA3, 0.0);
}
