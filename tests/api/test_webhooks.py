#!/usr/bin/env python3
"""
Webhooks: registration, notifications from the durable outbox, retries, set-aside, restarts, policy re-checks.

Receivers are HTTP servers started by this test on loopback (http.server in a thread); http:// is allowed to
loopback hosts only. The servers run with short retry settings (--webhook-backoff 300ms).

(a) Registration: admin and partner routes, strict URL checks (400 naming "url"), a fresh 256-bit secret on
    each PUT shown once and never again, 404/409/403 where due; the CLI's webhook set/show/remove.
(b) A release notifies exactly the partners with webhooks, exactly when each is delivered (a standard partner
    at T - 24 h, not before; a restricted partner only at T): one notification per delivery, payload fields
    right, headers right, the HMAC verifies with the partner's secret and not with another's; a new revision
    notifies again; no embargoed text in any payload, header or outbox row.
(c) Receiver down, then up: retried, then delivered once (counted by Forewarn-Webhook-Id).
(d) Receiver answering 500: retried with growing gaps, the same id and body each time, set aside after
    --webhook-max-tries, shown in the outbox (API and CLI) with an event; retry (CLI) sends it again, once.
(e) kill -9 with pending notifications: after the restart every one is delivered, each exactly once.
(f) Policy re-checked before each send: a suspended partner's pending notifications and those of a withdrawn
    advisory are skipped, with the reason and an event; nothing reaches the receiver for them.
(g) A partner's own webhook whose host name leads to a loopback or private address (this machine's own name)
    is never connected to: the outbox says why and a listener there sees no connection; the same URL
    registered by the operator is connected to.

Environment: FOREWARN_BIN.
"""
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402

H = 3600
res = fwtest.Results()
FAST = ["--webhook-backoff", "300ms", "--webhook-timeout", "3s", "--webhook-connect-timeout", "1s"]


class Receiver:
    """A webhook receiver on 127.0.0.1: records every POST (arrival time, path, headers, body) and answers
    `status` (changeable at any time). on_post, if set, is called before each answer and what it returns kept
    with the request (test_webhook_content.py: the event log as it stood when the POST arrived)."""

    def __init__(self, port=0, status=200):
        self.on_post = None
        self.port = port
        self.status = status
        self.requests = []
        self.lock = threading.Lock()
        self.httpd = None

    def start(self):
        rcv = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                at = time.time()
                then = rcv.on_post() if rcv.on_post else None
                with rcv.lock:
                    rcv.requests.append({"at": at, "path": self.path,
                                         "headers": {k.lower(): v for k, v in self.headers.items()},
                                         "body": body, "events_then": then})
                    status = rcv.status
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def got(self, path=None):
        with self.lock:
            return [r for r in self.requests if path is None or r["path"] == path]


