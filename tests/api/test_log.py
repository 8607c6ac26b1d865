#!/usr/bin/env python3
"""
The transparency log over the API (docs/log.md): every act is an entry, entries are canonical and private,
receipts and proofs verify with an independent Python verifier, and the log survives kill -9 in agreement with
the database (I3, I5).

(1) Every act is in the log: partners (create, change, suspend, reinstate, remove), tokens (issue, revoke),
    tiers, rules, advisories (create, revise, schedule, withdraw, publish), a release by the scheduler (a lead-0
    tier, T a few seconds ahead) and downloads of copies and PoCs: one entry per event of each documented type,
    in commit order, row for row the same as GET /api/v1/events, the synchronous acts exactly in the order they
    were made, every delivery and download of the deliveries reports once, each download after its delivery.
(2) Entries are canonical (compact JSON, keys in the documented order, "v":1) and private: no partner id, name,
    country, contact e-mail, client address, operator reason, token secret, title, part text, revision note,
    product, CVE id or embargoed release time (unique markers in all of them). Partner references are 32 hex
    characters, one per partner, different between partners, and equal to the documented formula computed
    here from the server's reference key (meta.log_ref_key in the database).
(3) Receipts and proofs: the Forewarn-Log-Index of every copy and PoC names a "download" entry whose sha256 is
    the SHA-256 of the bytes received; each receipt's checkpoint signature (Ed25519, C2SP signed note, checked
    in pure Python) and inclusion proof (RFC 9162 2.1.3.2) verify, tampered proofs and entries do not;
    consistency proofs (RFC 9162 2.1.4.2) between saved checkpoints and random sizes, and inclusion proofs at
    random indexes and sizes, verify against roots computed here from the entries. The CLI's verify-receipt
    and remote verify agree.
(4) Durability: 8 threads download copies and PoCs over keep-alive while the server is killed with -9 at a
    random moment, 3 rounds: `forewarn log verify --data DIR` passes with the server stopped; after the restart
    every copy answered 200 has its download entry (index from the header, sha256 of the bytes), the log has
    as many "download" entries per advisory as the deliveries report has downloads, as many entries as events,
    and the checkpoint signed before the kill is consistent with the one after.
(5) Errors: the six routes need a token (401), accept admin and partner tokens, refuse a removed partner's;
    bad parameters are 400 naming the parameter; entries are served at most 1000 per answer.

Environment: FOREWARN_BIN, FW_SEED.
"""
import base64
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402

SEED = int(os.environ.get("FW_SEED", random.randrange(1 << 30)))
rng = random.Random(SEED)
res = fwtest.Results()

H = 3600
PARTS = ("summary", "details", "detection", "poc")
TYPES = ("partner.created", "partner.updated", "partner.suspended", "partner.reinstated", "partner.removed",
         "token.issued", "token.revoked", "tiers.changed", "rules.changed", "advisory.created", "advisory.revised",
         "advisory.scheduled", "advisory.withdrawn", "advisory.published", "delivery", "download")
KEY_ORDER = ("actor", "advisory", "detail", "partner", "revision", "sha256", "time", "type", "v")
DETAIL_KEYS = ("status", "tier", "parts", "what", "token")
ADVISORY_TYPES = {t for t in TYPES if t.startswith("advisory.")} | {"delivery", "download"}
PARTNER_TYPES = {t for t in TYPES if t.startswith("partner.")} | {"delivery", "download"}
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HEX32_RE = re.compile(r"^[0-9a-f]{32}$")


def mask(parts):
    return sum(1 << PARTS.index(p) for p in parts)


# ---------------------------------------------------------------------------------------------------------------
# An independent verifier: RFC 9162 Merkle trees, C2SP checkpoints and signed notes, Ed25519 (RFC 8032).

def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


class Tree:
    """The Merkle tree hash (RFC 9162 2.1.1) of any prefix of a list of entries."""

    def __init__(self, entries=()):
        self.leaves = []
        self.memo = {}
        for e in entries:
            self.append(e)

    def append(self, entry):
        self.leaves.append(leaf_hash(entry))

    def _mth(self, lo, hi):
        n = hi - lo
        if n == 0:
            return sha256(b"")
        if n == 1:
            return self.leaves[lo]
        full = n & (n - 1) == 0
        if full and (lo, hi) in self.memo:
            return self.memo[(lo, hi)]
        k = 1 << ((n - 1).bit_length() - 1)
        h = node_hash(self._mth(lo, lo + k), self._mth(lo + k, hi))
        if full:
            self.memo[(lo, hi)] = h
        return h

    def root(self, size):
        assert 0 <= size <= len(self.leaves)
        return self._mth(0, size)


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, proof):
    """RFC 9162 section 2.1.4.2."""
    if first == 0 or first > second:
        return False
    if first == second:
        return not proof and first_hash == second_hash
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_hash] + list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


# Ed25519 verification, after the reference code of RFC 8032 section 6 (extended coordinates).
_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _recover_x(y, sign):
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _padd(p, q):
    a = (p[1] - p[0]) * (q[1] - q[0]) % _P
    b = (p[1] + p[0]) * (q[1] + q[0]) % _P
    c = 2 * p[3] * q[3] * _D % _P
    d = 2 * p[2] * q[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _pmul(s, p):
    q = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _padd(q, p)
        p = _padd(p, p)
        s >>= 1
    return q


def _pequal(p, q):
    return (p[0] * q[2] - q[0] * p[2]) % _P == 0 and (p[1] * q[2] - q[1] * p[2]) % _P == 0


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % _P)


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


def ed25519_verify(public, msg, sig):
    if len(public) != 32 or len(sig) != 64:
        return False
    a, r = _decompress(public), _decompress(sig[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + public + msg).digest(), "little") % _L
    return _pequal(_pmul(s, _G), _padd(r, _pmul(h, a)))


def parse_vkey(vkey):
    """A note verifier key "<name>+<key id hex>+<base64(0x01 || Ed25519 public key)>": (name, key id, public)."""
    name, kid, b = vkey.strip().split("+", 2)
    raw = base64.b64decode(b)
    assert raw[0] == 1 and len(raw) == 33, "not an Ed25519 note key: %r" % vkey
    assert sha256(name.encode() + b"\n" + raw)[:4] == bytes.fromhex(kid), "key id of %r" % vkey
    return name, bytes.fromhex(kid), raw[1:]


def parse_checkpoint(note):
    """A C2SP tlog-checkpoint in a signed note: (origin, size, root, body text, [(name, key id, signature)])."""
    text, sep, sigs = note.partition("\n\n")
    assert sep, "no blank line in %r" % note
    lines = text.split("\n")
    assert len(lines) >= 3, "checkpoint body %r" % text
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    assert str(size) == lines[1] and len(root) == 32, "checkpoint body %r" % text
    out = []
    for line in sigs.split("\n"):
        if not line:
            continue
        assert line.startswith("\u2014 "), "signature line %r" % line
        name, b = line[2:].rsplit(" ", 1)
        raw = base64.b64decode(b)
        out.append((name, raw[:4], raw[4:]))
    return origin, size, root, text + "\n", out


