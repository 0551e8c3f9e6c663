/* partonflow bench evolve: issue 3 item 6 measurements (docs/performance.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/evol.h"
#include "partonflow/kernels/philox.h"
#include "partonflow/pdf.h"
#include "partonflow/pdfgrid.h"

/* Les Houches benchmark, NLO ZM-VFNS, mu_R = mu_F, mu_F^2 = 1e4 GeV^2 (hep-ph/0204316
 * table 4 part 1; tests/data/lha): x, xuv, xdv, xLm, xLp, xsp, xcp, xbp, xg */
static const double lha_nlo_vfns[11][9] = {
    {1e-7, 0.00010927, 6.4125e-05, 4.3925e-06, 137.87, 67.857, 67.139, 60.071, 1116.7},
    {1e-6, 0.00055533, 0.00032498, 1.9829e-05, 69.157, 33.723, 33.153, 28.86, 522.89},
    {1e-5, 0.0027419, 0.0015989, 8.5701e-05, 32.996, 15.819, 15.367, 12.892, 227.53},
    {1e-4, 0.013039, 0.0075664, 0.00035582, 14.822, 6.8739, 6.5156, 5.1969, 89.513},
    {1e-3, 0.058507, 0.033652, 0.0014329, 6.1772, 2.6726, 2.3949, 1.7801, 30.245},
    {1e-2, 0.23128, 0.12978, 0.0053472, 2.25, 0.84161, 0.65235, 0.43894, 7.7491},
    {0.1, 0.55324, 0.27252, 0.0099709, 0.39099, 0.11425, 0.060071, 0.035441, 0.85586},
    {0.3, 0.35129, 0.13046, 0.0030061, 0.035463, 0.0091084, 0.0033595, 0.0019039, 0.079625},
    {0.5, 0.1213, 0.031564, 0.00037719, 0.0023775, 0.00057606, 0.00016761, 0.00010021, 0.0077265},
    {0.7, 0.020101, 0.0030932, 1.344e-05, 5.2605e-05, 1.2166e-05, 2.7408e-06, 2.0095e-06, 0.00037574},
    {0.9, 0.00035232, 1.7855e-05, 8.68e-09, 2.028e-08, 3.896e-09, -2.666e-10, 5.819e-10, 1.1954e-06},
};

static const char lha_card[] =
    "theory:\n"
    "  order: NLO\n"
    "  scheme: VFNS\n"
    "  mu0: 1.4142135623730951\n"
    "  alphas: {value: 0.35, mu: 1.4142135623730951}\n"
    "  masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}\n"
    "  xi_r: 1.0\n"
    "pdf:\n"
    "  preset: lha-toy\n";

typedef struct job {
    const pf_theory_card *th;
    pf_evol *ev;
    const pf_pdf *pdf;
    size_t n;
    const double *x, *q2;
    double *xf, *dxf;
    int create; /* 1: the holder is created (and destroyed) inside the timed call */
} job;

typedef struct gjob {
    pf_pdfgrid *g;
    const pf_evol *ev;
    const pf_pdf *pdf;
    size_t n;
    const double *x, *q2;
    double *xf;
    int fill; /* 1: tabulate (exact evolution at the knots); 0: evaluate the n points */
} gjob;

static int run_gjob(void *p)
{
    gjob *j = p;
    pf_status st;
    if (j->fill) return pf_pdfgrid_fill(j->g, j->ev, j->pdf, &st);
    return pf_pdfgrid_eval(j->g, j->n, j->x, j->q2, j->xf, &st);
}

static int run_job(void *p)
{
    job *j = p;
    pf_status st;
    pf_evol *ev = j->ev;
    if (j->create && !(ev = pf_evol_create(j->th, &st))) return 1;
    int rc = pf_evol_xf(ev, j->pdf, j->n, j->x, j->q2, j->xf, j->dxf, &st);
    if (j->create) pf_evol_destroy(ev);
    return rc;
}

