"""The control plane's per-process objects (journal, fault injector, seed) and their installation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request

from emulator.faults import FaultInjector
from emulator.runtime import Runtime

if TYPE_CHECKING:
    from emulator.control.journal import Journal
    from emulator.gateway.dispatch import Gateway


@dataclass
class ControlPlane:
    runtime: Runtime
    journal: Journal
    faults: FaultInjector
    seed: int | None

    def reseed(self, seed: int | None) -> None:
        """Deterministic mode: the same seed gives the same ids (and fault draws) from here on."""
        self.seed = seed
        self.runtime.ids.reseed(seed)
        self.faults.reseed(seed)

    def reset_process_state(self) -> None:
        """What a full reset clears besides the store: journal, clock, id sequence."""
        self.journal.clear()
        self.runtime.clock.freeze(None)
        self.runtime.clock.shift(timedelta(0))
        self.reseed(self.seed)


def plane_of(request: Request) -> ControlPlane:
    return request.app.state.control  # type: ignore[no-any-return]


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def install_control_plane(app: FastAPI, runtime: Runtime, gateway: Gateway) -> ControlPlane:
    """Hook the journal and the fault injector into the gateway and add the control routes."""
    from emulator.control import determinism, faults, journal, resources, state
    from emulator.control.security import AdminTokenMiddleware

    settings = runtime.settings
    plane = ControlPlane(runtime, journal.Journal(settings.journal_size), FaultInjector(settings.seed), settings.seed)
    gateway.observers.append(plane.journal.record)
    gateway.interceptors.append(plane.faults)
    app.state.control = plane
    for module in (state, resources, journal, faults, determinism):
        app.include_router(module.router)
    if settings.admin_token:
        app.add_middleware(AdminTokenMiddleware, token=settings.admin_token)
    return plane
