/* partonflow: the card sections of the later stages — kinematics (cuts), detector,
 * simulation and fit — validated into pf_card (docs/cards.md). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "card_internal.h"

/* ---------------------------------------------------------------- kinematics ------- */

int pf_card_parse_kinematics(ctx *c, yaml_node_t *map, pf_kinematics_card *k)
{
    static const char *const keys[] = {"beams", "cuts", "alpha_em", "lepton", "process"};
    field f[5];
    TRY(pf_cw_get_map(c, map, "kinematics", keys, 5, f));
    k->present = 1;
    if (!f[0].val)
        return pf_cw_missing(c, map, "kinematics", "beams", "{electron: E_GEV, proton: E_GEV}");
    static const char *const bk[] = {"electron", "proton"};
    field b[2];
    double *bv[2] = {&k->e_electron, &k->e_proton};
    TRY(pf_cw_get_map(c, f[0].val, "kinematics.beams", bk, 2, b));
    for (int i = 0; i < 2; i++) {
        char p[PATH_LEN];
        pf_cw_join_path(p, "kinematics.beams", bk[i]);
        if (!b[i].val)
            return pf_cw_missing(c, f[0].val, "kinematics.beams", bk[i], "a beam energy > 0 GeV");
        TRY(pf_cw_get_num_min(c, b[i].val, p, 0.0, 1, "a beam energy > 0 GeV", bv[i]));
    }
    if (!f[1].val)
        return pf_cw_missing(c, map, "kinematics", "cuts", "{q2_min, q2_max, x_min, x_max[, y_min, y_max, w2_min]}");
    static const char *const ck[] = {"q2_min", "q2_max", "x_min", "x_max", "y_min", "y_max", "w2_min"};
    field cf[7];
    double *cv[7] = {&k->q2_min, &k->q2_max, &k->x_min, &k->x_max, &k->y_min, &k->y_max, &k->w2_min};
    TRY(pf_cw_get_map(c, f[1].val, "kinematics.cuts", ck, 7, cf));
    k->y_min = 0.0; /* the optional cuts default to no cut */
    k->y_max = 1.0;
    k->w2_min = 0.0;
    for (int i = 0; i < 7; i++) {
        char p[PATH_LEN];
        pf_cw_join_path(p, "kinematics.cuts", ck[i]);
        if (!cf[i].val) {
            if (i < 4)
                return pf_cw_missing(c, f[1].val, "kinematics.cuts", ck[i], i < 2 ? "a Q^2 in GeV^2" : "an x in (0, 1]");
            continue;
        }
        TRY(pf_cw_get_num(c, cf[i].val, p, cv[i]));
        int ok = 1;
        const char *what = "";
        switch (i) {
        case 0: ok = *cv[i] > 0; what = "Q^2 > 0 GeV^2"; break;
        case 2: case 3: ok = *cv[i] >= PF_CARD_X_MIN && *cv[i] <= 1; what = "x in [1e-12, 1]"; break;
        case 4: case 5: ok = *cv[i] >= 0 && *cv[i] <= 1; what = "y in [0, 1]"; break;
        case 6: ok = *cv[i] >= 0; what = "W^2 >= 0 GeV^2"; break;
        default: break;
        }
        if (!ok)
            return pf_cw_fail(c, cf[i].val, "key '%s': expected %s, got %s", p, what, pf_cw_scalar(cf[i].val));
    }
    for (int i = 0; i < 6; i += 2) /* min < max for q2, x, y */
        if (!(*cv[i] < *cv[i + 1])) {
            yaml_node_t *n = cf[i + 1].val ? cf[i + 1].val : cf[i].val;
            return pf_cw_fail(c, n, "key 'kinematics.cuts.%s': cuts inverted, expected %s > %s = %g, got %g", ck[i + 1],
                        ck[i + 1], ck[i], *cv[i], *cv[i + 1]);
        }
    k->alpha_em = PF_CARD_DEFAULT_ALPHA_EM;
    if (f[2].val)
        TRY(pf_cw_get_num_min(c, f[2].val, "kinematics.alpha_em", 0.0, 1, "alpha_em > 0", &k->alpha_em));
    /* the electroweak process (docs/physics-ew.md): a lepton block without a process means
     * neutral current; neither leaves the photon-exchange card of before */
    k->lepton_charge = -1;
    k->polarisation = 0.0;
    k->process = PF_PROCESS_EM;
    if (f[3].val) {
        static const char *const lk[] = {"charge", "polarisation"};
        field l[2];
        TRY(pf_cw_get_map(c, f[3].val, "kinematics.lepton", lk, 2, l));
        if (l[0].val) {
            double q = 0.0;
            char g[96];
            if (pf_cw_get_num(c, l[0].val, "kinematics.lepton.charge", &q) != PF_OK || (q != -1.0 && q != 1.0))
                return pf_cw_fail(c, l[0].val, "key 'kinematics.lepton.charge': expected -1 (electron) or +1 "
                                               "(positron), got %s", pf_cw_got(l[0].val, g, sizeof g));
            k->lepton_charge = q > 0 ? 1 : -1;
        }
        if (l[1].val)
            TRY(pf_cw_get_num_range(c, l[1].val, "kinematics.lepton.polarisation", -1.0, 1.0,
                                    "a longitudinal polarisation P in [-1, 1]", &k->polarisation));
        k->process = PF_PROCESS_NC;
    }
    if (f[4].val) {
        static const char *const procs[] = {"nc", "cc"};
        int p = 0;
        TRY(pf_cw_get_enum(c, f[4].val, "kinematics.process", procs, 2,
                           "nc (neutral current: gamma, gamma-Z, Z) or cc (charged current: W)", &p));
        k->process = p == 0 ? PF_PROCESS_NC : PF_PROCESS_CC;
    }
    return PF_OK;
}

