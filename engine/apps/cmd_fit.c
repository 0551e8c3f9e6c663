/* partonflow fit: maximises the extended unbinned (or binned Poisson) likelihood of
 * likelihood.h5 over the card's free PDF parameters and writes fit.h5 (docs/fitting.md,
 * docs/artefacts.md).  A fit that does not converge is still written, with converged = 0,
 * and the exit code is 3.  The fit itself is the library's (objective.h); this is its
 * command-line front end. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/cuda.h"
#include "partonflow/objective.h"
#include "partonflow/par.h"

static void fit_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow fit --likelihood likelihood.h5 --card CARD --out fit.h5\n"
            "                      [--replica K] [--method events|histogram] [--theory theory.h5]\n"
            "                      [--threads T] [--max-iter N] [--device cpu|cuda]\n"
            "                      [--start-from central_fit.h5] [--errors hessian|profile] [--quiet]\n\n"
            "Maximises the extended unbinned likelihood (or with --method histogram the binned\n"
            "Poisson likelihood) over the card's fit.free parameters with GSL's vector BFGS2 and\n"
            "the exact gradient, from fit.start (truth, truth-shifted = +5%%, or explicit values).\n"
            "Errors, covariance and correlations from the Hessian of -ln L at the minimum;\n"
            "--errors profile adds profile-likelihood (MINOS-like) intervals, where -ln L\n"
            "minimised over the other parameters rises by 1/2, and takes the pulls from them\n"
            "(about 2 x 3 profile fits per parameter: for few events or curved likelihoods).\n"
            "--replica K (K >= 1) refits with Poisson(1) bootstrap weights per event from the\n"
            "counter RNG keyed by (seed, K, event).  The true parameters are those of the card\n"
            "stored in likelihood.h5 (the one the events were simulated with); theory.h5 is the\n"
            "one prepare read, unless --theory names it.  --max-iter: BFGS iterations (500).\n"
            "--start-from: start at the best fit of a converged fit of the same free parameters\n"
            "(e.g. the central fit, for a bootstrap replica) with its Hessian as preconditioner.\n"
            "--device: where the event pass runs (default cuda when this build has CUDA and a\n"
            "device is present, else cpu; the histogram method and MPI runs use the CPU).\n"
            "Progress goes to stderr unless --quiet: the minimiser's evaluations, iterations,\n"
            "-ln L and EDM with the rate; the Hessian's columns and the profile intervals'\n"
            "parameters with the fraction done and time left.  fit.h5 is the same either way.\n\n"
            "exit codes: 0 converged, 3 not converged (fit.h5 written, converged = 0),\n"
            "            2 bad input, 1 runtime failure\n");
}

int pf_cmd_fit(int argc, char **argv)
{
    const char *lpath = NULL, *card_path = NULL, *out = NULL, *method = "events", *theory = NULL, *device = NULL,
               *start_from = NULL, *errors = "hessian";
    size_t replica = 0, threads = 0, max_iter = 0;
    int quiet = 0;
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fit_usage(stdout);
            return PF_EXIT_OK;
        }
        if (!strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (i + 1 >= argc)
            return pf_cli_usage_error("fit", "%s needs a value or is unknown ('partonflow fit --help')", a);
        if (!strcmp(a, "--likelihood")) lpath = argv[++i];
        else if (!strcmp(a, "--card")) card_path = argv[++i];
        else if (!strcmp(a, "--out")) out = argv[++i];
        else if (!strcmp(a, "--method")) method = argv[++i];
        else if (!strcmp(a, "--theory")) theory = argv[++i];
        else if (!strcmp(a, "--device")) device = argv[++i];
        else if (!strcmp(a, "--start-from")) start_from = argv[++i];
        else if (!strcmp(a, "--errors")) errors = argv[++i];
        else if (!strcmp(a, "--replica")) {
            if (pf_cli_parse_size("--replica", argv[++i], &replica, &st)) return pf_cli_fail("fit", &st);
        } else if (!strcmp(a, "--threads")) {
            if (pf_cli_parse_threads(argv[++i], &threads, &st)) return pf_cli_fail("fit", &st);
        } else if (!strcmp(a, "--max-iter")) {
            if (pf_cli_parse_size("--max-iter", argv[++i], &max_iter, &st)) return pf_cli_fail("fit", &st);
            if (max_iter > INT_MAX) /* the minimiser counts in int */
                return pf_cli_usage_error("fit", "--max-iter: expected at most %d iterations, got %s", INT_MAX, argv[i]);
        } else
            return pf_cli_usage_error("fit", "unknown argument '%s' ('partonflow fit --help')", a);
    }
    if (!lpath || !card_path || !out)
        return pf_cli_usage_error("fit", "--likelihood, --card and --out are required ('partonflow fit --help')");
    const int histogram = !strcmp(method, "histogram");
    if (!histogram && strcmp(method, "events"))
        return pf_cli_usage_error("fit", "--method: expected events or histogram, got '%s'", method);
    const int profile = !strcmp(errors, "profile");
    if (!profile && strcmp(errors, "hessian"))
        return pf_cli_usage_error("fit", "--errors: expected hessian or profile, got '%s'", errors);
    pf_cli_set_threads((int)threads);
    struct timespec ts0, ts1;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    pf_cli_progress pc;
    pf_cli_progress_init(&pc, "fit");
    pf_card card;
    pf_fit_problem *prob = NULL;
    pf_fit_outcome o;
    memset(&o, 0, sizeof o);
    char *cmd = NULL;
    int rc, use_cuda = 0;
    char devlabel[300];
    /* the device first, as before the card (the library checks it again) */
    if (pf_cuda_select_device(device, &use_cuda, devlabel, sizeof devlabel, &st)) goto fail;
    if (use_cuda && device && (histogram || pf_par_size() > 1)) {
        pf_status_set(&st, PF_EINVAL, "--device cuda: only for --method events on one rank (the device pass has no MPI "
                                      "reduction)");
        goto fail;
    }
    if (pf_card_read(card_path, &card, &st)) goto fail;
    if (!card.fit.present) {
        pf_status_set(&st, PF_ECARD, "%s: no fit section (fit.free lists the parameters to fit)", card_path);
        goto fail;
    }
    /* the histogram method needs no event rows */
    prob = pf_fit_problem_open(lpath, theory, !histogram, &st);
    if (!prob) goto fail;
    pf_fit_config cfg;
    pf_fit_config_default(&cfg);
    cfg.card = &card;
    cfg.card_label = card_path;
    cfg.method = histogram ? PF_FIT_HISTOGRAM : PF_FIT_EVENTS;
    cfg.device = device;
    cfg.replica = replica;
    cfg.max_iter = (int)max_iter;
    cfg.start_from = start_from;
    cfg.profile = profile;
    cfg.inputs_only = pf_cli_inputs_only;
    if (!quiet) {
        cfg.progress = pf_cli_progress_report;
        cfg.progress_ctx = &pc;
    }
    const int fitrc = pf_fit_problem_run(prob, &cfg, &o, &st);
    if (fitrc && fitrc != PF_ENOCONV) goto fail;
    if (cfg.inputs_only) {
        rc = PF_EXIT_OK;
        goto done;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts1);
    cmd = pf_cli_command_line(pf_cli_argc, pf_cli_argv);
    if (pf_fit_outcome_write(&o, &card, cmd, out, &st)) goto fail;
    const pf_fit_result *res = &o.res;
    if (pf_par_rank() == 0) {
        printf("partonflow fit: %s: %s fit of %zu parameters to %zu events%s: %s; -lnL = %.6f, %ld likelihood "
               "calls in %.2f s\n",
               out, histogram ? "histogram" : "unbinned", o.nfree, o.nevents, replica ? " (bootstrap replica)" : "",
               res->message, res->fmin, res->nfev, /* the fit's own; the profile fits' apart */
               (double)(ts1.tv_sec - ts0.tv_sec) + 1e-9 * (double)(ts1.tv_nsec - ts0.tv_nsec));
        for (size_t k = 0; k < o.nfree; k++) {
            if (profile && res->converged)
                printf("  %-10s %12.6f +- %10.6f  profile -%.6f +%.6f  (truth %10.6f, pull %+6.2f, profile z at "
                       "truth %+6.2f)\n", card.fit.free[k], res->theta[k], res->err[k], o.err_lo[k], o.err_hi[k],
                       o.truth[k], o.pull[k], o.z_truth[k]);
            else
                printf("  %-10s %12.6f +- %10.6f  (truth %10.6f, pull %+6.2f)\n", card.fit.free[k], res->theta[k],
                       res->err[k], o.truth[k], o.pull[k]);
        }
        if (profile && res->converged)
            printf("partonflow fit: profile intervals (%ld evaluations in %.2f s): %s; at the truth 2 (-lnL(truth) + "
                   "lnL(best)) = %.3f over %zu parameters\n", o.profile_evaluations, o.profile_seconds,
                   o.profile_status, o.q_truth, o.nfree);
        else if (profile)
            printf("partonflow fit: profile intervals: %s\n", o.profile_status);
        if (!res->converged) fprintf(stderr, "partonflow fit: NOT CONVERGED: %s (written with converged = 0)\n",
                                     res->message);
    }
    rc = res->converged ? PF_EXIT_OK : PF_EXIT_NOCONV;
    goto done;
fail:
    rc = pf_cli_fail("fit", &st);
done:
    pf_fit_outcome_free(&o);
    pf_fit_problem_close(prob);
    free(cmd);
    return rc;
}
