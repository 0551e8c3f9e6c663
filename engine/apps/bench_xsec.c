/* partonflow bench xsec: issue 4 item 6 (docs/performance.md, section xsec).  Times the
 * grid path, d2sigma plus its gradient in every PDF parameter at N random points in the cut
 * region, at 1 and at T threads; the grid values G, dG for one theta; and the theory.h5
 * build.  Reports the grid path's accuracy against the exact path and the memory-traffic
 * floor of the point pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/dis.h"
#include "partonflow/dis_ew.h"
#include "partonflow/evol.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/kernels/philox.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"

typedef struct xjob {
    const pf_card *card;
    pf_ops *ops;
    const pf_pdf *pdf;
    size_t np, n;
    const double *x, *q2;
    double *G, *dG, *out, *grad;
    const char *tmp;
} xjob;

static int run_points(void *p)
{
    xjob *j = p;
    pf_status st;
    return pf_ops_xsec(j->ops, j->G, j->dG, j->np, j->n, j->x, j->q2, j->out, j->grad, &st);
}

static int run_grid(void *p)
{
    xjob *j = p;
    pf_status st;
    return pf_ops_grid_values(j->ops, j->pdf, j->G, j->dG, &st);
}

static int run_build(void *p)
{
    xjob *j = p;
    pf_status st;
    pf_ops *o = pf_ops_build(j->card, &st);
    if (!o) return 1;
    int rc = pf_ops_write(o, j->tmp, &st);
    pf_ops_destroy(o);
    unlink(j->tmp);
    return rc;
}

/* Sustained bandwidth of a non-temporal-friendly stream (copy: read + write) with the
 * current threads; the point pass streams x, q2 in and d2sigma, grad out. */
static double copy_bandwidth(size_t bytes)
{
    size_t n = bytes / sizeof(double);
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), best = 0.0;
    if (!a || !b) {
        free(a);
        free(b);
        return 0.0;
    }
#pragma omp parallel for schedule(static)
    for (long i = 0; i < (long)n; i++) a[i] = b[i] = (double)i;
    for (int r = 0; r < 5; r++) {
        double t0 = pf_bench_now();
#pragma omp parallel for schedule(static)
        for (long i = 0; i < (long)n; i++) b[i] = a[i];
        double bw = 2.0 * (double)n * sizeof(double) / (pf_bench_now() - t0);
        if (bw > best) best = bw;
    }
    free(a);
    free(b);
    return best;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow bench xsec [--points N] [--threads T] [--card CARD] [--json] [--repeats R] "
            "[--warmup W]\n\n"
            "Grid path timings (docs/performance.md, section xsec), median of R repeats after W\n"
            "warm-up calls (defaults N = 1e6, T = all cores, R = 11, W = 1, CARD =\n"
            "configs/cards/default.yaml):\n"
            "  xsec_points_grad     d2sigma + gradient in every PDF parameter at N random points\n"
            "                       (uniform in ln x, ln Q2 inside the cuts, fixed seed; per-point\n"
            "                       weights computed in every call), at 1 and at T threads;\n"
            "                       accuracy: max. rel. deviation of d2sigma from the exact path\n"
            "                       at 1000 of the points\n"
            "  xsec_points_value    the same without gradient\n"
            "  xsec_grid_values     G and dG for the card's theta (moments + one BLAS product)\n"
            "  xsec_theory_build    pf_ops_build + writing theory.h5\n"
            "  xsec_traffic_floor   bytes the point pass must move (x, q2 in; d2sigma, grad out)\n"
            "                       divided by the measured copy bandwidth at T threads\n");
}

