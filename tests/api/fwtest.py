"""Shared fixture of the API tests: a real `forewarn` server on a loopback port, and a small HTTP client.

Each test module creates a data directory with `forewarn init`, starts `forewarn serve` on 127.0.0.1 with
port 0 (the server prints the port it chose), and talks HTTP to it with the standard library only: plain HTTP
on loopback (--plain-http) by default, HTTPS with the data directory's self-signed certificate for
Server(tls=True), where requests may also present a client certificate (cert=(certfile, keyfile)).
"""
import base64
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

FOREWARN = os.environ.get("FOREWARN_BIN", "forewarn")
SHARED = os.environ.get("FW_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "Response(%d, %r)" % (self.status, self.body[:300])


class Server:
    """A forewarn server on a fresh data directory. Use as a context manager or call start()/stop()."""

    def __init__(self, init_args=(), serve_args=(), data_dir=None, tls=False):
        self.init_args = list(init_args)
        self.serve_args = list(serve_args)
        self.tls = tls
        self.owned_dir = data_dir is None
        self.dir = data_dir or tempfile.mkdtemp(prefix="fw-api-")
        self.data = os.path.join(self.dir, "data")
        self.proc = None
        self.port = None
        self.admin = None
        self.log = None

    def init(self):
        out = subprocess.run([FOREWARN, "init", self.data, "--quiet"] + self.init_args,
                             check=True, capture_output=True, text=True).stdout
        self.admin = out.strip().splitlines()[0]
        return out

    def start(self, port=0):
        if not os.path.exists(os.path.join(self.data, "forewarn.db")):
            self.init()
        self.log = open(os.path.join(self.dir, "server.log"), "ab")
        # Tests send many bad tokens from 127.0.0.1 on purpose: the failed-authentication limit stays on (its
        # counting runs) but so high that it never locks them out, unless a test sets it (test_abuse.py).
        limit = [] if any(a.startswith("--auth-fail-limit") for a in self.serve_args) else \
            ["--auth-fail-limit", "1000000"]
        self.proc = subprocess.Popen(
            [FOREWARN, "serve", "--data", self.data, "--listen", "127.0.0.1:%d" % (port or self.port or 0),
             "--quiet"] + ([] if self.tls else ["--plain-http"]) + limit + self.serve_args,
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"https?://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("server did not start: %r (see %s/server.log)" % (line, self.dir))
        self.port = int(m.group(1))
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc = None
        if self.log:
            self.log.close()
            self.log = None

    def kill(self):
        """kill -9: the process dies at once, wherever it is."""
        self.stop(signal.SIGKILL)

    def cleanup(self):
        self.stop()
        if self.owned_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    @property
    def cacert(self):
        """The self-signed certificate `forewarn init` made: what clients trust (curl --cacert)."""
        return os.path.join(self.data, "tls.crt")

    def ssl_context(self, cert=None):
        """A client TLS context trusting the server's certificate; cert=(certfile, keyfile) to present one."""
        ctx = ssl.create_default_context(cafile=self.cacert)
        if cert:
            ctx.load_cert_chain(cert[0], cert[1])
        return ctx

    def request(self, method, path, body=None, token=None, raw=None, headers=None, cert=None):
        """Sends one request; `body` is JSON-encoded, `raw` is sent as is. Never raises on HTTP errors.
        cert=(certfile, keyfile): the client certificate to present (HTTPS servers only)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30,
                                        context=self.ssl_context(cert) if self.tls else None) as r:
                return Response(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read())

    # Admin conveniences: each asserts success and returns the decoded answer.
    def admin_call(self, method, path, body=None, expect=(200, 201, 204)):
        r = self.request(method, path, body, token=self.admin)
        if r.status not in expect:
            raise AssertionError("%s %s -> %d %s" % (method, path, r.status, r.body[:500]))
        return r.json() if r.body else None

    def create_partner(self, pid, tier="vetted", country="US", entitlements=None, **extra):
        body = {"id": pid, "name": "Partner " + pid, "country": country, "tier": tier}
        if entitlements is not None:
            body["entitlements"] = entitlements
        body.update(extra)
        return self.admin_call("POST", "/api/v1/partners", body)

    def events(self, after=0):
        """Every event after sequence number `after`, in order, fetched a page of 1000 at a time."""
        out = []
        while True:
            evs = self.admin_call("GET", "/api/v1/events?after=%d&limit=1000" % after)["events"]
            if not evs:
                return out
            out += evs
            after = evs[-1]["seq"]

    def log_entries(self):
        """Every entry of the log, decoded, in order, fetched a page at a time."""
        out = []
        while True:
            page = self.admin_call("GET", "/api/v1/log/entries?start=%d" % len(out))
            out += [base64.b64decode(e["data"]) for e in page["entries"]]
            if len(out) >= page["size"] or not page["entries"]:
                return out

    def partner_token(self, pid):
        return self.admin_call("POST", "/api/v1/partners/%s/tokens" % pid)["token"]

    def create_advisory(self, public_at=None, parts=None, **extra):
        body = {"title": "Test advisory", "cves": ["CVE-2026-1234"], "products": ["Example Product 1.0"],
                "cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "parts": parts or {"summary": "Summary text.", "details": "Details text.",
                                   "detection": "Detection text.", "poc": "print('poc')\n"}}
        if public_at is not None:
            body["public_at"] = public_at if isinstance(public_at, str) else rfc3339(public_at)
        body.update(extra)
        return self.admin_call("POST", "/api/v1/advisories", body)


def rfc3339(t):
    """RFC 3339 UTC for an epoch time in seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def parse_rfc3339(s):
    import calendar
    return calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) + (
        float("0" + s[19:-1]) if s[19:20] == "." else 0)


class Results:
    """Counts checks and prints the closing 'N passed, N failed' line CI reads."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what, flush=True)
        return cond

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0

    def run_with_server(self, run, server=None, cleanup=None):
        """Starts `server` (a Server; Server() by default), calls run(server), and finishes: an exception is a
        failed check naming the server's log, the server must still be running at the end, then the server
        and whatever cleanup() removes go. Returns finish()."""
        srv = server or Server()
        try:
            srv.start()
            run(srv)
        except Exception:
            import traceback
            traceback.print_exc()
            self.check(False, "the test raised an exception (server log: %s/server.log)" % srv.dir)
        finally:
            self.check(srv.proc is not None and srv.proc.poll() is None, "the server is still running at the end")
            srv.cleanup()
            if cleanup:
                cleanup()
        return self.finish()


class KeepAlive:
    """One persistent HTTP/1.1 connection (http.client) to a Server, for tests that send many requests
    (HTTPS for a Server(tls=True), presenting the client certificate cert=(certfile, keyfile) if given).

    request() and admin_call() answer like Server.request() and Server.admin_call(). If the server closed the
    connection while it was idle (it drops idle connections after 30 s), the request is sent again once on a new
    connection; a connection that fails on its first request raises. Not thread-safe: one per thread.
    """

    def __init__(self, server, timeout=30, cert=None):
        self.server = server
        self.timeout = timeout
        self.cert = cert
        self.conn = None
        self.used = False
        self.requests = 0

    def _connect(self):
        import http.client
        self.close()
        if self.server.tls:
            self.conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=self.timeout,
                                                    context=self.server.ssl_context(self.cert))
        else:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.timeout)
        self.used = False

    def close(self):
        if self.conn:
            self.conn.close()
        self.conn = None

    def request(self, method, path, body=None, token=None, raw=None, headers=None):
        import http.client
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = "Bearer " + token
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self._connect()
            reused = self.used
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                r = self.conn.getresponse()
                out = Response(r.status, dict(r.getheaders()), r.read())
                self.used = True
                self.requests += 1
                if (r.getheader("Connection") or "").lower() == "close":
                    self.close()
                return out
            except (http.client.RemoteDisconnected, http.client.CannotSendRequest, ConnectionResetError,
                    BrokenPipeError):
                self.close()
                if attempt or not reused:
                    raise

    def admin_call(self, method, path, body=None, expect=(200, 201, 204)):
        r = self.request(method, path, body, token=self.server.admin)
        if r.status not in expect:
            raise AssertionError("%s %s -> %d %s" % (method, path, r.status, r.body[:500]))
        return r.json() if r.body else None
