/* partonflow: theory operators on an (x, Q^2) grid and their fast, differentiable
 * evaluation ("the one idea that makes it fast", ARCHITECTURE.md; schema in
 * docs/artefacts.md, section theory.h5).
 *
 * For fixed theory settings a structure function at a grid point g = (x_i, Q^2_q) is
 * linear in the input moments M_j(N_n; theta) (dis.h):
 *
 *     F_a(x_i, Q^2_q) = sum_n sum_j Im[ c_n(x_i) K_a(Q^2_q)[n, j] M_j(N_n) ]
 *
 * i.e. the kernel K_{g,n,j} = c_n(x_i) K_a(Q^2_q)[n, j] is, node by node, the outer
 * product of the inverse-Mellin factor c_n(x) (pf_evol_mellin_kernel) and the
 * structure-function operator (pf_dis_sf_operator).  It is stored and applied in that
 * factored form: first A_a[q, n] = sum_j K_a(Q^2_q)[n, j] M_j(N_n) (and dA with dM; one
 * small zgemm per node over all parameter sets), then G = Im(C A^T) = Re C Im A^T +
 * Im C Re A^T for all (a, q, parameter) columns at once as ONE real matrix product
 * (cblas_dgemm on [Re C | Im C] and the stacked [Im A; Re A]).
 * This is the same linear map as the full K with nx times less storage and work.
 *
 * The grid: nodes uniform in u = ln(x / (1 - x)) (= ln x up to O(x) at small x; it keeps
 * the large-x fall-off (1 - x)^b smooth, which ln x does not) and piecewise uniform in
 * t = ln Q^2, with the pieces split at the heavy-quark thresholds of the ZM-VFNS (the
 * structure functions have a kink or a jump there, so no stencil straddles one; the two
 * rows at a threshold are evaluated just below and just above it).  Interpolation is
 * cubic Lagrange (4 x 4 nodes, kernels/interp.h), applied to F(x) / (1 - x)^PF_OPS_XPOW
 * so that what is interpolated varies slowly at large x.
 *
 * Grid values G: G[(q * nx + i) * PF_NOBS + a] for observable a (PF_OBS_F2, PF_OBS_FL) at
 * Q^2 row q and x column i; gradients dG[p * ngrid + g]. */
#ifndef PARTONFLOW_OPS_H
#define PARTONFLOW_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/kernels/kinematics.h"
#include "partonflow/card.h"
#include "partonflow/status.h"

typedef struct pf_pdf pf_pdf;
typedef struct pf_ops pf_ops;
typedef struct pf_interp_axis pf_interp_axis; /* kernels/interp.h */

enum { PF_OBS_F2 = 0, PF_OBS_FL = 1, PF_NOBS = 2 };

#define PF_OPS_SCHEMA "partonflow.theory"
#define PF_OPS_SCHEMA_VERSION 1
#define PF_OPS_NW 32   /* weights per point: 4 x 4 bicubic stencil on F2 and on FL */
#define PF_OPS_XPOW 3  /* interpolation acts on F / (1 - x)^PF_OPS_XPOW */

/* Builds the operators for the card's theory on the grid covering its kinematic region
 * (the card needs a kinematics section).  Q^2 rows are split over MPI ranks (contiguous
 * ranges) and OpenMP threads; every element is computed by the same code whatever the
 * split, and the rows are gathered on every rank, so the result is bitwise independent of
 * the decomposition.  Collective when the par layer runs more than one rank. */
pf_ops *pf_ops_build(const pf_card *card, pf_status *st);
/* theory.h5 (schema "partonflow.theory" v1), atomically (io layer).  Collective under
 * MPI.  The command line stored in /meta is the one set with pf_ops_set_command_line. */
int pf_ops_write(const pf_ops *ops, const char *path, pf_status *st);
void pf_ops_set_command_line(pf_ops *ops, const char *command_line); /* copied; nullable */
/* Reads theory.h5; refuses foreign, damaged or inconsistent files with a message naming
 * the file and the cause (PF_EFORMAT, PF_ECHECKSUM, PF_EIO). */
