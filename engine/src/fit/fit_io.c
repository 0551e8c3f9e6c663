/* fit.h5 (schema "partonflow.fit" v1, docs/artefacts.md): the writer of a pf_fit_outcome
 * and the reader of a previous fit's best fit and Hessian (--start-from). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/h5.h"
#include "partonflow/objective.h"

#define TRY(x) do { if ((x) != PF_OK) goto fail; } while (0)

int pf_fit_read_start(const char *path, size_t nfree, const char *names, const char *label, double **theta,
                      double **hess, pf_status *st)
{
    *theta = *hess = NULL;
    char *pn = NULL;
    int64_t conv = 0;
    int rk;
    size_t dims[4];
    pf_h5 *sf = pf_h5_open(path, PF_FIT_SCHEMA, PF_FIT_SCHEMA_VERSION, st);
    if (!sf) return st->code;
    TRY(pf_h5_get_attr_string(sf, "/fit", "parameters", &pn, st));
    TRY(pf_h5_get_attr_int64(sf, "/fit", "converged", &conv, st));
    const int same = !strcmp(pn, names);
    free(pn);
    if (!same) {
        pf_status_set(st, PF_EINVAL, "--start-from %s: its free parameters are not fit.free of %s (%s)", path, label,
                      names);
        goto fail;
    }
    if (!conv) {
        pf_status_set(st, PF_EINVAL, "--start-from %s: that fit did not converge", path);
        goto fail;
    }
    pf_h5_syms sym = {0}; /* the schema of fit.h5 (fit.h) with n_free = fit.free's length */
    TRY(pf_h5_sym_set(&sym, "n_free", nfree, st));
    TRY(pf_h5_check(sf, &pf_fit_file_schema, &sym, st));
    TRY(pf_h5_read(sf, "/fit/theta", PF_H5_DOUBLE, &rk, dims, (void **)theta, st));
    TRY(pf_h5_check_values(sf, &pf_fit_file_schema, "/fit/theta", PF_H5_DOUBLE, *theta, 0, nfree, &sym, st));
    TRY(pf_h5_read(sf, "/fit/hessian", PF_H5_DOUBLE, &rk, dims, (void **)hess, st));
    TRY(pf_h5_check_values(sf, &pf_fit_file_schema, "/fit/hessian", PF_H5_DOUBLE, *hess, 0, nfree * nfree, &sym, st));
    pf_h5_close(sf);
    return PF_OK;
fail:
    pf_h5_close(sf);
    free(*theta);
    free(*hess);
    *theta = *hess = NULL;
    return st->code ? st->code : PF_EINTERNAL;
}

