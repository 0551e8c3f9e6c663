/* partonflow: the HDF5 artefact layer used by every stage (docs/artefacts.md).
 *
 * Every artefact has a group /meta (engine version, schema name and version, the resolved
 * card as YAML, the command line, the creation time, the seed where there is one, and a
 * 64-bit checksum of the payload), and a payload: every other dataset and attribute.
 * Writers write to "<path>.tmp-<pid>" and pf_h5_commit renames the file when it is
 * complete, so an interrupted run never leaves a file under the final name.  Readers
 * refuse a file that is not HDF5, is truncated, has another schema or version, or whose
 * payload does not match its checksum, with a message naming the file and the cause.
 *
 * MPI: when the par layer runs more than one rank, pf_h5_create/commit/abort and every
 * write call are collective: every rank makes the same sequence of calls with the same
 * names, types and global dims (a rank without rows passes count 0).  pf_h5_write_rows writes each rank's rows with collective MPI-IO; pf_h5_write and
 * the attribute setters take rank 0's values.  The checksum is computed by rank 0 from
 * the data as stored, so it does not depend on the number of ranks.  Readers are
 * per-process (every rank may open a file on its own).
 *
 * Not thread-safe (Debian's parallel HDF5 is built without thread safety): call the
 * layer from one thread per process. */
#ifndef PARTONFLOW_H5_H
#define PARTONFLOW_H5_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/status.h"

typedef enum pf_h5_type {
    PF_H5_DOUBLE = 0,
    PF_H5_FLOAT,
    PF_H5_INT32,
    PF_H5_INT64,
    PF_H5_UINT64,
    PF_H5_UINT8
} pf_h5_type;

/* Size in bytes of one element of a pf_h5_type. */
size_t pf_h5_type_size(pf_h5_type type);

#define PF_H5_MAX_RANK 4

typedef struct pf_h5 pf_h5;

typedef struct pf_h5_meta {
    const char *card_yaml;      /* resolved card (pf_card_to_yaml), or NULL */
    const char *command_line;   /* pf_cli_command_line, or NULL */
    int has_seed;
    uint64_t seed;
} pf_h5_meta;

/* Opens "<path>.tmp-<pid of rank 0>" for writing. */
pf_h5 *pf_h5_create(const char *path, const char *schema, int schema_version, const pf_h5_meta *meta,
                    pf_status *st);
/* Where the numbers were computed, /meta attribute "device": "cpu" (the default) or
 * "cuda:<device name>" (`--device cuda`, docs/gpu.md).  Writers only; copied. */
int pf_h5_set_device(pf_h5 *h, const char *device, pf_status *st);
/* Writes the deferred attributes, closes, computes the checksum, writes /meta and renames
 * the file to its final name: all or nothing.  Frees h in every case. */
int pf_h5_commit(pf_h5 *h, pf_status *st);
/* Closes and deletes the temporary; frees h.  NULL is a no-op. */
void pf_h5_abort(pf_h5 *h);

/* Opens a finished artefact for reading and verifies it (schema NULL: any schema, any
 * version).  The payload checksum is verified here, by reading the whole payload once. */
pf_h5 *pf_h5_open(const char *path, const char *schema, int schema_version, pf_status *st);
/* A file that is not a partonflow artefact (no /meta: e.g. events written by another
 * producer, docs/artefacts.md "External events"), read-only; its checksum
 * (pf_h5_checksum) is the payload's, computed here; pf_h5_card_yaml gives NULL. */
pf_h5 *pf_h5_open_foreign(const char *path, pf_status *st);
void pf_h5_close(pf_h5 *h);

/* Whole dataset of `rank` dims (rank 0..PF_H5_MAX_RANK); groups are created on demand
 * from the path ("/events/x_true").  units: NULL or a string stored as attribute "units".
 * Datasets of 64 KiB or more are chunked and compressed (shuffle + deflate, level set by
 * pf_h5_set_deflate); smaller ones are contiguous.  MPI: collective; rank 0's data are written. */
int pf_h5_write(pf_h5 *h, const char *dset, pf_h5_type type, int rank, const size_t *dims, const void *data,
                const char *units, pf_status *st);
