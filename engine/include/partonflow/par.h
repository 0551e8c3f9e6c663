/* partonflow: the parallel layer (MPI across ranks, when built with it).
 *
 * Determinism: results must be bitwise identical for any number of threads or ranks.
 * Sums over events are therefore taken in fixed blocks of PF_PAR_BLOCK items, each block
 * summed sequentially; the block partials are then combined in block order by every
 * rank (pf_par_sum_blocks).  Threads and ranks only decide who computes which block. */
#ifndef PARTONFLOW_PAR_H
#define PARTONFLOW_PAR_H

#include <stddef.h>

#include "partonflow/status.h"

#define PF_PAR_BLOCK 4096

/* Initialises MPI when the process was started by an MPI launcher (mpirun, srun);
 * otherwise runs as a single rank.  Safe to call more than once. */
int pf_par_init(int *argc, char ***argv, pf_status *st);
void pf_par_finalize(void);
int pf_par_rank(void);
int pf_par_size(void);
int pf_par_have_mpi(void); /* 1 when built with MPI and running under a launcher */

/* Items [0, n) split in contiguous, block-aligned ranges, one per rank. */
void pf_par_range(size_t n, int rank, int size, size_t *begin, size_t *end);

/* partials: this rank's block partial sums, nblocks_local vectors of length len, for the
 * blocks that start at global block index first_block.  On return every rank holds in
 * out[len] the sum over all blocks of all ranks taken in global block order.  The total
 * number of blocks is nblocks_total. */
int pf_par_sum_blocks(const double *partials, size_t first_block, size_t nblocks_local,
                      size_t nblocks_total, size_t len, double *out, pf_status *st);

/* Element-wise maximum / logical or over ranks (for flags and error propagation). */
int pf_par_max_int(int local);
void pf_par_barrier(void);
/* Broadcast from rank 0. */
int pf_par_bcast(void *buf, size_t bytes, pf_status *st);

#endif
