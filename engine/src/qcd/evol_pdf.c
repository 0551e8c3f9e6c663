/* pf_evol_xf: the batch evaluation for a parametrised input PDF (evol.h). */
#include <complex.h>
#include <stdio.h>
#include <stdlib.h>

#include "evol_internal.h"
#include "partonflow/pdf.h"

int pf_evol_xf(const pf_evol *ev, const pf_pdf *pdf, size_t n, const double *x,
               const double *q2, double *xf, double *dxf, pf_status *st)
{
    if (pf_evol_check_points(ev, n, x, q2, st)) return st ? st->code : PF_EDOMAIN;
    /* the contour must lie right of the input poles N = 1 - a */
    const int crc = pf_pdf_check_contour(pdf, ev->c, st);
    if (crc) {
        if (st) pf_status_prefix(st, "evolution: ");
        return crc;
    }
    if (!n) return PF_OK;
    const size_t nn = ev->nn, np = dxf ? pf_pdf_nparams(pdf) : 0;
    double complex *M = malloc(sizeof(double complex) * nn * PF_NIN);
    double complex *dM = np ? malloc(sizeof(double complex) * np * nn * PF_NIN) : NULL;
    int rc;
    if (!M || (np && !dM)) {
        rc = pf_status_set(st, PF_ENOMEM, "evolution: out of memory for the moments");
    } else {
        rc = pf_pdf_moments(pdf, nn, ev->N, M, dM, st);
        if (!rc) rc = pf_evol_xf_moments(ev, np, M, dM, n, x, q2, xf, dxf, st);
    }
    free(M);
    free(dM);
    return rc;
}