/* ---------------------------------------------------------------- electroweak ------ */

int pf_card_parse_electroweak(ctx *c, yaml_node_t *map, pf_electroweak_card *ew)
{
    static const char *const keys[] = {"mz", "mw", "sin2_theta_w", "ckm"};
    enum { MZ, MW, SIN2, CKM };
    field f[4];
    TRY(pf_cw_get_map(c, map, "electroweak", keys, 4, f));
    if (f[MZ].val)
        TRY(pf_cw_get_num_range(c, f[MZ].val, "electroweak.mz", 1.0, 1.0e4, "a Z mass in [1, 1e4] GeV", &ew->mz));
    if (f[MW].val)
        TRY(pf_cw_get_num_range(c, f[MW].val, "electroweak.mw", 1.0, 1.0e4, "a W mass in [1, 1e4] GeV", &ew->mw));
    if (f[SIN2].val) {
        TRY(pf_cw_get_num(c, f[SIN2].val, "electroweak.sin2_theta_w", &ew->sin2w));
        if (!(ew->sin2w > 0.0 && ew->sin2w < 1.0))
            return pf_cw_fail(c, f[SIN2].val, "key 'electroweak.sin2_theta_w': expected a value in (0, 1), got %s",
                              pf_cw_scalar(f[SIN2].val));
        ew->sin2w_given = 1;
    } else {
        if (!(ew->mw < ew->mz))
            return pf_cw_fail(c, f[MW].val ? f[MW].val : f[MZ].val,
                              "key 'electroweak.mw': expected mw < mz (the on-shell sin^2 theta_W = 1 - mw^2/mz^2 "
                              "must be > 0; or give electroweak.sin2_theta_w), got mw = %g, mz = %g GeV",
                              ew->mw, ew->mz);
        ew->sin2w = 1.0 - ew->mw * ew->mw / (ew->mz * ew->mz);
    }
    if (f[CKM].val) {
        yaml_node_t *m = f[CKM].val;
        char g[96];
        const int nrow = m->type == YAML_SEQUENCE_NODE ? (int)(m->data.sequence.items.top - m->data.sequence.items.start) : -1;
        if (nrow != 3)
            return pf_cw_fail(c, m, "key 'electroweak.ckm': expected 3 rows [[Vud, Vus, Vub], [Vcd, Vcs, Vcb], "
                                    "[Vtd, Vts, Vtb]] of |V_ij|, got %s",
                              nrow < 0 ? pf_cw_got(m, g, sizeof g) : nrow == 1 ? "1 row" : "another number of rows");
        for (int i = 0; i < 3; i++) {
            yaml_node_t *row = yaml_document_get_node(c->doc, m->data.sequence.items.start[i]);
            char p[PATH_LEN];
            snprintf(p, sizeof p, "electroweak.ckm[%d]", i);
            int n = 0;
            TRY(pf_cw_get_num_list(c, row, p, 3, 3, ew->ckm[i], &n));
            for (int j = 0; j < 3; j++)
                if (!(ew->ckm[i][j] >= 0.0 && ew->ckm[i][j] <= 1.0))
                    return pf_cw_fail(c, row, "key '%s[%d]': expected a CKM modulus |V_ij| in [0, 1], got %g", p, j,
                                      ew->ckm[i][j]);
        }
        ew->ckm_given = 1;
    }
    return PF_OK;
}

