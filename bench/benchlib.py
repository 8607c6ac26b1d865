"""What the Python parts of the benchmarks (bench/trace.sh, bench/inbox.sh) share: JSON calls to a forewarn
server on a kept-alive connection, and a process's CPU time."""
import json
import os

ADMIN = None  # the token call() uses when given none; set by the benchmark
TICKS = os.sysconf("SC_CLK_TCK")


def call(conn, method, path, body=None, token=None):
    """The answer's bytes; any status from 300 up ends the benchmark, naming the call."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": "Bearer " + (token or ADMIN)}
    if data is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, data, headers)
    r = conn.getresponse()
    payload = r.read()
    if r.status >= 300:
        raise SystemExit("bench: %s %s -> %d %s" % (method, path, r.status, payload[:300]))
    return payload


def cpu_seconds(pid):
    """utime + stime of process pid so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS
