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
#include "partonflow/fit.h"
#include "partonflow/generation.h"
#include "partonflow/kernels/detector.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"
#include "partonflow/sim.h"

static void simulate_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow simulate --theory theory.h5 --card CARD --out events.h5\n"
            "                           [--expected-events N | --events N] [--seed S] [--threads T] [--quiet]\n\n"
            "Draws DIS events (x, Q2) exactly from d2sigma/dx dQ2 of the theory grid at the card's\n"
            "true PDF parameters inside the card's GENERATION region (simulation.generation; by default\n"
            "the cuts for a perfect detector and wider by what the resolution lets migrate into them\n"
            "otherwise, docs/cards.md), passes them through the detector model (card section detector;\n"
            "'detector: perfect' turns it off) and writes true and reconstructed kinematics with the\n"
            "acceptance flag (cuts on the reconstructed kinematics) to events.h5.\n\n"
            "Event count: luminosity mode draws Poisson(L x sigma_gen) events, as the extended\n"
            "likelihood assumes:\n"
            "  --expected-events N  L = N / sigma_acc, sigma_acc the accepted cross section (by quadrature\n"
            "                       of d2sigma x acceptance; deterministic): N accepted events expected;\n"
            "  card simulation.luminosity or simulation.expected_events: the same from the card;\n"
            "  --events N / simulation.events: exactly N generated events (L = N / sigma_gen): the count\n"
            "                       has no Poisson spread, which biases the errors of an extended fit.\n"
            "--events/--expected-events and --seed override the card.  Event i depends only on (seed, i):\n"
            "the file is the same for any number of threads and MPI ranks.  An event above the sampler's\n"
            "envelope is an error (no file).  Progress goes to stderr unless --quiet.\n"
            "--envelope-safety F (test hook): envelope factor instead of 1.15; F < 1 provokes violations.\n\n"
            "exit codes: 0 success, 2 bad card, flags or theory file, 1 runtime failure\n");
}

/* sigma_acc: d2sigma times the probability to be accepted (reconstructed inside the cuts
 * and passing the efficiency), integrated over the generation region (pf_sim_integrate).
 * The acceptance is prepare's closed form (pf_prep_acceptance; a perfect detector: the
 * efficiency, the region being the cuts).  Each point on its own: any thread count. */
typedef struct { pf_sim_ops_ctx *xs; const pf_det_params *det; } acc_ctx;

