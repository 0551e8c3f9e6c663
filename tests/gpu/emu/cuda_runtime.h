// A CPU stand-in for the few CUDA runtime features engine/src/cuda/like.cu uses, so that
// its launchers and kernels run unchanged (compiled by g++ as C++17) where no GPU exists:
// each device thread of a block is a coroutine (ucontext), blocks run one after another;
// __syncthreads is a barrier of the block, __shfl_down_sync exchanges through a per-warp
// buffer between two barriers, atomicMin is plain (one OS thread).  "Device" memory is
// host memory.  It checks the kernels' logic (indices, segments, trees, barriers), not device
// performance or the device's floating point (docs/gpu.md).
#ifndef PF_TESTS_GPU_EMU_CUDA_RUNTIME_H
#define PF_TESTS_GPU_EMU_CUDA_RUNTIME_H

#include <ucontext.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static // blocks run one at a time: one copy, shared by the block's threads

typedef int cudaError_t;
enum { cudaSuccess = 0, cudaErrorMemoryAllocation = 2 };
enum cudaMemcpyKind { cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice };

inline const char *cudaGetErrorString(cudaError_t e) { return e ? "out of memory (emulated)" : "no error"; }
inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline cudaError_t cudaMalloc(void **p, size_t n)
{
    *p = std::malloc(n ? n : 1);
    return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
template <typename T> cudaError_t cudaMalloc(T **p, size_t n) { return cudaMalloc((void **)p, n); }
inline cudaError_t cudaFree(void *p)
{
    std::free(p);
    return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void *d, const void *s, size_t n, cudaMemcpyKind)
{
    std::memcpy(d, s, n);
    return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void *d, const void *s, size_t n, cudaMemcpyKind k) { return cudaMemcpy(d, s, n, k); }
inline cudaError_t cudaMemset(void *d, int v, size_t n)
{
    std::memset(d, v, n);
    return cudaSuccess;
}
inline cudaError_t cudaMemsetAsync(void *d, int v, size_t n)
{
    std::memset(d, v, n);
    return cudaSuccess;
}

namespace pf_emu {
struct idx3 { unsigned x, y, z; };
// The block being run: one coroutine per device thread, run round-robin by one OS thread.
// A device thread gives way at every barrier (__syncthreads, and twice per
// __shfl_down_sync); a round runs every live thread up to its next barrier, so a round is
// a barrier for the whole block.  That is exact for kernels whose threads all pass the
// same barriers (__syncthreads) or whose warps' lanes all do (shuffles), as the CUDA
// rules require anyway.
struct sched {
    ucontext_t main;
    std::vector<ucontext_t> ctx;
    std::vector<char> done;
    std::vector<double> shfl;
    unsigned cur = 0;
};
inline sched *S;
inline idx3 tid, bid, bdim;

inline void yield_() { swapcontext(&S->ctx[S->cur], &S->main); }

template <typename F> struct entry {
    static void run(unsigned lo, unsigned hi)
    {
        F *f = (F *)(((uintptr_t)hi << 32) | lo);
        (*f)();
        S->done[S->cur] = 1;
    }
};

// getcontext/swapcontext return twice: kept out of the launcher's loops (-Wclobbered).
__attribute__((noinline)) inline void make_(ucontext_t *c, char *stack, size_t size, void (*fn)(), uintptr_t arg)
{
    getcontext(c);
    c->uc_stack.ss_sp = stack;
    c->uc_stack.ss_size = size;
    c->uc_link = &S->main;
    makecontext(c, fn, 2, (unsigned)(arg & 0xffffffffu), (unsigned)(arg >> 32));
}
__attribute__((noinline)) inline void resume_(unsigned t)
{
    S->cur = t;
    tid = {t, 0, 0};
    swapcontext(&S->main, &S->ctx[t]);
}

template <typename... P> struct launcher {
    unsigned grid, block;
    void (*kern)(P...);
    template <typename... A> void operator()(A... args) const
    {
        if (!grid || !block) return;
        const size_t stack = 128 * 1024;
        std::unique_ptr<char[]> stacks(new char[(size_t)block * stack]);
        sched s;
        s.ctx.resize(block);
        s.shfl.resize(32 * ((block + 31) / 32));
        S = &s;
        auto body = [&] { kern(args...); };
        using B = decltype(body);
        for (unsigned b = 0; b < grid; b++) {
            bid = {b, 0, 0};
            bdim = {block, 1, 1};
            s.done.assign(block, 0);
            for (unsigned t = 0; t < block; t++)
                make_(&s.ctx[t], stacks.get() + (size_t)t * stack, stack, (void (*)())entry<B>::run,
                      (uintptr_t)&body);
            for (unsigned live = block; live;) {
                live = 0;
                for (unsigned t = 0; t < block; t++) {
                    if (s.done[t]) continue;
                    resume_(t);
                    live += !s.done[t];
                }
            }
        }
        S = nullptr;
    }
};
template <typename... P> launcher<P...> launch(unsigned grid, unsigned block, void (*k)(P...))
{
    return launcher<P...>{grid, block, k};
}
} // namespace pf_emu

#define threadIdx (pf_emu::tid)
#define blockIdx (pf_emu::bid)
#define blockDim (pf_emu::bdim)
#define PF_CU_LAUNCH(kernel, grid, block) pf_emu::launch((unsigned)(grid), (unsigned)(block), kernel)

inline void __syncthreads() { pf_emu::yield_(); }

// Whole warps only (the kernels leave warp by warp), as the hardware requires for a full mask.
inline double __shfl_down_sync(unsigned, double v, int off)
{
    const unsigned lane = pf_emu::tid.x & 31, w = pf_emu::tid.x >> 5;
    double *buf = pf_emu::S->shfl.data() + 32 * w;
    buf[lane] = v;
    pf_emu::yield_();
    const double r = lane + (unsigned)off < 32 ? buf[lane + off] : v;
    pf_emu::yield_();
    return r;
}

inline double __shfl_sync(unsigned, double v, int src)
{
    const unsigned lane = pf_emu::tid.x & 31, w = pf_emu::tid.x >> 5;
    double *buf = pf_emu::S->shfl.data() + 32 * w;
    buf[lane] = v;
    pf_emu::yield_();
    const double r = buf[src & 31];
    pf_emu::yield_();
    return r;
}

inline unsigned long long atomicMin(unsigned long long *p, unsigned long long v)
{
    unsigned long long old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
    while (v < old && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    return old;
}

#endif
