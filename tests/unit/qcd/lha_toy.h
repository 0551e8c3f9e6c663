/* Test helper: the Les Houches toy input (hep-ph/0204316 sec. 1.3) as Mellin moments from
 * Euler Beta functions via GSL's complex log-gamma, independent of the pdf module. */
#ifndef PF_TEST_LHA_TOY_H
#define PF_TEST_LHA_TOY_H

#include <complex.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "partonflow/card.h"

static double complex toy_lbeta(double complex a, double complex b)
{
    gsl_sf_result r1, i1, r2, i2, r3, i3;
    gsl_sf_lngamma_complex_e(creal(a), cimag(a), &r1, &i1);
    gsl_sf_lngamma_complex_e(creal(b), cimag(b), &r2, &i2);
    gsl_sf_lngamma_complex_e(creal(a + b), cimag(a + b), &r3, &i3);
    return (r1.val + r2.val - r3.val) + I * (i1.val + i2.val - i3.val);
}

/* moment of f with x f = A x^a (1-x)^b: A B(N + a - 1, b + 1) */
static double complex toy_bm(double complex N, double A, double a, double b)
{
    return A * cexp(toy_lbeta(N + a - 1.0, b + 1.0));
}

/* xuv = 5.1072 x^0.8 (1-x)^3, xdv = 3.06432 x^0.8 (1-x)^4, xg = 1.7 x^-0.1 (1-x)^5,
 * xdbar = 0.1939875 x^-0.1 (1-x)^6, xubar = (1-x) xdbar, xs = xsbar = 0.2 x (ubar + dbar) */
__attribute__((unused)) static void toy_moments(size_t n, const double complex *N, double complex *M)
{
    for (size_t i = 0; i < n; i++) {
        double complex *m = M + i * PF_NIN;
        memset(m, 0, sizeof(double complex) * PF_NIN);
        m[PF_IN_UV] = toy_bm(N[i], 5.1072, 0.8, 3.0);
        m[PF_IN_DV] = toy_bm(N[i], 3.06432, 0.8, 4.0);
        m[PF_IN_G] = toy_bm(N[i], 1.7, -0.1, 5.0);
        double complex db = toy_bm(N[i], 0.1939875, -0.1, 6.0);
        double complex ub = db - toy_bm(N[i] + 1.0, 0.1939875, -0.1, 6.0);
        m[PF_IN_DBAR] = db;
        m[PF_IN_UBAR] = ub;
        m[PF_IN_S] = m[PF_IN_SBAR] = 0.2 * (ub + db);
    }
}

__attribute__((unused)) static pf_theory_card toy_theory(int order, int scheme, double xi2)
{
    pf_theory_card th;
    memset(&th, 0, sizeof th);
    th.order = order;
    th.scheme = scheme;
    th.nf = 4;
    th.mu0 = sqrt(2.0);
    th.alphas_value = 0.35;
    th.alphas_mu = sqrt(2.0);
    th.mc = sqrt(2.0);
    th.mb = 4.5;
    th.mt = 175.0;
    th.xi_r = sqrt(xi2);
    if (order == PF_NNLO) th.nnlo = PF_NNLO_PARAMETRISED; /* the tables' forms */
    return th;
}

#endif
