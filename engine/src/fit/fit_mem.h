/* partonflow fit: memory hints for the per-event arrays (private). */
#ifndef PF_FIT_MEM_H
#define PF_FIT_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

/* Asks the kernel for transparent huge pages on the page-aligned interior of [p, p + n),
 * before the memory is first touched.  At 1e8 events the stencil rows are 8.8 GB: with 4 kB
 * pages their first touch is 2 M page faults, which in a virtual machine cost more than
 * reading the file (measured: 50 of the 82 s a likelihood.h5 of 1e8 events took to load;
 * docs/performance.md).  A hint only: where THP is off ("never") nothing changes. */
static inline void pf_fit_advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (!p || n < ((size_t)8 << 20)) return;
    const uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)p + n) & ~(uintptr_t)4095;
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

#endif
