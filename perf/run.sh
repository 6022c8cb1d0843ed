#!/usr/bin/env bash
# perf/run.sh measures loadgate's generator side by side with hey, vegeta and
# wrk on this machine and prints one table of ratios (docs/PERFORMANCE.md
# shows a run and how to read it). It is long (about 30 minutes with the
# defaults) and not part of CI.
#
#   perf/run.sh                  # everything
#   SECTIONS="closed stall" perf/run.sh
#   ROUNDS=7 DUR=5s perf/run.sh  # more rounds
#
# Every load goes to a server this script starts on 127.0.0.1 and stops at
# the end; every run is bounded in time (or in requests and time). The
# closed-model comparison runs against two targets: perf/server (Go's
# net/http) and nginx (installed by the script), a server cheap enough per
# request that the generator's own cost shows most.
#
# Settings (environment):
#   SECTIONS    closed open stall memory bench scaling (default: all)
#   ROUNDS      interleaved rounds of the closed-model comparison (5)
#   DUR         length of each closed/open run (5s)
#   CONNS       connections of the closed-model comparison (50)
#   TARGETS     targets of the closed-model comparison: go nginx (both)
#   OPEN_RATES  target rates of the open-model search (10000 20000 22500 25000 27500 30000)
#   OPEN_ROUNDS rounds per open-model rate (3)
#   MEM_SMALL   requests of the small memory run (100000)
#   MEM_BIG     requests of loadgate's big memory run (10000000)
#   MEM_PEER    requests of hey's and vegeta's big memory run (2000000)
#   OUT         directory for raw outputs and profiles (a new temporary one)
set -euo pipefail

cd "$(dirname "$0")/.."
SECTIONS=${SECTIONS:-closed open stall memory bench scaling}
ROUNDS=${ROUNDS:-5}
DUR=${DUR:-5s}
CONNS=${CONNS:-50}
TARGETS=${TARGETS:-go nginx}
OPEN_RATES=${OPEN_RATES:-10000 20000 22500 25000 27500 30000}
OPEN_ROUNDS=${OPEN_ROUNDS:-3}
MEM_SMALL=${MEM_SMALL:-100000}
MEM_BIG=${MEM_BIG:-10000000}
MEM_PEER=${MEM_PEER:-2000000}
OUT=${OUT:-$(mktemp -d -t loadgate-perf.XXXXXX)}
mkdir -p "$OUT"
GOBIN_DIR=$(go env GOBIN)
[[ -n $GOBIN_DIR ]] || GOBIN_DIR=$(go env GOPATH)/bin
export PATH="$GOBIN_DIR:$PATH"

log() { printf '%s\n' "$*" >&2; }
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
secs() { # 5s, 500ms, 2m -> seconds (integer, at least 1)
	local d=$1
	case $d in
	*ms) echo $((${d%ms} / 1000 > 0 ? ${d%ms} / 1000 : 1)) ;;
	*s) echo "${d%s}" ;;
	*m) echo $((${d%m} * 60)) ;;
	*) echo "$d" ;;
	esac
}

# --- peers ---------------------------------------------------------------
install_peers() {
	command -v hey >/dev/null || go install github.com/rakyll/hey@v0.1.5
	command -v vegeta >/dev/null || go install github.com/tsenart/vegeta/v12@v12.13.0
	if ! command -v wrk >/dev/null || [[ ! -x /usr/bin/time ]] || ! nginx_bin >/dev/null; then
		local sudo=""
		[[ $(id -u) -eq 0 ]] || sudo=sudo
		$sudo apt-get update
		$sudo apt-get install -y wrk time nginx
	fi
}

# nginx_bin prints the nginx executable (Debian's is in /usr/sbin, which a
# user's PATH may lack).
nginx_bin() { command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; }; }

