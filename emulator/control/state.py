"""Whole-store control: reset (all or one account), scenario loading, state export/import.

Each operation is one transaction on the database thread, so a gateway request in flight runs either
wholly before or wholly after it, and nothing it acknowledged is half-applied. Documents are validated
completely before anything is written; a bad one is a 400 naming file, field and problem.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from emulator.config import FIXTURES_DIR
from emulator.control.plane import plane_of, runtime_of
from emulator.store.seed import FixtureError, Scenario, apply_scenario, parse_scenario, read_scenario
from emulator.store.snapshot import SnapshotError, export_state, import_state, wipe_account, wipe_all

SCENARIO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")

router = APIRouter(prefix="/_emulator", tags=["state"])


class ResetRequest(BaseModel):
    account_id: str | None = Field(None, description="Reset only this account (its rows in every table).")
    reload_fixtures: bool = Field(True, description="Load the configured fixtures again afterwards.")


class ResetResult(BaseModel):
    scope: Literal["all", "account"]
    account_id: str | None
    deleted: dict[str, int] = Field(description="Rows deleted per table.")
    fixtures: list[str] = Field(description="Fixture files loaded again.")


class ScenarioInfo(BaseModel):
    name: str
    description: str
    path: str


class ScenarioLoaded(BaseModel):
    source: str
    replaced: bool = Field(description="Whether the store was wiped first.")
    accounts: int
    access_keys: int
    videos: int
    templates: int
    faults: int
    callbacks: int


def only_account(scenario: Scenario, account_id: str) -> Scenario:
    """The part of a scenario that belongs to one account."""
    return scenario.model_copy(
        update={
            "accounts": [a for a in scenario.accounts if a.id == account_id],
            "faults": [f for f in scenario.faults if f.account_id == account_id],
            "callbacks": [c for c in scenario.callbacks if c.account_id == account_id],
        }
    )


def configured_fixtures(request: Request) -> list[tuple[Path, Scenario]]:
    try:
        return [(path, read_scenario(path)) for path in runtime_of(request).settings.fixtures]
    except FixtureError as exc:
        raise HTTPException(400, str(exc)) from None


@router.post("/reset", response_model=ResetResult)
async def reset(request: Request, body: Annotated[ResetRequest | None, Body()] = None) -> ResetResult:
    """Wipe every table (or one account's rows), then load the configured fixtures again.

    A full reset also clears the journal, unfreezes the clock and restarts the id sequence of the
    current seed."""
    body = body or ResetRequest()
    rt = runtime_of(request)
    fixtures = configured_fixtures(request) if body.reload_fixtures else []
    account_id = body.account_id
    if account_id is not None:
        fixtures = [(path, only_account(s, account_id)) for path, s in fixtures]
    now = rt.clock.now()

    def unit(session: Session) -> dict[str, int]:
        deleted = wipe_all(session) if account_id is None else wipe_account(session, account_id)
        for _path, scenario in fixtures:
            apply_scenario(session, scenario, now)
        return deleted

    try:
        deleted = await rt.db.run(unit)
    except FixtureError as exc:
        raise HTTPException(400, str(exc)) from None
    plane = plane_of(request)
    if account_id is None:
        plane.reset_process_state()
    else:
        plane.journal.clear(account_id)
    return ResetResult(
        scope="all" if account_id is None else "account",
        account_id=account_id,
        deleted={k: v for k, v in deleted.items() if v},
        fixtures=[str(path) for path, _ in fixtures],
    )


def scenario_files() -> dict[str, Path]:
    if not FIXTURES_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(FIXTURES_DIR.iterdir()) if p.suffix in SCENARIO_SUFFIXES}


@router.get("/scenarios", response_model=list[ScenarioInfo])
async def list_scenarios() -> list[ScenarioInfo]:
    """The scenarios shipped in ``fixtures/``."""
    found = []
    for name, path in scenario_files().items():
        try:
            description = read_scenario(path).description
        except FixtureError as exc:
            description = f"(invalid: {exc})"
        found.append(ScenarioInfo(name=name, description=description, path=str(path)))
    return found


async def _load(request: Request, scenario: Scenario, source: str, replace: bool) -> ScenarioLoaded:
    rt = runtime_of(request)
    now = rt.clock.now()

    def unit(session: Session) -> None:
        if replace:
            wipe_all(session)
        apply_scenario(session, scenario, now)

    try:
        await rt.db.run(unit)
    except FixtureError as exc:
        raise HTTPException(400, f"{source}: {exc}") from None
    return ScenarioLoaded(
        source=source,
        replaced=replace,
        accounts=len(scenario.accounts),
        access_keys=sum(len(a.access_keys) for a in scenario.accounts),
        videos=sum(len(a.videos) for a in scenario.accounts),
        templates=sum(len(a.templates) for a in scenario.accounts),
        faults=len(scenario.faults),
        callbacks=len(scenario.callbacks),
    )


REPLACE_QUERY = Query(False, description="Wipe the whole store first (in the same transaction).")


@router.post("/scenarios/{name}", response_model=ScenarioLoaded, responses={400: {}, 404: {}})
async def load_named_scenario(request: Request, name: str, replace: bool = REPLACE_QUERY) -> ScenarioLoaded:
    """Load ``fixtures/<name>.yaml``: records that exist already are left alone unless ``replace``."""
    path = scenario_files().get(name) if SCENARIO_NAME.match(name) else None
    if path is None:
        raise HTTPException(404, f"no scenario {name!r} in {FIXTURES_DIR} (known: {', '.join(scenario_files())})")
    try:
        scenario = read_scenario(path)
    except FixtureError as exc:
        raise HTTPException(400, str(exc)) from None
    return await _load(request, scenario, str(path), replace)


DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "A scenario document, YAML or JSON (the format of the files in fixtures/).",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.post("/scenarios", response_model=ScenarioLoaded, responses={400: {}}, openapi_extra=DOCUMENT_BODY)
async def load_posted_scenario(request: Request, replace: bool = REPLACE_QUERY) -> ScenarioLoaded:
    """Load a scenario document sent as the request body (YAML or JSON)."""
    raw = await request.body()
    try:
        scenario = parse_scenario(raw.decode("utf-8"), "request body")
    except UnicodeDecodeError:
        raise HTTPException(400, "request body: not UTF-8 text") from None
    except FixtureError as exc:
        raise HTTPException(400, str(exc)) from None
    return await _load(request, scenario, "request body", replace)


@router.get("/state", response_model=dict[str, Any])
async def get_state(request: Request) -> dict[str, Any]:
    """A snapshot of the whole store: every row of every table (``vod-emulator state export``)."""
    rt = runtime_of(request)
    now = rt.clock.now()
    return await rt.db.run(lambda session: export_state(session, now))


STATE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A document from GET /_emulator/state.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.put("/state", response_model=dict[str, int], responses={400: {}}, openapi_extra=STATE_BODY)
async def put_state(request: Request) -> dict[str, int]:
    """Replace the whole store with a snapshot (atomically); rows restored per table."""
    rt = runtime_of(request)
    try:
        document = json.loads(await request.body())
    except ValueError as exc:
        raise HTTPException(400, f"request body: not JSON: {exc}") from None
    try:
        return await rt.db.run(lambda session: import_state(session, document))
    except SnapshotError as exc:
        raise HTTPException(400, f"request body: {exc}") from None
