/* Test-only x-space evaluation of F2, FL: the NLO coefficient functions (written here
 * in x space, independently of engine/src/dis/coef.c) convolved with x-space PDFs by
 * GSL adaptive quadrature, plus-distributions subtracted explicitly. */
#ifndef PF_TEST_DIS_XSPACE_H
#define PF_TEST_DIS_XSPACE_H

/* X[0] = sum_q e_q^2 y (q + qbar)(y), X[1] = (sum_q e_q^2) y g(y) at 0 < y < 1.
 * Returns 0 on success. */
typedef int (*xs_pdf_fn)(double y, void *ctx, double X[2]);

/* F2 and FL at x for a_s = alpha_s/(4 pi) (order 0: LO, 1: NLO); epsrel: quadrature
 * target.  Returns 0, or -1 when the callback or the quadrature failed. */
int xs_structure_functions(int order, double a_s, double x, xs_pdf_fn pdf, void *ctx,
                           double epsrel, double *F2, double *FL);

/* NNLO: X[0], X[1] as above, X[2] = (sum_q e_q^2) y Sigma(y) (Sigma = sum_q (q + qbar)). */
typedef int (*xs_pdf3_fn)(double y, void *ctx, double X[3]);

/* F2 and FL through a_s^2 with a_s = a_s(mu_R), lr = beta0 ln(mu_R^2/Q^2), nf light
 * flavours (xspace_nnlo.c). */
int xs_nnlo_structure_functions(double a_s, double lr, int nf, double x, xs_pdf3_fn pdf,
                                void *ctx, double epsrel, double *F2, double *FL);

/* The second-order xF3 piece alone: I3 = x [c3ns^(2) (x) q3](x) with c3ns^(2) the "minus"
 * non-singlet coefficient function of van Neerven-Vogt (hep-ph/9907472, C3NM2A/B/C) as printed,
 * X[0] = sum_q w_q y (q - qbar)(y) (X[1], X[2] unused). */
int xs_nnlo_c3_convolution(int nf, double x, xs_pdf3_fn pdf, void *ctx, double epsrel, double *I3);

/* W exchange: the convolution x [(c_other - c_used) (x) X[0]](x) of the nf^0 non-singlet
 * functions of the other crossing parity minus those of the photon path (which 0: F2, odd -
 * even; 1: FL, odd - even; 2: xF3, even - odd; hep-ph/9907472 C2NC2A/C, CLNC2A/C, C3NP2A/C
 * as printed), the regular and local parts (the soft and nf^1 parts are the same). */
int xs_nnlo_cc_parity(int which, double x, xs_pdf3_fn pdf, void *ctx, double epsrel, double *out);
/* The kernels themselves: the regular part (other - used) at 0 < y < 1 and the local one. */
double xs_nnlo_cc_parity_kernel(int which, double y);
double xs_nnlo_cc_parity_local(int which);

#endif
