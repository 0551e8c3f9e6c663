/* Evolution of a parametrised PDF (pf_pdf): sum rules of the issue-2 example card and of
 * the lha-toy preset conserved to 1e-8, and the analytic gradient of pf_evol_xf against
 * central finite differences for every free parameter at three scales. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "partonflow/card.h"
#include "partonflow/evol.h"
#include "partonflow/pdf.h"

static const char theory[] =
    "theory:\n"
    "  order: NLO\n"
    "  scheme: VFNS\n"
    "  mu0: 1.4142135623730951\n"
    "  alphas: {value: 0.35, mu: 1.4142135623730951}\n"
    "  masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}\n";
static const char example_pdf[] =
    "pdf:\n"
    "  flavours:\n"
    "    uv:   {A: valence,  a: 0.7,   b: 3.2, poly: [1, 0, 1.5]}\n"
    "    dv:   {A: valence,  a: 0.75,  b: 4.1}\n"
    "    ubar: {A: 0.15,     a: -0.15, b: 7.0}\n"
    "    dbar: {A: 0.18,     a: -0.15, b: 7.5}\n"
    "    s:    {A: 0.1,      a: -0.15, b: 8.0}\n"
    "    sbar: {same_as: s}\n"
    "    g:    {A: momentum, a: -0.2,  b: 5.0, poly: [1, 0, 2]}\n";
static const char lha_pdf[] = "pdf:\n  preset: lha-toy\n";
/* NNLO: the same with the three-loop evolution and the NNLO matching at the thresholds (the
 * charm one at mu0) */
static const char theory_nnlo_conserving[] =
    "theory:\n"
    "  order: NNLO\n"
    "  nnlo: parametrised-conserving\n"
    "  scheme: VFNS\n"
    "  mu0: 1.4142135623730951\n"
    "  alphas: {value: 0.35, mu: 1.4142135623730951}\n"
    "  masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}\n";
static const char theory_nnlo[] =
    "theory:\n"
    "  order: NNLO\n"
    "  nnlo: parametrised\n"
    "  scheme: VFNS\n"
    "  mu0: 1.4142135623730951\n"
    "  alphas: {value: 0.35, mu: 1.4142135623730951}\n"
    "  masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}\n"
    "  xi_r: 1.4142135623730951\n";
static const char *g_theory = theory;

static void load(const char *pdf_yaml, pf_card *card, pf_evol **ev, pf_pdf **pdf)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", g_theory, pdf_yaml);
    pf_status st;
    if (pf_card_parse(buf, strlen(buf), "<test card>", card, &st)) fail_msg("card: %s", st.msg);
    *ev = pf_evol_create(&card->theory, &st);
    assert_non_null(*ev);
    *pdf = pf_pdf_create(&card->pdf, &st);
    if (!*pdf) fail_msg("pdf: %s", st.msg);
}

/* valence numbers from the q^- rows (finite at the singlet pole N = 1), momentum from all
 * flavours at N = 2; the targets are the input's own moments (2, 1, 1 for cards whose
 * normalisations are fixed by the sum rules); NaN fails */
static void check_sum_rules(const char *pdf_yaml, int exact_targets)
{
    pf_card card;
    pf_evol *ev;
    pf_pdf *pdf;
    load(pdf_yaml, &card, &ev, &pdf);
    const double complex N[2] = {1.0, 2.0};
    double complex M[2 * PF_NIN], E[PF_NOUT * PF_NIN], Epm[13 * PF_NIN];
    pf_status st;
    assert_int_equal(pf_pdf_moments(pdf, 2, N, M, NULL, &st), PF_OK);
    double nu0 = creal(M[PF_IN_UV]), nd0 = creal(M[PF_IN_DV]), mom0 = 0.0;
    for (int j = 0; j < PF_NIN; j++) mom0 += creal(M[PF_NIN + j]);
    mom0 += creal(M[PF_NIN + PF_IN_UBAR]) + creal(M[PF_NIN + PF_IN_DBAR]);
    if (exact_targets) {
        if (!(fabs(nu0 - 2.0) <= 1e-12 && fabs(nd0 - 1.0) <= 1e-12 && fabs(mom0 - 1.0) <= 1e-12))
            fail_msg("input sum rules: uv %.15f, dv %.15f, momentum %.15f", nu0, nd0, mom0);
    }
    const double q2s[] = {2.0, 10.0, 100.0, 1e4, 1e6};
    for (int q = 0; q < 5; q++) {
        assert_int_equal(pf_evol_operator_pm_at(ev, q2s[q], 1, &N[0], Epm, &st), PF_OK);
        assert_int_equal(pf_evol_operator_at(ev, q2s[q], 1, &N[1], E, &st), PF_OK);
        double num[6], mom = 0.0;
        for (int i = 0; i < 6; i++) {
            double complex s = 0.0;
            for (int j = 0; j < PF_NIN; j++) s += Epm[(6 + i) * PF_NIN + j] * M[j];
            num[i] = creal(s);
        }
        for (int k = 0; k < PF_NOUT; k++)
            for (int j = 0; j < PF_NIN; j++) mom += creal(E[k * PF_NIN + j] * M[PF_NIN + j]);
        if (!(fabs(num[1] - nu0) <= 1e-8 && fabs(num[0] - nd0) <= 1e-8 && fabs(num[2]) <= 1e-8
              && fabs(mom - mom0) <= 1e-8))
            fail_msg("q2 %g: u-ubar %.12f, d-dbar %.12f, s-sbar %.2e, momentum %.12f (input %.12f)",
                     q2s[q], num[1], num[0], num[2], mom, mom0);
    }
    pf_pdf_destroy(pdf);
    pf_evol_destroy(ev);
}

