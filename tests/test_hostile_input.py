"""Hostile input never gets a 5xx or a stack trace: always the service's envelope (issue 2)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_VIDEO
from tests.envelopes import assert_raw_error
from tests.sdk_clients import CLIENT_KINDS, legacy_client, legacy_submit_request, submit_error, submitter
from tests.server import EmulatorServer
from tests.signing import FORM, RawRequest, encode_pairs, v1_params, v1_request, v1_sign, v3_request

SUBMIT = {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": ALICE_GIF_TEMPLATE}
DEFAULT_LIMIT = 1_048_576


@pytest.fixture(scope="module")
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def raw_http(server: EmulatorServer, head: bytes, body: bytes = b"") -> httpx.Response:
    """Send bytes httpx would refuse to send (over-long URLs, raw non-UTF-8); parse the reply."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head_part, _, content = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head_part.decode("latin-1").split("\r\n")
    headers = [tuple(line.split(": ", 1)) for line in header_lines]
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=content)


def request_head(target: bytes, host: bytes = b"127.0.0.1", extra: bytes = b"", length: int = 0) -> bytes:
    return (
        b"POST " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n"
        b"Content-Length: " + str(length).encode() + b"\r\n" + extra + b"\r\n"
    )


# --- long values -----------------------------------------------------------------------------------


def test_long_value_in_the_query(http: httpx.Client) -> None:
    request = v1_request(ALICE, {**SUBMIT, "VideoId": "v" * 60_000})
    assert_raw_error(request.send(http), "InvalidVideo.NotFound", 404, "The video does not exist.")


def test_100kb_value_in_a_form_body(http: httpx.Client) -> None:
    request = v1_request(ALICE, {**SUBMIT, "VideoId": "v" * 100_000}, placement="form")
    assert_raw_error(request.send(http), "InvalidVideo.NotFound", 404, "The video does not exist.")


def test_100kb_template_id_is_echoed_in_full(http: httpx.Client) -> None:
    template = "t" * 100_000
    request = v1_request(ALICE, {**SUBMIT, "DynamicImageTemplateId": template}, placement="form")
    message = f"The specified resource DynamicImageTemplateId({template}) does not exist."
    assert_raw_error(request.send(http), "NoSuchResource", 404, message)


@pytest.mark.parametrize("fmt", [b"JSON", b"XML"])
@pytest.mark.parametrize("size", [70_000, 2_000_000])
def test_request_line_far_above_64kb(server: EmulatorServer, fmt: bytes, size: int) -> None:
    target = b"/?Action=SubmitDynamicImageJob&Format=" + fmt + b"&VideoId=" + b"v" * size
    response = raw_http(server, request_head(target))
    message = "The request is larger than the 65535 bytes this endpoint accepts."
    assert_raw_error(response, "InvalidParameter.RequestTooLarge", 413, message, xml=fmt == b"XML")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_100kb_video_id_through_the_sdks(server: EmulatorServer, kind: str) -> None:
    error = submit_error(kind, server, ALICE, {**SUBMIT, "VideoId": "v" * 100_000})
    assert (error.code, error.status) == ("InvalidParameter.RequestTooLarge", 413)


def test_body_above_the_default_limit(http: httpx.Client) -> None:
    body = encode_pairs([("Padding", "p" * DEFAULT_LIMIT)]).encode()
    response = http.post("/?Format=JSON", content=body, headers={"content-type": FORM})
    message = f"The request is larger than the {DEFAULT_LIMIT} bytes this endpoint accepts."
    assert_raw_error(response, "InvalidParameter.RequestTooLarge", 413, message)


def test_declared_length_above_the_limit_is_rejected_without_the_body(server: EmulatorServer) -> None:
    head = request_head(b"/?Format=JSON", extra=b"Content-Type: " + FORM.encode() + b"\r\n", length=50_000_000)
    response = raw_http(server, head, b"Padding=" + b"p" * (DEFAULT_LIMIT + 10))
    assert_raw_error(response, "InvalidParameter.RequestTooLarge", 413)


def test_long_header_value(server: EmulatorServer, http: httpx.Client) -> None:
    request = v3_request(ALICE, SUBMIT, host=server.endpoint, nonce_value="n" * 60_000)
    assert request.send(http).status_code == 200  # a long nonce is still a nonce


