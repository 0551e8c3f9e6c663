/* partonflow: the theory card, read with libyaml's document API into a validated pf_card.
 *
 * The YAML is loaded as a node graph (yaml_parser_load), so libyaml does all the parsing;
 * this file only walks mappings against tables of allowed keys and checks values.  Every
 * message has the form "FILE:LINE: key 'a.b.c': expected ..., got ..." (docs/cards.md). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "card_internal.h"
#include "partonflow/card.h"

/* ---------------------------------------------------------------- theory ---------- */

static int parse_theory(ctx *c, yaml_node_t *map, pf_theory_card *th)
{
    static const char *const keys[] = {"order", "scheme", "nf", "mu0", "alphas", "masses",
                                       "xi_r", "mellin_nodes", "evolution", "grid", "nnlo",
                                       "nnlo_coefficients"};
    enum { ORDER, SCHEME, NF, MU0, ALPHAS, MASSES, XIR, NODES, EVOL, GRID, NNLO, NNLOC };
    static const char *const orders[] = {"LO", "NLO", "NNLO"}, *const schemes[] = {"FFNS", "VFNS"},
                             *const evols[] = {"exact", "truncated"},
                             *const nnlos[] = {"exact", "parametrised", "parametrised-conserving"};
    field f[NKEYS(keys)];
    TRY(pf_cw_get_map(c, map, "theory", keys, NKEYS(keys), f));
    if (!f[ORDER].val)
        return pf_cw_missing(c, map, "theory", "order", "LO, NLO or NNLO");
    TRY(pf_cw_get_enum(c, f[ORDER].val, "theory.order", orders, 3, "LO, NLO or NNLO", &th->order));
    /* NNLO: the exact three-loop splitting functions by default, or a parametrised form
     * (docs/physics-evolution.md) */
    th->nnlo = PF_NNLO_EXACT;
    if (f[NNLO].val) {
        if (th->order != PF_NNLO)
            return pf_cw_fail(c, f[NNLO].val, "key 'theory.nnlo': only allowed with order NNLO");
        TRY(pf_cw_get_enum(c, f[NNLO].val, "theory.nnlo", nnlos, 3,
                           "exact, parametrised or parametrised-conserving", &th->nnlo));
    }
    /* and the exact second-order coefficient functions by default, or van Neerven and Vogt's
     * parametrisations (docs/physics-dis.md) */
    th->nnlo_coef = PF_NNLO_COEF_EXACT;
    if (f[NNLOC].val) {
        static const char *const coefs[] = {"exact", "parametrised"};
        if (th->order != PF_NNLO)
            return pf_cw_fail(c, f[NNLOC].val, "key 'theory.nnlo_coefficients': only allowed with order NNLO");
        TRY(pf_cw_get_enum(c, f[NNLOC].val, "theory.nnlo_coefficients", coefs, 2, "exact or parametrised",
                           &th->nnlo_coef));
    }
    if (!f[SCHEME].val)
        return pf_cw_missing(c, map, "theory", "scheme", "FFNS or VFNS");
    TRY(pf_cw_get_enum(c, f[SCHEME].val, "theory.scheme", schemes, 2, "FFNS or VFNS", &th->scheme));
    if (th->scheme == PF_FFNS) {
        if (!f[NF].val)
            return pf_cw_missing(c, map, "theory", "nf", "the number of flavours 3 to 6 (required with FFNS)");
        TRY(pf_cw_get_int_range(c, f[NF].val, "theory.nf", 3, 6, &th->nf));
    } else if (f[NF].val) {
        return pf_cw_fail(c, f[NF].val, "key 'theory.nf': only allowed with scheme FFNS (VFNS takes the number "
                                  "of flavours from the masses)");
    }
    if (!f[MU0].val)
        return pf_cw_missing(c, map, "theory", "mu0", "the input scale in GeV");
    TRY(pf_cw_get_num_range(c, f[MU0].val, "theory.mu0", PF_CARD_MU_MIN, PF_CARD_MU_MAX,
                            "an input scale in [0.5, 1e4] GeV", &th->mu0));

    if (!f[ALPHAS].val)
        return pf_cw_missing(c, map, "theory", "alphas", "{value: ALPHA_S, mu: SCALE_GEV}");
    {
        static const char *const ak[] = {"value", "mu"};
        field a[2];
        TRY(pf_cw_get_map(c, f[ALPHAS].val, "theory.alphas", ak, 2, a));
        if (!a[0].val)
            return pf_cw_missing(c, f[ALPHAS].val, "theory.alphas", "value", "alpha_s at the scale mu, in (0, 1)");
        TRY(pf_cw_get_num(c, a[0].val, "theory.alphas.value", &th->alphas_value));
        if (!(th->alphas_value > 0 && th->alphas_value < 1))
            return pf_cw_fail(c, a[0].val, "key 'theory.alphas.value': expected a value in (0, 1), got %s",
                        pf_cw_scalar(a[0].val));
        th->alphas_mu = th->mu0; /* default: alpha_s given at the input scale */
        if (a[1].val)
            TRY(pf_cw_get_num_range(c, a[1].val, "theory.alphas.mu", PF_CARD_MU_MIN, PF_CARD_MU_MAX,
                                    "a scale in [0.5, 1e4] GeV", &th->alphas_mu));
    }

    if (f[MASSES].val) {
        static const char *const mk[] = {"charm", "bottom", "top"};
        field m[3];
        double *mv[3] = {&th->mc, &th->mb, &th->mt};
        TRY(pf_cw_get_map(c, f[MASSES].val, "theory.masses", mk, 3, m));
        for (int i = 0; i < 3; i++) {
            char p[PATH_LEN];
            pf_cw_join_path(p, "theory.masses", mk[i]);
            if (!m[i].val)
                return pf_cw_missing(c, f[MASSES].val, "theory.masses", mk[i], "a pole mass > 0 GeV");
            TRY(pf_cw_get_num_min(c, m[i].val, p, 0.0, 1, "a pole mass > 0 GeV", mv[i]));
        }
        if (!(th->mc < th->mb))
            return pf_cw_fail(c, m[1].val, "key 'theory.masses.bottom': thresholds out of order, expected "
                                     "charm < bottom < top, got bottom %g <= charm %g", th->mb, th->mc);
        if (!(th->mb < th->mt))
            return pf_cw_fail(c, m[2].val, "key 'theory.masses.top': thresholds out of order, expected "
                                     "charm < bottom < top, got top %g <= bottom %g", th->mt, th->mb);
    } else if (th->scheme == PF_VFNS) {
        return pf_cw_missing(c, map, "theory", "masses", "{charm: M, bottom: M, top: M} (required with VFNS)");
    }

    th->xi_r = 1.0;
    if (f[XIR].val)
        TRY(pf_cw_get_num_min(c, f[XIR].val, "theory.xi_r", 0.0, 1, "mu_R/mu_F > 0", &th->xi_r));
    if (f[NODES].val)
        TRY(pf_cw_get_int_range(c, f[NODES].val, "theory.mellin_nodes", 8, 4096, &th->mellin_nodes));
    th->evolution = PF_EVOL_EXACT;
    if (f[EVOL].val)
        TRY(pf_cw_get_enum(c, f[EVOL].val, "theory.evolution", evols, 2, "exact or truncated", &th->evolution));
    if (f[GRID].val) {
        static const char *const gk[] = {"x", "q2"};
        field g[2];
        TRY(pf_cw_get_map(c, f[GRID].val, "theory.grid", gk, 2, g));
        if (!g[0].val || !g[1].val)
            return pf_cw_missing(c, f[GRID].val, "theory.grid", g[0].val ? "q2" : "x",
                           "the number of grid points, 4 to 100000");
        TRY(pf_cw_get_int_range(c, g[0].val, "theory.grid.x", 4, 100000, &th->grid_nx));
        TRY(pf_cw_get_int_range(c, g[1].val, "theory.grid.q2", 4, 100000, &th->grid_nq2));
    }
    return PF_OK;
}

