"""An independent opener of libsodium sealed boxes, in pure Python (standard library only), for the tests.

It follows the format docs/formats.md describes ("Sealed copies"), written from the specifications, not from
libsodium's code: X25519 (RFC 7748), HSalsa20 and XSalsa20 (Bernstein, "Extending the Salsa20 nonce"),
Poly1305 (RFC 8439 section 2.5), crypto_box = XSalsa20-Poly1305 under HSalsa20(X25519 shared secret, 0), and the
sealed box: ephemeral public key (32 bytes) || Poly1305 tag (16) || ciphertext, under the nonce
BLAKE2b-192(ephemeral pk || recipient pk). Slow, and not constant-time: for tests only.
"""
import hashlib
import hmac
import struct

P = 2 ** 255 - 19
A24 = 121665


def x25519(k, u):
    """RFC 7748 section 5: the scalar k (32 bytes) times the point u (32 bytes)."""
    k = bytearray(k)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    k = int.from_bytes(k, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3, z3 = (da + cb) ** 2 % P, x1 * (da - cb) ** 2 % P
        x2, z2 = aa * bb % P, e * (aa + A24 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def _rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def _salsa_rounds(x):
    x = list(x)
    for _ in range(10):
        for a, b, c, d in ((0, 4, 8, 12), (5, 9, 13, 1), (10, 14, 2, 6), (15, 3, 7, 11)):
            x[b] ^= _rotl((x[a] + x[d]) & 0xFFFFFFFF, 7)
            x[c] ^= _rotl((x[b] + x[a]) & 0xFFFFFFFF, 9)
            x[d] ^= _rotl((x[c] + x[b]) & 0xFFFFFFFF, 13)
            x[a] ^= _rotl((x[d] + x[c]) & 0xFFFFFFFF, 18)
        for a, b, c, d in ((0, 1, 2, 3), (5, 6, 7, 4), (10, 11, 8, 9), (15, 12, 13, 14)):
            x[b] ^= _rotl((x[a] + x[d]) & 0xFFFFFFFF, 7)
            x[c] ^= _rotl((x[b] + x[a]) & 0xFFFFFFFF, 9)
            x[d] ^= _rotl((x[c] + x[b]) & 0xFFFFFFFF, 13)
            x[a] ^= _rotl((x[d] + x[c]) & 0xFFFFFFFF, 18)
    return x


SIGMA = struct.unpack("<4I", b"expand 32-byte k")


def _state(key, in16):
    k = struct.unpack("<8I", key)
    i = struct.unpack("<4I", in16)
    return [SIGMA[0], k[0], k[1], k[2], k[3], SIGMA[1], i[0], i[1], i[2], i[3], SIGMA[2], k[4], k[5], k[6],
            k[7], SIGMA[3]]


def hsalsa20(key, in16):
    x = _salsa_rounds(_state(key, in16))
    return struct.pack("<8I", *(x[i] for i in (0, 5, 10, 15, 6, 7, 8, 9)))


def salsa20_stream(key, nonce8, n):
    out = bytearray()
    counter = 0
    while len(out) < n:
        s = _state(key, nonce8 + struct.pack("<Q", counter))
        x = _salsa_rounds(s)
        out += struct.pack("<16I", *((x[i] + s[i]) & 0xFFFFFFFF for i in range(16)))
        counter += 1
    return bytes(out[:n])


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p, acc = (1 << 130) - 5, 0
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b"\x01", "little")) * r % p
    return ((acc + s) % (1 << 128)).to_bytes(16, "little")


def seal_open(box, pk, sk):
    """The plaintext of a sealed box for the key pair (pk, sk), or None if it does not open."""
    if len(box) < 48:
        return None
    epk, tag, ct = box[:32], box[32:48], box[48:]
    nonce = hashlib.blake2b(epk + pk, digest_size=24).digest()
    shared = x25519(sk, epk)
    if shared == bytes(32):
        return None
    k = hsalsa20(shared, bytes(16))
    sub = hsalsa20(k, nonce[:16])
    stream = salsa20_stream(sub, nonce[16:], 32 + len(ct))
    if not hmac.compare_digest(poly1305(stream[:32], ct), tag):
        return None
    return bytes(a ^ b for a, b in zip(ct, stream[32:]))


def public_key(sk):
    return x25519(sk, (9).to_bytes(32, "little"))
