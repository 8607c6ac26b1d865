"""Abuse: failed authentications rate-limited per address and per token (429, Retry-After, one recorded event per
lockout), token expiry, and the server's limits on bodies, headers, connections and idle time, against the real
server (docs/security.md, "Limits and abuse").

Linux routes all of 127.0.0.0/8 to the loopback interface, so a client socket bound to 127.0.0.2, 127.1.2.3, ...
is another client address to the server.
"""
import base64
import http.client
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import fwtest  # noqa: E402

res = fwtest.Results()
check = res.check


def bad_token():
    return "fw_" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


class Client:
    """One keep-alive connection from a chosen loopback address."""

    def __init__(self, server, source="127.0.0.1", timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout,
                                               source_address=(source, 0))

    def request(self, method, path, token=None, body=None):
        headers = {"Authorization": "Bearer " + token} if token else {}
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        return fwtest.Response(r.status, dict(r.getheaders()), r.read())

    def close(self):
        self.conn.close()


def call(server, method, path, token=None, source="127.0.0.1", body=None):
    c = Client(server, source)
    try:
        return c.request(method, path, token, body)
    finally:
        c.close()


def events(server, kind, source="127.0.0.250"):
    r = call(server, "GET", "/api/v1/events?after=0&limit=100000", server.admin, source)
    assert r.status == 200, r
    return [e for e in r.json()["events"] if e["type"] == kind]


def log_entries(server, source="127.0.0.250"):
    r = call(server, "GET", "/api/v1/log/checkpoint", server.admin, source)
    size = int(r.body.decode().splitlines()[1])
    r = call(server, "GET", "/api/v1/log/entries?start=0&end=%d" % size, server.admin, source)
    return [base64.b64decode(e["data"]).decode() for e in r.json()["entries"]]


def vmrss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def lockout_per_address():
    """5 failures in 3 s lock the address: 429 with Retry-After for every failing token from there, while
    valid tokens (the admin's too) go on working; other addresses go on; one event; it ends after the
    window."""
    with fwtest.Server(serve_args=["--auth-fail-limit", "5", "--auth-fail-window", "3"]) as s:
        s.create_partner("abuse-a")
        tok = s.partner_token("abuse-a")
        me = Client(s, "127.0.0.1")
        check(me.request("GET", "/api/v1/inbox", tok).status == 200, "a valid token works before any failure")
        codes = [me.request("GET", "/api/v1/inbox", bad_token()).status for _ in range(5)]
        check(codes == [401] * 5, "the first 5 bad tokens get 401: %r" % codes)
        r = me.request("GET", "/api/v1/inbox", bad_token())
        t_lock = time.time()
        check(r.status == 429, "the 6th attempt from that address gets 429: %r" % r)
        ra = r.headers.get("Retry-After", "")
        check(ra.isdigit() and 1 <= int(ra) <= 3, "429 carries Retry-After in seconds (1 to 3): %r" % ra)
        err = r.json().get("error", {}) if r.status == 429 else {}
        check(err.get("status") == 429 and err.get("code") == "rate_limited" and
              "this address" in err.get("message", ""), "429 is a JSON error, code rate_limited: %r" % r)
        check("WWW-Authenticate" not in r.headers, "429 asks for no credentials")
        # Nobody sharing the address can lock out a valid token: not a partner's, not the admin's.
        r = me.request("GET", "/api/v1/inbox", tok)
        check(r.status == 200, "during the lockout a valid token from the same address still works: %r" % r)
        r = me.request("GET", "/api/v1/partners", s.admin)
        check(r.status == 200, "and so does the admin token from that address: %r" % r)
        r = me.request("GET", "/api/v1/inbox", bad_token())
        check(r.status == 429, "while a bad token from there still gets 429: %r" % r)
        check(me.request("GET", "/api/v1/health").status == 200, "routes without a token are not affected")
        other = Client(s, "127.0.0.2")
        check(other.request("GET", "/api/v1/inbox", tok).status == 200,
              "the same valid token from another address works during the lockout")
        # More attempts during the lockout neither count nor extend it, and are not recorded again. They come
        # 1.5 s in: had they restarted the 3 s lockout, it would still hold when it should have ended (below).
        time.sleep(max(0.0, t_lock + 1.5 - time.time()))
        for _ in range(10):
            me.request("GET", "/api/v1/inbox", bad_token())
        ev = events(s, "auth.locked")
        check(len(ev) == 1, "one auth.locked event for one lockout, however many 429s: %r" % ev)
        if ev:
            d = ev[0]["detail"]
            check(ev[0]["actor"] == "anonymous" and ev[0]["subject"] == "" and d.get("scope") == "address" and
                  d.get("address") == "127.0.0.1" and d.get("failures") == "5" and d.get("window_s") == "3" and
                  "until" in d and "token_hash" not in d, "the event names scope, address, failures: %r" % ev[0])
        logged = [e for e in log_entries(s) if '"auth.locked"' in e]
        check(len(logged) == 1 and '"actor":"anonymous","detail":{}' in logged[0] and "127.0.0.1" not in logged[0],
              "the log says a lockout happened, without its address: %r" % logged)
        time.sleep(max(0.0, t_lock + int(ra or 3) + 0.3 - time.time()))
        r = me.request("GET", "/api/v1/inbox", tok)
        check(r.status == 200, "after Retry-After the valid token works again from that address: %r" % r)
        r = me.request("GET", "/api/v1/inbox", bad_token())
        check(r.status == 401, "and counting starts afresh (a bad token gets 401 again): %r" % r)
        me.close()
        other.close()


