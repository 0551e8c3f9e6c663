/* The response-operator likelihood (like.h, nF > 0): events as bicubic stencils on
 * F = M G plus exact CSR rows on G for some events.  Checked against a direct evaluation
 * written out here (dense F, every row summed by hand), the gradient against central
 * finite differences, the bits for 1 and 2 threads (MPI ranks: tests/integration/
 * test_response_cli.py), and malformed exact rows refused. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

#include "partonflow/kernels/philox.h"
#include "partonflow/like.h"

#define NT 9            /* response grid rows */
#define NZ 11           /* response grid columns */
#define NF (2 * NT * NZ)
#define NG 60           /* theory grid values */
#define NP 3            /* parameters: G = G0 + sum_p theta_p dG_p */

typedef struct model {
    size_t n, nx;       /* events, of them with exact rows */
    uint64_t mptr[NF + 1];
    uint32_t *mcol;
    double *mval;
    uint32_t *base;
    double *stw;
    uint64_t *xev, *xptr;
    uint32_t *xcol;
    double *xval;
    double c[NG], G0[NG], dG[NP * NG];
} model;

static double u01(uint64_t k, uint64_t j) { return pf_rng_uniform(2026, k, j); }

static void model_make(model *m, size_t n, int every, int paired)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    /* M: each response value a positive combination of 3..8 theory values */
    size_t cap = (size_t)NF * 9, k = 0;
    m->mcol = malloc(cap * sizeof *m->mcol);
    m->mval = malloc(cap * sizeof *m->mval);
    for (size_t r = 0; r < NF; r++) {
        m->mptr[r] = k;
        const int len = 3 + (int)(6 * u01(1, r));
        uint32_t g = (uint32_t)((NG - 8) * u01(2, r));
        for (int j = 0; j < len; j++, g++) {
            m->mcol[k] = g;
            m->mval[k++] = 0.1 + u01(3, r * 16 + (uint64_t)j);
        }
    }
    m->mptr[NF] = k;
    if (paired) {
        /* prepare's shape (like.c, pair_op): row 2q reads even values (F2) and row 2q + 1
         * the odd ones (FL) of the same pairs of G, as runs with a gap, weights float32
         * numbers, some entries in one of the two rows only */
        k = 0;
        for (size_t q = 0; q < NF / 2; q++) {
            const uint32_t m0 = (uint32_t)((NG / 2 - 9) * u01(12, q));
            for (int odd = 0; odd < 2; odd++) {
                m->mptr[2 * q + (size_t)odd] = k;
                for (uint32_t j = 0; j < 9; j++) {
                    if (j == 4) continue;                         /* a gap: two runs */
                    if (u01(13, q * 32 + j * 2 + (uint64_t)odd) < 0.15) continue; /* one row only */
                    m->mcol[k] = 2 * (m0 + j) + (uint32_t)odd;
                    m->mval[k++] = (double)(float)(0.1 + u01(14, q * 32 + j * 2 + (uint64_t)odd));
                }
            }
        }
        m->mptr[NF] = k;
    }
    for (int g = 0; g < NG; g++) {
        m->G0[g] = 1.0 + u01(4, (uint64_t)g);
        m->c[g] = 0.01 * (1.0 + u01(5, (uint64_t)g));
        for (int p = 0; p < NP; p++) m->dG[p * NG + g] = 0.2 * (u01(6, (uint64_t)(p * NG + g)) - 0.5);
    }
    /* stencil rows: base inside the response grid, positive weights */
    m->base = malloc(n * sizeof *m->base);
    m->stw = malloc(n * PF_LIKE_STW * sizeof *m->stw);
    const size_t span = (3 * NZ + 4) * 2;
    for (size_t i = 0; i < n; i++) {
        m->base[i] = 2 * (uint32_t)((NF - span) / 2 * u01(7, i));
        for (int j = 0; j < PF_LIKE_STW; j++) m->stw[i * PF_LIKE_STW + j] = 0.05 + u01(8, i * 16 + (uint64_t)j);
    }
    /* exact rows for every `every`-th event (their stencil is unused) */
    m->nx = every ? (n + (size_t)every - 1) / (size_t)every : 0;
    m->xev = malloc((m->nx + 1) * sizeof *m->xev);
    m->xptr = malloc((m->nx + 1) * sizeof *m->xptr);
    m->xcol = malloc((m->nx * 12 + 1) * sizeof *m->xcol);
    m->xval = malloc((m->nx * 12 + 1) * sizeof *m->xval);
    size_t q = 0;
    m->xptr[0] = 0;
    for (size_t j = 0; j < m->nx; j++) {
        m->xev[j] = j * (size_t)every;
        const int len = 4 + (int)(8 * u01(9, j));
        for (int t = 0; t < len; t++) {
            m->xcol[q] = (uint32_t)((NG - 1) * u01(10, j * 16 + (uint64_t)t));
            m->xval[q++] = 0.05 + u01(11, j * 16 + (uint64_t)t);
        }
        m->xptr[j + 1] = q;
    }
}

