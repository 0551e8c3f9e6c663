/* The device Philox stream is the CPU stream: identical bits for uniforms (integer maths
 * only); normals agree to a few ulp (Box-Muller goes through the device's log and cos). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_skip.h"
#include "partonflow/kernels/philox.h"

static int compare(const char *what, int normal, uint64_t seed, uint64_t stream0, uint64_t k, size_t n)
{
    double *gpu = malloc(n * sizeof *gpu);
    pf_status st;
    pf_status_clear(&st);
    int rc = normal ? pf_cuda_rng_normal(seed, stream0, k, n, gpu, &st)
                    : pf_cuda_rng_uniform(seed, stream0, k, n, gpu, &st);
    if (rc != PF_OK) {
        printf("FAIL %s: %s\n", what, st.msg);
        free(gpu);
        return 1;
    }
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        double cpu = normal ? pf_rng_normal(seed, stream0 + i, k) : pf_rng_uniform(seed, stream0 + i, k);
        int differs = normal ? fabs(cpu - gpu[i]) > 8e-16 * (fabs(cpu) + 1.0)
                             : memcmp(&cpu, &gpu[i], sizeof cpu) != 0;
        if (differs && bad++ < 5)
            printf("FAIL %s: stream %llu: cpu %.17g gpu %.17g\n", what,
                   (unsigned long long)(stream0 + i), cpu, gpu[i]);
    }
    free(gpu);
    printf("%s: %zu draws, %zu differ\n", what, n, bad);
    return bad != 0;
}

int main(void)
{
    PF_REQUIRE_GPU();
    int fails = 0;
    fails += compare("uniform seed 12345", 0, 12345, 0, 0, 1000000);
    fails += compare("uniform high streams", 0, 987654321ULL, (1ULL << 40) | 17, 3, 100000);
    fails += compare("normal seed 12345", 1, 12345, 0, 1, 1000000);
    return fails ? 1 : 0;
}
