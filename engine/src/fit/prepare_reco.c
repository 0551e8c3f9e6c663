/* partonflow fit: the reconstructed-space response operator of the smeared detector
 * (issue 12; docs/fitting.md "Response operator").
 *
 * The density of accepted events at a reconstructed point r (per unit x_r, Q2_r) is
 *     D(r) = eps(y_r) / J(r) I(r),   I(r) = int_gen d2sigma(t) J(t) N(E'_r) N(theta_r) dt
 * (prepare_smear.c), linear in the grid values G.  Split I = I_2 + I_L by the structure
 * function it comes from (G interleaves F2 and FL) and define on a grid of reconstructed
 * points r_k
 *     Phi_a(r_k) = I_a(r_k) / (J(r_k) K_a(r_k)),   a = F2, FL,
 * with K_a the kinematic factors of d2sigma (pf_kin_xsec_factors).  Phi_a is the structure
 * function a folded with the resolution (for a perfect detector Phi_a = F_a), so it is as
 * smooth on the grid scale as F_a, and an event's density is the perfect detector's
 * factored stencil row, on F = M G instead of G:
 *     D(r_i) = eps(y_i) [K_2(r_i) interp(Phi_2)(r_i) + K_L(r_i) interp(Phi_L)(r_i)],
 * 84 bytes per event; M (rows: the exact smeared rows at the nodes, split and divided as
 * above, pf_prep_response_rows) is built once per data set, independent of the events.
 *
 * Grid.  Rows t = ln Q2_r: half the theory grid's finest Q^2 spacing over the cut range
 * plus PF_RECO_MARGIN nodes; half that spacing (0.3 of it over the lowest 10 rows) at the bottom
 * of the range and for 12 spacings above each threshold band, where F changes fastest in t
 * (the rows' interpolation error, 1e-5 to 3e-5 there with the coarse rows, is then below
 * 1e-5 everywhere: docs/fitting.md), and a band of finer rows (PF_RECO_BAND_H sigma_t)
 * around each flavour threshold of the theory grid: F2 jumps there (NLO ZM-VFNS), and M's
 * rows at the
 * nodes fold the true theory, jump included (the quadrature of the rows splits at the
 * threshold), so Phi follows the jump smeared by the Q^2 resolution, an error function of
 * width sigma_t, which the band resolves; every event is a stencil row, none keeps an
 * exact one.  Columns zeta = ln(x - Q2/s) - ln(1 - x) = logit((x - x_q)/(1 - x_q)), x_q = Q2/s
 * (the x at y = 1), at the theory grid's spacing in u = logit x: every node is a physical
 * electron-kinematics point (0 < y < 1, x < 1), which nodes in ln x are not next to y_max
 * (two spacings beyond y_max = 0.95 is y > 1); zeta behaves like ln x at small x, like
 * logit x at large x and like -ln(1 - y) near y = 1.  Only nodes that a stencil of a point
 * inside the cuts can reach get rows.
 *
 * Normalisation and histogram operator from the same M: N_exp = L c . G with
 *     c = M^T q,   q_(k,a) = int_cuts eps(y) K_a(x, Q2) B_k(x, Q2) dx dQ2
 * (B_k: the interpolation weight of node k), so the normalisation is the integral of the
 * very density the events see; H_b likewise with the integral restricted to bin b.  The
 * quadrature is prepare.c's: Gauss-Legendre panels in (t, u) split wherever the integrand
 * is not smooth (node lines of both axes, cut ends, bin edges, efficiency kinks, and the
 * t where a moving end of the x range crosses a zeta line, in closed form). */
#include "partonflow/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "prepare_progress.h"
#include "prepare_smear.h"
#include "partonflow/kernels/eventpass.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/ops.h"

#define PF_RECO_MARGIN 2 /* nodes beyond the cut range on each axis */
#define PF_RECO_BAND_H 0.4 /* row spacing in a threshold band, in units of the narrowest sigma_t */
#define PF_RECO_BAND_Z 3.0 /* half-width of a band: the reach of this many sigma of the widest response */
#define PF_RECO_FINE_T 0.5      /* spacing of the fine rows, in units of the coarse rows' */
#define PF_RECO_FINE_LOW 16.0   /* fine rows over this many coarse spacings at the bottom of the range, */
#define PF_RECO_FINEST_T 0.3    /* ... the lowest PF_RECO_FINEST_LOW of them finer still */
#define PF_RECO_FINEST_LOW 10.0
#define PF_RECO_FINE_AFTER 12.0 /* fine rows over this many coarse spacings above each threshold band */
#define PF_RECO_PATCH_X 0.75  /* the high-x patch starts at this x_r (at the cut's largest Q^2) */
#define PF_RECO_REACH 3  /* a stencil of a point in cell j uses nodes j-1 .. j+2 (one-sided near a
                            segment end: j-2 .. j+3): nodes within 3 cells of the region get rows */

static double zeta_of(double x, double q2, double s) { return log(x - q2 / s) - log(1.0 - x); }
static double x_of_zeta(double z, double q2, double s)
{
    const double e = exp(z), xq = q2 / s;
    return (xq + e) / (1.0 + e);
}

