#!/usr/bin/env bash
# noise-experiment.sh: does baseline.Check keep its promise on this machine?
#
# "A change that makes p99 clearly worse fails; a change that changes
# nothing passes." The script records a baseline of the example shop's
# TestBaselineCheckout (examples/shop/baseline_test.go) with -count=5, then
# runs, interleaved, N A/A comparisons (unchanged code) and N A/B
# comparisons (orders made ~25% slower at p99: LOADGATE_SHOP_SLOWDOWN=0.4,
# 40% more signing work in the checkout handler, which is most but not all
# of an order's latency; 0.25 raised the measured p99 by only 13-15%),
# each with -count=5. With MODE=stored (the default) one baseline, recorded
# first, serves every comparison, as a baseline committed to the
# repository does; with MODE=fresh each comparison records its own
# baseline right before its head runs, as a CI job that runs the base
# commit and then the head on the same runner does. On the same data it
# scores two other gates:
#   - a 115% ratio rule on p99 of single runs, github-action-benchmark's
#     method: the first head run against one baseline run (with
#     MODE=stored the baseline's runs taken in turn, as a previous
#     commit's single run would be; with MODE=fresh the base's last run);
#   - benchstat on the runs exported in the Go benchmark format: a
#     significant increase of p99 (benchstat itself has no exit code, so
#     "regression" is what a script would read from its table).
# It prints one table. Nothing in the repository is written: the baseline
# and all outputs go to a temporary directory (kept with KEEP=1).
#
# Usage: scripts/noise-experiment.sh
# Environment: MODE (stored or fresh), N (comparisons of each kind,
# default 20), COUNT (runs a side, default 5), SLOWDOWN (default 0.4),
# LOADGATE_SCALE (stage length factor; the scenario is 0.5 s of warm-up and
# 2 s of load). MODE=stored takes about N * 2 * COUNT * 2.7 s: 9 minutes
# with the defaults; MODE=fresh twice that (LOADGATE_SCALE=0.5 halves it).
set -euo pipefail

MODE=${MODE:-stored}
[[ $MODE == stored || $MODE == fresh ]] || {
	echo "MODE=$MODE: want stored or fresh" >&2
	exit 2
}
N=${N:-20}
COUNT=${COUNT:-5}
SLOWDOWN=${SLOWDOWN:-0.4}
export LOADGATE_SCALE=${LOADGATE_SCALE:-1}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/loadgate-noise.XXXXXX")
if [[ "${KEEP:-0}" != 1 ]]; then
	trap 'rm -rf "$work"' EXIT
fi
echo "working in $work" >&2

benchstat=$(command -v benchstat || true)
if [[ -z "$benchstat" ]]; then
	gobin=$(go env GOBIN)
	benchstat=${gobin:-$(go env GOPATH)/bin}/benchstat
	[[ -x "$benchstat" ]] || go install golang.org/x/perf/cmd/benchstat@latest
fi

cd "$root/examples/shop"
go test -c -o "$work/shop.test" .
export LOADGATE_BASELINE_DIR="$work/baselines"
unset LOADGATE_UPDATE LOADGATE_UPDATE_ID LOADGATE_SHOP_SLOWDOWN LOADGATE_OUT

# run NAME [ENV=VALUE...]: one go test -count=$COUNT of the scenario; its
# output goes to NAME.log and its runs to NAME.txt (benchmark format).
run() {
	local name=$1
	shift
	env "$@" LOADGATE_BENCH_OUT="$work/$name.txt" "$work/shop.test" \
		-test.run '^TestBaselineCheckout$' -test.count="$COUNT" -test.v -test.timeout 10m \
		>"$work/$name.log" 2>&1 || true
}

# verdict NAME: what baseline.Check said after the last run.
verdict() {
	local v
	v=$(grep -Eo 'verdict: (PASS|WARN|INCONCLUSIVE|FAIL)' "$work/$1.log" | tail -1 | cut -d' ' -f2 || true)
	echo "${v:-ERROR}"
}

# p99s FILE: the p99 of each run, in nanoseconds.
p99s() {
	awk '/^BenchmarkLoad/ { for (i = 3; i < NF; i++) if ($(i + 1) == "p99-ns") print $i }' "$1"
}

# benchstat_p99 BASE HEAD: benchstat's "vs base" of p99: ~ or +12.34%.
benchstat_p99() {
	"$benchstat" -format csv "$1" "$2" 2>/dev/null |
		awk -F, 'want { print $6; exit } $2 == "p99-sec" { want = 1 }'
}

start=$(date +%s)
# record NAME DIR: a baseline of COUNT runs into DIR.
record() {
	run "$1" LOADGATE_UPDATE=1 LOADGATE_BASELINE_DIR="$2"
	if ! grep -q "recorded run $COUNT into" "$work/$1.log"; then
		echo "recording the baseline $1 failed:" >&2
		tail -40 "$work/$1.log" >&2
		exit 1
	fi
}
if [[ $MODE == stored ]]; then
	echo "recording the baseline ($COUNT runs)..." >&2
	record base "$LOADGATE_BASELINE_DIR"
	mapfile -t base_p99 < <(p99s "$work/base.txt")
