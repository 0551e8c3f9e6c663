/* Mellin-space DGLAP evolution: node data, segment solutions, operators (evol.h). */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evol_internal.h"
#include "partonflow/anomalous.h"

#define PF_PI 3.14159265358979323846

/* Contour: N = c + t e^{i phi} for 0 <= t <= T_BENT, then N = c + T_BENT e^{i phi} + i s for
 * 0 <= s <= S_UP (Gauss-Legendre on each segment).  Short segments near t = 0 resolve the
 * small-x oscillation x^(-i t sin phi); the bent part gives the x^(t cos phi) damping; the
 * vertical tail keeps Re N >= c - T_BENT/sqrt2 = -66 (where the log-Gamma of the pdf module
 * is accurate; it overflows below Re N ~ -80) while the moments' algebraic fall-off
 * |N|^-(b+1) brings x = 0.9 to 1e-8. */
static const double seg_t[] = {0.0, 0.6, 1.5, 3.0, 6.0, 12.0, 24.0, 42.0, 60.0};
static const double seg_s[] = {0.0, 40.0, 120.0, 300.0, 800.0};
#define NSEG_T ((int)(sizeof seg_t / sizeof seg_t[0]) - 1)
#define NSEG_S ((int)(sizeof seg_s / sizeof seg_s[0]) - 1)
#define NSEG (NSEG_T + NSEG_S)
#define THR_TOL 1e-9

/* Gauss-Legendre nodes and weights on [-1, 1] by Newton iteration on P_n (GSL's glfixed
 * loses accuracy for sizes it does not tabulate, e.g. 42 points: 3e-8 relative). */
static void gauleg(int n, double *xs, double *ws)
{
    for (int i = 0; i < (n + 1) / 2; i++) {
        double z = cos(PF_PI * (i + 0.75) / (n + 0.5)), pp = 1.0;
        for (int it = 0; it < 100; it++) {
            double p1 = 1.0, p2 = 0.0;
            for (int j = 1; j <= n; j++) {
                double p3 = p2;
                p2 = p1;
                p1 = ((2.0 * j - 1.0) * z * p2 - (j - 1.0) * p3) / j;
            }
            pp = n * (z * p1 - p2) / (z * z - 1.0);
            double dz = p1 / pp;
            z -= dz;
            if (fabs(dz) < 1e-16) break;
        }
        double p1 = 1.0, p2 = 0.0;
        for (int j = 1; j <= n; j++) {
            double p3 = p2;
            p2 = p1;
            p1 = ((2.0 * j - 1.0) * z * p2 - (j - 1.0) * p3) / j;
        }
        pp = n * (z * p1 - p2) / (z * z - 1.0);
        xs[i] = -z;
        xs[n - 1 - i] = z;
        ws[i] = ws[n - 1 - i] = 2.0 / ((1.0 - z * z) * pp * pp);
    }
}

static void m2mul(const double complex *a, const double complex *b, double complex *c)
{
    double complex r0 = a[0] * b[0] + a[1] * b[2], r1 = a[0] * b[1] + a[1] * b[3];
    double complex r2 = a[2] * b[0] + a[3] * b[2], r3 = a[2] * b[1] + a[3] * b[3];
    c[0] = r0;
    c[1] = r1;
    c[2] = r2;
    c[3] = r3;
}

static void state_init(double complex st[PF_EVOL_NST][PF_NIN]);
static void state_out(double complex st[PF_EVOL_NST][PF_NIN], double complex *E);

