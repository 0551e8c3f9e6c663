/* partonflow io: structural checks of a dataset before its payload is used (rank, lengths,
 * class).  The checksum proves a file was not damaged, not that a tool that rewrote it
 * kept its shape; these checks turn such files into messages (docs/artefacts.md,
 * "Validation"). */
#include <stdio.h>
#include <string.h>

#include "h5_impl.h"

static void dims_text(char *buf, size_t len, int rank, const hsize_t *d)
{
    size_t o = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < rank && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%llu", i ? " x " : "", (unsigned long long)d[i]);
    if (o < len) snprintf(buf + o, len - o, "]");
}

static const char *class_name(pf_h5_class c)
{
    return c == PF_H5_FLOAT_CLASS ? "floating-point" : c == PF_H5_INTEGER_CLASS ? "integer" : "numeric";
}

int pf_h5_expect(pf_h5 *h, const char *dset, pf_h5_class cls, int rank, const size_t *dims, const char *why,
                 size_t *got, pf_status *st)
{
    if (!h || !dset || dset[0] != '/' || !pf_h5_exists(h, dset))
        return pf_status_set(st, PF_EFORMAT, "%s: no dataset %s", h ? h->path : "(null)", dset ? dset : "(null)");
    hid_t d = H5Dopen2(h->file, dset, H5P_DEFAULT);
    if (d < 0) return pf_status_set(st, PF_EFORMAT, "%s: %s is not a dataset", h->path, dset);
    hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
    const H5T_class_t c = H5Tget_class(t);
    const int r = H5Sget_simple_extent_ndims(sp);
    hsize_t hd[PF_H5_MAX_RANK] = {0};
    if (r >= 0 && r <= PF_H5_MAX_RANK) H5Sget_simple_extent_dims(sp, hd, NULL);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
    char gt[128], ex[128];
    if (r < 0 || r > PF_H5_MAX_RANK || r != rank) {
        if (r >= 0 && r <= PF_H5_MAX_RANK) dims_text(gt, sizeof gt, r, hd);
        else snprintf(gt, sizeof gt, "(unreadable shape)");
        return pf_status_set(st, PF_EFORMAT, "%s: dataset %s: expected rank %d%s, got rank %d %s", h->path, dset, rank,
                             rank == 1 ? " (one value per row)" : "", r, gt);
    }
    const int ok_class = (c == H5T_FLOAT || c == H5T_INTEGER) &&
                         (cls == PF_H5_ANY_CLASS || (cls == PF_H5_FLOAT_CLASS && c == H5T_FLOAT) ||
                          (cls == PF_H5_INTEGER_CLASS && c == H5T_INTEGER));
    if (!ok_class)
        return pf_status_set(st, PF_EFORMAT, "%s: dataset %s: expected %s values, got %s", h->path, dset,
                             class_name(cls), c == H5T_FLOAT ? "floating-point" : c == H5T_INTEGER ? "integers"
                                                                                 : c == H5T_STRING ? "strings"
                                                                                                    : "another type");
    for (int i = 0; dims && i < rank; i++)
        if (dims[i] != PF_H5_ANY_LEN && (size_t)hd[i] != dims[i]) {
            hsize_t e[PF_H5_MAX_RANK];
            for (int k = 0; k < rank; k++) e[k] = dims[k] == PF_H5_ANY_LEN ? hd[k] : (hsize_t)dims[k];
            dims_text(ex, sizeof ex, rank, e);
            dims_text(gt, sizeof gt, rank, hd);
            return pf_status_set(st, PF_EFORMAT, "%s: dataset %s: expected shape %s%s%s%s, got %s", h->path, dset, ex,
                                 why ? " (" : "", why ? why : "", why ? ")" : "", gt);
        }
    for (int i = 0; got && i < PF_H5_MAX_RANK; i++) got[i] = i < r ? (size_t)hd[i] : 0;
    return PF_OK;
}