fi

declare -A fails warns unsure errors ratio bs bs15
for kind in AA AB; do
	fails[$kind]=0 warns[$kind]=0 unsure[$kind]=0 errors[$kind]=0 ratio[$kind]=0 bs[$kind]=0 bs15[$kind]=0
done
for i in $(seq 1 "$N"); do
	# Interleaved, so that drift of the machine hits both kinds alike.
	for kind in AA AB; do
		slow=0
		[[ $kind == AB ]] && slow=$SLOWDOWN
		name=$kind-$i
		base=base
		dir=$LOADGATE_BASELINE_DIR
		if [[ $MODE == fresh ]]; then
			base=$name-base
			dir=$work/baselines-$name
			record "$base" "$dir"
		fi
		run "$name" LOADGATE_SHOP_SLOWDOWN="$slow" LOADGATE_BASELINE_DIR="$dir"
		v=$(verdict "$name")
		case $v in
		FAIL) fails[$kind]=$((fails[$kind] + 1)) ;;
		WARN) warns[$kind]=$((warns[$kind] + 1)) ;;
		INCONCLUSIVE) unsure[$kind]=$((unsure[$kind] + 1)) ;;
		PASS) ;;
		*) errors[$kind]=$((errors[$kind] + 1)) ;;
		esac
		head_p99=$(p99s "$work/$name.txt" | head -1)
		if [[ $MODE == stored ]]; then
			ref=${base_p99[$(((i - 1) % ${#base_p99[@]}))]}
		else
			ref=$(p99s "$work/$base.txt" | tail -1)
		fi
		if awk -v h="${head_p99:-0}" -v b="$ref" 'BEGIN { exit !(h > 1.15 * b) }'; then
			ratio[$kind]=$((ratio[$kind] + 1))
		fi
		delta=$(benchstat_p99 "$work/$base.txt" "$work/$name.txt")
		if [[ $delta == +* ]]; then
			bs[$kind]=$((bs[$kind] + 1))
			if awk -v d="${delta//[+%]/}" 'BEGIN { exit !(d > 15) }'; then
				bs15[$kind]=$((bs15[$kind] + 1))
			fi
		fi
		printf '%s: loadgate %s, first-run p99 %s ns vs %s ns, benchstat p99 %s\n' \
			"$name" "$v" "${head_p99:-?}" "$ref" "${delta:-?}" >&2
	done
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
med_base=$(cat "$work"/*base.txt | p99s /dev/stdin | median)
# heads KIND: the head runs' files of one kind (not the fresh baselines).
heads() { find "$work" -maxdepth 1 -name "$1-*.txt" ! -name '*-base.txt' -exec cat {} +; }
med_aa=$(heads AA | p99s /dev/stdin | median)
med_ab=$(heads AB | p99s /dev/stdin | median)
elapsed=$(($(date +%s) - start))

echo
printf 'Noise experiment (MODE=%s): examples/shop TestBaselineCheckout, %d runs a side, %d A/A and %d A/B comparisons, slowdown %s, LOADGATE_SCALE=%s, %d s in all\n' \
	"$MODE" "$COUNT" "$N" "$N" "$SLOWDOWN" "$LOADGATE_SCALE" "$elapsed"
printf 'p99 medians over all runs: baseline %s ns, A/A %s ns, A/B %s ns (A/B vs A/A: %s)\n\n' "$med_base" "$med_aa" "$med_ab" \
	"$(awk -v a="$med_aa" -v b="$med_ab" 'BEGIN { if (a > 0) printf "%+.1f%%", 100 * (b / a - 1); else print "?" }')"
printf '| %-52s | %-17s | %-17s |\n' "gate" "A/A false alarms" "A/B detected"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..19})" "$(printf -- '-%.0s' {1..19})"
row() { printf '| %-52s | %8s of %-5s | %8s of %-5s |\n' "$1" "$2" "$N" "$3" "$N"; }
row "loadgate baseline.Check fails (default policy)" "${fails[AA]}" "${fails[AB]}"
row "loadgate baseline.Check fails or warns" "$((fails[AA] + warns[AA]))" "$((fails[AB] + warns[AB]))"
row "loadgate baseline.Check inconclusive (noise > 15%)" "${unsure[AA]}" "${unsure[AB]}"
row "115% ratio rule on p99, one run a side" "${ratio[AA]}" "${ratio[AB]}"
row "benchstat: p99 significantly higher (any amount)" "${bs[AA]}" "${bs[AB]}"
row "benchstat: p99 significantly higher by over 15%" "${bs15[AA]}" "${bs15[AB]}"
if ((errors[AA] + errors[AB] > 0)); then
	printf '\n%d A/A and %d A/B runs gave no verdict (test errors); see the logs (KEEP=1).\n' "${errors[AA]}" "${errors[AB]}"
fi
