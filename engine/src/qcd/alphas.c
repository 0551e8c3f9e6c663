/* Running coupling: exact solution of the truncated RGE across thresholds (alphas.h). */
#include <math.h>
#include <stdlib.h>

#include "partonflow/alphas.h"

#define PF_PI 3.14159265358979323846
#define THR_TOL 1e-9

struct pf_alphas {
    int order, scheme, nf_fixed, nf_ref;
    double thr2[3];          /* mu_R^2 thresholds xi_r^2 m_{c,b,t}^2 */
    double match_c;          /* NLO matching coefficient (2/3) ln(mu_R^2/m_h^2) = (4/3) ln xi_r */
    double match_c2;         /* NNLO: 14/3 + 38/3 L + 4/9 L^2, L = ln(mu_R^2/m_h^2) */
    double anchor_l[7];      /* per nf: ln mu^2 and a_s of a point inside its region */
    double anchor_a[7];
};

double pf_alphas_threshold(const pf_alphas *as, int h) { return as->thr2[h]; }

double pf_alphas_beta0(int nf) { return 11.0 - 2.0 / 3.0 * nf; }
double pf_alphas_beta1(int nf) { return 102.0 - 38.0 / 3.0 * nf; }
/* Tarasov, Vladimirov, Zharkov (1980); Larin, Vermaseren (1993) */
double pf_alphas_beta2(int nf) { return 2857.0 / 2.0 - 5033.0 / 18.0 * nf + 325.0 / 54.0 * nf * nf; }

int pf_alphas_nf(const pf_alphas *as, double mur2)
{
    if (as->scheme == PF_FFNS) return as->nf_fixed;
    int nf = 3;
    for (int h = 0; h < 3; h++)
        if (mur2 >= as->thr2[h] * (1.0 - THR_TOL)) nf = 4 + h;
    return nf;
}

/* MSbar decoupling at mu_R^2 = xi_r^2 m_h^2, to the order of the evolution (Chetyrkin,
 * Kniehl, Steinhauser, PRL 79 (1997) 2184, first order; as in QCD-Pegasus' ASNF1):
 *     a^(nf+1) = a^(nf) [1 + c a^(nf)],  c = (2/3) ln(mu_R^2/m_h^2);
 * c = 0 for mu_R = mu_F (continuous), no matching at LO.  Downwards the exact inverse of the
 * same map, so that down-and-up returns the start value. */
static double match_up(const pf_alphas *as, double a)
{
    if (as->order == PF_LO) return a;
    /* NNLO: a^(nf+1) = a [1 + c1 a + c2 a^2] with c2 = 14/3 + 38/3 L + 4/9 L^2 (pole mass;
     * CKS inverted, as in QCD-Pegasus' ASNF1) */
    if (as->order == PF_NNLO) return a * (1.0 + as->match_c * a + as->match_c2 * a * a);
    return a * (1.0 + as->match_c * a);
}

static double match_down(const pf_alphas *as, double a)
{
    if (as->order == PF_LO) return a;
    if (as->order == PF_NNLO) {
        /* the exact inverse of match_up by Newton's method */
        double b = a;
        for (int it = 0; it < 100; it++) {
            const double f = b * (1.0 + as->match_c * b + as->match_c2 * b * b) - a;
            const double df = 1.0 + 2.0 * as->match_c * b + 3.0 * as->match_c2 * b * b;
            const double d = f / df;
            b -= d;
            if (fabs(d) <= 1e-17 * b) break;
        }
        return b;
    }
    const double d = 1.0 + 4.0 * as->match_c * a;
    return d > 0.0 ? 2.0 * a / (1.0 + sqrt(d)) : a * (1.0 - as->match_c * a);
}

/* NNLO: exact solution of da/dln mu^2 = -(b0 a^2 + b1 a^3 + b2 a^4).  With Q(a) = b0 + b1 a
 * + b2 a^2, 1/(a^2 Q) = 1/(b0 a^2) - b1/(b0^2 a) + g(a), g(a) = [(b1^2 - b0 b2) + b1 b2 a] /
 * (b0^2 Q(a)) smooth (Q has no zero for |a| < 0.1), so
 *   dl = 1/(b0 a) - 1/(b0 a0) + (b1/b0^2) ln(a/a0) + int_a^a0 g,
 * the integral by 20-point Gauss-Legendre (exact to rounding on such intervals), solved for
 * a by Newton's method from the NLO value. */
static double gl20(double lo, double hi, double b0, double b1, double b2)
{
    static const double xg[10] = {0.0765265211334973, 0.2277858511416451, 0.3737060887154195,
                                  0.5108670019508271, 0.6360536807265150, 0.7463319064601508,
                                  0.8391169718222188, 0.9122344282513259, 0.9639719272779138,
                                  0.9931285991850949};
    static const double wg[10] = {0.1527533871307258, 0.1491729864726037, 0.1420961093183820,
                                  0.1316886384491766, 0.1181945319615184, 0.1019301198172404,
                                  0.0832767415767048, 0.0626720483341091, 0.0406014298003869,
                                  0.0176140071391521};
    const double m = 0.5 * (hi + lo), h = 0.5 * (hi - lo), k0 = b1 * b1 - b0 * b2;
    double s = 0.0;
    for (int i = 0; i < 10; i++)
        for (int sg = -1; sg <= 1; sg += 2) {
            const double a = m + sg * h * xg[i];
            s += wg[i] * (k0 + b1 * b2 * a) / (b0 * b0 * (b0 + b1 * a + b2 * a * a));
        }
    return s * h;
}