# --- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("VideoId=%FF%FE", "VideoId"),
        ("VideoId=abc%C3", "VideoId"),
        ("Video%FFId=1", "Video\ufffdId"),
    ],
)
def test_invalid_utf8_in_the_query(http: httpx.Client, query: str, name: str) -> None:
    response = http.post(f"/?Format=JSON&{query}")
    assert_raw_error(response, "InvalidParameter", 400, f'The specified parameter "{name}" is not valid.')


def test_invalid_utf8_in_the_form_body(http: httpx.Client) -> None:
    response = http.post("/", content=b"Format=JSON&OverrideParams=%FF", headers={"content-type": FORM})
    message = 'The specified parameter "OverrideParams" is not valid.'
    assert_raw_error(response, "InvalidParameter", 400, message)


def test_raw_non_ascii_bytes_in_the_request_line(server: EmulatorServer, http: httpx.Client) -> None:
    """Not HTTP at all (clients percent-encode): httptools rejects it before the application, with
    uvicorn's plain 400. Documented; still no 5xx, and the server carries on."""
    response = raw_http(server, request_head(b"/?Format=JSON&VideoId=\xff\xfe"))
    assert response.status_code == 400
    assert response.content == b"Invalid HTTP request received."
    assert_raw_error(http.post("/?Format=JSON&VideoId=%FF%FE"), "InvalidParameter", 400)


@pytest.mark.parametrize("where", ["query", "body", "both"])
def test_duplicate_parameters(http: httpx.Client, where: str) -> None:
    request = v1_request(ALICE, SUBMIT)
    duplicate = f"VideoId={ALICE_VIDEO['Blocked']}"
    if where == "query":
        response = http.post(f"/?{request.query}&{duplicate}")
    elif where == "body":
        form = v1_request(ALICE, SUBMIT, placement="form")
        response = http.post("/", content=form.body + b"&" + duplicate.encode(), headers={"content-type": FORM})
    else:
        response = http.post(f"/?{request.query}", content=duplicate.encode(), headers={"content-type": FORM})
    assert_raw_error(response, "InvalidParameter", 400, 'The specified parameter "VideoId" is not valid.')


def test_non_ascii_values(server: EmulatorServer, http: httpx.Client) -> None:
    template = "acc dynamic 动图"
    response = v1_request(ALICE, {**SUBMIT, "DynamicImageTemplateId": template}).send(http)
    message = f"The specified resource DynamicImageTemplateId({template}) does not exist."
    assert_raw_error(response, "NoSuchResource", 404, message)
    v3 = v3_request(ALICE, {**SUBMIT, "DynamicImageTemplateId": template}, host=server.endpoint).send(http)
    assert_raw_error(v3, "NoSuchResource", 404, message)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_non_ascii_override_params_through_the_sdks(server: EmulatorServer, kind: str) -> None:
    overrides = '{"Watermarks":[{"WatermarkId":"w1","Content":"acc dynamic 动图 😀"}]}'
    assert submitter(kind)(server, ALICE, {**SUBMIT, "OverrideParams": overrides}).job_id


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\x01\x1f\x7f", "\r\n", "\u2028", "\ufffe"])
@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_control_characters(http: httpx.Client, value: str, fmt: str) -> None:
    request = v1_request(ALICE, {**SUBMIT, "DynamicImageTemplateId": value}, fmt=fmt)
    response = request.send(http)
    document = assert_raw_error(response, "NoSuchResource", 404, xml=fmt == "XML")
    if fmt == "JSON":
        assert document["Message"] == f"The specified resource DynamicImageTemplateId({value}) does not exist."
    else:  # XML 1.0 cannot carry these characters: they are dropped, the document stays well-formed
        assert document["Message"].startswith("The specified resource DynamicImageTemplateId(")


def test_control_characters_in_the_video_id(http: httpx.Client) -> None:
    request = v1_request(ALICE, {**SUBMIT, "VideoId": "\x00" * 10})
    assert_raw_error(request.send(http), "InvalidVideo.NotFound", 404)


