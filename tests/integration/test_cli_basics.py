"""The CLI's global behaviour: --help, --version, unknown commands."""
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
