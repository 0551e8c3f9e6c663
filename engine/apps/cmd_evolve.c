/* partonflow evolve: x f(x, Q^2) of all flavours from a theory card, as CSV on stdout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/evol.h"
#include "partonflow/pdf.h"
#include "partonflow/pdfgrid.h"

static void evolve_usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow evolve --card CARD --q2 Q1,Q2,... --x X1,X2,... [--grad | --grid] [--threads T]\n\n"
            "Evolves the card's input PDFs (DGLAP in Mellin space, docs/physics-evolution.md) and\n"
            "prints x*f(x, Q^2) as CSV on stdout, one row per (q2, x) pair, q2 the outer loop:\n"
            "  q2,x,alphas,tbar,bbar,cbar,sbar,ubar,dbar,g,d,u,s,c,b,t\n"
            "alphas is alpha_s(mu_R^2 = xi_r^2 q2); values in %%.10e.\n\n"
            "options:\n"
            "  --card CARD     theory card (YAML, docs/cards.md)\n"
            "  --q2 LIST       factorisation scales mu_F^2 in GeV^2, each >= mu0^2 (the input\n"
            "                  scale: evolution runs upwards only)\n"
            "  --x LIST        momentum fractions, each in (0, 1); the default Mellin contour is\n"
            "                  tested to 1e-8 for 1e-5 <= x <= 0.9 and to the LHA tables down to 1e-7\n"
            "  --grad          append the derivatives of every x*f with respect to every PDF\n"
            "                  parameter: for each parameter P in the card's parameter order, 13\n"
            "                  columns named d(FLAV)/d(P) in the flavour order above, e.g.\n"
            "                  d(tbar)/d(uv.a),...,d(t)/d(uv.a),d(tbar)/d(uv.b),...\n"
            "  --grid          the grid path: tabulate the PDFs once on the knots of an LHAPDF6\n"
            "                  member (400 x from 1e-6 to 1, 50 Q per heavy-quark subgrid up to\n"
            "                  1e5 GeV; exact evolution at each knot) and interpolate every point\n"
            "                  as LHAPDF does (log-bicubic): ~1e-4 relative or better for\n"
            "                  1e-5 <= x <= 0.9 (docs/physics-evolution.md), ~0.1 us per point\n"
            "                  after a table build of about a second (docs/performance.md)\n"
            "  --threads T     OpenMP threads (default: OMP_NUM_THREADS or all cores)\n\n"
            "exit codes: 0 success, 2 bad card or bad input (message on stderr), 1 other failure\n");
}

int pf_cmd_evolve(int argc, char **argv)
{
    const char *card_path = NULL, *q2_text = NULL, *x_text = NULL;
    int grad = 0, grid = 0;
    size_t threads = 0;
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            evolve_usage(stdout);
            return PF_EXIT_OK;
        } else if (!strcmp(a, "--grad")) {
            grad = 1;
        } else if (!strcmp(a, "--grid")) {
            grid = 1;
        } else if (!strcmp(a, "--card") || !strcmp(a, "--q2") || !strcmp(a, "--x")
                   || !strcmp(a, "--threads")) {
            if (i + 1 >= argc) return pf_cli_usage_error("evolve", "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--card")) card_path = v;
            else if (!strcmp(a, "--q2")) q2_text = v;
            else if (!strcmp(a, "--x")) x_text = v;
            else if (pf_cli_parse_threads(v, &threads, &st)) return pf_cli_fail("evolve", &st);
        } else {
            return pf_cli_usage_error("evolve", "unknown argument '%s' ('partonflow evolve --help')", a);
        }
    }
    if (!card_path || !q2_text || !x_text)
        return pf_cli_usage_error("evolve", "--card, --q2 and --x are required ('partonflow evolve --help')");
    if (grad && grid)
        return pf_cli_usage_error("evolve", "--grad and --grid together: the grid path has no parameter "
                                            "derivatives; expected one of them");
    double *q2 = NULL, *x = NULL;
    size_t nq = 0, nx = 0;
    if (pf_cli_parse_list("--q2", q2_text, &q2, &nq, &st) || pf_cli_parse_list("--x", x_text, &x, &nx, &st)) {
        free(q2);
        return pf_cli_fail("evolve", &st);
    }
    int rc = PF_EXIT_OK;
    pf_card *card = malloc(sizeof *card);
    pf_evol *ev = NULL;
    pf_pdf *pdf = NULL;
    double *px = NULL, *pq = NULL, *xf = NULL, *dxf = NULL;
    for (size_t i = 0; i < nx; i++)
        if (!(x[i] > 0.0 && x[i] < 1.0)) {
            rc = pf_cli_usage_error("evolve", "--x: item %zu is %g; x must lie in (0, 1)", i + 1, x[i]);
            goto out;
        }
    if (!card) {
        pf_status_set(&st, PF_ENOMEM, "out of memory");
        rc = pf_cli_fail("evolve", &st);
        goto out;
    }
    if (pf_card_read(card_path, card, &st) || !(ev = pf_evol_create(&card->theory, &st))
        || !(pdf = pf_pdf_create(&card->pdf, &st))) {
        rc = pf_cli_fail("evolve", &st);
        goto out;
    }
    for (size_t i = 0; i < nq; i++)
        if (!(q2[i] >= pf_evol_q2min(ev) * (1.0 - 1e-12))) {
            rc = pf_cli_usage_error("evolve",
                                    "--q2: item %zu is %g GeV^2, below the minimum mu0^2 = %g GeV^2 "
                                    "of this card (evolution runs upwards only)",
                                    i + 1, q2[i], pf_evol_q2min(ev));
            goto out;
        }
    pf_cli_set_threads((int)threads);
    const size_t n = nq * nx, np = grad ? pf_pdf_nparams(pdf) : 0;
    px = malloc(sizeof(double) * n);
    pq = malloc(sizeof(double) * n);
    xf = malloc(sizeof(double) * n * PF_NOUT);
    if (grad) dxf = malloc(sizeof(double) * n * PF_NOUT * (np ? np : 1));
    if (!px || !pq || !xf || (grad && !dxf)) {
        pf_status_set(&st, PF_ENOMEM, "out of memory for %zu points", n);
        rc = pf_cli_fail("evolve", &st);
        goto out;
    }
    for (size_t a = 0; a < nq; a++)
        for (size_t b = 0; b < nx; b++) {
            pq[a * nx + b] = q2[a];
            px[a * nx + b] = x[b];
        }
    if (grid) {
        pf_pdfgrid *g = pf_pdfgrid_create(ev, NULL, &st);
        const int grc = !g || pf_pdfgrid_fill(g, ev, pdf, &st) || pf_pdfgrid_eval(g, n, px, pq, xf, &st);
        pf_pdfgrid_destroy(g);
        if (grc) {
            rc = pf_cli_fail("evolve", &st);
            goto out;
        }
    } else if (pf_evol_xf(ev, pdf, n, px, pq, xf, dxf, &st)) {
        rc = pf_cli_fail("evolve", &st);
        goto out;
    }
    fputs("q2,x,alphas", stdout);
    for (int k = 0; k < PF_NOUT; k++) printf(",%s", pf_flav_out_name[k]);
    for (size_t p = 0; p < np; p++)
        for (int k = 0; k < PF_NOUT; k++)
            printf(",d(%s)/d(%s)", pf_flav_out_name[k], pf_pdf_param_name(pdf, p));
    fputc('\n', stdout);
    for (size_t i = 0; i < n; i++) {
        printf("%.10e,%.10e,%.10e", pq[i], px[i], pf_evol_alphas(ev, pf_evol_mur2(ev, pq[i])));
        for (int k = 0; k < PF_NOUT; k++) printf(",%.10e", xf[i * PF_NOUT + k]);
        for (size_t p = 0; p < np; p++)
            for (int k = 0; k < PF_NOUT; k++) printf(",%.10e", dxf[(p * n + i) * PF_NOUT + k]);
        fputc('\n', stdout);
    }
    if (fflush(stdout)) rc = PF_EXIT_FAIL;
out:
    free(q2);
    free(x);
    free(px);
    free(pq);
    free(xf);
    free(dxf);
    pf_pdf_destroy(pdf);
    pf_evol_destroy(ev);
    free(card);
    return rc;
}