/* Deflate level 0..9 (0: no compression) for datasets created from now on; default 1.
 * MPI: every rank sets the same level. */
int pf_h5_set_deflate(pf_h5 *h, int level, pf_status *st);
/* Rows [offset, offset + count) of a dataset of global dims `dims` (rows are the first
 * dimension); `data` holds count rows.  The first call creates the dataset, later calls
 * (same type and dims) add rows.  MPI: collective, each rank passes its own rows. */
int pf_h5_write_rows(pf_h5 *h, const char *dset, pf_h5_type type, int rank, const size_t *dims, size_t offset,
                     size_t count, const void *data, const char *units, pf_status *st);

/* Whole dataset converted to `type`; *data is malloc'd (caller frees), dims[PF_H5_MAX_RANK]. */
int pf_h5_read(pf_h5 *h, const char *dset, pf_h5_type type, int *rank, size_t *dims, void **data,
               pf_status *st);
/* Rows [offset, offset + count) into data (count rows of the stored row length). */
int pf_h5_read_rows(pf_h5 *h, const char *dset, pf_h5_type type, size_t offset, size_t count, void *data,
                    pf_status *st);
/* Rank and dims of a dataset without reading it. */
int pf_h5_dims(pf_h5 *h, const char *dset, int *rank, size_t *dims, pf_status *st);
/* 1 if the object (group or dataset) exists, else 0. */
int pf_h5_exists(pf_h5 *h, const char *obj);

/* Structural validation (docs/artefacts.md, "Validation"): a reader calls this before it
 * reads or trusts a dataset, so that a file whose payload is checksum-valid but has the
 * wrong shape or type is refused with a message instead of overrunning a buffer.
 * cls: the stored class (any, floating point, integer); rank: the expected rank;
 * dims[k]: the expected length of dimension k, or PF_H5_ANY_LEN.  `why` (may be NULL)
 * names where an expected length comes from ("n_events + 1").  got (may be NULL,
 * [PF_H5_MAX_RANK]) receives the stored dims.  A mismatch is PF_EFORMAT: "FILE: dataset
 * D: expected ..., got ...". */
typedef enum pf_h5_class { PF_H5_ANY_CLASS = 0, PF_H5_FLOAT_CLASS, PF_H5_INTEGER_CLASS } pf_h5_class;
#define PF_H5_ANY_LEN ((size_t)-1)
int pf_h5_expect(pf_h5 *h, const char *dset, pf_h5_class cls, int rank, const size_t *dims, const char *why,
                 size_t *got, pf_status *st);

/* Declarative structural schemas (docs/artefacts.md, "Validation"): each artefact's reader
 * describes its datasets and attributes in one table, checked by pf_h5_check before any
 * payload is used; value rules are applied by pf_h5_check_values to the data as the reader
 * reads them (no second read).  Lengths are symbols shared between fields: "n_events" is
 * bound by the first field that has it (or preset by the caller, or by an attribute's
 * `bind`), "n_events+1" relates another length to it; a number is a fixed length; NULL
 * is any length. */
enum {
    PF_H5_OPTIONAL = 1u << 0, /* may be absent (the reader decides what it needs) */
    PF_H5_FINITE = 1u << 1,   /* every value finite */
    PF_H5_POSITIVE = 1u << 2, /* every value > 0 (and finite) */
    PF_H5_FLAG = 1u << 3,     /* every value 0 or 1 */
    PF_H5_INDEX = 1u << 4,    /* every value in [lo, bound) (bound: a symbol) */
    PF_H5_OFFSETS = 1u << 5,  /* CSR offsets: first 0, non-decreasing, last = bound (a symbol) */
    PF_H5_RANGE = 1u << 6     /* every value in [lo, hi] */
};
#define PF_H5_MAX_SYMS 32
typedef struct pf_h5_syms {
    size_t n;
    const char *name[PF_H5_MAX_SYMS];
    uint64_t value[PF_H5_MAX_SYMS];
    const char *from[PF_H5_MAX_SYMS];  /* the dataset that bound it, or NULL */
} pf_h5_syms;
/* path: a dataset "/events/x_rec" or a scalar attribute "/events@luminosity_pb" ("/@n_events"
 * on the root) */
