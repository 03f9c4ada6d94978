"""Tampering (spec §3, §4): one changed character anywhere signed gets the request rejected, a
replayed nonce is rejected, and one account never sees another's resources."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.conftest import (
    ALICE,
    ALICE_GIF_TEMPLATE,
    ALICE_STS,
    ALICE_VIDEO,
    BOB,
    BOB_VIDEO,
    BOB_WEBP_TEMPLATE,
    Key,
)
from tests.envelopes import assert_raw_error
from tests.sdk_clients import CLIENT_KINDS, submit_error
from tests.server import EmulatorServer
from tests.signing import FORM, RawRequest, encode_pairs, v1_request, v3_request
from tests.stored import rows

SUBMIT = {
    "VideoId": ALICE_VIDEO["Normal"],
    "DynamicImageTemplateId": ALICE_GIF_TEMPLATE,
    "OverrideParams": '{"Watermarks":[{"WatermarkId":"w1","Content":"hi there"}]}',
    "RegionId": "cn-shanghai",
    "SignatureType": "",  # Python legacy signs this empty parameter
}
MISMATCH = "SignatureDoesNotMatch"


@pytest.fixture(scope="module")
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def no_new_jobs(server: EmulatorServer) -> Iterator[None]:
    before = rows(server, "SELECT COUNT(*) AS n FROM dynamicimagejob")[0]["n"]
    yield
    assert rows(server, "SELECT COUNT(*) AS n FROM dynamicimagejob")[0]["n"] == before


def flip(value: str, index: int = -1) -> str:
    """``value`` with one character changed (digits stay digits, letters change case)."""
    if not value:
        return "x"
    position = index % len(value)
    char = value[position]
    if char.isdigit():
        new = str((int(char) + 1) % 10)
    elif char.isalpha():
        new = char.swapcase() if char.swapcase() != char else "x"
    else:
        new = "x" if char != "x" else "y"
    return value[:position] + new + value[position + 1 :]


def with_param(request: RawRequest, name: str, change: int = -1) -> RawRequest:
    pairs = parse_qsl(request.query, keep_blank_values=True)
    changed = [(k, flip(v, change) if k == name else v) for k, v in pairs]
    assert changed != pairs
    return RawRequest(request.method, encode_pairs(changed), dict(request.headers), request.body)


# (parameter, character to change, expected code): the code says which check caught the change.
V1_PARAMS = [
    ("VideoId", -1, MISMATCH),
    ("DynamicImageTemplateId", 0, MISMATCH),
    ("OverrideParams", 40, MISMATCH),
    ("RegionId", -1, MISMATCH),
    ("SignatureType", 0, MISMATCH),
    ("SignatureNonce", 5, MISMATCH),
    ("Timestamp", -2, MISMATCH),  # seconds digit: still a valid time in the window
    ("Format", -1, MISMATCH),  # JSON → JSOn: a valid format, but not the signed value
    ("SignatureMethod", -2, MISMATCH),  # HMAC-SHA1 → HMAC-SHa1: accepted case-insensitively
    ("Signature", 3, MISMATCH),
    ("Action", -1, "InvalidAction.NotFound"),
    ("Version", -1, "InvalidVersion"),
    ("SignatureVersion", -1, "InvalidParameter"),
    ("AccessKeyId", -1, "InvalidAccessKeyId.NotFound"),
]


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize(("name", "index", "code"), V1_PARAMS, ids=[p[0] for p in V1_PARAMS])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_v1_changed_parameter(http: httpx.Client, name: str, index: int, code: str, method: str) -> None:
    request = v1_request(ALICE, SUBMIT, method=method)
    assert_raw_error(with_param(request, name, index).send(http), code, 404 if code.endswith("NotFound") else 400)


@pytest.mark.usefixtures("no_new_jobs")
def test_v1_changed_security_token(http: httpx.Client) -> None:
    request = v1_request(ALICE_STS, SUBMIT)
    assert_raw_error(with_param(request, "SecurityToken").send(http), MISMATCH, 400)


@pytest.mark.usefixtures("no_new_jobs")
def test_v1_added_parameter(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT)
    assert_raw_error(http.post(f"/?{request.query}&Extra=1"), MISMATCH, 400)


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize("name", ["SignatureType", "OverrideParams", "RegionId"])
def test_v1_removed_parameter(http: httpx.Client, name: str) -> None:
    request = v1_request(ALICE, SUBMIT)
    pairs = [(k, v) for k, v in parse_qsl(request.query, keep_blank_values=True) if k != name]
    assert_raw_error(http.post(f"/?{encode_pairs(pairs)}"), MISMATCH, 400)


@pytest.mark.usefixtures("no_new_jobs")
def test_v1_method_is_signed(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT, method="POST")
    assert_raw_error(http.get(f"/?{request.query}"), MISMATCH, 400)


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize(
    ("name", "index"), [("VideoId", -1), ("OverrideParams", 30), ("Timestamp", -2), ("Signature", 0)]
)
def test_v1_changed_form_body(http: httpx.Client, name: str, index: int) -> None:
    request = v1_request(ALICE, SUBMIT, placement="form")
    changed = with_param(RawRequest("POST", request.body.decode()), name, index)
    response = RawRequest("POST", "", {"content-type": FORM}, changed.query.encode()).send(http)
    assert_raw_error(response, MISMATCH, 400)


# --- V3 ------------------------------------------------------------------------------------------

V3_HEADERS = [
    ("accept", MISMATCH),
    ("host", MISMATCH),
    ("user-agent", MISMATCH),
    ("x-acs-content-sha256", MISMATCH),
    ("x-acs-credentials-provider", MISMATCH),
    ("x-acs-date", MISMATCH),
    ("x-acs-signature-nonce", MISMATCH),
    ("x-acs-security-token", MISMATCH),
    ("x-acs-accesskey-id", MISMATCH),
    ("x-acs-action", "InvalidAction.NotFound"),
    ("x-acs-version", "InvalidVersion"),
]


def python_tea_v3(server: EmulatorServer, key: Key = ALICE_STS, **how: object) -> RawRequest:
    """A V3 request signing the headers Python Tea signs (plus the STS pair)."""
    extra = {"user-agent": "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"}
    extra["x-acs-credentials-provider"] = "static_sts" if key.token else "static_ak"
    api = {k: v for k, v in SUBMIT.items() if k not in {"RegionId", "SignatureType"}}
    return v3_request(key, api, host=server.endpoint, extra_signed=extra, **how)  # type: ignore[arg-type]


def test_v3_untampered_request_succeeds(server: EmulatorServer, http: httpx.Client) -> None:
    assert python_tea_v3(server).send(http).status_code == 200


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize(("header", "code"), V3_HEADERS, ids=[h[0] for h in V3_HEADERS])
def test_v3_changed_signed_header(server: EmulatorServer, http: httpx.Client, header: str, code: str) -> None:
    request = python_tea_v3(server)
    index = -2 if header == "x-acs-date" else (4 if header == "host" else -1)
    request.headers[header] = flip(request.headers[header], index)
    host_id = request.headers["host"].rsplit(":", 1)[0]
    assert_raw_error(request.send(http), code, 404 if code.endswith("NotFound") else 400, host_id=host_id)


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize("name", ["VideoId", "DynamicImageTemplateId", "OverrideParams"])
def test_v3_changed_query_parameter(server: EmulatorServer, http: httpx.Client, name: str) -> None:
    request = python_tea_v3(server)
    assert_raw_error(with_param(request, name, 3).send(http), MISMATCH, 400)


@pytest.mark.usefixtures("no_new_jobs")
def test_v3_added_query_parameter(server: EmulatorServer, http: httpx.Client) -> None:
    request = python_tea_v3(server)
    request.query += "&Extra=1"
    assert_raw_error(request.send(http), MISMATCH, 400)


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize("part", ["Signature", "Credential"])
def test_v3_changed_authorization(server: EmulatorServer, http: httpx.Client, part: str) -> None:
    request = python_tea_v3(server, key=ALICE)
    auth = request.headers["authorization"]
    start = auth.index(f"{part}=") + len(part) + 1
    request.headers["authorization"] = auth[:start] + flip(auth[start]) + auth[start + 1 :]
    expected = (MISMATCH, 400) if part == "Signature" else ("InvalidAccessKeyId.NotFound", 404)
    assert_raw_error(request.send(http), *expected)


@pytest.mark.usefixtures("no_new_jobs")
def test_v3_method_is_signed(server: EmulatorServer, http: httpx.Client) -> None:
    request = python_tea_v3(server)
    request.method = "GET"
    assert_raw_error(request.send(http), MISMATCH, 400)


FORM_BODY = b"Padding=%7B%22Watermarks%22%3A%5B%5D%7D"  # an unknown (ignored) parameter


def test_v3_form_body_is_covered_by_the_content_hash(server: EmulatorServer, http: httpx.Client) -> None:
    ok = python_tea_v3(server, body=FORM_BODY, content_type=FORM)
    assert ok.send(http).status_code == 200


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize("content_type", [FORM, "application/octet-stream"])
def test_v3_changed_body(server: EmulatorServer, http: httpx.Client, content_type: str) -> None:
    request = python_tea_v3(server, body=FORM_BODY, content_type=content_type)
    request.body = FORM_BODY.replace(b"%5B", b"%5b")
    assert_raw_error(request.send(http), MISMATCH, 400)


@pytest.mark.usefixtures("no_new_jobs")
def test_v3_body_with_an_empty_body_hash(server: EmulatorServer, http: httpx.Client) -> None:
    request = python_tea_v3(server)
    request.body = b"x=1"
    request.headers["content-type"] = FORM
    assert_raw_error(request.send(http), MISMATCH, 400)


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize(
    "header", ["host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"]
)
def test_v3_required_header_left_unsigned(server: EmulatorServer, http: httpx.Client, header: str) -> None:
    request = python_tea_v3(server, unsigned=frozenset({header}))
    assert header not in request.headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert_raw_error(request.send(http), MISMATCH, 400)


def test_v3_unsigned_headers_may_change(server: EmulatorServer, http: httpx.Client) -> None:
    """Node Tea signs neither accept nor user-agent: the gateway uses the client's SignedHeaders."""
    request = python_tea_v3(server, unsigned=frozenset({"accept", "user-agent"}))
    request.headers["user-agent"] = "something else"
    request.headers["accept"] = "*/*"
    assert request.send(http).status_code == 200


