/* partonflow: the candidate draw of the event sampler (sim.h, algorithm step 4), shared by
 * the CPU sampler and the device: event i's j-th candidate from Philox stream (seed, i),
 * uniforms k = 4j .. 4j+3 (both words of blocks 2j and 2j + 1):
 *   k = 4j:   U n split into the alias column c (integer part) and the coin (fraction):
 *             keep c when the fraction < alias_p[c], else take alias_j[c] (Vose's alias
 *             method, M. D. Vose, IEEE TSE 17 (1991) 972);
 *   k = 4j+1: u = u0 + (cell_ix[c] + U) du   (ln x inside the cell),
 *   k = 4j+2: v = v0 + (cell_iq[c] + U) dv   (ln Q^2 inside the cell),
 *   k = 4j+3: the accept-reject uniform.
 * Integer and IEEE arithmetic only, so host and device give the same bits (nvcc with
 * --fmad=false, docs/gpu.md).  What turns a candidate into an event (x = exp(u),
 * Q^2 = exp(v), cuts, density, accept) is not here: see docs/gpu.md, "The sampler". */
#ifndef PARTONFLOW_KERNELS_SAMPLER_H
#define PARTONFLOW_KERNELS_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/kernels/common.h"
#include "partonflow/kernels/philox.h"

/* The sampler's tables (sim's pf_sim_sampler holds them). */
typedef struct pf_samp_tables {
    size_t ncells;
    const double *alias_p;     /* ncells: probability of keeping the column */
    const uint32_t *alias_j;   /* ncells: the alias */
    const int *cell_ix, *cell_iq; /* ncells: the cell's position in the (ln x, ln Q^2) lattice */
    double u0, v0, du, dv;     /* lattice origin and cell sizes */
} pf_samp_tables;

/* Candidate j of event `stream`: cell, (u, v) = (ln x, ln Q^2), accept uniform. */
PF_HD void pf_samp_candidate(const pf_samp_tables *t, uint64_t seed, uint64_t stream, uint64_t j, size_t *cell,
                             double *u, double *v, double *acc)
{
    const uint64_t k = 4 * j;
    const pf_philox_ctr b0 = pf_rng_block(seed, stream, k >> 1, 0u);
    const pf_philox_ctr b1 = pf_rng_block(seed, stream, (k >> 1) + 1, 0u);
    const double un = pf_rng_u64_to_open01(pf_rng_word(b0, 0)) * (double)t->ncells;
    size_t c = (size_t)un;
    if (c >= t->ncells) c = t->ncells - 1;
    if (un - (double)c >= t->alias_p[c]) c = t->alias_j[c];
    *cell = c;
    *u = t->u0 + (t->cell_ix[c] + pf_rng_u64_to_open01(pf_rng_word(b0, 1))) * t->du;
    *v = t->v0 + (t->cell_iq[c] + pf_rng_u64_to_open01(pf_rng_word(b1, 0))) * t->dv;
    *acc = pf_rng_u64_to_open01(pf_rng_word(b1, 1));
}

#endif
