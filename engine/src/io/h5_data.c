/* partonflow io: datasets and attributes of artefact files (serial and collective MPI-IO). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "h5_impl.h"
#include "partonflow/par.h"

size_t pf_h5_type_size(pf_h5_type type)
{
    switch (type) {
    case PF_H5_DOUBLE: return 8;
    case PF_H5_FLOAT: return 4;
    case PF_H5_INT32: return 4;
    case PF_H5_INT64: return 8;
    case PF_H5_UINT64: return 8;
    case PF_H5_UINT8: return 1;
    }
    return 0;
}

static hid_t mem_type(pf_h5_type t)
{
    switch (t) {
    case PF_H5_DOUBLE: return H5T_NATIVE_DOUBLE;
    case PF_H5_FLOAT: return H5T_NATIVE_FLOAT;
    case PF_H5_INT32: return H5T_NATIVE_INT32;
    case PF_H5_INT64: return H5T_NATIVE_INT64;
    case PF_H5_UINT64: return H5T_NATIVE_UINT64;
    case PF_H5_UINT8: return H5T_NATIVE_UINT8;
    }
    return H5I_INVALID_HID;
}

/* Stored little-endian whatever the host, so files are the same everywhere. */
static hid_t file_type(pf_h5_type t)
{
    switch (t) {
    case PF_H5_DOUBLE: return H5T_IEEE_F64LE;
    case PF_H5_FLOAT: return H5T_IEEE_F32LE;
    case PF_H5_INT32: return H5T_STD_I32LE;
    case PF_H5_INT64: return H5T_STD_I64LE;
    case PF_H5_UINT64: return H5T_STD_U64LE;
    case PF_H5_UINT8: return H5T_STD_U8LE;
    }
    return H5I_INVALID_HID;
}

/* ---------------------------------------------------------------- groups ----------- */

/* 1 if every component of path exists (no error for a missing intermediate). */
static int path_exists(hid_t file, const char *path)
{
    if (!strcmp(path, "/"))
        return 1;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (H5Lexists(file, buf, H5P_DEFAULT) <= 0)
                return 0;
            *p = c;
            if (!c)
                return 1;
        }
    }
}

static int make_groups(hid_t file, const char *fname, const char *path, int include_last, pf_status *st)
{
    char buf[1024];
    if (path[0] != '/' || strlen(path) >= sizeof buf)
        return pf_status_set(st, PF_EINVAL, "%s: object path '%s' must be absolute and shorter than %zu", fname, path,
                             sizeof buf);
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        int last = 0;
        if (*p != '/' && p[1] != '\0')
            continue;
        if (*p != '/') { /* last component */
            if (!include_last)
                break;
            last = 1;
            p++;
        }
        char c = *p;
        *p = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
            hid_t gcpl = pf_h5_gcpl();
            hid_t g = H5Gcreate2(file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
            H5Pclose(gcpl);
            if (g < 0) {
                char e[256];
                return pf_status_set(st, PF_EIO, "%s: cannot create group %s (%s)", fname, buf, pf_h5_errmsg(e));
            }
            H5Gclose(g);
        }
        *p = c;
        if (last)
            break;
    }
    return PF_OK;
}

int pf_h5_make_parents(hid_t file, const char *fname, const char *path, pf_status *st)
{
    return make_groups(file, fname, path, 0, st);
}

hid_t pf_h5_open_or_create_obj(hid_t file, const char *fname, const char *obj_path, pf_status *st)
{
    if (strcmp(obj_path, "/") && !path_exists(file, obj_path) && make_groups(file, fname, obj_path, 1, st))
        return H5I_INVALID_HID;
    hid_t o = H5Oopen(file, obj_path, H5P_DEFAULT);
    if (o < 0) {
        char e[256];
        pf_status_set(st, PF_EIO, "%s: cannot open object %s (%s)", fname, obj_path, pf_h5_errmsg(e));
    }
    return o;
}

int pf_h5_set_deflate(pf_h5 *h, int level, pf_status *st)
{
    if (!h || !h->writing || level < 0 || level > 9)
        return pf_status_set(st, PF_EINVAL, "pf_h5_set_deflate: expected a writer and a level 0..9, got %d", level);
    h->deflate = level;
    return PF_OK;
}

