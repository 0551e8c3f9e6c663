/* The exact N-space path (pf_dis_sf_exact) against an independent x-space evaluation:
 * evolved PDFs in x space convolved with the x-space coefficient functions (xspace.c,
 * GSL QAGS, plus-distributions subtracted), NLO FFNS and VFNS, 20 points over
 * 1e-4 <= x <= 0.8 and 2 <= Q2 <= 1e4 GeV^2, to 1e-6; at LO, F2 against
 * x sum_q e_q^2 (q + qbar) from pf_evol_xf to 1e-10.  Also the contract of
 * pf_dis_sf_operator (what ops tabulates) and the thread independence of the batch. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "partonflow/card.h"
#include "partonflow/dis.h"
#include "partonflow/evol.h"
#include "partonflow/pdf.h"
#include "xspace.h"

#define NPT 20

static double card_xi_r = 1.0;

static const char *card_text(int order, int scheme)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "theory:\n"
             "  order: %s\n"
             "  scheme: %s\n"
             "%s"
             "%s"
             "  mu0: 1.4142135623730951\n"
             "  alphas: {value: 0.35, mu: 1.4142135623730951}\n"
             "  masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}\n"
             "  xi_r: %.17g\n"
             "pdf:\n"
             "  preset: lha-toy\n",
             order == PF_NNLO ? "NNLO" : order == PF_NLO ? "NLO" : "LO",
             scheme == PF_VFNS ? "VFNS" : "FFNS", order == PF_NNLO ? "  nnlo: parametrised\n  nnlo_coefficients: parametrised\n" : "",
             scheme == PF_FFNS ? "  nf: 4\n" : "", card_xi_r);
    return buf;
}

typedef struct {
    pf_card card;
    pf_evol *ev;
    pf_pdf *pdf;
} setup;

static setup *make(int order, int scheme)
{
    setup *s = calloc(1, sizeof *s);
    pf_status st = {0};
    const char *t = card_text(order, scheme);
    if (pf_card_parse(t, strlen(t), "dis-test.yaml", &s->card, &st)) fail_msg("card: %s", st.msg);
    s->ev = pf_evol_create(&s->card.theory, &st);
    if (!s->ev) fail_msg("evol: %s", st.msg);
    s->pdf = pf_pdf_create(&s->card.pdf, &st);
    if (!s->pdf) fail_msg("pdf: %s", st.msg);
    return s;
}

static void destroy(setup *s)
{
    pf_evol_destroy(s->ev);
    pf_pdf_destroy(s->pdf);
    free(s);
}

/* 20 points: x log-spaced over [1e-4, 0.8], Q2 log-spaced over [2.1, 1e4] and shuffled
 * (index 7 i mod 20) so that small and large x meet small and large Q2; no Q2 sits on a
 * flavour threshold (2, 20.25 GeV^2). */
static void points(double *x, double *q2)
{
    for (int i = 0; i < NPT; i++) {
        x[i] = 1e-4 * pow(0.8 / 1e-4, i / (NPT - 1.0));
        int k = (7 * i) % NPT;
        q2[i] = 2.1 * pow(1e4 / 2.1, k / (NPT - 1.0));
    }
}

/* Quark charges and output-flavour columns found by name, independently of sf.c. */
static const char *const qname[6] = {"d", "u", "s", "c", "b", "t"};
static const char *const qbname[6] = {"dbar", "ubar", "sbar", "cbar", "bbar", "tbar"};
static const double e2[6] = {1.0 / 9, 4.0 / 9, 1.0 / 9, 4.0 / 9, 1.0 / 9, 4.0 / 9};
static int col(const char *name)
{
    for (int k = 0; k < PF_NOUT; k++)
        if (!strcmp(pf_flav_out_name[k], name)) return k;
    fail_msg("no output flavour '%s'", name);
    return -1;
}

