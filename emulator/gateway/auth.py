"""Authentication of a gateway request (spec §6.5 steps 5–10), V1 and V3.

Runs on the database thread inside the request's transaction: it looks the key up, checks time,
signature method, signature and STS token, and records the nonce. Returns the caller's account id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from emulator.clock import as_utc, parse_time
from emulator.config import Settings, SignatureMode
from emulator.gateway import signature_v1, signature_v3
from emulator.gateway.errors import Errors, missing
from emulator.gateway.params import RequestParams
from emulator.store import queries
from emulator.store.models import KeyStatus
from emulator.store.queries import KeyRow


@dataclass(slots=True)
class SignedRequest:
    """What authentication needs to know about a request."""

    method: str
    params: RequestParams
    headers: dict[str, list[str]]  # lower-case names, every received value
    body: bytes
    v3: signature_v3.Authorization | None

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None


def _check_key(session: Session, access_key_id: str, now: datetime) -> KeyRow:
    key = queries.access_key(session, access_key_id)
    if key is None:
        raise Errors.InvalidAccessKeyIdNotFound.error()
    if key.status is not KeyStatus.Active:
        raise Errors.InvalidAccessKeyIdInactive.error()
    return key


def _check_time(value: str, now: datetime, window: int) -> None:
    stamp = parse_time(value)
    if stamp is None:
        raise Errors.InvalidTimeStampFormat.error()
    if abs((now - stamp).total_seconds()) > window:
        raise Errors.InvalidTimeStampExpired.error()


def _check_security_token(session: Session, key: KeyRow, token: str | None, now: datetime) -> None:
    if key.security_token is None and not key.access_key_id.startswith("STS."):
        return
    if not token:
        raise Errors.MissingSecurityToken.error()
    if token != key.security_token:
        other = queries.access_key_by_token(session, token)
        if other is not None:
            raise Errors.InvalidSecurityTokenMismatch.error()
        raise Errors.InvalidSecurityTokenMalformed.error()
    if key.expires_at is not None and key.expires_at < as_utc(now):
        raise Errors.InvalidSecurityTokenExpired.error()


def _verify_v1(request: SignedRequest, key: KeyRow, settings: Settings, now: datetime) -> str:
    params = request.params
    timestamp = params.get("Timestamp")
    if timestamp is None:
        raise missing("Timestamp")
    _check_time(timestamp, now, settings.timestamp_window_seconds)
    method = params.get("SignatureMethod")
    if method is None:
        raise missing("SignatureMethod")
    if method.upper() != "HMAC-SHA1":
        raise Errors.InvalidSignatureMethod.error()
    version = params.get("SignatureVersion")
    if version is None:
        raise missing("SignatureVersion")
    if version != "1.0":
        raise Errors.InvalidParameter.error("SignatureVersion")
    nonce = params.get("SignatureNonce")
    if not nonce:
        raise missing("SignatureNonce")
    string = signature_v1.string_to_sign(request.method, params.values)
    given = params.get("Signature") or ""
    if not signature_v1.matches(signature_v1.sign(key.secret, string), given):
        raise Errors.SignatureDoesNotMatch.error(string)
    return nonce


def _verify_v3(request: SignedRequest, key: KeyRow, settings: Settings, now: datetime) -> str:
    auth = request.v3
    assert auth is not None
    if auth.algorithm != signature_v3.ALGORITHM:
        raise Errors.InvalidSignatureMethod.error()
    date = request.header("x-acs-date")
    if date is None:
        raise Errors.MissingParameter.error("x-acs-date")
    _check_time(date, now, settings.timestamp_window_seconds)
    nonce = request.header("x-acs-signature-nonce")
    if not nonce:
        raise Errors.MissingParameter.error("x-acs-signature-nonce")
    canonical = signature_v3.canonical_request(
        request.method,
        request.params.query,
        request.headers,
        auth.signed_headers,
        request.header("x-acs-content-sha256") or "",
    )
    string = signature_v3.string_to_sign(canonical)
    body_hash = hashlib.sha256(request.body).hexdigest()
    if (
        not set(auth.signed_headers) >= signature_v3.REQUIRED_SIGNED_HEADERS
        or request.header("x-acs-content-sha256") != body_hash
        or not signature_v3.matches(signature_v3.sign(key.secret, string), auth.signature)
    ):
        raise Errors.SignatureDoesNotMatch.error(string)
    return nonce


def access_key_id_of(request: SignedRequest) -> str:
    if request.v3 is not None:
        return request.v3.access_key_id
    value = request.params.get("AccessKeyId")
    if not value:
        raise missing("AccessKeyId")
    return value


def authenticate(session: Session, request: SignedRequest, settings: Settings, now: datetime) -> str:
    """Return the caller's account id, or raise the gateway's authentication error."""
    key = _check_key(session, access_key_id_of(request), now)
    token = request.header("x-acs-security-token") if request.v3 else request.params.get("SecurityToken")
    if settings.signature_mode is SignatureMode.off:
        return key.account_id
    verify = _verify_v3 if request.v3 is not None else _verify_v1
    nonce = verify(request, key, settings, now)
    window = timedelta(seconds=settings.timestamp_window_seconds)
    utc_now = as_utc(now)
    if not queries.remember_nonce(session, key.access_key_id, nonce, utc_now, utc_now + 2 * window):
        raise Errors.SignatureNonceUsed.error()
    _check_security_token(session, key, token, now)
    return key.account_id

