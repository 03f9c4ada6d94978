"""The ASGI application: the VOD gateway at ``/`` and the emulator's control routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from emulator.clock import as_utc
from emulator.config import Settings
from emulator.control.jobs import router as jobs_control_router
from emulator.control.plane import install_control_plane
from emulator.control.routes import router as control_router
from emulator.gateway import envelope
from emulator.gateway.dispatch import Gateway, access_log
from emulator.gateway.errors import Errors
from emulator.runtime import Runtime
from emulator.store import queries
from emulator.store.seed import apply_scenario, read_scenario
from emulator.worker.outputs import router as dynamic_image_files_router
from emulator.worker.processor import JobWorker

log = logging.getLogger("vod_emulator")
GATEWAY_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
NONCE_PURGE_SECONDS = 60


def configure_logging(level: str) -> None:
    """One line per record on stderr; the access log's lines are key=value pairs."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr)


def load_fixtures(runtime: Runtime) -> None:
    for path in runtime.settings.fixtures:
        scenario = read_scenario(path)
        runtime.db.run_sync(lambda session, s=scenario: apply_scenario(session, s, runtime.clock.now()))
        log.info("fixtures loaded from %s", path)


async def _purge_nonces(runtime: Runtime) -> None:
    while True:
        await asyncio.sleep(NONCE_PURGE_SECONDS)
        now = as_utc(runtime.clock.now())
        with contextlib.suppress(Exception):
            await runtime.db.run(lambda session, at=now: queries.purge_nonces(session, at))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    if not logging.getLogger().handlers:
        configure_logging(settings.log_level)
    runtime = Runtime.create(settings)
    gateway = Gateway(runtime)
    gateway.observers.append(access_log)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        load_fixtures(runtime)
        runtime.jobs = JobWorker(runtime)
        runtime.jobs.start()
        runtime.ready = True
        purge = asyncio.create_task(_purge_nonces(runtime))
        try:
            yield
        finally:
            purge.cancel()
            runtime.ready = False
            await runtime.jobs.stop()
            runtime.db.close()

    app = FastAPI(
        title="VOD Emulator",
        summary="Local emulator of Alibaba Cloud ApsaraVideo VOD's OpenAPI 2017-03-21 (RPC).",
        lifespan=lifespan,
        docs_url="/_emulator/docs",
        redoc_url=None,
        openapi_url="/_emulator/openapi.json",
    )
    app.state.runtime = runtime
    app.state.gateway = gateway
    app.add_route("/", gateway.handle, methods=GATEWAY_METHODS, include_in_schema=False)
    app.include_router(control_router)
    app.include_router(jobs_control_router)
    app.include_router(dynamic_image_files_router)
    install_control_plane(app, runtime, gateway)

    @app.exception_handler(StarletteHTTPException)
    async def _not_found(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/_emulator/"):
            return await http_exception_handler(request, exc)  # control routes answer plain JSON errors
        # Paths the emulator does not serve answer in the service's envelope, never a bare page.
        error = Errors.InvalidActionNotFound.error() if exc.status_code == 404 else Errors.UnsupportedHTTPMethod.error()
        is_v3 = (request.headers.get("authorization") or "")[:5].upper() == "ACS3-"
        fmt = envelope.sniff_format(request.scope.get("query_string", b""), is_v3)
        host = envelope.host_id(request.headers.get("host"))
        return envelope.error(error, fmt, runtime.ids.request_id(), host, runtime.ids.trace_id())

    return app
