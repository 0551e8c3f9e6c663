/* partonflow ops: building the theory operators from the evolution and DIS modules, and
 * evaluating the grid for a PDF (pf_pdf_moments at the stored nodes).
 *
 * Work split: Q^2 rows in contiguous ranges over MPI ranks, rows within a rank over OpenMP
 * threads; each row is computed by pf_dis_sf_operator alone, so every element is the same
 * whatever the split.  The rows are gathered on every rank with pf_par_sum_blocks, one
 * "block" per rank holding its rows and zeros elsewhere: adding exact zeros changes no
 * value (the one-rank path goes through the same call, so even the sign of zero agrees). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"
#include "partonflow/dis.h"
#include "partonflow/dis_ew.h"
#include "partonflow/evol.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"

pf_ops *pf_ops_build(const pf_card *card, pf_status *st)
{
    pf_interp_axis xa, qa;
    if (pf_ops_grid_axes(card, &xa, &qa, st)) return NULL;
    pf_evol *ev = pf_evol_create(&card->theory, st);
    if (!ev) return NULL;
    const size_t nn = pf_evol_nnodes(ev);
    pf_ops *o = pf_ops_alloc(&xa, &qa, nn, st);
    if (!o) {
        pf_evol_destroy(ev);
        return NULL;
    }
    pf_ops_set_card(o, card);
    if (pf_ops_ew_setup(o, st)) {
        pf_ops_destroy(o);
        pf_evol_destroy(ev);
        return NULL;
    }
    memcpy(o->nodes, pf_evol_nodes(ev), nn * sizeof *o->nodes);
    const size_t nx = o->nx, nq = o->nq2;

    /* inverse-Mellin factors c_n(x_i): every rank computes all (cheap, nx x nn) */
    int fail = 0;
#pragma omp parallel
    {
        double complex *kern = malloc(nn * sizeof *kern);
        if (!kern) fail = 1;
#pragma omp for schedule(static)
        for (long i = 0; i < (long)nx; i++) {
            if (!kern) continue;
            pf_evol_mellin_kernel(ev, exp(o->logx[i]), kern);
            for (size_t n = 0; n < nn; n++) {
                o->Cs[(size_t)i * 2 * nn + n] = creal(kern[n]);
                o->Cs[(size_t)i * 2 * nn + nn + n] = cimag(kern[n]);
            }
        }
        free(kern);
    }

    /* this rank's Q^2 rows */
    const int rank = pf_par_rank(), size = pf_par_size();
    const size_t q0 = nq * (size_t)rank / (size_t)size, q1 = nq * (size_t)(rank + 1) / (size_t)size;
    const size_t rowlen = nn * PF_NIN * 2;          /* doubles per row and observable */
    const size_t pdflen = nn * PF_NOUT * PF_NIN * 2; /* doubles per row of the PDF operator */
    /* blocks of nq rows: F2, FL (photon exchange), then for neutral current with Z the
     * gamma-Z and Z pieces of F2, FL and F3 (NEWB of them) */
