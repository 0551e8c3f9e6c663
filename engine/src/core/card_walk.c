/* partonflow: walking libyaml's node graph for the card parser — typed getters that
 * report "FILE:LINE: key 'a.b': expected ..., got ..." (docs/cards.md). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"

int pf_cw_line_of(const yaml_node_t *n) { return n ? (int)n->start_mark.line + 1 : 0; }

int pf_cw_fail(ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char body[PF_STATUS_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return pf_status_set(c->st, PF_ECARD, "%s:%d: %s", c->name, pf_cw_line_of(n), body);
}

const char *pf_cw_kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    default: return "a scalar";
    }
}

const char *pf_cw_scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* "got 'text'" or "got a mapping" for messages. */
const char *pf_cw_got(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_SCALAR_NODE)
        snprintf(buf, len, "'%.60s'", pf_cw_scalar(n));
    else
        snprintf(buf, len, "%s", pf_cw_kind_name(n));
    return buf;
}

/* out = "parent.key" (or "key" at the top), cut at PATH_LEN - 1 characters. */
void pf_cw_join_path(char *out, const char *parent, const char *key)
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
int pf_cw_get_map(ctx *c, yaml_node_t *map, const char *path, const char *const *keys, int nkeys,
                   field *out)
{
    char g[96];
    if (map->type != YAML_MAPPING_NODE)
        return pf_cw_fail(c, map, "key '%s': expected a mapping, got %s", path, pf_cw_got(map, g, sizeof g));
    for (int i = 0; i < nkeys; i++)
        out[i] = (field){NULL, 0};
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return pf_cw_fail(c, k, "key '%s': expected plain keys, got %s as a key", path, pf_cw_kind_name(k));
        int i = 0;
        while (i < nkeys && strcmp(keys[i], pf_cw_scalar(k)))
            i++;
        char sub[PATH_LEN];
        pf_cw_join_path(sub, path, pf_cw_scalar(k));
        if (i == nkeys) {
            char list[512] = "";
            for (int j = 0; j < nkeys; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", keys[j]);
            return pf_cw_fail(c, k, "unknown key '%s'; expected one of: %s", sub, list);
        }
        if (out[i].val)
            return pf_cw_fail(c, k, "duplicate key '%s' (first given on line %d)", sub, out[i].line);
        out[i].val = v;
        out[i].line = pf_cw_line_of(k);
    }
    return PF_OK;
}

int pf_cw_missing(ctx *c, const yaml_node_t *map, const char *path, const char *key, const char *expected)
{
    char sub[PATH_LEN];
    pf_cw_join_path(sub, path, key);
    return pf_cw_fail(c, map, "key '%s' is missing; expected %s", sub, expected);
}

/* A plain scalar that strtod reads completely as a finite number. */
int pf_cw_get_num(ctx *c, yaml_node_t *n, const char *path, double *out)
{
    char g[96];
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = pf_cw_scalar(n);
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end != s && *end == '\0' && errno != ERANGE && isfinite(v)) {
            *out = v;
            return PF_OK;
        }
    }
    return pf_cw_fail(c, n, "key '%s': expected a number, got %s", path, pf_cw_got(n, g, sizeof g));
}

/* Non-negative integers up to max; "1e6" is accepted when it is an exact integer. */
int pf_cw_get_uint(ctx *c, yaml_node_t *n, const char *path, uint64_t max, uint64_t *out)
{
    char g[96];
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = pf_cw_scalar(n);
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
    return pf_cw_fail(c, n, "key '%s': expected an integer from 0 to %llu, got %s", path,
                (unsigned long long)max, pf_cw_got(n, g, sizeof g));
}

int pf_cw_get_int_range(ctx *c, yaml_node_t *n, const char *path, int lo, int hi, int *out)
{
    uint64_t u = 0;
    char g[96];
    if (pf_cw_get_uint(c, n, path, (uint64_t)hi, &u) == PF_OK && (int)u >= lo) {
        *out = (int)u;
        return PF_OK;
    }
    return pf_cw_fail(c, n, "key '%s': expected an integer from %d to %d, got %s", path, lo, hi, pf_cw_got(n, g, sizeof g));
}

/* One of `names` (plain scalar); `expected` reads like "LO or NLO". */
int pf_cw_get_enum(ctx *c, yaml_node_t *n, const char *path, const char *const *names, int nnames,
                    const char *expected, int *out)
{
    char g[96];
    if (n->type == YAML_SCALAR_NODE)
        for (int i = 0; i < nnames; i++)
            if (!strcmp(pf_cw_scalar(n), names[i])) {
                *out = i;
                return PF_OK;
            }
    return pf_cw_fail(c, n, "key '%s': expected %s, got %s", path, expected, pf_cw_got(n, g, sizeof g));
}

/* A list of numbers into v[0..max); n receives the count (min..max). */
int pf_cw_get_num_list(ctx *c, yaml_node_t *n, const char *path, int min, int max, double *v, int *count)
{
    char g[96];
    if (n->type != YAML_SEQUENCE_NODE)
        return pf_cw_fail(c, n, "key '%s': expected a list of %d to %d numbers, got %s", path, min, max,
                    pf_cw_got(n, g, sizeof g));
    int k = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, k++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        if (k >= max)
            return pf_cw_fail(c, e, "key '%s': expected at most %d numbers, got %d", path, max,
                        (int)(n->data.sequence.items.top - n->data.sequence.items.start));
        char sub[PATH_LEN + 16];
        snprintf(sub, sizeof sub, "%s[%d]", path, k);
        if (pf_cw_get_num(c, e, sub, &v[k]))
            return c->st->code;
    }
    if (k < min)
        return pf_cw_fail(c, n, "key '%s': expected a list of %d to %d numbers, got %d", path, min, max, k);
    *count = k;
    return PF_OK;
}


/* A number with a lower bound: strict (v > lo) or not (v >= lo). */
int pf_cw_get_num_min(ctx *c, yaml_node_t *n, const char *path, double lo, int strict, const char *what,
                       double *out)
{
    TRY(pf_cw_get_num(c, n, path, out));
    if (strict ? !(*out > lo) : !(*out >= lo))
        return pf_cw_fail(c, n, "key '%s': expected %s, got %s", path, what, pf_cw_scalar(n));
    return PF_OK;
}

int pf_cw_get_num_range(ctx *c, yaml_node_t *n, const char *path, double lo, double hi, const char *what, double *out)
{
    TRY(pf_cw_get_num(c, n, path, out));
    if (!(*out >= lo && *out <= hi))
        return pf_cw_fail(c, n, "key '%s': expected %s, got %s", path, what, pf_cw_scalar(n));
    return PF_OK;
}
