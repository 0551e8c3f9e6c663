/* Shared benchmark helpers (bench_util.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "commands.h"

double pf_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int pf_bench_time(pf_bench_fn fn, void *ctx, int warmup, int repeats, pf_bench_result *r)
{
    if (repeats < 1) repeats = 1;
    for (int i = 0; i < warmup; i++) {
        int rc = fn(ctx);
        if (rc) return rc;
    }
    double *t = malloc(sizeof(double) * (size_t)repeats);
    if (!t) return 1;
    for (int i = 0; i < repeats; i++) {
        double t0 = pf_bench_now();
        int rc = fn(ctx);
        t[i] = pf_bench_now() - t0;
        if (rc) {
            free(t);
            return rc;
        }
    }
    qsort(t, (size_t)repeats, sizeof *t, cmp_double);
    r->repeats = repeats;
    r->min_s = t[0];
    r->max_s = t[repeats - 1];
    r->median_s = repeats % 2 ? t[repeats / 2] : 0.5 * (t[repeats / 2 - 1] + t[repeats / 2]);
    free(t);
    return 0;
}

void pf_bench_print_header(FILE *out, int json)
{
    if (json) return;
    fprintf(out, "%-36s %10s %7s %5s %7s %12s %12s %12s %10s %s\n", "name", "n", "threads", "ranks",
            "repeats", "median_s", "min_s", "max_s", "accuracy", "device");
}

void pf_bench_print(FILE *out, const pf_bench_result *r, int json)
{
    const char *dev = r->device ? r->device : "cpu";
    if (json) {
        fprintf(out,
                "{\"name\": \"%s\", \"n\": %zu, \"threads\": %d, \"ranks\": %d, \"repeats\": %d, "
                "\"median_s\": %.6e, \"min_s\": %.6e, \"max_s\": %.6e",
                r->name, r->n, r->threads, r->ranks, r->repeats, r->median_s, r->min_s, r->max_s);
        if (r->has_accuracy) fprintf(out, ", \"accuracy\": %.3e", r->accuracy);
        fprintf(out, ", \"device\": \"%s\"}\n", dev);
    } else {
        char acc[32] = "-";
        if (r->has_accuracy) snprintf(acc, sizeof acc, "%.2e", r->accuracy);
        fprintf(out, "%-36s %10zu %7d %5d %7d %12.4e %12.4e %12.4e %10s %s\n", r->name, r->n,
                r->threads, r->ranks, r->repeats, r->median_s, r->min_s, r->max_s, acc, dev);
    }
    fflush(out);
}

int pf_bench_common_arg(int argc, char **argv, int *i, const char *target, int *json,
                        int *repeats, int *warmup)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--json")) {
        *json = 1;
        return 1;
    }
    if (strcmp(a, "--repeats") && strcmp(a, "--warmup")) return 0;
    pf_status st;
    size_t v;
    if (*i + 1 >= argc) {
        pf_cli_usage_error(target, "%s needs a value", a);
        return -1;
    }
    if (pf_cli_parse_size(a, argv[*i + 1], &v, &st)) {
        pf_cli_fail(target, &st);
        return -1;
    }
    if (!strcmp(a, "--repeats")) *repeats = v ? (int)v : 1;
    else *warmup = (int)v;
    (*i)++;
    return 1;
}

int pf_bench_parse(int argc, char **argv, const char *target, const char *nflag, void (*usage)(FILE *),
                   pf_bench_opts *o)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return PF_EXIT_OK;
        }
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int c = pf_bench_common_arg(argc, argv, &i, target, &o->json, &o->repeats, &o->warmup);
        if (c < 0) return PF_EXIT_USAGE;
        if (c > 0) continue;
        if ((!strcmp(a, nflag) || !strcmp(a, "--threads") || !strcmp(a, "--card")) && i + 1 >= argc)
            return pf_cli_usage_error(target, "%s needs a value", a);
        int rc = PF_OK;
        if (!strcmp(a, nflag))
            rc = pf_cli_parse_size(nflag, argv[++i], &o->n, &st);
        else if (!strcmp(a, "--threads"))
            rc = pf_cli_parse_threads(argv[++i], &o->threads, &st);
        else if (!strcmp(a, "--card"))
            o->card = argv[++i];
        else
            return pf_cli_usage_error(target, "unknown argument '%s' ('partonflow %s --help')", a, target);
        if (rc) return pf_cli_fail(target, &st);
    }
    if (o->n == 0) return pf_cli_usage_error(target, "%s must be >= 1", nflag);
    return -1;
}
