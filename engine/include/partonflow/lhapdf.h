/* partonflow: a fit as an LHAPDF6 PDF set (format lhagrid1, arXiv:1412.7420).
 *
 * pf_lhapdf_export writes the folder OUT = DIR/NAME with NAME.info and one member file
 * NAME_%04d.dat per member, each the PDF evolved exactly (pf_evol_xf, the engine's tested
 * default Mellin contour, whatever the card's theory.mellin_nodes) and tabulated by
 * pdfgrid.h:
 *   member 0      the central fit (fit.h5 /fit/theta; the other parameters at the card's
 *                 values);
 *   replicas      (replicas folder given) member K = replica_K.h5, K = 1 .. N, every K
 *                 present: ErrorType replicas;
 *   symmhessian   (no replicas folder) members k = 1 .. nfree at theta + sqrt(lambda_k) v_k,
 *                 (lambda_k, v_k) the eigenpairs of /fit/covariance in decreasing lambda,
 *                 each v_k signed so that its largest component is positive: then
 *                 sqrt(sum_k (f_k - f_0)^2) is the linear error propagation sqrt(g^T C g)
 *                 of any f (LHAPDF's symmhessian rule), ErrorConfLevel 68.27.
 * Refused with PF_EINVAL naming the file and what was expected, before anything is
 * written: an OUT that exists or whose folder does not; a NAME that is not a plain file
 * name; a fit (or replica) that did not converge; a replicas folder without
 * replica_K.h5 files or with a gap in K; a replica of other parameters or another card;
 * a covariance that is not positive definite.  The set is written into
 * "OUT.tmp-<pid>" and renamed to OUT when complete. */
#ifndef PARTONFLOW_LHAPDF_H
#define PARTONFLOW_LHAPDF_H

#include <stddef.h>

#include "partonflow/pdfgrid.h"
#include "partonflow/status.h"

typedef struct pf_lhapdf_export_opts {
    const char *fit;          /* fit.h5 (schema partonflow.fit) */
    const char *replicas;     /* folder of replica_K.h5, or NULL: symmhessian members */
    const char *out;          /* DIR/NAME, must not exist */
    const char *command_line; /* recorded in NAME.info (may be NULL) */
    pf_pdfgrid_spec grid;     /* pf_pdfgrid_spec_default */
} pf_lhapdf_export_opts;

typedef struct pf_lhapdf_export_info {
    size_t members;          /* files written */
    const char *error_type;  /* "replicas" or "symmhessian" (static) */
    size_t nx, nq_total, nsub;
} pf_lhapdf_export_info;

int pf_lhapdf_export(const pf_lhapdf_export_opts *o, pf_lhapdf_export_info *info, pf_status *st);

#endif
