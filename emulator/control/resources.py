"""Direct resource control: accounts, access keys, videos (any status), templates.

These routes write the store directly, bypassing VOD's rules (a video can be put in any status, a
template config is stored verbatim), which is what tests need to set up a situation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from emulator.clock import as_utc
from emulator.control.plane import plane_of, runtime_of
from emulator.store import queries
from emulator.store.models import AccessKey, Account, KeyStatus, Template, TemplateType, Video, VideoStatus
from emulator.store.seed import HEX32, VideoFixture
from emulator.store.snapshot import wipe_account

T = TypeVar("T")

router = APIRouter(prefix="/_emulator", tags=["resources"])


# --- schemas -------------------------------------------------------------------------------------


class AccessKeyCreate(BaseModel):
    id: str | None = Field(None, min_length=1, description="AccessKey id; generated (LTAI5t…/STS.…) when absent.")
    secret: str | None = Field(None, min_length=1, description="Generated when absent.")
    status: KeyStatus = KeyStatus.Active
    security_token: str | None = Field(None, description="STS token that must accompany the key.")
    expires_at: datetime | None = Field(None, description="When the STS token expires.")


class AccessKeyUpdate(BaseModel):
    secret: str | None = Field(None, min_length=1)
    status: KeyStatus | None = None
    security_token: str | None = None
    expires_at: datetime | None = None


class AccessKeyView(BaseModel):
    id: str
    secret: str
    account_id: str
    status: KeyStatus
    security_token: str | None
    expires_at: datetime | None


class AccountCreate(BaseModel):
    id: str | None = Field(None, min_length=1, description="Account (UID) id; 16 digits generated when absent.")
    name: str = ""
    access_keys: list[AccessKeyCreate] = Field(default_factory=list)


class AccountUpdate(BaseModel):
    name: str


class AccountView(BaseModel):
    id: str
    name: str
    access_keys: list[AccessKeyView]


class VideoCreate(VideoFixture):
    """A video as a scenario file describes it; the id is generated when absent."""

    id: str | None = Field(None, pattern=HEX32, description="32 lower-case hex; generated when absent.")  # type: ignore[assignment]


class VideoUpdate(BaseModel):
    status: VideoStatus | None = Field(None, description="Any status, e.g. Transcoding → Normal.")
    title: str | None = None
    duration: float | None = Field(None, ge=0)
    size: int | None = Field(None, ge=0)
    width: int | None = Field(None, ge=1)
    height: int | None = Field(None, ge=1)
    description: str | None = None


class VideoView(BaseModel):
    id: str
    account_id: str
    title: str
    status: VideoStatus
    duration: float
    size: int
    width: int
    height: int
    created_at: datetime
    deleted: bool = Field(description="Deleted through DeleteVideo (kept as a marked row).")


class TemplateCreate(BaseModel):
    id: str | None = Field(None, pattern=HEX32, description="32 lower-case hex; generated when absent.")
    name: str = Field(min_length=1, max_length=128)
    type: TemplateType = TemplateType.DynamicImage
    config: dict[str, Any] | str = Field(default_factory=dict, description="TemplateConfig, stored verbatim.")
    is_default: bool = False
    app_id: str = "app-1000000"


class TemplateUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=128)
    config: dict[str, Any] | str | None = None
    is_default: bool | None = None


class TemplateView(BaseModel):
    id: str
    account_id: str
    name: str
    type: TemplateType
    config: str = Field(description="The TemplateConfig JSON string as stored.")
    is_default: bool
    app_id: str
    created_at: datetime
    modified_at: datetime
    deleted: bool


def key_view(key: AccessKey) -> AccessKeyView:
    return AccessKeyView(
        id=key.access_key_id,
        secret=key.secret,
        account_id=key.account_id,
        status=key.status,
        security_token=key.security_token,
        expires_at=as_utc(key.expires_at) if key.expires_at else None,
    )


def video_view(video: Video) -> VideoView:
    return VideoView(
        id=video.video_id,
        account_id=video.account_id,
        title=video.title,
        status=video.status,
        duration=video.duration,
        size=video.size,
        width=video.width,
        height=video.height,
        created_at=as_utc(video.created_at),
        deleted=getattr(video, "deleted_at", None) is not None,
    )


def template_view(template: Template) -> TemplateView:
    return TemplateView(
        id=template.template_id,
        account_id=template.account_id,
        name=template.name,
        type=template.template_type,
        config=template.config,
        is_default=template.is_default,
        app_id=template.app_id,
        created_at=as_utc(template.created_at),
        modified_at=as_utc(template.modified_at),
        deleted=getattr(template, "deleted_at", None) is not None,
    )


def config_string(config: dict[str, Any] | str) -> str:
    return config if isinstance(config, str) else json.dumps(config, ensure_ascii=False, separators=(",", ":"))


# --- helpers -------------------------------------------------------------------------------------


async def in_transaction(request: Request, fn: Callable[[Session], T]) -> T:
    return await runtime_of(request).db.run(fn)


def account_or_404(session: Session, account_id: str) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise HTTPException(404, f"no account {account_id}")
    return account


def account_view(session: Session, account: Account) -> AccountView:
    keys = session.exec(select(AccessKey).where(AccessKey.account_id == account.id)).all()
    return AccountView(id=account.id, name=account.name, access_keys=[key_view(k) for k in keys])


def _new_key(session: Session, request: Request, account_id: str, spec: AccessKeyCreate) -> AccessKey:
    ids = runtime_of(request).ids
    key_id = spec.id
    if key_id is None:
        key_id = ("STS." if spec.security_token else "LTAI5t") + ids.resource_id()[:18]
    if session.get(AccessKey, key_id) is not None:
        raise HTTPException(409, f"access key {key_id} exists already")
    key = AccessKey(
        access_key_id=key_id,
        secret=spec.secret or ids.resource_id()[:30],
        account_id=account_id,
        status=spec.status,
        security_token=spec.security_token,
        expires_at=as_utc(spec.expires_at) if spec.expires_at else None,
    )
    session.add(key)
    session.flush()
    return key


def _fresh_id(request: Request, session: Session, model: Any, given: str | None, what: str) -> str:
    if given is not None:
        if session.get(model, given) is not None:
            raise HTTPException(409, f"{what} {given} exists already")
        return given
    return queries.unused_id(session, model, runtime_of(request).ids)


# --- accounts and keys ---------------------------------------------------------------------------


@router.get("/accounts", response_model=list[AccountView])
async def list_accounts(request: Request) -> list[AccountView]:
    def unit(session: Session) -> list[AccountView]:
        accounts = session.exec(select(Account).order_by(col(Account.id))).all()
        return [account_view(session, a) for a in accounts]

    return await in_transaction(request, unit)


@router.post("/accounts", response_model=AccountView, status_code=201, responses={409: {}})
async def create_account(request: Request, body: AccountCreate) -> AccountView:
    def unit(session: Session) -> AccountView:
        account_id = body.id or f"2{int(runtime_of(request).ids.resource_id(), 16) % 10**15:015d}"
        if session.get(Account, account_id) is not None:
            raise HTTPException(409, f"account {account_id} exists already")
        account = Account(id=account_id, name=body.name)
        session.add(account)
        session.flush()
        for spec in body.access_keys:
            _new_key(session, request, account_id, spec)
        return account_view(session, account)

    return await in_transaction(request, unit)


@router.patch("/accounts/{account_id}", response_model=AccountView, responses={404: {}})
async def update_account(request: Request, account_id: str, body: AccountUpdate) -> AccountView:
    def unit(session: Session) -> AccountView:
        account = account_or_404(session, account_id)
        account.name = body.name
        session.add(account)
        return account_view(session, account)

    return await in_transaction(request, unit)


@router.delete("/accounts/{account_id}", status_code=204, responses={404: {}})
async def delete_account(request: Request, account_id: str) -> Response:
    """Delete the account and everything it owns (without reloading fixtures)."""

    def unit(session: Session) -> None:
        account_or_404(session, account_id)
        wipe_account(session, account_id)

    await in_transaction(request, unit)
    plane_of(request).journal.clear(account_id)
    return Response(status_code=204)


@router.post("/accounts/{account_id}/access-keys", response_model=AccessKeyView, status_code=201)
async def create_access_key(request: Request, account_id: str, body: AccessKeyCreate) -> AccessKeyView:
    def unit(session: Session) -> AccessKeyView:
        account_or_404(session, account_id)
        return key_view(_new_key(session, request, account_id, body))

    return await in_transaction(request, unit)


@router.patch("/access-keys/{key_id}", response_model=AccessKeyView, responses={404: {}})
async def update_access_key(request: Request, key_id: str, body: AccessKeyUpdate) -> AccessKeyView:
    """Change a key: status (Active/Inactive), secret, STS token or expiry (fields sent only)."""

    def unit(session: Session) -> AccessKeyView:
        key = session.get(AccessKey, key_id)
        if key is None:
            raise HTTPException(404, f"no access key {key_id}")
        changes = body.model_dump(exclude_unset=True)
        for name, value in changes.items():
            if name == "expires_at" and value is not None:
                value = as_utc(value)
            setattr(key, name, value)
        session.add(key)
        return key_view(key)

    return await in_transaction(request, unit)


@router.delete("/access-keys/{key_id}", status_code=204, responses={404: {}})
async def delete_access_key(request: Request, key_id: str) -> Response:
    def unit(session: Session) -> None:
        key = session.get(AccessKey, key_id)
        if key is None:
            raise HTTPException(404, f"no access key {key_id}")
        session.delete(key)

    await in_transaction(request, unit)
    return Response(status_code=204)


# --- videos --------------------------------------------------------------------------------------


@router.get("/videos", response_model=list[VideoView])
async def list_videos(
    request: Request, account_id: str | None = None, status: VideoStatus | None = None
) -> list[VideoView]:
    def unit(session: Session) -> list[VideoView]:
        query = select(Video).order_by(col(Video.account_id), col(Video.video_id))
        if account_id is not None:
            query = query.where(Video.account_id == account_id)
        if status is not None:
            query = query.where(Video.status == status)
        return [video_view(v) for v in session.exec(query).all()]

    return await in_transaction(request, unit)


@router.get("/videos/{video_id}", response_model=VideoView, responses={404: {}})
async def get_video(request: Request, video_id: str) -> VideoView:
    def unit(session: Session) -> VideoView:
        video = session.get(Video, video_id)
        if video is None:
            raise HTTPException(404, f"no video {video_id}")
        return video_view(video)

    return await in_transaction(request, unit)


@router.post("/accounts/{account_id}/videos", response_model=VideoView, status_code=201, responses={409: {}})
async def create_video(request: Request, account_id: str, body: VideoCreate) -> VideoView:
    """Add a video in any status."""
    now = as_utc(runtime_of(request).clock.now())

    def unit(session: Session) -> VideoView:
        account_or_404(session, account_id)
        video = Video(
            video_id=_fresh_id(request, session, Video, body.id, "video"),
            account_id=account_id,
            created_at=now,
            **body.model_dump(exclude={"id"}),
        )
        session.add(video)
        session.flush()
        return video_view(video)

    return await in_transaction(request, unit)


@router.patch("/videos/{video_id}", response_model=VideoView, responses={404: {}})
async def update_video(request: Request, video_id: str, body: VideoUpdate) -> VideoView:
    """Change a video's status (any transition) or media facts; only the fields sent."""

    def unit(session: Session) -> VideoView:
        video = session.get(Video, video_id)
        if video is None:
            raise HTTPException(404, f"no video {video_id}")
        for name, value in body.model_dump(exclude_unset=True).items():
            if value is None:
                raise HTTPException(400, f"{name}: may not be null")
            setattr(video, name, value)
        session.add(video)
        return video_view(video)

    return await in_transaction(request, unit)


