/* partonflow prepare: the command-line front end of the prepare use case
 * (partonflow/prepare.h, engine/src/fit/prepare_run.c): arguments in, report out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/par.h"
#include "partonflow/prepare.h"

static void prepare_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow prepare --theory theory.h5 --events events.h5 --out likelihood.h5\n"
            "                          [--card CARD] [--threads T] [--rows response|exact]\n"
            "                          [--verify N] [--seeds A-B] [--quiet]\n\n"
            "For every accepted event, the theta-independent weights w_i with\n"
            "L * w_i . G(theta) = expected density of accepted events at its reconstructed\n"
            "(x, Q2); the normalisation c (expected accepted events = L * c . G) and the\n"
            "histogram operators of the binned fit (bins: the card's fit.bins, in\n"
            "reconstructed ln x and ln Q2).  The detector model is the one the events were\n"
            "simulated with (the card stored in events.h5); --card only supplies fit.bins.\n"
            "Perfect detector: factored bicubic rows (84 bytes per event).  Smeared detector:\n"
            "the resolution is folded exactly (integral over the true kinematics, +-7 sigma)\n"
            "into the response operator M from the theory grid to a reconstructed-space grid\n"
            "(--rows response, the default): F = M G per evaluation and each event a factored\n"
            "stencil row on F (40 bytes per event in the file), c and H from M; --rows exact\n"
            "stores each event's own folded CSR row instead (~2 kB per event; the reference).\n"
            "--verify N compares the first N events' densities of the two at the truth and\n"
            "prints the distribution of the relative difference and where the largest is.\n"
            "Refuses events simulated from another theory.h5.  Events made by another\n"
            "producer (an HDF5 file without /meta in the schema of docs/artefacts.md\n"
            "\"External events\") need --card: its detector, kinematics and parameters.\n"
            "Progress goes to stderr (stages; event rows and response-operator nodes with the\n"
            "fraction done, rate and time left) unless --quiet; likelihood.h5 is the same either way.\n"
            "--seeds A-B: pseudo-experiments: --events and --out are templates with {seed} (e.g.\n"
            "toys/events_{seed}.h5, toys/likelihood_{seed}.h5), one likelihood file per seed A..B;\n"
            "theory.h5 is read and the response operator M built once, and each file is the same\n"
            "bits as one call per seed writes.\n\n"
            "exit codes: 0 success, 2 bad input, 1 runtime failure\n");
}

/* the summary of one likelihood file (stdout; notes on stderr) */
static void report(const pf_prepare_config *cfg, const pf_prepare_report *r, int nthr)
{
    if (cfg->inputs_only || pf_par_rank() != 0) return;
    if (r->exact_because[0])
        fprintf(stderr, "partonflow prepare: %s: generated inside a region tighter than the derived one (%s; "
                        "simulation.generation): exact rows (--rows exact) instead of the response operator, "
                        "which needs the derived region (docs/fitting.md)\n", cfg->events, r->exact_because);
    if (r->verified)
        fprintf(stderr,
                "partonflow prepare: --verify %zu events: |response / exact - 1| median %.2e, 90%% %.2e, "
                "99%% %.2e, 99.9%% %.2e, max %.2e; %zu above 1e-5; the largest at x_r = %.6g, Q2_r = %.6g GeV^2\n",
                r->verified, r->verify_q[0], r->verify_q[1], r->verify_q[2], r->verify_q[3], r->verify_q[4], r->verify_over,
                r->verify_worst_x, r->verify_worst_q2);
    printf("partonflow prepare: %s: %zu accepted of %zu events, %zu grid values, %zu bins; read %.2f s, "
           "event weights %.3f s, normalisation %.2f s, written %.2f s (%d rank(s) x %d thread(s))\n",
           cfg->out, r->nacc, r->ngen, r->ngrid, r->nbins, r->t_read, r->t_rows, r->t_norm, r->t_write, pf_par_size(), nthr);
    const double na = (double)r->nacc;
    if (r->response)
        printf("partonflow prepare: smeared detector: response operator M of %zu x %zu nodes and a high-x patch of "
               "%zu x %zu (%zu used), "
               "%zu weights (%.1f MB: float32 value and int32 column); events as stencil rows on F = M G (40 bytes in "
               "the file, 84 in memory); %.1f bytes per event with M\n",
               r->m_nt, r->m_nz, r->m_pnt, r->m_pnz, r->m_used, r->m_nnz, 8.0 * (double)r->m_nnz / 1e6,
               (40.0 * na + 8.0 * (double)r->m_nnz) / na);
    else if (r->smeared)
        printf("partonflow prepare: smeared detector: CSR rows, %zu weights, %.1f per event (mean), %.1f MB "
               "(12 bytes per weight + 8 per event)\n",
               r->nnz_total, (double)r->nnz_total / na, (12.0 * (double)r->nnz_total + 8.0 * (na + 1.0)) / 1e6);
}

