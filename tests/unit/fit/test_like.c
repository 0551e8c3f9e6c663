/* Likelihood, gradient, minimiser and Hessian on the synthetic linear model (synth.h):
 * gradients against central finite differences, decomposition-independent sums, the
 * Hessian errors against the expected (Fisher) information computed by quadrature, a small closure,
 * bootstrap weights, and non-convergence reported as such. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <gsl/gsl_integration.h>
#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

#include "partonflow/kernels/eventpass.h"
#include "partonflow/kernels/philox.h"
#include "synth.h"

/* relative agreement of the analytic gradient with central differences of ln L */
static void check_gradient(pf_like *lk, int histogram, const double *th0)
{
    sy_ctx c = {lk, histogram};
    double f = 0, g[SY_NP];
    pf_status st = {0};
    assert_int_equal(sy_fdf(&c, th0, &f, g, &st), 0);
    for (int p = 0; p < SY_NP; p++) {
        /* Richardson-extrapolated central difference: truncation O(h^4) */
        double th[SY_NP], fp = 0, fm = 0, fp2 = 0, fm2 = 0, h = 1e-3;
        memcpy(th, th0, sizeof th);
        th[p] = th0[p] + h; sy_fdf(&c, th, &fp, NULL, &st);
        th[p] = th0[p] - h; sy_fdf(&c, th, &fm, NULL, &st);
        th[p] = th0[p] + 2 * h; sy_fdf(&c, th, &fp2, NULL, &st);
        th[p] = th0[p] - 2 * h; sy_fdf(&c, th, &fm2, NULL, &st);
        double fd = (8.0 * (fp - fm) - (fp2 - fm2)) / (12.0 * h);
        double scale = fmax(fabs(g[p]), 1e-3 * fabs(f));
        if (fabs(fd - g[p]) > 1e-6 * scale)
            fail_msg("%s gradient p=%d: analytic %.12g, finite differences %.12g", histogram ? "binned" : "unbinned",
                     p, g[p], fd);
    }
}

static void gradient_matches_central_differences(void **state)
{
    (void)state;
    sy_data d;
    sy_generate(&d, 3000.0, 11, 0);
    pf_status st = {0};
    pf_like *lk = sy_like(&d, &st);
    assert_non_null(lk);
    const double th[SY_NP] = {0.5, -0.4, 0.25}; /* away from the minimum: gradient O(N) */
    check_gradient(lk, 0, th);
    check_gradient(lk, 1, th);
    /* with bootstrap weights too */
    assert_int_equal(pf_like_bootstrap(lk, 42, 3, &st), 0);
    check_gradient(lk, 0, th);
    check_gradient(lk, 1, th);
    pf_like_destroy(lk);
    sy_free(&d);
}

/* the likelihood agrees with a direct sum written out here */
static void value_matches_direct_sum(void **state)
{
    (void)state;
    sy_data d;
    sy_generate(&d, 500.0, 5, 0);
    pf_status st = {0};
    pf_like *lk = sy_like(&d, &st);
    const double th[SY_NP] = {0.1, 0.2, -0.1};
    double G[SY_NG], lnl, lnh;
    sy_grid(th, G, NULL);
    assert_int_equal(pf_like_events(lk, G, NULL, 0, &lnl, NULL, &st), 0);
    assert_int_equal(pf_like_histogram(lk, G, NULL, 0, &lnh, NULL, &st), 0);
    double ref = 0.0, sumG = 0.0, n[SY_NB] = {0};
    for (int g = 0; g < SY_NG; g++) sumG += G[g];
    for (size_t i = 0; i < d.n; i++) {
        double f = 0.0;
        for (int g = 0; g < SY_NG; g++) f += G[g] * sy_bern(g, d.z[i]);
        ref += log(f);
        n[d.bin[i]] += 1.0;
    }
    ref -= d.L * sumG / SY_NG;
    assert_true(fabs(lnl - ref) < 1e-10 * fabs(ref));
    double refh = 0.0;
    for (int b = 0; b < SY_NB; b++) {
        double mu = 0.0;
        for (int g = 0; g < SY_NG; g++) mu += d.L * d.H[b * SY_NG + g] * G[g];
        refh += n[b] * log(mu) - mu;
    }
    assert_true(fabs(lnh - refh) < 1e-10 * fabs(refh));
    /* the histogram operator partitions the normalisation: sum_b H_b = c */
    for (int g = 0; g < SY_NG; g++) {
        double s = 0.0;
        for (int b = 0; b < SY_NB; b++) s += d.H[b * SY_NG + g];
        assert_true(fabs(s - d.c[g]) < 1e-12);
    }
    pf_like_destroy(lk);
    sy_free(&d);
}

