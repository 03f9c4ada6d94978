"""Assertions on the service's error envelope (spec §6.1), for raw replies and SDK errors."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from lxml import etree

from tests.sdk_clients import SdkError

REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
JSON_TYPE = "application/json;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"
XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>"
ENVELOPE_FIELDS = {"RequestId", "HostId", "Code", "Message", "Recommend"}
HOST_ID = "127.0.0.1"


def recommend(code: str, request_id: str) -> str:
    return f"https://api.aliyun.com/troubleshoot?q={code}&product=vod&requestId={request_id}"


def check_document(document: dict[str, Any], code: str, message: str | None, host_id: str = HOST_ID) -> None:
    assert set(document) == ENVELOPE_FIELDS, document
    assert all(isinstance(v, str) for v in document.values()), document
    assert REQUEST_ID.match(document["RequestId"])
    assert document["HostId"] == host_id
    assert document["Code"] == code, document
    if message is not None:
        assert document["Message"] == message, document
    assert document["Recommend"] == recommend(code, document["RequestId"])


def parse_xml_error(body: bytes) -> dict[str, Any]:
    assert body.startswith(XML_DECLARATION), body[:80]
    root = etree.fromstring(body)
    assert root.tag == "Error"
    return {child.tag: child.text or "" for child in root}


def assert_raw_error(
    response: httpx.Response,
    code: str,
    status: int,
    message: str | None = None,
    *,
    xml: bool = False,
    host_id: str = HOST_ID,
) -> dict[str, Any]:
    """A raw reply is the error envelope: status, exact Content-Type, fields, header = RequestId."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == (XML_TYPE if xml else JSON_TYPE)
    document = parse_xml_error(response.content) if xml else json.loads(response.content)
    check_document(document, code, message, host_id)
    assert response.headers["x-acs-request-id"] == document["RequestId"]
    return document


def assert_sdk_error(error: SdkError, code: str, status: int, message: str | None = None) -> None:
    """An SDK error carries code, status, message and request id; Tea also the whole envelope."""
    assert error.code == code, error
    assert error.status == status, error
    if message is not None:
        assert error.message == message, error
    assert error.request_id is not None and REQUEST_ID.match(error.request_id), error
    if error.envelope:
        check_document(error.envelope, code, message)
        assert error.envelope["RequestId"] == error.request_id
