/* partonflow: structure functions F2, FL and the Born cross section on the exact path
 * (inverse Mellin at each point, no grid), built from the evolution operator and the
 * N-space coefficient functions (coef.c).  Conventions: dis.h and docs/physics-dis.md. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/dis.h"
#include "partonflow/evol.h"
#include "partonflow/pdf.h"
#include "partonflow/kernels/kinematics.h"

#include "dis_group.h"

#define PF_PI 3.14159265358979323846

/* Output-flavour index of quark q = 1..6 (d, u, s, c, b, t) and of its antiquark in the
 * LHAPDF order of enum pf_flav_out (tbar .. t, gluon in the middle). */
#define QUARK(q) (PF_GLUON + (q))
#define ANTIQUARK(q) (PF_GLUON - (q))

/* Coefficient pieces at the contour nodes: c1[n*PF_DIS_NCOEF + k] (first order), and at
 * NNLO after them c2 = c1 + nn*PF_DIS_NCOEF, c2[n*PF_DIS_NCOEF2 + k] (second order): they
 * depend on the nodes only, so a batch computes them once for all its Q2 values (NULL at
 * LO). */
static double complex *nodes_coefficients(const pf_evol *ev, pf_status *st)
{
    const int order = pf_evol_order(ev);
    if (order == PF_LO) return NULL;
    const size_t nn = pf_evol_nnodes(ev);
    const double complex *N = pf_evol_nodes(ev);
    const size_t per = PF_DIS_NCOEF + (order == PF_NNLO ? PF_DIS_NCOEF2 : 0);
    double complex *c1 = malloc(nn * per * sizeof *c1);
    if (!c1) {
        pf_status_set(st, PF_ENOMEM, "pf_dis: out of memory (%zu nodes)", nn);
        return NULL;
    }
    for (size_t n = 0; n < nn; n++) pf_dis_coef_nlo(N[n], c1 + n * PF_DIS_NCOEF);
    if (order == PF_NNLO)
        for (size_t n = 0; n < nn; n++) {
            double complex *c2 = c1 + nn * PF_DIS_NCOEF + n * PF_DIS_NCOEF2;
            if (pf_evol_nnlo_coef(ev) == PF_NNLO_COEF_PARAMETRISED)
                pf_dis_coef_nnlo(N[n], c2);
            else
                pf_dis_coef_nnlo_exact(N[n], c2, NULL, NULL);
        }
    return c1;
}

/* Builds K2, KL at one q2 from the evolution operator E (already computed at q2, layout
 * of pf_evol_operator) and the first-order pieces c1 (NULL at LO). */