#define NEWB (3 * (PF_EW_NPIECE - 1))
    const size_t nobsb = PF_NOBS + (o->ew == PF_OPS_EW_NC ? NEWB : o->ew == PF_OPS_EW_CC ? 1 : 0);
    const size_t len = nobsb * nq * rowlen + nq * pdflen;
    double *part = calloc(len, sizeof *part);
    long badrow = -1;
    pf_status rowst;
    pf_status_clear(&rowst);
    if (!part) fail = 1;
    if (!fail) {
#pragma omp parallel for schedule(dynamic, 1)
        for (long q = (long)q0; q < (long)q1; q++) {
            pf_status lst;
            pf_status_clear(&lst);
            double complex *K2 = (double complex *)(part + ((size_t)PF_OBS_F2 * nq + (size_t)q) * rowlen);
            double complex *KL = (double complex *)(part + ((size_t)PF_OBS_FL * nq + (size_t)q) * rowlen);
            double complex *E = (double complex *)(part + nobsb * nq * rowlen + (size_t)q * pdflen);
            int rrc;
            if (o->ew == PF_OPS_EW_CC) {
                /* W2, WL of the card's charge in the F2, FL blocks, xW3 in the one after */
                double complex *K3 = (double complex *)(part + ((size_t)PF_NOBS * nq + (size_t)q) * rowlen);
                rrc = pf_dis_ew_operator(ev, &o->ewp, o->q2eval[q], K2, KL, K3, &lst);
            } else if (o->ew) {
                double complex *blk[NEWB];
                for (int b = 0; b < NEWB; b++)
                    blk[b] = (double complex *)(part + ((size_t)(PF_NOBS + b) * nq + (size_t)q) * rowlen);
                double complex *const p2[PF_EW_NPIECE] = {K2, blk[0], blk[1]};
                double complex *const pl[PF_EW_NPIECE] = {KL, blk[2], blk[3]};
                double complex *const p3[PF_EW_NPIECE] = {NULL, blk[4], blk[5]};
                rrc = pf_dis_ew_nc_pieces(ev, &o->ewp, o->q2eval[q], p2, pl, p3, &lst);
            } else
                rrc = pf_dis_sf_operator(ev, o->q2eval[q], K2, KL, &lst);
            if (rrc != PF_OK || pf_evol_operator(ev, o->q2eval[q], E, &lst) != PF_OK) {
#pragma omp critical(pf_ops_build_err)
                if (badrow < 0 || q < badrow) {
                    badrow = q;
                    rowst = lst;
                }
            }
        }
    }
    /* every rank must learn about a failure before the collective gather */
    const int anyfail = pf_par_max_int(fail ? 2 : badrow >= 0 ? 1 : 0);
    if (anyfail) {
        if (fail)
            pf_status_set(st, PF_ENOMEM, "pf_ops_build: cannot allocate operators for %zu Q2 rows", nq);
        else if (badrow >= 0) {
            if (st) *st = rowst;
            pf_status_prefix(st, "pf_ops_build: Q2 row %ld (%g GeV^2): ", badrow, o->q2eval[badrow]);
        } else
            pf_status_set(st, PF_EMPI, "pf_ops_build: another rank failed to build its Q2 rows");
        free(part);
        pf_ops_destroy(o);
        pf_evol_destroy(ev);
        return NULL;
    }
    double *all = malloc(len * sizeof *all);
    int rc = all ? pf_par_sum_blocks(part, (size_t)rank, 1, (size_t)size, len, all, st)
                 : pf_status_set(st, PF_ENOMEM, "pf_ops_build: cannot allocate the gathered operators");
    free(part);
    pf_evol_destroy(ev);
    if (rc) {
        free(all);
        pf_ops_destroy(o);
        return NULL;
    }
    memcpy(o->K[PF_OBS_F2], all + (size_t)PF_OBS_F2 * nq * rowlen, nq * rowlen * sizeof *all);
    memcpy(o->K[PF_OBS_FL], all + (size_t)PF_OBS_FL * nq * rowlen, nq * rowlen * sizeof *all);
    if (o->ew == PF_OPS_EW_CC) memcpy(o->K3, all + (size_t)PF_NOBS * nq * rowlen, nq * rowlen * sizeof *all);
    for (int a = 0; a < 3 && o->ew == PF_OPS_EW_NC; a++)
        for (int p = PF_EW_GAMMA_Z; p < PF_EW_NPIECE; p++)
            memcpy(o->Kp[a][p], all + (size_t)(PF_NOBS + 2 * a + p - 1) * nq * rowlen, nq * rowlen * sizeof *all);
    memcpy(o->Kpdf, all + nobsb * nq * rowlen, nq * pdflen * sizeof *all);
    free(all);
    pf_ops_ew_combine(o);
    return o;
}

/* Error of this grid's inverse-Mellin quadrature for an input exponent a: f(x) = x^(a-1)
 * (1-x)^3 has the moments M(N) = B(N - 1 + a, 4) = 6 / ((N-1+a)(N+a)(N+1+a)(N+2+a)) (the
 * leading pole at N = 1 - a and a PDF-like fall-off at large N), so sum_n Im[c_n(x_i) M(N_n)]
 * must give x_i^a (1-x_i)^3; the largest deviation over the grid's x relative to the
 * function's largest value there. */
double pf_ops_pole_error(const pf_ops *o, double a)
{
    const size_t nn = o->nn;
    double worst = 0.0, scale = 0.0;
    for (size_t i = 0; i < o->nx; i++) {
        double s = 0.0;
        for (size_t n = 0; n < nn; n++) {
            const double complex u = o->nodes[n] - 1.0 + a;
            const double complex m = 6.0 / (u * (u + 1.0) * (u + 2.0) * (u + 3.0));
            s += o->Cs[i * 2 * nn + n] * cimag(m) + o->Cs[i * 2 * nn + nn + n] * creal(m);
        }
        const double xa = exp(a * o->logx[i]), omx = -expm1(o->logx[i]);
        const double e = xa * omx * omx * omx, d = fabs(s - e);
        worst = isfinite(d) && d > worst ? d : isfinite(d) ? worst : INFINITY;
        scale = fmax(scale, e);
    }
    return worst / scale;
}

