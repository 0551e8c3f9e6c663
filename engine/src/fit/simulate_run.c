/* partonflow: the simulate use case (partonflow/simulate.h): one set-up per card and
 * theory.h5, then any number of events files from it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "partonflow/card.h"
#include "partonflow/fit.h"
#include "partonflow/generation.h"
#include "partonflow/kernels/detector.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"
#include "partonflow/sim.h"
#include "partonflow/simulate.h"

struct pf_simulate_setup {
    pf_card card;
    char *card_yaml;
    pf_det_params det;
    pf_gen_info gen;
    pf_ops *ops;
    double *G;
    pf_sim_ops_ctx dctx;
    pf_sim_region reg;
    pf_sim_sampler *smp;
    double sigma, sigma_acc, seconds;
    char theory[1024], card_label[512];
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* sigma_acc: d2sigma times the probability to be accepted (reconstructed inside the cuts
 * and passing the efficiency), integrated over the generation region (pf_sim_integrate).
 * The acceptance is prepare's closed form (pf_prep_acceptance; a perfect detector: the
 * efficiency, the region being the cuts).  Each point on its own: any thread count. */
typedef struct { pf_sim_ops_ctx *xs; const pf_det_params *det; } acc_ctx;

static int accepted_density(void *vp, size_t n, const double *x, const double *q2, double *out, pf_status *st)
{
    const acc_ctx *a = vp;
    int rc = pf_sim_ops_density(a->xs, n, x, q2, out, st);
    if (rc) return rc;
    const double s = pf_kin_s(a->det->e_electron, a->det->e_proton);
    if (a->det->perfect) {
        for (size_t i = 0; i < n; i++) out[i] *= pf_det_efficiency(a->det, q2[i] / (x[i] * s));
    } else {
        double *acc = malloc((n ? n : 1) * sizeof *acc);
        if (!acc || pf_prep_acceptance_n(a->det, n, x, q2, acc)) {
            free(acc);
            return pf_status_set(st, PF_ENOMEM, "accepted cross section: out of memory for %zu points", n);
        }
        for (size_t i = 0; i < n; i++) out[i] *= acc[i];
        free(acc);
    }
    for (size_t i = 0; i < n; i++)
        if (!(out[i] >= 0))
            return pf_status_set(st, PF_EDOMAIN, "accepted cross section: acceptance at x = %g, Q2 = %g is %g", x[i],
                                 q2[i], out[i]);
    return PF_OK;
}

void pf_simulate_setup_destroy(pf_simulate_setup *s)
{
    if (!s) return;
    pf_sim_sampler_destroy(s->smp);
    free(s->G);
    free(s->card_yaml);
    pf_ops_destroy(s->ops);
    free(s);
}

pf_simulate_setup *pf_simulate_setup_create(const pf_simulate_config *cfg, pf_status *st)
{
    const double t0 = now();
    if (!cfg || !cfg->theory || !cfg->card) {
        pf_status_set(st, PF_EINVAL, "simulate: theory and card are required");
        return NULL;
    }
    pf_simulate_setup *s = calloc(1, sizeof *s);
    if (!s) {
        pf_status_set(st, PF_ENOMEM, "simulate: out of memory");
        return NULL;
    }
    s->card = *cfg->card;
    snprintf(s->theory, sizeof s->theory, "%s", cfg->theory);
    snprintf(s->card_label, sizeof s->card_label, "%s", cfg->card_label ? cfg->card_label : "the card");
    const char *cl = s->card_label, *theory = s->theory;
    pf_card *card = &s->card;
    pf_det_params *det = &s->det;
    pf_pdf *pdf = NULL;
    if (pf_sim_detector_from_card(card, det, st) || pf_gen_region_info(card, &s->gen, st)) goto fail;
    if (!(s->ops = pf_ops_read(theory, st))) goto fail;
    char diff[256]; /* provenance: the card's theory must be the one theory.h5 was built with */
    if (pf_card_physics_diff(card, pf_ops_card(s->ops), diff, sizeof diff)) {
        pf_status_set(st, PF_EINVAL, "card %s and %s disagree: %s (the events would not be of this theory)", cl,
                      theory, diff);
        goto fail;
    }
    if (pf_sim_region_from_card(s->ops, card, theory, &s->reg, st)) goto fail;
    if (!(pdf = pf_pdf_create(&card->pdf, st))) goto fail;
    if (!(s->G = malloc(pf_ops_ngrid(s->ops) * sizeof *s->G))) {
        pf_status_set(st, PF_ENOMEM, "out of memory for the grid values");
        goto fail;
    }
    if (pf_ops_grid_values(s->ops, pdf, s->G, NULL, st)) goto fail;
    pf_pdf_destroy(pdf);
    pdf = NULL;
    s->dctx = (pf_sim_ops_ctx){s->ops, s->G};
    /* sigma_gen: the generation region; sigma_acc: what the detector accepts of it */
    if (pf_sim_integrate(&s->reg, pf_sim_ops_density, &s->dctx, &s->sigma, st)) goto fail;
    {
        pf_sim_region areg = s->reg;
        if (det->perfect) memcpy(areg.cuts, det->cuts, sizeof areg.cuts);
        acc_ctx ac = {&s->dctx, det};
        if (pf_sim_integrate(&areg, accepted_density, &ac, &s->sigma_acc, st)) goto fail;
    }
    pf_sim_options sopt = {0};
    if (cfg->envelope_safety > 0) {
        sopt.safety = cfg->envelope_safety;
        sopt.allow_unsafe = 1;
    }
    if (!(s->smp = pf_sim_sampler_create(&s->reg, pf_sim_ops_density, &s->dctx, &sopt, st))) goto fail;
    if (!(s->card_yaml = pf_card_to_yaml(card))) {
        pf_status_set(st, PF_ENOMEM, "simulate: out of memory for the card's YAML");
        goto fail;
    }
    s->seconds = now() - t0;
    return s;
fail:
    if (!st->code) pf_status_set(st, PF_EINTERNAL, "simulate: set-up failed");
    pf_pdf_destroy(pdf);
    pf_simulate_setup_destroy(s);
    return NULL;
}

