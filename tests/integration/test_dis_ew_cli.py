"""Electroweak DIS through the CLI (issue 14 item 3): `partonflow sf --process`.

em (the default) prints exactly what `sf` printed before; nc-em, nc-ep, cc-em and cc-ep print
q2,x,y,F2,FL,xF3,sigma_r.  At LO the CC reduced cross sections equal the HERA parton-model
formulas (arXiv:1506.06042 section 2) applied to the columns of `partonflow evolve`;
the polarisation comes from the card (NC sigma_r depends on it, CC sigma_r does not); bad
values of --process and bad electroweak keys exit 2 with a message that names them."""
import csv
import io

import pytest

from conftest import run_pf

CARD = """\
theory:
  order: {order}
  scheme: VFNS
  mu0: 1.4142135623730951
  alphas: {{value: 0.35, mu: 1.4142135623730951}}
  masses: {{charm: 1.4142135623730951, bottom: 4.5, top: 175.0}}
pdf:
  preset: lha-toy
kinematics:
  beams: {{electron: 27.6, proton: 920}}
  cuts: {{q2_min: 1, q2_max: 1e5, x_min: 1e-5, x_max: 1}}
{extra}"""
Q2 = "10,150,3000,20000"
X = "0.25,0.4,0.7"
EW_COLUMNS = ["q2", "x", "y", "F2", "FL", "xF3", "sigma_r"]


def rows(text):
    r = list(csv.DictReader(io.StringIO(text)))
    assert r, text
    return r


def card(tmp_path, order="LO", extra="", name="ew.yaml"):
    p = tmp_path / name
    p.write_text(CARD.format(order=order, extra=extra))
    return p


def sf(c, *args, **kw):
    return run_pf("sf", "--card", c, "--q2", Q2, "--x", X, *args, **kw)


def test_em_default_is_unchanged_and_ew_processes_print_their_columns(tmp_path):
    c = card(tmp_path, order="NLO")
    default = sf(c).stdout
    assert default.splitlines()[0] == "q2,x,F2,FL"
    assert sf(c, "--process", "em").stdout == default
    for proc in ["nc-em", "nc-ep", "cc-em", "cc-ep"]:
        out = sf(c, "--process", proc).stdout
        assert out.splitlines()[0] == ",".join(EW_COLUMNS)
        r = rows(out)
        assert len(r) == 4 * 3
        for row in r:
            q2, x, y = float(row["q2"]), float(row["x"]), float(row["y"])
            assert abs(y - q2 / (x * 4 * 27.6 * 920)) <= 1e-9 * y
            assert float(row["sigma_r"]) > 0


def test_lo_cc_sigma_r_equals_hera_parton_model_of_evolve(tmp_path):
    c = card(tmp_path)
    ev = rows(run_pf("evolve", "--card", c, "--q2", Q2, "--x", X).stdout)
    for proc, charge in [("cc-em", -1), ("cc-ep", +1)]:
        for a, b in zip(rows(sf(c, "--process", proc).stdout), ev):
            assert float(a["q2"]) == float(b["q2"]) and float(a["x"]) == float(b["x"])
            y = float(a["y"])
            f = {k: float(v) for k, v in b.items()}
            # unit quark mixing, b -> t closed below the top threshold (no b, bbar)
            if charge < 0:
                want = f["u"] + f["c"] + (1 - y) ** 2 * (f["dbar"] + f["sbar"])
            else:
                want = f["ubar"] + f["cbar"] + (1 - y) ** 2 * (f["d"] + f["s"])
            assert abs(float(a["sigma_r"]) - want) <= 1e-8 * abs(want), (proc, a, want)
            assert float(a["FL"]) == 0.0


def test_polarisation_from_the_card(tmp_path):
    out = {}
    for p in ["-1", "0", "1"]:
        c = card(tmp_path, extra=f"  lepton: {{charge: -1, polarisation: {p}}}\n", name=f"p{p}.yaml")
        out[p] = {proc: rows(sf(c, "--process", proc).stdout) for proc in ["nc-em", "cc-em"]}
    for i, row in enumerate(out["0"]["nc-em"]):
        # the polarisation moves NC e-p only where the Z matters
        if float(row["q2"]) >= 3000:
            assert float(out["-1"]["nc-em"][i]["sigma_r"]) > float(row["sigma_r"]) > float(out["1"]["nc-em"][i]["sigma_r"])
    # CC: (1 -+ P) multiplies the cross section, not sigma_r (docs/physics-ew.md)
    assert out["-1"]["cc-em"] == out["0"]["cc-em"] == out["1"]["cc-em"]


