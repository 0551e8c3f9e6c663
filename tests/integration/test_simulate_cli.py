"""`partonflow simulate`: events.h5 follows docs/artefacts.md ("events.h5"); its payload is
bitwise the same for 1 or 2 threads and 1 or 2 MPI ranks; the perfect detector gives
reconstructed == true; the smeared E' and theta have the configured widths; bad input
(theory that does not cover the cuts, negative resolution, zero events, missing theory
file) exits 2 with a clear message; a killed run leaves no events.h5."""
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

from conftest import PARTONFLOW, SOURCE_ROOT, run_pf

CARD = SOURCE_ROOT / "tests" / "data" / "cards" / "ops_small.yaml"
COLS = ["x_true", "q2_true", "y_true", "eprime_true", "theta_true",
        "x_rec", "q2_rec", "y_rec", "eprime_rec", "theta_rec"]
DETECTOR = """detector:
  energy_resolution: {stochastic: 0.02, constant: 0.01}
  angle_resolution: 0.001
  efficiency: 0.8
simulation: {events: 20000, seed: 4242}
"""


def card_with(tmp, name, tail):
    p = tmp / name
    p.write_text(CARD.read_text() + tail)
    return p


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    theory = d / "theory.h5"
    run_pf("theory", "--card", CARD, "--out", theory, "--threads", 2)
    smeared = card_with(d, "smeared.yaml", DETECTOR)
    perfect = card_with(d, "perfect.yaml", "detector: perfect\nsimulation: {events: 20000, seed: 7}\n")
    ev = d / "ev_t1.h5"
    r = run_pf("simulate", "--theory", theory, "--card", smeared, "--out", ev, "--threads", 1)
    assert "events" in r.stdout and "sigma" in r.stdout
    return d, theory, smeared, perfect, ev


