"""Success and error envelopes, in JSON or XML, with the service's exact headers (spec §5, §6.1)."""

from __future__ import annotations

import json
import re
from enum import Enum
from typing import Any

from lxml import etree
from starlette.responses import Response

from emulator.gateway.errors import ApiError

JSON_CONTENT_TYPE = "application/json;charset=utf-8"
XML_CONTENT_TYPE = "text/xml;charset=utf-8"
XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>"
# Characters XML 1.0 cannot hold; dropped from text (values are echoed in messages).
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
RECOMMEND_URL = "https://api.aliyun.com/troubleshoot?q={code}&product=vod&requestId={request_id}"


def host_id(host: str | None) -> str:
    """The envelope's ``HostId``: the request's Host without its port (``[::1]:80`` → ``[::1]``)."""
    host = (host or "").strip().rpartition("://")[2]  # a Tea endpoint mis-configured with a scheme
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and (":" not in name or (name.startswith("[") and name.endswith("]"))):
        host = name
    return host or "localhost"


class ResponseFormat(str, Enum):
    JSON = "JSON"
    XML = "XML"


def _xml_value(parent: etree._Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        # Arrays become repeated elements named after the key.
        for item in value:
            _xml_value(parent, name, item)
        return
    element = etree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_value(element, key, child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _XML_INVALID.sub("", str(value))


def render_xml(root: str, body: dict[str, Any], cdata: frozenset[str] = frozenset()) -> bytes:
    element = etree.Element(root)
    for key, value in body.items():
        if key in cdata and isinstance(value, str):
            etree.SubElement(element, key).text = etree.CDATA(_XML_INVALID.sub("", value))
        else:
            _xml_value(element, key, value)
    return XML_DECLARATION + etree.tostring(element, encoding="UTF-8", xml_declaration=False)


def sniff_format(query_string: bytes, is_v3: bool) -> ResponseFormat:
    """The reply format for errors raised before the parameters could be decoded."""
    if is_v3:
        return ResponseFormat.JSON
    for chunk in query_string.split(b"&"):
        name, _, value = chunk.partition(b"=")
        if name == b"Format":
            return ResponseFormat.JSON if value.lower() == b"json" else ResponseFormat.XML
    return ResponseFormat.XML


def _response(payload: bytes, content_type: str, status: int, request_id: str, headers: dict[str, str]) -> Response:
    all_headers = {
        "content-type": content_type,
        "x-acs-request-id": request_id,
        "access-control-allow-origin": "*",
        "access-control-expose-headers": "*",
        **headers,
    }
    return Response(content=payload, status_code=status, headers=all_headers)


def success(action: str, body: dict[str, Any], fmt: ResponseFormat, request_id: str, trace_id: str) -> Response:
    document = {"RequestId": request_id, **body}
    headers = {"x-acs-trace-id": trace_id}
    if fmt is ResponseFormat.XML:
        return _response(render_xml(f"{action}Response", document), XML_CONTENT_TYPE, 200, request_id, headers)
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _response(payload, JSON_CONTENT_TYPE, 200, request_id, headers)


def error_document(error: ApiError, request_id: str, host_id: str) -> dict[str, str]:
    return {
        "RequestId": request_id,
        "HostId": host_id,
        "Code": error.code,
        "Message": error.message,
        "Recommend": RECOMMEND_URL.format(code=error.code, request_id=request_id),
    }


def error(error: ApiError, fmt: ResponseFormat, request_id: str, host_id: str, trace_id: str) -> Response:
    document = error_document(error, request_id, host_id)
    headers = {"x-acs-trace-id": trace_id, **error.headers}
    if fmt is ResponseFormat.XML:
        payload = render_xml("Error", document, cdata=frozenset({"Recommend"}))
        return _response(payload, XML_CONTENT_TYPE, error.status, request_id, headers)
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _response(payload, JSON_CONTENT_TYPE, error.status, request_id, headers)