# --- builds and the target servers ----------------------------------------
SERVER_PIDS=()
cleanup() {
	local pid
	for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# start_server NAME ARGS... : starts perf/server and sets $URL to its base URL.
start_server() {
	local name=$1
	shift
	"$OUT/server" -max-life 2h "$@" >"$OUT/$name.addr" 2>"$OUT/$name.log" &
	SERVER_PIDS+=($!)
	local i
	for i in $(seq 100); do
		URL=$(head -n1 "$OUT/$name.addr" 2>/dev/null || true)
		[[ -n $URL ]] && return 0
		sleep 0.05
	done
	log "server $name did not start: $(cat "$OUT/$name.log")"
	exit 1
}

# start_nginx: starts nginx answering "ok" on a free loopback port, with a
# configuration of its own under $OUT (no access log, keep-alive without a
# request limit), and sets $URL to its base URL.
start_nginx() {
	local dir=$OUT/nginx port i
	mkdir -p "$dir"
	for i in $(seq 20); do
		port=$((20000 + RANDOM % 30000))
		cat >"$dir/nginx.conf" <<-EOF
			worker_processes auto;
			pid $dir/nginx.pid;
			error_log $dir/error.log warn;
			daemon off;
			events { worker_connections 16384; }
			http {
			  access_log off;
			  keepalive_requests 100000000;
			  keepalive_timeout 75s;
			  client_body_temp_path $dir/body;
			  proxy_temp_path $dir/proxy;
			  fastcgi_temp_path $dir/fastcgi;
			  uwsgi_temp_path $dir/uwsgi;
			  scgi_temp_path $dir/scgi;
			  server {
			    listen 127.0.0.1:$port;
			    location / { default_type text/plain; return 200 "ok"; }
			  }
			}
		EOF
		"$(nginx_bin)" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 &
		SERVER_PIDS+=($!)
		local j
		for j in $(seq 50); do
			if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then
				URL=http://127.0.0.1:$port
				return 0
			fi
			kill -0 "${SERVER_PIDS[-1]}" 2>/dev/null || break # port taken: try another
			sleep 0.05
		done
	done
	log "nginx did not start: $(cat "$dir/error.log" "$dir/out.log" 2>/dev/null)"
	exit 1
}

# --- one run of each tool; each prints "rps p99_ms errors" (and more) ------
# kv KEY FILE: the value of KEY=... in loadgate-bench's output line.
kv() { tr ' ' '\n' <"$2" | awk -F= -v k="$1" '$1 == k { print $2; exit }'; }

# to_ms VALUE UNIT-SUFFIXED (wrk: 1.23ms, 850.00us, 1.02s; vegeta: 1.2ms, 850µs)
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us" || u == "µs") n /= 1000; else if (u == "s") n *= 1000; else if (u == "ns") n /= 1e6; else if (u == "m") n *= 60000
		printf "%.3f", n }'
}

# Every run_* below also writes FILE.n (the requests it completed) and
# FILE.cpu (the tool's user and system CPU seconds, from GNU time), which
# cpu_us turns into CPU microseconds per request.
TIMED=(/usr/bin/time -f '%U %S')

# cpu_us FILE: the run's CPU microseconds per request.
cpu_us() { awk -v n="$(cat "$1.n")" 'NR == 1 && n > 0 { printf "%.1f", ($1 + $2) * 1e6 / n }' "$1.cpu"; }

# run_loadgate FILE ARGS...: rps p99_ms errors+dropped
run_loadgate() {
	local f=$1
	shift
	"${TIMED[@]}" -o "$f.cpu" "$OUT/loadgate-bench" "$@" >"$f" 2>"$f.err"
	kv requests "$f" >"$f.n"
	echo "$(kv rps "$f") $(kv p99_ms "$f") $(($(kv errors "$f") + $(kv dropped "$f")))"
}

# run_hey FILE ARGS...: rps p99_ms errors
run_hey() {
	local f=$1
	shift
	"${TIMED[@]}" -o "$f.cpu" hey "$@" >"$f" 2>&1
	local rps p99 ok total
	rps=$(awk '/Requests\/sec:/ { print $2 }' "$f")
	p99=$(awk '/ 99%/ { print $3 * 1000; exit }' "$f")
	ok=$(awk '/Status code distribution/ { s = 1; next } s && /^ *\[200\]/ { print $2; exit }' "$f")
	# "[200]	131936 responses" counts statuses; "[12]	Get ...: refused" counts errors.
	total=$(awk '/Status code distribution/ { s = 1; next } s && /^ *\[[0-9]+\]/ { t += $2 } /Error distribution/ { s = 0; e = 1; next } e && /^ *\[[0-9]+\]/ { c = $1; gsub(/[^0-9]/, "", c); t += c } END { print t + 0 }' "$f")
	echo "$total" >"$f.n"
	echo "${rps:-0} ${p99:-0} $((total - ${ok:-0}))"
}

