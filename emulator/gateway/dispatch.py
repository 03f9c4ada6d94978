"""The RPC gateway: one endpoint at ``/`` that turns an HTTP request into an action call and back.

Order of checks (spec §6.5): size, parameters, method, signature scheme, Action/Version, Format,
then — in one transaction on the database thread — authentication, interceptors (fault injection,
throttling) and the action's handler. Action handlers never see any of this.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from emulator.actions.registry import ActionContext
from emulator.config import SignatureMode
from emulator.gateway import envelope, signature_v3
from emulator.gateway.auth import SignedRequest, access_key_id_of, authenticate
from emulator.gateway.envelope import ResponseFormat, sniff_format
from emulator.gateway.errors import ApiError, Errors, missing
from emulator.gateway.params import RequestParams, is_form_content_type
from emulator.runtime import Runtime
from emulator.store.database import handler_savepoint

API_VERSION = "2017-03-21"
ALLOWED_METHODS = frozenset({"GET", "POST"})
# Parameters never shown in logs or the journal.
SECRET_PARAMS = frozenset({"Signature", "SecurityToken", "AccessKeySecret"})

log = logging.getLogger("vod_emulator.gateway")


@dataclass(slots=True)
class GatewayCall:
    """One gateway request as observers (access log, journal) and interceptors see it."""

    request_id: str
    received_at: datetime
    method: str
    action: str | None = None
    access_key_id: str | None = None
    account_id: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    code: str = "OK"
    status: int = 200
    latency_ms: float = 0.0

    def redacted_params(self) -> dict[str, str]:
        return {k: ("***" if k in SECRET_PARAMS else v) for k, v in self.params.items()}


# An interceptor runs after authentication, before the handler, in the request's transaction. It may
# raise ApiError (an injected fault) or return a delay in seconds to add before the reply.
Interceptor = Callable[[Session, GatewayCall], float | None]
Observer = Callable[[GatewayCall], None]


async def _read_body(request: Request, limit: int) -> tuple[bytes, bool]:
    """(body, complete): reads at most about ``limit`` bytes. A larger body is cut to ``limit`` bytes
    and reported incomplete; its prefix still tells the format the error is rendered in."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], False
    return b"".join(chunks), True


def _response_format(params: RequestParams, is_v3: bool) -> tuple[ResponseFormat, bool]:
    """(format, valid): V3 → JSON; V1 Format JSON/XML in any case; absent → XML (documented)."""
    if is_v3:
        return ResponseFormat.JSON, True
    value = params.get("Format")
    if value is None:
        return ResponseFormat.XML, True
    upper = value.upper()
    if upper in ResponseFormat.__members__:
        return ResponseFormat(upper), True
    return ResponseFormat.XML, False