/* 1 and 2 threads: the same bits (3 summation blocks, so both threads work) */
static void one_and_two_threads_give_identical_bits(void **state)
{
    (void)state;
#ifdef PF_HAVE_OPENMP
    sy_data d;
    sy_generate(&d, 1.0, 9, 2 * PF_LIKE_BLOCK + 1234);
    pf_status st = {0};
    pf_like *lk = sy_like(&d, &st);
    assert_int_equal(pf_like_bootstrap(lk, 7, 1, &st), 0);
    const double th[SY_NP] = {0.3, -0.2, 0.1};
    double G[SY_NG], dG[SY_NP * SY_NG], l1, l2, g1[SY_NP], g2[SY_NP];
    sy_grid(th, G, dG);
    omp_set_num_threads(1);
    assert_int_equal(pf_like_events(lk, G, dG, SY_NP, &l1, g1, &st), 0);
    omp_set_num_threads(2);
    assert_int_equal(pf_like_events(lk, G, dG, SY_NP, &l2, g2, &st), 0);
    assert_memory_equal(&l1, &l2, sizeof l1);
    assert_memory_equal(g1, g2, sizeof g1);
    /* and without the gradient, ln L is the same number */
    assert_int_equal(pf_like_events(lk, G, NULL, 0, &l2, NULL, &st), 0);
    assert_memory_equal(&l1, &l2, sizeof l1);
    pf_like_destroy(lk);
    sy_free(&d);
#else
    skip();
#endif
}

/* Fisher information of the extended likelihood, I = L int (df/dp)(df/dq) / f dz, by
 * Gauss-Legendre quadrature (independent of the event sum and of the Hessian code). */
static void fisher(const double *th, double L, double *I)
{
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(200);
    double G[SY_NG], dG[SY_NP * SY_NG];
    sy_grid(th, G, dG);
    memset(I, 0, SY_NP * SY_NP * sizeof *I);
    for (size_t k = 0; k < 200; k++) {
        double z, w;
        gsl_integration_glfixed_point(0.0, 1.0, k, &z, &w, t);
        double f = 0.0, df[SY_NP] = {0};
        for (int g = 0; g < SY_NG; g++) {
            double b = sy_bern(g, z);
            f += G[g] * b;
            for (int p = 0; p < SY_NP; p++) df[p] += dG[p * SY_NG + g] * b;
        }
        for (int p = 0; p < SY_NP; p++)
            for (int q = 0; q < SY_NP; q++) I[p * SY_NP + q] += L * w * df[p] * df[q] / f;
    }
    gsl_integration_glfixed_table_free(t);
}

static int sy_metric(void *ctx, const double *th, double *metric, pf_status *st)
{
    const sy_ctx *c = ctx;
    double G[SY_NG], dG[SY_NP * SY_NG];
    sy_grid(th, G, dG);
    return pf_like_fisher_binned(c->lk, G, dG, SY_NP, metric, st);
}

/* 10 pseudo-experiments: every fit converges, its Hessian errors agree with the Fisher
 * information, and the pulls are N(0,1)-like within loose bounds. */
