"""Read the emulator's SQLite file directly (read-only), to check what a request stored."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

from tests.server import EmulatorServer

DATABASE_FILE = "vod-emulator.db"


def rows(server: EmulatorServer, sql: str, *args: object) -> list[dict[str, Any]]:
    uri = f"file:{server.data_dir / DATABASE_FILE}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, args)]


def dynamic_image_job(server: EmulatorServer, job_id: str) -> dict[str, Any] | None:
    found = rows(server, "SELECT * FROM dynamicimagejob WHERE job_id = ?", job_id)
    return found[0] if found else None
