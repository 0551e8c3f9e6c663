/* The LHAPDF6 export of a fit (lhapdf.h): reads fit.h5 (and the replicas), evolves every
 * member exactly onto the knots of pdfgrid.h and writes the set folder atomically. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "partonflow/card.h"
#include "partonflow/evol.h"
#include "partonflow/h5.h"
#include "partonflow/lhapdf.h"
#include "partonflow/pdf.h"
#include "pf_config.h"

#define FIT_SCHEMA "partonflow.fit"
#define FIT_SCHEMA_VERSION 1
#define MZ 91.1876

typedef struct fitfile {
    char *names;     /* /fit parameters */
    char *card;      /* /meta card */
    size_t nfree;
    double *theta;   /* [nfree] */
    double *cov;     /* [nfree^2] or NULL */
    uint64_t checksum;
} fitfile;

static void fitfile_free(fitfile *f)
{
    free(f->names);
    free(f->card);
    free(f->theta);
    free(f->cov);
    memset(f, 0, sizeof *f);
}

/* fit.h5 or a replica: converged, theta [nfree] (nfree from `parameters`), cov if asked */
static int read_fit(const char *path, int want_cov, fitfile *out, pf_status *st)
{
    memset(out, 0, sizeof *out);
    pf_h5 *h = pf_h5_open(path, FIT_SCHEMA, FIT_SCHEMA_VERSION, st);
    if (!h) return st ? st->code : PF_EIO;
    int64_t conv = 0;
    char *status = NULL;
    int rc = pf_h5_get_attr_int64(h, "/fit", "converged", &conv, st);
    if (!rc && conv != 1) {
        pf_h5_get_attr_string(h, "/fit", "status", &status, NULL);
        rc = pf_status_set(st, PF_EINVAL, "%s: the fit did not converge (/fit attribute converged = %lld%s%s%s): "
                           "expected a converged fit; refit (e.g. more iterations or another start) before exporting",
                           path, (long long)conv, status ? ", status '" : "", status ? status : "", status ? "'" : "");
        free(status);
    }
    if (!rc) rc = pf_h5_get_attr_string(h, "/fit", "parameters", &out->names, st);
    if (!rc) {
        out->nfree = out->names[0] ? 1 : 0;
        for (const char *c = out->names; *c; c++) out->nfree += *c == ',';
        size_t d1[1] = {out->nfree}, d2[2] = {out->nfree, out->nfree};
        int rk;
        size_t dims[PF_H5_MAX_RANK];
        rc = pf_h5_expect(h, "/fit/theta", PF_H5_FLOAT_CLASS, 1, d1, "the number of /fit parameters", NULL, st);
        if (!rc) rc = pf_h5_read(h, "/fit/theta", PF_H5_DOUBLE, &rk, dims, (void **)&out->theta, st);
        if (!rc && want_cov)
            rc = pf_h5_expect(h, "/fit/covariance", PF_H5_FLOAT_CLASS, 2, d2, "the number of /fit parameters", NULL,
                              st);
        if (!rc && want_cov) rc = pf_h5_read(h, "/fit/covariance", PF_H5_DOUBLE, &rk, dims, (void **)&out->cov, st);
    }
    if (!rc) {
        out->card = strdup(pf_h5_card_yaml(h) ? pf_h5_card_yaml(h) : "");
        out->checksum = pf_h5_checksum(h);
        if (!out->card) rc = pf_status_set(st, PF_ENOMEM, "out of memory");
    }
    pf_h5_close(h);
    if (rc) fitfile_free(out);
    return rc;
}