static void closure_ten_experiments_and_errors_match_fisher(void **state)
{
    (void)state;
    const double L = 20000.0;
    double I[SY_NP * SY_NP], cov[SY_NP * SY_NP], err[SY_NP], corr[SY_NP * SY_NP];
    pf_status st = {0};
    double sum[SY_NP] = {0}, sum2[SY_NP] = {0};
    const int nexp = 10;
    for (int e = 0; e < nexp; e++) {
        for (int method = 0; method < 2; method++) {
            sy_data d;
            sy_generate(&d, L, 1000 + (unsigned long)e, 0);
            pf_like *lk = sy_like(&d, &st);
            sy_ctx c = {lk, method};
            const double start[SY_NP] = {0.35, -0.15, 0.15};
            pf_fit_result r;
            /* odd experiments: with the binned Fisher metric (scoring phase), even: BFGS alone */
            pf_fit_options opt;
            pf_fit_options_default(&opt);
            if (e % 2) opt.metric = sy_metric;
            int rc = pf_fit_minimize(SY_NP, start, sy_fdf, &c, &opt, &r, &st);
            if (rc) fail_msg("experiment %d method %d: %s", e, method, st.msg);
            assert_int_equal(r.converged, 1);
            /* expected information at the fitted point (the model is exponential in theta,
             * so the errors depend on where the fit lands) */
            fisher(r.theta, L, I);
            assert_int_equal(pf_fit_covariance(SY_NP, I, cov, err, corr, &st), 0);
            for (int p = 0; p < SY_NP; p++) {
                double pull = (r.theta[p] - sy_truth[p]) / r.err[p];
                assert_true(fabs(pull) < 4.0);
                if (method == 0) {
                    /* unbinned Hessian error vs the Fisher information at the truth */
                    if (fabs(r.err[p] / err[p] - 1.0) > 0.05)
                        fail_msg("experiment %d p=%d: Hessian error %g, Fisher %g", e, p, r.err[p], err[p]);
                    sum[p] += pull;
                    sum2[p] += pull * pull;
                } else {
                    /* binning loses information: never smaller than the unbinned bound */
                    assert_true(r.err[p] > 0.95 * err[p]);
                }
            }
            pf_fit_result_free(&r);
            pf_like_destroy(lk);
            sy_free(&d);
        }
    }
    for (int p = 0; p < SY_NP; p++) {
        double m = sum[p] / nexp, sd = sqrt(sum2[p] / nexp - m * m);
        /* 10 experiments: mean of N(0,1) has sd 0.32, so +-1.2 is ~3.8 sigma */
        assert_true(fabs(m) < 1.2);
        assert_true(sd > 0.35 && sd < 1.9);
    }
}

/* The binned Fisher metric of the scoring steps: the formula written out here from H and the
 * grid, and bounded by the unbinned information (binning only loses information): for
 * every direction v, v^T I_binned v <= v^T I_unbinned v (quadrature, fisher() above). */
static void binned_fisher_metric_is_bounded_by_unbinned_information(void **state)
{
    (void)state;
    sy_data d;
    sy_generate(&d, 5000.0, 3, 0);
    pf_status st = {0};
    pf_like *lk = sy_like(&d, &st);
    const double th[SY_NP] = {0.25, -0.1, 0.2};
    double G[SY_NG], dG[SY_NP * SY_NG], Ib[SY_NP * SY_NP], Iu[SY_NP * SY_NP], ref[SY_NP * SY_NP] = {0};
    sy_grid(th, G, dG);
    assert_int_equal(pf_like_fisher_binned(lk, G, dG, SY_NP, Ib, &st), 0);
    for (int b = 0; b < SY_NB; b++) {
        double mu = 0.0, dmu[SY_NP] = {0};
        for (int g = 0; g < SY_NG; g++) {
            mu += d.L * d.H[b * SY_NG + g] * G[g];
            for (int p = 0; p < SY_NP; p++) dmu[p] += d.L * d.H[b * SY_NG + g] * dG[p * SY_NG + g];
        }
        for (int p = 0; p < SY_NP; p++)
            for (int q = 0; q < SY_NP; q++) ref[p * SY_NP + q] += dmu[p] * dmu[q] / mu;
    }
    for (int k = 0; k < SY_NP * SY_NP; k++) assert_true(fabs(Ib[k] - ref[k]) <= 1e-12 * fabs(ref[k]) + 1e-12);
    fisher(th, d.L, Iu);
    const double dirs[6][SY_NP] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {1, -1, 1}, {0.3, -0.7, 0.2}};
    for (int k = 0; k < 6; k++) {
        double qb = 0.0, qu = 0.0;
        for (int p = 0; p < SY_NP; p++)
            for (int q = 0; q < SY_NP; q++) {
                qb += dirs[k][p] * Ib[p * SY_NP + q] * dirs[k][q];
                qu += dirs[k][p] * Iu[p * SY_NP + q] * dirs[k][q];
            }
        if (!(qb <= qu * (1 + 1e-9) && qb > 0.3 * qu)) fail_msg("direction %d: binned %g, unbinned %g", k, qb, qu);
    }
    pf_like_destroy(lk);
    sy_free(&d);
}

