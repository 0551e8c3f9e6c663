/* A synthetic linear model for the likelihood and minimiser tests: it proves the fit
 * machinery independently of the physics.
 *
 * One reconstructed variable z in [0, 1]; "grid values" G_g(theta) = exp(sum_p K[g][p]
 * theta_p) (positive, analytic in theta); the density of events is the Bernstein mixture
 *     f(z) = L sum_g G_g B_g(z),   B_g = binom(m, g) z^g (1 - z)^(m - g),  m = NG - 1,
 * so the event row is w_i = (B_g(z_i))_g, the normalisation c_g = int B_g = 1 / NG, and the
 * histogram operator H_bg = int_bin B_g dz (incomplete Beta functions, GSL).  Events are
 * sampled exactly: component g with probability G_g / sum G, then z ~ Beta(g + 1, NG - g). */
#ifndef PF_TEST_FIT_SYNTH_H
#define PF_TEST_FIT_SYNTH_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "partonflow/fit.h"
#include "partonflow/like.h"

#define SY_NG 8
#define SY_NP 3
#define SY_NB 10

static const double sy_K[SY_NG][SY_NP] = {
    {1.0, 0.2, -0.3}, {0.8, -0.5, 0.1}, {0.3, 0.9, 0.2}, {-0.2, 0.4, 0.7},
    {0.5, -0.1, -0.6}, {-0.4, 0.6, 0.3}, {0.1, -0.8, 0.9}, {0.6, 0.3, -0.2}};
static const double sy_truth[SY_NP] = {0.3, -0.2, 0.1};

static void sy_grid(const double *th, double *G, double *dG)
{
    for (int g = 0; g < SY_NG; g++) {
        double e = 0.0;
        for (int p = 0; p < SY_NP; p++) e += sy_K[g][p] * th[p];
        G[g] = exp(e);
        if (dG)
            for (int p = 0; p < SY_NP; p++) dG[p * SY_NG + g] = sy_K[g][p] * G[g];
    }
}

static double sy_bern(int g, double z)
{
    const int m = SY_NG - 1;
    return gsl_sf_choose((unsigned)m, (unsigned)g) * pow(z, g) * pow(1.0 - z, m - g);
}

typedef struct sy_data {
    size_t n;
    uint64_t *row_ptr;
    uint32_t *col;
    double *val, *z;
    int32_t *bin;
    double c[SY_NG], H[SY_NB * SY_NG];
    double L;
} sy_data;

/* One pseudo-experiment: Poisson(L c.G(truth)) events (or exactly nfix when nfix > 0). */
static void sy_generate(sy_data *d, double L, unsigned long seed, size_t nfix)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double G[SY_NG], sum = 0.0;
    sy_grid(sy_truth, G, NULL);
    for (int g = 0; g < SY_NG; g++) sum += G[g];
    d->L = L;
    d->n = nfix ? nfix : gsl_ran_poisson(r, L * sum / SY_NG);
    d->row_ptr = malloc((d->n + 1) * sizeof *d->row_ptr);
    d->col = malloc(d->n * SY_NG * sizeof *d->col);
    d->val = malloc(d->n * SY_NG * sizeof *d->val);
    d->z = malloc(d->n * sizeof *d->z);
    d->bin = malloc(d->n * sizeof *d->bin);
    d->row_ptr[0] = 0;
    for (size_t i = 0; i < d->n; i++) {
        double u = gsl_rng_uniform(r) * sum, acc = 0.0;
        int g = 0;
        while (g < SY_NG - 1 && (acc += G[g]) < u) g++;
        double z = gsl_ran_beta(r, g + 1, SY_NG - g);
        d->z[i] = z;
        d->bin[i] = (int32_t)fmin(floor(z * SY_NB), SY_NB - 1);
        for (int k = 0; k < SY_NG; k++) {
            d->col[i * SY_NG + k] = (uint32_t)k;
            d->val[i * SY_NG + k] = sy_bern(k, z);
        }
        d->row_ptr[i + 1] = (i + 1) * SY_NG;
    }
    for (int g = 0; g < SY_NG; g++) {
        d->c[g] = 1.0 / SY_NG;
        for (int b = 0; b < SY_NB; b++) {
            /* int_{z0}^{z1} B_g = (I_{z1} - I_{z0})(g + 1, NG - g) / NG */
            double z0 = (double)b / SY_NB, z1 = (double)(b + 1) / SY_NB;
            d->H[b * SY_NG + g] =
                (gsl_cdf_beta_P(z1, g + 1, SY_NG - g) - gsl_cdf_beta_P(z0, g + 1, SY_NG - g)) / SY_NG;
        }
    }
    gsl_rng_free(r);
}

static void sy_free(sy_data *d)
{
    free(d->row_ptr); free(d->col); free(d->val); free(d->z); free(d->bin);
}

static pf_like *sy_like(const sy_data *d, pf_status *st)
{
    pf_like_data ld = {.ngrid = SY_NG, .nevents_total = d->n, .first_event = 0, .nevents = d->n,
                       .row_ptr = d->row_ptr, .col = d->col, .val = d->val, .bin = d->bin, .c = d->c,
                       .luminosity = d->L, .nbins = SY_NB, .H = d->H};
    return pf_like_create(&ld, st);
}

typedef struct sy_ctx {
    pf_like *lk;
    int histogram;
} sy_ctx;

/* f = -ln L for the minimiser */
static int sy_fdf(void *vctx, const double *th, double *f, double *grad, pf_status *st)
{
    sy_ctx *c = vctx;
    double G[SY_NG], dG[SY_NP * SY_NG], lnl, g[SY_NP];
    sy_grid(th, G, dG);
    int rc = c->histogram ? pf_like_histogram(c->lk, G, dG, SY_NP, &lnl, grad ? g : NULL, st)
                          : pf_like_events(c->lk, G, dG, SY_NP, &lnl, grad ? g : NULL, st);
    if (rc) return rc;
    *f = -lnl;
    if (grad)
        for (int p = 0; p < SY_NP; p++) grad[p] = -g[p];
    return 0;
}

#endif
