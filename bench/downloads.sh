#!/usr/bin/env bash
# Partner-download benchmark: wrk on loopback against GET /api/v1/inbox/{id} (keep-alive, bearer token
# checked, every download recorded durably before it is served) side by side with nginx serving the same
# bytes as a static file, alternating runs in one session. Prints medians and the ratio (target >= 0.5x),
# and the CPU time each server spends per request (utime + stime from /proc/PID/stat over the run, divided
# by the requests wrk completed): on a shared machine that figure is steadier than the rates.
# Every download appends one entry to the transparency log, durable before the copy is served: forewarn's
# rate is also the rate of durable log appends from that many concurrent writers, with its p99 latency.
# BUILD_DIR may name several builds separated by commas (e.g. build-before,build): each gets its own server
# and data, and the runs alternate among them and nginx, so before and after compare in one session.
# Usage: bench/downloads.sh [BUILD_DIR[,BUILD_DIR...]] [SECONDS] [ROUNDS] [CONNECTIONS] [SYNC: full|normal]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builds=${1:-$top/build}
secs=${2:-10}
rounds=${3:-3}
conns=${4:-64}
sync=${5:-full}
IFS=, read -r -a dirs <<< "$builds"
command -v wrk >/dev/null && command -v nginx >/dev/null || "$top/scripts/install-deps.sh" --bench
for b in "${dirs[@]}"; do
  [ -x "$b/forewarn" ] || { echo "bench: build first (scripts/build.sh): no $b/forewarn" >&2; exit 2; }
done

work=$(mktemp -d /tmp/fw-bench-dl.XXXXXX)
pids=() ; ngpid=""
cleanup() {
  for p in "${pids[@]}" $ngpid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_fw K: server K on its own data; sets url[K], token[K], id[K].
declare -a url token id
start_fw() {
  local k=$1 fw=${dirs[$1]}/forewarn d=$work/fw$1 admin port t summary
  mkdir -p "$d"
  admin=$("$fw" init "$d/data" --quiet)
  "$fw" serve --data "$d/data" --listen 127.0.0.1:0 --plain-http --quiet --sync "$sync" > "$d/serve.out" 2> "$d/serve.err" &
  pids[$k]=$!
  for _ in $(seq 50); do grep -q listening "$d/serve.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$d/serve.out")
  url[$k]=http://127.0.0.1:$port
  api() { curl -sf -X "$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' ${3:+-d "$3"} "${url[$k]}$2"; }
  api POST /api/v1/partners '{"id":"bench-partner","name":"Bench Partner","country":"DE","tier":"vetted"}' >/dev/null
  token[$k]=$(api POST /api/v1/partners/bench-partner/tokens | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  t=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
  summary=$(head -c 600 /dev/zero | tr '\0' 'x')
  id[$k]=$(api POST /api/v1/advisories "{\"title\":\"Benchmark advisory\",\"cves\":[\"CVE-2026-1000\"],\"products\":[\"Example 1\"],\"public_at\":\"$t\",\"parts\":{\"summary\":\"$summary\",\"details\":\"Technical details.\"}}" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
  admin_tok[$k]=$admin
}
declare -a admin_tok
for k in "${!dirs[@]}"; do start_fw "$k"; done
mkdir -p "$work/www"
curl -sf -H "Authorization: Bearer ${token[0]}" "${url[0]}/api/v1/inbox/${id[0]}" > "$work/www/copy.json"
size=$(stat -c %s "$work/www/copy.json")

# A free port for nginx (other benchmarks may run on this machine at the same time).
ngport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$ngport;
    root $work/www;
    default_type application/json;
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
ngpid=$!
sleep 0.5

# ticks PID...: utime + stime of the processes (all their threads), in clock ticks.
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat"; done | awk '{s += $1} END {print s + 0}'; }
hz=$(getconf CLK_TCK)
# run NAME PID... -- WRK_ARGS...: one wrk run; appends its rate, µs of CPU per request and p99 to NAME's lists.
run() {
  local name=$1 p=() t0 t1 n; shift
  while [ "$1" != -- ]; do p+=("$1"); shift; done; shift
  t0=$(ticks "${p[@]}")
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" > "$work/wrk.out" 2>/dev/null
  t1=$(ticks "${p[@]}")
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")" >> "$work/$name.rate"
  awk -v d=$((t1 - t0)) -v n="$n" -v hz="$hz" 'BEGIN { printf "%.1f\n", d * 1e6 / hz / n }' >> "$work/$name.cpu"
  awk '$1 == "99%" {print $2}' "$work/wrk.out" >> "$work/$name.p99"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ngworkers=$(pgrep -P "$ngpid" | tr '\n' ' ')
for _ in $(seq "$rounds"); do
  for k in "${!dirs[@]}"; do
    run "fw$k" "${pids[$k]}" -- -H "Authorization: Bearer ${token[$k]}" "${url[$k]}/api/v1/inbox/${id[$k]}"
  done
  # shellcheck disable=SC2086
  run nginx $ngpid $ngworkers -- "http://127.0.0.1:$ngport/copy.json"
done
ngm=$(median < "$work/nginx.rate")
ngc=$(median < "$work/nginx.cpu")
echo "downloads: $size-byte copy, wrk -t2 -c$conns, ${secs}s x $rounds rounds, alternating"
for k in "${!dirs[@]}"; do
  fwm=$(median < "$work/fw$k.rate")
  echo "  forewarn ${dirs[$k]} (auth + download recorded and logged, sync=$sync):"
  echo "    $(tr '\n' ' ' < "$work/fw$k.rate")req/s, median $fwm"
  echo "    CPU per request: $(tr '\n' ' ' < "$work/fw$k.cpu")us, median $(median < "$work/fw$k.cpu") us"
  echo "    p99 latency (= durable log append acknowledged): $(tr '\n' ' ' < "$work/fw$k.p99")"
  awk -v a="$fwm" -v b="$ngm" 'BEGIN { printf "    ratio forewarn/nginx: %.2fx (target >= 0.5x)\n", a / b }'
  logsize=$(curl -sf -H "Authorization: Bearer ${admin_tok[$k]}" "${url[$k]}/api/v1/log/entries?start=0&end=0" | sed -n 's/^{"size":\([0-9]*\).*/\1/p')
  echo "    (recording on: the transparency log holds $logsize entries)"
done
echo "  nginx (static file, same bytes): $(tr '\n' ' ' < "$work/nginx.rate")req/s, median $ngm"
echo "    CPU per request: $(tr '\n' ' ' < "$work/nginx.cpu")us, median $ngc us"