# run_wrk FILE ARGS...: rps p99_ms errors
run_wrk() {
	local f=$1
	shift
	"${TIMED[@]}" -o "$f.cpu" wrk --latency "$@" >"$f" 2>&1
	awk '/ requests in / { print $1 }' "$f" >"$f.n"
	local rps p99 errs
	rps=$(awk '/Requests\/sec:/ { print $2 }' "$f")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
	errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$f")
	echo "${rps:-0} ${p99:-0} $errs"
}

# run_vegeta FILE ARGS... (attack flags): rps p99_ms errors; FILE.bin keeps the results.
run_vegeta() {
	local f=$1
	shift
	echo "GET $URL/" | "${TIMED[@]}" -o "$f.cpu" vegeta attack "$@" >"$f.bin" 2>"$f.err"
	vegeta report -type=json <"$f.bin" >"$f"
	rm -f "$f.bin"
	sed 's/.*"requests":\([0-9]*\).*/\1/' "$f" >"$f.n"
	awk '{
		match($0, /"requests":[0-9]+/); req = substr($0, RSTART + 11, RLENGTH - 11)
		match($0, /"rate":[0-9.e+]+/); rate = substr($0, RSTART + 7, RLENGTH - 7)
		match($0, /"99th":[0-9]+/); p99 = substr($0, RSTART + 7, RLENGTH - 7)
		match($0, /"success":[0-9.e+-]+/); ok = substr($0, RSTART + 10, RLENGTH - 10)
		printf "%.1f %.3f %d\n", rate, p99 / 1e6, req - int(req * ok + 0.5) }' "$f"
}

# median of the numbers on stdin
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ratio_ci TARGET: reads per-round ratios and prints their median with a
# distribution-free confidence interval of at least 90% (the k-th smallest
# and k-th largest ratio, k the largest for which the binomial coverage
# holds, as benchstat's intervals are made), then how the interval stands
# to TARGET: "met" (all of it at or above), "not met" (all below) or
# "noise" (TARGET is inside it: the rounds cannot tell). Fewer than 6
# rounds give no interval at 90%: "n/a".
ratio_ci() {
	sort -g | awk -v target="$1" '
		{ a[NR] = $1 }
		END {
			n = NR
			if (n == 0) { print "nan"; exit }
			med = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			k = 0; tail = 0; c = 1 # c = C(n, i); tail = P(Bin(n, 1/2) < i)
			for (i = 0; i < n / 2; i++) {
				tail += c / 2 ^ n
				if (1 - 2 * tail < 0.90) break
				k = i + 1
				c = c * (n - i) / (i + 1)
			}
			if (k == 0) { printf "%.3fx [n/a] n/a\n", med; exit }
			lo = a[k]; hi = a[n + 1 - k]
			v = (lo >= target) ? "met" : (hi < target) ? "not-met" : "noise"
			printf "%.3fx [%.2f-%.2f] %s\n", med, lo, hi, v
		}'
}

