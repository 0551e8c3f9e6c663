"""prepare's default for the smeared detector, the reconstructed-space response operator
(docs/fitting.md, "The response operator"): F = M G on a reconstructed grid, each event a
bicubic stencil on F, the flavour thresholds (where F2 jumps) resolved by a band of fine
response rows, so that no event keeps an exact row.  Checked against the exact per-event rows (`--rows exact`): the
densities event by event (`--verify`), the fitted parameters, the normalisation; threads
and ranks do not change a bit; a damaged operator is refused."""
import re

import h5py
import numpy as np
import pytest
import yaml

from artefact_edit import edited
from conftest import SOURCE_ROOT, run_pf

TINY = SOURCE_ROOT / "configs/cards/tiny.yaml"
DEFAULT = SOURCE_ROOT / "configs/cards/default.yaml"


def payload_checksum(path):
    with h5py.File(path, "r") as f:
        return int(f["meta"].attrs["checksum"])


def verify_quantiles(stderr):
    m = re.search(r"median ([0-9.e+-]+), 90% ([0-9.e+-]+), 99% ([0-9.e+-]+), 99.9% ([0-9.e+-]+), max ([0-9.e+-]+)",
                  stderr)
    assert m, stderr
    return [float(v) for v in m.groups()]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("resp")
    run_pf("theory", "--card", TINY, "--out", d / "theory.h5")
    run_pf("simulate", "--theory", d / "theory.h5", "--card", TINY, "--seed", 5, "--out", d / "events.h5")
    r = run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", TINY,
               "--out", d / "resp.h5", "--threads", 2)
    assert "response operator M" in r.stdout, r.stdout
    run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "events.h5", "--card", TINY,
           "--out", d / "exact.h5", "--threads", 2, "--rows", "exact")
    return d


def test_operator_and_exact_rows_describe_themselves(tiny):
    with h5py.File(tiny / "resp.h5", "r") as f:
        n, ngrid = int(f.attrs["n_events"]), int(f.attrs["ngrid"])
        nt, nz = int(f["response"].attrs["nt"]), int(f["response"].attrs["nz"])
        mp = f["response/row_ptr"][:].astype(np.int64)
        pnt = int(f["response"].attrs.get("patch_nt", 0))  # the high-x patch's rows follow
        assert mp.shape == (2 * (nt + pnt) * nz + 1,) and mp[0] == 0 and np.all(np.diff(mp) >= 0)
        mc = f["response/col"][:]
        assert mc.min() >= 0 and mc.max() < ngrid
        # every event is a stencil row on F, stored compactly (40 bytes with base and bin):
        # the local coordinates of its cubic weights and the factors eps K2 > 0, eps KL
        assert f["events/stencil_local"].shape == (n, 4) and "stencil_w" not in f["events"]
        loc = f["events/stencil_local"][:]
        assert np.all((loc[:, :2] >= -1) & (loc[:, :2] <= 2)) and np.all(loc[:, 2] > 0.0)
        # no exact rows
        assert "exact_index" not in f["events"] and "row_ptr" not in f["events"]
        # normalisation and histogram operators come from the same M: the bins add up to c
        c, H = f["norm/c"][:], f["hist/H"][:]
        assert np.allclose(H.sum(axis=0), c, rtol=1e-9, atol=1e-12 * abs(c).max())
    with h5py.File(tiny / "exact.h5", "r") as f:
        c_exact = f["norm/c"][:]
    # the normalisation vectors of the two methods (reconstructed-space quadrature of M
    # against the exact fold over the generation region) as sums and weighted alike
    assert abs(c.sum() / c_exact.sum() - 1) < 2e-3