/* x-space PDFs at one Q2: the evolved moments A[n] of the two combinations
 * X_q = sum_q e_q^2 y (q + qbar), X_g = (sum e_q^2) y g, inverted with the evolution's
 * kernel at any y (one operator per Q2, so the quadrature can call it thousands of times;
 * checked against pf_evol_xf below). */
typedef struct {
    const pf_evol *ev;
    size_t nn;
    double complex *A; /* [3][nn]: X_q, X_g, (sum e_q^2) y Sigma */
    double complex *kern;
} xpdf_ctx;

static void xpdf_init(xpdf_ctx *c, const setup *s, double q2)
{
    pf_status st = {0};
    c->ev = s->ev;
    c->nn = pf_evol_nnodes(s->ev);
    const double complex *N = pf_evol_nodes(s->ev);
    double complex *E = malloc(c->nn * PF_NOUT * PF_NIN * sizeof *E);
    double complex *M = malloc(c->nn * PF_NIN * sizeof *M);
    c->A = calloc(3 * c->nn, sizeof *c->A);
    c->kern = malloc(c->nn * sizeof *c->kern);
    if (pf_evol_operator(s->ev, q2, E, &st)) fail_msg("operator: %s", st.msg);
    if (pf_pdf_moments(s->pdf, c->nn, N, M, NULL, &st)) fail_msg("moments: %s", st.msg);
    const int nf = pf_evol_nf(s->ev, q2);
    double esum = 0.0;
    for (int q = 0; q < nf; q++) esum += e2[q];
    for (size_t n = 0; n < c->nn; n++)
        for (int j = 0; j < PF_NIN; j++) {
            const double complex *En = E + n * PF_NOUT * PF_NIN;
            double complex m = M[n * PF_NIN + j];
            for (int q = 0; q < nf; q++)
                c->A[n] += e2[q] *
                           (En[col(qname[q]) * PF_NIN + j] + En[col(qbname[q]) * PF_NIN + j]) * m;
            c->A[c->nn + n] += esum * En[col("g") * PF_NIN + j] * m;
            for (int q = 0; q < nf; q++)
                c->A[2 * c->nn + n] +=
                    esum * (En[col(qname[q]) * PF_NIN + j] + En[col(qbname[q]) * PF_NIN + j]) * m;
        }
    free(E);
    free(M);
}

static void xpdf_free(xpdf_ctx *c)
{
    free(c->A);
    free(c->kern);
}

static int xpdf(double y, void *p, double X[2])
{
    xpdf_ctx *c = p;
    pf_evol_mellin_kernel(c->ev, y, c->kern);
    X[0] = X[1] = 0.0;
    for (size_t n = 0; n < c->nn; n++) {
        X[0] += cimag(c->kern[n] * c->A[n]);
        X[1] += cimag(c->kern[n] * c->A[c->nn + n]);
    }
    return 0;
}

static int xpdf3(double y, void *p, double X[3])
{
    xpdf_ctx *c = p;
    pf_evol_mellin_kernel(c->ev, y, c->kern);
    X[0] = X[1] = X[2] = 0.0;
    for (size_t n = 0; n < c->nn; n++)
        for (int k = 0; k < 3; k++) X[k] += cimag(c->kern[n] * c->A[k * c->nn + n]);
    return 0;
}

/* sum_q e_q^2 x (q + qbar) and (sum e_q^2) x g from pf_evol_xf at (x, q2). */
static void evolve_xf(const setup *s, double x, double q2, double X[2])
{
    double xf[PF_NOUT];
    pf_status st = {0};
    if (pf_evol_xf(s->ev, s->pdf, 1, &x, &q2, xf, NULL, &st)) fail_msg("xf: %s", st.msg);
    const int nf = pf_evol_nf(s->ev, q2);
    X[0] = X[1] = 0.0;
    for (int q = 0; q < nf; q++) {
        X[0] += e2[q] * (xf[col(qname[q])] + xf[col(qbname[q])]);
        X[1] += e2[q] * xf[col("g")];
    }
}