def lockout_per_token():
    """One bad token (here a revoked one) tried from 4 addresses, once each, is locked by itself; the event's
    token_hash is a prefix of the hash the store keeps, so the operator can tell which token it was."""
    with fwtest.Server(serve_args=["--auth-fail-limit", "4", "--auth-fail-window", "30"]) as s:
        s.create_partner("abuse-t")
        revoked = s.admin_call("POST", "/api/v1/partners/abuse-t/tokens")
        s.admin_call("DELETE", "/api/v1/partners/abuse-t/tokens/" + revoked["id"])
        codes = [call(s, "GET", "/api/v1/inbox", revoked["token"], "127.0.0.%d" % (10 + i)).status for i in range(4)]
        check(codes == [401] * 4, "a revoked token from 4 addresses gets 401 each time: %r" % codes)
        r = call(s, "GET", "/api/v1/inbox", revoked["token"], "127.0.0.20")
        check(r.status == 429 and "this token" in r.body.decode() and r.headers.get("Retry-After", "").isdigit(),
              "the 5th try of that token, from a fresh address, gets 429 with Retry-After: %r" % r)
        r = call(s, "GET", "/api/v1/inbox", bad_token(), "127.0.0.20")
        check(r.status == 401, "that address itself is not locked (another bad token: 401): %r" % r)
        r = call(s, "GET", "/api/v1/inbox", revoked["token"], "127.0.0.10")
        check(r.status == 429, "the token stays locked from its first address too: %r" % r)
        ev = events(s, "auth.locked")
        check(len(ev) == 1 and ev[0]["detail"].get("scope") == "token" and
              ev[0]["detail"].get("address") == "127.0.0.13", "one token lockout event: %r" % ev)
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(s.data, "forewarn.db"), uri=True)
        stored = db.execute("SELECT lower(hex(hash)) FROM tokens WHERE id = ?", (revoked["id"],)).fetchone()[0]
        db.close()
        ref = ev[0]["detail"].get("token_hash", "") if ev else ""
        check(len(ref) == 16 and stored.startswith(ref),
              "token_hash %r is a prefix of the stored keyed hash %s..." % (ref, stored[:16]))
        check(revoked["token"] not in json.dumps(ev), "the event never holds the token itself")


def what_does_not_count():
    """Only failed tokens count: a missing token, a valid token on the wrong role (403), and an authenticated
    partner's 404s never lock anyone out."""
    with fwtest.Server(serve_args=["--auth-fail-limit", "3", "--auth-fail-window", "60"]) as s:
        s.create_partner("abuse-n")
        tok = s.partner_token("abuse-n")
        c = Client(s)
        codes = set()
        for i in range(10):
            codes.add(c.request("GET", "/api/v1/inbox").status)
            codes.add(c.request("GET", "/api/v1/partners", tok).status)
            codes.add(c.request("GET", "/api/v1/inbox/fw-2026-%04d" % i, tok).status)
            codes.add(c.request("GET", "/api/v1/inbox", tok).status)
        check(codes == {401, 403, 404, 200}, "40 requests without a token, on the wrong role, probing ids: %r"
              % sorted(codes))
        check(c.request("GET", "/api/v1/inbox", tok).status == 200, "the partner is not locked out after them")
        check(events(s, "auth.locked") == [], "and nothing was recorded")
        c.close()


