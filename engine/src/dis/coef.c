/* partonflow: NLO Wilson coefficients of F2 and FL in N space (photon exchange, MSbar,
 * mu_F = Q), per-flavour convention and a_s = alpha_s/(4 pi) normalisation of dis.h.
 *
 * The N-space forms are the Mellin moments int_0^1 z^(N-1) c(z) dz of the x-space
 * coefficient functions of Furmanski-Petronzio, Z. Phys. C11 (1982) 293 (Ellis-Stirling-
 * Webber, "QCD and Collider Physics", ch. 4, there in alpha_s/(2 pi)):
 *   c2q(z) = CF [ 4 (ln(1-z)/(1-z))_+ - 3 (1/(1-z))_+ - 2 (1+z) ln(1-z)
 *                 - 2 (1+z^2)/(1-z) ln z + 6 + 4 z - (9 + 4 zeta2) delta(1-z) ]
 *   c2g(z) = 4 TR [ (z^2 + (1-z)^2) ln((1-z)/z) - 1 + 8 z (1-z) ]
 *   cLq(z) = 4 CF z,   cLg(z) = 16 TR z (1-z)
 * Moments used: (1/(1-z))_+ -> -S1(N-1); (ln(1-z)/(1-z))_+ -> [S1(N-1)^2 + S2(N-1)]/2;
 * z^k ln(1-z) -> -S1(N+k)/(N+k); z^k ln z -> -1/(N+k)^2; ln z/(1-z) -> -psi'(N).
 * The results agree with Bardeen-Buras-Duke-Muta, Phys. Rev. D18 (1978) 3998, and satisfy
 * the Adler sum rule c2q(N=1) = 0. */
#include <complex.h>
#include <math.h>

#include "partonflow/dis.h"
#include "partonflow/harmonic.h"

const double pf_dis_eq2[7] = {0.0, 1.0 / 9.0, 4.0 / 9.0, 1.0 / 9.0, 4.0 / 9.0, 1.0 / 9.0, 4.0 / 9.0};

void pf_dis_coef_nlo(double complex N, double complex c[PF_DIS_NCOEF])
{
    /* S1(N) = psi(N+1) + gamma_E, S2(N) = zeta2 - psi'(N+1), continued to the whole
     * contour including its Re N < 0 half (harmonic.h) */
    const double complex S1 = pf_harm_s1(N);
    const double complex S2 = pf_harm_s2(N);
    const double complex N1 = N + 1.0, N2 = N + 2.0;

    c[PF_DIS_C2Q] = PF_DIS_CF * (2.0 * S1 * S1 - 2.0 * S2 + 3.0 * S1 - 2.0 * S1 / (N * N1) +
                                 3.0 / N + 4.0 / N1 + 2.0 / (N * N) - 9.0);
    c[PF_DIS_C2G] = 4.0 * PF_DIS_TR *
                    (-(N * N + N + 2.0) / (N * N1 * N2) * S1 + 1.0 / (N * N) - 1.0 / N + 6.0 / N1 -
                     6.0 / N2);
    c[PF_DIS_CLQ] = PF_DIS_CF * 4.0 / N1;
    c[PF_DIS_CLG] = 16.0 * PF_DIS_TR / (N1 * N2);
}

double complex pf_dis_coef_c3q_nlo(double complex N)
{
    double complex c[PF_DIS_NCOEF];
    pf_dis_coef_nlo(N, c);
    /* int_0^1 z^(N-1) (1 + z) dz = 1/N + 1/(N+1) */
    return c[PF_DIS_C2Q] - 2.0 * PF_DIS_CF * (1.0 / N + 1.0 / (N + 1.0));
}

int pf_dis_coefficients(int order, double a_s, size_t n, const double complex *N,
                        double complex *C, pf_status *st)
{
    if (order != PF_LO && order != PF_NLO)
        return pf_status_set(st, PF_EINVAL,
                             "pf_dis_coefficients: order: expected PF_LO (0) or PF_NLO (1), got %d",
                             order);
    for (size_t i = 0; i < n; i++) {
        double complex *c = C + i * PF_DIS_NCOEF;
        if (order == PF_LO) {
            c[PF_DIS_C2Q] = 1.0;
            c[PF_DIS_C2G] = c[PF_DIS_CLQ] = c[PF_DIS_CLG] = 0.0;
            continue;
        }
        /* the coefficient functions have poles at N = 0, -1, -2 (and psi at N+1 below) */
        if (!isfinite(creal(N[i])) || !isfinite(cimag(N[i])) ||
            (fabs(cimag(N[i])) < 1e-12 && creal(N[i]) <= 0.0 &&
             fabs(creal(N[i]) - round(creal(N[i]))) < 1e-12))
            return pf_status_set(st, PF_EDOMAIN,
                                 "pf_dis_coefficients: N[%zu] = %g%+gi: expected a finite N away "
                                 "from the poles at N = 0, -1, -2, ...",
                                 i, creal(N[i]), cimag(N[i]));
        pf_dis_coef_nlo(N[i], c);
        for (int k = 0; k < PF_DIS_NCOEF; k++) c[k] *= a_s;
        c[PF_DIS_C2Q] += 1.0;
    }
    return PF_OK;
}
