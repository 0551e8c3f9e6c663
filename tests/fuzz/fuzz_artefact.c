/* libFuzzer targets: the HDF5 artefact readers as the CLI uses them (docs/reliability.md,
 * "Fuzzing").  One source, built once per artefact (PF_FUZZ_KIND):
 *   1 theory.h5      partonflow sf --theory IN (pf_ops_read, then the grid path at points)
 *   2 events.h5      partonflow prepare --events IN (read, validate, event rows)
 *   3 likelihood.h5  partonflow fit --likelihood IN (read, validate, -ln L at the start)
 *   4 fit.h5         partonflow fit --start-from IN (read, validate, -ln L at its theta)
 * The input bytes are the file.  The other inputs are the valid artefacts of the seed
 * chain in $PF_FUZZ_SEEDS (tools/fuzz.sh makes them: card.yaml, theory.h5, likelihood.h5).
 * prepare and fit stop after using their inputs (pf_cli_inputs_only); the fuzz build
 * ignores checksum mismatches so that mutated payloads reach the structural validation.
 * Findings: a crash or sanitizer report, an exit code other than 0 or 2 (bad input must
 * be exit 2, commands.h), a refusal without a message, or a file left under the output
 * name or a temporary. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "partonflow/par.h"

#ifndef PF_FUZZ_KIND
#error "PF_FUZZ_KIND: 1 theory, 2 events, 3 likelihood, 4 fit"
#endif

static char dir[4096], in[4200], out[4200], card[4200], theory[4200], like[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *seeds = getenv("PF_FUZZ_SEEDS");
    if (!seeds) {
        fprintf(stderr, "fuzz_artefact: set PF_FUZZ_SEEDS to the folder of the seed chain (tools/fuzz.sh)\n");
        exit(2);
    }
    snprintf(card, sizeof card, "%s/card.yaml", seeds);
    snprintf(theory, sizeof theory, "%s/theory.h5", seeds);
    snprintf(like, sizeof like, "%s/likelihood.h5", seeds);
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(dir, sizeof dir, "%s/pf-fuzz-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        perror("fuzz_artefact: mkdtemp");
        exit(1);
    }
    snprintf(in, sizeof in, "%s/in.h5", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    pf_status st;
    pf_status_clear(&st);
    if (pf_par_init(argc, argv, &st) != PF_OK) {
        fprintf(stderr, "fuzz_artefact: %s\n", st.msg);
        exit(1);
    }
    pf_cli_inputs_only = 1;
    return 0;
}

/* Files left in the work folder other than the input: a finding. */
static void check_no_leftovers(void)
{
    DIR *d = opendir(dir);
    if (!d) abort();
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "in.h5")) {
            fprintf(stderr, "fuzz_artefact: %s/%s left behind\n", dir, e->d_name);
            abort();
        }
    closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd)) {
        perror("fuzz_artefact: writing the input");
        abort();
    }
#if PF_FUZZ_KIND == 1
    const char *cmd = "sf";
    char *argv[] = {"sf", "--card", card, "--theory", in, "--x", "0.001,0.01,0.1,0.5", "--q2", "5,50,500", NULL};
    pf_cmd_fn fn = pf_cmd_sf;
#elif PF_FUZZ_KIND == 2
    const char *cmd = "prepare";
    char *argv[] = {"prepare", "--theory", theory, "--events", in, "--out", out, NULL};
    pf_cmd_fn fn = pf_cmd_prepare;
#elif PF_FUZZ_KIND == 3
    const char *cmd = "fit";
    char *argv[] = {"fit", "--likelihood", in, "--card", card, "--theory", theory, "--out", out, NULL};
    pf_cmd_fn fn = pf_cmd_fit;
#else
    const char *cmd = "fit";
    char *argv[] = {"fit",     "--likelihood", like, "--card", card, "--theory", theory, "--start-from", in,
                    "--out",   out,            NULL};
    pf_cmd_fn fn = pf_cmd_fit;
#endif
    const int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
    pf_cli_argc = argc;
    pf_cli_argv = argv;
    int rc = pf_cli_check_args(cmd, argc, argv);
    if (rc == PF_EXIT_OK) rc = fn(argc, argv);
    if (rc != PF_EXIT_OK && rc != PF_EXIT_USAGE) {
        fprintf(stderr, "fuzz_artefact: %s exited %d (expected 0, or 2 for bad input)\n", cmd, rc);
        abort();
    }
    check_no_leftovers();
    return 0;
}
