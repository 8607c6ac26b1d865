"""Fingerprinted copies and leak tracing through the real server.

Every partner's copy of an advisory with variation slots is its own (deterministic, never showing the
template), the public copy is the same for all, and POST /api/v1/trace names the partner whose copy a
leaked text came from: a whole copy, its PoC alone, a 30% fragment, two colluders' mix; never an innocent,
and "no accusation" for unrelated text.
"""
import json
import sys
import time

import fwtest

PARTNERS = ["p%d" % i for i in range(1, 9)]


def summary_template():
    return " ".join("Step %d: the {{service|daemon}} {{crashes|fails}} when the {{request|message}} is "
                    "{{long|oversized}}." % i for i in range(40))


def poc_template():
    return "\n".join("timeout_%d = {{int:%d}}\nname_%d = '{{alpha|beta|gamma|delta}}'" % (i, 10 + i, i)
                     for i in range(60))


def texts(copy):
    return "\n".join(n["text"] for n in json.loads(copy)["document"]["notes"])


def main():
    res = fwtest.Results()
    check = res.check
    with fwtest.Server() as s:
        A = s.admin
        for p in PARTNERS:
            s.create_partner(p, tier="vetted", entitlements=["summary", "details", "detection", "poc"])
        tokens = {p: s.partner_token(p) for p in PARTNERS}
        details = "Seen from {{canary:ipv4}} with user {{canary:user}} on {{canary:host}}."
        adv = s.create_advisory(public_at=time.time() + 3600, id="fp-1",
                                parts={"summary": summary_template(), "details": details, "poc": poc_template()})
        fp = adv.get("fingerprint", {})
        check(fp.get("positions", 0) > 300 and fp["parts"]["summary"]["slots"] == 160 and
              fp["parts"]["poc"]["positions"] == 180, "the admin view counts slots and positions: %r" % fp)

        copies, pocs = {}, {}
        for p in PARTNERS:
            r = s.request("GET", "/api/v1/inbox/fp-1", token=tokens[p])
            r2 = s.request("GET", "/api/v1/inbox/fp-1", token=tokens[p])
            check(r.status == 200 and r.body == r2.body, "%s: the same copy on every download" % p)
            copies[p] = r.body
            pocs[p] = s.request("GET", "/api/v1/inbox/fp-1/poc", token=tokens[p]).body
            check(b"{{" not in r.body and b"}}" not in r.body and b"{{" not in pocs[p],
                  "%s: the template never reaches a partner" % p)
        check(len(set(copies.values())) == len(PARTNERS), "every partner's copy is its own")
        check(len(set(pocs.values())) == len(PARTNERS), "every partner's PoC is its own")
        ips = [t.rstrip(".") for t in texts(copies["p1"]).split()
               if t.rstrip(".").count(".") == 3 and t.rstrip(".").replace(".", "").isdigit()]
        check(ips and all(ip.rstrip(".").startswith(("192.0.2.", "198.51.100.", "203.0.113.")) for ip in ips),
              "canary addresses are RFC 5737 documentation addresses: %r" % ips)

        def trace(text, **extra):
            body = {"text": text}
            body.update(extra)
            r = s.request("POST", "/api/v1/trace", body, token=A)
            return r.status, (r.json() if r.body else {})

        for p in ["p3", "p6"]:
            st, t = trace(copies[p].decode())
            accused = [h["partner"] for h in t.get("accused", [])]
            check(st == 200 and accused == [p] and t["advisory"] == "fp-1" and t["revision"] == 1,
                  "a whole leaked CSAF copy of %s names %s alone: %r" % (p, p, t))
            check(all(h["bound"] <= 1e-9 and h["score"] >= h["threshold"] and h["positions"] > 0
                      for h in t.get("accused", [])), "accusations state score, threshold, bound, positions")
        st, t = trace(pocs["p2"].decode())
        check(st == 200 and [h["partner"] for h in t["accused"]] == ["p2"], "the PoC alone names p2: %r" % t)
        st, t = trace(texts(copies["p5"]))
        check(st == 200 and [h["partner"] for h in t["accused"]] == ["p5"], "the prose alone names p5: %r" % t)
        whole = texts(copies["p4"]) + "\n" + pocs["p4"].decode()
        frag = whole[int(len(whole) * 0.35):int(len(whole) * 0.65)]
        st, t = trace(frag)
        check(st == 200 and [h["partner"] for h in t["accused"]] == ["p4"],
              "a 30%% fragment names p4: %d positions, %r" % (t.get("positions", 0), t.get("accused")))
        # Two colluders mix their whole copies, sentence by sentence and line by line: never an innocent, and
        # with the whole code (over 320 positions, DESIGN.md) at least one of them.
        def pieces(p):
            prose = texts(copies[p]).replace(". ", ".\n").split("\n")
            return prose + pocs[p].decode().split("\n")
        pa, pb = pieces("p1"), pieces("p7")
        mixed = "\n".join(pa[i] if (i // 2) % 2 == 0 else pb[i] for i in range(min(len(pa), len(pb))))
        st, t = trace(mixed)
        named = {h["partner"] for h in t.get("accused", [])}
        check(st == 200 and named <= {"p1", "p7"}, "two colluders: nobody else is named: %r" % named)
        check(len(named) >= 1, "two colluders: at least one is named (%d positions): %r" % (
            t.get("positions", 0), t.get("accused")))
        st, t = trace("Cats sleep most of the day and the weather was fine in June.")
        check(st == 200 and t["accused"] == [] and t["advisory"] is None, "unrelated text: no accusation: %r" % t)
        st, t = trace(copies["p3"].decode(), advisory="fp-1")
        check(st == 200 and [h["partner"] for h in t["accused"]] == ["p3"], "--advisory fp-1: %r" % t)
        st, t = trace("x", advisory="no-such")
        check(st == 404 and t["error"]["field"] == "advisory", "unknown advisory: 404 naming it: %r" % t)
        st, t = trace("x", extra=1)
        check(st == 400 and t["error"]["field"] == "extra", "unknown field: 400: %r" % t)
        r = s.request("POST", "/api/v1/trace", {"advisory": "fp-1"}, token=A)
        check(r.status == 400 and r.json()["error"]["field"] == "text", "no text: 400 naming text")
        r = s.request("POST", "/api/v1/trace", {"text": "x"}, token=tokens["p1"])
        check(r.status == 403, "a partner token cannot trace: %d" % r.status)

        # Bad slots are refused when the advisory is written, naming the part and the place.
        r = s.request("POST", "/api/v1/advisories", {"title": "Bad slots", "parts": {
            "summary": "ok", "poc": "x = 1\ny = {{canary:nope}}\n"}}, token=A)
        check(r.status == 400 and r.json()["error"]["field"] == "parts.poc" and
              "line 2" in r.json()["error"]["message"], "a bad slot: 400 naming parts.poc and the line: %r" % r)

        # After T the copy is public: the same, neutral text for everyone.
        s.admin_call("POST", "/api/v1/advisories/fp-1/publish", {})
        public = {s.request("GET", "/api/v1/inbox/fp-1", token=tokens[p]).body for p in PARTNERS}
        check(len(public) == 1 and b'"WHITE"' in next(iter(public)), "the public copy is the same for all")
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
