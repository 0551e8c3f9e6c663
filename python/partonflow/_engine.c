/* partonflow._engine: the C extension behind the Python package (docs/python.md).
 *
 * A thin front end over the same library calls as the CLI: no physics here, only
 * argument checks, numpy arrays in and out, and the engine's status turned into a Python
 * exception carrying its message.  Every engine call runs with the GIL released, under a
 * per-object lock (the objects hold scratch buffers), with the OpenMP thread count of
 * set_threads() applied in the calling thread. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <pythread.h>

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "partonflow/card.h"
#include "partonflow/dis.h"
#include "partonflow/evol.h"
#include "partonflow/like.h"
#include "partonflow/objective.h"
#include "partonflow/prepare.h"
#include "partonflow/ops.h"
#include "partonflow/pdf.h"
#include "pf_config.h"
#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

/* ------------------------------------------------------------------ errors ------ */
static PyObject *Error, *InputError, *FileError, *ConvergenceError;
static int g_threads = 0; /* 0: OpenMP's default */

static void apply_threads(void)
{
#ifdef PF_HAVE_OPENMP
    if (g_threads > 0) omp_set_num_threads(g_threads);
#endif
}

/* The engine's status as an exception: bad input -> InputError (a ValueError), files ->
 * FileError (an OSError), no convergence -> ConvergenceError, the rest -> Error. */
static PyObject *raise_status(const pf_status *st)
{
    PyObject *cls = Error;
    switch (st->code) {
    case PF_EINVAL: case PF_ECARD: case PF_EDOMAIN: cls = InputError; break;
    case PF_EIO: case PF_EFORMAT: case PF_ECHECKSUM: cls = FileError; break;
    case PF_ENOCONV: cls = ConvergenceError; break;
    default: break;
    }
    PyObject *args = Py_BuildValue("(s)", st->msg[0] ? st->msg : pf_code_name(st->code));
    if (!args) return NULL;
    PyObject *exc = PyObject_Call(cls, args, NULL);
    Py_DECREF(args);
    if (!exc) return NULL;
    PyObject *code = PyLong_FromLong(st->code);
    if (code) {
        PyObject_SetAttrString(exc, "code", code);
        Py_DECREF(code);
    }
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
    return NULL;
}

/* An engine error on opening path: a path that cannot be read is a FileError (an
 * OSError), whatever code the engine gave it. */
static PyObject *raise_open(const pf_status *st, const char *path)
{
    if (access(path, R_OK) == 0) return raise_status(st);
    PyObject *exc = PyObject_CallFunction(FileError, "s", st->msg);
    if (!exc) return NULL;
    PyObject *code = PyLong_FromLong(st->code);
    if (code) {
        PyObject_SetAttrString(exc, "code", code);
        Py_DECREF(code);
    }
    PyErr_SetObject(FileError, exc);
    Py_DECREF(exc);
    return NULL;
}

/* ------------------------------------------------------------------ arrays ------ */
/* A C-contiguous float64 view of obj (no copy when it already is one), all finite. */
static PyArrayObject *as_doubles(PyObject *obj, const char *what)
{
    PyArrayObject *a = (PyArrayObject *)PyArray_FROM_OTF(obj, NPY_DOUBLE, NPY_ARRAY_IN_ARRAY);
    if (!a) {
        PyErr_Format(PyExc_TypeError, "%s: expected an array of real numbers", what);
        return NULL;
    }
    const double *v = PyArray_DATA(a);
    const npy_intp n = PyArray_SIZE(a);
    for (npy_intp i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s: element %zd is %g, expected a finite number", what, (Py_ssize_t)i, v[i]);
            PyErr_SetString(InputError, msg);
            Py_DECREF(a);
            return NULL;
        }
    return a;
}

/* x and q2 of the same shape, or NULL with an exception. */
static int xq_pair(PyObject *xo, PyObject *qo, PyArrayObject **x, PyArrayObject **q)
{
    *x = as_doubles(xo, "x");
    if (!*x) return -1;
    *q = as_doubles(qo, "q2");
    if (!*q) {
        Py_CLEAR(*x);
        return -1;
    }
    if (PyArray_NDIM(*x) != PyArray_NDIM(*q) ||
        !PyArray_CompareLists(PyArray_DIMS(*x), PyArray_DIMS(*q), PyArray_NDIM(*x))) {
        PyErr_SetString(InputError, "x and q2: expected arrays of the same shape");
        Py_CLEAR(*x);
        Py_CLEAR(*q);
        return -1;
    }
    return 0;
}

/* A new float64 array of shape lead + shape(a) + tail. */
static PyArrayObject *new_like(PyArrayObject *a, npy_intp lead, npy_intp tail)
{
    npy_intp dims[NPY_MAXDIMS + 2];
    int nd = 0;
    if (lead >= 0) dims[nd++] = lead;
    for (int k = 0; k < PyArray_NDIM(a); k++) dims[nd++] = PyArray_DIM(a, k);
    if (tail >= 0) dims[nd++] = tail;
    return (PyArrayObject *)PyArray_ZEROS(nd, dims, NPY_DOUBLE, 0);
}

static PyArrayObject *new_1d(npy_intp n)
{
    return (PyArrayObject *)PyArray_ZEROS(1, &n, NPY_DOUBLE, 0);
}

/* theta: None (keep) or nparams finite values. */
static PyArrayObject *theta_arg(PyObject *obj, size_t np)
{
    PyArrayObject *t = as_doubles(obj, "theta");
    if (!t) return NULL;
    if (PyArray_NDIM(t) != 1 || (size_t)PyArray_DIM(t, 0) != np) {
        PyErr_Format(InputError, "theta: expected a 1-d array of %zu parameters", np);
        Py_DECREF(t);
        return NULL;
    }
    return t;
}

static PyObject *param_names(const pf_pdf *pdf)
{
    const size_t np = pf_pdf_nparams(pdf);
    PyObject *l = PyList_New((Py_ssize_t)np);
    if (!l) return NULL;
    for (size_t p = 0; p < np; p++) PyList_SET_ITEM(l, (Py_ssize_t)p, PyUnicode_FromString(pf_pdf_param_name(pdf, p)));
    return l;
}

