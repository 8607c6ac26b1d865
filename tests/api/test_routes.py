#!/usr/bin/env python3
"""API tests of every route in both route tables (src/routes_admin.c, src/routes_partner.c), every role and
every error path, against a real server (docs/api.md, docs/policy.md).

Sections: authentication and routing; partners and tokens; tiers and rules; advisories; bad input (I6:
errors that name the problem, nothing half-written, random bodies never crash the server); the partner API
(inbox, copies, PoC, the 404 rule, deliveries and downloads); partner copies through the CSAF 2.0 validator.
"""
import base64
import collections
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import http.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402
from fwtest import rfc3339  # noqa: E402

R = fwtest.Results()
check = R.check

CVSS_CRIT = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
MIB = 1024 * 1024
BODY_MAX = 8 * MIB
NOW = time.time


def model_limit(name, default):
    """A limit from include/forewarn/model.h (the API's documented limits), or default."""
    try:
        with open(os.path.join(fwtest.SOURCE, "include", "forewarn", "model.h")) as f:
            m = re.search(r"#define\s+%s\s+(\d+)" % name, f.read())
        return int(m.group(1)) if m else default
    except OSError:
        return default


MAX_PRODUCTS = model_limit("FW_MAX_PRODUCTS", 64)
PRODUCT_MAX = model_limit("FW_PRODUCT_MAX", 200)
FUTURE = lambda hours=24 * 30: rfc3339(NOW() + hours * 3600)  # noqa: E731

# Every route: (method, pattern, role, a valid body for write routes). '*' is one path segment.
ROUTES = [
    ("GET", "/api/v1/health", "none", None),
    ("POST", "/api/v1/partners", "admin", {"id": "intruder", "name": "Intruder", "country": "US", "tier": "vetted"}),
    ("GET", "/api/v1/partners", "admin", None),
    ("GET", "/api/v1/partners/*", "admin", None),
    ("PATCH", "/api/v1/partners/*", "admin", {"name": "Changed by an intruder"}),
    ("POST", "/api/v1/partners/*/suspend", "admin", {}),
    ("POST", "/api/v1/partners/*/reinstate", "admin", {}),
    ("POST", "/api/v1/partners/*/remove", "admin", {}),
    ("POST", "/api/v1/partners/*/tokens", "admin", {}),
    ("GET", "/api/v1/partners/*/tokens", "admin", None),
    ("DELETE", "/api/v1/partners/*/tokens/*", "admin", None),
    ("GET", "/api/v1/tiers", "admin", None),
    ("PUT", "/api/v1/tiers", "admin", {"tiers": [{"name": "vetted", "lead_hours": 1},
                                                 {"name": "standard", "lead_hours": 1}]}),
    ("GET", "/api/v1/rules", "admin", None),
    ("PUT", "/api/v1/rules", "admin", {"rules": []}),
    ("POST", "/api/v1/advisories", "admin", {"title": "Intruder", "parts": {"summary": "x"}}),
    ("GET", "/api/v1/advisories", "admin", None),
    ("GET", "/api/v1/advisories/*", "admin", None),
    ("POST", "/api/v1/advisories/*/revisions", "admin", {"parts": {"summary": "intruder"}}),
    ("GET", "/api/v1/advisories/*/revisions", "admin", None),
    ("PUT", "/api/v1/advisories/*/schedule", "admin", {"public_at": "2099-01-01T00:00:00Z"}),
    ("POST", "/api/v1/advisories/*/withdraw", "admin", {}),
    ("POST", "/api/v1/advisories/*/publish", "admin", {}),
    ("GET", "/api/v1/advisories/*/deliveries", "admin", None),
    ("GET", "/api/v1/events", "admin", None),
    ("POST", "/api/v1/trace", "admin", {"text": "a leaked text"}),
    ("GET", "/api/v1/me", "partner", None),
    ("GET", "/api/v1/inbox", "partner", None),
    ("GET", "/api/v1/inbox/*", "partner", None),
    ("GET", "/api/v1/inbox/*/poc", "partner", None),
    ("GET", "/api/v1/inbox/*/sig", "partner", None),
    ("GET", "/api/v1/inbox/*/poc/sig", "partner", None),
    # src/routes_keys.c: the signing key, sealing keys (tests/api/test_signing.py, test_sealing.py)
    ("GET", "/api/v1/keys/signing", "none", None),
    ("GET", "/api/v1/partners/*/seal-key", "admin", None),
    ("PUT", "/api/v1/partners/*/seal-key", "admin", {"public_key": "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="}),
    ("DELETE", "/api/v1/partners/*/seal-key", "admin", None),
    ("GET", "/api/v1/me/seal-key", "partner", None),
    ("PUT", "/api/v1/me/seal-key", "partner", {"public_key": "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="}),
    ("DELETE", "/api/v1/me/seal-key", "partner", None),
]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# The objects whose lists must not change when a request is rejected.
LISTS = ["/api/v1/partners", "/api/v1/advisories", "/api/v1/tiers", "/api/v1/rules"]


def fill(pattern, *ids):
    out, k = [], 0
    for seg in pattern.split("/"):
        if seg == "*":
            out.append(ids[k])
            k += 1
        else:
            out.append(seg)
    return "/".join(out)


def short(r):
    return "%d %r" % (r.status, r.body[:300])


def jbody(r):
    try:
        return r.json()
    except Exception:
        return None


def is_error(r, status, field=None, code=None):
    """r is a JSON error {"error": {"status", "code", "field"?, "message"}} with this status (and field)."""
    j = jbody(r)
    if not isinstance(j, dict) or set(j) != {"error"} or not isinstance(j["error"], dict):
        return False
    e = j["error"]
    ok = (r.status == status and e.get("status") == status and isinstance(e.get("code"), str) and e["code"]
          and isinstance(e.get("message"), str) and e["message"] != ""
          and set(e) <= {"status", "code", "field", "message"}
          and r.headers.get("Content-Type", "").startswith("application/json"))
    if field is not None:
        ok = ok and e.get("field") == field
    if code is not None:
        ok = ok and e.get("code") == code
    return ok


def expect_error(what, r, status, field=None, code=None):
    return check(is_error(r, status, field, code),
                 "%s: expected %d%s%s, got %s" % (what, status, " field=%r" % field if field is not None else "",
                                                   " code=%r" % code if code else "", short(r)))


def expect_status(what, r, status):
    return check(r.status == status, "%s: expected %d, got %s" % (what, status, short(r)))


class State:
    """Snapshots of what an admin can see, to prove that a rejected request wrote nothing."""

    def __init__(self, s):
        self.s = s
        self.cursor = 0

    def events_after(self, seq):
        return self.s.events(seq)

    def last_seq(self):
        evs = self.events_after(self.cursor)
        if evs:
            self.cursor = evs[-1]["seq"]
        return self.cursor

    def snapshot(self):
        return tuple(self.s.request("GET", p, token=self.s.admin).body for p in LISTS), self.last_seq()

    def unchanged(self, snap, what):
        bodies, seq = snap
        now = tuple(self.s.request("GET", p, token=self.s.admin).body for p in LISTS)
        # The scheduler works on its own (deliveries of earlier acts); any other event is a write.
        acts = [e for e in self.events_after(seq) if e["actor"] != "scheduler" and e["type"] != "delivery"]
        ok = check(now == bodies and not acts, "%s: a rejected request changed the state (%s)" % (
            what, acts[:2] if acts else [p for p, a, b in zip(LISTS, bodies, now) if a != b]))
        self.last_seq()
        return ok


def main():
    return R.run_with_server(run, fwtest.Server())


def run(s):
    st = State(s)

    def rejected(what, method, path, body=None, raw=None, status=400, field=None, code=None, token=None):
        """Sends a request that must be refused with a JSON error naming `field`, and must write nothing."""
        snap = st.snapshot()
        r = s.request(method, path, body, raw=raw, token=token or s.admin)
        expect_error(what, r, status, field, code)
        st.unchanged(snap, what)
        return r

    test_routes_table()
    test_auth_and_routing(s, st)
    test_partners(s, st, rejected)
    test_tokens(s, st, rejected)
    test_tiers_rules(s, st, rejected)
    test_advisories(s, st, rejected)
    test_bad_input(s, st, rejected)
    test_fuzz(s, st)
    copies = test_partner_api(s, st)
    test_csaf_validator(copies)


# ---------------------------------------------------------------------------------------------------------
def test_routes_table():
    """The test's route list is the server's: a route added without a test fails here."""
    found = set()
    for name in ("routes_admin.c", "routes_partner.c", "routes_keys.c"):
        path = os.path.join(fwtest.SOURCE, "src", name)
        if not os.path.exists(path):
            print("skip: %s not found; cannot compare the route tables" % path)
            return
        with open(path) as f:
            text = f.read()
        for m in re.finditer(r'\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*ROLE_(\w+)', text):
            found.add((m.group(1), m.group(2), m.group(3).lower()))
    mine = {(m, p, role) for m, p, role, _ in ROUTES}
    check(found == mine, "route tables differ from the test's list: untested %s, gone %s" % (
        sorted(found - mine), sorted(mine - found)))