pf_ops *pf_ops_read(const char *path, pf_status *st);
void pf_ops_destroy(pf_ops *ops);

const pf_card *pf_ops_card(const pf_ops *ops);   /* the card the operators were built from */
size_t pf_ops_ngrid(const pf_ops *ops);          /* length of G: PF_NOBS * nx * nq2 */
size_t pf_ops_nx(const pf_ops *ops);
size_t pf_ops_nq2(const pf_ops *ops);
size_t pf_ops_nnodes(const pf_ops *ops);
uint64_t pf_ops_checksum(const pf_ops *ops);     /* /meta checksum of the file read (0 if built) */
/* Grid bounds: x in [x_lo, x_hi], Q^2 in [q2_lo, q2_hi] (the cut region plus a margin). */
void pf_ops_bounds(const pf_ops *ops, double *x_lo, double *x_hi, double *q2_lo, double *q2_hi);
/* The kinematic cuts (PF_NCUTS, kernels/kinematics.h order), s and alpha_em used. */
void pf_ops_kinematics(const pf_ops *ops, double cuts[7], double *s, double *alpha);
/* The exchange of the grid's Born factor (kernels/kinematics.h): photon exchange and neutral
 * current (w = 0), or charged current (w = 1, the W propagator and polarisation); every
 * cross section made from the grid's F2 and FL uses pf_kin_xsec_factors_b with it. */
const pf_kin_born *pf_ops_born(const pf_ops *ops);
/* The grid axes (kernels/interp.h): x nodes in u = ln(x / (1 - x)), Q^2 nodes in
 * t = ln Q^2 with the segments split at thresholds; valid while ops lives. */
const pf_interp_axis *pf_ops_xaxis(const pf_ops *ops);
const pf_interp_axis *pf_ops_qaxis(const pf_ops *ops);
/* The bicubic stencil of F at one point (x, Q^2), as the grid path interpolates it: first
 * Q^2 row r0, first x column c0, weights wr (Q^2) and wc (x, with the (1-x)^PF_OPS_XPOW
 * factor); -1 outside the grid.  For layers that fold over the grid (prepare). */
int pf_ops_stencil_weights(const pf_ops *ops, double x, double q2, int *r0, int *c0, double wr[4], double wc[4]);
/* The same stencil as local coordinates: ur, uc of the point in node units from the
 * stencil's second node (the weights are pf_interp_cubic_weights(ur) and
 * pf_interp_cubic_weights(uc) times xf * pf_ops_xpow(ops)[c0 + c]), and the point's factor
 * xf; -1 outside the grid.  pf_ops_xpow: the nx columns' factors (valid while ops lives). */
int pf_ops_stencil_local(const pf_ops *ops, double x, double q2, int *r0, int *c0, double *ur, double *uc,
                         double *xf);
const double *pf_ops_xpow(const pf_ops *ops);
/* PF_EDOMAIN with a message naming fn and point `bad` of (x, q2), the point outside the
 * grid and the grid's bounds. */
int pf_ops_domain_error(const pf_ops *ops, const char *fn, long bad, const double *x, const double *q2,
                        pf_status *st);
/* The nnodes Mellin contour nodes N_n of the operators (theory.h5 /mellin/nodes). */
const double _Complex *pf_ops_nodes(const pf_ops *ops);

/* G(theta) and dG (nullable; [p*ngrid + g], p over pf_pdf_nparams).  Deterministic: the
 * same bits for any number of threads (the product is cut into fixed column blocks, one
 * single-threaded BLAS call each, over OpenMP threads; this sets OpenBLAS's own thread
 * count to 1). */
int pf_ops_grid_values(const pf_ops *ops, const pf_pdf *pdf, double *G, double *dG, pf_status *st);
/* The same linear map from input moments at the Mellin nodes instead of a parametrisation
 * (any moments, e.g. of a neural-network PDF): M[n*PF_NIN + j] (nnodes x PF_NIN), dM
 * (nullable) [(p*nn + n)*PF_NIN + j] for p < np, dG [p*ngrid + g]. */
