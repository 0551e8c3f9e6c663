# Engine stages before the fit: theory operators, simulated events, per-event likelihood
# operators.  Each is one `partonflow` command (runnable by hand, see docs/workflow.md);
# the artefacts are written atomically by the engine (temporary name, renamed when
# complete) and Snakemake marks interrupted jobs incomplete, so a killed run never leaves
# a file that looks finished.  MPI: `{resources.mpi} -n {resources.tasks}` prefixes the
# command when tasks > 1 (config `mpi`, or --set-resources RULE:tasks=N).


rule theory:
    input:
        card=config["card"],
    output:
        f"{OUT}/theory.h5",
    log:
        f"{OUT}/logs/theory.log",
    benchmark:
        f"{OUT}/benchmarks/theory.tsv"
    params:
        pf=PF,
        launch=mpi_prefix,
    threads: config["threads"]
    resources:
        mem_mb=res("theory", "mem_mb", 2000),
        runtime=res("theory", "runtime", 30),
        mpi=MPI_LAUNCHER,
        tasks=MPI_TASKS,
    shell:
        "{params.launch}{params.pf} theory --card {input.card} --out {output} "
        "--threads {threads} > {log} 2>&1"


rule simulate:
    input:
        theory=f"{OUT}/theory.h5",
        card=config["card"],
    output:
        f"{OUT}/events.h5",
    log:
        f"{OUT}/logs/simulate.log",
    benchmark:
        f"{OUT}/benchmarks/simulate.tsv"
    params:
        pf=PF,
        launch=mpi_prefix,
        events=config["events"],
        seed=config["seed"],
    threads: config["threads"]
    resources:
        mem_mb=res("simulate", "mem_mb", 4000),
        runtime=res("simulate", "runtime", 30),
        mpi=MPI_LAUNCHER,
        tasks=MPI_TASKS,
    shell:
        "{params.launch}{params.pf} simulate --theory {input.theory} --card {input.card} "
        "--out {output} --expected-events {params.events} --seed {params.seed} --threads {threads} "
        "> {log} 2>&1"


rule prepare:
    input:
        theory=f"{OUT}/theory.h5",
        events=f"{OUT}/events.h5",
        card=config["card"],
    output:
        f"{OUT}/likelihood.h5",
    log:
        f"{OUT}/logs/prepare.log",
    benchmark:
        f"{OUT}/benchmarks/prepare.tsv"
    params:
        pf=PF,
        launch=mpi_prefix,
    threads: config["threads"]
    resources:
        mem_mb=res("prepare", "mem_mb", 8000),
        runtime=res("prepare", "runtime", 60),
        mpi=MPI_LAUNCHER,
        tasks=MPI_TASKS,
    shell:
        "{params.launch}{params.pf} prepare --theory {input.theory} --events {input.events} "
        "--card {input.card} --out {output} --threads {threads} > {log} 2>&1"