int pf_h5_exists(pf_h5 *h, const char *obj) { return h && obj && obj[0] == '/' && path_exists(h->file, obj); }

/* ---------------------------------------------------------------- writing ---------- */

static int add_pending(pf_h5 *h, const char *obj, const char *name, int kind, const void *value, size_t n,
                       pf_status *st)
{
    if (!h->writing)
        return pf_status_set(st, PF_EINVAL, "%s: attribute %s of %s: the file is open for reading", h->path, name, obj);
    if (!obj || obj[0] != '/' || !name || !name[0])
        return pf_status_set(st, PF_EINVAL, "%s: attribute needs an absolute object path and a name", h->path);
    if (h->nattrs == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 16;
        pf_h5_pending *a = realloc(h->attrs, cap * sizeof *a);
        if (!a)
            return pf_status_set(st, PF_ENOMEM, "%s: out of memory", h->path);
        h->attrs = a;
        h->cap = cap;
    }
    size_t bytes = kind == PF_ATTR_STRING ? strlen(value) + 1 : n * 8;
    pf_h5_pending *p = &h->attrs[h->nattrs];
    p->obj = strdup(obj);
    p->name = strdup(name);
    p->value = malloc(bytes ? bytes : 1);
    p->kind = kind;
    p->n = kind == PF_ATTR_STRING ? 1 : n;
    if (!p->obj || !p->name || !p->value) {
        free(p->obj), free(p->name), free(p->value);
        return pf_status_set(st, PF_ENOMEM, "%s: out of memory", h->path);
    }
    memcpy(p->value, value, bytes);
    h->nattrs++;
    return PF_OK;
}

static hid_t make_dcpl(pf_h5_type type, int rank, const size_t *dims, int deflate)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    /* early allocation is what parallel HDF5 does anyway; doing it always gives the same
     * file layout for 1 and N ranks */
    H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    size_t row = pf_h5_type_size(type), nrows = rank > 0 ? dims[0] : 1;
    for (int i = 1; i < rank; i++)
        row *= dims[i];
    if (rank >= 1 && nrows > 0 && row > 0 && (double)row * (double)nrows >= PF_H5_CHUNK_MIN_BYTES) {
        hsize_t chunk[PF_H5_MAX_RANK];
        size_t rows = PF_H5_CHUNK_TARGET_BYTES / row;
        chunk[0] = rows < 1 ? 1 : rows > nrows ? nrows : rows;
        for (int i = 1; i < rank; i++)
            chunk[i] = dims[i] > 0 ? dims[i] : 1;
        H5Pset_chunk(dcpl, rank, chunk);
        if (deflate > 0) {
            H5Pset_shuffle(dcpl); /* byte shuffle: doubles compress far better */
            H5Pset_deflate(dcpl, (unsigned)deflate);
        }
    }
    return dcpl;
}

