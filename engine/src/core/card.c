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

#define PATH_LEN 160

typedef struct ctx {
    const char *name;
    yaml_document_t *doc;
    pf_status *st;
} ctx;

typedef struct field {
    yaml_node_t *val;
    int line;
} field;

static int line_of(const yaml_node_t *n) { return n ? (int)n->start_mark.line + 1 : 0; }

__attribute__((format(printf, 3, 4))) static int fail(ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char body[PF_STATUS_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return pf_status_set(c->st, PF_ECARD, "%s:%d: %s", c->name, line_of(n), body);
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    default: return "a scalar";
    }
}

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* "got 'text'" or "got a mapping" for messages. */
static const char *got(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_SCALAR_NODE)
        snprintf(buf, len, "'%.60s'", scalar(n));
    else
        snprintf(buf, len, "%s", kind_name(n));
    return buf;
}

/* out = "parent.key" (or "key" at the top), cut at PATH_LEN - 1 characters. */
static void join_path(char *out, const char *parent, const char *key)
{
    size_t n = 0;
    for (const char *s = parent; s && *s && n + 1 < PATH_LEN; s++)
        out[n++] = *s;
    if (n > 0 && n + 1 < PATH_LEN)
        out[n++] = '.';
    for (const char *s = key; *s && n + 1 < PATH_LEN; s++)
        out[n++] = *s;
    out[n] = '\0';
}

/* Walks mapping `map` (at dotted path `path`) against the allowed keys; out[i] receives
 * the value of keys[i] or NULL.  Unknown and duplicate keys are errors. */
static int get_map(ctx *c, yaml_node_t *map, const char *path, const char *const *keys, int nkeys,
                   field *out)
{
    char g[96];
    if (map->type != YAML_MAPPING_NODE)
        return fail(c, map, "key '%s': expected a mapping, got %s", path, got(map, g, sizeof g));
    for (int i = 0; i < nkeys; i++)
        out[i] = (field){NULL, 0};
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k, "key '%s': expected plain keys, got %s as a key", path, kind_name(k));
        int i = 0;
        while (i < nkeys && strcmp(keys[i], scalar(k)))
            i++;
        char sub[PATH_LEN];
        join_path(sub, path, scalar(k));
        if (i == nkeys) {
            char list[512] = "";
            for (int j = 0; j < nkeys; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", keys[j]);
            return fail(c, k, "unknown key '%s'; expected one of: %s", sub, list);
        }
        if (out[i].val)
            return fail(c, k, "duplicate key '%s' (first given on line %d)", sub, out[i].line);
        out[i].val = v;
        out[i].line = line_of(k);
    }
    return PF_OK;
}

static int missing(ctx *c, const yaml_node_t *map, const char *path, const char *key, const char *expected)
{
    char sub[PATH_LEN];
    join_path(sub, path, key);
    return fail(c, map, "key '%s' is missing; expected %s", sub, expected);
}

/* A plain scalar that strtod reads completely as a finite number. */
static int get_num(ctx *c, yaml_node_t *n, const char *path, double *out)
{
    char g[96];
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = scalar(n);
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end != s && *end == '\0' && errno != ERANGE && isfinite(v)) {
            *out = v;
            return PF_OK;
        }
    }
    return fail(c, n, "key '%s': expected a number, got %s", path, got(n, g, sizeof g));
}

/* Non-negative integers up to max; "1e6" is accepted when it is an exact integer. */
static int get_uint(ctx *c, yaml_node_t *n, const char *path, uint64_t max, uint64_t *out)
{
    char g[96];
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = scalar(n);
        char *end;
        errno = 0;
        if (s[0] >= '0' && s[0] <= '9') {
            unsigned long long u = strtoull(s, &end, 10);
            if (*end == '\0' && errno != ERANGE && u <= max) {
                *out = u;
                return PF_OK;
            }
            errno = 0;
            double v = strtod(s, &end);
            if (*end == '\0' && errno != ERANGE && v == floor(v) && v <= 9.0e18 && v <= (double)max) {
                *out = (uint64_t)v;
                return PF_OK;
            }
        }
    }
    return fail(c, n, "key '%s': expected an integer from 0 to %llu, got %s", path,
                (unsigned long long)max, got(n, g, sizeof g));
}

