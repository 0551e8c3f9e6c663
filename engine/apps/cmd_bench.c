/* partonflow bench TARGET: timing tables (docs/performance.md).  Each target is one
 * pf_bench_* function (commands.h); owners add their line to the table below. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct {
    const char *name;
    pf_cmd_fn fn;
    const char *what;
} targets[] = {
    /* PF_BENCH_TARGETS: one line per implemented target */
    {"evolve", pf_bench_evolve, "NLO VFNS evolution: LHA table, random points, gradients"},
    {"simulate", pf_bench_simulate, "event generation: exact sampler + detector, events.h5 write"},
    {"xsec", pf_bench_xsec, "grid path: d2sigma + gradient at N points, grid values, theory.h5 build"},
    {"likelihood", pf_bench_likelihood, "ln L + gradient over N events, normalisation, prepare, traffic floor"},
    {"gpu", pf_bench_gpu, "CUDA event pass: ln L + gradient at 1e6..1e8 events, bandwidth roofline"},
    {NULL, NULL, NULL},
};

static void bench_usage(FILE *out)
{
    fprintf(out, "usage: partonflow bench TARGET [--json] [--repeats R] [--warmup W] [ARGS]\n\n"
                 "Times a stage of the engine (median, min, max of R timed repeats after W\n"
                 "untimed ones) and prints a table, or with --json one JSON object per line with\n"
                 "the keys name, n, threads, ranks, repeats, median_s, min_s, max_s, accuracy\n"
                 "(where it applies) and device.\n\ntargets:\n");
    for (int i = 0; targets[i].name; i++) fprintf(out, "  %-10s %s\n", targets[i].name, targets[i].what);
    fprintf(out, "\n'partonflow bench TARGET --help' describes a target.\n");
}

int pf_cmd_bench(int argc, char **argv)
{
    if (argc < 2) {
        bench_usage(stderr);
        return PF_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        bench_usage(stdout);
        return PF_EXIT_OK;
    }
    for (int i = 0; targets[i].name; i++)
        if (!strcmp(argv[1], targets[i].name)) return targets[i].fn(argc - 1, argv + 1);
    return pf_cli_usage_error("bench", "unknown target '%s' ('partonflow bench --help')", argv[1]);
}