# --- sections --------------------------------------------------------------
closed_section() {
	# The ratios closest to their targets run next to each other (Lean and
	# wrk with loadgate's headers, Lean and wrk, Lean without id headers and
	# wrk, net/http and hey, net/http and hey with loadgate's headers), and
	# the rotation keeps them so in all but one round in eight.
	local tools=(wrkids lean wrk leanbare vegeta hey nethttp heyids) d n r i tool f res target
	d=$(secs "$DUR")
	n=${#tools[@]}
	# The id headers loadgate sends on each path, for wrk and hey to send too
	# (the "loadgate's headers" rows): the server then parses the same
	# headers for both. hey appends its own name to a User-Agent given to
	# it, and net/http adds Accept-Encoding itself, so those lines are not
	# passed on; hey also always sends Content-Type: text/html.
	local lean_ids pooled_ids line
	lean_ids=$("$OUT/loadgate-bench" -headers -transport lean)
	pooled_ids=$("$OUT/loadgate-bench" -headers -transport pooled)
	grep -qi '^X-Request-ID: ' <<<"$lean_ids" && grep -qi '^X-Request-ID: ' <<<"$pooled_ids" || {
		log "loadgate-bench -headers printed no X-Request-ID line:"$'\n'"$lean_ids"$'\n'"$pooled_ids"
		exit 1
	}
	WRK_IDS=() HEY_IDS=()
	while IFS= read -r line; do WRK_IDS+=(-H "$line"); done <<<"$lean_ids"
	while IFS= read -r line; do
		case ${line,,} in user-agent:* | accept-encoding:*) continue ;; esac
		HEY_IDS+=(-H "$line")
	done <<<"$pooled_ids"
	log "wrk with loadgate's headers:$(printf ' %q' "${WRK_IDS[@]}")"
	log "hey with loadgate's headers:$(printf ' %q' "${HEY_IDS[@]}")"
	: >"$OUT/closed.tsv"
	log "closed model: $ROUNDS interleaved rounds of ${tools[*]} against ${TARGETS}, $CONNS connections, $DUR each"
	for r in $(seq "$ROUNDS"); do
		for target in $TARGETS; do
			URL=${TARGET_URL[$target]}
			for i in $(seq 0 $((n - 1))); do
				tool=${tools[$(((i + r - 1) % n))]} # rotate the order every round
				f="$OUT/closed.$target.$r.$tool"
				case $tool in
				lean) res=$(run_loadgate "$f" -url "$URL/" -model closed -c "$CONNS" -d "$DUR" -transport lean) ;;
				leanbare) res=$(run_loadgate "$f" -url "$URL/" -model closed -c "$CONNS" -d "$DUR" -transport lean -bare) ;;
				nethttp) res=$(run_loadgate "$f" -url "$URL/" -model closed -c "$CONNS" -d "$DUR" -transport pooled) ;;
				hey) res=$(run_hey "$f" -z "$DUR" -c "$CONNS" "$URL/") ;;
				heyids) res=$(run_hey "$f" -z "$DUR" -c "$CONNS" "${HEY_IDS[@]}" "$URL/") ;;
				vegeta) res=$(run_vegeta "$f" -rate=0 -max-workers="$CONNS" -duration="$DUR") ;;
				wrk) res=$(run_wrk "$f" -t2 -c"$CONNS" -d"$d"s "$URL/") ;;
				wrkids) res=$(run_wrk "$f" -t2 -c"$CONNS" -d"$d"s "${WRK_IDS[@]}" "$URL/") ;;
				esac
				res="$res $(cpu_us "$f")"
				printf '%s\t%s\t%s\t%s\n' "$target" "$r" "$tool" "$res" | tr ' ' '\t' >>"$OUT/closed.tsv"
				log "  round $r $target $tool: $res"
			done
		done
	done
	for target in $TARGETS; do
		closed_table "$target" | tee -a "$OUT/table.txt"
	done
	URL=${TARGET_URL[go]:-$URL}
}

# closed_table TARGET prints the closed-model tables of one target from
# closed.tsv (target, round, tool, req/s, p99 ms, errors, CPU µs/req).
closed_table() {
	local target=$1 tool k
	awk -F'\t' -v g="$target" '$1 == g' "$OUT/closed.tsv" | cut -f2- >"$OUT/closed.$target.tsv"
	echo
	echo "## Closed model against $(target_label "$target"): $CONNS connections, $DUR per run, $ROUNDS interleaved rounds (order rotated each round)"
	echo
	printf '%-26s %12s %14s %10s %12s %8s\n' tool "req/s med" "min-max" "p99 ms" "CPU µs/req" errors
	for tool in lean leanbare nethttp hey heyids vegeta wrk wrkids; do
		awk -F'\t' -v t="$tool" '$2 == t { print $3 }' "$OUT/closed.$target.tsv" >"$OUT/x"
		printf '%-26s %12s %14s %10s %12s %8s\n' "$(label "$tool")" "$(median <"$OUT/x" | awk '{ printf "%.0f", $1 }')" \
			"$(sort -g "$OUT/x" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }')" \
			"$(awk -F'\t' -v t="$tool" '$2 == t { print $4 }' "$OUT/closed.$target.tsv" | median)" \
			"$(awk -F'\t' -v t="$tool" '$2 == t { print $6 }' "$OUT/closed.$target.tsv" | median)" \
			"$(awk -F'\t' -v t="$tool" '$2 == t { e += $5 } END { print e + 0 }' "$OUT/closed.$target.tsv")"
	done
	echo
	echo "Ratios: median over rounds of (loadgate req/s / peer req/s) within the same round,"
	echo "[a confidence interval of at least 90% of that median], and against the target:"
	echo "met (the whole interval at or above it), not-met (all below) or noise (it is inside)."
	echo "\"+ids\": the peer sending loadgate's id headers too, so the server parses the same headers."
	echo
	printf '%-22s' ""
	for tool in hey heyids vegeta wrk wrkids; do printf ' %-26s' "/ $(short "$tool")"; done
	echo
	for k in lean leanbare nethttp; do
		printf '%-22s' "$(label "$k")"
		for tool in hey heyids vegeta wrk wrkids; do
			# The issue's targets; "-" where there is none.
			local want=-
			case $k/$tool in
			lean/hey | lean/heyids) want=1.50 ;;
			lean/wrk | lean/wrkids | leanbare/wrk) want=0.95 ;;
			nethttp/hey | nethttp/heyids) want=1.00 ;;
			esac
			printf ' %-26s' "$(awk -F'\t' -v a="$k" -v b="$tool" '
				$2 == a { x[$1] = $3 } $2 == b { y[$1] = $3 }
				END { for (r in x) if (y[r] > 0) print x[r] / y[r] }' "$OUT/closed.$target.tsv" |
				ratio_ci "${want/-/0}" | awk -v w="$want" '{ if (w == "-") $3 = ""; print }')"
		done
		echo
	done
	echo "targets:  Lean >= 1.50x hey and >= 0.95x wrk; net/http >= 1.00x hey"
}

