"""Fingerprinted copies and leak tracing through the real server.

Every partner's copy of an advisory with variation slots is its own (deterministic, never showing the
template), the public copy is the same for all, and POST /api/v1/trace names the partner whose copy a
leaked text came from: a whole copy, its PoC alone, a 30% fragment, two colluders' mix; never an innocent,
and "no accusation" for unrelated text.
"""
import json
import os
import subprocess
import sys
import time

import fwtest

PARTNERS = ["p%d" % i for i in range(1, 9)]


def summary_template():
    return " ".join("Step %d: the {{service|daemon}} {{crashes|fails}} when the {{request|message}} is "
                    "{{long|oversized}}." % i for i in range(80))


def poc_template():
    return "\n".join("timeout_%d = {{int:%d}}\nname_%d = '{{alpha|beta|gamma|delta}}'" % (i, 10 + i, i)
                     for i in range(120))


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
        check(fp.get("positions", 0) > 600 and fp["parts"]["summary"]["slots"] == 320 and
              fp["parts"]["poc"]["positions"] == 360, "the admin view counts slots and positions: %r" % fp)

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
        # with the whole code (about 700 positions: DESIGN.md finds 320 to 512 needed) at least one of them.
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

        # Canary facts: unmarked prose with {{canaries}} gets the lexicon's slots and a sentence of
        # per-partner example values where the author put the directive.
        proses = {2: "The vulnerability allows a remote attacker to execute arbitrary code because the parser "
                     "does not check the length of the header. ",
                  3: "An attacker who can send a crafted certificate may cause a denial of service, since the "
                     "library frequently fails to validate the extension before it is used. "}
        for k in (2, 3):
            prose = proses[k]
            # (each advisory its own kinds: a fragment showing canary values alone fits any advisory
            # whose facts have those kinds)
            adv_k = s.create_advisory(public_at=time.time() + 3600, id="fp-%d" % k, parts={
                "summary": prose * 6 + ("{{canaries}}" if k == 2 else ""),
                "details": (prose + "Apply the update immediately. ") * 8 +
                           ("{{canaries:ipv4,marker}}" if k == 2 else "{{canaries:port}}") +
                           " Restart the service afterwards."})
            fpk = adv_k.get("fingerprint", {})
            check(fpk.get("parts", {}).get("summary", {}).get("slots", 0) > 4 and
                  fpk["parts"]["details"]["slots"] > 2,
                  "fp-%d: lexicon slots and canary facts both counted: %r" % (k, fpk))
        check(adv_k["fingerprint"]["parts"]["summary"]["slots"] > 0, "fp-3: lexicon slots without facts")
        facts = {}
        for p in PARTNERS:
            body = s.request("GET", "/api/v1/inbox/fp-2", token=tokens[p]).body.decode()
            check("canaries" not in body and "{{" not in body, "%s: the directive never reaches a partner" % p)
            check("In our test set-up, the target host was " in body and ".example." in body,
                  "%s: the canary facts sentence is in the copy" % p)
            facts[p] = body[body.index("In our test set-up"):][:200]
        check(len(set(facts.values())) == len(PARTNERS), "every partner's canary facts are its own")

        # Evidence adds up: small fragments of three advisories, each too little alone to name p5,
        # name p5 together, summed over the revisions p5 received.
        leaks = []
        for aid in ("fp-1", "fp-2", "fp-3"):
            body = texts(s.request("GET", "/api/v1/inbox/" + aid, token=tokens["p5"]).body)
            # the longest fragment from 10% on that does not name p5 alone (bisection on its length)
            pick, lo, hi, start = None, 0, len(body) - len(body) // 10, len(body) // 10
            while hi - lo > 8:
                mid = (lo + hi) // 2
                frag = body[start:start + mid]
                st, t = trace(frag)
                if st == 200 and t["accused"] == []:
                    lo = mid
                    if t["positions"] > 0:
                        pick = (frag, t)
                else:
                    hi = mid
            check(pick is not None, "%s: a fragment too small to name p5 alone" % aid)
            if pick:
                leaks.append(pick)
        if len(leaks) == 3:
            r = s.request("POST", "/api/v1/trace", {"leaks": [{"text": f} for f, _ in leaks]}, token=A)
            t = r.json()
            named = [h["partner"] for h in t.get("accused", [])]
            total = sum(x["positions"] for _, x in leaks)
            check(r.status == 200 and t["revisions"] == 3 and t["positions"] == total and
                  [m["advisory"] for m in t["leaks"]] == ["fp-1", "fp-2", "fp-3"],
                  "three leaks match three revisions, %d positions in all: %r" % (total, t.get("leaks")))
            check(named == ["p5"], "together the fragments name p5 alone (%d positions): %r" % (
                total, t.get("accused")))
            hit = t["accused"][0] if named else {}
            check(hit.get("positions") == total and hit.get("bound", 1) <= 1e-9,
                  "p5's accusation is over the summed positions: %r" % hit)
            # the same through the CLI, one FILE per leak
            paths = []
            for i, (f, _) in enumerate(leaks):
                path = os.path.join(s.data, "leak%d.txt" % i)
                with open(path, "w") as fh:
                    fh.write(f)
                paths.append(path)
            out = subprocess.run([fwtest.FOREWARN, "trace"] + paths +
                                 ["--url", s.url, "--token", A], capture_output=True, text=True)
            check(out.returncode == 0 and "evidence summed" in out.stdout and
                  "ACCUSED" in out.stdout and "\np5 " in out.stdout and
                  out.stdout.count("advisory fp-") == 3, "forewarn trace FILE FILE FILE names p5: %s%s" % (
                      out.stdout, out.stderr))
            out = subprocess.run([fwtest.FOREWARN, "trace"] + paths + ["--advisory", "fp-1", "--advisory",
                                 "fp-2", "--url", s.url, "--token", A], capture_output=True, text=True)
            check(out.returncode == 2 and "--advisory" in out.stderr,
                  "--advisory twice for three FILEs: usage error: %s" % out.stderr)
        # Two fragments of one revision pool their readings into one block.
        body = texts(copies["p4"])
        st, t = trace(body[:len(body) // 3])
        r = s.request("POST", "/api/v1/trace", {"leaks": [{"text": body[:len(body) // 3]},
                                                           {"text": body[len(body) // 3:], "advisory": "fp-1"}]},
                      token=A)
        t2 = r.json()
        check(r.status == 200 and t2["revisions"] == 1 and t2["positions"] > t["positions"] and
              [h["partner"] for h in t2["accused"]] == ["p4"], "two fragments of one copy pool: %r" % t2)
        for body, field, what in (
                ({"leaks": []}, "leaks", "an empty leaks array"),
                ({"leaks": [{"text": "x"}] * 33}, "leaks", "33 leaks"),
                ({"leaks": [{"text": "x"}], "text": "y"}, "leaks", "both text and leaks"),
                ({"leaks": [{"advisory": "fp-1"}]}, "leaks", "a leak without text"),
                ({"leaks": [{"text": "x", "colour": 1}]}, "leaks[0].colour", "an unknown field in a leak"),
                ({"leaks": ["x"]}, "leaks", "a leak that is not an object"),
                ({"leaks": [{"text": 5}]}, "leaks[0].text", "a text that is not a string")):
            r = s.request("POST", "/api/v1/trace", body, token=A)
            check(r.status == 400 and r.json()["error"]["field"] == field,
                  "%s: 400 naming %s: %s" % (what, field, r.body[:200]))
        r = s.request("POST", "/api/v1/trace", {"leaks": [{"text": "x", "advisory": "nope"}]}, token=A)
        check(r.status == 404 and r.json()["error"]["field"] == "advisory", "a leak's unknown advisory: 404")

        # After T the copy is public: the same, neutral text for everyone.
        s.admin_call("POST", "/api/v1/advisories/fp-1/publish", {})
        public = {s.request("GET", "/api/v1/inbox/fp-1", token=tokens[p]).body for p in PARTNERS}
        check(len(public) == 1 and b'"WHITE"' in next(iter(public)), "the public copy is the same for all")
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
