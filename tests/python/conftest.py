"""Fixtures of the Python package's tests (run by `meson test`, suite python): the
package is imported from the build tree (PYTHONPATH=build/python, set by meson), and a
small closure chain (tiny card, perfect detector, 150000 events: three summation blocks,
so that threads share work) is made once per session with the CLI."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE_ROOT = Path(os.environ.get("PF_SOURCE_ROOT", Path(__file__).resolve().parents[2]))
BUILD_ROOT = Path(os.environ.get("PF_BUILD_ROOT", SOURCE_ROOT / "build"))
PARTONFLOW = os.environ.get("PARTONFLOW", str(BUILD_ROOT / "partonflow"))
sys.path.insert(0, str(BUILD_ROOT / "python"))
TINY = SOURCE_ROOT / "configs/cards/tiny.yaml"
NEVENTS = 150000


def run_pf(*args):
    cmd = [PARTONFLOW, *map(str, args)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def perfect_card(path, fit_block=None):
    """The tiny card with a perfect detector (and, optionally, another fit section)."""
    out, skip = [], False
    for line in TINY.read_text().splitlines():
        if line.startswith("detector:"):
            out.append("detector: perfect")
            skip = True
            continue
        if skip and line.startswith("  "):
            continue
        skip = False
        out.append(line)
    path.write_text("\n".join(out) + "\n")
    return path


@pytest.fixture(scope="session")
def chain(tmp_path_factory):
    d = tmp_path_factory.mktemp("py")
    card = perfect_card(d / "card.yaml")
    run_pf("theory", "--card", card, "--out", d / "theory.h5")
    run_pf("simulate", "--theory", d / "theory.h5", "--card", card, "--events", NEVENTS, "--seed", 11,
           "--out", d / "events.h5", "--quiet")
    run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", card,
           "--out", d / "like.h5", "--threads", 2)
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit.h5", "--threads", 2,
           "--device", "cpu")
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit_hist.h5", "--threads", 2,
           "--method", "histogram")
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit_r1.h5", "--threads", 1,
           "--replica", 1, "--device", "cpu")
    return d
