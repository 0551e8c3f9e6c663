/* partonflow fit: likelihood.h5 (schema "partonflow.likelihood" v1, docs/artefacts.md). */
#include "partonflow/fit.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/h5.h"
#include "partonflow/par.h"

/* likelihood.h5's structure (h5.h pf_h5_schema, docs/artefacts.md "Validation"), checked
 * before any payload is used; value rules applied to the rows as they are read.  Symbols:
 * n_events, ngrid (attributes), nbins (bins_x * bins_q2), nnz (the length of /events/col);
 * stencil_end (set by the reader from stencil_nx: the first base whose stencil leaves the
 * grid).  New groups are new rows here. */
static const pf_h5_field like_fields[] = {
    {.path = "/@n_events", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_RANGE, .lo = 0, .hi = 9007199254740992.0,
     .bind = "n_events", .what = "events"},
    {.path = "/@ngrid", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_RANGE, .lo = 1, .hi = 2147483647.0, .bind = "ngrid",
     .what = "grid values"},
    {.path = "/@luminosity_pb", .cls = PF_H5_FLOAT_CLASS, .rules = PF_H5_POSITIVE, .what = "luminosity"},
    {.path = "/norm/c", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"ngrid"}, .rules = PF_H5_FINITE},
    {.path = "/hist@bins_x", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 1, .hi = 10000,
     .bind = "bins_x", .what = "bins"},
    {.path = "/hist@bins_q2", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 1, .hi = 10000,
     .bind = "bins_q2", .what = "bins"},
    {.path = "/hist/H", .cls = PF_H5_FLOAT_CLASS, .rank = 2, .dims = {"bins_x * bins_q2", "ngrid"},
     .rules = PF_H5_OPTIONAL | PF_H5_FINITE},
    {.path = "/events/bin", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"n_events"},
     .rules = PF_H5_OPTIONAL | PF_H5_INDEX, .lo = -1, .bound = "nbins", .what = "-1 (outside) or a bin"},
    {.path = "/events/stencil_base", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"n_events"},
     .rules = PF_H5_OPTIONAL | PF_H5_INDEX, .lo = 0, .bound = "stencil_end",
     .what = "a grid index (its stencil inside ngrid)"},
    {.path = "/events/stencil_w", .cls = PF_H5_FLOAT_CLASS, .rank = 2, .dims = {"n_events", "10"},
     .rules = PF_H5_OPTIONAL},
    {.path = "/events/col", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"nnz"},
     .rules = PF_H5_OPTIONAL | PF_H5_INDEX, .lo = 0, .bound = "ngrid", .what = "a grid index", .unit = "entry"},
    {.path = "/events/val", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"nnz"}, .rules = PF_H5_OPTIONAL},
    {.path = "/events/row_ptr", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"n_events + 1"},
     .rules = PF_H5_OPTIONAL | PF_H5_OFFSETS, .bound = "nnz", .what = "the number of weights"},
};
static const pf_h5_schema like_schema = {PF_LIKE_SCHEMA, like_fields, sizeof like_fields / sizeof *like_fields};

#define TRY(x) do { if ((rc = (x)) != PF_OK) goto done; } while (0)
#define BAD(...) do { rc = pf_status_set(st, PF_EFORMAT, __VA_ARGS__); goto done; } while (0)

int pf_like_file_write_header(pf_h5 *h, const pf_like_info *in, const double *c, const double *H,
                              pf_status *st)
{
    int rc;
    size_t dims[2] = {in->ngrid, 0};
    TRY(pf_h5_write(h, "/norm/c", PF_H5_DOUBLE, 1, dims, c, "pb per unit G", st));
    if (in->nbins) {
        dims[0] = in->nbins;
        dims[1] = in->ngrid;
        TRY(pf_h5_write(h, "/hist/H", PF_H5_DOUBLE, 2, dims, H, "pb per unit G", st));
        double edges[4] = {in->bins.logx_lo, in->bins.logx_hi, in->bins.logq2_lo, in->bins.logq2_hi};
        TRY(pf_h5_set_attr_doubles(h, "/hist", "log_edges", edges, 4, st));
        TRY(pf_h5_set_attr_int64(h, "/hist", "bins_x", in->bins.nx, st));
        TRY(pf_h5_set_attr_int64(h, "/hist", "bins_q2", in->bins.nq2, st));
    }
    TRY(pf_h5_set_attr_double(h, "/", "luminosity_pb", in->luminosity, st));
    TRY(pf_h5_set_attr_int64(h, "/", "n_events", (int64_t)in->nevents, st));
    TRY(pf_h5_set_attr_int64(h, "/", "ngrid", (int64_t)in->ngrid, st));
    TRY(pf_h5_set_attr_uint64(h, "/", "theory_checksum", in->theory_checksum, st));
    TRY(pf_h5_set_attr_uint64(h, "/", "events_checksum", in->events_checksum, st));
    TRY(pf_h5_set_attr_uint64(h, "/", "seed", in->seed, st));
    TRY(pf_h5_set_attr_string(h, "/", "detector", in->detector, st));
    TRY(pf_h5_set_attr_string(h, "/", "theory_path", in->theory_path, st));
done:
    return rc;
}