def free_port():
    """A loopback port nobody listens on (for a receiver that is down)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(cond, timeout, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


def outbox(srv, query=""):
    return srv.admin_call("GET", "/api/v1/webhooks/outbox" + query)["outbox"]


def items_of(srv, pid, aid=None):
    return [o for o in outbox(srv, "?partner=" + pid) if aid is None or o["advisory"] == aid]


def events(srv):
    return srv.admin_call("GET", "/api/v1/events?limit=100000")["events"]


def set_hook(srv, pid, url):
    r = srv.request("PUT", "/api/v1/partners/%s/webhook" % pid, {"url": url}, token=srv.admin)
    if r.status != 200:
        raise AssertionError("PUT webhook of %s -> %d %s" % (pid, r.status, r.body))
    return r.json()["secret"]


def verify(req, secret):
    """1 if the request's signature header is HMAC-SHA256(secret, timestamp + "." + body) and agrees with the
    timestamp header; the documented check (docs/webhooks.md)."""
    sig = req["headers"].get("forewarn-webhook-signature", "")
    m = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", sig)
    if not m or m.group(1) != req["headers"].get("forewarn-webhook-timestamp"):
        return False
    mac = hmac.new(secret.encode(), m.group(1).encode() + b"." + req["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, m.group(2))


def cli(srv, *args):
    env = dict(os.environ, FOREWARN_URL=srv.url, FOREWARN_TOKEN=srv.admin)
    return subprocess.run([fwtest.FOREWARN] + list(args), capture_output=True, text=True, env=env)


# ---------------------------------------------------------------------------------------------------------------
def test_registration(srv):
    print("(a) registration")
    srv.create_partner("reg-a")
    srv.create_partner("reg-b")
    tok_b = srv.partner_token("reg-b")
    path = "/api/v1/partners/reg-a/webhook"

    r = srv.request("GET", path, token=srv.admin)
    res.check(r.status == 404, "GET before any webhook: 404, got %d" % r.status)
    r = srv.request("PUT", path, {"url": "https://hooks.example.com/fw?x=1"}, token=srv.admin)
    body = r.json()
    res.check(r.status == 200 and body.get("url") == "https://hooks.example.com/fw?x=1"
              and body.get("partner") == "reg-a", "PUT webhook: %r" % r)
    secret1 = body.get("secret", "")
    res.check(re.fullmatch(r"whsec_[0-9a-f]{64}", secret1) is not None, "secret format: %r" % secret1)
    r = srv.request("GET", path, token=srv.admin)
    res.check(r.status == 200 and "secret" not in r.json() and secret1 not in r.body.decode(),
              "GET webhook never shows the secret: %r" % r)
    created = r.json()["created_at"]
    r = srv.request("PUT", path, {"url": "https://hooks2.example.com/fw"}, token=srv.admin)
    secret2 = r.json().get("secret", "")
    res.check(r.status == 200 and secret2 != secret1 and re.fullmatch(r"whsec_[0-9a-f]{64}", secret2),
              "a second PUT issues a new secret")
    res.check(srv.admin_call("GET", path)["created_at"] == created, "a replacement keeps created_at")

    bad = [
        ("ftp://hooks.example.com/", "https://"),
        ("http://hooks.example.com/", "loopback"),
        ("http://10.0.0.1/hook", "loopback"),
        ("http://127.0.0.1.evil.example/hook", "loopback"),
        ("https://user:pw@hooks.example.com/", "user name"),
        ("https://hooks.example.com@evil.example/", "user name"),
        ("https://hooks.example.com/x#frag", "fragment"),
        ("https://hooks.example .com/", "ASCII"),
        ("https://hooks.example.com/\u00e9", "ASCII"),
        ("https://", "host"),
        ("https:///path", "host"),
        ("https://-bad.example.com/", "host"),
        ("https://hooks.example.com:0/", "port"),
        ("https://hooks.example.com:65536/", "port"),
        ("https://hooks.example.com:/", "port"),
        ("https://[::1/", "IPv6"),
        ("https://hooks.example.com/%zz", "percent"),
        ("https://hooks.example.com/" + "a" * 2100, "too long"),
        ("", "required"),
    ]
    for url, word in bad:
        r = srv.request("PUT", path, {"url": url}, token=srv.admin)
        err = r.json().get("error", {}) if r.body else {}
        res.check(r.status == 400 and err.get("field") == "url" and word in err.get("message", ""),
                  "bad URL %r: want 400 on url saying %r, got %r" % (url[:60], word, r))
    for body, field in [({"url": 5}, "url"), ({}, "url"), ({"url": "https://a.example/", "x": 1}, "x"),
                        ({"URL": "https://a.example/"}, "URL")]:
        r = srv.request("PUT", path, body, token=srv.admin)
        res.check(r.status == 400 and r.json()["error"].get("field") == field,
                  "body %r: want 400 on %r, got %r" % (body, field, r))
    r = srv.request("PUT", path, raw=b"{not json", token=srv.admin)
    res.check(r.status == 400, "malformed JSON: 400, got %d" % r.status)
    res.check(srv.admin_call("GET", path)["url"] == "https://hooks2.example.com/fw",
              "refused PUTs leave the registration as it was")
    for url in ["http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/x", "https://[2001:db8::1]/x",
                "https://hooks.example.com:8443/a/b?c=d&e=%20"]:
        r = srv.request("PUT", path, {"url": url}, token=srv.admin)
        res.check(r.status == 200, "good URL %r: 200, got %r" % (url, r))

    r = srv.request("PUT", "/api/v1/partners/nobody/webhook", {"url": "https://a.example/"}, token=srv.admin)
    res.check(r.status == 404, "webhook of an unknown partner: 404, got %d" % r.status)
    srv.create_partner("reg-gone")
    srv.admin_call("POST", "/api/v1/partners/reg-gone/remove", {})
    r = srv.request("PUT", "/api/v1/partners/reg-gone/webhook", {"url": "https://a.example/"}, token=srv.admin)
    res.check(r.status == 409, "webhook of a removed partner: 409, got %d" % r.status)

    # The partner's own routes; each role stays on its side.
    r = srv.request("PUT", "/api/v1/me/webhook", {"url": "https://b.example/hook"}, token=tok_b)
    res.check(r.status == 200 and r.json()["partner"] == "reg-b" and r.json()["secret"].startswith("whsec_"),
              "partner PUT /me/webhook: %r" % r)
    r = srv.request("GET", "/api/v1/me/webhook", token=tok_b)
    res.check(r.status == 200 and r.json()["url"] == "https://b.example/hook" and "secret" not in r.json(),
              "partner GET /me/webhook: %r" % r)
    res.check(srv.admin_call("GET", "/api/v1/partners/reg-b/webhook")["url"] == "https://b.example/hook",
              "the operator sees the partner's registration")
    res.check(srv.request("GET", "/api/v1/me/webhook", token=srv.admin).status == 403, "admin on /me: 403")
    res.check(srv.request("GET", path, token=tok_b).status == 403, "partner on the admin route: 403")
    res.check(srv.request("GET", "/api/v1/webhooks/outbox", token=tok_b).status == 403,
              "partner on the outbox: 403")
    r = srv.request("PUT", "/api/v1/me/webhook", {"url": "http://example.com/"}, token=tok_b)
    res.check(r.status == 400 and r.json()["error"]["field"] == "url", "partner's bad URL: 400 on url")
    # A partner may not point its webhook at the server's own network (SSRF); the operator may.
    for url in ("http://127.0.0.1:9/hook", "https://127.0.0.1/hook", "https://10.0.0.5/h", "https://192.168.1.2/",
                "https://169.254.169.254/latest/meta-data", "https://2130706433/", "https://0x7f.1/",
                "https://[::1]/", "https://localhost/", "https://db.internal/", "https://printer.local/"):
        r = srv.request("PUT", "/api/v1/me/webhook", {"url": url}, token=tok_b)
        res.check(r.status == 400 and r.json()["error"]["field"] == "url",
                  "a partner's webhook to %s: 400 on url: %r" % (url, r))
    r = srv.request("GET", "/api/v1/me/webhook", token=tok_b)
    res.check(r.json().get("url") == "https://b.example/hook", "refusals leave the registration as it was")
    r = srv.request("PUT", "/api/v1/partners/reg-b/webhook", {"url": "http://127.0.0.1:9/hook"}, token=srv.admin)
    res.check(r.status == 200, "the operator may register a loopback URL: %r" % r)
    r = srv.request("PUT", "/api/v1/me/webhook", {"url": "https://b.example/hook"}, token=tok_b)
    res.check(r.status == 200, "the partner sets a public one again: %r" % r)
    # A suspended partner changes none of its settings.
    srv.admin_call("POST", "/api/v1/partners/reg-b/suspend", {"reason": "review"})
    for method, body in (("PUT", {"url": "https://c.example/"}), ("DELETE", None)):
        r = srv.request(method, "/api/v1/me/webhook", body, token=tok_b)
        res.check(r.status == 403, "a suspended partner's %s /me/webhook: 403: %r" % (method, r))
    r = srv.request("PUT", "/api/v1/me/seal-key", {"public_key": "AAAA"}, token=tok_b)
    res.check(r.status == 403, "a suspended partner's PUT /me/seal-key: 403: %r" % r)
    srv.admin_call("POST", "/api/v1/partners/reg-b/reinstate", {})
    res.check(srv.request("DELETE", "/api/v1/me/webhook", token=tok_b).status == 204, "partner DELETE: 204")
    res.check(srv.request("GET", "/api/v1/me/webhook", token=tok_b).status == 404, "after DELETE: 404")
    res.check(srv.request("DELETE", "/api/v1/me/webhook", token=tok_b).status == 404, "DELETE again: 404")

    # Events: set and removed, by host only; no secret anywhere.
    evs = [e for e in events(srv) if e["type"].startswith("webhook.")]
    sets = [e for e in evs if e["type"] == "webhook.set" and e["subject"] == "reg-a"]
    res.check(len(sets) == 7 and sets[0]["detail"].get("host") == "hooks.example.com",
              "webhook.set events with the host: %r" % sets[:1])
    res.check(any(e["type"] == "webhook.removed" and e["subject"] == "reg-b" and e["actor"] == "partner:reg-b"
                  for e in evs), "webhook.removed by the partner")
    dump = json.dumps(events(srv))
    res.check(secret1 not in dump and secret2 not in dump and "fw?x=1" not in dump,
              "no secret and no URL path in the events")

    # The command line.
    c = cli(srv, "webhook", "set", "reg-a", "https://cli.example.com/hook")
    res.check(c.returncode == 0 and re.fullmatch(r"whsec_[0-9a-f]{64}\n", c.stdout) is not None
              and "only this once" in c.stderr, "forewarn webhook set: %r" % ((c.stdout, c.stderr),))
    c = cli(srv, "webhook", "show", "reg-a")
    res.check(c.returncode == 0 and "https://cli.example.com/hook" in c.stdout and "whsec_" not in c.stdout,
              "forewarn webhook show: %r" % c.stdout)
    c = cli(srv, "webhook", "set", "reg-a", "http://example.com/")
    res.check(c.returncode == 1 and "url" in c.stderr, "forewarn webhook set, bad URL: %r" % c.stderr)
    c = cli(srv, "webhook", "remove", "reg-a")
    res.check(c.returncode == 0 and srv.request("GET", path, token=srv.admin).status == 404,
              "forewarn webhook remove")
    c = cli(srv, "webhook", "--help")
    res.check(c.returncode == 0 and "SYNOPSIS" in c.stdout and "webhook set PARTNER URL" in c.stdout,
              "forewarn webhook --help")


# ---------------------------------------------------------------------------------------------------------------
MARKERS = {"summary": "MARKER-SUMMARY-7f3a", "details": "MARKER-DETAILS-91bc", "detection": "MARKER-DETECT-44e0",
           "poc": "print('MARKER-POC-c2d9')\n"}


def check_payload(req, aid, revision, parts, secret, other_secret, what):
    p = json.loads(req["body"])
    h = req["headers"]
    res.check(set(p) == {"id", "type", "advisory", "revision", "parts", "at"}, "%s: payload keys %r" % (what, p))
    res.check(p.get("type") == "advisory.released" and p.get("advisory") == aid and p.get("revision") == revision
              and sorted(p.get("parts", [])) == sorted(parts),
              "%s: payload %r (want %s rev %d %r)" % (what, p, aid, revision, parts))
    res.check(re.fullmatch(r"wh_[0-9a-f]{32}", p.get("id", "")) and h.get("forewarn-webhook-id") == p["id"],
              "%s: id %r and header %r" % (what, p.get("id"), h.get("forewarn-webhook-id")))
    res.check(h.get("content-type") == "application/json", "%s: content type %r" % (what, h.get("content-type")))
    ts = int(h.get("forewarn-webhook-timestamp", "0"))
    res.check(abs(ts - req["at"]) < 5, "%s: timestamp %d vs arrival %.1f" % (what, ts, req["at"]))
    res.check(abs(fwtest.parse_rfc3339(p["at"]) - req["at"]) < 5, "%s: at %r" % (what, p["at"]))
    res.check(verify(req, secret), "%s: the signature verifies with the partner's secret" % what)
    res.check(not verify(req, other_secret), "%s: and not with another partner's secret" % what)


def test_release(srv):
    print("(b) a release notifies exactly the partners with webhooks, when each is delivered")
    rcv = Receiver().start()
    try:
        srv.create_partner("rel-v", tier="vetted", entitlements=["summary", "details", "detection", "poc"])
        srv.create_partner("rel-s", tier="standard")
        srv.create_partner("rel-n", tier="vetted")              # no webhook
        srv.create_partner("rel-c", tier="vetted", country="CN")  # summary only, at T
        secrets = {pid: set_hook(srv, pid, rcv.url("/hook/" + pid)) for pid in ("rel-v", "rel-s", "rel-c")}
        t_public = int(time.time()) + 24 * H + 6
        due_s = t_public - 24 * H
        adv = srv.create_advisory(public_at=t_public, parts=MARKERS)
        aid = adv["id"]

        v = wait_for(lambda: rcv.got("/hook/rel-v"), 5)
        res.check(len(v) == 1, "the vetted partner is notified at once: %d" % len(v))
        res.check(not rcv.got("/hook/rel-s"), "the standard partner is not notified before T - 24 h")
        if v:
            check_payload(v[0], aid, 1, ["summary", "details", "detection", "poc"], secrets["rel-v"],
                          secrets["rel-s"], "vetted")
        s = wait_for(lambda: rcv.got("/hook/rel-s"), due_s - time.time() + 5)
        res.check(len(s) == 1, "the standard partner is notified at T - 24 h: %d" % len(s))
        if s:
            res.check(s[0]["at"] >= due_s, "not before its time: arrived %.3f, due %d" % (s[0]["at"], due_s))
            res.check(s[0]["at"] < due_s + 4, "promptly: arrived %.3f, due %d" % (s[0]["at"], due_s))
            check_payload(s[0], aid, 1, ["summary", "details", "detection"], secrets["rel-s"], secrets["rel-v"],
                          "standard")
        time.sleep(0.5)
        res.check(not rcv.got("/hook/rel-c"), "the restricted partner is not notified before T")
        res.check(not rcv.got("/hook/rel-n"), "no notification without a webhook")

        # One notification per delivery, for exactly the partners with webhooks.
        dels = srv.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)["deliveries"]
        hooked = {d["partner"] for d in dels if d["partner"] in secrets}
        items = [o for o in outbox(srv) if o["advisory"] == aid]
        res.check(sorted(o["partner"] for o in items) == sorted(d["partner"] for d in dels if d["partner"] in secrets)
                  and hooked == {"rel-v", "rel-s"}, "one outbox item per delivery with a webhook: %r" % items)
        res.check(all(o["state"] == "delivered" and o["tries"] == 1 and o["last_status"] == 200 for o in items),
                  "both delivered at the first try: %r" % items)

        # A new revision: everyone who has access now is told again.
        srv.admin_call("POST", "/api/v1/advisories/%s/revisions" % aid,
                       {"note": "more", "parts": dict(MARKERS, details="MARKER-DETAILS2-aa01")})
        ok = wait_for(lambda: len(rcv.got("/hook/rel-v")) == 2 and len(rcv.got("/hook/rel-s")) == 2, 5)
        res.check(ok, "revision 2 notifies both again")
        if ok:
            check_payload(rcv.got("/hook/rel-v")[1], aid, 2, ["summary", "details", "detection", "poc"],
                          secrets["rel-v"], secrets["rel-c"], "vetted rev 2")
        res.check(not rcv.got("/hook/rel-c"), "the restricted partner still not notified")

        # At T (published now) the restricted partner receives its delivery, and only then its notification.
        srv.admin_call("POST", "/api/v1/advisories/%s/publish" % aid, {})
        c = wait_for(lambda: rcv.got("/hook/rel-c"), 5)
        res.check(len(c) == 1, "the restricted partner is notified at T: %d" % len(c))
        if c:
            dels = srv.admin_call("GET", "/api/v1/advisories/%s/deliveries?partner=rel-c" % aid)["deliveries"]
            res.check(len(dels) == 1, "one delivery to the restricted partner: %r" % dels)
            check_payload(c[0], aid, 2, dels[0]["parts"] if dels else [], secrets["rel-c"], secrets["rel-v"],
                          "restricted at T")
        time.sleep(0.5)
        res.check(len(rcv.got("/hook/rel-v")) == 2 and len(rcv.got("/hook/rel-s")) == 2,
                  "publishing adds nothing for partners whose parts did not change")

        # No embargoed text anywhere a notification goes, nor in the operator's outbox view.
        seen = b"".join(r["body"] + json.dumps(r["headers"]).encode() for r in rcv.got())
        ob = srv.request("GET", "/api/v1/webhooks/outbox", token=srv.admin).body
        leaked = [m for m in list(MARKERS.values()) + ["MARKER-DETAILS2-aa01", "MARKER"]
                  if m.encode() in seen or m.encode() in ob]
        res.check(not leaked, "no part text in payloads, headers or the outbox: %r" % leaked)
        ids = [json.loads(r["body"])["id"] for r in rcv.got()]
        res.check(len(ids) == len(set(ids)) == 5, "five notifications, five distinct ids: %r" % ids)
    finally:
        rcv.stop()


# ---------------------------------------------------------------------------------------------------------------
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".localdomain")


def private_name():
    """A host name a partner may register (not numeric, not local by its form) that leads only to loopback or
    private addresses: this machine's own name, or another from /etc/hosts."""
    import ipaddress
    names = [socket.gethostname(), socket.getfqdn()]
    try:
        with open("/etc/hosts") as f:
            for line in f:
                names += line.split("#")[0].split()[1:]
    except OSError:
        pass
    for n in names:
        low = n.lower()
        if not n or low == "localhost" or low.endswith(LOCAL_SUFFIXES) or low.rsplit(".", 1)[-1].isdigit():
            continue
        try:
            addrs = {a[4][0] for a in socket.getaddrinfo(n, 443, proto=socket.IPPROTO_TCP)}
        except OSError:
            continue
        if addrs and all(not ipaddress.ip_address(a.split("%")[0]).is_global for a in addrs):
            return n, addrs
    return None, None


