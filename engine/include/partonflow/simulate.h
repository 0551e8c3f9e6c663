/* The simulate use case: events.h5 from theory.h5 and a card, as `partonflow simulate` and
 * any other front end run it (docs/artefacts.md "events.h5", docs/cards.md "simulation").
 * Split in two so that a campaign of pseudo-experiments pays the card's fixed cost once:
 *   pf_simulate_setup_create: reads theory.h5, checks the card against it, evaluates the
 *     grid at the card's true parameters, integrates sigma_gen over the generation region
 *     and sigma_acc (what the detector accepts of it), and builds the sampler's envelope;
 *     deterministic, no random numbers;
 *   pf_simulate_write: the events of one seed (count from the request or the card), through
 *     the detector, into one file written under a temporary name.
 * Event i of a file depends only on (seed, i), and the set-up on the card and theory.h5
 * only, so a file is the same bits whether its set-up served one seed or many, for any
 * number of threads and MPI ranks.  MPI: every rank calls both.  Lives above the
 * simulation layer because sigma_acc uses prepare's closed-form acceptance (fit.h). */
#ifndef PARTONFLOW_SIMULATE_H
#define PARTONFLOW_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/card.h"
#include "partonflow/progress.h"
#include "partonflow/status.h"

typedef struct pf_simulate_setup pf_simulate_setup;

typedef struct pf_simulate_config {
    const char *theory;          /* theory.h5 */
    const pf_card *card;         /* its physics must be theory.h5's (PF_EINVAL otherwise) */
    const char *card_label;      /* names the card in messages (its path) */
    double envelope_safety;      /* 0: the sampler's default (1.15); < 1 only as a test hook */
} pf_simulate_config;

pf_simulate_setup *pf_simulate_setup_create(const pf_simulate_config *cfg, pf_status *st);
void pf_simulate_setup_destroy(pf_simulate_setup *s);
/* sigma_gen and sigma_acc of the set-up (pb) */
double pf_simulate_sigma_gen(const pf_simulate_setup *s);
double pf_simulate_sigma_acc(const pf_simulate_setup *s);
double pf_simulate_setup_seconds(const pf_simulate_setup *s);

typedef struct pf_simulate_request {
    const char *out;             /* events.h5, written under a temporary name */
    int have_seed;               /* 0: the card's simulation.seed */
    uint64_t seed;
    uint64_t events;             /* > 0: exactly this many generated events (no Poisson spread) */
    uint64_t expected;           /* > 0: luminosity mode, L = expected / sigma_acc */
                                 /* both 0: the card's simulation block decides */
    const char *command_line;    /* stored in /meta */
    pf_progress_fn progress;     /* nullable: stage "events", unit "events" */
    void *progress_ctx;
} pf_simulate_request;

typedef struct pf_simulate_report {
    uint64_t seed, n_generated, n_accepted;
    double sigma_gen, sigma_acc, luminosity, expected_accepted;
    double sampler_check;        /* sigma_gen estimated from the sampler's acceptance rate */
    const char *count_mode;      /* "events", "luminosity" or "expected_events" */
    double t_write;              /* seconds */
} pf_simulate_report;

/* PF_EINVAL when the request and the card give no event count, or the count is zero. */
int pf_simulate_write(const pf_simulate_setup *s, const pf_simulate_request *req, pf_simulate_report *rep,
                      pf_status *st);

#endif