static PyObject *params_of(const pf_pdf *pdf)
{
    PyArrayObject *a = new_1d((npy_intp)pf_pdf_nparams(pdf));
    if (a) pf_pdf_get_params(pdf, PyArray_DATA(a));
    return (PyObject *)a;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Run the engine without the GIL, under the object's lock; obj->last_s: the seconds the
 * engine took (what the Python layer adds is the call's wall time minus that). */
#define ENGINE(obj, ...)                                                                                     \
    do {                                                                                                     \
        Py_BEGIN_ALLOW_THREADS PyThread_acquire_lock((obj)->lock, WAIT_LOCK);                                \
        const double t0_ = now_s();                                                                          \
        apply_threads();                                                                                     \
        __VA_ARGS__;                                                                                         \
        (obj)->last_s = now_s() - t0_;                                                                       \
        PyThread_release_lock((obj)->lock);                                                                  \
        Py_END_ALLOW_THREADS                                                                                 \
    } while (0)

/* ------------------------------------------------------------------ Theory ------ */
typedef struct {
    PyObject_HEAD
    pf_card card;
    pf_evol *ev;
    pf_pdf *pdf;
    pf_ops *ops;       /* read from theory.h5, or built on first use from a card */
    PyThread_type_lock lock;
    double last_s;
} TheoryObject;

static void Theory_dealloc(TheoryObject *self)
{
    if (self->ev) pf_evol_destroy(self->ev);
    pf_pdf_destroy(self->pdf);
    pf_ops_destroy(self->ops);
    if (self->lock) PyThread_free_lock(self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int is_hdf5(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char m[8] = {0};
    const size_t n = fread(m, 1, 8, f);
    fclose(f);
    return n == 8 && !memcmp(m, "\x89HDF\r\n\x1a\n", 8);
}

static int Theory_init(TheoryObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"path", NULL};
    PyObject *po;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&", kwl, PyUnicode_FSConverter, &po)) return -1;
    const char *path = PyBytes_AS_STRING(po);
    pf_status st;
    pf_status_clear(&st);
    if (!(self->lock = PyThread_allocate_lock())) {
        Py_DECREF(po);
        PyErr_NoMemory();
        return -1;
    }
    int rc = PF_OK;
    const int h5 = is_hdf5(path);
    Py_BEGIN_ALLOW_THREADS
    apply_threads();
    if (h5) {
        self->ops = pf_ops_read(path, &st);
        if (!self->ops) rc = st.code;
        else self->card = *pf_ops_card(self->ops);
    } else {
        rc = pf_card_read(path, &self->card, &st);
    }
    if (!rc && !(self->ev = pf_evol_create(&self->card.theory, &st))) rc = st.code;
    if (!rc && !(self->pdf = pf_pdf_create(&self->card.pdf, &st))) rc = st.code;
    Py_END_ALLOW_THREADS
    if (rc) raise_open(&st, path);
    Py_DECREF(po);
    return rc ? -1 : 0;
}

/* The operators, built from the card on first use (a card without kinematics: an error). */
static int theory_ops(TheoryObject *self, pf_status *st)
{
    if (self->ops) return PF_OK;
    self->ops = pf_ops_build(&self->card, st);
    return self->ops ? PF_OK : st->code;
}

static PyObject *Theory_param_names(TheoryObject *self, void *c) { (void)c; return param_names(self->pdf); }
static PyObject *Theory_theta(TheoryObject *self, void *c) { (void)c; return params_of(self->pdf); }
static PyObject *Theory_card_yaml(TheoryObject *self, void *c)
{
    (void)c;
    char *y = pf_card_to_yaml(&self->card);
    if (!y) return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(y);
    free(y);
    return r;
}

/* theta: None or nparams values, set on the Theory's parametrisation (under the lock). */
static int set_theta(PyObject *thobj, pf_pdf *pdf, PyArrayObject **t)
{
    *t = NULL;
    if (thobj == NULL || thobj == Py_None) return 0;
    *t = theta_arg(thobj, pf_pdf_nparams(pdf));
    return *t ? 0 : -1;
}

/* evolve(x, q2, theta=None, grad=False) -> xf[..., 13] (, dxf[p, ..., 13]) */
static PyObject *Theory_evolve(TheoryObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"x", "q2", "theta", "grad", NULL};
    PyObject *xo, *qo, *to = Py_None;
    int grad = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|Op", kwl, &xo, &qo, &to, &grad)) return NULL;
    PyArrayObject *x, *q, *t, *xf = NULL, *dxf = NULL;
    if (xq_pair(xo, qo, &x, &q)) return NULL;
    if (set_theta(to, self->pdf, &t)) goto fail;
    const size_t np = pf_pdf_nparams(self->pdf), n = (size_t)PyArray_SIZE(x);
    xf = new_like(x, -1, PF_NOUT);
    if (!xf) goto fail;
    if (grad && !(dxf = new_like(x, (npy_intp)np, PF_NOUT))) goto fail;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, {
        rc = t ? pf_pdf_set_params(self->pdf, PyArray_DATA(t), &st) : PF_OK;
        if (!rc) rc = pf_evol_xf(self->ev, self->pdf, n, PyArray_DATA(x), PyArray_DATA(q), PyArray_DATA(xf),
                                 dxf ? PyArray_DATA(dxf) : NULL, &st);
    });
    if (rc) {
        raise_status(&st);
        goto fail;
    }
    Py_DECREF(x); Py_DECREF(q); Py_XDECREF(t);
    if (dxf) return Py_BuildValue("(NN)", xf, dxf);
    return (PyObject *)xf;
fail:
    Py_XDECREF(x); Py_XDECREF(q); Py_XDECREF(t); Py_XDECREF(xf); Py_XDECREF(dxf);
    return NULL;
}

/* grid_values(theta=None, grad=False) -> G (, dG[p, ngrid]) */
static PyObject *Theory_grid_values(TheoryObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"theta", "grad", NULL};
    PyObject *to = Py_None;
    int grad = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Op", kwl, &to, &grad)) return NULL;
    PyArrayObject *t, *G = NULL, *dG = NULL;
    if (set_theta(to, self->pdf, &t)) return NULL;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    size_t ng = 0;
    ENGINE(self, { rc = theory_ops(self, &st); if (!rc) ng = pf_ops_ngrid(self->ops); });
    if (rc) { raise_status(&st); goto fail; }
    const size_t np = pf_pdf_nparams(self->pdf);
    if (!(G = new_1d((npy_intp)ng))) goto fail;
    if (grad) {
        npy_intp d[2] = {(npy_intp)np, (npy_intp)ng};
        if (!(dG = (PyArrayObject *)PyArray_ZEROS(2, d, NPY_DOUBLE, 0))) goto fail;
    }
    ENGINE(self, {
        rc = t ? pf_pdf_set_params(self->pdf, PyArray_DATA(t), &st) : PF_OK;
        if (!rc) rc = pf_ops_grid_values(self->ops, self->pdf, PyArray_DATA(G), dG ? PyArray_DATA(dG) : NULL, &st);
    });
    if (rc) { raise_status(&st); goto fail; }
    Py_XDECREF(t);
    if (dG) return Py_BuildValue("(NN)", G, dG);
    return (PyObject *)G;
fail:
    Py_XDECREF(t); Py_XDECREF(G); Py_XDECREF(dG);
    return NULL;
}

/* sf(x, q2, theta=None, exact=False) -> (F2, FL): the grid path (ops) or the exact
 * inverse Mellin path (dis.h pf_dis_sf_exact) */
static PyObject *Theory_sf(TheoryObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"x", "q2", "theta", "exact", NULL};
    PyObject *xo, *qo, *to = Py_None;
    int exact = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|Op", kwl, &xo, &qo, &to, &exact)) return NULL;
    PyArrayObject *x, *q, *t = NULL, *F2 = NULL, *FL = NULL;
    double *G = NULL;
    if (xq_pair(xo, qo, &x, &q)) return NULL;
    if (set_theta(to, self->pdf, &t)) goto fail;
    const size_t n = (size_t)PyArray_SIZE(x);
    if (!(F2 = new_like(x, -1, -1)) || !(FL = new_like(x, -1, -1))) goto fail;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, {
        rc = t ? pf_pdf_set_params(self->pdf, PyArray_DATA(t), &st) : PF_OK;
        if (!rc && exact)
            rc = pf_dis_sf_exact(self->ev, self->pdf, n, PyArray_DATA(x), PyArray_DATA(q), PyArray_DATA(F2),
                                 PyArray_DATA(FL), NULL, NULL, &st);
        else if (!rc) {
            rc = theory_ops(self, &st);
            if (!rc && !(G = malloc(pf_ops_ngrid(self->ops) * sizeof *G)))
                rc = pf_status_set(&st, PF_ENOMEM, "sf: out of memory");
            if (!rc) rc = pf_ops_grid_values(self->ops, self->pdf, G, NULL, &st);
            if (!rc) rc = pf_ops_sf(self->ops, G, n, PyArray_DATA(x), PyArray_DATA(q), PyArray_DATA(F2),
                                    PyArray_DATA(FL), &st);
        }
    });
    free(G);
    if (rc) { raise_status(&st); goto fail; }
    Py_DECREF(x); Py_DECREF(q); Py_XDECREF(t);
    return Py_BuildValue("(NN)", F2, FL);
