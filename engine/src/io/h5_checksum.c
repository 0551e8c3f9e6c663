/* partonflow io: the checksum of an artefact (docs/artefacts.md, "Checksum").
 *
 * XXH64 (seed 0) over a canonical byte stream of every object, /meta included but for its
 * volatile attributes (pf_h5_meta_volatile: checksum, created, command_line, device,
 * theory_path: where, not what): objects in
 * sorted path order, each with its kind, path, type, shape, values (little-endian,
 * row-major) and attributes sorted by name.  It is computed from the data as stored, so
 * it does not depend on chunking, compression, the number of ranks that wrote the file,
 * or the host's byte order. */
#include <stdlib.h>
#include <string.h>

#include "h5_impl.h"

typedef struct obj_list {
    char **path;
    int *is_dset;
    size_t n, cap;
    int oom;
} obj_list;

static herr_t visit_cb(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    (void)obj;
    obj_list *l = data;
    if (info->type != H5O_TYPE_GROUP && info->type != H5O_TYPE_DATASET)
        return 0; /* named datatypes carry no payload */
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **p = realloc(l->path, cap * sizeof *p);
        int *d = p ? realloc(l->is_dset, cap * sizeof *d) : NULL;
        if (p)
            l->path = p;
        if (!p || !d) {
            l->oom = 1;
            return -1;
        }
        l->is_dset = d;
        l->cap = cap;
    }
    size_t len = strlen(name) + 2;
    char *s = malloc(len);
    if (!s) {
        l->oom = 1;
        return -1;
    }
    if (!strcmp(name, "."))
        strcpy(s, "/");
    else
        snprintf(s, len, "/%s", name);
    l->path[l->n] = s;
    l->is_dset[l->n] = info->type == H5O_TYPE_DATASET;
    l->n++;
    return 0;
}

int pf_h5_meta_volatile(const char *name)
{
    return !strcmp(name, "checksum") || !strcmp(name, "created") || !strcmp(name, "command_line") ||
           !strcmp(name, "device") || !strcmp(name, "theory_path");
}

