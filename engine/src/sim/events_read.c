/* Reading events.h5 made by `partonflow simulate` (sim.h pf_events_sim_*; docs/artefacts.md
 * "events.h5"): the simulation layer owns its artefact's reader as it owns the writer
 * (events.c), so that prepare, the Python package and any other consumer check the same
 * schema with the same messages.  Columns are read on demand (pf_events_sim_read_rec): a
 * 1e8-event file is never held whole. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "partonflow/h5.h"
#include "partonflow/sim.h"

int pf_events_is_external(const char *path)
{
    /* without pf_h5_open_foreign: that hashes the whole payload, a second full read of
     * a large events.h5 before its own open */
    if (H5Fis_hdf5(path) <= 0) return 0;
    hid_t f = -1;
    H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); }
    H5E_END_TRY;
    if (f < 0) return 0;
    htri_t meta = 0;
    H5E_BEGIN_TRY { meta = H5Lexists(f, "/meta", H5P_DEFAULT); }
    H5E_END_TRY;
    H5Fclose(f);
    return meta == 0;
}

void pf_events_sim_close(pf_events_sim *e)
{
    if (!e) return;
    pf_h5_close(e->h);
    free(e->accepted);
    memset(e, 0, sizeof *e);
}

/* /events attribute `generation` when present (simulate writes it) */
static int read_generation(pf_events_sim *e, const char *path, pf_status *st)
{
    double *g = NULL;
    size_t ng = 0;
    pf_status none;
    if (pf_h5_get_attr_doubles(e->h, "/events", "generation", &g, &ng, &none)) return PF_OK;
    int bad = ng != PF_NCUTS;
    for (size_t k = 0; !bad && k < ng; k++) bad = !isfinite(g[k]);
    if (!bad) memcpy(e->generation, g, sizeof(double) * PF_NCUTS);
    free(g);
    if (bad)
        return pf_status_set(st, PF_EFORMAT, "%s: attribute /events generation: expected %d finite values "
                             "(q2_min, q2_max, x_min, x_max, y_min, y_max, w2_min), got %zu", path, PF_NCUTS, ng);
    e->has_generation = 1;
    return PF_OK;
}

static int read_meta(pf_events_sim *e, const char *path, pf_status *st)
{
    pf_h5 *ev = e->h;
    pf_h5_syms sym = {0};
    uint64_t n = 0;
    /* the columns prepare reads, checked before any is read (docs/artefacts.md,
     * "Validation"): the declarative schema of events.h5 */
    if (pf_h5_check(ev, &pf_sim_events_schema, &sym, st) || pf_h5_sym_get(&sym, "n_generated", &n, st))
        return st->code;
    e->n_file = (size_t)n;
    /* the schema checks luminosity_pb: the fit's L c . G needs L > 0 */
    if (pf_h5_get_attr_double(ev, "/events", "luminosity_pb", &e->luminosity_pb, st)) return st->code;
    pf_status ignore;
    int64_t sseed;
    if (!pf_h5_get_attr_uint64(ev, "/events", "seed", &e->seed, &ignore)) {
    } else if (!pf_h5_get_attr_int64(ev, "/events", "seed", &sseed, &ignore)) e->seed = (uint64_t)sseed;
    {   /* read wide, so that a stored -1 or 256 is seen as such, not converted to 0 or 255 */
        int64_t *a64 = NULL;
        int rk;
        size_t dims[PF_H5_MAX_RANK];
        if (pf_h5_read(ev, "/events/accepted", PF_H5_INT64, &rk, dims, (void **)&a64, st)) return st->code;
        if (pf_h5_check_values(ev, &pf_sim_events_schema, "/events/accepted", PF_H5_INT64, a64, 0, e->n_file, &sym,
                               st)) {
            free(a64);
            return st->code;
        }
        e->accepted = malloc(e->n_file ? e->n_file : 1);
        for (size_t i = 0; e->accepted && i < e->n_file; i++) e->accepted[i] = (uint8_t)a64[i];
        free(a64);
        if (!e->accepted) return pf_status_set(st, PF_ENOMEM, "cannot read %zu events", e->n_file);
    }
    e->n_accepted = 0;
    for (size_t i = 0; i < e->n_file; i++) e->n_accepted += e->accepted[i];
    return read_generation(e, path, st);
}

int pf_events_sim_open(const char *path, pf_events_sim *e, pf_status *st)
{
    memset(e, 0, sizeof *e);
    e->h = pf_h5_open(path, "partonflow.events", 1, st);
    if (!e->h) return st->code;
    pf_h5 *ev = e->h;
    if (pf_h5_get_attr_uint64(ev, "/events", "theory_checksum", &e->theory_checksum, st) &&
        pf_h5_get_attr_uint64(ev, "/", "theory_checksum", &e->theory_checksum, st))
        goto fail;
    const char *yaml = pf_h5_card_yaml(ev);
    if (!yaml) {
        pf_status_set(st, PF_EFORMAT, "%s: no card in /meta", path);
        goto fail;
    }
    if (pf_card_parse(yaml, strlen(yaml), path, &e->card, st)) goto fail;
    e->checksum = pf_h5_checksum(ev);
    if (read_meta(e, path, st)) goto fail;
    return PF_OK;
fail:
    pf_events_sim_close(e);
    return st->code;
}

int pf_events_sim_read_rec(pf_events_sim *e, const size_t *rows, size_t n, double *x_rec, double *q2_rec,
                           pf_status *st)
{
    if (!n) return PF_OK;
    /* one contiguous read of the span (rows ascending), then the selection */
    const size_t g0 = rows[0], g1 = rows[n - 1] + 1;
    double *buf = malloc((g1 - g0) * sizeof *buf);
    if (!buf) return pf_status_set(st, PF_ENOMEM, "cannot read %zu events", g1 - g0);
    int rc = pf_h5_read_rows(e->h, "/events/x_rec", PF_H5_DOUBLE, g0, g1 - g0, buf, st);
    for (size_t i = 0; !rc && i < n; i++) x_rec[i] = buf[rows[i] - g0];
    if (!rc) rc = pf_h5_read_rows(e->h, "/events/q2_rec", PF_H5_DOUBLE, g0, g1 - g0, buf, st);
    for (size_t i = 0; !rc && i < n; i++) q2_rec[i] = buf[rows[i] - g0];
    free(buf);
    return rc;
}
