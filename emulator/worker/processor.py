"""The job worker: takes ``Processing`` animated-image jobs, renders them, finishes each exactly once.

One :class:`JobWorker` runs in every server process (it is started by the app's lifespan). Its loops
claim jobs atomically from the shared database (:mod:`emulator.worker.claims`), so several uvicorn
workers never process the same job twice, and a job whose worker died is taken over when its lease
expires. Rendering is CPU work and runs in a thread pool, never on the event loop or the DB thread.

Timing (``job_mode``): ``immediate`` — SubmitDynamicImageJob wakes the worker after its commit;
``delay`` — a job is due ``job_delay_seconds`` after submission; ``manual`` — the loops do not run, and
jobs are processed only through the control plane (:meth:`complete`, :meth:`fail`). In every mode the
loops also poll every ``job_poll_seconds`` for jobs submitted through other processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import Session, col

from emulator.config import JobMode
from emulator.dynamic_image_config import ClipOutOfRange, ConfigError, RenderPlan, plan_render
from emulator.gateway.errors import ApiError, Errors
from emulator.store.models import DynamicImage, DynamicImageJob, JobStatus
from emulator.worker import claims, outputs
from emulator.worker.callbacks import CallbackSender, dynamic_image_complete
from emulator.worker.render import RenderedImage, render_animation

if TYPE_CHECKING:
    from emulator.runtime import Runtime

log = logging.getLogger("vod_emulator.jobs")
ALWAYS_DUE = timedelta(days=36500)
WAIT_SLICE_SECONDS = 0.25  # long-polls re-read the database this often (other processes' finishes)


def _real_now() -> datetime:
    """Leases use real time: every process must agree on it, whatever a test does to the emulator clock."""
    return datetime.now(UTC)


class JobWorker:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.callbacks = CallbackSender(runtime)
        self._wake = asyncio.Event()
        self._finished = asyncio.Event()
        self._executor = ThreadPoolExecutor(runtime.settings.render_threads, thread_name_prefix="vod-render")
        self._loops: list[asyncio.Task[None]] = []
        self._in_flight: set[str] = set()

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.runtime.settings.job_lease_seconds)

    # --- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.runtime.settings.job_mode is JobMode.manual:
            return
        for _ in range(self.runtime.settings.render_threads):
            self._loops.append(asyncio.get_running_loop().create_task(self._loop()))

    async def stop(self) -> None:
        """Stop taking jobs, hand back the claims of jobs still rendering, stop callbacks."""
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops.clear()
        if self._in_flight:
            held = set(self._in_flight)
            with contextlib.suppress(Exception):
                await self.runtime.db.run(lambda session: _release(session, held, self.owner))
        await self.callbacks.close()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def wake(self) -> None:
        """A job was submitted (called on the event loop after the Submit's commit)."""
        self._wake.set()

    # --- the loops ------------------------------------------------------------------------------
    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                processed = await self._process_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job worker iteration failed")
                processed = False
            if processed:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), await self._idle_seconds())

    def _due_before(self) -> datetime:
        settings = self.runtime.settings
        now = self.runtime.clock.now()
        if settings.job_mode is JobMode.delay:
            return now - timedelta(seconds=settings.job_delay_seconds)
        return now + ALWAYS_DUE

    async def _idle_seconds(self) -> float:
        settings = self.runtime.settings
        poll = settings.job_poll_seconds
        if settings.job_mode is not JobMode.delay:
            return poll
        oldest = await self.runtime.db.run(lambda session: claims.next_due(session, _real_now()))
        if oldest is None:
            return poll
        due_in = (oldest + timedelta(seconds=settings.job_delay_seconds) - self.runtime.clock.now()).total_seconds()
        return max(0.01, min(poll, due_in))

    async def _process_next(self) -> bool:
        due_before = self._due_before()
        now = _real_now()
        job_id = await self.runtime.db.run(
            lambda session: claims.claim_next(session, self.owner, now, self.lease, due_before)
        )
        if job_id is None:
            return False
        await self.process_claimed(job_id)
        return True

    # --- one job --------------------------------------------------------------------------------
    async def process_claimed(self, job_id: str) -> claims.FinishedJob | None:
        """Render a job this worker has claimed and finish it; None when someone else finished it."""
        self._in_flight.add(job_id)
        try:
            return await self._process(job_id)
        finally:
            self._in_flight.discard(job_id)

    async def _process(self, job_id: str) -> claims.FinishedJob | None:
        rt = self.runtime
        inputs = await rt.db.run(lambda session: claims.load_inputs(session, job_id))
        if inputs is None:
            return None
        plan_or_error = _plan(inputs)
        if isinstance(plan_or_error, ApiError):
            return await self._fail(job_id, plan_or_error.code, plan_or_error.message)
        plan = plan_or_error
        dynamic_image_id = rt.ids.resource_id()
        path = outputs.file_path(rt.settings, inputs.video_id, dynamic_image_id, plan.format)
        try:
            rendered = await self._render(job_id, plan, path)
        except Exception as exc:
            log.exception("rendering job %s failed", job_id)
            error = Errors.JobRenderFailed.error(type(exc).__name__)
            return await self._fail(job_id, error.code, error.message)
        finished_at = rt.clock.now()
        image = _image_record(inputs, dynamic_image_id, plan, rendered, finished_at)
        cover = outputs.file_url(rt.settings, inputs.submit_host, image.file_path) if plan.set_default_cover else None
        finished = await rt.db.run(
            lambda session: claims.finish_success(session, job_id, finished_at, image, cover)
        )
        if finished is None:
            path.unlink(missing_ok=True)  # finished elsewhere meanwhile (e.g. failed through the control plane)
            return None
        self._announce(finished)
        return finished

    async def _render(self, job_id: str, plan: RenderPlan, path: Path) -> RenderedImage:
        """Render in the thread pool, renewing the job's lease until it is done."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, render_animation, plan, path)
        renew_every = self.runtime.settings.job_lease_seconds / 3
        while True:
            done, _ = await asyncio.wait({future}, timeout=renew_every)
            if done:
                return future.result()
            until = _real_now() + self.lease
            await self.runtime.db.run(
                lambda session, until=until: claims.renew_lease(session, job_id, self.owner, until)
            )

    async def _fail(self, job_id: str, code: str, message: str) -> claims.FinishedJob | None:
        at = self.runtime.clock.now()
        finished = await self.runtime.db.run(lambda session: claims.finish_failure(session, job_id, at, code, message))
        if finished is not None:
            self._announce(finished)
        return finished

    def _announce(self, finished: claims.FinishedJob) -> None:
        signal, self._finished = self._finished, asyncio.Event()
        signal.set()
        log.info("job %s finished: %s", finished.job_id, finished.status.value)
        event = dynamic_image_complete(self.runtime, finished)
        self.callbacks.send_later(finished.callback, finished.account_id, finished.job_id, event)

    # --- control plane ----------------------------------------------------------------------------
    async def complete(self, job_id: str, wait_seconds: float) -> DynamicImageJob | None:
        """Process a job now (any mode); when another worker holds it, wait for that one to finish."""
        now = _real_now()
        claimed = await self.runtime.db.run(
            lambda session: claims.claim_job(session, job_id, self.owner, now, self.lease)
        )
        if claimed:
            await self.process_claimed(job_id)
        return await self.wait_finished(job_id, 0 if claimed else wait_seconds)

    async def fail(self, job_id: str, code: str, message: str) -> claims.FinishedJob | None:
        """Finish a Processing job as failed (even while it renders); None when already finished."""
        return await self._fail(job_id, code, message)

    async def wait_finished(self, job_id: str, timeout: float) -> DynamicImageJob | None:
        """The job's row once it is no longer Processing, or as it is when ``timeout`` runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            signal = self._finished
            job = await self.runtime.db.run(lambda session: session.get(DynamicImageJob, job_id))
            remaining = deadline - loop.time()
            if job is None or job.status is not JobStatus.Processing or remaining <= 0:
                return job
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), min(WAIT_SLICE_SECONDS, remaining))