/* x range of the cut region at Q^2 (prepare.c's; empty when lo >= hi) */
static void x_range(const double *cuts, double s, double q2, double *lo, double *hi)
{
    const double a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    *lo = fmax(cuts[PF_CUT_X_MIN], q2 / (s * cuts[PF_CUT_Y_MAX]));
    *hi = cuts[PF_CUT_X_MAX];
    if (cuts[PF_CUT_Y_MIN] > 0.0) *hi = fmin(*hi, q2 / (s * cuts[PF_CUT_Y_MIN]));
    if (a > 0.0) *hi = fmin(*hi, q2 / (q2 + a));
    *hi = fmin(*hi, 1.0 - 1e-12);
}

/* Half-width (in t = ln Q^2) of the response at reconstructed Q^2 = q2r, over the
 * reconstructed x range there: the largest reach of z standard deviations of both
 * smearing variables (*wide), and the smallest one-sigma width (*narrow). */
static void response_reach(const pf_det_params *d, const double *cuts, double s, double q2r, double z, double *wide,
                           double *narrow)
{
    double xl, xh;
    x_range(cuts, s, q2r, &xl, &xh);
    *wide = 0.0, *narrow = INFINITY;
    if (!(xl < xh)) return;
    const double ee = d->e_electron;
    for (int i = 0; i <= 400; i++) {
        const double x = exp(log(xl) + (log(xh) - log(xl)) * i / 400.0);
        double er, thr;
        pf_det_measured(d, x, q2r, &er, &thr);
        for (int k = 0; k < 2; k++) {
            const double zz = k ? 1.0 : z;
            const double elo = e_of_z(d, er, zz), ehi = e_of_z(d, er, -zz);
            const double tlo = fmin(thr + zz * d->sigma_theta, PF_KIN_PI), thi = fmax(thr - zz * d->sigma_theta, 0.0);
            double qlo, qhi;
            if (d->method == PF_DET_JB) {
                /* Jacquet-Blondel: Q^2 rises with E_h but not monotonically with gamma: the
                 * extremes over a 5 x 9 net of the window (unphysical points, y >= 1, skipped) */
                qlo = INFINITY, qhi = 0.0;
                for (int ie = 0; ie <= 4; ie++)
                    for (int it = 0; it <= 8; it++) {
                        double xx, qq, yy;
                        const double ee_ = elo + (ehi - elo) * ie / 4.0, tt = thi + (tlo - thi) * it / 8.0;
                        if (!pf_det_reco_m(d, ee_, tt, &xx, &qq, &yy)) continue;
                        qlo = fmin(qlo, qq);
                        qhi = fmax(qhi, qq);
                    }
                if (!(qlo < qhi)) qlo = qhi = q2r;
            } else {
                qlo = 2.0 * ee * elo * (1.0 + cos(tlo)), qhi = 2.0 * ee * ehi * (1.0 + cos(thi));
            }
            const double h = fmax(log(qhi / q2r), log(q2r / qlo));
            if (k) *narrow = fmin(*narrow, 0.5 * log(qhi / qlo));
            else *wide = fmax(*wide, h);
        }
    }
}

