/* partonflow io: declarative structural schemas (h5.h pf_h5_schema; docs/artefacts.md,
 * "Validation").  One table per artefact lists its datasets and attributes with class, rank,
 * lengths as shared symbols, and value rules; pf_h5_check applies the structure before any
 * payload is read, pf_h5_check_values the value rules to the data a reader reads. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5_impl.h"

static long find(const pf_h5_syms *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->name[i]) == len && !strncmp(s->name[i], name, len)) return (long)i;
    return -1;
}

int pf_h5_sym_set(pf_h5_syms *s, const char *name, uint64_t value, pf_status *st)
{
    long i = find(s, name, strlen(name));
    if (i < 0) {
        if (s->n >= PF_H5_MAX_SYMS) return pf_status_set(st, PF_EINVAL, "schema: more than %d symbols", PF_H5_MAX_SYMS);
        i = (long)s->n++;
        s->name[i] = name;
    }
    s->value[i] = value;
    s->from[i] = NULL;
    return PF_OK;
}

int pf_h5_sym_get(const pf_h5_syms *s, const char *name, uint64_t *value, pf_status *st)
{
    const long i = find(s, name, strlen(name));
    if (i < 0) return pf_status_set(st, PF_EINVAL, "schema: symbol %s is not bound", name);
    *value = s->value[i];
    return PF_OK;
}

/* A length spec: "K", "sym", "sym + K", "sym * sym2".  Returns 1 and *v when it can be
 * evaluated, 0 when a symbol is unbound (*free_sym: its index in spec, *len, for binding
 * "sym" or "sym + K" from a stored length), -1 when malformed. */
static int eval_spec(const pf_h5_syms *s, const char *spec, uint64_t *v, const char **free_sym, size_t *free_len,
                     uint64_t *free_add)
{
    const char *p = spec;
    while (*p == ' ') p++;
    if (isdigit((unsigned char)*p)) {
        *v = strtoull(p, NULL, 10);
        return 1;
    }
    const char *a = p;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    const size_t la = (size_t)(p - a);
    while (*p == ' ') p++;
    const char op = *p;
    uint64_t rhs = 0;
    const char *b = NULL;
    size_t lb = 0;
    if (op == '+' || op == '*') {
        p++;
        while (*p == ' ') p++;
        if (isdigit((unsigned char)*p)) rhs = strtoull(p, NULL, 10);
        else {
            b = p;
            while (isalnum((unsigned char)*p) || *p == '_') p++;
            lb = (size_t)(p - b);
        }
    } else if (op) return -1;
    const long ia = find(s, a, la), ib = b ? find(s, b, lb) : -1;
    if (b) {
        if (ia < 0 || ib < 0) return -1; /* products bind nothing: both must be known */
        *v = op == '*' ? s->value[ia] * s->value[ib] : s->value[ia] + s->value[ib];
        return 1;
    }
    if (ia < 0) {
        if (op == '*') return -1;
        *free_sym = a;
        *free_len = la;
        *free_add = rhs;
        return 0;
    }
    *v = op == '*' ? s->value[ia] * rhs : s->value[ia] + rhs;
    return 1;
}

/* "(n_events + 1)" or "(the length of /events/col + 1)" for messages */
static void why_text(const pf_h5_syms *s, const pf_h5_field *f, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < f->rank && o < len; k++) {
        const char *spec = f->dims[k];
        if (!spec) continue;
        const char *p = spec;
        while (isalnum((unsigned char)*p) || *p == '_') p++;
        const long i = isdigit((unsigned char)spec[0]) ? -1 : find(s, spec, (size_t)(p - spec));
        char one[200];
        if (i >= 0 && s->from[i] && s->from[i] != f->path)
            snprintf(one, sizeof one, "the length of %s%s", s->from[i], p);
        else
            snprintf(one, sizeof one, "%s", spec);
        o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", one);
    }
}

