/* LO and NLO splitting functions in N space (see anomalous.h).  Every NLO term is written
 * as the Mellin transform of the x-space expression of Ellis-Stirling-Webber eqs.
 * 4.107-4.111 (alpha_s/2pi normalisation, converted at the end), built from the transforms
 * (M = N + k for a factor x^k):
 *   1 -> 1/M,  ln x -> -1/M^2,  ln^2 x -> 2/M^3,  ln(1-x) -> -S1(M)/M,
 *   ln^2(1-x) -> (S1(M)^2 + S2(M))/M,  ln x ln(1-x) -> -psi'(M+1)/M + S1(M)/M^2,
 *   S2(x) -> pf_harm_mel_s2(M),  S2(x)/(1+x) -> pf_harm_mel_s2_1px(N),
 * and for the soft terms (plus prescription c(x)/(1-x)_+, as the delta(1-x) coefficients
 * of ESW assume):  1/(1-x)_+ -> -S1(N-1),  ln x/(1-x) -> -psi'(N),  ln^2 x/(1-x) -> -psi''(N),
 *   ln x ln(1-x)/(1-x) -> S1(N-1) psi'(N) - psi''(N)/2  (d/dN of the ln(1-x)/(1-x)_+ moment). */
#include <complex.h>

#include "partonflow/anomalous.h"
#include "partonflow/harmonic.h"

#define CF (4.0 / 3.0)
#define CA 3.0
#define TR 0.5

void pf_anom_lo(double complex n, int nf, double complex *pns, double complex ps[4])
{
    /* Altarelli-Parisi, a_s normalisation (twice the alpha_s/2pi one) */
    const double complex s1 = pf_harm_s1(n);
    const double complex qq = 2.0 * CF * (1.5 + 1.0 / (n * (n + 1.0)) - 2.0 * s1);
    const double complex pqg = (n * n + n + 2.0) / (n * (n + 1.0) * (n + 2.0));
    const double complex pgq = (n * n + n + 2.0) / ((n - 1.0) * n * (n + 1.0));
    const double beta0 = 11.0 - 2.0 / 3.0 * nf;
    if (pns) *pns = qq;
    if (ps) {
        ps[0] = qq;
        ps[1] = 2.0 * nf * pqg; /* 2 nf T_R * 2 */
        ps[2] = 2.0 * CF * pgq;
        ps[3] = 4.0 * CA * (1.0 / (n * (n - 1.0)) + 1.0 / ((n + 1.0) * (n + 2.0)) - s1) + beta0;
    }
}

/* Mellin transforms of the x-space building blocks at M */
typedef struct mb {
    double complex f0, f1, f2, g1, g2, h, s2;
} mb;

static mb basis(double complex m)
{
    mb b;
    const double complex s1 = pf_harm_s1(m), p1 = pf_harm_psi(1, m + 1.0);
    const double complex s2 = PF_ZETA2 - p1;
    b.f0 = 1.0 / m;
    b.f1 = -1.0 / (m * m);
    b.f2 = 2.0 / (m * m * m);
    b.g1 = -s1 / m;
    b.g2 = (s1 * s1 + s2) / m;
    b.h = -p1 / m + s1 / (m * m);
    b.s2 = pf_harm_mel_s2(m);
    return b;
}

/* coefficients of a bracket c(x) = c0 + c1 ln x + c2 ln^2 x + d1 ln(1-x) + d2 ln^2(1-x)
 * + e ln x ln(1-x) */
typedef struct br {
    double c0, c1, c2, d1, d2, e;
} br;

static double complex ev(br c, const mb *b)
{
    return c.c0 * b->f0 + c.c1 * b->f1 + c.c2 * b->f2 + c.d1 * b->g1 + c.d2 * b->g2 + c.e * b->h;
}

/* B[i] holds the basis at M = N + i - 1; X(k) is the transform of x^k c(x) */
#define X(c, k) ev((c), &B[(k) + 1])