class Listener:
    """Counts the TCP connections made to a port on every local address (IPv4 and IPv6 where there is one)."""

    def __init__(self):
        self.accepted = 0
        self.socks = []
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 0))
        self.port = s.getsockname()[1]
        self.socks.append(s)
        try:
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s6.bind(("::", self.port))
            self.socks.append(s6)
        except OSError:
            pass
        for sk in self.socks:
            sk.listen(16)
            sk.settimeout(0.2)
            threading.Thread(target=self._accept, args=(sk,), daemon=True).start()

    def _accept(self, sk):
        while self.socks:
            try:
                c, _ = sk.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            c.close()

    def stop(self):
        socks, self.socks = self.socks, []
        for sk in socks:
            sk.close()


def test_private_name(srv):
    print("(g) a partner's own webhook never reaches a private address, whatever its name")
    name, addrs = private_name()
    res.check(name is not None, "this machine has a name that leads to a private address (hostname, /etc/hosts)")
    if name is None:
        return
    lis = Listener()
    try:
        srv.create_partner("ssrf-a")
        tok = srv.partner_token("ssrf-a")
        url = "https://%s:%d/hook" % (name, lis.port)
        r = srv.request("PUT", "/api/v1/me/webhook", {"url": url}, token=tok)
        res.check(r.status == 200 and r.json().get("set_by") == "partner",
                  "the partner registers %s (%s): its form is public: %r" % (url, sorted(addrs), r))
        aid = srv.create_advisory(public_at=time.time() + 48 * H)["id"]
        tried = wait_for(lambda: [o for o in items_of(srv, "ssrf-a", aid) if o["tries"] >= 2], 15)
        err = tried[0]["last_error"] if tried else ""
        res.check(bool(tried) and "refused to connect to" in err and "public addresses" in err
                  and tried[0]["state"] == "pending",
                  "the notification is not sent, the outbox says why: %r" % items_of(srv, "ssrf-a", aid))
        res.check(lis.accepted == 0, "no connection reached the listener: %d" % lis.accepted)
        # The operator may point the same webhook at its own network: then it is connected to.
        r = srv.request("PUT", "/api/v1/partners/ssrf-a/webhook", {"url": url}, token=srv.admin)
        res.check(r.status == 200 and r.json().get("set_by") == "operator", "the operator registers it: %r" % r)
        aid2 = srv.create_advisory(public_at=time.time() + 48 * H)["id"]
        got = wait_for(lambda: lis.accepted > 0, 15)
        res.check(bool(got), "the operator's registration is connected to: %d connections" % lis.accepted)
        later = wait_for(lambda: [o for o in items_of(srv, "ssrf-a", aid2) if o["tries"] >= 1], 10)
        res.check(bool(later) and "refused to connect" not in (later[0]["last_error"] or ""),
                  "and fails for another reason (no TLS there): %r" % later)
    finally:
        lis.stop()