static int accepted_density(void *vp, size_t n, const double *x, const double *q2, double *out, pf_status *st)
{
    const acc_ctx *a = vp;
    int rc = pf_sim_ops_density(a->xs, n, x, q2, out, st);
    if (rc) return rc;
    const double s = pf_kin_s(a->det->e_electron, a->det->e_proton);
    if (a->det->perfect) {
        for (size_t i = 0; i < n; i++) out[i] *= pf_det_efficiency(a->det, q2[i] / (x[i] * s));
    } else {
        double *acc = malloc((n ? n : 1) * sizeof *acc);
        if (!acc || pf_prep_acceptance_n(a->det, n, x, q2, acc)) {
            free(acc);
            return pf_status_set(st, PF_ENOMEM, "accepted cross section: out of memory for %zu points", n);
        }
        for (size_t i = 0; i < n; i++) out[i] *= acc[i];
        free(acc);
    }
    for (size_t i = 0; i < n; i++)
        if (!(out[i] >= 0))
            return pf_status_set(st, PF_EDOMAIN, "accepted cross section: acceptance at x = %g, Q2 = %g is %g", x[i],
                                 q2[i], out[i]);
    return PF_OK;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* pf_sim_run's progress (events done of total) through the CLI's one printer (cli_util.c) */
static void progress(void *vp, uint64_t done, uint64_t total)
{
    const pf_progress p = pf_progress_stage(NULL, "events", done, total, done >= total);
    pf_cli_progress_report(vp, &p);
}

int pf_cmd_simulate(int argc, char **argv)
{
    const char *theory = NULL, *card_path = NULL, *out = NULL;
    size_t threads = 0, events = 0, seed = 0, expected = 0;
    int have_events = 0, have_seed = 0, have_expected = 0, quiet = 0;
    double safety = 0;
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
                        !strcmp(a, "--threads") || !strcmp(a, "--events") || !strcmp(a, "--seed") ||
                        !strcmp(a, "--expected-events") || !strcmp(a, "--envelope-safety");
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
        } else if (!strcmp(a, "--expected-events")) {
            if (pf_cli_parse_size(a, v, &expected, &st)) return pf_cli_fail("simulate", &st);
            have_expected = 1;
        } else if (!strcmp(a, "--envelope-safety")) {
            if (pf_cli_parse_double(a, v, &safety, &st)) return pf_cli_fail("simulate", &st);
            if (!(safety > 0 && safety <= 100))
                return pf_cli_usage_error("simulate", "--envelope-safety: expected a factor in (0, 100], got %s", v);
        } else {
            if (pf_cli_parse_size(a, v, &seed, &st)) return pf_cli_fail("simulate", &st);
            have_seed = 1;
        }
    }
    if (!theory || !card_path || !out)
        return pf_cli_usage_error("simulate", "--theory, --card and --out are required ('partonflow simulate --help')");
    if (have_events && events == 0)
        return pf_cli_usage_error("simulate", "--events: expected a positive number of events, got 0");
    if (have_expected && expected == 0)
        return pf_cli_usage_error("simulate", "--expected-events: expected a positive number of events, got 0");
    if (have_events && have_expected)
        return pf_cli_usage_error("simulate", "--events (a fixed count) and --expected-events (luminosity mode) "
                                  "exclude each other: give one");
    if (have_expected && expected > ((size_t)1 << 53))
        return pf_cli_usage_error("simulate", "--expected-events: expected at most 2^53, got %zu", expected);
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
    const pf_simulation_card *sc = &card.simulation;
    if (!have_events && !have_expected && !sc->events && !sc->expected_events && !(sc->luminosity > 0))
        return pf_cli_usage_error("simulate", "card %s has no simulation section: give --expected-events N "
                                  "(or --events N)", card_path);
    pf_gen_info gen;
    if (pf_gen_region_info(&card, &gen, &st)) return pf_cli_fail("simulate", &st);
    pf_ops *ops = pf_ops_read(theory, &st);
    if (!ops) return pf_cli_fail("simulate", &st);
    pf_pdf *pdf = NULL;
    pf_sim_sampler *smp = NULL;
    double *G = NULL;
    int rc = PF_OK;
    pf_sim_region reg;
    char diff[256]; /* provenance: the card's theory must be the one theory.h5 was built with */
    if (pf_card_physics_diff(&card, pf_ops_card(ops), diff, sizeof diff)) {
        rc = pf_status_set(&st, PF_EINVAL, "card %s and %s disagree: %s (the events would not be of this theory)",
                           card_path, theory, diff);
        goto done;
    }
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
    /* sigma_gen: the generation region; sigma_acc: what the detector accepts of it */
    double sigma, sigma_acc;
    if ((rc = pf_sim_integrate(&reg, pf_sim_ops_density, &dctx, &sigma, &st))) goto done;
    {
        pf_sim_region areg = reg;
        if (det.perfect) memcpy(areg.cuts, det.cuts, sizeof areg.cuts);
        acc_ctx ac = {&dctx, &det};
        if ((rc = pf_sim_integrate(&areg, accepted_density, &ac, &sigma_acc, &st))) goto done;
    }
    pf_sim_options sopt = {0};
    if (safety > 0) {
        sopt.safety = safety;
        sopt.allow_unsafe = 1;
    }
    if (!(smp = pf_sim_sampler_create(&reg, pf_sim_ops_density, &dctx, &sopt, &st))) {
        rc = st.code;
        goto done;
    }
    const uint64_t s_seed = have_seed ? (uint64_t)seed : sc->seed;
    uint64_t n;
    double lumi;
    const char *mode;
    if (have_events || (!have_expected && sc->events)) {
        n = have_events ? (uint64_t)events : sc->events;
        lumi = n / sigma;
        mode = "events";
    } else {
        if (have_expected || sc->expected_events) {
            /* luminosity mode with the expected accepted count given: L = N / sigma_acc, a
             * deterministic function of the card and the theory (no random numbers) */
            if (!(sigma_acc > 0)) {
                rc = pf_status_set(&st, PF_EDOMAIN, "card %s: the accepted cross section is %g pb: no event can be "
                                   "accepted (cuts, detector, efficiency), so no luminosity gives %llu expected "
                                   "accepted events", card_path, sigma_acc,
                                   (unsigned long long)(have_expected ? (uint64_t)expected : sc->expected_events));
                goto done;
            }
            lumi = (double)(have_expected ? (uint64_t)expected : sc->expected_events) / sigma_acc;
            mode = "expected_events";
        } else {
            lumi = sc->luminosity;
            mode = "luminosity";
        }
        n = pf_sim_poisson(s_seed, lumi * sigma);
        if (n == 0) {
            rc = pf_status_set(&st, PF_EINVAL,
                               "luminosity %g pb^-1 x sigma_gen %g pb gave zero events (seed %llu)", lumi,
                               sigma, (unsigned long long)s_seed);
            goto done;
        }
    }
    char *yaml = pf_card_to_yaml(&card), *cmd = pf_cli_command_line(pf_cli_argc, pf_cli_argv);
    pf_cli_progress pc;
    pf_cli_progress_init(&pc, "simulate");
    if (!quiet && root) progress(&pc, 0, n);
    pf_sim_run run = {smp, &det, s_seed, n, sigma, lumi, pf_ops_checksum(ops), yaml, cmd, quiet ? NULL : progress, &pc,
                      mode, lumi * sigma_acc, sigma_acc, gen.cut_into};
    pf_sim_summary sum;
    const double t1 = now();
    rc = pf_sim_write_events(out, &run, &sum, &st);
    const double t2 = now();
    free(yaml);
    free(cmd);
    if (!rc && root) {
        const double mc = (double)sum.counts.accepted / sum.counts.candidates * pf_sim_sampler_envelope_total(smp);
        printf("partonflow simulate: %s: %llu events (%llu accepted by the detector, %.6g expected), sigma_gen = "
               "%.6g pb (sampler check %.6g pb), sigma_acc = %.6g pb, L = %.6g pb^-1 (%s), seed %llu, %.2f s set-up "
               "+ %.2f s (%d rank(s) x %d thread(s))\n",
               out, (unsigned long long)n, (unsigned long long)sum.n_accepted, lumi * sigma_acc, sigma, mc, sigma_acc,
               lumi, mode, (unsigned long long)s_seed, t1 - t0, t2 - t1, pf_par_size(), nthr);
    }
done:
    pf_sim_sampler_destroy(smp);
    free(G);
    pf_pdf_destroy(pdf);
    pf_ops_destroy(ops);
    return rc ? pf_cli_fail("simulate", &st) : PF_EXIT_OK;
}