/* CSR rows with gaps (runs of consecutive grid indices of every length, broken anywhere
 * relative to the four lanes of pf_ev_dot_csr): one event per likelihood, so ln L + N_exp is
 * ln(w . G) of that row, which must be the bits of the shared kernel (kernels/eventpass.h)
 * that the device pass uses; the gradient is u = w / (w . G) minus the normalisation,
 * compared with the direct sum. */
static void csr_rows_with_gaps_give_the_kernel_bits(void **state)
{
    (void)state;
    enum { NGR = 96 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 77);
    double G[NGR], dG[NGR], c[NGR] = {0};
    for (int g = 0; g < NGR; g++) {
        G[g] = 0.5 + gsl_rng_uniform(rng);
        dG[g] = gsl_rng_uniform(rng) - 0.5;
    }
    for (int trial = 0; trial < 200; trial++) {
        uint32_t col[NGR];
        double val[NGR];
        uint64_t rp[2] = {0, 0};
        for (int g = 0; g < NGR; g++)
            if (gsl_rng_uniform(rng) < (trial % 4 + 1) * 0.2) {
                col[rp[1]] = (uint32_t)g;
                val[rp[1]++] = gsl_rng_uniform(rng);
            }
        if (!rp[1]) continue;
        pf_like_data d = {.ngrid = NGR, .nevents_total = 1, .nevents = 1, .row_ptr = rp, .col = col, .val = val,
                          .c = c, .luminosity = 1.0};
        pf_status st = {0};
        pf_like *lk = pf_like_create(&d, &st);
        assert_non_null(lk);
        double lnl, grad;
        assert_int_equal(pf_like_events(lk, G, dG, 1, &lnl, &grad, &st), 0);
        const double dk = pf_ev_dot_csr(col, val, 0, rp[1], G);
        assert_memory_equal(&lnl, &(double){log(dk)}, sizeof lnl);
        double gref = 0.0;
        for (uint64_t k = 0; k < rp[1]; k++) gref += dG[col[k]] * val[k] / dk;
        assert_true(fabs(grad - gref) <= 1e-13 * (fabs(gref) + 1.0));
        pf_like_destroy(lk);
    }
    gsl_rng_free(rng);
}

static int linear_fdf(void *ctx, const double *th, double *f, double *grad, pf_status *st)
{
    (void)ctx; (void)st;
    *f = th[0] + 0.5 * th[1];
    if (grad) { grad[0] = 1.0; grad[1] = 0.5; }
    return 0;
}

