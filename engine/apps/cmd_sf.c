/* partonflow sf: F2 and FL at a list of points as CSV, on the exact path (inverse Mellin
 * at each point, pf_dis_sf_exact) or, with --theory, on the grid path (theory.h5
 * operators, interpolation), so that anyone can compare the two.  With --process nc-em,
 * nc-ep, cc-em or cc-ep: the electroweak generalised structure functions and the reduced
 * cross section (exact path only; docs/physics-ew.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/dis.h"
#include "partonflow/dis_ew.h"
#include "partonflow/evol.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"

static void sf_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow sf --card CARD --q2 LIST --x LIST [--process P] [--theory theory.h5]\n"
            "                     [--threads T]\n\n"
            "Prints F2 and FL (neutral-current photon exchange) at every (Q2, x) pair of the\n"
            "comma-separated lists as CSV with the header 'q2,x,F2,FL' (outer loop Q2, inner x).\n"
            "Without --theory: the exact path (the card's theory and PDF).  With --theory: the\n"
            "grid path, the operators of theory.h5 (its theory) applied to the card's PDF.\n\n"
            "--process em (default) is the above.  nc-em, nc-ep (neutral current gamma + gamma-Z + Z,\n"
            "e-p or e+p) and cc-em, cc-ep (charged current W, e-p or e+p) print\n"
            "'q2,x,y,F2,FL,xF3,sigma_r' on the exact path: the generalised structure functions\n"
            "F~2, F~L, xF~3 (NC) or W2, WL, xW3 (CC) and the reduced cross section, y = Q2/(x s)\n"
            "with s = 4 E_e E_p from the card's kinematics.beams, the lepton charge from the\n"
            "process, its polarisation from kinematics.lepton.polarisation (default 0), the\n"
            "electroweak inputs from the card's electroweak section (defaults mz = 91.1876,\n"
            "mw = 80.377 GeV).  LO, NLO and NNLO for every process (docs/physics-ew.md).\n"
            "With --theory of a neutral-current card (kinematics.process nc): --process nc-em or\n"
            "nc-ep as its lepton charge, and the grid path prints 'q2,x,y,sigma_r' (the card's\n"
            "polarisation); of a charged-current card (kinematics.process cc): --process cc-em or\n"
            "cc-ep, and 'q2,x,y,sigma_r' with sigma_r,CC (the grid's cross section divided by the\n"
            "W's Born factor, which holds the polarisation).\n\n"
            "exit codes: 0 success, 2 bad card, flags, file or a point outside the grid\n");
}

/* --process values: photon exchange, then (process, lepton charge) pairs */
static const char *const sf_process_names[] = {"em", "nc-em", "nc-ep", "cc-em", "cc-ep"};

/* --process nc-em ... cc-ep: prints q2,x,y,F2,FL,xF3,sigma_r (F2, FL: scratch of n points). */
static int sf_electroweak(const pf_card *card, const pf_pdf *pdf, int proc, size_t n, const double *x,
                          const double *q2, double *F2, double *FL, pf_status *st)
{
    const char *name = sf_process_names[proc];
    const pf_kinematics_card *k = &card->kinematics;
    if (!k->present)
        return pf_status_set(st, PF_EINVAL,
                             "%s: --process %s needs the lepton and proton energies for y: expected the "
                             "key 'kinematics.beams' (and kinematics.cuts) in the card",
                             card->path, name);
    pf_dis_ew ew;
    const int process = proc <= 2 ? PF_PROCESS_NC : PF_PROCESS_CC;
    const int charge = proc == 1 || proc == 3 ? -1 : 1;
    int rc = pf_dis_ew_init(&ew, &card->electroweak, process, charge, k->polarisation, st);
    if (rc) return rc;
    const double s = 4.0 * k->e_electron * k->e_proton;
    for (size_t i = 0; i < n; i++)
        if (!(q2[i] <= x[i] * s))
            return pf_status_set(st, PF_EINVAL,
                                 "point Q2 = %g GeV^2, x = %g: y = Q2/(x s) = %g > 1 for the beams of %s "
                                 "(s = %g GeV^2): expected Q2 <= x s",
                                 q2[i], x[i], q2[i] / (x[i] * s), card->path, s);
    double *xF3 = malloc((n ? n : 1) * sizeof *xF3);
    if (!xF3) return pf_status_set(st, PF_ENOMEM, "out of memory for %zu points", n);
    pf_evol *ev = pf_evol_create(&card->theory, st);
    if (!ev) rc = st->code ? st->code : PF_EINTERNAL;
    if (!rc) rc = pf_dis_ew_sf_exact(ev, pdf, &ew, n, x, q2, F2, FL, xF3, st);
    if (!rc && pf_par_rank() == 0) {
        printf("q2,x,y,F2,FL,xF3,sigma_r\n");
        for (size_t i = 0; i < n; i++) {
            const double y = q2[i] / (x[i] * s);
            printf("%.10e,%.10e,%.10e,%.10e,%.10e,%.10e,%.10e\n", q2[i], x[i], y, F2[i], FL[i], xF3[i],
                   pf_dis_ew_sigma_r(&ew, y, F2[i], FL[i], xF3[i]));
        }
    }
    if (ev) pf_evol_destroy(ev);
    free(xF3);
    return rc;
}

