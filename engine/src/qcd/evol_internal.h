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
    /* NNLO non-singlet: ln E = A ln(a/a0) + K1 I0 + K2 I1 (evol.c), for +, -, V; and the
     * heavy-quark OMEs of the threshold matching (ans, ome[4], anomalous.h) */
    double complex R1v, K2p, K2m, K2v, ans, ome[4];
    double complex rp, rm, ep[4], em[4];    /* singlet R0 eigen-decomposition */
    double complex U[PF_EVOL_UK][4];        /* U_k, k = 1.. */
} nodedata;

#define PF_EVOL_MAXBRK 6

typedef struct nodeset {
    size_t n;
    nodedata *d;            /* [pair * n + i] */
    double complex *uinv;   /* U(a)^-1 at each piece start, [(k*n + i)*4] */
    double complex *cum;    /* states at the thresholds above mu0, [(t*n + i)*13*NIN] */
} nodeset;

struct pf_evol {
    pf_theory_card th;
    pf_alphas *as;
    double mu02, c, phi;
    int nf0;
    int match0;                     /* NNLO VFNS with mu0 on a threshold: match at the start */
    int nbrk;                       /* breakpoints above mu0 (thresholds), ascending */
    double brk[PF_EVOL_MAXBRK];
    int piece_pair[PF_EVOL_MAXBRK + 1]; /* piece k -> (nf of PDFs, nf of alpha_s) pair */
    int npairs, pair_nf[PF_EVOL_MAXBRK + 1], pair_nfa[PF_EVOL_MAXBRK + 1];
    /* a_s(mu_R) at the start of every piece and at the end of the pieces that end at a
     * breakpoint, each of its piece's coupling flavours (a_s jumps at a coupling threshold
     * when mu_R != mu_F: the piece below ends with the nf value, the one above starts with
     * the matched nf+1 value) */
    double a_mu0, a_start[PF_EVOL_MAXBRK + 1], a_end[PF_EVOL_MAXBRK];
    size_t nn;
    double complex *N, *w;
    nodeset ns;
};

int pf_evol_segments(const pf_evol *ev, double q2, double *b);
int pf_evol_nodeset_build(const pf_evol *ev, size_t n, const double complex *N, nodeset *ns,
                          pf_status *st);
int pf_evol_nodeset_cumulate(const pf_evol *ev, nodeset *ns, pf_status *st);
void pf_evol_nodeset_free(nodeset *ns);
typedef struct evplan {
    int nseg;
    double b[PF_EVOL_MAXBRK + 2];                 /* boundaries (mu_F^2) */
    double a0[PF_EVOL_MAXBRK + 1], a1[PF_EVOL_MAXBRK + 1]; /* a_s(mu_R) at each segment's ends */
} evplan;
void pf_evol_plan(const pf_evol *ev, double q2, evplan *p);
void pf_evol_node_operator(const pf_evol *ev, const nodeset *ns, size_t i, const evplan *p,
                           double complex *E);
void pf_evol_node_vectors(const pf_evol *ev, const nodeset *ns, size_t i, const evplan *p,
                          int nvec, const double complex *vin, double complex *vout,
                          double complex *scratch);
int pf_evol_check_q2(const pf_evol *ev, double q2, pf_status *st);
int pf_evol_check_points(const pf_evol *ev, size_t n, const double *x, const double *q2,
                         pf_status *st);

#endif