/* max relative deviation from the LHA table (entries above 1e-8) */
static double lha_deviation(const double *xf)
{
    double worst = 0.0;
    for (int i = 0; i < 11; i++) {
        const double *o = xf + i * PF_NOUT;
        double c[9] = {0, o[PF_U] - o[PF_UBAR], o[PF_D] - o[PF_DBAR], o[PF_DBAR] - o[PF_UBAR],
                       2.0 * (o[PF_UBAR] + o[PF_DBAR]), o[PF_S] + o[PF_SBAR], o[PF_C] + o[PF_CBAR],
                       o[PF_B] + o[PF_BBAR], o[PF_GLUON]};
        for (int k = 1; k < 9; k++) {
            if (fabs(lha_nlo_vfns[i][k]) < 1e-8) continue;
            double r = fabs(c[k] - lha_nlo_vfns[i][k]) / fabs(lha_nlo_vfns[i][k]);
            if (r > worst) worst = r;
        }
    }
    return worst;
}

static void bench_evolve_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow bench evolve [--json] [--repeats R] [--warmup W] [--max-points N]\n\n"
            "Times the NLO ZM-VFNS evolution of the Les Houches toy input (docs/performance.md):\n"
            "  evolve_create               building the holder (contour, anomalous dimensions)\n"
            "  evolve_lha_table[_grad]     operator at 1e4 GeV^2 + all flavours at the 11 LHA x\n"
            "                              (accuracy: max. rel. deviation from LHA table 4)\n"
            "  evolve_lha_table_with_create  the same including the holder\n"
            "  evolve_random[_grad]        n random points (x log-uniform in [1e-5, 0.9], Q^2\n"
            "                              log-uniform in [2, 1e6] GeV^2), n = 1e4 and 1e6\n"
            "                              (accuracy: node-doubling change on the LHA points)\n"
            "  evolve_grid_fill            tabulating the PDFs on the default pdfgrid.h knots\n"
            "                              (400 x, 50 Q per subgrid; exact evolution at each knot)\n"
            "  evolve_grid_random          the grid path (LHAPDF's log-bicubic interpolation) at\n"
            "                              1e6 random points as above (accuracy: max. rel. deviation\n"
            "                              from the exact path at 1e4 of them, values above 1e-8)\n"
            "each at 1 and 2 threads.  --max-points N skips random sets larger than N\n"
            "(default 1e6); gradients run over the preset's %s parameters.\n",
            "free-able");
}

