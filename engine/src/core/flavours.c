/* partonflow: flavour names and the PDF presets of the card. */
#include <string.h>

#include "card_internal.h"
#include "partonflow/card.h"

const char *const pf_flav_in_name[PF_NIN] = {"uv", "dv", "ubar", "dbar", "s",    "sbar",
                                             "c",  "cbar", "b", "bbar", "g"};

const char *const pf_flav_out_name[PF_NOUT] = {"tbar", "bbar", "cbar", "sbar", "ubar", "dbar", "g",
                                               "d",    "u",    "s",    "c",    "b",    "t"};

int pf_flav_in_index(const char *name)
{
    for (int j = 0; j < PF_NIN; j++)
        if (!strcmp(name, pf_flav_in_name[j]))
            return j;
    return -1;
}

void pf_card_flavour_zero(pf_flavour_card *f)
{
    memset(f, 0, sizeof *f);
    f->same_as = -1;
    f->norm = PF_NORM_FIXED;
    f->npoly = 1;
    f->poly[0] = 1.0;
}

static void set_fl(pf_flavour_card *f, double A, double a, double b, int npoly, const double *poly)
{
    pf_card_flavour_zero(f);
    f->present = 1;
    f->A = A;
    f->a = a;
    f->b = b;
    if (npoly > 0) {
        f->npoly = npoly;
        for (int k = 0; k < npoly; k++)
            f->poly[k] = poly[k];
    }
}

/* The Les Houches toy input at mu0 = sqrt(2) GeV (W. Giele et al., hep-ph/0204316,
 * section 1.3, eq. (1.4)):
 *   x uv = 5.1072 x^0.8 (1-x)^3,        x dv = 3.06432 x^0.8 (1-x)^4,
 *   x g  = 1.7 x^-0.1 (1-x)^5,          x dbar = 0.1939875 x^-0.1 (1-x)^6,
 *   x ubar = (1-x) x dbar,              x s = x sbar = 0.2 x (ubar + dbar).
 * The normalisations are the published numbers (they satisfy the sum rules to the quoted
 * digits), so every A is fixed.  In the card's polynomial in x^(1/2):
 * (1-x) = [1, 0, -1] and 0.2 (ubar + dbar) = 0.2 A_dbar x^-0.1 (1-x)^6 [2, 0, -1]. */
int pf_card_preset(const char *name, pf_pdf_card *pdf)
{
    if (strcmp(name, "lha-toy"))
        return -1;
    static const double one_minus_x[3] = {1, 0, -1}, s_poly[3] = {2, 0, -1};
    for (int j = 0; j < PF_NIN; j++)
        pf_card_flavour_zero(&pdf->fl[j]);
    set_fl(&pdf->fl[PF_IN_UV], 5.1072, 0.8, 3.0, 0, NULL);
    set_fl(&pdf->fl[PF_IN_DV], 3.06432, 0.8, 4.0, 0, NULL);
    set_fl(&pdf->fl[PF_IN_G], 1.7, -0.1, 5.0, 0, NULL);
    set_fl(&pdf->fl[PF_IN_DBAR], 0.1939875, -0.1, 6.0, 0, NULL);
    set_fl(&pdf->fl[PF_IN_UBAR], 0.1939875, -0.1, 6.0, 3, one_minus_x);
    set_fl(&pdf->fl[PF_IN_S], 0.0387975, -0.1, 6.0, 3, s_poly);
    pdf->fl[PF_IN_SBAR] = pdf->fl[PF_IN_S];
    pdf->fl[PF_IN_SBAR].same_as = PF_IN_S;
    memset(pdf->preset, 0, sizeof pdf->preset);
    strcpy(pdf->preset, "lha-toy");
    return 0;
}
