/* The detector model (kernels/detector.h, detector.c) against independent calculations:
 *  - E', theta from (x, Q^2) agree with four-vector kinematics (Q^2 = -(k - k')^2,
 *    y = P.q / P.k, x = Q^2 / (2 P.q)) and the electron method inverts them;
 *  - the Jacobian |d(x,Q2)/d(E',theta)| equals central finite differences;
 *  - the response density integrates to 1 (Gauss-Legendre over +-8 sigma);
 *  - the efficiency table interpolates linearly and is constant beyond its ends;
 *  - 1e6 smeared events: (E'_rec - E') / sigma_E(E') and (theta_rec - theta) / sigma_theta
 *    have mean 0 and width 1 within 4 standard errors (also for the width parameters
 *    fitted as a constant per event, i.e. the configured widths); efficiency 0.7 accepts
 *    0.7 of the events inside the cuts within 4 binomial errors;
 *  - `detector: perfect` gives reconstructed == true bit for bit and accepts exactly the
 *    events inside the cuts;
 *  - response / Jacobian (the likelihood's formula) is the density of reconstructed
 *    (x, Q^2) at a fixed true point (chi^2 in 16 x 16 bins);
 *  - Poisson(mu) from the dedicated stream has mean and variance mu over seeds;
 *  - Jacquet-Blondel (charged current): the struck quark's (E_h, gamma) from (x, Q^2) is
 *    the four-vector p_h = q + x P (its E - p_z and p_T), and the JB formulas invert it; its
 *    Jacobian equals central finite differences; pf_det_jb_level's energy reconstructs the
 *    level's value (y, x, Q^2, W^2) at every angle; 1e6 smeared events through pf_det_event
 *    reconstruct inside the cuts exactly when the JB formulas on the smeared hadron say so. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>

#include "partonflow/detector.h"
#include "partonflow/kernels/philox.h"
#include "partonflow/sim.h"

#define EE 10.0
#define EP 100.0

static pf_det_params det_default(void)
{
    pf_det_params d;
    memset(&d, 0, sizeof d);
    d.e_electron = EE;
    d.e_proton = EP;
    d.stochastic = 0.02;
    d.constant = 0.01;
    d.sigma_theta = 0.001;
    d.efficiency = 1.0;
    d.cuts[PF_CUT_Q2_MIN] = 4;
    d.cuts[PF_CUT_Q2_MAX] = 1000;
    d.cuts[PF_CUT_X_MIN] = 1e-3;
    d.cuts[PF_CUT_X_MAX] = 0.9;
    d.cuts[PF_CUT_Y_MIN] = 0.01;
    d.cuts[PF_CUT_Y_MAX] = 0.95;
    d.cuts[PF_CUT_W2_MIN] = 10;
    return d;
}

static void test_electron_kinematics_match_four_vectors_and_reco_inverts(void **state)
{
    (void)state;
    const double s = pf_kin_s(EE, EP);
    for (double lx = -3; lx <= -0.1; lx += 0.29)
        for (double lq = 0.7; lq <= 3.0; lq += 0.23) {
            const double x = pow(10, lx), q2 = pow(10, lq), y = q2 / (x * s);
            if (y >= 1) continue;
            double e, th;
            pf_det_electron(EE, EP, x, q2, &e, &th);
            /* four vectors: proton along +z, electron along -z, theta from +z */
            const double k[4] = {EE, 0, 0, -EE}, P[4] = {EP, 0, 0, EP};
            const double kp[4] = {e, e * sin(th), 0, e * cos(th)};
            double qv[4];
            for (int m = 0; m < 4; m++) qv[m] = k[m] - kp[m];
#define DOT(a, b) ((a)[0] * (b)[0] - (a)[1] * (b)[1] - (a)[2] * (b)[2] - (a)[3] * (b)[3])
            const double Q2 = -DOT(qv, qv), Pq = DOT(P, qv), Pk = DOT(P, k);
