/* Analytic gradient of the exact d2sigma/dxdQ2 (pf_dis_xsec_exact) with respect to every
 * PDF parameter against central finite differences (Richardson-extrapolated), to 1e-6
 * relative; and the cross section against the F2, FL of pf_dis_sf_exact times the Born
 * formula written out here. */
#include <complex.h>
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
#include "partonflow/dis.h"
#include "partonflow/evol.h"
#include "partonflow/pdf.h"

static const char *card =
    "theory:\n"
    "  order: NLO\n"
    "  scheme: VFNS\n"
    "  mu0: 1.4142135623730951\n"
    "  alphas: {value: 0.35, mu: 1.4142135623730951}\n"
    "  masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}\n"
    "  xi_r: 1.5\n"
    "pdf:\n"
    "  flavours:\n"
    "    uv:   {A: valence,  a: 0.7,   b: 3.2, poly: [1, 0, 1.5]}\n"
    "    dv:   {A: valence,  a: 0.75,  b: 4.1}\n"
    "    ubar: {A: 0.15,     a: -0.15, b: 7.0}\n"
    "    dbar: {A: 0.18,     a: -0.15, b: 7.5}\n"
    "    s:    {A: 0.1,      a: -0.15, b: 8.0}\n"
    "    sbar: {same_as: s}\n"
    "    g:    {A: momentum, a: -0.2,  b: 5.0, poly: [1, 0, 2]}\n"
    "kinematics:\n"
    "  beams: {electron: 10.0, proton: 100.0}\n"
    "  cuts: {q2_min: 4.0, q2_max: 1000.0, x_min: 1.0e-3, x_max: 0.9, y_min: 0.01, "
    "y_max: 0.95, w2_min: 10.0}\n";

#define NPT 6
static const double X[NPT] = {2e-3, 0.01, 0.05, 0.1, 0.3, 0.6};
static const double Q2[NPT] = {5.0, 30.0, 12.0, 250.0, 900.0, 600.0};

static void xsec(const pf_evol *ev, const pf_pdf *pdf, const pf_kinematics_card *kin,
                 double *out, double *grad)
{
    pf_status st = {0};
    if (pf_dis_xsec_exact(ev, pdf, kin, NPT, X, Q2, out, grad, &st)) fail_msg("%s", st.msg);
}

static void test_xsec_gradient_matches_central_differences(void **state)
{
    (void)state;
    pf_card c;
    pf_status st = {0};
    if (pf_card_parse(card, strlen(card), "grad.yaml", &c, &st)) fail_msg("card: %s", st.msg);
    pf_evol *ev = pf_evol_create(&c.theory, &st);
    if (!ev) fail_msg("evol: %s", st.msg);
    pf_pdf *pdf = pf_pdf_create(&c.pdf, &st);
    if (!pdf) fail_msg("pdf: %s", st.msg);
    const size_t np = pf_pdf_nparams(pdf);
    double *theta = malloc(np * sizeof *theta), *grad = malloc(np * NPT * sizeof *grad);
    double sig[NPT], sp[NPT], sm[NPT], sp2[NPT], sm2[NPT];
    pf_pdf_get_params(pdf, theta);
    xsec(ev, pdf, &c.kinematics, sig, grad);

    /* the cross section is the Born formula applied to pf_dis_sf_exact */
    double F2[NPT], FL[NPT];
    assert_int_equal(pf_dis_sf_exact(ev, pdf, NPT, X, Q2, F2, FL, NULL, NULL, &st), PF_OK);
    for (int i = 0; i < NPT; i++) {
        const double a = 1.0 / 137.036, s = 4000.0, y = Q2[i] / (X[i] * s);
        const double want = 2.0 * M_PI * a * a / (X[i] * Q2[i] * Q2[i]) *
                            ((1.0 + (1.0 - y) * (1.0 - y)) * F2[i] - y * y * FL[i]) * 0.3893794e9;
        assert_true(fabs(sig[i] - want) <= 1e-13 * fabs(want));
    }

    pf_pdf *work = pf_pdf_clone(pdf, &st);
    double worst = 0.0;
    for (size_t p = 0; p < np; p++) {
        const double h = 1e-3 * fmax(1.0, fabs(theta[p]));
        double *t = malloc(np * sizeof *t);
        const double steps[4] = {h, -h, 0.5 * h, -0.5 * h};
        double *outs[4] = {sp, sm, sp2, sm2};
        for (int k = 0; k < 4; k++) {
            memcpy(t, theta, np * sizeof *t);
            t[p] += steps[k];
            if (pf_pdf_set_params(work, t, &st)) fail_msg("set_params: %s", st.msg);
            xsec(ev, work, &c.kinematics, outs[k], NULL);
        }
        free(t);
        for (int i = 0; i < NPT; i++) {
            const double d1 = (sp[i] - sm[i]) / (2.0 * h), d2 = (sp2[i] - sm2[i]) / h;
            const double fd = (4.0 * d2 - d1) / 3.0; /* O(h^4) */
            const double g = grad[p * NPT + i];
            /* relative to the derivative, or to the cross section for a parameter it
             * hardly depends on */
            const double scale = fmax(fabs(fd), 1e-3 * fabs(sig[i]));
            const double dev = fabs(g - fd) / scale;
            worst = fmax(worst, dev);
            if (dev > 1e-6)
                fail_msg("d sigma / d %s at x = %g, Q2 = %g: analytic %.12e, finite diff. %.12e "
                         "(rel. %.2e)",
                         pf_pdf_param_name(pdf, p), X[i], Q2[i], g, fd, dev);
        }
    }
    print_message("%zu parameters x %d points: max rel. deviation of the gradient %.2e\n", np,
                  NPT, worst);
    pf_pdf_destroy(work);
    pf_pdf_destroy(pdf);
    pf_evol_destroy(ev);
    free(theta);
    free(grad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xsec_gradient_matches_central_differences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