def checkpoint_signed(note, vkey):
    """Whether the note carries a valid signature of vkey."""
    name, kid, public = parse_vkey(vkey)
    _, _, _, body, sigs = parse_checkpoint(note)
    return any(n == name and k == kid and ed25519_verify(public, body.encode(), s) for n, k, s in sigs)


def partner_ref(key_hex, pid):
    """docs/log.md: salt = hex(BLAKE2b-256 keyed, "forewarn-partner-salt-v1\\n" || id),
    ref = hex(SHA-256("forewarn-partner-ref-v1\\n" || salt || "\\n" || id)[:16])."""
    salt = hashlib.blake2b(b"forewarn-partner-salt-v1\n" + pid.encode(), digest_size=32,
                           key=bytes.fromhex(key_hex)).hexdigest()
    return hashlib.sha256(b"forewarn-partner-ref-v1\n" + salt.encode() + b"\n" + pid.encode()).hexdigest()[:32]


def ref_key(srv):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(srv.data, "forewarn.db"), uri=True, timeout=10)
    try:
        row = db.execute("SELECT value FROM meta WHERE key='log_ref_key'").fetchone()
    finally:
        db.close()
    return row[0] if row else None


# ---------------------------------------------------------------------------------------------------------------
# Reading the log and the events.

def get_entries(ka, token, start=0):
    """Every entry from start on, paged: [(index, bytes)], and the size the last page reported."""
    out = []
    while True:
        r = ka.request("GET", "/api/v1/log/entries?start=%d" % (start + len(out)), token=token)
        assert r.status == 200, r
        page = r.json()
        for e in page["entries"]:
            out.append((e["index"], base64.b64decode(e["data"], validate=True)))
        if not page["entries"] or start + len(out) >= page["size"]:
            return out, page["size"]


def get_events(ka):
    out, after = [], 0
    while True:
        page = ka.admin_call("GET", "/api/v1/events?limit=100000&after=%d" % after)["events"]
        if not page:
            return out
        after = page[-1]["seq"]
        out.extend(page)


def get_checkpoint(ka, token, vkey=None):
    r = ka.request("GET", "/api/v1/log/checkpoint", token=token)
    assert r.status == 200 and r.headers.get("Content-Type", "").startswith("text/plain"), r
    note = r.body.decode()
    origin, size, root, _, _ = parse_checkpoint(note)
    if vkey is not None:
        res.check(checkpoint_signed(note, vkey), "checkpoint at size %d: no valid signature of %s: %r"
                  % (size, vkey, note))
    return note, size, root


def b64list(xs):
    return [base64.b64decode(x, validate=True) for x in xs]


def flip(b, i=0):
    return b[:i] + bytes([b[i] ^ 1]) + b[i + 1:]


# ---------------------------------------------------------------------------------------------------------------
# (1)-(3): one scenario with every kind of act.

MARKS = {}  # what -> marker string that must never appear in an entry


def mark(what, value):
    MARKS[what] = value
    return value


