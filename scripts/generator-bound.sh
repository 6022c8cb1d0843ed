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
# (c) gate: what a generator-bound run does to the gate. The shop's
#     TestBaselineCheckout runs 5 times a side, base and head interleaved
#     as the Action runs them (compared once, by loadgate compare at alpha
#     0.05, as the Action does with count: 5), with two busy loops pinned beside some runs
#     (base run 5 and head run 3, as a busy CI machine did to the Action
#     end to end on 2 December). Twice: with the same code on both sides,
#     where the gate must not fail, and with a head whose checkout is
#     twice as slow (LOADGATE_SHOP_SLOWDOWN=1), where it must find the
#     regression on the runs that were not generator-bound. The script
#     prints loadgate compare's verdict for each and fails if either is
#     wrong.
# (d) looks: what a generator-bound run does to the runs loadgate run adds
#     while a verdict is unclear (its default, and the Action's count:
#     auto). A baseline of TestBaselineCheckout (5 runs) is stored, then
#     loadgate run -base stored compares the head with it three times:
#     with two busy loops pinned beside the first run only (the first look's
#     single run is generator-bound; the runs added after it are not), for
#     the same code and for a checkout twice as slow; and with the busy
#     loops beside every run. The first two must be judged on the runs that
#     were not generator-bound (the same code not failing, the slower
#     failing), the third must stop at the second look (8 runs),
#     inconclusive, rather than run to 12.
#
# Usage: scripts/generator-bound.sh [hog|repeat|gate|looks|all]    (default all)
# Environment: N (runs of (b), default 20), HOG_SECONDS (default 120),
# KEEP=1 keeps the results in the temporary directory it prints.
# Needs Linux (taskset, /proc/pressure/cpu), jq and Go. (a) takes about a
# minute, (b) about 35 s a run: 12 minutes with N=20; (c) about 80 s;
# (d) about 3 minutes.
# Not part of CI.
set -euo pipefail

what=${1:-all}
case $what in hog | repeat | gate | looks | all) ;; *)
	echo "usage: $0 [hog|repeat|gate|looks|all]" >&2
	exit 2
	;;
