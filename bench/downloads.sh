#!/usr/bin/env bash
# Partner-download benchmark: wrk on loopback against GET /api/v1/inbox/{id} (keep-alive, bearer token
# checked, every download recorded durably before it is served) side by side with nginx serving the same
# bytes as a static file, alternating runs in one session. Prints medians and the ratio (target >= 0.5x).
# Every download appends one entry to the transparency log, durable before the copy is served: forewarn's
# rate is also the rate of durable log appends from that many concurrent writers, with its p99 latency.
# Usage: bench/downloads.sh [BUILD_DIR] [SECONDS] [ROUNDS] [CONNECTIONS] [SYNC: full|normal]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
secs=${2:-10}
rounds=${3:-3}
conns=${4:-64}
sync=${5:-full}
fw=$build/forewarn
command -v wrk >/dev/null && command -v nginx >/dev/null || "$top/scripts/install-deps.sh" --bench
[ -x "$fw" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 2; }

work=$(mktemp -d /tmp/fw-bench-dl.XXXXXX)
fwpid="" ; ngpid=""
cleanup() {
  [ -n "$fwpid" ] && kill "$fwpid" 2>/dev/null || true
  [ -n "$ngpid" ] && kill "$ngpid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

admin=$("$fw" init "$work/data" --quiet)
"$fw" serve --data "$work/data" --listen 127.0.0.1:0 --plain-http --quiet --sync "$sync" > "$work/serve.out" 2> "$work/serve.err" &
fwpid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.out")
url=http://127.0.0.1:$port
api() { curl -sf -X "$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' ${3:+-d "$3"} "$url$2"; }
api POST /api/v1/partners '{"id":"bench-partner","name":"Bench Partner","country":"DE","tier":"vetted"}' >/dev/null
token=$(api POST /api/v1/partners/bench-partner/tokens | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
t=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
summary=$(head -c 600 /dev/zero | tr '\0' 'x')
id=$(api POST /api/v1/advisories "{\"title\":\"Benchmark advisory\",\"cves\":[\"CVE-2026-1000\"],\"products\":[\"Example 1\"],\"public_at\":\"$t\",\"parts\":{\"summary\":\"$summary\",\"details\":\"Technical details.\"}}" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
mkdir -p "$work/www"
curl -sf -H "Authorization: Bearer $token" "$url/api/v1/inbox/$id" > "$work/www/copy.json"
size=$(stat -c %s "$work/www/copy.json")

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:0;
    listen 127.0.0.1:18099;
    root $work/www;
    default_type application/json;
  }
}
NGINX
sed -i '/listen 127.0.0.1:0;/d' "$work/nginx.conf"
nginx -c "$work/nginx.conf" -g 'daemon off;' &
ngpid=$!
sleep 0.5

# rate: requests per second of one wrk run; its p99 latency goes to $work/p99.
rate() {
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" > "$work/wrk.out" 2>/dev/null
  awk '$1 == "99%" {print $2}' "$work/wrk.out" >> "$work/p99"
  awk '/Requests\/sec/ {print $2}' "$work/wrk.out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fwr=(); ngr=(); fwp99=()
for i in $(seq "$rounds"); do
  : > "$work/p99"
  fwr+=("$(rate -H "Authorization: Bearer $token" "$url/api/v1/inbox/$id")")
  fwp99+=("$(cat "$work/p99")")
  ngr+=("$(rate http://127.0.0.1:18099/copy.json)")
done
fwm=$(printf '%s\n' "${fwr[@]}" | median)
ngm=$(printf '%s\n' "${ngr[@]}" | median)
echo "downloads: $size-byte copy, wrk -t2 -c$conns, ${secs}s x $rounds rounds, alternating"
echo "  forewarn (auth + download recorded and logged, sync=$sync): ${fwr[*]} req/s, median $fwm"
echo "  forewarn p99 latency (= durable log append acknowledged): ${fwp99[*]}"
echo "  nginx (static file, same bytes):           ${ngr[*]} req/s, median $ngm"
awk -v a="$fwm" -v b="$ngm" 'BEGIN { printf "  ratio forewarn/nginx: %.2fx (target >= 0.5x)\n", a / b }'
logsize=$(curl -sf -H "Authorization: Bearer $admin" "$url/api/v1/log/entries?start=0&end=0" | sed -n 's/^{"size":\([0-9]*\).*/\1/p')
echo "  (recording on: the transparency log holds $logsize entries)"
