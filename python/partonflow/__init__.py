"""partonflow: the engine as a numpy library with exact gradients (docs/python.md).

    import partonflow as pf
    th = pf.Theory("theory.h5")                     # or a theory card (YAML)
    xf = th.evolve(x, q2)                           # x f of 13 flavours (tbar .. t)
    sigma, dsigma = th.xsec(theta, x, q2, grad=True)
    pf.prepare("theory.h5", "events.h5", "likelihood.h5")  # what `partonflow prepare` does
    lk = pf.Likelihood("likelihood.h5")
    lnl, g = lk.value_and_grad(theta)               # exact gradient, all parameters
    best = lk.fit("card.yaml")                      # what `partonflow fit` does

Every engine call releases the GIL; set_threads(n) sets the OpenMP threads of the calls
(results are bitwise the same for any n).  Bad input raises InputError (a ValueError),
a missing, foreign or damaged file FileError (an OSError), both carrying the engine's
message; partonflow.torch puts ln L and d2sigma into torch's autograd.
"""
from ._engine import (ConvergenceError, Error, FileError, InputError, Likelihood, Theory, get_threads,
                      set_threads, version, have_cuda, prepare)

#: output flavours of evolve(), LHAPDF order -6..6
FLAVOURS = ("tbar", "bbar", "cbar", "sbar", "ubar", "dbar", "g", "d", "u", "s", "c", "b", "t")
#: input flavours of the parametrisation at mu0 (the moments' second index)
INPUT_FLAVOURS = ("uv", "dv", "ubar", "dbar", "s", "sbar", "c", "cbar", "b", "bbar", "g")

__version__ = version
__all__ = ["Theory", "Likelihood", "prepare", "Error", "InputError", "FileError", "ConvergenceError", "set_threads",
           "get_threads", "FLAVOURS", "INPUT_FLAVOURS", "have_cuda", "__version__"]
