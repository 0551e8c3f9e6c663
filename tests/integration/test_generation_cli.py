"""Issue 12 items 1-3 through the CLI: events are generated in the generation region
(recorded on /events) and at 5x the default resolution more than 5 % of the accepted events
have their true point outside the cuts; luminosity mode (--expected-events) gives a Poisson
count around N accepted events, deterministically; 1 and 2 threads give the same payload;
an envelope violation (the --envelope-safety test hook) is an error and leaves no file."""
import h5py
import numpy as np
import pytest
import yaml

from conftest import SOURCE_ROOT, run_pf

CARD5X = SOURCE_ROOT / "configs" / "cards" / "smeared5x.yaml"
TINY = SOURCE_ROOT / "configs" / "cards" / "tiny.yaml"


def in_cuts(f, x, q2, y):
    c = yaml.safe_load(f["meta"].attrs["card"])["kinematics"]["cuts"]
    w2 = 0.938272 ** 2 + q2 * (1 - x) / x
    return ((q2 >= c["q2_min"]) & (q2 <= c["q2_max"]) & (x >= c["x_min"]) & (x <= c["x_max"])
            & (y >= c.get("y_min", 0)) & (y <= c.get("y_max", 1)) & (w2 >= c.get("w2_min", 0)))


@pytest.fixture(scope="module")
def theory5x(tmp_path_factory):
    d = tmp_path_factory.mktemp("gen5x")
    run_pf("theory", "--card", CARD5X, "--out", d / "theory.h5", "--threads", 2)
    return d


def test_five_times_resolution_more_than_5_percent_of_accepted_events_come_from_outside_the_cuts(theory5x):
    d = theory5x
    out = d / "ev.h5"
    r = run_pf("simulate", "--theory", d / "theory.h5", "--card", CARD5X, "--out", out,
               "--expected-events", 20000, "--seed", 3, "--threads", 2, "--quiet")
    with h5py.File(out) as f:
        e, a = f["events"], f["events"].attrs
        acc = e["accepted"][()].astype(bool)
        x, q2, y = e["x_true"][()], e["q2_true"][()], e["y_true"][()]
        inside = in_cuts(f, x, q2, y)
        frac = (acc & ~inside).sum() / acc.sum()
        print(r.stdout, f"accepted {acc.sum()}, true point outside the cuts: {frac:.4f}")
        assert frac >= 0.05
        gen = a["generation"]
        assert gen.shape == (7,) and a["generation_order"].startswith("q2_min, q2_max")
        # every true point inside the generation region; the region contains the cuts
        assert (q2 >= gen[0]).all() and (q2 <= gen[1]).all() and (x >= gen[2]).all() and (x <= gen[3]).all()
        assert (y >= gen[4] * (1 - 1e-12)).all() and (y <= gen[5] * (1 + 1e-12)).all()
        assert gen[0] >= 2.0 * (1 - 1e-12)  # above mu0^2: the card's q2_min keeps the region there
        assert not (a["generation_cut_into"] & 1)  # the q2_min side is not clipped
        # luminosity mode: L = N / sigma_acc, count Poisson around N accepted
        assert a["count_mode"] == "expected_events"
        assert a["expected_accepted"] == pytest.approx(20000, rel=1e-12)
        assert a["luminosity_pb"] * a["cross_section_accepted_pb"] == pytest.approx(20000, rel=1e-12)
        assert a["cross_section_gen_pb"] == a["cross_section_pb"] > a["cross_section_accepted_pb"]
        assert abs(int(a["n_accepted"]) - 20000) < 5 * np.sqrt(20000)
        # the sampler's MC estimate of sigma_gen agrees with the quadrature
        assert a["cross_section_mc_pb"] == pytest.approx(a["cross_section_pb"], rel=0.02)


def test_luminosity_mode_is_deterministic_and_thread_independent(theory5x):
    d = theory5x
    sums = []
    for t in (1, 2):
        out = d / f"ev_t{t}.h5"
        run_pf("simulate", "--theory", d / "theory.h5", "--card", CARD5X, "--out", out,
               "--expected-events", 70000, "--seed", 9, "--threads", t, "--quiet")
        with h5py.File(out) as f:
            sums.append((int(f["meta"].attrs["checksum"]), int(f["events"].attrs["n_generated"])))
    assert sums[0] == sums[1]


