/* partonflow core: the generation region (partonflow/generation.h has the derivation).
 * Only the card and the header-only detector kernel: ops (the theory grid), sim and fit
 * all use it. */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "partonflow/generation.h"
#include "partonflow/kernels/detector.h"

typedef struct reach {
    int method;                     /* PF_DET_ELECTRON or PF_DET_JB (charged current) */
    double ee, ep, s;
    double stoch, cnst, sth;        /* resolutions */
    double cuts[PF_NCUTS];
    int nz;                         /* z2 points, ordered by |z2| (early exit) */
    double z2[PF_GEN_NZ], half[PF_GEN_NZ];
} reach;

static void cuts_of(const pf_kinematics_card *k, double *c)
{
    c[PF_CUT_Q2_MIN] = k->q2_min;
    c[PF_CUT_Q2_MAX] = k->q2_max;
    c[PF_CUT_X_MIN] = k->x_min;
    c[PF_CUT_X_MAX] = k->x_max;
    c[PF_CUT_Y_MIN] = k->y_min;
    c[PF_CUT_Y_MAX] = k->y_max;
    c[PF_CUT_W2_MIN] = k->w2_min;
}

static void reach_init(reach *g, const pf_card *card, double r)
{
    const pf_kinematics_card *k = &card->kinematics;
    const pf_detector_card *d = &card->detector;
    g->ee = k->e_electron;
    g->ep = k->e_proton;
    g->s = pf_kin_s(k->e_electron, k->e_proton);
    g->stoch = d->e_stochastic;
    g->cnst = d->e_constant;
    g->sth = d->theta_resolution;
    g->method = PF_DET_ELECTRON;
    if (k->process == PF_PROCESS_CC) { /* Jacquet-Blondel from the hadronic final state */
        g->method = PF_DET_JB;
        g->stoch = d->h_stochastic;
        g->cnst = d->h_constant;
        g->sth = d->h_theta_resolution;
    }
    cuts_of(k, g->cuts);
    if (!(g->sth > 0)) {
        g->nz = 1;
        g->z2[0] = 0;
        g->half[0] = r;
        return;
    }
    /* z2 = 0, +-dz, +-2dz, ..., +-r */
    const int m = (PF_GEN_NZ - 1) / 2;
    g->nz = 0;
    for (int j = 0; j <= m; j++)
        for (int sgn = (j ? -1 : 1); sgn <= 1; sgn += 2) {
            const double z = sgn * r * j / m;
            g->z2[g->nz] = z;
            g->half[g->nz] = sqrt(fmax(0.0, r * r - z * z));
            g->nz++;
        }
}

/* The reconstructed E' for which (E', cos theta = c) passes every cut: [lo, hi]; 0 if empty.
 * Q^2 = 2 Ee E'(1 + c), y = 1 - E'(1 - c)/(2 Ee), x >= x0 <=> Q^2 >= x0 s y,
 * W^2 - M^2 = s y - Q^2: each cut is one linear inequality in E'. */
