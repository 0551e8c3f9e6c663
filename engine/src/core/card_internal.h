/* partonflow core: helpers shared by the card sources (not installed). */
#ifndef PARTONFLOW_CORE_CARD_INTERNAL_H
#define PARTONFLOW_CORE_CARD_INTERNAL_H

#include "partonflow/card.h"

/* Index of a pf_flav_in name ("uv", ...), or -1. */
int pf_flav_in_index(const char *name);
/* An absent flavour: present 0, same_as -1, fixed norm, A = a = b = 0, poly = [1]. */
void pf_card_flavour_zero(pf_flavour_card *f);
/* Fills pdf->fl[] and pdf->preset with a named preset; -1 if the name is unknown. */
int pf_card_preset(const char *name, pf_pdf_card *pdf);
/* Defaults of the optional sections (docs/cards.md). */
void pf_card_defaults(pf_card *card);

#define PF_CARD_DEFAULT_ALPHA_EM (1.0 / 137.036)
#define PF_CARD_DEFAULT_E_STOCHASTIC 0.02
#define PF_CARD_DEFAULT_E_CONSTANT 0.01
#define PF_CARD_DEFAULT_THETA_RES 0.001
/* detector.hadronic (charged current, Jacquet-Blondel): a sampling calorimeter's hadronic
 * response, 50 %/sqrt(E) (+) 3 %, and 10 mrad on the hadronic polar angle */
#define PF_CARD_DEFAULT_H_STOCHASTIC 0.5
#define PF_CARD_DEFAULT_H_CONSTANT 0.03
#define PF_CARD_DEFAULT_H_THETA_RES 0.01
#define PF_CARD_DEFAULT_BINS_X 20
#define PF_CARD_DEFAULT_BINS_Q2 12

/* Limits checked when the card is read, so that `card check` refuses what a later stage
 * would (docs/cards.md, "Limits"). */
#define PF_CARD_MAX_BYTES (1u << 20) /* a card is a few kB; more is a wrong file (/dev/zero) */
#define PF_CARD_MAX_DEPTH 32          /* YAML nesting: cards use 4 levels */
#define PF_CARD_MU_MIN 0.5            /* GeV: theory.mu0, alphas.mu; below, alpha_s is not perturbative */
#define PF_CARD_MU_MAX 1.0e4          /* GeV: far above the top mass and any DIS Q */
#define PF_CARD_X_MIN 1.0e-12         /* x cuts: the ln x grid and the contour x^(1-N) factors lose accuracy below */
#define PF_CARD_NORM_MAX 1.0e4        /* |A| and |poly| coefficients */
#define PF_CARD_A_MAX 50.0            /* small-x exponent a */
#define PF_CARD_B_MAX 100.0           /* large-x exponent b */

/* ---- the YAML walker shared by card.c and card_stages.c (card_walk.c) ---- */
#include <stdint.h>
#include <yaml.h>

#define PATH_LEN 160
#define NKEYS(a) ((int)(sizeof(a) / sizeof(a)[0]))
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((x) != PF_OK)                                                                          \
            return c->st->code;                                                                    \
    } while (0)

typedef struct ctx {
    const char *name;       /* file name for messages */
    yaml_document_t *doc;
    pf_status *st;
} ctx;

typedef struct field {
    yaml_node_t *val;       /* NULL when the key is absent */
    int line;               /* line of the key */
} field;

int pf_cw_line_of(const yaml_node_t *n);
/* Sets PF_ECARD with "NAME:LINE(n): <formatted>"; returns PF_ECARD. */
int pf_cw_fail(ctx *c, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *pf_cw_kind_name(const yaml_node_t *n);
const char *pf_cw_scalar(const yaml_node_t *n);
const char *pf_cw_got(const yaml_node_t *n, char *buf, size_t len);
void pf_cw_join_path(char *out, const char *parent, const char *key);
/* Walks a mapping against allowed keys: unknown and duplicate keys are errors. */
int pf_cw_get_map(ctx *c, yaml_node_t *map, const char *path, const char *const *keys, int nkeys, field *out);
int pf_cw_missing(ctx *c, const yaml_node_t *map, const char *path, const char *key, const char *expected);
int pf_cw_get_num(ctx *c, yaml_node_t *n, const char *path, double *out);
int pf_cw_get_uint(ctx *c, yaml_node_t *n, const char *path, uint64_t max, uint64_t *out);
int pf_cw_get_int_range(ctx *c, yaml_node_t *n, const char *path, int lo, int hi, int *out);
int pf_cw_get_enum(ctx *c, yaml_node_t *n, const char *path, const char *const *names, int nnames,
                   const char *expected, int *out);
int pf_cw_get_num_list(ctx *c, yaml_node_t *n, const char *path, int min, int max, double *v, int *count);
/* A number in [lo, hi] (both inclusive); what: the expectation in words. */
int pf_cw_get_num_range(ctx *c, yaml_node_t *n, const char *path, double lo, double hi, const char *what, double *out);
int pf_cw_get_num_min(ctx *c, yaml_node_t *n, const char *path, double lo, int strict, const char *what,
                      double *out);

/* The sections of the later stages (card_stages.c). */
int pf_card_parse_kinematics(ctx *c, yaml_node_t *map, pf_kinematics_card *k);
int pf_card_parse_electroweak(ctx *c, yaml_node_t *map, pf_electroweak_card *ew);
int pf_card_parse_detector(ctx *c, yaml_node_t *n, pf_detector_card *d);
int pf_card_parse_simulation(ctx *c, yaml_node_t *map, const pf_kinematics_card *k, pf_simulation_card *s);
int pf_card_parse_fit(ctx *c, yaml_node_t *map, const pf_pdf_card *pdf, pf_fit_card *fc);

#endif
