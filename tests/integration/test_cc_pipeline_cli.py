"""Charged-current DIS (W exchange) through the pipeline (issue 14 item 4).

configs/cards/eic-cc.yaml (18 x 275 GeV, Q2 100..1e4, 0.05 <= y <= 0.9, NNLO, e- at
P = -0.7) and configs/cards/eic-cc-ep.yaml (e+ at P = +0.3): theory.h5 holds W2, WL and xW3
of the card's charge, and the Born factor carries the W propagator; the grid path's
sigma_r,CC (`sf --theory`) equals the exact path's (`sf --process cc-e?`, no grid) to the
grid's interpolation accuracy; simulate's cross section (perfect detector) equals an
independent Gauss-Legendre quadrature of the exact CC cross section
(1 + s P) G_F^2 / (2 pi x) [mw^2/(mw^2 + Q2)]^2 sigma_r,CC written out here; the smeared
cards reconstruct with Jacquet-Blondel from the hadronic final state, and prepare and fit
close on 1e4 events of either beam; mismatched or impossible cards are refused."""
import math

import h5py
import numpy as np
import pytest

from conftest import SOURCE_ROOT, run_pf
from ewquad import gauss_legendre_sigma, sf_rows

CARDS = {"cc-em": SOURCE_ROOT / "configs/cards/eic-cc.yaml", "cc-ep": SOURCE_ROOT / "configs/cards/eic-cc-ep.yaml"}
POL = {"cc-em": (-1, -0.7), "cc-ep": (1, 0.3)}
S = 4 * 18.0 * 275.0
HBARC2_PB = 0.3893794e9
GF = 1.1663787e-5
MW = 80.377


def variant(tmp_path, key, name, perfect=False):
    text = CARDS[key].read_text()
    if perfect:
        text = "\n".join("detector: perfect" if l.startswith("detector:") else l for l in text.splitlines()) + "\n"
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.fixture(scope="module")
def beams(tmp_path_factory):
    d = tmp_path_factory.mktemp("cc")
    out = {}
    for key in CARDS:
        c = variant(d, key, f"{key}.yaml", perfect=True)
        t = d / f"{key}.h5"
        run_pf("theory", "--card", c, "--out", t)
        out[key] = (c, t)
    return d, out


POINTS = [("150", "0.01,0.1,0.5,0.7"), ("900", "0.06,0.1,0.5,0.7"), ("3000,8000", "0.5,0.7")]


def test_cc_theory_holds_w_and_the_grid_sigma_r_is_the_exact_one(beams):
    d, b = beams
    worst = {}
    for key, (c, t) in b.items():
        with h5py.File(t) as f:
            assert f["/ops/K_F3"].shape == f["/ops/K_F2"].shape
            assert "charged current" in f["/ops"].attrs["electroweak_pieces"]
            assert "/ops/K_F2_gZ" not in f
        worst[key] = 0.0
        for q2, x in POINTS:
            g = sf_rows("--card", c, "--theory", t, "--q2", q2, "--x", x, "--process", key)
            e = sf_rows("--card", c, "--q2", q2, "--x", x, "--process", key)
            assert len(g) == len(e) > 0
            for rg, re_ in zip(g, e):
                assert list(rg) == ["q2", "x", "y", "sigma_r"]
                # sigma_r,CC = (Y+ W2 -+ Y- xW3 - y^2 WL) / 2 of the exact columns (upper sign e+)
                y = float(re_["y"])
                yp, ym = 1 + (1 - y) ** 2, 1 - (1 - y) ** 2
                sgn = 1 if key == "cc-ep" else -1
                want = 0.5 * (yp * float(re_["F2"]) - sgn * ym * float(re_["xF3"]) - y * y * float(re_["FL"]))
                assert float(re_["sigma_r"]) == pytest.approx(want, rel=1e-9)
                # relative to the largest of the three terms: at high y the e+ p terms cancel
                # (x [ubar + (1-y)^2 (d + s)]: at Q2 = 8000, x = 0.5, y = 0.81 sigma_r is
                # 1/30 of Y+ W2 / 2, and the grid's 1e-5 of each term is 3.5e-4 of sigma_r)
                scale = 0.5 * max(yp * abs(float(re_["F2"])), ym * abs(float(re_["xF3"])), y * y * abs(float(re_["FL"])))
                worst[key] = max(worst[key], abs(float(rg["sigma_r"]) - float(re_["sigma_r"])) / scale)
    print("CC max |grid - exact| / largest term:", worst)
    # measured 1.2e-5 for both beams on the cards' 56 x 48 grid
    assert worst["cc-em"] < 1e-4 and worst["cc-ep"] < 1e-4


