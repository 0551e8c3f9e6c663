/* partonflow: the PDF parametrisation at the input scale mu0, its analytic Mellin moments
 * and their exact gradients with respect to every parameter.
 *
 *   x f_j(x) = A_j x^a_j (1-x)^b_j sum_k p_jk x^(k/2)
 *   f_j(N)   = int_0^1 x^(N-1) f_j(x) dx = A_j sum_k p_jk B(N - 1 + a_j + k/2, b_j + 1)
 *
 * Normalisations fixed by sum rules (card `A: valence` / `A: momentum`):
 *   int u_v = 2, int d_v = 1,  int x (sum_q (q + qbar) + g) = 1,
 * recomputed whenever the parameters change; their derivatives enter every gradient
 * (the momentum normalisation depends on every quark parameter).  docs/physics-pdf.md. */
#ifndef PARTONFLOW_PDF_H
#define PARTONFLOW_PDF_H

#include <complex.h>
#include <stddef.h>

#include "partonflow/card.h"
#include "partonflow/status.h"

typedef struct pf_pdf pf_pdf;

pf_pdf *pf_pdf_create(const pf_pdf_card *card, pf_status *st);
pf_pdf *pf_pdf_clone(const pf_pdf *pdf, pf_status *st);
void pf_pdf_destroy(pf_pdf *pdf);

/* Parameters: for each flavour in pf_flav_in order that is present and not `same_as`:
 * A (only when given as a number), a, b, p0 .. p{npoly-1}; named "uv.a", "ubar.A", "g.p2". */
size_t pf_pdf_nparams(const pf_pdf *pdf);
const char *pf_pdf_param_name(const pf_pdf *pdf, size_t i);
long pf_pdf_param_index(const pf_pdf *pdf, const char *name); /* -1 if unknown */
void pf_pdf_get_params(const pf_pdf *pdf, double *theta);
/* Rejects NaN/inf, a <= -1, b <= -1 and sum rules that cannot be met, naming the parameter;
 * on failure the previous parameters stay in force. */
int pf_pdf_set_params(pf_pdf *pdf, const double *theta, pf_status *st);
/* The normalisation A_j in force (after sum rules), for reports. */
double pf_pdf_norm(const pf_pdf *pdf, int flavour);

/* Moments of the PF_NIN input flavours at n complex N (any N off the poles of the Beta
 * functions: the analytic continuation where the integral diverges, e.g. Re N < 0 on a bent
 * contour).  Reads the object only: threads may share one pf_pdf.
 *   M[i*PF_NIN + j];  dM (nullable) [(p*n + i)*PF_NIN + j] = dM/dtheta_p (param-major). */
int pf_pdf_moments(const pf_pdf *pdf, size_t n, const double complex *N, double complex *M,
                   double complex *dM, pf_status *st);
/* The moments have their rightmost pole at N = 1 - a (a: the flavour's small-x exponent), so
 * an inverse Mellin transform along a contour that crosses the real axis at c is right only
 * while every a > 1 - c + PF_PDF_CONTOUR_MARGIN; PF_EDOMAIN naming the exponent otherwise
 * (a fit treats that as outside the allowed region).  Used by evolution and the theory grid. */
#define PF_PDF_CONTOUR_MARGIN 0.02
int pf_pdf_check_contour(const pf_pdf *pdf, double c, pf_status *st);
/* Where a contour of nn nodes N_0, N_1, ... that starts on a straight ray from the real
 * axis (the evolution's, evol.c; theory.h5 /mellin/nodes) crosses the real axis; NaN when
 * nn < 2 or the first two nodes do not define a ray (pf_pdf_check_contour then refuses). */
double pf_pdf_contour_intercept(const double complex *nodes, size_t nn);
/* x f_j(x) at mu0 for 0 < x < 1: xf[i*PF_NIN + j]; dxf (nullable) [(p*n + i)*PF_NIN + j]. */
int pf_pdf_xf(const pf_pdf *pdf, size_t n, const double *x, double *xf, double *dxf,
              pf_status *st);

#endif
