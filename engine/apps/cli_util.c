#include "commands.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "partonflow/card.h"

#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

int pf_cli_argc;
char **pf_cli_argv;
int pf_cli_inputs_only;

int pf_cli_fail(const char *cmd, const pf_status *st)
{
    fprintf(stderr, "partonflow %s: %s\n", cmd, st->msg[0] ? st->msg : pf_code_name(st->code));
    switch (st->code) {
    case PF_EINVAL:
    case PF_ECARD:
    case PF_EFORMAT:
    case PF_ECHECKSUM:
    case PF_EDOMAIN:
        return PF_EXIT_USAGE;
    case PF_ENOCONV:
        return PF_EXIT_NOCONV;
    default:
        return PF_EXIT_FAIL;
    }
}

int pf_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "partonflow %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return PF_EXIT_USAGE;
}

int pf_cli_parse_double(const char *flag, const char *text, double *out, pf_status *st)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return pf_status_set(st, PF_EINVAL, "%s: '%s' is not a finite number", flag, text);
    *out = v;
    return PF_OK;
}

int pf_cli_parse_size(const char *flag, const char *text, size_t *out, pf_status *st)
{
    char *end;
    errno = 0;
    if (text[0] == '-')
        return pf_status_set(st, PF_EINVAL, "%s: '%s' is not a non-negative integer", flag, text);
    if (text[0] >= '0' && text[0] <= '9' && strspn(text, "0123456789") == strlen(text)) {
        /* plain digits are read exactly: a double would round seeds above 2^53 */
        unsigned long long u = strtoull(text, &end, 10);
        if (errno == ERANGE || u > SIZE_MAX)
            return pf_status_set(st, PF_EINVAL, "%s: '%s' is too large", flag, text);
        *out = (size_t)u;
        return PF_OK;
    }
    double v = strtod(text, &end); /* accepts 1e6 */
    if (end == text || *end != '\0' || errno == ERANGE || !(v >= 0) || v != floor(v) || v > 9.0e18)
        return pf_status_set(st, PF_EINVAL, "%s: '%s' is not a non-negative integer", flag, text);
    *out = (size_t)v;
    return PF_OK;
}

int pf_cli_parse_threads(const char *text, size_t *out, pf_status *st)
{
    if (pf_cli_parse_size("--threads", text, out, st)) return st->code;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    const size_t lim = (size_t)cores * PF_CLI_THREADS_PER_CORE < PF_CLI_MAX_THREADS
                           ? (size_t)cores * PF_CLI_THREADS_PER_CORE : PF_CLI_MAX_THREADS;
    if (*out > lim)
        return pf_status_set(st, PF_EINVAL, "--threads: expected at most %zu threads (%d, and %d per core of the "
                             "%ld online), got %s", lim, PF_CLI_MAX_THREADS, PF_CLI_THREADS_PER_CORE, cores, text);
    return PF_OK;
}

int pf_cli_parse_list(const char *flag, const char *text, double **out, size_t *n, pf_status *st)
{
    *out = NULL;
    *n = 0;
    if (!text || !*text)
        return pf_status_set(st, PF_EINVAL, "%s: empty list, expected comma-separated numbers", flag);
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += (*p == ',');
    double *v = malloc(cap * sizeof *v);
    char *copy = strdup(text);
    if (!v || !copy) {
        free(v);
        free(copy);
        return pf_status_set(st, PF_ENOMEM, "%s: out of memory", flag);
    }
    size_t k = 0;
    char *save = NULL, *s = copy;
    /* strsep keeps empty items so that "1,,2" is reported, not silently skipped. */
    char *tok;
    while ((tok = strsep(&s, ",")) != NULL) {
        (void)save;
        char *end;
        errno = 0;
        double x = strtod(tok, &end);
        if (end == tok || *end != '\0' || errno == ERANGE || !isfinite(x)) {
            pf_status_set(st, PF_EINVAL, "%s: item %zu '%s' is not a finite number", flag, k + 1, tok);
            free(v);
            free(copy);
            return st->code;
        }
        v[k++] = x;
    }
    free(copy);
    *out = v;
    *n = k;
    return PF_OK;
}

int pf_cli_set_threads(int threads)
{
#ifdef PF_HAVE_OPENMP
    if (threads > 0)
        omp_set_num_threads(threads);
    return omp_get_max_threads();
#else
    (void)threads;
    return 1;
#endif
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void pf_cli_progress_init(pf_cli_progress *p, const char *cmd)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->t0 = p->t_stage = p->t_last = mono_now();
}