double pf_ops_exponent_limit(const pf_ops *o)
{
    double lo = 1.0 - pf_pdf_contour_intercept(o->nodes, o->nn) + PF_PDF_CONTOUR_MARGIN, hi = 1.0;
    if (!isfinite(lo)) return NAN;
    if (pf_ops_pole_error(o, lo) <= PF_OPS_POLE_TOL) return lo;
    if (pf_ops_pole_error(o, hi) > PF_OPS_POLE_TOL) return hi;
    for (int k = 0; k < 40; k++) { /* the error grows as the pole nears the contour */
        const double m = 0.5 * (lo + hi);
        if (pf_ops_pole_error(o, m) > PF_OPS_POLE_TOL) lo = m; else hi = m;
    }
    return hi;
}

/* Every input exponent inside the region where the stored contour is accurate (above): a
 * coarse contour (few theory.mellin_nodes) loses accuracy well before the pole reaches it,
 * which made -ln L bumpy there and a fit converge at a spurious minimum (issue 15,
 * docs/fitting.md "Local minima").  PF_EDOMAIN: outside the allowed region. */
static int check_exponents(const pf_ops *o, const pf_pdf *pdf, pf_status *st)
{
    int rc = pf_pdf_check_contour(pdf, pf_pdf_contour_intercept(o->nodes, o->nn), st);
    if (rc) return rc;
    double *th = malloc((pf_pdf_nparams(pdf) + 1) * sizeof *th);
    if (!th) return pf_status_set(st, PF_ENOMEM, "pf_ops_grid_values: out of memory");
    pf_pdf_get_params(pdf, th);
    for (int j = 0; j < PF_NIN && !rc; j++) {
        char name[40];
        snprintf(name, sizeof name, "%s.a", pf_flav_in_name[j]);
        const long k = pf_pdf_param_index(pdf, name);
        if (k >= 0 && pf_ops_pole_error(o, th[k]) > PF_OPS_POLE_TOL)
            rc = pf_status_set(st, PF_EDOMAIN, "input exponent %s = %g: the theory grid's Mellin contour (%zu nodes) "
                               "inverts x^a to %g only for a > %.4g (theory.mellin_nodes)", name, th[k], o->nn,
                               PF_OPS_POLE_TOL, pf_ops_exponent_limit(o));
    }
    free(th);
    return rc;
}

int pf_ops_grid_values(const pf_ops *o, const pf_pdf *pdf, double *G, double *dG, pf_status *st)
{
    const size_t nn = o->nn, np = pf_pdf_nparams(pdf);
    double complex *M = malloc(nn * PF_NIN * sizeof *M);
    double complex *dM = dG ? malloc((np ? np : 1) * nn * PF_NIN * sizeof *dM) : NULL;
    if (!M || (dG && !dM)) {
        free(M);
        free(dM);
        return pf_status_set(st, PF_ENOMEM, "pf_ops_grid_values: cannot allocate moments");
    }
    /* the stored kernels invert along theory.h5's contour: right only for exponents whose
     * poles it passes (a fit that steps beyond sees PF_EDOMAIN, "outside") */
    int rc = check_exponents(o, pdf, st);
    if (!rc) rc = pf_pdf_moments(pdf, nn, o->nodes, M, dM, st);
    if (!rc) rc = pf_ops_grid_values_from_moments(o, np, M, dM, G, dG, st);
    free(M);
    free(dM);
    return rc;
}

int pf_ops_pdf_values(const pf_ops *o, const pf_pdf *pdf, double *xf, pf_status *st)
{
    const size_t nn = o->nn;
    double complex *M = malloc(nn * PF_NIN * sizeof *M);
    if (!M) return pf_status_set(st, PF_ENOMEM, "pf_ops_pdf_values: cannot allocate moments");
    int rc = check_exponents(o, pdf, st);
    if (!rc) rc = pf_pdf_moments(pdf, nn, o->nodes, M, NULL, st);
    if (!rc) rc = pf_ops_pdf_values_from_moments(o, M, xf, st);
    free(M);
    return rc;
}
