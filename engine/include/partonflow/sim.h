/* partonflow: the experimental module (issue 5): exact sampling of DIS events from a
 * cross section d^2 sigma / dx dQ^2 inside the card's cut region, the detector model
 * (kernels/detector.h) and events.h5 (docs/artefacts.md, "events.h5").
 *
 * The sampler only sees an abstract, thread-safe batch density callback on (x, Q^2), so
 * it is proven on analytic densities independently of the physics; the CLI plugs in the
 * theory grid (pf_ops_xsec).
 *
 * Algorithm (unbiased by construction):
 *  1. the bounding box of the cut region (x and Q^2 cuts tightened by the y and W^2 cuts)
 *     in (u, v) = (ln x, ln Q^2) is cut into fine cells; cells that cannot meet the region
 *     are dropped;
 *  2. in (u, v) the event density is g = x Q^2 d^2sigma/dxdQ^2; each cell gets the
 *     envelope E_c = safety * max of g over an nsub x nsub sub-grid (corners included);
 *     the bound is then verified on a finer probe (2 nsub - 1 points a side) and raised to
 *     safety * the probe maximum where the probe exceeds it (counted: probe_raised);
 *  3. Walker/Vose alias table over the cell volumes E_c * area_c;
 *  4. candidate: cell from the alias table, uniform point in the cell, accepted with
 *     probability g / E_c if it lies in the cuts (points outside are rejected: the region
 *     is where sigma is defined).  An accepted point with g > E_c is an envelope
 *     violation: the sample would be biased there, so pf_sim_write_events fails with
 *     PF_EINTERNAL and writes no file (docs/artefacts.md); pf_sim_sample only counts them.
 * Event i uses only stream (seed, i): its j-th candidate takes uniforms k = 4j (alias
 * column and coin: U * ncells split into integer and fractional part), 4j+1, 4j+2 (point
 * in the cell) and 4j+3 (accept-reject); the detector takes normals 0, 1 and uniform
 * PF_SIM_EFF_COUNTER.  So an event does not depend on which thread or rank makes it. */
#ifndef PARTONFLOW_SIM_H
#define PARTONFLOW_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/card.h"
#include "partonflow/detector.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/status.h"

#define PF_SIM_SCHEMA "partonflow.events"
#define PF_SIM_SCHEMA_VERSION 1
/* events.h5's structure as readers rely on it (h5.h pf_h5_schema, docs/artefacts.md
 * "Validation"); symbol n_generated: the number of rows */
struct pf_h5_schema;
extern const struct pf_h5_schema pf_sim_events_schema;

/* events.h5 made by `partonflow simulate` (docs/artefacts.md "events.h5"), read and checked
 * here (events_read.c) for every consumer: pf_events_sim_open checks the schema
 * (pf_sim_events_schema) and the values of /events/accepted, parses the generator card of
 * /meta and keeps the file open; the reconstructed columns are read on demand. */
struct pf_h5;
typedef struct pf_events_sim {
    struct pf_h5 *h;                  /* open until pf_events_sim_close */
    uint64_t theory_checksum;         /* of the theory.h5 simulated from */
    pf_card card;                     /* the generator card (/meta) */
    double luminosity_pb;             /* > 0 (schema) */
    uint64_t seed;
    size_t n_file, n_accepted;        /* rows (n_generated), of them accepted */
    uint8_t *accepted;                /* n_file flags 0/1 */
    int has_generation;               /* /events generation present (else the card's region) */
    double generation[PF_NCUTS];
    uint64_t checksum;                /* the file's /meta checksum */
} pf_events_sim;
int pf_events_sim_open(const char *path, pf_events_sim *e, pf_status *st);
/* x_rec and q2_rec of the n rows `rows` (ascending): one read of their span. */
int pf_events_sim_read_rec(pf_events_sim *e, const size_t *rows, size_t n, double *x_rec, double *q2_rec,
                           pf_status *st);
void pf_events_sim_close(pf_events_sim *e);
/* 1 when path is an HDF5 file without partonflow's /meta (to be read as external events,
 * pf_events_external_read), else 0; opens no more than the file's root. */
int pf_events_is_external(const char *path);

/* Events from other producers (docs/artefacts.md "External events"): an HDF5 file without
 * partonflow's /meta, root attribute format = PF_EVENTS_EXTERNAL_FORMAT, format_version 1;
 * /events/x_rec and q2_rec (units "GeV^2") per event, optional x_true, q2_true and weight
 * (all 1: the unbinned fit takes unweighted events); /events attributes luminosity_pb,
 * sqrt_s_gev and the provenance strings producer and description.  Every field is checked
 * (presence, type, length, range, NaN) with messages naming the dataset and row. */
#define PF_EVENTS_EXTERNAL_FORMAT "partonflow.events.external"
extern const struct pf_h5_schema pf_events_external_schema;
typedef struct pf_events_external {
    size_t n_file;            /* events in the file */
    size_t n;                 /* of them inside the cuts: x_rec, q2_rec (malloc'd, file order) */
    double *x_rec, *q2_rec;
    double luminosity_pb, sqrt_s_gev;
    uint64_t checksum;        /* of the file's payload (pf_h5_open_foreign) */
    int has_true;             /* x_true and q2_true present (checked, not used) */
    char producer[256], description[256];
} pf_events_external;
/* Reads and checks it; cuts (PF_CUT_* order) and s (GeV^2) of the analysis: sqrt_s_gev
 * must match s to 1e-6, events outside the cuts are dropped (e->n counts the rest). */
