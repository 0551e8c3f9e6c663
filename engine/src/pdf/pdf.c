/* partonflow: PDF parametrisation at mu0, analytic Mellin moments and exact gradients.
 *
 *   x f_j(x) = A_j x^a_j (1-x)^b_j sum_k p_jk x^(k/2)
 *   f_j(N)   = A_j S_j(N),   S_j(N) = sum_k p_jk B(N - 1 + a_j + k/2, b_j + 1)
 *
 * The terms of S_j are linked by B(u+1, v) = B(u, v) u/(u+v) (Gamma(z+1) = z Gamma(z)),
 * so one moment needs two complex Beta functions (at u0 and u0 + 1/2) whatever the
 * polynomial length; with gradients also psi(u0), psi(u0+1/2), psi(u0+v), psi(u0+v+1/2)
 * (psi(u+1) = psi(u) + 1/u).  dB/du = B [psi(u) - psi(u+v)], dB/dv = B [psi(v) - psi(u+v)].
 * At each node the Gamma functions are evaluated once per distinct argument offset and
 * shared between flavours.  Sum-rule normalisations and dA_j/dtheta_p are computed once per
 * parameter set (set_params); docs/physics-pdf.md derives them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/pdf.h"
#include "partonflow/specfun.h"

#define PF_PDF_MAXP (PF_NIN * (3 + PF_POLY_MAX))

typedef struct pdf_flav {
    int present;
    int root;       /* flavour whose parameters it uses (itself unless same_as) */
    int norm;       /* PF_NORM_* of the root */
    int npoly;
    int iA, ia, ib, ip; /* parameter indices (iA = -1 when fixed by a sum rule) */
} pdf_flav;

/* Values of one parameter set and everything derived from it that does not depend on N. */
typedef struct pdf_state {
    double theta[PF_PDF_MAXP];
    double A[PF_NIN], a[PF_NIN], b[PF_NIN];
    double poly[PF_NIN][PF_POLY_MAX];
    double complex lgv[PF_NIN];   /* log Gamma(b+1) */
    double psiv[PF_NIN];          /* psi(b+1) */
    double dA[PF_NIN][PF_PDF_MAXP]; /* dA_j / dtheta_p (root flavours) */
    /* Distinct Gamma-function arguments: u = N + uoff[k] (u = N - 1 + a + h/2) and
     * u + v = N + uvoff[k] (= N + a + b + h/2), h = 0, 1; flavours sharing a (the sea and
     * gluon often do) share the log-Gamma and digamma evaluations at every node. */
    int nuo, nvo;
    double uoff[2 * PF_NIN], uvoff[2 * PF_NIN];
    int iu[PF_NIN][2], iuv[PF_NIN][2];
} pdf_state;

struct pf_pdf {
    pdf_flav fl[PF_NIN];
    size_t np;
    char name[PF_PDF_MAXP][PF_PARAM_NAME_LEN];
    pdf_state s;
};

/* Gamma-function pieces at one argument z: Gamma(z) = exp(L) / P, and psi(z). */
typedef struct gam_at {
    double complex L, P, psi;
} gam_at;

static gam_at gam_eval(double complex z, int grad)
{
    gam_at g;
    g.psi = 0.0;
    g.L = pf_clgamma_split(z, &g.P, grad ? &g.psi : NULL);
    return g;
}

/* S(N) of root flavour j from the Gamma pieces at u0, u0 + 1/2 (gu) and u0 + v, u0 + v + 1/2
 * (guv), u0 = N - 1 + a; if dS != NULL also dS/da, dS/db, dS/dp_k (in that order). */
