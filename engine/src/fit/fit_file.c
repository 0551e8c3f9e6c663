/* partonflow fit: fit.h5's structure as `fit --start-from` reads it (h5.h pf_h5_schema,
 * docs/artefacts.md "Validation").  Symbol n_free: the caller's number of free parameters,
 * preset before pf_h5_check. */
#include "partonflow/fit.h"
#include "partonflow/h5.h"

static const pf_h5_field fit_fields[] = {
    {.path = "/fit@converged", .cls = PF_H5_INTEGER_CLASS, .rules = PF_H5_RANGE, .lo = 0, .hi = 1, .what = "0 or 1:"},
    {.path = "/fit/theta", .cls = PF_H5_FLOAT_CLASS, .rank = 1, .dims = {"n_free"}, .rules = PF_H5_FINITE,
     .what = "a parameter value"},
    {.path = "/fit/hessian", .cls = PF_H5_FLOAT_CLASS, .rank = 2, .dims = {"n_free", "n_free"}, .rules = PF_H5_FINITE,
     .what = "a Hessian element", .unit = "entry"},
};
const pf_h5_schema pf_fit_file_schema = {"partonflow.fit", fit_fields, sizeof fit_fields / sizeof *fit_fields};