/* ---------------------------------------------------------------- detector --------- */

static int parse_energy_resolution(ctx *c, yaml_node_t *n, const char *key, double *stoch, double *cnst)
{
    static const char *const ek[] = {"stochastic", "constant"};
    field e[2];
    double *ev[2] = {stoch, cnst};
    TRY(pf_cw_get_map(c, n, key, ek, 2, e));
    for (int i = 0; i < 2; i++)
        if (e[i].val) {
            char p[PATH_LEN];
            pf_cw_join_path(p, key, ek[i]);
            TRY(pf_cw_get_num_min(c, e[i].val, p, 0.0, 0, "a resolution >= 0", ev[i]));
        }
    return PF_OK;
}

int pf_card_parse_detector(ctx *c, yaml_node_t *n, pf_detector_card *d)
{
    d->present = 1;
    if (n->type == YAML_SCALAR_NODE) {
        if (strcmp(pf_cw_scalar(n), "perfect"))
            return pf_cw_fail(c, n, "key 'detector': expected perfect or a mapping {energy_resolution, "
                              "angle_resolution, efficiency, hadronic}, got '%.60s'", pf_cw_scalar(n));
        d->perfect = 1;
        d->e_stochastic = d->e_constant = d->theta_resolution = 0.0;
        d->h_stochastic = d->h_constant = d->h_theta_resolution = 0.0;
        d->efficiency = 1.0;
        return PF_OK;
    }
    static const char *const keys[] = {"energy_resolution", "angle_resolution", "efficiency", "hadronic"};
    field f[4];
    TRY(pf_cw_get_map(c, n, "detector", keys, 4, f));
    if (f[0].val) TRY(parse_energy_resolution(c, f[0].val, "detector.energy_resolution", &d->e_stochastic, &d->e_constant));
    if (f[1].val)
        TRY(pf_cw_get_num_min(c, f[1].val, "detector.angle_resolution", 0.0, 0, "a resolution >= 0 rad",
                        &d->theta_resolution));
    if (f[3].val) {
        static const char *const hk[] = {"energy_resolution", "angle_resolution"};
        field h[2];
        TRY(pf_cw_get_map(c, f[3].val, "detector.hadronic", hk, 2, h));
        if (h[0].val)
            TRY(parse_energy_resolution(c, h[0].val, "detector.hadronic.energy_resolution", &d->h_stochastic,
                                        &d->h_constant));
        if (h[1].val)
            TRY(pf_cw_get_num_min(c, h[1].val, "detector.hadronic.angle_resolution", 0.0, 0, "a resolution >= 0 rad",
                                  &d->h_theta_resolution));
        d->hadronic_given = 1;
    }
    if (f[2].val && f[2].val->type == YAML_MAPPING_NODE) {
        static const char *const tk[] = {"y", "value"};
        field t[2];
        int ny = 0, nv = 0;
        TRY(pf_cw_get_map(c, f[2].val, "detector.efficiency", tk, 2, t));
        if (!t[0].val || !t[1].val)
            return pf_cw_missing(c, f[2].val, "detector.efficiency", t[0].val ? "value" : "y",
                           "a list of 2 to 64 numbers (efficiency table in y)");
        TRY(pf_cw_get_num_list(c, t[0].val, "detector.efficiency.y", 2, PF_EFF_TABLE_MAX, d->eff_y, &ny));
        TRY(pf_cw_get_num_list(c, t[1].val, "detector.efficiency.value", 2, PF_EFF_TABLE_MAX, d->eff_value, &nv));
        if (nv != ny)
            return pf_cw_fail(c, t[1].val, "key 'detector.efficiency.value': expected %d values (one per y), got %d",
                        ny, nv);
        for (int i = 0; i < ny; i++) {
            if (!(d->eff_y[i] >= 0 && d->eff_y[i] <= 1) || (i > 0 && !(d->eff_y[i] > d->eff_y[i - 1])))
                return pf_cw_fail(c, t[0].val, "key 'detector.efficiency.y[%d]': expected increasing y in [0, 1], "
                                         "got %g", i, d->eff_y[i]);
            if (!(d->eff_value[i] >= 0 && d->eff_value[i] <= 1))
                return pf_cw_fail(c, t[1].val, "key 'detector.efficiency.value[%d]': expected an efficiency in "
                                         "[0, 1], got %g", i, d->eff_value[i]);
        }
        d->eff_n = ny;
        d->efficiency = 1.0;
    } else if (f[2].val) {
        TRY(pf_cw_get_num(c, f[2].val, "detector.efficiency", &d->efficiency));
        if (!(d->efficiency >= 0 && d->efficiency <= 1))
            return pf_cw_fail(c, f[2].val, "key 'detector.efficiency': expected an efficiency in [0, 1] or "
                                     "{y: [...], value: [...]}, got %s", pf_cw_scalar(f[2].val));
    }
    return PF_OK;
}