/* Opens dset, or creates it (collectively) when missing; checks type and dims. */
static hid_t open_or_create_dataset(pf_h5 *h, const char *dset, pf_h5_type type, int rank, const size_t *dims,
                                    const char *units, pf_status *st)
{
    char e[256];
    if (path_exists(h->file, dset)) {
        hid_t d = H5Dopen2(h->file, dset, H5P_DEFAULT);
        if (d < 0) {
            pf_status_set(st, PF_EINVAL, "%s: %s exists and is not a dataset", h->path, dset);
            return H5I_INVALID_HID;
        }
        hid_t sp = H5Dget_space(d), ft = H5Dget_type(d);
        hsize_t cur[PF_H5_MAX_RANK] = {0};
        int r = H5Sget_simple_extent_dims(sp, cur, NULL);
        int same = r == rank && H5Tequal(ft, file_type(type)) > 0;
        for (int i = 0; same && i < rank; i++)
            same = cur[i] == dims[i];
        H5Sclose(sp);
        H5Tclose(ft);
        if (!same) {
            H5Dclose(d);
            pf_status_set(st, PF_EINVAL, "%s: %s exists with another type or shape", h->path, dset);
            return H5I_INVALID_HID;
        }
        return d;
    }
    /* Datasets are allocated early (make_dcpl); HDF5 1.10 fails to create one larger than
     * the file system can hold and then crashes at exit closing the file, so the size is
     * checked here, the same way on every rank, and refused with a message instead. */
    double bytes = (double)pf_h5_type_size(type);
    for (int i = 0; i < rank; i++)
        bytes *= (double)dims[i];
    struct statvfs vfs;
    char *folder = strdup(h->tmp), *slash = folder ? strrchr(folder, '/') : NULL;
    if (slash == folder)
        folder[1] = '\0'; /* a file in / */
    else if (slash)
        *slash = '\0';
    const double avail = folder && statvfs(slash ? folder : ".", &vfs) == 0 ? (double)vfs.f_bavail * (double)vfs.f_frsize
                                                                            : 1.0 / 0.0;
    free(folder);
    if (pf_par_max_int(!(bytes <= avail))) {
        pf_status_set(st, PF_EIO, "%s: dataset %s needs %.3g bytes, more than the %.3g bytes free where it is written",
                      h->path, dset, bytes, avail);
        return H5I_INVALID_HID;
    }
    if (pf_h5_make_parents(h->file, h->path, dset, st))
        return H5I_INVALID_HID;
    hsize_t hd[PF_H5_MAX_RANK];
    for (int i = 0; i < rank; i++)
        hd[i] = dims[i];
    hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, hd, NULL);
    hid_t dcpl = make_dcpl(type, rank, dims, h->deflate);
    hid_t d = H5Dcreate2(h->file, dset, file_type(type), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (d < 0) {
        pf_status_set(st, PF_EIO, "%s: cannot create dataset %s (%s)", h->path, dset, pf_h5_errmsg(e));
        return H5I_INVALID_HID;
    }
    if (units && add_pending(h, dset, "units", PF_ATTR_STRING, units, 1, st)) {
        H5Dclose(d);
        return H5I_INVALID_HID;
    }
    return d;
}

static int write_impl(pf_h5 *h, const char *dset, pf_h5_type type, int rank, const size_t *dims, size_t offset,
                      size_t count, const void *data, const char *units, pf_status *st)
{
    char e[256];
    if (!h || !h->writing)
        return pf_status_set(st, PF_EINVAL, "%s: writing %s: the file is not open for writing", h ? h->path : "?",
                             dset);
    if (rank < 0 || rank > PF_H5_MAX_RANK || (rank > 0 && !dims) || mem_type(type) < 0 || !dset || dset[0] != '/')
        return pf_status_set(st, PF_EINVAL, "%s: writing %s: bad rank %d, type or path", h->path, dset ? dset : "?",
                             rank);
    size_t nrows = rank > 0 ? dims[0] : 1;
    if (offset > nrows || count > nrows - offset)
        return pf_status_set(st, PF_EINVAL, "%s: writing %s: rows [%zu, %zu) outside [0, %zu)", h->path, dset, offset,
                             offset + count, nrows);
    int rc = PF_OK;
    hid_t d = open_or_create_dataset(h, dset, type, rank, dims, units, st);
    if (d < 0)
        rc = st->code;
    if (rc == PF_OK) {
        hid_t fspace = H5Dget_space(d), mspace;
        if (rank == 0) {
            mspace = H5Screate(H5S_SCALAR);
            if (count == 0) {
                H5Sselect_none(fspace);
                H5Sselect_none(mspace);
            }
        } else {
            hsize_t start[PF_H5_MAX_RANK] = {0}, cnt[PF_H5_MAX_RANK];
            start[0] = offset;
            cnt[0] = count;
            for (int i = 1; i < rank; i++)
                cnt[i] = dims[i];
            mspace = H5Screate_simple(rank, cnt, NULL);
            if (count == 0 || nrows == 0) {
                H5Sselect_none(fspace);
                H5Sselect_none(mspace);
            } else {
                H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt, NULL);
            }
        }
        hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
#ifdef PF_HAVE_MPI
        if (h->parallel)
            H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE); /* required for compressed datasets */
#endif
        static const double dummy = 0;
        if (H5Dwrite(d, mem_type(type), mspace, fspace, dxpl, data ? data : (const void *)&dummy) < 0)
            rc = pf_status_set(st, PF_EIO, "%s: writing %s rows [%zu, %zu) failed (%s)", h->path, dset, offset,
                               offset + count, pf_h5_errmsg(e));
        H5Pclose(dxpl);
        H5Sclose(mspace);
        H5Sclose(fspace);
        H5Dclose(d);
    }
    if (pf_par_max_int(rc != PF_OK) && rc == PF_OK)
        rc = pf_status_set(st, PF_EIO, "%s: writing %s failed on another rank", h->path, dset);
    return rc;
}