def test_fit_agrees_with_the_exact_rows(tiny):
    """Same events, both likelihoods: the fitted parameters agree inside their errors.  The
    tiny card's coarse theory grid (40 x 16) limits the response interpolation to ~3e-3
    (99 %; the default grid: 3e-5), which moves these 1e4-event fits by up to ~0.35 sigma
    (measured); on the default grid the densities are checked directly below."""
    for name in ("resp", "exact"):
        run_pf("fit", "--likelihood", tiny / f"{name}.h5", "--card", TINY, "--out", tiny / f"fit_{name}.h5",
               "--threads", 2)
    with h5py.File(tiny / "fit_resp.h5", "r") as a, h5py.File(tiny / "fit_exact.h5", "r") as b:
        assert int(a["fit"].attrs["converged"]) == 1 and int(b["fit"].attrs["converged"]) == 1
        pa, pb, err = a["fit/theta"][:], b["fit/theta"][:], b["fit/error"][:]
        assert np.all(np.abs(pa - pb) < 0.5 * err), (pa, pb, err)


def test_densities_match_the_exact_rows_on_the_default_grid(tmp_path):
    """`prepare --verify N`: every event's response-operator density against its exact row
    at the truth, on the default card's theory grid (docs/performance.md has the 1e6-event
    distribution).  The issue's goal, every event within 1e-5, is asserted.  Measured (all
    1e6 events of the default workflow): median 5.3e-8, 99 % 7.3e-6, max 1.02e-5 (one event,
    at the x_max cut; the next 9.4e-6); before the x lines split the rows' quadrature and
    the rows were refined at low Q^2 and above the threshold band (6 Dec 2026): median
    4.5e-7, 99 % 3.3e-5, max 7.4e-5."""
    run_pf("theory", "--card", DEFAULT, "--out", tmp_path / "t.h5")
    run_pf("simulate", "--theory", tmp_path / "t.h5", "--card", DEFAULT, "--expected-events", 4000, "--seed", 9,
           "--out", tmp_path / "e.h5")
    r = run_pf("prepare", "--theory", tmp_path / "t.h5", "--events", tmp_path / "e.h5", "--card", DEFAULT,
               "--out", tmp_path / "l.h5", "--verify", 4000)
    med, q90, q99, q999, mx = verify_quantiles(r.stderr)
    assert med < 5e-7 and q99 < 1e-5 and mx < 1e-5, r.stderr


