"""The SLURM profile against a real SLURM (issue 16): tools/slurm-local.sh brings up a
one-node cluster (munged, slurmctld, slurmd; MpiDefault=pmix, no accounting) in a
temporary folder, and the tiny run goes through `snakemake --profile
configs/profiles/slurm`, once with 1 rank and once with 2 srun-launched ranks per engine
step (given with a command-line --set-resources, which used to drop the profile's
launcher).  Every artefact's checksum must equal a local run's.  Skipped, with the reason,
where SLURM's daemons are not installed or the test does not run as root."""
import os
import shutil
import subprocess
from pathlib import Path

import h5py
import pytest

from conftest import PARTONFLOW, SOURCE_ROOT, copy_workflow, snakemake

ENGINE_RULES = ("theory", "simulate", "prepare", "fit", "fit_histogram", "replica")
ARTEFACTS = ("theory.h5", "events.h5", "likelihood.h5", "fit.h5", "fit_histogram.h5",
             "replicas/replica_1.h5")
SCRIPT = SOURCE_ROOT / "tools" / "slurm-local.sh"


def why_not():
    if os.geteuid() != 0:
        return "a one-node SLURM needs root (slurmd starts jobs as their owner)"
    missing = [b for b in ("munged", "slurmctld", "slurmd", "sbatch", "srun") if not shutil.which(b)]
    if missing:
        return f"{', '.join(missing)} not installed (containers/install-deps.sh installs slurmctld slurmd slurm-client munge)"
    if not Path(PARTONFLOW).exists():
        return f"{PARTONFLOW} is not built"
    return None


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    reason = why_not()
    if reason:
        pytest.skip(reason)
    d = tmp_path_factory.mktemp("slurm")
    r = subprocess.run(["bash", str(SCRIPT), "up", str(d)], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        logs = "".join(f"\n--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(d.glob("*.log")))
        raise AssertionError(f"tools/slurm-local.sh up failed:\n{r.stderr}{logs}")
    yield {"SLURM_CONF": str(d / "slurm.conf")}
    subprocess.run(["bash", str(SCRIPT), "down", str(d)], capture_output=True, text=True, timeout=120)


def run_tiny(dest, *args, env=None):
    """The tiny run's engine steps (theory to the fits and one replica) in a private copy."""
    dest.mkdir()
    wf = copy_workflow(dest)
    targets = [f"results/tiny/{a}" for a in ("fit.h5", "fit_histogram.h5", "replicas/replica_1.h5")]
    r = snakemake(wf, *targets, *args, "--configfile", "configs/tiny.yaml",
                  "--config", f"partonflow={Path(PARTONFLOW).resolve()}", "replicas=1", *extra_config(args),
                  env=env, timeout=900)
    return wf, r.stdout + r.stderr


def extra_config(args):
    return ["threads=1"] if "--set-resources" in args else []


def checksums(wf):
    out = {}
    for name in ARTEFACTS:
        with h5py.File(wf / "results" / "tiny" / name, "r") as f:
            out[name] = int(f["meta"].attrs["checksum"])
    return out


def test_profile_on_a_real_slurm_gives_the_local_bits_with_1_and_2_ranks(slurm, tmp_path):
    local, _ = run_tiny(tmp_path / "local", "--cores", "2")
    want = checksums(local)

    one, log1 = run_tiny(tmp_path / "one", "--profile", "configs/profiles/slurm", env=slurm)
    assert log1.count("has been submitted with SLURM jobid") >= 6, log1[-4000:]
    assert checksums(one) == want

    # 2 ranks per engine step from the command line; threads=1 so that 2 ranks fit 2 CPUs
    two_ranks = [f"{r}:tasks=2" for r in ENGINE_RULES]
    two, log2 = run_tiny(tmp_path / "two", "--profile", "configs/profiles/slurm", "--set-resources", *two_ranks, env=slurm)
    assert log2.count("has been submitted with SLURM jobid") >= 6, log2[-4000:]
    assert "mpi-launch.sh -n 2" in log2, log2[-4000:]
    for step in ("theory", "simulate", "prepare"):  # the engine says how it ran
        text = (two / "results" / "tiny" / "logs" / f"{step}.log").read_text()
        assert "(2 rank(s) x 1 thread(s))" in text, (step, text[-2000:])
    assert checksums(two) == want
