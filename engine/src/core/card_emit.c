/* partonflow: the resolved card as YAML text.  Every default is written out, numbers with
 * the shortest decimal form that reads back to the same double, so that
 * pf_card_parse(pf_card_to_yaml(card)) gives the same struct (tests/unit/core). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"
#include "partonflow/card.h"

/* Shortest %.{15,16,17}g that round-trips, written as a YAML 1.1 float (with a '.'), so
 * that PyYAML and h5py users read a float, not a string or an int. */
static const char *num(char *buf, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    char *e = strchr(buf, 'e');
    if (!strchr(buf, '.')) {
        char tail[32] = "";
        if (e) {
            snprintf(tail, sizeof tail, "%s", e);
            *e = '\0';
        }
        strcat(buf, ".0");
        strcat(buf, tail);
    }
    return buf;
}

static void emit_flavour(FILE *f, const char *indent, int j, const pf_flavour_card *fl)
{
    char b1[32], b2[32], b3[32];
    if (fl->same_as >= 0) {
        fprintf(f, "%s%s: {same_as: %s}\n", indent, pf_flav_in_name[j], pf_flav_in_name[fl->same_as]);
        return;
    }
    const char *A = fl->norm == PF_NORM_VALENCE ? "valence" : fl->norm == PF_NORM_MOMENTUM ? "momentum" : num(b1, fl->A);
    fprintf(f, "%s%s: {A: %s, a: %s, b: %s, poly: [", indent, pf_flav_in_name[j], A, num(b2, fl->a), num(b3, fl->b));
    for (int k = 0; k < fl->npoly; k++)
        fprintf(f, "%s%s", k ? ", " : "", num(b1, fl->poly[k]));
    fprintf(f, "]}\n");
}

static void emit_theory(FILE *f, const pf_theory_card *th)
{
    char b1[32], b2[32], b3[32];
    fprintf(f, "theory:\n  order: %s\n  scheme: %s\n", th->order == PF_NNLO  ? "NNLO"
                                                  : th->order == PF_NLO ? "NLO"
                                                                        : "LO",
            th->scheme == PF_VFNS ? "VFNS" : "FFNS");
    if (th->order == PF_NNLO)
        fprintf(f, "  nnlo: %s\n", th->nnlo == PF_NNLO_PARAMETRISED       ? "parametrised"
                                    : th->nnlo == PF_NNLO_PARAM_CONSERVING ? "parametrised-conserving"
                                                                           : "exact");
    if (th->order == PF_NNLO)
        fprintf(f, "  nnlo_coefficients: %s\n", th->nnlo_coef == PF_NNLO_COEF_PARAMETRISED ? "parametrised" : "exact");
    if (th->scheme == PF_FFNS)
        fprintf(f, "  nf: %d\n", th->nf);
    fprintf(f, "  mu0: %s\n", num(b1, th->mu0));
    fprintf(f, "  alphas: {value: %s, mu: %s}\n", num(b1, th->alphas_value), num(b2, th->alphas_mu));
    if (th->mc > 0)
        fprintf(f, "  masses: {charm: %s, bottom: %s, top: %s}\n", num(b1, th->mc), num(b2, th->mb), num(b3, th->mt));
    fprintf(f, "  xi_r: %s\n", num(b1, th->xi_r));
    fprintf(f, "  evolution: %s\n", th->evolution == PF_EVOL_TRUNCATED ? "truncated" : "exact");
    if (th->mellin_nodes > 0)
        fprintf(f, "  mellin_nodes: %d\n", th->mellin_nodes);
    else
        fprintf(f, "  # mellin_nodes: not set, the engine's tested default\n");
    if (th->grid_nx > 0)
        fprintf(f, "  grid: {x: %d, q2: %d}\n", th->grid_nx, th->grid_nq2);
    else
        fprintf(f, "  # grid: not set, the engine's tested default\n");
}

