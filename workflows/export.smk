# The fit as an LHAPDF6 set: results/<run>/lhapdf/<name>/ (`partonflow export lhapdf`,
# docs/artefacts.md "LHAPDF6 export").  Member 0 is the central fit; with replicas > 0 the
# bootstrap replicas follow (ErrorType replicas), otherwise the symmetric Hessian
# eigenvector members of the fit's covariance.  The engine writes the set into a temporary
# folder and renames it when complete; Snakemake removes the output folder before the job.
# An optional target (`snakemake --cores 2 lhapdf`), not part of `all`: `all` keeps a fit
# that did not converge and the report flags it, while the export refuses such a fit
# (exit 2, the reason in logs/export_lhapdf.log) rather than publish it as a PDF set.


rule export_lhapdf:
    input:
        fit=f"{OUT}/fit.h5",
        replicas=replica_files(),
    output:
        directory(f"{OUT}/lhapdf/{LHAPDF_NAME}"),
    log:
        f"{OUT}/logs/export_lhapdf.log",
    benchmark:
        f"{OUT}/benchmarks/export_lhapdf.tsv"
    params:
        pf=PF,
        replicas=f"--replicas {OUT}/replicas" if int(config["replicas"]) > 0 else "",
    threads: config["threads"]
    resources:
        mem_mb=res("export", "mem_mb", 2000),
        runtime=res("export", "runtime", 15),
    shell:
        "mkdir -p $(dirname {output}) && {params.pf} export lhapdf --fit {input.fit} {params.replicas} "
        "--out {output} --threads {threads} > {log} 2>&1"


rule lhapdf:
    input:
        f"{OUT}/lhapdf/{LHAPDF_NAME}",