int pf_h5_write(pf_h5 *h, const char *dset, pf_h5_type type, int rank, const size_t *dims, const void *data,
                const char *units, pf_status *st)
{
    size_t nrows = rank > 0 && dims ? dims[0] : 1;
    /* with MPI, rank 0 writes everything and the others join the collective call empty */
    size_t count = pf_par_rank() == 0 ? nrows : 0;
    return write_impl(h, dset, type, rank, dims, 0, count, data, units, st);
}

int pf_h5_write_rows(pf_h5 *h, const char *dset, pf_h5_type type, int rank, const size_t *dims, size_t offset,
                     size_t count, const void *data, const char *units, pf_status *st)
{
    if (rank < 1)
        return pf_status_set(st, PF_EINVAL, "%s: pf_h5_write_rows needs rank >= 1 for %s", h ? h->path : "?",
                             dset ? dset : "?");
    return write_impl(h, dset, type, rank, dims, offset, count, data, units, st);
}

/* ---------------------------------------------------------------- reading ---------- */

int pf_h5_type_plain(hid_t t)
{
    const H5T_class_t c = H5Tget_class(t);
    if (c != H5T_INTEGER && c != H5T_FLOAT)
        return 1;
    /* H5Tequal compares every property (size, precision, offset, padding, order, sign and the
     * float's fields and bias) */
    const hid_t plain[] = {H5T_IEEE_F64LE, H5T_IEEE_F64BE, H5T_IEEE_F32LE, H5T_IEEE_F32BE, H5T_STD_I8LE,
                           H5T_STD_I8BE,   H5T_STD_U8LE,   H5T_STD_U8BE,   H5T_STD_I16LE, H5T_STD_I16BE,
                           H5T_STD_U16LE,  H5T_STD_U16BE,  H5T_STD_I32LE,  H5T_STD_I32BE, H5T_STD_U32LE,
                           H5T_STD_U32BE,  H5T_STD_I64LE,  H5T_STD_I64BE,  H5T_STD_U64LE, H5T_STD_U64BE};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (H5Tequal(t, plain[i]) > 0)
            return 1;
    return 0;
}

static hid_t open_dataset(pf_h5 *h, const char *dset, int *rank, hsize_t *dims, pf_status *st)
{
    if (!dset || dset[0] != '/' || !path_exists(h->file, dset)) {
        pf_status_set(st, PF_EFORMAT, "%s: no dataset %s", h->path, dset ? dset : "(null)");
        return H5I_INVALID_HID;
    }
    hid_t d = H5Dopen2(h->file, dset, H5P_DEFAULT);
    if (d < 0) {
        pf_status_set(st, PF_EFORMAT, "%s: %s is not a dataset", h->path, dset);
        return H5I_INVALID_HID;
    }
    hid_t sp = H5Dget_space(d);
    int r = H5Sget_simple_extent_ndims(sp);
    if (r < 0 || r > PF_H5_MAX_RANK) {
        H5Sclose(sp);
        H5Dclose(d);
        pf_status_set(st, PF_EFORMAT, "%s: %s has rank %d, more than %d", h->path, dset, r, PF_H5_MAX_RANK);
        return H5I_INVALID_HID;
    }
    H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    hid_t t = H5Dget_type(d);
    const int plain = t >= 0 && pf_h5_type_plain(t);
    if (t >= 0)
        H5Tclose(t);
    if (!plain) {
        H5Dclose(d);
        pf_status_set(st, PF_EFORMAT,
                      "%s: dataset %s has a number type partonflow does not write (expected an IEEE float or a "
                      "full-width integer)",
                      h->path, dset);
        return H5I_INVALID_HID;
    }
    *rank = r;
    return d;
}

int pf_h5_dims(pf_h5 *h, const char *dset, int *rank, size_t *dims, pf_status *st)
{
    hsize_t hd[PF_H5_MAX_RANK] = {0};
    int r;
    hid_t d = open_dataset(h, dset, &r, hd, st);
    if (d < 0)
        return st->code;
    H5Dclose(d);
    *rank = r;
    for (int i = 0; i < PF_H5_MAX_RANK; i++)
        dims[i] = i < r ? (size_t)hd[i] : 0;
    return PF_OK;
}