static int get_int_range(ctx *c, yaml_node_t *n, const char *path, int lo, int hi, int *out)
{
    uint64_t u = 0;
    char g[96];
    if (get_uint(c, n, path, (uint64_t)hi, &u) == PF_OK && (int)u >= lo) {
        *out = (int)u;
        return PF_OK;
    }
    return fail(c, n, "key '%s': expected an integer from %d to %d, got %s", path, lo, hi, got(n, g, sizeof g));
}

/* One of `names` (plain scalar); `expected` reads like "LO or NLO". */
static int get_enum(ctx *c, yaml_node_t *n, const char *path, const char *const *names, int nnames,
                    const char *expected, int *out)
{
    char g[96];
    if (n->type == YAML_SCALAR_NODE)
        for (int i = 0; i < nnames; i++)
            if (!strcmp(scalar(n), names[i])) {
                *out = i;
                return PF_OK;
            }
    return fail(c, n, "key '%s': expected %s, got %s", path, expected, got(n, g, sizeof g));
}

/* A list of numbers into v[0..max); n receives the count (min..max). */
static int get_num_list(ctx *c, yaml_node_t *n, const char *path, int min, int max, double *v, int *count)
{
    char g[96];
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n, "key '%s': expected a list of %d to %d numbers, got %s", path, min, max,
                    got(n, g, sizeof g));
    int k = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, k++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        if (k >= max)
            return fail(c, e, "key '%s': expected at most %d numbers, got %d", path, max,
                        (int)(n->data.sequence.items.top - n->data.sequence.items.start));
        char sub[PATH_LEN + 16];
        snprintf(sub, sizeof sub, "%s[%d]", path, k);
        if (get_num(c, e, sub, &v[k]))
            return c->st->code;
    }
    if (k < min)
        return fail(c, n, "key '%s': expected a list of %d to %d numbers, got %d", path, min, max, k);
    *count = k;
    return PF_OK;
}

#define NKEYS(a) ((int)(sizeof(a) / sizeof(a)[0]))
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((x) != PF_OK)                                                                          \
            return c->st->code;                                                                    \
    } while (0)

/* A number with a lower bound: strict (v > lo) or not (v >= lo). */
static int get_num_min(ctx *c, yaml_node_t *n, const char *path, double lo, int strict, const char *what,
                       double *out)
{
    TRY(get_num(c, n, path, out));
    if (strict ? !(*out > lo) : !(*out >= lo))
        return fail(c, n, "key '%s': expected %s, got %s", path, what, scalar(n));
    return PF_OK;
}

/* ---------------------------------------------------------------- theory ---------- */

