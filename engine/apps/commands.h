/* partonflow CLI: one function per subcommand, dispatched by main.c.
 * Exit codes (docs/cli.md): 0 success, 1 runtime failure, 2 bad input (flag, card, file),
 * 3 a fit that did not converge (fit.h5 is still written and says so). */
#ifndef PARTONFLOW_APPS_COMMANDS_H
#define PARTONFLOW_APPS_COMMANDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "partonflow/progress.h"
#include "partonflow/status.h"

enum { PF_EXIT_OK = 0, PF_EXIT_FAIL = 1, PF_EXIT_USAGE = 2, PF_EXIT_NOCONV = 3 };

typedef int (*pf_cmd_fn)(int argc, char **argv);

/* Subcommands: argv[0] is the subcommand name. */
int pf_cmd_card(int argc, char **argv);
int pf_cmd_evolve(int argc, char **argv);
int pf_cmd_sf(int argc, char **argv);
int pf_cmd_theory(int argc, char **argv);
int pf_cmd_simulate(int argc, char **argv);
int pf_cmd_prepare(int argc, char **argv);
int pf_cmd_fit(int argc, char **argv);
int pf_cmd_bench(int argc, char **argv);
int pf_cmd_export(int argc, char **argv);

/* bench targets: argv[0] is the target name ("evolve", "xsec", ...). */
int pf_bench_evolve(int argc, char **argv);
int pf_bench_xsec(int argc, char **argv);
int pf_bench_simulate(int argc, char **argv);
int pf_bench_likelihood(int argc, char **argv);
int pf_bench_gpu(int argc, char **argv);

/* --- helpers shared by the subcommands (cli_util.c) --- */

/* Prints "partonflow CMD: <message>" on stderr and returns the exit code for st->code
 * (2 for input errors: EINVAL, ECARD, EFORMAT, ECHECKSUM, EDOMAIN; 1 otherwise). */
int pf_cli_fail(const char *cmd, const pf_status *st);
/* Prints "partonflow CMD: <formatted>" and returns PF_EXIT_USAGE. */
int pf_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses "1e-3,0.1,0.5" into a malloc'd array; on error fills st naming the flag and the
 * offending item ("--x: item 2 'abc' is not a number").  Empty lists are errors. */
int pf_cli_parse_list(const char *flag, const char *text, double **out, size_t *n, pf_status *st);
/* Parses an unsigned integer / a double for a flag, with a message naming the flag. */
int pf_cli_parse_size(const char *flag, const char *text, size_t *out, pf_status *st);
int pf_cli_parse_double(const char *flag, const char *text, double *out, pf_status *st);

/* The most --threads a command accepts: PF_CLI_MAX_THREADS, and at most
 * PF_CLI_THREADS_PER_CORE x the online cores; more is a typo, and libgomp aborts trying
 * to start thousands of threads. */
#define PF_CLI_MAX_THREADS 1024
#define PF_CLI_THREADS_PER_CORE 64
/* Parses --threads: a non-negative integer up to the bound above (0: OpenMP's default). */
int pf_cli_parse_threads(const char *text, size_t *out, pf_status *st);
/* Pseudo-experiment campaigns (simulate and prepare --seeds): "FIRST-LAST", at most
 * PF_CLI_MAX_SEEDS seeds, FIRST <= LAST. */
#define PF_CLI_MAX_SEEDS 100000
int pf_cli_parse_seeds(const char *text, uint64_t *first, uint64_t *last, pf_status *st);
/* tmpl with its one "{seed}" replaced by the seed (PF_EINVAL naming flag when it has none,
 * or more than one, or the path does not fit). */
int pf_cli_seed_path(const char *flag, const char *tmpl, uint64_t seed, char *out, size_t size, pf_status *st);
/* Sets the OpenMP thread count (0: leave as is); returns the count in force. */
int pf_cli_set_threads(int threads);

/* Checks made for every command before it starts any work (main.c): a flag given twice
 * ("--out given twice"); --out is not one of the inputs named by --card, --theory,
 * --events (prepare), --likelihood, --start-from (same st_dev and st_ino, also through
 * links), is a regular file if it exists, and has a writable folder if it does not.
 * (A missing input is exit 2 where it is opened: pf_card_read, pf_h5_open.)
 * argv[0] is the subcommand.  Returns PF_EXIT_OK or the exit code after printing why. */
int pf_cli_check_args(const char *cmd, int argc, char **argv);

/* Progress on stderr (docs/architecture.md "Progress"): one printer for every command, a
 * pf_progress_fn (partonflow/progress.h) with a pf_cli_progress as its context.  It prints
 * "partonflow CMD: STAGE: " and then, by the kind of report,
 *   counted:    "D / T UNIT (P%), R UNIT/s, E s elapsed, L s left"
 *   open-ended: "D UNIT, iteration I, -ln L = F, EDM = X, R UNIT/s, E s elapsed[, done]"
 *   a stage without a count: "STAGE ..." when it starts, "STAGE: done in S s" when it ends;
 * the first report of a stage and its last always, the others at most every
 * PF_CLI_PROGRESS_INTERVAL seconds (rate and time left: over the stage so far; elapsed:
 * since pf_cli_progress_init).  Nothing goes to stdout, and it does not alter what the
 * library computes.  --quiet: the commands pass no callback. */
#define PF_CLI_PROGRESS_INTERVAL 1.0
typedef struct pf_cli_progress {
    const char *cmd;
    double t0, t_stage, t_last; /* the command's start, the stage's, the last line's */
    uint64_t done0;              /* done at the stage's first report */
    int in_stage;
    char stage[96];
} pf_cli_progress;
void pf_cli_progress_init(pf_cli_progress *p, const char *cmd);
void pf_cli_progress_report(void *ctx, const pf_progress *p);

/* The command line as one string (for /meta), malloc'd. */
char *pf_cli_command_line(int argc, char **argv);
extern int pf_cli_argc;
extern char **pf_cli_argv;
/* Set only by the fuzz targets (tests/fuzz, docs/reliability.md): prepare and fit return
 * exit 0 once their inputs are read, validated and used (prepare: the event rows; fit: one
 * evaluation of -ln L at the start), before the seconds-long normalisation or minimisation. */
extern int pf_cli_inputs_only;

#endif