static void check_nlo(int scheme)
{
    setup *s = make(PF_NLO, scheme);
    double x[NPT], q2[NPT], F2[NPT], FL[NPT];
    points(x, q2);
    pf_status st = {0};
    if (pf_dis_sf_exact(s->ev, s->pdf, NPT, x, q2, F2, FL, NULL, NULL, &st))
        fail_msg("sf_exact: %s", st.msg);
    double worst2 = 0.0, worstL = 0.0;
    for (int i = 0; i < NPT; i++) {
        xpdf_ctx c;
        xpdf_init(&c, s, q2[i]);
        /* the cached x-space PDFs are those of pf_evol_xf */
        double Xa[2], Xb[2];
        const double ys[3] = {x[i], sqrt(x[i]), 0.5 * (1.0 + x[i])};
        for (int k = 0; k < 3; k++) {
            xpdf(ys[k], &c, Xa);
            evolve_xf(s, ys[k], q2[i], Xb);
            for (int m = 0; m < 2; m++)
                if (fabs(Xa[m] - Xb[m]) > 1e-12 * fabs(Xb[m]) + 1e-15)
                    fail_msg("x-space PDF combination %d at y = %g: %.15g vs pf_evol_xf %.15g", m,
                             ys[k], Xa[m], Xb[m]);
        }
        const double a_s = pf_evol_alphas(s->ev, pf_evol_mur2(s->ev, q2[i])) / (4.0 * M_PI);
        double F2x, FLx;
        if (xs_structure_functions(1, a_s, x[i], xpdf, &c, 1e-10, &F2x, &FLx))
            fail_msg("x-space quadrature failed at x = %g, Q2 = %g", x[i], q2[i]);
        xpdf_free(&c);
        const double d2 = fabs(F2[i] / F2x - 1.0), dL = fabs(FL[i] / FLx - 1.0);
        if (getenv("PF_TEST_VERBOSE"))
            print_message("x %.3e Q2 %.3e F2 %.10e (%.1e) FL %.10e (%.1e)\n", x[i], q2[i], F2[i],
                          d2, FL[i], dL);
        worst2 = fmax(worst2, d2);
        worstL = fmax(worstL, dL);
        if (d2 > 1e-6 || dL > 1e-6)
            fail_msg("%s x = %g Q2 = %g: F2 %.12e vs x-space %.12e (%.2e), FL %.12e vs %.12e "
                     "(%.2e)",
                     scheme == PF_VFNS ? "VFNS" : "FFNS", x[i], q2[i], F2[i], F2x, d2, FL[i], FLx,
                     dL);
    }
    print_message("NLO %s xi_r = %g: max rel. deviation N vs x space: F2 %.2e, FL %.2e\n",
                  scheme == PF_VFNS ? "VFNS" : "FFNS", card_xi_r, worst2, worstL);
    destroy(s);
}

static void test_nlo_ffns_sf_match_xspace_convolution(void **state)
{
    (void)state;
    check_nlo(PF_FFNS);
}

static void test_nlo_vfns_sf_match_xspace_convolution(void **state)
{
    (void)state;
    check_nlo(PF_VFNS);
}

/* NNLO (parametrised evolution and coefficient functions) against the x-space convolution
 * of the printed x-space coefficient functions (xspace_nnlo.c), 20 points, 1e-6 */