/* Little-endian memory type of the same class, size and sign as t; 0 for unsupported. */
static hid_t le_type(hid_t t, unsigned char *cls, unsigned char *size)
{
    H5T_class_t c = H5Tget_class(t);
    size_t sz = H5Tget_size(t);
    *size = (unsigned char)sz;
    if (!pf_h5_type_plain(t)) { /* a mutated precision or bit offset: never handed to H5T_convert */
        *cls = 'x';
        return 0;
    }
    if (c == H5T_FLOAT) {
        *cls = 'f';
        return sz == 4 ? H5T_IEEE_F32LE : sz == 8 ? H5T_IEEE_F64LE : 0;
    }
    if (c == H5T_INTEGER) {
        int sgn = H5Tget_sign(t) == H5T_SGN_2;
        *cls = sgn ? 'i' : 'u';
        switch (sz) {
        case 1: return sgn ? H5T_STD_I8LE : H5T_STD_U8LE;
        case 2: return sgn ? H5T_STD_I16LE : H5T_STD_U16LE;
        case 4: return sgn ? H5T_STD_I32LE : H5T_STD_U32LE;
        case 8: return sgn ? H5T_STD_I64LE : H5T_STD_U64LE;
        default: return 0;
        }
    }
    if (c == H5T_STRING) {
        *cls = 's';
        *size = 0;
    }
    return 0;
}

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)loc;
    (void)info;
    names *l = data;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(name)))
        return -1;
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int hash_attrs(pf_hash *hs, hid_t obj, const char *fname, const char *path, pf_status *st)
{
    char e[256];
    names l = {0};
    hsize_t idx = 0;
    if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_cb, &l) < 0) {
        for (size_t i = 0; i < l.n; i++)
            free(l.v[i]);
        free(l.v);
        return pf_status_set(st, PF_ECHECKSUM, "%s: cannot list the attributes of %s (%s)", fname, path,
                             pf_h5_errmsg(e));
    }
    if (!strcmp(path, "/meta")) { /* its volatile attributes are outside the checksum */
        size_t k = 0;
        for (size_t i = 0; i < l.n; i++) {
            if (pf_h5_meta_volatile(l.v[i])) free(l.v[i]);
            else l.v[k++] = l.v[i];
        }
        l.n = k;
    }
    if (l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, cmp_str);
    pf_hash_u64(hs, l.n);
    int rc = PF_OK;
    for (size_t i = 0; i < l.n && rc == PF_OK; i++) {
        pf_hash_str(hs, l.v[i]);
        hid_t a = H5Aopen(obj, l.v[i], H5P_DEFAULT);
        hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID, sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
        unsigned char cls = 0, size = 0;
        hid_t mt = t >= 0 ? le_type(t, &cls, &size) : 0;
        pf_hash_update(hs, &cls, 1);
        pf_hash_update(hs, &size, 1);
        if (a < 0) {
            rc = pf_status_set(st, PF_ECHECKSUM, "%s: cannot open attribute %s of %s", fname, l.v[i], path);
        } else if (cls == 's') {
            char *s = NULL;
            rc = pf_h5_attr_read_string(obj, fname, path, l.v[i], &s, st);
            if (rc == PF_OK)
                pf_hash_str(hs, s);
            free(s);
        } else if (mt > 0) {
            hssize_t n = H5Sget_simple_extent_npoints(sp);
            void *buf = malloc((size_t)n * size + 1);
            if (!buf)
                rc = pf_status_set(st, PF_ENOMEM, "%s: out of memory", fname);
            else if (H5Aread(a, mt, buf) < 0)
                rc = pf_status_set(st, PF_ECHECKSUM, "%s: cannot read attribute %s of %s (%s)", fname, l.v[i], path,
                                   pf_h5_errmsg(e));
            else {
                pf_hash_u64(hs, (uint64_t)n);
                pf_hash_update(hs, buf, (size_t)n * size);
            }
            free(buf);
        } else {
            rc = pf_status_set(st, PF_EFORMAT, "%s: attribute %s of %s has a type partonflow does not write", fname,
                               l.v[i], path);
        }
        if (sp >= 0)
            H5Sclose(sp);
        if (t >= 0)
            H5Tclose(t);
        if (a >= 0)
            H5Aclose(a);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    return rc;
}

static int hash_dataset(pf_hash *hs, hid_t d, const char *fname, const char *path, pf_status *st)
{
    char e[256];
    hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
    unsigned char cls = 0, size = 0;
    hid_t mt = le_type(t, &cls, &size);
    int rank = H5Sget_simple_extent_ndims(sp);
    hsize_t dims[32] = {0};
    int rc = PF_OK;
    if (mt <= 0 || rank < 0 || rank > 32) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: dataset %s has a type or shape partonflow does not write", fname, path);
        goto done;
    }
    H5Sget_simple_extent_dims(sp, dims, NULL);
    pf_hash_update(hs, &cls, 1);
    pf_hash_update(hs, &size, 1);
    pf_hash_u64(hs, (uint64_t)rank);
    size_t row = size, nrows = rank > 0 ? dims[0] : 1;
    for (int i = 0; i < rank; i++)
        pf_hash_u64(hs, dims[i]);
    for (int i = 1; i < rank; i++)
        row *= dims[i];
    if (nrows == 0 || row == 0)
        goto done;
    /* A dataset declares its shape in its header; the bytes behind it are in the file.  A
     * damaged header can declare terabytes over a few stored kilobytes (HDF5 then returns
     * fill values for the missing chunks, and hashing them would run for hours): refuse a
     * dataset whose declared size exceeds what deflate could have packed into the bytes
     * the file stores for it (zlib's ratio is at most 1032:1), or whose stored bytes
     * exceed the file.  Every dataset partonflow writes is written in full. */
    {
        hid_t f = H5Iget_file_id(d);
        hsize_t fsize = 0;
        if (f >= 0) {
            if (H5Fget_filesize(f, &fsize) < 0)
                fsize = 0;
            H5Fclose(f);
        }
        const double stored = (double)H5Dget_storage_size(d);
        double declared = (double)size; /* in doubles: a damaged shape overflows size_t */
        for (int i = 0; i < rank; i++)
            declared *= (double)dims[i];
        if ((fsize > 0 && stored > (double)fsize) || declared > 1032.0 * stored + 65536.0) {
            rc = pf_status_set(st, PF_ECHECKSUM,
                               "%s: dataset %s declares %.0f bytes but the file stores %.0f for it (expected a "
                               "dataset written in full): the file is damaged or was not written completely",
                               fname, path, declared, stored);
            goto done;
        }
    }
    /* blocks of rows, about 4 MiB each */
    size_t block = (4u << 20) / row;
    if (block < 1)
        block = 1;
    if (block > nrows)
        block = nrows;
    unsigned char *buf = malloc(block * row);
    if (!buf) {
        rc = pf_status_set(st, PF_ENOMEM, "%s: out of memory reading %s", fname, path);
        goto done;
    }
    for (size_t r0 = 0; r0 < nrows && rc == PF_OK; r0 += block) {
        size_t cnt = nrows - r0 < block ? nrows - r0 : block;
        if (pf_h5_read_row_block(d, mt, rank, dims, r0, cnt, buf) < 0)
            rc = pf_status_set(st, PF_ECHECKSUM, "%s: dataset %s cannot be read back, the file is damaged (HDF5: %s)",
                               fname, path, pf_h5_errmsg(e));
        else
            pf_hash_update(hs, buf, cnt * row);
    }
    free(buf);
