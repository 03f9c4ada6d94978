"""Queries shared by the gateway and the actions. Every resource lookup is scoped to one account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from emulator.store.models import AccessKey, DynamicImageJob, Template, UsedNonce, Video


def access_key(session: Session, access_key_id: str) -> AccessKey | None:
    return session.get(AccessKey, access_key_id)


def access_key_by_token(session: Session, token: str) -> AccessKey | None:
    return session.exec(select(AccessKey).where(AccessKey.security_token == token)).first()


def _remember_nonce_statement() -> Any:
    statement = sqlite_insert(UsedNonce).values(
        access_key_id=bindparam("access_key_id"), nonce=bindparam("nonce"), expires_at=bindparam("expires_at")
    )
    return statement.on_conflict_do_update(
        index_elements=["access_key_id", "nonce"],
        set_={"expires_at": statement.excluded.expires_at},
        where=UsedNonce.expires_at < bindparam("now"),  # type: ignore[arg-type]
    )


# Built once: every signed request runs it (a statement built per call costs several times its SQL).
_REMEMBER_NONCE = _remember_nonce_statement()


def remember_nonce(session: Session, access_key_id: str, nonce: str, now: datetime, expires_at: datetime) -> bool:
    """Record a nonce until ``expires_at``; False when it is already held and not yet expired."""
    values = {"access_key_id": access_key_id, "nonce": nonce, "expires_at": expires_at, "now": now}
    # On the session's connection (same transaction), bypassing the ORM's bulk-insert machinery.
    return bool(session.connection().execute(_REMEMBER_NONCE, values).rowcount)


_JOB_ID_TAKEN = select(DynamicImageJob.job_id).where(DynamicImageJob.job_id == bindparam("job_id"))


def job_id_taken(session: Session, job_id: str) -> bool:
    """Whether a dynamic image job already has this id (a plain SELECT: no ORM load on the hot path)."""
    return session.connection().execute(_JOB_ID_TAKEN, {"job_id": job_id}).first() is not None


def purge_nonces(session: Session, now: datetime) -> None:
    session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))  # type: ignore[arg-type]


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
