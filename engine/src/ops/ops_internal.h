/* partonflow ops: the operator object shared by the build, io and evaluation files (and
 * by the unit tests, which assemble operators from synthetic kernels). */
#ifndef PARTONFLOW_OPS_INTERNAL_H
#define PARTONFLOW_OPS_INTERNAL_H

#include <complex.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "partonflow/card.h"
#include "partonflow/dis_ew.h"
#include "partonflow/kernels/interp.h"
#include "partonflow/ops.h"
#include "partonflow/status.h"

/* Default grid: node spacing in u = ln(x/(1-x)) and in ln Q^2, and the margin (in nodes)
 * beyond the cut region.  Chosen so that the grid path meets 1e-4 relative on F2 and
 * d2sigma in the default cut region (tests/unit/ops, docs/performance.md). */
#define PF_OPS_DEFAULT_DU 0.07
#define PF_OPS_DEFAULT_DT 0.25
#define PF_OPS_MARGIN 1.0
/* Rows at a threshold are evaluated this far (relative in Q^2) inside their segment. */
#define PF_OPS_THRESHOLD_NUDGE 1e-7 /* > the evolution's own threshold tolerance (1e-9) */

#define PF_OPS_EW_NC 1
#define PF_OPS_EW_CC 2

struct pf_ops {
    pf_card card;
    char *command_line;
    uint64_t checksum;          /* of the file read, 0 when built */
    size_t nx, nq2, nn;
    pf_interp_axis xaxis;       /* coordinate u = ln(x/(1-x)) */
    pf_interp_axis qaxis;       /* coordinate t = ln Q^2, split at thresholds */
    double *logx;               /* nx: ln x_i */
    double *xpow;               /* nx: (1 - x_i)^-PF_OPS_XPOW */
    double *logq2;              /* nq2: ln Q^2 of row q (nominal: threshold rows share it) */
    double *q2eval;             /* nq2: Q^2 at which row q is evaluated (nudged at thresholds) */
    double complex *nodes;      /* nn Mellin nodes */
    double *Cs;                 /* nx x 2nn: [Re c_n(x_i) | Im c_n(x_i)] */
    double complex *K[PF_NOBS]; /* nq2 x nn x PF_NIN: K_a(Q^2_q)[n, j] */
    double complex *Kpdf;       /* nq2 x nn x PF_NOUT x PF_NIN: evolution operator (plots) */
    double cuts[7], s, alpha;
    /* neutral current with Z exchange (kinematics.process nc; pf_ops_ew_setup): K holds the
     * photon pieces, Kp[a][p] the gamma-Z (p = PF_EW_GAMMA_Z) and Z (PF_EW_Z) pieces of
     * a = F2, FL, F3 ([a][PF_EW_GAMMA] unused), Kc[a] their sum with the card's lepton
     * coefficients (dis_ew.h), and fl3[q nx + i] = s (2/y - 1) at the node (s the lepton
     * charge): the F2 slot is F~2, the FL slot F~L + fl3 xF~3, so the grid stays (F2, FL)
     * and d2sigma = 2 pi alpha^2 Y+ / (x Q^4) (F2slot - y^2/Y+ FLslot) is the NC cross
     * section with sigma_r = F~2 -+ Y-/Y+ xF~3 - y^2/Y+ F~L.
     * Charged current (kinematics.process cc): ew = PF_OPS_EW_CC, K holds W2 and WL and K3 xW3
     * of the card's lepton charge (unpolarised, pf_dis_ew_operator); the F2 slot is
     * W2 + f23 xW3 and the FL slot WL + fl3 xW3 with f23 = -s y and fl3 = s (1 - y) at the node,
     * and born carries the W's factor (1 + s P) G_F^2 / (4 pi x) prop^2 (kinematics.h), so that
     * d2sigma = (1 + s P) G_F^2/(2 pi x) prop^2 sigma_r,CC with sigma_r,CC = (Y+ W2 -+ Y- xW3 -
     * y^2 WL)/2 (Y+ y + y^2 (1 - y) = Y-); the F2 slot then holds W2 - xW3 = 2x(ubar + cbar +
     * ...) for e+ at y -> 1 instead of a difference of the two slots that cancels to 1e-4
     * there (docs/physics-ew.md). */
    int ew;                     /* 0 photon exchange, PF_OPS_EW_NC, PF_OPS_EW_CC */
    pf_dis_ew ewp;
    double complex *K3;         /* CC: xW3 */
    pf_kin_born born;           /* the Born factor's exchange: W for CC (kernels/kinematics.h) */
    double *f23;                /* CC: nq2 x nx, the coefficient of xW3 in the F2 slot */
    double complex *Kp[3][PF_EW_NPIECE];
    double complex *Kc[3];
    double *fl3;
    pf_ops_gemm_fn gemm;        /* pf_ops_set_gemm: NULL = built-in BLAS */
    void *gemm_ctx;
};

