/* partonflow: electroweak NC and CC structure functions on the exact path, built as
 * flavour-weighted operators on the evolution operator (each output flavour's q and qbar
 * separately, so that q + qbar and q - qbar combinations of any couplings share one form).
 * Conventions and formulas: dis_ew.h and docs/physics-ew.md. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/dis.h"
#include "partonflow/dis_ew.h"
#include "partonflow/evol.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/pdf.h"

#include "dis_group.h"

#define PF_PI 3.14159265358979323846
#define QUARK(q) (PF_GLUON + (q))
#define ANTIQUARK(q) (PF_GLUON - (q))

/* charge e_q and third isospin component T3_q of q = 1..6 (d, u, s, c, b, t) */
static const double eq[7] = {0.0, -1.0 / 3.0, 2.0 / 3.0, -1.0 / 3.0, 2.0 / 3.0, -1.0 / 3.0, 2.0 / 3.0};
static const double t3[7] = {0.0, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5};

int pf_dis_ew_init(pf_dis_ew *ew, const pf_electroweak_card *card, int process, int charge,
                   double pol, pf_status *st)
{
    if (process != PF_PROCESS_EM && process != PF_PROCESS_NC && process != PF_PROCESS_CC)
        return pf_status_set(st, PF_EINVAL, "pf_dis_ew_init: process %d: expected EM, NC or CC", process);
    if (charge != -1 && charge != 1)
        return pf_status_set(st, PF_EINVAL, "pf_dis_ew_init: lepton charge %d: expected -1 or +1", charge);
    if (!(pol >= -1.0 && pol <= 1.0))
        return pf_status_set(st, PF_EINVAL, "pf_dis_ew_init: polarisation %g: expected P in [-1, 1]", pol);
    if (!(card->mz > 0.0 && card->mw > 0.0 && card->sin2w > 0.0 && card->sin2w < 1.0))
        return pf_status_set(st, PF_EINVAL,
                             "pf_dis_ew_init: electroweak mz = %g, mw = %g GeV, sin^2 theta_W = %g: "
                             "expected positive masses and 0 < sin^2 < 1",
                             card->mz, card->mw, card->sin2w);
    memset(ew, 0, sizeof *ew);
    ew->process = process;
    ew->charge = charge;
    ew->pol = pol;
    ew->mz = card->mz;
    ew->mw = card->mw;
    ew->sin2w = card->sin2w;
    memcpy(ew->ckm, card->ckm, sizeof ew->ckm);
    return PF_OK;
}

double pf_dis_ew_kappa_z(const pf_dis_ew *ew, double q2)
{
    /* arXiv:1506.06042 sec. 2: kappa_Z^-1 = 4 (mw^2/mz^2)(1 - mw^2/mz^2)(Q^2 + mz^2)/Q^2 on
     * shell, i.e. 4 sin^2 cos^2 (Q^2 + mz^2)/Q^2 */
    const double s2 = ew->sin2w;
    return q2 / (q2 + ew->mz * ew->mz) / (4.0 * s2 * (1.0 - s2));
}

