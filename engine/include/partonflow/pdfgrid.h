/* partonflow: tabulated PDFs, x f(x, Q) of the 13 output flavours on a grid of knots, and
 * their evaluation at any (x, Q^2) by LHAPDF's default log-bicubic interpolation.
 *
 * One table serves two uses: an LHAPDF6 member file (pf_pdfgrid_write_lhagrid1, format
 * lhagrid1 of arXiv:1412.7420), and the fast grid path of `partonflow evolve --grid`
 * (pf_pdfgrid_eval), which therefore returns exactly what LHAPDF returns for the
 * exported set (up to the printed digits).  docs/physics-evolution.md, "Tabulated PDFs".
 *
 * Knots (pf_pdfgrid_create):
 *   x: nx - 1 knots uniform in u = ln x - 6 ln(1 - x) from xmin to 0.99, then x = 1
 *      (where every x f is 0): log-spaced at small x, denser towards large x, where the
 *      PDFs fall like (1 - x)^b and LHAPDF's interpolation in ln x needs short steps;
 *   Q: one subgrid per piece of the evolution between mu0, the heavy-quark (and, for
 *      xi_r != 1, coupling) thresholds and qmax, so that LHAPDF never interpolates across
 *      a threshold; nq knots per subgrid, uniform in
 *         s(L) = L + A ln(1 + L/L0) - A ln(1 + (Lmax - L)/L0) + B ln(1 + L/L1),
 *      L = ln(Q^2/Q_lo^2), A = 0.5, L0 = 3e-4, B = 1, L1 = 0.05: uniform in ln Q^2 far
 *      from the ends and dense at both ends, where LHAPDF's one-sided slopes are only
 *      first-order accurate, and above a threshold, where a heavy quark grows from zero
 *      (tuned with the independent reader of tests/integration/lhapdf_reader.py).
 *      Subgrids share their boundary knot (values from below and above).
 * The defaults (400 x knots, 50 per Q subgrid) meet 1e-4 relative against the exact
 * evolution for 1e-5 <= x <= 0.9 (docs/artefacts.md, "LHAPDF6 export", has the table). */
#ifndef PARTONFLOW_PDFGRID_H
#define PARTONFLOW_PDFGRID_H

#include <stddef.h>
#include <stdio.h>

#include "partonflow/status.h"

typedef struct pf_evol pf_evol;
typedef struct pf_pdf pf_pdf;
typedef struct pf_pdfgrid pf_pdfgrid;

typedef struct pf_pdfgrid_spec {
    size_t nx;   /* x knots including x = 1; >= 8 */
    size_t nq;   /* Q knots per subgrid; >= 4 */
    double xmin; /* first x knot, in (0, 0.5) */
    double qmax; /* last Q knot, GeV, above mu0 */
} pf_pdfgrid_spec;

#define PF_PDFGRID_MAXSUB 8

/* 400, 50, 1e-6, 1e5 GeV */
void pf_pdfgrid_spec_default(pf_pdfgrid_spec *spec);

/* The knots for an evolution (its mu0 and thresholds); values are zero until filled. */
pf_pdfgrid *pf_pdfgrid_create(const pf_evol *ev, const pf_pdfgrid_spec *spec, pf_status *st);
void pf_pdfgrid_destroy(pf_pdfgrid *g);
/* Tabulates x f at every knot with the exact evolution (pf_evol_xf) of pdf. */
int pf_pdfgrid_fill(pf_pdfgrid *g, const pf_evol *ev, const pf_pdf *pdf, pf_status *st);

/* x f of the PF_NOUT flavours at n points, xf[i*PF_NOUT + k] (k as pf_flav_out_name);
 * PF_EDOMAIN naming the point when x is outside [xmin, 1] or q2 outside the Q range.
 * Reads the grid only: threads may share it.  Each point costs O(1): no search over
 * the x knots (the knot index follows from u(x)), a short one over Q. */
int pf_pdfgrid_eval(const pf_pdfgrid *g, size_t n, const double *x, const double *q2, double *xf,
                    pf_status *st);

size_t pf_pdfgrid_nx(const pf_pdfgrid *g);
const double *pf_pdfgrid_x(const pf_pdfgrid *g);
size_t pf_pdfgrid_nsub(const pf_pdfgrid *g);
size_t pf_pdfgrid_nq(const pf_pdfgrid *g, size_t sub);
const double *pf_pdfgrid_q(const pf_pdfgrid *g, size_t sub); /* GeV */
/* x f at knot (ix, iq) of a subgrid: [(iq*nx + ix)*PF_NOUT + k] */
const double *pf_pdfgrid_values(const pf_pdfgrid *g, size_t sub);

/* One LHAPDF6 member file (lhagrid1): header "PdfType: <pdftype>", "Format: lhagrid1",
 * then one block per subgrid.  Values in %.9e; PDG ids -6..-1, 21, 1..6. */
int pf_pdfgrid_write_lhagrid1(const pf_pdfgrid *g, FILE *f, const char *pdftype, pf_status *st);

#endif
