/* partonflow: cubic Lagrange interpolation on piecewise-uniform axes, and the 4 x 4
 * tensor-product (bicubic) stencil of a point on a 2D grid.
 *
 * Shared by the CPU engine and the CUDA kernels (PF_HD, real arithmetic only).
 *
 * An axis is a list of segments; segment k holds n[k] >= 4 nodes, uniform in the axis
 * coordinate t from edge[k] to edge[k+1] (both ends are nodes), stored at global node
 * indices first[k] .. first[k] + n[k] - 1.  Consecutive segments share an edge value but
 * not a node: two nodes sit at each inner edge, one for each side, so that a function
 * with a kink or a jump at the edge is interpolated from one side only.
 *
 * Inside a segment the 4 nodes around t are used (one-sided near the ends, still inside
 * the segment); the weights are the cubic Lagrange basis (Abramowitz-Stegun 25.2.13),
 * exact for cubics, error O(h^4 f'''') for smooth f. */
#ifndef PARTONFLOW_KERNELS_INTERP_H
#define PARTONFLOW_KERNELS_INTERP_H

#include "partonflow/kernels/common.h"

#define PF_INTERP_MAXSEG 8

typedef struct pf_interp_axis {
    int nseg;
    double edge[PF_INTERP_MAXSEG + 1];   /* segment k spans [edge[k], edge[k+1]] */
    int first[PF_INTERP_MAXSEG];         /* global index of the segment's first node */
    int n[PF_INTERP_MAXSEG];             /* nodes in the segment (>= 4) */
    double inv_h[PF_INTERP_MAXSEG];      /* 1 / node spacing: set by pf_interp_axis_finish */
} pf_interp_axis;

/* Completes an axis whose nseg, edge, first and n are set (fills inv_h). */
PF_HD void pf_interp_axis_finish(pf_interp_axis *ax)
{
    for (int k = 0; k < ax->nseg; k++) ax->inv_h[k] = (double)(ax->n[k] - 1) / (ax->edge[k + 1] - ax->edge[k]);
}

/* Natural logarithm for positive normal doubles, branch-free so that loops over points
 * vectorise (libm's log does not): log(m 2^e) = e ln 2 + 2 atanh((m-1)/(m+1)) with m in
 * [sqrt(1/2), sqrt(2)), the atanh series to f^23 (|f| <= 0.1716: truncation < 2e-17).
 * Accuracy a few 1e-16 absolute; interpolation coordinates need far less.  The result is
 * a pure function of the input, the same on every thread and device. */
