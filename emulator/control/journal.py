"""The request journal: every gateway request, newest last, bounded; ``/_emulator/journal``.

Kept in memory, per process: recording is one ``deque.append`` of the call object on the event loop
(no database write on the gateway's hot path); redaction and filtering happen when it is read. With
several uvicorn workers each process keeps its own journal (run one worker when tests read it).
"""

from __future__ import annotations

import itertools
from collections import deque
from datetime import datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from emulator.clock import as_utc
from emulator.control.plane import plane_of
from emulator.gateway.dispatch import SECRET_PARAMS, GatewayCall

REDACTED = "***"
# Besides the gateway's list: any parameter whose name suggests a credential is never shown.
_SECRET_WORDS = ("secret", "signature", "token", "password")


def redact(params: dict[str, str]) -> dict[str, str]:
    return {
        k: (REDACTED if k in SECRET_PARAMS or any(w in k.lower() for w in _SECRET_WORDS) else v)
        for k, v in params.items()
    }


class JournalEntry(BaseModel):
    seq: int = Field(description="Position in the journal (increasing; survives eviction of older entries).")
    time: datetime = Field(description="When the request was received (emulator clock, UTC).")
    request_id: str
    method: str
    action: str | None
    account_id: str | None
    access_key_id: str | None
    video_id: str | None = Field(description="The VideoId parameter, when present.")
    params: dict[str, str] = Field(description="Request parameters; signatures, tokens and secrets redacted.")
    code: str = Field(description='"OK" or the error code answered.')
    status: int
    latency_ms: float


class JournalPage(BaseModel):
    entries: list[JournalEntry]
    capacity: int
    recorded: int = Field(description="Requests recorded since start or the last clear (including evicted ones).")


class Cleared(BaseModel):
    cleared: int


class Journal:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._calls: deque[tuple[int, GatewayCall]] = deque(maxlen=capacity)
        self._seq = itertools.count(1)
        self._recorded = 0

    def record(self, call: GatewayCall) -> None:
        """The gateway observer: O(1), nothing copied."""
        if self.capacity:
            self._calls.append((next(self._seq), call))
            self._recorded += 1

    def clear(self, account_id: str | None = None) -> int:
        before = len(self._calls)
        if account_id is None:
            self._calls.clear()
            self._recorded = 0
        else:
            kept = [item for item in self._calls if item[1].account_id != account_id]
            self._calls.clear()
            self._calls.extend(kept)
        return before - len(self._calls)

    def entries(
        self,
        action: str | None = None,
        code: str | None = None,
        account_id: str | None = None,
        video_id: str | None = None,
        request_id: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        found: list[JournalEntry] = []
        for seq, call in list(self._calls):
            if seq <= after:
                continue
            if action is not None and call.action != action:
                continue
            if code is not None and call.code != code:
                continue
            if account_id is not None and call.account_id != account_id:
                continue
            if request_id is not None and call.request_id != request_id:
                continue
            video = call.params.get("VideoId")
            listed = call.params.get("VideoIds", "").split(",")
            if video_id is not None and video_id != video and video_id not in listed:
                continue
            found.append(
                JournalEntry(
                    seq=seq,
                    time=as_utc(call.received_at),
                    request_id=call.request_id,
                    method=call.method,
                    action=call.action,
                    account_id=call.account_id,
                    access_key_id=call.access_key_id or call.params.get("AccessKeyId"),
                    video_id=video,
                    params=redact(call.params),
                    code=call.code,
                    status=call.status,
                    latency_ms=round(call.latency_ms, 3),
                )
            )
        return found[-limit:] if limit else found

    def page(self, entries: list[JournalEntry]) -> JournalPage:
        return JournalPage(entries=entries, capacity=self.capacity, recorded=self._recorded)


router = APIRouter(prefix="/_emulator", tags=["journal"])


@router.get("/journal", response_model=JournalPage)
async def read_journal(
    request: Request,
    action: str | None = None,
    code: str | None = Query(None, description='Error code, or "OK" for successes.'),
    account_id: str | None = None,
    video_id: str | None = None,
    request_id: str | None = None,
    after: int = Query(0, ge=0, description="Only entries with seq greater than this."),
    limit: int | None = Query(None, ge=1, description="Only the newest N matching entries."),
) -> JournalPage:
    """Gateway requests, oldest first, filtered."""
    journal = plane_of(request).journal
    return journal.page(journal.entries(action, code, account_id, video_id, request_id, after, limit))


@router.delete("/journal", response_model=Cleared)
async def clear_journal(request: Request) -> Cleared:
    return Cleared(cleared=plane_of(request).journal.clear())
