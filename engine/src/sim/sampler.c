/* partonflow sim: exact sampling of (x, Q^2) from a density on the cut region
 * (algorithm and RNG layout in sim.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "partonflow/kernels/philox.h"
#include "partonflow/sim.h"
#include "sim_internal.h"

#ifdef PF_HAVE_OPENMP
#include <omp.h>
#endif

struct pf_sim_sampler {
    pf_sim_region reg;
    pf_sim_density_fn f;
    void *ctx;
    double u0, v0, du, dv;       /* tight bounding box in (ln x, ln Q^2), cell sizes */
    int ncx, ncq;
    size_t ncells;               /* kept cells */
    int *cell_ix, *cell_iq;      /* cell -> grid position */
    double *env;                 /* envelope of g = x Q^2 f in the cell */
    double *alias_p;             /* Vose: probability of keeping the column */
    uint32_t *alias_j;           /* Vose: the alias */
    double total;                /* sum env * du * dv */
    uint64_t probe_raised;
};

void pf_sim_tight_box(const pf_sim_region *reg, double *xlo, double *xhi, double *qlo, double *qhi)
{
    const double *c = reg->cuts;
    const double s = reg->s, m2 = PF_KIN_MPROTON * PF_KIN_MPROTON, w = c[PF_CUT_W2_MIN] - m2;
    /* x >= Q2 / (s y) >= q2_min / (s y_max); x <= q2_max / (s y_min); W2 >= w2_min needs
     * x <= Q2 / (Q2 + w2_min - M^2) <= q2_max / (q2_max + w). */
    *xlo = fmax(c[PF_CUT_X_MIN], c[PF_CUT_Q2_MIN] / (s * c[PF_CUT_Y_MAX]));
    *xhi = c[PF_CUT_X_MAX];
    if (c[PF_CUT_Y_MIN] > 0) *xhi = fmin(*xhi, c[PF_CUT_Q2_MAX] / (s * c[PF_CUT_Y_MIN]));
    if (w > 0) *xhi = fmin(*xhi, c[PF_CUT_Q2_MAX] / (c[PF_CUT_Q2_MAX] + w));
    *qlo = fmax(c[PF_CUT_Q2_MIN], c[PF_CUT_Y_MIN] * s * *xlo);
    *qhi = fmin(c[PF_CUT_Q2_MAX], c[PF_CUT_Y_MAX] * s * *xhi);
}

/* Can the cell [xa, xb] x [qa, qb] meet the region?  Conservative (keeps any cell that each
 * cut alone allows): a kept cell that misses the region only costs rejected candidates. */
static int cell_may_meet(const pf_sim_region *reg, double xa, double xb, double qa, double qb)
{
    const double *c = reg->cuts;
    if (qa / (xb * reg->s) > c[PF_CUT_Y_MAX] || qb / (xa * reg->s) < c[PF_CUT_Y_MIN]) return 0;
    if (pf_kin_w2(xa, qb) < c[PF_CUT_W2_MIN]) return 0;
    return 1;
}

/* g = x Q^2 f at the m x m lattice of each cell (points i/(m-1) of the cell sides); max per cell. */
static int lattice_max(pf_sim_sampler *s, int m, double *mx, pf_status *st)
{
    const size_t per = (size_t)m * m, n = s->ncells * per;
    double *x = malloc(n * sizeof *x), *q = malloc(n * sizeof *q), *g = malloc(n * sizeof *g);
    if (!x || !q || !g) {
        free(x), free(q), free(g);
        return pf_status_set(st, PF_ENOMEM, "sampler envelope: out of memory for %zu points", n);
    }
    for (size_t c = 0; c < s->ncells; c++)
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) {
                const size_t k = c * per + (size_t)a * m + b;
                x[k] = exp(s->u0 + (s->cell_ix[c] + (double)a / (m - 1)) * s->du);
                q[k] = exp(s->v0 + (s->cell_iq[c] + (double)b / (m - 1)) * s->dv);
            }
    int rc = s->f(s->ctx, n, x, q, g, st);
    if (!rc)
        for (size_t c = 0; c < s->ncells; c++) {
            double best = 0;
            for (size_t k = c * per; k < (c + 1) * per; k++) {
                const double v = g[k] * x[k] * q[k];
                if (!(v >= 0) || !isfinite(v)) {
                    rc = pf_status_set(st, PF_EDOMAIN,
                                       "sampler envelope: density %g at x = %g, Q2 = %g is not finite and >= 0",
                                       g[k], x[k], q[k]);
                    break;
                }
                best = fmax(best, v);
            }
            mx[c] = best;
        }
    free(x), free(q), free(g);
    return rc;
}

