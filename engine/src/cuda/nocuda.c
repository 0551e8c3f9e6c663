/* The CUDA backend in a build without nvcc: no device, every call says so. */
#include "partonflow/cuda.h"

static int no_cuda(pf_status *st, const char *what)
{
    return pf_status_set(st, PF_ECUDA, "%s: this partonflow was built without CUDA (no nvcc at "
                         "configure time; rebuild with -Dcuda=enabled)", what);
}

int pf_cuda_device_count(void) { return 0; }

int pf_cuda_device_name(char *buf, size_t len, pf_status *st)
{
    if (len)
        buf[0] = '\0';
    return no_cuda(st, "pf_cuda_device_name");
}

int pf_cuda_rng_uniform(uint64_t seed, uint64_t stream0, uint64_t k, size_t n, double *out,
                        pf_status *st)
{
    (void)seed; (void)stream0; (void)k; (void)n; (void)out;
    return no_cuda(st, "pf_cuda_rng_uniform");
}

int pf_cuda_rng_normal(uint64_t seed, uint64_t stream0, uint64_t k, size_t n, double *out,
                       pf_status *st)
{
    (void)seed; (void)stream0; (void)k; (void)n; (void)out;
    return no_cuda(st, "pf_cuda_rng_normal");
}
