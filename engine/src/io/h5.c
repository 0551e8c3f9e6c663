/* partonflow io: artefact files — create, commit (checksum, /meta, atomic rename), open
 * and verify.  Dataset and attribute access is in h5_data.c.  Layout and checksum are
 * specified in docs/artefacts.md. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "h5_impl.h"
#include "partonflow/par.h"
#include "pf_config.h"

/* ---------------------------------------------------------------- errors ----------- */

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    /* walking downward, the last entry is the innermost cause */
    if (e->desc && e->desc[0])
        snprintf((char *)data, 256, "%s", e->desc);
    return 0;
}

const char *pf_h5_errmsg(char *buf)
{
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, buf);
    if (!buf[0])
        snprintf(buf, 256, "no detail");
    return buf;
}

void pf_h5_quiet(void)
{
    /* the library never prints: HDF5's automatic error stack printing is turned off and
     * its messages are folded into pf_status instead */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* ---------------------------------------------------------------- handles ---------- */

static char *dupstr(const char *s) { return strdup(s ? s : ""); }

static void free_handle(pf_h5 *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nattrs; i++) {
        free(h->attrs[i].obj);
        free(h->attrs[i].name);
        free(h->attrs[i].value);
    }
    free(h->attrs);
    free(h->path);
    free(h->tmp);
    free(h->schema);
    free(h->card_yaml);
    free(h->command_line);
    free(h->device);
    free(h);
}

hid_t pf_h5_gcpl(void)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(p, 0); /* no timestamps: same inputs give the same bytes */
    return p;
}

static hid_t make_fapl(int parallel)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
#ifdef PF_HAVE_MPI
    if (parallel) {
        H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
        H5Pset_coll_metadata_write(fapl, 1);
    }
#else
    (void)parallel;
#endif
    return fapl;
}

/* Every rank returns rank 0's status (after a step only rank 0 did). */
static int share_status(int rc, pf_status *st)
{
    if (pf_par_size() <= 1)
        return rc;
    pf_status tmp;
    pf_status_clear(&tmp);
    if (pf_par_rank() == 0 && rc != PF_OK)
        tmp = *st;
    pf_par_bcast(&tmp, sizeof tmp, NULL);
    if (tmp.code != PF_OK && st)
        *st = tmp;
    return tmp.code;
}

/* The output path is checked before any work is written, so that a wrong --out (empty, a
 * directory, a missing or unwritable folder) is reported as bad input naming the path,
 * not as an I/O failure at the final rename. */
static int check_out_path(const char *path, pf_status *st)
{
    if (!path || !path[0])
        return pf_status_set(st, PF_EINVAL, "output path is empty: expected a file name such as 'out.h5'");
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return pf_status_set(st, PF_EINVAL, "%s: is a directory, expected the path of the file to write", path);
    /* replacing a device, FIFO or socket by a regular file would destroy it (as root) */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return pf_status_set(st, PF_EINVAL, "%s: exists and is not a regular file: expected a new file name or an "
                             "artefact to replace", path);
    char *dir = strdup(path);
    if (!dir)
        return pf_status_set(st, PF_ENOMEM, "%s: out of memory", path);
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    int rc = PF_OK;
    if (stat(d, &sb) != 0)
        rc = pf_status_set(st, PF_EINVAL, "%s: cannot write into folder '%s': %s", path, d, strerror(errno));
    else if (!S_ISDIR(sb.st_mode))
        rc = pf_status_set(st, PF_EINVAL, "%s: '%s' is not a folder", path, d);
    else if (access(d, W_OK | X_OK) != 0)
        rc = pf_status_set(st, PF_EINVAL, "%s: cannot write into folder '%s': %s", path, d, strerror(errno));
    free(dir);
    return rc;
}

/* Removes "<path>.tmp-<pid>" files left by writers of the same path that died (kill -9,
 * node failure): a pid that no longer exists on this host (kill(pid, 0) fails with ESRCH)
 * is stale.  Temporaries of live processes, including other runs writing the same path,
 * are left alone.  A temporary written by another host of a cluster whose pid happens to
 * be free here would be removed too: two runs writing one output from two hosts at once
 * already race for the final name (docs/artefacts.md, "Atomic writes"). */
