"""The gateway's hot path in plain SQL on the request transaction's sqlite3 connection.

Every signed request looks its key up, records its nonce and checks for fault rules; every Submit
reads a video and a template and inserts a job. Through the ORM each of these costs several hundred
microseconds of Python (statement compilation, identity map, model construction); the same SQL on
the driver costs tens. These helpers run inside the session's transaction (same connection, same
``BEGIN IMMEDIATE``), so they mix freely with ORM code in a handler. Values are stored exactly as
SQLAlchemy stores them on SQLite (datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC, enums by name).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from emulator.store.database import DBAPI_CONNECTION

_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def dbapi(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection of the session's transaction (begun by Database for every unit of work)."""
    connection: sqlite3.Connection = session.info[DBAPI_CONNECTION]
    return connection


def to_sql(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(_SQLITE_DATETIME)
    if isinstance(value, Enum):
        return value.name
    return value


def parse_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@cache
def _insert_plan(model: type[SQLModel]) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    table = model.__table__  # type: ignore[attr-defined]
    columns = tuple(column.name for column in table.columns)
    defaults: dict[str, Any] = {}
    for name in columns:
        field = model.model_fields.get(name)
        if field is not None and not field.is_required():
            defaults[name] = field.get_default(call_default_factory=True)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    return sql, columns, defaults


def insert_row(session: Session, model: type[SQLModel], values: dict[str, Any]) -> None:
    """INSERT one row of ``model``: ``values`` plus the model's defaults for the other columns."""
    sql, columns, defaults = _insert_plan(model)
    row = {**defaults, **values}
    missing = [name for name in columns if name not in row]
    if missing:
        raise ValueError(f"{model.__name__}: no value for {', '.join(missing)}")
    dbapi(session).execute(sql, [to_sql(row[name]) for name in columns])


def fetch_one(session: Session, sql: str, *params: Any) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = dbapi(session).execute(sql, params).fetchone()
    return row


def execute(session: Session, sql: str, *params: Any) -> int:
    """Run one statement; the number of rows it changed."""
    return dbapi(session).execute(sql, params).rowcount
