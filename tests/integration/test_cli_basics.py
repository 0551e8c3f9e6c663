"""The CLI's global behaviour: --help, --version, unknown commands."""
import pytest

from conftest import run_pf


def test_version_names_the_build_features():
    r = run_pf("--version")
    assert r.stdout.startswith("partonflow ")
    assert "MPI" in r.stdout and "OpenMP" in r.stdout and "CUDA" in r.stdout


def test_help_lists_commands_and_exits_zero():
    r = run_pf("--help")
    assert "usage: partonflow" in r.stdout


def test_unknown_command_is_a_usage_error():
    r = run_pf("no-such-command", check=False)
    assert r.returncode == 2
    assert "unknown command 'no-such-command'" in r.stderr


def test_no_command_is_a_usage_error():
    r = run_pf(check=False)
    assert r.returncode == 2


@pytest.mark.parametrize("cmd", ["theory", "evolve", "sf", "simulate", "prepare", "fit"])
@pytest.mark.parametrize("value", ["99999", "-1", "two", "1.5"])
def test_bad_threads_flag_is_a_usage_error_naming_the_flag(cmd, value):
    # Checked before any file is read, so no card or artefact is needed.
    r = run_pf(cmd, "--threads", value, check=False)
    assert r.returncode == 2, (cmd, value, r.returncode, r.stderr)
    assert "--threads" in r.stderr and value.lstrip("-") in r.stderr, r.stderr


@pytest.mark.parametrize("what", ["xsec", "simulate", "likelihood"])
def test_bench_rejects_absurd_thread_counts(what):
    r = run_pf("bench", what, "--threads", "99999", check=False)
    assert r.returncode == 2, (what, r.returncode, r.stderr)
    assert "--threads" in r.stderr, r.stderr