void pf_anom_nlo(double complex n, int nf, double complex *pns_p, double complex *pns_m,
                 double complex ps[4])
{
    mb B[4];
    for (int i = 0; i < 4; i++) B[i] = basis(n + (i - 1));
    const double complex s1m = pf_harm_s1(n - 1.0);
    const double complex p1 = pf_harm_psi(1, n), p2 = pf_harm_psi(2, n);
    /* soft (1/(1-x)) transforms at N */
    const double complex D0 = -s1m, Dlx = -p1, Dl2x = -p2, Dlxl1 = s1m * p1 - 0.5 * p2;
    const double complex F1px = pf_harm_mel_s2_1px(n);
    const double z2 = PF_ZETA2, z3 = PF_ZETA3;
    const double tf = nf * TR;

    /* ---- non-singlet, ESW 4.107-4.108 ---- */
    /* c(x) p_qq(x) with p_qq = 2/(1-x) - 1 - x: soft part passed as sft */
#define PQQ(c, sft) (2.0 * (sft) - X(c, 0) - X(c, 1))
    double complex cff, cfa, cfn;
    {
        br b1 = {0, -1.5, 0, 0, 0, -2.0}; /* -(2 ln x ln(1-x) + 3/2 ln x) */
        cff = PQQ(b1, -2.0 * Dlxl1 - 1.5 * Dlx);
        br lx = {0, 1, 0, 0, 0, 0}, l2 = {0, 0, 1, 0, 0, 0}, one = {1, 0, 0, 0, 0, 0};
        cff += -1.5 * X(lx, 0) - 3.5 * X(lx, 1) - 0.5 * (X(l2, 0) + X(l2, 1))
               - 5.0 * (X(one, 0) - X(one, 1));
        const double K = 67.0 / 18.0 - z2;
        br b2 = {K, 11.0 / 6.0, 0.5, 0, 0, 0};
        cfa = PQQ(b2, 0.5 * Dl2x + 11.0 / 6.0 * Dlx + K * D0) + X(lx, 0) + X(lx, 1)
              + 20.0 / 3.0 * (X(one, 0) - X(one, 1));
        br b3 = {-10.0 / 9.0, -2.0 / 3.0, 0, 0, 0, 0};
        cfn = PQQ(b3, -2.0 / 3.0 * Dlx - 10.0 / 9.0 * D0) - 4.0 / 3.0 * (X(one, 0) - X(one, 1));
    }
    const double dqq = CF * CF * (3.0 / 8.0 - 3.0 * z2 + 6.0 * z3)
                       + CF * CA * (17.0 / 24.0 + 11.0 / 3.0 * z2 - 3.0 * z3)
                       - CF * tf * (1.0 / 6.0 + 4.0 / 3.0 * z2);
    const double complex pv_qq = CF * CF * cff + CF * CA * cfa + CF * tf * cfn + dqq;
    /* P^V_qqbar = CF (CF - CA/2) [2 p_qq(-x) S2(x) + 2 (1+x) ln x + 4 (1-x)],
     * p_qq(-x) = 2/(1+x) - 1 + x */
    double complex pv_qqb;
    {
        br lx = {0, 1, 0, 0, 0, 0}, one = {1, 0, 0, 0, 0, 0};
        double complex ps2 = 2.0 * F1px - B[1].s2 + B[2].s2;
        pv_qqb = CF * (CF - 0.5 * CA)
                 * (2.0 * ps2 + 2.0 * (X(lx, 0) + X(lx, 1)) + 4.0 * (X(one, 0) - X(one, 1)));
    }
    const double complex nsp = 4.0 * (pv_qq + pv_qqb), nsm = 4.0 * (pv_qq - pv_qqb);
    if (pns_p) *pns_p = nsp;
    if (pns_m) *pns_m = nsm;
    if (!ps) return;

    /* ---- pure singlet: P^S_qq = CF TR [20/(9x) - 2 + 6x - 56/9 x^2 + (1 + 5x + 8/3 x^2) ln x
     *      - (1+x) ln^2 x], entering Sigma with 2 nf ---- */
    br one = {1, 0, 0, 0, 0, 0}, lx = {0, 1, 0, 0, 0, 0}, l2 = {0, 0, 1, 0, 0, 0};
    double complex pps = CF * TR
                         * (20.0 / 9.0 * X(one, -1) - 2.0 * X(one, 0) + 6.0 * X(one, 1)
                            - 56.0 / 9.0 * X(one, 2) + X(lx, 0) + 5.0 * X(lx, 1)
                            + 8.0 / 3.0 * X(lx, 2) - X(l2, 0) - X(l2, 1));
    double complex qq = 4.0 * (pv_qq + pv_qqb + 2.0 * nf * pps);

    /* ---- qg (ESW 4.111, per T_R; Sigma gets nf times the T_R = 1/2 expression) ---- */
#define PQG(c) (X(c, 0) - 2.0 * X(c, 1) + 2.0 * X(c, 2))
    double complex qg;
    {
        br l1 = {0, 0, 0, 1, 0, 0};
        /* 2 ln^2((1-x)/x) - 4 ln((1-x)/x) - 2/3 pi^2 + 10 */
        br bf = {10.0 - 4.0 * z2, 4.0, 2.0, -4.0, 2.0, -4.0};
        double complex cfp = 4.0 * X(one, 0) - 9.0 * X(one, 1) - X(lx, 0) + 4.0 * X(lx, 1)
                             - X(l2, 0) + 2.0 * X(l2, 1) + 4.0 * X(l1, 0) + PQG(bf);
        br ba = {2.0 * z2 - 218.0 / 9.0, 44.0 / 3.0, -1.0, 4.0, -2.0, 0};
        double complex cap = 182.0 / 9.0 * X(one, 0) + 14.0 / 9.0 * X(one, 1)
                             + 40.0 / 9.0 * X(one, -1) + 136.0 / 3.0 * X(lx, 1)
                             - 38.0 / 3.0 * X(lx, 0) - 4.0 * X(l1, 0) - 2.0 * X(l2, 0)
                             - 8.0 * X(l2, 1) + PQG(ba)
                             + 2.0 * (B[1].s2 + 2.0 * B[2].s2 + 2.0 * B[3].s2);
        qg = 4.0 * nf * (CF * TR * cfp + CA * TR * cap);
    }
    /* ---- gq: p_gq = 2/x - 2 + x ---- */
#define PGQ(c) (2.0 * X(c, -1) - 2.0 * X(c, 0) + X(c, 1))
    double complex gq;
    {
        br l1 = {0, 0, 0, 1, 0, 0};
        br bff = {0, 0, 0, -3.0, -1.0, 0};
        double complex cff2 = -2.5 * X(one, 0) - 3.5 * X(one, 1) + 2.0 * X(lx, 0)
                              + 3.5 * X(lx, 1) - X(l2, 0) + 0.5 * X(l2, 1) - 2.0 * X(l1, 1)
                              + PGQ(bff);
        br bfa = {0.5 - z2, 0, 0.5, 11.0 / 3.0, 1.0, -2.0};
        double complex cfa2 = 28.0 / 9.0 * X(one, 0) + 65.0 / 18.0 * X(one, 1)
                              + 44.0 / 9.0 * X(one, 2) - 12.0 * X(lx, 0) - 5.0 * X(lx, 1)
                              - 8.0 / 3.0 * X(lx, 2) + 4.0 * X(l2, 0) + X(l2, 1)
                              + 2.0 * X(l1, 1) - (2.0 * B[0].s2 + 2.0 * B[1].s2 + B[2].s2)
                              + PGQ(bfa);
        br bfn = {-20.0 / 9.0, 0, 0, -4.0 / 3.0, 0, 0};
        double complex cfn2 = -4.0 / 3.0 * X(one, 1) + PGQ(bfn);
        gq = 4.0 * (CF * CF * cff2 + CF * CA * cfa2 + CF * tf * cfn2);
    }
    /* ---- gg: p_gg = 1/(1-x) + 1/x - 2 + x - x^2 ---- */
#define PGG(c, sft) ((sft) + X(c, -1) - 2.0 * X(c, 0) + X(c, 1) - X(c, 2))
    double complex gg;
    {
        double complex cft = -16.0 * X(one, 0) + 8.0 * X(one, 1) + 20.0 / 3.0 * X(one, 2)
                             + 4.0 / 3.0 * X(one, -1) - 6.0 * X(lx, 0) - 10.0 * X(lx, 1)
                             - 2.0 * X(l2, 0) - 2.0 * X(l2, 1);
        br bat = {-20.0 / 9.0, 0, 0, 0, 0, 0};
        double complex cat = 2.0 * X(one, 0) - 2.0 * X(one, 1)
                             + 26.0 / 9.0 * (X(one, 2) - X(one, -1))
                             - 4.0 / 3.0 * (X(lx, 0) + X(lx, 1)) + PGG(bat, -20.0 / 9.0 * D0);
        br baa = {67.0 / 9.0 - 2.0 * z2, 0, 1.0, 0, 0, -4.0};
        double complex caa = 13.5 * (X(one, 0) - X(one, 1)) + 67.0 / 9.0 * (X(one, 2) - X(one, -1))
                             - 25.0 / 3.0 * X(lx, 0) + 11.0 / 3.0 * X(lx, 1)
                             - 44.0 / 3.0 * X(lx, 2) + 4.0 * (X(l2, 0) + X(l2, 1))
                             + 2.0 * (F1px - B[0].s2 - 2.0 * B[1].s2 - B[2].s2 - B[3].s2)
                             + PGG(baa, (67.0 / 9.0 - 2.0 * z2) * D0 + Dl2x - 4.0 * Dlxl1);
        const double dgg = CA * CA * (8.0 / 3.0 + 3.0 * z3) - CF * tf - 4.0 / 3.0 * CA * tf;
        gg = 4.0 * (CF * tf * cft + CA * tf * cat + CA * CA * caa + dgg);
    }
    ps[0] = qq;
    ps[1] = qg;
    ps[2] = gq;
    ps[3] = gg;
}
