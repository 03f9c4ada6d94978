"""The benchmark's app factory: the emulator's own app plus one bare FastAPI route.

The bare route is the baseline: same process, same uvicorn settings, same middleware, no gateway.
"""

from __future__ import annotations

from fastapi import FastAPI

from emulator.app import create_app

BARE_PATH = "/_bench/bare"


def create_bench_app() -> FastAPI:
    app = create_app()

    @app.api_route(BARE_PATH, methods=["GET", "POST"], include_in_schema=False)
    async def bare() -> dict[str, str]:
        return {"status": "ok"}

    return app