def token_expiry():
    """Tokens may expire: 200 before, 401 "has expired" after; listed with their expiry; bad expiries are 400."""
    with fwtest.Server() as s:
        s.create_partner("abuse-e")
        t0 = time.time()
        short = s.admin_call("POST", "/api/v1/partners/abuse-e/tokens", {"expires_in": "3s"})
        exp = fwtest.parse_rfc3339(short.get("expires_at") or "1970-01-01T00:00:00Z")
        check(abs(exp - (t0 + 3)) <= 2, "expires_in 3s gives expires_at about 3 s ahead: %r" % short)
        never = s.admin_call("POST", "/api/v1/partners/abuse-e/tokens")
        check("expires_at" in never and never["expires_at"] is None, "no expiry: expires_at null: %r" % never)
        at = fwtest.rfc3339(time.time() + 7 * 86400)
        week = s.admin_call("POST", "/api/v1/partners/abuse-e/tokens", {"expires_at": at})
        check(week.get("expires_at") == at, "expires_at is kept as given: %r" % week)
        r = s.request("GET", "/api/v1/inbox", token=short["token"])
        check(r.status == 200, "a token not yet expired works: %r" % r)
        listed = {t["id"]: t for t in s.admin_call("GET", "/api/v1/partners/abuse-e/tokens")["tokens"]}
        check(listed.get(short["id"], {}).get("expires_at") == short["expires_at"] and
              listed.get(never["id"], {}).get("expires_at", 1) is None,
              "the listing shows each token's expiry: %r" % listed)
        issued = [e for e in events(s, "token.issued") if e["detail"].get("token") == week["id"]]
        check(issued and issued[0]["detail"].get("expires_at") == at, "token.issued records the expiry: %r" % issued)
        time.sleep(max(0, exp - time.time()) + 1.2)
        r = s.request("GET", "/api/v1/inbox", token=short["token"])
        check(r.status == 401 and r.json()["error"] == {"status": 401, "code": "unauthenticated",
                                                         "message": "the token has expired"},
              "an expired token gets 401 'the token has expired': %r" % r)
        check(s.request("GET", "/api/v1/inbox", token=never["token"]).status == 200, "the others still work")
        for body, field in (({"expires_in": "soon"}, "expires_in"), ({"expires_in": "0s"}, "expires_in"),
                            ({"expires_in": "3651d"}, "expires_in"), ({"expires_in": 30}, "expires_in"),
                            ({"expires_at": fwtest.rfc3339(time.time() - 60)}, "expires_at"),
                            ({"expires_at": "next week"}, "expires_at"),
                            ({"expires_in": "1d", "expires_at": at}, "expires_at"), ({"ttl": "1d"}, "ttl")):
            r = s.request("POST", "/api/v1/partners/abuse-e/tokens", body, token=s.admin)
            check(r.status == 400 and r.json()["error"].get("field") == field,
                  "%r is refused with 400 naming %s: %r" % (body, field, r))
        n = len(s.admin_call("GET", "/api/v1/partners/abuse-e/tokens")["tokens"])
        check(n == 3, "no token was issued by a refused request (%d tokens)" % n)

        # The command-line client: forewarn partner token ID --expires 30d | RFC 3339.
        env = dict(os.environ, FOREWARN_URL=s.url, FOREWARN_TOKEN=s.admin)
        cli = [fwtest.FOREWARN, "partner"]
        p = subprocess.run(cli + ["token", "abuse-e", "--expires", "30d"], env=env, capture_output=True, text=True)
        check(p.returncode == 0 and p.stdout.startswith("fw_"), "partner token --expires 30d: %r" % (p,))
        t30 = [t for t in s.admin_call("GET", "/api/v1/partners/abuse-e/tokens")["tokens"]
               if t["expires_at"] and abs(fwtest.parse_rfc3339(t["expires_at"]) - (time.time() + 30 * 86400)) < 60]
        check(len(t30) == 1, "its token expires in 30 days")
        at2 = fwtest.rfc3339(time.time() + 3600)
        p = subprocess.run(cli + ["token", "abuse-e", "--expires", at2], env=env, capture_output=True, text=True)
        check(p.returncode == 0 and at2 in json.dumps(s.admin_call("GET", "/api/v1/partners/abuse-e/tokens")),
              "partner token --expires RFC3339: %r" % (p,))
        p = subprocess.run(cli + ["token", "abuse-e", "--expires", "tomorrow"], env=env, capture_output=True,
                           text=True)
        check(p.returncode == 1 and "expires_in" in p.stderr and not p.stdout,
              "partner token --expires tomorrow fails, naming expires_in: %r" % (p,))
        p = subprocess.run(cli + ["tokens", "abuse-e"], env=env, capture_output=True, text=True)
        check(p.returncode == 0 and "EXPIRES_AT" in p.stdout.upper().splitlines()[0] and at2 in p.stdout,
              "partner tokens lists the expiry: %r" % p.stdout[:300])


