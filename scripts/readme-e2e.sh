#!/usr/bin/env bash
# End-to-end test of the workflows README.md tells users to copy: the two
# ```yaml blocks of "The GitHub Action" (the pull_request workflow) and of
# "Pull requests from forks" (the workflow_run workflow that comments),
# taken from README.md as they are and run under nektos/act, loopback only,
# against a local double of the GitHub REST API:
#
#  1. A throwaway git repository holds the working tree, with the README's
#     workflows as .github/workflows/loadgate.yml and loadgate-comment.yml
#     and the SLA file they name (loadgate.sla), and a pull request from a
#     fork on top of it.
#  2. The pull_request workflow runs with a read-only token, as a fork's
#     PR gets: the Action runs base and head, cannot comment (a notice, not a
#     failure), and the workflow uploads the results.
#  3. The workflow_run workflow runs with a write token: it downloads the
#     results and the Action comments on the pull request from them.
#
# What act cannot fetch here is stood in for: actions/setup-go (Go is on
# the runner already), actions/upload-artifact and download-artifact (a
# directory shared by the two runs). loadgate/loadgate at the version the
# README pins (uses: loadgate/loadgate@v0.1.0) is the working tree.
# LOADGATE_SCALE=0.2 shortens the load tests' stages.
# Set LOADGATE_E2E_KEEP=1 to keep the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)

say() { printf 'readme-e2e: %s\n' "$*"; }

. scripts/e2e-lib.sh
find_act

make_work loadgate-readme-e2e

main_yaml=$(yaml_after 'Copy this to `.github/workflows/loadgate.yml`')
comment_yaml=$(yaml_after 'Save this as `.github/workflows/loadgate-comment.yml`')
if [ -z "$main_yaml" ] || [ -z "$comment_yaml" ]; then
  say "FAIL: README.md lost a workflow block (main: ${#main_yaml} bytes, comment: ${#comment_yaml} bytes)"
  exit 1
fi
# The ref both workflows pin the Action to: act runs the working tree for it.
pinned_ref() { printf '%s\n' "$1" | sed -n 's/^ *- uses: loadgate\/loadgate@\([^ ]*\).*/\1/p' | sort -u; }
action_ref=$(pinned_ref "$main_yaml")
if [ -z "$action_ref" ] || [ "$(printf '%s\n' "$action_ref" | wc -l)" -ne 1 ] || [ "$(pinned_ref "$comment_yaml")" != "$action_ref" ]; then
  say "FAIL: the README's workflows do not pin loadgate/loadgate to one ref (main: '$action_ref', comment: '$(pinned_ref "$comment_yaml")')"
  exit 1
fi

readtoken="ghs_readonly$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
token="ghs_e2e$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
repo=loadgate/loadgate
pr=8

