/* partonflow io: pieces shared by the io sources (not installed). */
#ifndef PARTONFLOW_IO_H5_INTERNAL_H
#define PARTONFLOW_IO_H5_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Streaming XXH64: the same value as pf_h5_xxh64 over the concatenation of the updates. */
typedef struct pf_hash {
    uint64_t v[4];
    uint64_t total;
    uint64_t seed;
    unsigned char buf[32];
    size_t nbuf;
} pf_hash;

void pf_hash_init(pf_hash *h, uint64_t seed);
void pf_hash_update(pf_hash *h, const void *data, size_t len);
uint64_t pf_hash_final(const pf_hash *h);
/* Fixed-width little-endian fields, so that the hash does not depend on the host. */
void pf_hash_u64(pf_hash *h, uint64_t v);
void pf_hash_str(pf_hash *h, const char *s); /* length (u64) then the bytes */

#endif