static void emit_pdf(FILE *f, const pf_pdf_card *pdf)
{
    fprintf(f, "pdf:\n");
    if (pdf->preset[0]) {
        fprintf(f, "  preset: %s\n  # which resolves to:\n", pdf->preset);
        for (int j = 0; j < PF_NIN; j++)
            if (pdf->fl[j].present)
                emit_flavour(f, "  #   ", j, &pdf->fl[j]);
        return;
    }
    fprintf(f, "  flavours:\n");
    for (int j = 0; j < PF_NIN; j++)
        if (pdf->fl[j].present)
            emit_flavour(f, "    ", j, &pdf->fl[j]);
}

static void emit_stages(FILE *f, const pf_card *card)
{
    char b1[32], b2[32], b3[32];
    const pf_kinematics_card *k = &card->kinematics;
    if (k->present) {
        fprintf(f, "kinematics:\n  beams: {electron: %s, proton: %s}\n", num(b1, k->e_electron), num(b2, k->e_proton));
        fprintf(f, "  cuts: {q2_min: %s, ", num(b1, k->q2_min));
        fprintf(f, "q2_max: %s, ", num(b1, k->q2_max));
        fprintf(f, "x_min: %s, ", num(b1, k->x_min));
        fprintf(f, "x_max: %s,\n", num(b1, k->x_max));
        fprintf(f, "         y_min: %s, ", num(b1, k->y_min));
        fprintf(f, "y_max: %s, ", num(b1, k->y_max));
        fprintf(f, "w2_min: %s}\n", num(b1, k->w2_min));
        fprintf(f, "  alpha_em: %s\n", num(b1, k->alpha_em));
        if (k->process != PF_PROCESS_EM) /* photon-only cards keep their resolved text */
            fprintf(f, "  lepton: {charge: %s, polarisation: %s}\n  process: %s\n", k->lepton_charge > 0 ? "+1" : "-1",
                    num(b1, k->polarisation), k->process == PF_PROCESS_CC ? "cc" : "nc");
    }
    const pf_electroweak_card *ew = &card->electroweak;
    if (k->process != PF_PROCESS_EM) {
        fprintf(f, "electroweak:\n  mz: %s\n  mw: %s\n", num(b1, ew->mz), num(b2, ew->mw));
        if (ew->sin2w_given)
            fprintf(f, "  sin2_theta_w: %s\n", num(b1, ew->sin2w));
        else
            fprintf(f, "  # sin2_theta_w: not set, on shell 1 - mw^2/mz^2 = %s\n", num(b1, ew->sin2w));
        if (ew->ckm_given) {
            fprintf(f, "  ckm:\n");
            for (int i = 0; i < 3; i++)
                fprintf(f, "    - [%s, %s, %s]\n", num(b1, ew->ckm[i][0]), num(b2, ew->ckm[i][1]),
                        num(b3, ew->ckm[i][2]));
        } else {
            fprintf(f, "  # ckm: not set, the unit matrix\n");
        }
    }
    const pf_detector_card *d = &card->detector;
    if (d->present && d->perfect) {
        fprintf(f, "detector: perfect\n");
    } else if (d->present) {
        fprintf(f, "detector:\n  energy_resolution: {stochastic: %s, constant: %s}\n", num(b1, d->e_stochastic),
                num(b2, d->e_constant));
        fprintf(f, "  angle_resolution: %s\n", num(b1, d->theta_resolution));
        if (card->kinematics.process == PF_PROCESS_CC) /* Jacquet-Blondel: other cards keep their text */
            fprintf(f, "  hadronic: {energy_resolution: {stochastic: %s, constant: %s}, angle_resolution: %s}\n",
                    num(b1, d->h_stochastic), num(b2, d->h_constant), num(b3, d->h_theta_resolution));
        if (d->eff_n > 0) {
            fprintf(f, "  efficiency:\n    y: [");
            for (int i = 0; i < d->eff_n; i++)
                fprintf(f, "%s%s", i ? ", " : "", num(b1, d->eff_y[i]));
            fprintf(f, "]\n    value: [");
            for (int i = 0; i < d->eff_n; i++)
                fprintf(f, "%s%s", i ? ", " : "", num(b1, d->eff_value[i]));
            fprintf(f, "]\n");
        } else {
            fprintf(f, "  efficiency: %s\n", num(b1, d->efficiency));
        }
    }
    const pf_simulation_card *s = &card->simulation;
    if (s->present) {
        if (s->events > 0)
            fprintf(f, "simulation: {events: %llu, ", (unsigned long long)s->events);
        else if (s->expected_events > 0)
            fprintf(f, "simulation: {expected_events: %llu, ", (unsigned long long)s->expected_events);
        else
            fprintf(f, "simulation: {luminosity: %s, ", num(b1, s->luminosity));
        fprintf(f, "seed: %llu", (unsigned long long)s->seed);
        /* only the keys given: the others are derived from the detector and the theory
         * (generation.h), and a card without the block keeps its resolved text */
        if (s->generation_given) {
            static const char *const gk[] = {"q2_min", "q2_max", "x_min", "x_max", "y_min", "y_max", "w2_min"};
            fprintf(f, ",\n             generation: {");
            for (int i = 0, n = 0; i < 7; i++)
                if (s->generation_given & (1u << i))
                    fprintf(f, "%s%s: %s", n++ ? ", " : "", gk[i], num(b1, s->generation[i]));
            fprintf(f, "}");
        }
        fprintf(f, "}\n");
    }
    const pf_fit_card *fc = &card->fit;
    if (fc->present) {
        fprintf(f, "fit:\n  free: [");
        for (int i = 0; i < fc->nfree; i++)
            fprintf(f, "%s%s", i ? ", " : "", fc->free[i]);
        fprintf(f, "]\n");
        if (fc->start == PF_START_EXPLICIT) {
            fprintf(f, "  start: {");
            for (int i = 0; i < fc->nfree; i++)
                fprintf(f, "%s%s: %s", i ? ", " : "", fc->free[i], num(b1, fc->start_value[i]));
            fprintf(f, "}\n");
        } else {
            fprintf(f, "  start: %s\n", fc->start == PF_START_TRUTH_SHIFTED ? "truth-shifted" : "truth");
        }
        fprintf(f, "  bins: {x: %d, q2: %d}\n  replicas: %d\n", fc->bins_x, fc->bins_q2, fc->replicas);
    }
}