#undef DOT
            assert_true(fabs(Q2 / q2 - 1) < 1e-10);
            assert_true(fabs(Pq / Pk / y - 1) < 1e-10);
            assert_true(fabs(Q2 / (2 * Pq) / x - 1) < 1e-9);
            double xr, qr, yr;
            assert_int_equal(pf_det_reco(EE, EP, e, th, &xr, &qr, &yr), 1);
            assert_true(fabs(xr / x - 1) < 1e-9 && fabs(qr / q2 - 1) < 1e-10 && fabs(yr / y - 1) < 1e-9);
        }
    double xr, qr, yr;
    assert_int_equal(pf_det_reco(EE, EP, -1.0, 3.0, &xr, &qr, &yr), 0);
    assert_true(isnan(xr));
}

static void test_jacobian_equals_finite_differences(void **state)
{
    (void)state;
    const double pts[][2] = {{5.0, 3.0}, {9.5, 2.8}, {12.0, 2.2}, {3.0, 2.9}};
    for (size_t p = 0; p < sizeof pts / sizeof pts[0]; p++) {
        const double e = pts[p][0], th = pts[p][1], h = 1e-6;
        double xp, qp, yp, xm, qm, ym, xa, qa, xb, qb;
        pf_det_reco(EE, EP, e + h, th, &xp, &qp, &yp);
        pf_det_reco(EE, EP, e - h, th, &xm, &qm, &ym);
        pf_det_reco(EE, EP, e, th + h, &xa, &qa, &yp);
        pf_det_reco(EE, EP, e, th - h, &xb, &qb, &ym);
        const double dxde = (xp - xm) / (2 * h), dqde = (qp - qm) / (2 * h);
        const double dxdt = (xa - xb) / (2 * h), dqdt = (qa - qb) / (2 * h);
        const double fd = fabs(dxde * dqdt - dxdt * dqde);
        assert_true(fabs(pf_det_jacobian(EE, EP, e, th) / fd - 1) < 1e-6);
    }
}

static void test_jacquet_blondel_kinematics_levels_and_jacobian(void **state)
{
    (void)state;
    const double s = pf_kin_s(EE, EP);
    int n = 0;
    for (double lx = -3; lx <= -0.1; lx += 0.29)
        for (double lq = 0.7; lq <= 3.0; lq += 0.23) {
            const double x = pow(10, lx), q2 = pow(10, lq), y = q2 / (x * s);
            if (y >= 1) continue;
            double e, g;
            pf_det_hadron(EE, EP, x, q2, &e, &g);
            /* the struck quark p_h = q + x P, q = k - k' with the scattered lepton of the
             * electron kinematics (the same for a neutrino at Born level) */
            double ke, kth;
            pf_det_electron(EE, EP, x, q2, &ke, &kth);
            const double ph[4] = {EE - ke + x * EP, -ke * sin(kth), 0, -EE - ke * cos(kth) + x * EP};
            const double pt = hypot(ph[1], ph[2]);
            assert_true(fabs(ph[0] / e - 1) < 1e-9);
            assert_true(fabs(atan2(pt, ph[3]) - g) < 1e-9);
            assert_true(fabs((ph[0] - ph[3]) / (2 * EE) / y - 1) < 1e-9);       /* y_JB */
            assert_true(fabs(pt * pt / (1 - y) / q2 - 1) < 1e-9);               /* Q2_JB */
            double xr, qr, yr;
            assert_int_equal(pf_det_reco_jb(EE, EP, e, g, &xr, &qr, &yr), 1);
            assert_true(fabs(xr / x - 1) < 1e-9 && fabs(qr / q2 - 1) < 1e-9 && fabs(yr / y - 1) < 1e-9);
            /* Jacobian against central differences */
            const double h = 1e-6 * e, ht = 1e-7;
            double xp, qp, xm, qm, xa, qa, xb, qb, yy;
            pf_det_reco_jb(EE, EP, e + h, g, &xp, &qp, &yy);
            pf_det_reco_jb(EE, EP, e - h, g, &xm, &qm, &yy);
            pf_det_reco_jb(EE, EP, e, g + ht, &xa, &qa, &yy);
            pf_det_reco_jb(EE, EP, e, g - ht, &xb, &qb, &yy);
            const double fd = fabs((xp - xm) / (2 * h) * (qa - qb) / (2 * ht) - (xa - xb) / (2 * ht) * (qp - qm) / (2 * h));
            if (!(fabs(pf_det_jacobian_jb(EE, EP, e, g) / fd - 1) < 1e-5))
                fail_msg("JB Jacobian at x=%g Q2=%g: %.10g vs differences %.10g", x, q2, pf_det_jacobian_jb(EE, EP, e, g), fd);
            /* the levels through this point, at its angle, give back its energy */
            const double c = cos(g), w = s * y - q2;
            assert_true(fabs(pf_det_jb_level(PF_JB_Y, y, EE, s, c) / e - 1) < 1e-9);
            assert_true(fabs(pf_det_jb_level(PF_JB_X, x, EE, s, c) / e - 1) < 1e-9);
            assert_true(fabs(pf_det_jb_level(PF_JB_Q2, q2, EE, s, c) / e - 1) < 1e-9);
            const double lo = pf_det_jb_level(PF_JB_W2_LO, w, EE, s, c), hi = pf_det_jb_level(PF_JB_W2_HI, w, EE, s, c);
            assert_true(fabs(lo / e - 1) < 1e-7 || fabs(hi / e - 1) < 1e-7);
            /* and between the two W2 roots W2 is larger */
            if (hi > lo * (1 + 1e-6)) {
                double xm2, qm2, ym2;
                pf_det_reco_jb(EE, EP, 0.5 * (lo + hi), g, &xm2, &qm2, &ym2);
                assert_true(s * ym2 - qm2 > w);
            }
            n++;
        }
    assert_true(n > 50);
    double xr, qr, yr;
    assert_int_equal(pf_det_reco_jb(EE, EP, 5.0, -0.1, &xr, &qr, &yr), 0); /* p_T < 0 */
    assert_int_equal(pf_det_reco_jb(EE, EP, 30.0, 3.0, &xr, &qr, &yr), 0); /* y_JB > 1 */
    assert_true(isnan(xr));
}

