"""Reading partonflow artefacts for the report (h5py + numpy only).

The report scripts never guess: every dataset they need is looked up under the names the
stages document (docs/artefacts.md), and a missing one stops the script with a message
that names the file, the dataset paths looked for and what it was needed for.  Several
candidate paths are accepted where the layout was still settling when the workflow was
written; the first one listed is the documented name.
"""
import math
import sys

import h5py
import numpy as np


class ArtefactError(RuntimeError):
    """An artefact lacks what the report needs; str() is the user-facing message."""


def warn(message):
    print(f"report: warning: {message}", file=sys.stderr)


def fail(message):
    print(f"report: error: {message}", file=sys.stderr)
    sys.exit(2)


def open_h5(path, schema=None):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ArtefactError(f"{path}: cannot open as HDF5 ({e})") from None
    if schema is not None:
        meta = f.get("meta")
        got = meta.attrs.get("schema") if meta is not None else None
        if isinstance(got, bytes):
            got = got.decode()
        if got is not None and got != schema:
            raise ArtefactError(f"{path}: /meta schema is '{got}', expected '{schema}'")
    return f


def has(f, *paths):
    return any(p in f for p in paths)


def which(f, paths):
    """The first of `paths` present in `f`, or None."""
    return next((p for p in paths if p in f), None)


def dataset(f, paths, purpose, dtype=float):
    """The first of `paths` present in `f`, as a numpy array; ArtefactError otherwise."""
    if isinstance(paths, str):
        paths = [paths]
    for p in paths:
        if p in f and isinstance(f[p], h5py.Dataset):
            a = f[p][()]
            if dtype is str:
                return [x.decode() if isinstance(x, bytes) else str(x) for x in np.atleast_1d(a)]
            return np.asarray(a, dtype=dtype)
    raise ArtefactError(
        f"{f.filename}: no dataset {' or '.join(repr('/' + p.lstrip('/')) for p in paths)} "
        f"(needed for {purpose}); is it an artefact of this partonflow version?")


def attr(f, objs, names, default=None, required_for=None):
    """Attribute `name` on the first object of `objs` that has one of `names`."""
    for o in objs:
        if o in f:
            for n in names:
                if n in f[o].attrs:
                    v = f[o].attrs[n]
                    if isinstance(v, bytes):
                        v = v.decode()
                    if isinstance(v, np.ndarray) and v.size == 1:
                        v = v.reshape(()).item()
                    return v
    if required_for is not None:
        raise ArtefactError(f"{f.filename}: no attribute {'/'.join(names)} on {', '.join(objs)} "
                            f"(needed for {required_for})")
    return default


# --- fit.h5 -----------------------------------------------------------------------------

FIT_NAMES = ["fit/names", "fit/param_names", "params/names"]   # or attribute `parameters` on /fit
FIT_VALUES = ["fit/theta", "fit/values", "fit/best", "params/value"]
FIT_ERRORS = ["fit/error", "fit/errors", "params/error"]
FIT_TRUTH = ["fit/truth", "params/truth"]
FIT_PULLS = ["fit/pull", "closure/pulls"]
HIST_X_EDGES = ["histogram/x_edges", "histogram/logx_edges", "hist/x_edges"]
HIST_Q2_EDGES = ["histogram/q2_edges", "histogram/logq2_edges", "hist/q2_edges"]
HIST_OBS = ["hist/observed", "histogram/observed", "hist/counts", "histogram/counts"]
HIST_EXP = ["hist/expected", "histogram/expected", "hist/predicted", "histogram/predicted"]
FIT_G = ["fit/G", "fit/grid_values", "grid/G"]     # G(theta) at the best fit, for L * H . G


