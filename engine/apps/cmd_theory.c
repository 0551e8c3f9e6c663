/* partonflow theory: builds the theory operators on the (x, Q^2) grid for a card and
 * writes theory.h5 (docs/artefacts.md).  Under mpirun the Q^2 rows are split over ranks;
 * the payload is bitwise the same for any number of ranks and threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"

static void theory_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow theory --card CARD --out theory.h5 [--threads T]\n\n"
            "Builds the theta-independent operators K for F2 and FL on the (x, Q2) grid that\n"
            "covers the card's kinematic cuts (theory.grid sets its size; default: the tested\n"
            "grid of docs/performance.md) and writes them, with the grid, the Mellin nodes and\n"
            "the card, to theory.h5 (written to a temporary name, renamed when complete).\n"
            "Run under mpirun to split the Q2 rows over ranks.\n\n"
            "exit codes: 0 success, 2 bad card or flags, 1 runtime failure\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int pf_cmd_theory(int argc, char **argv)
{
    const char *card_path = NULL, *out = NULL;
    size_t threads = 0;
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            theory_usage(stdout);
            return PF_EXIT_OK;
        }
        if (i + 1 >= argc && (!strcmp(a, "--card") || !strcmp(a, "--out") || !strcmp(a, "--threads")))
            return pf_cli_usage_error("theory", "%s needs a value ('partonflow theory --help')", a);
        if (!strcmp(a, "--card"))
            card_path = argv[++i];
        else if (!strcmp(a, "--out"))
            out = argv[++i];
        else if (!strcmp(a, "--threads")) {
            if (pf_cli_parse_threads(argv[++i], &threads, &st)) return pf_cli_fail("theory", &st);
        } else
            return pf_cli_usage_error("theory", "unknown argument '%s' ('partonflow theory --help')", a);
    }
    if (!card_path || !out)
        return pf_cli_usage_error("theory", "--card and --out are required ('partonflow theory --help')");
    const int nthr = pf_cli_set_threads((int)threads);
    pf_card card;
    if (pf_card_read(card_path, &card, &st)) return pf_cli_fail("theory", &st);
    const double t0 = now();
    pf_ops *ops = pf_ops_build(&card, &st);
    if (!ops) return pf_cli_fail("theory", &st);
    const double t1 = now();
    char *cmd = pf_cli_command_line(pf_cli_argc, pf_cli_argv);
    pf_ops_set_command_line(ops, cmd);
    free(cmd);
    int rc = pf_ops_write(ops, out, &st);
    const double t2 = now();
    if (rc) {
        pf_ops_destroy(ops);
        return pf_cli_fail("theory", &st);
    }
    if (pf_par_rank() == 0) {
        double xl, xh, ql, qh;
        pf_ops_bounds(ops, &xl, &xh, &ql, &qh);
        printf("partonflow theory: %s: grid %zu x %zu (x %.3g..%.3g, Q2 %.3g..%.3g GeV^2), %zu Mellin nodes, "
               "built in %.2f s (%d rank(s) x %d thread(s)), written in %.2f s\n",
               out, pf_ops_nx(ops), pf_ops_nq2(ops), xl, xh, ql, qh, pf_ops_nnodes(ops), t1 - t0, pf_par_size(),
               nthr, t2 - t1);
    }
    pf_ops_destroy(ops);
    return PF_EXIT_OK;
}
