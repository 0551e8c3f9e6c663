/* Theory cards: resolved values of good cards, the Les Houches toy preset against its
 * published sum rules, the YAML round trip, and malformed cards each rejected with a
 * message that names the file, the line, the key and what was expected. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "partonflow/card.h"

/* The example card of issue 2 (docs/cards.md), with `flavours` instead of the preset. */
static const char *issue2_card =
    "theory:\n"
    "  order: NLO            # LO | NLO\n"
    "  scheme: VFNS          # FFNS | VFNS\n"
    "  mu0: 1.4142135623730951\n"
    "  alphas: {value: 0.35, mu: 1.4142135623730951}\n"
    "  masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}\n"
    "  xi_r: 1.0\n"
    "  mellin_nodes: 64\n"
    "pdf:\n"
    "  flavours:\n"
    "    uv:   {A: valence,  a: 0.7,   b: 3.2, poly: [1, 0, 1.5]}\n"
    "    dv:   {A: valence,  a: 0.75,  b: 4.1}\n"
    "    ubar: {A: 0.15,     a: -0.15, b: 7.0}\n"
    "    dbar: {A: 0.18,     a: -0.15, b: 7.5}\n"
    "    s:    {A: 0.1,      a: -0.15, b: 8.0}\n"
    "    sbar: {same_as: s}\n"
    "    g:    {A: momentum, a: -0.2,  b: 5.0, poly: [1, 0, 2]}\n";

static const char *full_card =
    "version: 1\n"
    "theory:\n"
    "  order: LO\n"
    "  scheme: FFNS\n"
    "  nf: 4\n"
    "  mu0: 1.4142135623730951\n"
    "  alphas: {value: 0.35}\n"
    "  evolution: truncated\n"
    "  grid: {x: 60, q2: 30}\n"
    "pdf:\n"
    "  preset: lha-toy\n"
    "kinematics:\n"
    "  beams: {electron: 10.0, proton: 100.0}\n"
    "  cuts: {q2_min: 4.0, q2_max: 1000.0, x_min: 1.0e-3, x_max: 0.9, y_min: 0.01, y_max: 0.95, w2_min: 10.0}\n"
    "detector:\n"
    "  energy_resolution: {stochastic: 0.05}\n"
    "  efficiency: {y: [0.0, 0.5, 1.0], value: [0.9, 1.0, 0.8]}\n"
    "simulation: {luminosity: 10.0, seed: 18446744073709551615}\n"
    "fit:\n"
    "  free: [uv.a, uv.b, g.a, dbar.A, ubar.p2]\n"
    "  start: {uv.b: 3.5, g.a: -0.2}\n"
    "  replicas: 20\n";

static void parse_ok(const char *text, pf_card *card)
{
    pf_status st;
    int rc = pf_card_parse(text, strlen(text), "good.yaml", card, &st);
    if (rc != PF_OK)
        fail_msg("unexpected error: %s", st.msg);
}

static void test_issue2_card_resolves_to_its_values(void **state)
{
    (void)state;
    pf_card c;
    parse_ok(issue2_card, &c);
    assert_string_equal(c.path, "good.yaml");
    assert_int_equal(c.version, 1);
    assert_int_equal(c.theory.order, PF_NLO);
    assert_int_equal(c.theory.scheme, PF_VFNS);
    assert_true(c.theory.mu0 == sqrt(2.0));
    assert_true(c.theory.alphas_value == 0.35 && c.theory.alphas_mu == sqrt(2.0));
    assert_true(c.theory.mc == sqrt(2.0) && c.theory.mb == 4.5 && c.theory.mt == 175.0);
    assert_true(c.theory.xi_r == 1.0);
    assert_int_equal(c.theory.mellin_nodes, 64);
    assert_int_equal(c.theory.evolution, PF_EVOL_EXACT); /* default */
    assert_int_equal(c.theory.grid_nx, 0);
    const pf_flavour_card *uv = &c.pdf.fl[PF_IN_UV], *g = &c.pdf.fl[PF_IN_G], *sb = &c.pdf.fl[PF_IN_SBAR];
    assert_true(uv->present && uv->norm == PF_NORM_VALENCE && uv->same_as == -1);
    assert_true(uv->a == 0.7 && uv->b == 3.2);
    assert_int_equal(uv->npoly, 3);
    assert_true(uv->poly[0] == 1 && uv->poly[1] == 0 && uv->poly[2] == 1.5);
    assert_int_equal(uv->line, 11);
    assert_int_equal(c.pdf.fl[PF_IN_DV].npoly, 1); /* poly defaults to [1] */
    assert_true(c.pdf.fl[PF_IN_DV].poly[0] == 1.0);
    assert_true(c.pdf.fl[PF_IN_UBAR].norm == PF_NORM_FIXED && c.pdf.fl[PF_IN_UBAR].A == 0.15);
    assert_true(g->norm == PF_NORM_MOMENTUM && g->a == -0.2 && g->b == 5.0 && g->npoly == 3 && g->poly[2] == 2);
    /* sbar copies s: same function, same_as names the target */
    assert_true(sb->present && sb->same_as == PF_IN_S);
    assert_true(sb->A == 0.1 && sb->a == -0.15 && sb->b == 8.0 && sb->npoly == 1);
    /* flavours not given are zero */
    for (int j = PF_IN_C; j <= PF_IN_BBAR; j++)
        assert_false(c.pdf.fl[j].present);
    assert_string_equal(c.pdf.preset, "");
    assert_false(c.kinematics.present || c.detector.present || c.simulation.present || c.fit.present);
    assert_string_equal(pf_flav_in_name[PF_IN_SBAR], "sbar");
    assert_string_equal(pf_flav_out_name[PF_GLUON], "g");
    assert_string_equal(pf_flav_out_name[PF_TBAR], "tbar");
    assert_string_equal(pf_flav_out_name[PF_T], "t");
}

static void test_full_card_fills_defaults_of_every_section(void **state)
{
    (void)state;
    pf_card c;
    parse_ok(full_card, &c);
    assert_int_equal(c.theory.nf, 4);
    assert_true(c.theory.alphas_mu == c.theory.mu0); /* mu defaults to mu0 */
    assert_true(c.theory.mc == 0); /* FFNS without masses */
    assert_int_equal(c.theory.evolution, PF_EVOL_TRUNCATED);
    assert_int_equal(c.theory.grid_nx, 60);
    assert_int_equal(c.theory.grid_nq2, 30);
    assert_true(c.kinematics.present && c.kinematics.e_electron == 10 && c.kinematics.e_proton == 100);
    assert_true(c.kinematics.q2_min == 4 && c.kinematics.q2_max == 1000 && c.kinematics.x_min == 1e-3);
    assert_true(c.kinematics.x_max == 0.9 && c.kinematics.y_min == 0.01 && c.kinematics.y_max == 0.95);
    assert_true(c.kinematics.w2_min == 10 && c.kinematics.alpha_em == 1.0 / 137.036);
    assert_true(c.detector.present && !c.detector.perfect);
    assert_true(c.detector.e_stochastic == 0.05 && c.detector.e_constant == 0.01);
    assert_true(c.detector.theta_resolution == 0.001);
    assert_int_equal(c.detector.eff_n, 3);
    assert_true(c.detector.eff_y[1] == 0.5 && c.detector.eff_value[2] == 0.8);
    assert_true(c.simulation.present && c.simulation.events == 0 && c.simulation.luminosity == 10.0);
    assert_true(c.simulation.seed == UINT64_MAX);
    assert_true(c.fit.present);
    assert_int_equal(c.fit.nfree, 5);
    assert_string_equal(c.fit.free[4], "ubar.p2");
    assert_int_equal(c.fit.start, PF_START_EXPLICIT);
    /* named values as given, the others at the card's (true) values */
    assert_true(c.fit.start_value[0] == 0.8 && c.fit.start_value[1] == 3.5 && c.fit.start_value[2] == -0.2);
    assert_true(c.fit.start_value[3] == 0.1939875 && c.fit.start_value[4] == -1.0);
    assert_int_equal(c.fit.bins_x, 20);
    assert_int_equal(c.fit.bins_q2, 12);
    assert_int_equal(c.fit.replicas, 20);

    const char *perfect = "theory: {order: LO, scheme: FFNS, nf: 3, mu0: 1.0, alphas: {value: 0.3}}\n"
                          "pdf: {preset: lha-toy}\ndetector: perfect\nsimulation: {events: 1e6}\n";
    parse_ok(perfect, &c);
    assert_true(c.detector.perfect && c.detector.e_stochastic == 0 && c.detector.theta_resolution == 0);
    assert_true(c.detector.efficiency == 1.0);
    assert_true(c.simulation.events == 1000000 && c.simulation.seed == 0);
}