# ---------------------------------------------------------------------------------------------------------
def test_auth_and_routing(s, st):
    A = s.admin
    r = s.request("GET", "/api/v1/health")
    check(r.status == 200 and jbody(r) == {"status": "ok"}, "GET /health without a token: %s" % short(r))
    check(r.headers.get("Cache-Control") == "no-store", "responses carry Cache-Control: no-store")

    s.create_partner("auth-p")
    ptok = s.admin_call("POST", "/api/v1/partners/auth-p/tokens")
    s.create_advisory(id="auth-adv")
    ids = {"partners": ("auth-p", ptok["id"]), "advisories": ("auth-adv",), "inbox": ("auth-adv",)}
    bad_tokens = ["fw_" + "A" * 43, "fw_" + ptok["token"][3:-2] + "xx", "not-a-token", "x" * 500]

    snap = st.snapshot()
    for method, pattern, role, body in ROUTES:
        if role == "none":
            continue
        coll = pattern.split("/")[3]
        path = fill(pattern, *ids.get(coll, ()))
        what = "%s %s" % (method, pattern)
        r = s.request(method, path, body)
        expect_error(what + " without a token", r, 401, code="unauthenticated")
        check(r.headers.get("WWW-Authenticate", "").startswith("Bearer"),
              what + " without a token: WWW-Authenticate: Bearer is missing (%r)" % r.headers)
        for bt in bad_tokens:
            r = s.request(method, path, body, token=bt)
            expect_error(what + " with a bad token %r" % bt[:12], r, 401, code="unauthenticated")
        for hdr in ("Basic " + base64.b64encode(b"admin:admin").decode(), "Bearer", "Bearer ", A):
            r = s.request(method, path, body, headers={"Authorization": hdr})
            expect_error(what + " with Authorization %r" % hdr[:10], r, 401)
        if role == "admin":
            r = s.request(method, path, body, token=ptok["token"])
            expect_error(what + " with a partner token", r, 403, code="forbidden")
        else:
            r = s.request(method, path, body, token=A)
            expect_error(what + " with the admin token", r, 403, code="forbidden")
    st.unchanged(snap, "401/403 requests")

    # The partner token does work on partner routes, and the admin token on admin routes.
    expect_status("GET /inbox with the partner token", s.request("GET", "/api/v1/inbox", token=ptok["token"]), 200)
    expect_status("GET /partners with the admin token", s.request("GET", "/api/v1/partners", token=A), 200)
    # Bearer is case-insensitive (RFC 6750 / 7235).
    r = s.request("GET", "/api/v1/partners", headers={"Authorization": "bearer " + A})
    expect_status("GET /partners with 'bearer' in lower case", r, 200)

    # Unknown paths: 404 with or without a token, before authentication.
    for path in ["/", "/api", "/api/v1", "/api/v1/", "/api/v2/partners", "/api/v1/nope", "/api/v1/partners/",
                 "/api/v1/partners/auth-p/", "/api/v1/partners/auth-p/tokens/x/y", "/api/v1/partners//tokens",
                 "/api/v1/inbox/auth-adv/poc/x", "/api/v1/inbox/auth-adv/details", "/api/v1/healthz",
                 "/API/V1/HEALTH", "/api/v1/advisories/auth-adv/unknown"]:
        for tok in (None, A):
            r = s.request("GET", path, token=tok)
            expect_error("GET %s (%s)" % (path, "admin" if tok else "no token"), r, 404, code="not_found")
    # Wrong methods on known paths: 405.
    allowed = collections.defaultdict(set)
    for method, pattern, _, _ in ROUTES:
        allowed[pattern].add(method)
    snap = st.snapshot()
    for pattern, ms in allowed.items():
        coll = pattern.split("/")[3]
        path = fill(pattern, *ids.get(coll, ()))
        for m in METHODS:
            if m in ms:
                continue
            for tok in (None, A):
                r = s.request(m, path, {} if m in ("POST", "PUT", "PATCH") else None, token=tok)
                expect_error("%s %s" % (m, pattern), r, 405, code="method_not_allowed")
    st.unchanged(snap, "405 requests")


# ---------------------------------------------------------------------------------------------------------
def test_partners(s, st, rejected):
    A = s.admin
    r = s.request("POST", "/api/v1/partners", {"id": "acme", "name": "Acme Security", "country": "DE",
                                               "tier": "vetted"}, token=A)
    p = jbody(r)
    check(r.status == 201, "create partner: %s" % short(r))
    p = p if isinstance(p, dict) else {}
    check(p == {"id": "acme", "name": "Acme Security", "country": "DE", "tier": "vetted",
                "entitlements": ["summary", "details", "detection"], "nda_version": "", "nda_signed": None,
                "contact_email": "", "status": "active", "created_at": p.get("created_at"),
                "updated_at": p.get("created_at")}, "create partner: the defaults: %s" % short(r))
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p.get("created_at") or "")
          and abs(fwtest.parse_rfc3339(p["created_at"]) - NOW()) < 60, "created_at is RFC 3339 UTC, now")
    full = {"id": "bravo", "name": "Bravo Labs", "country": "US", "tier": "standard",
            "entitlements": ["summary", "poc"], "nda_version": "2026-1", "nda_signed": "2026-01-15",
            "contact_email": "psirt@bravo.example"}
    r = s.request("POST", "/api/v1/partners", full, token=A)
    check(r.status == 201 and all(jbody(r).get(k) == v for k, v in full.items()),
          "create partner with every field: %s" % short(r))
    rejected("duplicate partner", "POST", "/api/v1/partners",
             {"id": "acme", "name": "Other", "country": "FR", "tier": "vetted"}, status=409, field="id",
             code="exists")
    for missing in ("id", "name", "country", "tier"):
        body = {"id": "charlie", "name": "Charlie", "country": "US", "tier": "vetted"}
        del body[missing]
        rejected("create partner without %s" % missing, "POST", "/api/v1/partners", body, field=missing)
    for field, value in [("id", "Bad_Id"), ("id", "-x"), ("id", "x" * 65), ("name", ""), ("name", "x" * 201),
                         ("name", "two\nlines"), ("country", "XX"), ("country", "de"), ("country", "DEU"),
                         ("tier", "gold"), ("entitlements", ["summary", "root"]),
                         ("entitlements", ["summary", "summary"]), ("entitlements", "summary"),
                         ("nda_signed", "2026-13-40"), ("nda_signed", "15/01/2026"), ("contact_email", "nobody"),
                         ("nda_version", "v" * 33), ("status", "active"), ("created_at", "2026-01-01T00:00:00Z")]:
        body = {"id": "charlie", "name": "Charlie", "country": "US", "tier": "vetted", field: value}
        rejected("create partner with %s=%r" % (field, value if len(str(value)) < 30 else "..."),
                 "POST", "/api/v1/partners", body, field=field)

    # List, filters, paging.
    r = s.request("GET", "/api/v1/partners", token=A)
    lst = jbody(r)
    ids = [x["id"] for x in lst["partners"]] if r.status == 200 else []
    check(r.status == 200 and set(lst) == {"partners"} and ids == sorted(ids) and
          {"acme", "bravo", "auth-p"} <= set(ids), "list partners: %s" % short(r))
    s.admin_call("POST", "/api/v1/partners/bravo/suspend")
    r = s.request("GET", "/api/v1/partners?status=suspended", token=A)
    check(r.status == 200 and [x["id"] for x in r.json()["partners"]] == ["bravo"],
          "?status=suspended: %s" % short(r))
    r = s.request("GET", "/api/v1/partners?status=active", token=A)
    check(r.status == 200 and "bravo" not in [x["id"] for x in r.json()["partners"]] and
          all(x["status"] == "active" for x in r.json()["partners"]), "?status=active: %s" % short(r))
    s.admin_call("POST", "/api/v1/partners/bravo/reinstate")
    r = s.request("GET", "/api/v1/partners?limit=1", token=A)
    check(r.status == 200 and [x["id"] for x in r.json()["partners"]] == ids[:1], "?limit=1: %s" % short(r))
    r = s.request("GET", "/api/v1/partners?limit=2&offset=1", token=A)
    check(r.status == 200 and [x["id"] for x in r.json()["partners"]] == ids[1:3],
          "?limit=2&offset=1: %s" % short(r))
    r = s.request("GET", "/api/v1/partners?offset=%d" % len(ids), token=A)
    check(r.status == 200 and r.json() == {"partners": []}, "offset past the end: %s" % short(r))
    for q in ("limit=0", "limit=-1", "limit=abc", "limit=", "limit=100001", "offset=abc", "offset=-1",
              "limit=1x"):
        r = s.request("GET", "/api/v1/partners?" + q, token=A)
        expect_error("GET /partners?%s" % q, r, 400, field="limit" if q.startswith("limit") else None)

    # Show.
    r = s.request("GET", "/api/v1/partners/acme", token=A)
    check(r.status == 200 and r.json() == p, "show partner: %s" % short(r))
    for pid in ("nobody", "UPPER", "a" * 100, "%2e%2e"):
        expect_error("show unknown partner %r" % pid[:10], s.request("GET", "/api/v1/partners/" + pid, token=A),
                     404, code="not_found")

    # PATCH.
    change = {"name": "Acme Security GmbH", "country": "AT", "tier": "standard",
              "entitlements": ["summary", "details", "detection", "poc"], "nda_version": "v2",
              "nda_signed": "2026-02-03", "contact_email": "sec@acme.example"}
    r = s.request("PATCH", "/api/v1/partners/acme", change, token=A)
    q = jbody(r)
    check(r.status == 200 and all(q.get(k) == v for k, v in change.items()) and q["status"] == "active",
          "PATCH partner: %s" % short(r))
    r = s.request("GET", "/api/v1/partners/acme", token=A)
    check(r.status == 200 and r.json() == q, "PATCH persisted: %s" % short(r))
    r = s.request("PATCH", "/api/v1/partners/acme", {"nda_signed": None, "id": "acme", "status": "active"}, token=A)
    check(r.status == 200 and r.json()["nda_signed"] is None,
          "PATCH nda_signed=null, repeating id and status: %s" % short(r))
    expect_status("PATCH with {}", s.request("PATCH", "/api/v1/partners/acme", {}, token=A), 200)
    got = s.request("GET", "/api/v1/partners/acme", token=A).body
    r = s.request("PATCH", "/api/v1/partners/acme", raw=got, token=A)
    check(r.status == 200 and {k: v for k, v in r.json().items() if k != "updated_at"} ==
          {k: v for k, v in json.loads(got).items() if k != "updated_at"},
          "a partner read with GET can be sent back with PATCH unchanged: %s" % short(r))
    for body, field in [({"colour": "red"}, "colour"), ({"country": "XX"}, "country"), ({"country": "at"}, "country"),
                        ({"country": 49}, "country"), ({"tier": "gold"}, "tier"), ({"id": "acme2"}, "id"),
                        ({"status": "suspended"}, "status"), ({"status": "removed"}, "status"),
                        ({"entitlements": ["everything"]}, "entitlements"), ({"name": ""}, "name"),
                        ({"contact_email": "a@b"}, "contact_email"), ({"name": "ok", "tier": "gold"}, "tier")]:
        rejected("PATCH %s" % json.dumps(body), "PATCH", "/api/v1/partners/acme", body, field=field)
    rejected("PATCH unknown partner", "PATCH", "/api/v1/partners/nobody", {"name": "x"}, status=404)

    # The state machine: active -> suspended -> active -> removed (for good).
    s.create_partner("delta")
    dtok = s.partner_token("delta")
    rejected("reinstate an active partner", "POST", "/api/v1/partners/delta/reinstate", status=409, field="status")
    r = s.request("POST", "/api/v1/partners/delta/suspend", {"reason": "late NDA renewal"}, token=A)
    check(r.status == 200 and r.json()["status"] == "suspended", "suspend: %s" % short(r))
    rejected("suspend twice", "POST", "/api/v1/partners/delta/suspend", status=409, field="status", code="conflict")
    expect_status("a suspended partner's token still authenticates",
                  s.request("GET", "/api/v1/inbox", token=dtok), 200)
    r = s.request("POST", "/api/v1/partners/delta/reinstate", token=A)
    check(r.status == 200 and r.json()["status"] == "active", "reinstate: %s" % short(r))
    rejected("action body with an unknown field", "POST", "/api/v1/partners/delta/suspend", {"because": "x"},
             field="because")
    rejected("action body not JSON", "POST", "/api/v1/partners/delta/suspend", raw=b"reason=x")
    rejected("action body reason not a string", "POST", "/api/v1/partners/delta/suspend", {"reason": 5},
             field="reason")
    rejected("action reason too long", "POST", "/api/v1/partners/delta/suspend", {"reason": "x" * 1001},
             field="reason")
    r = s.request("POST", "/api/v1/partners/delta/remove", {"reason": "breach of contract"}, token=A)
    check(r.status == 200 and r.json()["status"] == "removed", "remove: %s" % short(r))
    expect_error("a removed partner's token", s.request("GET", "/api/v1/inbox", token=dtok), 401)
    r = s.request("GET", "/api/v1/partners/delta/tokens", token=A)
    check(r.status == 200 and all(t["revoked_at"] for t in r.json()["tokens"]) and r.json()["tokens"],
          "removal revokes every token: %s" % short(r))
    for act in ("remove", "reinstate", "suspend"):
        rejected("%s a removed partner" % act, "POST", "/api/v1/partners/delta/" + act, status=409, field="status")
    rejected("PATCH a removed partner", "PATCH", "/api/v1/partners/delta", {"name": "x"}, status=409)
    rejected("token for a removed partner", "POST", "/api/v1/partners/delta/tokens", status=409)
    r = s.request("GET", "/api/v1/partners?status=removed", token=A)
    check(r.status == 200 and [x["id"] for x in r.json()["partners"]] == ["delta"], "?status=removed")
    for act in ("suspend", "reinstate", "remove"):
        rejected("%s unknown partner" % act, "POST", "/api/v1/partners/nobody/" + act, status=404)
    evs = st.events_after(0)
    types = [(e["type"], e["subject"]) for e in evs]
    check(("partner.suspended", "delta") in types and ("partner.reinstated", "delta") in types and
          ("partner.removed", "delta") in types and ("partner.created", "acme") in types and
          ("partner.updated", "acme") in types, "partner events are in the log")
    check(any(e["type"] == "partner.suspended" and e["detail"].get("reason") == "late NDA renewal" for e in evs),
          "the suspension event holds the reason")


