/* partonflow bench gpu: issue 8 item 5 (docs/gpu.md, docs/performance.md section GPU).
 * Times the device event pass, ln L + u = W^T s (the gradient's event part), at N events
 * (default 1e6, 1e7, 1e8) of factored stencil rows (the perfect-detector layout of like.h,
 * 84 bytes per event), in FP64 and with FP32-stored weights, and reports
 *  - the achieved bandwidth (pf_cuda_like_bytes / median time) against the device's
 *    measured device-to-device copy bandwidth (the roofline);
 *  - accuracy: FP64 device against the CPU pass (pf_like_events) relative on ln L; FP32
 *    storage against FP64 device, relative on ln L and worst relative on u.
 * The rows are synthetic but shaped like prepare's: Lagrange cubic weights at random
 * fractions, events crowded towards small x and Q^2, on a 100 x 40 grid. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "commands.h"
#include "partonflow/cuda.h"
#include "partonflow/kernels/philox.h"
#include "partonflow/like.h"

#define BG_NX 100
#define BG_NQ 40

typedef struct gjob {
    pf_cuda_like *lk;
    const double *G;
    double lnl, *u;
} gjob;

static int run_eval(void *p)
{
    gjob *j = p;
    pf_status st;
    return pf_cuda_like_eval(j->lk, j->G, &j->lnl, j->u, &st);
}

/* cubic Lagrange weights at fraction t in [0, 1) of the middle interval of 4 nodes */
static void lagrange(double t, double *w)
{
    const double x = 1.0 + t;
    w[0] = -(x - 1) * (x - 2) * (x - 3) / 6.0;
    w[1] = x * (x - 2) * (x - 3) / 2.0;
    w[2] = -x * (x - 1) * (x - 3) / 2.0;
    w[3] = x * (x - 1) * (x - 2) / 6.0;
}

static void make_rows(size_t n, uint32_t *base, double *sw)
{
#pragma omp parallel for schedule(static)
    for (long i = 0; i < (long)n; i++) {
        const double a = pf_rng_uniform(8, (uint64_t)i, 0), b = pf_rng_uniform(8, (uint64_t)i, 1);
        const size_t r0 = (size_t)(a * a * (BG_NQ - 3)), c0 = (size_t)(b * b * (BG_NX - 3));
        base[i] = (uint32_t)(2 * (r0 * BG_NX + c0));
        double *w = sw + (size_t)i * PF_LIKE_STW;
        lagrange(pf_rng_uniform(8, (uint64_t)i, 2), w);
        lagrange(pf_rng_uniform(8, (uint64_t)i, 3), w + 4);
        const double y = 0.05 + 0.9 * pf_rng_uniform(8, (uint64_t)i, 4);
        w[8] = 1e3 * (1 + (1 - y) * (1 - y)); /* F2, FL factors of the Born cross section */
        w[9] = -1e3 * y * y;
    }
}

/* The same rows as CSR: the 32 (index, weight) pairs of each stencil, in the
 * pf_ops_xsec_weights order (a = F2, FL; r; c), as prepare writes for a smeared detector. */
static void expand_rows(size_t n, const uint32_t *base, const double *sw, uint64_t *row, uint32_t *col, double *val)
{
#pragma omp parallel for schedule(static)
    for (long i = 0; i < (long)n; i++) {
        const double *w = sw + (size_t)i * PF_LIKE_STW;
        for (int t = 0; t < 32; t++) {
            const int a = t >> 4, r = (t >> 2) & 3, c = t & 3;
            const size_t k = (size_t)i * 32 + (size_t)t;
            col[k] = base[i] + (uint32_t)((size_t)r * 2 * BG_NX + 2 * (size_t)c + (size_t)a);
            val[k] = w[r] * w[4 + c] * w[8 + a];
        }
        row[i + 1] = ((uint64_t)i + 1) * 32;
    }
    row[0] = 0;
}

/* max_g |a_g - b_g| / max_g |b_g|: u's components mix signs (Lagrange weights, the FL
 * factor), so a per-component ratio would measure cancellation, not the pass */
