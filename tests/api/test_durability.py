#!/usr/bin/env python3
"""
I5: nothing acknowledged is lost when the process is killed at any moment (kill -9), and nothing is done twice.

(a) Acknowledged writes survive kill -9: 50 partners, tokens, acts and 5 advisories in quick succession, kill -9
    right after the last 2xx, restart on the same data directory: every acknowledged object is there, once.
(b) Catch-up after downtime, exactly once: a standard partner's release (T - 24 h) falls 3 s in the future, the
    server is stopped (SIGTERM) at once, stays down 5 s and restarts: within 1 s of the restart the delivery
    exists, recorded once per (partner, revision); more restarts (SIGTERM and kill -9) add nothing.
(c) kill -9 during a large fan-out: 2,000 partners, an advisory due in 2 s, kill -9 at random moments around the
    release and during the catch-up after each restart (3 repetitions, one advisory each); after the final
    restart every eligible partner has exactly one delivery of each revision, nobody else has one, and the event
    log holds exactly one "delivery" event per delivery.

Environment: FOREWARN_BIN, FW_SEED, FW_FANOUT_PARTNERS (default 2000).
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwtest  # noqa: E402

H = 3600
PARTS = ("summary", "details", "detection", "poc")
SEED = int(os.environ.get("FW_SEED", 9151))
N_FANOUT = int(os.environ.get("FW_FANOUT_PARTNERS", 2000))

rng = random.Random(SEED)
res = fwtest.Results()


def events(ka):
    """The whole event log, paged with after=seq."""
    out, after = [], 0
    while True:
        page = ka.admin_call("GET", "/api/v1/events?limit=100000&after=%d" % after)["events"]
        if not page:
            return out
        seqs = [e["seq"] for e in page]
        res.check(seqs == sorted(set(seqs)) and seqs[0] > after, "events after %d not in sequence order" % after)
        after = max(seqs)
        out.extend(page)


def restart(srv, how):
    """Stops the server (SIGTERM, or kill -9) and starts it again on the same data directory and port.
    Returns (stopped at, listening at)."""
    if how == "kill":
        srv.kill()
    else:
        srv.stop()
    t_stop = time.time()
    srv.start()
    return t_stop, time.time()


def delivery_events(evs, aid=None):
    out = {}
    for e in evs:
        if e["type"] != "delivery":
            continue
        adv, pid = e["subject"].split("/", 1)
        if aid is not None and adv != aid:
            continue
        key = (adv, pid, int(e["detail"]["revision"]), int(e["detail"]["parts"]))
        out[key] = out.get(key, 0) + 1
    return out


def mask(parts):
    return sum(1 << PARTS.index(p) for p in parts)


# ---------------------------------------------------------------------------------------------------------------
def test_acknowledged():
    print("(a) acknowledged writes survive kill -9")
    srv = fwtest.Server()
    srv.start()
    try:
        ka = fwtest.KeepAlive(srv)
        partners, tokens, advisories = {}, {}, {}
        countries = ["US", "DE", "FR", "JP", "BR", "IN"]
        t0 = time.time()
        for i in range(50):
            pid = "ack-%02d" % i
            body = {"id": pid, "name": "Partner %d" % i, "country": rng.choice(countries),
                    "tier": rng.choice(["vetted", "standard"]),
                    "entitlements": [p for p in PARTS if rng.random() < 0.7]}
            r = ka.request("POST", "/api/v1/partners", body, token=srv.admin)
            assert r.status == 201, r
            partners[pid] = r.json()
            if i % 5 == 0:
                r = ka.request("POST", "/api/v1/partners/%s/tokens" % pid, token=srv.admin)
                assert r.status == 201, r
                tokens[pid] = r.json()["token"]
            if i % 7 == 3:
                r = ka.request("POST", "/api/v1/partners/%s/suspend" % pid, {"reason": "durability"},
                               token=srv.admin)
                assert r.status == 200, r
                partners[pid] = r.json()
            if i % 11 == 4:
                r = ka.request("PATCH", "/api/v1/partners/" + pid, {"tier": "standard", "country": "GB"},
                               token=srv.admin)
                assert r.status == 200, r
                partners[pid] = r.json()
        for i in range(5):
            body = {"id": "ack-adv-%d" % i, "title": "Durable advisory %d" % i, "cves": ["CVE-2026-%04d" % (2000 + i)],
                    "parts": {p: "%s of durable advisory %d" % (p, i) for p in PARTS if p == "summary" or rng.random() < 0.7}}
            if i != 2:
                body["public_at"] = fwtest.rfc3339(time.time() + (i + 1) * 10 * H)
            r = ka.request("POST", "/api/v1/advisories", body, token=srv.admin)
            assert r.status == 201, r
            advisories[body["id"]] = r.json()
        # Downloads are acknowledged too: a copy served means its download (and delivery) record is durable.
        readers = [pid for pid in tokens if partners[pid]["status"] == "active"]
        served = []
        for pid in readers:
            for aid in ("ack-adv-0", "ack-adv-1"):
                r = ka.request("GET", "/api/v1/inbox/" + aid, token=tokens[pid])
                if r.status == 200:
                    served.append((pid, aid))
        res.check(served, "no copy was served before the kill (readers %s)" % readers)
        srv.kill()  # right after the last 2xx
        print("  %d partners, %d tokens, %d advisories, %d downloads acknowledged in %.2f s, then kill -9"
              % (len(partners), len(tokens), len(advisories), len(served), time.time() - t0))
        ka.close()
        srv.start()
        ka = fwtest.KeepAlive(srv)
        for pid, p in partners.items():
            r = ka.request("GET", "/api/v1/partners/" + pid, token=srv.admin)
            res.check(r.status == 200 and r.json() == p, "partner %s after kill -9: %r, acknowledged %s" % (pid, r, p))
        listed = ka.admin_call("GET", "/api/v1/partners")["partners"]
        res.check(sorted(x["id"] for x in listed) == sorted(partners), "partner list after kill -9: %d partners, %d "
                  "acknowledged" % (len(listed), len(partners)))
        for pid, tok in tokens.items():
            r = ka.request("GET", "/api/v1/inbox", token=tok)
            res.check(r.status == 200, "token of %s after kill -9: %r" % (pid, r))
        for aid, a in advisories.items():
            r = ka.request("GET", "/api/v1/advisories/" + aid, token=srv.admin)
            ok = r.status == 200
            if ok:
                g = r.json()
                keys = ("id", "title", "cves", "status", "public_at", "revision", "parts", "created_at")
                ok = all(g.get(k) == a.get(k) for k in keys)
            res.check(ok, "advisory %s after kill -9: %r, acknowledged %s" % (aid, r, a))
        for pid, aid in served:
            rep = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries?partner=%s" % (aid, pid))
            res.check(len([d for d in rep["downloads"] if d["partner"] == pid]) == 1 and
                      len([d for d in rep["deliveries"] if d["partner"] == pid]) == 1,
                      "copy of %s served to %s before kill -9: download and delivery after restart: %s"
                      % (aid, pid, rep))
        evs = events(ka)
        created = [e["subject"] for e in evs if e["type"] == "partner.created"]
        res.check(sorted(created) == sorted(partners), "partner.created events: %d for %d partners"
                  % (len(created), len(partners)))
        created = [e["subject"] for e in evs if e["type"] == "advisory.created"]
        res.check(sorted(created) == sorted(advisories), "advisory.created events: %s" % created)
        ka.close()
    finally:
        srv.cleanup()


# ---------------------------------------------------------------------------------------------------------------
def test_catch_up():
    print("(b) catch-up after downtime, exactly once")
    srv = fwtest.Server()
    srv.start()
    try:
        ka = fwtest.KeepAlive(srv)
        std = ["std-%d" % i for i in range(5)]
        for pid in std:
            srv.create_partner(pid, tier="standard", country="US", entitlements=list(PARTS))
        srv.create_partner("vet-0", tier="vetted", country="US", entitlements=list(PARTS))
        R = int(time.time()) + 3
        aid = srv.create_advisory(public_at=R + 24 * H, id="catch-up")["id"]
        before = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)["deliveries"]
        srv.stop()  # SIGTERM at once
        t_stop = time.time()
        ka.close()
        res.check(t_stop < R, "the server stopped %.3f s after the release instant; the test needs it down before"
                  % (t_stop - R))
        res.check(not [d for d in before if d["partner"] in std], "delivered to a standard partner %.3f s before "
                  "its release: %s" % (R - t_stop, before))
        time.sleep(5)
        srv.start()
        t_up = time.time()
        print("  stopped %.3f s before the release, restarted %.3f s after it" % (R - t_stop, t_up - R))
        ka = fwtest.KeepAlive(srv)
        seen = None
        while time.time() < t_up + 2:
            ds = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)["deliveries"]
            if all(any(d["partner"] == pid for d in ds) for pid in std):
                seen = time.time()
                break
            time.sleep(0.05)
        res.check(seen is not None and seen <= t_up + 1.05, "the catch-up delivery was not there within 1 s of the "
                  "restart (seen %s)" % ("never" if seen is None else "%+.3f s" % (seen - t_up)))
        first = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)["deliveries"]
        for pid in std + ["vet-0"]:
            mine = [d for d in first if d["partner"] == pid]
            res.check(len(mine) == 1, "%s: %d deliveries of revision 1, expected 1: %s" % (pid, len(mine), mine))
        for d in first:
            if d["partner"] in std:
                td = fwtest.parse_rfc3339(d["delivered_at"])
                res.check(fwtest.parse_rfc3339(d["due_at"]) == R and t_stop < td <= t_up + 1,
                          "%s: catch-up delivery %s (release %s, down from %.3f to %.3f)"
                          % (d["partner"], d, fwtest.rfc3339(R), t_stop, t_up))
        n_events = delivery_events(events(ka), aid)
        res.check(len(n_events) == len(first) and all(v == 1 for v in n_events.values()),
                  "delivery events %s for %d deliveries" % (n_events, len(first)))
        for how in ("term", "kill", "term"):
            ka.close()
            restart(srv, how)
            time.sleep(0.5)
            ka = fwtest.KeepAlive(srv)
            again = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)["deliveries"]
            res.check(again == first, "after another restart (%s) the deliveries changed: %s" % (how, again))
            n2 = delivery_events(events(ka), aid)
            res.check(n2 == n_events, "after another restart (%s) the delivery events changed: %s" % (how, n2))
        print("  %d deliveries, each once, after 4 restarts" % len(first))
        ka.close()
    finally:
        srv.cleanup()


# ---------------------------------------------------------------------------------------------------------------
def test_fanout_kill():
    print("(c) kill -9 during a fan-out to %d partners" % N_FANOUT)
    srv = fwtest.Server(init_args=["--restricted-countries", "CN"])
    srv.start()
    try:
        ka = fwtest.KeepAlive(srv)
        t0 = time.time()
        eligible, vetted, restricted = set(), set(), set()
        for i in range(N_FANOUT):
            pid = "f%04d" % i
            k = i % 40
            tier, country = ("vetted", "US") if k < 3 else ("standard", "CN") if k == 3 else ("standard", "DE")
            r = ka.request("POST", "/api/v1/partners",
                           {"id": pid, "name": "Fan-out partner %d" % i, "country": country, "tier": tier},
                           token=srv.admin)
            assert r.status == 201, r
            if country == "CN":
                restricted.add(pid)   # lead 0 under the mandatory-reporting rule: not before T
            else:
                eligible.add(pid)
                if tier == "vetted":
                    vetted.add(pid)
        print("  %d partners created in %.1f s (%d eligible, %d under the lead-0 rule)"
              % (N_FANOUT, time.time() - t0, len(eligible), len(restricted)))

        def release(n, R):
            aid = "fan-%d" % n
            ka.admin_call("POST", "/api/v1/advisories", {
                "id": aid, "title": "Fan-out advisory %d" % n, "public_at": fwtest.rfc3339(R + 24 * H),
                "parts": {p: "%s of fan-out advisory %d" % (p, n) for p in ("summary", "details", "detection")}})
            return aid

        def complete(aid, timeout=15):
            end = time.time() + timeout
            while True:
                ds = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)["deliveries"]
                if len(ds) >= len(eligible) or time.time() > end:
                    return ds
                time.sleep(0.05)

        # Calibration without a kill: how long does one fan-out transaction take?
        R = int(time.time()) + 2
        aid = release(0, R)
        complete(aid)
        ats = [fwtest.parse_rfc3339(e["at"]) for e in events(ka) if e["type"] == "delivery" and
               e["subject"].startswith(aid + "/") and e["subject"].split("/")[1] not in vetted]
        span = max(ats) - min(ats) if ats else 0.05
        print("  calibration: the fan-out to %d standard partners took %.0f ms, starting %+.0f ms after its release"
              % (len(ats), span * 1000, (min(ats) - R) * 1000 if ats else 0))
        window = max(span * 1.3, 0.02)
        aids = [aid]
        kills = []
        for n in range(1, 4):
            R = int(time.time()) + 2
            aid = release(n, R)
            aids.append(aid)
            at = R + rng.uniform(-0.005, window)  # mostly while the fan-out transaction runs
            time.sleep(max(0.0, at - time.time()))
            ka.close()
            srv.kill()
            t_kill = time.time()
            srv.start()
            t_up = time.time()
            # and once more during the catch-up the restart begins with
            at2 = t_up + rng.uniform(0, window)
            time.sleep(max(0.0, at2 - time.time()))
            srv.kill()
            t_kill2 = time.time()
            srv.start()
            kills.append((aid, R, t_kill, t_up, t_kill2))
            ka = fwtest.KeepAlive(srv)
        for aid in aids:
            complete(aid)
        evs = events(ka)
        dev = delivery_events(evs)
        total = 0
        for aid in aids:
            ds = ka.admin_call("GET", "/api/v1/advisories/%s/deliveries" % aid)["deliveries"]
            by = {}
            for d in ds:
                by.setdefault(d["partner"], []).append(d)
            missing = sorted(eligible - set(by))
            twice = sorted(p for p, v in by.items() if len(v) != 1)
            wrong = sorted(set(by) - eligible)
            res.check(not missing, "%s: %d eligible partners without a delivery: %s" % (aid, len(missing), missing[:5]))
            res.check(not twice, "%s: partners with more than one delivery: %s" % (aid, twice[:5]))
            res.check(not wrong, "%s: delivered to partners not eligible yet: %s" % (aid, wrong[:5]))
            bad_rev = [d for d in ds if d["revision"] != 1]
            res.check(not bad_rev, "%s: deliveries of a revision other than 1: %s" % (aid, bad_rev[:3]))
            keys = {(aid, d["partner"], d["revision"], mask(d["parts"])) for d in ds}
            ev = {k: v for k, v in dev.items() if k[0] == aid}
            lost = sorted(keys - set(ev))
            extra = sorted(set(ev) - keys)
            dup = sorted(k for k, v in ev.items() if v != 1)
            res.check(not lost, "%s: %d deliveries without their event: %s" % (aid, len(lost), lost[:3]))
            res.check(not extra, "%s: %d delivery events without a delivery: %s" % (aid, len(extra), extra[:3]))
            res.check(not dup, "%s: delivery events recorded more than once: %s" % (aid, dup[:3]))
            total += len(ds)
        for aid, R, t_kill, t_up, t_kill2 in kills:
            ats = sorted(fwtest.parse_rfc3339(e["at"]) for e in evs if e["type"] == "delivery" and
                         e["subject"].startswith(aid + "/") and e["subject"].split("/")[1] not in vetted)
            if ats and ats[-1] < t_kill:
                what = "the fan-out had committed before the kill"
            elif ats and ats[0] < t_kill2:
                what = "the fan-out was redone in the catch-up after the first restart"
            else:
                what = "the fan-out was redone after the second restart"
            print("  %s: kill -9 at release %+.0f ms, again %.0f ms after the restart: %s"
                  % (aid, (t_kill - R) * 1000, (t_kill2 - t_up) * 1000, what))
        created = [e for e in evs if e["type"] == "partner.created"]
        res.check(len(created) == N_FANOUT and len({e["subject"] for e in created}) == N_FANOUT,
                  "partner.created events: %d for %d partners" % (len(created), N_FANOUT))
        print("  %d deliveries over %d advisories, %d events" % (total, len(aids), len(evs)))
        ka.close()
    finally:
        srv.cleanup()


def main():
    print("seed %d (set FW_SEED to repeat)" % SEED)
    start = time.time()
    test_acknowledged()
    test_catch_up()
    test_fanout_kill()
    print("%.1f s" % (time.time() - start))
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
