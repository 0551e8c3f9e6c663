/* partonflow bench likelihood: ln L + gradient over N events, the normalisation, the
 * binned likelihood, prepare's event rows and normalisation quadrature, and the memory
 * traffic floor of the event pass (docs/performance.md, section likelihood). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "commands.h"
#include "partonflow/card.h"
#include "partonflow/cuda.h"
#include "partonflow/fit.h"
#include "partonflow/kernels/kinematics.h"
#include "partonflow/kernels/philox.h"
#include "partonflow/ops.h"
#include "partonflow/par.h"
#include "partonflow/pdf.h"

typedef struct ljob {
    pf_like *lk;
    pf_like *lkc;       /* the same events with compact stencil rows, expanded by the pass */
    pf_cuda_like *glk; /* --device cuda: the device copy of the same events */
    const pf_ops *ops;
    const pf_detector_card *det;
    const pf_prep_bins *bins;
    size_t np, n;
    const double *G, *dG, *x, *q2;
    double *grad, *c, *H, *stw;
    uint32_t *base;
    int want_grad;
} ljob;

static int run_events(void *p)
{
    ljob *j = p;
    double l;
    return pf_like_events(j->lk, j->G, j->dG, j->want_grad ? j->np : 0, &l, j->want_grad ? j->grad : NULL, NULL);
}
static int run_events_gpu(void *p)
{
    ljob *j = p;
    double l;
    return pf_cuda_like_events(j->glk, j->G, j->dG, j->want_grad ? j->np : 0, &l, j->want_grad ? j->grad : NULL,
                               NULL);
}
static int run_hist(void *p)
{
    ljob *j = p;
    double l;
    return pf_like_histogram(j->lk, j->G, j->dG, j->np, &l, j->grad, NULL);
}
static int run_nexp(void *p)
{
    ljob *j = p;
    double ne;
    pf_like_nexp(j->lk, j->G, j->dG, j->np, &ne, j->grad);
    return 0;
}
static int run_rows(void *p)
{
    ljob *j = p;
    return pf_prep_events_stencil(j->ops, j->det, j->n, j->x, j->q2, j->base, j->stw, NULL);
}
static int run_norm(void *p)
{
    ljob *j = p;
    return pf_prep_norm(j->ops, j->det, j->bins, 0, j->c, j->H, NULL);
}

/* Sustained read bandwidth (a sum over a large array) with the current threads: the event
 * pass reads its rows once and writes nothing of that size. */
static double read_bandwidth(size_t bytes)
{
    size_t n = bytes / sizeof(double);
    double *a = malloc(n * sizeof *a), best = 0.0, sink = 0.0;
    if (!a) return 0.0;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < (long)n; i++) a[i] = (double)(i & 7);
    /* 8 independent partial sums per thread (a single sum would be bound by the latency
     * of its additions, ~6 GB/s per core, not by memory) and the software prefetch the
     * event pass uses, so that this is the streaming read rate the pass can reach */
    const long n8 = (long)(n / 8);
    for (int r = 0; r < 5; r++) {
        double t0 = pf_bench_now(), s = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : s)
        for (long b = 0; b < n8; b++) {
            const double *p = a + (size_t)b * 8;
#ifdef __GNUC__
            __builtin_prefetch(p + 256);
#endif
            double l[8];
            for (int k = 0; k < 8; k++) l[k] = p[k];
            s += ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
        }
        double bw = (double)n8 * 8 * sizeof(double) / (pf_bench_now() - t0);
        sink += s;
        if (bw > best) best = bw;
    }
    free(a);
    return sink == -1.0 ? 0.0 : best;
}

/* Synthetic smeared-detector rows: event i's CSR row is a patch of 4 Q^2 rows x pc x
 * columns x (F2, FL) starting at its stencil (shifted to stay on the grid), weights the
 * stencil's f2, fl factors times positive Lorentzian profiles: the shape and size of the
 * rows prepare makes for a smeared detector, for timing the CSR pass. */
