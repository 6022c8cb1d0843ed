#!/usr/bin/env bash
# Measures the figures of docs/REPORT.md: the size of the HTML report of a
# 10-minute, 3-stage run at 1,000 req/s with its base (synthesized by
# internal/fixture.Long, every request drawn and recorded), the size of
# the head's result file, the time Go takes to write the report, and the
# time headless Chromium takes from navigation to the last chart drawn
# (report.js's data-render-ms), five times, networking off.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
LOADGATE_REPORT_SAMPLE=$dir go test -p 1 -count=1 -run '^TestSizeBounded$' ./internal/report >/dev/null
echo "report: $(wc -c <"$dir/report-10min.html") bytes ($(gzip -c "$dir/report-10min.html" | wc -c) gzipped)"
echo "head result file: $(wc -c <"$dir/checkout.json") bytes"
go test -p 1 -run '^$' -bench '^BenchmarkWrite$' -benchtime 10x -count 3 ./internal/report | grep '^Benchmark'
if [ ! -x /usr/bin/chromium ]; then
  echo "no /usr/bin/chromium (scripts/install-chromium.sh): render time not measured"
  exit 0
fi
for i in 1 2 3 4 5; do
  /usr/bin/chromium --headless --no-sandbox --disable-gpu --user-data-dir="$dir/profile$i" \
    --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server=http://127.0.0.1:9 \
    --window-size=1400,1000 --dump-dom "file://$dir/report-10min.html" 2>/dev/null |
    grep -o 'data-render-ms="[0-9]*"' || echo "run $i: no render time"
done