void pf_cli_progress_report(void *ctx, const pf_progress *p)
{
    pf_cli_progress *c = ctx;
    const double t = mono_now();
    const char *stage = p->stage ? p->stage : "";
    if (!c->in_stage || strncmp(c->stage, stage, sizeof c->stage - 1)) {
        /* a new stage: its first report is always shown, and rates count from here */
        snprintf(c->stage, sizeof c->stage, "%s", stage);
        c->in_stage = 1;
        c->t_stage = t;
        c->done0 = p->done;
    } else if (!p->final && t - c->t_last < PF_CLI_PROGRESS_INTERVAL) {
        return;
    }
    c->t_last = t;
    if (p->final) c->in_stage = 0; /* a stage of the same name after this one is another */
    char line[512];
    size_t k = 0;
#define ADD(...) (k += (size_t)snprintf(k < sizeof line ? line + k : NULL, k < sizeof line ? sizeof line - k : 0, \
                                        __VA_ARGS__))
    ADD("partonflow %s: %s", c->cmd, stage);
    const double el = t - c->t_stage, total_el = t - c->t0;
    /* counted: over the stage so far; open-ended (a minimiser's evaluations, counted from its
     * start across the Hessian stages in between): over the command so far */
    const double rate = p->unit && !p->total ? (total_el > 0 ? (double)p->done / total_el : 0.0)
                        : el > 0 && p->done > c->done0 ? (double)(p->done - c->done0) / el : 0.0;
    if (!p->unit) {
        if (p->final) ADD(": done in %.1f s", el);
        else ADD(" ...");
    } else {
        if (stage[0]) ADD(": ");
        if (p->total) {
            const uint64_t done = p->done < p->total ? p->done : p->total;
            /* floored, so that 100% means all of it */
            ADD("%llu / %llu %s (%u%%)", (unsigned long long)done, (unsigned long long)p->total, p->unit,
                (unsigned)(100.0 * (double)done / (double)p->total));
        } else {
            ADD("%llu %s", (unsigned long long)p->done, p->unit);
            if (p->iterations >= 0) ADD(", iteration %ld", p->iterations);
            if (!isnan(p->f)) ADD(", -ln L = %.6f", p->f);
            if (!isnan(p->edm)) ADD(", EDM = %.3g", p->edm);
        }
        if (rate > 0) ADD(", %.3g %s/s", rate, p->unit);
        ADD(", %.1f s elapsed", total_el);
        if (p->total) {
            if (p->done >= p->total) ADD(", 0.0 s left");
            else if (rate > 0) ADD(", %.1f s left", (double)(p->total - p->done) / rate);
        } else if (p->final) {
            ADD(", done");
        }
    }
#undef ADD
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
}

char *pf_cli_command_line(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        strcat(s, argv[i]);
        if (i + 1 < argc)
            strcat(s, " ");
    }
    return s;
}

/* Flags whose value is a file the command reads (command NULL: every command; simulate's
 * --events is a count, prepare's a file). */
static const struct { const char *cmd, *flag; } input_flags[] = {
    {NULL, "--card"}, {NULL, "--theory"}, {NULL, "--likelihood"}, {NULL, "--start-from"}, {"prepare", "--events"}};
#define NINPUT_FLAGS (sizeof input_flags / sizeof input_flags[0])

static const char *check_cmd; /* the command pf_cli_check_args is checking */

static int is_input_flag(const char *a)
{
    for (size_t k = 0; k < NINPUT_FLAGS; k++)
        if (!strcmp(a, input_flags[k].flag) && (!input_flags[k].cmd || !strcmp(check_cmd, input_flags[k].cmd)))
            return 1;
    return 0;
}