static int operator_from_evolution(const pf_evol *ev, double q2, const double complex *E,
                                   const double complex *c1, double complex *K2,
                                   double complex *KL, pf_status *st)
{
    const size_t nn = pf_evol_nnodes(ev);
    const int nf = pf_evol_nf(ev, q2);
    if (nf < 1 || nf > 6)
        return pf_status_set(st, PF_EINTERNAL,
                             "pf_dis_sf_operator: the evolution reports %d active flavours at "
                             "Q2 = %g GeV^2, expected 1..6",
                             nf, q2);
    /* a_s at mu_R^2 = xi_r^2 Q^2; at NLO the coefficients carry no log(mu_R/Q) because the
     * O(a_s^2) terms where it would first appear are beyond the order. */
    const double a_s = c1 ? pf_evol_alphas(ev, pf_evol_mur2(ev, q2)) / (4.0 * PF_PI) : 0.0;
    double esum = 0.0;
    for (int q = 1; q <= nf; q++) esum += pf_dis_eq2[q];

    /* NNLO: a_s^2 [c^(2) + beta0 ln(xi_r^2) c^(1)] (a_s(Q) = a_s(mu_R) [1 + beta0 L a_s]);
     * the pure-singlet pieces multiply (sum_q e_q^2) Sigma */
    const int nnlo = pf_evol_order(ev) == PF_NNLO && c1;
    const double complex *c2 = nnlo ? c1 + nn * PF_DIS_NCOEF : NULL;
    const double lr = nnlo ? (11.0 - 2.0 / 3.0 * nf) * log(pf_evol_mur2(ev, q2) / q2) : 0.0;

    for (size_t n = 0; n < nn; n++) {
        const double complex *En = E + n * PF_NOUT * PF_NIN;
        double complex c[PF_DIS_NCOEF] = {1.0, 0.0, 0.0, 0.0}, cps2 = 0.0, cpsl = 0.0;
        if (c1)
            for (int k = 0; k < PF_DIS_NCOEF; k++) c[k] += a_s * c1[n * PF_DIS_NCOEF + k];
        if (c2) {
            const double complex *d = c2 + n * PF_DIS_NCOEF2, *d1 = c1 + n * PF_DIS_NCOEF;
            const double a2 = a_s * a_s;
            c[PF_DIS_C2Q] += a2 * (d[PF_DIS2_C2NS0] + nf * d[PF_DIS2_C2NS1] + lr * d1[PF_DIS_C2Q]);
            c[PF_DIS_C2G] += a2 * (d[PF_DIS2_C2G] + lr * d1[PF_DIS_C2G]);
            c[PF_DIS_CLQ] += a2 * (d[PF_DIS2_CLNS0] + nf * d[PF_DIS2_CLNS1] + lr * d1[PF_DIS_CLQ]);
            c[PF_DIS_CLG] += a2 * (d[PF_DIS2_CLG] + lr * d1[PF_DIS_CLG]);
            cps2 = a2 * esum * d[PF_DIS2_C2PS];
            cpsl = a2 * esum * d[PF_DIS2_CLPS];
        }
        for (int j = 0; j < PF_NIN; j++) {
            /* sum_q e_q^2 (q + qbar) and the gluon, per unit input moment j */
            double complex qs = 0.0;
            for (int q = 1; q <= nf; q++)
                qs += pf_dis_eq2[q] * (En[QUARK(q) * PF_NIN + j] + En[ANTIQUARK(q) * PF_NIN + j]);
            const double complex g = esum * En[PF_GLUON * PF_NIN + j];
            if (c2) {
                double complex sig = 0.0;
                for (int q = 1; q <= nf; q++) sig += En[QUARK(q) * PF_NIN + j] + En[ANTIQUARK(q) * PF_NIN + j];
                if (K2) K2[n * PF_NIN + j] = c[PF_DIS_C2Q] * qs + c[PF_DIS_C2G] * g + cps2 * sig;
                if (KL) KL[n * PF_NIN + j] = c[PF_DIS_CLQ] * qs + c[PF_DIS_CLG] * g + cpsl * sig;
                continue;
            }
            if (K2) K2[n * PF_NIN + j] = c[PF_DIS_C2Q] * qs + c[PF_DIS_C2G] * g;
            if (KL) KL[n * PF_NIN + j] = c[PF_DIS_CLQ] * qs + c[PF_DIS_CLG] * g;
        }
    }
    return PF_OK;
}

int pf_dis_sf_operator(const pf_evol *ev, double q2, double complex *K2, double complex *KL,
                       pf_status *st)
{
    if (!(q2 > 0.0) || !isfinite(q2))
        return pf_status_set(st, PF_EINVAL, "pf_dis_sf_operator: q2 = %g: expected Q2 > 0 GeV^2",
                             q2);
    const int order = pf_evol_order(ev);
    if (order != PF_LO && order != PF_NLO && order != PF_NNLO)
        return pf_status_set(st, PF_EINTERNAL, "pf_dis_sf_operator: evolution order %d", order);
    const size_t nn = pf_evol_nnodes(ev);
    double complex *E = malloc(nn * PF_NOUT * PF_NIN * sizeof *E);
    if (!E) return pf_status_set(st, PF_ENOMEM, "pf_dis_sf_operator: out of memory (%zu nodes)", nn);
    int rc = pf_evol_operator(ev, q2, E, st);
    double complex *c1 = NULL;
    if (!rc && order != PF_LO && !(c1 = nodes_coefficients(ev, st))) rc = st ? st->code : PF_ENOMEM;
    if (!rc) rc = operator_from_evolution(ev, q2, E, c1, K2, KL, st);
    free(E);
    free(c1);
    return rc;
}

