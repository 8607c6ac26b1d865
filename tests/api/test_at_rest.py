#!/usr/bin/env python3
"""
Encryption at rest (docs/security.md): a copy of the data directory without its data key reveals nothing
embargoed, and the key can be rotated, kill -9 included.

(a) Advisories with a distinct marker in every embargoed field and part (a revision, a CSAF import, a draft, a
    public one), released and downloaded: no marker in any file of the data directory (but the key) while the
    server runs, after kill -9 and after a clean stop; the operator and the partner still read them.
(b) Rotation: `forewarn data-key rotate` re-encrypts; the searches still find nothing, nor the old
    ciphertexts; copies are byte-identical; the old key is refused with a message naming the data key; the
    rotation is refused while a server runs.
(c) The key: FOREWARN_DATA_KEY (hex, base64) instead of the file, and wiped from the server's environment; a key
    file of mode 0644, a wrong key, a missing key, a malformed FOREWARN_DATA_KEY: refused, naming the data key;
    rotation with FOREWARN_NEW_DATA_KEY; init with FOREWARN_DATA_KEY writes no key file.
(d) kill -9 at each step of a rotation (test hook FOREWARN_TEST_CRASH_AT) and at random moments: afterwards the
    server opens, every value decrypts, and nothing embargoed is in the files.
(e) A database written in clear before encryption at rest is refused with a message that says so.

Environment: FOREWARN_BIN, FW_SEED.
"""
import base64
import json
import os
import random
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402

H = 3600
PARTS = ("summary", "details", "detection", "poc")
SEED = int(os.environ.get("FW_SEED", secrets.randbelow(1 << 30)))
rng = random.Random(SEED)
res = fwtest.Results()
ALL_MARKERS = []


