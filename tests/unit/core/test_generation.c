/* The generation region (partonflow/generation.h): the cuts for a perfect detector; for the
 * smeared default card, every true point that the detector kernel (kernels/detector.h,
 * the simulator's own pf_det_event) can bring into the cuts with a smearing inside the
 * 1e-9 disk is inside, checked on an independent polar grid of the disk and by Monte Carlo
 * of the smearing; the region is not much wider than that; explicit keys override; bad
 * keys are refused naming the key. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "partonflow/card.h"
#include "partonflow/generation.h"
#include "partonflow/kernels/detector.h"
#include "partonflow/kernels/philox.h"

static const char *card_head =
    "theory: {order: NLO, scheme: VFNS, mu0: 1.4142135623730951, alphas: {value: 0.35},\n"
    "         masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}}\n"
    "pdf: {preset: lha-toy}\n"
    "kinematics:\n"
    "  beams: {electron: 10.0, proton: 100.0}\n"
    "  cuts: {q2_min: 4.0, q2_max: 1000.0, x_min: 1.0e-3, x_max: 0.9, y_min: 0.01, y_max: 0.95, w2_min: 10.0}\n";

static void parse(const char *tail, pf_card *card)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", card_head, tail);
    pf_status st;
    if (pf_card_parse(buf, strlen(buf), "gen.yaml", card, &st)) fail_msg("%s", st.msg);
}

static void cuts_of(const pf_card *c, double *k)
{
    const pf_kinematics_card *m = &c->kinematics;
    const double v[PF_NCUTS] = {m->q2_min, m->q2_max, m->x_min, m->x_max, m->y_min, m->y_max, m->w2_min};
    memcpy(k, v, sizeof v);
}

static void det_of(const pf_card *c, pf_det_params *d)
{
    memset(d, 0, sizeof *d);
    d->e_electron = c->kinematics.e_electron;
    d->e_proton = c->kinematics.e_proton;
    d->stochastic = c->detector.e_stochastic;
    d->constant = c->detector.e_constant;
    d->sigma_theta = c->detector.theta_resolution;
    d->efficiency = 1.0;
    cuts_of(c, d->cuts);
}

/* Independent of generation.c: the simulator's detector kernel on a polar grid of the disk
 * |z| <= rad (40 radii x 256 angles); 1 if some z there is accepted. */
static int polar_reaches(const pf_det_params *d, double x, double q2, double rad)
{
    double e, th, xr, qr, yr, er, tr;
    for (int i = 0; i <= 40; i++)
        for (int a = 0; a < 256; a++) {
            const double r = rad * i / 40.0, phi = 2.0 * M_PI * a / 256.0;
            if (pf_det_event(d, x, q2, r * cos(phi), r * sin(phi), 0.0, &e, &th, &xr, &qr, &yr, &er, &tr)) return 1;
        }
    return 0;
}

static int inside(const double *g, double x, double q2, double s)
{
    return pf_kin_in_cuts(g, x, q2, s);
}

static void perfect_detector_and_zero_resolution_give_exactly_the_cuts(void **state)
{
    (void)state;
    pf_card c;
    double gen[PF_NCUTS], cuts[PF_NCUTS];
    pf_status st;
    parse("detector: perfect\n", &c);
    assert_int_equal(pf_gen_region(&c, gen, &st), PF_OK);
    cuts_of(&c, cuts);
    assert_memory_equal(gen, cuts, sizeof cuts); /* bitwise */
    parse("detector: {energy_resolution: {stochastic: 0, constant: 0}, angle_resolution: 0}\n", &c);
    assert_int_equal(pf_gen_region(&c, gen, &st), PF_OK);
    assert_memory_equal(gen, cuts, sizeof cuts);
    pf_gen_info info;
    assert_int_equal(pf_gen_region_info(&c, &info, &st), PF_OK);
    assert_int_equal(info.smeared, 0);
    assert_int_equal(info.cut_into, 0u);
}

/* Every point the polar grid finds able to reach the cuts lies inside gen[]: probe points
 * just outside each face of gen[] (1/4 of a scan step outside), on a dense line along it. */
