// engine/src/cuda/like.cu and sim.cu compiled for the CPU with the stand-in runtime of
// this folder (cuda_runtime.h): the launchers and kernels themselves, run by
// test_gpu_like.c and test_gpu_sim.c where no GPU exists.  One emulated device.
#include "like.cu"
#include "sim.cu"

extern "C" int pf_cuda_device_count(void) { return 1; }