# ---------------------------------------------------------------------------------------------------------------
def test_down_then_up(srv):
    print("(c) receiver down, then up: delivered once")
    port = free_port()
    srv.create_partner("down-a")
    set_hook(srv, "down-a", "http://127.0.0.1:%d/hook/down-a" % port)
    aid = srv.create_advisory(public_at=time.time() + 48 * H)["id"]
    tried = wait_for(lambda: [o for o in items_of(srv, "down-a", aid) if o["tries"] >= 2], 10)
    res.check(len(tried) == 1 and tried[0]["state"] == "pending" and tried[0]["last_error"]
              and tried[0]["last_status"] is None and tried[0]["next_attempt_at"],
              "retried while the receiver is down, the error shown: %r" % tried)
    rcv = Receiver(port=port).start()
    try:
        got = wait_for(lambda: [o for o in items_of(srv, "down-a", aid) if o["state"] == "delivered"], 15)
        res.check(len(got) == 1, "delivered once the receiver is up: %r" % items_of(srv, "down-a", aid))
        time.sleep(1.5)
        reqs = rcv.got("/hook/down-a")
        ids = [r["headers"].get("forewarn-webhook-id") for r in reqs]
        res.check(len(reqs) == 1 and got and ids == [got[0]["key"]],
                  "exactly one request, with the item's id: %r" % ids)
    finally:
        rcv.stop()