/* per node and nf: everything the segment solution needs */
static void node_prepare(const pf_evol *ev, double complex N, int nf, int nfa, nodedata *d)
{
    double complex p0ns, p0[4], p1p = 0, p1m = 0, p1[4] = {0, 0, 0, 0};
    pf_anom_lo(N, nf, &p0ns, p0);
    /* the coupling runs with its own nf (equal to the PDFs' except between a PDF and an
     * alpha_s threshold when mu_R != mu_F) */
    const double b0 = pf_alphas_beta0(nfa);
    const double b1 = pf_alphas_beta1(nfa) / b0;
    const int nnlo = ev->th.order == PF_NNLO;
    const int nlo = ev->th.order == PF_NLO || nnlo;
    double complex p2p = 0, p2m = 0, p2v = 0, p2[4] = {0, 0, 0, 0};
    d->ans = 0.0;
    for (int e = 0; e < 4; e++) d->ome[e] = 0.0;
    if (nlo) {
        pf_anom_nlo(N, nf, &p1p, &p1m, p1);
        const double lr = b0 * log(ev->th.xi_r * ev->th.xi_r);
        if (nnlo) {
            /* mu_R != mu_F at NNLO: a_s(mu_F) = a + b0 L a^2 + (b1 L + b0^2 L^2) a^3 with
             * a = a_s(mu_R), L = ln(mu_R^2/mu_F^2), so
             * P2 -> P2 + 2 b0 L P1 + (b1 L + b0^2 L^2) P0 (from the unshifted P1) */
            const int cons = ev->th.nnlo == PF_NNLO_PARAM_CONSERVING;
            if (ev->th.nnlo == PF_NNLO_EXACT)
                pf_anom_nnlo_exact(N, nf, &p2p, &p2m, &p2v, p2);
            else
                pf_anom_nnlo_param(N, nf, cons, &p2p, &p2m, &p2v, p2);
            /* the exact OMEs with the exact splitting functions and the conserving form */
            pf_anom_nnlo_ome(N, cons || ev->th.nnlo == PF_NNLO_EXACT, &d->ans, d->ome);
            const double L = log(ev->th.xi_r * ev->th.xi_r);
            const double c0 = pf_alphas_beta1(nfa) * L + b0 * b0 * L * L;
            p2p += 2.0 * lr * p1p + c0 * p0ns;
            p2v += 2.0 * lr * p1m + c0 * p0ns;
            p2m += 2.0 * lr * p1m + c0 * p0ns;
            for (int e = 0; e < 4; e++) p2[e] += 2.0 * lr * p1[e] + c0 * p0[e];
        }
        /* mu_R != mu_F: a_s(mu_F) = a_s(mu_R) + beta0 a_s^2 ln(mu_R^2/mu_F^2) + ... */
        p1p += lr * p0ns;
        p1m += lr * p0ns;
        for (int e = 0; e < 4; e++) p1[e] += lr * p0[e];
    }
    d->A = -p0ns / b0;
    /* non-singlet: exact closed form exp(A ln(a/a0) + B ln((1+b1 a)/(1+b1 a0))) with
     * B = -(P1 - b1 P0)/(beta0 b1); truncated: exp(A ln(a/a0)) (1 + (a - a0) R1) */
    d->R1p = nlo ? -(p1p - b1 * p0ns) / b0 : 0.0;
    d->R1m = nlo ? -(p1m - b1 * p0ns) / b0 : 0.0;
    d->Bp = d->R1p / b1;
    d->Bm = d->R1m / b1;
    /* NNLO non-singlet: ln E = -(1/b0) int (P0 + P1 a + P2 a^2)/(a (1 + c1 a + c2 a^2)) da
     * = A ln(a/a0) + R1 I0 + K2 I1 with K2 = -(P2 - c2 P0)/b0 and I0, I1 the integrals of
     * 1/(1 + c1 a + c2 a^2) and a/(...) (seg_apply) */
    const double c2 = pf_alphas_beta2(nfa) / b0;
    d->R1v = d->R1m;
    d->K2p = nnlo ? -(p2p - c2 * p0ns) / b0 : 0.0;
    d->K2m = nnlo ? -(p2m - c2 * p0ns) / b0 : 0.0;
    d->K2v = nnlo ? -(p2v - c2 * p0ns) / b0 : 0.0;
    /* singlet: R0 = -P0/beta0 = r+ e+ + r- e-; R_k = (-b1)^(k-1) R1 (exact NLO); at NNLO
     * R_k = -(P0 d_k + P1 d_(k-1) + P2 d_(k-2))/b0 with sum_k d_k a^k = 1/(1 + c1 a + c2 a^2) */
    double complex R0[4], R1[4];
    for (int e = 0; e < 4; e++) {
        R0[e] = -p0[e] / b0;
        R1[e] = nlo ? -(p1[e] - b1 * p0[e]) / b0 : 0.0;
    }
    double complex tr = R0[0] + R0[3];
    double complex disc = csqrt((R0[0] - R0[3]) * (R0[0] - R0[3]) + 4.0 * R0[1] * R0[2]);
    d->rp = 0.5 * (tr + disc);
    d->rm = 0.5 * (tr - disc);
    for (int e = 0; e < 4; e++) {
        double complex id = (e == 0 || e == 3) ? 1.0 : 0.0;
        d->ep[e] = (R0[e] - d->rm * id) / (d->rp - d->rm);
        d->em[e] = (R0[e] - d->rp * id) / (d->rm - d->rp);
    }
    /* U_k: k U_k - [R0, U_k] = sum_{i=1..k} R_i U_{k-i}, solved in the eigenbasis:
     * e_i U_k e_j = e_i Rt_k e_j / (k + r_j - r_i)   (Pegasus eq. 2.17-2.20 analogue) */
    memset(d->U, 0, sizeof d->U);
    if (!nlo) return;
    const int kmax = ev->th.evolution == PF_EVOL_TRUNCATED ? 1 : PF_EVOL_UK;
    double complex Rn[PF_EVOL_UK + 1][4];
    if (nnlo) {
        double dk[PF_EVOL_UK + 1];
        dk[0] = 1.0;
        dk[1] = -b1;
        for (int k = 2; k <= PF_EVOL_UK; k++) dk[k] = -b1 * dk[k - 1] - c2 * dk[k - 2];
        for (int k = 1; k <= PF_EVOL_UK; k++)
            for (int e = 0; e < 4; e++)
                Rn[k][e] = -(p0[e] * dk[k] + p1[e] * dk[k - 1] + (k >= 2 ? p2[e] * dk[k - 2] : 0.0)) / b0;
    }
    for (int k = 1; k <= kmax; k++) {
        double complex Rt[4] = {0, 0, 0, 0}, tmp[4];
        double ci = 1.0;
        for (int i = 1; i <= k; i++) {
            const double complex *Ri = nnlo ? Rn[i] : R1;
            if (k - i == 0) {
                for (int e = 0; e < 4; e++) tmp[e] = Ri[e];
            } else {
                m2mul(Ri, d->U[k - i - 1], tmp);
            }
            if (nnlo) {
                for (int e = 0; e < 4; e++) Rt[e] += tmp[e];
            } else {
                for (int e = 0; e < 4; e++) Rt[e] += ci * tmp[e];
                ci *= -b1;
            }
        }
        double complex a[4], Uk[4] = {0, 0, 0, 0};
        const double complex *E[2] = {d->ep, d->em};
        const double complex r[2] = {d->rp, d->rm};
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                m2mul(E[i], Rt, tmp);
                m2mul(tmp, E[j], a);
                double complex den = k + r[j] - r[i];
                for (int e = 0; e < 4; e++) Uk[e] += a[e] / den;
            }
        memcpy(d->U[k - 1], Uk, sizeof Uk);
    }
}