static int reco_interval(const reach *g, double c, double *lo, double *hi)
{
    const double *k = g->cuts, ee = g->ee, s = g->s, kk = 1.0 / (2.0 * ee);
    const double opc = 1.0 + c, omc = 1.0 - c;
    if (!(opc > 0)) return 0;
    double l = k[PF_CUT_Q2_MIN] / (2.0 * ee * opc), h = k[PF_CUT_Q2_MAX] / (2.0 * ee * opc);
    if (omc > 0) {
        l = fmax(l, (1.0 - k[PF_CUT_Y_MAX]) / (kk * omc));
        h = fmin(h, (1.0 - k[PF_CUT_Y_MIN]) / (kk * omc));
    } else if (k[PF_CUT_Y_MAX] < 1.0)
        return 0; /* c = 1: y = 1 */
    l = fmax(l, k[PF_CUT_X_MIN] * s / (2.0 * ee * opc + k[PF_CUT_X_MIN] * s * kk * omc));
    h = fmin(h, k[PF_CUT_X_MAX] * s / (2.0 * ee * opc + k[PF_CUT_X_MAX] * s * kk * omc));
    const double a = k[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    if (a > 0) h = fmin(h, (s - a) / (s * kk * omc + 2.0 * ee * opc));
    *lo = l;
    *hi = h;
    return l <= h && h > 0;
}

/* Jacquet-Blondel: the reconstructed hadron energy for which (E_h, cos gamma = c) passes
 * every cut (kernels/detector.h pf_det_jb_level: each cut is an interval of E_h at fixed c). */
static int reco_interval_jb(const reach *g, double c, double *lo, double *hi)
{
    const double *k = g->cuts, ee = g->ee, s = g->s;
    if (!(c < 1.0 && c > -1.0)) return 0;
    const double a = k[PF_CUT_W2_MIN] - PF_KIN_MPROTON * PF_KIN_MPROTON;
    double l = fmax(pf_det_jb_level(PF_JB_Q2, k[PF_CUT_Q2_MIN], ee, s, c), pf_det_jb_level(PF_JB_Y, k[PF_CUT_Y_MIN], ee, s, c));
    l = fmax(l, pf_det_jb_level(PF_JB_X, k[PF_CUT_X_MIN], ee, s, c));
    l = fmax(l, pf_det_jb_level(PF_JB_W2_LO, a, ee, s, c));
    double h = fmin(pf_det_jb_level(PF_JB_Q2, k[PF_CUT_Q2_MAX], ee, s, c), pf_det_jb_level(PF_JB_Y, k[PF_CUT_Y_MAX], ee, s, c));
    h = fmin(h, pf_det_jb_level(PF_JB_X, k[PF_CUT_X_MAX], ee, s, c));
    h = fmin(h, pf_det_jb_level(PF_JB_W2_HI, a, ee, s, c));
    *lo = l;
    *hi = h;
    return l <= h && h > 0;
}

static int reaches(const reach *g, double x, double q2)
{
    if (pf_kin_in_cuts(g->cuts, x, q2, g->s)) return 1;
    double e, th;
    if (g->method == PF_DET_JB) pf_det_hadron(g->ee, g->ep, x, q2, &e, &th);
    else pf_det_electron(g->ee, g->ep, x, q2, &e, &th);
    const double se = sqrt(g->stoch * g->stoch * e + g->cnst * g->cnst * e * e);
    for (int j = 0; j < g->nz; j++) {
        double lo, hi;
        const double c = cos(th + g->sth * g->z2[j]);
        if (!(g->method == PF_DET_JB ? reco_interval_jb(g, c, &lo, &hi) : reco_interval(g, c, &lo, &hi))) continue;
        const double w = se * g->half[j];
        if (e - w <= hi && e + w >= lo) return 1;
    }
    return 0;
}

int pf_gen_reaches_cuts(const pf_card *card, double nsigma, double x, double q2)
{
    reach g;
    reach_init(&g, card, nsigma);
    return reaches(&g, x, q2);
}

static double logit(double x) { return log(x / (1.0 - x)); }
static double expit(double u) { return 1.0 / (1.0 + exp(-u)); }

/* One scan of the box [u0, u1] x [v0, v1]: loosest values over the marked points and their
 * neighbours into lo[] (reach[] layout); *touch: a marked point on an edge that may be
 * widened (u0, v1). */
static void scan(const reach *g, double u0, double u1, double v0, double v1, double *rr, int *any, int *touch_u0,
                 int *touch_v1)
{
    const int nu = (int)ceil((u1 - u0) / PF_GEN_DU) + 1, nv = (int)ceil((v1 - v0) / PF_GEN_DV) + 1;
    const double mp2 = PF_KIN_MPROTON * PF_KIN_MPROTON;
    *any = *touch_u0 = *touch_v1 = 0;
    for (int i = 0; i < nu; i++) {
        const double u = u0 + i * PF_GEN_DU, x = expit(u);
        for (int j = 0; j < nv; j++) {
            const double v = v0 + j * PF_GEN_DV, q2 = exp(v);
            if (q2 > x * g->s) break; /* y > 1: unphysical, and so is every larger Q^2 */
            if (!reaches(g, x, q2)) continue;
            if (!*any) {
                rr[PF_CUT_Q2_MIN] = rr[PF_CUT_X_MIN] = rr[PF_CUT_Y_MIN] = rr[PF_CUT_W2_MIN] = INFINITY;
                rr[PF_CUT_Q2_MAX] = rr[PF_CUT_X_MAX] = rr[PF_CUT_Y_MAX] = -INFINITY;
            }
            *any = 1;
            if (i == 0) *touch_u0 = 1;
            if (j == nv - 1) *touch_v1 = 1;
            /* the pad: the 3 x 3 neighbourhood on the scan grid */
            for (int a = -1; a <= 1; a++)
                for (int b = -1; b <= 1; b++) {
                    const double xx = expit(u + a * PF_GEN_DU), qq = exp(v + b * PF_GEN_DV);
                    const double yy = qq / (xx * g->s), ww = mp2 + qq * (1.0 - xx) / xx;
                    rr[PF_CUT_Q2_MIN] = fmin(rr[PF_CUT_Q2_MIN], qq);
                    rr[PF_CUT_Q2_MAX] = fmax(rr[PF_CUT_Q2_MAX], qq);
                    rr[PF_CUT_X_MIN] = fmin(rr[PF_CUT_X_MIN], xx);
                    rr[PF_CUT_X_MAX] = fmax(rr[PF_CUT_X_MAX], xx);
                    rr[PF_CUT_Y_MIN] = fmin(rr[PF_CUT_Y_MIN], yy);
                    rr[PF_CUT_Y_MAX] = fmax(rr[PF_CUT_Y_MAX], yy);
                    rr[PF_CUT_W2_MIN] = fmin(rr[PF_CUT_W2_MIN], ww);
                }
        }
    }
}

static int is_lower(int k) { return k == PF_CUT_Q2_MIN || k == PF_CUT_X_MIN || k == PF_CUT_Y_MIN || k == PF_CUT_W2_MIN; }

/* What the region depends on: the key of a one-entry memo, since theory, simulate and
 * prepare each derive it more than once from the same card and the smeared scan costs
 * ~0.3 s (a pseudo-experiment of the closure campaigns is ~3 s). */
typedef struct gen_key {
    int present, perfect, sim_present, process;
    unsigned generation_given;
    double e_electron, e_proton, cuts[PF_NCUTS], mu0, stoch, cnst, sth, generation[PF_NCUTS];
} gen_key;

static void key_of(const pf_card *card, gen_key *key)
{
    memset(key, 0, sizeof *key); /* padding too: keys are compared with memcmp */
    const pf_kinematics_card *k = &card->kinematics;
    key->present = k->present;
    key->perfect = card->detector.perfect;
    key->e_electron = k->e_electron;
    key->e_proton = k->e_proton;
    cuts_of(k, key->cuts);
    key->mu0 = card->theory.mu0;
    key->stoch = card->detector.e_stochastic;
    key->cnst = card->detector.e_constant;
    key->sth = card->detector.theta_resolution;
    key->process = k->process;
    if (k->process == PF_PROCESS_CC) {
        key->stoch = card->detector.h_stochastic;
        key->cnst = card->detector.h_constant;
        key->sth = card->detector.h_theta_resolution;
    }
    key->sim_present = card->simulation.present;
    if (card->simulation.present) {
        key->generation_given = card->simulation.generation_given;
        memcpy(key->generation, card->simulation.generation, sizeof key->generation);
    }
}

static int region_info(const pf_card *card, pf_gen_info *info, pf_status *st);

int pf_gen_region_info(const pf_card *card, pf_gen_info *info, pf_status *st)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static int have;
    static gen_key last;
    static pf_gen_info last_info;
    gen_key key;
    key_of(card, &key);
    pthread_mutex_lock(&lock);
    const int hit = have && !memcmp(&key, &last, sizeof key);
    if (hit) *info = last_info;
    pthread_mutex_unlock(&lock);
    if (hit) return PF_OK;
    const int rc = region_info(card, info, st); /* errors are not kept: they name the card */
    if (!rc) {
        pthread_mutex_lock(&lock);
        last = key;
        last_info = *info;
        have = 1;
        pthread_mutex_unlock(&lock);
    }
    return rc;
}