static void model_free(model *m)
{
    free(m->mcol); free(m->mval); free(m->base); free(m->stw); free(m->xev); free(m->xptr); free(m->xcol);
    free(m->xval);
}

/* events [first, first + n) of the model as one likelihood */
static pf_like *model_like(const model *m, size_t first, size_t n, pf_status *st)
{
    size_t a = 0, b = 0;
    while (a < m->nx && m->xev[a] < first) a++;
    b = a;
    while (b < m->nx && m->xev[b] < first + n) b++;
    uint64_t *xev = malloc((b - a + 1) * sizeof *xev), *xptr = malloc((b - a + 1) * sizeof *xptr);
    for (size_t j = a; j < b; j++) xev[j - a] = m->xev[j] - first;
    for (size_t j = a; j <= b; j++) xptr[j - a] = m->xptr[j] - m->xptr[a];
    pf_like_data d = {.ngrid = NG, .nevents_total = m->n, .first_event = first, .nevents = n,
                      .st_base = m->base + first, .st_w = m->stw + first * PF_LIKE_STW, .st_nx = NZ,
                      .nF = NF, .m_ptr = m->mptr, .m_col = m->mcol, .m_val = m->mval,
                      .x_n = b - a, .x_event = xev, .x_ptr = xptr, .x_col = m->xcol + m->xptr[a],
                      .x_val = m->xval + m->xptr[a], .c = m->c, .luminosity = 3.0};
    pf_like *lk = pf_like_create(&d, st);
    free(xev); free(xptr);
    return lk;
}

static void grid_at(const model *m, const double *th, double *G)
{
    for (int g = 0; g < NG; g++) {
        G[g] = m->G0[g];
        for (int p = 0; p < NP; p++) G[g] += th[p] * m->dG[p * NG + g];
    }
}

/* ln L written out: F = M G densely, each event's density from its stencil or exact row */
static double direct_lnl(const model *m, const double *th)
{
    double G[NG], F[NF];
    grid_at(m, th, G);
    for (size_t r = 0; r < NF; r++) {
        F[r] = 0;
        for (uint64_t k = m->mptr[r]; k < m->mptr[r + 1]; k++) F[r] += m->mval[k] * G[m->mcol[k]];
    }
    long double acc = 0;
    size_t j = 0;
    for (size_t i = 0; i < m->n; i++) {
        double d = 0;
        if (j < m->nx && m->xev[j] == i) {
            for (uint64_t k = m->xptr[j]; k < m->xptr[j + 1]; k++) d += m->xval[k] * G[m->xcol[k]];
            j++;
        } else {
            const double *w = m->stw + i * PF_LIKE_STW;
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 4; c++) {
                    const size_t B = m->base[i] + 2 * (size_t)r * NZ + 2 * (size_t)c;
                    d += w[r] * w[4 + c] * (w[8] * F[B] + w[9] * F[B + 1]);
                }
        }
        acc += logl(d);
    }
    double nexp = 0;
    for (int g = 0; g < NG; g++) nexp += 3.0 * m->c[g] * G[g];
    return (double)acc - nexp;
}

