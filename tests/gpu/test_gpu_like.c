/* The device event pass (like.cu) against the CPU likelihood (pf_like_events, like.c) on
 * synthetic rows: ln L and u = W^T s (read off as the gradient for dG = identity) agree to
 * 1e-12 relative in FP64, for CSR and stencil rows, with weights 1 and with bootstrap
 * weights (zeros included); the FP32-storage variant agrees to 1e-12 with the CPU on the
 * same FP32-rounded rows; repeated evaluations are bitwise identical; a non-positive
 * density names the same event as the CPU.  Exits 77 (SKIP) without a device. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_skip.h"
#include "gpu_synth.h"

#define TOL 1e-12
#ifndef PF_GPU_TEST_EVENTS /* the CPU emulation (tests/gpu/emu) runs fewer */
#define PF_GPU_TEST_EVENTS (3 * PF_LIKE_BLOCK + 1234) /* 3 CPU blocks and a partial one */
#endif

static int fails;

static void check(int ok, const char *fmt, const char *what, double a, double b)
{
    if (!ok) {
        printf("FAIL %s: ", what);
        printf(fmt, a, b);
        printf("\n");
        fails++;
    }
}

/* CPU ln L and grad (= u - L c for dG = identity), GPU the same; compare. */
static void compare(const char *what, const pf_like_data *d, const pf_like_data *dev_d, int fp32,
                    const double *wt, const double *G)
{
    pf_status st;
    pf_status_clear(&st);
    const size_t ng = d->ngrid;
    double *I = calloc(ng * ng, sizeof *I), *gc = malloc(ng * sizeof *gc), *gg = malloc(ng * sizeof *gg);
    for (size_t g = 0; g < ng; g++) I[g * ng + g] = 1.0;
    pf_like *cpu = pf_like_create(d, &st);
    pf_cuda_like *gpu = cpu ? pf_cuda_like_create(dev_d, fp32, &st) : NULL;
    double lc = 0, lg = 0, lg2 = 0;
    if (!cpu || !gpu || pf_like_set_weights(cpu, wt, &st) || pf_cuda_like_set_weights(gpu, wt, &st) ||
        pf_like_events(cpu, G, I, ng, &lc, gc, &st) || pf_cuda_like_events(gpu, G, I, ng, &lg, gg, &st)) {
        printf("FAIL %s: %s\n", what, st.msg);
        fails++;
        goto done;
    }
    check(fabs(lg - lc) <= TOL * fabs(lc), "cpu %.17g gpu %.17g", what, lc, lg);
    size_t bad = 0;
    double worst = 0;
    for (size_t g = 0; g < ng; g++) {
        const double u = gc[g] + d->luminosity * d->c[g], scale = fabs(u) + d->luminosity * d->c[g];
        const double r = fabs(gg[g] - gc[g]) / (scale > 0 ? scale : 1.0);
        if (r > worst) worst = r;
        if (r > TOL && bad++ < 3) printf("FAIL %s: u[%zu] cpu %.17g gpu %.17g\n", what, g, gc[g], gg[g]);
    }
    fails += bad != 0;
    /* the same data twice: the same bits */
    double *gg2 = malloc(ng * sizeof *gg2);
    if (pf_cuda_like_events(gpu, G, I, ng, &lg2, gg2, &st) || memcmp(&lg, &lg2, sizeof lg) ||
        memcmp(gg, gg2, ng * sizeof *gg)) {
        printf("FAIL %s: a second evaluation differs\n", what);
        fails++;
    }
    free(gg2);
    printf("%s: ln L cpu %.17g gpu %.17g (rel %.2e), u worst rel %.2e\n", what, lc, lg,
           fabs(lg - lc) / fabs(lc), worst);
done:
    pf_like_destroy(cpu);
    pf_cuda_like_destroy(gpu);
    free(I), free(gc), free(gg);
}

int main(void)
{
    PF_REQUIRE_GPU();
    gpu_synth s;
    const size_t n = PF_GPU_TEST_EVENTS; /* on a 24 x 16 grid */
    if (gpu_synth_make(&s, 24, 16, n, 40)) {
        printf("FAIL: out of memory\n");
        return 1;
    }
    double *wt = malloc(n * sizeof *wt);
    for (size_t i = 0; i < n; i++) wt[i] = pf_like_poisson1(pf_rng_uniform(7, (1ull << 40) | i, 0));
    for (int stencil = 0; stencil < 2; stencil++) {
        pf_like_data d = gpu_synth_data(&s, stencil);
        char what[96];
        snprintf(what, sizeof what, "%s fp64 weights 1", stencil ? "stencil" : "csr");
        compare(what, &d, &d, 0, NULL, s.G);
        snprintf(what, sizeof what, "%s fp64 bootstrap weights", stencil ? "stencil" : "csr");
        compare(what, &d, &d, 0, wt, s.G);
        /* FP32 storage: the CPU on the FP32-rounded rows is the exact reference */
        pf_like_data r = d;
        double *rv = NULL;
        if (stencil) {
            rv = malloc(n * PF_LIKE_STW * sizeof *rv);
            for (size_t k = 0; k < n * PF_LIKE_STW; k++) rv[k] = (double)(float)s.st_w[k];
            r.st_w = rv;
        } else {
            rv = malloc(s.nnz * sizeof *rv);
            for (size_t k = 0; k < s.nnz; k++) rv[k] = (double)(float)s.val[k];
            r.val = rv;
        }
        snprintf(what, sizeof what, "%s fp32 storage vs cpu on rounded rows", stencil ? "stencil" : "csr");
        compare(what, &r, &d, 1, wt, s.G);
        free(rv);
    }
    /* a non-positive density: CPU and GPU name the same (lowest) event */
    {
        pf_like_data d = gpu_synth_data(&s, 0);
        double *v = malloc(s.nnz * sizeof *v);
        memcpy(v, s.val, s.nnz * sizeof *v);
        const size_t e1 = n / 3 + 17, e2 = 3 * n / 4;
        for (uint64_t k = s.row_ptr[e2]; k < s.row_ptr[e2 + 1]; k++) v[k] = -1.0;
        for (uint64_t k = s.row_ptr[e1]; k < s.row_ptr[e1 + 1]; k++) v[k] = -1.0;
        d.val = v;
        pf_status sc, sg;
        pf_status_clear(&sc);
        pf_status_clear(&sg);
        double l;
        pf_like *cpu = pf_like_create(&d, &sc);
        pf_cuda_like *gpu = pf_cuda_like_create(&d, 0, &sg);
        int rc = cpu ? pf_like_events(cpu, s.G, NULL, 0, &l, NULL, &sc) : -1;
        int rg = gpu ? pf_cuda_like_events(gpu, s.G, NULL, 0, &l, NULL, &sg) : -1;
        if (rc != PF_EDOMAIN || rg != PF_EDOMAIN || strcmp(sc.msg, sg.msg)) {
            printf("FAIL non-positive density: cpu %d '%s', gpu %d '%s'\n", rc, sc.msg, rg, sg.msg);
            fails++;
        } else
            printf("non-positive density: both say '%s'\n", sg.msg);
        pf_like_destroy(cpu);
        pf_cuda_like_destroy(gpu);
        free(v);
    }
    free(wt);
    gpu_synth_free(&s);
    printf("%s\n", fails ? "FAILED" : "all agree");
    return fails ? 1 : 0;
}
