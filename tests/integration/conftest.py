"""Shared fixtures for the CLI integration tests (run by `meson test`)."""
import os
import subprocess
from pathlib import Path

import pytest

SOURCE_ROOT = Path(os.environ.get("PF_SOURCE_ROOT", Path(__file__).resolve().parents[2]))
BUILD_ROOT = Path(os.environ.get("PF_BUILD_ROOT", SOURCE_ROOT / "build"))
PARTONFLOW = os.environ.get("PARTONFLOW", str(BUILD_ROOT / "partonflow"))


def run_pf(*args, check=True, env=None, mpi_ranks=None, timeout=600, **kw):
    """Runs `partonflow ARGS...` (optionally under mpirun -np R) and returns the result."""
    cmd = [PARTONFLOW, *map(str, args)]
    if mpi_ranks:
        cmd = ["mpirun", "-np", str(mpi_ranks), "--oversubscribe", *cmd]
    e = dict(os.environ)
    e.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    e.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    if env:
        e.update(env)
    if mpi_ranks and "suppressions=" in e.get("LSAN_OPTIONS", ""):
        # Open MPI dlcloses its MCA plugins at MPI_Finalize, so frame-pointer stacks of their
        # exit-time allocations end in "<unknown module>" and tools/lsan.supp cannot match
        # them; the DWARF unwinder reaches the libmpi/libopen-rte frames it names.
        # partonflow's own leaks are still reported.
        e["LSAN_OPTIONS"] += ":fast_unwind_on_malloc=0"
    r = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


@pytest.fixture
def pf():
    return run_pf


@pytest.fixture
def source_root():
    return SOURCE_ROOT
