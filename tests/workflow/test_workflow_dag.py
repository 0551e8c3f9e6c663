"""The Snakemake workflow without running it: the DAG of every config, lint, the config
schema, the MPI launcher, and the LHA comparison script.  Runs with a fake engine are in
test_workflow_run.py; the real end-to-end run is test_workflow_e2e.py."""
import subprocess
import sys

import yaml

import pytest

from conftest import SCRIPTS, SOURCE_ROOT, job_counts, snakemake

CONFIGS = sorted(p.name for p in (SOURCE_ROOT / "configs").glob("*.yaml") if p.name != "schema.yaml")
STAGES = ["theory", "simulate", "prepare", "fit", "fit_histogram"]


def out(r):
    return r.stdout + r.stderr


def merged(wf, name):
    """The config a run sees: default.yaml with `name` merged over it (top-level keys)."""
    import yaml
    c = yaml.safe_load((wf / "configs" / "default.yaml").read_text())
    c.update(yaml.safe_load((wf / "configs" / name).read_text()))
    return c


def test_every_config_is_covered():
    assert {"default.yaml", "tiny.yaml", "perfect.yaml"} <= set(CONFIGS)


@pytest.mark.parametrize("name", CONFIGS)
def test_dry_run_builds_the_whole_dag(wf, name):
    cfg = merged(wf, name)
    if not (wf / cfg["card"]).exists():
        pytest.skip(f"{cfg['card']} (card of configs/{name}) is not in the tree yet")
    r = snakemake(wf, "-n", "--configfile", f"configs/{name}")
    counts = job_counts(out(r))
    for rule in STAGES + ["report_plots", "report", "all"]:
        assert counts.get(rule) == 1, f"configs/{name}: rule {rule}: {counts}"
    assert counts.get("replica", 0) == cfg["replicas"], counts
    assert f"results/{cfg['run']}/report/summary.md" in out(r)


def test_dry_run_of_optional_targets(wf):
    r = snakemake(wf, "-n", "lha", "bench", "--configfile", "configs/tiny.yaml")
    counts = job_counts(out(r))
    assert counts.get("lha_evolve") == 1 and counts.get("lha_compare") == 1, counts
    assert counts.get("bench_target") == 4, counts
    assert "theory" not in counts and "report" not in counts


def test_lint_is_clean(wf):
    r = snakemake(wf, "--lint", "--configfile", "configs/tiny.yaml", check=False)
    assert r.returncode == 0, out(r)
    assert "Congratulations, your workflow is in a good condition!" in out(r), out(r)


@pytest.mark.parametrize("bad, message", [
    ("replica: 3\n", "'replica' was unexpected"),
    ("replicas: -1\n", "key 'replicas': -1 is less than the minimum of 0"),
    ("events: many\n", "key 'events': 'many' is not of type 'integer'"),
    ("mpi: {launcher: mpirun, tasks: 0}\n", "key 'mpi.tasks': 0 is less than the minimum of 1"),
    ("resources: {fit: {mem: 3}}\n", "'mem' was unexpected"),
    ("card: configs/cards/default.json\n", "key 'card'"),
])
def test_schema_rejects_a_bad_config_naming_the_key(wf, bad, message):
    (wf / "bad.yaml").write_text(bad)
    r = snakemake(wf, "-n", "--configfile", "configs/tiny.yaml", "bad.yaml", check=False)
    assert r.returncode != 0
    assert "invalid config" in out(r) and message in out(r), out(r)


def test_mpi_launcher_only_when_tasks_above_one(wf):
    r = snakemake(wf, "-n", "-p", "--configfile", "configs/tiny.yaml", "--config", "partonflow=PF")
    assert "PF theory --card" in out(r) and "mpiexec -n" not in out(r), out(r)
    (wf / "mpi.yaml").write_text("mpi: {launcher: mpirun, tasks: 2}\n")
    r = snakemake(wf, "-n", "-p", "--configfile", "configs/tiny.yaml", "mpi.yaml", "--config", "partonflow=PF")
    for stage in ("theory", "simulate --theory", "prepare", "fit --likelihood"):
        assert f"mpirun -n 2 PF {stage}" in out(r), out(r)
    # a per-rule override of the launcher and the ranks
    r = snakemake(wf, "-n", "-p", "--configfile", "configs/tiny.yaml", "--config", "partonflow=PF",
                  "--set-resources", "simulate:tasks=3", "simulate:mpi=srun")
    assert "srun -n 3 PF simulate" in out(r) and "-n 3 PF theory" not in out(r), out(r)
    # the default launcher `auto` (workflows/scripts/mpi-launch.sh)
    r = snakemake(wf, "-n", "-p", "--configfile", "configs/tiny.yaml", "--config", "partonflow=PF",
                  "--set-resources", "prepare:tasks=2")
    assert "mpi-launch.sh -n 2 PF prepare" in out(r), out(r)


