#!/usr/bin/env python3
"""Sealed copies, against a real server (docs/api.md and docs/formats.md, "Signed and sealed copies").

A partner makes a key pair (`forewarn keygen --seal`), registers the public key (itself, or through the
operator); then GET /api/v1/inbox/{id}?sealed=1 (and .../poc?sealed=1) serves its copy sealed to that key:
`forewarn open` and an independent pure-Python opener (tests/api/sealbox.py) both give back exactly the plain
copy, whose own signature is in Forewarn-Content-Signature while Forewarn-Signature covers the sealed bytes;
the wrong key, a changed byte, a cut file fail to open; bad keys are refused with 400 naming the field; a
sealed fetch without a key, or after its removal, gets a clear error and records nothing; a sealed download is
recorded like any download (its log entry holds the plain copy's SHA-256, so its receipt checks the opened
copy).
"""
import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402
import sealbox  # noqa: E402
from signtools import parse_header, independent_verify as _verify  # noqa: E402

R = fwtest.Results()
check = R.check
NOW = time.time
ALL = ["summary", "details", "detection", "poc"]
TMP = tempfile.mkdtemp(prefix="fw-seal-")
SEALED = "application/octet-stream"


def independent_verify(pem, data, sig):
    return _verify(pem, data, sig, TMP)


def short(r):
    return "%d %r" % (r.status, r.body[:200])


