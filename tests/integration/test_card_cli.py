"""`partonflow card check`: a valid card prints its resolved YAML (a fixed point that
PyYAML reads back to the same values) and exits 0; a bad card exits 2 with a message that
names the file, the line and the key."""
import yaml

from conftest import run_pf

GOOD = """\
theory:
  order: NLO
  scheme: VFNS
  mu0: 1.4142135623730951
  alphas: {value: 0.35, mu: 1.4142135623730951}
  masses: {charm: 1.4142135623730951, bottom: 4.5, top: 175.0}
  mellin_nodes: 64
pdf:
  flavours:
    uv:   {A: valence,  a: 0.7,   b: 3.2, poly: [1, 0, 1.5]}
    dv:   {A: valence,  a: 0.75,  b: 4.1}
    ubar: {A: 0.15,     a: -0.15, b: 7.0}
    dbar: {A: 0.18,     a: -0.15, b: 7.5}
    s:    {A: 0.1,      a: -0.15, b: 8.0}
    sbar: {same_as: s}
    g:    {A: momentum, a: -0.2,  b: 5.0, poly: [1, 0, 2]}
kinematics:
  beams: {electron: 10.0, proton: 100.0}
  cuts: {q2_min: 4.0, q2_max: 1000.0, x_min: 1.0e-3, x_max: 0.9}
simulation: {events: 1000, seed: 12345}
"""


def test_good_card_prints_resolved_yaml_with_defaults(tmp_path):
    card = tmp_path / "good.yaml"
    card.write_text(GOOD)
    r = run_pf("card", "check", card)
    assert r.returncode == 0 and r.stderr == ""
    doc = yaml.safe_load(r.stdout)
    assert doc["version"] == 1
    th = doc["theory"]
    assert th["order"] == "NLO" and th["scheme"] == "VFNS"
    assert th["xi_r"] == 1.0 and th["evolution"] == "exact"  # defaults written out
    assert th["masses"] == {"charm": 2 ** 0.5, "bottom": 4.5, "top": 175.0}
    assert doc["pdf"]["flavours"]["dv"]["poly"] == [1.0]
    assert doc["pdf"]["flavours"]["sbar"] == {"same_as": "s"}
    cuts = doc["kinematics"]["cuts"]
    assert cuts["y_min"] == 0.0 and cuts["y_max"] == 1.0 and cuts["w2_min"] == 0.0
    assert abs(doc["kinematics"]["alpha_em"] - 1 / 137.036) < 1e-18
    assert doc["simulation"] == {"events": 1000, "seed": 12345}
    # the resolved card is itself a valid card that resolves to the same text
    again = tmp_path / "resolved.yaml"
    again.write_text(r.stdout)
    assert run_pf("card", "check", again).stdout == r.stdout


def test_bad_card_exits_2_naming_file_line_and_key(tmp_path):
    card = tmp_path / "bad.yaml"
    card.write_text(GOOD.replace("b: 4.1", "b: -2"))
    r = run_pf("card", "check", card, check=False)
    assert r.returncode == 2 and r.stdout == ""
    assert f"{card}:11: key 'pdf.flavours.dv.b': expected b > -1" in r.stderr


def test_missing_card_file_exits_2(tmp_path):
    r = run_pf("card", "check", tmp_path / "nope.yaml", check=False)
    assert r.returncode == 2
    assert "nope.yaml: cannot open the card" in r.stderr
    # a folder opens but cannot be read: the message says why
    r = run_pf("card", "check", tmp_path, check=False)
    assert r.returncode == 2 and f"{tmp_path}: cannot read the card: Is a directory" in r.stderr
    # a binary file (an HDF5 artefact given by mistake) is a YAML error naming the file
    junk = tmp_path / "theory.h5"
    junk.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(256)))
    r = run_pf("card", "check", junk, check=False)
    assert r.returncode == 2 and f"{junk}:" in r.stderr and "YAML" in r.stderr


def test_help_and_usage_errors():
    r = run_pf("card", "--help")
    assert r.returncode == 0 and "usage: partonflow card check CARD" in r.stdout
    assert run_pf("card", "check", "--help").returncode == 0
    assert "card" in run_pf("--help").stdout
    r = run_pf("card", "frobnicate", check=False)
    assert r.returncode == 2 and "unknown action 'frobnicate'" in r.stderr
    assert run_pf("card", "check", check=False).returncode == 2
