#!/usr/bin/env bash
# Partner downloads over TLS: wrk on loopback against GET /api/v1/inbox/{id} over HTTPS (keep-alive, bearer
# token checked, client certificate requested, every download recorded durably before it is served) side by
# side with nginx serving the same bytes as a static file over TLS with the same certificate and key,
# alternating runs in one session. Prints medians, the ratio (target >= 0.75x), and each server's CPU time
# per request (from /proc/PID/stat), which is steadier than throughput on a shared machine.
# Usage: bench/downloads_tls.sh [BUILD_DIR] [SECONDS] [ROUNDS] [CONNECTIONS] [SYNC: full|normal] [THREADS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
secs=${2:-10}
rounds=${3:-3}
conns=${4:-64}
sync=${5:-full}
threads=${6:-8}
fw=$build/forewarn
command -v wrk >/dev/null && command -v nginx >/dev/null || "$top/scripts/install-deps.sh" --bench
[ -x "$fw" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 2; }

work=$(mktemp -d /tmp/fw-bench-tls.XXXXXX)
fwpid="" ; ngpid=""
cleanup() {
  [ -n "$fwpid" ] && kill "$fwpid" 2>/dev/null || true
  [ -n "$ngpid" ] && kill "$ngpid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

admin=$("$fw" init "$work/data" --quiet)
"$fw" serve --data "$work/data" --listen 127.0.0.1:0 --quiet --sync "$sync" --threads "$threads" \
  > "$work/serve.out" 2> "$work/serve.err" &
fwpid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's|.*https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.out")
[ -n "$port" ] || { echo "bench: forewarn did not start:" >&2; cat "$work/serve.out" "$work/serve.err" >&2; exit 1; }
url=https://127.0.0.1:$port
ca=(--cacert "$work/data/tls.crt")
api() { curl -sf "${ca[@]}" -X "$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' ${3:+-d "$3"} "$url$2"; }
api POST /api/v1/partners '{"id":"bench-partner","name":"Bench Partner","country":"DE","tier":"vetted"}' >/dev/null
token=$(api POST /api/v1/partners/bench-partner/tokens | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
t=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
summary=$(head -c 600 /dev/zero | tr '\0' 'x')
id=$(api POST /api/v1/advisories "{\"title\":\"Benchmark advisory\",\"cves\":[\"CVE-2026-1000\"],\"products\":[\"Example 1\"],\"public_at\":\"$t\",\"parts\":{\"summary\":\"$summary\",\"details\":\"Technical details.\"}}" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
mkdir -p "$work/www"
curl -sf "${ca[@]}" -H "Authorization: Bearer $token" "$url/api/v1/inbox/$id" > "$work/www/copy.json"
size=$(stat -c %s "$work/www/copy.json")
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/copy.json" # nginx's workers run as nobody

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18443 ssl;
    ssl_certificate $work/data/tls.crt;
    ssl_certificate_key $work/data/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $work/www;
    default_type application/json;
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
ngpid=$!
sleep 0.5
curl -sf "${ca[@]}" https://127.0.0.1:18443/copy.json | cmp -s - "$work/www/copy.json" ||
  { echo "bench: nginx does not serve the same bytes:" >&2; cat "$work/nginx.err" >&2; exit 1; }

# cpu PID...: user+system clock ticks of the processes (and, for nginx, its workers).
cpu() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
ngpids() { echo "$ngpid" $(pgrep -P "$ngpid" || true); }
hz=$(getconf CLK_TCK)
# rate PIDS -- WRK-ARGS: requests per second of one wrk run; CPU microseconds per request to $work/cpu.
rate() {
  local pids=$1; shift
  local c0 c1 n
  c0=$(cpu $pids)
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" > "$work/wrk.out" 2>/dev/null
  c1=$(cpu $pids)
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  awk -v d=$((c1 - c0)) -v n="$n" -v hz="$hz" 'BEGIN { printf "%.1f\n", d / hz * 1e6 / n }' >> "$work/cpu"
  awk '/Requests\/sec/ {print $2}' "$work/wrk.out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fwr=(); ngr=(); fwc=(); ngc=()
for i in $(seq "$rounds"); do
  : > "$work/cpu"
  fwr+=("$(rate "$fwpid" -H "Authorization: Bearer $token" "$url/api/v1/inbox/$id")")
  fwc+=("$(cat "$work/cpu")")
  : > "$work/cpu"
  ngr+=("$(rate "$(ngpids)" https://127.0.0.1:18443/copy.json)")
  ngc+=("$(cat "$work/cpu")")
done
fwm=$(printf '%s\n' "${fwr[@]}" | median)
ngm=$(printf '%s\n' "${ngr[@]}" | median)
fwcm=$(printf '%s\n' "${fwc[@]}" | median)
ngcm=$(printf '%s\n' "${ngc[@]}" | median)
proto() { curl -sv "${ca[@]}" -o /dev/null "$1" 2>&1 | sed -n 's/^\* SSL connection using \(.*\)$/\1/p' | head -1; }
echo "downloads over TLS: $size-byte copy, wrk -t2 -c$conns, ${secs}s x $rounds rounds, alternating, keep-alive"
echo "  TLS: forewarn $(proto "$url/api/v1/health"); nginx $(proto https://127.0.0.1:18443/copy.json)"
echo "  forewarn (HTTPS, auth + download recorded and logged, sync=$sync, $threads threads): ${fwr[*]} req/s, median $fwm"
echo "  nginx (HTTPS, static file, same bytes, $(nproc) workers):          ${ngr[*]} req/s, median $ngm"
awk -v a="$fwm" -v b="$ngm" 'BEGIN { printf "  ratio forewarn/nginx: %.2fx (target >= 0.75x)\n", a / b }'
echo "  CPU per request: forewarn ${fwc[*]} us (median $fwcm), nginx ${ngc[*]} us (median $ngcm)"
