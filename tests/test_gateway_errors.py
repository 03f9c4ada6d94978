"""Every error the gateway produces (spec §6.3, §6.5, §6.6): through the official SDKs wherever an
SDK can be made to send the request, and as raw HTTP for what no SDK sends."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_tea_openapi import utils as tea_utils
from alibabacloud_tea_openapi.utils import Utils
from alibabacloud_vod20170321.client import Client as TeaClient
from alibabacloud_vod20170321.models import SubmitDynamicImageJobRequest
from aliyunsdkcore.auth.algorithm import sha_hmac1
from aliyunsdkcore.auth.composer import rpc_signature_composer
from aliyunsdkcore.utils import parameter_helper
from Tea.exceptions import TeaException

from tests.conftest import (
    ALICE,
    ALICE_GIF_TEMPLATE,
    ALICE_STS,
    ALICE_STS_EXPIRED,
    ALICE_VIDEO,
    BOB,
    INACTIVE,
    UNKNOWN,
    Key,
)
from tests.envelopes import assert_raw_error, assert_sdk_error
from tests.sdk_clients import (
    CLIENT_KINDS,
    call_error,
    legacy_client,
    legacy_submit_request,
    normalise,
    submit_error,
    submitter,
    tea_config,
)
from tests.server import EmulatorServer
from tests.signing import RawRequest, v1_params, v1_request, v1_sign, v3_request

# The legacy SDK's own get_response() calls a method it deprecated itself.
pytestmark = pytest.mark.filterwarnings("ignore:implementation_of_do_action:DeprecationWarning")

SUBMIT = {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": ALICE_GIF_TEMPLATE}
SIGNATURE_PREFIX = "Specified signature is not matched with our calculation. server string to sign is:"
SMALL_LIMIT = 4096


@pytest.fixture(scope="module")
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def send(http: httpx.Client, request: RawRequest) -> httpx.Response:
    return request.send(http)


def stamp(offset: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


class SdkClock:
    """Monkeypatches the SDKs' timestamp and nonce helpers (legacy and Tea)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def timestamp(self, value: str) -> None:
        self.monkeypatch.setattr(parameter_helper, "get_iso_8061_date", lambda: value)
        self.monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: value))

    def nonce(self, value: str) -> None:
        self.monkeypatch.setattr(parameter_helper, "get_uuid", lambda: value)
        self.monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: value))


@pytest.fixture
def sdk_clock(monkeypatch: pytest.MonkeyPatch) -> SdkClock:
    return SdkClock(monkeypatch)