static void check_contains_reachable(const pf_card *c, const double *gen, unsigned cut_into)
{
    pf_det_params d;
    det_of(c, &d);
    const double s = pf_kin_s(d.e_electron, d.e_proton), r = sqrt(-2.0 * log(PF_GEN_PROB));
    int probes = 0, outside_checked = 0;
    for (int i = 0; i <= 400; i++) {
        const double lx = log(1e-4) + (log(0.999) - log(1e-4)) * i / 400.0;
        for (int j = 0; j <= 300; j++) {
            const double lq = log(1.0) + (log(4000.0) - log(1.0)) * j / 300.0;
            const double x = exp(lx), q2 = exp(lq);
            if (q2 > x * s) continue;
            if (inside(gen, x, q2, s)) continue;
            /* skip the sides where a clip cuts into the region (flagged, documented) */
            const double y = q2 / (x * s);
            if ((cut_into & (1u << PF_CUT_Q2_MIN)) && q2 < gen[PF_CUT_Q2_MIN]) continue;
            if ((cut_into & (1u << PF_CUT_X_MAX)) && x > gen[PF_CUT_X_MAX]) continue;
            if ((cut_into & (1u << PF_CUT_Y_MAX)) && y > gen[PF_CUT_Y_MAX]) continue;
            outside_checked++;
            /* only points near gen[] can possibly reach: the polar grid is the expensive part */
            double gg[PF_NCUTS];
            memcpy(gg, gen, sizeof gg);
            gg[PF_CUT_Q2_MIN] /= 1.5, gg[PF_CUT_Q2_MAX] *= 1.5, gg[PF_CUT_X_MIN] /= 1.5;
            gg[PF_CUT_X_MAX] = 1.0 - (1.0 - gg[PF_CUT_X_MAX]) / 1.5, gg[PF_CUT_Y_MIN] /= 1.5;
            gg[PF_CUT_Y_MAX] = 1.0 - (1.0 - gg[PF_CUT_Y_MAX]) / 1.5, gg[PF_CUT_W2_MIN] /= 1.5;
            if (!inside(gg, x, q2, s)) continue;
            probes++;
            if (polar_reaches(&d, x, q2, r))
                fail_msg("x = %g, Q2 = %g (y = %g) outside the generation region reaches the cuts within |z| <= %g", x,
                         q2, y, r);
        }
    }
    print_message("    %d points outside the region, %d near it probed on the polar grid: none reaches the cuts\n",
                  outside_checked, probes);
    assert_true(probes > 100);
}

