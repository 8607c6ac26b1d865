#!/usr/bin/env python3
"""
Downloads in flight while the partner is suspended (I1, docs/policy.md P7): a copy is served only after its
download is in the log, and the partner's access is decided again once it is, so no copy whose download entry
follows the partner's suspension in the log is ever served.

Several threads download one advisory as fast as they can over keep-alive connections while the operator
suspends and reinstates the partner, at random moments, many times over. Every answer 200 carries the log index of
its download (Forewarn-Log-Index); the log itself (GET /api/v1/log/entries) holds the partner.suspended and
partner.reinstated entries in the same sequence. Each download served must sit in the log where the partner was
active. A server that decided access only before the record (or on the partner as it was then) serves the downloads
authenticated just before a suspension and recorded just after it; one that decided on the partner as it is when
the connection resumes serves downloads recorded just before a reinstatement and decided just after it (their
entries sit among the suspended ones): it must record them again.

Environment: FOREWARN_BIN (the server), FW_SEED (random seed), FW_CYCLES (suspensions, default 30).
"""
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402

SEED = int(os.environ.get("FW_SEED", 20261121))
CYCLES = int(os.environ.get("FW_CYCLES", 30))
THREADS = 8


def run(server, res):
    rnd = random.Random(SEED)
    server.create_partner("inflight", tier="vetted")
    token = server.partner_token("inflight")
    adv = server.create_advisory(public_at=fwtest.rfc3339(time.time() + 2 * 3600))["id"]
    admin = fwtest.KeepAlive(server)
    served, refused, stop = [], [0], threading.Event()
    lock = threading.Lock()

    def download():
        ka = fwtest.KeepAlive(server)
        while not stop.is_set():
            r = ka.request("GET", "/api/v1/inbox/%s" % adv, token=token)
            with lock:
                if r.status == 200:
                    served.append(int(r.headers["Forewarn-Log-Index"]))
                elif r.status == 404:
                    refused[0] += 1
                else:
                    res.check(False, "a download answers 200 or 404, not %r" % r)
        ka.close()

    threads = [threading.Thread(target=download) for _ in range(THREADS)]
    for t in threads:
        t.start()
    try:
        for _ in range(CYCLES):
            time.sleep(rnd.uniform(0.005, 0.04))
            admin.admin_call("POST", "/api/v1/partners/inflight/suspend")
            time.sleep(rnd.uniform(0.005, 0.04))
            admin.admin_call("POST", "/api/v1/partners/inflight/reinstate")
    finally:
        stop.set()
        for t in threads:
            t.join()
    admin.close()

    entries = [json.loads(e) for e in server.log_entries()]
    # The partner's status at each index of the log, from its suspensions and reinstatements in order.
    active, status_at = True, []
    for e in entries:
        if e["type"] == "partner.suspended":
            active = False
        elif e["type"] == "partner.reinstated":
            active = True
        status_at.append(active)
    suspensions = sum(1 for e in entries if e["type"] == "partner.suspended")
    res.check(suspensions == CYCLES, "the log holds every suspension (%d of %d)" % (suspensions, CYCLES))
    res.check(len(served) > 10 * CYCLES and refused[0] > 0,
              "downloads were both served and refused while the partner changed (%d served, %d refused)"
              % (len(served), refused[0]))
    bad = [i for i in served if not (0 <= i < len(entries)) or entries[i]["type"] != "download"
           or not status_at[i]]
    def where(i):
        if not 0 <= i < len(entries):
            return "%d: beyond the log (%d entries)" % (i, len(entries))
        last = next((j for j in range(i, -1, -1) if entries[j]["type"].startswith("partner.")), None)
        return "%d: %s, %s, the partner's last change before it %s" % (
            i, entries[i]["type"], "active" if status_at[i] else "suspended",
            "%d (%s)" % (last, entries[last]["type"]) if last is not None else "none")
    res.check(not bad, "every copy served has its download in the log while the partner was active "
              "(%d of %d served were not: %s)" % (len(bad), len(served), "; ".join(where(i) for i in bad[:10])))


def main():
    res = fwtest.Results()
    return res.run_with_server(lambda s: run(s, res))


if __name__ == "__main__":
    sys.exit(main())