def test_fixed_count_and_luminosity_flags_exclude_each_other(theory5x):
    d = theory5x
    r = run_pf("simulate", "--theory", d / "theory.h5", "--card", CARD5X, "--out", d / "x.h5",
               "--events", 10, "--expected-events", 10, check=False)
    assert r.returncode == 2 and "--expected-events" in r.stderr and not (d / "x.h5").exists()
    r = run_pf("simulate", "--theory", d / "theory.h5", "--card", CARD5X, "--out", d / "x.h5",
               "--events", 500, "--seed", 1, "--quiet")
    with h5py.File(d / "x.h5") as f:
        assert f["events"].attrs["n_generated"] == 500 and f["events"].attrs["count_mode"] == "events"


def test_envelope_violation_is_an_error_and_writes_no_file(tmp_path):
    run_pf("theory", "--card", TINY, "--out", tmp_path / "t.h5", "--threads", 2)
    out = tmp_path / "ev.h5"
    r = run_pf("simulate", "--theory", tmp_path / "t.h5", "--card", TINY, "--out", out, "--expected-events", 3000,
               "--seed", 1, "--envelope-safety", 0.9, check=False)
    assert r.returncode == 1, r.stderr
    assert "above the sampler's envelope" in r.stderr and "no events file is written" in r.stderr
    assert not out.exists() and not list(tmp_path.glob("ev.h5.tmp*"))
    # the default envelope on the same card: no violation, a file
    run_pf("simulate", "--theory", tmp_path / "t.h5", "--card", TINY, "--out", out, "--expected-events", 3000,
           "--seed", 1, "--quiet")
    with h5py.File(out) as f:
        assert f["events"].attrs["envelope_violations"] == 0


def test_theory_without_the_generation_region_is_refused(tmp_path):
    # a theory built for the perfect detector covers only the cuts: simulating the smeared
    # card from it is refused naming the region and the files
    card = tmp_path / "perfect.yaml"
    text = CARD5X.read_text()
    det = text[text.index("\ndetector:") + 1:text.index("\nsimulation:") + 1]
    card.write_text(text.replace(det, "detector: perfect\n"))
    run_pf("theory", "--card", card, "--out", tmp_path / "t.h5", "--threads", 2)
    r = run_pf("simulate", "--theory", tmp_path / "t.h5", "--card", CARD5X, "--out", tmp_path / "e.h5",
               "--expected-events", 100, check=False)
    assert r.returncode == 2 and "generation region" in r.stderr and str(CARD5X) in r.stderr
    assert not (tmp_path / "e.h5").exists()


def test_the_model_describes_migrated_events_chi2_over_reconstructed_bins(theory5x):
    """Issue 12 item 1: with 5x the default resolution (8 % of the accepted events migrate
    in from outside the cuts) prepare's expected counts, from the response operator folded
    over the generation region, describe a sample: tools/bin_chi2.py, Pearson chi2 and
    Poisson deviance over the reconstructed bins at the truth, p > 0.01.  2e5 events here
    (seed 4); the 1e7-event figure of docs/fitting.md ("Generation region": 162.8 / 148,
    p = 0.19) is the same command on a bigger sample."""
    import re
    import subprocess
    import sys
    d = theory5x
    run_pf("simulate", "--theory", d / "theory.h5", "--card", CARD5X, "--out", d / "ev2.h5",
           "--expected-events", 200000, "--seed", 4, "--threads", 2, "--quiet")
    run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "ev2.h5", "--card", CARD5X,
           "--out", d / "l2.h5", "--threads", 2, "--quiet")
    r = subprocess.run([sys.executable, str(SOURCE_ROOT / "tools/bin_chi2.py"), str(d / "theory.h5"), str(d / "l2.h5")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    m = re.search(r"Pearson chi2 ([0-9.]+) / (\d+) \(p = ([0-9.]+)\), Poisson deviance ([0-9.]+) \(p = ([0-9.]+)\)",
                  r.stdout)
    assert m, r.stdout
    ndf = int(m.group(2))
    assert ndf > 100 and float(m.group(3)) > 0.01 and float(m.group(5)) > 0.01, r.stdout
    # the statistic is not vacuous: a 3 % wrong normalisation of the same sample fails it
    with h5py.File(d / "l2.h5", "r") as f:
        lum = float(f.attrs["luminosity_pb"])
    import shutil
    shutil.copy(d / "l2.h5", d / "l2w.h5")
    with h5py.File(d / "l2w.h5", "r+") as f:
        f.attrs["luminosity_pb"] = lum * 1.03
    r = subprocess.run([sys.executable, str(SOURCE_ROOT / "tools/bin_chi2.py"), str(d / "theory.h5"), str(d / "l2w.h5")],
                       capture_output=True, text=True)
    m = re.search(r"Pearson chi2 [0-9.]+ / \d+ \(p = ([0-9.]+)\)", r.stdout)
    assert m and float(m.group(1)) < 1e-6, r.stdout
