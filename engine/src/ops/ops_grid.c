/* partonflow ops: the (x, Q^2) grid of the theory operators and the operator object.
 *
 * x axis: nodes uniform in u = ln(x/(1-x)) over [x_min, x_max] of the generation region
 * (partonflow/generation.h; the cuts for a perfect detector), widened by
 * PF_OPS_MARGIN nodes on each side (the bounding box of the generation region, which the
 * simulation's envelope needs; the region itself, x >= q2_min / (s y_max) etc., lies
 * inside).
 *
 * Q^2 axis: nodes uniform in t = ln Q^2 over [q2_min, q2_max] of the generation region
 * widened by the margin, in
 * segments split at the ZM-VFNS flavour thresholds: mu_F^2 = Q^2 = m_h^2 (PDFs: kink;
 * F2 at NLO: jump, since sum_q e_q^2 C_{2,g} gains a flavour) and mu_R^2 = xi_r^2 Q^2 =
 * m_h^2 (alpha_s: kink).  FFNS has no thresholds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"
#include "partonflow/generation.h"
#include "partonflow/kernels/kinematics.h"

static double logit(double x) { return log(x / (1.0 - x)); }

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

int pf_ops_grid_axes(const pf_card *card, pf_interp_axis *xaxis, pf_interp_axis *qaxis,
                     pf_status *st)
{
    const pf_kinematics_card *k = &card->kinematics;
    if (!k->present)
        return pf_status_set(st, PF_EINVAL,
                             "card %s: section 'kinematics' (beams and cuts) is required to build "
                             "theory operators: the grid covers its cut region",
                             card->path);
    const double s = pf_kin_s(k->e_electron, k->e_proton);
    const double mp2 = PF_KIN_MPROTON * PF_KIN_MPROTON;
    /* the x range the cuts allow at some Q^2 (for the check that a region exists) ... */
    double xlo = k->x_min, xhi = k->x_max;
    if (k->y_max > 0 && k->q2_min / (s * k->y_max) > xlo) xlo = k->q2_min / (s * k->y_max);
    if (k->y_min > 0 && k->q2_max / (s * k->y_min) < xhi) xhi = k->q2_max / (s * k->y_min);
    if (k->w2_min > mp2 && k->q2_max / (k->q2_max + k->w2_min - mp2) < xhi)
        xhi = k->q2_max / (k->q2_max + k->w2_min - mp2);
    if (!(xlo > 0 && xlo < xhi && k->q2_min > 0 && k->q2_min < k->q2_max))
        return pf_status_set(st, PF_EINVAL,
                             "card %s: key 'kinematics.cuts': the cuts leave no region "
                             "(x from %g to %g, Q2 from %g to %g GeV^2)",
                             card->path, xlo, xhi, k->q2_min, k->q2_max);
    /* ... but the grid spans the whole bounding box [x_min, x_max] x [q2_min, q2_max] of the
     * generation region (generation.h: the cuts for a perfect detector, wider by what the
     * resolution lets migrate into them otherwise): events are generated, and the response
     * folded, there; samplers and integrators evaluate cell corners just outside it */
    double gen[PF_NCUTS];
    if (pf_gen_region(card, gen, st)) return st ? st->code : PF_EINVAL;
    xlo = gen[PF_CUT_X_MIN];
    xhi = gen[PF_CUT_X_MAX] < 1.0 - 1e-6 ? gen[PF_CUT_X_MAX] : 1.0 - 1e-6;

    /* x: one uniform segment in u */
    const double ulo = logit(xlo), uhi = logit(xhi);
    int nx = card->theory.grid_nx;
    double du;
    if (nx > 0) {
        if (nx < 4 + 2 * (int)PF_OPS_MARGIN)
            return pf_status_set(st, PF_EINVAL, "card %s: key 'theory.grid.x': %d points, expected >= %d",
                                 card->path, nx, 4 + 2 * (int)PF_OPS_MARGIN);
        du = (uhi - ulo) / (nx - 1 - 2 * PF_OPS_MARGIN);
    } else {
        nx = (int)ceil((uhi - ulo) / PF_OPS_DEFAULT_DU - 1e-9) + 1 + 2 * (int)PF_OPS_MARGIN;
        du = (uhi - ulo) / (nx - 1 - 2 * PF_OPS_MARGIN);
    }
    memset(xaxis, 0, sizeof *xaxis);
    xaxis->nseg = 1;
    xaxis->edge[0] = ulo - PF_OPS_MARGIN * du;
    xaxis->edge[1] = uhi + PF_OPS_MARGIN * du;
    xaxis->first[0] = 0;
    xaxis->n[0] = nx;

    /* Q^2: segments between thresholds */
    const double tlo0 = log(gen[PF_CUT_Q2_MIN]), thi0 = log(gen[PF_CUT_Q2_MAX]);
    const int nq_card = card->theory.grid_nq2;
    double dt0 = nq_card > 0 ? (thi0 - tlo0) / (nq_card - 1 - 2 * PF_OPS_MARGIN) : PF_OPS_DEFAULT_DT;
    if (nq_card > 0 && nq_card < 4 + 2 * (int)PF_OPS_MARGIN)
        return pf_status_set(st, PF_EINVAL, "card %s: key 'theory.grid.q2': %d points, expected >= %d",
                             card->path, nq_card, 4 + 2 * (int)PF_OPS_MARGIN);
    /* the margin does not reach below the input scale mu0^2 (no backward evolution is
     * needed for a cut region above it) */
    double tlo = tlo0 - PF_OPS_MARGIN * dt0;
    const double tmu0 = card->theory.mu0 > 0 ? 2.0 * log(card->theory.mu0) : -INFINITY;
    if (tlo < tmu0) tlo = tmu0 < tlo0 ? tmu0 : tlo0;
    const double thi = thi0 + PF_OPS_MARGIN * dt0;
    double brk[8];
    int nb = 0;
    if (card->theory.scheme == PF_VFNS) {
        const double m[3] = {card->theory.mc, card->theory.mb, card->theory.mt};
        const double xr = card->theory.xi_r > 0 ? card->theory.xi_r : 1.0;
        for (int h = 0; h < 3; h++) {
            if (!(m[h] > 0)) continue;
            const double cand[2] = {2.0 * log(m[h]), 2.0 * log(m[h] / xr)};
            for (int c = 0; c < 2; c++) {
                /* thresholds within a fraction of a node of an edge or of each other would
                 * make degenerate segments; they are merged (inside: kept, else dropped) */
                if (cand[c] <= tlo + 1e-3 * dt0 || cand[c] >= thi - 1e-3 * dt0) continue;
                int dup = 0;
                for (int b = 0; b < nb; b++) dup |= fabs(brk[b] - cand[c]) < 1e-12;
                if (!dup) brk[nb++] = cand[c];
            }
        }
        qsort(brk, (size_t)nb, sizeof *brk, cmp_double);
    }
    memset(qaxis, 0, sizeof *qaxis);
    qaxis->nseg = nb + 1;
    qaxis->edge[0] = tlo;
    for (int b = 0; b < nb; b++) qaxis->edge[b + 1] = brk[b];
    qaxis->edge[nb + 1] = thi;
    int total = 0, biggest = 0;
    for (int g = 0; g <= nb; g++) {
        const double len = qaxis->edge[g + 1] - qaxis->edge[g];
        int n = (int)ceil(len / dt0 - 1e-9) + 1;
        if (n < 4) n = 4;
        qaxis->n[g] = n;
        total += n;
        if (len > qaxis->edge[biggest + 1] - qaxis->edge[biggest]) biggest = g;
    }
    if (nq_card > 0) {
        /* the card fixes the total: the longest segment absorbs the difference */
        int n = qaxis->n[biggest] + (nq_card - total);
        if (n < 4)
            return pf_status_set(st, PF_EINVAL,
                                 "card %s: key 'theory.grid.q2': %d points are too few for %d "
                                 "segments between flavour thresholds (need >= %d)",
                                 card->path, nq_card, nb + 1, total - qaxis->n[biggest] + 4);
        qaxis->n[biggest] = n;
    }
    for (int g = 0, f = 0; g <= nb; g++) {
        qaxis->first[g] = f;
        f += qaxis->n[g];
    }
    pf_interp_axis_finish(xaxis);
    pf_interp_axis_finish(qaxis);
    return PF_OK;
}

