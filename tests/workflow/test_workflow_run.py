"""Runs of the workflow with tests/workflow/fake_partonflow.py standing in for the engine
(synthetic artefacts in the documented layouts): the rules' command lines, the report,
rerun behaviour when only the replica count changes, and the report scripts' message
when an artefact lacks a dataset."""
import json
import shutil
import subprocess
import sys

import h5py
import pytest

from conftest import FAKE_PF, SCRIPTS, copy_workflow, job_counts, snakemake


def out(r):
    return r.stdout + r.stderr


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory):
    """A completed tiny run with the fake engine (once per module; the tests only read
    it); returns (workdir, command log, snakemake arguments)."""
    wf = copy_workflow(tmp_path_factory.mktemp("fake_run"))
    log = wf / "fake_pf.log"
    args = ["--cores", "2", "--configfile", "configs/tiny.yaml", "--config", f"partonflow={FAKE_PF}"]
    snakemake(wf, *args, env={"FAKE_PF_LOG": str(log)})
    return wf, log, args


def test_rules_call_the_stage_commands(fake_run):
    wf, log, _ = fake_run
    calls = [json.loads(l) for l in log.read_text().splitlines()]
    by = {}
    for c in calls:
        by.setdefault(c[0], []).append(c)
    assert sorted(by) == ["fit", "prepare", "simulate", "theory"]
    sim = by["simulate"][0]
    assert "--events" not in sim  # luminosity mode: the observed count is Poisson
    assert sim[sim.index("--expected-events") + 1] == "10000" and sim[sim.index("--seed") + 1] == "4242"
    assert sim[sim.index("--card") + 1] == "configs/cards/tiny.yaml"
    fits = sorted((c[c.index("--method") + 1], c[c.index("--replica") + 1] if "--replica" in c else "-")
                  for c in by["fit"])
    assert fits == [("events", "-"), ("events", "1"), ("events", "2"), ("histogram", "-")]
    for c in calls:
        assert c[c.index("--threads") + 1] == "2"
    rep = wf / "results/tiny/report"
    for p in ("pdfs", "data_vs_fit_x", "data_vs_fit_q2", "pulls", "events_vs_histogram"):
        assert (rep / f"{p}.png").stat().st_size > 10000
    s = json.loads((rep / "summary.json").read_text())
    assert [p["name"] for p in s["parameters"]] == ["uv.a", "uv.b", "ubar.A", "g.a"]
    assert set(s["timing_s"]) >= {"theory", "simulate", "prepare", "fit", "fit_histogram",
                                  "replica_1", "replica_2"}
    assert s["chi2"]["events"]["ndf"] == 60 - 4
    assert "chi2 / ndf" in (rep / "summary.md").read_text()
    # the flat histogram (bin b = iq * nx + ix) is read back as the events' 2D histogram
    import numpy as np
    import pfreport as pr
    res = wf / "results/tiny"
    xe, qe, obs, _ = pr.read_histograms(res / "fit.h5", res / "likelihood.h5")
    with h5py.File(res / "events.h5", "r") as f:
        acc = f["events/accepted"][()].astype(bool)
        h2, _, _ = np.histogram2d(f["events/x_rec"][()][acc], f["events/q2_rec"][()][acc], bins=[xe, qe])
    assert obs.shape == (10, 6) and np.array_equal(obs, h2)


def test_changing_only_replicas_reruns_only_replica_and_report_rules(fake_run):
    wf, _, args = fake_run
    nothing = job_counts(out(snakemake(wf, "-n", *args)))
    assert nothing == {}, f"a finished run wants to rerun: {nothing}"
    more = job_counts(out(snakemake(wf, "-n", *args, "replicas=3")))
    assert more == {"replica": 1, "report_plots": 1, "report": 1, "report_tables": 1, "all": 1}, more
    fewer = job_counts(out(snakemake(wf, "-n", *args, "replicas=1")))
    assert fewer == {"report_plots": 1, "report": 1, "report_tables": 1, "all": 1}, fewer
    # control: the same check sees an upstream change (so it can fail)
    events = job_counts(out(snakemake(wf, "-n", *args, "events=20000")))
    assert events.get("simulate") == 1 and events.get("replica") == 2, events


def test_report_script_names_a_missing_dataset(fake_run, tmp_path):
    wf, _, _ = fake_run
    res = wf / "results/tiny"
    broken = tmp_path / "fit_broken.h5"
    shutil.copy(res / "fit.h5", broken)
    with h5py.File(broken, "a") as f:
        del f["pdf/xf_fit"]
    r = subprocess.run([sys.executable, str(SCRIPTS / "report_plots.py"), "--events", res / "events.h5",
                        "--likelihood", res / "likelihood.h5", "--fit", broken,
                        "--fit-histogram", res / "fit_histogram.h5", "--outdir", tmp_path / "rep"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert str(broken) in r.stderr and "'/pdf/xf_fit'" in r.stderr and "PDF plots" in r.stderr, r.stderr
    with h5py.File(broken, "a") as f:
        del f["fit/error"]
    r = subprocess.run([sys.executable, str(SCRIPTS / "summary.py"), "--run", "x", "--events", res / "events.h5",
                        "--likelihood", res / "likelihood.h5", "--fit", broken,
                        "--fit-histogram", res / "fit_histogram.h5", "--md", tmp_path / "s.md",
                        "--json", tmp_path / "s.json"], capture_output=True, text=True)
    assert r.returncode == 2 and "'/fit/error'" in r.stderr and "parameter errors" in r.stderr, r.stderr



def test_summary_without_expected_counts_says_so(fake_run, tmp_path):
    """fit.h5 without expected counts per bin: the summary reports chi2/ndf as not
    available (null and a note), never as a number, and warns on stderr."""
    wf, _, _ = fake_run
    res = wf / "results/tiny"
    fit = tmp_path / "fit.h5"
    shutil.copy(res / "fit.h5", fit)
    with h5py.File(fit, "a") as f:
        del f["hist/expected"]
    r = subprocess.run([sys.executable, str(SCRIPTS / "summary.py"), "--run", "x", "--events", res / "events.h5",
                        "--likelihood", res / "likelihood.h5", "--fit", fit,
                        "--fit-histogram", res / "fit_histogram.h5", "--md", tmp_path / "s.md",
                        "--json", tmp_path / "s.json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "warning" in r.stderr and "chi2/ndf not available" in r.stderr
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["chi2"]["events"]["chi2"] is None and "expected" in s["chi2"]["events"]["note"]
    assert s["chi2"]["histogram"]["chi2"] is not None