static void check_nnlo(int scheme)
{
    setup *s = make(PF_NNLO, scheme);
    double x[NPT], q2[NPT], F2[NPT], FL[NPT];
    points(x, q2);
    pf_status st = {0};
    if (pf_dis_sf_exact(s->ev, s->pdf, NPT, x, q2, F2, FL, NULL, NULL, &st))
        fail_msg("sf_exact: %s", st.msg);
    double worst2 = 0.0, worstL = 0.0;
    for (int i = 0; i < NPT; i++) {
        xpdf_ctx c;
        xpdf_init(&c, s, q2[i]);
        const double a_s = pf_evol_alphas(s->ev, pf_evol_mur2(s->ev, q2[i])) / (4.0 * M_PI);
        const int nf = pf_evol_nf(s->ev, q2[i]);
        const double lr = (11.0 - 2.0 / 3.0 * nf) * log(card_xi_r * card_xi_r);
        double F2x, FLx;
        if (xs_nnlo_structure_functions(a_s, lr, nf, x[i], xpdf3, &c, 1e-10, &F2x, &FLx))
            fail_msg("x-space quadrature failed at x = %g, Q2 = %g", x[i], q2[i]);
        xpdf_free(&c);
        const double d2 = fabs(F2[i] / F2x - 1.0), dL = fabs(FL[i] / FLx - 1.0);
        worst2 = fmax(worst2, d2);
        worstL = fmax(worstL, dL);
        if (d2 > 1e-6 || dL > 1e-6)
            fail_msg("NNLO %s x = %g Q2 = %g: F2 %.12e vs x-space %.12e (%.2e), FL %.12e vs %.12e "
                     "(%.2e)",
                     scheme == PF_VFNS ? "VFNS" : "FFNS", x[i], q2[i], F2[i], F2x, d2, FL[i], FLx, dL);
    }
    print_message("NNLO %s xi_r = %g: max rel. deviation N vs x space: F2 %.2e, FL %.2e\n",
                  scheme == PF_VFNS ? "VFNS" : "FFNS", card_xi_r, worst2, worstL);
    destroy(s);
}

static void test_nnlo_sf_match_xspace_convolution(void **state)
{
    (void)state;
    check_nnlo(PF_FFNS);
    check_nnlo(PF_VFNS);
    card_xi_r = 2.0;
    check_nnlo(PF_VFNS);
    card_xi_r = 1.0;
}

/* mu_R = 2 Q: a_s(mu_R) in front of the first-order coefficients, no other change at NLO */
static void test_nlo_vfns_xi_r_2_sf_match_xspace_convolution(void **state)
{
    (void)state;
    card_xi_r = 2.0;
    check_nlo(PF_VFNS);
    card_xi_r = 1.0;
}

/* LO: F2 = x sum_q e_q^2 (q + qbar) from the evolution's own x-space output, FL = 0. */
static void test_lo_f2_equals_charge_weighted_evolved_quarks(void **state)
{
    (void)state;
    for (int scheme = 0; scheme < 2; scheme++) {
        setup *s = make(PF_LO, scheme);
        double x[NPT], q2[NPT], F2[NPT], FL[NPT];
        points(x, q2);
        pf_status st = {0};
        if (pf_dis_sf_exact(s->ev, s->pdf, NPT, x, q2, F2, FL, NULL, NULL, &st))
            fail_msg("sf_exact: %s", st.msg);
        for (int i = 0; i < NPT; i++) {
            double X[2];
            evolve_xf(s, x[i], q2[i], X);
            if (fabs(F2[i] - X[0]) > 1e-10 * fabs(X[0]))
                fail_msg("LO x = %g Q2 = %g: F2 %.15e vs x sum e^2 (q+qbar) %.15e", x[i], q2[i],
                         F2[i], X[0]);
            assert_true(FL[i] == 0.0);
        }
        destroy(s);
    }
}

/* The documented contract of pf_dis_sf_operator (dis.h): F_a(x) = sum_n sum_j
 * Im[c_n(x) K_a[n,j] M_j(N_n)] with c_n from pf_evol_mellin_kernel; and the batch does
 * not depend on the thread count nor on how points share a Q2. */
