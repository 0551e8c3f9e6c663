/* The prepare use case (partonflow/prepare.h): per-event weights, normalisation and
 * histogram operators of likelihood.h5 from theory.h5 and events (docs/artefacts.md; the
 * method in docs/fitting.md).  Under MPI the accepted events are split over ranks in whole
 * summation blocks (pf_like_range); the payload is bitwise the same for any number of
 * ranks and threads.  `partonflow prepare` is the command-line front end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "partonflow/card.h"
#include "partonflow/fit.h"
#include "partonflow/generation.h"
#include "partonflow/h5.h"
#include "partonflow/like.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"
#include "partonflow/prepare.h"
#include "partonflow/sim.h"
#include "prepare_progress.h"

static int cmp_abs(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* The generation region of the events (generation.h): the events' own (simulate records
 * it) when given, else the card's; checked to contain the cuts. */
static int events_generation(const double *stored, const char *path, const pf_card *card, const double *cut,
                             double gen[PF_NCUTS], pf_status *st)
{
    if (stored)
        memcpy(gen, stored, sizeof(double) * PF_NCUTS);
    else if (pf_gen_region(card, gen, st))
        return st->code;
    static const char *const name[PF_NCUTS] = {"q2_min", "q2_max", "x_min", "x_max", "y_min", "y_max", "w2_min"};
    static const int upper[PF_NCUTS] = {0, 1, 0, 1, 0, 1, 0};
    for (int k = 0; k < PF_NCUTS; k++)
        if (!(gen[k] > 0.0 || (!upper[k] && gen[k] >= 0.0)) || (upper[k] ? gen[k] < cut[k] : gen[k] > cut[k]))
            return pf_status_set(st, PF_EFORMAT, "%s: generation region %s = %g does not contain the cut %s = %g", path,
                                 name[k], gen[k], name[k], cut[k]);
    return PF_OK;
}

/* first = the sum of `local` over the ranks before this one, total = over all */
static int rank_prefix(size_t local, size_t *first, size_t *total, pf_status *st)
{
    const int nr = pf_par_size(), me = pf_par_rank();
    double *cnt = calloc((size_t)nr, sizeof *cnt), *all = calloc((size_t)nr, sizeof *all);
    int rc = !cnt || !all ? pf_status_set(st, PF_ENOMEM, "cannot allocate %d counts", nr) : PF_OK;
    if (!rc) {
        cnt[me] = (double)local;
        rc = pf_par_sum_blocks(cnt, (size_t)me, 1, (size_t)nr, (size_t)nr, all, st);
    }
    *first = *total = 0;
    for (int r = 0; !rc && r < nr; r++) {
        if (r < me) *first += (size_t)all[r];
        *total += (size_t)all[r];
    }
    free(cnt); free(all);
    return rc;
}

/* `--verify N`: the response-operator densities of the first n events against their exact
 * rows at the truth of the events' card (prints quantiles of the relative difference). */
static int verify_response(const pf_ops *ops, const pf_det_params *dp, const double *gen, const pf_prep_response *resp,
                           const pf_card *evcard, size_t n, const double *x, const double *q2, pf_prepare_report *rep,
                           pf_status *st)
{
    double *G = malloc(pf_ops_ngrid(ops) * sizeof *G), *rel = malloc((n ? n : 1) * sizeof *rel);
    pf_pdf *pdf = pf_pdf_create(&evcard->pdf, st);
    int rc = !G || !rel ? pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the verification") : PF_OK;
    if (!rc && !pdf) rc = st->code;
    if (!rc) rc = pf_ops_grid_values(ops, pdf, G, NULL, st);
    if (!rc) rc = pf_prep_response_verify(ops, dp, gen, resp, &evcard->detector, G, n, x, q2, rel, st);
    if (!rc && n) {
        double *a = malloc(n * sizeof *a);
        if (!a) rc = pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the verification");
        size_t worst = 0;
        for (size_t i = 0; a && i < n; i++) {
            a[i] = fabs(rel[i]);
            if (a[i] > a[worst]) worst = i;
        }
        if (a) {
            rep->verify_worst_x = x[worst];
            rep->verify_worst_q2 = q2[worst];
        }
        if (a) {
            qsort(a, n, sizeof *a, cmp_abs);
            size_t over = 0;
            for (size_t i = 0; i < n; i++) over += a[i] > 1e-5;
            rep->verified = n;
            rep->verify_q[0] = a[n / 2];
            rep->verify_q[1] = a[(size_t)(0.9 * (n - 1))];
            rep->verify_q[2] = a[(size_t)(0.99 * (n - 1))];
            rep->verify_q[3] = a[(size_t)(0.999 * (n - 1))];
            rep->verify_q[4] = a[n - 1];
            rep->verify_over = over;
        }
        free(a);
    }
    pf_pdf_destroy(pdf);
    free(G); free(rel);
    return rc;
}

