"""Pseudo-experiment campaigns in one call (docs/fitting.md "Closure campaigns"):
`simulate --seeds A-B` and `prepare --seeds A-B` pay the card's fixed costs once (simulate's
sigma_gen, sigma_acc and envelope; prepare's theory read and response operator M) and write
one file per seed that is the same payload (checksum over the payload and /meta, without the
command line) as one call per seed writes.  Bad ranges and templates exit 2 before any file
is written."""
import h5py
import pytest

from conftest import SOURCE_ROOT, run_pf

CARD = SOURCE_ROOT / "tests" / "data" / "cards" / "ops_small.yaml"
SMEARED = """detector:
  energy_resolution: {stochastic: 0.02, constant: 0.01}
  angle_resolution: 0.001
  efficiency: 0.8
simulation: {expected_events: 3000, seed: 4242}
fit:
  free: [uv.a, ubar.A]
  start: truth-shifted
  bins: {x: 8, q2: 5}
"""
SEEDS = (3, 4, 5)


def checksum(path):
    with h5py.File(path, "r") as f:
        return int(f["meta"].attrs["checksum"])


@pytest.fixture(scope="module")
def camp(tmp_path_factory):
    d = tmp_path_factory.mktemp("campaign")
    card = d / "smeared.yaml"
    card.write_text(CARD.read_text() + SMEARED)
    theory = d / "theory.h5"
    run_pf("theory", "--card", card, "--out", theory, "--threads", 2)
    r = run_pf("simulate", "--theory", theory, "--card", card, "--seeds", f"{SEEDS[0]}-{SEEDS[-1]}",
               "--out", d / "ev_{seed}.h5", "--quiet")
    assert r.stdout.count("partonflow simulate: ") == len(SEEDS), r.stdout
    r = run_pf("prepare", "--theory", theory, "--card", card, "--seeds", f"{SEEDS[0]}-{SEEDS[-1]}",
               "--events", d / "ev_{seed}.h5", "--out", d / "lk_{seed}.h5")
    return d, card, theory, r


def test_simulate_seeds_writes_the_files_of_one_call_per_seed(camp):
    d, card, theory, _ = camp
    for s in SEEDS:
        one = d / f"one_ev_{s}.h5"
        run_pf("simulate", "--theory", theory, "--card", card, "--seed", s, "--out", one, "--quiet")
        with h5py.File(d / f"ev_{s}.h5", "r") as f:
            assert int(f["events"].attrs["seed"]) == s
            n = int(f["events"].attrs["n_generated"])
        assert checksum(d / f"ev_{s}.h5") == checksum(one), f"seed {s}"
    # different seeds are different samples (Poisson counts and events)
    assert len({checksum(d / f"ev_{s}.h5") for s in SEEDS}) == len(SEEDS) and n > 0


def test_prepare_seeds_builds_the_response_operator_once_and_writes_the_same_files(camp):
    d, card, theory, r = camp
    # the smeared card uses the response operator: its last progress line (100 %) once
    done = [ln for ln in r.stderr.splitlines() if "response operator:" in ln and "(100%)" in ln]
    assert len(done) == 1, r.stderr
    assert r.stdout.count("response operator M of") == len(SEEDS)
    for s in SEEDS:
        one = d / f"one_lk_{s}.h5"
        run_pf("prepare", "--theory", theory, "--card", card, "--events", d / f"ev_{s}.h5", "--out", one, "--quiet")
        assert checksum(d / f"lk_{s}.h5") == checksum(one), f"seed {s}"


def test_campaign_fits_from_prepare_seeds(camp):
    d, card, theory, _ = camp
    out = d / "fit_4.h5"
    r = run_pf("fit", "--likelihood", d / "lk_4.h5", "--card", card, "--out", out, check=False)
    assert r.returncode in (0, 3), r.stderr
    with h5py.File(out, "r") as f:
        assert len(f["fit/pull"][:]) > 0


@pytest.mark.parametrize("cmd, args, needle", [
    ("simulate", ["--seeds", "5-3"], "ends before it starts"),
    ("simulate", ["--seeds", "3"], "is not a range FIRST-LAST"),
    ("simulate", ["--seeds", "a-b"], "is not a range FIRST-LAST"),
    ("simulate", ["--seeds", "-3-4"], "is not a range FIRST-LAST"),
    ("simulate", ["--seeds", "1-1000000"], "expected at most 100000 per call"),
    ("simulate", ["--seeds", "1-2", "--seed", "4"], "exclude each other"),
    ("simulate", ["--seeds", "1-2", "OUT_PLAIN"], "must contain {seed}"),
    ("prepare", ["--seeds", "3-4", "EVENTS_PLAIN"], "--events"),
    ("prepare", ["--seeds", "3-4", "OUT_PLAIN"], "must contain {seed}"),
    ("prepare", ["--seeds", "3-9"], "cannot read"),
])
def test_bad_seed_ranges_and_templates_exit_2_before_writing(camp, tmp_path, cmd, args, needle):
    d, card, theory, _ = camp
    events, out = str(d / "ev_{seed}.h5"), str(tmp_path / "o_{seed}.h5")
    rest = []
    for a in args:
        if a == "OUT_PLAIN":
            out = str(tmp_path / "plain.h5")
        elif a == "EVENTS_PLAIN":
            events = str(d / "ev_3.h5")
        else:
            rest.append(a)
    if cmd == "simulate":
        argv = ["simulate", "--theory", theory, "--card", card, "--out", out, *rest]
    else:
        argv = ["prepare", "--theory", theory, "--card", card, "--events", events, "--out", out, *rest]
    r = run_pf(*argv, check=False)
    assert r.returncode == 2, r.stdout + r.stderr
    assert needle in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []
