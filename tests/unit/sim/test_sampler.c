/* The exact sampler on analytic densities, independently of the physics modules:
 *  - the region quadrature (pf_sim_integrate) equals an adaptive 1D integral of the
 *    closed-form Q^2 integral (independent method);
 *  - 1e6 events follow the density: chi^2 in 20 x 12 bins and KS of the x and Q^2
 *    marginals at p > 0.01, for a DIS-like density with a threshold jump and for a very
 *    different (valence-like, rising) density; no envelope violation;
 *  - accept rate x envelope total agrees with the quadrature within 4 standard errors;
 *  - events are bitwise the same for 1 or 2 threads and for any split of the index range;
 *  - a spike the envelope lattice misses produces counted violations (the counter works). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_integration.h>

#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

#include "sim_stats.h"

#define NEV 1000000

/* reference: sigma = int dx x^a (1-x)^b int dQ2 Y+/Q2^2 over [lo(x), hi(x)], where the
 * inner integral is closed form: with y = Q2/(x s), Y+ = 2 - 2y + y^2:
 * int Y+/Q2^2 dQ2 = -2/Q2 - (2/(x s)) ln Q2 + Q2 / (x s)^2 (no jump: q2b above the region) */
typedef struct { const pf_sim_region *r; double a, b; } ref_ctx;