def test_bad_process_and_bad_electroweak_keys_exit_2(tmp_path):
    c = card(tmp_path)
    r = sf(c, "--process", "nc", check=False)
    assert r.returncode == 2
    assert "--process: expected em, nc-em, nc-ep, cc-em or cc-ep, got 'nc'" in r.stderr
    # the grid path: --process must be the process of theory.h5 (test_cc_pipeline_cli.py for CC)
    th = card(tmp_path, extra="", name="th.yaml")
    th.write_text(th.read_text().replace("q2_min: 1,", "q2_min: 4,"))
    run_pf("theory", "--card", th, "--out", tmp_path / "theory.h5")
    r = sf(th, "--process", "cc-ep", "--theory", tmp_path / "theory.h5", check=False)
    assert r.returncode == 2 and "holds photon exchange: expected --process em with it (got cc-ep)" in r.stderr
    bad = card(tmp_path, extra="electroweak: {mz: 91.1876, mw: 80.377, sw2: 0.23}\n", name="bad.yaml")
    r = sf(bad, "--process", "nc-ep", check=False)
    assert r.returncode == 2
    assert "bad.yaml:12: unknown key 'electroweak.sw2'; expected one of: mz, mw, sin2_theta_w, ckm" in r.stderr
    bad = card(tmp_path, extra="  lepton: {charge: 0}\n", name="charge.yaml")
    r = sf(bad, "--process", "nc-ep", check=False)
    assert r.returncode == 2 and "key 'kinematics.lepton.charge': expected -1 (electron) or +1" in r.stderr
    # y > 1 for the beams
    r = run_pf("sf", "--card", c, "--q2", "20000", "--x", "0.01", "--process", "cc-ep", check=False)
    assert r.returncode == 2 and "y = Q2/(x s)" in r.stderr


def test_ew_process_needs_beams_and_nnlo_moves_nc_and_cc_by_percents(tmp_path):
    p = tmp_path / "nobeams.yaml"
    p.write_text(CARD.format(order="LO", extra="").split("kinematics:")[0])
    r = sf(p, "--process", "nc-em", check=False)
    assert r.returncode == 2 and "kinematics.beams" in r.stderr
    p = tmp_path / "nnlo.yaml"
    p.write_text(CARD.format(order="NNLO\n  nnlo: parametrised", extra=""))
    assert sf(p).returncode == 0  # photon exchange at NNLO as before
    nlo = card(tmp_path, order="NLO", name="nlo.yaml")
    q2 = "100,1000,10000"
    x = "0.15,0.3,0.5"
    for proc in ["nc-em", "nc-ep", "cc-em", "cc-ep"]:
        a = rows(run_pf("sf", "--card", p, "--q2", q2, "--x", x, "--process", proc).stdout)
        b = rows(run_pf("sf", "--card", nlo, "--q2", q2, "--x", x, "--process", proc).stdout)
        assert len(a) == len(b) == 9
        for ra, rb in zip(a, b):
            for k in ["F2", "xF3", "sigma_r"]:
                va, vb = float(ra[k]), float(rb[k])
                assert va == va and abs(va) < 1e30  # finite
                # NNLO moves F2, xF3 by percents here (measured: at most 2.9%, xF3 at Q2 = 100, x = 0.3)
                assert 0 < abs(va / vb - 1) < 0.05, (proc, k, ra, rb)
            assert float(ra["FL"]) != float(rb["FL"])
    # a CC card at NNLO (W exchange with both crossing parities at a_s^2, docs/physics-ew.md)
    r = sf(card(tmp_path, order="NNLO\n  nnlo: parametrised", extra="  process: cc\n", name="cc.yaml"))
    assert r.returncode == 0 and rows(r.stdout)