def test_tokens(s, st, rejected):
    A = s.admin
    s.create_partner("echo")
    r1 = s.request("POST", "/api/v1/partners/echo/tokens", token=A)
    t1 = jbody(r1) or {}
    check(r1.status == 201 and set(t1) == {"id", "partner", "created_at", "revoked_at", "expires_at", "token"} and
          t1["partner"] == "echo" and t1["revoked_at"] is None and t1["expires_at"] is None and
          re.fullmatch(r"[0-9a-f]{16}", t1["id"]),
          "issue token: %s" % short(r1))
    tok = t1.get("token", "")
    m = re.fullmatch(r"fw_([A-Za-z0-9_-]{43,})", tok)
    check(bool(m), "the token is fw_ + at least 43 base64url characters: %r" % tok)
    if m:
        raw = base64.urlsafe_b64decode(m.group(1) + "=" * (-len(m.group(1)) % 4))
        check(len(raw) >= 32, "the token holds at least 256 bits (%d bytes)" % len(raw))
    r2 = s.request("POST", "/api/v1/partners/echo/tokens", {}, token=A)
    t2 = jbody(r2) or {}
    check(r2.status == 201 and t2.get("token") != tok and t2.get("id") != t1.get("id"), "a second token differs")
    rejected("issue token with a reason", "POST", "/api/v1/partners/echo/tokens", {"reason": "x"}, field="reason")
    rejected("issue token for an unknown partner", "POST", "/api/v1/partners/nobody/tokens", status=404)
    expect_status("the token authenticates", s.request("GET", "/api/v1/inbox", token=tok), 200)

    r = s.request("GET", "/api/v1/partners/echo/tokens", token=A)
    lst = jbody(r) or {}
    check(r.status == 200 and sorted(x["id"] for x in lst.get("tokens", [])) == sorted([t1["id"], t2["id"]]),
          "list tokens: %s" % short(r))
    check(all(set(x) == {"id", "partner", "created_at", "revoked_at", "expires_at"} for x in lst.get("tokens", [])) and
          tok.encode() not in r.body and t2["token"].encode() not in r.body and b"fw_" not in r.body,
          "the token listing holds no secrets")
    r = s.request("GET", "/api/v1/partners/echo/tokens?limit=1", token=A)
    check(r.status == 200 and len(r.json()["tokens"]) == 1, "token list paging")
    expect_error("list tokens of an unknown partner", s.request("GET", "/api/v1/partners/nobody/tokens", token=A),
                 404)
    events = s.request("GET", "/api/v1/events?limit=100000", token=A).body
    check(tok.encode() not in events and b"fw_" not in events, "the event log holds no token secrets")

    # Revoke: through the wrong partner it is not found; then 204, the token stops working, again 404.
    rejected("revoke through another partner", "DELETE", "/api/v1/partners/acme/tokens/" + t1["id"], status=404)
    rejected("revoke an unknown token", "DELETE", "/api/v1/partners/echo/tokens/0123456789abcdef", status=404)
    expect_status("the token still works", s.request("GET", "/api/v1/inbox", token=tok), 200)
    r = s.request("DELETE", "/api/v1/partners/echo/tokens/" + t1["id"], token=A)
    check(r.status == 204 and r.body == b"", "revoke: %s" % short(r))
    expect_error("a revoked token", s.request("GET", "/api/v1/inbox", token=tok), 401, code="unauthenticated")
    expect_status("the other token still works", s.request("GET", "/api/v1/inbox", token=t2["token"]), 200)
    rejected("revoke again", "DELETE", "/api/v1/partners/echo/tokens/" + t1["id"], status=404)
    r = s.request("GET", "/api/v1/partners/echo/tokens", token=A)
    rv = {x["id"]: x["revoked_at"] for x in r.json()["tokens"]}
    check(rv.get(t1["id"]) is not None and rv.get(t2["id"]) is None, "the listing shows revoked_at")
    ev = [e for e in st.events_after(0) if e["type"] in ("token.issued", "token.revoked") and e["subject"] == "echo"]
    check(len(ev) == 3, "token events are in the log (%d)" % len(ev))


# ---------------------------------------------------------------------------------------------------------
def test_tiers_rules(s, st, rejected):
    A = s.admin
    r = s.request("GET", "/api/v1/tiers", token=A)
    check(r.status == 200 and r.json() == {"tiers": [{"name": "standard", "lead_hours": 24},
                                                     {"name": "vetted", "lead_hours": 120}]},
          "default tiers: %s" % short(r))
    three = {"tiers": [{"name": "vetted", "lead_hours": 120}, {"name": "standard", "lead_hours": 24},
                       {"name": "premium", "lead_hours": 240}]}
    r = s.request("PUT", "/api/v1/tiers", three, token=A)
    check(r.status == 200 and r.json() == {"tiers": sorted(three["tiers"], key=lambda t: t["name"])},
          "PUT tiers (replace) answers the new tiers: %s" % short(r))
    check(s.request("GET", "/api/v1/tiers", token=A).body == r.body, "GET tiers after PUT")
    s.create_partner("foxtrot", tier="premium")
    rejected("removing a tier in use", "PUT", "/api/v1/tiers",
             {"tiers": [{"name": "vetted", "lead_hours": 120}, {"name": "standard", "lead_hours": 24}]},
             status=409, field="tiers", code="conflict")
    for body, field in [
        ({"tiers": [{"name": "vetted", "lead_hours": -1}]}, "tiers[0].lead_hours"),
        ({"tiers": [{"name": "vetted", "lead_hours": 8761}]}, "tiers[0].lead_hours"),
        ({"tiers": [{"name": "vetted", "lead_hours": "120"}]}, "tiers[0].lead_hours"),
        ({"tiers": [{"name": "vetted", "lead_hours": 1.5}]}, "tiers[0].lead_hours"),
        ({"tiers": [{"name": "premium", "lead_hours": 1}, {"name": "vetted", "lead_hours": None}]},
         "tiers[1].lead_hours"),
        ({"tiers": [{"name": "Bad Name", "lead_hours": 1}]}, "tiers[0].name"),
        ({"tiers": [{"name": 7, "lead_hours": 1}]}, "tiers[0].name"),
        ({"tiers": [{"name": "vetted", "lead_hours": 1}, {"name": "vetted", "lead_hours": 2}]}, "tiers[1].name"),
        ({"tiers": [{"name": "vetted", "lead_hours": 1, "colour": "red"}]}, "tiers[0].colour"),
        ({"tiers": [{"name": "vetted"}]}, "tiers[0]"),
        ({"tiers": ["vetted"]}, "tiers[0]"),
        ({"tiers": []}, "tiers"),
        ({"tiers": {"vetted": 1}}, "tiers"),
        ({}, "tiers"),
        ({"tiers": [{"name": "vetted", "lead_hours": 1}], "extra": 1}, "extra"),
        ({"tiers": [{"name": "t%d" % i, "lead_hours": 1} for i in range(33)]}, "tiers"),
    ]:
        rejected("PUT tiers %s" % json.dumps(body)[:60], "PUT", "/api/v1/tiers", body, field=field)
    s.admin_call("PATCH", "/api/v1/partners/foxtrot", {"tier": "vetted"})

    r = s.request("GET", "/api/v1/rules", token=A)
    rules = jbody(r) or {}
    check(r.status == 200 and len(rules.get("rules", [])) == 1 and rules["rules"][0]["id"] == "mandatory-reporting"
          and rules["rules"][0]["countries"] == [] and rules["rules"][0]["max_lead_hours"] == 0
          and rules["rules"][0]["parts"] == ["summary"], "the default rule: %s" % short(r))
    good = {"rules": [{"id": "mandatory-reporting", "description": "Reporting law", "countries": ["RU", "CN"],
                       "max_lead_hours": 0, "parts": ["summary"]},
                      {"id": "slow", "description": "", "countries": ["BR"], "max_lead_hours": 12,
                       "parts": ["summary", "details"]}]}
    r = s.request("PUT", "/api/v1/rules", good, token=A)
    check(r.status == 200 and sorted(r.json()["rules"], key=lambda x: x["id"]) ==
          sorted(good["rules"], key=lambda x: x["id"]), "PUT rules: %s" % short(r))
    check(s.request("GET", "/api/v1/rules", token=A).body == r.body, "GET rules after PUT")

    def rule(**kw):
        base = {"id": "r1", "countries": ["RU"], "max_lead_hours": 0, "parts": ["summary"]}
        base.update(kw)
        return {"rules": [base]}
    for body, field in [
        (rule(countries=["ZZ"]), "rules[0].countries"),
        (rule(countries=["ru"]), "rules[0].countries"),
        (rule(countries=["RUS"]), "rules[0].countries"),
        (rule(countries="RU"), "rules[0].countries"),
        (rule(countries=[7]), "rules[0].countries"),
        ({"rules": [rule()["rules"][0], rule(id="r2", countries=["DE", "QQ"])["rules"][0]]}, "rules[1].countries"),
        (rule(parts=["everything"]), "rules[0].parts"),
        (rule(parts="summary"), "rules[0].parts"),
        (rule(max_lead_hours=-5), "rules[0].max_lead_hours"),
        (rule(max_lead_hours=9000), "rules[0].max_lead_hours"),
        (rule(id="Bad Id"), "rules[0].id"),
        (rule(description="x" * 201), "rules[0].description"),
        (rule(colour="red"), "rules[0].colour"),
        ({"rules": [{"id": "r1", "countries": ["RU"], "parts": ["summary"]}]}, "rules[0]"),
        ({"rules": [rule()["rules"][0], rule()["rules"][0]]}, "rules[1].id"),
        ({"rules": "none"}, "rules"),
        ({}, "rules"),
        ({"rules": [], "tiers": []}, "tiers"),
    ]:
        rejected("PUT rules %s" % json.dumps(body)[:70], "PUT", "/api/v1/rules", body, field=field)
    r = s.request("PUT", "/api/v1/rules", {"rules": []}, token=A)
    check(r.status == 200 and r.json() == {"rules": []}, "PUT rules: none at all: %s" % short(r))
    s.admin_call("PUT", "/api/v1/rules", good)


