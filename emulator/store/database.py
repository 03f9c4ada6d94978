"""The database: engine set-up and the single thread every unit of work runs on.

The store is SQLite (WAL, busy timeout). Within one process all database work goes through one
dedicated thread and connection, with group commit, so writers never contend for SQLite's lock inside a process and
the event loop never blocks on I/O. Across processes (several uvicorn workers) every unit of work
takes the write lock up front (``BEGIN IMMEDIATE``), so the busy timeout queues writers instead of
failing them with "database is locked".
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import IO, Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import make_url
from sqlmodel import Session, SQLModel, create_engine

from emulator.gateway.errors import ApiError
from emulator.store import models  # noqa: F401  (registers the tables)

T = TypeVar("T")
# session.info key of the transaction's sqlite3 connection (see emulator.store.fastsql).
DBAPI_CONNECTION = "dbapi_connection"
BUSY_TIMEOUT_MS = 30_000


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        raise ValueError(f"the emulator's store is SQLite: {parsed.drivername} URLs are not supported")
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


@dataclass(slots=True)
class SavepointOutcome:
    error: ApiError | None = None


@contextlib.contextmanager
def handler_savepoint(session: Session) -> Iterator[SavepointOutcome]:
    """Run an action handler in a SAVEPOINT: an ApiError it raises undoes only its own writes (and
    is reported in the outcome, not raised), so the request's nonce and fault counters still commit.

    The SAVEPOINT is plain SQL on the transaction's connection (SQLAlchemy's nested transactions cost
    far more than the statement); pending ORM changes are flushed before it, and on rollback the
    session forgets every object, so nothing the handler touched is written later.
    """
    outcome = SavepointOutcome()
    session.flush()
    connection = session.info[DBAPI_CONNECTION]
    connection.execute("SAVEPOINT action_handler")
    try:
        yield outcome
        session.flush()
    except ApiError as exc:
        connection.execute("ROLLBACK TO action_handler")
        session.expunge_all()
        outcome.error = exc
    connection.execute("RELEASE action_handler")


def _open_lock_file(url: str) -> IO[bytes] | None:
    """The file whose lock serialises writers of one database file across processes."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return open(f"{database}.lock", "ab")  # held for the Database's lifetime


@dataclass(slots=True)
class _Unit:
    fn: Callable[[Session], Any]
    future: Future[Any] = field(default_factory=Future)


class Database:
    """Owns the engine and the one thread that runs units of work.

    Units queued while the thread is busy are committed together (group commit): one
    ``BEGIN IMMEDIATE`` … ``COMMIT`` for up to ``MAX_BATCH`` units, each in its own SAVEPOINT, so a
    unit that raises undoes only its own writes. A unit's result is delivered only after the commit.
    """

    MAX_BATCH = 32

    def __init__(self, url: str):
        self.url = url
        self.engine = _make_engine(url)
        self._lock_file = _open_lock_file(url)
        self._queue: SimpleQueue[_Unit | None] = SimpleQueue()
        self._session: Session | None = None
        # The database thread keeps one connection checked out for good (a pool checkout and check-in
        # per unit of work cost more than a short unit's SQL).
        self._connection: Connection | None = None
        self._thread = threading.Thread(target=self._serve, name="vod-db", daemon=True)
        self._thread.start()

    def create_all(self) -> None:
        SQLModel.metadata.create_all(self.engine)

    def _open_session(self) -> Session:
        self._connection = self.engine.connect()
        session = Session(bind=self._connection, expire_on_commit=False)
        session.info[DBAPI_CONNECTION] = self._connection.connection.driver_connection
        return session

    def _discard_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _serve(self) -> None:
        while True:
            unit = self._queue.get()
            if unit is None:
                break
            batch = [unit]
            stop = False
            while len(batch) < self.MAX_BATCH:
                try:
                    queued = self._queue.get_nowait()
                except Empty:
                    break
                if queued is None:
                    stop = True
                    break
                batch.append(queued)
            self._run_batch([u for u in batch if u.future.set_running_or_notify_cancel()])
            if stop:
                break
        self._discard_session()

    def _run_batch(self, batch: list[_Unit]) -> None:
        """Run the units in one transaction. A unit's ApiError (or other exception) rolls back its
        SAVEPOINT only; a failure SQLAlchemy cannot recover from inside the transaction (a failed
        flush) rolls back the batch, fails that unit and runs the others again."""
        while batch:
            if self._session is None:
                self._session = self._open_session()
            with self._process_lock():
                batch = self._run_units(self._session, batch)

    def _run_units(self, session: Session, batch: list[_Unit]) -> list[_Unit]:
        """One transaction over ``batch``; returns the units to run again (see ``_run_batch``)."""
        outcomes: list[tuple[_Unit, Any, BaseException | None]] = []
        try:
            session.connection()  # BEGIN IMMEDIATE now, so plain SQL (fastsql) runs inside the transaction
            raw = session.info[DBAPI_CONNECTION]
            for index, unit in enumerate(batch):
                raw.execute("SAVEPOINT unit_of_work")
                try:
                    value = unit.fn(session)
                    session.flush()
                except ApiError as exc:
                    raw.execute("ROLLBACK TO unit_of_work")
                    outcomes.append((unit, None, exc))
                except Exception as exc:
                    session.rollback()
                    unit.future.set_exception(exc)
                    return [u for u, _, _ in outcomes] + batch[index + 1 :]
                else:
                    outcomes.append((unit, value, None))
                raw.execute("RELEASE unit_of_work")
                session.expunge_all()
            session.commit()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                session.rollback()
            if self._connection is not None and self._connection.invalidated:
                self._discard_session()  # the next batch reconnects
            for unit in batch:
                if not unit.future.done():
                    unit.future.set_exception(exc)
            return []
        finally:
            session.expunge_all()
        for unit, value, error in outcomes:
            if error is None:
                unit.future.set_result(value)
            else:
                unit.future.set_exception(error)
        return []

    @contextlib.contextmanager
    def _process_lock(self) -> Iterator[None]:
        """Serialise write transactions across processes (uvicorn workers) with a kernel lock.

        SQLite's own busy handler sleeps in growing steps while another process holds the write lock,
        which gives second-long tails under concurrent writers; ``flock`` wakes the next waiter as
        soon as the lock is released.
        """
        if self._lock_file is None:
            yield
            return
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` in a transaction on the database thread; committed unless it raises."""
        unit = _Unit(fn)
        self._queue.put(unit)
        return await asyncio.wrap_future(unit.future)  # type: ignore[no-any-return]

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        """The same, from synchronous code (start-up, CLI, tests)."""
        if threading.current_thread() is self._thread:
            assert self._session is not None
            return fn(self._session)  # already inside a unit of work: part of its transaction
        unit = _Unit(fn)
        self._queue.put(unit)
        return unit.future.result()  # type: ignore[no-any-return]

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self.engine.dispose()
        if self._lock_file is not None:
            self._lock_file.close()
