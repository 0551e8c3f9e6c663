#include "partonflow/par.h"

#include <stdlib.h>
#include <string.h>

#ifdef PF_HAVE_MPI
#include <mpi.h>
#endif

static int g_rank = 0, g_size = 1, g_mpi = 0;

static int launched_by_mpi(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                                 "SLURM_STEP_NUM_TASKS", NULL};
    for (int i = 0; vars[i]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int pf_par_init(int *argc, char ***argv, pf_status *st)
{
#ifdef PF_HAVE_MPI
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited && launched_by_mpi()) {
        int provided;
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return pf_status_set(st, PF_EMPI, "MPI_Init_thread failed");
        inited = 1;
    }
    if (inited) {
        g_mpi = 1;
        MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    }
#else
    (void)argc;
    (void)argv;
    (void)launched_by_mpi;
#endif
    (void)st;
    return PF_OK;
}

void pf_par_finalize(void)
{
#ifdef PF_HAVE_MPI
    int fin = 0;
    if (g_mpi) {
        MPI_Finalized(&fin);
        if (!fin)
            MPI_Finalize();
    }
#endif
    g_mpi = 0;
    g_rank = 0;
    g_size = 1;
}

int pf_par_rank(void) { return g_rank; }
int pf_par_size(void) { return g_size; }
int pf_par_have_mpi(void) { return g_mpi; }

void pf_par_range(size_t n, int rank, int size, size_t *begin, size_t *end)
{
    size_t nb = (n + PF_PAR_BLOCK - 1) / PF_PAR_BLOCK;
    size_t b0 = nb * (size_t)rank / (size_t)size, b1 = nb * (size_t)(rank + 1) / (size_t)size;
    *begin = b0 * PF_PAR_BLOCK < n ? b0 * PF_PAR_BLOCK : n;
    *end = b1 * PF_PAR_BLOCK < n ? b1 * PF_PAR_BLOCK : n;
}

int pf_par_sum_blocks(const double *partials, size_t first_block, size_t nblocks_local,
                      size_t nblocks_total, size_t len, double *out, pf_status *st)
{
    memset(out, 0, len * sizeof *out);
    if (!g_mpi || g_size == 1) {
        if (nblocks_local != nblocks_total || first_block != 0)
            return pf_status_set(st, PF_EINTERNAL,
                                 "pf_par_sum_blocks: %zu local blocks from %zu, expected all %zu",
                                 nblocks_local, first_block, nblocks_total);
        /* per column, the blocks in order (the same bits for any threads); columns shared
         * among the threads where there are many (the event pass's u: 1 + ngrid) */
#ifdef PF_HAVE_OPENMP
#pragma omp parallel for schedule(static) if (len * nblocks_total >= 65536)
#endif
        for (long k = 0; k < (long)len; k++) {
            double a = out[k];
            for (size_t b = 0; b < nblocks_total; b++) a += partials[b * len + (size_t)k];
            out[k] = a;
        }
        return PF_OK;
    }
#ifdef PF_HAVE_MPI
    /* Gather every block partial on every rank, then sum in global block order. */
    double *all = malloc(nblocks_total * len * sizeof *all);
    int *counts = malloc((size_t)g_size * sizeof *counts), *displs = malloc((size_t)g_size * sizeof *displs);
    if (!all || !counts || !displs) {
        free(all); free(counts); free(displs);
        return pf_status_set(st, PF_ENOMEM, "pf_par_sum_blocks: cannot allocate %zu x %zu partials",
                             nblocks_total, len);
    }
    int mycount = (int)(nblocks_local * len), mydispl = (int)(first_block * len);
    MPI_Allgather(&mycount, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
    MPI_Allgather(&mydispl, 1, MPI_INT, displs, 1, MPI_INT, MPI_COMM_WORLD);
    int rc = MPI_Allgatherv(partials, mycount, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
    if (rc == MPI_SUCCESS)
        for (size_t b = 0; b < nblocks_total; b++)
            for (size_t k = 0; k < len; k++)
                out[k] += all[b * len + k];
    free(all); free(counts); free(displs);
    if (rc != MPI_SUCCESS)
        return pf_status_set(st, PF_EMPI, "pf_par_sum_blocks: MPI_Allgatherv failed (%d)", rc);
#endif
    return PF_OK;
}

int pf_par_max_int(int local)
{
#ifdef PF_HAVE_MPI
    if (g_mpi && g_size > 1) {
        int out = local;
        MPI_Allreduce(&local, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        return out;
    }
#endif
    return local;
}

void pf_par_barrier(void)
{
#ifdef PF_HAVE_MPI
    if (g_mpi && g_size > 1)
        MPI_Barrier(MPI_COMM_WORLD);
#endif
}

int pf_par_bcast(void *buf, size_t bytes, pf_status *st)
{
#ifdef PF_HAVE_MPI
    if (g_mpi && g_size > 1 && MPI_Bcast(buf, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        return pf_status_set(st, PF_EMPI, "MPI_Bcast of %zu bytes failed", bytes);
#else
    (void)buf;
    (void)bytes;
#endif
    (void)st;
    return PF_OK;
}
