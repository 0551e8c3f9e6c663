"""The Meson configuration finds the CUDA toolkit from nvcc itself (`nvcc --dryrun` prints
the TOP it runs from), so that an nvcc on PATH that is a wrapper script, as on the CI
machines (/usr/local/bin/nvcc exec'ing /usr/local/cuda-13.0/bin/nvcc), still links the
toolkit's static runtime and cuBLAS; and -Dcuda=disabled configures without nvcc.  Only
`meson setup` runs (a few seconds each), in temporary build folders."""
import os
import shutil
import subprocess

import pytest

from conftest import SOURCE_ROOT

REAL_NVCC = next((p for p in (shutil.which("nvcc"), "/usr/local/cuda/bin/nvcc")
                  if p and os.path.isfile(p) and os.access(p, os.X_OK)), None)
MESON = shutil.which("meson")
# no /usr/local/bin and no /usr/local/cuda/bin: only what the test puts first is on PATH
BASE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def meson_setup(builddir, path, *options):
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


def test_cuda_disabled_configures_cpu_only_without_looking_for_nvcc(tmp_path):
    r = meson_setup(tmp_path / "build", BASE_PATH, "-Dcuda=disabled")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Program nvcc found" not in r.stdout and "skipped: feature cuda disabled" in r.stdout, r.stdout
    assert cuda_summary(r.stdout) == "False"
