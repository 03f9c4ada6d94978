"""The running emulator's shared objects, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.actions.registry import ActionRegistry, load_actions
from emulator.clock import Clock
from emulator.config import Settings
from emulator.ids import IdGenerator
from emulator.store.database import Database

if TYPE_CHECKING:
    from emulator.worker.processor import JobWorker


@dataclass
class Runtime:
    settings: Settings
    db: Database
    registry: ActionRegistry
    clock: Clock = field(default_factory=Clock)
    ids: IdGenerator = field(default_factory=IdGenerator)
    ready: bool = False
    jobs: JobWorker | None = None  # the animated-image job worker, started by the app's lifespan

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        db = Database(settings.resolved_database_url)
        db.create_all()
        return cls(settings=settings, db=db, registry=load_actions(), ids=IdGenerator(settings.seed))