static int check_attr(pf_h5 *h, const pf_h5_field *f, pf_h5_syms *syms, pf_status *st)
{
    char obj[256];
    const char *at = strchr(f->path, '@');
    if (!at || (size_t)(at - f->path) >= sizeof obj)
        return pf_status_set(st, PF_EINVAL, "schema %s: bad attribute path", f->path);
    memcpy(obj, f->path, (size_t)(at - f->path));
    obj[at - f->path] = '\0';
    if (!obj[0]) strcpy(obj, "/");
    const char *name = at + 1;
    pf_status ignore;
    double d;
    int64_t i64;
    uint64_t u64;
    int isint = 0;
    if (f->cls == PF_H5_INTEGER_CLASS) {
        if (!pf_h5_get_attr_int64(h, obj, name, &i64, &ignore)) d = (double)i64, isint = 1;
        else if (!pf_h5_get_attr_uint64(h, obj, name, &u64, &ignore)) d = (double)u64, i64 = u64 > INT64_MAX ? INT64_MAX : (int64_t)u64, isint = 1;
        else if (!pf_h5_get_attr_double(h, obj, name, &d, &ignore))
            return pf_status_set(st, PF_EFORMAT, "%s: attribute %s %s: expected an integer, got %g", h->path, obj,
                                 name, d);
        else if (f->rules & PF_H5_OPTIONAL) return PF_OK;
        else return pf_status_set(st, PF_EFORMAT, "%s: no attribute %s of %s (expected an integer)", h->path, name, obj);
    } else if (pf_h5_get_attr_double(h, obj, name, &d, &ignore)) {
        if (f->rules & PF_H5_OPTIONAL) return PF_OK;
        return pf_status_set(st, PF_EFORMAT, "%s: no attribute %s of %s (expected a number)", h->path, name, obj);
    }
    if ((f->rules & (PF_H5_FINITE | PF_H5_POSITIVE)) && !isfinite(d))
        return pf_status_set(st, PF_EFORMAT, "%s: attribute %s %s: expected a finite %s%s, got %g", h->path, obj, name,
                             f->what ? f->what : "value", f->rules & PF_H5_POSITIVE ? " > 0" : "", d);
    if ((f->rules & PF_H5_POSITIVE) && !(d > 0))
        return pf_status_set(st, PF_EFORMAT, "%s: attribute %s %s: expected a finite %s > 0, got %g", h->path, obj,
                             name, f->what ? f->what : "value", d);
    if ((f->rules & PF_H5_RANGE) && !(d >= f->lo && d <= f->hi)) {
        if (isint)
            return pf_status_set(st, PF_EFORMAT, "%s: attribute %s %s: expected %s%s%.17g .. %.17g, got %lld", h->path,
                                 obj, name, f->what ? f->what : "", f->what ? " " : "", f->lo, f->hi, (long long)i64);
        return pf_status_set(st, PF_EFORMAT, "%s: attribute %s %s: expected %s%s%g .. %g, got %g", h->path, obj, name,
                             f->what ? f->what : "", f->what ? " " : "", f->lo, f->hi, d);
    }
    if (f->bind) {
        if (!isint || i64 < 0)
            return pf_status_set(st, PF_EFORMAT, "%s: attribute %s %s: expected a count >= 0, got %g", h->path, obj,
                                 name, d);
        return pf_h5_sym_set(syms, f->bind, (uint64_t)i64, st);
    }
    return PF_OK;
}

