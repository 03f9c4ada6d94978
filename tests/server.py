"""A real emulator server (``vod-emulator serve`` under uvicorn) in a subprocess, for the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmulatorServer:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, workers: int = 1):
        self.data_dir = data_dir
        self.port = free_port()
        self.env = env or {}
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "server.log"

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    def start(self) -> EmulatorServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "VOD_EMULATOR_DATA_DIR": str(self.data_dir), **self.env}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "emulator.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"emulator exited: {self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/_emulator/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("emulator did not become ready")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()