void pf_dis_ew_weights(const pf_dis_ew *ew, double q2, int nf, pf_dis_weights *w)
{
    memset(w, 0, sizeof *w);
    if (nf > 6) nf = 6;
    const double s = ew->charge, P = ew->pol;
    if (ew->process == PF_PROCESS_CC) {
        /* d_j <-> u_i through W-: e-p sees u_i and dbar_j, e+p sees ubar_i and d_j
         * (arXiv:1506.06042 sec. 2, the LO W2, xW3); closed unless both flavours are active */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                const int u = 2 * i + 2, d = 2 * j + 1;
                if (u > nf || d > nf) continue;
                const double v2 = ew->ckm[i][j] * ew->ckm[i][j];
                const int qa = s < 0 ? QUARK(u) : ANTIQUARK(u);   /* up-type end */
                const int qb = s < 0 ? ANTIQUARK(d) : QUARK(d);   /* down-type end */
                w->q[qa] += v2;
                w->q[qb] += v2;
                w->g += v2;
                /* xW3: quark minus antiquark (e-: u_i - dbar_j; e+: d_j - ubar_i) */
                w->q3[s < 0 ? qa : qb] += v2;
                w->q3[s < 0 ? qb : qa] -= v2;
            }
        return;
    }
    double kz = 0.0, ve = 0.0, ae = 0.0, s2 = 0.0;
    if (ew->process == PF_PROCESS_NC) {
        kz = pf_dis_ew_kappa_z(ew, q2);
        s2 = ew->sin2w;
        ve = -0.5 + 2.0 * s2;
        ae = -0.5;
    }
    /* arXiv:1506.06042 sec. 2 with the polarised couplings of H1, arXiv:1206.7007 sec. 2; derived from the helicity amplitudes in docs/physics-ew.md; upper signs (s = +1) for e+ */
    const double cgz2 = -(ve + s * P * ae) * kz, cz2 = (ve * ve + ae * ae + 2.0 * s * P * ve * ae) * kz * kz;
    const double cgz3 = -(ae + s * P * ve) * kz, cz3 = (2.0 * ve * ae + s * P * (ve * ve + ae * ae)) * kz * kz;
    for (int q = 1; q <= nf; q++) {
        const double vq = t3[q] - 2.0 * eq[q] * s2, aq = t3[q];
        const double A = eq[q] * eq[q] + cgz2 * 2.0 * eq[q] * vq + cz2 * (vq * vq + aq * aq);
        const double B = cgz3 * 2.0 * eq[q] * aq + cz3 * 2.0 * vq * aq;
        w->q[QUARK(q)] = w->q[ANTIQUARK(q)] = A;
        w->g += A;
        w->q3[QUARK(q)] = B;
        w->q3[ANTIQUARK(q)] = -B;
    }
}

void pf_dis_ew_nc_piece_weights(const pf_dis_ew *ew, double q2, int nf, int piece, pf_dis_weights *w)
{
    memset(w, 0, sizeof *w);
    if (nf > 6) nf = 6;
    const double kz = pf_dis_ew_kappa_z(ew, q2), s2 = ew->sin2w;
    for (int q = 1; q <= nf; q++) {
        const double vq = t3[q] - 2.0 * eq[q] * s2, aq = t3[q];
        /* the three exchanges of A_q and B_q (dis_ew.h) without their lepton couplings */
        const double A = piece == PF_EW_GAMMA ? eq[q] * eq[q]
                         : piece == PF_EW_GAMMA_Z ? 2.0 * eq[q] * vq * kz
                                                  : (vq * vq + aq * aq) * kz * kz;
        const double B = piece == PF_EW_GAMMA ? 0.0 : piece == PF_EW_GAMMA_Z ? 2.0 * eq[q] * aq * kz : 2.0 * vq * aq * kz * kz;
        w->q[QUARK(q)] = w->q[ANTIQUARK(q)] = A;
        w->g += A;
        w->q3[QUARK(q)] = B;
        w->q3[ANTIQUARK(q)] = -B;
    }
}

void pf_dis_ew_nc_coefficients(const pf_dis_ew *ew, double c2[PF_EW_NPIECE], double c3[PF_EW_NPIECE])
{
    const double s = ew->charge, P = ew->pol, ve = -0.5 + 2.0 * ew->sin2w, ae = -0.5;
    c2[PF_EW_GAMMA] = 1.0;
    c2[PF_EW_GAMMA_Z] = -(ve + s * P * ae);
    c2[PF_EW_Z] = ve * ve + ae * ae + 2.0 * s * P * ve * ae;
    c3[PF_EW_GAMMA] = 0.0;
    c3[PF_EW_GAMMA_Z] = -(ae + s * P * ve);
    c3[PF_EW_Z] = 2.0 * ve * ae + s * P * (ve * ve + ae * ae);
}