static void test_jacquet_blondel_events_reconstruct_from_the_smeared_hadron(void **state)
{
    (void)state;
    pf_det_params d = det_default();
    d.method = PF_DET_JB;
    d.stochastic = 0.5;
    d.constant = 0.03;
    d.sigma_theta = 0.01;
    const double s = pf_kin_s(EE, EP);
    const size_t n = 200000;
    double sz = 0, szz = 0, st = 0, stt = 0;
    size_t nacc = 0;
    for (size_t i = 0; i < n; i++) {
        const double x = 0.05, q2 = 100.0;
        const double z1 = pf_rng_normal(11, i, 0), z2 = pf_rng_normal(11, i, 1);
        double et, gt, xr, qr, yr, er, gr;
        const int acc = pf_det_event(&d, x, q2, z1, z2, 0.5, &et, &gt, &xr, &qr, &yr, &er, &gr);
        double eh, g;
        pf_det_hadron(EE, EP, x, q2, &eh, &g);
        assert_true(et == eh && gt == g);
        const double zz = (er - et) / pf_det_sigma_e(&d, et), zt = (gr - gt) / d.sigma_theta;
        sz += zz, szz += zz * zz, st += zt, stt += zt * zt;
        double x2, q22, y2;
        const int ok = pf_det_reco_jb(EE, EP, er, gr, &x2, &q22, &y2) && pf_kin_in_cuts(d.cuts, x2, q22, s);
        assert_int_equal(acc, ok);
        if (ok) {
            assert_true(x2 == xr && q22 == qr && y2 == yr);
            nacc++;
        }
    }
    const double m = sz / n, v = szz / n - m * m, mt = st / n, vt = stt / n - mt * mt;
    print_message("JB smearing: E_h pull mean %.4f sd %.4f, gamma pull mean %.4f sd %.4f, accepted %zu of %zu\n", m,
                  sqrt(v), mt, sqrt(vt), nacc, n);
    assert_true(fabs(m) < 4 / sqrt((double)n) && fabs(sqrt(v) - 1) < 4 / sqrt(2.0 * n));
    assert_true(fabs(mt) < 4 / sqrt((double)n) && fabs(sqrt(vt) - 1) < 4 / sqrt(2.0 * n));
    assert_true(nacc > n / 2 && nacc < n);
}

