/* The exact second-order coefficient functions (engine/src/dis/c2_exact.c) against
 * independent references:
 *  - x space: HOPPET's exact x-space routines (A. Vogt's code with Gehrmann-Remiddi
 *    harmonic polylogarithms), recorded in tests/data/hoppet/hoppet_cf2_exact_xspace.csv
 *    (README there); the N-space functions are inverted numerically here, on the contour
 *    N = c + t e^(i phi), f(x) = (1/pi) int_0^inf Im[e^(i phi) x^-N C(N)] dt, and compared
 *    at every x < 1 of the file: every function, both parities, nf = 3, 4, 5, 1e-6 relative
 *    (1e-10 at x >= 0.01, where HOPPET's own values are good to ~1e-13);
 *  - sum rules: the Adler sum rule (the odd-moment F2 non-singlet function vanishes at N = 1:
 *    its delta(1-x) coefficient against the rest) and the Gross-Llewellyn Smith sum rule
 *    (c3ns^(2)(N = 1) = -16 (55/12 - nf/3), Larin and Vermaseren, Phys. Lett. B259 (1991)
 *    345), both at 1e-10;
 *  - the parametrised forms of van Neerven and Vogt (coef_nnlo.c) lie within their stated
 *    accuracy (a few per mille) of the exact ones at moderate N. */
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
#include <gsl/gsl_integration.h>

#include "partonflow/dis.h"

/* The functions of the file, by name: which of our pieces (first-order index into the
 * combined array below), its nf^1 partner (-1: none), and whether HOPPET's value carries
 * the factor nf (singlet) or needs the soft piece added (non-singlet F2, F3). */
enum { C2NS0, C2NS1, C2PS, C2G, CLNS0, CLNS1, CLPS, CLG, C3NS0, C3NS1, C2ODD, CLODD, C3EVEN, NALL };
static const struct {
    const char *name, *soft;
    int k0, k1, per_nf;
} funcs[] = {
    {"X2NP2A", "X2NS2B", C2NS0, C2NS1, 0}, {"X2NM2A", "X2NS2B", C2ODD, C2NS1, 0},
    {"XLNP2A", NULL, CLNS0, CLNS1, 0},     {"XLNM2A", NULL, CLODD, CLNS1, 0},
    {"X3NM2A", "X3NS2B", C3NS0, C3NS1, 0}, {"X3NP2A", "X3NS2B", C3EVEN, C3NS1, 0},
    {"X2S2A", NULL, C2PS, -1, 1},          {"X2G2A", NULL, C2G, -1, 1},
    {"XLS2A", NULL, CLPS, -1, 1},          {"XLG2A", NULL, CLG, -1, 1},
};
#define NFUNC (sizeof funcs / sizeof funcs[0])

static void all_at(double complex N, double complex v[NALL])
{
    double complex c[PF_DIS_NCOEF2], c3[2], cc[PF_DIS_NCC2];
    pf_dis_coef_nnlo_exact(N, c, c3, cc);
    for (int k = 0; k < PF_DIS_NCOEF2; k++) v[k] = c[k];
    v[C3NS0] = c3[0];
    v[C3NS1] = c3[1];
    v[C2ODD] = cc[PF_DIS2_C2NS0_ODD];
    v[CLODD] = cc[PF_DIS2_CLNS0_ODD];
    v[C3EVEN] = cc[PF_DIS2_C3NS0_EVEN];
}

/* x-space values of all pieces at x < 1 by the inverse Mellin transform: composite 32-point
 * Gauss-Legendre on panels [0, 1/2], then doubling, to where |x^-N| < e^-36. */
static void inverse(double x, double out[NALL])
{
    const double c = 1.5, phi = 0.75 * M_PI, L = -log(x);
    const double complex e = cexp(I * phi);
    const double T = 36.0 / (L * fabs(cos(phi)));
    gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc(32);
    for (int k = 0; k < NALL; k++) out[k] = 0.0;
    for (double a = 0.0, w = 0.5; a < T; a += w, w = a < 1.0 ? 0.5 : a) {
        for (size_t i = 0; i < 32; i++) {
            double t, wt;
            gsl_integration_glfixed_point(a, a + w, i, &t, &wt, gl);
            const double complex N = c + t * e;
            double complex v[NALL];
            all_at(N, v);
            const double complex f = e * cexp(N * L) / M_PI;
            for (int k = 0; k < NALL; k++) out[k] += wt * cimag(f * v[k]);
        }
    }
    gsl_integration_glfixed_table_free(gl);
}

