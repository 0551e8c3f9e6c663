/* Parallel HDF5: rows written collectively by 2 MPI ranks (mpirun -np 2) give the same
 * data and the same payload checksum as the same file written by 1 rank.
 * Run without arguments it is the driver: it runs itself once plainly and once under
 * `MPIRUN -np 2 --oversubscribe` (MPIRUN from argv[1]) and compares the two files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "partonflow/h5.h"
#include "partonflow/par.h"

#define NROWS (3 * PF_PAR_BLOCK + 123)

static double xval(size_t i) { return 1.0 / (double)(i + 3) + (double)(i % 97); }

/* 100 rows: a single block, so rank 1 joins the collective write with no rows */
static int write_small(pf_h5 *h, pf_status *st)
{
    size_t b, e, d[1] = {100};
    pf_par_range(100, pf_par_rank(), pf_par_size(), &b, &e);
    int64_t v[100];
    for (size_t i = b; i < e; i++)
        v[i - b] = (int64_t)(i * i) - 50;
    return pf_h5_write_rows(h, "/events/small", PF_H5_INT64, 1, d, b, e - b, v, NULL, st);
}

static int write_file(const char *path)
{
    pf_status st;
    int nr = pf_par_size(), r = pf_par_rank();
    size_t b, e;
    pf_par_range(NROWS, r, nr, &b, &e);
    pf_h5_meta meta = {"card: test\n", "test_h5_mpi write", 1, 99};
    if (r == 0)
        printf("ranks=%d\n", nr);
    pf_h5 *h = pf_h5_create(path, "partonflow.test", 1, &meta, &st);
    if (!h)
        goto fail;
    double *x = malloc((e - b + 1) * sizeof *x);
    float *y = malloc((e - b + 1) * 3 * sizeof *y);
    uint8_t *acc = malloc(e - b + 1);
    for (size_t i = b; i < e; i++) {
        x[i - b] = xval(i);
        for (int k = 0; k < 3; k++)
            y[(i - b) * 3 + k] = (float)(i * 3 + (size_t)k);
        acc[i - b] = (uint8_t)(i % 3 == 0);
    }
    size_t d1[1] = {NROWS}, d2[2] = {NROWS, 3}, dg[1] = {4};
    double grid[4] = {1, 2, 3, 4};
    if (pf_h5_write_rows(h, "/events/x_true", PF_H5_DOUBLE, 1, d1, b, e - b, x, "1", &st) ||
        pf_h5_write_rows(h, "/events/y3", PF_H5_FLOAT, 2, d2, b, e - b, y, NULL, &st) ||
        pf_h5_write_rows(h, "/events/accepted", PF_H5_UINT8, 1, d1, b, e - b, acc, NULL, &st) ||
        pf_h5_write(h, "/grid/q2", PF_H5_DOUBLE, 1, dg, grid, "GeV^2", &st) ||
        write_small(h, &st) ||
        pf_h5_set_attr_double(h, "/events", "cross_section_pb", 12.5, &st) ||
        pf_h5_set_attr_string(h, "/events", "note", "written by every rank", &st)) {
        pf_h5_abort(h);
        free(x), free(y), free(acc);
        goto fail;
    }
    free(x), free(y), free(acc);
    if (pf_h5_commit(h, &st))
        goto fail;
    return 0;
fail:
    fprintf(stderr, "rank %d: %s\n", r, st.msg);
    return 1;
}

static const char *mpirun;

/* stdout of a command that must succeed */
static const char *run(const char *cmd)
{
    static char out[256];
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    return out;
}
static char dir[256];

static void test_two_ranks_write_the_same_payload_as_one(void **state)
{
    (void)state;
    char cmd[2048], one[512], two[512];
    snprintf(one, sizeof one, "%s/one.h5", dir);
    snprintf(two, sizeof two, "%s/two.h5", dir);
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    snprintf(cmd, sizeof cmd, "'%s' write '%s'", self, one);
    assert_string_equal(run(cmd), "ranks=1\n");
    /* Open MPI leaks by design at MPI_Finalize; in sanitizer builds LeakSanitizer would
     * fail the ranks for it (our own code's leaks are checked by the serial tests) */
    snprintf(cmd, sizeof cmd, "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" "
             "'%s' -np 2 --oversubscribe '%s' write '%s'", mpirun, self, two);
    assert_string_equal(run(cmd), "ranks=2\n"); /* really two ranks */
    pf_status st;
    pf_h5 *a = pf_h5_open(one, "partonflow.test", 1, &st), *b = a ? pf_h5_open(two, "partonflow.test", 1, &st) : NULL;
    if (!a || !b)
        fail_msg("%s", st.msg);
    assert_true(pf_h5_checksum(a) == pf_h5_checksum(b));
    const char *sets[4] = {"/events/x_true", "/events/y3", "/events/accepted", "/events/small"};
    for (int k = 0; k < 4; k++) {
        int ra, rb;
        size_t da[4], db[4];
        void *va, *vb;
        assert_int_equal(pf_h5_read(a, sets[k], PF_H5_DOUBLE, &ra, da, &va, &st), PF_OK);
        assert_int_equal(pf_h5_read(b, sets[k], PF_H5_DOUBLE, &rb, db, &vb, &st), PF_OK);
        assert_true(ra == rb && da[0] == db[0] && da[0] == (k == 3 ? 100 : NROWS));
        size_t cnt = da[0] * (ra == 2 ? da[1] : 1);
        assert_memory_equal(va, vb, cnt * sizeof(double));
        if (k == 0)
            for (size_t i = 0; i < NROWS; i++)
                assert_true(((double *)va)[i] == xval(i));
        if (k == 3)
            assert_true(((double *)vb)[99] == 99.0 * 99.0 - 50);
        free(va), free(vb);
    }
    pf_h5_close(a);
    pf_h5_close(b);
    /* same layout too: the whole files are byte-identical (SOURCE_DATE_EPOCH fixes the time) */
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", one, two);
    assert_int_equal(system(cmd), 0);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "write")) {
        pf_status st;
        if (pf_par_init(&argc, &argv, &st))
            return 1;
        int rc = write_file(argv[2]);
        pf_par_finalize();
        return rc;
    }
    if (argc < 2 || !argv[1][0]) {
        fprintf(stderr, "no mpirun: skipped\n");
        return 77;
    }
    mpirun = argv[1];
    setenv("SOURCE_DATE_EPOCH", "1764028800", 1);
    snprintf(dir, sizeof dir, "/tmp/pf_h5_mpiXXXXXX");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_two_ranks_write_the_same_payload_as_one)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (!getenv("PF_KEEP_TEST_FILES") && system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