static void shape_terms(const pdf_state *s, int j, int npoly, double complex N, const gam_at *gu[2],
                        const gam_at *guv[2], double complex *S, double complex *dS)
{
    const double v = s->b[j] + 1.0;
    const double complex u0 = N - 1.0 + s->a[j];
    double complex B[2] = {0, 0}, pu[2] = {0, 0}, puv[2] = {0, 0};
    for (int h = 0; h < 2 && h < npoly; h++) {
        /* B(u, v) = Gamma(u) Gamma(v) / Gamma(u+v) */
        B[h] = cexp(gu[h]->L + s->lgv[j] - guv[h]->L) * guv[h]->P * pf_crecip(gu[h]->P);
        pu[h] = gu[h]->psi;
        puv[h] = guv[h]->psi;
    }
    double complex sum = 0.0, da = 0.0, db = 0.0;
    for (int k = 0; k < npoly; k++) {
        const int h = k & 1;
        const double p = s->poly[j][k];
        sum += p * B[h];
        if (dS) {
            da += p * B[h] * (pu[h] - puv[h]);
            db += p * B[h] * (s->psiv[j] - puv[h]);
            dS[2 + k] = B[h];
        }
        if (k + 2 < npoly) { /* term k+2: u -> u+1, B(u+1,v) = B(u,v) u/(u+v) */
            const double complex u = u0 + 0.5 * k;
            const double complex ru = pf_crecip(u), ruv = pf_crecip(u + v);
            B[h] *= u * ruv;
            if (dS) {
                pu[h] += ru;
                puv[h] += ruv;
            }
        }
    }
    *S = sum;
    if (dS) {
        dS[0] = da;
        dS[1] = db;
    }
}

/* Same at a single N without the shared cache (sum rules, N = 1, 2). */
static void shape_moment(const pdf_state *s, int j, int npoly, double complex N,
                         double complex *S, double complex *dS)
{
    gam_at a[2], b[2];
    const gam_at *pa[2] = {&a[0], &a[1]}, *pb[2] = {&b[0], &b[1]};
    for (int h = 0; h < 2 && h < npoly; h++) {
        a[h] = gam_eval(N - 1.0 + s->a[j] + 0.5 * h, dS != NULL);
        b[h] = gam_eval(N + s->a[j] + s->b[j] + 0.5 * h, dS != NULL);
    }
    shape_terms(s, j, npoly, N, pa, pb, S, dS);
}

static int offset_index(double *list, int *n, double off)
{
    for (int k = 0; k < *n; k++)
        if (list[k] == off)
            return k;
    list[*n] = off;
    return (*n)++;
}

/* Weight of input flavour j in the momentum sum (see build_state). */
static double pf_pdf_momentum_weight(int j)
{
    return (j == PF_IN_UBAR || j == PF_IN_DBAR) ? 2.0 : 1.0;
}

static int fail_param(pf_status *st, const pf_pdf *pdf, size_t p, const char *what, double val)
{
    return pf_status_set(st, PF_EDOMAIN, "pdf parameter '%s' = %.15g: %s", pdf->name[p], val, what);
}