static void smeared_region_holds_every_point_above_1e9_and_not_much_more(void **state)
{
    (void)state;
    pf_card c;
    pf_status st;
    parse("detector: {energy_resolution: {stochastic: 0.02, constant: 0.01}, angle_resolution: 0.001}\n", &c);
    pf_gen_info info;
    assert_int_equal(pf_gen_region_info(&c, &info, &st), PF_OK);
    const double *g = info.gen;
    print_message("    default: Q2 %.4g..%.4g, x %.4g..%.4g, y %.4g..%.4g, W2 >= %.4g, cut_into %#x\n", g[0], g[1],
                  g[2], g[3], g[4], g[5], g[6], info.cut_into);
    double cuts[PF_NCUTS];
    cuts_of(&c, cuts);
    /* wider than the cuts on every side the resolution can cross */
    assert_true(g[PF_CUT_Q2_MIN] < cuts[PF_CUT_Q2_MIN] && g[PF_CUT_Q2_MAX] > cuts[PF_CUT_Q2_MAX]);
    assert_true(g[PF_CUT_Y_MIN] < cuts[PF_CUT_Y_MIN] && g[PF_CUT_Y_MAX] > cuts[PF_CUT_Y_MAX]);
    assert_true(g[PF_CUT_W2_MIN] < cuts[PF_CUT_W2_MIN] && g[PF_CUT_X_MAX] > cuts[PF_CUT_X_MAX]);
    check_contains_reachable(&c, g, info.cut_into);

    /* not much more: just inside the Q2 and y faces (3 scan steps), some point still reaches
     * the cuts within 1.1 r (the region is tight to the 1e-9 contour, up to the pad) */
    pf_det_params d;
    det_of(&c, &d);
    const double s = 4000.0, r = info.nsigma;
    int found_q = 0, found_y = 0;
    for (int i = 0; i <= 200 && !(found_q && found_y); i++) {
        const double x = exp(log(5e-4) + (log(0.5) - log(5e-4)) * i / 200.0);
        const double q2 = g[PF_CUT_Q2_MIN] * exp(3 * PF_GEN_DV);
        if (!found_q && q2 < cuts[PF_CUT_Q2_MIN] && inside(g, x, q2, s) && polar_reaches(&d, x, q2, 1.1 * r)) found_q = 1;
        const double yy = g[PF_CUT_Y_MAX] * exp(-3 * (PF_GEN_DU + PF_GEN_DV)), q2y = yy * x * s;
        if (!found_y && inside(g, x, q2y, s) && polar_reaches(&d, x, q2y, 1.1 * r)) found_y = 1;
    }
    assert_true(found_q);
    assert_true(found_y);
    /* far outside: a factor 2 below q2_min nothing reaches even 2 r */
    for (int i = 0; i <= 50; i++) {
        const double x = exp(log(5e-4) + (log(0.5) - log(5e-4)) * i / 50.0);
        assert_false(polar_reaches(&d, x, g[PF_CUT_Q2_MIN] / 2, 2 * r));
    }
    /* Monte Carlo of the smearing (Philox normals, 2e5 draws) at boundary-adjacent points
     * just outside the cuts: an observed acceptance (probability >> 1e-9) means inside */
    const double pts[][2] = {{0.01, 3.8}, {0.002, 3.9}, {3e-4 * 1.0, 1.15}, {0.3, 1040.0}, {0.05, 1.95}};
    (void)pts;
    const double probe[][2] = {{0.01, 0.96 * 4.0}, {0.03, 1010.0}, {0.27, 1005.0}, {1.04e-3, 3.99}};
    for (size_t p = 0; p < sizeof probe / sizeof probe[0]; p++) {
        const double x = probe[p][0], q2 = probe[p][1];
        long acc = 0;
        for (uint64_t k = 0; k < 200000; k++) {
            double e, th, xr, qr, yr, er, tr;
            acc += pf_det_event(&d, x, q2, pf_rng_normal(7, k, 0), pf_rng_normal(7, k, 1), 0.0, &e, &th, &xr, &qr,
                                &yr, &er, &tr);
        }
        print_message("    MC: x = %g, Q2 = %g: accepted %ld of 200000, in region %d\n", x, q2, acc, inside(g, x, q2, s));
        if (acc) assert_true(inside(g, x, q2, s));
    }
}

static void five_times_the_resolution_widens_it_and_flags_the_clips(void **state)
{
    (void)state;
    pf_card c;
    pf_status st;
    parse("detector: {energy_resolution: {stochastic: 0.10, constant: 0.05}, angle_resolution: 0.005}\n", &c);
    pf_gen_info info, base;
    assert_int_equal(pf_gen_region_info(&c, &info, &st), PF_OK);
    const double *g = info.gen;
    print_message("    5x: Q2 %.4g..%.4g, x %.4g..%.4g, y %.4g..%.4g, W2 >= %.4g, cut_into %#x\n", g[0], g[1], g[2],
                  g[3], g[4], g[5], g[6], info.cut_into);
    pf_card c1;
    parse("detector: {energy_resolution: {stochastic: 0.02, constant: 0.01}, angle_resolution: 0.001}\n", &c1);
    assert_int_equal(pf_gen_region_info(&c1, &base, &st), PF_OK);
    for (int k = 0; k < PF_NCUTS; k++) {
        const int lower = k == PF_CUT_Q2_MIN || k == PF_CUT_X_MIN || k == PF_CUT_Y_MIN || k == PF_CUT_W2_MIN;
        assert_true(lower ? g[k] <= base.gen[k] : g[k] >= base.gen[k]);
    }
    /* the clips: never below mu0^2, never x >= 1 or y >= 1 */
    assert_true(g[PF_CUT_Q2_MIN] >= 2.0 * (1 - 1e-12));
    assert_true(g[PF_CUT_X_MAX] <= PF_GEN_X_CLIP && g[PF_CUT_Y_MAX] <= PF_GEN_Y_CLIP);
    if (info.reach[PF_CUT_Q2_MIN] < 2.0) assert_true(info.cut_into & (1u << PF_CUT_Q2_MIN));
    check_contains_reachable(&c, g, info.cut_into);
}

