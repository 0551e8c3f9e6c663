/* events.h5 from an analytic density (the CLI plugs in the theory grid): the schema of
 * docs/artefacts.md (every column, units, run attributes consistent with the rows), the
 * payload bitwise identical for 1 and 2 threads, and a run that fails part-way leaves
 * neither events.h5 nor its temporary behind. */
#include <dirent.h>
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

#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

#include "partonflow/h5.h"
#include "partonflow/par.h"
#include "sim_stats.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/pf_test_events_%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    return system(cmd);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static pf_det_params det_default(const pf_sim_region *r)
{
    pf_det_params d;
    memset(&d, 0, sizeof d);
    d.e_electron = 10, d.e_proton = 100, d.stochastic = 0.02, d.constant = 0.01, d.sigma_theta = 0.001;
    d.efficiency = 0.9;
    memcpy(d.cuts, r->cuts, sizeof d.cuts);
    return d;
}

static int write_file(const char *path, int threads, pf_sim_density_fn f, void *ctx, uint64_t n, pf_sim_summary *sum,
                      pf_status *st)
{
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    pf_sim_region r = region_default();
    static dens_params p = {-1.3, 3.0, 1e30, 1.0, 4000.0};
    pf_sim_sampler *s = pf_sim_sampler_create(&r, dens_dislike, &p, NULL, st);
    if (!s) return st->code;
    pf_det_params d = det_default(&r);
    double sigma;
    pf_sim_integrate(&r, dens_dislike, &p, &sigma, st);
    /* the sampler is built from the good density; f (possibly failing) replaces it by
     * swapping the callback through a second sampler when asked */
    pf_sim_sampler *use = s;
    if (f) {
        use = pf_sim_sampler_create(&r, f, ctx, NULL, st);
        if (!use) return st->code;
    }
    pf_sim_run run = {use, &d, 4242, n, sigma, n / sigma, 0x1234abcdULL, "card: test\n", "test_events", NULL, NULL, "events", 0, 0, 0};
    int rc = pf_sim_write_events(path, &run, sum, st);
    if (use != s) pf_sim_sampler_destroy(use);
    pf_sim_sampler_destroy(s);
    return rc;
}

static void test_events_h5_has_the_schema_and_consistent_attributes(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/ev1.h5", dir);
    pf_sim_summary sum;
    pf_status st;
    const uint64_t n = 300000; /* > one write chunk */
    assert_int_equal(write_file(path, 1, NULL, NULL, n, &sum, &st), 0);
    pf_h5 *h = pf_h5_open(path, PF_SIM_SCHEMA, PF_SIM_SCHEMA_VERSION, &st);
    assert_non_null(h);
    const char *cols[] = {"x_true", "q2_true", "y_true", "eprime_true", "theta_true",
                          "x_rec", "q2_rec", "y_rec", "eprime_rec", "theta_rec"};
    double *c[10];
    for (int k = 0; k < 10; k++) {
        char ds[64];
        snprintf(ds, sizeof ds, "/events/%s", cols[k]);
        int rank;
        size_t dims[PF_H5_MAX_RANK];
        assert_int_equal(pf_h5_read(h, ds, PF_H5_DOUBLE, &rank, dims, (void **)&c[k], &st), 0);
        assert_int_equal(rank, 1);
        assert_int_equal(dims[0], n);
    }
    uint8_t *acc;
    int rank;
    size_t dims[PF_H5_MAX_RANK];
    assert_int_equal(pf_h5_read(h, "/events/accepted", PF_H5_UINT8, &rank, dims, (void **)&acc, &st), 0);
    int64_t ngen, nacc, viol;
    uint64_t seed, chk;
    double xs, lumi;
    assert_int_equal(pf_h5_get_attr_int64(h, "/events", "n_generated", &ngen, &st), 0);
    assert_int_equal(pf_h5_get_attr_int64(h, "/events", "n_accepted", &nacc, &st), 0);
    assert_int_equal(pf_h5_get_attr_int64(h, "/events", "envelope_violations", &viol, &st), 0);
    assert_int_equal(pf_h5_get_attr_uint64(h, "/events", "seed", &seed, &st), 0);
    assert_int_equal(pf_h5_get_attr_uint64(h, "/events", "theory_checksum", &chk, &st), 0);
    assert_int_equal(pf_h5_get_attr_double(h, "/events", "cross_section_pb", &xs, &st), 0);
    assert_int_equal(pf_h5_get_attr_double(h, "/events", "luminosity_pb", &lumi, &st), 0);
    assert_int_equal(ngen, (int64_t)n);
    assert_int_equal(seed, 4242);
    assert_int_equal(chk, 0x1234abcdULL);
    assert_int_equal(viol, 0);
    assert_true(fabs(lumi * xs / n - 1) < 1e-12);
    int64_t cnt = 0;
    const pf_sim_region r = region_default();
    for (size_t i = 0; i < n; i++) {
        cnt += acc[i];
        assert_true(pf_kin_in_cuts(r.cuts, c[0][i], c[1][i], r.s));
        assert_true(fabs(c[2][i] - c[1][i] / (c[0][i] * r.s)) < 1e-15);
        if (acc[i]) assert_true(pf_kin_in_cuts(r.cuts, c[5][i], c[6][i], r.s));
    }
    assert_int_equal(cnt, nacc);
    assert_int_equal(sum.n_accepted, (uint64_t)nacc);
    /* about 0.9 (efficiency) x the fraction that stays inside the cuts */
    assert_true(nacc > 0.8 * n && nacc < 0.9 * n);
    for (int k = 0; k < 10; k++) free(c[k]);
    free(acc);
    char *units;
    assert_int_equal(pf_h5_get_attr_string(h, "/events/q2_rec", "units", &units, &st), 0);
    assert_string_equal(units, "GeV^2");
    free(units);
    pf_h5_close(h);
}

