/* prepare's normalisation c and histogram operator H against GSL's adaptive integration
 * (QAGS nested in QAGS) of the interpolated cross section times efficiency over the cut
 * region, for a smooth toy G on the ops grid; and the event rows against pf_ops_xsec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <math.h>
#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "ops_internal.h"
#include "partonflow/fit.h"
#include "partonflow/kernels/eventpass.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/kernels/philox.h"

typedef struct ref_ctx {
    const pf_ops *ops;
    const pf_detector_card *det;
    const double *G;
    double cuts[7], s, alpha;
    double q2;                       /* inner: fixed Q^2 */
    double xlo_box, xhi_box, tlo_box, thi_box; /* optional bin box (ln x, ln Q2) */
    gsl_integration_workspace *wi;
} ref_ctx;

static void xr(const ref_ctx *c, double q2, double *lo, double *hi)
{
    const double a = c->cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    *lo = fmax(c->cuts[PF_CUT_X_MIN], q2 / (c->s * c->cuts[PF_CUT_Y_MAX]));
    *hi = fmin(fmin(c->cuts[PF_CUT_X_MAX], q2 / (c->s * c->cuts[PF_CUT_Y_MIN])), q2 / (q2 + a));
    *lo = fmax(*lo, exp(c->xlo_box));
    *hi = fmin(*hi, exp(c->xhi_box));
}

/* integrand in ln x at fixed Q^2: x * eff * d2sigma/dxdQ2 (with dQ2 = Q2 dt outside) */
static double inner_f(double lx, void *p)
{
    ref_ctx *c = p;
    double x = exp(lx), out = 0.0, w[PF_OPS_NW];
    uint32_t idx[PF_OPS_NW];
    /* the interpolated cross section at one point (pf_ops_xsec's weights, no OpenMP region
     * per call) */
    if (pf_ops_xsec_weights(c->ops, x, c->q2, idx, w)) return NAN;
    for (int k = 0; k < PF_OPS_NW; k++) out += w[k] * c->G[idx[k]];
    return x * out * pf_prep_efficiency(c->det, c->q2 / (x * c->s));
}

static double outer_f(double t, void *p)
{
    ref_ctx *c = p;
    c->q2 = exp(t);
    double lo, hi;
    xr(c, c->q2, &lo, &hi);
    if (!(lo < hi)) return 0.0;
    gsl_function F = {inner_f, c};
    double r, e;
    gsl_integration_qags(&F, log(lo), log(hi), 0.0, 1e-9, 2000, c->wi, &r, &e);
    return r * c->q2;
}

static double reference(ref_ctx *c)
{
    gsl_integration_workspace *wo = gsl_integration_workspace_alloc(2000);
    c->wi = gsl_integration_workspace_alloc(2000);
    gsl_function F = {outer_f, c};
    double r, e;
    gsl_integration_qags(&F, fmax(log(c->cuts[PF_CUT_Q2_MIN]), c->tlo_box),
                         fmin(log(c->cuts[PF_CUT_Q2_MAX]), c->thi_box), 0.0, 1e-8, 2000, wo, &r, &e);
    gsl_integration_workspace_free(wo);
    gsl_integration_workspace_free(c->wi);
    return r;
}

static pf_ops *small_ops(pf_card *card)
{
    pf_status st = {0};
    if (pf_card_read(PF_FIT_CARD, card, &st)) fail_msg("%s", st.msg);
    pf_interp_axis xa, qa;
    if (pf_ops_grid_axes(card, &xa, &qa, &st)) fail_msg("%s", st.msg);
    pf_ops *o = pf_ops_alloc(&xa, &qa, 4, &st);
    if (!o) fail_msg("%s", st.msg);
    pf_ops_set_card(o, card);
    return o;
}