# ---------------------------------------------------------------------------------------------------------
def product_names(doc):
    names = set()
    tree = doc.get("product_tree", {})
    for p in tree.get("full_product_names", []):
        names.add(p["name"])

    def walk(branches):
        for b in branches:
            if "product" in b:
                names.add(b["product"]["name"])
            walk(b.get("branches", []))
    walk(tree.get("branches", []))
    return names


def test_advisories(s, st, rejected):
    A = s.admin
    t = FUTURE()
    body = {"id": "adv-full", "title": "Remote code execution in Example Server", "cves": ["CVE-2026-1001"],
            "products": ["Example Server 2.0", "Example Server 2.1"], "cvss_v3": CVSS_CRIT, "public_at": t,
            "note": "first draft",
            "parts": {"summary": "S", "details": "D", "detection": "T", "poc": "P"}}
    r = s.request("POST", "/api/v1/advisories", body, token=A)
    a = jbody(r) or {}
    check(r.status == 201, "create advisory: %s" % short(r))
    check(a.get("id") == "adv-full" and a.get("status") == "scheduled" and a.get("public_at") == t and
          a.get("revision") == 1 and a.get("parts") == body["parts"] and a.get("cves") == body["cves"] and
          a.get("products") == body["products"] and a.get("title") == body["title"],
          "create advisory: the answer: %s" % short(r))
    check(a.get("cvss_v3") == CVSS_CRIT and a.get("cvss_score") == 9.8 and a.get("cvss_severity") == "CRITICAL",
          "CVSS 9.8 CRITICAL computed: %r %r" % (a.get("cvss_score"), a.get("cvss_severity")))
    revs = a.get("revisions") or [{}]
    check(len(revs) == 1 and revs[0].get("number") == 1 and revs[0].get("note") == "first draft",
          "create advisory: revision 1 in the history: %r" % revs)
    check(revs[0].get("parts") == ["summary", "details", "detection", "poc"],
          "revision history lists the revision's parts: %r" % revs[0].get("parts"))
    for vector, score, sev in [("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "MEDIUM"),
                               ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "HIGH"),
                               ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "CRITICAL"),
                               ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "NONE")]:
        r = s.request("POST", "/api/v1/advisories", {"title": "Score", "cvss_v3": vector,
                                                     "parts": {"summary": "s"}}, token=A)
        j = jbody(r) or {}
        check(r.status == 201 and j.get("cvss_score") == score and j.get("cvss_severity") == sev,
              "CVSS %s -> %s %s: %s" % (vector, score, sev, short(r)))

    # Automatic ids: fw-YYYY-NNNN, increasing; a draft has no T.
    r1 = s.request("POST", "/api/v1/advisories", {"title": "Auto", "parts": {"summary": "s"}}, token=A)
    r2 = s.request("POST", "/api/v1/advisories", {"title": "Auto 2", "parts": {"summary": "s"}, "cvss_v3": None},
                   token=A)
    a1, a2 = jbody(r1) or {}, jbody(r2) or {}
    year = time.strftime("%Y", time.gmtime())
    check(r1.status == 201 and re.fullmatch(r"fw-%s-\d{4}" % year, a1.get("id", "")) and a1["status"] == "draft"
          and a1["public_at"] is None and a1["cvss_v3"] is None and a1["cvss_score"] is None,
          "auto id and draft: %s" % short(r1))
    check(r2.status == 201 and a2.get("id", "") > a1.get("id", ""), "auto ids increase: %s %s" % (
        a1.get("id"), a2.get("id")))

    # From CSAF documents.
    examples = sorted(glob.glob(os.path.join(fwtest.SHARED, "csaf", "examples", "*.json")))
    if not examples:
        print("skip: no CSAF examples under %s/csaf/examples" % fwtest.SHARED)
    imported = 0
    for f in examples:
        with open(f) as fh:
            doc = json.load(fh)
        r = s.request("POST", "/api/v1/advisories", {"csaf": doc}, token=A)
        cves = [v["cve"] for v in doc.get("vulnerabilities", []) if "cve" in v]
        names = product_names(doc)
        if len(names) > MAX_PRODUCTS or any(len(n.encode()) > PRODUCT_MAX for n in names):
            check(is_error(r, 400) and r.json()["error"].get("field", "").startswith("csaf.product_tree"),
                  "CSAF %s (over the product limits): %s" % (os.path.basename(f), short(r)))
            continue
        j = jbody(r) or {}
        check(r.status == 201 and j.get("title") == doc["document"]["title"] and j.get("cves") == cves and
              j.get("status") == "draft" and j.get("parts", {}).get("summary"),
              "import CSAF %s: %s" % (os.path.basename(f), short(r)))
        imported += r.status == 201
    if examples:
        check(imported > 0, "at least one CSAF example imports")
        with open(examples[0]) as fh:
            doc = json.load(fh)
        r = s.request("POST", "/api/v1/advisories", {"id": "from-csaf", "public_at": t, "note": "import",
                                                     "csaf": doc}, token=A)
        j = jbody(r) or {}
        check(r.status == 201 and j.get("id") == "from-csaf" and j.get("status") == "scheduled" and
              j.get("public_at") == t, "import CSAF with id and public_at: %s" % short(r))

    # List, filter, paging, show.
    r = s.request("GET", "/api/v1/advisories", token=A)
    lst = [x["id"] for x in r.json()["advisories"]]
    check(r.status == 200 and "adv-full" in lst and a1.get("id") in lst and lst == sorted(lst) and
          all("parts" not in x for x in r.json()["advisories"]), "list advisories: %s" % short(r))
    r = s.request("GET", "/api/v1/advisories?status=draft", token=A)
    check(r.status == 200 and a1.get("id") in [x["id"] for x in r.json()["advisories"]] and
          all(x["status"] == "draft" for x in r.json()["advisories"]), "?status=draft")
    r = s.request("GET", "/api/v1/advisories?status=scheduled&limit=1", token=A)
    check(r.status == 200 and len(r.json()["advisories"]) == 1 and r.json()["advisories"][0]["id"] == "adv-full",
          "?status=scheduled&limit=1: %s" % short(r))
    r = s.request("GET", "/api/v1/advisories?limit=1&offset=1", token=A)
    check(r.status == 200 and [x["id"] for x in r.json()["advisories"]] == lst[1:2], "?limit=1&offset=1")
    expect_error("advisories?limit=0", s.request("GET", "/api/v1/advisories?limit=0", token=A), 400, field="limit")
    r = s.request("GET", "/api/v1/advisories/adv-full", token=A)
    check(r.status == 200 and r.json() == a, "show advisory = the create answer: %s" % short(r))
    expect_error("show unknown advisory", s.request("GET", "/api/v1/advisories/nope", token=A), 404)

    # Revisions.
    r = s.request("POST", "/api/v1/advisories/adv-full/revisions",
                  {"note": "details corrected", "title": "RCE in Example Server", "cves": ["CVE-2026-1001",
                                                                                       "CVE-2026-1002"],
                   "parts": {"summary": "S2", "details": "D2"}}, token=A)
    j = jbody(r) or {}
    check(r.status == 201 and j.get("revision") == 2 and j.get("parts") == {"summary": "S2", "details": "D2"} and
          j.get("title") == "RCE in Example Server" and len(j.get("cves", [])) == 2 and
          j.get("products") == body["products"] and j.get("status") == "scheduled",
          "POST revision: %s" % short(r))
    r = s.request("GET", "/api/v1/advisories/adv-full/revisions", token=A)
    rv = (jbody(r) or {}).get("revisions", [])
    check(r.status == 200 and [x["number"] for x in rv] == [1, 2] and rv[1]["note"] == "details corrected" and
          all(set(x) == {"number", "created_at", "note", "parts"} for x in rv), "GET revisions: %s" % short(r))
    check([x.get("parts") for x in rv] == [["summary", "details", "detection", "poc"], ["summary", "details"]],
          "GET revisions lists each revision's parts: %r" % [x.get("parts") for x in rv])
    for b, field, status in [({"note": "x"}, "parts", 400), ({"parts": {"exploit": "x", "summary": "s"}},
                                                             "parts.exploit", 400),
                             ({"parts": {"details": "x"}}, "parts.summary", 400),
                             ({"parts": {"summary": ""}}, "parts.summary", 400),
                             ({"parts": {"summary": 5}}, "parts.summary", 400),
                             ({"parts": ["summary"]}, "parts", 400),
                             ({"parts": {"summary": "s"}, "public_at": t}, "public_at", 400),
                             ({"parts": {"summary": "s"}, "cvss_v3": "CVSS:3.1/AV:N"}, "cvss_v3", 400),
                             ({"parts": {"summary": "s"}, "cves": ["CVE-1"]}, "cves", 400),
                             ({"parts": {"summary": "s"}, "note": "two\nlines"}, "note", 400)]:
        rejected("POST revision %s" % json.dumps(b)[:60], "POST", "/api/v1/advisories/adv-full/revisions", b,
                 field=field, status=status)
    rejected("revise unknown", "POST", "/api/v1/advisories/nope/revisions", {"parts": {"summary": "s"}}, status=404)
    expect_error("revisions of unknown", s.request("GET", "/api/v1/advisories/nope/revisions", token=A), 404)

    # Schedule.
    t2 = FUTURE(24 * 10)
    r = s.request("PUT", "/api/v1/advisories/%s/schedule" % a1["id"], {"public_at": t2}, token=A)
    check(r.status == 200 and r.json()["status"] == "scheduled" and r.json()["public_at"] == t2,
          "schedule a draft: %s" % short(r))
    t3 = "2099-06-30T12:00:00.500+02:00"
    r = s.request("PUT", "/api/v1/advisories/%s/schedule" % a1["id"], {"public_at": t3}, token=A)
    check(r.status == 200 and r.json()["public_at"] == "2099-06-30T10:00:00Z",
          "reschedule with an offset, normalised to UTC: %s" % short(r))
    sched = "/api/v1/advisories/%s/schedule" % a1["id"]
    for b, field in [({"public_at": "2020-01-01T00:00:00Z"}, "public_at"), ({"public_at": rfc3339(NOW() - 5)},
                                                                            "public_at"),
                     ({"public_at": "tomorrow"}, "public_at"), ({"public_at": "2026-13-01T00:00:00Z"}, "public_at"),
                     ({"public_at": "2099-01-01"}, "public_at"), ({"public_at": 4102444800}, "public_at"),
                     ({"public_at": None}, "public_at"), ({}, "public_at"),
                     ({"public_at": t2, "when": "now"}, "when")]:
        rejected("schedule %s" % json.dumps(b), "PUT", sched, b, field=field)
    rejected("schedule unknown", "PUT", "/api/v1/advisories/nope/schedule", {"public_at": t2}, status=404)

    # Publish, withdraw.
    r = s.request("POST", "/api/v1/advisories/%s/publish" % a2["id"], token=A)
    j = jbody(r) or {}
    check(r.status == 200 and j.get("status") == "public" and
          abs(fwtest.parse_rfc3339(j.get("public_at") or "1970-01-01T00:00:00Z") - NOW()) < 60,
          "publish a draft now: %s" % short(r))
    rejected("publish twice", "POST", "/api/v1/advisories/%s/publish" % a2["id"], status=409, field="status")
    rejected("schedule a public advisory", "PUT", "/api/v1/advisories/%s/schedule" % a2["id"], {"public_at": t2},
             status=409)
    rejected("publish with a reason", "POST", "/api/v1/advisories/%s/publish" % a1["id"], {"reason": "x"},
             field="reason")
    r = s.request("POST", "/api/v1/advisories/%s/withdraw" % a1["id"], {"reason": "duplicate"}, token=A)
    check(r.status == 200 and r.json()["status"] == "withdrawn", "withdraw: %s" % short(r))
    wd = "/api/v1/advisories/%s/" % a1["id"]
    rejected("withdraw twice", "POST", wd + "withdraw", status=409, field="status")
    rejected("publish withdrawn", "POST", wd + "publish", status=409)
    rejected("schedule withdrawn", "PUT", wd + "schedule", {"public_at": t2}, status=409)
    rejected("revise withdrawn", "POST", wd + "revisions", {"parts": {"summary": "s"}}, status=409)
    for act in ("withdraw", "publish"):
        rejected("%s unknown" % act, "POST", "/api/v1/advisories/nope/" + act, status=404)
    r = s.request("GET", "/api/v1/advisories?status=withdrawn", token=A)
    check(r.status == 200 and [x["id"] for x in r.json()["advisories"]] == [a1["id"]], "?status=withdrawn")

    # Deliveries report: the shape (contents are checked in the partner section).
    r = s.request("GET", "/api/v1/advisories/%s/deliveries" % a1["id"], token=A)
    check(r.status == 200 and r.json() == {"advisory": a1["id"], "deliveries": [], "downloads": []},
          "deliveries report of an advisory without deliveries: %s" % short(r))
    expect_error("deliveries of unknown", s.request("GET", "/api/v1/advisories/nope/deliveries", token=A), 404)
    expect_error("deliveries ?limit=x", s.request("GET", "/api/v1/advisories/adv-full/deliveries?limit=x",
                                                  token=A), 400, field="limit")

    # Events.
    r = s.request("GET", "/api/v1/events", token=A)
    evs = (jbody(r) or {}).get("events", [])
    check(r.status == 200 and evs and all(set(e) == {"seq", "at", "type", "actor", "subject", "detail"} and
                                          isinstance(e["detail"], dict) for e in evs),
          "events: shape: %s" % short(r))
    seqs = [e["seq"] for e in evs]
    check(seqs == list(range(1, len(seqs) + 1)), "events are numbered 1, 2, ... without gaps")
    types = {e["type"] for e in evs}
    check({"tiers.changed", "rules.changed", "token.issued", "token.revoked", "partner.created", "advisory.created",
           "advisory.revised", "advisory.scheduled", "advisory.published", "advisory.withdrawn"} <= types,
          "events of every act: %s" % sorted(types))
    check(all(e["actor"].startswith("admin:") or e["actor"] in ("init", "scheduler") for e in evs),
          "event actors")
    r = s.request("GET", "/api/v1/events?after=3&limit=2", token=A)
    check(r.status == 200 and [e["seq"] for e in r.json()["events"]] == [4, 5], "events ?after=3&limit=2")
    r = s.request("GET", "/api/v1/events?after=%d" % seqs[-1], token=A)
    check(r.status == 200 and all(e["seq"] > seqs[-1] for e in r.json()["events"]), "events ?after=last")
    for q, field in [("after=x", "after"), ("after=-1", "after"), ("limit=0", "limit"), ("after=", "after")]:
        expect_error("events?%s" % q, s.request("GET", "/api/v1/events?" + q, token=A), 400, field=field)


