/* theory.h5 through the io layer: a written operator set reads back bit for bit (and gives
 * the same grid values); foreign, damaged, truncated and incomplete files are refused with
 * a message that names the cause. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ops_internal.h"
#include "partonflow/h5.h"
#include "partonflow/kernels/philox.h"

static char path[512], bad[600];

static pf_ops *synthetic(void)
{
    pf_card card;
    pf_status st;
    pf_status_clear(&st);
    if (pf_card_read(PF_OPS_CARD, &card, &st)) fail_msg("%s", st.msg);
    pf_interp_axis xa, qa;
    assert_int_equal(pf_ops_grid_axes(&card, &xa, &qa, &st), PF_OK);
    pf_ops *o = pf_ops_alloc(&xa, &qa, 6, &st);
    assert_non_null(o);
    pf_ops_set_card(o, &card);
    for (size_t n = 0; n < o->nn; n++) o->nodes[n] = 1.1 + n + I * (0.5 * n);
    for (size_t k = 0; k < o->nx * 2 * o->nn; k++) o->Cs[k] = pf_rng_uniform(1, 1, k) - 0.5;
    for (int a = 0; a < PF_NOBS; a++)
        for (size_t k = 0; k < o->nq2 * o->nn * PF_NIN; k++)
            o->K[a][k] = pf_rng_uniform(1, 2 + (uint64_t)a, 2 * k) - 0.5 + I * (pf_rng_uniform(1, 2 + (uint64_t)a, 2 * k + 1) - 0.5);
    for (size_t k = 0; k < o->nq2 * o->nn * PF_NOUT * PF_NIN; k++) o->Kpdf[k] = pf_rng_uniform(1, 9, k) - 0.25 * I;
    pf_ops_set_command_line(o, "test_ops_io");
    return o;
}

static void copy_file(const char *from, const char *to, long truncate_at, long flip_at)
{
    FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
    assert_non_null(f);
    assert_non_null(g);
    long k = 0;
    int c;
    while ((c = fgetc(f)) != EOF && (truncate_at < 0 || k < truncate_at)) {
        if (k == flip_at) c ^= 0x10;
        fputc(c, g);
        k++;
    }
    fclose(f);
    fclose(g);
}

static long file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void test_theory_file_round_trips_bit_for_bit(void **state)
{
    (void)state;
    pf_status st;
    pf_status_clear(&st);
    pf_ops *o = synthetic();
    if (pf_ops_write(o, path, &st)) fail_msg("%s", st.msg);
    pf_ops *r = pf_ops_read(path, &st);
    if (!r) fail_msg("%s", st.msg);
    assert_int_equal(r->nx, o->nx);
    assert_int_equal(r->nq2, o->nq2);
    assert_int_equal(r->nn, o->nn);
    assert_memory_equal(r->Cs, o->Cs, o->nx * 2 * o->nn * sizeof(double));
    assert_memory_equal(r->nodes, o->nodes, o->nn * sizeof(double complex));
    for (int a = 0; a < PF_NOBS; a++)
        assert_memory_equal(r->K[a], o->K[a], o->nq2 * o->nn * PF_NIN * sizeof(double complex));
    assert_memory_equal(r->Kpdf, o->Kpdf, o->nq2 * o->nn * PF_NOUT * PF_NIN * sizeof(double complex));
    assert_memory_equal(&r->qaxis, &o->qaxis, sizeof o->qaxis);
    assert_memory_equal(r->cuts, o->cuts, sizeof o->cuts);
    assert_true(pf_ops_checksum(r) != 0);
    assert_string_equal(pf_ops_card(r)->pdf.preset, pf_ops_card(o)->pdf.preset);
    assert_true(pf_ops_card(r)->theory.mb == pf_ops_card(o)->theory.mb);
    pf_ops_destroy(r);
    pf_ops_destroy(o);
}

static void expect_refused(const char *p, const char *what)
{
    pf_status st;
    pf_status_clear(&st);
    pf_ops *r = pf_ops_read(p, &st);
    if (r) fail_msg("%s: accepted", what);
    assert_true(st.code != PF_OK && st.msg[0]);
    print_message("%s -> [%s] %s\n", what, pf_code_name(st.code), st.msg);
}

static void test_damaged_truncated_and_foreign_files_are_refused(void **state)
{
    (void)state;
    const long n = file_size(path);
    /* a flipped byte near the end (in the compressed payload, past the superblock) */
    copy_file(path, bad, -1, n - n / 5);
    expect_refused(bad, "flipped byte");
    copy_file(path, bad, n / 2, -1);
    expect_refused(bad, "truncated");
    expect_refused("/nonexistent/theory.h5", "missing file");
    /* a valid artefact of another schema */
    pf_status st;
    pf_status_clear(&st);
    pf_h5_meta meta = {"version: 1\n", "test", 0, 0};
    pf_h5 *h = pf_h5_create(bad, "partonflow.events", 1, &meta, &st);
    assert_non_null(h);
    size_t d[1] = {3};
    double v[3] = {1, 2, 3};
    assert_int_equal(pf_h5_write(h, "/events/x_true", PF_H5_DOUBLE, 1, d, v, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_commit(h, &st), PF_OK);
    pf_status_clear(&st);
    assert_null(pf_ops_read(bad, &st));
    assert_int_equal(st.code, PF_EFORMAT);
    /* the right schema but a dataset missing */
    pf_ops *o = synthetic();
    char *yaml = pf_card_to_yaml(&o->card);
    pf_h5_meta m2 = {yaml, "test", 0, 0};
    h = pf_h5_create(bad, PF_OPS_SCHEMA, PF_OPS_SCHEMA_VERSION, &m2, &st);
    free(yaml);
    assert_non_null(h);
    d[0] = o->nx;
    assert_int_equal(pf_h5_write(h, "/grid/logx", PF_H5_DOUBLE, 1, d, o->logx, NULL, &st), PF_OK);
    assert_int_equal(pf_h5_commit(h, &st), PF_OK);
    pf_status_clear(&st);
    assert_null(pf_ops_read(bad, &st));
    assert_int_equal(st.code, PF_EFORMAT);
    assert_non_null(strstr(st.msg, "missing"));
    pf_ops_destroy(o);
    unlink(bad);
    unlink(path);
}

int main(void)
{
    snprintf(path, sizeof path, "%s/pf_test_ops_io_%d.h5", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    snprintf(bad, sizeof bad, "%s.bad.h5", path);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_theory_file_round_trips_bit_for_bit),
        cmocka_unit_test(test_damaged_truncated_and_foreign_files_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
