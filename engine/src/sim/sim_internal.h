/* partonflow sim: helpers shared by the files of the module. */
#ifndef PARTONFLOW_SIM_INTERNAL_H
#define PARTONFLOW_SIM_INTERNAL_H

#include "partonflow/sim.h"

/* The tightest (x, Q^2) box of the cut region: x and Q^2 cuts tightened by the y and W^2
 * cuts (Q^2 = x y s, W^2 = M^2 + Q^2 (1 - x) / x). */
void pf_sim_tight_box(const pf_sim_region *reg, double *xlo, double *xhi, double *qlo, double *qhi);

#endif
