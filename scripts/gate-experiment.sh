#!/usr/bin/env bash
# gate-experiment.sh: does the gate hold on the paths users take (issue 13)?
#
# In a clone of this repository (its HEAD: committed work only), records
# one baseline of the example shop's checkout scenario (5 runs, as
# loadgate baseline update does by default) and commits, on a branch, a
# regression: orders ~25% slower at p99 (the test binary sets
# LOADGATE_SHOP_SLOWDOWN=0.4 itself, see scripts/noise-experiment.sh).
# Then it runs, interleaved, N A/A comparisons (the baseline's commit
# checked out) and N A/B comparisons (the regression's commit checked out)
# through
#
#   loadgate run ./examples/shop -run TestBaselineCheckout -baselines DIR
#
# with no other flag: the default -base auto (the baseline's commit run
# again, base and head in turn), the default adaptive run count (5, 8 or
# 12 runs a side) and the default policy. -run selects the scenario, and
# -baselines keeps the baseline out of the clone's tree. MODE=stored adds
# -base stored: the stored numbers only, the cheaper mode.
#
# Each comparison's recorded runs then go through the Action's binary
# (loadgate action, from-results, its default inputs; compare base-ref or
# baseline as the run did), which must reach the same verdict. Prints one
# table: failures, inconclusive and warnings per kind, runs used (median
# and maximum) and wall time per comparison.
#
# Usage: scripts/gate-experiment.sh   (N=20 by default: about 40 minutes)
# Environment: N, SLOWDOWN (default 0.4), MODE (auto or stored), KEEP=1
# keeps the work directory.
set -euo pipefail

N=${N:-20}
SLOWDOWN=${SLOWDOWN:-0.4}
MODE=${MODE:-auto}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/loadgate-gate.XXXXXX")
if [[ "${KEEP:-0}" != 1 ]]; then
	trap 'rm -rf "$work"' EXIT
fi
echo "working in $work" >&2
cd "$root"
go build -o "$work/loadgate" ./cmd/loadgate
lg=$work/loadgate
repo=$work/repo
git clone --quiet "$root" "$repo"
cd "$repo"
same=$(git rev-parse HEAD)
git checkout --quiet -b regression
printf 'package shop_test\n\nimport "os"\n\n// The regression of scripts/gate-experiment.sh.\nfunc init() { os.Setenv("LOADGATE_SHOP_SLOWDOWN", "%s") }\n' "$SLOWDOWN" >examples/shop/regression_test.go
git add examples/shop/regression_test.go
git -c user.name=experiment -c user.email=experiment@localhost commit --quiet -m "a regression"
slower=$(git rev-parse HEAD)
git checkout --quiet --detach "$same"

echo "recording the baseline (5 runs) at $same" >&2
"$lg" baseline update ./examples/shop -run TestBaselineCheckout -baselines "$work/baselines" -progress off >"$work/update.txt" 2>&1 || {
	cat "$work/update.txt" >&2
	exit 1
}
flags=(-progress off)
if [[ $MODE == stored ]]; then
	flags+=(-base stored)
fi

# action_verdict DIR → the verdict the Action's binary gives on the runs in
# DIR (with DIR/base, or else the baseline), from-results with its default
# inputs.
action_verdict() {
	local dir=$1 res=$1.action compare=baseline
	mkdir -p "$res/head" "$res/baselines"
	cp "$dir"/*.json "$res/head/"
	if [[ -d $dir/base ]]; then
		compare=base-ref
		mkdir -p "$res/base"
		cp "$dir"/base/*.json "$res/base/"
	else
		cp "$work"/baselines/*.json "$res/baselines/"
	fi
	printf '{"schema":"loadgate.action/v1","compare":"%s","base_sha":"%s","count":12,"looks":3,"packages":["./examples/shop"],"run":"TestBaselineCheckout","working_directory":".","tests":[]}\n' "$compare" "$same" >"$res/loadgate-action.json"
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
		commit=$same
		[[ $kind == AB ]] && commit=$slower
		git checkout --quiet --detach "$commit"
		t0=$(date +%s.%N)
		status=0
		"$lg" run ./examples/shop -run TestBaselineCheckout -baselines "$work/baselines" \
			-out "$out" "${flags[@]}" >"$out.txt" 2>&1 || status=$?
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
