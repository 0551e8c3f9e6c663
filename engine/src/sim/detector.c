/* partonflow sim: detector parameters from the card, the batch detector pass, and the
 * Poisson number of events (kernels/detector.h has the per-event maths). */
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "partonflow/kernels/philox.h"
#include "partonflow/sim.h"

int pf_sim_detector_from_card(const pf_card *card, pf_det_params *d, pf_status *st)
{
    memset(d, 0, sizeof *d);
    const pf_kinematics_card *k = &card->kinematics;
    if (!k->present)
        return pf_status_set(st, PF_EINVAL, "card %s: section 'kinematics' is missing (beam energies and cuts)",
                             card->path);
    d->e_electron = k->e_electron;
    d->e_proton = k->e_proton;
    d->cuts[PF_CUT_Q2_MIN] = k->q2_min;
    d->cuts[PF_CUT_Q2_MAX] = k->q2_max;
    d->cuts[PF_CUT_X_MIN] = k->x_min;
    d->cuts[PF_CUT_X_MAX] = k->x_max;
    d->cuts[PF_CUT_Y_MIN] = k->y_min;
    d->cuts[PF_CUT_Y_MAX] = k->y_max;
    d->cuts[PF_CUT_W2_MIN] = k->w2_min;
    const pf_detector_card *c = &card->detector;
    /* pf_card_read fills the issue-5 defaults when the section is absent */
    d->perfect = c->perfect;
    d->stochastic = c->e_stochastic;
    d->constant = c->e_constant;
    d->sigma_theta = c->theta_resolution;
    if (card->kinematics.process == PF_PROCESS_CC) {
        /* no scattered electron: Jacquet-Blondel from the hadronic final state, with its own
         * resolutions (kernels/detector.h) */
        d->method = PF_DET_JB;
        d->stochastic = c->h_stochastic;
        d->constant = c->h_constant;
        d->sigma_theta = c->h_theta_resolution;
    }
    d->efficiency = c->efficiency;
    d->eff_n = c->eff_n;
    for (int i = 0; i < c->eff_n && i < PF_DET_EFF_MAX; i++) d->eff_y[i] = c->eff_y[i], d->eff_value[i] = c->eff_value[i];
    if (!d->perfect) {
        if (!(d->stochastic >= 0) || !(d->constant >= 0))
            return pf_status_set(st, PF_EINVAL,
                                 "card %s: key 'detector.%senergy_resolution': expected stochastic, constant >= 0, got %g, %g",
                                 card->path, d->method == PF_DET_JB ? "hadronic." : "", d->stochastic, d->constant);
        if (!(d->sigma_theta >= 0))
            return pf_status_set(st, PF_EINVAL, "card %s: key 'detector.%sangle_resolution': expected >= 0 rad, got %g",
                                 card->path, d->method == PF_DET_JB ? "hadronic." : "", d->sigma_theta);
        if (d->eff_n == 0 && !(d->efficiency >= 0 && d->efficiency <= 1))
            return pf_status_set(st, PF_EINVAL, "card %s: key 'detector.efficiency': expected a value in [0, 1], got %g",
                                 card->path, d->efficiency);
    }
    if (!(d->e_electron > 0 && d->e_proton > 0))
        return pf_status_set(st, PF_EINVAL, "card %s: key 'kinematics': beam energies must be > 0 GeV", card->path);
    return PF_OK;
}

void pf_sim_detector(const pf_det_params *d, uint64_t seed, uint64_t first, size_t n, pf_sim_rows *r)
{
    const double s = pf_kin_s(d->e_electron, d->e_proton);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        const uint64_t stream = first + i;
        double ze = 0, zt = 0, ue = 0;
        if (!d->perfect) {
            ze = pf_rng_normal(seed, stream, 0);
            zt = pf_rng_normal(seed, stream, 1);
            ue = pf_rng_uniform(seed, stream, PF_SIM_EFF_COUNTER);
        }
        r->y_true[i] = pf_kin_y(r->x_true[i], r->q2_true[i], s);
        r->accepted[i] = (uint8_t)pf_det_event(d, r->x_true[i], r->q2_true[i], ze, zt, ue, &r->eprime_true[i],
                                               &r->theta_true[i], &r->x_rec[i], &r->q2_rec[i], &r->y_rec[i],
                                               &r->eprime_rec[i], &r->theta_rec[i]);
    }
}

uint64_t pf_sim_poisson(uint64_t seed, double mu)
{
    /* inversion: the smallest N with P(N; mu) >= u (bisection on the CDF; exact up to the
     * CDF's rounding) */
    const double u = pf_rng_uniform(seed, PF_SIM_POISSON_STREAM, 0);
    if (!(mu > 0)) return 0;
    if (mu > 1.0e6) {
        /* GSL's Poisson CDF (an incomplete gamma) aborts in its large-x asymptotic when the
         * bisection probes the far tail beyond ~1e6 expected events, loses digits beyond
         * ~1e8 and takes an unsigned int; there the Cornish-Fisher quantile of the same
         * uniform, N + 1/2 = mu + sqrt(mu) z + (z^2 - 1)/6 + O(mu^-1/2), is within one count
         * of the exact inversion */
        const double z = gsl_cdf_ugaussian_Pinv(u);
        const double q = ceil(mu + sqrt(mu) * z + (z * z - 1.0) / 6.0 - 0.5);
        return q > 0 ? (q < 1.8e19 ? (uint64_t)q : UINT64_MAX) : 0;
    }
    double lo = 0, hi = mu + 40.0 * sqrt(mu) + 100.0;
    if (gsl_cdf_poisson_P(0, mu) >= u) return 0;
    while (hi - lo > 1) {
        const double m = floor(0.5 * (lo + hi));
        if (gsl_cdf_poisson_P((unsigned)m, mu) >= u) hi = m; else lo = m;
    }
    return (uint64_t)hi;
}
