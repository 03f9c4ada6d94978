"""Deterministic mode and the clock: ``/_emulator/seed``, ``/_emulator/clock``.

With a seed every generated id (RequestId, JobId, DynamicImageId, template and video ids) comes from
one seeded sequence, so the same requests in the same order give the same ids on every run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from emulator.clock import as_utc
from emulator.control.plane import plane_of, runtime_of

router = APIRouter(prefix="/_emulator", tags=["determinism"])


class SeedState(BaseModel):
    seed: int | None = Field(description="The seed of the id sequence; null = random ids.")


class ClockChange(BaseModel):
    freeze: bool | None = Field(None, description="true: stop the clock at its current time; false: let it run.")
    freeze_at: datetime | None = Field(None, description="Stop the clock at this time.")
    shift_seconds: float | None = Field(None, description="Run the clock this many seconds ahead of real time.")
    advance_seconds: float | None = Field(None, description="Move the clock forward (frozen or running).")
    reset: bool = Field(False, description="Back to real time (applied first).")


class ClockState(BaseModel):
    now: datetime
    frozen: bool
    offset_seconds: float


@router.get("/seed", response_model=SeedState)
async def get_seed(request: Request) -> SeedState:
    return SeedState(seed=plane_of(request).seed)


@router.post("/seed", response_model=SeedState)
async def set_seed(request: Request, body: SeedState) -> SeedState:
    """Restart the id sequence from ``seed`` (null: random ids again). A full reset restarts it too."""
    plane_of(request).reseed(body.seed)
    return SeedState(seed=body.seed)


def clock_state(request: Request) -> ClockState:
    clock = runtime_of(request).clock
    return ClockState(
        now=as_utc(clock.now()), frozen=clock.frozen_at is not None, offset_seconds=clock.offset.total_seconds()
    )


@router.get("/clock", response_model=ClockState)
async def get_clock(request: Request) -> ClockState:
    return clock_state(request)


@router.post("/clock", response_model=ClockState, responses={400: {}})
async def change_clock(request: Request, body: ClockChange) -> ClockState:
    """Freeze, shift or advance the emulator's clock (times in replies, timestamps checks, jobs)."""
    clock = runtime_of(request).clock
    if body.freeze_at is not None and body.freeze is False:
        raise HTTPException(400, "freeze_at contradicts freeze=false")
    if body.reset:
        clock.freeze(None)
        clock.shift(timedelta(0))
    if body.shift_seconds is not None:
        clock.shift(timedelta(seconds=body.shift_seconds))
    if body.freeze_at is not None:
        clock.freeze(as_utc(body.freeze_at))
    elif body.freeze is True and clock.frozen_at is None:
        clock.freeze(clock.now())
    elif body.freeze is False and clock.frozen_at is not None:
        clock.shift(clock.frozen_at - datetime.now(clock.frozen_at.tzinfo))
        clock.freeze(None)
    if body.advance_seconds:
        step = timedelta(seconds=body.advance_seconds)
        if clock.frozen_at is not None:
            clock.freeze(clock.frozen_at + step)
        else:
            clock.shift(clock.offset + step)
    return clock_state(request)