static double ref_inner(double x, void *vp)
{
    const ref_ctx *c = vp;
    const double *k = c->r->cuts, s = c->r->s, w = k[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    double lo = fmax(k[PF_CUT_Q2_MIN], k[PF_CUT_Y_MIN] * s * x);
    lo = fmax(lo, w * x / (1 - x));
    const double hi = fmin(k[PF_CUT_Q2_MAX], k[PF_CUT_Y_MAX] * s * x);
    if (!(hi > lo)) return 0;
    const double xs = x * s;
#define PRIM(q) (-2.0 / (q) - 2.0 / xs * log(q) + (q) / (xs * xs))
    return pow(x, c->a) * pow(1 - x, c->b) * (PRIM(hi) - PRIM(lo));
#undef PRIM
}

static void test_region_quadrature_matches_closed_form_inner_integral(void **state)
{
    (void)state;
    pf_sim_region r = region_default();
    dens_params p = {-1.3, 3.0, 1e30, 1.0, r.s};
    double sigma;
    pf_status st;
    assert_int_equal(pf_sim_integrate(&r, dens_dislike, &p, &sigma, &st), 0);
    ref_ctx c = {&r, p.a, p.b};
    gsl_function F = {ref_inner, &c};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
    double ref, err;
    assert_int_equal(gsl_integration_qags(&F, 1e-3, 0.9, 0, 1e-11, 2000, w, &ref, &err), 0);
    gsl_integration_workspace_free(w);
    assert_true(fabs(sigma / ref - 1) < 1e-8);
    /* and for a box-like sub-region (only x and Q2 cuts active) */
    pf_sim_region b = clip(&r, 0.01, 0.02, 10, 20);
    assert_int_equal(pf_sim_integrate(&b, dens_dislike, &p, &sigma, &st), 0);
    ref_ctx cb = {&b, p.a, p.b};
    F.params = &cb;
    w = gsl_integration_workspace_alloc(2000);
    assert_int_equal(gsl_integration_qags(&F, 0.01, 0.02, 0, 1e-12, 2000, w, &ref, &err), 0);
    gsl_integration_workspace_free(w);
    assert_true(fabs(sigma / ref - 1) < 1e-10);
}

static void run_stat(dens_params *p, uint64_t seed)
{
    pf_sim_region r = region_default();
    if (p->q2b < 1e29) {
        r.nbreaks = 1;
        r.q2_breaks[0] = p->q2b;
    }
    pf_status st;
    pf_sim_sampler *s = pf_sim_sampler_create(&r, dens_dislike, p, NULL, &st);
    assert_non_null(s);
    double *x = malloc(NEV * sizeof *x), *q = malloc(NEV * sizeof *q);
    pf_sim_counts c = {0, 0, 0};
    assert_int_equal(pf_sim_sample(s, seed, 0, NEV, x, q, &c, &st), 0);
    assert_int_equal(c.accepted, NEV);
    assert_int_equal(c.violations, 0);
    for (size_t i = 0; i < NEV; i++) assert_true(pf_kin_in_cuts(r.cuts, x[i], q[i], r.s));
    double sigma;
    assert_int_equal(pf_sim_integrate(&r, dens_dislike, p, &sigma, &st), 0);
    const double pacc = (double)c.accepted / c.candidates;
    const double est = pacc * pf_sim_sampler_envelope_total(s);
    const double rel = sqrt((1 - pacc) / (pacc * c.candidates));
    print_message("sigma %.6g, accept-rate x envelope %.6g (%.2f sd), acceptance %.3f, %zu cells, %llu raised\n",
                  sigma, est, (est / sigma - 1) / rel, pacc, pf_sim_sampler_ncells(s),
                  (unsigned long long)pf_sim_sampler_probe_raised(s));
    assert_true(fabs(est / sigma - 1) < 4 * rel);
    stat_result res = {0};
    assert_int_equal(sampler_stats(&r, dens_dislike, p, x, q, NEV, 20, 12, &res), 0);
    print_message("chi2 %.1f / %d (p %.3f), KS p(x) %.3f, p(Q2) %.3f\n", res.chi2, res.ndf, res.chi2_p, res.ks_x_p,
                  res.ks_q2_p);
    assert_true(res.chi2_p > 0.01);
    assert_true(res.ks_x_p > 0.01);
    assert_true(res.ks_q2_p > 0.01);
    /* power: the same events against a density with x^(a + 0.02) fail the tests */
    dens_params wrong = *p;
    wrong.a += 0.02;
    stat_result bad = {0};
    assert_int_equal(sampler_stats(&r, dens_dislike, &wrong, x, q, NEV, 20, 12, &bad), 0);
    print_message("against x^(a+0.02): chi2 p %.2g, KS p(x) %.2g\n", bad.chi2_p, bad.ks_x_p);
    assert_true(bad.chi2_p < 0.01 && bad.ks_x_p < 0.01);
    free(x), free(q);
    pf_sim_sampler_destroy(s);
}

static void test_dislike_density_with_threshold_jump_passes_chi2_and_ks(void **state)
{
    (void)state;
    dens_params p = {-1.3, 3.0, 20.25, 1.25, pf_kin_s(10, 100)};
    run_stat(&p, 12345);
}

static void test_very_different_valence_like_density_passes_chi2_and_ks(void **state)
{
    (void)state;
    dens_params p = {0.7, 0.4, 1e30, 1.0, pf_kin_s(10, 100)};
    run_stat(&p, 777);
}

static void test_events_are_independent_of_threads_and_decomposition(void **state)
{
    (void)state;
    pf_sim_region r = region_default();
    dens_params p = {-1.3, 3.0, 1e30, 1.0, r.s};
    pf_status st;
    pf_sim_sampler *s = pf_sim_sampler_create(&r, dens_dislike, &p, NULL, &st);
    assert_non_null(s);
    enum { N = 20000 };
    static double x1[N], q1[N], x2[N], q2[N];
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(1);
#endif
    assert_int_equal(pf_sim_sample(s, 99, 1000, N, x1, q1, NULL, &st), 0);
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(2);
#endif
    assert_int_equal(pf_sim_sample(s, 99, 1000, 777, x2, q2, NULL, &st), 0);
    assert_int_equal(pf_sim_sample(s, 99, 1777, N - 777, x2 + 777, q2 + 777, NULL, &st), 0);
    assert_memory_equal(x1, x2, sizeof x1);
    assert_memory_equal(q1, q2, sizeof q1);
    /* another seed gives other events */
    assert_int_equal(pf_sim_sample(s, 100, 1000, N, x2, q2, NULL, &st), 0);
    assert_true(memcmp(x1, x2, sizeof x1) != 0);
    pf_sim_sampler_destroy(s);
}

/* a narrow spike between the lattice points of the envelope and of the probe (7 x 7 cells;
 * the spike sits >= 6 widths from both): the envelope misses it, and accepted events above it must be
 * counted as violations */
static int spiky(void *ctx, size_t n, const double *x, const double *q2, double *out, pf_status *st)
{
    dens_dislike(ctx, n, x, q2, out, st);
    for (size_t i = 0; i < n; i++) {
        const double du = log(x[i] / 0.02), dv = log(q2[i] / 30.0);
        out[i] *= 1.0 + 1e3 * exp(-(du * du + dv * dv) / (2 * 0.01 * 0.01));
    }
    return 0;
}

static void test_envelope_violations_are_detected_and_counted(void **state)
{
    (void)state;
    pf_sim_region r = region_default();
    dens_params p = {-1.3, 3.0, 1e30, 1.0, r.s};
    pf_status st;
    pf_sim_options o = {7, 7, 0, 0, 0};
    pf_sim_sampler *s = pf_sim_sampler_create(&r, spiky, &p, &o, &st);
    assert_non_null(s);
    enum { N = 100000 };
    static double x[N], q[N];
    pf_sim_counts c = {0, 0, 0};
    assert_int_equal(pf_sim_sample(s, 5, 0, N, x, q, &c, &st), 0);
    size_t near = 0;
    for (size_t i = 0; i < N; i++) near += fabs(log(x[i] / 0.02)) < 0.06 && fabs(log(q[i] / 30.0)) < 0.06;
    print_message("violations %llu, events near the spike %zu\n", (unsigned long long)c.violations, near);
    assert_true(c.violations > 0);
    assert_true(c.violations <= near);
    /* the smooth density on the same coarse cells has none */
    pf_sim_sampler_destroy(s);
    s = pf_sim_sampler_create(&r, dens_dislike, &p, &o, &st);
    c = (pf_sim_counts){0, 0, 0};
    assert_int_equal(pf_sim_sample(s, 5, 0, N, x, q, &c, &st), 0);
    assert_int_equal(c.violations, 0);
    pf_sim_sampler_destroy(s);
}

static int failing(void *ctx, size_t n, const double *x, const double *q2, double *out, pf_status *st)
{
    (void)ctx, (void)n, (void)x, (void)q2, (void)out;
    return pf_status_set(st, PF_EDOMAIN, "test density: refused");
}

static void test_empty_region_and_failing_density_are_clear_errors(void **state)
{
    (void)state;
    pf_sim_region r = region_default();
    r.cuts[PF_CUT_Q2_MIN] = 2000; /* above q2_max */
    dens_params p = {-1.3, 3.0, 1e30, 1.0, r.s};
    pf_status st;
    assert_null(pf_sim_sampler_create(&r, dens_dislike, &p, NULL, &st));
    assert_int_equal(st.code, PF_EINVAL);
    assert_non_null(strstr(st.msg, "empty"));
    r = region_default();
    assert_null(pf_sim_sampler_create(&r, failing, NULL, NULL, &st));
    assert_non_null(strstr(st.msg, "refused"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_quadrature_matches_closed_form_inner_integral),
        cmocka_unit_test(test_dislike_density_with_threshold_jump_passes_chi2_and_ks),
        cmocka_unit_test(test_very_different_valence_like_density_passes_chi2_and_ks),
        cmocka_unit_test(test_events_are_independent_of_threads_and_decomposition),
        cmocka_unit_test(test_empty_region_and_failing_density_are_clear_errors),
        cmocka_unit_test(test_envelope_violations_are_detected_and_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