static int check_dataset(pf_h5 *h, const pf_h5_field *f, pf_h5_syms *syms, pf_status *st)
{
    if (!pf_h5_exists(h, f->path)) {
        if (f->rules & PF_H5_OPTIONAL) return PF_OK;
        return pf_status_set(st, PF_EFORMAT, "%s: dataset %s is missing", h->path, f->path);
    }
    size_t want[PF_H5_MAX_RANK], got[PF_H5_MAX_RANK];
    const char *fs[PF_H5_MAX_RANK] = {0};
    size_t fl[PF_H5_MAX_RANK] = {0};
    uint64_t fa[PF_H5_MAX_RANK] = {0};
    for (int k = 0; k < PF_H5_MAX_RANK; k++) want[k] = PF_H5_ANY_LEN;
    for (int k = 0; k < f->rank; k++) {
        if (!f->dims[k]) continue;
        uint64_t v;
        const int e = eval_spec(syms, f->dims[k], &v, &fs[k], &fl[k], &fa[k]);
        if (e < 0)
            return pf_status_set(st, PF_EFORMAT, "%s: dataset %s: its length %s needs attributes the file lacks",
                                 h->path, f->path, f->dims[k]);
        if (e > 0) want[k] = (size_t)v;
    }
    char why[512];
    why_text(syms, f, why, sizeof why);
    int rc = pf_h5_expect(h, f->path, f->cls, f->rank, want, why[0] ? why : NULL, got, st);
    if (rc) return rc;
    for (int k = 0; k < f->rank; k++) /* bind what this dataset defines */
        if (fs[k]) {
            if (got[k] < fa[k])
                return pf_status_set(st, PF_EFORMAT, "%s: dataset %s: expected at least %llu in dimension %d, got %zu",
                                     h->path, f->path, (unsigned long long)fa[k], k + 1, got[k]);
            if (syms->n >= PF_H5_MAX_SYMS) return pf_status_set(st, PF_EINVAL, "schema: too many symbols");
            const size_t i = syms->n++;
            syms->name[i] = fs[k];
            syms->value[i] = got[k] - fa[k];
            syms->from[i] = f->path;
            /* names from specs are not NUL-terminated at the symbol's end when "+ K" follows:
             * find() compares lengths, so store only specs that are the bare symbol */
            if (fl[k] != strlen(fs[k])) {
                static char names[PF_H5_MAX_SYMS][64]; /* single-threaded layer (h5.h) */
                snprintf(names[i], sizeof names[i], "%.*s", (int)fl[k], fs[k]);
                syms->name[i] = names[i];
            }
        }
    return PF_OK;
}

int pf_h5_check(pf_h5 *h, const pf_h5_schema *s, pf_h5_syms *syms, pf_status *st)
{
    for (size_t i = 0; i < s->n; i++) {
        const pf_h5_field *f = &s->fields[i];
        const int rc = strchr(f->path, '@') ? check_attr(h, f, syms, st) : check_dataset(h, f, syms, st);
        if (rc) return rc;
    }
    return PF_OK;
}

static double value_at(pf_h5_type t, const void *data, size_t i, int64_t *iv, uint64_t *uv)
{
    switch (t) {
    case PF_H5_DOUBLE: return ((const double *)data)[i];
    case PF_H5_FLOAT: return ((const float *)data)[i];
    case PF_H5_INT32: *iv = ((const int32_t *)data)[i]; *uv = *iv < 0 ? 0 : (uint64_t)*iv; return (double)*iv;
    case PF_H5_INT64: *iv = ((const int64_t *)data)[i]; *uv = *iv < 0 ? 0 : (uint64_t)*iv; return (double)*iv;
    case PF_H5_UINT64: *uv = ((const uint64_t *)data)[i]; *iv = *uv > INT64_MAX ? INT64_MAX : (int64_t)*uv; return (double)*uv;
    case PF_H5_UINT8: *iv = ((const uint8_t *)data)[i]; *uv = (uint64_t)*iv; return (double)*iv;
    }
    return NAN;
}