pf_ops *pf_ops_alloc(const pf_interp_axis *xaxis, const pf_interp_axis *qaxis, size_t nn,
                     pf_status *st)
{
    pf_ops *o = calloc(1, sizeof *o);
    if (!o) {
        pf_status_set(st, PF_ENOMEM, "pf_ops: cannot allocate the operator object");
        return NULL;
    }
    o->xaxis = *xaxis;
    o->qaxis = *qaxis;
    pf_interp_axis_finish(&o->xaxis);
    pf_interp_axis_finish(&o->qaxis);
    o->nx = (size_t)(xaxis->first[xaxis->nseg - 1] + xaxis->n[xaxis->nseg - 1]);
    o->nq2 = (size_t)(qaxis->first[qaxis->nseg - 1] + qaxis->n[qaxis->nseg - 1]);
    o->nn = nn;
    if ((double)o->nx * (double)o->nq2 * PF_NOBS >= 2147483648.0) { /* indices are uint32 */
        pf_status_set(st, PF_EINVAL, "pf_ops: grid of %zu x %zu points is too large (indices are 32-bit)", o->nx,
                      o->nq2);
        free(o);
        return NULL;
    }
    o->logx = malloc(o->nx * sizeof *o->logx);
    o->xpow = malloc(o->nx * sizeof *o->xpow);
    o->logq2 = malloc(o->nq2 * sizeof *o->logq2);
    o->q2eval = malloc(o->nq2 * sizeof *o->q2eval);
    o->nodes = calloc(nn ? nn : 1, sizeof *o->nodes);
    o->Cs = calloc(o->nx * 2 * (nn ? nn : 1), sizeof *o->Cs);
    for (int a = 0; a < PF_NOBS; a++) o->K[a] = calloc(o->nq2 * (nn ? nn : 1) * PF_NIN, sizeof *o->K[a]);
    o->Kpdf = calloc(o->nq2 * (nn ? nn : 1) * PF_NOUT * PF_NIN, sizeof *o->Kpdf);
    if (!o->logx || !o->xpow || !o->logq2 || !o->q2eval || !o->nodes || !o->Cs || !o->K[0] || !o->K[1] || !o->Kpdf) {
        pf_ops_destroy(o);
        pf_status_set(st, PF_ENOMEM, "pf_ops: cannot allocate operators for %zu x %zu grid points and %zu nodes",
                      o->nx, o->nq2, nn);
        return NULL;
    }
    for (size_t i = 0; i < o->nx; i++) {
        const double u = pf_interp_axis_node(&o->xaxis, (int)i);
        /* x = 1/(1+e^-u); ln x = -ln(1+e^-u), 1-x = e^-u x */
        const double lx = -log1p(exp(-u));
        o->logx[i] = lx;
        o->xpow[i] = pow(1.0 - exp(lx), -(double)PF_OPS_XPOW);
    }
    for (int g = 0; g < qaxis->nseg; g++)
        for (int m = 0; m < qaxis->n[g]; m++) {
            const int q = qaxis->first[g] + m;
            const double t = pf_interp_axis_node(&o->qaxis, q);
            o->logq2[q] = t;
            double q2 = exp(t);
            if (m == 0 && g > 0) q2 *= 1.0 + PF_OPS_THRESHOLD_NUDGE;
            if (m == qaxis->n[g] - 1 && g < qaxis->nseg - 1) q2 *= 1.0 - PF_OPS_THRESHOLD_NUDGE;
            o->q2eval[q] = q2;
        }
    return o;
}

