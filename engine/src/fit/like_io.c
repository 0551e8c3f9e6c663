/* partonflow fit: likelihood.h5 (schema "partonflow.likelihood" v1, docs/artefacts.md). */
#include "partonflow/fit.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "partonflow/h5.h"
#include "partonflow/kernels/eventpass.h"
#include "partonflow/kernels/interp.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "fit_mem.h"

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
    /* stencil rows in compact form (prepare_reco.c, prepare.c): local coordinates and
     * factors, expanded per event by the pass to stencil_w's weights (like_data.h) */
    {.path = "/events/stencil_local", .cls = PF_H5_FLOAT_CLASS, .rank = 2, .dims = {"n_events", "4"},
     .rules = PF_H5_OPTIONAL},
    /* the perfect detector's compact rows also need the x factors: the point's and the
     * grid columns' (ops' (1 - x)^-PF_OPS_XPOW) */
    {.path = "/events/stencil_xf", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_events"},
     .rules = PF_H5_OPTIONAL},
    {.path = "/events/stencil_xpow", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .rules = PF_H5_OPTIONAL},
    {.path = "/events/col", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"nnz"},
     .rules = PF_H5_OPTIONAL | PF_H5_INDEX, .lo = 0, .bound = "ngrid", .what = "a grid index", .unit = "entry"},
    {.path = "/events/val", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"nnz"}, .rules = PF_H5_OPTIONAL},
    {.path = "/events/row_ptr", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {NULL},
     .rules = PF_H5_OPTIONAL | PF_H5_OFFSETS, .bound = "nnz", .what = "the number of weights"},
    /* the response operator of a smeared detector (F = M G, docs/fitting.md): CSR rows of M
     * over the reconstructed-space grid, and the events that keep exact rows on G
     * (/events/row_ptr has n_events + 1 rows, or n_exact + 1 with exact_index: the reader
     * checks its length) */
    {.path = "/response@nt", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 4,
     .hi = 1048576, .what = "reconstructed t nodes"},
    {.path = "/response@nz", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 4,
     .hi = 1048576, .what = "reconstructed zeta nodes"},
    {.path = "/response@patch_nt", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 4,
     .hi = 1048576, .what = "t nodes of the high-x patch"},
    {.path = "/response@patch_nz", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 4,
     .hi = 1048576, .what = "zeta nodes of the high-x patch"},
    {.path = "/response/col", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"response_nnz"},
     .rules = PF_H5_OPTIONAL | PF_H5_INDEX, .lo = 0, .bound = "ngrid", .what = "a grid index", .unit = "entry"},
    {.path = "/response/val", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"response_nnz"},
     .rules = PF_H5_OPTIONAL | PF_H5_FINITE, .what = "a weight", .unit = "entry"},
    {.path = "/response/row_ptr", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .rules = PF_H5_OPTIONAL},
    {.path = "/events/exact_index", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"n_exact"},
     .rules = PF_H5_OPTIONAL | PF_H5_INDEX, .lo = 0, .bound = "n_events", .what = "an event index"},
};
static const pf_h5_schema like_schema = {PF_LIKE_SCHEMA, like_fields, sizeof like_fields / sizeof *like_fields};

/* A compact stencil row (/events/stencil_local): local coordinates in [-1, 2] (the cubic's
 * nodes -1 .. 2), finite factors, eps K2 >= 0. */
static int local_row_ok(const double *li)
{
    return li[0] >= -1.0 && li[0] <= 2.0 && li[1] >= -1.0 && li[1] <= 2.0 && isfinite(li[2]) && isfinite(li[3]) &&
           li[2] >= 0.0;
}

/* Compact stencil rows are expanded to whole ones by pf_like_create (st_expand: in lane
 * groups where the runs of one base are long, like.c lanes_build) when those, with the
 * compact rows they are made from, take at most a quarter of the machine's memory (per
 * rank): the pass over whole rows is faster where memory bandwidth is ample (perfect
 * card, 2-core AMD EPYC: 9.2 against 20 ms per ln L + gradient at 1e6 events with 1
 * thread; default card 14.5 against 16.4 ms, docs/performance.md), the compact ones hold
 * 44 or 36 instead of 84-87 bytes per event where memory is what runs out (1e8 events on
 * one node).  Either way the pass computes the same bits. */
