"""Usage: /usr/bin/python3 tools/float32_weights.py likelihood.h5 card.yaml TAG

Issue 12 item 7: float32 storage of the per-event weights, float64 accumulation.
Rounds the stored weights of a likelihood.h5 (or, for the response operator's compact
stencil rows, their local coordinates and factors) to float32 (kept as float64 in the file, so
the engine's float64 pass sees exactly the float32 values), re-seals it, and compares
ln L, its gradient and the fit with the original."""
import os, sys, subprocess
from pathlib import Path
import h5py, numpy as np
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests/integration")); sys.path.insert(0, str(ROOT / "build/python"))
from artefact_edit import edited, replace
import partonflow as pf

if len(sys.argv) != 4:
    sys.exit("usage: tools/float32_weights.py likelihood.h5 card.yaml TAG  (writes TAG_f32.h5 and two fit.h5 here)")
src, card, tag = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
def to32(f):
    for name in ("events/stencil_w", "events/stencil_local", "events/val"):
        if name in f:
            a = f[name][:]
            replace(f, name, a.astype(np.float32).astype(np.float64))
dst = edited(src, Path(f"{tag}_f32.h5"), to32)
PF = os.environ.get("PARTONFLOW", str(ROOT / "build/partonflow"))
for p in (src, dst):
    subprocess.run([PF, "fit", "--likelihood", str(p), "--card", card, "--out", f"{tag}_{'f32' if p == dst else 'f64'}_fit.h5", "--threads", "2"], check=True, capture_output=True)
a, b = pf.Likelihood(str(src)), pf.Likelihood(str(dst))
t = np.array(a.truth, float)
la, ga = a.value_and_grad(t); lb, gb = b.value_and_grad(t)
print(f"{tag}: ln L at truth: {la:.6f} vs {lb:.6f} (shift {lb - la:.3e}); max |grad shift| / max |grad| = {np.max(np.abs(gb - ga)) / np.max(np.abs(ga)):.2e}")
with h5py.File(f"{tag}_f64_fit.h5") as f, h5py.File(f"{tag}_f32_fit.h5") as g:
    d = (g["fit/theta"][:] - f["fit/theta"][:]) / f["fit/error"][:]
    print(f"{tag}: fitted parameters shift / error: max {np.max(np.abs(d)):.2e} ({', '.join(f'{x:+.1e}' for x in d)})")