static double run_nnlo(int nf, double a0, double dl, double a)
{
    const double b0 = pf_alphas_beta0(nf), b1 = pf_alphas_beta1(nf), b2 = pf_alphas_beta2(nf);
    for (int it = 0; it < 100; it++) {
        const double phi = 1.0 / (b0 * a) - 1.0 / (b0 * a0) + b1 / (b0 * b0) * log(a / a0)
                           + gl20(a, a0, b0, b1, b2) - dl;
        const double dphi = -1.0 / (a * a * (b0 + b1 * a + b2 * a * a));
        double da = -phi / dphi;
        if (a + da <= 0.0) da = -0.5 * a;
        a += da;
        if (fabs(da) <= 1e-16 * a) break;
    }
    return a;
}

/* a_s at ln mu^2 = l from (l0, a0) at fixed nf */
static double run(int order, int nf, double l0, double a0, double l)
{
    const double b0 = pf_alphas_beta0(nf);
    const double rhs_lo = 1.0 / a0 + b0 * (l - l0);
    if (!(rhs_lo > 0.0)) return NAN;
    double a = 1.0 / rhs_lo;
    if (order == PF_LO) return a;
    const double c = pf_alphas_beta1(nf) / b0;
    if (order == PF_NNLO) return run_nnlo(nf, a0, l - l0, a);
    const double target = 1.0 / a0 + c * log(a0 / (1.0 + c * a0)) + b0 * (l - l0);
    for (int it = 0; it < 100; it++) {
        double phi = 1.0 / a + c * log(a / (1.0 + c * a)) - target;
        double dphi = -1.0 / (a * a * (1.0 + c * a));
        double da = -phi / dphi;
        if (a + da <= 0.0) da = -0.5 * a;
        a += da;
        if (fabs(da) <= 1e-16 * a) break;
    }
    return a;
}

pf_alphas *pf_alphas_create(const pf_theory_card *th, pf_status *st)
{
    if (!(th->alphas_value > 0.0 && th->alphas_value < 4.0 * PF_PI) || !(th->alphas_mu > 0.0)
        || !(th->xi_r > 0.0)) {
        pf_status_set(st, PF_EINVAL,
                      "alpha_s: need 0 < theory.alphas.value < 4 pi, theory.alphas.mu > 0 and "
                      "theory.xi_r > 0, got %g at %g GeV, xi_r %g",
                      th->alphas_value, th->alphas_mu, th->xi_r);
        return NULL;
    }
    pf_alphas *as = calloc(1, sizeof *as);
    if (!as) {
        pf_status_set(st, PF_ENOMEM, "alpha_s: out of memory");
        return NULL;
    }
    as->order = th->order;
    as->scheme = th->scheme;
    as->nf_fixed = th->nf;
    const double m[3] = {th->mc, th->mb, th->mt};
    const double k = th->xi_r * th->xi_r;
    for (int h = 0; h < 3; h++) as->thr2[h] = k * m[h] * m[h];
    as->match_c = (2.0 / 3.0) * log(k);
    as->match_c2 = 14.0 / 3.0 + 38.0 / 3.0 * log(k) + 4.0 / 9.0 * log(k) * log(k);
    const double lref = log(th->alphas_mu * th->alphas_mu);
    const double aref = th->alphas_value / (4.0 * PF_PI);
    if (th->scheme == PF_FFNS) {
        as->anchor_l[th->nf] = lref;
        as->anchor_a[th->nf] = aref;
        return as;
    }
    /* The reference value belongs to the flavours lighter than its scale, compared with the
     * masses themselves (not with xi_r m_h), a scale on a mass counting as below it: the
     * usual alpha_s^(5)(M_Z), and the Les Houches alpha_s(2 GeV^2) = 0.35 at mu0 = m_c is a
     * 3-flavour value for every xi_r (QCD-Pegasus: "at exactly the thresholds nf = 3, 4, 5";
     * needed to reproduce hep-ph/0204316 table 4 part 3, see docs/physics-evolution.md). */
    const double r2 = th->alphas_mu * th->alphas_mu;
    int nfr = 3;
    for (int h = 0; h < 3; h++)
        if (r2 > m[h] * m[h] * (1.0 + THR_TOL)) nfr = 4 + h;
    as->nf_ref = nfr;
    as->anchor_l[nfr] = lref;
    as->anchor_a[nfr] = aref;
    /* thresholds: region nf (4..6) starts at thr2[nf-4]; anchor = matched value there */
    for (int nf = nfr + 1; nf <= 6; nf++) {
        double l = log(as->thr2[nf - 4]);
        as->anchor_l[nf] = l;
        as->anchor_a[nf] = match_up(as, run(as->order, nf - 1, as->anchor_l[nf - 1], as->anchor_a[nf - 1], l));
    }
    for (int nf = nfr - 1; nf >= 3; nf--) {
        double l = log(as->thr2[nf - 3]);
        as->anchor_l[nf] = l;
        as->anchor_a[nf] = match_down(as, run(as->order, nf + 1, as->anchor_l[nf + 1], as->anchor_a[nf + 1], l));
    }
    return as;
}

void pf_alphas_destroy(pf_alphas *as) { free(as); }

double pf_alphas_at(const pf_alphas *as, double mur2)
{
    if (!(mur2 > 0.0)) return NAN;
    return pf_alphas_at_nf(as, mur2, pf_alphas_nf(as, mur2));
}

double pf_alphas_at_nf(const pf_alphas *as, double mur2, int nf)
{
    if (!(mur2 > 0.0)) return NAN;
    if (as->scheme == PF_FFNS) nf = as->nf_fixed;
    if (nf < 3 || nf > 6) return NAN;
    return 4.0 * PF_PI * run(as->order, nf, as->anchor_l[nf], as->anchor_a[nf], log(mur2));
}

int pf_alphas_nf_ref(const pf_alphas *as) { return as->scheme == PF_FFNS ? as->nf_fixed : as->nf_ref; }
