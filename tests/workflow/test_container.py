"""The Apptainer definition cannot be built here (no Apptainer in Debian 12), so this test
checks what can be checked without building it: that containers/partonflow.def installs
with the one dependency script and builds and tests with the same commands as CI
(.ci/run -> tools/setup.sh), and that the workflow names the image."""
import re

import yaml

from conftest import SOURCE_ROOT

DEF = SOURCE_ROOT / "containers" / "partonflow.def"


def sections(text):
    """{'header': ..., 'post': ..., 'test': ...}: the %sections of an Apptainer definition,
    comments dropped."""
    out, name = {"header": []}, "header"
    for line in text.splitlines():
        m = re.match(r"^%(\w+)", line)
        if m:
            name = m.group(1)
            out[name] = []
            continue
        line = line.split("#", 1)[0].strip()
        if line:
            out[name].append(line)
    return out


def commands(path):
    return [l.split("#", 1)[0].strip() for l in path.read_text().splitlines() if l.split("#", 1)[0].strip()]


def test_definition_bootstraps_from_debian_12():
    s = sections(DEF.read_text())
    assert "Bootstrap: docker" in s["header"]
    assert "From: debian:bookworm" in s["header"]
    assert any(l.startswith(". /opt/partonflow") for l in s["files"])
    assert s["runscript"] == ['exec partonflow "$@"']


def test_definition_uses_the_ci_install_and_build_commands():
    post = sections(DEF.read_text())["post"]
    ci = commands(SOURCE_ROOT / ".ci" / "run")
    setup = commands(SOURCE_ROOT / "tools" / "setup.sh")
    # the one dependency script, called by the image, by CI's setup script
    assert "bash containers/install-deps.sh" in post
    assert "bash containers/install-deps.sh" in setup
    # CI builds with tools/setup.sh (meson setup build + meson compile -C build); so does the image
    assert any(l.startswith("bash tools/setup.sh") for l in ci)
    assert any(l.startswith("bash tools/setup.sh") for l in post)
    assert any(l.startswith("meson setup build") for l in setup)
    assert any("meson compile -C build" in l for l in setup)
    assert "meson install -C build" in post
    # the image's %test runs CI's test command
    ci_test = re.search(r"meson test -C build --no-suite campaign", "\n".join(ci))
    assert ci_test, "the test command of .ci/run changed; update containers/partonflow.def %test"
    assert any(ci_test.group(0) in l for l in sections(DEF.read_text())["test"])


def test_install_script_lists_what_the_workflow_needs():
    text = (SOURCE_ROOT / "containers" / "install-deps.sh").read_text()
    for pkg in ("snakemake", "python3-h5py", "python3-matplotlib", "python3-jsonschema", "python3-yaml",
                "python3-pytest", "graphviz", "openmpi-bin"):
        assert re.search(rf"(^|\s){re.escape(pkg)}(\s|$)", text, re.M), pkg


def test_workflow_names_the_image():
    cfg = yaml.safe_load((SOURCE_ROOT / "configs" / "default.yaml").read_text())
    schema = yaml.safe_load((SOURCE_ROOT / "configs" / "schema.yaml").read_text())
    assert cfg["container"] == "containers/partonflow.sif"
    assert schema["properties"]["container"]["default"] == "containers/partonflow.sif"
    assert re.search(r'^container: config\["container"\]$', (SOURCE_ROOT / "Snakefile").read_text(), re.M)