/* Vose's alias method (M. D. Vose, IEEE TSE 17 (1991) 972): O(n) set-up, O(1) draw. */
static int build_alias(pf_sim_sampler *s, pf_status *st)
{
    const size_t n = s->ncells;
    double *p = malloc(n * sizeof *p);
    size_t *small = malloc(n * sizeof *small), *large = malloc(n * sizeof *large);
    if (!p || !small || !large) {
        free(p), free(small), free(large);
        return pf_status_set(st, PF_ENOMEM, "sampler: out of memory for the alias table");
    }
    size_t ns = 0, nl = 0;
    for (size_t c = 0; c < n; c++) {
        p[c] = s->env[c] * s->du * s->dv * (double)n / s->total;
        if (p[c] < 1.0) small[ns++] = c; else large[nl++] = c;
    }
    while (ns && nl) {
        const size_t l = small[--ns], g = large[--nl];
        s->alias_p[l] = p[l];
        s->alias_j[l] = (uint32_t)g;
        p[g] = (p[g] + p[l]) - 1.0;
        if (p[g] < 1.0) small[ns++] = g; else large[nl++] = g;
    }
    while (nl) { const size_t g = large[--nl]; s->alias_p[g] = 1.0; s->alias_j[g] = (uint32_t)g; }
    while (ns) { const size_t l = small[--ns]; s->alias_p[l] = 1.0; s->alias_j[l] = (uint32_t)l; }
    free(p), free(small), free(large);
    return PF_OK;
}

