/* partonflow dis, private: the points of an exact-path batch grouped by distinct Q^2, so
 * that each structure-function operator is computed once (sf.c, sf_ew.c). */
#ifndef PARTONFLOW_DIS_GROUP_H
#define PARTONFLOW_DIS_GROUP_H

#include <stddef.h>
#include <stdlib.h>

typedef struct {
    double q2;
    size_t i;
} q2_index;

static inline int pf_dis_cmp_q2(const void *a, const void *b)
{
    const q2_index *u = a, *v = b;
    if (u->q2 < v->q2) return -1;
    if (u->q2 > v->q2) return 1;
    return (u->i > v->i) - (u->i < v->i);
}

/* ord[n]: the points by ascending (q2, index); gstart[n + 1]: group g is ord[gstart[g] ..
 * gstart[g+1]), one distinct q2 each, ascending.  Returns the number of groups. */
static inline size_t pf_dis_group_q2(size_t n, const double *q2, q2_index *ord, size_t *gstart)
{
    for (size_t i = 0; i < n; i++) ord[i] = (q2_index){q2[i], i};
    qsort(ord, n, sizeof *ord, pf_dis_cmp_q2);
    size_t ng = 0;
    for (size_t k = 0; k < n; k++)
        if (k == 0 || ord[k].q2 != ord[k - 1].q2) gstart[ng++] = k;
    gstart[ng] = n;
    return ng;
}

#endif