pf_like *pf_like_read(const char *path, int rows, pf_like_info *info, char **card_yaml, pf_status *st)
{
    pf_like *lk = NULL;
    uint64_t *rp = NULL;
    uint32_t *col = NULL;
    double *val = NULL, *c = NULL, *H = NULL, *edges = NULL;
    int32_t *bin = NULL;
    char *det = NULL;
    int rc, rk;
    size_t dims[PF_H5_MAX_RANK];
    uint64_t nnz_read = 0; /* CSR weights read: pf_like_create_take takes col and val */
    memset(info, 0, sizeof *info);
    pf_h5 *h = pf_h5_open(path, PF_LIKE_SCHEMA, PF_LIKE_SCHEMA_VERSION, st);
    if (!h) return NULL;
    int64_t v;
    /* Structural checks before any payload is used (docs/artefacts.md, "Validation"): a
     * checksum-valid file edited into the wrong shape is refused here with the file, the
     * dataset and what was expected, instead of overrunning a buffer or spinning. */
    pf_h5_syms sym = {0};
    TRY(pf_h5_check(h, &like_schema, &sym, st));
    TRY(pf_h5_get_attr_int64(h, "/", "n_events", &v, st));
    info->nevents = (size_t)v;
    TRY(pf_h5_get_attr_int64(h, "/", "ngrid", &v, st));
    info->ngrid = (size_t)v;
    TRY(pf_h5_get_attr_double(h, "/", "luminosity_pb", &info->luminosity, st));
    TRY(pf_h5_get_attr_uint64(h, "/", "theory_checksum", &info->theory_checksum, st));
    TRY(pf_h5_get_attr_uint64(h, "/", "events_checksum", &info->events_checksum, st));
    TRY(pf_h5_get_attr_uint64(h, "/", "seed", &info->seed, st));
    TRY(pf_h5_get_attr_string(h, "/", "detector", &det, st));
    snprintf(info->detector, sizeof info->detector, "%s", det);
    free(det);
    det = NULL;
    TRY(pf_h5_get_attr_string(h, "/", "theory_path", &det, st));
    snprintf(info->theory_path, sizeof info->theory_path, "%s", det);
    TRY(pf_h5_read(h, "/norm/c", PF_H5_DOUBLE, &rk, dims, (void **)&c, st));
    TRY(pf_h5_check_values(h, &like_schema, "/norm/c", PF_H5_DOUBLE, c, 0, info->ngrid, &sym, st));
    if (pf_h5_exists(h, "/hist/H")) {
        int64_t bx, bq;
        size_t ne;
        TRY(pf_h5_get_attr_int64(h, "/hist", "bins_x", &bx, st));
        TRY(pf_h5_get_attr_int64(h, "/hist", "bins_q2", &bq, st));
        TRY(pf_h5_read(h, "/hist/H", PF_H5_DOUBLE, &rk, dims, (void **)&H, st));
        TRY(pf_h5_check_values(h, &like_schema, "/hist/H", PF_H5_DOUBLE, H, 0, dims[0] * dims[1], &sym, st));
        TRY(pf_h5_get_attr_doubles(h, "/hist", "log_edges", &edges, &ne, st));
        if (ne != 4) BAD("%s: attribute /hist log_edges: expected 4 values, got %zu", path, ne);
        info->nbins = dims[0];
        info->bins = (pf_prep_bins){(int)bx, (int)bq, edges[0], edges[1], edges[2], edges[3]};
    }
    /* this rank's block-aligned slice of the events */
    size_t b, e;
    pf_like_range(info->nevents, pf_par_rank(), pf_par_size(), &b, &e);
    const size_t n = e - b;
    rp = malloc((n + 1) * sizeof *rp);
    bin = malloc((n ? n : 1) * sizeof *bin);
    if (!rp || !bin) {
        rc = pf_status_set(st, PF_ENOMEM, "%s: cannot allocate %zu event rows", path, n);
        goto done;
    }
    if (!rows && !info->nbins) {
        rc = pf_status_set(st, PF_EINVAL, "%s: no histogram operator (/hist/H), so the event rows are needed", path);
        goto done;
    }
    if (info->nevents && !pf_h5_exists(h, "/events/bin")) BAD("%s: no dataset /events/bin", path);
    TRY(pf_h5_sym_set(&sym, "nbins", info->nbins, st));
    const int stencil = rows && pf_h5_exists(h, "/events/stencil_base");
    int64_t snx = 0;
    if (stencil) {
        /* factored rows of the perfect detector */
        TRY(pf_h5_get_attr_int64(h, "/events", "stencil_nx", &snx, st));
        if (snx < 1 || (uint64_t)snx > info->ngrid)
            BAD("%s: attribute /events stencil_nx: expected 1 .. ngrid = %zu, got %lld", path, info->ngrid,
                (long long)snx);
        if (!pf_h5_exists(h, "/events/stencil_w")) BAD("%s: no dataset /events/stencil_w", path);
        col = malloc((n ? n : 1) * sizeof *col);
        val = malloc((n ? n : 1) * PF_LIKE_STW * sizeof *val);
        if (!col || !val) {
            rc = pf_status_set(st, PF_ENOMEM, "%s: cannot allocate %zu event rows", path, n);
            goto done;
        }
        if (n) {
            TRY(pf_h5_read_rows(h, "/events/stencil_base", PF_H5_INT32, b, n, col, st));
            TRY(pf_h5_read_rows(h, "/events/stencil_w", PF_H5_DOUBLE, b, n, val, st));
        }
        /* the 4 x 4 stencil of (F2, FL) pairs spans 3 rows of nx pairs plus 4 pairs */
        const uint64_t span = (3 * (uint64_t)snx + 4) * 2;
        TRY(pf_h5_sym_set(&sym, "stencil_end", span <= info->ngrid ? info->ngrid - span + 1 : 0, st));
        TRY(pf_h5_check_values(h, &like_schema, "/events/stencil_base", PF_H5_INT32, col, b, n, &sym, st));
    } else if (rows) {
        /* CSR: row_ptr is read whole (8 bytes per event) so that every rank checks all of it */
        uint64_t *all = NULL;
        if (!pf_h5_exists(h, "/events/row_ptr") || !pf_h5_exists(h, "/events/col") || !pf_h5_exists(h, "/events/val"))
            BAD("%s: no event rows: expected /events/stencil_base and stencil_w, or /events/row_ptr, col and val", path);
        TRY(pf_h5_read(h, "/events/row_ptr", PF_H5_UINT64, &rk, dims, (void **)&all, st));
        rc = pf_h5_check_values(h, &like_schema, "/events/row_ptr", PF_H5_UINT64, all, 0, info->nevents + 1, &sym, st);
        if (!rc) memcpy(rp, all + b, (n + 1) * sizeof *rp);
        free(all);
        if (rc) goto done;
        const uint64_t k0 = rp[0], nnz = rp[n] - rp[0];
        nnz_read = nnz;
        for (size_t i = 0; i <= n; i++) rp[i] -= k0;
        col = malloc((nnz ? nnz : 1) * sizeof *col);
        val = malloc((nnz ? nnz : 1) * sizeof *val);
        if (!col || !val) {
            rc = pf_status_set(st, PF_ENOMEM, "%s: cannot allocate %llu weights", path, (unsigned long long)nnz);
            goto done;
        }
        if (nnz) {
            TRY(pf_h5_read_rows(h, "/events/col", PF_H5_INT32, k0, nnz, col, st));
            TRY(pf_h5_read_rows(h, "/events/val", PF_H5_DOUBLE, k0, nnz, val, st));
        }
        TRY(pf_h5_check_values(h, &like_schema, "/events/col", PF_H5_INT32, col, k0, nnz, &sym, st));
    }
    if (n) TRY(pf_h5_read_rows(h, "/events/bin", PF_H5_INT32, b, n, bin, st));
    if (info->nbins) TRY(pf_h5_check_values(h, &like_schema, "/events/bin", PF_H5_INT32, bin, b, n, &sym, st));
    if (card_yaml) {
        const char *y = pf_h5_card_yaml(h);
        *card_yaml = y ? strdup(y) : NULL;
    }
    pf_like_data d = {.ngrid = info->ngrid, .nevents_total = info->nevents, .first_event = b, .nevents = n,
                      .row_ptr = stencil || !rows ? NULL : rp, .col = stencil ? NULL : col, .val = stencil ? NULL : val,
                      .st_base = stencil ? col : NULL, .st_w = stencil ? val : NULL, .st_nx = (size_t)snx, .bin = info->nbins ? bin : NULL, .c = c,
                      .luminosity = info->luminosity, .nbins = info->nbins, .H = H, .binned_only = !rows};
    lk = pf_like_create_take(&d, st);
    rc = lk ? PF_OK : st->code;
    if (lk && nnz_read) col = NULL, val = NULL; /* now the likelihood's */
    if (rc) pf_status_prefix(st, "%s: ", path);
done:
    pf_h5_close(h);
    free(rp); free(col); free(val); free(c); free(H); free(edges); free(bin); free(det);
    if (rc && lk) {
        pf_like_destroy(lk);
        lk = NULL;
    }
    return lk;
}