esac
N=${N:-20}
HOG_SECONDS=${HOG_SECONDS:-120}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "N=$N: want a positive number of runs" >&2; exit 2; }
[[ $HOG_SECONDS =~ ^[1-9][0-9]*$ ]] || { echo "HOG_SECONDS=$HOG_SECONDS: want a positive number of seconds" >&2; exit 2; }
for tool in jq taskset pgrep go; do
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
	local dir=$1 run=$2 f
	for f in "$dir"/*.json; do
		[[ -e $f ]] || continue
		figures_one "$f" "$run"
	done
}

# figures_one prints the line of figures of one result file.
figures_one() {
	jq -r --arg run "$2" '
			(.generator // {}) as $g |
			[$run, .scenario, .load.model,
			 (($g.cpu_share // 0) * 100 | round),
			 (($g.send_lag_p90_ns // 0) / 1000 | round),
			 (($g.send_lag_p99_ns // 0) / 1000 | round),
			 (($g.sched_latency_p99_ns // 0) / 1000 | round),
			 ($g.bound // false),
			 (($g.reasons // []) | join("; "))] | @tsv' "$1"
}

print_figures() {
	{
		printf 'run\tscenario\tmodel\tCPU %%\tlag p90 µs\tlag p99 µs\tsched p99 µs\tbound\twhy\n'
		cat "$1"
	} | column -t -s $'\t'
}

# busy_loops starts two busy loops (or $1) pinned to CPU 0, bounded by
# HOG_SECONDS, and records their pids in hogs; stop_busy_loops ends them.
busy_loops() {
	for _ in $(seq 1 "${1:-2}"); do
		taskset -c 0 timeout "$HOG_SECONDS" sh -c 'while :; do :; done' &
		hogs+=($!)
	done
}
stop_busy_loops() {
	local pid
	for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${hogs[@]}"; do wait "$pid" 2>/dev/null || true; done
	hogs=()
}

if [[ $what == hog || $what == all ]]; then
	echo "== (a) the example shop beside two busy loops, all pinned to CPU 0"
	# Build and link first, unpinned: the busy loops should slow the load,
	# not the compiler.
	"$lg" run -run '^$' -out "$tmp/warm" ./examples/shop >/dev/null 2>&1 || true
	busy_loops
	start=$(date +%s)
	taskset -c 0 "$lg" run -run 'TestLoad(Catalogue|Mix|Ramp|Checkout)$' -out "$tmp/hog" ./examples/shop >"$tmp/hog.txt" 2>&1 || true
	stop_busy_loops
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

if [[ $what == gate || $what == all ]]; then
	echo "== (c) the gate: 5 runs a side interleaved, busy loops beside base run 5 and head run 3"
	gate_ok=1
	# one_run side i slowdown: one run of TestBaselineCheckout into
	# $tmp/gate-$kind/side, beside the busy loops for base 5 and head 3.
	one_run() {
		local side=$1 i=$2 slow=$3 pin=()
		if [[ $side-$i == base-5 || $side-$i == head-3 ]]; then
			busy_loops
			pin=(taskset -c 0)
		fi
		LOADGATE_OUT="$tmp/gate-$kind/$side" LOADGATE_SHOP_SLOWDOWN=$slow \
			"${pin[@]}" go test -count=1 -run '^TestBaselineCheckout$' ./examples/shop >>"$tmp/gate-$kind.log" 2>&1 || true
		stop_busy_loops
	}
	go test -count=1 -run '^$' ./examples/shop >/dev/null # build before the first run
	for kind in same slower; do
		slow=
		[[ $kind == slower ]] && slow=1
		for i in 1 2 3 4 5; do
			one_run base "$i" ""
			one_run head "$i" "$slow"
		done
		status=0
		"$lg" compare "$tmp/gate-$kind/base" "$tmp/gate-$kind/head" >"$tmp/gate-$kind.txt" 2>&1 || status=$?
		for side in base head; do figures "$tmp/gate-$kind/$side" "$side"; done >"$tmp/gate-$kind.tsv"
		what_ran="the same code on both sides"
		[[ $kind == slower ]] && what_ran="a head whose checkout is twice as slow"
		echo "-- $what_ran: loadgate compare exit status $status"
		print_figures "$tmp/gate-$kind.tsv"
		grep -E '^ +(p50|p99|throughput) |^verdict|^  - |^  note: .*generator-bound' "$tmp/gate-$kind.txt" || true
		echo
		bound=$(awk -F'\t' '$8 == "true"' "$tmp/gate-$kind.tsv" | wc -l)
		if ((bound == 0)); then
			echo "WRONG: the busy loops made no run generator-bound: nothing was tested"; gate_ok=0
		fi
		case $kind-$status in
		same-1) echo "WRONG: the same code failed the gate (the rank test false-alarms on identical code now and then: see the reasons above, run again)"; gate_ok=0 ;;
		slower-1) grep -qE '^  - p(50|90|99|999) .*over [0-9]+% tolerance; without [0-9]+ generator-bound runs?$' "$tmp/gate-$kind.txt" ||
			{ echo "WRONG: the regression failed the gate, but not on a latency judged without the generator-bound runs"; gate_ok=0; } ;;
		slower-*) echo "WRONG: the slower checkout did not fail the gate (exit $status)"; gate_ok=0 ;;
		esac
	done
	((gate_ok)) || exit 1
	echo "gate: the same code did not fail; the slower checkout failed on the runs that were not generator-bound"
fi

# unpin_tree lets process pid, its threads and its descendants run on
# every CPU again; the processes they start later inherit that.
unpin_tree() {
	taskset -a -p -c "0-$(($(nproc) - 1))" "$1" >/dev/null 2>&1 || true
	local child
	for child in $(pgrep -P "$1"); do unpin_tree "$child"; done
}

if [[ $what == looks || $what == all ]]; then
	echo "== (d) the runs added look by look, with two busy loops beside the first run, or beside every run"
	looks_ok=1
	scenario=checkout_at_150_per_second
	"$lg" run -run '^TestBaselineCheckout$' -count 5 -update -baselines "$tmp/looks-baseline" -out "$tmp/looks-recorded" ./examples/shop >"$tmp/looks-record.txt" 2>&1 ||
		{ echo "recording the baseline failed:"; cat "$tmp/looks-record.txt"; exit 1; }
	for kind in first-same first-slower every-same; do
		slow=
		[[ $kind == *-slower ]] && slow=1
		out=$tmp/looks-$kind
		# The whole process tree starts on CPU 0 beside two busy loops; with
		# kind first-*, once the first run's result is written the loops
		# stop and the tree may use every CPU again.
		busy_loops
		LOADGATE_SHOP_SLOWDOWN=$slow taskset -c 0 "$lg" run -progress plain -base stored -baselines "$tmp/looks-baseline" \
			-out "$out" -run '^TestBaselineCheckout$' ./examples/shop >"$tmp/looks-$kind.txt" 2>&1 &
		pid=$!
		if [[ $kind == first-* ]]; then
			while [[ ! -e $out/$scenario.json ]] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
			stop_busy_loops
			unpin_tree "$pid"
		fi
		status=0
		wait "$pid" || status=$?
		stop_busy_loops
		runs=$(ls "$out/$scenario".*json 2>/dev/null | wc -l)
		: >"$tmp/looks-$kind.tsv"
		for i in $(seq 1 "$runs"); do
			f=$out/$scenario.$i.json
			((i > 1)) || f=$out/$scenario.json
			[[ -e $f ]] && figures_one "$f" "$i" >>"$tmp/looks-$kind.tsv"
		done
		# The comparison, from "== baselines" to the next section.
		awk '/^== / { on = ($0 == "== baselines") } on' "$tmp/looks-$kind.txt" >"$tmp/looks-$kind.cmp"
		verdict=$(grep -E "^(PASS|WARN|FAIL|INCONCLUSIVE) +checkout at 150 per second: " "$tmp/looks-$kind.cmp" | head -1)
		echo "-- $kind: loadgate run exit status $status, $runs head runs"
		print_figures "$tmp/looks-$kind.tsv"
		echo "$verdict"
		grep -E '^ +(p50|p99|throughput) |^  - ' "$tmp/looks-$kind.cmp" || true
		echo
		bound=$(awk -F'\t' '$8 == "true"' "$tmp/looks-$kind.tsv" | wc -l)
		first_bound=$(awk -F'\t' 'NR == 1 { print $8 }' "$tmp/looks-$kind.tsv")
		[[ -n $verdict ]] || { echo "WRONG: loadgate run printed no comparison with the baseline (see $tmp/looks-$kind.txt with KEEP=1)"; looks_ok=0; }
		case $kind in
		first-*)
			[[ $first_bound == true ]] || { echo "WRONG: the busy loop did not make the first run generator-bound: nothing was tested"; looks_ok=0; }
			((runs >= 5)) || { echo "WRONG: the generator-bound first run was judged alone, without the runs the next look adds"; looks_ok=0; }
			;;
		esac
		case $kind in
		first-same)
			[[ $verdict == FAIL* ]] && { echo "WRONG: the same code failed the comparison (the rank test false-alarms on identical code now and then: see the reasons above, run again)"; looks_ok=0; }
			;;
		first-slower)
			if [[ $verdict != FAIL* ]]; then
				echo "WRONG: the slower checkout did not fail the comparison"; looks_ok=0
			elif ((bound == 1)) && ! grep -qE '^  - p(50|90|99|999) .*over [0-9]+% tolerance; without 1 generator-bound run$' "$tmp/looks-$kind.cmp"; then
				echo "WRONG: the regression failed, but not on a latency judged without the generator-bound run"; looks_ok=0
			fi
			;;
		every-same)
			((bound * 2 > runs)) || { echo "WRONG: the busy loops beside every run made only $bound of $runs runs generator-bound: nothing was tested"; looks_ok=0; }
			[[ $verdict == INCONCLUSIVE* ]] || { echo "WRONG: with every run generator-bound the verdict is not inconclusive"; looks_ok=0; }
			# The look of 5 runs always adds more (a burst of marks may pass);
			# from the look of 8 on, most runs bound settle it.
			((runs == 8)) || { echo "WRONG: with most runs generator-bound, loadgate ran $runs, not 8 (the second look): more runs on a machine this busy would be bound too"; looks_ok=0; }
			;;
		esac
	done
	((looks_ok)) || exit 1
	echo "looks: a generator-bound first run got the runs of the next look and was left out of the judgement; generator-bound runs one after another stopped the looks at the second (8 runs), inconclusive"
fi
