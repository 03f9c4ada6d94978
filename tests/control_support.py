"""Helpers for the control-plane tests: a private emulator per test module and an HTTP client for
``/_emulator/``. The control tests reset and reload state, so they never use the shared ``server``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.server import EmulatorServer

# Jobs wait for the control plane: nothing renders in the background while these tests run.
QUIET_ENV = {"VOD_EMULATOR_JOB_MODE": "manual"}


@contextmanager
def private_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, env: dict[str, str] | None = None
) -> Iterator[EmulatorServer]:
    server = EmulatorServer(tmp_path_factory.mktemp(name), env={**QUIET_ENV, **(env or {})}).start()
    try:
        yield server
    finally:
        server.stop()


def control_client(server: EmulatorServer, token: str | None = None) -> httpx.Client:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=f"{server.url}/_emulator", headers=headers, timeout=30)


def status_video_id(status: str) -> str:
    """The every-status scenario's id for a status: the name's ASCII bytes in hex, zero-padded to 32."""
    return status.encode().hex().ljust(32, "0")
