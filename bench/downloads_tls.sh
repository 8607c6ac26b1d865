#!/usr/bin/env bash
# Partner downloads over TLS: wrk on loopback against GET /api/v1/inbox/{id} over HTTPS (keep-alive, bearer
# token checked, client certificate requested, every download recorded durably before it is served) side by
# side with nginx serving the same bytes as a static file over TLS with the same certificate and key,
# alternating runs in one session. Prints medians, the ratio (target >= 0.75x), and each server's CPU time
# per request (from /proc/PID/stat), which is steadier than throughput on a shared machine.
# CONNECTIONS may list several counts (default 64,256), each measured in turn (see bench/downloads.sh).
# Usage: bench/downloads_tls.sh [BUILD_DIR] [SECONDS] [ROUNDS] [CONNECTIONS[,...]] [SYNC: full|normal] [THREADS]
# (THREADS: forewarn's --threads; by default its own default, one per CPU)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
secs=${2:-10}
rounds=${3:-3}
IFS=, read -r -a conn_counts <<< "${4:-64,256}"
sync=${5:-full}
threads=${6:-}
fw=$build/forewarn
command -v wrk >/dev/null && command -v nginx >/dev/null || "$top/scripts/install-deps.sh" --bench
[ -x "$fw" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 2; }

. "$top/bench/lib.sh"
bench_init tls

fw_admin=$("$fw" init "$work/data" --quiet)
fw_start "$fw" "$work/data" --sync "$sync" ${threads:+--threads "$threads"}
url=$fw_url
ca=(--cacert "$work/data/tls.crt")
fw_curl+=("${ca[@]}")
bench_advisory
token=$bench_token id=$bench_id
ngport=$(free_port)
mkdir -p "$work/www"
curl -sf "${ca[@]}" -H "Authorization: Bearer $token" "$url/api/v1/inbox/$id" > "$work/www/copy.json"
size=$(stat -c %s "$work/www/copy.json")
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/copy.json" # nginx's workers run as nobody

nginx_start "$(cat <<NGINX
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$ngport ssl;
    ssl_certificate $work/data/tls.crt;
    ssl_certificate_key $work/data/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $work/www;
    default_type application/json;
  }
NGINX
)"
curl -sf "${ca[@]}" https://127.0.0.1:$ngport/copy.json | cmp -s - "$work/www/copy.json" ||
  { echo "bench: nginx does not serve the same bytes:" >&2; cat "$work/nginx.err" >&2; exit 1; }

# rate LABEL PIDS WRK-ARGS...: requests per second of one wrk run; CPU microseconds per request to $work/cpu;
# its faults, if any, under LABEL (wrk_faults).
rate() {
  local label=$1 pids=$2; shift 2
  local c0 c1 n
  c0=$(cpu_ticks $pids)
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" > "$work/wrk.out" 2>/dev/null
  c1=$(cpu_ticks $pids)
  wrk_faults "$work/wrk.out" "$label"
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  awk -v d=$((c1 - c0)) -v n="$n" -v hz="$hz" 'BEGIN { printf "%.1f\n", d / hz * 1e6 / n }' >> "$work/cpu"
  awk '/Requests\/sec/ {print $2}' "$work/wrk.out"
}
proto() { curl -sv "${ca[@]}" -o /dev/null "$1" 2>&1 | sed -n 's/^\* SSL connection using \(.*\)$/\1/p' | head -1; }
for conns in "${conn_counts[@]}"; do
  fwr=(); ngr=(); fwc=(); ngc=()
  for i in $(seq "$rounds"); do
    : > "$work/cpu"
    fwr+=("$(rate "forewarn, round $i" "$fw_pid" -H "Authorization: Bearer $token" "$url/api/v1/inbox/$id")")
    fwc+=("$(cat "$work/cpu")")
    : > "$work/cpu"
    ngr+=("$(rate "nginx, round $i" "$(nginx_pids)" https://127.0.0.1:$ngport/copy.json)")
    ngc+=("$(cat "$work/cpu")")
  done
  fwm=$(printf '%s\n' "${fwr[@]}" | median)
  ngm=$(printf '%s\n' "${ngr[@]}" | median)
  fwcm=$(printf '%s\n' "${fwc[@]}" | median)
  ngcm=$(printf '%s\n' "${ngc[@]}" | median)
  echo "downloads over TLS: $size-byte copy, wrk -t2 -c$conns, ${secs}s x $rounds rounds, alternating, keep-alive"
  echo "  TLS: forewarn $(proto "$url/api/v1/health"); nginx $(proto https://127.0.0.1:$ngport/copy.json)"
  echo "  forewarn (HTTPS, auth + download recorded and logged, sync=$sync, ${threads:-default} threads): ${fwr[*]} req/s, median $fwm"
  echo "  nginx (HTTPS, static file, same bytes, $(nproc) workers):          ${ngr[*]} req/s, median $ngm"
  awk -v a="$fwm" -v b="$ngm" 'BEGIN { printf "  ratio forewarn/nginx: %.2fx (target >= 0.75x)\n", a / b }'
  # Each forewarn round beside the nginx round after it: the machine's drift over the run cancels out.
  paired=$(for k in "${!fwr[@]}"; do awk -v a="${fwr[$k]}" -v b="${ngr[$k]}" 'BEGIN { printf "%.2f\n", a / b }'; done)
  echo "  ratio of each round to nginx's next: $(echo "$paired" | paste -sd " " -), median $(echo "$paired" | median)x"
  echo "  CPU per request: forewarn ${fwc[*]} us (median $fwcm), nginx ${ngc[*]} us (median $ngcm)"
  wrk_faults_report
done