static int cmp_long(const void *a, const void *b)
{
    const long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* replica_K.h5 in dir: K = 1 .. n, all present */
static int list_replicas(const char *dir, long **ks, size_t *n, pf_status *st)
{
    DIR *d = opendir(dir);
    if (!d)
        return pf_status_set(st, PF_EINVAL, "--replicas '%s': cannot open the folder: %s (expected the folder of "
                             "replica_K.h5 files written by 'partonflow fit --replica K')", dir, strerror(errno));
    size_t cap = 16, m = 0;
    long *v = malloc(cap * sizeof *v);
    struct dirent *e;
    while (v && (e = readdir(d)) != NULL) {
        long k;
        char tail[8];
        if (sscanf(e->d_name, "replica_%ld.h%7s", &k, tail) != 2 || strcmp(tail, "5") || k < 1) continue;
        char canon[64];
        snprintf(canon, sizeof canon, "replica_%ld.h5", k);
        if (strcmp(canon, e->d_name)) continue;
        if (m == cap) {
            long *nv = realloc(v, 2 * cap * sizeof *v);
            if (!nv) {
                free(v);
                v = NULL;
                break;
            }
            v = nv;
            cap *= 2;
        }
        v[m++] = k;
    }
    closedir(d);
    if (!v) return pf_status_set(st, PF_ENOMEM, "out of memory listing '%s'", dir);
    if (!m) {
        free(v);
        return pf_status_set(st, PF_EINVAL, "--replicas '%s': no replica_K.h5 file in the folder (expected "
                             "replica_1.h5 .. replica_N.h5)", dir);
    }
    qsort(v, m, sizeof *v, cmp_long);
    for (size_t i = 0; i < m; i++)
        if (v[i] != (long)i + 1) {
            const long missing = (long)i + 1, top = v[m - 1];
            free(v);
            return pf_status_set(st, PF_EINVAL, "--replicas '%s': replica_%ld.h5 is missing (found %zu replica "
                                 "files up to replica_%ld.h5; expected every K from 1 to the largest)", dir, missing,
                                 m, top);
        }
    *ks = v;
    *n = m;
    return PF_OK;
}

/* symmhessian directions: columns sqrt(lambda_k) v_k, lambda decreasing, sign fixed */
static int hessian_directions(size_t n, const double *cov, double *dir, const char *path, pf_status *st)
{
    gsl_matrix *a = gsl_matrix_alloc(n, n), *v = gsl_matrix_alloc(n, n);
    gsl_vector *l = gsl_vector_alloc(n);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(n);
    int rc = PF_OK;
    if (!a || !v || !l || !w) {
        rc = pf_status_set(st, PF_ENOMEM, "out of memory for the eigenvectors");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) gsl_matrix_set(a, i, j, 0.5 * (cov[i * n + j] + cov[j * n + i]));
    gsl_eigen_symmv(a, l, v, w);
    gsl_eigen_symmv_sort(l, v, GSL_EIGEN_SORT_VAL_DESC);
    for (size_t k = 0; k < n; k++) {
        const double lam = gsl_vector_get(l, k);
        if (!(lam > 0.0) || !isfinite(lam)) {
            rc = pf_status_set(st, PF_EINVAL, "%s: /fit/covariance is not positive definite (eigenvalue %zu is %g): "
                               "expected the inverse Hessian of a converged fit", path, k + 1, lam);
            goto out;
        }
        size_t imax = 0;
        for (size_t i = 1; i < n; i++)
            if (fabs(gsl_matrix_get(v, i, k)) > fabs(gsl_matrix_get(v, imax, k))) imax = i;
        const double sgn = gsl_matrix_get(v, imax, k) < 0 ? -1.0 : 1.0;
        for (size_t i = 0; i < n; i++) dir[k * n + i] = sgn * sqrt(lam) * gsl_matrix_get(v, i, k);
    }
out:
    gsl_matrix_free(a);
    gsl_matrix_free(v);
    gsl_vector_free(l);
    if (w) gsl_eigen_symmv_free(w);
    return rc;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[4608];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int check_out(const char *out, char *name, size_t name_len, pf_status *st)
{
    struct stat so;
    if (!out[0]) return pf_status_set(st, PF_EINVAL, "--out: empty; expected DIR/NAME, the set folder to create");
    if (lstat(out, &so) == 0)
        return pf_status_set(st, PF_EINVAL, "--out '%s': already exists; expected a new folder (an LHAPDF set is "
                             "never overwritten: remove it or choose another NAME)", out);
    char *copy = strdup(out);
    if (!copy) return pf_status_set(st, PF_ENOMEM, "out of memory");
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/') copy[--len] = '\0';
    char *slash = strrchr(copy, '/');
    const char *base = slash ? slash + 1 : copy;
    const char *dir = slash ? (slash == copy ? "/" : (*slash = '\0', copy)) : ".";
    int rc = PF_OK;
    struct stat sd;
    if (!base[0] || strlen(base) >= name_len || strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                              "0123456789_-.+") != strlen(base) || base[0] == '.')
        rc = pf_status_set(st, PF_EINVAL, "--out '%s': set name '%s' is not a plain name; expected letters, digits, "
                           "'_', '-', '.', '+' (LHAPDF loads the set by this name)", out, base);
    else if (stat(dir, &sd) != 0 || !S_ISDIR(sd.st_mode))
        rc = pf_status_set(st, PF_EINVAL, "--out '%s': folder '%s' does not exist (expected an existing folder)", out,
                           dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = pf_status_set(st, PF_EINVAL, "--out '%s': cannot write into folder '%s': %s", out, dir, strerror(errno));
    else snprintf(name, name_len, "%s", base);
    free(copy);
    return rc;
}

static void yaml_list(FILE *f, const char *key, size_t n, const double *v, const char *fmt)
{
    fprintf(f, "%s: [", key);
    for (size_t i = 0; i < n; i++) {
        if (i) fputs(", ", f);
        fprintf(f, fmt, v[i]);
    }
    fputs("]\n", f);
}

static int write_info(const char *path, const char *name, const pf_card *card, const pf_evol *ev,
                      const pf_pdfgrid *g, size_t members, const char *etype, const fitfile *fit,
                      const pf_lhapdf_export_opts *o, pf_status *st)
{
    FILE *f = fopen(path, "w");
    if (!f) return pf_status_set(st, PF_EIO, "%s: cannot create: %s", path, strerror(errno));
    const pf_theory_card *th = &card->theory;
    const size_t ns = pf_pdfgrid_nsub(g);
    size_t nk = 0;
    for (size_t s = 0; s < ns; s++) nk += pf_pdfgrid_nq(g, s);
    double *qs = malloc(nk * sizeof *qs), *as = malloc(nk * sizeof *as);
    if (!qs || !as) {
        fclose(f);
        free(qs);
        free(as);
        return pf_status_set(st, PF_ENOMEM, "out of memory");
    }
    size_t p = 0;
    for (size_t s = 0; s < ns; s++) {
        const double *q = pf_pdfgrid_q(g, s);
        const size_t nq = pf_pdfgrid_nq(g, s);
        for (size_t j = 0; j < nq; j++, p++) {
            double mu2 = q[j] * q[j];
            /* the top knot of a lower subgrid: alpha_s just below the threshold (the
             * coupling jumps there when xi_r != 1; LHAPDF splits AlphaS_Qs at repeated knots) */
            if (j + 1 == nq && s + 1 < ns) mu2 *= 1.0 - 1e-7;
            qs[p] = q[j];
            as[p] = pf_evol_alphas(ev, mu2);
        }
    }
    const double *x = pf_pdfgrid_x(g);
    const double qlo = pf_pdfgrid_q(g, 0)[0], qhi = pf_pdfgrid_q(g, ns - 1)[pf_pdfgrid_nq(g, ns - 1) - 1];
    fprintf(f, "SetDesc: \"partonflow fit %s exported by partonflow %s: member 0 the central fit, %s\"\n",
            o->fit, PF_VERSION,
            !strcmp(etype, "replicas") ? "members 1..N the bootstrap replicas"
                                       : "members 1..N symmetric Hessian eigenvector members of /fit/covariance");
    fprintf(f, "SetIndex: 0\nAuthors: partonflow\nReference: \"partonflow docs/artefacts.md, LHAPDF6 export\"\n");
    fprintf(f, "Format: lhagrid1\nDataVersion: 1\nNumMembers: %zu\nParticle: 2212\n", members);
    fprintf(f, "Flavors: [-6, -5, -4, -3, -2, -1, 21, 1, 2, 3, 4, 5, 6]\n");
    fprintf(f, "OrderQCD: %d\n", th->order);
    fprintf(f, "FlavorScheme: %s\nNumFlavors: %d\n", th->scheme == PF_VFNS ? "variable" : "fixed",
            pf_evol_nf(ev, qhi * qhi));
    fprintf(f, "ErrorType: %s\n", etype);
    if (!strcmp(etype, "symmhessian")) fprintf(f, "ErrorConfLevel: 68.268949\n");
    fprintf(f, "XMin: %.15e\nXMax: %.15e\nQMin: %.15e\nQMax: %.15e\n", x[0], x[pf_pdfgrid_nx(g) - 1], qlo, qhi);
    fprintf(f, "MZ: %.6g\nMUp: 0.0\nMDown: 0.0\nMStrange: 0.0\nMCharm: %.15e\nMBottom: %.15e\nMTop: %.15e\n", MZ, th->mc,
            th->mb, th->mt);
    fprintf(f, "AlphaS_MZ: %.15e\nAlphaS_OrderQCD: %d\nAlphaS_Type: ipol\n", pf_evol_alphas(ev, MZ * MZ),
            th->order);
    yaml_list(f, "AlphaS_Qs", nk, qs, "%.15e");
    yaml_list(f, "AlphaS_Vals", nk, as, "%.15e");
    fprintf(f, "Interpolator: logcubic\nExtrapolator: continuation\nForcePositive: 0\n");
    fprintf(f, "partonflow_fit_checksum: \"%016llx\"\n", (unsigned long long)fit->checksum);
    fprintf(f, "partonflow_parameters: \"%s\"\n", fit->names);
    fprintf(f, "partonflow_mu_R_over_mu_F: %.15e\n", th->xi_r);
    if (o->command_line) {
        fputs("partonflow_command_line: \"", f);
        for (const char *c = o->command_line; *c; c++) {
            if (*c == '"' || *c == '\\') fputc('\\', f);
            fputc(*c, f);
        }
        fputs("\"\n", f);
    }
    (void)name;
    free(qs);
    free(as);
    const int bad = ferror(f);
    if (fclose(f) || bad) return pf_status_set(st, PF_EIO, "%s: write failed", path);
    return PF_OK;
}

int pf_lhapdf_export(const pf_lhapdf_export_opts *o, pf_lhapdf_export_info *info, pf_status *st)
{
    char name[256], tmp[4096], path[4608];
    fitfile fit = {0};
    fitfile *reps = NULL;
    long *ks = NULL;
    size_t nrep = 0, nmem = 0;
    double *theta_all = NULL, *dir = NULL;
    long *idx = NULL;
    pf_card *card = NULL;
    pf_pdf *pdf = NULL;
    pf_evol *ev = NULL;
    pf_pdfgrid *g = NULL;
    int made_tmp = 0;
    int rc = check_out(o->out, name, sizeof name, st);
    if (rc) return rc;
    if ((rc = read_fit(o->fit, o->replicas == NULL, &fit, st))) return rc;
    if (o->replicas) {
        if ((rc = list_replicas(o->replicas, &ks, &nrep, st))) goto out;
        reps = calloc(nrep, sizeof *reps);
        if (!reps) {
            rc = pf_status_set(st, PF_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t r = 0; r < nrep; r++) {
            snprintf(path, sizeof path, "%s/replica_%ld.h5", o->replicas, ks[r]);
            if ((rc = read_fit(path, 0, &reps[r], st))) goto out;
            if (strcmp(reps[r].names, fit.names)) {
                rc = pf_status_set(st, PF_EINVAL, "%s: fitted parameters '%s'; expected those of %s ('%s')", path,
                                   reps[r].names, o->fit, fit.names);
                goto out;
            }
            if (strcmp(reps[r].card, fit.card)) {
                rc = pf_status_set(st, PF_EINVAL, "%s: /meta card differs from that of %s: expected replicas of the "
                                   "same card", path, o->fit);
                goto out;
            }
        }
    }
    card = calloc(1, sizeof *card);
    if (!card) {
        rc = pf_status_set(st, PF_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = pf_card_parse(fit.card, strlen(fit.card), o->fit, card, st))) goto out;
    pf_theory_card th = card->theory;
    th.mellin_nodes = 0; /* the tested default contour: the card's count is a speed setting of the theory grid */
    if (!(ev = pf_evol_create(&th, st)) || !(pdf = pf_pdf_create(&card->pdf, st))) {
        rc = st ? st->code : PF_EINVAL;
        goto out;
    }
    const size_t nall = pf_pdf_nparams(pdf), nf = fit.nfree;
    theta_all = malloc(nall * sizeof *theta_all);
    idx = malloc((nf ? nf : 1) * sizeof *idx);
    dir = malloc((nf ? nf * nf : 1) * sizeof *dir);
    if (!theta_all || !idx || !dir) {
        rc = pf_status_set(st, PF_ENOMEM, "out of memory");
        goto out;
    }
    {
        const char *c = fit.names;
        for (size_t k = 0; k < nf; k++) {
            const char *e = strchr(c, ',');
            char pn[128];
            snprintf(pn, sizeof pn, "%.*s", (int)(e ? (size_t)(e - c) : strlen(c)), c);
            idx[k] = pf_pdf_param_index(pdf, pn);
            if (idx[k] < 0) {
                rc = pf_status_set(st, PF_EINVAL, "%s: /fit parameter '%s' is not a parameter of the card's "
                                   "parametrisation", o->fit, pn);
                goto out;
            }
            c = e ? e + 1 : c + strlen(c);
        }
    }
    if (!o->replicas && (rc = hessian_directions(nf, fit.cov, dir, o->fit, st))) goto out;
    nmem = 1 + (o->replicas ? nrep : nf);
    if (!(g = pf_pdfgrid_create(ev, &o->grid, st))) {
        rc = st ? st->code : PF_EINVAL;
        goto out;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", o->out, (long)getpid());
    if (mkdir(tmp, 0777) != 0) {
        rc = pf_status_set(st, PF_EIO, "%s: cannot create the temporary folder: %s", tmp, strerror(errno));
        goto out;
    }
    made_tmp = 1;
    double *truth = theta_all;
    pf_pdf_get_params(pdf, truth);
    double *base = malloc(nall * sizeof *base);
    if (!base) {
        rc = pf_status_set(st, PF_ENOMEM, "out of memory");
        goto out;
    }
    memcpy(base, truth, nall * sizeof *base);
    for (size_t m = 0; m < nmem && !rc; m++) {
        double th_m[1024];
        if (nall > 1024) {
            rc = pf_status_set(st, PF_EINVAL, "%zu parameters; at most 1024 supported", nall);
            break;
        }
        memcpy(th_m, base, nall * sizeof *th_m);
        for (size_t k = 0; k < nf; k++) {
            double v = fit.theta[k];
            if (m > 0 && o->replicas) v = reps[m - 1].theta[k];
            else if (m > 0) v += dir[(m - 1) * nf + k];
            th_m[idx[k]] = v;
        }
        if ((rc = pf_pdf_set_params(pdf, th_m, st))) {
            pf_status_prefix(st, "member %zu: ", m);
            break;
        }
        if ((rc = pf_pdfgrid_fill(g, ev, pdf, st))) {
            pf_status_prefix(st, "member %zu: ", m);
            break;
        }
        snprintf(path, sizeof path, "%s/%s_%04zu.dat", tmp, name, m);
        FILE *f = fopen(path, "w");
        if (!f) {
            rc = pf_status_set(st, PF_EIO, "%s: cannot create: %s", path, strerror(errno));
            break;
        }
        rc = pf_pdfgrid_write_lhagrid1(g, f, m == 0 ? "central" : o->replicas ? "replica" : "error", st);
        if (fclose(f) && !rc) rc = pf_status_set(st, PF_EIO, "%s: write failed", path);
    }
    free(base);
    if (rc) goto out;
    snprintf(path, sizeof path, "%s/%s.info", tmp, name);
    if ((rc = write_info(path, name, card, ev, g, nmem, o->replicas ? "replicas" : "symmhessian", &fit, o, st)))
        goto out;
    if (rename(tmp, o->out) != 0) {
        rc = pf_status_set(st, PF_EIO, "renaming %s to %s: %s", tmp, o->out, strerror(errno));
        goto out;
    }
    made_tmp = 0;
    if (info) {
        info->members = nmem;
        info->error_type = o->replicas ? "replicas" : "symmhessian";
        info->nx = pf_pdfgrid_nx(g);
        info->nsub = pf_pdfgrid_nsub(g);
        info->nq_total = 0;
        for (size_t s = 0; s < info->nsub; s++) info->nq_total += pf_pdfgrid_nq(g, s);
    }
out:
    if (made_tmp) remove_tree(tmp);
    pf_pdfgrid_destroy(g);
    pf_evol_destroy(ev);
    pf_pdf_destroy(pdf);
    free(card);
    free(theta_all);
    free(idx);
    free(dir);
    free(ks);
    if (reps)
        for (size_t r = 0; r < nrep; r++) fitfile_free(&reps[r]);
    free(reps);
    fitfile_free(&fit);
    return rc;
}