def _lha_as_evolve_csv(table, path, perturb=None):
    """Writes the LHA table as `partonflow evolve` CSV by solving its combinations for the
    single flavours (ubar, dbar from xLp and xLm; u = xuv + ubar; ...)."""
    import csv
    rows = list(csv.DictReader(open(table)))
    cols = "q2,x,alphas,tbar,bbar,cbar,sbar,ubar,dbar,g,d,u,s,c,b,t".split(",")
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for i, r in enumerate(rows):
            v = {k: float(r[k]) for k in r}
            ubar = (v["xLp"] / 2 - v["xLm"]) / 2
            dbar = (v["xLp"] / 2 + v["xLm"]) / 2
            fl = {"q2": 1e4, "x": v["x"], "alphas": 0.116, "tbar": 0, "t": 0, "ubar": ubar, "dbar": dbar,
                  "u": v["xuv"] + ubar, "d": v["xdv"] + dbar, "s": v["xsp"] / 2, "sbar": v["xsp"] / 2,
                  "c": v["xcp"] / 2, "cbar": v["xcp"] / 2, "b": v["xbp"] / 2, "bbar": v["xbp"] / 2, "g": v["xg"]}
            if perturb and i == perturb[0]:
                fl[perturb[1]] *= 1 + perturb[2]
            f.write(",".join(f"{fl[c]:.10e}" for c in cols) + "\n")


def test_lha_comparison_table(tmp_path):
    table = SOURCE_ROOT / "tests/data/lha/paper_table4_part1_NLO_VFNS_muR2_eq_muF2.csv"
    cmd = [sys.executable, str(SCRIPTS / "lha_compare.py"), "--table", str(table),
           "--csv", str(tmp_path / "c.csv"), "--md", str(tmp_path / "c.md")]
    _lha_as_evolve_csv(table, tmp_path / "ok.csv")
    r = subprocess.run(cmd + ["--evolved", str(tmp_path / "ok.csv")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 entries outside the tolerance" in (tmp_path / "c.md").read_text()
    _lha_as_evolve_csv(table, tmp_path / "bad.csv", perturb=(5, "g", 2e-4))
    r = subprocess.run(cmd + ["--evolved", str(tmp_path / "bad.csv")], capture_output=True, text=True)
    assert r.returncode == 1 and "1 entries outside the tolerance" in r.stdout and "FAIL" in r.stdout


def test_slurm_profile_loads_and_keeps_the_auto_launcher(wf):
    """The SLURM profile parses in Snakemake 7.21; the engine stages keep the `mpi`
    resource (sbatch --ntasks) with launcher `auto`, also when the command line gives its
    own --set-resources (which replaces the profile's whole list; issue 16)."""
    r = snakemake(wf, "--profile", "configs/profiles/slurm", "-n", "--configfile", "configs/tiny.yaml")
    jobs = out(r).split("\nrule ")[1:]
    by_rule = {j.split(":", 1)[0]: j for j in jobs}
    for rule in ("theory", "simulate", "prepare", "fit", "fit_histogram", "replica"):
        assert "mpi=auto" in by_rule[rule], rule
    assert "runtime=30" in by_rule["simulate"] and "mem_mb=4000" in by_rule["simulate"]
    r = snakemake(wf, "--profile", "configs/profiles/slurm", "-n", "-p", "--configfile", "configs/tiny.yaml",
                  "--config", "partonflow=PF", "--set-resources", "prepare:tasks=4", "fit:tasks=2")
    assert "mpi-launch.sh -n 4 PF prepare" in out(r) and "mpi-launch.sh -n 2 PF fit" in out(r), out(r)
    assert "-n 4 PF theory" not in out(r)


def test_auto_launcher_is_srun_only_inside_a_slurm_job(tmp_path):
    """workflows/scripts/mpi-launch.sh: srun where SLURM_JOB_ID is set and srun exists,
    mpiexec otherwise (fake launchers on PATH print what they were given)."""
    import os
    for name in ("srun", "mpiexec"):
        (tmp_path / name).write_text(f"#!/bin/sh\necho {name} \"$@\"\n")
        (tmp_path / name).chmod(0o755)
    script = str(SCRIPTS / "mpi-launch.sh")
    base = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    base["PATH"] = str(tmp_path)  # only the fakes
    r = subprocess.run(["/bin/sh", script, "-n", "2", "pf", "fit"], env=base, capture_output=True, text=True)
    assert r.stdout.strip() == "mpiexec -n 2 pf fit", r
    r = subprocess.run(["/bin/sh", script, "-n", "2", "pf", "fit"], env=dict(base, SLURM_JOB_ID="7"),
                       capture_output=True, text=True)
    assert r.stdout.strip() == "srun -n 2 pf fit", r
    (tmp_path / "srun").unlink()  # a container without srun inside a SLURM job
    r = subprocess.run(["/bin/sh", script, "-n", "2", "pf", "fit"], env=dict(base, SLURM_JOB_ID="7"),
                       capture_output=True, text=True)
    assert r.stdout.strip() == "mpiexec -n 2 pf fit", r


def test_slurm_profile_without_user_and_polls_each_second(wf):
    """Issue 16: where USER is unset (root containers) the Snakefile sets it from the uid, so
    Snakemake's SLURM executor can look up an account; the profile polls job states once a
    second and does not force more threads than the config's."""
    import os
    import pwd
    env = {k: v for k, v in os.environ.items() if k != "USER"}
    r = subprocess.run([sys.executable, "-c", "import os, sys; sys.path.insert(0, 'workflows'); import pfsite; "
                        "pfsite.ensure_user(); print(os.environ['USER'])"], cwd=wf, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == pwd.getpwuid(os.getuid()).pw_name, r.stderr
    prof = yaml.safe_load((wf / "configs/profiles/slurm/config.yaml").read_text())
    assert prof["max-status-checks-per-second"] == 1 and "set-threads" not in prof
    r = subprocess.run(["snakemake", "--profile", "configs/profiles/slurm", "-n", "--configfile", "configs/tiny.yaml"],
                       cwd=wf, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