/* B(p, q) through lgamma: the integral of x^(p-1) (1-x)^(q-1). */
static double beta_fn(double p, double q) { return exp(lgamma(p) + lgamma(q) - lgamma(p + q)); }

static double moment(const pf_flavour_card *f, double shift)
{
    /* int_0^1 x^(shift-1) [x f] dx for x f = A x^a (1-x)^b sum_k p_k x^(k/2) */
    double s = 0;
    for (int k = 0; k < f->npoly; k++)
        s += f->poly[k] * beta_fn(f->a + shift + 0.5 * k, f->b + 1);
    return f->A * s;
}

static double xf(const pf_flavour_card *f, double x)
{
    double p = 0;
    for (int k = 0; k < f->npoly; k++)
        p += f->poly[k] * pow(x, 0.5 * k);
    return f->A * pow(x, f->a) * pow(1 - x, f->b) * p;
}

static void test_lha_toy_preset_satisfies_the_published_sum_rules(void **state)
{
    (void)state;
    pf_card c;
    parse_ok("theory: {order: NLO, scheme: FFNS, nf: 4, mu0: 1.4142135623730951, alphas: {value: 0.35}}\n"
             "pdf:\n  preset: lha-toy\n", &c);
    const pf_flavour_card *fl = c.pdf.fl;
    assert_string_equal(c.pdf.preset, "lha-toy");
    /* hep-ph/0204316 eq. (1.4): the normalisations give int uv = 2, int dv = 1 and momentum
     * 1 to the printed precision (~1e-5 relative). */
    assert_true(fabs(moment(&fl[PF_IN_UV], 0) - 2.0) < 2e-5);
    assert_true(fabs(moment(&fl[PF_IN_DV], 0) - 1.0) < 1e-5);
    /* momentum: u = uv + ubar and d = dv + dbar, so the sea counts ubar and dbar twice */
    double mom;
    mom = moment(&fl[PF_IN_UV], 1) + moment(&fl[PF_IN_DV], 1) + 2 * moment(&fl[PF_IN_UBAR], 1) +
          2 * moment(&fl[PF_IN_DBAR], 1) + moment(&fl[PF_IN_S], 1) + moment(&fl[PF_IN_SBAR], 1) +
          moment(&fl[PF_IN_G], 1);
    assert_true(fabs(mom - 1.0) < 1e-5);
    /* shapes: ubar = (1-x) dbar, s = sbar = 0.2 (ubar + dbar) pointwise */
    for (double x = 1e-4; x < 1; x *= 3) {
        double d = xf(&fl[PF_IN_DBAR], x), u = xf(&fl[PF_IN_UBAR], x);
        assert_true(fabs(u - (1 - x) * d) <= 1e-14 * d);
        assert_true(fabs(xf(&fl[PF_IN_S], x) - 0.2 * (u + d)) <= 1e-14 * d);
        assert_true(xf(&fl[PF_IN_SBAR], x) == xf(&fl[PF_IN_S], x));
        assert_true(fabs(xf(&fl[PF_IN_G], x) - 1.7 * pow(x, -0.1) * pow(1 - x, 5)) <= 1e-14 * xf(&fl[PF_IN_G], x));
    }
    assert_int_equal(fl[PF_IN_SBAR].same_as, PF_IN_S);
    for (int j = 0; j < PF_NIN; j++)
        assert_int_equal(fl[j].norm, PF_NORM_FIXED);
    assert_false(fl[PF_IN_C].present || fl[PF_IN_B].present);
}

static void clear_lines(pf_card *c)
{
    for (int j = 0; j < PF_NIN; j++)
        c->pdf.fl[j].line = 0;
}

static void round_trip(const char *text)
{
    pf_card a, b, c;
    parse_ok(text, &a);
    char *ya = pf_card_to_yaml(&a);
    assert_non_null(ya);
    pf_status st;
    if (pf_card_parse(ya, strlen(ya), "good.yaml", &b, &st) != PF_OK)
        fail_msg("re-parse failed: %s\n%s", st.msg, ya);
    char *yb = pf_card_to_yaml(&b);
    assert_string_equal(ya, yb); /* the resolved text is a fixed point */
    parse_ok(yb, &c);
    assert_memory_equal(&b, &c, sizeof b); /* identical struct, bit for bit */
    clear_lines(&a);
    clear_lines(&b);
    assert_memory_equal(&a, &b, sizeof a); /* same as the original card but for line numbers */
    free(ya);
    free(yb);
}