void pf_ops_set_card(pf_ops *o, const pf_card *card)
{
    const pf_kinematics_card *k = &card->kinematics;
    o->card = *card;
    o->s = pf_kin_s(k->e_electron, k->e_proton);
    o->alpha = k->alpha_em > 0 ? k->alpha_em : PF_KIN_ALPHA_EM;
    o->cuts[PF_CUT_Q2_MIN] = k->q2_min;
    o->cuts[PF_CUT_Q2_MAX] = k->q2_max;
    o->cuts[PF_CUT_X_MIN] = k->x_min;
    o->cuts[PF_CUT_X_MAX] = k->x_max;
    o->cuts[PF_CUT_Y_MIN] = k->y_min;
    o->cuts[PF_CUT_Y_MAX] = k->y_max;
    o->cuts[PF_CUT_W2_MIN] = k->w2_min;
}

int pf_ops_ew_setup(pf_ops *o, pf_status *st)
{
    const pf_card *c = &o->card;
    const int proc = c->kinematics.process;
    if (proc == PF_PROCESS_EM) return PF_OK;
    if (pf_dis_ew_init(&o->ewp, &c->electroweak, proc, c->kinematics.lepton_charge, c->kinematics.polarisation, st))
        return st ? st->code : PF_EINVAL;
    if (proc == PF_PROCESS_CC && !(1.0 + o->ewp.charge * o->ewp.pol > 0.0))
        return pf_status_set(st, PF_EINVAL,
                             "pf_ops: %s: kinematics.lepton.polarisation %g with charge %+d: the W couples to "
                             "left-handed electrons and right-handed positrons only, so the charged-current cross "
                             "section (1 + s P) ... is zero: expected s P > -1",
                             c->path[0] ? c->path : "the card", o->ewp.pol, o->ewp.charge);
    o->ew = proc == PF_PROCESS_NC ? PF_OPS_EW_NC : PF_OPS_EW_CC;
    const size_t len = o->nq2 * (o->nn ? o->nn : 1) * PF_NIN;
    int ok = 1;
    for (int a = 0; a < 3; a++) {
        for (int p = PF_EW_GAMMA_Z; p < PF_EW_NPIECE && o->ew == PF_OPS_EW_NC; p++)
            ok &= (o->Kp[a][p] = calloc(len, sizeof(double complex))) != NULL;
        ok &= (o->Kc[a] = calloc(len, sizeof(double complex))) != NULL;
    }
    if (o->ew == PF_OPS_EW_CC) {
        ok &= (o->K3 = calloc(len, sizeof(double complex))) != NULL;
        ok &= (o->f23 = calloc(o->nx * o->nq2, sizeof *o->f23)) != NULL;
    }
    ok &= (o->fl3 = calloc(o->nx * o->nq2, sizeof *o->fl3)) != NULL;
    if (!ok) return pf_status_set(st, PF_ENOMEM, "pf_ops: cannot allocate the electroweak operators");
    return PF_OK;
}