static int expand_rows(size_t n)
{
    const long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psz <= 0) return 1;
    return (double)n * 128.0 <= 0.25 * (double)pages * (double)psz;
}

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
    /* where theory.h5 was: a location, outside the checksum (/meta, pf_h5_meta_volatile),
     * so that the same inputs prepared in two clones give the same checksum */
    TRY(pf_h5_set_attr_string(h, "/meta", "theory_path", in->theory_path, st));
done:
    return rc;
}

int pf_like_file_write_response(pf_h5 *h, const pf_prep_response *r, pf_status *st)
{
    int rc;
    double *tn = malloc(r->rg.nt * sizeof *tn), *zn = malloc(r->rg.nz * sizeof *zn);
    float *v32 = malloc((r->nnz ? r->nnz : 1) * sizeof *v32);
    if (!tn || !zn || !v32) {
        free(tn); free(zn); free(v32);
        return pf_status_set(st, PF_ENOMEM, "likelihood.h5: cannot allocate the response grid nodes");
    }
    /* M's weights are float32 numbers (pf_prep_response_make rounds them), stored as such:
     * the reader's float64 values are the same numbers */
    for (size_t k = 0; k < r->nnz; k++) v32[k] = (float)r->val[k];
    for (size_t i = 0; i < r->rg.nt; i++) tn[i] = pf_interp_axis_node(&r->rg.taxis, (int)i);
    for (size_t i = 0; i < r->rg.nz; i++) zn[i] = pf_interp_axis_node(&r->rg.zaxis, (int)i);
    size_t d[1] = {r->nF + 1};
    TRY(pf_h5_write(h, "/response/row_ptr", PF_H5_UINT64, 1, d, r->ptr, NULL, st));
    d[0] = r->nnz;
    TRY(pf_h5_write(h, "/response/col", PF_H5_INT32, 1, d, r->col, NULL, st));
    TRY(pf_h5_write(h, "/response/val", PF_H5_FLOAT, 1, d, v32, "per unit G (F = M G)", st));
    d[0] = r->rg.nt;
    TRY(pf_h5_write(h, "/response/t_nodes", PF_H5_DOUBLE, 1, d, tn, "ln(Q2 / GeV^2)", st));
    d[0] = r->rg.nz;
    TRY(pf_h5_write(h, "/response/zeta_nodes", PF_H5_DOUBLE, 1, d, zn, "ln(x - Q2/s) - ln(1 - x)", st));
    TRY(pf_h5_set_attr_int64(h, "/response", "nt", (int64_t)r->rg.nt, st));
    TRY(pf_h5_set_attr_int64(h, "/response", "nz", (int64_t)r->rg.nz, st));
    if (r->rg.pnt) {
        /* the high-x patch: its rows follow the main grid's in M and F (prepare_reco.c) */
        free(tn); free(zn);
        tn = malloc(r->rg.pnt * sizeof *tn), zn = malloc(r->rg.pnz * sizeof *zn);
        if (!tn || !zn) {
            rc = pf_status_set(st, PF_ENOMEM, "likelihood.h5: cannot allocate the response grid nodes");
            goto done;
        }
        for (size_t i = 0; i < r->rg.pnt; i++) tn[i] = pf_interp_axis_node(&r->rg.ptaxis, (int)i);
        for (size_t i = 0; i < r->rg.pnz; i++) zn[i] = pf_interp_axis_node(&r->rg.pzaxis, (int)i);
        d[0] = r->rg.pnt;
        TRY(pf_h5_write(h, "/response/patch_t_nodes", PF_H5_DOUBLE, 1, d, tn, "ln(Q2 / GeV^2)", st));
        d[0] = r->rg.pnz;
        TRY(pf_h5_write(h, "/response/patch_zeta_nodes", PF_H5_DOUBLE, 1, d, zn, "ln(x - Q2/s) - ln(1 - x)", st));
        TRY(pf_h5_set_attr_int64(h, "/response", "patch_nt", (int64_t)r->rg.pnt, st));
        TRY(pf_h5_set_attr_int64(h, "/response", "patch_nz", (int64_t)r->rg.pnz, st));
    }
done:
    free(tn); free(zn); free(v32);
    return rc;
}