struct pf_prepare_cache {
    pf_ops *ops;                 /* theory.h5 as read, and the file it was read from */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    int have_resp;               /* M and what it was built from */
    pf_prep_response resp;
    uint64_t thsum;
    pf_det_params dp;
    double gen[PF_NCUTS];
    size_t built, reused;
};

pf_prepare_cache *pf_prepare_cache_create(void) { return calloc(1, sizeof(pf_prepare_cache)); }

void pf_prepare_cache_destroy(pf_prepare_cache *c)
{
    if (!c) return;
    pf_ops_destroy(c->ops);
    pf_prep_response_free(&c->resp);
    free(c);
}

void pf_prepare_cache_counts(const pf_prepare_cache *c, size_t *built, size_t *reused)
{
    *built = c ? c->built : 0;
    *reused = c ? c->reused : 0;
}

/* the bits of two doubles (M is rebuilt unless every input is the same bits) */
static int same_bits(const double *a, const double *b, size_t n) { return !memcmp(a, b, n * sizeof *a); }

/* every field of pf_det_params that the response operator reads (the struct has padding) */
static int same_detector(const pf_det_params *a, const pf_det_params *b)
{
    return same_bits(&a->e_electron, &b->e_electron, 1) && same_bits(&a->e_proton, &b->e_proton, 1) &&
           a->perfect == b->perfect && same_bits(&a->stochastic, &b->stochastic, 1) &&
           same_bits(&a->constant, &b->constant, 1) && same_bits(&a->sigma_theta, &b->sigma_theta, 1) &&
           same_bits(&a->efficiency, &b->efficiency, 1) && a->eff_n == b->eff_n &&
           same_bits(a->eff_y, b->eff_y, PF_DET_EFF_MAX) && same_bits(a->eff_value, b->eff_value, PF_DET_EFF_MAX) &&
           same_bits(a->cuts, b->cuts, PF_NCUTS) && a->method == b->method;
}

/* theory.h5 from the cache when it holds this file unchanged, else read (and kept there) */
static pf_ops *cached_ops(pf_prepare_cache *c, const char *theory, int *owned, pf_status *st)
{
    struct stat sb;
    *owned = 1;
    if (!c || stat(theory, &sb)) return pf_ops_read(theory, st);
    if (c->ops && c->dev == sb.st_dev && c->ino == sb.st_ino && c->size == sb.st_size &&
        c->mtime.tv_sec == sb.st_mtim.tv_sec && c->mtime.tv_nsec == sb.st_mtim.tv_nsec) {
        *owned = 0;
        return c->ops;
    }
    pf_ops *ops = pf_ops_read(theory, st);
    if (!ops) return NULL;
    pf_ops_destroy(c->ops);
    c->ops = ops;
    c->dev = sb.st_dev, c->ino = sb.st_ino, c->size = sb.st_size, c->mtime = sb.st_mtim;
    *owned = 0;
    return ops;
}

/* 1 when out names the same file as in (an existing input would be overwritten) */
static int same_file(const char *out, const char *in)
{
    struct stat so, si;
    return in && !stat(out, &so) && !stat(in, &si) && so.st_dev == si.st_dev && so.st_ino == si.st_ino;
}

/* a report of stage `stage` to the front end's callback, on rank 0 only (progress.h) */
static void report(const pf_prepare_config *cfg, const char *stage, const char *unit, uint64_t done, uint64_t total,
                   int final)
{
    if (!cfg->progress || pf_par_rank() != 0) return;
    const pf_progress p = pf_progress_stage(stage, unit, done, total, final);
    cfg->progress(cfg->progress_ctx, &p);
}

