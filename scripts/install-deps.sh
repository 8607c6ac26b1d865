#!/usr/bin/env bash
# Installs what Forewarn needs to build, run and test, from Debian 12 packages and npm only.
# Usage: scripts/install-deps.sh [--test] [--bench]
set -euo pipefail

want_test=0
want_bench=0
for a in "$@"; do
  case "$a" in
    --test) want_test=1 ;;
    --bench) want_bench=1 ;;
    -h|--help) sed -n '2,3p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $a" >&2; exit 2 ;;
  esac
done

pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libsodium-dev libjansson-dev libsqlite3-dev
      libcurl4-openssl-dev libgnutls28-dev nettle-dev)
# clang-format: bench_eval reformats leaked PoCs with it (its quick mode is a test); python3 runs the PoCs.
[ "$want_test" = 1 ] && pkgs+=(libcmocka-dev python3 curl sqlite3 openssl gnutls-bin clang-format)
# The benchmarks: wrk and nginx side by side with forewarn, curl for its API, openssl for the TLS ones,
# pgrep (procps) for nginx's workers, python3 for the ones that drive the API.
[ "$want_bench" = 1 ] && pkgs+=(wrk nginx-light python3 clang-format curl openssl procps)
command -v node >/dev/null 2>&1 || { [ "$want_test" = 1 ] && pkgs+=(nodejs npm); }

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The CSAF validator (@secvisogram/csaf-validator-lib) for the tests, pinned by package-lock.json.
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$want_test" = 1 ] && [ -f "$top/tests/csaf/package-lock.json" ] && [ ! -d "$top/tests/csaf/node_modules" ]; then
  echo "install-deps: installing the CSAF validator from npm"
  (cd "$top/tests/csaf" && npm ci --no-audit --no-fund --loglevel=error)
fi