typedef struct {
    char name[16];
    int nf;
    double x, v;
} row;

static row *read_rows(size_t *n)
{
    const char *dir = getenv("PF_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/hoppet/hoppet_cf2_exact_xspace.csv", dir ? dir : "tests/data");
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s (set PF_TEST_DATA)", path);
    char line[256];
    size_t cap = 1024, k = 0;
    row *r = malloc(cap * sizeof *r);
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        if (k == cap) r = realloc(r, (cap *= 2) * sizeof *r);
        char *p = strchr(line, ',');
        assert_non_null(p);
        *p = '\0';
        snprintf(r[k].name, sizeof r[k].name, "%.15s", line);
        assert_int_equal(sscanf(p + 1, "%d,%lf,%lf", &r[k].nf, &r[k].x, &r[k].v), 3);
        k++;
    }
    fclose(f);
    *n = k;
    return r;
}

static double lookup(const row *r, size_t n, const char *name, int nf, double x)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(r[i].name, name) && r[i].nf == nf && r[i].x == x) return r[i].v;
    fail_msg("no row %s nf=%d x=%g", name, nf, x);
    return 0.0;
}

static void test_exact_coefficients_match_hoppet_in_x_space(void **state)
{
    (void)state;
    size_t n;
    row *r = read_rows(&n);
    double worst = 0.0, worst2 = 0.0, xs[64];
    size_t nx = 0;
    for (size_t i = 0; i < n; i++) /* the x values of the file, in order */
        if (!strcmp(r[i].name, "X2NP2A") && r[i].nf == 3) xs[nx++] = r[i].x;
    assert_true(nx >= 10);
    for (size_t ix = 0; ix < nx; ix++) {
        double v[NALL];
        inverse(xs[ix], v);
        for (int nf = 3; nf <= 5; nf++)
            for (size_t j = 0; j < NFUNC; j++) {
                double ref = lookup(r, n, funcs[j].name, nf, xs[ix]);
                if (funcs[j].soft) ref += lookup(r, n, funcs[j].soft, nf, xs[ix]);
                if (funcs[j].per_nf) ref /= nf;
                const double got = v[funcs[j].k0] + (funcs[j].k1 >= 0 ? nf * v[funcs[j].k1] : 0.0);
                const double rel = fabs(got - ref) / fabs(ref);
                if (rel > worst) worst = rel;
                if (xs[ix] >= 0.01 && rel > worst2) worst2 = rel;
                /* HOPPET's own accuracy: ~1e-13 at x >= 0.01, down to 1.6e-7 at x = 1e-5
                 * (cancellations in its 1/x^2 terms; the README there) */
                if (rel > (xs[ix] >= 0.01 ? 1e-10 : 1e-6))
                    fail_msg("%s nf=%d x=%g: N-space inverted %.12g, HOPPET %.12g (rel %.2g)",
                             funcs[j].name, nf, xs[ix], got, ref, rel);
            }
    }
    printf("exact a_s^2 coefficient functions vs HOPPET in x space (%zu x, 10 functions, nf 3-5): "
           "largest relative difference %.2g (x >= 0.01: %.2g)\n", nx, worst, worst2);
    free(r);
}

/* f(1) by Cauchy's formula on a circle of radius 1/2 (the functions are analytic there; the
 * tables' individual terms have poles at N = 1 and 2 that cancel in the sums) */
static void at_one(double complex out[NALL])
{
    const int M = 64;
    for (int k = 0; k < NALL; k++) out[k] = 0.0;
    for (int j = 0; j < M; j++) {
        double complex v[NALL];
        all_at(1.0 + 0.5 * cexp(I * (2.0 * M_PI * (j + 0.5) / M)), v);
        for (int k = 0; k < NALL; k++) out[k] += v[k] / M;
    }
}

static void test_adler_and_gross_llewellyn_smith_sum_rules(void **state)
{
    (void)state;
    double complex v[NALL];
    at_one(v);
    /* Adler: int dx/x (F2^nubar - F2^nu) unrenormalised: the odd-N F2 function at N = 1 */
    assert_true(cabs(v[C2ODD]) < 1e-10);
    assert_true(cabs(v[C2NS1]) < 1e-10);
    /* GLS: 1 - a - (55/12 - nf/3) a^2, a = alpha_s/pi = 4 a_s */
    assert_true(cabs(v[C3NS0] - (-16.0 * 55.0 / 12.0)) < 1e-10);
    assert_true(cabs(v[C3NS1] - 16.0 / 3.0) < 1e-10);
    printf("Adler %.2g %.2g, GLS %.14g + nf %.14g\n", cabs(v[C2ODD]), cabs(v[C2NS1]), creal(v[C3NS0]),
           creal(v[C3NS1]));
}