static int region_info(const pf_card *card, pf_gen_info *info, pf_status *st)
{
    memset(info, 0, sizeof *info);
    const pf_kinematics_card *k = &card->kinematics;
    if (!k->present)
        return pf_status_set(st, PF_EINVAL,
                             "card %s: section 'kinematics' (beams and cuts) is required for the generation region",
                             card->path);
    double cuts[PF_NCUTS];
    cuts_of(k, cuts);
    const pf_detector_card *d = &card->detector;
    info->nsigma = sqrt(-2.0 * log(PF_GEN_PROB));
    const int jb = k->process == PF_PROCESS_CC; /* Jacquet-Blondel: the hadronic resolutions */
    const double rs = jb ? d->h_stochastic : d->e_stochastic, rc = jb ? d->h_constant : d->e_constant,
                 rt = jb ? d->h_theta_resolution : d->theta_resolution;
    info->smeared = !d->perfect && (rs > 0 || rc > 0 || rt > 0);
    memcpy(info->derived, cuts, sizeof cuts);
    memcpy(info->reach, cuts, sizeof cuts);
    if (info->smeared) {
        if (!(rs >= 0 && rc >= 0 && rt >= 0))
            return pf_status_set(st, PF_EINVAL, "card %s: key 'detector': resolutions must be >= 0", card->path);
        reach g;
        reach_init(&g, card, info->nsigma);
        const double mu02 = card->theory.mu0 * card->theory.mu0;
        const double qfloor = fmin(mu02 > 0 ? mu02 : cuts[PF_CUT_Q2_MIN], cuts[PF_CUT_Q2_MIN]);
        /* the box: x from below the cuts to just above the x clip; Q^2 from just below the
         * floor (what lies below is only flagged) to above q2_max, at most s (y <= 1) */
        double u0 = logit(cuts[PF_CUT_X_MIN]) - 1.0, u1 = logit(PF_GEN_X_CLIP) + 4 * PF_GEN_DU;
        const double v0 = log(qfloor) - 2 * PF_GEN_DV, vmax = log(g.s);
        double v1 = fmin(log(cuts[PF_CUT_Q2_MAX]) + 1.0, vmax);
        double rr[PF_NCUTS];
        int any = 0, tu, tv;
        for (int it = 0; it < 12; it++) {
            scan(&g, u0, u1, v0, v1, rr, &any, &tu, &tv);
            const int grow_u = tu && u0 > logit(1e-12), grow_v = tv && v1 < vmax;
            if (!grow_u && !grow_v) break;
            if (grow_u) u0 -= 2.0;
            if (grow_v) v1 = fmin(v1 + 1.0, vmax);
        }
        if (!any)
            return pf_status_set(st, PF_EINVAL, "card %s: key 'kinematics.cuts': no true point can be reconstructed "
                                 "inside the cuts", card->path);
        memcpy(info->reach, rr, sizeof rr);
        double *dv = info->derived;
        for (int c = 0; c < PF_NCUTS; c++) dv[c] = is_lower(c) ? fmin(cuts[c], rr[c]) : fmax(cuts[c], rr[c]);
        dv[PF_CUT_Q2_MIN] = fmax(dv[PF_CUT_Q2_MIN], qfloor);
        dv[PF_CUT_X_MAX] = fmax(cuts[PF_CUT_X_MAX], fmin(dv[PF_CUT_X_MAX], PF_GEN_X_CLIP));
        dv[PF_CUT_Y_MAX] = fmax(cuts[PF_CUT_Y_MAX], fmin(dv[PF_CUT_Y_MAX], PF_GEN_Y_CLIP));
        dv[PF_CUT_Y_MIN] = fmax(dv[PF_CUT_Y_MIN], 0.0);
        dv[PF_CUT_W2_MIN] = fmax(dv[PF_CUT_W2_MIN], 0.0);
    }
    const pf_simulation_card *sc = &card->simulation;
    for (int c = 0; c < PF_NCUTS; c++) {
        const int given = sc->present && (sc->generation_given & (1u << c));
        info->gen[c] = given ? sc->generation[c] : info->derived[c];
        if (given) info->given |= 1u << c;
        const double v = info->gen[c];
        if (!isfinite(v) || (is_lower(c) ? v > cuts[c] : v < cuts[c])) {
            static const char *const name[] = {"q2_min", "q2_max", "x_min", "x_max", "y_min", "y_max", "w2_min"};
            return pf_status_set(st, PF_EINVAL,
                                 "card %s: key 'simulation.generation.%s': expected a finite value %s the cut %g, "
                                 "got %g", card->path, name[c], is_lower(c) ? "<=" : ">=", cuts[c], v);
        }
        if (info->smeared && (is_lower(c) ? v > info->reach[c] : v < info->reach[c])) info->cut_into |= 1u << c;
    }
    return PF_OK;
}

int pf_gen_region(const pf_card *card, double gen[PF_NCUTS], pf_status *st)
{
    pf_gen_info info;
    const int rc = pf_gen_region_info(card, &info, st);
    if (!rc) memcpy(gen, info.gen, sizeof info.gen);
    return rc;
}
