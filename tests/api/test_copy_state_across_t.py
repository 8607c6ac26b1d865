"""Regression: a copy rendered just before T must not be served (or cached) as the copy after T.

A download deferred while its record was written could cross T; the embargoed copy (TLP:RED, interim)
was then cached under the public copy's key and served after T. Eight clients download across T, three
times; every copy requested from T + 1 s on must be the public one (TLP:WHITE, final), and every copy
answered before T the embargoed one.
"""
import sys
import threading
import time

import fwtest


def main():
    res = fwtest.Results()
    for round_ in range(3):
        srv = fwtest.Server()
        srv.start()
        try:
            srv.create_partner("p1", tier="vetted", entitlements=["summary", "details", "detection", "poc"])
            tok = srv.partner_token("p1")
            t_pub = int(time.time()) + 3
            srv.create_advisory(public_at=t_pub, id="race-%d" % round_)
            seen = []

            def client():
                c = fwtest.KeepAlive(srv)
                out = []
                while time.time() < t_pub + 2.5:
                    t0 = time.time()
                    r = c.request("GET", "/api/v1/inbox/race-%d" % round_, token=tok)
                    t1 = time.time()
                    if r.status != 200:
                        out.append((t0, t1, "status %d" % r.status, ""))
                        continue
                    d = r.json()["document"]
                    out.append((t0, t1, d["distribution"]["tlp"]["label"], d["tracking"]["status"]))
                seen.append(out)

            threads = [threading.Thread(target=client) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            # After: asked from T + 1 s on. Before: answered before T, so the server decided before T (a request
            # asked before T may wait in a loaded machine's queues until after it, and rightly get the public copy).
            after = [(round(a - t_pub, 3), l, s) for o in seen for (a, b, l, s) in o if a >= t_pub + 1.0]
            before = [(round(a - t_pub, 3), l, s) for o in seen for (a, b, l, s) in o if b < t_pub - 0.05]
            stale = [x for x in after if x[1:] != ("WHITE", "final")]
            early = [x for x in before if x[1:] != ("RED", "interim")]
            res.check(len(after) > 100 and not stale,
                      "round %d: %d copies after T+1 s, %d not public: %s" % (round_, len(after), len(stale),
                                                                                stale[:3]))
            res.check(len(before) > 100 and not early,
                      "round %d: %d copies before T, %d not embargoed: %s" % (round_, len(before), len(early),
                                                                               early[:3]))
        finally:
            srv.cleanup()
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