/* a smooth positive toy for F2 and FL on the grid nodes */
static double *toy_grid(const pf_ops *o)
{
    double *G = malloc(pf_ops_ngrid(o) * sizeof *G);
    for (size_t q = 0; q < o->nq2; q++)
        for (size_t i = 0; i < o->nx; i++) {
            double x = exp(o->logx[i]), t = log(o->q2eval[q]);
            double f2 = pow(x, -0.2) * pow(1.0 - x, 3.0) * (1.0 + 0.1 * t);
            G[(q * o->nx + i) * PF_NOBS + PF_OBS_F2] = f2;
            G[(q * o->nx + i) * PF_NOBS + PF_OBS_FL] = 0.2 * (1.0 - x) * f2;
        }
    return G;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static void check_norm(const pf_detector_card *det)
{
    pf_card card;
    pf_ops *o = small_ops(&card);
    const size_t ng = pf_ops_ngrid(o);
    double *G = toy_grid(o);
    pf_prep_bins bins;
    pf_prep_bins_from_cuts(o, 6, 4, &bins);
    const size_t nb = 24;
    double *c = malloc(ng * sizeof *c), *H = malloc(nb * ng * sizeof *H);
    pf_status st = {0};
    if (pf_prep_norm(o, det, &bins, 0, c, H, &st)) fail_msg("%s", st.msg);
    ref_ctx rc = {.ops = o, .det = det, .G = G, .xlo_box = -1e300, .xhi_box = 1e300, .tlo_box = -1e300,
                  .thi_box = 1e300};
    pf_ops_kinematics(o, rc.cuts, &rc.s, &rc.alpha);
    gsl_set_error_handler_off();
    double ref = reference(&rc), got = dot(c, G, ng);
    print_message("c.G / adaptive - 1 = %.3g\n", got / ref - 1.0);
    if (fabs(got / ref - 1.0) > 1e-6) fail_msg("c.G = %.12g, adaptive 2D integral %.12g", got, ref);
    /* the bins tile the region: sum_b H_b = c */
    for (size_t g = 0; g < ng; g++) {
        double s = 0.0;
        for (size_t b = 0; b < nb; b++) s += H[b * ng + g];
        assert_true(fabs(s - c[g]) <= 1e-12 * (fabs(c[g]) + 1e-300) + 1e-14 * fabs(got));
    }
    /* two bins against the adaptive integral over the bin box */
    const int bsel[2] = {7, 17};
    for (int k = 0; k < 2; k++) {
        int b = bsel[k], ix = b % bins.nx, iq = b / bins.nx;
        rc.xlo_box = bins.logx_lo + (bins.logx_hi - bins.logx_lo) * ix / bins.nx;
        rc.xhi_box = bins.logx_lo + (bins.logx_hi - bins.logx_lo) * (ix + 1) / bins.nx;
        rc.tlo_box = bins.logq2_lo + (bins.logq2_hi - bins.logq2_lo) * iq / bins.nq2;
        rc.thi_box = bins.logq2_lo + (bins.logq2_hi - bins.logq2_lo) * (iq + 1) / bins.nq2;
        double rb = reference(&rc), gb = dot(H + (size_t)b * ng, G, ng);
        if (fabs(gb - rb) > 1e-6 * fabs(rb) + 1e-9 * fabs(ref))
            fail_msg("bin %d: H.G = %.12g, adaptive %.12g", b, gb, rb);
    }
    free(c); free(H); free(G);
    pf_ops_destroy(o);
}

static void normalisation_matches_adaptive_2d_integration(void **state)
{
    (void)state;
    check_norm(NULL);
}

static void normalisation_with_efficiency_table_matches_adaptive_2d_integration(void **state)
{
    (void)state;
    pf_detector_card det = {0};
    det.present = 1;
    det.perfect = 1;
    det.eff_n = 3;
    det.eff_y[0] = 0.05; det.eff_y[1] = 0.3; det.eff_y[2] = 0.8;
    det.eff_value[0] = 0.6; det.eff_value[1] = 0.95; det.eff_value[2] = 0.7;
    check_norm(&det);
}

/* event rows: val . G = eff(y) d2sigma (pf_ops_xsec), and points off the grid are refused */
static void event_rows_reproduce_the_cross_section(void **state)
{
    (void)state;
    pf_card card;
    pf_ops *o = small_ops(&card);
    double *G = toy_grid(o);
    pf_detector_card det = {0};
    det.present = 1;
    det.efficiency = 0.9;
    double x[3] = {0.01, 0.2, 0.05}, q2[3] = {10.0, 100.0, 30.0}, ref[3];
    uint32_t col[3 * PF_OPS_NW];
    double val[3 * PF_OPS_NW];
    pf_status st = {0};
    assert_int_equal(pf_prep_events_perfect(o, &det, 3, x, q2, col, val, &st), 0);
    assert_int_equal(pf_ops_xsec(o, G, NULL, 0, 3, x, q2, ref, NULL, &st), 0);
    for (int i = 0; i < 3; i++) {
        double d = 0.0;
        for (int k = 0; k < PF_OPS_NW; k++) d += val[i * PF_OPS_NW + k] * G[col[i * PF_OPS_NW + k]];
        assert_true(fabs(d / (0.9 * ref[i]) - 1.0) < 1e-13);
    }
    x[1] = 1e-7;
    assert_int_equal(pf_prep_events_perfect(o, &det, 3, x, q2, col, val, &st), PF_EDOMAIN);
    assert_non_null(strstr(st.msg, "outside the theory grid"));
    free(G);
    pf_ops_destroy(o);
}

/* The factored (stencil) rows and the CSR rows of the same events give the same ln L and
 * gradient (random points in the cut region, toy G, random dG). */
static void stencil_and_csr_rows_give_the_same_likelihood(void **state)
{
    (void)state;
    pf_card card;
    pf_ops *o = small_ops(&card);
    const size_t ng = pf_ops_ngrid(o), n = 3000, np = 3;
    double *G = toy_grid(o), *dG = malloc(np * ng * sizeof *dG);
    for (size_t k = 0; k < np * ng; k++) dG[k] = G[k % ng] * sin(0.37 * (double)k);
    double *x = malloc(n * sizeof *x), *q2 = malloc(n * sizeof *q2);
    double cuts[7], sq, al;
    pf_ops_kinematics(o, cuts, &sq, &al);
    for (size_t i = 0; i < n; i++) {
        q2[i] = exp(log(5.0) + (log(900.0) - log(5.0)) * pf_rng_uniform(1, i, 0));
        x[i] = exp(log(q2[i] / (sq * 0.9)) * pf_rng_uniform(1, i, 1));
        if (x[i] > 0.85) x[i] = 0.85;
    }
    uint32_t *col = malloc(n * PF_OPS_NW * sizeof *col), *base = malloc(n * sizeof *base);
    double *val = malloc(n * PF_OPS_NW * sizeof *val), *stw = malloc(n * PF_LIKE_STW * sizeof *stw);
    uint64_t *rp = malloc((n + 1) * sizeof *rp);
    pf_status st = {0};
    pf_detector_card det = {0};
    assert_int_equal(pf_prep_events_perfect(o, &det, n, x, q2, col, val, &st), 0);
    assert_int_equal(pf_prep_events_stencil(o, &det, n, x, q2, base, stw, &st), 0);
    for (size_t i = 0; i <= n; i++) rp[i] = i * PF_OPS_NW;
    double *cc = calloc(ng, sizeof *cc);
    pf_like_data a = {.ngrid = ng, .nevents_total = n, .nevents = n, .row_ptr = rp, .col = col, .val = val,
                      .c = cc, .luminosity = 1.0};
    pf_like_data b = {.ngrid = ng, .nevents_total = n, .nevents = n, .st_base = base, .st_w = stw,
                      .st_nx = pf_ops_nx(o), .c = cc, .luminosity = 1.0};
    pf_like *la = pf_like_create(&a, &st), *lb = pf_like_create(&b, &st);
    assert_non_null(la);
    assert_non_null(lb);
    double l1, l2, g1[3], g2[3];
    assert_int_equal(pf_like_events(la, G, dG, np, &l1, g1, &st), 0);
    assert_int_equal(pf_like_events(lb, G, dG, np, &l2, g2, &st), 0);
    assert_true(fabs(l1 - l2) < 1e-12 * fabs(l1));
    for (size_t p = 0; p < np; p++) assert_true(fabs(g1[p] - g2[p]) < 1e-10 * (fabs(g1[p]) + 1.0));
    pf_like_destroy(la); pf_like_destroy(lb);
    free(G); free(dG); free(x); free(q2); free(col); free(base); free(val); free(stw); free(rp); free(cc);
    pf_ops_destroy(o);
}

/* The compact stencil rows (local coordinates, x factors: likelihood.h5's stencil_local,
 * stencil_xf, stencil_xpow) expand to the very bits of the whole rows that
 * pf_prep_events_stencil computes, and give ln L and its gradient bit for bit (the pass
 * expands them per event; 1 and 2 threads), also through pf_like_create_take. */
static void compact_stencil_rows_give_the_whole_rows_bits(void **state)
{
    (void)state;
    pf_card card;
    pf_ops *o = small_ops(&card);
    const size_t ng = pf_ops_ngrid(o), n = 70000, np = 3, nx = pf_ops_nx(o);
    double *G = toy_grid(o), *dG = malloc(np * ng * sizeof *dG);
    for (size_t k = 0; k < np * ng; k++) dG[k] = G[k % ng] * sin(0.37 * (double)k);
    double *x = malloc(n * sizeof *x), *q2 = malloc(n * sizeof *q2);
    double cuts[7], sq, al;
    pf_ops_kinematics(o, cuts, &sq, &al);
    for (size_t i = 0; i < n; i++) {
        q2[i] = exp(log(5.0) + (log(900.0) - log(5.0)) * pf_rng_uniform(2, i, 0));
        x[i] = exp(log(q2[i] / (sq * 0.9)) * pf_rng_uniform(2, i, 1));
        if (x[i] > 0.85) x[i] = 0.85;
    }
    uint32_t *b1 = malloc(n * sizeof *b1), *b2 = malloc(n * sizeof *b2);
    double *stw = malloc(n * PF_LIKE_STW * sizeof *stw), *loc = malloc(n * PF_LIKE_STL * sizeof *loc);
    double *xf = malloc(n * sizeof *xf);
    pf_status st = {0};
    pf_detector_card det = {0};
    assert_int_equal(pf_prep_events_stencil(o, &det, n, x, q2, b1, stw, &st), 0);
    assert_int_equal(pf_prep_events_stencil_local(o, &det, n, x, q2, b2, loc, xf, &st), 0);
    assert_memory_equal(b1, b2, n * sizeof *b1);
    for (size_t i = 0; i < n; i++) {
        /* the expansion against the grid path's own stencil weights (ops), computed apart */
        double sw[PF_LIKE_STW], w[8];
        int r0, c0;
        pf_ev_stencil_expand(loc + i * PF_LIKE_STL, xf[i], pf_ops_xpow(o) + (b2[i] / 2) % nx, sw);
        assert_int_equal(pf_ops_stencil_weights(o, x[i], q2[i], &r0, &c0, w, w + 4), 0);
        assert_memory_equal(sw, w, sizeof w);
        assert_int_equal(b2[i], (uint32_t)(((size_t)r0 * nx + (size_t)c0) * 2));
        assert_memory_equal(sw, stw + i * PF_LIKE_STW, sizeof sw);
    }
    double *cc = calloc(ng, sizeof *cc);
    for (size_t g = 0; g < ng; g++) cc[g] = 1e-3 * G[g];
    pf_like_data a = {.ngrid = ng, .nevents_total = n, .nevents = n, .st_base = b1, .st_w = stw, .st_nx = nx,
                      .c = cc, .luminosity = 1.0};
    pf_like_data b = {.ngrid = ng, .nevents_total = n, .nevents = n, .st_base = b2, .st_loc = loc, .st_xf = xf,
                      .st_xpow = pf_ops_xpow(o), .st_nx = nx, .c = cc, .luminosity = 1.0};
    pf_like *la = pf_like_create(&a, &st), *lb = pf_like_create(&b, &st);
    assert_non_null(la);
    assert_non_null(lb);
    double l1, l2, g1[3], g2[3];
    assert_int_equal(pf_like_events(la, G, dG, np, &l1, g1, &st), 0);
    for (int threads = 1; threads <= 2; threads++) {
#ifdef PF_HAVE_OPENMP
        omp_set_num_threads(threads);
#endif
        assert_int_equal(pf_like_events(lb, G, dG, np, &l2, g2, &st), 0);
        assert_memory_equal(&l1, &l2, sizeof l1);
        assert_memory_equal(g1, g2, sizeof g1);
    }
    /* the whole rows run in lane groups, the compact ones event by event (like.c): the same
     * bits also with weights (bootstrap replicas: integers, 0 among them; and fractional
     * ones), and ln L alone is the gradient pass's ln L */
    double lv;
    assert_int_equal(pf_like_events(la, G, dG, 0, &lv, NULL, &st), 0);
    assert_memory_equal(&l1, &lv, sizeof l1);
    double *wf = malloc(n * sizeof *wf);
    for (size_t i = 0; i < n; i++) wf[i] = 0.5 + (double)(i % 7) * 0.375;
    for (int kind = 0; kind < 2; kind++) {
        if (kind == 0) {
            assert_int_equal(pf_like_bootstrap(la, 5, 2, &st), 0);
            assert_int_equal(pf_like_bootstrap(lb, 5, 2, &st), 0);
        } else {
            assert_int_equal(pf_like_set_weights(la, wf, &st), 0);
            assert_int_equal(pf_like_set_weights(lb, wf, &st), 0);
        }
        assert_int_equal(pf_like_events(la, G, dG, np, &l1, g1, &st), 0);
        assert_int_equal(pf_like_events(lb, G, dG, np, &l2, g2, &st), 0);
        assert_memory_equal(&l1, &l2, sizeof l1);
        assert_memory_equal(g1, g2, sizeof g1);
        assert_int_equal(pf_like_events(la, G, dG, 0, &lv, NULL, &st), 0);
        assert_memory_equal(&l1, &lv, sizeof l1);
    }
    free(wf);
    assert_int_equal(pf_like_set_weights(la, NULL, &st), 0);
    assert_int_equal(pf_like_set_weights(lb, NULL, &st), 0);
    assert_int_equal(pf_like_events(la, G, dG, np, &l1, g1, &st), 0);
    /* the baseline instance of the lane passes (C's fma per lane) gives the bits of the
     * AVX2+FMA one, whole and compact */
    const int was = pf_like_kernel_baseline(1);
    assert_int_equal(pf_like_events(la, G, dG, np, &l2, g2, &st), 0);
    assert_memory_equal(&l1, &l2, sizeof l1);
    assert_memory_equal(g1, g2, sizeof g1);
    assert_int_equal(pf_like_events(lb, G, dG, np, &l2, g2, &st), 0);
    assert_memory_equal(&l1, &l2, sizeof l1);
    assert_memory_equal(g1, g2, sizeof g1);
    pf_like_kernel_baseline(was);
    /* a compact file without its x factors, or with only one of them, is incomplete */
    pf_like_data c = b;
    c.st_xpow = NULL;
    assert_null(pf_like_create(&c, &st));
    /* take: the likelihood owns the compact rows */
    uint32_t *tb = malloc(n * sizeof *tb);
    double *tl = malloc(n * PF_LIKE_STL * sizeof *tl), *tx = malloc(n * sizeof *tx);
    memcpy(tb, b2, n * sizeof *tb);
    memcpy(tl, loc, n * PF_LIKE_STL * sizeof *tl);
    memcpy(tx, xf, n * sizeof *tx);
    pf_like_data t = b;
    t.st_base = tb, t.st_loc = tl, t.st_xf = tx;
    pf_like *lt = pf_like_create_take(&t, &st);
    assert_non_null(lt);
    assert_int_equal(pf_like_events(lt, G, dG, np, &l2, g2, &st), 0);
    assert_memory_equal(&l1, &l2, sizeof l1);
    assert_memory_equal(g1, g2, sizeof g1);
    pf_like_destroy(lt);
    pf_like_destroy(la); pf_like_destroy(lb);
    free(G); free(dG); free(x); free(q2); free(b1); free(b2); free(stw); free(loc); free(xf); free(cc);
    pf_ops_destroy(o);
}

/* The event pass holds each block's stencil rows in the order of their stencil bases (like.c
 * block_order).  Against a direct sum in the caller's order (the scalar reference of
 * kernels/eventpass.h per event, no blocks): ln L and its gradient, unweighted and with
 * weights; the held rows are the caller's rows under pf_like_event_index, which is a
 * bijection within each block and leaves the bases ascending; weights and bootstrap
 * replicas stay keyed by the caller's index; a non-positive density names the caller's
 * event; 1 and 2 threads give the same bits. */
static double direct_lnl(const double *stw, const uint32_t *base, size_t n, size_t rs, const double *G,
                         const double *dG, size_t np, const double *wt, const double *cc, size_t ng,
                         double *grad)
{
    double l = 0.0, *u = calloc(ng, sizeof *u);
    for (size_t i = 0; i < n; i++) {
        const double w = wt ? wt[i] : 1.0, *sw = stw + i * PF_LIKE_STW;
        const double d = pf_ev_dot_stencil(sw, G + base[i], rs);
        l += w * log(d);
        pf_ev_scatter_stencil(sw, w / d, u + base[i], rs);
    }
    for (size_t g = 0; g < ng; g++) {
        l -= cc[g] * G[g];
        u[g] -= cc[g];
    }
    for (size_t p = 0; p < np; p++) grad[p] = dot(dG + p * ng, u, ng);
    free(u);
    return l;
}

static void events_in_stencil_order_keep_the_callers_indices(void **state)
{
    (void)state;
    pf_card card;
    pf_ops *o = small_ops(&card);
    const size_t ng = pf_ops_ngrid(o), n = PF_LIKE_BLOCK + 9000, np = 3, nx = pf_ops_nx(o);
    double *G = toy_grid(o), *dG = malloc(np * ng * sizeof *dG);
    for (size_t k = 0; k < np * ng; k++) dG[k] = G[k % ng] * sin(0.37 * (double)k);
    double *x = malloc(n * sizeof *x), *q2 = malloc(n * sizeof *q2), *wt = malloc(n * sizeof *wt);
    double cuts[7], sq, al;
    pf_ops_kinematics(o, cuts, &sq, &al);
    for (size_t i = 0; i < n; i++) {
        q2[i] = exp(log(5.0) + (log(900.0) - log(5.0)) * pf_rng_uniform(4, i, 0));
        x[i] = exp(log(q2[i] / (sq * 0.9)) * pf_rng_uniform(4, i, 1));
        if (x[i] > 0.85) x[i] = 0.85;
        wt[i] = (double)(i % 3) + 0.25 * (double)(i % 5);
    }
    uint32_t *base = malloc(n * sizeof *base);
    double *stw = malloc(n * PF_LIKE_STW * sizeof *stw), *cc = calloc(ng, sizeof *cc);
    for (size_t g = 0; g < ng; g++) cc[g] = 1e-3 * G[g];
    pf_status st = {0};
    pf_detector_card det = {0};
    assert_int_equal(pf_prep_events_stencil(o, &det, n, x, q2, base, stw, &st), 0);
    pf_like_data a = {.ngrid = ng, .nevents_total = n, .nevents = n, .st_base = base, .st_w = stw, .st_nx = nx,
                      .c = cc, .luminosity = 1.0};
    pf_like *lk = pf_like_create(&a, &st);
    assert_non_null(lk);
    /* the held order: the caller's rows, permuted within blocks, bases ascending */
    pf_like_data v;
    pf_like_view(lk, &v, NULL);
#ifdef PF_EV_HAVE_V4
    /* the whole rows are held in lane groups (like.c): the plain view has none */
    assert_null(v.st_w);
    assert_null(v.st_loc);
#endif
    assert_int_equal(pf_like_view_rows(lk, &v, NULL, &st), 0);
    unsigned char *seen = calloc(n, 1);
    size_t moved = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t e = pf_like_event_index(lk, i);
        assert_true(e < n && e / PF_LIKE_BLOCK == i / PF_LIKE_BLOCK && !seen[e]);
        seen[e] = 1;
        moved += e != i;
        assert_int_equal(v.st_base[i], base[e]);
        assert_memory_equal(v.st_w + i * PF_LIKE_STW, stw + e * PF_LIKE_STW, PF_LIKE_STW * sizeof(double));
        if (i % PF_LIKE_BLOCK) assert_true(v.st_base[i - 1] <= v.st_base[i]);
    }
    assert_true(moved > n / 2);
    double l1, l2, g1[3], g2[3], lr, gr[3];
    for (int weighted = 0; weighted < 2; weighted++) {
        assert_int_equal(pf_like_set_weights(lk, weighted ? wt : NULL, &st), 0);
        lr = direct_lnl(stw, base, n, 2 * nx, G, dG, np, weighted ? wt : NULL, cc, ng, gr);
        for (int threads = 1; threads <= 2; threads++) {
#ifdef PF_HAVE_OPENMP
            omp_set_num_threads(threads);
#endif
            assert_int_equal(pf_like_events(lk, G, dG, np, threads == 1 ? &l1 : &l2, threads == 1 ? g1 : g2, &st), 0);
        }
        assert_memory_equal(&l1, &l2, sizeof l1);
        assert_memory_equal(g1, g2, sizeof g1);
        assert_true(fabs(l1 - lr) < 1e-12 * fabs(lr));
        for (size_t p = 0; p < np; p++) assert_true(fabs(g1[p] - gr[p]) < 1e-11 * (fabs(gr[p]) + 1.0));
    }
    /* weights come back in the caller's order; bootstrap weights keyed by the caller's index */
    double *back = malloc(n * sizeof *back);
    pf_like_weights(lk, back);
    assert_memory_equal(back, wt, n * sizeof *wt);
    assert_int_equal(pf_like_bootstrap(lk, 17, 3, &st), 0);
    pf_like_weights(lk, back);
    for (size_t i = 0; i < n; i++)
        assert_true(back[i] == (double)pf_like_poisson1(pf_rng_uniform(17, (3ull << 40) | (uint64_t)i, 0)));
    pf_like_destroy(lk);
    /* non-positive densities (negative observable factors): the message names the lowest
     * such event of the caller's order, also where another one is held before it */
    const size_t k = PF_LIKE_BLOCK + 4321;
    size_t k2 = PF_LIKE_BLOCK + 5000;
    while (base[k2] >= base[k]) k2++; /* a later event held earlier (a lower base) */
    for (size_t j = 0; j < 2; j++) {
        stw[(j ? k2 : k) * PF_LIKE_STW + 8] = -1.0;
        stw[(j ? k2 : k) * PF_LIKE_STW + 9] = -1.0;
    }
    lk = pf_like_create(&a, &st);
    assert_non_null(lk);
    assert_int_equal(pf_like_events(lk, G, NULL, 0, &l1, NULL, &st), PF_EDOMAIN);
    char want[64];
    snprintf(want, sizeof want, "event %zu ", k);
    assert_non_null(strstr(st.msg, want));
    pf_like_destroy(lk);
    free(G); free(dG); free(x); free(q2); free(wt); free(base); free(stw); free(cc); free(seen); free(back);
    pf_ops_destroy(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalisation_matches_adaptive_2d_integration),
        cmocka_unit_test(normalisation_with_efficiency_table_matches_adaptive_2d_integration),
        cmocka_unit_test(event_rows_reproduce_the_cross_section),
        cmocka_unit_test(stencil_and_csr_rows_give_the_same_likelihood),
        cmocka_unit_test(compact_stencil_rows_give_the_whole_rows_bits),
        cmocka_unit_test(events_in_stencil_order_keep_the_callers_indices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