/* Allocates an operator object for the given axes and node count (K, Cs zeroed); fills
 * nx, nq2, nn, logx, xpow, logq2, q2eval from the axes. */
pf_ops *pf_ops_alloc(const pf_interp_axis *xaxis, const pf_interp_axis *qaxis, size_t nn,
                     pf_status *st);

/* Copies the card and derives s, alpha_em and the cut array from its kinematics. */
void pf_ops_set_card(pf_ops *ops, const pf_card *card);

/* After pf_ops_set_card: for a neutral-current card sets ew and allocates the pieces, Kc and
 * fl3, for a charged-current card K3, Kc and fl3 (nothing for a photon card). */
int pf_ops_ew_setup(pf_ops *ops, pf_status *st);
/* Once K and the pieces are filled: Kc and fl3 from the card's lepton (no-op for photon cards). */
void pf_ops_ew_combine(pf_ops *ops);


/* The grid axes for a card: x from the cut region (x >= q2_min / (s y_max)) with margin,
 * Q^2 from q2_min to q2_max with margin, split at the ZM-VFNS thresholds. */
int pf_ops_grid_axes(const pf_card *card, pf_interp_axis *xaxis, pf_interp_axis *qaxis,
                     pf_status *st);

/* pf_ops_grid_values_from_moments (ops.h) is what pf_ops_grid_values calls after
 * pf_pdf_moments. */

/* x f of the PF_NOUT flavours on the grid nodes from input moments (pf_ops_pdf_values). */
int pf_ops_pdf_values_from_moments(const pf_ops *ops, const double complex *M, double *xf, pf_status *st);

/* pf_ops_domain_error: ops.h */

/* Interpolation coordinates of a point: t = ln Q^2, u = ln(x/(1-x)), and (1-x)^XPOW.
 * Branch-free (pf_interp_log), so that loops over points vectorise; the caller checks
 * 0 < x < 1, q2 > 0. */
static inline void pf_ops_coords(double x, double q2, double *t, double *u, double *xf)
{
    const double omx = 1.0 - x;
    *t = pf_interp_log(q2);
    *u = pf_interp_log(x) - pf_interp_log(omx);
#if PF_OPS_XPOW != 3
#error "pf_ops_coords writes (1-x)^3 out (a loop would stop the vectoriser)"
#endif
    *xf = omx * omx * omx;
}

/* Stencil from the coordinates: first row r0, first column c0, weights wr (Q^2), wc (x;
 * with the (1-x)^XPOW / (1-x_c)^XPOW factor of the interpolated F / (1-x)^XPOW). */
static inline int pf_ops_stencil_at(const pf_ops *o, double t, double u, double xf, int *r0, int *c0,
                                    double wr[4], double wc[4])
{
    if (pf_interp_axis_locate(&o->qaxis, t, r0, wr)) return -1;
    if (pf_interp_axis_locate(&o->xaxis, u, c0, wc)) return -1;
    for (int c = 0; c < 4; c++) wc[c] *= xf * o->xpow[*c0 + c];
    return 0;
}

/* Both steps for one point; -1 outside the grid. */
static inline int pf_ops_stencil(const pf_ops *o, double x, double q2, int *r0, int *c0, double wr[4],
                                 double wc[4])
{
    if (!(x > 0.0 && x < 1.0 && q2 > 0.0)) return -1;
    double t, u, xf;
    pf_ops_coords(x, q2, &t, &u, &xf);
    return pf_ops_stencil_at(o, t, u, xf, r0, c0, wr, wc);
}

#endif