typedef struct pf_h5_field {
    const char *path;
    pf_h5_class cls;
    int rank;                          /* datasets */
    const char *dims[PF_H5_MAX_RANK];  /* datasets: "sym", "sym+K", "K", or NULL (any) */
    unsigned rules;                    /* PF_H5_* above */
    const char *bound;                 /* PF_H5_INDEX, PF_H5_OFFSETS */
    double lo, hi;                     /* PF_H5_INDEX (lo), PF_H5_RANGE */
    const char *bind;                  /* integer attributes: the symbol they define */
    const char *what;                  /* value rules: what a value is ("a grid index") */
    const char *unit;                  /* value rules: "row" (default) or "entry" */
} pf_h5_field;
typedef struct pf_h5_schema {
    const char *name;                  /* "partonflow.events" */
    const pf_h5_field *fields;
    size_t n;
} pf_h5_schema;
/* Sets / reads a symbol (names are not copied: string literals).  get: PF_EINVAL if unbound. */
int pf_h5_sym_set(pf_h5_syms *syms, const char *name, uint64_t value, pf_status *st);
int pf_h5_sym_get(const pf_h5_syms *syms, const char *name, uint64_t *value, pf_status *st);
/* Checks every field of s present in h (presence, class, rank, lengths; attributes also
 * their values), binding symbols in syms (which may hold preset ones).  PF_EFORMAT naming the
 * file, the dataset or attribute and what was expected. */
int pf_h5_check(pf_h5 *h, const pf_h5_schema *s, pf_h5_syms *syms, pf_status *st);
/* The value rules of field `path` of s over n values of `type` that the reader read
 * (values first .. first + n - 1 of the dataset, flattened row-major). */
int pf_h5_check_values(pf_h5 *h, const pf_h5_schema *s, const char *path, pf_h5_type type, const void *data,
                       size_t first, size_t n, const pf_h5_syms *syms, pf_status *st);

/* Attributes on any group or dataset (created on demand for writing; "/" is the root).
 * Writers defer them to pf_h5_commit (rank 0 writes them); a get on a writer returns the
 * value set last.  Strings are variable-length UTF-8; *value of
 * get_attr_string and get_attr_doubles is malloc'd (caller frees). */
int pf_h5_set_attr_double(pf_h5 *h, const char *obj, const char *name, double value, pf_status *st);
int pf_h5_set_attr_int64(pf_h5 *h, const char *obj, const char *name, int64_t value, pf_status *st);
int pf_h5_set_attr_uint64(pf_h5 *h, const char *obj, const char *name, uint64_t value, pf_status *st);
int pf_h5_set_attr_string(pf_h5 *h, const char *obj, const char *name, const char *value, pf_status *st);
int pf_h5_set_attr_doubles(pf_h5 *h, const char *obj, const char *name, const double *value, size_t n,
                           pf_status *st);
int pf_h5_get_attr_double(pf_h5 *h, const char *obj, const char *name, double *value, pf_status *st);
int pf_h5_get_attr_int64(pf_h5 *h, const char *obj, const char *name, int64_t *value, pf_status *st);
int pf_h5_get_attr_uint64(pf_h5 *h, const char *obj, const char *name, uint64_t *value, pf_status *st);
int pf_h5_get_attr_string(pf_h5 *h, const char *obj, const char *name, char **value, pf_status *st);
int pf_h5_get_attr_doubles(pf_h5 *h, const char *obj, const char *name, double **value, size_t *n,
                           pf_status *st);

/* Of a file opened for reading: the /meta values. */
const char *pf_h5_card_yaml(const pf_h5 *h);   /* /meta card, for pf_card_parse */
uint64_t pf_h5_checksum(const pf_h5 *h);       /* /meta checksum (e.g. events' theory_checksum) */
const char *pf_h5_path(const pf_h5 *h);

/* The payload checksum of an open file recomputed from its data (what open verifies). */
int pf_h5_payload_checksum(pf_h5 *h, uint64_t *sum, pf_status *st);

/* XXH64 (Y. Collet's xxHash, 64-bit variant) of a byte string, seed 0: the hash behind the
 * payload checksum, exposed for tests and tools. */
uint64_t pf_h5_xxh64(const void *data, size_t len, uint64_t seed);

#endif