PF_HD double pf_interp_log(double v)
{
    /* exponent and mantissa by bit operations only (64-bit integer -> double conversion
     * is not vectorisable without AVX512DQ, so the exponent goes through 2^52 + e) */
    union { double d; unsigned long long u; } b, c;
    b.d = v;
    c.u = 0x4330000000000000ULL | ((b.u >> 52) & 0x7ffULL);
    double de = (c.d - 4503599627370496.0) - 1023.0;
    b.u = (b.u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL; /* m in [1, 2) */
    double m = b.d;
    const double big = m > 1.4142135623730951 ? 1.0 : 0.0;
    m = m * (1.0 - 0.5 * big);
    de = de + big;
    const double f = (m - 1.0) / (m + 1.0), f2 = f * f;
    double p = 1.0 / 23.0;
    p = p * f2 + 1.0 / 21.0;
    p = p * f2 + 1.0 / 19.0;
    p = p * f2 + 1.0 / 17.0;
    p = p * f2 + 1.0 / 15.0;
    p = p * f2 + 1.0 / 13.0;
    p = p * f2 + 1.0 / 11.0;
    p = p * f2 + 1.0 / 9.0;
    p = p * f2 + 1.0 / 7.0;
    p = p * f2 + 1.0 / 5.0;
    p = p * f2 + 1.0 / 3.0;
    /* ln 2 split (fdlibm) so that de * LN2_HI is exact */
    return de * 6.93147180369123816490e-01 + (2.0 * f + 2.0 * f * f2 * p + de * 1.90821492927058770002e-10);
}

/* Cubic Lagrange weights for nodes at -1, 0, 1, 2 at local coordinate r. */
PF_HD void pf_interp_cubic_weights(double r, double w[4])
{
    const double rp1 = r + 1.0, rm1 = r - 1.0, rm2 = r - 2.0;
    w[0] = -r * rm1 * rm2 * (1.0 / 6.0);
    w[1] = rp1 * rm1 * rm2 * 0.5;
    w[2] = -rp1 * r * rm2 * 0.5;
    w[3] = rp1 * r * rm1 * (1.0 / 6.0);
}

/* Coordinate of global node `i` of the axis (i within a segment). */
PF_HD double pf_interp_axis_node(const pf_interp_axis *ax, int i)
{
    int k = 0;
    while (k + 1 < ax->nseg && i >= ax->first[k + 1]) k++;
    const int m = i - ax->first[k];
    if (m == ax->n[k] - 1) return ax->edge[k + 1]; /* the end node exactly */
    return ax->edge[k] + (ax->edge[k + 1] - ax->edge[k]) * (double)m / (double)(ax->n[k] - 1);
}

/* Stencil of coordinate t as its first global node *i0 of the 4 and the local coordinate
 * *u of t in node units from node i0 + 1 (0 <= u <= 1 inside, down to -1 or up to 2 in the
 * first and last cell of a segment, whose stencils are one-sided): the weights are
 * pf_interp_cubic_weights(*u).  Returns 0, or -1 when t is outside [edge[0], edge[nseg]]
 * (or NaN).  A t exactly on an inner edge belongs to the upper segment. */
PF_HD int pf_interp_axis_locate_u(const pf_interp_axis *ax, double t, int *i0, double *u)
{
    if (!(t >= ax->edge[0] && t <= ax->edge[ax->nseg])) return -1;
    int k = 0;
    while (k + 1 < ax->nseg && t >= ax->edge[k + 1]) k++;
    const double s = (t - ax->edge[k]) * ax->inv_h[k]; /* in node units, 0 .. n-1 */
    int j = (int)s;                                /* s >= 0: truncation is floor */
    if (j < 1) j = 1;
    if (j > ax->n[k] - 3) j = ax->n[k] - 3;
    *u = s - (double)j;
    *i0 = ax->first[k] + j - 1;
    return 0;
}

/* Stencil of coordinate t: first global node *i0 of the 4 and their weights (the axis must
 * have been completed with pf_interp_axis_finish).  Returns 0,
 * or -1 when t is outside [edge[0], edge[nseg]] (or NaN).  A t exactly on an inner edge
 * belongs to the upper segment. */
PF_HD int pf_interp_axis_locate(const pf_interp_axis *ax, double t, int *i0, double w[4])
{
    double u;
    if (pf_interp_axis_locate_u(ax, t, i0, &u)) return -1;
    pf_interp_cubic_weights(u, w);
    return 0;
}

/* pf_interp_axis_locate forced into segment k: a t beyond the segment's ends gets the
 * segment's end cell's cubic, extrapolated (the continuation of a function across a
 * threshold from one side; prepare_reco.c).  Returns -1 when t is NaN. */
PF_HD int pf_interp_axis_locate_seg(const pf_interp_axis *ax, int k, double t, int *i0, double w[4])
{
    if (!(t == t)) return -1;
    const double s = (t - ax->edge[k]) * ax->inv_h[k];
    int j = s < 1.0 ? 1 : (s > (double)(ax->n[k] - 3) ? ax->n[k] - 3 : (int)s);
    pf_interp_cubic_weights(s - (double)j, w);
    *i0 = ax->first[k] + j - 1;
    return 0;
}

/* The 16 (index, weight) pairs of the tensor-product stencil of (t_row, t_col) on a grid
 * stored row-major with `ncol` columns: entry r*4 + c is node (row0 + r, col0 + c), index
 * (row0 + r) * ncol + col0 + c.  Returns 0, or -1 outside the grid. */
PF_HD int pf_interp_bicubic(const pf_interp_axis *rows, const pf_interp_axis *cols, int ncol,
                            double t_row, double t_col, unsigned int idx[16], double w[16])
{
    int r0, c0;
    double wr[4], wc[4];
    if (pf_interp_axis_locate(rows, t_row, &r0, wr) || pf_interp_axis_locate(cols, t_col, &c0, wc))
        return -1;
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) {
            idx[r * 4 + c] = (unsigned int)((r0 + r) * ncol + c0 + c);
            w[r * 4 + c] = wr[r] * wc[c];
        }
    return 0;
}

#endif
