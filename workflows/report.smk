# The report: PNG plots made by matplotlib scripts that read the HDF5 artefacts with h5py,
# and summary.md / summary.json (parameters, errors, pulls, MSE, chi2/ndf of the data-vs-fit
# histograms, run time of every step from the benchmark files).  The scripts are inputs, so
# editing one reruns only the report; they run by hand too (`--help`).
# `snakemake --report report.html` (after a run) gathers the plots and the tables of
# report_tables, each with its caption from workflows/report/, and the jobs' run times
# into Snakemake's self-contained HTML report.


rule report_plots:
    input:
        events=f"{OUT}/events.h5",
        likelihood=f"{OUT}/likelihood.h5",
        fit=f"{OUT}/fit.h5",
        fit_histogram=f"{OUT}/fit_histogram.h5",
        replicas=replica_files(),
        script="workflows/scripts/report_plots.py",
        lib="workflows/scripts/pfreport.py",
    output:
        [
            report(f"{OUT}/report/{p}", caption=f"report/{p[:-4]}.rst", category="Plots")
            for p in REPORT_PLOTS
        ],
    log:
        f"{OUT}/logs/report_plots.log",
    benchmark:
        f"{OUT}/benchmarks/report_plots.tsv"
    params:
        python=PYTHON,
        outdir=lambda wildcards, output: os.path.dirname(output[0]),
    threads: 1
    resources:
        mem_mb=res("report", "mem_mb", 2000),
        runtime=res("report", "runtime", 15),
    shell:
        "MPLBACKEND=Agg {params.python} {input.script} --events {input.events} "
        "--likelihood {input.likelihood} --fit {input.fit} --fit-histogram {input.fit_histogram} "
        "--replicas {input.replicas} --outdir {params.outdir} > {log} 2>&1"


rule report:
    input:
        events=f"{OUT}/events.h5",
        likelihood=f"{OUT}/likelihood.h5",
        fit=f"{OUT}/fit.h5",
        fit_histogram=f"{OUT}/fit_histogram.h5",
        replicas=replica_files(),
        benchmarks=step_benchmarks(),
        plots=[f"{OUT}/report/{p}" for p in REPORT_PLOTS],
        script="workflows/scripts/summary.py",
        lib="workflows/scripts/pfreport.py",
    output:
        md=f"{OUT}/report/summary.md",
        json=f"{OUT}/report/summary.json",
    log:
        f"{OUT}/logs/report.log",
    benchmark:
        f"{OUT}/benchmarks/report.tsv"
    params:
        python=PYTHON,
        run=RUN,
    threads: 1
    resources:
        mem_mb=res("report", "mem_mb", 2000),
        runtime=res("report", "runtime", 15),
    shell:
        "{params.python} {input.script} --run {params.run} --events {input.events} "
        "--likelihood {input.likelihood} --fit {input.fit} --fit-histogram {input.fit_histogram} "
        "--replicas {input.replicas} --benchmarks {input.benchmarks} --plots {input.plots} "
        "--md {output.md} --json {output.json} > {log} 2>&1"


rule report_tables:
    input:
        summary=f"{OUT}/report/summary.json",
        script="workflows/scripts/report_tables.py",
    output:
        parameters=report(
            f"{OUT}/report/parameters.csv", caption="report/parameters.rst", category="Tables"
        ),
        quality=report(
            f"{OUT}/report/fit_quality.csv", caption="report/fit_quality.rst", category="Tables"
        ),
        benchmarks=report(
            f"{OUT}/report/benchmarks.csv", caption="report/benchmarks.rst", category="Benchmarks"
        ),
    log:
        f"{OUT}/logs/report_tables.log",
    params:
        python=PYTHON,
    threads: 1
    resources:
        mem_mb=res("report", "mem_mb", 2000),
        runtime=res("report", "runtime", 15),
    shell:
        "{params.python} {input.script} --summary {input.summary} --parameters {output.parameters} "
        "--quality {output.quality} --benchmarks {output.benchmarks} > {log} 2>&1"
