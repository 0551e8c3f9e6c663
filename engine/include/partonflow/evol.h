/* partonflow: DGLAP evolution in Mellin space and the inverse Mellin transform.
 *
 * Physics and conventions: docs/physics-evolution.md.  In short: a_s = alpha_s/(4 pi),
 * d f(N)/d ln mu_F^2 = [a_s P0(N) + a_s^2 (P1(N) + beta0 ln(xi_r^2) P0(N))] f(N) with
 * a_s = a_s(mu_R = xi_r mu_F); the "exact" solution (default) solves this equation with the
 * truncated beta function exactly (non-singlet in closed form, singlet by the U-matrix
 * series of Pegasus, hep-ph/0408244 sec. 3, summed to 24 orders); the truncated solution
 * (card `evolution: truncated`) keeps the O(a_s) terms of U only.  Evolution basis: the
 * q_i^- evolve with P^- (= valence at NLO), q_i^+ - Sigma/nf with P^+, (Sigma, g) with the
 * singlet matrix; ZM-VFNS switches nf at mu_F = m_h with continuous PDFs (and a_s, matched
 * at mu_R = xi_r m_h as alphas.h says: each nf piece runs from the matched a_s^(nf) at its
 * lower end to the unmatched a_s^(nf) at its upper end, as QCD-Pegasus); flavours that
 * are not active stay as they are (zero for the usual inputs).  Evolution runs upwards
 * only: q2 >= mu0^2 (pf_evol_q2min).
 *
 * Inverse Mellin: one contour shared by all x and all q2: N = c + t e^{i phi} (c = 1.9,
 * phi = 3 pi/4) for 0 <= t <= 60, then vertical, N = c + 60 e^{i phi} + i s, 0 <= s <= 800
 * (Re N >= -40.5, where the pdf module's log-Gamma is accurate).  It lies right of every
 * singularity: N = 1 of the anomalous dimensions and N = 1 - a of the input moments for input
 * exponents a > -0.88, which pf_evol_xf checks (c = 1.9 rather than ~2.2 keeps x = 1e-7 free
 * of cancellation losses).  Gauss-Legendre nodes on fixed segments; theory.mellin_nodes sets
 * the total (rounded up to a multiple of the 12 segments), 0 means the tested default
 * PF_EVOL_DEFAULT_NODES (21 per segment). */
#ifndef PARTONFLOW_EVOL_H
#define PARTONFLOW_EVOL_H

#include <complex.h>
#include <stddef.h>

#include "partonflow/card.h"
#include "partonflow/status.h"

typedef struct pf_pdf pf_pdf;
typedef struct pf_evol pf_evol; /* holder: contour, nodes, alpha_s, anomalous dims */

#define PF_EVOL_DEFAULT_NODES 252

pf_evol *pf_evol_create(const pf_theory_card *th, pf_status *st);
void pf_evol_destroy(pf_evol *ev);
int pf_evol_order(const pf_evol *ev);
int pf_evol_nnlo_coef(const pf_evol *ev); /* PF_NNLO_COEF_* of the card (theory.nnlo_coefficients) */
size_t pf_evol_nnodes(const pf_evol *ev);
const double complex *pf_evol_nodes(const pf_evol *ev); /* N_n, shared by all x */
/* x f(x) = sum_n Im[ c_n(x) f(N_n) ], c_n(x) = w_n e^{i phi} x^(1-N_n) / pi; kern[n] = c_n(x) */
void pf_evol_mellin_kernel(const pf_evol *ev, double x, double complex *kern);
/* E[(n*PF_NOUT + k)*PF_NIN + j]: moment of output flavour k per unit input moment j */
int pf_evol_operator(const pf_evol *ev, double q2, double complex *E, pf_status *st);
/* the same at arbitrary N (sum rules at N = 1, 2; tests) */
int pf_evol_operator_at(const pf_evol *ev, double q2, size_t n, const double complex *N,
                        double complex *E, pf_status *st);
/* the same in the evolution basis: rows c = q_i^+ (i = d, u, s, c, b, t: c = 0..5), q_i^-
 * (6..11), g (12): E[(n*13 + c)*PF_NIN + j].  The q^- rows stay finite at N = 1, where
 * the singlet block has its pole (number sum rules). */
int pf_evol_operator_pm_at(const pf_evol *ev, double q2, size_t n, const double complex *N,
                           double complex *E, pf_status *st);
double pf_evol_alphas(const pf_evol *ev, double mu2); /* alpha_s(mu_R^2 = mu2) */
int pf_evol_nf(const pf_evol *ev, double mu2);        /* active flavours at mu_F^2 */
double pf_evol_mur2(const pf_evol *ev, double muf2);  /* xi_r^2 * muf2 */
double pf_evol_q2min(const pf_evol *ev);              /* mu0^2 */
/* x f of the PF_NOUT flavours at n points: xf[i*PF_NOUT + k];
 * dxf (nullable) [(p*n + i)*PF_NOUT + k], p over pf_pdf_nparams(pdf) */
int pf_evol_xf(const pf_evol *ev, const pf_pdf *pdf, size_t n, const double *x,
               const double *q2, double *xf, double *dxf, pf_status *st);
/* the same from input moments at the nodes: M[n*PF_NIN + j], dM (nullable)
 * [(p*nn + n)*PF_NIN + j] for p < np (e.g. from pf_pdf_moments) */
int pf_evol_xf_moments(const pf_evol *ev, size_t np, const double complex *M,
                       const double complex *dM, size_t n, const double *x, const double *q2,
                       double *xf, double *dxf, pf_status *st);

#endif