static int parse_theory(ctx *c, yaml_node_t *map, pf_theory_card *th)
{
    static const char *const keys[] = {"order", "scheme", "nf", "mu0", "alphas", "masses",
                                       "xi_r", "mellin_nodes", "evolution", "grid"};
    enum { ORDER, SCHEME, NF, MU0, ALPHAS, MASSES, XIR, NODES, EVOL, GRID };
    static const char *const orders[] = {"LO", "NLO"}, *const schemes[] = {"FFNS", "VFNS"},
                             *const evols[] = {"exact", "truncated"};
    field f[NKEYS(keys)];
    TRY(get_map(c, map, "theory", keys, NKEYS(keys), f));
    if (!f[ORDER].val)
        return missing(c, map, "theory", "order", "LO or NLO");
    TRY(get_enum(c, f[ORDER].val, "theory.order", orders, 2, "LO or NLO", &th->order));
    if (!f[SCHEME].val)
        return missing(c, map, "theory", "scheme", "FFNS or VFNS");
    TRY(get_enum(c, f[SCHEME].val, "theory.scheme", schemes, 2, "FFNS or VFNS", &th->scheme));
    if (th->scheme == PF_FFNS) {
        if (!f[NF].val)
            return missing(c, map, "theory", "nf", "the number of flavours 3 to 6 (required with FFNS)");
        TRY(get_int_range(c, f[NF].val, "theory.nf", 3, 6, &th->nf));
    } else if (f[NF].val) {
        return fail(c, f[NF].val, "key 'theory.nf': only allowed with scheme FFNS (VFNS takes the number "
                                  "of flavours from the masses)");
    }
    if (!f[MU0].val)
        return missing(c, map, "theory", "mu0", "the input scale in GeV");
    TRY(get_num_min(c, f[MU0].val, "theory.mu0", 0.0, 1, "a scale > 0 GeV", &th->mu0));

    if (!f[ALPHAS].val)
        return missing(c, map, "theory", "alphas", "{value: ALPHA_S, mu: SCALE_GEV}");
    {
        static const char *const ak[] = {"value", "mu"};
        field a[2];
        TRY(get_map(c, f[ALPHAS].val, "theory.alphas", ak, 2, a));
        if (!a[0].val)
            return missing(c, f[ALPHAS].val, "theory.alphas", "value", "alpha_s at the scale mu, in (0, 1)");
        TRY(get_num(c, a[0].val, "theory.alphas.value", &th->alphas_value));
        if (!(th->alphas_value > 0 && th->alphas_value < 1))
            return fail(c, a[0].val, "key 'theory.alphas.value': expected a value in (0, 1), got %s",
                        scalar(a[0].val));
        th->alphas_mu = th->mu0; /* default: alpha_s given at the input scale */
        if (a[1].val)
            TRY(get_num_min(c, a[1].val, "theory.alphas.mu", 0.0, 1, "a scale > 0 GeV", &th->alphas_mu));
    }

    if (f[MASSES].val) {
        static const char *const mk[] = {"charm", "bottom", "top"};
        field m[3];
        double *mv[3] = {&th->mc, &th->mb, &th->mt};
        TRY(get_map(c, f[MASSES].val, "theory.masses", mk, 3, m));
        for (int i = 0; i < 3; i++) {
            char p[PATH_LEN];
            join_path(p, "theory.masses", mk[i]);
            if (!m[i].val)
                return missing(c, f[MASSES].val, "theory.masses", mk[i], "a pole mass > 0 GeV");
            TRY(get_num_min(c, m[i].val, p, 0.0, 1, "a pole mass > 0 GeV", mv[i]));
        }
        if (!(th->mc < th->mb))
            return fail(c, m[1].val, "key 'theory.masses.bottom': thresholds out of order, expected "
                                     "charm < bottom < top, got bottom %g <= charm %g", th->mb, th->mc);
        if (!(th->mb < th->mt))
            return fail(c, m[2].val, "key 'theory.masses.top': thresholds out of order, expected "
                                     "charm < bottom < top, got top %g <= bottom %g", th->mt, th->mb);
    } else if (th->scheme == PF_VFNS) {
        return missing(c, map, "theory", "masses", "{charm: M, bottom: M, top: M} (required with VFNS)");
    }

    th->xi_r = 1.0;
    if (f[XIR].val)
        TRY(get_num_min(c, f[XIR].val, "theory.xi_r", 0.0, 1, "mu_R/mu_F > 0", &th->xi_r));
    if (f[NODES].val)
        TRY(get_int_range(c, f[NODES].val, "theory.mellin_nodes", 8, 4096, &th->mellin_nodes));
    th->evolution = PF_EVOL_EXACT;
    if (f[EVOL].val)
        TRY(get_enum(c, f[EVOL].val, "theory.evolution", evols, 2, "exact or truncated", &th->evolution));
    if (f[GRID].val) {
        static const char *const gk[] = {"x", "q2"};
        field g[2];
        TRY(get_map(c, f[GRID].val, "theory.grid", gk, 2, g));
        if (!g[0].val || !g[1].val)
            return missing(c, f[GRID].val, "theory.grid", g[0].val ? "q2" : "x",
                           "the number of grid points, 4 to 100000");
        TRY(get_int_range(c, g[0].val, "theory.grid.x", 4, 100000, &th->grid_nx));
        TRY(get_int_range(c, g[1].val, "theory.grid.q2", 4, 100000, &th->grid_nq2));
    }
    return PF_OK;
}

/* ---------------------------------------------------------------- pdf -------------- */

