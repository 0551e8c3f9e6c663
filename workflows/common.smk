# Helpers shared by the rules (no rules here: the linter wants functions and rules apart).
import os
import shlex
import sys

RUN = config["run"]
OUT = f"results/{RUN}"


def _engine():
    """The partonflow executable: config `partonflow`, else build/partonflow when it has
    been built, else `partonflow` on PATH (what the container installs)."""
    if config.get("partonflow"):
        return config["partonflow"]
    if not workflow.use_singularity and os.path.exists("build/partonflow"):
        return "build/partonflow"
    return "partonflow"


PF = _engine()
PYTHON = config.get("python") or ("python3" if workflow.use_singularity else sys.executable)
MPI_LAUNCHER = config["mpi"]["launcher"]
MPI_TASKS = int(config["mpi"]["tasks"])


wildcard_constraints:
    k=r"[1-9][0-9]*",


def res(step, key, fallback):
    """Resource `key` (mem_mb or runtime) of a step from config `resources`."""
    return int(config.get("resources", {}).get(step, {}).get(key, fallback))


MPI_AUTO = os.path.join(workflow.basedir, "workflows", "scripts", "mpi-launch.sh")


def mpi_prefix(wildcards, resources):
    """`{resources.mpi} -n {resources.tasks} ` when a step runs on more than one rank,
    nothing otherwise (a plain process is also an MPI job of one rank).  Launcher `auto`
    (the default) is workflows/scripts/mpi-launch.sh: srun inside a SLURM allocation,
    mpiexec elsewhere, decided where the step runs."""
    tasks = int(resources.tasks)
    if tasks <= 1:
        return ""
    launcher = f"sh {shlex.quote(MPI_AUTO)}" if resources.mpi == "auto" else resources.mpi
    return f"{launcher} -n {tasks} "


def replica_files():
    return expand(f"{OUT}/replicas/replica_{{k}}.h5", k=range(1, int(config["replicas"]) + 1))


def step_benchmarks():
    """Benchmark files of every engine step of this run (read by the summary)."""
    steps = ["theory", "simulate", "prepare", "fit", "fit_histogram", "report_plots"]
    files = [f"{OUT}/benchmarks/{s}.tsv" for s in steps]
    files += expand(f"{OUT}/benchmarks/replica_{{k}}.tsv", k=range(1, int(config["replicas"]) + 1))
    return files


REPORT_PLOTS = [
    "pdfs.png",
    "data_vs_fit_x.png",
    "data_vs_fit_q2.png",
    "pulls.png",
    "events_vs_histogram.png",
]


LHAPDF_NAME = config.get("lhapdf", {}).get("name", "partonflow")


def report_outputs():
    return [f"{OUT}/report/{p}" for p in REPORT_PLOTS] + [
        f"{OUT}/report/summary.md",
        f"{OUT}/report/summary.json",
        f"{OUT}/report/parameters.csv",
        f"{OUT}/report/fit_quality.csv",
        f"{OUT}/report/benchmarks.csv",
    ]


def lha_x():
    """The x values of the Les Houches table (first column), as the `--x` list (empty
    when the table is missing: then only the `lha` target fails, naming the file)."""
    if not os.path.exists(config["lha"]["table"]):
        return ""
    with open(config["lha"]["table"]) as f:
        next(f)
        return ",".join(line.split(",")[0] for line in f if line.strip())


def bench_files():
    return expand(f"{OUT}/bench/{{target}}.jsonl", target=config["bench"]["targets"])