/* Coefficient pieces at the nodes, NC1 per node (the first order, then c3q at
 * k = PF_DIS_NCOEF); at NNLO after them, c2 = c + nn*NC1, NC2 per node: the photon's
 * second-order pieces (pf_dis_coef_nnlo, PF_DIS_NCOEF2 of them), c3ns^(2) = [k] + nf [k+1]
 * at k = PF_DIS_NCOEF2, and at CC2 the W's pieces of the other crossing parity
 * (pf_dis_coef_cc_nnlo).  They depend on the nodes only (NULL at LO). */
#define NC1 (PF_DIS_NCOEF + 1)
#define NC2 (PF_DIS_NCOEF2 + 2 + PF_DIS_NCC2)
#define CC2 (PF_DIS_NCOEF2 + 2) /* the W's other-parity nf^0 pieces (pf_dis_coef_cc_nnlo) */
static double complex *nodes_coefficients(const pf_evol *ev, pf_status *st)
{
    const size_t nn = pf_evol_nnodes(ev);
    const double complex *N = pf_evol_nodes(ev);
    const int nnlo = pf_evol_order(ev) == PF_NNLO;
    double complex *c = malloc(nn * (NC1 + (nnlo ? NC2 : 0)) * sizeof *c);
    if (!c) {
        pf_status_set(st, PF_ENOMEM, "pf_dis_ew: out of memory (%zu nodes)", nn);
        return NULL;
    }
    for (size_t n = 0; n < nn; n++) {
        pf_dis_coef_nlo(N[n], c + n * NC1);
        c[n * NC1 + PF_DIS_NCOEF] = pf_dis_coef_c3q_nlo(N[n]);
    }
    if (nnlo)
        for (size_t n = 0; n < nn; n++) {
            double complex *c2 = c + nn * NC1 + n * NC2;
            if (pf_evol_nnlo_coef(ev) == PF_NNLO_COEF_PARAMETRISED) {
                pf_dis_coef_nnlo(N[n], c2);
                pf_dis_coef_c3_nnlo(N[n], c2 + PF_DIS_NCOEF2);
                pf_dis_coef_cc_nnlo(N[n], c2 + CC2);
            } else {
                pf_dis_coef_nnlo_exact(N[n], c2, c2 + PF_DIS_NCOEF2, c2 + CC2);
            }
        }
    return c;
}

/* LO, NLO and NNLO for every process (NNLO: photon, gamma-Z and Z with the "+" F2, FL and
 * "-" xF3 functions; W exchange with both parities, operator_from_weights). */
static int check_order(const pf_evol *ev, const char *who, pf_status *st)
{
    const int order = pf_evol_order(ev);
    if (order == PF_LO || order == PF_NLO || order == PF_NNLO) return PF_OK;
    return pf_status_set(st, PF_EINVAL, "%s: theory order %d: expected LO, NLO or NNLO", who, order);
}

/* K2, KL, K3 at one q2 from the parton weights w, the evolution operator E (layout of
 * pf_evol_operator) and the first-order pieces c1 (NULL at LO). */