/* NNLO: I0 = int_a0^a1 da/(1 + c1 a + c2 a^2), I1 = int_a0^a1 a da/(...) by 20-point
 * Gauss-Legendre (the poles lie at |a| > 0.1, the interval within (0, 0.05): exact to
 * rounding; test exact_nnlo_solution_matches_numerical_ode) */
static void nnlo_integrals(int nfa, double a0, double a1, double *i0, double *i1)
{
    static const double xg[10] = {0.0765265211334973, 0.2277858511416451, 0.3737060887154195,
                                  0.5108670019508271, 0.6360536807265150, 0.7463319064601508,
                                  0.8391169718222188, 0.9122344282513259, 0.9639719272779138,
                                  0.9931285991850949};
    static const double wg[10] = {0.1527533871307258, 0.1491729864726037, 0.1420961093183820,
                                  0.1316886384491766, 0.1181945319615184, 0.1019301198172404,
                                  0.0832767415767048, 0.0626720483341091, 0.0406014298003869,
                                  0.0176140071391521};
    const double b0 = pf_alphas_beta0(nfa);
    const double c1 = pf_alphas_beta1(nfa) / b0, c2 = pf_alphas_beta2(nfa) / b0;
    const double m = 0.5 * (a1 + a0), h = 0.5 * (a1 - a0);
    double s0 = 0.0, s1 = 0.0;
    for (int i = 0; i < 10; i++)
        for (int sg = -1; sg <= 1; sg += 2) {
            const double a = m + sg * h * xg[i];
            const double f = wg[i] / (1.0 + c1 * a + c2 * a * a);
            s0 += f;
            s1 += f * a;
        }
    *i0 = s0 * h;
    *i1 = s1 * h;
}

/* NNLO matching of the PDFs at a heavy-quark threshold (nf -> nf + 1), a = a_s^(nf+1) at
 * mu_R = xi_r m_h (hep-ph/9612398; as QCD-Pegasus' EVNFTHR): light q_i^+- times
 * (1 + a^2 A_ns), h^+ += a^2 (A_Hq Sigma + A_Hg g), g += a^2 (A_gq Sigma + A_gg g) */
static void match_apply(const nodedata *d, int nf_old, double a, double complex *st, int ncols)
{
    const double a2 = a * a;
    const double complex fns = 1.0 + a2 * d->ans;
    for (int j = 0; j < ncols; j++) {
        double complex sig = 0.0;
        for (int i = 0; i < nf_old; i++) sig += st[i * ncols + j];
        const double complex g = st[12 * ncols + j];
        for (int i = 0; i < nf_old; i++) {
            st[i * ncols + j] *= fns;
            st[(6 + i) * ncols + j] *= fns;
        }
        st[nf_old * ncols + j] += a2 * (d->ome[0] * sig + d->ome[1] * g);
        st[12 * ncols + j] = g + a2 * (d->ome[2] * sig + d->ome[3] * g);
    }
}

/* U(a) = 1 + sum a^k U_k (exact) or 1 + a U_1 (truncated) */
static void u_of_a(const pf_evol *ev, const nodedata *d, double a, double complex *U)
{
    const int kmax = ev->th.evolution == PF_EVOL_TRUNCATED ? 1 : PF_EVOL_UK;
    double complex s[4] = {0, 0, 0, 0};
    for (int k = kmax; k >= 1; k--)
        for (int e = 0; e < 4; e++) s[e] = a * (s[e] + d->U[k - 1][e]);
    U[0] = 1.0 + s[0];
    U[1] = s[1];
    U[2] = s[2];
    U[3] = 1.0 + s[3];
}

static void u_inverse(const pf_evol *ev, const nodedata *d, double a0, double complex *inv)
{
    double complex U0[4];
    u_of_a(ev, d, a0, U0);
    double complex det = U0[0] * U0[3] - U0[1] * U0[2];
    inv[0] = U0[3] / det;
    inv[1] = -U0[1] / det;
    inv[2] = -U0[2] / det;
    inv[3] = U0[0] / det;
}

/* evolves the state st[13][NIN] (q_i^+ i=0..5, q_i^- 6..11, g 12) over one segment with
 * nf flavours from a0 to a1 (couplings at mu_R) */
