"""Control routes for animated-image jobs and callback deliveries (``/_emulator/jobs``, ``…/callbacks``).

- ``GET  /_emulator/jobs`` — jobs, filtered by ``status``, ``video_id``, ``account_id``;
- ``GET  /_emulator/jobs/{job_id}?wait=5`` — one job; with ``wait``, long-polls until it is finished;
- ``POST /_emulator/jobs/{job_id}/complete`` — process it now, as the worker would (any job mode);
- ``POST /_emulator/jobs/{job_id}/fail`` — finish it as failed with ``{"code", "message"}``;
- ``POST /_emulator/jobs/complete-all`` — process every Processing job (optionally of one account/video);
- ``GET  /_emulator/callbacks/deliveries`` — every recorded callback delivery attempt.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from emulator.clock import as_utc
from emulator.control.plane import runtime_of
from emulator.store.models import CallbackDelivery, DynamicImage, DynamicImageJob, JobStatus
from emulator.worker import outputs
from emulator.worker.processor import JobWorker

router = APIRouter(prefix="/_emulator", tags=["jobs"])
MAX_WAIT_SECONDS = 120.0
DEFAULT_FAIL_CODE = "InternalError"
DEFAULT_FAIL_MESSAGE = "The animated image job failed (failed through the emulator's control plane)."


# --- schemas -------------------------------------------------------------------------------------


class DynamicImageView(BaseModel):
    dynamic_image_id: str
    file_url: str = Field(description="Built on this request's Host (or VOD_EMULATOR_PUBLIC_URL).")
    file_path: str
    width: int
    height: int
    fps: float
    duration: float
    format: str
    file_size: int
    created_at: datetime


class JobView(BaseModel):
    job_id: str
    account_id: str
    video_id: str
    template_id: str
    status: JobStatus
    finished: bool
    override_params: dict[str, Any] | None
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    claimed_by: str | None
    lease_until: datetime | None
    attempts: int
    dynamic_image: DynamicImageView | None = Field(None, description="The image a successful job made.")


class JobList(BaseModel):
    jobs: list[JobView]


class FailRequest(BaseModel):
    code: str = Field(DEFAULT_FAIL_CODE, min_length=1, description="ErrorCode of the DynamicImageComplete event.")
    message: str = Field(DEFAULT_FAIL_MESSAGE, description="ErrorMessage of the event.")


class DeliveryView(BaseModel):
    id: int
    account_id: str
    job_id: str | None
    event_type: str
    url: str
    attempt: int
    status_code: int | None
    error: str | None
    delivered: bool
    headers: dict[str, str]
    event: Any = Field(description="The event body as sent (parsed JSON).")
    sent_at: datetime


class DeliveryList(BaseModel):
    deliveries: list[DeliveryView]


# --- helpers -------------------------------------------------------------------------------------


def _worker(request: Request) -> JobWorker:
    worker = runtime_of(request).jobs
    if worker is None:
        raise HTTPException(status_code=503, detail="the job worker is not running")
    return worker


def _optional_time(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _image_of(session: Session, job_id: str) -> DynamicImage | None:
    return session.exec(select(DynamicImage).where(col(DynamicImage.job_id) == job_id)).first()


def _view(request: Request, job: DynamicImageJob, image: DynamicImage | None) -> JobView:
    settings = runtime_of(request).settings
    image_view = None
    if image is not None:
        image_view = DynamicImageView(
            dynamic_image_id=image.dynamic_image_id,
            file_url=outputs.file_url(settings, request.headers.get("host"), image.file_path),
            file_path=image.file_path,
            width=image.width,
            height=image.height,
            fps=image.fps,
            duration=image.duration,
            format=image.format,
            file_size=image.file_size,
            created_at=as_utc(image.created_at),
        )
    return JobView(
        job_id=job.job_id,
        account_id=job.account_id,
        video_id=job.video_id,
        template_id=job.template_id,
        status=job.status,
        finished=job.status is not JobStatus.Processing,
        override_params=json.loads(job.override_params) if job.override_params else None,
        error_code=job.error_code,
        error_message=job.error_message,
        created_at=as_utc(job.created_at),
        updated_at=as_utc(job.updated_at),
        claimed_by=job.claimed_by,
        lease_until=_optional_time(job.lease_until),
        attempts=job.attempts,
        dynamic_image=image_view,
    )


async def _job_view(request: Request, job_id: str) -> JobView:
    def load(session: Session) -> tuple[DynamicImageJob | None, DynamicImage | None]:
        return session.get(DynamicImageJob, job_id), _image_of(session, job_id)

    job, image = await runtime_of(request).db.run(load)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no job {job_id}")
    return _view(request, job, image)


def _wait(value: float) -> float:
    return min(max(value, 0.0), MAX_WAIT_SECONDS)


# --- jobs ----------------------------------------------------------------------------------------


@router.get("/jobs", response_model=JobList)
async def list_jobs(
    request: Request,
    status: JobStatus | None = None,
    video_id: str | None = None,
    account_id: str | None = None,
    limit: int = Query(1000, ge=1, le=10_000),
) -> JobList:
    """Jobs, oldest first."""

    def load(session: Session) -> list[tuple[DynamicImageJob, DynamicImage | None]]:
        statement = select(DynamicImageJob, DynamicImage).join(
            DynamicImage, col(DynamicImage.job_id) == col(DynamicImageJob.job_id), isouter=True
        )
        if status is not None:
            statement = statement.where(col(DynamicImageJob.status) == status)
        if video_id is not None:
            statement = statement.where(col(DynamicImageJob.video_id) == video_id)
        if account_id is not None:
            statement = statement.where(col(DynamicImageJob.account_id) == account_id)
        statement = statement.order_by(col(DynamicImageJob.created_at), col(DynamicImageJob.job_id)).limit(limit)
        return list(session.exec(statement).all())  # type: ignore[arg-type]

    rows = await runtime_of(request).db.run(load)
    return JobList(jobs=[_view(request, job, image) for job, image in rows])


@router.get("/jobs/{job_id}", response_model=JobView, responses={404: {"description": "Unknown job"}})
async def get_job(request: Request, job_id: str, wait: float = Query(0.0, ge=0, le=MAX_WAIT_SECONDS)) -> JobView:
    """One job. With ``wait`` (seconds), answers as soon as the job is finished, or when the wait ends."""
    if wait > 0:
        await _worker(request).wait_finished(job_id, _wait(wait))
    return await _job_view(request, job_id)


@router.post("/jobs/complete-all", response_model=JobList)
async def complete_all(
    request: Request,
    video_id: str | None = None,
    account_id: str | None = None,
    wait: float = Query(30.0, ge=0, le=MAX_WAIT_SECONDS),
) -> JobList:
    """Process every Processing job now (oldest first); answers with each job as it ended."""
    worker = _worker(request)

    def pending(session: Session) -> list[str]:
        statement = select(DynamicImageJob.job_id).where(col(DynamicImageJob.status) == JobStatus.Processing)
        if video_id is not None:
            statement = statement.where(col(DynamicImageJob.video_id) == video_id)
        if account_id is not None:
            statement = statement.where(col(DynamicImageJob.account_id) == account_id)
        return list(session.exec(statement.order_by(col(DynamicImageJob.created_at))).all())

    job_ids = await runtime_of(request).db.run(pending)
    for job_id in job_ids:
        await worker.complete(job_id, _wait(wait))
    return JobList(jobs=[await _job_view(request, job_id) for job_id in job_ids])


@router.post("/jobs/{job_id}/complete", response_model=JobView, responses={404: {"description": "Unknown job"}})
async def complete_job(
    request: Request, job_id: str, wait: float = Query(30.0, ge=0, le=MAX_WAIT_SECONDS)
) -> JobView:
    """Process the job now, exactly as the worker would: it ends Success, or Fail when its clip or
    config cannot be rendered (e.g. a clip beyond the video's end). If another worker is rendering it,
    waits (up to ``wait`` s) for that one. A finished job is returned unchanged."""
    await _job_view(request, job_id)  # 404 for an unknown job
    await _worker(request).complete(job_id, _wait(wait))
    return await _job_view(request, job_id)


@router.post(
    "/jobs/{job_id}/fail",
    response_model=JobView,
    responses={404: {"description": "Unknown job"}, 409: {"description": "The job is already finished"}},
)
async def fail_job(request: Request, job_id: str, body: FailRequest | None = None) -> JobView:
    """Finish a Processing job as failed with this error (the DynamicImageComplete event carries it)."""
    body = body or FailRequest()
    await _job_view(request, job_id)
    finished = await _worker(request).fail(job_id, body.code, body.message)
    view = await _job_view(request, job_id)
    if finished is None:
        raise HTTPException(status_code=409, detail=f"job {job_id} is already finished ({view.status.value})")
    return view


# --- callback deliveries -------------------------------------------------------------------------


def _delivery_view(row: CallbackDelivery) -> DeliveryView:
    try:
        event: Any = json.loads(row.body)
    except ValueError:
        event = row.body
    return DeliveryView(
        id=row.id or 0,
        account_id=row.account_id,
        job_id=row.job_id,
        event_type=row.event_type,
        url=row.url,
        attempt=row.attempt,
        status_code=row.status_code,
        error=row.error,
        delivered=row.error is None,
        headers=json.loads(row.headers or "{}"),
        event=event,
        sent_at=as_utc(row.sent_at),
    )


@router.get("/callbacks/deliveries", response_model=DeliveryList)
async def list_deliveries(
    request: Request,
    job_id: str | None = None,
    account_id: str | None = None,
    event_type: str | None = None,
    min_count: int = Query(0, ge=0, description="With wait: answer once at least this many attempts match."),
    wait: float = Query(0.0, ge=0, le=MAX_WAIT_SECONDS),
) -> DeliveryList:
    """Recorded delivery attempts (oldest first): url, status, error, headers and the event sent."""

    def load(session: Session) -> list[CallbackDelivery]:
        statement = select(CallbackDelivery)
        if job_id is not None:
            statement = statement.where(col(CallbackDelivery.job_id) == job_id)
        if account_id is not None:
            statement = statement.where(col(CallbackDelivery.account_id) == account_id)
        if event_type is not None:
            statement = statement.where(col(CallbackDelivery.event_type) == event_type)
        return list(session.exec(statement.order_by(col(CallbackDelivery.id))).all())

    loop = asyncio.get_running_loop()
    deadline = loop.time() + _wait(wait)
    while True:
        rows = await runtime_of(request).db.run(load)
        if len(rows) >= min_count or loop.time() >= deadline:
            return DeliveryList(deliveries=[_delivery_view(row) for row in rows])
        await asyncio.sleep(min(0.1, max(0.0, deadline - loop.time())))