def path(name):
    return os.path.join(TMP, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path(name)


def read(name):
    with open(path(name), "rb") as f:
        return f.read()


def fw(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOREWARN_")}
    r = subprocess.run([fwtest.FOREWARN] + list(args), capture_output=True, text=True, env=env)
    return r.returncode, r.stdout, r.stderr


def keygen(name):
    rc, out, err = fw("keygen", "--seal", path(name))
    check(rc == 0, "forewarn keygen --seal %s: %d %r" % (name, rc, err))
    sk = base64.b64decode(read(name + ".key").strip(), validate=True)
    pk = base64.b64decode(read(name + ".pub").strip(), validate=True)
    return sk, pk, out.strip()


def is_error(r, status, field=None, code=None):
    try:
        e = r.json()["error"]
    except Exception:
        return False
    return (r.status == status and e.get("status") == status and e.get("message") and
            (field is None or e.get("field") == field) and (code is None or e.get("code") == code))


def last_seq(s):
    evs = s.events()
    return evs[-1]["seq"] if evs else 0


class Ctx:
    pass


def main():
    return R.run_with_server(run, fwtest.Server(), cleanup=lambda: shutil.rmtree(TMP, ignore_errors=True))


def run(s):
    c = Ctx()
    c.s = s
    key = s.request("GET", "/api/v1/keys/signing").json()
    c.pem = key["public_key_pem"]
    c.signpub = os.path.join(s.data, "sign.pub")
    s.create_partner("acme", tier="vetted", entitlements=ALL)
    s.create_partner("beta", tier="vetted", entitlements=ALL)
    s.create_partner("std", tier="standard", entitlements=["summary", "details"])
    c.tok = {p: s.partner_token(p) for p in ("acme", "beta", "std")}
    c.adv = s.create_advisory(id="seal-a1", public_at=NOW() + 72 * 3600)["id"]
    test_keygen(c)
    test_no_key(c)
    test_bad_keys(c)
    test_register(c)
    test_sealed_round_trip(c)
    test_open_failures(c)
    test_sealed_access_rules(c)
    test_recorded(c)
    test_replace_and_remove(c)


# ---------------------------------------------------------------------------------------------------------
def test_keygen(c):
    c.sk, c.pk, kid = keygen("acme")
    check(len(c.sk) == 32 and len(c.pk) == 32, "keygen: 32-byte keys in base64")
    check(sealbox.public_key(c.sk) == c.pk, "keygen: OUT.pub is the X25519 public key of OUT.key (RFC 7748)")
    check(kid == hashlib.sha256(c.pk).hexdigest()[:16], "keygen prints the key id: %r" % kid)
    check(stat.S_IMODE(os.stat(path("acme.key")).st_mode) == 0o600, "keygen: OUT.key has mode 0600")
    before = read("acme.key")
    rc, out, err = fw("keygen", "--seal", path("acme"))
    check(rc == 2 and "exists" in err and read("acme.key") == before, "keygen never overwrites: %d %r" % (rc, err))
    rc, out, err = fw("keygen")
    check(rc == 2 and "--seal" in err, "keygen without --seal: exit 2: %d %r" % (rc, err))
    c.sk2, c.pk2, _ = keygen("other")


def test_no_key(c):
    s = c.s
    seq = last_seq(s)
    for p in ("/api/v1/inbox/%s?sealed=1" % c.adv, "/api/v1/inbox/%s/poc?sealed=true" % c.adv,
              "/api/v1/inbox/no-such-advisory?sealed=1"):
        r = s.request("GET", p, token=c.tok["acme"])
        check(is_error(r, 409, "sealed", "no_seal_key") and "PUT /api/v1/me/seal-key" in r.json()["error"]["message"],
              "GET %s without a registered key: 409 no_seal_key naming how to register one: %s" % (p, short(r)))
    mine = [e for e in s.events(seq) if e["actor"] == "partner:acme"]
    check(not mine, "a refused sealed fetch records nothing: %r" % mine[:2])
    r = s.request("GET", "/api/v1/me/seal-key", token=c.tok["acme"])
    check(is_error(r, 404), "GET /me/seal-key with none registered: 404: %s" % short(r))
    r = s.request("GET", "/api/v1/partners/acme/seal-key", token=s.admin)
    check(is_error(r, 404), "GET /partners/acme/seal-key with none: 404: %s" % short(r))
    for v in ("2", "yes", "", "1 "):
        r = s.request("GET", "/api/v1/inbox/%s?sealed=%s" % (c.adv, v.replace(" ", "%20")), token=c.tok["acme"])
        check(is_error(r, 400, "sealed"), "?sealed=%r: 400 naming sealed: %s" % (v, short(r)))
    for v in ("0", "false"):
        r = s.request("GET", "/api/v1/inbox/%s?sealed=%s" % (c.adv, v), token=c.tok["acme"])
        check(r.status == 200 and r.headers.get("Content-Type", "").startswith("application/json"),
              "?sealed=%s: the plain copy: %s" % (v, short(r)))
    rc, out, err = fw("inbox", c.adv, "--sealed", "-o", path("none.sealed"), "--token", c.tok["acme"], "--url",
                      s.url)
    check(rc == 1 and "409" in err and "sealing key" in err and not os.path.exists(path("none.sealed")),
          "forewarn inbox --sealed without a key: exit 1 with the server's reason, no file: %d %r" % (rc, err))


def test_bad_keys(c):
    s = c.s
    zero = base64.b64encode(bytes(32)).decode()
    order8 = base64.b64encode(bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")).decode()
    cases = [
        ("no public_key", {}, "public_key"),
        ("an unknown field", {"public_key": base64.b64encode(c.pk).decode(), "comment": "x"}, "comment"),
        ("not a string", {"public_key": 12}, "public_key"),
        ("not base64", {"public_key": "not base64 at all!"}, "public_key"),
        ("base64url", {"public_key": base64.urlsafe_b64encode(b"\xfb" * 32).decode()}, "public_key"),
        ("31 bytes", {"public_key": base64.b64encode(c.pk[:31]).decode()}, "public_key"),
        ("33 bytes", {"public_key": base64.b64encode(c.pk + b"\0").decode()}, "public_key"),
        ("hex", {"public_key": c.pk.hex()}, "public_key"),
        ("all zero", {"public_key": zero}, "public_key"),
        ("a point of order 8", {"public_key": order8}, "public_key"),
        ("too long", {"public_key": "A" * 5000}, "public_key"),
    ]
    for route, tok in (("/api/v1/me/seal-key", c.tok["acme"]), ("/api/v1/partners/acme/seal-key", s.admin)):
        seq = last_seq(s)
        for what, body, field in cases:
            r = s.request("PUT", route, body, token=tok)
            check(is_error(r, 400, field), "PUT %s with %s: 400 naming %r: %s" % (route, what, field, short(r)))
        for raw in (b"", b"{", b"[]", b'{"public_key":"a","public_key":"b"}'):
            r = s.request("PUT", route, raw=raw, token=tok)
            check(is_error(r, 400), "PUT %s with %r: 400: %s" % (route, raw, short(r)))
        check(s.request("GET", route, token=tok).status == 404, "%s: nothing registered by bad requests" % route)
        check(not [e for e in s.events(seq) if "seal_key" in e["type"]], "%s: no event for bad keys" % route)
    r = s.request("PUT", "/api/v1/partners/nobody/seal-key", {"public_key": base64.b64encode(c.pk).decode()},
                  token=s.admin)
    check(is_error(r, 404), "PUT for an unknown partner: 404: %s" % short(r))
    s.create_partner("gone", tier="vetted")
    s.admin_call("POST", "/api/v1/partners/gone/remove", {})
    r = s.request("PUT", "/api/v1/partners/gone/seal-key", {"public_key": base64.b64encode(c.pk).decode()},
                  token=s.admin)
    check(is_error(r, 409), "PUT for a removed partner: 409: %s" % short(r))


def test_register(c):
    s = c.s
    seq = last_seq(s)
    rc, out, err = fw("inbox", "--set-seal-key", path("acme.pub"), "--token", c.tok["acme"], "--url", s.url)
    kid = hashlib.sha256(c.pk).hexdigest()[:16]
    check(rc == 0 and "key_id:" in out and kid in out, "forewarn inbox --set-seal-key: %d %r %r" % (rc, out, err))
    mine = s.request("GET", "/api/v1/me/seal-key", token=c.tok["acme"])
    adm = s.request("GET", "/api/v1/partners/acme/seal-key", token=s.admin)
    j = mine.json()
    check(mine.status == 200 and set(j) == {"partner", "algorithm", "key_id", "public_key", "created_at"} and
          j["partner"] == "acme" and j["algorithm"] == "x25519" and j["key_id"] == kid and
          base64.b64decode(j["public_key"]) == c.pk, "GET /me/seal-key: %s" % short(mine))
    check(adm.status == 200 and adm.body == mine.body, "the operator sees the same key")
    check(s.request("GET", "/api/v1/me/seal-key", token=c.tok["beta"]).status == 404, "beta has no key")
    evs = [e for e in s.events(seq) if e["type"] == "partner.seal_key_set"]
    check(len(evs) == 1 and evs[0]["subject"] == "acme" and evs[0]["detail"].get("key_id") == kid and
          evs[0]["actor"] == "partner:acme", "the registration is an event with the key id: %r" % evs)
    # ... and in the transparency log, with the key id (a partner sees nobody swapped its key).
    entries = []
    log = s.request("GET", "/api/v1/log/entries?start=0&limit=1000", token=c.tok["acme"])
    if check(log.status == 200, "GET /log/entries: %s" % short(log)):
        for e in log.json()["entries"]:
            entries.append(json.loads(base64.b64decode(e["data"])))
    logged = [e for e in entries if e["type"] == "partner.seal_key_set"]
    check(len(logged) == 1 and logged[0]["detail"] == {"key_id": kid} and "acme" not in json.dumps(logged[0]),
          "the log entry carries the key id, and the partner only by reference: %r" % logged)
    rc, out, err = fw("inbox", "--show-seal-key", "--token", c.tok["acme"], "--url", s.url)
    check(rc == 0 and kid in out, "forewarn inbox --show-seal-key: %d %r" % (rc, out))
    rc, out, err = fw("partner", "seal-key", "acme", "--token", s.admin, "--url", s.url)
    check(rc == 0 and kid in out, "forewarn partner seal-key ID: %d %r" % (rc, out))


def sealed_get(c, what, pid="acme"):
    p = "/api/v1/inbox/%s%s?sealed=1" % (c.adv, "/poc" if what == "poc" else "")
    return c.s.request("GET", p, token=c.tok[pid])


def test_sealed_round_trip(c):
    s = c.s
    c.plain = {}
    for what in ("csaf", "poc"):
        plain = s.request("GET", "/api/v1/inbox/%s%s" % (c.adv, "/poc" if what == "poc" else ""), token=c.tok["acme"])
        check(plain.status == 200, "plain %s: %s" % (what, short(plain)))
        c.plain[what] = plain
        r1, r2 = sealed_get(c, what), sealed_get(c, what)
        if not check(r1.status == 200 and r2.status == 200, "sealed %s: %s %s" % (what, short(r1), short(r2))):
            continue
        check(r1.headers.get("Content-Type") == SEALED, "sealed %s: %s" % (what, r1.headers.get("Content-Type")))
        check(len(r1.body) == len(plain.body) + 48, "sealed %s: 48 bytes longer than the copy" % what)
        check(r1.body != r2.body and plain.body not in r1.body, "sealed %s: random each time, no plaintext" % what)
        check(r1.headers.get("Forewarn-Log-Index", "").isdigit(), "sealed %s: a log receipt index" % what)
        # Forewarn-Signature: of the sealed bytes; Forewarn-Content-Signature: the copy's own.
        hs, hc = parse_header(r1.headers.get("Forewarn-Signature")), parse_header(
            r1.headers.get("Forewarn-Content-Signature"))
        check(hs is not None and independent_verify(c.pem, r1.body, hs["sig"]),
              "sealed %s: Forewarn-Signature verifies over the exact sealed bytes (OpenSSL)" % what)
        check(hc is not None and r1.headers.get("Forewarn-Content-Signature") == plain.headers.get(
            "Forewarn-Signature"), "sealed %s: Forewarn-Content-Signature is the plain copy's signature" % what)
        # Opened by forewarn open, and by an independent implementation: exactly the plain copy.
        write("copy-%s.sealed" % what, r1.body)
        rc, out, err = fw("open", path("copy-%s.sealed" % what), "--secret-key", path("acme.key"), "-o",
                          path("opened-%s" % what))
        check(rc == 0 and read("opened-%s" % what) == plain.body,
              "forewarn open gives exactly the plain %s: %d %r" % (what, rc, err))
        check(stat.S_IMODE(os.stat(path("opened-%s" % what)).st_mode) == 0o600, "the opened copy has mode 0600")
        rc, out, err = fw("open", path("copy-%s.sealed" % what), "--secret-key", path("acme.key"))
        check(rc == 0 and out == plain.body.decode(), "forewarn open to standard output (%s)" % what)
        check(sealbox.seal_open(r2.body, c.pk, c.sk) == plain.body,
              "the pure-Python opener gives exactly the plain %s (the documented format)" % what)
        sig = write("copy-%s.sig" % what, s.request("GET", "/api/v1/inbox/%s%s/sig" % (
            c.adv, "/poc" if what == "poc" else ""), token=c.tok["acme"]).body)
        rc, out, err = fw("verify", path("opened-%s" % what), sig, "--key", c.signpub)
        check(rc == 0, "the opened %s verifies with its signature: %d %r" % (what, rc, err))
        hdr = write("sealed-%s.hdr" % what, r1.headers["Forewarn-Signature"])
        rc, out, err = fw("verify", path("copy-%s.sealed" % what), hdr, "--key", c.signpub)
        check(rc == 0, "forewarn verify checks the sealed bytes with the Forewarn-Signature header: %d %r" % (rc, err))
    rc, out, err = fw("inbox", c.adv, "--sealed", "-o", path("cli.sealed"), "--token", c.tok["acme"], "--url", s.url)
    rc2, out2, err2 = fw("open", path("cli.sealed"), "--secret-key", path("acme.key"))
    check(rc == 0 and rc2 == 0 and out2 == c.plain["csaf"].body.decode(),
          "forewarn inbox --sealed then forewarn open: the copy: %d %d %r %r" % (rc, rc2, err, err2))


def test_open_failures(c):
    sealed = read("copy-csaf.sealed")
    rc, out, err = fw("open", path("copy-csaf.sealed"), "--secret-key", path("other.key"))
    check(rc == 1 and not out and "not sealed to key" in err, "the wrong key does not open it: %d %r" % (rc, err))
    check(sealbox.seal_open(sealed, c.pk2, c.sk2) is None, "nor does it in the pure-Python opener")
    for i in (0, 40, len(sealed) - 1):
        bad = bytearray(sealed)
        bad[i] ^= 1
        write("bad.sealed", bytes(bad))
        rc, out, err = fw("open", path("bad.sealed"), "--secret-key", path("acme.key"))
        check(rc == 1 and not out, "a byte changed at %d: exit 1, nothing written: %d %r" % (i, rc, err))
    write("short.sealed", sealed[:47])
    rc, out, err = fw("open", path("short.sealed"), "--secret-key", path("acme.key"))
    check(rc == 1 and "too few" in err, "47 bytes: too few for a sealed box: %d %r" % (rc, err))
    write("cut.sealed", sealed[:-1])
    rc, out, err = fw("open", path("cut.sealed"), "--secret-key", path("acme.key"))
    check(rc == 1, "a cut sealed copy: exit 1: %d %r" % (rc, err))
    shutil.copy(path("acme.key"), path("open.key"))
    os.chmod(path("open.key"), 0o644)
    rc, out, err = fw("open", path("copy-csaf.sealed"), "--secret-key", path("open.key"))
    check(rc == 2 and "0600" in err, "a secret key readable by others is refused: %d %r" % (rc, err))
    write("notakey.key", "hello\n")
    os.chmod(path("notakey.key"), 0o600)
    for args, what in ([[path("copy-csaf.sealed")], "no --secret-key"],
                       [[path("copy-csaf.sealed"), "--secret-key", path("notakey.key")], "not a key"],
                       [[path("copy-csaf.sealed"), "--secret-key", path("nope.key")], "a missing key"],
                       [[path("nope.sealed"), "--secret-key", path("acme.key")], "a missing file"]):
        rc, out, err = fw("open", *args)
        check(rc == 2 and err, "forewarn open, %s: exit 2: %d %r" % (what, rc, err))


def test_sealed_access_rules(c):
    """With a key registered, a sealed fetch of what the partner may not see is the same 404, recording nothing."""
    s = c.s
    nothing = s.request("GET", "/api/v1/inbox/no-such-advisory", token=c.tok["std"])
    _, pk, _ = keygen("std")
    s.admin_call("PUT", "/api/v1/partners/std/seal-key", {"public_key": base64.b64encode(pk).decode()})
    seq = last_seq(s)
    for p in ("/api/v1/inbox/%s?sealed=1" % c.adv, "/api/v1/inbox/%s/poc?sealed=1" % c.adv,
              "/api/v1/inbox/no-such-advisory?sealed=1"):
        r = s.request("GET", p, token=c.tok["std"])
        check(r.status == 404 and r.body == nothing.body, "std, %s: 404 like a nonexistent advisory: %s" % (p, short(r)))
    mine = [e for e in s.events(seq) if e["actor"] == "partner:std"]
    check(not mine, "refused sealed fetches record nothing: %r" % mine[:2])


def test_recorded(c):
    """A sealed download is a download: recorded first, marked sealed for the operator, its receipt checks the
    opened copy."""
    s = c.s
    seq = last_seq(s)
    r = sealed_get(c, "csaf")
    dl = [e for e in s.events(seq) if e["type"] == "download" and e["actor"] == "partner:acme"]
    check(len(dl) == 1 and dl[0]["detail"].get("sealed") == "true" and dl[0]["detail"].get("what") == "csaf",
          "the sealed download is an event marked sealed: %r" % dl)
    check(dl and dl[0]["detail"].get("sha256") == hashlib.sha256(c.plain["csaf"].body).hexdigest(),
          "its SHA-256 is the plain copy's (what the partner holds once opened)")
    idx = r.headers.get("Forewarn-Log-Index")
    rec = s.request("GET", "/api/v1/log/receipt?index=%s" % idx, token=c.tok["acme"])
    write("sealed.receipt", rec.body)
    with open(os.path.join(s.data, "log.pub")) as f:
        logpub = f.read().strip()
    write("opened-now", sealbox.seal_open(r.body, c.pk, c.sk) or b"")
    rc, out, err = fw("log", "verify-receipt", path("sealed.receipt"), "--copy", path("opened-now"), "--key", logpub)
    check(rc == 0 and "is the one logged" in out, "the receipt of a sealed download checks the opened copy: %d %r %r"
          % (rc, out, err))
    rows = s.admin_call("GET", "/api/v1/advisories/%s/deliveries?partner=acme" % c.adv)["downloads"]
    check(len(rows) >= 5, "the deliveries report lists the sealed downloads too: %d" % len(rows))


def test_replace_and_remove(c):
    s = c.s
    # The operator replaces the key: the old secret key no longer opens what is sealed now.
    rc, out, err = fw("partner", "seal-key", "acme", path("other.pub"), "--token", s.admin, "--url", s.url)
    check(rc == 0 and hashlib.sha256(c.pk2).hexdigest()[:16] in out, "forewarn partner seal-key ID FILE: %d %r"
          % (rc, err))
    r = sealed_get(c, "csaf")
    check(r.status == 200 and sealbox.seal_open(r.body, c.pk, c.sk) is None and
          sealbox.seal_open(r.body, c.pk2, c.sk2) == c.plain["csaf"].body,
          "after a replacement, copies are sealed to the new key only")
    # The partner removes it: sealed fetches get the clear error again.
    seq = last_seq(s)
    r = s.request("DELETE", "/api/v1/me/seal-key", token=c.tok["acme"])
    check(r.status == 204 and not r.body, "DELETE /me/seal-key: 204: %s" % short(r))
    r = sealed_get(c, "csaf")
    check(is_error(r, 409, "sealed", "no_seal_key"), "after removal: 409 no_seal_key: %s" % short(r))
    r = s.request("DELETE", "/api/v1/me/seal-key", token=c.tok["acme"])
    check(is_error(r, 404), "DELETE again: 404: %s" % short(r))
    evs = [e for e in s.events(seq) if e["type"].startswith("partner.seal_key")]
    check([e["type"] for e in evs] == ["partner.seal_key_removed"] and
          evs[0]["detail"].get("key_id") == hashlib.sha256(c.pk2).hexdigest()[:16],
          "the removal is an event naming the removed key: %r" % evs)
    # The operator's removal, and the CLI's.
    s.admin_call("PUT", "/api/v1/partners/beta/seal-key", {"public_key": base64.b64encode(c.pk).decode()})
    check(sealed_get(c, "csaf", "beta").status == 200, "beta: sealed fetch with a key")
    rc, out, err = fw("partner", "seal-key", "beta", "--remove", "--token", s.admin, "--url", s.url)
    check(rc == 0 and "removed" in out, "forewarn partner seal-key ID --remove: %d %r" % (rc, err))
    check(is_error(sealed_get(c, "csaf", "beta"), 409, "sealed"), "beta: after the operator removed it: 409")
    r = s.request("DELETE", "/api/v1/partners/beta/seal-key", token=s.admin)
    check(is_error(r, 404), "the operator's DELETE with none left: 404: %s" % short(r))
    rc, out, err = fw("inbox", "--set-seal-key", path("acme.pub"), "--token", c.tok["acme"], "--url", s.url)
    rc2, out2, err2 = fw("inbox", "--remove-seal-key", "--token", c.tok["acme"], "--url", s.url)
    check(rc == 0 and rc2 == 0 and s.request("GET", "/api/v1/me/seal-key", token=c.tok["acme"]).status == 404,
          "forewarn inbox --set-seal-key then --remove-seal-key: %d %d %r" % (rc, rc2, err2))
    rc, out, err = fw("inbox", c.adv, "--remove-seal-key", "--token", c.tok["acme"], "--url", s.url)
    check(rc == 2, "--remove-seal-key with an ID: bad usage: %d %r" % (rc, err))


if __name__ == "__main__":
    sys.exit(main())
