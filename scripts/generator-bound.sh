#!/usr/bin/env bash
# generator-bound.sh: does loadgate say when the load generator, not the
# service, was the bottleneck (issue 21), and only then?
#
# (a) hog: runs four of the example shop's load tests through loadgate run
#     with the whole process tree (loadgate, go test, the test binary with
#     its in-process shop) and two busy loops pinned to one CPU with
#     taskset, the busy loops bounded by HOG_SECONDS. Each scenario should
#     be marked generator-bound; the script prints loadgate's notes and
#     verdict line and a table of the generator's figures.
# (b) repeat: runs the README's first command, loadgate run ./examples/...,
#     N times on the machine as it is, and counts the runs marked
#     generator-bound per scenario: on an idle machine, none should be. It
#     prints the machine's CPU pressure during each run (the share of the
#     time some task waited for a CPU, from /proc/pressure/cpu), because
#     other work on the machine delays the generator as a busy loop does.
#
# Usage: scripts/generator-bound.sh [hog|repeat|all]    (default all)
# Environment: N (runs of (b), default 20), HOG_SECONDS (default 120),
# KEEP=1 keeps the results in the temporary directory it prints.
# Needs Linux (taskset, /proc/pressure/cpu), jq and Go. (a) takes about a
# minute, (b) about 35 s a run: 12 minutes with N=20. Not part of CI.
set -euo pipefail

what=${1:-all}
case $what in hog | repeat | all) ;; *)
	echo "usage: $0 [hog|repeat|all]" >&2
	exit 2
	;;
esac
N=${N:-20}
HOG_SECONDS=${HOG_SECONDS:-120}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "N=$N: want a positive number of runs" >&2; exit 2; }
[[ $HOG_SECONDS =~ ^[1-9][0-9]*$ ]] || { echo "HOG_SECONDS=$HOG_SECONDS: want a positive number of seconds" >&2; exit 2; }
for tool in jq taskset go; do
	command -v "$tool" >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }
done
[[ -r /proc/pressure/cpu ]] || echo "note: no /proc/pressure/cpu: the machine's CPU pressure is not shown" >&2

cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
hogs=()
cleanup() {
	for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
	if [[ ${KEEP:-} == 1 ]]; then echo "results kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

lg=$tmp/loadgate
go build -o "$lg" ./cmd/loadgate

# stall_us prints the microseconds some task has waited for a CPU since
# boot (0 without pressure information).
stall_us() {
	if [[ -r /proc/pressure/cpu ]]; then
		awk '/^some/ { sub("total=", "", $5); print $5 }' /proc/pressure/cpu
	else
		echo 0
	fi
}

# figures prints a line per result file under dir: run, scenario, model,
# CPU share (%), send lag p90 and p99 (µs), scheduler latency p99 (µs),
# bound, reasons.
figures() {
	local dir=$1 run=$2
	for f in "$dir"/*.json; do
		[[ -e $f ]] || continue
		jq -r --arg run "$run" '
			(.generator // {}) as $g |
			[$run, .scenario, .load.model,
			 (($g.cpu_share // 0) * 100 | round),
			 (($g.send_lag_p90_ns // 0) / 1000 | round),
			 (($g.send_lag_p99_ns // 0) / 1000 | round),
			 (($g.sched_latency_p99_ns // 0) / 1000 | round),
			 ($g.bound // false),
			 (($g.reasons // []) | join("; "))] | @tsv' "$f"
	done
}

print_figures() {
	{
		printf 'run\tscenario\tmodel\tCPU %%\tlag p90 µs\tlag p99 µs\tsched p99 µs\tbound\twhy\n'
		cat "$1"
	} | column -t -s $'\t'
}

if [[ $what == hog || $what == all ]]; then
	echo "== (a) the example shop beside two busy loops, all pinned to CPU 0"
	# Build and link first, unpinned: the busy loops should slow the load,
	# not the compiler.
	"$lg" run -run '^$' -out "$tmp/warm" ./examples/shop >/dev/null 2>&1 || true
	for _ in 1 2; do
		taskset -c 0 timeout "$HOG_SECONDS" sh -c 'while :; do :; done' &
		hogs+=($!)
	done
	start=$(date +%s)
	taskset -c 0 "$lg" run -run 'TestLoad(Catalogue|Mix|Ramp|Checkout)$' -out "$tmp/hog" ./examples/shop >"$tmp/hog.txt" 2>&1 || true
	for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	hogs=()
	echo "loadgate run took $(($(date +%s) - start)) s; what it said:"
	grep -E '^note: .*generator-bound|^(PASS|WARN|FAIL|INCONCLUSIVE): ' "$tmp/hog.txt" || true
	echo
	figures "$tmp/hog" hog >"$tmp/hog.tsv"
	print_figures "$tmp/hog.tsv"
	marked=$(awk -F'\t' '$8 == "true"' "$tmp/hog.tsv" | wc -l)
	echo "marked generator-bound: $marked of $(wc -l <"$tmp/hog.tsv") scenarios"
	echo
fi

if [[ $what == repeat || $what == all ]]; then
	echo "== (b) loadgate run ./examples/... on the machine as it is, $N times"
	printf 'run\tseconds\tCPU pressure\tmarked\n' >"$tmp/runs.tsv"
	: >"$tmp/all.tsv"
	for i in $(seq 1 "$N"); do
		s0=$(stall_us)
		t0=$(date +%s%N)
		"$lg" run -out "$tmp/run-$i" ./examples/... >"$tmp/run-$i.txt" 2>&1 || true
		t1=$(date +%s%N)
		s1=$(stall_us)
		figures "$tmp/run-$i" "$i" >"$tmp/run-$i.tsv"
		cat "$tmp/run-$i.tsv" >>"$tmp/all.tsv"
		marked=$(awk -F'\t' '$8 == "true"' "$tmp/run-$i.tsv" | wc -l)
		wall_us=$(((t1 - t0) / 1000))
		printf '%d\t%d\t%d%%\t%d of %d\n' "$i" $((wall_us / 1000000)) $((100 * (s1 - s0) / wall_us)) "$marked" "$(wc -l <"$tmp/run-$i.tsv")" >>"$tmp/runs.tsv"
		echo "run $i of $N: $marked scenarios marked generator-bound" >&2
	done
	echo "each run (CPU pressure: the share of the run's time some task on the machine waited for a CPU):"
	column -t -s $'\t' "$tmp/runs.tsv"
	echo
	echo "each scenario over the $N runs (the largest figure of any run):"
	{
		printf 'scenario\tmodel\truns\tmarked\tCPU %%\tlag p90 µs\tlag p99 µs\tsched p99 µs\n'
		sort -t $'\t' -k2,2 -k1,1n "$tmp/all.tsv" | awk -F'\t' -v OFS='\t' '
			{
				k = $2; if (!(k in runs)) order[++n] = k
				model[k] = $3; runs[k]++; if ($8 == "true") marked[k]++
				if ($4 > cpu[k]) cpu[k] = $4; if ($5 > p90[k]) p90[k] = $5
				if ($6 > p99[k]) p99[k] = $6; if ($7 > sch[k]) sch[k] = $7
			}
			END {
				for (i = 1; i <= n; i++) {
					k = order[i]; l90 = p90[k] + 0; l99 = p99[k] + 0
					if (model[k] == "closed") l90 = l99 = "-" # no schedule to be late for
					print k, model[k], runs[k], marked[k] + 0, cpu[k] + 0, l90, l99, sch[k] + 0
				}
			}'
	} | column -t -s $'\t'
	total=$(wc -l <"$tmp/all.tsv")
	marked=$(awk -F'\t' '$8 == "true"' "$tmp/all.tsv" | wc -l)
	echo "marked generator-bound: $marked of $total scenario runs"
	if ((marked > 0)); then
		echo "why:"
		awk -F'\t' '$8 == "true" { print "  run " $1 " " $2 ": " $9 }' "$tmp/all.tsv"
	fi
fi