# ---------------------------------------------------------------------------------------------------------------
def test_500(srv):
    print("(d) receiver answering 500: retried with growing gaps, set aside, shown, retried on demand")
    rcv = Receiver(status=500).start()
    try:
        srv.create_partner("five-a")
        secret = set_hook(srv, "five-a", rcv.url("/hook"))
        aid = srv.create_advisory(public_at=time.time() + 48 * H)["id"]
        failed = wait_for(lambda: outbox(srv, "?state=failed&partner=five-a"), 20)
        res.check(len(failed) == 1, "set aside after the last try: %r" % items_of(srv, "five-a"))
        reqs = rcv.got("/hook")
        res.check(len(reqs) == 4, "4 tries (--webhook-max-tries 4): %d" % len(reqs))
        if failed:
            o = failed[0]
            res.check(o["tries"] == 4 and o["last_status"] == 500 and o["last_error"] == "HTTP 500"
                      and o["next_attempt_at"] is None and o["done_at"], "the set-aside item: %r" % o)
        ids = {r["headers"].get("forewarn-webhook-id") for r in reqs}
        bodies = {r["body"] for r in reqs}
        res.check(len(ids) == 1 and failed and ids == {failed[0]["key"]} and len(bodies) == 1,
                  "the same id and body on every try: %r" % ids)
        res.check(all(verify(r, secret) for r in reqs), "every try is signed")
        gaps = [b["at"] - a["at"] for a, b in zip(reqs, reqs[1:])]
        res.check(len(gaps) == 3 and all(g2 > g1 for g1, g2 in zip(gaps, gaps[1:])),
                  "the gaps grow: %r" % ["%.3f" % g for g in gaps])
        res.check(len(gaps) == 3 and all(g >= 0.3 * 2 ** i * 0.95 for i, g in enumerate(gaps))
                  and all(g <= 0.3 * 2 ** i * 1.25 + 0.5 for i, g in enumerate(gaps)),
                  "the gaps follow the backoff 300ms x 2^n (+ up to 25%%): %r" % ["%.3f" % g for g in gaps])
        evs = [e for e in events(srv) if e["type"] == "webhook.failed" and e["subject"] == "%s/five-a" % aid]
        res.check(len(evs) == 1 and evs[0]["detail"].get("tries") == "4", "a webhook.failed event: %r" % evs)
        time.sleep(1)
        res.check(len(rcv.got("/hook")) == 4, "nothing more is sent once set aside")

        c = cli(srv, "outbox", "list", "--state", "failed")
        res.check(c.returncode == 0 and failed and re.search(r"^%d\s+five-a\s+%s" % (failed[0]["id"], aid),
                                                             c.stdout, re.M),
                  "forewarn outbox list --state failed shows it: %r" % c.stdout)
        r = srv.request("GET", "/api/v1/webhooks/outbox?state=bogus", token=srv.admin)
        res.check(r.status == 400 and r.json()["error"]["field"] == "state", "bad state filter: 400 on state")
        r = srv.request("GET", "/api/v1/webhooks/outbox?limit=0", token=srv.admin)
        res.check(r.status == 400 and r.json()["error"]["field"] == "limit", "bad limit: 400 on limit")
        for bad_id in ("999999", "abc", "0", "-1"):
            r = srv.request("POST", "/api/v1/webhooks/outbox/%s/retry" % bad_id, token=srv.admin)
            res.check(r.status == 404, "retry of item %r: 404, got %d" % (bad_id, r.status))

        rcv.status = 200
        if failed:
            c = cli(srv, "outbox", "retry", str(failed[0]["id"]))
            res.check(c.returncode == 0 and re.search(r"state:\s+pending", c.stdout),
                      "forewarn outbox retry: %r %r" % (c.stdout, c.stderr))
            ok = wait_for(lambda: srv.admin_call("GET", "/api/v1/webhooks/outbox/%d" % failed[0]["id"])["state"]
                          == "delivered", 5)
            res.check(ok, "the retried notification is delivered")
            time.sleep(0.5)
            reqs = rcv.got("/hook")
            res.check(len(reqs) == 5 and reqs[-1]["headers"].get("forewarn-webhook-id") == failed[0]["key"]
                      and reqs[-1]["body"] == reqs[0]["body"], "sent once more, same id and body")
            r = srv.request("POST", "/api/v1/webhooks/outbox/%d/retry" % failed[0]["id"], token=srv.admin)
            res.check(r.status == 409 and r.json()["error"].get("field") == "state",
                      "retry of a delivered item: 409, got %r" % r)
            res.check(any(e["type"] == "webhook.retried" for e in events(srv)), "a webhook.retried event")
    finally:
        rcv.stop()