/* ---------------------------------------------------------------- pdf -------------- */

static int parse_flavour(ctx *c, yaml_node_t *map, int j, int line, int *same_as_line, pf_flavour_card *fl)
{
    static const char *const keys[] = {"A", "a", "b", "poly", "same_as"};
    enum { A, LA, LB, POLY, SAME };
    char path[PATH_LEN], p[PATH_LEN];
    pf_cw_join_path(path, "pdf.flavours", pf_flav_in_name[j]);
    field f[NKEYS(keys)];
    TRY(pf_cw_get_map(c, map, path, keys, NKEYS(keys), f));
    pf_card_flavour_zero(fl);
    fl->present = 1;
    fl->line = line;
    if (f[SAME].val) {
        for (int i = 0; i < SAME; i++)
            if (f[i].val)
                return pf_cw_fail(c, f[i].val, "key '%s.%s': a flavour with same_as takes no other keys", path, keys[i]);
        pf_cw_join_path(p, path, "same_as");
        char g[96];
        int t = f[SAME].val->type == YAML_SCALAR_NODE ? pf_flav_in_index(pf_cw_scalar(f[SAME].val)) : -1;
        if (t < 0)
            return pf_cw_fail(c, f[SAME].val, "key '%s': expected the name of another flavour (uv, dv, ubar, dbar, "
                                        "s, sbar, c, cbar, b, bbar, g), got %s", p, pf_cw_got(f[SAME].val, g, sizeof g));
        fl->same_as = t;
        *same_as_line = pf_cw_line_of(f[SAME].val);
        return PF_OK;
    }
    if (!f[A].val)
        return pf_cw_missing(c, map, path, "A", "a number, valence or momentum");
    if (!f[LA].val)
        return pf_cw_missing(c, map, path, "a", "the small-x exponent, a number > -1");
    if (!f[LB].val)
        return pf_cw_missing(c, map, path, "b", "the large-x exponent, a number > -1");
    pf_cw_join_path(p, path, "A");
    yaml_node_t *an = f[A].val;
    if (an->type == YAML_SCALAR_NODE && !strcmp(pf_cw_scalar(an), "valence")) {
        if (j != PF_IN_UV && j != PF_IN_DV)
            return pf_cw_fail(c, an, "key '%s': A: valence is only for uv and dv (fixed by int uv = 2, "
                               "int dv = 1), expected a number for %s", p, pf_flav_in_name[j]);
        fl->norm = PF_NORM_VALENCE;
    } else if (an->type == YAML_SCALAR_NODE && !strcmp(pf_cw_scalar(an), "momentum")) {
        fl->norm = PF_NORM_MOMENTUM;
    } else {
        char g[96];
        if (pf_cw_get_num(c, an, p, &fl->A) != PF_OK)
            return pf_cw_fail(c, an, "key '%s': expected a number, valence or momentum, got %s", p, pf_cw_got(an, g, sizeof g));
        if (!(fabs(fl->A) <= PF_CARD_NORM_MAX))
            return pf_cw_fail(c, an, "key '%s': expected |A| <= 1e4 (a normalisation of order 1), got %s", p,
                              pf_cw_scalar(an));
    }
    pf_cw_join_path(p, path, "a");
    TRY(pf_cw_get_num(c, f[LA].val, p, &fl->a));
    if (!(fl->a > -1 && fl->a <= PF_CARD_A_MAX))
        return pf_cw_fail(c, f[LA].val, "key '%s': expected a > -1 (the momentum integral of x^a diverges "
                                  "otherwise) and a <= 50, got %s", p, pf_cw_scalar(f[LA].val));
    if (fl->norm == PF_NORM_VALENCE && !(fl->a > 0))
        return pf_cw_fail(c, f[LA].val, "key '%s': expected a > 0 for a valence flavour (the number sum "
                                  "rule integral diverges otherwise), got %s", p, pf_cw_scalar(f[LA].val));
    pf_cw_join_path(p, path, "b");
    TRY(pf_cw_get_num(c, f[LB].val, p, &fl->b));
    if (!(fl->b > -1 && fl->b <= PF_CARD_B_MAX))
        return pf_cw_fail(c, f[LB].val, "key '%s': expected b > -1 (the moments diverge at x -> 1 otherwise) "
                                  "and b <= 100, got %s", p, pf_cw_scalar(f[LB].val));
    if (f[POLY].val) {
        pf_cw_join_path(p, path, "poly");
        TRY(pf_cw_get_num_list(c, f[POLY].val, p, 1, PF_POLY_MAX, fl->poly, &fl->npoly));
        for (int k = 0; k < fl->npoly; k++)
            if (!(fabs(fl->poly[k]) <= PF_CARD_NORM_MAX))
                return pf_cw_fail(c, f[POLY].val, "key '%s': item %d: expected |coefficient| <= 1e4, got %g", p, k + 1,
                                  fl->poly[k]);
    }
    return PF_OK;
}

