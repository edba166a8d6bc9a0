#!/usr/bin/env bash
# vendor-uplot.sh fetches uPlot from the npm registry (npm checks the
# tarball's sha512 integrity) and copies the minified build, its CSS and
# its MIT licence into dashboard/assets/vendor/uplot, where go:embed takes
# them. The files are committed: `go build` must work without npm.
#
# usage: scripts/vendor-uplot.sh [VERSION]   (default: the pinned one)
set -euo pipefail
version=${1:-1.6.32}
cd "$(dirname "$0")/.."
dest=dashboard/assets/vendor/uplot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$version" >/dev/null && tar xzf "uplot-$version.tgz")
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$tmp/package/LICENSE" "$dest/"
echo "uPlot $version -> $dest ($(wc -c <"$dest/uPlot.iife.min.js") bytes of JavaScript)"
