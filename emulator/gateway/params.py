"""Request parameters: the decoded query string merged with an urlencoded form body.

Decoding follows the spec's §2.4: ``+`` and ``%20`` are both a space, empty values are kept
(``SignatureType=`` is signed), everything is UTF-8. The result keeps which parameters came from
the query, because the V3 canonical query string covers the query only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from emulator.gateway.errors import Errors, invalid

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def decode_urlencoded(raw: bytes) -> list[tuple[str, str]]:
    """Form-decode ``raw`` into (name, value) pairs; invalid UTF-8 is ``InvalidParameter``."""
    pairs: list[tuple[str, str]] = []
    for chunk in raw.split(b"&"):
        if not chunk:
            continue
        name_raw, _, value_raw = chunk.partition(b"=")
        name_bytes = unquote_to_bytes(name_raw.replace(b"+", b" "))
        value_bytes = unquote_to_bytes(value_raw.replace(b"+", b" "))
        try:
            name = name_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raise invalid(name_bytes.decode("utf-8", "replace")) from None
        try:
            value = value_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raise invalid(name) from None
        if not name:
            continue
        pairs.append((name, value))
    return pairs


def is_form_content_type(content_type: str | None) -> bool:
    """Whether a body of this Content-Type holds parameters (``application/x-www-form-urlencoded``)."""
    if not content_type:
        return False
    return content_type.split(";")[0].strip().lower() == FORM_CONTENT_TYPE


@dataclass(slots=True)
class RequestParams:
    """Every parameter of a request, by name. A name may appear once, in the query or the body."""

    values: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.values

    @classmethod
    def parse(cls, query_string: bytes, body: bytes, content_type: str | None) -> RequestParams:
        query_pairs = decode_urlencoded(query_string)
        body_pairs: list[tuple[str, str]] = []
        if body and is_form_content_type(content_type):
            body_pairs = decode_urlencoded(body)
        params = cls()
        for name, value in query_pairs:
            if name in params.query:
                raise Errors.InvalidParameter.error(name)
            params.query[name] = value
            params.values[name] = value
        for name, value in body_pairs:
            if name in params.values:
                raise Errors.InvalidParameter.error(name)
            params.values[name] = value
        return params
