"""Progress on stderr (issue 16 item 5, docs/architecture.md "Progress"): simulate, prepare
and fit report with one printer (fraction done, rate, elapsed and remaining time; a final
100% line), `--quiet` silences them, stdout carries no progress, and the artefacts' payload
is the same with and without the reports, for 1 and 2 threads.  Nothing here depends on
timings: the first and the last report of every stage are always printed."""
import re

import h5py
import pytest

from conftest import SOURCE_ROOT, run_pf

TINY = SOURCE_ROOT / "configs/cards/tiny.yaml"
NEVENTS = 20000

COUNTED = re.compile(r"^partonflow (\w+): (?:(.+?): )?(\d+) / (\d+) (\w+) \((\d+)%\)(.*)$")
RATE = re.compile(r", [0-9.e+-]+ (\w+)/s")
LEFT = re.compile(r", [0-9.]+ s left")


def payload(path):
    with h5py.File(path, "r") as f:
        return int(f["meta"].attrs["checksum"])


def counted(stderr, cmd, stage):
    """The counted progress lines of `stage` (None: no stage name) as (done, total, unit, %, rest)."""
    out = []
    for line in stderr.splitlines():
        m = COUNTED.match(line)
        if m and m.group(1) == cmd and m.group(2) == stage:
            out.append((int(m.group(3)), int(m.group(4)), m.group(5), int(m.group(6)), m.group(7)))
    return out


def assert_counted_stage(stderr, cmd, stage, unit, total):
    lines = counted(stderr, cmd, stage)
    assert lines, f"no progress lines of {stage!r} in:\n{stderr}"
    for done, tot, u, pct, _ in lines:
        assert u == unit and tot == total and 0 <= done <= tot
        assert pct == int(100 * done / tot)  # floored: 100% only when all is done
    done, tot, _, pct, rest = lines[-1]
    assert done == tot and pct == 100, lines[-1]
    rate = RATE.search(rest)
    assert rate and rate.group(1) == unit, rest
    assert LEFT.search(rest) and "s elapsed" in rest, rest
    assert [l[0] for l in lines] == sorted(l[0] for l in lines), "progress went backwards"


def same_report(a, b, path_a, path_b):
    """stdout of two runs is the same report, the output path and the timings aside"""
    strip = lambda s, p: re.sub(r"[0-9.]+ s\b", "T s", s.replace(str(p), "OUT"))
    assert strip(a, path_a) == strip(b, path_b)


def assert_no_progress_on_stdout(stdout):
    assert not re.search(r"s left|s elapsed|evaluations/s|\(\d+%\)", stdout), stdout


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("progress")
    run_pf("theory", "--card", TINY, "--out", d / "theory.h5")
    sim = run_pf("simulate", "--theory", d / "theory.h5", "--card", TINY, "--events", NEVENTS, "--seed", 5,
                 "--out", d / "events.h5", "--threads", 2)
    with h5py.File(d / "events.h5", "r") as f:
        nacc = int(f["events/accepted"][:].sum())
    return d, sim, nacc


def test_simulate_reports_with_the_shared_printer(inputs):
    _, sim, _ = inputs
    assert_counted_stage(sim.stderr, "simulate", None, "events", NEVENTS)
    assert_no_progress_on_stdout(sim.stdout)


def test_prepare_reports_stages_nodes_and_event_rows(inputs):
    d, _, nacc = inputs
    r = run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", TINY,
               "--out", d / "like_p.h5", "--threads", 2)
    err = r.stderr
    assert_counted_stage(err, "prepare", "event rows", "events", nacc)
    nodes = counted(err, "prepare", "response operator")
    assert nodes and nodes[-1][0] == nodes[-1][1] and nodes[-1][2] == "nodes" and nodes[-1][3] == 100
    for stage in ("reading inputs", "normalisation", "writing"):
        assert f"partonflow prepare: {stage} ..." in err, err
        assert re.search(rf"^partonflow prepare: {stage}: done in [0-9.]+ s$", err, re.M), err
    # the stages in order
    order = [err.index(f"partonflow prepare: {s}") for s in
             ("reading inputs", "response operator", "event rows", "normalisation", "writing")]
    assert order == sorted(order)
    assert_no_progress_on_stdout(r.stdout)


def test_prepare_exact_rows_report_per_chunk(inputs):
    d, _, nacc = inputs
    r = run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", TINY,
               "--out", d / "like_exact.h5", "--rows", "exact", "--threads", 2)
    assert_counted_stage(r.stderr, "prepare", "event rows", "events", nacc)
    assert "response operator" not in r.stderr