# ---------------------------------------------------------------------------------------------------------------
def test_kill9(srv):
    print("(e) kill -9 with pending notifications: delivered after the restart, each once")
    port = free_port()
    pids = ["kill-%02d" % i for i in range(40)]  # more than the sender runs at once (32)
    for pid in pids:
        srv.create_partner(pid)
        set_hook(srv, pid, "http://127.0.0.1:%d/hook/%s" % (port, pid))
    aid = srv.create_advisory(public_at=time.time() + 48 * H)["id"]
    pending = wait_for(lambda: len([o for o in outbox(srv, "?state=pending") if o["advisory"] == aid
                                    and o["tries"] >= 1]) == len(pids), 10)
    res.check(pending, "every notification pending and tried once before the kill")
    srv.kill()
    rcv = Receiver(port=port).start()
    try:
        srv.start()
        done = wait_for(lambda: len([o for o in outbox(srv, "?state=delivered") if o["advisory"] == aid])
                        == len(pids), 20)
        res.check(done, "all %d delivered after the restart: %r" % (len(pids), [
            (o["partner"], o["state"], o["tries"]) for o in outbox(srv) if o["advisory"] == aid]))
        time.sleep(1)
        ids = [r["headers"].get("forewarn-webhook-id") for r in rcv.got()]
        res.check(len(ids) == len(pids) and len(set(ids)) == len(pids),
                  "each received exactly once: %d requests, %d ids" % (len(ids), len(set(ids))))
        res.check(sorted(r["path"] for r in rcv.got()) == sorted("/hook/" + p for p in pids),
                  "each at its own partner's URL")
        items = [o for o in outbox(srv) if o["advisory"] == aid]
        res.check(len(items) == len(pids), "one item per delivery, none added by the restart: %d" % len(items))
        page = outbox(srv, "?state=delivered&limit=5&offset=3")
        res.check([o["id"] for o in page] == [o["id"] for o in items][3:8], "paging: limit and offset")
    finally:
        rcv.stop()