/* Fills a state from theta: values, N-independent pieces, sum rules and dA. */
static int build_state(const pf_pdf *pdf, const double *theta, pdf_state *s, pf_status *st)
{
    for (size_t p = 0; p < pdf->np; p++)
        if (!isfinite(theta[p]))
            return fail_param(st, pdf, p, "expected a finite number", theta[p]);
    memcpy(s->theta, theta, sizeof(double) * pdf->np);
    memset(s->dA, 0, sizeof s->dA);
    for (int j = 0; j < PF_NIN; j++) {
        const pdf_flav *f = &pdf->fl[j];
        if (!f->present || f->root != j)
            continue;
        s->a[j] = theta[f->ia];
        s->b[j] = theta[f->ib];
        for (int k = 0; k < f->npoly; k++)
            s->poly[j][k] = theta[f->ip + k];
        if (s->a[j] <= -1.0)
            return fail_param(st, pdf, f->ia, "expected > -1 (the moments diverge)", s->a[j]);
        if (s->b[j] <= -1.0)
            return fail_param(st, pdf, f->ib, "expected > -1 (the moments diverge)", s->b[j]);
        s->lgv[j] = pf_clgamma(s->b[j] + 1.0);
        s->psiv[j] = creal(pf_cpsi(s->b[j] + 1.0));
        if (f->iA >= 0) {
            s->A[j] = theta[f->iA];
            s->dA[j][f->iA] = 1.0;
        }
    }
    s->nuo = s->nvo = 0;
    for (int j = 0; j < PF_NIN; j++) {
        const pdf_flav *f = &pdf->fl[j];
        if (!f->present || f->root != j)
            continue;
        for (int h = 0; h < 2 && h < f->npoly; h++) {
            s->iu[j][h] = offset_index(s->uoff, &s->nuo, s->a[j] - 1.0 + 0.5 * h);
            s->iuv[j][h] = offset_index(s->uvoff, &s->nvo, s->a[j] + s->b[j] + 0.5 * h);
        }
    }
    /* Valence sum rules: A_j = T_j / S_j(1), T = 2 (u_v), 1 (d_v). */
    double complex dS[2 + PF_POLY_MAX];
    for (int j = 0; j < PF_NIN; j++) {
        const pdf_flav *f = &pdf->fl[j];
        if (!f->present || f->root != j || f->norm != PF_NORM_VALENCE)
            continue;
        const double T = j == PF_IN_UV ? 2.0 : 1.0;
        if (s->a[j] <= 0.0)
            return fail_param(st, pdf, f->ia,
                              "the valence sum rule needs a > 0 (int f dx diverges otherwise)", s->a[j]);
        double complex S;
        shape_moment(s, j, f->npoly, 1.0, &S, dS);
        const double S1 = creal(S);
        if (!(S1 > 0.0) || !isfinite(S1))
            return pf_status_set(st, PF_EDOMAIN,
                                 "pdf flavour '%s': valence sum rule cannot be met: int of the "
                                 "shape is %.6g, expected > 0", pf_flav_in_name[j], S1);
        s->A[j] = T / S1;
        for (int q = 0; q < 2 + f->npoly; q++)
            s->dA[j][f->ia + q] = -s->A[j] * creal(dS[q]) / S1; /* ia, ib, ip.. consecutive */
    }
    /* Momentum sum rule, int x [sum_q (q + qbar) + g] dx = 1.  The input basis is
     * u_v = u - ubar, d_v = d - dbar, so u + ubar = u_v + 2 ubar: ubar and dbar carry
     * weight 2, every other flavour weight 1.  A_m = (1 - sum_{j not m} w_j M_j(2)) /
     * (c S_m(2)), c = total weight of the flavours that are m or copy it. */
    int m = -1;
    for (int j = 0; j < PF_NIN; j++)
        if (pdf->fl[j].present && pdf->fl[j].root == j && pdf->fl[j].norm == PF_NORM_MOMENTUM)
            m = j;
    if (m >= 0) {
        double Q = 0.0, dQ[PF_PDF_MAXP] = {0}, c = 0.0;
        for (int j = 0; j < PF_NIN; j++) {
            const pdf_flav *f = &pdf->fl[j];
            if (!f->present)
                continue;
            const double w = pf_pdf_momentum_weight(j);
            if (f->root == m) {
                c += w;
                continue;
            }
            const int r = f->root;
            double complex S;
            shape_moment(s, r, pdf->fl[r].npoly, 2.0, &S, dS);
            Q += w * s->A[r] * creal(S);
            for (size_t p = 0; p < pdf->np; p++)
                dQ[p] += w * s->dA[r][p] * creal(S);
            for (int q = 0; q < 2 + pdf->fl[r].npoly; q++)
                dQ[pdf->fl[r].ia + q] += w * s->A[r] * creal(dS[q]);
        }
        double complex S;
        shape_moment(s, m, pdf->fl[m].npoly, 2.0, &S, dS);
        const double S2 = c * creal(S);
        if (!(S2 > 0.0) || !isfinite(S2))
            return pf_status_set(st, PF_EDOMAIN,
                                 "pdf flavour '%s': momentum sum rule cannot be met: int x f of "
                                 "the shape is %.6g, expected > 0", pf_flav_in_name[m], S2);
        if (!(1.0 - Q > 0.0))
            return pf_status_set(st, PF_EDOMAIN,
                                 "pdf flavour '%s': momentum sum rule cannot be met: the other "
                                 "flavours carry momentum fraction %.6g, expected < 1",
                                 pf_flav_in_name[m], Q);
        s->A[m] = (1.0 - Q) / S2;
        for (size_t p = 0; p < pdf->np; p++)
            s->dA[m][p] = -dQ[p] / S2;
        for (int q = 0; q < 2 + pdf->fl[m].npoly; q++)
            s->dA[m][pdf->fl[m].ia + q] -= s->A[m] * c * creal(dS[q]) / S2;
    }
    return PF_OK;
}

