"""Events from any producer (issue 12 item 5; docs/artefacts.md "External events"): an
events file written with h5py by a script that knows nothing of partonflow's artefacts
(no /meta, no theory checksum, no card) is prepared with --card and fitted.  The
reconstructed kinematics are taken from a simulated sample, so the likelihood built from
the external file must equal, row for row, the one built from the simulate artefact, and
the fits must agree.  Damaged or inconsistent files are refused with a message naming
the dataset (and row) and leave no output."""
import h5py
import numpy as np
import pytest
import yaml

from conftest import SOURCE_ROOT, run_pf

TINY = SOURCE_ROOT / "configs/cards/tiny.yaml"


def write_external(path, x, q2, lumi, sqrt_s, producer="toygen 0.1 (tests)", description="unit-test sample",
                   q2_units="GeV^2", weight=None, x_true=None, q2_true=None, fmt="partonflow.events.external",
                   version=1):
    """What another generator would write: the documented minimal schema, nothing else."""
    with h5py.File(path, "w") as f:
        if fmt is not None:
            f.attrs["format"] = fmt
        if version is not None:
            f.attrs["format_version"] = np.int64(version)
        g = f.create_group("events")
        if lumi is not None:
            g.attrs["luminosity_pb"] = float(lumi)
        g.attrs["sqrt_s_gev"] = float(sqrt_s)
        if producer is not None:
            g.attrs["producer"] = producer
        g.attrs["description"] = description
        g.create_dataset("x_rec", data=np.asarray(x, dtype=np.float64))
        d = g.create_dataset("q2_rec", data=np.asarray(q2, dtype=np.float64))
        if q2_units is not None:
            d.attrs["units"] = q2_units
        if weight is not None:
            g.create_dataset("weight", data=np.asarray(weight, dtype=np.float64))
        if x_true is not None:
            g.create_dataset("x_true", data=x_true)
            g.create_dataset("q2_true", data=q2_true).attrs["units"] = "GeV^2"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    d = tmp_path_factory.mktemp("ext")
    run_pf("theory", "--card", TINY, "--out", d / "theory.h5")
    run_pf("simulate", "--theory", d / "theory.h5", "--card", TINY, "--seed", 11, "--out", d / "events.h5")
    with h5py.File(d / "events.h5", "r") as f:
        ev = f["events"]
        acc = ev["accepted"][:].astype(bool)
        x, q2 = ev["x_rec"][:][acc], ev["q2_rec"][:][acc]
        xt, qt = ev["x_true"][:][acc], ev["q2_true"][:][acc]
        lumi = float(ev.attrs["luminosity_pb"])
    beams = yaml.safe_load(open(TINY))["kinematics"]["beams"]
    sqrt_s = float(np.sqrt(4.0 * beams["electron"] * beams["proton"]))  # massless beams (kinematics.h)
    # events outside the analysis cuts (Q2 below, x above) interleaved: prepare drops them
    rng = np.random.default_rng(3)
    pos = np.sort(rng.choice(x.size, 25, replace=False))
    xo = np.insert(x, pos, 0.999)
    qo = np.insert(q2, pos, 0.5)
    xto = np.insert(xt, pos, 0.5)
    qto = np.insert(qt, pos, 1.0)
    write_external(d / "external.h5", xo, qo, lumi, sqrt_s, x_true=xto, q2_true=qto, weight=np.ones(xo.size))
    return {"dir": d, "x": x, "q2": q2, "lumi": lumi, "sqrt_s": sqrt_s, "n": x.size}


def prep(d, events, out, *extra, check=True):
    return run_pf("prepare", "--theory", d / "theory.h5", "--events", events, "--card", TINY, "--out", out,
                  "--threads", 2, *extra, check=check)


def test_external_file_gives_the_same_likelihood_and_fit(sample):
    d = sample["dir"]
    r = prep(d, d / "external.h5", d / "like_ext.h5")
    assert f"{sample['n']} accepted of {sample['n'] + 25} events" in r.stdout, r.stdout
    prep(d, d / "events.h5", d / "like_sim.h5")
    with h5py.File(d / "like_ext.h5", "r") as fe, h5py.File(d / "like_sim.h5", "r") as fs:
        assert int(fe.attrs["n_events"]) == int(fs.attrs["n_events"]) == sample["n"]
        assert float(fe.attrs["luminosity_pb"]) == float(fs.attrs["luminosity_pb"])
        for name in ("events/stencil_base", "events/stencil_w", "events/stencil_local", "events/exact_index", "events/row_ptr",
                     "events/col", "events/val", "events/bin", "norm/c", "hist/H", "response/val"):
            if name in fs:
                assert np.array_equal(fe[name][:], fs[name][:]), name
        assert fe["events"].attrs["source"] == "external"
        assert fe["events"].attrs["producer"] == "toygen 0.1 (tests)"
        assert fs["events"].attrs["source"] == "partonflow simulate"
    for tag in ("ext", "sim"):
        run_pf("fit", "--likelihood", d / f"like_{tag}.h5", "--card", TINY, "--out", d / f"fit_{tag}.h5",
               "--threads", 2)
    with h5py.File(d / "fit_ext.h5", "r") as fe, h5py.File(d / "fit_sim.h5", "r") as fs:
        assert int(fe["fit"].attrs["converged"]) == 1
        te, ts, err = fe["fit/theta"][:], fs["fit/theta"][:], fs["fit/error"][:]
        np.testing.assert_allclose(te, ts, rtol=0, atol=1e-9 * np.max(np.abs(ts)))
        # and it is a sensible fit: within 3 sigma of the card's parameters
        truth = fe["fit/truth"][:]
        assert np.all(np.abs(te - truth) < 3 * err)