class Scenario:
    def __init__(self, srv):
        self.srv = srv
        self.ka = fwtest.KeepAlive(srv)
        self.expected = []   # synchronous acts, in order: (type, actor, advisory, partner id, revision, detail)
        self.downloads = []  # (pid, aid, what, revision, log index, body) of every copy received
        self.tokens = {}
        self.partners = {}
        self.checkpoints = []
        self.public_ats = set()
        self.vkey = None

    def admin(self, method, path, body=None, expect=(200, 201, 204)):
        return self.ka.admin_call(method, path, body, expect=expect)

    def act(self, typ, aid=None, pid=None, rev=None, detail=None, actor="admin"):
        self.expected.append((typ, actor, aid, pid, rev, detail or {}))

    def checkpoint(self):
        self.checkpoints.append(get_checkpoint(self.ka, self.srv.admin, self.vkey))

    def download(self, pid, aid, what, rev, expect=200):
        path = "/api/v1/inbox/%s%s" % (aid, "/poc" if what == "poc" else "")
        r = self.ka.request("GET", path, token=self.tokens[pid])
        res.check(r.status == expect, "%s GET %s: %d, expected %d: %r" % (pid, path, r.status, expect, r))
        if r.status == 200:
            idx = r.headers.get("Forewarn-Log-Index")
            if res.check(idx is not None and idx.isdigit(), "%s GET %s: no Forewarn-Log-Index header: %s"
                         % (pid, path, r.headers)):
                self.downloads.append((pid, aid, what, rev, int(idx), r.body))
                self.act("download", aid, pid, rev, {"what": what}, actor="partner:" + pid)
        else:
            res.check("Forewarn-Log-Index" not in r.headers, "%s GET %s: %d with a Forewarn-Log-Index"
                      % (pid, path, r.status))
        return r

    def advisory(self, aid, public_at=None, **extra):
        body = {"id": aid, "title": mark("title " + aid, "Qx Title of %s" % aid),
                "cves": [mark("cve " + aid, "CVE-2026-%d" % (900000 + len(MARKS)))],
                "products": [mark("product " + aid, "Qx Product of %s" % aid)],
                "note": mark("note " + aid, "Qx revision note of %s" % aid),
                "parts": {p: mark("%s %s r1" % (p, aid), "Qx %s text of %s r1" % (p, aid)) for p in PARTS}}
        if public_at is not None:
            body["public_at"] = fwtest.rfc3339(public_at)
            self.public_ats.add(body["public_at"])
        body.update(extra)
        a = self.admin("POST", "/api/v1/advisories", body)
        self.act("advisory.created", aid, None, 1, {"status": a["status"]})
        return a

    def run(self):
        srv, ka = self.srv, self.ka
        self.vkey = ka.request("GET", "/api/v1/log/key", token=srv.admin).body.decode().strip()
        with open(os.path.join(srv.data, "log.pub")) as f:
            res.check(f.read().strip() == self.vkey, "GET /api/v1/log/key differs from DIR/log.pub")
        self.checkpoint()

        # Policy.
        tiers = [{"name": "vetted", "lead_hours": 120}, {"name": "standard", "lead_hours": 24},
                 {"name": "zero", "lead_hours": 0}]
        self.admin("PUT", "/api/v1/tiers", {"tiers": tiers})
        self.act("tiers.changed")
        rules = [{"id": "mandatory-reporting", "countries": ["CN", "RU"], "max_lead_hours": 0, "parts": ["summary"]},
                 {"id": "slow-lane", "description": mark("rule description", "Qx slow lane description"),
                  "countries": ["BR"], "max_lead_hours": 24, "parts": ["summary", "details", "detection"]}]
        self.admin("PUT", "/api/v1/rules", {"rules": rules})
        self.act("rules.changed")

        # Partners: ids, names, countries and e-mails are markers.
        plan = [("qzp-alpha", "vetted", "NO"), ("qzp-bravo", "zero", "SE"), ("qzp-charlie", "standard", "JP"),
                ("qzp-delta", "vetted", "BR"), ("qzp-echo", "vetted", "KE")]
        for pid, tier, country in plan:
            mark("partner id " + pid, pid)
            mark("country of " + pid, country)
            body = {"id": pid, "name": mark("name of " + pid, "Qx Name of %s" % pid), "country": country,
                    "tier": tier, "entitlements": list(PARTS),
                    "contact_email": mark("e-mail of " + pid, "%s-contact@qx-mail.example" % pid),
                    "nda_version": mark("nda of " + pid, "qx-nda-%s" % pid[4:])}
            self.partners[pid] = self.admin("POST", "/api/v1/partners", body)
            self.act("partner.created", pid=pid, detail={"tier": tier})
        self.admin("PATCH", "/api/v1/partners/qzp-charlie",
                   {"country": mark("country of qzp-charlie 2", "IS"),
                    "contact_email": mark("e-mail of qzp-charlie 2", "qx-second-contact@qx-mail.example")})
        self.act("partner.updated", pid="qzp-charlie", detail={"tier": "standard"})
        for pid, _, _ in plan:
            t = self.admin("POST", "/api/v1/partners/%s/tokens" % pid)
            mark("token of " + pid, t["token"])
            mark("token body of " + pid, t["token"][3:])
            self.tokens[pid] = t["token"]
            self.act("token.issued", pid=pid, detail={"token": t["id"]})
        spare = self.admin("POST", "/api/v1/partners/qzp-alpha/tokens")
        mark("spare token", spare["token"])
        self.act("token.issued", pid="qzp-alpha", detail={"token": spare["id"]})
        self.admin("DELETE", "/api/v1/partners/qzp-alpha/tokens/" + spare["id"])
        self.act("token.revoked", pid="qzp-alpha", detail={"token": spare["id"]})
        self.admin("POST", "/api/v1/partners/qzp-charlie/suspend", {"reason": mark("suspend reason", "Qx suspended for NDA")})
        self.act("partner.suspended", pid="qzp-charlie")
        self.admin("POST", "/api/v1/partners/qzp-charlie/reinstate", {"reason": mark("reinstate reason", "Qx NDA renewed")})
        self.act("partner.reinstated", pid="qzp-charlie")
        self.admin("POST", "/api/v1/partners/qzp-echo/remove", {"reason": mark("remove reason", "Qx breach by echo")})
        self.act("partner.removed", pid="qzp-echo")
        self.checkpoint()

        # Advisories. adv-two: draft, revised, scheduled, withdrawn. adv-three: scheduled in 3 days, downloaded,
        # revised, downloaded, rescheduled, published now. adv-one: released by the scheduler a few seconds ahead.
        now = time.time()
        T1 = int(now) + 6
        self.advisory("adv-one", T1)
        self.advisory("adv-two")
        self.admin("POST", "/api/v1/advisories/adv-two/revisions",
                   {"note": mark("note adv-two r2", "Qx second note of adv-two"),
                    "parts": {"summary": mark("summary adv-two r2", "Qx summary of adv-two r2")}})
        self.act("advisory.revised", "adv-two", None, 2, {"status": "draft"})
        t2 = fwtest.rfc3339(now + 10 * 24 * H)
        self.public_ats.add(t2)
        self.admin("PUT", "/api/v1/advisories/adv-two/schedule", {"public_at": t2})
        self.act("advisory.scheduled", "adv-two", None, 2, {"status": "scheduled"})
        self.admin("POST", "/api/v1/advisories/adv-two/withdraw", {"reason": mark("withdraw reason", "Qx duplicate advisory")})
        self.act("advisory.withdrawn", "adv-two", None, 2)
        self.advisory("adv-three", now + 3 * 24 * H)
        self.wait_delivery("adv-three", "qzp-alpha", 1)
        self.download("qzp-alpha", "adv-three", "csaf", 1)
        self.download("qzp-alpha", "adv-three", "poc", 1)
        self.download("qzp-alpha", "adv-three", "csaf", 1)  # a cached copy: logged again
        self.download("qzp-charlie", "adv-three", "csaf", 1, expect=404)  # 72 h ahead, standard tier: nothing
        self.admin("POST", "/api/v1/advisories/adv-three/revisions",
                   {"note": mark("note adv-three r2", "Qx second note of adv-three"),
                    "parts": {p: mark("%s adv-three r2" % p, "Qx %s of adv-three r2" % p) for p in PARTS}})
        self.act("advisory.revised", "adv-three", None, 2, {"status": "scheduled"})
        self.download("qzp-alpha", "adv-three", "poc", 2)
        self.download("qzp-alpha", "adv-three", "csaf", 2)
        t3 = fwtest.rfc3339(now + 4 * 24 * H)
        self.public_ats.add(t3)
        self.admin("PUT", "/api/v1/advisories/adv-three/schedule", {"public_at": t3})
        self.act("advisory.scheduled", "adv-three", None, 2, {"status": "scheduled"})
        self.checkpoint()
        a = self.admin("POST", "/api/v1/advisories/adv-three/publish")
        self.public_ats.add(a["public_at"])
        self.act("advisory.published", "adv-three", None, 2, {"status": "public"})
        self.download("qzp-charlie", "adv-three", "csaf", 2)
        self.download("qzp-delta", "adv-three", "csaf", 2)
        self.download("qzp-delta", "adv-three", "poc", 2, expect=404)  # slow-lane: no PoC, even public

        # adv-one before and after T: the lead-0 partner gets nothing before, the scheduler releases at T.
        self.download("qzp-bravo", "adv-one", "csaf", 1, expect=404)
        self.download("qzp-delta", "adv-one", "csaf", 1)        # 24 h cap: already released
        self.download("qzp-charlie", "adv-one", "poc", 1)
        seen = self.wait_delivery("adv-one", "qzp-bravo", 1, until=T1 + 5)
        res.check(seen is not None and seen >= T1, "the lead-0 partner's delivery of adv-one at %s: seen %s"
                  % (T1, seen))
        self.download("qzp-bravo", "adv-one", "csaf", 1)
        self.download("qzp-bravo", "adv-one", "poc", 1)
        self.download("qzp-alpha", "adv-one", "csaf", 1)
        self.download("qzp-echo", "adv-one", "csaf", 1, expect=401)  # removed: its token is gone
        self.checkpoint()

    def wait_delivery(self, aid, pid, rev, until=None):
        end = until or time.time() + 5
        while True:
            ds = self.admin("GET", "/api/v1/advisories/%s/deliveries?partner=%s" % (aid, pid))["deliveries"]
            if any(d["revision"] == rev for d in ds):
                return time.time()
            if time.time() > end:
                return None
            time.sleep(0.05)


