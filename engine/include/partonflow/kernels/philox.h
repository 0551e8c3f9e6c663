/* partonflow: the counter-based random numbers of the whole engine (CPU and GPU).
 *
 * Philox4x32-10 from J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC11 (2011), section 4.2 / figure 2: a 10-round
 * Feistel-like bijection of a 128-bit counter under a 64-bit key.  Because the k-th number
 * of a stream is a pure function of (seed, stream, k), event i's random numbers never
 * depend on how events are split across threads, ranks or GPU blocks.
 *
 * Layout of a Philox call (docs/artefacts.md, "Random numbers"):
 *   key = {seed & 0xffffffff, seed >> 32}
 *   ctr = {block & 0xffffffff, (block >> 32) | domain, stream & 0xffffffff, stream >> 32}
 * where domain is 0 for uniforms and 1 << 31 for normals, so uniforms and normals of the
 * same (seed, stream) never share a counter.
 *   uniform k: block k/2, 64-bit word (k & 1) of the 128-bit output (two uniforms a call);
 *   normal  k: block k, domain "normals"; both 64-bit words become two uniforms for one
 *              Box-Muller transform (only the cosine branch is used, so that normal k is a
 *              function of k alone).
 * Uniform index k may take any uint64 value; normal index k must be below 2^63.
 *
 * Real arithmetic and fixed-width integers only: this header is compiled by gcc (C17) and
 * by nvcc (C++) alike. */
#ifndef PARTONFLOW_KERNELS_PHILOX_H
#define PARTONFLOW_KERNELS_PHILOX_H

#include <math.h>
#include <stdint.h>

#include "partonflow/kernels/common.h"

typedef struct { uint32_t v[4]; } pf_philox_ctr;
typedef struct { uint32_t v[2]; } pf_philox_key;

/* Multipliers and Weyl key increments of Philox4x32 (Salmon et al., table 2 and 4.2). */
#define PF_PHILOX_M0 0xD2511F53u
#define PF_PHILOX_M1 0xCD9E8D57u
#define PF_PHILOX_W0 0x9E3779B9u /* golden ratio */
#define PF_PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

PF_HD pf_philox_ctr pf_philox4x32_round(pf_philox_ctr c, pf_philox_key k)
{
    /* One round: two 32x32->64 multiplications; the high halves are xor-ed with the other
     * counter words and the key, the words are permuted (Salmon et al., eq. in 4.2). */
    uint64_t p0 = (uint64_t)PF_PHILOX_M0 * c.v[0];
    uint64_t p1 = (uint64_t)PF_PHILOX_M1 * c.v[2];
    pf_philox_ctr r;
    r.v[0] = (uint32_t)(p1 >> 32) ^ c.v[1] ^ k.v[0];
    r.v[1] = (uint32_t)p1;
    r.v[2] = (uint32_t)(p0 >> 32) ^ c.v[3] ^ k.v[1];
    r.v[3] = (uint32_t)p0;
    return r;
}

/* Philox4x32 with 10 rounds; the key is bumped by (W0, W1) between rounds. */
PF_HD pf_philox_ctr pf_philox4x32_10(pf_philox_ctr ctr, pf_philox_key key)
{
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            key.v[0] += PF_PHILOX_W0;
            key.v[1] += PF_PHILOX_W1;
        }
        ctr = pf_philox4x32_round(ctr, key);
    }
    return ctr;
}

#define PF_RNG_NORMAL_DOMAIN 0x80000000u

PF_HD pf_philox_ctr pf_rng_block(uint64_t seed, uint64_t stream, uint64_t block, uint32_t domain)
{
    pf_philox_ctr c;
    pf_philox_key k;
    k.v[0] = (uint32_t)seed;
    k.v[1] = (uint32_t)(seed >> 32);
    c.v[0] = (uint32_t)block;
    c.v[1] = (uint32_t)(block >> 32) | domain;
    c.v[2] = (uint32_t)stream;
    c.v[3] = (uint32_t)(stream >> 32);
    return pf_philox4x32_10(c, k);
}

/* 64 random bits -> a double in (0, 1): the top 53 bits m give m * 2^-53 (the 53-bit grid
 * of [0, 1)); m = 0, a 2^-53 event, is replaced by 2^-54 so that 0 never occurs (ln u is
 * finite) and 1 cannot occur since m < 2^53. */
PF_HD double pf_rng_u64_to_open01(uint64_t bits)
{
    uint64_t m = bits >> 11;
    return m ? (double)m * 0x1.0p-53 : 0x1.0p-54;
}

PF_HD uint64_t pf_rng_word(pf_philox_ctr r, int w)
{
    return w ? ((uint64_t)r.v[3] << 32 | r.v[2]) : ((uint64_t)r.v[1] << 32 | r.v[0]);
}

/* The k-th uniform double in (0, 1) of stream (seed, stream). */
PF_HD double pf_rng_uniform(uint64_t seed, uint64_t stream, uint64_t k)
{
    pf_philox_ctr r = pf_rng_block(seed, stream, k >> 1, 0u);
    return pf_rng_u64_to_open01(pf_rng_word(r, (int)(k & 1u)));
}

/* The k-th standard normal deviate of stream (seed, stream), k < 2^63: Box-Muller,
 * z = sqrt(-2 ln u1) cos(2 pi u2) (G. E. P. Box, M. E. Muller, Ann. Math. Statist. 29
 * (1958) 610), with u1, u2 the two uniforms of one Philox block in the normal domain.
 * |z| <= sqrt(2 * 54 ln 2) = 8.65 since u1 >= 2^-54. */
PF_HD double pf_rng_normal(uint64_t seed, uint64_t stream, uint64_t k)
{
    pf_philox_ctr r = pf_rng_block(seed, stream, k, PF_RNG_NORMAL_DOMAIN);
    double u1 = pf_rng_u64_to_open01(pf_rng_word(r, 0));
    double u2 = pf_rng_u64_to_open01(pf_rng_word(r, 1));
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925287 * u2);
}

#endif