static void remove_stale_temporaries(const char *path, long own_pid)
{
    char *dir = strdup(path);
    if (!dir) return;
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    if (slash == dir) base = path + 1;
    const size_t bl = strlen(base);
    DIR *dh = opendir(d);
    if (dh) {
        struct dirent *e;
        while ((e = readdir(dh)) != NULL) {
            const char *n = e->d_name;
            if (strncmp(n, base, bl) || strncmp(n + bl, ".tmp-", 5)) continue;
            const char *digits = n + bl + 5;
            if (!*digits || strspn(digits, "0123456789") != strlen(digits) || strlen(digits) > 9) continue;
            const long pid = strtol(digits, NULL, 10);
            if (pid <= 0 || pid == own_pid) continue;
            if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours to judge */
            char full[4096];
            if (snprintf(full, sizeof full, "%s/%s", d, n) < (int)sizeof full) unlink(full);
        }
        closedir(dh);
    }
    free(dir);
}

pf_h5 *pf_h5_create(const char *path, const char *schema, int schema_version, const pf_h5_meta *meta,
                    pf_status *st)
{
    pf_h5_quiet();
    {
        pf_status tmp;
        pf_status_clear(&tmp);
        const int bad = check_out_path(path, &tmp) != PF_OK;
        if (pf_par_max_int(bad)) {
            if (bad && st)
                *st = tmp;
            else
                pf_status_set(st, PF_EINVAL, "%s: output path refused on another rank", path);
            return NULL;
        }
    }
    pf_h5 *h = calloc(1, sizeof *h);
    if (!h) {
        pf_status_set(st, PF_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    h->file = H5I_INVALID_HID;
    h->writing = 1;
    h->parallel = pf_par_size() > 1;
    h->deflate = PF_H5_DEFAULT_DEFLATE;
    long pid = (long)getpid();
    pf_par_bcast(&pid, sizeof pid, NULL); /* one temporary name for all ranks */
    size_t len = strlen(path) + 32;
    h->path = dupstr(path);
    h->tmp = malloc(len);
    h->schema = dupstr(schema);
    h->version = schema_version;
    h->card_yaml = dupstr(meta ? meta->card_yaml : NULL);
    h->command_line = dupstr(meta ? meta->command_line : NULL);
    h->has_seed = meta ? meta->has_seed : 0;
    h->seed = meta ? meta->seed : 0;
    h->device = dupstr("cpu");
    if (!h->path || !h->tmp || !h->schema || !h->card_yaml || !h->command_line || !h->device) {
        free_handle(h);
        pf_status_set(st, PF_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    snprintf(h->tmp, len, "%s.tmp-%ld", path, pid);
    if (pf_par_rank() == 0) remove_stale_temporaries(path, pid);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0); /* the root group */
    hid_t fapl = make_fapl(h->parallel);
    errno = 0;
    h->file = H5Fcreate(h->tmp, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    int bad = pf_par_max_int(h->file < 0);
    if (bad) {
        char e[256];
        const int err = errno;
        if (h->file < 0 && !strcmp(pf_h5_errmsg(e), "no detail") && err)
            snprintf(e, sizeof e, "%s", strerror(err));
        pf_status_set(st, PF_EIO, "%s: cannot create the temporary file %s (%s)", path, h->tmp,
                      h->file < 0 ? e : "failed on another rank");
        if (h->file >= 0)
            H5Fclose(h->file);
        if (pf_par_rank() == 0)
            unlink(h->tmp);
        free_handle(h);
        return NULL;
    }
    return h;
}

void pf_h5_abort(pf_h5 *h)
{
    if (!h)
        return;
    if (h->file >= 0)
        H5Fclose(h->file);
    if (h->writing) {
        pf_par_barrier();
        if (pf_par_rank() == 0)
            unlink(h->tmp);
    }
    free_handle(h);
}

static void iso_time(char *buf, size_t len)
{
    /* reproducible builds: SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/
     * source-date-epoch/) replaces the clock when set */
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (*end == '\0' && errno == 0 && v >= 0)
            t = (time_t)v;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int pf_h5_set_device(pf_h5 *h, const char *device, pf_status *st)
{
    if (!h->writing)
        return pf_status_set(st, PF_EINVAL, "%s: pf_h5_set_device: the file is open for reading", h->path);
    char *d = dupstr(device && *device ? device : "cpu");
    if (!d)
        return pf_status_set(st, PF_ENOMEM, "%s: out of memory", h->path);
    free(h->device);
    h->device = d;
    return PF_OK;
}

static int write_meta(pf_h5 *h, hid_t file, pf_status *st)
{
    hid_t gcpl = pf_h5_gcpl();
    /* a writer may have put a location attribute there already (pf_h5_meta_volatile) */
    hid_t g = H5Lexists(file, "/meta", H5P_DEFAULT) > 0 ? H5Gopen2(file, "/meta", H5P_DEFAULT)
                                                        : H5Gcreate2(file, "/meta", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) {
        char e[256];
        return pf_status_set(st, PF_EIO, "%s: cannot create /meta (%s)", h->path, pf_h5_errmsg(e));
    }
    char created[64];
    iso_time(created, sizeof created);
    int64_t version = h->version;
    int rc = PF_OK;
    rc = rc ? rc : pf_h5_attr_write(g, h->path, "partonflow_version", PF_ATTR_STRING, PF_VERSION, 1, st);
    rc = rc ? rc : pf_h5_attr_write(g, h->path, "schema", PF_ATTR_STRING, h->schema, 1, st);
    rc = rc ? rc : pf_h5_attr_write(g, h->path, "schema_version", PF_ATTR_INT64, &version, 1, st);
    rc = rc ? rc : pf_h5_attr_write(g, h->path, "card", PF_ATTR_STRING, h->card_yaml, 1, st);
    rc = rc ? rc : pf_h5_attr_write(g, h->path, "command_line", PF_ATTR_STRING, h->command_line, 1, st);
    rc = rc ? rc : pf_h5_attr_write(g, h->path, "created", PF_ATTR_STRING, created, 1, st);
    if (h->device) /* writers only (a handle opened for reading has none) */
        rc = rc ? rc : pf_h5_attr_write(g, h->path, "device", PF_ATTR_STRING, h->device, 1, st);
    if (h->has_seed)
        rc = rc ? rc : pf_h5_attr_write(g, h->path, "seed", PF_ATTR_UINT64, &h->seed, 1, st);
    rc = rc ? rc : pf_h5_attr_write(g, h->path, "checksum_algorithm", PF_ATTR_STRING, PF_H5_CHECKSUM_ALGORITHM, 1, st);
    H5Gclose(g);
    return rc;
}

/* The checksum of everything written so far (/meta included, pf_h5_meta_volatile aside),
 * stored as /meta checksum: the last attribute written. */
static int write_checksum(pf_h5 *h, hid_t file, pf_status *st)
{
    uint64_t sum = 0;
    int rc = pf_h5_checksum_file(file, h->path, &sum, st);
    if (rc) return rc;
    hid_t g = H5Gopen2(file, "/meta", H5P_DEFAULT);
    if (g < 0) return pf_status_set(st, PF_EIO, "%s: cannot reopen /meta", h->path);
    rc = pf_h5_attr_write(g, h->path, "checksum", PF_ATTR_UINT64, &sum, 1, st);
    H5Gclose(g);
    return rc;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Rank 0, after every rank closed the file: deferred attributes, checksum, /meta, rename. */
static int finish_on_rank0(pf_h5 *h, pf_status *st)
{
    char e[256];
    hid_t file = H5Fopen(h->tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0)
        return pf_status_set(st, PF_EIO, "%s: cannot reopen the temporary %s (%s)", h->path, h->tmp, pf_h5_errmsg(e));
    int rc = PF_OK;
    for (size_t i = 0; i < h->nattrs && rc == PF_OK; i++) {
        pf_h5_pending *a = &h->attrs[i];
        hid_t obj = pf_h5_open_or_create_obj(file, h->path, a->obj, st);
        if (obj < 0) {
            rc = st->code;
            break;
        }
        rc = pf_h5_attr_write(obj, h->path, a->name, a->kind, a->value, a->n, st);
        H5Oclose(obj);
    }
    if (rc == PF_OK)
        rc = write_meta(h, file, st);
    if (rc == PF_OK)
        rc = write_checksum(h, file, st);
    if (H5Fclose(file) < 0 && rc == PF_OK)
        rc = pf_status_set(st, PF_EIO, "%s: closing the temporary failed (%s)", h->path, pf_h5_errmsg(e));
    if (rc == PF_OK && fsync_path(h->tmp) != 0)
        rc = pf_status_set(st, PF_EIO, "%s: fsync of %s failed: %s", h->path, h->tmp, strerror(errno));
    if (rc == PF_OK && rename(h->tmp, h->path) != 0)
        rc = pf_status_set(st, PF_EIO, "%s: cannot rename %s to it: %s", h->path, h->tmp, strerror(errno));
    if (rc != PF_OK)
        unlink(h->tmp);
    return rc;
}

int pf_h5_commit(pf_h5 *h, pf_status *st)
{
    if (!h)
        return pf_status_set(st, PF_EINVAL, "pf_h5_commit: no file");
    if (!h->writing) {
        pf_h5_close(h);
        return pf_status_set(st, PF_EINVAL, "pf_h5_commit: file was opened for reading");
    }
    char e[256];
    int rc = PF_OK;
    /* the same close-and-reopen sequence for 1 and N ranks, so that files match */
    if (H5Fclose(h->file) < 0)
        rc = pf_status_set(st, PF_EIO, "%s: closing the temporary failed (%s)", h->path, pf_h5_errmsg(e));
    h->file = H5I_INVALID_HID;
    rc = pf_par_max_int(rc != PF_OK) ? (rc != PF_OK ? rc : pf_status_set(st, PF_EIO, "%s: closing failed on "
                                                                              "another rank", h->path))
                                     : PF_OK;
    if (rc == PF_OK) {
        if (pf_par_rank() == 0)
            rc = finish_on_rank0(h, st);
        rc = share_status(rc, st);
    } else if (pf_par_rank() == 0) {
        unlink(h->tmp);
    }
    free_handle(h);
    return rc;
}

/* ---------------------------------------------------------------- reading ---------- */

static int read_meta(pf_h5 *h, pf_status *st)
{
    if (H5Lexists(h->file, "meta", H5P_DEFAULT) <= 0)
        return pf_status_set(st, PF_EFORMAT, "%s: no /meta group: not a partonflow artefact", h->path);
    hid_t g = H5Gopen2(h->file, "/meta", H5P_DEFAULT);
    if (g < 0)
        return pf_status_set(st, PF_EFORMAT, "%s: /meta is not a group: not a partonflow artefact", h->path);
    int64_t version = 0;
    uint64_t sum = 0;
    int rc = pf_h5_attr_read_string(g, h->path, "/meta", "schema", &h->schema, st);
    rc = rc ? rc : pf_h5_attr_read_scalar(g, h->path, "/meta", "schema_version", PF_ATTR_INT64, &version, st);
    rc = rc ? rc : pf_h5_attr_read_string(g, h->path, "/meta", "card", &h->card_yaml, st);
    rc = rc ? rc : pf_h5_attr_read_string(g, h->path, "/meta", "command_line", &h->command_line, st);
    rc = rc ? rc : pf_h5_attr_read_scalar(g, h->path, "/meta", "checksum", PF_ATTR_UINT64, &sum, st);
    if (rc == PF_OK) { /* the checksum's scope: older files left /meta unprotected */
        char *alg = NULL;
        if (H5Aexists(g, "checksum_algorithm") > 0)
            rc = pf_h5_attr_read_string(g, h->path, "/meta", "checksum_algorithm", &alg, st);
        if (rc == PF_OK && (!alg || strcmp(alg, PF_H5_CHECKSUM_ALGORITHM))) {
            const int v1 = alg && !strcmp(alg, PF_H5_CHECKSUM_ALGORITHM_V1);
            pf_status_set(st, PF_EFORMAT, "%s: /meta checksum_algorithm '%s'%s; this build reads '%s': make the "
                          "file again with this version", h->path, alg ? alg : "(none)",
                          v1 ? " (an older partonflow's, whose checksum left /meta unprotected)" : "",
                          PF_H5_CHECKSUM_ALGORITHM);
            free(alg);
            H5Gclose(g);
            return PF_EFORMAT;
        }
        free(alg);
    }
    if (rc == PF_OK && H5Aexists(g, "seed") > 0) {
        h->has_seed = 1;
        rc = pf_h5_attr_read_scalar(g, h->path, "/meta", "seed", PF_ATTR_UINT64, &h->seed, st);
    }
    H5Gclose(g);
    if (rc != PF_OK)
        return pf_status_set(st, PF_EFORMAT, "%s: incomplete /meta (%s)", h->path, st->msg);
    h->version = (int)version;
    h->checksum = sum;
    return PF_OK;
}

pf_h5 *pf_h5_open(const char *path, const char *schema, int schema_version, pf_status *st)
{
    pf_h5_quiet();
    char e[256];
    struct stat sb;
    if (stat(path, &sb) != 0) {
        /* a missing or unreadable input is bad input (exit 2), like a missing card */
        pf_status_set(st, PF_EINVAL, "%s: cannot open: %s (expected an existing artefact)", path, strerror(errno));
        return NULL;
    }
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) {
        pf_status_set(st, PF_EFORMAT, "%s: not an HDF5 file (no HDF5 signature)", path);
        return NULL;
    }
    pf_h5 *h = calloc(1, sizeof *h);
    if (!h || !(h->path = dupstr(path))) {
        free(h);
        pf_status_set(st, PF_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    h->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0) {
        pf_status_set(st, PF_EFORMAT, "%s: truncated or damaged HDF5 file (HDF5: %s)", path, pf_h5_errmsg(e));
        free_handle(h);
        return NULL;
    }
    int rc = read_meta(h, st);
    if (rc == PF_OK && schema && strcmp(h->schema, schema))
        rc = pf_status_set(st, PF_EFORMAT, "%s: schema '%s', expected '%s' (wrong kind of artefact)", path, h->schema,
                           schema);
    if (rc == PF_OK && schema && h->version != schema_version)
        rc = pf_status_set(st, PF_EFORMAT, "%s: schema '%s' version %d, this build reads version %d", path, h->schema,
                           h->version, schema_version);
    uint64_t sum = 0;
    if (rc == PF_OK)
        rc = pf_h5_checksum_file(h->file, path, &sum, st);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    /* fuzz builds only (-Dfuzz=true, tests/fuzz): a mutated file would almost never match
     * its checksum, so the structural validation behind it would never be reached */
    h->checksum = sum;
#endif
    if (rc == PF_OK && sum != h->checksum)
        rc = pf_status_set(st, PF_ECHECKSUM, "%s: checksum mismatch: /meta says %016llx, the payload gives %016llx "
                           "(the file was damaged or modified after it was written)", path,
                           (unsigned long long)h->checksum, (unsigned long long)sum);
    if (rc != PF_OK) {
        pf_h5_close(h);
        return NULL;
    }
    return h;
}

pf_h5 *pf_h5_open_foreign(const char *path, pf_status *st)
{
    pf_h5_quiet();
    char e[256];
    struct stat sb;
    if (stat(path, &sb) != 0) {
        pf_status_set(st, PF_EINVAL, "%s: cannot open: %s (expected an existing HDF5 file)", path, strerror(errno));
        return NULL;
    }
    if (H5Fis_hdf5(path) <= 0) {
        pf_status_set(st, PF_EFORMAT, "%s: not an HDF5 file (no HDF5 signature)", path);
        return NULL;
    }
    pf_h5 *h = calloc(1, sizeof *h);
    if (!h || !(h->path = dupstr(path)) || !(h->schema = dupstr(""))) {
        if (h) free_handle(h);
        pf_status_set(st, PF_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    h->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0) {
        pf_status_set(st, PF_EFORMAT, "%s: truncated or damaged HDF5 file (HDF5: %s)", path, pf_h5_errmsg(e));
        free_handle(h);
        return NULL;
    }
    /* no stored checksum to verify: the payload's own identifies the file (pf_h5_checksum) */
    if (pf_h5_checksum_file(h->file, path, &h->checksum, st) != PF_OK) {
        pf_h5_close(h);
        return NULL;
    }
    return h;
}

void pf_h5_close(pf_h5 *h)
{
    if (!h)
        return;
    if (h->writing) {
        pf_h5_abort(h);
        return;
    }
    if (h->file >= 0)
        H5Fclose(h->file);
    free_handle(h);
}

const char *pf_h5_card_yaml(const pf_h5 *h) { return h ? h->card_yaml : NULL; }
uint64_t pf_h5_checksum(const pf_h5 *h) { return h ? h->checksum : 0; }
const char *pf_h5_path(const pf_h5 *h) { return h ? h->path : NULL; }

int pf_h5_payload_checksum(pf_h5 *h, uint64_t *sum, pf_status *st)
{
    if (h->writing)
        return pf_status_set(st, PF_EINVAL, "%s: the checksum of a file being written is computed at commit",
                             h->path);
    return pf_h5_checksum_file(h->file, h->path, sum, st);
}
