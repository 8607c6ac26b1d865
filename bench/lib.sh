# shellcheck shell=bash
# What the shell benchmarks share (sourced, after `set -euo pipefail` and `top`, the source tree, are set): a
# work directory removed on exit together with every process started here; forewarn and nginx started and
# checked; a free loopback port; the benchmark partner and its advisory; CPU clock ticks; medians.
# FW_BENCH_KEEP=1 keeps the work directory (for perf and for a look at the logs).

bench_pids=()
hz=$(getconf CLK_TCK)

# bench_init NAME: work, a new directory /tmp/fw-bench-NAME.*, removed on exit with the processes started.
bench_init()
{
  work=$(mktemp -d "/tmp/fw-bench-$1.XXXXXX")
  trap bench_cleanup EXIT
}

bench_cleanup()
{
  local p
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${FW_BENCH_KEEP:-}" ]; then echo "  kept $work"; else rm -rf "$work"; fi
}

# fw_start FOREWARN DATA_DIR SERVE_ARGS...: `forewarn serve` on DATA_DIR on a free loopback port, its output in
# DATA_DIR.out and DATA_DIR.err; sets fw_pid and fw_url (http:// or https://, as it serves), or exits.
fw_start()
{
  local fw=$1 data=$2
  shift 2
  "$fw" serve --data "$data" --listen 127.0.0.1:0 --quiet "$@" > "$data.out" 2> "$data.err" &
  fw_pid=$!
  bench_pids+=("$fw_pid")
  for _ in $(seq 50); do grep -q listening "$data.out" 2>/dev/null && break; sleep 0.1; done
  fw_url=$(sed -n 's|.*listening on \(https\{0,1\}://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$data.out")
  [ -n "$fw_url" ] || { echo "bench: forewarn did not start:" >&2; cat "$data.out" "$data.err" >&2; exit 1; }
}

# fw_api METHOD PATH [BODY]: an admin call to fw_url with fw_admin's token (fw_curl: curl and its TLS options).
fw_curl=(curl -sf)
fw_api()
{
  "${fw_curl[@]}" -X "$1" -H "Authorization: Bearer $fw_admin" -H 'Content-Type: application/json' \
    ${3:+--data-binary "$3"} "$fw_url$2"
}

# bench_advisory: partner bench-partner (vetted, DE) with a token, and one advisory embargoed for an hour with a
# 600-byte summary, through fw_api; sets bench_token and bench_id.
bench_advisory()
{
  local t summary
  fw_api POST /api/v1/partners '{"id":"bench-partner","name":"Bench Partner","country":"DE","tier":"vetted"}' \
    >/dev/null
  bench_token=$(fw_api POST /api/v1/partners/bench-partner/tokens | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  t=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
  summary=$(head -c 600 /dev/zero | tr '\0' 'x')
  bench_id=$(fw_api POST /api/v1/advisories "{\"title\":\"Benchmark advisory\",\"cves\":[\"CVE-2026-1000\"],\"products\":[\"Example 1\"],\"public_at\":\"$t\",\"parts\":{\"summary\":\"$summary\",\"details\":\"Technical details.\"}}" |
    sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
  [ -n "$bench_token" ] && [ -n "$bench_id" ] || { echo "bench: cannot set up the partner and its advisory" >&2; exit 1; }
}

# free_port: a loopback port nobody listens on now (other benchmarks may run on this machine at the same time).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# nginx_start HTTP: nginx in a process of its own on $work/nginx.conf, whose http block holds HTTP (its
# servers) after what every benchmark sets (workers, pid, logs); sets ng_pid.
nginx_start()
{
  cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
$1
}
NGINX
  nginx -c "$work/nginx.conf" -g 'daemon off;' &
  ng_pid=$!
  bench_pids+=("$ng_pid")
  sleep 0.5
}

# nginx_pids: nginx's master and its workers.
nginx_pids() { echo "$ng_pid" $(pgrep -P "$ng_pid" || true); }

# cpu_ticks PID...: user + system clock ticks of the processes (all their threads) so far.
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }

# wrk_faults WRK_OUTPUT LABEL: appends to $work/faults what went wrong in one wrk run (socket errors,
# timeouts, answers other than 2xx and 3xx, which wrk counts as requests all the same), nothing if nothing did;
# wrk_faults_report prints and clears them. A round far below the others is explained there, or it was the
# machine.
wrk_faults()
{
  local f
  f=$({ grep -E 'Socket errors|Non-2xx' "$1" || true; } | sed 's/^ *//' | paste -sd ';' -)
  [ -z "$f" ] || echo "  $2: $f" >> "$work/faults"
}
wrk_faults_report()
{
  if [ -s "$work/faults" ]; then echo "  wrk reported faults:"; cat "$work/faults"; else echo "  wrk reported no faults (no socket errors, timeouts or non-2xx answers)"; fi
  rm -f "$work/faults"
}

# median: the median of the numbers on standard input, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