int pf_h5_read(pf_h5 *h, const char *dset, pf_h5_type type, int *rank, size_t *dims, void **data, pf_status *st)
{
    char e[256];
    hsize_t hd[PF_H5_MAX_RANK] = {0};
    int r;
    *data = NULL;
    if (mem_type(type) < 0)
        return pf_status_set(st, PF_EINVAL, "%s: reading %s: unknown type %d", h->path, dset, (int)type);
    hid_t d = open_dataset(h, dset, &r, hd, st);
    if (d < 0)
        return st->code;
    size_t n = 1;
    for (int i = 0; i < r; i++)
        n *= (size_t)hd[i];
    void *buf = malloc(n * pf_h5_type_size(type) + 1);
    if (!buf) {
        H5Dclose(d);
        return pf_status_set(st, PF_ENOMEM, "%s: reading %s: cannot allocate %zu values", h->path, dset, n);
    }
    int rc = PF_OK;
    if (n > 0 && H5Dread(d, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        rc = pf_status_set(st, PF_EFORMAT, "%s: reading %s failed (%s)", h->path, dset, pf_h5_errmsg(e));
    H5Dclose(d);
    if (rc != PF_OK) {
        free(buf);
        return rc;
    }
    *rank = r;
    for (int i = 0; i < PF_H5_MAX_RANK; i++)
        dims[i] = i < r ? (size_t)hd[i] : 0;
    *data = buf;
    return PF_OK;
}

herr_t pf_h5_read_row_block(hid_t d, hid_t mem_type, int rank, const hsize_t *dims, size_t r0, size_t cnt,
                            void *buf)
{
    if (rank == 0)
        return H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    hsize_t start[32] = {0}, count[32];
    start[0] = r0;
    count[0] = cnt;
    for (int i = 1; i < rank && i < 32; i++)
        count[i] = dims[i];
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(rank, count, NULL);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    const herr_t ok = H5Dread(d, mem_type, ms, fs, H5P_DEFAULT, buf);
    H5Sclose(ms);
    H5Sclose(fs);
    return ok;
}

int pf_h5_read_rows(pf_h5 *h, const char *dset, pf_h5_type type, size_t offset, size_t count, void *data,
                    pf_status *st)
{
    char e[256];
    hsize_t hd[PF_H5_MAX_RANK] = {0};
    int r;
    if (mem_type(type) < 0)
        return pf_status_set(st, PF_EINVAL, "%s: reading %s: unknown type %d", h->path, dset, (int)type);
    hid_t d = open_dataset(h, dset, &r, hd, st);
    if (d < 0)
        return st->code;
    if (r < 1 || offset > hd[0] || count > hd[0] - offset) {
        H5Dclose(d);
        return pf_status_set(st, PF_EINVAL, "%s: reading %s rows [%zu, %zu): the dataset has %llu rows", h->path,
                             dset, offset, offset + count, r < 1 ? 0ULL : (unsigned long long)hd[0]);
    }
    int rc = PF_OK;
    if (count > 0 && pf_h5_read_row_block(d, mem_type(type), r, hd, offset, count, data) < 0)
        rc = pf_status_set(st, PF_EFORMAT, "%s: reading %s rows [%zu, %zu) failed (%s)", h->path, dset, offset,
                           offset + count, pf_h5_errmsg(e));
    H5Dclose(d);
    return rc;
}

/* ---------------------------------------------------------------- attributes ------- */

static hid_t kind_mem_type(int kind)
{
    return kind == PF_ATTR_DOUBLE ? H5T_NATIVE_DOUBLE : kind == PF_ATTR_INT64 ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64;
}

int pf_h5_attr_write(hid_t obj, const char *fname, const char *name, int kind, const void *value, size_t n,
                     pf_status *st)
{
    char e[256];
    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
    hid_t type, mtype, space;
    if (kind == PF_ATTR_STRING) {
        type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
        mtype = H5Tcopy(type);
        space = H5Screate(H5S_SCALAR);
    } else {
        type = H5Tcopy(kind == PF_ATTR_DOUBLE ? H5T_IEEE_F64LE : kind == PF_ATTR_INT64 ? H5T_STD_I64LE : H5T_STD_U64LE);
        mtype = H5Tcopy(kind_mem_type(kind));
        hsize_t dn = n;
        space = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dn, NULL);
    }
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = PF_OK;
    if (a < 0) {
        rc = pf_status_set(st, PF_EIO, "%s: cannot create attribute %s (%s)", fname, name, pf_h5_errmsg(e));
    } else {
        const void *buf = kind == PF_ATTR_STRING ? (const void *)&value : value;
        if (H5Awrite(a, mtype, buf) < 0)
            rc = pf_status_set(st, PF_EIO, "%s: cannot write attribute %s (%s)", fname, name, pf_h5_errmsg(e));
        H5Aclose(a);
    }
    H5Tclose(type);
    H5Tclose(mtype);
    H5Sclose(space);
    return rc;
}

static hid_t open_attr(hid_t obj, const char *fname, const char *objname, const char *name, pf_status *st)
{
    if (H5Aexists(obj, name) <= 0) {
        pf_status_set(st, PF_EFORMAT, "%s: %s has no attribute '%s'", fname, objname, name);
        return H5I_INVALID_HID;
    }
    return H5Aopen(obj, name, H5P_DEFAULT);
}

/* A watchdog on the one read partonflow makes from a global heap.  libhdf5 1.10 (Debian 12's
 * 1.10.8) loops forever in H5HG__cache_heap_deserialize when a global heap collection holds
 * an object whose stored size makes its extent zero (the free-space object with size 0, or
 * a size of 2^64 - 16): a damaged file then hangs the reader, and partonflow cannot look at
 * the collection before libhdf5 parses it.  Variable-length strings are the only global-heap
 * objects partonflow reads, so that H5Aread runs with a thread that waits for it: a heap
 * object of a few kB takes microseconds, and one that has not arrived after
 * PF_HDF5_STALL_SECONDS (default 60) means the loop.  The watchdog then names the file and
 * attribute on stderr and ends the process with exit status 2 (bad input, as the CLI's
 * refusals), or aborts where PF_HDF5_STALL_ABORT is set (tools/fuzz.sh, so that libFuzzer
 * keeps the input).  docs/reliability.md, "libhdf5's own defects". */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    double secs;
    const char *fname, *objname, *name;
} stall_watch;