# --- JSON parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 30_000 + "1" + "}" * 30_000,
        '{"Watermarks":' + "[" * 50_000 + "]" * 50_000 + "}",
        "1e999999",
        '"' + "x" * 100_000 + '"',
        "\x00",
    ],
    ids=["nested-arrays", "nested-objects", "nested-watermarks", "huge-number", "long-string", "nul"],
)
def test_hostile_override_params(http: httpx.Client, value: str) -> None:
    request = v1_request(ALICE, {**SUBMIT, "OverrideParams": value}, placement="form")
    message = 'The specified parameter "OverrideParams" is not valid.'
    assert_raw_error(request.send(http), "InvalidParameter", 400, message)


# --- unknown parameters ------------------------------------------------------------------------------


def test_unknown_parameters_are_ignored(http: httpx.Client) -> None:
    request = v1_request(ALICE, {**SUBMIT, "Unknown": "x", "videoid": "lower-case is another name"})
    response = request.send(http)
    assert response.status_code == 200, response.text


def test_unknown_parameters_through_the_legacy_sdk(server: EmulatorServer) -> None:
    request = legacy_submit_request(server, **SUBMIT, NotAParameter="1", Title="acc dynamic 动图")
    body = json.loads(legacy_client(server, ALICE).do_action_with_exception(request))
    assert len(body["DynamicImageJob"]["JobId"]) == 32


def test_misspelt_common_parameter_is_missing(http: httpx.Client) -> None:
    """Names are case-sensitive (spec §12 #10): the VOD doc's ``TimeStamp`` is not ``Timestamp``."""
    params = v1_params(ALICE, api=SUBMIT)
    params["TimeStamp"] = params.pop("Timestamp")
    params["Signature"] = v1_sign(params, "POST", ALICE.secret)
    assert_raw_error(http.post("/", params=params), "MissingTimestamp", 400)


# --- odd requests ------------------------------------------------------------------------------------


def test_empty_request(http: httpx.Client) -> None:
    assert_raw_error(http.post("/"), "MissingSignature", 400, xml=True)
    assert_raw_error(http.get("/"), "MissingSignature", 400, xml=True)


def test_empty_parameter_names_and_stray_separators(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT)
    response = http.post(f"/?&&{request.query}&&=x&")  # empty names are dropped (and not signed)
    assert response.status_code == 200, response.text


def test_http_10_without_host(server: EmulatorServer) -> None:
    head = b"GET /?Format=JSON HTTP/1.0\r\n\r\n"
    assert_raw_error(raw_http(server, head), "MissingSignature", 400, host_id="localhost")


@pytest.mark.parametrize(
    ("host", "host_id"),
    [
        ("[::1]:18080", "[::1]"),
        ("[::1]", "[::1]"),
        ("vod.cn-shanghai.aliyuncs.com", "vod.cn-shanghai.aliyuncs.com"),
        ("vod.cn-shanghai.aliyuncs.com:443", "vod.cn-shanghai.aliyuncs.com"),
    ],
)
def test_host_id_is_the_host_without_port(http: httpx.Client, host: str, host_id: str) -> None:
    response = http.post("/?Format=JSON", headers={"host": host})
    assert_raw_error(response, "MissingSignature", 400, host_id=host_id)


@pytest.mark.parametrize(
    "authorization", ["ACS3-", "ACS3-HMAC-SHA256 " + "," * 10_000, "acs3-hmac-sha256 Credential=a,SignedHeaders=;"]
)
def test_garbage_v3_authorization(http: httpx.Client, authorization: str) -> None:
    response = http.post("/", headers={"authorization": authorization})
    assert response.status_code == 400
    assert response.json()["Code"] in {"IncompleteSignature", "MissingParameter"}


def test_xml_reply_is_well_formed_for_hostile_values(http: httpx.Client) -> None:
    value = "]]><x>&amp;</x><![CDATA["
    response = v1_request(ALICE, {**SUBMIT, "DynamicImageTemplateId": value}, fmt="XML").send(http)
    root = etree.fromstring(response.content)
    assert root.findtext("Message") == f"The specified resource DynamicImageTemplateId({value}) does not exist."


def test_unknown_content_type_body_is_ignored(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT)
    response = RawRequest("POST", request.query, {"content-type": "application/json"}, b'{"VideoId":1}').send(http)
    assert response.status_code == 200