int pf_reco_grid_make(const pf_ops *ops, const pf_det_params *d, const double *rcuts, pf_reco_grid *rg,
                      pf_status *st)
{
    memset(rg, 0, sizeof *rg);
    double cuts[7], s, alpha;
    pf_ops_kinematics(ops, cuts, &s, &alpha);
    memcpy(cuts, rcuts, sizeof cuts);
    rg->s = s;
    rg->alpha = alpha;
    rg->born = *pf_ops_born(ops);
    memcpy(rg->cuts, cuts, sizeof rg->cuts);
    /* spacings of the theory grid: the finest Q^2 segment, the x axis */
    double dt = INFINITY;
    for (int k = 0; k < pf_ops_qaxis(ops)->nseg; k++) dt = fmin(dt, 1.0 / pf_ops_qaxis(ops)->inv_h[k]);
    /* half the theory grid's Q^2 spacing: where the response is narrow (high Q^2, high y)
     * Phi is F itself, interpolated here on other nodes than the theory's, and the two
     * interpolations then differ by the theory grid's own interpolation error (up to 1e-4
     * with the theory's spacing; 6e-6 with half of it; the column spacing made no
     * difference: docs/fitting.md) */
    const double du = 1.0 / pf_ops_xaxis(ops)->inv_h[0];
    dt *= 0.5;
    /* rows */
    const double tlo = log(cuts[PF_CUT_Q2_MIN]) - PF_RECO_MARGIN * dt, thi = log(cuts[PF_CUT_Q2_MAX]) + PF_RECO_MARGIN * dt;
    /* a band of fine rows around every flavour threshold inside the range: F2 jumps there
     * (NLO ZM-VFNS), and the folded density D follows the jump smeared with the Q^2
     * resolution, an error function of width sigma_t in t; rows at spacing
     * PF_RECO_BAND_H sigma_t (the narrowest one-sigma width along the threshold) over the
     * reach of PF_RECO_ZCROSS standard deviations (the widest) hold it, and beyond the
     * band D is smooth again */
    double bl[PF_INTERP_MAXSEG], bh[PF_INTERP_MAXSEG], bs[PF_INTERP_MAXSEG];
    int nb = 0;
    for (int k = 1; d && k < pf_ops_qaxis(ops)->nseg; k++) {
        const double e = pf_ops_qaxis(ops)->edge[k];
        if (!(e > tlo && e < thi) || 2 * (nb + 1) + 3 > PF_INTERP_MAXSEG) continue; /* pieces: 2 nb + 3 */
        double wide, narrow;
        response_reach(d, cuts, s, exp(e), PF_RECO_BAND_Z, &wide, &narrow);
        if (!(wide > 0.0 && narrow > 0.0 && isfinite(narrow))) {
            /* no cut-region x at the threshold: reach it from the nearest Q^2 inside */
            response_reach(d, cuts, s, exp(fmin(fmax(e, log(cuts[PF_CUT_Q2_MIN])), log(cuts[PF_CUT_Q2_MAX]))),
                           PF_RECO_BAND_Z, &wide, &narrow);
            if (!(wide > 0.0 && narrow > 0.0 && isfinite(narrow))) continue;
        }
        bl[nb] = fmax(e - wide, tlo);
        bh[nb] = fmin(e + wide, thi);
        bs[nb] = fmin(PF_RECO_BAND_H * narrow, dt);
        if (nb > 0 && bl[nb] <= bh[nb - 1]) { /* overlapping bands merge */
            bh[nb - 1] = bh[nb];
            bs[nb - 1] = fmin(bs[nb - 1], bs[nb]);
            continue;
        }
        nb++;
    }
    /* pieces of the t axis, each of uniform spacing: fine rows (PF_RECO_FINE_T of the
     * spacing) over the lowest PF_RECO_FINE_LOW rows of the range and for PF_RECO_FINE_AFTER
     * rows above each band, the band, fine rows between two bands, coarse rows elsewhere */
    pf_interp_axis *ta = &rg->taxis;
    double pa[PF_INTERP_MAXSEG + 1], sp[PF_INTERP_MAXSEG];
    int ns = 0;
    const double df = PF_RECO_FINE_T * dt;
    double at = tlo;
#define PIECE(b_, h_)                                                                              \
    do {                                                                                           \
        const double e_ = fmin((b_), thi);                                                         \
        if (e_ > at + 1e-12 && ns < PF_INTERP_MAXSEG) pa[ns] = at, sp[ns++] = (h_), at = e_;       \
    } while (0)
    const double lo_end = nb ? bl[0] : thi;
    PIECE(fmin(lo_end, tlo + PF_RECO_FINEST_LOW * dt), PF_RECO_FINEST_T * dt);
    PIECE(fmin(lo_end, tlo + PF_RECO_FINE_LOW * dt), df);
    for (int b = 0; b < nb; b++) {
        PIECE(bl[b], dt);
        PIECE(bh[b], bs[b]);
        if (b + 1 < nb) PIECE(bl[b + 1], df);
        else PIECE(bh[b] + PF_RECO_FINE_AFTER * dt, df);
    }
    const double top_lo = at; /* where the last piece, of coarse rows, starts (thi: none) */
    PIECE(thi, dt);
#undef PIECE
    for (int g = 0; g < ns; g++) ta->edge[g] = pa[g];
    ta->edge[ns] = thi;
    ta->nseg = ns;
    int nt = 0;
    for (int g = 0; g < ns; g++) {
        int n = (int)ceil((ta->edge[g + 1] - ta->edge[g]) / sp[g] - 1e-9) + 1;
        ta->n[g] = n < 4 ? 4 : n;
        ta->first[g] = nt;
        nt += ta->n[g];
    }
    /* columns: the zeta range of the cut region, scanned finely in t (zeta is monotone in
     * x at fixed Q^2, so the range's ends are the x range's) */
    double zlo = INFINITY, zhi = -INFINITY;
    const int nscan = 4000;
    for (int i = 0; i <= nscan; i++) {
        const double q2 = exp(log(cuts[PF_CUT_Q2_MIN]) + (log(cuts[PF_CUT_Q2_MAX]) - log(cuts[PF_CUT_Q2_MIN])) * i / nscan);
        double xl, xh;
        x_range(cuts, s, q2, &xl, &xh);
        if (!(xl < xh)) continue;
        zlo = fmin(zlo, zeta_of(xl, q2, s));
        zhi = fmax(zhi, zeta_of(xh, q2, s));
    }
    if (!(zlo < zhi))
        return pf_status_set(st, PF_EINVAL, "prepare: the cuts leave no reconstructed region for the response grid");
    pf_interp_axis *za = &rg->zaxis;
    const int nzi = (int)ceil((zhi - zlo) / du - 1e-9);
    const double dz = (zhi - zlo) / nzi;
    za->nseg = 1;
    za->edge[0] = zlo - PF_RECO_MARGIN * dz;
    za->edge[1] = zhi + PF_RECO_MARGIN * dz;
    za->first[0] = 0;
    za->n[0] = nzi + 1 + 2 * PF_RECO_MARGIN;
    pf_interp_axis_finish(ta);
    pf_interp_axis_finish(za);
    rg->nt = (size_t)nt;
    rg->nz = (size_t)za->n[0];
    /* The high-x patch.  Where the response is narrow (high Q^2) and F falls fastest (high
     * x, F ~ (1 - x)^b), Phi keeps the curvature of F, and the coarse rows and the columns
     * leave interpolation errors up to 4e-5 (both axes alike: 2.0e-5 from the columns,
     * 2.3e-5 from the rows at cell centres; docs/fitting.md "Where the events are not").
     * Halving both spacings everywhere would cost 40 % more weights in M, mostly in the
     * long rows of low y; the patch halves them only over the corner: the coarse top
     * rows (t >= the start of the last coarse piece) times the columns from x_r =
     * PF_RECO_PATCH_X at the cut's largest Q^2 (zeta falls with Q^2 at fixed x, so the
     * corner holds every x_r above it).  Its nodes reach PF_RECO_MARGIN fine spacings
     * below both of its edges, so a point just inside has a centred stencil; across an
     * edge the density switches from one interpolant to the other (a step of the main
     * grid's error there, < 3e-6), and the normalisation's quadrature splits on it. */
    const double zp_x = zeta_of(PF_RECO_PATCH_X, cuts[PF_CUT_Q2_MAX], s);
    const int kp = (int)floor((zp_x - za->edge[0]) / dz + 1e-9);
    if (top_lo < thi - 4.0 * dt && kp >= 4 && za->edge[0] + kp * dz < zhi - 4.0 * dz) {
        const double hf = 0.5 * dt, zf = 0.5 * dz;
        rg->pt0 = top_lo;
        rg->pz0 = za->edge[0] + kp * dz;
        pf_interp_axis *pt = &rg->ptaxis, *pz = &rg->pzaxis;
        pt->nseg = pz->nseg = 1;
        pt->first[0] = pz->first[0] = 0;
        pt->edge[0] = rg->pt0 - PF_RECO_MARGIN * hf;
        pt->edge[1] = thi;
        pt->n[0] = (int)ceil((pt->edge[1] - pt->edge[0]) / hf - 1e-9) + 1;
        pz->edge[0] = rg->pz0 - PF_RECO_MARGIN * zf;
        pz->edge[1] = za->edge[1];
        pz->n[0] = (int)ceil((pz->edge[1] - pz->edge[0]) / zf - 1e-9) + 1;
        pf_interp_axis_finish(pt);
        pf_interp_axis_finish(pz);
        if ((size_t)pz->n[0] <= rg->nz) { /* the main grid's row stride holds the patch's rows */
            rg->pnt = (size_t)pt->n[0];
            rg->pnz = (size_t)pz->n[0];
        }
    }
    return PF_OK;
}