target_label() {
	case $1 in
	go) echo "perf/server (Go net/http)" ;;
	nginx) echo "nginx $("$(nginx_bin)" -v 2>&1 | sed 's|.*nginx/||')" ;;
	*) echo "$1" ;;
	esac
}

label() {
	case $1 in
	lean) echo "loadgate (Lean)" ;;
	leanbare) echo "Lean, no id headers" ;;
	nethttp) echo "loadgate (net/http)" ;;
	heyids) echo "hey, loadgate's headers" ;;
	wrkids) echo "wrk, loadgate's headers" ;;
	*) echo "$1" ;;
	esac
}

# short TOOL: a peer's name in a ratio column.
short() {
	case $1 in
	heyids) echo "hey+ids" ;;
	wrkids) echo "wrk+ids" ;;
	*) echo "$1" ;;
	esac
}

open_section() {
	local rate r tool f res d
	d=$(secs "$DUR")
	: >"$OUT/open.tsv"
	log "open model: rates $OPEN_RATES, $OPEN_ROUNDS rounds each, $DUR per run, each against a server of its own"
	local saved=$URL
	OPEN_PORT=$((20000 + RANDOM % 10000))
	for rate in $OPEN_RATES; do
		for r in $(seq "$OPEN_ROUNDS"); do
			for tool in lean nethttp vegeta; do
				f="$OUT/open.$rate.$r.$tool"
				# A fresh server for every run: a run that lost the rate can
				# leave the server thousands of connections and the port
				# thousands of sockets in TIME_WAIT, which slowed the next
				# run whatever its tool.
				# It listens on a port below the ephemeral range, which the
				# sockets in TIME_WAIT may all hold.
				OPEN_PORT=$((OPEN_PORT + 1))
				start_server "open.$rate.$r.$tool" -addr "127.0.0.1:$OPEN_PORT"
				case $tool in
				lean | nethttp)
					local tr=lean
					[[ $tool == nethttp ]] && tr=pooled
					res=$(run_loadgate "$f" -url "$URL/" -model open -rate "$rate" -d "$DUR" -transport "$tr")
					;;
				vegeta) res=$(run_vegeta "$f" -rate="$rate/s" -duration="$DUR") ;;
				esac
				# Successful requests a second until the last ended: an
				# arrival sent on time but answered after the load (queued
				# behind a slow start) counts against the rate here.
				# loadgate's runs also say whether they were generator-bound
				# (vegeta has no such mark: -).
				local ok bnd=-
				case $tool in
				vegeta) ok=$(sed -n 's/.*"throughput":\([0-9.e+]*\).*/\1/p' "$f") ;;
				*) ok=$(kv ok_rps "$f") bnd=$(kv bound "$f") ;;
				esac
				printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rate" "$r" "$tool" "$res" "${ok:-0}" "$bnd" | tr ' ' '\t' >>"$OUT/open.tsv"
				log "  $rate/s round $r $tool: $res"
				kill "${SERVER_PIDS[-1]}" 2>/dev/null || true
				wait "${SERVER_PIDS[-1]}" 2>/dev/null || true
			done
		done
	done
	URL=$saved
	# missed(): the open.tsv row missed its rate: the rate sent outside ±1%,
	# a dropped or failed request, or answers a second until the last ended
	# below 98% (a backlog answered after the load).
	local missed='function missed() { return $4 < 0.99 * $1 || $4 > 1.01 * $1 || $7 < 0.98 * $1 || $6 > 0 }'
	{
		echo
		echo "## Open model: achieved rate, median of $OPEN_ROUNDS rounds; sustained = in every round the rate sent within ±1% of the target, no dropped or failed request, and the successful requests a second until the last ended at least 98% of the target (no backlog answered after the load); bound = rounds loadgate marked generator-bound"
		echo
		printf '%-10s' "target/s"
		for tool in lean nethttp vegeta; do printf ' %28s' "$(label "$tool")"; done
		echo
		for rate in $OPEN_RATES; do
			printf '%-10s' "$rate"
			for tool in lean nethttp vegeta; do
				printf ' %28s' "$(awk -F'\t' -v rt="$rate" -v t="$tool" "$missed"'
					$1 == rt && $3 == t { n++; a[n] = $4; p[n] = $5; bad += $6; nb += ($8 == 1); if (missed()) off++ }
					END {
						# medians of rate and p99 (n is small: sort by insertion)
						for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) { if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x } if (p[j] < p[i]) { x = p[i]; p[i] = p[j]; p[j] = x } }
						m = int((n + 1) / 2)
						printf "%.0f p99 %.1fms %s%s", a[m], p[m], (off || bad) ? "NO (" bad " lost)" : "yes", (t == "vegeta" ? "" : " bound " nb) }' "$OUT/open.tsv")"
			done
			echo
		done
		for tool in lean nethttp vegeta; do
			# The ceiling: the highest rate sustained with every lower one.
			printf 'highest sustained rate, %s: %s\n' "$(label "$tool")" "$(awk -F'\t' -v t="$tool" "$missed"'
				$3 == t { seen[$1] = 1; if (missed()) bad[$1] = 1 }
				END {
					n = 0; for (r in seen) rs[++n] = r + 0
					for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (rs[j] < rs[i]) { x = rs[i]; rs[i] = rs[j]; rs[j] = x }
					best = "none"; for (i = 1; i <= n && !bad[rs[i]]; i++) best = rs[i]; print best }' "$OUT/open.tsv")"
		done
	} | tee -a "$OUT/table.txt"
}