static double udiff(size_t n, const double *a, const double *b)
{
    double d = 0, m = 0;
    for (size_t g = 0; g < n; g++) {
        d = fmax(d, fabs(a[g] - b[g]));
        m = fmax(m, fabs(b[g]));
    }
    return m > 0 ? d / m : d;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow bench gpu [--events N[,N..]] [--fp32] [--csr] [--json] [--repeats R] [--warmup W]\n\n"
            "The device event pass, ln L + u = W^T s on stencil rows (with --csr: the same rows\n"
            "as 32-entry CSR rows, the smeared-detector layout), at N events (default\n"
            "1000000,10000000,100000000; with --csr 1000000,10000000), FP64 and (always, or only\n"
            "with --fp32) FP32-stored weights with FP64 arithmetic:\n"
            "  gpu_lnl_fp64            ln L alone (accuracy: relative to the CPU pass)\n"
            "  gpu_lnl_grad_fp64       ln L + u  (accuracy: the larger of ln L's relative\n"
            "                          difference from the CPU pass and max|du| / max|u|)\n"
            "  gpu_lnl_grad_fp32       ln L + u, FP32 storage (accuracy: the same measure\n"
            "                          against the FP64 device pass)\n"
            "(gpu_csr_* with --csr)\n"
            "then, per row, the bytes moved, the achieved bandwidth and its fraction of the\n"
            "measured device-to-device copy bandwidth.  Needs a CUDA device.\n");
}

static void print_bw(FILE *out, int json, const char *name, size_t n, double bytes, double t, double copy,
                     const char *dev)
{
    const double gbs = bytes / t * 1e-9;
    if (json)
        fprintf(out,
                "{\"name\": \"%s_bandwidth\", \"n\": %zu, \"bytes\": %.6e, \"achieved_gbs\": %.1f, "
                "\"copy_gbs\": %.1f, \"fraction_of_copy\": %.3f, \"device\": \"%s\"}\n",
                name, n, bytes, gbs, copy, gbs / copy, dev);
    else
        fprintf(out, "  %-26s %10zu  %10.3e bytes  %8.1f GB/s  %5.1f%% of copy %.1f GB/s\n", name, n, bytes, gbs,
                100 * gbs / copy, copy);
    fflush(out);
}