def read_fit(path):
    """Parameters, errors, truth, closure metrics of a fit.h5 as a dict (layout of
    engine/apps/cmd_fit.c: /fit/theta, error, truth, pull; attributes parameters,
    converged, lnl, mse, method, replica on /fit)."""
    with open_h5(path, "partonflow.fit") as f:
        d = {"path": str(path)}
        names = attr(f, ["fit"], ["parameters"])
        if isinstance(names, str):
            d["names"] = [n.strip() for n in names.split(",") if n.strip()]
        else:
            d["names"] = dataset(f, FIT_NAMES, "the parameter names (attribute 'parameters' on /fit)", dtype=str)
        d["values"] = dataset(f, FIT_VALUES, "the fitted parameters")
        d["errors"] = dataset(f, FIT_ERRORS, "the parameter errors")
        d["truth"] = dataset(f, FIT_TRUTH, "the true parameters (pulls)")
        n = len(d["names"])
        for k in ("values", "errors", "truth"):
            if d[k].shape != (n,):
                raise ArtefactError(f"{path}: {k} has shape {d[k].shape}, expected ({n},) like the names")
        with np.errstate(divide="ignore", invalid="ignore"):
            d["pulls"] = (d["values"] - d["truth"]) / np.where(d["errors"] > 0, d["errors"], np.nan)
        if has(f, *FIT_PULLS):
            d["pulls"] = dataset(f, FIT_PULLS, "the pulls")
        objs = ["fit", "closure", "/"]
        conv = attr(f, objs, ["converged"])
        d["converged"] = None if conv is None else bool(conv)
        d["status"] = attr(f, objs, ["status"])
        d["lnL"] = _num(attr(f, objs, ["lnl", "lnL", "log_likelihood"]))
        d["method"] = attr(f, objs, ["method"])
        d["replica"] = attr(f, objs, ["replica"])
        d["mse"] = _num(attr(f, ["fit", "closure", "/"], ["mse", "pdf_mse"]))
        return d


# Rows of the PDF figure: input flavours at mu0; at Q2 > mu0^2 the valence rows are
# q - qbar of the evolved flavours.
PDF_ROWS = ["uv", "dv", "ubar", "dbar", "s", "g"]


def read_pdfs(path):
    """x, the scales Q2 (mu0^2 first), the row names and the fitted / true x f as arrays
    [scale, row, x], from /pdf of fit.h5 (cmd_fit.c: xf_fit_mu0, xf_true_mu0 [x, input
    flavour]; xf_fit, xf_true [q2, x, output flavour]; attributes flavours_mu0,
    flavours, mu0_gev on /pdf)."""
    need = "the PDF plots"
    with open_h5(path, "partonflow.fit") as f:
        x = dataset(f, ["pdf/x"], f"{need} (x grid)")
        q2 = dataset(f, ["pdf/q2"], f"{need} (scales)")
        fin = attr(f, ["pdf"], ["flavours_mu0"], required_for=f"{need} (input flavour names)").split(",")
        fout = attr(f, ["pdf"], ["flavours"], required_for=f"{need} (flavour names)").split(",")
        mu0 = float(attr(f, ["pdf"], ["mu0_gev"], required_for=f"{need} (input scale)"))
        f0 = dataset(f, ["pdf/xf_fit_mu0"], f"{need} (fitted x f at mu0)")
        t0 = dataset(f, ["pdf/xf_true_mu0"], f"{need} (true x f at mu0)")
        fq = dataset(f, ["pdf/xf_fit"], f"{need} (fitted x f at Q2)")
        tq = dataset(f, ["pdf/xf_true"], f"{need} (true x f at Q2)")
    nx = len(x)
    if f0.shape != (nx, len(fin)) or t0.shape != f0.shape:
        raise ArtefactError(f"{path}: /pdf/xf_fit_mu0 has shape {f0.shape}, expected ({nx}, {len(fin)})")
    if fq.shape != (len(q2), nx, len(fout)) or tq.shape != fq.shape:
        raise ArtefactError(f"{path}: /pdf/xf_fit has shape {fq.shape}, expected ({len(q2)}, {nx}, {len(fout)})")
    rows = [r for r in PDF_ROWS if r in fin]

    def at_q(a, iq, name):
        if name in ("uv", "dv"):
            return a[iq, :, fout.index(name[0])] - a[iq, :, fout.index(name[0] + "bar")]
        return a[iq, :, fout.index(name)]

    fit = np.array([[f0[:, fin.index(r)] for r in rows]] + [[at_q(fq, i, r) for r in rows] for i in range(len(q2))])
    truth = np.array([[t0[:, fin.index(r)] for r in rows]] + [[at_q(tq, i, r) for r in rows] for i in range(len(q2))])
    return x, np.concatenate([[mu0 * mu0], q2]), rows, fit, truth