/* ---------------------------------------------------------------- simulation ------- */

/* simulation.generation: each key optional (the rest is derived, generation.h); the keys
 * that are given must be finite, physical (x_max < 1, y_max < 1: Q^2 = x y s needs y <= 1
 * and the theory grid x < 1), ordered, and contain the cut region (events are generated in
 * a region at least as wide as the one they are reconstructed in). */
static int parse_generation(ctx *c, yaml_node_t *map, const pf_kinematics_card *k, pf_simulation_card *s)
{
    static const char *const gk[] = {"q2_min", "q2_max", "x_min", "x_max", "y_min", "y_max", "w2_min"};
    field f[7];
    TRY(pf_cw_get_map(c, map, "simulation.generation", gk, 7, f));
    for (int i = 0; i < 7; i++) {
        if (!f[i].val) continue;
        char p[PATH_LEN];
        pf_cw_join_path(p, "simulation.generation", gk[i]);
        double v;
        TRY(pf_cw_get_num(c, f[i].val, p, &v));
        int ok = 1;
        const char *what = "";
        switch (i) {
        case 0: case 1: ok = v > 0; what = "Q^2 > 0 GeV^2"; break;
        case 2: case 3: ok = v > 0 && v < 1; what = "x in (0, 1)"; break;
        case 4: ok = v >= 0 && v < 1; what = "y in [0, 1)"; break;
        case 5: ok = v > 0 && v < 1; what = "y in (0, 1) (y = 1 is the kinematic limit)"; break;
        default: ok = v >= 0; what = "W^2 >= 0 GeV^2"; break;
        }
        if (!ok) return pf_cw_fail(c, f[i].val, "key '%s': expected %s, got %s", p, what, pf_cw_scalar(f[i].val));
        s->generation[i] = v;
        s->generation_given |= 1u << i;
    }
    for (int i = 0; i < 6; i += 2)
        if (f[i].val && f[i + 1].val && !(s->generation[i] < s->generation[i + 1]))
            return pf_cw_fail(c, f[i + 1].val, "key 'simulation.generation.%s': expected %s > %s = %g, got %g",
                              gk[i + 1], gk[i + 1], gk[i], s->generation[i], s->generation[i + 1]);
    if (k->present) {
        const double cut[7] = {k->q2_min, k->q2_max, k->x_min, k->x_max, k->y_min, k->y_max, k->w2_min};
        for (int i = 0; i < 7; i++) {
            if (!f[i].val) continue;
            const int lower = i == 0 || i == 2 || i == 4 || i == 6;
            if (lower ? s->generation[i] > cut[i] : s->generation[i] < cut[i])
                return pf_cw_fail(c, f[i].val,
                                  "key 'simulation.generation.%s': the generation region must contain the cuts, "
                                  "expected %s %g (kinematics.cuts.%s), got %g",
                                  gk[i], lower ? "<=" : ">=", cut[i], gk[i], s->generation[i]);
        }
    }
    return PF_OK;
}

