# shellcheck shell=bash
# What scripts/action-e2e.sh and scripts/readme-e2e.sh share: finding (or
# installing) nektos/act, a work directory cleaned up on exit, a copy of the
# working tree, and the local GitHub API double. Source it after defining
# say; it sets act, work and, through start_double, addr.

# find_act sets act: $ACT, act on PATH, or go install'ed; when it cannot be
# installed the calling test is skipped (exit 0) with a message.
find_act() {
  act=${ACT:-}
  [ -n "$act" ] && return
  if command -v act >/dev/null 2>&1; then
    act=$(command -v act)
  elif [ -x "$(go env GOPATH)/bin/act" ]; then
    act="$(go env GOPATH)/bin/act"
  else
    say "installing nektos/act: go install github.com/nektos/act@v0.2.89"
    if ! go install github.com/nektos/act@v0.2.89; then
      say "SKIPPED: nektos/act could not be installed (go install github.com/nektos/act@v0.2.89 failed)"
      exit 0
    fi
    act="$(go env GOPATH)/bin/act"
  fi
}

# make_work NAME sets work to a new temporary directory, removed on exit
# (kept with LOADGATE_E2E_KEEP=1) with the double stopped.
make_work() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  double_pid=
  trap e2e_cleanup EXIT
}

e2e_cleanup() {
  if [ -n "$double_pid" ]; then kill "$double_pid" 2>/dev/null || true; wait "$double_pid" 2>/dev/null || true; fi
  if [ "${LOADGATE_E2E_KEEP:-}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}

# copy_tree DIR copies the working tree (tracked and untracked files, not
# the ignored ones) into DIR.
copy_tree() {
  mkdir -p "$1"
  git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$1"
}

# start_double ARGS... builds and starts the GitHub API double on loopback
# with ARGS (tokens, faults, pull requests), its state in $work/state.json,
# and sets addr. A few tries: a load test elsewhere on the machine can use
# up the ephemeral ports for a moment.
start_double() {
  go build -o "$work/ghdouble" ./action/internal/ghdouble/cmd/ghdouble
  for try in 1 2 3; do
    "$work/ghdouble" serve -addr-file "$work/addr" -state "$work/state.json" "$@" >"$work/ghdouble.log" 2>&1 &
    double_pid=$!
    for _ in $(seq 100); do
      [ -s "$work/addr" ] && break
      kill -0 "$double_pid" 2>/dev/null || break
      sleep 0.1
    done
    [ -s "$work/addr" ] && break
    kill "$double_pid" 2>/dev/null || true
    wait "$double_pid" 2>/dev/null || true
    double_pid=
    say "the double did not start (try $try): $(cat "$work/ghdouble.log")"
    sleep 2
  done
  [ -s "$work/addr" ] || { say "the double did not start"; exit 1; }
  addr=$(cat "$work/addr")
  say "GitHub API double on http://$addr"
}

# yaml_after TEXT prints the first ```yaml block of README.md after the
# line that contains TEXT, as README.md has it.
yaml_after() {
  awk -v mark="$1" '
    index($0, mark) { found = 1 }
    found && /^```yaml$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }
  ' README.md
}

# write_standins DIR writes stand-ins for the actions act cannot fetch
# here into DIR/setup-go, DIR/upload and DIR/download: actions/setup-go (Go
# is on the runner already) and actions/upload-artifact and
# download-artifact, which keep each artifact in a directory of
# $LOADGATE_E2E_ARTIFACTS named after it; as upload-artifact@v4 does, a
# name the run already has is refused unless overwrite. As download-artifact@v4 does, a
# name downloads that artifact into path, and a pattern every artifact it
# matches into path/<artifact name>. act takes them with
# --local-repository actions/setup-go@v5=DIR/setup-go and so on.
write_standins() {
  mkdir -p "$1/setup-go" "$1/upload" "$1/download"
  cat >"$1/setup-go/action.yml" <<'YAML'
name: setup-go stand-in
inputs:
  go-version-file: {required: false}
  cache-dependency-path: {required: false}
runs:
  using: composite
  steps:
    - shell: bash
      run: go version # Go is on the runner already
YAML
  cat >"$1/upload/action.yml" <<'YAML'
name: upload-artifact stand-in
inputs:
  name: {required: true}
  path: {required: true}
  overwrite: {required: false, default: 'false'}
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        [ -n "${{ inputs.path }}" ] && [ -d "${{ inputs.path }}" ] || { echo "upload stand-in: no such directory: '${{ inputs.path }}'"; exit 1; }
        dest="$LOADGATE_E2E_ARTIFACTS/${{ inputs.name }}"
        if [ -e "$dest" ]; then
          # upload-artifact@v4 refuses a name the run already has (409 Conflict), as on a re-run, unless overwrite
          [ "${{ inputs.overwrite }}" = true ] || { echo "upload stand-in: an artifact named ${{ inputs.name }} already exists on the workflow run (set overwrite: true)"; exit 1; }
          rm -rf "$dest"
        fi
        mkdir -p "$LOADGATE_E2E_ARTIFACTS/${{ inputs.name }}" && cp -R "${{ inputs.path }}/." "$LOADGATE_E2E_ARTIFACTS/${{ inputs.name }}/"
YAML
  cat >"$1/download/action.yml" <<'YAML'
name: download-artifact stand-in
inputs:
  name: {required: false}
  pattern: {required: false}
  path: {required: true}
  run-id: {required: false}
  github-token: {required: false}
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        mkdir -p "${{ inputs.path }}"
        if [ -n "${{ inputs.name }}" ]; then
          cp -R "$LOADGATE_E2E_ARTIFACTS/${{ inputs.name }}/." "${{ inputs.path }}/"
        else
          for a in "$LOADGATE_E2E_ARTIFACTS"/${{ inputs.pattern }}; do
            [ -d "$a" ] || { echo "download stand-in: no artifact matches '${{ inputs.pattern }}'"; continue; }
            mkdir -p "${{ inputs.path }}/${a##*/}" && cp -R "$a/." "${{ inputs.path }}/${a##*/}/"
          done
        fi
YAML
}

# pr_event FILE HEAD_SHA HEAD_REF writes the event of a pull_request
# "synchronize" of pull request $pr in $repo, from $base to HEAD_SHA.
pr_event() {
  cat >"$1" <<JSON
{
  "action": "synchronize",
  "number": $pr,
  "pull_request": {
    "number": $pr,
    "head": {"sha": "$2", "ref": "$3"},
    "base": {"sha": "$base", "ref": "main"}
  },
  "repository": {"full_name": "$repo", "name": "loadgate", "owner": {"login": "loadgate"}}
}
JSON
}

# act_run LOG EVENT WORKFLOW EVENT_FILE TOKEN [ACT_ARGS...] runs act in $src
# with what every run here shares (a self-hosted runner, the API double at
# $addr, TOKEN as GITHUB_TOKEN, the action cache and the setup-go stand-in
# in $work) and ACT_ARGS, writes act's JSON log to LOG, says how it ended
# and returns act's exit status.
act_run() {
  local log=$1 ev=$2 wf=$3 evfile=$4 tok=$5 status=0 t
  shift 5
  t=$(date +%s)
  (cd "$src" && "$act" "$ev" \
    -W "$wf" \
    -e "$evfile" \
    -P ubuntu-latest=-self-hosted \
    --env "GITHUB_API_URL=http://$addr" \
    -s "GITHUB_TOKEN=$tok" \
    --action-cache-path "$work/act-cache" \
    --local-repository "actions/setup-go@v5=$work/setup-go" \
    "$@" \
    --json) >"$log" 2>&1 || status=$?
  say "$(basename "$log" .json): act exit status $status after $(($(date +%s) - t)) s"
  return "$status"
}

# no_leak PATTERN LOG... sets fail when PATTERN (the tokens) appears in an
# act log anywhere but in the ::add-mask:: command act logs itself.
no_leak() {
  local pattern=$1
  shift
  if grep -hv 'add-mask' "$@" | grep -q "$pattern"; then
    say "FAIL: a token appears in act's log"
    fail=1
  fi
}

# end_if_failed BYTES LOG... shows the last BYTES of each act LOG, keeps
# the work directory and exits 1 when fail is set.
end_if_failed() {
  local bytes=$1 log
  shift
  [ "$fail" -eq 0 ] && return
  for log in "$@"; do
    say "last lines of $(basename "$log"):"
    tail -c "$bytes" "$log" | sed 's/^/    /' >&2
  done
  LOADGATE_E2E_KEEP=1
  exit 1
}