static void test_resolved_yaml_parses_back_to_the_identical_card(void **state)
{
    (void)state;
    round_trip(issue2_card);
    round_trip(full_card);
    round_trip("theory: {order: NLO, scheme: VFNS, mu0: 1.3, alphas: {value: 0.118, mu: 91.1876},"
               " masses: {charm: 1.3, bottom: 4.75, top: 172.5}, xi_r: 0.5}\n"
               "pdf: {preset: lha-toy}\ndetector: perfect\nsimulation: {events: 12345, seed: 7}\n"
               "fit: {free: [uv.a, g.p0], start: truth-shifted, bins: {x: 7, q2: 5}}\n"
               "kinematics: {beams: {electron: 18, proton: 275}, cuts: {q2_min: 1e-1, q2_max: 1e4,"
               " x_min: 1e-5, x_max: 1}, alpha_em: 0.0072973525693}\n");
    /* NNLO with each built three-loop form */
    const char *forms[3] = {"parametrised", "parametrised-conserving", "exact"};
    const int want[3] = {PF_NNLO_PARAMETRISED, PF_NNLO_PARAM_CONSERVING, PF_NNLO_EXACT};
    for (int i = 0; i < 3; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "theory: {order: NNLO, nnlo: %s, scheme: FFNS, nf: 4, mu0: 1.3,"
                 " alphas: {value: 0.118, mu: 91.1876}}\npdf: {preset: lha-toy}\n", forms[i]);
        pf_card c;
        parse_ok(text, &c);
        assert_int_equal(c.theory.order, PF_NNLO);
        assert_int_equal(c.theory.nnlo, want[i]);
        round_trip(text);
    }
    /* without theory.nnlo: the exact form, written back as such */
    {
        const char *text = "theory: {order: NNLO, scheme: FFNS, nf: 4, mu0: 1.3, alphas: {value: 0.118, mu: 91.1876}}\n"
                           "pdf: {preset: lha-toy}\n";
        pf_card c;
        parse_ok(text, &c);
        assert_int_equal(c.theory.nnlo, PF_NNLO_EXACT);
        assert_int_equal(c.theory.nnlo_coef, PF_NNLO_COEF_EXACT);
        char *y = pf_card_to_yaml(&c);
        assert_non_null(strstr(y, "nnlo: exact"));
        assert_non_null(strstr(y, "nnlo_coefficients: exact"));
        free(y);
        round_trip(text);
    }
    /* the second-order coefficient functions: exact (the default) or parametrised */
    {
        const char *text = "theory: {order: NNLO, nnlo_coefficients: parametrised, scheme: FFNS, nf: 4, mu0: 1.3,"
                           " alphas: {value: 0.118, mu: 91.1876}}\npdf: {preset: lha-toy}\n";
        pf_card c;
        parse_ok(text, &c);
        assert_int_equal(c.theory.nnlo, PF_NNLO_EXACT);
        assert_int_equal(c.theory.nnlo_coef, PF_NNLO_COEF_PARAMETRISED);
        char *y = pf_card_to_yaml(&c);
        assert_non_null(strstr(y, "nnlo_coefficients: parametrised"));
        free(y);
        round_trip(text);
    }
}

/* issue 14 item 3: the electroweak keys resolve, round-trip, and are written back only when a
 * card gives one of them, so that a photon-only card keeps its resolved text (and theory.h5
 * its checksum). */
