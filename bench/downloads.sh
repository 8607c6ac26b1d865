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
# CONNECTIONS may list several counts (default 64,256), each measured in turn. Every download waits for its
# group's fsync (about 0.5 ms here) before it is served, so at 64 connections forewarn is bound by that
# latency and leaves CPU idle; 256 (the default per-address limit) keep it busy, as 64 already keep nginx.
# Usage: bench/downloads.sh [BUILD_DIR[,BUILD_DIR...]] [SECONDS] [ROUNDS] [CONNECTIONS[,...]] [SYNC: full|normal]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builds=${1:-$top/build}
secs=${2:-10}
rounds=${3:-3}
conns_list=${4:-64,256}
sync=${5:-full}
IFS=, read -r -a dirs <<< "$builds"
IFS=, read -r -a conn_counts <<< "$conns_list"
command -v wrk >/dev/null && command -v nginx >/dev/null || "$top/scripts/install-deps.sh" --bench
for b in "${dirs[@]}"; do
  [ -x "$b/forewarn" ] || { echo "bench: build first (scripts/build.sh): no $b/forewarn" >&2; exit 2; }
done

. "$top/bench/lib.sh"
bench_init dl

# start_fw K: server K on its own data; sets pids[K], url[K], token[K], id[K], admin_tok[K].
declare -a pids url token id admin_tok
start_fw() {
  local k=$1 fw=${dirs[$1]}/forewarn d=$work/fw$1
  mkdir -p "$d"
  fw_admin=$("$fw" init "$d/data" --quiet)
  fw_start "$fw" "$d/data" --plain-http --sync "$sync"
  bench_advisory
  pids[$k]=$fw_pid url[$k]=$fw_url token[$k]=$bench_token id[$k]=$bench_id admin_tok[$k]=$fw_admin
}
for k in "${!dirs[@]}"; do start_fw "$k"; done
mkdir -p "$work/www"
curl -sf -H "Authorization: Bearer ${token[0]}" "${url[0]}/api/v1/inbox/${id[0]}" > "$work/www/copy.json"
size=$(stat -c %s "$work/www/copy.json")
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/copy.json" # nginx's workers run as nobody

ngport=$(free_port)
nginx_start "$(cat <<NGINX
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$ngport;
    root $work/www;
    default_type application/json;
  }
NGINX
)"
curl -sf "http://127.0.0.1:$ngport/copy.json" | cmp -s - "$work/www/copy.json" ||
  { echo "bench: nginx does not serve the same bytes:" >&2; cat "$work/nginx.err" >&2; exit 1; }

# run NAME PID... -- WRK_ARGS...: one wrk run; appends its rate, µs of CPU per request and p99 to NAME's lists.
run() {
  local name=$1 p=() t0 t1 n; shift
  while [ "$1" != -- ]; do p+=("$1"); shift; done; shift
  t0=$(cpu_ticks "${p[@]}")
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" > "$work/wrk.out" 2>/dev/null
  t1=$(cpu_ticks "${p[@]}")
  wrk_faults "$work/wrk.out" "$name, round $round"
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  echo "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")" >> "$work/$name.rate"
  awk -v d=$((t1 - t0)) -v n="$n" -v hz="$hz" 'BEGIN { printf "%.1f\n", d * 1e6 / hz / n }' >> "$work/$name.cpu"
  awk '$1 == "99%" {print $2}' "$work/wrk.out" >> "$work/$name.p99"
}
for conns in "${conn_counts[@]}"; do
  rm -f "$work"/*.rate "$work"/*.cpu "$work"/*.p99
  for round in $(seq "$rounds"); do
    for k in "${!dirs[@]}"; do
      run "fw$k" "${pids[$k]}" -- -H "Authorization: Bearer ${token[$k]}" "${url[$k]}/api/v1/inbox/${id[$k]}"
    done
    # shellcheck disable=SC2046
    run nginx $(nginx_pids) -- "http://127.0.0.1:$ngport/copy.json"
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
  wrk_faults_report
done
