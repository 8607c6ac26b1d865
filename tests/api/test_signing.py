#!/usr/bin/env python3
"""Signed copies, against a real server (docs/api.md and docs/formats.md, "Signed and sealed copies").

Every copy and PoC download carries a Forewarn-Signature that an independent Ed25519 implementation (OpenSSL's
`pkeyutl -verify -rawin`, else Node's crypto) verifies over the exact body with the key published at
GET /api/v1/keys/signing; the companion routes /sig give the same signature of the same bytes, under exactly the
same access rules (404 before time, for parts not entitled, for what does not exist), and record nothing; a
changed byte fails; `forewarn verify` checks offline with its exit codes; the key survives a restart.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402
from signtools import parse_header, independent_verify as _verify  # noqa: E402

R = fwtest.Results()
check = R.check
NOW = time.time
ALL = ["summary", "details", "detection", "poc"]
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
TMP = tempfile.mkdtemp(prefix="fw-sign-")


def short(r):
    return "%d %r" % (r.status, r.body[:200])


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def independent_verify(pem, data, sig):
    return _verify(pem, data, sig, TMP)


def fw(*args):
    r = subprocess.run([fwtest.FOREWARN] + list(args), capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if not k.startswith("FOREWARN_")} | {
                           "FOREWARN_BIN": fwtest.FOREWARN})
    return r.returncode, r.stdout, r.stderr


class Ctx:
    pass


def main():
    return R.run_with_server(run, fwtest.Server(init_args=["--restricted-countries", "RU"]),
                             cleanup=lambda: shutil.rmtree(TMP, ignore_errors=True))


def run(s):
    c = Ctx()
    c.s = s
    test_published_key(c)
    setup_world(c)
    test_every_download_signed(c)
    test_sig_companion(c)
    test_sig_access_rules(c)
    test_sig_is_not_a_download(c)
    test_tampering(c)
    test_verify_cli(c)
    test_revision_and_public(c)
    test_restart_keeps_key(c)


# ---------------------------------------------------------------------------------------------------------
def test_published_key(c):
    s = c.s
    r = s.request("GET", "/api/v1/keys/signing")
    check(r.status == 200 and r.headers.get("Content-Type", "").startswith("application/json"),
          "GET /api/v1/keys/signing without a token: %s" % short(r))
    k = r.json()
    check(set(k) == {"algorithm", "key_id", "public_key", "public_key_pem"}, "key document fields: %r" % k)
    pk = base64.b64decode(k["public_key"], validate=True)
    check(len(pk) == 32 and k["algorithm"] == "ed25519", "a 32-byte Ed25519 key: %r" % k)
    check(k["key_id"] == hashlib.sha256(pk).hexdigest()[:16], "key_id = first 8 bytes of SHA-256(key): %r" % k)
    pem = k["public_key_pem"]
    m = re.fullmatch(r"-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/=]+)\n-----END PUBLIC KEY-----\n", pem)
    check(m is not None and base64.b64decode(m.group(1)) == SPKI_PREFIX + pk,
          "the PEM is the SubjectPublicKeyInfo of the same key (RFC 8410): %r" % pem)
    if shutil.which("openssl"):
        o = subprocess.run(["openssl", "pkey", "-pubin", "-in", write("pub.pem", pem), "-noout", "-text"],
                           capture_output=True, text=True)
        check(o.returncode == 0 and "ED25519" in o.stdout.upper(), "OpenSSL reads the PEM as an Ed25519 key: %r"
              % (o.stdout + o.stderr)[:200])
    with open(os.path.join(s.data, "sign.pub"), "rb") as f:
        check(f.read() == r.body + b"\n", "DIR/sign.pub holds the published document")
    st = os.stat(os.path.join(s.data, "sign.key"))
    check(stat.S_IMODE(st.st_mode) == 0o600 and st.st_size == 32, "DIR/sign.key: 32 bytes, mode 0600")
    with open(os.path.join(s.data, "log.pub")) as f:
        logkey = f.read().strip().split("+", 2)[2]  # name+keyid+base64 (which may hold a "+")
    check(base64.b64decode(logkey)[1:] != pk, "copies are not signed with the log's key")
    tok_r = s.request("GET", "/api/v1/keys/signing", token=s.admin)
    check(tok_r.status == 200 and tok_r.body == r.body, "the same document with a token")
    for m in ("POST", "PUT", "DELETE"):
        check(s.request(m, "/api/v1/keys/signing", {} if m != "DELETE" else None).status == 405,
              "%s /api/v1/keys/signing: 405" % m)
    c.key = k
    c.pk = pk
    c.pem = pem
    c.pubfile = os.path.join(s.data, "sign.pub")


def setup_world(c):
    s = c.s
    c.tok = {}
    for pid, tier, country, ent in [("vet", "vetted", "US", ALL), ("std", "standard", "US", ALL),
                                    ("basic", "vetted", "US", None), ("ru", "vetted", "RU", ALL),
                                    ("susp", "vetted", "US", ALL)]:
        s.create_partner(pid, tier=tier, country=country, entitlements=ent)
        c.tok[pid] = s.partner_token(pid)
    s.admin_call("POST", "/api/v1/partners/susp/suspend", {"reason": "test"})
    # A1 in 72 h: only vetted partners see it now; A2 in 12 h: vetted and standard; draft and withdrawn ones.
    c.a1 = s.create_advisory(id="sig-a1", public_at=NOW() + 72 * 3600)["id"]
    c.a2 = s.create_advisory(id="sig-a2", public_at=NOW() + 12 * 3600)["id"]
    c.draft = s.create_advisory(id="sig-draft")["id"]
    c.gone = s.create_advisory(id="sig-gone", public_at=NOW() + 72 * 3600)["id"]
    s.admin_call("POST", "/api/v1/advisories/sig-gone/withdraw", {})
    c.none404 = s.request("GET", "/api/v1/inbox/no-such-advisory", token=c.tok["vet"])
    check(c.none404.status == 404, "a nonexistent advisory: 404")


def path_of(adv, what, sig=False):
    return "/api/v1/inbox/%s%s%s" % (adv, "/poc" if what == "poc" else "", "/sig" if sig else "")


def check_signed(c, r, what, ctx):
    """r is a 200 download with a valid Forewarn-Signature over its exact body; returns the parsed header."""
    h = parse_header(r.headers.get("Forewarn-Signature"))
    if not check(h is not None, "%s: Forewarn-Signature is missing or malformed: %r" % (ctx, r.headers)):
        return None
    check(h["keyid"] == c.key["key_id"], "%s: signed by the published key (%s, not %s)" % (
        ctx, c.key["key_id"], h["keyid"]))
    check(independent_verify(c.pem, r.body, h["sig"]),
          "%s: OpenSSL verifies the signature over the exact body with the published key" % ctx)
    check("Forewarn-Content-Signature" not in r.headers, "%s: no content signature on a plain download" % ctx)
    return h


def test_every_download_signed(c):
    s = c.s
    # (partner, advisory, what) -> whether the copy is served now
    expect = {("vet", c.a1, "csaf"): 200, ("vet", c.a1, "poc"): 200, ("vet", c.a2, "csaf"): 200,
              ("vet", c.a2, "poc"): 200, ("std", c.a1, "csaf"): 404, ("std", c.a1, "poc"): 404,
              ("std", c.a2, "csaf"): 200, ("std", c.a2, "poc"): 200, ("basic", c.a1, "csaf"): 200,
              ("basic", c.a1, "poc"): 404, ("ru", c.a1, "csaf"): 404, ("ru", c.a2, "poc"): 404,
              ("susp", c.a1, "csaf"): 404, ("susp", c.a2, "poc"): 404}
    c.expect = expect
    c.copies = {}
    for (pid, adv, what), want in sorted(expect.items()):
        ctx = "%s %s %s" % (pid, adv, what)
        r = s.request("GET", path_of(adv, what), token=c.tok[pid])
        if not check(r.status == want, "%s: expected %d, got %s" % (ctx, want, short(r))):
            continue
        if want == 404:
            check("Forewarn-Signature" not in r.headers and r.body == c.none404.body,
                  "%s: a 404 carries no signature and is the nonexistent advisory's 404" % ctx)
            continue
        h = check_signed(c, r, what, ctx)
        ct = r.headers.get("Content-Type", "")
        check(ct.startswith("text/plain") if what == "poc" else ct.startswith("application/json"),
              "%s: content type %r" % (ctx, ct))
        check(r.headers.get("Forewarn-Log-Index", "").isdigit(), "%s: still carries Forewarn-Log-Index" % ctx)
        c.copies[(pid, adv, what)] = (r.body, h)
        # Again, from the caches: the same bytes, the same signature.
        r2 = s.request("GET", path_of(adv, what), token=c.tok[pid])
        check(r2.status == 200 and r2.body == r.body and r2.headers.get("Forewarn-Signature") ==
              r.headers.get("Forewarn-Signature"), "%s: a second download has the same bytes and signature" % ctx)
    # Copies differ between partners (fingerprints), and so do their signatures.
    a, b = c.copies.get(("vet", c.a2, "csaf")), c.copies.get(("std", c.a2, "csaf"))
    if a and b:
        check(a[0] != b[0] and a[1]["sig"] != b[1]["sig"], "two partners' copies and signatures differ")


def test_sig_companion(c):
    s = c.s
    for (pid, adv, what), (body, h) in sorted(c.copies.items()):
        ctx = "%s %s %s /sig" % (pid, adv, what)
        r = s.request("GET", path_of(adv, what, sig=True), token=c.tok[pid])
        if not check(r.status == 200, "%s: %s" % (ctx, short(r))):
            continue
        check(r.headers.get("Content-Type", "").startswith("application/json"), "%s: JSON" % ctx)
        check(r.body.endswith(b"\n") and r.body.count(b"\n") == 1, "%s: one line and a newline" % ctx)
        d = r.json()
        check(list(d) == ["v", "algorithm", "key_id", "signature", "sha256", "size", "advisory", "revision",
                          "what"], "%s: the document's fields in order: %r" % (ctx, list(d)))
        check(d["v"] == 1 and d["algorithm"] == "ed25519" and d["key_id"] == c.key["key_id"], "%s: %r" % (ctx, d))
        check(base64.b64decode(d["signature"]) == h["sig"], "%s: the same signature as the download's header" % ctx)
        check(d["sha256"] == hashlib.sha256(body).hexdigest() and d["size"] == len(body),
              "%s: the digest and size of the exact bytes served" % ctx)
        adv_rev = s.admin_call("GET", "/api/v1/advisories/%s" % adv)["revision"]
        check(d["advisory"] == adv and d["revision"] == adv_rev and d["what"] == what,
              "%s: advisory, revision, what: %r" % (ctx, d))
        check("Forewarn-Log-Index" not in r.headers and "Forewarn-Signature" not in r.headers,
              "%s: the signature document is not itself a recorded copy" % ctx)
    # /sig before any download of that copy: the signature of the bytes the download then serves.
    s.create_partner("fresh", tier="standard", entitlements=ALL)
    tok = s.partner_token("fresh")
    for what in ("csaf", "poc"):
        r = s.request("GET", path_of(c.a2, what, sig=True), token=tok)
        dl = s.request("GET", path_of(c.a2, what), token=tok)
        ok = r.status == 200 and dl.status == 200
        check(ok, "fresh %s: /sig then the download: %s, %s" % (what, short(r), short(dl)))
        if ok:
            h = parse_header(dl.headers.get("Forewarn-Signature"))
            d = r.json()
            check(h and base64.b64decode(d["signature"]) == h["sig"] and
                  d["sha256"] == hashlib.sha256(dl.body).hexdigest(),
                  "fresh %s: /sig asked first signs exactly what the download serves next" % what)


def test_sig_access_rules(c):
    """The companion routes answer 404 exactly when the copy route does, with the same bytes."""
    s = c.s
    for (pid, adv, what), want in sorted(c.expect.items()):
        r = s.request("GET", path_of(adv, what, sig=True), token=c.tok[pid])
        ctx = "%s %s %s /sig" % (pid, adv, what)
        check(r.status == want, "%s: %d like the copy, got %s" % (ctx, want, short(r)))
        if want == 404:
            check(r.body == c.none404.body, "%s: the same 404 as a nonexistent advisory" % ctx)
    for adv in (c.draft, c.gone, "no-such-advisory", "Not_A_Slug", "x" * 200):
        for what in ("csaf", "poc"):
            r = s.request("GET", path_of(adv, what, sig=True), token=c.tok["vet"])
            check(r.status == 404 and r.body == c.none404.body, "/sig of %s %s: 404 like a nonexistent one: %s"
                  % (adv[:20], what, short(r)))
    # Suspension after a download: the copy and its signature go together.
    s.create_partner("later", tier="vetted", entitlements=ALL)
    tok = s.partner_token("later")
    check(s.request("GET", path_of(c.a1, "csaf", sig=True), token=tok).status == 200, "later: /sig before")
    s.admin_call("POST", "/api/v1/partners/later/suspend", {})
    for what in ("csaf", "poc"):
        r1 = s.request("GET", path_of(c.a1, what), token=tok)
        r2 = s.request("GET", path_of(c.a1, what, sig=True), token=tok)
        check(r1.status == 404 and r2.status == 404 and r2.body == c.none404.body,
              "suspended: copy and /sig both 404 (%s): %s, %s" % (what, short(r1), short(r2)))
    # Without a token, with the admin token: as the copy routes.
    r = s.request("GET", path_of(c.a1, "csaf", sig=True))
    check(r.status == 401, "/sig without a token: 401: %s" % short(r))
    r = s.request("GET", path_of(c.a1, "csaf", sig=True), token=s.admin)
    check(r.status == 403, "/sig with the admin token: 403: %s" % short(r))


def test_sig_is_not_a_download(c):
    s = c.s
    s.create_partner("quiet", tier="vetted", entitlements=ALL)
    tok = s.partner_token("quiet")
    last = s.events()[-1]["seq"]
    for _ in range(3):
        for what in ("csaf", "poc"):
            check(s.request("GET", path_of(c.a1, what, sig=True), token=tok).status == 200, "quiet /sig")
    # (The scheduler delivers A1 to the new partner on its own time: that is not the partner's doing.)
    mine = [e for e in s.events(last) if ("quiet" in e["subject"] or e["actor"] == "partner:quiet") and
            e["actor"] != "scheduler"]
    check(not mine, "fetching /sig records no event of the partner (no download): %r" % mine[:2])
    dl = s.admin_call("GET", "/api/v1/advisories/%s/deliveries?partner=quiet" % c.a1)["downloads"]
    check(dl == [], "no download of the copy by 'quiet' after /sig only: %r" % dl)
    s.request("GET", path_of(c.a1, "csaf"), token=tok)
    mine = [e["type"] for e in s.events(last) if "quiet" in e["subject"]]
    dl = s.admin_call("GET", "/api/v1/advisories/%s/deliveries?partner=quiet" % c.a1)["downloads"]
    check("download" in mine and len(dl) == 1, "the download itself is recorded: %r %r" % (mine, dl))


def test_tampering(c):
    body, h = c.copies[("vet", c.a1, "csaf")]
    for i in (0, len(body) // 2, len(body) - 1):
        bad = bytearray(body)
        bad[i] ^= 0x01
        check(not independent_verify(c.pem, bytes(bad), h["sig"]), "a byte changed at %d fails verification" % i)
    check(not independent_verify(c.pem, body + b" ", h["sig"]), "a byte appended fails verification")
    bad_sig = bytearray(h["sig"])
    bad_sig[3] ^= 0x80
    check(not independent_verify(c.pem, body, bytes(bad_sig)), "a changed signature fails verification")
    poc_body, poc_h = c.copies[("vet", c.a1, "poc")]
    check(not independent_verify(c.pem, body, poc_h["sig"]), "the PoC's signature does not cover the copy")


def test_verify_cli(c):
    s = c.s
    body, h = c.copies[("vet", c.a1, "csaf")]
    copy = write("copy.json", body)
    sigdoc = s.request("GET", path_of(c.a1, "csaf", sig=True), token=c.tok["vet"]).body
    sig = write("copy.sig", sigdoc)
    hdr = write("copy.hdr", "Forewarn-Signature: alg=ed25519; keyid=%s; sig=%s\r\n" % (
        h["keyid"], base64.b64encode(h["sig"]).decode()))
    pem = write("key.pem", c.pem)
    b64 = write("key.b64", c.key["public_key"] + "\n")
    served = write("key.json", s.request("GET", "/api/v1/keys/signing").body)
    for what, keyargs in [("--key sign.pub", ["--key", c.pubfile]), ("--key PEM", ["--key", pem]),
                          ("--key base64", ["--key", b64]), ("--key served document", ["--key", served]),
                          ("--data", ["--data", s.data])]:
        rc, out, err = fw("verify", copy, sig, *keyargs)
        check(rc == 0 and out.startswith("verified: ") and c.a1 in out and c.key["key_id"] in out and not err,
              "forewarn verify %s: exit 0 and 'verified': %d %r %r" % (what, rc, out, err))
    rc, out, err = fw("verify", copy, sig, "--url", s.url)
    check(rc == 0 and out.startswith("verified: ") and "warning" in err,
          "forewarn verify --url: exit 0, with a warning that the key comes from the server: %d %r" % (rc, err))
    rc, out, err = fw("verify", copy, hdr, "--key", c.pubfile)
    check(rc == 0 and out.startswith("verified: "), "verify with the saved header: %d %r %r" % (rc, out, err))
    # The PoC with its own signature.
    poc_body, _ = c.copies[("vet", c.a1, "poc")]
    pocf = write("poc.txt", poc_body)
    pocsig = write("poc.sig", s.request("GET", path_of(c.a1, "poc", sig=True), token=c.tok["vet"]).body)
    rc, out, err = fw("verify", pocf, pocsig, "--key", c.pubfile)
    check(rc == 0 and "(poc)" in out, "verify the PoC: %d %r %r" % (rc, out, err))

    # Failures: exit 1 and a message naming what failed.
    bad = bytearray(body)
    bad[len(bad) // 2] ^= 0x01
    cases = [
        ("a changed byte", [write("bad.json", bytes(bad)), sig, "--key", c.pubfile], "SHA-256"),
        ("a byte appended", [write("long.json", body + b"\n"), sig, "--key", c.pubfile], "bytes"),
        ("the PoC's signature on the copy", [copy, pocsig, "--key", c.pubfile], "bytes"),
        ("a changed byte, header form", [write("bad2.json", bytes(bad)), hdr, "--key", c.pubfile], "signature"),
    ]
    d = json.loads(sigdoc)
    d["signature"] = base64.b64encode(bytes(64)).decode()
    cases.append(("a forged signature", [copy, write("forged.sig", json.dumps(d)), "--key", c.pubfile],
                  "signature does not verify"))
    d = json.loads(sigdoc)
    d["key_id"] = "0123456789abcdef"
    cases.append(("another key id", [copy, write("kid.sig", json.dumps(d)), "--key", c.pubfile], "key"))
    cases.append(("a malformed signature file", [copy, write("junk.sig", "{\"v\":1}"), "--key", c.pubfile],
                  "not a signature"))
    other = None
    if shutil.which("openssl"):
        kp = os.path.join(TMP, "other.key")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", kp], check=True, capture_output=True)
        other = subprocess.run(["openssl", "pkey", "-in", kp, "-pubout"], check=True, capture_output=True,
                               text=True).stdout
        cases.append(("another server's key", [copy, sig, "--key", write("other.pem", other)], "signed by key"))
    for what, args, word in cases:
        rc, out, err = fw("verify", *args)
        check(rc == 1 and "verification FAILED" in err and word in err and not out,
              "forewarn verify, %s: exit 1 naming %r: %d %r %r" % (what, word, rc, out, err))
    # Bad usage: exit 2.
    for what, args in [("no key", [copy, sig]), ("two keys", [copy, sig, "--key", c.pubfile, "--data", s.data]),
                       ("a missing file", [os.path.join(TMP, "nope"), sig, "--key", c.pubfile]),
                       ("a missing key file", [copy, sig, "--key", os.path.join(TMP, "nope")]),
                       ("a key file that is no key", [copy, sig, "--key", copy]),
                       ("one argument", [copy, "--key", c.pubfile])]:
        rc, out, err = fw("verify", *args)
        check(rc == 2 and err, "forewarn verify, %s: exit 2: %d %r" % (what, rc, err))
    # The client saves the same document as the route serves.
    rc, out, err = fw("inbox", c.a1, "--signature", "-o", os.path.join(TMP, "cli.sig"), "--token", c.tok["vet"],
                      "--url", s.url)
    with open(os.path.join(TMP, "cli.sig"), "rb") as f:
        check(rc == 0 and f.read() == sigdoc, "forewarn inbox --signature saves the /sig document: %d %r" % (rc, err))
    rc, out, err = fw("inbox", c.a1, "-o", os.path.join(TMP, "cli.json"), "--token", c.tok["vet"], "--url", s.url)
    rc2, out, err2 = fw("verify", os.path.join(TMP, "cli.json"), os.path.join(TMP, "cli.sig"), "--key", c.pubfile)
    check(rc == 0 and rc2 == 0, "inbox -o then verify: %d %d %r %r" % (rc, rc2, err, err2))
    for cmd in (["verify"], ["open"], ["keygen"]):
        rc, out, err = fw(*cmd, "--help")
        check(rc == 0 and not err and all(sec in out for sec in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS",
                                                                 "EXIT STATUS", "EXAMPLE")),
              "forewarn %s --help: a man page: %d %r" % (cmd[0], rc, err))


def test_revision_and_public(c):
    s = c.s
    tok = c.tok["vet"]
    old = s.request("GET", path_of(c.a2, "csaf"), token=tok)
    oldsig = write("old.sig", s.request("GET", path_of(c.a2, "csaf", sig=True), token=tok).body)
    s.admin_call("POST", "/api/v1/advisories/%s/revisions" % c.a2, {
        "note": "second wave", "parts": {"summary": "Summary text.", "details": "New details.",
                                         "detection": "Detection text.", "poc": "print('poc 2')\n"}})
    new = s.request("GET", path_of(c.a2, "csaf"), token=tok)
    h = check_signed(c, new, "csaf", "a new revision")
    d = s.request("GET", path_of(c.a2, "csaf", sig=True), token=tok).json()
    check(new.body != old.body and d["revision"] == 2 and h and base64.b64decode(d["signature"]) == h["sig"],
          "a new revision: a new copy, its own signature, /sig names revision 2: %r" % d)
    rc, out, err = fw("verify", write("new.json", new.body), oldsig, "--key", c.pubfile)
    check(rc == 1, "the old revision's signature does not verify the new copy: %d %r" % (rc, err))
    # After T: the neutral public copy is the same for everyone, and so is its signature.
    s.admin_call("POST", "/api/v1/advisories/%s/publish" % c.a2)
    pa = s.request("GET", path_of(c.a2, "csaf"), token=c.tok["vet"])
    pb = s.request("GET", path_of(c.a2, "csaf"), token=c.tok["std"])
    ha = check_signed(c, pa, "csaf", "public copy (vet)")
    hb = check_signed(c, pb, "csaf", "public copy (std)")
    check(pa.body == pb.body and ha and hb and ha["sig"] == hb["sig"],
          "the public copy and its signature are the same for two partners")
    c.public = (pa.body, pa.headers.get("Forewarn-Signature"))


def test_restart_keeps_key(c):
    s = c.s
    before = s.request("GET", "/api/v1/keys/signing").body
    s.stop()
    s.start()
    after = s.request("GET", "/api/v1/keys/signing").body
    check(before == after, "the signing key survives a restart")
    r = s.request("GET", path_of(c.a2, "csaf"), token=c.tok["vet"])
    check(r.status == 200 and (r.body, r.headers.get("Forewarn-Signature")) == c.public,
          "after a restart the same copy has the same signature (deterministic Ed25519)")


if __name__ == "__main__":
    sys.exit(main())
