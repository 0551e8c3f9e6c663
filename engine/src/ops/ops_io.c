/* partonflow ops: theory.h5 (schema "partonflow.theory" version 1), written and read
 * through the io layer (docs/artefacts.md, section theory.h5).
 *
 * Complex arrays are stored as real arrays with a last dimension of 2 (re, im), so that
 * h5py users get plain float64 arrays. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"
#include "partonflow/h5.h"
#include "partonflow/kernels/kinematics.h"

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        if ((rc = (expr)) != PF_OK) goto fail;                                                     \
    } while (0)

/* theory.h5 datasets of the neutral-current pieces (ops_internal.h Kp) */
static const char *const ew_piece_path[3][PF_EW_NPIECE] = {
    {NULL, "/ops/K_F2_gZ", "/ops/K_F2_Z"}, {NULL, "/ops/K_FL_gZ", "/ops/K_FL_Z"}, {NULL, "/ops/K_F3_gZ", "/ops/K_F3_Z"}};

int pf_ops_write(const pf_ops *o, const char *path, pf_status *st)
{
    int rc = PF_OK;
    char *yaml = pf_card_to_yaml(&o->card);
    if (!yaml) return pf_status_set(st, PF_ENOMEM, "pf_ops_write: cannot format the card");
    pf_h5_meta meta = {yaml, o->command_line, 0, 0};
    pf_h5 *h = pf_h5_create(path, PF_OPS_SCHEMA, PF_OPS_SCHEMA_VERSION, &meta, st);
    free(yaml);
    if (!h) return st ? st->code : PF_EIO;

    const size_t nx = o->nx, nq = o->nq2, nn = o->nn;
    const int nseg = o->qaxis.nseg;
    double *buf = malloc((nx > nq ? nx : nq) * nn * 2 * sizeof *buf);
    double edges[PF_INTERP_MAXSEG + 1];
    int64_t first[PF_INTERP_MAXSEG], cnt[PF_INTERP_MAXSEG];
    if (!buf) {
        pf_h5_abort(h);
        return pf_status_set(st, PF_ENOMEM, "pf_ops_write: out of memory");
    }
    /* grid */
    size_t d[4] = {nx, 0, 0, 0};
    TRY(pf_h5_write(h, "/grid/logx", PF_H5_DOUBLE, 1, d, o->logx, "ln x", st));
    d[0] = 2;
    TRY(pf_h5_write(h, "/grid/x_edges", PF_H5_DOUBLE, 1, d, o->xaxis.edge, "ln(x/(1-x))", st));
    d[0] = nq;
    TRY(pf_h5_write(h, "/grid/logq2", PF_H5_DOUBLE, 1, d, o->logq2, "ln(Q2/GeV^2)", st));
    TRY(pf_h5_write(h, "/grid/q2_eval", PF_H5_DOUBLE, 1, d, o->q2eval, "GeV^2", st));
    for (int g = 0; g <= nseg; g++) edges[g] = o->qaxis.edge[g];
    for (int g = 0; g < nseg; g++) {
        first[g] = o->qaxis.first[g];
        cnt[g] = o->qaxis.n[g];
    }
    d[0] = (size_t)nseg + 1;
    TRY(pf_h5_write(h, "/grid/q2_segment_edges", PF_H5_DOUBLE, 1, d, edges, "ln(Q2/GeV^2)", st));
    d[0] = (size_t)nseg;
    TRY(pf_h5_write(h, "/grid/q2_segment_first", PF_H5_INT64, 1, d, first, NULL, st));
    TRY(pf_h5_write(h, "/grid/q2_segment_n", PF_H5_INT64, 1, d, cnt, NULL, st));
    TRY(pf_h5_set_attr_int64(h, "/grid", "xpow", PF_OPS_XPOW, st));
    TRY(pf_h5_set_attr_string(h, "/grid", "x_interpolation",
                              "cubic Lagrange in u = ln(x/(1-x)) on F/(1-x)^xpow, nodes uniform in u "
                              "from x_edges[0] to x_edges[1]", st));
    TRY(pf_h5_set_attr_string(h, "/grid", "q2_interpolation",
                              "cubic Lagrange in ln Q2, uniform within each segment, no stencil across "
                              "segment edges (flavour thresholds)", st));
    /* kinematics */
    TRY(pf_h5_set_attr_double(h, "/grid", "s", o->s, st));
    TRY(pf_h5_set_attr_double(h, "/grid", "alpha_em", o->alpha, st));
    TRY(pf_h5_set_attr_doubles(h, "/grid", "cuts", o->cuts, PF_NCUTS, st));
    TRY(pf_h5_set_attr_string(h, "/grid", "cuts_order", "q2_min, q2_max, x_min, x_max, y_min, y_max, w2_min", st));
    /* Mellin nodes and the inverse-Mellin kernel c_n(x_i) */
    for (size_t n = 0; n < nn; n++) {
        buf[2 * n] = creal(o->nodes[n]);
        buf[2 * n + 1] = cimag(o->nodes[n]);
    }
    d[0] = nn;
    d[1] = 2;
    TRY(pf_h5_write(h, "/mellin/nodes", PF_H5_DOUBLE, 2, d, buf, NULL, st));
    for (size_t i = 0; i < nx; i++)
        for (size_t n = 0; n < nn; n++) {
            buf[(i * nn + n) * 2] = o->Cs[i * 2 * nn + n];
            buf[(i * nn + n) * 2 + 1] = o->Cs[i * 2 * nn + nn + n];
        }
    d[0] = nx;
    d[1] = nn;
    d[2] = 2;
    TRY(pf_h5_write(h, "/mellin/kernel", PF_H5_DOUBLE, 3, d, buf, NULL, st));
    /* structure-function operators, complex as [.., 2] */
    size_t d4[4] = {nq, nn, PF_NIN, 2};
    TRY(pf_h5_write(h, "/ops/K_F2", PF_H5_DOUBLE, 4, d4, (const double *)o->K[PF_OBS_F2], NULL, st));
    TRY(pf_h5_write(h, "/ops/K_FL", PF_H5_DOUBLE, 4, d4, (const double *)o->K[PF_OBS_FL], NULL, st));
    if (o->ew == PF_OPS_EW_CC) {
        TRY(pf_h5_write(h, "/ops/K_F3", PF_H5_DOUBLE, 4, d4, (const double *)o->K3, NULL, st));
        TRY(pf_h5_set_attr_string(h, "/ops", "electroweak_pieces",
                                  "charged current: K_F2, K_FL, K_F3 are W2, WL, xW3 of the card's lepton charge "
                                  "(unpolarised; e-p: u-type quarks and d-type antiquarks, e+p the conjugates, "
                                  "|V_ij|^2 weights); the grid's F2 slot is W2 - s y xW3 and its FL slot WL + "
                                  "s (1 - y) xW3, and d2sigma = (1 + s P) G_F^2 / (4 pi x) [mw^2/(mw^2 + Q^2)]^2 "
                                  "(Y+ F2slot - y^2 FLslot) (docs/physics-ew.md)",
                                  st));
    } else if (o->ew) {
        for (int a = 0; a < 3; a++)
            for (int p = PF_EW_GAMMA_Z; p < PF_EW_NPIECE; p++)
                TRY(pf_h5_write(h, ew_piece_path[a][p], PF_H5_DOUBLE, 4, d4, (const double *)o->Kp[a][p], NULL, st));
        TRY(pf_h5_set_attr_string(h, "/ops", "electroweak_pieces",
                                  "neutral current: K_F2 and K_FL are the photon-exchange pieces, K_<a>_gZ the "
                                  "gamma-Z interference and K_<a>_Z the Z-exchange pieces of F~2, F~L, xF~3 "
                                  "(a = F2, FL, F3; parton weights 2 e_q v_q kappa_Z, (v_q^2 + a_q^2) kappa_Z^2 "
                                  "for F2, FL and 2 e_q a_q kappa_Z, 2 v_q a_q kappa_Z^2 for F3); F~a = K_a + "
                                  "c_a,gZ K_a_gZ + c_a,Z K_a_Z with the lepton's coefficients of docs/physics-ew.md",
                                  st));
    }
    size_t d5[4] = {nq, nn, PF_NOUT * PF_NIN, 2};
    TRY(pf_h5_write(h, "/ops/K_pdf", PF_H5_DOUBLE, 4, d5, (const double *)o->Kpdf, NULL, st));
    TRY(pf_h5_set_attr_string(h, "/ops", "K_pdf_definition",
                              "x f_k(x_i, Q2_q) = sum_n sum_j Im[ c_n(x_i) K_pdf[q, n, k*11 + j] M_j(N_n) ], k "
                              "over tbar bbar cbar sbar ubar dbar g d u s c b t", st));
    TRY(pf_h5_set_attr_string(h, "/ops", "definition",
                              "F_a(x_i, Q2_q) = sum_n sum_j Im[ c_n(x_i) K_a[q, n, j] M_j(N_n) ], c_n = "
                              "/mellin/kernel, M_j the input moments at mu0 (flavours uv dv ubar dbar s "
                              "sbar c cbar b bbar g)", st));
    free(buf);
    return pf_h5_commit(h, st);
fail:
    free(buf);
    pf_h5_abort(h);
    return rc;
}