char *pf_card_to_yaml(const pf_card *card)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fprintf(f, "# partonflow card (format version %d), resolved: every default written out\n", card->version);
    fprintf(f, "version: %d\n", card->version);
    emit_theory(f, &card->theory);
    emit_pdf(f, &card->pdf);
    emit_stages(f, card);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Provenance (docs/artefacts.md, "Provenance"): the first theory setting in which two cards
 * differ, as "theory.KEY: A here, B there".  Numbers compare exactly: artefacts store the
 * resolved card, whose numbers read back to the same doubles (num above). */
int pf_card_theory_diff(const pf_theory_card *a, const pf_theory_card *b, char *what, size_t len)
{
    char x[32], y[32];
#define DIFF_INT(key, f)                                                                  \
    if (a->f != b->f) {                                                                  \
        snprintf(what, len, "theory.%s: %d here, %d there", key, a->f, b->f);         \
        return 1;                                                                        \
    }
#define DIFF_NUM(key, f)                                                                  \
    if (a->f != b->f) {                                                                  \
        snprintf(what, len, "theory.%s: %s here, %s there", key, num(x, a->f), num(y, b->f)); \
        return 1;                                                                        \
    }
    static const char *const order_name[] = {"LO", "NLO", "NNLO"};
    if (a->order != b->order) {
        snprintf(what, len, "theory.order: %s here, %s there", order_name[a->order % 3], order_name[b->order % 3]);
        return 1;
    }
    if (a->order == PF_NNLO) DIFF_INT("nnlo (0 exact, 1 parametrised, 2 parametrised-conserving)", nnlo)
    if (a->order == PF_NNLO) DIFF_INT("nnlo_coefficients (0 exact, 1 parametrised)", nnlo_coef)
    if (a->scheme != b->scheme) {
        snprintf(what, len, "theory.scheme: %s here, %s there", a->scheme == PF_VFNS ? "VFNS" : "FFNS",
                 b->scheme == PF_VFNS ? "VFNS" : "FFNS");
        return 1;
    }
    if (a->scheme == PF_FFNS) DIFF_INT("nf", nf)
    DIFF_NUM("mu0", mu0)
    DIFF_NUM("alphas.value", alphas_value)
    DIFF_NUM("alphas.mu", alphas_mu)
    DIFF_NUM("masses.charm", mc)
    DIFF_NUM("masses.bottom", mb)
    DIFF_NUM("masses.top", mt)
    DIFF_NUM("xi_r", xi_r)
    if (a->evolution != b->evolution) {
        snprintf(what, len, "theory.evolution: %s here, %s there", a->evolution == PF_EVOL_TRUNCATED ? "truncated" : "exact",
                 b->evolution == PF_EVOL_TRUNCATED ? "truncated" : "exact");
        return 1;
    }
    DIFF_INT("mellin_nodes", mellin_nodes)
    DIFF_INT("grid.x", grid_nx)
    DIFF_INT("grid.q2", grid_nq2)
#undef DIFF_INT
#undef DIFF_NUM
    if (len) what[0] = '\0';
    return 0;
}