def test_probe_grid_over_the_high_x_corner_is_within_1e_5_of_the_exact_rows(tmp_path):
    """tools/response_probe.py: a regular grid of reconstructed points (an external events
    file) over the corner the cross section starves, checked point by point by `prepare
    --verify` at the card's parameters: issue 12 item 4's "every event within 1e-5" where a
    1e8 sample has its few high-x events.  docs/fitting.md ("Where the events are not"):
    before the high-x patch max 4.0e-5 (440 points above 1e-5, all at x_r > 0.78); with it
    median 2.3e-7, max 7.6e-6 on this grid, and the largest deviation now lies below the
    patch (x_r < 0.75), not in the corner."""
    import subprocess
    import sys
    probe = tmp_path / "probe.h5"
    r = subprocess.run([sys.executable, str(SOURCE_ROOT / "tools/response_probe.py"), "--card", str(DEFAULT),
                        "--x", "0.55", "0.899", "--q2", "80", "999", "--nx", "30", "--nq2", "40", "--out", str(probe)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    npts = int(re.search(r"(\d+) points inside the cuts", r.stdout).group(1))
    with h5py.File(probe, "r") as f:
        x, q2 = f["events/x_rec"][:], f["events/q2_rec"][:]
    s = 4 * 10.0 * 100.0
    assert npts == x.size > 1000 and (q2 / (x * s) < 0.95).all() and (q2 * (1 - x) / x + 0.938272 ** 2 > 10).all()
    run_pf("theory", "--card", DEFAULT, "--out", tmp_path / "t.h5")
    r = run_pf("prepare", "--theory", tmp_path / "t.h5", "--events", probe, "--card", DEFAULT,
               "--out", tmp_path / "l.h5", "--verify", 100000)
    assert "--verify %d events" % npts in r.stderr, r.stderr
    assert re.search(r"high-x patch of \d+ x \d+", r.stdout), r.stdout
    med, q90, q99, q999, mx = verify_quantiles(r.stderr)
    assert med < 1e-6 and q90 < 5e-6 and mx < 1e-5, r.stderr
    assert "; 0 above 1e-5;" in r.stderr, r.stderr
    # the largest deviation is named, inside the probed range
    w = re.search(r"the largest at x_r = ([0-9.e+-]+), Q2_r = ([0-9.e+-]+) GeV\^2", r.stderr)
    assert w, r.stderr
    wx, wq = float(w.group(1)), float(w.group(2))
    assert 0.55 <= wx <= 0.899 and 80 <= wq <= 999, r.stderr
    # the patch's nodes are in the file, after the main grid's rows of M
    with h5py.File(tmp_path / "l.h5", "r") as f:
        a = f["response"].attrs
        nt, nz, pnt, pnz = (int(a[k]) for k in ("nt", "nz", "patch_nt", "patch_nz"))
        assert f["response/row_ptr"].shape == (2 * (nt + pnt) * nz + 1,) and 4 <= pnz <= nz
        assert f["response/patch_t_nodes"].shape == (pnt,) and f["response/patch_zeta_nodes"].shape == (pnz,)
        # half the main grid's spacing, inside its range
        tp, zp = f["response/patch_t_nodes"][:], f["response/patch_zeta_nodes"][:]
        tm, zm = f["response/t_nodes"][:], f["response/zeta_nodes"][:]
        assert np.allclose(np.diff(zp), 0.5 * np.diff(zm).max(), rtol=1e-6)
        assert tp[-1] == pytest.approx(tm[-1]) and zp[-1] == pytest.approx(zm[-1])


def test_events_at_a_flavour_threshold_match_their_exact_rows(tmp_path):
    """The events whose response reaches across the b threshold (Q2 = m_b^2 = 20.25 GeV^2,
    default card): F2 jumps there, and the response rows in the band around it fold the
    jump.  Only such events (|ln Q2_r - ln m_b^2| < 0.1, +-4.5 sigma of the Q2 resolution
    and more), as an external events file, checked one by one against their exact rows
    with `--verify`: every one within 1e-5 (measured: median 1e-7, max 6e-6; 1.3e-5 before
    the rows' quadrature split at the x lines); before the band these events kept their
    exact rows (~4.4 kB each)."""
    from test_external_events import write_external
    run_pf("theory", "--card", DEFAULT, "--out", tmp_path / "t.h5")
    run_pf("simulate", "--theory", tmp_path / "t.h5", "--card", DEFAULT, "--expected-events", 40000, "--seed", 21,
           "--out", tmp_path / "e.h5")
    with h5py.File(tmp_path / "e.h5", "r") as f:
        ev = f["events"]
        acc = ev["accepted"][:].astype(bool)
        x, q2 = ev["x_rec"][:][acc], ev["q2_rec"][:][acc]
        lumi = float(ev.attrs["luminosity_pb"])
    near = np.abs(np.log(q2) - np.log(4.5 ** 2)) < 0.1
    assert near.sum() > 1000
    beams = yaml.safe_load(open(DEFAULT))["kinematics"]["beams"]
    write_external(tmp_path / "near.h5", x[near], q2[near], lumi, np.sqrt(4.0 * beams["electron"] * beams["proton"]))
    r = run_pf("prepare", "--theory", tmp_path / "t.h5", "--events", tmp_path / "near.h5", "--card", DEFAULT,
               "--out", tmp_path / "l.h5", "--verify", int(near.sum()))
    med, q90, q99, q999, mx = verify_quantiles(r.stderr)
    assert med < 1e-6 and mx < 1e-5, r.stderr


def test_one_and_two_threads_and_ranks_give_identical_bits(tiny, tmp_path):
    """140k events = 3 summation blocks, so that 2 ranks split the stencil rows."""
    run_pf("simulate", "--theory", tiny / "theory.h5", "--card", TINY, "--expected-events", 140000, "--seed", 3,
           "--out", tmp_path / "ev.h5")
    for name, thr, ranks in (("l2t", 2, None), ("l1", 1, None), ("l2r", 1, 2)):
        run_pf("prepare", "--theory", tiny / "theory.h5", "--events", tmp_path / "ev.h5", "--card", TINY,
               "--out", tmp_path / f"{name}.h5", "--threads", thr, mpi_ranks=ranks)
    assert payload_checksum(tmp_path / "l1.h5") == payload_checksum(tmp_path / "l2t.h5")
    assert payload_checksum(tmp_path / "l2r.h5") == payload_checksum(tmp_path / "l2t.h5")
    run_pf("fit", "--likelihood", tmp_path / "l2t.h5", "--card", TINY, "--out", tmp_path / "f1.h5", "--threads", 1)
    run_pf("fit", "--likelihood", tmp_path / "l2t.h5", "--card", TINY, "--out", tmp_path / "f2.h5", "--threads", 2)
    run_pf("fit", "--likelihood", tmp_path / "l2t.h5", "--card", TINY, "--out", tmp_path / "f3.h5", "--threads", 1,
           mpi_ranks=2)
    assert payload_checksum(tmp_path / "f1.h5") == payload_checksum(tmp_path / "f2.h5")
    assert payload_checksum(tmp_path / "f1.h5") == payload_checksum(tmp_path / "f3.h5")


@pytest.mark.parametrize("what", ["response_col", "response_ptr", "stencil_local"])
def test_damaged_operator_is_refused(tiny, tmp_path, what):
    bad = tmp_path / "bad.h5"

    def damage(f):
        if what == "response_col":
            c = f["response/col"][:]
            c[7] = 10 ** 6
            f["response/col"][...] = c
        elif what == "stencil_local":
            loc = f["events/stencil_local"][:]
            loc[17, 1] = 2.5  # a local coordinate outside its stencil
            f["events/stencil_local"][...] = loc
        else:
            p = f["response/row_ptr"][:]
            p[5] = p[4] + 10 ** 9
            f["response/row_ptr"][...] = p

    edited(tiny / "resp.h5", bad, damage)
    r = run_pf("fit", "--likelihood", bad, "--card", TINY, "--out", tmp_path / "f.h5", check=False)
    assert r.returncode == 2, r.stderr
    assert str(bad) in r.stderr and ("response" in r.stderr or "stencil_local row 17" in r.stderr), r.stderr
    assert not (tmp_path / "f.h5").exists()


def test_a_pinned_generation_region_gets_exact_rows_and_a_consistent_count(tmp_path):
    """Events generated only inside a region tighter than the derived one (here the cuts,
    via simulation.generation) have a true density cut off at the cuts, which the response
    operator's widened fold does not describe (a 2-5 % deficit near the cuts was measured on
    the default card): prepare says so and uses the exact rows, whose expected count at the
    truth agrees with the sample (4e4 events, within 4 standard deviations)."""
    text = TINY.read_text().replace(
        "simulation: {expected_events: 10000, seed: 4242}",
        "simulation: {expected_events: 40000, seed: 4242,\n"
        "             generation: {q2_min: 4.0, q2_max: 1000.0, x_min: 1.0e-3, x_max: 0.9,\n"
        "                          y_min: 0.01, y_max: 0.95, w2_min: 10.0}}")
    assert "generation:" in text
    card = tmp_path / "pinned.yaml"
    card.write_text(text)
    run_pf("theory", "--card", card, "--out", tmp_path / "theory.h5")
    run_pf("simulate", "--theory", tmp_path / "theory.h5", "--card", card, "--seed", 8, "--out", tmp_path / "ev.h5")
    r = run_pf("prepare", "--theory", tmp_path / "theory.h5", "--events", tmp_path / "ev.h5", "--card", card,
               "--out", tmp_path / "lk.h5", "--threads", 2)
    assert "exact rows (--rows exact) instead of the response operator" in r.stderr, r.stderr
    with h5py.File(tmp_path / "lk.h5", "r") as f:
        n = int(f.attrs["n_events"])
        assert "response" not in f and f["events/row_ptr"].shape == (n + 1,)
    run_pf("fit", "--likelihood", tmp_path / "lk.h5", "--card", card, "--out", tmp_path / "fit.h5", "--threads", 2)
    with h5py.File(tmp_path / "fit.h5", "r") as f:
        mu = float(f["fit"].attrs["n_expected_truth"])
    assert abs(n - mu) < 4 * np.sqrt(mu), (n, mu)
