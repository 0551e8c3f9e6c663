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
} pf_interp_axis;

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

/* Stencil of coordinate t: first global node *i0 of the 4 and their weights.  Returns 0,
 * or -1 when t is outside [edge[0], edge[nseg]] (or NaN).  A t exactly on an inner edge
 * belongs to the upper segment. */
PF_HD int pf_interp_axis_locate(const pf_interp_axis *ax, double t, int *i0, double w[4])
{
    if (!(t >= ax->edge[0] && t <= ax->edge[ax->nseg])) return -1;
    int k = 0;
    while (k + 1 < ax->nseg && t >= ax->edge[k + 1]) k++;
    const double h = (ax->edge[k + 1] - ax->edge[k]) / (double)(ax->n[k] - 1);
    const double s = (t - ax->edge[k]) / h;       /* in node units, 0 .. n-1 */
    int j = (int)s;                                /* s >= 0: truncation is floor */
    if (j < 1) j = 1;
    if (j > ax->n[k] - 3) j = ax->n[k] - 3;
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