static void test_response_density_is_normalised(void **state)
{
    (void)state;
    pf_det_params d = det_default();
    const double e = 7.3, th = 2.9, se = pf_det_sigma_e(&d, e), st = d.sigma_theta;
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(64);
    double sum = 0;
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++) {
            double a, wa, b, wb;
            gsl_integration_glfixed_point(e - 8 * se, e + 8 * se, i, &a, &wa, t);
            gsl_integration_glfixed_point(th - 8 * st, th + 8 * st, j, &b, &wb, t);
            sum += wa * wb * pf_det_response(&d, e, th, a, b);
        }
    gsl_integration_glfixed_table_free(t);
    assert_true(fabs(sum - 1) < 1e-12);
    assert_true(fabs(se - e * sqrt(0.02 * 0.02 / e + 0.01 * 0.01)) < 1e-15);
}

static void test_efficiency_table_interpolates_linearly(void **state)
{
    (void)state;
    pf_det_params d = det_default();
    d.eff_n = 3;
    d.eff_y[0] = 0.1, d.eff_y[1] = 0.5, d.eff_y[2] = 0.9;
    d.eff_value[0] = 0.5, d.eff_value[1] = 0.9, d.eff_value[2] = 0.7;
    assert_true(fabs(pf_det_efficiency(&d, 0.05) - 0.5) < 1e-15);
    assert_true(fabs(pf_det_efficiency(&d, 0.3) - 0.7) < 1e-15);
    assert_true(fabs(pf_det_efficiency(&d, 0.8) - 0.75) < 1e-15);
    assert_true(fabs(pf_det_efficiency(&d, 0.95) - 0.7) < 1e-15);
    d.eff_n = 0;
    d.efficiency = 0.6;
    assert_true(pf_det_efficiency(&d, 0.3) == 0.6);
}

typedef struct { double *b[10]; uint8_t *acc; } rowbuf;

static pf_sim_rows rows_alloc(size_t n, rowbuf *rb)
{
    for (int i = 0; i < 10; i++) rb->b[i] = calloc(n, sizeof(double));
    rb->acc = calloc(n, 1);
    pf_sim_rows r = {rb->b[0], rb->b[1], rb->b[2], rb->b[3], rb->b[4], rb->b[5], rb->b[6], rb->b[7], rb->b[8], rb->b[9],
                     rb->acc};
    return r;
}

static void rows_free(rowbuf *rb)
{
    for (int i = 0; i < 10; i++) free(rb->b[i]);
    free(rb->acc);
}

/* true points spread over the region's interior (away from the cuts) */
static void fill_true(pf_sim_rows *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double x = exp(log(0.01) + log(30.0) * pf_rng_uniform(5, i, 0));
        r->x_true[i] = x;
        r->q2_true[i] = fmin(900.0, fmax(10.0, 0.5 * x * 4000 * pf_rng_uniform(5, i, 1)));
    }
}

static void test_smearing_has_the_configured_widths_and_efficiency(void **state)
{
    (void)state;
    enum { N = 1000000 };
    pf_det_params d = det_default();
    d.efficiency = 0.7;
    rowbuf rb;
    pf_sim_rows r = rows_alloc(N, &rb);
    fill_true(&r, N);
    pf_sim_detector(&d, 12345, 0, N, &r);
    double m[2] = {0, 0}, v[2] = {0, 0};
    size_t incut = 0, acc = 0;
    for (size_t i = 0; i < N; i++) {
        const double ze = (r.eprime_rec[i] - r.eprime_true[i]) / pf_det_sigma_e(&d, r.eprime_true[i]);
        const double zt = (r.theta_rec[i] - r.theta_true[i]) / d.sigma_theta;
        m[0] += ze, m[1] += zt, v[0] += ze * ze, v[1] += zt * zt;
        if (pf_kin_in_cuts(d.cuts, r.x_rec[i], r.q2_rec[i], pf_kin_s(EE, EP))) {
            incut++;
            acc += r.accepted[i];
        } else
            assert_int_equal(r.accepted[i], 0);
    }
    for (int k = 0; k < 2; k++) {
        m[k] /= N;
        const double sd = sqrt(v[k] / N - m[k] * m[k]);
        print_message("pull %d: mean %.5f, width %.5f\n", k, m[k], sd);
        assert_true(fabs(m[k]) < 4.0 / sqrt(N));
        assert_true(fabs(sd - 1) < 4.0 * sqrt(0.5 / N));
    }
    const double f = (double)acc / incut;
    print_message("efficiency %.5f of %zu in the cuts\n", f, incut);
    assert_true(fabs(f - 0.7) < 4 * sqrt(0.21 / incut));
    /* reconstructed values follow from the smeared electron by the electron method */
    for (size_t i = 0; i < N; i += 997) {
        double x, q, y;
        if (!pf_det_reco(EE, EP, r.eprime_rec[i], r.theta_rec[i], &x, &q, &y)) continue;
        assert_true(x == r.x_rec[i] && q == r.q2_rec[i] && y == r.y_rec[i]);
    }
    rows_free(&rb);
}

