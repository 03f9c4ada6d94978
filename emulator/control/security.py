"""The optional admin token (``VOD_EMULATOR_ADMIN_TOKEN``) guarding every ``/_emulator/`` route.

A pure ASGI middleware, so that it covers every control router (whoever wrote it) and costs the
gateway's hot path one string prefix test. Open without a token: health (CI waits on it) and the
API description (``/_emulator/openapi.json``, ``/_emulator/docs``).
"""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PREFIX = "/_emulator/"
OPEN_PATHS = frozenset({"/_emulator/health", "/_emulator/openapi.json", "/_emulator/docs"})
TOKEN_HEADER = b"x-emulator-token"


def presented_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        lower = name.lower()
        if lower == TOKEN_HEADER:
            return value.decode("latin-1").strip()
        if lower == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return None


class AdminTokenMiddleware:
    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(CONTROL_PREFIX) and path not in OPEN_PATHS:
            token = presented_token(scope["headers"])
            if token is None or not hmac.compare_digest(token.encode(), self.token):
                await _unauthorized(send, "missing admin token" if token is None else "wrong admin token")
                return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send, detail: str) -> None:
    body = json.dumps(
        {"detail": f"{detail}: send 'Authorization: Bearer <VOD_EMULATOR_ADMIN_TOKEN>' or 'X-Emulator-Token'"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", b"Bearer"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