stall_section() {
	local saved=$URL f res
	URL=$STALL_URL
	log "stall: 1000 req/s for 10 s against a server frozen 200 ms every 2 s (analytic p99 180 ms)"
	: >"$OUT/stall.tsv"
	for tool in lean nethttp vegeta hey wrk; do
		f="$OUT/stall.$tool"
		case $tool in
		lean) res=$(run_loadgate "$f" -url "$URL/" -model open -rate 1000 -d 10s -transport lean) ;;
		nethttp) res=$(run_loadgate "$f" -url "$URL/" -model open -rate 1000 -d 10s -transport pooled) ;;
		vegeta) res=$(run_vegeta "$f" -rate=1000/s -duration=10s) ;;
		hey) res=$(run_hey "$f" -z 10s -c 10 -q 100 "$URL/") ;; # 10 workers x 100 req/s
		wrk) res=$(run_wrk "$f" -t2 -c10 -d10s "$URL/") ;;     # no rate limit: as fast as 10 connections go
		esac
		printf '%s\t%s\n' "$tool" "$res" | tr ' ' '\t' >>"$OUT/stall.tsv"
		log "  $tool: $res"
	done
	{
		echo
		echo "## Truth: stalling server (200 ms freeze every 2 s), 10 s; analytic p99 = 180 ms"
		echo
		printf '%-22s %10s %10s %12s\n' tool "req/s" "p99 ms" "vs 180 ms"
		awk -F'\t' '{ printf "%-22s %10.0f %10.1f %+11.1f%%\n", ($1 == "lean" ? "loadgate (Lean)" : $1 == "nethttp" ? "loadgate (net/http)" : $1 == "hey" ? "hey (10 x 100/s)" : $1 == "wrk" ? "wrk (10 conns, max)" : $1), $2, $3, 100 * ($3 / 180 - 1) }' "$OUT/stall.tsv"
	} | tee -a "$OUT/table.txt"
	URL=$saved
}

# rss_of FILE CMD...: runs CMD under GNU time, prints its peak RSS in KiB.
rss_of() {
	local f=$1
	shift
	/usr/bin/time -f '%M' -o "$f.rss" "$@" >"$f" 2>"$f.err"
	tail -n1 "$f.rss"
}