int pf_h5_check_values(pf_h5 *h, const pf_h5_schema *s, const char *path, pf_h5_type type, const void *data,
                       size_t first, size_t n, const pf_h5_syms *syms, pf_status *st)
{
    const pf_h5_field *f = NULL;
    for (size_t i = 0; i < s->n && !f; i++)
        if (!strcmp(s->fields[i].path, path)) f = &s->fields[i];
    if (!f) return pf_status_set(st, PF_EINVAL, "schema %s: no field %s", s->name, path);
    const char *unit = f->unit ? f->unit : "row", *what = f->what ? f->what : "a value";
    const int isint = type != PF_H5_DOUBLE && type != PF_H5_FLOAT;
    uint64_t bound = 0;
    if ((f->rules & (PF_H5_INDEX | PF_H5_OFFSETS)) && pf_h5_sym_get(syms, f->bound, &bound, st)) return st->code;
    for (size_t i = 0; i < n; i++) {
        int64_t iv = 0;
        uint64_t uv = 0;
        const double d = value_at(type, data, i, &iv, &uv);
        const size_t r = first + i;
        if ((f->rules & (PF_H5_FINITE | PF_H5_POSITIVE)) && !isint && !isfinite(d))
            return pf_status_set(st, PF_EFORMAT, "%s: dataset %s %s %zu: expected %s (finite), got %g", h->path, path,
                                 unit, r, what, d);
        if ((f->rules & PF_H5_POSITIVE) && !(d > 0))
            return pf_status_set(st, PF_EFORMAT, "%s: dataset %s %s %zu: expected %s > 0, got %g", h->path, path, unit,
                                 r, what, d);
        if ((f->rules & PF_H5_FLAG) && (isint ? (iv != 0 && iv != 1) || (type == PF_H5_UINT64 && uv > 1) : (d != 0 && d != 1)))
            return pf_status_set(st, PF_EFORMAT, "%s: dataset %s %s %zu: expected 0 or 1, got %lld", h->path, path, unit,
                                 r, type == PF_H5_UINT64 ? (long long)iv : isint ? (long long)iv : (long long)d);
        if ((f->rules & PF_H5_INDEX) && (isint ? iv < (int64_t)f->lo || uv >= bound || (type == PF_H5_UINT64 && uv > INT64_MAX)
                                               : !(d >= f->lo && d < (double)bound)))
            return pf_status_set(st, PF_EFORMAT, "%s: dataset %s %s %zu: expected %s %lld .. %lld, got %lld", h->path,
                                 path, unit, r, what, (long long)f->lo, (long long)bound - 1,
                                 type == PF_H5_UINT64 ? (long long)uv : (long long)iv);
        if ((f->rules & PF_H5_RANGE) && !(d >= f->lo && d <= f->hi))
            return pf_status_set(st, PF_EFORMAT, "%s: dataset %s %s %zu: expected %s %g .. %g, got %g", h->path, path,
                                 unit, r, what, f->lo, f->hi, d);
        if (f->rules & PF_H5_OFFSETS) {
            if (r == 0 && uv != 0)
                return pf_status_set(st, PF_EFORMAT, "%s: dataset %s row 0: expected 0, got %llu", h->path, path,
                                     (unsigned long long)uv);
            uint64_t prev = 0;
            if (i > 0) value_at(type, data, i - 1, &iv, &prev), value_at(type, data, i, &iv, &uv);
            if (i > 0 && (uv < prev || (type != PF_H5_UINT64 && iv < 0)))
                return pf_status_set(st, PF_EFORMAT, "%s: dataset %s row %zu: expected a non-decreasing offset >= %llu "
                                     "(row %zu), got %llu", h->path, path, r, (unsigned long long)prev, r - 1,
                                     (unsigned long long)uv);
            if (i == n - 1 && uv != bound) {
                const long k = find(syms, f->bound, strlen(f->bound));
                return pf_status_set(st, PF_EFORMAT, "%s: dataset %s row %zu (the last): expected %s, %llu (%s%s), got "
                                     "%llu", h->path, path, r, what, (unsigned long long)bound,
                                     k >= 0 && syms->from[k] ? "the length of " : "",
                                     k >= 0 && syms->from[k] ? syms->from[k] : f->bound, (unsigned long long)uv);
            }
        }
    }
    return PF_OK;
}
