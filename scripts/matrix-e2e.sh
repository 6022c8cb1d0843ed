#!/usr/bin/env bash
# End-to-end test of the sharded workflow README.md tells users to copy
# ("One load from several runners: a matrix of shards"): its ```yaml block,
# taken from README.md as it is, runs under nektos/act, loopback only,
# against one local shop and a local double of the GitHub REST API:
#
#  1. A throwaway git repository holds the working tree with the README's
#     workflow as .github/workflows/loadgate-shards.yml, the SLA file it
#     names, and a pull request on top.
#  2. shopd serves the example shop on 127.0.0.1; the workflow's
#     LOADGATE_TARGET variable (vars.LOADGATE_TARGET) points every shard at
#     it, as a staging URL would.
#  3. act runs the pull_request workflow: the start job, the matrix of
#     shard jobs (all at once: --concurrent-jobs), then the merge job.
#  4. The checks: every shard job uploaded its shard's results, the merge
#     job merged all of them, one sticky comment holds the merged verdict
#     and the table of shards, the shards' requests add up to what the shop
#     served, and the token is in no log.
#
# What act cannot fetch here is stood in for (scripts/e2e-lib.sh):
# actions/setup-go, upload-artifact and download-artifact.
# The ref the README pins (uses: loadgate/loadgate@v0.1.0) is the working tree. LOADGATE_SCALE=0.5 halves
# the load test's one second. Most of the run is the README's 90 s lead
# before the shards start. Set LOADGATE_E2E_KEEP=1 to keep the work
# directory.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)

say() { printf 'matrix-e2e: %s\n' "$*"; }

. scripts/e2e-lib.sh
find_act

make_work loadgate-matrix-e2e

yaml=$(yaml_after '`.github/workflows/loadgate-shards.yml`:')
# The ref the workflow pins the Action to: act runs the working tree for it.
action_ref=$(printf '%s\n' "$yaml" | sed -n 's/^ *- uses: loadgate\/loadgate@\([^ ]*\).*/\1/p' | sort -u)
if [ -z "$action_ref" ] || [ "$(printf '%s\n' "$action_ref" | wc -l)" -ne 1 ]; then
  say "FAIL: the README's sharded workflow does not pin loadgate/loadgate to one ref ('$action_ref')"
  exit 1
fi
if [ -z "$yaml" ]; then
  say "FAIL: README.md lost the sharded workflow's block"
  exit 1
fi
# The number of shards, from the matrix and from the shard input, which
# must agree.
shards=$(printf '%s\n' "$yaml" | sed -n 's/^ *shard: \[\(.*\)\]$/\1/p' | tr -cd ',' | wc -c)
shards=$((shards + 1))
if ! printf '%s\n' "$yaml" | grep -q "shard: \${{ matrix.shard }}/$shards "; then
  say "FAIL: the README's matrix has $shards shards, and its shard input does not say /$shards"
  exit 1
fi

token="ghs_e2e$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
repo=loadgate/loadgate
pr=9