# ---------------------------------------------------------------------------------------------------------
def test_bad_input(s, st, rejected):
    ok_adv = {"title": "T", "parts": {"summary": "s"}}
    ok_partner = {"id": "golf", "name": "Golf", "country": "US", "tier": "vetted"}
    write_routes = [("POST", "/api/v1/partners"), ("PATCH", "/api/v1/partners/acme"),
                    ("PUT", "/api/v1/tiers"), ("PUT", "/api/v1/rules"), ("POST", "/api/v1/advisories"),
                    ("POST", "/api/v1/advisories/adv-full/revisions"), ("PUT", "/api/v1/advisories/adv-full/schedule"),
                    ("POST", "/api/v1/partners/acme/suspend"), ("POST", "/api/v1/advisories/adv-full/publish")]
    for method, path in write_routes:
        for raw, what in [(b"{", "truncated JSON"), (b'{"a":1,}', "trailing comma"), (b"[]", "an array"),
                          (b"42", "a number"), (b"null", "null"), (b'"text"', "a string"), (b"\xff\xfe{}", "not UTF-8"),
                          (b"{} {}", "two values"), (b"[" * 5000 + b"]" * 5000, "deep nesting"),
                          (b'{"x":"\xc3\x28"}', "invalid UTF-8 in a string")]:
            rejected("%s %s: %s" % (method, path, what), method, path, raw=raw)
        if method not in ("POST",) or not path.endswith(("suspend", "publish")):
            rejected("%s %s: empty body" % (method, path), method, path, raw=b"")
    # Unknown fields, wrong types, duplicate keys.
    for body, field in [(dict(ok_partner, nickname="g"), "nickname"), (dict(ok_partner, name=5), "name"),
                        (dict(ok_partner, entitlements="summary"), "entitlements"), (dict(ok_partner, id=None), "id"),
                        (dict(ok_partner, country=["US"]), "country"), (dict(ok_partner, name="a\u0000b"), None),
                        (dict(ok_partner, country="ZZ"), "country"), (dict(ok_partner, tier="gold"), "tier")]:
        rejected("create partner %s" % field, "POST", "/api/v1/partners", body, field=field)
    rejected("duplicate keys", "POST", "/api/v1/partners",
             raw=b'{"id":"golf","id":"hotel","name":"G","country":"US","tier":"vetted"}')
    for body, field, status in [
            (dict(ok_adv, severity="high"), "severity", 400), (dict(ok_adv, title=5), "title", 400),
            (dict(ok_adv, title=""), "title", 400), (dict(ok_adv, title="x" * 301), "title", 400),
            (dict(ok_adv, cves="CVE-2026-1"), "cves", 400), (dict(ok_adv, cves=["CVE-26-1"]), "cves", 400),
            (dict(ok_adv, cves=["CVE-2026-1234", "CVE-2026-1234"]), "cves", 400),
            (dict(ok_adv, cves=["CVE-2026-%04d" % i for i in range(65)]), "cves", 400),
            (dict(ok_adv, products=[""]), "products", 400), (dict(ok_adv, products="P"), "products", 400),
            (dict(ok_adv, parts=[]), "parts", 400), (dict(ok_adv, parts={}), "parts.summary", 400),
            (dict(ok_adv, parts={"summary": "s", "poc": 1}), "parts.poc", 400),
            (dict(ok_adv, parts={"summary": "s", "exploit": "x"}), "parts.exploit", 400),
            (dict(ok_adv, cvss_v3="CVSS:3.1/AV:N/AC:L"), "cvss_v3", 400),
            (dict(ok_adv, cvss_v3="CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C"), "cvss_v3", 400),
            (dict(ok_adv, cvss_v3="CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "cvss_v3", 400),
            (dict(ok_adv, cvss_v3="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:N"), "cvss_v3", 400),
            (dict(ok_adv, cvss_v3=9.8), "cvss_v3", 400),
            (dict(ok_adv, public_at=rfc3339(NOW() - 3600)), "public_at", 400),
            (dict(ok_adv, public_at="next Tuesday"), "public_at", 400),
            (dict(ok_adv, id="Not A Slug"), "id", 400), (dict(ok_adv, id="adv-full"), "id", 409),
            (dict(ok_adv, parts={"summary": "x" * (MIB + 1)}), "parts.summary", 413),
            (dict(ok_adv, parts={"summary": "s", "details": "x" * (MIB + 1)}), "parts.details", 413),
            ({"parts": {"summary": "s"}}, "title", 400), ({"title": "T"}, "parts", 400)]:
        rejected("create advisory %s" % field, "POST", "/api/v1/advisories", body, field=field, status=status)
    r = s.request("POST", "/api/v1/advisories", dict(ok_adv, id="exactly-1mib", parts={"summary": "x" * MIB}),
                  token=s.admin)
    expect_status("a part of exactly 1 MiB is accepted", r, 201)
    # Invalid CSAF: the error names the csaf.* field.
    examples = sorted(glob.glob(os.path.join(fwtest.SHARED, "csaf", "examples", "*.json")))
    doc = json.load(open(examples[0])) if examples else {
        "document": {"category": "csaf_base", "csaf_version": "2.0", "publisher": {
            "category": "vendor", "name": "V", "namespace": "https://v.example"}, "title": "T",
            "tracking": {"id": "X-1", "status": "final", "version": "1", "initial_release_date": "2026-01-01T00:00:00Z",
                         "current_release_date": "2026-01-01T00:00:00Z", "revision_history": []}}}

    def mutate(fn):
        d = json.loads(json.dumps(doc))
        fn(d)
        return {"csaf": d}
    for body, field in [
            (mutate(lambda d: d["document"].__setitem__("csaf_version", "1.2")), "csaf.document.csaf_version"),
            (mutate(lambda d: d["document"].pop("title")), "csaf.document.title"),
            (mutate(lambda d: d["document"].__setitem__("title", "")), "csaf.document.title"),
            (mutate(lambda d: d["document"].pop("publisher")), "csaf.document.publisher"),
            (mutate(lambda d: d["document"]["tracking"].pop("id")), "csaf.document.tracking.id"),
            (mutate(lambda d: d.pop("document")), "csaf.document"),
            (mutate(lambda d: d.__setitem__("vulnerabilities", [{"cve": "CVE-XX"}])), "csaf.vulnerabilities[0].cve"),
            (mutate(lambda d: d.__setitem__("vulnerabilities", [{"scores": [{"cvss_v3": {"vectorString": "bad"}}]}])),
             "csaf.vulnerabilities[0].scores[0].cvss_v3.vectorString"),
            (mutate(lambda d: d.__setitem__("vulnerabilities", "none")), "csaf.vulnerabilities"),
            (mutate(lambda d: d.__setitem__("product_tree", {"full_product_names": [{"product_id": "X"}]})),
             "csaf.product_tree.full_product_names[0].name"),
            ({"csaf": "document"}, "csaf"), ({"csaf": [doc]}, "csaf"),
            (dict(mutate(lambda d: None), title="T"), "title"),
            (dict(mutate(lambda d: None), parts={"summary": "s"}), "parts")]:
        rejected("invalid CSAF: %s" % field, "POST", "/api/v1/advisories", body, field=field)

    # Bodies over 8 MiB: 413, with a Content-Length and chunked; exactly 8 MiB is read (and is bad JSON here).
    head, tail = b'{"title":"T","parts":{"summary":"', b'"}}'
    big = head + b"A" * (BODY_MAX + 1 - len(head) - len(tail)) + tail
    check(len(big) == BODY_MAX + 1, "the big body is 8 MiB + 1")
    for path in ("/api/v1/advisories", "/api/v1/partners", "/api/v1/advisories/adv-full/revisions",
                 "/api/v1/nope"):
        r = rejected("8 MiB + 1 to %s" % path, "POST", path, raw=big, status=413, code="too_large")
    r = rejected("exactly 8 MiB of garbage", "POST", "/api/v1/advisories", raw=b"x" * BODY_MAX, status=400)
    r = rejected("8 MiB + 1 without a token", "POST", "/api/v1/advisories", raw=big, status=413, token="fw_none")
    snap = st.snapshot()
    r = chunked_post(s, "/api/v1/advisories", big, s.admin)
    expect_error("8 MiB + 1 chunked", r, 413, code="too_large")
    st.unchanged(snap, "8 MiB + 1 chunked")
    expect_status("health after big bodies", s.request("GET", "/api/v1/health"), 200)


def chunked_post(s, path, data, token):
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Authorization", "Bearer " + token)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        step = 256 * 1024
        for i in range(0, len(data), step):
            chunk = data[i:i + step]
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        resp = conn.getresponse()
        return fwtest.Response(resp.status, dict(resp.getheaders()), resp.read())
    finally:
        conn.close()


def test_fuzz(s, st):
    """200 random byte strings (fixed seed) to every POST/PUT/PATCH route: always a 4xx JSON error, no crash,
    nothing written."""
    rng = random.Random(20261121)
    bodies = []
    for i in range(200):
        n = rng.choice([1, 2, 3, 8, 30, 100, 1000, 5000])
        b = rng.randbytes(n)
        if i % 4 == 1:
            b = b"{" + b
        elif i % 4 == 2:
            b = b'{"' + bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(1, 12))) + b'":' + b
        elif i % 4 == 3:
            b = bytes(rng.choice(b'{}[]":,0123456789.eE+-truefalsn \\u') for _ in range(n))
        bodies.append(b)
    routes = [(m, fill(p, *{"partners": ("acme", "0123456789abcdef"), "advisories": ("adv-full",)}.get(
        p.split("/")[3], ()))) for m, p, role, _ in ROUTES if m in ("POST", "PUT", "PATCH")]
    check(len(routes) == 16, "fuzzing %d write routes" % len(routes))
    for method, path in routes:
        snap = st.snapshot()
        bad = []
        for b in bodies:
            r = s.request(method, path, raw=b, token=s.admin)
            j = jbody(r)
            if not (400 <= r.status < 500 and isinstance(j, dict) and isinstance(j.get("error"), dict) and
                    isinstance(j["error"].get("message"), str) and j["error"]["message"]):
                bad.append((b[:40], short(r)))
        check(not bad, "%s %s: random bodies must get a 4xx JSON error: %d did not, e.g. %r" % (
            method, path, len(bad), bad[:3]))
        alive = s.proc.poll() is None and s.request("GET", "/api/v1/health").status == 200
        check(alive, "%s %s: the server still answers /health after random bodies" % (method, path))
        if not alive:
            return
        st.unchanged(snap, "%s %s random bodies" % (method, path))


