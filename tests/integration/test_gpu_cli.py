"""The CLI's CUDA paths where there may be no GPU (docs/gpu.md): `bench gpu` either runs
(a device is present) or fails cleanly with "no CUDA device"; `--device` is validated and
`--device cuda` without a device fails with the documented message."""
import json


def has_device(pf):
    """True when this build has CUDA and a device is present (bench gpu runs)."""
    r = pf("bench", "gpu", "--events", "2000", "--repeats", "1", "--warmup", "0", "--json", check=False)
    if r.returncode == 0:
        return True
    assert r.returncode == 1, r.stderr
    assert "partonflow bench gpu: no CUDA device" in r.stderr
    return False


def test_bench_gpu_runs_or_says_no_cuda_device(pf):
    r = pf("bench", "gpu", "--events", "2000", "--repeats", "1", "--warmup", "0", "--json", check=False)
    if r.returncode == 0:
        rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        names = {row["name"] for row in rows}
        assert {"gpu_lnl_fp64", "gpu_lnl_grad_fp64", "gpu_lnl_grad_fp32"} <= names
        for row in rows:
            if row["name"] in ("gpu_lnl_fp64", "gpu_lnl_grad_fp64"):
                assert row["accuracy"] < 1e-12
    else:
        assert r.returncode == 1
        assert r.stderr.strip().startswith("partonflow bench gpu: no CUDA device")
        assert r.stdout == ""


def test_bench_gpu_rejects_bad_event_counts(pf):
    r = pf("bench", "gpu", "--events", "0", check=False)
    assert r.returncode == 2
    assert "--events: item 1 is 0, expected 1 .. 4e9" in r.stderr


def test_fit_device_option_is_validated_and_cuda_needs_a_device(pf, tmp_path):
    # --device is checked before any file is read
    out = tmp_path / "fit.h5"
    r = pf("fit", "--likelihood", tmp_path / "missing.h5", "--card", tmp_path / "missing.yaml", "--out", out,
           "--device", "gpu", check=False)
    assert r.returncode == 2
    assert "--device: expected cpu or cuda, got 'gpu'" in r.stderr
    if not has_device(pf):
        r = pf("fit", "--likelihood", tmp_path / "missing.h5", "--card", tmp_path / "missing.yaml", "--out", out,
               "--device", "cuda", check=False)
        assert r.returncode == 1
        assert ("--device cuda: no CUDA device" in r.stderr or "--device cuda: this build has no CUDA" in r.stderr)
    assert not out.exists()


def test_bench_likelihood_device_option(pf):
    r = pf("bench", "likelihood", "--device", "tpu", check=False)
    assert r.returncode == 2
    assert "--device: expected cpu or cuda, got 'tpu'" in r.stderr
    if not has_device(pf):
        r = pf("bench", "likelihood", "--device", "cuda", check=False)
        assert r.returncode == 1
        assert "--device cuda:" in r.stderr
