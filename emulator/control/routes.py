"""The emulator's control plane under ``/_emulator/`` (plain FastAPI routes, never VOD actions)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from emulator.runtime import Runtime

router = APIRouter(prefix="/_emulator", tags=["emulator"])


class Health(BaseModel):
    status: str
    actions: list[str]


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request) -> JSONResponse:
    """Ready once the fixtures are loaded; 503 before."""
    rt = runtime_of(request)
    body = Health(status="ready" if rt.ready else "starting", actions=rt.registry.names())
    return JSONResponse(body.model_dump(), status_code=200 if rt.ready else 503)
