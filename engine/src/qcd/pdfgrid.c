/* Tabulated PDFs and LHAPDF's log-bicubic interpolation (pdfgrid.h).
 *
 * The interpolation is the one LHAPDF 6 applies by default to lhagrid1 sets
 * (arXiv:1412.7420, sec. 3): on each Q knot line a cubic Hermite polynomial in ln x whose
 * knot slopes are the mean of the two adjacent secant slopes (one-sided at the ends), and
 * through the four lines around Q^2 the same in ln Q^2.  Both steps are linear in the
 * tabulated values, so a point costs four weights in ln x and four in ln Q^2 and then 16
 * multiply-adds per flavour; the x slopes are precomputed per knot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evol_internal.h"
#include "partonflow/pdfgrid.h"

#define KX 6.0          /* u = ln x - KX ln(1 - x) */
#define XLAST 0.99      /* last knot before x = 1 */
#define QA 0.5
#define QL0 3e-4
#define QB 1.0
#define QL1 0.05
#define EDGE_REL 1e-7   /* the top knot of a subgrid is evaluated this far below its threshold */

typedef struct subgrid {
    size_t nq;
    double *q, *lq2;  /* [nq] */
    double *val;      /* [(iq*nx + ix)*PF_NOUT + k] */
    double *rec;      /* [(iq*nx + ix)*2*PF_NOUT]: x f then d(x f)/d ln x, per knot */
} subgrid;

struct pf_pdfgrid {
    size_t nx;
    double *x, *lx; /* [nx] */
    double u0, du;  /* knots 0 .. nx-2 at u0 + i du */
    size_t nsub;
    subgrid sub[PF_PDFGRID_MAXSUB];
    double q2lo, q2hi;
};

void pf_pdfgrid_spec_default(pf_pdfgrid_spec *spec)
{
    spec->nx = 400;
    spec->nq = 50;
    spec->xmin = 1e-6;
    spec->qmax = 1e5;
}

static double u_of_x(double x) { return log(x) - KX * log1p(-x); }

/* u is increasing in x: bisection in ln x to the last bit */
static double x_of_u(double u)
{
    double lo = -800.0, hi = log(XLAST) + 1e-3;
    for (int it = 0; it < 200; it++) {
        const double mid = 0.5 * (lo + hi);
        if (u_of_x(exp(mid)) < u) lo = mid;
        else hi = mid;
    }
    return exp(0.5 * (lo + hi));
}

static double s_of_l(double l, double lmax)
{
    return l + QA * log1p(l / QL0) - QA * log1p((lmax - l) / QL0) + QB * log1p(l / QL1);
}