size_t pf_reco_nnodes(const pf_reco_grid *rg) { return (rg->nt + rg->pnt) * rg->nz; }

size_t pf_reco_nF(const pf_reco_grid *rg) { return PF_NOBS * pf_reco_nnodes(rg); }

void pf_reco_node(const pf_reco_grid *rg, size_t k, double *x, double *q2)
{
    const size_t it = k / rg->nz, iz = k % rg->nz;
    if (it < rg->nt) {
        *q2 = exp(pf_interp_axis_node(&rg->taxis, (int)it));
        *x = x_of_zeta(pf_interp_axis_node(&rg->zaxis, (int)iz), *q2, rg->s);
        return;
    }
    /* a patch row; its columns beyond pnz are never used (their rows stay empty) */
    *q2 = exp(pf_interp_axis_node(&rg->ptaxis, (int)(it - rg->nt)));
    *x = x_of_zeta(pf_interp_axis_node(&rg->pzaxis, (int)(iz < rg->pnz ? iz : rg->pnz - 1)), *q2, rg->s);
}

/* 1 when the point (t, zeta) takes the patch's stencil */
static int in_patch(const pf_reco_grid *rg, double t, double z) { return rg->pnt && t >= rg->pt0 && z >= rg->pz0; }

/* Stencil of a reconstructed point on the response grid, as first nodes (rows of the
 * patch after the main grid's) and local coordinates (pf_interp_axis_locate_u): -1
 * outside it. */
static int reco_stencil(const pf_reco_grid *rg, double x, double q2, int *r0, int *c0, double *ur, double *uc)
{
    if (!(x > 0.0 && x < 1.0 && q2 > 0.0 && x > q2 / rg->s)) return -1;
    const double t = log(q2), z = zeta_of(x, q2, rg->s);
    if (in_patch(rg, t, z)) {
        if (pf_interp_axis_locate_u(&rg->ptaxis, t, r0, ur)) return -1;
        if (pf_interp_axis_locate_u(&rg->pzaxis, z, c0, uc)) return -1;
        *r0 += (int)rg->nt;
        return 0;
    }
    if (pf_interp_axis_locate_u(&rg->taxis, t, r0, ur)) return -1;
    if (pf_interp_axis_locate_u(&rg->zaxis, z, c0, uc)) return -1;
    return 0;
}

/* Marks the nodes of one grid (the main one, patch = 0, or the patch) that stencils of
 * points inside the cuts, and on the grid's side of the patch's edges, can reach: a cell
 * counts if one of 7 x 7 points in it (edges included) is such a point.  use: the whole
 * grid's, the patch's rows after the main grid's. */