/* sum_n Im[kern_n A_n] */
static double im_dot(size_t nn, const double complex *kern, const double complex *A)
{
    double s = 0.0;
    for (size_t n = 0; n < nn; n++)
        s += creal(kern[n]) * cimag(A[n]) + cimag(kern[n]) * creal(A[n]);
    return s;
}

int pf_dis_sf_exact(const pf_evol *ev, const pf_pdf *pdf, size_t n, const double *x,
                    const double *q2, double *F2, double *FL, double *dF2, double *dFL,
                    pf_status *st)
{
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0.0 && x[i] < 1.0))
            return pf_status_set(st, PF_EDOMAIN, "pf_dis_sf_exact: x[%zu] = %g: expected 0 < x < 1",
                                 i, x[i]);
        if (!(q2[i] > 0.0) || !isfinite(q2[i]))
            return pf_status_set(st, PF_EDOMAIN,
                                 "pf_dis_sf_exact: q2[%zu] = %g: expected Q2 > 0 GeV^2", i, q2[i]);
    }
    if (n == 0) return PF_OK;
    const size_t nn = pf_evol_nnodes(ev);
    const double complex *nodes = pf_evol_nodes(ev);
    const size_t np = (dF2 || dFL) ? pf_pdf_nparams(pdf) : 0;
    const size_t nr = 1 + np; /* value and one row per parameter */

    int rc = PF_OK;
    double complex *c1 = NULL;
    double complex *M = malloc(nn * PF_NIN * sizeof *M);
    double complex *dM = np ? malloc(np * nn * PF_NIN * sizeof *dM) : NULL;
    q2_index *ord = malloc(n * sizeof *ord);
    size_t *gstart = malloc((n + 1) * sizeof *gstart);
    if (!M || (np && !dM) || !ord || !gstart) {
        rc = pf_status_set(st, PF_ENOMEM, "pf_dis_sf_exact: out of memory (%zu points)", n);
        goto done;
    }
    rc = pf_pdf_check_contour(pdf, pf_pdf_contour_intercept(nodes, nn), st);
    if (!rc) rc = pf_pdf_moments(pdf, nn, nodes, M, dM, st);
    if (rc) {
        pf_status_prefix(st, "pf_dis_sf_exact: ");
        goto done;
    }
    if (pf_evol_order(ev) != PF_LO && !(c1 = nodes_coefficients(ev, st))) {
        rc = st ? st->code : PF_ENOMEM;
        goto done;
    }
    /* group the points by distinct q2, so that each operator is computed once */
    const size_t ng = pf_dis_group_q2(n, q2, ord, gstart);

    /* the first failing group (lowest q2) reports, whatever the thread count */
    size_t fail_group = SIZE_MAX;
    pf_status fail_st = {0};