int pf_events_external_read(const char *path, const double cuts[PF_NCUTS], double s, pf_events_external *e,
                            pf_status *st);
void pf_events_external_free(pf_events_external *e);

/* d^2 sigma / dx dQ^2 (any positive units) at n points; must be thread-safe and defined
 * (finite, >= 0) on the whole bounding box of the region (see 1. above), also where
 * y > 1 (there it only enters the envelope). */
typedef int (*pf_sim_density_fn)(void *ctx, size_t n, const double *x, const double *q2, double *out,
                                 pf_status *st);

#define PF_SIM_MAX_BREAKS 8
typedef struct pf_sim_region {
    double cuts[PF_NCUTS];          /* kernels/kinematics.h order */
    double s;                       /* GeV^2 */
    int nbreaks;                    /* Q^2 values where the density may jump or kink */
    double q2_breaks[PF_SIM_MAX_BREAKS];
} pf_sim_region;

typedef struct pf_sim_options {
    int ncell_x, ncell_q2;          /* 0: 96 x 64 */
    int nsub;                       /* sub-grid points a side for the envelope, 0: 4 */
    double safety;                  /* envelope factor, 0: 1.15; must be >= 1 unless allow_unsafe */
    int allow_unsafe;               /* test hook: accept safety in (0, 1), which provokes violations */
} pf_sim_options;

typedef struct pf_sim_sampler pf_sim_sampler;

typedef struct pf_sim_counts {
    uint64_t candidates;            /* candidates drawn */
    uint64_t accepted;              /* events produced */
    uint64_t violations;            /* accepted candidates with g above the envelope */
} pf_sim_counts;

pf_sim_sampler *pf_sim_sampler_create(const pf_sim_region *reg, pf_sim_density_fn f, void *ctx,
                                      const pf_sim_options *opt, pf_status *st);
void pf_sim_sampler_destroy(pf_sim_sampler *s);
/* Integral of the envelope over the cells (same units as sigma). */
double pf_sim_sampler_envelope_total(const pf_sim_sampler *s);
/* Cells whose envelope the finer probe had to raise at construction. */
uint64_t pf_sim_sampler_probe_raised(const pf_sim_sampler *s);
size_t pf_sim_sampler_ncells(const pf_sim_sampler *s);
/* The region the sampler draws in (its copy). */
const pf_sim_region *pf_sim_sampler_region(const pf_sim_sampler *s);

/* Events first .. first+n-1 of (seed) into x[n], q2[n]; counts are added to *counts
 * (nullable).  OpenMP over fixed chunks; bitwise the same for any thread count. */
int pf_sim_sample(const pf_sim_sampler *s, uint64_t seed, uint64_t first, size_t n, double *x,
                  double *q2, pf_sim_counts *counts, pf_status *st);

/* Integral of the density over the cut region by nested Gauss-Legendre quadrature in
 * (ln x, ln Q^2) with the region's exact boundaries (independent of the sampler). */
int pf_sim_integrate(const pf_sim_region *reg, pf_sim_density_fn f, void *ctx, double *sigma,
                     pf_status *st);

/* Poisson(mu) from uniform 0 of the dedicated stream PF_SIM_POISSON_STREAM (inversion). */
#define PF_SIM_POISSON_STREAM UINT64_MAX
uint64_t pf_sim_poisson(uint64_t seed, double mu);

/* Writes events.h5: n events, in chunks of rows, over MPI ranks (pf_par_range) and
 * threads.  progress (nullable) is called by rank 0 after each chunk with events done
 * (by this rank, scaled to the total) and the total. */
typedef struct pf_sim_run {
    const pf_sim_sampler *sampler;
    const pf_det_params *det;
    uint64_t seed, n_events;
    double cross_section_pb, luminosity_pb;   /* sigma_gen: the sampler's region (true kinematics) */
    uint64_t theory_checksum;
    const char *card_yaml, *command_line;
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* recorded as attributes of /events (docs/artefacts.md) */
    const char *count_mode;          /* "events" (fixed count), "luminosity" or "expected_events" */
    double expected_accepted;        /* expected accepted events L sigma_acc (0: not computed) */
    double cross_section_accepted_pb; /* sigma_acc (0: not computed) */
    unsigned generation_cut_into;    /* pf_gen_info.cut_into */
} pf_sim_run;
typedef struct pf_sim_summary {
    uint64_t n_generated, n_accepted;
    pf_sim_counts counts;
} pf_sim_summary;
int pf_sim_write_events(const char *path, const pf_sim_run *run, pf_sim_summary *sum, pf_status *st);

/* The density from the theory grid: d^2sigma/dx dQ^2 in pb/GeV^2 by pf_ops_xsec with the
 * grid values G of the true parameters (ctx: pf_sim_ops_ctx). */
typedef struct pf_ops pf_ops;
typedef struct pf_sim_ops_ctx { const pf_ops *ops; const double *G; } pf_sim_ops_ctx;
int pf_sim_ops_density(void *ctx, size_t n, const double *x, const double *q2, double *out, pf_status *st);
/* The card's GENERATION region (partonflow/generation.h: the cuts for a perfect detector,
 * wider by what the resolution lets migrate into the cuts otherwise), where true events are
 * drawn; the detector applies the cuts to the reconstructed kinematics.  PF_EDOMAIN when
 * theory.h5 (ops, read from theory_path) was made for other beams or its grid does not
 * cover the region.  Q^2 breaks at the heavy-quark thresholds of a VFNS theory. */
int pf_sim_region_from_card(const pf_ops *ops, const pf_card *card, const char *theory_path, pf_sim_region *reg,
                            pf_status *st);

#endif