# --- replay ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("placement", ["query", "form"])
def test_v1_replay(http: httpx.Client, placement: str) -> None:
    request = v1_request(ALICE, SUBMIT, placement=placement)
    assert request.send(http).status_code == 200
    assert_raw_error(request.send(http), "SignatureNonceUsed", 400, "Specified signature nonce was used already.")


def test_v1_replay_by_get(http: httpx.Client) -> None:
    """The same nonce re-signed for another method is still a replay."""
    first = v1_request(ALICE, SUBMIT, method="POST", nonce_value="fixed-" + "a" * 26 + "1")
    second = v1_request(ALICE, SUBMIT, method="GET", nonce_value="fixed-" + "a" * 26 + "1")
    assert first.send(http).status_code == 200
    assert_raw_error(second.send(http), "SignatureNonceUsed", 400)


def test_v3_replay(server: EmulatorServer, http: httpx.Client) -> None:
    request = python_tea_v3(server)
    assert request.send(http).status_code == 200
    assert_raw_error(request.send(http), "SignatureNonceUsed", 400)


# --- accounts --------------------------------------------------------------------------------------

CROSS_ACCOUNT = [
    (BOB, ALICE_VIDEO["Normal"], BOB_WEBP_TEMPLATE, "InvalidVideo.NotFound"),
    (BOB, BOB_VIDEO, ALICE_GIF_TEMPLATE, "NoSuchResource"),
    (ALICE, BOB_VIDEO, ALICE_GIF_TEMPLATE, "InvalidVideo.NotFound"),
    (ALICE, ALICE_VIDEO["Normal"], BOB_WEBP_TEMPLATE, "NoSuchResource"),
    (ALICE_STS, BOB_VIDEO, ALICE_GIF_TEMPLATE, "InvalidVideo.NotFound"),
]


@pytest.mark.usefixtures("no_new_jobs")
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(("key", "video", "template", "code"), CROSS_ACCOUNT)
def test_accounts_never_see_each_other(
    server: EmulatorServer, kind: str, key: Key, video: str, template: str, code: str
) -> None:
    error = submit_error(kind, server, key, {"VideoId": video, "DynamicImageTemplateId": template})
    assert (error.code, error.status) == (code, 404)
