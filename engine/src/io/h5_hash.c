/* partonflow io: XXH64, the 64-bit hash behind the artefact checksum.
 *
 * Written from the xxHash specification (Y. Collet, "xxHash fast digest algorithm",
 * doc/xxhash_spec.md, XXH64): four 64-bit lanes over 32-byte stripes, then merge, tail and
 * avalanche.  tests/unit/io checks it against the system's libxxhash where present. */
#include <string.h>

#include "h5_internal.h"
#include "partonflow/h5.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t rd64(const unsigned char *p)
{
    /* little-endian load, independent of the host byte order */
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t round1(uint64_t acc, uint64_t in)
{
    acc += in * P2;
    acc = rotl(acc, 31);
    return acc * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t v)
{
    acc ^= round1(0, v);
    return acc * P1 + P4;
}

void pf_hash_init(pf_hash *h, uint64_t seed)
{
    memset(h, 0, sizeof *h);
    h->seed = seed;
    h->v[0] = seed + P1 + P2;
    h->v[1] = seed + P2;
    h->v[2] = seed;
    h->v[3] = seed - P1;
}

static void stripe(pf_hash *h, const unsigned char *p)
{
    h->v[0] = round1(h->v[0], rd64(p));
    h->v[1] = round1(h->v[1], rd64(p + 8));
    h->v[2] = round1(h->v[2], rd64(p + 16));
    h->v[3] = round1(h->v[3], rd64(p + 24));
}

void pf_hash_update(pf_hash *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    h->total += len;
    if (h->nbuf) {
        size_t take = 32 - h->nbuf < len ? 32 - h->nbuf : len;
        memcpy(h->buf + h->nbuf, p, take);
        h->nbuf += take;
        p += take;
        len -= take;
        if (h->nbuf < 32)
            return;
        stripe(h, h->buf);
        h->nbuf = 0;
    }
    for (; len >= 32; p += 32, len -= 32)
        stripe(h, p);
    memcpy(h->buf, p, len);
    h->nbuf = len;
}

uint64_t pf_hash_final(const pf_hash *h)
{
    uint64_t acc;
    if (h->total >= 32) {
        acc = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) + rotl(h->v[3], 18);
        for (int i = 0; i < 4; i++)
            acc = merge(acc, h->v[i]);
    } else {
        acc = h->seed + P5;
    }
    acc += h->total;
    const unsigned char *p = h->buf;
    size_t len = h->nbuf;
    for (; len >= 8; p += 8, len -= 8) {
        acc ^= round1(0, rd64(p));
        acc = rotl(acc, 27) * P1 + P4;
    }
    if (len >= 4) {
        acc ^= (uint64_t)rd32(p) * P1;
        acc = rotl(acc, 23) * P2 + P3;
        p += 4;
        len -= 4;
    }
    for (; len > 0; p++, len--) {
        acc ^= (uint64_t)*p * P5;
        acc = rotl(acc, 11) * P1;
    }
    acc ^= acc >> 33;
    acc *= P2;
    acc ^= acc >> 29;
    acc *= P3;
    acc ^= acc >> 32;
    return acc;
}

void pf_hash_u64(pf_hash *h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    pf_hash_update(h, b, 8);
}

void pf_hash_str(pf_hash *h, const char *s)
{
    size_t n = strlen(s);
    pf_hash_u64(h, n);
    pf_hash_update(h, s, n);
}

uint64_t pf_h5_xxh64(const void *data, size_t len, uint64_t seed)
{
    pf_hash h;
    pf_hash_init(&h, seed);
    pf_hash_update(&h, data, len);
    return pf_hash_final(&h);
}