static int parse_pdf(ctx *c, yaml_node_t *map, pf_pdf_card *pdf)
{
    static const char *const keys[] = {"preset", "flavours"};
    field f[2];
    TRY(pf_cw_get_map(c, map, "pdf", keys, 2, f));
    for (int j = 0; j < PF_NIN; j++)
        pf_card_flavour_zero(&pdf->fl[j]);
    if (f[0].val && f[1].val)
        return pf_cw_fail(c, f[1].val, "key 'pdf.flavours': give either pdf.preset or pdf.flavours, not both");
    if (f[0].val) {
        char g[96];
        if (f[0].val->type != YAML_SCALAR_NODE || pf_card_preset(pf_cw_scalar(f[0].val), pdf) != 0)
            return pf_cw_fail(c, f[0].val, "key 'pdf.preset': expected lha-toy, got %s", pf_cw_got(f[0].val, g, sizeof g));
        return PF_OK;
    }
    if (!f[1].val)
        return pf_cw_missing(c, map, "pdf", "flavours", "pdf.preset: lha-toy or pdf.flavours: {uv: ..., g: ...}");
    field fl[PF_NIN];
    TRY(pf_cw_get_map(c, f[1].val, "pdf.flavours", pf_flav_in_name, PF_NIN, fl));
    int same_line[PF_NIN] = {0}, momentum = -1;
    for (int j = 0; j < PF_NIN; j++) {
        if (!fl[j].val)
            continue;
        TRY(parse_flavour(c, fl[j].val, j, fl[j].line, &same_line[j], &pdf->fl[j]));
        if (pdf->fl[j].norm == PF_NORM_MOMENTUM) {
            if (momentum >= 0)
                return pf_cw_fail(c, fl[j].val, "key 'pdf.flavours.%s.A': only one flavour can be fixed by the "
                                          "momentum sum rule, and %s (line %d) already is",
                            pf_flav_in_name[j], pf_flav_in_name[momentum], pdf->fl[momentum].line);
            momentum = j;
        }
    }
    int given = 0;
    for (int j = 0; j < PF_NIN; j++)
        given += fl[j].val != NULL;
    if (!given) /* a PDF that is zero everywhere has no events and no sum rules */
        return pf_cw_fail(c, f[1].val, "key 'pdf.flavours': expected at least one flavour (uv, dv, ..., g), "
                                       "got none");
    /* same_as: the target must be given; chains resolve to their root, loops are errors. */
    int copied[PF_NIN];
    for (int j = 0; j < PF_NIN; j++) {
        int t = pdf->fl[j].same_as;
        copied[j] = t;
        if (t >= 0 && !pdf->fl[t].present)
            return pf_status_set(c->st, PF_ECARD, "%s:%d: key 'pdf.flavours.%s.same_as': expected a flavour "
                                 "given in pdf.flavours, got '%s', which is not given", c->name,
                                 same_line[j], pf_flav_in_name[j], pf_flav_in_name[t]);
    }
    for (int j = 0; j < PF_NIN; j++) {
        if (copied[j] < 0)
            continue;
        char chain[256];
        int t = j, steps = 0;
        snprintf(chain, sizeof chain, "%s", pf_flav_in_name[j]);
        while (copied[t] >= 0 && steps <= PF_NIN) {
            t = copied[t];
            steps++;
            snprintf(chain + strlen(chain), sizeof chain - strlen(chain), " -> %s", pf_flav_in_name[t]);
            if (t == j)
                break;
        }
        if (copied[t] >= 0)
            return pf_status_set(c->st, PF_ECARD, "%s:%d: key 'pdf.flavours.%s.same_as': same_as loop %s; "
                                 "expected a chain that ends at a flavour with parameters",
                                 c->name, same_line[j], pf_flav_in_name[j], chain);
        int line = pdf->fl[j].line;
        pdf->fl[j] = pdf->fl[t]; /* the copy has its target's function and parameters */
        pdf->fl[j].same_as = t;
        pdf->fl[j].line = line;
    }
    return PF_OK;
}

