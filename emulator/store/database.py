"""The database: engine set-up and the single thread every unit of work runs on.

SQLite (WAL, busy timeout) is the default store. Within one process all database work goes through
one dedicated thread and connection, so writers never contend for SQLite's lock inside a process and
the event loop never blocks on I/O. Across processes (several uvicorn workers) every unit of work
takes the write lock up front (``BEGIN IMMEDIATE``), so the busy timeout queues writers instead of
failing them with "database is locked".
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import make_url
from sqlmodel import Session, SQLModel, create_engine

from emulator.store import models  # noqa: F401  (registers the tables)

T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy (not pysqlite) emit BEGIN, so that BEGIN IMMEDIATE and SAVEPOINTs work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """Owns the engine and the one thread that runs units of work."""

    def __init__(self, url: str):
        self.url = url
        self.engine = _make_engine(url)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vod-db")
        self._thread_ident: int | None = None
        self._session: Session | None = None
        # SQLite: the database thread keeps one connection checked out for good (a pool checkout and
        # check-in per unit of work cost more than a short unit's SQL). Other databases use the pool.
        self._connection: Connection | None = None

    def create_all(self) -> None:
        SQLModel.metadata.create_all(self.engine)

    def _open_session(self) -> Session:
        self._thread_ident = threading.get_ident()
        if self.engine.dialect.name == "sqlite":
            self._connection = self.engine.connect()
            return Session(bind=self._connection, expire_on_commit=False)
        return Session(self.engine, expire_on_commit=False)

    def _discard_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _run_in_thread(self, fn: Callable[[Session], T]) -> T:
        if self._session is None:
            self._session = self._open_session()
        session = self._session
        try:
            result = fn(session)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            if self._connection is not None and self._connection.invalidated:
                self._discard_session()  # the next unit of work reconnects
            raise
        finally:
            session.expunge_all()

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` as one transaction on the database thread; commit unless it raises."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run_in_thread, fn)

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        """The same, from synchronous code (start-up, CLI, tests)."""
        if threading.get_ident() == self._thread_ident:
            return self._run_in_thread(fn)
        return self._executor.submit(self._run_in_thread, fn).result()

    def close(self) -> None:
        self._executor.submit(self._discard_session).result()
        self._executor.shutdown(wait=True)
        self.engine.dispose()