def body_and_header_limits():
    """--max-body: larger bodies get 413 (read and dropped, no reset); --max-header: larger headers get 431."""
    with fwtest.Server(serve_args=["--max-body", "4K", "--max-header", "16K"]) as s:
        r = s.request("POST", "/api/v1/partners", raw=b"{" + b" " * 4094 + b"}", token=s.admin)
        check(r.status == 400, "a 4096-byte body is read (400: no id): %r" % r)
        r = s.request("POST", "/api/v1/partners", raw=b" " * 4097, token=s.admin)
        check(r.status == 413 and r.json()["error"] == {"status": 413, "code": "too_large",
                                                         "message": "the request body exceeds 4096 bytes"},
              "a 4097-byte body gets 413: %r" % r)
        r = s.request("POST", "/api/v1/partners", raw=b" " * 4097)
        check(r.status == 413, "413 comes before authentication: %r" % r)
        r = s.request("GET", "/api/v1/health", headers={"X-Pad": "p" * 10000})
        check(r.status == 200, "with --max-header 16K a 10 KB header is fine: %r" % r)
        data = raw_exchange(s, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 20000 + b"\r\n\r\n")
        check(data.startswith(b"HTTP/1.1 431 ") and b"Connection: close" in data,
              "a 20 KB header gets 431 and the connection is closed: %r" % data[:80])
        check(call(s, "GET", "/api/v1/health").status == 200, "the server goes on")
    with fwtest.Server() as s:
        r = s.request("GET", "/api/v1/health", headers={"X-Pad": "p" * 4000})
        check(r.status == 200, "by default a 4 KB header is fine: %r" % r)
        data = raw_exchange(s, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 10000 + b"\r\n\r\n")
        check(data.startswith(b"HTTP/1.1 431 "), "by default (8K) a 10 KB header gets 431: %r" % data[:80])
        r = s.request("POST", "/api/v1/partners", raw=b" " * (8 * 1024 * 1024 + 1), token=s.admin)
        check(r.status == 413 and "8 MiB" in r.body.decode(), "by default 8 MiB + 1 byte gets 413: %r" % r)


def raw_exchange(s, request):
    """Sends REQUEST on a connection of its own and returns all the server answers until it closes."""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    sock.sendall(request)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    return data


def answered_within(sock, seconds):
    sock.settimeout(seconds)
    try:
        return sock.recv(4096)
    except socket.timeout:
        return None


