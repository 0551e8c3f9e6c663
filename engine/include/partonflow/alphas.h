/* partonflow: the strong coupling, exact numerical solution of its renormalisation-group
 * equation with the beta function truncated at LO, NLO or NNLO:
 *     d a_s / d ln mu_R^2 = -beta0 a_s^2 [- beta1 a_s^3],   a_s = alpha_s / (4 pi),
 *     beta0 = 11 - 2/3 nf,  beta1 = 102 - 38/3 nf.
 * The equation integrates in closed form to an implicit equation,
 *     LO:  1/a = 1/a0 + beta0 ln(mu^2/mu0^2),
 *     NLO: 1/a + c ln(a/(1 + c a)) = [same at a0] + beta0 ln(mu^2/mu0^2),  c = beta1/beta0,
 *     NNLO (- beta2 a_s^4 added, beta2 = 2857/2 - 5033/18 nf + 325/54 nf^2):
 *          1/(b0 a) + (b1/b0^2) ln a + int g = [same at a0] + ln(mu^2/mu0^2), the smooth
 *          remainder g of 1/(a^2 (b0 + b1 a + b2 a^2)) integrated by Gauss-Legendre,
 * solved by Newton's method to machine precision (so "exact" means the LHA benchmark's
 * exact solution, hep-ph/0204316 sec. 1.3, not a Lambda expansion).
 * Heavy flavours: FFNS keeps nf fixed; VFNS switches nf at mu_R^2 = xi_r^2 m_h^2, so that the
 * coupling's nf and the PDFs' nf (thresholds at mu_F = m_h) agree at every mu_F.  There a_s
 * is matched with the MSbar decoupling relation to the working order,
 *     NLO: a^(nf+1) = a^(nf) [1 + (2/3) ln(mu_R^2/m_h^2) a^(nf)],  ln(mu_R^2/m_h^2) = ln xi_r^2,
 *     NNLO: a^(nf+1) = a [1 + c1 a + c2 a^2], c2 = 14/3 + 38/3 L + 4/9 L^2 (pole masses, CKS
 *           inverted as in QCD-Pegasus' ASNF1; a jump of ~1e-3 relative even for xi_r = 1),
 * continuous at LO and for xi_r = 1 (QCD-Pegasus, hep-ph/0408244; the Les Houches tables).
 * A scale on a threshold (within 1e-9 relative) counts as above it.  The reference value
 * alpha_s(theory.alphas.mu) is the coupling of the flavours lighter than alphas.mu (a mu on a
 * mass counts as below it), whatever xi_r: alpha_s^(5)(M_Z), or the Les Houches 3-flavour
 * alpha_s(2 GeV^2) = 0.35; so for xi_r != 1, pf_alphas_at(alphas.mu) may be another nf's value
 * (pf_alphas_at_nf(as, alphas.mu^2, pf_alphas_nf_ref(as)) is the reference value). */
#ifndef PARTONFLOW_ALPHAS_H
#define PARTONFLOW_ALPHAS_H

#include "partonflow/card.h"
#include "partonflow/status.h"

typedef struct pf_alphas pf_alphas;

pf_alphas *pf_alphas_create(const pf_theory_card *th, pf_status *st);
void pf_alphas_destroy(pf_alphas *as);
/* alpha_s(mu_R^2 = mur2); NaN beyond the Landau pole */
double pf_alphas_at(const pf_alphas *as, double mur2);
/* alpha_s(mu_R^2 = mur2) of nf flavours (3..6; the fixed nf in the FFNS), continued outside
 * the region where nf is active: segment ends of the evolution, below a matching point */
double pf_alphas_at_nf(const pf_alphas *as, double mur2, int nf);
/* flavours of the reference value */
int pf_alphas_nf_ref(const pf_alphas *as);
/* flavours active in the running at mu_R^2 = mur2 */
int pf_alphas_nf(const pf_alphas *as, double mur2);
/* mu_R^2 of the charm (h = 0), bottom (1), top (2) threshold (VFNS) */
double pf_alphas_threshold(const pf_alphas *as, int h);
double pf_alphas_beta0(int nf);
double pf_alphas_beta1(int nf);
/* beta2 = 2857/2 - 5033/18 nf + 325/54 nf^2 (the NNLO term -beta2 a_s^4 of the RGE) */
double pf_alphas_beta2(int nf);

#endif