/* st: the 13 state components (rows) of ncols columns, st[c * ncols + j] */
static void seg_apply(const pf_evol *ev, const nodedata *d, int nf, int nfa, double a0,
                      double a1, const double complex *uinv0, double complex *st, int ncols)
{
    const double l = log(a1 / a0);
    const int nnlo = ev->th.order == PF_NNLO;
    const int nlo = ev->th.order == PF_NLO || nnlo;
    const int trunc = ev->th.evolution == PF_EVOL_TRUNCATED;
    const double b1 = pf_alphas_beta1(nfa) / pf_alphas_beta0(nfa);
    double complex Ep, Em, Ev = 0.0;
    if (nnlo) {
        double i0, i1;
        nnlo_integrals(nfa, a0, a1, &i0, &i1);
        Ep = cexp(d->A * l + d->R1p * i0 + d->K2p * i1);
        Em = cexp(d->A * l + d->R1m * i0 + d->K2m * i1);
        Ev = cexp(d->A * l + d->R1v * i0 + d->K2v * i1);
    } else if (!nlo) {
        Ep = Em = cexp(d->A * l);
    } else if (trunc) {
        double complex e0 = cexp(d->A * l);
        Ep = e0 * (1.0 + (a1 - a0) * d->R1p);
        Em = e0 * (1.0 + (a1 - a0) * d->R1m);
    } else {
        const double l2 = log((1.0 + b1 * a1) / (1.0 + b1 * a0));
        Ep = cexp(d->A * l + d->Bp * l2);
        Em = cexp(d->A * l + d->Bm * l2);
    }
    /* singlet: E_S = U(a1) (a1/a0)^R0 U(a0)^-1 (exact); truncated keeps O(a) of U */
    double complex ES[4], E0[4];
    const double complex xp = cexp(d->rp * l), xm = cexp(d->rm * l);
    for (int e = 0; e < 4; e++) E0[e] = xp * d->ep[e] + xm * d->em[e];
    if (!nlo) {
        memcpy(ES, E0, sizeof ES);
    } else if (trunc) {
        double complex t1[4], t2[4];
        m2mul(d->U[0], E0, t1);
        m2mul(E0, d->U[0], t2);
        for (int e = 0; e < 4; e++) ES[e] = E0[e] + a1 * t1[e] - a0 * t2[e];
    } else {
        double complex U1[4], inv[4], t1[4];
        u_of_a(ev, d, a1, U1);
        if (uinv0) memcpy(inv, uinv0, sizeof inv);
        else u_inverse(ev, d, a0, inv);
        m2mul(U1, E0, t1);
        m2mul(t1, inv, ES);
    }
    const double inf = 1.0 / nf;
    for (int j = 0; j < ncols; j++) {
        double complex sig = 0.0;
        for (int i = 0; i < nf; i++) sig += st[i * ncols + j];
        const double complex g = st[12 * ncols + j];
        const double complex sig1 = ES[0] * sig + ES[1] * g;
        const double complex g1 = ES[2] * sig + ES[3] * g;
        /* q_i^+ = Ep (q_i^+ - Sigma/nf) + Sigma'/nf = Ep q_i^+ + c */
        const double complex c = (sig1 - Ep * sig) * inf;
        if (nnlo) {
            /* q_i^- = Em (q_i^- - V/nf) + Ev V/nf, V = sum_i q_i^- (valence, P^V = P^- + P^s) */
            double complex v = 0.0;
            for (int i = 0; i < nf; i++) v += st[(6 + i) * ncols + j];
            const double complex cv = (Ev - Em) * v * inf;
            for (int i = 0; i < nf; i++) st[(6 + i) * ncols + j] = Em * st[(6 + i) * ncols + j] + cv;
        } else {
            for (int i = 0; i < nf; i++) st[(6 + i) * ncols + j] *= Em;
        }
        for (int i = 0; i < nf; i++) st[i * ncols + j] = Ep * st[i * ncols + j] + c;
        st[12 * ncols + j] = g1;
    }
}

/* initial state: columns = input flavours */
static void state_init(double complex st[PF_EVOL_NST][PF_NIN])
{
    memset(st, 0, sizeof(double complex) * PF_EVOL_NST * PF_NIN);
    /* u+ = uv + 2 ubar, u- = uv; d likewise; s, c, b: q+- = q +- qbar */
    st[1][PF_IN_UV] = 1.0;
    st[1][PF_IN_UBAR] = 2.0;
    st[7][PF_IN_UV] = 1.0;
    st[0][PF_IN_DV] = 1.0;
    st[0][PF_IN_DBAR] = 2.0;
    st[6][PF_IN_DV] = 1.0;
    const int qi[3] = {2, 3, 4};
    const int in_q[3] = {PF_IN_S, PF_IN_C, PF_IN_B}, in_qb[3] = {PF_IN_SBAR, PF_IN_CBAR, PF_IN_BBAR};
    for (int h = 0; h < 3; h++) {
        st[qi[h]][in_q[h]] = 1.0;
        st[qi[h]][in_qb[h]] = 1.0;
        st[6 + qi[h]][in_q[h]] = 1.0;
        st[6 + qi[h]][in_qb[h]] = -1.0;
    }
    st[12][PF_IN_G] = 1.0;
}