int pf_cmd_prepare(int argc, char **argv)
{
    const char *theory = NULL, *events = NULL, *card_path = NULL, *out = NULL;
    size_t threads = 0, nverify = 0;
    int exact_rows = 0, quiet = 0, have_seeds = 0;
    uint64_t seed_first = 0, seed_last = 0;
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            prepare_usage(stdout);
            return PF_EXIT_OK;
        }
        if (!strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (i + 1 >= argc)
            return pf_cli_usage_error("prepare", "%s needs a value or is unknown ('partonflow prepare --help')", a);
        if (!strcmp(a, "--theory")) theory = argv[++i];
        else if (!strcmp(a, "--events")) events = argv[++i];
        else if (!strcmp(a, "--card")) card_path = argv[++i];
        else if (!strcmp(a, "--out")) out = argv[++i];
        else if (!strcmp(a, "--rows")) {
            const char *v = argv[++i];
            if (!strcmp(v, "exact")) exact_rows = 1;
            else if (!strcmp(v, "response")) exact_rows = 0;
            else return pf_cli_usage_error("prepare", "--rows '%s': expected response or exact", v);
        } else if (!strcmp(a, "--verify")) {
            char *end;
            const char *v = argv[++i];
            const unsigned long long nv = strtoull(v, &end, 10);
            if (!*v || *end || v[0] == '-' || nv > 100000000ULL)
                return pf_cli_usage_error("prepare", "--verify '%s': expected a count of events 0 .. 1e8", v);
            nverify = (size_t)nv;
        } else if (!strcmp(a, "--seeds")) {
            if (pf_cli_parse_seeds(argv[++i], &seed_first, &seed_last, &st)) return pf_cli_fail("prepare", &st);
            have_seeds = 1;
        } else if (!strcmp(a, "--threads")) {
            if (pf_cli_parse_threads(argv[++i], &threads, &st)) return pf_cli_fail("prepare", &st);
        } else
            return pf_cli_usage_error("prepare", "unknown argument '%s' ('partonflow prepare --help')", a);
    }
    if (!theory || !events || !out)
        return pf_cli_usage_error("prepare", "--theory, --events and --out are required ('partonflow prepare --help')");
    char evp[4096], outp[4096];
    if (have_seeds) { /* every name before any work */
        for (uint64_t sd = seed_first; sd <= seed_last; sd++) {
            if (pf_cli_seed_path("--events", events, sd, evp, sizeof evp, &st) ||
                pf_cli_seed_path("--out", out, sd, outp, sizeof outp, &st))
                return pf_cli_fail("prepare", &st);
            if (access(evp, R_OK))
                return pf_cli_usage_error("prepare", "--events: cannot read '%s' (seed %llu of --seeds)", evp,
                                          (unsigned long long)sd);
        }
    }
    const int nthr = pf_cli_set_threads((int)threads);
    pf_card card;
    if (card_path && pf_card_read(card_path, &card, &st)) return pf_cli_fail("prepare", &st);
    char *cmd = pf_cli_command_line(pf_cli_argc, pf_cli_argv);
    pf_prepare_cache *cache = have_seeds ? pf_prepare_cache_create() : NULL;
    int rc = have_seeds && !cache ? pf_status_set(&st, PF_ENOMEM, "out of memory") : PF_OK;
    for (uint64_t sd = seed_first; sd <= seed_last && !rc; sd++) {
        if (have_seeds) {
            pf_cli_seed_path("--events", events, sd, evp, sizeof evp, &st);
            pf_cli_seed_path("--out", out, sd, outp, sizeof outp, &st);
        }
        pf_cli_progress pc;
        pf_cli_progress_init(&pc, "prepare");
        const pf_prepare_config cfg = {.theory = theory, .events = have_seeds ? evp : events,
                                       .out = have_seeds ? outp : out, .card = card_path ? &card : NULL,
                                       .card_label = card_path, .exact_rows = exact_rows, .nverify = nverify,
                                       .command_line = cmd, .inputs_only = pf_cli_inputs_only,
                                       .progress = quiet ? NULL : pf_cli_progress_report, .progress_ctx = &pc,
                                       .cache = cache};
        pf_prepare_report r;
        rc = pf_prepare_run(&cfg, &r, &st);
        if (!rc) report(&cfg, &r, nthr);
    }
    pf_prepare_cache_destroy(cache);
    free(cmd);
    return rc ? pf_cli_fail("prepare", &st) : PF_EXIT_OK;
}