# 1. The repository, as a user who copied the README's workflows has it.
src=$work/repo
copy_tree "$src"
# The workflow runs go test -run Load ./... as the README has it. A user's
# repository has a few load tests; this one's tree also has loadgate's own
# unit tests whose names hold "Load", and the shop's tests of a shopd
# process. The throwaway copy keeps only the example shop's in-process load
# tests, so that the workflows, not loadgate's suite, are what is timed.
find "$src" -name '*_test.go' ! -path "$src/examples/shop/*" -delete
rm -f "$src"/examples/shop/remote_test.go "$src"/examples/shop/remote_leak_test.go "$src"/examples/shop/target_test.go
rm -f "$src"/.github/workflows/*.yml
printf '%s\n' "$main_yaml" >"$src/.github/workflows/loadgate.yml"
printf '%s\n' "$comment_yaml" >"$src/.github/workflows/loadgate-comment.yml"
cat >"$src/loadgate.sla" <<'EOF'
# Every scenario: at most 5% errors.
error_rate < 5%
EOF
gitc() { git -C "$src" -c user.name=e2e -c user.email=e2e@example.com -c commit.gpgsign=false "$@"; }
gitc init -q -b main
gitc remote add origin "https://github.com/$repo.git"
gitc add -A
gitc commit -q -m "base"
base=$(gitc rev-parse HEAD)
gitc switch -q -c fork-pr
printf '\nA contributor'"'"'s change to the docs.\n' >>"$src/README.md"
gitc commit -q -am "head: docs"
head=$(gitc rev-parse HEAD)

cat >"$work/event-pr.json" <<EOF
{
  "action": "opened",
  "number": $pr,
  "pull_request": {
    "number": $pr,
    "head": {"sha": "$head", "ref": "fork-pr", "repo": {"full_name": "contributor/loadgate", "fork": true}},
    "base": {"sha": "$base", "ref": "main"}
  },
  "repository": {"full_name": "$repo", "name": "loadgate", "owner": {"login": "loadgate"}}
}
EOF
cat >"$work/event-run.json" <<EOF
{
  "action": "completed",
  "workflow_run": {"id": 4242, "name": "loadgate", "event": "pull_request", "conclusion": "success",
                   "head_sha": "$head", "head_branch": "fork-pr"},
  "repository": {"full_name": "$repo", "name": "loadgate", "owner": {"login": "loadgate"}}
}
EOF

# 2. The API double: a read-only token for the fork's PR, a write token for
#    the workflow_run job; the pull request's head for the Action's check.
start_double -token "write=$token" -token "read=$readtoken" -pull "$repo#$pr=$head"

# 3. Stand-ins for the actions act cannot fetch here.
write_standins "$work"
mkdir -p "$work/artifacts"

run_act() { # name event workflow token → act's exit status; log in act-name.json
  act_run "$work/act-$1.json" "$2" "$3" "$work/event-$1.json" "$4" \
    --env "LOADGATE_SCALE=0.2" \
    --env "LOADGATE_E2E_ARTIFACTS=$work/artifacts" \
    --local-repository "loadgate/loadgate@$action_ref=$src" \
    --local-repository "actions/upload-artifact@v4=$work/upload" \
    --local-repository "actions/download-artifact@v4=$work/download"
}

fail=0
status_pr=0
run_act pr pull_request .github/workflows/loadgate.yml "$readtoken" || status_pr=$?
if [ ! -s "$work/artifacts/loadgate-results/loadgate-action.json" ]; then
  say "FAIL: the pull_request workflow uploaded no results"; fail=1
fi
if ! grep -q 'could not comment on pull request' "$work/act-pr.json"; then
  say "FAIL: the fork's run did not explain why it could not comment"; fail=1
fi
if [ "$status_pr" -ne 0 ]; then
  if grep -q 'the check failed (verdict fail' "$work/act-pr.json"; then
    # Base and head are the same code: a failed check is a false alarm of
    # the statistics on short runs, not a fault of the workflow.
    say "note: the pull_request run failed its check on identical code (a false alarm)"
  else
    say "FAIL: the pull_request workflow failed (status $status_pr)"; fail=1
  fi
fi
status_run=0
run_act run workflow_run .github/workflows/loadgate-comment.yml "$token" || status_run=$?
if [ "$status_run" -ne 0 ]; then
  say "FAIL: the workflow_run workflow failed (status $status_run)"; fail=1
fi
# Comments whose body carries the pull_request job's marker (the double
# writes JSON with < and > escaped, and keeps each comment's earlier bodies
# under "bodies").
comments=$(grep -c '"body": "\\u003c!-- loadgate-action: loadgate / load --\\u003e' "$work/state.json" || true)
if [ "$comments" -ne 1 ]; then
  say "FAIL: $comments comments carry the pull_request job's marker, want 1"; fail=1
fi
# act logs the ::add-mask:: command itself; anywhere else is a leak.
no_leak "$token\|$readtoken" "$work"/act-*.json
end_if_failed 6000 "$work/act-pr.json" "$work/act-run.json"
say "ok in $(($(date +%s) - t0)) s: the README's pull_request workflow (exit $status_pr) and its workflow_run workflow (exit $status_run); one comment"
