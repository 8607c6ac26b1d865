#!/usr/bin/env bash
# Inbox listing benchmark through the server: a fresh data directory with ADVISORIES advisories (created
# through the API, embargoed, all visible to a vetted partner), then GET /api/v1/inbox from that partner on
# keep-alive connections: the first listing after an admin write (the shared list is built again: every
# advisory read and decrypted), and the listings after it (the list is reused; each only decides the partner's
# access and writes the items). Prints medians of RUNS, client wall time, and the server's CPU time per request
# (/proc/PID/stat).
# Usage: bench/inbox.sh [BUILD_DIR] [ADVISORIES] [RUNS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
advisories=${2:-1000}
runs=${3:-21}
fw=$build/forewarn
[ -x "$fw" ] || { echo "bench: build first (scripts/build.sh): no $fw" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: needs python3 (scripts/install-deps.sh --bench)" >&2; exit 2; }

. "$top/bench/lib.sh"
bench_init inbox

admin=$("$fw" init "$work/data" --quiet)
fw_start "$fw" "$work/data" --plain-http
port=${fw_url##*:}

PYTHONPATH="$top/bench" python3 - "$port" "$admin" "$advisories" "$runs" "$fw_pid" <<'PY'
import http.client, json, os, statistics, sys, threading, time
import benchlib

port, admin, n, runs, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
benchlib.ADMIN = admin
call = benchlib.call


def cpu_seconds():
    return benchlib.cpu_seconds(pid)


t_public = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 72 * 3600))


def create(first, step):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(first, n, step):
        call(conn, "POST", "/api/v1/advisories", {
            "title": "Heap overflow in the example parser's chunked decoder, case %d" % i,
            "cves": ["CVE-2026-%d" % (10000 + i)], "products": ["Example Server 2.%d" % (i % 10)],
            "cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "public_at": t_public,
            "parts": {"summary": "A heap overflow lets a remote attacker run code.", "details": "Details."}})
    conn.close()


conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
call(conn, "POST", "/api/v1/partners", {"id": "reader", "name": "Reader", "country": "DE", "tier": "vetted"})
token = json.loads(call(conn, "POST", "/api/v1/partners/reader/tokens"))["token"]
threads = [threading.Thread(target=create, args=(k, 8)) for k in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()


def timed(path):
    c0, t0 = cpu_seconds(), time.perf_counter()
    body = call(conn, "GET", path, token=token)
    return time.perf_counter() - t0, cpu_seconds() - c0, body


first, reused = [], []
size = 0
for _ in range(runs):
    # An admin write (a tier's lead unchanged) makes the next listing build the shared list again.
    tiers = json.loads(call(conn, "GET", "/api/v1/tiers"))
    call(conn, "PUT", "/api/v1/tiers", tiers)
    w, c, body = timed("/api/v1/inbox")
    first.append((w, c))
    size = len(body)
    items = len(json.loads(body)["advisories"])
    for _ in range(10):
        w, c, _ = timed("/api/v1/inbox")
        reused.append((w, c))
# CPU ticks are coarse (10 ms): the CPU figure is the total over all requests divided by their number.
for name, xs in (("first listing after an admin write (list built)", first), ("listings after it (list reused)", reused)):
    print("inbox: %s: median %.2f ms wall, %.2f ms server CPU per request (%d requests)"
          % (name, statistics.median(w for w, _ in xs) * 1e3, sum(c for _, c in xs) / len(xs) * 1e3, len(xs)))
print("inbox: %d advisories listed, %d bytes" % (items, size))
PY