/* theory.h5's structure (h5.h pf_h5_schema, docs/artefacts.md "Validation"), checked before
 * any payload is read.  Symbols: nx, nq2, nn, nseg (bound by the first dataset that has
 * them); nin, nout_nin preset (the flavour counts of this build). */
static const pf_h5_field theory_fields[] = {
    {.path = "/grid/logx", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"nx"}, .rules = PF_H5_FINITE},
    {.path = "/grid/logq2", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"nq2"}, .rules = PF_H5_FINITE},
    {.path = "/grid/x_edges", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"2"}, .rules = PF_H5_FINITE},
    {.path = "/grid/q2_segment_n", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"nseg"}},
    {.path = "/grid/q2_segment_first", .cls = PF_H5_INTEGER_CLASS, .rank = 1, .dims = {"nseg"}},
    {.path = "/grid/q2_segment_edges", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"nseg + 1"},
     .rules = PF_H5_FINITE},
    {.path = "/mellin/nodes", .cls = PF_H5_FLOAT_CLASS, .rank = 2, .dims = {"nn", "2"}, .rules = PF_H5_FINITE,
     .unit = "entry"},
    {.path = "/mellin/kernel", .cls = PF_H5_FLOAT_CLASS, .rank = 3, .dims = {"nx", "nn", "2"}, .rules = PF_H5_FINITE,
     .unit = "entry"},
    {.path = "/ops/K_F2", .cls = PF_H5_FLOAT_CLASS, .rank = 4, .dims = {"nq2", "nn", "nin", "2"},
     .rules = PF_H5_FINITE, .unit = "entry"},
    {.path = "/ops/K_FL", .cls = PF_H5_FLOAT_CLASS, .rank = 4, .dims = {"nq2", "nn", "nin", "2"},
     .rules = PF_H5_FINITE, .unit = "entry"},
    {.path = "/ops/K_pdf", .cls = PF_H5_FLOAT_CLASS, .rank = 4, .dims = {"nq2", "nn", "nout_nin", "2"},
     .rules = PF_H5_FINITE, .unit = "entry"},
};
static const pf_h5_schema theory_schema = {PF_OPS_SCHEMA, theory_fields, sizeof theory_fields / sizeof *theory_fields};