def test_quiet_silences_prepare_and_keeps_its_payload(inputs):
    d, _, _ = inputs
    sums = set()
    for threads in (1, 2):
        loud = run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", TINY,
                      "--out", d / f"like_loud{threads}.h5", "--threads", threads)
        quiet = run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", TINY,
                       "--out", d / f"like_quiet{threads}.h5", "--threads", threads, "--quiet")
        assert loud.stderr and quiet.stderr == "", quiet.stderr
        same_report(loud.stdout, quiet.stdout, d / f"like_loud{threads}.h5", d / f"like_quiet{threads}.h5")
        sums |= {payload(d / f"like_loud{threads}.h5"), payload(d / f"like_quiet{threads}.h5")}
    assert len(sums) == 1, sums


@pytest.fixture(scope="module")
def likelihood(inputs):
    d, _, _ = inputs
    run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", TINY,
           "--out", d / "like.h5", "--quiet")
    return d


def test_fit_reports_minimiser_and_hessian(likelihood):
    d = likelihood
    r = run_pf("fit", "--likelihood", d / "like.h5", "--card", TINY, "--out", d / "fit_p.h5", "--threads", 2)
    err = r.stderr
    mini = [l for l in err.splitlines() if l.startswith("partonflow fit: minimisation: ")]
    assert mini, err
    for l in mini:
        assert re.match(r"partonflow fit: minimisation: \d+ evaluations, iteration \d+", l), l
        assert "s elapsed" in l and RATE.search(l).group(1) == "evaluations", l
    last = mini[-1]
    assert last.endswith(", done") and "-ln L = " in last and "EDM = " in last, last
    with h5py.File(d / "fit_p.h5", "r") as f:
        nfree = len(f["fit/theta"][:])
        nfev = int(f["fit"].attrs["evaluations"])
    # the tiny card starts truth-shifted (no restart): the last report counts every evaluation
    assert int(re.match(r"partonflow fit: minimisation: (\d+)", last).group(1)) == nfev
    assert_counted_stage(err, "fit", "Hessian", "columns", nfree)
    assert_no_progress_on_stdout(r.stdout)


def test_fit_profile_intervals_report_parameters(likelihood):
    d = likelihood
    r = run_pf("fit", "--likelihood", d / "like.h5", "--card", TINY, "--out", d / "fit_prof.h5", "--threads", 2,
               "--errors", "profile")
    with h5py.File(d / "fit_prof.h5", "r") as f:
        nfree = len(f["fit/theta"][:])
    assert_counted_stage(r.stderr, "fit", "profile intervals", "parameters", nfree)


def test_quiet_silences_fit_and_keeps_its_payload(likelihood):
    d = likelihood
    sums = set()
    for threads in (1, 2):
        loud = run_pf("fit", "--likelihood", d / "like.h5", "--card", TINY, "--out", d / f"fit_loud{threads}.h5",
                      "--threads", threads)
        quiet = run_pf("fit", "--likelihood", d / "like.h5", "--card", TINY, "--out", d / f"fit_quiet{threads}.h5",
                       "--threads", threads, "--quiet")
        assert "minimisation" in loud.stderr and quiet.stderr == "", quiet.stderr
        same_report(loud.stdout, quiet.stdout, d / f"fit_loud{threads}.h5", d / f"fit_quiet{threads}.h5")
        sums |= {payload(d / f"fit_loud{threads}.h5"), payload(d / f"fit_quiet{threads}.h5")}
    assert len(sums) == 1, sums


def test_quiet_is_in_the_help_of_prepare_and_fit():
    for cmd in ("prepare", "fit"):
        h = run_pf(cmd, "--help").stdout
        assert "[--quiet]" in h and "Progress goes to stderr" in h, h


def test_workflow_rules_keep_the_progress_in_their_logs():
    """The engine rules send stderr to {log} and do not pass --quiet (docs/workflow.md);
    read from the rule files, so no workflow runs here."""
    text = "".join((SOURCE_ROOT / "workflows" / f).read_text() for f in ("stages.smk", "fit.smk"))
    cmds = re.findall(r"\{params\.launch\}\{params\.pf\} (simulate|prepare|fit) (.*?)(?:\n\n|\Z)", text, re.S)
    assert {c for c, _ in cmds} == {"simulate", "prepare", "fit"}, cmds
    for cmd, body in cmds:
        assert "--quiet" not in body, (cmd, body)
        assert re.search(r"> \{log\} 2>&1|2> \{log\}|&> \{log\}", body), (cmd, body)