static int used_nodes_of(const pf_reco_grid *rg, int patch, uint8_t *use)
{
    const pf_interp_axis *ta = patch ? &rg->ptaxis : &rg->taxis, *za = patch ? &rg->pzaxis : &rg->zaxis;
    const size_t nt = patch ? rg->pnt : rg->nt, nzg = patch ? rg->pnz : rg->nz, nz = rg->nz, off = patch ? rg->nt : 0;
    uint8_t *cell = calloc(nt * nzg, 1);
    if (!cell) return -1;
    for (size_t it = 0; it + 1 < nt; it++) {
        const double t0 = pf_interp_axis_node(ta, (int)it), t1 = pf_interp_axis_node(ta, (int)it + 1);
        if (!(t1 > t0)) continue; /* the two nodes of a threshold */
        for (size_t iz = 0; iz + 1 < nzg; iz++) {
            const double z0 = pf_interp_axis_node(za, (int)iz), z1 = pf_interp_axis_node(za, (int)iz + 1);
            int in = 0;
            for (int a = 0; a <= 6 && !in; a++)
                for (int b = 0; b <= 6 && !in; b++) {
                    const double t = t0 + (t1 - t0) * a / 6.0, z = z0 + (z1 - z0) * b / 6.0, q2 = exp(t);
                    in = in_patch(rg, t, z) == patch && pf_kin_in_cuts(rg->cuts, x_of_zeta(z, q2, rg->s), q2, rg->s);
                }
            cell[it * nzg + iz] = (uint8_t)in;
        }
    }
    for (size_t it = 0; it < nt; it++)
        for (size_t iz = 0; iz < nzg; iz++) {
            if (!cell[it * nzg + iz]) continue;
            const long r = PF_RECO_REACH;
            for (long a = (long)it - r; a <= (long)it + r + 1; a++)
                for (long b = (long)iz - r; b <= (long)iz + r + 1; b++)
                    if (a >= 0 && a < (long)nt && b >= 0 && b < (long)nzg) use[(off + (size_t)a) * nz + (size_t)b] = 1;
        }
    free(cell);
    return 0;
}

int pf_reco_used_nodes(const pf_reco_grid *rg, uint8_t *use)
{
    memset(use, 0, pf_reco_nnodes(rg));
    if (used_nodes_of(rg, 0, use)) return -1;
    return rg->pnt ? used_nodes_of(rg, 1, use) : 0;
}

int pf_reco_events_stencil(const pf_reco_grid *rg, const pf_detector_card *det, const uint8_t *use, size_t n,
                           const double *x, const double *q2, uint32_t *base, double *stw, double *loc,
                           pf_status *st)
{
    long bad = -1;
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (size_t i = 0; i < n; i++) {
        int r0, c0;
        double ur, uc;
        int ok = !reco_stencil(rg, x[i], q2[i], &r0, &c0, &ur, &uc);
        for (int r = 0; ok && r < 4; r++)
            for (int c = 0; c < 4; c++) ok &= use[(size_t)(r0 + r) * rg->nz + (size_t)(c0 + c)] != 0;
        if (!ok) {
#ifdef PF_HAVE_OPENMP
#pragma omp critical(pf_reco_bad)
#endif
            if (bad < 0 || (long)i < bad) bad = (long)i;
            continue;
        }
        double f2, fl;
        pf_kin_xsec_factors_b(&rg->born, x[i], q2[i], rg->s, rg->alpha, &f2, &fl);
        const double e = pf_prep_efficiency(det, q2[i] / (x[i] * rg->s));
        if (stw) {
            pf_interp_cubic_weights(ur, stw + i * PF_LIKE_STW);
            pf_interp_cubic_weights(uc, stw + i * PF_LIKE_STW + 4);
            stw[i * PF_LIKE_STW + 8] = e * f2;
            stw[i * PF_LIKE_STW + 9] = e * fl;
        }
        if (loc) {
            loc[i * PF_LIKE_STL] = ur;
            loc[i * PF_LIKE_STL + 1] = uc;
            loc[i * PF_LIKE_STL + 2] = e * f2;
            loc[i * PF_LIKE_STL + 3] = e * fl;
        }
        base[i] = (uint32_t)(((size_t)r0 * rg->nz + (size_t)c0) * PF_NOBS);
    }
    if (bad >= 0)
        return pf_status_set(st, PF_EDOMAIN,
                             "prepare: accepted event %ld (x = %g, Q2 = %g GeV^2) is outside the reconstructed "
                             "cuts the response grid covers",
                             bad, x[bad], q2[bad]);
    return PF_OK;
}

/* sorted, de-duplicated points of v[0..n) inside [lo, hi], with lo and hi */
static size_t breakpoints(double *v, size_t n, double lo, double hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > lo && v[i] < hi) v[m++] = v[i];
    v[m++] = lo;
    v[m++] = hi;
    qsort(v, m, sizeof *v, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || v[i] - v[k - 1] > 1e-13 * (1.0 + fabs(v[i]))) v[k++] = v[i];
    return k;
}

/* t where zeta = z on the line y = yc (x = Q2/(s yc)): e^z = x_q (1 - yc)/yc / (1 - x_q/yc) */
static double t_y_line(double z, double yc, double s)
{
    const double e = exp(z), xq = e / ((1.0 - yc) / yc + e / yc);
    return log(s * xq);
}