def connection_limits():
    """--max-connections: a connection beyond the limit is not served until one closes; --max-connections-per-ip:
    one more from the same address is closed at once, another address is served; --idle-timeout closes idle
    connections."""
    req = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
    with fwtest.Server(serve_args=["--threads", "1", "--max-connections", "3", "--max-connections-per-ip", "0"]) \
            as s:
        held = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(3)]
        ok = 0
        for c in held:
            c.sendall(req)
            ok += (answered_within(c, 5) or b"").startswith(b"HTTP/1.1 200")
        check(ok == 3, "3 connections are served (%d)" % ok)
        extra = socket.create_connection(("127.0.0.1", s.port))
        extra.sendall(req)
        check(answered_within(extra, 1.5) is None, "a 4th connection is not served while 3 are open")
        held[0].close()
        got = answered_within(extra, 10) or b""
        check(got.startswith(b"HTTP/1.1 200"), "it is served once one of them closes: %r" % got[:40])
        for c in held[1:] + [extra]:
            c.close()
    with fwtest.Server(serve_args=["--max-connections-per-ip", "2", "--idle-timeout", "1"]) as s:
        held = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(2)]
        for c in held:
            c.sendall(req)
        check(all((answered_within(c, 5) or b"").startswith(b"HTTP/1.1 200") for c in held),
              "2 connections from 127.0.0.1 are served")
        third = socket.create_connection(("127.0.0.1", s.port))
        try:
            third.sendall(req)
            got = answered_within(third, 5)
        except (ConnectionResetError, BrokenPipeError):
            got = b""
        check(got == b"", "a 3rd from 127.0.0.1 is closed unanswered: %r" % got)
        third.close()
        other = socket.create_connection(("127.0.0.1", s.port), source_address=("127.0.0.2", 0))
        other.sendall(req)
        check((answered_within(other, 5) or b"").startswith(b"HTTP/1.1 200"), "one from 127.0.0.2 is served")
        for c in held + [other]:
            c.close()
        # Idle: one connection that never sends, one idle after a request: both closed after about 1 s.
        t = time.time()
        silent = socket.create_connection(("127.0.0.1", s.port), source_address=("127.0.0.3", 0))
        after = socket.create_connection(("127.0.0.1", s.port), source_address=("127.0.0.4", 0))
        after.sendall(req)
        first = answered_within(after, 5) or b""
        a = answered_within(silent, 10)
        b = answered_within(after, 10)
        took = time.time() - t
        check(first.startswith(b"HTTP/1.1 200") and a == b"" and b == b"" and 0.5 <= took <= 6,
              "idle connections are closed by the server after --idle-timeout 1 (%.1f s, %r %r)" % (took, a, b))
        silent.close()
        after.close()