def check_scenario(sc):
    srv, ka = sc.srv, sc.ka
    entries, size = get_entries(ka, srv.admin)
    events = get_events(ka)
    key = ref_key(srv)
    print("  %d entries, %d events, %d downloads" % (size, len(events), len(sc.downloads)))
    res.check([i for i, _ in entries] == list(range(size)), "entries are not numbered 0..%d" % (size - 1))
    res.check(len(events) == size, "%d events but %d log entries" % (len(events), size))
    objs = []
    for i, data in entries:
        try:
            objs.append(json.loads(data.decode("utf-8")))
        except ValueError:
            res.check(False, "entry %d is not JSON: %r" % (i, data))
            objs.append({})

    # (2) canonical form.
    bad_form = []
    for (i, data), e in zip(entries, objs):
        keys = list(e)
        why = None
        if json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode() != data:
            why = "not compact canonical JSON"
        elif [k for k in KEY_ORDER if k in e] != keys:
            why = "keys %s not in the documented order %s" % (keys, KEY_ORDER)
        elif not all(k in e for k in ("actor", "detail", "time", "type", "v")):
            why = "a required key is missing"
        elif e["v"] != 1 or e["type"] not in TYPES or not TIME_RE.match(e["time"]):
            why = "v, type or time"
        elif not isinstance(e["detail"], dict) or not set(e["detail"]) <= set(DETAIL_KEYS) or \
                not all(isinstance(v, str) for v in e["detail"].values()):
            why = "detail keys %s" % e["detail"]
        elif ("advisory" in e) != (e["type"] in ADVISORY_TYPES):
            why = "advisory key present/absent"
        elif ("revision" in e) != (e["type"] in ADVISORY_TYPES) or \
                ("revision" in e and not (isinstance(e["revision"], int) and e["revision"] > 0)):
            why = "revision key"
        elif ("sha256" in e) != (e["type"] == "download") or \
                ("sha256" in e and not re.match(r"^[0-9a-f]{64}$", e["sha256"])):
            why = "sha256 key"
        elif "partner" in e and not HEX32_RE.match(e["partner"]):
            why = "partner is not 32 hex characters"
        elif e["type"] in PARTNER_TYPES and "partner" not in e:
            why = "a partner event without its reference"
        elif not re.match(r"^(admin:[0-9a-f]{16}|partner:[0-9a-f]{32}|scheduler|init|demo)$", e["actor"]):
            why = "actor %r" % e["actor"]
        if why:
            bad_form.append((i, why, data))
    res.check(not bad_form, "%d entries not in the documented form: %s" % (len(bad_form), bad_form[:3]))
    times = [e.get("time", "") for e in objs]
    res.check(times == sorted(times), "entry times go back in commit order")

    # (2) privacy: no marker in any entry's bytes.
    secrets = dict(MARKS)
    secrets["client address"] = "127.0.0.1"
    for t in sc.public_ats:
        secrets["release time " + t] = t
    leaks = [(what, i) for i, data in entries for what, m in secrets.items() if m.encode() in data]
    res.check(not leaks, "entries hold private data: %s" % leaks[:10])
    print("  %d private strings checked in every entry" % len(secrets))

    # (2) partner references: the documented formula, from the server's key.
    if not res.check(key and re.match(r"^[0-9a-f]{64}$", key), "meta.log_ref_key: %r" % key):
        return entries, objs
    refs = {pid: partner_ref(key, pid) for pid in sc.partners}
    res.check(len(set(refs.values())) == len(refs), "two partners share a reference: %s" % refs)
    by_ref = {v: k for k, v in refs.items()}

    # (1) row for row the same as the events.
    mismatch = []
    seen_refs = {}
    for ev, e, (i, data) in zip(events, objs, entries):
        why = None
        subject = ev["subject"]
        adv, _, pid = subject.partition("/") if "/" in subject else (None, None, None)
        if e.get("type") in ADVISORY_TYPES and adv is None:
            adv = subject
        if e.get("type") in PARTNER_TYPES and pid is None and e.get("type") not in ("delivery", "download"):
            pid = subject
        if e.get("type", "").startswith("token.") and subject:
            pid = subject
        actor = ev["actor"]
        if actor.startswith("partner:"):
            actor = "partner:" + refs.get(actor[8:], "?")
        if ev["seq"] != i + 1:
            why = "seq %d for index %d" % (ev["seq"], i)
        elif ev["type"] != e.get("type") or ev["at"] != e.get("time"):
            why = "type or time"
        elif actor != e.get("actor"):
            why = "actor %r vs %r" % (ev["actor"], e.get("actor"))
        elif e.get("advisory") != adv:
            why = "advisory"
        elif pid and e.get("partner") != refs.get(pid):
            why = "partner %s: reference %s, formula %s" % (pid, e.get("partner"), refs.get(pid))
        elif not pid and "partner" in e:
            why = "a partner reference without a partner"
        elif e.get("revision") is not None and int(ev["detail"].get("revision", -1)) != e["revision"]:
            why = "revision"
        elif e.get("sha256") is not None and ev["detail"].get("sha256") != e["sha256"]:
            why = "sha256"
        elif {k: v for k, v in ev["detail"].items() if k in DETAIL_KEYS} != e.get("detail"):
            why = "detail %s vs %s" % (ev["detail"], e.get("detail"))
        if why:
            mismatch.append((i, why, ev, data))
        if "partner" in e:
            seen_refs.setdefault(e["partner"], set()).add(pid)
    res.check(not mismatch, "%d entries differ from their events: %s" % (len(mismatch), mismatch[:3]))
    res.check(all(len(v) == 1 for v in seen_refs.values()), "one reference for several partners: %s" % seen_refs)
    res.check(set(seen_refs) == set(refs.values()), "references in the log %s, by the formula %s"
              % (sorted(seen_refs), sorted(refs.values())))
    counts = {t: sum(1 for e in objs if e.get("type") == t) for t in TYPES}
    res.check(all(counts.values()), "a documented type has no entry: %s" % counts)
    res.check(counts == {t: sum(1 for ev in events if ev["type"] == t) for t in TYPES},
              "counts per type differ from the events")
    print("  entries per type: %s" % ", ".join("%s %d" % kv for kv in counts.items()))

    # (1) the synchronous acts, exactly in the order they were made (after the 3 entries of forewarn init).
    res.check([e.get("actor") for e in objs[:3]] == ["init"] * 3 and
              [e.get("type") for e in objs[:3]] == ["tiers.changed", "rules.changed", "token.issued"],
              "the entries of forewarn init: %s" % objs[:3])
    got = [e for e in objs[3:] if e.get("type") != "delivery" and e.get("actor") != "scheduler"]
    want = []
    for typ, actor, aid, pid, rev, detail in sc.expected:
        w = {"type": typ, "detail": detail}
        if aid:
            w["advisory"] = aid
            w["revision"] = rev
        if pid:
            w["partner"] = refs[pid]
        want.append((w, actor))
    diffs = []
    for n in range(max(len(got), len(want))):
        g = got[n] if n < len(got) else None
        w, actor = want[n] if n < len(want) else (None, None)
        ok = g is not None and w is not None and all(g.get(k) == v for k, v in w.items()) and \
            (g["actor"].startswith("admin:") if actor == "admin" else g["actor"] == "partner:" + refs[actor[8:]])
        if not ok:
            diffs.append((n, w, g))
    res.check(not diffs, "the acts made are not the entries, in order (%d acts, %d entries): first %s"
              % (len(want), len(got), diffs[:2]))
    sched = [e for e in objs if e.get("actor") == "scheduler"]
    res.check([e["type"] for e in sched if e["type"] != "delivery"] == ["advisory.published"] and
              any(e["type"] == "advisory.published" and e.get("advisory") == "adv-one" for e in sched),
              "the scheduler's entries other than deliveries: %s" % [e for e in sched if e["type"] != "delivery"])
    res.check(any(e["type"] == "delivery" and e.get("advisory") == "adv-one" and
                  e.get("partner") == refs["qzp-bravo"] for e in sched),
              "no scheduler delivery of adv-one to the lead-0 partner")

    # (1) deliveries and downloads: the reports, in recording order, and each download after its delivery.
    for aid in ("adv-one", "adv-two", "adv-three"):
        rep = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)
        dl = [(refs[d["partner"]], d["revision"], mask(d["parts"])) for d in rep["deliveries"]]
        de = [(e["partner"], e["revision"], int(e["detail"].get("parts", -1))) for e in objs
              if e.get("type") == "delivery" and e.get("advisory") == aid]
        res.check(dl == de, "%s: deliveries %s, delivery entries %s" % (aid, dl, de))
        wl = [(refs[d["partner"]], d["revision"], d["what"]) for d in rep["downloads"]]
        we = [(e["partner"], e["revision"], e["detail"].get("what")) for e in objs
              if e.get("type") == "download" and e.get("advisory") == aid]
        res.check(wl == we, "%s: downloads %s, download entries %s" % (aid, wl, we))
        for i, e in enumerate(objs):
            if e.get("type") == "download" and e.get("advisory") == aid:
                before = [p for p in objs[:i] if p.get("type") == "delivery" and p.get("advisory") == aid and
                          p.get("partner") == e["partner"] and p.get("revision") == e["revision"]]
                res.check(before, "%s: download entry %d without an earlier delivery entry" % (aid, i))
    return entries, objs


