#!/usr/bin/env bash
# gate-experiment.sh: does the gate hold on the paths users take (issue 13)?
#
# Records one baseline of the example shop's checkout scenario (5 runs, as
# loadgate baseline update does by default), then runs, interleaved, N A/A
# comparisons (unchanged code) and N A/B comparisons (orders ~25% slower at
# p99: LOADGATE_SHOP_SLOWDOWN=0.4, see scripts/noise-experiment.sh) through
#
#   loadgate run ./examples/shop -run TestBaselineCheckout -baselines DIR
#
# with no other flag: the default, adaptive run count (5, 8 or 12 runs, as
# loadgate decides) and the default policy. -run selects the scenario, and
# -baselines keeps the baseline out of the repository. Each comparison's
# recorded runs then go, with the baseline, through the Action's binary
# (loadgate action, from-results, its default inputs), which must reach
# the same verdict. Prints one table: failures, inconclusive and warnings
# per kind, runs used (median and maximum) and wall time per comparison.
#
# Usage: scripts/gate-experiment.sh   (N=20 by default: about 15 minutes)
# Environment: N, SLOWDOWN (default 0.4), KEEP=1 keeps the work directory.
set -euo pipefail

N=${N:-20}
SLOWDOWN=${SLOWDOWN:-0.4}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/loadgate-gate.XXXXXX")
if [[ "${KEEP:-0}" != 1 ]]; then
	trap 'rm -rf "$work"' EXIT
fi
echo "working in $work" >&2
cd "$root"
go build -o "$work/loadgate" ./cmd/loadgate
lg=$work/loadgate

echo "recording the baseline (5 runs)" >&2
"$lg" baseline update ./examples/shop -run TestBaselineCheckout -baselines "$work/baselines" -progress off >"$work/update.txt" 2>&1 || {
	cat "$work/update.txt" >&2
	exit 1
}

# action_verdict DIR → the verdict the Action's binary gives on the runs in
# DIR against the baseline, from-results with its default inputs.
action_verdict() {
	local dir=$1 res=$1.action
	mkdir -p "$res/head" "$res/baselines"
	cp "$dir"/*.json "$res/head/"
	cp "$work"/baselines/*.json "$res/baselines/"
	printf '{"schema":"loadgate.action/v1","compare":"baseline","count":12,"looks":3,"packages":["./examples/shop"],"run":"TestBaselineCheckout","working_directory":".","tests":[]}\n' >"$res/loadgate-action.json"
	printf '{}\n' >"$res/event.json"
	(
		cd "$res"
		env GITHUB_ACTIONS=true GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH="$res/event.json" GITHUB_REPOSITORY=loadgate/loadgate \
			GITHUB_OUTPUT="$res/output.txt" GITHUB_STEP_SUMMARY="$res/summary.md" RUNNER_TEMP="$res" \
			INPUT_FROM_RESULTS="$res" INPUT_RESULTS_DIR="$res/report" INPUT_COMMENT=false \
			"$lg" action >"$res/log.txt" 2>&1 || true
	)
	awk '/^verdict<</ { getline; print; exit }' "$res/output.txt" 2>/dev/null || echo "error"
}

printf 'kind\ti\texit\tword\truns\tseconds\taction\n' >"$work/table.tsv"
for i in $(seq "$N"); do
	for kind in AA AB; do
		out=$work/$kind-$i
		slow=0
		[[ $kind == AB ]] && slow=$SLOWDOWN
		t0=$(date +%s.%N)
		status=0
		LOADGATE_SHOP_SLOWDOWN=$slow "$lg" run ./examples/shop -run TestBaselineCheckout -baselines "$work/baselines" \
			-progress off -out "$out" >"$out.txt" 2>&1 || status=$?
		t1=$(date +%s.%N)
		word=$(tail -n 1 "$out.txt" | cut -d: -f1)
		runs=$(grep -o '^[A-Z]* *checkout at 150 per second: [0-9]* runs' "$out.txt" | grep -o '[0-9]* runs' | cut -d' ' -f1 || echo 0)
		act=$(action_verdict "$out")
		printf '%s\t%d\t%d\t%s\t%s\t%.1f\t%s\n' "$kind" "$i" "$status" "$word" "${runs:-0}" "$(echo "$t1 - $t0" | bc)" "$act" >>"$work/table.tsv"
		echo "$kind $i: $word (exit $status), ${runs:-?} runs, Action: $act" >&2
	done
done

awk -F'\t' 'NR > 1 {
	n[$1]++; w[$1, $4]++; a[$1, $7]++; sec[$1] += $6
	r[$1, n[$1]] = $5; if ($5 > max[$1]) max[$1] = $5
}
END {
	printf "| | A/A (no change) | A/B (p99 +25%%) |\n|---|---|---|\n"
	printf "| loadgate run: FAIL | %d of %d | %d of %d |\n", w["AA","FAIL"], n["AA"], w["AB","FAIL"], n["AB"]
	printf "| loadgate run: INCONCLUSIVE | %d | %d |\n", w["AA","INCONCLUSIVE"], w["AB","INCONCLUSIVE"]
	printf "| loadgate run: WARN | %d | %d |\n", w["AA","WARN"], w["AB","WARN"]
	printf "| loadgate run: PASS | %d | %d |\n", w["AA","PASS"], w["AB","PASS"]
	printf "| the Action (from the same runs): fail | %d of %d | %d of %d |\n", a["AA","fail"], n["AA"], a["AB","fail"], n["AB"]
	for (k in n) {
		m = n[k]; for (i = 1; i <= m; i++) s[i] = r[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
		med[k] = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
	}
	printf "| runs used: median (max) | %s (%d) | %s (%d) |\n", med["AA"], max["AA"], med["AB"], max["AB"]
	printf "| wall time per comparison | %.0f s | %.0f s |\n", sec["AA"] / n["AA"], sec["AB"] / n["AB"]
}' "$work/table.tsv"
echo "rows: $work/table.tsv" >&2