static int parse_flavour(ctx *c, yaml_node_t *map, int j, int line, int *same_as_line, pf_flavour_card *fl)
{
    static const char *const keys[] = {"A", "a", "b", "poly", "same_as"};
    enum { A, LA, LB, POLY, SAME };
    char path[PATH_LEN], p[PATH_LEN];
    join_path(path, "pdf.flavours", pf_flav_in_name[j]);
    field f[NKEYS(keys)];
    TRY(get_map(c, map, path, keys, NKEYS(keys), f));
    pf_card_flavour_zero(fl);
    fl->present = 1;
    fl->line = line;
    if (f[SAME].val) {
        for (int i = 0; i < SAME; i++)
            if (f[i].val)
                return fail(c, f[i].val, "key '%s.%s': a flavour with same_as takes no other keys", path, keys[i]);
        join_path(p, path, "same_as");
        char g[96];
        int t = f[SAME].val->type == YAML_SCALAR_NODE ? pf_flav_in_index(scalar(f[SAME].val)) : -1;
        if (t < 0)
            return fail(c, f[SAME].val, "key '%s': expected the name of another flavour (uv, dv, ubar, dbar, "
                                        "s, sbar, c, cbar, b, bbar, g), got %s", p, got(f[SAME].val, g, sizeof g));
        fl->same_as = t;
        *same_as_line = line_of(f[SAME].val);
        return PF_OK;
    }
    if (!f[A].val)
        return missing(c, map, path, "A", "a number, valence or momentum");
    if (!f[LA].val)
        return missing(c, map, path, "a", "the small-x exponent, a number > -1");
    if (!f[LB].val)
        return missing(c, map, path, "b", "the large-x exponent, a number > -1");
    join_path(p, path, "A");
    yaml_node_t *an = f[A].val;
    if (an->type == YAML_SCALAR_NODE && !strcmp(scalar(an), "valence")) {
        if (j != PF_IN_UV && j != PF_IN_DV)
            return fail(c, an, "key '%s': A: valence is only for uv and dv (fixed by int uv = 2, "
                               "int dv = 1), expected a number for %s", p, pf_flav_in_name[j]);
        fl->norm = PF_NORM_VALENCE;
    } else if (an->type == YAML_SCALAR_NODE && !strcmp(scalar(an), "momentum")) {
        fl->norm = PF_NORM_MOMENTUM;
    } else {
        char g[96];
        if (get_num(c, an, p, &fl->A) != PF_OK)
            return fail(c, an, "key '%s': expected a number, valence or momentum, got %s", p, got(an, g, sizeof g));
    }
    join_path(p, path, "a");
    TRY(get_num(c, f[LA].val, p, &fl->a));
    if (!(fl->a > -1))
        return fail(c, f[LA].val, "key '%s': expected a > -1 (the momentum integral of x^a diverges "
                                  "otherwise), got %s", p, scalar(f[LA].val));
    if (fl->norm == PF_NORM_VALENCE && !(fl->a > 0))
        return fail(c, f[LA].val, "key '%s': expected a > 0 for a valence flavour (the number sum "
                                  "rule integral diverges otherwise), got %s", p, scalar(f[LA].val));
    join_path(p, path, "b");
    TRY(get_num(c, f[LB].val, p, &fl->b));
    if (!(fl->b > -1))
        return fail(c, f[LB].val, "key '%s': expected b > -1 (the moments diverge at x -> 1 otherwise), "
                                  "got %s", p, scalar(f[LB].val));
    if (f[POLY].val) {
        join_path(p, path, "poly");
        TRY(get_num_list(c, f[POLY].val, p, 1, PF_POLY_MAX, fl->poly, &fl->npoly));
    }
    return PF_OK;
}