@pytest.mark.parametrize("case, message", [
    ("nan", "dataset /events/q2_rec row 7: expected Q2 in GeV^2"),
    ("x_above_one", "dataset /events/x_rec row 3: expected Bjorken x 0 .. 1, got 1.5"),
    ("units", "dataset /events/q2_rec: attribute units: expected 'GeV^2', got 'GeV'"),
    ("no_units", "dataset /events/q2_rec: no attribute 'units'"),
    ("lengths", "/events/q2_rec"),
    ("no_lumi", "luminosity_pb"),
    ("negative_lumi", "luminosity_pb"),
    ("sqrt_s", "attribute /events sqrt_s_gev: expected"),
    ("weights", "dataset /events/weight row 2: expected 1 (unweighted events"),
    ("no_producer", "producer and description"),
    ("version", "format_version"),
    ("format", "root attribute format: expected 'partonflow.events.external', got 'someone.else'"),
])
def test_bad_external_files_are_refused_without_output(sample, case, message, tmp_path):
    x, q2 = sample["x"][:50].copy(), sample["q2"][:50].copy()
    kw = dict(lumi=sample["lumi"], sqrt_s=sample["sqrt_s"])
    if case == "nan":
        q2[7] = np.nan
    elif case == "x_above_one":
        x[3] = 1.5
    elif case == "units":
        kw["q2_units"] = "GeV"
    elif case == "no_units":
        kw["q2_units"] = None
    elif case == "lengths":
        q2 = q2[:-1]
    elif case == "no_lumi":
        kw["lumi"] = None
    elif case == "negative_lumi":
        kw["lumi"] = -1.0
    elif case == "sqrt_s":
        kw["sqrt_s"] = sample["sqrt_s"] * 1.01
    elif case == "weights":
        w = np.ones(x.size)
        w[2] = 0.5
        kw["weight"] = w
    elif case == "no_producer":
        kw["producer"] = None
    elif case == "version":
        kw["version"] = 2
    elif case == "format":
        kw["fmt"] = "someone.else"
    path, out = tmp_path / "bad.h5", tmp_path / "like.h5"
    write_external(path, x, q2, **kw)
    r = prep(sample["dir"], path, out, check=False)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert message in r.stderr, r.stderr
    assert str(path) in r.stderr, r.stderr
    assert not out.exists() and not list(tmp_path.glob("like.h5*"))


def test_external_file_needs_the_card(sample):
    d = sample["dir"]
    r = run_pf("prepare", "--theory", d / "theory.h5", "--events", d / "external.h5", "--out", d / "nocard.h5",
               check=False)
    assert r.returncode == 2 and "external events carry no card" in r.stderr, r.stderr
    assert not (d / "nocard.h5").exists()


def test_the_same_inputs_in_two_places_give_the_same_checksum(sample, tmp_path):
    """likelihood.h5 records where theory.h5 was (/meta theory_path, for fit), but that
    location is outside the checksum: the same inputs prepared in two clones give the same
    checksum (issue 16 item 3), and fit still finds the theory from either."""
    d = sample["dir"]
    sums = []
    for k in (1, 2):
        w = tmp_path / f"clone{k}"
        w.mkdir()
        (w / "theory.h5").write_bytes((d / "theory.h5").read_bytes())
        run_pf("prepare", "--theory", w / "theory.h5", "--events", d / "events.h5", "--card", TINY,
               "--out", w / "like.h5", "--threads", 2)
        with h5py.File(w / "like.h5", "r") as f:
            assert f["meta"].attrs["theory_path"] == str((w / "theory.h5").resolve())
            assert "theory_path" not in f.attrs
            sums.append(int(f["meta"].attrs["checksum"]))
    assert sums[0] == sums[1]
    run_pf("fit", "--likelihood", tmp_path / "clone2" / "like.h5", "--card", TINY, "--out", tmp_path / "fit.h5")