fail:
    Py_XDECREF(x); Py_XDECREF(q); Py_XDECREF(t); Py_XDECREF(F2); Py_XDECREF(FL);
    return NULL;
}

/* xsec(theta, x, q2, grad=False, exact=False) -> d2sigma/dx dQ2 [pb/GeV^2]
 * (, dsigma[p, ...]) */
static PyObject *Theory_xsec(TheoryObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"theta", "x", "q2", "grad", "exact", NULL};
    PyObject *xo, *qo, *to;
    int grad = 0, exact = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|pp", kwl, &to, &xo, &qo, &grad, &exact)) return NULL;
    PyArrayObject *x, *q, *t = NULL, *out = NULL, *g = NULL;
    double *G = NULL, *dG = NULL;
    if (xq_pair(xo, qo, &x, &q)) return NULL;
    if (set_theta(to, self->pdf, &t)) goto fail;
    const size_t n = (size_t)PyArray_SIZE(x), np = pf_pdf_nparams(self->pdf);
    if (!(out = new_like(x, -1, -1))) goto fail;
    if (grad && !(g = new_like(x, (npy_intp)np, -1))) goto fail;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, {
        rc = t ? pf_pdf_set_params(self->pdf, PyArray_DATA(t), &st) : PF_OK;
        if (!rc && exact)
            rc = pf_dis_xsec_exact(self->ev, self->pdf, &self->card.kinematics, n, PyArray_DATA(x),
                                   PyArray_DATA(q), PyArray_DATA(out), g ? PyArray_DATA(g) : NULL, &st);
        else if (!rc) {
            rc = theory_ops(self, &st);
            if (!rc) {
                const size_t ng = pf_ops_ngrid(self->ops);
                G = malloc(ng * sizeof *G);
                dG = g ? malloc(np * ng * sizeof *dG) : NULL;
                if (!G || (g && !dG)) rc = pf_status_set(&st, PF_ENOMEM, "xsec: out of memory");
            }
            if (!rc) rc = pf_ops_grid_values(self->ops, self->pdf, G, dG, &st);
            if (!rc) rc = pf_ops_xsec(self->ops, G, dG, g ? np : 0, n, PyArray_DATA(x), PyArray_DATA(q),
                                      PyArray_DATA(out), g ? PyArray_DATA(g) : NULL, &st);
        }
    });
    free(G);
    free(dG);
    if (rc) { raise_status(&st); goto fail; }
    Py_DECREF(x); Py_DECREF(q); Py_XDECREF(t);
    if (g) return Py_BuildValue("(NN)", out, g);
    return (PyObject *)out;
fail:
    Py_XDECREF(x); Py_XDECREF(q); Py_XDECREF(t); Py_XDECREF(out); Py_XDECREF(g);
    return NULL;
}

/* xsec_from_grid(G, x, q2, dG=None) -> sigma (, dsigma[p, ...]): d2sigma from grid values
 * (e.g. of grid_from_moments), the gradient through dG's rows */
static PyObject *Theory_xsec_from_grid(TheoryObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"G", "x", "q2", "dG", NULL};
    PyObject *Go, *xo, *qo, *dGo = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|O", kwl, &Go, &xo, &qo, &dGo)) return NULL;
    PyArrayObject *x, *q, *G = NULL, *dG = NULL, *out = NULL, *g = NULL;
    if (xq_pair(xo, qo, &x, &q)) return NULL;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    size_t ng = 0, np = 0;
    ENGINE(self, { rc = theory_ops(self, &st); if (!rc) ng = pf_ops_ngrid(self->ops); });
    if (rc) { raise_status(&st); goto fail; }
    if (!(G = as_doubles(Go, "G"))) goto fail;
    if (PyArray_NDIM(G) != 1 || (size_t)PyArray_DIM(G, 0) != ng) {
        PyErr_Format(InputError, "G: expected %zu grid values", ng);
        goto fail;
    }
    if (dGo != Py_None) {
        if (!(dG = as_doubles(dGo, "dG"))) goto fail;
        if (PyArray_NDIM(dG) != 2 || (size_t)PyArray_DIM(dG, 1) != ng) {
            PyErr_Format(InputError, "dG: expected shape (p, %zu)", ng);
            goto fail;
        }
        np = (size_t)PyArray_DIM(dG, 0);
        if (!(g = new_like(x, (npy_intp)np, -1))) goto fail;
    }
    if (!(out = new_like(x, -1, -1))) goto fail;
    const size_t n = (size_t)PyArray_SIZE(x);
    ENGINE(self, {
        rc = pf_ops_xsec(self->ops, PyArray_DATA(G), dG ? PyArray_DATA(dG) : NULL, np, n, PyArray_DATA(x),
                         PyArray_DATA(q), PyArray_DATA(out), g ? PyArray_DATA(g) : NULL, &st);
    });
    if (rc) { raise_status(&st); goto fail; }
    Py_DECREF(x); Py_DECREF(q); Py_DECREF(G); Py_XDECREF(dG);
    if (g) return Py_BuildValue("(NN)", out, g);
    return (PyObject *)out;
fail:
    Py_XDECREF(x); Py_XDECREF(q); Py_XDECREF(G); Py_XDECREF(dG); Py_XDECREF(out); Py_XDECREF(g);
    return NULL;
}

/* mellin_nodes() -> complex array (nnodes,) of the operators' contour */
static PyObject *Theory_mellin_nodes(TheoryObject *self, PyObject *unused)
{
    (void)unused;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, { rc = theory_ops(self, &st); });
    if (rc) return raise_status(&st);
    npy_intp nn = (npy_intp)pf_ops_nnodes(self->ops);
    PyArrayObject *a = (PyArrayObject *)PyArray_ZEROS(1, &nn, NPY_CDOUBLE, 0);
    if (a) memcpy(PyArray_DATA(a), pf_ops_nodes(self->ops), (size_t)nn * sizeof(double complex));
    return (PyObject *)a;
}

/* grid_from_moments(M) -> G: the linear map from input moments M[n, j] (complex, nnodes x
 * 11) at the Mellin nodes to the grid values; its transpose acts on a cotangent of G via
 * grid_from_moments_adjoint. */
static PyObject *Theory_grid_from_moments(TheoryObject *self, PyObject *args)
{
    PyObject *Mo;
    if (!PyArg_ParseTuple(args, "O", &Mo)) return NULL;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, { rc = theory_ops(self, &st); });
    if (rc) return raise_status(&st);
    const size_t nn = pf_ops_nnodes(self->ops), ng = pf_ops_ngrid(self->ops);
    PyArrayObject *M = (PyArrayObject *)PyArray_FROM_OTF(Mo, NPY_CDOUBLE, NPY_ARRAY_IN_ARRAY);
    if (!M) return NULL;
    if (PyArray_NDIM(M) != 2 || (size_t)PyArray_DIM(M, 0) != nn || PyArray_DIM(M, 1) != PF_NIN) {
        Py_DECREF(M);
        PyErr_Format(InputError, "M: expected complex moments of shape (%zu, %d)", nn, PF_NIN);
        return NULL;
    }
    PyArrayObject *G = new_1d((npy_intp)ng);
    if (!G) { Py_DECREF(M); return NULL; }
    ENGINE(self, {
        rc = pf_ops_grid_values_from_moments(self->ops, 0, PyArray_DATA(M), NULL, PyArray_DATA(G), NULL, &st);
    });
    Py_DECREF(M);
    if (rc) { Py_DECREF(G); return raise_status(&st); }
    return (PyObject *)G;
}