done:
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

int pf_h5_checksum_file(hid_t file, const char *fname, uint64_t *sum, pf_status *st)
{
    char e[256];
    obj_list l = {0};
    int rc = PF_OK;
    if (H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit_cb, &l, H5O_INFO_BASIC) < 0)
        rc = l.oom ? pf_status_set(st, PF_ENOMEM, "%s: out of memory", fname)
                   : pf_status_set(st, PF_ECHECKSUM, "%s: cannot walk the file's objects, it is damaged (HDF5: %s)",
                                   fname, pf_h5_errmsg(e));
    if (rc == PF_OK) {
        /* sort paths and flags together: sort indices */
        char **p = l.path;
        size_t n = l.n;
        size_t *ord = malloc((n + 1) * sizeof *ord);
        if (!ord)
            rc = pf_status_set(st, PF_ENOMEM, "%s: out of memory", fname);
        for (size_t i = 0; ord && i < n; i++)
            ord[i] = i;
        /* insertion sort by path: files hold tens of objects */
        for (size_t i = 1; ord && i < n; i++)
            for (size_t j = i; j > 0 && strcmp(p[ord[j - 1]], p[ord[j]]) > 0; j--) {
                size_t t = ord[j];
                ord[j] = ord[j - 1];
                ord[j - 1] = t;
            }
        pf_hash hs;
        pf_hash_init(&hs, 0);
        for (size_t k = 0; ord && k < n && rc == PF_OK; k++) {
            const char *path = p[ord[k]];
            unsigned char tag = l.is_dset[ord[k]] ? 'D' : 'G';
            pf_hash_update(&hs, &tag, 1);
            pf_hash_str(&hs, path);
            hid_t o = H5Oopen(file, path, H5P_DEFAULT);
            if (o < 0) {
                rc = pf_status_set(st, PF_ECHECKSUM, "%s: cannot open %s, the file is damaged (HDF5: %s)", fname, path,
                                   pf_h5_errmsg(e));
                break;
            }
            if (tag == 'D')
                rc = hash_dataset(&hs, o, fname, path, st);
            if (rc == PF_OK)
                rc = hash_attrs(&hs, o, fname, path, st);
            H5Oclose(o);
        }
        if (rc == PF_OK)
            *sum = pf_hash_final(&hs);
        free(ord);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.path[i]);
    free(l.path);
    free(l.is_dset);
    return rc;
}
