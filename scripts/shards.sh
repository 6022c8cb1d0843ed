#!/usr/bin/env bash
# scripts/shards.sh measures sharded runs on this machine with local
# processes, and prints the figures of docs/SHARDS.md as Markdown rows
# (issue 16). Every generator is a shardgen process (perf/shardgen) given
# LOADGATE_SHARD=i/N and one LOADGATE_START_AT, started STAGGER apart, all
# loading one perf/server on 127.0.0.1; loadgate merge joins their results
# and shardgen check reads the figures. Not part of CI; about two minutes
# with the defaults.
#
#   scripts/shards.sh                 # every section
#   SECTIONS=co scripts/shards.sh     # one of them
#
# Sections:
#   rate  4 shards of a 10,000/s load (2,500/s each), DUR long: the merged
#         rate, the busiest merged second, the merged p99 against the
#         shards' histograms added up and against every raw latency pooled
#   co    3 shards of a 1,000/s load against a server that freezes 200 ms
#         every 2 s (perf/server -stall), 10 s: the merged p99 against the
#         analytic 180 ms
#   skew  SKEW_ROUNDS runs of 4 shards of a light load (400/s, 2 s), each
#         shard started STAGGER after the one before: the start skews
#
# Settings (environment): SECTIONS (rate co skew), DUR (10s), RATE (10000),
# STAGGER (0.7, seconds), LEAD (seconds from the first start to
# LOADGATE_START_AT, 5), SKEW_ROUNDS (5), OUT (a new temporary directory).
set -euo pipefail

cd "$(dirname "$0")/.."
SECTIONS=${SECTIONS:-rate co skew}
DUR=${DUR:-10s}
RATE=${RATE:-10000}
STAGGER=${STAGGER:-0.7}
LEAD=${LEAD:-5}
SKEW_ROUNDS=${SKEW_ROUNDS:-5}
OUT=${OUT:-$(mktemp -d -t loadgate-shards.XXXXXX)}
mkdir -p "$OUT"
bin=$OUT/bin
mkdir -p "$bin"
go build -o "$bin/server" ./perf/server
go build -o "$bin/shardgen" ./perf/shardgen
go build -o "$bin/loadgate" ./cmd/loadgate

server_pid=
stop_server() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=
	fi
}
trap stop_server EXIT

# start_server ARGS...: starts perf/server and sets url.
start_server() {
	"$bin/server" -addr 127.0.0.1:0 -max-life 10m "$@" >"$OUT/server.out" 2>&1 &
	server_pid=$!
	url=
	for _ in $(seq 100); do
		url=$(head -n 1 "$OUT/server.out" 2>/dev/null || true)
		[[ $url == http* ]] && return
		sleep 0.05
	done
	echo "server did not start: $(cat "$OUT/server.out")" >&2
	exit 1
}

# shards DIR N RATE DUR: runs N shards of a load of RATE/s for DUR into
# DIR/shards (results) and DIR/raw-<i>.bin, each started STAGGER after the
# one before, all at one LOADGATE_START_AT; then merges them into
# DIR/merged.
shards() {
	local dir=$1 n=$2 rate=$3 dur=$4 pids=() i at
	mkdir -p "$dir"
	at=$(date -u -d "+$LEAD seconds" +%Y-%m-%dT%H:%M:%S.%3NZ)
	for i in $(seq "$n"); do
		LOADGATE_SHARD=$i/$n LOADGATE_START_AT=$at LOADGATE_COMMIT=shards.sh \
			"$bin/shardgen" run -url "$url" -rate "$rate" -d "$dur" -out "$dir/shards" -raw "$dir/raw-$i.bin" \
			>"$dir/shard-$i.log" 2>&1 &
		pids+=($!)
		sleep "$STAGGER"
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			echo "shard $((i + 1)) failed:" >&2
			cat "$dir/shard-$((i + 1)).log" >&2
			exit 1
		fi
	done
	"$bin/loadgate" merge -out "$dir/merged" "$dir/shards" >"$dir/merge.log"
}

echo "| run | figure | measured |"
echo "|---|---|---|"
for section in $SECTIONS; do
	case $section in
	rate)
		start_server
		shards "$OUT/rate" 4 "$RATE" "$DUR"
		"$bin/shardgen" check -label "4 × $((RATE / 4))/s" -merged "$OUT/rate/merged/shards.json" -shards "$OUT/rate/shards" -raw "$OUT/rate/raw-*.bin"
		stop_server
		;;
	co)
		start_server -stall -period 2s -window 200ms
		shards "$OUT/co" 3 1000 10s
		"$bin/shardgen" check -label "3 shards of 1,000/s, stalls" -merged "$OUT/co/merged/shards.json" -shards "$OUT/co/shards"
		stop_server
		;;
	skew)
		start_server
		for r in $(seq "$SKEW_ROUNDS"); do
			shards "$OUT/skew-$r" 4 400 2s
			"$bin/shardgen" check -label "skew round $r" -merged "$OUT/skew-$r/merged/shards.json" -shards "$OUT/skew-$r/shards" |
				grep 'start skew'
		done
		stop_server
		;;
	*)
		echo "unknown section $section" >&2
		exit 2
		;;
	esac
done
echo
echo "(raw outputs in $OUT; machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))"
