/* Internals of the evolution module shared by evol.c and evol_xf.c. */
#ifndef PARTONFLOW_EVOL_INTERNAL_H
#define PARTONFLOW_EVOL_INTERNAL_H

#include <complex.h>
#include <stddef.h>

#include "partonflow/alphas.h"
#include "partonflow/card.h"
#include "partonflow/evol.h"

#define PF_EVOL_UK 24 /* orders of the U-matrix series (|b1 a_s| < 0.25: < 1e-14) */
#define PF_EVOL_NST 13 /* q_i^+ (6), q_i^- (6), g */

typedef struct nodedata {
    double complex A, Bp, Bm, R1p, R1m;     /* non-singlet */
    double complex rp, rm, ep[4], em[4];    /* singlet R0 eigen-decomposition */
    double complex U[PF_EVOL_UK][4];        /* U_k, k = 1.. */
} nodedata;

typedef struct nodeset {
    size_t n;
    int nfmin, nfmax;
    nodedata *d;            /* [(nf - nfmin) * n + i] */
    double complex *cum;    /* states at the thresholds above mu0, [(t*n + i)*13*NIN] */
} nodeset;

struct pf_evol {
    pf_theory_card th;
    pf_alphas *as;
    double mu02, c, phi;
    int nf0;
    size_t nn;
    double complex *N, *w;
    nodeset ns;
};

int pf_evol_segments(const pf_evol *ev, double q2, double *b, int *nf);
int pf_evol_nodeset_build(const pf_evol *ev, size_t n, const double complex *N, nodeset *ns,
                          pf_status *st);
int pf_evol_nodeset_cumulate(const pf_evol *ev, nodeset *ns, pf_status *st);
void pf_evol_nodeset_free(nodeset *ns);
void pf_evol_node_operator(const pf_evol *ev, const nodeset *ns, size_t i, double q2,
                           double complex *E);
int pf_evol_check_q2(const pf_evol *ev, double q2, pf_status *st);

#endif
