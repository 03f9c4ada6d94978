"""Fault injection: stored rules that make matching gateway calls fail, slow down or get throttled.

Rules live in the ``faultrule`` table, so every uvicorn worker sees the same rules and counters, a
reset clears them and a scenario can set them. :class:`FaultInjector` is a gateway interceptor: it
runs after authentication inside the request's transaction (outside the handler's savepoint, so its
counters persist even when it answers with an error). Its cost on the hot path is one indexed query.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, func, select

from emulator.clock import as_utc
from emulator.gateway.errors import ApiError, Errors, ErrorSpec
from emulator.store import fastsql
from emulator.store.models import FaultRule

if TYPE_CHECKING:
    from emulator.gateway.dispatch import GatewayCall

RULE_ID = r"^[A-Za-z0-9._:-]{1,64}$"


def error_spec(code: str) -> ErrorSpec | None:
    """The error table's entry for ``code`` (templated codes such as ``Missing{}`` excluded)."""
    return next((spec for spec in Errors.all() if spec.code == code), None)


class FaultSpec(BaseModel):
    """A fault rule as posted to ``/_emulator/faults`` or listed in a scenario's ``faults``."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, pattern=RULE_ID, description="Rule id; generated when absent.")
    action: str = Field("*", min_length=1, description='Action name, or "*" for every action.')
    account_id: str | None = Field(None, description="Only calls made with this account's keys.")
    video_id: str | None = Field(None, description="Only calls whose VideoId (or VideoIds) names this video.")
    code: str | None = Field(None, description="Error code answered; HTTP status and message from the error table.")
    status: int | None = Field(None, ge=400, le=599, description="HTTP status; required for codes not in the table.")
    message: str | None = Field(None, description="Message; default the error table's.")
    times: int | None = Field(None, ge=1, description="Act on the next N matching calls only (default: every call).")
    probability: float = Field(1.0, gt=0, le=1, description="Chance that a matching call is acted on.")
    latency_ms: int = Field(0, ge=0, le=60_000, description="Delay added to the reply, milliseconds.")
    qps: int | None = Field(None, ge=1, description="Calls per second allowed; beyond, Throttling.User / 429.")

    @model_validator(mode="after")
    def _one_effect(self) -> FaultSpec:
        if self.code is None and not self.latency_ms and self.qps is None:
            raise ValueError("a fault rule needs code, latency_ms or qps")
        if self.qps is not None and (self.code is not None or self.times is not None or self.probability != 1):
            raise ValueError("a qps rule answers Throttling.User by itself: leave out code, times and probability")
        if self.code is None and (self.status is not None or self.message is not None):
            raise ValueError("status and message need a code")
        if self.code is not None and self.status is None and error_spec(self.code) is None:
            raise ValueError(f"code {self.code!r} is not in the emulator's error table: give its status as well")
        return self

    def stable_id(self) -> str:
        """The id given, or one derived from the rule's content (scenario rules load idempotently)."""
        if self.id:
            return self.id
        content = json.dumps(self.model_dump(exclude={"id"}), sort_keys=True)
        return "rule-" + hashlib.sha1(content.encode()).hexdigest()[:12]


class FaultRuleView(FaultSpec):
    """A stored rule: the spec plus its counters."""

    id: str
    times: int | None = Field(None, exclude=True)  # shown as `remaining`
    remaining: int | None = Field(None, description="Calls left for a `times` rule.")
    hits: int = Field(0, description="Calls this rule has acted on (failed, slowed or throttled).")
    created_at: datetime

    @classmethod
    def of(cls, rule: FaultRule) -> FaultRuleView:
        return cls(
            id=rule.id,
            action=rule.action,
            account_id=rule.account_id,
            video_id=rule.video_id,
            code=rule.code,
            status=rule.status,
            message=rule.message,
            times=None,
            probability=rule.probability,
            latency_ms=rule.latency_ms,
            qps=rule.qps,
            remaining=rule.remaining,
            hits=rule.hits,
            created_at=as_utc(rule.created_at),
        )

    @model_validator(mode="after")
    def _one_effect(self) -> FaultRuleView:  # a stored rule is valid already
        return self