static int operator_from_weights(const pf_evol *ev, const pf_dis_weights *w, int nf, double q2,
                                 const double complex *E, const double complex *c1,
                                 double complex *K2, double complex *KL, double complex *K3)
{
    const size_t nn = pf_evol_nnodes(ev);
    const double a_s = c1 ? pf_evol_alphas(ev, pf_evol_mur2(ev, q2)) / (4.0 * PF_PI) : 0.0;
    /* NNLO (docs/physics-ew.md): every non-singlet piece with its flavour's weight (w.q for
     * q + qbar, w.q3 for q - qbar), the pure-singlet and gluon pieces with the summed weight
     * w->g = sum_q A_q, as the photon's with sum_q e_q^2 (sf.c); a_s^2 [c^(2) + beta0 L c^(1)]
     * with L = ln(mu_R^2/Q^2) (a_s(Q) = a_s(mu_R) [1 + beta0 L a_s]) */
    const int nnlo = pf_evol_order(ev) == PF_NNLO && c1;
    const double complex *c2 = nnlo ? c1 + nn * NC1 : NULL;
    const double lr = nnlo ? (11.0 - 2.0 / 3.0 * nf) * log(pf_evol_mur2(ev, q2) / q2) : 0.0;
    /* The crossing parities (W exchange; docs/physics-ew.md): sum_k w_k q_k = sum_q [w+_q (q +
     * qbar) + w-_q (q - qbar)] with w+- = (w_q +- w_qbar)/2.  The functions above are the
     * even ones for F2, FL and the odd one for xF3; at a_s^2 the other parity differs, so
     * the q - qbar part of W2, WL takes c^(2)odd = c^(2)even - (c^(2)even - c^(2)odd) and the
     * q + qbar part of xW3 takes c3^(2)even.  NC weights are symmetric (w- = 0, and w3+ = 0
     * for xF3): nothing is added, the same bits as before. */
    double wm[7] = {0}, w3p[7] = {0};
    int parity = 0;
    for (int q = 1; q <= 6 && nnlo; q++) {
        wm[q] = 0.5 * (w->q[QUARK(q)] - w->q[ANTIQUARK(q)]);
        w3p[q] = 0.5 * (w->q3[QUARK(q)] + w->q3[ANTIQUARK(q)]);
        parity |= wm[q] != 0.0 || w3p[q] != 0.0;
    }
    for (size_t n = 0; n < nn; n++) {
        const double complex *En = E + n * PF_NOUT * PF_NIN;
        double complex c2q = 1.0, c2g = 0.0, clq = 0.0, clg = 0.0, c3q = 1.0, cps2 = 0.0, cpsl = 0.0;
        double complex d2 = 0.0, dl = 0.0, d3 = 0.0; /* a_s^2 (even - odd) of F2, FL, xF3 */
        if (c1) {
            const double complex *c = c1 + n * NC1;
            c2q += a_s * c[PF_DIS_C2Q];
            c2g = a_s * c[PF_DIS_C2G];
            clq = a_s * c[PF_DIS_CLQ];
            clg = a_s * c[PF_DIS_CLG];
            c3q += a_s * c[PF_DIS_NCOEF];
        }
        if (c2) {
            const double complex *d = c2 + n * NC2, *d1 = c1 + n * NC1;
            const double a2 = a_s * a_s;
            c2q += a2 * (d[PF_DIS2_C2NS0] + nf * d[PF_DIS2_C2NS1] + lr * d1[PF_DIS_C2Q]);
            c2g += a2 * (d[PF_DIS2_C2G] + lr * d1[PF_DIS_C2G]);
            clq += a2 * (d[PF_DIS2_CLNS0] + nf * d[PF_DIS2_CLNS1] + lr * d1[PF_DIS_CLQ]);
            clg += a2 * (d[PF_DIS2_CLG] + lr * d1[PF_DIS_CLG]);
            c3q += a2 * (d[PF_DIS_NCOEF2] + nf * d[PF_DIS_NCOEF2 + 1] + lr * d1[PF_DIS_NCOEF]);
            cps2 = a2 * w->g * d[PF_DIS2_C2PS];
            cpsl = a2 * w->g * d[PF_DIS2_CLPS];
            if (parity) {
                d2 = a2 * (d[PF_DIS2_C2NS0] - d[CC2 + PF_DIS2_C2NS0_ODD]);
                dl = a2 * (d[PF_DIS2_CLNS0] - d[CC2 + PF_DIS2_CLNS0_ODD]);
                d3 = a2 * (d[CC2 + PF_DIS2_C3NS0_EVEN] - d[PF_DIS_NCOEF2]);
            }
        }
        for (int j = 0; j < PF_NIN; j++) {
            double complex s2 = 0.0, s3 = 0.0;
            for (int k = 0; k < PF_NOUT; k++) {
                if (k == PF_GLUON) continue;
                const double complex e = En[k * PF_NIN + j];
                s2 += w->q[k] * e;
                s3 += w->q3[k] * e;
            }
            const double complex g = w->g * En[PF_GLUON * PF_NIN + j];
            if (c2) {
                /* Sigma: the nf active q + qbar (the photon's sum, sf.c) */
                double complex sig = 0.0;
                for (int q = 1; q <= nf; q++) sig += En[QUARK(q) * PF_NIN + j] + En[ANTIQUARK(q) * PF_NIN + j];
                if (K2) K2[n * PF_NIN + j] = c2q * s2 + c2g * g + cps2 * sig;
                if (KL) KL[n * PF_NIN + j] = clq * s2 + clg * g + cpsl * sig;
                if (K3) K3[n * PF_NIN + j] = c3q * s3;
                if (parity) {
                    double complex sm = 0.0, sp3 = 0.0;
                    for (int q = 1; q <= 6; q++) {
                        const double complex e_q = En[QUARK(q) * PF_NIN + j], e_qb = En[ANTIQUARK(q) * PF_NIN + j];
                        sm += wm[q] * (e_q - e_qb);
                        sp3 += w3p[q] * (e_q + e_qb);
                    }
                    if (K2) K2[n * PF_NIN + j] -= d2 * sm;
                    if (KL) KL[n * PF_NIN + j] -= dl * sm;
                    if (K3) K3[n * PF_NIN + j] += d3 * sp3;
                }
                continue;
            }
            if (K2) K2[n * PF_NIN + j] = c2q * s2 + c2g * g;
            if (KL) KL[n * PF_NIN + j] = clq * s2 + clg * g;
            if (K3) K3[n * PF_NIN + j] = c3q * s3;
        }
    }
    return PF_OK;
}

