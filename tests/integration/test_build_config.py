"""The Meson configuration finds the CUDA toolkit from nvcc itself (`nvcc --dryrun` prints
the TOP it runs from), so that an nvcc on PATH that is a wrapper script, as on the CI
machines (/usr/local/bin/nvcc exec'ing /usr/local/cuda-13.0/bin/nvcc), still links the
toolkit's static runtime and cuBLAS from the toolkit nvcc runs from; an nvcc that fails
builds CPU-only with a warning (cuda=auto) or stops with an error (cuda=enabled); and
-Dcuda=disabled configures without nvcc.  Only `meson setup` runs (a few seconds each), in
temporary build folders."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import SOURCE_ROOT

REAL_NVCC = next((p for p in (shutil.which("nvcc"), "/usr/local/cuda/bin/nvcc")
                  if p and os.path.isfile(p) and os.access(p, os.X_OK)), None)
MESON = shutil.which("meson")
# no /usr/local/bin and no /usr/local/cuda/bin: only what the test puts first is on PATH
# (plus wherever this machine's ninja lives, for a ninja installed outside /usr/bin)
BASE_PATH = ":".join(dict.fromkeys(["/usr/sbin", "/usr/bin", "/sbin", "/bin"] +
                                   [os.path.dirname(p) for p in (shutil.which("ninja"),) if p]))


def meson_setup(builddir, path, *options):
    if not MESON:
        pytest.skip("meson is not on PATH")
    env = dict(os.environ, PATH=path)
    return subprocess.run([MESON, "setup", str(builddir), str(SOURCE_ROOT), *options], capture_output=True,
                          text=True, env=env, timeout=600)


def cuda_summary(out):
    lines = [line.split(":", 1)[1].strip() for line in out.splitlines() if "CUDA (nvcc):" in line]
    assert len(lines) == 1, out
    return lines[0]


def test_a_wrapper_nvcc_on_path_finds_the_toolkit_libraries(tmp_path):
    if not REAL_NVCC:
        pytest.skip("no nvcc on this machine")
    wrapper = tmp_path / "bin" / "nvcc"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {REAL_NVCC} "$@"\n')
    wrapper.chmod(0o755)
    r = meson_setup(tmp_path / "build", f"{wrapper.parent}:{BASE_PATH}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"Program nvcc found: YES ({wrapper})" in r.stdout, r.stdout
    assert "Library cudart_static found: YES" in r.stdout and "Library cublas found: YES" in r.stdout, r.stdout
    assert cuda_summary(r.stdout) == "True"
    # the libraries come from the toolkit the wrapper runs (nvcc --dryrun's TOP), not from
    # a fallback next to the wrapper or in /usr/local/cuda
    m = re.search(r"Message: CUDA toolkit libraries: (.*) \(from (.*)\)", r.stdout)
    assert m and m.group(2) == "nvcc --dryrun", r.stdout
    top = os.path.realpath(os.path.join(os.path.dirname(os.path.realpath(REAL_NVCC)), ".."))
    assert all(os.path.realpath(d).startswith(top + os.sep) for d in m.group(1).split()), (m.group(1), top)


def test_a_failing_nvcc_builds_cpu_only_on_auto_and_stops_on_enabled(tmp_path):
    broken = tmp_path / "bin" / "nvcc"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\necho 'nvcc: broken' >&2\nexit 3\n")
    broken.chmod(0o755)
    path = f"{broken.parent}:{BASE_PATH}"
    r = meson_setup(tmp_path / "auto", path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"WARNING: nvcc {broken}: `nvcc --dryrun` exited 3: building CPU-only" in r.stdout, r.stdout
    assert cuda_summary(r.stdout) == "False"
    r = meson_setup(tmp_path / "enabled", path, "-Dcuda=enabled")
    assert r.returncode != 0
    assert f"ERROR: Problem encountered: cuda: nvcc {broken}: `nvcc --dryrun` exited 3" in r.stdout + r.stderr


def test_cuda_disabled_configures_cpu_only_without_looking_for_nvcc(tmp_path):
    r = meson_setup(tmp_path / "build", BASE_PATH, "-Dcuda=disabled")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Program nvcc found" not in r.stdout and "skipped: feature cuda disabled" in r.stdout, r.stdout
    assert cuda_summary(r.stdout) == "False"