/* state -> E[(k)*NIN + j] in output flavours (LHAPDF order) */
static void state_out(double complex st[PF_EVOL_NST][PF_NIN], double complex *E)
{
    for (int j = 0; j < PF_NIN; j++) {
        for (int i = 0; i < 6; i++) {
            E[(7 + i) * PF_NIN + j] = 0.5 * (st[i][j] + st[6 + i][j]);
            E[(5 - i) * PF_NIN + j] = 0.5 * (st[i][j] - st[6 + i][j]);
        }
        E[PF_GLUON * PF_NIN + j] = st[12][j];
    }
}

/* the chain of segments mu0^2 -> q2: boundaries b[0..nseg] in mu_F^2; segment g is
 * piece g of ev (pieces: between consecutive breakpoints above mu0) */
int pf_evol_segments(const pf_evol *ev, double q2, double *b)
{
    int ns = 0;
    b[0] = ev->mu02;
    while (ns < ev->nbrk && q2 >= ev->brk[ns] * (1.0 - THR_TOL)) {
        b[ns + 1] = ev->brk[ns];
        ns++;
    }
    b[ns + 1] = q2;
    return ns + 1;
}

/* a_s(mu_R = xi_r mu_F) with the coupling flavours of piece k (at its ends, where the
 * coupling may jump, the value that belongs to the piece) */
static double a_piece(const pf_evol *ev, int k, double muf2)
{
    return pf_alphas_at_nf(ev->as, ev->th.xi_r * ev->th.xi_r * muf2,
                           ev->pair_nfa[ev->piece_pair[k]]) / (4.0 * PF_PI);
}

/* PDF flavour number at mu_F^2 (a scale on a threshold counts as above it) */
static int pdf_nf(const pf_evol *ev, double muf2)
{
    if (ev->th.scheme == PF_FFNS) return ev->th.nf;
    const double m[3] = {ev->th.mc, ev->th.mb, ev->th.mt};
    int nf = 3;
    for (int h = 0; h < 3; h++)
        if (muf2 >= m[h] * m[h] * (1.0 - THR_TOL)) nf = 4 + h;
    return nf;
}

/* breakpoints above mu0: PDF thresholds m_h^2 and coupling thresholds / xi_r^2 */
static void make_pieces(pf_evol *ev)
{
    ev->nbrk = 0;
    if (ev->th.scheme == PF_VFNS) {
        const double m[3] = {ev->th.mc, ev->th.mb, ev->th.mt};
        double c[6];
        int nc = 0;
        for (int h = 0; h < 3; h++) {
            c[nc++] = m[h] * m[h];
            c[nc++] = pf_alphas_threshold(ev->as, h) / (ev->th.xi_r * ev->th.xi_r);
        }
        for (int i = 0; i < nc; i++)
            for (int j = i + 1; j < nc; j++)
                if (c[j] < c[i]) {
                    double t = c[i];
                    c[i] = c[j];
                    c[j] = t;
                }
        for (int i = 0; i < nc; i++) {
            if (c[i] <= ev->mu02 * (1.0 + THR_TOL)) continue;
            if (ev->nbrk && c[i] <= ev->brk[ev->nbrk - 1] * (1.0 + THR_TOL)) continue;
            ev->brk[ev->nbrk++] = c[i];
        }
    }
    ev->npairs = 0;
    for (int k = 0; k <= ev->nbrk; k++) {
        double lo = k ? ev->brk[k - 1] : ev->mu02;
        double mid = k < ev->nbrk ? sqrt(lo * ev->brk[k]) : 2.0 * lo;
        int nfp = pdf_nf(ev, mid);
        int nfa = pf_alphas_nf(ev->as, ev->th.xi_r * ev->th.xi_r * mid);
        int id = -1;
        for (int q = 0; q < ev->npairs; q++)
            if (ev->pair_nf[q] == nfp && ev->pair_nfa[q] == nfa) id = q;
        if (id < 0) {
            id = ev->npairs++;
            ev->pair_nf[id] = nfp;
            ev->pair_nfa[id] = nfa;
        }
        ev->piece_pair[k] = id;
    }
}

int pf_evol_nodeset_build(const pf_evol *ev, size_t n, const double complex *N, nodeset *ns,
                          pf_status *st)
{
    memset(ns, 0, sizeof *ns);
    ns->n = n;
    ns->d = malloc(sizeof(nodedata) * n * (size_t)ev->npairs);
    if (!ns->d && n) return pf_status_set(st, PF_ENOMEM, "evolution: out of memory for %zu nodes", n);
    /* nodes are independent: threads only share out the work */
#pragma omp parallel for schedule(dynamic, 4) if (n >= 32)
    for (size_t i = 0; i < n; i++)
        for (int q = 0; q < ev->npairs; q++)
            node_prepare(ev, N[i], ev->pair_nf[q], ev->pair_nfa[q], &ns->d[(size_t)q * n + i]);
    /* U(a)^-1 at the start of every piece (the exact singlet solution needs it per q2) */
    ns->uinv = malloc(sizeof(double complex) * 4 * n * (size_t)(ev->nbrk + 1));
    if (!ns->uinv && n) return pf_status_set(st, PF_ENOMEM, "evolution: out of memory");
    for (int k = 0; k <= ev->nbrk; k++)
        for (size_t i = 0; i < n; i++)
            u_inverse(ev, &ns->d[(size_t)ev->piece_pair[k] * n + i], ev->a_start[k],
                      ns->uinv + ((size_t)k * n + i) * 4);
    return PF_OK;
}