static int active_flavours(const pf_evol *ev, double q2, int *nf, pf_status *st)
{
    *nf = pf_evol_nf(ev, q2);
    if (*nf < 1 || *nf > 6)
        return pf_status_set(st, PF_EINTERNAL,
                             "pf_dis_ew_operator: the evolution reports %d active flavours at Q2 = "
                             "%g GeV^2, expected 1..6",
                             *nf, q2);
    return PF_OK;
}

static int operator_from_evolution(const pf_evol *ev, const pf_dis_ew *ew, double q2,
                                   const double complex *E, const double complex *c1,
                                   double complex *K2, double complex *KL, double complex *K3,
                                   pf_status *st)
{
    int nf;
    if (active_flavours(ev, q2, &nf, st)) return st ? st->code : PF_EINTERNAL;
    pf_dis_weights w;
    pf_dis_ew_weights(ew, q2, nf, &w);
    return operator_from_weights(ev, &w, nf, q2, E, c1, K2, KL, K3);
}

/* The evolution operator at q2 (*E, layout of pf_evol_operator) and, beyond LO, the
 * coefficient pieces at the nodes (*c1, else NULL); the caller frees both, also on error. */
static int evolution_at(const pf_evol *ev, double q2, const char *who, double complex **E, double complex **c1,
                        pf_status *st)
{
    const size_t nn = pf_evol_nnodes(ev);
    *c1 = NULL;
    if (!(*E = malloc(nn * PF_NOUT * PF_NIN * sizeof **E)))
        return pf_status_set(st, PF_ENOMEM, "%s: out of memory (%zu nodes)", who, nn);
    int rc = pf_evol_operator(ev, q2, *E, st);
    if (!rc && pf_evol_order(ev) != PF_LO && !(*c1 = nodes_coefficients(ev, st))) rc = st ? st->code : PF_ENOMEM;
    return rc;
}

int pf_dis_ew_operator(const pf_evol *ev, const pf_dis_ew *ew, double q2, double complex *K2,
                       double complex *KL, double complex *K3, pf_status *st)
{
    if (!(q2 > 0.0) || !isfinite(q2))
        return pf_status_set(st, PF_EINVAL, "pf_dis_ew_operator: q2 = %g: expected Q2 > 0 GeV^2", q2);
    if (check_order(ev, "pf_dis_ew_operator", st)) return st ? st->code : PF_EINVAL;
    double complex *E, *c1;
    int rc = evolution_at(ev, q2, "pf_dis_ew_operator", &E, &c1, st);
    if (!rc) rc = operator_from_evolution(ev, ew, q2, E, c1, K2, KL, K3, st);
    free(E);
    free(c1);
    return rc;
}