int pf_fit_outcome_write(const pf_fit_outcome *o, const pf_card *card, const char *command_line,
                         const char *path, pf_status *st)
{
    const pf_fit_result *res = &o->res;
    const size_t nfree = o->nfree;
    char *yaml = pf_card_to_yaml(card);
    pf_h5_meta meta = {.card_yaml = yaml, .command_line = command_line, .has_seed = 1, .seed = o->seed};
    pf_h5 *h = pf_h5_create(path, PF_FIT_SCHEMA, PF_FIT_SCHEMA_VERSION, &meta, st);
    if (!h) goto fail;
    TRY(pf_h5_set_device(h, o->device, st));
    size_t d1[1] = {nfree}, d2[2] = {nfree, nfree}, dh[2] = {res->nhist, nfree};
    TRY(pf_h5_write(h, "/fit/theta", PF_H5_DOUBLE, 1, d1, res->theta, NULL, st));
    TRY(pf_h5_write(h, "/fit/error", PF_H5_DOUBLE, 1, d1, res->err, NULL, st));
    TRY(pf_h5_write(h, "/fit/truth", PF_H5_DOUBLE, 1, d1, o->truth, NULL, st));
    TRY(pf_h5_write(h, "/fit/start", PF_H5_DOUBLE, 1, d1, o->start, NULL, st));
    TRY(pf_h5_write(h, "/fit/pull", PF_H5_DOUBLE, 1, d1, o->pull, NULL, st));
    TRY(pf_h5_write(h, "/fit/pull_hessian", PF_H5_DOUBLE, 1, d1, o->pull_hessian, NULL, st));
    TRY(pf_h5_set_attr_string(h, "/fit", "errors", o->profile ? "profile" : "hessian", st));
    if (o->profile && res->converged) {
        TRY(pf_h5_write(h, "/fit/error_lo", PF_H5_DOUBLE, 1, d1, o->err_lo, NULL, st));
        TRY(pf_h5_write(h, "/fit/error_hi", PF_H5_DOUBLE, 1, d1, o->err_hi, NULL, st));
        TRY(pf_h5_set_attr_int64(h, "/fit", "profile_evaluations", o->profile_evaluations, st));
        TRY(pf_h5_write(h, "/fit/profile_z_truth", PF_H5_DOUBLE, 1, d1, o->z_truth,
                        "sign(theta - truth) sqrt(2 (min -ln L at theta_k = truth_k - min -ln L))", st));
        TRY(pf_h5_set_attr_double(h, "/fit", "q_truth", o->q_truth, st));
    }
    if (o->profile) {
        TRY(pf_h5_set_attr_string(h, "/fit", "profile_status", o->profile_status, st));
        TRY(pf_h5_set_attr_int64(h, "/fit", "profile_refits", o->profile_refits, st));
    }
    TRY(pf_h5_write(h, "/fit/covariance", PF_H5_DOUBLE, 2, d2, res->cov, NULL, st));
    TRY(pf_h5_write(h, "/fit/correlation", PF_H5_DOUBLE, 2, d2, res->corr, NULL, st));
    TRY(pf_h5_write(h, "/fit/hessian", PF_H5_DOUBLE, 2, d2, res->hess, NULL, st));
    d1[0] = res->nhist;
    TRY(pf_h5_write(h, "/fit/history/neg_lnl", PF_H5_DOUBLE, 1, d1, res->hist_f, NULL, st));
    TRY(pf_h5_write(h, "/fit/history/grad_norm", PF_H5_DOUBLE, 1, d1, res->hist_gnorm, NULL, st));
    TRY(pf_h5_write(h, "/fit/history/theta", PF_H5_DOUBLE, 2, dh, res->hist_theta, NULL, st));
    TRY(pf_h5_set_attr_string(h, "/fit", "parameters", o->names, st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "converged", res->converged, st));
    TRY(pf_h5_set_attr_string(h, "/fit", "status", res->message, st));
    TRY(pf_h5_set_attr_double(h, "/fit", "lnl", -res->fmin, st));
    TRY(pf_h5_set_attr_double(h, "/fit", "edm", res->edm, st));
    TRY(pf_h5_set_attr_double(h, "/fit", "grad_norm", res->gnorm, st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "iterations", res->iterations, st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "replica", (int64_t)o->replica, st));
    TRY(pf_h5_set_attr_string(h, "/fit", "method", o->method == PF_FIT_HISTOGRAM ? "histogram" : "events", st));
    TRY(pf_h5_set_attr_string(h, "/fit", "start_kind", o->start_kind, st));
    TRY(pf_h5_set_attr_string(h, "/fit", "start_from", o->start_from, st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "evaluations", res->nfev, st));
    if (o->nbins) {
        size_t db[1] = {o->nbins};
        TRY(pf_h5_write(h, "/hist/observed", PF_H5_DOUBLE, 1, db, o->hist_observed, "events", st));
        TRY(pf_h5_write(h, "/hist/expected", PF_H5_DOUBLE, 1, db, o->hist_expected, "events", st));
        const double edges[4] = {o->bins.logx_lo, o->bins.logx_hi, o->bins.logq2_lo, o->bins.logq2_hi};
        TRY(pf_h5_set_attr_doubles(h, "/hist", "log_edges", edges, 4, st));
        TRY(pf_h5_set_attr_int64(h, "/hist", "bins_x", o->bins.nx, st));
        TRY(pf_h5_set_attr_int64(h, "/hist", "bins_q2", o->bins.nq2, st));
        TRY(pf_h5_set_attr_int64(h, "/hist", "n_free", (int64_t)nfree, st));
    }
    TRY(pf_h5_set_attr_double(h, "/fit", "mse", o->mse, st));
    TRY(pf_h5_set_attr_int64(h, "/fit", "n_events", (int64_t)o->nevents, st));
    TRY(pf_h5_set_attr_double(h, "/fit", "n_expected_truth", o->n_expected_truth, st));
    TRY(pf_h5_set_attr_double(h, "/fit", "n_expected_fit", o->n_expected_fit, st));
    size_t dx[1] = {PF_FIT_NXPLOT}, d0[2] = {PF_FIT_NXPLOT, PF_NIN}, dq[3] = {2, PF_FIT_NXPLOT, PF_NOUT};
    const double q2s[2] = {10.0, 100.0};
    size_t dq2[1] = {2};
    TRY(pf_h5_write(h, "/pdf/x", PF_H5_DOUBLE, 1, dx, o->x, NULL, st));
    TRY(pf_h5_write(h, "/pdf/q2", PF_H5_DOUBLE, 1, dq2, q2s, "GeV^2", st));
    TRY(pf_h5_write(h, "/pdf/xf_fit_mu0", PF_H5_DOUBLE, 2, d0, o->xf_fit_mu0, NULL, st));
    TRY(pf_h5_write(h, "/pdf/xf_true_mu0", PF_H5_DOUBLE, 2, d0, o->xf_true_mu0, NULL, st));
    TRY(pf_h5_write(h, "/pdf/xf_fit", PF_H5_DOUBLE, 3, dq, o->xf_fit, NULL, st));
    TRY(pf_h5_write(h, "/pdf/xf_true", PF_H5_DOUBLE, 3, dq, o->xf_true, NULL, st));
    TRY(pf_h5_set_attr_double(h, "/pdf", "mu0_gev", o->mu0, st));
    {
        char fl[256] = "";
        for (int j = 0; j < PF_NIN; j++)
            snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%s%s", j ? "," : "", pf_flav_in_name[j]);
        TRY(pf_h5_set_attr_string(h, "/pdf", "flavours_mu0", fl, st));
        fl[0] = 0;
        for (int j = 0; j < PF_NOUT; j++)
            snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%s%s", j ? "," : "", pf_flav_out_name[j]);
        TRY(pf_h5_set_attr_string(h, "/pdf", "flavours", fl, st));
        TRY(pf_h5_set_attr_string(h, "/pdf", "fitted_flavours", o->fitted_flavours, st));
    }
    {
        pf_h5 *hh = h;
        h = NULL;
        TRY(pf_h5_commit(hh, st));
    }
    free(yaml);
    return PF_OK;
fail:
    if (h) pf_h5_abort(h);
    free(yaml);
    return st->code ? st->code : PF_EINTERNAL;
}
