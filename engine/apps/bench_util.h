/* partonflow bench: shared helpers for every `partonflow bench TARGET`.
 *
 * Timing: `warmup` untimed calls, then `repeats` timed calls (CLOCK_MONOTONIC); reported
 * are the median, minimum and maximum.  Output: a readable table (pf_bench_print with
 * json = 0, header first) or, with --json, one JSON object per measurement and line with
 * the keys name, n, threads, ranks, repeats, median_s, min_s, max_s, accuracy (when it
 * applies, else absent) and device. */
#ifndef PARTONFLOW_APPS_BENCH_UTIL_H
#define PARTONFLOW_APPS_BENCH_UTIL_H

#include <stddef.h>
#include <stdio.h>

typedef struct pf_bench_result {
    const char *name;    /* what was timed, e.g. "evolve_lha_table_nlo_vfns" */
    size_t n;            /* problem size (points, events, ...) */
    int threads, ranks, repeats;
    double median_s, min_s, max_s;
    int has_accuracy;
    double accuracy;     /* meaning documented per target (docs/performance.md) */
    const char *device;  /* "cpu" or the GPU name */
} pf_bench_result;

/* one timed call; returns 0 on success */
typedef int (*pf_bench_fn)(void *ctx);

double pf_bench_now(void);
/* runs fn warmup + repeats times; fills median/min/max; returns fn's first non-zero status */
int pf_bench_time(pf_bench_fn fn, void *ctx, int warmup, int repeats, pf_bench_result *r);
void pf_bench_print_header(FILE *out, int json);
void pf_bench_print(FILE *out, const pf_bench_result *r, int json);
/* parses one of the common options --json, --repeats R, --warmup W at argv[*i] (advancing
 * *i past a value): 1 consumed, 0 not a common option, -1 bad value (message printed) */
int pf_bench_common_arg(int argc, char **argv, int *i, const char *target, int *json,
                        int *repeats, int *warmup);

/* The options of a bench target that times one problem of size n from a card:
 *   --help, the common options above, NFLAG N (e.g. --points, --events; N >= 1),
 *   --threads T (pf_cli_parse_threads), --card CARD.
 * Fields hold the target's defaults on entry.  Returns -1 to go on, or the exit code the
 * target should return (0 after --help, which prints usage; 2 after a bad argument, with
 * the message printed). */
typedef struct pf_bench_opts {
    int json, repeats, warmup;
    size_t n, threads;
    const char *card;
} pf_bench_opts;
int pf_bench_parse(int argc, char **argv, const char *target, const char *nflag, void (*usage)(FILE *),
                   pf_bench_opts *o);

#endif
