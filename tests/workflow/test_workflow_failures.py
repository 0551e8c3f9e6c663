"""Failure modes of a run, with the fake engine.  Non-converged fits (exit 3) are kept and
reported.  Killing the workflow in the middle of `simulate` or `fit` and running it again
completes without a corrupt artefact: Ctrl-C (SIGINT to the process group; Snakemake
removes the running jobs' outputs, a plain rerun completes) and a crash (SIGKILL to
everything; `--unlock`, then `--rerun-incomplete`).  The engine is the fake one, whose
atomic write (temporary + rename) is the engine's protocol (docs/artefacts.md)."""
import json
import subprocess

import h5py
import pytest

from conftest import FAKE_PF, SNAKEMAKE, copy_workflow, snakemake


def _start_and_kill_during(wf, stage, sig):
    """Starts the tiny run, waits until `stage` has its temporary artefact, then sends
    `sig` to Snakemake's process group (SIGINT: Ctrl-C; SIGKILL: a crash)."""
    import os
    import signal
    import time
    args = [SNAKEMAKE, "--cores", "2", "--configfile", "configs/tiny.yaml", "--config", f"partonflow={FAKE_PF}"]
    env = dict(os.environ, FAKE_PF_HANG=stage)
    p = subprocess.Popen(args, cwd=wf, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    # every job of the `fit` command (fit, fit_histogram, replica K): which one the scheduler
    # starts first depends on the DAG, not on what is tested
    patterns = {"simulate": ["events.h5.tmp-*"], "fit": ["*fit*.h5.tmp-*", "replicas/replica_*.h5.tmp-*"]}[stage]

    def temporaries():
        return [t for pat in patterns for t in (wf / "results/tiny").glob(pat)]

    deadline = time.time() + 120
    while not temporaries():
        assert p.poll() is None and time.time() < deadline, f"{stage} never started"
        time.sleep(0.2)
    tmp = temporaries()[0]
    name = str(tmp.relative_to(wf / "results/tiny")).rsplit(".tmp-", 1)[0]
    # to the whole process group, as a terminal's Ctrl-C or a node crash does
    os.killpg(p.pid, sig)
    try:
        p.wait(timeout=60)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)   # nothing of this run may outlive the test
        except ProcessLookupError:
            pass
    assert not (wf / "results/tiny" / name).exists(), f"a killed {stage} left {name}"
    return name


@pytest.mark.parametrize("stage", ["simulate", "fit"])
def test_interrupted_run_completes_when_run_again(tmp_path, stage):
    import signal
    wf = copy_workflow(tmp_path)
    args = ["--cores", "2", "--configfile", "configs/tiny.yaml", "--config", f"partonflow={FAKE_PF}"]
    # Ctrl-C: Snakemake removes the outputs of running jobs and its lock; a plain rerun completes
    name = _start_and_kill_during(wf, stage, signal.SIGINT)
    snakemake(wf, *args)
    with h5py.File(wf / "results/tiny" / name, "r") as f:
        assert f["meta"].attrs["schema"] in ("partonflow.events", "partonflow.fit")
    assert (wf / "results/tiny/report/summary.json").exists()
    # a crash (everything killed): unlock, then the incomplete job is redone
    for p in [wf / "results/tiny" / name, *(wf / "results/tiny/report").glob("*")]:
        p.unlink()
    name = _start_and_kill_during(wf, stage, signal.SIGKILL)
    snakemake(wf, "--unlock", *args)
    snakemake(wf, "--rerun-incomplete", *args)
    with h5py.File(wf / "results/tiny" / name, "r") as f:
        assert f["meta"].attrs["schema"] in ("partonflow.events", "partonflow.fit")


def test_non_converged_replicas_are_kept_and_reported(tmp_path):
    """`partonflow fit` exit 3 (not converged, fit.h5 written): the workflow goes on, the
    rule log says so and the summary lists the replicas as not converged."""
    wf = copy_workflow(tmp_path)
    snakemake(wf, "--cores", "2", "--configfile", "configs/tiny.yaml", "--config", f"partonflow={FAKE_PF}",
              env={"FAKE_PF_NOCONV": "replica"})
    res = wf / "results/tiny"
    assert "did not converge (exit 3)" in (res / "logs/replica_1.log").read_text()
    s = json.loads((res / "report/summary.json").read_text())
    assert s["converged"]["events"] is True
    assert sorted(s["converged"]["replicas_not_converged"]) == [
        "results/tiny/replicas/replica_1.h5", "results/tiny/replicas/replica_2.h5"]
    assert "replicas NOT converged" in (res / "report/summary.md").read_text()