/* input_xf(x, theta=None, grad=False) -> xf[..., 11] at mu0 (, dxf[p, ..., 11]) */
static PyObject *Theory_input_xf(TheoryObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"x", "theta", "grad", NULL};
    PyObject *xo, *to = Py_None;
    int grad = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|Op", kwl, &xo, &to, &grad)) return NULL;
    PyArrayObject *x = as_doubles(xo, "x"), *t = NULL, *xf = NULL, *dxf = NULL;
    if (!x) return NULL;
    if (set_theta(to, self->pdf, &t)) goto fail;
    const size_t np = pf_pdf_nparams(self->pdf), n = (size_t)PyArray_SIZE(x);
    if (!(xf = new_like(x, -1, PF_NIN))) goto fail;
    if (grad && !(dxf = new_like(x, (npy_intp)np, PF_NIN))) goto fail;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, {
        rc = t ? pf_pdf_set_params(self->pdf, PyArray_DATA(t), &st) : PF_OK;
        if (!rc) rc = pf_pdf_xf(self->pdf, n, PyArray_DATA(x), PyArray_DATA(xf), dxf ? PyArray_DATA(dxf) : NULL, &st);
    });
    if (rc) { raise_status(&st); goto fail; }
    Py_DECREF(x); Py_XDECREF(t);
    if (dxf) return Py_BuildValue("(NN)", xf, dxf);
    return (PyObject *)xf;
fail:
    Py_XDECREF(x); Py_XDECREF(t); Py_XDECREF(xf); Py_XDECREF(dxf);
    return NULL;
}

/* moments(theta=None, grad=False) -> M[nnodes, 11] complex at the operators' nodes
 * (, dM[p, nnodes, 11]): the exact moments path of the parametrisation */
static PyObject *Theory_moments(TheoryObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"theta", "grad", NULL};
    PyObject *to = Py_None;
    int grad = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Op", kwl, &to, &grad)) return NULL;
    PyArrayObject *t = NULL, *M = NULL, *dM = NULL;
    if (set_theta(to, self->pdf, &t)) return NULL;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, { rc = theory_ops(self, &st); });
    if (rc) { raise_status(&st); goto fail; }
    const size_t np = pf_pdf_nparams(self->pdf), nn = pf_ops_nnodes(self->ops);
    npy_intp d2[2] = {(npy_intp)nn, PF_NIN}, d3[3] = {(npy_intp)np, (npy_intp)nn, PF_NIN};
    if (!(M = (PyArrayObject *)PyArray_ZEROS(2, d2, NPY_CDOUBLE, 0))) goto fail;
    if (grad && !(dM = (PyArrayObject *)PyArray_ZEROS(3, d3, NPY_CDOUBLE, 0))) goto fail;
    ENGINE(self, {
        rc = t ? pf_pdf_set_params(self->pdf, PyArray_DATA(t), &st) : PF_OK;
        if (!rc) rc = pf_pdf_moments(self->pdf, nn, pf_ops_nodes(self->ops), PyArray_DATA(M),
                                     dM ? PyArray_DATA(dM) : NULL, &st);
    });
    if (rc) { raise_status(&st); goto fail; }
    Py_XDECREF(t);
    if (dM) return Py_BuildValue("(NN)", M, dM);
    return (PyObject *)M;
fail:
    Py_XDECREF(t); Py_XDECREF(M); Py_XDECREF(dM);
    return NULL;
}

static PyObject *Theory_ngrid(TheoryObject *self, void *c)
{
    (void)c;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, { rc = theory_ops(self, &st); });
    if (rc) return raise_status(&st);
    return PyLong_FromSize_t(pf_ops_ngrid(self->ops));
}

static PyMethodDef Theory_methods[] = {
    {"evolve", (PyCFunction)(void (*)(void))Theory_evolve, METH_VARARGS | METH_KEYWORDS,
     "evolve(x, q2, theta=None, grad=False) -> xf[..., 13] (, dxf[p, ..., 13])"},
    {"grid_values", (PyCFunction)(void (*)(void))Theory_grid_values, METH_VARARGS | METH_KEYWORDS,
     "grid_values(theta=None, grad=False) -> G (, dG[p, ngrid])"},
    {"sf", (PyCFunction)(void (*)(void))Theory_sf, METH_VARARGS | METH_KEYWORDS,
     "sf(x, q2, theta=None, exact=False) -> (F2, FL)"},
    {"xsec", (PyCFunction)(void (*)(void))Theory_xsec, METH_VARARGS | METH_KEYWORDS,
     "xsec(theta, x, q2, grad=False, exact=False) -> sigma (, dsigma[p, ...])"},
    {"xsec_from_grid", (PyCFunction)(void (*)(void))Theory_xsec_from_grid, METH_VARARGS | METH_KEYWORDS,
     "xsec_from_grid(G, x, q2, dG=None) -> sigma (, dsigma[p, ...])"},
    {"mellin_nodes", (PyCFunction)Theory_mellin_nodes, METH_NOARGS, "the operators' Mellin nodes"},
    {"input_xf", (PyCFunction)(void (*)(void))Theory_input_xf, METH_VARARGS | METH_KEYWORDS,
     "input_xf(x, theta=None, grad=False) -> x f of the 11 input flavours at mu0"},
    {"moments", (PyCFunction)(void (*)(void))Theory_moments, METH_VARARGS | METH_KEYWORDS,
     "moments(theta=None, grad=False) -> M[nnodes, 11] at the operators' Mellin nodes"},
    {"grid_from_moments", (PyCFunction)Theory_grid_from_moments, METH_VARARGS,
     "grid_from_moments(M[nnodes, 11] complex) -> G"},
    {NULL, NULL, 0, NULL}};

static PyObject *Theory_last(TheoryObject *self, void *c) { (void)c; return PyFloat_FromDouble(self->last_s); }

