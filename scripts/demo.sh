#!/usr/bin/env bash
# The first command of the README: installs what is missing, builds, creates a fresh demo data directory
# (demo-data/, with its self-signed TLS certificate demo-data/tls.crt) and runs the server over HTTPS on
# 127.0.0.1:8443 on its embedded SQLite store. Ctrl-C stops it.
# Usage: scripts/demo.sh [--listen ADDR:PORT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
listen=127.0.0.1:8443
if [ "${1:-}" = "--listen" ] && [ -n "${2:-}" ]; then listen=$2; fi
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
rm -rf "$top/demo-data"
names=()
[ "${listen%:*}" = 127.0.0.1 ] || names=(--tls-name "${listen%:*}")
echo
"$top/build/forewarn" init "$top/demo-data" --demo --publisher-name "Example Vendor PSIRT" \
  --publisher-namespace https://psirt.example.com "${names[@]}"
echo
echo "Server URL: https://$listen/   (its self-signed certificate: demo-data/tls.crt)"
echo "Try:        curl --cacert demo-data/tls.crt -H \"Authorization: Bearer <partner token>\" https://$listen/api/v1/inbox"
echo "Client:     export FOREWARN_URL=https://$listen FOREWARN_CACERT=demo-data/tls.crt FOREWARN_TOKEN=\$(cat demo-data/admin.token)"
echo "            build/forewarn partner list"
echo
exec "$top/build/forewarn" serve --data "$top/demo-data" --listen "$listen"
