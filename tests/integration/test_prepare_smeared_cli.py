"""prepare --rows exact + fit with the smeared detector on the tiny card (the exact per-event
rows; the default, the response operator, is test_response_cli.py): likelihood.h5 holds CSR rows that
describe themselves, the fit recovers the truth (closure), threads and ranks do not change a
bit of the payload, and bad input gives a clear message and exit code 2."""
import h5py
import numpy as np
import pytest

from conftest import SOURCE_ROOT, run_pf

TINY = SOURCE_ROOT / "configs/cards/tiny.yaml"
SMEAR = "detector: {energy_resolution: {stochastic: 0.02, constant: 0.01}, angle_resolution: 0.001}"
NEVENTS = 20000


def smeared_card(tmp, name="smear.yaml", detector=SMEAR, edit=None):
    """The tiny card with the given detector section (one line), whatever tiny.yaml has."""
    lines, skip = [], False
    for line in TINY.read_text().splitlines():
        if line.startswith("detector:"):
            lines.append(detector)
            skip = True
            continue
        if skip and line.startswith("  "):
            continue
        skip = False
        lines.append(line)
    text = "\n".join(lines) + "\n"
    if edit:
        text = edit(text)
    p = tmp / name
    p.write_text(text)
    return p


def payload_checksum(path):
    with h5py.File(path, "r") as f:
        return int(f["meta"].attrs["checksum"])


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    d = tmp_path_factory.mktemp("smear")
    card = smeared_card(d)
    run_pf("theory", "--card", card, "--out", d / "theory.h5")
    run_pf("simulate", "--theory", d / "theory.h5", "--card", card, "--events", NEVENTS, "--seed", 21,
           "--out", d / "events.h5")
    r = run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", card,
               "--out", d / "like.h5", "--threads", 2, "--rows", "exact")
    assert "per event (mean)" in r.stdout
    return d, card


def test_csr_rows_describe_themselves(chain):
    d, _ = chain
    with h5py.File(d / "like.h5", "r") as f, h5py.File(d / "events.h5", "r") as e:
        assert f.attrs["detector"] in (b"smeared", "smeared")
        n = int(f.attrs["n_events"])
        assert n == int(np.count_nonzero(e["events/accepted"][:]))
        rp = f["events/row_ptr"][:]
        col = f["events/col"][:]
        assert rp.shape == (n + 1,) and rp[0] == 0 and rp[-1] == col.shape[0]
        assert np.all(np.diff(rp.astype(np.int64)) > 0)
        assert "stencil_w" not in f["events"]
        assert col.min() >= 0 and col.max() < int(f.attrs["ngrid"])
        # columns ascend within every row
        rows = np.repeat(np.arange(n), np.diff(rp.astype(np.int64)))
        step = np.diff(col.astype(np.int64))
        assert np.all(step[rows[1:] == rows[:-1]] > 0)
        c = f["norm/c"][:]
        H = f["hist/H"][:]
        assert np.allclose(H.sum(axis=0), c, rtol=1e-10, atol=1e-12 * abs(c).max())


def test_smeared_fit_recovers_the_truth(chain):
    d, card = chain
    run_pf("fit", "--likelihood", d / "like.h5", "--card", card, "--out", d / "fit.h5", "--threads", 2)
    with h5py.File(d / "fit.h5", "r") as f:
        g = f["fit"]
        assert int(g.attrs["converged"]) == 1
        pull = g["pull"][:]
        assert np.all(np.abs(pull) < 3.0), pull


def test_one_and_two_threads_and_ranks_give_identical_likelihood(chain, tmp_path):
    """140k events = 3 summation blocks of 65536, so that 2 ranks really split the rows (CSR
    offsets across ranks) and the fit reads CSR slices per rank."""
    d, card = chain
    run_pf("simulate", "--theory", d / "theory.h5", "--card", card, "--events", 140000, "--seed", 3,
           "--out", tmp_path / "ev.h5")
    run_pf("prepare", "--theory", d / "theory.h5", "--events", tmp_path / "ev.h5", "--card", card,
           "--rows", "exact", "--out", tmp_path / "l2t.h5", "--threads", 2)
    run_pf("prepare", "--theory", d / "theory.h5", "--events", tmp_path / "ev.h5", "--card", card,
           "--rows", "exact", "--out", tmp_path / "l1.h5", "--threads", 1)
    assert payload_checksum(tmp_path / "l1.h5") == payload_checksum(tmp_path / "l2t.h5")
    run_pf("prepare", "--theory", d / "theory.h5", "--events", tmp_path / "ev.h5", "--card", card,
           "--rows", "exact", "--out", tmp_path / "l2r.h5", "--threads", 1, mpi_ranks=2)
    assert payload_checksum(tmp_path / "l2r.h5") == payload_checksum(tmp_path / "l2t.h5")
    run_pf("fit", "--likelihood", tmp_path / "l2t.h5", "--card", card, "--out", tmp_path / "f1.h5", "--threads", 1)
    run_pf("fit", "--likelihood", tmp_path / "l2t.h5", "--card", card, "--out", tmp_path / "f2.h5", "--threads", 1,
           mpi_ranks=2)
    assert payload_checksum(tmp_path / "f1.h5") == payload_checksum(tmp_path / "f2.h5")


def test_bad_input_gives_clear_messages(chain, tmp_path):
    d, _ = chain
    # events from another theory
    other = smeared_card(tmp_path, "other.yaml", edit=lambda t: t.replace("value: 0.35", "value: 0.30"))
    run_pf("theory", "--card", other, "--out", tmp_path / "th2.h5")
    r = run_pf("prepare", "--theory", tmp_path / "th2.h5", "--events", d / "events.h5", "--out",
               tmp_path / "x.h5", check=False)
    assert r.returncode == 2 and "another theory" in r.stderr, r.stderr
    assert not (tmp_path / "x.h5").exists()
    # no accepted events (efficiency 0)
    eff0 = smeared_card(tmp_path, "eff0.yaml", detector=SMEAR[:-1] + ", efficiency: 0.0}")
    run_pf("theory", "--card", eff0, "--out", tmp_path / "t0.h5")
    run_pf("simulate", "--theory", tmp_path / "t0.h5", "--card", eff0, "--events", 500, "--seed", 1,
           "--out", tmp_path / "e0.h5")
    r = run_pf("prepare", "--theory", tmp_path / "t0.h5", "--events", tmp_path / "e0.h5", "--out",
               tmp_path / "l0.h5", check=False)
    assert r.returncode == 2 and "none of its" in r.stderr, r.stderr
    assert not (tmp_path / "l0.h5").exists()
