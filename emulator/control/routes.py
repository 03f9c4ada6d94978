"""``/_emulator/health``: the readiness probe of the control plane (Docker, compose and CI wait on it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from emulator.control.plane import runtime_of

router = APIRouter(prefix="/_emulator", tags=["emulator"])


class Health(BaseModel):
    status: str
    actions: list[str]


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request) -> JSONResponse:
    """Ready once the fixtures are loaded; 503 before."""
    rt = runtime_of(request)
    body = Health(status="ready" if rt.ready else "starting", actions=rt.registry.names())
    return JSONResponse(body.model_dump(), status_code=200 if rt.ready else 503)