#ifdef _OPENMP
#pragma omp parallel
#endif
    {
        double complex *E = malloc(nn * PF_NOUT * PF_NIN * sizeof *E);
        double complex *K = malloc(2 * nn * PF_NIN * sizeof *K);
        double complex *A = malloc(2 * nr * nn * sizeof *A); /* [obs][r][n] */
        double complex *kern = malloc(nn * sizeof *kern);
        const int ok = E && K && A && kern;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (size_t g = 0; g < ng; g++) {
            pf_status lst = {0};
            const double qq = ord[gstart[g]].q2;
            int lrc = ok ? PF_OK
                         : pf_status_set(&lst, PF_ENOMEM, "pf_dis_sf_exact: out of memory");
            if (!lrc) lrc = pf_evol_operator(ev, qq, E, &lst);
            if (!lrc) lrc = operator_from_evolution(ev, qq, E, c1, K, K + nn * PF_NIN, &lst);
            if (lrc) {
#ifdef _OPENMP
#pragma omp critical(pf_dis_sf_fail)
#endif
                if (g < fail_group) {
                    fail_group = g;
                    fail_st = lst;
                }
                continue;
            }
            /* A[obs][r][n] = sum_j K_obs[n][j] M_j(N_n) (r = 0) or dM_j/dtheta_{r-1} */
            for (int o = 0; o < 2; o++) {
                const double complex *Ko = K + o * nn * PF_NIN;
                for (size_t r = 0; r < nr; r++) {
                    const double complex *Mr = r ? dM + (r - 1) * nn * PF_NIN : M;
                    double complex *Ar = A + (o * nr + r) * nn;
                    for (size_t m = 0; m < nn; m++) {
                        double complex s = 0.0;
                        for (int j = 0; j < PF_NIN; j++)
                            s += Ko[m * PF_NIN + j] * Mr[m * PF_NIN + j];
                        Ar[m] = s;
                    }
                }
            }
            for (size_t k = gstart[g]; k < gstart[g + 1]; k++) {
                const size_t i = ord[k].i;
                pf_evol_mellin_kernel(ev, x[i], kern);
                if (F2) F2[i] = im_dot(nn, kern, A);
                if (FL) FL[i] = im_dot(nn, kern, A + nr * nn);
                for (size_t p = 0; p < np; p++) {
                    if (dF2) dF2[p * n + i] = im_dot(nn, kern, A + (1 + p) * nn);
                    if (dFL) dFL[p * n + i] = im_dot(nn, kern, A + (nr + 1 + p) * nn);
                }
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
    /* a non-finite moment or operator element must not pass silently as a NaN result */
    for (size_t i = 0; i < n; i++)
        if ((F2 && !isfinite(F2[i])) || (FL && !isfinite(FL[i]))) {
            rc = pf_status_set(st, PF_EINTERNAL,
                               "pf_dis_sf_exact: F2 or FL not finite at point %zu (x = %g, Q2 = "
                               "%g GeV^2): the PDF moments or the evolution operator on the "
                               "contour are not finite",
                               i, x[i], q2[i]);
            break;
        }
done:
    free(c1);
    free(M);
    free(dM);
    free(ord);
    free(gstart);
    return rc;
}

int pf_dis_xsec_exact(const pf_evol *ev, const pf_pdf *pdf, const pf_kinematics_card *kin,
                      size_t n, const double *x, const double *q2, double *out, double *grad,
                      pf_status *st)
{
    if (!(kin->e_electron > 0.0 && kin->e_proton > 0.0))
        return pf_status_set(st, PF_EINVAL,
                             "pf_dis_xsec_exact: beams: expected positive energies, got electron "
                             "%g GeV, proton %g GeV",
                             kin->e_electron, kin->e_proton);
    const double s = pf_kin_s(kin->e_electron, kin->e_proton);
    const double alpha = kin->alpha_em > 0.0 ? kin->alpha_em : PF_KIN_ALPHA_EM;
    const size_t np = grad ? pf_pdf_nparams(pdf) : 0;
    double *F2 = malloc(2 * n * sizeof *F2 + 1);
    double *dF = np ? malloc(2 * np * n * sizeof *dF) : NULL;
    if (!F2 || (np && !dF)) {
        free(F2);
        free(dF);
        return pf_status_set(st, PF_ENOMEM, "pf_dis_xsec_exact: out of memory (%zu points)", n);
    }
    double *FL = F2 + n;
    int rc = pf_dis_sf_exact(ev, pdf, n, x, q2, F2, FL, np ? dF : NULL, np ? dF + np * n : NULL,
                             st);
    if (!rc) {
        for (size_t i = 0; i < n; i++) {
            double f2, fl;
            pf_kin_xsec_factors(x[i], q2[i], s, alpha, &f2, &fl);
            out[i] = f2 * F2[i] + fl * FL[i];
            for (size_t p = 0; p < np; p++)
                grad[p * n + i] = f2 * dF[p * n + i] + fl * dF[np * n + p * n + i];
        }
    }
    free(F2);
    free(dF);
    return rc;
}
