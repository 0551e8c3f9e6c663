/* partonflow: NNLO (a_s^2) coefficient functions of F2 and FL (photon exchange; gamma-Z and Z
 * with other couplings, sf_ew.c) and of xF3 (non-singlet "minus") in N space
 * (MSbar, zero-mass, mu_F = Q), in the parametrised x-space forms of
 *   W.L. van Neerven, A. Vogt, Nucl. Phys. B568 (2000) 263 [hep-ph/9907472] (non-singlet),
 *   W.L. van Neerven, A. Vogt, Nucl. Phys. B588 (2000) 345 [hep-ph/0006154] (singlet)
 * (fits to the exact results of Zijlstra and van Neerven, Phys. Lett. B272 (1991) 127,
 * B273 (1991) 476, Nucl. Phys. B383 (1992) 525; accuracy a few 1e-3 of the functions, better
 * for the convolutions), Mellin-transformed term by term with the blocks of
 * pf_mellin_terms (anomalous.h).  Convention (Vogt): F_a/x = C_ns (x) q_ns + <e^2>
 * [(C_ns + C_ps) (x) Sigma + C_g (x) g] with C_ps, C_g proportional to nf; here per flavour
 * (dis.h): c2ps = C_ps/nf multiplies (sum_q e_q^2) Sigma, c2g = C_g/nf multiplies
 * (sum_q e_q^2) g, and C_ns multiplies e_q^2 (q + qbar) of each flavour.  The non-singlet
 * functions are those of the e.m. "+" combination (C2NN2A/B/C, CLNN2A/C of the authors'
 * code), with their adjusted delta(1-x) constants; the gluon of F2 carries the local term
 * -0.28 per flavour fixed from the lowest moments.  For W exchange the other crossing parity
 * of each non-singlet function (odd-moment F2 and FL, even-moment xF3) is given below. */
#include <complex.h>

#include "partonflow/anomalous.h"
#include "partonflow/dis.h"

#define T(k, s, c) {PF_MB_##k, s, c}
#define NT(t) ((int)(sizeof t / sizeof t[0]))

/* c_2,ns^(2): regular (C2NN2A), soft (C2NS2B) and local (C2NN2C) parts */
static const pf_mterm c2ns_0[] = {
    T(C, 0, -69.59), T(C, 1, -1008.0), T(D3, 0, -2.835), T(D2, 0, -17.08), T(D1, 0, 5.986),
    T(B3, 0, -17.19), T(B2, 0, 71.08), T(B1, 0, -660.7), T(H12, 0, -174.8), T(E2, 0, 95.09),
    T(SOFT3, 0, 14.2222), T(SOFT2, 0, -61.3333), T(SOFT1, 0, -31.105), T(A0, 0, 188.64),
    T(DLT, 0, -338.531 + 0.485)};
static const pf_mterm c2ns_1[] = {
    T(C, 0, -5.691), T(C, 1, -37.91), T(D2, 0, 2.244), T(D1, 0, 5.770), T(B2, 0, -1.707),
    T(B1, 0, 22.95), T(E2, 0, 3.036), T(E1, 0, 17.97), T(SOFT2, 0, 1.77778),
    T(SOFT1, 0, -8.5926), T(A0, 0, 6.3489), T(DLT, 0, 46.844 - 0.0035)};
/* pure singlet per flavour: 5.290 (1/x - 1) + 4.310 L0^3 - 2.086 L0^2 + 39.78 L0
 * - 0.101 (1-x) L1^3 - (24.75 - 13.80 x) L0^2 L1 + 30.23 L0 L1 */
static const pf_mterm c2ps[] = {
    T(C, -1, 5.290), T(C, 0, -5.290), T(D3, 0, 4.310), T(D2, 0, -2.086), T(D1, 0, 39.78),
    T(B3, 0, -0.101), T(B3, 1, 0.101), T(E2, 0, -24.75), T(E2, 1, 13.80), T(E1, 0, 30.23)};
/* gluon per flavour: (11.90 + 1494 L1)/x + 5.319 L0^3 - 59.48 L0^2 - 284.8 L0 + 392.4
 * - 1483 L1 + (6.445 + 209.4 (1-x)) L1^3 - 24.00 L1^2 - 724.1 L0^2 L1 - 871.8 L0 L1^2,
 * and -0.28 delta(1-x) */
static const pf_mterm c2g[] = {
    T(C, -1, 11.90), T(B1, -1, 1494.0), T(D3, 0, 5.319), T(D2, 0, -59.48), T(D1, 0, -284.8),
    T(C, 0, 392.4), T(B1, 0, -1483.0), T(B3, 0, 6.445 + 209.4), T(B3, 1, -209.4),
    T(B2, 0, -24.00), T(E2, 0, -724.1), T(H12, 0, -871.8), T(DLT, 0, -0.28)};