static void test_perfect_detector_reconstructs_exactly(void **state)
{
    (void)state;
    enum { N = 10000 };
    pf_det_params d = det_default();
    d.perfect = 1;
    rowbuf rb;
    pf_sim_rows r = rows_alloc(N, &rb);
    fill_true(&r, N);
    pf_sim_detector(&d, 1, 0, N, &r);
    assert_memory_equal(r.x_true, r.x_rec, N * sizeof(double));
    assert_memory_equal(r.q2_true, r.q2_rec, N * sizeof(double));
    assert_memory_equal(r.y_true, r.y_rec, N * sizeof(double));
    assert_memory_equal(r.eprime_true, r.eprime_rec, N * sizeof(double));
    assert_memory_equal(r.theta_true, r.theta_rec, N * sizeof(double));
    size_t nacc = 0;
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(r.accepted[i], pf_kin_in_cuts(d.cuts, r.x_true[i], r.q2_true[i], pf_kin_s(EE, EP)));
        nacc += r.accepted[i];
    }
    assert_true(nacc > N / 2);
    rows_free(&rb);
}

/* The likelihood's response density: smeared events at one true point, binned in
 * (ln x_rec, ln Q2_rec), follow response(E'_r, th_r | E', th) / J(E'_r, th_r) integrated
 * over the bins (8 x 8 Gauss-Legendre per bin): chi^2 at p > 0.01. */
static void test_response_over_jacobian_is_the_density_of_reconstructed_events(void **state)
{
    (void)state;
    enum { N = 1000000, NB = 16 };
    pf_det_params d = det_default();
    for (int k = 0; k < PF_NCUTS; k++) d.cuts[k] = (k % 2) ? 1e30 : 0.0; /* no cuts */
    d.cuts[PF_CUT_X_MAX] = 1.0;
    d.cuts[PF_CUT_Y_MAX] = 1.0;
    d.stochastic = 0.1; /* wide enough that x and Q2 are smeared over many bins */
    d.sigma_theta = 0.01;
    rowbuf rb;
    pf_sim_rows r = rows_alloc(N, &rb);
    const double xt = 0.05, qt = 50.0;
    for (size_t i = 0; i < N; i++) r.x_true[i] = xt, r.q2_true[i] = qt;
    pf_sim_detector(&d, 31, 0, N, &r);
    double lo[2] = {1e30, 1e30}, hi[2] = {-1e30, -1e30};
    for (size_t i = 0; i < N; i++) {
        if (!(r.x_rec[i] > 0 && r.x_rec[i] < 1)) continue;
        const double v[2] = {log(r.x_rec[i]), log(r.q2_rec[i])};
        for (int k = 0; k < 2; k++) lo[k] = fmin(lo[k], v[k]), hi[k] = fmax(hi[k], v[k]);
    }
    static long cnt[NB][NB];
    size_t nin = 0;
    for (size_t i = 0; i < N; i++) {
        if (!(r.x_rec[i] > 0 && r.x_rec[i] < 1)) continue;
        int a = (int)((log(r.x_rec[i]) - lo[0]) / (hi[0] - lo[0]) * NB);
        int b = (int)((log(r.q2_rec[i]) - lo[1]) / (hi[1] - lo[1]) * NB);
        a = a >= NB ? NB - 1 : a, b = b >= NB ? NB - 1 : b;
        cnt[a][b]++;
        nin++;
    }
    double e, th;
    pf_det_electron(EE, EP, xt, qt, &e, &th);
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(8);
    double chi2 = 0, psum = 0;
    int nbins = 0;
    for (int a = 0; a < NB; a++)
        for (int b = 0; b < NB; b++) {
            const double ua = lo[0] + (hi[0] - lo[0]) * a / NB, ub = lo[0] + (hi[0] - lo[0]) * (a + 1) / NB;
            const double va = lo[1] + (hi[1] - lo[1]) * b / NB, vb = lo[1] + (hi[1] - lo[1]) * (b + 1) / NB;
            double pb = 0;
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++) {
                    double u, wu, v, wv, er, thr;
                    gsl_integration_glfixed_point(ua, ub, i, &u, &wu, t);
                    gsl_integration_glfixed_point(va, vb, j, &v, &wv, t);
                    const double x = exp(u), q = exp(v);
                    if (q / (x * pf_kin_s(EE, EP)) >= 1) continue;
                    pf_det_electron(EE, EP, x, q, &er, &thr);
                    pb += wu * wv * x * q * pf_det_response(&d, e, th, er, thr) / pf_det_jacobian(EE, EP, er, thr);
                }
            psum += pb;
            const double mu = pb * N;
            if (mu < 5) continue;
            chi2 += (cnt[a][b] - mu) * (cnt[a][b] - mu) / mu;
            nbins++;
        }
    gsl_integration_glfixed_table_free(t);
    const double p = gsl_cdf_chisq_Q(chi2, nbins - 1);
    print_message("response/Jacobian: chi2 %.1f / %d bins (p %.3f), probability in the box %.6f (%zu of %d events)\n",
                  chi2, nbins, p, psum, nin, N);
    assert_true(nbins > 40);
    assert_true(fabs(psum - (double)nin / N) < 1e-3);
    assert_true(p > 0.01);
    rows_free(&rb);
}