int pf_card_physics_diff(const pf_card *a, const pf_card *b, char *what, size_t len)
{
    if (pf_card_theory_diff(&a->theory, &b->theory, what, len)) return 1;
    /* the process and its electroweak inputs: theory.h5's operators are of its card's
     * process, and the beam's charge and polarisation are applied when it is read, so a card
     * for another beam would silently be computed as theory.h5's */
    static const char *const proc_name[] = {"photon exchange (no electroweak keys)", "nc", "cc"};
    const pf_kinematics_card *ka = &a->kinematics, *kb = &b->kinematics;
    char x[32], y[32];
    if (ka->process != kb->process) {
        snprintf(what, len, "kinematics.process: %s here, %s there", proc_name[ka->process % 3],
                 proc_name[kb->process % 3]);
        return 1;
    }
    if (ka->process == PF_PROCESS_EM) goto same;
    if (ka->lepton_charge != kb->lepton_charge) {
        snprintf(what, len, "kinematics.lepton.charge: %+d here, %+d there", ka->lepton_charge, kb->lepton_charge);
        return 1;
    }
    if (ka->polarisation != kb->polarisation) {
        snprintf(what, len, "kinematics.lepton.polarisation: %s here, %s there", num(x, ka->polarisation),
                 num(y, kb->polarisation));
        return 1;
    }
    const pf_electroweak_card *ea = &a->electroweak, *eb = &b->electroweak;
    const double va[3] = {ea->mz, ea->mw, ea->sin2w}, vb[3] = {eb->mz, eb->mw, eb->sin2w};
    static const char *const ew_key[3] = {"electroweak.mz", "electroweak.mw", "electroweak.sin2_theta_w"};
    for (int i = 0; i < 3; i++)
        if (va[i] != vb[i]) {
            snprintf(what, len, "%s: %s here, %s there", ew_key[i], num(x, va[i]), num(y, vb[i]));
            return 1;
        }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (ea->ckm[i][j] != eb->ckm[i][j]) {
                snprintf(what, len, "electroweak.ckm[%d][%d]: %s here, %s there", i, j, num(x, ea->ckm[i][j]),
                         num(y, eb->ckm[i][j]));
                return 1;
            }
same:
    if (len) what[0] = '\0';
    return 0;
}