static int parse_pdf(ctx *c, yaml_node_t *map, pf_pdf_card *pdf)
{
    static const char *const keys[] = {"preset", "flavours"};
    field f[2];
    TRY(get_map(c, map, "pdf", keys, 2, f));
    for (int j = 0; j < PF_NIN; j++)
        pf_card_flavour_zero(&pdf->fl[j]);
    if (f[0].val && f[1].val)
        return fail(c, f[1].val, "key 'pdf.flavours': give either pdf.preset or pdf.flavours, not both");
    if (f[0].val) {
        char g[96];
        if (f[0].val->type != YAML_SCALAR_NODE || pf_card_preset(scalar(f[0].val), pdf) != 0)
            return fail(c, f[0].val, "key 'pdf.preset': expected lha-toy, got %s", got(f[0].val, g, sizeof g));
        return PF_OK;
    }
    if (!f[1].val)
        return missing(c, map, "pdf", "flavours", "pdf.preset: lha-toy or pdf.flavours: {uv: ..., g: ...}");
    field fl[PF_NIN];
    TRY(get_map(c, f[1].val, "pdf.flavours", pf_flav_in_name, PF_NIN, fl));
    int same_line[PF_NIN] = {0}, momentum = -1;
    for (int j = 0; j < PF_NIN; j++) {
        if (!fl[j].val)
            continue;
        TRY(parse_flavour(c, fl[j].val, j, fl[j].line, &same_line[j], &pdf->fl[j]));
        if (pdf->fl[j].norm == PF_NORM_MOMENTUM) {
            if (momentum >= 0)
                return fail(c, fl[j].val, "key 'pdf.flavours.%s.A': only one flavour can be fixed by the "
                                          "momentum sum rule, and %s (line %d) already is",
                            pf_flav_in_name[j], pf_flav_in_name[momentum], pdf->fl[momentum].line);
            momentum = j;
        }
    }
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

/* ---------------------------------------------------------------- kinematics ------- */

static int parse_kinematics(ctx *c, yaml_node_t *map, pf_kinematics_card *k)
{
    static const char *const keys[] = {"beams", "cuts", "alpha_em"};
    field f[3];
    TRY(get_map(c, map, "kinematics", keys, 3, f));
    k->present = 1;
    if (!f[0].val)
        return missing(c, map, "kinematics", "beams", "{electron: E_GEV, proton: E_GEV}");
    static const char *const bk[] = {"electron", "proton"};
    field b[2];
    double *bv[2] = {&k->e_electron, &k->e_proton};
    TRY(get_map(c, f[0].val, "kinematics.beams", bk, 2, b));
    for (int i = 0; i < 2; i++) {
        char p[PATH_LEN];
        join_path(p, "kinematics.beams", bk[i]);
        if (!b[i].val)
            return missing(c, f[0].val, "kinematics.beams", bk[i], "a beam energy > 0 GeV");
        TRY(get_num_min(c, b[i].val, p, 0.0, 1, "a beam energy > 0 GeV", bv[i]));
    }
    if (!f[1].val)
        return missing(c, map, "kinematics", "cuts", "{q2_min, q2_max, x_min, x_max[, y_min, y_max, w2_min]}");
    static const char *const ck[] = {"q2_min", "q2_max", "x_min", "x_max", "y_min", "y_max", "w2_min"};
    field cf[7];
    double *cv[7] = {&k->q2_min, &k->q2_max, &k->x_min, &k->x_max, &k->y_min, &k->y_max, &k->w2_min};
    TRY(get_map(c, f[1].val, "kinematics.cuts", ck, 7, cf));
    k->y_min = 0.0; /* the optional cuts default to no cut */
    k->y_max = 1.0;
    k->w2_min = 0.0;
    for (int i = 0; i < 7; i++) {
        char p[PATH_LEN];
        join_path(p, "kinematics.cuts", ck[i]);
        if (!cf[i].val) {
            if (i < 4)
                return missing(c, f[1].val, "kinematics.cuts", ck[i], i < 2 ? "a Q^2 in GeV^2" : "an x in (0, 1]");
            continue;
        }
        TRY(get_num(c, cf[i].val, p, cv[i]));
        int ok = 1;
        const char *what = "";
        switch (i) {
        case 0: ok = *cv[i] > 0; what = "Q^2 > 0 GeV^2"; break;
        case 2: ok = *cv[i] > 0 && *cv[i] <= 1; what = "x in (0, 1]"; break;
        case 3: ok = *cv[i] > 0 && *cv[i] <= 1; what = "x in (0, 1]"; break;
        case 4: case 5: ok = *cv[i] >= 0 && *cv[i] <= 1; what = "y in [0, 1]"; break;
        case 6: ok = *cv[i] >= 0; what = "W^2 >= 0 GeV^2"; break;
        default: break;
        }
        if (!ok)
            return fail(c, cf[i].val, "key '%s': expected %s, got %s", p, what, scalar(cf[i].val));
    }
    for (int i = 0; i < 6; i += 2) /* min < max for q2, x, y */
        if (!(*cv[i] < *cv[i + 1])) {
            yaml_node_t *n = cf[i + 1].val ? cf[i + 1].val : cf[i].val;
            return fail(c, n, "key 'kinematics.cuts.%s': cuts inverted, expected %s > %s = %g, got %g", ck[i + 1],
                        ck[i + 1], ck[i], *cv[i], *cv[i + 1]);
        }
    k->alpha_em = PF_CARD_DEFAULT_ALPHA_EM;
    if (f[2].val)
        TRY(get_num_min(c, f[2].val, "kinematics.alpha_em", 0.0, 1, "alpha_em > 0", &k->alpha_em));
    return PF_OK;
}

/* ---------------------------------------------------------------- detector --------- */

static int parse_detector(ctx *c, yaml_node_t *n, pf_detector_card *d)
{
    d->present = 1;
    if (n->type == YAML_SCALAR_NODE) {
        if (strcmp(scalar(n), "perfect"))
            return fail(c, n, "key 'detector': expected perfect or a mapping {energy_resolution, "
                              "angle_resolution, efficiency}, got '%.60s'", scalar(n));
        d->perfect = 1;
        d->e_stochastic = d->e_constant = d->theta_resolution = 0.0;
        d->efficiency = 1.0;
        return PF_OK;
    }
    static const char *const keys[] = {"energy_resolution", "angle_resolution", "efficiency"};
    field f[3];
    TRY(get_map(c, n, "detector", keys, 3, f));
    if (f[0].val) {
        static const char *const ek[] = {"stochastic", "constant"};
        field e[2];
        double *ev[2] = {&d->e_stochastic, &d->e_constant};
        TRY(get_map(c, f[0].val, "detector.energy_resolution", ek, 2, e));
        for (int i = 0; i < 2; i++)
            if (e[i].val) {
                char p[PATH_LEN];
                join_path(p, "detector.energy_resolution", ek[i]);
                TRY(get_num_min(c, e[i].val, p, 0.0, 0, "a resolution >= 0", ev[i]));
            }
    }
    if (f[1].val)
        TRY(get_num_min(c, f[1].val, "detector.angle_resolution", 0.0, 0, "a resolution >= 0 rad",
                        &d->theta_resolution));
    if (f[2].val && f[2].val->type == YAML_MAPPING_NODE) {
        static const char *const tk[] = {"y", "value"};
        field t[2];
        int ny = 0, nv = 0;
        TRY(get_map(c, f[2].val, "detector.efficiency", tk, 2, t));
        if (!t[0].val || !t[1].val)
            return missing(c, f[2].val, "detector.efficiency", t[0].val ? "value" : "y",
                           "a list of 2 to 64 numbers (efficiency table in y)");
        TRY(get_num_list(c, t[0].val, "detector.efficiency.y", 2, PF_EFF_TABLE_MAX, d->eff_y, &ny));
        TRY(get_num_list(c, t[1].val, "detector.efficiency.value", 2, PF_EFF_TABLE_MAX, d->eff_value, &nv));
        if (nv != ny)
            return fail(c, t[1].val, "key 'detector.efficiency.value': expected %d values (one per y), got %d",
                        ny, nv);
        for (int i = 0; i < ny; i++) {
            if (!(d->eff_y[i] >= 0 && d->eff_y[i] <= 1) || (i > 0 && !(d->eff_y[i] > d->eff_y[i - 1])))
                return fail(c, t[0].val, "key 'detector.efficiency.y[%d]': expected increasing y in [0, 1], "
                                         "got %g", i, d->eff_y[i]);
            if (!(d->eff_value[i] >= 0 && d->eff_value[i] <= 1))
                return fail(c, t[1].val, "key 'detector.efficiency.value[%d]': expected an efficiency in "
                                         "[0, 1], got %g", i, d->eff_value[i]);
        }
        d->eff_n = ny;
        d->efficiency = 1.0;
    } else if (f[2].val) {
        TRY(get_num(c, f[2].val, "detector.efficiency", &d->efficiency));
        if (!(d->efficiency >= 0 && d->efficiency <= 1))
            return fail(c, f[2].val, "key 'detector.efficiency': expected an efficiency in [0, 1] or "
                                     "{y: [...], value: [...]}, got %s", scalar(f[2].val));
    }
    return PF_OK;
}

/* ---------------------------------------------------------------- simulation ------- */

static int parse_simulation(ctx *c, yaml_node_t *map, pf_simulation_card *s)
{
    static const char *const keys[] = {"events", "luminosity", "seed"};
    field f[3];
    TRY(get_map(c, map, "simulation", keys, 3, f));
    s->present = 1;
    if (f[0].val && f[1].val)
        return fail(c, f[1].val, "key 'simulation.luminosity': give either simulation.events or "
                                 "simulation.luminosity, not both");
    if (f[0].val) {
        TRY(get_uint(c, f[0].val, "simulation.events", UINT64_C(1) << 62, &s->events));
        if (s->events == 0)
            return fail(c, f[0].val, "key 'simulation.events': expected a positive number of events, got 0");
    } else if (f[1].val) {
        TRY(get_num_min(c, f[1].val, "simulation.luminosity", 0.0, 1, "an integrated luminosity > 0 pb^-1",
                        &s->luminosity));
    } else {
        return missing(c, map, "simulation", "events", "events: N or luminosity: L_PB");
    }
    if (f[2].val)
        TRY(get_uint(c, f[2].val, "simulation.seed", UINT64_MAX, &s->seed));
    return PF_OK;
}

/* ---------------------------------------------------------------- fit -------------- */

/* Checks "flavour.param" against the resolved pdf card; -1 and a message if invalid. */
static int check_param(ctx *c, yaml_node_t *n, const char *path, const pf_pdf_card *pdf, double *truth)
{
    const char *s = scalar(n);
    const char *dot = strchr(s, '.');
    char fl[16] = "";
    if (dot && (size_t)(dot - s) < sizeof fl)
        memcpy(fl, s, (size_t)(dot - s));
    int j = dot ? pf_flav_in_index(fl) : -1;
    if (j < 0)
        return fail(c, n, "key '%s': expected FLAVOUR.PARAM with FLAVOUR one of uv, dv, ubar, dbar, s, sbar, "
                          "c, cbar, b, bbar, g, got '%.60s'", path, s);
    const pf_flavour_card *f = &pdf->fl[j];
    if (!f->present)
        return fail(c, n, "key '%s': flavour '%s' is not in pdf.flavours, got '%.60s'", path, fl, s);
    if (f->same_as >= 0)
        return fail(c, n, "key '%s': '%s' takes its parameters from '%s' (same_as); expected %s%s, got '%.60s'",
                    path, fl, pf_flav_in_name[f->same_as], pf_flav_in_name[f->same_as], dot, s);
    const char *p = dot + 1;
    if (!strcmp(p, "A")) {
        if (f->norm != PF_NORM_FIXED)
            return fail(c, n, "key '%s': %s.A is fixed by the %s sum rule; expected a, b, p0.. or a numeric A, "
                              "got '%.60s'", path, fl, f->norm == PF_NORM_VALENCE ? "valence" : "momentum", s);
        *truth = f->A;
    } else if (!strcmp(p, "a")) {
        *truth = f->a;
    } else if (!strcmp(p, "b")) {
        *truth = f->b;
    } else if (p[0] == 'p' && p[1] >= '0' && p[1] <= '7' && p[2] == '\0') {
        int k = p[1] - '0';
        if (k >= f->npoly)
            return fail(c, n, "key '%s': %s has %d polynomial coefficient(s), p0..p%d; got '%.60s'", path, fl,
                        f->npoly, f->npoly - 1, s);
        *truth = f->poly[k];
    } else {
        return fail(c, n, "key '%s': expected a parameter A, a, b or p0..p7 after '%s.', got '%.60s'", path, fl, s);
    }
    return PF_OK;
}

static int parse_fit(ctx *c, yaml_node_t *map, const pf_pdf_card *pdf, pf_fit_card *fc)
{
    static const char *const keys[] = {"free", "start", "bins", "replicas"};
    field f[4];
    char g[96];
    TRY(get_map(c, map, "fit", keys, 4, f));
    fc->present = 1;
    if (!f[0].val)
        return missing(c, map, "fit", "free", "a list of parameters such as [uv.a, g.b, ubar.A]");
    yaml_node_t *fr = f[0].val;
    if (fr->type != YAML_SEQUENCE_NODE || fr->data.sequence.items.top == fr->data.sequence.items.start)
        return fail(c, fr, "key 'fit.free': expected a non-empty list of parameters, got %s",
                    fr->type == YAML_SEQUENCE_NODE ? "an empty list" : got(fr, g, sizeof g));
    double truth[PF_FIT_MAX_FREE];
    for (yaml_node_item_t *it = fr->data.sequence.items.start; it < fr->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        char p[PATH_LEN];
        snprintf(p, sizeof p, "fit.free[%d]", fc->nfree);
        if (fc->nfree >= PF_FIT_MAX_FREE)
            return fail(c, e, "key 'fit.free': expected at most %d parameters", PF_FIT_MAX_FREE);
        if (e->type != YAML_SCALAR_NODE || strlen(scalar(e)) >= PF_PARAM_NAME_LEN)
            return fail(c, e, "key '%s': expected a parameter name FLAVOUR.PARAM, got %s", p, got(e, g, sizeof g));
        TRY(check_param(c, e, p, pdf, &truth[fc->nfree]));
        for (int i = 0; i < fc->nfree; i++)
            if (!strcmp(fc->free[i], scalar(e)))
                return fail(c, e, "key '%s': parameter '%s' is listed twice in fit.free", p, scalar(e));
        strcpy(fc->free[fc->nfree++], scalar(e));
    }
    fc->start = PF_START_TRUTH;
    if (f[1].val && f[1].val->type == YAML_MAPPING_NODE) {
        /* explicit values; parameters not named start at their true (card) value */
        fc->start = PF_START_EXPLICIT;
        for (int i = 0; i < fc->nfree; i++)
            fc->start_value[i] = truth[i];
        yaml_node_t *m = f[1].val;
        int given[PF_FIT_MAX_FREE] = {0};
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
            int i = 0;
            while (k->type == YAML_SCALAR_NODE && i < fc->nfree && strcmp(fc->free[i], scalar(k)))
                i++;
            if (k->type != YAML_SCALAR_NODE || i == fc->nfree)
                return fail(c, k, "key 'fit.start': expected names of free parameters (fit.free), got %s",
                            got(k, g, sizeof g));
            char path[PATH_LEN];
            join_path(path, "fit.start", scalar(k));
            if (given[i])
                return fail(c, k, "duplicate key '%s'", path);
            given[i] = 1;
            TRY(get_num(c, v, path, &fc->start_value[i]));
        }
    } else if (f[1].val) {
        static const char *const starts[] = {"truth", "truth-shifted"};
        TRY(get_enum(c, f[1].val, "fit.start", starts, 2, "truth, truth-shifted or {PARAM: VALUE, ...}",
                     &fc->start));
    }
    fc->bins_x = PF_CARD_DEFAULT_BINS_X;
    fc->bins_q2 = PF_CARD_DEFAULT_BINS_Q2;
    if (f[2].val) {
        static const char *const bk[] = {"x", "q2"};
        field b[2];
        TRY(get_map(c, f[2].val, "fit.bins", bk, 2, b));
        if (b[0].val)
            TRY(get_int_range(c, b[0].val, "fit.bins.x", 1, 10000, &fc->bins_x));
        if (b[1].val)
            TRY(get_int_range(c, b[1].val, "fit.bins.q2", 1, 10000, &fc->bins_q2));
    }
    if (f[3].val)
        TRY(get_int_range(c, f[3].val, "fit.replicas", 0, 100000, &fc->replicas));
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
    card->detector.e_stochastic = PF_CARD_DEFAULT_E_STOCHASTIC;
    card->detector.e_constant = PF_CARD_DEFAULT_E_CONSTANT;
    card->detector.theta_resolution = PF_CARD_DEFAULT_THETA_RES;
    card->detector.efficiency = 1.0;
    card->fit.bins_x = PF_CARD_DEFAULT_BINS_X;
    card->fit.bins_q2 = PF_CARD_DEFAULT_BINS_Q2;
}