int pf_cli_check_args(const char *cmd, int argc, char **argv)
{
    const char *out = NULL;
    check_cmd = cmd;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return PF_EXIT_OK; /* the command prints it */
    /* a repeated flag used to take its last value silently */
    for (int i = 1; i < argc; i++)
        for (int j = 1; j < i && !strncmp(argv[i], "--", 2) && argv[i][2]; j++)
            if (!strcmp(argv[j], argv[i]))
                return pf_cli_usage_error(cmd, "%s given twice: expected each flag at most once", argv[i]);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) || !a[2]) continue;
        if (strcmp(a, "--out") || i + 1 >= argc) continue; /* the command reports a missing value */
        out = argv[++i];
    }
    /* export's --out is a set folder, checked by the library (pf_lhapdf_export) */
    if (!out || !strcmp(cmd, "export")) return PF_EXIT_OK;
    struct stat so;
    if (stat(out, &so) != 0) {
        /* a new file: its folder must take it, known now rather than after the work */
        char *dir = strdup(out);
        if (!dir) return PF_EXIT_FAIL;
        char *slash = strrchr(dir, '/');
        const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
        int rc = PF_EXIT_OK;
        struct stat sd;
        if (!out[0])
            rc = pf_cli_usage_error(cmd, "--out: output path is empty: expected a file name such as 'out.h5'");
        else if (stat(d, &sd) != 0 || !S_ISDIR(sd.st_mode))
            rc = pf_cli_usage_error(cmd, "--out '%s': folder '%s' does not exist (expected an existing folder)", out,
                                    d);
        else if (access(d, W_OK | X_OK) != 0)
            rc = pf_cli_usage_error(cmd, "--out '%s': cannot write into folder '%s': %s", out, d, strerror(errno));
        free(dir);
        return rc;
    }
    if (S_ISDIR(so.st_mode))
        return pf_cli_usage_error(cmd, "--out '%s': is a directory, expected the path of the file to write", out);
    if (!S_ISREG(so.st_mode))
        return pf_cli_usage_error(cmd, "--out '%s' exists and is not a regular file (%s): expected a new file name "
                                  "or an artefact to replace", out, S_ISCHR(so.st_mode) || S_ISBLK(so.st_mode) ? "a device" : "a special file");
    for (int i = 1; i + 1 < argc; i++) {
        struct stat si;
        if (is_input_flag(argv[i]) && !stat(argv[i + 1], &si) && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
            return pf_cli_usage_error(cmd, "--out '%s' is one of the inputs (%s '%s', the same file): expected a "
                                      "new file name; the input would be overwritten", out, argv[i], argv[i + 1]);
    }
    return PF_EXIT_OK;
}

int pf_cli_parse_seeds(const char *text, uint64_t *first, uint64_t *last, pf_status *st)
{
    const char *dash = strchr(text, '-');
    char a[32], b[32];
    const size_t la = dash ? (size_t)(dash - text) : 0;
    if (!dash || la == 0 || la >= sizeof a || strlen(dash + 1) == 0 || strlen(dash + 1) >= sizeof b ||
        strspn(text, "0123456789") != la || strspn(dash + 1, "0123456789") != strlen(dash + 1))
        return pf_status_set(st, PF_EINVAL, "--seeds: '%s' is not a range FIRST-LAST of non-negative integers "
                             "(e.g. 1-100)", text);
    memcpy(a, text, la);
    a[la] = '\0';
    snprintf(b, sizeof b, "%s", dash + 1);
    size_t f, l;
    if (pf_cli_parse_size("--seeds", a, &f, st) || pf_cli_parse_size("--seeds", b, &l, st)) return st->code;
    if (l < f) return pf_status_set(st, PF_EINVAL, "--seeds: '%s' ends before it starts: expected FIRST <= LAST", text);
    if (l - f >= PF_CLI_MAX_SEEDS)
        return pf_status_set(st, PF_EINVAL, "--seeds: '%s' is %zu seeds: expected at most %d per call", text,
                             l - f + 1, PF_CLI_MAX_SEEDS);
    *first = f;
    *last = l;
    return PF_OK;
}

int pf_cli_seed_path(const char *flag, const char *tmpl, uint64_t seed, char *out, size_t size, pf_status *st)
{
    const char *p = strstr(tmpl, "{seed}");
    if (!p) return pf_status_set(st, PF_EINVAL, "%s '%s': with --seeds it must contain {seed} (one file per seed)",
                                 flag, tmpl);
    const int n = snprintf(out, size, "%.*s%llu%s", (int)(p - tmpl), tmpl, (unsigned long long)seed, p + 6);
    if (n < 0 || (size_t)n >= size) return pf_status_set(st, PF_EINVAL, "%s '%s': the path is too long", flag, tmpl);
    if (strstr(out, "{seed}"))
        return pf_status_set(st, PF_EINVAL, "%s '%s': expected {seed} once", flag, tmpl);
    return PF_OK;
}