# --- templates -----------------------------------------------------------------------------------


@router.get("/templates", response_model=list[TemplateView])
async def list_templates(
    request: Request, account_id: str | None = None, type: TemplateType | None = None
) -> list[TemplateView]:
    def unit(session: Session) -> list[TemplateView]:
        query = select(Template).order_by(col(Template.account_id), col(Template.template_id))
        if account_id is not None:
            query = query.where(Template.account_id == account_id)
        if type is not None:
            query = query.where(Template.template_type == type)
        return [template_view(t) for t in session.exec(query).all()]

    return await in_transaction(request, unit)


@router.post("/accounts/{account_id}/templates", response_model=TemplateView, status_code=201, responses={409: {}})
async def create_template(request: Request, account_id: str, body: TemplateCreate) -> TemplateView:
    """Add a template; its config is stored verbatim (not validated, so failure paths can be set up)."""
    now = as_utc(runtime_of(request).clock.now())

    def unit(session: Session) -> TemplateView:
        account_or_404(session, account_id)
        template = Template(
            template_id=_fresh_id(request, session, Template, body.id, "template"),
            account_id=account_id,
            name=body.name,
            template_type=body.type,
            config=config_string(body.config),
            is_default=body.is_default,
            app_id=body.app_id,
            created_at=now,
            modified_at=now,
        )
        session.add(template)
        session.flush()
        return template_view(template)

    return await in_transaction(request, unit)


@router.patch("/templates/{template_id}", response_model=TemplateView, responses={404: {}})
async def update_template(request: Request, template_id: str, body: TemplateUpdate) -> TemplateView:
    now = as_utc(runtime_of(request).clock.now())

    def unit(session: Session) -> TemplateView:
        template = session.get(Template, template_id)
        if template is None:
            raise HTTPException(404, f"no template {template_id}")
        changes = body.model_dump(exclude_unset=True)
        if changes.get("name") is not None:
            template.name = changes["name"]
        if changes.get("config") is not None:
            template.config = config_string(changes["config"])
        if changes.get("is_default") is not None:
            template.is_default = changes["is_default"]
        template.modified_at = now
        session.add(template)
        return template_view(template)

    return await in_transaction(request, unit)
