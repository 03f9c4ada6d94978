"""Request shapes and reply formats (spec §2.3, §2.4, §5): GET, form POST, JSON and XML."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_STS, ALICE_VIDEO
from tests.envelopes import JSON_TYPE, XML_DECLARATION, XML_TYPE, assert_raw_error
from tests.sdk_clients import CLIENT_KINDS, call, legacy_client, legacy_submit_request
from tests.server import EmulatorServer
from tests.signing import v1_request, v3_request
from tests.stored import dynamic_image_job

# The legacy SDK's own get_response() calls a method it deprecated itself.
pytestmark = pytest.mark.filterwarnings("ignore:implementation_of_do_action:DeprecationWarning")

SUBMIT = {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": ALICE_GIF_TEMPLATE}
NOT_FOUND = {**SUBMIT, "VideoId": "0" * 32}
JOB_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def assert_json_success(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON_TYPE
    document = json.loads(response.content)
    assert response.headers["x-acs-request-id"] == document["RequestId"]
    assert JOB_ID.match(document["DynamicImageJob"]["JobId"])
    return dict(document)


def assert_xml_success(response: httpx.Response) -> etree._Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XML_TYPE
    assert response.content.startswith(XML_DECLARATION)
    root = etree.fromstring(response.content)
    assert root.tag == "SubmitDynamicImageJobResponse"
    assert [child.tag for child in root] == ["RequestId", "DynamicImageJob"]
    assert root.findtext("RequestId") == response.headers["x-acs-request-id"]
    assert JOB_ID.match(root.findtext("DynamicImageJob/JobId") or "")
    return root


def test_get_with_everything_in_the_query(http: httpx.Client) -> None:
    """Node pop-core's default request."""
    assert_json_success(v1_request(ALICE, SUBMIT, method="GET").send(http))


def test_post_with_everything_in_a_form_body(http: httpx.Client) -> None:
    """Node pop-core with ``{method: 'POST'}``: Signature included, URL just ``/``."""
    request = v1_request(ALICE, SUBMIT, placement="form")
    assert request.query == "" and b"Signature=" in request.body
    assert_json_success(request.send(http))


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_sdk_params_in_a_form_body(server: EmulatorServer, kind: str) -> None:
    """The SDKs' generic calls can put the API params in a form body; they are signed either way."""
    overrides = '{"Watermarks":[{"WatermarkId":"w1","Content":"a b*~ 动图"}]}'
    body = call(kind, server, ALICE_STS, {**SUBMIT, "OverrideParams": overrides}, in_body=True)
    row = dynamic_image_job(server, body["DynamicImageJob"]["JobId"])
    assert row is not None and json.loads(row["override_params"]) == json.loads(overrides)


def test_form_post_errors_use_the_format_in_the_body(http: httpx.Client) -> None:
    assert_raw_error(v1_request(ALICE, NOT_FOUND, placement="form").send(http), "InvalidVideo.NotFound", 404)


def test_post_with_an_empty_body_and_no_content_type(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT)
    response = http.post(f"/?{request.query}", content=b"")
    assert "content-type" not in response.request.headers
    assert_json_success(response)


def test_form_content_type_with_an_empty_body(http: httpx.Client) -> None:
    """Go legacy always sends the form Content-Type, even with an empty body."""
    request = v1_request(ALICE, SUBMIT)
    request.headers["content-type"] = "application/x-www-form-urlencoded; charset=UTF-8"
    assert_json_success(request.send(http))