static PyGetSetDef Theory_getset[] = {
    {"last_engine_seconds", (getter)Theory_last, NULL, "seconds the engine took in the last call", NULL},
    {"param_names", (getter)Theory_param_names, NULL, "names of the parametrisation's parameters", NULL},
    {"theta", (getter)Theory_theta, NULL, "the parameters last set (initially the card's values)", NULL},
    {"card_yaml", (getter)Theory_card_yaml, NULL, "the resolved card", NULL},
    {"ngrid", (getter)Theory_ngrid, NULL, "length of the grid-value vector G", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject TheoryType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "partonflow._engine.Theory",
    .tp_basicsize = sizeof(TheoryObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Theory(path): a theory card (YAML) or theory.h5",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Theory_init,
    .tp_dealloc = (destructor)Theory_dealloc,
    .tp_methods = Theory_methods,
    .tp_getset = Theory_getset,
};

/* --------------------------------------------------------------- Likelihood ------ */
typedef struct {
    PyObject_HEAD
    pf_fit_problem *prob;
    pf_fit_objective *obj[2]; /* PF_FIT_EVENTS, PF_FIT_HISTOGRAM over all parameters (lazy) */
    int device;               /* 1: the event objective on the device */
    PyThread_type_lock lock;
    double last_s;
} LikelihoodObject;

static void Likelihood_dealloc(LikelihoodObject *self)
{
    pf_fit_objective_destroy(self->obj[0]);
    pf_fit_objective_destroy(self->obj[1]);
    pf_fit_problem_close(self->prob);
    if (self->lock) PyThread_free_lock(self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Likelihood_init(LikelihoodObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"path", "theory", "device", NULL};
    PyObject *po, *to = NULL;
    const char *device = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|O&z", kwl, PyUnicode_FSConverter, &po, PyUnicode_FSConverter, &to,
                                     &device))
        return -1;
    if (device && strcmp(device, "cpu") && strcmp(device, "cuda")) {
        Py_DECREF(po);
        Py_XDECREF(to);
        PyErr_Format(InputError, "device: expected 'cpu' or 'cuda', got '%s'", device);
        return -1;
    }
    self->device = device && !strcmp(device, "cuda");
    if (!(self->lock = PyThread_allocate_lock())) {
        Py_DECREF(po);
        Py_XDECREF(to);
        PyErr_NoMemory();
        return -1;
    }
    pf_status st;
    pf_status_clear(&st);
    const char *path = PyBytes_AS_STRING(po), *theory = to ? PyBytes_AS_STRING(to) : NULL;
    Py_BEGIN_ALLOW_THREADS
    apply_threads();
    self->prob = pf_fit_problem_open(path, theory, 1, &st);
    Py_END_ALLOW_THREADS
    if (!self->prob) raise_open(&st, theory && access(path, R_OK) == 0 ? theory : path);
    Py_DECREF(po);
    Py_XDECREF(to);
    return self->prob ? 0 : -1;
}

static int method_arg(const char *m, int *method)
{
    if (!m || !strcmp(m, "events")) *method = PF_FIT_EVENTS;
    else if (!strcmp(m, "histogram")) *method = PF_FIT_HISTOGRAM;
    else {
        PyErr_Format(InputError, "method: expected 'events' or 'histogram', got '%s'", m);
        return -1;
    }
    return 0;
}

/* under the lock */
static pf_fit_objective *objective(LikelihoodObject *self, int method, pf_status *st)
{
    if (!self->obj[method])
        self->obj[method] = pf_fit_objective_create(pf_fit_problem_like(self->prob), pf_fit_problem_ops(self->prob),
                                                    pf_fit_problem_pdf(self->prob), 0, NULL, method,
                                                    method == PF_FIT_EVENTS && self->device, st);
    return self->obj[method];
}

static size_t lk_nparams(LikelihoodObject *self) { return pf_pdf_nparams(pf_fit_problem_pdf(self->prob)); }

/* value_and_grad(theta, method='events', grad=True) -> (lnL, grad[p]) */
static PyObject *Likelihood_value_and_grad(LikelihoodObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"theta", "method", "grad", NULL};
    PyObject *to;
    const char *m = NULL;
    int grad = 1, method;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|zp", kwl, &to, &m, &grad)) return NULL;
    if (method_arg(m, &method)) return NULL;
    PyArrayObject *t = theta_arg(to, lk_nparams(self)), *g = NULL;
    if (!t) return NULL;
    if (grad && !(g = new_1d((npy_intp)lk_nparams(self)))) { Py_DECREF(t); return NULL; }
    pf_status st;
    pf_status_clear(&st);
    int rc;
    double lnl = 0.0;
    ENGINE(self, {
        pf_fit_objective *o = objective(self, method, &st);
        rc = o ? pf_fit_objective_lnl(o, PyArray_DATA(t), &lnl, g ? PyArray_DATA(g) : NULL, &st) : st.code;
    });
    Py_DECREF(t);
    if (rc) { Py_XDECREF(g); return raise_status(&st); }
    if (!g) return PyFloat_FromDouble(lnl);
    return Py_BuildValue("(dN)", lnl, g);
}

/* value_and_grad_G(G, method='events') -> (lnL, dlnL/dG[ngrid]): the likelihood as a
 * function of the grid values themselves (e.g. of a neural-network PDF through
 * grid_from_moments).  like.h returns dG . (W^T r - L c) for given rows dG, so the rows of
 * the identity give dlnL/dG, in chunks of at most PF_PY_GCHUNK rows (one event pass each). */
#define PF_PY_GCHUNK 2048
static PyObject *Likelihood_value_and_grad_G(LikelihoodObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"G", "method", NULL};
    PyObject *Go;
    const char *m = NULL;
    int method;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|z", kwl, &Go, &m)) return NULL;
    if (method_arg(m, &method)) return NULL;
    const size_t ng = pf_like_ngrid(pf_fit_problem_like(self->prob));
    PyArrayObject *G = as_doubles(Go, "G"), *g = NULL;
    if (!G) return NULL;
    if (PyArray_NDIM(G) != 1 || (size_t)PyArray_DIM(G, 0) != ng) {
        Py_DECREF(G);
        return PyErr_Format(InputError, "G: expected %zu grid values", ng);
    }
    if (!(g = new_1d((npy_intp)ng))) { Py_DECREF(G); return NULL; }
    pf_status st;
    pf_status_clear(&st);
    int rc = PF_OK;
    double lnl = 0.0;
    const size_t chunk = ng < PF_PY_GCHUNK ? ng : PF_PY_GCHUNK;
    double *eye = calloc(chunk * ng, sizeof *eye);
    if (!eye) { Py_DECREF(G); Py_DECREF(g); return PyErr_NoMemory(); }
    ENGINE(self, {
        pf_like *lk = pf_fit_problem_like(self->prob);
        if (method == PF_FIT_HISTOGRAM && !pf_like_nbins(lk))
            rc = pf_status_set(&st, PF_EINVAL, "likelihood: no histogram operator for the histogram method");
        for (size_t p0 = 0; p0 < ng && !rc; p0 += chunk) {
            const size_t np = ng - p0 < chunk ? ng - p0 : chunk;
            memset(eye, 0, chunk * ng * sizeof *eye);
            for (size_t p = 0; p < np; p++) eye[p * ng + p0 + p] = 1.0;
            double *gp = (double *)PyArray_DATA(g) + p0;
            rc = method == PF_FIT_HISTOGRAM ? pf_like_histogram(lk, PyArray_DATA(G), eye, np, &lnl, gp, &st)
                                            : pf_like_events(lk, PyArray_DATA(G), eye, np, &lnl, gp, &st);
        }
    });
    free(eye);
    Py_DECREF(G);
    if (rc) { Py_DECREF(g); return raise_status(&st); }
    return Py_BuildValue("(dN)", lnl, g);
}

/* normalisation(theta, grad=True) -> (N_exp, grad[p]) */
static PyObject *Likelihood_normalisation(LikelihoodObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"theta", "grad", NULL};
    PyObject *to;
    int grad = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p", kwl, &to, &grad)) return NULL;
    PyArrayObject *t = theta_arg(to, lk_nparams(self)), *g = NULL;
    if (!t) return NULL;
    if (grad && !(g = new_1d((npy_intp)lk_nparams(self)))) { Py_DECREF(t); return NULL; }
    pf_status st;
    pf_status_clear(&st);
    int rc;
    double ne = 0.0;
    ENGINE(self, {
        pf_fit_objective *o = objective(self, PF_FIT_EVENTS, &st);
        rc = o ? pf_fit_objective_nexp(o, PyArray_DATA(t), &ne, g ? PyArray_DATA(g) : NULL, &st) : st.code;
    });
    Py_DECREF(t);
    if (rc) { Py_XDECREF(g); return raise_status(&st); }
    if (!g) return PyFloat_FromDouble(ne);
    return Py_BuildValue("(dN)", ne, g);
}