def marker(what):
    m = "ATREST%s%s" % (what.upper(), "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12)))
    ALL_MARKERS.append(m)
    return m


def marked_fields(tag):
    """An advisory body with a marker in every embargoed field and part."""
    cve = "CVE-2031-%07d" % rng.randrange(1000000, 9999999)
    vector = "CVSS:3.1/AV:%s/AC:H/PR:%s/UI:R/S:C/C:L/I:%s/A:N" % (rng.choice("ALP"), rng.choice("LH"),
                                                                     rng.choice("LN"))
    ALL_MARKERS.extend([cve, vector])
    return {"title": "%s advisory" % marker(tag + "title"), "cves": [cve],
            "products": ["%s 1.0" % marker(tag + "product"), "%s 2.0" % marker(tag + "producttwo")],
            "cvss_v3": vector,
            "parts": {p: "%s text of the %s.\n" % (marker(tag + p), p) for p in PARTS}}


def data_files(data):
    """Every file of the data directory but the key files."""
    return [os.path.join(data, f) for f in sorted(os.listdir(data)) if not f.startswith("data.key")]


def search(data, what, needles=None):
    """Checks that no marker (or needle) is in any file of the data directory; returns the hits."""
    hits = []
    files = data_files(data)
    for path in files:
        with open(path, "rb") as f:
            blob = f.read()
        for m in needles if needles is not None else ALL_MARKERS:
            mb = m if isinstance(m, bytes) else m.encode()
            if mb in blob:
                hits.append((os.path.basename(path), m if isinstance(m, str) else m.hex()[:24]))
    res.check(not hits, "%s: embargoed bytes found in the data directory: %s" % (what, hits[:6]))
    return files


def run(args, env=None, timeout=60):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([fwtest.FOREWARN] + args, capture_output=True, text=True, env=e, timeout=timeout)


def serve_fails(data, env=None, what=""):
    """Starts a server that must refuse to start; returns its standard error."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen([fwtest.FOREWARN, "serve", "--data", data, "--listen", "127.0.0.1:0", "--quiet"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
    try:
        out, err = p.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        res.check(False, "%s: the server started (%s)" % (what, out.strip()))
        return err
    res.check(p.returncode == 1 and "listening" not in out, "%s: exit %s, %r" % (what, p.returncode, out))
    return err


def start(srv, env=None):
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        srv.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class World:
    """The advisories the test made and what the operator and the partner must read back."""

    def __init__(self, srv):
        self.srv = srv
        self.expected = {}   # id -> admin view fields
        self.copies = {}     # (id, what) -> bytes of the partner's copy

    def remember(self, aid):
        a = self.srv.admin_call("GET", "/api/v1/advisories/" + aid)
        self.expected[aid] = {k: a.get(k) for k in ("title", "cves", "products", "cvss_v3", "cvss_score",
                                                    "cvss_severity", "parts", "revision", "status")}
        self.expected[aid]["notes"] = [r["note"] for r in self.srv.admin_call(
            "GET", "/api/v1/advisories/%s/revisions" % aid)["revisions"]]

    def check_reads(self, what, token=None):
        """The operator reads every advisory as remembered; the partner gets byte-identical copies."""
        bad = []
        for aid, exp in self.expected.items():
            r = self.srv.request("GET", "/api/v1/advisories/" + aid, token=self.srv.admin)
            if r.status != 200:
                bad.append((aid, r.status))
                continue
            a = r.json()
            got = {k: a.get(k) for k in exp if k != "notes"}
            got["notes"] = [x["note"] for x in self.srv.admin_call(
                "GET", "/api/v1/advisories/%s/revisions" % aid)["revisions"]]
            if got != exp:
                bad.append((aid, {k: (got[k], exp[k]) for k in exp if got[k] != exp[k]}))
        res.check(not bad, "%s: the operator's reads differ: %s" % (what, str(bad)[:600]))
        if token:
            for (aid, kind), body in self.copies.items():
                r = self.srv.request("GET", "/api/v1/inbox/%s%s" % (aid, "/poc" if kind == "poc" else ""),
                                     token=token)
                res.check(r.status == 200 and r.body == body, "%s: the partner's %s copy of %s changed (%d)"
                          % (what, kind, aid, r.status))


def read_key(data):
    with open(os.path.join(data, "data.key"), "rb") as f:
        return f.read()


def write_key(data, raw, mode=0o600):
    path = os.path.join(data, "data.key")
    if os.path.exists(path):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.write(fd, raw)
    os.close(fd)
    os.chmod(path, mode)


def sealed_blobs(data):
    """The sealed bytes of every embargoed column (without their common header), read with the server down."""
    db = sqlite3.connect(os.path.join(data, "forewarn.db"))
    try:
        out = []
        for row in db.execute("SELECT title, cves, products, cvss_v3 FROM advisories"):
            out.extend(bytes(v)[5:] for v in row if isinstance(v, bytes))
        for row in db.execute("SELECT note, summary, details, detection, poc FROM revisions"):
            out.extend(bytes(v)[5:] for v in row if isinstance(v, bytes))
        return out
    finally:
        db.close()


# ---------------------------------------------------------------------------------------------------------------
def test_no_plaintext_and_rotation():
    print("(a) nothing embargoed in the files; (b) rotation")
    srv = fwtest.Server()
    srv.start()
    w = World(srv)
    data = srv.data
    try:
        srv.create_partner("vet-1", tier="vetted", country="US", entitlements=list(PARTS))
        tok = srv.partner_token("vet-1")
        T = time.time() + 2 * H
        # A: created, then revised with new markers in every field and a revision note.
        body = marked_fields("a1")
        body.update({"id": "adv-a", "public_at": fwtest.rfc3339(T), "note": marker("anoteone")})
        srv.admin_call("POST", "/api/v1/advisories", body)
        rev = marked_fields("a2")
        rev["note"] = marker("anotetwo")
        srv.admin_call("POST", "/api/v1/advisories/adv-a/revisions", rev)
        # B: a CSAF import with markers in its title, summary note and product name.
        ex = os.path.join(fwtest.SHARED, "csaf", "examples", "2022-evd-uc-01-a-001.json")
        if os.path.exists(ex):
            with open(ex) as f:
                doc = json.load(f)
            doc["document"]["title"] = marker("csaftitle")
            doc["document"]["notes"][0]["text"] = marker("csafsummary") + " imported summary."
            doc["product_tree"]["branches"][0]["branches"][0]["branches"][0]["product"]["name"] = marker("csafproduct")
            srv.admin_call("POST", "/api/v1/advisories", {"id": "adv-b", "csaf": doc, "public_at": fwtest.rfc3339(T)})
        else:
            print("  skip the CSAF import: no %s" % ex)
        # C: a draft; D: made public at once.
        body = marked_fields("c")
        body["id"] = "adv-c"
        srv.admin_call("POST", "/api/v1/advisories", body)
        body = marked_fields("d")
        body.update({"id": "adv-d", "public_at": fwtest.rfc3339(T)})
        srv.admin_call("POST", "/api/v1/advisories", body)
        srv.admin_call("POST", "/api/v1/advisories/adv-d/publish")
        ids = [a["id"] for a in srv.admin_call("GET", "/api/v1/advisories")["advisories"]]
        for aid in ids:
            w.remember(aid)
        # The partner downloads its copies (the release is recorded first); they carry the markers.
        end = time.time() + 5
        while time.time() < end:
            if srv.request("GET", "/api/v1/inbox/adv-a", token=tok).status == 200:
                break
            time.sleep(0.05)
        for aid in [x for x in ("adv-a", "adv-b", "adv-d") if x in ids]:
            for kind in ("csaf", "poc"):
                r = srv.request("GET", "/api/v1/inbox/%s%s" % (aid, "/poc" if kind == "poc" else ""), token=tok)
                if kind == "poc" and aid == "adv-b":
                    continue  # the CSAF example has no PoC
                res.check(r.status == 200, "partner copy %s %s: %r" % (aid, kind, r))
                w.copies[(aid, kind)] = r.body
        exp = w.expected["adv-a"]
        res.check(exp["title"] == rev["title"] and exp["cves"] == rev["cves"] and exp["products"] == rev["products"]
                  and exp["cvss_v3"] == rev["cvss_v3"] and exp["parts"] == rev["parts"] and
                  exp["notes"][1] == rev["note"], "the operator reads adv-a's revision back: %s" % str(exp)[:300])
        copy = w.copies.get(("adv-a", "csaf"), b"").decode("utf-8", "replace")
        found = [m for m in (rev["title"].split()[0], rev["parts"]["summary"].split()[0],
                             rev["parts"]["details"].split()[0], rev["cves"][0]) if m in copy]
        res.check(len(found) == 4, "the partner's copy of adv-a carries the revision's text: %s" % found)
        res.check(rev["parts"]["poc"].split()[0].encode() in w.copies.get(("adv-a", "poc"), b""),
                  "the partner's PoC of adv-a")
        print("  %d advisories, %d markers, %d copies downloaded" % (len(ids), len(ALL_MARKERS), len(w.copies)))

        files = search(data, "while the server runs")
        res.check(any(f.endswith("-wal") for f in files), "the search covers the WAL: %s" % files)
        srv.kill()
        search(data, "after kill -9")
        srv.start()
        w.check_reads("after kill -9", tok)
        srv.stop()
        files = search(data, "after a clean stop")
        print("  searched %s: none of the markers" % ", ".join(os.path.basename(f) for f in files))

        # (b) Rotation, offline.
        start(srv)
        r = run(["data-key", "rotate", "--data", data])
        res.check(r.returncode == 1 and "running server" in r.stderr, "rotation while serving refused: %s %r"
                  % (r.returncode, r.stderr))
        srv.stop()
        old_key = read_key(data)
        old_blobs = sealed_blobs(data)
        r = run(["data-key", "rotate", "--data", data])
        res.check(r.returncode == 0 and "Rotated the data key" in r.stdout, "rotate: %s %r %r"
                  % (r.returncode, r.stdout, r.stderr))
        new_key = read_key(data)
        res.check(new_key != old_key and len(new_key) == 32 and
                  not os.path.exists(os.path.join(data, "data.key.new")) and
                  (os.stat(os.path.join(data, "data.key")).st_mode & 0o777) == 0o600,
                  "the key file was replaced by a new 0600 key, nothing left beside it")
        search(data, "after the rotation")
        search(data, "old ciphertexts after the rotation", old_blobs)
        print("  %s %d old ciphertexts searched for: none left" % (r.stdout.splitlines()[0].split(": ", 1)[-1],
                                                                  len(old_blobs)))
        r = run(["data-key", "verify", "--data", data])
        res.check(r.returncode == 0 and "open with the data key" in r.stdout, "verify: %r %r" % (r.stdout, r.stderr))
        start(srv)
        w.check_reads("after the rotation", tok)
        evs = srv.admin_call("GET", "/api/v1/events?limit=100000")["events"]
        rot = [e for e in evs if e["type"] == "data_key.rotated"]
        res.check(len(rot) == 1 and rot[0]["actor"] == "data-key", "the rotation is an event: %s" % rot)
        srv.stop()
        # The old key: refused, with a message naming the data key.
        write_key(data, old_key)
        err = serve_fails(data, what="the old key")
        res.check("data key" in err and "does not open this database" in err, "old key message: %r" % err)
        r = run(["data-key", "verify", "--data", data])
        res.check(r.returncode == 1 and "data key" in r.stderr, "verify with the old key: %r" % r.stderr)
        write_key(data, new_key)

        # (c) The key's forms and the refusals.
        test_key_forms(srv, w, tok, new_key)
    finally:
        srv.cleanup()


def test_key_forms(srv, w, tok, key):
    print("(c) the key: FOREWARN_DATA_KEY, permissions, wrong and missing keys")
    data = srv.data
    # mode 0644: refused
    os.chmod(os.path.join(data, "data.key"), 0o644)
    err = serve_fails(data, what="key file 0644")
    res.check("data key" in err and "0600" in err, "0644 message: %r" % err)
    os.chmod(os.path.join(data, "data.key"), 0o600)
    # a wrong key
    write_key(data, os.urandom(32))
    err = serve_fails(data, what="a wrong key")
    res.check("data key" in err and "does not open" in err, "wrong key message: %r" % err)
    # no key at all
    os.unlink(os.path.join(data, "data.key"))
    err = serve_fails(data, what="no key")
    res.check("data key" in err and "no such file" in err and "FOREWARN_DATA_KEY" in err, "missing key: %r" % err)
    # FOREWARN_DATA_KEY in hex, the file absent: serves, and the variable is gone from its environment
    start(srv, {"FOREWARN_DATA_KEY": key.hex()})
    w.check_reads("FOREWARN_DATA_KEY in hex", tok)
    with open("/proc/%d/environ" % srv.proc.pid, "rb") as f:
        environ = f.read()
    res.check(key.hex().encode() not in environ and b"FOREWARN_DATA_KEY=\0" in environ,
              "the key is wiped from the server's environment (/proc/PID/environ)")
    srv.stop()
    b64 = base64.b64encode(key).decode()
    r = run(["serve", "--data", data, "--check"], {"FOREWARN_DATA_KEY": b64})
    res.check(r.returncode == 0, "FOREWARN_DATA_KEY in base64: %r" % r.stderr)
    for bad in ("not-a-key", key.hex()[:-1], b64.rstrip("="), key.hex() + "00"):
        err = serve_fails(data, {"FOREWARN_DATA_KEY": bad}, "FOREWARN_DATA_KEY=%s..." % bad[:8])
        res.check("FOREWARN_DATA_KEY is not a data key" in err, "malformed FOREWARN_DATA_KEY: %r" % err)
    # rotation with both keys in the environment: no key file written
    r = run(["data-key", "generate"])
    new_hex = r.stdout.strip()
    res.check(r.returncode == 0 and len(new_hex) == 64 and all(c in "0123456789abcdef" for c in new_hex),
              "data-key generate: %r" % r.stdout)
    r = run(["data-key", "rotate", "--data", data], {"FOREWARN_DATA_KEY": key.hex()})
    res.check(r.returncode == 1 and "FOREWARN_NEW_DATA_KEY" in r.stderr, "env rotation without a new key: %r"
              % r.stderr)
    r = run(["data-key", "rotate", "--data", data], {"FOREWARN_DATA_KEY": key.hex(), "FOREWARN_NEW_DATA_KEY": new_hex})
    res.check(r.returncode == 0 and not os.path.exists(os.path.join(data, "data.key")) and
              not os.path.exists(os.path.join(data, "data.key.new")), "env rotation: %r %r" % (r.stdout, r.stderr))
    err = serve_fails(data, {"FOREWARN_DATA_KEY": key.hex()}, "the old key in FOREWARN_DATA_KEY")
    res.check("FOREWARN_DATA_KEY does not open this database" in err, "old env key: %r" % err)
    search(data, "after the env rotation")
    # back to a key file, with the new key
    write_key(data, bytes.fromhex(new_hex))
    start(srv)
    w.check_reads("the env-rotated key as a file", tok)
    srv.stop()
    # init with a malformed FOREWARN_DATA_KEY: refused before anything is made
    d = os.path.join(srv.dir, "badinit")
    r = run(["init", d, "--quiet"], {"FOREWARN_DATA_KEY": "0123"})
    res.check(r.returncode == 1 and "FOREWARN_DATA_KEY is not a data key" in r.stderr and not os.listdir(d),
              "init with a malformed FOREWARN_DATA_KEY: %r %s" % (r.stderr, os.listdir(d) if os.path.isdir(d) else ""))
    # init with FOREWARN_DATA_KEY: no key file; the key is needed to serve
    d = os.path.join(srv.dir, "envinit")
    r = run(["init", d, "--quiet", "--demo"], {"FOREWARN_DATA_KEY": new_hex})
    res.check(r.returncode == 0 and not os.path.exists(os.path.join(d, "data.key")), "init with FOREWARN_DATA_KEY: %r"
              % r.stderr)
    r = run(["data-key", "verify", "--data", d], {"FOREWARN_DATA_KEY": new_hex})
    res.check(r.returncode == 0, "verify the env-init directory: %r" % r.stderr)
    err = serve_fails(d, what="env-init directory without the key")
    res.check("data key" in err, "env-init without the key: %r" % err)


# ---------------------------------------------------------------------------------------------------------------
def test_kill_during_rotation():
    print("(d) kill -9 during a rotation")
    srv = fwtest.Server()
    srv.start()
    w = World(srv)
    data = srv.data
    try:
        srv.create_partner("vet-1", tier="vetted", country="US", entitlements=list(PARTS))
        tok = srv.partner_token("vet-1")
        T = time.time() + 2 * H
        big = "x" * 200000
        for i in range(30):
            body = marked_fields("k%d" % i)
            body["id"] = "kill-%02d" % i
            body["public_at"] = fwtest.rfc3339(T)
            body["parts"]["details"] += big  # a rotation that takes a while
            srv.admin_call("POST", "/api/v1/advisories", body)
            if i % 5 == 0:
                rv = marked_fields("k%dr" % i)
                rv["note"] = marker("k%dnote" % i)
                srv.admin_call("POST", "/api/v1/advisories/kill-%02d/revisions" % i, rv)
        for aid in [a["id"] for a in srv.admin_call("GET", "/api/v1/advisories")["advisories"]]:
            w.remember(aid)
        for aid in ("kill-00", "kill-07"):
            r = srv.request("GET", "/api/v1/inbox/" + aid, token=tok)
            res.check(r.status == 200, "copy of %s: %r" % (aid, r))
            w.copies[(aid, "csaf")] = r.body
        srv.stop()

        def finished_count():
            with open(os.path.join(srv.dir, "server.log"), errors="replace") as f:
                return f.read().count("finished an interrupted data key rotation")

        def after(what):
            """The server opens first (finishing what the rotation left), then every value is checked."""
            start(srv)
            w.check_reads(what, tok)
            srv.stop()
            r = run(["data-key", "verify", "--data", data])
            res.check(r.returncode == 0 and not r.stderr, "%s: verify: %r" % (what, r.stderr))
            res.check(not os.path.exists(os.path.join(data, "data.key.new")) or read_key(data) == key,
                      "%s: a data.key.new the database needs is left" % what)
            search(data, what)

        key = read_key(data)
        took = {}
        for step in ("key-written", "rekeying", "committed", "renamed", "purged"):
            old_blobs = sealed_blobs(data)
            t0 = time.time()
            r = run(["data-key", "rotate", "--data", data], {"FOREWARN_TEST_CRASH_AT": step})
            took[step] = time.time() - t0
            res.check(r.returncode == -signal.SIGKILL, "rotation killed at %s: %s %r" % (step, r.returncode, r.stderr))
            new_file = os.path.exists(os.path.join(data, "data.key.new"))
            if step in ("key-written", "rekeying", "committed"):
                res.check(new_file, "killed at %s: data.key.new is there" % step)
            before = read_key(data)
            finished = finished_count()
            after("killed at " + step)
            now = read_key(data)
            rotated = now != key
            if rotated:  # the purge the rotation did, or the server's start did for it
                search(data, "killed at %s: old ciphertexts" % step, old_blobs)
            res.check(rotated == (step not in ("key-written", "rekeying")),
                      "killed at %s: the key %s" % (step, "changed" if rotated else "did not change"))
            if step == "committed":
                res.check(before == key and not os.path.exists(os.path.join(data, "data.key.new")) and
                          finished_count() == finished + 1,
                          "killed after the commit: the server's start renamed data.key.new over data.key")
            print("  killed at %-11s -> %s; the server opened and every value decrypted"
                  % (step, "rotated" if rotated else "not rotated"))
            key = now
        # and at random moments, mostly before the commit (the purge after it takes the longest)
        span = took["committed"] * 1.3
        outcomes = []
        for i in range(8):
            p = subprocess.Popen([fwtest.FOREWARN, "data-key", "rotate", "--data", data, "--quiet"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            at = rng.uniform(0, span)
            time.sleep(at)
            p.send_signal(signal.SIGKILL)
            p.wait()
            pending = os.path.exists(os.path.join(data, "data.key.new"))
            after("random kill %d at %.0f ms" % (i, at * 1000))
            now = read_key(data)
            outcomes.append("%.0f ms: %s" % (at * 1000, "finished" if p.returncode == 0 else
                                             "rotated" if now != key else
                                             "rolled back" if pending else "not begun"))
            key = now
        print("  a rotation commits after about %.0f ms and ends after %.0f ms; kill -9 at random moments: %s"
              % (took["committed"] * 1000, took["purged"] * 1000, "; ".join(outcomes)))
    finally:
        srv.cleanup()


# ---------------------------------------------------------------------------------------------------------------
def test_clear_database_refused():
    print("(e) a database from before encryption at rest")
    srv = fwtest.Server()
    try:
        srv.init()
        db = sqlite3.connect(os.path.join(srv.data, "forewarn.db"))
        db.execute("DELETE FROM meta WHERE key = 'data_key_id'")
        db.execute("INSERT INTO advisories(id, title, cves, products, cvss_v3, cvss_severity, status, public_at,"
                   " created_at, updated_at, revision) VALUES('old', 'Old title', '', '', '', '', 0, 0, 1, 1, 1)")
        db.commit()
        db.close()
        err = serve_fails(srv.data, what="a database in clear")
        res.check("stored in clear" in err and "before encryption at rest" in err, "clear database: %r" % err)
    finally:
        srv.cleanup()


def main():
    print("seed %d (set FW_SEED to repeat)" % SEED)
    start_t = time.time()
    test_no_plaintext_and_rotation()
    test_kill_during_rotation()
    test_clear_database_refused()
    print("%.1f s" % (time.time() - start_t))
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