pf_pdf *pf_pdf_create(const pf_pdf_card *card, pf_status *st)
{
    if (!card) {
        pf_status_set(st, PF_EINVAL, "pf_pdf_create: card is NULL");
        return NULL;
    }
    pf_pdf *pdf = calloc(1, sizeof *pdf);
    if (!pdf) {
        pf_status_set(st, PF_ENOMEM, "pf_pdf_create: out of memory");
        return NULL;
    }
    double theta[PF_PDF_MAXP];
    int nmom = 0;
    for (int j = 0; j < PF_NIN; j++) {
        const pf_flavour_card *c = &card->fl[j];
        pdf_flav *f = &pdf->fl[j];
        f->present = c->present;
        f->root = j;
        f->iA = f->ia = f->ib = f->ip = -1;
        if (!c->present)
            continue;
        /* follow same_as to its root (the card parser refuses loops; bound the walk anyway) */
        int r = j;
        for (int hop = 0; hop < PF_NIN && card->fl[r].same_as >= 0; hop++)
            r = card->fl[r].same_as;
        if (r < 0 || r >= PF_NIN || card->fl[r].same_as >= 0 || !card->fl[r].present) {
            pf_status_set(st, PF_EINVAL, "pdf flavour '%s': same_as does not lead to a present "
                          "flavour with its own parameters", pf_flav_in_name[j]);
            free(pdf);
            return NULL;
        }
        f->root = r;
    }
    for (int j = 0; j < PF_NIN; j++) {
        pdf_flav *f = &pdf->fl[j];
        const pf_flavour_card *c = &card->fl[f->root];
        if (!f->present)
            continue;
        f->norm = c->norm;
        f->npoly = c->npoly;
        if (f->root != j)
            continue;
        if (c->npoly < 1 || c->npoly > PF_POLY_MAX) {
            pf_status_set(st, PF_EINVAL, "pdf flavour '%s': poly has %d terms, expected 1..%d",
                          pf_flav_in_name[j], c->npoly, PF_POLY_MAX);
            free(pdf);
            return NULL;
        }
        if (c->norm == PF_NORM_VALENCE && j != PF_IN_UV && j != PF_IN_DV) {
            pf_status_set(st, PF_EINVAL, "pdf flavour '%s': A: valence is defined for uv and dv "
                          "only", pf_flav_in_name[j]);
            free(pdf);
            return NULL;
        }
        if (c->norm == PF_NORM_MOMENTUM && nmom++) {
            pf_status_set(st, PF_EINVAL, "pdf flavour '%s': A: momentum on more than one "
                          "flavour", pf_flav_in_name[j]);
            free(pdf);
            return NULL;
        }
        const char *fn = pf_flav_in_name[j];
#define ADD(idx, nm, val)                                                                   \
    do {                                                                                    \
        idx = (int)pdf->np;                                                                 \
        snprintf(pdf->name[pdf->np], PF_PARAM_NAME_LEN, "%s.%s", fn, nm);                   \
        theta[pdf->np++] = (val);                                                           \
    } while (0)
        if (c->norm == PF_NORM_FIXED)
            ADD(f->iA, "A", c->A);
        ADD(f->ia, "a", c->a);
        ADD(f->ib, "b", c->b);
        for (int k = 0; k < c->npoly; k++) {
            char nm[16];
            snprintf(nm, sizeof nm, "p%d", k);
            int idx;
            ADD(idx, nm, c->poly[k]);
            if (k == 0)
                f->ip = idx;
        }
#undef ADD
    }
    for (int j = 0; j < PF_NIN; j++) {
        pdf_flav *f = &pdf->fl[j];
        if (f->present && f->root != j) {
            const pdf_flav *r = &pdf->fl[f->root];
            f->iA = r->iA;
            f->ia = r->ia;
            f->ib = r->ib;
            f->ip = r->ip;
        }
    }
    if (build_state(pdf, theta, &pdf->s, st)) {
        pf_status_prefix(st, "pdf card: ");
        free(pdf);
        return NULL;
    }
    return pdf;
}

pf_pdf *pf_pdf_clone(const pf_pdf *pdf, pf_status *st)
{
    pf_pdf *c = malloc(sizeof *c);
    if (!c) {
        pf_status_set(st, PF_ENOMEM, "pf_pdf_clone: out of memory");
        return NULL;
    }
    memcpy(c, pdf, sizeof *c);
    return c;
}

