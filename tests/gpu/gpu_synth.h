/* Synthetic likelihood rows for the GPU tests: a positive grid G on nx x nq x (F2, FL),
 * CSR rows of random length and columns, and factored stencil rows (like.h) at random
 * bases, all from Philox streams (fixed seeds), so the tests are deterministic. */
#ifndef PF_TESTS_GPU_SYNTH_H
#define PF_TESTS_GPU_SYNTH_H

#include <stdint.h>
#include <stdlib.h>

#include "partonflow/kernels/philox.h"
#include "partonflow/like.h"

typedef struct gpu_synth {
    size_t nx, nq, ngrid, n, nnz;
    double *G, *c;
    uint64_t *row_ptr;
    uint32_t *col, *st_base;
    double *val, *st_w;
} gpu_synth;

static double synth_u(uint64_t stream, uint64_t k) { return pf_rng_uniform(20251125u, stream, k); }

/* n events; CSR rows of 1..maxlen entries; stencil weights in (0, 1], f2, fl positive. */
static int gpu_synth_make(gpu_synth *s, size_t nx, size_t nq, size_t n, int maxlen)
{
    s->nx = nx, s->nq = nq, s->ngrid = 2 * nx * nq, s->n = n;
    s->G = malloc(s->ngrid * sizeof *s->G);
    s->c = malloc(s->ngrid * sizeof *s->c);
    s->row_ptr = malloc((n + 1) * sizeof *s->row_ptr);
    s->st_base = malloc(n * sizeof *s->st_base);
    s->st_w = malloc(n * PF_LIKE_STW * sizeof *s->st_w);
    if (!s->G || !s->c || !s->row_ptr || !s->st_base || !s->st_w) return -1;
    for (size_t g = 0; g < s->ngrid; g++) {
        s->G[g] = 0.5 + 1.5 * synth_u(1u << 30, g);
        s->c[g] = 1e-3 * synth_u(1u << 31, g);
    }
    s->row_ptr[0] = 0;
    for (size_t i = 0; i < n; i++) s->row_ptr[i + 1] = s->row_ptr[i] + 1 + (uint64_t)(synth_u(i, 0) * maxlen) % (uint64_t)maxlen;
    s->nnz = s->row_ptr[n];
    s->col = malloc(s->nnz * sizeof *s->col);
    s->val = malloc(s->nnz * sizeof *s->val);
    if (!s->col || !s->val) return -1;
    for (size_t i = 0; i < n; i++)
        for (uint64_t k = s->row_ptr[i]; k < s->row_ptr[i + 1]; k++) {
            const uint64_t j = 1 + 2 * (k - s->row_ptr[i]);
            /* columns clustered like interpolation rows: near a random centre */
            const size_t centre = (size_t)(synth_u(i, 1) * (double)s->ngrid);
            size_t g = centre + (size_t)(synth_u(i, j) * 64.0);
            s->col[k] = (uint32_t)(g % s->ngrid);
            s->val[k] = 1e-3 + synth_u(i, j + 1);
        }
    for (size_t i = 0; i < n; i++) {
        const size_t r0 = (size_t)(synth_u(i, 100) * (double)(nq - 3)) % (nq - 3);
        const size_t c0 = (size_t)(synth_u(i, 101) * (double)(nx - 3)) % (nx - 3);
        s->st_base[i] = (uint32_t)(2 * (r0 * nx + c0));
        for (int k = 0; k < PF_LIKE_STW; k++) s->st_w[i * PF_LIKE_STW + k] = 0.01 + synth_u(i, 102 + (uint64_t)k);
    }
    return 0;
}

static void gpu_synth_free(gpu_synth *s)
{
    free(s->G), free(s->c), free(s->row_ptr), free(s->st_base), free(s->st_w), free(s->col), free(s->val);
}

/* The likelihood data of all n events, CSR (stencil = 0) or stencil rows. */
static pf_like_data gpu_synth_data(const gpu_synth *s, int stencil)
{
    pf_like_data d = {0};
    d.ngrid = s->ngrid;
    d.nevents_total = d.nevents = s->n;
    d.first_event = 0;
    if (stencil) {
        d.st_base = s->st_base;
        d.st_w = s->st_w;
        d.st_nx = s->nx;
    } else {
        d.row_ptr = s->row_ptr;
        d.col = s->col;
        d.val = s->val;
    }
    d.c = s->c;
    d.luminosity = 250.0;
    return d;
}

#endif