int pf_bench_xsec(int argc, char **argv)
{
    pf_bench_opts o = {.json = 0, .repeats = 11, .warmup = 1, .n = 1000000, .threads = 0,
                       .card = "configs/cards/default.yaml"};
    const int ex = pf_bench_parse(argc, argv, "bench xsec", "--points", usage, &o);
    if (ex >= 0) return ex;
    const int json = o.json, repeats = o.repeats, warmup = o.warmup;
    const size_t npts = o.n, threads = o.threads;
    const char *card_path = o.card;
    pf_status st;
    pf_status_clear(&st);
    const int tmax = pf_cli_set_threads((int)threads);

    pf_card card;
    if (pf_card_read(card_path, &card, &st)) return pf_cli_fail("bench xsec", &st);
    pf_ops *ops = pf_ops_build(&card, &st);
    if (!ops) return pf_cli_fail("bench xsec", &st);
    pf_pdf *pdf = pf_pdf_create(&card.pdf, &st);
    pf_evol *ev = pdf ? pf_evol_create(&card.theory, &st) : NULL;
    if (!pdf || !ev) {
        if (pdf) pf_pdf_destroy(pdf);
        pf_ops_destroy(ops);
        return pf_cli_fail("bench xsec", &st);
    }
    const size_t np = pf_pdf_nparams(pdf), ng = pf_ops_ngrid(ops);
    /* 64-byte aligned outputs and N % 8 == 0 let the pass use non-temporal stores */
    const size_t nal = (npts + 7) / 8 * 8;
    double *G = malloc(ng * sizeof *G), *dG = malloc((np ? np : 1) * ng * sizeof *dG);
    double *x = malloc(nal * sizeof *x), *q2 = malloc(nal * sizeof *q2);
    double *out = aligned_alloc(64, nal * sizeof *out), *grad = aligned_alloc(64, (np ? np : 1) * nal * sizeof *grad);
    int rc = (!G || !dG || !x || !q2 || !out || !grad) ? pf_status_set(&st, PF_ENOMEM, "out of memory for %zu points", npts)
                                                        : PF_OK;
    double cuts[7], s;
    pf_ops_kinematics(ops, cuts, &s, NULL);
    for (size_t i = 0, c = 0; !rc && i < npts;) {
        const double lx = log(cuts[PF_CUT_X_MIN]) + log(cuts[PF_CUT_X_MAX] / cuts[PF_CUT_X_MIN]) * pf_rng_uniform(2024, 1, c++);
        const double lq = log(cuts[PF_CUT_Q2_MIN]) + log(cuts[PF_CUT_Q2_MAX] / cuts[PF_CUT_Q2_MIN]) * pf_rng_uniform(2024, 1, c++);
        if (!pf_kin_in_cuts(cuts, exp(lx), exp(lq), s)) continue;
        x[i] = exp(lx);
        q2[i++] = exp(lq);
    }
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/pf_bench_theory_%d.h5", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    xjob j = {&card, ops, pdf, np, npts, x, q2, G, dG, out, grad, tmp};
    pf_bench_result res[8];
    int nres = 0;
    memset(res, 0, sizeof res);
    if (!rc) rc = pf_ops_grid_values(ops, pdf, G, dG, &st);
    /* accuracy of the grid path: d2sigma vs the exact path at the first 1000 points */
    double acc = 0.0;
    if (!rc) {
        const size_t na = npts < 1000 ? npts : 1000;
        double *ex = malloc(na * sizeof *ex), *gr = malloc(na * sizeof *gr);
        rc = (!ex || !gr) ? pf_status_set(&st, PF_ENOMEM, "out of memory") : PF_OK;
        if (!rc && card.kinematics.process != PF_PROCESS_EM) {
            /* neutral current with Z, charged current: the exact generalised structure
             * functions (W2, WL, xW3), sigma_r and its Born factor (dis_ew.h) */
            pf_dis_ew ew;
            double *f2 = malloc(3 * na * sizeof *f2);
            rc = !f2 ? pf_status_set(&st, PF_ENOMEM, "out of memory")
                     : pf_dis_ew_init(&ew, &card.electroweak, card.kinematics.process, card.kinematics.lepton_charge,
                                      card.kinematics.polarisation, &st);
            if (!rc) rc = pf_dis_ew_sf_exact(ev, pdf, &ew, na, x, q2, f2, f2 + na, f2 + 2 * na, &st);
            for (size_t i = 0; !rc && i < na; i++)
                ex[i] = pf_dis_ew_born(&ew, x[i], q2[i], s, card.kinematics.alpha_em,
                                       pf_dis_ew_sigma_r(&ew, q2[i] / (x[i] * s), f2[i], f2[na + i], f2[2 * na + i]));
            free(f2);
        } else if (!rc)
            rc = pf_dis_xsec_exact(ev, pdf, &card.kinematics, na, x, q2, ex, NULL, &st);
        if (!rc) rc = pf_ops_xsec(ops, G, NULL, 0, na, x, q2, gr, NULL, &st);
        for (size_t i = 0; !rc && i < na; i++) acc = fmax(acc, fabs(gr[i] / ex[i] - 1.0));
        free(ex);
        free(gr);
    }
    const int tc[2] = {1, tmax};
    for (int c = 0; c < (tmax > 1 ? 2 : 1) && !rc; c++) {
        pf_cli_set_threads(tc[c]);
        pf_bench_result r = {"xsec_points_grad", npts, tc[c], pf_par_size(), 0, 0, 0, 0, 1, acc, "cpu"};
        if (pf_bench_time(run_points, &j, warmup, repeats, &r)) rc = pf_status_set(&st, PF_EINTERNAL, "xsec pass failed");
        res[nres++] = r;
        xjob jv = j;
        jv.grad = NULL;
        pf_bench_result rv = {"xsec_points_value", npts, tc[c], pf_par_size(), 0, 0, 0, 0, 1, acc, "cpu"};
        if (!rc && pf_bench_time(run_points, &jv, warmup, repeats, &rv)) rc = pf_status_set(&st, PF_EINTERNAL, "xsec pass failed");
        res[nres++] = rv;
    }
    pf_cli_set_threads(tmax);
    if (!rc) {
        pf_bench_result r = {"xsec_grid_values", ng, tmax, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        if (pf_bench_time(run_grid, &j, warmup, repeats, &r)) rc = pf_status_set(&st, PF_EINTERNAL, "grid values failed");
        res[nres++] = r;
    }
    if (!rc) {
        pf_bench_result r = {"xsec_theory_build", ng, tmax, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        if (pf_bench_time(run_build, &j, 0, repeats < 3 ? repeats : 3, &r))
            rc = pf_status_set(&st, PF_EINTERNAL, "theory build failed");
        res[nres++] = r;
    }
    if (!rc) {
        const double bytes = (double)npts * (2.0 + 1.0 + (double)np) * sizeof(double);
        const double bw = copy_bandwidth((size_t)fmax(bytes, 2e8));
        pf_bench_result r = {"xsec_traffic_floor", npts, tmax, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        r.median_s = r.min_s = r.max_s = bw > 0 ? bytes / bw : 0;
        res[nres++] = r;
        if (pf_par_rank() == 0 && !json)
            printf("# grid %zu x %zu, %zu Mellin nodes, %zu parameters; floor: %.0f MB at %.1f GB/s copy bandwidth\n",
                   pf_ops_nx(ops), pf_ops_nq2(ops), pf_ops_nnodes(ops), np, bytes / 1e6, bw / 1e9);
    }
    if (!rc && pf_par_rank() == 0) {
        pf_bench_print_header(stdout, json);
        for (int i = 0; i < nres; i++) pf_bench_print(stdout, &res[i], json);
    }
    free(G); free(dG); free(x); free(q2); free(out); free(grad);
    pf_evol_destroy(ev);
    pf_pdf_destroy(pdf);
    pf_ops_destroy(ops);
    return rc ? pf_cli_fail("bench xsec", &st) : PF_EXIT_OK;
}