pf_sim_sampler *pf_sim_sampler_create(const pf_sim_region *reg, pf_sim_density_fn f, void *ctx,
                                      const pf_sim_options *opt, pf_status *st)
{
    pf_sim_options o = opt ? *opt : (pf_sim_options){0};
    if (!o.ncell_x) o.ncell_x = 96;
    if (!o.ncell_q2) o.ncell_q2 = 64;
    if (!o.nsub) o.nsub = 4;
    if (!(o.safety > 0)) o.safety = 1.15;
    if (o.ncell_x < 1 || o.ncell_q2 < 1 || o.nsub < 2 || (o.safety < 1.0 && !o.allow_unsafe)) {
        pf_status_set(st, PF_EINVAL, "sampler: cells %d x %d, sub-grid %d, safety %g: expected >= 1, >= 2, >= 1",
                      o.ncell_x, o.ncell_q2, o.nsub, o.safety);
        return NULL;
    }
    double xlo, xhi, qlo, qhi;
    pf_sim_tight_box(reg, &xlo, &xhi, &qlo, &qhi);
    if (!(xlo > 0 && xhi > xlo && xhi < 1 && qlo > 0 && qhi > qlo && reg->s > 0)) {
        pf_status_set(st, PF_EINVAL, "sampler: the cut region is empty (x %g..%g, Q2 %g..%g after the y and W2 cuts)",
                      xlo, xhi, qlo, qhi);
        return NULL;
    }
    pf_sim_sampler *s = calloc(1, sizeof *s);
    if (!s) {
        pf_status_set(st, PF_ENOMEM, "sampler: out of memory");
        return NULL;
    }
    s->reg = *reg;
    s->f = f;
    s->ctx = ctx;
    s->ncx = o.ncell_x;
    s->ncq = o.ncell_q2;
    s->u0 = log(xlo);
    s->v0 = log(qlo);
    s->du = (log(xhi) - s->u0) / s->ncx;
    s->dv = (log(qhi) - s->v0) / s->ncq;
    const size_t nmax = (size_t)s->ncx * s->ncq;
    s->cell_ix = malloc(nmax * sizeof(int));
    s->cell_iq = malloc(nmax * sizeof(int));
    s->env = malloc(nmax * sizeof(double));
    s->alias_p = malloc(nmax * sizeof(double));
    s->alias_j = malloc(nmax * sizeof(uint32_t));
    double *probe = malloc(nmax * sizeof(double));
    if (!s->cell_ix || !s->cell_iq || !s->env || !s->alias_p || !s->alias_j || !probe) {
        free(probe);
        pf_sim_sampler_destroy(s);
        pf_status_set(st, PF_ENOMEM, "sampler: out of memory for %zu cells", nmax);
        return NULL;
    }
    for (int i = 0; i < s->ncx; i++)
        for (int q = 0; q < s->ncq; q++) {
            const double xa = exp(s->u0 + i * s->du), xb = exp(s->u0 + (i + 1) * s->du);
            const double qa = exp(s->v0 + q * s->dv), qb = exp(s->v0 + (q + 1) * s->dv);
            if (!cell_may_meet(reg, xa, xb, qa, qb)) continue;
            s->cell_ix[s->ncells] = i;
            s->cell_iq[s->ncells] = q;
            s->ncells++;
        }
    /* the envelope from the sub-grid, then verified on a probe that halves the spacing */
    if (lattice_max(s, o.nsub, s->env, st) || lattice_max(s, 2 * o.nsub - 1, probe, st)) {
        free(probe);
        pf_sim_sampler_destroy(s);
        return NULL;
    }
    s->total = 0;
    for (size_t c = 0; c < s->ncells; c++) {
        s->env[c] *= o.safety;
        if (probe[c] > s->env[c]) {
            s->env[c] = o.safety * probe[c];
            s->probe_raised++;
        }
        if (!(s->env[c] > 0)) s->env[c] = 0;
        s->total += s->env[c] * s->du * s->dv;
    }
    free(probe);
    if (!(s->total > 0)) {
        pf_sim_sampler_destroy(s);
        pf_status_set(st, PF_EDOMAIN, "sampler: the density is zero on the whole cut region");
        return NULL;
    }
    if (build_alias(s, st)) {
        pf_sim_sampler_destroy(s);
        return NULL;
    }
    return s;
}

void pf_sim_sampler_destroy(pf_sim_sampler *s)
{
    if (!s) return;
    free(s->cell_ix), free(s->cell_iq), free(s->env), free(s->alias_p), free(s->alias_j);
    free(s);
}

double pf_sim_sampler_envelope_total(const pf_sim_sampler *s) { return s->total; }
uint64_t pf_sim_sampler_probe_raised(const pf_sim_sampler *s) { return s->probe_raised; }
size_t pf_sim_sampler_ncells(const pf_sim_sampler *s) { return s->ncells; }
const pf_sim_region *pf_sim_sampler_region(const pf_sim_sampler *s) { return &s->reg; }

#define SIM_CHUNK 512
#define SIM_MAX_CANDIDATES (UINT64_C(1) << 24) /* per event: a broken envelope, not bad luck */

/* One chunk: every pending event draws its j-th candidate; the candidates in the cuts are
 * evaluated in one batch; the rejected ones draw again. */