# --- access keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_unknown_access_key(server: EmulatorServer, kind: str) -> None:
    error = submit_error(kind, server, UNKNOWN, SUBMIT)
    assert_sdk_error(error, "InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_inactive_access_key(server: EmulatorServer, kind: str) -> None:
    error = submit_error(kind, server, INACTIVE, SUBMIT)
    assert_sdk_error(error, "InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled.")


# --- SignatureDoesNotMatch -------------------------------------------------------------------------


def wrong_secret(key: Key) -> Key:
    return Key(key.id, key.secret + "x", key.token)


def test_wrong_secret_legacy_recognises_its_own_string_to_sign(server: EmulatorServer) -> None:
    """The legacy SDK compares the echoed StringToSign with its own and, when equal, reports
    InvalidAccessKeySecret: proof that the emulator's V1 StringToSign is the client's."""
    error = submit_error("legacy", server, wrong_secret(ALICE), SUBMIT)
    message = "The AccessKeySecret is incorrect. Please check your AccessKeyId and AccessKeySecret."
    assert_sdk_error(error, "InvalidAccessKeySecret", 400, message)


def test_wrong_secret_legacy_raw_reply(server: EmulatorServer) -> None:
    request = legacy_submit_request(server, **SUBMIT)
    request.set_accept_format("JSON")
    status, headers, body = legacy_client(server, wrong_secret(ALICE)).get_response(request)
    response = httpx.Response(status, headers=headers, content=body)
    document = assert_raw_error(response, "SignatureDoesNotMatch", 400)
    assert document["Message"] == SIGNATURE_PREFIX + request.string_to_sign
    assert document["Message"].split(":")[1] == request.string_to_sign  # what the SDK evaluates


def test_wrong_secret_tea_v1(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    signed: list[tuple[dict[str, str], str]] = []
    original = Utils.get_rpcsignature

    def capture(params: dict[str, str], method: str, secret: str) -> str:
        signed.append((dict(params), method))
        return str(original(params, method, secret))

    monkeypatch.setattr(Utils, "get_rpcsignature", staticmethod(capture))
    error = submit_error("tea_v1", server, wrong_secret(ALICE), SUBMIT)
    params, method = signed[-1]
    # The legacy SDK's composer is an independent implementation of the same StringToSign.
    compose = getattr(rpc_signature_composer, "__compose_string_to_sign")
    assert_sdk_error(error, "SignatureDoesNotMatch", 400, SIGNATURE_PREFIX + compose(method, params))


def test_wrong_secret_tea_v3(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    captured: list[str] = []
    original = Utils.get_authorization

    def capture(request: Any, sign_type: str, payload: str, ak: str, secret: str) -> str:
        headers, names = tea_utils.get_canonicalized_headers(request.headers)
        query = tea_utils.get_canonical_query_string(request.query)
        canonical = f"{request.method}\n/\n{query}\n{headers}\n{names}\n{payload}"
        captured.append(f"{sign_type}\n{hashlib.sha256(canonical.encode()).hexdigest()}")
        return str(original(request, sign_type, payload, ak, secret))

    monkeypatch.setattr(Utils, "get_authorization", staticmethod(capture))
    error = submit_error("tea_v3", server, wrong_secret(ALICE), SUBMIT)
    assert_sdk_error(error, "SignatureDoesNotMatch", 400, SIGNATURE_PREFIX + captured[-1])


def test_signature_of_another_key_does_not_match(server: EmulatorServer, http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT)
    forged = request.query.replace(f"AccessKeyId={ALICE.id}", f"AccessKeyId={BOB.id}")
    assert_raw_error(send(http, RawRequest("POST", forged)), "SignatureDoesNotMatch", 400)


# --- signature method ------------------------------------------------------------------------------


def test_v1_signature_method_through_legacy(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sha_hmac1, "get_signer_name", lambda: "HMAC-SHA256")
    error = submit_error("legacy", server, ALICE, SUBMIT)
    assert_sdk_error(error, "InvalidSignatureMethod", 400, "Specified signature method is not valid.")


def test_v3_signature_algorithm_through_tea(server: EmulatorServer) -> None:
    config = tea_config(server, ALICE)
    config.signature_algorithm = "ACS3-HMAC-SM3"  # a V3 algorithm the Tea SDK supports, VOD does not
    request = SubmitDynamicImageJobRequest(video_id=SUBMIT["VideoId"], dynamic_image_template_id=ALICE_GIF_TEMPLATE)
    with pytest.raises(TeaException) as raised:
        TeaClient(config).submit_dynamic_image_job(request)
    message = "Specified signature method is not valid."
    assert_sdk_error(normalise(raised.value), "InvalidSignatureMethod", 400, message)


@pytest.mark.parametrize("method", ["HMAC-SHA256", "RSA", ""])
def test_v1_bad_signature_method_raw(http: httpx.Client, method: str) -> None:
    params = v1_params(ALICE, api=SUBMIT)
    params["SignatureMethod"] = method
    params["Signature"] = v1_sign(params, "POST", ALICE.secret)
    response = http.post("/", params=params)
    assert_raw_error(response, "InvalidSignatureMethod", 400, "Specified signature method is not valid.")


@pytest.mark.parametrize("method", ["hmac-sha1", "Hmac-SHA1"])
def test_v1_signature_method_is_case_insensitive(http: httpx.Client, method: str) -> None:
    params = v1_params(ALICE, api=SUBMIT)
    params["SignatureMethod"] = method
    params["Signature"] = v1_sign(params, "POST", ALICE.secret)
    assert http.post("/", params=params).status_code == 200


def test_v3_bad_algorithm_raw(server: EmulatorServer, http: httpx.Client) -> None:
    request = v3_request(ALICE, SUBMIT, host=server.endpoint, algorithm="ACS3-RSA-SHA256")
    assert_raw_error(send(http, request), "InvalidSignatureMethod", 400, "Specified signature method is not valid.")


def test_v1_bad_signature_version_raw(http: httpx.Client) -> None:
    params = v1_params(ALICE, api=SUBMIT)
    params["SignatureVersion"] = "2.0"
    params["Signature"] = v1_sign(params, "POST", ALICE.secret)
    message = 'The specified parameter "SignatureVersion" is not valid.'
    assert_raw_error(http.post("/", params=params), "InvalidParameter", 400, message)


# --- timestamps ------------------------------------------------------------------------------------

FORMAT_MESSAGE = "Specified time stamp or date value is not well formatted."
EXPIRED_MESSAGE = "Specified time stamp or date value is expired."


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("value", ["2024-01-01 00:00:00", "yesterday", "2024-01-01T00:00:00+08:00", ""])
def test_malformed_timestamp(server: EmulatorServer, sdk_clock: SdkClock, kind: str, value: str) -> None:
    sdk_clock.timestamp(value)
    error = submit_error(kind, server, ALICE, SUBMIT)
    assert_sdk_error(error, "InvalidTimeStamp.Format", 400, FORMAT_MESSAGE)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("offset", [-16, 16], ids=["past", "future"])
def test_expired_timestamp(server: EmulatorServer, sdk_clock: SdkClock, kind: str, offset: int) -> None:
    sdk_clock.timestamp(stamp(timedelta(minutes=offset)))
    error = submit_error(kind, server, ALICE, SUBMIT)
    assert_sdk_error(error, "InvalidTimeStamp.Expired", 400, EXPIRED_MESSAGE)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("offset", [-14, 14], ids=["past", "future"])
def test_timestamp_within_window(server: EmulatorServer, sdk_clock: SdkClock, kind: str, offset: int) -> None:
    sdk_clock.timestamp(stamp(timedelta(minutes=offset)))
    assert submitter(kind)(server, ALICE, SUBMIT).job_id


# --- nonces ----------------------------------------------------------------------------------------

NONCE_MESSAGE = "Specified signature nonce was used already."


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_replayed_nonce(server: EmulatorServer, sdk_clock: SdkClock, kind: str) -> None:
    sdk_clock.nonce(uuid.uuid4().hex)
    submitter(kind)(server, ALICE, SUBMIT)
    error = submit_error(kind, server, ALICE, SUBMIT)
    assert_sdk_error(error, "SignatureNonceUsed", 400, NONCE_MESSAGE)


def test_nonce_is_used_even_when_the_action_fails(server: EmulatorServer, sdk_clock: SdkClock) -> None:
    sdk_clock.nonce(uuid.uuid4().hex)
    bad = {**SUBMIT, "VideoId": "0" * 32}
    assert submit_error("tea_v3", server, ALICE, bad).code == "InvalidVideo.NotFound"
    assert_sdk_error(submit_error("tea_v3", server, ALICE, bad), "SignatureNonceUsed", 400, NONCE_MESSAGE)


def test_nonce_is_not_used_by_a_rejected_signature(server: EmulatorServer, sdk_clock: SdkClock) -> None:
    sdk_clock.nonce(uuid.uuid4().hex)
    assert submit_error("tea_v1", server, wrong_secret(ALICE), SUBMIT).code == "SignatureDoesNotMatch"
    assert submitter("tea_v1")(server, ALICE, SUBMIT).job_id


def test_nonces_are_per_access_key(server: EmulatorServer, sdk_clock: SdkClock) -> None:
    sdk_clock.nonce(uuid.uuid4().hex)
    submitter("legacy")(server, ALICE, SUBMIT)
    bob = {"VideoId": "b0b00000000000000000000000000001", "DynamicImageTemplateId": "b0bd1a00000000000000000000000001"}
    assert submitter("legacy")(server, BOB, bob).job_id


def test_v1_and_v3_share_the_nonce_memory(server: EmulatorServer, sdk_clock: SdkClock) -> None:
    sdk_clock.nonce(uuid.uuid4().hex)
    submitter("tea_v1")(server, ALICE, SUBMIT)
    assert submit_error("tea_v3", server, ALICE, SUBMIT).code == "SignatureNonceUsed"


# --- STS -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_sts_key_without_token(server: EmulatorServer, kind: str) -> None:
    error = submit_error(kind, server, Key(ALICE_STS.id, ALICE_STS.secret), SUBMIT)
    assert_sdk_error(error, "MissingSecurityToken", 400, "SecurityToken is mandatory for this action.")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_sts_token_expired(server: EmulatorServer, kind: str) -> None:
    error = submit_error(kind, server, ALICE_STS_EXPIRED, SUBMIT)
    assert_sdk_error(error, "InvalidSecurityToken.Expired", 400, "Specified SecurityToken is expired.")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_sts_token_malformed(server: EmulatorServer, kind: str) -> None:
    error = submit_error(kind, server, Key(ALICE_STS.id, ALICE_STS.secret, "not-a-token"), SUBMIT)
    assert_sdk_error(error, "InvalidSecurityToken.Malformed", 400, "Specified SecurityToken is malformed.")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_sts_token_of_another_key(server: EmulatorServer, kind: str) -> None:
    error = submit_error(kind, server, Key(ALICE_STS.id, ALICE_STS.secret, ALICE_STS_EXPIRED.token), SUBMIT)
    message = "Specified SecurityToken mismatch with the AccessKey."
    assert_sdk_error(error, "InvalidSecurityToken.MismatchWithAccessKey", 400, message)


# --- routing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_unknown_action(server: EmulatorServer, kind: str) -> None:
    error = call_error(kind, server, ALICE, SUBMIT, action="SubmitDynamicImageJobs")
    message = "Specified api is not found, please check your url and method."
    assert_sdk_error(error, "InvalidAction.NotFound", 404, message)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_action_names_are_case_sensitive(server: EmulatorServer, kind: str) -> None:
    assert call_error(kind, server, ALICE, SUBMIT, action="submitdynamicimagejob").code == "InvalidAction.NotFound"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_wrong_version(server: EmulatorServer, kind: str) -> None:
    error = call_error(kind, server, ALICE, SUBMIT, version="2014-06-18")
    assert_sdk_error(error, "InvalidVersion", 400, "Specified parameter Version is not valid.")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_unsupported_method(server: EmulatorServer, kind: str, method: str) -> None:
    error = call_error(kind, server, ALICE, SUBMIT, method=method)
    assert_sdk_error(error, "UnsupportedHTTPMethod", 403, "The HTTP method is not supported.")


@pytest.mark.parametrize("method", ["PATCH", "OPTIONS"])
def test_unsupported_method_raw(http: httpx.Client, method: str) -> None:
    request = v1_request(ALICE, SUBMIT, method=method)
    assert_raw_error(send(http, request), "UnsupportedHTTPMethod", 403, "The HTTP method is not supported.")


def test_unknown_path(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT)
    response = http.post(f"/vod/?{request.query}")
    assert_raw_error(response, "InvalidAction.NotFound", 404)


def missing_parameter(name: str) -> str:
    return f'The input parameter "{name}" that is mandatory for processing this request is not supplied.'


@pytest.mark.parametrize("name", ["Action", "Version"])
def test_v1_missing_action_or_version(http: httpx.Client, name: str) -> None:
    params = v1_params(ALICE, api=SUBMIT)
    del params[name]
    params["Signature"] = v1_sign(params, "POST", ALICE.secret)
    assert_raw_error(http.post("/", params=params), "MissingParameter", 400, missing_parameter(name))


@pytest.mark.parametrize(("header", "name"), [("x-acs-action", "Action"), ("x-acs-version", "Version")])
def test_v3_missing_action_or_version(server: EmulatorServer, http: httpx.Client, header: str, name: str) -> None:
    request = v3_request(ALICE, SUBMIT, host=server.endpoint)
    del request.headers[header]
    assert_raw_error(send(http, request), "MissingParameter", 400, missing_parameter(name))


@pytest.mark.parametrize("header", ["x-acs-date", "x-acs-signature-nonce"])
def test_v3_missing_date_or_nonce(server: EmulatorServer, http: httpx.Client, header: str) -> None:
    request = v3_request(ALICE, SUBMIT, host=server.endpoint)
    del request.headers[header]
    assert_raw_error(send(http, request), "MissingParameter", 400, missing_parameter(header))


def test_v3_wrong_version_raw(server: EmulatorServer, http: httpx.Client) -> None:
    request = v3_request(ALICE, SUBMIT, host=server.endpoint, version="2014-06-18")
    assert_raw_error(send(http, request), "InvalidVersion", 400, "Specified parameter Version is not valid.")


@pytest.mark.parametrize(
    "name", ["AccessKeyId", "Timestamp", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Signature"]
)
def test_v1_missing_common_parameter(http: httpx.Client, name: str) -> None:
    params = v1_params(ALICE, api=SUBMIT)
    params.pop(name, None)
    if name != "Signature":
        params["Signature"] = v1_sign(params, "POST", ALICE.secret)
    response = http.post("/", params=params)
    assert_raw_error(response, f"Missing{name}", 400, f"{name} is mandatory for this action.")


@pytest.mark.parametrize(
    "value",
    [
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SHA256 Credential=x",
        "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host",
        "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=ab",
        "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab",
    ],
)
def test_malformed_v3_authorization(server: EmulatorServer, http: httpx.Client, value: str) -> None:
    request = v3_request(ALICE, SUBMIT, host=server.endpoint)
    request.headers["authorization"] = value
    message = "The request signature does not conform to Aliyun standards. server string to sign is:"
    assert_raw_error(send(http, request), "IncompleteSignature", 400, message)


@pytest.mark.parametrize("value", ["yaml", "TEXT", ""])
def test_bad_format_raw(http: httpx.Client, value: str) -> None:
    request = v1_request(ALICE, SUBMIT, fmt=value)
    message = "Specified parameter format is not valid."
    assert_raw_error(send(http, request), "InvalidParameter.Format", 400, message, xml=True)


def test_bad_format_through_legacy(server: EmulatorServer) -> None:
    request = legacy_submit_request(server, **SUBMIT)
    request.set_accept_format("TEXT")
    status, headers, body = legacy_client(server, ALICE).get_response(request)
    response = httpx.Response(status, headers=headers, content=body)
    assert_raw_error(response, "InvalidParameter.Format", 400, "Specified parameter format is not valid.", xml=True)


# --- request size ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_request_target_above_64k(server: EmulatorServer, kind: str) -> None:
    """httptools refuses request targets over 65,535 bytes before the app; the emulator's protocol
    answers in the envelope anyway."""
    error = submit_error(kind, server, ALICE, {**SUBMIT, "VideoId": "v" * 70_000})
    message = "The request is larger than the 65535 bytes this endpoint accepts."
    assert_sdk_error(error, "InvalidParameter.RequestTooLarge", 413, message)


@pytest.fixture(scope="module")
def lenient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    """A server with signature checking off and a small request limit."""
    env = {"VOD_EMULATOR_SIGNATURE_MODE": "off", "VOD_EMULATOR_MAX_BODY_BYTES": str(SMALL_LIMIT)}
    emulator = EmulatorServer(Path(tmp_path_factory.mktemp("lenient")), env=env).start()
    yield emulator
    emulator.stop()


TOO_LARGE = f"The request is larger than the {SMALL_LIMIT} bytes this endpoint accepts."


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_request_above_the_configured_limit(lenient: EmulatorServer, kind: str) -> None:
    overrides = '{"Watermarks":[{"WatermarkId":"w1","Content":"' + "x" * SMALL_LIMIT + '"}]}'
    error = submit_error(kind, lenient, ALICE, {**SUBMIT, "OverrideParams": overrides})
    assert_sdk_error(error, "InvalidParameter.RequestTooLarge", 413, TOO_LARGE)


def test_form_body_above_the_configured_limit(lenient: EmulatorServer) -> None:
    request = v1_request(ALICE, {**SUBMIT, "Padding": "p" * SMALL_LIMIT}, placement="form")
    with httpx.Client(base_url=lenient.url) as http:
        assert_raw_error(send(http, request), "InvalidParameter.RequestTooLarge", 413, TOO_LARGE)


def test_streamed_body_above_the_configured_limit(lenient: EmulatorServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(16):
            yield b"Padding=" + b"p" * 1024 + b"&"

    with httpx.Client(base_url=lenient.url) as http:
        response = http.post("/?Format=JSON", content=chunks(), headers={"content-type": "x"})
        assert "content-length" not in response.request.headers
        assert_raw_error(response, "InvalidParameter.RequestTooLarge", 413, TOO_LARGE)


# --- signature checking off --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_signature_off_accepts_any_secret_time_and_nonce(
    lenient: EmulatorServer, sdk_clock: SdkClock, kind: str
) -> None:
    sdk_clock.timestamp(stamp(timedelta(days=-3)))
    sdk_clock.nonce("same-nonce-every-time")
    for _ in range(2):
        assert submitter(kind)(lenient, wrong_secret(ALICE), SUBMIT).job_id


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_signature_off_still_identifies_the_key(lenient: EmulatorServer, kind: str) -> None:
    assert submit_error(kind, lenient, UNKNOWN, SUBMIT).code == "InvalidAccessKeyId.NotFound"
    assert submit_error(kind, lenient, INACTIVE, SUBMIT).code == "InvalidAccessKeyId.Inactive"
    bob_view = submit_error(kind, lenient, wrong_secret(BOB), SUBMIT)
    assert bob_view.code == "InvalidVideo.NotFound"  # the key still decides the account


def test_signature_off_accepts_unsigned_requests(lenient: EmulatorServer) -> None:
    params = {"Action": "SubmitDynamicImageJob", "Version": "2017-03-21", "Format": "JSON", "AccessKeyId": ALICE.id}
    with httpx.Client(base_url=lenient.url) as http:
        response = http.post("/", params={**params, **SUBMIT})
    assert response.status_code == 200, response.text
    assert len(response.json()["DynamicImageJob"]["JobId"]) == 32