int pf_card_parse_simulation(ctx *c, yaml_node_t *map, const pf_kinematics_card *k, pf_simulation_card *s)
{
    static const char *const keys[] = {"events", "luminosity", "expected_events", "seed", "generation"};
    field f[5];
    TRY(pf_cw_get_map(c, map, "simulation", keys, 5, f));
    s->present = 1;
    const int nmode = (f[0].val != NULL) + (f[1].val != NULL) + (f[2].val != NULL);
    if (nmode > 1) {
        yaml_node_t *second = f[2].val ? f[2].val : f[1].val;
        return pf_cw_fail(c, second, "key 'simulation.%s': give one of simulation.events, simulation.luminosity "
                                     "and simulation.expected_events, not several",
                          f[2].val ? "expected_events" : "luminosity");
    }
    if (f[0].val) {
        TRY(pf_cw_get_uint(c, f[0].val, "simulation.events", UINT64_C(1) << 62, &s->events));
        if (s->events == 0)
            return pf_cw_fail(c, f[0].val, "key 'simulation.events': expected a positive number of events, got 0");
    } else if (f[1].val) {
        TRY(pf_cw_get_num_min(c, f[1].val, "simulation.luminosity", 0.0, 1, "an integrated luminosity > 0 pb^-1",
                        &s->luminosity));
    } else if (f[2].val) {
        TRY(pf_cw_get_uint(c, f[2].val, "simulation.expected_events", UINT64_C(1) << 53, &s->expected_events));
        if (s->expected_events == 0)
            return pf_cw_fail(c, f[2].val,
                              "key 'simulation.expected_events': expected a positive number of events, got 0");
    } else {
        return pf_cw_missing(c, map, "simulation", "events",
                             "events: N, luminosity: L_PB or expected_events: N");
    }
    if (f[3].val)
        TRY(pf_cw_get_uint(c, f[3].val, "simulation.seed", UINT64_MAX, &s->seed));
    if (f[4].val)
        TRY(parse_generation(c, f[4].val, k, s));
    return PF_OK;
}

/* ---------------------------------------------------------------- fit -------------- */

/* Checks "flavour.param" against the resolved pdf card; -1 and a message if invalid. */
static int check_param(ctx *c, yaml_node_t *n, const char *path, const pf_pdf_card *pdf, double *truth)
{
    const char *s = pf_cw_scalar(n);
    const char *dot = strchr(s, '.');
    char fl[16] = "";
    if (dot && (size_t)(dot - s) < sizeof fl)
        memcpy(fl, s, (size_t)(dot - s));
    int j = dot ? pf_flav_in_index(fl) : -1;
    if (j < 0)
        return pf_cw_fail(c, n, "key '%s': expected FLAVOUR.PARAM with FLAVOUR one of uv, dv, ubar, dbar, s, sbar, "
                          "c, cbar, b, bbar, g, got '%.60s'", path, s);
    const pf_flavour_card *f = &pdf->fl[j];
    if (!f->present)
        return pf_cw_fail(c, n, "key '%s': flavour '%s' is not in pdf.flavours, got '%.60s'", path, fl, s);
    if (f->same_as >= 0)
        return pf_cw_fail(c, n, "key '%s': '%s' takes its parameters from '%s' (same_as); expected %s%s, got '%.60s'",
                    path, fl, pf_flav_in_name[f->same_as], pf_flav_in_name[f->same_as], dot, s);
    const char *p = dot + 1;
    if (!strcmp(p, "A")) {
        if (f->norm != PF_NORM_FIXED)
            return pf_cw_fail(c, n, "key '%s': %s.A is fixed by the %s sum rule; expected a, b, p0.. or a numeric A, "
                              "got '%.60s'", path, fl, f->norm == PF_NORM_VALENCE ? "valence" : "momentum", s);
        *truth = f->A;
    } else if (!strcmp(p, "a")) {
        *truth = f->a;
    } else if (!strcmp(p, "b")) {
        *truth = f->b;
    } else if (p[0] == 'p' && p[1] >= '0' && p[1] <= '7' && p[2] == '\0') {
        int k = p[1] - '0';
        if (k >= f->npoly)
            return pf_cw_fail(c, n, "key '%s': %s has %d polynomial coefficient(s), p0..p%d; got '%.60s'", path, fl,
                        f->npoly, f->npoly - 1, s);
        *truth = f->poly[k];
    } else {
        return pf_cw_fail(c, n, "key '%s': expected a parameter A, a, b or p0..p7 after '%s.', got '%.60s'", path, fl, s);
    }
    return PF_OK;
}

