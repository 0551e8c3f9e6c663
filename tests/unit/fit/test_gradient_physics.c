/* ln L and its exact gradient through the whole physics chain (pdf -> ops grid values ->
 * event rows and normalisation from prepare) against central finite differences of ln L,
 * for every free parameter of the tiny card, perfect and smeared detector (CSR rows from
 * prepare_smear.c), unbinned and binned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/fit.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/kernels/philox.h"
#include "partonflow/ops.h"
#include "partonflow/pdf.h"
#include "partonflow/sim.h"

typedef struct ctx {
    pf_like *lk;
    const pf_ops *ops;
    pf_pdf *pdf;
    size_t np, ng;
    double *G, *dG;
    int hist;
} ctx;

static double lnl_at(ctx *c, const double *th, double *grad)
{
    pf_status st = {0};
    if (pf_pdf_set_params(c->pdf, th, &st)) fail_msg("%s", st.msg);
    if (pf_ops_grid_values(c->ops, c->pdf, c->G, grad ? c->dG : NULL, &st)) fail_msg("%s", st.msg);
    double l;
    int rc = c->hist ? pf_like_histogram(c->lk, c->G, c->dG, grad ? c->np : 0, &l, grad, &st)
                     : pf_like_events(c->lk, c->G, c->dG, grad ? c->np : 0, &l, grad, &st);
    if (rc) fail_msg("%s", st.msg);
    return l;
}

static void check_gradient(int smeared)
{
    pf_card card;
    pf_status st = {0};
    if (pf_card_read(PF_FIT_CARD, &card, &st)) fail_msg("%s", st.msg);
    card.detector.present = 1;
    card.detector.perfect = !smeared;
    card.detector.efficiency = smeared ? 0.9 : 1.0;
    card.detector.eff_n = 0;
    card.detector.e_stochastic = 0.02;
    card.detector.e_constant = 0.01;
    card.detector.theta_resolution = 0.001;
    pf_ops *ops = pf_ops_build(&card, &st);
    if (!ops) fail_msg("%s", st.msg);
    pf_pdf *pdf = pf_pdf_create(&card.pdf, &st);
    if (!pdf) fail_msg("%s", st.msg);
    const size_t np = pf_pdf_nparams(pdf), ng = pf_ops_ngrid(ops), n = 2000;
    double cuts[7], s, al;
    pf_ops_kinematics(ops, cuts, &s, &al);
    double *x = malloc(n * sizeof *x), *q2 = malloc(n * sizeof *q2);
    for (size_t i = 0, k = 0; i < n; k++) { /* points inside the cuts */
        q2[i] = exp(log(5.0) + (log(900.0) - log(5.0)) * pf_rng_uniform(3, k, 0));
        x[i] = fmin(0.85, exp(log(q2[i] / (s * 0.9)) * pf_rng_uniform(3, k, 1)));
        if (pf_kin_in_cuts(cuts, x[i], q2[i], s)) i++;
    }
    uint32_t *base = malloc(n * sizeof *base);
    double *stw = malloc(n * PF_LIKE_STW * sizeof *stw), *c = malloc(ng * sizeof *c);
    pf_prep_bins bins;
    pf_prep_bins_from_cuts(ops, 8, 5, &bins);
    double *H = malloc(40 * ng * sizeof *H);
    int32_t *bin = malloc(n * sizeof *bin);
    uint64_t *rp = malloc((n + 1) * sizeof *rp);
    uint32_t *col = NULL;
    double *val = NULL;
    if (smeared) {
        /* the smeared detector: CSR rows folding the resolution, c and H with acceptance */
        pf_det_params dp;
        if (pf_sim_detector_from_card(&card, &dp, &st)) fail_msg("%s", st.msg);
        if (pf_prep_events_smeared(ops, &dp, NULL, n, x, q2, rp, &col, &val, &st)) fail_msg("%s", st.msg);
        if (pf_prep_norm_smeared(ops, &dp, NULL, &bins, 0, c, H, &st)) fail_msg("%s", st.msg);
    } else {
        assert_int_equal(pf_prep_events_stencil(ops, &card.detector, n, x, q2, base, stw, &st), 0);
        assert_int_equal(pf_prep_norm(ops, &card.detector, &bins, 0, c, H, &st), 0);
    }
    for (size_t i = 0; i < n; i++) bin[i] = pf_prep_bin_of(&bins, x[i], q2[i]);
    pf_like_data d = {.ngrid = ng, .nevents_total = n, .nevents = n, .bin = bin, .c = c, .luminosity = 0.02,
                      .nbins = 40, .H = H};
    if (smeared) {
        d.row_ptr = rp;
        d.col = col;
        d.val = val;
    } else {
        d.st_base = base;
        d.st_w = stw;
        d.st_nx = pf_ops_nx(ops);
    }
    pf_like *lk = pf_like_create(&d, &st);
    assert_non_null(lk);
    ctx cx = {lk, ops, pdf, np, ng, malloc(ng * sizeof(double)), malloc(np * ng * sizeof(double)), 0};
    double *th0 = malloc(np * sizeof *th0), *th = malloc(np * sizeof *th), *g = malloc(np * sizeof *g);
    pf_pdf_get_params(pdf, th0);
    for (cx.hist = 0; cx.hist < 2; cx.hist++) {
        double l0 = lnl_at(&cx, th0, g);
        for (size_t p = 0; p < np; p++) {
            /* fourth-order central differences (Richardson) */
            const double h = 1e-4 * fmax(fabs(th0[p]), 0.1);
            double f[4];
            const double k[4] = {1, -1, 2, -2};
            for (int j = 0; j < 4; j++) {
                memcpy(th, th0, np * sizeof *th);
                th[p] += k[j] * h;
                f[j] = lnl_at(&cx, th, NULL);
            }
            const double fd = (8.0 * (f[0] - f[1]) - (f[2] - f[3])) / (12.0 * h);
            /* relative to the gradient, or to ln L / parameter scale where the gradient is tiny */
            const double scale = fmax(fabs(g[p]), 1e-6 * fabs(l0) / fmax(fabs(th0[p]), 0.1));
            /* and never below the differences' round-off: each f[j] is ln L to ~1 ulp, so the
             * stencil's (8 + 8 + 1 + 1) / (12 h) ulps, 4 times over (a parameter the density
             * does not depend on, dv.p0, has g = 0 and fd = +-1e-8 from G's last bits alone) */
            const double noise = 4.0 * 18.0 * DBL_EPSILON * fabs(l0) / (12.0 * h);
            if (fabs(fd - g[p]) > fmax(1e-6 * scale, noise))
                fail_msg("%s, %s detector: d lnL / d %s: exact %.10g, finite differences %.10g",
                         cx.hist ? "binned" : "unbinned", smeared ? "smeared" : "perfect", pf_pdf_param_name(pdf, p), g[p],
                         fd);
        }
    }
    pf_like_destroy(lk);
    pf_pdf_destroy(pdf);
    pf_ops_destroy(ops);
    free(x); free(q2); free(base); free(stw); free(c); free(H); free(bin); free(cx.G); free(cx.dG);
    free(th0); free(th); free(g); free(rp); free(col); free(val);
}

static void gradient_of_physics_likelihood_matches_finite_differences(void **state)
{
    (void)state;
    check_gradient(0);
}

static void gradient_of_physics_likelihood_matches_finite_differences_smeared_detector(void **state)
{
    (void)state;
    check_gradient(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gradient_of_physics_likelihood_matches_finite_differences),
        cmocka_unit_test(gradient_of_physics_likelihood_matches_finite_differences_smeared_detector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