#define FAIL(...) do { pf_status_set(st, __VA_ARGS__); goto fail; } while (0)
#define TRY(x) do { if ((x) != PF_OK) goto fail; } while (0)

int pf_prepare_run(const pf_prepare_config *cfg, pf_prepare_report *rep, pf_status *st)
{
    const double t0 = now();
    memset(rep, 0, sizeof *rep);
    const char *theory = cfg->theory, *events = cfg->events, *out = cfg->out;
    const char *card_path = cfg->card_label ? cfg->card_label : "the card";
    int exact_rows = cfg->exact_rows;
    const size_t nverify = cfg->nverify;
    if (!theory || !events || !out) {
        pf_status_set(st, PF_EINVAL, "prepare: theory, events and out are required");
        return PF_EINVAL;
    }
    {   /* before any work: out must not be an input (front ends other than the CLI, whose
         * argument check says the same, reach here directly) nor a non-regular file */
        const char *const in[3] = {theory, events, cfg->card_label};
        static const char *const what[3] = {"the theory", "the events", "the card"};
        struct stat so;
        for (int k = 0; k < 3; k++)
            if (same_file(out, in[k]))
                return pf_status_set(st, PF_EINVAL, "prepare: out '%s' is one of the inputs (%s '%s', the same file): "
                                     "expected a new file name; the input would be overwritten", out, what[k], in[k]);
        if (!stat(out, &so) && !S_ISREG(so.st_mode))
            return pf_status_set(st, PF_EINVAL, "prepare: out '%s' exists and is not a regular file: expected a new "
                                 "file name or an artefact to replace", out);
    }
    pf_ops *ops = NULL;
    pf_h5 *h = NULL;
    uint8_t *acc = NULL;
    size_t *sel = NULL;
    double *xr = NULL, *qr = NULL, *c = NULL, *H = NULL, *val = NULL, *xfac = NULL;
    uint32_t *col = NULL;
    uint64_t *rp = NULL;
    int32_t *bin = NULL;
    char *yaml = NULL;
    pf_prep_response resp = {0}, *R = &resp; /* R: resp, or the cache's */
    int ops_owned = 1;
    pf_events_external xev = {0};
    pf_events_sim sev = {0};
    double gen[PF_NCUTS];
    int response = 0;
    pf_card card, evcard;
    const int have_card = cfg->card != NULL;
    if (have_card) card = *cfg->card;
    report(cfg, "reading inputs", NULL, 0, 0, 0);
    ops = cached_ops(cfg->cache, theory, &ops_owned, st);
    if (!ops) goto fail;
    /* events from another producer (sim.h, docs/artefacts.md "External events"): no theory
     * checksum and no card; --card supplies the detector model, the cuts and the truth */
    const int external = pf_events_is_external(events);
    uint64_t thsum = 0;
    if (external) {
        if (!have_card)
            FAIL(PF_EINVAL, "%s: external events carry no card: --card must name the detector model, the kinematics "
                            "and the parametrisation (docs/artefacts.md \"External events\")", events);
        thsum = pf_ops_checksum(ops);
        evcard = card;
    } else {
        /* events.h5 of simulate: schema, flags and card checked by the sim layer */
        TRY(pf_events_sim_open(events, &sev, st));
        thsum = sev.theory_checksum;
        if (thsum != pf_ops_checksum(ops))
            FAIL(PF_EINVAL, "%s was simulated from another theory (theory_checksum %016llx) than %s (checksum %016llx)",
                 events, (unsigned long long)thsum, theory, (unsigned long long)pf_ops_checksum(ops));
        evcard = sev.card;
    }
    {   /* provenance: the events' generator card and --card belong to this theory */
        char diff[256];
        if (!external && pf_card_physics_diff(&evcard, pf_ops_card(ops), diff, sizeof diff))
            FAIL(PF_EINVAL, "%s (its card in /meta) and %s disagree: %s", events, theory, diff);
        if (have_card && pf_card_physics_diff(&card, pf_ops_card(ops), diff, sizeof diff))
            FAIL(PF_EINVAL, "--card %s and %s disagree: %s", card_path, theory, diff);
    }
    const pf_detector_card *det = &evcard.detector;
    double lumi;
    uint64_t seed = 0;
    size_t ngen = 0;
    uint64_t evsum = 0;
    if (external) {
        double tc[PF_NCUTS], ts, ta;
        pf_ops_kinematics(ops, tc, &ts, &ta);
        TRY(pf_events_external_read(events, tc, ts, &xev, st));
        ngen = xev.n_file;
        lumi = xev.luminosity_pb;
        evsum = xev.checksum;
        acc = malloc(ngen ? ngen : 1);
        if (!acc) FAIL(PF_ENOMEM, "cannot read %zu events", ngen);
        memset(acc, 0, ngen ? ngen : 1);
        memset(acc, 1, xev.n); /* the reader kept the accepted events first, in file order */
    } else {
        ngen = sev.n_file;
        lumi = sev.luminosity_pb;
        seed = sev.seed;
        evsum = sev.checksum;
        acc = sev.accepted; /* owned by sev */
        sev.accepted = NULL;
    }
    size_t nacc = 0;
    for (size_t i = 0; i < ngen; i++) nacc += acc[i];
    if (nacc == 0) FAIL(PF_EINVAL, "%s: none of its %zu events is accepted: nothing to fit", events, ngen);
    /* as the simulator: no detector section means the issue-5 default smearing */
    const int smeared = !det->perfect;
    pf_det_params dp;
    if (smeared) {
        TRY(pf_sim_detector_from_card(&evcard, &dp, st));
        double tc[7], ts, ta;
        pf_ops_kinematics(ops, tc, &ts, &ta);
        if (fabs(ts / pf_kin_s(dp.e_electron, dp.e_proton) - 1.0) > 1e-12)
            FAIL(PF_EINVAL, "%s: beams of s = %g GeV^2, %s was made for s = %g GeV^2", events,
                 pf_kin_s(dp.e_electron, dp.e_proton), theory, ts);
        /* the true region the response is folded over: the one the events were generated
         * in (/events generation), else the card's (generation.h) */
        TRY(events_generation(!external && sev.has_generation ? sev.generation : NULL, events, &evcard, dp.cuts,
                              gen, st));
    }

    /* this rank's accepted events, in whole blocks */
    size_t b, e;
    pf_like_range(nacc, pf_par_rank(), pf_par_size(), &b, &e);
    const size_t n = e - b;
    sel = malloc((n ? n : 1) * sizeof *sel);
    if (!sel) FAIL(PF_ENOMEM, "cannot allocate %zu events", n);
    for (size_t i = 0, k = 0; i < ngen; i++)
        if (acc[i]) {
            if (k >= b && k < e) sel[k - b] = i;
            k++;
        }
    xr = malloc((n ? n : 1) * sizeof *xr);
    qr = malloc((n ? n : 1) * sizeof *qr);
    if (!sel || !xr || !qr) FAIL(PF_ENOMEM, "cannot allocate %zu events", n);
    if (n && external) {
        memcpy(xr, xev.x_rec + b, n * sizeof *xr);
        memcpy(qr, xev.q2_rec + b, n * sizeof *qr);
    } else if (n) {
        TRY(pf_events_sim_read_rec(&sev, sel, n, xr, qr, st));
    }
    pf_events_sim_close(&sev);
    report(cfg, "reading inputs", NULL, 0, 0, 1);
    const double t1 = now();
    /* event rows */
    int rc;
    bin = malloc((n ? n : 1) * sizeof *bin);
    if (!bin) FAIL(PF_ENOMEM, "cannot allocate the rows of %zu events", n);
    if (smeared && !exact_rows) {
        /* the response operator folds over the generation region widened to the theory
         * grid's box (prepare_reco.c): right only for the derived 1e-9 region, where the
         * true density continues smoothly past the cuts.  Events generated inside a tighter
         * region (simulation.generation keys) have a density cut off there, which neither
         * the widened fold nor F's interpolation describes (2-5 % off near the cuts):
         * those get the exact rows, which fold over gen itself. */
        pf_gen_info gi;
        TRY(pf_gen_region_info(&evcard, &gi, st));
        char tight[160] = "";
        static const char *const nm[PF_NCUTS] = {"q2_min", "q2_max", "x_min", "x_max", "y_min", "y_max", "w2_min"};
        for (int k = 0; k < PF_NCUTS; k++) {
            const int upper = k == PF_CUT_Q2_MAX || k == PF_CUT_X_MAX || k == PF_CUT_Y_MAX;
            if (upper ? gen[k] < gi.derived[k] * (1.0 - 1e-12) : gen[k] > gi.derived[k] * (1.0 + 1e-12) + 1e-300)
                snprintf(tight + strlen(tight), sizeof tight - strlen(tight), "%s%s", tight[0] ? ", " : "", nm[k]);
        }
        if (tight[0]) {
            exact_rows = 1;
            snprintf(rep->exact_because, sizeof rep->exact_because, "%s", tight);
        }
    }
    response = smeared && !exact_rows;
    /* rank 0's rows stand for all ranks' (prepare_progress.h); NULL off rank 0 */
    pf_prep_progress rows_pr = {cfg->progress, cfg->progress_ctx,
                                pf_progress_stage("event rows", "events", 0, nacc, 0)};
    const pf_prep_progress *rpr = cfg->progress && pf_par_rank() == 0 ? &rows_pr : NULL;
    if (response) {
        /* smeared detector: the response operator (prepare_reco.c), the same on every rank,
         * and each event a factored stencil row on F = M G */
        pf_prep_progress op_pr = {cfg->progress, cfg->progress_ctx,
                                  pf_progress_stage("response operator", "nodes", 0, 0, 0)};
        pf_prepare_cache *pc = cfg->cache;
        int reused = 0;
        if (pc && pc->have_resp && pc->thsum == pf_ops_checksum(ops) && same_detector(&pc->dp, &dp) &&
            same_bits(pc->gen, gen, PF_NCUTS)) {
            R = &pc->resp;
            pc->reused++;
            reused = 1;
        } else {
            TRY(pf_prep_response_make_progress(ops, &dp, gen, &resp, rpr ? &op_pr : NULL, st));
            if (pc) { /* kept for the next call: M depends on the theory, detector and region only */
                pf_prep_response_free(&pc->resp);
                pc->resp = resp;
                memset(&resp, 0, sizeof resp);
                R = &pc->resp;
                pc->have_resp = 1;
                pc->thsum = pf_ops_checksum(ops);
                pc->dp = dp;
                memcpy(pc->gen, gen, sizeof pc->gen);
                pc->built++;
            }
        }
        const uint64_t nodes = (uint64_t)pf_reco_nnodes(&R->rg);
        if (!reused) report(cfg, "response operator", "nodes", nodes, nodes, 1);
        report(cfg, "event rows", "events", 0, nacc, 0);
        col = malloc((n ? n : 1) * sizeof *col);
        val = malloc((n ? n : 1) * PF_LIKE_STL * sizeof *val);
        if (!col || !val) FAIL(PF_ENOMEM, "cannot allocate the rows of %zu events", n);
        /* stored in the compact form (40 bytes per event with base and bin): the reader
         * expands it to the same weights (like_io.c) */
        rc = pf_reco_events_stencil(&R->rg, det, R->use, n, xr, qr, col, NULL, val, st);
        if (!rc && nverify) rc = verify_response(ops, &dp, gen, R, &evcard, n < nverify ? n : nverify, xr, qr, rep, st);
    } else if (smeared) {
        /* smeared detector: general CSR rows, folded exactly (prepare_smear.c) */
        rp = malloc((n + 1) * sizeof *rp);
        if (!rp) FAIL(PF_ENOMEM, "cannot allocate the rows of %zu events", n);
        report(cfg, "event rows", "events", 0, nacc, 0);
        rc = pf_prep_events_smeared_progress(ops, &dp, gen, n, xr, qr, rp, &col, &val, rpr, st);
    } else {
        /* perfect detector: the factored stencil rows (like.h) in compact form, 48 bytes
         * per event with base, x factor and bin (the pass expands them: like_data.h) */
        col = malloc((n ? n : 1) * sizeof *col);
        val = malloc((n ? n : 1) * PF_LIKE_STL * sizeof *val);
        xfac = malloc((n ? n : 1) * sizeof *xfac);
        if (!col || !val || !xfac) FAIL(PF_ENOMEM, "cannot allocate the rows of %zu events", n);
        report(cfg, "event rows", "events", 0, nacc, 0);
        rc = pf_prep_events_stencil_local(ops, det, n, xr, qr, col, val, xfac, st);
    }
    if (pf_par_max_int(rc != PF_OK)) {
        if (!rc) pf_status_set(st, PF_EDOMAIN, "an accepted event of another rank is outside the theory grid");
        goto fail;
    }
    report(cfg, "event rows", "events", nacc, nacc, 1);
    /* CSR rows to write (--rows exact): this rank's first row and weight in the file = those
     * of the ranks before it */
    const int csr = smeared && !response;
    const size_t nrows_local = csr ? n : 0;
    size_t nnz_local = csr ? (size_t)rp[nrows_local] : 0, nnz_first = 0, nnz_total = 0;
    size_t rows_first = 0, rows_total = 0;
    if (csr) {
        TRY(rank_prefix(nnz_local, &nnz_first, &nnz_total, st));
        TRY(rank_prefix(nrows_local, &rows_first, &rows_total, st));
        for (size_t i = 0; i <= nrows_local; i++) rp[i] += nnz_first;
    }
    pf_like_info info = {.ngrid = pf_ops_ngrid(ops), .nevents = nacc, .luminosity = lumi,
                         .theory_checksum = thsum, .events_checksum = evsum, .seed = seed};
    snprintf(info.detector, sizeof info.detector, smeared ? "smeared" : "perfect");
    info.response = response;
    {
        char *abs = realpath(theory, NULL); /* fit finds theory.h5 from any directory */
        snprintf(info.theory_path, sizeof info.theory_path, "%s", abs ? abs : theory);
        free(abs);
    }
    const pf_card *bc = have_card && card.fit.present ? &card : &evcard;
    int bx = bc->fit.present ? bc->fit.bins_x : 20, bq = bc->fit.present ? bc->fit.bins_q2 : 12;
    pf_prep_bins_from_cuts(ops, bx, bq, &info.bins);
    info.nbins = (size_t)bx * (size_t)bq;
    for (size_t i = 0; i < n; i++) bin[i] = pf_prep_bin_of(&info.bins, xr[i], qr[i]);
    if (cfg->inputs_only) { /* tests/fuzz: the inputs are read and used */
        rc = PF_OK;
        goto done;
    }
    const double t2 = now();
    report(cfg, "normalisation", NULL, 0, 0, 0);
    c = malloc(info.ngrid * sizeof *c);
    H = malloc(info.nbins * info.ngrid * sizeof *H);
    if (!c || !H) FAIL(PF_ENOMEM, "cannot allocate the normalisation");
    if (response) TRY(pf_prep_response_norm(R, info.ngrid, det, &info.bins, c, H, st));
    else if (smeared) TRY(pf_prep_norm_smeared(ops, &dp, gen, &info.bins, 0, c, H, st));
    else TRY(pf_prep_norm(ops, det, &info.bins, 0, c, H, st));
    report(cfg, "normalisation", NULL, 0, 0, 1);
    const double t3 = now();
    report(cfg, "writing", NULL, 0, 0, 0);
    /* likelihood.h5 */
    /* the events' generator card (fit takes the truth from it); --card supplies fit only */
    if (have_card && card.fit.present) evcard.fit = card.fit;
    yaml = pf_card_to_yaml(&evcard);
    pf_h5_meta meta = {.card_yaml = yaml, .command_line = cfg->command_line ? cfg->command_line : "", .has_seed = 1, .seed = seed};
    h = pf_h5_create(out, PF_LIKE_SCHEMA, PF_LIKE_SCHEMA_VERSION, &meta, st);
    if (!h) goto fail;
    TRY(pf_like_file_write_header(h, &info, c, H, st));
    if (external) { /* where the events came from (their file's payload checksum: events_checksum) */
        TRY(pf_h5_set_attr_string(h, "/events", "source", "external", st));
        TRY(pf_h5_set_attr_string(h, "/events", "producer", xev.producer, st));
        TRY(pf_h5_set_attr_string(h, "/events", "description", xev.description, st));
        TRY(pf_h5_set_attr_string(h, "/events", "events_file", events, st));
    } else {
        TRY(pf_h5_set_attr_string(h, "/events", "source", "partonflow simulate", st));
    }
    /* The event rows are stored uncompressed (as events.h5): their weights are dense
     * doubles that deflate shrinks by ~40% at ~40 MB/s, which made writing the 1e6-event
     * smeared rows take 32 s and every fit spend ~6 s inflating them twice (checksum and
     * read).  /norm and /hist above stay compressed. */
    TRY(pf_h5_set_deflate(h, 0, st));
    size_t d1[1] = {nacc};
    if (response) TRY(pf_like_file_write_response(h, R, st));
    if (csr) {
        /* row_ptr has rows + 1 entries: the last rank also writes the final one */
        size_t dr[1] = {rows_total + 1}, dn[1] = {nnz_total};
        const int last = e == nacc;
        TRY(pf_h5_write_rows(h, "/events/row_ptr", PF_H5_UINT64, 1, dr, rows_first, nrows_local + (size_t)last, rp,
                             NULL, st));
        TRY(pf_h5_write_rows(h, "/events/col", PF_H5_INT32, 1, dn, nnz_first, nnz_local, col, NULL, st));
        TRY(pf_h5_write_rows(h, "/events/val", PF_H5_DOUBLE, 1, dn, nnz_first, nnz_local, val,
                             "pb GeV^-2 per unit G", st));
        TRY(pf_h5_set_attr_double(h, "/events", "n_sigma", PF_PREP_NSIGMA, st));
    }
    if (!csr) {
        TRY(pf_h5_write_rows(h, "/events/stencil_base", PF_H5_INT32, 1, d1, b, n, col, NULL, st));
        const size_t dl[2] = {nacc, PF_LIKE_STL};
        TRY(pf_h5_write_rows(h, "/events/stencil_local", PF_H5_DOUBLE, 2, dl, b, n, val, NULL, st));
        if (!response) {
            /* the perfect detector's x factors: the point's, and the grid columns' */
            TRY(pf_h5_write_rows(h, "/events/stencil_xf", PF_H5_DOUBLE, 1, d1, b, n, xfac, NULL, st));
            const size_t dx[1] = {pf_ops_nx(ops)};
            TRY(pf_h5_write(h, "/events/stencil_xpow", PF_H5_DOUBLE, 1, dx, pf_ops_xpow(ops), NULL, st));
        }
        TRY(pf_h5_set_attr_int64(h, "/events", "stencil_nx", (int64_t)(response ? R->rg.nz : pf_ops_nx(ops)), st));
    }
    TRY(pf_h5_write_rows(h, "/events/bin", PF_H5_INT32, 1, d1, b, n, bin, NULL, st));
    {
        pf_h5 *hh = h;
        h = NULL;
        TRY(pf_h5_commit(hh, st));
    }
    report(cfg, "writing", NULL, 0, 0, 1);
    const double t4 = now();
    rep->nacc = nacc;
    rep->ngen = ngen;
    rep->ngrid = info.ngrid;
    rep->nbins = info.nbins;
    rep->t_read = t1 - t0, rep->t_rows = t2 - t1, rep->t_norm = t3 - t2, rep->t_write = t4 - t3;
    rep->smeared = smeared;
    rep->response = response;
    rep->m_nt = R->rg.nt, rep->m_nz = R->rg.nz, rep->m_used = R->nused, rep->m_nnz = R->nnz;
    rep->m_pnt = R->rg.pnt, rep->m_pnz = R->rg.pnz;
    rep->rows_total = rows_total;
    rep->nnz_total = nnz_total;
    rc = PF_OK;
    goto done;
fail:
    rc = st->code ? st->code : PF_EINTERNAL;
done:
    if (h) pf_h5_abort(h);
    pf_events_sim_close(&sev);
    if (ops_owned) pf_ops_destroy(ops);
    free(acc); free(sel); free(xr); free(qr); free(c); free(H); free(val); free(xfac); free(col); free(bin);
    free(yaml); free(rp);
    pf_prep_response_free(&resp);
    pf_events_external_free(&xev);
    return rc;
}