class Gateway:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.interceptors: list[Interceptor] = []
        self.observers: list[Observer] = []

    async def handle(self, request: Request) -> Response:
        rt = self.runtime
        started = time.perf_counter()
        call = GatewayCall(rt.ids.request_id(), rt.clock.now(), request.method)
        trace_id = rt.ids.trace_id()
        host_id = envelope.host_id(request.headers.get("host"))
        authorization = request.headers.get("authorization") or ""
        is_v3 = authorization[:5].upper() == "ACS3-"
        v3 = signature_v3.parse_authorization(authorization) if is_v3 else None
        query_string: bytes = request.scope.get("query_string", b"")
        fmt = sniff_format(query_string, is_v3)
        delay = 0.0
        try:
            content_type = request.headers.get("content-type")
            body, complete = await _read_body(request, rt.settings.max_body_bytes)
            if is_form_content_type(content_type):  # pop-core's form POST carries Format in the body
                fmt = sniff_format(query_string + b"&" + body, is_v3)
            if request.method not in ALLOWED_METHODS:
                raise Errors.UnsupportedHTTPMethod.error()
            if not complete or len(query_string) + len(body) > rt.settings.max_body_bytes:
                raise Errors.RequestTooLarge.error(rt.settings.max_body_bytes)
            params = RequestParams.parse(query_string, body, content_type)
            call.params = params.values
            fmt, format_valid = _response_format(params, is_v3)
            if is_v3 and v3 is None:
                raise Errors.IncompleteSignature.error("")
            strict = rt.settings.signature_mode is SignatureMode.strict
            if not is_v3 and "Signature" not in params and strict:
                raise missing("Signature")
            handler, action = self._route(request, params, is_v3)
            call.action = action
            if not format_valid:
                raise Errors.InvalidParameterFormat.error()
            signed = SignedRequest(
                method=request.method,
                params=params,
                headers=_headers(request),
                body=body,
                v3=v3,
            )
            outcome, after_commit, delay = await rt.db.run(lambda session: self._unit(session, signed, call, handler))
            for callback in after_commit:
                callback()
            if isinstance(outcome, ApiError):
                raise outcome
            response = envelope.success(action, outcome, fmt, call.request_id, trace_id)
        except ApiError as exc:
            call.code, call.status = exc.code, exc.status
            response = envelope.error(exc, fmt, call.request_id, host_id, trace_id)
        except Exception:
            log.exception("unexpected error handling request %s", call.request_id)
            exc = Errors.InternalError.error()
            call.code, call.status = exc.code, exc.status
            response = envelope.error(exc, fmt, call.request_id, host_id, trace_id)
        if delay:
            await asyncio.sleep(delay)
        call.latency_ms = (time.perf_counter() - started) * 1000
        for observer in self.observers:
            try:
                observer(call)
            except Exception:
                log.exception("request observer failed")
        return response

    def _route(self, request: Request, params: RequestParams, is_v3: bool) -> tuple[Any, str]:
        headers = request.headers
        if is_v3:
            action = headers.get("x-acs-action") or params.get("Action")
            version = headers.get("x-acs-version") or params.get("Version")
        else:
            action = params.get("Action") or headers.get("x-acs-action")
            version = params.get("Version") or headers.get("x-acs-version")
        if not action:
            raise Errors.MissingParameter.error("Action")
        if not version:
            raise Errors.MissingParameter.error("Version")
        if version != API_VERSION:
            raise Errors.InvalidVersion.error()
        handler = self.runtime.registry.get(action)
        if handler is None:
            raise Errors.InvalidActionNotFound.error()
        return handler, action

    def _unit(
        self, session: Session, signed: SignedRequest, call: GatewayCall, handler: Any
    ) -> tuple[dict[str, Any] | ApiError, list[Callable[[], None]], float]:
        """Authenticate and run the handler in one transaction. A handler's ApiError rolls back only
        the handler's writes (the nonce stays used), and is returned rather than raised."""
        rt = self.runtime
        now = rt.clock.now()
        call.account_id = authenticate(session, signed, rt.settings, now)
        call.access_key_id = access_key_id_of(signed)
        delay = 0.0
        assert call.action is not None
        ctx = ActionContext(
            action=call.action,
            account_id=call.account_id,
            params=signed.params.values,
            request_id=call.request_id,
            session=session,
            runtime=rt,
            now=now,
            host=(signed.headers.get("host") or [""])[0],
        )
        try:
            # Outside the handler's savepoint: an interceptor's own writes (fault counters) stay even
            # when it answers with an error. An error may carry a delay (``delay`` attribute).
            for interceptor in self.interceptors:
                delay += interceptor(session, call) or 0.0
        except ApiError as exc:
            return exc, [], delay + float(getattr(exc, "delay", 0.0))
        with handler_savepoint(session) as rolled_back:
            result = handler(ctx)
        if rolled_back.error is not None:
            return rolled_back.error, [], delay
        return result, ctx.after_commit, delay


def _headers(request: Request) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for raw_name, raw_value in request.scope["headers"]:
        headers.setdefault(raw_name.decode("latin-1").lower(), []).append(raw_value.decode("utf-8", "replace"))
    return headers


def access_log(call: GatewayCall) -> None:
    logging.getLogger("vod_emulator.access").info(
        "action=%s code=%s status=%d latency_ms=%.2f request_id=%s account=%s",
        call.action or "-",
        call.code,
        call.status,
        call.latency_ms,
        call.request_id,
        call.account_id or "-",
    )