/* f without a minimum, and too few iterations: PF_ENOCONV and converged = 0 */
static void non_convergence_is_reported(void **state)
{
    (void)state;
    pf_status st = {0};
    pf_fit_result r;
    const double s[2] = {0.0, 0.0};
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    opt.max_iter = 20;
    assert_int_equal(pf_fit_minimize(2, s, linear_fdf, NULL, &opt, &r, &st), PF_ENOCONV);
    assert_int_equal(r.converged, 0);
    assert_non_null(strstr(st.msg, "not converged"));
    pf_fit_result_free(&r);

    sy_data d;
    sy_generate(&d, 2000.0, 3, 0);
    pf_like *lk = sy_like(&d, &st);
    sy_ctx c = {lk, 0};
    const double start[SY_NP] = {1.0, 1.0, 1.0};
    opt.max_iter = 1;
    assert_int_equal(pf_fit_minimize(SY_NP, start, sy_fdf, &c, &opt, &r, &st), PF_ENOCONV);
    assert_int_equal(r.converged, 0);
    assert_int_equal(r.nhist, 2);
    pf_fit_result_free(&r);
    pf_like_destroy(lk);
    sy_free(&d);
}

/* f = F0 + q(theta) in doubles: with F0 = 1e11 f is rounded to 1.5e-5 (ulp), as -ln L of
 * 1e8 events (~1e9, summed over 1e8 terms) is to ~1e-6, while the gradient stays exact.
 * q has its minimum at (0.3, -0.2), errors ~1, and a quartic term so that the Newton
 * polish needs several steps. */
typedef struct { double f0; } floor_ctx;
static int floor_fdf(void *ctx, const double *th, double *f, double *grad, pf_status *st)
{
    (void)st;
    const floor_ctx *c = ctx;
    const double a = th[0] - 0.3, b = th[1] + 0.2;
    *f = c->f0 + (0.5 * (a * a + b * b + 0.5 * a * b) + 2.0 * a * a * a * a);
    if (grad) {
        grad[0] = a + 0.25 * b + 8.0 * a * a * a;
        grad[1] = b + 0.25 * a;
    }
    return 0;
}

/* Near the minimum a Newton step's decrease of f (~EDM) falls below f's rounding floor;
 * the polish then judges progress by the exact gradient (the EDM must fall) and reaches
 * the usual EDM < 5e-7, the same as without the offset.  (Before, it stopped at the
 * first step that did not lower the rounded f and reported "not converged": the 1e8-event
 * default workflow's central fit, EDM 1.5e-6.) */
static void newton_polish_goes_on_below_the_rounding_floor_of_f(void **state)
{
    (void)state;
    const double s[2] = {1.5, -1.0};
    pf_fit_options opt;
    pf_fit_options_default(&opt);
    for (int k = 0; k < 2; k++) {
        floor_ctx c = {k ? 1e11 : 0.0};
        pf_status st = {0};
        pf_fit_result r;
        assert_int_equal(pf_fit_minimize(2, s, floor_fdf, &c, &opt, &r, &st), PF_OK);
        assert_int_equal(r.converged, 1);
        assert_true(r.edm < 5e-7);
        assert_true(fabs(r.theta[0] - 0.3) < 2e-3 && fabs(r.theta[1] + 0.2) < 2e-3);
        pf_fit_result_free(&r);
    }
}

/* Poisson(1) by inversion: the frequencies of 0..4 over 2e5 counter draws match e^-1/k! */
static void bootstrap_weights_are_poisson_one_and_keyed_by_event(void **state)
{
    (void)state;
    const int n = 200000;
    int cnt[6] = {0};
    for (int i = 0; i < n; i++) {
        int k = pf_like_poisson1(pf_rng_uniform(99, (5ull << 40) | (uint64_t)i, 0));
        cnt[k < 5 ? k : 5]++;
    }
    double p = exp(-1.0);
    for (int k = 0; k < 5; k++) {
        double expct = n * p, sd = sqrt(expct);
        assert_true(fabs(cnt[k] - expct) < 5 * sd);
        p /= k + 1;
    }
    /* the weights of a likelihood are those draws, event by event */
    sy_data d;
    sy_generate(&d, 1.0, 2, 1000);
    pf_status st = {0};
    pf_like *lk = sy_like(&d, &st);
    assert_int_equal(pf_like_bootstrap(lk, 99, 5, &st), 0);
    double cnts = 0.0, ref = 0.0;
    for (int b = 0; b < SY_NB; b++) cnts += pf_like_counts(lk)[b];
    for (int i = 0; i < 1000; i++) ref += pf_like_poisson1(pf_rng_uniform(99, (5ull << 40) | (uint64_t)i, 0));
    assert_true(cnts == ref);
    pf_like_destroy(lk);
    sy_free(&d);
}

