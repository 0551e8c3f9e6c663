/* partonflow: the detector model on the CPU side (issue 5): parameters from the card and
 * the batch detector pass of the simulation.  The per-event maths (electron kinematics,
 * smearing, electron-method reconstruction, response density, Jacobian, efficiency) is
 * in kernels/detector.h, shared with the GPU and the likelihood. */
#ifndef PARTONFLOW_DETECTOR_H
#define PARTONFLOW_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/card.h"
#include "partonflow/kernels/detector.h"
#include "partonflow/status.h"

/* The detector parameters from a card (kinematics + detector sections; a missing
 * detector section means the issue-5 defaults).  Negative resolutions or efficiencies
 * outside [0, 1] are PF_EINVAL naming the key. */
int pf_sim_detector_from_card(const pf_card *card, pf_det_params *d, pf_status *st);

/* Detector for events first..first+n-1 given their true (x, q2): normals 0 and 1 of
 * stream (seed, i) smear E' and theta, uniform PF_SIM_EFF_COUNTER decides efficiency.
 * Outputs (each n): y_true, e_true, th_true, x_rec, q2_rec, y_rec, e_rec, th_rec, acc. */
#define PF_SIM_EFF_COUNTER (UINT64_C(1) << 62)
typedef struct pf_sim_rows {
    double *x_true, *q2_true, *y_true, *eprime_true, *theta_true;
    double *x_rec, *q2_rec, *y_rec, *eprime_rec, *theta_rec;
    uint8_t *accepted;
} pf_sim_rows;
void pf_sim_detector(const pf_det_params *d, uint64_t seed, uint64_t first, size_t n, pf_sim_rows *rows);

#endif
