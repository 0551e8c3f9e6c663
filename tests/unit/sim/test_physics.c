/* The sampler on the physics: 1e6 events drawn from the theory grid (pf_ops_xsec) of the
 * default card (configs/cards/default.yaml, NLO ZM-VFNS, the issue-2 truth) and of a card
 * with very different PDF parameters pass the chi^2 test in 20 x 12 bins and KS tests of
 * the x and Q^2 marginals at p > 0.01 against the same grid density integrated by
 * quadrature; no envelope violation; accept rate x envelope agrees with the quadrature;
 * a card whose cuts exceed the theory grid is refused. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "partonflow/ops.h"
#include "partonflow/pdf.h"
#include "sim_stats.h"

#define NEV 1000000

static pf_card card;
static pf_ops *ops;

static int setup(void **state)
{
    (void)state;
    pf_status st;
    if (pf_card_read(PF_SIM_DEFAULT_CARD, &card, &st)) {
        fprintf(stderr, "%s\n", st.msg);
        return -1;
    }
    ops = pf_ops_build(&card, &st);
    if (!ops) fprintf(stderr, "%s\n", st.msg);
    return ops ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pf_ops_destroy(ops);
    return 0;
}

static void run(const pf_pdf_card *pc, uint64_t seed)
{
    pf_status st;
    pf_pdf *pdf = pf_pdf_create(pc, &st);
    assert_non_null(pdf);
    double *G = malloc(pf_ops_ngrid(ops) * sizeof *G);
    assert_int_equal(pf_ops_grid_values(ops, pdf, G, NULL, &st), 0);
    pf_sim_ops_ctx ctx = {ops, G};
    pf_sim_region r;
    assert_int_equal(pf_sim_region_from_card(ops, &card, "test", &r, &st), 0);
    assert_int_equal(r.nbreaks, 3);
    pf_sim_sampler *s = pf_sim_sampler_create(&r, pf_sim_ops_density, &ctx, NULL, &st);
    assert_non_null(s);
    double *x = malloc(NEV * sizeof *x), *q = malloc(NEV * sizeof *q);
    pf_sim_counts c = {0, 0, 0};
    assert_int_equal(pf_sim_sample(s, seed, 0, NEV, x, q, &c, &st), 0);
    assert_int_equal(c.violations, 0);
    double sigma;
    assert_int_equal(pf_sim_integrate(&r, pf_sim_ops_density, &ctx, &sigma, &st), 0);
    const double p = (double)c.accepted / c.candidates, est = p * pf_sim_sampler_envelope_total(s);
    const double rel = sqrt((1 - p) / (p * c.candidates));
    print_message("sigma %.6g pb, accept-rate x envelope %.6g pb (%.2f sd), acceptance %.3f\n", sigma, est,
                  (est / sigma - 1) / rel, p);
    assert_true(fabs(est / sigma - 1) < 4 * rel);
    stat_result res = {0};
    assert_int_equal(sampler_stats(&r, pf_sim_ops_density, &ctx, x, q, NEV, 20, 12, &res), 0);
    print_message("chi2 %.1f / %d (p %.3f), KS p(x) %.3f, p(Q2) %.3f\n", res.chi2, res.ndf, res.chi2_p, res.ks_x_p,
                  res.ks_q2_p);
    assert_true(res.chi2_p > 0.01 && res.ks_x_p > 0.01 && res.ks_q2_p > 0.01);
    free(x), free(q), free(G);
    pf_sim_sampler_destroy(s);
    pf_pdf_destroy(pdf);
}

static void test_default_truth_events_follow_the_grid_cross_section(void **state)
{
    (void)state;
    run(&card.pdf, 12345);
}

static void test_very_different_pdf_events_follow_the_grid_cross_section(void **state)
{
    (void)state;
    pf_pdf_card pc = card.pdf;
    pc.fl[PF_IN_UV].a = 0.4, pc.fl[PF_IN_UV].b = 2.0;
    pc.fl[PF_IN_DV].a = 1.2, pc.fl[PF_IN_DV].b = 6.0;
    pc.fl[PF_IN_UBAR].A = 0.4, pc.fl[PF_IN_UBAR].a = -0.3;
    pc.fl[PF_IN_DBAR].A = 0.05, pc.fl[PF_IN_DBAR].b = 3.0;
    pc.fl[PF_IN_G].a = 0.3, pc.fl[PF_IN_G].b = 8.0;
    run(&pc, 2024);
}

static void test_cuts_beyond_the_grid_are_refused(void **state)
{
    (void)state;
    pf_card wide = card;
    wide.simulation.generation_given = 0; /* the card pins the region to its own cuts */
    wide.kinematics.q2_max = 5000;
    pf_sim_region r;
    pf_status st;
    assert_int_equal(pf_sim_region_from_card(ops, &wide, "theory.h5", &r, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "not covered"));
    wide = card;
    wide.simulation.generation_given = 0;
    wide.kinematics.e_proton = 275;
    assert_int_equal(pf_sim_region_from_card(ops, &wide, "theory.h5", &r, &st), PF_EDOMAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_truth_events_follow_the_grid_cross_section),
        cmocka_unit_test(test_very_different_pdf_events_follow_the_grid_cross_section),
        cmocka_unit_test(test_cuts_beyond_the_grid_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