def read_histograms(fit_path, likelihood_path, events_path=None):
    """Bin edges in reconstructed x and Q2, observed counts and the expected counts of the
    fit in fit_path, each [nbx, nbq2].  Edges and observed counts come from fit.h5 or
    likelihood.h5 (prepare's histogram operators); observed counts fall back to the
    accepted events of events.h5 histogrammed with those edges."""
    with open_h5(fit_path) as ff, open_h5(likelihood_path) as lf:
        xe, qe = hist_edges(ff) if hist_edges(ff) is not None else hist_edges(lf, required=True)
        nbins = (len(xe) - 1) * (len(qe) - 1)
        if has(ff, *HIST_EXP):
            expected = dataset(ff, HIST_EXP, "the data-vs-fit histograms (expected counts at the fit)")
        elif not (has(ff, *FIT_G) and "hist/H" in lf):
            # the one optional input: without it the plots show the data alone and chi2/ndf
            # is reported as not available (never silently as a number)
            warn(f"{fit_path}: no {' or '.join('/' + p for p in HIST_EXP[:2])} and no /fit/G: "
                 "the data-vs-fit histograms show the data only; chi2/ndf not available")
            expected = None
        else:
            # expected counts = luminosity x H . G(theta at the best fit) (likelihood.h5 /hist/H)
            G = dataset(ff, FIT_G, "the expected counts")
            H = dataset(lf, "hist/H", "the expected counts")
            lumi = attr(lf, ["/", "hist"], ["luminosity_pb"], required_for="the expected counts")
            expected = float(lumi) * (H @ G)
        observed = None
        for f in (ff, lf):
            if has(f, *HIST_OBS):
                observed = dataset(f, HIST_OBS, "the observed histogram")
                break
        if observed is None and "events/bin" in lf:
            # prepare's bin of each accepted event (-1: outside every bin)
            b = dataset(lf, "events/bin", "the observed histogram", dtype=np.int64)
            observed = np.bincount(b[b >= 0], minlength=nbins).astype(float)
    if observed is None:
        if events_path is None:
            raise ArtefactError(f"{likelihood_path}: no observed histogram and no events.h5 given")
        with open_h5(events_path, "partonflow.events") as ef:
            acc = dataset(ef, "events/accepted", "the observed histogram", dtype=bool)
            xr = dataset(ef, "events/x_rec", "the observed histogram")[acc]
            qr = dataset(ef, "events/q2_rec", "the observed histogram")[acc]
        observed, _, _ = np.histogram2d(xr, qr, bins=[xe, qe])
    nbx, nbq = len(xe) - 1, len(qe) - 1
    return (xe, qe, as_xq(observed, nbx, nbq, "observed"),
            None if expected is None else as_xq(expected, nbx, nbq, "expected"))


def as_xq(a, nbx, nbq, name):
    """Counts as [nbx, nbq].  The engine numbers bins b = iq * nx + ix (fit.h,
    pf_prep_bins), so a flat vector or a [nq2, nx] array is transposed."""
    a = np.asarray(a, dtype=float)
    if a.size != nbx * nbq:
        raise ArtefactError(f"histogram '{name}' has {a.size} bins, the edges give {nbx} x {nbq}")
    if a.ndim == 2 and a.shape == (nbx, nbq) and nbx != nbq:
        return a
    return a.reshape(nbq, nbx).T


