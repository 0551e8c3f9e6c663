/* The "exact" NLO singlet solution (U-matrix series, evol.c) against a direct numerical
 * integration of the DGLAP equation in ln mu_F^2 (RK4, 4000 steps, couplings from
 * pf_alphas), at complex N on and off the contour, FFNS with mu_R != mu_F and VFNS. */
#include <complex.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "lha_toy.h"
#include "partonflow/alphas.h"
#include "partonflow/anomalous.h"
#include "partonflow/evol.h"

/* RK4 of d(Sigma, g, u^-, V)/dt for one fixed-nf stretch; at NNLO the a_s^3 term with
 * the mu_R shift P2 + 2 b0 L P1 + (b1 L + b0^2 L^2) P0, L = ln xi_r^2 */
static int g_order = PF_NLO, g_form = PF_NNLO_PARAMETRISED;
static void rhs(double complex N, int nf, double xi2, double a, const double complex *f, double complex *df)
{
    /* the splitting functions depend on (N, nf) only: cached */
    static double complex cN = NAN, p0[4], p1[4], p2[4], n0, n1m, n2m, n2v;
    static int cnf = -1, cform = -1;
    if (N != cN || nf != cnf || g_form != cform) {
        double complex pp;
        pf_anom_lo(N, nf, &n0, p0);
        pf_anom_nlo(N, nf, &pp, &n1m, p1);
        pf_anom_nnlo_param(N, nf, g_form == PF_NNLO_PARAM_CONSERVING, NULL, &n2m, &n2v, p2);
        cN = N;
        cnf = nf;
        cform = g_form;
    }
    const double b0 = pf_alphas_beta0(nf), b1 = pf_alphas_beta1(nf), L = log(xi2);
    const double a3 = g_order == PF_NNLO ? a * a * a : 0.0;
    double complex P[4];
    for (int e = 0; e < 4; e++)
        P[e] = a * p0[e] + a * a * (p1[e] + b0 * L * p0[e])
               + a3 * (p2[e] + 2.0 * b0 * L * p1[e] + (b1 * L + b0 * b0 * L * L) * p0[e]);
    df[0] = P[0] * f[0] + P[1] * f[1];
    df[1] = P[2] * f[0] + P[3] * f[1];
    /* u^- and V = sum_i q_i^-: du^-/dt = P^- u^- + (P^V - P^-) V/nf, dV/dt = P^V V */
    const double complex Pm = a * n0 + a * a * (n1m + b0 * L * n0)
                              + a3 * (n2m + 2.0 * b0 * L * n1m + (b1 * L + b0 * b0 * L * L) * n0);
    const double complex Pv = Pm + a3 * (n2v - n2m);
    df[2] = Pm * f[2] + (Pv - Pm) * f[3] / nf;
    df[3] = Pv * f[3];
}

/* NNLO matching at a threshold (nf -> nf + 1), independent of evol.c's: Sigma, g, u^-, V */
static void match(double complex N, double a, double complex *y)
{
    double complex ans, ome[4];
    pf_anom_nnlo_ome(N, g_form == PF_NNLO_PARAM_CONSERVING, &ans, ome);
    const double a2 = a * a;
    const double complex sig = y[0], g = y[1];
    y[0] = sig * (1.0 + a2 * ans) + a2 * (ome[0] * sig + ome[1] * g);
    y[1] = g + a2 * (ome[2] * sig + ome[3] * g);
    y[2] *= 1.0 + a2 * ans;
    y[3] *= 1.0 + a2 * ans;
}