# ---------------------------------------------------------------------------------------------------------------
def test_policy_recheck(srv):
    print("(f) policy re-checked before each send: suspended partner, withdrawn advisory")
    port = free_port()
    for pid in ("pol-a", "pol-b"):
        srv.create_partner(pid)
        set_hook(srv, pid, "http://127.0.0.1:%d/hook/%s" % (port, pid))
    a1 = srv.create_advisory(public_at=time.time() + 48 * H)["id"]
    a2 = srv.create_advisory(public_at=time.time() + 48 * H)["id"]
    ok = wait_for(lambda: len([o for o in outbox(srv, "?state=pending") if o["advisory"] in (a1, a2)
                               and o["tries"] >= 1]) == 4, 10)
    res.check(ok, "four notifications pending while the receiver is down")
    srv.admin_call("POST", "/api/v1/partners/pol-a/suspend", {"reason": "test"})
    srv.admin_call("POST", "/api/v1/advisories/%s/withdraw" % a2, {"reason": "test"})
    rcv = Receiver(port=port).start()
    try:
        settled = wait_for(lambda: all(o["state"] != "pending" for o in outbox(srv) if o["advisory"] in (a1, a2)),
                           20)
        res.check(settled, "all four settled")
        st = {(o["partner"], o["advisory"]): o for o in outbox(srv) if o["advisory"] in (a1, a2)}
        for key, want, why in [(("pol-a", a1), "skipped", "suspended"), (("pol-a", a2), "skipped", "suspended"),
                               (("pol-b", a2), "skipped", "withdrawn"), (("pol-b", a1), "delivered", None)]:
            o = st.get(key, {})
            res.check(o.get("state") == want and (why is None or why in (o.get("last_error") or "")),
                      "%s: %s (%s), got %r" % (key, want, why, o))
        time.sleep(1)
        paths = [r["path"] for r in rcv.got()]
        res.check(paths == ["/hook/pol-b"], "only pol-b's notification of the live advisory is sent: %r" % paths)
        if paths:
            res.check(json.loads(rcv.got()[0]["body"])["advisory"] == a1, "and it is about %s" % a1)
        skips = [e for e in events(srv) if e["type"] == "webhook.skipped"]
        res.check(len(skips) == 3, "three webhook.skipped events: %d" % len(skips))
        # A skipped notification put back is still refused while the partner is suspended.
        o = st.get(("pol-a", a1))
        if o:
            srv.admin_call("POST", "/api/v1/webhooks/outbox/%d/retry" % o["id"])
            ok = wait_for(lambda: srv.admin_call("GET", "/api/v1/webhooks/outbox/%d" % o["id"])["state"]
                          == "skipped", 5)
            res.check(ok and [r["path"] for r in rcv.got()] == ["/hook/pol-b"],
                      "retrying it skips it again: nothing sent to a suspended partner")
    finally:
        rcv.stop()


def main():
    # Each part on a server of its own, so that one part's partners and receivers never disturb another's.
    parts = [(test_registration, 20), (test_release, 20), (test_down_then_up, 20), (test_500, 4),
             (test_kill9, 20), (test_policy_recheck, 20), (test_private_name, 20)]
    for fn, tries in parts:
        srv = fwtest.Server(init_args=["--restricted-countries", "CN"],
                            serve_args=FAST + ["--webhook-max-tries", str(tries)])
        try:
            srv.start()
            fn(srv)
        finally:
            srv.cleanup()
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
