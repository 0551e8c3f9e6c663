/* partonflow simulate: the command-line front end of the simulate use case
 * (partonflow/simulate.h, engine/src/fit/simulate_run.c): events from the theory grid at the
 * card's true parameters, through the detector model, into events.h5 (schema in
 * docs/artefacts.md, "events.h5").  Under mpirun the events are split over ranks and written
 * collectively; the payload is bitwise the same for any number of ranks and threads, and
 * with --seeds the same as one call per seed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/par.h"
#include "partonflow/sim.h"
#include "partonflow/simulate.h"

static void simulate_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow simulate --theory theory.h5 --card CARD --out events.h5\n"
            "                           [--expected-events N | --events N] [--seed S | --seeds A-B]\n"
            "                           [--threads T] [--quiet]\n\n"
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
            "--seeds A-B: one file per seed A..B (pseudo-experiments), --out a template with {seed}\n"
            "(e.g. toys/events_{seed}.h5); the set-up (sigma_gen, sigma_acc, the sampler's envelope)\n"
            "is made once, and each file is the same bits as 'simulate --seed S' writes.\n"
            "--envelope-safety F (test hook): envelope factor instead of 1.15; F < 1 provokes violations.\n\n"
            "exit codes: 0 success, 2 bad card, flags or theory file, 1 runtime failure\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int pf_cmd_simulate(int argc, char **argv)
{
    const char *theory = NULL, *card_path = NULL, *out = NULL;
    size_t threads = 0, events = 0, seed = 0, expected = 0;
    int have_events = 0, have_seed = 0, have_expected = 0, quiet = 0, have_seeds = 0;
    uint64_t seed_first = 0, seed_last = 0;
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
                        !strcmp(a, "--expected-events") || !strcmp(a, "--envelope-safety") ||
                        !strcmp(a, "--seeds");
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
        } else if (!strcmp(a, "--seeds")) {
            if (pf_cli_parse_seeds(v, &seed_first, &seed_last, &st)) return pf_cli_fail("simulate", &st);
            have_seeds = 1;
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
    if (have_seed && have_seeds)
        return pf_cli_usage_error("simulate", "--seed (one file) and --seeds (one file per seed) exclude each other: "
                                  "give one");
    if (have_seeds && !strstr(out, "{seed}"))
        return pf_cli_usage_error("simulate", "--out '%s': with --seeds it must contain {seed} (one file per seed, "
                                  "e.g. events_{seed}.h5)", out);
    if (access(theory, R_OK))
        return pf_cli_usage_error("simulate", "--theory: cannot read '%s' (make it with 'partonflow theory')", theory);
    if (access(card_path, R_OK)) return pf_cli_usage_error("simulate", "--card: cannot read '%s'", card_path);
    const int nthr = pf_cli_set_threads((int)threads);
    const int root = pf_par_rank() == 0;
    const double t0 = now();

    pf_card card;
    if (pf_card_read(card_path, &card, &st)) return pf_cli_fail("simulate", &st);
    const pf_simulation_card *sc = &card.simulation;
    if (!have_events && !have_expected && !sc->events && !sc->expected_events && !(sc->luminosity > 0))
        return pf_cli_usage_error("simulate", "card %s has no simulation section: give --expected-events N "
                                  "(or --events N)", card_path);
    /* every output name before any work: the rename at commit would replace an input */
    const uint64_t s0 = have_seeds ? seed_first : 0, s1 = have_seeds ? seed_last : 0;
    char path[4096];
    for (uint64_t sd = s0; sd <= s1; sd++) {
        if (have_seeds && pf_cli_seed_path("--out", out, sd, path, sizeof path, &st))
            return pf_cli_fail("simulate", &st);
        const char *o = have_seeds ? path : out;
        struct stat so, si;
        if (!stat(o, &so) && ((!stat(theory, &si) && si.st_dev == so.st_dev && si.st_ino == so.st_ino) ||
                              (!stat(card_path, &si) && si.st_dev == so.st_dev && si.st_ino == so.st_ino)))
            return pf_cli_usage_error("simulate", "--out '%s' is one of the inputs (--theory or --card): "
                                      "expected a new file name", o);
    }
    const pf_simulate_config cfg = {.theory = theory, .card = &card, .card_label = card_path,
                                    .envelope_safety = safety};
    pf_simulate_setup *su = pf_simulate_setup_create(&cfg, &st);
    if (!su) return pf_cli_fail("simulate", &st);
    char *cmd = pf_cli_command_line(pf_cli_argc, pf_cli_argv);
    int rc = PF_OK;
    for (uint64_t sd = s0; sd <= s1 && !rc; sd++) {
        if (have_seeds) pf_cli_seed_path("--out", out, sd, path, sizeof path, &st);
        pf_cli_progress pc;
        pf_cli_progress_init(&pc, "simulate");
        const pf_simulate_request req = {.out = have_seeds ? path : out, .have_seed = have_seed || have_seeds,
                                         .seed = have_seeds ? sd : (uint64_t)seed, .events = events,
                                         .expected = expected, .command_line = cmd,
                                         .progress = quiet ? NULL : pf_cli_progress_report, .progress_ctx = &pc};
        pf_simulate_report r;
        rc = pf_simulate_write(su, &req, &r, &st);
        if (!rc && root)
            printf("partonflow simulate: %s: %llu events (%llu accepted by the detector, %.6g expected), sigma_gen = "
                   "%.6g pb (sampler check %.6g pb), sigma_acc = %.6g pb, L = %.6g pb^-1 (%s), seed %llu, %.2f s "
                   "set-up + %.2f s (%d rank(s) x %d thread(s))\n",
                   req.out, (unsigned long long)r.n_generated, (unsigned long long)r.n_accepted, r.expected_accepted,
                   r.sigma_gen, r.sampler_check, r.sigma_acc, r.luminosity, r.count_mode,
                   (unsigned long long)r.seed, sd == s0 ? now() - t0 - r.t_write : 0.0, r.t_write, pf_par_size(),
                   nthr);
    }
    free(cmd);
    pf_simulate_setup_destroy(su);
    return rc ? pf_cli_fail("simulate", &st) : PF_EXIT_OK;
}
