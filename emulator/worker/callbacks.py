"""DynamicImageComplete events (spec §9.7): the event body, the auth headers, and HTTP delivery.

Delivery runs as an asyncio task on the event loop with an async httpx client, so it never holds up a
request. An event is POSTed (``Content-Type: application/json``) to the account's CallbackURL when
its EventTypeList names the event or is ``ALL``; success is HTTP 200 within the timeout, otherwise it
is retried (3 attempts, 1 s apart, by default). Every attempt is recorded as a ``CallbackDelivery``
row. MNS callbacks are stored but not sent: one attempt is recorded with an explanatory error.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from emulator.clock import format_time
from emulator.config import CallbackJobInfoFormat
from emulator.store.models import CallbackDelivery, JobStatus, MessageCallback
from emulator.worker import outputs

if TYPE_CHECKING:
    from emulator.runtime import Runtime
    from emulator.worker.claims import FinishedJob

log = logging.getLogger("vod_emulator.callbacks")
DYNAMIC_IMAGE_COMPLETE = "DynamicImageComplete"
MNS_NOT_EMULATED = "MNS delivery is not emulated; the event is recorded only"


def signature(url: str, timestamp: str, key: str) -> str:
    """``X-VOD-SIGNATURE``: lower-case hex md5 of ``url|timestamp|key`` (url exactly as configured)."""
    return hashlib.md5(f"{url}|{timestamp}|{key}".encode()).hexdigest()


def subscribed(event_type_list: str, event_type: str) -> bool:
    names = [name.strip() for name in event_type_list.split(",") if name.strip()]
    return "ALL" in names or event_type in names


def _number(value: float) -> str:
    return f"{round(value, 3):g}"


def dynamic_image_complete(runtime: Runtime, job: FinishedJob) -> dict[str, Any]:
    """The event body for a finished job."""
    event: dict[str, Any] = {
        "EventTime": format_time(job.finished_at),
        "EventType": DYNAMIC_IMAGE_COMPLETE,
        "VideoId": job.video_id,
        "JobId": job.job_id,
    }
    if job.status is JobStatus.Success and job.image is not None:
        image = job.image
        event["Status"] = "success"
        info = {
            "JobId": job.job_id,
            "Status": "success",
            "FileURL": outputs.file_url(runtime.settings, job.submit_host, image.file_path),
            "FileSize": str(image.file_size),
            "Fps": _number(image.fps),
            "Height": str(image.height),
            "Width": str(image.width),
        }
        as_string = runtime.settings.callback_job_info_format is CallbackJobInfoFormat.string
        event["DynamicImageJobInfo"] = json.dumps(info, separators=(",", ":")) if as_string else info
    else:
        event["Status"] = "fail"
        event["ErrorCode"] = job.error_code or ""
        event["ErrorMessage"] = job.error_message or ""
    return event


class CallbackSender:
    """Sends events to accounts' callbacks; one per process, owning its HTTP client and tasks."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def send_later(
        self, callback: MessageCallback | None, account_id: str, job_id: str | None, event: dict[str, Any]
    ) -> None:
        """Deliver ``event`` to ``callback`` (the account's, as it was when the event happened) in the
        background: never awaited by a request."""
        if callback is None or not subscribed(callback.event_type_list, str(event.get("EventType", ""))):
            return
        if callback.callback_type == "HTTP" and not callback.callback_url:
            return
        task = asyncio.get_running_loop().create_task(self._deliver(callback, account_id, job_id, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _deliver(
        self, callback: MessageCallback, account_id: str, job_id: str | None, event: dict[str, Any]
    ) -> None:
        try:
            await self._deliver_attempts(callback, account_id, job_id, event)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("callback delivery for job %s failed unexpectedly", job_id)

    async def _deliver_attempts(
        self, callback: MessageCallback, account_id: str, job_id: str | None, event: dict[str, Any]
    ) -> None:
        rt = self.runtime
        event_type = str(event.get("EventType", ""))
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        if callback.callback_type != "HTTP":
            target = callback.mns_queue_name or callback.mns_endpoint or callback.callback_url
            await self._record(account_id, job_id, event_type, target, 1, None, MNS_NOT_EMULATED, {}, body)
            return
        settings = rt.settings
        url = callback.callback_url
        for attempt in range(1, settings.callback_attempts + 1):
            headers: dict[str, str] = {}
            if callback.auth_switch == "on" and callback.auth_key:
                timestamp = str(int(rt.clock.now().timestamp()))
                signed = signature(url, timestamp, callback.auth_key)
                headers = {"X-VOD-TIMESTAMP": timestamp, "X-VOD-SIGNATURE": signed}
            status, error = await self._post(url, body, headers)
            await self._record(account_id, job_id, event_type, url, attempt, status, error, headers, body)
            if error is None:
                return
            if attempt < settings.callback_attempts:
                await asyncio.sleep(settings.callback_retry_seconds)
        log.warning("callback for job %s to %s failed after %d attempts", job_id, url, settings.callback_attempts)

    async def _post(self, url: str, body: str, headers: dict[str, str]) -> tuple[int | None, str | None]:
        if self._client is None:
            self._client = httpx.AsyncClient(trust_env=False, follow_redirects=False)
        try:
            response = await self._client.post(
                url,
                content=body.encode("utf-8"),
                headers={"Content-Type": "application/json", **headers},
                timeout=self.runtime.settings.callback_timeout_seconds,
            )
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if response.status_code != 200:
            return response.status_code, f"HTTP {response.status_code}"
        return 200, None

    async def _record(
        self,
        account_id: str,
        job_id: str | None,
        event_type: str,
        url: str,
        attempt: int,
        status: int | None,
        error: str | None,
        headers: dict[str, str],
        body: str,
    ) -> None:
        sent_at: datetime = self.runtime.clock.now()
        row = CallbackDelivery(
            account_id=account_id,
            job_id=job_id,
            event_type=event_type,
            url=url,
            attempt=attempt,
            status_code=status,
            error=error,
            headers=json.dumps(headers),
            body=body,
            sent_at=sent_at,
        )
        await self.runtime.db.run(lambda session: session.add(row))