/* set_weights(wt or None): this rank's event weights */
static PyObject *Likelihood_set_weights(LikelihoodObject *self, PyObject *args)
{
    PyObject *wo;
    if (!PyArg_ParseTuple(args, "O", &wo)) return NULL;
    PyArrayObject *w = NULL;
    pf_like_data view;
    pf_like_view(pf_fit_problem_like(self->prob), &view, NULL);
    if (wo != Py_None) {
        if (!(w = as_doubles(wo, "weights"))) return NULL;
        if (PyArray_NDIM(w) != 1 || (size_t)PyArray_DIM(w, 0) != view.nevents) {
            Py_DECREF(w);
            return PyErr_Format(InputError, "weights: expected a 1-d array of %zu event weights", view.nevents);
        }
    }
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, {
        rc = pf_like_set_weights(pf_fit_problem_like(self->prob), w ? PyArray_DATA(w) : NULL, &st);
        for (int m = 0; m < 2 && !rc; m++)
            if (self->obj[m]) rc = pf_fit_objective_set_weights(self->obj[m], w ? PyArray_DATA(w) : NULL, &st);
    });
    Py_XDECREF(w);
    if (rc) return raise_status(&st);
    Py_RETURN_NONE;
}

/* bootstrap(K): Poisson(1) weights of replica K (0: weights 1), as `fit --replica K` */
static PyObject *Likelihood_bootstrap(LikelihoodObject *self, PyObject *args)
{
    unsigned long long k;
    if (!PyArg_ParseTuple(args, "K", &k)) return NULL;
    pf_status st;
    pf_status_clear(&st);
    int rc;
    ENGINE(self, {
        rc = pf_like_bootstrap(pf_fit_problem_like(self->prob), pf_fit_problem_info(self->prob)->seed, k, &st);
        for (int m = 0; m < 2 && !rc; m++)
            if (self->obj[m]) rc = pf_fit_objective_bootstrap(self->obj[m], pf_fit_problem_info(self->prob)->seed, k, &st);
    });
    if (rc) return raise_status(&st);
    Py_RETURN_NONE;
}

static PyObject *Likelihood_weights(LikelihoodObject *self, void *c)
{
    (void)c;
    pf_like_data view;
    pf_like_view(pf_fit_problem_like(self->prob), &view, NULL);
    PyArrayObject *a = new_1d((npy_intp)view.nevents);
    if (!a) return NULL;
    pf_like_weights(pf_fit_problem_like(self->prob), PyArray_DATA(a));
    return (PyObject *)a;
}

static PyObject *Likelihood_counts(LikelihoodObject *self, void *c)
{
    (void)c;
    pf_like *lk = pf_fit_problem_like(self->prob);
    const size_t nb = pf_like_nbins(lk);
    PyArrayObject *a = new_1d((npy_intp)nb);
    if (a && nb) memcpy(PyArray_DATA(a), pf_like_counts(lk), nb * sizeof(double));
    return (PyObject *)a;
}

static PyObject *dbl_array(const double *v, int nd, const npy_intp *dims)
{
    PyArrayObject *a = (PyArrayObject *)PyArray_ZEROS(nd, (npy_intp *)dims, NPY_DOUBLE, 0);
    if (a) memcpy(PyArray_DATA(a), v, (size_t)PyArray_NBYTES(a));
    return (PyObject *)a;
}

static int dset(PyObject *d, const char *k, PyObject *v)
{
    if (!v) return -1;
    const int rc = PyDict_SetItemString(d, k, v);
    Py_DECREF(v);
    return rc;
}

