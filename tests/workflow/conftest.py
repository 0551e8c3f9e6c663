"""Shared helpers for the workflow tests (run by `meson test --suite workflow`).

Each test runs Snakemake in a private copy of the workflow (Snakefile, workflows/,
configs/, tests/data/lha) under pytest's tmp_path, so nothing is written into the
source tree's results/ or .snakemake/.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE_ROOT = Path(os.environ.get("PF_SOURCE_ROOT", Path(__file__).resolve().parents[2]))
BUILD_ROOT = Path(os.environ.get("PF_BUILD_ROOT", SOURCE_ROOT / "build"))
PARTONFLOW = os.environ.get("PARTONFLOW", str(BUILD_ROOT / "partonflow"))
FAKE_PF = str(Path(__file__).resolve().parent / "fake_partonflow.py")
SNAKEMAKE = shutil.which("snakemake") or "/usr/bin/snakemake"
SCRIPTS = SOURCE_ROOT / "workflows" / "scripts"

sys.path.insert(0, str(SCRIPTS))


def copy_workflow(dest):
    dest = Path(dest)
    shutil.copy(SOURCE_ROOT / "Snakefile", dest / "Snakefile")
    for d in ("workflows", "configs"):
        shutil.copytree(SOURCE_ROOT / d, dest / d)
    shutil.copytree(SOURCE_ROOT / "tests" / "data" / "lha", dest / "tests" / "data" / "lha")
    return dest


def snakemake(cwd, *args, check=True, env=None, timeout=900):
    e = dict(os.environ)
    e.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    e.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    e["MPLBACKEND"] = "Agg"
    if env:
        e.update(env)
    r = subprocess.run([SNAKEMAKE, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                       env=e, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(map(str, args))} exited {r.returncode}\n"
                             f"stdout:\n{r.stdout[-6000:]}\nstderr:\n{r.stderr[-6000:]}")
    return r


def job_counts(output):
    """{rule: count} from the 'Job stats' table that snakemake prints (dry run or real)."""
    m = re.search(r"Job stats:\n.*?\n-+.*?\n(.*?)\ntotal\s+(\d+)", output, re.S)
    if not m:
        return {}
    counts = {}
    for line in m.group(1).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts


def card_of(config_path):
    import yaml
    with open(config_path) as f:
        return yaml.safe_load(f).get("card")


@pytest.fixture
def wf(tmp_path):
    return copy_workflow(tmp_path)


def pytest_sessionfinish(session, exitstatus):
    """Exit 77 (meson's SKIP) when every test was skipped, so `meson test` shows the skip."""
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    if exitstatus == 0 and tr is not None and tr.stats.get("skipped") and not tr.stats.get("passed"):
        session.exitstatus = 77
