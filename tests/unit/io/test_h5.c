/* HDF5 artefacts: round trip of every dataset and attribute type, /meta contents, a
 * checksum that does not depend on how rows were written, byte-identical files for the
 * same inputs, and rejection (with the file and the cause named) of truncated, foreign,
 * wrong-schema, wrong-version and modified files; a writer killed before commit leaves no
 * file under the final name. */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <hdf5.h>

#include "partonflow/h5.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/pf_h5_testXXXXXX");
    if (!mkdtemp(dir))
        return -1;
    setenv("SOURCE_DATE_EPOCH", "1764028800", 1); /* 2025-11-25T00:00:00Z */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static const char *fpath(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

#define NBIG 50000 /* 400 kB of doubles: chunked and compressed */

static const pf_h5_meta META = {"theory: {order: NLO}\n", "partonflow test --x 1", 1, 18446744073709551557ULL};

static int sample_deflate = -1; /* -1: the layer's default */

/* Writes a file with every type; rows_in_pieces writes the big dataset in 3 uneven pieces. */
static void write_sample(const char *path, int rows_in_pieces, const char *schema, int version)
{
    pf_status st;
    pf_h5 *h = pf_h5_create(path, schema, version, &META, &st);
    if (!h)
        fail_msg("%s", st.msg);
    if (sample_deflate >= 0)
        assert_int_equal(pf_h5_set_deflate(h, sample_deflate, &st), PF_OK);
    assert_int_equal(pf_h5_set_device(h, "cuda:Test GPU 80GB", &st), PF_OK);
    double *big = malloc(NBIG * sizeof *big);
    for (size_t i = 0; i < NBIG; i++)
        big[i] = 1.0 / (double)(i + 1) + (double)i;
    size_t dbig[1] = {NBIG};
    if (rows_in_pieces) {
        size_t cut[4] = {0, 777, 31000, NBIG};
        for (int p = 2; p >= 0; p--) /* out of order on purpose */
            assert_int_equal(pf_h5_write_rows(h, "/events/x", PF_H5_DOUBLE, 1, dbig, cut[p], cut[p + 1] - cut[p],
                                              big + cut[p], "1", &st), PF_OK);
    } else {
        assert_int_equal(pf_h5_write(h, "/events/x", PF_H5_DOUBLE, 1, dbig, big, "1", &st), PF_OK);
    }
    float f[2][3] = {{1.5f, -2.25f, 3}, {4, 5, 6e-3f}};
    int32_t i32[4] = {-1, 0, 1, INT32_MAX};
    int64_t i64[2][2][2] = {{{INT64_MIN, -1}, {0, 1}}, {{2, 3}, {4, INT64_MAX}}};
    uint64_t u64[3] = {0, 1, UINT64_MAX};
    uint8_t u8[5] = {0, 1, 2, 254, 255};
    double scalar = 3.25, contig[16];
    for (int i = 0; i < 16; i++)
        contig[i] = i * 0.5;
    size_t d23[2] = {2, 3}, d4[1] = {4}, d222[3] = {2, 2, 2}, d3[1] = {3}, d5[1] = {5}, d16[1] = {16}, d0[1] = {0};
    assert_int_equal(pf_h5_write(h, "/t/float", PF_H5_FLOAT, 2, d23, f, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_write(h, "/t/int32", PF_H5_INT32, 1, d4, i32, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_write(h, "/t/int64", PF_H5_INT64, 3, d222, i64, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_write(h, "/t/uint64", PF_H5_UINT64, 1, d3, u64, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_write(h, "/events/accepted", PF_H5_UINT8, 1, d5, u8, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_write(h, "/t/scalar", PF_H5_DOUBLE, 0, NULL, &scalar, "GeV", &st), PF_OK);
    assert_int_equal(pf_h5_write(h, "/small/contig", PF_H5_DOUBLE, 1, d16, contig, "pb", &st), PF_OK);
    assert_int_equal(pf_h5_write(h, "/t/empty", PF_H5_DOUBLE, 1, d0, NULL, NULL, &st), PF_OK);
    double cuts[3] = {4.0, 1000.0, 1e-3};
    assert_int_equal(pf_h5_set_attr_double(h, "/events", "cross_section_pb", 1234.5, &st), PF_OK);
    assert_int_equal(pf_h5_set_attr_int64(h, "/events", "n_generated", -42, &st), PF_OK);
    assert_int_equal(pf_h5_set_attr_uint64(h, "/events", "seed", UINT64_MAX, &st), PF_OK);
    assert_int_equal(pf_h5_set_attr_string(h, "/events", "note", "μ-scale ok", &st), PF_OK);
    assert_int_equal(pf_h5_set_attr_doubles(h, "/events/x", "cuts", cuts, 3, &st), PF_OK);
    assert_int_equal(pf_h5_set_attr_string(h, "/", "root_note", "at the root", &st), PF_OK);
    assert_int_equal(pf_h5_set_attr_double(h, "/grid/new", "made_on_demand", 1.0, &st), PF_OK);
    /* a writer reads back its own pending attributes */
    double v = 0;
    assert_int_equal(pf_h5_get_attr_double(h, "/events", "cross_section_pb", &v, &st), PF_OK);
    assert_true(v == 1234.5);
    free(big);
    if (pf_h5_commit(h, &st) != PF_OK)
        fail_msg("%s", st.msg);
}

static void test_round_trip_of_every_type_and_attribute(void **state)
{
    (void)state;
    const char *p = fpath("rt.h5");
    write_sample(p, 0, "partonflow.test", 3);
    pf_status st;
    pf_h5 *h = pf_h5_open(p, "partonflow.test", 3, &st);
    if (!h)
        fail_msg("%s", st.msg);
    int rank;
    size_t dims[PF_H5_MAX_RANK];
    void *data;
    assert_int_equal(pf_h5_read(h, "/events/x", PF_H5_DOUBLE, &rank, dims, &data, &st), PF_OK);
    assert_int_equal(rank, 1);
    assert_int_equal(dims[0], NBIG);
    for (size_t i = 0; i < NBIG; i++)
        assert_true(((double *)data)[i] == 1.0 / (double)(i + 1) + (double)i);
    free(data);
    double rows[10];
    assert_int_equal(pf_h5_read_rows(h, "/events/x", PF_H5_DOUBLE, 49990, 10, rows, &st), PF_OK);
    assert_true(rows[9] == 1.0 / 50000.0 + 49999.0);
    assert_int_equal(pf_h5_read_rows(h, "/events/x", PF_H5_DOUBLE, 49995, 10, rows, &st), PF_EINVAL);

    assert_int_equal(pf_h5_read(h, "/t/float", PF_H5_FLOAT, &rank, dims, &data, &st), PF_OK);
    assert_true(rank == 2 && dims[0] == 2 && dims[1] == 3);
    assert_true(((float *)data)[1] == -2.25f && ((float *)data)[5] == 6e-3f);
    free(data);
    assert_int_equal(pf_h5_read(h, "/t/float", PF_H5_DOUBLE, &rank, dims, &data, &st), PF_OK); /* converted */
    assert_true(((double *)data)[5] == (double)6e-3f);
    free(data);
    assert_int_equal(pf_h5_read(h, "/t/int32", PF_H5_INT32, &rank, dims, &data, &st), PF_OK);
    assert_true(((int32_t *)data)[0] == -1 && ((int32_t *)data)[3] == INT32_MAX);
    free(data);
    assert_int_equal(pf_h5_read(h, "/t/int64", PF_H5_INT64, &rank, dims, &data, &st), PF_OK);
    assert_true(rank == 3 && dims[2] == 2);
    assert_true(((int64_t *)data)[0] == INT64_MIN && ((int64_t *)data)[7] == INT64_MAX);
    free(data);
    assert_int_equal(pf_h5_read(h, "/t/uint64", PF_H5_UINT64, &rank, dims, &data, &st), PF_OK);
    assert_true(((uint64_t *)data)[2] == UINT64_MAX);
    free(data);
    assert_int_equal(pf_h5_read(h, "/events/accepted", PF_H5_UINT8, &rank, dims, &data, &st), PF_OK);
    assert_true(((uint8_t *)data)[3] == 254 && dims[0] == 5);
    free(data);
    assert_int_equal(pf_h5_read(h, "/t/scalar", PF_H5_DOUBLE, &rank, dims, &data, &st), PF_OK);
    assert_true(rank == 0 && *(double *)data == 3.25);
    free(data);
    assert_int_equal(pf_h5_read(h, "/t/empty", PF_H5_DOUBLE, &rank, dims, &data, &st), PF_OK);
    assert_true(rank == 1 && dims[0] == 0);
    free(data);
    assert_int_equal(pf_h5_dims(h, "/small/contig", &rank, dims, &st), PF_OK);
    assert_true(rank == 1 && dims[0] == 16);
    assert_int_equal(pf_h5_read(h, "/no/such", PF_H5_DOUBLE, &rank, dims, &data, &st), PF_EFORMAT);
    assert_non_null(strstr(st.msg, "no dataset /no/such"));

    double dv;
    int64_t iv;
    uint64_t uv;
    char *s;
    double *arr;
    size_t n;
    assert_int_equal(pf_h5_get_attr_double(h, "/events", "cross_section_pb", &dv, &st), PF_OK);
    assert_true(dv == 1234.5);
    assert_int_equal(pf_h5_get_attr_int64(h, "/events", "n_generated", &iv, &st), PF_OK);
    assert_true(iv == -42);
    assert_int_equal(pf_h5_get_attr_uint64(h, "/events", "seed", &uv, &st), PF_OK);
    assert_true(uv == UINT64_MAX);
    assert_int_equal(pf_h5_get_attr_string(h, "/events", "note", &s, &st), PF_OK);
    assert_string_equal(s, "μ-scale ok");
    free(s);
    assert_int_equal(pf_h5_get_attr_doubles(h, "/events/x", "cuts", &arr, &n, &st), PF_OK);
    assert_true(n == 3 && arr[0] == 4.0 && arr[2] == 1e-3);
    free(arr);
    assert_int_equal(pf_h5_get_attr_string(h, "/events/x", "units", &s, &st), PF_OK);
    assert_string_equal(s, "1");
    free(s);
    assert_int_equal(pf_h5_get_attr_string(h, "/t/scalar", "units", &s, &st), PF_OK);
    assert_string_equal(s, "GeV");
    free(s);
    assert_int_equal(pf_h5_get_attr_string(h, "/", "root_note", &s, &st), PF_OK);
    free(s);
    assert_true(pf_h5_exists(h, "/grid/new") && !pf_h5_exists(h, "/grid/old"));
    assert_int_equal(pf_h5_get_attr_double(h, "/events", "missing", &dv, &st), PF_EFORMAT);
    assert_non_null(strstr(st.msg, "/events has no attribute 'missing'"));

    /* /meta */
    assert_string_equal(pf_h5_card_yaml(h), META.card_yaml);
    assert_int_equal(pf_h5_get_attr_string(h, "/meta", "command_line", &s, &st), PF_OK);
    assert_string_equal(s, META.command_line);
    free(s);
    assert_int_equal(pf_h5_get_attr_string(h, "/meta", "created", &s, &st), PF_OK);
    assert_string_equal(s, "2025-11-25T00:00:00Z"); /* SOURCE_DATE_EPOCH */
    free(s);
    assert_int_equal(pf_h5_get_attr_string(h, "/meta", "device", &s, &st), PF_OK);
    assert_string_equal(s, "cuda:Test GPU 80GB"); /* pf_h5_set_device in write_sample */
    free(s);
    assert_int_equal(pf_h5_get_attr_string(h, "/meta", "partonflow_version", &s, &st), PF_OK);
    assert_true(strlen(s) > 0);
    free(s);
    assert_int_equal(pf_h5_get_attr_uint64(h, "/meta", "seed", &uv, &st), PF_OK);
    assert_true(uv == META.seed);
    assert_int_equal(pf_h5_get_attr_int64(h, "/meta", "schema_version", &iv, &st), PF_OK);
    assert_true(iv == 3);
    uint64_t sum;
    assert_int_equal(pf_h5_payload_checksum(h, &sum, &st), PF_OK);
    assert_true(sum == pf_h5_checksum(h) && sum != 0);
    pf_h5_close(h);
    assert_int_equal(access(fpath("rt.h5.tmp-0"), F_OK), -1);
}

static uint64_t checksum_of(const char *path)
{
    pf_status st;
    pf_h5 *h = pf_h5_open(path, NULL, 0, &st);
    if (!h)
        fail_msg("%s", st.msg);
    uint64_t s = pf_h5_checksum(h);
    pf_h5_close(h);
    return s;
}

static int same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static void test_same_inputs_give_the_same_bytes_and_checksum(void **state)
{
    (void)state;
    write_sample(fpath("a.h5"), 0, "partonflow.test", 1);
    write_sample(fpath("b.h5"), 0, "partonflow.test", 1);
    write_sample(fpath("c.h5"), 1, "partonflow.test", 1);
    assert_true(same_bytes(fpath("a.h5"), fpath("b.h5"))); /* no timestamps anywhere */
    /* rows written in three pieces: same payload, same checksum */
    assert_true(checksum_of(fpath("a.h5")) == checksum_of(fpath("c.h5")));
    /* uncompressed: a bigger file with the same payload checksum */
    sample_deflate = 0;
    write_sample(fpath("e.h5"), 0, "partonflow.test", 1);
    sample_deflate = -1;
    struct stat sa, se;
    assert_int_equal(stat(fpath("a.h5"), &sa), 0);
    assert_int_equal(stat(fpath("e.h5"), &se), 0);
    assert_true(se.st_size > sa.st_size + 100000);
    assert_true(checksum_of(fpath("a.h5")) == checksum_of(fpath("e.h5")));
    /* the checksum covers /meta too (issue 15): another schema version changes it */
    write_sample(fpath("d.h5"), 0, "partonflow.test", 2);
    assert_true(checksum_of(fpath("a.h5")) != checksum_of(fpath("d.h5")));
}

/* Sets a string attribute of /meta with HDF5 directly, as an editing tool would. */
static void set_meta_string(const char *path, const char *name, const char *value)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t g = H5Gopen2(f, "/meta", H5P_DEFAULT);
    assert_true(g >= 0);
    if (H5Aexists(g, name) > 0) H5Adelete(g, name);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, t, &value) >= 0);
    H5Aclose(a); H5Sclose(sp); H5Tclose(t); H5Gclose(g); H5Fclose(f);
}

static void expect_open_fails(const char *path, const char *schema, int version, int code, const char *msg);

static void test_meta_is_inside_the_checksum_and_old_files_are_refused(void **state)
{
    (void)state;
    /* the card that later stages trust: an edit is a checksum mismatch */
    const char *p = fpath("meta_card.h5");
    write_sample(p, 0, "partonflow.test", 1);
    set_meta_string(p, "card", "theory: {order: LO}\n");
    expect_open_fails(p, "partonflow.test", 1, PF_ECHECKSUM, "checksum mismatch");
    /* the volatile attributes are outside it: the time, the command line, the device */
    const char *q = fpath("meta_cmd.h5");
    write_sample(q, 0, "partonflow.test", 1);
    set_meta_string(q, "command_line", "partonflow test --threads 7");
    set_meta_string(q, "created", "1970-01-01T00:00:00Z");
    pf_status st;
    pf_status_clear(&st);
    pf_h5 *h = pf_h5_open(q, "partonflow.test", 1, &st);
    if (!h) fail_msg("%s", st.msg);
    pf_h5_close(h);
    /* a file whose checksum left /meta unprotected (v1) is refused, saying so */
    const char *r = fpath("meta_v1.h5");
    write_sample(r, 0, "partonflow.test", 1);
    set_meta_string(r, "checksum_algorithm", "xxh64 of the payload in sorted path order, docs/artefacts.md (v1)");
    expect_open_fails(r, "partonflow.test", 1, PF_EFORMAT, "left /meta unprotected");
}

static void expect_open_fails(const char *path, const char *schema, int version, int code, const char *msg)
{
    pf_status st;
    pf_status_clear(&st);
    pf_h5 *h = pf_h5_open(path, schema, version, &st);
    if (h || st.code != code || !strstr(st.msg, msg) || !strstr(st.msg, path))
        fail_msg("open %s: expected code %d with \"%s\", got %d \"%s\"", path, code, msg, st.code, st.msg);
}

static void test_wrong_schema_name_or_version_is_refused(void **state)
{
    (void)state;
    const char *p = fpath("schema.h5");
    write_sample(p, 0, "partonflow.events", 1);
    expect_open_fails(p, "partonflow.events", 2, PF_EFORMAT,
                      "schema 'partonflow.events' version 1, this build reads version 2");
    expect_open_fails(p, "partonflow.theory", 1, PF_EFORMAT, "schema 'partonflow.events', expected 'partonflow.theory'");
}

static void test_truncated_and_foreign_files_are_refused(void **state)
{
    (void)state;
    const char *p = fpath("trunc.h5");
    write_sample(p, 0, "partonflow.test", 1);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(truncate(p, sb.st_size / 2), 0);
    expect_open_fails(p, "partonflow.test", 1, PF_EFORMAT, "truncated or damaged HDF5 file");
    const char *q = fpath("text.h5");
    FILE *f = fopen(q, "w");
    fputs("this is not HDF5\n", f);
    fclose(f);
    expect_open_fails(q, "partonflow.test", 1, PF_EFORMAT, "not an HDF5 file");
    expect_open_fails(fpath("missing.h5"), "partonflow.test", 1, PF_EINVAL, "cannot open");
    /* an HDF5 file without /meta is not an artefact */
    const char *r = fpath("plain.h5");
    hid_t fid = H5Fcreate(r, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(fid);
    expect_open_fails(r, "partonflow.test", 1, PF_EFORMAT, "no /meta group");
}

static void flip_byte(const char *path, long long offset)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseeko(f, (off_t)offset, SEEK_SET), 0);
    int c = fgetc(f);
    assert_int_not_equal(c, EOF);
    assert_int_equal(fseeko(f, (off_t)offset, SEEK_SET), 0);
    fputc(c ^ 0x10, f);
    fclose(f);
}

static long long dataset_offset(const char *path, const char *dset)
{
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(fid, dset, H5P_DEFAULT);
    haddr_t off = H5Dget_offset(d); /* defined for contiguous datasets only */
    H5Dclose(d);
    H5Fclose(fid);
    assert_true(off != HADDR_UNDEF);
    return (long long)off;
}

static void test_flipped_payload_byte_is_refused(void **state)
{
    (void)state;
    const char *p = fpath("flip.h5");
    write_sample(p, 0, "partonflow.test", 1);
    flip_byte(p, dataset_offset(p, "/small/contig") + 8 * 5 + 3); /* inside contig[5] */
    expect_open_fails(p, "partonflow.test", 1, PF_ECHECKSUM, "checksum mismatch");
    /* a byte inside a compressed chunk: the chunk no longer inflates or its data changed */
    const char *c = fpath("flipz.h5");
    write_sample(c, 0, "partonflow.test", 1);
    hid_t zid = H5Fopen(c, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t zd = H5Dopen2(zid, "/events/x", H5P_DEFAULT);
    hsize_t coff[1];
    unsigned mask;
    haddr_t addr;
    hsize_t csize;
    hid_t zs = H5Dget_space(zd);
    assert_true(H5Dget_chunk_info(zd, zs, 0, coff, &mask, &addr, &csize) >= 0);
    H5Sclose(zs);
    H5Dclose(zd);
    H5Fclose(zid);
    assert_true(csize > 100 && csize < 8 * NBIG); /* really compressed */
    flip_byte(c, (long long)addr + (long long)csize / 2);
    expect_open_fails(c, "partonflow.test", 1, PF_ECHECKSUM, "flipz.h5: ");
    /* an attribute changed after the fact is caught as well */
    const char *q = fpath("attr.h5");
    write_sample(q, 0, "partonflow.test", 1);
    hid_t fid = H5Fopen(q, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t g = H5Gopen2(fid, "/events", H5P_DEFAULT);
    hid_t a = H5Aopen(g, "cross_section_pb", H5P_DEFAULT);
    double v = 1234.6;
    assert_true(H5Awrite(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(fid);
    expect_open_fails(q, "partonflow.test", 1, PF_ECHECKSUM, "checksum mismatch");
}

static void test_writer_killed_before_commit_leaves_no_file(void **state)
{
    (void)state;
    const char *p = fpath("killed.h5");
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        pf_status st;
        pf_h5 *h = pf_h5_create(p, "partonflow.test", 1, &META, &st);
        double x[1000] = {0};
        size_t d[1] = {1000};
        int ok = h && pf_h5_write(h, "/events/x", PF_H5_DOUBLE, 1, d, x, NULL, &st) == PF_OK;
        if (write(fds[1], ok ? "w" : "e", 1) != 1)
            _exit(3);
        sleep(60); /* killed here, before pf_h5_commit */
        pf_h5_commit(h, &st);
        _exit(0);
    }
    close(fds[1]);
    char c = 0;
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    assert_int_equal(c, 'w');
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", p, (long)pid);
    assert_int_equal(access(tmp, F_OK), 0); /* the writer was writing its temporary */
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(errno, ENOENT);
    expect_open_fails(p, "partonflow.test", 1, PF_EINVAL, "cannot open");
    unlink(tmp);
}

static void test_abort_removes_the_temporary(void **state)
{
    (void)state;
    const char *p = fpath("aborted.h5");
    pf_status st;
    pf_h5 *h = pf_h5_create(p, "partonflow.test", 1, NULL, &st);
    assert_non_null(h);
    size_t d[1] = {2};
    double x[2] = {1, 2};
    assert_int_equal(pf_h5_write(h, "/x", PF_H5_DOUBLE, 1, d, x, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_write_rows(h, "/x", PF_H5_DOUBLE, 1, d, 1, 2, x, NULL, &st), PF_EINVAL);
    assert_non_null(strstr(st.msg, "rows [1, 3) outside [0, 2)"));
    pf_h5_abort(h);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", p, (long)getpid());
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(access(p, F_OK), -1);
    /* a file without a seed has no /meta seed */
    h = pf_h5_create(p, "partonflow.test", 1, NULL, &st);
    assert_int_equal(pf_h5_commit(h, &st), PF_OK);
    h = pf_h5_open(p, "partonflow.test", 1, &st);
    assert_non_null(h);
    uint64_t seed;
    assert_int_equal(pf_h5_get_attr_uint64(h, "/meta", "seed", &seed, &st), PF_EFORMAT);
    assert_string_equal(pf_h5_card_yaml(h), "");
    pf_h5_close(h);
}

/* A bad output path (empty, a folder, a folder that does not exist) is refused by
 * pf_h5_create as bad input naming the path, and nothing is created. */
static void test_bad_output_path_is_refused_before_writing(void **state)
{
    (void)state;
    pf_status st;
    const char *cases[3][2] = {{"", "output path is empty"},
                               {dir, "is a directory"},
                               {fpath("no_such_folder/out.h5"), "cannot write into folder"}};
    for (int i = 0; i < 3; i++) {
        pf_status_clear(&st);
        pf_h5 *h = pf_h5_create(cases[i][0], "partonflow.test", 1, NULL, &st);
        assert_null(h);
        assert_int_equal(st.code, PF_EINVAL);
        assert_non_null(strstr(st.msg, cases[i][1]));
        if (i > 0)
            assert_non_null(strstr(st.msg, i == 1 ? dir : "no_such_folder"));
    }
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", dir, (long)getpid());
    assert_int_equal(access(tmp, F_OK), -1);
    snprintf(tmp, sizeof tmp, ".tmp-%ld", (long)getpid());
    assert_int_equal(access(tmp, F_OK), -1);
}

/* A dataset larger than the file system can hold (1e15 doubles, 8 PB) is refused with a
 * message; before, HDF5 failed inside H5Dcreate and the process crashed at exit. */
static void test_dataset_too_large_for_the_disk_is_refused(void **state)
{
    (void)state;
    const char *p = fpath("huge.h5");
    pf_status st;
    pf_h5 *h = pf_h5_create(p, "partonflow.test", 1, NULL, &st);
    assert_non_null(h);
    const size_t d[1] = {(size_t)1000000000000000ULL};
    const double x[1] = {1.0};
    assert_int_equal(pf_h5_write_rows(h, "/big", PF_H5_DOUBLE, 1, d, 0, 1, x, NULL, &st), PF_EIO);
    assert_non_null(strstr(st.msg, "/big needs 8e+15 bytes"));
    pf_h5_abort(h);
    assert_int_equal(access(p, F_OK), -1);
    /* the layer still works afterwards */
    h = pf_h5_create(p, "partonflow.test", 1, NULL, &st);
    assert_non_null(h);
    assert_int_equal(pf_h5_write(h, "/x", PF_H5_DOUBLE, 1, (size_t[]){1}, x, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_commit(h, &st), PF_OK);
    assert_int_equal(access(p, F_OK), 0);
}

static void test_xxh64_matches_the_reference_implementation(void **state)
{
    (void)state;
    /* the empty-input value published with xxHash (XXH64("", 0) = EF46DB3751D8E999) */
    assert_true(pf_h5_xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL);
    void *lib = dlopen("libxxhash.so.0", RTLD_NOW);
    if (!lib) {
        skip();
        return;
    }
    uint64_t (*ref)(const void *, size_t, uint64_t) = (uint64_t(*)(const void *, size_t, uint64_t))dlsym(lib, "XXH64");
    assert_non_null(ref);
    unsigned char buf[1031];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof buf; n += (n < 70 ? 1 : 37))
        for (uint64_t seed = 0; seed < 3; seed++)
            assert_true(pf_h5_xxh64(buf, n, seed * 0x9E3779B97F4A7C15ULL) == ref(buf, n, seed * 0x9E3779B97F4A7C15ULL));
    dlclose(lib);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write")) { /* a sample file for test_checksum_spec.py */
        write_sample(argv[2], 0, "partonflow.test", 1);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_of_every_type_and_attribute),
        cmocka_unit_test(test_same_inputs_give_the_same_bytes_and_checksum),
        cmocka_unit_test(test_wrong_schema_name_or_version_is_refused),
        cmocka_unit_test(test_meta_is_inside_the_checksum_and_old_files_are_refused),
        cmocka_unit_test(test_truncated_and_foreign_files_are_refused),
        cmocka_unit_test(test_flipped_payload_byte_is_refused),
        cmocka_unit_test(test_writer_killed_before_commit_leaves_no_file),
        cmocka_unit_test(test_abort_removes_the_temporary),
        cmocka_unit_test(test_bad_output_path_is_refused_before_writing),
        cmocka_unit_test(test_dataset_too_large_for_the_disk_is_refused),
        cmocka_unit_test(test_xxh64_matches_the_reference_implementation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