def h5diff_events(a, b):
    r = subprocess.run(["h5diff", "-r", str(a), str(b), "/events"], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def test_events_file_has_the_schema(setup):
    d, theory, smeared, perfect, ev = setup
    with h5py.File(ev, "r") as f, h5py.File(theory, "r") as t:
        meta = f["meta"].attrs
        assert meta["schema"] == "partonflow.events" and int(meta["schema_version"]) == 1
        assert int(meta["seed"]) == 4242 and " simulate " in meta["command_line"]
        g = f["events"]
        for c in COLS:
            assert g[c].shape == (20000,) and g[c].dtype == np.float64
        assert g["accepted"].dtype == np.uint8
        a = g.attrs
        assert int(a["n_generated"]) == 20000 and int(a["seed"]) == 4242
        assert int(a["n_accepted"]) == int(g["accepted"][:].sum())
        assert int(a["theory_checksum"]) == int(t["meta"].attrs["checksum"])
        assert int(a["envelope_violations"]) == 0
        xs, lumi = float(a["cross_section_pb"]), float(a["luminosity_pb"])
        assert xs > 0 and abs(lumi * xs / 20000 - 1) < 1e-12
        # the sampler's own estimate (accept rate x envelope) agrees with the quadrature
        n_c = int(a["n_candidates"])
        p = 20000 / n_c
        assert abs(float(a["cross_section_mc_pb"]) / xs - 1) < 4 * np.sqrt((1 - p) / (p * n_c))
        # true kinematics inside the cuts; y = Q2 / (x s); E' from x, Q2 (independent formula)
        x, q2, y = g["x_true"][:], g["q2_true"][:], g["y_true"][:]
        s = 4 * 10.0 * 100.0
        # true events fill the generation region (wider than the cuts for a smeared
        # detector: migrations into the cuts, generation.h), recorded on /events
        gen = a["generation"]
        assert gen[0] < 4 and gen[1] > 1000 and gen[4] < 0.01 and gen[5] > 0.95
        assert np.all((q2 >= gen[0]) & (q2 <= gen[1]) & (x >= gen[2]) & (x <= gen[3]))
        assert np.all((y >= gen[4] * (1 - 1e-12)) & (y <= gen[5] * (1 + 1e-12)))
        assert np.all(0.938272**2 + q2 * (1 - x) / x >= gen[6] * (1 - 1e-12))
        assert np.allclose(y, q2 / (x * s), rtol=1e-14)
        assert np.allclose(g["eprime_true"][:], 10 * (1 - y) + q2 / 40, rtol=1e-12)
        assert np.allclose(q2, 2 * 10 * g["eprime_true"][:] * (1 + np.cos(g["theta_true"][:])), rtol=1e-9)
        assert g["q2_rec"].attrs["units"] == "GeV^2"


def test_smearing_widths_and_efficiency(setup):
    d, theory, smeared, perfect, ev = setup
    with h5py.File(ev, "r") as f:
        g = f["events"]
        e, er = g["eprime_true"][:], g["eprime_rec"][:]
        th, thr = g["theta_true"][:], g["theta_rec"][:]
        acc = g["accepted"][:].astype(bool)
        n = len(e)
        pe = (er - e) / np.sqrt(0.02**2 * e + 0.01**2 * e**2)
        pt = (thr - th) / 0.001
        for p in (pe, pt):
            assert abs(p.mean()) < 4 / np.sqrt(n) and abs(p.std() - 1) < 4 * np.sqrt(0.5 / n)
        # electron method on the smeared electron, cuts on reconstructed values
        q2r = 2 * 10 * er * (1 + np.cos(thr))
        yr = 1 - er / 20 * (1 - np.cos(thr))
        assert np.allclose(g["q2_rec"][:][yr > 0], q2r[yr > 0], rtol=1e-12)
        xr = g["x_rec"][:]
        inc = (q2r >= 4) & (q2r <= 1000) & (yr >= 0.01) & (yr <= 0.95) & (xr >= 1e-3) & (xr <= 0.9) & \
              (0.938272**2 + q2r * (1 - xr) / xr >= 10)
        assert not np.any(acc & ~inc)
        k = inc.sum()
        assert abs(acc.sum() / k - 0.8) < 4 * np.sqrt(0.16 / k)


def test_payload_is_bitwise_identical_for_threads_and_ranks(setup):
    d, theory, smeared, perfect, ev = setup
    e2 = d / "ev_t2.h5"
    run_pf("simulate", "--theory", theory, "--card", smeared, "--out", e2, "--threads", 2, "--quiet")
    assert h5diff_events(ev, e2)[0] == 0
    with h5py.File(ev, "r") as a, h5py.File(e2, "r") as b:
        assert int(a["meta"].attrs["checksum"]) == int(b["meta"].attrs["checksum"])
    if shutil.which("mpirun") is None:
        pytest.skip("no mpirun")
    m2 = d / "ev_m2.h5"
    run_pf("simulate", "--theory", theory, "--card", smeared, "--out", m2, "--threads", 1, "--quiet",
           mpi_ranks=2)
    assert h5diff_events(ev, m2)[0] == 0
    with h5py.File(ev, "r") as a, h5py.File(m2, "r") as b:
        assert int(a["meta"].attrs["checksum"]) == int(b["meta"].attrs["checksum"])


def test_perfect_detector_and_overrides(setup):
    d, theory, smeared, perfect, ev = setup
    out = d / "perfect.h5"
    r = run_pf("simulate", "--theory", theory, "--card", perfect, "--out", out, "--events", 5000,
               "--seed", 99, "--quiet")
    assert r.stderr == ""
    with h5py.File(out, "r") as f:
        g = f["events"]
        assert int(g.attrs["n_generated"]) == 5000 and int(g.attrs["seed"]) == 99
        for c in ("x", "q2", "y", "eprime", "theta"):
            assert np.array_equal(g[c + "_true"][:], g[c + "_rec"][:])
        assert np.all(g["accepted"][:] == 1)


def test_luminosity_gives_poisson_count(setup):
    d, theory, smeared, perfect, ev = setup
    # sigma of the perfect detector's region (the cuts; the smeared file's is wider)
    run_pf("simulate", "--theory", theory, "--card", perfect, "--out", d / "p10.h5", "--events", 10, "--quiet")
    with h5py.File(d / "p10.h5", "r") as f:
        xs = float(f["events"].attrs["cross_section_pb"])
    lumi = 5000.0 / xs
    c = card_with(d, "lumi.yaml", "detector: perfect\nsimulation: {luminosity: %r, seed: 3}\n" % lumi)
    out = d / "lumi.h5"
    run_pf("simulate", "--theory", theory, "--card", c, "--out", out, "--quiet")
    with h5py.File(out, "r") as f:
        a = f["events"].attrs
        n = int(a["n_generated"])
        assert abs(n - 5000) < 5 * np.sqrt(5000) and float(a["luminosity_pb"]) == lumi


def test_bad_input_exits_2_with_a_clear_message(setup):
    d, theory, smeared, perfect, ev = setup
    out = d / "bad.h5"
    r = run_pf("simulate", "--theory", d / "missing.h5", "--card", smeared, "--out", out, check=False)
    assert r.returncode == 2 and "missing.h5" in r.stderr
    wide = d / "wide.yaml"
    wide.write_text(smeared.read_text().replace("q2_max: 1000.0", "q2_max: 5000.0"))
    r = run_pf("simulate", "--theory", theory, "--card", wide, "--out", out, check=False)
    assert r.returncode == 2 and "not covered" in r.stderr
    neg = d / "neg.yaml"
    neg.write_text(smeared.read_text().replace("angle_resolution: 0.001", "angle_resolution: -0.001"))
    r = run_pf("simulate", "--theory", theory, "--card", neg, "--out", out, check=False)
    assert r.returncode == 2 and "angle_resolution" in r.stderr
    r = run_pf("simulate", "--theory", theory, "--card", smeared, "--out", out, "--events", 0, check=False)
    assert r.returncode == 2 and "--events: expected a positive number of events, got 0" in r.stderr
    assert not out.exists()
    assert run_pf("simulate", "--help").returncode == 0


def test_bad_flags_and_output_paths_exit_2_and_leave_inputs_intact(setup):
    d, theory, smeared, perfect, ev = setup
    out = d / "flags.h5"
    base = ["simulate", "--theory", theory, "--card", perfect, "--quiet"]
    before = theory.read_bytes()
    cases = [
        (["--out", out, "--events"], "--events needs a value"),
        (["--out", out, "--events", "-5"], "'-5' is not a non-negative integer"),
        (["--out", out, "--events", "abc"], "'abc' is not a non-negative integer"),
        (["--out", out, "--seed", "1.5"], "'1.5' is not a non-negative integer"),
        (["--out", out, "--seed", "18446744073709551616"], "too large"),
        (["--out", out, "--bogus"], "unknown argument '--bogus'"),
        (["--out", out, "--threads", "99999999999"], "at most"),
        (["--out", out, "--events", "9e18"], "expected at most 2^53"),
        (["--out", d], "is a directory"),
        (["--out", d / "no_such_folder" / "ev.h5"], "no_such_folder"),
        (["--out", ""], "output path is empty"),
        (["--out", theory], "is one of the inputs"),
        (["--out", perfect], "is one of the inputs"),
    ]
    for extra, msg in cases:
        r = run_pf(*base, *extra, check=False)
        assert r.returncode == 2 and msg in r.stderr, (extra, r.returncode, r.stderr)
        assert "Sanitizer" not in r.stderr and "runtime error" not in r.stderr
    assert theory.read_bytes() == before and not out.exists()
    assert not list(d.glob("*.tmp-*")) and not list(d.parent.glob("*.tmp-*"))
    # a theory file that is not HDF5 is named as such
    r = run_pf("simulate", "--theory", perfect, "--card", perfect, "--out", out, check=False)
    assert r.returncode == 2 and str(perfect) in r.stderr and "not an HDF5 file" in r.stderr
    # seeds above 2^53 are kept exactly (a double would round 2^53 + 1 to 2^53)
    seed = 2**53 + 1
    run_pf(*base, "--out", out, "--events", 100, "--seed", str(seed))
    with h5py.File(out, "r") as f:
        assert int(f["meta"].attrs["seed"]) == seed and int(f["events"].attrs["seed"]) == seed


def test_killed_run_leaves_no_events_file(setup):
    d, theory, smeared, perfect, ev = setup
    out = d / "killed.h5"
    p = subprocess.Popen([PARTONFLOW, "simulate", "--theory", str(theory), "--card", str(smeared),
                          "--out", str(out), "--events", "200000000", "--threads", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait until it is generating (first progress line), then kill it
    t0 = time.time()
    line = p.stderr.readline()
    assert "events" in line, line
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert time.time() - t0 < 120
    assert not out.exists()
    for f in d.glob("killed.h5.tmp-*"):
        f.unlink()


def test_bench_simulate_reports_timings():
    import json
    r = run_pf("bench", "simulate", "--events", 20000, "--threads", 2, "--repeats", 1, "--warmup", 0,
               "--card", CARD, "--json")
    rows = [json.loads(l) for l in r.stdout.strip().splitlines()]
    assert {row["name"] for row in rows} == {"simulate_events", "simulate_setup", "simulate_write"}
    ev = [row for row in rows if row["name"] == "simulate_events"]
    assert {row["threads"] for row in ev} == {1, 2} and all(row["n"] == 20000 for row in ev)
    # accept rate x envelope vs quadrature: ~25000 candidates give a standard error ~3e-3
    assert all(row["accuracy"] < 0.02 for row in ev)
    assert all(row["median_s"] > 0 for row in rows)