/* a non-positive density at an event is an error naming the event */
static void nonpositive_density_is_refused(void **state)
{
    (void)state;
    sy_data d;
    sy_generate(&d, 1.0, 2, 10);
    pf_status st = {0};
    pf_like *lk = sy_like(&d, &st);
    double G[SY_NG] = {0}, lnl;
    assert_int_equal(pf_like_events(lk, G, NULL, 0, &lnl, NULL, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "event 0"));
    pf_like_destroy(lk);
    sy_free(&d);
}

/* Without its event rows (pf_like_data.binned_only, what `fit --method histogram` reads) the
 * histogram likelihood, its gradient and the bootstrap counts are the same bits; the
 * unbinned one is refused. */
static void binned_only_likelihood_gives_the_histogram_bits_and_refuses_the_event_pass(void **state)
{
    (void)state;
    sy_data d;
    sy_generate(&d, 2000.0, 5, 0);
    pf_status st = {0};
    pf_like *full = sy_like(&d, &st);
    pf_like_data ld = {.ngrid = SY_NG, .nevents_total = d.n, .first_event = 0, .nevents = d.n, .bin = d.bin,
                       .c = d.c, .luminosity = d.L, .nbins = SY_NB, .H = d.H, .binned_only = 1};
    pf_like *bo = pf_like_create(&ld, &st);
    assert_non_null(full);
    assert_non_null(bo);
    double G[SY_NG], dG[SY_NP * SY_NG];
    sy_grid(sy_truth, G, dG);
    for (int rep = 0; rep < 2; rep++) {
        if (rep) {
            assert_int_equal(pf_like_bootstrap(full, 77, 3, &st), PF_OK);
            assert_int_equal(pf_like_bootstrap(bo, 77, 3, &st), PF_OK);
        }
        double l1, l2, g1[SY_NP], g2[SY_NP];
        assert_int_equal(pf_like_histogram(full, G, dG, SY_NP, &l1, g1, &st), PF_OK);
        assert_int_equal(pf_like_histogram(bo, G, dG, SY_NP, &l2, g2, &st), PF_OK);
        assert_memory_equal(&l1, &l2, sizeof l1);
        assert_memory_equal(g1, g2, sizeof g1);
        assert_memory_equal(pf_like_counts(full), pf_like_counts(bo), SY_NB * sizeof(double));
    }
    double lnl;
    assert_int_equal(pf_like_events(bo, G, NULL, 0, &lnl, NULL, &st), PF_EINVAL);
    assert_non_null(strstr(st.msg, "binned only"));
    /* binned_only without histogram operators is incomplete */
    ld.nbins = 0;
    assert_null(pf_like_create(&ld, &st));
    pf_like_destroy(full);
    pf_like_destroy(bo);
    sy_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gradient_matches_central_differences),
        cmocka_unit_test(value_matches_direct_sum),
        cmocka_unit_test(one_and_two_threads_give_identical_bits),
        cmocka_unit_test(closure_ten_experiments_and_errors_match_fisher),
        cmocka_unit_test(non_convergence_is_reported),
        cmocka_unit_test(binned_fisher_metric_is_bounded_by_unbinned_information),
        cmocka_unit_test(csr_rows_with_gaps_give_the_kernel_bits),
        cmocka_unit_test(newton_polish_goes_on_below_the_rounding_floor_of_f),
        cmocka_unit_test(bootstrap_weights_are_poisson_one_and_keyed_by_event),
        cmocka_unit_test(nonpositive_density_is_refused),
        cmocka_unit_test(binned_only_likelihood_gives_the_histogram_bits_and_refuses_the_event_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