memory_section() {
	local n f rss vd vrate
	: >"$OUT/memory.tsv"
	log "memory: peak RSS at $MEM_SMALL and $MEM_BIG requests (loadgate), $MEM_SMALL and $MEM_PEER (hey, vegeta); $CONNS connections"
	for n in "$MEM_SMALL" "$MEM_BIG"; do
		f="$OUT/mem.lean.$n"
		rss=$(rss_of "$f" "$OUT/loadgate-bench" -url "$URL/" -c "$CONNS" -n "$n" -d 30m -transport lean)
		printf 'loadgate (Lean)\t%s\t%s\t%s\n' "$n" "$(kv requests "$f")" "$rss" >>"$OUT/memory.tsv"
		log "  loadgate lean $n: $(kv requests "$f") requests, $rss KiB"
	done
	for n in "$MEM_SMALL" "$MEM_PEER"; do
		f="$OUT/mem.nethttp.$n"
		rss=$(rss_of "$f" "$OUT/loadgate-bench" -url "$URL/" -c "$CONNS" -n "$n" -d 30m -transport pooled)
		printf 'loadgate (net/http)\t%s\t%s\t%s\n' "$n" "$(kv requests "$f")" "$rss" >>"$OUT/memory.tsv"
		log "  loadgate net/http $n: $rss KiB"
		f="$OUT/mem.hey.$n"
		rss=$(rss_of "$f" hey -n "$n" -c "$CONNS" "$URL/")
		printf 'hey\t%s\t%s\t%s\n' "$n" "$n" "$rss" >>"$OUT/memory.tsv"
		log "  hey $n: $rss KiB"
		# vegeta has no request count: run it for the time its closed-model
		# rate needs for n requests, writing every result to a file.
		vrate=nan
		[[ -f $OUT/closed.tsv ]] && vrate=$(awk -F'\t' '$1 == "go" && $3 == "vegeta" { print $4 }' "$OUT/closed.tsv" | median)
		[[ $vrate == nan || -z $vrate ]] && vrate=25000
		vd=$(awk -v n="$n" -v r="$vrate" 'BEGIN { printf "%dms", 1000 * n / r }')
		f="$OUT/mem.vegeta.$n"
		echo "GET $URL/" >"$f.targets"
		rss=$(rss_of "$f" vegeta attack -targets "$f.targets" -rate=0 -max-workers="$CONNS" -duration="$vd" -output "$f.bin")
		printf 'vegeta\t%s\t%s\t%s\t%s\n' "$n" "$(vegeta report -type=json <"$f.bin" | sed 's/.*"requests":\([0-9]*\).*/\1/')" "$rss" "$(du -k "$f.bin" | cut -f1)" >>"$OUT/memory.tsv"
		rm -f "$f.bin"
		log "  vegeta ~$n ($vd): $rss KiB"
	done
	{
		echo
		echo "## Memory: peak RSS (GNU time %M) of one run, $CONNS connections"
		echo
		printf '%-22s %12s %12s %12s\n' tool "asked" "requests" "peak RSS MiB"
		awk -F'\t' '{ printf "%-22s %12d %12d %12.1f%s\n", $1, $2, $3, $4 / 1024, ($5 != "" ? sprintf("   (+ %.0f MiB of results on disk)", $5 / 1024) : "") }' "$OUT/memory.tsv"
		awk -F'\t' -v s="$MEM_SMALL" '$2 == s { small[$1] = $4 } $2 != s && small[$1] > 0 { printf "%s: %.2fx the RSS of the %d-request run at %d requests\n", $1, $4 / small[$1], s, $3 }' "$OUT/memory.tsv"
		echo "target: loadgate at $MEM_BIG requests <= 1.2x its RSS at $MEM_SMALL"
	} | tee -a "$OUT/table.txt"
}

