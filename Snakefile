# partonflow workflow: theory -> simulate -> prepare -> fit (+ fit_histogram, replicas) -> report.
#   snakemake --cores all                                   # default closure run
#   snakemake --cores 2 --configfile configs/tiny.yaml      # 1e4 events, 2 replicas
#   snakemake --profile configs/profiles/slurm              # SLURM cluster (docs/cluster.md)
#   snakemake --cores all --use-singularity                 # every step in the Apptainer image
# Optional targets: `snakemake lha` (evolution vs Les Houches tables), `snakemake bench`,
# `snakemake lhapdf` (LHAPDF6 set of the fit).
# Rules: workflows/*.smk; report scripts: workflows/scripts/; docs/workflow.md.
import sys

import jsonschema
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

min_version("7.21")


configfile: "configs/default.yaml"


# USER for Snakemake's SLURM executor where it is unset (workflows/pfsite.py)
sys.path.insert(0, os.path.join(workflow.basedir, "workflows"))
import pfsite

pfsite.ensure_user()


report: "workflows/report/workflow.rst"


# `snakemake --report`: web assets from tools/report_assets.sh where the CDNs are out of reach
include: "workflows/report_assets.py"


use_local_report_assets()


# An unknown key or a bad value stops here, before any job, with one line naming it
# (jsonschema's best match); snakemake's validate then fills the schema's defaults.
_schema_error = jsonschema.exceptions.best_match(
    jsonschema.Draft7Validator(yaml.safe_load(open("configs/schema.yaml"))).iter_errors(config)
)
if _schema_error is not None:
    raise WorkflowError(
        "invalid config: key '{}': {} (allowed keys and values: configs/schema.yaml)".format(
            ".".join(str(k) for k in _schema_error.path) or "(top level)", _schema_error.message
        )
    )
validate(config, "configs/schema.yaml")


include: "workflows/common.smk"


container: config["container"]


include: "workflows/stages.smk"
include: "workflows/fit.smk"
include: "workflows/report.smk"
include: "workflows/export.smk"
include: "workflows/extras.smk"


rule all:
    input:
        report_outputs(),
    default_target: True


onsuccess:
    if os.path.exists(f"{OUT}/report/summary.md"):
        print(f"partonflow: report in {OUT}/report/ (summary.md, summary.json, *.png)")
