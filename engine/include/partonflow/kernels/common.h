/* partonflow: what every header-inline kernel needs to compile under gcc (C17) and nvcc
 * (C++).  Kernels in this folder use only real arithmetic and fixed-width integers, no C99
 * _Complex (CUDA device code has no such type), and are marked PF_HD. */
#ifndef PARTONFLOW_KERNELS_COMMON_H
#define PARTONFLOW_KERNELS_COMMON_H

#ifdef __CUDACC__
#define PF_HD static __host__ __device__ __forceinline__
#else
#define PF_HD static inline
#endif

#endif