int pf_reco_norm(const pf_reco_grid *rg, const pf_detector_card *det, const pf_prep_bins *bins, int order,
                 double *q, double *qb, pf_status *st)
{
    const size_t nF = pf_reco_nF(rg), nbins = bins ? (size_t)bins->nx * (size_t)bins->nq2 : 0;
    const double *cuts = rg->cuts, s = rg->s;
    if (order <= 0) order = 8;
    /* the node lines of both grids (the patch's edges are nodes of both) */
    const size_t nzn = rg->nz + rg->pnz, ntn = rg->nt + rg->pnt, nzs = rg->nz;
    double *zl = malloc(nzn * sizeof *zl);
    if (!zl) return pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the normalisation quadrature");
    for (size_t i = 0; i < nzn; i++)
        zl[i] = i < rg->nz ? pf_interp_axis_node(&rg->zaxis, (int)i) : pf_interp_axis_node(&rg->pzaxis, (int)(i - rg->nz));
    const size_t nbx = bins ? (size_t)bins->nx + 1 : 0, nbq = bins ? (size_t)bins->nq2 + 1 : 0;
    const int neff = det && det->present && det->eff_n >= 2 ? det->eff_n : 0;
    const double a = cuts[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    /* fixed x lines: bin edges and the x cuts */
    size_t nxs = nbx + 2;
    double *xs = malloc(nxs * sizeof *xs);
    /* y lines: the y cuts and the efficiency table's nodes */
    double ys[2 + PF_EFF_TABLE_MAX];
    int ny = 0;
    ys[ny++] = cuts[PF_CUT_Y_MAX];
    if (cuts[PF_CUT_Y_MIN] > 0.0) ys[ny++] = cuts[PF_CUT_Y_MIN];
    for (int e = 0; e < neff; e++)
        if (det->eff_y[e] > 0.0 && det->eff_y[e] < 1.0) ys[ny++] = det->eff_y[e];
    size_t capt = ntn + nbq + 8 + (size_t)(ny + 1) * nxs + (size_t)(ny + 2) * nzn;
    double *tb = malloc(capt * sizeof *tb);
    size_t capu = nzn + nbx + (size_t)neff + 4;
    double *ub = malloc(capu * sizeof *ub);
    gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc((size_t)order);
    if (!xs || !tb || !ub || !gl) {
        free(xs); free(tb); free(ub); free(zl);
        if (gl) gsl_integration_glfixed_table_free(gl);
        return pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the normalisation quadrature");
    }
    size_t k = 0;
    for (size_t i = 0; i < nbx; i++) xs[k++] = exp(bins->logx_lo + (bins->logx_hi - bins->logx_lo) * (double)i / bins->nx);
    xs[k++] = cuts[PF_CUT_X_MIN];
    xs[k++] = cuts[PF_CUT_X_MAX];
    nxs = k;
    const double t_lo = log(cuts[PF_CUT_Q2_MIN]), t_hi = log(cuts[PF_CUT_Q2_MAX]);
    size_t nt = 0;
    for (size_t i = 0; i < ntn; i++)
        tb[nt++] = i < rg->nt ? pf_interp_axis_node(&rg->taxis, (int)i) : pf_interp_axis_node(&rg->ptaxis, (int)(i - rg->nt));
    for (size_t i = 0; i < nbq; i++) tb[nt++] = bins->logq2_lo + (bins->logq2_hi - bins->logq2_lo) * (double)i / bins->nq2;
    /* a fixed x line meets a y line (y cut, efficiency node) or the W2 line */
    for (size_t i = 0; i < nxs; i++) {
        for (int j = 0; j < ny; j++) tb[nt++] = log(xs[i] * s * ys[j]);
        if (a > 0.0 && xs[i] < 1.0) tb[nt++] = log(a * xs[i] / (1.0 - xs[i]));
    }
    if (cuts[PF_CUT_Y_MIN] > 0.0 && s * cuts[PF_CUT_Y_MIN] > a) tb[nt++] = log(s * cuts[PF_CUT_Y_MIN] - a);
    /* a zeta line meets a y line, the W2 line (Q2^2 - (s - a) Q2 + a s e^z = 0) or a fixed x line */
    for (size_t iz = 0; iz < nzn; iz++) {
        const double z = zl[iz], e = exp(z);
        for (int j = 0; j < ny; j++) tb[nt++] = t_y_line(z, ys[j], s);
        if (a > 0.0) {
            const double disc = (s - a) * (s - a) - 4.0 * a * s * e;
            if (disc >= 0.0) {
                const double r1 = 0.5 * ((s - a) - sqrt(disc)), r2 = 0.5 * ((s - a) + sqrt(disc));
                if (r1 > 0.0) tb[nt++] = log(r1);
                if (r2 > 0.0) tb[nt++] = log(r2);
            }
        }
        (void)e;
    }
    for (size_t i = 0; i < nxs && nt + nzn < capt; i++)
        for (size_t iz = 0; iz < nzn; iz++) {
            const double xq = xs[i] - exp(zl[iz]) * (1.0 - xs[i]);
            if (xq > 0.0 && nt < capt) tb[nt++] = log(s * xq);
        }
    nt = breakpoints(tb, nt, t_lo, t_hi);

    memset(q, 0, nF * sizeof *q);
    if (qb) memset(qb, 0, nbins * nF * sizeof *qb);
    int rc = PF_OK;
    for (size_t pt = 0; pt + 1 < nt && !rc; pt++) {
        for (int it = 0; it < order && !rc; it++) {
            double t, wt;
            gsl_integration_glfixed_point(tb[pt], tb[pt + 1], (size_t)it, &t, &wt, gl);
            const double q2 = exp(t);
            double xlo, xhi;
            x_range(cuts, s, q2, &xlo, &xhi);
            if (!(xlo < xhi)) continue;
            const double ulo = log(xlo / (1.0 - xlo)), uhi = log(xhi / (1.0 - xhi));
            size_t nu = 0;
            for (size_t i = 0; i < nzn; i++) {
                const double x = x_of_zeta(zl[i], q2, s);
                ub[nu++] = log(x / (1.0 - x));
            }
            for (size_t i = 0; i < nbx; i++) {
                const double x = exp(bins->logx_lo + (bins->logx_hi - bins->logx_lo) * (double)i / bins->nx);
                ub[nu++] = log(x / (1.0 - x));
            }
            for (int e = 0; e < neff; e++) {
                const double xe = q2 / (s * det->eff_y[e]);
                if (det->eff_y[e] > 0.0 && xe < 1.0) ub[nu++] = log(xe / (1.0 - xe));
            }
            nu = breakpoints(ub, nu, ulo, uhi);
            for (size_t pu = 0; pu + 1 < nu && !rc; pu++) {
                int bn = -1;
                if (qb) {
                    /* the panel's midpoint decides the bin: points never sit on an edge */
                    const double um = 0.5 * (ub[pu] + ub[pu + 1]);
                    bn = pf_prep_bin_of(bins, 1.0 / (1.0 + exp(-um)), exp(0.5 * (tb[pt] + tb[pt + 1])));
                }
                for (int iu = 0; iu < order; iu++) {
                    double u, wu;
                    gsl_integration_glfixed_point(ub[pu], ub[pu + 1], (size_t)iu, &u, &wu, gl);
                    const double x = 1.0 / (1.0 + exp(-u));
                    int r0, c0;
                    double wr[4], wc[4], ur, uc, f2, fl;
                    if (reco_stencil(rg, x, q2, &r0, &c0, &ur, &uc)) {
                        rc = pf_status_set(st, PF_EDOMAIN,
                                           "prepare: the cut region reaches (x = %g, Q2 = %g GeV^2) outside the "
                                           "response grid", x, q2);
                        break;
                    }
                    pf_interp_cubic_weights(ur, wr);
                    pf_interp_cubic_weights(uc, wc);
                    pf_kin_xsec_factors_b(&rg->born, x, q2, s, rg->alpha, &f2, &fl);
                    const double f = wt * wu * x * (1.0 - x) * q2 * pf_prep_efficiency(det, q2 / (x * s));
                    const double fa[2] = {f * f2, f * fl};
                    for (int r = 0; r < 4; r++)
                        for (int c = 0; c < 4; c++) {
                            const size_t node = ((size_t)(r0 + r) * nzs + (size_t)(c0 + c)) * PF_NOBS;
                            const double w = wr[r] * wc[c];
                            for (int o = 0; o < PF_NOBS; o++) {
                                q[node + o] += fa[o] * w;
                                if (bn >= 0) qb[(size_t)bn * nF + node + o] += fa[o] * w;
                            }
                        }
                }
            }
        }
    }
    free(xs); free(tb); free(ub); free(zl);
    gsl_integration_glfixed_table_free(gl);
    return rc;
}

void pf_reco_transpose_apply(size_t nF, const uint64_t *ptr, const uint32_t *col, const double *val,
                             const double *q, size_t ngrid, double *c)
{
    memset(c, 0, ngrid * sizeof *c);
    for (size_t k = 0; k < nF; k++) {
        const double qk = q[k];
        if (qk == 0.0) continue;
        for (uint64_t j = ptr[k]; j < ptr[k + 1]; j++) c[col[j]] += qk * val[j];
    }
}

/* The true region M's rows are folded over: the generation region widened to the theory
 * grid's box in x and Q^2 and to y -> 0.  The generation region holds every true point
 * with a probability above 1e-9 to be reconstructed inside the CUTS, but the bicubic
 * stencils of events near a cut also read F at nodes up to two spacings outside it, whose
 * support reaches further: folded over the generation region alone, those nodes miss
 * part of it and the interpolated density near the cuts is off by up to 5e-3 (default
 * card, Q^2 near q2_min and y < 0.02).  Folded over the grid's box they see everything
 * the theory holds; inside the cuts the two folds differ by < 1e-9 of the density. */
static void fold_region(const pf_ops *ops, const double *g, double *f)
{
    const pf_interp_axis *xa = pf_ops_xaxis(ops), *qa = pf_ops_qaxis(ops);
    const double shrink = 1e-9; /* keep the quadrature's end points inside the grid */
    const double x0 = 1.0 / (1.0 + exp(-(xa->edge[0] + shrink))), x1 = 1.0 / (1.0 + exp(-(xa->edge[xa->nseg] - shrink)));
    const double q0 = exp(qa->edge[0] + shrink), q1 = exp(qa->edge[qa->nseg] - shrink);
    memcpy(f, g, sizeof(double) * PF_NCUTS);
    f[PF_CUT_Q2_MIN] = fmin(g[PF_CUT_Q2_MIN], fmax(q0, g[PF_CUT_Q2_MIN] * 1e-3));
    f[PF_CUT_Q2_MAX] = fmax(g[PF_CUT_Q2_MAX], q1);
    f[PF_CUT_X_MIN] = fmin(g[PF_CUT_X_MIN], x0);
    f[PF_CUT_X_MAX] = fmax(g[PF_CUT_X_MAX], x1);
    f[PF_CUT_Y_MIN] = 0.0;
}

int pf_prep_response_make(const pf_ops *ops, const pf_det_params *d, const double *gen, pf_prep_response *r,
                          pf_status *st)
{
    return pf_prep_response_make_progress(ops, d, gen, r, NULL, st);
}

int pf_prep_response_make_progress(const pf_ops *ops, const pf_det_params *d, const double *gen,
                                   pf_prep_response *r, const pf_prep_progress *pr, pf_status *st)
{
    memset(r, 0, sizeof *r);
    if (pf_reco_grid_make(ops, d, d->cuts, &r->rg, st)) return st->code;
    const size_t nn = pf_reco_nnodes(&r->rg);
    r->nF = pf_reco_nF(&r->rg);
    r->use = malloc(nn);
    r->ptr = malloc((r->nF + 1) * sizeof *r->ptr);
    double *x = malloc(nn * sizeof *x), *q2 = malloc(nn * sizeof *q2);
    if (!r->use || !r->ptr || !x || !q2 || pf_reco_used_nodes(&r->rg, r->use)) {
        free(x); free(q2);
        pf_prep_response_free(r);
        return pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the response grid of %zu nodes", nn);
    }
    for (size_t k = 0; k < nn; k++) pf_reco_node(&r->rg, k, x + k, q2 + k);
    double fold[PF_NCUTS];
    fold_region(ops, gen ? gen : d->cuts, fold);
    pf_prep_progress npr; /* the nodes, known only now */
    if (pr) {
        npr = *pr;
        npr.base.total = nn;
        pf_prep_progress_rows(&npr, 0, nn);
    }
    int rc = pf_prep_response_rows_progress(ops, d, fold, r->use, nn, x, q2, r->ptr, &r->col, &r->val,
                                            pr ? &npr : NULL, st);
    free(x); free(q2);
    if (rc) {
        pf_prep_response_free(r);
        return rc;
    }
    r->nnz = (size_t)r->ptr[r->nF];
    /* M's weights rounded to float32 numbers: likelihood.h5 stores them in 4 bytes, and the
     * events' F = M G, the normalisation c = M^T q and the histogram operators all use the
     * same rounded numbers (the rounding, < 6e-8 of each weight, is inside the accuracy that
     * --verify measures: docs/fitting.md) */
    for (size_t k = 0; k < r->nnz; k++) r->val[k] = (double)(float)r->val[k];
    for (size_t k = 0; k < nn; k++) r->nused += r->use[k] != 0;
    return PF_OK;
}

void pf_prep_response_free(pf_prep_response *r)
{
    free(r->use); free(r->ptr); free(r->col); free(r->val);
    r->use = NULL, r->ptr = NULL, r->col = NULL, r->val = NULL;
}

int pf_prep_response_norm(const pf_prep_response *r, size_t ngrid, const pf_detector_card *det,
                          const pf_prep_bins *bins, double *c, double *H, pf_status *st)
{
    const size_t nbins = bins && H ? (size_t)bins->nx * (size_t)bins->nq2 : 0;
    double *q = malloc(r->nF * sizeof *q), *qb = nbins ? malloc(nbins * r->nF * sizeof *qb) : NULL;
    if (!q || (nbins && !qb)) {
        free(q); free(qb);
        return pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the normalisation weights");
    }
    int rc = pf_reco_norm(&r->rg, det, nbins ? bins : NULL, 0, q, qb, st);
    if (!rc) {
        pf_reco_transpose_apply(r->nF, r->ptr, r->col, r->val, q, ngrid, c);
        /* H_b = M^T qb_b, the bins in parallel (each by one thread: the same bits) */
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 1)
#endif
        for (long b = 0; b < (long)nbins; b++)
            pf_reco_transpose_apply(r->nF, r->ptr, r->col, r->val, qb + (size_t)b * r->nF, ngrid, H + (size_t)b * ngrid);
    }
    free(q); free(qb);
    return rc;
}