def _plan(inputs: claims.JobInputs) -> RenderPlan | ApiError:
    """The render plan of a job, or the error it fails with."""
    if inputs.video_width is None:
        return Errors.InvalidVideoNotFound.error()
    if inputs.template_config is None:
        return Errors.NoSuchResource.error(f"DynamicImageTemplateId({inputs.template_id})")
    try:
        config = json.loads(inputs.template_config)
        if not isinstance(config, dict):
            raise ConfigError("TemplateConfig is not a JSON object")
        return plan_render(
            config, inputs.override_params, inputs.video_width, inputs.video_height, inputs.video_duration
        )
    except ClipOutOfRange as exc:
        return Errors.JobClipOutOfRange.error(str(exc))
    except (ConfigError, ValueError, TypeError) as exc:
        return Errors.JobTemplateConfigInvalid.error(str(exc))


def _image_record(
    inputs: claims.JobInputs, dynamic_image_id: str, plan: RenderPlan, rendered: RenderedImage, at: datetime
) -> DynamicImage:
    return DynamicImage(
        dynamic_image_id=dynamic_image_id,
        account_id=inputs.account_id,
        video_id=inputs.video_id,
        job_id=inputs.job_id,
        file_path=outputs.url_path(inputs.video_id, dynamic_image_id, plan.format),
        width=plan.width,
        height=plan.height,
        fps=plan.fps,
        duration=rendered.duration,
        format=plan.format,
        file_size=rendered.file_size,
        created_at=at,
    )


def _release(session: Session, job_ids: set[str], owner: str) -> None:
    """Give back this worker's claims (graceful shutdown): a restart resumes the jobs at once."""
    session.execute(
        update(DynamicImageJob)
        .where(
            col(DynamicImageJob.job_id).in_(job_ids),
            col(DynamicImageJob.claimed_by) == owner,
            col(DynamicImageJob.status) == JobStatus.Processing,
        )
        .values(claimed_by=None, lease_until=None)
    )