def add_rule(session: Session, spec: FaultSpec, rule_id: str, now: datetime) -> FaultRule:
    last = session.exec(select(func.max(FaultRule.position))).one()
    rule = FaultRule(
        id=rule_id,
        position=(last or 0) + 1,
        action=spec.action,
        account_id=spec.account_id,
        video_id=spec.video_id,
        code=spec.code,
        status=spec.status,
        message=spec.message,
        remaining=spec.times,
        probability=spec.probability,
        latency_ms=spec.latency_ms,
        qps=spec.qps,
        created_at=as_utc(now),
    )
    session.add(rule)
    session.flush()
    return rule


def list_rules(session: Session) -> list[FaultRule]:
    return list(session.exec(select(FaultRule).order_by(col(FaultRule.position))).all())


class InjectedError(ApiError):
    """An injected error; ``delay`` seconds of injected latency still apply to the reply."""

    delay: float = 0.0


def _fault_error(rule: FaultRule) -> InjectedError:
    assert rule.code is not None
    spec = error_spec(rule.code)
    if spec is None:  # validated: an unknown code comes with its status
        return InjectedError(rule.code, rule.status or 500, rule.message or rule.code)
    message = rule.message or spec.message.format(*([""] * spec.message.count("{}")))
    return InjectedError(spec.code, rule.status or spec.status, message)


def _throttled(retry_after_ms: int) -> InjectedError:
    base = Errors.ThrottlingUser.error()
    # Tea reads x-acs-retry-after as milliseconds (ThrottlingException.retry_after); sent on throttling only.
    return InjectedError(base.code, base.status, base.message, {"x-acs-retry-after": str(retry_after_ms)})


def _matches(rule: FaultRule, call: GatewayCall) -> bool:
    if rule.account_id is not None and rule.account_id != call.account_id:
        return False
    if rule.video_id is not None:
        named = {call.params.get("VideoId", "")} | set(call.params.get("VideoIds", "").split(","))
        if rule.video_id not in named:
            return False
    return True


_ANY_RULE = f"SELECT 1 FROM {FaultRule.__tablename__} WHERE action IN (?, '*') LIMIT 1"


class FaultInjector:
    """The gateway interceptor applying the stored rules, in the order they were added."""

    def __init__(self, seed: int | None = None) -> None:
        self.random = random.Random(seed)

    def reseed(self, seed: int | None) -> None:
        self.random = random.Random(seed)

    def __call__(self, session: Session, call: GatewayCall) -> float | None:
        if fastsql.fetch_one(session, _ANY_RULE, call.action or "") is None:
            return None  # the usual case, answered by one indexed lookup without the ORM
        statement = select(FaultRule).where(col(FaultRule.action).in_([call.action or "", "*"]))
        rules = session.exec(statement.order_by(col(FaultRule.position))).all()
        delay = 0.0
        for rule in rules:
            if not _matches(rule, call):
                continue
            if rule.qps is not None:
                self._count_call(rule, delay)
                continue
            if rule.remaining == 0 or (rule.probability < 1 and self.random.random() >= rule.probability):
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
            rule.hits += 1
            session.add(rule)
            delay += rule.latency_ms / 1000
            if rule.code is not None:
                error = _fault_error(rule)
                error.delay = delay
                raise error
        return delay or None

    @staticmethod
    def _count_call(rule: FaultRule, delay: float) -> None:
        """Fixed one-second windows (wall clock, shared by every worker through the row)."""
        assert rule.qps is not None
        now = time.time()
        if now - rule.window_start >= 1.0:
            rule.window_start, rule.window_count = float(math.floor(now)), 0
        if rule.window_count >= rule.qps:
            rule.hits += 1
            error = _throttled(max(1, math.ceil((rule.window_start + 1.0 - now) * 1000)))
            error.delay = delay
            raise error
        rule.window_count += 1
