#!/usr/bin/env bash
# The first command of the README: installs what is missing, builds, creates a fresh demo data directory
# (demo-data/) and runs the server on 127.0.0.1:8443 on its embedded SQLite store. Ctrl-C stops it.
# Usage: scripts/demo.sh [--listen ADDR:PORT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
listen=127.0.0.1:8443
if [ "${1:-}" = "--listen" ] && [ -n "${2:-}" ]; then listen=$2; fi
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
rm -rf "$top/demo-data"
echo
"$top/build/forewarn" init "$top/demo-data" --demo --publisher-name "Example Vendor PSIRT" \
  --publisher-namespace https://psirt.example.com
echo
echo "Server URL: http://$listen/   (try: curl -H \"Authorization: Bearer <partner token>\" http://$listen/api/v1/inbox)"
echo "Client:     export FOREWARN_URL=http://$listen FOREWARN_TOKEN=\$(cat demo-data/admin.token); build/forewarn partner list"
echo
exec "$top/build/forewarn" serve --data "$top/demo-data" --listen "$listen"