/* c_L,ns^(2) (CLNN2A + CLNN2C) */
static const pf_mterm clns_0[] = {
    T(C, 0, -40.41), T(C, 1, 97.48), T(D2, 1, 26.56), T(D2, 0, -0.031), T(D1, 0, -14.85),
    T(B2, 0, 13.62), T(B1, 0, -55.79), T(E1, 0, -150.5), T(DLT, 0, -0.164)};
/* nf 16/27 (6 x L1 - 12 x L0 - 25 x + 6) */
static const pf_mterm clns_1[] = {
    T(B1, 1, 16.0 / 27.0 * 6.0), T(D1, 1, -16.0 / 27.0 * 12.0), T(C, 1, -16.0 / 27.0 * 25.0),
    T(C, 0, 16.0 / 27.0 * 6.0)};
/* pure singlet per flavour: (15.94 - 5.212 x)(1-x)^2 L1 + (0.421 + 1.520 x) L0^2
 * + 28.09 (1-x) L0 - (2.370/x - 19.27)(1-x)^3, powers multiplied out */
static const pf_mterm clps[] = {
    T(B1, 0, 15.94), T(B1, 1, -2.0 * 15.94 - 5.212), T(B1, 2, 15.94 + 2.0 * 5.212),
    T(B1, 3, -5.212), T(D2, 0, 0.421), T(D2, 1, 1.520), T(D1, 0, 28.09), T(D1, 1, -28.09),
    T(C, -1, -2.370), T(C, 0, 3.0 * 2.370 + 19.27), T(C, 1, -3.0 * 2.370 - 3.0 * 19.27),
    T(C, 2, 2.370 + 3.0 * 19.27), T(C, 3, -19.27)};
/* gluon per flavour: (94.74 - 49.20 x)(1-x) L1^2 + 864.8 (1-x) L1 + 1161 x L0 L1
 * + 60.06 x L0^2 + 39.66 (1-x) L0 - 5.333 (1/x - 1) */
static const pf_mterm clg[] = {
    T(B2, 0, 94.74), T(B2, 1, -94.74 - 49.20), T(B2, 2, 49.20), T(B1, 0, 864.8),
    T(B1, 1, -864.8), T(E1, 1, 1161.0), T(D2, 1, 60.06), T(D1, 0, 39.66), T(D1, 1, -39.66),
    T(C, -1, -5.333), T(C, 0, 5.333)};

/* c_3,ns^(2)- of xF3 (the odd-N, "minus" non-singlet: q - qbar; C3NM2A + C3NS2B + C3NM2C of
 * van Neerven-Vogt, hep-ph/9907472, fitted to Zijlstra-van Neerven, Phys. Lett. B297 (1992)
 * 377).  Regular part -206.1 - 576.8 x - 3.922 L0^3 - 33.31 L0^2 - 67.60 L0 - 15.20 L1^3
 * + 94.61 L1^2 - 409.6 L1 - 147.9 L0 L1^2; the soft part is F2's (the same for F2 and F3 at
 * this order); local -338.531 - 0.104 (the authors' adjustment from the lowest moments). */
static const pf_mterm c3ns_0[] = {
    T(C, 0, -206.1), T(C, 1, -576.8), T(D3, 0, -3.922), T(D2, 0, -33.31), T(D1, 0, -67.60),
    T(B3, 0, -15.20), T(B2, 0, 94.61), T(B1, 0, -409.6), T(H12, 0, -147.9),
    T(SOFT3, 0, 14.2222), T(SOFT2, 0, -61.3333), T(SOFT1, 0, -31.105), T(A0, 0, 188.64),
    T(DLT, 0, -338.531 - 0.104)};
/* nf part: -6.337 - 14.97 x + 2.207 L0^2 + 8.683 L0 + 0.042 L1^3 - 0.808 L1^2 + 25.00 L1
 * + 9.684 L0 L1, soft as F2's, local 46.844 + 0.013 */
static const pf_mterm c3ns_1[] = {
    T(C, 0, -6.337), T(C, 1, -14.97), T(D2, 0, 2.207), T(D1, 0, 8.683), T(B3, 0, 0.042),
    T(B2, 0, -0.808), T(B1, 0, 25.00), T(E1, 0, 9.684), T(SOFT2, 0, 1.77778),
    T(SOFT1, 0, -8.5926), T(A0, 0, 6.3489), T(DLT, 0, 46.844 + 0.013)};