void pf_evol_nodeset_free(nodeset *ns)
{
    free(ns->d);
    free(ns->cum);
    free(ns->uinv);
    memset(ns, 0, sizeof *ns);
}

static void piece_apply(const pf_evol *ev, const nodeset *ns, size_t i, int k, double alo,
                        double ahi, double complex *s, int ncols)
{
    const int q = ev->piece_pair[k];
    /* NNLO: the PDFs jump where a piece starts with one more flavour (a heavy-quark
     * threshold), with the matched coupling of the piece at its start */
    if (ev->th.order == PF_NNLO && k > 0) {
        const int qp = ev->piece_pair[k - 1];
        if (ev->pair_nf[q] == ev->pair_nf[qp] + 1)
            match_apply(&ns->d[(size_t)q * ns->n + i], ev->pair_nf[qp], ev->a_start[k], s, ncols);
    } else if (k == 0 && ev->match0) {
        /* the input belongs to the flavours lighter than mu0 (a mass at mu0 counting as
         * below it, as for alpha_s): the threshold at mu0 is crossed at the start */
        match_apply(&ns->d[(size_t)q * ns->n + i], ev->pair_nf[q] - 1, ev->a_start[0], s, ncols);
    }
    seg_apply(ev, &ns->d[(size_t)q * ns->n + i], ev->pair_nf[q], ev->pair_nfa[q], alo, ahi,
              ns->uinv ? ns->uinv + ((size_t)k * ns->n + i) * 4 : NULL, s, ncols);
}

/* evolved moment vectors at node i: vin[v*PF_NIN + j] -> vout[v*PF_NOUT + k], v < nvec;
 * scratch: 13 * nvec values */
void pf_evol_node_vectors(const pf_evol *ev, const nodeset *ns, size_t i, const evplan *p,
                          int nvec, const double complex *vin, double complex *vout,
                          double complex *scratch)
{
    const int nseg = p->nseg;
    int first = 0;
    double complex T[PF_EVOL_NST][PF_NIN];
    const double complex *S;
    if (ns->cum && nseg > 1) {
        first = nseg - 1;
        S = ns->cum + ((size_t)(nseg - 2) * ns->n + i) * PF_EVOL_NST * PF_NIN;
    } else {
        state_init(T);
        S = &T[0][0];
    }
    for (int c = 0; c < PF_EVOL_NST; c++)
        for (int v = 0; v < nvec; v++) {
            double complex acc = 0.0;
            for (int j = 0; j < PF_NIN; j++) acc += S[c * PF_NIN + j] * vin[v * PF_NIN + j];
            scratch[c * nvec + v] = acc;
        }
    for (int g = first; g < nseg; g++) piece_apply(ev, ns, i, g, p->a0[g], p->a1[g], scratch, nvec);
    for (int v = 0; v < nvec; v++) {
        for (int q = 0; q < 6; q++) {
            const double complex plus = scratch[q * nvec + v], minus = scratch[(6 + q) * nvec + v];
            vout[v * PF_NOUT + 7 + q] = 0.5 * (plus + minus);
            vout[v * PF_NOUT + 5 - q] = 0.5 * (plus - minus);
        }
        vout[v * PF_NOUT + PF_GLUON] = scratch[12 * nvec + v];
    }
}

/* the segments to q2 and their couplings: once per q2, shared by all nodes */
void pf_evol_plan(const pf_evol *ev, double q2, evplan *p)
{
    p->nseg = pf_evol_segments(ev, q2, p->b);
    const int last = p->nseg - 1;
    for (int g = 0; g < last; g++) {
        p->a0[g] = ev->a_start[g];
        p->a1[g] = ev->a_end[g];
    }
    p->a0[last] = ev->a_start[last];
    p->a1[last] = a_piece(ev, last, q2);
}

/* operator at node i of ns, starting from the cumulative state at the last breakpoint
 * below q2 when the nodeset has them */
static void node_state(const pf_evol *ev, const nodeset *ns, size_t i, const evplan *p,
                       double complex s[PF_EVOL_NST][PF_NIN]);

void pf_evol_node_operator(const pf_evol *ev, const nodeset *ns, size_t i, const evplan *p,
                           double complex *E)
{
    double complex s[PF_EVOL_NST][PF_NIN];
    node_state(ev, ns, i, p, s);
    state_out(s, E);
}

static void node_state(const pf_evol *ev, const nodeset *ns, size_t i, const evplan *p,
                       double complex s[PF_EVOL_NST][PF_NIN])
{
    const int nseg = p->nseg;
    int first = 0;
    if (ns->cum && nseg > 1) {
        first = nseg - 1;
        memcpy(s, ns->cum + ((size_t)(nseg - 2) * ns->n + i) * PF_EVOL_NST * PF_NIN, sizeof(double complex) * PF_EVOL_NST * PF_NIN);
    } else {
        state_init(s);
    }
    for (int g = first; g < nseg; g++) piece_apply(ev, ns, i, g, p->a0[g], p->a1[g], &s[0][0], PF_NIN);
}

