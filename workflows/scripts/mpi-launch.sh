#!/bin/sh
# The launcher of a multi-rank engine step when config mpi.launcher is `auto` (the default):
# SLURM's srun inside a SLURM allocation (SLURM_JOB_ID set and srun on PATH: the ranks get
# the allocation that sbatch --ntasks made, started through the site's MpiDefault, PMIx for
# Debian's Open MPI), mpiexec everywhere else (a workstation, a container without srun).
# Decided where the step runs, not where Snakemake plans it, so the SLURM profile needs no
# per-rule launcher and a command-line --set-resources cannot drop it (issue 16).
if [ -n "${SLURM_JOB_ID:-}" ] && command -v srun >/dev/null 2>&1; then
    exec srun "$@"
fi
exec mpiexec "$@"