static double l_of_s(double s, double lmax)
{
    double lo = 0.0, hi = lmax;
    for (int it = 0; it < 200; it++) {
        const double mid = 0.5 * (lo + hi);
        if (s_of_l(mid, lmax) < s) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

void pf_pdfgrid_destroy(pf_pdfgrid *g)
{
    if (!g) return;
    for (size_t s = 0; s < g->nsub; s++) {
        free(g->sub[s].q);
        free(g->sub[s].lq2);
        free(g->sub[s].val);
        free(g->sub[s].rec);
    }
    free(g->x);
    free(g->lx);
    free(g);
}

pf_pdfgrid *pf_pdfgrid_create(const pf_evol *ev, const pf_pdfgrid_spec *spec, pf_status *st)
{
    pf_pdfgrid_spec d;
    pf_pdfgrid_spec_default(&d);
    if (!spec) spec = &d;
    const double q2min = pf_evol_q2min(ev), q2max = spec->qmax * spec->qmax;
    if (spec->nx < 8 || spec->nx > 100000)
        return pf_status_set(st, PF_EINVAL, "PDF grid: %zu x knots; expected 8 .. 100000", spec->nx), NULL;
    if (spec->nq < 4 || spec->nq > 100000)
        return pf_status_set(st, PF_EINVAL, "PDF grid: %zu Q knots per subgrid; expected 4 .. 100000 "
                                            "(log-bicubic interpolation needs 4)", spec->nq), NULL;
    if (!(spec->xmin > 0.0 && spec->xmin < 0.5))
        return pf_status_set(st, PF_EINVAL, "PDF grid: xmin = %g; expected 0 < xmin < 0.5", spec->xmin), NULL;
    if (!(q2max > q2min * 1.01))
        return pf_status_set(st, PF_EINVAL, "PDF grid: qmax = %g GeV; expected above mu0 = %g GeV", spec->qmax,
                             sqrt(q2min)), NULL;
    pf_pdfgrid *g = calloc(1, sizeof *g);
    if (!g) return pf_status_set(st, PF_ENOMEM, "PDF grid: out of memory"), NULL;
    const size_t nx = spec->nx;
    g->nx = nx;
    g->x = malloc(nx * sizeof *g->x);
    g->lx = malloc(nx * sizeof *g->lx);
    if (!g->x || !g->lx) goto oom;
    g->u0 = u_of_x(spec->xmin);
    g->du = (u_of_x(XLAST) - g->u0) / (double)(nx - 2);
    for (size_t i = 0; i + 1 < nx; i++) g->x[i] = i == 0 ? spec->xmin : i + 2 == nx ? XLAST : x_of_u(g->u0 + i * g->du);
    g->x[nx - 1] = 1.0;
    for (size_t i = 0; i < nx; i++) g->lx[i] = log(g->x[i]);
    /* subgrid edges: mu0^2, the evolution's breakpoints below qmax^2, qmax^2 */
    double edge[PF_PDFGRID_MAXSUB + 1];
    size_t ne = 0;
    edge[ne++] = q2min;
    for (int b = 0; b < ev->nbrk; b++)
        if (ev->brk[b] > q2min * 1.001 && ev->brk[b] < q2max / 1.001 && ne < PF_PDFGRID_MAXSUB)
            edge[ne++] = ev->brk[b];
    edge[ne++] = q2max;
    g->nsub = ne - 1;
    g->q2lo = q2min;
    g->q2hi = q2max;
    for (size_t s = 0; s < g->nsub; s++) {
        subgrid *sg = &g->sub[s];
        const size_t nq = spec->nq;
        sg->nq = nq;
        sg->q = malloc(nq * sizeof *sg->q);
        sg->lq2 = malloc(nq * sizeof *sg->lq2);
        sg->val = calloc(nq * nx * PF_NOUT, sizeof *sg->val);
        sg->rec = calloc(nq * nx * 2 * PF_NOUT, sizeof *sg->rec);
        if (!sg->q || !sg->lq2 || !sg->val || !sg->rec) goto oom;
        const double lmax = log(edge[s + 1] / edge[s]);
        const double s0 = s_of_l(0.0, lmax), s1 = s_of_l(lmax, lmax);
        for (size_t j = 0; j < nq; j++) {
            const double l = j == 0 ? 0.0 : j + 1 == nq ? lmax : l_of_s(s0 + (s1 - s0) * j / (double)(nq - 1), lmax);
            sg->lq2[j] = log(edge[s]) + l;
            sg->q[j] = j == 0 ? sqrt(edge[s]) : j + 1 == nq ? sqrt(edge[s + 1]) : sqrt(edge[s] * exp(l));
        }
        sg->lq2[0] = log(edge[s]);
        sg->lq2[nq - 1] = log(edge[s + 1]);
    }
    return g;
oom:
    pf_pdfgrid_destroy(g);
    pf_status_set(st, PF_ENOMEM, "PDF grid: out of memory for %zu x knots", nx);
    return NULL;
}

int pf_pdfgrid_fill(pf_pdfgrid *g, const pf_evol *ev, const pf_pdf *pdf, pf_status *st)
{
    const size_t nx = g->nx, nxi = nx - 1; /* x = 1 is zero, not evaluated */
    size_t n = 0;
    for (size_t s = 0; s < g->nsub; s++) n += g->sub[s].nq * nxi;
    double *x = malloc(n * sizeof *x), *q2 = malloc(n * sizeof *q2);
    double *xf = malloc(n * PF_NOUT * sizeof *xf);
    if (!x || !q2 || !xf) {
        free(x);
        free(q2);
        free(xf);
        return pf_status_set(st, PF_ENOMEM, "PDF grid: out of memory for %zu knots", n);
    }
    size_t p = 0;
    for (size_t s = 0; s < g->nsub; s++) {
        const subgrid *sg = &g->sub[s];
        for (size_t j = 0; j < sg->nq; j++) {
            /* the top knot of a lower subgrid: the value just below its threshold */
            double qq = exp(sg->lq2[j]);
            if (j == 0) qq = s == 0 ? pf_evol_q2min(ev) : exp(sg->lq2[0]);
            if (j + 1 == sg->nq && s + 1 < g->nsub) qq *= 1.0 - EDGE_REL;
            for (size_t i = 0; i < nxi; i++, p++) {
                x[p] = g->x[i];
                q2[p] = qq;
            }
        }
    }
    int rc = pf_evol_xf(ev, pdf, n, x, q2, xf, NULL, st);
    if (!rc) {
        p = 0;
        for (size_t s = 0; s < g->nsub; s++) {
            subgrid *sg = &g->sub[s];
            for (size_t j = 0; j < sg->nq; j++) {
                for (size_t i = 0; i < nxi; i++, p++)
                    memcpy(sg->val + (j * nx + i) * PF_NOUT, xf + p * PF_NOUT, sizeof(double) * PF_NOUT);
                memset(sg->val + (j * nx + nx - 1) * PF_NOUT, 0, sizeof(double) * PF_NOUT);
                /* knot slopes in ln x: mean of the adjacent secants, one-sided at the ends */
                for (size_t i = 0; i < nx; i++) {
                    double *r = sg->rec + (j * nx + i) * 2 * PF_NOUT;
                    const double *f = sg->val + (j * nx + i) * PF_NOUT;
                    for (int k = 0; k < PF_NOUT; k++) {
                        double sl = 0.0, sr = 0.0;
                        int nl = i > 0, nr = i + 1 < nx;
                        if (nl) sl = (f[k] - f[k - PF_NOUT]) / (g->lx[i] - g->lx[i - 1]);
                        if (nr) sr = (f[k + PF_NOUT] - f[k]) / (g->lx[i + 1] - g->lx[i]);
                        r[k] = f[k];
                        r[PF_NOUT + k] = nl && nr ? 0.5 * (sl + sr) : nl ? sl : sr;
                    }
                }
            }
        }
    } else if (st) {
        pf_status_prefix(st, "PDF grid: ");
    }
    free(x);
    free(q2);
    free(xf);
    return rc;
}

/* the four Hermite basis polynomials at t */
static inline void hermite(double t, double h[4])
{
    const double t2 = t * t, t3 = t2 * t;
    h[0] = 2 * t3 - 3 * t2 + 1; /* value at 0 */
    h[1] = t3 - 2 * t2 + t;     /* slope at 0 (times the step) */
    h[2] = -2 * t3 + 3 * t2;    /* value at 1 */
    h[3] = t3 - t2;             /* slope at 1 */
}

#define PF_BLK 16

/* a point's cell: the records of the knot lines iq-1+j, j = j0 .. j1-1, at x knot ix
 * (rec + (j - j0)*line) and the weights in ln x and ln Q2 */
typedef struct cell {
    const double *rec;
    size_t line, j0, j1;
    double wx[4], wq[4];
} cell;

static inline void locate(const pf_pdfgrid *g, double xi, double q2, double lq2lo, double lq2hi, cell *c)
{
    const size_t nx = g->nx;
    const double lq = fmin(fmax(log(q2), lq2lo), lq2hi);
    /* x interval: from u(x), corrected by one step where rounding puts it off */
    const double lx = log(xi);
    size_t ix;
    if (xi >= XLAST) {
        ix = nx - 2;
    } else {
        double f = (lx - KX * log1p(-xi) - g->u0) / g->du;
        ix = f <= 0.0 ? 0 : (size_t)f;
        if (ix > nx - 3) ix = nx - 3;
        if (ix > 0 && lx < g->lx[ix]) ix--;
        else if (ix < nx - 3 && lx >= g->lx[ix + 1]) ix++;
    }
    /* subgrid: a Q2 on a boundary belongs to the upper one */
    size_t s = 0;
    while (s + 1 < g->nsub && lq >= g->sub[s + 1].lq2[0]) s++;
    const subgrid *sg = &g->sub[s];
    const size_t nq = sg->nq;
    size_t lo = 0, hi = nq - 1; /* lq2[lo] <= lq < lq2[hi] */
    while (hi - lo > 1) {
        const size_t mid = (lo + hi) / 2;
        if (lq >= sg->lq2[mid]) lo = mid;
        else hi = mid;
    }
    const size_t iq = lo;
    /* weights in ln x: f0, d0, f1, d1 */
    const double dlx = g->lx[ix + 1] - g->lx[ix];
    double hx[4];
    hermite((lx - g->lx[ix]) / dlx, hx);
    c->wx[0] = hx[0];
    c->wx[1] = hx[1] * dlx;
    c->wx[2] = hx[2];
    c->wx[3] = hx[3] * dlx;
    /* weights in ln Q2 of the lines iq-1 .. iq+2 (LHAPDF's secant-mean slopes) */
    const double h1 = sg->lq2[iq + 1] - sg->lq2[iq];
    double hq[4], *wq = c->wq;
    wq[0] = wq[1] = wq[2] = wq[3] = 0.0;
    hermite((lq - sg->lq2[iq]) / h1, hq);
    wq[1] = hq[0];
    wq[2] = hq[2];
    if (iq > 0) {
        const double r0 = h1 / (sg->lq2[iq] - sg->lq2[iq - 1]);
        wq[2] += 0.5 * hq[1];
        wq[1] += -0.5 * hq[1] + 0.5 * hq[1] * r0;
        wq[0] += -0.5 * hq[1] * r0;
    } else {
        wq[2] += hq[1];
        wq[1] -= hq[1];
    }
    if (iq + 2 < nq) {
        const double r2 = h1 / (sg->lq2[iq + 2] - sg->lq2[iq + 1]);
        wq[2] += 0.5 * hq[3] - 0.5 * hq[3] * r2;
        wq[1] -= 0.5 * hq[3];
        wq[3] += 0.5 * hq[3] * r2;
    } else {
        wq[2] += hq[3];
        wq[1] -= hq[3];
    }
    c->j0 = iq > 0 ? 0 : 1;
    c->j1 = iq + 2 < nq ? 4 : 3;
    c->line = nx * 2 * PF_NOUT;
    /* rec: knot line iq - 1 + j0 (line j at rec + (j - j0) * line) */
    c->rec = sg->rec + ((iq + c->j0 - 1) * nx + ix) * 2 * PF_NOUT;
}

int pf_pdfgrid_eval(const pf_pdfgrid *g, size_t n, const double *x, const double *q2, double *xf,
                    pf_status *st)
{
    const double lq2lo = log(g->q2lo), lq2hi = log(g->q2hi);
    for (size_t i = 0; i < n; i++) {
        const double lq = log(q2[i]);
        if (!(x[i] >= g->x[0] && x[i] <= 1.0))
            return pf_status_set(st, PF_EDOMAIN, "PDF grid: point %zu: x = %g is outside the grid [%g, 1]", i, x[i],
                                 g->x[0]);
        if (!(lq >= lq2lo - 1e-12 && lq <= lq2hi + 1e-12))
            return pf_status_set(st, PF_EDOMAIN, "PDF grid: point %zu: Q2 = %g GeV^2 is outside the grid [%g, %g]",
                                 i, q2[i], g->q2lo, g->q2hi);
    }
    /* every point on its own: the result does not depend on the thread count.  Blocks of
     * PF_BLK points: first every point's cell and weights, with a prefetch of the four
     * knot-line records it reads (the table is megabytes, the points random), then the
     * sums, by which time the records are in cache. */
    const long nblk = (long)((n + PF_BLK - 1) / PF_BLK);
#pragma omp parallel for schedule(static) if (n > 4096)
    for (long b = 0; b < nblk; b++) {
        cell c[PF_BLK];
        const size_t i0 = (size_t)b * PF_BLK, m = n - i0 < PF_BLK ? n - i0 : PF_BLK;
        for (size_t p = 0; p < m; p++) {
            locate(g, x[i0 + p], q2[i0 + p], lq2lo, lq2hi, &c[p]);
            for (size_t j = c[p].j0; j < c[p].j1; j++) {
                const char *r = (const char *)(c[p].rec + (j - c[p].j0) * c[p].line);
                for (size_t o = 0; o < 4 * PF_NOUT * sizeof(double); o += 64) __builtin_prefetch(r + o);
            }
        }
        for (size_t p = 0; p < m; p++) {
            const cell *cp = &c[p];
            double acc[PF_NOUT] = {0};
            for (size_t j = cp->j0; j < cp->j1; j++) {
                const double *r = cp->rec + (j - cp->j0) * cp->line;
                const double w = cp->wq[j];
                const double a0 = w * cp->wx[0], b0 = w * cp->wx[1], c0 = w * cp->wx[2], d0 = w * cp->wx[3];
                for (int k = 0; k < PF_NOUT; k++)
                    acc[k] += a0 * r[k] + b0 * r[PF_NOUT + k] + c0 * r[2 * PF_NOUT + k] + d0 * r[3 * PF_NOUT + k];
            }
            memcpy(xf + (i0 + p) * PF_NOUT, acc, sizeof acc);
        }
    }
    return PF_OK;
}

size_t pf_pdfgrid_nx(const pf_pdfgrid *g) { return g->nx; }
const double *pf_pdfgrid_x(const pf_pdfgrid *g) { return g->x; }
size_t pf_pdfgrid_nsub(const pf_pdfgrid *g) { return g->nsub; }
size_t pf_pdfgrid_nq(const pf_pdfgrid *g, size_t s) { return s < g->nsub ? g->sub[s].nq : 0; }
const double *pf_pdfgrid_q(const pf_pdfgrid *g, size_t s) { return s < g->nsub ? g->sub[s].q : NULL; }
const double *pf_pdfgrid_values(const pf_pdfgrid *g, size_t s) { return s < g->nsub ? g->sub[s].val : NULL; }

/* PDG ids of the output flavours tbar .. t (pf_flav_out_name order), gluon 21 */
static const int pdg_id[PF_NOUT] = {-6, -5, -4, -3, -2, -1, 21, 1, 2, 3, 4, 5, 6};

int pf_pdfgrid_write_lhagrid1(const pf_pdfgrid *g, FILE *f, const char *pdftype, pf_status *st)
{
    fprintf(f, "PdfType: %s\nFormat: lhagrid1\n---\n", pdftype);
    for (size_t s = 0; s < g->nsub; s++) {
        const subgrid *sg = &g->sub[s];
        for (size_t i = 0; i < g->nx; i++) fprintf(f, "%s%.15e", i ? " " : "", g->x[i]);
        fputc('\n', f);
        for (size_t j = 0; j < sg->nq; j++) fprintf(f, "%s%.15e", j ? " " : "", sg->q[j]);
        fputc('\n', f);
        for (int k = 0; k < PF_NOUT; k++) fprintf(f, "%s%d", k ? " " : "", pdg_id[k]);
        fputc('\n', f);
        /* x the outer loop, Q the inner one */
        for (size_t i = 0; i < g->nx; i++)
            for (size_t j = 0; j < sg->nq; j++) {
                const double *v = sg->val + (j * g->nx + i) * PF_NOUT;
                for (int k = 0; k < PF_NOUT; k++) fprintf(f, "%s%.9e", k ? " " : "", v[k]);
                fputc('\n', f);
            }
        fputs("---\n", f);
    }
    if (ferror(f)) return pf_status_set(st, PF_EIO, "writing an LHAPDF member file failed");
    return PF_OK;
}