# 1. The repository, as a user who copied the README's workflow has it.
src=$work/repo
copy_tree "$src"
rm -f "$src"/.github/workflows/*.yml
printf '%s\n' "$yaml" >"$src/.github/workflows/loadgate-shards.yml"
cat >"$src/loadgate.sla" <<'EOF'
# The merged result, at the whole rate.
error_rate < 1%
EOF
gitc() { git -C "$src" -c user.name=e2e -c user.email=e2e@example.com -c commit.gpgsign=false "$@"; }
gitc init -q -b main
gitc remote add origin "https://github.com/$repo.git"
gitc add -A
gitc commit -q -m "base"
base=$(gitc rev-parse HEAD)
gitc switch -q -c shards
printf '\nA change to the docs.\n' >>"$src/README.md"
gitc commit -q -am "head: docs"
head=$(gitc rev-parse HEAD)
pr_event "$work/event.json" "$head" shards

# 2. The API double and the shop every shard loads.
start_double -token "write=$token" -pull "$repo#$pr=$head" # the merge job checks the PR is still at head
go build -o "$work/shopd" ./examples/shop/cmd/shopd
"$work/shopd" -addr 127.0.0.1:0 >"$work/shopd.out" 2>"$work/shopd.log" &
shop_pid=$!
trap 'kill "$shop_pid" 2>/dev/null || true; wait "$shop_pid" 2>/dev/null || true; e2e_cleanup' EXIT
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/shopd.out" && break
  sleep 0.1
done
shop=$(sed -n 's/^listening on //p' "$work/shopd.out")
[ -n "$shop" ] || { say "shopd did not start: $(cat "$work/shopd.log")"; exit 1; }
say "shop on $shop"

# 3. The stand-ins, and act.
write_standins "$work"
mkdir -p "$work/artifacts"
status=0
act_run "$work/act.json" pull_request .github/workflows/loadgate-shards.yml "$work/event.json" "$token" \
  --concurrent-jobs $((shards + 1)) \
  --env "LOADGATE_SCALE=0.5" \
  --env "LOADGATE_E2E_ARTIFACTS=$work/artifacts" \
  --var "LOADGATE_TARGET=$shop" \
  --local-repository "loadgate/loadgate@$action_ref=$src" \
  --local-repository "actions/upload-artifact@v4=$work/upload" \
  --local-repository "actions/download-artifact@v4=$work/download" || status=$?

# 4. What happened.
fail=0
has_file() { compgen -G "$1" >/dev/null; }
check() { # message command... → FAIL message unless the command succeeds
  local msg=$1
  shift
  if ! "$@"; then say "FAIL: $msg"; fail=1; fi
}
[ "$status" -eq 0 ] || { say "FAIL: the workflow failed (act exit status $status)"; fail=1; }
for i in $(seq "$shards"); do
  check "shard $i of $shards uploaded no results" \
    grep -q "\"index\": $i," "$work/artifacts/loadgate-shard-$i/loadgate-action.json"
  check "shard $i of $shards has no result file" \
    has_file "$work/artifacts/loadgate-shard-$i/head/*.shard-$i-of-$shards.json"
done
ran=$(grep -c '"jobID":"shards","jobResult":"success"' "$work/act.json" || true)
check "$ran shard jobs succeeded, want $shards" test "$ran" -eq "$shards"
check "the merge job did not succeed" grep -q '"jobID":"merge","jobResult":"success"' "$work/act.json"
check "the merge job did not merge the $shards shards" \
  grep -q "loadgate: merged the results of $shards shard jobs of $shards into" "$work/act.json"
# The double writes JSON with < and > escaped; a comment's earlier bodies
# are under "bodies".
marker='"body": "\\u003c!-- loadgate-action: loadgate shards / shards --\\u003e'
comments=$(grep -c "$marker" "$work/state.json" || true)
check "$comments comments carry the shard jobs' marker, want 1" test "$comments" -eq 1
body=$(grep "$marker" "$work/state.json" | head -1)
# Any verdict of the merged result: on a runner this busy (three shards,
# the shop and act on 2 cores) a shard may be generator-bound, which warns.
check "the comment has no merged verdict" grep -q 'loadgate: no regression\|loadgate: [0-9]* regressions\?\|loadgate: SLA breached\|loadgate: load tests failed\|loadgate: failed\|loadgate: warning\|loadgate: inconclusive' <<<"$body"
check "the comment does not say the load was merged" \
  grep -q "one load split over $shards generator jobs and merged" <<<"$body"
check "the comment has no table of shards" \
  grep -qF '| shard | requests | errors | rate | p99 | start skew | pacer lag | CPU | stopped |' <<<"$body"
sum=0
skews=
for i in $(seq "$shards"); do
  row=$(grep -o "\\\\n| $i | [^\\]*" <<<"$body" | head -1)
  n=$(cut -d'|' -f3 <<<"$row" | tr -d ' ')
  check "the table of shards has no row for shard $i" test -n "$n"
  sum=$((sum + ${n:-0}))
  skews="$skews $(cut -d'|' -f7 <<<"$row" | tr -d ' ')"
done
say "the shards' start skews:$skews"
# The shop's own count of what it answered: every request of every shard
# reached the one shop.
served=$(curl -fsS "$shop/metrics" | awk '/^shop_http_requests_total\{/ { n += $NF } END { print n + 0 }')
check "the shards sent $sum requests, the shop answered $served" test "$sum" -eq "$served" -a "$sum" -gt 0
no_leak "$token" "$work/act.json"
end_if_failed 8000 "$work/act.json"
say "ok in $(($(date +%s) - t0)) s: $shards shard jobs, the merge job, one comment with the merged verdict and the shards' table; $sum requests, all answered by the one shop"
