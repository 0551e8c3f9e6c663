// Dense FP64 products on the device with cuBLAS: ops' grid values are one real product
// G = [Re C | Im C] [Im A; Re A] (ops.h, ops_eval.c); the left factor does not depend on
// theta and stays on the device (pf_cuda_gemm).  Row-major host arrays: a row-major
// C = A B is the column-major C^T = B^T A^T, i.e. cublasDgemm(N, N, n, m, k, B, A).
//
// cuBLAS is opened with dlopen at the first product, not linked: libcublasLt's static
// initialisers cost ~0.35 s at every process start (measured: `partonflow --version` 0.40 s
// linked, see docs/gpu.md), paid by every CLI call of a CUDA build, GPU or not.  The
// library is found on the loader's path (libcublas.so.<major of the headers>), else in the
// toolkit directory meson found it in (PF_CUBLAS_DIR).
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <mutex>
#include <stdio.h>

extern "C" {
#include "partonflow/cuda.h"
}
#include "cuda_util.h"

struct pf_cuda_gemm {
    size_t m, k, ncap;
    const double *host_A;   // the host factor it was made from (pf_cuda_gemm_cached)
    double *A, *B, *C;
    cublasHandle_t h;
};

namespace {

#define PF_STR2(x) #x
#define PF_STR(x) PF_STR2(x)

// the five entry points (cublas_v2.h maps cublasCreate etc. to the _v2 symbols)
struct blas_api {
    decltype(&cublasCreate_v2) create;
    decltype(&cublasDestroy_v2) destroy;
    decltype(&cublasSetMathMode) set_math_mode;
    decltype(&cublasDgemm_v2) dgemm;
    decltype(&cublasGetStatusString) status_string;
    char error[512];
};

const blas_api *blas(void)
{
    static blas_api api;
    static std::once_flag once;
    std::call_once(once, [] {
        const char *names[] = {"libcublas.so." PF_STR(CUBLAS_VER_MAJOR),
#ifdef PF_CUBLAS_DIR
                               PF_CUBLAS_DIR "/libcublas.so." PF_STR(CUBLAS_VER_MAJOR), PF_CUBLAS_DIR "/libcublas.so"
#endif
        };
        void *h = nullptr;
        for (const char *n : names)
            if ((h = dlopen(n, RTLD_NOW | RTLD_LOCAL))) break;
        if (!h) {
            snprintf(api.error, sizeof api.error, "cannot open cuBLAS (libcublas.so.%d): %s", (int)CUBLAS_VER_MAJOR,
                     dlerror());
            return;
        }
        api.create = (decltype(api.create))dlsym(h, "cublasCreate_v2");
        api.destroy = (decltype(api.destroy))dlsym(h, "cublasDestroy_v2");
        api.set_math_mode = (decltype(api.set_math_mode))dlsym(h, "cublasSetMathMode");
        api.dgemm = (decltype(api.dgemm))dlsym(h, "cublasDgemm_v2");
        api.status_string = (decltype(api.status_string))dlsym(h, "cublasGetStatusString");
        if (!api.create || !api.destroy || !api.set_math_mode || !api.dgemm || !api.status_string) {
            snprintf(api.error, sizeof api.error, "cuBLAS lacks an entry point: %s", dlerror());
            api.create = nullptr;
        }
    });
    return &api;
}

int blas_fail(pf_status *st, const char *what, cublasStatus_t s)
{
    return pf_status_set(st, PF_ECUDA, "%s: cuBLAS status %d (%s)", what, (int)s, blas()->status_string(s));
}

} // namespace

extern "C" int pf_cuda_blas_open(pf_status *st)
{
    return blas()->create ? PF_OK : pf_status_set(st, PF_ECUDA, "pf_cuda_blas_open: %s", blas()->error);
}

extern "C" void pf_cuda_gemm_destroy(pf_cuda_gemm *g)
{
    if (!g) return;
    if (g->A) cudaFree(g->A);
    if (g->B) cudaFree(g->B);
    if (g->C) cudaFree(g->C);
    if (g->h) blas()->destroy(g->h);
    delete g;
}