const pf_kin_born *pf_ops_born(const pf_ops *o) { return &o->born; }

void pf_ops_ew_combine(pf_ops *o)
{
    if (!o->ew) return;
    const size_t len = o->nq2 * o->nn * PF_NIN;
    if (o->ew == PF_OPS_EW_CC) {
        /* the structure functions as they are: the W's factor is the Born factor's (born) */
        memcpy(o->Kc[0], o->K[PF_OBS_F2], len * sizeof(double complex));
        memcpy(o->Kc[1], o->K[PF_OBS_FL], len * sizeof(double complex));
        memcpy(o->Kc[2], o->K3, len * sizeof(double complex));
        o->born.w = 1;
        o->born.wnorm = (1.0 + o->ewp.charge * o->ewp.pol) * PF_EW_GF * PF_EW_GF / (4.0 * PF_KIN_PI) * PF_KIN_HBARC2_PB;
        o->born.mw2 = o->ewp.mw * o->ewp.mw;
    } else {
        double c2[PF_EW_NPIECE], c3[PF_EW_NPIECE];
        pf_dis_ew_nc_coefficients(&o->ewp, c2, c3);
        for (size_t k = 0; k < len; k++) {
            for (int a = 0; a < 2; a++)
                o->Kc[a][k] = c2[PF_EW_GAMMA] * o->K[a][k] + c2[PF_EW_GAMMA_Z] * o->Kp[a][PF_EW_GAMMA_Z][k] +
                              c2[PF_EW_Z] * o->Kp[a][PF_EW_Z][k];
            o->Kc[2][k] = c3[PF_EW_GAMMA_Z] * o->Kp[2][PF_EW_GAMMA_Z][k] + c3[PF_EW_Z] * o->Kp[2][PF_EW_Z][k];
        }
    }
    for (size_t q = 0; q < o->nq2; q++)
        for (size_t i = 0; i < o->nx; i++) {
            const double y = o->q2eval[q] / (exp(o->logx[i]) * o->s);
            /* sigma_r's xF~3 term -s Y-/Y+ xF~3 (s the lepton charge) as -(y^2/Y+) times
             * s (2/y - 1) xF~3: into the FL slot, whose coefficient is smooth in ln Q2 and
             * ln x; as -s Y-/Y+ in the F2 slot the interpolation error near y = 1 was 2e-3
             * on a 16-node Q2 axis (Y-/Y+ peaks at y = 1), this way 9e-5, as photon exchange
             * (docs/physics-ew.md "On the grid"); the same for CC's xW3 */
            if (o->ew == PF_OPS_EW_CC) {
                /* -s Y-/Y+ xW3 = s y xW3 ... as -s y in the F2 slot and s (1 - y) in the FL
                 * slot (ops_internal.h): no cancellation between the slots for e+ at y -> 1 */
                o->f23[q * o->nx + i] = -(double)o->ewp.charge * y;
                o->fl3[q * o->nx + i] = (double)o->ewp.charge * (1.0 - y);
            } else
                o->fl3[q * o->nx + i] = (double)o->ewp.charge * (2.0 / y - 1.0);
        }
}

