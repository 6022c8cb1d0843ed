#!/usr/bin/env bash
# flow-cost.sh: what a Flow's step costs against the same request in a Mix
# (issue 14). Runs BenchmarkFlowVsMix (loadtest/flow_test.go) ROUNDS times,
# one go test process a round, each round measuring the Mix then the Flow,
# so that a noisy minute hits both; prints the median CPU per request of
# each (the whole process: harness, client and the in-process server) and
# their ratio. About a minute with the defaults; not part of CI.
#
# Usage: scripts/flow-cost.sh   Environment: ROUNDS (default 9)
set -euo pipefail
ROUNDS=${ROUNDS:-9}
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/loadtest.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./loadtest
for i in $(seq "$ROUNDS"); do
	(cd loadtest && "$bin" -test.run '^$' -test.bench 'BenchmarkFlowVsMix' -test.benchtime 2x -test.count 1)
done | awk '
/^BenchmarkFlowVsMix\// {
	split($1, a, "/"); name = a[2]; sub(/-[0-9]+$/, "", name)
	for (i = 2; i <= NF; i++) {
		if ($i == "cpu-ns/req") cpu[name, ++n[name]] = $(i-1)
		if ($i == "allocs/req") al[name] = $(i-1)
	}
}
function median(k,   m, i, j, t, s) {
	m = n[k]; for (i = 1; i <= m; i++) s[i] = cpu[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
	return (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
}
END {
	printf "| | Mix | Flow | Flow / Mix |\n|---|---|---|---|\n"
	printf "| CPU per request, median of %d rounds | %.1f µs | %.1f µs | %.2f× |\n", n["mix"], median("mix") / 1000, median("flow") / 1000, median("flow") / median("mix")
	printf "| allocations per request (last round) | %s | %s | |\n", al["mix"], al["flow"]
}'