static double stall_seconds(void)
{
    const char *v = getenv("PF_HDF5_STALL_SECONDS");
    if (!v || !*v)
        return 60.0;
    char *end;
    errno = 0;
    double s = strtod(v, &end);
    if (errno || *end || !(s > 0.0) || s > 1e9) {
        fprintf(stderr, "partonflow: PF_HDF5_STALL_SECONDS='%s' is not a positive number of seconds; using 60\n", v);
        return 60.0;
    }
    return s;
}

static void *stall_watchdog(void *arg)
{
    stall_watch *w = arg;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    double whole = (double)(long long)w->secs;
    until.tv_sec += (time_t)whole;
    until.tv_nsec += (long)((w->secs - whole) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec += 1;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    int rc = 0;
    while (!w->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&w->cv, &w->mu, &until);
    int stalled = !w->done;
    pthread_mutex_unlock(&w->mu);
    if (stalled) {
        fprintf(stderr,
                "partonflow: %s: libhdf5 has not finished reading attribute %s of %s after %g s: the file is "
                "damaged (libhdf5 1.10 loops forever on a global heap collection with a zero-size object; "
                "docs/reliability.md); PF_HDF5_STALL_SECONDS sets the wait\n",
                w->fname, w->name, w->objname, w->secs);
        const char *ab = getenv("PF_HDF5_STALL_ABORT");
        if (ab && *ab && strcmp(ab, "0"))
            abort();
        _exit(2);
    }
    return NULL;
}

static herr_t read_vlen_string_watched(hid_t a, hid_t mt, char **s, const char *fname, const char *objname,
                                       const char *name)
{
    stall_watch w = {.done = 0, .secs = stall_seconds(), .fname = fname, .objname = objname, .name = name};
    pthread_mutex_init(&w.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w.cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_t th;
    const int watched = pthread_create(&th, NULL, stall_watchdog, &w) == 0;
    herr_t r = H5Aread(a, mt, s);
    if (watched) {
        pthread_mutex_lock(&w.mu);
        w.done = 1;
        pthread_cond_signal(&w.cv);
        pthread_mutex_unlock(&w.mu);
        pthread_join(th, NULL);
    }
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return r;
}

int pf_h5_attr_read_string(hid_t obj, const char *fname, const char *objname, const char *name, char **out,
                           pf_status *st)
{
    char e[256];
    *out = NULL;
    hid_t a = open_attr(obj, fname, objname, name, st);
    if (a < 0)
        return st->code;
    hid_t t = H5Aget_type(a);
    int rc = PF_OK;
    if (H5Tget_class(t) != H5T_STRING) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: attribute %s of %s is not a string", fname, name, objname);
    } else if (H5Tis_variable_str(t) > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(t));
        char *s = NULL;
        if (read_vlen_string_watched(a, mt, &s, fname, objname, name) < 0 || !s)
            rc = pf_status_set(st, PF_EFORMAT, "%s: cannot read attribute %s of %s (%s)", fname, name, objname,
                               pf_h5_errmsg(e));
        else
            *out = strdup(s);
        if (s) {
            hid_t sp = H5Screate(H5S_SCALAR);
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, &s);
            H5Sclose(sp);
        }
        H5Tclose(mt);
    } else {
        size_t n = H5Tget_size(t);
        char *s = calloc(n + 1, 1);
        if (s && H5Aread(a, t, s) >= 0)
            *out = s;
        else {
            free(s);
            rc = pf_status_set(st, PF_EFORMAT, "%s: cannot read attribute %s of %s", fname, name, objname);
        }
    }
    if (rc == PF_OK && !*out)
        rc = pf_status_set(st, PF_ENOMEM, "%s: out of memory", fname);
    H5Tclose(t);
    H5Aclose(a);
    return rc;
}

