"""uvicorn's httptools protocol, with the service's error envelope for over-long request lines.

httptools refuses a request target longer than 65,535 bytes (a compile-time limit of its URL
parser, not a uvicorn setting) before the application sees the request, and uvicorn then answers
with a bare ``text/plain`` "Invalid HTTP request received.". SDK users hit this with very long
parameter values, so this protocol answers such requests like the gateway answers any request that
is too large: ``InvalidParameter.RequestTooLarge`` in the envelope, in the format the request asked
for. Other malformed HTTP (not a request any client could send) keeps uvicorn's plain reply.
"""

from __future__ import annotations

import uuid

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from emulator.gateway import envelope
from emulator.gateway.errors import Errors

# httptools' MAX_URL_LENGTH (httptools/parser/url_parser.pyx).
MAX_REQUEST_TARGET_BYTES = (1 << 16) - 1


class EnvelopeHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        url = getattr(self, "url", b"")
        if len(url) <= MAX_REQUEST_TARGET_BYTES:
            super().send_400_response(msg)
            return
        headers = {name.lower(): value for name, value in getattr(self, "headers", [])}
        host = envelope.host_id(headers.get(b"host", b"").decode("latin-1"))
        is_v3 = headers.get(b"authorization", b"")[:5].upper() == b"ACS3-"
        fmt = envelope.sniff_format(url.partition(b"?")[2], is_v3)
        request_id = str(uuid.uuid4()).upper()
        error = Errors.RequestTooLarge.error(MAX_REQUEST_TARGET_BYTES)
        response = envelope.error(error, fmt, request_id, host, uuid.uuid4().hex)
        content = [STATUS_LINE[response.status_code]]
        for name, value in [*self.server_state.default_headers, *response.raw_headers]:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend([b"connection: close\r\n", b"\r\n", bytes(response.body)])
        self.transport.write(b"".join(content))
        self.transport.close()
