"""A partner recomputes its own reference in the transparency log from what GET /api/v1/me shows it alone.

docs/log.md: ref = first 16 bytes, in hex, of SHA-256("forewarn-partner-ref-v1\\n" || salt || "\\n" || id).
The partner's download entries and the deliveries to it carry that reference; another partner's salt gives
another reference; the salt never appears in the log or to anyone else.
"""
import base64
import hashlib
import json
import sys
import time

import fwtest


def ref_of(salt, pid):
    return hashlib.sha256(("forewarn-partner-ref-v1\n%s\n%s" % (salt, pid)).encode()).hexdigest()[:32]


def main():
    res = fwtest.Results()
    with fwtest.Server() as s:
        for p in ["alpha", "beta"]:
            s.create_partner(p, tier="vetted")
        tok = {p: s.partner_token(p) for p in ["alpha", "beta"]}
        s.create_advisory(public_at=time.time() + 3600, id="ref-1")
        me = {}
        for p in ["alpha", "beta"]:
            r = s.request("GET", "/api/v1/me", token=tok[p])
            me[p] = r.json() if r.status == 200 else {}
            res.check(r.status == 200 and me[p]["partner"]["id"] == p and len(me[p]["log_salt"]) == 64,
                      "%s: GET /api/v1/me shows its id and salt: %r" % (p, r))
            res.check(me[p].get("log_ref") == ref_of(me[p].get("log_salt", ""), p),
                      "%s: the reference recomputes from the salt per docs/log.md" % p)
        res.check(me["alpha"]["log_ref"] != me["beta"]["log_ref"], "two partners, two references")
        r = s.request("GET", "/api/v1/me", token=s.admin)
        res.check(r.status == 403, "an admin token has no /api/v1/me: %d" % r.status)

        r = s.request("GET", "/api/v1/inbox/ref-1", token=tok["alpha"])
        index = int(r.headers.get("Forewarn-Log-Index", "-1"))
        entries = s.admin_call("GET", "/api/v1/log/entries?start=0&end=1000")["entries"]
        texts = [base64.b64decode(e["data"]) for e in entries]
        mine = json.loads(texts[index]) if 0 <= index < len(texts) else {}
        res.check(mine.get("type") == "download" and mine.get("partner") == me["alpha"]["log_ref"] and
                  mine.get("actor") == "partner:" + me["alpha"]["log_ref"],
                  "alpha finds its own download in the log by its reference: %r" % mine)
        blob = b"\n".join(texts)
        res.check(all(me[p]["log_salt"].encode() not in blob for p in me), "no salt appears in the log")
        res.check(b'"alpha"' not in blob and b"alpha" not in blob, "no partner id appears in the log")
        again = s.request("GET", "/api/v1/me", token=tok["alpha"]).json()
        res.check(again["log_salt"] == me["alpha"]["log_salt"], "the salt is stable")
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