int pf_bench_evolve(int argc, char **argv)
{
    int json = 0, repeats = 5, warmup = 1;
    size_t maxpts = 1000000;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            bench_evolve_usage(stdout);
            return PF_EXIT_OK;
        }
    pf_status st;
    pf_status_clear(&st);
    for (int k = 1; k < argc; k++) {
        int c = pf_bench_common_arg(argc, argv, &k, "bench evolve", &json, &repeats, &warmup);
        if (c < 0) return PF_EXIT_USAGE;
        if (c) continue;
        if (!strcmp(argv[k], "--max-points") && k + 1 < argc) {
            if (pf_cli_parse_size("--max-points", argv[k + 1], &maxpts, &st))
                return pf_cli_fail("bench evolve", &st);
            k++;
        } else {
            return pf_cli_usage_error("bench evolve", "unknown argument '%s' ('partonflow bench evolve --help')", argv[k]);
        }
    }
    pf_card *card = malloc(sizeof *card);
    if (!card || pf_card_parse(lha_card, sizeof lha_card - 1, "<bench evolve card>", card, &st)) {
        free(card);
        return pf_cli_fail("bench evolve", &st);
    }
    pf_evol *ev = pf_evol_create(&card->theory, &st);
    pf_pdf *pdf = ev ? pf_pdf_create(&card->pdf, &st) : NULL;
    pf_theory_card th2 = card->theory;
    th2.mellin_nodes = 2 * (int)pf_evol_nnodes(ev ? ev : NULL);
    pf_evol *ev2 = pdf ? pf_evol_create(&th2, &st) : NULL;
    if (!ev || !pdf || !ev2) {
        pf_evol_destroy(ev);
        pf_pdf_destroy(pdf);
        free(card);
        return pf_cli_fail("bench evolve", &st);
    }
    const size_t np = pf_pdf_nparams(pdf);
    const size_t big = maxpts < 1000000 ? maxpts : 1000000;
    size_t cap = big > 11 ? big : 11;
    double *x = malloc(sizeof(double) * cap), *q2 = malloc(sizeof(double) * cap);
    double *xf = malloc(sizeof(double) * cap * PF_NOUT);
    double *xf2 = malloc(sizeof(double) * 11 * PF_NOUT);
    /* the gradient of 1e6 points needs np * 13 * 8 bytes per point: limited to 1e5 */
    size_t gcap = cap < 100000 ? cap : 100000;
    double *dxf = malloc(sizeof(double) * gcap * PF_NOUT * np);
    int rc = PF_EXIT_OK;
    pf_pdfgrid *grid = NULL;
    if (!x || !q2 || !xf || !xf2 || !dxf) {
        pf_status_set(&st, PF_ENOMEM, "out of memory");
        rc = pf_cli_fail("bench evolve", &st);
        goto out;
    }
    for (int i = 0; i < 11; i++) {
        x[i] = lha_nlo_vfns[i][0];
        q2[i] = 1e4;
    }
    /* accuracy figures */
    if (pf_evol_xf(ev, pdf, 11, x, q2, xf, NULL, &st) || pf_evol_xf(ev2, pdf, 11, x, q2, xf2, NULL, &st)) {
        rc = pf_cli_fail("bench evolve", &st);
        goto out;
    }
    const double lha_dev = lha_deviation(xf);
    double dbl = 0.0;
    for (int i = 0; i < 11 * PF_NOUT; i++) {
        if (x[i / PF_NOUT] < 1e-5 || fabs(xf2[i]) < 1e-8) continue;
        double r = fabs(xf[i] - xf2[i]) / fabs(xf2[i]);
        if (r > dbl) dbl = r;
    }
    /* the grid path: tables filled once, accuracy against the exact path at 1e4 points */
    grid = pf_pdfgrid_create(ev, NULL, &st);
    if (!grid || pf_pdfgrid_fill(grid, ev, pdf, &st)) {
        rc = pf_cli_fail("bench evolve", &st);
        goto out;
    }
    double grid_dev = 0.0;
    {
        const size_t na = cap < 10000 ? cap : 10000;
        double *ga = malloc(sizeof(double) * na * PF_NOUT);
        for (size_t i = 0; i < na; i++) {
            x[i] = exp(log(1e-5) + (log(0.9) - log(1e-5)) * pf_rng_uniform(20260102, 0, 2 * i));
            q2[i] = exp(log(2.0) + (log(1e6) - log(2.0)) * pf_rng_uniform(20260102, 0, 2 * i + 1));
        }
        if (!ga || pf_evol_xf(ev, pdf, na, x, q2, xf, NULL, &st) || pf_pdfgrid_eval(grid, na, x, q2, ga, &st)) {
            free(ga);
            rc = pf_cli_fail("bench evolve", &st);
            goto out;
        }
        for (size_t i = 0; i < na * PF_NOUT; i++)
            if (fabs(xf[i]) > 1e-8 && fabs(ga[i] - xf[i]) / fabs(xf[i]) > grid_dev)
                grid_dev = fabs(ga[i] - xf[i]) / fabs(xf[i]);
        free(ga);
    }
    pf_bench_print_header(stdout, json);
    for (int threads = 1; threads <= 2; threads++) {
        pf_cli_set_threads(threads);
        pf_bench_result r = {.ranks = 1, .threads = threads, .device = "cpu"};
        job j = {&card->theory, ev, pdf, 0, x, q2, xf, NULL, 1};
        r.name = "evolve_create";
        r.n = pf_evol_nnodes(ev);
        j.n = 0;
        if (pf_bench_time(run_job, &j, warmup, repeats, &r)) goto fail;
        pf_bench_print(stdout, &r, json);
        for (int i = 0; i < 11; i++) {
            x[i] = lha_nlo_vfns[i][0];
            q2[i] = 1e4;
        }
        const char *names[3] = {"evolve_lha_table", "evolve_lha_table_grad", "evolve_lha_table_with_create"};
        for (int v = 0; v < 3; v++) {
            j = (job){&card->theory, ev, pdf, 11, x, q2, xf, v == 1 ? dxf : NULL, v == 2};
            r.name = names[v];
            r.n = 11;
            r.has_accuracy = 1;
            r.accuracy = lha_dev;
            if (pf_bench_time(run_job, &j, warmup, repeats, &r)) goto fail;
            pf_bench_print(stdout, &r, json);
        }
        const size_t sizes[2] = {10000, 1000000};
        for (int s = 0; s < 2; s++) {
            size_t n = sizes[s];
            if (n > maxpts) continue;
            for (size_t i = 0; i < n; i++) {
                x[i] = exp(log(1e-5) + (log(0.9) - log(1e-5)) * pf_rng_uniform(20260101, 0, 2 * i));
                q2[i] = exp(log(2.0) + (log(1e6) - log(2.0)) * pf_rng_uniform(20260101, 0, 2 * i + 1));
            }
            for (int g = 0; g < 2; g++) {
                if (g && n > gcap) continue;
                j = (job){&card->theory, ev, pdf, n, x, q2, xf, g ? dxf : NULL, 0};
                r.name = g ? "evolve_random_grad" : "evolve_random";
                r.n = n;
                r.accuracy = dbl;
                int rep = n >= 1000000 ? (repeats < 3 ? repeats : 3) : repeats;
                if (pf_bench_time(run_job, &j, n >= 1000000 ? 0 : warmup, rep, &r)) goto fail;
                pf_bench_print(stdout, &r, json);
            }
        }
        gjob gj = {grid, ev, pdf, 0, x, q2, xf, 1};
        r.name = "evolve_grid_fill";
        r.n = pf_pdfgrid_nx(grid) * pf_pdfgrid_nq(grid, 0) * pf_pdfgrid_nsub(grid);
        r.accuracy = grid_dev;
        if (pf_bench_time(run_gjob, &gj, warmup, repeats < 3 ? repeats : 3, &r)) goto gfail;
        pf_bench_print(stdout, &r, json);
        {
            /* always 1e6 points (not capped by --max-points: the grid path is cheap) */
            const size_t ng = 1000000;
            double *gx = malloc(sizeof(double) * ng), *gq = malloc(sizeof(double) * ng);
            double *gf = malloc(sizeof(double) * ng * PF_NOUT);
            int bad = !gx || !gq || !gf;
            for (size_t i = 0; !bad && i < ng; i++) {
                gx[i] = exp(log(1e-5) + (log(0.9) - log(1e-5)) * pf_rng_uniform(20260101, 0, 2 * i));
                gq[i] = exp(log(2.0) + (log(1e6) - log(2.0)) * pf_rng_uniform(20260101, 0, 2 * i + 1));
            }
            gj = (gjob){grid, ev, pdf, ng, gx, gq, gf, 0};
            r.name = "evolve_grid_random";
            r.n = ng;
            if (!bad) bad = pf_bench_time(run_gjob, &gj, warmup, repeats, &r);
            if (!bad) pf_bench_print(stdout, &r, json);
            free(gx);
            free(gq);
            free(gf);
            if (bad) goto gfail;
        }
    }
    goto out;
gfail:
fail:
    pf_status_set(&st, PF_EINTERNAL, "a timed evolution failed");
    rc = pf_cli_fail("bench evolve", &st);
out:
    free(x);
    free(q2);
    free(xf);
    free(xf2);
    free(dxf);
    pf_evol_destroy(ev);
    pf_pdfgrid_destroy(grid);
    pf_evol_destroy(ev2);
    pf_pdf_destroy(pdf);
    free(card);
    return rc;
}