static int bench_csr(ljob *j, const pf_like_data *sd, size_t K, int tmax, int warmup, int repeats, int json,
                     pf_bench_result *res, int *nres, pf_status *st)
{
    const size_t n = sd->nevents, nx = sd->st_nx, nq = sd->ngrid / (2 * nx);
    size_t pc = K / 8 < 1 ? 1 : K / 8;
    if (pc > nx) pc = nx;
    const size_t kr = 8 * pc; /* entries per row */
    uint64_t *row = malloc((n + 1) * sizeof *row);
    uint32_t *col = malloc((n ? n : 1) * kr * sizeof *col);
    double *val = malloc((n ? n : 1) * kr * sizeof *val);
    if (!row || !col || !val) {
        free(row); free(col); free(val);
        return pf_status_set(st, PF_ENOMEM, "out of memory for %zu x %zu CSR entries", n, kr);
    }
    row[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const double *sw = sd->st_w + i * PF_LIKE_STW;
        size_t q0 = sd->st_base[i] / (2 * nx), x0 = (sd->st_base[i] % (2 * nx)) / 2;
        if (q0 + 4 > nq) q0 = nq - 4;
        if (x0 + pc > nx) x0 = nx - pc;
        uint64_t k = row[i];
        for (size_t r = 0; r < 4; r++)
            for (size_t c = 0; c < pc; c++)
                for (int a = 0; a < 2; a++) {
                    const double dr = (double)r - 1.5, dc = (double)c - 0.5 * (double)(pc - 1);
                    col[k] = (uint32_t)(((q0 + r) * nx + x0 + c) * 2 + (size_t)a);
                    val[k++] = fabs(sw[8 + a]) / ((1.0 + dr * dr) * (1.0 + 0.1 * dc * dc) * (double)pc);
                }
        row[i + 1] = k;
    }
    pf_like_data d = *sd;
    d.st_base = NULL;
    d.st_w = NULL;
    d.st_nx = 0;
    d.row_ptr = row;
    d.col = col;
    d.val = val;
    pf_like *keep = j->lk;
    j->lk = pf_like_create(&d, st);
    free(row); free(col); free(val);
    if (!j->lk) {
        j->lk = keep;
        return st->code;
    }
    static char names[8][3][48]; /* the results keep pointers to their names */
    static int slot = 0;
    char *ng = names[slot & 7][0], *nv = names[slot & 7][1], *nf = names[slot & 7][2];
    slot++;
    snprintf(ng, 48, "like_events_grad_csr%zu", kr);
    snprintf(nv, 48, "like_events_value_csr%zu", kr);
    snprintf(nf, 48, "like_traffic_floor_csr%zu", kr);
    int rc = PF_OK;
    const int tc[2] = {1, tmax};
    for (int t = 0; t < (tmax > 1 ? 2 : 1) && !rc; t++) {
        pf_cli_set_threads(tc[t]);
        pf_bench_result r = {ng, d.nevents_total, tc[t], pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        j->want_grad = 1;
        if (pf_bench_time(run_events, j, warmup, repeats, &r)) rc = pf_status_set(st, PF_EINTERNAL, "CSR ln L failed");
        res[(*nres)++] = r;
        pf_bench_result rv = {nv, d.nevents_total, tc[t], pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        j->want_grad = 0;
        if (!rc && pf_bench_time(run_events, j, warmup, repeats, &rv))
            rc = pf_status_set(st, PF_EINTERNAL, "CSR ln L failed");
        res[(*nres)++] = rv;
    }
    pf_cli_set_threads(tmax);
    if (!rc) {
        /* the pass reads the weights (8 B per entry), the row and run ranges and the runs */
        const double bytes = (double)d.nevents_total * ((double)kr * 8.0 + 16.0 + 4 * 8.0);
        const double bw = read_bandwidth((size_t)fmax(bytes / pf_par_size(), 4e8));
        pf_bench_result r = {nf, d.nevents_total, tmax, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        r.median_s = r.min_s = r.max_s = bw > 0 ? bytes / (bw * pf_par_size()) : 0;
        res[(*nres)++] = r;
        if (pf_par_rank() == 0 && !json)
            printf("# CSR rows of %zu entries: %.0f MB, read bandwidth %.1f GB/s\n", kr, bytes / 1e6, bw / 1e9);
    }
    pf_like_destroy(j->lk);
    j->lk = keep;
    return rc;
}

/* --likelihood FILE: the real rows of a likelihood.h5 (smeared detector: the response
 * operator's stencils and exact rows, or the exact CSR rows with --rows exact), G and dG
 * (every PDF parameter) from its card at the theory it names; like_events_grad_<kind> and
 * like_events_value_<kind> at 1 and T threads, kind = response | csr | perfect. */
static int bench_file(const char *path, int tmax, int warmup, int repeats, pf_bench_result *res, int *nres,
                      pf_status *st)
{
    pf_like_info info;
    char *yaml = NULL;
    pf_like *lk = pf_like_read(path, 1, &info, &yaml, st);
    if (!lk) return st->code;
    pf_card card;
    pf_ops *ops = NULL;
    pf_pdf *pdf = NULL;
    double *G = NULL, *dG = NULL, *grad = NULL;
    int rc = yaml ? pf_card_parse(yaml, strlen(yaml), path, &card, st) : pf_status_set(st, PF_EFORMAT, "%s: no card", path);
    if (!rc && !(ops = pf_ops_read(info.theory_path, st))) rc = st->code;
    if (!rc && !(pdf = pf_pdf_create(&card.pdf, st))) rc = st->code;
    const size_t np = pdf ? pf_pdf_nparams(pdf) : 0, ng = info.ngrid;
    if (!rc) {
        G = malloc(ng * sizeof *G), dG = malloc(np * ng * sizeof *dG), grad = malloc(np * sizeof *grad);
        if (!G || !dG || !grad) rc = pf_status_set(st, PF_ENOMEM, "out of memory");
    }
    if (!rc && pf_ops_ngrid(ops) != ng)
        rc = pf_status_set(st, PF_EINVAL, "%s: %zu grid values, its theory %s has %zu", path, ng, info.theory_path,
                           pf_ops_ngrid(ops));
    if (!rc) rc = pf_ops_grid_values(ops, pdf, G, dG, st);
    static char names[2][48];
    const char *kind = info.response ? "response" : strcmp(info.detector, "smeared") ? "perfect" : "csr";
    snprintf(names[0], sizeof names[0], "like_events_grad_%s", kind);
    snprintf(names[1], sizeof names[1], "like_events_value_%s", kind);
    ljob j = {.lk = lk, .np = np, .G = G, .dG = dG, .grad = grad};
    const int tc[2] = {1, tmax};
    for (int t = 0; t < (tmax > 1 ? 2 : 1) && !rc; t++) {
        pf_cli_set_threads(tc[t]);
        for (int want = 1; want >= 0 && !rc; want--) {
            j.want_grad = want;
            pf_bench_result r = {names[want ? 0 : 1], info.nevents, tc[t], pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
            if (pf_bench_time(run_events, &j, warmup, repeats, &r)) rc = pf_status_set(st, PF_EINTERNAL, "ln L failed");
            res[(*nres)++] = r;
        }
    }
    pf_cli_set_threads(tmax);
    free(G); free(dG); free(grad); free(yaml);
    pf_pdf_destroy(pdf);
    pf_ops_destroy(ops);
    pf_like_destroy(lk);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: partonflow bench likelihood [--events N[,N...]] [--threads T] [--card CARD] [--json]\n"
            "                                   [--repeats R] [--warmup W] [--device cpu|cuda]\n"
            "                                   [--csr K[,K...]] [--likelihood FILE]\n\n"
            "Likelihood timings (docs/performance.md, section likelihood); defaults N = 1e5,1e6,\n"
            "T = all cores, CARD = configs/cards/perfect.yaml.  Events: N points uniform in\n"
            "ln x, ln Q2 inside the cuts (fixed seed), rows from prepare (perfect detector,\n"
            "factored stencil rows as fit holds them: lane groups, ~87 bytes per event); G and dG at the card's\n"
            "parameters.\n"
            "  like_events_grad     ln L + gradient in every PDF parameter, at 1 and T threads\n"
            "                       (and ranks: run under mpirun)\n"
            "  like_events_value    ln L alone\n"
            "  like_events_grad_compact  the same events as compact rows (44 bytes per event),\n"
            "                       the weights formed in the pass (what fit holds when the\n"
            "                       whole rows would take more than a quarter of the memory)\n"
            "                       (with --device cuda, the default where a device is present\n"
            "                       in a CUDA build, both again on the device: device column)\n"
            "  like_traffic_floor   the rows' bytes as held (pf_like_row_bytes) / measured read bandwidth at T threads\n"
            "  like_nexp_grad       normalisation L c.G and its gradient L dG c (all parameters;\n"
            "                       _8par: 8 of them, what a fit of 8 free parameters needs)\n"
            "  like_histogram_grad  binned Poisson ln L + gradient (card's fit.bins)\n"
            "  like_events_grad_csrK, like_events_value_csrK (--csr K): the same events with\n"
            "                       synthetic smeared-detector CSR rows of K entries (a patch of\n"
            "                       4 Q2 rows x K/8 x columns x (F2, FL) around the event,\n"
            "                       positive weights; like_traffic_floor_csrK: 8 bytes per entry\n"
            "  like_events_grad_KIND, like_events_value_KIND (--likelihood FILE): the real rows of\n"
            "                       a likelihood.h5 from `prepare` (KIND response: the smeared\n"
            "                       detector's response operator; csr: --rows exact; perfect),\n"
            "                       G, dG in every PDF parameter from its card, 1 and T threads\n"
            "  prepare_rows         prepare's event rows for N events (perfect detector)\n"
            "  prepare_norm         prepare's normalisation and histogram quadrature\n");
}

int pf_bench_likelihood(int argc, char **argv)
{
    const char *card_path = "configs/cards/perfect.yaml", *device = NULL, *lfile = NULL;
    size_t threads = 0;
    int json = 0, repeats = 11, warmup = 1;
    double *ns = NULL, *csr = NULL;
    size_t nns = 0, ncsr = 0;
    pf_status st;
    pf_status_clear(&st);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            free(ns);
            return PF_EXIT_OK;
        }
        const char *a = argv[i];
        const int c = pf_bench_common_arg(argc, argv, &i, "bench likelihood", &json, &repeats, &warmup);
        if (c < 0) {
            free(ns);
            return PF_EXIT_USAGE;
        }
        if (c > 0) continue;
        int rc = PF_OK;
        if (i + 1 >= argc) {
            free(ns);
            return pf_cli_usage_error("bench likelihood", "%s needs a value or is unknown", a);
        }
        if (!strcmp(a, "--events")) {
            free(ns);
            ns = NULL;
            rc = pf_cli_parse_list("--events", argv[++i], &ns, &nns, &st);
        } else if (!strcmp(a, "--threads"))
            rc = pf_cli_parse_threads(argv[++i], &threads, &st);
        else if (!strcmp(a, "--card"))
            card_path = argv[++i];
        else if (!strcmp(a, "--likelihood"))
            lfile = argv[++i];
        else if (!strcmp(a, "--device"))
            device = argv[++i];
        else if (!strcmp(a, "--csr")) {
            free(csr);
            csr = NULL;
            rc = pf_cli_parse_list("--csr", argv[++i], &csr, &ncsr, &st);
        }
        else {
            free(ns);
            return pf_cli_usage_error("bench likelihood", "unknown argument '%s' ('partonflow bench likelihood --help')",
                                      a);
        }
        if (rc) {
            free(ns);
            return pf_cli_fail("bench likelihood", &st);
        }
    }
    if (!ns) {
        ns = malloc(2 * sizeof *ns);
        ns[0] = 1e5;
        ns[1] = 1e6;
        nns = 2;
    }
    int use_cuda = 0;
    char devlabel[300];
    if (pf_cuda_select_device(device, &use_cuda, devlabel, sizeof devlabel, &st)) {
        free(ns);
        return pf_cli_fail("bench likelihood", &st);
    }
    if (use_cuda && pf_par_size() > 1) {
        if (device) {
            free(ns);
            return pf_cli_usage_error("bench likelihood", "--device cuda: one rank only (no MPI reduction on the device)");
        }
        use_cuda = 0;
    }
    const int tmax = pf_cli_set_threads((int)threads);
    pf_card card;
    if (pf_card_read(card_path, &card, &st)) {
        free(ns);
        return pf_cli_fail("bench likelihood", &st);
    }
    pf_ops *ops = pf_ops_build(&card, &st);
    pf_pdf *pdf = ops ? pf_pdf_create(&card.pdf, &st) : NULL;
    if (!ops || !pdf) {
        pf_ops_destroy(ops);
        free(ns);
        return pf_cli_fail("bench likelihood", &st);
    }
    const size_t np = pf_pdf_nparams(pdf), ng = pf_ops_ngrid(ops);
    pf_prep_bins bins;
    pf_prep_bins_from_cuts(ops, card.fit.present ? card.fit.bins_x : 20, card.fit.present ? card.fit.bins_q2 : 12,
                           &bins);
    const size_t nb = (size_t)bins.nx * (size_t)bins.nq2;
    double *G = malloc(ng * sizeof *G), *dG = malloc(np * ng * sizeof *dG), *grad = malloc(np * sizeof *grad);
    double *c = malloc(ng * sizeof *c), *H = malloc(nb * ng * sizeof *H);
    int rc = (!G || !dG || !grad || !c || !H) ? pf_status_set(&st, PF_ENOMEM, "out of memory") : PF_OK;
    if (!rc) rc = pf_ops_grid_values(ops, pdf, G, dG, &st);
    ljob j = {.ops = ops, .det = &card.detector, .bins = &bins, .np = np, .G = G, .dG = dG, .grad = grad, .c = c,
              .H = H};
    pf_bench_result res[64];
    int nres = 0;
    if (!rc) {
        pf_bench_result r = {"prepare_norm", ng, 1, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        if (pf_bench_time(run_norm, &j, 0, repeats < 3 ? repeats : 3, &r))
            rc = pf_status_set(&st, PF_EINTERNAL, "normalisation failed");
        res[nres++] = r;
    }
    double cuts[7], s, al;
    pf_ops_kinematics(ops, cuts, &s, &al);
    for (size_t k = 0; k < nns && !rc && nres < 50; k++) {
        const size_t ntot = (size_t)ns[k];
        size_t b, e;
        pf_like_range(ntot, pf_par_rank(), pf_par_size(), &b, &e);
        const size_t n = e - b;
        double *x = malloc((n ? n : 1) * sizeof *x), *q2 = malloc((n ? n : 1) * sizeof *q2);
        double *stw = malloc((n ? n : 1) * PF_LIKE_STW * sizeof *stw);
        uint32_t *base = malloc((n ? n : 1) * sizeof *base);
        int32_t *bin = malloc((n ? n : 1) * sizeof *bin);
        if (!x || !q2 || !stw || !base || !bin) {
            rc = pf_status_set(&st, PF_ENOMEM, "out of memory for %zu events", n);
            free(x); free(q2); free(stw); free(base); free(bin);
            break;
        }
        /* event i: rejection sampling on its own stream, so any split sees the same events */
        for (size_t i = 0; i < n; i++)
            for (uint64_t t = 0;; t += 2) {
                const double lx = log(cuts[PF_CUT_X_MIN]) +
                                  log(cuts[PF_CUT_X_MAX] / cuts[PF_CUT_X_MIN]) * pf_rng_uniform(2025, b + i, t);
                const double lq = log(cuts[PF_CUT_Q2_MIN]) +
                                  log(cuts[PF_CUT_Q2_MAX] / cuts[PF_CUT_Q2_MIN]) * pf_rng_uniform(2025, b + i, t + 1);
                if (pf_kin_in_cuts(cuts, exp(lx), exp(lq), s)) {
                    x[i] = exp(lx);
                    q2[i] = exp(lq);
                    break;
                }
            }
        j.n = n;
        j.x = x;
        j.q2 = q2;
        j.base = base;
        j.stw = stw;
        pf_bench_result rr = {"prepare_rows", ntot, tmax, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
        if (pf_bench_time(run_rows, &j, warmup, repeats < 5 ? repeats : 5, &rr))
            rc = pf_status_set(&st, PF_EDOMAIN, "an event is outside the grid");
        res[nres++] = rr;
        for (size_t i = 0; i < n; i++) bin[i] = pf_prep_bin_of(&bins, x[i], q2[i]);
        pf_like_data d = {.ngrid = ng, .nevents_total = ntot, .first_event = b, .nevents = n, .st_base = base,
                          .st_w = stw, .st_nx = pf_ops_nx(ops), .bin = bin, .c = c, .luminosity = 1.0,
                          .nbins = nb, .H = H};
        /* the same rows compact, as prepare writes them; fit expands them on reading
         * unless they would take more than a quarter of the memory (like_io.c) */
        double *loc = malloc((n ? n : 1) * PF_LIKE_STL * sizeof *loc), *xfv = malloc((n ? n : 1) * sizeof *xfv);
        uint32_t *base2 = malloc((n ? n : 1) * sizeof *base2);
        if (!rc && (!loc || !xfv || !base2)) rc = pf_status_set(&st, PF_ENOMEM, "out of memory for %zu events", n);
        if (!rc && pf_prep_events_stencil_local(ops, j.det, n, x, q2, base2, loc, xfv, &st)) rc = st.code;
        pf_like_data dc = d;
        dc.st_base = base2, dc.st_w = NULL, dc.st_loc = loc, dc.st_xf = xfv, dc.st_xpow = pf_ops_xpow(ops);
        if (!rc) {
            j.lk = pf_like_create(&d, &st);
            j.lkc = j.lk ? pf_like_create(&dc, &st) : NULL;
            if (!j.lk || !j.lkc) rc = st.code;
        }
        free(loc); free(xfv); free(base2);
        if (!rc && use_cuda) {
            j.glk = pf_cuda_like_create(&d, 0, &st);
            if (!j.glk) rc = st.code;
        }
        free(x); free(q2);
        for (size_t kc = 0; kc < ncsr && !rc && nres < 56; kc++)
            rc = bench_csr(&j, &d, (size_t)csr[kc], tmax, warmup, repeats, json, res, &nres, &st);
        free(stw); free(base); free(bin);
        const int tc[2] = {1, tmax};
        for (int t = 0; t < (tmax > 1 ? 2 : 1) && !rc; t++) {
            pf_cli_set_threads(tc[t]);
            j.want_grad = 1;
            pf_bench_result r = {"like_events_grad", ntot, tc[t], pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
            if (pf_bench_time(run_events, &j, warmup, repeats, &r)) rc = pf_status_set(&st, PF_EINTERNAL, "ln L failed");
            res[nres++] = r;
            j.want_grad = 0;
            pf_bench_result rv = {"like_events_value", ntot, tc[t], pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
            if (!rc && pf_bench_time(run_events, &j, warmup, repeats, &rv))
                rc = pf_status_set(&st, PF_EINTERNAL, "ln L failed");
            res[nres++] = rv;
            /* the compact rows (44 bytes per event instead of 84, weights formed in the pass) */
            pf_like *lkw = j.lk;
            j.lk = j.lkc;
            j.want_grad = 1;
            pf_bench_result rw = {"like_events_grad_compact", ntot, tc[t], pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
            if (!rc && pf_bench_time(run_events, &j, warmup, repeats, &rw))
                rc = pf_status_set(&st, PF_EINTERNAL, "ln L failed");
            res[nres++] = rw;
            j.lk = lkw;
        }
        pf_cli_set_threads(tmax);
        for (int want = 1; want >= 0 && j.glk && !rc; want--) {
            j.want_grad = want;
            pf_bench_result r = {want ? "like_events_grad" : "like_events_value", ntot, 1, 1, 0, 0, 0, 0, 0, 0,
                                 devlabel};
            if (pf_bench_time(run_events_gpu, &j, warmup, repeats, &r)) rc = pf_status_set(&st, PF_ECUDA, "ln L on the device failed");
            res[nres++] = r;
        }
        if (!rc) {
            /* the rows as the pass reads them (lane groups), all ranks */
            const double bytes = (double)pf_like_row_bytes(j.lk) * (double)ntot / (double)(d.nevents ? d.nevents : 1);
            const double bw = read_bandwidth((size_t)fmax(bytes / pf_par_size(), 4e8));
            pf_bench_result r = {"like_traffic_floor", ntot, tmax, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
            /* ranks share the node's memory bus: the floor is for the whole machine */
            r.median_s = r.min_s = r.max_s = bw > 0 ? bytes / (bw * pf_par_size()) : 0;
            res[nres++] = r;
            if (pf_par_rank() == 0 && !json)
                printf("# N = %zu: rows %.0f MB, read bandwidth %.1f GB/s per rank at %d thread(s)\n", ntot, bytes / 1e6,
                       bw / 1e9, tmax);
        }
        if (!rc && k == 0) {
            /* the normalisation and its gradient (all parameters, then 8: a fit's free set,
             * the fit passes only those rows) with 1 and with tmax threads */
            const size_t npall = j.np;
            const int tn[2] = {1, tmax};
            for (int t = 0; t < (tmax > 1 ? 2 : 1); t++) {
                pf_cli_set_threads(tn[t]);
                pf_bench_result r = {"like_nexp_grad", ng, tn[t], pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
                pf_bench_time(run_nexp, &j, warmup, repeats * 100, &r);
                res[nres++] = r;
                j.np = npall < 8 ? npall : 8;
                pf_bench_result r8 = {"like_nexp_grad_8par", ng, tn[t], pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
                pf_bench_time(run_nexp, &j, warmup, repeats * 100, &r8);
                res[nres++] = r8;
                j.np = npall;
            }
            pf_cli_set_threads(tmax);
            pf_bench_result rh = {"like_histogram_grad", nb, 1, pf_par_size(), 0, 0, 0, 0, 0, 0, "cpu"};
            if (pf_bench_time(run_hist, &j, warmup, repeats, &rh)) rc = pf_status_set(&st, PF_EINTERNAL, "hist failed");
            res[nres++] = rh;
        }
        pf_like_destroy(j.lk);
        pf_like_destroy(j.lkc);
        j.lk = NULL;
        j.lkc = NULL;
        pf_cuda_like_destroy(j.glk);
        j.glk = NULL;
    }
    if (!rc && lfile) rc = bench_file(lfile, tmax, warmup, repeats, res, &nres, &st);
    if (!rc && pf_par_rank() == 0) {
        if (!json)
            printf("# grid %zu x %zu = %zu values, %zu PDF parameters in the gradient, %zu bins\n", pf_ops_nx(ops),
                   pf_ops_nq2(ops), ng, np, nb);
        pf_bench_print_header(stdout, json);
        for (int i = 0; i < nres; i++) pf_bench_print(stdout, &res[i], json);
    }
    free(G); free(dG); free(grad); free(c); free(H); free(ns); free(csr);
    pf_pdf_destroy(pdf);
    pf_ops_destroy(ops);
    return rc ? pf_cli_fail("bench likelihood", &st) : PF_EXIT_OK;
}
