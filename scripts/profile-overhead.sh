#!/usr/bin/env bash
# profile-overhead.sh: what does profiling the load window cost (issue 15)?
#
# Runs two load tests of the example shop, whose server runs in the test
# process, with profiling off and on (LOADGATE_PROFILE), interleaved (off,
# on, then on, off in the next round, so that drift of the machine hits
# both alike), and prints one table: the median over the rounds of
# throughput, p99 and CPU per request, off and on, the change of the
# medians and the median (and range) of the rounds' paired changes, with
# the machine's load average as the runs started.
#
#   closed  TestLoadCheckout at LOADGATE_RATE_SCALE=$CLOSED_SCALE: 8 users
#           times that, thinking 20 ms, each placing orders (4 requests and
#           a checkout signed with ~1.5 ms of CPU): enough users to keep the
#           2-core machine busy, so throughput is what the CPU allows.
#   open    TestBaselineCheckout at LOADGATE_RATE_SCALE=$OPEN_SCALE: orders
#           arriving at 150/s times that; throughput is the arrival rate,
#           the cost shows in p99.
#
# Every request goes to 127.0.0.1; each run is bounded (2.5 s of load and a
# 2 minute -test.timeout). Nothing in the repository is written: results go
# to a temporary directory (kept with KEEP=1). The machine should be quiet:
# other work on it moves these figures by more than profiling does.
#
# Usage: scripts/profile-overhead.sh
# Environment: ROUNDS (default 7), PROFILE (the profiles taken when on,
# default cpu,heap; all adds goroutine, mutex and block), CLOSED_SCALE
# (default 4), OPEN_SCALE (default 2). About ROUNDS * 4 * 4 s: 2 minutes
# with the defaults.
set -euo pipefail

ROUNDS=${ROUNDS:-7}
PROFILE=${PROFILE:-cpu,heap}
CLOSED_SCALE=${CLOSED_SCALE:-4}
OPEN_SCALE=${OPEN_SCALE:-2}

command -v jq >/dev/null || {
	echo "profile-overhead.sh needs jq" >&2
	exit 2
}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/loadgate-profile-overhead.XXXXXX")
if [[ "${KEEP:-0}" != 1 ]]; then
	trap 'rm -rf "$work"' EXIT
fi
echo "working in $work" >&2

cd "$root/examples/shop"
go test -c -o "$work/shop.test" .
# No stored baseline: TestBaselineCheckout then only measures.
export LOADGATE_BASELINE_DIR="$work/no-baselines"
unset LOADGATE_UPDATE LOADGATE_UPDATE_ID LOADGATE_SHOP_SLOWDOWN LOADGATE_TARGET LOADGATE_SCALE LOADGATE_PROFILE

declare -A tests=([closed]='^TestLoadCheckout$' [open]='^TestBaselineCheckout$')
declare -A scales=([closed]=$CLOSED_SCALE [open]=$OPEN_SCALE)

# run MODEL SETTING ROUND: one run into $work/MODEL-SETTING/.
run() {
	local model=$1 setting=$2 round=$3 profile=
	[[ $setting == on ]] && profile=$PROFILE
	LOADGATE_OUT="$work/$model-$setting" LOADGATE_PROFILE="$profile" LOADGATE_RATE_SCALE="${scales[$model]}" \
		"$work/shop.test" -test.run "${tests[$model]}" -test.count 1 -test.timeout 2m \
		>>"$work/$model-$setting.log" 2>&1 || true
	local n
	n=$(find "$work/$model-$setting" -maxdepth 1 -name '*.json' | wc -l)
	if ((n != round)); then
		echo "$model, profiling $setting, round $round wrote no result; its log:" >&2
		tail -30 "$work/$model-$setting.log" >&2
		exit 1
	fi
	# The run's figures, by round, for the paired changes.
	jq -r --arg m "$model" --arg s "$setting" --arg r "$round" --arg l "$load" \
		'[$m, $s, $r, .throughput, .latency.p99_ns / 1e6, .runtime.cpu_seconds * 1e6 / .requests, $l] | @tsv' \
		"$(ls -t "$work/$model-$setting"/*.json | head -1)" >>"$work/figures.tsv"
}

for round in $(seq 1 "$ROUNDS"); do
	order="off on"
	((round % 2 == 0)) && order="on off"
	for model in closed open; do
		for setting in $order; do
			load=$(cut -d' ' -f1 /proc/loadavg) # the 1-minute load average as the run starts
			run "$model" "$setting" "$round"
		done
	done
	echo "round $round of $ROUNDS done" >&2
done

# median: the median of the numbers on standard input.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# column MODEL SETTING N: column N of figures.tsv for the runs of MODEL
# with profiling SETTING, by round.
column() {
	awk -F'\t' -v m="$1" -v s="$2" -v c="$3" '$1 == m && $2 == s { print $3 "\t" $c }' "$work/figures.tsv" | sort -n | cut -f2
}

# Runs stopped early (a Unique feed of shoppers running out) are not
# comparable: say so.
if stopped=$(jq -r 'select(.stopped != null) | input_filename + ": " + .stopped.reason' "$work"/*/*.json) && [[ -n $stopped ]]; then
	echo "warning: runs that stopped early:" >&2
	echo "$stopped" >&2
fi

# The table: medians over the rounds, off and on; the change of the
# medians; and the paired change, the median (and range) over the rounds
# of each round's on/off, which the machine's drift between rounds does
# not move.
printf '%s rounds, profiles %s, on %s (%s CPUs), %s\n' "$ROUNDS" "$PROFILE" "$(uname -sm)" "$(nproc)" "$(go version | cut -d' ' -f3)"
printf 'load average (1 minute) as the runs started: min %s, median %s, max %s\n' \
	"$(cut -f7 "$work/figures.tsv" | sort -g | head -1)" "$(cut -f7 "$work/figures.tsv" | median)" "$(cut -f7 "$work/figures.tsv" | sort -g | tail -1)"
printf '%-7s %-12s %10s %10s %8s %22s\n' model figure off on change "paired (min..max)"
for model in closed open; do
	for f in 'throughput|4|%.1f/s' 'p99|5|%.2fms' 'CPU/request|6|%.0fµs'; do
		IFS='|' read -r name col fmt <<<"$f"
		off=$(column "$model" off "$col" | median)
		on=$(column "$model" on "$col" | median)
		paired=$(paste <(column "$model" off "$col") <(column "$model" on "$col") |
			awk -F'\t' '{ print ($1 == 0 ? 0 : 100 * ($2 / $1 - 1)) }' | sort -g)
		printf "%-7s %-12s %10s %10s %+7.1f%% %+8.1f%% (%+.1f..%+.1f)\n" "$model" "$name" "$(printf "$fmt" "$off")" "$(printf "$fmt" "$on")" \
			"$(awk -v a="$off" -v b="$on" 'BEGIN { print (a == 0 ? 0 : 100 * (b / a - 1)) }')" \
			"$(median <<<"$paired")" "$(head -1 <<<"$paired")" "$(tail -1 <<<"$paired")"
	done
done