static void test_sum_rules_conserved_example_card(void **s) { (void)s; check_sum_rules(example_pdf, 1); }
static void test_sum_rules_conserved_lha_toy(void **s) { (void)s; check_sum_rules(lha_pdf, 0); }
static void test_sum_rules_conserved_nnlo(void **s)
{
    (void)s;
    g_theory = theory_nnlo_conserving;
    check_sum_rules(example_pdf, 1);
    check_sum_rules(lha_pdf, 0);
    g_theory = theory;
}

static void check_gradient(void)
{
    pf_card card;
    pf_evol *ev;
    pf_pdf *pdf;
    load(example_pdf, &card, &ev, &pdf);
    pf_status st;
    const size_t np = pf_pdf_nparams(pdf);
    assert_true(np > 0);
    enum { NX = 4, NQ = 3, NPT = NX * NQ };
    const double xs[NX] = {1e-4, 0.01, 0.3, 0.7}, qs[NQ] = {10.0, 1e3, 1e5};
    double x[NPT], q2[NPT];
    for (int i = 0; i < NPT; i++) {
        x[i] = xs[i % NX];
        q2[i] = qs[i / NX];
    }
    double *xf = malloc(sizeof(double) * NPT * PF_NOUT), *dxf = malloc(sizeof(double) * NPT * PF_NOUT * np);
    double *fp = malloc(sizeof(double) * NPT * PF_NOUT), *fm = malloc(sizeof(double) * NPT * PF_NOUT);
    double *th = malloc(sizeof(double) * np), *t2 = malloc(sizeof(double) * np);
    assert_int_equal(pf_evol_xf(ev, pdf, NPT, x, q2, xf, dxf, &st), PF_OK);
    pf_pdf_get_params(pdf, th);
    pf_pdf *work = pf_pdf_clone(pdf, &st);
    for (size_t p = 0; p < np; p++) {
        const double h = 1e-5 * fmax(1.0, fabs(th[p]));
        memcpy(t2, th, sizeof(double) * np);
        t2[p] = th[p] + h;
        assert_int_equal(pf_pdf_set_params(work, t2, &st), PF_OK);
        assert_int_equal(pf_evol_xf(ev, work, NPT, x, q2, fp, NULL, &st), PF_OK);
        t2[p] = th[p] - h;
        assert_int_equal(pf_pdf_set_params(work, t2, &st), PF_OK);
        assert_int_equal(pf_evol_xf(ev, work, NPT, x, q2, fm, NULL, &st), PF_OK);
        for (int i = 0; i < NPT * PF_NOUT; i++) {
            /* floor: the finite difference's own rounding, ~1e-11 of the point's largest x f
             * (derivatives that vanish, e.g. p0 of a sum-rule-normalised flavour) */
            double big = 0.0;
            for (int k = 0; k < PF_NOUT; k++) big = fmax(big, fabs(xf[(i / PF_NOUT) * PF_NOUT + k]));
            const double an = dxf[p * NPT * PF_NOUT + i], fd = (fp[i] - fm[i]) / (2.0 * h);
            if (!(fabs(an - fd) <= 1e-6 * fabs(an) + 1e-9 * big))
                fail_msg("parameter %s, x %g, q2 %g, flavour %s: analytic %.10e, central FD %.10e",
                         pf_pdf_param_name(pdf, p), x[i / PF_NOUT], q2[i / PF_NOUT],
                         pf_flav_out_name[i % PF_NOUT], an, fd);
        }
    }
    pf_pdf_destroy(work);
    free(xf);
    free(dxf);
    free(fp);
    free(fm);
    free(th);
    free(t2);
    pf_pdf_destroy(pdf);
    pf_evol_destroy(ev);
}

static void test_gradient_matches_central_differences(void **state)
{
    (void)state;
    check_gradient();
}

/* NNLO (published parametrisation, mu_R^2 = 2 mu_F^2, VFNS with the NNLO matching) */
static void test_nnlo_gradient_matches_central_differences(void **state)
{
    (void)state;
    g_theory = theory_nnlo;
    check_gradient();
    g_theory = theory;
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(test_sum_rules_conserved_example_card),
        cmocka_unit_test(test_sum_rules_conserved_lha_toy),
        cmocka_unit_test(test_gradient_matches_central_differences),
        cmocka_unit_test(test_sum_rules_conserved_nnlo),
        cmocka_unit_test(test_nnlo_gradient_matches_central_differences),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