int pf_prep_response_verify(const pf_ops *ops, const pf_det_params *d, const double *gen, const pf_prep_response *r,
                            const pf_detector_card *det, const double *G, size_t n, const double *x,
                            const double *q2, double *rel, pf_status *st)
{
    uint64_t *rp = malloc((n + 1) * sizeof *rp);
    uint32_t *col = NULL, *base = malloc((n ? n : 1) * sizeof *base);
    double *val = NULL, *sw = malloc((n ? n : 1) * PF_LIKE_STW * sizeof *sw), *F = malloc(r->nF * sizeof *F);
    int rc = PF_OK;
    if (!rp || !base || !sw || !F) {
        rc = pf_status_set(st, PF_ENOMEM, "prepare: cannot allocate the verification of %zu events", n);
        goto out;
    }
    if ((rc = pf_prep_events_smeared(ops, d, gen, n, x, q2, rp, &col, &val, st))) goto out;
    if ((rc = pf_reco_events_stencil(&r->rg, det, r->use, n, x, q2, base, sw, NULL, st))) goto out;
    for (size_t k = 0; k < r->nF; k++) {
        double a = 0.0;
        for (uint64_t j = r->ptr[k]; j < r->ptr[k + 1]; j++) a += r->val[j] * G[r->col[j]];
        F[k] = a;
    }
    for (size_t i = 0; i < n; i++) {
        double ex = 0.0;
        for (uint64_t j = rp[i]; j < rp[i + 1]; j++) ex += val[j] * G[col[j]];
        const double ap = pf_ev_dot_stencil(sw + i * PF_LIKE_STW, F + base[i], 2 * r->rg.nz);
        rel[i] = ap / ex - 1.0;
    }
out:
    free(rp); free(col); free(base); free(val); free(sw); free(F);
    return rc;
}