extern "C" pf_cuda_gemm *pf_cuda_gemm_create(size_t m, size_t k, const double *A, pf_status *st)
{
    if (!m || !k || m > 2147483647u || k > 2147483647u) {
        pf_status_set(st, PF_EINVAL, "pf_cuda_gemm_create: %zu x %zu factor: expected 1 .. 2^31-1 a side", m, k);
        return nullptr;
    }
    if (pf_cuda_device_count() == 0) {
        pf_status_set(st, PF_ECUDA, "pf_cuda_gemm_create: no CUDA device");
        return nullptr;
    }
    if (!blas()->create) {
        pf_status_set(st, PF_ECUDA, "pf_cuda_gemm_create: %s", blas()->error);
        return nullptr;
    }
    pf_cuda_gemm *g = new pf_cuda_gemm();
    g->m = m;
    g->k = k;
    cudaError_t e = cudaMalloc((void **)&g->A, m * k * sizeof(double));
    if (e == cudaSuccess) e = cudaMemcpy(g->A, A, m * k * sizeof(double), cudaMemcpyHostToDevice);
    if (e != cudaSuccess) {
        pf_status_set(st, PF_ECUDA, "pf_cuda_gemm_create: %s", cudaGetErrorString(e));
        pf_cuda_gemm_destroy(g);
        return nullptr;
    }
    cublasStatus_t s = blas()->create(&g->h);
    if (s == CUBLAS_STATUS_SUCCESS)
        // no TF32/emulation shortcuts: plain FP64, so the result is comparable with cblas
        s = blas()->set_math_mode(g->h, CUBLAS_DEFAULT_MATH);
    if (s != CUBLAS_STATUS_SUCCESS) {
        g->h = nullptr;
        blas_fail(st, "pf_cuda_gemm_create", s);
        pf_cuda_gemm_destroy(g);
        return nullptr;
    }
    return g;
}

extern "C" int pf_cuda_gemm_apply(pf_cuda_gemm *g, size_t n, const double *B, double *C, pf_status *st)
{
    if (!n) return PF_OK;
    if (n > 2147483647u) return pf_status_set(st, PF_EINVAL, "pf_cuda_gemm_apply: %zu columns: expected < 2^31", n);
    if (n > g->ncap) {
        if (g->B) cudaFree(g->B);
        if (g->C) cudaFree(g->C);
        g->B = g->C = nullptr;
        g->ncap = 0;
        PF_CUDA_TRY(st, cudaMalloc((void **)&g->B, g->k * n * sizeof(double)), "pf_cuda_gemm_apply");
        PF_CUDA_TRY(st, cudaMalloc((void **)&g->C, g->m * n * sizeof(double)), "pf_cuda_gemm_apply");
        g->ncap = n;
    }
    PF_CUDA_TRY(st, cudaMemcpy(g->B, B, g->k * n * sizeof(double), cudaMemcpyHostToDevice), "pf_cuda_gemm_apply");
    const double one = 1.0, zero = 0.0;
    cublasStatus_t s = blas()->dgemm(g->h, CUBLAS_OP_N, CUBLAS_OP_N, (int)n, (int)g->m, (int)g->k, &one, g->B, (int)n,
                                      g->A, (int)g->k, &zero, g->C, (int)n);
    if (s != CUBLAS_STATUS_SUCCESS) return blas_fail(st, "pf_cuda_gemm_apply", s);
    PF_CUDA_TRY(st, cudaMemcpy(C, g->C, g->m * n * sizeof(double), cudaMemcpyDeviceToHost), "pf_cuda_gemm_apply");
    return PF_OK;
}

extern "C" int pf_cuda_gemm_cached(void *ctx, size_t m, size_t n, size_t k, const double *A, const double *B,
                                   double *C, pf_status *st)
{
    pf_cuda_gemm **g = (pf_cuda_gemm **)ctx;
    if (*g && ((*g)->host_A != A || (*g)->m != m || (*g)->k != k)) {
        pf_cuda_gemm_destroy(*g);
        *g = nullptr;
    }
    if (!*g) {
        *g = pf_cuda_gemm_create(m, k, A, st);
        if (!*g) return st ? st->code : PF_ECUDA;
        (*g)->host_A = A;
    }
    return pf_cuda_gemm_apply(*g, n, B, C, st);
}

extern "C" int pf_cuda_dgemm(size_t m, size_t n, size_t k, const double *A, const double *B, double *C,
                             pf_status *st)
{
    pf_cuda_gemm *g = pf_cuda_gemm_create(m, k, A, st);
    if (!g) return st ? st->code : PF_ECUDA;
    int rc = pf_cuda_gemm_apply(g, n, B, C, st);
    pf_cuda_gemm_destroy(g);
    return rc;
}
