"""The emulator's clock: real UTC time, optionally shifted or frozen (for tests and replays)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        """Aware UTC now, with any offset or freeze applied."""
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    @property
    def frozen_at(self) -> datetime | None:
        return self._frozen

    @property
    def offset(self) -> timedelta:
        return self._offset

    def freeze(self, at: datetime | None) -> None:
        self._frozen = at.astimezone(UTC) if at is not None else None

    def shift(self, offset: timedelta) -> None:
        self._offset = offset


def as_utc(value: datetime) -> datetime:
    """Aware UTC (naive values are taken as UTC): the form every stored datetime has."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def format_time(value: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ssZ``, the format of every time in a reply body."""
    return as_utc(value).strftime(TIME_FORMAT)


_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def parse_time(value: str) -> datetime | None:
    """Parse ``yyyy-MM-ddTHH:mm:ssZ`` strictly; None when malformed."""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)  # fast, and checks the ranges
    except ValueError:
        return None