static int parse_root(ctx *c, yaml_node_t *root, pf_card *card)
{
    static const char *const keys[] = {"version", "theory", "pdf", "kinematics", "detector", "simulation", "fit"};
    enum { VERSION, THEORY, PDF, KIN, DET, SIM, FIT };
    field f[NKEYS(keys)];
    if (root->type != YAML_MAPPING_NODE)
        return fail(c, root, "the card must be a mapping with sections theory, pdf, ...; got %s", kind_name(root));
    TRY(get_map(c, root, "", keys, NKEYS(keys), f));
    if (f[VERSION].val) {
        uint64_t v = 0;
        if (get_uint(c, f[VERSION].val, "version", 1000, &v) != PF_OK || v != 1)
            return fail(c, f[VERSION].val, "key 'version': expected 1 (the card format this build reads), got %s",
                        f[VERSION].val->type == YAML_SCALAR_NODE ? scalar(f[VERSION].val) : "a collection");
    }
    if (!f[THEORY].val)
        return missing(c, root, "", "theory", "the theory section");
    TRY(parse_theory(c, f[THEORY].val, &card->theory));
    if (!f[PDF].val)
        return missing(c, root, "", "pdf", "the pdf section (preset or flavours)");
    TRY(parse_pdf(c, f[PDF].val, &card->pdf));
    if (f[KIN].val)
        TRY(parse_kinematics(c, f[KIN].val, &card->kinematics));
    if (f[DET].val)
        TRY(parse_detector(c, f[DET].val, &card->detector));
    if (f[SIM].val)
        TRY(parse_simulation(c, f[SIM].val, &card->simulation));
    if (f[FIT].val)
        TRY(parse_fit(c, f[FIT].val, &card->pdf, &card->fit));
    return PF_OK;
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
                                       name, line_of(r2));
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
        if (r == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return pf_status_set(st, PF_ECARD, "%s: cannot read the card", path);
    }
    int rc = pf_card_parse(buf, len, path, card, st);
    free(buf);
    return rc;
}
