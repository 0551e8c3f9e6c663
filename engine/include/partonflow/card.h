/* partonflow: the theory card (YAML, read with libyaml) as a validated struct.
 *
 * Format version 1 (see docs/cards.md): sections theory, pdf, and optionally
 * kinematics, detector, simulation, fit.  Every error names the file, the line, the key
 * and what was expected. */
#ifndef PARTONFLOW_CARD_H
#define PARTONFLOW_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "partonflow/status.h"

enum pf_order { PF_LO = 0, PF_NLO = 1, PF_NNLO = 2 };
/* theory.nnlo: which three-loop splitting functions and matching terms (NNLO only) */
enum pf_nnlo_form { PF_NNLO_EXACT = 0, PF_NNLO_PARAMETRISED = 1, PF_NNLO_PARAM_CONSERVING = 2 };
/* theory.nnlo_coefficients: which second-order coefficient functions (NNLO only) */
enum pf_nnlo_coef { PF_NNLO_COEF_EXACT = 0, PF_NNLO_COEF_PARAMETRISED = 1 };
enum pf_scheme { PF_FFNS = 0, PF_VFNS = 1 };
enum pf_evol_method { PF_EVOL_EXACT = 0, PF_EVOL_TRUNCATED = 1 };

/* Input flavours of the parametrisation at mu0 (card keys in this order). */
enum pf_flav_in {
    PF_IN_UV = 0, PF_IN_DV, PF_IN_UBAR, PF_IN_DBAR, PF_IN_S, PF_IN_SBAR,
    PF_IN_C, PF_IN_CBAR, PF_IN_B, PF_IN_BBAR, PF_IN_G, PF_NIN
};
extern const char *const pf_flav_in_name[PF_NIN]; /* "uv", "dv", "ubar", ... "g" */

/* Output flavours in LHAPDF order -6..6 (the `evolve` CSV columns). */
enum pf_flav_out {
    PF_TBAR = 0, PF_BBAR, PF_CBAR, PF_SBAR, PF_UBAR, PF_DBAR, PF_GLUON,
    PF_D, PF_U, PF_S, PF_C, PF_B, PF_T, PF_NOUT
};
extern const char *const pf_flav_out_name[PF_NOUT]; /* "tbar", ..., "g", "d", "u", ... "t" */

enum pf_norm { PF_NORM_FIXED = 0, PF_NORM_VALENCE, PF_NORM_MOMENTUM };

#define PF_POLY_MAX 8
typedef struct pf_flavour_card {
    int present;                /* 0: the flavour is zero at mu0 */
    int same_as;                /* -1, or the pf_flav_in it copies (parameters shared) */
    int norm;                   /* PF_NORM_*: A given, or fixed by a sum rule */
    double A, a, b;             /* x f = A x^a (1-x)^b sum_k poly[k] x^(k/2) */
    int npoly;                  /* >= 1; defaults to 1 with poly[0] = 1 */
    double poly[PF_POLY_MAX];
    int line;                   /* line of the flavour's key in the card (0: preset) */
} pf_flavour_card;

typedef struct pf_pdf_card {
    char preset[32];            /* "" or "lha-toy" (then fl[] holds the preset values) */
    pf_flavour_card fl[PF_NIN];
} pf_pdf_card;

typedef struct pf_theory_card {
    int order;                  /* PF_LO | PF_NLO | PF_NNLO */
    int scheme;                 /* PF_FFNS | PF_VFNS */
    int nf;                     /* FFNS only (3..6) */
    double mu0;                 /* GeV */
    double alphas_value;        /* alpha_s(alphas_mu) */
    double alphas_mu;           /* GeV */
    double mc, mb, mt;          /* pole masses, GeV */
    double xi_r;                /* mu_R / mu_F */
    int mellin_nodes;           /* 0: the engine's tested default */
    int evolution;              /* PF_EVOL_EXACT (default) | PF_EVOL_TRUNCATED */
    int grid_nx, grid_nq2;      /* theory-operator grid; 0: the engine's tested default */
    int nnlo;                   /* PF_NNLO_*: exact (the default) or a parametrised form (NNLO only) */
    int nnlo_coef;              /* PF_NNLO_COEF_*: exact (the default) or parametrised (NNLO only) */
} pf_theory_card;

/* The scattering process of the card (kinematics.process; docs/physics-ew.md).  A card that
 * gives none of the electroweak keys (electroweak, kinematics.lepton, kinematics.process)
 * is a photon-exchange card, PF_PROCESS_EM, exactly as before these keys existed; a card
 * that gives any of them defaults to PF_PROCESS_NC. */
enum pf_process { PF_PROCESS_EM = 0, PF_PROCESS_NC, PF_PROCESS_CC };

typedef struct pf_kinematics_card {
    int present;
    double e_electron, e_proton;    /* beam energies, GeV */
    double q2_min, q2_max, x_min, x_max, y_min, y_max, w2_min;
    double alpha_em;                /* default 1/137.036 */
    int lepton_charge;              /* kinematics.lepton.charge: -1 (default) or +1 */
    double polarisation;            /* kinematics.lepton.polarisation P in [-1, 1], default 0 */
    int process;                    /* PF_PROCESS_*, resolved as above */
} pf_kinematics_card;

