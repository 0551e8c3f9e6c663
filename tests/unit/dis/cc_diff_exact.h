/* Test-only exact two-loop even-N minus odd-N differences of the CC non-singlet coefficient
 * functions (Moch, Rogal, Vogt, arXiv:0708.3731; cc_diff_exact.c). which 0: F2, 1: FL, 2: F3. */
#ifndef PF_TEST_DIS_CC_DIFF_EXACT_H
#define PF_TEST_DIS_CC_DIFF_EXACT_H

/* delta c^(2)(x) = c^(2)even(x) - c^(2)odd(x), 0 < x < 1 (a regular function). */
double cc_diff_exact(int which, double x);
/* Its Mellin moment int_0^1 x^(N-1) delta c^(2)(x) dx at real N > 0. */
double cc_diff_exact_moment(int which, double N);

#endif