int pf_dis_ew_nc_pieces(const pf_evol *ev, const pf_dis_ew *ew, double q2, double complex *const K2[PF_EW_NPIECE],
                        double complex *const KL[PF_EW_NPIECE], double complex *const K3[PF_EW_NPIECE], pf_status *st)
{
    if (!(q2 > 0.0) || !isfinite(q2))
        return pf_status_set(st, PF_EINVAL, "pf_dis_ew_nc_pieces: q2 = %g: expected Q2 > 0 GeV^2", q2);
    if (ew->process != PF_PROCESS_NC)
        return pf_status_set(st, PF_EINVAL, "pf_dis_ew_nc_pieces: process %d: expected neutral current", ew->process);
    if (check_order(ev, "pf_dis_ew_nc_pieces", st)) return st ? st->code : PF_EINVAL;
    int nf;
    if (active_flavours(ev, q2, &nf, st)) return st ? st->code : PF_EINTERNAL;
    double complex *E, *c1;
    int rc = evolution_at(ev, q2, "pf_dis_ew_nc_pieces", &E, &c1, st);
    for (int p = 0; p < PF_EW_NPIECE && !rc; p++) {
        pf_dis_weights w;
        pf_dis_ew_nc_piece_weights(ew, q2, nf, p, &w);
        rc = operator_from_weights(ev, &w, nf, q2, E, c1, K2 ? K2[p] : NULL, KL ? KL[p] : NULL, K3 ? K3[p] : NULL);
    }
    free(E);
    free(c1);
    return rc;
}

int pf_dis_ew_sf_exact(const pf_evol *ev, const pf_pdf *pdf, const pf_dis_ew *ew, size_t n,
                       const double *x, const double *q2, double *F2, double *FL, double *xF3,
                       pf_status *st)
{
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0.0 && x[i] < 1.0))
            return pf_status_set(st, PF_EDOMAIN, "pf_dis_ew_sf_exact: x[%zu] = %g: expected 0 < x < 1", i, x[i]);
        if (!(q2[i] > 0.0) || !isfinite(q2[i]))
            return pf_status_set(st, PF_EDOMAIN, "pf_dis_ew_sf_exact: q2[%zu] = %g: expected Q2 > 0 GeV^2", i,
                                 q2[i]);
    }
    if (check_order(ev, "pf_dis_ew_sf_exact", st)) return st ? st->code : PF_EINVAL;
    if (n == 0) return PF_OK;
    const size_t nn = pf_evol_nnodes(ev);
    const double complex *nodes = pf_evol_nodes(ev);
    int rc = PF_OK;
    double complex *c1 = NULL;
    double complex *M = malloc(nn * PF_NIN * sizeof *M);
    q2_index *ord = malloc(n * sizeof *ord);
    size_t *gstart = malloc((n + 1) * sizeof *gstart);
    if (!M || !ord || !gstart) {
        rc = pf_status_set(st, PF_ENOMEM, "pf_dis_ew_sf_exact: out of memory (%zu points)", n);
        goto done;
    }
    rc = pf_pdf_check_contour(pdf, pf_pdf_contour_intercept(nodes, nn), st);
    if (!rc) rc = pf_pdf_moments(pdf, nn, nodes, M, NULL, st);
    if (rc) {
        pf_status_prefix(st, "pf_dis_ew_sf_exact: ");
        goto done;
    }
    if (pf_evol_order(ev) != PF_LO && !(c1 = nodes_coefficients(ev, st))) {
        rc = st ? st->code : PF_ENOMEM;
        goto done;
    }
    const size_t ng = pf_dis_group_q2(n, q2, ord, gstart);

    size_t fail_group = SIZE_MAX;
    pf_status fail_st = {0};
