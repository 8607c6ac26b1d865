"""HTTPS and partners' client certificates, driven with curl as a partner would (docs/security.md).

(1) Serving: HTTPS with the pair `forewarn init` made (curl --cacert DIR/tls.crt), the peer verified; plain
    HTTP to the HTTPS port gets nothing; --plain-http is refused on a non-loopback address, a data directory
    without TLS files is refused, a key that does not fit its certificate or that others can read is refused
    by `serve --check`.
(2) Registering certificates (PEM as is, JSON PEM, JSON fingerprint in any case with colons) and the errors.
(3) The matrix, each by curl: a registered certificate alone authenticates its partner (mode any or cert);
    token+cert: token alone 401, cert alone 401, both 200; mode token: cert alone 401; an unregistered,
    expired, not yet valid or revoked certificate 401 (alone and with a good token); partner A's certificate
    with partner B's token 401; a certificate never opens admin routes; suspended and removed partners as
    with tokens (200 with only what is public / 401).
(4) Checked on every request: on one keep-alive TLS connection, a certificate revoked between two requests
    is refused on the second; likewise a mode change.
(5) Embargo: a certificate-authenticated partner sees exactly what its token would (byte-identical copies,
    the same 404s).
(6) Refusals are events (cert.refused with the reason); registrations, revocations and mode changes too.
(7) The forewarn client over HTTPS: --cacert / FOREWARN_CACERT, --cert/--key without a token.
(8) Whole answers on one keep-alive TLS connection: small answers (a copy, its signature, a 404), whose header
    and body the server sends together, alternate with answers too large for that (a 40 KB copy, 120 KB of
    advisories); every one complete, byte-identical each time, promptly, on the same connection.
(9) However the bytes arrive (the server reads TLS records through a buffer of its own and, after a recorded
    download, skips a read, lib/tls/session_io.c), on raw TLS connections every request is answered, whole,
    in order, promptly: requests pipelined in one TLS record and in back-to-back records (downloads among
    them); a request sent while the download before it is being recorded; 16 connections of 100 downloads,
    each asked for the moment the answer before it is read; a request after an idle pause following a
    download; a request dribbled in one-byte records; a request larger than the read buffer (a 20 KB body,
    in a 16 KB record and the rest, and in 5 KB records).
"""
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time

import fwtest

res = fwtest.Results()
check = res.check
CURL = shutil.which("curl")
OPENSSL = shutil.which("openssl")
CERTTOOL = shutil.which("certtool")


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


class Certs:
    """Client certificates made with openssl (valid ones) and certtool (given validity periods)."""

    def __init__(self, d):
        self.dir = d

    def make(self, name, days=30):
        crt, key = os.path.join(self.dir, name + ".crt"), os.path.join(self.dir, name + ".key")
        r = run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key, "-out", crt, "-subj", "/CN=" + name, "-days", str(days)])
        if r.returncode:
            raise RuntimeError("openssl: " + r.stderr)
        return crt, key

    def make_dated(self, name, start, end):
        """A certificate valid from start to end ("YYYY-MM-DD HH:MM:SS", UTC), with certtool."""
        crt, key = os.path.join(self.dir, name + ".crt"), os.path.join(self.dir, name + ".key")
        tmpl = os.path.join(self.dir, name + ".tmpl")
        with open(tmpl, "w") as f:
            f.write('cn = "%s"\ntls_www_client\nsigning_key\nactivation_date = "%s"\nexpiration_date = "%s"\n'
                    % (name, start, end))
        r = run([CERTTOOL, "--generate-privkey", "--key-type", "ecdsa", "--outfile", key])
        if r.returncode == 0:
            r = run([CERTTOOL, "--generate-self-signed", "--load-privkey", key, "--template", tmpl,
                     "--outfile", crt])
        if r.returncode:
            raise RuntimeError("certtool: " + r.stderr)
        return crt, key


def fingerprint(crt):
    out = run([OPENSSL, "x509", "-in", crt, "-noout", "-fingerprint", "-sha256"]).stdout
    return out.strip().split("=", 1)[1]  # "AB:CD:..." upper case with colons


def canon(fp):
    return "sha256:" + fp.replace(":", "").lower()