def cc_sigma(card, proc):
    """sigma (pb) over the cuts of eic-cc.yaml (perfect detector) of the exact CC cross section
    (1 + s P) G_F^2 / (2 pi x) [mw^2 / (mw^2 + Q2)]^2 sigma_r,CC"""
    charge, pol = POL[proc]

    def d2(x, q2, y, sr):
        prop = MW * MW / (MW * MW + q2)
        return HBARC2_PB * (1 + charge * pol) * GF * GF / (2 * math.pi * x) * prop * prop * sr
    return gauss_legendre_sigma(card, proc, S, (100.0, 1e4, 1e-3, 0.9, 0.05, 0.9, 10.0), d2)


def test_simulated_cross_section_is_the_exact_cc_cross_section(beams):
    d, b = beams
    sig, ref = {}, {}
    for key, (c, t) in b.items():
        out = d / f"ev_{key}.h5"
        run_pf("simulate", "--theory", t, "--card", c, "--events", 20000, "--seed", 7, "--out", out)
        with h5py.File(out) as f:
            a = f["events"].attrs
            sig[key] = (float(a["cross_section_pb"]), float(a["cross_section_mc_pb"]))
        ref[key] = cc_sigma(c, key)
    print("CC sigma (pb): simulate", sig, "quadrature of the exact cross section", ref)
    for k in ref:
        assert sig[k][0] == pytest.approx(ref[k], rel=1e-4)
        assert sig[k][1] == pytest.approx(ref[k], rel=0.02)
    # e- p (u valence) is well above e+ p (d valence, suppressed by (1-y)^2), and the
    # polarisations weigh 1.7 and 1.3
    assert sig["cc-em"][0] > 2 * sig["cc-ep"][0]


@pytest.mark.parametrize("key", ["cc-em", "cc-ep"])
def test_closure_of_jacquet_blondel_events_for_each_beam(tmp_path, key):
    c = CARDS[key]
    t, ev, lk, fo = (tmp_path / n for n in ("theory.h5", "ev.h5", "lk.h5", "fit.h5"))
    run_pf("theory", "--card", c, "--out", t)
    run_pf("simulate", "--theory", t, "--card", c, "--seed", 11, "--out", ev)
    run_pf("prepare", "--theory", t, "--events", ev, "--card", c, "--out", lk)
    run_pf("fit", "--likelihood", lk, "--card", c, "--out", fo)
    with h5py.File(ev) as f:
        e = f["events"]
        assert "Jacquet-Blondel" in e.attrs["theta_convention"]
        acc = e["accepted"][:].astype(bool)
        # migrations through the hadronic resolution: measured 4.2 % (e-) and 5.0 % (e+) of
        # the accepted events have their true point outside the cuts
        xt, qt = e["x_true"][:][acc], e["q2_true"][:][acc]
        yt = qt / (xt * S)
        outside = (qt < 100) | (qt > 1e4) | (xt < 1e-3) | (xt > 0.9) | (yt < 0.05) | (yt > 0.9)
        print(key, "accepted", acc.sum(), "true point outside the cuts", outside.mean())
        assert outside.mean() > 0.02
    with h5py.File(fo) as f:
        g = f["fit"]
        assert int(g.attrs["converged"]) == 1
        pull = g["pull"][:]
        print(key, "pulls", pull)
        assert np.all(np.abs(pull) < 3), pull


def test_mismatched_and_impossible_cc_cards_are_refused(tmp_path):
    c = variant(tmp_path, "cc-em", "em.yaml")
    t = tmp_path / "t.h5"
    run_pf("theory", "--card", c, "--out", t)
    text = c.read_text()
    others = {
        "ep.yaml": (text.replace("charge: -1,", "charge: 1,"), "kinematics.lepton.charge: +1 here, -1 there"),
        "nc.yaml": ("\n".join("detector: {efficiency: 1.0}" if l.startswith("detector:") else l
                               for l in text.replace("process: cc", "process: nc").splitlines()) + "\n",
                    "kinematics.process: nc here, cc there"),
    }
    for name, (body, msg) in others.items():
        o = tmp_path / name
        o.write_text(body)
        r = run_pf("simulate", "--theory", t, "--card", o, "--seed", 3, "--out", tmp_path / "e2.h5", check=False)
        assert r.returncode == 2 and msg in r.stderr, (name, r.stderr)
        assert not (tmp_path / "e2.h5").exists()
    # a right-handed electron beam has no charged current
    o = tmp_path / "rh.yaml"
    o.write_text(text.replace("polarisation: -0.7", "polarisation: 1"))
    r = run_pf("theory", "--card", o, "--out", tmp_path / "t2.h5", check=False)
    assert r.returncode == 2 and "kinematics.lepton.polarisation 1 with charge -1" in r.stderr, r.stderr
    assert not (tmp_path / "t2.h5").exists()
    # the hadronic resolution belongs to charged-current cards
    nc = tmp_path / "nchad.yaml"
    nc.write_text(text.replace("process: cc", "process: nc"))
    r = run_pf("theory", "--card", nc, "--out", tmp_path / "t3.h5", check=False)
    assert r.returncode == 2 and "key 'detector.hadronic'" in r.stderr and "kinematics.process cc" in r.stderr
