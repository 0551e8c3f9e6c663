/* partonflow: the generation region (issue 12, item 1): the region of TRUE kinematics in
 * which `simulate` draws events and over which the smeared detector's response is folded,
 * wider than the reconstructed-level cuts by what the resolution lets migrate into them.
 *
 * Card block `simulation.generation` (docs/cards.md): keys as the cuts (q2_min, q2_max,
 * x_min, x_max, y_min, y_max, w2_min); every key given overrides the derived value.
 *
 * Derived value (docs/cards.md "simulation", docs/fitting.md):
 *  - perfect detector, or zero resolution in E' and theta: exactly the card's cuts (so
 *    perfect-detector artefacts are the same bits as before the region existed);
 *  - smeared detector: every true point t whose probability to be reconstructed inside the
 *    cuts exceeds PF_GEN_PROB = 1e-9 is inside.  The smearing (kernels/detector.h) is
 *    E'_r = E' + sigma_E(E') z1, theta_r = theta + sigma_theta z2 with (z1, z2) standard
 *    normal, sigma_E at the TRUE E'; the disk |z| <= r, r = sqrt(2 ln 1e9) = 6.44, holds
 *    all but exp(-r^2/2) = 1e-9 of the probability, so t can only exceed 1e-9 if the image
 *    of that disk meets the reconstructed cut region.  At a fixed theta_r every cut is an
 *    interval of E'_r (Q^2 = 2 Ee E'(1 + cos theta), y = 1 - E'(1 - cos theta)/(2 Ee),
 *    x = Q^2/(s y), W^2 - M^2 = s y - Q^2 are linear in E'), and the image at
 *    z2 = (theta_r - theta)/sigma_theta is the interval E' +- sigma_E sqrt(r^2 - z2^2); so
 *    the test scans z2 on PF_GEN_NZ points of [-r, r] and intersects intervals exactly.
 *    True space is scanned on a deterministic grid uniform in u = ln(x/(1-x)) (step
 *    PF_GEN_DU) and ln Q^2 (step PF_GEN_DV), widened until no marked point touches an open
 *    edge; for each cut the loosest value over the marked points and their 8 grid
 *    neighbours (the pad of one scan step) is taken, never tighter than the cut itself.
 *  - clips: x_max <= PF_GEN_X_CLIP, y_max <= PF_GEN_Y_CLIP (x < 1, y < 1; the theory grid
 *    is uniform in ln(x/(1-x))), q2_min >= min(mu0^2, cuts q2_min) (no evolution below the
 *    input scale).  Where a clip (or an explicit key) is tighter than the 1e-9 region, bit
 *    PF_CUT_* of pf_gen_info.cut_into is set (events.h5 records it).
 * Deterministic (fixed grids, no random numbers); ~0.1-0.5 s for a smeared card. */
#ifndef PARTONFLOW_GENERATION_H
#define PARTONFLOW_GENERATION_H

#include "partonflow/card.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/status.h"

#define PF_GEN_PROB 1e-9        /* reconstruction probability that puts a true point inside */
#define PF_GEN_X_CLIP 0.99      /* largest x_max of a derived region */
#define PF_GEN_Y_CLIP 0.999     /* largest y_max of a derived region */
#define PF_GEN_DU 0.04          /* scan step in ln(x/(1-x)) */
#define PF_GEN_DV 0.02          /* scan step in ln Q^2 */
#define PF_GEN_NZ 193           /* points of the z2 scan over [-r, r] */

typedef struct pf_gen_info {
    double gen[PF_NCUTS];       /* the region (what pf_gen_region returns) */
    double derived[PF_NCUTS];   /* the derived default before explicit keys (== cuts if !smeared) */
    double reach[PF_NCUTS];     /* loosest values of the 1e-9 region before any clip (smeared) */
    unsigned given;             /* bit k: simulation.generation key k in the card */
    unsigned cut_into;          /* bit k: gen[k] is tighter than the 1e-9 region (a clip or a key) */
    int smeared;                /* 0: perfect detector or zero resolution */
    double nsigma;              /* r = sqrt(-2 ln PF_GEN_PROB) */
} pf_gen_info;

/* The generation region gen[] in the PF_CUT_* order of kernels/kinematics.h.  Needs the
 * card's kinematics (PF_EINVAL naming the card otherwise). */
int pf_gen_region(const pf_card *card, double gen[PF_NCUTS], pf_status *st);
/* The same with how it was made. */
int pf_gen_region_info(const pf_card *card, pf_gen_info *info, pf_status *st);
/* 1 when the disk |z| <= nsigma of the card's smearing around the true (x, Q^2) reaches the
 * card's cuts (the test above, for one point); the detector must be smeared. */
int pf_gen_reaches_cuts(const pf_card *card, double nsigma, double x, double q2);

#endif