static int sample_chunk(const pf_sim_sampler *s, uint64_t seed, uint64_t first, size_t n, double *xo,
                        double *qo, pf_sim_counts *cnt, pf_status *st)
{
    uint32_t pend[SIM_CHUNK], ev[SIM_CHUNK];
    uint64_t j[SIM_CHUNK];
    double x[SIM_CHUNK], q[SIM_CHUNK], f[SIM_CHUNK], acc[SIM_CHUNK];
    uint32_t cell[SIM_CHUNK];
    size_t np = n;
    for (size_t i = 0; i < n; i++) pend[i] = (uint32_t)i, j[i] = 0;
    const double nc = (double)s->ncells;
    while (np) {
        size_t ne = 0, keep = 0;
        for (size_t p = 0; p < np; p++) {
            const uint32_t i = pend[p];
            const uint64_t stream = first + i, k = 4 * j[i];
            if (j[i] >= SIM_MAX_CANDIDATES)
                return pf_status_set(st, PF_ENOCONV, "sampler: event %llu drew %llu candidates without acceptance",
                                     (unsigned long long)stream, (unsigned long long)j[i]);
            j[i]++;
            cnt->candidates++;
            /* uniforms k..k+3 = both words of Philox blocks k/2 and k/2 + 1 (k = 4j even):
             * bitwise pf_rng_uniform(seed, stream, k + m), two block calls instead of four */
            const pf_philox_ctr b0 = pf_rng_block(seed, stream, k >> 1, 0u);
            const pf_philox_ctr b1 = pf_rng_block(seed, stream, (k >> 1) + 1, 0u);
            /* alias draw: integer part of U n picks the column, fractional part the coin */
            const double un = pf_rng_u64_to_open01(pf_rng_word(b0, 0)) * nc;
            size_t c = (size_t)un;
            if (c >= s->ncells) c = s->ncells - 1;
            if (un - (double)c >= s->alias_p[c]) c = s->alias_j[c];
            const double u = s->u0 + (s->cell_ix[c] + pf_rng_u64_to_open01(pf_rng_word(b0, 1))) * s->du;
            const double v = s->v0 + (s->cell_iq[c] + pf_rng_u64_to_open01(pf_rng_word(b1, 0))) * s->dv;
            const double xx = exp(u), qq = exp(v);
            if (!pf_kin_in_cuts(s->reg.cuts, xx, qq, s->reg.s)) {
                pend[keep++] = i;   /* outside the region: rejected */
                continue;
            }
            ev[ne] = i;
            x[ne] = xx;
            q[ne] = qq;
            cell[ne] = (uint32_t)c;
            acc[ne] = pf_rng_u64_to_open01(pf_rng_word(b1, 1));
            ne++;
        }
        if (ne) {
            int rc = s->f(s->ctx, ne, x, q, f, st);
            if (rc) return rc;
        }
        for (size_t e = 0; e < ne; e++) {
            const double g = f[e] * x[e] * q[e], env = s->env[cell[e]];
            if (acc[e] * env < g) {
                xo[ev[e]] = x[e];
                qo[ev[e]] = q[e];
                cnt->accepted++;
                if (g > env) cnt->violations++;
            } else
                pend[keep++] = ev[e];
        }
        np = keep;
    }
    return PF_OK;
}

int pf_sim_sample(const pf_sim_sampler *s, uint64_t seed, uint64_t first, size_t n, double *x,
                  double *q2, pf_sim_counts *counts, pf_status *st)
{
    const size_t nch = (n + SIM_CHUNK - 1) / SIM_CHUNK;
    uint64_t cand = 0, accd = 0, viol = 0;
    int err = 0;
    size_t err_chunk = (size_t)-1;
    pf_status est;
    pf_status_clear(&est);
#pragma omp parallel for schedule(dynamic, 4) reduction(+ : cand, accd, viol)
    for (size_t ch = 0; ch < nch; ch++) {
        const size_t a = ch * SIM_CHUNK, m = (n - a < SIM_CHUNK) ? n - a : SIM_CHUNK;
        pf_sim_counts c = {0, 0, 0};
        pf_status ls;
        pf_status_clear(&ls);
        if (sample_chunk(s, seed, first + a, m, x + a, q2 + a, &c, &ls)) {
#pragma omp critical(pf_sim_err)
            if (ch < err_chunk) { /* report the first failing chunk: deterministic message */
                err_chunk = ch;
                err = ls.code;
                est = ls;
            }
        }
        cand += c.candidates;
        accd += c.accepted;
        viol += c.violations;
    }
    if (err) {
        if (st) *st = est;
        return err;
    }
    if (counts) {
        counts->candidates += cand;
        counts->accepted += accd;
        counts->violations += viol;
    }
    return PF_OK;
}
