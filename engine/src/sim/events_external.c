/* Events from other producers (sim.h, docs/artefacts.md "External events"): an HDF5 file
 * written by another generator, an experiment's simulation or from data, with a minimal
 * schema and no partonflow /meta.  Checked field by field (pf_h5_check) and value by value;
 * what prepare needs is returned: the events inside the analysis cuts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "partonflow/h5.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/sim.h"

static const pf_h5_field ext_fields[] = {
    {.path = "/@format_version", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_RANGE, .lo = 1, .hi = 1,
     .what = "format version"},
    {.path = "/events@luminosity_pb", .cls = PF_H5_FLOAT_CLASS, .rules = PF_H5_POSITIVE,
     .what = "integrated luminosity (pb^-1)"},
    {.path = "/events@sqrt_s_gev", .cls = PF_H5_FLOAT_CLASS, .rules = PF_H5_POSITIVE,
     .what = "centre-of-mass energy (GeV)"},
    {.path = "/events/x_rec", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_events"},
     .rules = PF_H5_RANGE, .lo = 0.0, .hi = 1.0, .what = "Bjorken x"},
    {.path = "/events/q2_rec", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_events"},
     .rules = PF_H5_RANGE, .lo = 0.0, .hi = 1e12, .what = "Q2 in GeV^2"},
    {.path = "/events/x_true", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_events"},
     .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 0.0, .hi = 1.0, .what = "Bjorken x"},
    {.path = "/events/q2_true", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_events"},
     .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 0.0, .hi = 1e12, .what = "Q2 in GeV^2"},
    {.path = "/events/weight", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_events"},
     .rules = PF_H5_OPTIONAL | PF_H5_RANGE, .lo = 1.0, .hi = 1.0,
     .what = "1 (unweighted events: unweight a weighted sample first)"},
};
const pf_h5_schema pf_events_external_schema = {PF_EVENTS_EXTERNAL_FORMAT, ext_fields,
                                                sizeof ext_fields / sizeof *ext_fields};

/* the whole dataset as doubles, with the schema's value rules */
static int read_checked(pf_h5 *h, const char *dset, size_t n, const pf_h5_syms *sym, double **out, pf_status *st)
{
    int rk;
    size_t dims[PF_H5_MAX_RANK];
    *out = NULL;
    int rc = pf_h5_read(h, dset, PF_H5_DOUBLE, &rk, dims, (void **)out, st);
    if (!rc) rc = pf_h5_check_values(h, &pf_events_external_schema, dset, PF_H5_DOUBLE, *out, 0, n, sym, st);
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

static int units_are(pf_h5 *h, const char *dset, const char *want, pf_status *st)
{
    char *u = NULL;
    pf_status none;
    if (pf_h5_get_attr_string(h, dset, "units", &u, &none))
        return pf_status_set(st, PF_EFORMAT, "%s: dataset %s: no attribute 'units' (expected '%s')", pf_h5_path(h), dset,
                             want);
    const int ok = !strcmp(u, want);
    if (!ok) pf_status_set(st, PF_EFORMAT, "%s: dataset %s: attribute units: expected '%s', got '%s'", pf_h5_path(h), dset,
                           want, u);
    free(u);
    return ok ? PF_OK : PF_EFORMAT;
}

int pf_events_external_read(const char *path, const double cuts[PF_NCUTS], double s, pf_events_external *e,
                            pf_status *st)
{
    memset(e, 0, sizeof *e);
    double *x = NULL, *q2 = NULL, *w = NULL;
    char *fmt = NULL, *prod = NULL, *desc = NULL;
    pf_h5 *h = pf_h5_open_foreign(path, st);
    if (!h) return st->code;
    int rc = PF_OK;
    if (pf_h5_exists(h, "/meta")) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: has /meta: a partonflow artefact, not an external events file", path);
        goto done;
    }
    if (pf_h5_get_attr_string(h, "/", "format", &fmt, st)) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: no root attribute 'format' (expected '%s', docs/artefacts.md "
                           "\"External events\")", path, PF_EVENTS_EXTERNAL_FORMAT);
        goto done;
    }
    if (strcmp(fmt, PF_EVENTS_EXTERNAL_FORMAT)) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: root attribute format: expected '%s', got '%s'", path,
                           PF_EVENTS_EXTERNAL_FORMAT, fmt);
        goto done;
    }
    pf_h5_syms sym = {0};
    if ((rc = pf_h5_check(h, &pf_events_external_schema, &sym, st))) goto done;
    /* provenance: who made the events, in words (both required, non-empty) */
    if (pf_h5_get_attr_string(h, "/events", "producer", &prod, st) || !prod[0] ||
        pf_h5_get_attr_string(h, "/events", "description", &desc, st) || !desc[0]) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: attributes /events producer and description: expected non-empty strings "
                           "(the generator or experiment and its version; what the sample is)", path);
        goto done;
    }
    snprintf(e->producer, sizeof e->producer, "%s", prod);
    snprintf(e->description, sizeof e->description, "%s", desc);
    if ((rc = units_are(h, "/events/q2_rec", "GeV^2", st))) goto done;
    if (pf_h5_exists(h, "/events/q2_true") && (rc = units_are(h, "/events/q2_true", "GeV^2", st))) goto done;
    if ((rc = pf_h5_get_attr_double(h, "/events", "luminosity_pb", &e->luminosity_pb, st))) goto done;
    if ((rc = pf_h5_get_attr_double(h, "/events", "sqrt_s_gev", &e->sqrt_s_gev, st))) goto done;
    if (fabs(e->sqrt_s_gev * e->sqrt_s_gev / s - 1.0) > 1e-6) {
        rc = pf_status_set(st, PF_EINVAL, "%s: attribute /events sqrt_s_gev: expected %.9g GeV (the theory's beams), "
                           "got %.9g", path, sqrt(s), e->sqrt_s_gev);
        goto done;
    }
    uint64_t n = 0;
    if ((rc = pf_h5_sym_get(&sym, "n_events", &n, st))) goto done;
    e->n_file = (size_t)n;
    if ((rc = read_checked(h, "/events/x_rec", e->n_file, &sym, &x, st))) goto done;
    if ((rc = read_checked(h, "/events/q2_rec", e->n_file, &sym, &q2, st))) goto done;
    if (pf_h5_exists(h, "/events/weight") && (rc = read_checked(h, "/events/weight", e->n_file, &sym, &w, st))) goto done;
    e->has_true = pf_h5_exists(h, "/events/x_true") && pf_h5_exists(h, "/events/q2_true");
    if (e->has_true) { /* checked (ranges, NaN), not used by the fit */
        double *t = NULL;
        if ((rc = read_checked(h, "/events/x_true", e->n_file, &sym, &t, st))) goto done;
        free(t);
        if ((rc = read_checked(h, "/events/q2_true", e->n_file, &sym, &t, st))) goto done;
        free(t);
    }
    /* the events inside the analysis cuts, in file order */
    size_t k = 0;
    for (size_t i = 0; i < e->n_file; i++)
        if (pf_kin_in_cuts(cuts, x[i], q2[i], s)) {
            x[k] = x[i];
            q2[k] = q2[i];
            k++;
        }
    e->n = k;
    e->x_rec = x;
    e->q2_rec = q2;
    x = q2 = NULL;
    e->checksum = pf_h5_checksum(h);
done:
    free(x); free(q2); free(w);
    free(fmt); free(prod); free(desc);
    pf_h5_close(h);
    return rc;
}

void pf_events_external_free(pf_events_external *e)
{
    if (!e) return;
    free(e->x_rec);
    free(e->q2_rec);
    e->x_rec = e->q2_rec = NULL;
}