static void test_electroweak_keys_resolve_and_photon_cards_unchanged(void **state)
{
    (void)state;
    const char *th = "theory: {order: NLO, scheme: FFNS, nf: 4, mu0: 1.3, alphas: {value: 0.118, mu: 91.1876}}\n"
                     "pdf: {preset: lha-toy}\n";
    const char *kin = "kinematics: {beams: {electron: 27.6, proton: 920}, cuts: {q2_min: 1, q2_max: 1e5,"
                      " x_min: 1e-5, x_max: 1}";
    char text[1024];
    pf_card c;
    snprintf(text, sizeof text, "%s%s}\n", th, kin);
    parse_ok(text, &c);
    assert_int_equal(c.kinematics.process, PF_PROCESS_EM);
    char *y = pf_card_to_yaml(&c);
    assert_null(strstr(y, "electroweak"));
    assert_null(strstr(y, "lepton"));
    assert_null(strstr(y, "process"));
    free(y);
    /* defaults: on-shell sin^2 from mz, mw; unit CKM; e-, unpolarised, NC */
    assert_true(c.electroweak.mz == 91.1876 && c.electroweak.mw == 80.377);
    assert_true(c.electroweak.sin2w == 1.0 - 80.377 * 80.377 / (91.1876 * 91.1876));
    assert_true(c.electroweak.ckm[0][0] == 1.0 && c.electroweak.ckm[0][1] == 0.0 && c.electroweak.ckm[2][2] == 1.0);
    snprintf(text, sizeof text, "%selectroweak: {mz: 91.0, mw: 80.0}\n", th);
    parse_ok(text, &c);
    assert_int_equal(c.kinematics.process, PF_PROCESS_NC);
    assert_true(c.electroweak.sin2w == 1.0 - 80.0 * 80.0 / (91.0 * 91.0));
    assert_int_equal(c.kinematics.lepton_charge, -1);
    round_trip(text);
    snprintf(text, sizeof text, "%s%s, lepton: {charge: +1, polarisation: -0.37}}\n", th, kin);
    parse_ok(text, &c);
    assert_int_equal(c.kinematics.process, PF_PROCESS_NC);
    assert_int_equal(c.kinematics.lepton_charge, 1);
    assert_true(c.kinematics.polarisation == -0.37);
    round_trip(text);
    snprintf(text, sizeof text,
             "%s%s, process: cc}\nelectroweak: {sin2_theta_w: 0.2312, ckm: [[0.974, 0.225, 0.0037],"
             " [0.225, 0.973, 0.042], [0.0086, 0.041, 0.999]]}\n",
             th, kin);
    parse_ok(text, &c);
    assert_int_equal(c.kinematics.process, PF_PROCESS_CC);
    assert_true(c.electroweak.sin2w == 0.2312 && c.electroweak.sin2w_given && c.electroweak.ckm_given);
    assert_true(c.electroweak.ckm[1][2] == 0.042);
    round_trip(text);
    /* charged current: the hadronic final state's resolutions (Jacquet-Blondel), defaults
     * and given; written back for CC cards only */
    assert_true(c.detector.h_stochastic == 0.5 && c.detector.h_constant == 0.03 && c.detector.h_theta_resolution == 0.01);
    snprintf(text, sizeof text,
             "%s%s, process: cc}\ndetector: {hadronic: {energy_resolution: {stochastic: 0.35, constant: 0.02}, "
             "angle_resolution: 0.02}}\n",
             th, kin);
    parse_ok(text, &c);
    assert_true(c.detector.hadronic_given && c.detector.h_stochastic == 0.35 && c.detector.h_constant == 0.02 &&
                c.detector.h_theta_resolution == 0.02);
    round_trip(text);
}

static void test_card_read_names_a_missing_file(void **state)
{
    (void)state;
    pf_card c;
    pf_status st;
    assert_int_equal(pf_card_read("/nonexistent/dir/card.yaml", &c, &st), PF_ECARD);
    assert_non_null(strstr(st.msg, "/nonexistent/dir/card.yaml: cannot open the card"));
    char path[] = "/tmp/pf_card_testXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, issue2_card, strlen(issue2_card)), (ssize_t)strlen(issue2_card));
    close(fd);
    assert_int_equal(pf_card_read(path, &c, &st), PF_OK);
    assert_string_equal(c.path, path);
    assert_true(c.pdf.fl[PF_IN_G].b == 5.0);
    unlink(path);
}

#include "test_card_bad.inc"

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue2_card_resolves_to_its_values),
        cmocka_unit_test(test_full_card_fills_defaults_of_every_section),
        cmocka_unit_test(test_lha_toy_preset_satisfies_the_published_sum_rules),
        cmocka_unit_test(test_resolved_yaml_parses_back_to_the_identical_card),
        cmocka_unit_test(test_electroweak_keys_resolve_and_photon_cards_unchanged),
        cmocka_unit_test(test_card_read_names_a_missing_file),
        BAD_CARD_TESTS
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