/* cumulative states at each breakpoint above mu0 */
int pf_evol_nodeset_cumulate(const pf_evol *ev, nodeset *ns, pf_status *st)
{
    if (!ev->nbrk) return PF_OK;
    const size_t sz = PF_EVOL_NST * PF_NIN;
    ns->cum = malloc(sizeof(double complex) * sz * ns->n * (size_t)ev->nbrk);
    if (!ns->cum) return pf_status_set(st, PF_ENOMEM, "evolution: out of memory");
#pragma omp parallel for schedule(static) if (ns->n >= 32)
    for (size_t i = 0; i < ns->n; i++) {
        double complex s[PF_EVOL_NST][PF_NIN];
        state_init(s);
        for (int t = 0; t < ev->nbrk; t++) {
            piece_apply(ev, ns, i, t, ev->a_start[t], ev->a_end[t], &s[0][0], PF_NIN);
            memcpy(ns->cum + ((size_t)t * ns->n + i) * sz, s, sizeof s);
        }
    }
    return PF_OK;
}

pf_evol *pf_evol_create(const pf_theory_card *th, pf_status *st)
{
    if (th->order != PF_LO && th->order != PF_NLO && th->order != PF_NNLO)
        return pf_status_set(st, PF_EINVAL, "evolution: theory.order must be LO, NLO or NNLO"), NULL;
    if (th->order == PF_NNLO && th->nnlo != PF_NNLO_EXACT && th->nnlo != PF_NNLO_PARAMETRISED
        && th->nnlo != PF_NNLO_PARAM_CONSERVING)
        return pf_status_set(st, PF_EINVAL,
                             "evolution: theory.nnlo must be exact, parametrised or parametrised-conserving"), NULL;
    if (th->order == PF_NNLO && th->evolution == PF_EVOL_TRUNCATED)
        return pf_status_set(st, PF_EINVAL,
                             "evolution: theory.evolution: truncated is only built at LO and NLO; "
                             "NNLO uses the exact (iterated) solution"), NULL;
    if (th->scheme == PF_FFNS && (th->nf < 3 || th->nf > 6))
        return pf_status_set(st, PF_EINVAL, "evolution: theory.nf must be 3..6 in the FFNS, got %d",
                             th->nf), NULL;
    if (!(th->mu0 > 0.0) || !(th->xi_r > 0.0))
        return pf_status_set(st, PF_EINVAL, "evolution: need theory.mu0 > 0 and theory.xi_r > 0"),
               NULL;
    if (th->scheme == PF_VFNS && !(th->mc > 0.0 && th->mc < th->mb && th->mb < th->mt))
        return pf_status_set(st, PF_EINVAL,
                             "evolution: need 0 < charm < bottom < top masses, got %g, %g, %g",
                             th->mc, th->mb, th->mt), NULL;
    if (th->mellin_nodes < 0 || th->mellin_nodes > 100000)
        return pf_status_set(st, PF_EINVAL, "evolution: theory.mellin_nodes must be 0..100000, got %d",
                             th->mellin_nodes), NULL;
    pf_evol *ev = calloc(1, sizeof *ev);
    if (!ev) return pf_status_set(st, PF_ENOMEM, "evolution: out of memory"), NULL;
    ev->th = *th;
    ev->mu02 = th->mu0 * th->mu0;
    ev->as = pf_alphas_create(th, st);
    if (!ev->as) {
        free(ev);
        return NULL;
    }
    ev->nf0 = pdf_nf(ev, ev->mu02);
    if (th->order == PF_NNLO && th->scheme == PF_VFNS) {
        const double m[3] = {th->mc, th->mb, th->mt};
        for (int h = 0; h < 3; h++)
            if (fabs(ev->mu02 - m[h] * m[h]) <= THR_TOL * m[h] * m[h]) ev->match0 = 1;
    }
    make_pieces(ev);
    for (int t = 0; t <= ev->nbrk; t++) {
        ev->a_start[t] = a_piece(ev, t, t ? ev->brk[t - 1] : ev->mu02);
        if (t < ev->nbrk) ev->a_end[t] = a_piece(ev, t, ev->brk[t]);
    }
    const double a0 = ev->a_start[0];
    ev->a_mu0 = a0;
    if (!isfinite(a0) || a0 <= 0.0 || a0 > 0.3) {
        pf_status_set(st, PF_EINVAL,
                      "evolution: alpha_s at mu_R = xi_r mu0 is %g (beyond the Landau pole or "
                      "non-perturbative); check theory.alphas and theory.mu0", 4.0 * PF_PI * a0);
        pf_evol_destroy(ev);
        return NULL;
    }
    /* contour */
    int per = th->mellin_nodes > 0 ? (th->mellin_nodes + NSEG - 1) / NSEG
                                   : PF_EVOL_DEFAULT_NODES / NSEG;
    if (per < 2) per = 2;
    ev->nn = (size_t)per * NSEG;
    ev->c = 1.9;
    ev->phi = 0.75 * PF_PI;
    ev->N = malloc(sizeof(double complex) * ev->nn);
    ev->w = malloc(sizeof(double complex) * ev->nn);
    double *gx = malloc(sizeof(double) * (size_t)per), *gw = malloc(sizeof(double) * (size_t)per);
    if (!ev->N || !ev->w || !gx || !gw) {
        free(gx);
        free(gw);
        pf_evol_destroy(ev);
        return pf_status_set(st, PF_ENOMEM, "evolution: out of memory"), NULL;
    }
    const double complex dir = cexp(I * ev->phi);
    const double complex corner = ev->c + seg_t[NSEG_T] * dir;
    gauleg(per, gx, gw);
    size_t k = 0;
    for (int s = 0; s < NSEG; s++)
        for (int i = 0; i < per; i++, k++) {
            const double *b = s < NSEG_T ? seg_t + s : seg_s + (s - NSEG_T);
            const double h = 0.5 * (b[1] - b[0]);
            const double t = b[0] + h * (1.0 + gx[i]), w = h * gw[i];
            /* x f = (1/pi) Im int x^(1-N) f(N) dN: weight w dN/dt / pi */
            if (s < NSEG_T) {
                ev->N[k] = ev->c + t * dir;
                ev->w[k] = w * dir / PF_PI;
            } else {
                ev->N[k] = corner + I * t;
                ev->w[k] = w * I / PF_PI;
            }
        }
    free(gx);
    free(gw);
    if (pf_evol_nodeset_build(ev, ev->nn, ev->N, &ev->ns, st)
        || pf_evol_nodeset_cumulate(ev, &ev->ns, st)) {
        pf_evol_destroy(ev);
        return NULL;
    }
    return ev;
}