/* The outcome as a dict of the names of fit.h5 (/fit/theta -> 'theta', attributes too). */
static PyObject *outcome_dict(const pf_fit_outcome *o)
{
    const pf_fit_result *r = &o->res;
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    const npy_intp n = (npy_intp)o->nfree, n2[2] = {n, n}, nh = (npy_intp)r->nhist, dh[2] = {nh, n},
                   nx = PF_FIT_NXPLOT, d0[2] = {nx, PF_NIN}, dq[3] = {2, nx, PF_NOUT}, nb = (npy_intp)o->nbins;
    PyObject *names = PyUnicode_FromString(o->names), *sep = PyUnicode_FromString(",");
    PyObject *list = names && sep ? PyUnicode_Split(names, sep, -1) : NULL;
    Py_XDECREF(names);
    Py_XDECREF(sep);
    if (dset(d, "parameters", list) || dset(d, "theta", dbl_array(r->theta, 1, &n)) ||
        dset(d, "error", dbl_array(r->err, 1, &n)) || dset(d, "truth", dbl_array(o->truth, 1, &n)) ||
        dset(d, "start", dbl_array(o->start, 1, &n)) || dset(d, "pull", dbl_array(o->pull, 1, &n)) ||
        dset(d, "pull_hessian", dbl_array(o->pull_hessian, 1, &n)) ||
        dset(d, "covariance", dbl_array(r->cov, 2, n2)) || dset(d, "correlation", dbl_array(r->corr, 2, n2)) ||
        dset(d, "hessian", dbl_array(r->hess, 2, n2)) ||
        dset(d, "history_neg_lnl", dbl_array(r->hist_f, 1, &nh)) ||
        dset(d, "history_grad_norm", dbl_array(r->hist_gnorm, 1, &nh)) ||
        dset(d, "history_theta", dbl_array(r->hist_theta, 2, dh)) ||
        dset(d, "converged", PyBool_FromLong(r->converged)) || dset(d, "status", PyUnicode_FromString(r->message)) ||
        dset(d, "lnl", PyFloat_FromDouble(-r->fmin)) || dset(d, "edm", PyFloat_FromDouble(r->edm)) ||
        dset(d, "grad_norm", PyFloat_FromDouble(r->gnorm)) || dset(d, "iterations", PyLong_FromLong(r->iterations)) ||
        dset(d, "evaluations", PyLong_FromLong(r->nfev)) || dset(d, "replica", PyLong_FromSize_t(o->replica)) ||
        dset(d, "method", PyUnicode_FromString(o->method == PF_FIT_HISTOGRAM ? "histogram" : "events")) ||
        dset(d, "start_kind", PyUnicode_FromString(o->start_kind)) ||
        dset(d, "device", PyUnicode_FromString(o->device)) || dset(d, "mse", PyFloat_FromDouble(o->mse)) ||
        dset(d, "n_events", PyLong_FromSize_t(o->nevents)) ||
        dset(d, "n_expected_truth", PyFloat_FromDouble(o->n_expected_truth)) ||
        dset(d, "n_expected_fit", PyFloat_FromDouble(o->n_expected_fit)) ||
        dset(d, "pdf_x", dbl_array(o->x, 1, &nx)) || dset(d, "xf_fit_mu0", dbl_array(o->xf_fit_mu0, 2, d0)) ||
        dset(d, "xf_true_mu0", dbl_array(o->xf_true_mu0, 2, d0)) || dset(d, "xf_fit", dbl_array(o->xf_fit, 3, dq)) ||
        dset(d, "xf_true", dbl_array(o->xf_true, 3, dq)))
        goto fail;
    if (o->profile && r->converged &&
        (dset(d, "error_lo", dbl_array(o->err_lo, 1, &n)) || dset(d, "error_hi", dbl_array(o->err_hi, 1, &n))))
        goto fail;
    if (o->profile && dset(d, "profile_status", PyUnicode_FromString(o->profile_status))) goto fail;
    if (nb && (dset(d, "hist_observed", dbl_array(o->hist_observed, 1, &nb)) ||
               dset(d, "hist_expected", dbl_array(o->hist_expected, 1, &nb))))
        goto fail;
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

/* fit(card, method='events', replica=0, max_iter=0, profile=False, start_from=None,
 *     out=None, device='cpu', command_line=None) -> dict: `partonflow fit` as a call */
static PyObject *Likelihood_fit(LikelihoodObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"card", "method", "replica", "max_iter", "profile", "start_from", "out", "device",
                          "command_line", NULL};
    PyObject *co, *so = NULL, *oo = NULL;
    const char *m = NULL, *device = "cpu", *cmdline = NULL;
    unsigned long long replica = 0;
    int max_iter = 0, profile = 0, method;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|zKipO&O&zz", kwl, PyUnicode_FSConverter, &co, &m, &replica,
                                     &max_iter, &profile, PyUnicode_FSConverter, &so, PyUnicode_FSConverter, &oo,
                                     &device, &cmdline))
        return NULL;
    PyObject *res = NULL;
    if (method_arg(m, &method)) goto out;
    if (max_iter < 0) {
        PyErr_SetString(InputError, "max_iter: expected >= 0");
        goto out;
    }
    pf_card card;
    pf_fit_config cfg;
    pf_fit_outcome o;
    memset(&o, 0, sizeof o);
    pf_status st;
    pf_status_clear(&st);
    const char *cpath = PyBytes_AS_STRING(co), *out = oo ? PyBytes_AS_STRING(oo) : NULL;
    if (out) { /* the fit's inputs are never overwritten (as the CLI's argument check) */
        const char *in[3] = {pf_fit_problem_path(self->prob), cpath, so ? PyBytes_AS_STRING(so) : NULL};
        struct stat s_out, s_in;
        for (int k = 0; k < 3; k++)
            if (in[k] && !stat(out, &s_out) && !stat(in[k], &s_in) && s_out.st_dev == s_in.st_dev &&
                s_out.st_ino == s_in.st_ino) {
                PyErr_Format(InputError, "out '%s' is one of the inputs ('%s', the same file): expected a new file "
                             "name; the input would be overwritten", out, in[k]);
                goto out;
            }
    }
    int rc, wrc = PF_OK;
    ENGINE(self, {
        rc = pf_card_read(cpath, &card, &st);
        if (!rc) {
            pf_fit_config_default(&cfg);
            cfg.card = &card;
            cfg.card_label = cpath;
            cfg.method = method;
            cfg.device = device;
            cfg.replica = (size_t)replica;
            cfg.max_iter = max_iter;
            cfg.start_from = so ? PyBytes_AS_STRING(so) : NULL;
            cfg.profile = profile;
            /* weights set here (set_weights, bootstrap) are not the fit's: start from 1 */
            rc = pf_fit_problem_reset_weights(self->prob, &st);
            for (int k = 0; k < 2 && !rc; k++)
                if (self->obj[k]) rc = pf_fit_objective_set_weights(self->obj[k], NULL, &st);
            if (!rc) rc = pf_fit_problem_run(self->prob, &cfg, &o, &st);
            if (rc == PF_ENOCONV) rc = PF_OK; /* converged = False in the result */
            if (!rc && out) wrc = pf_fit_outcome_write(&o, &card, cmdline, out, &st);
            /* the replica's weights are not left behind */
            if (!rc && !wrc && replica) rc = pf_fit_problem_reset_weights(self->prob, &st);
        }
    });
    if (rc || wrc) raise_open(&st, cpath); /* an unreadable card: FileError */
    else res = outcome_dict(&o);
    pf_fit_outcome_free(&o);
out:
    Py_DECREF(co);
    Py_XDECREF(so);
    Py_XDECREF(oo);
    return res;
}

static PyObject *Likelihood_param_names(LikelihoodObject *self, void *c)
{
    (void)c;
    return param_names(pf_fit_problem_pdf(self->prob));
}
static PyObject *Likelihood_truth(LikelihoodObject *self, void *c)
{
    (void)c;
    return params_of(pf_fit_problem_pdf(self->prob));
}
static PyObject *Likelihood_info(LikelihoodObject *self, void *c)
{
    (void)c;
    const pf_like_info *i = pf_fit_problem_info(self->prob);
    return Py_BuildValue("{s:n,s:n,s:n,s:d,s:K,s:K,s:K,s:s,s:s}", "ngrid", (Py_ssize_t)i->ngrid, "n_events",
                         (Py_ssize_t)i->nevents, "n_bins", (Py_ssize_t)i->nbins, "luminosity", i->luminosity,
                         "seed", (unsigned long long)i->seed, "theory_checksum",
                         (unsigned long long)i->theory_checksum, "events_checksum",
                         (unsigned long long)i->events_checksum, "detector", i->detector, "theory_path",
                         i->theory_path);
}
static PyObject *Likelihood_card_yaml(LikelihoodObject *self, void *c)
{
    (void)c;
    char *y = pf_card_to_yaml(pf_fit_problem_card(self->prob));
    if (!y) return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(y);
    free(y);
    return r;
}

static PyMethodDef Likelihood_methods[] = {
    {"value_and_grad", (PyCFunction)(void (*)(void))Likelihood_value_and_grad, METH_VARARGS | METH_KEYWORDS,
     "value_and_grad(theta, method='events', grad=True) -> (lnL, dlnL/dtheta)"},
    {"value_and_grad_G", (PyCFunction)(void (*)(void))Likelihood_value_and_grad_G, METH_VARARGS | METH_KEYWORDS,
     "value_and_grad_G(G, method='events') -> (lnL, dlnL/dG)"},
    {"normalisation", (PyCFunction)(void (*)(void))Likelihood_normalisation, METH_VARARGS | METH_KEYWORDS,
     "normalisation(theta, grad=True) -> (N_exp, dN_exp/dtheta)"},
    {"set_weights", (PyCFunction)Likelihood_set_weights, METH_VARARGS, "set_weights(w or None)"},
    {"bootstrap", (PyCFunction)Likelihood_bootstrap, METH_VARARGS, "bootstrap(K): replica K's Poisson(1) weights"},
    {"fit", (PyCFunction)(void (*)(void))Likelihood_fit, METH_VARARGS | METH_KEYWORDS,
     "fit(card, method='events', replica=0, max_iter=0, profile=False, start_from=None, out=None, "
     "device='cpu', command_line=None) -> dict"},
    {NULL, NULL, 0, NULL}};

static PyObject *Likelihood_last(LikelihoodObject *self, void *c)
{
    (void)c;
    return PyFloat_FromDouble(self->last_s);
}

