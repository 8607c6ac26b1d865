#!/usr/bin/env bash
# New mutual-TLS handshakes per second: `openssl s_time -new` clients on loopback open a new TLS connection
# for every request, present a client certificate and fetch one page: from forewarn, GET /api/v1/me, the
# partner authenticated by its registered certificate alone (checked on the request: fingerprint, validity,
# revocation, mode); from nginx, a static page behind ssl_verify_client optional_no_ca with the certificate's
# fingerprint matched by a map. Same server certificate (ECDSA P-256), alternating runs in one session.
# Prints connections per second (medians), the ratio, and each server's CPU time per handshake.
# Usage: bench/handshakes.sh [BUILD_DIR] [SECONDS] [ROUNDS] [CLIENTS] [THREADS] (THREADS: forewarn --threads;
# by default its own default, one per CPU)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
secs=${2:-10}
rounds=${3:-3}
clients=${4:-2}
threads=${5:-}
fw=$build/forewarn
command -v nginx >/dev/null && command -v openssl >/dev/null || "$top/scripts/install-deps.sh" --bench
[ -x "$fw" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 2; }

. "$top/bench/lib.sh"
bench_init hs

fw_admin=$("$fw" init "$work/data" --quiet)
fw_start "$fw" "$work/data" ${threads:+--threads "$threads"}
url=$fw_url
port=${url##*:}
ca=(--cacert "$work/data/tls.crt")
fw_curl+=("${ca[@]}")
ngport=$(free_port)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/client.key" \
  -out "$work/client.crt" -subj /CN=bench-partner -days 2 2>/dev/null
fw_api POST /api/v1/partners '{"id":"bench-partner","name":"Bench Partner","country":"DE","tier":"vetted"}' >/dev/null
fw_api POST /api/v1/partners/bench-partner/certs "@$work/client.crt" >/dev/null
fw_api PUT /api/v1/partners/bench-partner/auth '{"auth":"cert"}' >/dev/null
cert=(--cert "$work/client.crt" --key "$work/client.key")
curl -sf "${ca[@]}" "${cert[@]}" "$url/api/v1/me" | grep -q bench-partner ||
  { echo "bench: the client certificate does not authenticate" >&2; exit 1; }

sha1=$(openssl x509 -in "$work/client.crt" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr A-F a-f)
mkdir -p "$work/www"
echo '{"partner":{"id":"bench-partner"}}' > "$work/www/me"
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/me" # nginx's workers run as nobody
nginx_start "$(cat <<NGINX
  map \$ssl_client_fingerprint \$known { default 0; $sha1 1; }
  server {
    listen 127.0.0.1:$ngport ssl;
    ssl_certificate $work/data/tls.crt;
    ssl_certificate_key $work/data/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client optional_no_ca;
    ssl_session_tickets off;
    ssl_session_cache off;
    root $work/www;
    default_type application/json;
    location / { if (\$known = 0) { return 401; } }
  }
NGINX
)"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${ca[@]}" "${cert[@]}" https://127.0.0.1:$ngport/me)" = 200 ] &&
[ "$(curl -s -o /dev/null -w '%{http_code}' "${ca[@]}" https://127.0.0.1:$ngport/me)" = 401 ] ||
  { echo "bench: nginx does not check the client certificate" >&2; cat "$work/nginx.err" >&2; exit 1; }

# rate PIDS HOST:PORT PAGE: new connections per second of $clients parallel s_time clients; CPU us/handshake
# of PIDS to $work/cpu.
rate() {
  local pids=$1 c0 c1 i n=0 t
  c0=$(cpu_ticks $pids)
  for i in $(seq "$clients"); do
    openssl s_time -connect "$2" -new -time "$secs" -www "$3" -cert "$work/client.crt" \
      -key "$work/client.key" > "$work/st.$i" 2>&1 &
  done
  wait $(jobs -p | grep -v -e "^$fw_pid\$" -e "^$ng_pid\$") 2>/dev/null || true
  c1=$(cpu_ticks $pids)
  for i in $(seq "$clients"); do
    t=$(sed -n 's/^\([0-9]*\) connections in [0-9.]* real seconds.*/\1/p' "$work/st.$i" | head -1)
    n=$((n + ${t:-0}))
  done
  awk -v d=$((c1 - c0)) -v n="$n" -v hz="$hz" 'BEGIN { printf "%.0f\n", n ? d / hz * 1e6 / n : 0 }' >> "$work/cpu"
  awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f\n", n / s }'
}
fwr=(); ngr=(); fwc=(); ngc=()
for i in $(seq "$rounds"); do
  : > "$work/cpu"; fwr+=("$(rate "$fw_pid" "127.0.0.1:$port" /api/v1/me)"); fwc+=("$(cat "$work/cpu")")
  : > "$work/cpu"; ngr+=("$(rate "$(nginx_pids)" "127.0.0.1:$ngport" /me)"); ngc+=("$(cat "$work/cpu")")
done
fwm=$(printf '%s\n' "${fwr[@]}" | median)
ngm=$(printf '%s\n' "${ngr[@]}" | median)
echo "new mutual-TLS handshakes (one request each): $clients openssl s_time -new clients, ${secs}s x $rounds rounds"
echo "  forewarn (cert checked and matched per request, ${threads:-default} threads): ${fwr[*]} conn/s, median $fwm"
echo "  nginx (ssl_verify_client optional_no_ca + fingerprint map):  ${ngr[*]} conn/s, median $ngm"
awk -v a="$fwm" -v b="$ngm" 'BEGIN { printf "  ratio forewarn/nginx: %.2fx\n", a / b }'
echo "  CPU per handshake: forewarn ${fwc[*]} us (median $(printf '%s\n' "${fwc[@]}" | median)), nginx ${ngc[*]} us (median $(printf '%s\n' "${ngc[@]}" | median))"