int pf_cmd_sf(int argc, char **argv)
{
    const char *card_path = NULL, *theory = NULL, *q2s = NULL, *xs = NULL;
    size_t threads = 0;
    int proc = 0; /* index into sf_process_names */
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            sf_usage(stdout);
            return PF_EXIT_OK;
        }
        if (a[0] == '-' && a[1] == '-' && i + 1 >= argc)
            return pf_cli_usage_error("sf", "%s needs a value ('partonflow sf --help')", a);
        if (!strcmp(a, "--card"))
            card_path = argv[++i];
        else if (!strcmp(a, "--theory"))
            theory = argv[++i];
        else if (!strcmp(a, "--q2"))
            q2s = argv[++i];
        else if (!strcmp(a, "--x"))
            xs = argv[++i];
        else if (!strcmp(a, "--process")) {
            const char *v = argv[++i];
            proc = -1;
            for (int k = 0; k < 5; k++)
                if (!strcmp(v, sf_process_names[k])) proc = k;
            if (proc < 0)
                return pf_cli_usage_error("sf", "--process: expected em, nc-em, nc-ep, cc-em or cc-ep, got '%s'", v);
        }
        else if (!strcmp(a, "--threads")) {
            if (pf_cli_parse_threads(argv[++i], &threads, &st)) return pf_cli_fail("sf", &st);
        } else
            return pf_cli_usage_error("sf", "unknown argument '%s' ('partonflow sf --help')", a);
    }
    if (!card_path || !q2s || !xs)
        return pf_cli_usage_error("sf", "--card, --q2 and --x are required ('partonflow sf --help')");
    pf_cli_set_threads((int)threads);
    double *ql = NULL, *xl = NULL;
    size_t nq = 0, nxl = 0;
    if (pf_cli_parse_list("--q2", q2s, &ql, &nq, &st) || pf_cli_parse_list("--x", xs, &xl, &nxl, &st)) {
        free(ql);
        return pf_cli_fail("sf", &st);
    }
    int rc = PF_OK;
    for (size_t i = 0; i < nq && !rc; i++)
        if (!(ql[i] > 0)) rc = pf_status_set(&st, PF_EINVAL, "--q2: item %zu (%g) must be > 0 GeV^2", i + 1, ql[i]);
    for (size_t i = 0; i < nxl && !rc; i++)
        if (!(xl[i] > 0 && xl[i] < 1)) rc = pf_status_set(&st, PF_EINVAL, "--x: item %zu (%g) must be in (0, 1)", i + 1, xl[i]);
    const size_t n = nq * nxl;
    double *x = malloc(n * sizeof *x), *q2 = malloc(n * sizeof *q2);
    double *F2 = malloc(n * sizeof *F2), *FL = malloc(n * sizeof *FL);
    pf_card card;
    pf_pdf *pdf = NULL;
    pf_evol *ev = NULL;
    pf_ops *ops = NULL;
    double *G = NULL;
    if (!rc && (!x || !q2 || !F2 || !FL)) rc = pf_status_set(&st, PF_ENOMEM, "out of memory for %zu points", n);
    if (!rc) {
        for (size_t i = 0; i < nq; i++)
            for (size_t j = 0; j < nxl; j++) {
                q2[i * nxl + j] = ql[i];
                x[i * nxl + j] = xl[j];
            }
        rc = pf_card_read(card_path, &card, &st);
    }
    if (!rc) {
        pdf = pf_pdf_create(&card.pdf, &st);
        if (!pdf) rc = st.code ? st.code : PF_EINTERNAL;
    }
    if (!rc && theory) {
        ops = pf_ops_read(theory, &st);
        if (!ops) rc = st.code ? st.code : PF_EINTERNAL;
        if (!rc && !(G = malloc(pf_ops_ngrid(ops) * sizeof *G)))
            rc = pf_status_set(&st, PF_ENOMEM, "out of memory for the grid values");
        /* the grid's process must be the one asked for: an electroweak theory.h5 holds
         * F~L + s (2/y - 1) xF~3 (NC) or the W's factor times W2 and WL + s (2/y - 1) xW3 (CC)
         * in its slots (docs/physics-ew.md "On the grid"), so only sigma_r is printed;
         * --process must name its process and lepton charge */
        const pf_card *tc = rc ? NULL : pf_ops_card(ops);
        const int tproc = tc ? tc->kinematics.process : PF_PROCESS_EM;
        const int tew = tproc != PF_PROCESS_EM;
        const int want = !tew ? 0 : (tproc == PF_PROCESS_NC ? 1 : 3) + (tc->kinematics.lepton_charge < 0 ? 0 : 1);
        if (tc && proc != want)
            rc = pf_status_set(&st, PF_EINVAL,
                               "--theory %s holds %s: expected --process %s with it (got %s)", theory,
                               tproc == PF_PROCESS_NC   ? "neutral-current DIS"
                               : tproc == PF_PROCESS_CC ? "charged-current DIS"
                                                        : "photon exchange",
                               sf_process_names[want], sf_process_names[proc]);
        if (tew && !rc) {
            const double s = 4.0 * tc->kinematics.e_electron * tc->kinematics.e_proton;
            for (size_t i = 0; i < n && !rc; i++)
                if (!(q2[i] <= x[i] * s))
                    rc = pf_status_set(&st, PF_EDOMAIN,
                                       "point Q2 = %g GeV^2, x = %g: y = Q2/(x s) = %g > 1 for the beams of the card "
                                       "of %s (s = %g GeV^2): expected Q2 <= x s",
                                       q2[i], x[i], q2[i] / (x[i] * s), theory, s);
        }
        if (!rc) rc = pf_ops_grid_values(ops, pdf, G, NULL, &st);
        if (!rc) rc = pf_ops_sf(ops, G, n, x, q2, F2, FL, &st);
        if (!rc && tew && pf_par_rank() == 0) {
            const double s = 4.0 * tc->kinematics.e_electron * tc->kinematics.e_proton;
            printf("q2,x,y,sigma_r\n");
            for (size_t i = 0; i < n; i++) {
                const double y = q2[i] / (x[i] * s), yp = 1.0 + (1.0 - y) * (1.0 - y);
                /* NC: sigma_r = F2slot - y^2/Y+ FLslot; CC: 2 sigma_r = Y+ F2slot - y^2 FLslot
                 * (the W's factor is the Born factor's, ops.h pf_ops_born) */
                const double sr = tproc == PF_PROCESS_NC ? F2[i] - y * y / yp * FL[i] : 0.5 * (yp * F2[i] - y * y * FL[i]);
                printf("%.10e,%.10e,%.10e,%.10e\n", q2[i], x[i], y, sr);
            }
        }
    } else if (!rc && proc == 0) {
        ev = pf_evol_create(&card.theory, &st);
        if (!ev) rc = st.code ? st.code : PF_EINTERNAL;
        if (!rc) rc = pf_dis_sf_exact(ev, pdf, n, x, q2, F2, FL, NULL, NULL, &st);
    } else if (!rc) {
        rc = sf_electroweak(&card, pdf, proc, n, x, q2, F2, FL, &st);
    }
    if (!rc && proc == 0 && pf_par_rank() == 0) {
        printf("q2,x,F2,FL\n");
        for (size_t i = 0; i < n; i++) printf("%.10e,%.10e,%.10e,%.10e\n", q2[i], x[i], F2[i], FL[i]);
    }
    free(ql); free(xl); free(x); free(q2); free(F2); free(FL); free(G);
    pf_ops_destroy(ops);
    if (ev) pf_evol_destroy(ev);
    if (pdf) pf_pdf_destroy(pdf);
    if (rc) return pf_cli_fail("sf", &st);
    return fflush(stdout) == 0 ? PF_EXIT_OK : PF_EXIT_FAIL;
}