static PyGetSetDef Likelihood_getset[] = {
    {"last_engine_seconds", (getter)Likelihood_last, NULL, "seconds the engine took in the last call", NULL},
    {"param_names", (getter)Likelihood_param_names, NULL, "parameters of the parametrisation", NULL},
    {"truth", (getter)Likelihood_truth, NULL, "the parameters the events were simulated with", NULL},
    {"info", (getter)Likelihood_info, NULL, "likelihood.h5's header", NULL},
    {"card_yaml", (getter)Likelihood_card_yaml, NULL, "the card stored in likelihood.h5", NULL},
    {"weights", (getter)Likelihood_weights, NULL, "the event weights in use", NULL},
    {"counts", (getter)Likelihood_counts, NULL, "observed (weighted) histogram counts", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject LikelihoodType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "partonflow._engine.Likelihood",
    .tp_basicsize = sizeof(LikelihoodObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Likelihood(path, theory=None, device=None): likelihood.h5",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Likelihood_init,
    .tp_dealloc = (destructor)Likelihood_dealloc,
    .tp_methods = Likelihood_methods,
    .tp_getset = Likelihood_getset,
};

/* ------------------------------------------------------------------ module ------ */
static PyObject *mod_set_threads(PyObject *m, PyObject *args)
{
    (void)m;
    int n;
    if (!PyArg_ParseTuple(args, "i", &n)) return NULL;
    if (n < 0) return PyErr_Format(InputError, "threads: expected >= 0 (0: the OpenMP default), got %d", n);
    g_threads = n;
    Py_RETURN_NONE;
}

static PyObject *mod_get_threads(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
#ifdef PF_HAVE_OPENMP
    return PyLong_FromLong(g_threads > 0 ? g_threads : omp_get_max_threads());
#else
    return PyLong_FromLong(1);
#endif
}

/* prepare(theory, events, out, card=None, rows="response", verify=0): the prepare use
 * case (partonflow/prepare.h), what `partonflow prepare` does; returns its report. */
static PyObject *mod_prepare(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwl[] = {"theory", "events", "out", "card", "rows", "verify", NULL};
    PyObject *to = NULL, *eo = NULL, *oo = NULL, *co = NULL;
    const char *rows = "response";
    Py_ssize_t verify = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&O&O&|O&sn", kwl, PyUnicode_FSConverter, &to, PyUnicode_FSConverter,
                                     &eo, PyUnicode_FSConverter, &oo, PyUnicode_FSConverter, &co, &rows, &verify))
        goto bad;
    if (strcmp(rows, "response") && strcmp(rows, "exact")) {
        PyErr_Format(InputError, "rows: expected 'response' or 'exact', got '%s'", rows);
        goto bad;
    }
    if (verify < 0) {
        PyErr_Format(InputError, "verify: expected a count of events >= 0, got %zd", verify);
        goto bad;
    }
    pf_status st;
    pf_status_clear(&st);
    pf_card card;
    pf_prepare_report r;
    const char *cpath = co ? PyBytes_AS_STRING(co) : NULL;
    int rc = PF_OK;
    Py_BEGIN_ALLOW_THREADS
    apply_threads();
    if (cpath) rc = pf_card_read(cpath, &card, &st);
    if (!rc) {
        const pf_prepare_config cfg = {.theory = PyBytes_AS_STRING(to), .events = PyBytes_AS_STRING(eo),
                                       .out = PyBytes_AS_STRING(oo), .card = cpath ? &card : NULL,
                                       .card_label = cpath, .exact_rows = !strcmp(rows, "exact"),
                                       .nverify = (size_t)verify, .command_line = "partonflow.prepare (Python)"};
        rc = pf_prepare_run(&cfg, &r, &st);
    }
    Py_END_ALLOW_THREADS
    Py_XDECREF(to); Py_XDECREF(eo); Py_XDECREF(oo); Py_XDECREF(co);
    if (rc) return raise_status(&st);
    PyObject *res = Py_BuildValue("{s:n,s:n,s:n,s:n,s:s,s:n,s:n,s:d,s:d,s:d,s:d}", "n_events", (Py_ssize_t)r.nacc,
                                  "n_read", (Py_ssize_t)r.ngen, "ngrid", (Py_ssize_t)r.ngrid, "nbins",
                                  (Py_ssize_t)r.nbins, "rows",
                                  r.response ? "response" : r.smeared ? "exact" : "stencil", "exact_rows",
                                  (Py_ssize_t)r.rows_total, "exact_weights", (Py_ssize_t)r.nnz_total, "read_s",
                                  r.t_read, "rows_s", r.t_rows, "norm_s", r.t_norm, "write_s", r.t_write);
    if (res && r.verified) {
        PyObject *q = Py_BuildValue("(ddddd)", r.verify_q[0], r.verify_q[1], r.verify_q[2], r.verify_q[3],
                                    r.verify_q[4]);
        if (!q || PyDict_SetItemString(res, "verify_quantiles", q)) Py_CLEAR(res);
        Py_XDECREF(q);
    }
    return res;
bad:
    Py_XDECREF(to); Py_XDECREF(eo); Py_XDECREF(oo); Py_XDECREF(co);
    return NULL;
}

static PyMethodDef module_methods[] = {
    {"prepare", (PyCFunction)(void (*)(void))mod_prepare, METH_VARARGS | METH_KEYWORDS,
     "prepare(theory, events, out, card=None, rows='response', verify=0) -> dict: likelihood.h5 from theory.h5 "
     "and an events file (partonflow events.h5 or external events), as `partonflow prepare`"},
    {"set_threads", mod_set_threads, METH_VARARGS, "set_threads(n): OpenMP threads of engine calls (0: default)"},
    {"get_threads", mod_get_threads, METH_NOARGS, "threads engine calls use"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef engine_module = {PyModuleDef_HEAD_INIT, "partonflow._engine",
                                           "partonflow's C engine (docs/python.md)", -1, module_methods,
                                           NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__engine(void)
{
    import_array();
    if (PyType_Ready(&TheoryType) < 0 || PyType_Ready(&LikelihoodType) < 0) return NULL;
    PyObject *m = PyModule_Create(&engine_module);
    if (!m) return NULL;
    Error = PyErr_NewExceptionWithDoc("partonflow.Error", "an error reported by the engine", PyExc_RuntimeError,
                                      NULL);
    PyObject *b1 = PyTuple_Pack(2, Error, PyExc_ValueError), *b2 = PyTuple_Pack(2, Error, PyExc_OSError);
    InputError = PyErr_NewExceptionWithDoc("partonflow.InputError", "bad input: argument, card or value", b1, NULL);
    FileError = PyErr_NewExceptionWithDoc("partonflow.FileError", "a missing, foreign or damaged file", b2, NULL);
    ConvergenceError = PyErr_NewExceptionWithDoc("partonflow.ConvergenceError", "an iteration did not converge",
                                                 Error, NULL);
    Py_XDECREF(b1);
    Py_XDECREF(b2);
    if (!Error || !InputError || !FileError || !ConvergenceError) return NULL;
    Py_INCREF(&TheoryType);
    Py_INCREF(&LikelihoodType);
    PyModule_AddObject(m, "Theory", (PyObject *)&TheoryType);
    PyModule_AddObject(m, "Likelihood", (PyObject *)&LikelihoodType);
    PyModule_AddObject(m, "Error", Error);
    PyModule_AddObject(m, "InputError", InputError);
    PyModule_AddObject(m, "FileError", FileError);
    PyModule_AddObject(m, "ConvergenceError", ConvergenceError);
    PyModule_AddStringConstant(m, "version", PF_VERSION);
    PyModule_AddIntConstant(m, "NOUT", PF_NOUT);
    PyModule_AddIntConstant(m, "NIN", PF_NIN);
    PyModule_AddIntConstant(m, "have_cuda", PF_HAVE_CUDA_BUILD);
    return m;
}
