"""The job table as the workers use it: atomic claims with leases, and finishing a job exactly once.

Each function is one unit of work for :meth:`Database.run` (``fn(session)``, one ``BEGIN IMMEDIATE``
transaction), so a claim or a finish is atomic across every process sharing the database:

- a job is *claimable* while it is ``Processing`` and nobody holds an unexpired lease on it;
- a claim sets ``claimed_by`` and ``lease_until``; the claimer renews the lease while it renders;
- a worker that dies leaves its lease to expire, and another worker (or the restarted one) takes over;
- finishing is ``UPDATE … WHERE status='Processing'``: whoever gets there first wins, once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from emulator.clock import as_utc
from emulator.store import queries
from emulator.store.models import DynamicImage, DynamicImageJob, JobStatus, MessageCallback, Template, Video


def _claimable(now: datetime) -> Any:
    return (col(DynamicImageJob.status) == JobStatus.Processing) & or_(
        col(DynamicImageJob.lease_until).is_(None), col(DynamicImageJob.lease_until) < now
    )


def claim_job(session: Session, job_id: str, owner: str, now: datetime, lease: timedelta) -> bool:
    """Claim one job; False when it is finished, unknown or leased by someone else."""
    result = session.execute(
        update(DynamicImageJob)
        .where(col(DynamicImageJob.job_id) == job_id, _claimable(now))
        .values(claimed_by=owner, lease_until=now + lease, attempts=DynamicImageJob.attempts + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def claim_next(session: Session, owner: str, now: datetime, lease: timedelta, due_before: datetime) -> str | None:
    """Claim the oldest claimable job submitted at or before ``due_before``; its id, or None."""
    candidate = session.exec(
        select(DynamicImageJob.job_id)
        .where(_claimable(now), col(DynamicImageJob.created_at) <= due_before)
        .order_by(col(DynamicImageJob.created_at))
        .limit(1)
    ).first()
    if candidate is None:
        return None
    return candidate if claim_job(session, candidate, owner, now, lease) else None


def next_due(session: Session, now: datetime) -> datetime | None:
    """When the oldest unclaimed Processing job was submitted (delay mode waits until it is due)."""
    created = session.exec(
        select(DynamicImageJob.created_at)
        .where(_claimable(now))
        .order_by(col(DynamicImageJob.created_at))
        .limit(1)
    ).first()
    return as_utc(created) if created is not None else None


def renew_lease(session: Session, job_id: str, owner: str, until: datetime) -> None:
    session.execute(
        update(DynamicImageJob)
        .where(
            col(DynamicImageJob.job_id) == job_id,
            col(DynamicImageJob.claimed_by) == owner,
            col(DynamicImageJob.status) == JobStatus.Processing,
        )
        .values(lease_until=until)
    )


@dataclass(frozen=True, slots=True)
class JobInputs:
    """What rendering one job needs, read in one unit."""

    job_id: str
    account_id: str
    video_id: str
    template_id: str
    template_config: str | None  # None: the template is gone
    override_params: dict[str, Any] | None
    video_width: int | None  # None: the video is gone
    video_height: int
    video_duration: float
    submit_host: str | None


def load_inputs(session: Session, job_id: str) -> JobInputs | None:
    job = session.get(DynamicImageJob, job_id)
    if job is None:
        return None
    video = queries.video(session, job.account_id, job.video_id)
    config = job.template_config
    if config is None:
        template = queries.template(session, job.account_id, job.template_id)
        config = template.config if template is not None and _template_alive(template) else None
    return JobInputs(
        job_id=job.job_id,
        account_id=job.account_id,
        video_id=job.video_id,
        template_id=job.template_id,
        template_config=config,
        override_params=json.loads(job.override_params) if job.override_params else None,
        video_width=video.width if video is not None else None,
        video_height=video.height if video is not None else 0,
        video_duration=video.duration if video is not None else 0.0,
        submit_host=job.submit_host,
    )


def _template_alive(template: Template) -> bool:
    return getattr(template, "deleted_at", None) is None


@dataclass(frozen=True, slots=True)
class FinishedJob:
    """A job as it was finished, for the DynamicImageComplete event."""

    job_id: str
    account_id: str
    video_id: str
    status: JobStatus
    finished_at: datetime
    submit_host: str | None
    error_code: str | None = None
    error_message: str | None = None
    image: DynamicImage | None = None
    # The account's callback as it was when the job finished (read in the same transaction).
    callback: MessageCallback | None = None


def _finish(session: Session, job_id: str, now: datetime, values: dict[str, Any]) -> DynamicImageJob | None:
    result = session.execute(
        update(DynamicImageJob)
        .where(col(DynamicImageJob.job_id) == job_id, col(DynamicImageJob.status) == JobStatus.Processing)
        .values(updated_at=now, lease_until=None, **values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.get(DynamicImageJob, job_id)
    if job is not None:
        session.refresh(job)
    return job


def finish_success(
    session: Session, job_id: str, now: datetime, image: DynamicImage, cover_url: str | None
) -> FinishedJob | None:
    """Mark the job Success and record its image; None when it was already finished elsewhere."""
    job = _finish(session, job_id, now, {"status": JobStatus.Success})
    if job is None:
        return None
    session.add(image)
    if cover_url is not None:
        video = session.get(Video, job.video_id)
        if video is not None and hasattr(video, "cover_url"):
            video.cover_url = cover_url
            session.add(video)
    session.flush()
    return FinishedJob(
        job.job_id,
        job.account_id,
        job.video_id,
        JobStatus.Success,
        now,
        job.submit_host,
        image=image,
        callback=session.get(MessageCallback, job.account_id),
    )


def finish_failure(session: Session, job_id: str, now: datetime, code: str, message: str) -> FinishedJob | None:
    """Mark the job Fail with an error; None when it was already finished."""
    job = _finish(session, job_id, now, {"status": JobStatus.Fail, "error_code": code, "error_message": message})
    if job is None:
        return None
    return FinishedJob(
        job.job_id,
        job.account_id,
        job.video_id,
        JobStatus.Fail,
        now,
        job.submit_host,
        code,
        message,
        callback=session.get(MessageCallback, job.account_id),
    )
