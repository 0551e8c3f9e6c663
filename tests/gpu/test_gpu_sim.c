/* The sampler's candidates on the device (pf_cuda_sim_candidates) are the CPU's bits
 * (pf_samp_candidate, kernels/sampler.h): cell, ln x, ln Q^2 and the accept uniform for
 * 10^6 events, first and later candidates, simulate and bootstrap-style streams.  Exits 77
 * (SKIP) without a device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_skip.h"
#include "samp_tables.h"

#define NC 999

int main(void)
{
    PF_REQUIRE_GPU();
    static double w[NC], p[NC];
    static uint32_t aj[NC];
    static int ix[NC], iq[NC];
    for (size_t c = 0; c < NC; c++) w[c] = 1e-3 + (double)((c * 104729) % 1000) / 1000.0;
    pf_samp_tables t;
    samp_build(NC, w, p, aj, ix, iq, 37, &t);
#ifndef PF_GPU_SIM_EVENTS /* the CPU emulation (tests/gpu/emu) runs fewer */
#define PF_GPU_SIM_EVENTS 1000000
#endif
    const size_t n = PF_GPU_SIM_EVENTS;
    uint32_t *cell = malloc(n * sizeof *cell);
    double *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v), *a = malloc(n * sizeof *a);
    const uint64_t firsts[2] = {0, ((uint64_t)3 << 40) | 12345};
    size_t bad = 0;
    for (int f = 0; f < 2; f++)
        for (uint64_t j = 0; j < 3; j += 2) {
            pf_status st;
            pf_status_clear(&st);
            if (pf_cuda_sim_candidates(&t, 4242, firsts[f], n, j, cell, u, v, a, &st)) {
                printf("FAIL: %s\n", st.msg);
                return 1;
            }
            for (size_t i = 0; i < n; i++) {
                size_t c;
                double uu, vv, aa;
                pf_samp_candidate(&t, 4242, firsts[f] + i, j, &c, &uu, &vv, &aa);
                if ((c != cell[i] || memcmp(&uu, &u[i], 8) || memcmp(&vv, &v[i], 8) || memcmp(&aa, &a[i], 8)) &&
                    bad++ < 5)
                    printf("FAIL stream %llu candidate %llu: cpu (%zu, %.17g, %.17g, %.17g) gpu (%u, %.17g, %.17g, %.17g)\n",
                           (unsigned long long)(firsts[f] + i), (unsigned long long)j, c, uu, vv, aa, cell[i], u[i],
                           v[i], a[i]);
            }
        }
    printf("%zu candidates differ\n", bad);
    free(cell), free(u), free(v), free(a);
    return bad != 0;
}