class Curl:
    """curl against one server: returns (status, body); status 0 when curl itself failed (exit code in .rc)."""

    def __init__(self, s):
        self.s = s
        self.rc = 0
        self.err = ""

    def __call__(self, path, token=None, cert=None, method="GET", data=None, cacert=True, scheme=None):
        args = [CURL, "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", method, "--max-time", "20"]
        if cacert:
            args += ["--cacert", self.s.cacert]
        if token:
            args += ["-H", "Authorization: Bearer " + token]
        if cert:
            args += ["--cert", cert[0], "--key", cert[1]]
        if data is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", data]
        url = "%s://127.0.0.1:%d%s" % (scheme or "https", self.s.port, path)
        r = run(args + [url])
        self.rc, self.err = r.returncode, r.stderr
        body, _, code = r.stdout.rpartition("\n")
        try:
            return int(code), body
        except ValueError:
            return 0, body


def jmsg(body):
    try:
        return json.loads(body)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return ""


# ---------------------------------------------------------------------------------------------------------
def test_serving(s, curl, tmp):
    st, body = curl("/api/v1/health")
    check(st == 200 and json.loads(body) == {"status": "ok"}, "(1) HTTPS with curl --cacert DIR/tls.crt: %d %r"
          % (st, body))
    st, _ = curl("/api/v1/health", cacert=False)
    check(st == 0 and curl.rc == 60, "(1) without --cacert curl refuses the self-signed peer (exit 60): rc %d"
          % curl.rc)
    st, _ = curl("/api/v1/health", scheme="http")
    check(st == 0 and curl.rc != 0, "(1) plain HTTP to the HTTPS port gets no answer: %d (curl exit %d)"
          % (st, curl.rc))
    r = run(["openssl", "x509", "-in", s.cacert, "-noout", "-ext", "subjectAltName"])
    check("127.0.0.1" in r.stdout and "localhost" in r.stdout, "(1) tls.crt names 127.0.0.1 and localhost: %r"
          % r.stdout)
    mode = stat.S_IMODE(os.stat(os.path.join(s.data, "tls.key")).st_mode)
    check(mode == 0o600, "(1) tls.key is mode 0600: %o" % mode)

    fw = fwtest.FOREWARN
    r = run([fw, "serve", "--data", s.data, "--listen", "0.0.0.0:0", "--plain-http"])
    check(r.returncode == 2 and "loopback" in r.stderr, "(1) --plain-http on 0.0.0.0 refused: %d %r"
          % (r.returncode, r.stderr))
    r = run([fw, "serve", "--data", s.data, "--listen", "127.0.0.1:0", "--check"])
    check(r.returncode == 0 and "https://127.0.0.1" in r.stdout, "(1) serve --check with the init pair: %r"
          % (r.stdout + r.stderr))
    r = run([fw, "serve", "--data", s.data, "--listen", "127.0.0.1:0", "--plain-http", "--check"])
    check(r.returncode == 0 and "http://127.0.0.1" in r.stdout, "(1) serve --check --plain-http on loopback")

    bare = os.path.join(tmp, "bare")
    run([fw, "init", bare, "--quiet"])
    os.unlink(os.path.join(bare, "tls.crt"))
    r = run([fw, "serve", "--data", bare, "--listen", "127.0.0.1:0", "--check"])
    check(r.returncode == 1 and "no TLS certificate" in r.stderr and "--plain-http" in r.stderr,
          "(1) no TLS files and no --plain-http: a clear error: %d %r" % (r.returncode, r.stderr))
    other = os.path.join(tmp, "other.key")
    run([OPENSSL, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", other])
    os.chmod(other, 0o600)
    r = run([fw, "serve", "--data", s.data, "--listen", "127.0.0.1:0", "--check", "--tls-cert", s.cacert,
             "--tls-key", other])
    check(r.returncode == 1 and "does not fit" in r.stderr, "(1) a key that is not the certificate's: %r"
          % r.stderr)
    os.chmod(other, 0o644)
    r = run([fw, "serve", "--data", s.data, "--listen", "127.0.0.1:0", "--check", "--tls-cert", s.cacert,
             "--tls-key", other])
    check(r.returncode == 1 and "readable by other users" in r.stderr, "(1) a world-readable key: %r" % r.stderr)
    r = run([fw, "serve", "--data", s.data, "--listen", "127.0.0.1:0", "--check", "--tls-cert", s.cacert])
    check(r.returncode == 2, "(1) --tls-cert without --tls-key is bad usage")


# ---------------------------------------------------------------------------------------------------------
def register(s, pid, body, raw=False):
    if raw:
        return s.request("POST", "/api/v1/partners/%s/certs" % pid, raw=body, token=s.admin)
    return s.request("POST", "/api/v1/partners/%s/certs" % pid, body, token=s.admin)


def set_auth(s, pid, mode):
    return s.admin_call("PUT", "/api/v1/partners/%s/auth" % pid, {"auth": mode})


def revoke(s, pid, fp):
    return s.request("POST", "/api/v1/partners/%s/certs/%s/revoke" % (pid, fp), token=s.admin)


def test_register(s, C):
    for p in ("pa", "pb", "both", "tokonly", "certonly", "susp", "gone", "std"):
        s.create_partner(p, tier="standard" if p == "std" else "vetted")
    pem = open(C["a"][0], "rb").read()
    r = register(s, "pa", pem, raw=True)
    check(r.status == 201 and r.json()["fingerprint"] == canon(fingerprint(C["a"][0])) and
          r.json()["subject"] == "CN=a" and r.json()["not_after"] and r.json()["revoked_at"] is None,
          "(2) a PEM body registers the certificate: %r" % r)
    r = register(s, "pa", {"certificate": open(C["a2"][0]).read()})
    check(r.status == 201, "(2) JSON {certificate: PEM} registers: %r" % r)
    r = register(s, "pb", {"fingerprint": "SHA256:" + fingerprint(C["b"][0])})
    check(r.status == 201 and r.json()["fingerprint"] == canon(fingerprint(C["b"][0])) and
          r.json()["not_after"] is None, "(2) JSON {fingerprint} with colons, upper case: %r" % r)
    for pid, name in (("both", "both"), ("tokonly", "tok"), ("certonly", "certonly"), ("susp", "susp"),
                      ("gone", "gone"), ("std", "std"), ("pa", "ka")):
        r = register(s, pid, open(C[name][0], "rb").read(), raw=True)
        check(r.status == 201, "(2) register %s for %s: %r" % (name, pid, r))
    # Certificates outside their validity period can only be registered by fingerprint (for these tests).
    for name in ("expired", "future"):
        r = register(s, "pa", {"fingerprint": fingerprint(C[name][0])})
        check(r.status == 201, "(2) register %s by fingerprint: %r" % (name, r))
    r = register(s, "pa", {"certificate": open(C["expired"][0]).read()})
    check(r.status == 400 and r.json()["error"]["field"] == "certificate" and "expired" in jmsg(r.body.decode()),
          "(2) an expired PEM is refused, naming the field: %r" % r)

    def bad(what, pid, body, status, field, raw=False):
        r = register(s, pid, body, raw=raw)
        err = r.json().get("error", {}) if r.body else {}
        check(r.status == status and (field is None or err.get("field") == field),
              "(2) %s: %d %r (expected %d, field %r)" % (what, r.status, r.body[:200], status, field))

    bad("the same certificate again", "pa", pem, 409, "fingerprint", raw=True)
    bad("another partner's certificate", "pb", pem, 409, "fingerprint", raw=True)
    bad("a short fingerprint", "pa", {"fingerprint": "sha256:abcd"}, 400, "fingerprint")
    bad("a fingerprint that is not hex", "pa", {"fingerprint": "sha256:" + "zz" * 32}, 400, "fingerprint")
    bad("both fields", "pa", {"fingerprint": "sha256:" + "ab" * 32, "certificate": "x"}, 400, None)
    bad("neither field", "pa", {}, 400, "certificate")
    bad("an unknown field", "pa", {"pem": "x"}, 400, "pem")
    bad("a PEM that is not a certificate", "pa", {"certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                                  "-----END CERTIFICATE-----\n"}, 400, "certificate")
    bad("garbage as PEM", "pa", b"-----BEGIN nonsense", 400, "certificate", raw=True)
    bad("malformed JSON", "pa", b"{", 400, None, raw=True)
    bad("an unknown partner", "nobody", {"fingerprint": "sha256:" + "ab" * 32}, 404, None)
    r = s.request("POST", "/api/v1/partners/pa/certs", {"fingerprint": "sha256:" + "ab" * 32},
                  token=s.partner_token("pa"))
    check(r.status == 403, "(2) a partner token cannot register certificates: %d" % r.status)
    r = s.request("GET", "/api/v1/partners/pa/certs")
    check(r.status == 401, "(2) listing needs a token: %d" % r.status)
    lst = s.admin_call("GET", "/api/v1/partners/pa/certs")
    check(lst["auth"] == "any" and len(lst["certs"]) == 5, "(2) GET certs lists pa's five: %r" % lst)
    r = s.request("PUT", "/api/v1/partners/pa/auth", {"auth": "password"}, token=s.admin)
    check(r.status == 400 and r.json()["error"]["field"] == "auth", "(2) an unknown mode is 400 naming auth")
    r = s.request("PUT", "/api/v1/partners/pa/auth", {"mode": "cert"}, token=s.admin)
    check(r.status == 400 and r.json()["error"]["field"] == "mode", "(2) an unknown field is 400 naming it")
    r = s.request("GET", "/api/v1/partners/nobody/auth", token=s.admin)
    check(r.status == 404, "(2) the mode of an unknown partner: 404")
    r = revoke(s, "pa", "sha256:" + "ab" * 32)
    check(r.status == 404, "(2) revoking an unknown fingerprint: %d" % r.status)
    r = revoke(s, "pb", canon(fingerprint(C["a"][0])))
    check(r.status == 404, "(2) revoking another partner's certificate: %d" % r.status)
    r = revoke(s, "pa", "not-a-fingerprint")
    check(r.status == 400 and r.json()["error"]["field"] == "fingerprint", "(2) a bad fingerprint in the path")


# ---------------------------------------------------------------------------------------------------------
def test_matrix(s, curl, C, tok):
    def expect(what, status, path="/api/v1/inbox", token=None, cert=None, msg=None):
        st, body = curl(path, token=token, cert=cert)
        ok = st == status and (msg is None or msg in jmsg(body))
        check(ok, "(3) %s: %d %s (expected %d%s)" % (what, st, body[:160] or curl.err[:160], status,
                                                    ", %r" % msg if msg else ""))
        return body

    body = expect("cert alone (mode any)", 200, "/api/v1/me", cert=C["a"])
    check(json.loads(body or "{}").get("partner", {}).get("id") == "pa", "(3) /me names the certificate's partner")
    expect("a second registered cert of pa", 200, cert=C["a2"])
    expect("token alone (mode any)", 200, token=tok["pa"])
    expect("token and its partner's cert", 200, token=tok["pa"], cert=C["a"])
    expect("no token, no cert", 401, msg="bearer token")
    expect("cert alone on an admin route", 401, "/api/v1/partners", cert=C["a"])
    expect("cert alone on a log route", 200, "/api/v1/log/checkpoint", cert=C["a"])

    set_auth(s, "both", "token+cert")
    expect("token+cert: token alone", 401, token=tok["both"], msg="client certificate")
    expect("token+cert: cert alone", 401, cert=C["both"], msg="bearer token")
    expect("token+cert: both", 200, token=tok["both"], cert=C["both"])
    expect("token+cert: token with another partner's cert", 401, token=tok["both"], cert=C["a"])

    set_auth(s, "tokonly", "token")
    expect("mode token: cert alone", 401, cert=C["tok"])
    expect("mode token: token alone", 200, token=tok["tokonly"])
    expect("mode token: token and its cert", 200, token=tok["tokonly"], cert=C["tok"])

    set_auth(s, "certonly", "cert")
    expect("mode cert: token alone", 401, token=tok["certonly"], msg="client certificate")
    expect("mode cert: cert alone", 200, cert=C["certonly"])
    expect("mode cert: both", 200, token=tok["certonly"], cert=C["certonly"])

    expect("an unregistered cert", 401, cert=C["c"], msg="not accepted")
    expect("an unregistered cert with a good token", 401, token=tok["pa"], cert=C["c"])
    expect("an expired cert (registered)", 401, cert=C["expired"], msg="expired")
    expect("an expired cert with a good token", 401, token=tok["pa"], cert=C["expired"])
    expect("a cert not valid yet (registered)", 401, cert=C["future"], msg="not valid yet")
    expect("partner A's cert with partner B's token", 401, token=tok["pb"], cert=C["a"])
    expect("partner B's cert with partner A's token", 401, token=tok["pa"], cert=C["b"])
    expect("an admin token with a partner cert on an admin route", 200, "/api/v1/partners", token=s.admin,
           cert=C["a"])

    r = revoke(s, "pa", canon(fingerprint(C["a2"][0])))
    check(r.status == 200 and r.json()["revoked_at"], "(3) revoke a2: %r" % r)
    expect("a revoked cert", 401, cert=C["a2"], msg="not accepted")
    expect("a revoked cert with its partner's token", 401, token=tok["pa"], cert=C["a2"])
    r = revoke(s, "pa", canon(fingerprint(C["a2"][0])))
    check(r.status == 404, "(3) revoking it again: 404")
    r = register(s, "pa", open(C["a2"][0], "rb").read(), raw=True)
    check(r.status == 409, "(3) a revoked certificate cannot be registered again: %d" % r.status)
    expect("pa's other cert still works", 200, cert=C["a"])

    # Suspended: authenticates, sees only what is public, as with its token; removed: 401 as with its token.
    s.admin_call("POST", "/api/v1/partners/susp/suspend", {"reason": "test"})
    by_cert = expect("suspended partner, cert", 200, cert=C["susp"])
    by_tok = expect("suspended partner, token", 200, token=tok["susp"])
    check(by_cert == by_tok, "(3) a suspended partner's inbox is the same by cert and by token")
    s.admin_call("POST", "/api/v1/partners/gone/remove", {"reason": "test"})
    expect("removed partner, cert", 401, cert=C["gone"])
    expect("removed partner, token", 401, token=tok["gone"])
    r = register(s, "gone", {"fingerprint": "sha256:" + "cd" * 32})
    check(r.status == 409, "(3) no certificate can be registered for a removed partner: %d" % r.status)


# ---------------------------------------------------------------------------------------------------------
def test_keepalive(s, C):
    fp = canon(fingerprint(C["ka"][0]))
    ctx = s.ssl_context(C["ka"])
    conn = http.client.HTTPSConnection("127.0.0.1", s.port, timeout=20, context=ctx)
    statuses, socks = [], []
    for i in range(3):
        if i == 1:
            r = revoke(s, "pa", fp)
            check(r.status == 200, "(4) revoke between requests: %d" % r.status)
        conn.request("GET", "/api/v1/inbox")
        r = conn.getresponse()
        r.read()
        statuses.append(r.status)
        socks.append(id(conn.sock))
    check(statuses == [200, 401, 401], "(4) one connection: 200 before the revocation, 401 after: %r" % statuses)
    check(len(set(socks)) == 1 and conn.sock is not None, "(4) all three requests on the same TLS connection")
    conn.close()

    # A mode change between two requests on one connection applies to the second.
    conn = http.client.HTTPSConnection("127.0.0.1", s.port, timeout=20, context=s.ssl_context(C["a"]))
    statuses = []
    for mode in ("any", "token+cert", "any"):
        set_auth(s, "pa", mode)
        conn.request("GET", "/api/v1/inbox")
        r = conn.getresponse()
        r.read()
        statuses.append(r.status)
    check(statuses == [200, 401, 200], "(4) mode changes apply on the same connection: %r" % statuses)
    conn.close()


# ---------------------------------------------------------------------------------------------------------
def test_whole_answers(s):
    s.create_partner("ka-whole")
    tok = s.partner_token("ka-whole")
    small = s.create_advisory(public_at=time.time() + 48 * 3600)["id"]
    big = s.create_advisory(public_at=time.time() + 48 * 3600,
                            parts={"summary": "Summary.", "details": "Long details line.\n" * 2200})["id"]
    for i in range(40):
        s.create_advisory(public_at=time.time() + 48 * 3600, title="Listed advisory %d %s" % (i, "x" * 100))
    ka = fwtest.KeepAlive(s)
    plan = [("/api/v1/inbox/%s" % small, tok, 200), ("/api/v1/inbox/%s/sig" % small, tok, 200),
            ("/api/v1/inbox/fw-1999-9999", tok, 404), ("/api/v1/inbox/%s" % big, tok, 200),
            ("/api/v1/advisories", s.admin, 200), ("/api/v1/inbox", tok, 200)]
    first, bad, slow, socks = {}, [], [], set()
    for rnd in range(8):
        for path, token, want in plan:
            t0 = time.time()
            r = ka.request("GET", path, token=token)
            took = time.time() - t0
            socks.add(id(ka.conn.sock) if ka.conn else None)
            length = int(r.headers.get("Content-Length", "-1"))
            if r.status != want or length != len(r.body) or first.setdefault(path, r.body) != r.body:
                bad.append((rnd, path, r.status, length, len(r.body)))
            if took > 2:
                slow.append((rnd, path, round(took, 2)))
    sizes = {p: len(b) for p, b in first.items()}
    check(not bad, "(8) every answer whole and identical each time: %r" % bad[:5])
    check(not slow, "(8) every answer prompt (under 2 s): %r" % slow[:5])
    check(len(socks) == 1 and ka.requests == 8 * len(plan), "(8) all %d requests on one TLS connection: %d, %d"
          % (8 * len(plan), len(socks), ka.requests))
    check(sizes["/api/v1/inbox/%s" % small] < 12 * 1024 < sizes["/api/v1/inbox/%s" % big]
          and sizes["/api/v1/advisories"] > 12 * 1024, "(8) small and large answers both covered: %r" % sizes)
    ka.close()


class RawTLS:
    """One TLS connection whose records the test makes (through memory BIOs) and writes to the socket as it
    chooses: several records in one write, or one write per record. Its HTTP/1.1 answers are read one by one."""

    def __init__(self, s):
        self.raw = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = s.ssl_context().wrap_bio(self.inc, self.out, server_hostname="127.0.0.1")
        self.buf = b""
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                self._receive()
        self._flush()

    def _flush(self):
        data = self.out.read()
        if data:
            self.raw.sendall(data)

    def _receive(self):
        data = self.raw.recv(65536)
        if not data:
            raise ConnectionError("closed by the server")
        self.inc.write(data)

    def send(self, *records):
        """Each argument one TLS record (or more, past 16 KB), all of them in one write to the socket."""
        for r in records:
            self.tls.write(r)
        self._flush()

    def _more(self):
        while True:
            try:
                chunk = self.tls.read(65536)
                if not chunk:
                    raise ConnectionError("closed by the server")
                self.buf += chunk
                return
            except ssl.SSLWantReadError:
                self._receive()

    def answer(self):
        """(status, body) of the next answer; raises socket.timeout after 5 s without one."""
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            k, _, v = line.partition(":")
            if k.strip().lower() == "content-length":
                length = int(v)
        while len(self.buf) < length:
            self._more()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, body

    def close(self):
        self.raw.close()


def get(path, tok):
    return ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n" % (path, tok)).encode()


def test_reads(s):
    s.create_partner("reads")
    tok = s.partner_token("reads")
    adv = s.create_advisory(public_at=time.time() + 48 * 3600)["id"]
    copy_path, sig_path = "/api/v1/inbox/%s" % adv, "/api/v1/inbox/%s/sig" % adv
    want = s.request("GET", copy_path, token=tok)
    check(want.status == 200, "(9) the copy: %d" % want.status)
    c = RawTLS(s)
    try:
        reqs = [get(copy_path, tok), get(sig_path, tok), get(copy_path, tok), get("/api/v1/inbox", tok)]
        for records in ("one TLS record", "four TLS records"):
            c.send(b"".join(reqs)) if records.startswith("one") else c.send(*reqs)  # one write to the socket
            got = [c.answer() for _ in range(4)]
            check([g[0] for g in got] == [200, 200, 200, 200] and got[0][1] == want.body == got[2][1]
                  and b"signature" in got[1][1] and b'"advisories"' in got[3][1],
                  "(9) four requests pipelined in %s, two of them downloads: answered whole and in order: %r"
                  % (records, [(g[0], len(g[1])) for g in got]))

        c.send(get(copy_path, tok))
        time.sleep(0.005)  # while that download is recorded
        c.send(get(copy_path, tok))
        got = [c.answer() for _ in range(2)]
        check([g[0] for g in got] == [200, 200] and got[0][1] == got[1][1] == want.body,
              "(9) a request sent while the download before it is recorded: %r" % [g[0] for g in got])

        # Each request sent the moment the answer before it is read, on 16 connections at once: it may
        # reach the server while the event loop is still busy with the others.
        def back_to_back(out):
            conn = RawTLS(s)
            try:
                for _ in range(100):
                    conn.send(get(copy_path, tok))
                    if conn.answer() != (200, want.body):
                        break
                    out.append(1)
            except OSError:
                pass
            finally:
                conn.close()
        done = [[] for _ in range(16)]
        threads = [threading.Thread(target=back_to_back, args=(d,)) for d in done]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(all(len(d) == 100 for d in done), "(9) 16 connections of 100 downloads back to back, each answered "
              "within 5 s: %r" % sorted(len(d) for d in done))

        for pause in (0.3, 1.2):
            c.send(get(copy_path, tok))
            first = c.answer()
            time.sleep(pause)
            t0 = time.time()
            c.send(get(sig_path, tok))
            second = c.answer()
            check(first == (200, want.body) and second[0] == 200 and time.time() - t0 < 2,
                  "(9) after a download and %.1f s idle, the next request answered at once: %d, %d, %.2f s"
                  % (pause, first[0], second[0], time.time() - t0))

        t0 = time.time()
        for b in get(copy_path, tok):
            c.send(bytes([b]))  # a TLS record and a write per byte
        status, body = c.answer()
        check(status == 200 and body == want.body and time.time() - t0 < 5,
              "(9) a request in one-byte records: %d" % status)

        big = {"title": "Large request", "cves": ["CVE-2026-1235"], "products": ["Example"],
               "public_at": fwtest.rfc3339(time.time() + 48 * 3600),
               "parts": {"summary": "s" * 20000, "details": "Details."}}
        data = json.dumps(big).encode()
        req = ("POST /api/v1/advisories HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (s.admin, len(data))).encode()
        c.send(req + data)  # two records (16 KB, then the rest): more than the server's read buffer
        first = c.answer()
        c.send(req)
        for i in range(0, len(data), 5000):
            c.send(data[i:i + 5000])  # a write each
        second = c.answer()
        check(first[0] == 201 and second[0] == 201 and json.loads(first[1])["id"] != json.loads(second[1])["id"],
              "(9) a 20 KB body in 16 KB and 5 KB records: %d, %d" % (first[0], second[0]))
        c.send(get(copy_path, tok))
        status, body = c.answer()
        check(status == 200 and body == want.body, "(9) then a download on the same connection: %d" % status)
    except (OSError, ValueError) as e:
        check(False, "(9) the raw TLS connection failed: %r" % e)
    finally:
        c.close()


# ---------------------------------------------------------------------------------------------------------
def test_embargo(s, curl, C, tok):
    now = time.time()
    s.create_advisory(public_at=now + 48 * 3600, id="tls-adv")  # vetted partners now, standard ones in 24 h
    for pid, cert, visible in (("pa", C["a"], True), ("std", C["std"], False)):
        st_t, body_t = curl("/api/v1/inbox/tls-adv", token=tok[pid])
        st_c, body_c = curl("/api/v1/inbox/tls-adv", cert=cert)
        check(st_t == st_c == (200 if visible else 404) and body_t == body_c,
              "(5) %s: the copy by cert is the copy by token: %d/%d, same bytes %s" % (pid, st_t, st_c,
                                                                                   body_t == body_c))
        st_t, body_t = curl("/api/v1/inbox", token=tok[pid])
        st_c, body_c = curl("/api/v1/inbox", cert=cert)
        check(st_t == st_c == 200 and body_t == body_c, "(5) %s: the same inbox by cert and by token" % pid)
    st, body = curl("/api/v1/inbox/tls-adv/poc", cert=C["a"])
    check(st == 404, "(5) pa is not entitled to the PoC, by cert either: %d" % st)


# ---------------------------------------------------------------------------------------------------------
def test_events(s):
    ev = s.admin_call("GET", "/api/v1/events?limit=100000")["events"]
    reasons = {e["detail"].get("reason") for e in ev if e["type"] == "cert.refused"}
    for want in ("unregistered", "expired", "not_yet_valid", "revoked", "other_partner", "missing",
                 "token_required", "removed"):
        check(want in reasons, "(6) a cert.refused event with reason %s (have %s)" % (want, sorted(reasons)))
    refused = [e for e in ev if e["type"] == "cert.refused"]
    check(all(e["detail"].get("address") == "127.0.0.1" for e in refused), "(6) refusals name the address")
    presented = [e for e in refused if e["detail"].get("reason") not in ("missing", "token_required")]
    check(presented and all(re.fullmatch(r"sha256:[0-9a-f]{64}", e["detail"].get("certificate", ""))
                            for e in presented),
          "(6) refusals of a presented certificate name its fingerprint: %r" % presented[:2])
    types = {e["type"] for e in ev}
    for t in ("cert.registered", "cert.revoked", "partner.auth_changed"):
        check(t in types, "(6) %s events are recorded" % t)
    entries = s.admin_call("GET", "/api/v1/log/entries?start=0&end=100000")["entries"]
    import base64
    blob = b"\n".join(base64.b64decode(e["data"]) for e in entries)
    check(b"127.0.0.1" not in blob and b'"pa"' not in blob, "(6) the log holds neither addresses nor partner ids")


# ---------------------------------------------------------------------------------------------------------
def test_client(s, C, tok):
    fw = fwtest.FOREWARN
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOREWARN_")}
    base = [fw, "inbox", "--url", s.url]
    r = run(base + ["--cacert", s.cacert, "--cert", C["a"][0], "--key", C["a"][1], "--json"], env=env)
    check(r.returncode == 0 and '"advisories"' in r.stdout, "(7) forewarn inbox with --cacert --cert --key and no "
          "token: %d %r" % (r.returncode, r.stderr))
    r = run(base + ["--token", tok["pa"]], env=env)
    check(r.returncode == 1 and "cannot reach" in r.stderr, "(7) without --cacert the self-signed server is not "
          "trusted: %r" % r.stderr)
    env2 = dict(env, FOREWARN_CACERT=s.cacert, FOREWARN_CERT=C["a"][0], FOREWARN_KEY=C["a"][1])
    r = run(base + ["--json"], env=env2)
    check(r.returncode == 0, "(7) FOREWARN_CACERT, FOREWARN_CERT, FOREWARN_KEY: %r" % r.stderr)
    r = run(base + ["--cacert", s.cacert, "--cert", C["c"][0], "--key", C["c"][1]], env=env)
    check(r.returncode == 1 and "401" in r.stderr, "(7) an unregistered certificate: 401 reported: %r" % r.stderr)
    r = run(base + ["--cacert", s.cacert, "--key", C["a"][1]], env=env)
    check(r.returncode == 2, "(7) --key without --cert is bad usage")
    r = run([fw, "partner", "list", "--url", s.url, "--cacert", s.cacert, "--token", s.admin], env=env)
    check(r.returncode == 0 and "pa" in r.stdout, "(7) admin commands over HTTPS: %r" % r.stderr)
    r = run([fw, "inbox", "--help"], env=env)
    check("--cacert" in r.stdout and "--cert" in r.stdout, "(7) --help documents --cacert and --cert")


def main():
    if not (CURL and OPENSSL and CERTTOOL):
        print("FAIL: curl, openssl and certtool (gnutls-bin) are needed: scripts/install-deps.sh --test")
        res.check(False, "tools present")
        return res.finish()
    tmp = tempfile.mkdtemp(prefix="fw-tls-")
    srv = fwtest.Server(tls=True)
    try:
        certs = Certs(tmp)
        C = {n: certs.make(n) for n in ("a", "a2", "b", "c", "both", "tok", "certonly", "susp", "gone", "std",
                                        "ka")}
        C["expired"] = certs.make_dated("expired", "2020-01-01 00:00:00", "2020-02-01 00:00:00")
        C["future"] = certs.make_dated("future", "2099-01-01 00:00:00", "2099-02-01 00:00:00")
        srv.start()
        curl = Curl(srv)
        test_serving(srv, curl, tmp)
        test_register(srv, C)
        tok = {p: srv.partner_token(p) for p in ("pa", "pb", "both", "tokonly", "certonly", "susp", "gone", "std")}
        test_matrix(srv, curl, C, tok)
        test_keepalive(srv, C)
        set_auth(srv, "pa", "any")
        test_embargo(srv, curl, C, tok)
        test_events(srv)
        test_client(srv, C, tok)
        test_whole_answers(srv)
        test_reads(srv)
        alive = srv.proc and srv.proc.poll() is None
        check(alive, "the server is still running at the end")
    except Exception as e:  # report, never hide: the closing line must still be printed
        import traceback
        traceback.print_exc()
        check(False, "the test raised %r (server log: %s/server.log)" % (e, srv.dir))
    finally:
        srv.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