def spray_is_bounded():
    """Distinct bad tokens from thousands of addresses: the server's memory levels off (the table is fixed),
    lockout events stop at 100 per window (the rest are counted in the next one), valid clients elsewhere go
    on, and lockouts of the spray survive it."""
    # Under AddressSanitizer freed memory waits in a quarantine: without one, RSS measures the server again.
    saved = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + \
        "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    s = fwtest.Server(serve_args=["--auth-fail-limit", "10", "--auth-fail-window", "600"])
    try:
        s.start()
    finally:
        if saved is None:
            del os.environ["ASAN_OPTIONS"]
        else:
            os.environ["ASAN_OPTIONS"] = saved
    try:
        s.create_partner("abuse-s")
        tok = s.partner_token("abuse-s")
        for _ in range(50):
            call(s, "GET", "/api/v1/inbox", tok, "127.0.0.2")
        rss = [vmrss_kib(s.proc.pid)]
        statuses = {}
        t = time.time()
        for wave in range(2):
            for a in range(2500):
                src = "127.%d.%d.%d" % (10 + wave, a // 250, a % 250 + 1)
                c = Client(s, src)
                for _ in range(10):  # 10 distinct tokens: the 10th failure locks the address
                    st = c.request("GET", "/api/v1/inbox", bad_token()).status
                    statuses[st] = statuses.get(st, 0) + 1
                c.close()
            rss.append(vmrss_kib(s.proc.pid))
        took = time.time() - t
        check(statuses == {401: 50000}, "50,000 distinct bad tokens from 5,000 addresses: all 401: %r" % statuses)
        check(rss[1] - rss[0] < 24 * 1024 and rss[2] - rss[1] < 4 * 1024,
              "memory levels off: VmRSS %r KiB (before, after 25k, after 50k)" % rss)
        locked = sum(call(s, "GET", "/api/v1/inbox", bad_token(), "127.11.%d.%d" % (i % 10, 10 * i + 1)).status
                     == 429 for i in range(20))
        check(locked >= 18, "spray addresses stay locked after the spray (%d of 20 sampled)" % locked)
        check(call(s, "GET", "/api/v1/inbox", tok, "127.0.0.3").status == 200, "a valid client elsewhere goes on")
        ev = events(s, "auth.locked")
        check(len(ev) == 100, "5,000 lockouts in one window record 100 events, not 5,000 (%d)" % len(ev))
        print("spray: 50,000 bad tokens in %.1f s; VmRSS KiB %r" % (took, rss))
    finally:
        s.cleanup()


def event_budget():
    """At most 100 lockouts are recorded per window; the others are enforced, and counted in the next event."""
    with fwtest.Server(serve_args=["--auth-fail-limit", "1", "--auth-fail-window", "8"]) as s:
        t = time.time()
        # With a limit of 1, each bad token locks its address and itself: 55 failures, 110 lockouts.
        codes = [call(s, "GET", "/api/v1/inbox", bad_token(), "127.2.0.%d" % (i + 1)).status for i in range(55)]
        took = time.time() - t
        ev = events(s, "auth.locked")
        check(codes == [401] * 55 and len(ev) == 100 and all("suppressed" not in e["detail"] for e in ev),
              "110 lockouts in %.1f s (window 8 s): 100 recorded (%d)" % (took, len(ev)))
        r = call(s, "GET", "/api/v1/inbox", bad_token(), "127.2.0.1")
        check(r.status == 429, "a lockout over budget is enforced all the same: %r" % r)
        time.sleep(max(0, t + 8.5 - time.time()))
        call(s, "GET", "/api/v1/inbox", bad_token(), "127.2.1.1")
        ev = events(s, "auth.locked")
        check(len(ev) == 102 and ev[100]["detail"].get("suppressed") == "10" and
              "suppressed" not in ev[101]["detail"],
              "the next window's first event counts the 10 not recorded: %r" % [e["detail"] for e in ev[100:]])


def serve_options():
    """serve --check prints the limits; nonsense values are usage errors that name the option."""
    with fwtest.Server() as s:
        data = s.data
        p = subprocess.run([fwtest.FOREWARN, "serve", "--data", data, "--check", "--max-body", "1M",
                            "--max-connections-per-ip", "0", "--auth-fail-limit", "7", "--auth-fail-window", "90"],
                           capture_output=True, text=True)
        check(p.returncode == 0 and "body 1048576 bytes" in p.stdout and "no limit per address" in p.stdout and
              "7 in 90 s" in p.stdout and "idle timeout 30 s" in p.stdout and "8192 bytes" in p.stdout,
              "serve --check prints the limits: %r" % p.stdout)
        for args, name in ((["--max-body", "12Q"], "--max-body"), (["--max-body", "512"], "--max-body"),
                           (["--max-header", "2M"], "--max-header"), (["--idle-timeout", "0"], "--idle-timeout"),
                           (["--max-connections", "0"], "--max-connections"),
                           (["--max-connections", "2", "--threads", "4"], "--max-connections"),
                           (["--auth-fail-limit", "-1"], "--auth-fail-limit"),
                           (["--auth-fail-window", "1e3"], "--auth-fail-window")):
            p = subprocess.run([fwtest.FOREWARN, "serve", "--data", data, "--check"] + args,
                               capture_output=True, text=True)
            check(p.returncode == 2 and name in p.stderr and not p.stdout, "%r: usage error naming %s: %r" %
                  (args, name, p.stderr))
        p = subprocess.run([fwtest.FOREWARN, "serve", "--help"], capture_output=True, text=True)
        check(all(o in p.stdout for o in ("--max-body", "--max-header", "--max-connections-per-ip",
                                          "--idle-timeout", "--auth-fail-limit", "--auth-fail-window")),
              "serve --help documents every limit")


for test in (serve_options, lockout_per_address, lockout_per_token, what_does_not_count, token_expiry,
             body_and_header_limits, connection_limits, event_budget, spray_is_bounded):
    t0 = time.time()
    try:
        test()
    except Exception as e:  # a crash of one part is a failure, the others still run
        import traceback
        traceback.print_exc()
        check(False, "%s raised %r" % (test.__name__, e))
    print("%s: %.1f s" % (test.__name__, time.time() - t0), flush=True)
sys.exit(res.finish())
