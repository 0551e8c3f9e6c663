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

/* gamma^(2)-'s d^abc d_abc term holds 1/(N - 1) times sums at N - 1 that vanish at N = 1
 * (a removable singularity): within 1e-3 of N = 1 the value is the mean over 16 points
 * on a circle of radius 0.05 around n (Cauchy's formula by the trapezoidal rule, exact to
 * ~(0.05 / 1)^16 relative for a function analytic in |N - 1| < 1). */
static void exact_ns_at(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                        double complex *pns_v);

void pf_anom_nnlo_exact_ns(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                           double complex *pns_v)
{
    if (cabs(n - 1.0) < 1e-3 && (pns_m || pns_v)) {
        double complex sm = 0.0, sv = 0.0, m, v;
        enum { K = 16 };
        for (int k = 0; k < K; k++) {
            const double t = 2.0 * 3.14159265358979323846 * (k + 0.5) / K;
            exact_ns_at(n + 0.05 * cexp(I * t), nf, NULL, &m, &v);
            sm += m;
            sv += v;
        }
        if (pns_m) *pns_m = sm / K;
        if (pns_v) *pns_v = sv / K;
        if (pns_p) exact_ns_at(n, nf, pns_p, NULL, NULL);
        return;
    }
    exact_ns_at(n, nf, pns_p, pns_m, pns_v);
}

static void exact_ns_at(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                        double complex *pns_v)
{
    const double ca = 3.0, cf = 4.0 / 3.0, z3 = PF_ZETA3, nfd = nf;
    double complex S[4][PF_HSUM_MAX], d[4];
    for (int k = 0; k < 4; k++) d[k] = 1.0 / (n - 1.0 + (double)k);
    if (pns_p) {
        pf_hsum_all(n - 1.0, -1, 4, &S[0][0]); /* n - 1 odd where n is even */
        *pns_p = -mvv_gqq2p((const double complex(*)[PF_HSUM_MAX])S, d, nfd, ca, cf, z3, 0.0);
    }
    if (pns_m || pns_v) {
        pf_hsum_all(n - 1.0, +1, 4, &S[0][0]);
        if (pns_m) *pns_m = -mvv_gqq2m((const double complex(*)[PF_HSUM_MAX])S, d, nfd, ca, cf, z3, 0.0);
        if (pns_v) *pns_v = -mvv_gqq2m((const double complex(*)[PF_HSUM_MAX])S, d, nfd, ca, cf, z3, 40.0 / 9.0);
    }
}

void pf_anom_nnlo_exact(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                        double complex *pns_v, double complex ps[4])
{
    if (pns_m || pns_v) pf_anom_nnlo_exact_ns(n, nf, NULL, pns_m, pns_v);
    if (!pns_p && !ps) return;
    const double ca = 3.0, cf = 4.0 / 3.0, z3 = PF_ZETA3, nfd = nf;
    double complex S[4][PF_HSUM_MAX], d[4];
    for (int k = 0; k < 4; k++) d[k] = 1.0 / (n - 1.0 + (double)k);
    pf_hsum_all(n - 1.0, -1, 4, &S[0][0]); /* continued from even n */
    const double complex(*Sc)[PF_HSUM_MAX] = (const double complex(*)[PF_HSUM_MAX])S;
    const double complex pp = -mvv_gqq2p(Sc, d, nfd, ca, cf, z3, 0.0);
    if (pns_p) *pns_p = pp;
    if (!ps) return;
    ps[0] = pp - mvv_gqqps2(Sc, d, nfd, ca, cf, z3, 0.0);
    ps[1] = -mvv_gqg2(Sc, d, nfd, ca, cf, z3, 0.0);
    ps[2] = -mvv_ggq2(Sc, d, nfd, ca, cf, z3, 0.0);
    ps[3] = -mvv_ggg2(Sc, d, nfd, ca, cf, z3, 0.0);
}