bench_section() {
	log "bench: go test -bench of the recording path and whole no-op scenarios, with a CPU profile"
	go test -run '^$' -bench 'BenchmarkRecord$|BenchmarkHTTPHit' -count 1 ./loadtest/ >"$OUT/bench.txt" 2>&1
	go test -run '^$' -bench 'BenchmarkScenario' -benchtime 10x -count 1 \
		-cpuprofile "$OUT/bench.cpu.pprof" -o "$OUT/loadtest.test" ./loadtest/ >>"$OUT/bench.txt" 2>&1
	go test -run '^$' -bench 'BenchmarkDefaultPathCost' -benchtime 20000x -count 3 ./loadtest/ >>"$OUT/bench.txt" 2>&1
	go test -run 'TestRecordAllocatesNothing' -count 1 ./loadtest/ >>"$OUT/bench.txt" 2>&1
	go tool pprof -top -nodecount 25 "$OUT/loadtest.test" "$OUT/bench.cpu.pprof" >"$OUT/bench.top.txt" 2>/dev/null || true
	{
		echo
		echo "## Harness bookkeeping per request (go test -bench, no-op target)"
		echo
		grep -E '^(Benchmark|ok|FAIL|---)' "$OUT/bench.txt"
	} | tee -a "$OUT/table.txt"
}

scaling_section() {
	local c tool f res rate
	: >"$OUT/scaling.tsv"
	log "scaling: connections 1 10 50 200 (closed), rates (open)"
	for c in 1 10 50 200; do
		for tool in lean nethttp wrk; do
			f="$OUT/scale.c$c.$tool"
			case $tool in
			lean | nethttp)
				local tr=lean
				[[ $tool == nethttp ]] && tr=pooled
				res=$(run_loadgate "$f" -url "$URL/" -model closed -c "$c" -d "$DUR" -transport "$tr" -cpuprofile "$f.pprof")
				res="$res $(kv cpu_s "$f") $(kv requests "$f")"
				;;
			wrk) res=$(run_wrk "$f" -t$((c < 2 ? 1 : 2)) -c"$c" -d"$(secs "$DUR")"s "$URL/") ;;
			esac
			printf 'c=%s\t%s\t%s\n' "$c" "$tool" "$res" | tr ' ' '\t' >>"$OUT/scaling.tsv"
			log "  c=$c $tool: $res"
		done
	done
	for rate in 1000 5000 10000 20000 40000 60000; do
		f="$OUT/scale.r$rate.lean"
		res=$(run_loadgate "$f" -url "$URL/" -model open -rate "$rate" -d "$DUR" -transport lean -cpuprofile "$f.pprof")
		res="$res $(kv cpu_s "$f") $(kv requests "$f") $(kv lag_max_ms "$f")"
		printf 'rate=%s\tlean\t%s\n' "$rate" "$res" | tr ' ' '\t' >>"$OUT/scaling.tsv"
		log "  $rate/s lean: $res"
	done
	{
		echo
		echo "## Scaling: req/s against connections (closed) and against target rate (open, Lean)"
		echo
		printf '%-12s %-22s %10s %10s %12s %14s\n' load tool "req/s" "p99 ms" "lost" "CPU µs/req"
		awk -F'\t' '{ printf "%-12s %-22s %10.0f %10.2f %12d %14s\n", $1, ($2 == "lean" ? "loadgate (Lean)" : $2 == "nethttp" ? "loadgate (net/http)" : $2), $3, $4, $5, ($7 > 0 ? sprintf("%.1f", 1e6 * $6 / $7) : "") }' "$OUT/scaling.tsv"
	} | tee -a "$OUT/table.txt"
	for f in "$OUT"/scale.*.pprof; do
		go tool pprof -top -nodecount 20 "$OUT/loadgate-bench" "$f" >"${f%.pprof}.top.txt" 2>/dev/null || true
	done
}

# --- main ------------------------------------------------------------------
install_peers
go build -o "$OUT/server" ./perf/server
go build -o "$OUT/loadgate-bench" ./perf/loadgate-bench
# Both servers start now: after the open-model runs, which open and close
# thousands of connections, the ephemeral ports can all be in TIME_WAIT for
# a minute, and a new listener on port 0 would fail.
start_server stall -stall -period 2s -window 200ms
STALL_URL=$URL
declare -A TARGET_URL
if [[ " $TARGETS " == *" nginx "* ]] && want closed; then
	start_nginx
	TARGET_URL[nginx]=$URL
fi
start_server tiny
TARGET_URL[go]=$URL
{
	echo "# loadgate generator comparison, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr); $(go version | cut -d' ' -f3)"
	echo "peers: hey v0.1.5, vegeta v12.13.0, $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "targets: perf/server (net/http, answers \"ok\") on 127.0.0.1, its own process; closed model also against $(target_label nginx) (worker_processes auto, answers \"ok\")"
} | tee "$OUT/table.txt"
for s in closed open stall memory bench scaling; do
	if want "$s"; then "${s}_section"; fi
done
echo
echo "raw outputs and profiles: $OUT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