/* n values (n = 0: any count, *vals malloc'd) or exactly one into out. */
static int attr_read_values(hid_t obj, const char *fname, const char *objname, const char *name, int kind,
                            size_t want, void *out, double **vals, size_t *nvals, pf_status *st)
{
    char e[256];
    hid_t a = open_attr(obj, fname, objname, name, st);
    if (a < 0)
        return st->code;
    hid_t sp = H5Aget_space(a), t = H5Aget_type(a);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    H5T_class_t cls = H5Tget_class(t);
    int rc = PF_OK;
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        rc = pf_status_set(st, PF_EFORMAT, "%s: attribute %s of %s is not a number", fname, name, objname);
    else if (!pf_h5_type_plain(t))
        rc = pf_status_set(st, PF_EFORMAT,
                           "%s: attribute %s of %s has a number type partonflow does not write (expected an IEEE "
                           "float or a full-width integer)",
                           fname, name, objname);
    else if (want == 1 && n != 1)
        rc = pf_status_set(st, PF_EFORMAT, "%s: attribute %s of %s has %lld values, expected one", fname, name,
                           objname, (long long)n);
    if (rc == PF_OK) {
        void *buf = out;
        if (want != 1 && !(buf = *vals = malloc((size_t)n * 8 + 8)))
            rc = pf_status_set(st, PF_ENOMEM, "%s: out of memory", fname);
        else if (H5Aread(a, kind_mem_type(kind), buf) < 0)
            rc = pf_status_set(st, PF_EFORMAT, "%s: cannot read attribute %s of %s (%s)", fname, name, objname,
                               pf_h5_errmsg(e));
        if (want != 1 && rc == PF_OK)
            *nvals = (size_t)n;
        if (want != 1 && rc != PF_OK) {
            free(*vals);
            *vals = NULL;
        }
    }
    H5Tclose(t);
    H5Sclose(sp);
    H5Aclose(a);
    return rc;
}

int pf_h5_attr_read_scalar(hid_t obj, const char *fname, const char *objname, const char *name, int kind,
                           void *out, pf_status *st)
{
    return attr_read_values(obj, fname, objname, name, kind, 1, out, NULL, NULL, st);
}

/* Pending attribute of a writer (the last one set), or NULL. */
static const pf_h5_pending *find_pending(const pf_h5 *h, const char *obj, const char *name)
{
    for (size_t i = h->nattrs; i-- > 0;)
        if (!strcmp(h->attrs[i].obj, obj) && !strcmp(h->attrs[i].name, name))
            return &h->attrs[i];
    return NULL;
}