/* electroweak: {mz, mw[, sin2_theta_w][, ckm]} (docs/physics-ew.md).  Always resolved (the
 * defaults below when the section is absent); written to the resolved card only when the
 * process is not PF_PROCESS_EM, so photon-only cards keep their resolved text. */
#define PF_EW_DEFAULT_MZ 91.1876
#define PF_EW_DEFAULT_MW 80.377
typedef struct pf_electroweak_card {
    double mz, mw;                  /* GeV */
    double sin2w;                   /* sin^2 theta_W: given, or on shell 1 - mw^2/mz^2 */
    int sin2w_given;
    int ckm_given;
    double ckm[3][3];               /* |V_ij|, rows u, c, t, columns d, s, b; unit by default */
} pf_electroweak_card;

#define PF_EFF_TABLE_MAX 64
typedef struct pf_detector_card {
    int present;
    int perfect;                    /* `detector: perfect` */
    double e_stochastic, e_constant;/* sigma_E/E = stochastic/sqrt(E) (+) constant */
    double theta_resolution;        /* rad */
    double efficiency;              /* constant efficiency (used when eff_n == 0) */
    int eff_n;                      /* efficiency as a table in y (linear interpolation) */
    double eff_y[PF_EFF_TABLE_MAX], eff_value[PF_EFF_TABLE_MAX];
    /* the hadronic final state (detector.hadronic), measured for Jacquet-Blondel reconstruction
     * in charged-current cards (kinematics.process cc; kernels/detector.h PF_DET_JB) */
    int hadronic_given;
    double h_stochastic, h_constant; /* sigma_E/E of the hadronic energy */
    double h_theta_resolution;       /* rad, its polar angle gamma */
} pf_detector_card;

typedef struct pf_simulation_card {
    int present;
    uint64_t events;                /* fixed number of events, or 0 ... */
    double luminosity;              /* ... Poisson(luminosity * sigma_gen), pb^-1, or 0 ... */
    uint64_t expected_events;       /* ... or luminosity = expected_events / sigma_acc, or 0 */
    uint64_t seed;
    /* simulation.generation: the true-kinematics region where events are generated, in the
     * PF_CUT_* order of kernels/kinematics.h (q2_min, q2_max, x_min, x_max, y_min, y_max,
     * w2_min).  Bit k of generation_given: key k was in the card (generation[k] holds it);
     * the other keys are derived by pf_gen_region (partonflow/generation.h). */
    unsigned generation_given;
    double generation[7];
} pf_simulation_card;

#define PF_FIT_MAX_FREE 64
#define PF_PARAM_NAME_LEN 32
enum pf_fit_start { PF_START_TRUTH = 0, PF_START_TRUTH_SHIFTED, PF_START_EXPLICIT };
typedef struct pf_fit_card {
    int present;
    int nfree;
    char free[PF_FIT_MAX_FREE][PF_PARAM_NAME_LEN]; /* "uv.a", "ubar.A", "g.p2", ... */
    int start;                      /* PF_START_* */
    double start_value[PF_FIT_MAX_FREE];           /* PF_START_EXPLICIT, same order as free */
    int bins_x, bins_q2;            /* histogram method */
    int replicas;
} pf_fit_card;

typedef struct pf_card {
    char path[512];                 /* file it was read from */
    int version;                    /* format version (1) */
    pf_theory_card theory;
    pf_pdf_card pdf;
    pf_kinematics_card kinematics;
    pf_electroweak_card electroweak;
    pf_detector_card detector;
    pf_simulation_card simulation;
    pf_fit_card fit;
} pf_card;

/* Reads and validates a card.  On failure returns PF_ECARD (or PF_EIO) with a message
 * "FILE:LINE: key 'theory.order': expected LO, NLO or NNLO, got 'N3LO'". */
int pf_card_read(const char *path, pf_card *card, pf_status *st);
/* Same from a string; `name` is used in messages in place of a file name. */
int pf_card_parse(const char *yaml, size_t len, const char *name, pf_card *card, pf_status *st);
/* The resolved card as YAML text (malloc'd, caller frees): what artefacts store. */
char *pf_card_to_yaml(const pf_card *card);
/* Provenance checks (docs/artefacts.md): 0 when the theory settings of a and b are equal
 * (numbers exactly), else 1 and `what` names the first that differs:
 * "theory.alphas.value: 0.35 here, 0.118 there". */
int pf_card_theory_diff(const pf_theory_card *a, const pf_theory_card *b, char *what, size_t len);
/* The same for everything theory.h5's cross section depends on: the theory settings, then
 * the process (kinematics.process), the lepton's charge and polarisation and the electroweak
 * inputs: "kinematics.lepton.charge: +1 here, -1 there". */
int pf_card_physics_diff(const pf_card *a, const pf_card *b, char *what, size_t len);

#endif