static void test_payload_is_bitwise_identical_for_one_and_two_threads(void **state)
{
    (void)state;
    char p1[300], p2[300];
    snprintf(p1, sizeof p1, "%s/t1.h5", dir);
    snprintf(p2, sizeof p2, "%s/t2.h5", dir);
    pf_sim_summary s1, s2;
    pf_status st;
    assert_int_equal(write_file(p1, 1, NULL, NULL, 70000, &s1, &st), 0);
    assert_int_equal(write_file(p2, 2, NULL, NULL, 70000, &s2, &st), 0);
    pf_h5 *a = pf_h5_open(p1, PF_SIM_SCHEMA, 1, &st), *b = pf_h5_open(p2, PF_SIM_SCHEMA, 1, &st);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(pf_h5_checksum(a) == pf_h5_checksum(b));
    double *x1, *x2;
    int rank;
    size_t d1[PF_H5_MAX_RANK], d2[PF_H5_MAX_RANK];
    assert_int_equal(pf_h5_read(a, "/events/theta_rec", PF_H5_DOUBLE, &rank, d1, (void **)&x1, &st), 0);
    assert_int_equal(pf_h5_read(b, "/events/theta_rec", PF_H5_DOUBLE, &rank, d2, (void **)&x2, &st), 0);
    assert_memory_equal(x1, x2, d1[0] * sizeof(double));
    free(x1), free(x2);
    pf_h5_close(a), pf_h5_close(b);
    assert_int_equal(s1.counts.candidates, s2.counts.candidates);
}

static int calls;
static int fail_late(void *ctx, size_t n, const double *x, const double *q2, double *out, pf_status *st)
{
    /* the envelope set-up takes 2 calls; fail in the middle of the sampling */
    if (__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) > 40)
        return pf_status_set(st, PF_EDOMAIN, "test density: interrupted");
    return dens_dislike(ctx, n, x, q2, out, st);
}

static void test_failed_run_leaves_no_file(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/fail.h5", dir);
    pf_sim_summary sum;
    pf_status st;
    static dens_params p = {-1.3, 3.0, 1e30, 1.0, 4000.0};
    calls = 0;
    assert_int_not_equal(write_file(path, 2, fail_late, &p, 400000, &sum, &st), 0);
    assert_non_null(strstr(st.msg, "interrupted"));
    assert_int_equal(access(path, F_OK), -1);
    DIR *dd = opendir(dir);
    struct dirent *e;
    while ((e = readdir(dd))) assert_null(strstr(e->d_name, "fail.h5"));
    closedir(dd);
    /* zero events: a clear error */
    assert_int_equal(write_file(path, 1, NULL, NULL, 0, &sum, &st), PF_EINVAL);
    assert_non_null(strstr(st.msg, "zero events"));
}

int main(int argc, char **argv)
{
    pf_status st;
    pf_par_init(&argc, &argv, &st);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_h5_has_the_schema_and_consistent_attributes),
        cmocka_unit_test(test_payload_is_bitwise_identical_for_one_and_two_threads),
        cmocka_unit_test(test_failed_run_leaves_no_file),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    pf_par_finalize();
    return rc;
}