static void test_poisson_count_has_mean_and_variance_mu(void **state)
{
    (void)state;
    const double mus[2] = {3.5, 2.0e5};
    for (int k = 0; k < 2; k++) {
        const int n = 4000;
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            const double v = (double)pf_sim_poisson(1000 + i, mus[k]);
            s1 += v, s2 += v * v;
        }
        const double mean = s1 / n, var = s2 / n - mean * mean, mu = mus[k];
        print_message("Poisson(%g): mean %.4f, variance %.4f\n", mu, mean, var);
        assert_true(fabs(mean - mu) < 4 * sqrt(mu / n));
        assert_true(fabs(var / mu - 1) < 4 * sqrt(2.0 / n));
    }
    assert_int_equal(pf_sim_poisson(7, 0.0), 0);
    /* large luminosities, up to beyond 2^32 expected events: mean mu, spread sqrt(mu)
     * (before, GSL aborted from 2e6 on and the count wrapped above 2^32) */
    const double big[3] = {2.0e6, 1.0e10, 3.0e12};
    for (int k = 0; k < 3; k++) {
        const int n = 200;
        double s1 = 0;
        for (int i = 0; i < n; i++) {
            const double v = (double)pf_sim_poisson(77 + i, big[k]);
            assert_true(fabs(v - big[k]) < 6 * sqrt(big[k]));
            s1 += v;
        }
        assert_true(fabs(s1 / n - big[k]) < 4 * sqrt(big[k] / n));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_electron_kinematics_match_four_vectors_and_reco_inverts),
        cmocka_unit_test(test_jacobian_equals_finite_differences),
        cmocka_unit_test(test_jacquet_blondel_kinematics_levels_and_jacobian),
        cmocka_unit_test(test_jacquet_blondel_events_reconstruct_from_the_smeared_hadron),
        cmocka_unit_test(test_response_density_is_normalised),
        cmocka_unit_test(test_efficiency_table_interpolates_linearly),
        cmocka_unit_test(test_smearing_has_the_configured_widths_and_efficiency),
        cmocka_unit_test(test_perfect_detector_reconstructs_exactly),
        cmocka_unit_test(test_response_over_jacobian_is_the_density_of_reconstructed_events),
        cmocka_unit_test(test_poisson_count_has_mean_and_variance_mu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
