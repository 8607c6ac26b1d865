#!/usr/bin/env bash
# Trace benchmark through the server: a fresh data directory, PARTNERS partners created through the API (16
# keep-alive connections), one advisory of bench/eval/data released to all of them by the scheduler, one
# partner's copy and PoC downloaded; then POST /api/v1/trace timed on the whole CSAF copy, on the plain texts
# and on a 30% fragment (median of RUNS, client wall time, and the server's CPU time per request from
# /proc/PID/stat), and the same texts traced in-process with fw_ops_trace over the same store (bench_trace,
# server stopped). Target: a trace over 10,000 partners in at most 100 ms.
# Usage: bench/trace.sh [BUILD_DIR] [PARTNERS] [RUNS]; FW_BENCH_KEEP=1 keeps the data directory (for perf).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
partners=${2:-10000}
runs=${3:-11}
fw=$build/forewarn
bt=$build/bench/bench_trace
[ -x "$fw" ] && [ -x "$bt" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: needs python3 (scripts/install-deps.sh --bench)" >&2; exit 2; }

. "$top/bench/lib.sh"
bench_init trace

admin=$("$fw" init "$work/data" --quiet)
fw_start "$fw" "$work/data" --plain-http
port=${fw_url##*:}

PYTHONPATH="$top/bench" python3 - "$port" "$admin" "$partners" "$runs" "$top/bench/eval/data/bramble-chunked" "$work" "$fw_pid" <<'PY'
import http.client, json, os, statistics, sys, threading, time
import benchlib

port, admin, n, runs, adv_dir, work, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
    sys.argv[5], sys.argv[6], int(sys.argv[7])
benchlib.ADMIN = admin
call = benchlib.call


def cpu_seconds():
    return benchlib.cpu_seconds(pid)


def create(first, step):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(first, n, step):
        call(conn, "POST", "/api/v1/partners", {"id": "partner-%05d" % i, "name": "Partner %d" % i,
             "country": "DE", "tier": "vetted", "entitlements": ["summary", "details", "detection", "poc"]})
    conn.close()


t0 = time.time()
threads = [threading.Thread(target=create, args=(k, 16)) for k in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("trace benchmark: %d partners created through the API in %.1f s" % (n, time.time() - t0))

parts = {}
for name, f in [("summary", "summary.txt"), ("details", "details.txt"), ("detection", "detection.txt"),
                ("poc", "poc.c")]:
    with open(os.path.join(adv_dir, f)) as fh:
        parts[name] = fh.read()
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
public_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
adv = json.loads(call(conn, "POST", "/api/v1/advisories", {
    "id": "bench-trace-1", "title": "Bramblegate HTTP Server: heap buffer overflow in chunked request body decoding",
    "cves": ["CVE-2026-21907"], "products": ["Bramblegate HTTP Server 3.4.0"], "public_at": public_at,
    "parts": parts}))
last = "partner-%05d" % (n - 1)
t0 = time.time()
while time.time() - t0 < 120:  # the scheduler releases to every partner in one step
    got = json.loads(call(conn, "GET", "/api/v1/advisories/bench-trace-1/deliveries?partner=%s&limit=1" % last))
    if got["deliveries"]:
        break
    time.sleep(0.2)
else:
    raise SystemExit("bench: the advisory was not released to %s" % last)
print("  advisory bench-trace-1: %d code positions, released to all %d partners" % (
    adv["fingerprint"]["positions"], n))

leaker = "partner-%05d" % (n // 3)
token = json.loads(call(conn, "POST", "/api/v1/partners/%s/tokens" % leaker))["token"]
copy = call(conn, "GET", "/api/v1/inbox/bench-trace-1", token=token).decode()
poc = call(conn, "GET", "/api/v1/inbox/bench-trace-1/poc", token=token).decode()
texts = "\n\n".join(note["text"] for note in json.loads(copy)["document"]["notes"])
leaks = {"leak-csaf.json": copy, "leak-texts.txt": texts + "\n\n" + poc,
         "leak-fragment30.txt": (texts + "\n\n" + poc)[len(texts) // 3:len(texts) // 3 + 3 * len(texts + poc) // 10]}
for name, text in leaks.items():
    with open(os.path.join(work, name), "w") as fh:
        fh.write(text)

print("  POST /api/v1/trace, leaker %s, median of %d:" % (leaker, runs))
for name, text in leaks.items():
    body = {"text": text}
    wall = []
    c0 = cpu_seconds()
    for _ in range(runs):
        t = time.perf_counter()
        res = json.loads(call(conn, "POST", "/api/v1/trace", body))
        wall.append(time.perf_counter() - t)
    cpu = (cpu_seconds() - c0) / runs
    named = [h["partner"] for h in res["accused"]]
    print("    %-20s %7d bytes: median %6.1f ms wall (min %.1f), server CPU %.1f ms per request; %d of %d "
          "positions, %d partners scored, accused %s" % (
              name, len(text), 1e3 * statistics.median(wall), 1e3 * min(wall), 1e3 * cpu, res["positions"],
              res["length"], res["partners"], named))
    if named != [leaker]:
        print("    (expected %s alone)" % leaker)
conn.close()
PY
kill "$fw_pid"
wait "$fw_pid" 2>/dev/null || true
"$bt" "$work/data" "$runs" "$work/leak-csaf.json" "$work/leak-texts.txt" "$work/leak-fragment30.txt"
echo "  target: a trace over 10,000 partners in at most 100 ms (DESIGN.md, Performance targets)"