int pf_ops_grid_values_from_moments(const pf_ops *ops, size_t np, const double _Complex *M,
                                    const double _Complex *dM, double *G, double *dG, pf_status *st);
/* The accuracy of the stored inverse-Mellin contour for an input exponent a: the largest
 * relative error over the grid's x of its inverse of the leading pole 1/(N - 1 + a) (exactly
 * x^a).  pf_ops_grid_values and pf_ops_pdf_values refuse (PF_EDOMAIN, "outside the allowed
 * region" for a fit) exponents where it exceeds PF_OPS_POLE_TOL, besides the pole limit of
 * pf_pdf_check_contour; pf_ops_exponent_limit: the smallest a they accept. */
#define PF_OPS_POLE_TOL 1e-3
double pf_ops_pole_error(const pf_ops *ops, double a);
double pf_ops_exponent_limit(const pf_ops *ops);

/* Optional replacement for the one real matrix product of pf_ops_grid_values (e.g. cuBLAS
 * on a GPU): C[m x n] = A[m x k] B[k x n], row-major and contiguous, called once per
 * evaluation with all columns (A = [Re c | Im c], m = nx, k = 2 nn).  fn = NULL restores the
 * built-in BLAS path (whose bits do not depend on threads; a hook's bits are its own).
 * Set it before, not during, evaluations. */
typedef int (*pf_ops_gemm_fn)(void *ctx, size_t m, size_t n, size_t k, const double *A, const double *B,
                              double *C, pf_status *st);
void pf_ops_set_gemm(pf_ops *ops, pf_ops_gemm_fn fn, void *ctx);

/* x f of the PF_NOUT output flavours (card.h order) at every grid node, for plots:
 * xf[(q * nx + i) * PF_NOUT + k] at x_i = exp(logx[i]), Q^2 row q (theory.h5 /ops/K_pdf). */
int pf_ops_pdf_values(const pf_ops *ops, const pf_pdf *pdf, double *xf, pf_status *st);

/* d2sigma/dx dQ2 (pb/GeV^2) at (x, q2) = sum_{k<PF_OPS_NW} w[k] * G[idx[k]]: bicubic weights
 * on the F2 and FL grids times the kinematic factors (kernels/kinematics.h).  Returns
 * PF_EDOMAIN outside the grid (idx, w untouched).  k = a*16 + r*4 + c: observable a,
 * stencil row r (Q^2), column c (x). */
int pf_ops_xsec_weights(const pf_ops *ops, double x, double q2, uint32_t *idx, double *w);
/* pf_ops_xsec_weights with the Q^2 interpolation taken from segment seg of the grid's Q^2
 * axis (the segments lie between flavour thresholds) even when q2 is outside it: the
 * segment's function continued across the threshold (prepare_reco.c).  seg < 0: as
 * pf_ops_xsec_weights. */
int pf_ops_xsec_weights_seg(const pf_ops *ops, double x, double q2, int seg, uint32_t *idx, double *w);
/* The Q^2 segment of the grid that holds q2 (0 below the first edge, the last above). */
int pf_ops_qseg(const pf_ops *ops, double q2);
/* The 16 interpolation weights of one observable (no kinematic factors): F_a(x, q2) =
 * sum_k w[k] G[idx[k] + a].  Returns PF_EDOMAIN outside the grid. */
int pf_ops_interp_weights(const pf_ops *ops, double x, double q2, uint32_t *idx, double *w);

/* Batch d2sigma (and gradient grad[p*n + i], nullable) from G/dG; np: number of
 * parameters (rows of dG).  Any point outside the grid: PF_EDOMAIN naming it.  OpenMP over
 * points; results do not depend on the number of threads.  Fastest with out and grad
 * 64-byte aligned and n a multiple of 8 (streaming stores; docs/performance.md). */
int pf_ops_xsec(const pf_ops *ops, const double *G, const double *dG, size_t np, size_t n,
                const double *x, const double *q2, double *out, double *grad, pf_status *st);
/* Batch F2, FL (either nullable) from G. */
int pf_ops_sf(const pf_ops *ops, const double *G, size_t n, const double *x, const double *q2,
              double *F2, double *FL, pf_status *st);

#endif