/* ---------------------------------------------------------------- card ------------- */

void pf_card_defaults(pf_card *card)
{
    memset(card, 0, sizeof *card);
    card->version = 1;
    card->theory.xi_r = 1.0;
    card->theory.evolution = PF_EVOL_EXACT;
    for (int j = 0; j < PF_NIN; j++)
        pf_card_flavour_zero(&card->pdf.fl[j]);
    card->kinematics.y_max = 1.0;
    card->kinematics.alpha_em = PF_CARD_DEFAULT_ALPHA_EM;
    card->kinematics.lepton_charge = -1;
    card->electroweak.mz = PF_EW_DEFAULT_MZ;
    card->electroweak.mw = PF_EW_DEFAULT_MW;
    card->electroweak.sin2w = 1.0 - PF_EW_DEFAULT_MW * PF_EW_DEFAULT_MW / (PF_EW_DEFAULT_MZ * PF_EW_DEFAULT_MZ);
    for (int i = 0; i < 3; i++)
        card->electroweak.ckm[i][i] = 1.0;
    card->detector.e_stochastic = PF_CARD_DEFAULT_E_STOCHASTIC;
    card->detector.e_constant = PF_CARD_DEFAULT_E_CONSTANT;
    card->detector.theta_resolution = PF_CARD_DEFAULT_THETA_RES;
    card->detector.h_stochastic = PF_CARD_DEFAULT_H_STOCHASTIC;
    card->detector.h_constant = PF_CARD_DEFAULT_H_CONSTANT;
    card->detector.h_theta_resolution = PF_CARD_DEFAULT_H_THETA_RES;
    card->detector.efficiency = 1.0;
    card->fit.bins_x = PF_CARD_DEFAULT_BINS_X;
    card->fit.bins_q2 = PF_CARD_DEFAULT_BINS_Q2;
}

