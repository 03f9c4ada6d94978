"""Pre-signed SubmitDynamicImageJob requests, written to a file just before a run.

Each line is one request target (``/?…``) in the shape the legacy Python SDK sends (POST, parameters
in the query string, empty body), V1-signed (spec §3.1) with a nonce of its own. The signer is written
here from the spec rather than imported from the emulator, so the bench does not trust the code it measures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

API_VERSION = "2017-03-21"
METHOD = "POST"


@dataclass(frozen=True)
class Caller:
    """A fixture key and the resources it submits jobs for (``fixtures/default.yaml``)."""

    access_key_id: str
    secret: str
    video_id: str
    template_id: str


DEFAULT_CALLER = Caller(
    access_key_id="LTAI5tVodEmulatorAlice01",
    secret="VodEmulatorAliceSecret0000000001",
    video_id="a11ce000000000000000000000000001",
    template_id="a11ced1a000000000000000000000001",
)


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def signed_target(caller: Caller, timestamp: str, nonce: str) -> str:
    """One SubmitDynamicImageJob request target, e.g. ``/?VideoId=…&Signature=…``."""
    params = {"VideoId": caller.video_id, "DynamicImageTemplateId": caller.template_id}
    return signed_action_target(caller, "SubmitDynamicImageJob", params, timestamp, nonce)


def signed_action_target(caller: Caller, action: str, api_params: dict[str, str], timestamp: str, nonce: str) -> str:
    """A request target for any action, V1-signed as the legacy Python SDK sends it."""
    params = {
        **api_params,
        "Version": API_VERSION,
        "Action": action,
        "Format": "JSON",
        "RegionId": "cn-shanghai",
        "Timestamp": timestamp,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureType": "",
        "SignatureVersion": "1.0",
        "SignatureNonce": nonce,
        "AccessKeyId": caller.access_key_id,
    }
    canonical = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{METHOD}&%2F&{_encode(canonical)}"
    digest = hmac.new(f"{caller.secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    params["Signature"] = base64.b64encode(digest).decode("ascii")
    return "/?" + "&".join(f"{_encode(k)}={_encode(v)}" for k, v in params.items())


def write_signed_requests(path: Path, count: int, caller: Caller = DEFAULT_CALLER) -> Path:
    """Write ``count`` unique signed targets, one per line, all stamped now (well inside the ±15 min window)."""
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with path.open("w", encoding="ascii") as out:
        for _ in range(count):
            out.write(signed_target(caller, timestamp, secrets.token_hex(16)))
            out.write("\n")
    return path
