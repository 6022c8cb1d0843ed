#!/usr/bin/env bash
# update-race.sh: does an update of a baseline lose anything, or pass by
# accident, when it races another or is killed? (issue 20)
#
# On the example shop's TestBaselineCheckout, with the baselines in a
# temporary directory (-baselines, LOADGATE_BASELINE_DIR), it records a
# baseline, then:
#   1. runs two `loadgate baseline update` at once;
#   2. runs two `LOADGATE_UPDATE=1 go test -count=5` at once;
#   3. runs `loadgate baseline update` and `go test` at once;
#   4. kills a `LOADGATE_UPDATE_ID=fixed go test` (and its test binary)
#      after 2 of 5 runs, then runs it again with the same id;
#   5. kills `go test` alone (not its test binary) after 1 run;
#   6. kills `loadgate baseline update` alone (not its go test) after 1 run;
# and after each prints what each command exited with, the lines its
# tests' baseline.Check wrote, the baseline's sha256 and run count, and
# what else is in the directory. It waits for every process it started,
# and kills only those, by their id. Nothing in the repository is written.
#
# Usage: scripts/update-race.sh          (about 3 minutes on 2 cores)
# Environment: KEEP=1 keeps the work directory.
set -u
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/update-race.XXXXXX")
trap '[ "${KEEP:-}" = 1 ] && echo "kept $work" || rm -rf "$work"' EXIT
B=$work/baselines
L=$work/loadgate
RUN='^TestBaselineCheckout$'
PKG=./examples/shop
FILE=$B/checkout_at_150_per_second.json
STAGED=$B/.checkout_at_150_per_second.json.staged
go build -o "$L" ./cmd/loadgate || exit 1
go test -c -o /dev/null "$PKG" || exit 1 # compile once, before the races

say() { printf '%s\n' "$*"; }

# state: the baseline's sha256 and runs, and what else the directory holds.
state() {
  if [ -f "$FILE" ]; then
    say "  baseline: sha256 $(sha256sum "$FILE" | cut -c1-64), $(python3 -c "import json,sys; b=json.load(open(sys.argv[1])); print(len(b['runs']), 'runs of', b['update_id'])" "$FILE")"
  else
    say "  baseline: none"
  fi
  local other
  other=$(cd "$B" && ls -A | grep -vx "$(basename "$FILE")" | tr '\n' ' ')
  say "  else in the directory: ${other:-nothing}"
}

# show NAME: exit status and what baseline.Check and loadgate said.
show() {
  say "  $1: exit $(cat "$work/$1.rc")"
  grep -hoE '(baseline\.Check: .*|loadgate baseline update: .*|loadgate: dropped .*|NOT RECORDED .*|^none.*|^(PASS|FAIL): .*)' "$work/$1.out" |
    sed -E 's/(ran alongside this one|is recording it|met another update of it).*/\1 …/' | sort | uniq -c | sed 's/^/    /'
}

update() { "$L" baseline update "$PKG" -run "$RUN" -baselines "$B" -progress off -out "$work/out-$1" >"$work/$1.out" 2>&1; echo $? >"$work/$1.rc"; }
gotest() { LOADGATE_UPDATE=1 LOADGATE_BASELINE_DIR=$B go test -count=5 -run "$RUN" "$PKG" >"$work/$1.out" 2>&1; echo $? >"$work/$1.rc"; }

# staged N: wait (at most 60 s) until the staging file holds N runs.
staged() {
  for _ in $(seq 600); do
    n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$STAGED" 2>/dev/null)
    [ "$n" = "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

# gone PID...: wait (at most 120 s) until none of the processes runs.
gone() {
  for _ in $(seq 1200); do
    local alive=
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && return 0
    sleep 0.1
  done
  return 1
}

say "== 0. the old baseline"
update old; show old; state

say "== 1. two loadgate baseline update at once"
update a & update b & wait
show a; show b; state

say "== 2. two LOADGATE_UPDATE=1 go test -count=5 at once"
gotest c & gotest d & wait
show c; show d; state

say "== 3. loadgate baseline update and go test at once"
update e & (sleep 1; gotest f) & wait
show e; show f; state

say "== 4. LOADGATE_UPDATE_ID=fixed go test killed after 2 of 5 runs, then again"
setsid bash -c "LOADGATE_UPDATE=1 LOADGATE_UPDATE_ID=fixed LOADGATE_BASELINE_DIR=$B exec go test -count=5 -run '$RUN' $PKG" >"$work/g.out" 2>&1 &
g=$!
staged 2 && say "  2 runs staged: kill -9 of the process group $g"
kill -9 -- "-$g"; wait "$g" 2>/dev/null; echo 137 >"$work/g.rc"
state
LOADGATE_UPDATE=1 LOADGATE_UPDATE_ID=fixed LOADGATE_BASELINE_DIR=$B go test -v -count=5 -run "$RUN" "$PKG" >"$work/h.out" 2>&1; echo $? >"$work/h.rc"
show h; state

say "== 5. go test killed, its test binary left running"
gotest i &
sub=$!
staged 1
goproc=$(pgrep -P "$sub" -x go)
gt=$(pgrep -P "$goproc" | head -1)
say "  1 run staged: kill -9 of go test ($goproc); its test binary ($gt) runs on"
kill -9 "$goproc"
wait "$sub"
gone "$gt" && say "  the test binary exited"
state

say "== 6. loadgate baseline update killed, its go test left running"
update j &
sub=$!
staged 1
lg=$(pgrep -P "$sub" -x loadgate)
gt=$(pgrep -P "$lg" | head -1)
bin=$(pgrep -P "$gt" | head -1)
say "  1 run staged: kill -9 of loadgate ($lg); go test ($gt) and its test binary ($bin) run on"
kill -9 "$lg"
wait "$sub"
gone "$gt" "$bin" && say "  go test and its test binary exited"
state
say "  the next update:"
update k; show k; state
