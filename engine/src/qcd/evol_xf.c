/* Batch evaluation x f(x, q2) of all flavours and its parameter gradient (evol.h).
 *
 * Point-independent work happens once per call: input moments (and their derivatives)
 * at the shared nodes once, the evolution operator once per distinct q2.  Points are
 * grouped by q2; groups are processed by OpenMP threads, each point written by exactly one
 * thread with a fixed summation order, so results do not depend on the thread count. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evol_internal.h"

typedef struct { double q2; size_t i; } qidx;

static int cmp_q(const void *a, const void *b)
{
    const qidx *x = a, *y = b;
    if (x->q2 < y->q2) return -1;
    if (x->q2 > y->q2) return 1;
    return (x->i > y->i) - (x->i < y->i);
}

int pf_evol_check_points(const pf_evol *ev, size_t n, const double *x, const double *q2,
                         pf_status *st)
{
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0.0 && x[i] < 1.0))
            return pf_status_set(st, PF_EDOMAIN, "evolution: point %zu: x = %g is outside (0, 1)",
                                 i, x[i]);
        if (pf_evol_check_q2(ev, q2[i], st)) {
            pf_status_prefix(st, "point %zu: ", i);
            return st ? st->code : PF_EDOMAIN;
        }
    }
    return PF_OK;
}

#define GROUP_CHUNK 16
#define NODE_BLOCK 48
#define PF_EVOL_MAXNP 255

int pf_evol_xf_moments(const pf_evol *ev, size_t np, const double complex *M,
                       const double complex *dM, size_t n, const double *x, const double *q2,
                       double *xf, double *dxf, pf_status *st)
{
    if (pf_evol_check_points(ev, n, x, q2, st)) return st ? st->code : PF_EDOMAIN;
    if (!n) return PF_OK;
    if (!dxf) np = 0;
    const size_t nn = ev->nn, nb = nn * PF_NOUT;
    qidx *ord = malloc(sizeof(qidx) * n);
    size_t *gs = malloc(sizeof(size_t) * (n + 1));
    size_t *grp = malloc(sizeof(size_t) * n); /* group of sorted position r */
    double complex *F = malloc(sizeof(double complex) * nb * (1 + np) * GROUP_CHUNK);
    if (!ord || !gs || !grp || !F) {
        free(ord);
        free(gs);
        free(grp);
        free(F);
        return pf_status_set(st, PF_ENOMEM, "evolution: out of memory for %zu points", n);
    }
    /* input flavours each derivative touches (a parameter moves its own flavour and, via
     * the sum rules, a few others): zero columns are skipped */
    int jmask[1 + PF_EVOL_MAXNP];
    int *jm = np + 1 <= 1 + PF_EVOL_MAXNP ? jmask : malloc(sizeof(int) * (np + 1));
    if (!jm) {
        free(ord);
        free(gs);
        free(grp);
        free(F);
        return pf_status_set(st, PF_ENOMEM, "evolution: out of memory");
    }
    for (size_t p = 0; p <= np; p++) {
        const double complex *src = p ? dM + (p - 1) * nn * PF_NIN : M;
        jm[p] = 0;
        for (size_t m = 0; m < nn; m++)
            for (int j = 0; j < PF_NIN; j++)
                if (src[m * PF_NIN + j] != 0.0) jm[p] |= 1 << j;
    }
    for (size_t i = 0; i < n; i++) ord[i] = (qidx){q2[i], i};
    qsort(ord, n, sizeof *ord, cmp_q);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || ord[i].q2 != ord[i - 1].q2) gs[ng++] = i;
        grp[i] = ng - 1;
    }
    gs[ng] = n;
    int fail = 0;
    /* chunks of groups: evolved moments of each group in parallel, then the points of the
     * chunk in parallel; every output element is written by one thread in a fixed order */
    for (size_t g0 = 0; g0 < ng; g0 += GROUP_CHUNK) {
        const size_t g1 = g0 + GROUP_CHUNK < ng ? g0 + GROUP_CHUNK : ng;
#pragma omp parallel
        {
            double complex *E = malloc(sizeof(double complex) * PF_NOUT * PF_NIN);
            if (!E) {
#pragma omp atomic write
                fail = 1;
            }
            /* work items: (group, block of NODE_BLOCK nodes), so that one q2 alone still
             * spreads over the threads */
            const size_t nblk = (nn + NODE_BLOCK - 1) / NODE_BLOCK;
#pragma omp for schedule(dynamic, 1)
            for (size_t it = 0; it < (g1 - g0) * nblk; it++) {
                if (!E) continue;
                const size_t g = g0 + it / nblk, m0 = (it % nblk) * NODE_BLOCK;
                const size_t m1 = m0 + NODE_BLOCK < nn ? m0 + NODE_BLOCK : nn;
                evplan plan;
                pf_evol_plan(ev, ord[gs[g]].q2, &plan);
                double complex *Fg = F + (g - g0) * nb * (1 + np);
                if (np == 0) {
                    /* no gradient: evolve the moment vector itself (cheaper than the
                     * 13 x 11 operator) */
                    double complex scratch[PF_EVOL_NST];
                    for (size_t m = m0; m < m1; m++)
                        pf_evol_node_vectors(ev, &ev->ns, m, &plan, 1, M + m * PF_NIN,
                                             Fg + m * PF_NOUT, scratch);
                    continue;
                }
                for (size_t m = m0; m < m1; m++) {
                    double complex *e = E;
                    pf_evol_node_operator(ev, &ev->ns, m, &plan, e);
                    for (size_t p = 0; p <= np; p++) {
                        const double complex *src = (p ? dM + (p - 1) * nn * PF_NIN : M) + m * PF_NIN;
                        double complex *dst = Fg + p * nb + m * PF_NOUT;
                        for (int k = 0; k < PF_NOUT; k++) dst[k] = 0.0;
                        for (int j = 0; j < PF_NIN; j++) {
                            if (!(jm[p] >> j & 1)) continue;
                            const double complex v = src[j];
                            for (int k = 0; k < PF_NOUT; k++) dst[k] += e[k * PF_NIN + j] * v;
                        }
                    }
                }
            }
            free(E);
            double complex *kern = malloc(sizeof(double complex) * nn);
            if (!kern) {
#pragma omp atomic write
                fail = 1;
            }
#pragma omp for schedule(static)
            for (size_t r = gs[g0]; r < gs[g1]; r++) {
                if (!kern) continue;
                const size_t i = ord[r].i;
                const double complex *Fg = F + (grp[r] - g0) * nb * (1 + np);
                pf_evol_mellin_kernel(ev, x[i], kern);
                for (size_t p = 0; p <= np; p++) {
                    double acc[PF_NOUT] = {0};
                    const double complex *src = Fg + p * nb;
                    for (size_t m = 0; m < nn; m++) {
                        const double kr = creal(kern[m]), ki = cimag(kern[m]);
                        const double complex *sm = src + m * PF_NOUT;
                        for (int k = 0; k < PF_NOUT; k++)
                            acc[k] += kr * cimag(sm[k]) + ki * creal(sm[k]);
                    }
                    double *out = p ? dxf + ((p - 1) * n + i) * PF_NOUT : xf + i * PF_NOUT;
                    memcpy(out, acc, sizeof acc);
                }
            }
            free(kern);
        }
        if (fail) break;
    }
    if (jm != jmask) free(jm);
    free(ord);
    free(gs);
    free(grp);
    free(F);
    if (fail) return pf_status_set(st, PF_ENOMEM, "evolution: out of memory for thread scratch");
    return PF_OK;
}
