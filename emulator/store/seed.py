"""Scenario fixtures: a YAML (or JSON) document of accounts, access keys, videos and templates.

Loading is idempotent: a record whose id already exists is left as it is (so state changed at run
time survives a restart), and nothing is ever duplicated. A document is validated whole before any
of it is written; errors name the file, the field and the problem.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session

from emulator.clock import as_utc
from emulator.faults import FaultSpec, add_rule
from emulator.store.models import (
    AccessKey,
    Account,
    FaultRule,
    KeyStatus,
    MessageCallback,
    Template,
    TemplateType,
    Video,
    VideoStatus,
)

HEX32 = r"^[0-9a-f]{32}$"


class FixtureError(ValueError):
    """A scenario document that cannot be loaded; the message names file, field and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccessKeyFixture(_Strict):
    id: str = Field(min_length=1)
    secret: str = Field(min_length=1)
    status: KeyStatus = KeyStatus.Active
    security_token: str | None = None
    expires_at: datetime | None = None


class VideoFixture(_Strict):
    id: str = Field(pattern=HEX32)
    title: str = ""
    status: VideoStatus = VideoStatus.Normal
    duration: float = Field(60.0, ge=0)
    size: int = Field(0, ge=0)
    width: int = Field(1280, ge=1)
    height: int = Field(720, ge=1)
    description: str = ""
    cover_url: str = ""
    cate_id: int | None = None
    cate_name: str = ""
    tags: str = ""
    user_data: str = ""
    reference_id: str | None = None
    storage_location: str = ""
    app_id: str = "app-1000000"

    @field_validator("status", mode="before")
    @classmethod
    def _no_doc_typo(cls, value: object) -> object:
        if value == "UploadSucces":
            raise ValueError("unknown status 'UploadSucces' (a typo in the English docs): use 'UploadSucc'")
        return value


class TemplateFixture(_Strict):
    id: str = Field(pattern=HEX32)
    name: str = Field(min_length=1, max_length=128)
    type: TemplateType
    config: dict[str, Any] | str = Field(default_factory=dict)
    is_default: bool = False
    app_id: str = "app-1000000"

    def config_string(self) -> str:
        if isinstance(self.config, str):
            return self.config
        return json.dumps(self.config, ensure_ascii=False, separators=(",", ":"))


class AccountFixture(_Strict):
    id: str = Field(min_length=1)
    name: str = ""
    access_keys: list[AccessKeyFixture] = Field(default_factory=list)
    videos: list[VideoFixture] = Field(default_factory=list)
    templates: list[TemplateFixture] = Field(default_factory=list)


class CallbackFixture(_Strict):
    """An account's event-notification (SetMessageCallback) configuration."""

    account_id: str = Field(min_length=1)
    callback_type: Literal["HTTP", "MNS"] = "HTTP"
    callback_url: str = Field("", max_length=256)
    event_types: list[str] | Literal["ALL"] = "ALL"
    auth_switch: Literal["on", "off"] = "off"
    auth_key: str = Field("", max_length=32)
    mns_endpoint: str = ""
    mns_queue_name: str = ""
    app_id: str = "app-1000000"


class Scenario(_Strict):
    description: str = ""
    accounts: list[AccountFixture] = Field(default_factory=list)
    faults: list[FaultSpec] = Field(default_factory=list)
    callbacks: list[CallbackFixture] = Field(default_factory=list)


def parse_scenario(text: str, source: str) -> Scenario:
    try:
        document = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise FixtureError(f"{source}: not valid YAML/JSON: {exc}") from None
    if not isinstance(document, dict):
        raise FixtureError(f"{source}: the document must be a mapping with an 'accounts' list")
    try:
        return Scenario.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}{_got(err)}" for err in exc.errors())
        raise FixtureError(f"{source}: {problems}") from None


def _got(error: Any) -> str:
    """`` (got <value>)`` for a rejected scalar value, so the message shows what was wrong."""
    value = error.get("input")
    if isinstance(value, str | int | float | bool) and error.get("type") != "missing":
        return f" (got {value!r})"
    return ""


def read_scenario(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"{path}: cannot be read: {exc.strerror}") from None
    return parse_scenario(text, str(path))


def apply_scenario(session: Session, scenario: Scenario, now: datetime) -> None:
    """Insert every record the scenario names that does not exist yet."""
    created = as_utc(now)
    for account in scenario.accounts:
        if session.get(Account, account.id) is None:
            session.add(Account(id=account.id, name=account.name))
            session.flush()
        for key in account.access_keys:
            if _absent(session, AccessKey, key.id, account.id, "access key"):
                session.add(
                    AccessKey(
                        access_key_id=key.id,
                        secret=key.secret,
                        account_id=account.id,
                        status=key.status,
                        security_token=key.security_token,
                        expires_at=as_utc(key.expires_at) if key.expires_at else None,
                    )
                )
        for video in account.videos:
            if _absent(session, Video, video.id, account.id, "video"):
                fields = video.model_dump(exclude={"id"})  # a VideoFixture's fields are Video columns
                session.add(Video(video_id=video.id, account_id=account.id, created_at=created, **fields))
        for template in account.templates:
            if _absent(session, Template, template.id, account.id, "template"):
                session.add(
                    Template(
                        template_id=template.id,
                        account_id=account.id,
                        name=template.name,
                        template_type=template.type,
                        config=template.config_string(),
                        is_default=template.is_default,
                        app_id=template.app_id,
                        created_at=created,
                        modified_at=created,
                    )
                )
        session.flush()
    for fault in scenario.faults:
        rule_id = fault.stable_id()
        if session.get(FaultRule, rule_id) is None:
            add_rule(session, fault, rule_id, created)
    _apply_callbacks(session, scenario, created)


def _apply_callbacks(session: Session, scenario: Scenario, created: datetime) -> None:
    """Each listed account's callback configuration (idempotent: an existing one is left alone)."""
    for callback in scenario.callbacks:
        if session.get(Account, callback.account_id) is None:
            raise FixtureError(f"callbacks: account {callback.account_id} does not exist")
        if session.get(MessageCallback, callback.account_id) is None:
            events = callback.event_types if isinstance(callback.event_types, str) else ",".join(callback.event_types)
            session.add(
                MessageCallback(
                    account_id=callback.account_id,
                    callback_type=callback.callback_type,
                    callback_url=callback.callback_url,
                    event_type_list=events,
                    auth_switch=callback.auth_switch,
                    auth_key=callback.auth_key,
                    mns_endpoint=callback.mns_endpoint,
                    mns_queue_name=callback.mns_queue_name,
                    app_id=callback.app_id,
                    modified_at=created,
                )
            )


def _absent(session: Session, model: Any, record_id: str, account_id: str, what: str) -> bool:
    """True when the record does not exist yet; an existing one of another account is an error."""
    existing = session.get(model, record_id)
    if existing is not None and existing.account_id != account_id:
        raise FixtureError(f"{what} {record_id} already belongs to account {existing.account_id}, not {account_id}")
    return existing is None