int pf_bench_gpu(int argc, char **argv)
{
    int json = 0, repeats = 20, warmup = 3, only_fp32 = 0, csr = 0;
    double *sizes = NULL;
    size_t nsizes = 0;
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(sizes);
            return PF_EXIT_OK;
        }
        int c = pf_bench_common_arg(argc, argv, &i, "bench gpu", &json, &repeats, &warmup);
        if (c < 0) {
            free(sizes);
            return PF_EXIT_USAGE;
        }
        if (c) continue;
        if (!strcmp(a, "--fp32")) {
            only_fp32 = 1;
        } else if (!strcmp(a, "--csr")) {
            csr = 1;
        } else if (!strcmp(a, "--events")) {
            free(sizes);
            sizes = NULL;
            if (i + 1 >= argc) return pf_cli_usage_error("bench gpu", "--events needs a value");
            if (pf_cli_parse_list("--events", argv[++i], &sizes, &nsizes, &st)) return pf_cli_fail("bench gpu", &st);
            for (size_t k = 0; k < nsizes; k++)
                if (!(sizes[k] >= 1 && sizes[k] < 4e9)) {
                    const double bad = sizes[k];
                    free(sizes);
                    return pf_cli_usage_error("bench gpu", "--events: item %zu is %g, expected 1 .. 4e9", k + 1, bad);
                }
        } else {
            free(sizes);
            return pf_cli_usage_error("bench gpu", "unknown option '%s' ('partonflow bench gpu --help')", a);
        }
    }
    if (pf_cuda_device_count() == 0) {
        free(sizes);
#ifdef PF_HAVE_CUDA
        pf_status_set(&st, PF_ECUDA, "no CUDA device");
#else
        pf_status_set(&st, PF_ECUDA, "no CUDA device (this build has no CUDA)");
#endif
        return pf_cli_fail("bench gpu", &st);
    }
    if (!sizes) {
        static const double def[] = {1e6, 1e7, 1e8};
        nsizes = csr ? 2 : 3; /* CSR at 1e8: 38 GB of rows, twice on the device */
        sizes = malloc(sizeof def);
        if (!sizes) return PF_EXIT_FAIL;
        memcpy(sizes, def, sizeof def);
    }
    char dev[128];
    double copy = 0;
    if (pf_cuda_device_name(dev, sizeof dev, &st) || pf_cuda_copy_bandwidth((size_t)1 << 30, 10, &copy, &st)) {
        free(sizes);
        return pf_cli_fail("bench gpu", &st);
    }
    if (!json) fprintf(stdout, "# device %s, device-to-device copy %.1f GB/s (read + write)\n", dev, copy);
    pf_bench_print_header(stdout, json);
    const size_t ng = 2 * BG_NX * BG_NQ;
    double *G = malloc(ng * sizeof *G), *c = malloc(ng * sizeof *c);
    double *u64 = malloc(ng * sizeof *u64), *u32 = malloc(ng * sizeof *u32), *ucpu = malloc(ng * sizeof *ucpu);
    double *I = calloc(ng * ng, sizeof *I);
    int rc = (!G || !c || !u64 || !u32 || !ucpu || !I) ? pf_status_set(&st, PF_ENOMEM, "out of memory") : PF_OK;
    for (size_t g = 0; !rc && g < ng; g++) {
        const size_t q = g / (2 * BG_NX), x = (g / 2) % BG_NX;
        const double f2 = (1.0 + 0.5 * sin(0.1 * (double)x)) * (1.0 + 0.01 * (double)q);
        G[g] = g % 2 ? 0.15 * f2 : f2;
        c[g] = 1e-6;
        I[g * ng + g] = 1.0;
    }
    for (size_t k = 0; !rc && k < nsizes; k++) {
        const size_t n = (size_t)sizes[k];
        uint32_t *base = malloc(n * sizeof *base);
        double *sw = malloc(n * PF_LIKE_STW * sizeof *sw);
        if (!base || !sw) {
            free(base), free(sw);
            rc = pf_status_set(&st, PF_ENOMEM, "out of memory for %zu events", n);
            break;
        }
        make_rows(n, base, sw);
        pf_like_data d = {0};
        d.ngrid = ng;
        d.nevents_total = d.nevents = n;
        uint64_t *row = NULL;
        uint32_t *col = NULL;
        double *val = NULL;
        if (csr) {
            row = malloc((n + 1) * sizeof *row);
            col = malloc(32 * n * sizeof *col);
            val = malloc(32 * n * sizeof *val);
            if (!row || !col || !val) {
                free(base), free(sw), free(row), free(col), free(val);
                rc = pf_status_set(&st, PF_ENOMEM, "out of memory for %zu CSR rows", n);
                break;
            }
            expand_rows(n, base, sw, row, col, val);
            free(base), free(sw);
            base = NULL, sw = NULL;
            d.row_ptr = row;
            d.col = col;
            d.val = val;
        } else {
            d.st_base = base;
            d.st_w = sw;
            d.st_nx = BG_NX;
        }
        d.c = c;
        d.luminosity = 1.0;
        /* the CPU reference, once */
        double lcpu = 0;
        pf_like *cpu = pf_like_create(&d, &st);
        if (!cpu || pf_like_events(cpu, G, I, ng, &lcpu, ucpu, &st)) rc = st.code ? st.code : PF_EINTERNAL;
        pf_like_destroy(cpu);
        double nexp = 0;
        for (size_t g = 0; g < ng; g++) nexp += c[g] * G[g];
        lcpu += nexp;                                             /* the event sum alone */
        for (size_t g = 0; g < ng; g++) ucpu[g] += d.luminosity * c[g]; /* grad = u - L c */
        double l64 = 0;
        for (int fp32 = only_fp32; !rc && fp32 < 2; fp32++) {
            pf_cuda_like *lk = pf_cuda_like_create(&d, fp32, &st);
            if (!lk) {
                rc = st.code;
                break;
            }
            for (int with_u = fp32; with_u < 2 && !rc; with_u++) {
                gjob j = {lk, G, 0, with_u ? (fp32 ? u32 : u64) : NULL};
                const char *name = !with_u ? (csr ? "gpu_csr_lnl_fp64" : "gpu_lnl_fp64")
                                   : fp32  ? (csr ? "gpu_csr_lnl_grad_fp32" : "gpu_lnl_grad_fp32")
                                           : (csr ? "gpu_csr_lnl_grad_fp64" : "gpu_lnl_grad_fp64");
                pf_bench_result r = {name, n, 1, 1, 0, 0, 0, 0, 1, 0, dev};
                if (pf_bench_time(run_eval, &j, warmup, repeats, &r)) {
                    /* run_eval's own status is lost in the timing helper: once more for the message */
                    if (pf_cuda_like_eval(lk, G, &j.lnl, j.u, &st) == PF_OK)
                        pf_status_set(&st, PF_ECUDA, "the event pass failed while timed");
                    rc = st.code;
                    break;
                }
                if (!fp32) {
                    l64 = j.lnl;
                    double w = fabs(j.lnl - lcpu) / fabs(lcpu);
                    if (with_u)
                        w = fmax(w, udiff(ng, u64, ucpu));
                    r.accuracy = w;
                } else {
                    double w = fabs(j.lnl - l64) / fabs(l64);
                    if (!only_fp32) w = fmax(w, udiff(ng, u32, u64));
                    r.accuracy = only_fp32 ? fabs(j.lnl - lcpu) / fabs(lcpu) : w;
                }
                pf_bench_print(stdout, &r, json);
                print_bw(stdout, json, name, n, pf_cuda_like_bytes(lk, with_u), r.median_s, copy, dev);
            }
            pf_cuda_like_destroy(lk);
        }
        free(base), free(sw), free(row), free(col), free(val);
    }
    free(G), free(c), free(u64), free(u32), free(ucpu), free(I), free(sizes);
    return rc ? pf_cli_fail("bench gpu", &st) : PF_EXIT_OK;
}
