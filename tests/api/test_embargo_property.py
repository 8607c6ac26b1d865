#!/usr/bin/env python3
"""
Embargo property test through the real API: invariants I1 (no part before its time) and I2 (no part beyond the
partner's entitlements and the jurisdiction rules), against a Python oracle of docs/policy.md (rules P1..P9).

There is no fake clock: instants vary because every advisory's release time T is chosen relative to the real now,
with offsets spread around the partners' release boundaries (T - lead +- seconds, minutes, hours; T itself soon;
published now; drafts; withdrawn). Rounds of random mutations (reschedule, revise, withdraw, publish, suspend,
reinstate, remove, PATCH tier/country/entitlements, new rules and tiers) alternate with checks of random
(partner, advisory) pairs: GET /api/v1/inbox, GET /api/v1/inbox/{id}, GET /api/v1/inbox/{id}/poc with the
partner's token. Every part text holds a marker unique per (advisory, part, revision); a copy must hold exactly
the markers of the parts the oracle allows, never one of a denied part, an older revision or another advisory.

A case is one (partner, advisory, part) check at one request instant. The oracle is evaluated at the whole second
before the request and the one after; if they differ (a boundary was crossed during the request) the case is
skipped and counted. The deliveries report of every advisory is checked against the oracle state in effect when
each delivery was recorded (I1: never before T - lead; I2: never beyond the cap; recorded exactly the parts
allowed then), and after quiet periods every pair with access must have its delivery.

Environment: FOREWARN_BIN (the server), FW_SEED (random seed), FW_MIN_CASES (default 10000),
FW_MIN_SECONDS (run the rounds at least this long, default 60: boundaries are crossed in real time),
FW_TIME_BUDGET (at most this long, default 200).
"""
import copy
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402

H = 3600
PARTS = ("summary", "details", "detection", "poc")
MARK_RE = re.compile(rb"FWMK[0-9a-f]{20}")
DEFAULT_SEED = 20260611
SEED = int(os.environ.get("FW_SEED", DEFAULT_SEED))
MIN_CASES = int(os.environ.get("FW_MIN_CASES", 10000))
TARGET_CASES = int(MIN_CASES * 1.25)
WORKERS = 4  # partner requests run in parallel threads, each over its own keep-alive connections
TIME_BUDGET = float(os.environ.get("FW_TIME_BUDGET", 200))
MIN_SECONDS = float(os.environ.get("FW_MIN_SECONDS", 60))  # real time lets boundaries be crossed live
REMOVED = "removed"
NONEXISTENT = "adv-does-not-exist"

COUNTRIES = ["US"] * 6 + ["DE"] * 3 + ["FR"] * 2 + ["GB"] * 2 + ["JP"] * 2 + ["IN"] * 3 + ["BR"] * 2 + \
            ["CN"] * 3 + ["RU"] * 2 + ["IL", "KR"]
TIER_NAMES = ["vetted", "standard", "early", "late", "zero"]


# ---------------------------------------------------------------------------------------------------------------
# The oracle: docs/policy.md, rule by rule.

class World:
    """What the server should hold: tiers, rules, partners and advisories (markers only; texts are kept apart)."""

    def __init__(self):
        self.tiers = {}      # name -> lead in seconds
        self.rules = []      # dicts: id, countries (frozenset), max_lead (s), parts (frozenset)
        self.partners = {}   # id -> dict(tier, country, ent (frozenset), status)
        self.advs = {}       # id -> dict(status, T (epoch s or 0), rev, parts {part: marker})


def eff_lead(w, p):
    """The tier's lead (unknown tier: 0, fail closed), lowered by every matching rule."""
    lead = w.tiers.get(p["tier"], 0)
    for r in w.rules:
        if p["country"] in r["countries"]:
            lead = min(lead, r["max_lead"])
    return max(lead, 0)


def parts_cap(w, p):
    """Entitlements intersected with the parts of every matching rule."""
    cap = set(p["ent"])
    for r in w.rules:
        if p["country"] in r["countries"]:
            cap &= r["parts"]
    return frozenset(cap)


def is_public(a, now):
    return a["status"] == "public" or (a["status"] == "scheduled" and now >= a["T"])


def decide(w, p, a, part, now):
    """(allow, rule id) for one part, checking the rules in the order of docs/policy.md."""
    if p["status"] == "removed":
        return False, "P3"
    if a["status"] in ("draft", "withdrawn"):
        return False, "P4"
    if part not in a["parts"]:
        return False, "P9"
    if part not in p["ent"]:
        return False, "P5"
    if part not in parts_cap(w, p):
        return False, "P6"
    if is_public(a, now):
        return True, "P1"
    if p["status"] == "suspended":
        return False, "P7"
    if now < a["T"] - eff_lead(w, p):
        return False, "P8"
    return True, "P2"


def access(w, pid, aid, now):
    """REMOVED, or (allowed parts, public flag); the flag only matters when some part is allowed."""
    p, a = w.partners[pid], w.advs[aid]
    if p["status"] == "removed":
        return REMOVED
    parts = frozenset(part for part in PARTS if decide(w, p, a, part, now)[0])
    return (parts, is_public(a, now) if parts else False)


def expected_tlp(parts, public):
    return "WHITE" if public else ("RED" if "poc" in parts else "AMBER")


# ---------------------------------------------------------------------------------------------------------------