void pf_evol_destroy(pf_evol *ev)
{
    if (!ev) return;
    pf_alphas_destroy(ev->as);
    pf_evol_nodeset_free(&ev->ns);
    free(ev->N);
    free(ev->w);
    free(ev);
}

int pf_evol_order(const pf_evol *ev) { return ev->th.order; }
int pf_evol_nnlo_coef(const pf_evol *ev) { return ev->th.nnlo_coef; }
size_t pf_evol_nnodes(const pf_evol *ev) { return ev->nn; }
const double complex *pf_evol_nodes(const pf_evol *ev) { return ev->N; }
double pf_evol_q2min(const pf_evol *ev) { return ev->mu02; }
double pf_evol_mur2(const pf_evol *ev, double muf2) { return ev->th.xi_r * ev->th.xi_r * muf2; }
double pf_evol_alphas(const pf_evol *ev, double mu2) { return pf_alphas_at(ev->as, mu2); }

int pf_evol_nf(const pf_evol *ev, double mu2)
{
    return pdf_nf(ev, mu2 < ev->mu02 ? ev->mu02 : mu2);
}

void pf_evol_mellin_kernel(const pf_evol *ev, double x, double complex *kern)
{
    const double lx = log(x);
    for (size_t n = 0; n < ev->nn; n++) kern[n] = ev->w[n] * cexp((1.0 - ev->N[n]) * lx);
}

int pf_evol_check_q2(const pf_evol *ev, double q2, pf_status *st)
{
    if (!(isfinite(q2) && q2 >= ev->mu02 * (1.0 - 1e-12)))
        return pf_status_set(st, PF_EDOMAIN,
                             "evolution: q2 = %g GeV^2 is below the input scale mu0^2 = %g GeV^2 "
                             "(the evolution runs upwards only)", q2, ev->mu02);
    if (!isfinite(pf_evol_alphas(ev, pf_evol_mur2(ev, q2))))
        return pf_status_set(st, PF_EDOMAIN, "evolution: alpha_s undefined at q2 = %g GeV^2", q2);
    return PF_OK;
}

int pf_evol_operator(const pf_evol *ev, double q2, double complex *E, pf_status *st)
{
    if (pf_evol_check_q2(ev, q2, st)) return st ? st->code : PF_EDOMAIN;
    evplan p;
    pf_evol_plan(ev, q2, &p);
    for (size_t i = 0; i < ev->nn; i++)
        pf_evol_node_operator(ev, &ev->ns, i, &p, E + i * PF_NOUT * PF_NIN);
    return PF_OK;
}

int pf_evol_operator_pm_at(const pf_evol *ev, double q2, size_t n, const double complex *N,
                           double complex *E, pf_status *st)
{
    if (pf_evol_check_q2(ev, q2, st)) return st ? st->code : PF_EDOMAIN;
    nodeset ns;
    if (pf_evol_nodeset_build(ev, n, N, &ns, st)) return st ? st->code : PF_ENOMEM;
    evplan p;
    pf_evol_plan(ev, q2, &p);
    for (size_t i = 0; i < n; i++)
        node_state(ev, &ns, i, &p, (double complex(*)[PF_NIN])(E + i * PF_EVOL_NST * PF_NIN));
    pf_evol_nodeset_free(&ns);
    return PF_OK;
}

int pf_evol_operator_at(const pf_evol *ev, double q2, size_t n, const double complex *N,
                        double complex *E, pf_status *st)
{
    if (pf_evol_check_q2(ev, q2, st)) return st ? st->code : PF_EDOMAIN;
    nodeset ns;
    if (pf_evol_nodeset_build(ev, n, N, &ns, st)) return st ? st->code : PF_ENOMEM;
    evplan p;
    pf_evol_plan(ev, q2, &p);
    for (size_t i = 0; i < n; i++) pf_evol_node_operator(ev, &ns, i, &p, E + i * PF_NOUT * PF_NIN);
    pf_evol_nodeset_free(&ns);
    return PF_OK;
}