void pf_pdf_destroy(pf_pdf *pdf) { free(pdf); }

size_t pf_pdf_nparams(const pf_pdf *pdf) { return pdf->np; }

const char *pf_pdf_param_name(const pf_pdf *pdf, size_t i)
{
    return i < pdf->np ? pdf->name[i] : NULL;
}

long pf_pdf_param_index(const pf_pdf *pdf, const char *name)
{
    for (size_t p = 0; p < pdf->np; p++)
        if (!strcmp(pdf->name[p], name))
            return (long)p;
    return -1;
}

void pf_pdf_get_params(const pf_pdf *pdf, double *theta)
{
    memcpy(theta, pdf->s.theta, sizeof(double) * pdf->np);
}

int pf_pdf_set_params(pf_pdf *pdf, const double *theta, pf_status *st)
{
    if (!theta)
        return pf_status_set(st, PF_EINVAL, "pf_pdf_set_params: theta is NULL");
    pdf_state *tmp = malloc(sizeof *tmp);
    if (!tmp)
        return pf_status_set(st, PF_ENOMEM, "pf_pdf_set_params: out of memory");
    int rc = build_state(pdf, theta, tmp, st);
    if (rc == PF_OK)
        memcpy(&pdf->s, tmp, sizeof *tmp);
    free(tmp);
    return rc;
}

double pf_pdf_norm(const pf_pdf *pdf, int flavour)
{
    if (flavour < 0 || flavour >= PF_NIN || !pdf->fl[flavour].present)
        return 0.0;
    return pdf->s.A[pdf->fl[flavour].root];
}

int pf_pdf_moments(const pf_pdf *pdf, size_t n, const double complex *N, double complex *M,
                   double complex *dM, pf_status *st)
{
    const pdf_state *s = &pdf->s;
    const size_t np = pdf->np;
    if (n > 0 && (!N || !M))
        return pf_status_set(st, PF_EINVAL, "pf_pdf_moments: N or M is NULL");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(creal(N[i])) || !isfinite(cimag(N[i])))
            return pf_status_set(st, PF_EINVAL, "pf_pdf_moments: N[%zu] is not finite", i);
    memset(M, 0, sizeof(double complex) * n * PF_NIN);
    if (dM)
        memset(dM, 0, sizeof(double complex) * np * n * PF_NIN);
    const int grad = dM != NULL;
    for (size_t i = 0; i < n; i++) {
        gam_at gu[2 * PF_NIN], guv[2 * PF_NIN];
        for (int k = 0; k < s->nuo; k++)
            gu[k] = gam_eval(N[i] + s->uoff[k], grad);
        for (int k = 0; k < s->nvo; k++)
            guv[k] = gam_eval(N[i] + s->uvoff[k], grad);
        for (int j = 0; j < PF_NIN; j++) {
            const pdf_flav *f = &pdf->fl[j];
            if (!f->present || f->root != j)
                continue;
            const int h1 = f->npoly > 1;
            const gam_at *pu[2] = {&gu[s->iu[j][0]], &gu[s->iu[j][h1]]};
            const gam_at *puv[2] = {&guv[s->iuv[j][0]], &guv[s->iuv[j][h1]]};
            double complex S, dS[2 + PF_POLY_MAX];
            shape_terms(s, j, f->npoly, N[i], pu, puv, &S, grad ? dS : NULL);
            M[i * PF_NIN + j] = s->A[j] * S;
            if (!grad)
                continue;
            for (size_t p = 0; p < np; p++)
                if (s->dA[j][p] != 0.0)
                    dM[(p * n + i) * PF_NIN + j] = s->dA[j][p] * S;
            for (int q = 0; q < 2 + f->npoly; q++)
                dM[((size_t)(f->ia + q) * n + i) * PF_NIN + j] += s->A[j] * dS[q];
        }
    }
    /* copies (same_as) share values and derivatives with their root */
    for (int j = 0; j < PF_NIN; j++) {
        const pdf_flav *f = &pdf->fl[j];
        if (!f->present || f->root == j)
            continue;
        for (size_t i = 0; i < n; i++)
            M[i * PF_NIN + j] = M[i * PF_NIN + f->root];
        if (dM)
            for (size_t p = 0; p < np; p++)
                for (size_t i = 0; i < n; i++)
                    dM[(p * n + i) * PF_NIN + j] = dM[(p * n + i) * PF_NIN + f->root];
    }
    return PF_OK;
}

