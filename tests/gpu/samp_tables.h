/* Vose alias tables over nc cells with weights w (test helper, written from Vose's paper
 * independently of the sampler: M. D. Vose, IEEE TSE 17 (1991) 972). */
#ifndef PF_TESTS_GPU_SAMP_TABLES_H
#define PF_TESTS_GPU_SAMP_TABLES_H
#include <stdlib.h>

#include "partonflow/kernels/sampler.h"

static void samp_build(size_t nc, const double *w, double *p, uint32_t *aj, int *ix, int *iq, int ncx,
                       pf_samp_tables *t)
{
    double tot = 0;
    for (size_t c = 0; c < nc; c++) tot += w[c];
    size_t *sm = malloc(nc * sizeof *sm), *lg = malloc(nc * sizeof *lg), ns = 0, nl = 0;
    double *q = malloc(nc * sizeof *q);
    for (size_t c = 0; c < nc; c++) {
        q[c] = w[c] * (double)nc / tot;
        if (q[c] < 1) sm[ns++] = c; else lg[nl++] = c;
        ix[c] = (int)(c % (size_t)ncx);
        iq[c] = (int)(c / (size_t)ncx);
    }
    while (ns && nl) {
        size_t l = sm[--ns], g = lg[--nl];
        p[l] = q[l];
        aj[l] = (uint32_t)g;
        q[g] = (q[g] + q[l]) - 1;
        if (q[g] < 1) sm[ns++] = g; else lg[nl++] = g;
    }
    while (nl) { size_t g = lg[--nl]; p[g] = 1; aj[g] = (uint32_t)g; }
    while (ns) { size_t l = sm[--ns]; p[l] = 1; aj[l] = (uint32_t)l; }
    free(sm), free(lg), free(q);
    t->ncells = nc;
    t->alias_p = p;
    t->alias_j = aj;
    t->cell_ix = ix;
    t->cell_iq = iq;
    t->u0 = -9.2;
    t->v0 = 0.7;
    t->du = 0.091;
    t->dv = 0.113;
}
#endif