# ---------------------------------------------------------------------------------------------------------
MARK = {"summary": "MARK-SUMMARY-q7Zp", "details": "MARK-DETAILS-w3Kx", "detection": "MARK-DETECTION-e9Lm",
        "poc": "MARK-POC-r2Vn"}
MARK2 = {k: v.replace("MARK-", "MARK2-") for k, v in MARK.items()}
ALL = ["summary", "details", "detection", "poc"]


def parts_text(marks):
    return {"summary": "Summary. %s" % marks["summary"],
            "details": "Technical details and reproduction steps. %s" % marks["details"],
            "detection": "Detection guidance: look for %s in logs." % marks["detection"],
            "poc": "#!/usr/bin/env python3\n# %s\nimport socket\nprint('poc')\n" % marks["poc"]}


def test_partner_api(s, st):
    A = s.admin
    copies = {}
    downloads = []  # (advisory, partner, what, revision, parts)
    # Earlier sections left public advisories, visible to every partner: withdraw them so inboxes are exact.
    for a in s.admin_call("GET", "/api/v1/advisories?status=public")["advisories"]:
        s.admin_call("POST", "/api/v1/advisories/%s/withdraw" % a["id"])
    # Policy: the shipped tiers, mandatory reporting on RU.
    s.admin_call("PUT", "/api/v1/rules", {"rules": [{"id": "mandatory-reporting", "countries": ["RU"],
                                                     "max_lead_hours": 0, "parts": ["summary"]}]})
    tok = {}
    for pid, tier, country, ent in [("vet-amber", "vetted", "US", None), ("vet-red", "vetted", "GB", ALL),
                                    ("std", "standard", "US", ALL), ("ru-co", "vetted", "RU", ALL),
                                    ("susp", "vetted", "FR", ALL)]:
        s.create_partner(pid, tier=tier, country=country, entitlements=ent)
        tok[pid] = s.partner_token(pid)
    T = int(NOW()) + 72 * 3600
    s.create_advisory(id="emb", public_at=T, parts=parts_text(MARK))
    s.create_advisory(id="draft1", parts=parts_text(MARK))
    s.create_advisory(id="gone", public_at=T, parts=parts_text(MARK))
    s.admin_call("POST", "/api/v1/advisories/gone/withdraw")
    T_soon = int(NOW()) + 8
    s.create_advisory(id="soon", public_at=T_soon, parts=parts_text(MARK))
    T_std = int(NOW()) + 24 * 3600 + 5
    s.create_advisory(id="std-soon", public_at=T_std, parts={"summary": "std soon"})

    def inbox(pid):
        r = s.request("GET", "/api/v1/inbox", token=tok[pid])
        check(r.status == 200 and set(r.json()) == {"advisories"}, "inbox of %s: %s" % (pid, short(r)))
        return {x["id"]: x for x in r.json()["advisories"]} if r.status == 200 else {}

    def copy(pid, aid, what="csaf"):
        r = s.request("GET", "/api/v1/inbox/%s%s" % (aid, "/poc" if what == "poc" else ""), token=tok[pid])
        return r

    def got(pid, aid, rev, parts, what="csaf", tlp=None, marks=MARK, label=None):
        """Downloads and checks a copy: exactly `parts` (by marker), the TLP; records the download."""
        r = copy(pid, aid, what)
        ok = check(r.status == 200, "%s downloads %s %s: %s" % (pid, aid, what, short(r)))
        if not ok:
            return r
        downloads.append((aid, pid, what, rev, tuple(parts)))
        # Recorded before it was served (I3): the report shows it as soon as the answer is in.
        rep = report(aid, "?partner=" + pid)
        n = sum(1 for d in rep["downloads"] if d["what"] == what and d["revision"] == rev)
        check(n == sum(1 for k in downloads if k[:4] == (aid, pid, what, rev)),
              "%s's download of %s %s is in the report at once" % (pid, aid, what))
        if what == "poc":
            check(r.headers.get("Content-Type", "").startswith("text/plain") and
                  r.body.decode() == parts_text(marks)["poc"], "%s: the PoC is the text, as text/plain" % pid)
            return r
        check(r.headers.get("Content-Type", "").startswith("application/json"), "a copy is application/json")
        doc = jbody(r) or {}
        text = r.body.decode("utf-8", "replace")
        for p in ALL:
            present = marks[p] in text
            check(present == (p in parts), "%s's copy of %s %s the %s" % (
                pid, aid, "lacks" if p in parts else "holds", p))
        # Markers of other revisions never leak either.
        other = MARK2 if marks is MARK else MARK
        check(not any(m in text for m in other.values()), "%s's copy of %s holds no other revision's text" % (
            pid, aid))
        d = doc.get("document", {})
        check(d.get("distribution", {}).get("tlp", {}).get("label") == tlp, "%s's copy of %s is TLP:%s, got %r" % (
            pid, aid, tlp, d.get("distribution", {}).get("tlp")))
        check(d.get("tracking", {}).get("id") == aid and d.get("tracking", {}).get("version") == str(rev) and
              len(d.get("tracking", {}).get("revision_history", [])) == rev and d.get("csaf_version") == "2.0",
              "%s's copy of %s: tracking id and version %d" % (pid, aid, rev))
        if label:
            copies[label] = r.body
        return r

    def nf(what, r, ref):
        check(r.status == 404 and r.body == ref.body and
              r.headers.get("Content-Type") == ref.headers.get("Content-Type"),
              "%s: 404 byte-identical to a nonexistent advisory, got %s" % (what, short(r)))

    ref = s.request("GET", "/api/v1/inbox/no-such-advisory", token=tok["vet-amber"])
    expect_error("nonexistent advisory", ref, 404, code="not_found")
    check(set(ref.json()["error"]) == {"status", "code", "message"}, "the 404 names no field")

    # Before anything is released: the scheduler records the deliveries due now (vetted: T - 120 h < now).
    def report(aid, q=""):
        r = s.request("GET", "/api/v1/advisories/%s/deliveries%s" % (aid, q), token=A)
        check(r.status == 200 and set(r.json()) == {"advisory", "deliveries", "downloads"} and
              r.json()["advisory"] == aid, "deliveries report of %s: %s" % (aid, short(r)))
        return r.json() if r.status == 200 else {"deliveries": [], "downloads": []}

    deadline = NOW() + 10
    while NOW() < deadline:
        dl = {(d["partner"], d["revision"]) for d in report("emb")["deliveries"]}
        if {("vet-amber", 1), ("vet-red", 1), ("susp", 1)} <= dl:
            break
        time.sleep(0.2)
    rep = report("emb")
    dl = {d["partner"]: d for d in rep["deliveries"]}
    leads = {t["name"]: t["lead_hours"] for t in s.admin_call("GET", "/api/v1/tiers")["tiers"]}
    due = {p["id"] for p in s.admin_call("GET", "/api/v1/partners?status=active")["partners"]
           if leads.get(p["tier"], 0) >= 72 and p["country"] != "RU" and p["entitlements"]}
    check({"vet-amber", "vet-red", "susp"} <= due and due == set(dl), "the scheduler delivered emb to exactly the "
          "active partners with a lead of 72 h or more outside RU, before any download: %s, want %s" % (
              sorted(dl), sorted(due)))
    if "vet-red" in dl:
        d = dl["vet-red"]
        # Due at T - 120 h, but never before the revision existed: the revision's time, i.e. now.
        check(set(d) == {"partner", "revision", "parts", "due_at", "delivered_at"} and d["parts"] == ALL and
              d["revision"] == 1 and abs(fwtest.parse_rfc3339(d["due_at"]) - NOW()) < 60 and
              abs(fwtest.parse_rfc3339(d["delivered_at"]) - NOW()) < 60, "delivery record of vet-red: %r" % d)
    if "vet-amber" in dl:
        check(dl["vet-amber"]["parts"] == ["summary", "details", "detection"], "vet-amber's delivery parts")
    check(rep["downloads"] == [], "no downloads yet")

    # The inboxes: exactly what each partner may see now.
    # soon (T in seconds) and std-soon (T - 24 h in seconds) are within every vetted partner's lead already.
    ib = inbox("vet-amber")
    check(set(ib) == {"emb", "soon", "std-soon"}, "vet-amber's inbox is exactly emb, soon, std-soon: %s" % sorted(ib))
    if "emb" in ib:
        check(ib["emb"] == {"id": "emb", "title": "Test advisory", "cves": ["CVE-2026-1234"], "revision": 1,
                            "parts": ["summary", "details", "detection"], "tlp": "AMBER", "public_at": rfc3339(T),
                            "status": "embargoed"}, "vet-amber's inbox item: %r" % ib["emb"])
    ib = inbox("vet-red")
    check(set(ib) == {"emb", "soon", "std-soon"} and ib["emb"]["parts"] == ALL and ib["emb"]["tlp"] == "RED",
          "vet-red sees emb with the PoC, RED: %r" % ib)
    ib = inbox("std")
    check("emb" not in ib, "the standard partner does not see emb 72 h before T")
    check(set(ib) == {"soon"} and ib["soon"]["tlp"] == "RED", "the standard partner sees exactly soon: %r" % ib)
    check(inbox("ru-co") == {}, "restricted-country partner sees nothing before T")

    # Copies.
    got("vet-amber", "emb", 1, ["summary", "details", "detection"], tlp="AMBER", label="amber")
    got("vet-red", "emb", 1, ALL, tlp="RED", label="red")
    r2 = copy("vet-red", "emb")
    check(r2.status == 200 and r2.body == copies.get("red"), "a copy is byte-identical on every download")
    downloads.append(("emb", "vet-red", "csaf", 1, tuple(ALL)))
    got("vet-red", "emb", 1, ALL, what="poc")
    got("susp", "emb", 1, ALL, tlp="RED")
    check(b"vet-red" in copies.get("red", b"") and b"vet-amber" not in copies.get("red", b""),
          "the copy names its own recipient only")
    nf("vet-amber GET emb/poc (not entitled)", copy("vet-amber", "emb", "poc"), ref)
    for pid in ("std", "ru-co"):
        nf("%s GET emb (too early)" % pid, copy(pid, "emb"), ref)
        nf("%s GET emb/poc (too early)" % pid, copy(pid, "emb", "poc"), ref)
    for pid in ("vet-amber", "vet-red", "std", "ru-co"):
        for aid in ("draft1", "gone", "no-such-advisory", "NOT-A-SLUG", "x" * 65, "x" * 600, "adv-full-"):
            nf("%s GET %s" % (pid, aid[:20]), copy(pid, aid), ref)
            nf("%s GET %s/poc" % (pid, aid[:20]), copy(pid, aid, "poc"), ref)
    check("draft1" not in inbox("vet-red") and "gone" not in inbox("vet-red"), "drafts and withdrawn are not listed")

    # A standard partner gets access at T - 24 h, on its own (std-soon: T - 24 h is a few seconds away).
    check("std-soon" not in inbox("std"), "std-soon: not yet for the standard partner")
    nf("std GET std-soon before T - 24 h", copy("std", "std-soon"), ref)
    time.sleep(max(0.0, T_std - 24 * 3600 - NOW()) + 1.2)
    ib = inbox("std")
    check("std-soon" in ib and ib["std-soon"]["tlp"] == "AMBER" and ib["std-soon"]["parts"] == ["summary"],
          "std-soon: the standard partner sees it at T - 24 h: %r" % ib.get("std-soon"))
    got("std", "std-soon", 1, ["summary"], tlp="AMBER", marks={"summary": "std soon", "details": "\x00",
                                                                 "detection": "\x00", "poc": "\x00"})

    # A new revision goes to everyone who has access, and replaces the old text.
    s.admin_call("POST", "/api/v1/advisories/emb/revisions", {"note": "second wave", "parts": parts_text(MARK2)})
    deadline = NOW() + 10
    while NOW() < deadline:
        dl = {(d["partner"], d["revision"]) for d in report("emb")["deliveries"]}
        if {("vet-amber", 2), ("vet-red", 2), ("susp", 2)} <= dl:
            break
        time.sleep(0.2)
    check({("vet-amber", 2), ("vet-red", 2), ("susp", 2)} <= dl and not any(p in ("std", "ru-co") for p, _ in dl),
          "revision 2 is delivered again to every partner with access: %s" % sorted(dl))
    ib = inbox("vet-red")
    check(ib.get("emb", {}).get("revision") == 2, "the inbox shows revision 2")
    got("vet-red", "emb", 2, ALL, tlp="RED", marks=MARK2, label="red-rev2")
    got("vet-amber", "emb", 2, ["summary", "details", "detection"], tlp="AMBER", marks=MARK2)

    # A suspended partner loses what is not yet public, also a copy it downloaded before; reinstated, regains it.
    s.admin_call("POST", "/api/v1/partners/susp/suspend")
    nf("suspended partner GET emb (downloaded before)", copy("susp", "emb"), ref)
    nf("suspended partner GET emb/poc", copy("susp", "emb", "poc"), ref)
    check(inbox("susp") == {}, "a suspended partner's inbox is empty")
    s.admin_call("POST", "/api/v1/partners/susp/reinstate")
    got("susp", "emb", 2, ALL, tlp="RED", marks=MARK2)

    # Entitlement change takes effect on the next request.
    s.admin_call("PATCH", "/api/v1/partners/vet-red", {"entitlements": ["summary", "details"]})
    nf("vet-red GET emb/poc after losing the poc entitlement", copy("vet-red", "emb", "poc"), ref)
    got("vet-red", "emb", 2, ["summary", "details"], tlp="AMBER", marks=MARK2)
    s.admin_call("PATCH", "/api/v1/partners/vet-red", {"entitlements": ALL})

    # Schedule, tier, rule and revision changes take effect on the next request.
    s.create_advisory(id="pol", public_at=T, parts=parts_text(MARK))
    got("vet-red", "pol", 1, ALL, tlp="RED")
    s.admin_call("PUT", "/api/v1/advisories/pol/schedule", {"public_at": rfc3339(NOW() + 30 * 24 * 3600)})
    nf("vet-red GET pol after T moved past its lead", copy("vet-red", "pol"), ref)
    check("pol" not in inbox("vet-red"), "pol leaves the inbox when T moves past the lead")
    s.admin_call("PUT", "/api/v1/advisories/pol/schedule", {"public_at": rfc3339(T)})
    got("vet-red", "pol", 1, ALL, tlp="RED")
    tiers = s.admin_call("GET", "/api/v1/tiers")
    s.admin_call("PUT", "/api/v1/tiers", {"tiers": [dict(t, lead_hours=24) if t["name"] == "vetted" else t
                                                   for t in tiers["tiers"]]})
    nf("vet-red GET pol after its tier's lead shrank to 24 h", copy("vet-red", "pol"), ref)
    s.admin_call("PUT", "/api/v1/tiers", tiers)
    rules = s.admin_call("GET", "/api/v1/rules")
    s.admin_call("PUT", "/api/v1/rules", {"rules": rules["rules"] + [
        {"id": "gb-cap", "countries": ["GB"], "max_lead_hours": 200, "parts": ["summary", "details"]}]})
    ib = inbox("vet-red")
    check(ib.get("pol", {}).get("parts") == ["summary", "details"] and ib["pol"]["tlp"] == "AMBER",
          "a rule on the partner's country caps its parts at once: %r" % ib.get("pol"))
    got("vet-red", "pol", 1, ["summary", "details"], tlp="AMBER")
    nf("vet-red GET pol/poc under a rule without poc", copy("vet-red", "pol", "poc"), ref)
    s.admin_call("PUT", "/api/v1/rules", rules)
    s.admin_call("POST", "/api/v1/advisories/pol/revisions",
                 {"parts": {k: v for k, v in parts_text(MARK2).items() if k in ("summary", "details")}})
    got("vet-red", "pol", 2, ["summary", "details"], tlp="AMBER", marks=MARK2)
    nf("vet-red GET pol/poc when the revision has no PoC (P9)", copy("vet-red", "pol", "poc"), ref)
    s.admin_call("POST", "/api/v1/advisories/pol/withdraw")

    # T passes for "soon" (no admin act): public for everyone, each within its parts cap, TLP:WHITE.
    time.sleep(max(0.0, T_soon - NOW()) + 1.2)
    ib = inbox("ru-co")
    check(set(ib) == {"soon"} and ib["soon"]["parts"] == ["summary"] and ib["soon"]["tlp"] == "WHITE" and
          ib["soon"]["status"] == "public", "restricted partner after T: soon, summary only, WHITE: %r" % ib)
    got("ru-co", "soon", 1, ["summary"], tlp="WHITE", label="restricted-white")
    nf("ru-co GET soon/poc (rule excludes it, after T too)", copy("ru-co", "soon", "poc"), ref)
    got("std", "soon", 1, ALL, tlp="WHITE", label="white")
    got("std", "soon", 1, ALL, what="poc")
    got("vet-amber", "soon", 1, ["summary", "details", "detection"], tlp="WHITE")
    nf("vet-amber GET soon/poc (not entitled, after T too)", copy("vet-amber", "soon", "poc"), ref)
    deadline = NOW() + 10
    while NOW() < deadline and s.admin_call("GET", "/api/v1/advisories/soon")["status"] != "public":
        time.sleep(0.2)
    check(s.admin_call("GET", "/api/v1/advisories/soon")["status"] == "public", "the scheduler publishes at T")
    # The copy names no partner once public.
    check("restricted-white" in copies and b"ru-co" not in copies["restricted-white"] and
          "white" in copies and not re.search(rb"\bstd\b", copies["white"]), "a public copy names no partner")

    # Publish emb now: the restricted partner gets the summary only; suspended partners see public advisories.
    s.admin_call("POST", "/api/v1/partners/susp/suspend")
    s.admin_call("POST", "/api/v1/advisories/emb/publish")
    got("ru-co", "emb", 2, ["summary"], tlp="WHITE", marks=MARK2, label="restricted-emb")
    got("vet-red", "emb", 2, ALL, tlp="WHITE", marks=MARK2, label="white-rev2")
    got("susp", "emb", 2, ALL, tlp="WHITE", marks=MARK2)
    nf("ru-co GET emb/poc after publication", copy("ru-co", "emb", "poc"), ref)

    # Every download is in the report, from 127.0.0.1, and a delivery exists for it.
    for aid in ("emb", "soon", "std-soon", "pol"):
        rep = report(aid)
        want = collections.Counter((p, w, rv, pa) for a, p, w, rv, pa in downloads if a == aid)
        have = collections.Counter((d["partner"], d["what"], d["revision"], tuple(d["parts"]))
                                   for d in rep["downloads"])
        check(want == have, "%s: downloads report = the downloads made: want %s, have %s" % (aid, want, have))
        check(all(d["address"] == "127.0.0.1" and set(d) == {"partner", "revision", "what", "parts", "address",
                                                              "at"} for d in rep["downloads"]),
              "%s: download records hold the address 127.0.0.1" % aid)
        dels = {(d["partner"], d["revision"], tuple(d["parts"])) for d in rep["deliveries"]}
        missing = [k for k in want if (k[0], k[2], k[3]) not in dels]
        check(not missing, "%s: a delivery exists for every download: missing %s" % (aid, missing))
        check(len(dels) == len(rep["deliveries"]), "%s: no delivery is recorded twice" % aid)
        # Filter and paging.
        only = report(aid, "?partner=std")
        check(all(d["partner"] == "std" for d in only["deliveries"] + only["downloads"]) and
              len(only["downloads"]) == sum(1 for k in downloads if k[0] == aid and k[1] == "std"),
              "%s: ?partner=std" % aid)
        one = report(aid, "?limit=1")
        check(len(one["deliveries"]) == min(1, len(rep["deliveries"])) and
              len(one["downloads"]) == min(1, len(rep["downloads"])), "%s: ?limit=1" % aid)
        if len(rep["downloads"]) > 1:
            two = report(aid, "?limit=1&offset=1")
            check(two["downloads"] == rep["downloads"][1:2], "%s: ?limit=1&offset=1" % aid)
    evs = st.events_after(0)
    check(any(e["type"] == "download" and e["subject"] == "emb/vet-red" for e in evs) and
          any(e["type"] == "delivery" and e["subject"] == "emb/vet-red" for e in evs),
          "deliveries and downloads are in the event log")
    text = json.dumps(evs)
    check(not any(m in text for m in list(MARK.values()) + list(MARK2.values())),
          "the event log holds no advisory text")

    # Withdrawn: 404 for everyone, also for what was public; gone from every inbox.
    s.admin_call("POST", "/api/v1/partners/susp/reinstate")
    s.admin_call("POST", "/api/v1/advisories/emb/withdraw", {"reason": "retracted"})
    s.admin_call("POST", "/api/v1/advisories/soon/withdraw")
    for pid in tok:
        for aid in ("emb", "soon"):
            nf("%s GET withdrawn %s" % (pid, aid), copy(pid, aid), ref)
            nf("%s GET withdrawn %s/poc" % (pid, aid), copy(pid, aid, "poc"), ref)
        check(not ({"emb", "soon"} & set(inbox(pid))), "%s: withdrawn advisories leave the inbox" % pid)
    # Removed: the token no longer authenticates.
    s.admin_call("POST", "/api/v1/partners/vet-amber/remove")
    expect_error("removed partner GET inbox", s.request("GET", "/api/v1/inbox", token=tok["vet-amber"]), 401)
    expect_error("removed partner GET std-soon", s.request("GET", "/api/v1/inbox/std-soon",
                                                           token=tok["vet-amber"]), 401)
    return copies


def test_csaf_validator(copies):
    here = os.path.dirname(os.path.abspath(__file__))
    csaf_dir = os.path.join(here, "..", "csaf")
    script = os.path.join(csaf_dir, "validate.mjs")
    if not os.path.isdir(os.path.join(csaf_dir, "node_modules")) or not os.path.exists(script):
        print("skip: CSAF validation (no tests/csaf/node_modules or validate.mjs)")
        return
    if not shutil.which("node"):
        print("skip: CSAF validation (node is not installed)")
        return
    want = ["amber", "red", "red-rev2", "white", "white-rev2", "restricted-white", "restricted-emb"]
    check(all(k in copies for k in want), "copies to validate: %s" % sorted(copies))
    if not copies:
        return
    d = tempfile.mkdtemp(prefix="fw-csaf-")
    try:
        files = []
        for k in sorted(copies):
            path = os.path.join(d, "%s.json" % k)
            with open(path, "wb") as f:
                f.write(copies[k])
            files.append(path)
        p = subprocess.run(["node", script] + files, capture_output=True, text=True, timeout=120)
        check(p.returncode == 0, "partner copies pass the CSAF 2.0 validator:\n%s%s" % (p.stdout, p.stderr))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