def test_params_split_between_query_and_body(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT)
    pairs = request.query.split("&")
    query, body = "&".join(pairs[::2]), "&".join(pairs[1::2])
    response = http.post(
        f"/?{query}", content=body.encode(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert_json_success(response)


def test_non_form_body_is_not_read_as_parameters(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT, placement="form")
    request.headers["content-type"] = "application/json"
    # Without the form Content-Type the body holds no parameters, so nothing says who is calling.
    assert_raw_error(request.send(http), "MissingSignature", 400, xml=True)


@pytest.mark.parametrize("fmt", ["XML", "xml", "Xml"])
def test_format_xml_in_any_case(http: httpx.Client, fmt: str) -> None:
    assert_xml_success(v1_request(ALICE, SUBMIT, fmt=fmt).send(http))


@pytest.mark.parametrize("fmt", ["JSON", "json", "Json"])
def test_format_json_in_any_case(http: httpx.Client, fmt: str) -> None:
    assert_json_success(v1_request(ALICE, SUBMIT, fmt=fmt).send(http))


def test_no_format_means_xml(http: httpx.Client) -> None:
    response = v1_request(ALICE, SUBMIT, fmt=None).send(http)
    assert_xml_success(response)
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?><SubmitDynamicImageJobResponse>")


@pytest.mark.parametrize("fmt", ["XML", None], ids=["xml", "absent"])
def test_errors_in_xml(http: httpx.Client, fmt: str | None) -> None:
    response = v1_request(ALICE, NOT_FOUND, fmt=fmt).send(http)
    assert_raw_error(response, "InvalidVideo.NotFound", 404, "The video does not exist.", xml=True)
    assert b"<Recommend><![CDATA[https://api.aliyun.com/troubleshoot?" in response.content


def test_gateway_errors_in_xml(http: httpx.Client) -> None:
    request = v1_request(ALICE, SUBMIT, fmt="XML", action="NoSuchAction")
    assert_raw_error(request.send(http), "InvalidAction.NotFound", 404, xml=True)


def test_errors_in_json(http: httpx.Client) -> None:
    response = v1_request(ALICE, NOT_FOUND).send(http)
    assert_raw_error(response, "InvalidVideo.NotFound", 404, "The video does not exist.")


def test_v3_is_always_json(server: EmulatorServer, http: httpx.Client) -> None:
    """V3 replies are JSON even when the query asks for XML; so Tea V3 never gets an XML error."""
    success = v3_request(ALICE, {**SUBMIT, "Format": "XML"}, host=server.endpoint).send(http)
    assert_json_success(success)
    error = v3_request(ALICE, {**NOT_FOUND, "Format": "XML"}, host=server.endpoint).send(http)
    assert_raw_error(error, "InvalidVideo.NotFound", 404)
    gateway_error = v3_request(ALICE, {"Format": "XML"}, host=server.endpoint, action="Nope").send(http)
    assert_raw_error(gateway_error, "InvalidAction.NotFound", 404)


SPACED = '{"Watermarks":[{"WatermarkId":"w1","Content":"a b  c ~*\'()! 动图"}]}'


@pytest.mark.parametrize("plus", [True, False], ids=["plus", "percent20"])
def test_plus_and_percent20_are_both_a_space(server: EmulatorServer, http: httpx.Client, plus: bool) -> None:
    request = v1_request(ALICE, {**SUBMIT, "OverrideParams": SPACED}, plus=plus)
    assert ("+" in request.query) is plus and ("%20" in request.query) is not plus
    document = assert_json_success(request.send(http))
    row = dynamic_image_job(server, document["DynamicImageJob"]["JobId"])  # type: ignore[index]
    assert row is not None and json.loads(row["override_params"]) == json.loads(SPACED)


def test_literal_plus_is_percent_encoded(server: EmulatorServer, http: httpx.Client) -> None:
    value = '{"Watermarks":[{"WatermarkId":"w1","Content":"1+1"}]}'
    document = assert_json_success(v1_request(ALICE, {**SUBMIT, "OverrideParams": value}).send(http))
    row = dynamic_image_job(server, document["DynamicImageJob"]["JobId"])  # type: ignore[index]
    assert row is not None and json.loads(row["override_params"])["Watermarks"][0]["Content"] == "1+1"


def test_legacy_accept_format_xml_with_get_response(server: EmulatorServer) -> None:
    request = legacy_submit_request(server, **SUBMIT)
    request.set_accept_format("XML")
    status, headers, body = legacy_client(server, ALICE).get_response(request)
    assert_xml_success(httpx.Response(status, headers=headers, content=body))


def test_legacy_accept_format_xml_error_with_get_response(server: EmulatorServer) -> None:
    request = legacy_submit_request(server, **NOT_FOUND)
    request.set_accept_format("XML")
    status, headers, body = legacy_client(server, ALICE).get_response(request)
    response = httpx.Response(status, headers=headers, content=body)
    assert_raw_error(response, "InvalidVideo.NotFound", 404, "The video does not exist.", xml=True)


def test_response_headers(http: httpx.Client) -> None:
    response = v1_request(ALICE, SUBMIT).send(http)
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == "*"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-acs-trace-id"])
    assert "x-acs-retry-after" not in response.headers
