/* partonflow simulate: events from the theory grid at the card's true parameters, through
 * the detector model, into events.h5 (sim.h; schema in docs/artefacts.md, "events.h5").
 * Under mpirun the events are split over ranks and written collectively; the payload is
 * bitwise the same for any number of ranks and threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"
#include "partonflow/sim.h"

static void simulate_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow simulate --theory theory.h5 --card CARD --out events.h5\n"
            "                           [--events N] [--seed S] [--threads T] [--quiet]\n\n"
            "Draws DIS events (x, Q2) exactly from d2sigma/dx dQ2 of the theory grid at the card's\n"
            "true PDF parameters inside the card's cuts, passes them through the detector model\n"
            "(card section detector; 'detector: perfect' turns it off) and writes true and\n"
            "reconstructed kinematics with the acceptance flag to events.h5.  The number of events\n"
            "is simulation.events, or Poisson(simulation.luminosity x sigma); --events and --seed\n"
            "override the card.  Event i depends only on (seed, i): the file is the same for any\n"
            "number of threads and MPI ranks.  Progress goes to stderr unless --quiet.\n\n"
            "exit codes: 0 success, 2 bad card, flags or theory file, 1 runtime failure\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct { double t0, last; int quiet; } progress_ctx;

static void progress(void *vp, uint64_t done, uint64_t total)
{
    progress_ctx *p = vp;
    const double t = now(), el = t - p->t0;
    if (p->quiet || (t - p->last < 0.5 && done < total)) return;
    p->last = t;
    const double rate = el > 0 ? done / el : 0;
    fprintf(stderr, "partonflow simulate: %llu / %llu events (%.0f%%), %.3g events/s, %.1f s left\n",
            (unsigned long long)done, (unsigned long long)total, 100.0 * done / total, rate,
            rate > 0 ? (total - done) / rate : 0.0);
}

int pf_cmd_simulate(int argc, char **argv)
{
    const char *theory = NULL, *card_path = NULL, *out = NULL;
    size_t threads = 0, events = 0, seed = 0;
    int have_events = 0, have_seed = 0, quiet = 0;
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            simulate_usage(stdout);
            return PF_EXIT_OK;
        }
        if (!strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        const int val = !strcmp(a, "--theory") || !strcmp(a, "--card") || !strcmp(a, "--out") ||
                        !strcmp(a, "--threads") || !strcmp(a, "--events") || !strcmp(a, "--seed");
        if (!val) return pf_cli_usage_error("simulate", "unknown argument '%s' ('partonflow simulate --help')", a);
        if (i + 1 >= argc) return pf_cli_usage_error("simulate", "%s needs a value ('partonflow simulate --help')", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--theory"))
            theory = v;
        else if (!strcmp(a, "--card"))
            card_path = v;
        else if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--threads")) {
            if (pf_cli_parse_threads(v, &threads, &st)) return pf_cli_fail("simulate", &st);
        } else if (!strcmp(a, "--events")) {
            if (pf_cli_parse_size(a, v, &events, &st)) return pf_cli_fail("simulate", &st);
            have_events = 1;
        } else {
            if (pf_cli_parse_size(a, v, &seed, &st)) return pf_cli_fail("simulate", &st);
            have_seed = 1;
        }
    }
    if (!theory || !card_path || !out)
        return pf_cli_usage_error("simulate", "--theory, --card and --out are required ('partonflow simulate --help')");
    if (have_events && events == 0)
        return pf_cli_usage_error("simulate", "--events: expected a positive number of events, got 0");
    if (access(theory, R_OK))
        return pf_cli_usage_error("simulate", "--theory: cannot read '%s' (make it with 'partonflow theory')", theory);
    if (access(card_path, R_OK)) return pf_cli_usage_error("simulate", "--card: cannot read '%s'", card_path);
    /* the rename at commit would replace an input with the events */
    struct stat so, si;
    if (!stat(out, &so) && ((!stat(theory, &si) && si.st_dev == so.st_dev && si.st_ino == so.st_ino) ||
                            (!stat(card_path, &si) && si.st_dev == so.st_dev && si.st_ino == so.st_ino)))
        return pf_cli_usage_error("simulate", "--out '%s' is one of the inputs (--theory or --card): "
                                  "expected a new file name", out);
    const int nthr = pf_cli_set_threads((int)threads);
    const int root = pf_par_rank() == 0;
    const double t0 = now();

    pf_card card;
    if (pf_card_read(card_path, &card, &st)) return pf_cli_fail("simulate", &st);
    pf_det_params det;
    if (pf_sim_detector_from_card(&card, &det, &st)) return pf_cli_fail("simulate", &st);
    if (!have_events && !card.simulation.present && !card.simulation.events && !(card.simulation.luminosity > 0))
        return pf_cli_usage_error("simulate", "card %s has no simulation section: give --events N", card_path);
    pf_ops *ops = pf_ops_read(theory, &st);
    if (!ops) return pf_cli_fail("simulate", &st);
    pf_pdf *pdf = NULL;
    pf_sim_sampler *smp = NULL;
    double *G = NULL;
    int rc = PF_OK;
    pf_sim_region reg;
    if ((rc = pf_sim_region_from_card(ops, &card, theory, &reg, &st))) goto done;
    if (!(pdf = pf_pdf_create(&card.pdf, &st))) {
        rc = st.code;
        goto done;
    }
    if (!(G = malloc(pf_ops_ngrid(ops) * sizeof *G))) {
        rc = pf_status_set(&st, PF_ENOMEM, "out of memory for the grid values");
        goto done;
    }
    if ((rc = pf_ops_grid_values(ops, pdf, G, NULL, &st))) goto done;
    pf_sim_ops_ctx dctx = {ops, G};
    double sigma;
    if ((rc = pf_sim_integrate(&reg, pf_sim_ops_density, &dctx, &sigma, &st))) goto done;
    if (!(smp = pf_sim_sampler_create(&reg, pf_sim_ops_density, &dctx, NULL, &st))) {
        rc = st.code;
        goto done;
    }
    const uint64_t s_seed = have_seed ? (uint64_t)seed : card.simulation.seed;
    uint64_t n;
    double lumi;
    if (have_events || card.simulation.events) {
        n = have_events ? (uint64_t)events : card.simulation.events;
        lumi = n / sigma;
    } else {
        lumi = card.simulation.luminosity;
        n = pf_sim_poisson(s_seed, lumi * sigma);
        if (n == 0) {
            rc = pf_status_set(&st, PF_EINVAL,
                               "simulation.luminosity %g pb^-1 x sigma %g pb gave zero events (seed %llu)", lumi,
                               sigma, (unsigned long long)s_seed);
            goto done;
        }
    }
    char *yaml = pf_card_to_yaml(&card), *cmd = pf_cli_command_line(pf_cli_argc, pf_cli_argv);
    progress_ctx pc = {now(), now(), quiet};
    pf_sim_run run = {smp, &det, s_seed, n, sigma, lumi, pf_ops_checksum(ops), yaml, cmd, progress, &pc};
    pf_sim_summary sum;
    const double t1 = now();
    rc = pf_sim_write_events(out, &run, &sum, &st);
    const double t2 = now();
    free(yaml);
    free(cmd);
    if (!rc && root) {
        const double mc = (double)sum.counts.accepted / sum.counts.candidates * pf_sim_sampler_envelope_total(smp);
        if (sum.counts.violations)
            fprintf(stderr, "partonflow simulate: warning: %llu accepted events lay above the sampling envelope\n",
                    (unsigned long long)sum.counts.violations);
        printf("partonflow simulate: %s: %llu events (%llu accepted by the detector), sigma = %.6g pb (sampler "
               "check %.6g pb), L = %.6g pb^-1, seed %llu, envelope violations %llu, %.2f s set-up + %.2f s "
               "(%d rank(s) x %d thread(s))\n",
               out, (unsigned long long)n, (unsigned long long)sum.n_accepted, sigma, mc, lumi,
               (unsigned long long)s_seed, (unsigned long long)sum.counts.violations, t1 - t0, t2 - t1,
               pf_par_size(), nthr);
    }
done:
    pf_sim_sampler_destroy(smp);
    free(G);
    pf_pdf_destroy(pdf);
    pf_ops_destroy(ops);
    return rc ? pf_cli_fail("simulate", &st) : PF_EXIT_OK;
}
