"""Signature V3 (``ACS3-HMAC-SHA256``), exactly as in the spec's §4.2.

Pure functions over what was received: the canonical headers are rebuilt from the header names the
client listed in ``SignedHeaders``, with the values as received (Host port included).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from emulator.gateway.signature_v1 import percent_encode

ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# Headers a V3 request must sign (spec §4.3, emulator rule).
REQUIRED_SIGNED_HEADERS = frozenset(
    {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}
)


@dataclass(frozen=True, slots=True)
class Authorization:
    algorithm: str
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Authorization | None:
    """Parse ``ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…``; None if malformed."""
    algorithm, _, rest = value.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, val = part.strip().partition("=")
        if sep:
            fields[name.strip()] = val.strip()
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        return None
    if not fields["Credential"] or not fields["SignedHeaders"]:
        return None
    headers = tuple(h.strip().lower() for h in fields["SignedHeaders"].split(";") if h.strip())
    return Authorization(algorithm, fields["Credential"], headers, fields["Signature"])


def canonical_query(query: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in sorted(query.items(), key=lambda kv: kv[0].encode("utf-8"))
    )


def canonical_request(
    method: str,
    query: Mapping[str, str],
    headers: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    names = sorted(signed_headers)
    lines = []
    for name in names:
        values = sorted(v.strip() for v in headers.get(name, ()))
        lines.append(f"{name}:{','.join(values)}\n")
    return "\n".join([method.upper(), "/", canonical_query(query), "".join(lines), ";".join(names), payload_hash])


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def sign(secret: str, string: str) -> str:
    return hmac.new(secret.encode("utf-8"), string.encode("utf-8"), hashlib.sha256).hexdigest()


def matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))
