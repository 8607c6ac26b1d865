#!/usr/bin/env python3
"""
Releases happen on time, in real time: a release due a few seconds from now is delivered within one second of its
instant (T - lead) and not before, and the partner's inbox shows it from that instant on and not before.

- lead 0 (a tier with lead 0, a country under a lead-0 rule) and a suspended partner: released at T;
- a vetted partner (120 h): released at T - 120 h;
- rescheduling later removes access at once (404, the bytes of a nonexistent advisory);
- rescheduling earlier releases at the new instant (in the future: on time; already past: at once).

Release instants are whole seconds: the next whole second + 3. The deliveries report (admin) and the inboxes are
polled every 50 ms over keep-alive connections. Environment: FOREWARN_BIN, FW_SEED.
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402

H = 3600
PARTS = ("summary", "details", "detection", "poc")
SEED = int(os.environ.get("FW_SEED", 4242))
POLL = 0.05
SLACK = 1.0  # a release may come at most this late
NONEXISTENT = "adv-does-not-exist"


class Realtime:
    def __init__(self, srv):
        self.srv = srv
        self.rng = random.Random(SEED)
        self.res = fwtest.Results()
        self.admin = fwtest.KeepAlive(srv)
        self.conns = {}
        self.tokens = {}
        self.seq = 0
        self.notfound = None

    def conn(self, pid):
        if pid not in self.conns:
            self.conns[pid] = fwtest.KeepAlive(self.srv)
        return self.conns[pid]

    def partner_get(self, pid, path):
        t0 = time.time()
        r = self.conn(pid).request("GET", path, token=self.tokens[pid])
        return t0, time.time(), r

    def new_advisory(self, public_at):
        self.seq += 1
        aid = "rt-%02d" % self.seq
        marker = "RTMK%016x" % self.rng.getrandbits(64)
        parts = {p: "%s of %s, marker %s-%s." % (p, aid, marker, p) for p in PARTS}
        body = {"id": aid, "title": "Real-time advisory %d" % self.seq, "parts": parts,
                "public_at": fwtest.rfc3339(public_at)}
        t0 = time.time()
        self.admin.admin_call("POST", "/api/v1/advisories", body)
        return aid, marker, t0, time.time()

    @staticmethod
    def next_instant():
        """The next whole second + 3."""
        return int(time.time()) + 1 + 3

    def visible(self, pid, aid, mode):
        """One poll of a partner: (sent, answered, visible, response). mode: 'list' or 'copy'."""
        if mode == "list":
            t0, t1, r = self.partner_get(pid, "/api/v1/inbox")
            vis = r.status == 200 and any(it["id"] == aid for it in r.json()["advisories"])
        else:
            t0, t1, r = self.partner_get(pid, "/api/v1/inbox/" + aid)
            vis = r.status == 200
            if not vis:
                self.res.check(r.status == 404 and r.body == self.notfound,
                               "%s: %s before its release: expected the 404 of a nonexistent advisory, got %r"
                               % (pid, aid, r))
        return t0, t1, vis, r

    def deliveries(self, aid):
        return self.admin.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)["deliveries"]

    def watch(self, aid, release, watchers, until):
        """Polls every 50 ms until `until` (and until every expected watcher has seen the advisory, at most
        release + 3 s). watchers: {pid: (mode, release instant or None for never)}. Checks each watcher's
        visibility against its instant: invisible in every poll answered before it; first visible poll sent
        within SLACK after it; never visible when None."""
        polls = {pid: [] for pid in watchers}
        reports = []  # (sent, answered, partners with a delivery)
        while True:
            start = time.time()
            for pid, (mode, _) in watchers.items():
                polls[pid].append(self.visible(pid, aid, mode)[:3])
            t0 = time.time()
            ds = self.deliveries(aid)
            reports.append((t0, time.time(), {d["partner"] for d in ds}))
            now = time.time()
            done = all(w[1] is None or any(v for (_, _, v) in polls[pid]) for pid, w in watchers.items())
            if now >= until and (done or now > release + 3):
                break
            time.sleep(max(0.0, POLL - (time.time() - start)))
        for pid, (mode, at) in watchers.items():
            seen = [(t0, t1) for (t0, t1, v) in polls[pid] if v]
            early = [(t0, t1) for (t0, t1, v) in polls[pid] if v and (at is None or t1 < at)]
            self.res.check(not early, "%s saw %s (%s) before its release %s: polls %s"
                           % (pid, aid, mode, fwtest.rfc3339(at) if at else "never", early[:3]))
            if at is None:
                continue
            if not self.res.check(seen, "%s never saw %s (%s); release %s" % (pid, aid, mode, fwtest.rfc3339(at))):
                continue
            first = seen[0]
            self.res.check(at <= first[1] and first[0] <= at + SLACK,
                           "%s first saw %s (%s) in a poll sent %+.3f s after its release (answered %+.3f s)"
                           % (pid, aid, mode, first[0] - at, first[1] - at))
            gone = [t0 for (t0, t1, v) in polls[pid] if not v and t0 > first[1]]
            self.res.check(not gone, "%s lost %s again after seeing it" % (pid, aid))
            print("  %s (%s): first visible in a poll sent %+.3f s after its release" % (pid, mode, first[0] - at))
            if mode == "copy":
                continue  # its own download records the delivery
            early = [t1 - at for (t0, t1, who) in reports if pid in who and t1 < at]
            self.res.check(not early, "%s: the deliveries report showed %s before its release" % (pid, aid))
            shown = [t0 for (t0, t1, who) in reports if pid in who]
            self.res.check(shown and shown[0] <= at + SLACK + POLL,
                           "%s: the deliveries report did not show %s within 1 s of its release" % (pid, aid))

    def check_deliveries(self, aid, expected, absent, window=SLACK):
        """expected: {pid: (release instant, parts)}: exactly one delivery each, delivered within
        [instant, instant + window], due at the instant. absent: partners with no delivery."""
        ds = self.deliveries(aid)
        by = {}
        for d in ds:
            by.setdefault(d["partner"], []).append(d)
        for pid, (at, parts) in expected.items():
            got = by.get(pid, [])
            if not self.res.check(len(got) == 1, "%s: %d deliveries of %s, expected 1: %s" % (pid, len(got), aid, got)):
                continue
            d = got[0]
            td = fwtest.parse_rfc3339(d["delivered_at"])
            self.res.check(at <= td <= at + window, "%s: %s delivered at %s, %+.3f s after its release %s"
                           % (pid, aid, d["delivered_at"], td - at, fwtest.rfc3339(at)))
            self.res.check(fwtest.parse_rfc3339(d["due_at"]) == at, "%s: %s due_at %s, expected %s"
                           % (pid, aid, d["due_at"], fwtest.rfc3339(at)))
            self.res.check(set(d["parts"]) == set(parts), "%s: %s delivered parts %s, expected %s"
                           % (pid, aid, d["parts"], sorted(parts)))
            print("  %s: delivered %+.3f s after its release" % (pid, td - at))
        for pid in absent:
            self.res.check(pid not in by, "%s: %s delivered, but it must not be yet: %s" % (pid, aid, by.get(pid)))

    def denied(self, pid, aid, what):
        """The copy, the PoC and the list all deny, at once."""
        for path in ("/api/v1/inbox/" + aid, "/api/v1/inbox/%s/poc" % aid):
            _, _, r = self.partner_get(pid, path)
            self.res.check(r.status == 404 and r.body == self.notfound,
                           "%s: GET %s as %s: expected the 404 of a nonexistent advisory, got %r" % (what, path, pid, r))
        _, _, r = self.partner_get(pid, "/api/v1/inbox")
        self.res.check(r.status == 200 and all(it["id"] != aid for it in r.json()["advisories"]),
                       "%s: %s still listed for %s: %r" % (what, aid, pid, r))

    # -------------------------------------------------------------------------------------------------------------
    def setup(self):
        self.admin.admin_call("PUT", "/api/v1/tiers", {"tiers": [
            {"name": "vetted", "lead_hours": 120}, {"name": "standard", "lead_hours": 24},
            {"name": "zero", "lead_hours": 0}]})
        partners = {
            "z1": ("zero", "US"), "z2": ("zero", "GB"),       # a tier with lead 0
            "c1": ("vetted", "CN"),                             # vetted, but under the lead-0 summary-only rule
            "v1": ("vetted", "US"), "v2": ("vetted", "DE"),   # 120 h
            "s1": ("standard", "FR"),                           # 24 h
            "sus": ("vetted", "JP"),                            # suspended: only at T
        }
        for pid, (tier, country) in partners.items():
            self.srv.create_partner(pid, tier=tier, country=country, entitlements=list(PARTS))
            self.tokens[pid] = self.srv.partner_token(pid)
        self.admin.admin_call("POST", "/api/v1/partners/sus/suspend", {"reason": "test"})
        _, _, r = self.partner_get("v1", "/api/v1/inbox/" + NONEXISTENT)
        assert r.status == 404, r
        self.notfound = r.body

    def at_T(self):
        print("release at T (lead 0 tier, lead-0 rule, suspended partner):")
        T = self.next_instant()
        aid, _, c0, c1 = self.new_advisory(T)
        print("  T = now %+.3f s" % (T - c1))
        self.watch(aid, T, {"z1": ("list", T), "z2": ("copy", T), "c1": ("list", T), "sus": ("list", T),
                            "v1": ("list", c1), "s1": ("list", c1)}, T + 1.5)
        # The vetted and standard partners had it from the creation on (T - lead is long past).
        self.check_deliveries(aid, {"z1": (T, PARTS), "z2": (T, PARTS), "c1": (T, ["summary"]),
                                    "sus": (T, PARTS)}, [])
        ds = {d["partner"]: d for d in self.deliveries(aid)}
        for pid in ("v1", "v2", "s1"):
            d = ds.get(pid)
            self.res.check(d is not None and c0 - 0.001 <= fwtest.parse_rfc3339(d["delivered_at"]) <= c1 + SLACK,
                           "%s: %s (release long past at creation) not delivered at its creation: %s" % (pid, aid, d))

    def at_T_minus_lead(self):
        print("release at T - 120 h (vetted):")
        R = self.next_instant()
        T = R + 120 * H
        aid, _, _, c1 = self.new_advisory(T)
        print("  T - 120 h = now %+.3f s" % (R - c1))
        self.watch(aid, R, {"v1": ("list", R), "v2": ("copy", R), "c1": ("list", None), "z1": ("list", None),
                            "s1": ("list", None), "sus": ("list", None)}, R + 1.5)
        self.check_deliveries(aid, {"v1": (R, PARTS), "v2": (R, PARTS)}, ["c1", "z1", "z2", "s1", "sus"])

    def reschedule_later(self):
        print("reschedule later: from now + 70 h to now + 200 h, vetted partner:")
        now = time.time()
        aid, _, _, _ = self.new_advisory(int(now) + 70 * H)
        t0, t1, r = self.partner_get("v1", "/api/v1/inbox/" + aid)
        self.res.check(r.status == 200, "v1: %s (T = now + 70 h, within 120 h) not visible at once: %r" % (aid, r))
        self.admin.admin_call("PUT", "/api/v1/advisories/%s/schedule" % aid,
                              {"public_at": fwtest.rfc3339(int(time.time()) + 200 * H)})
        self.denied("v1", aid, "right after rescheduling later")
        self.denied("v2", aid, "right after rescheduling later")
        time.sleep(1.2)
        self.denied("v1", aid, "1 s after rescheduling later")
        n = len([d for d in self.deliveries(aid) if d["partner"] in ("v1", "v2")])
        self.res.check(n <= 2, "rescheduling later added deliveries: %d" % n)

    def reschedule_earlier(self):
        print("reschedule earlier: from now + 200 h to (next second + 3) + 120 h, vetted partner:")
        aid, _, _, _ = self.new_advisory(int(time.time()) + 200 * H)
        self.denied("v1", aid, "T = now + 200 h")
        time.sleep(0.3)
        self.res.check(not self.deliveries(aid), "%s (T = now + 200 h) delivered to someone: %s"
                       % (aid, self.deliveries(aid)))
        R = self.next_instant()
        t0 = time.time()
        self.admin.admin_call("PUT", "/api/v1/advisories/%s/schedule" % aid, {"public_at": fwtest.rfc3339(R + 120 * H)})
        print("  new T - 120 h = now %+.3f s" % (R - time.time()))
        self.watch(aid, R, {"v1": ("list", R), "v2": ("copy", R), "s1": ("list", None), "c1": ("list", None)},
                   R + 1.5)
        self.check_deliveries(aid, {"v1": (R, PARTS), "v2": (R, PARTS)}, ["s1", "c1", "z1", "z2", "sus"])

        print("reschedule earlier, to a release already past: from now + 200 h to now + 100 h:")
        aid, _, _, _ = self.new_advisory(int(time.time()) + 200 * H)
        self.denied("v1", aid, "T = now + 200 h")
        t0 = time.time()
        self.admin.admin_call("PUT", "/api/v1/advisories/%s/schedule" % aid,
                              {"public_at": fwtest.rfc3339(int(t0) + 100 * H)})
        t1 = time.time()
        _, _, r = self.partner_get("v1", "/api/v1/inbox")
        self.res.check(r.status == 200 and any(it["id"] == aid for it in r.json()["advisories"]),
                       "v1: %s not listed right after rescheduling to now + 100 h: %r" % (aid, r))
        deadline = t1 + SLACK
        got = []
        while time.time() < deadline + 0.2:
            got = [d for d in self.deliveries(aid) if d["partner"] == "v1"]
            if got:
                break
            time.sleep(POLL)
        if self.res.check(len(got) == 1, "v1: %d deliveries of %s within 1 s of rescheduling to a release already "
                                         "past" % (len(got), aid)):
            td = fwtest.parse_rfc3339(got[0]["delivered_at"])
            self.res.check(t0 - 0.001 <= td <= t1 + SLACK, "v1: %s delivered %+.3f s after the rescheduling"
                           % (aid, td - t1))
            print("  v1: delivered %+.3f s after the rescheduling was acknowledged" % (td - t1))

    def run(self):
        print("seed %d (set FW_SEED to repeat)" % SEED)
        start = time.time()
        self.setup()
        self.at_T()
        self.at_T_minus_lead()
        self.reschedule_later()
        self.reschedule_earlier()
        print("%.1f s" % (time.time() - start))
        return self.res.finish()


def main():
    srv = fwtest.Server(init_args=["--restricted-countries", "CN"])
    srv.start()
    try:
        return Realtime(srv).run()
    finally:
        srv.cleanup()


if __name__ == "__main__":
    sys.exit(main())
