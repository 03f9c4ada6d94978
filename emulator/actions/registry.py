"""The action registry: one decorator registers a VOD action's handler.

A handler is a plain function ``handler(ctx: ActionContext) -> dict``. It runs on the database
thread, inside the request's transaction (``ctx.session``), after the gateway has authenticated the
caller; it reads parameters through ``ctx`` and raises :class:`~emulator.gateway.errors.ApiError`
for the service's errors. It never sees HTTP, signatures or envelopes. Adding an action means writing
one handler in an ``emulator/actions`` module and decorating it with ``@action("Name")``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, SQLModel

from emulator.gateway.errors import missing
from emulator.store import queries

if TYPE_CHECKING:
    from emulator.runtime import Runtime

Handler = Callable[["ActionContext"], dict[str, Any]]


@dataclass(slots=True)
class ActionContext:
    """What a handler gets: the caller's account, the parameters, the transaction and the runtime."""

    action: str
    account_id: str
    params: dict[str, str]
    request_id: str
    session: Session
    runtime: Runtime
    now: datetime
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    host: str = ""  # the request's Host header (FileURLs are built on it unless public_url is set)

    def required(self, name: str) -> str:
        """The parameter's value; absent or empty is ``Missing<Name>`` / 400."""
        value = self.params.get(name)
        if value is None or value == "":
            raise missing(name)
        return value

    def optional(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value not in (None, "") else None

    def new_id(self, model: type[SQLModel]) -> str:
        """A fresh 32-hex id for a new ``model`` row."""
        return queries.unused_id(self.session, model, self.runtime.ids)


class ActionRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, name: str, handler: Handler) -> None:
        if name in self._handlers:
            raise ValueError(f"action {name} registered twice")
        self._handlers[name] = handler

    def get(self, name: str) -> Handler | None:
        return self._handlers.get(name)

    def names(self) -> list[str]:
        return sorted(self._handlers)


registry = ActionRegistry()


def action(name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the VOD action ``name``."""

    def decorate(handler: Handler) -> Handler:
        registry.register(name, handler)
        return handler

    return decorate


def load_actions() -> ActionRegistry:
    """Import every module of :mod:`emulator.actions` so that their decorators run."""
    import emulator.actions as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return registry