/* At and near N = 1, 2, where the tables' single terms have poles, the library goes through
 * Cauchy's formula on a small circle (c2_exact.c): its values there, and the direct sums just
 * outside, against Cauchy's formula on a wider circle (radius 0.45, 96 direct evaluations) in
 * the test, on both sides of the switch at |N - n0| = 0.05; the Adler and GLS values straight
 * at N = 1; the singlet pieces' pole at N = 1 ((N - 1) f through the formula). */
static int singlet(int k) { return k == C2PS || k == C2G || k == CLPS || k == CLG; }

static void test_values_at_and_near_n_1_and_2(void **state)
{
    (void)state;
    const int m = 96;
    for (int n0 = 1; n0 <= 2; n0++) {
        double complex z[96], f[96][NALL];
        for (int j = 0; j < m; j++) {
            z[j] = n0 + 0.45 * cexp(I * (2.0 * M_PI * (j + 0.25) / m));
            all_at(z[j], f[j]);
        }
        double worst = 0.0;
        for (int p = 0; p < 9; p++) {
            const double r[3] = {0.0499, 0.0501, 0.2};
            const double complex N = p == 8 ? n0 : n0 + r[p % 3] * cexp(I * (0.3 + (p / 3) * 2.1));
            double complex lib[NALL];
            all_at(N, lib);
            for (int k = 0; k < NALL; k++) {
                const int pole = n0 == 1 && singlet(k);
                if (pole && N == 1.0) {
                    assert_true(isinf(creal(lib[k])));
                    continue;
                }
                double complex want = 0.0;
                for (int j = 0; j < m; j++)
                    want += (pole ? (z[j] - 1.0) * f[j][k] : f[j][k]) * (z[j] - n0) / (z[j] - N) / m;
                if (pole) want /= N - 1.0;
                const double rel = cabs(lib[k] - want) / (1.0 + cabs(want));
                if (rel > worst) worst = rel;
                if (rel > 1e-11)
                    fail_msg("N = %g%+gi piece %d: %.15g vs Cauchy %.15g", creal(N), cimag(N), k, creal(lib[k]),
                             creal(want));
            }
        }
        printf("near N = %d: library vs Cauchy's formula in the test, largest %.2g\n", n0, worst);
    }
    double complex v[NALL];
    all_at(1.0, v);
    assert_true(cabs(v[C2ODD]) < 1e-10 && cabs(v[C2NS1]) < 1e-10);
    assert_true(cabs(v[C3NS0] + 16.0 * 55.0 / 12.0) < 1e-10 && cabs(v[C3NS1] - 16.0 / 3.0) < 1e-10);
}

/* The parametrisations (coef_nnlo.c) are fits of a few per mille to these functions */
static void test_parametrised_forms_lie_within_their_accuracy(void **state)
{
    (void)state;
    const double complex Ns[] = {2.5, 3.0, 5.0 + 2.0 * I, 8.0 + 10.0 * I, 1.8 + 25.0 * I};
    for (size_t i = 0; i < sizeof Ns / sizeof Ns[0]; i++) {
        double complex v[NALL], p[PF_DIS_NCOEF2], p3[2], pc[PF_DIS_NCC2];
        all_at(Ns[i], v);
        pf_dis_coef_nnlo(Ns[i], p);
        pf_dis_coef_c3_nnlo(Ns[i], p3);
        pf_dis_coef_cc_nnlo(Ns[i], pc);
        const double complex want[] = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7],
                                       p3[0], p3[1], pc[0], pc[1], pc[2]};
        for (int k = 0; k < NALL; k++) {
            /* the small pure-singlet pieces against the size of the gluon's */
            const double scale = (k == C2PS || k == CLPS) ? cabs(v[k + 1]) : cabs(v[k]);
            assert_true(cabs(v[k] - want[k]) < 1e-2 * scale);
            /* conjugation symmetry the inverse transform relies on */
            double complex vc[NALL];
            all_at(conj(Ns[i]), vc);
            assert_true(cabs(vc[k] - conj(v[k])) <= 1e-13 * cabs(v[k]));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_coefficients_match_hoppet_in_x_space),
        cmocka_unit_test(test_adler_and_gross_llewellyn_smith_sum_rules),
        cmocka_unit_test(test_values_at_and_near_n_1_and_2),
        cmocka_unit_test(test_parametrised_forms_lie_within_their_accuracy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