pf_like *pf_like_read(const char *path, int rows, pf_like_info *info, char **card_yaml, pf_status *st)
{
    pf_like *lk = NULL;
    uint64_t *rp = NULL, *mptr = NULL;
    uint32_t *col = NULL, *mcol = NULL;
    double *mval = NULL;
    size_t nF = 0, xn = 0;
    uint64_t *xev = NULL, *xptr = NULL;
    uint32_t *xcol = NULL;
    double *xval = NULL;
    double *val = NULL, *loc = NULL, *xf = NULL, *xpow = NULL, *c = NULL, *H = NULL, *edges = NULL;
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
    {
        pf_status none;
        if (pf_h5_get_attr_string(h, "/meta", "theory_path", &det, &none))
            TRY(pf_h5_get_attr_string(h, "/", "theory_path", &det, st));
    }
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
    if (stencil && pf_h5_exists(h, "/response/row_ptr")) {
        /* the smeared detector's response operator: events are stencils on F = M G */
        int64_t nt, nz;
        size_t dp[PF_H5_MAX_RANK], dc[PF_H5_MAX_RANK], dv[PF_H5_MAX_RANK];
        int r1, r2, r3;
        TRY(pf_h5_get_attr_int64(h, "/response", "nt", &nt, st));
        TRY(pf_h5_get_attr_int64(h, "/response", "nz", &nz, st));
        int64_t pnt = 0, pnz = 0; /* the high-x patch's rows follow the main grid's */
        if (pf_h5_exists(h, "/response/patch_t_nodes")) {
            TRY(pf_h5_get_attr_int64(h, "/response", "patch_nt", &pnt, st));
            TRY(pf_h5_get_attr_int64(h, "/response", "patch_nz", &pnz, st));
            if (pnt < 4 || pnz < 4 || pnt > (1 << 20) || pnz > nz) {
                rc = pf_status_set(st, PF_EFORMAT,
                                   "%s: /response attributes patch_nt = %lld, patch_nz = %lld: expected at least 4 "
                                   "each and patch_nz <= nz = %lld", path, (long long)pnt, (long long)pnz, (long long)nz);
                goto done;
            }
        }
        TRY(pf_h5_read(h, "/response/row_ptr", PF_H5_UINT64, &r1, dp, (void **)&mptr, st));
        TRY(pf_h5_read(h, "/response/col", PF_H5_INT32, &r2, dc, (void **)&mcol, st));
        TRY(pf_h5_read(h, "/response/val", PF_H5_DOUBLE, &r3, dv, (void **)&mval, st));
        if (nt < 4 || nz < 4 || nt > (1 << 20) || nz > (1 << 20) || r1 != 1 || r2 != 1 || r3 != 1 ||
            dp[0] != (size_t)(PF_NOBS * (nt + pnt) * nz) + 1 || dc[0] != dv[0] || mptr[0] != 0 ||
            mptr[dp[0] - 1] != dc[0]) {
            rc = pf_status_set(st, PF_EFORMAT,
                               "%s: /response is inconsistent (expected row_ptr of 2 (nt + patch_nt) nz + 1 = %lld "
                               "entries from 0 to the length of col and val)",
                               path, (long long)(PF_NOBS * (nt + pnt) * nz) + 1);
            goto done;
        }
        TRY(pf_h5_check_values(h, &like_schema, "/response/col", PF_H5_INT32, mcol, 0, dc[0], &sym, st));
        TRY(pf_h5_check_values(h, &like_schema, "/response/val", PF_H5_DOUBLE, mval, 0, dv[0], &sym, st));
        nF = dp[0] - 1;
        for (size_t k = 0; k < nF; k++)
            if (mptr[k + 1] < mptr[k]) {
                rc = pf_status_set(st, PF_EFORMAT, "%s: /response/row_ptr decreases at row %zu", path, k);
                goto done;
            }
    }
    if (nF && pf_h5_exists(h, "/events/exact_index")) {
        /* the events that keep exact CSR rows on G (like.h): index and row_ptr are read
         * whole (they are a few per cent of the events) and checked on every rank, the
         * weights only for this rank's events */
        size_t dx[PF_H5_MAX_RANK], dcol[PF_H5_MAX_RANK];
        uint64_t *all = NULL, *arp = NULL;
        TRY(pf_h5_expect(h, "/events/exact_index", PF_H5_INTEGER_CLASS, 1, NULL, NULL, dx, st));
        const size_t nx = dx[0], dr[1] = {nx + 1};
        TRY(pf_h5_expect(h, "/events/row_ptr", PF_H5_INTEGER_CLASS, 1, dr, "the length of /events/exact_index + 1",
                         NULL, st));
        TRY(pf_h5_expect(h, "/events/col", PF_H5_INTEGER_CLASS, 1, NULL, NULL, dcol, st));
        TRY(pf_h5_expect(h, "/events/val", PF_H5_FLOAT_CLASS, 1, dcol, "the length of /events/col", NULL, st));
        rc = pf_h5_read(h, "/events/exact_index", PF_H5_UINT64, &rk, dims, (void **)&all, st);
        if (!rc) rc = pf_h5_read(h, "/events/row_ptr", PF_H5_UINT64, &rk, dims, (void **)&arp, st);
        size_t lo = nx, hi = nx;
        for (size_t k = 0; k < nx && !rc; k++) {
            if (all[k] >= info->nevents || (k && all[k] <= all[k - 1]))
                rc = pf_status_set(st, PF_EFORMAT, "%s: dataset /events/exact_index row %zu: expected an increasing "
                                   "event index below n_events = %zu, got %llu", path, k, info->nevents,
                                   (unsigned long long)all[k]);
            if (all[k] >= b && lo == nx) lo = k;
            if (all[k] >= e && hi == nx) hi = k;
        }
        if (hi < lo) hi = lo;
        for (size_t k = 0; k <= nx && !rc; k++)
            if ((k == 0 && arp[0] != 0) || (k > 0 && arp[k] < arp[k - 1]) || (k == nx && arp[k] != dcol[0]))
                rc = pf_status_set(st, PF_EFORMAT, "%s: dataset /events/row_ptr row %zu: expected non-decreasing "
                                   "offsets from 0 to %zu (the length of /events/col), got %llu", path, k, dcol[0],
                                   (unsigned long long)arp[k]);
        if (!rc) {
            xn = hi - lo;
            const uint64_t k0 = arp[lo], nnz = arp[hi] - arp[lo];
            xev = malloc((xn ? xn : 1) * sizeof *xev);
            xptr = malloc((xn + 1) * sizeof *xptr);
            xcol = malloc((nnz ? nnz : 1) * sizeof *xcol);
            xval = malloc((nnz ? nnz : 1) * sizeof *xval);
            if (!xev || !xptr || !xcol || !xval)
                rc = pf_status_set(st, PF_ENOMEM, "%s: cannot allocate %zu exact rows", path, xn);
            for (size_t k = 0; !rc && k < xn; k++) xev[k] = all[lo + k] - b;
            for (size_t k = 0; !rc && k <= xn; k++) xptr[k] = arp[lo + k] - k0;
            if (!rc && nnz) rc = pf_h5_read_rows(h, "/events/col", PF_H5_INT32, k0, nnz, xcol, st);
            if (!rc && nnz) rc = pf_h5_read_rows(h, "/events/val", PF_H5_DOUBLE, k0, nnz, xval, st);
            for (uint64_t k = 0; !rc && k < nnz; k++)
                if ((int32_t)xcol[k] < 0 || (size_t)(int32_t)xcol[k] >= info->ngrid)
                    rc = pf_status_set(st, PF_EFORMAT, "%s: dataset /events/col entry %llu: expected a grid index "
                                       "0 .. %zu, got %d", path, (unsigned long long)(k0 + k), info->ngrid - 1,
                                       (int32_t)xcol[k]);
        }
        free(all);
        free(arp);
        if (rc) goto done;
    }
    if (stencil) {
        /* factored rows of the perfect detector, or of the response operator's F */
        TRY(pf_h5_get_attr_int64(h, "/events", "stencil_nx", &snx, st));
        if (snx < 1 || (uint64_t)snx > info->ngrid)
            BAD("%s: attribute /events stencil_nx: expected 1 .. ngrid = %zu, got %lld", path, info->ngrid,
                (long long)snx);
        /* compact rows (/events/stencil_local: the response operator's, and the perfect
         * detector's with /events/stencil_xf and stencil_xpow), kept compact: the pass
         * expands them per event (like_data.h) */
        const int local = pf_h5_exists(h, "/events/stencil_local");
        const int xfac = local && !nF && pf_h5_exists(h, "/events/stencil_xf");
        if (local && !nF && !xfac)
            BAD("%s: dataset /events/stencil_local of a perfect-detector file needs /events/stencil_xf and "
                "/events/stencil_xpow", path);
        if (!local && !pf_h5_exists(h, "/events/stencil_w"))
            BAD("%s: no dataset /events/stencil_w (nor /events/stencil_local)", path);
        col = malloc((n ? n : 1) * sizeof *col);
        if (local) loc = malloc((n ? n : 1) * PF_LIKE_STL * sizeof *loc);
        else val = malloc((n ? n : 1) * PF_LIKE_STW * sizeof *val);
        if (xfac) xf = malloc((n ? n : 1) * sizeof *xf), xpow = malloc((size_t)snx * sizeof *xpow);
        if (!col || !(local ? loc != NULL : val != NULL) || (xfac && (!xf || !xpow))) {
            rc = pf_status_set(st, PF_ENOMEM, "%s: cannot allocate %zu event rows", path, n);
            goto done;
        }
        pf_fit_advise_huge(col, n * sizeof *col);
        if (local) pf_fit_advise_huge(loc, n * PF_LIKE_STL * sizeof *loc);
        else pf_fit_advise_huge(val, n * PF_LIKE_STW * sizeof *val);
        if (xfac) {
            const size_t dx[1] = {(size_t)snx};
            TRY(pf_h5_expect(h, "/events/stencil_xpow", PF_H5_FLOAT_CLASS, 1, dx, "stencil_nx", NULL, st));
            TRY(pf_h5_read_rows(h, "/events/stencil_xpow", PF_H5_DOUBLE, 0, (size_t)snx, xpow, st));
            for (int64_t k = 0; k < snx; k++)
                if (!(isfinite(xpow[k]) && xpow[k] > 0.0))
                    BAD("%s: dataset /events/stencil_xpow entry %lld: expected a finite factor > 0, got %g", path,
                        (long long)k, xpow[k]);
        }
        if (n) {
            TRY(pf_h5_read_rows(h, "/events/stencil_base", PF_H5_INT32, b, n, col, st));
            /* the bases are checked before anything is indexed with them (the expansion below
             * reads xpow at the stencil's first column): the 4 x 4 stencil of (F2, FL) pairs
             * spans 3 rows of nx pairs plus 4 pairs, starts at an F2 value (even) and its 4
             * columns lie in one row of the grid */
            const uint64_t span = (3 * (uint64_t)snx + 4) * 2, nv = nF ? nF : info->ngrid;
            if (nF) {
                for (size_t i = 0; i < n; i++)
                    if ((int32_t)col[i] < 0 || (uint64_t)(int32_t)col[i] + span > nv)
                        BAD("%s: dataset /events/stencil_base row %zu: expected a response-grid index 0 .. %lld "
                            "(its stencil of %llu values inside nF = %llu), got %d", path, b + i,
                            (long long)nv - (long long)span, (unsigned long long)span, (unsigned long long)nv,
                            (int32_t)col[i]);
            } else {
                TRY(pf_h5_sym_set(&sym, "stencil_end", span <= nv ? nv - span + 1 : 0, st));
                TRY(pf_h5_check_values(h, &like_schema, "/events/stencil_base", PF_H5_INT32, col, b, n, &sym, st));
            }
            for (size_t i = 0; i < n; i++)
                if (col[i] % 2 || (col[i] / 2) % (uint64_t)snx + 4 > (uint64_t)snx)
                    BAD("%s: dataset /events/stencil_base row %zu: expected the even index of an F2 value whose "
                        "stencil's 4 columns lie in one grid row (column 0 .. %lld of stencil_nx = %lld), got %d "
                        "(column %llu)", path, b + i, (long long)snx - 4, (long long)snx, (int32_t)col[i],
                        (unsigned long long)((col[i] / 2) % (uint64_t)snx));
            if (local) {
                TRY(pf_h5_read_rows(h, "/events/stencil_local", PF_H5_DOUBLE, b, n, loc, st));
                if (xfac) TRY(pf_h5_read_rows(h, "/events/stencil_xf", PF_H5_DOUBLE, b, n, xf, st));
                /* every row checked (threads: any order), the first bad one named */
                long bad = -1;
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static) reduction(max : bad)
#endif
                for (size_t i = 0; i < n; i++)
                    if (!local_row_ok(loc + i * PF_LIKE_STL) || (xfac && !(isfinite(xf[i]) && xf[i] > 0.0)))
                        bad = 1;
                if (bad >= 0)
                    for (size_t i = 0; i < n; i++) {
                        const double *li = loc + i * PF_LIKE_STL;
                        if (!local_row_ok(li))
                            BAD("%s: dataset /events/stencil_local row %zu: expected local coordinates in [-1, 2] "
                                "and finite factors (the first >= 0), got (%g, %g, %g, %g)", path, b + i, li[0],
                                li[1], li[2], li[3]);
                        if (xfac && !(isfinite(xf[i]) && xf[i] > 0.0))
                            BAD("%s: dataset /events/stencil_xf row %zu: expected a finite factor > 0, got %g", path,
                                b + i, xf[i]);
                    }
            } else {
                TRY(pf_h5_read_rows(h, "/events/stencil_w", PF_H5_DOUBLE, b, n, val, st));
            }
        }
    } else if (rows) {
        /* CSR: row_ptr is read whole (8 bytes per event) so that every rank checks all of it */
        uint64_t *all = NULL;
        const size_t dr[1] = {info->nevents + 1};
        if (pf_h5_exists(h, "/events/row_ptr"))
            TRY(pf_h5_expect(h, "/events/row_ptr", PF_H5_INTEGER_CLASS, 1, dr, "n_events + 1", NULL, st));
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
    info->response = nF > 0;
    if (n) TRY(pf_h5_read_rows(h, "/events/bin", PF_H5_INT32, b, n, bin, st));
    if (info->nbins) TRY(pf_h5_check_values(h, &like_schema, "/events/bin", PF_H5_INT32, bin, b, n, &sym, st));
    if (card_yaml) {
        const char *y = pf_h5_card_yaml(h);
        *card_yaml = y ? strdup(y) : NULL;
    }
    pf_like_data d = {.ngrid = info->ngrid, .nevents_total = info->nevents, .first_event = b, .nevents = n,
                      .row_ptr = stencil || !rows ? NULL : rp, .col = stencil ? NULL : col, .val = stencil ? NULL : val,
                      .st_base = stencil ? col : NULL, .st_w = stencil ? val : NULL, .st_loc = loc, .st_xf = xf,
                      .st_xpow = xpow, .st_nx = (size_t)snx, .st_expand = loc && expand_rows(n), .nF = nF, .m_ptr = mptr, .m_col = mcol, .m_val = mval, .x_n = xn, .x_event = xev, .x_ptr = xptr, .x_col = xcol, .x_val = xval, .bin = info->nbins ? bin : NULL, .c = c,
                      .luminosity = info->luminosity, .nbins = info->nbins, .H = H, .binned_only = !rows};
    lk = pf_like_create_take(&d, st);
    rc = lk ? PF_OK : st->code;
    if (lk && (nnz_read || (stencil && n))) col = NULL, val = NULL, loc = NULL, xf = NULL; /* now the likelihood's (take) */
    if (rc) pf_status_prefix(st, "%s: ", path);
done:
    pf_h5_close(h);
    free(rp); free(col); free(val); free(loc); free(xf); free(xpow); free(mptr); free(mcol); free(mval); free(xev); free(xptr); free(xcol); free(xval); free(c); free(H); free(edges); free(bin); free(det);
    if (rc && lk) {
        pf_like_destroy(lk);
        lk = NULL;
    }
    return lk;
}
