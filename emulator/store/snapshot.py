"""The whole store as one JSON document (state export/import), and wiping it: all, or one account.

Everything here is generic over ``SQLModel.metadata.sorted_tables``: tables added later are wiped,
exported and imported without changes here.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from emulator.clock import as_utc
from emulator.store.models import Account

SNAPSHOT_FORMAT = "vod-emulator-state"
SNAPSHOT_VERSION = 1


class SnapshotError(ValueError):
    """A state document that cannot be imported; the message names table, row, column and problem."""


def tables() -> list[Table]:
    """Every table, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def wipe_all(session: Session) -> dict[str, int]:
    """Delete every row of every table; rows deleted per table."""
    deleted: dict[str, int] = {}
    for table in reversed(tables()):
        deleted[table.name] = session.execute(table.delete()).rowcount  # type: ignore[attr-defined]
    return deleted


def _account_conditions(account_id: str) -> dict[str, ColumnElement[bool]]:
    """Per table, the condition selecting the account's rows: its own row, rows carrying its
    ``account_id``, and rows referencing (by foreign key) any row already selected."""
    account_table: Table = Account.__table__  # type: ignore[attr-defined]
    conditions: dict[str, ColumnElement[bool]] = {}
    for table in tables():
        parts: list[ColumnElement[bool]] = []
        if table is account_table:
            parts.append(table.c.id == account_id)
        if "account_id" in table.c:
            parts.append(table.c.account_id == account_id)
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in conditions and parent is not account_table:
                parts.append(fk.parent.in_(select(fk.column).where(conditions[parent.name])))
        if parts:
            conditions[table.name] = or_(*parts)
    return conditions


def wipe_account(session: Session, account_id: str) -> dict[str, int]:
    """Delete the account and everything it owns; rows deleted per table."""
    conditions = _account_conditions(account_id)
    deleted: dict[str, int] = {}
    for table in reversed(tables()):
        condition = conditions.get(table.name)
        if condition is not None:
            deleted[table.name] = session.execute(table.delete().where(condition)).rowcount  # type: ignore[attr-defined]
    return deleted


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def export_state(session: Session, now: datetime) -> dict[str, Any]:
    """Every row of every table, JSON-ready, ordered by primary key."""
    document: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "exported_at": as_utc(now).isoformat(),
        "tables": {},
    }
    for table in tables():
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings().all()
        document["tables"][table.name] = [{k: _dump_value(v) for k, v in row.items()} for row in rows]
    return document


def _python_type(column: Any) -> type | None:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        return column_type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def _load_value(column: Any, value: Any) -> Any:
    if value is None:
        return None
    kind = _python_type(column)
    enum_class = getattr(column.type, "enum_class", None)
    if enum_class is not None:
        return enum_class(value)
    if kind is datetime:
        if not isinstance(value, str):
            raise ValueError("expected an ISO 8601 date-time string")
        return as_utc(datetime.fromisoformat(value))
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if kind in (int, float) and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError(f"expected a number, got {value!r}")
    if kind is int and isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)
    if kind is str and not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _rows_of(document: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(document, dict) or document.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"not a state document: 'format' must be {SNAPSHOT_FORMAT!r}")
    if document.get("version") != SNAPSHOT_VERSION:
        found = document.get("version")
        raise SnapshotError(f"version: unsupported ({found!r}); this emulator reads {SNAPSHOT_VERSION}")
    table_rows = document.get("tables")
    if not isinstance(table_rows, dict):
        raise SnapshotError("tables: must be a mapping of table name to a list of rows")
    known = {t.name for t in tables()}
    for name, rows in table_rows.items():
        if name not in known:
            raise SnapshotError(f"tables.{name}: unknown table (known: {', '.join(sorted(known))})")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise SnapshotError(f"tables.{name}: must be a list of row objects")
    return table_rows


def import_state(session: Session, document: Any) -> dict[str, int]:
    """Replace the whole store with ``document`` (from :func:`export_state`); rows inserted per table.

    Validated row by row before anything is written; the caller's transaction makes it all or nothing.
    Tables missing from the document end up empty.
    """
    table_rows = _rows_of(document)
    prepared: list[tuple[Table, list[dict[str, Any]]]] = []
    for table in tables():
        converted: list[dict[str, Any]] = []
        for index, row in enumerate(table_rows.get(table.name, [])):
            values: dict[str, Any] = {}
            for key, value in row.items():
                if key not in table.c:
                    raise SnapshotError(f"tables.{table.name}[{index}].{key}: unknown column")
                try:
                    values[key] = _load_value(table.c[key], value)
                except ValueError as exc:
                    raise SnapshotError(f"tables.{table.name}[{index}].{key}: {exc}") from None
            converted.append(values)
        prepared.append((table, converted))
    wipe_all(session)
    inserted: dict[str, int] = {}
    for table, rows in prepared:
        if rows:
            try:
                session.execute(table.insert(), rows)
            except SQLAlchemyError as exc:
                raise SnapshotError(f"tables.{table.name}: {getattr(exc, 'orig', exc)}") from None
        inserted[table.name] = len(rows)
    return inserted