class PropertyTest:
    def __init__(self, srv):
        self.srv = srv
        self.rng = random.Random(SEED)
        self.res = fwtest.Results()
        self.ka = fwtest.KeepAlive(srv)  # admin
        # Partner requests go over several keep-alive connections from several threads, so several server
        # threads (and whatever each of them caches) answer them, and downloads are group-committed together.
        self.pconns = [fwtest.KeepAlive(srv) for _ in range(2 * WORKERS)]
        self.lock = threading.Lock()
        self.w = World()
        self.hist = [(-1e18, -1e18, World())]  # (sent, answered, state after) of every acknowledged mutation
        self.tokens = {}
        self.markers = {}  # marker -> (advisory, part, revision)
        self.texts = {}    # marker -> text of the part
        self.adv_seq = 0
        self.notfound = None
        self.count = {"copy": 0, "poc": 0, "list": 0, "removed": 0}
        self.skipped = {"copy": 0, "poc": 0, "list": 0}
        self.rule_stats = {}
        self.near = {"release<=60s": 0, "release<=1h": 0, "T<=60s": 0}
        self.mutations = {}
        self.delivery_keys = set()
        self.downloaded = set()  # (advisory, partner, revision, parts) fetched by this test: not the scheduler's
        self.deliveries_checked = 0
        self.completeness_checked = 0
        self.failures_shown = 0

    # -- helpers ------------------------------------------------------------------------------------------------
    def check(self, cond, what):
        with self.lock:
            if not cond:
                self.failures_shown += 1
                if self.failures_shown > 200:
                    self.res.failed += 1
                    return False
            return self.res.check(cond, what)

    def add(self, counter, key, n=1):
        with self.lock:
            counter[key] = counter.get(key, 0) + n

    def admin(self, method, path, body=None):
        t0 = time.time()
        r = self.ka.request(method, path, body, token=self.srv.admin)
        return r, t0, time.time()

    def commit(self, t0, t1, kind):
        self.hist.append((t0, t1, copy.deepcopy(self.w)))
        self.mutations[kind] = self.mutations.get(kind, 0) + 1

    def new_marker(self, aid, part, rev):
        while True:
            m = "FWMK%020x" % self.rng.getrandbits(80)
            if m not in self.markers:
                break
        self.markers[m] = (aid, part, rev)
        return m

    def part_text(self, part, m):
        if part == "summary":
            return "A flaw in the request parser of Example Product allows remote code execution. Reference %s." % m
        if part == "details":
            return "Technical details: a length field is trusted before the copy. Trace identifier %s." % m
        if part == "detection":
            return "Detection: alert on requests whose path carries the indicator %s." % m
        return "#!/usr/bin/env python3\n# Proof of concept.\nINDICATOR = \"%s\"\nprint(INDICATOR)\n" % m

    def random_parts(self, aid, rev):
        present = ["summary"] + [p for p in PARTS[1:] if self.rng.random() < 0.6]
        markers = {p: self.new_marker(aid, p, rev) for p in present}
        body = {}
        for p, m in markers.items():
            self.texts[m] = self.part_text(p, m)
            body[p] = self.texts[m]
        return markers, body

    def live_leads(self):
        return sorted({0} | {eff_lead(self.w, p) for p in self.w.partners.values() if p["status"] != "removed"})

    def pick_T(self, now):
        """A release time around some partner's boundary T - lead, relative to the real now."""
        lead = self.rng.choice(self.live_leads())
        k = self.rng.random()
        if k < 0.30:
            d = self.rng.uniform(0.5, 15)            # crossed a few rounds later
        elif k < 0.40:
            d = self.rng.uniform(-15, 0)             # just crossed
        elif k < 0.45:
            d = self.rng.choice([0, 1, -1])          # right at the boundary
        elif k < 0.65:
            d = self.rng.uniform(-3600, 3600)        # minutes
        elif k < 0.90:
            d = self.rng.uniform(-40 * H, 40 * H)    # hours
        else:
            lead, d = 0, self.rng.uniform(3, 30)    # T itself, soon
        t = int(now + lead + d)
        if t <= now + 3:
            t = int(now) + 4 + self.rng.randint(0, 60)
        return t

    # -- resynchronisation after an unexpected answer (already counted as a failure) -------------------------
    def resync_adv(self, aid):
        r = self.ka.request("GET", "/api/v1/advisories/" + aid, token=self.srv.admin)
        if r.status != 200:
            return
        j = r.json()
        a = self.w.advs[aid]
        a["status"] = j["status"]
        a["T"] = int(fwtest.parse_rfc3339(j["public_at"])) if j["public_at"] else 0
        if j["revision"] != a["rev"]:
            a["rev"] = j["revision"]
            a["parts"] = {}
            for p, text in j.get("parts", {}).items():
                m = MARK_RE.search(text.encode())
                if m:
                    a["parts"][p] = m.group().decode()
        self.commit(time.time(), time.time(), "resync")

    def resync_partner(self, pid):
        r = self.ka.request("GET", "/api/v1/partners/" + pid, token=self.srv.admin)
        if r.status == 200:
            j = r.json()
            self.w.partners[pid].update(tier=j["tier"], country=j["country"], ent=frozenset(j["entitlements"]),
                                        status=j["status"])
            self.commit(time.time(), time.time(), "resync")

    def resync_policy(self):
        t = self.ka.admin_call("GET", "/api/v1/tiers")
        self.w.tiers = {x["name"]: x["lead_hours"] * H for x in t["tiers"]}
        r = self.ka.admin_call("GET", "/api/v1/rules")
        self.w.rules = [dict(id=x["id"], countries=frozenset(x["countries"]), max_lead=x["max_lead_hours"] * H,
                             parts=frozenset(x["parts"])) for x in r["rules"]]
        self.commit(time.time(), time.time(), "resync")

    # -- policy mutations ---------------------------------------------------------------------------------------
    def put_tiers(self, tiers):
        body = {"tiers": [{"name": n, "lead_hours": l // H} for n, l in sorted(tiers.items())]}
        r, t0, t1 = self.admin("PUT", "/api/v1/tiers", body)
        in_use = {p["tier"] for p in self.w.partners.values() if p["status"] != "removed"}
        expect = 200 if in_use <= set(tiers) else 409
        if not self.check(r.status == expect, "PUT /api/v1/tiers %s: expected %d, got %r" % (body, expect, r)):
            self.resync_policy()
            return
        if r.status == 200:
            got = {x["name"]: x["lead_hours"] * H for x in r.json()["tiers"]}
            self.check(got == tiers, "PUT /api/v1/tiers answered %s, expected %s" % (got, tiers))
            self.w.tiers = dict(tiers)
            self.commit(t0, t1, "tiers")

    def put_rules(self, rules):
        body = {"rules": [{"id": x["id"], "countries": sorted(x["countries"]), "max_lead_hours": x["max_lead"] // H,
                           "parts": [p for p in PARTS if p in x["parts"]]} for x in rules]}
        r, t0, t1 = self.admin("PUT", "/api/v1/rules", body)
        if not self.check(r.status == 200, "PUT /api/v1/rules %s: %r" % (body, r)):
            self.resync_policy()
            return
        self.w.rules = [dict(x) for x in rules]
        self.commit(t0, t1, "rules")

    def random_rules(self):
        rng = self.rng
        rules = [dict(id="mandatory-reporting", countries=frozenset(["CN", "RU"] + (["KR"] if rng.random() < 0.3 else [])),
                      max_lead=0, parts=frozenset(["summary"]))]
        if rng.random() < 0.85:
            rules.append(dict(id="cap-in", countries=frozenset(["IN"] + (["BR"] if rng.random() < 0.3 else [])),
                              max_lead=rng.choice([0, 6, 12, 12, 24]) * H,
                              parts=frozenset(p for p in PARTS if p == "summary" or rng.random() < 0.6)))
        if rng.random() < 0.5:
            rules.append(dict(id="overlap", countries=frozenset(rng.sample(["IN", "BR", "DE", "JP"], 2)),
                              max_lead=rng.choice([3, 48, 100, 200]) * H,
                              parts=frozenset(p for p in PARTS if rng.random() < 0.7)))
        return rules

    def mutate_tiers(self):
        tiers = dict(self.w.tiers)
        for name in ("early", "late", "standard", "vetted"):
            if self.rng.random() < 0.4:
                tiers[name] = self.rng.choice({"early": [48, 72, 96], "late": [3, 6, 9], "standard": [24, 30],
                                               "vetted": [120, 96]}[name]) * H
        if self.rng.random() < 0.3:
            if "spare" in tiers:
                del tiers["spare"]   # 409 while a partner still uses it
            else:
                tiers["spare"] = self.rng.choice([1, 48, 200]) * H
        self.put_tiers(tiers)

    # -- partner mutations --------------------------------------------------------------------------------------
    def partner_act(self, pid, act):
        p = self.w.partners[pid]
        allowed = {"suspend": "active", "reinstate": "suspended"}.get(act)
        expect = 200 if (p["status"] == allowed if allowed else p["status"] != "removed") else 409
        r, t0, t1 = self.admin("POST", "/api/v1/partners/%s/%s" % (pid, act), {"reason": "property test"})
        if not self.check(r.status == expect, "POST /api/v1/partners/%s/%s (status %s): expected %d, got %r"
                          % (pid, act, p["status"], expect, r)):
            self.resync_partner(pid)
            return
        if r.status == 200:
            p["status"] = {"suspend": "suspended", "reinstate": "active", "remove": "removed"}[act]
            self.check(r.json()["status"] == p["status"], "%s %s answered %r" % (act, pid, r))
            self.commit(t0, t1, act)

    def create_partner(self):
        """A new partner (also while advisories are under way: it receives the revision current then)."""
        rng = self.rng
        pid = "p%02d" % len(self.w.partners)
        tier = rng.choice(sorted(self.w.tiers) if self.w.partners else TIER_NAMES)
        country = rng.choice(COUNTRIES)
        ent = [] if rng.random() < 0.05 else [x for x in PARTS if rng.random() < 0.65]
        body = {"id": pid, "name": "Partner %s" % pid, "country": country, "tier": tier, "entitlements": ent}
        r, t0, t1 = self.admin("POST", "/api/v1/partners", body)
        if not self.check(r.status == 201, "POST /api/v1/partners %s: %r" % (body, r)):
            return
        self.tokens[pid] = self.ka.admin_call("POST", "/api/v1/partners/%s/tokens" % pid)["token"]
        self.w.partners[pid] = dict(tier=tier, country=country, ent=frozenset(ent), status="active")
        self.commit(t0, t1, "partner")

    def patch_partner(self, pid):
        p = self.w.partners[pid]
        body = {}
        while not body:
            if self.rng.random() < 0.4:
                body["tier"] = self.rng.choice(sorted(self.w.tiers))
            if self.rng.random() < 0.4:
                body["country"] = self.rng.choice(COUNTRIES)
            if self.rng.random() < 0.5:
                body["entitlements"] = [x for x in PARTS if self.rng.random() < 0.6]
        r, t0, t1 = self.admin("PATCH", "/api/v1/partners/" + pid, body)
        expect = 409 if p["status"] == "removed" else 200
        if not self.check(r.status == expect, "PATCH %s %s: expected %d, got %r" % (pid, body, expect, r)):
            self.resync_partner(pid)
            return
        if r.status == 200:
            if "tier" in body:
                p["tier"] = body["tier"]
            if "country" in body:
                p["country"] = body["country"]
            if "entitlements" in body:
                p["ent"] = frozenset(body["entitlements"])
            j = r.json()
            self.check((j["tier"], j["country"], set(j["entitlements"])) == (p["tier"], p["country"], set(p["ent"])),
                       "PATCH %s answered %r" % (pid, r))
            self.commit(t0, t1, "patch")

    # -- advisory mutations -------------------------------------------------------------------------------------
    def create_advisory(self, kind=None):
        rng = self.rng
        aid = "adv-%03d" % self.adv_seq
        self.adv_seq += 1
        markers, parts = self.random_parts(aid, 1)
        kind = kind or rng.choices(["scheduled", "draft", "published", "withdrawn"], [70, 10, 10, 10])[0]
        body = {"id": aid, "title": "Advisory %s" % aid, "cves": ["CVE-2026-%04d" % (1000 + self.adv_seq)],
                "products": ["Example Product 2.%d" % self.adv_seq],
                "cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "parts": parts}
        T = 0
        if kind != "draft":
            T = self.pick_T(time.time())
            body["public_at"] = fwtest.rfc3339(T)
        r, t0, t1 = self.admin("POST", "/api/v1/advisories", body)
        if not self.check(r.status == 201, "POST /api/v1/advisories %s: %r" % (aid, r)):
            return
        j = r.json()
        self.check(j["status"] == ("draft" if kind == "draft" else "scheduled") and j["revision"] == 1 and
                   set(j.get("parts", {})) == set(parts), "POST /api/v1/advisories %s answered %r" % (aid, r))
        self.w.advs[aid] = dict(status="draft" if kind == "draft" else "scheduled", T=T, rev=1, parts=markers)
        self.commit(t0, t1, "create")
        if kind == "published":
            self.publish(aid)
        elif kind == "withdrawn":
            self.withdraw(aid)

    def reschedule(self, aid):
        a = self.w.advs[aid]
        now = time.time()
        if a["status"] == "scheduled" and abs(now - a["T"]) < 3:
            return  # T is being crossed: 200 or 409 would both be right
        expect = 409 if a["status"] == "withdrawn" or is_public(a, now) else 200
        T = self.pick_T(now)
        r, t0, t1 = self.admin("PUT", "/api/v1/advisories/%s/schedule" % aid, {"public_at": fwtest.rfc3339(T)})
        if not self.check(r.status == expect, "PUT schedule %s (status %s, T-now %+.0f s) -> %s: expected %d, got %r"
                          % (aid, a["status"], a["T"] - now if a["T"] else 0, fwtest.rfc3339(T), expect, r)):
            self.resync_adv(aid)
            return
        if r.status == 200:
            j = r.json()
            self.check(j["status"] == "scheduled" and j["public_at"] == fwtest.rfc3339(T),
                       "PUT schedule %s answered %r" % (aid, r))
            a["status"], a["T"] = "scheduled", T
            self.commit(t0, t1, "reschedule")

    def publish(self, aid):
        a = self.w.advs[aid]
        now = time.time()
        if a["status"] == "scheduled" and now > a["T"] - 3:
            return  # at or after T: the scheduler may or may not have made it public yet
        expect = 409 if a["status"] in ("withdrawn", "public") else 200
        r, t0, t1 = self.admin("POST", "/api/v1/advisories/%s/publish" % aid)
        if not self.check(r.status == expect, "POST publish %s (status %s): expected %d, got %r"
                          % (aid, a["status"], expect, r)):
            self.resync_adv(aid)
            return
        if r.status == 200:
            j = r.json()
            T = int(fwtest.parse_rfc3339(j["public_at"]))
            self.check(j["status"] == "public" and int(t0) <= T <= int(t1) + 1,
                       "POST publish %s answered %r (request at %.3f..%.3f)" % (aid, r, t0, t1))
            a["status"], a["T"] = "public", T
            self.commit(t0, t1, "publish")

    def withdraw(self, aid):
        a = self.w.advs[aid]
        expect = 409 if a["status"] == "withdrawn" else 200
        r, t0, t1 = self.admin("POST", "/api/v1/advisories/%s/withdraw" % aid, {"reason": "property test"})
        if not self.check(r.status == expect, "POST withdraw %s (status %s): expected %d, got %r"
                          % (aid, a["status"], expect, r)):
            self.resync_adv(aid)
            return
        if r.status == 200:
            a["status"] = "withdrawn"
            self.commit(t0, t1, "withdraw")

    def revise(self, aid):
        a = self.w.advs[aid]
        markers, parts = self.random_parts(aid, a["rev"] + 1)
        r, t0, t1 = self.admin("POST", "/api/v1/advisories/%s/revisions" % aid,
                               {"parts": parts, "note": "revision %d" % (a["rev"] + 1)})
        expect = 409 if a["status"] == "withdrawn" else 201
        if not self.check(r.status == expect, "POST revisions %s (status %s): expected %d, got %r"
                          % (aid, a["status"], expect, r)):
            self.resync_adv(aid)
            return
        if r.status == 201:
            j = r.json()
            self.check(j["revision"] == a["rev"] + 1 and set(j.get("parts", {})) == set(parts),
                       "POST revisions %s answered %r" % (aid, r))
            a["rev"] += 1
            a["parts"] = markers
            self.commit(t0, t1, "revise")

    def random_mutation(self):
        rng, w = self.rng, self.w
        pids = sorted(w.partners)
        aids = sorted(w.advs)
        by = lambda st: [p for p in pids if w.partners[p]["status"] == st]  # noqa: E731
        live = [a for a in aids if w.advs[a]["status"] in ("scheduled", "draft")]
        n_removed = len(by("removed"))
        choice = rng.choices(
            ["reschedule", "revise", "suspend", "reinstate", "remove", "patch", "rules", "tiers", "withdraw",
             "publish", "create", "bad", "new-partner"],
            [26, 12, 8, 8, 2 if n_removed < 6 else 0, 15, 4, 4, 2, 3, 4 if len(aids) < 80 else 0, 3,
             2 if len(pids) < 60 else 0])[0]
        if choice == "reschedule":
            self.reschedule(rng.choice(live) if live and rng.random() < 0.9 else rng.choice(aids))
        elif choice == "revise":
            self.revise(rng.choice(aids))
        elif choice in ("suspend", "reinstate"):
            cand = by("active" if choice == "suspend" else "suspended")
            if cand:
                self.partner_act(rng.choice(cand), choice)
        elif choice == "remove":
            self.partner_act(rng.choice(by("active") + by("suspended")), "remove")
        elif choice == "patch":
            self.patch_partner(rng.choice(by("active") + by("suspended")))
        elif choice == "rules":
            self.put_rules(self.random_rules())
        elif choice == "tiers":
            self.mutate_tiers()
        elif choice == "withdraw":
            self.withdraw(rng.choice(aids))
        elif choice == "publish":
            self.publish(rng.choice(live) if live else rng.choice(aids))
        elif choice == "create":
            self.create_advisory()
        elif choice == "new-partner":
            self.create_partner()
        else:
            # Acts that must be refused without changing anything.
            k = rng.random()
            if k < 0.3:
                act = rng.choice(["suspend", "reinstate"])
                cand = [p for p in pids if w.partners[p]["status"] != ("active" if act == "suspend" else "suspended")]
                if cand:
                    self.partner_act(rng.choice(cand), act)
            elif k < 0.6:
                done = [a for a in aids if w.advs[a]["status"] in ("withdrawn", "public")]
                if done:
                    self.reschedule(rng.choice(done))
            else:
                rem = by("removed")
                if rem:
                    self.patch_partner(rng.choice(rem))
        live_scheduled = [a for a in w.advs.values() if a["status"] == "scheduled"]
        if len(live_scheduled) < 20 and len(w.advs) < 80:
            self.create_advisory("scheduled")

    # -- checks -------------------------------------------------------------------------------------------------
    def stats(self, pid, aid, now):
        w = self.w
        p, a = w.partners[pid], w.advs[aid]
        for part in PARTS:
            rule = decide(w, p, a, part, now)[1]
            self.add(self.rule_stats, rule)
        if p["status"] != "removed" and a["status"] == "scheduled":
            d = abs(now - (a["T"] - eff_lead(w, p)))
            if d <= 60:
                self.add(self.near, "release<=60s")
            if d <= H:
                self.add(self.near, "release<=1h")
            if abs(now - a["T"]) <= 60:
                self.add(self.near, "T<=60s")

    def found_markers(self, body):
        return {m.decode() for m in MARK_RE.findall(body)}

    def describe(self, markers):
        return sorted("%s(%s/%s/r%d)" % ((m,) + self.markers[m]) if m in self.markers else m + "(unknown)"
                      for m in markers)

    def check_copy(self, pid, aid, conn):
        tok = self.tokens[pid]
        t0 = time.time()
        r = conn.request("GET", "/api/v1/inbox/" + aid, token=tok)
        t1 = time.time()
        o0, o1 = access(self.w, pid, aid, int(t0)), access(self.w, pid, aid, int(t1))
        if o0 != o1:
            self.add(self.skipped, "copy", 4)
            return
        self.stats(pid, aid, int(t0))
        a = self.w.advs[aid]
        found = self.found_markers(r.body)
        what = "GET /api/v1/inbox/%s as %s (%s) at %.3f" % (aid, pid, self.describe_pair(pid, aid, t0), t0)
        if o0 == REMOVED:
            self.add(self.count, "removed", 4)
            self.check(r.status == 401 and not found, "%s: removed partner: expected 401, got %r" % (what, r))
            return
        self.add(self.count, "copy", 4)
        parts, public = o0
        if not parts:
            self.check(r.status == 404 and r.body == self.notfound and not found,
                       "%s: expected the 404 of a nonexistent advisory, got %r; markers %s"
                       % (what, r, self.describe(found)))
            return
        want = {a["parts"][p] for p in parts}
        if not self.check(r.status == 200, "%s: expected 200 with %s, got %r" % (what, sorted(parts), r)):
            return
        extra, missing = found - want, want - found
        self.check(not extra, "%s: LEAK: markers not allowed now: %s (allowed parts %s)"
                   % (what, self.describe(extra), sorted(parts)))
        self.check(not missing, "%s: parts missing from the copy: %s" % (what, self.describe(missing)))
        try:
            doc = r.json()
            tlp = doc["document"]["distribution"]["tlp"]["label"]
            version = doc["document"]["tracking"]["version"]
        except (ValueError, KeyError, TypeError) as e:
            self.check(False, "%s: not a CSAF document: %s" % (what, e))
            return
        self.check(tlp == expected_tlp(parts, public), "%s: TLP %s, expected %s" % (what, tlp,
                                                                                expected_tlp(parts, public)))
        self.check(version == str(a["rev"]), "%s: tracking.version %s, expected %d" % (what, version, a["rev"]))
        with self.lock:
            self.downloaded.add((aid, pid, a["rev"], parts))

    def check_poc(self, pid, aid, conn):
        tok = self.tokens[pid]
        t0 = time.time()
        r = conn.request("GET", "/api/v1/inbox/%s/poc" % aid, token=tok)
        t1 = time.time()
        o0, o1 = access(self.w, pid, aid, int(t0)), access(self.w, pid, aid, int(t1))
        if (o0 == REMOVED) != (o1 == REMOVED) or (o0 != REMOVED and ("poc" in o0[0]) != ("poc" in o1[0])):
            self.add(self.skipped, "poc", 1)
            return
        found = self.found_markers(r.body)
        what = "GET /api/v1/inbox/%s/poc as %s (%s) at %.3f" % (aid, pid, self.describe_pair(pid, aid, t0), t0)
        if o0 == REMOVED:
            self.add(self.count, "removed", 1)
            self.check(r.status == 401 and not found, "%s: removed partner: expected 401, got %r" % (what, r))
            return
        self.add(self.count, "poc", 1)
        a = self.w.advs[aid]
        if "poc" not in o0[0]:
            self.check(r.status == 404 and r.body == self.notfound_poc and not found,
                       "%s: expected the 404 of a nonexistent advisory, got %r" % (what, r))
            return
        want = {a["parts"]["poc"]}
        with self.lock:
            self.downloaded.add((aid, pid, a["rev"], o0[0]))
        self.check(r.status == 200 and found == want,
                   "%s: expected 200 with the PoC marker %s, got %r; markers %s"
                   % (what, self.describe(want), r, self.describe(found)))

    def check_list(self, pid, conn):
        tok = self.tokens[pid]
        t0 = time.time()
        r = conn.request("GET", "/api/v1/inbox", token=tok)
        t1 = time.time()
        what = "GET /api/v1/inbox as %s at %.3f" % (pid, t0)
        if self.w.partners[pid]["status"] == "removed":
            self.add(self.count, "removed", 4 * len(self.w.advs))
            self.check(r.status == 401, "%s: removed partner: expected 401, got %r" % (what, r))
            return
        if not self.check(r.status == 200, "%s: %r" % (what, r)):
            return
        self.check(not MARK_RE.search(r.body), "%s: the list holds part texts: %r" % (what, r))
        items = {}
        for it in r.json()["advisories"]:
            self.check(it["id"] not in items, "%s: %s listed twice" % (what, it["id"]))
            items[it["id"]] = it
        self.check(set(items) <= set(self.w.advs), "%s: unknown advisories %s" % (what, set(items) - set(self.w.advs)))
        for aid, a in self.w.advs.items():
            o0, o1 = access(self.w, pid, aid, int(t0)), access(self.w, pid, aid, int(t1))
            if o0 != o1:
                self.add(self.skipped, "list", 4)
                continue
            self.add(self.count, "list", 4)
            parts, public = o0
            it = items.get(aid)
            if not parts:
                self.check(it is None, "%s: %s listed with %s, but nothing is allowed (%s)"
                           % (what, aid, it and it["parts"], self.describe_pair(pid, aid, t0)))
                continue
            if not self.check(it is not None, "%s: %s not listed, but %s are allowed (%s)"
                              % (what, aid, sorted(parts), self.describe_pair(pid, aid, t0))):
                continue
            got = (set(it["parts"]), it["revision"], it["tlp"], it["status"], it["public_at"])
            want = (set(parts), a["rev"], expected_tlp(parts, public), "public" if public else "embargoed",
                    fwtest.rfc3339(a["T"]))
            self.check(got == want, "%s: %s listed as %s, expected %s (%s)"
                       % (what, aid, got, want, self.describe_pair(pid, aid, t0)))

    def describe_pair(self, pid, aid, now):
        p, a = self.w.partners[pid], self.w.advs[aid]
        lead = eff_lead(self.w, p)
        return ("partner %s tier %s country %s ent %s lead %dh cap %s; advisory %s T-now %+.0fs rev %d parts %s"
                % (p["status"], p["tier"], p["country"], sorted(p["ent"]), lead // H, sorted(parts_cap(self.w, p)),
                   a["status"], (a["T"] - now) if a["T"] else 0, a["rev"], sorted(a["parts"])))

    def check_round(self):
        rng = self.rng
        pids = sorted(self.w.partners)
        aids = sorted(self.w.advs)
        live_pids = [p for p in pids if self.w.partners[p]["status"] != "removed"]
        # The 404 of a nonexistent advisory does not change.
        probe = rng.choice(live_pids)
        r = self.pconns[0].request("GET", "/api/v1/inbox/" + NONEXISTENT, token=self.tokens[probe])
        self.check(r.status == 404 and r.body == self.notfound, "nonexistent advisory as %s: %r" % (probe, r))
        removed = [p for p in pids if self.w.partners[p]["status"] == "removed"]
        scheduled = [a for a in aids if self.w.advs[a]["status"] == "scheduled"]
        # Every random choice is drawn here, so a seed replays the same requests whatever the threads do.
        tasks = [[] for _ in range(WORKERS)]
        for i in range(2 * WORKERS):
            pid = rng.choice(removed) if removed and rng.random() < 0.08 else rng.choice(live_pids)
            mine = tasks[i % WORKERS]
            mine.append(("list", pid, None, rng.randrange(2)))
            for _ in range(8):
                aid = rng.choice(scheduled) if scheduled and rng.random() < 0.75 else rng.choice(aids)
                mine.append(("copy", pid, aid, rng.randrange(2)))
                mine.append(("poc", pid, aid, rng.randrange(2)))
        errors = []

        def work(k):
            try:
                for kind, pid, aid, c in tasks[k]:
                    conn = self.pconns[2 * k + c]
                    if kind == "list":
                        self.check_list(pid, conn)
                    elif kind == "copy":
                        self.check_copy(pid, aid, conn)
                    else:
                        self.check_poc(pid, aid, conn)
            except Exception as e:  # noqa: BLE001 -- reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    # -- deliveries ---------------------------------------------------------------------------------------------
    def states_between(self, a, b):
        """The states that may have been in effect at some instant of [a, b]."""
        lo = 0
        hi = 0
        for k, (sent, answered, _) in enumerate(self.hist):
            if answered < a:
                lo = k
            if sent <= b:
                hi = k
        return [s for (_, _, s) in self.hist[lo:hi + 1]]

    def fetch_deliveries(self):
        out = {}
        for aid in sorted(self.w.advs):
            r = self.ka.request("GET", "/api/v1/advisories/%s/deliveries" % aid, token=self.srv.admin)
            if self.check(r.status == 200, "GET deliveries %s: %r" % (aid, r)):
                out[aid] = r.json()["deliveries"]
        return out

    def check_deliveries(self, complete=False):
        """Every delivery against the state in effect when it was recorded; with complete=True (after a quiet
        period of 1.5 s) also that every pair with stable access has its delivery of the current revision."""
        now = time.time()
        all_d = self.fetch_deliveries()
        have = set()
        for aid, ds in all_d.items():
            keys = set()
            for d in ds:
                key = (d["partner"], d["revision"], frozenset(d["parts"]))
                self.check(key not in keys, "deliveries of %s: %s recorded twice" % (aid, d))
                keys.add(key)
                have.add((aid,) + key)
                if (aid,) + key in self.delivery_keys:
                    continue
                self.delivery_keys.add((aid,) + key)
                self.check_delivery(aid, d)
        if not complete:
            return
        t = int(now)
        for pid, p in self.w.partners.items():
            if p["status"] == "removed":
                continue
            for aid, a in self.w.advs.items():
                o_now, o_before = access(self.w, pid, aid, t), access(self.w, pid, aid, t - 2)
                if o_now == REMOVED or not o_now[0] or o_now[0] != o_before[0]:
                    continue
                if (aid, pid, a["rev"], o_now[0]) in self.downloaded:
                    continue  # a download records the delivery itself: only the scheduler's are checked here
                self.completeness_checked += 1
                self.check((aid, pid, a["rev"], o_now[0]) in have,
                           "no delivery of %s revision %d parts %s to %s, which has had access for over 1.5 s (%s)"
                           % (aid, a["rev"], sorted(o_now[0]), pid, self.describe_pair(pid, aid, now)))

    def check_delivery(self, aid, d):
        self.deliveries_checked += 1
        pid, rev, parts = d["partner"], d["revision"], frozenset(d["parts"])
        td = fwtest.parse_rfc3339(d["delivered_at"])
        due = fwtest.parse_rfc3339(d["due_at"])
        states = self.states_between(td - 0.25, td + 0.005)
        seconds = sorted({int(td), int(td - 0.25)})
        ok = {"base": False, "release": False, "cap": False, "due": False, "exact": False}
        info = []
        for S in states:
            p, a = S.partners.get(pid), S.advs.get(aid)
            if not p or not a:
                continue
            if p["status"] == "removed" or a["status"] not in ("scheduled", "public") or a["rev"] != rev:
                info.append("partner %s; advisory %s rev %d" % (p["status"], a["status"], a["rev"]))
                continue
            ok["base"] = True
            lead = eff_lead(S, p)
            release = a["T"] - lead
            pub = any(is_public(a, s) for s in seconds)
            info.append("partner %s lead %dh cap %s; advisory %s T %s release %s parts %s"
                        % (p["status"], lead // H, sorted(parts_cap(S, p)), a["status"], fwtest.rfc3339(a["T"]),
                           fwtest.rfc3339(release), sorted(a["parts"])))
            if pub or (p["status"] == "active" and td >= release):
                ok["release"] = True
            if parts <= parts_cap(S, p) & set(a["parts"]):
                ok["cap"] = True
            if due >= release:
                ok["due"] = True
            if any(access(S, pid, aid, s)[0] == parts for s in seconds):
                ok["exact"] = True
        what = "delivery %s of %s; states in effect then: %s" % (d, aid, " | ".join(sorted(set(info))) or "none")
        self.check(ok["base"], "%s: to a removed partner, of an unreleased advisory or of a stale revision" % what)
        self.check(ok["release"], "%s: I1: recorded before T - lead (or while suspended before T)" % what)
        self.check(ok["cap"], "%s: I2: holds parts beyond the partner's cap" % what)
        self.check(ok["due"], "%s: due_at earlier than T - lead" % what)
        self.check(ok["exact"], "%s: parts differ from those allowed at the release instant" % what)

    # -- the run ------------------------------------------------------------------------------------------------
    def setup(self):
        rng = self.rng
        tiers = {"vetted": 120 * H, "standard": 24 * H, "early": 72 * H, "late": 6 * H, "zero": 0, "spare": 48 * H}
        self.put_tiers(tiers)
        self.put_rules([
            dict(id="mandatory-reporting", countries=frozenset(["CN", "RU"]), max_lead=0, parts=frozenset(["summary"])),
            dict(id="cap-in", countries=frozenset(["IN"]), max_lead=12 * H,
                 parts=frozenset(["summary", "details", "detection"])),
        ])
        for _ in range(40):
            self.create_partner()
        for _ in range(30):
            self.create_advisory()
        r = self.pconns[0].request("GET", "/api/v1/inbox/" + NONEXISTENT, token=self.tokens["p00"])
        assert r.status == 404, r
        self.notfound = r.body
        r = self.pconns[0].request("GET", "/api/v1/inbox/%s/poc" % NONEXISTENT, token=self.tokens["p00"])
        assert r.status == 404, r
        self.notfound_poc = r.body
        self.check(self.notfound_poc == self.notfound, "the 404 of /poc differs from the 404 of the copy")

    def run(self):
        start = time.time()
        print("seed %d (set FW_SEED to repeat)" % SEED, flush=True)
        self.setup()
        print("setup: %d partners, %d advisories in %.1f s" % (len(self.w.partners), len(self.w.advs),
                                                                time.time() - start), flush=True)
        rounds = 0
        t_rounds = time.time()
        while True:
            cases = self.count["copy"] + self.count["poc"]
            elapsed = time.time() - t_rounds
            if cases >= TARGET_CASES and rounds >= 40 and elapsed >= MIN_SECONDS:
                break
            if elapsed > TIME_BUDGET:
                break
            for _ in range(self.rng.randint(2, 7)):
                self.random_mutation()
            self.check_round()
            rounds += 1
            if rounds % 15 == 0:
                time.sleep(1.5)  # a quiet period: every due release must have been recorded by now
                self.check_deliveries(complete=True)
                print("round %d: %d cases (copy+poc), %d list cases, %.1f s" %
                      (rounds, self.count["copy"] + self.count["poc"], self.count["list"], time.time() - start),
                      flush=True)
        time.sleep(1.5)
        self.check_deliveries(complete=True)
        elapsed = time.time() - start
        cases = self.count["copy"] + self.count["poc"]
        skipped = self.skipped["copy"] + self.skipped["poc"]
        skipped_all = skipped + self.skipped["list"]
        total_all = cases + self.count["list"] + skipped_all
        print("rounds %d, mutations %s" % (rounds, dict(sorted(self.mutations.items()))))
        print("cases checked: %d copy + %d poc = %d (skipped %d, boundary crossed during the request); "
              "%d inbox-list cases (skipped %d); %d removed-partner cases (401)"
              % (self.count["copy"], self.count["poc"], cases, skipped, self.count["list"], self.skipped["list"],
                 self.count["removed"]))
        print("oracle decisions over checked copies (per part): %s" % dict(sorted(self.rule_stats.items())))
        print("near boundaries: %s" % self.near)
        print("deliveries checked: %d; completeness checks (pair with access has its delivery): %d"
              % (self.deliveries_checked, self.completeness_checked))
        print("requests %d, %.1f s" % (self.ka.requests + sum(c.requests for c in self.pconns), elapsed))
        self.res.check(cases >= MIN_CASES, "only %d cases checked, at least %d required" % (cases, MIN_CASES))
        self.res.check(skipped_all < 0.05 * total_all, "too many skipped cases: %d of %d" % (skipped_all, total_all))
        return self.res.finish()


def main():
    srv = fwtest.Server(init_args=["--restricted-countries", "CN,RU"])
    srv.start()
    test = PropertyTest(srv)
    try:
        return test.run()
    except (OSError, AssertionError) as e:
        alive = srv.proc is not None and srv.proc.poll() is None
        print("FAIL: the test stopped: %r; server %s (log: %s/server.log)"
              % (e, "running" if alive else "exited with %s" % srv.proc.poll(), srv.dir))
        srv.owned_dir = alive  # keep the data and log of a server that died
        test.res.failed += 1
        return test.res.finish()
    finally:
        srv.cleanup()


if __name__ == "__main__":
    sys.exit(main())