int pf_pdf_xf(const pf_pdf *pdf, size_t n, const double *x, double *xf, double *dxf,
              pf_status *st)
{
    const pdf_state *s = &pdf->s;
    const size_t np = pdf->np;
    if (n > 0 && (!x || !xf))
        return pf_status_set(st, PF_EINVAL, "pf_pdf_xf: x or xf is NULL");
    for (size_t i = 0; i < n; i++)
        if (!(x[i] > 0.0 && x[i] < 1.0))
            return pf_status_set(st, PF_EINVAL, "pf_pdf_xf: x[%zu] = %.17g, expected 0 < x < 1",
                                 i, x[i]);
    memset(xf, 0, sizeof(double) * n * PF_NIN);
    if (dxf)
        memset(dxf, 0, sizeof(double) * np * n * PF_NIN);
    for (size_t i = 0; i < n; i++) {
        const double lx = log(x[i]), l1x = log1p(-x[i]), sx = sqrt(x[i]);
        for (int j = 0; j < PF_NIN; j++) {
            const pdf_flav *f = &pdf->fl[j];
            if (!f->present)
                continue;
            const int r = f->root;
            const double base = exp(s->a[r] * lx + s->b[r] * l1x);
            double poly = 0.0, xk = 1.0, dp[PF_POLY_MAX];
            for (int k = 0; k < f->npoly; k++) {
                poly += s->poly[r][k] * xk;
                dp[k] = base * xk;
                xk *= sx;
            }
            const double shape = base * poly;
            xf[i * PF_NIN + j] = s->A[r] * shape;
            if (!dxf)
                continue;
            for (size_t p = 0; p < np; p++)
                if (s->dA[r][p] != 0.0)
                    dxf[(p * n + i) * PF_NIN + j] = s->dA[r][p] * shape;
            dxf[((size_t)f->ia * n + i) * PF_NIN + j] += s->A[r] * shape * lx;
            dxf[((size_t)f->ib * n + i) * PF_NIN + j] += s->A[r] * shape * l1x;
            for (int k = 0; k < f->npoly; k++)
                dxf[((size_t)(f->ip + k) * n + i) * PF_NIN + j] += s->A[r] * dp[k];
        }
    }
    return PF_OK;
}

int pf_pdf_check_contour(const pf_pdf *pdf, double c, pf_status *st)
{
    if (!isfinite(c))
        return pf_status_set(st, PF_EINVAL, "the Mellin contour does not cross the real axis at a finite point "
                             "(nodes damaged?)");
    double *th = malloc((pf_pdf_nparams(pdf) + 1) * sizeof *th);
    if (!th) return pf_status_set(st, PF_ENOMEM, "pdf: out of memory");
    pf_pdf_get_params(pdf, th);
    int rc = PF_OK;
    for (int j = 0; j < PF_NIN && !rc; j++) {
        char name[40];
        snprintf(name, sizeof name, "%s.a", pf_flav_in_name[j]);
        const long k = pf_pdf_param_index(pdf, name);
        if (k >= 0 && !(th[k] > 1.0 - c + PF_PDF_CONTOUR_MARGIN))
            rc = pf_status_set(st, PF_EDOMAIN, "input exponent %s = %g: the Mellin contour (c = %g) needs a > %g",
                               name, th[k], c, 1.0 - c + PF_PDF_CONTOUR_MARGIN);
    }
    free(th);
    return rc;
}

double pf_pdf_contour_intercept(const double complex *N, size_t nn)
{
    /* N = c + t e^{i phi} for the first nodes: c = Re N0 - Im N0 Re(N1 - N0) / Im(N1 - N0) */
    if (!N || nn < 2 || !(cimag(N[1] - N[0]) != 0.0)) return NAN;
    const double complex d = N[1] - N[0];
    const double c = creal(N[0]) - cimag(N[0]) * creal(d) / cimag(d);
    return isfinite(c) ? c : NAN;
}
