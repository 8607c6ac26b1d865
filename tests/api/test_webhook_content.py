#!/usr/bin/env python3
"""
Webhook notifications with content (docs/webhooks.md, "Content"): a registration with "content": "sealed" gets,
in each notification, the partner's copies sealed to its X25519 key.

(a) Registration: "content": "sealed" without a sealing key is refused (400 naming "content"), as is any value
    but "sealed" or "none"; with a key it is accepted and shown by GET; the default is "none".
(b) A vetted partner with the opt-in: its notification's content.csaf.sealed_copy opens (tests/api/sealbox.py,
    pure Python) to exactly the bytes GET /api/v1/inbox/{id} serves it, copy_sha256 is their SHA-256, the
    signature document is the one GET .../sig serves and verifies (OpenSSL or Node); likewise content.poc.
    Each copy is a download in the event log (sealed, address "webhook:<notification id>", the plain copy's
    SHA-256), already there when the receiver gets the POST (asked from inside the receiver), and its log
    receipt checks the opened copy (forewarn log verify-receipt).
(c) A partner without the opt-in: the notification has no content, and no download is recorded for it.
(d) A standard partner with the opt-in: not notified before T - 24 h; then its content is its own copy (no
    PoC), as GET serves it.
(e) The key removed after the opt-in: the notification goes out without content and says so.
(f) A receiver that fails the first try: the retry carries the same copy (same copy_sha256) in a new sealed
    box, and each try is a download of its own (the seal is new bytes each time).

Environment: FOREWARN_BIN.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402
import sealbox  # noqa: E402
from signtools import independent_verify  # noqa: E402
from test_webhooks import FAST, Receiver, verify, wait_for  # noqa: E402

H = 3600
res = fwtest.Results()
check = res.check
TMP = tempfile.mkdtemp(prefix="fw-whc-")
ALL = ["summary", "details", "detection", "poc"]
MARKERS = {"summary": "MARKER-SUMMARY-7f3a", "details": "MARKER-DETAILS-91bc", "detection": "MARKER-DETECT-44e0",
           "poc": "print('MARKER-POC-c2d9')\n"}


def register_key(srv, pid):
    sk = os.urandom(32)
    pk = sealbox.public_key(sk)
    srv.admin_call("PUT", "/api/v1/partners/%s/seal-key" % pid, {"public_key": base64.b64encode(pk).decode()})
    return sk, pk


MISSING = object()


def put_hook(srv, pid, url, content=MISSING):
    body = {"url": url}
    if content is not MISSING:
        body["content"] = content
    return srv.request("PUT", "/api/v1/partners/%s/webhook" % pid, body, token=srv.admin)


def error_of(r):
    try:
        return r.json().get("error", {})
    except Exception:
        return {}


def write(name, data):
    p = os.path.join(TMP, name)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return p


class Ctx:
    pass


def test_registration(c):
    print("(a) registration")
    srv = c.srv
    srv.create_partner("nokey")
    r = put_hook(srv, "nokey", c.rcv.url("/hook/nokey"), "sealed")
    e = error_of(r)
    check(r.status == 400 and e.get("field") == "content" and "sealing key" in e.get("message", ""),
          "content sealed without a sealing key: 400 naming content: %d %r" % (r.status, r.body[:200]))
    check(srv.request("GET", "/api/v1/partners/nokey/webhook", token=srv.admin).status == 404,
          "and nothing was registered")
    for bad in ("plain", 1, None, True):
        r = put_hook(srv, "nokey", c.rcv.url("/hook/nokey"), bad)
        check(r.status == 400 and error_of(r).get("field") == "content",
              "content %r: 400 naming content: %d %r" % (bad, r.status, r.body[:200]))
    r = put_hook(srv, "nokey", c.rcv.url("/hook/nokey"))
    check(r.status == 200 and r.json().get("content") == "none", "no content field: \"none\": %r" % r.body[:200])
    r = put_hook(srv, "nokey", c.rcv.url("/hook/nokey"), "none")
    check(r.status == 200 and r.json().get("content") == "none", "content none accepted: %r" % r.body[:200])
    srv.admin_call("DELETE", "/api/v1/partners/nokey/webhook")
    # Through the partner's own route too.
    tok = srv.partner_token("nokey")
    # (a partner may register only a public https:// URL for itself)
    r = srv.request("PUT", "/api/v1/me/webhook", {"url": "https://hooks.example.com/nokey", "content": "sealed"},
                    token=tok)
    check(r.status == 400 and error_of(r).get("field") == "content", "PUT /me/webhook without a key: 400 on content")


def check_copy(c, what, entry, sk, pk, plain, sig_doc, pid, note):
    """One entry of content (csaf or poc): opens to the plain bytes, digest, signature, receipt."""
    opened = sealbox.seal_open(base64.b64decode(entry.get("sealed_copy", "")), pk, sk)
    check(opened is not None, "%s %s: sealed_copy opens with the partner's secret key" % (note, what))
    check(opened == plain, "%s %s: it holds exactly the bytes GET serves the partner (%d vs %d bytes)"
          % (note, what, len(opened or b""), len(plain)))
    check(entry.get("copy_sha256") == hashlib.sha256(plain).hexdigest() and entry.get("size") == len(plain),
          "%s %s: copy_sha256 and size are the plain copy's" % (note, what))
    sig = entry.get("signature") or {}
    check(sig == sig_doc, "%s %s: the signature document is the one GET .../sig serves: %r vs %r"
          % (note, what, sig, sig_doc))
    check(independent_verify(c.pem, plain, base64.b64decode(sig.get("signature", "")), TMP),
          "%s %s: the signature verifies over the opened copy (independent Ed25519)" % (note, what))
    dl = [e for e in c.srv.events() if e["type"] == "download" and e["actor"] == "partner:" + pid
          and e["detail"].get("address", "").startswith("webhook:") and e["detail"].get("what") == what]
    check(len(dl) >= 1 and all(e["detail"].get("sealed") == "true" and
                               e["detail"].get("sha256") == hashlib.sha256(plain).hexdigest() for e in dl),
          "%s %s: a sealed download event with the plain copy's SHA-256: %r" % (note, what, dl[:1]))
    rec = c.srv.request("GET", "/api/v1/log/receipt?index=%d" % entry.get("log_index", -1),
                        token=c.tok[pid])
    rc = subprocess.run([fwtest.FOREWARN, "log", "verify-receipt", write("rec-" + pid + what, rec.body),
                         "--copy", write("copy-" + pid + what, opened or b""), "--key", c.logpub],
                        capture_output=True, text=True)
    check(rec.status == 200 and rc.returncode == 0 and "is the one logged" in rc.stdout,
          "%s %s: the receipt at log_index checks the opened copy: %r" % (note, what, (rc.stdout, rc.stderr)))
    return dl


def plain_of(c, pid, aid, poc=False):
    suffix = "/poc" if poc else ""
    r = c.srv.request("GET", "/api/v1/inbox/%s%s" % (aid, suffix), token=c.tok[pid])
    s = c.srv.request("GET", "/api/v1/inbox/%s%s/sig" % (aid, suffix), token=c.tok[pid])
    return r.body, json.loads(s.body)


def test_content(c):
    print("(b)-(e) notifications with and without content")
    srv, rcv = c.srv, c.rcv
    srv.create_partner("hc", tier="vetted", entitlements=ALL)
    srv.create_partner("hn", tier="vetted", entitlements=ALL)
    srv.create_partner("hs", tier="standard", entitlements=["summary", "details"])
    srv.create_partner("hk", tier="vetted", entitlements=ALL)
    c.tok = {p: srv.partner_token(p) for p in ("hc", "hn", "hs", "hk")}
    keys = {p: register_key(srv, p) for p in ("hc", "hs", "hk", "hn")}
    secrets = {}
    for pid, content in (("hc", "sealed"), ("hn", MISSING), ("hs", "sealed"), ("hk", "sealed")):
        r = put_hook(srv, pid, rcv.url("/hook/" + pid), content)
        want = "none" if content is MISSING else content
        check(r.status == 200 and r.json().get("content") == want, "PUT webhook of %s: %r"
              % (pid, r.body[:200]))
        secrets[pid] = r.json().get("secret", "")
    r = srv.request("GET", "/api/v1/partners/hc/webhook", token=srv.admin)
    check(r.status == 200 and r.json().get("content") == "sealed", "GET webhook shows content sealed")
    # hk's key goes away after its opt-in.
    srv.admin_call("DELETE", "/api/v1/partners/hk/seal-key")

    t_public = int(time.time()) + 24 * H + 6
    due_s = t_public - 24 * H
    aid = srv.create_advisory(public_at=t_public, parts=MARKERS)["id"]

    got = wait_for(lambda: len(rcv.got("/hook/hc")) and len(rcv.got("/hook/hn")) and len(rcv.got("/hook/hk")), 8)
    check(got, "the vetted partners are notified at once")
    check(not rcv.got("/hook/hs"), "the standard partner is not notified before T - 24 h")

    # (b) content for hc.
    v = rcv.got("/hook/hc")
    if v:
        req = v[0]
        p = json.loads(req["body"])
        check(verify(req, secrets["hc"]), "hc: the HMAC verifies over the body with content")
        check(p.get("advisory") == aid and p.get("revision") == 1 and sorted(p.get("parts", [])) == sorted(ALL),
              "hc: the summary fields as before: %r" % {k: p.get(k) for k in ("advisory", "revision", "parts")})
        ct = p.get("content") or {}
        check(ct.get("seal_key_id") == hashlib.sha256(keys["hc"][1]).hexdigest()[:16] and ct.get("revision") == 1,
              "hc: content names the key sealed to and the revision: %r" % {k: ct.get(k) for k in
                                                                           ("seal_key_id", "revision")})
        body = req["body"].decode()
        check(all(m.strip() not in body for m in MARKERS.values()), "hc: no embargoed text in the clear")
        sk, pk = keys["hc"]
        for what in ("csaf", "poc"):
            plain, sig_doc = plain_of(c, "hc", aid, what == "poc")
            dl = check_copy(c, what, ct.get(what) or {}, sk, pk, plain, sig_doc, "hc", "hc")
            # I3: the download was in the event log when the receiver got the POST, and before it in time.
            seen = [e for e in req.get("events_then") or [] if e["type"] == "download"
                    and e["detail"].get("address") == "webhook:" + p["id"] and e["detail"].get("what") == what]
            check(len(seen) == 1, "hc %s: its download event was already in the log when the POST arrived" % what)
            check(dl and fwtest.parse_rfc3339(dl[0]["at"]) <= req["at"],
                  "hc %s: the event's time %s is before the arrival %.3f" % (what, dl and dl[0]["at"], req["at"]))
        check(all(e["detail"].get("address") == "webhook:" + p["id"] for e in srv.events()
                  if e["type"] == "download" and e["actor"] == "partner:hc" and
                  e["detail"].get("address", "").startswith("webhook:")),
              "hc: the downloads name the notification they left in")
    # (c) no opt-in: no content, no webhook download.
    n = rcv.got("/hook/hn")
    if n:
        p = json.loads(n[0]["body"])
        check(set(p) == {"id", "type", "advisory", "revision", "parts", "at"},
              "hn (no opt-in): the summary only: %r" % sorted(p))
        check(not [e for e in srv.events() if e["type"] == "download" and e["actor"] == "partner:hn"],
              "hn: no download recorded")
    # (e) key removed: no content, and it says so.
    k = rcv.got("/hook/hk")
    if k:
        p = json.loads(k[0]["body"])
        check("content" in p and p["content"] is None and "sealing key" in p.get("content_omitted", ""),
              "hk (key removed): content null and content_omitted says why: %r" % p)
        check(verify(k[0], secrets["hk"]), "hk: the HMAC verifies")
        check(not [e for e in srv.events() if e["type"] == "download" and e["actor"] == "partner:hk"],
              "hk: no download recorded")
        check(all(m.strip() not in k[0]["body"].decode() for m in MARKERS.values()), "hk: no embargoed text")

    # (d) the standard partner, at its time, its own copy and no PoC.
    s = wait_for(lambda: rcv.got("/hook/hs"), due_s - time.time() + 6)
    check(len(s) == 1, "the standard partner is notified at T - 24 h: %d" % len(s))
    if s:
        check(s[0]["at"] >= due_s, "not before its time: arrived %.3f, due %d" % (s[0]["at"], due_s))
        p = json.loads(s[0]["body"])
        ct = p.get("content") or {}
        check("poc" not in ct and sorted(p.get("parts", [])) == ["details", "summary"],
              "hs: no PoC in its content, parts %r" % p.get("parts"))
        plain, sig_doc = plain_of(c, "hs", aid)
        sk, pk = keys["hs"]
        check_copy(c, "csaf", ct.get("csaf") or {}, sk, pk, plain, sig_doc, "hs", "hs")
        plain_hc, _ = plain_of(c, "hc", aid)
        check(plain != plain_hc, "hs's copy is its own (fingerprinted), not hc's")
    items = [o for o in srv.admin_call("GET", "/api/v1/webhooks/outbox")["outbox"] if o["advisory"] == aid]
    check(len(items) == 4 and all(o["state"] == "delivered" for o in items), "all four delivered: %r"
          % [(o["partner"], o["state"], o["last_error"]) for o in items])


def test_retry(c):
    print("(f) a retried notification with content")
    srv = c.srv
    rcv = Receiver(status=500).start()
    try:
        srv.create_partner("hr", tier="vetted", entitlements=["summary", "details"])
        c.tok["hr"] = srv.partner_token("hr")
        sk, pk = register_key(srv, "hr")
        r = put_hook(srv, "hr", rcv.url("/hook/hr"), "sealed")
        check(r.status == 200, "PUT webhook of hr")
        aid = srv.create_advisory(public_at=int(time.time()) + 72 * H)["id"]
        first = wait_for(lambda: rcv.got("/hook/hr"), 8)
        rcv.status = 200
        got = wait_for(lambda: len(rcv.got("/hook/hr")) >= 2, 10)
        check(first and got, "hr: a failed try, then a retry")
        if got:
            a, b = (json.loads(x["body"]) for x in rcv.got("/hook/hr")[:2])
            ca, cb = a["content"]["csaf"], b["content"]["csaf"]
            check(a["id"] == b["id"], "the same notification id on the retry")
            check(ca["copy_sha256"] == cb["copy_sha256"] and ca["sealed_copy"] != cb["sealed_copy"],
                  "the same copy, sealed afresh")
            check(sealbox.seal_open(base64.b64decode(cb["sealed_copy"]), pk, sk) ==
                  sealbox.seal_open(base64.b64decode(ca["sealed_copy"]), pk, sk) == plain_of(c, "hr", aid)[0],
                  "both open to the copy GET serves")
            dl = [e for e in srv.events() if e["type"] == "download" and e["actor"] == "partner:hr"
                  and e["detail"].get("address") == "webhook:" + a["id"]]
            check(len(dl) == 2 and ca["log_index"] != cb["log_index"],
                  "each try is a download of its own: %d events" % len(dl))
    finally:
        rcv.stop()


def main():
    srv = fwtest.Server(serve_args=FAST + ["--webhook-max-tries", "5"])
    c = Ctx()
    c.srv = srv
    c.rcv = Receiver()
    try:
        srv.start()
        c.pem = srv.request("GET", "/api/v1/keys/signing").json()["public_key_pem"]
        with open(os.path.join(srv.data, "log.pub")) as f:
            c.logpub = f.read().strip()
        c.rcv.start()
        # Asked from inside the receiver, before it answers: what the event log held when the POST arrived.
        c.rcv.on_post = lambda: srv.events()
        test_registration(c)
        test_content(c)
        test_retry(c)
    except Exception:
        import traceback
        traceback.print_exc()
        check(False, "the test raised an exception (server log: %s/server.log)" % srv.dir)
    finally:
        c.rcv.stop()
        srv.cleanup()
        shutil.rmtree(TMP, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