static void check_case(int scheme, double xi2, double q2)
{
    pf_theory_card th = toy_theory(g_order, scheme, xi2);
    th.nnlo = g_form;
    pf_status st;
    pf_evol *ev = pf_evol_create(&th, &st);
    pf_alphas *as = pf_alphas_create(&th, &st);
    assert_non_null(ev);
    const double complex Ns[] = {2.0 + 0.5 * I, 1.6 + 3.0 * I, -3.0 + 6.0 * I, 5.0};
    for (int k = 0; k < 4; k++) {
        double complex E[PF_NOUT * PF_NIN];
        assert_int_equal(pf_evol_operator_at(ev, q2, 1, &Ns[k], E, &st), PF_OK);
        /* gluon input column: g -> g and g -> Sigma; u_v column: u - ubar */
        double complex gg = E[PF_GLUON * PF_NIN + PF_IN_G], sg = 0.0;
        for (int f = 0; f < PF_NOUT; f++)
            if (f != PF_GLUON) sg += E[f * PF_NIN + PF_IN_G];
        const double complex um = E[PF_U * PF_NIN + PF_IN_UV] - E[PF_UBAR * PF_NIN + PF_IN_UV];
        /* ODE from mu0^2 through the thresholds (PDF nf at mu_F = m_h); the u_v column
         * starts as u^- = V = 1 */
        double complex y[4] = {0.0, 1.0, 1.0, 1.0};
        double bnd[4] = {2.0, 20.25, 30625.0, 1e300};
        int nf0 = scheme == PF_FFNS ? 4 : 4;
        double lo = 2.0;
        /* NNLO VFNS: the charm threshold at mu0 is crossed at the start */
        if (g_order == PF_NNLO && scheme == PF_VFNS) match(Ns[k], pf_alphas_at_nf(as, xi2 * 2.0, 4) / (4 * M_PI), y);
        for (int seg = 0; lo < q2 * (1 - 1e-12); seg++) {
            double hi = scheme == PF_FFNS ? q2 : fmin(q2, bnd[seg + 1]);
            int nf = scheme == PF_FFNS ? 4 : nf0 + seg;
            if (g_order == PF_NNLO && scheme == PF_VFNS && seg > 0)
                match(Ns[k], pf_alphas_at_nf(as, xi2 * lo, nf) / (4 * M_PI), y);
            const int steps = 4000;
            const double h = (log(hi) - log(lo)) / steps;
            for (int s = 0; s < steps; s++) {
                double t = log(lo) + s * h;
                /* the coupling of the stretch's flavours (it jumps at its ends at NNLO) */
                double a0 = pf_alphas_at_nf(as, xi2 * exp(t), nf) / (4 * M_PI);
                double am = pf_alphas_at_nf(as, xi2 * exp(t + 0.5 * h), nf) / (4 * M_PI);
                double a1 = pf_alphas_at_nf(as, xi2 * exp(t + h), nf) / (4 * M_PI);
                double complex k1[4], k2[4], k3[4], k4[4], tmp[4];
                rhs(Ns[k], nf, xi2, a0, y, k1);
                for (int e = 0; e < 4; e++) tmp[e] = y[e] + 0.5 * h * k1[e];
                rhs(Ns[k], nf, xi2, am, tmp, k2);
                for (int e = 0; e < 4; e++) tmp[e] = y[e] + 0.5 * h * k2[e];
                rhs(Ns[k], nf, xi2, am, tmp, k3);
                for (int e = 0; e < 4; e++) tmp[e] = y[e] + h * k3[e];
                rhs(Ns[k], nf, xi2, a1, tmp, k4);
                for (int e = 0; e < 4; e++) y[e] += h / 6 * (k1[e] + 2 * k2[e] + 2 * k3[e] + k4[e]);
            }
            lo = hi;
        }
        if (cabs(gg - y[1]) > 1e-9 * cabs(y[1]) || cabs(sg - y[0]) > 1e-9 * (cabs(y[0]) + cabs(y[1]))
            || cabs(um - y[2]) > 1e-9 * cabs(y[2]))
            fail_msg("order %d scheme %d xi2 %g N %g%+gi: E_gg %.12e%+.12ei vs ODE %.12e%+.12ei, "
                     "E_Sg %.10e vs %.10e, u^- %.12e vs %.12e",
                     g_order, scheme, xi2, creal(Ns[k]), cimag(Ns[k]), creal(gg), cimag(gg),
                     creal(y[1]), cimag(y[1]), creal(sg), creal(y[0]), creal(um), creal(y[2]));
    }
    pf_alphas_destroy(as);
    pf_evol_destroy(ev);
}

