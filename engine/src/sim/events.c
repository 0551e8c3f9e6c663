/* partonflow sim: events.h5 (schema "partonflow.events" v1, docs/artefacts.md).
 *
 * Events [0, n) are split over MPI ranks in contiguous ranges (pf_par_range); each rank
 * makes its events in chunks (sampler + detector, OpenMP inside) and writes its rows with
 * collective parallel HDF5 (pf_h5_write_rows).  Every event depends only on (seed, i), so
 * the file is bitwise the same for any number of ranks and threads. */
#include <stdlib.h>
#include <string.h>

#include "partonflow/h5.h"
#include "partonflow/par.h"
#include "partonflow/sim.h"

#define EV_CHUNK ((size_t)1 << 18)

enum { C_X_TRUE, C_Q2_TRUE, C_Y_TRUE, C_E_TRUE, C_TH_TRUE, C_X_REC, C_Q2_REC, C_Y_REC, C_E_REC, C_TH_REC, NCOL };
static const char *const col_name[NCOL] = {
    "/events/x_true", "/events/q2_true", "/events/y_true", "/events/eprime_true", "/events/theta_true",
    "/events/x_rec", "/events/q2_rec", "/events/y_rec", "/events/eprime_rec", "/events/theta_rec"};
/* What prepare (and any reader) relies on: one row per generated event in every column */
static const pf_h5_field events_fields[] = {
    {.path = "/events@luminosity_pb", .cls = PF_H5_FLOAT_CLASS, .rules = PF_H5_POSITIVE, .what = "luminosity"},
    {.path = "/events/accepted", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"n_generated"}, .rules = PF_H5_FLAG},
    {.path = "/events/x_rec", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_generated"}},
    {.path = "/events/q2_rec", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_generated"}},
    {.path = "/events/x_true", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_generated"}, .rules = PF_H5_OPTIONAL},
    {.path = "/events/q2_true", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_generated"}, .rules = PF_H5_OPTIONAL},
};
const pf_h5_schema pf_sim_events_schema = {PF_SIM_SCHEMA, events_fields, sizeof events_fields / sizeof *events_fields};

static const char *const col_unit[NCOL] = {"1", "GeV^2", "1", "GeV", "rad", "1", "GeV^2", "1", "GeV", "rad"};

static int write_attrs(pf_h5 *h, const pf_sim_run *run, const pf_sim_summary *sum, pf_status *st)
{
    const char *g = "/events";
    if (pf_h5_set_attr_double(h, g, "cross_section_pb", run->cross_section_pb, st) ||
        pf_h5_set_attr_double(h, g, "luminosity_pb", run->luminosity_pb, st) ||
        pf_h5_set_attr_uint64(h, g, "seed", run->seed, st) ||
        pf_h5_set_attr_int64(h, g, "n_generated", (int64_t)sum->n_generated, st) ||
        pf_h5_set_attr_int64(h, g, "n_accepted", (int64_t)sum->n_accepted, st) ||
        pf_h5_set_attr_uint64(h, g, "theory_checksum", run->theory_checksum, st) ||
        pf_h5_set_attr_int64(h, g, "n_candidates", (int64_t)sum->counts.candidates, st) ||
        pf_h5_set_attr_int64(h, g, "envelope_violations", (int64_t)sum->counts.violations, st) ||
        pf_h5_set_attr_double(h, g, "envelope_total_pb", pf_sim_sampler_envelope_total(run->sampler), st) ||
        pf_h5_set_attr_double(h, g, "cross_section_mc_pb",
                              sum->counts.candidates ? (double)sum->counts.accepted / (double)sum->counts.candidates *
                                                           pf_sim_sampler_envelope_total(run->sampler)
                                                     : 0.0,
                              st) ||
        pf_h5_set_attr_int64(h, g, "envelope_probe_raised", (int64_t)pf_sim_sampler_probe_raised(run->sampler), st) ||
        pf_h5_set_attr_string(h, g, "theta_convention",
                              run->det && run->det->method == PF_DET_JB
                                  ? "charged current, Jacquet-Blondel: eprime_* and theta_* are the energy and polar "
                                    "angle of the hadronic final state (the struck quark) from the proton (+z) direction"
                                  : "polar angle of the scattered electron from the proton (+z) direction",
                              st) ||
        /* the true-kinematics region the events were generated in (generation.h) */
        pf_h5_set_attr_doubles(h, g, "generation", pf_sim_sampler_region(run->sampler)->cuts, PF_NCUTS, st) ||
        pf_h5_set_attr_string(h, g, "generation_order", "q2_min, q2_max, x_min, x_max, y_min, y_max, w2_min", st) ||
        pf_h5_set_attr_int64(h, g, "generation_cut_into", (int64_t)run->generation_cut_into, st) ||
        pf_h5_set_attr_double(h, g, "cross_section_gen_pb", run->cross_section_pb, st) ||
        pf_h5_set_attr_string(h, g, "count_mode", run->count_mode ? run->count_mode : "events", st))
        return st ? st->code : PF_EIO;
    if (run->cross_section_accepted_pb > 0 &&
        (pf_h5_set_attr_double(h, g, "cross_section_accepted_pb", run->cross_section_accepted_pb, st) ||
         pf_h5_set_attr_double(h, g, "expected_accepted", run->expected_accepted, st)))
        return st ? st->code : PF_EIO;
    return PF_OK;
}

int pf_sim_write_events(const char *path, const pf_sim_run *run, pf_sim_summary *sum, pf_status *st)
{
    const uint64_t n = run->n_events;
    memset(sum, 0, sizeof *sum);
    if (n == 0) return pf_status_set(st, PF_EINVAL, "simulate: zero events requested (simulation.events or --events)");
    /* the totals over ranks are summed as doubles below, exact only up to 2^53 */
    if (n > ((uint64_t)1 << 53))
        return pf_status_set(st, PF_EINVAL, "simulate: %llu events requested, expected at most 2^53",
                             (unsigned long long)n);
    const int rank = pf_par_rank(), size = pf_par_size();
    size_t b, e;
    pf_par_range(n, rank, size, &b, &e);
    size_t nchunks = 0;
    for (int r = 0; r < size; r++) {
        size_t rb, re;
        pf_par_range(n, r, size, &rb, &re);
        const size_t c = (re - rb + EV_CHUNK - 1) / EV_CHUNK;
        if (c > nchunks) nchunks = c;
    }
    pf_h5_meta meta = {run->card_yaml, run->command_line, 1, run->seed};
    pf_h5 *h = pf_h5_create(path, PF_SIM_SCHEMA, PF_SIM_SCHEMA_VERSION, &meta, st);
    if (!h) return st ? st->code : PF_EIO;
    /* no compression: random doubles shrink by ~20% under shuffle + deflate, which costs
     * 4x the generation time (docs/performance.md, simulate) */
    if (pf_h5_set_deflate(h, 0, st)) {
        pf_h5_abort(h);
        return st ? st->code : PF_EIO;
    }
    const size_t cap = (e - b < EV_CHUNK) ? e - b : EV_CHUNK;
    double *col[NCOL];
    uint8_t *acc = malloc((cap ? cap : 1) * sizeof *acc);
    int rc = acc ? PF_OK : PF_ENOMEM;
    for (int c = 0; c < NCOL; c++) {
        col[c] = malloc((cap ? cap : 1) * sizeof(double));
        if (!col[c]) rc = PF_ENOMEM;
    }
    if (rc) pf_status_set(st, PF_ENOMEM, "simulate: out of memory for %zu rows", cap);
    pf_sim_counts cnt = {0, 0, 0};
    uint64_t nacc = 0;
    const size_t dims[1] = {(size_t)n};
    for (size_t ch = 0; ch < nchunks; ch++) {
        const size_t off = b + ch * EV_CHUNK;
        const size_t m = off < e ? ((e - off < EV_CHUNK) ? e - off : EV_CHUNK) : 0;
        if (!rc && m) {
            const uint64_t viol0 = cnt.violations;
            rc = pf_sim_sample(run->sampler, run->seed, off, m, col[C_X_TRUE], col[C_Q2_TRUE], &cnt, st);
            /* an event above the envelope was accepted with probability 1 instead of
             * g / envelope: the sample is biased there, so no file (issue 12, item 3) */
            if (!rc && cnt.violations > viol0)
                rc = pf_status_set(st, PF_EINTERNAL,
                                   "%llu accepted events among events %zu..%zu lay above the sampler's "
                                   "envelope (the density exceeds the envelope bound in some cell): the sample would "
                                   "be biased there, so no events file is written; this is a bug of the envelope "
                                   "set-up, please report it with the card",
                                   (unsigned long long)(cnt.violations - viol0), off, off + m - 1);
            if (!rc) {
                pf_sim_rows rows = {col[C_X_TRUE], col[C_Q2_TRUE], col[C_Y_TRUE], col[C_E_TRUE], col[C_TH_TRUE],
                                    col[C_X_REC], col[C_Q2_REC], col[C_Y_REC], col[C_E_REC], col[C_TH_REC], acc};
                pf_sim_detector(run->det, run->seed, off, m, &rows);
                for (size_t i = 0; i < m; i++) nacc += acc[i];
            }
        }
        /* every rank learns whether one failed, so that no rank waits in a collective write */
        if (pf_par_max_int(rc != PF_OK)) {
            if (!rc) rc = pf_status_set(st, PF_EINTERNAL, "simulate: another MPI rank failed");
            break;
        }
        const size_t wo = m ? off : 0;
        for (int c = 0; c < NCOL && !rc; c++)
            rc = pf_h5_write_rows(h, col_name[c], PF_H5_DOUBLE, 1, dims, wo, m, col[c], col_unit[c], st);
        if (!rc) rc = pf_h5_write_rows(h, "/events/accepted", PF_H5_UINT8, 1, dims, wo, m, acc, NULL, st);
        if (rc) break;
        if (run->progress && rank == 0) {
            uint64_t done = (uint64_t)(off - b + m) * (uint64_t)size;
            run->progress(run->progress_ctx, done < n ? done : n, n);
        }
    }
    for (int c = 0; c < NCOL; c++) free(col[c]);
    free(acc);
    if (!rc) {
        /* integer totals over ranks (exact as doubles below 2^53) */
        double part[4] = {(double)cnt.candidates, (double)cnt.accepted, (double)cnt.violations, (double)nacc}, tot[4];
        rc = pf_par_sum_blocks(part, (size_t)rank, 1, (size_t)size, 4, tot, st);
        if (!rc) {
            sum->counts.candidates = (uint64_t)tot[0];
            sum->counts.accepted = (uint64_t)tot[1];
            sum->counts.violations = (uint64_t)tot[2];
            sum->n_accepted = (uint64_t)tot[3];
            sum->n_generated = n;
            rc = write_attrs(h, run, sum, st);
        }
    }
    if (rc) {
        pf_h5_abort(h);
        return rc;
    }
    return pf_h5_commit(h, st);
}