/* Reads a dataset that must exist with exactly the given rank and dims. */
static int read_exact(pf_h5 *h, const char *path, const char *dset, pf_h5_type type, int rank,
                      const size_t *want, void **data, pf_status *st)
{
    if (!pf_h5_exists(h, dset))
        return pf_status_set(st, PF_EFORMAT, "%s: not a complete theory file: dataset %s is missing", path, dset);
    int r;
    size_t dims[PF_H5_MAX_RANK];
    int rc = pf_h5_read(h, dset, type, &r, dims, data, st);
    if (rc) return rc;
    int ok = r == rank;
    for (int k = 0; ok && k < rank; k++) ok = dims[k] == want[k];
    if (!ok) {
        free(*data);
        *data = NULL;
        return pf_status_set(st, PF_EFORMAT, "%s: dataset %s has rank %d dims %zu x %zu x %zu x %zu, expected rank %d "
                             "dims %zu x %zu x %zu x %zu",
                             path, dset, r, dims[0], r > 1 ? dims[1] : 0, r > 2 ? dims[2] : 0, r > 3 ? dims[3] : 0,
                             rank, want[0], rank > 1 ? want[1] : 0, rank > 2 ? want[2] : 0, rank > 3 ? want[3] : 0);
    }
    return PF_OK;
}

