"""The library's layering (issue 13, docs/architecture.md "Layers"): every use case lives in
engine/src, the CLI (engine/apps) and the Python package (python/) are thin front ends.
Checked on the source tree:
- no engine module includes another module's private header (a quoted include without
  `partonflow/` must name a file of its own folder or the generated pf_config.h): fit
  reads the theory grid through ops.h's accessors, not through struct pf_ops;
- no module below fit includes a fit header (fit.h, like.h, objective.h, prepare.h,
  lhapdf.h, simulate.h), the CUDA module included: the device code depends on like_data.h only;
- the events readers are in the simulation layer (pf_events_sim_open,
  pf_events_external_read), not in fit;
- the fit, prepare and simulate commands are front ends: under 300 lines each (simulate's
  use case is engine/src/fit/simulate_run.c, above the simulation layer because sigma_acc
  uses prepare's acceptance)."""
import re

import pytest

from conftest import SOURCE_ROOT

SRC = SOURCE_ROOT / "engine" / "src"
FIT_HEADERS = {"partonflow/fit.h", "partonflow/like.h", "partonflow/objective.h", "partonflow/prepare.h",
               "partonflow/lhapdf.h", "partonflow/simulate.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(folder):
    return sorted(p for p in folder.iterdir() if p.suffix in (".c", ".h", ".cu", ".cuh"))


def includes(path):
    return INCLUDE.findall(path.read_text(errors="replace"))


MODULES = sorted(d for d in SRC.iterdir() if d.is_dir())


@pytest.mark.parametrize("module", MODULES, ids=lambda d: d.name)
def test_no_module_includes_another_modules_private_header(module):
    bad = []
    for f in sources(module):
        for inc in includes(f):
            if inc.startswith("partonflow/") or inc == "pf_config.h":
                continue
            if not (module / inc).is_file():
                bad.append(f"{f.relative_to(SOURCE_ROOT)}: #include \"{inc}\"")
    assert not bad, "private headers of other modules:\n" + "\n".join(bad)


@pytest.mark.parametrize("module", [d for d in MODULES if d.name != "fit"], ids=lambda d: d.name)
def test_no_module_below_fit_includes_a_fit_header(module):
    bad = [f"{f.relative_to(SOURCE_ROOT)}: #include \"{inc}\"" for f in sources(module) for inc in includes(f)
           if inc in FIT_HEADERS]
    assert not bad, "modules below fit reaching into it:\n" + "\n".join(bad)


def test_public_headers_below_fit_do_not_include_fit_headers():
    inc_dir = SOURCE_ROOT / "engine" / "include" / "partonflow"
    below = [h for h in inc_dir.glob("*.h") if f"partonflow/{h.name}" not in FIT_HEADERS]
    below += list((inc_dir / "kernels").glob("*.h"))
    bad = [f"{h.name}: {inc}" for h in below for inc in includes(h) if inc in FIT_HEADERS]
    assert not bad, bad


def test_the_events_readers_live_in_the_simulation_layer():
    fit_code = "".join(p.read_text() for p in sources(SRC / "fit"))
    sim_code = "".join(p.read_text() for p in sources(SRC / "sim"))
    for fn in ("int pf_events_sim_open(", "int pf_events_external_read(", "int pf_events_is_external("):
        assert fn in sim_code, fn
        assert fn not in fit_code, fn
    # fit opens no events file itself
    assert '"partonflow.events"' not in fit_code
    assert "/events/x_rec" not in fit_code


@pytest.mark.parametrize("cmd", ["cmd_fit.c", "cmd_prepare.c", "cmd_simulate.c"])
def test_fit_prepare_and_simulate_commands_are_thin_front_ends(cmd):
    lines = (SOURCE_ROOT / "engine" / "apps" / cmd).read_text().count("\n")
    assert lines < 300, f"{cmd}: {lines} lines"