/* Charged current (W exchange): the other crossing parity of each non-singlet function, in
 * the parametrised forms of the same paper (hep-ph/9907472; its Fortran files xc2ns2p.f,
 * xclns2p.f, xc3ns2p.f).  Only the nf^0 parts differ; the nf^1 parts and the soft parts are
 * those above.
 * c_2,ns^(2) of the odd moments (C2NC2A + C2NS2B + C2NC2C): regular -84.18 - 1010 x
 * - 3.748 L0^3 - 19.56 L0^2 - 1.235 L0 - 17.19 L1^3 + 71.08 L1^2 - 663.0 L1 - 192.4 L0 L1^2
 * + 80.41 L0^2 L1; local -338.531 + 0.537 */
static const pf_mterm c2ns_0_odd[] = {
    T(C, 0, -84.18), T(C, 1, -1010.0), T(D3, 0, -3.748), T(D2, 0, -19.56), T(D1, 0, -1.235),
    T(B3, 0, -17.19), T(B2, 0, 71.08), T(B1, 0, -663.0), T(H12, 0, -192.4), T(E2, 0, 80.41),
    T(SOFT3, 0, 14.2222), T(SOFT2, 0, -61.3333), T(SOFT1, 0, -31.105), T(A0, 0, 188.64),
    T(DLT, 0, -338.531 + 0.537)};
/* c_L,ns^(2) of the odd moments (CLNC2A + CLNC2C): -52.27 + 100.8 x + (23.29 x - 0.043) L0^2
 * - 22.21 L0 + 13.30 L1^2 - 59.12 L1 - 141.7 L0 L1; local -0.150 */
static const pf_mterm clns_0_odd[] = {
    T(C, 0, -52.27), T(C, 1, 100.8), T(D2, 1, 23.29), T(D2, 0, -0.043), T(D1, 0, -22.21),
    T(B2, 0, 13.30), T(B1, 0, -59.12), T(E1, 0, -141.7), T(DLT, 0, -0.150)};
/* c_3,ns^(2) of the even moments, F3(nu) - F3(nubar) (C3NP2A + C3NS2B + C3NP2C): -242.9
 * - 467.2 x - 3.049 L0^3 - 30.14 L0^2 - 79.14 L0 - 15.20 L1^3 + 94.61 L1^2 - 396.1 L1
 * - 92.43 L0 L1^2; local -338.531 - 0.152 */
static const pf_mterm c3ns_0_even[] = {
    T(C, 0, -242.9), T(C, 1, -467.2), T(D3, 0, -3.049), T(D2, 0, -30.14), T(D1, 0, -79.14),
    T(B3, 0, -15.20), T(B2, 0, 94.61), T(B1, 0, -396.1), T(H12, 0, -92.43),
    T(SOFT3, 0, 14.2222), T(SOFT2, 0, -61.3333), T(SOFT1, 0, -31.105), T(A0, 0, 188.64),
    T(DLT, 0, -338.531 - 0.152)};

void pf_dis_coef_cc_nnlo(double complex N, double complex d[PF_DIS_NCC2])
{
    d[PF_DIS2_C2NS0_ODD] = pf_mellin_terms(N, c2ns_0_odd, NT(c2ns_0_odd));
    d[PF_DIS2_CLNS0_ODD] = pf_mellin_terms(N, clns_0_odd, NT(clns_0_odd));
    d[PF_DIS2_C3NS0_EVEN] = pf_mellin_terms(N, c3ns_0_even, NT(c3ns_0_even));
}

void pf_dis_coef_c3_nnlo(double complex N, double complex c[2])
{
    c[0] = pf_mellin_terms(N, c3ns_0, NT(c3ns_0));
    c[1] = pf_mellin_terms(N, c3ns_1, NT(c3ns_1));
}

void pf_dis_coef_nnlo(double complex N, double complex c[PF_DIS_NCOEF2])
{
    c[PF_DIS2_C2NS0] = pf_mellin_terms(N, c2ns_0, NT(c2ns_0));
    c[PF_DIS2_C2NS1] = pf_mellin_terms(N, c2ns_1, NT(c2ns_1));
    c[PF_DIS2_C2PS] = pf_mellin_terms(N, c2ps, NT(c2ps));
    c[PF_DIS2_C2G] = pf_mellin_terms(N, c2g, NT(c2g));
    c[PF_DIS2_CLNS0] = pf_mellin_terms(N, clns_0, NT(clns_0));
    c[PF_DIS2_CLNS1] = pf_mellin_terms(N, clns_1, NT(clns_1));
    c[PF_DIS2_CLPS] = pf_mellin_terms(N, clps, NT(clps));
    c[PF_DIS2_CLG] = pf_mellin_terms(N, clg, NT(clg));
}