pf_ops *pf_ops_read(const char *path, pf_status *st)
{
    pf_h5 *h = pf_h5_open(path, PF_OPS_SCHEMA, PF_OPS_SCHEMA_VERSION, st);
    if (!h) return NULL;
    pf_ops *o = NULL;
    void *logx = NULL, *xe = NULL, *logq2 = NULL, *edges = NULL, *first = NULL, *cnt = NULL, *nodes = NULL,
         *kern = NULL, *k2 = NULL, *kl = NULL, *kp = NULL;
    int rc = PF_OK;
    pf_card card;
    const char *yaml = pf_h5_card_yaml(h);
    if (!yaml || !*yaml) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: /meta holds no card", path);
        goto fail;
    }
    if ((rc = pf_card_parse(yaml, strlen(yaml), path, &card, st)) != PF_OK) {
        pf_status_prefix(st, "%s: the card stored in /meta does not parse: ", path);
        rc = st ? (st->code = PF_EFORMAT) : PF_EFORMAT;
        goto fail;
    }
    pf_h5_syms sym = {0};
    uint64_t sx = 0, sq = 0, sn = 0, ss = 0;
    TRY(pf_h5_sym_set(&sym, "nin", PF_NIN, st));
    TRY(pf_h5_sym_set(&sym, "nout_nin", PF_NOUT * PF_NIN, st));
    TRY(pf_h5_check(h, &theory_schema, &sym, st));
    TRY(pf_h5_sym_get(&sym, "nx", &sx, st));
    TRY(pf_h5_sym_get(&sym, "nq2", &sq, st));
    TRY(pf_h5_sym_get(&sym, "nn", &sn, st));
    TRY(pf_h5_sym_get(&sym, "nseg", &ss, st));
    const size_t nx = (size_t)sx, nq = (size_t)sq, nn = (size_t)sn, nseg = (size_t)ss;
    if (nx < 4 || nq < 4 || nn < 1 || nx > 100000 || nq > 100000 || nn > 100000 || nseg < 1 ||
        nseg > PF_INTERP_MAXSEG) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: implausible grid (%zu x %zu points, %zu nodes, %zu Q2 segments)", path,
                           nx, nq, nn, nseg);
        goto fail;
    }
    size_t w[4] = {2, 0, 0, 0};
    TRY(read_exact(h, path, "/grid/x_edges", PF_H5_DOUBLE, 1, w, &xe, st));
    w[0] = nseg + 1;
    TRY(read_exact(h, path, "/grid/q2_segment_edges", PF_H5_DOUBLE, 1, w, &edges, st));
    w[0] = nseg;
    TRY(read_exact(h, path, "/grid/q2_segment_first", PF_H5_INT64, 1, w, &first, st));
    TRY(read_exact(h, path, "/grid/q2_segment_n", PF_H5_INT64, 1, w, &cnt, st));
    pf_interp_axis xa = {0}, qa = {0};
    xa.nseg = 1;
    xa.edge[0] = ((double *)xe)[0];
    xa.edge[1] = ((double *)xe)[1];
    xa.n[0] = (int)nx;
    qa.nseg = (int)nseg;
    int64_t next = 0;
    int okax = xa.edge[0] < xa.edge[1];
    for (size_t g = 0; g < nseg; g++) {
        const int64_t f = ((int64_t *)first)[g], n = ((int64_t *)cnt)[g];
        okax &= f == next && n >= 4 && ((double *)edges)[g] < ((double *)edges)[g + 1];
        qa.first[g] = (int)f;
        qa.n[g] = (int)n;
        qa.edge[g] = ((double *)edges)[g];
        next = f + n;
    }
    qa.edge[nseg] = ((double *)edges)[nseg];
    pf_interp_axis_finish(&xa);
    pf_interp_axis_finish(&qa);
    if (!okax || next != (int64_t)nq) {
        rc = pf_status_set(st, PF_EFORMAT, "%s: inconsistent grid axes (segments, edges or node counts)", path);
        goto fail;
    }
    o = pf_ops_alloc(&xa, &qa, nn, st);
    if (!o) {
        rc = st ? st->code : PF_ENOMEM;
        goto fail;
    }
    pf_ops_set_card(o, &card);
    TRY(pf_ops_ew_setup(o, st));
    o->checksum = pf_h5_checksum(h);
    /* the stored node positions must be the ones the axes imply */
    w[0] = nx;
    TRY(read_exact(h, path, "/grid/logx", PF_H5_DOUBLE, 1, w, &logx, st));
    w[0] = nq;
    TRY(read_exact(h, path, "/grid/logq2", PF_H5_DOUBLE, 1, w, &logq2, st));
    for (size_t i = 0; i < nx; i++)
        if (!(fabs(((double *)logx)[i] - o->logx[i]) <= 1e-12 * (1.0 + fabs(o->logx[i])))) {
            rc = pf_status_set(st, PF_EFORMAT, "%s: /grid/logx[%zu] does not match the x axis", path, i);
            goto fail;
        }
    for (size_t q = 0; q < nq; q++)
        if (!(fabs(((double *)logq2)[q] - o->logq2[q]) <= 1e-12 * (1.0 + fabs(o->logq2[q])))) {
            rc = pf_status_set(st, PF_EFORMAT, "%s: /grid/logq2[%zu] does not match the Q2 axis", path, q);
            goto fail;
        }
    size_t w2[4] = {nn, 2, 0, 0};
    TRY(read_exact(h, path, "/mellin/nodes", PF_H5_DOUBLE, 2, w2, &nodes, st));
    size_t w3[4] = {nx, nn, 2, 0};
    TRY(read_exact(h, path, "/mellin/kernel", PF_H5_DOUBLE, 3, w3, &kern, st));
    size_t w4[4] = {nq, nn, PF_NIN, 2};
    TRY(read_exact(h, path, "/ops/K_F2", PF_H5_DOUBLE, 4, w4, &k2, st));
    TRY(read_exact(h, path, "/ops/K_FL", PF_H5_DOUBLE, 4, w4, &kl, st));
    size_t w5[4] = {nq, nn, PF_NOUT * PF_NIN, 2};
    TRY(read_exact(h, path, "/ops/K_pdf", PF_H5_DOUBLE, 4, w5, &kp, st));
    TRY(pf_h5_check_values(h, &theory_schema, "/mellin/nodes", PF_H5_DOUBLE, nodes, 0, nn * 2, &sym, st));
    TRY(pf_h5_check_values(h, &theory_schema, "/mellin/kernel", PF_H5_DOUBLE, kern, 0, nx * nn * 2, &sym, st));
    TRY(pf_h5_check_values(h, &theory_schema, "/ops/K_F2", PF_H5_DOUBLE, k2, 0, nq * nn * PF_NIN * 2, &sym, st));
    TRY(pf_h5_check_values(h, &theory_schema, "/ops/K_FL", PF_H5_DOUBLE, kl, 0, nq * nn * PF_NIN * 2, &sym, st));
    TRY(pf_h5_check_values(h, &theory_schema, "/ops/K_pdf", PF_H5_DOUBLE, kp, 0, nq * nn * PF_NOUT * PF_NIN * 2, &sym,
                           st));
    memcpy(o->Kpdf, kp, nq * nn * PF_NOUT * PF_NIN * sizeof(double complex));
    for (size_t n = 0; n < nn; n++) o->nodes[n] = ((double *)nodes)[2 * n] + I * ((double *)nodes)[2 * n + 1];
    for (size_t i = 0; i < nx; i++)
        for (size_t n = 0; n < nn; n++) {
            o->Cs[i * 2 * nn + n] = ((double *)kern)[(i * nn + n) * 2];
            o->Cs[i * 2 * nn + nn + n] = ((double *)kern)[(i * nn + n) * 2 + 1];
        }
    memcpy(o->K[PF_OBS_F2], k2, nq * nn * PF_NIN * sizeof(double complex));
    memcpy(o->K[PF_OBS_FL], kl, nq * nn * PF_NIN * sizeof(double complex));
    /* the electroweak operators: NC's gamma-Z and Z pieces, or CC's xW3 */
    const char *ewset[6];
    double complex *ewdst[6];
    int nset = 0;
    if (o->ew == PF_OPS_EW_CC) {
        ewset[nset] = "/ops/K_F3";
        ewdst[nset++] = o->K3;
    } else if (o->ew) {
        for (int a = 0; a < 3; a++)
            for (int p = PF_EW_GAMMA_Z; p < PF_EW_NPIECE; p++) {
                ewset[nset] = ew_piece_path[a][p];
                ewdst[nset++] = o->Kp[a][p];
            }
    }
    for (int k = 0; k < nset; k++) {
        void *kx = NULL;
        TRY(read_exact(h, path, ewset[k], PF_H5_DOUBLE, 4, w4, &kx, st));
        for (size_t e = 0; e < nq * nn * PF_NIN * 2; e++)
            if (!isfinite(((double *)kx)[e])) {
                free(kx);
                rc = pf_status_set(st, PF_EFORMAT, "%s: dataset %s entry %zu is not finite: expected finite numbers",
                                   path, ewset[k], e);
                goto fail;
            }
        memcpy(ewdst[k], kx, nq * nn * PF_NIN * sizeof(double complex));
        free(kx);
    }
    pf_ops_ew_combine(o);
fail:
    free(logx); free(xe); free(logq2); free(edges); free(first); free(cnt); free(nodes); free(kern);
    free(k2); free(kl); free(kp);
    pf_h5_close(h);
    if (rc != PF_OK) {
        pf_ops_destroy(o);
        return NULL;
    }
    return o;
}
