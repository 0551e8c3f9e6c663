/* partonflow bench simulate: issue 5 item 6 (docs/performance.md, section simulate).
 * Times the event generation of `partonflow simulate` for the card's truth on the theory
 * grid: the exact sampler plus the detector model for N events in memory, at 1 and at T
 * threads; the sampler set-up (envelope, alias table, quadrature of sigma); and the whole
 * events.h5 write (generation + parallel HDF5 + checksum + commit). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"
#include "partonflow/sim.h"

typedef struct sjob {
    const pf_sim_region *reg;
    pf_sim_ops_ctx *dctx;
    pf_sim_sampler *smp;
    const pf_det_params *det;
    size_t n;
    pf_sim_rows rows;
    pf_sim_counts cnt;
    double sigma;
    const char *tmp;
} sjob;

static int run_generate(void *p)
{
    sjob *j = p;
    pf_status st;
    if (pf_sim_sample(j->smp, 12345, 0, j->n, j->rows.x_true, j->rows.q2_true, &j->cnt, &st)) return 1;
    pf_sim_detector(j->det, 12345, 0, j->n, &j->rows);
    return 0;
}

static int run_setup(void *p)
{
    sjob *j = p;
    pf_status st;
    if (pf_sim_integrate(j->reg, pf_sim_ops_density, j->dctx, &j->sigma, &st)) return 1;
    pf_sim_sampler *s = pf_sim_sampler_create(j->reg, pf_sim_ops_density, j->dctx, NULL, &st);
    if (!s) return 1;
    pf_sim_sampler_destroy(s);
    return 0;
}

static int run_write(void *p)
{
    sjob *j = p;
    pf_status st;
    pf_sim_run run = {j->smp, j->det, 12345, j->n, j->sigma, j->n / j->sigma, 0, "bench", "bench", NULL, NULL, "events", 0, 0, 0};
    pf_sim_summary sum;
    int rc = pf_sim_write_events(j->tmp, &run, &sum, &st);
    if (pf_par_rank() == 0) unlink(j->tmp);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow bench simulate [--events N] [--threads T] [--card CARD] [--json] [--repeats R] "
            "[--warmup W]\n\n"
            "Event generation timings (docs/performance.md, section simulate), median of R repeats\n"
            "after W warm-up calls (defaults N = 1e6, T = all cores, R = 5, W = 1, CARD =\n"
            "configs/cards/default.yaml; the theory grid is built from CARD first, not timed):\n"
            "  simulate_events      exact sampler + detector model for N events in memory, at 1\n"
            "                       and at T threads; accuracy: |accept rate x envelope / sigma - 1|\n"
            "                       (the sampler's consistency with the quadrature; statistical)\n"
            "  simulate_setup       quadrature of sigma + envelope and alias table\n"
            "  simulate_write       the whole events.h5 of N events at T threads (generation,\n"
            "                       compression, checksum, atomic commit)\n");
}

int pf_bench_simulate(int argc, char **argv)
{
    pf_bench_opts o = {.json = 0, .repeats = 5, .warmup = 1, .n = 1000000, .threads = 0,
                       .card = "configs/cards/default.yaml"};
    const int ex = pf_bench_parse(argc, argv, "bench simulate", "--events", usage, &o);
    if (ex >= 0) return ex;
    const int json = o.json, repeats = o.repeats, warmup = o.warmup;
    const size_t n = o.n, threads = o.threads;
    const char *card_path = o.card;
    pf_status st;
    pf_status_clear(&st);
    const int tmax = pf_cli_set_threads((int)threads);

    pf_card card;
    if (pf_card_read(card_path, &card, &st)) return pf_cli_fail("bench simulate", &st);
    pf_det_params det;
    if (pf_sim_detector_from_card(&card, &det, &st)) return pf_cli_fail("bench simulate", &st);
    pf_ops *ops = pf_ops_build(&card, &st);
    if (!ops) return pf_cli_fail("bench simulate", &st);
    pf_pdf *pdf = pf_pdf_create(&card.pdf, &st);
    double *G = malloc(pf_ops_ngrid(ops) * sizeof *G);
    double *buf = malloc(10 * n * sizeof *buf);
    uint8_t *acc = malloc(n);
    int rc = (!pdf) ? st.code : (!G || !buf || !acc) ? pf_status_set(&st, PF_ENOMEM, "out of memory for %zu events", n) : PF_OK;
    pf_sim_region reg;
    if (!rc) rc = pf_ops_grid_values(ops, pdf, G, NULL, &st);
    if (!rc) rc = pf_sim_region_from_card(ops, &card, card_path, &reg, &st);
    pf_sim_ops_ctx dctx = {ops, G};
    sjob j;
    memset(&j, 0, sizeof j);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/pf_bench_events_%d.h5", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    j.reg = &reg, j.dctx = &dctx, j.det = &det, j.n = n, j.tmp = tmp;
    if (!rc) rc = pf_sim_integrate(&reg, pf_sim_ops_density, &dctx, &j.sigma, &st);
    if (!rc && !(j.smp = pf_sim_sampler_create(&reg, pf_sim_ops_density, &dctx, NULL, &st))) rc = st.code;
    if (!rc) {
        pf_sim_rows r = {buf, buf + n, buf + 2 * n, buf + 3 * n, buf + 4 * n, buf + 5 * n, buf + 6 * n, buf + 7 * n,
                         buf + 8 * n, buf + 9 * n, acc};
        j.rows = r;
    }
    pf_bench_result res[4];
    int nres = 0;
    const int tc[2] = {1, tmax};
    for (int c = 0; c < (tmax > 1 ? 2 : 1) && !rc; c++) {
        pf_cli_set_threads(tc[c]);
        memset(&j.cnt, 0, sizeof j.cnt);
        pf_bench_result r = {"simulate_events", n, tc[c], pf_par_size(), 0, 0, 0, 0, 1, 0, "cpu"};
        if (pf_bench_time(run_generate, &j, warmup, repeats, &r)) rc = pf_status_set(&st, PF_EINTERNAL, "sampling failed");
        const double p = (double)j.cnt.accepted / j.cnt.candidates;
        r.accuracy = fabs(p * pf_sim_sampler_envelope_total(j.smp) / j.sigma - 1);
        res[nres++] = r;
    }
    pf_cli_set_threads(tmax);
    if (!rc) {
        pf_bench_result r = {"simulate_setup", pf_sim_sampler_ncells(j.smp), tmax, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        if (pf_bench_time(run_setup, &j, warmup, repeats, &r)) rc = pf_status_set(&st, PF_EINTERNAL, "set-up failed");
        res[nres++] = r;
    }
    if (!rc) {
        pf_bench_result r = {"simulate_write", n, tmax, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        if (pf_bench_time(run_write, &j, warmup, repeats, &r)) rc = pf_status_set(&st, PF_EINTERNAL, "events.h5 write failed");
        res[nres++] = r;
    }
    if (!rc && pf_par_rank() == 0) {
        pf_bench_print_header(stdout, json);
        for (int i = 0; i < nres; i++) pf_bench_print(stdout, &res[i], json);
    }
    pf_sim_sampler_destroy(j.smp);
    free(G), free(buf), free(acc);
    if (pdf) pf_pdf_destroy(pdf);
    pf_ops_destroy(ops);
    return rc ? pf_cli_fail("bench simulate", &st) : PF_EXIT_OK;
}
