"""Queries shared by the gateway and the actions. Every resource lookup is scoped to one account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col, select

from emulator.ids import IdGenerator
from emulator.store import fastsql
from emulator.store.models import (
    AccessKey,
    KeyStatus,
    Template,
    TemplateType,
    UsedNonce,
    Video,
    VideoStatus,
)


@dataclass(frozen=True, slots=True)
class KeyRow:
    """An access key as authentication reads it (plain SQL on the hot path: no ORM object)."""

    access_key_id: str
    secret: str
    account_id: str
    status: KeyStatus
    security_token: str | None
    expires_at: datetime | None


_ACCESS_KEY = (
    f"SELECT access_key_id, secret, account_id, status, security_token, expires_at "
    f"FROM {AccessKey.__tablename__} WHERE access_key_id = ?"
)


def access_key(session: Session, access_key_id: str) -> KeyRow | None:
    row = fastsql.fetch_one(session, _ACCESS_KEY, access_key_id)
    if row is None:
        return None
    key_id, secret, account_id, status, token, expires_at = row
    return KeyRow(key_id, secret, account_id, KeyStatus[status], token, fastsql.parse_datetime(expires_at))


def access_key_by_token(session: Session, token: str) -> AccessKey | None:
    return session.exec(select(AccessKey).where(AccessKey.security_token == token)).first()


_REMEMBER_NONCE = (
    f"INSERT INTO {UsedNonce.__tablename__} (access_key_id, nonce, expires_at) VALUES (?, ?, ?) "
    f"ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at "
    f"WHERE {UsedNonce.__tablename__}.expires_at < ?"
)


def remember_nonce(session: Session, access_key_id: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
    """Record a nonce until ``expires_at``; False when it is already held and not yet expired."""
    expires, current = fastsql.to_sql(expires_at), fastsql.to_sql(now)
    return fastsql.execute(session, _REMEMBER_NONCE, access_key_id, nonce, expires, current) == 1


@cache
def _id_taken_sql(model: type[SQLModel]) -> str:
    table = model.__table__  # type: ignore[attr-defined]
    (key,) = table.primary_key.columns
    return f"SELECT 1 FROM {table.name} WHERE {key.name} = ?"


def unused_id(session: Session, model: type[SQLModel], ids: IdGenerator) -> str:
    """A new 32-hex id that no ``model`` row has (seeded ids may repeat across runs of a store)."""
    sql = _id_taken_sql(model)
    while True:
        candidate = ids.resource_id()
        if fastsql.fetch_one(session, sql, candidate) is None:
            return candidate


def purge_nonces(session: Session, now: datetime) -> None:
    session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))  # type: ignore[arg-type]


_VIDEO_STATUS = f"SELECT status FROM {Video.__tablename__} WHERE video_id = ? AND account_id = ? AND deleted_at IS NULL"


def video_status(session: Session, account_id: str, video_id: str) -> VideoStatus | None:
    """The status of the account's live video (plain SQL: SubmitDynamicImageJob's hot path)."""
    row = fastsql.fetch_one(session, _VIDEO_STATUS, video_id, account_id)
    return VideoStatus[row[0]] if row else None


_TEMPLATE_KIND = (
    f"SELECT template_type, config FROM {Template.__tablename__} "
    f"WHERE template_id = ? AND account_id = ? AND deleted_at IS NULL"
)


def template_kind(session: Session, account_id: str, template_id: str) -> tuple[TemplateType, str] | None:
    """(type, config) of the account's live template (plain SQL: SubmitDynamicImageJob's hot path)."""
    row = fastsql.fetch_one(session, _TEMPLATE_KIND, template_id, account_id)
    return (TemplateType[row[0]], row[1]) if row else None


def video(session: Session, account_id: str, video_id: str) -> Video | None:
    """The account's video; None when unknown, another account's, or deleted (DeleteVideo)."""
    found = session.get(Video, video_id)
    if found is None or found.account_id != account_id or found.deleted_at is not None:
        return None
    return found


def video_by_reference(session: Session, account_id: str, reference_id: str) -> Video | None:
    """The account's live video with this ReferenceId (unique per account among live videos)."""
    statement = select(Video).where(
        Video.account_id == account_id,
        Video.reference_id == reference_id,
        col(Video.deleted_at).is_(None),
    )
    return session.exec(statement).first()


def template(session: Session, account_id: str, template_id: str) -> Template | None:
    """The account's template; None when unknown, another account's, or deleted (DeleteVodTemplate)."""
    found = session.get(Template, template_id)
    if found is None or found.account_id != account_id or found.deleted_at is not None:
        return None
    return found
