/* partonflow: the command-line entry point.  Each subcommand lives in its own cmd_*.c and
 * is registered in the table below once it works (no stubs). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "partonflow/par.h"
#include "pf_config.h"

struct pf_command {
    const char *name;
    pf_cmd_fn fn;
    const char *summary;
};

static const struct pf_command commands[] = {
    /* PF_COMMANDS: one line per working subcommand */
    {"evolve", pf_cmd_evolve, "x f(x, Q2) of all flavours from a card as CSV (DGLAP, Mellin space)"},
    {"bench", pf_cmd_bench, "timing tables: partonflow bench TARGET [--json] (docs/performance.md)"},
    {"card", pf_cmd_card, "validate a theory card and print it resolved (card check CARD)"},
    {"prepare", pf_cmd_prepare, "per-event weights and normalisation for the fit (likelihood.h5)"},
    {"fit", pf_cmd_fit, "fit PDF parameters to likelihood.h5: best fit, Hessian errors (fit.h5)"},
    {"theory", pf_cmd_theory, "theory operators on the (x, Q2) grid (theory.h5)"},
    {"sf", pf_cmd_sf, "F2, FL at points as CSV: exact path, or grid path with --theory"},
    {"export", pf_cmd_export, "a fit as an LHAPDF6 set: export lhapdf --fit fit.h5 --out DIR/NAME"},
    {"simulate", pf_cmd_simulate, "events from the theory through the detector model (events.h5)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow [--version] [--help] COMMAND [ARGS]\n\n"
            "Event-level QCD inference: DGLAP evolution and DIS in Mellin space, event\n"
            "simulation with a detector model, and unbinned fits of PDF parameters.\n\n"
            "commands:\n");
    for (const struct pf_command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n'partonflow COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    pf_cli_argc = argc;
    pf_cli_argv = argv;
    if (argc < 2) {
        usage(stderr);
        return PF_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return PF_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("partonflow %s (MPI %s, OpenMP %s, CUDA %s)\n", PF_VERSION,
               PF_HAVE_MPI_BUILD ? "yes" : "no", PF_HAVE_OPENMP_BUILD ? "yes" : "no",
               PF_HAVE_CUDA_BUILD ? "yes" : "no");
        return PF_EXIT_OK;
    }
    for (const struct pf_command *c = commands; c->name; c++) {
        if (!strcmp(argv[1], c->name)) {
            /* repeated flags, missing inputs and an --out that is an input: refused
             * before any work, the same way for every command */
            const int arc = pf_cli_check_args(c->name, argc - 1, argv + 1);
            if (arc != PF_EXIT_OK) return arc;
            pf_status st;
            pf_status_clear(&st);
            if (pf_par_init(&argc, &argv, &st) != PF_OK)
                return pf_cli_fail(c->name, &st);
            int rc = c->fn(argc - 1, argv + 1);
            pf_par_finalize();
            return rc;
        }
    }
    fprintf(stderr, "partonflow: unknown command '%s'; 'partonflow --help' lists the commands\n", argv[1]);
    return PF_EXIT_USAGE;
}
