/* partonflow core: helpers shared by the card sources (not installed). */
#ifndef PARTONFLOW_CORE_CARD_INTERNAL_H
#define PARTONFLOW_CORE_CARD_INTERNAL_H

#include "partonflow/card.h"

/* Index of a pf_flav_in name ("uv", ...), or -1. */
int pf_flav_in_index(const char *name);
/* An absent flavour: present 0, same_as -1, fixed norm, A = a = b = 0, poly = [1]. */
void pf_card_flavour_zero(pf_flavour_card *f);
/* Fills pdf->fl[] and pdf->preset with a named preset; -1 if the name is unknown. */
int pf_card_preset(const char *name, pf_pdf_card *pdf);
/* Defaults of the optional sections (docs/cards.md). */
void pf_card_defaults(pf_card *card);

#define PF_CARD_DEFAULT_ALPHA_EM (1.0 / 137.036)
#define PF_CARD_DEFAULT_E_STOCHASTIC 0.02
#define PF_CARD_DEFAULT_E_CONSTANT 0.01
#define PF_CARD_DEFAULT_THETA_RES 0.001
#define PF_CARD_DEFAULT_BINS_X 20
#define PF_CARD_DEFAULT_BINS_Q2 12

#endif