static int get_attr(pf_h5 *h, const char *obj, const char *name, int kind, void *out, double **vals, size_t *nvals,
                    char **str, pf_status *st)
{
    if (!h || !obj || !name)
        return pf_status_set(st, PF_EINVAL, "pf_h5_get_attr: missing argument");
    if (h->writing) {
        const pf_h5_pending *p = find_pending(h, obj, name);
        if (!p)
            return pf_status_set(st, PF_EFORMAT, "%s: %s has no attribute '%s'", h->path, obj, name);
        if (p->kind != kind || (out && p->n != 1))
            return pf_status_set(st, PF_EFORMAT, "%s: attribute %s of %s has another type", h->path, name, obj);
        if (str)
            return (*str = strdup(p->value)) ? PF_OK : pf_status_set(st, PF_ENOMEM, "%s: out of memory", h->path);
        if (out) {
            memcpy(out, p->value, 8);
            return PF_OK;
        }
        if (!(*vals = malloc(p->n * 8 + 8)))
            return pf_status_set(st, PF_ENOMEM, "%s: out of memory", h->path);
        memcpy(*vals, p->value, p->n * 8);
        *nvals = p->n;
        return PF_OK;
    }
    if (!path_exists(h->file, obj))
        return pf_status_set(st, PF_EFORMAT, "%s: no object %s", h->path, obj);
    hid_t o = H5Oopen(h->file, obj, H5P_DEFAULT);
    if (o < 0)
        return pf_status_set(st, PF_EFORMAT, "%s: cannot open %s", h->path, obj);
    int rc = str ? pf_h5_attr_read_string(o, h->path, obj, name, str, st)
                 : attr_read_values(o, h->path, obj, name, kind, out ? 1 : 0, out, vals, nvals, st);
    H5Oclose(o);
    return rc;
}

int pf_h5_set_attr_double(pf_h5 *h, const char *obj, const char *name, double value, pf_status *st)
{
    return add_pending(h, obj, name, PF_ATTR_DOUBLE, &value, 1, st);
}
int pf_h5_set_attr_int64(pf_h5 *h, const char *obj, const char *name, int64_t value, pf_status *st)
{
    return add_pending(h, obj, name, PF_ATTR_INT64, &value, 1, st);
}
int pf_h5_set_attr_uint64(pf_h5 *h, const char *obj, const char *name, uint64_t value, pf_status *st)
{
    return add_pending(h, obj, name, PF_ATTR_UINT64, &value, 1, st);
}
int pf_h5_set_attr_string(pf_h5 *h, const char *obj, const char *name, const char *value, pf_status *st)
{
    return add_pending(h, obj, name, PF_ATTR_STRING, value ? value : "", 1, st);
}
int pf_h5_set_attr_doubles(pf_h5 *h, const char *obj, const char *name, const double *value, size_t n,
                           pf_status *st)
{
    if (n == 0)
        return pf_status_set(st, PF_EINVAL, "%s: attribute %s of %s: no values", h ? h->path : "?", name, obj);
    return add_pending(h, obj, name, PF_ATTR_DOUBLE, value, n, st);
}
int pf_h5_get_attr_double(pf_h5 *h, const char *obj, const char *name, double *value, pf_status *st)
{
    return get_attr(h, obj, name, PF_ATTR_DOUBLE, value, NULL, NULL, NULL, st);
}
int pf_h5_get_attr_int64(pf_h5 *h, const char *obj, const char *name, int64_t *value, pf_status *st)
{
    return get_attr(h, obj, name, PF_ATTR_INT64, value, NULL, NULL, NULL, st);
}
int pf_h5_get_attr_uint64(pf_h5 *h, const char *obj, const char *name, uint64_t *value, pf_status *st)
{
    return get_attr(h, obj, name, PF_ATTR_UINT64, value, NULL, NULL, NULL, st);
}
int pf_h5_get_attr_string(pf_h5 *h, const char *obj, const char *name, char **value, pf_status *st)
{
    *value = NULL;
    return get_attr(h, obj, name, PF_ATTR_STRING, NULL, NULL, NULL, value, st);
}
int pf_h5_get_attr_doubles(pf_h5 *h, const char *obj, const char *name, double **value, size_t *n, pf_status *st)
{
    *value = NULL;
    *n = 0;
    return get_attr(h, obj, name, PF_ATTR_DOUBLE, NULL, value, n, NULL, st);
}
