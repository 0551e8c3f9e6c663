#!/usr/bin/env bash
# The web assets of Snakemake's HTML report, for machines without access to the CDNs that
# Snakemake 7.21 downloads them from while it writes `snakemake --report report.html`
# (React, Vega, Vega-Lite, Vega-Embed, a Tailwind play-CDN script and the packages'
# licences).  Fetched once from the npm registry with `npm pack` (Debian's npm) into
#     DEST (default /usr/local/share/partonflow/report-assets, or $PF_REPORT_ASSETS)
# under fixed names; workflows/report_assets.py points Snakemake at them.  Tailwind's own
# play-CDN script is not on npm: @twind/cdn, its drop-in replacement, styles the report.
# Idempotent (quiet when DEST is complete).  Called by containers/install-deps.sh.
set -euo pipefail
DEST=${1:-${PF_REPORT_ASSETS:-/usr/local/share/partonflow/report-assets}}
FILES=(react.js react-dom.js vega.js vega-lite.js vega-embed.js tailwind.js
       react.LICENSE vega.LICENSE vega-lite.LICENSE vega-embed.LICENSE heroicons.LICENSE tailwind.LICENSE
       snakemake.LICENSE pygments.LICENSE)
complete=1
for f in "${FILES[@]}"; do [ -s "$DEST/$f" ] || complete=0; done
[ $complete -eq 1 ] && exit 0
command -v npm >/dev/null || { echo "report_assets: npm is needed (Debian package npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent react@18.2.0 react-dom@18.2.0 vega@5.21.0 vega-lite@5.2.0 \
    vega-embed@6.20.8 @twind/cdn@1.0.8 heroicons@1.0.6 >/dev/null )
get() { # tarball, member, destination name
  tar xzf "$work/$1" -C "$work" "package/$2" && mv "$work/package/$2" "$work/out.$3"; }
mkdir -p "$work"
get react-18.2.0.tgz umd/react.production.min.js react.js
get react-18.2.0.tgz LICENSE react.LICENSE
get react-dom-18.2.0.tgz umd/react-dom.production.min.js react-dom.js
get vega-5.21.0.tgz build/vega.js vega.js
get vega-5.21.0.tgz LICENSE vega.LICENSE
get vega-lite-5.2.0.tgz build/vega-lite.js vega-lite.js
get vega-lite-5.2.0.tgz LICENSE vega-lite.LICENSE
get vega-embed-6.20.8.tgz build/vega-embed.js vega-embed.js
get vega-embed-6.20.8.tgz LICENSE vega-embed.LICENSE
get heroicons-1.0.6.tgz LICENSE heroicons.LICENSE
get twind-cdn-1.0.8.tgz cdn.global.js tailwind.js
get twind-cdn-1.0.8.tgz LICENSE tailwind.LICENSE
cp /usr/share/doc/snakemake/copyright "$work/out.snakemake.LICENSE"
cp /usr/share/doc/python3-pygments/copyright "$work/out.pygments.LICENSE"
mkdir -p "$DEST"
for f in "${FILES[@]}"; do cp "$work/out.$f" "$DEST/$f"; done
echo "report_assets: Snakemake report assets in $DEST" >&2