static void test_exact_singlet_solution_matches_ode_ffns(void **s)
{
    (void)s;
    check_case(PF_FFNS, 1.0, 1e4);
    check_case(PF_FFNS, 2.0, 1e4);
    check_case(PF_FFNS, 0.5, 1e3);
}

static void test_exact_singlet_solution_matches_ode_vfns(void **s)
{
    (void)s;
    check_case(PF_VFNS, 1.0, 1e4);
    check_case(PF_VFNS, 1.0, 1e6);
}

/* NNLO: the U-matrix series with the full 1/beta expansion, the closed-form non-singlet
 * (u^- with P^- and the valence part P^V) and the matching at every threshold (at mu0 = m_c
 * too), against the ODE with an independent matching step */
static void test_exact_nnlo_solution_matches_ode(void **s)
{
    (void)s;
    g_order = PF_NNLO;
    for (int form = PF_NNLO_PARAMETRISED; form <= PF_NNLO_PARAM_CONSERVING; form++) {
        g_form = form;
        check_case(PF_FFNS, 1.0, 1e4);
        check_case(PF_FFNS, 2.0, 1e4);
        check_case(PF_FFNS, 0.5, 1e3);
        check_case(PF_VFNS, 1.0, 1e4);
        check_case(PF_VFNS, 2.0, 1e4);
        check_case(PF_VFNS, 0.5, 1e6);
    }
    g_order = PF_NLO;
}

/* the truncated solution differs from the exact one at O(a_s^2): halving alpha_s divides
 * the difference by ~4 (singlet and non-singlet), and momentum stays conserved (test_lha) */
static double trunc_diff(double alphas, int singlet)
{
    pf_theory_card th = toy_theory(PF_NLO, PF_FFNS, 1.0);
    th.alphas_value = alphas;
    pf_status st;
    pf_evol *ex = pf_evol_create(&th, &st);
    th.evolution = PF_EVOL_TRUNCATED;
    pf_evol *tr = pf_evol_create(&th, &st);
    const double complex N = 3.0 + 1.0 * I;
    double complex a[PF_NOUT * PF_NIN], b[PF_NOUT * PF_NIN];
    assert_int_equal(pf_evol_operator_at(ex, 1e4, 1, &N, a, &st), PF_OK);
    assert_int_equal(pf_evol_operator_at(tr, 1e4, 1, &N, b, &st), PF_OK);
    const int k = singlet ? PF_GLUON * PF_NIN + PF_IN_G : PF_U * PF_NIN + PF_IN_UV;
    double d = cabs(a[k] - b[k]) / cabs(a[k]);
    pf_evol_destroy(ex);
    pf_evol_destroy(tr);
    return d;
}

static void test_truncated_solution_differs_at_second_order(void **s)
{
    (void)s;
    for (int singlet = 0; singlet < 2; singlet++) {
        double d1 = trunc_diff(0.2, singlet), d2 = trunc_diff(0.1, singlet);
        if (!(d1 > 1e-6 && d2 > 0.0 && d1 / d2 > 3.0 && d1 / d2 < 5.5))
            fail_msg("singlet %d: relative differences %.3e (alpha_s 0.2), %.3e (0.1), ratio %.2f",
                     singlet, d1, d2, d1 / d2);
    }
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(test_exact_singlet_solution_matches_ode_ffns),
        cmocka_unit_test(test_exact_singlet_solution_matches_ode_vfns),
        cmocka_unit_test(test_truncated_solution_differs_at_second_order),
        cmocka_unit_test(test_exact_nnlo_solution_matches_ode),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