static void explicit_keys_override_the_derived_values(void **state)
{
    (void)state;
    pf_card c, c0;
    pf_status st;
    parse("detector: {energy_resolution: {stochastic: 0.02, constant: 0.01}, angle_resolution: 0.001}\n"
          "simulation: {events: 10, generation: {q2_min: 3.0, x_max: 0.95}}\n",
          &c);
    parse("detector: {energy_resolution: {stochastic: 0.02, constant: 0.01}, angle_resolution: 0.001}\n", &c0);
    double g[PF_NCUTS], g0[PF_NCUTS];
    assert_int_equal(pf_gen_region(&c, g, &st), PF_OK);
    assert_int_equal(pf_gen_region(&c0, g0, &st), PF_OK);
    assert_true(g[PF_CUT_Q2_MIN] == 3.0 && g[PF_CUT_X_MAX] == 0.95);
    for (int k = 0; k < PF_NCUTS; k++)
        if (k != PF_CUT_Q2_MIN && k != PF_CUT_X_MAX) assert_true(g[k] == g0[k]);
    /* a perfect detector with an explicit wider region generates there */
    parse("detector: perfect\nsimulation: {events: 10, generation: {y_max: 0.99}}\n", &c);
    assert_int_equal(pf_gen_region(&c, g, &st), PF_OK);
    assert_true(g[PF_CUT_Y_MAX] == 0.99 && g[PF_CUT_Q2_MIN] == 4.0);
    /* and the resolved card keeps the given keys (round trip) */
    char *yaml = pf_card_to_yaml(&c);
    pf_card back;
    assert_int_equal(pf_card_parse(yaml, strlen(yaml), "back", &back, &st), PF_OK);
    assert_int_equal(back.simulation.generation_given, 1u << PF_CUT_Y_MAX);
    assert_true(back.simulation.generation[PF_CUT_Y_MAX] == 0.99);
    free(yaml);
}

static void expect_refused(const char *tail, const char *key, const char *what)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", card_head, tail);
    pf_card c;
    pf_status st;
    assert_int_not_equal(pf_card_parse(buf, strlen(buf), "bad.yaml", &c, &st), PF_OK);
    if (!strstr(st.msg, key) || !strstr(st.msg, what) || !strstr(st.msg, "bad.yaml"))
        fail_msg("message '%s' does not name '%s' / '%s'", st.msg, key, what);
}

static void bad_generation_keys_are_refused_naming_the_key(void **state)
{
    (void)state;
    expect_refused("simulation: {events: 1, generation: {q2_min: 5.0}}\n", "simulation.generation.q2_min",
                   "must contain the cuts");
    expect_refused("simulation: {events: 1, generation: {x_max: 0.5}}\n", "simulation.generation.x_max",
                   "must contain the cuts");
    expect_refused("simulation: {events: 1, generation: {y_max: 1.0}}\n", "simulation.generation.y_max", "(0, 1)");
    expect_refused("simulation: {events: 1, generation: {y_max: 1.5}}\n", "simulation.generation.y_max", "(0, 1)");
    expect_refused("simulation: {events: 1, generation: {x_max: 1.0}}\n", "simulation.generation.x_max", "(0, 1)");
    expect_refused("simulation: {events: 1, generation: {q2_max: .nan}}\n", "simulation.generation.q2_max",
                   "expected a number");
    expect_refused("simulation: {events: 1, generation: {w2_min: -1}}\n", "simulation.generation.w2_min", "W^2 >= 0");
    expect_refused("simulation: {events: 1, generation: {q2_min: 2.0, q2_max: 1.0}}\n", "simulation.generation.q2_max",
                   "expected q2_max > q2_min");
    expect_refused("simulation: {events: 1, generation: {q2min: 2.0}}\n", "q2min", "q2_min");
    expect_refused("simulation: {events: 1, expected_events: 5}\n", "simulation.expected_events", "not several");
    expect_refused("simulation: {expected_events: 0}\n", "simulation.expected_events", "positive");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perfect_detector_and_zero_resolution_give_exactly_the_cuts),
        cmocka_unit_test(smeared_region_holds_every_point_above_1e9_and_not_much_more),
        cmocka_unit_test(five_times_the_resolution_widens_it_and_flags_the_clips),
        cmocka_unit_test(explicit_keys_override_the_derived_values),
        cmocka_unit_test(bad_generation_keys_are_refused_naming_the_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
