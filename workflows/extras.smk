# Optional targets, not part of `all`:
#   snakemake --cores 2 lha     evolution of the Les Houches toy input vs the published table
#   snakemake --cores 2 bench   the engine's benchmarks (`partonflow bench TARGET --json`)


rule lha_evolve:
    input:
        card=config["lha"]["card"],
        table=config["lha"]["table"],
    output:
        f"{OUT}/lha/evolve.csv",
    log:
        f"{OUT}/logs/lha_evolve.log",
    benchmark:
        f"{OUT}/benchmarks/lha_evolve.tsv"
    params:
        pf=PF,
        q2=config["lha"]["q2"],
        x=lha_x(),
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    shell:
        "{params.pf} evolve --card {input.card} --q2 {params.q2} --x {params.x} "
        "--threads {threads} > {output} 2> {log}"


rule lha_compare:
    input:
        evolved=f"{OUT}/lha/evolve.csv",
        table=config["lha"]["table"],
        script="workflows/scripts/lha_compare.py",
    output:
        csv=f"{OUT}/lha/comparison.csv",
        md=f"{OUT}/lha/comparison.md",
    log:
        f"{OUT}/logs/lha_compare.log",
    params:
        python=PYTHON,
        tolerance=config["lha"].get("tolerance", 5e-5),
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    shell:
        "{params.python} {input.script} --evolved {input.evolved} --table {input.table} "
        "--tolerance {params.tolerance} --csv {output.csv} --md {output.md} > {log} 2>&1"


rule lha:
    input:
        f"{OUT}/lha/comparison.md",


rule bench_target:
    output:
        f"{OUT}/bench/{{target}}.jsonl",
    log:
        f"{OUT}/logs/bench_{{target}}.log",
    benchmark:
        f"{OUT}/benchmarks/bench_{{target}}.tsv"
    params:
        pf=PF,
    wildcard_constraints:
        target="evolve|xsec|simulate|likelihood",
    threads: max(2, config["threads"])
    resources:
        mem_mb=res("bench", "mem_mb", 4000),
        runtime=res("bench", "runtime", 60),
    shell:
        "{params.pf} bench {wildcards.target} --json > {output} 2> {log}"


rule bench:
    input:
        bench_files(),


localrules:
    lha,
    bench,
