"""Raw signed requests for the httpx tests, signed with the official SDK's own code.

V1 signatures come from ``alibabacloud_tea_openapi.utils.Utils.get_rpcsignature`` and V3
``Authorization`` headers from ``Utils.get_authorization``, so the emulator is never checked
against its own implementation.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import httpx
from alibabacloud_tea_openapi.utils import Utils

from tests.conftest import Key

API_VERSION = "2017-03-21"
V3_ALGORITHM = "ACS3-HMAC-SHA256"
FORM = "application/x-www-form-urlencoded"


def timestamp(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def nonce() -> str:
    return uuid.uuid4().hex


def rfc3986(value: str) -> str:
    """How Python legacy puts a value on the wire: ``%20`` for a space, ``*`` → ``%2A``."""
    return quote(value, safe="-_.~")


def encode_pairs(pairs: list[tuple[str, str]], plus: bool = False) -> str:
    """URL-encode pairs; ``plus=True`` encodes spaces as ``+`` (Python Tea), else ``%20`` (legacy)."""
    if plus:
        return urlencode(pairs)
    return "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in pairs)


def v1_params(
    key: Key,
    action: str = "SubmitDynamicImageJob",
    api: dict[str, str] | None = None,
    *,
    fmt: str | None = "JSON",
    at: datetime | None = None,
    nonce_value: str | None = None,
) -> dict[str, str]:
    """Every parameter of a V1 request except ``Signature``."""
    params: dict[str, str] = {
        "Action": action,
        "Version": API_VERSION,
        "AccessKeyId": key.id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": nonce_value or nonce(),
        "Timestamp": timestamp(at),
    }
    if fmt is not None:
        params["Format"] = fmt
    if key.token is not None:
        params["SecurityToken"] = key.token
    params.update(api or {})
    return params


def v1_sign(params: dict[str, str], method: str, secret: str) -> str:
    """The official SDK's V1 signature of ``params`` (every parameter but Signature)."""
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    return str(Utils.get_rpcsignature(unsigned, method, secret))


@dataclass
class RawRequest:
    """A request ready for ``httpx``: method, path+query, headers and body."""

    method: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def target(self) -> str:
        return f"/?{self.query}" if self.query else "/"

    def send(self, client: httpx.Client) -> httpx.Response:
        return client.request(self.method, self.target, headers=self.headers, content=self.body)


def v1_request(
    key: Key,
    api: dict[str, str] | None = None,
    *,
    method: str = "POST",
    placement: str = "query",
    action: str = "SubmitDynamicImageJob",
    fmt: str | None = "JSON",
    at: datetime | None = None,
    nonce_value: str | None = None,
    plus: bool = False,
    extra_unsigned: dict[str, str] | None = None,
) -> RawRequest:
    """A signed V1 request. ``placement``: ``query`` (legacy/Tea POST, pop-core GET) or ``form``
    (pop-core's POST: everything, Signature included, in an urlencoded body)."""
    params = v1_params(key, action, api, fmt=fmt, at=at, nonce_value=nonce_value)
    params["Signature"] = v1_sign(params, method, key.secret)
    params.update(extra_unsigned or {})
    encoded = encode_pairs(list(params.items()), plus=plus)
    if placement == "query":
        return RawRequest(method, encoded)
    if placement == "form":
        return RawRequest(method, "", {"content-type": FORM}, encoded.encode())
    raise ValueError(placement)


@dataclass
class _V3Request:
    """The attributes ``Utils.get_authorization`` reads from a Tea request."""

    method: str
    pathname: str
    query: dict[str, str]
    headers: dict[str, str]


def v3_request(
    key: Key,
    api: dict[str, str] | None = None,
    *,
    host: str,
    action: str = "SubmitDynamicImageJob",
    version: str = API_VERSION,
    method: str = "POST",
    body: bytes = b"",
    content_type: str | None = None,
    at: datetime | None = None,
    nonce_value: str | None = None,
    algorithm: str = V3_ALGORITHM,
    extra_signed: dict[str, str] | None = None,
    unsigned: frozenset[str] = frozenset(),
) -> RawRequest:
    """A V3 request signed like Python Tea: every header it sends (but Authorization and the names in
    ``unsigned``) is signed."""
    query = dict(api or {})
    headers: dict[str, str] = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": timestamp(at),
        "x-acs-signature-nonce": nonce_value or nonce(),
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        "accept": "application/json",
    }
    if content_type is not None:
        headers["content-type"] = content_type
    if key.token is not None:
        headers["x-acs-accesskey-id"] = key.id
        headers["x-acs-security-token"] = key.token
    headers.update(extra_signed or {})
    sign_type = algorithm if algorithm in ("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3") else V3_ALGORITHM
    authorization = str(
        Utils.get_authorization(
            _V3Request(method, "/", query, {k: v for k, v in headers.items() if k not in unsigned}),
            sign_type,
            headers["x-acs-content-sha256"],
            key.id,
            key.secret,
        )
    )
    if algorithm != sign_type:
        authorization = authorization.replace(sign_type, algorithm, 1)
    return RawRequest(method, urlencode(list(query.items())), {**headers, "authorization": authorization}, body)
