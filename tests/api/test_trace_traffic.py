"""A lone leaker caught from the HTTP requests of one run of its PoC alone (issue 3, "Must show").

The PoC (tests/data/trace/poc_traffic.tpl) sends one exploit request whose User-Agent, header order,
parameter values, boundary, upload file name and body fields are slots, as a honeypot would record them.
Each partner's PoC is run against a capture server on loopback; the captured bytes alone are traced.
"""
import os
import socket
import subprocess
import sys
import threading
import time

import fwtest

PARTNERS = ["p%d" % i for i in range(1, 9)]
TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "trace", "poc_traffic.tpl")


def capture(run):
    """Runs run(port) against a one-connection capture server; returns the bytes it received."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    got = []

    def serve():
        c, _ = srv.accept()
        c.settimeout(1.0)
        data = b""
        try:
            while not data.endswith(b" done\r\n") or b"sixth-field-value" not in data:
                d = c.recv(65536)
                if not d:
                    break
                data += d
        except socket.timeout:
            pass
        got.append(data)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        c.close()

    t = threading.Thread(target=serve)
    t.start()
    run(srv.getsockname()[1])
    t.join(10)
    srv.close()
    return got[0] if got else b""


def main():
    res = fwtest.Results()
    with fwtest.Server() as s, open(TEMPLATE) as f:
        for p in PARTNERS:
            s.create_partner(p, tier="vetted", entitlements=["summary", "details", "detection", "poc"])
        adv = s.create_advisory(public_at=time.time() + 3600, id="traffic-1",
                                parts={"summary": "An upload handler runs what it is sent.", "poc": f.read()})
        res.check(adv["fingerprint"]["parts"]["poc"]["positions"] >= 80,
                  "the PoC's traffic carries at least 80 code positions: %r" % adv["fingerprint"])
        tokens = {p: s.partner_token(p) for p in PARTNERS}
        for p in PARTNERS:  # everyone receives the advisory, so everyone is scored
            s.request("GET", "/api/v1/inbox/traffic-1", token=tokens[p])
        for leaker in ["p2", "p5", "p7"]:
            poc = s.request("GET", "/api/v1/inbox/traffic-1/poc", token=tokens[leaker]).body
            path = os.path.join(s.dir, "poc-%s.py" % leaker)
            with open(path, "wb") as out:
                out.write(poc)
            traffic = capture(lambda port: subprocess.run([sys.executable, path, str(port)], check=True, timeout=20))
            res.check(traffic.startswith(b"POST /api/") and b"{{" not in traffic,
                      "%s: the PoC ran and sent its request (%d bytes)" % (leaker, len(traffic)))
            r = s.request("POST", "/api/v1/trace", {"text": traffic.decode("latin-1")}, token=s.admin)
            t = r.json()
            res.check(r.status == 200 and [h["partner"] for h in t["accused"]] == [leaker] and
                      t["accused"][0]["bound"] <= 1e-9,
                      "%s: one run's HTTP request names %s alone: %d of %d positions, %r" % (
                          leaker, leaker, t.get("positions", 0), t.get("length", 0), t.get("accused")))
        # Unrelated exploit traffic names nobody.
        other = (b"POST /cgi-bin/login HTTP/1.1\r\nHost: victim.example\r\nUser-Agent: curl/8.5.0\r\n"
                 b"Accept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nuser=admin&pass=admin")
        r = s.request("POST", "/api/v1/trace", {"text": other.decode()}, token=s.admin)
        res.check(r.status == 200 and r.json()["accused"] == [], "unrelated traffic: no accusation: %r" % r.body)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