def check_receipts(sc, entries, objs):
    srv, ka = sc.srv, sc.ka
    refs_key = ref_key(srv)
    tree = Tree(d for _, d in entries)
    size = len(entries)
    n_tamper = 0
    # Every copy: its download entry, its receipt, the proof verified here.
    for pid, aid, what, rev, idx, body in sc.downloads:
        e = objs[idx] if idx < len(objs) else {}
        res.check(e.get("type") == "download" and e.get("advisory") == aid and e.get("revision") == rev and
                  e.get("detail", {}).get("what") == what and e.get("partner") == partner_ref(refs_key, pid) and
                  e.get("sha256") == hashlib.sha256(body).hexdigest(),
                  "%s %s %s r%d: Forewarn-Log-Index %d names %s; received SHA-256 %s"
                  % (pid, aid, what, rev, idx, e, hashlib.sha256(body).hexdigest()))
        r = ka.request("GET", "/api/v1/log/receipt?index=%d" % idx, token=sc.tokens[pid])
        if not res.check(r.status == 200, "receipt of %d for %s: %r" % (idx, pid, r)):
            continue
        rc = r.json()
        entry = base64.b64decode(rc["entry"]["data"], validate=True)
        origin, csize, root, _, _ = parse_checkpoint(rc["checkpoint"])
        proof = b64list(rc["proof"])
        res.check(list(rc) == ["index", "size", "entry", "checkpoint", "proof"] and rc["index"] == idx and
                  rc["entry"]["index"] == idx and rc["size"] == csize and idx < csize <= size,
                  "receipt %d: fields %s" % (idx, {k: v for k, v in rc.items() if k != "proof"}))
        res.check(entry == entries[idx][1], "receipt %d: the entry differs from GET entries" % idx)
        res.check(checkpoint_signed(rc["checkpoint"], sc.vkey), "receipt %d: checkpoint signature" % idx)
        res.check(origin == "psirt.example.com/forewarn-log", "receipt %d: origin %r" % (idx, origin))
        res.check(root == tree.root(csize), "receipt %d: checkpoint root at %d is not the tree's" % (idx, csize))
        leaf = leaf_hash(entry)
        res.check(verify_inclusion(idx, csize, leaf, proof, root), "receipt %d: the inclusion proof fails" % idx)
        # The verifier refuses tampered receipts.
        bad = [("entry", idx, csize, leaf_hash(flip(entry, len(entry) // 2)), proof, root),
               ("root", idx, csize, leaf, proof, flip(root)),
               ("index", idx ^ 1, csize, leaf, proof, root),
               ("longer", idx, csize, leaf, proof + [sha256(b"x")], root)]
        if proof:
            bad.append(("shorter", idx, csize, leaf, proof[:-1], root))
            bad.append(("reversed", idx, csize, leaf, proof[::-1], root) if len(proof) > 1 else
                       ("leaf hash", idx, csize, sha256(entry), proof, root))
            for k in range(len(proof)):
                bad.append(("proof[%d]" % k, idx, csize, leaf, proof[:k] + [flip(proof[k], k)] + proof[k + 1:], root))
        for what_bad, i, s, lf, pr, rt in bad:
            n_tamper += 1
            res.check(not verify_inclusion(i, s, lf, pr, rt), "receipt %d: a tampered %s still verifies" % (idx, what_bad))
    print("  %d receipts verified, %d tampered variants refused" % (len(sc.downloads), n_tamper))

    # The signature check refuses a changed body, a changed signature and another key.
    note = sc.checkpoints[-1][0]
    body, _, sigs = note.partition("\n\n")
    lines = body.split("\n")
    other = "\n".join([lines[0], str(int(lines[1]) + 1)] + lines[2:]) + "\n\n" + sigs
    name, b = sigs.strip("\n")[2:].rsplit(" ", 1)
    raw = base64.b64decode(b)
    forged = body + "\n\n\u2014 " + name + " " + base64.b64encode(raw[:4] + flip(raw[4:], 7)).decode() + "\n"
    _, kid, public = parse_vkey(sc.vkey)
    stranger = "%s+%s+%s" % (name, sha256(name.encode() + b"\n\x01" + flip(public))[:4].hex(),
                             base64.b64encode(b"\x01" + flip(public)).decode())
    res.check(checkpoint_signed(note, sc.vkey) and not checkpoint_signed(other, sc.vkey) and
              not checkpoint_signed(forged, sc.vkey) and not checkpoint_signed(note, stranger),
              "the Ed25519 note verifier accepts a tampered checkpoint")

    # The CLI agrees with the verifier here (one receipt).
    pid, aid, what, rev, idx, body = sc.downloads[-1]
    tmp = tempfile.mkdtemp(prefix="fw-log-")
    rfile, cfile, kfile = (os.path.join(tmp, n) for n in ("copy.receipt", "copy.json", "log.pub"))
    with open(rfile, "wb") as f:
        f.write(ka.request("GET", "/api/v1/log/receipt?index=%d" % idx, token=sc.tokens[pid]).body)
    with open(cfile, "wb") as f:
        f.write(body)
    with open(kfile, "w") as f:
        f.write(sc.vkey + "\n")
    p = subprocess.run([fwtest.FOREWARN, "log", "verify-receipt", rfile, "--copy", cfile, "--key-file", kfile],
                       capture_output=True, text=True)
    res.check(p.returncode == 0, "forewarn log verify-receipt: %d %s %s" % (p.returncode, p.stdout, p.stderr))
    with open(cfile, "wb") as f:
        f.write(body + b" ")
    p = subprocess.run([fwtest.FOREWARN, "log", "verify-receipt", rfile, "--copy", cfile, "--key-file", kfile],
                       capture_output=True, text=True)
    res.check(p.returncode == 1, "forewarn log verify-receipt with another copy: %d" % p.returncode)
    p = subprocess.run([fwtest.FOREWARN, "log", "verify", "--url", srv.url, "--token", sc.tokens["qzp-alpha"],
                        "--key-file", kfile], capture_output=True, text=True)
    res.check(p.returncode == 0, "forewarn log verify (remote): %d %s %s" % (p.returncode, p.stdout, p.stderr))
    shutil.rmtree(tmp, ignore_errors=True)

    # Checkpoints saved along the way: growing, signed, roots of the tree, consistent with each other.
    cps = sc.checkpoints
    sizes = [c[1] for c in cps]
    res.check(sizes == sorted(sizes) and len(set(sizes)) == len(sizes), "checkpoint sizes %s" % sizes)
    n_cons = 0
    for note, s, root in cps:
        res.check(root == tree.root(s), "the checkpoint at size %d is not the root of the entries" % s)
    pairs = [(a, b) for a in range(len(cps)) for b in range(a, len(cps))]
    for a, b in pairs:
        (_, s1, r1), (_, s2, r2) = cps[a], cps[b]
        r = ka.request("GET", "/api/v1/log/proof/consistency?old=%d&new=%d" % (s1, s2), token=sc.tokens["qzp-bravo"])
        if not res.check(r.status == 200, "consistency %d..%d: %r" % (s1, s2, r)):
            continue
        j = r.json()
        proof = b64list(j["proof"])
        res.check(j["old"] == s1 and j["new"] == s2, "consistency answer %s" % j)
        res.check(verify_consistency(s1, s2, r1, r2, proof), "consistency %d..%d between checkpoints fails" % (s1, s2))
        n_cons += 1
        if s1 != s2:
            res.check(not verify_consistency(s1, s2, r2, r1, proof), "consistency %d..%d with swapped roots" % (s1, s2))
            for k in range(len(proof)):
                res.check(not verify_consistency(s1, s2, r1, r2, proof[:k] + [flip(proof[k])] + proof[k + 1:]),
                          "consistency %d..%d with proof[%d] tampered still verifies" % (s1, s2, k))
    c, i = random_proofs(ka, sc.tokens["qzp-charlie"], tree, size)
    print("  %d consistency and %d inclusion proofs verified (log of %d entries)" % (n_cons + c, i, size))


def random_proofs(ka, token, tree, size, n_cons=40, n_inc=80):
    """Consistency and inclusion proofs at random sizes and indexes, against roots computed here."""
    done_cons = done_inc = 0
    for _ in range(n_cons):
        s2 = rng.randint(1, size)
        s1 = rng.randint(1, s2)
        r = ka.request("GET", "/api/v1/log/proof/consistency?old=%d&new=%d" % (s1, s2), token=token)
        if not res.check(r.status == 200, "consistency %d..%d: %r" % (s1, s2, r)):
            continue
        proof = b64list(r.json()["proof"])
        res.check(verify_consistency(s1, s2, tree.root(s1), tree.root(s2), proof),
                  "consistency proof %d..%d fails" % (s1, s2))
        if s1 != s2 and s1 > 1:
            res.check(not verify_consistency(s1 - 1, s2, tree.root(s1 - 1), tree.root(s2), proof) or
                      not proof, "the proof %d..%d also proves %d..%d" % (s1, s2, s1 - 1, s2))
        done_cons += 1
    for _ in range(n_inc):
        s = size if rng.random() < 0.15 else rng.randint(1, size)
        i = rng.randrange(s)
        q = "index=%d" % i if s == size else "index=%d&size=%d" % (i, s)  # size defaults to the log's
        r = ka.request("GET", "/api/v1/log/proof/inclusion?" + q, token=token)
        if not res.check(r.status == 200, "inclusion %s: %r" % (q, r)):
            continue
        j = r.json()
        lf = base64.b64decode(j["leaf_hash"])
        res.check(j["index"] == i and j["size"] == s and lf == tree.leaves[i],
                  "inclusion %s: answer %s, leaf hash of the entry %s" % (q, j, base64.b64encode(tree.leaves[i])))
        proof = b64list(j["proof"])
        res.check(verify_inclusion(i, s, tree.leaves[i], proof, tree.root(s)), "inclusion proof %s fails" % q)
        if s > 1:
            other = (i + 1) % s
            res.check(not verify_inclusion(other, s, tree.leaves[i], proof, tree.root(s)) or
                      tree.leaves[other] == tree.leaves[i], "inclusion proof %s also proves index %d" % (q, other))
        done_inc += 1
    return done_cons, done_inc


def test_scenario():
    print("(1)-(3) every act in the log; canonical, private entries; receipts and proofs")
    srv = fwtest.Server(init_args=["--restricted-countries", "CN,RU", "--publisher-name", "Example Vendor PSIRT",
                                   "--publisher-namespace", "https://psirt.example.com"])
    srv.start()
    try:
        sc = Scenario(srv)
        sc.run()
        entries, objs = check_scenario(sc)
        check_receipts(sc, entries, objs)
        test_errors(sc)
        sc.ka.close()
    finally:
        srv.cleanup()


# ---------------------------------------------------------------------------------------------------------------
# (5) Errors.

def test_errors(sc):
    print("(5) tokens and bad parameters")
    srv, ka = sc.srv, sc.ka
    routes = ["/api/v1/log/key", "/api/v1/log/checkpoint", "/api/v1/log/entries?start=0&end=2",
              "/api/v1/log/proof/inclusion?index=0&size=2", "/api/v1/log/proof/consistency?old=1&new=2",
              "/api/v1/log/receipt?index=0"]
    for path in routes:
        r = ka.request("GET", path)
        res.check(r.status == 401 and r.json()["error"]["code"] == "unauthenticated" and
                  "WWW-Authenticate" in r.headers, "%s without a token: %r" % (path, r))
        r = ka.request("GET", path, token="fw_" + "A" * 43)
        res.check(r.status == 401, "%s with an unknown token: %r" % (path, r))
        r = ka.request("GET", path, token=sc.tokens["qzp-echo"])
        res.check(r.status == 401, "%s with a removed partner's token: %r" % (path, r))
        for who in ("admin", "qzp-charlie"):
            r = ka.request("GET", path, token=srv.admin if who == "admin" else sc.tokens[who])
            res.check(r.status == 200, "%s with the %s token: %r" % (path, who, r))
    size = get_checkpoint(ka, srv.admin)[1]
    tok = sc.tokens["qzp-alpha"]
    cases = [
        ("proof/inclusion", "index"), ("proof/inclusion?size=3", "index"),
        ("proof/inclusion?index=%d" % size, "index"), ("proof/inclusion?index=%d" % (size + 5), "index"),
        ("proof/inclusion?index=3&size=3", "index"), ("proof/inclusion?index=0&size=0", "index"),
        ("proof/inclusion?index=x", "index"), ("proof/inclusion?index=-1", "index"),
        ("proof/inclusion?index=1.5", "index"), ("proof/inclusion?index=", "index"),
        ("proof/inclusion?index=1&size=y", "size"), ("proof/inclusion?index=1&size=-2", "size"),
        ("proof/inclusion?index=1&size=%d" % (size + 1), "size"),
        ("proof/consistency?old=5&new=4", "old"), ("proof/consistency?old=0&new=4", "old"),
        ("proof/consistency?new=4", "old"), ("proof/consistency?old=x&new=4", "old"),
        ("proof/consistency?old=-1&new=4", "old"),
        ("proof/consistency?old=1", "new"), ("proof/consistency?old=1&new=x", "new"),
        ("proof/consistency?old=1&new=-4", "new"), ("proof/consistency?old=1&new=%d" % (size + 1), "new"),
        ("receipt", "index"), ("receipt?index=%d" % size, "index"), ("receipt?index=x", "index"),
        ("receipt?index=-1", "index"), ("receipt?index=99999999999999999999", "index"),
        ("entries?start=x", "start"), ("entries?start=-1", "start"), ("entries?start=1&end=0", "end"),
        ("entries?end=x", "end"), ("entries?end=-3", "end"),
    ]
    wrong = []
    for q, field in cases:
        r = ka.request("GET", "/api/v1/log/" + q, token=tok)
        try:
            err = r.json()["error"]
        except (ValueError, KeyError):
            err = {}
        if r.status == 400 and err.get("code") == "invalid" and err.get("field") == field:
            continue
        wrong.append("GET /api/v1/log/%s: expected 400 field %s, got %d %s" % (q, field, r.status, r.body.decode()))
    res.check(not wrong, "%d bad parameters not refused as expected:\n    %s" % (len(wrong), "\n    ".join(wrong)))
    print("  %d bad parameter cases" % len(cases))
    # Limits of the good ones.
    r = ka.request("GET", "/api/v1/log/entries?start=%d" % (size + 10), token=tok)
    res.check(r.status == 200 and r.json()["entries"] == [], "entries past the end: %r" % r)
    r = ka.request("GET", "/api/v1/log/entries?start=2&end=2", token=tok)
    res.check(r.status == 200 and r.json()["entries"] == [], "entries start=end: %r" % r)
    r = ka.request("GET", "/api/v1/log/entries?start=1&end=%d" % (size + 100), token=tok)
    res.check(r.status == 200 and [e["index"] for e in r.json()["entries"]] == list(range(1, size)),
              "entries with end past the size: %r" % r)
    r = ka.request("GET", "/api/v1/log/proof/consistency?old=%d&new=%d" % (size, size), token=tok)
    res.check(r.status == 200 and r.json()["proof"] == [], "consistency old=new: %r" % r)
    r = ka.request("GET", "/api/v1/log/proof/inclusion?index=0&size=1", token=tok)
    res.check(r.status == 200 and r.json()["proof"] == [], "inclusion in a tree of 1: %r" % r)


def check_paging(srv, ka):
    r = ka.request("GET", "/api/v1/log/entries", token=srv.admin)
    j = r.json()
    size = j["size"]
    if not res.check(size > 1100, "the durability log has only %d entries; paging needs more than 1100" % size):
        return
    res.check([e["index"] for e in j["entries"]] == list(range(1000)), "entries without parameters: %d entries"
              % len(j["entries"]))
    j = ka.request("GET", "/api/v1/log/entries?start=7&end=%d" % size, token=srv.admin).json()
    res.check([e["index"] for e in j["entries"]] == list(range(7, min(size, 1007))), "entries?start=7&end=size: %d entries"
              % len(j["entries"]))
    j = ka.request("GET", "/api/v1/log/entries?start=100&end=1100", token=srv.admin).json()
    res.check(len(j["entries"]) == 1000, "entries?start=100&end=1100: %d entries" % len(j["entries"]))
    j = ka.request("GET", "/api/v1/log/entries?start=%d" % (size - 3), token=srv.admin).json()
    res.check([e["index"] for e in j["entries"]] == list(range(size - 3, size)), "the last page")
    print("  entries paging: at most 1000 per answer (log of %d entries)" % size)


# ---------------------------------------------------------------------------------------------------------------
# (4) Durability.

def test_durability():
    print("(4) kill -9 while 8 clients download: nothing acknowledged is lost, the log and the database agree")
    srv = fwtest.Server(init_args=["--publisher-namespace", "https://psirt.example.com"])
    srv.start()
    try:
        ka = fwtest.KeepAlive(srv)
        vkey = ka.request("GET", "/api/v1/log/key", token=srv.admin).body.decode().strip()
        pids = ["dur-%d" % i for i in range(8)]
        tokens = {}
        for pid in pids:
            srv.create_partner(pid, tier="vetted", country="US", entitlements=list(PARTS))
            tokens[pid] = srv.partner_token(pid)
        aids = ["dur-adv-1", "dur-adv-2"]
        for n, aid in enumerate(aids):
            srv.create_advisory(public_at=time.time() + (2 + n) * 24 * H, id=aid,
                                parts={p: "%s of %s " % (p, aid) * 20 for p in PARTS})
        acked = []   # (pid, aid, what, index, sha256 hex)
        failures = []
        key = ref_key(srv)
        for rnd in range(3):
            stop = threading.Event()
            got = [[] for _ in pids]

            def client(n):
                c = fwtest.KeepAlive(srv, timeout=10)
                pid = pids[n]
                k = n
                try:
                    while not stop.is_set():
                        aid, what = aids[k % 2], ("csaf", "poc")[(k // 2) % 2]
                        k += 1
                        r = c.request("GET", "/api/v1/inbox/%s%s" % (aid, "/poc" if what == "poc" else ""),
                                      token=tokens[pid])
                        if r.status != 200:
                            failures.append((pid, aid, what, r))
                            continue
                        idx = r.headers.get("Forewarn-Log-Index")
                        got[n].append((pid, aid, what, int(idx) if idx and idx.isdigit() else None,
                                       hashlib.sha256(r.body).hexdigest()))
                except Exception:
                    pass  # the server is gone
                finally:
                    c.close()

            threads = [threading.Thread(target=client, args=(n,)) for n in range(len(pids))]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 0.6))
            before = get_checkpoint(ka, srv.admin, vkey)
            time.sleep(rng.uniform(0.0, 0.9))
            srv.kill()
            t_kill = time.time()
            stop.set()
            for t in threads:
                t.join(20)
            ka.close()
            n_round = sum(len(g) for g in got)
            for g in got:
                acked.extend(g)
            p = subprocess.run([fwtest.FOREWARN, "log", "verify", "--data", srv.data], capture_output=True, text=True)
            res.check(p.returncode == 0, "round %d: forewarn log verify --data after kill -9: %d %s %s"
                      % (rnd, p.returncode, p.stdout, p.stderr))
            srv.start()
            ka = fwtest.KeepAlive(srv)
            entries, size = get_entries(ka, srv.admin)
            objs = [json.loads(d) for _, d in entries]
            res.check([i for i, _ in entries] == list(range(size)), "round %d: entries not numbered" % rnd)
            lost = []
            for pid, aid, what, idx, sha in acked:
                e = objs[idx] if idx is not None and idx < len(objs) else None
                if not (e and e["type"] == "download" and e.get("advisory") == aid and e["detail"].get("what") == what
                        and e.get("sha256") == sha and e.get("partner") == partner_ref(key, pid)):
                    lost.append((pid, aid, what, idx, sha, e))
            res.check(not lost, "round %d: %d of %d acknowledged copies have no matching download entry: %s"
                      % (rnd, len(lost), len(acked), lost[:3]))
            idxs = [a[3] for a in acked]
            res.check(len(set(idxs)) == len(idxs), "round %d: two acknowledged copies share a log index" % rnd)
            agree = True
            for aid in aids:
                rep = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)
                n_rows = len(rep["downloads"])
                n_entries = sum(1 for e in objs if e["type"] == "download" and e.get("advisory") == aid)
                agree &= res.check(n_rows == n_entries, "round %d: %s: %d download rows, %d download entries"
                                   % (rnd, aid, n_rows, n_entries))
                n_dl = len(rep["deliveries"])
                n_de = sum(1 for e in objs if e["type"] == "delivery" and e.get("advisory") == aid)
                agree &= res.check(n_dl == n_de, "round %d: %s: %d deliveries, %d delivery entries"
                                   % (rnd, aid, n_dl, n_de))
            evs = get_events(ka)
            res.check(len(evs) == size and [e["type"] for e in evs] == [e["type"] for e in objs],
                      "round %d: %d events, %d entries" % (rnd, len(evs), size))
            # The checkpoint signed before the kill is a prefix of the log after it.
            note, s_after, r_after = get_checkpoint(ka, srv.admin, vkey)
            tree = Tree(d for _, d in entries)
            res.check(r_after == tree.root(s_after) and s_after == size, "round %d: checkpoint after restart" % rnd)
            _, s_before, r_before = before
            r = ka.request("GET", "/api/v1/log/proof/consistency?old=%d&new=%d" % (s_before, s_after),
                           token=tokens[pids[0]])
            res.check(r.status == 200 and verify_consistency(s_before, s_after, r_before, r_after,
                                                             b64list(r.json()["proof"])),
                      "round %d: checkpoint %d before the kill not consistent with %d after: %r"
                      % (rnd, s_before, s_after, r))
            print("  round %d: kill -9 after %d acknowledged copies (%d in all), log of %d entries verified, "
                  "%s" % (rnd, n_round, len(acked), size, "log and database agree" if agree else "DISAGREE"))
            res.check(n_round > 0, "round %d: no copy acknowledged before the kill" % rnd)
        res.check(not failures, "%d downloads answered other than 200: %s" % (len(failures), failures[:3]))
        # Receipts of copies acknowledged before the kills verify against the checkpoint now.
        bad = []
        for pid, aid, what, idx, sha in rng.sample(acked, min(20, len(acked))):
            rc = ka.request("GET", "/api/v1/log/receipt?index=%d" % idx, token=tokens[pid]).json()
            entry = base64.b64decode(rc["entry"]["data"])
            _, csize, root, _, _ = parse_checkpoint(rc["checkpoint"])
            if not (checkpoint_signed(rc["checkpoint"], vkey) and json.loads(entry)["sha256"] == sha and
                    verify_inclusion(idx, csize, leaf_hash(entry), b64list(rc["proof"]), root)):
                bad.append(idx)
        res.check(not bad, "receipts of acknowledged copies that do not verify: %s" % bad)
        # Paging needs a log of more than 1,000 entries: a slow (sanitised, loaded) machine makes fewer in the
        # rounds above, so top it up with more downloads, one entry each.
        size = ka.request("GET", "/api/v1/log/entries?start=0&end=1", token=srv.admin).json()["size"]
        for k in range(max(0, 1120 - size)):
            ka.request("GET", "/api/v1/inbox/%s" % aids[k % 2], token=tokens[pids[k % len(pids)]])
        check_paging(srv, ka)
        entries, size = get_entries(ka, srv.admin)
        c, i = random_proofs(ka, tokens[pids[1]], Tree(d for _, d in entries), size, 20, 40)
        print("  %d consistency and %d inclusion proofs verified (log of %d entries)" % (c, i, size))
        ka.close()
        srv.stop()
        p = subprocess.run([fwtest.FOREWARN, "log", "verify", "--data", srv.data], capture_output=True, text=True)
        res.check(p.returncode == 0, "forewarn log verify --data after SIGTERM: %d %s" % (p.returncode, p.stderr))
    finally:
        srv.cleanup()


def main():
    print("seed %d (set FW_SEED to repeat)" % SEED)
    start = time.time()
    test_scenario()
    test_durability()
    print("%.1f s" % (time.time() - start))
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
