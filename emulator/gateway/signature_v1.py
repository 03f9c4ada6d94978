"""Signature V1 (RPC, HMAC-SHA1), exactly as in the spec's §3.1.

Pure functions: the gateway decides what to do with a mismatch.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

_UNRESERVED = re.compile(r"[A-Za-z0-9\-_.~]*")
_UNRESERVED_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
_ENCODED_BYTE = tuple(chr(b) if b in _UNRESERVED_BYTES else f"%{b:02X}" for b in range(256))


def percent_encode(value: str) -> str:
    """RFC 3986 encoding of UTF-8 bytes: only ``A-Z a-z 0-9 - _ . ~`` stay literal."""
    if _UNRESERVED.fullmatch(value):  # most names and values: nothing to encode
        return value
    return "".join(map(_ENCODED_BYTE.__getitem__, value.encode("utf-8")))


def canonical_query(params: Mapping[str, str]) -> str:
    """Sorted (byte order) ``name=value`` pairs of every parameter but ``Signature``."""
    return "&".join(
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in sorted(params.items(), key=lambda kv: kv[0].encode("utf-8"))
        if k != "Signature"
    )


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    # The canonical query holds only unreserved characters, %XY escapes, "&" and "=": encoding it
    # again means escaping just those three (the same result as percent_encode, without the per-byte work).
    canonical = canonical_query(params).replace("%", "%25").replace("&", "%26").replace("=", "%3D")
    return f"{method.upper()}&%2F&{canonical}"


def sign(secret: str, string: str) -> str:
    digest = hmac.new(f"{secret}&".encode(), string.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))