static void test_sf_operator_contract_and_batch_determinism(void **state)
{
    (void)state;
    setup *s = make(PF_NLO, PF_VFNS);
    const size_t nn = pf_evol_nnodes(s->ev);
    double complex *K2 = malloc(nn * PF_NIN * sizeof *K2), *KL = malloc(nn * PF_NIN * sizeof *KL);
    double complex *M = malloc(nn * PF_NIN * sizeof *M), *kern = malloc(nn * sizeof *kern);
    pf_status st = {0};
    double x[NPT], q2[NPT], F2[NPT], FL[NPT];
    points(x, q2);
    for (int i = 0; i < NPT; i++) q2[i] = q2[i % 5]; /* 5 distinct Q2, shared by 4 points */
    assert_int_equal(pf_pdf_moments(s->pdf, nn, pf_evol_nodes(s->ev), M, NULL, &st), PF_OK);
    assert_int_equal(pf_dis_sf_exact(s->ev, s->pdf, NPT, x, q2, F2, FL, NULL, NULL, &st), PF_OK);
    for (int i = 0; i < NPT; i++) {
        assert_int_equal(pf_dis_sf_operator(s->ev, q2[i], K2, KL, &st), PF_OK);
        pf_evol_mellin_kernel(s->ev, x[i], kern);
        double f2 = 0.0, fl = 0.0;
        for (size_t n = 0; n < nn; n++)
            for (int j = 0; j < PF_NIN; j++) {
                f2 += cimag(kern[n] * K2[n * PF_NIN + j] * M[n * PF_NIN + j]);
                fl += cimag(kern[n] * KL[n * PF_NIN + j] * M[n * PF_NIN + j]);
            }
        /* the same sum in another order: rounding only */
        if (fabs(f2 - F2[i]) > 1e-12 * fabs(F2[i]) || fabs(fl - FL[i]) > 1e-12 * fabs(FL[i]))
            fail_msg("x = %g Q2 = %g: F2 %.15e vs operator %.15e, FL %.15e vs %.15e", x[i],
                     q2[i], F2[i], f2, FL[i], fl);
        double one2, oneL; /* the same point alone */
        assert_int_equal(pf_dis_sf_exact(s->ev, s->pdf, 1, &x[i], &q2[i], &one2, &oneL, NULL,
                                         NULL, &st),
                         PF_OK);
        assert_true(one2 == F2[i] && oneL == FL[i]);
    }
#ifdef _OPENMP
    {
        const size_t np = pf_pdf_nparams(s->pdf);
        double G2[2][NPT], GL[2][NPT];
        double *dG2[2], *dGL[2];
        const int nt = omp_get_max_threads();
        for (int r = 0; r < 2; r++) {
            dG2[r] = malloc(np * NPT * sizeof(double));
            dGL[r] = malloc(np * NPT * sizeof(double));
            omp_set_num_threads(r + 1);
            assert_int_equal(pf_dis_sf_exact(s->ev, s->pdf, NPT, x, q2, G2[r], GL[r], dG2[r],
                                             dGL[r], &st),
                             PF_OK);
        }
        omp_set_num_threads(nt);
        assert_memory_equal(G2[0], G2[1], sizeof G2[0]);
        assert_memory_equal(GL[0], GL[1], sizeof GL[0]);
        assert_memory_equal(G2[0], F2, sizeof F2);
        assert_memory_equal(dG2[0], dG2[1], np * NPT * sizeof(double));
        assert_memory_equal(dGL[0], dGL[1], np * NPT * sizeof(double));
        for (int r = 0; r < 2; r++) {
            free(dG2[r]);
            free(dGL[r]);
        }
    }
#endif
    /* bad input is refused with a message naming the index */
    x[3] = 1.5;
    assert_int_equal(pf_dis_sf_exact(s->ev, s->pdf, NPT, x, q2, F2, FL, NULL, NULL, &st),
                     PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "x[3]"));
    free(K2);
    free(KL);
    free(M);
    free(kern);
    destroy(s);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nlo_ffns_sf_match_xspace_convolution),
        cmocka_unit_test(test_nlo_vfns_sf_match_xspace_convolution),
        cmocka_unit_test(test_nlo_vfns_xi_r_2_sf_match_xspace_convolution),
        cmocka_unit_test(test_nnlo_sf_match_xspace_convolution),
        cmocka_unit_test(test_lo_f2_equals_charge_weighted_evolved_quarks),
        cmocka_unit_test(test_sf_operator_contract_and_batch_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
