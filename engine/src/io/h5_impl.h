/* partonflow io: the artefact handle and helpers shared by h5.c, h5_data.c and
 * h5_checksum.c (not installed). */
#ifndef PARTONFLOW_IO_H5_IMPL_H
#define PARTONFLOW_IO_H5_IMPL_H

#include <hdf5.h>
#ifdef PF_HAVE_MPI
#include <mpi.h>
#endif

#include "h5_internal.h"
#include "partonflow/h5.h"

/* The checksum's scope is versioned by this /meta string (docs/artefacts.md, "Checksum").
 * v2 covers /meta too, except the attributes that differ between identical runs (below);
 * files of v1 (payload only, /meta unprotected) are refused with a message. */
#define PF_H5_CHECKSUM_ALGORITHM "xxh64 of the payload and /meta in sorted path order, docs/artefacts.md (v2)"
#define PF_H5_CHECKSUM_ALGORITHM_V1 "xxh64 of the payload in sorted path order, docs/artefacts.md (v1)"
/* 1 for the /meta attributes outside the checksum: the checksum itself, and what differs
 * between runs that make the same artefact (the time, the command line with its --threads,
 * the device) and that no stage trusts */
int pf_h5_meta_volatile(const char *name);
/* Datasets at least this large are chunked and compressed; smaller ones are contiguous. */
#define PF_H5_CHUNK_MIN_BYTES 65536
#define PF_H5_CHUNK_TARGET_BYTES (1u << 20)
/* deflate level of new chunked datasets (pf_h5_set_deflate); 1: most of level 9's
 * ratio on shuffled doubles at a fraction of the time */
#define PF_H5_DEFAULT_DEFLATE 1

enum pf_attr_kind { PF_ATTR_DOUBLE = 0, PF_ATTR_INT64, PF_ATTR_UINT64, PF_ATTR_STRING };

/* An attribute set on a writer, written by rank 0 at commit. */
typedef struct pf_h5_pending {
    char *obj, *name;
    int kind;
    void *value; /* n values, or the string */
    size_t n;
} pf_h5_pending;

struct pf_h5 {
    hid_t file;
    int writing, parallel;
    int deflate;
    char *path, *tmp;
    char *schema;
    int version;
    char *card_yaml, *command_line, *device;
    int has_seed;
    uint64_t seed;
    uint64_t checksum;
    pf_h5_pending *attrs;
    size_t nattrs, cap;
};

const char *pf_h5_errmsg(char *buf /* [256] */);
void pf_h5_quiet(void);
hid_t pf_h5_gcpl(void);
/* hid of the object at obj_path; missing groups on the way are created (writers). */
hid_t pf_h5_open_or_create_obj(hid_t file, const char *fname, const char *obj_path, pf_status *st);
/* Creates missing parent groups of a dataset path. */
int pf_h5_make_parents(hid_t file, const char *fname, const char *path, pf_status *st);
/* Writes (replacing) an attribute: n values of kind, or one string (value = char *). */
int pf_h5_attr_write(hid_t obj, const char *fname, const char *name, int kind, const void *value, size_t n,
                     pf_status *st);
int pf_h5_attr_read_string(hid_t obj, const char *fname, const char *objname, const char *name, char **out,
                           pf_status *st);
int pf_h5_attr_read_scalar(hid_t obj, const char *fname, const char *objname, const char *name, int kind,
                           void *out, pf_status *st);
/* The payload checksum of an open file (docs/artefacts.md). */
int pf_h5_checksum_file(hid_t file, const char *fname, uint64_t *sum, pf_status *st);
/* 1 when t is a number type as partonflow and h5py write it: an IEEE float of 4 or 8 bytes or a
 * two's-complement or unsigned integer of 1, 2, 4 or 8 bytes, little- or big-endian, every bit
 * used (precision = 8 size, offset 0, no padding); 0 for any other number type.  libhdf5
 * 1.10.8 trusts a mutated precision or bit offset when it converts, and reads and writes
 * past its own buffers (docs/reliability.md), so readers refuse such a type before
 * H5Aread/H5Dread.  Not a number type: 1 (other checks refuse it). */
int pf_h5_type_plain(hid_t t);
/* Reads rows [r0, r0 + cnt) of dataset d (all of it when rank is 0) into buf as mem_type;
 * the HDF5 status of H5Dread. */
herr_t pf_h5_read_row_block(hid_t d, hid_t mem_type, int rank, const hsize_t *dims, size_t r0, size_t cnt,
                            void *buf);

#endif
