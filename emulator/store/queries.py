"""Queries shared by the gateway and the actions. Every resource lookup is scoped to one account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from emulator.store.models import AccessKey, Template, UsedNonce, Video


def access_key(session: Session, access_key_id: str) -> AccessKey | None:
    return session.get(AccessKey, access_key_id)


def access_key_by_token(session: Session, token: str) -> AccessKey | None:
    return session.exec(select(AccessKey).where(AccessKey.security_token == token)).first()


def remember_nonce(session: Session, access_key_id: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
    """Record a nonce until ``expires_at``; False when it is already held and not yet expired."""
    statement = sqlite_insert(UsedNonce).values(access_key_id=access_key_id, nonce=nonce, expires_at=expires_at)
    statement = statement.on_conflict_do_update(
        index_elements=["access_key_id", "nonce"],
        set_={"expires_at": statement.excluded.expires_at},
        where=UsedNonce.expires_at < now,  # type: ignore[arg-type]
    )
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def purge_nonces(session: Session, now: datetime) -> None:
    session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))  # type: ignore[arg-type]


def video(session: Session, account_id: str, video_id: str) -> Video | None:
    found = session.get(Video, video_id)
    return found if found is not None and found.account_id == account_id else None


def template(session: Session, account_id: str, template_id: str) -> Template | None:
    found = session.get(Template, template_id)
    return found if found is not None and found.account_id == account_id else None
