"""Fault rules: ``/_emulator/faults`` (the engine is :mod:`emulator.faults`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel
from sqlalchemy import delete
from sqlmodel import Session

from emulator.control.plane import runtime_of
from emulator.faults import FaultRuleView, FaultSpec, add_rule, list_rules
from emulator.store.models import FaultRule

router = APIRouter(prefix="/_emulator", tags=["faults"])


class FaultsCleared(BaseModel):
    deleted: int


@router.get("/faults", response_model=list[FaultRuleView])
async def get_faults(request: Request) -> list[FaultRuleView]:
    """Every rule with its counters (``remaining``, ``hits``), in the order they are applied."""
    rules = await runtime_of(request).db.run(list_rules)
    return [FaultRuleView.of(rule) for rule in rules]


@router.post("/faults", response_model=FaultRuleView, status_code=201, responses={409: {}})
async def add_fault(request: Request, spec: FaultSpec) -> FaultRuleView:
    """Add a rule: an error (``code``; status and message from the error table), added latency, or a
    QPS limit answered with ``Throttling.User`` / 429 and ``x-acs-retry-after`` (milliseconds); for one
    action or ``*``, optionally one account or video; the next ``times`` calls or with ``probability``."""
    rt = runtime_of(request)
    now = rt.clock.now()

    def unit(session: Session) -> FaultRule:
        rule_id = spec.id or f"rule-{rt.ids.resource_id()[:12]}"
        if session.get(FaultRule, rule_id) is not None:
            raise HTTPException(409, f"fault rule {rule_id} exists already")
        return add_rule(session, spec, rule_id, now)

    return FaultRuleView.of(await rt.db.run(unit))


@router.delete("/faults", response_model=FaultsCleared)
async def clear_faults(request: Request) -> FaultsCleared:
    deleted = await runtime_of(request).db.run(lambda session: session.execute(delete(FaultRule)).rowcount)
    return FaultsCleared(deleted=deleted)


@router.delete("/faults/{rule_id}", status_code=204, responses={404: {}})
async def delete_fault(request: Request, rule_id: str) -> Response:
    def unit(session: Session) -> None:
        rule = session.get(FaultRule, rule_id)
        if rule is None:
            raise HTTPException(404, f"no fault rule {rule_id}")
        session.delete(rule)

    await runtime_of(request).db.run(unit)
    return Response(status_code=204)
