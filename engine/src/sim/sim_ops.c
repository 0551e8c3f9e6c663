/* partonflow sim: the sampler's density from the theory grid (ops.h) and the generation
 * region of a card checked against the theory.h5 it is sampled from. */
#include <math.h>
#include <string.h>

#include "partonflow/generation.h"
#include "partonflow/ops.h"
#include "partonflow/sim.h"
#include "sim_internal.h"

int pf_sim_ops_density(void *ctx, size_t n, const double *x, const double *q2, double *out, pf_status *st)
{
    const pf_sim_ops_ctx *c = ctx;
    const int rc = pf_ops_xsec(c->ops, c->G, NULL, 0, n, x, q2, out, NULL, st);
    /* charged current e+ p at y -> 1, x -> 1: sigma_r,CC = (W2 - xW3 - WL)/2 + O(1 - y) cancels
     * to ~1e-6 of W2 at NLO (x = 0.87, y = 0.996: 1e-10 against W2 = 5e-5), below the grid's
     * interpolation error, which can then make the interpolant slightly negative (-1e-11):
     * simulate draws from max(d2sigma, 0) there (docs/physics-ew.md); other processes keep
     * the check that d2sigma >= 0 */
    if (!rc && pf_ops_card(c->ops)->kinematics.process == PF_PROCESS_CC)
        for (size_t i = 0; i < n; i++)
            if (out[i] < 0.0) out[i] = 0.0;
    return rc;
}

int pf_sim_region_from_card(const pf_ops *ops, const pf_card *card, const char *theory_path, pf_sim_region *reg,
                            pf_status *st)
{
    const pf_kinematics_card *k = &card->kinematics;
    if (!k->present)
        return pf_status_set(st, PF_EINVAL, "card %s: section 'kinematics' is missing (beam energies and cuts)",
                             card->path);
    memset(reg, 0, sizeof *reg);
    /* true events are generated in the generation region; the detector cuts on the
     * reconstructed kinematics (pf_sim_detector_from_card) */
    if (pf_gen_region(card, reg->cuts, st)) return st ? st->code : PF_EINVAL;
    reg->s = pf_kin_s(k->e_electron, k->e_proton);
    double tcuts[PF_NCUTS], ts, talpha;
    pf_ops_kinematics(ops, tcuts, &ts, &talpha);
    if (fabs(ts / reg->s - 1) > 1e-12)
        return pf_status_set(st, PF_EDOMAIN,
                             "%s was made for s = %g GeV^2, the card %s has beams %g x %g GeV (s = %g GeV^2): rebuild "
                             "the theory for this card",
                             theory_path, ts, card->path, k->e_electron, k->e_proton, reg->s);
    double xlo, xhi, qlo, qhi, gx0, gx1, gq0, gq1;
    pf_sim_tight_box(reg, &xlo, &xhi, &qlo, &qhi);
    pf_ops_bounds(ops, &gx0, &gx1, &gq0, &gq1);
    /* the sampler evaluates the density on the whole tight box of the region */
    if (xlo < gx0 || xhi > gx1 || qlo < gq0 || qhi > gq1)
        return pf_status_set(st, PF_EDOMAIN,
                             "the generation region of card %s (x %g..%g, Q2 %g..%g GeV^2) is not covered by the grid "
                             "of %s (x %g..%g, Q2 %g..%g GeV^2): rebuild the theory with this card's cuts, detector "
                             "and simulation.generation",
                             card->path, xlo, xhi, qlo, qhi, theory_path, gx0, gx1, gq0, gq1);
    /* ZM-VFNS: the structure functions kink or jump at the heavy-quark thresholds */
    const pf_theory_card *th = &pf_ops_card(ops)->theory;
    if (th->scheme == PF_VFNS) {
        const double m[3] = {th->mc, th->mb, th->mt};
        for (int i = 0; i < 3; i++)
            if (m[i] > 0) reg->q2_breaks[reg->nbreaks++] = m[i] * m[i];
    }
    return PF_OK;
}