static int parse_root(ctx *c, yaml_node_t *root, pf_card *card)
{
    static const char *const keys[] = {"version", "theory", "pdf", "kinematics", "detector", "simulation", "fit",
                                       "electroweak"};
    enum { VERSION, THEORY, PDF, KIN, DET, SIM, FIT, EW };
    field f[NKEYS(keys)];
    if (root->type != YAML_MAPPING_NODE)
        return pf_cw_fail(c, root, "the card must be a mapping with sections theory, pdf, ...; got %s", pf_cw_kind_name(root));
    TRY(pf_cw_get_map(c, root, "", keys, NKEYS(keys), f));
    if (f[VERSION].val) {
        uint64_t v = 0;
        if (pf_cw_get_uint(c, f[VERSION].val, "version", 1000, &v) != PF_OK || v != 1)
            return pf_cw_fail(c, f[VERSION].val, "key 'version': expected 1 (the card format this build reads), got %s",
                        f[VERSION].val->type == YAML_SCALAR_NODE ? pf_cw_scalar(f[VERSION].val) : "a collection");
    }
    if (!f[THEORY].val)
        return pf_cw_missing(c, root, "", "theory", "the theory section");
    TRY(parse_theory(c, f[THEORY].val, &card->theory));
    if (!f[PDF].val)
        return pf_cw_missing(c, root, "", "pdf", "the pdf section (preset or flavours)");
    TRY(parse_pdf(c, f[PDF].val, &card->pdf));
    if (f[KIN].val)
        TRY(pf_card_parse_kinematics(c, f[KIN].val, &card->kinematics));
    if (f[EW].val) {
        TRY(pf_card_parse_electroweak(c, f[EW].val, &card->electroweak));
        if (card->kinematics.process == PF_PROCESS_EM)
            card->kinematics.process = PF_PROCESS_NC; /* electroweak inputs: neutral current by default */
    }
    if (f[DET].val)
        TRY(pf_card_parse_detector(c, f[DET].val, &card->detector));
    if (card->detector.hadronic_given && card->kinematics.process != PF_PROCESS_CC)
        return pf_cw_fail(c, f[DET].val,
                          "key 'detector.hadronic': the hadronic final state is what charged-current cards "
                          "reconstruct from (Jacquet-Blondel); expected it only with kinematics.process cc "
                          "(neutral current and photon exchange use the scattered electron)");
    if (f[SIM].val)
        TRY(pf_card_parse_simulation(c, f[SIM].val, &card->kinematics, &card->simulation));
    if (f[FIT].val)
        TRY(pf_card_parse_fit(c, f[FIT].val, &card->pdf, &card->fit));
    return PF_OK;
}

