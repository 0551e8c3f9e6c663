/* partonflow ops: the operator object shared by the build, io and evaluation files (and
 * by the unit tests, which assemble operators from synthetic kernels). */
#ifndef PARTONFLOW_OPS_INTERNAL_H
#define PARTONFLOW_OPS_INTERNAL_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "partonflow/card.h"
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
#define PF_OPS_THRESHOLD_NUDGE 1e-9

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
    double cuts[7], s, alpha;
};

/* Allocates an operator object for the given axes and node count (K, Cs zeroed); fills
 * nx, nq2, nn, logx, xpow, logq2, q2eval from the axes. */
pf_ops *pf_ops_alloc(const pf_interp_axis *xaxis, const pf_interp_axis *qaxis, size_t nn,
                     pf_status *st);

/* Copies the card and derives s, alpha_em and the cut array from its kinematics. */
void pf_ops_set_card(pf_ops *ops, const pf_card *card);

/* The grid axes for a card: x from the cut region (x >= q2_min / (s y_max)) with margin,
 * Q^2 from q2_min to q2_max with margin, split at the ZM-VFNS thresholds. */
int pf_ops_grid_axes(const pf_card *card, pf_interp_axis *xaxis, pf_interp_axis *qaxis,
                     pf_status *st);

/* Evaluation from input moments at the Mellin nodes (pf_pdf_moments layout: M[n*PF_NIN + j],
 * dM[(p*nn + n)*PF_NIN + j]); what pf_ops_grid_values calls after pf_pdf_moments. */
int pf_ops_grid_values_from_moments(const pf_ops *ops, size_t np, const double complex *M,
                                    const double complex *dM, double *G, double *dG,
                                    pf_status *st);

#endif
