#!/usr/bin/env bash
# Re-fetches the charting library the HTML report embeds (uPlot, MIT) with
# npm, at the pinned version, checks the package's checksum, and copies the
# files the report uses into internal/report/third_party/uplot.
#
#   scripts/refresh-charts.sh            # re-fetch the pinned version; the files must not change
#   scripts/refresh-charts.sh 1.6.33 SHA256   # move to another version: give its tarball's sha256
#
# The directory is third_party, not vendor: the Go module zip drops every
# file under a directory named vendor (golang.org/x/mod/zip), so go
# install ...@version would build without the embedded files.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-1.6.32}
sha256=${2:-4b8a8191e425658e3ea8c8c1314b0fc679c861ee3a1af2b20c7b16ba50b5133d}
dest=internal/report/third_party/uplot

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$version" >/dev/null)
tgz="$tmp/uplot-$version.tgz"
got=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$sha256" ]; then
  echo "uplot-$version.tgz: sha256 $got, want $sha256" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp"
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$tmp/package/LICENSE" "$dest/"
printf 'uplot %s\nsha256 %s\n' "$version" "$sha256" > "$dest/VERSION"
echo "$dest: uplot $version"
git status --short -- "$dest"