/* The nesting depth of the YAML event stream, stopped at the first event beyond max:
 * libyaml's document loader takes tens of seconds on 100,000 nested brackets, the event
 * parser gives up at once.  Syntax errors are left to the loader's message. */
static int nesting_too_deep(const char *yaml, size_t len, int max, int *line)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    int depth = 0, deep = 0;
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) break;
        const yaml_event_type_t t = e.type;
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) depth++;
        else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) depth--;
        *line = (int)e.start_mark.line + 1;
        yaml_event_delete(&e);
        if (depth > max) {
            deep = 1;
            break;
        }
        if (t == YAML_STREAM_END_EVENT) break;
    }
    yaml_parser_delete(&p);
    return deep;
}

int pf_card_parse(const char *yaml, size_t len, const char *name, pf_card *card, pf_status *st)
{
    pf_status local;
    if (!st)
        st = &local;
    pf_status_clear(st);
    if (!name)
        name = "<card>";
    pf_card_defaults(card);
    snprintf(card->path, sizeof card->path, "%s", name);
    if (len > PF_CARD_MAX_BYTES)
        return pf_status_set(st, PF_ECARD, "%s: the card is larger than %u bytes: expected a YAML card of a few kB",
                             name, PF_CARD_MAX_BYTES);
    int deep_line = 0;
    if (nesting_too_deep(yaml, len, PF_CARD_MAX_DEPTH, &deep_line))
        return pf_status_set(st, PF_ECARD, "%s:%d: YAML nested more than %d levels deep: expected the card's "
                             "sections (4 levels)", name, deep_line, PF_CARD_MAX_DEPTH);

    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return pf_status_set(st, PF_ENOMEM, "%s: cannot initialise the YAML parser", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&parser, &doc)) {
        pf_status_set(st, PF_ECARD, "%s:%d: YAML syntax error: %s%s%s", name, (int)parser.problem_mark.line + 1,
                      parser.problem ? parser.problem : "unknown problem", parser.context ? " " : "",
                      parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return st->code;
    }
    ctx c = {name, &doc, st};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc;
    if (!root) {
        rc = pf_status_set(st, PF_ECARD, "%s:1: the card is empty; expected the sections theory and pdf", name);
    } else {
        rc = parse_root(&c, root, card);
        if (rc == PF_OK) {
            /* a single document: a second one would be silently ignored otherwise */
            yaml_document_t next;
            if (!yaml_parser_load(&parser, &next)) {
                rc = pf_status_set(st, PF_ECARD, "%s:%d: YAML syntax error after the card: %s", name,
                                   (int)parser.problem_mark.line + 1, parser.problem ? parser.problem : "unknown");
            } else {
                yaml_node_t *r2 = yaml_document_get_root_node(&next);
                if (r2)
                    rc = pf_status_set(st, PF_ECARD, "%s:%d: expected one YAML document, got a second one",
                                       name, pf_cw_line_of(r2));
                yaml_document_delete(&next);
            }
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc != PF_OK) {
        pf_card_defaults(card);
        snprintf(card->path, sizeof card->path, "%s", name);
    }
    return rc;
}

int pf_card_read(const char *path, pf_card *card, pf_status *st)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pf_status_set(st, PF_ECARD, "%s: cannot open the card: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return pf_status_set(st, PF_ENOMEM, "%s: out of memory reading the card", path);
            }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0 || len > PF_CARD_MAX_BYTES) /* pf_card_parse refuses it; /dev/zero never ends */
            break;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(buf);
        return pf_status_set(st, PF_ECARD, "%s: cannot read the card: %s", path, strerror(err));
    }
    int rc = pf_card_parse(buf, len, path, card, st);
    free(buf);
    return rc;
}