static void value_and_gradient_match_direct_evaluation_for(int paired)
{
    model m;
    model_make(&m, 5000, 7, paired);
    pf_status st = {0};
    pf_like *lk = model_like(&m, 0, m.n, &st);
    if (!lk) fail_msg("%s", st.msg);
    const double th[NP] = {0.4, -0.3, 0.2};
    double G[NG], lnl, grad[NP];
    grid_at(&m, th, G);
    assert_int_equal(pf_like_events(lk, G, m.dG, NP, &lnl, grad, &st), 0);
    const double ref = direct_lnl(&m, th);
    if (fabs(lnl - ref) > 1e-11 * fabs(ref)) fail_msg("ln L %.15g, direct %.15g", lnl, ref);
    for (int p = 0; p < NP; p++) {
        double t[NP], h = 1e-4, f[4];
        const double s[4] = {1, -1, 2, -2};
        for (int k = 0; k < 4; k++) {
            memcpy(t, th, sizeof t);
            t[p] += s[k] * h;
            f[k] = direct_lnl(&m, t);
        }
        const double fd = (8.0 * (f[0] - f[1]) - (f[2] - f[3])) / (12.0 * h);
        if (fabs(fd - grad[p]) > 1e-6 * fmax(fabs(grad[p]), 1.0))
            fail_msg("gradient %d: analytic %.12g, finite differences %.12g", p, grad[p], fd);
    }
    /* the value-only pass gives the same bits */
    double l2;
    assert_int_equal(pf_like_events(lk, G, NULL, 0, &l2, NULL, &st), 0);
    assert_memory_equal(&lnl, &l2, sizeof l2);
    pf_like_destroy(lk);
    model_free(&m);
}

static void one_and_two_threads_give_identical_bits_for(int paired)
{
    model m;
    model_make(&m, 2 * PF_LIKE_BLOCK + 777, 31, paired);
    pf_status st = {0};
    pf_like *lk = model_like(&m, 0, m.n, &st);
    if (!lk) fail_msg("%s", st.msg);
    const double th[NP] = {0.1, 0.2, -0.1};
    double G[NG], l1, l2, g1[NP], g2[NP];
    grid_at(&m, th, G);
    assert_int_equal(pf_like_bootstrap(lk, 5, 2, &st), 0);
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(1);
#endif
    assert_int_equal(pf_like_events(lk, G, m.dG, NP, &l1, g1, &st), 0);
#ifdef PF_HAVE_OPENMP
    omp_set_num_threads(2);
#endif
    assert_int_equal(pf_like_events(lk, G, m.dG, NP, &l2, g2, &st), 0);
    assert_memory_equal(&l1, &l2, sizeof l1);
    assert_memory_equal(g1, g2, sizeof g1);
    pf_like_destroy(lk);
    model_free(&m);
}

static void value_and_gradient_match_direct_evaluation(void **state)
{
    (void)state;
    value_and_gradient_match_direct_evaluation_for(0);
}

/* M of float32 weights in F2/FL row pairs: the products go through the paired runs */
static void paired_float32_operator_matches_direct_evaluation(void **state)
{
    (void)state;
    value_and_gradient_match_direct_evaluation_for(1);
}

static void one_and_two_threads_give_identical_bits(void **state)
{
    (void)state;
    one_and_two_threads_give_identical_bits_for(0);
    one_and_two_threads_give_identical_bits_for(1);
}

static void bad_exact_rows_are_refused(void **state)
{
    (void)state;
    model m;
    model_make(&m, 100, 10, 0);
    pf_status st = {0};
    m.xev[3] = m.xev[2]; /* not ascending */
    assert_null(model_like(&m, 0, m.n, &st));
    assert_non_null(strstr(st.msg, "ascending"));
    m.xev[3] = 30;
    m.xcol[0] = NG + 5; /* outside the grid */
    assert_null(model_like(&m, 0, m.n, &st));
    assert_non_null(strstr(st.msg, "exact-row weight"));
    model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(value_and_gradient_match_direct_evaluation),
        cmocka_unit_test(paired_float32_operator_matches_direct_evaluation),
        cmocka_unit_test(one_and_two_threads_give_identical_bits),
        cmocka_unit_test(bad_exact_rows_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