void pf_ops_destroy(pf_ops *o)
{
    if (!o) return;
    free(o->command_line);
    free(o->logx);
    free(o->xpow);
    free(o->logq2);
    free(o->q2eval);
    free(o->nodes);
    free(o->Cs);
    for (int a = 0; a < PF_NOBS; a++) free(o->K[a]);
    for (int a = 0; a < 3; a++) {
        for (int p = 0; p < PF_EW_NPIECE; p++) free(o->Kp[a][p]);
        free(o->Kc[a]);
    }
    free(o->fl3);
    free(o->K3);
    free(o->f23);
    free(o->Kpdf);
    free(o);
}

void pf_ops_set_gemm(pf_ops *o, pf_ops_gemm_fn fn, void *ctx)
{
    o->gemm = fn;
    o->gemm_ctx = fn ? ctx : NULL;
}

void pf_ops_set_command_line(pf_ops *o, const char *cmd)
{
    free(o->command_line);
    o->command_line = cmd ? strdup(cmd) : NULL;
}

const pf_card *pf_ops_card(const pf_ops *o) { return &o->card; }
size_t pf_ops_ngrid(const pf_ops *o) { return PF_NOBS * o->nx * o->nq2; }
size_t pf_ops_nx(const pf_ops *o) { return o->nx; }
size_t pf_ops_nq2(const pf_ops *o) { return o->nq2; }
size_t pf_ops_nnodes(const pf_ops *o) { return o->nn; }
uint64_t pf_ops_checksum(const pf_ops *o) { return o->checksum; }
const pf_interp_axis *pf_ops_xaxis(const pf_ops *o) { return &o->xaxis; }
const pf_interp_axis *pf_ops_qaxis(const pf_ops *o) { return &o->qaxis; }
const double complex *pf_ops_nodes(const pf_ops *o) { return o->nodes; }
int pf_ops_stencil_weights(const pf_ops *o, double x, double q2, int *r0, int *c0, double wr[4], double wc[4])
{
    return pf_ops_stencil(o, x, q2, r0, c0, wr, wc);
}

int pf_ops_stencil_local(const pf_ops *o, double x, double q2, int *r0, int *c0, double *ur, double *uc, double *xf)
{
    if (!(x > 0.0 && x < 1.0 && q2 > 0.0)) return -1;
    double t, u;
    pf_ops_coords(x, q2, &t, &u, xf);
    /* pf_ops_stencil_at's steps, stopping before the weights */
    if (pf_interp_axis_locate_u(&o->qaxis, t, r0, ur)) return -1;
    if (pf_interp_axis_locate_u(&o->xaxis, u, c0, uc)) return -1;
    return 0;
}

const double *pf_ops_xpow(const pf_ops *o) { return o->xpow; }

void pf_ops_bounds(const pf_ops *o, double *x_lo, double *x_hi, double *q2_lo, double *q2_hi)
{
    if (x_lo) *x_lo = 1.0 / (1.0 + exp(-o->xaxis.edge[0]));
    if (x_hi) *x_hi = 1.0 / (1.0 + exp(-o->xaxis.edge[o->xaxis.nseg]));
    if (q2_lo) *q2_lo = exp(o->qaxis.edge[0]);
    if (q2_hi) *q2_hi = exp(o->qaxis.edge[o->qaxis.nseg]);
}

void pf_ops_kinematics(const pf_ops *o, double cuts[7], double *s, double *alpha)
{
    if (cuts) memcpy(cuts, o->cuts, sizeof o->cuts);
    if (s) *s = o->s;
    if (alpha) *alpha = o->alpha;
}
