"""Helpers of the signed and sealed copy tests (test_signing.py, test_sealing.py): the Forewarn-Signature header
parsed, and Ed25519 verification by an implementation independent of Forewarn's (OpenSSL, else Node)."""
import base64
import os
import re
import shutil
import subprocess


def parse_header(h):
    """'alg=ed25519; keyid=<hex>; sig=<base64>' as a dict, the signature decoded; None if malformed."""
    if not h:
        return None
    d = {}
    for item in h.split(";"):
        k, _, v = item.strip().partition("=")
        d[k] = v
    if set(d) != {"alg", "keyid", "sig"} or d["alg"] != "ed25519" or not re.fullmatch(r"[0-9a-f]{16}", d["keyid"]):
        return None
    try:
        d["sig"] = base64.b64decode(d["sig"], validate=True)
    except ValueError:
        return None
    return d if len(d["sig"]) == 64 else None


def independent_verify(pem, data, sig, tmp):
    """Ed25519 verification by OpenSSL (or Node), never by Forewarn's own code: True if sig signs data."""
    kp, dp, sp = (os.path.join(tmp, n) for n in ("ind.pem", "ind.data", "ind.sig"))
    for p, v in ((kp, pem), (dp, data), (sp, sig)):
        with open(p, "wb") as f:
            f.write(v if isinstance(v, bytes) else v.encode())
    if shutil.which("openssl"):
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", kp, "-in", dp,
                            "-sigfile", sp], capture_output=True, text=True)
        return r.returncode == 0 and "Signature Verified Successfully" in r.stdout
    js = ("const c=require('crypto'),f=require('fs');"
          "process.exit(c.verify(null,f.readFileSync(process.argv[2]),f.readFileSync(process.argv[1],'utf8'),"
          "f.readFileSync(process.argv[3]))?0:1)")
    return subprocess.run(["node", "-e", js, kp, dp, sp]).returncode == 0