#ifdef _OPENMP
#pragma omp parallel
#endif
    {
        double complex *E = malloc(nn * PF_NOUT * PF_NIN * sizeof *E);
        double complex *K = malloc(3 * nn * PF_NIN * sizeof *K);
        double complex *A = malloc(3 * nn * sizeof *A);
        double complex *kern = malloc(nn * sizeof *kern);
        const int ok = E && K && A && kern;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t g = 0; g < ng; g++) {
            pf_status lst = {0};
            const double qq = ord[gstart[g]].q2;
            int lrc = ok ? PF_OK : pf_status_set(&lst, PF_ENOMEM, "pf_dis_ew_sf_exact: out of memory");
            if (!lrc) lrc = pf_evol_operator(ev, qq, E, &lst);
            if (!lrc)
                lrc = operator_from_evolution(ev, ew, qq, E, c1, K, K + nn * PF_NIN, K + 2 * nn * PF_NIN, &lst);
            if (lrc) {
#ifdef _OPENMP
#pragma omp critical(pf_dis_ew_fail)
#endif
                if (g < fail_group) {
                    fail_group = g;
                    fail_st = lst;
                }
                continue;
            }
            for (int o = 0; o < 3; o++)
                for (size_t m = 0; m < nn; m++) {
                    double complex s = 0.0;
                    for (int j = 0; j < PF_NIN; j++) s += K[(o * nn + m) * PF_NIN + j] * M[m * PF_NIN + j];
                    A[o * nn + m] = s;
                }
            for (size_t k = gstart[g]; k < gstart[g + 1]; k++) {
                const size_t i = ord[k].i;
                pf_evol_mellin_kernel(ev, x[i], kern);
                double v[3] = {0.0, 0.0, 0.0};
                for (int o = 0; o < 3; o++)
                    for (size_t m = 0; m < nn; m++) v[o] += cimag(kern[m] * A[o * nn + m]);
                if (F2) F2[i] = v[0];
                if (FL) FL[i] = v[1];
                if (xF3) xF3[i] = v[2];
            }
        }
        free(E);
        free(K);
        free(A);
        free(kern);
    }
    if (fail_group != SIZE_MAX) {
        if (st) *st = fail_st;
        rc = fail_st.code ? fail_st.code : PF_EINTERNAL;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if ((F2 && !isfinite(F2[i])) || (FL && !isfinite(FL[i])) || (xF3 && !isfinite(xF3[i]))) {
            rc = pf_status_set(st, PF_EINTERNAL,
                               "pf_dis_ew_sf_exact: a structure function is not finite at point %zu (x = %g, "
                               "Q2 = %g GeV^2): the PDF moments or the evolution operator on the contour "
                               "are not finite",
                               i, x[i], q2[i]);
            break;
        }
done:
    free(c1);
    free(M);
    free(ord);
    free(gstart);
    return rc;
}

double pf_dis_ew_sigma_r(const pf_dis_ew *ew, double y, double F2, double FL, double xF3)
{
    const double yp = 1.0 + (1.0 - y) * (1.0 - y), ym = 1.0 - (1.0 - y) * (1.0 - y);
    const double s = ew->charge;
    switch (ew->process) {
    case PF_PROCESS_CC: /* arXiv:1506.06042 sec. 2 */
        return 0.5 * (yp * F2 - s * ym * xF3 - y * y * FL);
    case PF_PROCESS_NC: /* arXiv:1506.06042 sec. 2 */
        return F2 - s * ym / yp * xF3 - y * y / yp * FL;
    default:
        return F2 - y * y / yp * FL;
    }
}

double pf_dis_ew_born(const pf_dis_ew *ew, double x, double q2, double s, double alpha,
                      double sigma_r)
{
    const double y = q2 / (x * s);
    if (ew->process == PF_PROCESS_CC) {
        const double prop = ew->mw * ew->mw / (ew->mw * ew->mw + q2);
        return (1.0 + ew->charge * ew->pol) * PF_EW_GF * PF_EW_GF / (2.0 * PF_PI * x) * prop * prop *
               sigma_r * PF_KIN_HBARC2_PB;
    }
    const double yp = 1.0 + (1.0 - y) * (1.0 - y);
    return 2.0 * PF_PI * alpha * alpha * yp / (x * q2 * q2) * sigma_r * PF_KIN_HBARC2_PB;
}