double pf_simulate_sigma_gen(const pf_simulate_setup *s) { return s->sigma; }
double pf_simulate_sigma_acc(const pf_simulate_setup *s) { return s->sigma_acc; }
double pf_simulate_setup_seconds(const pf_simulate_setup *s) { return s->seconds; }

typedef struct { pf_progress_fn fn; void *ctx; } progress_ctx;

static void progress(void *vp, uint64_t done, uint64_t total)
{
    const progress_ctx *p = vp;
    const pf_progress pr = pf_progress_stage(NULL, "events", done, total, done >= total);
    p->fn(p->ctx, &pr);
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int pf_simulate_write(const pf_simulate_setup *s, const pf_simulate_request *req, pf_simulate_report *rep,
                      pf_status *st)
{
    memset(rep, 0, sizeof *rep);
    if (!req->out) return pf_status_set(st, PF_EINVAL, "simulate: out is required");
    if (same_file(req->out, s->theory) || same_file(req->out, s->card_label))
        return pf_status_set(st, PF_EINVAL, "simulate: out '%s' is one of the inputs (the theory or the card): "
                             "expected a new file name", req->out);
    if (req->events && req->expected)
        return pf_status_set(st, PF_EINVAL, "simulate: a fixed count (events) and luminosity mode (expected) "
                             "exclude each other: give one");
    const pf_simulation_card *sc = &s->card.simulation;
    const char *cl = s->card_label;
    const uint64_t seed = req->have_seed ? req->seed : sc->seed;
    uint64_t n;
    double lumi;
    const char *mode;
    if (req->events || (!req->expected && sc->events)) {
        n = req->events ? req->events : sc->events;
        lumi = n / s->sigma;
        mode = "events";
    } else {
        const uint64_t expected = req->expected ? req->expected : sc->expected_events;
        if (expected) {
            /* luminosity mode with the expected accepted count given: L = N / sigma_acc, a
             * deterministic function of the card and the theory (no random numbers) */
            if (!(s->sigma_acc > 0))
                return pf_status_set(st, PF_EDOMAIN, "card %s: the accepted cross section is %g pb: no event can be "
                                     "accepted (cuts, detector, efficiency), so no luminosity gives %llu expected "
                                     "accepted events", cl, s->sigma_acc, (unsigned long long)expected);
            lumi = (double)expected / s->sigma_acc;
            mode = "expected_events";
        } else if (sc->luminosity > 0) {
            lumi = sc->luminosity;
            mode = "luminosity";
        } else
            return pf_status_set(st, PF_EINVAL, "card %s has no simulation section: give the expected events "
                                 "(or a fixed count of events)", cl);
        n = pf_sim_poisson(seed, lumi * s->sigma);
        if (n == 0)
            return pf_status_set(st, PF_EINVAL, "luminosity %g pb^-1 x sigma_gen %g pb gave zero events (seed %llu)",
                                 lumi, s->sigma, (unsigned long long)seed);
    }
    progress_ctx pc = {req->progress, req->progress_ctx};
    if (req->progress && pf_par_rank() == 0) progress(&pc, 0, n);
    pf_sim_run run = {s->smp, &s->det, seed, n, s->sigma, lumi, pf_ops_checksum(s->ops), s->card_yaml,
                      req->command_line ? req->command_line : "", req->progress ? progress : NULL, &pc,
                      mode, lumi * s->sigma_acc, s->sigma_acc, s->gen.cut_into};
    pf_sim_summary sum;
    const double t1 = now();
    const int rc = pf_sim_write_events(req->out, &run, &sum, st);
    if (rc) return rc;
    rep->t_write = now() - t1;
    rep->seed = seed;
    rep->n_generated = n;
    rep->n_accepted = sum.n_accepted;
    rep->sigma_gen = s->sigma;
    rep->sigma_acc = s->sigma_acc;
    rep->luminosity = lumi;
    rep->expected_accepted = lumi * s->sigma_acc;
    rep->sampler_check = (double)sum.counts.accepted / (double)sum.counts.candidates *
                         pf_sim_sampler_envelope_total(s->smp);
    rep->count_mode = mode;
    return PF_OK;
}