int pf_card_parse_fit(ctx *c, yaml_node_t *map, const pf_pdf_card *pdf, pf_fit_card *fc)
{
    static const char *const keys[] = {"free", "start", "bins", "replicas"};
    field f[4];
    char g[96];
    TRY(pf_cw_get_map(c, map, "fit", keys, 4, f));
    fc->present = 1;
    if (!f[0].val)
        return pf_cw_missing(c, map, "fit", "free", "a list of parameters such as [uv.a, g.b, ubar.A]");
    yaml_node_t *fr = f[0].val;
    if (fr->type != YAML_SEQUENCE_NODE || fr->data.sequence.items.top == fr->data.sequence.items.start)
        return pf_cw_fail(c, fr, "key 'fit.free': expected a non-empty list of parameters, got %s",
                    fr->type == YAML_SEQUENCE_NODE ? "an empty list" : pf_cw_got(fr, g, sizeof g));
    double truth[PF_FIT_MAX_FREE];
    for (yaml_node_item_t *it = fr->data.sequence.items.start; it < fr->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        char p[PATH_LEN];
        snprintf(p, sizeof p, "fit.free[%d]", fc->nfree);
        if (fc->nfree >= PF_FIT_MAX_FREE)
            return pf_cw_fail(c, e, "key 'fit.free': expected at most %d parameters", PF_FIT_MAX_FREE);
        if (e->type != YAML_SCALAR_NODE || strlen(pf_cw_scalar(e)) >= PF_PARAM_NAME_LEN)
            return pf_cw_fail(c, e, "key '%s': expected a parameter name FLAVOUR.PARAM, got %s", p, pf_cw_got(e, g, sizeof g));
        TRY(check_param(c, e, p, pdf, &truth[fc->nfree]));
        for (int i = 0; i < fc->nfree; i++)
            if (!strcmp(fc->free[i], pf_cw_scalar(e)))
                return pf_cw_fail(c, e, "key '%s': parameter '%s' is listed twice in fit.free", p, pf_cw_scalar(e));
        strcpy(fc->free[fc->nfree++], pf_cw_scalar(e));
    }
    fc->start = PF_START_TRUTH;
    if (f[1].val && f[1].val->type == YAML_MAPPING_NODE) {
        /* explicit values; parameters not named start at their true (card) value */
        fc->start = PF_START_EXPLICIT;
        for (int i = 0; i < fc->nfree; i++)
            fc->start_value[i] = truth[i];
        yaml_node_t *m = f[1].val;
        int given[PF_FIT_MAX_FREE] = {0};
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
            int i = 0;
            while (k->type == YAML_SCALAR_NODE && i < fc->nfree && strcmp(fc->free[i], pf_cw_scalar(k)))
                i++;
            if (k->type != YAML_SCALAR_NODE || i == fc->nfree)
                return pf_cw_fail(c, k, "key 'fit.start': expected names of free parameters (fit.free), got %s",
                            pf_cw_got(k, g, sizeof g));
            char path[PATH_LEN];
            pf_cw_join_path(path, "fit.start", pf_cw_scalar(k));
            if (given[i])
                return pf_cw_fail(c, k, "duplicate key '%s'", path);
            given[i] = 1;
            TRY(pf_cw_get_num(c, v, path, &fc->start_value[i]));
        }
    } else if (f[1].val) {
        static const char *const starts[] = {"truth", "truth-shifted"};
        TRY(pf_cw_get_enum(c, f[1].val, "fit.start", starts, 2, "truth, truth-shifted or {PARAM: VALUE, ...}",
                     &fc->start));
    }
    fc->bins_x = PF_CARD_DEFAULT_BINS_X;
    fc->bins_q2 = PF_CARD_DEFAULT_BINS_Q2;
    if (f[2].val) {
        static const char *const bk[] = {"x", "q2"};
        field b[2];
        TRY(pf_cw_get_map(c, f[2].val, "fit.bins", bk, 2, b));
        if (b[0].val)
            TRY(pf_cw_get_int_range(c, b[0].val, "fit.bins.x", 1, 10000, &fc->bins_x));
        if (b[1].val)
            TRY(pf_cw_get_int_range(c, b[1].val, "fit.bins.q2", 1, 10000, &fc->bins_q2));
    }
    if (f[3].val)
        TRY(pf_cw_get_int_range(c, f[3].val, "fit.replicas", 0, 100000, &fc->replicas));
    return PF_OK;
}
