"""The emulator's clock: real UTC time, optionally shifted or frozen (for tests and replays)."""

from __future__ import annotations

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


def parse_time(value: str) -> datetime | None:
    """Parse ``yyyy-MM-ddTHH:mm:ssZ`` strictly; None when malformed."""
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC)
    except (ValueError, TypeError):
        return None