def hist_edges(f, required=False):
    """(x edges, Q2 edges) of the histogram bins: datasets histogram/x_edges, q2_edges
    (or ln-valued logx_edges, logq2_edges), or the attributes nx, nq2, logx_lo, logx_hi,
    logq2_lo, logq2_hi (uniform in ln x, ln Q2) on /histogram."""
    px, pq = which(f, HIST_X_EDGES), which(f, HIST_Q2_EDGES)
    if px and pq:
        xe, qe = np.asarray(f[px][()], float), np.asarray(f[pq][()], float)
        return (np.exp(xe) if "log" in px else xe), (np.exp(qe) if "log" in pq else qe)
    if "hist" in f and all(k in f["hist"].attrs for k in ("log_edges", "bins_x", "bins_q2")):
        # likelihood.h5: log_edges = (ln x lo, ln x hi, ln Q2 lo, ln Q2 hi), uniform bins
        le = np.asarray(f["hist"].attrs["log_edges"], float).ravel()
        nx, nq = int(np.asarray(f["hist"].attrs["bins_x"]).ravel()[0]), int(np.asarray(f["hist"].attrs["bins_q2"]).ravel()[0])
        return np.exp(np.linspace(le[0], le[1], nx + 1)), np.exp(np.linspace(le[2], le[3], nq + 1))
    keys = ["nx", "nq2", "logx_lo", "logx_hi", "logq2_lo", "logq2_hi"]
    for g in ("histogram", "hist", "bins"):
        if g in f and all(k in f[g].attrs for k in keys):
            a = {k: float(np.asarray(f[g].attrs[k]).ravel()[0]) for k in keys}
            return (np.exp(np.linspace(a["logx_lo"], a["logx_hi"], int(a["nx"]) + 1)),
                    np.exp(np.linspace(a["logq2_lo"], a["logq2_hi"], int(a["nq2"]) + 1)))
    if required:
        raise ArtefactError(f"{f.filename}: no histogram bin edges (attributes log_edges, bins_x, bins_q2 on "
                            f"/hist, datasets {' or '.join(HIST_X_EDGES)} and {' or '.join(HIST_Q2_EDGES)}, "
                            f"or attributes {', '.join(keys)} on /histogram); "
                            "needed for the data-vs-fit histograms")
    return None


CHI2_MIN_EXPECTED = 5.0


def chi2(observed, expected, npar, min_expected=CHI2_MIN_EXPECTED):
    """Data vs fit in the reconstructed (x, Q2) bins of fit.h5 (/hist/observed, /hist/expected
    = L H_b . G(theta_hat)).  Over the bins with expected >= min_expected (where the
    Gaussian approximation of the Poisson counts holds):
        Pearson  chi2 = sum_b (n_b - mu_b)^2 / mu_b
        deviance D    = 2 sum_b [mu_b - n_b + n_b ln(n_b / mu_b)]   (Poisson likelihood ratio)
    ndf = bins used - free parameters of the fit.  chi2 is the Pearson value."""
    if expected is None:
        return {"chi2": None, "ndf": None, "chi2_ndf": None, "bins": None,
                "note": "fit.h5 has no expected counts per bin (/hist/expected)"}
    o, e = np.ravel(observed), np.ravel(expected)
    m = e >= min_expected
    c2 = float(np.sum((o[m] - e[m]) ** 2 / e[m]))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(o[m] > 0, o[m] * np.log(o[m] / e[m]), 0.0)
    dev = float(2.0 * np.sum(e[m] - o[m] + t))
    ndf = int(m.sum()) - int(npar)
    return {"chi2": c2, "ndf": ndf, "chi2_ndf": c2 / ndf if ndf > 0 else None, "bins": int(m.sum()),
            "deviance": dev, "deviance_ndf": dev / ndf if ndf > 0 else None,
            "definition": f"Pearson, bins with expected >= {min_expected:g}, ndf = bins - free parameters"}


def read_benchmark(path):
    """Seconds (column `s`) and max RSS (MB) of a Snakemake benchmark file."""
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if not rows or "s" not in header:
        raise ArtefactError(f"{path}: not a Snakemake benchmark file (no 's' column)")
    col = dict(zip(header, rows[-1]))
    return {"seconds": float(col["s"]), "max_rss_mb": _num(col.get("max_rss"))}


def _num(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def run_main(main):
    """Runs main(), turning ArtefactError into a one-line message and exit code 2."""
    try:
        main()
    except ArtefactError as e:
        fail(str(e))
